//! Enforcement: the demo's small enterprises in every township (`township_enterprises`),
//! the inspections the townships and supervising departments record each month (`yjj`,
//! `bachuan`, a few units left at zero for the zero-enforcement watch), and the city
//! benchmark's records in bulk.

use super::*;

/// Gives every demo township without enterprises two small ones of the common trades
/// (a brick works, a hardware plant, a filling station…), so that each township and
/// most supervising departments have someone to inspect. Returns how many were added.
pub async fn township_enterprises(db: &Db, now: i64) -> Result<usize, String> {
    use anjian_core::unit::{UnitDraft, UnitKind};
    use anjian_store::scope::Scope;
    const TRADES: &[(&str, &str)] = &[
        ("某页岩砖厂", "工贸"),
        ("某五金制品有限公司", "工贸"),
        ("某加油站", "危险化学品"),
        ("某农贸市场", "消防"),
        ("某食品加工厂", "工贸"),
        ("某砂石场", "非煤矿山"),
        ("某物流有限公司", "道路运输"),
        ("某液化气供应站", "城镇燃气"),
        ("某养老院", "养老机构"),
        ("某建材有限公司", "建筑施工"),
        ("某电梯维保站", "特种设备"),
        ("某KTV", "文化娱乐场所"),
        ("某民营医院", "医疗机构"),
        ("某民办幼儿园", "学校"),
        ("某小水电站", "水利工程"),
        ("某国有林场", "林业"),
        ("某购物中心", "商贸"),
        ("某危险货物运输有限公司", "危险化学品运输"),
        ("某农机专业合作社", "农业机械"),
        ("某天然气输气站", "天然气长输管道"),
        ("某城市公园", "城市公园"),
        ("某机动车驾驶培训学校", "道路交通"),
        ("某地质灾害治理项目部", "地质灾害"),
    ];
    let e = |e: anjian_store::Error| e.to_string();
    let towns: Vec<(i64, String)> = db
        .read()
        .all(q("SELECT t.id, t.name FROM units t WHERE t.kind IN ('township', 'zone_committee') AND NOT EXISTS (SELECT 1 FROM units c WHERE c.parent_id = t.id AND c.kind = 'enterprise') ORDER BY t.name"))
        .await
        .map_err(e)?;
    let actor = Actor::system("demo");
    let mut n = 0;
    for (i, (town, name)) in towns.iter().enumerate() {
        let short = name.trim_end_matches("街道").trim_end_matches('镇');
        for k in 0..2 {
            let (trade, sector) = TRADES[(i * 2 + k) % TRADES.len()];
            let draft = UnitDraft::parse(
                &format!("tl-ent-{}-{k}", town % 1_000_000),
                &format!("铜梁区{short}{trade}"),
                "",
                UnitKind::Enterprise.as_str(),
                false,
                "",
                sector,
            )
            .map_err(|e| e.to_string())?;
            anjian_store::directory::units::create(
                db,
                now,
                &actor,
                &Scope::All,
                &draft,
                Some(*town),
            )
            .await
            .map_err(e)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Enforcement for the demo from May to `as_of`: every township and department that
/// has enterprises in its scope inspects some of them each month (two certified
/// inspectors, problems, an order to rectify; every third inspection ends in a fine).
/// Units without enterprises to inspect, and a few others each month, stay at zero, as
/// the watch should show.
/// Returns how many records.
pub async fn enforcements(db: &Db, as_of: chrono::NaiveDate) -> Result<usize, String> {
    use anjian_core::enforcement::{EnforcementInput, Inspector, PenaltyInput};
    use anjian_core::unit::UnitKind;
    use anjian_store::scope::Scope;
    let e = |e: anjian_store::Error| e.to_string();
    let units: Vec<(i64, String, String, String)> = db
        .read()
        .all(q(
            "SELECT id, name, kind, path FROM units WHERE kind IN ('township', 'department') AND active = 1 ORDER BY name",
        ))
        .await
        .map_err(e)?;
    const PEOPLE: &[&str] = &["王强", "刘洋", "陈静", "张伟", "李娜", "赵磊"];
    const CHECKS: &[(&str, &str, &str)] = &[
        (
            "生产车间及配电房",
            "安全生产责任制落实、电气线路、两个必查",
            "配电房无绝缘垫\n安全生产责任制未公示",
        ),
        (
            "储罐区及装卸区",
            "重大危险源管理、特殊作业审批",
            "可燃气体报警器未定期检定\n动火作业票填写不全",
        ),
        (
            "仓库及消防通道",
            "消防设施、疏散通道、应急预案演练",
            "消防通道堆放货物",
        ),
    ];
    let mut n = 0;
    for (i, (unit, name, kind, path)) in units.iter().enumerate() {
        let scope = Scope::Subtree {
            unit_id: *unit,
            path: path.clone(),
            sector_supervisor: kind == "department",
        };
        let f = anjian_store::directory::UnitFilter {
            limit: 50,
            kind: Some(UnitKind::Enterprise),
            ..anjian_store::directory::UnitFilter::default()
        };
        let enterprises = anjian_store::directory::units::list(db, &scope, &f)
            .await
            .map_err(e)?;
        if enterprises.is_empty() {
            continue;
        }
        let actor = Actor {
            user_id: None,
            username: format!("demo:{name}"),
            role: "unit_operator".into(),
            unit_id: Some(*unit),
        };
        for month in 5..=8u32 {
            // A few units each month do not enforce at all (零执法 units), as the watch,
            // the ranking and the bulletin should show.
            if (i + month as usize * 3).is_multiple_of(11) {
                continue;
            }
            for k in 0..(1 + (i + month as usize) % 3) {
                let Some(on) =
                    chrono::NaiveDate::from_ymd_opt(2022, month, 3 + ((i * 5 + k * 9) % 24) as u32)
                else {
                    continue;
                };
                if on > as_of {
                    continue;
                }
                let ent = &enterprises[(i + k + month as usize) % enterprises.len()];
                let (place, checked, problems) = CHECKS[(i + k) % CHECKS.len()];
                let fine = (i + k + month as usize).is_multiple_of(3);
                let input = EnforcementInput {
                    inspected_on: on.to_string(),
                    inspectors: (0..2)
                        .map(|j| Inspector {
                            name: PEOPLE[(i + j) % PEOPLE.len()].into(),
                            certificate: format!("渝执{:03}{:02}", i + 1, j + 1),
                        })
                        .collect(),
                    place: place.into(),
                    checked: checked.into(),
                    problems: problems.into(),
                    handling: "当场责令限期整改".into(),
                    signed: k % 4 != 3,
                    principal_checked: Some(true),
                    heads_checked: Some(k % 2 == 0),
                    order_deadline: (on + chrono::Days::new(10)).to_string(),
                    to_ledger: false,
                    kind: String::new(),
                    contracts: Vec::new(),
                    penalty: fine.then(|| PenaltyInput {
                        kind: "罚款".into(),
                        amount: format!("{}", 10_000 * (1 + (i + k) % 5)),
                        legal_basis: "《中华人民共和国安全生产法》第一百零一条".into(),
                        decided_on: (on + chrono::Days::new(3)).min(as_of).to_string(),
                        paid_by: (on + chrono::Days::new(18)).to_string(),
                        discretion: "《重庆市安全生产行政处罚自由裁量基准》第12项 一般".into(),
                    }),
                };
                let at = anjian_core::time::at_local(on, 15).unwrap_or_default();
                anjian_store::enforcements::create(
                    db,
                    anjian_core::time::Moment::new(at, as_of.max(on)),
                    &actor,
                    &scope,
                    Some(ent.id),
                    &input,
                )
                .await
                .map_err(|err| format!("{name}：{err}"))?;
                n += 1;
            }
        }
    }
    Ok(n)
}

/// Writes `n` enforcement records for the synthetic city from 1 May to the day before
/// `now`, in one transaction with multi-row INSERTs: nine in ten by townships of their
/// own enterprises, the rest by departments with supervisory duties; two certified
/// inspectors each, one in four fined. Every twentieth township never enforces, so the
/// zero-enforcement watch has units to name. Returns how many were written.
pub async fn city_enforcements(db: &Db, now: i64, n: usize) -> Result<usize, anjian_store::Error> {
    let units: Vec<(i64, String, Option<i64>, i64)> = db
        .read()
        .all(q("SELECT id, kind, parent_id, supervises_safety FROM units WHERE kind IN ('township', 'department', 'enterprise') AND active = 1 ORDER BY id"))
        .await?;
    let towns: Vec<i64> = units
        .iter()
        .filter(|u| u.1 == "township")
        .map(|u| u.0)
        .enumerate()
        .filter(|(i, _)| i % 20 != 7)
        .map(|(_, id)| id)
        .collect();
    let depts: Vec<i64> = units
        .iter()
        .filter(|u| u.1 == "department" && u.3 == 1)
        .map(|u| u.0)
        .collect();
    let mut ents_of: std::collections::HashMap<i64, Vec<i64>> = Default::default();
    let mut all_ents = Vec::new();
    for u in units.iter().filter(|u| u.1 == "enterprise") {
        all_ents.push(u.0);
        if let Some(p) = u.2 {
            ents_of.entry(p).or_default().push(u.0);
        }
    }
    if towns.is_empty() || all_ents.is_empty() {
        return Ok(0);
    }
    let start = chrono::NaiveDate::from_ymd_opt(2022, 5, 1).expect("date");
    let today = anjian_core::time::local_date(now).unwrap_or(start);
    let days = (today - start).num_days().max(1) as u64;
    let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut tx = db.begin().await?;
    let mut done = 0;
    while done < n {
        let size = 200.min(n - done);
        let mut records = Vec::with_capacity(size);
        let mut inspectors = Vec::with_capacity(size * 2);
        for _ in 0..size {
            let r = next();
            let (unit, enterprise) = if r % 10 == 0 && !depts.is_empty() {
                let d = depts[(r as usize / 10) % depts.len()];
                (d, all_ents[(r as usize >> 20) % all_ents.len()])
            } else {
                let t = towns[(r as usize / 10) % towns.len()];
                let e = ents_of
                    .get(&t)
                    .and_then(|v| v.get((r as usize >> 20) % v.len()))
                    .copied()
                    .unwrap_or(all_ents[(r as usize >> 20) % all_ents.len()]);
                (t, e)
            };
            let on = start + chrono::Days::new((r >> 30) % days);
            let fined = (r >> 40) % 4 == 0;
            let problems = 1 + (r >> 44) % 3;
            let id = next_id(now);
            let at = anjian_core::time::at_local(on, 15).unwrap_or(now);
            let step = if fined { "penalty" } else { "inspection" };
            records.push(vec![
                id.into(),
                unit.into(),
                enterprise.into(),
                day(on).into(),
                "生产车间及仓库".into(),
                "安全生产责任制落实、两个必查".into(),
                "消防通道堆放货物".into(),
                (problems as i64).into(),
                "当场责令限期整改".into(),
                1i64.into(),
                1i64.into(),
                1i64.into(),
                day(on + chrono::Days::new(15)).into(),
                step.into(),
                fined.then_some("罚款").into(),
                fined
                    .then_some(1_000_000 * (1 + (r >> 50) as i64 % 5))
                    .into(),
                fined.then_some("《安全生产法》第九十九条").into(),
                fined.then(|| day(on + chrono::Days::new(3))).into(),
                at.into(),
                at.into(),
            ]);
            for j in 0..2 {
                inspectors.push(vec![
                    id.into(),
                    format!("渝执{:06}{j}", (unit % 1_000_000)).into(),
                    ["王强", "刘洋", "陈静", "张伟"][(j + (r >> 56) as usize) % 4].into(),
                ]);
            }
        }
        tx.execute(anjian_store::db::insert_rows(
            "INSERT INTO enforcements (id, unit_id, enterprise_id, inspected_on, place, checked, problems, problem_count, handling, signed, principal_checked, heads_checked, order_deadline, step, penalty_kind, penalty_amount_fen, penalty_legal_basis, penalty_decided_on, created_at, updated_at) VALUES ",
            &records,
        ))
        .await?;
        tx.execute(anjian_store::db::insert_rows(
            "INSERT INTO enforcement_inspectors (enforcement_id, certificate, name) VALUES ",
            &inspectors,
        ))
        .await?;
        done += size;
        if done == 6_000 {
            tx.analyze(&["enforcements", "enforcement_inspectors"])
                .await?;
        }
    }
    tx.commit().await?;
    Ok(done)
}

/// The demo's blacklist (issue 19 part 4): two enterprises entered by recorded
/// decisions, one by 区应急局 after a recheck found it had not rectified, one by its
/// township for illegal operation. Returns how many were entered.
pub async fn blacklist(db: &Db, as_of: chrono::NaiveDate) -> Result<usize, String> {
    use anjian_store::scope::Scope;
    let picks: [(&str, &str, &str, &str); 2] = [
        (
            "区应急局",
            "重庆铜梁某化工有限公司",
            "refused_rectification",
            "2022年6月执法检查责令限期整改可燃气体报警器未定期检定问题，复查仍未整改，按日连续处罚后仍拒不整改",
        ),
        (
            "安居镇",
            "铜梁区安居古镇旅游开发有限公司",
            "illegal_production",
            "景区游乐设施未经检验擅自投入运营，责令停止使用后仍继续经营，经联合执法查实",
        ),
    ];
    let mut n = 0;
    for (unit_name, enterprise, kind, reason) in picks {
        let found: Option<(i64, i64)> = db
            .read()
            .opt(
                q("SELECT u.id, x.id FROM units u, units x WHERE u.name = $1 AND x.name = $2")
                    .bind(unit_name)
                    .bind(enterprise),
            )
            .await
            .map_err(|e| e.to_string())?;
        let Some((unit, ent)) = found else {
            continue;
        };
        let actor = Actor {
            user_id: None,
            username: format!("demo:{unit_name}"),
            role: "unit_operator".into(),
            unit_id: Some(unit),
        };
        let decided = as_of - chrono::Days::new(5);
        anjian_store::blacklist::enter(
            db,
            anjian_core::time::Moment::new(
                anjian_core::time::at_local(decided, 10).unwrap_or_default(),
                as_of,
            ),
            &actor,
            &Scope::All,
            &anjian_core::blacklist::EntryInput {
                enterprise: Some(ent),
                reason_kind: kind.into(),
                reason: reason.into(),
                decided_on: decided.to_string(),
                until: (decided + chrono::Days::new(365)).to_string(),
            },
        )
        .await
        .map_err(|e| format!("{unit_name}：{e}"))?;
        n += 1;
    }
    Ok(n)
}
