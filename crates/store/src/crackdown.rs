//! 打非治违 cases (issue 19 part 3): a supervising unit records a case found in a
//! township, with the units acting on it together; each measure, the closing and the
//! office's public exposure is a step of [`anjian_core::crackdown::Crackdown`] applied
//! as a conditional update with its audit entry, in one transaction. A case is seen by
//! the units whose scope holds its township, its recording unit, its enterprise or one
//! of its joint units; lists are keyset-paged, newest first.

use anjian_core::crackdown::CaseInput;
use anjian_core::crackdown::{Crackdown, Measure, Stage, Step, StepInput, check_case, check_step};
use anjian_core::machine::{By, States};
use anjian_core::role::Role;
use anjian_core::time::Moment;
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::{Db, Q, day, insert_rows, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::{Actor, Scope, UnitRef};
use crate::transition::{self, Kept, Move};

impl Kept for Crackdown {
    const RELATION: &'static str = "crackdown_cases";
    const COLUMN: &'static str = "state";
    const CONFLICT: &'static str = "该案件已由他人处理，请刷新后查看";
}

/// A case as lists and pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CaseRow {
    pub id: i64,
    pub locality_id: i64,
    pub locality_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub enterprise_id: Option<i64>,
    pub subject: String,
    pub place: String,
    pub facts: String,
    /// `patrol` | `tip` | `visit` | `inspection`.
    pub found_by: String,
    pub found_on: String,
    /// `found` | `acting` | `closed`.
    pub state: String,
    /// The measures taken so far, by their Chinese names ("取缔、移送司法机关").
    pub measures: String,
    pub closed_on: Option<String>,
    pub exposed_on: Option<String>,
}

impl CaseRow {
    /// The state's Chinese name.
    pub fn state_label(&self) -> &'static str {
        Stage::label_of(&self.state)
    }

    /// How it was found, in Chinese.
    pub fn found_by_label(&self) -> &str {
        anjian_core::crackdown::label_of(&self.found_by)
    }

    /// Whether a measure sent it to the judicial organs.
    pub fn referred(&self) -> bool {
        self.measures.contains(Measure::Referred.label())
    }
}

const ROW: &str = "SELECT c.id, c.locality_id, l.name AS locality_name, c.unit_id, r.name AS unit_name, c.enterprise_id, c.subject, c.place, c.facts, c.found_by, c.found_on, c.state, c.measures, c.closed_on, c.exposed_on FROM crackdown_cases c JOIN units l ON l.id = c.locality_id JOIN units r ON r.id = c.unit_id LEFT JOIN units x ON x.id = c.enterprise_id WHERE ";

/// Appends "case `c` is visible": its township, its recording unit, its enterprise or
/// one of its joint units is in scope ([`Scope::rows_of_units`]), so that a township's
/// list reads its own cases instead of scanning the district's newest first (a
/// township's list over 100,000 cases went from 87 ms p50 to the figures in
/// docs/PERFORMANCE.md).
fn visible(scope: &Scope, query: Q) -> Q {
    scope.rows_of_units(
        query,
        "c.id",
        &[
            UnitRef {
                select: "SELECT v.id FROM crackdown_cases v",
                column: "v.locality_id",
                own: Some("c.locality_id"),
            },
            UnitRef {
                select: "SELECT v.id FROM crackdown_cases v",
                column: "v.unit_id",
                own: Some("c.unit_id"),
            },
            UnitRef {
                select: "SELECT v.id FROM crackdown_cases v",
                column: "v.enterprise_id",
                own: Some("c.enterprise_id"),
            },
            UnitRef {
                select: "SELECT v.case_id FROM crackdown_units v",
                column: "v.unit_id",
                own: None,
            },
        ],
    )
}

/// Who may record and act: a supervising unit's user or the office.
fn acting_unit(actor: &Actor) -> Result<i64> {
    crate::authz::require(actor, Role::can_enforce)?;
    actor.unit_id.ok_or(Error::Forbidden)
}

