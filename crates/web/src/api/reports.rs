//! Reviewing and waiving obligations by API (submitting with evidence is a multipart
//! form on the obligation page).

use anjian_core::role::Role;
use anjian_store::reports;
use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Body;
use super::path_id;
use crate::AppState;
use crate::auth::{ApiUser, require};
use crate::error::{ApiError, Problem};

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
    let o = reports::obligation(&state.db, &u.scope(), id).await?;
    if !reports::may_review(u.role().sees_everything(), u.unit_id, &o) {
        return Err(Problem::forbidden().into());
    }
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
    require(&state, &u, Role::sees_everything, "obligation.waive").await?;
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
