//! The obligations engine's write side: a campaign's work items and duties given to
//! concrete units (assignments) and expanded into dated obligations over the campaign's
//! window. Launching a campaign (with its plan, when the plan is new) is one
//! transaction; so is moving its end date, which adds the obligations the longer window
//! brings and removes the untouched ones a shorter window no longer holds.

use anjian_core::machine::States as _;
use anjian_core::obligation::State;
use std::collections::{BTreeMap, HashMap, HashSet};

use anjian_core::obligation::{Instance, expand};
use anjian_core::plan::Plan;
use anjian_core::schedule::{Schedule, shift_years};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::{Db, Q, Tx, day, q};
use crate::directory::Resolver;
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::plans::{self, Campaign, NewCampaign, PlanIds};
use crate::scope::Actor;

/// What expanding a campaign did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExpandReport {
    pub assignments: usize,
    pub obligations: usize,
    /// Names no unit or group answers to, with the work items (or 职责 duties, as
    /// "职责N") that use them.
    pub unresolved: Vec<(String, Vec<String>)>,
    /// Work items whose text gives a date after the campaign's end, with those dates:
    /// the dates are kept (listed here for the office).
    pub after_end: Vec<(String, Vec<String>)>,
    /// Work items whose text gives a date before the campaign's start, with the day
    /// each now falls due (the start plus the office's grace).
    pub before_start: Vec<(String, Vec<String>)>,
}

/// An assignment about to be inserted.
struct AssignmentRow {
    id: i64,
    work_item_id: Option<i64>,
    duty_id: Option<i64>,
    unit_id: i64,
    role: &'static str,
    /// For a co-responsible unit: the item's single lead unit, which reviews its reports.
    reviewer: Option<i64>,
}

/// An obligation about to be inserted: assignment, unit, due date, label, minimum count.
pub(crate) type NewObligation = (i64, i64, NaiveDate, String, u32);

/// A work item or duty of the plan, ready to give out.
pub(crate) struct Source {
    pub(crate) work_item_id: Option<i64>,
    pub(crate) duty_id: Option<i64>,
    pub(crate) label: String,
    pub(crate) lead: Vec<String>,
    pub(crate) co: Vec<String>,
    pub(crate) invited: Vec<String>,
    /// The item's or duty's text (for the departments of the sectors it names).
    pub(crate) text: String,
    pub(crate) schedule: Vec<Schedule>,
    /// At least this many times per instance.
    pub(crate) min_count: u32,
    /// Only inside the campaign's special periods.
    pub(crate) special_periods: bool,
    /// A leaders' own routine counted by a post's quota in the duty records (item (23)
    /// "其他负责人坚持每日了解掌握、每周协调调度、每月检查督查"): its units are named, but
    /// it is never a unit's to-do.
    pub(crate) counted_by_quota: bool,
}

impl Source {
    /// The dated instances of this source inside the window (and, for a special-period
    /// duty, inside the campaign's special periods).
    pub(crate) fn instances(
        &self,
        window: (NaiveDate, NaiveDate),
        periods: &[(NaiveDate, NaiveDate)],
        grace_to: NaiveDate,
    ) -> Vec<Instance> {
        let (start, end) = window;
        // A leaders' routine is counted in the duty records; a special-period duty is
        // owed through the campaign's special periods (`special_periods`), one daily
        // report form for one set of units.
        if self.counted_by_quota || self.special_periods {
            return Vec::new();
        }
        let mut out = if self.special_periods {
            let mut v = Vec::new();
            for (ps, pe) in periods {
                let (s, e) = (start.max(*ps), end.min(*pe));
                if s <= e {
                    v.extend(expand(&self.schedule, s, e));
                }
            }
            v.sort_by(|a, b| a.due_on.cmp(&b.due_on).then(a.label.cmp(&b.label)));
            v.dedup_by(|a, b| a.due_on == b.due_on && a.label == b.label);
            v
        } else {
            expand(&self.schedule, start, end)
        };
        for i in &mut out {
            i.min_count = i.min_count.max(self.min_count);
            // A date before the campaign began (the plan's "5月上旬" in a plan issued on
            // 16 May) falls due at the start plus the office's grace: nobody starts a
            // campaign overdue.
            if i.due_on < start {
                i.due_on = grace_to;
            }
        }
        out.sort_by(|a, b| a.due_on.cmp(&b.due_on).then(a.label.cmp(&b.label)));
        out
    }
}

