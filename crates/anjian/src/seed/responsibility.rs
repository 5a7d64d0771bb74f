//! Demo data of responsibility, May to `as_of` in 2022: every township enterprise
//! registered (the first of each township listed, with its three responsible persons;
//! chemical ones with their three tiers and guarantee official), the leaders and
//! officials with their duty records (most meeting their quotas, some not: in July a
//! quarter of the townships' officials inspect only one listed enterprise and a few
//! township heads hold no study; the district head holds no study in the third
//! quarter), two back-dated records awaiting approval, the July rainstorm warning with
//! late answers and one missing, its circuit breaker (lifted), and the daily reports of the
//! special period before the Congress.

mod city;
mod warnings;

pub use city::city;
use warnings::{special_period, warning_and_breaker};

use anjian_core::enterprise::{EnterpriseFields, credit_check_char};
use anjian_store::duty::NewRecord;
use anjian_store::responsible::{NewOfficial, NewPerson};
use anjian_store::{Actor, Db, Scope, q};
use chrono::NaiveDate;

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "马", "胡", "朱", "郭",
    "何", "罗", "高", "林",
];
const GIVEN: [&str; 20] = [
    "建国", "志强", "海燕", "晓东", "明辉", "丽萍", "伟", "静", "涛", "敏", "军", "燕", "勇", "杰",
    "娟", "磊", "芳", "超", "婷", "鹏",
];

/// A person's name, the `i`th of the demo.
fn name(i: usize) -> String {
    format!("{}{}", SURNAMES[i % 20], GIVEN[(i * 7 + 3) % 20])
}

/// A valid credit code of 铜梁 for the `i`th enterprise.
fn credit_code(i: usize) -> String {
    let body = format!("91500224MA{:07}", 5_000_000 + i);
    let c = credit_check_char(&body).unwrap_or('0');
    format!("{body}{c}")
}

/// The demo acting for `unit`.
fn actor(unit: i64) -> Actor {
    Actor {
        user_id: None,
        username: "demo".into(),
        role: "office_admin".into(),
        unit_id: Some(unit),
    }
}

fn err(e: anjian_store::Error) -> String {
    e.to_string()
}

