//! Risk assessments lead to action (item (29): "落实定期与重要时段、重大活动、重大变化情况风险
//! 研判机制"): an assessment names its risks, their level and the control measures, and
//! each measure is an obligation of the unit named (in the assessing unit's scope), in
//! its to-do list like any other and on the assessment's page with its progress.

use anjian_core::enterprise::RiskLevel;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::db::{Tx, day, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::obligations::{Due, Source};
use crate::scope::Scope;

/// A control measure as given: the risk, its level (red, orange, yellow, blue), the
/// measure, the unit that takes it (the assessing unit when empty) and its due day.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewMeasure {
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub measure: String,
    pub unit: Option<i64>,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub due_on: String,
}

/// A checked measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    pub risk: String,
    pub level: RiskLevel,
    pub measure: String,
    pub unit: i64,
    pub due_on: NaiveDate,
}

/// At most this many measures in one assessment.
pub const MAX_MEASURES: usize = 50;

/// Checks the measures of an assessment held by `own` on `today`: each with its risk,
/// level, measure and a due day not before today; the first problem is refused with
/// field `measures` and the measure's place in the list.
pub fn check(own: i64, today: NaiveDate, given: &[NewMeasure]) -> Result<Vec<Measure>> {
    use anjian_core::error::{required_date, required_text};
    if given.len() > MAX_MEASURES {
        return Err(Error::invalid(
            "too_many",
            "measures",
            format!("一次研判最多{MAX_MEASURES}项管控措施"),
        ));
    }
    let mut out = Vec::new();
    for (i, m) in given.iter().enumerate() {
        let at = |e: anjian_core::FieldError| {
            Error::invalid(
                e.code,
                "measures",
                format!("第{}项管控措施：{}", i + 1, e.message),
            )
        };
        let risk = required_text("risk", "风险", &m.risk, 200).map_err(at)?;
        let level = RiskLevel::parse(&m.level).map_err(|_| {
            Error::invalid(
                "invalid_level",
                "measures",
                format!("第{}项管控措施：风险等级应为红、橙、黄、蓝", i + 1),
            )
        })?;
        let measure = required_text("measure", "管控措施", &m.measure, 1000).map_err(at)?;
        let due_on = required_date("due_on", "完成时限", &m.due_on).map_err(at)?;
        if due_on < today {
            return Err(Error::invalid(
                "past_date",
                "measures",
                format!("第{}项管控措施：完成时限不能早于今天", i + 1),
            ));
        }
        out.push(Measure {
            risk,
            level,
            measure,
            unit: m.unit.unwrap_or(own),
            due_on,
        });
    }
    Ok(out)
}

/// Keeps the measures of assessment `id` titled `title` inside the recording
/// transaction, each owed by its unit as an obligation; a unit outside `scope` is not
/// found (404), and nothing is written.
pub(crate) async fn keep(
    tx: &mut Tx,
    now_ms: i64,
    scope: &Scope,
    id: i64,
    title: &str,
    measures: &[Measure],
) -> Result<()> {
    let mut units: Vec<i64> = measures.iter().map(|m| m.unit).collect();
    units.sort_unstable();
    units.dedup();
    if !units.is_empty() {
        let found: Vec<(i64,)> = tx
            .all(
                scope
                    .units(q("SELECT u.id FROM units u WHERE u.active = 1 AND "), "u")
                    .push(" AND u.id IN (")
                    .push_list(&units)
                    .push(")"),
            )
            .await?;
        if found.len() != units.len() {
            return Err(Error::NotFound);
        }
    }
    for m in measures {
        let measure = next_id(now_ms);
        tx.execute(
            q("INSERT INTO risk_measures (id, assessment_id, risk, level, measure, unit_id, due_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(measure)
                .bind(id)
                .bind(m.risk.as_str())
                .bind(m.level.as_str())
                .bind(m.measure.as_str())
                .bind(m.unit)
                .bind(day(m.due_on))
                .bind(now_ms),
        )
        .await?;
        crate::obligations::owe(
            tx,
            now_ms,
            Source::RiskMeasure(measure),
            Due {
                unit: m.unit,
                on: m.due_on,
            },
            format!("风险管控措施（{title}）：{}", m.measure),
        )
        .await?;
    }
    Ok(())
}

/// A measure as kept, with the state of its obligation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct MeasureRow {
    pub id: i64,
    pub risk: String,
    pub level: String,
    pub measure: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub due_on: String,
    pub state: Option<String>,
}

impl MeasureRow {
    /// The level's Chinese name.
    pub fn level_label(&self) -> &'static str {
        RiskLevel::parse(&self.level).map_or("", |l| l.label())
    }

    /// The obligation's state as shown.
    pub fn state_label(&self) -> &'static str {
        use anjian_core::machine::States;
        self.state
            .as_deref()
            .map_or("", anjian_core::obligation::State::label_of)
    }
}

/// The measures of assessment `id`, with their progress.
pub async fn of(db: &crate::db::Db, id: i64) -> Result<Vec<MeasureRow>> {
    db.read()
        .all(
            q("SELECT m.id, m.risk, m.level, m.measure, m.unit_id, u.name AS unit_name, m.due_on, o.state FROM risk_measures m JOIN units u ON u.id = m.unit_id LEFT JOIN obligations o ON o.risk_measure_id = m.id WHERE m.assessment_id = $1 ORDER BY m.id LIMIT 200")
                .bind(id),
        )
        .await
}
