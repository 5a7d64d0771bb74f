//! The `TestApp`: a fresh database (a temporary SQLite file or a newly created
//! PostgreSQL database), the demo directory and accounts, and the server on a loopback
//! port with a clock the test can move.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use anjian::authenticator::Authenticator;
use anjian_core::second_factor::TotpSecret;
use anjian_core::time::Clock;
use anjian_store::Db;
use anjian_web::{AppState, WebConfig};
use serde_json::{Value, json};

/// The password of every demo account in tests.
pub const PASSWORD: &str = "Tongliang#2022";

/// The secret key of every test: the audit chain of the test process is linked under
/// the key derived from it, and the commands run in-process find it in their data
/// directory.
pub const TEST_SECRET: [u8; 32] = [42; 32];

/// Gives the test process the chain key of [`TEST_SECRET`] (the first call wins).
pub fn use_test_chain_key() {
    anjian_store::audit::use_chain_keys(
        anjian_core::sealed::Keyring::from_secret(TEST_SECRET).chain_keys(),
    );
}

/// A clock the test moves.
#[derive(Clone)]
pub struct TestClock(pub Arc<AtomicI64>);

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Which engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The engines to run on.
pub fn engines() -> Vec<Engine> {
    let mut v = vec![Engine::Sqlite];
    if std::env::var("ANJIAN_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        v.push(Engine::Postgres);
    }
    v
}

/// Watches the audit chain around every write a [`Client`] sends (issue 16 part 6):
/// an accepted write (2xx, 3xx) appends exactly one entry in its transaction, a refused
/// one (4xx) records no change (a denial or a failed attempt may be recorded). A write that overlapped another request of the same app is not
/// judged, since the other may have written too.
pub struct ChainWatch {
    db: Db,
    in_flight: std::sync::atomic::AtomicU32,
    started: std::sync::atomic::AtomicU64,
}

/// Previews: requests sent as writes that only say what a save would do. They are
/// reads, and the watch holds them to that: they append nothing to the chain (matched
/// against the path and its query, ids written `{id}`).
const PREVIEWS: &[&str] = &["/preview", "preview=true"];

/// `path` with its ids (six digits or more) written `{id}`.
fn normalized(path: &str) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    for c in path.chars().chain(std::iter::once('/')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if digits.len() >= 6 {
            out.push_str("{id}");
        } else {
            out.push_str(&digits);
        }
        digits.clear();
        out.push(c);
    }
    out.pop();
    out
}

impl ChainWatch {
    /// The chain's length, and how many of its entries record a change made ("ok").
    async fn length(&self) -> (i64, i64) {
        self.db
            .read()
            .one(anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN outcome = 'ok' THEN 1 ELSE 0 END), 0) AS BIGINT) FROM audit_log",
            ))
            .await
            .unwrap()
    }

    /// Before a write: the chain's length and the request's ticket.
    async fn before(&self) -> ((i64, i64), u64, bool) {
        let alone = self.in_flight.fetch_add(1, Ordering::SeqCst) == 0;
        let ticket = self.started.fetch_add(1, Ordering::SeqCst) + 1;
        (self.length().await, ticket, alone)
    }

    /// After a write answered `status`: checks the chain grew as it should.
    async fn after(&self, (len, ticket, alone): ((i64, i64), u64, bool), path: &str, status: u16) {
        let now = self.length().await;
        let (grown, changes) = (now.0 - len.0, now.1 - len.1);
        let alone = alone && self.started.load(Ordering::SeqCst) == ticket;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        let shape = normalized(path);
        if !alone {
            return;
        }
        let expected = if PREVIEWS.iter().any(|p| shape.contains(p)) {
            0
        } else {
            1
        };
        let path = path.split('?').next().unwrap_or(path);
        // `ANJIAN_CHAIN_WATCH_LOG=FILE` lists every departure in FILE instead of failing,
        // to survey a whole run.
        if let Some(log) = std::env::var_os("ANJIAN_CHAIN_WATCH_LOG") {
            let wrong = if status < 400 {
                grown != expected
            } else {
                changes != 0
            };
            if wrong {
                use std::io::Write;
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(log)
                    .unwrap();
                let _ = writeln!(f, "{status} {path} grown={grown} changes={changes}");
            }
            return;
        }
        if status < 400 {
            assert_eq!(
                grown, expected,
                "the accepted write {path} ({status}) appends one audit entry (a preview none)"
            );
        } else {
            // A refusal changes nothing; a denial or a failed attempt may be recorded.
            assert_eq!(
                changes, 0,
                "the refused write {path} ({status}) records no change"
            );
        }
    }
}

