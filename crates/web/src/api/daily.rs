//! Daily duties by API: each unit's count of days with and without an entry, the latest
//! entries, and logging one (the same store functions as the page).

use anjian_store::daily::{self, DailyLine, EntryRow};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::body::Body;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
pub(crate) use crate::shared::daily::NewDailyEntry;

/// The daily duties of the units in the caller's scope, with the days missed.
#[utoipa::path(get, path = "/api/v1/daily", operation_id = "daily_lines", responses((status = 200, body = [DailyLine])))]
pub async fn lines(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Vec<DailyLine>>, ApiError> {
    Ok(Json(
        daily::lines(&state.db, &u.scope(), state.today()).await?,
    ))
}

/// The latest entries in the caller's scope.
#[utoipa::path(get, path = "/api/v1/daily-entries", operation_id = "daily_entries", responses((status = 200, body = [EntryRow])))]
pub async fn entries(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Vec<EntryRow>>, ApiError> {
    Ok(Json(daily::recent(&state.db, &u.scope(), 100).await?))
}

/// Logs an occurrence for the caller's own unit.
#[utoipa::path(post, path = "/api/v1/daily-entries", operation_id = "daily_log", request_body = NewDailyEntry, responses((status = 201, body = Object), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn log(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(e): Body<NewDailyEntry>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let entry = anjian_core::daily::check(
        anjian_core::daily::EntryInput {
            on: &e.on,
            channel: &e.channel,
            outlet: &e.outlet,
            title: &e.title,
            link: &e.link,
        },
        state.today(),
    )
    .map_err(crate::error::Problem::from)?;
    let id = daily::log(&state.db, state.now(), &u.actor(), e.assignment, &entry).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}