/// The settings key of the grace, in working days, given to deadlines that fall before a
/// campaign's start.
pub const GRACE_KEY: &str = "campaign_grace_days";
/// The grace by default: five working days.
pub const GRACE_DAYS: u32 = 5;

/// The day a deadline before a campaign starting on `start` falls due: `start` plus the
/// office's grace (working days on the office's calendar).
pub async fn grace_to(db: &Db, start: NaiveDate) -> Result<NaiveDate> {
    let days = crate::settings::get(db, GRACE_KEY)
        .await?
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|d| *d <= 60)
        .unwrap_or(GRACE_DAYS);
    Ok(crate::calendar::load(db)
        .await?
        .add_working_days(start, days))
}

/// The day a campaign's deadlines before its start fall due: the one fixed when it was
/// launched (so that a unit joining later owes them on the same day as everyone else,
/// whatever the calendar or the grace setting has become since), or for a campaign
/// launched before that was kept, the start plus today's grace.
pub async fn campaign_grace(db: &Db, c: &Campaign, start: NaiveDate) -> Result<NaiveDate> {
    let kept: Option<(Option<String>,)> = db
        .read()
        .opt(q("SELECT grace_on FROM campaigns WHERE id = $1").bind(c.id))
        .await?;
    match kept
        .and_then(|(g,)| g)
        .and_then(|g| NaiveDate::parse_from_str(&g, "%Y-%m-%d").ok())
    {
        Some(d) => Ok(d),
        None => grace_to(db, start).await,
    }
}

/// The work items and duties of a plan (already moved to the campaign's year) with
/// their stored ids.
pub(crate) fn sources(plan: &Plan, ids: &PlanIds, by_quota: &HashSet<u32>) -> Vec<Source> {
    let mut out: Vec<Source> = plan
        .work_items()
        .map(|w| Source {
            work_item_id: ids.work_items.get(&w.no).copied(),
            duty_id: None,
            label: format!("（{}）", w.no),
            lead: w.responsibility.lead.clone(),
            co: w.responsibility.co.clone(),
            invited: w.responsibility.invited.clone(),
            text: w.text.clone(),
            schedule: w.schedule.clone(),
            min_count: 1,
            special_periods: false,
            counted_by_quota: is_leaders_routine(w, by_quota),
        })
        .collect();
    for d in &plan.duties {
        let r = anjian_core::responsibility::parse(&d.responsibility_text);
        out.push(Source {
            work_item_id: None,
            duty_id: ids.duties.get(&d.no).copied(),
            label: format!("职责{}", d.no),
            lead: r.lead,
            co: r.co,
            invited: r.invited,
            text: d.text.clone(),
            schedule: d.schedule.clone(),
            min_count: d.min_count,
            special_periods: d.special_periods,
            counted_by_quota: false,
        });
    }
    out
}

/// The work item numbers the duty quotas count (their sources, "（23）"): read from the
/// quotas the office keeps.
pub(crate) async fn quota_items(db: &Db) -> Result<HashSet<u32>> {
    Ok(crate::duty::quotas(db)
        .await?
        .iter()
        .filter_map(|q| {
            q.source
                .trim_matches(|c| c == '（' || c == '）' || c == '(' || c == ')')
                .parse()
                .ok()
        })
        .collect())
}

/// Whether a work item is a leaders' own routine that a post's quota counts: a quota
/// names it as its source and its text is about a 负责人 (so that another plan's item
/// of the same number is never taken for it).
pub fn is_leaders_routine(w: &anjian_core::plan::WorkItem, by_quota: &HashSet<u32>) -> bool {
    by_quota.contains(&w.no) && w.text.contains("负责人")
}

/// The numbers of a campaign plan's work items that are leaders' routines counted by
/// the duty quotas (the campaign tree says so instead of "nothing owed").
pub async fn leaders_routines(db: &Db, plan: &Plan) -> Result<HashSet<u32>> {
    let by_quota = quota_items(db).await?;
    Ok(plan
        .work_items()
        .filter(|w| is_leaders_routine(w, &by_quota))
        .map(|w| w.no)
        .collect())
}

