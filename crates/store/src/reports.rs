//! Progress reports (履职报送) on obligations and their review: the unit reports with
//! evidence; the lead unit or the office accepts it or returns it with a reason. Each
//! step is one transaction that moves the obligation's state and appends its audit entry.

use anjian_core::FieldError;
use anjian_core::machine::By;
use anjian_core::obligation::{Action, Counted, Duty, State, Step};
use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::{Db, Tx, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::{Actor, Scope};
use crate::transition::{Kept, Move, apply, enter};

/// An evidence file already written to the file store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EvidenceFile {
    pub sha256: String,
    pub size: i64,
    pub mime: String,
    pub file_name: String,
}

/// A report with its review and evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub id: i64,
    pub author: Option<String>,
    pub text: String,
    pub submitted_at: i64,
    pub submitted_on: String,
    pub decision: Option<String>,
    pub reason: Option<String>,
    pub reviewed_at: Option<i64>,
    /// How many the report covers, where the obligation asks for a minimum.
    pub counted: Option<i64>,
    pub evidence: Vec<EvidenceFile>,
}

/// An obligation as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ObligationDetail {
    pub id: i64,
    pub campaign_id: Option<i64>,
    /// The case whose rectification deadline this is (its page is the case's).
    pub case_id: Option<i64>,
    pub unit_id: i64,
    pub unit_name: String,
    pub role: String,
    pub work_item_id: Option<i64>,
    pub work_item_no: Option<i64>,
    pub title: String,
    pub due_on: String,
    pub label: String,
    pub min_count: i64,
    /// The stored state (the page shows the effective one).
    pub state: String,
    /// The unit that reviews this obligation's reports besides the office.
    pub reviewer_unit_id: Option<i64>,
}

const DETAIL: &str = "SELECT o.id, o.campaign_id, o.case_id, o.unit_id, u.name AS unit_name, COALESCE(a.role, 'responsible') AS role, a.work_item_id, w.no AS work_item_no, COALESCE(cw.text, w.text, d.text, o.label) AS title, o.due_on, o.label, o.min_count, o.state, a.reviewer_unit_id FROM obligations o JOIN units u ON u.id = o.unit_id LEFT JOIN assignments a ON a.id = o.assignment_id LEFT JOIN work_items w ON w.id = a.work_item_id LEFT JOIN campaign_work_items cw ON cw.campaign_id = o.campaign_id AND cw.work_item_id = a.work_item_id LEFT JOIN plan_duties d ON d.id = a.duty_id WHERE ";

/// The obligation `id` if it is visible in `scope` (see [`Scope::obligations`]).
fn visible(scope: &Scope, id: i64) -> crate::db::Q {
    scope
        .obligations(q(DETAIL), "o", "u")
        .push(" AND o.id = ")
        .push_bind(id)
}

/// One obligation visible in `scope`, or `NotFound`.
pub async fn obligation(db: &Db, scope: &Scope, id: i64) -> Result<ObligationDetail> {
    db.read().one(visible(scope, id)).await
}

/// The obligation `id` that `actor` may report on: in scope (404 otherwise), owed by
/// the actor's own unit and the actor of a reporting role (403 otherwise). Asked by
/// [`submit`] itself, and by a form before it stores the report's files.
pub async fn may_submit(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
) -> Result<ObligationDetail> {
    let o = obligation(db, scope, id).await?;
    reporter(actor, &o)?;
    Ok(o)
}

/// Refuses (403) unless `actor` reports for the unit that owes `o`.
fn reporter(actor: &Actor, o: &ObligationDetail) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::can_report)?;
    if actor.unit_id == Some(o.unit_id) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// An obligation to report on, review or waive: a case's rectification deadline moves
/// only with its case's steps.
async fn obligation_in(tx: &mut Tx, scope: &Scope, id: i64) -> Result<ObligationDetail> {
    let o: ObligationDetail = tx.one(visible(scope, id)).await?;
    if o.case_id.is_some() {
        return Err(Error::Invalid(FieldError::new(
            "case_obligation",
            "obligation",
            "整改时限随隐患的整改、反馈和核查办理，不能单独报送或审核",
        )));
    }
    Ok(o)
}

