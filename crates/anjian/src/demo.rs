//! The demo: the Tongliang directory as the plan (铜安办〔2022〕31号) names it, the
//! district's 28 townships, a handful of enterprises, the named groups and one account
//! per role.

use anjian_core::role::Role;
use anjian_core::unit::{UnitDraft, UnitKind};
use anjian_store::accounts::{NewUser, users};
use anjian_store::directory::{Unit, units};
use anjian_store::{Actor, Db, Scope};
use chrono::NaiveDate;

use clap::Args;

use crate::setup::{Common, ServeArgs, database_url, ensure_secret_key, open, serve};

pub mod city;
mod directory;

pub use directory::*;

/// Options of `demo`.
#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
    /// The day the demo's clock starts on (the campaign ran 2022-05-16 to 2022-10-22).
    #[arg(long, default_value = "2022-08-15")]
    pub as_of: chrono::NaiveDate,
    /// A city office above two districts: the Tongliang demo and a second district
    /// lagging behind, each in its own database, served on the next two ports.
    #[arg(long)]
    pub city: bool,
}

/// Parses the shipped Tongliang plan, stores it, starts its 2022 campaign (which ran
/// "until the end of the 20th Party Congress", 22 October 2022) and gives its work to
/// the directory's units.
pub async fn load_plan(
    db: &Db,
    now: i64,
) -> Result<anjian_store::obligations::ExpandReport, String> {
    let (plan, report) = anjian_core::plan::published::parse(crate::plan::TONGLIANG_2022);
    let plan = plan.ok_or_else(|| format!("内置方案无法读取：{:?}", report.problems))?;
    let end = NaiveDate::from_ymd_opt(2022, 10, 22);
    // The special period the body names: daily reports while the 20th Party Congress sat.
    let congress = (
        "党的二十大召开期间".to_string(),
        NaiveDate::from_ymd_opt(2022, 10, 16).ok_or("date")?,
        NaiveDate::from_ymd_opt(2022, 10, 22).ok_or("date")?,
    );
    let actor = Actor::system("demo");
    let (_, expanded) =
        crate::plan::store(db, now, &actor, &plan, plan.year, end, vec![congress]).await?;
    Ok(expanded)
}

