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

use anjian_core::machine::States as _;
use anjian_core::obligation::State;
use anjian_core::time::Moment;
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::{Conn, Db, Tx, day, q};
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
    /// Assignments kept whose role (牵头 / 配合 / 必要时邀请) or reviewing unit changed.
    pub recast: usize,
}

impl Followed {
    /// What following changed, as the acting entry's detail ends (empty when nothing).
    pub fn note(&self) -> String {
        if *self == Followed::default() {
            return String::new();
        }
        format!(
            "；运行中的任务随单位名录调整：新增{}个任务、{}项应办事项；{}个任务结束，豁免{}项未办结事项；{}个任务的角色或审核单位改变",
            self.joined, self.owed, self.left, self.waived, self.recast
        )
    }

    /// Appends the acting entry `e` with what following changed at the end of its
    /// detail: a change to the directory and the campaign work it moves are one action,
    /// one entry of the chain.
    pub async fn recorded(
        self,
        tx: &mut Tx,
        now_ms: i64,
        actor: &Actor,
        e: Entry,
    ) -> Result<Followed> {
        let detail = format!("{}{}", e.detail, self.note());
        audit::append(tx, now_ms, actor, e.detail(detail)).await?;
        Ok(self)
    }
}

/// The reason an obligation is waived when its unit leaves a campaign's names.
pub const LEFT_REASON: &str = "单位已不在该事项的责任单位范围内（单位名录变化）";

/// Gives every running campaign's work again to the directory as it is on the day of
/// `now_ms`, in one transaction with one audit entry per campaign that changes (the
/// background job; a directory change follows inside its own transaction, see
/// [`Follow`]).
pub async fn follow_directory(db: &Db, now_ms: i64) -> Result<Followed> {
    let f = Follow::prepare(db, now_ms).await?;
    if f.running.is_empty() {
        return Ok(Followed::default());
    }
    let mut tx = db.begin().await?;
    let done = f.apply(&mut tx, None).await?;
    tx.commit().await?;
    Ok(done)
}

/// Above this many units a change is followed over the whole directory.
const AROUND_AT_MOST: usize = 5_000;

/// A running campaign as read before a directory change: everything following it needs
/// but the directory itself.
struct Running {
    campaign: plans::Campaign,
    plan: anjian_core::plan::Plan,
    ids: plans::PlanIds,
    window: (NaiveDate, NaiveDate),
    grace: NaiveDate,
    spans: Vec<(NaiveDate, NaiveDate)>,
}

/// The follow-up of a directory change, in two halves so that it lands in the change's
/// own transaction (one user action, one transaction): [`Follow::prepare`] reads the
/// running campaigns through the pool before the transaction begins (so a transaction
/// never waits for a pooled connection while it holds the write lock), and
/// [`Follow::apply`] reads the directory through the transaction, so that it sees the
/// unit just written, and gives or ends the work there. A plan edit that lands between
/// the halves is caught up by the background job, which runs the same reconciliation.
pub struct Follow {
    now_ms: i64,
    today: NaiveDate,
    running: Vec<Running>,
    by_quota: HashSet<u32>,
}

impl Follow {
    /// Reads the campaigns running on the day of `now_ms`.
    pub async fn prepare(db: &Db, now_ms: i64) -> Result<Follow> {
        let today = anjian_core::time::local_date(now_ms).unwrap_or(NaiveDate::MIN);
        let candidates: Vec<plans::Campaign> = db
            .read()
            .all(
                q("SELECT id, plan_id, title, year, starts_on, ends_on FROM campaigns WHERE ends_on IS NULL OR ends_on >= $1 ORDER BY id")
                    .bind(day(today)),
            )
            .await?;
        let mut running = Vec::new();
        for campaign in candidates {
            // Running: its window (to its end, or to its year's end while open) holds today.
            let Ok(window) = expansion::window(&campaign) else {
                continue;
            };
            if !(window.0 <= today && today <= window.1) {
                continue;
            }
            let (plan, ids) = plans::campaign_plan(db, &campaign).await?;
            let grace = expansion::campaign_grace(db, &campaign, window.0).await?;
            let periods: Vec<Period> = db
                .read()
                .all(q(expansion::PERIODS_OF).bind(campaign.id))
                .await?;
            let spans = periods.iter().filter_map(Period::span).collect();
            running.push(Running {
                campaign,
                plan,
                ids,
                window,
                grace,
                spans,
            });
        }
        let by_quota = if running.is_empty() {
            HashSet::new()
        } else {
            expansion::quota_items(db).await?
        };
        Ok(Follow {
            now_ms,
            today,
            running,
            by_quota,
        })
    }

