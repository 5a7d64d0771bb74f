//! The plan editor: the office corrects and extends a running campaign. A work item's
//! text, units and schedule are edited, a work item is added after a new directive, or
//! one is retired with a reason. Each change is one transaction with its audit entry
//! and its history row: the campaign's own version of the item is stored
//! (`campaign_work_items`), and the item alone is given out again through the same
//! rules as a launch (`expansion::units_for`, `Source::instances`): units that now owe
//! it get their obligations, units that no longer do have their open obligations waived
//! with the reason, untouched instances the new schedule no longer holds are removed,
//! and whatever a unit already reported stays. A preview runs the very same change and
//! rolls it back, so what the office sees before saving is what saving does.

use anjian_core::machine::States as _;
use anjian_core::obligation::State;
use std::collections::{BTreeMap, HashMap, HashSet};

use anjian_core::plan::WorkItem;
use anjian_core::responsibility::Responsibility;
use anjian_core::schedule::Schedule;
use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::{Db, Tx, day, q};
use crate::directory::Resolver;
use crate::error::{Error, Result};
use crate::expansion::{self, NewObligation, Period, Source};
use crate::ids::next_id;
use crate::plans::{self, Campaign};
use crate::scope::Actor;

/// A work item as the office writes it in the editor (the API's body).
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub text: String,
    pub lead: Vec<String>,
    pub co: Vec<String>,
    pub invited: Vec<String>,
    pub schedule: Vec<Schedule>,
    pub reason: String,
}

/// What the office does to a campaign's work items.
#[derive(Debug, Clone)]
pub enum Change {
    /// Edits work item `no`.
    Edit { no: u32, draft: Draft },
    /// Adds a work item under key task `key_task` (numbered after the last one).
    Add { key_task: u32, draft: Draft },
    /// Retires work item `no`: its open obligations are waived with the reason.
    Retire { no: u32, reason: String },
}

/// What a change does to one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitChange {
    pub unit_id: i64,
    pub unit_name: String,
    /// The unit's role before and after (牵头 / 配合 / 必要时邀请), `None` when it had none.
    pub role_before: Option<&'static str>,
    pub role_after: Option<&'static str>,
    /// Obligations the unit now owes that it did not.
    pub added: usize,
    /// Open obligations taken away (untouched ones removed, reported ones waived).
    pub removed: usize,
}

/// What a change did (or, previewed, would do).
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The item as the campaign now has it (`None` once retired).
    #[serde(skip)]
    pub item: Option<WorkItem>,
    pub no: u32,
    pub added: usize,
    pub removed: usize,
    /// Obligations a unit had already acted on that stay as they are.
    pub kept: usize,
    /// Per unit, only the units whose obligations or role change.
    pub units: Vec<UnitChange>,
}

/// Saves a change (`save`), or previews it: the same run, rolled back.
pub async fn submit(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    campaign_id: i64,
    change: &Change,
    save: bool,
) -> Result<Outcome> {
    run(db, now_ms, actor, campaign_id, change, save).await
}

/// Applies a change in one transaction with its audit entry and history row.
pub async fn apply(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    campaign_id: i64,
    change: &Change,
) -> Result<Outcome> {
    run(db, now_ms, actor, campaign_id, change, true).await
}

fn role_label(role: &str) -> &'static str {
    match role {
        "lead" => "牵头",
        "co" => "配合",
        _ => "必要时邀请",
    }
}

