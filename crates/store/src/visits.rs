//! Supervision and unannounced visits: planned by the office or a department, findings
//! entered on site become hazards of the visited unit (the case workflow and its
//! rectification obligation), the visit report lists them with their progress. An
//! unannounced visit is invisible to its targets until it is recorded.

use anjian_core::visit::Plan;
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::day;
use crate::db::{Db, Q, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::{Actor, Scope};

/// Plans a visit by the actor's unit to `targets` (units in the actor's scope or its
/// reach, `core::visit::reach`), in one transaction. Returns its id.
pub async fn plan(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    plan: &Plan,
    targets: &[i64],
) -> Result<i64> {
    let unit = actor.unit_id.ok_or(Error::Forbidden)?;
    if targets.is_empty() {
        return Err(Error::invalid(
            "required",
            "targets",
            "至少选择一个检查对象",
        ));
    }
    let mut tx = db.begin().await?;
    let visitor: (String, i64) = tx
        .one(q("SELECT kind, oversees FROM units WHERE id = $1").bind(unit))
        .await?;
    let mut query = visitable(
        q("SELECT CAST(COUNT(*) AS BIGINT) FROM units u WHERE "),
        scope,
        visitor,
    );
    query = query.push(" AND u.id IN (");
    for (i, t) in targets.iter().enumerate() {
        if i > 0 {
            query = query.push(", ");
        }
        query = query.push_bind(*t);
    }
    let (found,): (i64,) = tx.one(query.push(")")).await?;
    let mut distinct = targets.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if found != distinct.len() as i64 {
        return Err(Error::invalid(
            "unknown_unit",
            "targets",
            "检查对象不存在或不在您的数据范围内",
        ));
    }
    let id = next_id(now_ms);
    tx.execute(
        q("INSERT INTO visits (id, kind, title, unit_id, team, starts_on, ends_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(id)
            .bind(plan.kind.as_str())
            .bind(plan.title.as_str())
            .bind(unit)
            .bind(plan.team.as_str())
            .bind(day(plan.starts_on))
            .bind(day(plan.ends_on))
            .bind(actor.user_id)
            .bind(now_ms),
    )
    .await?;
    for t in &distinct {
        tx.execute(
            q("INSERT INTO visit_targets (visit_id, unit_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*t),
        )
        .await?;
    }
    let e = Entry::ok("visit.plan", "visit", id).detail(format!(
        "{}：{}",
        plan.kind.label(),
        plan.title
    ));
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(id)
}

/// Appends "unit `u` may be visited by a unit of `visitor` (kind, oversees) with
/// `scope`": active, and in the scope or of a kind in its reach.
fn visitable(query: Q, scope: &Scope, (kind, oversees): (String, i64)) -> Q {
    let reach = anjian_core::unit::UnitKind::parse(&kind)
        .map(|k| anjian_core::visit::reach(k, oversees == 1))
        .unwrap_or(&[]);
    let mut query = scope
        .units(query.push("u.active = 1 AND (("), "u")
        .push(")");
    for k in reach {
        query = query.push(" OR u.kind = ").push_bind(k.as_str());
    }
    query.push(")")
}

/// How many units the planning form offers at a time.
pub const REACHABLE_SHOWN: usize = 500;

/// The localities and departments the actor's unit may visit (for the planning form),
/// townships first, then by name, those the directory's search finds by `name` when
/// given (name, code or alias); at most
/// [`REACHABLE_SHOWN`], and whether more matched (the form then asks for a name).
/// Enterprises are chosen from the register.
pub async fn reachable(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    name: Option<&str>,
) -> Result<(Vec<(i64, String)>, bool)> {
    let unit = actor.unit_id.ok_or(Error::Forbidden)?;
    let visitor: (String, i64) = db
        .read()
        .one(q("SELECT kind, oversees FROM units WHERE id = $1").bind(unit))
        .await?;
    let query = visitable(
        q("SELECT u.id, u.name FROM units u WHERE u.kind IN ('township', 'zone_committee', 'department') AND "),
        scope,
        visitor,
    )
    .push(" AND u.id <> ")
    .push_bind(unit);
    let query = match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => crate::directory::units::matching(query, n),
        None => query,
    };
    let mut units: Vec<(i64, String)> = db
        .read()
        .all(
            query
                .push(" ORDER BY CASE u.kind WHEN 'department' THEN 1 ELSE 0 END, u.name LIMIT ")
                .push_bind(REACHABLE_SHOWN as i64 + 1),
        )
        .await?;
    let more = units.len() > REACHABLE_SHOWN;
    units.truncate(REACHABLE_SHOWN);
    Ok((units, more))
}

/// A visit as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct VisitRow {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub team: String,
    pub starts_on: String,
    pub ends_on: String,
    pub report: Option<String>,
    pub recorded_at: Option<i64>,
}

/// The predicate "visit `v` is visible to the viewer": the office sees all; a unit sees
/// the visits it planned, and those to units in its scope unless unannounced and not
/// yet recorded.
fn visible(scope: &Scope, me: Option<i64>, query: Q) -> Q {
    if matches!(scope, Scope::All) {
        return query.push("1=1");
    }
    let query = query
        .push("(v.unit_id = ")
        .push_bind(me.unwrap_or(-1))
        .push(" OR ((v.kind <> 'unannounced' OR v.recorded_at IS NOT NULL) AND EXISTS (SELECT 1 FROM visit_targets t JOIN units u ON u.id = t.unit_id WHERE t.visit_id = v.id AND ");
    scope.units(query, "u").push(")))")
}

const ROW: &str = "SELECT v.id, v.kind, v.title, v.unit_id, pu.name AS unit_name, v.team, v.starts_on, v.ends_on, v.report, v.recorded_at FROM visits v JOIN units pu ON pu.id = v.unit_id WHERE ";

/// The visits visible to the viewer, newest first (by id), a page at a time.
pub async fn list(
    db: &Db,
    scope: &Scope,
    me: Option<i64>,
    page: crate::paging::Page,
) -> Result<Vec<VisitRow>> {
    let mut query = visible(scope, me, q(ROW));
    if let Some(a) = page.after {
        query = query.push(" AND v.id < ").push_bind(a);
    }
    db.read()
        .all(
            query
                .push(" ORDER BY v.id DESC LIMIT ")
                .push_bind(page.limit()),
        )
        .await
}

/// A finding as the visit report lists it, with its progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Finding {
    pub hazard_id: i64,
    pub unit_name: String,
    pub place: String,
    pub description: String,
    pub level: String,
    pub status: String,
    pub deadline: Option<String>,
    pub exposed: i64,
}

