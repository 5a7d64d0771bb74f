//! `anjian bench`: a synthetic district or city in a fresh database, the real server on
//! a loopback port, and a load generator measuring p50/p95/p99 latency and throughput.
//! The client runs in the same process and shares the machine's cores with the server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anjian_core::time::{Clock, SystemClock};
use anjian_web::{AppState, WebConfig};
use clap::Args;

use crate::seed::{self, Size};
use crate::setup::{Common, open};

mod directory;
mod enforcement;
mod follow;
mod hazards;
mod memory;
mod outbox;
mod people;
mod plan_edit;
mod processes;
mod province;
mod rankings;
mod responsibility;
mod workforce;

/// Options of the benchmark.
#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// `district`, `city`, `plan`, `plan-edit`, `follow`, `obligations`, `ledger`, `hazards`,
    /// `ranking`, `tips`, `memory`, `responsibility`, `workforce`, `outbox`,
    /// `enforcement`, `people`, `processes` (PostgreSQL and nginx: one and three
    /// server processes, with and without a quarter-core quota each), `city-processes`
    /// (the same over the synthetic city with its six scenarios) or `province` (a city
    /// office above `ANJIAN_BENCH_DISTRICTS` district databases).
    #[arg(long, default_value = "district")]
    pub scale: String,
    /// Seconds per read scenario.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Logins to time.
    #[arg(long, default_value_t = 100)]
    pub logins: usize,
}

