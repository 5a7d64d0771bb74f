//! `anjian bench --scale people`: the synthetic city (1,000 townships, 200,000
//! enterprises, 5,000 officials with their duty records) with the clock at 5 January
//! 2023: the twelve months of 2022 ranked and kept, then times the year's annual
//! assessment (issue 20: under 2 s) and one official's duty file with 2,000 records
//! in the year (under 100 ms), in the store and over HTTP.

use std::time::Instant;

use super::{BenchArgs, CITY_PASSWORD, city, finish, login, median, serve_at, table};
use crate::seed;
use crate::setup::Common;

/// 5 January 2023, 08:00 Beijing time.
const NEW_YEAR: i64 = 1_672_876_800_000;

/// Runs the scenario and prints its figures.
pub async fn run(c: &Common, args: &BenchArgs) -> Result<(), String> {
    let t = Instant::now();
    let (db, url, dir, engine, seeded) = city(c, "people").await?;
    let e = |e: anjian_store::Error| e.to_string();
    let (ents, officials, records) = seed::responsibility::city(&db, super::CITY_NOW)
        .await
        .map_err(e)?;
    // One official with 2,000 records in 2022, spread over the year.
    let (busy,): (i64,) = db
        .read()
        .one(anjian_store::q(
            "SELECT id FROM officials WHERE post = 'township_head' ORDER BY id LIMIT 1",
        ))
        .await
        .map_err(e)?;
    let first = chrono::NaiveDate::from_ymd_opt(2022, 1, 1).ok_or("date")?;
    let rows: Vec<Vec<anjian_store::db::Arg>> = (0..2000i64)
        .map(|i| {
            let on = first + chrono::Days::new((i * 365 / 2000) as u64);
            vec![
                (9_000_000_000 + i).into(),
                busy.into(),
                ["study", "site_inspection", "hear_report", "coordination"][(i % 4) as usize]
                    .into(),
                on.to_string().into(),
                "镇政府会议室".into(),
                format!("安全生产专题 {i}").into(),
                anjian_store::db::Arg::Int(None),
                "counted".into(),
                super::CITY_NOW.into(),
            ]
        })
        .collect();
    {
        let mut tx = db.begin().await.map_err(e)?;
        for chunk in rows.chunks(500) {
            tx.execute(anjian_store::db::insert_rows(
                "INSERT INTO duty_records (id, official_id, activity, on_day, place, topic, enterprise_id, state, created_at) VALUES ",
                chunk,
            ))
            .await
            .map_err(e)?;
        }
        tx.commit().await.map_err(e)?;
    }
    db.settle().await.map_err(e)?;
    db.analyze().await.map_err(e)?;
    println!(
        "城市规模：1000 个镇街，{ents} 家企业，{officials} 名干部，{} 条履职记录；生成用时 {:.1} s（{engine}）",
        records + 2000,
        t.elapsed().as_secs_f64()
    );
    let today = anjian_core::time::local_date(NEW_YEAR).ok_or("date")?;
    let december = anjian_core::monthly_report::Month::parse("2022-12").map_err(|e| e.message)?;
    let t = Instant::now();
    anjian_store::rankings::ensure_kept(&db, NEW_YEAR, today, december)
        .await
        .map_err(e)?;
    println!(
        "2022年1—12月排名计算并保存：{:.1} s",
        t.elapsed().as_secs_f64()
    );
    let office = anjian_store::Actor::system("bench");
    let mut times = Vec::new();
    let mut units = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let a = anjian_store::assessments::of_year(
            &db,
            anjian_core::time::Moment::new(NEW_YEAR, today),
            &office,
            2022,
        )
        .await
        .map_err(e)?;
        units = a.townships.len() + a.departments.len();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "2022年度考核（{units} 个镇街和部门，12个月，存储层计算）：中位数 {:.0} ms，5 次：{:?}（目标 < 2000 ms）",
        median(times.clone()),
        times.iter().map(|t| format!("{t:.0}")).collect::<Vec<_>>()
    );
    let mut times = Vec::new();
    let mut n = 0;
    for _ in 0..9 {
        let t = Instant::now();
        let f = anjian_store::duty_file::of(&db, &anjian_store::Scope::All, busy, 2022, today)
            .await
            .map_err(e)?;
        n = f.records.len();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "履职档案（{n} 条记录，存储层读取）：中位数 {:.1} ms，9 次：{:?}（目标 < 100 ms）",
        median(times.clone()),
        times.iter().map(|t| format!("{t:.1}")).collect::<Vec<_>>()
    );
    // The accounts' passwords were set in August; a new year would ask them changed.
    let mut tx = db.begin().await.map_err(e)?;
    tx.execute(anjian_store::q("UPDATE users SET password_changed_at = $1").bind(NEW_YEAR))
        .await
        .map_err(e)?;
    tx.commit().await.map_err(e)?;
    let base = serve_at(db, NEW_YEAR).await?;
    let client = reqwest::Client::new();
    let office = login(&client, &base, &seeded.usernames[0], CITY_PASSWORD).await?;
    let scenarios: Vec<(&str, String, &String)> = vec![
        (
            "区安委办 年度考核 API",
            "/api/v1/assessments/2022".into(),
            &office,
        ),
        (
            "区安委办 年度考核页面",
            "/assessments?year=2022".into(),
            &office,
        ),
        (
            "履职档案 API（2000条）",
            format!("/api/v1/officials/{busy}/file/2022"),
            &office,
        ),
        (
            "履职档案页面（2000条）",
            format!("/officials/{busy}/file?year=2022"),
            &office,
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
    finish(&url, &dir);
    Ok(())
}
