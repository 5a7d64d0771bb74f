//! The enterprise register, officials, responsible persons and the public board by API.

use anjian_core::enterprise::{EnterpriseFields, RiskCard};
use anjian_store::enterprises::{self, EnterpriseRow, Filter};
use anjian_store::responsible::{self, Board, NewOfficial, NewPerson, Official, Person};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::{Body, Params};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
pub(crate) use crate::shared::enterprises::EnterpriseQuery;

/// An enterprise: `name`, `credit_code` (统一社会信用代码, check character verified),
/// `township` (id), `sector`, `staff`, `risk_level` (`red`, `orange`, `yellow`,
/// `blue`), `major_hazards`, `supervisor` (department id), `listed`, `address`; and
/// `unit` to register an enterprise unit the directory already has.
#[derive(Deserialize, ToSchema)]
pub struct NewEnterprise {
    #[serde(flatten)]
    pub fields: EnterpriseFields,
    pub unit: Option<i64>,
}

/// Registers an enterprise under a township in the caller's scope (a new unit, or the
/// directory's enterprise unit `unit`).
#[utoipa::path(post, path = "/api/v1/enterprises", request_body = NewEnterprise, responses((status = 201, body = EnterpriseRow), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(b): Body<NewEnterprise>,
) -> Result<(StatusCode, Json<EnterpriseRow>), ApiError> {
    let scope = u.register_scope()?;
    let input = b.fields.check().map_err(Problem::from)?;
    let id = match b.unit {
        Some(unit) => {
            enterprises::register_unit(&state.db, state.now(), &u.actor(), &scope, unit, &input)
                .await?;
            unit
        }
        None => enterprises::create(&state.db, state.now(), &u.actor(), &scope, &input).await?,
    };
    Ok((
        StatusCode::CREATED,
        Json(enterprises::get(&state.db, &scope, id).await?),
    ))
}

impl EnterpriseQuery {
    /// The store's filter.
    pub fn filter(&self) -> Filter {
        Filter {
            township: self.township,
            sector: self
                .sector
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
            listed: self.listed,
            after: self.after,
            limit: self.limit.unwrap_or(200),
        }
    }
}

/// Enterprises in the caller's scope, by id (keyset pages with `after`).
#[utoipa::path(get, path = "/api/v1/enterprises", params(EnterpriseQuery), responses((status = 200, body = [EnterpriseRow]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<EnterpriseQuery>,
) -> Result<Json<Vec<EnterpriseRow>>, ApiError> {
    Ok(Json(
        enterprises::list(&state.db, &u.scope(), &q.filter()).await?,
    ))
}

/// An enterprise with its responsible persons, current and past.
#[derive(Serialize, ToSchema)]
pub struct EnterpriseDetail {
    pub enterprise: EnterpriseRow,
    pub risk_card: Option<RiskCard>,
    pub persons: Vec<Person>,
}

/// One enterprise in scope (404 otherwise).
#[utoipa::path(get, path = "/api/v1/enterprises/{id}", responses((status = 200, body = EnterpriseDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<EnterpriseDetail>, ApiError> {
    let id = super::path_id(&id)?;
    let enterprise = enterprises::get(&state.db, &u.scope(), id).await?;
    let persons = responsible::persons(&state.db, &u.scope(), id).await?;
    Ok(Json(EnterpriseDetail {
        risk_card: enterprise.risk_card(),
        enterprise,
        persons,
    }))
}

/// The person named, and for an official how many listed enterprises they now answer
/// for and whether that passes the ceiling.
#[derive(Serialize, ToSchema)]
pub struct Assigned {
    pub id: i64,
    pub enterprises: Option<i64>,
    pub over_ceiling: bool,
}

/// A person to name: `role` (`administrative`, `industry`, `enterprise`, `management`,
/// `technical`, `shop_floor`, `guarantee`), `risk` (for the three tiers and guarantee),
/// `official` (id, for the administrative and industry roles) or `name` and `title`,
/// `phone`, `from_on`.
#[derive(Deserialize, ToSchema)]
pub struct PersonInput {
    #[serde(flatten)]
    pub person: NewPerson,
}

/// Names a responsible person from a day; the holder of the same role is closed then.
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/persons", request_body = PersonInput, responses((status = 201, body = Assigned), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn assign(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(p): Body<PersonInput>,
) -> Result<(StatusCode, Json<Assigned>), ApiError> {
    let scope = u.register_scope()?;
    let id = super::path_id(&id)?;
    let (person, load) =
        responsible::assign(&state.db, state.moment(), &u.actor(), &scope, id, &p.person).await?;
    Ok((
        StatusCode::CREATED,
        Json(Assigned {
            id: person,
            enterprises: load.map(|l| l.0),
            over_ceiling: load.is_some_and(|l| l.1),
        }),
    ))
}

/// Writes a small business's risk card: `main_risks`, `controls`,
/// `emergency_contacts` (the enterprise itself, its township or department).
#[utoipa::path(put, path = "/api/v1/enterprises/{id}/risk-card", request_body = anjian_core::enterprise::RiskCard, responses((status = 200, body = anjian_core::enterprise::RiskCard), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn risk_card(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(card): Body<RiskCard>,
) -> Result<Json<RiskCard>, ApiError> {
    let id = super::path_id(&id)?;
    enterprises::set_risk_card(&state.db, state.now(), &u.actor(), &u.scope(), id, card).await?;
    let e = enterprises::get(&state.db, &u.scope(), id).await?;
    Ok(Json(e.risk_card().unwrap_or_default()))
}

/// Officials and leaders of units in the caller's scope.
#[utoipa::path(get, path = "/api/v1/officials", responses((status = 200, body = [Official])))]
pub async fn officials(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Vec<Official>>, ApiError> {
    let scope = u.register_scope()?;
    Ok(Json(responsible::officials(&state.db, &scope).await?))
}

/// An official: `unit` (the caller's when empty), `name`, `title`, `post`
/// (`district_head`, `township_head`, `other_leader` or empty), `phone`, `user`.
#[derive(Deserialize, ToSchema)]
pub struct OfficialInput {
    #[serde(flatten)]
    pub official: NewOfficial,
}

/// Adds an official or leader to a unit in scope.
#[utoipa::path(post, path = "/api/v1/officials", request_body = OfficialInput, responses((status = 201, body = Official), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_official(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(o): Body<OfficialInput>,
) -> Result<(StatusCode, Json<Official>), ApiError> {
    let scope = u.register_scope()?;
    let id =
        responsible::add_official(&state.db, state.now(), &u.actor(), &scope, &o.official).await?;
    Ok((
        StatusCode::CREATED,
        Json(responsible::official(&state.db, &scope, id).await?),
    ))
}

/// A township's public board (no login): its listed enterprises with their
/// administrative, industry-supervision and enterprise responsible persons (names and
/// titles), and the 12350 hotline.
#[utoipa::path(get, path = "/api/v1/public/boards/{id}", responses((status = 200, body = Board), (status = 404, body = crate::error::ErrorBody)))]
pub async fn board(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Board>, ApiError> {
    let id = super::path_id(&id)?;
    Ok(Json(responsible::board(&state.db, id).await?))
}