/// Builds the demo directory, groups, the Tongliang campaign and the accounts in an
/// empty database. Returns the accounts with their passwords.
pub async fn load(
    db: &Db,
    now: i64,
    password: Option<&str>,
) -> Result<Vec<(String, String, &'static str)>, String> {
    let actor = Actor::system("demo");
    let s = |e: anjian_store::Error| e.to_string();
    let mut code_n = 0;
    let mut next_code = |prefix: &str| {
        code_n += 1;
        format!("tl-{prefix}-{code_n:03}")
    };
    let mk = |code: String, name: &str, kind: UnitKind, sup: bool, aliases: &str, sectors: &str| {
        UnitDraft::parse(&code, name, "", kind.as_str(), sup, aliases, sectors)
            .map_err(|e| e.to_string())
    };
    let root = units::create(
        db,
        now,
        &actor,
        &Scope::All,
        &mk(
            "tl-awh".into(),
            "区安委会",
            UnitKind::CommitteeOffice,
            false,
            "区安全生产委员会",
            "",
        )?,
        None,
    )
    .await
    .map_err(s)?;
    let add = |d: UnitDraft, parent: i64| async move {
        units::create(db, now, &actor_clone(), &Scope::All, &d, Some(parent))
            .await
            .map_err(|e| e.to_string())
    };
    add(
        mk(
            "tl-awb".into(),
            "区安委办",
            UnitKind::CommitteeOffice,
            false,
            "区安全生产委员会办公室",
            "",
        )?,
        root.id,
    )
    .await?;
    let jzw = add(
        mk(
            "tl-jzw".into(),
            "区减灾委",
            UnitKind::CommitteeOffice,
            false,
            "区减灾委员会",
            "",
        )?,
        root.id,
    )
    .await?;
    add(
        mk(
            "tl-jzb".into(),
            "区减灾办",
            UnitKind::CommitteeOffice,
            false,
            "区减灾委员会办公室、减灾办",
            "",
        )?,
        jzw.id,
    )
    .await?;
    let mut by_name: Vec<Unit> = Vec::new();
    for line in TOWNSHIPS.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let name = line.split(',').next().unwrap_or_default().trim();
        let u = add(
            mk(next_code("town"), name, UnitKind::Township, false, "", "")?,
            root.id,
        )
        .await?;
        by_name.push(u);
    }
    let gxq = add(
        mk(
            "tl-gxq".into(),
            "高新区管委会",
            UnitKind::ZoneCommittee,
            false,
            "高新区、铜梁高新区管委会",
            "",
        )?,
        root.id,
    )
    .await?;
    by_name.push(gxq);
    for (name, aliases, sup, sectors) in DEPARTMENTS {
        let u = add(
            mk(
                next_code("dept"),
                name,
                UnitKind::Department,
                *sup,
                aliases,
                sectors,
            )?,
            root.id,
        )
        .await?;
        by_name.push(u);
    }
    for (parent, name, aliases, sup, sectors) in SUB_UNITS {
        let p = by_name
            .iter()
            .find(|u| u.name == *parent)
            .ok_or("demo parent")?
            .id;
        let u = add(
            mk(
                next_code("dept"),
                name,
                UnitKind::Department,
                *sup,
                aliases,
                sectors,
            )?,
            p,
        )
        .await?;
        by_name.push(u);
    }
    for name in SOES {
        let u = add(
            mk(next_code("soe"), name, UnitKind::Soe, false, "", "国有企业")?,
            root.id,
        )
        .await?;
        by_name.push(u);
    }
    for (town, name, sector) in ENTERPRISES {
        let p = by_name
            .iter()
            .find(|u| u.name == *town)
            .ok_or("demo township")?
            .id;
        let u = add(
            mk(
                next_code("ent"),
                name,
                UnitKind::Enterprise,
                false,
                "",
                sector,
            )?,
            p,
        )
        .await?;
        by_name.push(u);
    }
    // The procuratorate and the discipline commission are named where the plan means
    // them ("必要时邀请区纪委监委机关、区检察院"); no group of departments includes them.
    for u in by_name
        .iter()
        .filter(|u| u.name == "区检察院" || u.name == "区纪委监委机关")
    {
        units::set_in_groups(db, now, &actor, u.id, false)
            .await
            .map_err(s)?;
    }
    // Item (45) "开展明查暗访、追责问责" is led by the discipline commission and the two
    // 督查室: they visit localities and departments.
    for u in by_name
        .iter()
        .filter(|u| ["区纪委监委机关", "区委办督查室", "区政府办督查室"].contains(&u.name.as_str()))
    {
        units::set_oversees(db, now, &actor, u.id, true)
            .await
            .map_err(s)?;
    }
    crate::groups::define_missing(db, now, &actor).await?;

    load_plan(db, now).await?;
    let mut out = Vec::new();
    let shared_hash = password.map(anjian_web::password::hash_now);
    let office = units::list(
        db,
        &Scope::All,
        &anjian_store::directory::UnitFilter {
            search: Some("区安委办".into()),
            limit: 5,
            ..Default::default()
        },
    )
    .await
    .map_err(s)?;
    for (username, display, unit, role) in ACCOUNTS {
        let unit_id = if *unit == "区安委办" {
            office
                .iter()
                .find(|u| u.name == "区安委办")
                .ok_or("office")?
                .id
        } else {
            by_name
                .iter()
                .find(|u| u.name == *unit)
                .ok_or("demo unit")?
                .id
        };
        let (pw, hash) = match (&shared_hash, password) {
            (Some(h), Some(p)) => (p.to_string(), h.clone()),
            _ => {
                let p = anjian_web::password::generate();
                let h = anjian_web::password::hash_now(&p);
                (p, h)
            }
        };
        let new = NewUser {
            username: username.to_string(),
            display_name: display.to_string(),
            unit_id,
            role: *role,
            password_hash: hash,
            must_change_password: false,
        };
        users::create(db, now, &actor, &Scope::All, &new)
            .await
            .map_err(s)?;
        out.push((username.to_string(), pw, role.label()));
    }
    Ok(out)
}