/// A campaign's window: its start to its end, or to the year's end while it is open.
pub(crate) fn window(c: &Campaign) -> Result<(NaiveDate, NaiveDate)> {
    let start = NaiveDate::parse_from_str(&c.starts_on, "%Y-%m-%d").map_err(|_| Error::NotFound)?;
    let end = c
        .ends_on
        .as_deref()
        .and_then(|e| NaiveDate::parse_from_str(e, "%Y-%m-%d").ok())
        .or_else(|| NaiveDate::from_ymd_opt(c.year as i32, 12, 31))
        .ok_or(Error::NotFound)?;
    Ok((start, end))
}

/// Everything a campaign gives out, computed before any write.
struct Expansion {
    assignments: Vec<AssignmentRow>,
    obligations: Vec<NewObligation>,
    unresolved: BTreeMap<String, Vec<String>>,
    after_end: Vec<(String, Vec<String>)>,
    before_start: Vec<(String, Vec<String>)>,
}

/// Gives each source to its concrete units and expands its schedules over the window.
/// Lead and co-responsible units get obligations; invited units only an assignment.
fn compute(
    sources: &[Source],
    resolver: &Resolver,
    window: (NaiveDate, NaiveDate),
    grace: NaiveDate,
    periods: &[(NaiveDate, NaiveDate)],
    now_ms: i64,
) -> Expansion {
    let mut x = Expansion {
        assignments: Vec::new(),
        obligations: Vec::new(),
        unresolved: BTreeMap::new(),
        after_end: Vec::new(),
        before_start: Vec::new(),
    };
    for s in sources {
        let instances = s.instances(window, periods, grace);
        let moved: Vec<String> = s
            .instances(window, periods, NaiveDate::MIN)
            .iter()
            .filter(|i| i.due_on < window.0)
            .map(|i| format!("{}→{}", i.label, grace.format("%Y-%m-%d")))
            .collect();
        if !moved.is_empty() {
            x.before_start.push((s.label.clone(), moved));
        }
        let late: Vec<String> = instances
            .iter()
            .filter(|i| i.due_on > window.1)
            .map(|i| i.due_on.format("%Y-%m-%d").to_string())
            .collect();
        if !late.is_empty() {
            x.after_end.push((s.label.clone(), late));
        }
        let (units, reviewer) = units_for(
            &s.lead,
            &s.co,
            &s.invited,
            s.work_item_id.is_some(),
            resolver,
            &s.text,
            |name| {
                x.unresolved
                    .entry(name.to_string())
                    .or_default()
                    .push(s.label.clone())
            },
        );
        for (unit, role) in units {
            let aid = next_id(now_ms);
            x.assignments.push(AssignmentRow {
                id: aid,
                work_item_id: s.work_item_id,
                duty_id: s.duty_id,
                unit_id: unit,
                role,
                reviewer: reviewer.filter(|_| role == "co"),
            });
            if role != "invited" {
                for i in &instances {
                    x.obligations
                        .push((aid, unit, i.due_on, i.label.clone(), i.min_count));
                }
            }
        }
    }
    x
}