/// Checks a draft against the directory: text and reason present, a lead, every name
/// known, a schedule. Every field at fault is named at once (the first, the others in
/// `also`).
fn check(draft: &Draft, resolver: &Resolver) -> Result<(String, String)> {
    use anjian_core::error::FieldError;
    let mut c = anjian_core::error::Checks::default();
    let text = c.take(anjian_core::error::required_text(
        "text",
        "工作要点内容",
        &draft.text,
        2000,
    ));
    let reason = c.take(anjian_core::error::required_text(
        "reason",
        "修改理由",
        &draft.reason,
        500,
    ));
    if draft.lead.iter().all(|n| n.trim().is_empty()) {
        c.note(FieldError::new(
            "required",
            "lead",
            "请填写牵头单位（至少一个）",
        ));
    }
    for (field, label, names) in [
        ("lead", "牵头单位", &draft.lead),
        ("co", "配合单位", &draft.co),
        ("invited", "必要时邀请单位", &draft.invited),
    ] {
        if names.len() > 200 {
            c.note(FieldError::new(
                "too_many",
                field,
                format!("{label}最多200个"),
            ));
        } else if let Some(unknown) = names.iter().find(|n| {
            let n = anjian_core::responsibility::sector_category(n).unwrap_or(n);
            n.trim().is_empty() || resolver.units_of(n).is_none()
        }) {
            c.note(FieldError::new(
                "unknown_unit",
                field,
                format!("{label}「{}」不是名录中的单位或单位组", unknown.trim()),
            ));
        }
    }
    if draft.schedule.is_empty() {
        c.note(FieldError::new(
            "required",
            "schedule",
            "请填写工作时限（无明确时限的填“常设职责”）",
        ));
    } else if draft.schedule.len() > 20 {
        c.note(FieldError::new("too_many", "schedule", "工作时限最多20条"));
    } else if let Some(s) = draft.schedule.iter().find(|s| match s {
        Schedule::Recurring { min_count, day, .. } => {
            *min_count == 0 || *min_count > 1000 || day.is_some_and(|d| !(1..=31).contains(&d))
        }
        Schedule::Milestones { due } => due.is_empty() || due.len() > 60,
        Schedule::InMonths { months } => {
            months.is_empty() || months.iter().any(|m| !(1..=12).contains(m))
        }
        _ => false,
    }) {
        c.note(FieldError::new(
            "invalid_schedule",
            "schedule",
            format!("工作时限「{}」不正确", s.describe()),
        ));
    }
    c.finish()?;
    match (text, reason) {
        (Some(t), Some(r)) => Ok((t, r)),
        // Each is None only with its problem noted, which `finish` refused above.
        _ => Err(Error::invalid(
            "unreadable",
            "text",
            "表单无法读取，请重新填写",
        )),
    }
}

