//! The demo: the Tongliang directory as the plan (铜安办〔2022〕31号) names it, the
//! district's 28 townships, a handful of enterprises, the named groups and one account
//! per role.

use anjian_core::role::Role;
use anjian_core::unit::{UnitDraft, UnitKind};
use anjian_store::accounts::{NewUser, users};
use anjian_store::directory::groups::{self, Membership};
use anjian_store::directory::{Unit, units};
use anjian_store::{Actor, Db, Scope};
use chrono::NaiveDate;

use clap::Args;

use crate::setup::{Common, ServeArgs, database_url, ensure_secret_key, open, serve};

/// Options of `demo`.
#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
    /// The day the demo's clock starts on (the campaign ran 2022-05-16 to 2022-10-22).
    #[arg(long, default_value = "2022-08-15")]
    pub as_of: chrono::NaiveDate,
}

/// The 28 townships of Tongliang (shared/data/tongliang-townships.csv).
pub const TOWNSHIPS: &str = include_str!("../../../seed/tongliang-townships.csv");

/// Departments the plan names: (name, aliases, supervises safety, sectors).
pub const DEPARTMENTS: &[(&str, &str, bool, &str)] = &[
    ("区委办", "区委办公室", false, ""),
    ("区委组织部", "", false, ""),
    ("区委宣传部", "", false, ""),
    ("区委编办", "", false, ""),
    ("区委党校", "", false, ""),
    ("区委政法委", "", false, ""),
    ("区纪委监委机关", "区纪委监委", false, ""),
    ("区政府办", "区府办、区政府办公室", false, ""),
    ("区发展改革委", "区发改委", true, "天然气长输管道"),
    (
        "区经济信息委",
        "区经信委",
        true,
        "燃气、城镇燃气、电力、工业",
    ),
    (
        "区交通局",
        "",
        true,
        "道路交通、道路运输、水上交通、交通建设",
    ),
    (
        "区住房城乡建委",
        "区住建委",
        true,
        "建设施工、建筑施工、自建房、轨道交通建设",
    ),
    (
        "区应急局",
        "区应急管理局",
        true,
        "危化品、危险化学品、非煤矿山、工贸",
    ),
    (
        "区文化旅游委",
        "区文旅委",
        true,
        "文旅、旅游景区、文化娱乐场所",
    ),
    ("区城市管理局", "", true, "城市运行、城市公园"),
    ("区消防救援支队", "", true, "消防、人员密集场所"),
    // Body 二: "由区公安局交巡警支队负责，重点排查整治货车超载超限、危险化学品运输风险管控…".
    ("区公安局", "", true, "民用爆炸物品"),
    (
        "区市场监管局",
        "市场监督管理部门、区市场监督管理局",
        true,
        "特种设备",
    ),
    ("区水利局", "", true, "水利、水利工程、山洪灾害"),
    ("区规划自然资源局", "", true, "地质灾害、土地整治"),
    ("区林业局", "", true, "林业、森林防火"),
    ("区国资中心", "国资中心", true, "国有企业"),
    ("区农业农村委", "", true, "农业机械、渔业船舶"),
    ("区教委", "", true, "学校"),
    ("区商务委", "", true, "商贸"),
    ("区卫生健康委", "", true, "医疗机构"),
    ("区民政局", "", true, "养老机构"),
    ("区司法局", "", false, ""),
    ("区财政局", "", false, ""),
    ("区机关事务局", "", false, ""),
    ("区总工会", "", false, ""),
    ("区检察院", "", false, ""),
    ("区融媒体中心", "", false, ""),
];

/// Units under a department: (parent, name, aliases, supervises, sectors).
const SUB_UNITS: &[(&str, &str, &str, bool, &str)] = &[
    ("区委办", "区委办督查室", "", false, ""),
    ("区政府办", "区政府办督查室", "", false, ""),
    (
        "区公安局",
        "区公安局交巡警支队",
        "交巡警支队",
        true,
        "道路交通、危险化学品运输",
    ),
];

