//! The office's campaigns: import a plan (its published text, or its table as .xlsx or
//! .csv) into a new campaign, run a stored plan again in a later year, and set or move
//! a campaign's end date. Each action is one transaction with its audit entry.

use anjian_core::plan::{Finding, ImportReport, table};
use anjian_core::role::Role;
use anjian_store::expansion::{self, Change, Launch, Period, PlanSource};
use anjian_store::plans::{self, CampaignLine};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::{Done, Layout, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render, render_form};
use crate::input::path_id;

/// The list of campaigns, with the office's forms.
#[derive(Template)]
#[template(path = "campaigns.html")]
pub struct CampaignsPage {
    pub layout: Option<Layout>,
    pub campaigns: Vec<CampaignItem>,
    pub office: bool,
    pub next_year: i32,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// A campaign with its special periods.
pub struct CampaignItem {
    pub c: CampaignLine,
    pub periods: Vec<Period>,
}

/// What importing a plan did (or, with problems, why nothing was imported).
#[derive(Template)]
#[template(path = "plan_import.html")]
pub struct ImportPage {
    pub layout: Option<Layout>,
    pub file_name: String,
    pub campaign: Option<(i64, String)>,
    pub counts: String,
    pub inferences: Vec<Finding>,
    pub problems: Vec<Finding>,
    pub unresolved: Vec<(String, Vec<String>)>,
    /// What each work item was given (its schedule in words).
    pub given: Vec<anjian_core::plan::Given>,
    /// Work items whose dates fall after the campaign's end (kept).
    pub after_end: Vec<(String, Vec<String>)>,
    /// Work items whose dates fall before its start (moved to the start plus the grace).
    pub before_start: Vec<(String, Vec<String>)>,
}

fn this_year(state: &AppState) -> i32 {
    anjian_core::time::local_date(state.now())
        .map(|d| d.year())
        .unwrap_or(2022)
}

async fn list_page(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    flash: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let refused = error.is_some();
    let r = render_form(
        &CampaignsPage {
            layout: Layout::of(u),
            campaigns: {
                let mut periods = expansion::all_periods(&state.db).await?;
                plans::campaign_lines(&state.db)
                    .await?
                    .into_iter()
                    .map(|c| CampaignItem {
                        periods: periods
                            .extract_if(.., |(id, _)| *id == c.id)
                            .map(|(_, p)| p)
                            .collect(),
                        c,
                    })
                    .collect()
            },
            office: u.role().can_run_campaigns(),
            next_year: this_year(state) + 1,
            flash,
            error,
        },
        refused,
    );
    Ok(r)
}

/// GET /campaigns: every campaign; the office imports plans and manages campaigns here.
pub async fn list(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(d): PageQuery<Done>,
) -> Result<Response, PageError> {
    let flash = d.ok.as_deref().map(|ok| match ok {
        "ended" => "已设定结束日期，应办事项已按新的期限调整".to_string(),
        "period" => "已调整特殊时段，相关日报事项已随之调整".to_string(),
        _ => "已完成".to_string(),
    });
    list_page(&state, &u, flash, None).await
}

fn bad(field: &'static str, message: impl Into<String>) -> Problem {
    Problem::bad_field("invalid", field, message)
}

/// An optional `YYYY-MM-DD` form field.
fn optional_date(
    field: &'static str,
    label: &str,
    raw: &str,
) -> Result<Option<NaiveDate>, Problem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| bad(field, format!("{label}应为 YYYY-MM-DD 格式的日期")))
}

fn year_of(raw: &str, default: i32) -> Result<i32, Problem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(default);
    }
    raw.parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| bad("year", "年度应为2000至2100之间的年份"))
}

/// POST /plans/import (multipart: `file`, and for a table `title`, `doc_number`; both
/// kinds take `year` and `ends_on`).
pub async fn import(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    mut form: Multipart,
) -> Result<Response, PageError> {
    anjian_store::authz::require(&u.actor(), Role::can_run_campaigns)?;
    let bad_upload = crate::upload::bad_upload;
    let (mut file_name, mut bytes) = (String::new(), Vec::new());
    let (mut title, mut doc_number, mut year, mut ends_on) =
        (String::new(), String::new(), String::new(), String::new());
    while let Some(field) = form.next_field().await.map_err(bad_upload)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            file_name = field
                .file_name()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_control())
                .take(100)
                .collect();
            bytes = field.bytes().await.map_err(bad_upload)?.to_vec();
            continue;
        }
        let value = field.text().await.map_err(bad_upload)?;
        match name.as_str() {
            "title" => title = value,
            "doc_number" => doc_number = value,
            "year" => year = value,
            "ends_on" => ends_on = value,
            _ => {}
        }
    }
    let result: Result<Response, Problem> = async {
        if bytes.is_empty() {
            return Err(bad("file", "请选择方案文件（.txt、.xlsx 或 .csv）"));
        }
        let ends_on = optional_date("ends_on", "结束日期", &ends_on)?;
        let header_year = year_of(&year, this_year(&state))?;
        let header = table::Header {
            title: anjian_core::error::optional_text("title", "方案标题", &title, 200)?
                .unwrap_or_default(),
            doc_number: anjian_core::error::optional_text("doc_number", "文号", &doc_number, 100)?
                .unwrap_or_default(),
            year: header_year,
        };
        let ext = file_name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let (plan, report) =
            anjian_core::plan::read_file(ext, &bytes, &header).map_err(|m| bad("file", m))?;
        let Some(plan) = plan else {
            let mut r = render(&result_page(
                &u,
                &file_name,
                None,
                String::new(),
                report,
                Default::default(),
            ));
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(r);
        };
        let launch = Launch {
            plan: PlanSource::New(&plan),
            title: None,
            year: if year.trim().is_empty() {
                plan.year
            } else {
                header_year
            },
            ends_on,
            periods: Vec::new(),
        };
        let (c, expanded) = expansion::launch(&state.db, state.now(), &u.actor(), &launch).await?;
        let counts = format!(
            "{} 项措施、{} 项重点任务、{} 项工作要点；分解为 {} 个任务、{} 项应办事项",
            plan.measures.len(),
            plan.measures
                .iter()
                .map(|m| m.key_tasks.len())
                .sum::<usize>(),
            plan.work_items().count(),
            expanded.assignments,
            expanded.obligations
        );
        Ok(render(&result_page(
            &u,
            &file_name,
            Some((c.id, c.title)),
            counts,
            report,
            expanded,
        )))
    }
    .await;
    match result {
        Ok(r) => Ok(r),
        Err(p) if p.status.is_client_error() && p.status != StatusCode::FORBIDDEN => {
            list_page(&state, &u, None, Some(super::flash_of(&p))).await
        }
        Err(p) => Err(p.into()),
    }
}

