//! `anjian bench --scale ranking`: the synthetic city (1,000 townships, 200,000
//! enterprises) with 1,000,000 hazards and 200,000 enforcement records from May to mid-
//! August 2022, the server's clock at 15 August; times the monthly ranking computed
//! afresh (both kinds), the office's and a township's dashboard, the ranking and a
//! township's enforcement records over HTTP, and the bulletin's generation.

use std::time::Instant;

use anjian_core::monthly_report::Month;

use super::{BenchArgs, CITY_NOW, CITY_PASSWORD, city, finish, login, median, serve_at, table};
use crate::seed;
use crate::setup::Common;

/// How many hazards the city's ledgers hold.
const HAZARDS: usize = 1_000_000;
/// How many enforcement records.
const ENFORCEMENTS: usize = 200_000;

/// Runs the scenario and prints its figures.
pub async fn run(c: &Common, args: &BenchArgs) -> Result<(), String> {
    let t = Instant::now();
    let (db, url, dir, engine, seeded) = city(c, "ranking").await?;
    let (password, now) = (CITY_PASSWORD, CITY_NOW);
    let today = anjian_core::time::local_date(now).ok_or("date")?;
    let e = |e: anjian_store::Error| e.to_string();
    let hazards = seed::city_hazards(&db, now, HAZARDS).await.map_err(e)?;
    let records = seed::city_enforcements(&db, now, ENFORCEMENTS)
        .await
        .map_err(e)?;
    db.settle().await.map_err(e)?;
    println!(
        "城市规模：1000 个镇街，20 万家企业，{hazards} 条隐患，{records} 条执法记录；生成用时 {:.1} s（{engine}）",
        t.elapsed().as_secs_f64()
    );
    // The ranking computed afresh: both kinds of July, with the runs carried on from a
    // kept June (computed first, as the first use of July would).
    let july = Month::parse("2022-07").map_err(|e| e.message)?;
    let june = Month::parse("2022-06").map_err(|e| e.message)?;
    let t = Instant::now();
    anjian_store::rankings::ensure_kept(&db, now, today, june)
        .await
        .map_err(e)?;
    println!(
        "首次排名（补算此前12个月并保存，含6月）：{:.2} s",
        t.elapsed().as_secs_f64()
    );
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        anjian_store::rankings::recompute(
            &db,
            anjian_core::time::Moment::new(now, today),
            &anjian_store::Actor::system("bench"),
            july,
        )
        .await
        .map_err(e)?;
        times.push(t.elapsed().as_secs_f64());
    }
    println!(
        "7月排名重新计算（镇街与部门，读取台账、执法、任务并保存）：中位数 {:.3} s，5 次：{:?}（目标 < 1 s）",
        median(times.clone()),
        times.iter().map(|t| format!("{t:.3}")).collect::<Vec<_>>()
    );
    // The bulletin: composed from the kept rankings, written as .docx and .xlsx,
    // numbered and archived.
    let files = anjian_store::files::FileStore::new(&dir);
    let actor = anjian_store::Actor::system("bench");
    let mut times = Vec::new();
    for m in ["2022-07", "2022-06", "2022-05"] {
        let m = Month::parse(m).map_err(|e| e.message)?;
        let t = Instant::now();
        anjian_store::bulletins::generate(
            &db,
            &files,
            anjian_core::time::Moment::new(now, today),
            &actor,
            m,
        )
        .await
        .map_err(e)?;
        times.push(t.elapsed().as_secs_f64());
    }
    println!(
        "生成月度通报（7、6、5月，Word + 附表并存档）：中位数 {:.3} s，{:?}（目标 < 2 s）",
        median(times.clone()),
        times.iter().map(|t| format!("{t:.3}")).collect::<Vec<_>>()
    );
    let base = serve_at(db, now).await?;
    let client = reqwest::Client::new();
    let office = login(&client, &base, &seeded.usernames[0], password).await?;
    let town = login(&client, &base, &seeded.usernames[1], password).await?;
    let scenarios: Vec<(&str, String, &String)> = vec![
        (
            "区安委办 看板 API 7月",
            "/api/v1/dashboard?month=2022-07".into(),
            &office,
        ),
        ("区安委办 首页看板 7月", "/?month=2022-07".into(), &office),
        (
            "镇街 看板 API 7月",
            "/api/v1/dashboard?month=2022-07".into(),
            &town,
        ),
        ("镇街 首页看板 7月", "/?month=2022-07".into(), &town),
        (
            "镇街 执法记录 API 第一页",
            "/api/v1/enforcements".into(),
            &town,
        ),
        ("镇街 执法记录页", "/enforcements".into(), &town),
        (
            "区安委办 零执法监测 API 7月",
            "/api/v1/enforcements/watch?month=2022-07".into(),
            &office,
        ),
        (
            "区安委办 执法记录页 7月",
            "/enforcements?month=2022-07".into(),
            &office,
        ),
        (
            "区安委办 排名 API 7月 镇街",
            "/api/v1/rankings/2022-07?kind=township".into(),
            &office,
        ),
        (
            "区安委办 排名 API 7月 部门",
            "/api/v1/rankings/2022-07?kind=department".into(),
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