/// District SOEs.
const SOES: &[&str] = &[
    "铜梁区城市建设投资（集团）有限公司",
    "铜梁区交通建设投资有限公司",
    "铜梁区水务集团有限公司",
];

/// Enterprises: (township, name, sector).
const ENTERPRISES: &[(&str, &str, &str)] = &[
    ("巴川街道", "重庆铜梁某化工有限公司", "危险化学品"),
    ("东城街道", "铜梁区某燃气有限公司", "城镇燃气"),
    ("蒲吕街道", "重庆某建筑工程有限公司铜梁项目部", "建筑施工"),
    ("安居镇", "铜梁区安居古镇旅游开发有限公司", "旅游景区"),
    ("土桥镇", "重庆某机械制造有限公司", "工贸"),
    ("旧县街道", "铜梁区某石材开采有限公司", "非煤矿山"),
    ("南城街道", "铜梁区某商业综合体管理有限公司", "消防"),
    ("水口镇", "铜梁区某客运有限公司", "道路运输"),
];

/// Named groups as the plan writes them: (name, description, kind, only units that
/// supervise safety, other spellings).
type GroupSpec = (
    &'static str,
    &'static str,
    UnitKind,
    bool,
    &'static [&'static str],
);

/// The groups the plan's responsibility column uses.
pub const GROUPS: &[GroupSpec] = &[
    (
        "各镇街",
        "全区各镇人民政府、街道办事处",
        UnitKind::Township,
        false,
        &[
            "各镇（街道）",
            "各镇（街道）党委（党工委）",
            "各镇街党委",
            "镇街",
            "各镇人民政府、街道办事处",
        ],
    ),
    (
        "各管委会",
        "各开发区管理委员会",
        UnitKind::ZoneCommittee,
        false,
        &["各管会", "管委会"],
    ),
    (
        "区级负有安全生产监管职责的部门",
        "负有安全生产监督管理职责的区级部门",
        UnitKind::Department,
        true,
        &[
            "区级负有安全生产监管职责部门",
            "区级负有安全生产监督管理职责的部门",
            "各负有安全生产监管职责的部门",
            "区级负有监管职责的部门",
            "区级行业监管部门",
            // (44) "各镇街及有关部门": the departments that supervise the sectors it names.
            "有关部门",
        ],
    ),
    (
        "相关区级部门",
        "区级部门",
        UnitKind::Department,
        false,
        &[
            "区级有关部门",
            "区级相关部门",
            "区级有关部门党委（组）",
            "相关区级部门党委（组）",
        ],
    ),
    (
        "区安委会成员单位",
        "区安全生产委员会成员单位（区级部门）",
        UnitKind::Department,
        false,
        &["区安委会相关成员单位", "区安委会各成员单位"],
    ),
    (
        "区减灾委成员单位",
        "区减灾委员会成员单位（区级部门）",
        UnitKind::Department,
        false,
        &["区减灾委相关成员单位", "区减灾委各成员单位"],
    ),
    (
        "区属国有企业",
        "区属国有企业",
        UnitKind::Soe,
        false,
        &["区属国有企业党委", "国有企业"],
    ),
    (
        "各企业",
        "全区生产经营单位",
        UnitKind::Enterprise,
        false,
        &["各企业单位", "生产经营单位", "相关企业"],
    ),
];

