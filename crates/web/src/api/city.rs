//! A city office's API above its districts (`store::city`): the month rolled up and
//! ranked, a city campaign issued to every district, a district's major hazards and
//! their supervision at city level. A district's own process answers 404.

use anjian_core::monthly_report::Month;
use anjian_store::city::{self, CityMonth, Issued, MajorHazard};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::body::{Body, Params};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};

/// `?month=YYYY-MM` (default: the last month that has ended).
#[derive(Deserialize, IntoParams)]
pub struct CityQuery {
    pub month: Option<String>,
}

/// The city's month: every district's totals (its townships and departments summed, as
/// its own dashboard sums them), its score under the city's scheme explained part by
/// part (`lines`), its rank, and its campaigns; the city's sum. A district whose
/// database does not answer is listed with `reachable: false` and not ranked.
#[utoipa::path(get, path = "/api/v1/city", params(CityQuery), responses((status = 200, body = CityMonth), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn month(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<CityQuery>,
) -> Result<Json<CityMonth>, ApiError> {
    let districts = state.districts()?;
    let m = crate::input::month_or_last(&state, q.month.as_deref().filter(|m| !m.is_empty()))?;
    Ok(Json(roll_up(&state, &u.actor(), districts, m).await?))
}

/// The month of `districts` under the city's own scheme.
pub async fn roll_up(
    state: &AppState,
    actor: &anjian_store::Actor,
    districts: &[city::District],
    m: Month,
) -> Result<CityMonth, Problem> {
    let scheme = anjian_store::rankings::scheme(&state.db).await?;
    Ok(city::month(districts, actor, &scheme, state.moment(), m).await?)
}

/// Issues the city's campaign to every district: each starts a campaign of the same
/// plan and year (a district already running it is left as it is); answers what each
/// district did.
#[utoipa::path(post, path = "/api/v1/city/campaigns/{id}/issue", params(("id" = i64, Path)), responses((status = 200, body = [Issued]), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn issue(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<Issued>>, ApiError> {
    let districts = state.districts()?;
    let id = crate::input::path_id(&id)?;
    Ok(Json(
        city::issue(&state.db, districts, state.now(), &u.actor(), id).await?,
    ))
}

/// A district's open major hazards (重大隐患), newest first, with whether the city
/// supervises each, 200 a page unless `limit` says otherwise. When a page is full, the
/// next is linked in the `Link` header.
#[utoipa::path(get, path = "/api/v1/city/districts/{no}/hazards", params(("no" = i64, Path, description = "the district's place in the city's list, from 1"), super::paging::PageParams), responses((status = 200, body = [MajorHazard]), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn hazards(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(no): Path<String>,
    Params(q): Params<super::paging::PageParams>,
) -> Result<Response, ApiError> {
    let districts = state.districts()?;
    let d = city::district(districts, district_no(&no)?)?;
    let page = q.page(200);
    let rows = city::major_hazards(d, &u.actor(), page).await?;
    Ok(super::paging::paged(
        rows,
        page.limit(),
        |last: &MajorHazard| {
            format!(
                "/api/v1/city/districts/{}/hazards?after={}&limit={}",
                d.no,
                last.id,
                page.limit()
            )
        },
    ))
}

/// A city-level supervision: the responsible leader, the deadline (YYYY-MM-DD), what
/// the city asks.
#[derive(Deserialize, ToSchema)]
pub struct CityListingBody {
    pub leader: String,
    pub deadline: String,
    #[serde(default)]
    pub note: String,
}

/// Lists a district's open major hazard for supervision at city level (市级挂牌督办);
/// the district office carries it out and verifies the closure.
#[utoipa::path(post, path = "/api/v1/city/districts/{no}/hazards/{id}/list", params(("no" = i64, Path), ("id" = i64, Path)), request_body = CityListingBody, responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((no, id)): Path<(String, String)>,
    Body(b): Body<CityListingBody>,
) -> Result<StatusCode, ApiError> {
    let districts = state.districts()?;
    let d = city::district(districts, district_no(&no)?)?;
    let id = crate::input::path_id(&id)?;
    city::list_for_city(
        &state.db,
        d,
        state.now(),
        &u.actor(),
        id,
        anjian_store::hazards::Listing {
            leader: &b.leader,
            deadline: &b.deadline,
            note: &b.note,
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A district's number from the path: anything else is no district (404).
pub fn district_no(raw: &str) -> Result<usize, Problem> {
    raw.parse::<usize>().map_err(|_| Problem::not_found())
}
