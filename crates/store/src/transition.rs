//! Applying a workflow's step (issue 22 part 1): the one function every workflow's
//! state change goes through. It asks the workflow's table in core
//! ([`anjian_core::machine::Machine`]) whether the step may be taken from the state
//! read and by whom, updates the row only if it still stands in that state (`… WHERE
//! id = $1 AND state = $from`: a concurrent step that got there first leaves zero rows,
//! answered 409 `state_changed`), and appends the action's one audit entry with the
//! change from → to, all inside the caller's transaction.

use anjian_core::machine::{By, Machine, States};

use crate::audit::{self, Entry};
use crate::db::{Arg, Tx, q};
use crate::error::{Error, Result};
use crate::scope::{Actor, Scope};

/// Where a workflow's state is kept.
pub(crate) trait Kept: Machine {
    /// The table.
    const RELATION: &'static str;
    /// The column that identifies a row.
    const KEY: &'static str = "id";
    /// The state column.
    const COLUMN: &'static str;
    /// The column stamped with the instant of the change, if the table has one.
    const UPDATED_AT: Option<&'static str> = Some("updated_at");
    /// What the loser of a concurrent step reads.
    const CONFLICT: &'static str;
}

/// A step to apply to one row.
pub(crate) struct Move<M: Machine> {
    pub id: i64,
    pub step: M::Step,
    /// The state read before: the update applies only from it.
    pub from: M::State,
    /// How the actor relates to the object (computed by the store from the actor and
    /// the row, never taken from a request).
    pub by: Vec<By>,
    /// The other columns the step writes.
    pub set: Vec<(&'static str, Arg)>,
    /// Further columns the row must still hold (`column = value`).
    pub guard: Vec<(&'static str, Arg)>,
    /// Columns the row must still have empty (`column IS NULL`).
    pub unset: Vec<&'static str>,
}

impl<M: Machine> Move<M> {
    /// `step` on row `id`, read in state `from`, taken by a party related as `by`.
    pub fn new(id: i64, step: M::Step, from: M::State, by: &[By]) -> Self {
        Move {
            id,
            step,
            from,
            by: by.to_vec(),
            set: Vec::new(),
            guard: Vec::new(),
            unset: Vec::new(),
        }
    }

    /// Also writes `column`.
    pub fn set(mut self, column: &'static str, value: impl Into<Arg>) -> Self {
        self.set.push((column, value.into()));
        self
    }

    /// Only while `column` is still empty.
    pub fn unless_set(mut self, column: &'static str) -> Self {
        self.unset.push(column);
        self
    }

    /// Only while `column` still holds `value`.
    pub fn guard(mut self, column: &'static str, value: impl Into<Arg>) -> Self {
        self.guard.push((column, value.into()));
        self
    }

    /// The state the step leads to, or why it cannot be taken: a refusal of the
    /// workflow (422), or a party the table does not name for the step (403, asked
    /// first). Nothing is written.
    pub fn check(&self) -> Result<M::State> {
        if !M::allows(self.step, &self.by) {
            return Err(Error::Forbidden);
        }
        let row = M::row(self.step, self.from).ok_or_else(|| M::refusal(self.step, self.from))?;
        if !row.by.iter().any(|b| self.by.contains(b)) {
            return Err(Error::Forbidden);
        }
        Ok(row.to)
    }
}

/// Refuses (403) a party the table never lets take `step`: asked before anything is
/// read, so that a step only the office takes tells no one else whether the object
/// exists.
pub(crate) fn may<M: Machine>(step: M::Step, by: &[By]) -> Result<()> {
    if M::allows(step, by) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// Applies `mv` inside `tx` and appends `entry` (given the change from → to); answers
/// the new state.
pub(crate) async fn apply<M: Kept>(
    tx: &mut Tx,
    now_ms: i64,
    actor: &Actor,
    mv: Move<M>,
    entry: Entry,
) -> Result<M::State> {
    let (to, entry) = enter(tx, now_ms, mv, entry).await?;
    audit::append(tx, now_ms, actor, entry).await?;
    Ok(to)
}

/// [`apply`] without appending: answers the new state and `entry` with the change from
/// → to, for an action that folds this step into its own entry (a monthly report
/// submitting its month's duties).
pub(crate) async fn enter<M: Kept>(
    tx: &mut Tx,
    now_ms: i64,
    mv: Move<M>,
    entry: Entry,
) -> Result<(M::State, Entry)> {
    let to = mv.check()?;
    let mut query =
        q(format!("UPDATE {} SET {} = ", M::RELATION, M::COLUMN)).push_bind(to.as_str());
    if let Some(stamp) = M::UPDATED_AT {
        query = query.push(&format!(", {stamp} = ")).push_bind(now_ms);
    }
    for (column, value) in mv.set {
        query = query.push(&format!(", {column} = ")).push_bind(value);
    }
    query = query
        .push(&format!(" WHERE {} = ", M::KEY))
        .push_bind(mv.id);
    query = if mv.from.as_str().is_empty() {
        query.push(&format!(" AND {} IS NULL", M::COLUMN))
    } else {
        query
            .push(&format!(" AND {} = ", M::COLUMN))
            .push_bind(mv.from.as_str())
    };
    for (column, value) in mv.guard {
        query = query.push(&format!(" AND {column} = ")).push_bind(value);
    }
    for column in mv.unset {
        query = query.push(&format!(" AND {column} IS NULL"));
    }
    let n = tx.execute(query).await?;
    let field = M::refusal(mv.step, mv.from).field;
    Error::unless_changed(n, field, M::CONFLICT)?;
    let word = |s: M::State| Some(s.as_str()).filter(|w| !w.is_empty());
    Ok((to, entry.change(word(mv.from), word(to))))
}

/// How `actor`, seeing `scope`, relates to an object routed to (or led by) `assignee`
/// ([`anjian_core::machine::relation`]): the office when its role sees the whole
/// district and so does its scope.
pub(crate) fn relation(scope: &Scope, actor: &Actor, assignee: Option<i64>) -> Vec<By> {
    let office = matches!(scope, Scope::All)
        && anjian_core::role::Role::parse(&actor.role).is_ok_and(|r| r.sees_everything());
    anjian_core::machine::relation(office, actor.unit_id, assignee)
}
