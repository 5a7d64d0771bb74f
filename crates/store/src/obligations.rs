//! Obligations as units and the office read them: the scoped list with each
//! obligation's effective state (overdue is derived from the day, never stored), and
//! the counts behind completion and on-time rates. They are written by
//! [`crate::expansion`] (a campaign's work), [`crate::cases`] (a case's deadline) and
//! [`owe`] (one obligation for a penalty, an accident or a tip), and moved along by
//! [`crate::reports`], or closed by the action that fulfils them ([`fulfil`]).

use anjian_core::time::Moment;
use std::collections::HashMap;

use anjian_core::machine::States as _;
use anjian_core::obligation::State;
use chrono::NaiveDate;
use serde::Serialize;

use crate::db::{Db, Q, q};
use crate::error::{Error, Result};
use crate::scope::Scope;

pub use crate::expansion::{ExpandReport, expand_campaign};

/// An obligation as lists show it, with its effective state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ObligationRow {
    pub id: i64,
    /// The campaign it counts in (a case's deadline counts in the campaign running when
    /// the problem was found, if any).
    pub campaign_id: Option<i64>,
    /// The work item or duty given to the unit (rows of one assignment are one duty);
    /// empty for a case's rectification deadline.
    pub assignment_id: Option<i64>,
    /// The case whose rectification deadline this is.
    pub case_id: Option<i64>,
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
    /// Only obligations whose stored state is this (returned ones past their due date
    /// read as overdue; the to-do list still files them under "returned").
    pub stored: Option<State>,
    pub due_before: Option<NaiveDate>,
    /// Only the obligations of this work item (its number in the plan).
    pub work_item_no: Option<i64>,
    /// Words in the task's text or the unit's name.
    pub search: Option<String>,
    /// Only what the unit owes in this part (牵头, 配合, 邀请, 整改责任).
    pub part: Option<anjian_core::responsibility::Part>,
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
    let mut query = q(format!("SELECT o.id, o.campaign_id, o.assignment_id, o.case_id, o.unit_id, u.name AS unit_name, COALESCE(a.role, 'responsible') AS role, w.no AS work_item_no, COALESCE(cw.text, w.text) AS work_item_text, d.text AS duty_text, o.due_on, o.label, o.min_count, CASE WHEN o.state IN {} AND o.due_on < ", State::sql_list(&State::OPEN)))
        .push_bind(today_s.clone())
        .push(&format!(" THEN {} ELSE o.state END AS state FROM obligations o JOIN units u ON u.id = o.unit_id LEFT JOIN assignments a ON a.id = o.assignment_id LEFT JOIN work_items w ON w.id = a.work_item_id LEFT JOIN campaign_work_items cw ON cw.campaign_id = o.campaign_id AND cw.work_item_id = a.work_item_id LEFT JOIN plan_duties d ON d.id = a.duty_id WHERE ", State::Overdue.sql()));
    query = match f.reviewer {
        Some(r) => scope
            .obligations_reviewed_by(query, "o", "u", r)
            .push(" AND o.unit_id <> ")
            .push_bind(r),
        None => scope.obligations(query, "o", "u"),
    };
    if let Some(c) = f.campaign {
        query = query.push(" AND o.campaign_id = ").push_bind(c);
    }
    if let Some(u) = f.unit {
        query = query.push(" AND o.unit_id = ").push_bind(u);
    }
    if let Some(s) = f.state {
        query = match s {
            State::Overdue => query
                .push(&format!(
                    " AND o.state IN {} AND o.due_on < ",
                    State::sql_list(&State::OPEN)
                ))
                .push_bind(today_s.clone()),
            State::Pending | State::Returned => query
                .push(" AND o.state = ")
                .push_bind(s.as_str())
                .push(" AND o.due_on >= ")
                .push_bind(today_s.clone()),
            other => query.push(" AND o.state = ").push_bind(other.as_str()),
        };
    }
    if let Some(s) = f.stored {
        query = query.push(" AND o.state = ").push_bind(s.as_str());
    }
    if let Some(d) = f.due_before {
        query = query
            .push(" AND o.due_on < ")
            .push_bind(d.format("%Y-%m-%d").to_string());
    }
    if let Some(n) = f.work_item_no {
        query = query.push(" AND w.no = ").push_bind(n);
    }
    if let Some(p) = f.part {
        query = query
            .push(" AND COALESCE(a.role, 'responsible') = ")
            .push_bind(p.as_str());
    }
    if let Some(s) = &f.search {
        let like = crate::db::contains(s);
        query = query
            .push(" AND (COALESCE(cw.text, w.text, d.text, o.label) LIKE ")
            .push_bind(like.clone())
            .push(" OR u.name LIKE ")
            .push_bind(like)
            .push(")");
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

/// What a user has to do today, counted for the home page: its unit's overdue
/// obligations, those due within three days and those returned (none for the office,
/// `unit` None, whose district-wide lists are on the to-do page), and the reports
/// waiting for its review.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Desk {
    pub overdue: i64,
    pub due_soon: i64,
    pub returned: i64,
    pub to_review: i64,
}

