//! The case workflow's storage (the third mechanism in DESIGN.md): a case's steps as
//! its history, and its rectification deadline as an obligation of the responsible unit,
//! so that overdue cases show in to-do lists and on-time rates like any other duty.
//! Hazards are the first kind of case; tips follow. The rules live in
//! [`anjian_core::case`] and [`anjian_core::obligation`].

use anjian_core::case::{Status, Step};
use anjian_core::obligation::{State, next};
use chrono::NaiveDate;

use crate::db::day;
use crate::db::{Arg, Tx, insert_rows, q};
use crate::error::Result;
use crate::ids::next_id;
use crate::reports::EvidenceFile;
use crate::scope::Actor;

/// A step of a case's history: which case, the step's name, the status it moved the
/// case from (none for the first) and to, and its text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CaseStep<'a> {
    pub case_id: i64,
    pub step: &'a str,
    pub from: Option<Status>,
    pub to: Status,
    pub note: &'a str,
}

/// Appends a step to a case's history; returns the step's id (its files hang on it).
pub(crate) async fn add_step(
    tx: &mut Tx,
    now_ms: i64,
    actor: &Actor,
    step: CaseStep<'_>,
) -> Result<i64> {
    let (id, row) = step_row(now_ms, actor, step);
    tx.execute(insert_rows(STEP_INSERT, [&row])).await?;
    Ok(id)
}

const STEP_INSERT: &str = "INSERT INTO case_steps (id, case_id, step, from_status, to_status, actor_id, unit_id, note, at) VALUES ";

/// A step's new id and row for [`STEP_INSERT`].
fn step_row(
    now_ms: i64,
    actor: &Actor,
    CaseStep {
        case_id,
        step,
        from,
        to,
        note,
    }: CaseStep<'_>,
) -> (i64, Vec<Arg>) {
    let id = next_id(now_ms);
    let row = vec![
        id.into(),
        case_id.into(),
        step.into(),
        from.map(|s| s.as_str()).into(),
        to.as_str().into(),
        actor.user_id.into(),
        actor.unit_id.into(),
        note.into(),
        now_ms.into(),
    ];
    (id, row)
}

/// A new case assigned to its responsible unit, with its first step (`assign`) and its
/// rectification obligation, as rows: [`open_many`] writes many in a few statements.
pub(crate) struct Opening {
    pub case_id: i64,
    /// The first step's id (the photos taken when it was found go with it).
    pub step_id: i64,
    case: Vec<Arg>,
    step: Vec<Arg>,
    obligation: Vec<Arg>,
}

/// A case to open: its kind, the unit assigning it and the one that must fix it, its
/// first status and deadline, the day it was found (the campaign it counts in) and its
/// obligation's label.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewCase<'a> {
    pub kind: &'a str,
    pub assigner: i64,
    pub unit: i64,
    pub status: Status,
    pub deadline: NaiveDate,
    pub found_on: NaiveDate,
    pub label: &'a str,
}

impl Opening {
    /// A `kind` case from `assigner` to `unit`, assigned (`status`) with `deadline`; its
    /// obligation, labelled `label`, counts in the campaign running on `found_on`.
    pub(crate) fn new(
        now_ms: i64,
        actor: &Actor,
        NewCase {
            kind,
            assigner,
            unit,
            status,
            deadline,
            found_on,
            label,
        }: NewCase<'_>,
        campaigns: &Campaigns,
    ) -> Opening {
        let case_id = next_id(now_ms);
        let due = day(deadline);
        let case = vec![
            case_id.into(),
            kind.into(),
            status.as_str().into(),
            assigner.into(),
            unit.into(),
            due.clone().into(),
            now_ms.into(),
            now_ms.into(),
        ];
        let note = format!("整改时限 {due}");
        let first = CaseStep {
            case_id,
            step: "assign",
            from: None,
            to: status,
            note: &note,
        };
        let (step_id, step) = step_row(now_ms, actor, first);
        let obligation = vec![
            next_id(now_ms).into(),
            campaigns.on(found_on).into(),
            case_id.into(),
            unit.into(),
            due.into(),
            label.into(),
            1.into(),
            State::Pending.as_str().into(),
            now_ms.into(),
            now_ms.into(),
        ];
        Opening {
            case_id,
            step_id,
            case,
            step,
            obligation,
        }
    }
}

