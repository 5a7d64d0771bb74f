//! Annual supervision-inspection plans by API (年度监督检查计划, issue 19 part 2).

use anjian_core::enforcement::InspectionPlanInput;
use anjian_store::inspection_plans::{self, PlanLine};
use axum::Json;
use axum::extract::{Path, State};

use super::body::Body;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};

fn year_of(raw: &str) -> Result<i64, ApiError> {
    raw.trim().parse().map_err(|_| {
        ApiError::from(Problem::from(anjian_core::FieldError::new(
            "invalid_year",
            "year",
            "年度应为四位数年份",
        )))
    })
}

/// The plans of a year in the caller's scope, each with the inspections recorded in
/// each quarter.
#[utoipa::path(get, path = "/api/v1/inspection-plans/{year}", responses((status = 200, body = Vec<PlanLine>), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(year): Path<String>,
) -> Result<Json<Vec<PlanLine>>, ApiError> {
    let year = year_of(&year)?;
    Ok(Json(
        inspection_plans::lines(&state.db, &u.scope(), year).await?,
    ))
}

/// Keeps the caller's unit's plan for a year: `q1`–`q4` (inspections planned in each
/// quarter) and a `note`.
#[utoipa::path(put, path = "/api/v1/inspection-plans/{year}", request_body = InspectionPlanInput, responses((status = 200, body = PlanLine), (status = 422, body = crate::error::ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(year): Path<String>,
    Body(p): Body<InspectionPlanInput>,
) -> Result<Json<PlanLine>, ApiError> {
    let year = year_of(&year)?;
    Ok(Json(
        inspection_plans::put(&state.db, state.now(), &u.actor(), year, &p).await?,
    ))
}
