//! Accident direct reports by API: report (graded by Decree 493, flagged late when
//! received more than an hour after the unit's head learned of it), supplementary
//! reports that regrade, and the accidents in scope.

use anjian_store::accidents::{self, AccidentRow, NewAccident, Supplement};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::body::{Body, Params};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::shared::accidents::AccidentQuery;

/// A report: `unit`, `enterprise` (optional), `sector`, `occurred_at` and `learned_at`
/// (RFC 3339; when the unit's head learned of it, optional, defaulting to `occurred_at`),
/// `place`, `account`, `deaths`, `missing`, `serious_injuries`, `direct_loss_yuan`,
/// `measures_taken`. The time of reporting is the server's receipt: a `reported_at` in
/// the body is ignored.
#[derive(Deserialize, ToSchema)]
pub struct AccidentReport {
    #[serde(flatten)]
    pub report: NewAccident,
}

/// Reports an accident; returns the record with its `grade` (`ordinary`, `larger`,
/// `major`, `especially_major`), `reported_at` (the server's receipt) and `late`
/// (received more than an hour after `learned_at`).
#[utoipa::path(post, path = "/api/v1/accidents", request_body = AccidentReport, responses((status = 201, body = AccidentRow), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(r): Body<AccidentReport>,
) -> Result<(StatusCode, Json<AccidentRow>), ApiError> {
    let id = accidents::create(&state.db, state.now(), &u.actor(), &u.scope(), &r.report).await?;
    Ok((
        StatusCode::CREATED,
        Json(accidents::get(&state.db, &u.scope(), id).await?),
    ))
}

/// The accidents in the caller's scope (and those its department investigates), newest
/// first, narrowed by month, unit, grade, status and words; keyset pages by `before`.
#[utoipa::path(get, path = "/api/v1/accidents", params(AccidentQuery), responses((status = 200, body = [AccidentRow]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<AccidentQuery>,
) -> Result<Json<Vec<AccidentRow>>, ApiError> {
    Ok(Json(
        accidents::list(&state.db, &u.scope(), &q.filter(500)?).await?,
    ))
}

/// A supplementary report: the figures as they now stand (`deaths`, `missing`,
/// `serious_injuries`, `direct_loss_yuan`) and a `note`.
#[derive(Deserialize, ToSchema)]
pub struct SupplementReport {
    #[serde(flatten)]
    pub supplement: Supplement,
}

/// Records a casualty change within 30 days (7 for road traffic and fire) and regrades
/// the accident; returns it.
#[utoipa::path(post, path = "/api/v1/accidents/{id}/supplements", request_body = SupplementReport, responses((status = 201, body = AccidentRow), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn supplement(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(s): Body<SupplementReport>,
) -> Result<(StatusCode, Json<AccidentRow>), ApiError> {
    let id = super::path_id(&id)?;
    accidents::supplement(
        &state.db,
        state.now(),
        &u.actor(),
        &u.scope(),
        id,
        &s.supplement,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(accidents::get(&state.db, &u.scope(), id).await?),
    ))
}

/// An extension of the investigation: `days` (1–60) and `reason`.
#[derive(Deserialize, ToSchema)]
pub struct ExtensionInput {
    pub days: Option<i64>,
    #[serde(default)]
    pub reason: String,
}

/// Extends an accident's investigation once, by up to 60 days (office only).
#[utoipa::path(post, path = "/api/v1/accidents/{id}/extension", request_body = ExtensionInput, responses((status = 200, body = AccidentRow), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn extend(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(x): Body<ExtensionInput>,
) -> Result<Json<AccidentRow>, ApiError> {
    let id = super::path_id(&id)?;
    accidents::extend(
        &state.db,
        state.now(),
        &u.actor(),
        id,
        x.days.unwrap_or(0),
        &x.reason,
    )
    .await?;
    Ok(Json(accidents::get(&state.db, &u.scope(), id).await?))
}

/// Closes an accident's investigation (its lead department or the office): the report's
/// publication within a month and the review within a year become obligations.
#[utoipa::path(post, path = "/api/v1/accidents/{id}/close", responses((status = 200, body = AccidentRow), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<AccidentRow>, ApiError> {
    let id = super::path_id(&id)?;
    accidents::close(&state.db, state.moment(), &u.actor(), &u.scope(), id).await?;
    Ok(Json(accidents::get(&state.db, &u.scope(), id).await?))
}