    /// Follows a change that touched only `units` (registered, edited, moved,
    /// activated or deactivated; not a group or an alias of another unit) inside the
    /// change's transaction: only those units' assignments can change, so only they are
    /// reconciled, and of the enterprises only they are read (a city holds 200,000).
    pub async fn apply_to(&self, tx: &mut Tx, units: &[i64]) -> Result<Followed> {
        if units.len() > AROUND_AT_MOST {
            return self.apply(tx, None).await;
        }
        let mut units = units.to_vec();
        units.sort_unstable();
        units.dedup();
        self.apply(tx, Some(&units)).await
    }

    /// Follows the directory for every unit, or only around `units` (sorted), inside
    /// `tx`.
    pub async fn apply(&self, tx: &mut Tx, around: Option<&[i64]>) -> Result<Followed> {
        let mut total = Followed::default();
        if self.running.is_empty() {
            return Ok(total);
        }
        let resolver = match around {
            None => Resolver::load_in(&mut Conn::Tx(tx)).await?,
            Some(units) => Resolver::load_around(&mut Conn::Tx(tx), units).await?,
        };
        for r in &self.running {
            let f = follow_campaign(
                tx,
                Moment::new(self.now_ms, self.today),
                r,
                &resolver,
                &self.by_quota,
                around,
            )
            .await?;
            total.joined += f.joined;
            total.owed += f.owed;
            total.left += f.left;
            total.waived += f.waived;
            total.recast += f.recast;
        }
        Ok(total)
    }
}

/// A work item or a duty of the plan: (work item, duty).
type SourceKey = (Option<i64>, Option<i64>);

#[derive(sqlx::FromRow)]
struct Held {
    id: i64,
    work_item_id: Option<i64>,
    duty_id: Option<i64>,
    unit_id: i64,
    role: String,
    reviewer_unit_id: Option<i64>,
}