/// The concrete units a work item or duty is given to, each with its role (a unit named
/// twice keeps its first role: lead, then co, then invited), and the unit that reviews
/// co-responsible units' reports (a work item's single lead). Names no unit or group
/// answers to go to `unknown`.
pub(crate) fn units_for(
    lead: &[String],
    co: &[String],
    invited: &[String],
    work_item: bool,
    resolver: &Resolver,
    text: &str,
    mut unknown: impl FnMut(&str),
) -> (Vec<(i64, &'static str)>, Option<i64>) {
    let mut given: HashMap<i64, &'static str> = HashMap::new();
    for (names, role) in [(lead, "lead"), (co, "co"), (invited, "invited")] {
        for name in names {
            let units = match anjian_core::responsibility::sector_category(name) {
                Some(category) => resolver
                    .units_of(category)
                    .map(|us| resolver.of_sectors_named(us, text)),
                None => resolver.units_of(name),
            };
            match units {
                Some(units) => {
                    for u in units {
                        given.entry(u).or_insert(role);
                    }
                }
                None => unknown(name),
            }
        }
    }
    let mut units: Vec<(i64, &'static str)> = given.into_iter().collect();
    units.sort();
    let leads: Vec<i64> = units
        .iter()
        .filter(|(_, r)| *r == "lead")
        .map(|(u, _)| *u)
        .collect();
    let reviewer = match (work_item, leads.as_slice()) {
        (true, [only]) if lead.iter().all(|n| resolver.answers_whole(n)) => Some(*only),
        _ => None,
    };
    (units, reviewer)
}

/// Writes an expansion inside the caller's transaction; refuses a campaign that has been
/// expanded already.
async fn insert(
    tx: &mut Tx,
    now_ms: i64,
    campaign_id: i64,
    x: Expansion,
) -> Result<(ExpandReport, Entry)> {
    let done: Option<(i64,)> = tx
        .opt(q("SELECT id FROM assignments WHERE campaign_id = $1 LIMIT 1").bind(campaign_id))
        .await?;
    if done.is_some() {
        return Err(Error::conflict(
            "already_expanded",
            "campaign",
            "该专项行动的任务已经分解过",
        ));
    }
    for chunk in x.assignments.chunks(300) {
        let mut insert = q(
            "INSERT INTO assignments (id, campaign_id, work_item_id, duty_id, unit_id, role, reviewer_unit_id, created_at) VALUES ",
        );
        for (n, a) in chunk.iter().enumerate() {
            insert = values(insert, n)
                .push_bind(a.id)
                .push(", ")
                .push_bind(campaign_id)
                .push(", ")
                .push_bind(a.work_item_id)
                .push(", ")
                .push_bind(a.duty_id)
                .push(", ")
                .push_bind(a.unit_id)
                .push(", ")
                .push_bind(a.role)
                .push(", ")
                .push_bind(a.reviewer)
                .push(", ")
                .push_bind(now_ms)
                .push(")");
        }
        tx.execute(insert).await?;
    }
    insert_obligations(tx, now_ms, campaign_id, &x.obligations).await?;
    store_unresolved(tx, campaign_id, &x.unresolved).await?;
    let report = ExpandReport {
        assignments: x.assignments.len(),
        obligations: x.obligations.len(),
        unresolved: x.unresolved.into_iter().collect(),
        after_end: x.after_end,
        before_start: x.before_start,
    };
    let e = Entry::ok("campaign.expand", "campaign", campaign_id).detail(format!(
        "分解为{}个任务、{}项应办事项；{}个名称未能对应单位",
        report.assignments,
        report.obligations,
        report.unresolved.len()
    ));
    Ok((report, e))
}

/// Removes obligations nobody acted on (still pending), with their reminders; a monthly
/// report draft that pointed at one keeps its text and loses the link.
pub(crate) async fn remove_untouched(tx: &mut Tx, ids: &[i64]) -> Result<()> {
    for chunk in ids.chunks(300) {
        let untouched = format!(
            "DELETE FROM obligations WHERE state = {} AND id IN (",
            State::Pending.sql()
        );
        for sql in [
            "UPDATE monthly_reports SET obligation_id = NULL WHERE obligation_id IN (",
            "DELETE FROM notifications WHERE obligation_id IN (",
            untouched.as_str(),
        ] {
            tx.execute(q(sql).push_list(chunk).push(")")).await?;
        }
    }
    Ok(())
}

/// An assignment about to be given: id, work item, duty, unit, role, reviewer.
pub(crate) type NewAssignment = (
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    &'static str,
    Option<i64>,
);

/// Inserts assignments of a campaign (multi-row inserts), for the plan editor and the
/// directory's follow-up.
pub(crate) async fn insert_assignments(
    tx: &mut Tx,
    now_ms: i64,
    campaign_id: i64,
    rows: &[NewAssignment],
) -> Result<()> {
    for chunk in rows.chunks(300) {
        let mut insert = q(
            "INSERT INTO assignments (id, campaign_id, work_item_id, duty_id, unit_id, role, reviewer_unit_id, created_at) VALUES ",
        );
        for (n, (id, item, duty, unit, role, reviewer)) in chunk.iter().enumerate() {
            insert = values(insert, n)
                .push_bind(*id)
                .push(", ")
                .push_bind(campaign_id)
                .push(", ")
                .push_bind(*item)
                .push(", ")
                .push_bind(*duty)
                .push(", ")
                .push_bind(*unit)
                .push(", ")
                .push_bind(*role)
                .push(", ")
                .push_bind(*reviewer)
                .push(", ")
                .push_bind(now_ms)
                .push(")");
        }
        tx.execute(insert).await?;
    }
    Ok(())
}

pub(crate) async fn insert_obligations(
    tx: &mut Tx,
    now_ms: i64,
    campaign_id: i64,
    rows: &[NewObligation],
) -> Result<()> {
    for chunk in rows.chunks(300) {
        let mut insert = q(
            "INSERT INTO obligations (id, campaign_id, assignment_id, unit_id, due_on, label, min_count, state, created_at, updated_at) VALUES ",
        );
        for (n, (aid, unit, due, label, min)) in chunk.iter().enumerate() {
            insert = values(insert, n)
                .push_bind(next_id(now_ms))
                .push(", ")
                .push_bind(campaign_id)
                .push(", ")
                .push_bind(*aid)
                .push(", ")
                .push_bind(*unit)
                .push(", ")
                .push_bind(due.format("%Y-%m-%d").to_string())
                .push(", ")
                .push_bind(label.clone())
                .push(", ")
                .push_bind(i64::from(*min))
                .push(&format!(", {}, ", State::Pending.sql()))
                .push_bind(now_ms)
                .push(", ")
                .push_bind(now_ms)
                .push(")");
        }
        tx.execute(insert).await?;
    }
    // Each unit is told once of what it now owes (issue 18).
    let owed: Vec<(i64, NaiveDate)> = rows
        .iter()
        .map(|(_, unit, due, ..)| (*unit, *due))
        .collect();
    crate::outbox::tell_new_in(
        tx,
        now_ms,
        &owed,
        "区安委办工作方案",
        &format!("campaign:{campaign_id}:{now_ms}"),
    )
    .await
}

fn values(insert: Q, n: usize) -> Q {
    insert.push(if n == 0 { "(" } else { ", (" })
}

/// Records the names of a campaign's plan that no unit or group answers, with the
/// items that use each (the office's list of names to map).
pub(crate) async fn store_unresolved(
    tx: &mut Tx,
    campaign_id: i64,
    unresolved: &BTreeMap<String, Vec<String>>,
) -> Result<()> {
    if unresolved.is_empty() {
        return Ok(());
    }
    let mut insert = q("INSERT INTO campaign_unresolved (campaign_id, name, items) VALUES ");
    for (n, (name, items)) in unresolved.iter().enumerate() {
        insert = values(insert, n)
            .push_bind(campaign_id)
            .push(", ")
            .push_bind(name.as_str())
            .push(", ")
            .push_bind(items.join("、"))
            .push(")");
    }
    tx.execute(insert).await?;
    Ok(())
}

/// Gives every work item and duty of a started campaign to its units (one transaction).
/// Refuses a campaign that has been expanded already.
pub async fn expand_campaign(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    campaign_id: i64,
) -> Result<ExpandReport> {
    let c = plans::campaign(db, campaign_id).await?;
    let (plan, ids) = plans::campaign_plan(db, &c).await?;
    let resolver = Resolver::load(db).await?;
    let periods = periods(db, campaign_id).await?;
    let spans: Vec<(NaiveDate, NaiveDate)> = periods.iter().filter_map(Period::span).collect();
    let win = window(&c)?;
    let grace = campaign_grace(db, &c, win.0).await?;
    let x = compute(
        &sources(&plan, &ids, &quota_items(db).await?),
        &resolver,
        win,
        grace,
        &spans,
        now_ms,
    );
    let mut tx = db.begin().await?;
    let (report, e) = insert(&mut tx, now_ms, campaign_id, x).await?;
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.execute(
        q("UPDATE campaigns SET grace_on = $1 WHERE id = $2")
            .bind(day(grace))
            .bind(campaign_id),
    )
    .await?;
    tx.commit().await?;
    db.settle_after("obligations", report.obligations).await?;
    Ok(report)
}

/// The plan a campaign runs: one just parsed (stored with the campaign), or one stored
/// before (run again, usually in a later year).
#[derive(Debug, Clone, Copy)]
pub enum PlanSource<'a> {
    New(&'a Plan),
    Stored(i64),
}

/// A campaign to launch.
#[derive(Debug, Clone)]
pub struct Launch<'a> {
    pub plan: PlanSource<'a>,
    /// The campaign's title (default: the plan's).
    pub title: Option<String>,
    pub year: i32,
    /// The last day; `None` leaves it open (expanded to the year's end).
    pub ends_on: Option<NaiveDate>,
    /// Special periods named from the start: (name, first day, last day).
    pub periods: Vec<(String, NaiveDate, NaiveDate)>,
}

/// Launches a campaign in one transaction: stores the plan when it is new, starts the
/// campaign in `year` (from the plan's issue date moved to that year, or 1 January) and
/// gives its work to the directory's units, the plan's dates moved to that year.
pub async fn launch(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    l: &Launch<'_>,
) -> Result<(Campaign, ExpandReport)> {
    crate::authz::require(actor, anjian_core::role::Role::can_run_campaigns)?;
    if !(2000..=2100).contains(&l.year) {
        return Err(Error::invalid(
            "invalid_year",
            "year",
            "年度应在2000至2100之间",
        ));
    }
    let (plan, stored_ids) = match l.plan {
        PlanSource::New(p) => (p.clone(), None),
        PlanSource::Stored(id) => (
            plans::load(db, id).await?,
            Some(plans::plan_ids(db, id).await?),
        ),
    };
    let starts_on = plan
        .issued_on
        .map(|d| shift_years(d, l.year - plan.year))
        .filter(|d| d.year() == l.year)
        .or_else(|| NaiveDate::from_ymd_opt(l.year, 1, 1))
        .ok_or_else(|| Error::invalid("invalid_year", "year", "年度无效"))?;
    if let Some(end) = l.ends_on
        && end < starts_on
    {
        return Err(Error::invalid(
            "invalid_ends_on",
            "ends_on",
            format!("结束日期不能早于开始日期 {starts_on}"),
        ));
    }
    let title = l
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| plan.title.clone());
    let title = anjian_core::error::required_text("title", "专项行动名称", &title, 200)?;
    let resolver = Resolver::load(db).await?;
    let by_quota = quota_items(db).await?;
    let grace = grace_to(db, starts_on).await?;
    let rebased = plan.rebased(l.year);
    let mut tx = db.begin().await?;
    let (ids, imported) = match stored_ids {
        Some(ids) => (ids, None),
        None => {
            let (ids, e) = plans::import_in(&mut tx, now_ms, &plan).await?;
            (ids, Some(e))
        }
    };
    let new = NewCampaign {
        plan_id: ids.plan_id,
        title: &title,
        year: l.year,
        starts_on,
        ends_on: l.ends_on,
    };
    // One entry for the launch: the campaign, with the plan it stored, its special
    // periods and its expansion folded in.
    let (c, mut e) = plans::start_campaign_in(&mut tx, now_ms, &new).await?;
    if let Some(imported) = imported {
        e = e.and(imported);
    }
    tx.execute(
        q("UPDATE campaigns SET grace_on = $1 WHERE id = $2")
            .bind(day(grace))
            .bind(c.id),
    )
    .await?;
    for (name, from, to) in &l.periods {
        let (_, declared) = insert_period(&mut tx, now_ms, actor, c.id, name, *from, *to).await?;
        e = e.and(declared);
    }
    let spans: Vec<(NaiveDate, NaiveDate)> = l.periods.iter().map(|(_, f, t)| (*f, *t)).collect();
    let x = compute(
        &sources(&rebased, &ids, &by_quota),
        &resolver,
        window(&c)?,
        grace,
        &spans,
        now_ms,
    );
    let (report, expanded) = insert(&mut tx, now_ms, c.id, x).await?;
    audit::append(&mut tx, now_ms, actor, e.and(expanded)).await?;
    tx.commit().await?;
    db.settle_after("obligations", report.obligations).await?;
    Ok((c, report))
}

