//! Monthly reports (每月28日前报送): a unit fills its month in with figures read from its
//! ledger, saves drafts and submits once (frozen after); the office sees who reported
//! and who did not as a units × months matrix and downloads a month's consolidated
//! workbook.

use anjian_core::monthly_report::Month;
use anjian_store::hazards::StatLine;
use anjian_store::monthly_reports::{self, Draft, Figures, MatrixRow, MonthlyReport};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Layout, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render, render_form};

type User = anjian_store::accounts::SessionUser;

/// The label of a matrix cell's state.
pub fn cell_label(state: &str) -> &'static str {
    match state {
        "on_time" => "按时",
        "late" => "逾期报送",
        "missing" => "未报",
        "open" => "未到期",
        _ => "",
    }
}

/// The matrix page.
#[derive(Template)]
#[template(path = "monthly_reports.html")]
pub struct IndexPage {
    pub layout: Option<Layout>,
    pub office: bool,
    pub campaign: Option<String>,
    pub months: Vec<Month>,
    pub rows: Vec<MatrixRow>,
}

/// GET /monthly-reports: who reported which month of the latest campaign (the units in
/// scope: the office sees all, a unit its own row).
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    let campaigns = anjian_store::plans::campaigns(&state.db).await?;
    let latest = campaigns.iter().max_by_key(|c| (c.starts_on.clone(), c.id));
    let (months, rows) = match latest {
        Some(c) => monthly_reports::matrix(&state.db, &u.scope(), c.id, state.today()).await?,
        None => (Vec::new(), Vec::new()),
    };
    Ok(render(&IndexPage {
        office: u.role().sees_everything(),
        campaign: latest.map(|c| c.title.clone()),
        layout: Layout::of(&u),
        months,
        rows,
    }))
}

/// Which unit's report a page shows.
#[derive(Deserialize, Default)]
pub struct ReportQuery {
    pub unit: Option<i64>,
    pub ok: Option<String>,
}

/// A month's report page: the frozen report, or the unit's form with live figures.
#[derive(Template)]
#[template(path = "monthly_report.html")]
pub struct ReportPage {
    pub layout: Option<Layout>,
    pub month: Month,
    pub unit_name: String,
    pub report: Option<MonthlyReport>,
    pub figures: Figures,
    pub total: StatLine,
    pub editable: bool,
    pub narrative: String,
    pub problems: String,
    pub flash: Option<String>,
    pub error: Option<String>,
    /// The unit's standing duties due this month, each with its progress line.
    pub standing: Vec<StandingView>,
}

/// A standing duty on the monthly report.
pub struct StandingView {
    pub obligation_id: i64,
    pub no: String,
    pub text: String,
    pub state: &'static str,
    pub progress: String,
}

/// The progress lines typed on the form (`progress_{obligation id}`).
fn progress_lines(rest: &std::collections::HashMap<String, String>) -> Vec<(i64, String)> {
    rest.iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("progress_")
                .and_then(|id| id.parse().ok())
                .map(|id| (id, v.clone()))
        })
        .take(500)
        .collect()
}

async fn page(
    state: &AppState,
    u: &User,
    month: Month,
    unit: Option<i64>,
    flash: Option<String>,
    error: Option<(String, String, String)>,
    typed: Option<Vec<(i64, String)>>,
) -> Result<Response, PageError> {
    let own = u.unit_id;
    let unit_id = unit.unwrap_or(own);
    let scope = u.scope();
    let report = monthly_reports::get(&state.db, &scope, unit_id, month).await?;
    let unit_name = match &report {
        Some(r) => r.unit_name.clone(),
        None => {
            anjian_store::directory::units::get(&state.db, &scope, unit_id)
                .await?
                .name
        }
    };
    let frozen = report.as_ref().and_then(|r| r.figures());
    let editable = unit_id == own && frozen.is_none() && u.role().can_report();
    let figures = match frozen {
        Some(f) => f,
        // The unit's own ledger as it stands (the office looking at an unsent report
        // sees the unit's ledger through its own, wider scope: the unit's hazards).
        None if unit_id == own => {
            monthly_reports::figures(&state.db, &scope, month, state.today()).await?
        }
        None => Figures::default(),
    };
    let lines = monthly_reports::standing(&state.db, unit_id, month).await?;
    let standing = lines
        .into_iter()
        .map(|l| {
            let typed_line = typed
                .as_ref()
                .and_then(|t| t.iter().find(|(o, _)| *o == l.obligation_id))
                .map(|(_, t)| t.clone());
            StandingView {
                progress: typed_line
                    .or_else(|| report.as_ref().and_then(|r| r.progress_of(l.obligation_id)))
                    .unwrap_or_default(),
                obligation_id: l.obligation_id,
                no: l
                    .work_item_no
                    .map(|n| format!("（{n}）"))
                    .unwrap_or_default(),
                text: l.text,
                state: anjian_core::obligation::State::parse(&l.state)
                    .map(|s| s.label())
                    .unwrap_or(""),
            }
        })
        .collect();
    let refused = error.is_some();
    let (narrative, problems, error) = match error {
        Some((n, p, e)) => (n, p, Some(e)),
        None => (
            report
                .as_ref()
                .map(|r| r.narrative.clone())
                .unwrap_or_default(),
            report
                .as_ref()
                .map(|r| r.problems.clone())
                .unwrap_or_default(),
            None,
        ),
    };
    Ok(render_form(
        &ReportPage {
            layout: Layout::of(u),
            total: figures.total.clone(),
            month,
            unit_name,
            report,
            figures,
            editable,
            narrative,
            problems,
            flash,
            error,
            standing,
        },
        refused,
    ))
}

