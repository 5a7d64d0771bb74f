//! Monthly reports (每月28日前报送): a township's or supervising department's figures for
//! a month, read from the ledger it sees, with its narrative and problem list; editable
//! until submitted, frozen after. Submitting one submits the unit's obligation for that
//! month under the plan's monthly-report duty, so late and missing reports are overdue
//! obligations like any other, and the office reads them as a units × months matrix.

use anjian_core::machine::States as _;
use anjian_core::monthly_report::Month;
use anjian_core::obligation::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::audit::{self, Entry};
use crate::db::{Db, q};
use crate::error::{Error, Result};
use crate::hazards::{StatLine, StatsBy, stats_found};
use crate::ids::next_id;
use crate::reports::Submission;
use crate::scope::{Actor, Scope};

/// A month's figures: the totals and one line per sector.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub total: StatLine,
    pub by_sector: Vec<StatLine>,
}

/// The figures over the hazards in `scope` found in `month`, as seen on `today` (one
/// query).
pub async fn figures(db: &Db, scope: &Scope, month: Month, today: NaiveDate) -> Result<Figures> {
    let by_sector = stats_found(
        db,
        scope,
        today,
        StatsBy::Sector,
        Some((month.first, month.last)),
    )
    .await?;
    let total = StatLine::total(&by_sector);
    Ok(Figures { total, by_sector })
}

/// A unit's report for a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MonthlyReport {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub month: String,
    pub narrative: String,
    pub problems: String,
    /// Progress lines of the standing duties (JSON: obligation id → text).
    pub progress_json: Option<String>,
    /// The figures frozen at submission.
    pub figures_json: Option<String>,
    pub submitted_at: Option<i64>,
    pub submitted_on: Option<String>,
}

impl MonthlyReport {
    /// The progress line typed for a standing duty's obligation.
    pub fn progress_of(&self, obligation_id: i64) -> Option<String> {
        let map: std::collections::BTreeMap<String, String> =
            serde_json::from_str(self.progress_json.as_deref()?).ok()?;
        map.get(&obligation_id.to_string()).cloned()
    }

    /// The figures frozen at submission.
    pub fn figures(&self) -> Option<Figures> {
        serde_json::from_str(self.figures_json.as_deref()?).ok()
    }
}

const REPORT: &str = "SELECT r.id, r.unit_id, u.name AS unit_name, r.month, r.narrative, r.problems, r.progress_json, r.figures_json, r.submitted_at, r.submitted_on FROM monthly_reports r JOIN units u ON u.id = r.unit_id";

/// The report of `unit_id` for `month`, if one was saved and the unit is in `scope`.
pub async fn get(
    db: &Db,
    scope: &Scope,
    unit_id: i64,
    month: Month,
) -> Result<Option<MonthlyReport>> {
    db.read()
        .opt(
            scope
                .units(q(format!("{REPORT} WHERE ")), "u")
                .push(" AND r.unit_id = ")
                .push_bind(unit_id)
                .push(" AND r.month = ")
                .push_bind(month.name()),
        )
        .await
}

/// A standing duty of the unit due in a month: the progress line it owes with the
/// monthly report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StandingLine {
    pub obligation_id: i64,
    pub work_item_no: Option<i64>,
    pub text: String,
    pub state: String,
}

/// The unit's standing duties due in `month` (their monthly progress lines), by work
/// item (one query over the unit's obligations index).
pub async fn standing(db: &Db, unit_id: i64, month: Month) -> Result<Vec<StandingLine>> {
    db.read()
        .all(
            q("SELECT o.id AS obligation_id, w.no AS work_item_no, COALESCE(cw.text, w.text, o.label) AS text, o.state FROM obligations o JOIN assignments a ON a.id = o.assignment_id LEFT JOIN work_items w ON w.id = a.work_item_id LEFT JOIN campaign_work_items cw ON cw.campaign_id = o.campaign_id AND cw.work_item_id = a.work_item_id WHERE o.unit_id = $1 AND o.due_on >= $2 AND o.due_on <= $3 AND o.label LIKE $4 ORDER BY w.no, o.id LIMIT 500")
                .bind(unit_id)
                .bind(crate::db::day(month.first))
                .bind(crate::db::day(month.last))
                .bind(format!("%{}", anjian_core::obligation::PROGRESS)),
        )
        .await
}

/// What a unit writes for a standing duty when nothing is typed: the office sees that
/// the line was left empty and may return it.
pub const NO_PROGRESS: &str = "（本月未填写进展）";

/// What a unit writes in its report.
#[derive(Debug, Clone, Default)]
pub struct Draft<'a> {
    pub narrative: &'a str,
    pub problems: &'a str,
    /// Progress lines for the unit's standing duties of the month: (obligation, text).
    pub progress: &'a [(i64, String)],
    /// Submit (freeze) it, rather than save a draft.
    pub submit: bool,
}

