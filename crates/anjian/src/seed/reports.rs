//! What the townships report and the office sees of them: the monthly reports of the
//! campaign's months (most on time, some late, a few missing on the office's matrix) and
//! the office's unannounced visits and supervision rounds with their findings.

use super::*;

/// The townships' monthly reports for the campaign's months up to `as_of`: most sent by
/// the 28th, some a few days late, a few never (shown as missing on the office's matrix).
/// Each goes through the store, so its figures are the township's ledger and its
/// month's obligation is submitted. Returns how many were sent.
pub async fn monthly_reports(db: &Db, as_of: chrono::NaiveDate) -> Result<usize, String> {
    use anjian_core::monthly_report::Month;
    use anjian_core::role::Role;
    use anjian_core::unit::UnitKind;
    use anjian_store::monthly_reports::{Draft, save};
    let e = |e: anjian_store::Error| e.to_string();
    let towns: Vec<(i64, String, String)> = db
        .read()
        .all(q(
            "SELECT id, name, path FROM units WHERE kind = 'township' ORDER BY name",
        ))
        .await
        .map_err(e)?;
    let mut n = 0;
    for (t, (town, name, path)) in towns.iter().enumerate() {
        let actor = Actor {
            user_id: None,
            username: format!("demo:{name}"),
            role: "unit_operator".into(),
            unit_id: Some(*town),
        };
        let scope = anjian_store::scope::Scope::for_user(
            Role::UnitOperator,
            *town,
            UnitKind::Township,
            path,
        );
        for (m, month) in [(5u32, "5月"), (6, "6月"), (7, "7月"), (8, "8月")] {
            let Some(first) = chrono::NaiveDate::from_ymd_opt(2022, m, 1) else {
                continue;
            };
            let month_of = Month::of(first);
            // One township in seven misses a month; one in five is late.
            if (t + m as usize) % 7 == 3 {
                continue;
            }
            let day = if (t + m as usize) % 5 == 1 {
                month_of.last + chrono::Days::new(3)
            } else {
                first + chrono::Days::new(22 + (t % 6) as u64)
            };
            if day > as_of {
                continue;
            }
            // Most standing duties get a line of progress; a few are left for the office
            // to return.
            let progress: Vec<(i64, String)> =
                anjian_store::monthly_reports::standing(db, *town, month_of)
                    .await
                    .map_err(e)?
                    .into_iter()
                    .enumerate()
                    .filter(|(k, _)| (k + t) % 9 != 4)
                    .map(|(_, l)| {
                        (
                            l.obligation_id,
                            format!(
                                "{name}本月按要求落实：召开专题会议1次，督促相关单位整改问题{}个。",
                                1 + (t + m as usize) % 4
                            ),
                        )
                    })
                    .collect();
            let draft = Draft {
                progress: &progress,
                narrative: &format!(
                    "{name}{month}组织开展安全生产大排查大整治，检查生产经营单位{}家，对发现的问题隐患落实“五落实”并跟踪整改。",
                    18 + (t * 7 + m as usize) % 40
                ),
                problems: "部分小餐饮场所燃气报警器未安装\n个别企业应急预案未按期演练",
                submit: true,
            };
            let at = anjian_core::time::at_local(day, 16).unwrap_or_default();
            save(db, at, &actor, &scope, month_of, &draft)
                .await
                .map_err(e)?;
            n += 1;
        }
    }
    Ok(n)
}

/// The demo directory's townships (by name) and the office's unit.
pub(super) async fn towns_and_office(db: &Db) -> Result<(Vec<(i64, String)>, i64), String> {
    let e = |e: anjian_store::Error| e.to_string();
    let towns: Vec<(i64, String)> = db
        .read()
        .all(q(
            "SELECT id, name FROM units WHERE kind = 'township' ORDER BY name",
        ))
        .await
        .map_err(e)?;
    let (office,): (i64,) = db
        .read()
        .one(q(
            "SELECT id FROM units WHERE kind = 'committee_office' AND name = '区安委办'",
        ))
        .await
        .map_err(e)?;
    Ok((towns, office))
}

