//! Duty records and quotas by API.

use anjian_core::duty::{Quota, RecordState};
use anjian_core::machine::States;
use anjian_core::monthly_report::Month;
use anjian_store::duty::{self, NewRecord, PersonStanding, Record};
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
pub(crate) use crate::input::month;

/// A duty record: `official` (id; the caller's own when empty), `activity` (`study`,
/// `site_inspection`, `hear_report`, `coordination`, `check`, `inspection`,
/// `problem_fixed`, `difficulty_solved`), `on` (YYYY-MM-DD, not in the future),
/// `place`, `participants`, `topic`, `enterprise` (a listed one, for the last three),
/// `enforcement` (the enforcement record it was).
#[derive(Deserialize, ToSchema)]
pub struct RecordInput {
    #[serde(flatten)]
    pub record: NewRecord,
}

/// Logs a duty record; back-dated beyond the window (7 days by default) it waits for
/// the office's approval (`state` = `pending`).
#[utoipa::path(post, path = "/api/v1/duty-records", request_body = RecordInput, responses((status = 201, body = Record), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(r): Body<RecordInput>,
) -> Result<(StatusCode, Json<Record>), ApiError> {
    let scope = u.register_scope()?;
    let rec = duty::record(&state.db, state.moment(), &u.actor(), &scope, &r.record).await?;
    Ok((StatusCode::CREATED, Json(rec)))
}

/// `?month=YYYY-MM&state=&after=&limit=`.
#[derive(Deserialize, IntoParams)]
pub struct RecordQuery {
    pub month: Option<String>,
    pub state: Option<String>,
    /// The last record of the previous page (its id): the next page follows it.
    pub after: Option<i64>,
    /// Page size, 1–1000 (default 1000).
    pub limit: Option<i64>,
}

/// Duty records of officials in scope in a month (this month by default), newest first
/// (by day, then id). When a page is full, the next is linked in the `Link` header.
#[utoipa::path(get, path = "/api/v1/duty-records", params(RecordQuery), responses((status = 200, body = [Record]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<RecordQuery>,
) -> Result<Response, ApiError> {
    let scope = u.register_scope()?;
    let m = match q.month.as_deref() {
        Some(m) if !m.trim().is_empty() => month(m)?,
        _ => Month::of(state.today()),
    };
    let st = match q.state.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) if RecordState::parse(s).is_some() => Some(s),
        Some(_) => {
            return Err(Problem::bad_field(
                "invalid_state",
                "state",
                "state 应为 counted、pending 或 refused",
            )
            .into());
        }
    };
    let page = anjian_store::paging::Page {
        after: q.after,
        limit: q.limit.unwrap_or(1000),
    };
    let rows = duty::records(&state.db, &scope, m.span(), st, page).await?;
    Ok(super::paging::paged(rows, page.limit(), |last| {
        format!(
            "/api/v1/duty-records?month={}&state={}&after={}&limit={}",
            m.name(),
            st.unwrap_or(""),
            last.id,
            page.limit()
        )
    }))
}

/// The office's decision on a back-dated record: `approve` true or false.
#[derive(Deserialize, ToSchema)]
pub struct Decision {
    pub approve: Option<bool>,
}

/// Approves (it counts) or refuses a back-dated record (the office).
#[utoipa::path(post, path = "/api/v1/duty-records/{id}/decision", request_body = Decision, responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(d): Body<Decision>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = super::path_id(&id)?;
    let approve = d
        .approve
        .ok_or_else(|| Problem::bad_field("required", "approve", "请选择批准或不批准"))?;
    duty::decide(&state.db, state.now(), &u.actor(), &u.scope(), id, approve).await?;
    Ok(Json(serde_json::json!({"id": id, "approved": approve})))
}

/// Each official and leader in scope with a post against their quotas over the periods
/// overlapping the month (as of today): required and done counts, periods missed and
/// still running short, and a responsible official's half-year coverage.
#[utoipa::path(get, path = "/api/v1/quotas/{month}", params(("month" = String, Path, description = "YYYY-MM", pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$")), responses((status = 200, body = [PersonStanding]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn quotas(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(m): Path<String>,
) -> Result<Json<Vec<PersonStanding>>, ApiError> {
    let scope = u.register_scope()?;
    let m = month(&m)?;
    Ok(Json(
        duty::standings(&state.db, &scope, m.span(), state.today()).await?,
    ))
}

/// The quotas in force (post × activity × period × minimum).
#[utoipa::path(get, path = "/api/v1/duty-quotas", responses((status = 200, body = [Quota])))]
pub async fn get_quotas(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Vec<Quota>>, ApiError> {
    u.register_scope()?;
    Ok(Json(duty::quotas(&state.db).await?))
}

/// Replaces the quotas (the office): a list of `post`, `activity`, `period` (`week`,
/// `month`, `quarter`, `half_year`), `minimum`, `source`.
#[utoipa::path(put, path = "/api/v1/duty-quotas", request_body = [Quota], responses((status = 200, body = [Quota]), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_quotas(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(qs): Body<Vec<Quota>>,
) -> Result<Json<Vec<Quota>>, ApiError> {
    duty::set_quotas(&state.db, state.now(), &u.actor(), &qs).await?;
    Ok(Json(duty::quotas(&state.db).await?))
}

/// Adds a quota (the office): `post` (a post's code), `activity`, `period`, `minimum`
/// (1–100) and `source`; answers the quotas in force.
#[utoipa::path(post, path = "/api/v1/duty-quotas", request_body = duty::NewQuota, responses((status = 201, body = [Quota]), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_quota(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(n): Body<duty::NewQuota>,
) -> Result<(axum::http::StatusCode, Json<Vec<Quota>>), ApiError> {
    duty::add_quota(&state.db, state.now(), &u.actor(), &n).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(duty::quotas(&state.db).await?),
    ))
}

/// The posts in force: the plan's and those the office added.
#[utoipa::path(get, path = "/api/v1/duty-posts", responses((status = 200, body = [anjian_core::duty::PostDef])))]
pub async fn posts(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Vec<anjian_core::duty::PostDef>>, ApiError> {
    u.register_scope()?;
    Ok(Json(duty::posts(&state.db).await?))
}

/// Adds a post (the office): `name`, `unit_kind` (the kind of unit whose officials hold
/// it) and `source`; answers its code.
#[utoipa::path(post, path = "/api/v1/duty-posts", request_body = anjian_core::duty::NewPost, responses((status = 201, body = inline(serde_json::Value)), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_post(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(n): Body<anjian_core::duty::NewPost>,
) -> Result<(axum::http::StatusCode, Json<serde_json::Value>), ApiError> {
    let code = duty::add_post(&state.db, state.now(), &u.actor(), &n).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(serde_json::json!({ "code": code })),
    ))
}

/// An official's duty file of a year (in scope): every record, each quota period by
/// period, the warnings addressed to their unit and the accidents in their area.
#[utoipa::path(get, path = "/api/v1/officials/{id}/file/{year}", params(("id" = i64, Path), ("year" = i32, Path, minimum = 2000, maximum = 2100)), responses((status = 200, body = anjian_store::duty_file::DutyFile), (status = 404, body = crate::error::ErrorBody)))]
pub async fn file(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, year)): Path<(String, String)>,
) -> Result<Json<anjian_store::duty_file::DutyFile>, ApiError> {
    let scope = u.register_scope()?;
    let id = crate::input::path_id(&id)?;
    let year = crate::pages::assessments::year_of(&year)?;
    Ok(Json(
        anjian_store::duty_file::of(&state.db, &scope, id, year, state.today()).await?,
    ))
}
