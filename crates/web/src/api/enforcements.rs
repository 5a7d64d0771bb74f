//! Enforcement records by API: record an inspection (two certified inspectors, the
//! on-site record, the order to rectify, the penalty), list them in scope by unit and
//! month, and the month's zero-enforcement watch per township and department.

use anjian_core::enforcement::EnforcementInput;
use anjian_core::monthly_report::Month;
use anjian_store::enforcements::{self, EnforcementFilter, EnforcementRow, Tally};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::body::{Body, Params};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};

/// An inspection to record.
#[derive(Deserialize, ToSchema)]
pub struct NewEnforcement {
    /// The inspected enterprise's unit id (in the caller's scope).
    pub enterprise: Option<i64>,
    /// The rest of the record: `inspected_on`, `inspectors` ([{"name", "certificate"}],
    /// at least two), `place`, `checked`, `problems` (one per line), `handling`,
    /// `signed`, `principal_checked`, `heads_checked`, `order_deadline`, `penalty`
    /// ({"kind", "amount", "legal_basis", "decided_on", "paid_by"}).
    #[serde(flatten)]
    pub record: EnforcementInput,
}

/// Records an inspection by the caller's unit.
#[utoipa::path(post, path = "/api/v1/enforcements", request_body = NewEnforcement, responses((status = 201, body = EnforcementRow), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(i): Body<NewEnforcement>,
) -> Result<(StatusCode, Json<EnforcementRow>), ApiError> {
    let id = enforcements::create(
        &state.db,
        state.moment(),
        &u.actor(),
        &u.scope(),
        i.enterprise,
        &i.record,
    )
    .await?;
    let row = enforcements::get(&state.db, &u.scope(), state.today(), id).await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// `?unit=&month=YYYY-MM&after=&limit=`.
#[derive(Deserialize, IntoParams)]
pub struct EnforcementQuery {
    /// The enforcing unit.
    pub unit: Option<i64>,
    /// YYYY-MM.
    pub month: Option<String>,
    /// The last id of the previous page.
    pub after: Option<i64>,
    pub limit: Option<i64>,
}

fn month(raw: Option<&str>) -> Result<Option<Month>, Problem> {
    match raw.map(str::trim).filter(|m| !m.is_empty()) {
        None => Ok(None),
        Some(m) => Month::parse(m).map(Some).map_err(|_| {
            Problem::bad_field("invalid_month", "month", "month 应为 YYYY-MM 格式的月份")
        }),
    }
}

/// The records in the caller's scope (its own and those of the units below it, and
/// those about enterprises it sees), newest first.
#[utoipa::path(get, path = "/api/v1/enforcements", params(EnforcementQuery), responses((status = 200, body = [EnforcementRow]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(f): Params<EnforcementQuery>,
) -> Result<Json<Vec<EnforcementRow>>, ApiError> {
    let filter = EnforcementFilter {
        unit: f.unit,
        enterprise: None,
        month: month(f.month.as_deref())?,
        after: f.after,
        limit: f.limit.unwrap_or(100),
    };
    Ok(Json(
        enforcements::list(&state.db, &u.scope(), state.today(), &filter).await?,
    ))
}

/// `?month=YYYY-MM` (required).
#[derive(Deserialize, IntoParams)]
pub struct WatchQuery {
    pub month: Option<String>,
}

/// The watch of 零执法 units (no inspection in the month) and 零处罚 units (inspections,
/// no penalty): every township and department in scope with
/// its inspections, enterprises inspected, problems, penalties and amounts in the month;
/// `zero` marks those with no inspection.
#[utoipa::path(get, path = "/api/v1/enforcements/watch", params(WatchQuery), responses((status = 200, body = [Tally]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn watch(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<WatchQuery>,
) -> Result<Json<Vec<Tally>>, ApiError> {
    let m = month(q.month.as_deref())?
        .ok_or_else(|| Problem::bad_field("required", "month", "请指定月份（month=YYYY-MM）"))?;
    Ok(Json(enforcements::tally(&state.db, &u.scope(), m).await?))
}

