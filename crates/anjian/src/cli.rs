//! Command-line interface. Configuration comes from flags or the pinned environment
//! variables `ANJIAN_DATABASE_URL`, `ANJIAN_BIND`, `ANJIAN_DATA_DIR`,
//! `ANJIAN_SECRET_KEY_FILE`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anjian_core::password::parse_username;
use anjian_core::role::Role;
use anjian_core::time::{Clock, SystemClock};
use anjian_store::accounts::{NewUser, users};
use anjian_store::directory::{sheet, units};
use anjian_store::{Actor, Db, Scope, audit, migrate};

use clap::{Parser, Subcommand};

pub use crate::demo::DemoArgs;
pub use crate::setup::{
    Common, ServeArgs, check_keys, database_url, ensure_secret_key, key_path, keyring, open, serve,
};

/// 安监平台：区安委办的安全生产大检查工作平台。
#[derive(Parser, Debug)]
#[command(name = "anjian", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub common: Common,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Runs the web server.
    Serve(ServeArgs),
    /// Builds a fresh demo database (Tongliang directory, the 2022 campaign replayed as of
    /// a day, accounts) and serves it.
    Demo(DemoArgs),
    /// Applies database migrations.
    Migrate,
    /// Manages accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// Imports and shows work plans.
    #[command(subcommand)]
    Plan(crate::plan::PlanCmd),
    /// Imports or exports the directory as .xlsx.
    #[command(subcommand)]
    Directory(DirectoryCmd),
    /// The audit chain.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Copies the database to a file (SQLite: a consistent online copy; PostgreSQL: use pg_dump).
    Backup {
        /// Destination file; the secret key is written beside it as `<path>.key`.
        path: PathBuf,
        /// Do not copy the secret key (the sealed identities cannot be opened from this
        /// backup without the key kept elsewhere).
        #[arg(long)]
        without_keys: bool,
    },
    /// Benchmarks the server over loopback HTTP on a synthetic district or city.
    Bench(crate::bench::BenchArgs),
    /// The file store (data directory or S3-compatible bucket).
    #[command(subcommand)]
    Storage(StorageCmd),
}

#[derive(Subcommand, Debug)]
pub enum StorageCmd {
    /// Copies every file of the data directory into the store `ANJIAN_STORAGE_URL`
    /// names (`s3://bucket/prefix`), reading each back and checking its digest.
    Migrate,
    /// Checks that every file the database references is in the store (after a
    /// restore); exits 1 naming how many are missing.
    Check,
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Creates an account (any role; the machine operator bootstraps the administrators).
    Create {
        username: String,
        #[arg(long)]
        name: String,
        /// The unit's code.
        #[arg(long)]
        unit: String,
        /// Role: office_admin, unit_operator, unit_leader, enterprise_user, system_admin, security_admin, auditor.
        #[arg(long)]
        role: String,
        /// Password (read from ANJIAN_NEW_PASSWORD if absent; generated if neither).
        #[arg(long, env = "ANJIAN_NEW_PASSWORD")]
        password: Option<String>,
    },
    /// Sets a new password; the user must change it at next login.
    ResetPassword {
        username: String,
        #[arg(long, env = "ANJIAN_NEW_PASSWORD")]
        password: Option<String>,
    },
    /// Disables an account and ends its sessions.
    Disable { username: String },
}