/// Saves or submits the actor's unit's report for `month` in one transaction: a
/// submitted report is frozen (refused); a submission freezes the figures read from
/// the ledger the unit sees and submits the unit's obligation for that month.
pub async fn save(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    month: Month,
    draft: &Draft<'_>,
) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::can_report)?;
    let unit = actor.unit_id.ok_or(Error::Forbidden)?;
    let today = anjian_core::time::local_date(now_ms).unwrap_or(NaiveDate::MIN);
    if month.first > today {
        return Err(Error::invalid(
            "future_month",
            "month",
            "不能报送尚未开始的月份",
        ));
    }
    // The texts are checked together and every problem told at once.
    let mut c = anjian_core::error::Checks::default();
    let narrative = c
        .take(anjian_core::error::optional_paragraphs(
            "narrative",
            "工作情况",
            draft.narrative,
            5000,
        ))
        .map(Option::unwrap_or_default);
    let problems = c
        .take(anjian_core::error::optional_paragraphs(
            "problems",
            "问题清单",
            draft.problems,
            20000,
        ))
        .map(Option::unwrap_or_default);
    if draft.submit && narrative.as_ref().is_some_and(String::is_empty) {
        c.note(anjian_core::error::FieldError::new(
            "required",
            "narrative",
            "报送前须填写本月工作情况",
        ));
    }
    if draft.progress.len() > 500 {
        c.note(anjian_core::error::FieldError::new(
            "too_many",
            "progress",
            "进展条目过多",
        ));
    }
    c.finish()?;
    let (Some(narrative), Some(problems)) = (narrative, problems) else {
        return Err(Error::invalid(
            "unreadable",
            "narrative",
            "表单无法读取，请重新填写",
        ));
    };
    let figures = if draft.submit {
        Some(figures(db, scope, month, today).await?)
    } else {
        None
    };
    let mut tx = db.begin().await?;
    let existing: Option<(i64, Option<i64>)> = tx
        .opt(
            q("SELECT id, submitted_at FROM monthly_reports WHERE unit_id = $1 AND month = $2")
                .bind(unit)
                .bind(month.name()),
        )
        .await?;
    if let Some((_, Some(_))) = existing {
        return Err(Error::invalid(
            "frozen",
            "month",
            "本月月报已报送，不能再修改",
        ));
    }
    // The unit's obligation for this month under the monthly-report duty.
    let obligation: Option<(i64, String)> = tx
        .opt(
            q("SELECT o.id, o.state FROM obligations o JOIN assignments a ON a.id = o.assignment_id JOIN plan_duties d ON d.id = a.duty_id WHERE o.unit_id = $1 AND d.monthly_report = 1 AND o.due_on >= $2 AND o.due_on <= $3 ORDER BY o.id LIMIT 1")
                .bind(unit)
                .bind(crate::db::day(month.first))
                .bind(crate::db::day(month.last)),
        )
        .await?;
    let submitted = draft.submit.then_some(now_ms);
    let figures_json = figures.as_ref().and_then(|f| serde_json::to_string(f).ok());
    if draft.progress.len() > 500 {
        return Err(Error::invalid("too_many", "progress", "进展条目过多"));
    }
    let mut progress: std::collections::BTreeMap<String, String> = Default::default();
    for (o, text) in draft.progress {
        let text = anjian_core::error::optional_paragraphs("progress", "工作进展", text, 2000)?
            .unwrap_or_default();
        progress.insert(o.to_string(), text);
    }
    let progress_json = serde_json::to_string(&progress).ok();
    // One statement for a first save and a later one (the unit and month are unique).
    let id = existing
        .map(|(id, _)| id)
        .unwrap_or_else(|| next_id(now_ms));
    tx.execute(
        q("INSERT INTO monthly_reports (id, unit_id, month, obligation_id, narrative, problems, figures_json, author_id, submitted_at, submitted_on, created_at, updated_at, progress_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) ON CONFLICT (unit_id, month) DO UPDATE SET obligation_id = excluded.obligation_id, narrative = excluded.narrative, problems = excluded.problems, figures_json = excluded.figures_json, author_id = excluded.author_id, submitted_at = excluded.submitted_at, submitted_on = excluded.submitted_on, updated_at = excluded.updated_at, progress_json = excluded.progress_json")
            .bind(id)
            .bind(unit)
            .bind(month.name())
            .bind(obligation.as_ref().map(|(o, _)| *o))
            .bind(narrative.as_str())
            .bind(problems.as_str())
            .bind(figures_json)
            .bind(actor.user_id)
            .bind(submitted)
            .bind(submitted.map(|_| crate::db::day(today)))
            .bind(now_ms)
            .bind(progress_json),
    )
    .await?;
    let mut submitted = 0;
    if draft.submit {
        // The standing duties of the month are submitted with the report, each with
        // its progress line (one conditional submission each, inside this transaction).
        let lines: Vec<(i64, String)> = tx
            .all(
                q(format!("SELECT o.id, o.state FROM obligations o WHERE o.unit_id = $1 AND o.due_on >= $2 AND o.due_on <= $3 AND o.label LIKE $4 AND o.state IN {} ORDER BY o.id LIMIT 500", State::sql_list(&State::OPEN)))
                    .bind(unit)
                    .bind(crate::db::day(month.first))
                    .bind(crate::db::day(month.last))
                    .bind(format!("%{}", anjian_core::obligation::PROGRESS)),
            )
            .await?;
        for (o, _) in lines {
            let text = progress
                .get(&o.to_string())
                .filter(|t| !t.trim().is_empty())
                .cloned()
                .unwrap_or_else(|| NO_PROGRESS.to_string());
            let text = format!("{}月报·工作进展：{text}", month.label());
            crate::reports::submit_in(&mut tx, now_ms, actor, scope, o, Submission::text(&text))
                .await?;
            submitted += 1;
        }
    }
    if let (true, Some((o, state))) = (draft.submit, &obligation)
        && matches!(State::parse(state), Some(State::Pending | State::Returned))
    {
        let text = format!("{}月报：{}", month.label(), narrative);
        crate::reports::submit_in(&mut tx, now_ms, actor, scope, *o, Submission::text(&text))
            .await?;
        submitted += 1;
    }
    let action = if draft.submit {
        "monthly_report.submit"
    } else {
        "monthly_report.save"
    };
    // One entry for the report and the obligations it submitted with it.
    let e = Entry::ok(action, "monthly_report", id).detail(if submitted > 0 {
        format!("{}，随月报报送{submitted}项应办事项", month.label())
    } else {
        month.label()
    });
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(())
}

