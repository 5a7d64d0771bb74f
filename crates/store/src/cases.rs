//! The case workflow's storage (the third mechanism in DESIGN.md): a case's steps as
//! its history, and its rectification deadline as an obligation of the responsible unit,
//! so that overdue cases show in to-do lists and on-time rates like any other duty.
//! Hazards are the first kind of case; tips follow. The rules live in
//! [`anjian_core::case`] and [`anjian_core::obligation`].

use anjian_core::case::{Status, Step};
use anjian_core::obligation::{State, next};
use chrono::NaiveDate;

use crate::db::day;
use crate::db::{Tx, q};
use crate::error::Result;
use crate::ids::next_id;
use crate::reports::EvidenceFile;
use crate::scope::Actor;

/// Appends a step to a case's history; returns the step's id (its files hang on it).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn add_step(
    tx: &mut Tx,
    now_ms: i64,
    actor: &Actor,
    case_id: i64,
    step: &str,
    from: Option<Status>,
    to: Status,
    note: &str,
) -> Result<i64> {
    let id = next_id(now_ms);
    tx.execute(
        q("INSERT INTO case_steps (id, case_id, step, from_status, to_status, actor_id, unit_id, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(id)
            .bind(case_id)
            .bind(step)
            .bind(from.map(|s| s.as_str()))
            .bind(to.as_str())
            .bind(actor.user_id)
            .bind(actor.unit_id)
            .bind(note)
            .bind(now_ms),
    )
    .await?;
    Ok(id)
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

/// Opens the rectification obligation of a newly assigned case: owed by `unit_id` on
/// `deadline`, labelled `label`, counted in the campaign running on `on` (the day the
/// problem was found), if any.
pub(crate) async fn open_obligation(
    tx: &mut Tx,
    now_ms: i64,
    (case_id, unit_id): (i64, i64),
    (deadline, on): (NaiveDate, NaiveDate),
    label: &str,
    campaigns: &Campaigns,
) -> Result<()> {
    let campaign = campaigns.on(on);
    tx.execute(
        q("INSERT INTO obligations (id, campaign_id, case_id, unit_id, due_on, label, min_count, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, 'pending', $7, $7)")
            .bind(next_id(now_ms))
            .bind(campaign)
            .bind(case_id)
            .bind(unit_id)
            .bind(day(deadline))
            .bind(label)
            .bind(now_ms),
    )
    .await?;
    Ok(())
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
