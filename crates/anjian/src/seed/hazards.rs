//! Hazard ledgers: `hazards` records the demo townships' ledgers from self-inspection
//! through the store's own functions (the office's listed major hazards, `bachuan`'s
//! hazards being fixed, overdue and closed ones); `city_hazards` writes the city
//! benchmark's 1,000,000 hazards in bulk.

use super::*;

/// Hazards of the demo ledgers: (sector, place, description, measures).
const DEMO_HAZARDS: &[(&str, &str, &str, &str)] = &[
    (
        "燃气",
        "餐饮店后厨",
        "液化石油气钢瓶与灶具间距不足1米",
        "钢瓶移至独立气瓶间并加装报警器",
    ),
    (
        "燃气",
        "农贸市场燃气管道",
        "明装燃气管道锈蚀，无防撞设施",
        "更换锈蚀管段并加装防撞护栏",
    ),
    (
        "消防",
        "商住楼疏散通道",
        "疏散通道堆放杂物，安全出口上锁",
        "清理杂物，安全出口改为推闩",
    ),
    (
        "消防",
        "小微企业员工宿舍",
        "宿舍内私拉乱接电线为电动车充电",
        "拆除私接线路，设置集中充电点",
    ),
    (
        "建设施工",
        "在建安置房项目",
        "脚手架连墙件缺失，未经验收投入使用",
        "补设连墙件，组织验收后使用",
    ),
    (
        "道路交通",
        "乡道急弯路段",
        "急弯处无警示标志和防护栏",
        "增设警示标志和波形护栏",
    ),
    (
        "危化品",
        "化工企业储罐区",
        "可燃气体检测报警器未定期标定",
        "委托检测机构标定并建立台账",
    ),
    (
        "工贸",
        "机械加工车间",
        "冲压设备双手操纵装置失效",
        "修复双手操纵装置，加装光电保护",
    ),
    (
        "特种设备",
        "商场自动扶梯",
        "自动扶梯超期未检验",
        "报请特种设备检验机构检验",
    ),
    (
        "人员密集场所",
        "农村自建民宿",
        "民宿未配置灭火器和应急照明",
        "配置灭火器和应急照明灯",
    ),
    (
        "地质灾害",
        "村道边坡",
        "雨后边坡出现裂缝，坡脚有民房",
        "设置监测点，雨季前组织避让",
    ),
    (
        "森林防火",
        "林区入山口",
        "防火检查站无人值守",
        "落实专人值守和入山登记",
    ),
];

