//! Obligations in scope: what each unit owes and by when.

use anjian_store::obligations::{self};
use axum::Json;
use axum::extract::State as AxumState;
use serde::Serialize;
use utoipa::ToSchema;

use super::body::Params;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
pub(crate) use crate::shared::obligations::{ObligationQuery, filter_of};

/// An obligation.
#[derive(Serialize, ToSchema)]
pub struct ObligationJson {
    pub id: i64,
    /// The campaign it counts in; empty for a case's deadline found outside any campaign.
    pub campaign_id: Option<i64>,
    /// The case (a hazard) whose rectification deadline this is.
    pub case_id: Option<i64>,
    pub unit: UnitName,
    pub role: String,
    pub work_item_no: Option<i64>,
    pub title: String,
    pub due_on: String,
    pub label: String,
    pub min_count: i64,
    pub state: String,
}

/// A unit's id and name.
#[derive(Serialize, ToSchema)]
pub struct UnitName {
    pub id: i64,
    pub name: String,
}

/// Obligations whose unit is in the caller's scope, by due date (keyset `after`).
#[utoipa::path(get, path = "/api/v1/obligations", params(ObligationQuery), responses((status = 200, body = [ObligationJson]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    AxumState(state): AxumState<AppState>,
    ApiUser(u): ApiUser,
    Params(f): Params<ObligationQuery>,
) -> Result<Json<Vec<ObligationJson>>, ApiError> {
    let today = anjian_core::time::local_date(state.now()).unwrap_or_default();
    let filter = filter_of(&f, &u)?;
    let rows = obligations::list(&state.db, &u.scope(), today, &filter).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| ObligationJson {
                id: r.id,
                campaign_id: r.campaign_id,
                case_id: r.case_id,
                unit: UnitName {
                    id: r.unit_id,
                    name: r.unit_name,
                },
                role: r.role,
                work_item_no: r.work_item_no,
                title: r.work_item_text.or(r.duty_text).unwrap_or(r.label.clone()),
                due_on: r.due_on,
                label: r.label,
                min_count: r.min_count,
                state: r.state,
            })
            .collect(),
    ))
}
