//! `anjian bench --scale responsibility`: the synthetic city (1,000 townships, 200,000
//! enterprises, one in five listed) with 5,000 officials and their duty records from May
//! to mid-August 2022, the server's clock at 15 August; times the quota standings of
//! July computed in the store, the quota API and page over HTTP, and a township's
//! public board (no login).

use std::time::Instant;

use super::{BenchArgs, CITY_NOW, CITY_PASSWORD, city, finish, login, median, serve_at, table};
use crate::seed;
use crate::setup::Common;

/// Runs the scenario and prints its figures.
pub async fn run(c: &Common, args: &BenchArgs) -> Result<(), String> {
    let t = Instant::now();
    let (db, url, dir, engine, seeded) = city(c, "responsibility").await?;
    let (password, now) = (CITY_PASSWORD, CITY_NOW);
    let today = anjian_core::time::local_date(now).ok_or("date")?;
    let e = |e: anjian_store::Error| e.to_string();
    let (ents, officials, records) = seed::responsibility::city(&db, now).await.map_err(e)?;
    db.settle().await.map_err(e)?;
    db.analyze().await.map_err(e)?;
    println!(
        "城市规模：{ents} 家企业（五分之一挂牌），{officials} 名干部，{records} 条履职记录；生成用时 {:.1} s（{engine}）",
        t.elapsed().as_secs_f64()
    );
    let july = anjian_core::monthly_report::Month::parse("2022-07").map_err(|e| e.message)?;
    let mut times = Vec::new();
    let mut people = 0;
    for _ in 0..5 {
        let t = Instant::now();
        people = anjian_store::duty::standings(&db, &anjian_store::Scope::All, july.span(), today)
            .await
            .map_err(e)?
            .len();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "7月履职定额（{people} 人次，存储层计算）：中位数 {:.0} ms，5 次：{:?}（目标 < 300 ms）",
        median(times.clone()),
        times.iter().map(|t| format!("{t:.0}")).collect::<Vec<_>>()
    );
    let (town,): (i64,) = db
        .read()
        .one(anjian_store::q(
            "SELECT township_id FROM enterprises WHERE listed = 1 ORDER BY unit_id LIMIT 1",
        ))
        .await
        .map_err(e)?;
    let base = serve_at(db, now).await?;
    let client = reqwest::Client::new();
    let office = login(&client, &base, &seeded.usernames[0], password).await?;
    let township = login(&client, &base, &seeded.usernames[1], password).await?;
    let nobody = String::new();
    let scenarios: Vec<(&str, String, &String)> = vec![
        (
            "区安委办 定额 API 7月",
            "/api/v1/quotas/2022-07".into(),
            &office,
        ),
        (
            "区安委办 履职纪实页 7月",
            "/quotas?month=2022-07".into(),
            &office,
        ),
        (
            "镇街 定额 API 7月",
            "/api/v1/quotas/2022-07".into(),
            &township,
        ),
        (
            "公示牌 API（免登录）",
            format!("/api/v1/public/boards/{town}"),
            &nobody,
        ),
        ("公示牌页面（免登录）", format!("/boards/{town}"), &nobody),
        (
            "镇街 企业名录 API 挂牌",
            "/api/v1/enterprises?listed=true".into(),
            &township,
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
