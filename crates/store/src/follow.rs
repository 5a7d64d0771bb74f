//! The campaign follows the directory: after a unit is registered, activated, moved or
//! deactivated, or a group changes, every running campaign's work is given again to the
//! units its names now stand for, through the same rules as a launch
//! (`expansion::units_for`, `Source::instances`). A unit that now answers a name owes
//! the campaign's duties from that day (instances due today or later: recurring ones
//! from their next period, one-off ones whose date is still ahead; nothing
//! retroactive); a unit that no longer does has its assignment ended and its open
//! obligations waived with the reason, and what it reported stays. The reconciliation
//! is idempotent: running it twice changes nothing the second time, so the background
//! job runs it too and a change made by several processes at once converges.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::{Db, day, q};
use crate::directory::Resolver;
use crate::error::Result;
use crate::expansion::{self, NewObligation, Period};
use crate::ids::next_id;
use crate::plans;
use crate::scope::Actor;

/// What following the directory changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Followed {
    /// Assignments given to units that now answer a name.
    pub joined: usize,
    /// Obligations those units now owe.
    pub owed: usize,
    /// Assignments ended for units that no longer answer a name.
    pub left: usize,
    /// Open obligations waived with them.
    pub waived: usize,
}

/// The reason an obligation is waived when its unit leaves a campaign's names.
pub const LEFT_REASON: &str = "单位已不在该事项的责任单位范围内（单位名录变化）";

/// Gives every running campaign's work again to the directory as it is on the day of
/// `now_ms` (one transaction per campaign that changes, with its audit entry).
pub async fn follow_directory(db: &Db, now_ms: i64) -> Result<Followed> {
    let today = anjian_core::time::local_date(now_ms).unwrap_or(NaiveDate::MIN);
    let candidates: Vec<plans::Campaign> = db
        .read()
        .all(
            q("SELECT id, plan_id, title, year, starts_on, ends_on FROM campaigns WHERE ends_on IS NULL OR ends_on >= $1 ORDER BY id")
                .bind(day(today)),
        )
        .await?;
    // Running: its window (to its end, or to its year's end while open) holds today.
    let running: Vec<plans::Campaign> = candidates
        .into_iter()
        .filter(|c| expansion::window(c).is_ok_and(|(s, e)| s <= today && today <= e))
        .collect();
    let mut total = Followed::default();
    if running.is_empty() {
        return Ok(total);
    }
    let resolver = Resolver::load(db).await?;
    let by_quota = expansion::quota_items(db).await?;
    for c in running {
        let f = follow_campaign(db, now_ms, today, &c, (&resolver, &by_quota)).await?;
        total.joined += f.joined;
        total.owed += f.owed;
        total.left += f.left;
        total.waived += f.waived;
    }
    Ok(total)
}

#[derive(sqlx::FromRow)]
struct Held {
    id: i64,
    work_item_id: Option<i64>,
    duty_id: Option<i64>,
    unit_id: i64,
}

async fn follow_campaign(
    db: &Db,
    now_ms: i64,
    today: NaiveDate,
    c: &plans::Campaign,
    (resolver, by_quota): (&Resolver, &HashSet<u32>),
) -> Result<Followed> {
    let (plan, ids) = plans::campaign_plan(db, c).await?;
    let win = expansion::window(c)?;
    let grace = expansion::grace_to(db, win.0).await?;
    let periods: Vec<Period> = db.read().all(q(expansion::PERIODS_OF).bind(c.id)).await?;
    let spans: Vec<(NaiveDate, NaiveDate)> = periods.iter().filter_map(Period::span).collect();
    // The campaign's row is locked and its assignments read inside the transaction, so
    // that two runs at once (two processes, or a change during the job) never both add
    // the same unit.
    let mut tx = db.begin().await?;
    tx.execute(q("UPDATE campaigns SET id = id WHERE id = $1").bind(c.id))
        .await?;
    let held: Vec<Held> = tx
        .all(
            q("SELECT id, work_item_id, duty_id, unit_id FROM assignments WHERE campaign_id = $1 AND ended_at IS NULL")
                .bind(c.id),
        )
        .await?;
    let mut by_source: HashMap<(Option<i64>, Option<i64>), HashMap<i64, i64>> = HashMap::new();
    for h in &held {
        by_source
            .entry((h.work_item_id, h.duty_id))
            .or_default()
            .insert(h.unit_id, h.id);
    }
    let mut joined: Vec<expansion::NewAssignment> = Vec::new();
    let mut owed: Vec<NewObligation> = Vec::new();
    let mut left: Vec<i64> = Vec::new();
    for s in expansion::sources(&plan, &ids, by_quota) {
        let (units, reviewer) = expansion::units_for(
            &s.lead,
            &s.co,
            &s.invited,
            s.work_item_id.is_some(),
            (resolver, &s.text),
            |_| {},
        );
        let have = by_source
            .remove(&(s.work_item_id, s.duty_id))
            .unwrap_or_default();
        let wanted: HashSet<i64> = units.iter().map(|(u, _)| *u).collect();
        let mut ahead: Option<Vec<anjian_core::obligation::Instance>> = None;
        for (unit, role) in &units {
            if have.contains_key(unit) {
                continue;
            }
            let aid = next_id(now_ms);
            joined.push((
                aid,
                s.work_item_id,
                s.duty_id,
                *unit,
                *role,
                reviewer.filter(|_| *role == "co"),
            ));
            if *role == "invited" {
                continue;
            }
            let instances = ahead.get_or_insert_with(|| {
                s.instances(win, &spans, grace)
                    .into_iter()
                    .filter(|i| i.due_on >= today)
                    .collect()
            });
            for i in instances.iter() {
                owed.push((aid, *unit, i.due_on, i.label.clone(), i.min_count));
            }
        }
        for (unit, aid) in have {
            if !wanted.contains(&unit) {
                left.push(aid);
            }
        }
    }
    // Sources no longer in the plan (retired items) were ended by the editor; anything
    // left here belongs to none and is left alone.
    if joined.is_empty() && left.is_empty() {
        return Ok(Followed::default());
    }
    expansion::insert_assignments(&mut tx, now_ms, c.id, &joined).await?;
    expansion::insert_obligations(&mut tx, now_ms, c.id, &owed).await?;
    let mut waived = 0;
    for chunk in left.chunks(300) {
        waived += tx
            .execute(
                q("UPDATE obligations SET state = 'waived', waived_reason = ")
                    .push_bind(LEFT_REASON)
                    .push(", closed_at = ")
                    .push_bind(now_ms)
                    .push(", updated_at = ")
                    .push_bind(now_ms)
                    .push(" WHERE state IN ('pending', 'returned', 'submitted') AND assignment_id IN (")
                    .push_list(chunk)
                    .push(")"),
            )
            .await? as usize;
        tx.execute(
            q("UPDATE assignments SET ended_at = ")
                .push_bind(now_ms)
                .push(" WHERE ended_at IS NULL AND id IN (")
                .push_list(chunk)
                .push(")"),
        )
        .await?;
    }
    let f = Followed {
        joined: joined.len(),
        owed: owed.len(),
        left: left.len(),
        waived,
    };
    let e = Entry::ok("campaign.follow_directory", "campaign", c.id).detail(format!(
        "随单位名录调整：新增{}个任务、{}项应办事项；{}个任务结束，豁免{}项未办结事项",
        f.joined, f.owed, f.left, f.waived
    ));
    audit::append(&mut tx, now_ms, &Actor::system("directory"), e).await?;
    tx.commit().await?;
    Ok(f)
}
