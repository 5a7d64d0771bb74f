//! Three `anjian serve` processes on one PostgreSQL behind nginx, their files in an
//! S3-compatible server (issue 21 part 6): no sticky sessions, one rate limit, files
//! shared, a process killed mid-run without failed requests, reminders created once.
//! Runs when PostgreSQL, nginx and s3s-fs are all at hand; `ANJIAN_NGINX_TESTS=1`
//! (set by CI) makes a missing one a failure instead of a skip.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{PASSWORD, TEST_SECRET, TempDir, random_name};
use crate::processes::{S3Server, SECRET_KEY};

struct Killed(Vec<Child>);

impl Drop for Killed {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn skip(why: &str) -> bool {
    if std::env::var("ANJIAN_NGINX_TESTS").is_ok() {
        panic!("{why}");
    }
    eprintln!("skipped: {why}; set ANJIAN_NGINX_TESTS=1 to require it");
    true
}

async fn up(http: &reqwest::Client, url: &str) -> bool {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_processes_behind_nginx_serve_as_one() {
    let Ok(admin) = std::env::var("ANJIAN_TEST_DATABASE_URL") else {
        skip("no PostgreSQL (ANJIAN_TEST_DATABASE_URL)");
        return;
    };
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(nginx) = nginx else {
        skip("no nginx (apt-get install nginx)");
        return;
    };
    let Some(s3) = S3Server::start("anjian").await else {
        return;
    };
    // The database: the demo, as the test harness loads it.
    let name = format!("anjian_t_{}", random_name());
    let adm = anjian_store::Db::connect(&admin).await.unwrap();
    adm.read()
        .execute(anjian_store::q(format!("CREATE DATABASE {name}")))
        .await
        .unwrap();
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    crate::harness::use_test_chain_key();
    let db = anjian::cli::open(&url).await.unwrap();
    anjian::demo::load(&db, 1_660_000_000_000, Some(PASSWORD))
        .await
        .unwrap();
    // The servers run on today's clock: the demo's 2022 passwords would have expired.
    let now_ms = anjian_web::rate_limit::wall_ms();
    db.read()
        .execute(anjian_store::q("UPDATE users SET password_changed_at = $1").bind(now_ms))
        .await
        .unwrap();
    let dir = TempDir(std::env::temp_dir().join(format!("anjian-nginx-{}", random_name())));
    std::fs::create_dir_all(dir.0.join("logs")).unwrap();
    std::fs::write(dir.0.join("secret.key"), TEST_SECRET).unwrap();

    // Three processes, started together (the migrations run once under a lock).
    let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let mut children = Killed(Vec::new());
    for (i, port) in ports.iter().enumerate() {
        let log = std::fs::File::create(dir.0.join(format!("logs/anjian{i}.log"))).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_anjian"));
        cmd.arg("--data-dir")
            .arg(dir.0.join(format!("p{i}")))
            .args(["--database-url", &url])
            .arg("--secret-key-file")
            .arg(dir.0.join("secret.key"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .args([
                "--trusted-proxies",
                "127.0.0.1",
                "--public-per-minute",
                "10",
            ])
            .env("ANJIAN_STORAGE_URL", "s3://anjian/files")
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        for (k, v) in s3.vars(SECRET_KEY) {
            cmd.env(k, v);
        }
        children.0.push(cmd.spawn().unwrap());
    }
    let http = reqwest::Client::new();
    for port in &ports {
        assert!(
            up(&http, &format!("http://127.0.0.1:{port}/readyz")).await,
            "process on {port} not ready"
        );
    }
    // nginx in front, round robin, retrying an idempotent request on the next process.
    let front = free_port();
    let upstreams: String = ports
        .iter()
        .map(|p| format!("server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;"))
        .collect();
    let d = dir.0.display();
    // One nginx process (no master): killing it stops nginx, where a killed master
    // left its worker serving on the port after the run.
    let conf = format!(
        "daemon off; master_process off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/logs/nginx.log;
events {{ worker_connections 256; }}
http {{ access_log off; client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  upstream anjian {{ {upstreams} keepalive 16; }}
  server {{ listen 127.0.0.1:{front}; client_max_body_size 11m;
    location / {{ proxy_pass http://anjian; proxy_http_version 1.1; proxy_set_header Connection \"\";
      proxy_set_header Host $http_host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout http_502; }} }} }}"
    );
    std::fs::write(dir.0.join("nginx.conf"), conf).unwrap();
    let front_door = Killed(vec![
        Command::new(nginx)
            .arg("-p")
            .arg(&dir.0)
            .arg("-c")
            .arg(dir.0.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    ]);
    let base = format!("http://127.0.0.1:{front}");
    assert!(
        up(&http, &format!("{base}/healthz")).await,
        "nginx did not start"
    );

    // Logged in through nginx; the session holds on every process (no stickiness).
    let user = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = user
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "bachuan", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for port in &ports {
        let r = user
            .get(format!("http://127.0.0.1:{port}/api/v1/me"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "session not honoured on {port}");
    }

    // Evidence uploaded through the first process, downloaded through the second.
    let list: Value = user
        .get(format!("{base}/api/v1/obligations?limit=200"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let open = list
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .find(|o| o["state"] == "pending" || o["state"] == "overdue")
        .expect("an open obligation")["id"]
        .as_i64()
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("text", "经负载均衡提交")
        .part(
            "evidence",
            reqwest::multipart::Part::bytes(crate::reports::PNG.to_vec()).file_name("现场.png"),
        );
    let r = user
        .post(format!(
            "http://127.0.0.1:{}/obligations/{open}/reports",
            ports[0]
        ))
        .header("origin", format!("http://127.0.0.1:{}", ports[0]))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (sha,): (String,) = db
        .read()
        .one(anjian_store::q(
            "SELECT sha256 FROM evidence ORDER BY id DESC LIMIT 1",
        ))
        .await
        .unwrap();
    assert!(s3.object("anjian/files", &sha).exists());
    let r = user
        .get(format!(
            "http://127.0.0.1:{}/obligations/{open}/evidence/{sha}",
            ports[1]
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(&r.bytes().await.unwrap()[..], crate::reports::PNG);

    // Public tips spread over the processes meet one limit of 10 a minute.
    let mut statuses = Vec::new();
    for _ in 0..14 {
        let r = http
            .post(format!("{base}/api/v1/public/tips"))
            .json(&crate::tips::tip(false))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        10,
        "{statuses:?}"
    );
    assert!(statuses[10..].iter().all(|s| *s == 429), "{statuses:?}");

    // One process killed mid-run: every request still answered.
    let reader = user.clone();
    let load = tokio::spawn({
        let base = base.clone();
        async move {
            let mut failed = Vec::new();
            for i in 0..300 {
                match reader.get(format!("{base}/api/v1/me")).send().await {
                    Ok(r) if r.status() == 200 => {}
                    Ok(r) => failed.push(format!("{i}: {}", r.status())),
                    Err(e) => failed.push(format!("{i}: {e}")),
                }
            }
            failed
        }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let _ = children.0[2].kill();
    let failed = load.await.unwrap();
    assert!(failed.is_empty(), "failed requests: {failed:?}");

    // Each process runs the reminder job at start: every reminder exists once.
    let mut counts = (0, 0);
    for _ in 0..300 {
        counts = db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT), CAST(COUNT(DISTINCT CAST(obligation_id AS TEXT) || kind) AS BIGINT) FROM notifications",
            ))
            .await
            .unwrap();
        if counts.0 > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (total, distinct): (i64, i64) = counts;
    assert!(
        total > 0 && total == distinct,
        "{total} reminders, {distinct} distinct"
    );
    // Killed, not merely dropped: a dropped `Child` keeps running (nginx stayed up on
    // its port after every run).
    drop(front_door);
    drop(children);
    db.close().await;
    let _ = adm
        .read()
        .execute(anjian_store::q(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .await;
}