/// A visit with its targets and findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct VisitDetail {
    pub visit: VisitRow,
    pub targets: Vec<(i64, String)>,
    pub findings: Vec<Finding>,
}

/// One visible visit, or `NotFound` (an unannounced visit is not found by its targets
/// until recorded).
pub async fn get(db: &Db, scope: &Scope, me: Option<i64>, id: i64) -> Result<VisitDetail> {
    let visit: VisitRow = db
        .read()
        .one(
            visible(scope, me, q(ROW))
                .push(" AND v.id = ")
                .push_bind(id),
        )
        .await?;
    let targets: Vec<(i64, String)> = db
        .read()
        .all(q("SELECT u.id, u.name FROM visit_targets t JOIN units u ON u.id = t.unit_id WHERE t.visit_id = $1 ORDER BY u.name").bind(id))
        .await?;
    let findings: Vec<Finding> = db
        .read()
        .all(q("SELECT h.id AS hazard_id, u.name AS unit_name, h.place, h.description, h.level, h.status, h.deadline, h.exposed FROM hazards h JOIN units u ON u.id = h.unit_id WHERE h.visit_id = $1 ORDER BY h.id").bind(id))
        .await?;
    Ok(VisitDetail {
        visit,
        targets,
        findings,
    })
}

/// The visit `id` if the actor's unit planned it (only the planner enters findings and
/// records it).
async fn planned_by(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    id: i64,
) -> Result<(String, Option<i64>)> {
    let (kind, unit, recorded): (String, i64, Option<i64>) = tx
        .opt(q("SELECT kind, unit_id, recorded_at FROM visits WHERE id = $1").bind(id))
        .await?
        .ok_or(Error::NotFound)?;
    if Some(unit) != actor.unit_id {
        return Err(Error::NotFound);
    }
    Ok((kind, recorded))
}

/// Enters a finding of visit `id` on `unit` (one of its targets), with the photos taken
/// on site, as a hazard assigned to that unit by the visiting unit, in one transaction.
/// Returns the hazard's id.
pub async fn add_finding(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    id: i64,
    unit: i64,
    finding: crate::hazards::Finding<'_>,
) -> Result<i64> {
    let known = crate::hazards::sectors(db).await?;
    let mut tx = db.begin().await?;
    let (kind, _) = planned_by(&mut tx, actor, id).await?;
    let target: Option<(i64,)> = tx
        .opt(
            q("SELECT unit_id FROM visit_targets WHERE visit_id = $1 AND unit_id = $2")
                .bind(id)
                .bind(unit),
        )
        .await?;
    if target.is_none() {
        return Err(Error::invalid(
            "not_a_target",
            "unit",
            "该单位不是本次检查的对象",
        ));
    }
    let source = anjian_core::visit::Kind::parse(&kind)
        .map(|k| k.source())
        .unwrap_or("supervision_visit");
    let hazard = crate::hazards::insert_linked_finding(
        &mut tx,
        now_ms,
        actor,
        &known,
        finding,
        unit,
        crate::hazards::FoundBy {
            source,
            column: "visit_id",
            id,
            action: "visit.finding",
            what: format!("检查 {id} "),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(hazard)
}

/// Records a visit with its report: from now on its targets see it and its findings.
pub async fn record(db: &Db, now_ms: i64, actor: &Actor, id: i64, report: &str) -> Result<()> {
    let report = anjian_core::error::optional_paragraphs("report", "检查情况", report, 5000)?
        .ok_or_else(|| Error::invalid("required", "report", "须填写检查情况"))?;
    let mut tx = db.begin().await?;
    let (_, recorded) = planned_by(&mut tx, actor, id).await?;
    if recorded.is_some() {
        return Err(Error::invalid(
            "already_recorded",
            "report",
            "本次检查已记录",
        ));
    }
    tx.execute(
        q("UPDATE visits SET report = $1, recorded_at = $2 WHERE id = $3")
            .bind(report.as_str())
            .bind(now_ms)
            .bind(id),
    )
    .await?;
    let e = Entry::ok("visit.record", "visit", id).detail(report);
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(())
}

/// Marks or unmarks a visit's finding for exposure (曝光) in bulletins (the planner).
pub async fn expose(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    id: i64,
    hazard: i64,
    exposed: bool,
) -> Result<()> {
    let mut tx = db.begin().await?;
    planned_by(&mut tx, actor, id).await?;
    let n = tx
        .execute(
            q("UPDATE hazards SET exposed = $1 WHERE id = $2 AND visit_id = $3")
                .bind(i64::from(exposed))
                .bind(hazard)
                .bind(id),
        )
        .await?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    let e = Entry::ok(
        if exposed {
            "visit.expose"
        } else {
            "visit.unexpose"
        },
        "hazard",
        hazard,
    );
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(())
}