/// Loads the data; returns (enterprises registered, duty records).
pub async fn load(db: &Db, as_of: NaiveDate) -> Result<(usize, usize), String> {
    let date = |m: u32, d: u32| NaiveDate::from_ymd_opt(2022, m, d).unwrap_or(as_of);
    let at = |d: NaiveDate, h: u32| anjian_core::time::at_local(d, h).unwrap_or_default();
    let unit = |n: &'static str| async move {
        let (id,): (i64,) = db
            .read()
            .one(q("SELECT id FROM units WHERE name = $1").bind(n))
            .await
            .map_err(err)?;
        Ok::<i64, String>(id)
    };
    let office = unit("区安委办").await?;
    let committee = unit("区安委会").await?;
    let start = date(5, 1);
    let now0 = at(start, 9);
    // The township enterprises the directory has, with their sector and the department
    // that supervises it.
    let ents: Vec<(i64, String, i64, String, String, Option<i64>)> = db
        .read()
        .all(q("SELECT u.id, u.name, t.id, t.name, COALESCE((SELECT s.name FROM unit_sectors us JOIN sectors s ON s.id = us.sector_id WHERE us.unit_id = u.id ORDER BY s.name LIMIT 1), '工贸'), (SELECT MIN(d.id) FROM unit_sectors us JOIN unit_sectors ds ON ds.sector_id = us.sector_id JOIN units d ON d.id = ds.unit_id WHERE us.unit_id = u.id AND d.kind = 'department') FROM units u JOIN units t ON t.id = u.parent_id WHERE u.kind = 'enterprise' AND t.kind IN ('township', 'zone_committee') AND u.active = 1 ORDER BY t.name, u.id"))
        .await
        .map_err(err)?;
    let levels = ["red", "orange", "yellow", "blue", "yellow", "blue"];
    let mut registered = 0;
    let mut listed: Vec<(i64, i64, String, Option<i64>)> = Vec::new();
    let mut last_town = -1;
    for (i, (id, ename, town, tname, sector, dept)) in ents.iter().enumerate() {
        let first_of_town = *town != last_town;
        last_town = *town;
        let chemical = sector.contains("危险化学品");
        let fields = EnterpriseFields {
            name: ename.clone(),
            credit_code: credit_code(i),
            township: Some(*town),
            sector: sector.clone(),
            staff: Some([12, 45, 26, 130, 18, 60][i % 6]),
            risk_level: levels[i % 6].into(),
            major_hazards: Some(if chemical { 2 } else { 0 }),
            supervisor: *dept,
            listed: first_of_town || chemical,
            address: format!("{tname}{}号", 10 + i),
        };
        let input = fields.check().map_err(|e| e.message)?;
        anjian_store::enterprises::register_unit(
            db,
            now0,
            &actor(office),
            &Scope::All,
            *id,
            &input,
        )
        .await
        .map_err(err)?;
        registered += 1;
        if input.listed {
            listed.push((*id, *town, sector.clone(), *dept));
        }
        if input.staff < 30 {
            anjian_store::enterprises::set_risk_card(
                db,
                now0,
                &actor(*town),
                &Scope::All,
                *id,
                anjian_core::enterprise::RiskCard {
                    main_risks: format!("{sector}作业中的机械伤害、触电、火灾"),
                    controls: "设备班前检查，电气线路定期检测，消防通道保持畅通，员工每月安全培训"
                        .into(),
                    emergency_contacts: format!("企业负责人 {}；火警 119；急救 120", name(i + 40)),
                },
            )
            .await
            .map_err(err)?;
        }
    }
    // Leaders and officials.
    let add = |unit: i64, who: String, title: String, post: &'static str| async move {
        anjian_store::responsible::add_official(
            db,
            now0,
            &actor(office),
            &Scope::All,
            &NewOfficial {
                unit: Some(unit),
                name: who,
                title,
                post: post.into(),
                phone: String::new(),
                user: None,
            },
        )
        .await
        .map_err(err)
    };
    let head = add(
        committee,
        "陈国强".into(),
        "区委书记".into(),
        "district_head",
    )
    .await?;
    // (22): the district government's head.
    add(committee, "周建华".into(), "区长".into(), "government_head").await?;
    let mut others = Vec::new();
    for (i, t) in [
        "副区长（分管应急管理）",
        "副区长（分管交通、住建）",
        "副区长（分管工业）",
    ]
    .iter()
    .enumerate()
    {
        others.push(add(committee, name(60 + i), (*t).into(), "other_leader").await?);
    }
    let towns: Vec<(i64, String)> = db
        .read()
        .all(q(
            "SELECT id, name FROM units WHERE kind IN ('township', 'zone_committee') AND active = 1 ORDER BY name",
        ))
        .await
        .map_err(err)?;
    let mut heads = Vec::new();
    let mut admins = std::collections::HashMap::new();
    for (i, (t, tname)) in towns.iter().enumerate() {
        let kind = if tname.ends_with("街道") {
            "街道党工委书记"
        } else if tname.ends_with("管委会") {
            "党工委书记"
        } else {
            "镇党委书记"
        };
        heads.push((
            *t,
            add(*t, name(i), format!("{tname}{kind}"), "township_head").await?,
        ));
        let deputy = if tname.ends_with("街道") {
            "办事处副主任"
        } else if tname.ends_with("管委会") {
            "副主任"
        } else {
            "副镇长"
        };
        admins.insert(
            *t,
            add(*t, name(i + 30), format!("{tname}{deputy}"), "").await?,
        );
    }
    let mut industry = std::collections::HashMap::new();
    for (_, _, _, dept) in &listed {
        if let Some(d) = dept
            && !industry.contains_key(d)
        {
            let (dname,): (String,) = db
                .read()
                .one(q("SELECT name FROM units WHERE id = $1").bind(*d))
                .await
                .map_err(err)?;
            // (33), (34): the department's head and the deputy in charge have quotas.
            let n = industry.len();
            add(*d, name(90 + n), format!("{dname}局长"), "department_head").await?;
            let o = add(
                *d,
                name(80 + n),
                format!("{dname}副局长"),
                "department_deputy",
            )
            .await?;
            industry.insert(*d, o);
        }
    }
    // The persons of each listed enterprise.
    let assign = |ent: i64, p: NewPerson, on: NaiveDate| async move {
        anjian_store::responsible::assign(
            db,
            anjian_core::time::Moment::new(at(on, 10), on),
            &actor(office),
            &Scope::All,
            ent,
            &p,
        )
        .await
        .map_err(err)
    };
    let person =
        |role: &str, official: Option<i64>, who: String, title: &str, risk: &str| NewPerson {
            role: role.into(),
            risk: risk.into(),
            official,
            name: who,
            title: title.into(),
            phone: String::new(),
            from_on: String::new(),
        };
    for (i, (ent, town, sector, dept)) in listed.iter().enumerate() {
        assign(
            *ent,
            person(
                "administrative",
                admins.get(town).copied(),
                String::new(),
                "",
                "",
            ),
            start,
        )
        .await?;
        if let Some(o) = dept.and_then(|d| industry.get(&d).copied()) {
            assign(
                *ent,
                person("industry", Some(o), String::new(), "", ""),
                start,
            )
            .await?;
        }
        assign(
            *ent,
            person("enterprise", None, name(100 + i), "总经理", ""),
            start,
        )
        .await?;
        if sector.contains("危险化学品") {
            for (role, title, k) in [
                ("management", "生产副总经理", 1),
                ("technical", "安全技术部部长", 2),
                ("shop_floor", "储运车间主任", 3),
                ("guarantee", "安全总监", 4),
            ] {
                assign(
                    *ent,
                    person(role, None, name(100 + i + 7 * k), title, "1号储罐区"),
                    start,
                )
                .await?;
            }
        }
    }
    // One enterprise changed its head in July.
    if let Some((ent, ..)) = listed.first()
        && as_of >= date(7, 15)
    {
        assign(
            *ent,
            person("enterprise", None, name(150), "总经理", ""),
            date(7, 15),
        )
        .await?;
    }
    // Duty records, logged on their day.
    let mut records = 0;
    let log = |official: i64,
               activity: &'static str,
               on: NaiveDate,
               enterprise: Option<i64>,
               topic: String,
               logged: NaiveDate| async move {
        anjian_store::duty::record(
            db,
            anjian_core::time::Moment::new(at(logged, 18), logged),
            &actor(office),
            &Scope::All,
            &NewRecord {
                official: Some(official),
                activity: activity.into(),
                on: on.to_string(),
                place: "现场".into(),
                participants: String::new(),
                topic,
                enterprise,
                enforcement: None,
                visit: None,
                evidence: None,
            },
        )
        .await
        .map_err(err)
    };
    let months: Vec<u32> = (5..=8).filter(|m| date(*m, 1) <= as_of).collect();
    for (ti, (town, _)) in towns.iter().enumerate() {
        let admin = admins[town];
        let mine: Vec<i64> = listed
            .iter()
            .filter(|l| l.1 == *town)
            .map(|l| l.0)
            .collect();
        let Some(first) = mine.first().copied() else {
            continue;
        };
        let second = mine.get(1).copied().unwrap_or(first);
        for m in &months {
            // In July a quarter of the townships' officials inspect only once.
            let short = *m == 7 && ti % 4 == 1;
            let days = [3u32, 10, 17, 24];
            let plan: Vec<(&'static str, u32, i64)> = if short {
                vec![
                    ("inspection", days[0], first),
                    ("problem_fixed", days[1], first),
                    ("problem_fixed", days[2], first),
                    ("difficulty_solved", days[1], first),
                    ("difficulty_solved", days[3], first),
                ]
            } else {
                vec![
                    ("inspection", days[0], first),
                    ("inspection", days[2], second),
                    ("problem_fixed", days[1], first),
                    ("problem_fixed", days[3], second),
                    ("difficulty_solved", days[1], first),
                    ("difficulty_solved", days[3], second),
                ]
            };
            for (activity, d, ent) in plan {
                let on = date(*m, d);
                if on > as_of {
                    continue;
                }
                let topic = match activity {
                    "inspection" => "指导检查企业安全生产主体责任落实",
                    "problem_fixed" => "督促整改消防通道堵塞、电气线路老化问题",
                    _ => "协调解决企业安全培训和隐患整改资金难题",
                };
                log(admin, activity, on, Some(ent), topic.into(), on).await?;
                records += 1;
            }
        }
    }
    // The departments' industry officials visit their listed enterprises likewise (one
    // department's official only once in July).
    let mut depts: Vec<(&i64, &i64)> = industry.iter().collect();
    depts.sort();
    for (di, (dept, o)) in depts.into_iter().enumerate() {
        let mine: Vec<i64> = listed
            .iter()
            .filter(|l| l.3 == Some(*dept))
            .map(|l| l.0)
            .collect();
        let Some(first) = mine.first().copied() else {
            continue;
        };
        let second = mine.get(1).copied().unwrap_or(first);
        for m in &months {
            let once = *m == 7 && di == 0;
            for (activity, d, ent) in [
                ("inspection", 6u32, first),
                ("inspection", 19, second),
                ("problem_fixed", 13, first),
                ("problem_fixed", 27, second),
                ("difficulty_solved", 13, first),
                ("difficulty_solved", 27, second),
            ] {
                let on = date(*m, d);
                if on > as_of || (once && d != 6) {
                    continue;
                }
                log(
                    *o,
                    activity,
                    on,
                    Some(ent),
                    "行业监管检查，督促落实隐患整改".into(),
                    on,
                )
                .await?;
                records += 1;
            }
        }
    }
    for (i, (_, h)) in heads.iter().enumerate() {
        for m in &months {
            let skip_study = *m == 7 && i % 5 == 2;
            for (activity, d, topic) in [
                ("study", 8u32, "专题研究汛期安全防范和隐患整治"),
                ("site_inspection", 20, "实地检查地质灾害隐患点和在建工地"),
            ] {
                let on = date(*m, d);
                if on > as_of || (skip_study && activity == "study") {
                    continue;
                }
                log(*h, activity, on, None, topic.into(), on).await?;
                records += 1;
            }
            if *m == 6 || *m == 8 {
                let on = date(*m, 25);
                if on <= as_of {
                    log(
                        *h,
                        "hear_report",
                        on,
                        None,
                        "听取班子成员安全生产履职情况汇报".into(),
                        on,
                    )
                    .await?;
                    records += 1;
                }
            }
        }
    }
    // The district head: the second quarter's study and inspection; in the third only
    // an inspection.
    for (activity, on, topic) in [
        (
            "study",
            date(5, 20),
            "区委常委会专题研究安全生产和自然灾害防治",
        ),
        (
            "site_inspection",
            date(6, 15),
            "实地检查危险化学品企业和燃气场站",
        ),
        (
            "hear_report",
            date(6, 28),
            "听取区领导班子成员安全生产履职情况汇报",
        ),
        ("site_inspection", date(8, 5), "实地检查防汛和地质灾害防治"),
    ] {
        if on <= as_of {
            log(head, activity, on, None, topic.into(), on).await?;
            records += 1;
        }
    }
    // Other leaders: weekly coordination (one misses July's last weeks), monthly check.
    for (i, o) in others.iter().enumerate() {
        let mut d = date(5, 2);
        while d <= as_of && d <= date(8, 31) {
            let missing = i == 1 && d >= date(7, 18) && d <= date(7, 31);
            if !missing {
                log(
                    *o,
                    "coordination",
                    d,
                    None,
                    "协调调度分管行业领域安全生产工作".into(),
                    d,
                )
                .await?;
                records += 1;
            }
            d = d + chrono::Days::new(7);
        }
        for m in &months {
            let on = date(*m, 12);
            if on <= as_of {
                log(*o, "check", on, None, "督查分管行业领域隐患整改".into(), on).await?;
                records += 1;
            }
        }
    }
    // Two records logged late, awaiting the office.
    if let Some((_, h)) = heads.first()
        && as_of >= date(8, 2)
    {
        log(
            *h,
            "check",
            date(7, 6),
            None,
            "补录：检查防汛物资储备".into(),
            date(7, 30),
        )
        .await?;
        log(
            admins[&towns[0].0],
            "inspection",
            date(7, 7),
            listed.first().map(|l| l.0),
            "补录：检查挂牌企业".into(),
            date(7, 30),
        )
        .await?;
        records += 2;
    }
    if as_of >= date(7, 6) {
        warning_and_breaker(db, &towns, office, date, at).await?;
    }
    if as_of >= date(8, 2) {
        special_period(db, office, as_of, at).await?;
    }
    Ok((registered, records))
}