/// Records a case found in a township by the actor's unit. Refused: a bad case (422
/// naming the field), a township or an enterprise out of scope (404: a township's
/// user records in its own township; a department acts anywhere in the district), a
/// joint unit that is not a township or department (422 `joint_units`). Returns the
/// case's id.
pub async fn open(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    input: &CaseInput,
) -> Result<i64> {
    let unit = acting_unit(actor)?;
    let c = check_case(input, today)?;
    let locality = input.locality.unwrap_or_default();
    let mut tx = db.begin().await?;
    let mut query =
        q("SELECT l.name FROM units l WHERE l.kind IN ('township', 'zone_committee') AND l.id = ")
            .push_bind(locality);
    if !matches!(
        scope,
        Scope::Subtree {
            sector_supervisor: true,
            ..
        }
    ) {
        query = scope.units(query.push(" AND "), "l");
    }
    let place: Option<(String,)> = tx.opt(query).await?;
    let Some((locality_name,)) = place else {
        return Err(Error::NotFound);
    };
    if let Some(e) = input.enterprise
        && crate::enterprises::name_in(&mut tx, scope, e)
            .await?
            .is_none()
    {
        return Err(Error::NotFound);
    }
    let mut joint: Vec<i64> = input
        .joint_units
        .iter()
        .copied()
        .filter(|&j| j != unit)
        .collect();
    joint.sort_unstable();
    joint.dedup();
    if !joint.is_empty() {
        let (found,): (i64,) = tx
            .one(
                q("SELECT CAST(COUNT(*) AS BIGINT) FROM units WHERE active = 1 AND kind IN ('committee_office', 'township', 'zone_committee', 'department') AND id IN (")
                    .push_list(&joint)
                    .push(")"),
            )
            .await?;
        if found != joint.len() as i64 {
            return Err(Error::invalid(
                "invalid_joint_unit",
                "joint_units",
                "联合执法单位应为在册的镇街或部门",
            ));
        }
    }
    let id = next_id(now_ms);
    tx.execute(
        q("INSERT INTO crackdown_cases (id, locality_id, unit_id, enterprise_id, place, subject, facts, found_by, found_on, state, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)")
            .bind(id)
            .bind(locality)
            .bind(unit)
            .bind(input.enterprise)
            .bind(c.place.as_str())
            .bind(c.subject.as_str())
            .bind(c.facts.as_str())
            .bind(c.found_by.as_str())
            .bind(day(c.found_on))
            .bind(Stage::Found.as_str())
            .bind(actor.user_id)
            .bind(now_ms),
    )
    .await?;
    if !joint.is_empty() {
        let rows: Vec<Vec<crate::db::Arg>> =
            joint.iter().map(|&j| vec![id.into(), j.into()]).collect();
        tx.execute(insert_rows(
            "INSERT INTO crackdown_units (case_id, unit_id) VALUES ",
            rows.iter(),
        ))
        .await?;
    }
    let entry = Entry::ok("crackdown.open", "crackdown_case", id)
        .change(None, Some(&c))
        .detail(format!(
            "{locality_name}：{}（{}）",
            c.subject,
            c.found_by.label()
        ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// Narrowing of the list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Only cases in this state (`found` | `acting` | `closed`).
    pub state: Option<Stage>,
    /// Keyset: cases older than this id.
    pub after: Option<i64>,
    pub limit: i64,
}

/// The cases in scope, newest first.
pub async fn list(db: &Db, actor: &Actor, scope: &Scope, f: &CaseFilter) -> Result<Vec<CaseRow>> {
    crate::authz::require(actor, Role::can_enforce)?;
    let mut query = visible(scope, q(ROW));
    if let Some(s) = f.state {
        query = query.push(" AND c.state = ").push_bind(s.as_str());
    }
    if let Some(a) = f.after {
        query = query.push(" AND c.id < ").push_bind(a);
    }
    db.read()
        .all(
            query
                .push(" ORDER BY c.id DESC LIMIT ")
                .push_bind(f.limit.clamp(1, 1000)),
        )
        .await
}

/// A step of a case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StepRow {
    pub id: i64,
    /// `measure` | `close` | `expose`.
    pub step: String,
    pub measure: Option<String>,
    pub note: Option<String>,
    pub taken_on: String,
    pub unit_name: Option<String>,
}

impl StepRow {
    /// What the step was, in Chinese.
    pub fn label(&self) -> &str {
        match (self.step.as_str(), &self.measure) {
            ("measure", Some(m)) => anjian_core::crackdown::label_of(m),
            ("close", _) => "结案",
            ("expose", _) => "公开曝光",
            _ => "—",
        }
    }
}

/// A case with its joint units and its history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    #[serde(flatten)]
    pub case: CaseRow,
    /// The units acting on it together, as (id, name).
    pub joint_units: Vec<(i64, String)>,
    pub steps: Vec<StepRow>,
}

impl CaseView {
    /// How `actor` relates to the case.
    pub fn relation(&self, actor: &Actor, scope: &Scope) -> Vec<By> {
        relation(
            actor,
            scope,
            self.case.unit_id,
            self.joint_units.iter().map(|(id, _)| *id),
        )
    }
}

fn relation(
    actor: &Actor,
    scope: &Scope,
    recorder: i64,
    mut joint: impl Iterator<Item = i64>,
) -> Vec<By> {
    let mut by = transition::relation(scope, actor, None);
    if actor.unit_id == Some(recorder) {
        by.push(By::Recorder);
    }
    if actor.unit_id.is_some_and(|u| joint.any(|j| j == u)) {
        by.push(By::Assignee);
    }
    by
}

/// One case in scope with its joint units and history, or `NotFound`.
pub async fn get(db: &Db, actor: &Actor, scope: &Scope, id: i64) -> Result<CaseView> {
    crate::authz::require(actor, Role::can_enforce)?;
    let mut read = db.read();
    let case: CaseRow = read
        .opt(visible(scope, q(ROW)).push(" AND c.id = ").push_bind(id))
        .await?
        .ok_or(Error::NotFound)?;
    let joint_units: Vec<(i64, String)> = read
        .all(
            q("SELECT u.id, u.name FROM crackdown_units cu JOIN units u ON u.id = cu.unit_id WHERE cu.case_id = $1 ORDER BY u.name")
                .bind(id),
        )
        .await?;
    let steps: Vec<StepRow> = read
        .all(
            q("SELECT s.id, s.step, s.measure, s.note, s.taken_on, u.name AS unit_name FROM crackdown_steps s LEFT JOIN units u ON u.id = s.unit_id WHERE s.case_id = $1 ORDER BY s.id LIMIT 200")
                .bind(id),
        )
        .await?;
    Ok(CaseView {
        case,
        joint_units,
        steps,
    })
}

