//! `anjian demo --city`: a city office above two districts (issue 21 part 3). The
//! Tongliang demo is the first district, as `anjian demo` builds it; the second is the
//! same directory and plan replayed only to an earlier day (a district lagging behind);
//! the city's own database holds the city office, its account and a city plan to issue.
//! The city is served on the address given, the districts on the next two ports.

use std::net::SocketAddr;
use std::sync::Arc;

use anjian_core::role::Role;
use anjian_core::unit::{UnitDraft, UnitKind};
use anjian_store::accounts::{NewUser, users};
use anjian_store::directory::units;
use anjian_store::{Actor, Db, Scope};

use super::{DemoAccounts, DemoArgs, prepare};
use crate::setup::{Common, key_path, serve};

/// The names the city gives its two demo districts.
pub const DISTRICTS: [&str; 2] = ["铜梁区", "大足区（演示）"];

/// The day the second district's activity stops: it lags the first by some weeks.
const SECOND_AS_OF: (i32, u32, u32) = (2022, 7, 20);

/// Builds the three databases and serves them until Ctrl-C.
pub async fn run(c: &Common, args: &DemoArgs) -> Result<(), String> {
    if c.database_url.is_some() {
        return Err(
            "演示城市（--city）在数据目录中建立三个 SQLite 数据库，请不要同时给出 --database-url"
                .into(),
        );
    }
    let start = anjian_core::time::at_local(args.as_of, 9).ok_or("演示日期无效")?;
    let (first_db, first_url, first_accounts) = prepare(c, start).await?;
    let shared_key = Some(key_path(c));
    let second = Common {
        data_dir: c.data_dir.join("district2"),
        secret_key_file: shared_key.clone(),
        ..c.clone()
    };
    let (y, m, d) = SECOND_AS_OF;
    let second_day = chrono::NaiveDate::from_ymd_opt(y, m, d).ok_or("date")?;
    let second_start =
        anjian_core::time::at_local(second_day.min(args.as_of), 9).ok_or("演示日期无效")?;
    let (second_db, second_url, second_accounts) = prepare(&second, second_start).await?;
    let city = Common {
        data_dir: c.data_dir.join("city"),
        secret_key_file: shared_key,
        ..c.clone()
    };
    let (city_db, city_url, city_accounts) = prepare_city(&city, start).await?;

    let bind: SocketAddr = args
        .serve
        .bind
        .parse()
        .map_err(|_| format!("--bind 应为“地址:端口”：{}", args.serve.bind))?;
    let at = |offset: u16| {
        let mut a = bind;
        a.set_port(bind.port().saturating_add(offset));
        a.to_string()
    };
    let mut city_args = args.serve.clone();
    city_args.districts = vec![
        format!("{}={first_url}", DISTRICTS[0]),
        format!("{}={second_url}", DISTRICTS[1]),
    ];
    let mut first_args = args.serve.clone();
    first_args.bind = at(1);
    first_args.districts = Vec::new();
    let mut second_args = args.serve.clone();
    second_args.bind = at(2);
    second_args.districts = Vec::new();
    let clock = || -> Arc<dyn anjian_core::time::Clock> {
        Arc::new(anjian_core::time::OffsetClock::starting_at(start))
    };
    let as_of = args.as_of;
    let (first_at, second_at) = (at(1), at(2));
    let city_banner = move |addr: &SocketAddr| {
        println!();
        println!("安监平台演示（市级）已启动：");
        println!("  市安委办：http://{addr}/ （全市汇总：http://{addr}/city）");
        println!("  {}：http://{first_at}/", DISTRICTS[0]);
        println!(
            "  {}：http://{second_at}/ （数据只演练到 {second_day}，本区工作滞后）",
            DISTRICTS[1]
        );
        println!("演示时钟从 {as_of} 09:00 开始走。");
        print_accounts("市安委办账户", &city_accounts);
        print_accounts(&format!("{}账户", DISTRICTS[0]), &first_accounts);
        print_accounts(&format!("{}账户", DISTRICTS[1]), &second_accounts);
        println!("数据库：{city_url}、{first_url}、{second_url}（再次运行会重建它们）");
        println!("按 Ctrl-C 停止。");
    };
    tokio::try_join!(
        serve(city_db, &city_args, &city, clock(), city_banner),
        serve(first_db, &first_args, c, clock(), |_| {}),
        serve(second_db, &second_args, &second, clock(), |_| {}),
    )?;
    Ok(())
}

