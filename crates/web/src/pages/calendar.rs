//! The working-day calendar: everyone reads it; the office edits it.

use anjian_core::calendar::DayKind;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::{Layout, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render};

/// The calendar page.
#[derive(Template)]
#[template(path = "calendar.html")]
pub struct CalendarPage {
    pub layout: Option<Layout>,
    pub year: i32,
    pub days: Vec<(String, String, String)>,
    pub can_edit: bool,
    pub reminder_days: i64,
    pub flash: Option<String>,
    pub error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
    ok: Option<String>,
}

async fn page(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    year: i32,
    flash: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let days = anjian_store::calendar::days(&state.db, year).await?;
    let reminder_days = anjian_store::reminders::days_before(&state.db).await?;
    let mut r = render(&CalendarPage {
        layout: Layout::of(u),
        year,
        days,
        can_edit: u.role().can_edit_directory(),
        reminder_days,
        flash,
        error: error.clone(),
    });
    if error.is_some() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// GET /calendar?year=.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<YearQuery>,
) -> Result<Response, PageError> {
    let this_year = anjian_core::time::local_date(state.now())
        .map(|d| d.year())
        .unwrap_or(2022);
    let year = q
        .year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or(this_year);
    page(&state, &u, year, q.ok.map(|_| "已保存".into()), None).await
}

#[derive(Deserialize)]
pub struct DayForm {
    day: String,
    kind: String,
    #[serde(default)]
    note: String,
}

/// POST /calendar: the office lists a day as a holiday or a workday, or removes it.
pub async fn set(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<DayForm>,
) -> Result<Response, PageError> {
    let parsed = NaiveDate::parse_from_str(f.day.trim(), "%Y-%m-%d");
    let year = parsed.map(|d| d.year()).unwrap_or(2022);
    let result: Result<String, Problem> = async {
        let day =
            parsed.map_err(|_| Problem::bad_field("invalid_date", "day", "日期应为 YYYY-MM-DD"))?;
        let kind = match f.kind.as_str() {
            "normal" => None,
            k => Some(DayKind::parse(k).ok_or_else(|| {
                Problem::bad_field("invalid_kind", "kind", "类型应为放假、调休上班或恢复正常")
            })?),
        };
        let note =
            anjian_core::error::optional_text("note", "说明", &f.note, 50)?.unwrap_or_default();
        anjian_store::calendar::set_day(&state.db, state.now(), &u.actor(), day, kind, &note)
            .await?;
        Ok(format!("/calendar?year={}&ok=1", day.year()))
    }
    .await;
    after_form(result, |msg| page(&state, &u, year, None, Some(msg))).await
}

#[derive(Deserialize)]
pub struct ReminderForm {
    days: String,
}

/// POST /calendar/reminders: the office sets how many days before a due date units are
/// reminded.
pub async fn set_reminders(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<ReminderForm>,
) -> Result<Response, PageError> {
    let year = anjian_core::time::local_date(state.now())
        .map(|d| d.year())
        .unwrap_or(2022);
    let result: Result<String, Problem> = async {
        let days: i64 = f.days.trim().parse().map_err(|_| {
            Problem::bad_field("out_of_range", "days", "提醒天数应为0到30之间的整数")
        })?;
        anjian_store::reminders::set_days_before(&state.db, state.now(), &u.actor(), days).await?;
        Ok(format!("/calendar?year={year}&ok=1"))
    }
    .await;
    after_form(result, |msg| page(&state, &u, year, None, Some(msg))).await
}
