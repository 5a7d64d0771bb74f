//! 打非治违 cases by API (issue 19 part 3): record a case, take its steps (measures,
//! closing, the office's exposure), list and read the cases in scope; the public
//! exposure list.

use anjian_core::crackdown::{CaseInput, Stage, StepInput};
use anjian_core::machine::States;
use anjian_store::crackdown::{self, CaseFilter, CaseRow, CaseView, Exposed};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::{Body, Params};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

/// `?state=&after=&limit=`.
#[derive(Deserialize, IntoParams)]
pub struct CaseQuery {
    /// `found` | `acting` | `closed`.
    pub state: Option<String>,
    /// The last id of the previous page.
    pub after: Option<i64>,
    /// At most 1000 (default 100).
    pub limit: Option<i64>,
}

/// The cases in the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/crackdown-cases", params(CaseQuery), responses((status = 200, body = Vec<CaseRow>), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<CaseQuery>,
) -> Result<Json<Vec<CaseRow>>, ApiError> {
    let stage = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(Stage::parse(s).ok_or_else(|| {
            anjian_store::Error::invalid(
                "invalid_state",
                "state",
                "状态应为 found（已发现）、acting（处置中）或 closed（已结案）",
            )
        })?),
    };
    let f = CaseFilter {
        state: stage,
        after: q.after,
        limit: q.limit.unwrap_or(100),
    };
    Ok(Json(
        crackdown::list(&state.db, &u.actor(), &u.scope(), &f).await?,
    ))
}

/// The new case's id.
#[derive(Serialize, ToSchema)]
pub struct CaseId {
    pub id: i64,
}

/// Records a case found in a township by the caller's unit: `locality`, `place`,
/// `subject`, `enterprise` (optional), `facts`, `found_by` (patrol | tip | visit |
/// inspection), `found_on`, `joint_units`.
#[utoipa::path(post, path = "/api/v1/crackdown-cases", request_body = CaseInput, responses((status = 201, body = CaseId), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn open(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(i): Body<CaseInput>,
) -> Result<(StatusCode, Json<CaseId>), ApiError> {
    let id = crackdown::open(&state.db, state.moment(), &u.actor(), &u.scope(), &i).await?;
    Ok((StatusCode::CREATED, Json(CaseId { id })))
}

/// One case in scope with its joint units and steps.
#[utoipa::path(get, path = "/api/v1/crackdown-cases/{id}", responses((status = 200, body = CaseView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    let id = super::path_id(&id)?;
    Ok(Json(
        crackdown::get(&state.db, &u.actor(), &u.scope(), id).await?,
    ))
}

/// Takes a step: `step` = measure (with `kind`: banned | closed | seized | referred,
/// and `note`), close (with `note`) or expose (the office); `on` defaults to today.
#[utoipa::path(post, path = "/api/v1/crackdown-cases/{id}/steps", request_body = StepInput, responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn step(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(s): Body<StepInput>,
) -> Result<StatusCode, ApiError> {
    let id = super::path_id(&id)?;
    crackdown::step(&state.db, state.moment(), &u.actor(), &u.scope(), id, &s).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?after=`.
#[derive(Deserialize, IntoParams)]
pub struct ExposedQuery {
    /// The last id of the previous page.
    pub after: Option<i64>,
}

/// The illegal units the office has exposed, newest first (public, 50 a page).
#[utoipa::path(get, path = "/api/v1/public/exposures", params(ExposedQuery), responses((status = 200, body = Vec<Exposed>)))]
pub async fn exposed(
    State(state): State<AppState>,
    Params(q): Params<ExposedQuery>,
) -> Result<Json<Vec<Exposed>>, ApiError> {
    Ok(Json(crackdown::exposed(&state.db, q.after, 50).await?))
}
