//! `anjian bench --scale processes` (PostgreSQL): one and three `anjian serve`
//! processes behind nginx over one database, each process held to a quarter of a core
//! by its own cgroup (v1, `/sys/fs/cgroup/cpu`; without a writable one the quota'd runs
//! are skipped, saying so), then without quotas. Scenarios: a township's ledger page
//! (database-bound), the session check `/api/v1/me` (bound by the server's own CPU),
//! and the writes: a township's hazard records and public tips counted against the
//! shared per-minute limit (set high enough not to refuse them: the count is the work).
//!
//! `--scale city-processes` runs the same over the synthetic city of the SQLite city
//! runs (1,000 townships, 200,000 enterprises, 1,000,000 hazards, 200,000 enforcement
//! records, the Tongliang plan running, 5,000 officials' duty records), the processes'
//! clocks at 15 August 2022 as the SQLite runs' are, with the city's scenarios: ledger
//! pages, dashboard, ranking, to-do, quota page, public board and the office's
//! statistics, first with one unquota'd process and one client (the SQLite runs'
//! targets are read at one client). `ANJIAN_BENCH_REUSE=1` measures a database a
//! previous run seeded (`ANJIAN_BENCH_KEEP=1` keeps it) without seeding it again.
//! `ANJIAN_BENCH_ROUNDS=n` repeats the runs n times in turn.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{CITY_NOW, CITY_PASSWORD, fresh_db, load, login};
use crate::seed;
use crate::setup::Common;

const CGROUP_ROOT: &str = "/sys/fs/cgroup/cpu";

/// The processes of one run, killed (and their cgroups removed) on drop.
struct Fleet {
    children: Vec<Child>,
    cgroups: Vec<std::path::PathBuf>,
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        for g in &self.cgroups {
            let _ = std::fs::remove_dir(g);
        }
    }
}

/// A cgroup holding its processes to `quota` of a core, or `None` when cgroups cannot
/// be written here.
fn cgroup(name: &str, quota: f64) -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(CGROUP_ROOT).join(name);
    std::fs::create_dir_all(&dir).ok()?;
    std::fs::write(dir.join("cpu.cfs_period_us"), "100000").ok()?;
    std::fs::write(
        dir.join("cpu.cfs_quota_us"),
        format!("{}", (100_000.0 * quota) as i64),
    )
    .ok()?;
    Some(dir)
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

