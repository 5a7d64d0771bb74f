//! Supervision and unannounced visits by API: plan one, read the list and one visit
//! with its findings, enter a finding (a hazard of the visited unit), record the visit,
//! mark a finding for exposure. The same store functions as the pages, so the same
//! visibility: an unannounced visit is 404 to its targets until it is recorded.
//! Photos taken on site go with the page's multipart form.

use anjian_store::visits::{self, VisitDetail, VisitRow};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;

use super::body::{Body, Params};
use super::hazards::NewHazard;
use super::path_id;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

/// A visit to plan.
#[derive(Deserialize, ToSchema)]
pub struct NewVisit {
    /// `supervision`, `assisted` or `unannounced`.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub team: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub starts_on: String,
    /// YYYY-MM-DD, not before `starts_on`.
    #[serde(default)]
    pub ends_on: String,
    /// Ids of the units to visit (in the caller's scope).
    #[serde(default)]
    pub targets: Vec<i64>,
}

/// The visits the caller sees, newest first, 100 a page unless `limit` says otherwise.
/// When a page is full, the next is linked
/// in the `Link` header.
#[utoipa::path(get, path = "/api/v1/visits", params(super::paging::PageParams), responses((status = 200, body = [VisitRow]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<super::paging::PageParams>,
) -> Result<Response, ApiError> {
    let page = q.page(100);
    let rows = visits::list(&state.db, &u.scope(), Some(u.unit_id), page).await?;
    Ok(super::paging::paged(
        rows,
        page.limit(),
        |last: &VisitRow| format!("/api/v1/visits?after={}&limit={}", last.id, page.limit()),
    ))
}

/// Plans a visit by the caller's unit.
#[utoipa::path(post, path = "/api/v1/visits", request_body = NewVisit, responses((status = 201, body = VisitDetail), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(v): Body<NewVisit>,
) -> Result<(StatusCode, Json<VisitDetail>), ApiError> {
    let plan = anjian_core::visit::check(&v.kind, &v.title, &v.team, &v.starts_on, &v.ends_on)
        .map_err(crate::error::Problem::from)?;
    let id = visits::plan(
        &state.db,
        state.now(),
        &u.actor(),
        &u.scope(),
        &plan,
        &v.targets,
    )
    .await?;
    let detail = visits::get(&state.db, &u.scope(), Some(u.unit_id), id).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// One visit with its targets and findings (404 while it is hidden from the caller).
#[utoipa::path(get, path = "/api/v1/visits/{id}", responses((status = 200, body = VisitDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<VisitDetail>, ApiError> {
    let detail = visits::get(&state.db, &u.scope(), Some(u.unit_id), path_id(&id)?).await?;
    Ok(Json(detail))
}

/// Enters a finding: a hazard of `unit` (one of the visit's targets), assigned by the
/// visiting unit with its deadline; only the planner, before the visit is recorded.
#[utoipa::path(post, path = "/api/v1/visits/{id}/findings", request_body = NewHazard, responses((status = 201, body = VisitDetail), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn finding(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(h): Body<NewHazard>,
) -> Result<(StatusCode, Json<VisitDetail>), ApiError> {
    let id = path_id(&id)?;
    let unit = h.unit.ok_or_else(|| {
        crate::error::Problem::from(anjian_core::FieldError::new(
            "required",
            "unit",
            "请指定被检查单位（unit）",
        ))
    })?;
    visits::add_finding(
        &state.db,
        state.now(),
        &u.actor(),
        id,
        unit,
        anjian_store::hazards::Finding {
            input: &h.input(),
            photos: &[],
        },
    )
    .await?;
    let detail = visits::get(&state.db, &u.scope(), Some(u.unit_id), id).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// The visit's report.
#[derive(Deserialize, ToSchema)]
pub struct RecordInput {
    /// 检查情况 (required).
    #[serde(default)]
    pub report: String,
}

/// Records the visit with its report: from now on its targets see it.
#[utoipa::path(post, path = "/api/v1/visits/{id}/record", request_body = RecordInput, responses((status = 200, body = VisitDetail), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(r): Body<RecordInput>,
) -> Result<Json<VisitDetail>, ApiError> {
    let id = path_id(&id)?;
    visits::record(&state.db, state.now(), &u.actor(), id, &r.report).await?;
    Ok(Json(
        visits::get(&state.db, &u.scope(), Some(u.unit_id), id).await?,
    ))
}

/// Whether to expose a finding.
#[derive(Deserialize, ToSchema)]
pub struct ExposeInput {
    /// true marks the finding for exposure (曝光) in bulletins; false clears it.
    #[serde(default)]
    pub exposed: bool,
}

/// Marks or clears a finding for exposure (the planner only).
#[utoipa::path(post, path = "/api/v1/visits/{id}/findings/{hazard}/expose", request_body = ExposeInput, responses((status = 200, body = VisitDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn expose(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, hazard)): Path<(String, String)>,
    Body(e): Body<ExposeInput>,
) -> Result<Json<VisitDetail>, ApiError> {
    let id = path_id(&id)?;
    visits::expose(
        &state.db,
        state.now(),
        &u.actor(),
        id,
        path_id(&hazard)?,
        e.exposed,
    )
    .await?;
    Ok(Json(
        visits::get(&state.db, &u.scope(), Some(u.unit_id), id).await?,
    ))
}
