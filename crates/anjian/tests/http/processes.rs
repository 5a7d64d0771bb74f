//! Several server processes on one database (issue 21): what one process counts, the
//! others honour; files put through one are read through another.

use serde_json::json;

use crate::harness::{TestApp, engines};

/// The login and public limits are counted in the database: requests spread over two
/// processes meet one limit, where per-process counting would let twice as many pass.
#[tokio::test]
async fn rate_limits_hold_across_processes() {
    for e in engines() {
        let config = anjian_web::WebConfig {
            login_per_minute: 3,
            public_per_minute: 4,
            ..Default::default()
        };
        let app = TestApp::with_config(e, config).await;
        let other = app.sibling().await;
        let first = app.anon();
        let second = first.at(&other);
        let mut statuses = Vec::new();
        for i in 0..6 {
            let c = if i % 2 == 0 { &first } else { &second };
            let (s, _) = c
                .post(
                    "/api/v1/auth/login",
                    json!({"username": format!("nobody{i}"), "password": "x"}),
                )
                .await;
            statuses.push(s);
        }
        assert_eq!(statuses, [401, 401, 401, 429, 429, 429], "{e:?}");
        // The public tips: four in all across both processes, then refused by either.
        let mut statuses = Vec::new();
        for i in 0..6 {
            let c = if i % 2 == 0 { &second } else { &first };
            statuses.push(
                c.post("/api/v1/public/tips", crate::tips::tip(false))
                    .await
                    .0,
            );
        }
        assert_eq!(statuses, [201, 201, 201, 201, 429, 429], "{e:?}");
        // The login limit and the public limit are counted apart.
        assert_eq!(first.get("/healthz").await.0, 200);
    }
}

/// A local S3-compatible server (s3s-fs, `cargo install s3s-fs --features binary`)
/// over a temporary directory, with one bucket; killed on drop. `None` (the test
/// skips, saying so) when the binary is not installed and `ANJIAN_S3_TESTS` is not
/// set; CI sets it, so there a missing server fails.
pub struct S3Server {
    child: std::process::Child,
    pub root: crate::harness::TempDir,
    pub endpoint: String,
}

pub const ACCESS_KEY: &str = "anjian-test";
pub const SECRET_KEY: &str = "anjian-test-secret";

impl S3Server {
    pub async fn start(bucket: &str) -> Option<S3Server> {
        let bin = std::env::var("ANJIAN_S3S_FS").unwrap_or_else(|_| "s3s-fs".to_string());
        let root = crate::harness::TempDir(std::env::temp_dir().join(format!(
            "anjian-s3-{}-{}",
            std::process::id(),
            crate::harness::random_name()
        )));
        std::fs::create_dir_all(root.0.join(bucket)).unwrap();
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let child = match std::process::Command::new(&bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(&root.0)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
        {
            Ok(c) => c,
            Err(e) if std::env::var("ANJIAN_S3_TESTS").is_err() => {
                eprintln!(
                    "skipped: no S3-compatible server ({bin}: {e}); set ANJIAN_S3_TESTS=1 to require it"
                );
                return None;
            }
            Err(e) => panic!("{bin} did not start: {e}"),
        };
        let server = S3Server {
            child,
            root,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Some(server);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("{bin} did not listen on {port}");
    }

    /// The `AWS_*` settings of this server with `secret`.
    pub fn vars(&self, secret: &str) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_REGION", "us-east-1".to_string()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_string()),
            ("AWS_SECRET_ACCESS_KEY", secret.to_string()),
        ]
    }

