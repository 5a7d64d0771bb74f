//! The blacklist by API (issue 19 part 4): enter an enterprise by a recorded decision,
//! lift it by another, list the entries in scope.

use anjian_core::blacklist::EntryInput;
use anjian_store::blacklist::{self, BlacklistFilter, BlacklistRow};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::{Body, Params};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

/// `?active=true&after=&limit=`.
#[derive(Deserialize, IntoParams)]
pub struct BlacklistQuery {
    /// Only entries holding today (not lifted, within their term).
    pub active: Option<bool>,
    /// The last id of the previous page.
    pub after: Option<i64>,
    /// At most 1000 (default 100).
    pub limit: Option<i64>,
}

/// The entries whose enterprise is in the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/blacklist", params(BlacklistQuery), responses((status = 200, body = Vec<BlacklistRow>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<BlacklistQuery>,
) -> Result<Json<Vec<BlacklistRow>>, ApiError> {
    let f = BlacklistFilter {
        active_on: q.active.unwrap_or(false).then(|| state.today()),
        after: q.after,
        limit: q.limit.unwrap_or(100),
    };
    Ok(Json(
        blacklist::list(&state.db, &u.actor(), &u.scope(), &f).await?,
    ))
}

/// The new entry's id.
#[derive(Serialize, ToSchema)]
pub struct EntryId {
    pub id: i64,
}

/// Blacklists an enterprise in scope by the caller's unit's decision: `enterprise`,
/// `reason_kind` (concealed_accident | illegal_production | refused_rectification),
/// `reason`, `decided_on`, `until`.
#[utoipa::path(post, path = "/api/v1/blacklist", request_body = EntryInput, responses((status = 201, body = EntryId), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn enter(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(i): Body<EntryInput>,
) -> Result<(StatusCode, Json<EntryId>), ApiError> {
    let id = blacklist::enter(&state.db, state.moment(), &u.actor(), &u.scope(), &i).await?;
    Ok((StatusCode::CREATED, Json(EntryId { id })))
}

/// A lifting decision's reason.
#[derive(Deserialize, ToSchema)]
pub struct LiftInput {
    #[serde(default)]
    pub reason: String,
}

/// Lifts an entry (the deciding unit or the office) with its reason.
#[utoipa::path(post, path = "/api/v1/blacklist/{id}/lift", request_body = LiftInput, responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn lift(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(l): Body<LiftInput>,
) -> Result<StatusCode, ApiError> {
    let id = super::path_id(&id)?;
    blacklist::lift(
        &state.db,
        state.moment(),
        &u.actor(),
        &u.scope(),
        id,
        &l.reason,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