fn print_accounts(title: &str, accounts: &DemoAccounts) {
    println!("{title}（用户名 / 密码 / 角色）：");
    for (u, p, r, _) in accounts {
        println!("  {u:<16} {p:<18} {r}");
    }
    for (u, _, _, uri) in accounts {
        if let Some(uri) = uri {
            println!("  {u:<16} 双因素密钥：{uri}");
        }
    }
}

/// The city's database: the city committee and its office, the office's account (with
/// a second factor, as every office administrator has), and a city plan to issue.
async fn prepare_city(c: &Common, now: i64) -> Result<(Db, String, DemoAccounts), String> {
    std::fs::create_dir_all(&c.data_dir).map_err(|e| e.to_string())?;
    crate::setup::ensure_secret_key(c)?;
    let (db, url) = super::rebuild(c).await?;
    let actor = Actor::system("demo");
    let s = |e: anjian_store::Error| e.to_string();
    let draft = |code: &str, name: &str| {
        UnitDraft::parse(
            code,
            name,
            "",
            UnitKind::CommitteeOffice.as_str(),
            false,
            "",
            "",
        )
        .map_err(|e| e.to_string())
    };
    let root = units::create(
        &db,
        now,
        &actor,
        &Scope::All,
        &draft("city-awh", "市安委会")?,
        None,
    )
    .await
    .map_err(s)?;
    let office = units::create(
        &db,
        now,
        &actor,
        &Scope::All,
        &draft("city-awb", "市安委办")?,
        Some(root.id),
    )
    .await
    .map_err(s)?;
    let password = std::env::var("ANJIAN_DEMO_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    let pw = password
        .clone()
        .unwrap_or_else(anjian_web::password::generate);
    let user = users::create(
        &db,
        now,
        &actor,
        &Scope::All,
        &NewUser {
            username: "city".into(),
            display_name: "市安委办管理员".into(),
            unit_id: office.id,
            role: Role::OfficeAdmin,
            password_hash: anjian_web::password::hash_now(&pw),
            must_change_password: false,
        },
    )
    .await
    .map_err(s)?;
    let uri = super::enrol(
        &db,
        now,
        &crate::setup::keyring(c)?,
        user.id,
        "city",
        super::shared_secret(password.as_deref())?.as_ref(),
    )
    .await?;
    // The city's plan: the published Tongliang plan under a city title, so that the
    // districts' directories answer to its responsibility names when it is issued.
    let (plan, report) = anjian_core::plan::published::parse(crate::plan::TONGLIANG_2022);
    let mut plan = plan.ok_or_else(|| format!("内置方案无法读取：{:?}", report.problems))?;
    plan.title = "全市安全生产大检查工作方案（演示）".into();
    plan.doc_number = "市安办〔2022〕1号（演示）".into();
    let end = chrono::NaiveDate::from_ymd_opt(2022, 10, 22);
    crate::plan::store(&db, now, &actor, &plan, plan.year, end, Vec::new()).await?;
    anjian_store::settings::set(
        &db,
        now,
        &actor,
        "settings.demo",
        anjian_store::settings::DEMO,
        "1",
    )
    .await
    .map_err(s)?;
    Ok((
        db,
        url,
        vec![("city".into(), pw, Role::OfficeAdmin.label(), Some(uri))],
    ))
}