/// The office's visits: a recorded unannounced visit per month from June with one
/// finding in each of two townships (one marked for exposure), and a supervision round
/// planned for the coming week. Returns how many visits.
pub async fn visits(db: &Db, as_of: chrono::NaiveDate) -> Result<usize, String> {
    use anjian_core::hazard::HazardInput;
    use anjian_store::visits;
    let e = |e: anjian_store::Error| e.to_string();
    let (towns, office) = towns_and_office(db).await?;
    let actor = Actor {
        user_id: None,
        username: "demo:区安委办".into(),
        role: "office_admin".into(),
        unit_id: Some(office),
    };
    let scope = anjian_store::scope::Scope::All;
    let mut n = 0;
    for (m, month) in [(6u32, "6月"), (7, "7月"), (8, "8月")] {
        let Some(on) = chrono::NaiveDate::from_ymd_opt(2022, m, 12) else {
            continue;
        };
        if on > as_of || towns.len() < 2 {
            continue;
        }
        let pair = [
            &towns[(m as usize * 3) % towns.len()],
            &towns[(m as usize * 3 + 5) % towns.len()],
        ];
        let plan = anjian_core::visit::check(
            "unannounced",
            &format!("{month}燃气和人员密集场所四不两直暗访"),
            "区安委办带队，区应急局、区消防救援支队参加",
            &on.to_string(),
            &on.to_string(),
        )
        .map_err(|e| e.message)?;
        let at = anjian_core::time::at_local(on, 9).unwrap_or_default();
        let id = visits::plan(db, at, &actor, &scope, &plan, &[pair[0].0, pair[1].0])
            .await
            .map_err(e)?;
        for (k, (town, name)) in pair.iter().enumerate() {
            let input = HazardInput {
                level: "general".into(),
                sector: if k == 0 {
                    "燃气"
                } else {
                    "人员密集场所"
                }
                .into(),
                place: format!("{name}{}", if k == 0 { "某火锅店" } else { "某超市" }),
                description: if k == 0 {
                    "液化气钢瓶放置在厨房操作间，未安装燃气泄漏报警器"
                } else {
                    "安全出口上锁，疏散通道堆放货物"
                }
                .into(),
                discovered_on: on.to_string(),
                measures: if k == 0 {
                    "钢瓶移至独立气瓶间，安装报警器"
                } else {
                    "立即开锁，清理通道"
                }
                .into(),
                responsible_person: ["张建华", "李明"][k].into(),
                deadline: (on + chrono::Days::new(10)).to_string(),
                ..HazardInput::default()
            };
            let hazard = visits::add_finding(
                db,
                at,
                &actor,
                id,
                *town,
                anjian_store::hazards::Finding {
                    input: &input,
                    photos: &[],
                },
            )
            .await
            .map_err(e)?;
            if k == 1 {
                visits::expose(db, at, &actor, id, hazard, true)
                    .await
                    .map_err(e)?;
            }
        }
        let report = format!("{month}暗访餐饮、商超场所8家，发现问题2项，已交办属地镇街限期整改");
        visits::record(db, at + 3_600_000, &actor, id, &report)
            .await
            .map_err(e)?;
        n += 1;
    }
    let next = as_of + chrono::Days::new(7);
    let plan = anjian_core::visit::check(
        "supervision",
        "安全生产大排查大整治第二轮督查",
        "区安委办、区减灾办联合督查组",
        &next.to_string(),
        &(next + chrono::Days::new(2)).to_string(),
    )
    .map_err(|e| e.message)?;
    let at = anjian_core::time::at_local(as_of, 9).unwrap_or_default();
    let targets: Vec<i64> = towns.iter().take(4).map(|(id, _)| *id).collect();
    visits::plan(db, at, &actor, &scope, &plan, &targets)
        .await
        .map_err(e)?;
    Ok(n + 1 + units_visits(db, as_of).await?)
}

/// Visits by the units the plan names besides the office: 区应急局 guides 巴川街道's
/// daily enforcement (phase 三 "对各镇街…指导帮扶", (93)), and 区纪委监委机关 visits
/// 区交通局 unannounced ((45) "开展明查暗访、追责问责"). Returns how many.
async fn units_visits(db: &Db, as_of: chrono::NaiveDate) -> Result<usize, String> {
    use anjian_core::role::Role;
    use anjian_core::unit::UnitKind;
    let e = |e: anjian_store::Error| e.to_string();
    let unit = |name: &'static str| async move {
        db.read()
            .opt::<(i64, String)>(q("SELECT id, path FROM units WHERE name = $1").bind(name))
            .await
            .map_err(e)
    };
    let mut n = 0;
    for (visitor, target, kind, title, team, day) in [
        (
            "区应急局",
            "巴川街道",
            "assisted",
            "指导巴川街道日常监管执法",
            "区应急局执法支队",
            20u32,
        ),
        (
            "区纪委监委机关",
            "区交通局",
            "unannounced",
            "道路运输安全监管履职明查暗访",
            "区纪委监委第三监督检查室",
            25,
        ),
    ] {
        let (Some((v, path)), Some((t, _))) = (unit(visitor).await?, unit(target).await?) else {
            continue;
        };
        let Some(on) = chrono::NaiveDate::from_ymd_opt(2022, 7, day).filter(|d| *d <= as_of) else {
            continue;
        };
        let actor = Actor {
            user_id: None,
            username: format!("demo:{visitor}"),
            role: "unit_operator".into(),
            unit_id: Some(v),
        };
        let scope = anjian_store::scope::Scope::for_user(
            Role::UnitOperator,
            v,
            UnitKind::Department,
            &path,
        );
        let plan = anjian_core::visit::check(kind, title, team, &on.to_string(), &on.to_string())
            .map_err(|e| e.message)?;
        let at = anjian_core::time::at_local(on, 9).unwrap_or_default();
        let id = anjian_store::visits::plan(db, at, &actor, &scope, &plan, &[t])
            .await
            .map_err(e)?;
        anjian_store::visits::record(
            db,
            at + 3_600_000,
            &actor,
            id,
            &format!("{title}：已反馈意见，督促整改"),
        )
        .await
        .map_err(e)?;
        n += 1;
    }
    Ok(n)
}