/// Serves `state` on a loopback port; answers its base URL.
pub async fn serve(state: AppState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            anjian_web::router(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{addr}")
}

/// A running application.
pub struct TestApp {
    pub base: String,
    /// The database's URL (a second server process opens its own pool on it).
    pub url: String,
    pub db: Db,
    /// The audit chain's watch over this app's writes.
    pub watch: Arc<ChainWatch>,
    pub clock: TestClock,
    pub engine: Engine,
    /// The server's state (its dispatcher is started by the tests that need it).
    pub state: AppState,
    /// The phones of the accounts that enrolled a second factor in this app.
    pub phones: tokio::sync::Mutex<std::collections::HashMap<String, Authenticator>>,
    _dir: Option<TempDir>,
}

/// A temporary directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn random_name() -> String {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl TestApp {
    /// A migrated, demo-loaded app on `engine` with the given web settings.
    pub async fn with_config(engine: Engine, config: WebConfig) -> TestApp {
        TestApp::with_store(engine, config, None).await
    }

    /// A demo app whose files live in `files` (default: its data directory).
    pub async fn with_store(
        engine: Engine,
        mut config: WebConfig,
        files: Option<anjian_store::files::FileStore>,
    ) -> TestApp {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("error")
            .with_test_writer()
            .try_init();
        let dir = std::env::temp_dir().join(format!("anjian-test-{}", random_name()));
        std::fs::create_dir_all(&dir).unwrap();
        config.data_dir = dir.clone();
        config.keyring = anjian_core::sealed::Keyring::from_secret(TEST_SECRET);
        let (url, dir) = match engine {
            Engine::Sqlite => (
                format!("sqlite:{}", dir.join("t.db").display()),
                Some(TempDir(dir)),
            ),
            Engine::Postgres => {
                let admin = std::env::var("ANJIAN_TEST_DATABASE_URL").unwrap();
                let name = format!("anjian_t_{}", random_name());
                let db = Db::connect(&admin)
                    .await
                    .expect("PostgreSQL admin connection");
                db.read()
                    .execute(anjian_store::q(format!("CREATE DATABASE {name}")))
                    .await
                    .expect("create test database");
                db.close().await;
                let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
                (format!("{base}/{name}"), Some(TempDir(dir)))
            }
        };
        use_test_chain_key();
        let db = anjian::cli::open(&url).await.expect("open test database");
        let clock = TestClock(Arc::new(AtomicI64::new(1_660_000_000_000)));
        anjian::demo::load(&db, clock.now_ms(), Some(PASSWORD))
            .await
            .expect("demo data");
        let files = files.unwrap_or_else(|| anjian_store::files::FileStore::new(&config.data_dir));
        let state = AppState::with_files(db.clone(), Arc::new(clock.clone()), config, files);
        let base = serve(state.clone()).await;
        TestApp {
            url,
            base,
            watch: Arc::new(ChainWatch {
                db: db.clone(),
                in_flight: Default::default(),
                started: Default::default(),
            }),
            db,
            clock,
            engine,
            state,
            phones: Default::default(),
            _dir: dir,
        }
    }

    /// A second server on the same database, as another process behind the load
    /// balancer would be: its own connection pool, the same settings and file store.
    /// Answers its base URL (see [`Client::at`]).
    pub async fn sibling(&self) -> String {
        let db = anjian::cli::open(&self.url).await.expect("second pool");
        let config = (*self.state.config).clone();
        let state = AppState::with_files(
            db,
            Arc::new(self.clock.clone()),
            config,
            self.state.files.clone(),
        );
        serve(state).await
    }

    /// A demo app with default settings.
    pub async fn new(engine: Engine) -> TestApp {
        TestApp::with_config(engine, WebConfig::default()).await
    }

    /// The app's data directory (the SQLite file, uploads under `evidence/`).
    pub fn data_dir(&self) -> std::path::PathBuf {
        self._dir.as_ref().map(|d| d.0.clone()).unwrap_or_default()
    }

    /// Every file of the app's data directory (the SQLite database, its WAL, uploads),
    /// with its bytes.
    pub fn data_files(&self) -> Vec<(std::path::PathBuf, Vec<u8>)> {
        fn walk(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, Vec<u8>)>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if let Ok(b) = std::fs::read(&p) {
                    out.push((p, b));
                }
            }
        }
        let mut out = Vec::new();
        if let Some(d) = &self._dir {
            walk(&d.0, &mut out);
        }
        out
    }

    /// Moves the clock forward.
    pub fn advance(&self, ms: i64) {
        self.clock.0.fetch_add(ms, Ordering::SeqCst);
    }

    /// A client with its own cookie jar, not logged in.
    pub fn anon(&self) -> Client {
        Client {
            base: self.base.clone(),
            watch: self.watch.clone(),
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    /// A client logged in as a demo user. An account with a second factor logs in
    /// with the next code of its phone; one whose role needs a second factor (or the
    /// tip custodian, whose identity route asks for one) and has none enrols it first,
    /// as a user would: the secret, its first code, the recovery codes kept.
    pub async fn login(&self, username: &str) -> Client {
        let c = self.anon();
        let mut body = json!({"username": username, "password": PASSWORD});
        if let Some(code) = self.code(username).await {
            body["totp"] = json!(code);
        }
        let r = c.post("/api/v1/auth/login", body).await;
        assert_eq!(r.0, 200, "login {username}: {:?}", r.1);
        if r.1["second_factor_due"] == true
            || (r.1["role"] == "tip_custodian" && r.1["second_factor"] == false)
        {
            self.enrol(&c, username).await;
        }
        c
    }

    /// The next code of `username`'s phone, if the account enrolled in this app.
    pub async fn code(&self, username: &str) -> Option<String> {
        let mut phones = self.phones.lock().await;
        match phones.get_mut(username) {
            Some(p) => Some(p.next_code().await),
            None => None,
        }
    }

    /// Enrols a second factor for the logged-in `c` (as `username`) through the API.
    pub async fn enrol(&self, c: &Client, username: &str) {
        let (s, e) = c.post("/api/v1/me/second-factor", json!({})).await;
        assert_eq!(s, 200, "begin enrolment of {username}: {e}");
        let secret = TotpSecret::from_base32(e["secret"].as_str().unwrap()).unwrap();
        let mut phone = Authenticator::new(secret);
        let code = phone.next_step_code().await;
        let (s, r) = c
            .post("/api/v1/me/second-factor/confirm", json!({"totp": code}))
            .await;
        assert_eq!(s, 200, "confirm enrolment of {username}: {r}");
        let codes: Vec<String> = serde_json::from_value(r["recovery_codes"].clone()).unwrap();
        assert_eq!(codes.len(), 10);
        phone.keep_recovery(codes);
        self.phones.lock().await.insert(username.to_string(), phone);
    }

    /// The id of a unit by name (no scope).
    pub async fn unit_id(&self, name: &str) -> i64 {
        let (id,): (i64,) = self
            .db
            .read()
            .one(anjian_store::q("SELECT id FROM units WHERE name = $1").bind(name))
            .await
            .unwrap();
        id
    }
}

/// An HTTP client bound to the app.
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    watch: Arc<ChainWatch>,
}

