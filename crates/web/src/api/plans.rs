//! Campaigns and their plans.

use anjian_store::plans;
use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;

use super::path_id;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

/// A campaign.
#[derive(Serialize, ToSchema)]
pub struct CampaignJson {
    pub id: i64,
    pub title: String,
    pub year: i64,
    pub starts_on: String,
    pub ends_on: Option<String>,
}

/// Every campaign, newest first (any logged-in user: the plan is a public document).
#[utoipa::path(get, path = "/api/v1/campaigns", responses((status = 200, body = [CampaignJson])))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(_u): ApiUser,
) -> Result<Json<Vec<CampaignJson>>, ApiError> {
    let cs = plans::campaigns(&state.db).await?;
    Ok(Json(
        cs.into_iter()
            .map(|c| CampaignJson {
                id: c.id,
                title: c.title,
                year: c.year,
                starts_on: c.starts_on,
                ends_on: c.ends_on,
            })
            .collect(),
    ))
}

/// The whole plan of a campaign: measures, key tasks, work items with their lead,
/// co-responsible and invited units as written, and their schedules.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/plan", responses((status = 200, description = "{\"campaign\":{…},\"measures\":[…]}"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn plan(
    State(state): State<AppState>,
    ApiUser(_u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let c = plans::campaign(&state.db, path_id(&id)?).await?;
    let plan = plans::load_for(&state.db, &c).await?;
    Ok(Json(anjian_core::plan::document(
        &plan,
        &c.title,
        c.year as i32,
    )))
}