/// What re-expanding a campaign did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Rewindowed {
    /// Obligations the new window brought.
    pub added: usize,
    /// Untouched (pending) obligations the new window no longer holds.
    pub removed: usize,
    /// Obligations outside the new window kept because a unit already acted on them.
    pub kept: usize,
}

/// A special period of a campaign (党的二十大召开期间), in which special-period duties
/// (daily reports) are owed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Period {
    pub id: i64,
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
}

impl Period {
    pub(crate) fn span(&self) -> Option<(NaiveDate, NaiveDate)> {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        Some((d(&self.starts_on)?, d(&self.ends_on)?))
    }
}

pub(crate) const PERIODS_OF: &str = "SELECT id, name, starts_on, ends_on FROM campaign_periods WHERE campaign_id = $1 ORDER BY starts_on, id";

/// Names a special period of a campaign inside the caller's transaction; returns it as
/// the audit entry shows it ("name from至to").
async fn insert_period(
    tx: &mut Tx,
    now_ms: i64,
    actor: &Actor,
    campaign_id: i64,
    name: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(String, Entry)> {
    let name = anjian_core::error::required_text("name", "时段名称", name, 100)?;
    if to < from {
        return Err(Error::invalid(
            "invalid_ends_on",
            "ends_on",
            "时段的结束日期不能早于开始日期",
        ));
    }
    let (f, t) = (from, to);
    let (from, to) = (
        from.format("%Y-%m-%d").to_string(),
        to.format("%Y-%m-%d").to_string(),
    );
    tx.execute(
        q("INSERT INTO campaign_periods (id, campaign_id, name, starts_on, ends_on, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(next_id(now_ms))
            .bind(campaign_id)
            .bind(name.as_str())
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(now_ms),
    )
    .await?;
    let (_, e) = crate::special_periods::declare_in(
        tx,
        now_ms,
        actor,
        &name,
        anjian_core::time::Span::new(f, t),
        Some(campaign_id),
        None,
    )
    .await?;
    Ok((format!("{name} {from}至{to}"), e))
}

/// A campaign's special periods, by start.
pub async fn periods(db: &Db, campaign_id: i64) -> Result<Vec<Period>> {
    db.read().all(q(PERIODS_OF).bind(campaign_id)).await
}

/// The special periods of every campaign, by campaign and start (one query).
pub async fn all_periods(db: &Db) -> Result<Vec<(i64, Period)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        campaign_id: i64,
        #[sqlx(flatten)]
        period: Period,
    }
    let rows: Vec<Row> = db
        .read()
        .all(q("SELECT campaign_id, id, name, starts_on, ends_on FROM campaign_periods ORDER BY campaign_id, starts_on, id"))
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.campaign_id, r.period))
        .collect())
}