/// The parties as the investigation found them: `parties`, each {`unit`, `role`
/// (`site`, `employer`, `qualification_holder`, `contractor`, `subcontractor`,
/// `dispatcher`), `responsibility`}; they replace those named before. `project`: the
/// project it happened at, if one.
#[derive(Deserialize, ToSchema)]
pub struct PartiesInput {
    #[serde(flatten)]
    pub found: accidents::Findings,
}

/// Names an accident's parties; returns the accident.
#[utoipa::path(post, path = "/api/v1/accidents/{id}/parties", request_body = PartiesInput, responses((status = 200, body = AccidentRow), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn parties(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(p): Body<PartiesInput>,
) -> Result<Json<AccidentRow>, ApiError> {
    let id = super::path_id(&id)?;
    accidents::name_parties(&state.db, state.now(), &u.actor(), &u.scope(), id, &p.found).await?;
    Ok(Json(accidents::get(&state.db, &u.scope(), id).await?))
}

/// A blacklist entry: `unit` (an enterprise among the accident's parties) and `reason`.
#[derive(Deserialize, ToSchema)]
pub struct BlacklistInput {
    pub unit: Option<i64>,
    #[serde(default)]
    pub reason: String,
}

/// Enters one of the accident's enterprise parties in the blacklist (the office);
/// returns the accident.
#[utoipa::path(post, path = "/api/v1/accidents/{id}/blacklist", request_body = BlacklistInput, responses((status = 201, body = AccidentRow), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn blacklist(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<BlacklistInput>,
) -> Result<(StatusCode, Json<AccidentRow>), ApiError> {
    let id = super::path_id(&id)?;
    let a = accidents::get(&state.db, &u.scope(), id).await?;
    accidents::blacklist_party(
        &state.db,
        state.moment(),
        &u.actor(),
        a.id,
        b.unit,
        &b.reason,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// Records the accident's investigation (its lead unit or the office): `lead_unit`,
/// `members`, `approval_no` with `approved_on`, `accountability` (person, post, unit,
/// form) and `measures` (unit, measure, due_on), each measure owed by its unit; the
/// report file is attached on the page. Returns the investigation.
#[utoipa::path(post, path = "/api/v1/accidents/{id}/investigation", request_body = anjian_core::investigation::InvestigationInput, responses((status = 200, body = anjian_store::investigations::Investigation), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn investigation(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(i): Body<anjian_core::investigation::InvestigationInput>,
) -> Result<Json<anjian_store::investigations::Investigation>, ApiError> {
    let id = super::path_id(&id)?;
    anjian_store::investigations::record(
        &state.db,
        state.moment(),
        &u.actor(),
        &u.scope(),
        id,
        &i,
        None,
    )
    .await?;
    Ok(Json(anjian_store::investigations::of(&state.db, id).await?))
}

/// Lists a typical accident for supervision (挂牌督办, the office): `leader`, `until`;
/// its lead unit owes the conclusion by then. Returns the accident.
#[utoipa::path(post, path = "/api/v1/accidents/{id}/list", request_body = anjian_store::investigations::ListingInput, responses((status = 200, body = AccidentRow), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list_typical(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(l): Body<anjian_store::investigations::ListingInput>,
) -> Result<Json<AccidentRow>, ApiError> {
    let id = super::path_id(&id)?;
    anjian_store::investigations::list_typical(
        &state.db,
        state.moment(),
        &u.actor(),
        &u.scope(),
        id,
        &l,
    )
    .await?;
    Ok(Json(accidents::get(&state.db, &u.scope(), id).await?))
}

/// 一案双查 for the investigators (the lead unit or the office): the duty records and
/// quota standings of the officials answering for the accident's locality and sector
/// in the half-year before it, and the enterprise's enforcement history.
#[utoipa::path(get, path = "/api/v1/accidents/{id}/dual-inquiry", responses((status = 200, body = anjian_store::investigations::DualInquiry), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn dual_inquiry(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<anjian_store::investigations::DualInquiry>, ApiError> {
    let id = super::path_id(&id)?;
    Ok(Json(
        anjian_store::investigations::dual_inquiry(
            &state.db,
            &u.actor(),
            &u.scope(),
            state.today(),
            id,
        )
        .await?,
    ))
}