async fn ready(url: &str) -> bool {
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = http.get(url).send().await
            && r.status() == 200
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Whether the process behind `metrics` has finished its first background pass
/// (waits up to a minute).
async fn background_done(metrics: &str) -> bool {
    let http = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(r) = http.get(metrics).send().await
            && let Ok(text) = r.text().await
            && text.contains("anjian_job_last_run_timestamp_seconds{job=\"background\"}")
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Starts `n` server processes (each in its own quota'd cgroup when `quota`) and nginx
/// in front; answers the fleet and nginx's base URL.
async fn start(
    n: usize,
    quota: bool,
    url: &str,
    dir: &std::path::Path,
    nginx: &str,
    clock_start: Option<i64>,
    front: u16,
) -> Result<(Fleet, String), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut fleet = Fleet {
        children: Vec::new(),
        cgroups: Vec::new(),
    };
    let mut ports = Vec::new();
    for i in 0..n {
        let port = free_port()?;
        let mut command = Command::new(&exe);
        if let Some(start) = clock_start {
            command.env("ANJIAN_CLOCK_START", start.to_string());
        }
        let child = command
            .arg("--data-dir")
            .arg(dir.join(format!("p{i}")))
            .args(["--database-url", url])
            .arg("--secret-key-file")
            .arg(dir.join("secret.key"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .args(["--trusted-proxies", "127.0.0.1"])
            .args(["--login-per-minute", "0", "--public-per-minute", "1000000"])
            .env("ANJIAN_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        if quota {
            let g = cgroup(&format!("anjian-bench-{}-{i}", std::process::id()), 0.25)
                .ok_or("无法写入 cgroup")?;
            std::fs::write(g.join("cgroup.procs"), child.id().to_string())
                .map_err(|e| e.to_string())?;
            fleet.cgroups.push(g);
        }
        fleet.children.push(child);
        ports.push(port);
    }
    for p in &ports {
        if !ready(&format!("http://127.0.0.1:{p}/readyz")).await {
            return Err(format!("进程 {p} 未就绪"));
        }
    }
    // Each process's first background pass (the directory followed, reminders,
    // rankings kept) runs at start; measured beside it, a township's to-do page read
    // 130 ms p50 in one run and 11 ms in another. Wait until every process has
    // finished it (`/metrics` names the job's last run).
    for p in &ports {
        if !background_done(&format!("http://127.0.0.1:{p}/metrics")).await {
            return Err(format!("进程 {p} 的后台任务未完成"));
        }
    }
    let upstreams: String = ports
        .iter()
        .map(|p| format!("server 127.0.0.1:{p};"))
        .collect();
    let d = dir.display();
    // One nginx process (no master): killing it stops nginx, where a killed master
    // left its worker serving on the port after the run.
    let conf = format!(
        "daemon off; master_process off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/nginx.log;
events {{ worker_connections 1024; }}
http {{ access_log off; client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  upstream anjian {{ {upstreams} keepalive 64; }}
  server {{ listen 127.0.0.1:{front};
    location / {{ proxy_pass http://anjian; proxy_http_version 1.1; proxy_set_header Connection \"\";
      proxy_set_header Host $http_host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; }} }} }}"
    );
    std::fs::write(dir.join("nginx.conf"), conf).map_err(|e| e.to_string())?;
    let proxy = Command::new(nginx)
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    fleet.children.push(proxy);
    let base = format!("http://127.0.0.1:{front}");
    if !ready(&format!("{base}/healthz")).await {
        return Err("nginx 未启动".into());
    }
    Ok((fleet, base))
}

/// The data a run measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
    /// The synthetic district with 100,000 hazards, seeded now; the processes' clocks
    /// are the system's.
    District,
    /// The synthetic city of the SQLite city runs, as of 15 August 2022.
    City,
}

/// Who sends a scenario's requests.
#[derive(Clone, Copy)]
enum Who {
    Office,
    Town,
    /// Another township (the third account): the records the runs write pile into its
    /// ledger and to-do, not into those measured for `Town` (the city's first township
    /// owed 9,053 open obligations after a session's runs).
    Writer,
    Public,
}

/// One request a scenario repeats for its seconds.
struct Scenario {
    name: &'static str,
    path: String,
    body: Option<serde_json::Value>,
    who: Who,
}

impl Scenario {
    fn get(name: &'static str, path: impl Into<String>, who: Who) -> Scenario {
        Scenario {
            name,
            path: path.into(),
            body: None,
            who,
        }
    }
}

/// The writes every run measures: a township's hazard records (a sector the synthetic
/// data keeps under its own name: 城镇燃气 and 危险化学品 are kept there under the
/// aliases the form reads as 燃气, 危化品) and public tips.
fn writes(today: chrono::NaiveDate) -> [Scenario; 2] {
    let hazard = serde_json::json!({
        "level": "general",
        "sector": "商贸",
        "place": "某餐馆后厨（基准）",
        "description": "液化石油气钢瓶与灶具间距不足",
        "discovered_on": today.format("%Y-%m-%d").to_string(),
        "measures": "钢瓶移至独立气瓶间",
        "responsible_person": "张三",
        "deadline": (today + chrono::Days::new(20)).format("%Y-%m-%d").to_string(),
    });
    let tip = serde_json::json!({
        "category": "violation",
        "sector": "商贸",
        "place": "某化工有限公司二号仓库（基准）",
        "reported_unit": "某化工有限公司",
        "description": "仓库安全出口被货物堵死，夜间锁闭"
    });
    [
        Scenario {
            name: "镇街 记录隐患 POST /api/v1/hazards",
            path: "/api/v1/hazards".into(),
            body: Some(hazard),
            who: Who::Writer,
        },
        Scenario {
            name: "公众 举报 POST /api/v1/public/tips（共享限流计数）",
            path: "/api/v1/public/tips".into(),
            body: Some(tip),
            who: Who::Public,
        },
    ]
}

/// Where the city's processes' clocks start for a new run: on the city's day, after
/// every hazard and tip written so far. An id carries its millisecond and its
/// process's node, so a run whose clocks started at 08:00 again wrote ids an earlier
/// run's process had written on the same node (113 hazard records and 64 tips failed
/// on the primary key in one run).
async fn city_clock(url: &str, now: i64) -> Result<i64, String> {
    let db = anjian_store::Db::connect_with(url, Some(1))
        .await
        .map_err(|e| e.to_string())?;
    let (last,): (Option<i64>,) = db
        .read()
        .one(anjian_store::q(
            "SELECT MAX(id) FROM (SELECT MAX(id) AS id FROM hazards UNION ALL SELECT MAX(id) FROM tips) t",
        ))
        .await
        .map_err(|e| e.to_string())?;
    db.close().await;
    Ok(last
        .map_or(now, |id| anjian_store::ids::millis_of(id) + 1000)
        .max(now))
}

/// Seeds the district; answers its accounts, its clock and its scenarios.
async fn district(db: &anjian_store::Db) -> Result<(Vec<String>, i64, Vec<Scenario>), String> {
    let now = anjian_core::time::Clock::now_ms(&anjian_core::time::SystemClock);
    let seeded = seed::load(
        db,
        now,
        seed::Size::DISTRICT,
        &anjian_web::password::hash_now(CITY_PASSWORD),
    )
    .await
    .map_err(|e| e.to_string())?;
    let hazards = seed::city_hazards(db, now, 100_000)
        .await
        .map_err(|e| e.to_string())?;
    println!("区县规模，{hazards} 条隐患");
    let today = anjian_core::time::local_date(now).ok_or("date")?;
    let mut scenarios = vec![
        Scenario::get("镇街 隐患台账页 /hazards", "/hazards", Who::Town),
        Scenario::get(
            "镇街 会话 /api/v1/me（进程自身的 CPU）",
            "/api/v1/me",
            Who::Town,
        ),
    ];
    scenarios.extend(writes(today));
    Ok((seeded.usernames, now, scenarios))
}

/// Seeds the city (or finds it seeded, with `ANJIAN_BENCH_REUSE`); answers its
/// accounts, its clock and its scenarios.
async fn city(db: &anjian_store::Db) -> Result<(Vec<String>, i64, Vec<Scenario>), String> {
    let now = CITY_NOW;
    let today = anjian_core::time::local_date(now).ok_or("date")?;
    let e = |e: anjian_store::Error| e.to_string();
    let usernames = if super::reusing(db).await?.is_some() {
        seed::usernames(seed::Size::CITY)
    } else {
        let seeded = seed::load(
            db,
            now,
            seed::Size::CITY,
            &anjian_web::password::hash_now(CITY_PASSWORD),
        )
        .await
        .map_err(e)?;
        let hazards = seed::city_hazards(db, now, 1_000_000).await.map_err(e)?;
        let records = seed::city_enforcements(db, now, 200_000).await.map_err(e)?;
        let (_, officials, duty) = seed::responsibility::city(db, now).await.map_err(e)?;
        let actor = anjian_store::Actor::system("bench");
        let (_, report, _) = super::launch_tongliang(db, &actor).await?;
        let july = anjian_core::monthly_report::Month::parse("2022-07").map_err(|e| e.message)?;
        anjian_store::rankings::ensure_kept(db, now, today, july)
            .await
            .map_err(e)?;
        db.settle().await.map_err(e)?;
        println!(
            "城市规模：{hazards} 条隐患，{records} 条执法记录，铜梁方案 {} 项应办事项，{officials} 名干部 {duty} 条履职记录",
            report.obligations
        );
        seeded.usernames
    };
    // What each process's background job does first on the day (follow the directory,
    // remind, recount the overdue tallies), done here once so that no measured run
    // carries it.
    anjian_store::follow::follow_directory(db, now)
        .await
        .map_err(e)?;
    let days = anjian_store::reminders::days_before(db).await.map_err(e)?;
    anjian_store::reminders::run_once(db, now, today, days)
        .await
        .map_err(e)?;
    anjian_store::hazards::roll_tallies(db, today)
        .await
        .map_err(e)?;
    db.analyze().await.map_err(e)?;
    let (board,): (i64,) = db
        .read()
        .one(anjian_store::q(
            "SELECT township_id FROM enterprises WHERE listed = 1 ORDER BY unit_id LIMIT 1",
        ))
        .await
        .map_err(e)?;
    let mut scenarios = vec![
        Scenario::get(
            "镇街 隐患台账页 ?status=rectifying",
            "/hazards?status=rectifying",
            Who::Town,
        ),
        Scenario::get(
            "区安委办 隐患台账 API ?level=major&status=assigned",
            "/api/v1/hazards?level=major&status=assigned",
            Who::Office,
        ),
        Scenario::get(
            "区安委办 看板 API 7月",
            "/api/v1/dashboard?month=2022-07",
            Who::Office,
        ),
        Scenario::get("区安委办 首页看板 7月", "/?month=2022-07", Who::Office),
        Scenario::get(
            "区安委办 排名 API 7月 镇街",
            "/api/v1/rankings/2022-07?kind=township",
            Who::Office,
        ),
        Scenario::get("镇街 待办 /todo", "/todo", Who::Town),
        Scenario::get(
            "区安委办 履职定额 API 7月",
            "/api/v1/quotas/2022-07",
            Who::Office,
        ),
        Scenario::get("镇街 履职定额 API 7月", "/api/v1/quotas/2022-07", Who::Town),
        Scenario::get(
            "公示牌页面（免登录）",
            format!("/boards/{board}"),
            Who::Public,
        ),
        Scenario::get("区安委办 隐患统计（按单位）", "/hazards/stats", Who::Office),
        Scenario::get(
            "区安委办 隐患统计（按行业）",
            "/hazards/stats?by=sector",
            Who::Office,
        ),
        Scenario::get(
            "区安委办 隐患统计（按月）",
            "/hazards/stats?by=month",
            Who::Office,
        ),
    ];
    scenarios.extend(writes(today));
    Ok((usernames, now, scenarios))
}

/// Runs the benchmark and prints its tables.
pub async fn run(
    c: &Common,
    seconds: u64,
    concurrency: usize,
    data: Dataset,
) -> Result<(), String> {
    if !c
        .database_url
        .as_deref()
        .is_some_and(|u| u.starts_with("postgres"))
    {
        return Err(
            "多进程基准需要 PostgreSQL：请用 --database-url postgres://… 指定一个空库".into(),
        );
    }
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .ok_or("多进程基准需要 nginx（apt-get install nginx-light）")?;
    let (db, url, dir) = fresh_db(c, "processes").await?;
    let t = Instant::now();
    let (usernames, now, scenarios) = match data {
        Dataset::District => district(&db).await?,
        Dataset::City => city(&db).await?,
    };
    db.close().await;
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("secret.key"), key).map_err(|e| e.to_string())?;
    println!(
        "生成用时 {:.1} s（PostgreSQL）；每轮每个场景 {seconds} s，经 nginx",
        t.elapsed().as_secs_f64()
    );
    let quotas = cgroup(&format!("anjian-bench-probe-{}", std::process::id()), 0.25);
    if let Some(p) = &quotas {
        let _ = std::fs::remove_dir(p);
    } else {
        println!("（{CGROUP_ROOT} 不可写：跳过每进程 1/4 核配额的两轮）");
    }
    println!(
        "\n| {:<44} | {:>8} | {:>6} | {:>8} | {:>7} | {:>7} | {:>7} |",
        "endpoint", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms"
    );
    // (processes, a quarter-core quota each, clients); the city first at one client.
    // `ANJIAN_BENCH_ROUNDS=n` repeats the four runs n times, one after the other, so
    // that one and three processes are compared over rounds on a noisy machine.
    let rounds = std::env::var("ANJIAN_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, 10);
    let mut runs: Vec<(usize, bool, usize)> = Vec::new();
    if data == Dataset::City {
        runs.push((1, false, 1));
    }
    for _ in 0..rounds {
        runs.extend(
            [(1, true), (3, true), (1, false), (3, false)]
                .into_iter()
                .filter(|(_, q)| !*q || quotas.is_some())
                .map(|(n, q)| (n, q, concurrency)),
        );
    }
    // One front port for every run: the accounts' second factors are kept by address.
    let front = free_port()?;
    for (n, quota, clients) in runs {
        // The processes' clocks: the city's day, or the system's for the district.
        let clock = match data {
            Dataset::City => Some(city_clock(&url, now).await?),
            Dataset::District => None,
        };
        let (fleet, base) = start(n, quota, &url, &dir, nginx, clock, front).await?;
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| e.to_string())?;
        let town = login(&client, &base, &usernames[1], CITY_PASSWORD).await?;
        let writer = login(&client, &base, &usernames[2], CITY_PASSWORD).await?;
        let office = match data {
            Dataset::City => login(&client, &base, &usernames[0], CITY_PASSWORD).await?,
            Dataset::District => String::new(),
        };
        println!(
            "{n} 个进程{}，{clients} 个并发客户端",
            if quota {
                "（每进程 1/4 核）"
            } else {
                "（不限 CPU）"
            }
        );
        for s in &scenarios {
            let cookie = match s.who {
                Who::Office => office.clone(),
                Who::Town => town.clone(),
                Who::Writer => writer.clone(),
                Who::Public => String::new(),
            };
            let mut out = load(
                s.name,
                &client,
                format!("{base}{}", s.path),
                s.body.clone(),
                cookie,
                seconds,
                clients,
            )
            .await;
            println!("{}", out.row());
        }
        drop(fleet);
    }
    if std::env::var_os("ANJIAN_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