/// A recheck's finding.
#[derive(Deserialize, ToSchema)]
pub struct RecheckInput {
    /// true: rectified (the last step); false: not rectified (after a fine, the daily
    /// continuing penalty runs).
    pub rectified: Option<bool>,
}

/// 行政处罚 decided after the inspection by the enforcing unit (kind, amount, legal
/// basis, the discretion clause and grade, decision day, payment day); its publication
/// is owed within seven working days. Returns the record.
#[utoipa::path(post, path = "/api/v1/enforcements/{id}/penalty", request_body = anjian_core::enforcement::PenaltyInput, responses((status = 200, body = EnforcementRow), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn penalise(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    axum::extract::Path(id): axum::extract::Path<String>,
    Body(p): Body<anjian_core::enforcement::PenaltyInput>,
) -> Result<Json<EnforcementRow>, ApiError> {
    let id = super::path_id(&id)?;
    enforcements::penalise(&state.db, state.moment(), &u.actor(), id, &p).await?;
    Ok(Json(
        enforcements::get(&state.db, &u.scope(), state.today(), id).await?,
    ))
}

/// The new measure's id.
#[derive(serde::Serialize, ToSchema)]
pub struct MeasureId {
    pub id: i64,
}

/// An order to suspend production or work (`kind`: suspension, with `until`) or a
/// referral to the judicial organs (`kind`: referral, with `organ`) after the
/// inspection, by the enforcing unit (its document is attached on the page).
#[utoipa::path(post, path = "/api/v1/enforcements/{id}/measures", request_body = anjian_core::enforcement::MeasureInput, responses((status = 201, body = MeasureId), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_measure(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    axum::extract::Path(id): axum::extract::Path<String>,
    Body(m): Body<anjian_core::enforcement::MeasureInput>,
) -> Result<(StatusCode, Json<MeasureId>), ApiError> {
    let id = super::path_id(&id)?;
    let measure =
        enforcements::add_measure(&state.db, state.moment(), &u.actor(), id, &m, None).await?;
    Ok((StatusCode::CREATED, Json(MeasureId { id: measure })))
}

/// 整改复查 by the enforcing unit; returns the record with its running daily penalty.
#[utoipa::path(post, path = "/api/v1/enforcements/{id}/recheck", request_body = RecheckInput, responses((status = 200, body = EnforcementRow), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn recheck(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    axum::extract::Path(id): axum::extract::Path<String>,
    Body(r): Body<RecheckInput>,
) -> Result<Json<EnforcementRow>, ApiError> {
    let id = super::path_id(&id)?;
    let rectified = r.rectified.ok_or_else(|| {
        Problem::from(anjian_core::FieldError::new(
            "required",
            "rectified",
            "rectified 应为 true（已整改）或 false（未整改）",
        ))
    })?;
    enforcements::recheck(&state.db, state.moment(), &u.actor(), id, rectified).await?;
    Ok(Json(
        enforcements::get(&state.db, &u.scope(), state.today(), id).await?,
    ))
}

/// The discretion standard in force (自由裁量基准, item (88)): its clauses with the fine
/// each grade allows.
#[utoipa::path(get, path = "/api/v1/discretion-standard", responses((status = 200, body = Vec<anjian_core::discretion::Clause>)))]
pub async fn discretion_standard(
    State(state): State<AppState>,
    ApiUser(_u): ApiUser,
) -> Result<Json<Vec<anjian_core::discretion::Clause>>, ApiError> {
    Ok(Json(anjian_store::discretion::standard(&state.db).await?))
}

/// Replaces the discretion standard (the office); every penalty decided from then on
/// must cite one of its clauses and keep a fine within the grade's range.
#[utoipa::path(put, path = "/api/v1/discretion-standard", request_body = Vec<anjian_core::discretion::Clause>, responses((status = 200, body = Vec<anjian_core::discretion::Clause>), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_discretion_standard(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(clauses): Body<Vec<anjian_core::discretion::Clause>>,
) -> Result<Json<Vec<anjian_core::discretion::Clause>>, ApiError> {
    Ok(Json(
        anjian_store::discretion::set(&state.db, state.now(), &u.actor(), &clauses).await?,
    ))
}