/// GET /monthly-reports/{month}[?unit=]: a unit's report for a month.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(month): Path<String>,
    PageQuery(q): PageQuery<ReportQuery>,
) -> Result<Response, PageError> {
    let month = Month::parse(&month).map_err(Problem::from)?;
    let flash = q.ok.map(|k| {
        if k == "submitted" {
            "月报已报送"
        } else {
            "草稿已保存"
        }
        .to_string()
    });
    page(&state, &u, month, q.unit, flash, None, None).await
}

/// The report form.
#[derive(Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    pub narrative: String,
    #[serde(default)]
    pub problems: String,
    /// The standing duties' progress lines, `progress_{obligation id}`.
    #[serde(flatten)]
    pub rest: std::collections::HashMap<String, String>,
}

/// POST /monthly-reports/{month}: saves the unit's report as a draft.
pub async fn save(
    state: State<AppState>,
    user: PageUser,
    month: Path<String>,
    form: PageForm<ReportForm>,
) -> Result<Response, PageError> {
    keep(state, user, month, form, false).await
}

/// POST /monthly-reports/{month}/submit: submits (and freezes) the unit's report.
pub async fn submit(
    state: State<AppState>,
    user: PageUser,
    month: Path<String>,
    form: PageForm<ReportForm>,
) -> Result<Response, PageError> {
    keep(state, user, month, form, true).await
}

async fn keep(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(month): Path<String>,
    PageForm(f): PageForm<ReportForm>,
    submit: bool,
) -> Result<Response, PageError> {
    let month = Month::parse(&month).map_err(Problem::from)?;
    let progress = progress_lines(&f.rest);
    let result = monthly_reports::save(
        &state.db,
        state.now(),
        &u.actor(),
        &u.scope(),
        month,
        &Draft {
            narrative: &f.narrative,
            problems: &f.problems,
            progress: &progress,
            submit,
        },
    )
    .await
    .map(|_| {
        format!(
            "/monthly-reports/{}?ok={}",
            month.name(),
            if submit { "submitted" } else { "saved" }
        )
    })
    .map_err(Problem::from);
    after_form(result, |msg| {
        page(
            &state,
            &u,
            month,
            None,
            None,
            Some((f.narrative.clone(), f.problems.clone(), msg)),
            Some(progress.clone()),
        )
    })
    .await
}

/// GET /monthly-reports/{month}/export.xlsx: the month's consolidated workbook of the
/// submitted reports in scope: a summary, the problem lists, and the figures by sector.
pub async fn export(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(month): Path<String>,
) -> Result<Response, PageError> {
    let month = Month::parse(&month).map_err(Problem::from)?;
    let reports = monthly_reports::submitted(&state.db, &u.scope(), month).await?;
    let mut summary = Vec::new();
    let mut problems = Vec::new();
    let mut sectors = Vec::new();
    for r in &reports {
        let f = r.figures().unwrap_or_default();
        let t = &f.total;
        summary.push(vec![
            r.unit_name.clone(),
            r.submitted_on.clone().unwrap_or_default(),
            t.found.to_string(),
            t.closed.to_string(),
            t.rate_label(),
            t.overdue.to_string(),
            t.major.to_string(),
            t.major_closed.to_string(),
            r.narrative.clone(),
        ]);
        for line in r.problems.lines().filter(|l| !l.trim().is_empty()) {
            problems.push(vec![r.unit_name.clone(), line.trim().to_string()]);
        }
        for l in &f.by_sector {
            sectors.push(vec![
                r.unit_name.clone(),
                l.key.clone(),
                l.found.to_string(),
                l.closed.to_string(),
                l.rate_label(),
                l.overdue.to_string(),
            ]);
        }
    }
    super::workbook_response(
        &[
            (
                "汇总",
                &[
                    "单位",
                    "报送日期",
                    "排查隐患",
                    "已整改",
                    "整改率",
                    "逾期",
                    "重大隐患",
                    "重大已整改",
                    "工作情况",
                ],
                &summary,
            ),
            ("问题清单", &["单位", "问题"], &problems),
            (
                "分行业领域",
                &["单位", "行业领域", "排查隐患", "已整改", "整改率", "逾期"],
                &sectors,
            ),
        ],
        &format!("月报{}.xlsx", month.name()),
        &u.unit_name,
    )
}