async fn follow_campaign(
    tx: &mut Tx,
    Moment { ms: now_ms, today }: Moment,
    r: &Running,
    resolver: &Resolver,
    by_quota: &HashSet<u32>,
    around: Option<&[i64]>,
) -> Result<Followed> {
    let (c, plan, ids, win, grace, spans) =
        (&r.campaign, &r.plan, &r.ids, r.window, r.grace, &r.spans);
    // The campaign's row is locked and its assignments read inside the transaction, so
    // that two runs at once (two processes, or a change during the job) never both add
    // the same unit.
    tx.execute(q("UPDATE campaigns SET id = id WHERE id = $1").bind(c.id))
        .await?;
    const HELD: &str = "SELECT id, work_item_id, duty_id, unit_id, role, reviewer_unit_id FROM assignments WHERE ended_at IS NULL AND campaign_id = ";
    let mut held: Vec<Held> = Vec::new();
    match around {
        None => held = tx.all(q(HELD).push_bind(c.id)).await?,
        Some(units) => {
            for chunk in units.chunks(300) {
                let query = q(HELD)
                    .push_bind(c.id)
                    .push(" AND unit_id IN (")
                    .push_list(chunk)
                    .push(")");
                held.extend(tx.all::<Held>(query).await?);
            }
        }
    }
    let touched = |u: &i64| around.is_none_or(|units| units.binary_search(u).is_ok());
    let mut by_source: HashMap<SourceKey, HashMap<i64, &Held>> = HashMap::new();
    for h in &held {
        by_source
            .entry((h.work_item_id, h.duty_id))
            .or_default()
            .insert(h.unit_id, h);
    }
    // Units that stay but whose role or reviewer the directory changed (a second lead
    // joined a group that led alone, say): (assignment, role, reviewer).
    let mut recast: Vec<(i64, &'static str, Option<i64>)> = Vec::new();
    let mut ended: HashSet<i64> = HashSet::new();
    let mut joined: Vec<expansion::NewAssignment> = Vec::new();
    let mut owed: Vec<NewObligation> = Vec::new();
    let mut left: Vec<i64> = Vec::new();
    // The names no unit or group answers now, with the items that use them: a full
    // reconciliation (a group or an alias changed) rewrites the campaign's list, so a
    // name that now resolves leaves it and one that stopped resolving joins it.
    let mut unresolved: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for s in expansion::sources(plan, ids, by_quota) {
        let (units, reviewer) = expansion::units_for(
            &s.lead,
            &s.co,
            &s.invited,
            s.work_item_id.is_some(),
            resolver,
            &s.text,
            |name| {
                unresolved
                    .entry(name.to_string())
                    .or_default()
                    .push(s.label.clone())
            },
        );
        let have = by_source
            .remove(&(s.work_item_id, s.duty_id))
            .unwrap_or_default();
        let wanted: HashSet<i64> = units.iter().map(|(u, _)| *u).collect();
        let mut ahead: Option<Vec<anjian_core::obligation::Instance>> = None;
        for (unit, role) in &units {
            let reviews = reviewer.filter(|_| *role == "co");
            if !touched(unit) {
                continue;
            }
            if let Some(h) = have.get(unit) {
                if (h.role == "invited") == (*role == "invited") {
                    if h.role != *role || h.reviewer_unit_id != reviews {
                        recast.push((h.id, role, reviews));
                    }
                    continue;
                }
                // Invited units owe nothing: becoming one, or ceasing to be one, ends
                // the assignment and gives a new one.
                ended.insert(h.id);
            }
            let aid = next_id(now_ms);
            joined.push((aid, s.work_item_id, s.duty_id, *unit, *role, reviews));
            if *role == "invited" {
                continue;
            }
            let instances = ahead.get_or_insert_with(|| {
                s.instances(win, spans, grace)
                    .into_iter()
                    .filter(|i| i.due_on >= today)
                    .collect()
            });
            for i in instances.iter() {
                owed.push((aid, *unit, i.due_on, i.label.clone(), i.min_count));
            }
        }
        for (unit, h) in have {
            if !wanted.contains(&unit) || ended.contains(&h.id) {
                left.push(h.id);
            }
        }
    }
    if around.is_none() {
        tx.execute(q("DELETE FROM campaign_unresolved WHERE campaign_id = ").push_bind(c.id))
            .await?;
        expansion::store_unresolved(tx, c.id, &unresolved).await?;
    }
    // Sources no longer in the plan (retired items) were ended by the editor; anything
    // left here belongs to none and is left alone.
    if joined.is_empty() && left.is_empty() && recast.is_empty() {
        return Ok(Followed::default());
    }
    // One statement per (role, reviewer) and chunk of assignments, not one per row.
    let mut by_cast: HashMap<(&'static str, Option<i64>), Vec<i64>> = HashMap::new();
    for (aid, role, reviewer) in &recast {
        by_cast.entry((role, *reviewer)).or_default().push(*aid);
    }
    for ((role, reviewer), ids) in &by_cast {
        for chunk in ids.chunks(300) {
            tx.execute(
                q("UPDATE assignments SET role = ")
                    .push_bind(*role)
                    .push(", reviewer_unit_id = ")
                    .push_bind(*reviewer)
                    .push(" WHERE ended_at IS NULL AND id IN (")
                    .push_list(chunk)
                    .push(")"),
            )
            .await?;
        }
    }
    expansion::insert_assignments(tx, now_ms, c.id, &joined).await?;
    expansion::insert_obligations(tx, now_ms, c.id, &owed).await?;
    let mut waived = 0;
    for chunk in left.chunks(300) {
        waived += tx
            .execute(
                q(format!(
                    "UPDATE obligations SET state = {}, waived_reason = ",
                    State::Waived.sql()
                ))
                .push_bind(LEFT_REASON)
                .push(", closed_at = ")
                .push_bind(now_ms)
                .push(", updated_at = ")
                .push_bind(now_ms)
                .push(&format!(
                    " WHERE state IN {} AND assignment_id IN (",
                    State::sql_list(&State::UNFINISHED)
                ))
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
        recast: recast.len(),
    };
    Ok(f)
}