/// One cell of the office's matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// `on_time`, `late`, `missing` (past the 28th, none), `open` (not yet due), or
    /// empty (not owed that month).
    pub state: &'static str,
    pub submitted_on: Option<String>,
}

/// A unit's row of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixRow {
    pub unit_id: i64,
    pub unit_name: String,
    pub cells: Vec<Cell>,
}

/// Who reported each month of a campaign (the units owing the monthly-report duty),
/// read from the duty's obligations and the reports that fulfil them (one query).
pub async fn matrix(
    db: &Db,
    scope: &Scope,
    campaign_id: i64,
    today: NaiveDate,
) -> Result<(Vec<Month>, Vec<MatrixRow>)> {
    #[derive(sqlx::FromRow)]
    struct Line {
        unit_id: i64,
        unit_name: String,
        due_on: String,
        submitted_on: Option<String>,
    }
    let lines: Vec<Line> = db
        .read()
        .all(
            scope
                .units(
                    q("SELECT o.unit_id, u.name AS unit_name, o.due_on, r.submitted_on FROM obligations o JOIN assignments a ON a.id = o.assignment_id JOIN plan_duties d ON d.id = a.duty_id JOIN units u ON u.id = o.unit_id LEFT JOIN monthly_reports r ON r.obligation_id = o.id AND r.submitted_at IS NOT NULL WHERE d.monthly_report = 1 AND o.campaign_id = ")
                        .push_bind(campaign_id)
                        .push(" AND "),
                    "u",
                )
                .push(" ORDER BY u.kind DESC, u.name, o.due_on"),
        )
        .await?;
    let parse = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let mut months: Vec<Month> = lines
        .iter()
        .filter_map(|l| parse(&l.due_on).map(Month::of))
        .collect();
    months.sort_by_key(|m| m.first);
    months.dedup();
    let mut rows: Vec<MatrixRow> = Vec::new();
    for l in lines {
        let Some(due) = parse(&l.due_on) else {
            continue;
        };
        if rows.last().map(|r| r.unit_id) != Some(l.unit_id) {
            rows.push(MatrixRow {
                unit_id: l.unit_id,
                unit_name: l.unit_name.clone(),
                cells: vec![
                    Cell {
                        state: "",
                        submitted_on: None,
                    };
                    months.len()
                ],
            });
        }
        let at = months.iter().position(|m| m.first == Month::of(due).first);
        if let (Some(row), Some(i)) = (rows.last_mut(), at) {
            let state = match l.submitted_on.as_deref().and_then(parse) {
                Some(on) if on <= due => "on_time",
                Some(_) => "late",
                None if due < today => "missing",
                None => "open",
            };
            row.cells[i] = Cell {
                state,
                submitted_on: l.submitted_on,
            };
        }
    }
    Ok((months, rows))
}

/// The submitted reports of a month in `scope`, by unit name (the consolidated
/// workbook).
pub async fn submitted(db: &Db, scope: &Scope, month: Month) -> Result<Vec<MonthlyReport>> {
    db.read()
        .all(
            scope
                .units(q(format!("{REPORT} WHERE ")), "u")
                .push(" AND r.month = ")
                .push_bind(month.name())
                .push(" AND r.submitted_at IS NOT NULL ORDER BY u.name"),
        )
        .await
}