/// Work items with the dates the launch report names for them.
fn result_page(
    u: &anjian_store::accounts::SessionUser,
    file_name: &str,
    campaign: Option<(i64, String)>,
    counts: String,
    report: ImportReport,
    expanded: anjian_store::obligations::ExpandReport,
) -> ImportPage {
    ImportPage {
        layout: Layout::of(u),
        file_name: file_name.to_string(),
        campaign,
        counts,
        inferences: report.inferences,
        problems: report.problems,
        given: report.given,
        unresolved: expanded.unresolved,
        after_end: expanded.after_end,
        before_start: expanded.before_start,
    }
}

/// The form that sets a campaign's end date.
#[derive(Deserialize)]
pub struct EndForm {
    #[serde(default)]
    ends_on: String,
}

/// POST /campaigns/{id}/end: sets or moves the campaign's last day.
pub async fn set_end(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<EndForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let result: Result<String, Problem> = async {
        let ends_on = optional_date("ends_on", "结束日期", &f.ends_on)?
            .ok_or_else(|| bad("ends_on", "请填写结束日期"))?;
        expansion::set_end(&state.db, state.now(), &u.actor(), id, ends_on).await?;
        Ok("/campaigns?ok=ended".to_string())
    }
    .await;
    after_form(result, |msg| list_page(&state, &u, None, Some(msg))).await
}

/// The form that runs a stored plan again.
#[derive(Deserialize)]
pub struct RerunForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    title: String,
}

/// POST /campaigns/{id}/rerun: runs the campaign's plan again in a later year, its dates
/// moved to that year.
pub async fn rerun(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<RerunForm>,
) -> Result<Response, PageError> {
    let c = plans::campaign(&state.db, path_id(&id)?).await?;
    let result: Result<String, Problem> = async {
        let year = year_of(&f.year, c.year as i32 + 1)?;
        let launch = Launch {
            plan: PlanSource::Stored(c.plan_id),
            title: Some(f.title.clone()).filter(|t| !t.trim().is_empty()),
            year,
            ends_on: optional_date("ends_on", "结束日期", &f.ends_on)?,
            periods: Vec::new(),
        };
        let (new, _) = expansion::launch(&state.db, state.now(), &u.actor(), &launch).await?;
        Ok(format!("/campaigns/{}", new.id))
    }
    .await;
    after_form(result, |msg| list_page(&state, &u, None, Some(msg))).await
}

/// The form that names a special period.
#[derive(Deserialize)]
pub struct PeriodForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
}

/// POST /campaigns/{id}/periods: names a special period (daily reports are owed in it).
pub async fn add_period(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<PeriodForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let result: Result<String, Problem> = async {
        let starts_on = optional_date("starts_on", "开始日期", &f.starts_on)?
            .ok_or_else(|| bad("starts_on", "请填写开始日期"))?;
        let ends_on = optional_date("ends_on", "结束日期", &f.ends_on)?
            .ok_or_else(|| bad("ends_on", "请填写结束日期"))?;
        let change = Change::AddPeriod {
            name: f.name.clone(),
            starts_on,
            ends_on,
        };
        expansion::rewindow(&state.db, state.now(), &u.actor(), id, change).await?;
        Ok("/campaigns?ok=period".to_string())
    }
    .await;
    after_form(result, |msg| list_page(&state, &u, None, Some(msg))).await
}

/// POST /campaigns/{id}/periods/{period}/delete: removes a special period.
pub async fn remove_period(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, period)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let change = Change::RemovePeriod(path_id(&period)?);
    expansion::rewindow(&state.db, state.now(), &u.actor(), path_id(&id)?, change).await?;
    Ok(axum::response::Redirect::to("/campaigns?ok=period").into_response())
}