#[derive(Subcommand, Debug)]
pub enum DirectoryCmd {
    /// Imports units from an .xlsx in the template's layout (all-or-nothing).
    Import { path: PathBuf },
    /// Exports every unit to an .xlsx in the import layout.
    Export { path: PathBuf },
    /// Defines the unit groups a district's plan names (各镇街, 各管委会,
    /// 区级负有安全生产监管职责的部门, …) that the directory lacks, each selecting its
    /// members by kind; a running campaign gives their work to the members from today.
    Groups,
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Re-computes the chain under the key file's chain key; exits 1 naming the first
    /// broken entry. With `--checkpoint`, also fails when the chain no longer extends
    /// that signed checkpoint.
    Verify {
        /// A checkpoint exported earlier (`audit checkpoint`, or the security
        /// administrator's page).
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// An export of a period (the security administrator's page), verified offline
        /// instead of the database: its signature, sequence and links (every keyed link
        /// too when the secret key file is at hand).
        #[arg(long, conflicts_with = "checkpoint")]
        file: Option<PathBuf>,
        /// The checkpoint key's public half as kept elsewhere (hex); default: the one
        /// the checkpoint names.
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Removes the entries older than the retention period the security administrator
    /// set (at least six months), after writing them, signed, to `--export` (verify it
    /// with `audit verify --file`); the chain then starts at the last removed entry's
    /// link. At most 200,000 entries per run.
    Purge {
        #[arg(long)]
        export: PathBuf,
    },
    /// Signs the chain's head and writes the checkpoint (JSON) to `--out`; prints the
    /// public key to keep elsewhere.
    Checkpoint {
        #[arg(long)]
        out: PathBuf,
    },
}

/// `audit verify --file`: an export checked offline, without the database; the keyed
/// links too when the secret key file exists (it is never created here).
fn verify_export_file(c: &Common, path: &Path, public_key: Option<&str>) -> Result<(), String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("无法读取导出文件 {}：{e}", path.display()))?;
    let keys = if crate::setup::key_path(c).exists() {
        Some(keyring(c)?.chain_keys())
    } else {
        None
    };
    let check = anjian_store::audit_export::verify_export(&bytes, keys, public_key)
        .map_err(|why| format!("导出文件校验失败：{why}"))?;
    println!(
        "导出文件完整：第 {} 至 {} 条，共 {} 条记录，由公钥 {} 签署{}",
        check.seal.first_seq,
        check.seal.last_seq,
        check.seal.count,
        check.seal.public_key,
        if check.links_checked {
            "；每条记录的密钥链接均已核对"
        } else {
            "（未找到密钥文件，未逐条核对密钥链接）"
        }
    );
    Ok(())
}

fn password_or_generated(p: Option<String>) -> (String, bool) {
    match p {
        Some(p) => (p, false),
        None => (anjian_web::password::generate(), true),
    }
}

/// Runs a command to its end on a multi-threaded tokio runtime built here.
///
/// The binary calls this and never polls a future itself: a future polled in the
/// binary crate has the body of every `async fn` it awaits compiled again there
/// (async bodies are generated where they are awaited, and release builds share no
/// generics between crates), which cost the release build 74 s for a 35-line `main`.
pub fn run_blocking(cli: Cli) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("无法启动运行时：{e}"))?;
    rt.block_on(run(cli))
}