impl Client {
    /// The same client (its cookies, its session) speaking to the server at `base`.
    pub fn at(&self, base: &str) -> Client {
        Client {
            base: base.to_string(),
            http: self.http.clone(),
            watch: self.watch.clone(),
        }
    }

    /// GET returning status and JSON (Null when the body is not JSON).
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// The ids of the rows [`Client::follow`] reads.
    pub async fn follow_ids(&self, path: &str, max_pages: usize) -> Vec<i64> {
        ids(&self.follow(path, max_pages).await)
    }

    /// The rows of a paged API list: GET `path`, then each page its `Link` header names
    /// as next, every page's array in turn. Panics on a status other than 200, and after
    /// `max_pages` pages (a next link that leads nowhere new).
    pub async fn follow(&self, path: &str, max_pages: usize) -> Vec<Value> {
        let mut rows = Vec::new();
        let mut next = Some(path.to_string());
        let mut pages = 0;
        while let Some(path) = next.take() {
            pages += 1;
            assert!(pages <= max_pages, "more than {max_pages} pages at {path}");
            let r = self
                .http
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path}");
            next = r
                .headers()
                .get("link")
                .and_then(|l| l.to_str().ok())
                .and_then(|l| Some(l[l.find('<')? + 1..l.find('>')?].to_string()));
            let page: Value = r.json().await.unwrap();
            rows.extend(page.as_array().unwrap().iter().cloned());
        }
        rows
    }

    /// The rows of a paged HTML list: GET `path`, then each page its "下一页" link
    /// names, `rows` reading each page's ids; answers them and the number of pages.
    /// Panics on a status other than 200, and after `max_pages` pages.
    pub async fn walk_pages(
        &self,
        path: &str,
        rows: impl Fn(&str) -> Vec<i64>,
        max_pages: usize,
    ) -> (Vec<i64>, usize) {
        self.walk_links(path, rows, "下一页", max_pages).await
    }

    /// [`Client::walk_pages`] by the links labelled `label` (a page's second list has
    /// its own, e.g. "更多研判").
    pub async fn walk_links(
        &self,
        path: &str,
        rows: impl Fn(&str) -> Vec<i64>,
        label: &str,
        max_pages: usize,
    ) -> (Vec<i64>, usize) {
        let mut seen = Vec::new();
        let mut pages = 0;
        let mut next = Some(path.to_string());
        while let Some(path) = next.take() {
            pages += 1;
            assert!(pages <= max_pages, "more than {max_pages} pages at {path}");
            let (s, html) = self.get_text(&path).await;
            assert_eq!(s, 200, "{path}");
            seen.extend(rows(&html));
            next = next_link(&html, label);
        }
        (seen, pages)
    }

    /// GET returning status and text.
    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// GET raw bytes, with the status and content type.
    pub async fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let kind = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (r.status().as_u16(), kind, r.bytes().await.unwrap().to_vec())
    }

    /// Sends a JSON body with `method`; answers the status and the JSON (or null).
    async fn send_json(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .json(&body);
        self.watched(path, request).await
    }

    /// Sends a write under the chain's watch; answers the status and the JSON (or null).
    async fn watched(&self, path: &str, request: reqwest::RequestBuilder) -> (u16, Value) {
        let before = self.watch.before().await;
        let r = request.send().await.unwrap();
        let s = r.status().as_u16();
        let body = r.json().await.unwrap_or(Value::Null);
        self.watch.after(before, path, s).await;
        (s, body)
    }

    /// POST JSON.
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send_json(reqwest::Method::POST, path, body).await
    }

    /// PUT JSON.
    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.send_json(reqwest::Method::PUT, path, body).await
    }

    /// PATCH JSON.
    pub async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.send_json(reqwest::Method::PATCH, path, body).await
    }

    /// DELETE with a JSON body.
    pub async fn delete(&self, path: &str, body: Value) -> (u16, Value) {
        self.send_json(reqwest::Method::DELETE, path, body).await
    }

    /// POST a multipart form (files attached), answering the status and the JSON (or
    /// null).
    pub async fn multipart(&self, path: &str, form: reqwest::multipart::Form) -> (u16, Value) {
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .multipart(form);
        self.watched(path, request).await
    }

    /// Sends a request built on `self.http` (a multipart page form, a header of its
    /// own) under the chain's watch when it writes; answers the response.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> reqwest::Response {
        let request = request.build().unwrap();
        let writes = request.method() != reqwest::Method::GET;
        let path = request.url().path().to_string();
        let before = if writes {
            Some(self.watch.before().await)
        } else {
            None
        };
        let r = self.http.execute(request).await.unwrap();
        if let Some(before) = before {
            self.watch.after(before, &path, r.status().as_u16()).await;
        }
        r
    }

    /// POST a multipart page form (files attached) under the chain's watch; answers the
    /// response (its status, its `Location`, its page).
    pub async fn post_multipart(
        &self,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> reqwest::Response {
        let url = format!("{}{path}", self.base);
        self.send(self.http.post(url).multipart(form)).await
    }

    /// POST a form (as a browser does), returning status and body text.
    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let before = self.watch.before().await;
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        let text = r.text().await.unwrap();
        self.watch.after(before, path, s).await;
        (s, text)
    }
}

