//! Warnings with call-and-response, circuit breakers, risk assessments and special
//! periods with daily reports by API.

use anjian_core::time::instant;
use anjian_store::special_periods::{self, Cell, NewReport, SpecialPeriod};
use anjian_store::warnings::{
    self, Assessment, Breaker, NewAssessment, NewBreaker, NewWarning, Warning,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::{Body, Params};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
pub(crate) use crate::shared::warnings::{RecipientJson, WarningDetail, detail};

/// A warning: `kind` (`weather`, `holiday`, `major_event`, `other`), `title`, `body`,
/// `answer_by` (RFC 3339: by when each addressee must answer), `units` (ids).
#[derive(Deserialize, ToSchema)]
pub struct WarningInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub answer_by: String,
    #[serde(default)]
    pub units: Vec<i64>,
}

/// Issues a warning (the office); each addressed unit owes its answer by `answer_by`.
#[utoipa::path(post, path = "/api/v1/warnings", request_body = WarningInput, responses((status = 201, body = WarningDetail), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn issue(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(w): Body<WarningInput>,
) -> Result<(StatusCode, Json<WarningDetail>), ApiError> {
    let answer_by = instant("answer_by", "回应时限", &w.answer_by)
        .map_err(Problem::from)?
        .timestamp_millis();
    let id = warnings::issue(
        &state.db,
        state.now(),
        &u.actor(),
        &NewWarning {
            kind: w.kind,
            title: w.title,
            body: w.body,
            answer_by,
            units: w.units,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &u, id).await?)))
}

/// Warnings the caller sees (the office all; a unit those addressed to it), newest
/// first, 200 a page unless `limit` says otherwise. When a page is full, the next is
/// linked in the `Link` header.
#[utoipa::path(get, path = "/api/v1/warnings", params(super::paging::PageParams), responses((status = 200, body = [Warning]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<super::paging::PageParams>,
) -> Result<Response, ApiError> {
    let scope = u.register_scope()?;
    let page = q.page(200);
    let rows = warnings::list(&state.db, &scope, Some(u.unit_id), page).await?;
    Ok(super::paging::paged(rows, page.limit(), |last| {
        format!("/api/v1/warnings?after={}&limit={}", last.id, page.limit())
    }))
}

/// One warning with its addressees (the office: all of them; a unit: its own).
#[utoipa::path(get, path = "/api/v1/warnings/{id}", responses((status = 200, body = WarningDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<WarningDetail>, ApiError> {
    u.register_scope()?;
    let id = super::path_id(&id)?;
    Ok(Json(detail(&state, &u, id).await?))
}

/// How many units a 催办 told.
#[derive(Serialize, ToSchema)]
pub struct Urged {
    pub units: usize,
}

/// 催办 (the office): tells every addressee that has not answered again, on its
/// channels.
#[utoipa::path(post, path = "/api/v1/warnings/{id}/urge", responses((status = 200, body = Urged), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn urge(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Urged>, ApiError> {
    let id = super::path_id(&id)?;
    let units = warnings::urge(&state.db, state.now(), &u.actor(), id).await?;
    Ok(Json(Urged { units }))
}

/// An answer: `reply` (optional text).
#[derive(Deserialize, ToSchema)]
pub struct AckInput {
    #[serde(default)]
    pub reply: String,
}

/// The caller's unit answers the warning (refused for a unit not addressed).
#[utoipa::path(post, path = "/api/v1/warnings/{id}/ack", request_body = AckInput, responses((status = 200, body = RecipientJson), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn ack(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(a): Body<AckInput>,
) -> Result<Json<RecipientJson>, ApiError> {
    let scope = u.register_scope()?;
    let id = super::path_id(&id)?;
    let r = warnings::ack(&state.db, state.moment(), &u.actor(), id, &a.reply).await?;
    let (w, _) = warnings::get(&state.db, &scope, Some(u.unit_id), id).await?;
    Ok(Json(RecipientJson {
        status: r.status(w.answer_by, state.now()),
        recipient: r,
    }))
}

/// A circuit breaker: `activities`, `reason`, `from` and `until` (RFC 3339), `areas`
/// (township ids), `sectors` (names).
#[derive(Deserialize, ToSchema)]
pub struct BreakerInput {
    #[serde(default)]
    pub activities: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub areas: Vec<i64>,
    #[serde(default)]
    pub sectors: Vec<String>,
}

