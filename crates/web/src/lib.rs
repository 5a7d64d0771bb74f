//! The HTTP face of anjian: server-rendered pages in Simplified Chinese and the JSON
//! API under `/api/v1`, over the storage layer. Handlers parse input into domain values,
//! call one storage function (one transaction, scope applied, audit appended) and
//! render the result.

pub mod accounts;
pub mod api;
pub mod areas;
pub mod auth;
pub mod background;
pub mod client;
pub mod download;
pub mod error;
pub mod input;
pub mod jobs;
pub mod metrics;
pub mod outbound;
pub mod pages;
pub mod password;
pub mod rate_limit;
pub mod refusals;
mod router;
pub mod second_factor;
pub mod shared;
pub mod typed;
pub mod upload;

use std::sync::Arc;

use anjian_core::time::Clock;
use anjian_store::Db;

pub use router::router;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// A session ends this long after login, however active.
    pub absolute_timeout_ms: i64,
    /// Always mark the cookie `Secure` (set when TLS terminates in front of anjian;
    /// it is also set per request when `X-Forwarded-Proto: https` arrives).
    pub secure_cookies: bool,
    /// Login attempts allowed per client address per minute (0 turns the limit off).
    pub login_per_minute: u32,
    /// Public tip requests allowed per client address per minute (0 turns the limit
    /// off).
    pub public_per_minute: u32,
    /// Largest request body in bytes (uploads included).
    pub max_body_bytes: usize,
    /// Where uploaded files are kept (`evidence/` below it).
    pub data_dir: std::path::PathBuf,
    /// The keys of field encryption (reporters' identities), from the secret key file.
    pub keyring: anjian_core::sealed::Keyring,
    /// The reverse proxies whose `X-Forwarded-For` names the client
    /// (`ANJIAN_TRUSTED_PROXIES`).
    pub trusted_proxies: std::sync::Arc<client::TrustedProxies>,
    /// The `host:port` outbound messages may reach beyond the robots' own hosts
    /// (`ANJIAN_OUTBOUND_ALLOW`, comma-separated).
    pub outbound_allow: Vec<String>,
    /// The server's public URL, put before the links of outbound messages
    /// (`ANJIAN_PUBLIC_URL`).
    pub public_url: String,
    /// The addresses (or CIDRs) allowed to read `/metrics` (`ANJIAN_METRICS_ALLOW`;
    /// default loopback only).
    pub metrics_allow: std::sync::Arc<client::TrustedProxies>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            absolute_timeout_ms: 12 * 3600 * 1000,
            secure_cookies: false,
            login_per_minute: 30,
            public_per_minute: 60,
            max_body_bytes: 10 * 1024 * 1024,
            data_dir: std::path::PathBuf::from("data"),
            // A key of this process only, for tests; `serve` reads the secret key file.
            keyring: {
                let mut key = [0u8; 32];
                let _ = getrandom::fill(&mut key);
                anjian_core::sealed::Keyring::from_secret(key)
            },
            trusted_proxies: Default::default(),
            outbound_allow: std::env::var("ANJIAN_OUTBOUND_ALLOW")
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            public_url: std::env::var("ANJIAN_PUBLIC_URL").unwrap_or_default(),
            metrics_allow: std::sync::Arc::new(
                client::TrustedProxies::parse("127.0.0.1, ::1").unwrap_or_default(),
            ),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub files: anjian_store::files::FileStore,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<WebConfig>,
    /// The hosts outbound messages may reach beyond the vendors' own: the
    /// configuration's and the system administrator's, as last read
    /// (`outbound::allowed_hosts`); the outbound client's resolver reads it.
    pub outbound_hosts: Arc<std::sync::RwLock<Vec<String>>>,
    /// The districts below this process's city office (`store::city`): none for a
    /// district's own process, whose `/city` pages answer 404.
    pub districts: Arc<Vec<anjian_store::city::District>>,
}

impl AppState {
    /// A new state, its files in the data directory.
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: WebConfig) -> Self {
        let files = anjian_store::files::FileStore::new(&config.data_dir);
        AppState::with_files(db, clock, config, files)
    }

    /// A new state with its files in `files` (an S3-compatible bucket, say).
    pub fn with_files(
        db: Db,
        clock: Arc<dyn Clock>,
        config: WebConfig,
        files: anjian_store::files::FileStore,
    ) -> Self {
        AppState {
            files,
            db,
            clock,
            outbound_hosts: Arc::new(std::sync::RwLock::new(config.outbound_allow.clone())),
            config: Arc::new(config),
            districts: Arc::new(Vec::new()),
        }
    }

    /// This state with a pool of its own of at most `max` connections (`Db::apart`), for
    /// work on a thread apart from the requests; call it on that thread's runtime.
    pub fn apart(&self, max: u32) -> Self {
        AppState {
            db: self.db.apart(max),
            ..self.clone()
        }
    }

    /// This state as a city office's above `districts`.
    pub fn with_districts(mut self, districts: Vec<anjian_store::city::District>) -> Self {
        self.districts = Arc::new(districts);
        self
    }

    /// The districts, for a city office's routes: 404 in a district's process. Who
    /// may read them is the store's rule (`city::may_read`), checked by every function
    /// of `store::city` the routes call.
    pub fn districts(&self) -> Result<&[anjian_store::city::District], anjian_store::Error> {
        if self.districts.is_empty() {
            return Err(anjian_store::Error::NotFound);
        }
        Ok(&self.districts)
    }

    /// Now, from the injected clock.
    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Now and today, from one reading of the injected clock.
    pub fn moment(&self) -> anjian_core::time::Moment {
        anjian_core::time::Moment::at(self.now())
    }

    /// Today in Asia/Shanghai, from the injected clock.
    pub fn today(&self) -> chrono::NaiveDate {
        anjian_core::time::local_date(self.now()).unwrap_or_default()
    }
}