/// Runs a command.
pub async fn run(cli: Cli) -> Result<(), String> {
    let c = &cli.common;
    let now = SystemClock.now_ms();
    if let Command::Audit(AuditCmd::Verify {
        file: Some(path),
        public_key,
        ..
    }) = &cli.command
    {
        return verify_export_file(c, path, public_key.as_deref());
    }
    // Every command may append to the audit chain (migrations, the demo, accounts): the
    // chain's key comes from the secret key file before the database is opened.
    anjian_store::audit::use_chain_keys(keyring(c)?.chain_keys());
    match &cli.command {
        Command::Serve(args) => {
            std::fs::create_dir_all(&c.data_dir).map_err(|e| e.to_string())?;
            ensure_secret_key(c)?;
            let db = open(&database_url(c, "anjian.db")).await?;
            let clock: Arc<dyn Clock> = match args.clock_start {
                Some(start) => Arc::new(anjian_core::time::OffsetClock::starting_at(start)),
                None => Arc::new(SystemClock),
            };
            serve(db, args, c, clock, |a| {
                println!("anjian 已启动：http://{a}/")
            })
            .await
        }
        Command::Demo(args) => crate::demo::run(c, args).await,
        Command::Migrate => {
            std::fs::create_dir_all(&c.data_dir).map_err(|e| e.to_string())?;
            let db = Db::connect(&database_url(c, "anjian.db"))
                .await
                .map_err(|e| e.to_string())?;
            let n = migrate::run(&db, now).await.map_err(|e| e.to_string())?;
            println!("已执行 {n} 个迁移（共 {} 个）", migrate::MIGRATIONS.len());
            Ok(())
        }
        Command::User(cmd) => {
            let db = open(&database_url(c, "anjian.db")).await?;
            user(&db, now, cmd).await
        }
        Command::Plan(cmd) => {
            let db = open(&database_url(c, "anjian.db")).await?;
            crate::plan::run(&db, cmd).await
        }
        Command::Directory(DirectoryCmd::Import { path }) => {
            let db = open(&database_url(c, "anjian.db")).await?;
            let bytes =
                std::fs::read(path).map_err(|e| format!("无法读取 {}：{e}", path.display()))?;
            let r = sheet::import(&db, now, &Actor::system("directory import"), &bytes)
                .await
                .map_err(|e| e.to_string())?;
            if r.problems.is_empty() {
                println!(
                    "导入成功：新增 {} 个，更新 {} 个，{} 个单位未变化",
                    r.created, r.updated, r.unchanged
                );
                Ok(())
            } else {
                for p in &r.problems {
                    eprintln!("{p}");
                }
                Err(format!("发现 {} 处错误，未导入任何数据", r.problems.len()))
            }
        }
        Command::Directory(DirectoryCmd::Export { path }) => {
            let db = open(&database_url(c, "anjian.db")).await?;
            let rows = sheet::export(&db, &Actor::system("directory"), &Scope::All)
                .await
                .map_err(|e| e.to_string())?;
            let bytes = anjian_core::directory::write_sheet(&rows).map_err(|e| e.to_string())?;
            std::fs::write(path, bytes).map_err(|e| e.to_string())?;
            println!("已导出 {} 个单位到 {}", rows.len(), path.display());
            Ok(())
        }
        Command::Directory(DirectoryCmd::Groups) => {
            let db = open(&database_url(c, "anjian.db")).await?;
            let defined =
                crate::groups::define_missing(&db, now, &Actor::system("directory groups")).await?;
            if defined.is_empty() {
                println!("常用单位分组均已定义，未作更改");
            } else {
                println!(
                    "已定义 {} 个单位分组：{}",
                    defined.len(),
                    defined.join("、")
                );
            }
            Ok(())
        }
        Command::Audit(AuditCmd::Verify {
            checkpoint,
            public_key,
            ..
        }) => {
            let db = open(&database_url(c, "anjian.db")).await?;
            if let Some(path) = checkpoint {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("无法读取检查点 {}：{e}", path.display()))?;
                let cp: anjian_core::checkpoint::Checkpoint = serde_json::from_str(&text)
                    .map_err(|e| format!("检查点 {} 格式不正确：{e}", path.display()))?;
                if let Some(why) = audit::extends(&db, &cp, public_key.as_deref())
                    .await
                    .map_err(|e| e.to_string())?
                {
                    return Err(format!("审计链不再延续检查点（第 {} 条）：{why}", cp.seq));
                }
                println!("审计链延续检查点：第 {} 条及之前的记录未被改写", cp.seq);
            }
            let v = audit::verify(&db).await.map_err(|e| e.to_string())?;
            match v.broken {
                None => {
                    println!("审计链完整：共校验 {} 条记录", v.checked);
                    Ok(())
                }
                Some(b) => Err(format!(
                    "审计链被破坏：第 {} 条记录：{}（此前 {} 条完好）",
                    b.seq, b.reason, v.checked
                )),
            }
        }
        Command::Audit(AuditCmd::Purge { export }) => {
            let db = open(&database_url(c, "anjian.db")).await?;
            let keys = keyring(c)?;
            let Some(p) =
                anjian_store::audit_export::prepare_purge(&db, now, &keys.checkpoint_key())
                    .await
                    .map_err(|e| e.to_string())?
            else {
                println!("没有超过保存期的审计记录，未清理");
                return Ok(());
            };
            if export.exists() {
                return Err(format!("{} 已存在，不会覆盖", export.display()));
            }
            std::fs::write(export, &p.export)
                .and_then(|()| std::fs::File::open(export)?.sync_all())
                .map_err(|e| format!("无法写入 {}：{e}", export.display()))?;
            let n = anjian_store::audit_export::purge_exported(&db, now, &Actor::system("cli"), &p)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "已清理第 {} 至 {} 条审计记录（共 {n} 条），清理前已导出到 {}",
                p.first_seq,
                p.last_seq,
                export.display()
            );
            Ok(())
        }
        Command::Audit(AuditCmd::Checkpoint { out }) => {
            let db = open(&database_url(c, "anjian.db")).await?;
            let keys = keyring(c)?;
            let cp = audit::checkpoint(&db, now, &Actor::system("cli"), &keys.checkpoint_key())
                .await
                .map_err(|e| e.to_string())?;
            let json = serde_json::to_string_pretty(&cp).map_err(|e| e.to_string())?;
            std::fs::write(out, json).map_err(|e| format!("无法写入 {}：{e}", out.display()))?;
            println!(
                "已签署审计链检查点：第 {} 条，写入 {}\n检查点公钥（请另行妥善保存）：{}",
                cp.seq,
                out.display(),
                cp.public_key
            );
            Ok(())
        }
        Command::Backup { path, without_keys } => backup(c, path, *without_keys).await,
        Command::Bench(args) => crate::bench::run(c, args).await,
        Command::Storage(cmd) => storage(c, cmd).await,
    }
}

