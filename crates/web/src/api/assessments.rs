//! The annual assessment by API: the year's table, the office's scheme and adjustments.

use anjian_store::assessments::{self, Assessment};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::body::Body;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::pages::assessments::year_of;

/// The assessment of a year so far: every township and department with each part's
/// score and explanation, adjustments, veto and grade, ranked among its peers.
#[utoipa::path(get, path = "/api/v1/assessments/{year}", params(("year" = i32, Path, minimum = 2000, maximum = 2100)), responses((status = 200, body = Assessment), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn year(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(year): Path<String>,
) -> Result<Json<Assessment>, ApiError> {
    let year = year_of(&year)?;
    Ok(Json(
        assessments::of_year(&state.db, state.moment(), &u.actor(), year).await?,
    ))
}

/// Sets the year's scheme (the office): `parts`, each `kind` (rankings, plan,
/// enforcement, accidents, duty) and `weight`, adding up to 100.
#[utoipa::path(put, path = "/api/v1/assessments/{year}/scheme", params(("year" = i32, Path, minimum = 2000, maximum = 2100)), request_body = anjian_core::assessment::Scheme, responses((status = 200, body = anjian_core::assessment::Scheme), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_scheme(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(year): Path<String>,
    Body(s): Body<anjian_core::assessment::Scheme>,
) -> Result<Json<anjian_core::assessment::Scheme>, ApiError> {
    let year = year_of(&year)?;
    Ok(Json(
        assessments::set_scheme(&state.db, state.now(), &u.actor(), year, s).await?,
    ))
}

/// An adjustment: the unit, points (−20 to 20, one decimal, as text) and the reason.
#[derive(Deserialize, ToSchema)]
pub struct NewAdjustment {
    pub unit: i64,
    #[serde(default)]
    pub points: String,
    #[serde(default)]
    pub reason: String,
}

/// Adjusts a township's or department's score of the year (the office), with a reason.
#[utoipa::path(post, path = "/api/v1/assessments/{year}/adjustments", params(("year" = i32, Path, minimum = 2000, maximum = 2100)), request_body = NewAdjustment, responses((status = 201, body = inline(serde_json::Value)), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn adjust(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(year): Path<String>,
    Body(a): Body<NewAdjustment>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let year = year_of(&year)?;
    let id = assessments::adjust(
        &state.db,
        state.now(),
        &u.actor(),
        year,
        a.unit,
        &a.points,
        &a.reason,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}