/// [`Desk`] for `unit` (None: the office, which reviews every unit's reports) on
/// `today`, in `scope` (two indexed queries).
pub async fn desk(db: &Db, scope: &Scope, today: NaiveDate, unit: Option<i64>) -> Result<Desk> {
    let t = today.format("%Y-%m-%d").to_string();
    let soon = (today + chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let mut d = Desk::default();
    if let Some(unit) = unit {
        let (overdue, due_soon, returned): (i64, i64, i64) = db
            .read()
            .one(
                q(format!("SELECT CAST(COALESCE(SUM(CASE WHEN o.due_on < $1 THEN 1 ELSE 0 END), 0) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN o.state = {} AND o.due_on >= $1 AND o.due_on <= $2 THEN 1 ELSE 0 END), 0) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN o.state = {} THEN 1 ELSE 0 END), 0) AS BIGINT) FROM obligations o WHERE o.unit_id = $3 AND o.state IN {}", State::Pending.sql(), State::Returned.sql(), State::sql_list(&State::OPEN)))
                    .bind(t.clone())
                    .bind(soon)
                    .bind(unit),
            )
            .await?;
        d = Desk {
            overdue,
            due_soon,
            returned,
            to_review: 0,
        };
    }
    // The unit is joined only when the scope's predicate reads it.
    let units = if scope.reads_unit() {
        " JOIN units u ON u.id = o.unit_id"
    } else {
        ""
    };
    let mut query = q(format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM obligations o{units} WHERE o.state = {} AND ",
        State::Submitted.sql()
    ));
    query = match unit {
        Some(unit) => scope
            .obligations_reviewed_by(query, "o", "u", unit)
            .push(" AND o.unit_id <> ")
            .push_bind(unit),
        None => scope.obligations(query, "o", "u"),
    };
    let (n,): (i64,) = db.read().one(query).await?;
    d.to_review = n;
    Ok(d)
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
        anjian_core::obligation::on_time_percent(self.accepted, self.done_late, self.overdue)
    }
}

/// The counts by state (`$1`: today), the states named from `State`.
static COUNTS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "CAST(COUNT(*) AS BIGINT) AS total, \
    CAST(SUM(CASE WHEN o.due_on <= $1 THEN 1 ELSE 0 END) AS BIGINT) AS due, \
    CAST(SUM(CASE WHEN o.state = {accepted} THEN 1 ELSE 0 END) AS BIGINT) AS accepted, \
    CAST(SUM(CASE WHEN o.state = {done_late} THEN 1 ELSE 0 END) AS BIGINT) AS done_late, \
    CAST(SUM(CASE WHEN o.state = {waived} THEN 1 ELSE 0 END) AS BIGINT) AS waived, \
    CAST(SUM(CASE WHEN o.state = {submitted} THEN 1 ELSE 0 END) AS BIGINT) AS submitted, \
    CAST(SUM(CASE WHEN o.state IN {open} AND o.due_on < $1 THEN 1 ELSE 0 END) AS BIGINT) AS overdue",
        accepted = State::Accepted.sql(),
        done_late = State::DoneLate.sql(),
        waived = State::Waived.sql(),
        submitted = State::Submitted.sql(),
        open = State::sql_list(&State::OPEN),
    )
});