struct Outcome {
    name: String,
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

impl Outcome {
    fn row(&mut self) -> String {
        self.latencies.sort();
        let pct = |p: f64| {
            if self.latencies.is_empty() {
                return 0.0;
            }
            let i = ((self.latencies.len() as f64 * p).ceil() as usize)
                .clamp(1, self.latencies.len())
                - 1;
            self.latencies[i].as_secs_f64() * 1000.0
        };
        format!(
            "| {:<44} | {:>8} | {:>6} | {:>8.0} | {:>7.2} | {:>7.2} | {:>7.2} |",
            self.name,
            self.latencies.len(),
            self.errors,
            self.latencies.len() as f64 / self.elapsed.as_secs_f64(),
            pct(0.50),
            pct(0.95),
            pct(0.99)
        )
    }
}

async fn load(
    name: &str,
    client: &reqwest::Client,
    url: String,
    body: Option<serde_json::Value>,
    cookie: String,
    seconds: u64,
    concurrency: usize,
) -> Outcome {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, cookie, body) =
            (client.clone(), url.clone(), cookie.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                let request = match &body {
                    Some(b) if cookie.is_empty() => client.post(&url).json(b),
                    Some(b) => client.post(&url).header("cookie", &cookie).json(b),
                    None => client.get(&url).header("cookie", &cookie),
                };
                match request.send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut out = Outcome {
        name: name.to_string(),
        latencies: Vec::new(),
        errors: 0,
        elapsed: Duration::ZERO,
    };
    for t in tasks {
        if let Ok((l, e)) = t.await {
            out.latencies.extend(l);
            out.errors += e;
        }
    }
    out.elapsed = start.elapsed();
    out
}

/// The phones of the accounts the benchmarks enrolled, by server and user name.
static PHONES: std::sync::LazyLock<
    tokio::sync::Mutex<std::collections::HashMap<String, crate::authenticator::Authenticator>>,
> = std::sync::LazyLock::new(Default::default);

/// Logs in and answers the session cookie. An account with a second factor logs in
/// with its phone's next code; one whose role needs a second factor enrols it first
/// through the API, as a user would.
async fn login(
    client: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> Result<String, String> {
    let key = format!("{base} {username}");
    let mut body = serde_json::json!({"username": username, "password": password});
    if let Some(phone) = PHONES.lock().await.get_mut(&key) {
        body["totp"] = serde_json::json!(phone.next_code().await);
    }
    let r = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !r.status().is_success() {
        return Err(format!("login {username}: {}", r.status()));
    }
    let c = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .ok_or("no cookie")?;
    let cookie = c.split(';').next().unwrap_or_default().to_string();
    let me: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
    if me["second_factor_due"] == true {
        enrol(client, base, &cookie, &key).await?;
    }
    Ok(cookie)
}

/// Enrols a second factor for the session `cookie` and keeps the phone under `key`.
async fn enrol(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    key: &str,
) -> Result<(), String> {
    let post = |path: &str, body: serde_json::Value| {
        client
            .post(format!("{base}{path}"))
            .header("cookie", cookie)
            .json(&body)
            .send()
    };
    let e: serde_json::Value = post("/api/v1/me/second-factor", serde_json::json!({}))
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let secret = e["secret"]
        .as_str()
        .and_then(anjian_core::second_factor::TotpSecret::from_base32)
        .ok_or_else(|| format!("enrolment: {e}"))?;
    let mut phone = crate::authenticator::Authenticator::new(secret);
    let code = phone.next_step_code().await;
    let r: serde_json::Value = post(
        "/api/v1/me/second-factor/confirm",
        serde_json::json!({"totp": code}),
    )
    .await
    .map_err(|e| e.to_string())?
    .json()
    .await
    .map_err(|e| e.to_string())?;
    let codes: Vec<String> =
        serde_json::from_value(r["recovery_codes"].clone()).map_err(|e| format!("{e}: {r}"))?;
    phone.keep_recovery(codes);
    PHONES.lock().await.insert(key.to_string(), phone);
    Ok(())
}

/// A fresh benchmark database: `ANJIAN_DATABASE_URL` if given, else a SQLite file in a
/// new directory under the data directory (removed by [`finish`]).
async fn fresh_db(
    c: &Common,
    name: &str,
) -> Result<(anjian_store::Db, String, std::path::PathBuf), String> {
    let dir = c
        .data_dir
        .join(format!("bench-{name}-{}", SystemClock.now_ms()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    // Absolute: nginx (the processes' run) reads the paths of its configuration
    // against its prefix, so the default relative `data` named a directory inside it.
    let dir = std::path::absolute(&dir).map_err(|e| e.to_string())?;
    let url = c
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite:{}", dir.join("bench.db").display()));
    let db = open(&url).await?;
    Ok((db, url, dir))
}

/// The median of some timings.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// The password of the city's synthetic accounts.
const CITY_PASSWORD: &str = "Bench#2022pass";
/// The city's clock: 2022-08-15 08:00 Shanghai.
const CITY_NOW: i64 = 1_660_521_600_000;

/// A fresh database named `name` holding the synthetic city (1,000 townships, 200,000
/// enterprises, accounts with [`CITY_PASSWORD`]) as of [`CITY_NOW`]: the database, its
/// URL, its directory, the engine's name and the accounts.
async fn city(
    c: &Common,
    name: &str,
) -> Result<
    (
        anjian_store::Db,
        String,
        std::path::PathBuf,
        &'static str,
        crate::seed::Seeded,
    ),
    String,
> {
    let (db, url, dir) = fresh_db(c, name).await?;
    let engine = if url.starts_with("sqlite:") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let seeded = crate::seed::load(
        &db,
        CITY_NOW,
        Size::CITY,
        &anjian_web::password::hash_now(CITY_PASSWORD),
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok((db, url, dir, engine, seeded))
}

/// The hazards of a database an earlier run seeded, when it is to be measured as it is:
/// `ANJIAN_BENCH_REUSE` is set and the database holds hazards (keep it with
/// `ANJIAN_BENCH_KEEP`); None when it is to be seeded.
async fn reusing(db: &anjian_store::Db) -> Result<Option<i64>, String> {
    if std::env::var_os("ANJIAN_BENCH_REUSE").is_none() {
        return Ok(None);
    }
    let n = count(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM hazards").await?;
    Ok((n > 0).then_some(n))
}

/// One number from the database (a `CAST(COUNT(*) AS BIGINT)`).
async fn count(db: &anjian_store::Db, sql: &'static str) -> Result<i64, String> {
    let (n,): (i64,) = db
        .read()
        .one(anjian_store::q(sql))
        .await
        .map_err(|e| e.to_string())?;
    Ok(n)
}

/// Every obligation in the database.
const ALL_OBLIGATIONS: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM obligations";

/// Launches the built-in Tongliang plan as a new campaign to 22 October 2022, as of
/// [`CITY_NOW`]; returns the campaign, what its expansion gave and the time it took in
/// milliseconds.
async fn launch_tongliang(
    db: &anjian_store::Db,
    actor: &anjian_store::Actor,
) -> Result<(i64, anjian_store::obligations::ExpandReport, f64), String> {
    let (plan, _) = anjian_core::plan::published::parse(crate::plan::TONGLIANG_2022);
    let plan = plan.ok_or("内置方案无法读取")?;
    let end = chrono::NaiveDate::from_ymd_opt(2022, 10, 22);
    let t = Instant::now();
    let (campaign, report) =
        crate::plan::store(db, CITY_NOW, actor, &plan, 2022, end, Vec::new()).await?;
    Ok((campaign, report, t.elapsed().as_secs_f64() * 1000.0))
}

/// Removes the benchmark's SQLite directory (kept when `ANJIAN_BENCH_KEEP` is set).
fn finish(url: &str, dir: &std::path::Path) {
    if std::env::var_os("ANJIAN_BENCH_KEEP").is_some() {
        println!("保留基准数据库：{url}");
    } else if url.starts_with("sqlite:") {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Serves the real router on a loopback port; returns its base URL.
async fn start_server(state: AppState) -> Result<String, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let app = anjian_web::router(state).into_make_service_with_connect_info::<SocketAddr>();
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{addr}"))
}

/// Runs each scenario (name, path, session cookie) for `seconds` with `concurrency`
/// clients and prints its row.
async fn rows(
    client: &reqwest::Client,
    base: &str,
    scenarios: &[(&str, String, &String)],
    seconds: u64,
    concurrency: usize,
) {
    for (name, path, cookie) in scenarios {
        let mut r = load(
            name,
            client,
            format!("{base}{path}"),
            None,
            (*cookie).clone(),
            seconds,
            concurrency,
        )
        .await;
        println!("{}", r.row());
    }
}

/// Prints the table's head, then each scenario's row at each of `concurrencies`.
async fn table(
    client: &reqwest::Client,
    base: &str,
    scenarios: &[(&str, String, &String)],
    seconds: u64,
    concurrencies: &[usize],
) {
    println!(
        "\n| {:<48} | {:>8} | {:>6} | {:>8} | {:>7} | {:>7} | {:>7} |",
        "endpoint", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms"
    );
    for concurrency in concurrencies {
        println!("并发 {concurrency}");
        rows(client, base, scenarios, seconds, *concurrency).await;
    }
}

/// Serves `db` with the clock standing at `now` and no login rate limit; returns the
/// base URL.
async fn serve_at(db: anjian_store::Db, now: i64) -> Result<String, String> {
    start_server(state_at(db, now)).await
}

/// The benchmarks' server state: `db` on a clock fixed at `now`, no login or public limit.
fn state_at(db: anjian_store::Db, now: i64) -> AppState {
    AppState::new(
        db,
        Arc::new(FixedClock(now)),
        WebConfig {
            login_per_minute: 0,
            public_per_minute: 0,
            ..WebConfig::default()
        },
    )
}

/// GET `url` with `cookie`, as JSON.
async fn get_json(
    client: &reqwest::Client,
    url: &str,
    cookie: &str,
) -> Result<serde_json::Value, String> {
    client
        .get(url)
        .header("cookie", cookie)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())
}

/// Runs the benchmark and prints its tables.
pub async fn run(c: &Common, args: &BenchArgs) -> Result<(), String> {
    let size = match args.scale.as_str() {
        "district" => Size::DISTRICT,
        "city" => Size::CITY,
        "plan" => return plan(c).await,
        "plan-edit" => return plan_edit::run(c).await,
        "follow" => return follow::run(c).await,
        "directory" => return directory::run(c).await,
        "obligations" => return obligations(c, args).await,
        "ledger" => return ledger(c).await,
        "hazards" => return hazards::run(c, args).await,
        "ranking" => return rankings::run(c, args).await,
        "tips" => return tips(c, args).await,
        "memory" => {
            // 60 s of load unless `--seconds` says otherwise.
            let seconds = if args.seconds == 5 { 60 } else { args.seconds };
            return memory::run(c, seconds).await;
        }
        "responsibility" => return responsibility::run(c, args).await,
        "workforce" => return workforce::run(c, args).await,
        "outbox" => return outbox::run(c).await,
        "enforcement" => return enforcement::run(c, args).await,
        "people" => return people::run(c, args).await,
        "processes" => {
            return processes::run(
                c,
                args.seconds,
                args.concurrency,
                processes::Dataset::District,
            )
            .await;
        }
        "city-processes" => {
            return processes::run(c, args.seconds, args.concurrency, processes::Dataset::City)
                .await;
        }
        "province" => return province::run(c, args).await,
        other => {
            return Err(format!(
                "未知规模 {other}，应为 district、city、plan、plan-edit、follow、directory、obligations、ledger、hazards、ranking、tips、memory、responsibility、workforce、outbox、enforcement、people、processes、city-processes 或 province"
            ));
        }
    };
    let (db, url, dir) = fresh_db(c, &args.scale).await?;
    let password = "Bench#2022pass";
    let hash = anjian_web::password::hash_now(password);
    let t = Instant::now();
    let seeded = seed::load(&db, SystemClock.now_ms(), size, &hash)
        .await
        .map_err(|e| e.to_string())?;
    let engine = if url.starts_with("sqlite:") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    println!(
        "规模 {}：{} 个镇街，{} 个部门，{} 家企业，{} 个账户；生成用时 {:.1} s（{engine}）",
        args.scale,
        size.townships,
        size.departments,
        size.enterprises,
        seeded.usernames.len(),
        t.elapsed().as_secs_f64()
    );
    let config = WebConfig {
        login_per_minute: 0,
        ..WebConfig::default()
    };
    let state = AppState::new(db, Arc::new(SystemClock), config);
    let base = start_server(state).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .map_err(|e| e.to_string())?;

    // Logins: Argon2id dominates; two clients at a time.
    let start = Instant::now();
    let mut lat = Vec::new();
    let mut errors = 0;
    let names: Vec<String> = seeded.usernames.iter().take(args.logins).cloned().collect();
    for chunk in names.chunks(2) {
        let futs = chunk.iter().map(|u| {
            let (client, base, u) = (client.clone(), base.clone(), u.clone());
            async move {
                let t = Instant::now();
                (
                    login(&client, &base, &u, password).await.is_ok(),
                    t.elapsed(),
                )
            }
        });
        for (ok, d) in futures_join(futs).await {
            if ok { lat.push(d) } else { errors += 1 }
        }
    }
    let mut logins = Outcome {
        name: "POST /api/v1/auth/login".into(),
        latencies: lat,
        errors,
        elapsed: start.elapsed(),
    };

    let office = login(&client, &base, &seeded.usernames[0], password).await?;
    let town = login(&client, &base, &seeded.usernames[1], password).await?;
    let dept = login(
        &client,
        &base,
        &seeded.usernames[1 + size.townships],
        password,
    )
    .await?;
    let scenarios: [(&str, String, &String); 7] = [
        ("GET /api/v1/me", "/api/v1/me".into(), &town),
        (
            "GET /api/v1/units (office)",
            "/api/v1/units".into(),
            &office,
        ),
        (
            "GET /api/v1/units?after= (office, page 20)",
            format!("/api/v1/units?after={}", seeded.page_key),
            &office,
        ),
        (
            "GET /api/v1/units (township)",
            "/api/v1/units".into(),
            &town,
        ),
        (
            "GET /api/v1/units (department)",
            "/api/v1/units".into(),
            &dept,
        ),
        (
            "GET /api/v1/units?q=机械 (office)",
            "/api/v1/units?q=%E6%9C%BA%E6%A2%B0".into(),
            &office,
        ),
        (
            "GET /api/v1/users (office)",
            "/api/v1/users".into(),
            &office,
        ),
    ];
    let header = |title: String| {
        println!("\n{title}\n");
        println!(
            "| {:<44} | {:>8} | {:>6} | {:>8} | {:>7} | {:>7} | {:>7} |",
            "endpoint", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms"
        );
        let dash = |n: usize| "-".repeat(n);
        println!(
            "|{}|{}|{}|{}|{}|{}|{}|",
            dash(46),
            dash(10),
            dash(8),
            dash(10),
            dash(9),
            dash(9),
            dash(9)
        );
    };
    header("登录（2 个并发客户端）".to_string());
    println!("{}", logins.row());
    let cores = std::thread::available_parallelism()
        .map(|p| p.get())
        .unwrap_or(1);
    for concurrency in [1, args.concurrency] {
        header(format!(
            "并发 {concurrency}，每项 {} s，回环 HTTP（客户端与服务端共用本机 {cores} 核）",
            args.seconds
        ));
        rows(&client, &base, &scenarios, args.seconds, concurrency).await;
    }
    finish(&url, &dir);
    Ok(())
}

/// The district served on loopback, as the public-tip scenarios start: the database's
/// URL and directory, the server's address, a client, the office's session cookie and a
/// sector's name for the tips.
struct TipStage {
    url: String,
    dir: std::path::PathBuf,
    base: String,
    client: reqwest::Client,
    office: String,
    sector: String,
}

async fn tip_stage(c: &Common, name: &str) -> Result<TipStage, String> {
    let (db, url, dir) = fresh_db(c, name).await?;
    let password = "Bench#2022pass";
    let now = 1_660_521_600_000; // 2022-08-15 08:00 Shanghai
    let seeded = seed::load(
        &db,
        now,
        Size::DISTRICT,
        &anjian_web::password::hash_now(password),
    )
    .await
    .map_err(|e| e.to_string())?;
    let (sector,): (String,) = db
        .read()
        .one(anjian_store::q(
            "SELECT name FROM sectors ORDER BY id LIMIT 1",
        ))
        .await
        .map_err(|e| e.to_string())?;
    let base = serve_at(db, now).await?;
    let client = reqwest::Client::new();
    let office = login(&client, &base, &seeded.usernames[0], password).await?;
    Ok(TipStage {
        url,
        dir,
        base,
        client,
        office,
        sector,
    })
}

/// `--scale tips`: the district; the public tip form takes submissions from eight
/// clients for `--seconds` while eight others read the office's ledger and to-do pages
/// at the same time. Target: 200 submissions a second without an error, the reads
/// keeping their latency.
async fn tips(c: &Common, args: &BenchArgs) -> Result<(), String> {
    let TipStage {
        url,
        dir,
        base,
        client,
        office,
        sector,
    } = tip_stage(c, "tips").await?;
    let tip = serde_json::json!({
        "category": "violation", "sector": sector, "place": "某商场三楼东侧",
        "description": "安全出口被货物堵死，夜间上锁",
        "reporter": {"name": "王某某", "phone": "13800000001"}
    });
    let n = args.concurrency;
    let submit = load(
        "公众 提交举报 POST /api/v1/public/tips",
        &client,
        format!("{base}/api/v1/public/tips"),
        Some(tip),
        String::new(),
        args.seconds,
        n,
    );
    let ledger = load(
        "同时 区安委办 隐患台账 API ?status=overdue",
        &client,
        format!("{base}/api/v1/hazards?status=overdue"),
        None,
        office.clone(),
        args.seconds,
        n,
    );
    let todo = load(
        "同时 区安委办 待办 API",
        &client,
        format!("{base}/api/v1/obligations?limit=100"),
        None,
        office.clone(),
        args.seconds,
        n,
    );
    let (mut a, mut b, mut t) = tokio::join!(submit, ledger, todo);
    println!(
        "\n| {:<44} | {:>8} | {:>6} | {:>8} | {:>7} | {:>7} | {:>7} |",
        "endpoint", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms"
    );
    println!("{}\n{}\n{}", a.row(), b.row(), t.row());
    // Alone, for comparison.
    let mut alone = load(
        "单独 区安委办 隐患台账 API ?status=overdue",
        &client,
        format!("{base}/api/v1/hazards?status=overdue"),
        None,
        office,
        args.seconds,
        n,
    )
    .await;
    println!("{}", alone.row());
    finish(&url, &dir);
    Ok(())
}

/// `--scale plan`: parse, store and expand the Tongliang plan for the demo directory,
/// five times on one database; prints each run and the median.
async fn plan(c: &Common) -> Result<(), String> {
    let (db, url, dir) = fresh_db(c, "plan").await?;
    crate::demo::load(&db, SystemClock.now_ms(), Some("Bench#2022pass")).await?;
    let mut times = Vec::new();
    for run in 1..=5 {
        let t = Instant::now();
        let report = crate::demo::load_plan(&db, SystemClock.now_ms()).await?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "第{run}次：解析、入库并分解铜梁方案 {ms:.0} ms（{} 个任务，{} 项应办事项）",
            report.assignments, report.obligations
        );
        times.push(ms);
    }
    times.sort_by(f64::total_cmp);
    println!("中位数 {:.0} ms（目标 < 1000 ms）", times[2]);
    // The plan editor: one work item of the first campaign edited five times (its
    // schedule alternating), each re-expanding the item for every township.
    let campaign = anjian_store::plans::campaigns(&db)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .min_by_key(|c| c.id)
        .ok_or("no campaign")?;
    let edits = plan_edit::edit_item_20(&db, campaign.id).await?;
    println!(
        "修改一项工作要点，中位数 {:.0} ms（目标 < 1000 ms）",
        median(edits)
    );
    // A plan imported into a database that already holds 500,000 obligations (issue 15):
    // the first campaign grown by synthetic obligations, then the plan launched again.
    let units = count(
        &db,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM units WHERE kind IN ('township', 'department', 'enterprise')",
    )
    .await?;
    let held = count(&db, ALL_OBLIGATIONS).await?;
    let per_unit = (500_000 - held).max(0) as usize / units.max(1) as usize;
    seed::obligations(
        &db,
        SystemClock.now_ms(),
        campaign.id,
        campaign.plan_id,
        per_unit,
    )
    .await
    .map_err(|e| e.to_string())?;
    let held = count(&db, ALL_OBLIGATIONS).await?;
    let mut times = Vec::new();
    for run in 1..=3 {
        let t = Instant::now();
        let report = crate::demo::load_plan(&db, SystemClock.now_ms()).await?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "第{run}次：在已有 {} 项应办事项的库中导入铜梁方案并分解 {ms:.0} ms（{} 项应办事项）",
            held + (run - 1) * report.obligations as i64,
            report.obligations
        );
        times.push(ms);
    }
    println!(
        "在已有约50万项应办事项的库中导入方案，中位数 {:.0} ms（目标 < 2000 ms）",
        median(times)
    );
    finish(&url, &dir);
    Ok(())
}

/// A clock standing still at one instant: the benchmark's "today" inside the campaign.
struct FixedClock(i64);

impl Clock for FixedClock {
    fn now_ms(&self) -> i64 {
        self.0
    }
}

/// `--scale obligations`: the district with about 500,000 obligations in the Tongliang
/// campaign, on 15 August 2022; measures a unit's to-do list and the office's overdue
/// list over HTTP.
async fn obligations(c: &Common, args: &BenchArgs) -> Result<(), String> {
    let (db, url, dir) = fresh_db(c, "obligations").await?;
    let password = "Bench#2022pass";
    let now = 1_660_521_600_000; // 2022-08-15 08:00 Shanghai
    let seeded = seed::load(
        &db,
        now,
        Size::DISTRICT,
        &anjian_web::password::hash_now(password),
    )
    .await
    .map_err(|e| e.to_string())?;
    let (plan, _) = anjian_core::plan::published::parse(crate::plan::TONGLIANG_2022);
    let plan = plan.ok_or("内置方案无法读取")?;
    let actor = anjian_store::Actor::system("bench");
    let plan_id = anjian_store::plans::import(&db, now, &actor, &plan)
        .await
        .map_err(|e| e.to_string())?;
    let start = chrono::NaiveDate::from_ymd_opt(2022, 5, 16).ok_or("date")?;
    let new = anjian_store::plans::NewCampaign {
        plan_id,
        title: &plan.title,
        year: 2022,
        starts_on: start,
        ends_on: chrono::NaiveDate::from_ymd_opt(2022, 10, 22),
    };
    let campaign = anjian_store::plans::start_campaign(&db, now, &actor, &new)
        .await
        .map_err(|e| e.to_string())?;
    let t = Instant::now();
    let n = seed::obligations(&db, now, campaign.id, plan_id, 100)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{n} 项应办事项（{} 个单位），生成用时 {:.1} s",
        n / 100,
        t.elapsed().as_secs_f64()
    );
    let base = serve_at(db, now).await?;
    let client = reqwest::Client::new();
    let office = login(&client, &base, &seeded.usernames[0], password).await?;
    let town = login(&client, &base, &seeded.usernames[1], password).await?;
    let me = get_json(&client, &format!("{base}/api/v1/me"), &town).await?;
    let unit = me["unit"]["id"].as_i64().unwrap_or_default();
    let scenarios: [(&str, String, &String); 8] = [
        (
            "to-do: obligations?unit=own&state=overdue",
            format!("/api/v1/obligations?unit={unit}&state=overdue"),
            &town,
        ),
        (
            "to-do: obligations?unit=own&state=pending&due_before",
            format!("/api/v1/obligations?unit={unit}&state=pending&due_before=2022-08-30"),
            &town,
        ),
        ("GET /todo (township page)", "/todo".into(), &town),
        (
            "overdue: obligations?state=overdue (office)",
            "/api/v1/obligations?state=overdue".into(),
            &office,
        ),
        (
            "GET /todo (office: review queue, district overdue)",
            "/todo".into(),
            &office,
        ),
        (
            "GET /campaigns/{id}/units (office)",
            format!("/campaigns/{}/units", campaign.id),
            &office,
        ),
        (
            "GET /campaigns/{id} (office: the tree)",
            format!("/campaigns/{}", campaign.id),
            &office,
        ),
        (
            "review queue: obligations?to_review=true",
            "/api/v1/obligations?to_review=true".into(),
            &town,
        ),
    ];
    table(
        &client,
        &base,
        &scenarios,
        args.seconds,
        &[1, args.concurrency],
    )
    .await;
    finish(&url, &dir);
    Ok(())
}

async fn futures_join<F: std::future::Future<Output = T> + Send + 'static, T: Send + 'static>(
    futs: impl Iterator<Item = F>,
) -> Vec<T> {
    let handles: Vec<_> = futs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        if let Ok(v) = h.await {
            out.push(v);
        }
    }
    out
}

/// `--scale ledger`: a township imports a 100,000-row hazard ledger from .xlsx (read,
/// checked, stored in one transaction), then the office exports it over HTTP.
async fn ledger(c: &Common) -> Result<(), String> {
    let (db, url, dir) = fresh_db(c, "ledger").await?;
    let password = "Bench#2022pass";
    let now = 1_660_521_600_000; // 2022-08-15 08:00 Shanghai
    crate::demo::load(&db, now, Some(password)).await?;
    let today = chrono::NaiveDate::from_ymd_opt(2022, 8, 15).ok_or("date")?;
    let sectors: Vec<String> = anjian_store::hazards::sectors(&db)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    let rows: Vec<Vec<String>> = (0..100_000)
        .map(|i| {
            let day = 1 + i % 28;
            vec![
                if i % 50 == 0 {
                    "重大隐患"
                } else {
                    "一般隐患"
                }
                .to_string(),
                sectors[i % sectors.len()].clone(),
                "自查".into(),
                format!("巴川街道第{}网格{}号", i / 100 + 1, i % 100 + 1),
                "消防通道堆放杂物，灭火器过期".into(),
                format!("2022-07-{day:02}"),
                "清理杂物，更换灭火器".into(),
                ["张建华", "李明", "王志强"][i % 3].into(),
                if i % 50 == 0 {
                    "20000".into()
                } else {
                    String::new()
                },
                format!("2022-08-{day:02}"),
                if i % 50 == 0 {
                    "停用并设警戒区".into()
                } else {
                    String::new()
                },
                "消除隐患".into(),
                "清理并整改".into(),
                "2万元".into(),
                "网格员".into(),
                "一个月".into(),
                "专人看护".into(),
            ]
        })
        .collect();
    let bytes = anjian_core::sheet::table("隐患台账", &anjian_core::ledger::COLUMNS, &rows)
        .map_err(|e| e.to_string())?;
    let t = Instant::now();
    let (inputs, problems) = anjian_core::ledger::read(&bytes, &sectors, today);
    let read_ms = t.elapsed().as_millis();
    if !problems.is_empty() {
        return Err(format!("{:?}", &problems[..problems.len().min(3)]));
    }
    let (town,): (i64,) = db
        .read()
        .one(anjian_store::q(
            "SELECT id FROM units WHERE name = '巴川街道'",
        ))
        .await
        .map_err(|e| e.to_string())?;
    let actor = anjian_store::Actor {
        user_id: None,
        username: "bench".into(),
        role: "unit_operator".into(),
        unit_id: Some(town),
    };
    let inputs: Vec<_> = inputs.into_iter().map(|(_, i)| i).collect();
    let scope = anjian_store::scope::Scope::All;
    anjian_store::hazards::import(&db, now, &actor, &scope, &inputs, None)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "导入 {} 行隐患台账（{:.1} MB .xlsx）：读取并校验 {read_ms} ms，合计 {:.1} s（目标 < 30 s）",
        inputs.len(),
        bytes.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let base = serve_at(db, now).await?;
    let client = reqwest::Client::new();
    let office = login(&client, &base, "office", password).await?;
    // The township's monthly report over its 100,000 July hazards, and the office's
    // matrix, one client each (the figures are one grouped query).
    let township = login(&client, &base, "bachuan", password).await?;
    for (name, path, cookie) in [
        (
            "巴川街道 7月月报（10万条隐患）",
            "/monthly-reports/2022-07",
            &township,
        ),
        ("区安委办 月报矩阵", "/monthly-reports", &office),
        ("区安委办 隐患统计（按单位）", "/hazards/stats", &office),
    ] {
        let mut o = load(
            name,
            &client,
            format!("{base}{path}"),
            None,
            cookie.clone(),
            3,
            1,
        )
        .await;
        println!("{}", o.row());
    }
    for run in 1..=3 {
        let rss = RssPeak::start();
        let t = Instant::now();
        let body = client
            .get(format!("{base}/hazards.xlsx"))
            .header("cookie", &office)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .bytes()
            .await
            .map_err(|e| e.to_string())?;
        let elapsed = t.elapsed().as_secs_f64();
        let (before, peak) = rss.stop().await;
        println!(
            "第{run}次导出 /hazards.xlsx：{:.1} MB，{elapsed:.1} s（目标 < 10 s）；进程内存 {:.0} MB → 峰值 {:.0} MB（含客户端收下的 {:.1} MB）",
            body.len() as f64 / 1e6,
            before as f64 / 1024.0,
            peak as f64 / 1024.0,
            body.len() as f64 / 1e6,
        );
    }
    finish(&url, &dir);
    Ok(())
}

/// The process's resident memory (KiB), from /proc (0 where there is none).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Samples the resident memory every 5 ms while a request runs: the export's own
/// memory, apart from what the benchmark allocated before it.
struct RssPeak {
    before: u64,
    peak: Arc<std::sync::atomic::AtomicU64>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl RssPeak {
    fn start() -> RssPeak {
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        let before = rss_kib();
        let peak = Arc::new(AtomicU64::new(before));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (peak.clone(), stop.clone());
        let task = tokio::spawn(async move {
            while !s.load(Ordering::Relaxed) {
                p.fetch_max(rss_kib(), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
        RssPeak {
            before,
            peak,
            stop,
            task,
        }
    }

    /// (before, peak) in KiB.
    async fn stop(self) -> (u64, u64) {
        use std::sync::atomic::Ordering;
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.task.await;
        (
            self.before,
            self.peak.load(Ordering::Relaxed).max(rss_kib()),
        )
    }
}
