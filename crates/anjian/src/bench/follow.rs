//! `anjian bench --scale follow`: a city's running campaign follows its directory. The
//! synthetic city's 1,000 townships and 60 departments (and 2,000 enterprises already
//! registered) run the Tongliang plan with the demo's groups, 各企业 among them; then
//! 1,000 enterprises are registered in one import, and each owes the campaign's
//! enterprise duties from that day (issue 24 part 1: under 2 s).

use std::time::Instant;

use anjian_core::enterprise::{EnterpriseInput, RiskLevel, credit_check_char};
use anjian_store::{Scope, q};

use super::{CITY_NOW, CITY_PASSWORD, finish, median};
use crate::seed::{self, Size};
use crate::setup::Common;

/// Enterprises registered in each timed import.
const JOINING: usize = 1_000;

/// Runs the scenario and prints its figures.
pub async fn run(c: &Common) -> Result<(), String> {
    let (db, url, dir) = super::fresh_db(c, "follow").await?;
    let e = |e: anjian_store::Error| e.to_string();
    let size = Size {
        townships: 1_000,
        departments: 60,
        enterprises: 2_000,
        users: 200,
    };
    seed::load(
        &db,
        CITY_NOW,
        size,
        &anjian_web::password::hash_now(CITY_PASSWORD),
    )
    .await
    .map_err(e)?;
    let actor = anjian_store::Actor::system("bench");
    crate::groups::define_missing(&db, CITY_NOW, &actor).await?;
    let (_, launched, ms) = super::launch_tongliang(&db, &actor).await?;
    println!(
        "城市（1000个镇街、2000家企业）启动铜梁方案 {ms:.0} ms（{} 个任务，{} 项应办事项）",
        launched.assignments, launched.obligations
    );
    let towns: Vec<(i64,)> = db
        .read()
        .all(q(
            "SELECT id FROM units WHERE kind = 'township' ORDER BY id",
        ))
        .await
        .map_err(e)?;
    let sector = "工贸";
    let mut times = Vec::new();
    for run in 0..5 {
        let rows: Vec<EnterpriseInput> = (0..JOINING)
            .map(|i| {
                let n = run * JOINING + i;
                EnterpriseInput {
                    name: format!("基准新登记企业{n:06}有限公司"),
                    credit_code: credit_code(n),
                    township: towns[n % towns.len()].0,
                    sector: sector.into(),
                    staff: 20,
                    risk_level: RiskLevel::Blue,
                    major_hazards: 0,
                    supervisor: None,
                    listed: false,
                    address: None,
                }
            })
            .collect();
        let before = super::count(&db, super::ALL_OBLIGATIONS).await?;
        let t = Instant::now();
        anjian_store::enterprises::import(&db, CITY_NOW, &actor, &Scope::All, &rows)
            .await
            .map_err(e)?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let after = super::count(&db, super::ALL_OBLIGATIONS).await?;
        println!(
            "第{}次：登记{JOINING}家企业并随名录分解 {ms:.0} ms（新增 {} 项应办事项）",
            run + 1,
            after - before
        );
        times.push(ms);
    }
    println!(
        "登记{JOINING}家企业进入运行中的专项行动，中位数 {:.0} ms（目标 < 2000 ms）",
        median(times)
    );
    finish(&url, &dir);
    Ok(())
}

/// A valid credit code for the `i`th enterprise of the benchmark.
fn credit_code(i: usize) -> String {
    let body = format!("91500224MB{:07}", 6_000_000 + i);
    let c = credit_check_char(&body).unwrap_or('0');
    format!("{body}{c}")
}
