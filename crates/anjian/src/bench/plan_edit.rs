//! `anjian bench --scale plan-edit`: the synthetic city (1,000 townships, its
//! departments) running the Tongliang plan; times giving the whole plan out, editing one
//! work item that every township owes (re-expanding it for the city, median of five),
//! and importing the plan again into the database that now holds those obligations.

use std::time::Instant;

use anjian_core::schedule::{Period, Schedule};
use anjian_core::unit::UnitKind;
use anjian_store::directory::groups::{self, Membership};
use anjian_store::plan_editor::{self, Change, Draft};

use super::{ALL_OBLIGATIONS, CITY_NOW, city, count, finish, launch_tongliang, median};
use crate::setup::Common;

/// Runs the scenario and prints its figures.
pub async fn run(c: &Common) -> Result<(), String> {
    let (db, url, dir, engine, _) = city(c, "plan-edit").await?;
    let e = |e: anjian_store::Error| e.to_string();
    let actor = anjian_store::Actor::system("bench");
    for (name, kind, supervises) in [
        ("各镇街", UnitKind::Township, false),
        ("各管委会", UnitKind::ZoneCommittee, false),
        ("区级负有安全生产监管职责的部门", UnitKind::Department, true),
        ("相关区级部门", UnitKind::Department, false),
        ("区属国有企业", UnitKind::Soe, false),
    ] {
        let membership = Membership::Rule {
            kind,
            supervises_safety: supervises,
        };
        groups::create(&db, CITY_NOW, &actor, name, "", &membership, &[])
            .await
            .map_err(e)?;
    }
    let (campaign, first, ms) = launch_tongliang(&db, &actor).await?;
    println!(
        "城市规模（{engine}）：导入并分解铜梁方案 {ms:.0} ms（{} 个任务，{} 项应办事项）",
        first.assignments, first.obligations
    );
    let edits = edit_item_20(&db, campaign).await?;
    println!(
        "修改一项工作要点（城市规模），中位数 {:.0} ms（目标 < 1000 ms）",
        median(edits)
    );
    let held = count(&db, ALL_OBLIGATIONS).await?;
    let (_, second, ms) = launch_tongliang(&db, &actor).await?;
    println!(
        "在已有 {held} 项应办事项的库中再次导入方案并分解：{ms:.0} ms（{} 项应办事项；目标 < 2000 ms）",
        second.obligations
    );
    finish(&url, &dir);
    Ok(())
}

/// Edits work item (20) of `campaign` five times, its schedule alternating between
/// quarterly and monthly, as the office would on 15 August 2022; prints each run and
/// returns the times in milliseconds.
pub(super) async fn edit_item_20(db: &anjian_store::Db, campaign: i64) -> Result<Vec<f64>, String> {
    let office = anjian_store::Actor {
        user_id: None,
        username: "bench".into(),
        role: "office_admin".into(),
        unit_id: None,
    };
    let mut edits = Vec::new();
    for run in 1..=5 {
        let every = if run % 2 == 0 {
            Period::Month
        } else {
            Period::Quarter
        };
        let change = Change::Edit {
            no: 20,
            draft: Draft {
                text: "镇街、管委会落实属地监管职责。".into(),
                lead: vec!["各镇街".into(), "各管委会".into()],
                co: Vec::new(),
                invited: Vec::new(),
                schedule: vec![Schedule::Recurring {
                    every,
                    min_count: 1,
                    day: None,
                }],
                reason: format!("基准测试第{run}次"),
            },
        };
        let t = Instant::now();
        let o = plan_editor::apply(db, CITY_NOW, &office, campaign, &change)
            .await
            .map_err(|e| e.to_string())?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "第{run}次：修改工作要点（20）并为 {} 个单位重新分解 {ms:.0} ms（新增 {}、移除 {}）",
            o.units.len(),
            o.added,
            o.removed
        );
        edits.push(ms);
    }
    Ok(edits)
}