/// What changes a campaign's window.
#[derive(Debug, Clone)]
pub enum Change {
    /// Sets or moves the last day.
    End(NaiveDate),
    /// Names a special period.
    AddPeriod {
        name: String,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
    },
    /// Removes a special period.
    RemovePeriod(i64),
}

/// Sets (or moves) a campaign's last day; see [`rewindow`].
pub async fn set_end(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    campaign_id: i64,
    ends_on: NaiveDate,
) -> Result<Rewindowed> {
    crate::authz::require(actor, anjian_core::role::Role::can_run_campaigns)?;
    rewindow(db, now_ms, actor, campaign_id, Change::End(ends_on)).await
}

/// Changes a campaign's window (its end, or its special periods) in one transaction and
/// re-expands every assignment over it: obligations the new window adds are created
/// pending; pending ones it no longer holds (including "ongoing" duties due at the old
/// end) are removed with their reminders; any a unit has reported on are kept.
pub async fn rewindow(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    campaign_id: i64,
    change: Change,
) -> Result<Rewindowed> {
    crate::authz::require(actor, anjian_core::role::Role::can_run_campaigns)?;
    let today = anjian_core::time::local_date(now_ms).unwrap_or(NaiveDate::MIN);
    let c = plans::campaign(db, campaign_id).await?;
    let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let mut moved = c.clone();
    if let Change::End(end) = &change {
        if date(*end) < c.starts_on {
            return Err(Error::invalid(
                "invalid_ends_on",
                "ends_on",
                format!("结束日期不能早于开始日期 {}", c.starts_on),
            ));
        }
        moved.ends_on = Some(date(*end));
    }
    let (plan, ids) = plans::campaign_plan(db, &c).await?;
    let win = window(&moved)?;
    let grace = campaign_grace(db, &c, win.0).await?;
    let by_quota = quota_items(db).await?;
    let sources: HashMap<(Option<i64>, Option<i64>), Source> = sources(&plan, &ids, &by_quota)
        .into_iter()
        .map(|s| ((s.work_item_id, s.duty_id), s))
        .collect();
    let mut tx = db.begin().await?;
    let mut declared = None;
    let (action, before, after) = match &change {
        Change::End(_) => {
            tx.execute(
                q("UPDATE campaigns SET ends_on = $1 WHERE id = $2")
                    .bind(moved.ends_on.clone())
                    .bind(campaign_id),
            )
            .await?;
            ("campaign.set_end", c.ends_on.clone(), moved.ends_on.clone())
        }
        Change::AddPeriod {
            name,
            starts_on,
            ends_on,
        } => {
            let (added, e) = insert_period(
                &mut tx,
                now_ms,
                actor,
                campaign_id,
                name,
                *starts_on,
                *ends_on,
            )
            .await?;
            declared = Some(e);
            ("campaign.add_period", None, Some(added))
        }
        Change::RemovePeriod(id) => {
            let gone: Option<(String, String, String)> = tx
                .opt(q("SELECT name, starts_on, ends_on FROM campaign_periods WHERE id = $1 AND campaign_id = $2").bind(*id).bind(campaign_id))
                .await?;
            let (n, s, e) = gone.ok_or(Error::NotFound)?;
            tx.execute(q("DELETE FROM campaign_periods WHERE id = $1").bind(*id))
                .await?;
            crate::special_periods::withdraw_in(&mut tx, campaign_id, &n, &s, &e).await?;
            (
                "campaign.remove_period",
                Some(format!("{n} {s}至{e}")),
                None,
            )
        }
    };
    let periods: Vec<Period> = tx.all(q(PERIODS_OF).bind(campaign_id)).await?;
    let spans: Vec<(NaiveDate, NaiveDate)> = periods.iter().filter_map(Period::span).collect();
    let assignments: Vec<(i64, Option<i64>, Option<i64>, i64)> = tx
        .all(q("SELECT id, work_item_id, duty_id, unit_id FROM assignments WHERE campaign_id = $1 AND role <> 'invited' AND ended_at IS NULL").bind(campaign_id))
        .await?;
    let existing: Vec<(i64, i64, String, String, String)> = tx
        .all(q("SELECT id, assignment_id, due_on, label, state FROM obligations WHERE campaign_id = $1").bind(campaign_id))
        .await?;
    let have: HashSet<(i64, String, String)> = existing
        .iter()
        .map(|(_, a, d, l, _)| (*a, d.clone(), l.clone()))
        .collect();
    let mut wanted: HashSet<(i64, String, String)> = HashSet::new();
    let mut add: Vec<NewObligation> = Vec::new();
    for (aid, item, duty, unit) in &assignments {
        let Some(s) = sources.get(&(*item, *duty)) else {
            continue;
        };
        if s.special_periods {
            // Owed through the special periods now; what an older campaign holds stays.
            for (_, a, d, l, _) in existing.iter().filter(|e| e.1 == *aid) {
                wanted.insert((*a, d.clone(), l.clone()));
            }
            continue;
        }
        for i in s.instances(win, &spans, grace) {
            let key = (*aid, date(i.due_on), i.label);
            // Nothing retroactive: a longer window adds what is still ahead.
            if !have.contains(&key) && i.due_on >= today {
                add.push((*aid, *unit, i.due_on, key.2.clone(), i.min_count));
            }
            wanted.insert(key);
        }
    }
    let mut remove: Vec<i64> = Vec::new();
    let mut kept = 0;
    for (id, aid, due, label, state) in existing {
        if !wanted.contains(&(aid, due, label)) {
            if state == "pending" {
                remove.push(id);
            } else {
                kept += 1;
            }
        }
    }
    remove_untouched(&mut tx, &remove).await?;
    insert_obligations(&mut tx, now_ms, campaign_id, &add).await?;
    let r = Rewindowed {
        added: add.len(),
        removed: remove.len(),
        kept,
    };
    let mut e = Entry::ok(action, "campaign", campaign_id)
        .change(before.as_deref(), after.as_deref())
        .detail(format!(
            "新增{}项、移除{}项未办理的应办事项，保留{}项已报送的",
            r.added, r.removed, r.kept
        ));
    if let Some(declared) = declared {
        e = e.and(declared);
    }
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    db.settle_after("obligations", r.added + r.removed).await?;
    Ok(r)
}
