//! The obligations engine's storage: a campaign's work items and duties given to
//! concrete units (assignments) and expanded into dated obligations, in one
//! transaction; and the scoped list of obligations with their effective state.

use std::collections::{BTreeMap, HashMap};

use anjian_core::obligation::{State, expand};
use anjian_core::schedule::Schedule;
use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::{Db, Q, Tx, q};
use crate::directory::Resolver;
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::{Actor, Scope};

/// What expanding a campaign did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExpandReport {
    pub assignments: usize,
    pub obligations: usize,
    /// Names no unit or group answers to, with the work items (or 职责 duties, as
    /// "职责N") that use them.
    pub unresolved: Vec<(String, Vec<String>)>,
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

struct Source {
    work_item_id: Option<i64>,
    duty_id: Option<i64>,
    label: String,
    lead: Vec<String>,
    co: Vec<String>,
    invited: Vec<String>,
    schedule: Vec<Schedule>,
}

/// Gives every work item and duty of a campaign to its concrete units and expands the
/// schedules over the campaign window (its start to its end, or the year's end while the
/// end is open). Lead and co-responsible units get obligations; invited units only an
/// assignment. Refuses a campaign that has been expanded already.
pub async fn expand_campaign(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    campaign_id: i64,
) -> Result<ExpandReport> {
    let c = crate::plans::campaign(db, campaign_id).await?;
    let start = NaiveDate::parse_from_str(&c.starts_on, "%Y-%m-%d").map_err(|_| Error::NotFound)?;
    let end = c
        .ends_on
        .as_deref()
        .and_then(|e| NaiveDate::parse_from_str(e, "%Y-%m-%d").ok())
        .or_else(|| NaiveDate::from_ymd_opt(c.year as i32, 12, 31))
        .ok_or(Error::NotFound)?;
    let sources = sources(db, c.plan_id).await?;
    let resolver = Resolver::load(db).await?;
    let mut unresolved: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut assignment_rows: Vec<AssignmentRow> = Vec::new();
    let mut obligation_rows: Vec<(i64, i64, NaiveDate, String, u32)> = Vec::new();
    for s in &sources {
        let instances = expand(&s.schedule, start, end);
        let mut given: HashMap<i64, &'static str> = HashMap::new();
        for (names, role) in [(&s.lead, "lead"), (&s.co, "co"), (&s.invited, "invited")] {
            for name in names {
                match resolver.units_of(name) {
                    Some(units) => {
                        for u in units {
                            given.entry(u).or_insert(role);
                        }
                    }
                    None => unresolved
                        .entry(name.clone())
                        .or_default()
                        .push(s.label.clone()),
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
        let reviewer = match (s.work_item_id, leads.as_slice()) {
            (Some(_), [only]) => Some(*only),
            _ => None,
        };
        for (unit, role) in units {
            let aid = next_id(now_ms);
            assignment_rows.push(AssignmentRow {
                id: aid,
                work_item_id: s.work_item_id,
                duty_id: s.duty_id,
                unit_id: unit,
                role,
                reviewer: reviewer.filter(|_| role == "co"),
            });
            if role != "invited" {
                for i in &instances {
                    obligation_rows.push((aid, unit, i.due_on, i.label.clone(), i.min_count));
                }
            }
        }
    }
    let mut tx = db.begin().await?;
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
    for chunk in assignment_rows.chunks(300) {
        let mut insert = q(
            "INSERT INTO assignments (id, campaign_id, work_item_id, duty_id, unit_id, role, reviewer_unit_id, created_at) VALUES ",
        );
        for (n, a) in chunk.iter().enumerate() {
            let AssignmentRow {
                id,
                work_item_id: w,
                duty_id: d,
                unit_id: u,
                role,
                reviewer,
            } = a;
            insert = values(insert, n)
                .push_bind(*id)
                .push(", ")
                .push_bind(campaign_id)
                .push(", ")
                .push_bind(*w)
                .push(", ")
                .push_bind(*d)
                .push(", ")
                .push_bind(*u)
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
    for chunk in obligation_rows.chunks(300) {
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
                .push(", 'pending', ")
                .push_bind(now_ms)
                .push(", ")
                .push_bind(now_ms)
                .push(")");
        }
        tx.execute(insert).await?;
    }
    store_unresolved(&mut tx, campaign_id, &unresolved).await?;
    let report = ExpandReport {
        assignments: assignment_rows.len(),
        obligations: obligation_rows.len(),
        unresolved: unresolved.into_iter().collect(),
    };
    let e = Entry::ok("campaign.expand", "campaign", campaign_id).detail(format!(
        "分解为{}个任务、{}项应办事项；{}个名称未能对应单位",
        report.assignments,
        report.obligations,
        report.unresolved.len()
    ));
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    db.analyze().await?;
    Ok(report)
}

fn values(insert: Q, n: usize) -> Q {
    insert.push(if n == 0 { "(" } else { ", (" })
}

async fn store_unresolved(
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

async fn sources(db: &Db, plan_id: i64) -> Result<Vec<Source>> {
    #[derive(sqlx::FromRow)]
    struct W {
        id: i64,
        no: i64,
        lead_json: String,
        co_json: String,
        invited_json: String,
        schedule_json: String,
    }
    let items: Vec<W> = db
        .read()
        .all(q("SELECT id, no, lead_json, co_json, invited_json, schedule_json FROM work_items WHERE plan_id = $1 ORDER BY no").bind(plan_id))
        .await?;
    let duties: Vec<(i64, i64, String, String)> =
        db.read().all(q("SELECT id, no, responsibility_text, schedule_json FROM plan_duties WHERE plan_id = $1 ORDER BY no").bind(plan_id)).await?;
    let names = |s: &str| serde_json::from_str::<Vec<String>>(s).unwrap_or_default();
    let mut out: Vec<Source> = items
        .into_iter()
        .map(|w| Source {
            work_item_id: Some(w.id),
            duty_id: None,
            label: format!("（{}）", w.no),
            lead: names(&w.lead_json),
            co: names(&w.co_json),
            invited: names(&w.invited_json),
            schedule: serde_json::from_str(&w.schedule_json).unwrap_or_default(),
        })
        .collect();
    for (id, no, who, schedule) in duties {
        let r = anjian_core::responsibility::parse(&who);
        let schedule: Vec<Schedule> = serde_json::from_str(&schedule).unwrap_or_default();
        out.push(Source {
            work_item_id: None,
            duty_id: Some(id),
            label: format!("职责{no}"),
            lead: r.lead,
            co: r.co,
            invited: r.invited,
            schedule,
        });
    }
    Ok(out)
}

/// An obligation as lists show it, with its effective state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ObligationRow {
    pub id: i64,
    pub campaign_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub role: String,
    pub work_item_no: Option<i64>,
    pub work_item_text: Option<String>,
    pub duty_text: Option<String>,
    pub due_on: String,
    pub label: String,
    pub min_count: i64,
    pub state: String,
}

/// Filters of the obligation list; keyset on (due date, id).
#[derive(Debug, Clone, Default)]
pub struct ObligationFilter {
    pub campaign: Option<i64>,
    pub unit: Option<i64>,
    /// Only other units' obligations on work items this unit leads (its review queue).
    pub reviewer: Option<i64>,
    pub state: Option<State>,
    pub due_before: Option<NaiveDate>,
    pub after: Option<(NaiveDate, i64)>,
    pub limit: i64,
}

/// Obligations whose unit is in scope, by due date, with the state seen on `today`.
pub async fn list(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
    f: &ObligationFilter,
) -> Result<Vec<ObligationRow>> {
    let today_s = today.format("%Y-%m-%d").to_string();
    let mut query = q("SELECT o.id, o.campaign_id, o.unit_id, u.name AS unit_name, a.role, w.no AS work_item_no, w.text AS work_item_text, d.text AS duty_text, o.due_on, o.label, o.min_count, CASE WHEN o.state IN ('pending', 'returned') AND o.due_on < ")
        .push_bind(today_s.clone())
        .push(" THEN 'overdue' ELSE o.state END AS state FROM obligations o JOIN units u ON u.id = o.unit_id JOIN assignments a ON a.id = o.assignment_id LEFT JOIN work_items w ON w.id = a.work_item_id LEFT JOIN plan_duties d ON d.id = a.duty_id WHERE ");
    query = scope.obligations(query, "o", "u");
    if let Some(c) = f.campaign {
        query = query.push(" AND o.campaign_id = ").push_bind(c);
    }
    if let Some(u) = f.unit {
        query = query.push(" AND o.unit_id = ").push_bind(u);
    }
    if let Some(r) = f.reviewer {
        query = crate::scope::leads_item(
            query.push(" AND o.unit_id <> ").push_bind(r).push(" AND "),
            "o",
            r,
        );
    }
    if let Some(s) = f.state {
        query = match s {
            State::Overdue => query
                .push(" AND o.state IN ('pending', 'returned') AND o.due_on < ")
                .push_bind(today_s.clone()),
            State::Pending | State::Returned => query
                .push(" AND o.state = ")
                .push_bind(s.as_str())
                .push(" AND o.due_on >= ")
                .push_bind(today_s.clone()),
            other => query.push(" AND o.state = ").push_bind(other.as_str()),
        };
    }
    if let Some(d) = f.due_before {
        query = query
            .push(" AND o.due_on < ")
            .push_bind(d.format("%Y-%m-%d").to_string());
    }
    if let Some((d, id)) = f.after {
        let ds = d.format("%Y-%m-%d").to_string();
        query = query
            .push(" AND (o.due_on > ")
            .push_bind(ds.clone())
            .push(" OR (o.due_on = ")
            .push_bind(ds)
            .push(" AND o.id > ")
            .push_bind(id)
            .push("))");
    }
    query = query
        .push(" ORDER BY o.due_on, o.id LIMIT ")
        .push_bind(f.limit.clamp(1, 1000));
    db.read().all(query).await
}

/// The names a campaign could not resolve.
pub async fn unresolved(db: &Db, campaign_id: i64) -> Result<Vec<(String, String)>> {
    db.read()
        .all(
            q("SELECT name, items FROM campaign_unresolved WHERE campaign_id = $1 ORDER BY name")
                .bind(campaign_id),
        )
        .await
}

/// Counts of a group of obligations as seen on a day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Counts {
    /// All obligations.
    pub total: i64,
    /// Due by today.
    pub due: i64,
    /// Accepted on time.
    pub accepted: i64,
    pub done_late: i64,
    pub waived: i64,
    /// Submitted, waiting for review.
    pub submitted: i64,
    /// Open past their due date.
    pub overdue: i64,
}

impl Counts {
    /// Closed among those due: accepted, done late or waived.
    pub fn done(&self) -> i64 {
        self.accepted + self.done_late + self.waived
    }

    /// Completion of what is due so far, 0–100 (100 when nothing is due yet).
    pub fn completion_percent(&self) -> i64 {
        if self.due == 0 {
            100
        } else {
            (self.done().min(self.due) * 100) / self.due
        }
    }

    /// On-time rate, 0–100, of the obligations that count (see `core::obligation`).
    pub fn on_time_percent(&self) -> Option<i64> {
        anjian_core::obligation::on_time_rate(
            self.accepted as u64,
            self.done_late as u64,
            self.overdue as u64,
        )
        .map(|r| (r * 100.0).round() as i64)
    }
}

const COUNTS: &str = "CAST(COUNT(*) AS BIGINT) AS total, \
    CAST(SUM(CASE WHEN o.due_on <= $1 THEN 1 ELSE 0 END) AS BIGINT) AS due, \
    CAST(SUM(CASE WHEN o.state = 'accepted' THEN 1 ELSE 0 END) AS BIGINT) AS accepted, \
    CAST(SUM(CASE WHEN o.state = 'done_late' THEN 1 ELSE 0 END) AS BIGINT) AS done_late, \
    CAST(SUM(CASE WHEN o.state = 'waived' THEN 1 ELSE 0 END) AS BIGINT) AS waived, \
    CAST(SUM(CASE WHEN o.state = 'submitted' THEN 1 ELSE 0 END) AS BIGINT) AS submitted, \
    CAST(SUM(CASE WHEN o.state IN ('pending', 'returned') AND o.due_on < $1 THEN 1 ELSE 0 END) AS BIGINT) AS overdue";

/// Counts per work item of a campaign, over the units in scope (one query).
pub async fn item_counts(
    db: &Db,
    scope: &Scope,
    campaign_id: i64,
    today: NaiveDate,
) -> Result<HashMap<i64, Counts>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        work_item_id: i64,
        #[sqlx(flatten)]
        counts: Counts,
    }
    let query = scope
        .obligations(
            q(format!("SELECT a.work_item_id, {COUNTS} FROM obligations o JOIN assignments a ON a.id = o.assignment_id JOIN units u ON u.id = o.unit_id WHERE "))
                .bind(today.format("%Y-%m-%d").to_string()),
            "o",
            "u",
        )
        .push(" AND o.campaign_id = ")
        .push_bind(campaign_id)
        .push(" AND a.work_item_id IS NOT NULL GROUP BY a.work_item_id");
    let rows: Vec<Row> = db.read().all(query).await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.work_item_id, r.counts))
        .collect())
}