/// Gives the demo accounts that need a second factor (the office, the three
/// separated administrators, and the tip custodian, whose identity route asks for it)
/// the secret `shared`, or each a new one; answers each account's `otpauth://` URI.
pub async fn enrol_second_factors(
    db: &Db,
    now: i64,
    keyring: &anjian_core::sealed::Keyring,
    shared: Option<&anjian_core::second_factor::TotpSecret>,
) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (username, _, _, role) in ACCOUNTS {
        if !role.requires_second_factor() && *role != Role::TipCustodian {
            continue;
        }
        let user = users::by_username(db, username)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("demo account")?;
        let uri = enrol(db, now, keyring, user.id, username, shared).await?;
        out.push((username.to_string(), uri));
    }
    Ok(out)
}

/// Installs the secret `shared` (or a new one) as the second factor of the account
/// `user_id` named `username`; answers its `otpauth://` URI.
pub(crate) async fn enrol(
    db: &Db,
    now: i64,
    keyring: &anjian_core::sealed::Keyring,
    user_id: i64,
    username: &str,
    shared: Option<&anjian_core::second_factor::TotpSecret>,
) -> Result<String, String> {
    let secret = shared
        .cloned()
        .unwrap_or_else(anjian_web::second_factor::new_secret);
    let sealed = anjian_web::second_factor::seal_with(keyring, user_id, &secret);
    anjian_store::accounts::second_factor::install(
        db,
        now,
        &Actor::system("demo"),
        user_id,
        &sealed,
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(secret.otpauth_uri(anjian_web::second_factor::ISSUER, username))
}

/// The second factor's secret all demo accounts share, when the environment gives one
/// with a shared password: the second factor runs on the real clock, so a script that
/// knows the secret makes its codes; anyone else scans the URIs printed beside the
/// passwords.
pub(crate) fn shared_secret(
    password: Option<&str>,
) -> Result<Option<anjian_core::second_factor::TotpSecret>, String> {
    match std::env::var("ANJIAN_DEMO_TOTP_SECRET")
        .ok()
        .filter(|s| !s.trim().is_empty())
    {
        Some(s) if password.is_some() => anjian_core::second_factor::TotpSecret::from_base32(&s)
            .map(Some)
            .ok_or_else(|| "ANJIAN_DEMO_TOTP_SECRET 应为 base32 编码、至少128位的密钥".into()),
        _ => Ok(None),
    }
}

fn actor_clone() -> Actor {
    Actor::system("demo")
}

/// `anjian demo`: a fresh demo database in the data directory, then serve it.
pub async fn run(c: &Common, args: &DemoArgs) -> Result<(), String> {
    if args.city {
        return city::run(c, args).await;
    }
    let start = anjian_core::time::at_local(args.as_of, 9).ok_or("演示日期无效")?;
    let (db, url, accounts) = prepare(c, start).await?;
    let clock = std::sync::Arc::new(anjian_core::time::OffsetClock::starting_at(start));
    let as_of = args.as_of;
    serve(db, &args.serve, c, clock, |addr| {
        println!();
        println!("安监平台演示已启动：http://{addr}/");
        println!("演示时钟从 {as_of} 09:00 开始走（2022年专项行动期间，可用 --as-of 改变）");
        println!("演示账户（用户名 / 密码 / 角色）：");
        for (u, p, r, _) in &accounts {
            println!("  {u:<16} {p:<18} {r}");
        }
        println!(
            "以下账户须以双因素认证登录：用手机验证器扫描（或手动输入）各自的密钥，登录时填写其6位动态验证码："
        );
        for (u, _, _, uri) in &accounts {
            if let Some(uri) = uri {
                println!("  {u:<16} {uri}");
            }
        }
        println!("数据库：{url}（再次运行 demo 会重建它；校验审计链：anjian audit verify）");
        println!("按 Ctrl-C 停止。");
    })
    .await
}

/// The demo's database, empty: the default one (or `ANJIAN_DATABASE_URL` when it is
/// empty), opened and migrated. The demo lives in the default database, so that
/// `anjian audit verify` and the other commands work on it as they are; a database the
/// demo built before is replaced; one holding anything else is never touched.
pub(crate) async fn rebuild(c: &Common) -> Result<(Db, String), String> {
    let url = database_url(c, "anjian.db");
    let mut db = open(&url).await?;
    let is_demo = anjian_store::settings::get(&db, anjian_store::settings::DEMO)
        .await
        .map_err(|e| e.to_string())?
        .is_some();
    let filter = anjian_store::directory::UnitFilter {
        limit: 1,
        include_inactive: true,
        ..Default::default()
    };
    let empty = units::list(&db, &Scope::All, &filter)
        .await
        .map_err(|e| e.to_string())?
        .is_empty();
    if !empty {
        let file = url
            .strip_prefix("sqlite:")
            .filter(|_| is_demo && c.database_url.is_none());
        let Some(file) = file else {
            return Err(format!(
                "数据库 {url} 中已有数据，演示模式不会覆盖它；请用 --data-dir 指定一个新目录"
            ));
        };
        db.close().await;
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{file}{ext}"));
        }
        db = open(&url).await?;
    }
    Ok((db, url))
}

