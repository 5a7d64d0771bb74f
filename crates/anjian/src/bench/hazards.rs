//! `anjian bench --scale hazards`: the synthetic city (1,000 townships, 200,000
//! enterprises) with 1,000,000 hazards found from May to mid-August 2022, the server's
//! clock at 15 August; times the filtered ledger pages, a township's monthly report
//! (its figures are read from the ledger) and the statistics pages over HTTP.

use std::time::Instant;

use super::{BenchArgs, finish, fresh_db, get_json, login, rows, serve_at};
use crate::seed::{self, Size};
use crate::setup::Common;

/// How many hazards the city's ledgers hold.
const HAZARDS: usize = 1_000_000;

/// Runs the scenario and prints its table.
pub async fn run(c: &Common, args: &BenchArgs) -> Result<(), String> {
    let (db, url, dir) = fresh_db(c, "hazards").await?;
    let password = "Bench#2022pass";
    let now = 1_660_521_600_000; // 2022-08-15 08:00 Shanghai
    let t = Instant::now();
    // `ANJIAN_BENCH_REUSE=1` with a database a previous run of this scenario seeded
    // (and kept: `ANJIAN_BENCH_KEEP=1` for SQLite) measures it again without reseeding.
    let (usernames, n) = if let Some(n) = super::reusing(&db).await? {
        (seed::usernames(Size::CITY), n as usize)
    } else {
        let seeded = seed::load(
            &db,
            now,
            Size::CITY,
            &anjian_web::password::hash_now(password),
        )
        .await
        .map_err(|e| e.to_string())?;
        let n = seed::city_hazards(&db, now, HAZARDS)
            .await
            .map_err(|e| e.to_string())?;
        (seeded.usernames, n)
    };
    println!(
        "城市规模：1000 个镇街，20 万家企业，{n} 条隐患（含立案、首步和整改时限应办事项）；生成用时 {:.1} s（{}）",
        t.elapsed().as_secs_f64(),
        if url.starts_with("sqlite:") {
            "SQLite"
        } else {
            "PostgreSQL"
        }
    );
    let base = serve_at(db, now).await?;
    let client = reqwest::Client::new();
    let office = login(&client, &base, &usernames[0], password).await?;
    let town = login(&client, &base, &usernames[1], password).await?;
    // The first department supervises a sector (every other one does).
    let dept = login(&client, &base, &usernames[1001], password).await?;
    let page2 = get_json(&client, &format!("{base}/api/v1/hazards"), &office).await?;
    let after = page2
        .as_array()
        .and_then(|a| a.last())
        .and_then(|h| h["id"].as_i64())
        .unwrap_or_default();
    let ledger: Vec<(&str, String, &String)> = vec![
        (
            "镇街 隐患台账 API ?status=overdue",
            "/api/v1/hazards?status=overdue".into(),
            &town,
        ),
        (
            "镇街 隐患台账 API ?level=major",
            "/api/v1/hazards?level=major".into(),
            &town,
        ),
        (
            "镇街 隐患台账页 ?status=rectifying",
            "/hazards?status=rectifying".into(),
            &town,
        ),
        (
            "区安委办 API ?sector=城镇燃气&status=overdue",
            "/api/v1/hazards?sector=城镇燃气&status=overdue".into(),
            &office,
        ),
        (
            "区安委办 API ?level=major&status=assigned",
            "/api/v1/hazards?level=major&status=assigned".into(),
            &office,
        ),
        (
            "区安委办 API 第2页 ?after=",
            format!("/api/v1/hazards?after={after}"),
            &office,
        ),
        (
            "行业部门 API ?status=overdue",
            "/api/v1/hazards?status=overdue".into(),
            &dept,
        ),
    ];
    let figures: Vec<(&str, String, &String)> = vec![
        (
            "镇街 7月月报（数字取自台账）",
            "/monthly-reports/2022-07".into(),
            &town,
        ),
        ("镇街 隐患统计（按单位）", "/hazards/stats".into(), &town),
        (
            "区安委办 隐患统计（按单位）",
            "/hazards/stats".into(),
            &office,
        ),
        (
            "区安委办 隐患统计（按行业）",
            "/hazards/stats?by=sector".into(),
            &office,
        ),
        (
            "区安委办 隐患统计（按月）",
            "/hazards/stats?by=month".into(),
            &office,
        ),
        (
            "行业部门 隐患统计（按单位）",
            "/hazards/stats".into(),
            &dept,
        ),
    ];
    println!(
        "\n| {:<44} | {:>8} | {:>6} | {:>8} | {:>7} | {:>7} | {:>7} |",
        "endpoint", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms"
    );
    // The ledger pages with one client and with many; the figures with one.
    let runs = [(&ledger, 1), (&ledger, args.concurrency), (&figures, 1)];
    for (scenarios, concurrency) in runs {
        println!("并发 {concurrency}");
        rows(&client, &base, scenarios, args.seconds, concurrency).await;
    }
    finish(&url, &dir);
    Ok(())
}
