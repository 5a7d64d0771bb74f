//! What every command shares, and only that: the common options, the database opened
//! and migrated, the secret keys, and serving. The command line (`cli`), the demo and
//! the benchmarks use it; it uses none of them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anjian_core::time::{Clock, SystemClock};
use anjian_store::{Db, migrate};
use anjian_web::{AppState, WebConfig};
use clap::Args;

/// Options every command shares.
#[derive(Args, Debug, Clone)]
pub struct Common {
    /// Database URL: `sqlite:PATH` or `postgres://…` (default: a SQLite file in the data directory).
    #[arg(long, env = "ANJIAN_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Data directory (SQLite file, uploads, secret key).
    #[arg(long, env = "ANJIAN_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// File holding the 32-byte secret key for field encryption (created if missing).
    #[arg(long, env = "ANJIAN_SECRET_KEY_FILE", global = true)]
    pub secret_key_file: Option<PathBuf>,
    /// Where uploaded files live: empty for the data directory, or `s3://bucket/prefix`
    /// for an S3-compatible store (endpoint, region and keys from `AWS_ENDPOINT_URL`,
    /// `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`).
    #[arg(long, env = "ANJIAN_STORAGE_URL", global = true)]
    pub storage_url: Option<String>,
}

/// The file store the options name; a URL that cannot be used stops the command with
/// the reason.
pub fn files(c: &Common) -> Result<anjian_store::files::FileStore, String> {
    anjian_store::files::FileStore::from_url(c.storage_url.as_deref(), &c.data_dir)
}

/// Options of `serve` (and of `demo`, which serves too).
#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ANJIAN_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Mark the session cookie Secure (when TLS terminates in front of anjian).
    #[arg(long)]
    pub secure_cookies: bool,
    /// The reverse proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For
    /// names the client for the rate limits and the audit chain.
    #[arg(long, env = "ANJIAN_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,
    /// Login attempts per client address per minute (0: no limit).
    #[arg(long, default_value_t = 30)]
    pub login_per_minute: u32,
    /// Public tip requests per client address per minute (0: no limit).
    #[arg(long, default_value_t = 60)]
    pub public_per_minute: u32,
    /// The addresses or CIDRs (comma-separated) allowed to read `/metrics`.
    #[arg(long, env = "ANJIAN_METRICS_ALLOW", default_value = "127.0.0.1, ::1")]
    pub metrics_allow: String,
    /// A district below this process's city office, `NAME=DATABASE_URL` (repeat it, or
    /// separate them with `;` in `ANJIAN_DISTRICTS`): the city's pages (`/city`) roll up
    /// and rank the districts read from their own databases. None: a district's process.
    #[arg(long = "district", env = "ANJIAN_DISTRICTS", value_delimiter = ';')]
    pub districts: Vec<String>,
    /// The instant (epoch milliseconds) this process's clock reads at start, running at
    /// the real pace from there: for benchmarks and rehearsals over data of another day
    /// (the synthetic city as of 15 August 2022). None: the system clock.
    #[arg(long, hide = true, env = "ANJIAN_CLOCK_START")]
    pub clock_start: Option<i64>,
}

/// The database URL from flags, environment or the data directory.
pub fn database_url(c: &Common, file: &str) -> String {
    c.database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite:{}", c.data_dir.join(file).display()))
}

/// Opens the database (creating a SQLite file's directory), applies migrations and
/// refreshes the planner's statistics.
pub async fn open(url: &str) -> Result<Db, String> {
    // A SQLite file's directory is created when missing (`anjian plan import` on a
    // fresh machine answered "unable to open database file").
    if let Some(path) = url.strip_prefix("sqlite:") {
        let file = std::path::Path::new(path.split('?').next().unwrap_or(path));
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("无法创建数据目录 {}：{e}", dir.display()))?;
        }
    }
    let db = Db::connect(url).await.map_err(|e| e.to_string())?;
    let now = SystemClock.now_ms();
    migrate::run(&db, now).await.map_err(|e| e.to_string())?;
    anjian_store::calendar::seed_national_days(&db, now)
        .await
        .map_err(|e| e.to_string())?;
    anjian_store::special_periods::backfill_campaign_periods(&db, now)
        .await
        .map_err(|e| e.to_string())?;
    db.analyze().await.map_err(|e| e.to_string())?;
    // The ids this process writes carry a node no other live process has.
    anjian_store::ids::lease_node(&db, SystemClock.now_ms())
        .await
        .map_err(|e| e.to_string())?;
    Ok(db)
}

/// The secret key file's path.
pub fn key_path(c: &Common) -> PathBuf {
    c.secret_key_file
        .clone()
        .unwrap_or_else(|| c.data_dir.join("secret.key"))
}