    /// A file store on `url` of this server, signing with `secret`.
    pub fn store(&self, url: &str, secret: &str) -> anjian_store::files::FileStore {
        let vars = self.vars(secret);
        anjian_store::files::FileStore::from_url_with(
            Some(url),
            std::path::Path::new("unused"),
            &|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()),
        )
        .unwrap()
    }

    /// The object of digest `sha` under `bucket/prefix` on the server's disk.
    pub fn object(&self, bucket_and_prefix: &str, sha: &str) -> std::path::PathBuf {
        self.root
            .0
            .join(bucket_and_prefix)
            .join(&sha[..2])
            .join(sha)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The pending obligations of the client's unit, by id.
pub async fn pending(c: &crate::harness::Client) -> Vec<i64> {
    let (_, list) = c.get("/api/v1/obligations?limit=200").await;
    list.as_array()
        .unwrap()
        .iter()
        .filter(|o| o["state"] == "pending")
        .map(|o| o["id"].as_i64().unwrap())
        .collect()
}

pub fn evidence(bytes: &[u8], name: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("text", "已按要求完成排查")
        .part(
            "evidence",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        )
}

/// Evidence uploaded through one process lands in the bucket (not the data
/// directory) and downloads, streamed, through another; when the store goes away,
/// `/readyz` says so and an upload answers 503 with nothing written.
#[tokio::test]
async fn files_go_to_the_bucket_and_a_missing_store_writes_nothing() {
    for e in engines() {
        let Some(s3) = S3Server::start("anjian").await else {
            return;
        };
        let files = s3.store("s3://anjian/evidence", SECRET_KEY);
        let app = TestApp::with_store(e, anjian_web::WebConfig::default(), Some(files)).await;
        let other = app.sibling().await;
        let bachuan = app.login("bachuan").await;
        let open = pending(&bachuan).await;
        assert!(open.len() >= 2, "{e:?}: {open:?}");
        let r = bachuan
            .post_multipart(
                &format!("/obligations/{}/reports", open[0]),
                evidence(crate::reports::PNG, "现场.png"),
            )
            .await;
        assert_eq!(r.status(), 303, "{e:?}");
        let (sha,): (String,) = app
            .db
            .read()
            .one(anjian_store::q(
                "SELECT sha256 FROM evidence ORDER BY id DESC LIMIT 1",
            ))
            .await
            .unwrap();
        assert!(
            s3.object("anjian/evidence", &sha).exists(),
            "{e:?}: not in the bucket"
        );
        assert!(
            !app.data_dir()
                .join("evidence")
                .join(&sha[..2])
                .join(&sha)
                .exists(),
            "{e:?}: written to the data directory too"
        );
        let r = bachuan
            .at(&other)
            .send(
                bachuan
                    .http
                    .get(format!("{other}/obligations/{}/evidence/{sha}", open[0])),
            )
            .await;
        assert_eq!(r.status(), 200, "{e:?}");
        assert_eq!(r.headers()["content-type"], "image/png");
        assert_eq!(&r.bytes().await.unwrap()[..], crate::reports::PNG);
        assert_eq!(bachuan.get("/readyz").await.0, 200);

        // The store goes away.
        drop(s3);
        let (s, v) = bachuan.at(&other).get("/readyz").await;
        assert_eq!(
            (s, v["storage"].as_str()),
            (503, Some("unreachable")),
            "{e:?}"
        );
        let count = |db: anjian_store::Db| async move {
            let (n,): (i64,) = db
                .read()
                .one(anjian_store::q(
                    "SELECT (SELECT COUNT(*) FROM evidence) + (SELECT COUNT(*) FROM progress_reports)",
                ))
                .await
                .unwrap();
            n
        };
        let before = count(app.db.clone()).await;
        let mut other_png = crate::reports::PNG.to_vec();
        other_png.extend_from_slice(b"another photo");
        let r = bachuan
            .post_multipart(
                &format!("/obligations/{}/reports", open[1]),
                evidence(&other_png, "另一张.png"),
            )
            .await;
        assert_eq!(r.status(), 503, "{e:?}");
        let page = r.text().await.unwrap();
        assert!(page.contains("文件存储暂时无法访问"), "{page}");
        assert_eq!(count(app.db.clone()).await, before, "{e:?}: half-written");
    }
}

/// Wrong keys or a missing bucket make the store not ready; a URL that cannot be used
/// is refused with the reason, and the server does not start with it.
#[tokio::test]
async fn a_store_that_refuses_is_not_ready_and_a_bad_url_stops_the_start() {
    let Some(s3) = S3Server::start("anjian").await else {
        return;
    };
    assert!(s3.store("s3://anjian/x", SECRET_KEY).ready().await);
    assert!(!s3.store("s3://anjian/x", "wrong-secret").ready().await);
    assert!(!s3.store("s3://no-such-bucket/x", SECRET_KEY).ready().await);
    let e =
        anjian_store::files::FileStore::from_url(Some("ftp://files"), std::path::Path::new("d"))
            .unwrap_err();
    assert!(
        e.contains("ANJIAN_STORAGE_URL") && e.contains("s3://"),
        "{e}"
    );
    let dir = crate::harness::TempDir(
        std::env::temp_dir().join(format!("anjian-badurl-{}", crate::harness::random_name())),
    );
    std::fs::create_dir_all(&dir.0).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_anjian"))
        .arg("--data-dir")
        .arg(&dir.0)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("ANJIAN_STORAGE_URL", "s3://")
        .env_remove("ANJIAN_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ANJIAN_STORAGE_URL") && err.contains("缺少桶名"),
        "{err}"
    );
}

/// `/metrics` speaks Prometheus' text format to the allowed addresses (loopback by
/// default): requests by route template, latency buckets, the pool and the outbox;
/// anyone else gets 404.
#[tokio::test]
async fn metrics_are_served_to_allowed_addresses_only() {
    let app = TestApp::new(crate::harness::Engine::Sqlite).await;
    let office = app.login("office").await;
    assert_eq!(office.get("/api/v1/me").await.0, 200);
    let (s, text) = app.anon().get_text("/metrics").await;
    assert_eq!(s, 200);
    for want in [
        "anjian_http_requests_total{route=\"/api/v1/me\",method=\"GET\",status=\"2xx\"}",
        "anjian_http_request_duration_seconds_bucket{route=\"/api/v1/me\",method=\"GET\",le=\"0.005\"}",
        "anjian_db_pool_connections{state=\"open\"}",
        "anjian_outbox_pending",
    ] {
        assert!(text.contains(want), "{want} missing from:\n{text}");
    }
    // No identifier reaches a label: routes are templates.
    assert!(!text.contains("route=\"/hazards/1"), "{text}");
    let config = anjian_web::WebConfig {
        metrics_allow: std::sync::Arc::new(
            anjian_web::client::TrustedProxies::parse("10.9.8.7").unwrap(),
        ),
        ..Default::default()
    };
    let closed = TestApp::with_config(crate::harness::Engine::Sqlite, config).await;
    assert_eq!(closed.anon().get_text("/metrics").await.0, 404);
}
