//! `anjian bench --scale processes` (PostgreSQL): one and three `anjian serve`
//! processes behind nginx over one database, each process held to a quarter of a core
//! by its own cgroup (v1, `/sys/fs/cgroup/cpu`; without a writable one the quota'd runs
//! are skipped, saying so), then without quotas. Scenarios: a township's ledger page
//! (database-bound), the session check `/api/v1/me` (bound by the server's own CPU),
//! and the writes: a township's hazard records and public tips counted against the
//! shared per-minute limit (set high enough not to refuse them: the count is the work).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{fresh_db, load, login};
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

/// Starts `n` server processes (each in its own quota'd cgroup when `quota`) and nginx
/// in front; answers the fleet and nginx's base URL.
async fn start(
    n: usize,
    quota: bool,
    url: &str,
    dir: &std::path::Path,
    nginx: &str,
) -> Result<(Fleet, String), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut fleet = Fleet {
        children: Vec::new(),
        cgroups: Vec::new(),
    };
    let mut ports = Vec::new();
    for i in 0..n {
        let port = free_port()?;
        let child = Command::new(&exe)
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
    let front = free_port()?;
    let upstreams: String = ports
        .iter()
        .map(|p| format!("server 127.0.0.1:{p};"))
        .collect();
    let d = dir.display();
    let conf = format!(
        "daemon off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/nginx.log;
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

/// Runs the benchmark and prints its tables.
pub async fn run(c: &Common, seconds: u64, concurrency: usize) -> Result<(), String> {
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
    let password = "Bench#2022pass";
    let now = anjian_core::time::Clock::now_ms(&anjian_core::time::SystemClock);
    let t = Instant::now();
    let seeded = seed::load(
        &db,
        now,
        seed::Size::DISTRICT,
        &anjian_web::password::hash_now(password),
    )
    .await
    .map_err(|e| e.to_string())?;
    let hazards = seed::city_hazards(&db, now, 100_000)
        .await
        .map_err(|e| e.to_string())?;
    db.analyze().await.map_err(|e| e.to_string())?;
    db.close().await;
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("secret.key"), key).map_err(|e| e.to_string())?;
    println!(
        "区县规模，{hazards} 条隐患；生成用时 {:.1} s（PostgreSQL）；每轮每个场景 {seconds} s，{concurrency} 个并发客户端，经 nginx",
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
    let runs: Vec<(usize, bool)> = [(1, true), (3, true), (1, false), (3, false)]
        .into_iter()
        .filter(|(_, q)| !*q || quotas.is_some())
        .collect();
    for (n, quota) in runs {
        let (fleet, base) = start(n, quota, &url, &dir, nginx).await?;
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| e.to_string())?;
        let town = login(&client, &base, &seeded.usernames[1], password).await?;
        println!(
            "{n} 个进程{}",
            if quota {
                "（每进程 1/4 核）"
            } else {
                "（不限 CPU）"
            }
        );
        let mut ledger = load(
            "镇街 隐患台账页 /hazards",
            &client,
            format!("{base}/hazards"),
            None,
            town.clone(),
            seconds,
            concurrency,
        )
        .await;
        println!("{}", ledger.row());
        let mut me = load(
            "镇街 会话 /api/v1/me（进程自身的 CPU）",
            &client,
            format!("{base}/api/v1/me"),
            None,
            town.clone(),
            seconds,
            concurrency,
        )
        .await;
        println!("{}", me.row());
        let today = anjian_core::time::local_date(now).ok_or("date")?;
        let hazard = serde_json::json!({
            "level": "general",
            // A sector the synthetic district keeps under its own name (城镇燃气 and
            // 危险化学品 are kept there under the aliases the form reads as 燃气, 危化品).
            "sector": "商贸",
            "place": "某餐馆后厨（基准）",
            "description": "液化石油气钢瓶与灶具间距不足",
            "discovered_on": today.format("%Y-%m-%d").to_string(),
            "measures": "钢瓶移至独立气瓶间",
            "responsible_person": "张三",
            "deadline": (today + chrono::Days::new(20)).format("%Y-%m-%d").to_string(),
        });
        let mut record = load(
            "镇街 记录隐患 POST /api/v1/hazards",
            &client,
            format!("{base}/api/v1/hazards"),
            Some(hazard),
            town.clone(),
            seconds,
            concurrency,
        )
        .await;
        println!("{}", record.row());
        let tip = serde_json::json!({
            "category": "violation",
            "sector": "商贸",
            "place": "某化工有限公司二号仓库（基准）",
            "reported_unit": "某化工有限公司",
            "description": "仓库安全出口被货物堵死，夜间锁闭"
        });
        let mut tips = load(
            "公众 举报 POST /api/v1/public/tips（共享限流计数）",
            &client,
            format!("{base}/api/v1/public/tips"),
            Some(tip),
            String::new(),
            seconds,
            concurrency,
        )
        .await;
        println!("{}", tips.row());
        drop(fleet);
    }
    if std::env::var_os("ANJIAN_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