/// The fields a refusal names, first the one it leads with, then `also` in order.
pub fn refused_fields(b: &Value) -> Vec<String> {
    std::iter::once(&b["error"])
        .chain(b["error"]["also"].as_array().into_iter().flatten())
        .filter_map(|e| e["field"].as_str().map(String::from))
        .collect()
}

/// Names of the units in a JSON list.
pub fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_string())
        .collect()
}

/// The ids a page links to as `{prefix}{id}"` in `html`, in order (e.g. `/units/`).
pub fn linked_ids(html: &str, prefix: &str) -> Vec<i64> {
    html.split(&format!("href=\"{prefix}"))
        .skip(1)
        .filter_map(|s| s[..s.find('"')?].parse().ok())
        .collect()
}

/// The address of the first link labelled `label` in `html` (e.g. "下一页"), unescaped.
pub fn next_link(html: &str, label: &str) -> Option<String> {
    let end = html.find(&format!("\">{label}</a>"))?;
    let from = html[..end].rfind("href=\"")? + 6;
    Some(html[from..end].replace("&#38;", "&").replace("&amp;", "&"))
}

/// The table `id` of a page: from its opening tag to its end.
pub fn table<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no table {id}"));
    &html[start..start + html[start..].find("</table>").unwrap()]
}

/// The ids the table `id` of a page links under `prefix`.
pub fn table_ids(html: &str, id: &str, prefix: &str) -> Vec<i64> {
    linked_ids(table(html, id), prefix)
}

