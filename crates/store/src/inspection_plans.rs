//! Annual supervision-inspection plans (年度监督检查计划, item (88); issue 19 part 2): a
//! supervising unit keeps its plan for a year, quarter by quarter, and the watch sets
//! each plan against the inspections the unit recorded in each quarter.

use anjian_core::enforcement::{InspectionPlanInput, check_inspection_plan};
use anjian_core::role::Role;
use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::{Db, q};
use crate::error::{Error, Result};
use crate::scope::{Actor, Scope};

/// One unit's plan and what it did, quarter by quarter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PlanLine {
    pub unit_id: i64,
    pub unit_name: String,
    pub year: i64,
    pub q1: i64,
    pub q2: i64,
    pub q3: i64,
    pub q4: i64,
    pub done1: i64,
    pub done2: i64,
    pub done3: i64,
    pub done4: i64,
    pub note: Option<String>,
}

impl PlanLine {
    /// Planned and done per quarter.
    pub fn quarters(&self) -> [(i64, i64); 4] {
        [
            (self.q1, self.done1),
            (self.q2, self.done2),
            (self.q3, self.done3),
            (self.q4, self.done4),
        ]
    }

    /// Whether the unit is behind its plan on `today`: fewer inspections than planned
    /// in the quarters that have ended, or in the current quarter pro rata.
    pub fn behind_on(&self, today: NaiveDate) -> bool {
        use chrono::Datelike;
        let year = today.year() as i64;
        if year < self.year {
            return false;
        }
        let q = self.quarters();
        let ended = if year > self.year {
            4
        } else {
            (today.month0() / 3) as usize
        };
        let planned: i64 = q[..ended].iter().map(|(p, _)| p).sum();
        let done: i64 = q[..ended].iter().map(|(_, d)| d).sum();
        done < planned
    }
}

/// The years a plan may be kept for.
fn year_ok(year: i64) -> Result<i64> {
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(Error::invalid(
            "invalid_year",
            "year",
            "年度应为2000到2100之间的年份",
        ))
    }
}

/// Keeps the actor's unit's plan for `year` (a supervising unit's user or the office),
/// audited; answers the line.
pub async fn put(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    year: i64,
    input: &InspectionPlanInput,
) -> Result<PlanLine> {
    crate::authz::require(actor, Role::can_enforce)?;
    let unit = actor.unit_id.ok_or(Error::Forbidden)?;
    let year = year_ok(year)?;
    let p = check_inspection_plan(input)?;
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO inspection_plans (unit_id, year, q1, q2, q3, q4, note, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (unit_id, year) DO UPDATE SET q1 = excluded.q1, q2 = excluded.q2, q3 = excluded.q3, q4 = excluded.q4, note = excluded.note, updated_by = excluded.updated_by, updated_at = excluded.updated_at")
            .bind(unit)
            .bind(year)
            .bind(p.quarters[0])
            .bind(p.quarters[1])
            .bind(p.quarters[2])
            .bind(p.quarters[3])
            .bind(p.note.clone())
            .bind(actor.user_id)
            .bind(now_ms),
    )
    .await?;
    let e = Entry::ok("inspection_plan.put", "unit", unit)
        .change(None, Some(&p))
        .detail(format!(
            "{year}年度监督检查计划：{}",
            p.quarters
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join("/")
        ));
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    lines_where(db, year, Some(unit), &Scope::All)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound)
}

/// How many units' plans [`lines`] lists at most (by name).
pub const LINES_SHOWN: i64 = 1000;

/// The plan of `year` of unit `unit` (the caller's own: no scope), if it has one.
pub async fn own(db: &Db, unit: i64, year: i64) -> Result<Option<PlanLine>> {
    Ok(lines_where(db, year_ok(year)?, Some(unit), &Scope::All)
        .await?
        .into_iter()
        .next())
}

/// The plans of `year` of the units in scope, with what each did per quarter, by
/// the unit's name, at most [`LINES_SHOWN`].
pub async fn lines(db: &Db, scope: &Scope, year: i64) -> Result<Vec<PlanLine>> {
    lines_where(db, year_ok(year)?, None, scope).await
}

async fn lines_where(
    db: &Db,
    year: i64,
    unit: Option<i64>,
    scope: &Scope,
) -> Result<Vec<PlanLine>> {
    let quarter = |n: u32| {
        let first = NaiveDate::from_ymd_opt(year as i32, 3 * n - 2, 1).unwrap_or_default();
        let last = NaiveDate::from_ymd_opt(
            year as i32 + i32::from(n == 4),
            if n == 4 { 1 } else { 3 * n + 1 },
            1,
        )
        .and_then(|d| d.pred_opt())
        .unwrap_or_default();
        (crate::db::day(first), crate::db::day(last))
    };
    let mut query = q("SELECT p.unit_id, u.name AS unit_name, p.year, p.q1, p.q2, p.q3, p.q4");
    for n in 1..=4u32 {
        let (first, last) = quarter(n);
        query = query
            .push(", (SELECT CAST(COUNT(*) AS BIGINT) FROM enforcements e WHERE e.unit_id = p.unit_id AND e.inspected_on >= ")
            .push_bind(first)
            .push(" AND e.inspected_on <= ")
            .push_bind(last)
            .push(&format!(") AS done{n}"));
    }
    query = scope.units(
        query.push(", p.note FROM inspection_plans p JOIN units u ON u.id = p.unit_id WHERE "),
        "u",
    );
    query = query.push(" AND p.year = ").push_bind(year);
    if let Some(u) = unit {
        query = query.push(" AND p.unit_id = ").push_bind(u);
    }
    db.read()
        .all(query.push(" ORDER BY u.name LIMIT ").push_bind(LINES_SHOWN))
        .await
}