async fn storage(c: &Common, cmd: &StorageCmd) -> Result<(), String> {
    let store = crate::setup::files(c)?;
    match cmd {
        StorageCmd::Migrate => {
            let local = anjian_store::files::FileStore::new(&c.data_dir);
            if c.storage_url.as_deref().is_none_or(|u| u.trim().is_empty()) {
                return Err(
                    "请用 ANJIAN_STORAGE_URL（或 --storage-url）指定目标存储，如 s3://anjian/files"
                        .into(),
                );
            }
            let (copied, present) = anjian_store::files::migrate(&local, &store)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "已将 {} 中的文件复制到 {}：新复制 {copied} 个，已存在 {present} 个，全部摘要核对无误",
                local.describe(),
                store.describe()
            );
            Ok(())
        }
        StorageCmd::Check => {
            let db = open(&database_url(c, "anjian.db")).await?;
            let shas = anjian_store::files::all_referenced(&db)
                .await
                .map_err(|e| e.to_string())?;
            let mut missing = 0usize;
            for sha in &shas {
                if !store.has(sha).await.map_err(|e| e.to_string())? {
                    missing += 1;
                    eprintln!("缺少文件 {sha}");
                }
            }
            if missing > 0 {
                return Err(format!(
                    "{} 中缺少数据库引用的 {missing} 个文件（共引用 {} 个）",
                    store.describe(),
                    shas.len()
                ));
            }
            println!(
                "数据库引用的 {} 个文件均在 {} 中",
                shas.len(),
                store.describe()
            );
            Ok(())
        }
    }
}

