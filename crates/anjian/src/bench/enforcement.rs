//! `anjian bench --scale enforcement`: the synthetic city (1,000 townships, 200,000
//! registered enterprises) with 100,000 打非治违 cases (one in ten acted on jointly
//! with a department), 20,000 blacklist entries, and an accident at an enterprise
//! whose township's officials logged 1,000 duty records in the half-year before it.
//! Times the crackdown and blacklist lists (first and a later keyset page, the office
//! and a township) and the 一案双查 page and API for the investigating department
//! (issue 19 part 9: lists p95 < 20 ms, 一案双查 < 200 ms).

use std::time::Instant;

use anjian_store::db::{Arg, insert_rows};
use anjian_store::q;

use super::{BenchArgs, CITY_NOW, CITY_PASSWORD, city, login, serve_at, table};
use crate::setup::Common;

const CASES: usize = 100_000;
const ENTRIES: usize = 20_000;
const RECORDS: usize = 1_000;

/// Runs the scenario and prints its figures.
pub async fn run(c: &Common, args: &BenchArgs) -> Result<(), String> {
    let t = Instant::now();
    let (db, _url, _dir, engine, seeded) = city(c, "enforcement").await?;
    let e = |e: anjian_store::Error| e.to_string();
    let towns: Vec<(i64,)> = db
        .read()
        .all(q(
            "SELECT id FROM units WHERE kind = 'township' ORDER BY id",
        ))
        .await
        .map_err(e)?;
    let depts: Vec<(i64,)> = db
        .read()
        .all(q(
            "SELECT id FROM units WHERE kind = 'department' ORDER BY id LIMIT 50",
        ))
        .await
        .map_err(e)?;
    // The enterprises of the directory with their townships (their locality).
    let ents: Vec<(i64, i64)> = db
        .read()
        .all::<(i64, String)>(q(
            "SELECT id, path FROM units WHERE kind = 'enterprise' ORDER BY id",
        ))
        .await
        .map_err(e)?
        .into_iter()
        .filter_map(|(id, path)| anjian_store::scope::locality(&path).map(|t| (id, t)))
        .collect();
    if towns.is_empty() || depts.is_empty() || ents.is_empty() {
        return Err("城市目录为空".into());
    }
    let mut tx = db.begin().await.map_err(e)?;
    // 100,000 cases over the townships, a fifth recorded by departments, one in ten
    // joined by a department; found over the campaign's months.
    let mut id = 1_000_000_000i64;
    for chunk in (0..CASES).collect::<Vec<_>>().chunks(500) {
        let mut rows: Vec<Vec<Arg>> = Vec::with_capacity(chunk.len());
        let mut joint: Vec<Vec<Arg>> = Vec::new();
        for &i in chunk {
            id += 1;
            let town = towns[i % towns.len()].0;
            let dept = depts[i % depts.len()].0;
            let recorder = if i % 5 == 0 { dept } else { town };
            let on = format!("2022-{:02}-{:02}", 5 + (i % 4), 1 + (i % 28));
            let state = ["found", "acting", "closed"][i % 3];
            rows.push(vec![
                id.into(),
                town.into(),
                recorder.into(),
                format!("第{i}号地点").into(),
                format!("非法经营点{i}").into(),
                "无证生产经营".into(),
                "patrol".into(),
                on.into(),
                state.into(),
                if state == "found" { "" } else { "取缔" }.into(),
                CITY_NOW.into(),
                CITY_NOW.into(),
            ]);
            if i % 10 == 0 {
                joint.push(vec![id.into(), depts[(i / 10) % depts.len()].0.into()]);
            }
        }
        tx.execute(insert_rows(
            "INSERT INTO crackdown_cases (id, locality_id, unit_id, place, subject, facts, found_by, found_on, state, measures, created_at, updated_at) VALUES ",
            &rows,
        ))
        .await
        .map_err(e)?;
        if !joint.is_empty() {
            tx.execute(insert_rows(
                "INSERT INTO crackdown_units (case_id, unit_id) VALUES ",
                &joint,
            ))
            .await
            .map_err(e)?;
        }
    }
    // 20,000 blacklist entries, decided by the enterprises' townships.
    for chunk in (0..ENTRIES).collect::<Vec<_>>().chunks(500) {
        let rows: Vec<Vec<Arg>> = chunk
            .iter()
            .map(|&i| {
                id += 1;
                let (ent, town) = ents[(i * 10) % ents.len()];
                vec![
                    id.into(),
                    ent.into(),
                    town.into(),
                    "illegal_production".into(),
                    "经查实非法生产经营".into(),
                    "2022-07-01".into(),
                    "2025-06-30".into(),
                    CITY_NOW.into(),
                ]
            })
            .collect();
        tx.execute(insert_rows(
            "INSERT INTO blacklist (id, enterprise_id, unit_id, reason_kind, reason, decided_on, until_on, created_at) VALUES ",
            &rows,
        ))
        .await
        .map_err(e)?;
    }
    // The accident's township: 20 officials, 1,000 duty records in the half-year.
    let (ent, town) = ents[0];
    let mut officials = Vec::new();
    for k in 0..20 {
        id += 1;
        officials.push(id);
        tx.execute(
            q("INSERT INTO officials (id, unit_id, name, title, post, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $6)")
                .bind(id)
                .bind(town)
                .bind(format!("负责人{k}"))
                .bind("副镇长")
                .bind(if k == 0 { "township_head" } else { "responsible_official" })
                .bind(CITY_NOW),
        )
        .await
        .map_err(e)?;
    }
    for chunk in (0..RECORDS).collect::<Vec<_>>().chunks(500) {
        let rows: Vec<Vec<Arg>> = chunk
            .iter()
            .map(|&i| {
                id += 1;
                vec![
                    id.into(),
                    officials[i % officials.len()].into(),
                    "site_inspection".into(),
                    format!("2022-{:02}-{:02}", 2 + (i % 6), 1 + (i % 28)).into(),
                    "企业现场".into(),
                    "安全生产检查".into(),
                    ent.into(),
                    "counted".into(),
                    CITY_NOW.into(),
                ]
            })
            .collect();
        tx.execute(insert_rows(
            "INSERT INTO duty_records (id, official_id, activity, on_day, place, topic, enterprise_id, state, created_at) VALUES ",
            &rows,
        ))
        .await
        .map_err(e)?;
    }
    tx.commit().await.map_err(e)?;
    db.settle().await.map_err(e)?;
    db.analyze().await.map_err(e)?;
    // The accident, reported through the store in a sector of the city's directory; its
    // lead unit investigates.
    let sector = db
        .read()
        .all::<(String,)>(q("SELECT name FROM sectors ORDER BY id"))
        .await
        .map_err(e)?
        .into_iter()
        .map(|(n,)| n)
        .find(|n| anjian_core::sector::canonical(n) == n)
        .ok_or("城市目录没有行业领域")?;
    let office_actor = anjian_store::scope::Actor {
        user_id: None,
        username: "bench".into(),
        role: "office_admin".into(),
        unit_id: None,
    };
    let accident = anjian_store::accidents::create(
        &db,
        CITY_NOW,
        &office_actor,
        &anjian_store::scope::Scope::All,
        &anjian_store::accidents::NewAccident {
            unit: Some(town),
            enterprise: Some(ent),
            project: None,
            parties: Vec::new(),
            report: anjian_core::accident::AccidentInput {
                sector,
                occurred_at: "2022-08-10T09:00:00+08:00".into(),
                learned_at: String::new(),
                place: "基准测试企业".into(),
                account: "闪爆".into(),
                deaths: Some(1),
                missing: Some(0),
                serious_injuries: Some(0),
                direct_loss_yuan: Some(serde_json::json!(100000)),
                measures_taken: "警戒".into(),
            },
        },
    )
    .await
    .map_err(e)?;
    let (lead,): (Option<i64>,) = db
        .read()
        .one(q("SELECT lead_unit_id FROM accidents WHERE id = $1").bind(accident))
        .await
        .map_err(e)?;
    println!(
        "城市规模：打非治违案件 {CASES} 起，黑名单 {ENTRIES} 条，事故企业所在镇街履职记录 {RECORDS} 条（200,000 家企业）；生成用时 {:.1} s（{engine}）",
        t.elapsed().as_secs_f64()
    );
    let user_of = |unit: i64| {
        let db = db.clone();
        async move {
            db.read()
                .one::<(String,)>(
                    q("SELECT username FROM users WHERE unit_id = $1 ORDER BY id LIMIT 1")
                        .bind(unit),
                )
                .await
                .map(|(u,)| u)
                .map_err(|e| e.to_string())
        }
    };
    let town_user = user_of(towns[0].0).await?;
    let lead_user = match lead {
        Some(l) => user_of(l)
            .await
            .unwrap_or_else(|_| seeded.usernames[0].clone()),
        None => seeded.usernames[0].clone(),
    };
    let base = serve_at(db.clone(), CITY_NOW + 40 * 86_400_000).await?;
    let client = reqwest::Client::new();
    let office = login(&client, &base, &seeded.usernames[0], CITY_PASSWORD).await?;
    let township = login(&client, &base, &town_user, CITY_PASSWORD).await?;
    let investigator = login(&client, &base, &lead_user, CITY_PASSWORD).await?;
    let scenarios: Vec<(&str, String, &String)> = vec![
        (
            "区安委办 打非案件 API 第1页",
            "/api/v1/crackdown-cases".into(),
            &office,
        ),
        (
            "区安委办 打非案件 API 后页",
            format!(
                "/api/v1/crackdown-cases?after={}",
                1_000_000_000 + CASES as i64 / 2
            ),
            &office,
        ),
        (
            "镇街 打非案件 API",
            "/api/v1/crackdown-cases".into(),
            &township,
        ),
        ("镇街 打非案件页", "/crackdown".into(), &township),
        (
            "区安委办 黑名单 API 第1页",
            "/api/v1/blacklist".into(),
            &office,
        ),
        (
            "区安委办 黑名单 API 后页",
            format!(
                "/api/v1/blacklist?after={}",
                id - ENTRIES as i64 / 2 - RECORDS as i64 - 20
            ),
            &office,
        ),
        (
            "镇街 黑名单 API",
            "/api/v1/blacklist?active=true".into(),
            &township,
        ),
        (
            "调查单位 一案双查 API",
            format!("/api/v1/accidents/{accident}/dual-inquiry"),
            &investigator,
        ),
        (
            "调查单位 一案双查页",
            format!("/accidents/{accident}/dual-inquiry"),
            &investigator,
        ),
    ];
    table(
        &client,
        &base,
        &scenarios,
        args.seconds,
        &[1, args.concurrency],
    )
    .await;
    Ok(())
}