/// Refuses a key file that does not hold the key that sealed the stored data (a backup
/// restored without its key, a key file replaced): the server would otherwise start and
/// fail when someone opens a reporter's identity.
pub async fn check_keys(
    db: &Db,
    keys: &anjian_core::sealed::Keyring,
    path: &Path,
) -> Result<(), String> {
    let ids = anjian_store::tips::sealing_key_ids(db)
        .await
        .map_err(|e| e.to_string())?;
    match ids.iter().find(|id| !keys.knows(id)) {
        Some(id) => Err(format!(
            "密钥文件 {} 不是加密数据库中举报人身份所用的密钥（密钥编号 {id}，当前文件为 {}）：请用 --secret-key-file 指定备份时的密钥文件",
            path.display(),
            keys.current_id()
        )),
        None => Ok(()),
    }
}

/// Ensures the secret key exists (32 random bytes, owner-readable only) and is valid.
pub fn ensure_secret_key(c: &Common) -> Result<PathBuf, String> {
    let path = key_path(c);
    if !path.exists() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("无法创建目录 {}：{e}", dir.display()))?;
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| e.to_string())?;
        std::fs::write(&path, key)
            .map_err(|e| format!("无法写入密钥文件 {}：{e}", path.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        }
    }
    let len = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
    if len != 32 {
        return Err(format!(
            "密钥文件 {} 应为32字节，实际为{len}字节",
            path.display()
        ));
    }
    Ok(path)
}

/// The field-encryption keyring from the secret key file (created if missing), sealing
/// with the cipher `ANJIAN_FIELD_CIPHER` names (default XChaCha20-Poly1305; `sm4-gcm`
/// for national cryptography).
pub fn keyring(c: &Common) -> Result<anjian_core::sealed::Keyring, String> {
    let path = ensure_secret_key(c)?;
    let bytes =
        std::fs::read(&path).map_err(|e| format!("无法读取密钥文件 {}：{e}", path.display()))?;
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| format!("密钥文件 {} 应为32字节", path.display()))?;
    let cipher = std::env::var("ANJIAN_FIELD_CIPHER").unwrap_or_default();
    let cipher = anjian_core::sealed::Cipher::parse(&cipher).ok_or_else(|| {
        format!("ANJIAN_FIELD_CIPHER 应为 xchacha20poly1305 或 sm4-gcm，而不是 {cipher}")
    })?;
    Ok(anjian_core::sealed::Keyring::from_secret(key).with_cipher(cipher))
}

/// Serves `db` until Ctrl-C.
pub async fn serve(
    db: Db,
    args: &ServeArgs,
    c: &Common,
    clock: Arc<dyn Clock>,
    banner: impl FnOnce(&SocketAddr),
) -> Result<(), String> {
    let keys = keyring(c)?;
    check_keys(&db, &keys, &key_path(c)).await?;
    let files = files(c)?;
    tracing::info!(storage = %files.describe(), "file store");
    let config = WebConfig {
        data_dir: c.data_dir.clone(),
        keyring: keys,
        secure_cookies: args.secure_cookies,
        login_per_minute: args.login_per_minute,
        public_per_minute: args.public_per_minute,
        trusted_proxies: std::sync::Arc::new(anjian_web::client::TrustedProxies::parse(
            &args.trusted_proxies,
        )?),
        metrics_allow: std::sync::Arc::new(
            anjian_web::client::TrustedProxies::parse(&args.metrics_allow)
                .map_err(|e| e.replace("ANJIAN_TRUSTED_PROXIES", "ANJIAN_METRICS_ALLOW"))?,
        ),
        ..WebConfig::default()
    };
    let state = AppState::with_files(db, clock, config, files)
        .with_districts(districts(&args.districts).await?);
    anjian_web::jobs::spawn_reminders(state.clone());
    anjian_web::outbound::spawn_dispatcher(state.clone());
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .map_err(|e| format!("无法监听 {}：{e}", args.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    banner(&addr);
    tracing::info!(%addr, "anjian listening");
    axum::serve(
        listener,
        anjian_web::router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .map_err(|e| e.to_string())
}

/// The districts `specs` name (`NAME=URL` each), their databases opened and read once
/// (a district database that cannot be read stops the city's process with the reason;
/// the districts' own processes migrate them).
pub async fn districts(specs: &[String]) -> Result<Vec<anjian_store::city::District>, String> {
    let mut out = Vec::new();
    for spec in specs.iter().filter(|s| !s.trim().is_empty()) {
        let (name, url) = anjian_store::city::parse_spec(spec)?;
        let db = anjian_store::city::connect(&url)
            .await
            .map_err(|e| format!("区县 {name} 的数据库无法连接：{e}"))?;
        db.read()
            .one::<(i64,)>(anjian_store::q("SELECT COUNT(*) FROM units"))
            .await
            .map_err(|e| {
                format!("区县 {name} 的数据库无法读取（应为已迁移的安监平台数据库）：{e}")
            })?;
        out.push(anjian_store::city::District {
            no: out.len() + 1,
            name,
            db,
        });
    }
    if !out.is_empty() {
        tracing::info!(districts = out.len(), "city office above its districts");
    }
    Ok(out)
}

/// Resolves on Ctrl-C or SIGTERM (what `systemctl stop`, `docker stop` and a load
/// balancer's drain send): the server stops accepting and finishes the requests in
/// flight.
async fn shutdown() {
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
