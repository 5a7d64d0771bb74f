//! Experts by API: the pool, engagements and their findings (专家服务, item (94)).

use anjian_store::experts::{self, Engagement, Expert, NewEngagement, NewExpert};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::body::{Body, Params};
use super::hazards::NewHazard;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::input::path_id;

/// The pool of experts (the office and the departments), without phones.
#[utoipa::path(get, path = "/api/v1/experts", responses((status = 200, body = [Expert]), (status = 403, body = crate::error::ErrorBody)))]
pub async fn pool(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Vec<Expert>>, ApiError> {
    Ok(Json(experts::pool(&state.db, &u.actor()).await?))
}

/// Adds an expert (the office): `name`, `field`, `qualification`, `employer`, `phone`
/// (sealed).
#[utoipa::path(post, path = "/api/v1/experts", request_body = NewExpert, responses((status = 201, body = inline(serde_json::Value)), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(e): Body<NewExpert>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let id = add_expert(&state, &u.actor(), &e).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}

/// Adds an expert with a fresh nonce for the sealed phone (the API and the page).
pub(crate) async fn add_expert(
    state: &AppState,
    actor: &anjian_store::Actor,
    e: &NewExpert,
) -> Result<i64, Problem> {
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).map_err(|_| Problem::internal())?;
    Ok(experts::add(
        &state.db,
        &state.config.keyring,
        nonce,
        state.now(),
        actor,
        e,
    )
    .await?)
}

/// Engagements by units in scope, newest first (by day), 200 a page unless `limit` says
/// otherwise. When a page is full, the
/// next is linked in the `Link` header.
#[utoipa::path(get, path = "/api/v1/expert-engagements", params(super::paging::PageParams), responses((status = 200, body = [Engagement]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn engagements(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<super::paging::PageParams>,
) -> Result<Response, ApiError> {
    let scope = u.register_scope()?;
    let page = q.page(200);
    let rows = experts::engagements(&state.db, &scope, page).await?;
    Ok(super::paging::paged(
        rows,
        page.limit(),
        |last: &Engagement| {
            format!(
                "/api/v1/expert-engagements?after={}&limit={}",
                last.id,
                page.limit()
            )
        },
    ))
}

/// Records an engagement by the caller's unit: `kind` (inspection, visit, event),
/// `subject` (an event's name), `enterprise` (in scope; 404 otherwise), `on`,
/// `conclusion`, `experts` (ids).
#[utoipa::path(post, path = "/api/v1/expert-engagements", request_body = NewEngagement, responses((status = 201, body = Engagement), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn engage(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(n): Body<NewEngagement>,
) -> Result<(StatusCode, Json<Engagement>), ApiError> {
    let scope = u.register_scope()?;
    let id = experts::engage(&state.db, state.moment(), &u.actor(), &scope, &n).await?;
    Ok((
        StatusCode::CREATED,
        Json(experts::engagement(&state.db, &scope, id).await?),
    ))
}

/// One engagement in scope.
#[utoipa::path(get, path = "/api/v1/expert-engagements/{id}", params(("id" = i64, Path)), responses((status = 200, body = Engagement), (status = 404, body = crate::error::ErrorBody)))]
pub async fn engagement(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Engagement>, ApiError> {
    let scope = u.register_scope()?;
    Ok(Json(
        experts::engagement(&state.db, &scope, path_id(&id)?).await?,
    ))
}

/// Enters a finding of the caller's unit's engagement at its enterprise: a hazard of
/// source 专家服务, with its deadline like any finding.
#[utoipa::path(post, path = "/api/v1/expert-engagements/{id}/findings", params(("id" = i64, Path)), request_body = NewHazard, responses((status = 201, body = inline(serde_json::Value)), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn finding(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(h): Body<NewHazard>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let hazard = experts::add_finding(
        &state.db,
        state.now(),
        &u.actor(),
        path_id(&id)?,
        anjian_store::hazards::Finding {
            input: &h.input(),
            photos: &[],
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "hazard": hazard })),
    ))
}