/// Sums of the per-group counts of an inner query (`t`), for a two-level aggregation.
const SUMS: &str = "CAST(SUM(t.total) AS BIGINT) AS total, CAST(SUM(t.due) AS BIGINT) AS due, \
    CAST(SUM(t.accepted) AS BIGINT) AS accepted, CAST(SUM(t.done_late) AS BIGINT) AS done_late, \
    CAST(SUM(t.waived) AS BIGINT) AS waived, CAST(SUM(t.submitted) AS BIGINT) AS submitted, \
    CAST(SUM(t.overdue) AS BIGINT) AS overdue";

/// The obligations of a campaign in scope, as `FROM … WHERE …` over `o` (joined to
/// their unit `u` only when the scope needs it, so the office's counts read the
/// covering index alone).
/// `with_assignment` joins each obligation's assignment as `a`.
fn in_scope(query: Q, scope: &Scope, campaign_id: i64, with_assignment: bool) -> Q {
    let query = query.push(" FROM obligations o");
    let query = if with_assignment {
        query.push(" JOIN assignments a ON a.id = o.assignment_id")
    } else {
        query
    };
    match scope {
        Scope::All => query.push(" WHERE o.campaign_id = ").push_bind(campaign_id),
        _ => scope
            .obligations(
                query.push(" JOIN units u ON u.id = o.unit_id WHERE "),
                "o",
                "u",
            )
            .push(" AND o.campaign_id = ")
            .push_bind(campaign_id),
    }
}

/// Counts per work item of a campaign, over the obligations in scope (one query: counted
/// per assignment over the covering index, then summed per work item).
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
    let inner = in_scope(
        q(format!(
            "SELECT a.work_item_id, {SUMS} FROM (SELECT o.assignment_id, {}",
            *COUNTS
        ))
        .bind(today.format("%Y-%m-%d").to_string()),
        scope,
        campaign_id,
        false,
    );
    let query = inner.push(" GROUP BY o.assignment_id) t JOIN assignments a ON a.id = t.assignment_id WHERE a.work_item_id IS NOT NULL GROUP BY a.work_item_id");
    let rows: Vec<Row> = db.read().all(query).await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.work_item_id, r.counts))
        .collect())
}

/// Counts per unit in scope for a campaign, optionally for one work item (one query:
/// counted per unit over the covering index, then named), worst on-time record first.
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
    let head = q(format!(
        "SELECT t.*, un.name AS unit_name FROM (SELECT o.unit_id, {} AS role, {}",
        if work_item_id.is_some() {
            "MIN(a.role)"
        } else {
            "''"
        },
        *COUNTS
    ))
    .bind(today.format("%Y-%m-%d").to_string());
    let mut query = in_scope(head, scope, campaign_id, work_item_id.is_some());
    if let Some(w) = work_item_id {
        query = query.push(" AND a.work_item_id = ").push_bind(w);
    }
    let query = query.push(" GROUP BY o.unit_id) t JOIN units un ON un.id = t.unit_id");
    let rows: Vec<Row> = db.read().all(query).await?;
    let mut out: Vec<(i64, String, String, Counts)> = rows
        .into_iter()
        .map(|r| (r.unit_id, r.unit_name, r.role, r.counts))
        .collect();
    out.sort_by_key(|(_, name, _, c)| {
        (c.on_time_percent().unwrap_or(101), -c.overdue, name.clone())
    });
    Ok(out)
}