/// The demo's accounts: user name, password, role label, and the `otpauth://` URI of
/// the accounts with a second factor.
pub type DemoAccounts = Vec<(String, String, &'static str, Option<String>)>;

/// Builds the demo database (the default one, or `ANJIAN_DATABASE_URL` when it is
/// empty) as of the instant `now`, with the campaign's activity up to that day, and
/// returns it with its URL and accounts.
pub async fn prepare(c: &Common, now: i64) -> Result<(Db, String, DemoAccounts), String> {
    std::fs::create_dir_all(&c.data_dir).map_err(|e| e.to_string())?;
    ensure_secret_key(c)?;
    let (db, url) = rebuild(c).await?;
    let password = std::env::var("ANJIAN_DEMO_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    let accounts = load(&db, now, password.as_deref()).await?;
    if let (Some(campaign), Some(today)) = (
        anjian_store::plans::campaigns(&db)
            .await
            .map_err(|e| e.to_string())?
            .first(),
        anjian_core::time::local_date(now),
    ) {
        crate::seed::activity(&db, now, campaign.id, today)
            .await
            .map_err(|e| e.to_string())?;
        crate::seed::plan_edits::load(&db, campaign.id, today).await?;
        crate::seed::township_enterprises(&db, now).await?;
        crate::seed::measures::units(&db, now).await?;
        let files = crate::setup::files(c)?;
        crate::seed::hazards(&db, &files, today).await?;
        crate::seed::monthly_reports(&db, today).await?;
        crate::seed::visits(&db, today).await?;
        crate::seed::enforcements(&db, today).await?;
        crate::seed::blacklist(&db, today).await?;
        crate::seed::tips_and_accidents(&db, &crate::setup::keyring(c)?, today).await?;
        crate::seed::responsibility::load(&db, today).await?;
        crate::seed::daily::load(&db, today).await?;
        crate::seed::measures::load(&db, &crate::setup::keyring(c)?, today).await?;
        crate::seed::crackdown::load(&db, &files, today).await?;
        crate::seed::crackdown::concealment(&db, &crate::setup::keyring(c)?, today).await?;
        crate::seed::people::load(&db, &crate::setup::keyring(c)?, today).await?;
    }
    for (key, value) in [
        (
            anjian_store::bulletins::ISSUER,
            "重庆市铜梁区安全生产委员会办公室",
        ),
        (anjian_store::bulletins::PREFIX, "铜安办通报"),
    ] {
        anjian_store::settings::set(&db, now, &actor_clone(), "settings.bulletin", key, value)
            .await
            .map_err(|e| e.to_string())?;
    }
    anjian_store::settings::set(
        &db,
        now,
        &Actor::system("demo"),
        "settings.demo",
        anjian_store::settings::DEMO,
        "1",
    )
    .await
    .map_err(|e| e.to_string())?;
    let shared = shared_secret(password.as_deref())?;
    let uris = enrol_second_factors(&db, now, &crate::setup::keyring(c)?, shared.as_ref()).await?;
    let accounts = accounts
        .into_iter()
        .map(|(u, p, r)| {
            let uri = uris.iter().find(|(n, _)| *n == u).map(|(_, x)| x.clone());
            (u, p, r, uri)
        })
        .collect();
    Ok((db, url, accounts))
}