fn trimmed(names: &[String]) -> Vec<String> {
    names.iter().map(|n| n.trim().to_string()).collect()
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

async fn run(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    campaign_id: i64,
    change: &Change,
    commit: bool,
) -> Result<Outcome> {
    crate::authz::require(actor, anjian_core::role::Role::can_run_campaigns)?;
    // Names are looked up in the directory: control characters and overlong names are
    // refused before any query (PostgreSQL refuses a NUL in text outright).
    if let Change::Edit { draft, .. } | Change::Add { draft, .. } = change {
        for (field, label, names) in [
            ("lead", "牵头单位", &draft.lead),
            ("co", "配合单位", &draft.co),
            ("invited", "邀请单位", &draft.invited),
        ] {
            for name in names {
                anjian_core::error::required_text(field, label, name, 100)?;
            }
        }
    }
    let c = plans::campaign(db, campaign_id).await?;
    let today = anjian_core::time::local_date(now_ms).unwrap_or(NaiveDate::MIN);
    if expansion::window(&c)?.1 < today {
        return Err(Error::invalid(
            "campaign_ended",
            "campaign",
            "该专项行动已结束，不能再修改其工作要点",
        ));
    }
    let (plan, ids) = plans::campaign_plan(db, &c).await?;
    // Only the units the draft's names need: a city's 200,000 enterprises are read only
    // for an item given to them.
    let names: Vec<&str> = match change {
        Change::Edit { draft, .. } | Change::Add { draft, .. } => draft
            .lead
            .iter()
            .chain(&draft.co)
            .chain(&draft.invited)
            .map(String::as_str)
            .collect(),
        Change::Retire { .. } => Vec::new(),
    };
    let resolver = Resolver::load_for(db, &names).await?;
    // The item as it will be, and its id (none yet for an added item).
    let by_quota = expansion::quota_items(db).await?;
    let grace = expansion::campaign_grace(db, &c, expansion::window(&c)?.0).await?;
    let (no, item_id, new_item, reason, action) = match change {
        Change::Edit { no, draft } => {
            let (text, reason) = check(draft, &resolver)?;
            let id = *ids.work_items.get(no).ok_or(Error::NotFound)?;
            if !plan.work_items().any(|w| w.no == *no) {
                return Err(Error::NotFound);
            }
            (*no, Some(id), Some(item(*no, text, draft)), reason, "edit")
        }
        Change::Add { key_task, draft } => {
            let (text, reason) = check(draft, &resolver)?;
            if !plan
                .measures
                .iter()
                .flat_map(|m| m.key_tasks.iter())
                .any(|k| k.no == *key_task)
            {
                return Err(Error::invalid(
                    "unknown_key_task",
                    "key_task",
                    format!("方案中没有第{key_task}项重点任务"),
                ));
            }
            let (last,): (Option<i64>,) = db
                .read()
                .one(q("SELECT MAX(no) FROM work_items WHERE plan_id = $1").bind(c.plan_id))
                .await?;
            let no = last.unwrap_or(0) as u32 + 1;
            (no, None, Some(item(no, text, draft)), reason, "add")
        }
        Change::Retire { no, reason } => {
            let reason =
                anjian_core::error::required_paragraphs("reason", "撤销理由", reason, 500)?;
            let id = *ids.work_items.get(no).ok_or(Error::NotFound)?;
            if !plan.work_items().any(|w| w.no == *no) {
                return Err(Error::NotFound);
            }
            (*no, Some(id), None, reason, "retire")
        }
    };
    let mut tx = db.begin().await?;
    // One change of a campaign at a time (PostgreSQL takes the row's lock; SQLite's
    // write transaction already holds the database).
    tx.execute(q("UPDATE campaigns SET id = id WHERE id = $1").bind(c.id))
        .await?;
    let item_id = match (item_id, change) {
        (Some(id), _) => id,
        (None, Change::Add { key_task, .. }) => {
            insert_added(&mut tx, now_ms, &c, *key_task, no, new_item.as_ref()).await?
        }
        (None, _) => return Err(Error::NotFound),
    };
    store_override(
        &mut tx,
        now_ms,
        c.id,
        item_id,
        plan.work_items().find(|w| w.no == no),
        new_item.as_ref(),
        change,
    )
    .await?;
    let regiving = Regiving {
        item_id,
        item: new_item.as_ref(),
        resolver: &resolver,
        by_quota: &by_quota,
        reason: &reason,
        today,
        grace,
    };
    let mut outcome = regive(&mut tx, now_ms, &c, regiving).await?;
    outcome.no = no;
    outcome.item = new_item;
    if !commit {
        return Ok(outcome);
    }
    let summary = summary(&outcome);
    tx.execute(
        q("INSERT INTO work_item_history (id, campaign_id, work_item_id, at, user_id, username, action, reason, summary) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(next_id(now_ms))
            .bind(c.id)
            .bind(item_id)
            .bind(now_ms)
            .bind(actor.user_id)
            .bind(actor.username.as_str())
            .bind(action)
            .bind(reason.as_str())
            .bind(summary.as_str()),
    )
    .await?;
    let e = Entry::ok(
        match action {
            "add" => "campaign.add_work_item",
            "retire" => "campaign.retire_work_item",
            _ => "campaign.edit_work_item",
        },
        "work_item",
        item_id,
    )
    .detail(format!("（{no}）{reason}；{summary}"));
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(outcome)
}

fn item(no: u32, text: String, d: &Draft) -> WorkItem {
    let responsibility = Responsibility {
        lead: trimmed(&d.lead),
        co: trimmed(&d.co),
        invited: trimmed(&d.invited),
        notes: Vec::new(),
    };
    WorkItem {
        no,
        text,
        responsibility_text: plans::responsibility_text(&responsibility),
        responsibility,
        schedule: d.schedule.clone(),
    }
}

/// The history line of an outcome: totals, then the units it changed.
pub fn summary(o: &Outcome) -> String {
    let mut s = format!(
        "新增{}项、移除{}项应办事项，保留{}项已办理的",
        o.added, o.removed, o.kept
    );
    let names: Vec<String> = o
        .units
        .iter()
        .take(20)
        .map(|u| {
            let mut t = u.unit_name.clone();
            match (u.role_before, u.role_after) {
                (None, Some(r)) => t.push_str(&format!("（新增·{r}）")),
                (Some(_), None) => t.push_str("（移出）"),
                (Some(a), Some(b)) if a != b => t.push_str(&format!("（{a}→{b}）")),
                _ => {}
            }
            t
        })
        .collect();
    if !names.is_empty() {
        s.push_str("；涉及：");
        s.push_str(&names.join("、"));
        if o.units.len() > 20 {
            s.push_str(&format!("等{}个单位", o.units.len()));
        }
    }
    s
}

/// Inserts the row of an added work item (owned by the campaign); returns its id.
async fn insert_added(
    tx: &mut Tx,
    now_ms: i64,
    c: &Campaign,
    key_task: u32,
    no: u32,
    item: Option<&WorkItem>,
) -> Result<i64> {
    let w = item.ok_or(Error::NotFound)?;
    let (key_task_id,): (i64,) = tx
        .one(
            q("SELECT id FROM key_tasks WHERE plan_id = $1 AND no = $2")
                .bind(c.plan_id)
                .bind(i64::from(key_task)),
        )
        .await?;
    let id = next_id(now_ms);
    tx.execute(
        q("INSERT INTO work_items (id, plan_id, key_task_id, no, text, responsibility_text, lead_json, co_json, invited_json, schedule_json, campaign_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(id)
            .bind(c.plan_id)
            .bind(key_task_id)
            .bind(i64::from(no))
            .bind(w.text.as_str())
            .bind(w.responsibility_text.as_str())
            .bind(json(&w.responsibility.lead))
            .bind(json(&w.responsibility.co))
            .bind(json(&w.responsibility.invited))
            .bind(json(&w.schedule))
            .bind(c.id),
    )
    .await?;
    Ok(id)
}

/// Writes the campaign's version of the item (or marks it retired).
async fn store_override(
    tx: &mut Tx,
    now_ms: i64,
    campaign_id: i64,
    item_id: i64,
    before: Option<&WorkItem>,
    after: Option<&WorkItem>,
    change: &Change,
) -> Result<()> {
    let (w, retired) = match (after, before, change) {
        (Some(w), _, _) => (w, None),
        (None, Some(w), Change::Retire { reason, .. }) => (w, Some(reason.trim().to_string())),
        _ => return Err(Error::NotFound),
    };
    tx.execute(
        q("INSERT INTO campaign_work_items (campaign_id, work_item_id, text, lead_json, co_json, invited_json, schedule_json, retired_reason, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (campaign_id, work_item_id) DO UPDATE SET text = excluded.text, lead_json = excluded.lead_json, co_json = excluded.co_json, invited_json = excluded.invited_json, schedule_json = excluded.schedule_json, retired_reason = excluded.retired_reason, updated_at = excluded.updated_at")
            .bind(campaign_id)
            .bind(item_id)
            .bind(w.text.as_str())
            .bind(json(&w.responsibility.lead))
            .bind(json(&w.responsibility.co))
            .bind(json(&w.responsibility.invited))
            .bind(json(&w.schedule))
            .bind(retired)
            .bind(now_ms),
    )
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ExistingAssignment {
    id: i64,
    unit_id: i64,
    role: String,
    reviewer_unit_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ExistingObligation {
    id: i64,
    assignment_id: i64,
    due_on: String,
    label: String,
    state: String,
}

/// What a changed (or retired) work item is given again with.
struct Regiving<'a> {
    item_id: i64,
    /// The item as it now reads; `None` when it is retired.
    item: Option<&'a WorkItem>,
    /// The directory's names and groups, and the items counted in the duty records.
    resolver: &'a Resolver,
    by_quota: &'a HashSet<u32>,
    /// The office's reason, recorded on every change.
    reason: &'a str,
    today: NaiveDate,
    /// The campaign's grace day for duties that fell due before it began.
    grace: NaiveDate,
}

/// Gives one work item out again inside the caller's transaction (see the module's
/// doc); `item` is `None` when it is retired.
async fn regive(
    tx: &mut Tx,
    now_ms: i64,
    c: &Campaign,
    Regiving {
        item_id,
        item,
        resolver,
        by_quota,
        reason,
        today,
        grace,
    }: Regiving<'_>,
) -> Result<Outcome> {
    let win = expansion::window(c)?;
    let periods: Vec<Period> = tx.all(q(expansion::PERIODS_OF).bind(c.id)).await?;
    let spans: Vec<(NaiveDate, NaiveDate)> = periods.iter().filter_map(Period::span).collect();
    let (wanted_units, reviewer, instances) = match item {
        Some(w) => {
            let (units, reviewer) = expansion::units_for(
                &w.responsibility.lead,
                &w.responsibility.co,
                &w.responsibility.invited,
                true,
                resolver,
                &w.text,
                |_| {},
            );
            let source = Source {
                work_item_id: Some(item_id),
                duty_id: None,
                label: format!("（{}）", w.no),
                lead: Vec::new(),
                co: Vec::new(),
                invited: Vec::new(),
                text: w.text.clone(),
                schedule: w.schedule.clone(),
                min_count: 1,
                special_periods: false,
                counted_by_quota: expansion::is_leaders_routine(w, by_quota),
            };
            (units, reviewer, source.instances(win, &spans, grace))
        }
        None => (Vec::new(), None, Vec::new()),
    };
    let existing: Vec<ExistingAssignment> = tx
        .all(
            q("SELECT id, unit_id, role, reviewer_unit_id FROM assignments WHERE campaign_id = $1 AND work_item_id = $2 AND ended_at IS NULL")
                .bind(c.id)
                .bind(item_id),
        )
        .await?;
    let obligations: Vec<ExistingObligation> = tx
        .all(
            q("SELECT o.id, o.assignment_id, o.due_on, o.label, o.state FROM obligations o JOIN assignments a ON a.id = o.assignment_id WHERE a.campaign_id = $1 AND a.work_item_id = $2 AND a.ended_at IS NULL")
                .bind(c.id)
                .bind(item_id),
        )
        .await?;
    let mut by_assignment: HashMap<i64, Vec<&ExistingObligation>> = HashMap::new();
    for o in &obligations {
        by_assignment.entry(o.assignment_id).or_default().push(o);
    }
    let wanted: HashMap<i64, &'static str> = wanted_units.iter().copied().collect();
    let mut changes: BTreeMap<i64, UnitChange> = BTreeMap::new();
    let mut add: Vec<NewObligation> = Vec::new();
    let mut new_assignments: Vec<(i64, i64, &'static str)> = Vec::new();
    let mut delete: Vec<i64> = Vec::new();
    let mut waive: Vec<i64> = Vec::new();
    let mut end: Vec<i64> = Vec::new();
    let mut kept = 0usize;
    // Assignments whose role or reviewer changes, grouped so that each group is one
    // UPDATE (never one statement per unit).
    let mut retag: HashMap<(&'static str, Option<i64>), Vec<i64>> = HashMap::new();
    let mut seen: HashSet<i64> = HashSet::new();
    for a in &existing {
        seen.insert(a.unit_id);
        let before = role_label(&a.role);
        let owned = by_assignment.remove(&a.id).unwrap_or_default();
        let new_role = wanted.get(&a.unit_id).copied();
        let owes = matches!(new_role, Some("lead" | "co"));
        let keys: HashSet<(String, String)> = if owes {
            instances
                .iter()
                .map(|i| (day(i.due_on), i.label.clone()))
                .collect()
        } else {
            HashSet::new()
        };
        let mut removed = 0usize;
        let mut have: HashSet<(String, String)> = HashSet::new();
        for o in owned {
            have.insert((o.due_on.clone(), o.label.clone()));
            if keys.contains(&(o.due_on.clone(), o.label.clone())) {
                continue;
            }
            match o.state.as_str() {
                // Untouched and not yet due: nothing to keep.
                "pending" if o.due_on.as_str() >= day(today).as_str() => {
                    delete.push(o.id);
                    removed += 1;
                }
                "pending" | "returned" | "submitted" => {
                    waive.push(o.id);
                    removed += 1;
                }
                _ => kept += 1,
            }
        }
        let mut added = 0usize;
        if owes {
            for i in instances.iter().filter(|i| i.due_on >= today) {
                if !have.contains(&(day(i.due_on), i.label.clone())) {
                    add.push((a.id, a.unit_id, i.due_on, i.label.clone(), i.min_count));
                    added += 1;
                }
            }
        }
        match new_role {
            None => end.push(a.id),
            Some(r) => {
                let rev = reviewer.filter(|_| r == "co");
                if r != a.role || rev != a.reviewer_unit_id {
                    retag.entry((r, rev)).or_default().push(a.id);
                }
            }
        }
        let after = new_role.map(role_label);
        if added > 0 || removed > 0 || after != Some(before) {
            changes.insert(
                a.unit_id,
                UnitChange {
                    unit_id: a.unit_id,
                    unit_name: String::new(),
                    role_before: Some(before),
                    role_after: after,
                    added,
                    removed,
                },
            );
        }
    }
    for (unit, role) in &wanted_units {
        if seen.contains(unit) {
            continue;
        }
        let aid = next_id(now_ms);
        new_assignments.push((aid, *unit, role));
        let mut added = 0;
        if *role != "invited" {
            // Nothing retroactive: a unit given the item now owes what is still ahead.
            for i in instances.iter().filter(|i| i.due_on >= today) {
                add.push((aid, *unit, i.due_on, i.label.clone(), i.min_count));
                added += 1;
            }
        }
        changes.insert(
            *unit,
            UnitChange {
                unit_id: *unit,
                unit_name: String::new(),
                role_before: None,
                role_after: Some(role_label(role)),
                added,
                removed: 0,
            },
        );
    }
    for ((role, rev), ids) in &retag {
        for chunk in ids.chunks(300) {
            tx.execute(
                q("UPDATE assignments SET role = ")
                    .push_bind(*role)
                    .push(", reviewer_unit_id = ")
                    .push_bind(*rev)
                    .push(" WHERE id IN (")
                    .push_list(chunk)
                    .push(")"),
            )
            .await?;
        }
    }
    let rows: Vec<expansion::NewAssignment> = new_assignments
        .iter()
        .map(|(id, unit, role)| {
            (
                *id,
                Some(item_id),
                None,
                *unit,
                *role,
                reviewer.filter(|_| *role == "co"),
            )
        })
        .collect();
    expansion::insert_assignments(tx, now_ms, c.id, &rows).await?;
    expansion::remove_untouched(tx, &delete).await?;
    let waived_reason = match item {
        Some(_) => format!("方案调整：{reason}"),
        None => format!("工作要点已撤销：{reason}"),
    };
    for chunk in waive.chunks(300) {
        tx.execute(
            q(format!(
                "UPDATE obligations SET state = {}, waived_reason = ",
                State::Waived.sql()
            ))
            .push_bind(waived_reason.as_str())
            .push(", closed_at = ")
            .push_bind(now_ms)
            .push(", updated_at = ")
            .push_bind(now_ms)
            .push(&format!(
                " WHERE state IN {} AND id IN (",
                State::sql_list(&State::UNFINISHED)
            ))
            .push_list(chunk)
            .push(")"),
        )
        .await?;
    }
    for chunk in end.chunks(300) {
        tx.execute(
            q("UPDATE assignments SET ended_at = ")
                .push_bind(now_ms)
                .push(" WHERE ended_at IS NULL AND id IN (")
                .push_list(chunk)
                .push(")"),
        )
        .await?;
    }
    expansion::insert_obligations(tx, now_ms, c.id, &add).await?;
    let ids: Vec<i64> = changes.keys().copied().collect();
    let mut names: HashMap<i64, String> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, String)> = tx
            .all(
                q("SELECT id, name FROM units WHERE id IN (")
                    .push_list(chunk)
                    .push(")"),
            )
            .await?;
        names.extend(rows);
    }
    let mut units: Vec<UnitChange> = changes
        .into_values()
        .map(|mut u| {
            u.unit_name = names.remove(&u.unit_id).unwrap_or_default();
            u
        })
        .collect();
    units.sort_by(|a, b| a.unit_name.cmp(&b.unit_name));
    Ok(Outcome {
        item: None,
        no: 0,
        added: add.len(),
        removed: delete.len() + waive.len(),
        kept,
        units,
    })
}

/// One line of a work item's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HistoryLine {
    pub at: i64,
    pub username: String,
    pub action: String,
    pub reason: String,
    pub summary: String,
}

impl HistoryLine {
    /// The action in words.
    pub fn action_label(&self) -> &'static str {
        match self.action.as_str() {
            "add" => "新增",
            "retire" => "撤销",
            _ => "修改",
        }
    }
}

/// The history of work item `no` of a campaign, newest first (at most 200 lines).
pub async fn history(db: &Db, c: &Campaign, no: u32) -> Result<Vec<HistoryLine>> {
    db.read()
        .all(
            q("SELECT h.at, h.username, h.action, h.reason, h.summary FROM work_item_history h JOIN work_items w ON w.id = h.work_item_id WHERE h.campaign_id = $1 AND w.plan_id = $2 AND w.no = $3 ORDER BY h.at DESC, h.id DESC LIMIT 200")
                .bind(c.id)
                .bind(c.plan_id)
                .bind(i64::from(no)),
        )
        .await
}

/// The numbers of a campaign's edited, added and retired work items, with which.
pub async fn marks(db: &Db, campaign_id: i64) -> Result<HashMap<u32, &'static str>> {
    Ok(plans::overrides(db, campaign_id)
        .await?
        .into_iter()
        .map(|o| {
            let mark = if o.retired_reason.is_some() {
                "已撤销"
            } else if o.added == 1 {
                "新增"
            } else {
                "已修改"
            };
            (o.no as u32, mark)
        })
        .collect())
}