/// Takes a step on case `id`: a measure (the recording unit, a joint unit or the
/// office), the closing (the recording unit or the office, after a measure), the
/// public exposure (the office). Refused: a case out of scope (404), a party the
/// machine does not name (403), a step its state does not allow (422), a case already
/// exposed (409).
pub async fn step(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    input: &StepInput,
) -> Result<()> {
    acting_unit(actor)?;
    let s = check_step(input, today)?;
    let mut tx = db.begin().await?;
    let row: Option<(String, i64, String, Option<String>, String)> = tx
        .opt(
            visible(
                scope,
                q("SELECT c.state, c.unit_id, c.measures, c.exposed_on, c.subject FROM crackdown_cases c JOIN units l ON l.id = c.locality_id JOIN units r ON r.id = c.unit_id LEFT JOIN units x ON x.id = c.enterprise_id WHERE "),
            )
            .push(" AND c.id = ")
            .push_bind(id),
        )
        .await?;
    let Some((state, recorder, measures, exposed, subject)) = row else {
        return Err(Error::NotFound);
    };
    let joint: Vec<(i64,)> = tx
        .all(q("SELECT unit_id FROM crackdown_units WHERE case_id = $1").bind(id))
        .await?;
    let by = relation(actor, scope, recorder, joint.into_iter().map(|(j,)| j));
    transition::may::<Crackdown>(s.step, &by)?;
    let from = Stage::parse(&state).unwrap_or(Stage::Found);
    let mut mv = Move::<Crackdown>::new(id, s.step, from, &by);
    let mut detail = subject;
    match s.step {
        Step::Measure => {
            let m = s.measure.unwrap_or(Measure::Banned);
            let all = if measures.is_empty() {
                m.label().to_string()
            } else if measures.split('、').any(|x| x == m.label()) {
                measures
            } else {
                format!("{measures}、{}", m.label())
            };
            detail = format!("{detail}：{}", m.label());
            mv = mv.set("measures", all);
        }
        Step::Close => {
            detail = format!("{detail}：结案");
            mv = mv.set("closed_on", day(s.on));
        }
        Step::Expose => {
            if exposed.is_some() {
                return Err(Error::Conflict {
                    code: "already_exposed",
                    field: "step",
                    message: "该案件已公开曝光".into(),
                });
            }
            detail = format!("{detail}：公开曝光");
            // Once: a concurrent exposure that got there first leaves zero rows (409).
            mv = mv.set("exposed_on", day(s.on)).unless_set("exposed_on");
        }
    }
    let entry = Entry::ok("crackdown.step", "crackdown_case", id).detail(detail);
    transition::apply(&mut tx, now_ms, actor, mv, entry).await?;
    tx.execute(
        q("INSERT INTO crackdown_steps (id, case_id, step, measure, note, taken_on, unit_id, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(next_id(now_ms))
            .bind(id)
            .bind(s.step.as_str())
            .bind(s.measure.map(Measure::as_str))
            .bind(s.note.as_deref())
            .bind(day(s.on))
            .bind(actor.unit_id)
            .bind(actor.user_id)
            .bind(now_ms),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An exposed case as the public page shows it: the illegal unit, where, what was
/// done and what was done about it; no recording unit's people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Exposed {
    pub id: i64,
    pub locality_name: String,
    pub subject: String,
    pub place: String,
    pub facts: String,
    pub measures: String,
    pub exposed_on: String,
}

/// The exposed cases, newest exposure first, keyset-paged by id: public.
pub async fn exposed(db: &Db, after: Option<i64>, limit: i64) -> Result<Vec<Exposed>> {
    let mut query = q(
        "SELECT c.id, l.name AS locality_name, c.subject, c.place, c.facts, c.measures, c.exposed_on FROM crackdown_cases c JOIN units l ON l.id = c.locality_id WHERE c.exposed_on IS NOT NULL",
    );
    if let Some(a) = after {
        query = query.push(" AND c.id < ").push_bind(a);
    }
    db.read()
        .all(
            query
                .push(" ORDER BY c.id DESC LIMIT ")
                .push_bind(limit.clamp(1, 200)),
        )
        .await
}

/// The sources as (name, label) for forms.
pub fn sources() -> Vec<(&'static str, &'static str)> {
    anjian_core::crackdown::Source::ALL
        .iter()
        .map(|s| (s.as_str(), s.label()))
        .collect()
}

/// The measures as (name, label) for forms.
pub fn measures() -> Vec<(&'static str, &'static str)> {
    Measure::ALL
        .iter()
        .map(|m| (m.as_str(), m.label()))
        .collect()
}