/// The reports of an obligation, newest first, with their evidence (two queries).
pub async fn reports(db: &Db, obligation_id: i64) -> Result<Vec<Report>> {
    #[derive(sqlx::FromRow)]
    struct ReportRow {
        id: i64,
        author: Option<String>,
        text: String,
        submitted_at: i64,
        submitted_on: String,
        decision: Option<String>,
        reason: Option<String>,
        reviewed_at: Option<i64>,
        counted: Option<i64>,
    }
    let rows: Vec<ReportRow> = db
        .read()
        .all(q("SELECT r.id, us.display_name AS author, r.text, r.submitted_at, r.submitted_on, r.decision, r.reason, r.reviewed_at, r.counted FROM progress_reports r LEFT JOIN users us ON us.id = r.author_id WHERE r.obligation_id = $1 ORDER BY r.id DESC").bind(obligation_id))
        .await?;
    #[derive(sqlx::FromRow)]
    struct FileRow {
        report_id: i64,
        #[sqlx(flatten)]
        file: EvidenceFile,
    }
    let files: Vec<FileRow> = db
        .read()
        .all(q("SELECT e.report_id, e.sha256, e.size, e.mime, e.file_name FROM evidence e JOIN progress_reports r ON r.id = e.report_id WHERE r.obligation_id = $1 ORDER BY e.id").bind(obligation_id))
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Report {
            evidence: files
                .iter()
                .filter(|e| e.report_id == r.id)
                .map(|e| e.file.clone())
                .collect(),
            id: r.id,
            author: r.author,
            text: r.text,
            submitted_at: r.submitted_at,
            submitted_on: r.submitted_on,
            decision: r.decision,
            reason: r.reason,
            reviewed_at: r.reviewed_at,
            counted: r.counted,
        })
        .collect())
}

/// Whether `actor` may review reports on this obligation: the office, or, for a
/// co-responsible unit's obligation, a user of the unit that alone leads the same work
/// item (see [`crate::scope::leads_item`]). Lead units' own reports go to the office.
pub fn may_review(office: bool, actor_unit: i64, o: &ObligationDetail) -> bool {
    office || o.reviewer_unit_id == Some(actor_unit)
}

fn stored(o: &ObligationDetail) -> State {
    State::parse(&o.state).unwrap_or(State::Pending)
}

fn due(o: &ObligationDetail) -> NaiveDate {
    NaiveDate::parse_from_str(&o.due_on, "%Y-%m-%d").unwrap_or(NaiveDate::MAX)
}

impl Kept for Duty {
    const RELATION: &'static str = "obligations";
    const COLUMN: &'static str = "state";
    const CONFLICT: &'static str = "该事项已被他人办理，请刷新后再试";
}

/// A report as its author submits it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Submission<'a> {
    /// What was done (报送内容).
    pub text: &'a str,
    /// How many it covers, for a duty that counts (empty otherwise).
    pub counted: &'a str,
    /// Its evidence, already stored as files.
    pub files: &'a [EvidenceFile],
}

impl<'a> Submission<'a> {
    /// A report in words only: no count, no files.
    pub fn text(text: &'a str) -> Self {
        Submission {
            text,
            ..Submission::default()
        }
    }
}