/// The `id` of each row of an API list.
pub fn ids(rows: &[Value]) -> Vec<i64> {
    rows.iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

/// The text of `word/document.xml` in a .docx.
/// Every entry of a zip container (.xlsx, .docx) as text, concatenated.
pub fn zip_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut s = String::new();
        if zip.by_index(i).unwrap().read_to_string(&mut s).is_ok() {
            all.push_str(&s);
        }
    }
    all
}

pub fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// Two requests raced against each other: exactly one succeeded (200) and the other was
/// told the object had moved on (409, or 422 when it read the new state).
pub fn one_of_two_succeeds(x: &(u16, Value), y: &(u16, Value)) {
    let mut statuses = [x.0, y.0];
    statuses.sort_unstable();
    assert_eq!(statuses[0], 200, "{x:?} {y:?}");
    assert!(statuses[1] == 409 || statuses[1] == 422, "{x:?} {y:?}");
}

/// How many entries of the chain record `action` on object `id`.
pub async fn entries(app: &TestApp, action: &str, id: i64) -> i64 {
    let (n,): (i64,) = app
        .db
        .read()
        .one(
            anjian_store::q(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action LIKE $1 AND object_id = $2",
            )
            .bind(action)
            .bind(id.to_string()),
        )
        .await
        .unwrap();
    n
}

/// Runs `check` on `cases` random values of `strategy` from inside a multi-threaded
/// tokio test (the database is async, proptest's runner is not); a failing value is
/// shrunk and reported by proptest.
pub fn proptest_async<S, F, Fut>(cases: u32, strategy: &S, check: F)
where
    S: proptest::strategy::Strategy,
    F: Fn(S::Value) -> Fut,
    Fut: std::future::Future<Output = Result<(), proptest::test_runner::TestCaseError>>,
{
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases,
        ..proptest::test_runner::Config::default()
    });
    let handle = tokio::runtime::Handle::current();
    runner
        .run(strategy, |value| {
            tokio::task::block_in_place(|| handle.block_on(check(value)))
        })
        .unwrap();
}