/// What a single obligation outside a campaign is owed for: the row it is linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A penalty decision's publication (`obligations.enforcement_id`).
    Enforcement(i64),
    /// An accident's investigation, publication and review (`obligations.accident_id`).
    Accident(i64),
    /// A tip's verification (`obligations.tip_id`).
    Tip(i64),
    /// A warning's answer (叫应), one per addressed unit (`obligations.warning_id`).
    Warning(i64),
    /// A special period's daily reports, one per unit and day
    /// (`obligations.special_period_id`).
    SpecialPeriod(i64),
    /// A project's rectification ordered by a review (`obligations.project_id`).
    Project(i64),
    /// A bulletin's demand for a rectification report (`obligations.bulletin_id`).
    Bulletin(i64),
    /// A rectification measure an accident's investigation named
    /// (`obligations.accident_measure_id`).
    AccidentMeasure(i64),
    /// The office's confirmation of a major hazard's listing (`obligations.hazard_id`).
    HazardListing(i64),
    /// A control measure a risk assessment named (`obligations.risk_measure_id`).
    RiskMeasure(i64),
}

impl Source {
    fn column(self) -> (&'static str, i64) {
        match self {
            Source::Enforcement(id) => ("enforcement_id", id),
            Source::Accident(id) => ("accident_id", id),
            Source::Tip(id) => ("tip_id", id),
            Source::Warning(id) => ("warning_id", id),
            Source::SpecialPeriod(id) => ("special_period_id", id),
            Source::Project(id) => ("project_id", id),
            Source::Bulletin(id) => ("bulletin_id", id),
            Source::AccidentMeasure(id) => ("accident_measure_id", id),
            Source::HazardListing(id) => ("hazard_id", id),
            Source::RiskMeasure(id) => ("risk_measure_id", id),
        }
    }
}

impl Source {
    /// Tells the units of `owed` of their new obligations (issue 18), except where the
    /// source has its own message (a warning to answer, a tip to verify).
    async fn tell_new(
        self,
        tx: &mut crate::db::Tx,
        now_ms: i64,
        owed: &[(i64, NaiveDate)],
        what: &str,
    ) -> Result<()> {
        if matches!(self, Source::Warning(_) | Source::Tip(_)) {
            return Ok(());
        }
        let (column, id) = self.column();
        crate::outbox::tell_new_in(tx, now_ms, owed, what, &format!("{column}:{id}:{now_ms}")).await
    }
}

/// Who owes a duty and by which day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Due {
    pub unit: i64,
    pub on: NaiveDate,
}

/// Gives `unit` an obligation owed for `source`, due on `due`, inside the caller's
/// transaction (reported and reviewed like any other).
pub(crate) async fn owe(
    tx: &mut crate::db::Tx,
    now_ms: i64,
    source: Source,
    Due { unit, on: due }: Due,
    label: String,
) -> Result<()> {
    let (column, id) = source.column();
    tx.execute(
        q(format!(
            "INSERT INTO obligations (id, {column}, unit_id, due_on, label, min_count, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, {pending}, $6, $6)",
            pending = State::Pending.sql()
        ))
            .bind(crate::ids::next_id(now_ms))
            .bind(id)
            .bind(unit)
            .bind(crate::db::day(due))
            .bind(label.as_str())
            .bind(now_ms),
    )
    .await?;
    source.tell_new(tx, now_ms, &[(unit, due)], &label).await
}