/// Submits a report with its evidence (already stored as files) on an obligation in
/// scope; it counts as submitted on the Shanghai date of `now_ms`.
pub async fn submit(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    obligation_id: i64,
    report: Submission<'_>,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    let (id, e) = submit_in(&mut tx, now_ms, actor, scope, obligation_id, report).await?;
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`submit`] inside the caller's transaction (a monthly report submits its month's
/// obligations with it): answers the report and the entry recording it, which the
/// acting caller appends or sums up in its own.
pub(crate) async fn submit_in(
    tx: &mut Tx,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    obligation_id: i64,
    Submission {
        text,
        counted,
        files,
    }: Submission<'_>,
) -> Result<(i64, Entry)> {
    let today = anjian_core::time::local_date(now_ms).unwrap_or(NaiveDate::MIN);
    let text = anjian_core::error::required_paragraphs("text", "报送内容", text, 5000)?;
    let o = obligation_in(tx, scope, obligation_id).await?;
    reporter(actor, &o)?;
    if o.role == "invited" {
        return Err(Error::Invalid(FieldError::new(
            "invited_only",
            "state",
            "受邀单位无需报送",
        )));
    }
    // The owing unit submits (checked above): the duty's table says from where.
    let mv = Move::<Duty>::new(obligation_id, Step::Submit, stored(&o), &[By::Assignee])
        .set("submitted_at", now_ms);
    mv.check()?;
    let counted = match anjian_core::obligation::counted_by(&o.title) {
        Counted::Visits if o.min_count > 1 => Some(visits_recorded(tx, &o).await?),
        _ => anjian_core::obligation::stated_count(counted, o.min_count)?,
    };
    let id = next_id(now_ms);
    tx.execute(
        q("INSERT INTO progress_reports (id, obligation_id, unit_id, author_id, text, submitted_at, submitted_on, counted) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(id)
            .bind(obligation_id)
            .bind(o.unit_id)
            .bind(actor.user_id)
            .bind(text.as_str())
            .bind(now_ms)
            .bind(today.format("%Y-%m-%d").to_string())
            .bind(counted),
    )
    .await?;
    for f in files {
        tx.execute(
            q("INSERT INTO evidence (id, report_id, sha256, size, mime, file_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(next_id(now_ms))
                .bind(id)
                .bind(f.sha256.as_str())
                .bind(f.size)
                .bind(f.mime.as_str())
                .bind(f.file_name.as_str())
                .bind(now_ms),
        )
        .await?;
    }
    let e = Entry::ok("obligation.submit", "obligation", obligation_id).detail(format!(
        "{} 报送，附{}个佐证材料",
        o.unit_name,
        files.len()
    ));
    let (_, e) = enter(tx, now_ms, mv, e).await?;
    Ok((id, e))
}

/// The supervision visits the obligation's unit recorded from its campaign's start to
/// the obligation's due day ("组织开展2次督查检查").
async fn visits_recorded(tx: &mut Tx, o: &ObligationDetail) -> Result<i64> {
    let (n,): (i64,) = tx
        .one(
            q("SELECT CAST(COUNT(*) AS BIGINT) FROM visits v WHERE v.unit_id = $1 AND v.recorded_at IS NOT NULL AND v.starts_on <= $2 AND v.starts_on >= COALESCE((SELECT c.starts_on FROM campaigns c WHERE c.id = $3), '0000-00-00')")
                .bind(o.unit_id)
                .bind(o.due_on.as_str())
                .bind(o.campaign_id),
        )
        .await?;
    Ok(n)
}

/// Accepts or returns (with a reason) the latest report on an obligation in scope.
pub async fn review(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    obligation_id: i64,
    accept: bool,
    reason: &str,
) -> Result<State> {
    let mut tx = db.begin().await?;
    let (state, e) =
        review_in(&mut tx, now_ms, actor, scope, obligation_id, accept, reason).await?;
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(state)
}

/// The text of the latest report waiting for review on each of `ids` (one query).
pub async fn latest_texts(db: &Db, ids: &[i64]) -> Result<std::collections::HashMap<i64, String>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let mut query = q(
        "SELECT r.obligation_id, r.text FROM progress_reports r WHERE r.decision IS NULL AND r.obligation_id IN (",
    );
    for (i, id) in ids.iter().take(1000).enumerate() {
        if i > 0 {
            query = query.push(", ");
        }
        query = query.push_bind(*id);
    }
    let rows: Vec<(i64, String)> = db.read().all(query.push(") ORDER BY r.id")).await?;
    // Later reports overwrite earlier ones: the latest stays.
    Ok(rows.into_iter().collect())
}

/// One reviewer's decision on one obligation's latest report, within a pass over
/// several.
#[derive(Debug, Clone)]
pub struct Decision {
    pub obligation_id: i64,
    pub accept: bool,
    pub reason: String,
}

/// Reviews several reports in one pass (the office going through a work item's units):
/// every decision or none, in one transaction with one audit entry naming each; the
/// first decision at fault is named by its place in the pass ("第2份报送：…"). Each
/// decision takes the workflow's own step (`review_in`: a read and a conditional
/// update per report), at most 200 in a pass.
pub async fn review_many(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    decisions: &[Decision],
) -> Result<Vec<State>> {
    if decisions.is_empty() || decisions.len() > 200 {
        return Err(Error::invalid(
            "decisions",
            "decisions",
            "一次审核1至200份报送",
        ));
    }
    let mut tx = db.begin().await?;
    let (mut accepted, mut returned) = (0, 0);
    let mut folded = Vec::new();
    let mut states = Vec::new();
    for (i, d) in decisions.iter().enumerate() {
        let (state, e) = review_in(
            &mut tx,
            now_ms,
            actor,
            scope,
            d.obligation_id,
            d.accept,
            &d.reason,
        )
        .await
        .map_err(|e| match e {
            Error::Invalid(f) => Error::Invalid(FieldError::new(
                f.code,
                f.field,
                format!("第{}份报送：{}", i + 1, f.message),
            )),
            e => e,
        })?;
        if d.accept {
            accepted += 1;
        } else {
            returned += 1;
        }
        folded.push(if e.detail.is_empty() {
            format!("{}:{}", d.obligation_id, state.label())
        } else {
            format!("{}:{}（{}）", d.obligation_id, state.label(), e.detail)
        });
        states.push(state);
    }
    let entry = Entry::ok(
        "obligation.review_batch",
        "obligation",
        decisions[0].obligation_id,
    )
    .detail(format!(
        "通过{accepted}份，退回{returned}份；{}",
        folded.join("；")
    ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(states)
}

/// [`review`] inside the caller's transaction: answers the new state and the entry
/// recording it, which the caller appends or folds into its own.
async fn review_in(
    tx: &mut Tx,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    obligation_id: i64,
    accept: bool,
    reason: &str,
) -> Result<(State, Entry)> {
    let o = obligation_in(tx, scope, obligation_id).await?;
    // The office (by role and scope, as every workflow reads it) or the duty's lead unit.
    let mut by = crate::transition::relation(scope, actor, None);
    if may_review(false, actor.unit_id.unwrap_or_default(), &o) {
        by.push(By::Reviewer);
    }
    if by.is_empty() {
        return Err(Error::Forbidden);
    }
    let reason = anjian_core::error::optional_text("reason", "退回理由", reason, 1000)?;
    if !accept && reason.is_none() {
        return Err(Error::Invalid(FieldError::new(
            "reason_required",
            "reason",
            "退回时须写明理由",
        )));
    }
    let latest: Option<(i64, String)> = tx
        .opt(q("SELECT id, submitted_on FROM progress_reports WHERE obligation_id = $1 AND decision IS NULL ORDER BY id DESC LIMIT 1").bind(obligation_id))
        .await?;
    let Some((report_id, submitted_on)) = latest else {
        return Err(Error::Invalid(FieldError::new(
            "invalid_transition",
            "state",
            "没有待审核的报送",
        )));
    };
    let submitted = NaiveDate::parse_from_str(&submitted_on, "%Y-%m-%d").unwrap_or(NaiveDate::MAX);
    let action = if accept {
        Action::Accept
    } else {
        Action::Return
    };
    let step = Step::of(action, due(&o), submitted);
    let mv = Move::<Duty>::new(obligation_id, step, stored(&o), &by);
    let new_state = mv.check()?;
    // The report's decision is named as the obligation's state it leads to.
    let decision = if accept {
        State::Accepted.as_str()
    } else {
        State::Returned.as_str()
    };
    tx.execute(
        q("UPDATE progress_reports SET decision = $1, reason = $2, reviewer_id = $3, reviewed_at = $4 WHERE id = $5")
            .bind(decision)
            .bind(reason.clone())
            .bind(actor.user_id)
            .bind(now_ms)
            .bind(report_id),
    )
    .await?;
    let closed = matches!(new_state, State::Accepted | State::DoneLate).then_some(now_ms);
    let mv = mv.set("closed_at", closed);
    let action_name = if accept {
        "obligation.accept"
    } else {
        "obligation.return"
    };
    if !accept {
        crate::outbox::notify_in(
            tx,
            now_ms,
            anjian_core::channel::Event::Returned,
            &[o.unit_id],
            &anjian_core::channel::Message {
                title: "报送被退回".into(),
                text: format!(
                    "{}：{}",
                    o.title.chars().take(60).collect::<String>(),
                    reason.clone().unwrap_or_default()
                ),
                link: format!("/obligations/{obligation_id}"),
            },
            crate::outbox::About {
                subject: &format!("obligation:{obligation_id}"),
                round: &format!("returned:{now_ms}"),
            },
        )
        .await?;
    }
    let e = Entry::ok(action_name, "obligation", obligation_id).detail(reason.unwrap_or_default());
    enter(tx, now_ms, mv, e).await
}

/// The evidence file `sha256` if it belongs to a report on an obligation in scope.
pub async fn evidence_in_scope(
    db: &Db,
    scope: &Scope,
    obligation_id: i64,
    sha256: &str,
) -> Result<EvidenceFile> {
    obligation(db, scope, obligation_id).await?;
    db.read()
        .one(q("SELECT e.sha256, e.size, e.mime, e.file_name FROM evidence e JOIN progress_reports r ON r.id = e.report_id WHERE r.obligation_id = $1 AND e.sha256 = $2 LIMIT 1").bind(obligation_id).bind(sha256))
        .await
}

/// Waives an open obligation in scope, with a reason (the office).
pub async fn waive(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    obligation_id: i64,
    reason: &str,
) -> Result<State> {
    let reason = anjian_core::error::required_paragraphs("reason", "豁免理由", reason, 1000)?;
    let mut tx = db.begin().await?;
    let o = obligation_in(&mut tx, scope, obligation_id).await?;
    let by = crate::transition::relation(scope, actor, None);
    let mv = Move::<Duty>::new(obligation_id, Step::Waive, stored(&o), &by)
        .set("waived_reason", reason.as_str())
        .set("closed_at", now_ms);
    let e = Entry::ok("obligation.waive", "obligation", obligation_id).detail(reason);
    let new_state = apply(&mut tx, now_ms, actor, mv, e).await?;
    tx.commit().await?;
    Ok(new_state)
}