/// Sets a circuit breaker (the office).
#[utoipa::path(post, path = "/api/v1/circuit-breakers", request_body = BreakerInput, responses((status = 201, body = Breaker), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn trip(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(b): Body<BreakerInput>,
) -> Result<(StatusCode, Json<Breaker>), ApiError> {
    let from_at = instant("from", "开始时间", &b.from)
        .map_err(Problem::from)?
        .timestamp_millis();
    let until_at = instant("until", "结束时间", &b.until)
        .map_err(Problem::from)?
        .timestamp_millis();
    let id = warnings::trip(
        &state.db,
        state.now(),
        &u.actor(),
        &NewBreaker {
            activities: b.activities,
            reason: b.reason,
            from_at,
            until_at,
            areas: b.areas,
            sectors: b.sectors,
        },
    )
    .await?;
    let all = warnings::current(&state.db, state.now(), None).await?;
    let made = all
        .into_iter()
        .find(|x| x.id == id)
        .ok_or_else(|| Problem::bad_field("ended", "until", "熔断已结束"))?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// Circuit breakers not yet ended or lifted: all (the office) or those touching the
/// caller's unit.
#[utoipa::path(get, path = "/api/v1/circuit-breakers", responses((status = 200, body = [Breaker])))]
pub async fn breakers(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Vec<Breaker>>, ApiError> {
    let unit = (!u.role().sees_everything()).then_some(u.unit_id);
    Ok(Json(warnings::current(&state.db, state.now(), unit).await?))
}

/// Why a breaker is lifted: `reason`.
#[derive(Deserialize, ToSchema)]
pub struct LiftInput {
    #[serde(default)]
    pub reason: String,
}

/// Lifts a circuit breaker now (the office).
#[utoipa::path(post, path = "/api/v1/circuit-breakers/{id}/lift", request_body = LiftInput, responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn lift(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(l): Body<LiftInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = super::path_id(&id)?;
    warnings::lift(&state.db, state.now(), &u.actor(), id, &l.reason).await?;
    Ok(Json(serde_json::json!({"id": id, "lifted": true})))
}

/// An assessment: `kind` (`periodic`, `important_period`, `major_event`,
/// `major_change`), `held_on`, `title`, `conclusion`, and `measures` (each `risk`,
/// `level` red/orange/yellow/blue, `measure`, `unit`, `due_on`), each owed by its unit.
#[derive(Deserialize, ToSchema)]
pub struct AssessmentInput {
    #[serde(flatten)]
    pub assessment: NewAssessment,
}

/// Records a risk assessment held by the caller's unit.
#[utoipa::path(post, path = "/api/v1/risk-assessments", request_body = AssessmentInput, responses((status = 201, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn assess(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(a): Body<AssessmentInput>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let scope = u.register_scope()?;
    let id = warnings::assess(&state.db, state.moment(), &u.actor(), &scope, &a.assessment).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"id": id}))))
}

/// Risk assessments of units in scope, newest first (by the day held), 200 a page unless
/// `limit` says otherwise. When a page is full, the next is linked in the `Link` header.
#[utoipa::path(get, path = "/api/v1/risk-assessments", params(super::paging::PageParams), responses((status = 200, body = [Assessment]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn assessments(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<super::paging::PageParams>,
) -> Result<Response, ApiError> {
    let scope = u.register_scope()?;
    let page = q.page(200);
    let rows = warnings::assessments(&state.db, &scope, page).await?;
    Ok(super::paging::paged(rows, page.limit(), |last| {
        format!(
            "/api/v1/risk-assessments?after={}&limit={}",
            last.id,
            page.limit()
        )
    }))
}

/// A special period: `name`, `first_day`, `last_day` (YYYY-MM-DD).
#[derive(Deserialize, ToSchema)]
pub struct PeriodInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub first_day: String,
    #[serde(default)]
    pub last_day: String,
}

/// Declares a special period (the office): every township and supervising department
/// owes a daily report for each day.
#[utoipa::path(post, path = "/api/v1/special-periods", request_body = PeriodInput, responses((status = 201, body = SpecialPeriod), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn declare(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(p): Body<PeriodInput>,
) -> Result<(StatusCode, Json<SpecialPeriod>), ApiError> {
    let date = anjian_core::error::required_date;
    let first = date("first_day", "开始日期", &p.first_day).map_err(Problem::from)?;
    let last = date("last_day", "结束日期", &p.last_day).map_err(Problem::from)?;
    let id = special_periods::declare(
        &state.db,
        state.now(),
        &u.actor(),
        &p.name,
        anjian_core::time::Span::new(first, last),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(special_periods::get(&state.db, id).await?),
    ))
}

/// A special period's matrix: its days and, for each reporting unit in scope, a cell per
/// day (`on_time`, `late`, `missing`, `due`).
#[derive(Serialize, ToSchema)]
pub struct Matrix {
    pub period: SpecialPeriod,
    #[schema(value_type = [String])]
    pub days: Vec<chrono::NaiveDate>,
    #[schema(value_type = [Object])]
    pub units: Vec<(String, Vec<Cell>)>,
}

/// The matrix of days × units of a special period.
#[utoipa::path(get, path = "/api/v1/special-periods/{id}", responses((status = 200, body = Matrix), (status = 404, body = crate::error::ErrorBody)))]
pub async fn matrix(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Matrix>, ApiError> {
    let scope = u.register_scope()?;
    let id = super::path_id(&id)?;
    let (period, days, units) =
        special_periods::matrix(&state.db, &scope, id, state.today()).await?;
    Ok(Json(Matrix {
        period,
        days,
        units,
    }))
}

/// A day's report: `day` (today when empty), `situation`, `incidents`,
/// `on_duty_leader`.
#[derive(Deserialize, ToSchema)]
pub struct ReportInput {
    #[serde(flatten)]
    pub report: NewReport,
}

/// The caller's unit submits a day's report of the period.
#[utoipa::path(post, path = "/api/v1/special-periods/{id}/reports", request_body = ReportInput, responses((status = 201, body = Object), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(r): Body<ReportInput>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    u.register_scope()?;
    let id = super::path_id(&id)?;
    special_periods::report(&state.db, state.moment(), &u.actor(), id, &r.report).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"period": id, "reported": true})),
    ))
}

/// One risk assessment in scope with its measures and their progress.
#[utoipa::path(get, path = "/api/v1/risk-assessments/{id}", params(("id" = i64, Path)), responses((status = 200, body = inline(serde_json::Value)), (status = 404, body = crate::error::ErrorBody)))]
pub async fn assessment(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let scope = u.register_scope()?;
    let id = crate::input::path_id(&id)?;
    let (a, measures) = warnings::assessment(&state.db, &scope, id).await?;
    Ok(Json(
        serde_json::json!({"assessment": a, "measures": measures}),
    ))
}