/// Gives each `(unit, due)` an obligation owed for `source`, labelled by `label`,
/// inside the caller's transaction, in multi-row inserts of 500 (a warning's
/// addressees, a special period's units × days).
pub(crate) async fn owe_many(
    tx: &mut crate::db::Tx,
    now_ms: i64,
    source: Source,
    owed: &[(i64, NaiveDate)],
    label: impl Fn(NaiveDate) -> String,
) -> Result<()> {
    let (column, id) = source.column();
    for chunk in owed.chunks(500) {
        let rows: Vec<Vec<crate::db::Arg>> = chunk
            .iter()
            .map(|(unit, due)| {
                vec![
                    crate::ids::next_id(now_ms).into(),
                    id.into(),
                    (*unit).into(),
                    crate::db::day(*due).into(),
                    label(*due).into(),
                    1i64.into(),
                    "pending".into(),
                    now_ms.into(),
                    now_ms.into(),
                ]
            })
            .collect();
        tx.execute(crate::db::insert_rows(
            &format!("INSERT INTO obligations (id, {column}, unit_id, due_on, label, min_count, state, created_at, updated_at) VALUES "),
            &rows,
        ))
        .await?;
    }
    match owed.first() {
        Some((_, first)) => source.tell_new(tx, now_ms, owed, &label(*first)).await,
        None => Ok(()),
    }
}

/// Closes the open obligations owed for `source` on `today`, as done by the action that
/// fulfils them (a tip's outcome, an investigation's close): accepted, or done late
/// after their due day.
pub(crate) async fn fulfil(tx: &mut crate::db::Tx, now: Moment, source: Source) -> Result<()> {
    fulfil_of(tx, now, source, None).await
}

/// Closes the open obligations owed for `source` by one unit (on one due day, when
/// given): a warning's answer, a day's report.
pub(crate) async fn fulfil_of(
    tx: &mut crate::db::Tx,
    Moment { ms: now_ms, today }: Moment,
    source: Source,
    only: Option<(i64, Option<NaiveDate>)>,
) -> Result<()> {
    let (column, id) = source.column();
    let mut query = q(format!(
        "UPDATE obligations SET state = CASE WHEN due_on < $1 THEN {late} ELSE {accepted} END, closed_at = $2, updated_at = $2 WHERE {column} = $3 AND state IN {unfinished}",
        late = State::DoneLate.sql(),
        accepted = State::Accepted.sql(),
        unfinished = State::sql_list(&State::UNFINISHED),
    ))
        .bind(crate::db::day(today))
        .bind(now_ms)
        .bind(id);
    if let Some((unit, due)) = only {
        query = query.push(" AND unit_id = ").push_bind(unit);
        if let Some(d) = due {
            query = query.push(" AND due_on = ").push_bind(crate::db::day(d));
        }
    }
    tx.execute(query).await?;
    Ok(())
}

/// Extends the open obligation owed for `source` by `days`, once, inside the caller's
/// transaction (a tip's verification with the office's approval, an investigation's
/// report): returns its label and new due day. Refused when nothing is open or it was
/// extended before.
pub(crate) async fn extend(
    tx: &mut crate::db::Tx,
    now_ms: i64,
    source: Source,
    field: &'static str,
    days: i64,
) -> Result<(String, NaiveDate)> {
    let (column, id) = source.column();
    let row: Option<(i64, String, String, i64)> = tx
        .opt(
            q(format!(
                "SELECT id, due_on, label, extended_days FROM obligations WHERE {column} = $1 AND state IN {open} ORDER BY due_on LIMIT 1",
                open = State::sql_list(&State::OPEN)
            ))
            .bind(id),
        )
        .await?;
    let (obligation, due, label, extended) =
        row.ok_or_else(|| Error::invalid("nothing_open", field, "没有进行中的时限可以延长"))?;
    if extended > 0 {
        return Err(Error::invalid(
            "already_extended",
            field,
            format!("该时限已延长过{extended}日，只能延长一次"),
        ));
    }
    let due = NaiveDate::parse_from_str(&due, "%Y-%m-%d")
        .map_err(|_| Error::Config(format!("obligation {obligation}: due day {due}")))?
        + chrono::Days::new(days.max(0) as u64);
    let label = format!("{label}（延期{days}日）");
    tx.execute(
        q("UPDATE obligations SET due_on = $1, extended_days = $2, label = $3, updated_at = $4 WHERE id = $5")
            .bind(crate::db::day(due))
            .bind(days)
            .bind(label.as_str())
            .bind(now_ms)
            .bind(obligation),
    )
    .await?;
    Ok((label, due))
}