/// Demo ledgers, May to `as_of`: each township records hazards from self-inspection
/// through the API's own store functions, so each has its loop history and audit
/// entries; older ones are mostly fixed and closed, some are overdue, the newest are
/// being fixed, and the office has listed two major ones. Returns how many.
pub async fn hazards(
    db: &Db,
    files: &anjian_store::files::FileStore,
    as_of: chrono::NaiveDate,
) -> Result<usize, String> {
    use anjian_core::case::Step;
    use anjian_core::hazard::{GovernancePlan, HazardInput};
    use anjian_store::hazards::{self, StepExtras};
    let e = |e: anjian_store::Error| e.to_string();
    let photo = files
        .put(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89")
        .await
        .map_err(|e| e.to_string())?;
    let after = [anjian_store::reports::EvidenceFile {
        sha256: photo,
        size: 33,
        mime: "image/png".into(),
        file_name: "整改后.png".into(),
    }];
    let before = [anjian_store::reports::EvidenceFile {
        file_name: "现场照片.png".into(),
        ..after[0].clone()
    }];
    let (towns, office) = towns_and_office(db).await?;
    let at = |d: chrono::NaiveDate| anjian_core::time::at_local(d, 10).unwrap_or_default();
    let start = chrono::NaiveDate::from_ymd_opt(2022, 5, 18).ok_or("date")?;
    let mut n = 0;
    let mut majors = Vec::new();
    for (t, (town, name)) in towns.iter().enumerate() {
        let actor = Actor {
            user_id: None,
            username: format!("demo:{name}"),
            role: "unit_operator".into(),
            unit_id: Some(*town),
        };
        for k in 0..4usize {
            let found = start + chrono::Days::new((k * 26 + t * 3 % 20) as u64);
            if found > as_of {
                continue;
            }
            let (sector, place, description, measures) =
                DEMO_HAZARDS[(t * 5 + k * 7) % DEMO_HAZARDS.len()];
            let major = (t + k) % 11 == 0;
            let deadline = found + chrono::Days::new(if major { 45 } else { 20 });
            let input = HazardInput {
                level: if major { "major" } else { "general" }.into(),
                sector: sector.into(),
                source: if k == 2 {
                    "supervision_visit"
                } else {
                    "self_inspection"
                }
                .into(),
                place: format!("{name}{place}"),
                description: description.into(),
                discovered_on: found.format("%Y-%m-%d").to_string(),
                measures: measures.into(),
                responsible_person: ["张建华", "李明", "王志强", "刘芳", "陈军"][(t + k) % 5]
                    .into(),
                funds: if major { "48000".into() } else { String::new() },
                deadline: deadline.format("%Y-%m-%d").to_string(),
                contingency_plan: if major {
                    "整改期间停止使用，设置警戒区，落实专人值守".into()
                } else {
                    String::new()
                },
                governance_plan: major.then(|| GovernancePlan {
                    targets: format!("消除{place}隐患"),
                    methods: measures.into(),
                    funds_and_materials: "4.8万元，由责任单位自筹".into(),
                    people: format!("{name}安办牵头，责任单位实施"),
                    deadline: format!("{}前完成", deadline.format("%-m月%-d日")),
                    safety_measures: "整改期间设置警戒区，专人监护".into(),
                }),
                fixed_on_spot: false,
            };
            let id = hazards::create(
                db,
                at(found),
                &actor,
                &anjian_store::scope::Scope::All,
                hazards::Finding {
                    input: &input,
                    photos: if major { &before[..] } else { &[] },
                },
                None,
            )
            .await
            .map_err(e)?;
            n += 1;
            if major {
                majors.push(id);
            }
            // Older hazards: fixed and closed before their deadline, some late, one in
            // six still open past it (overdue); the newest are still being fixed.
            let fixed = found + chrono::Days::new(12 + ((t + k) % 5) as u64);
            if major || (t + k) % 6 == 5 || fixed > as_of {
                continue;
            }
            let note = "已按整改措施完成整改，附整改后照片";
            let extras = StepExtras {
                note,
                files: &after,
                on_site: false,
            };
            hazards::step(
                db,
                at(fixed),
                &actor,
                &anjian_store::scope::Scope::All,
                id,
                &Step::Feedback,
                &extras,
            )
            .await
            .map_err(e)?;
            if (t + k) % 4 != 3 {
                let pass = StepExtras {
                    note: "",
                    files: &[],
                    on_site: false,
                };
                hazards::step(
                    db,
                    at(fixed),
                    &actor,
                    &anjian_store::scope::Scope::All,
                    id,
                    &Step::Verify { pass: true },
                    &pass,
                )
                .await
                .map_err(e)?;
            }
        }
    }
    let office_actor = Actor {
        user_id: None,
        username: "demo:区安委办".into(),
        role: "office_admin".into(),
        unit_id: Some(office),
    };
    for id in majors.iter().take(2) {
        hazards::list_for_supervision(
            db,
            at(as_of.min(chrono::NaiveDate::from_ymd_opt(2022, 8, 1).ok_or("date")?)),
            &office_actor,
            &anjian_store::scope::Scope::All,
            *id,
            hazards::Listing {
                leader: "区政府分管副区长",
                deadline: "2022-09-30",
                note: "每周五前报告整改进展",
            },
        )
        .await
        .map_err(e)?;
    }
    db.settle().await.map_err(e)?;
    Ok(n)
}

/// Hazard ledgers for a synthetic directory (the benchmark's city): `n` hazards found
/// from 1 May 2022 over 106 days, four in five on enterprises and the rest on townships,
/// each with its case, first step and rectification obligation, in a realistic mix as
/// of `now`: of those past their deadline 93% closed and the rest overdue; of the others
/// a third closed and the rest assigned, rectifying or fed back; one in thirty major, a
/// third of those listed.
/// Written with multi-row INSERTs in one transaction; returns how many hazards.
pub async fn city_hazards(db: &Db, now: i64, n: usize) -> Result<usize, anjian_store::Error> {
    struct U {
        id: i64,
        kind: String,
        parent_id: Option<i64>,
        name: String,
        sector_id: Option<i64>,
    }
    /// id, kind, parent, name, sector.
    type Row = (i64, String, Option<i64>, String, Option<i64>);
    let units: Vec<Row> = db
        .read()
        .all(q("SELECT u.id, u.kind, u.parent_id, u.name, (SELECT MIN(s.sector_id) FROM unit_sectors s WHERE s.unit_id = u.id) AS sector_id FROM units u WHERE u.kind IN ('township', 'zone_committee', 'enterprise') ORDER BY u.id"))
        .await?;
    let units: Vec<U> = units
        .into_iter()
        .map(|(id, kind, parent_id, name, sector_id)| U {
            id,
            kind,
            parent_id,
            name,
            sector_id,
        })
        .collect();
    let sectors: Vec<(i64,)> = db
        .read()
        .all(q("SELECT id FROM sectors ORDER BY id"))
        .await?;
    let (office,): (i64,) = db
        .read()
        .one(q("SELECT id FROM units WHERE code = 'office'"))
        .await?;
    let towns: Vec<&U> = units
        .iter()
        .filter(|u| u.kind == "township" || u.kind == "zone_committee")
        .collect();
    let town_names: std::collections::HashMap<i64, &str> =
        towns.iter().map(|u| (u.id, u.name.as_str())).collect();
    let ents: Vec<&U> = units.iter().filter(|u| u.kind == "enterprise").collect();
    if towns.is_empty() || sectors.is_empty() {
        return Ok(0);
    }
    let start = chrono::NaiveDate::from_ymd_opt(2022, 5, 1).expect("date");
    let today = anjian_core::time::local_date(now).unwrap_or(start);
    let mut rng: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let actor = Actor::system("bench seed");
    let mut tx = db.begin().await?;
    const CHUNK: usize = 150; // 6,000 is a multiple
    let mut done = 0;
    while done < n {
        let size = CHUNK.min(n - done);
        let mut cases = q(
            "INSERT INTO cases (id, kind, status, assigner_unit_id, unit_id, deadline, created_at, updated_at, closed_at) VALUES ",
        );
        let mut steps = q(
            "INSERT INTO case_steps (id, case_id, step, from_status, to_status, actor_id, unit_id, note, at) VALUES ",
        );
        let mut obligations = q(
            "INSERT INTO obligations (id, campaign_id, case_id, unit_id, due_on, label, min_count, state, submitted_at, closed_at, created_at, updated_at) VALUES ",
        );
        let mut hazards = q(
            "INSERT INTO hazards (id, case_id, unit_id, locality_id, sector_id, source, place, description, level, discovered_on, measures, responsible_person, funds_fen, deadline, contingency_plan, status, listed, created_at, updated_at) VALUES ",
        );
        for i in 0..size {
            let r = next();
            let (unit, assigner, town_name) = if r % 5 == 0 {
                let t = towns[(r as usize / 5) % towns.len()];
                (t, office, t.name.as_str())
            } else {
                let e = ents[(r as usize / 5) % ents.len().max(1)];
                let t = e.parent_id.unwrap_or(office);
                let town = town_names.get(&t).copied().unwrap_or("");
                (e, t, town)
            };
            let sector = unit
                .sector_id
                .unwrap_or(sectors[(r as usize >> 8) % sectors.len()].0);
            let (_, place, description, measures) =
                DEMO_HAZARDS[(r as usize >> 12) % DEMO_HAZARDS.len()];
            let found = start + chrono::Days::new((r >> 20) % 106);
            let major = (r >> 28) % 30 == 0;
            let deadline = found + chrono::Days::new(if major { 45 } else { 7 + (r >> 33) % 30 });
            // Past their deadline, nearly all are closed; the rest are overdue.
            let status = match ((r >> 40) % 100, deadline < today) {
                (0..=92, true) | (0..=34, false) => "closed",
                (93..=95, true) | (35..=54, false) => "feedback",
                (96..=97, true) | (55..=79, false) => "rectifying",
                _ => "assigned",
            };
            let listed = major && (r >> 48) % 3 == 0;
            let at = anjian_core::time::at_local(found, 10).unwrap_or(now);
            let closed_on = (found + chrono::Days::new(3 + (r >> 52) % 40)).min(today);
            let closed_at = (status == "closed")
                .then(|| anjian_core::time::at_local(closed_on, 16).unwrap_or(now));
            let ostate = match status {
                "closed" if closed_on > deadline => "done_late",
                "closed" => "accepted",
                "feedback" => "submitted",
                _ => "pending",
            };
            let (case_id, hazard_id) = (next_id(now), next_id(now));
            let sep = if i == 0 { "(" } else { ", (" };
            let found_s = day(found);
            let deadline_s = day(deadline);
            cases = cases
                .push(sep)
                .push_bind(case_id)
                .push(", 'hazard', ")
                .push_bind(status)
                .push(", ")
                .push_bind(assigner)
                .push(", ")
                .push_bind(unit.id)
                .push(", ")
                .push_bind(deadline_s.clone())
                .push(", ")
                .push_bind(at)
                .push(", ")
                .push_bind(closed_at.unwrap_or(at))
                .push(", ")
                .push_bind(closed_at)
                .push(")");
            steps = steps
                .push(sep)
                .push_bind(next_id(now))
                .push(", ")
                .push_bind(case_id)
                .push(", 'assign', NULL, 'assigned', NULL, ")
                .push_bind(assigner)
                .push(", ")
                .push_bind(format!("整改时限 {deadline_s}"))
                .push(", ")
                .push_bind(at)
                .push(")");
            obligations = obligations
                .push(sep)
                .push_bind(next_id(now))
                .push(", NULL, ")
                .push_bind(case_id)
                .push(", ")
                .push_bind(unit.id)
                .push(", ")
                .push_bind(deadline_s.clone())
                .push(", ")
                .push_bind(format!("隐患整改：{description}"))
                .push(", 1, ")
                .push_bind(ostate)
                .push(", ")
                .push_bind(closed_at)
                .push(", ")
                .push_bind(closed_at)
                .push(", ")
                .push_bind(at)
                .push(", ")
                .push_bind(closed_at.unwrap_or(at))
                .push(")");
            hazards = hazards
                .push(sep)
                .push_bind(hazard_id)
                .push(", ")
                .push_bind(case_id)
                .push(", ")
                .push_bind(unit.id)
                .push(", ")
                .push_bind(if unit.kind != "enterprise" {
                    unit.id
                } else {
                    unit.parent_id.unwrap_or(unit.id)
                })
                .push(", ")
                .push_bind(sector)
                .push(", ")
                .push_bind(if r % 7 == 0 {
                    "supervision_visit"
                } else {
                    "self_inspection"
                })
                .push(", ")
                .push_bind(format!("{town_name}{place}"))
                .push(", ")
                .push_bind(description)
                .push(", ")
                .push_bind(if major { "major" } else { "general" })
                .push(", ")
                .push_bind(found_s)
                .push(", ")
                .push_bind(measures)
                .push(", ")
                .push_bind(["张建华", "李明", "王志强", "刘芳", "陈军"][(r >> 56) as usize % 5])
                .push(", ")
                .push_bind(major.then_some(4_800_000_i64))
                .push(", ")
                .push_bind(deadline_s)
                .push(", ")
                .push_bind(major.then_some("整改期间停止使用，设置警戒区，落实专人值守"))
                .push(", ")
                .push_bind(status)
                .push(", ")
                .push_bind(i64::from(listed))
                .push(", ")
                .push_bind(at)
                .push(", ")
                .push_bind(closed_at.unwrap_or(at))
                .push(")");
        }
        tx.execute(cases).await?;
        tx.execute(steps).await?;
        tx.execute(obligations).await?;
        tx.execute(hazards).await?;
        done += size;
        if done == 6_000 {
            // Statistics once the tables have grown, for PostgreSQL's foreign-key checks.
            tx.analyze(&["cases", "case_steps", "obligations", "hazards"])
                .await?;
        }
        // Committed every 30,000 hazards: each statement changes the same few hundred
        // kept tallies (`hazard_tallies_by_sector`), and PostgreSQL keeps every version
        // a transaction wrote of a row until it ends, so one transaction for a million
        // hazards walked ever longer chains of versions (the seeding slowed without end).
        if done % 30_000 == 0 && done < n {
            tx.commit().await?;
            tx = db.begin().await?;
        }
    }
    audit::append(
        &mut tx,
        now,
        &actor,
        Entry::ok("hazard.seed", "hazards", "synthetic").detail(format!("合成隐患台账 {n} 条")),
    )
    .await?;
    tx.commit().await?;
    db.settle().await?;
    Ok(n)
}