/// Writes `openings`: cases, first steps and obligations, 200 rows a statement.
pub(crate) async fn open_many(tx: &mut Tx, openings: &[&Opening]) -> Result<()> {
    for chunk in openings.chunks(200) {
        tx.execute(insert_rows(
            "INSERT INTO cases (id, kind, status, assigner_unit_id, unit_id, deadline, created_at, updated_at) VALUES ",
            chunk.iter().map(|o| &o.case),
        ))
        .await?;
        tx.execute(insert_rows(STEP_INSERT, chunk.iter().map(|o| &o.step)))
            .await?;
        tx.execute(
            insert_rows(
                "INSERT INTO obligations (id, campaign_id, case_id, unit_id, due_on, label, min_count, state, created_at, updated_at) VALUES ",
                chunk.iter().map(|o| &o.obligation),
            )
        )
        .await?;
    }
    Ok(())
}

/// Attaches `files` (already stored) to step `step_id` of a case.
pub(crate) async fn attach_files(
    tx: &mut Tx,
    now_ms: i64,
    step_id: i64,
    files: &[EvidenceFile],
) -> Result<()> {
    for f in files {
        tx.execute(
            q("INSERT INTO case_files (id, step_id, sha256, size, mime, file_name) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(next_id(now_ms))
                .bind(step_id)
                .bind(f.sha256.as_str())
                .bind(f.size)
                .bind(f.mime.as_str())
                .bind(f.file_name.as_str()),
        )
        .await?;
    }
    Ok(())
}

/// The campaigns' windows, read once per transaction: which campaign a case found on a
/// day counts in (the latest started one running that day).
pub(crate) struct Campaigns(Vec<(i64, String, Option<String>)>);

impl Campaigns {
    /// Reads every campaign's window.
    pub(crate) async fn load(tx: &mut Tx) -> Result<Campaigns> {
        Ok(Campaigns(
            tx.all(q(
                "SELECT id, starts_on, ends_on FROM campaigns ORDER BY starts_on DESC, id DESC",
            ))
            .await?,
        ))
    }

    /// The campaign running on `on`, if any.
    fn on(&self, on: NaiveDate) -> Option<i64> {
        let d = day(on);
        self.0
            .iter()
            .find(|(_, starts, ends)| *starts <= d && ends.as_ref().is_none_or(|e| *e >= d))
            .map(|(id, _, _)| *id)
    }
}

/// Moves a case's rectification obligation along with a loop step taken on `today`
/// (see [`Step::obligation_actions`]); `due` is the case's deadline after the step (an
/// approved extension moves the obligation's due date).
pub(crate) async fn follow_obligation(
    tx: &mut Tx,
    now_ms: i64,
    case_id: i64,
    step: &Step,
    due: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<()> {
    #[derive(sqlx::FromRow)]
    struct O {
        id: i64,
        state: String,
        due_on: String,
        submitted_at: Option<i64>,
    }
    let Some(o) = tx
        .opt::<O>(
            q("SELECT id, state, due_on, submitted_at FROM obligations WHERE case_id = $1")
                .bind(case_id),
        )
        .await?
    else {
        return Ok(());
    };
    let due = due.unwrap_or_else(|| {
        NaiveDate::parse_from_str(&o.due_on, "%Y-%m-%d").unwrap_or(NaiveDate::MAX)
    });
    let mut state = State::parse(&o.state).unwrap_or(State::Pending);
    let mut submitted_at = o.submitted_at;
    for action in step.obligation_actions() {
        if *action == anjian_core::obligation::Action::Submit {
            submitted_at = Some(now_ms);
        }
        let submitted_on = submitted_at
            .and_then(anjian_core::time::local_date)
            .unwrap_or(today);
        state = next(state, *action, due, submitted_on)?;
    }
    let closed = matches!(state, State::Accepted | State::DoneLate).then_some(now_ms);
    tx.execute(
        q("UPDATE obligations SET state = $1, due_on = $2, submitted_at = $3, closed_at = $4, updated_at = $5 WHERE id = $6")
            .bind(state.as_str())
            .bind(day(due))
            .bind(submitted_at)
            .bind(closed)
            .bind(now_ms)
            .bind(o.id),
    )
    .await?;
    Ok(())
}
