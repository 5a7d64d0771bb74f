//! Obligations in scope: what each unit owes and by when.

use anjian_core::obligation::State;
use anjian_store::obligations::{self, ObligationFilter};
use axum::Json;
use axum::extract::State as AxumState;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::Params;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};

/// Filters of the obligation list.
#[derive(Deserialize, IntoParams)]
pub struct ObligationQuery {
    pub campaign: Option<i64>,
    pub unit: Option<i64>,
    /// pending, submitted, accepted, returned, overdue, done_late, waived.
    pub state: Option<String>,
    /// YYYY-MM-DD: only obligations due before this day.
    pub due_before: Option<String>,
    /// The next page's key: `due_on,id` of the last row.
    pub after: Option<String>,
    pub limit: Option<i64>,
    /// `true`: only the reports waiting for the caller's review (another unit's
    /// submitted obligations on work items the caller's unit leads; every unit's for
    /// the office).
    pub to_review: Option<bool>,
}

/// An obligation.
#[derive(Serialize, ToSchema)]
pub struct ObligationJson {
    pub id: i64,
    /// The campaign it counts in; empty for a case's deadline found outside any campaign.
    pub campaign_id: Option<i64>,
    /// The case (a hazard) whose rectification deadline this is.
    pub case_id: Option<i64>,
    pub unit: UnitName,
    pub role: String,
    pub work_item_no: Option<i64>,
    pub title: String,
    pub due_on: String,
    pub label: String,
    pub min_count: i64,
    pub state: String,
}

/// A unit's id and name.
#[derive(Serialize, ToSchema)]
pub struct UnitName {
    pub id: i64,
    pub name: String,
}

fn date(field: &'static str, raw: &str) -> Result<NaiveDate, Problem> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        Problem::bad_field(
            "invalid_date",
            field,
            format!("{field} 应为 YYYY-MM-DD 格式的日期"),
        )
    })
}

/// The store's filter from the query string, each bad value naming its field.
pub fn filter_of(
    f: &ObligationQuery,
    u: &anjian_store::accounts::SessionUser,
) -> Result<ObligationFilter, Problem> {
    let mut st = match f.state.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(State::parse(s).ok_or_else(|| {
            Problem::bad_field(
                "invalid_state",
                "state",
                "state 应为 pending、submitted、accepted、returned、overdue、done_late 或 waived",
            )
        })?),
        None => None,
    };
    let due_before = f
        .due_before
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| date("due_before", s))
        .transpose()?;
    let after = match f.after.as_deref().filter(|s| !s.is_empty()) {
        Some(a) => {
            let (d, id) = a.split_once(',').ok_or_else(|| {
                Problem::bad_field("invalid_after", "after", "after 应为“日期,编号”")
            })?;
            Some((
                date("after", d)?,
                id.trim().parse().map_err(|_| {
                    Problem::bad_field("invalid_after", "after", "after 应为“日期,编号”")
                })?,
            ))
        }
        None => None,
    };
    let mut reviewer = None;
    if f.to_review == Some(true) {
        st = Some(State::Submitted);
        reviewer = (!u.role().sees_everything()).then_some(u.unit_id);
    }
    Ok(ObligationFilter {
        campaign: f.campaign,
        unit: f.unit,
        reviewer,
        state: st,
        stored: None,
        due_before,
        after,
        limit: f.limit.unwrap_or(100),
    })
}

/// Obligations whose unit is in the caller's scope, by due date (keyset `after`).
#[utoipa::path(get, path = "/api/v1/obligations", params(ObligationQuery), responses((status = 200, body = [ObligationJson]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    AxumState(state): AxumState<AppState>,
    ApiUser(u): ApiUser,
    Params(f): Params<ObligationQuery>,
) -> Result<Json<Vec<ObligationJson>>, ApiError> {
    let today = anjian_core::time::local_date(state.now()).unwrap_or_default();
    let filter = filter_of(&f, &u)?;
    let rows = obligations::list(&state.db, &u.scope(), today, &filter).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| ObligationJson {
                id: r.id,
                campaign_id: r.campaign_id,
                case_id: r.case_id,
                unit: UnitName {
                    id: r.unit_id,
                    name: r.unit_name,
                },
                role: r.role,
                work_item_no: r.work_item_no,
                title: r.work_item_text.or(r.duty_text).unwrap_or(r.label.clone()),
                due_on: r.due_on,
                label: r.label,
                min_count: r.min_count,
                state: r.state,
            })
            .collect(),
    ))
}