async fn user(db: &Db, now: i64, cmd: &UserCmd) -> Result<(), String> {
    let actor = Actor::system("user");
    match cmd {
        UserCmd::Create {
            username,
            name,
            unit,
            role,
            password,
        } => {
            let username = parse_username(username).map_err(|e| e.to_string())?;
            let role = Role::parse(role).map_err(|e| e.to_string())?;
            let unit = units::by_code(db, unit)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("找不到编码为 {unit} 的单位"))?;
            let (password, generated) = password_or_generated(password.clone());
            let policy = anjian_store::settings::password_policy(db)
                .await
                .map_err(|e| e.to_string())?;
            policy
                .check(&username, &password)
                .map_err(|e| e.to_string())?;
            let new = NewUser {
                username: username.clone(),
                display_name: name.clone(),
                unit_id: unit.id,
                role,
                password_hash: anjian_web::password::hash_now(&password),
                must_change_password: false,
            };
            users::create(db, now, &actor, &Scope::All, &new)
                .await
                .map_err(|e| e.to_string())?;
            println!("已创建账户 {username}（{}，{}）", role.label(), unit.name);
            if generated {
                println!("初始密码：{password}");
            }
            Ok(())
        }
        UserCmd::ResetPassword { username, password } => {
            let u = users::by_username(db, username)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("账户不存在")?;
            let (password, generated) = password_or_generated(password.clone());
            anjian_store::settings::password_policy(db)
                .await
                .map_err(|e| e.to_string())?
                .check(&u.username, &password)
                .map_err(|e| e.to_string())?;
            users::set_password(
                db,
                now,
                &actor,
                &Scope::All,
                u.id,
                users::NewPassword {
                    hash: &anjian_web::password::hash_now(&password),
                    must_change: true,
                    keep_session: None,
                },
            )
            .await
            .map_err(|e| e.to_string())?;
            println!("已重置 {} 的密码，下次登录须修改", u.username);
            if generated {
                println!("临时密码：{password}");
            }
            Ok(())
        }
        UserCmd::Disable { username } => {
            let u = users::by_username(db, username)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("账户不存在")?;
            users::set_active(db, now, &actor, &Scope::All, u.id, false)
                .await
                .map_err(|e| e.to_string())?;
            println!("已停用账户 {}", u.username);
            Ok(())
        }
    }
}

async fn backup(c: &Common, path: &Path, without_keys: bool) -> Result<(), String> {
    let url = database_url(c, "anjian.db");
    if !url.starts_with("sqlite:") {
        return Err("PostgreSQL 请使用 pg_dump 备份；本命令用于内置的 SQLite 数据库".into());
    }
    if path.exists() {
        return Err(format!("目标文件 {} 已存在", path.display()));
    }
    let key_copy = PathBuf::from(format!("{}.key", path.display()));
    if !without_keys && key_copy.exists() {
        return Err(format!("目标文件 {} 已存在", key_copy.display()));
    }
    let db = open(&url).await?;
    let dest = path.to_string_lossy().replace('\'', "''");
    // VACUUM INTO writes a consistent copy while the server keeps running.
    db.read()
        .execute(anjian_store::q(format!("VACUUM INTO '{dest}'")))
        .await
        .map_err(|e| e.to_string())?;
    let v = audit::verify(
        &Db::connect(&format!("sqlite:{}", path.display()))
            .await
            .map_err(|e| e.to_string())?,
    )
    .await
    .map_err(|e| e.to_string())?;
    if without_keys {
        println!(
            "未备份密钥：没有密钥文件 {}，此备份中加密的举报人身份无法打开",
            key_path(c).display()
        );
    } else if !key_path(c).exists() {
        let sealed = anjian_store::tips::sealing_key_ids(&db)
            .await
            .map_err(|e| e.to_string())?;
        if !sealed.is_empty() {
            return Err(format!(
                "找不到密钥文件 {}，而数据库中有加密数据：请用 --secret-key-file 指定它，或加 --without-keys",
                key_path(c).display()
            ));
        }
        println!("尚无密钥文件，也没有加密数据：无需备份密钥");
    } else {
        std::fs::copy(key_path(c), &key_copy)
            .map_err(|e| format!("无法写入密钥备份 {}：{e}", key_copy.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&key_copy, std::fs::Permissions::from_mode(0o600));
        }
        println!(
            "密钥已备份到 {}：请与数据库备份分开保管；恢复时用 --secret-key-file 指定它",
            key_copy.display()
        );
    }
    println!(
        "已备份到 {}（审计链 {} 条记录，{}）",
        path.display(),
        v.checked,
        if v.broken.is_none() {
            "校验通过"
        } else {
            "校验未通过"
        }
    );
    Ok(())
}
