//! The demo's daily publications for item (14): the lead units log one on most days
//! since the campaign began, and miss a few, which the daily page counts.

use anjian_store::Db;
use anjian_store::scope::Actor;
use chrono::{Duration, NaiveDate};

/// Logs the lead units' publications from the campaign's start to `today`, missing every
/// ninth day. Returns how many entries.
pub async fn load(db: &Db, today: NaiveDate) -> Result<usize, String> {
    let s = |e: anjian_store::Error| e.to_string();
    let lines = anjian_store::daily::lines(db, &anjian_store::scope::Scope::All, today)
        .await
        .map_err(s)?;
    let mut n = 0;
    for l in lines.iter().filter(|l| l.role == "lead") {
        let actor = Actor {
            user_id: None,
            username: "demo".into(),
            role: "unit_operator".into(),
            unit_id: Some(l.unit_id),
        };
        let first = today - Duration::days(l.days - 1);
        for (i, on) in first.iter_days().take(l.days as usize).enumerate() {
            if i % 9 == 4 {
                continue;
            }
            let broadcast = i % 5 == 0;
            let entry = anjian_core::daily::Entry {
                on,
                channel: if broadcast {
                    anjian_core::daily::Channel::Broadcast
                } else {
                    anjian_core::daily::Channel::Media
                },
                outlet: if broadcast {
                    "铜梁应急广播".into()
                } else {
                    "铜梁发布".into()
                },
                title: format!("{}安全生产大检查工作动态", on.format("%-m月%-d日")),
                link: (!broadcast).then(|| format!("https://www.cqstl.gov.cn/demo/{on}-{n}")),
            };
            let at = anjian_core::time::at_local(on, 18).unwrap_or(0);
            anjian_store::daily::log(db, at, &actor, l.assignment_id, &entry)
                .await
                .map_err(s)?;
            n += 1;
        }
    }
    Ok(n)
}
