//! The month's ranking, bulletins and dashboard by API.

use anjian_core::monthly_report::Month;
use anjian_store::bulletins;
use anjian_store::dashboard::{self, Dashboard};
use anjian_store::rankings::{self, Kind, Ranking};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::Params;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};

fn month(raw: &str) -> Result<Month, Problem> {
    Month::parse(raw).map_err(|_| {
        Problem::bad_field(
            "invalid_month",
            "month",
            "月份应为 YYYY-MM 格式，如 2022-07",
        )
    })
}

/// `?kind=township|department` (default township).
#[derive(Deserialize, IntoParams)]
pub struct KindQuery {
    pub kind: Option<String>,
}

/// The month's ranking of townships or of departments, best first; each unit's score
/// with its parts (`score.lines`: part, weight, points in hundredths, because), its
/// figures, and the marks `bottom`, `behind`, `bottom_run`, `behind_run`.
#[utoipa::path(get, path = "/api/v1/rankings/{month}", params(("month" = String, Path, description = "YYYY-MM", pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$"), KindQuery), responses((status = 200, body = Ranking), (status = 400, body = crate::error::ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(m): Path<String>,
    Params(q): Params<KindQuery>,
) -> Result<Json<Ranking>, ApiError> {
    u.rankings_scope()?;
    let m = month(&m)?;
    let kind = match q.kind.as_deref().map(str::trim) {
        None | Some("") | Some("township") => Kind::Township,
        Some("department") => Kind::Department,
        Some(_) => {
            return Err(Problem::bad_field(
                "invalid_kind",
                "kind",
                "kind 应为 township 或 department",
            )
            .into());
        }
    };
    Ok(Json(
        rankings::ranking(&state.db, state.now(), state.today(), m, kind).await?,
    ))
}

/// A bulletin's id.
#[derive(Serialize, ToSchema)]
pub struct BulletinId {
    pub id: i64,
}

/// Generates the bulletin of a month that has ended (office only), or returns the one
/// already issued.
#[utoipa::path(post, path = "/api/v1/bulletins/{month}", params(("month" = String, Path, description = "YYYY-MM", pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$")), responses((status = 201, body = BulletinId), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn generate(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(m): Path<String>,
) -> Result<(StatusCode, Json<BulletinId>), ApiError> {
    let m = month(&m)?;
    let id = bulletins::generate(&state.db, &state.files, state.moment(), &u.actor(), m).await?;
    Ok((StatusCode::CREATED, Json(BulletinId { id })))
}

/// The issued bulletin of a month as a Word file (404 before it is generated).
#[utoipa::path(get, path = "/api/v1/bulletins/{month}/docx", params(("month" = String, Path, description = "YYYY-MM", pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$")), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn docx(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(m): Path<String>,
) -> Result<Response, ApiError> {
    u.rankings_scope()?;
    let m = month(&m)?;
    let b = bulletins::get(&state.db, &m.name())
        .await?
        .ok_or(anjian_store::error::Error::NotFound)?;
    Ok(crate::download::bulletin(&state, &b, "docx").await?)
}

/// `?month=YYYY-MM` (default: the last month that has ended).
#[derive(Deserialize, IntoParams)]
pub struct MonthQuery {
    pub month: Option<String>,
}

/// The dashboard of a month in the caller's scope: totals, each township and
/// department in scope with its rank and figures, and the trend of the months before.
#[utoipa::path(get, path = "/api/v1/dashboard", params(MonthQuery), responses((status = 200, body = Dashboard), (status = 400, body = crate::error::ErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<MonthQuery>,
) -> Result<Json<Dashboard>, ApiError> {
    let scope = u.rankings_scope()?;
    let m = match q.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => month(m)?,
        None => crate::input::month_or_last(&state, None)?,
    };
    if m.first > state.today() {
        return Err(Problem::bad_field("month_not_begun", "month", "该月尚未开始").into());
    }
    Ok(Json(
        dashboard::month(&state.db, &scope, state.moment(), m).await?,
    ))
}

/// The townships and departments whose annual rating of `year` is vetoed (一票否决),
/// with the reasons: the office's vetoes and larger-or-worse or concealed accidents.
#[utoipa::path(get, path = "/api/v1/ratings/{year}", params(("year" = i32, Path, description = "the year", minimum = 2000, maximum = 2100)), responses((status = 200, body = [anjian_store::rankings::AnnualVeto]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn ratings(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(year): Path<String>,
) -> Result<Json<Vec<anjian_store::rankings::AnnualVeto>>, ApiError> {
    u.rankings_scope()?;
    let year: i32 = year
        .trim()
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| {
            Problem::bad_field("invalid_year", "year", "年份应为 2000 到 2100 之间的整数")
        })?;
    Ok(Json(rankings::annual_vetoes(&state.db, year).await?))
}