/// Demo accounts: (username, display name, unit name, role).
pub const ACCOUNTS: &[(&str, &str, &str, Role)] = &[
    ("office", "区安委办管理员", "区安委办", Role::OfficeAdmin),
    ("sysadmin", "系统管理员", "区安委办", Role::SystemAdmin),
    ("secadmin", "安全管理员", "区安委办", Role::SecurityAdmin),
    ("auditor", "审计管理员", "区安委办", Role::Auditor),
    ("tipkeeper", "举报保密员", "区安委办", Role::TipCustodian),
    (
        "bachuan",
        "巴川街道安办操作员",
        "巴川街道",
        Role::UnitOperator,
    ),
    (
        "bachuan_leader",
        "巴川街道分管负责人",
        "巴川街道",
        Role::UnitLeader,
    ),
    ("anju", "安居镇安办操作员", "安居镇", Role::UnitOperator),
    ("yjj", "区应急局操作员", "区应急局", Role::UnitOperator),
    ("jtj", "区交通局操作员", "区交通局", Role::UnitOperator),
    (
        "gxq",
        "高新区管委会操作员",
        "高新区管委会",
        Role::UnitOperator,
    ),
    (
        "huagong",
        "化工企业安全员",
        "重庆铜梁某化工有限公司",
        Role::EnterpriseUser,
    ),
];

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
        crate::plan::store(db, now, &actor, &plan, (plan.year, end), vec![congress]).await?;
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
    for (name, description, kind, supervises_safety, aliases) in GROUPS {
        let membership = Membership::Rule {
            kind: *kind,
            supervises_safety: *supervises_safety,
        };
        groups::create(db, now, &actor, name, description, &membership, aliases)
            .await
            .map_err(s)?;
    }

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
    let actor = Actor::system("demo");
    let mut out = Vec::new();
    for (username, _, _, role) in ACCOUNTS {
        if !role.requires_second_factor() && *role != Role::TipCustodian {
            continue;
        }
        let user = users::by_username(db, username)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("demo account")?;
        let secret = shared
            .cloned()
            .unwrap_or_else(anjian_web::second_factor::new_secret);
        let sealed = anjian_web::second_factor::seal_with(keyring, user.id, &secret);
        anjian_store::accounts::second_factor::install(db, now, &actor, user.id, &sealed)
            .await
            .map_err(|e| e.to_string())?;
        out.push((
            username.to_string(),
            secret.otpauth_uri(anjian_web::second_factor::ISSUER, username),
        ));
    }
    Ok(out)
}

fn actor_clone() -> Actor {
    Actor::system("demo")
}

/// `anjian demo`: a fresh demo database in the data directory, then serve it.
pub async fn run(c: &Common, args: &DemoArgs) -> Result<(), String> {
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

/// The demo's accounts: user name, password, role label, and the `otpauth://` URI of
/// the accounts with a second factor.
pub type DemoAccounts = Vec<(String, String, &'static str, Option<String>)>;

/// Builds the demo database (the default one, or `ANJIAN_DATABASE_URL` when it is
/// empty) as of the instant `now`, with the campaign's activity up to that day, and
/// returns it with its URL and accounts.
pub async fn prepare(c: &Common, now: i64) -> Result<(Db, String, DemoAccounts), String> {
    std::fs::create_dir_all(&c.data_dir).map_err(|e| e.to_string())?;
    ensure_secret_key(c)?;
    // The demo lives in the default database, so that `anjian audit verify` and the
    // other commands work on it as they are. A database the demo built before is
    // replaced; one holding anything else is never touched.
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
        let files = anjian_store::files::FileStore::new(&c.data_dir);
        crate::seed::hazards(&db, &files, today).await?;
        crate::seed::monthly_reports(&db, today).await?;
        crate::seed::visits(&db, today).await?;
        crate::seed::enforcements(&db, today).await?;
        crate::seed::tips_and_accidents(&db, &crate::setup::keyring(c)?, today).await?;
        crate::seed::responsibility::load(&db, today).await?;
        crate::seed::daily::load(&db, today).await?;
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
    // The second factor runs on the real clock; a script that knows the secret makes
    // its codes, anyone else scans the URIs printed beside the passwords.
    let shared = match std::env::var("ANJIAN_DEMO_TOTP_SECRET")
        .ok()
        .filter(|s| !s.trim().is_empty())
    {
        Some(s) if password.is_some() => Some(
            anjian_core::second_factor::TotpSecret::from_base32(&s)
                .ok_or("ANJIAN_DEMO_TOTP_SECRET 应为 base32 编码、至少128位的密钥")?,
        ),
        _ => None,
    };
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
