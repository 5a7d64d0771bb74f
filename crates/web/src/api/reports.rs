//! An obligation by API: read it with its reports, report progress with evidence
//! (multipart, the same form the page posts), review, waive.

use anjian_store::reports;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Body;
use super::path_id;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
pub(crate) use crate::shared::reports::{ReportForm, read_report, submit_form};

/// A review decision.
#[derive(Deserialize, ToSchema)]
pub struct ReviewInput {
    /// `accept` or `return`.
    pub decision: String,
    /// Required when returning.
    #[serde(default)]
    pub reason: String,
}

/// The obligation's new state.
#[derive(Serialize, ToSchema)]
pub struct StateJson {
    pub state: String,
}

/// Accepts or returns the latest report (the lead unit of the work item, or the office).
#[utoipa::path(post, path = "/api/v1/obligations/{id}/review", request_body = ReviewInput, responses((status = 200, body = StateJson), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(i): Body<ReviewInput>,
) -> Result<Json<StateJson>, ApiError> {
    let id = path_id(&id)?;
    let accept = match i.decision.as_str() {
        "accept" => true,
        "return" => false,
        _ => {
            return Err(Problem::bad_field(
                "invalid_decision",
                "decision",
                "decision 应为 accept 或 return",
            )
            .into());
        }
    };
    let s = reports::review(
        &state.db,
        state.now(),
        &u.actor(),
        &u.scope(),
        id,
        accept,
        &i.reason,
    )
    .await?;
    Ok(Json(StateJson {
        state: s.as_str().to_string(),
    }))
}

/// A reason.
#[derive(Deserialize, ToSchema)]
pub struct WaiveInput {
    pub reason: String,
}

/// Waives an open obligation with a reason (the office).
#[utoipa::path(post, path = "/api/v1/obligations/{id}/waive", request_body = WaiveInput, responses((status = 200, body = StateJson), (status = 403, body = crate::error::ErrorBody)))]
pub async fn waive(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(i): Body<WaiveInput>,
) -> Result<Json<StateJson>, ApiError> {
    let s = reports::waive(
        &state.db,
        state.now(),
        &u.actor(),
        &u.scope(),
        path_id(&id)?,
        &i.reason,
    )
    .await?;
    Ok(Json(StateJson {
        state: s.as_str().to_string(),
    }))
}

/// The new report's id and the obligation's state.
#[derive(Serialize, ToSchema)]
pub struct SubmittedJson {
    pub report_id: i64,
    pub state: String,
}

/// Reports progress on the caller's own unit's obligation: multipart/form-data with
/// `text` (required) and `evidence` files (photos, PDF, Word, Excel; 8 MB each, checked
/// by content).
#[utoipa::path(post, path = "/api/v1/obligations/{id}/reports", request_body(content_type = "multipart/form-data", description = "text; counted (how many, where the obligation asks for a minimum); evidence (files)"), responses((status = 201, body = SubmittedJson), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    super::body::Upload(mut form): super::body::Upload,
) -> Result<(StatusCode, Json<SubmittedJson>), ApiError> {
    let id = path_id(&id)?;
    let report_id = submit_form(&state, &u, id, &mut form).await?;
    let o = reports::obligation(&state.db, &u.scope(), id).await?;
    Ok((
        StatusCode::CREATED,
        Json(SubmittedJson {
            report_id,
            state: o.state,
        }),
    ))
}

/// An obligation with its reports, newest first.
#[derive(Serialize, ToSchema)]
pub struct ObligationWithReports {
    pub obligation: reports::ObligationDetail,
    /// The state as of today (overdue is derived from the day).
    pub effective_state: String,
    #[schema(value_type = Vec<Object>)]
    pub reports: Vec<reports::Report>,
}

/// One obligation in scope with its reports and their evidence.
#[utoipa::path(get, path = "/api/v1/obligations/{id}", responses((status = 200, body = ObligationWithReports), (status = 404, body = crate::error::ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ObligationWithReports>, ApiError> {
    let id = path_id(&id)?;
    let o = reports::obligation(&state.db, &u.scope(), id).await?;
    let today = anjian_core::time::local_date(state.now()).unwrap_or_default();
    let due =
        chrono::NaiveDate::parse_from_str(&o.due_on, "%Y-%m-%d").unwrap_or(chrono::NaiveDate::MAX);
    let effective = anjian_core::obligation::State::parse(&o.state)
        .map(|s| s.effective(due, today).as_str().to_string())
        .unwrap_or_else(|| o.state.clone());
    let list = reports::reports(&state.db, id).await?;
    Ok(Json(ObligationWithReports {
        obligation: o,
        effective_state: effective,
        reports: list,
    }))
}