/// Counts per unit in scope for a campaign, optionally for one work item (one query),
/// worst on-time record first.
pub async fn unit_counts(
    db: &Db,
    scope: &Scope,
    campaign_id: i64,
    work_item_id: Option<i64>,
    today: NaiveDate,
) -> Result<Vec<(i64, String, String, Counts)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        unit_id: i64,
        unit_name: String,
        role: String,
        #[sqlx(flatten)]
        counts: Counts,
    }
    let mut query = scope
        .obligations(
            q(format!("SELECT o.unit_id, u.name AS unit_name, MIN(a.role) AS role, {COUNTS} FROM obligations o JOIN assignments a ON a.id = o.assignment_id JOIN units u ON u.id = o.unit_id WHERE "))
                .bind(today.format("%Y-%m-%d").to_string()),
            "o",
            "u",
        )
        .push(" AND o.campaign_id = ")
        .push_bind(campaign_id);
    if let Some(w) = work_item_id {
        query = query.push(" AND a.work_item_id = ").push_bind(w);
    }
    let rows: Vec<Row> = db
        .read()
        .all(query.push(" GROUP BY o.unit_id, u.name"))
        .await?;
    let mut out: Vec<(i64, String, String, Counts)> = rows
        .into_iter()
        .map(|r| (r.unit_id, r.unit_name, r.role, r.counts))
        .collect();
    out.sort_by_key(|(_, name, _, c)| {
        (c.on_time_percent().unwrap_or(101), -c.overdue, name.clone())
    });
    Ok(out)
}
