//! The demo's measures 七, 八 and 九 (issue 23 part 9): three projects (a chemical
//! storage expansion with both 安全评价 reports, a construction project whose
//! subcontractor works under another company's qualification, found by the (74)
//! inspection, a shopping-centre refit whose construction started before its approval),
//! the (70) review with one project to rectify and one closed as 落后产能, the chemical
//! enterprise's roster with two dispatched workers untrained on hazardous posts, and the
//! 较大事故's parties with its dispatching agency.

use anjian_core::time::Moment;
use anjian_core::unit::{UnitDraft, UnitKind};
use anjian_store::db::Db;
use anjian_store::q;
use anjian_store::scope::{Actor, Scope};
use chrono::NaiveDate;
use serde_json::json;

/// The enterprises the demo's contracting chain and roster need, beside the
/// directory's: (township, name, sector).
const UNITS: [(&str, &str, &str); 4] = [
    ("巴川街道", "重庆某劳务派遣有限公司", "工贸"),
    ("蒲吕街道", "重庆某建筑劳务有限公司", "建筑施工"),
    ("南城街道", "重庆某建设工程有限公司", "建筑施工"),
    ("南城街道", "重庆某建工集团有限公司", "建筑施工"),
];

/// Adds the enterprises of [`UNITS`] to the directory (before the register is filled,
/// so that they are registered like the others). Returns how many.
pub async fn units(db: &Db, now: i64) -> Result<usize, String> {
    let actor = Actor::system("demo");
    for (i, (town, name, sector)) in UNITS.iter().enumerate() {
        let town = id(db, town).await?;
        let draft = UnitDraft::parse(
            &format!("tl-m-{i}"),
            name,
            "",
            UnitKind::Enterprise.as_str(),
            false,
            "",
            sector,
        )
        .map_err(|e| e.to_string())?;
        anjian_store::directory::units::create(db, now, &actor, &Scope::All, &draft, Some(town))
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(UNITS.len())
}

async fn id(db: &Db, name: &str) -> Result<i64, String> {
    let (id,): (i64,) = db
        .read()
        .one(q("SELECT id FROM units WHERE name = $1").bind(name))
        .await
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(id)
}

/// A user of `unit` of the role.
fn actor(unit: i64, role: &str) -> Actor {
    Actor {
        user_id: None,
        username: "demo".into(),
        role: role.into(),
        unit_id: Some(unit),
    }
}

fn from<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T, String> {
    serde_json::from_value(v).map_err(|e| e.to_string())
}

/// What the demo holds of the three measures: (projects, contracts, workers).
pub async fn load(
    db: &Db,
    keyring: &anjian_core::sealed::Keyring,
    as_of: NaiveDate,
) -> Result<(usize, usize, usize), String> {
    use anjian_store::{accidents, contracts, enforcements, projects, workers};
    let e = |e: anjian_store::Error| e.to_string();
    // The seed's day: mid-August 2022, or the demo's day if earlier.
    let day = NaiveDate::from_ymd_opt(2022, 8, 20)
        .unwrap_or(as_of)
        .min(as_of);
    let at = |d: NaiveDate| Moment::at(anjian_core::time::at_local(d, 10).unwrap_or_default());
    let now = at(day);
    let fgw = actor(id(db, "区发展改革委").await?, "unit_operator");
    let zjw = actor(id(db, "区住房城乡建委").await?, "unit_operator");
    let all = Scope::All;
    let chem = id(db, "重庆铜梁某化工有限公司").await?;
    let soe = id(db, "铜梁区城市建设投资（集团）有限公司").await?;
    let mall = id(db, "铜梁区某商业综合体管理有限公司").await?;
    let foundry = id(db, "重庆某机械制造有限公司").await?;
    let general = id(db, "重庆某建筑工程有限公司铜梁项目部").await?;
    let labour = id(db, "重庆某建筑劳务有限公司").await?;
    let holder = id(db, "重庆某建设工程有限公司").await?;
    let group = id(db, "重庆某建工集团有限公司").await?;
    let agency = id(db, "重庆某劳务派遣有限公司").await?;
    let project = |name: &str, owner: i64, industry: &str, works: &str, crowded: bool| json!({"name": name, "owner": owner, "industry": industry, "works": works, "crowded": crowded});
    let mut ids = Vec::new();
    for (body, steps) in [
        (
            project(
                "重庆铜梁某化工有限公司储罐区扩建项目",
                chem,
                "危险化学品",
                "expansion",
                false,
            ),
            vec![
                json!({"step": "assessment", "on": "2022-01-10", "document": "安全风险评估论证意见"}),
                json!({"step": "pre_evaluation", "on": "2022-01-20", "body": "重庆某安全评价有限公司", "document": "安全预评价报告（渝安评〔2022〕015号）"}),
                json!({"step": "approval", "on": "2022-02-15", "document": "铜发改投〔2022〕21号"}),
                json!({"step": "design", "on": "2022-03-01"}),
                json!({"step": "construction", "on": "2022-04-01"}),
                json!({"step": "trial_run", "on": "2022-06-15"}),
                json!({"step": "acceptance_evaluation", "on": "2022-07-10", "body": "重庆某安全评价有限公司", "document": "安全验收评价报告（渝安评〔2022〕088号）"}),
                json!({"step": "acceptance", "on": "2022-07-20"}),
            ],
        ),
        (
            project("铜梁区某安置房建设项目", soe, "建筑施工", "new", false),
            vec![
                json!({"step": "assessment", "on": "2022-02-01"}),
                json!({"step": "approval", "on": "2022-03-01", "document": "铜发改投〔2022〕35号"}),
                json!({"step": "design", "on": "2022-03-10"}),
                json!({"step": "construction", "on": "2022-04-01"}),
            ],
        ),
        (
            project("铜梁区某商业中心改造项目", mall, "商贸", "rebuild", true),
            vec![
                json!({"step": "assessment", "on": "2022-03-01"}),
                json!({"step": "construction", "on": "2022-04-10"}),
                json!({"step": "approval", "on": "2022-05-20", "document": "铜发改投〔2022〕58号"}),
            ],
        ),
        (
            project(
                "重庆某机械制造有限公司铸造生产线技改项目",
                foundry,
                "工贸",
                "rebuild",
                false,
            ),
            vec![
                json!({"step": "assessment", "on": "2021-05-10"}),
                json!({"step": "approval", "on": "2021-06-01", "document": "铜发改投〔2021〕47号"}),
                json!({"step": "construction", "on": "2021-07-01"}),
            ],
        ),
    ] {
        let p = projects::create(db, now.ms, &fgw, &all, &from(body)?)
            .await
            .map_err(e)?;
        for s in steps {
            projects::record_step(db, now.ms, &fgw, &all, p, &from(s)?)
                .await
                .map_err(e)?;
        }
        ids.push(p);
    }
    // The chemical expansion: its 三同时 items done but the use, before it is put in use.
    let checks = json!({"checks": [
        {"item": "budget", "done": true, "evidence": "初步设计概算书（安全设施投资380万元）"},
        {"item": "design", "done": true, "evidence": "安全设施设计专篇及审查意见"},
        {"item": "construction", "done": true, "evidence": "安全设施施工情况报告"}
    ]});
    projects::patch(db, now.ms, &fgw, &all, ids[0], &from(checks)?)
        .await
        .map_err(e)?;
    // The chain of the housing project: the general contractor lets the facade to a
    // labour firm that works under another company's qualification (挂靠).
    let qualification = |number: &str, holder: Option<i64>| json!({"category": "建筑工程施工总承包", "grade": "二级", "number": number, "holder": holder, "valid_until": "2025-06-30"});
    let chain = [
        json!({"client": soe, "contractor": general, "work": "施工总承包", "whole": true, "main_structure": true, "signed_on": "2022-03-15", "qualification": qualification("D250012345", None)}),
        json!({"client": general, "contractor": labour, "work": "外墙保温及涂料", "signed_on": "2022-04-20", "qualification": qualification("D250067890", Some(holder))}),
    ];
    for c in chain {
        contracts::create(db, now.ms, &zjw, &all, ids[1], &from(c)?)
            .await
            .map_err(e)?;
    }
    anjian_store::enterprises::set_parent_company(
        db,
        now.ms,
        &Actor::system("demo"),
        &all,
        labour,
        Some(group),
    )
    .await
    .map_err(e)?;
    let (borrowed,): (i64,) = db
        .read()
        .one(q("SELECT id FROM contracts WHERE contractor_id = $1").bind(labour))
        .await
        .map_err(e)?;
    // The (74) special inspection by 区住房城乡建委 finds it.
    let inspected = NaiveDate::from_ymd_opt(2022, 8, 10).unwrap_or(day).min(day);
    let inspection = json!({
        "inspected_on": inspected.to_string(), "kind": "subcontracting", "contracts": [borrowed],
        "inspectors": [{"name": "周敏", "certificate": "渝建执0701"}, {"name": "何军", "certificate": "渝建执0702"}],
        "place": "铜梁区某安置房建设项目现场", "checked": "违法分包转包和挂靠资质专项检查",
        "problems": "外墙分包单位借用重庆某建设工程有限公司资质承揽工程", "handling": "责令限期改正，移送资质审批机关",
        "signed": true, "principal_checked": true, "heads_checked": true, "order_deadline": "2022-08-31"
    });
    enforcements::create(
        db,
        at(inspected),
        &zjw,
        &all,
        Some(labour),
        &from(inspection)?,
    )
    .await
    .map_err(e)?;
    // The (70) review: the refit to rectify, the foundry line closed as 落后产能.
    let review = anjian_store::projects::reviews::open(
        db,
        now,
        &fgw,
        &all,
        &from(json!({"name": "2022年项目审批“回头看”", "due": "2022-09-30"}))?,
    )
    .await
    .map_err(e)?;
    for (p, result, reason, due) in [
        (ids[0], "compliant", "安全评价、“三同时”手续齐全", ""),
        (
            ids[2],
            "rectify",
            "未批先建，消防设施未同步验收",
            "2022-10-31",
        ),
        (ids[3], "eliminate", "冲天炉熔炼工艺属落后产能", ""),
    ] {
        anjian_store::projects::reviews::decide(
            db,
            now,
            &fgw,
            &all,
            review,
            &from(json!({"project": p, "result": result, "reason": reason, "due": due}))?,
        )
        .await
        .map_err(e)?;
    }
    // The chemical enterprise's roster: two dispatched workers untrained on hazardous
    // posts among trained ones.
    let worker =
        |i: usize, name: &str, arrangement: &str, post: &str, trained: bool, special: bool| {
            let cert = special.then(|| format!("T50022419{i:02}"));
            json!({
                "name": name, "id_number": id_number(i), "arrangement": arrangement, "post": post,
                "hazardous": true, "special_operation": special,
                "agency": (arrangement == "dispatched").then_some(agency),
                "trained_on": if trained { "2022-03-15" } else { "" },
                "training_hours": if trained { Some(24) } else { None },
                "exam_passed": trained,
                "certificate": cert.clone().unwrap_or_default(),
                "certificate_valid_until": if special { "2025-03-31" } else { "" }
            })
        };
    let roster = [
        worker(1, "李小军", "dispatched", "储罐区巡检工", false, false),
        worker(2, "王大勇", "dispatched", "装卸工", false, false),
        worker(3, "陈明", "dispatched", "装卸工", true, false),
        worker(4, "赵刚", "flexible", "电工", true, true),
        worker(5, "刘芳", "intern", "化验员", true, false),
    ];
    let mut rows = Vec::new();
    for (i, w) in roster.into_iter().enumerate() {
        rows.push((i + 1, from(w)?));
    }
    let huagong = actor(chem, "enterprise_user");
    let n = workers::add(db, keyring, now, &huagong, &all, chem, &rows)
        .await
        .map_err(e)?;
    // The 较大事故 at the chemical enterprise: its parties, the agency among them, and
    // the project it happened at.
    let larger: Option<(i64,)> = db
        .read()
        .opt(
            q("SELECT id FROM accidents WHERE enterprise_id = $1 ORDER BY occurred_at LIMIT 1")
                .bind(chem),
        )
        .await
        .map_err(e)?;
    if let Some((a,)) = larger {
        let found = json!({"project": ids[0], "parties": [
            {"unit": chem, "role": "site", "responsibility": "主要责任：动火作业未执行特殊作业审批"},
            {"unit": chem, "role": "employer", "responsibility": "未将被派遣人员纳入本单位统一管理"},
            {"unit": agency, "role": "dispatcher", "responsibility": "未对被派遣人员开展岗前安全培训"}
        ]});
        let yjj = actor(id(db, "区应急局").await?, "unit_operator");
        accidents::name_parties(db, now.ms, &yjj, &all, a, &from(found)?)
            .await
            .map_err(e)?;
    }
    Ok((ids.len(), 2, n))
}

/// A valid ID number for the `i`-th synthetic worker (its check digit computed).
pub fn id_number_for(i: usize) -> String {
    with_check(&format!(
        "50022419{:02}{:02}{:02}{:03}",
        70 + (i / 1_000_000) % 30,
        1 + (i / 28_000) % 12,
        1 + (i / 1000) % 28,
        i % 1000
    ))
}

/// `body` (17 digits) with its check character.
fn with_check(body: &str) -> String {
    let check = anjian_core::worker::check_character(body).unwrap_or('0');
    format!("{body}{check}")
}

/// A valid ID number for the `i`-th demo worker.
fn id_number(i: usize) -> String {
    id_number_for(100 + i)
}

/// The synthetic city's measures for the benchmarks (`bench --scale workforce`), over
/// its registered enterprises: 20,000 projects (one in ten flagged 边审批边施工), ten
/// contracts each (200,000; one in twenty flagged), ten workers on each enterprise's
/// roster (2,000,000 with 200,000 enterprises; one in eight untrained, ID numbers
/// sealed), and every roster's figures, in multi-row inserts within one transaction.
/// Returns (projects, contracts, workers).
pub async fn city(
    db: &Db,
    keyring: &anjian_core::sealed::Keyring,
    now: i64,
) -> Result<(usize, usize, usize), anjian_store::Error> {
    use anjian_store::db::{Arg, insert_rows};
    use anjian_store::ids::next_id;
    let ents: Vec<(i64, i64, i64)> = db
        .read()
        .all(q(
            "SELECT unit_id, township_id, sector_id FROM enterprises ORDER BY unit_id",
        ))
        .await?;
    let depts: Vec<(i64,)> = db
        .read()
        .all(q(
            "SELECT id FROM units WHERE kind = 'department' ORDER BY id",
        ))
        .await?;
    if ents.is_empty() || depts.is_empty() {
        return Ok((0, 0, 0));
    }
    let mut tx = db.begin().await?;
    let n_projects = (ents.len() / 10).min(20_000);
    let mut projects = Vec::with_capacity(n_projects);
    for chunk in (0..n_projects).collect::<Vec<_>>().chunks(400) {
        let rows: Vec<Vec<Arg>> = chunk
            .iter()
            .map(|&i| {
                let (owner, town, sector) = ents[i * 10];
                let id = next_id(now);
                projects.push((id, owner));
                vec![
                    id.into(),
                    format!("合成项目{i}").into(),
                    owner.into(),
                    town.into(),
                    sector.into(),
                    "new".into(),
                    0i64.into(),
                    i64::from(i % 7 == 0).into(),
                    i64::from(i % 11 == 0).into(),
                    depts[i % depts.len()].0.into(),
                    0i64.into(),
                    "active".into(),
                    if i % 10 == 0 {
                        "built_before_approval"
                    } else {
                        ""
                    }
                    .into(),
                    now.into(),
                    now.into(),
                ]
            })
            .collect();
        tx.execute(insert_rows(
            "INSERT INTO projects (id, name, owner_id, township_id, sector_id, works, crowded, high_risk, evaluated, approver_id, batch_approval, state, flags, created_at, updated_at) VALUES ",
            &rows,
        ))
        .await?;
    }
    let mut contracts = 0;
    for chunk in projects.chunks(50) {
        let mut rows: Vec<Vec<Arg>> = Vec::with_capacity(500);
        for (pi, (p, owner)) in chunk.iter().enumerate() {
            for k in 0..10usize {
                let at = (pi * 10 + k + contracts) % ents.len();
                let client = if k == 0 {
                    *owner
                } else {
                    ents[(at + ents.len() - 1) % ents.len()].0
                };
                let flags = if (contracts + k) % 20 == 0 {
                    "borrowed_qualification"
                } else {
                    ""
                };
                rows.push(vec![
                    next_id(now).into(),
                    (*p).into(),
                    client.into(),
                    ents[at].0.into(),
                    "合成工程".into(),
                    0i64.into(),
                    0i64.into(),
                    "2022-03-01".into(),
                    "建筑工程施工总承包".into(),
                    "二级".into(),
                    format!("D{at:09}").into(),
                    ents[at].0.into(),
                    "2025-12-31".into(),
                    flags.into(),
                    now.into(),
                ]);
            }
        }
        contracts += rows.len();
        tx.execute(insert_rows(
            "INSERT INTO contracts (id, project_id, client_id, contractor_id, work, whole, main_structure, signed_on, q_category, q_grade, q_number, q_holder_id, q_valid_until, flags, created_at) VALUES ",
            &rows,
        ))
        .await?;
    }
    let mut workers = 0usize;
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).map_err(|e| anjian_store::Error::Config(e.to_string()))?;
    for chunk in ents.chunks(100) {
        let mut rows: Vec<Vec<Arg>> = Vec::with_capacity(1000);
        for (e, _, _) in chunk {
            for k in 0..10usize {
                let i = workers + rows.len();
                let id = next_id(now);
                let number = id_number_for(i);
                // A fresh nonce per value: the counter in its first eight bytes.
                nonce[..8].copy_from_slice(&(i as u64).to_le_bytes());
                let untrained = i.is_multiple_of(8);
                let arrangement = [
                    "dispatched",
                    "flexible",
                    "contracted",
                    "temporary",
                    "intern",
                ][k % 5];
                rows.push(vec![
                    id.into(),
                    (*e).into(),
                    format!("工人{i}").into(),
                    keyring
                        .seal(number.as_bytes(), format!("worker:{id}").as_bytes(), nonce)
                        .into(),
                    anjian_core::worker::masked(&number).into(),
                    arrangement.into(),
                    "操作工".into(),
                    i64::from(k < 4).into(),
                    i64::from(k == 0).into(),
                    None::<i64>.into(),
                    (!untrained).then_some("2022-03-01").into(),
                    (!untrained).then_some(24i64).into(),
                    i64::from(!untrained).into(),
                    i64::from(untrained).into(),
                    (k == 0).then(|| format!("T{i:08}")).into(),
                    (k == 0).then_some("2024-12-31").into(),
                    now.into(),
                    now.into(),
                ]);
            }
        }
        workers += rows.len();
        tx.execute(insert_rows(
            "INSERT INTO workers (id, enterprise_id, name, id_sealed, id_masked, arrangement, post, hazardous, special_operation, agency_id, trained_on, training_hours, exam_passed, untrained, certificate, certificate_valid_until, created_at, updated_at) VALUES ",
            &rows,
        ))
        .await?;
    }
    tx.execute(
        q("INSERT INTO workforce (enterprise_id, sector_id, total, dispatched_flexible, hazardous, hazardous_dispatched, untrained, special_operation, cert_earliest, uncertified, updated_at) SELECT w.enterprise_id, e.sector_id, CAST(COUNT(*) AS BIGINT), CAST(SUM(CASE WHEN w.arrangement IN ('dispatched', 'flexible') THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(w.hazardous) AS BIGINT), CAST(SUM(CASE WHEN w.hazardous = 1 AND w.arrangement = 'dispatched' THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(w.untrained) AS BIGINT), CAST(SUM(w.special_operation) AS BIGINT), MIN(CASE WHEN w.special_operation = 1 THEN w.certificate_valid_until END), 0, $1 FROM workers w JOIN enterprises e ON e.unit_id = w.enterprise_id GROUP BY w.enterprise_id, e.sector_id")
            .bind(now),
    )
    .await?;
    tx.commit().await?;
    Ok((projects.len(), contracts, workers))
}
