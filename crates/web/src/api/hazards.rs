//! Hazard ledgers by API: record a hazard, read the ledger (keyset, filters) and one
//! hazard with its history, and take the loop's steps (assign, feedback with
//! after-photos, verify, extend). Statuses: found, assigned, rectifying, feedback,
//! closed; `overdue` is a flag (and a filter).

use anjian_core::case::Step;
use anjian_core::hazard::{GovernancePlan, HazardInput};
use anjian_store::hazards::{self, HazardDetail, HazardFilter, HazardRow};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::body::{Body, Params};
use super::path_id;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};

/// A hazard to record.
#[derive(Deserialize, ToSchema)]
pub struct NewHazard {
    /// `general` or `major`.
    pub level: Option<String>,
    pub sector: Option<String>,
    /// self_inspection (default), supervision_visit, unannounced_visit, enforcement, public_tip.
    pub source: Option<String>,
    pub place: Option<String>,
    pub description: Option<String>,
    /// YYYY-MM-DD.
    pub discovered_on: Option<String>,
    pub measures: Option<String>,
    pub responsible_person: Option<String>,
    /// Yuan, a number or a string with at most two decimals.
    #[schema(value_type = Option<f64>)]
    pub funds: Option<serde_json::Value>,
    /// YYYY-MM-DD, the rectification deadline.
    pub deadline: Option<String>,
    pub contingency_plan: Option<String>,
    /// Required for a major hazard.
    pub governance_plan: Option<GovernancePlan>,
    /// The responsible unit (default: the caller's own).
    pub unit: Option<i64>,
    /// Fixed on the spot (即查即改): a general hazard recorded and closed in one step;
    /// blank funds read as 0, a blank plan as "现场立即整改", a blank deadline as the day
    /// it was found.
    #[serde(default)]
    pub fixed_on_spot: bool,
}

impl NewHazard {
    pub(crate) fn input(self) -> HazardInput {
        let s = |v: Option<String>| v.unwrap_or_default();
        HazardInput {
            level: s(self.level),
            sector: s(self.sector),
            source: s(self.source),
            place: s(self.place),
            description: s(self.description),
            discovered_on: s(self.discovered_on),
            measures: s(self.measures),
            responsible_person: s(self.responsible_person),
            funds: match self.funds {
                Some(serde_json::Value::String(v)) => v,
                Some(serde_json::Value::Number(n)) => n.to_string(),
                Some(serde_json::Value::Null) | None => String::new(),
                Some(_) => "?".into(),
            },
            deadline: s(self.deadline),
            contingency_plan: s(self.contingency_plan),
            governance_plan: self.governance_plan,
            fixed_on_spot: self.fixed_on_spot,
        }
    }
}

/// Records a hazard and assigns it to the responsible unit with its deadline.
#[utoipa::path(post, path = "/api/v1/hazards", request_body = NewHazard, responses((status = 201, body = HazardDetail), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(i): Body<NewHazard>,
) -> Result<(StatusCode, Json<HazardDetail>), ApiError> {
    let unit = i.unit;
    let id = hazards::create(
        &state.db,
        state.now(),
        &u.actor(),
        &u.scope(),
        hazards::Finding {
            input: &i.input(),
            photos: &[],
        },
        unit,
    )
    .await?;
    let h = hazards::get(&state.db, &u.scope(), state.today(), id).await?;
    Ok((StatusCode::CREATED, Json(h)))
}

/// Filters of the ledger.
#[derive(Deserialize, IntoParams)]
pub struct HazardQuery {
    pub unit: Option<i64>,
    pub sector: Option<String>,
    /// general or major.
    pub level: Option<String>,
    /// found, assigned, rectifying, feedback, closed, or overdue.
    pub status: Option<String>,
    /// true: only hazards under listed supervision (挂牌督办).
    pub listed: Option<bool>,
    /// The last id of the previous page.
    pub after: Option<i64>,
    pub limit: Option<i64>,
}

/// The ledger in the caller's scope, newest first (keyset `after`).
#[utoipa::path(get, path = "/api/v1/hazards", params(HazardQuery), responses((status = 200, body = [HazardRow]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(f): Params<HazardQuery>,
) -> Result<Json<Vec<HazardRow>>, ApiError> {
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let level = nonempty(f.level)
        .map(|l| anjian_core::hazard::Level::parse(&l))
        .transpose()?;
    let status = nonempty(f.status);
    if let Some(s) = &status
        && s != "overdue"
        && anjian_core::case::Status::parse(s).is_none()
    {
        return Err(Problem::bad_field(
            "invalid_status",
            "status",
            "status 应为 found、assigned、rectifying、feedback、closed 或 overdue",
        )
        .into());
    }
    let filter = HazardFilter {
        unit: f.unit,
        sector: nonempty(f.sector),
        level: level.map(|l| l.as_str().to_string()),
        status,
        listed: f.listed,
        after: f.after,
        limit: f.limit.unwrap_or(100),
        ..HazardFilter::default()
    };
    Ok(Json(
        hazards::list(&state.db, &u.scope(), state.today(), &filter).await?,
    ))
}

/// One hazard in scope, with its five implementations and its history.
#[utoipa::path(get, path = "/api/v1/hazards/{id}", responses((status = 200, body = HazardDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<HazardDetail>, ApiError> {
    Ok(Json(
        hazards::get(&state.db, &u.scope(), state.today(), path_id(&id)?).await?,
    ))
}

/// A step's JSON body: `assign` takes `deadline`; `verify` takes `pass` (and `reason`
/// when it fails); `extend` takes `until` and `reason` to ask, or `decision`
/// (`approve` / `refuse`) to decide.
#[derive(Deserialize, ToSchema, Default)]
pub struct StepInput {
    pub deadline: Option<String>,
    pub pass: Option<bool>,
    pub until: Option<String>,
    pub decision: Option<String>,
    /// `verify`: made on site (required to close a listed hazard).
    #[serde(default)]
    pub on_site: bool,
    #[serde(default)]
    pub reason: String,
}

fn date(field: &'static str, raw: Option<&str>) -> Result<NaiveDate, Problem> {
    raw.and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .ok_or_else(|| {
            Problem::bad_field(
                "invalid_date",
                field,
                format!("{field} 应为 YYYY-MM-DD 格式的日期"),
            )
        })
}

/// The new status.
#[derive(serde::Serialize, ToSchema)]
pub struct StatusJson {
    pub status: String,
}

async fn take(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    id: &str,
    step: Step,
    extras: hazards::StepExtras<'_>,
) -> Result<Json<StatusJson>, ApiError> {
    let s = hazards::step(
        &state.db,
        state.now(),
        &u.actor(),
        &u.scope(),
        path_id(id)?,
        &step,
        &extras,
    )
    .await?;
    Ok(Json(StatusJson {
        status: s.as_str().to_string(),
    }))
}

/// 交办: gives a recorded hazard to its responsible unit with a deadline.
#[utoipa::path(post, path = "/api/v1/hazards/{id}/assign", request_body = StepInput, responses((status = 200, body = StatusJson), (status = 422, body = crate::error::ErrorBody)))]
pub async fn assign(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(i): Body<StepInput>,
) -> Result<Json<StatusJson>, ApiError> {
    let deadline = date("deadline", i.deadline.as_deref())?;
    take(
        &state,
        &u,
        &id,
        Step::Assign { deadline },
        hazards::StepExtras {
            note: &i.reason,
            files: &[],
            on_site: false,
        },
    )
    .await
}

/// 反馈: the responsible unit reports it fixed: multipart with `text` and at least one
/// after-photo in `evidence`.
#[utoipa::path(post, path = "/api/v1/hazards/{id}/feedback", request_body(content_type = "multipart/form-data", description = "text; evidence (after-photos)"), responses((status = 200, body = StatusJson), (status = 422, body = crate::error::ErrorBody)))]
pub async fn feedback(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    super::body::Upload(mut form): super::body::Upload,
) -> Result<Json<StatusJson>, ApiError> {
    let super::reports::ReportForm { text, files, .. } =
        super::reports::read_report(&mut form).await?;
    // The photos are stored once the hazard is known to be the caller's to see.
    hazards::get(&state.db, &u.scope(), state.today(), super::path_id(&id)?).await?;
    let files = crate::upload::store(&state, &files).await?;
    take(
        &state,
        &u,
        &id,
        Step::Feedback,
        hazards::StepExtras {
            note: &text,
            files: &files,
            on_site: false,
        },
    )
    .await
}

/// 核查: the assigning unit passes it (销号) or sends it back with a reason.
#[utoipa::path(post, path = "/api/v1/hazards/{id}/verify", request_body = StepInput, responses((status = 200, body = StatusJson), (status = 422, body = crate::error::ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(i): Body<StepInput>,
) -> Result<Json<StatusJson>, ApiError> {
    let pass = i.pass.ok_or_else(|| {
        Problem::bad_field(
            "required",
            "pass",
            "pass 应为 true（通过）或 false（不通过）",
        )
    })?;
    take(
        &state,
        &u,
        &id,
        Step::Verify { pass },
        hazards::StepExtras {
            note: &i.reason,
            files: &[],
            on_site: i.on_site,
        },
    )
    .await
}

/// Asks for a later deadline (`until`, `reason`), or decides on the request
/// (`decision`: `approve` / `refuse`).
#[utoipa::path(post, path = "/api/v1/hazards/{id}/extend", request_body = StepInput, responses((status = 200, body = StatusJson), (status = 422, body = crate::error::ErrorBody)))]
pub async fn extend(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(i): Body<StepInput>,
) -> Result<Json<StatusJson>, ApiError> {
    let step = match i.decision.as_deref() {
        Some("approve") => Step::DecideExtension { approve: true },
        Some("refuse") => Step::DecideExtension { approve: false },
        Some(_) => {
            return Err(Problem::bad_field(
                "invalid_decision",
                "decision",
                "decision 应为 approve 或 refuse",
            )
            .into());
        }
        None => Step::RequestExtension {
            until: date("until", i.until.as_deref())?,
        },
    };
    take(
        &state,
        &u,
        &id,
        step,
        hazards::StepExtras {
            note: &i.reason,
            files: &[],
            on_site: false,
        },
    )
    .await
}

/// A listing: the responsible leader, the supervision deadline, the requirements.
#[derive(Deserialize, ToSchema)]
pub struct ListInput {
    #[serde(default)]
    pub leader: String,
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub note: String,
}

/// 挂牌督办: the office lists a major hazard; only it closes it, after an on-site check.
#[utoipa::path(post, path = "/api/v1/hazards/{id}/list", request_body = ListInput, responses((status = 200, body = StatusJson), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list_for_supervision(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(i): Body<ListInput>,
) -> Result<Json<StatusJson>, ApiError> {
    let id = path_id(&id)?;
    hazards::list_for_supervision(
        &state.db,
        state.now(),
        &u.actor(),
        &u.scope(),
        id,
        hazards::Listing {
            leader: &i.leader,
            deadline: &i.deadline,
            note: &i.note,
        },
    )
    .await?;
    let h = hazards::get(&state.db, &u.scope(), state.today(), id).await?;
    Ok(Json(StatusJson {
        status: h.row.status,
    }))
}

/// The listed-hazards board: every listing, current and past, newest first.
#[utoipa::path(get, path = "/api/v1/hazards/listed", responses((status = 200, body = [hazards::ListingLine])))]
pub async fn board(
    State(state): State<AppState>,
    // Signed in (the route guard keeps the business area to its roles).
    ApiUser(_): ApiUser,
) -> Result<Json<Vec<hazards::ListingLine>>, ApiError> {
    Ok(Json(hazards::board(&state.db, 200).await?))
}

/// How the statistics group the hazards.
#[derive(Deserialize, IntoParams)]
pub struct StatsQuery {
    /// `unit` (default), `sector` or `month` (of discovery).
    pub by: Option<String>,
}

/// A group's rectification figures.
#[derive(serde::Serialize, ToSchema)]
pub struct StatJson {
    /// The unit's or sector's name, or the month `YYYY-MM`.
    pub key: String,
    pub found: i64,
    pub closed: i64,
    /// Closed of found, 0–100.
    pub rate: i64,
    pub major: i64,
    pub major_closed: i64,
    /// Closed of the major ones, 0–100; empty when none was found.
    pub major_rate: Option<i64>,
    /// Still open past their deadline.
    pub overdue: i64,
}

/// Rectification rate, major-hazard rate and overdue count over the hazards in the
/// caller's scope, by unit, sector or month.
#[utoipa::path(get, path = "/api/v1/hazards/stats", params(StatsQuery), responses((status = 200, body = [StatJson])))]
pub async fn stats(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<StatsQuery>,
) -> Result<Json<Vec<StatJson>>, ApiError> {
    let by = match q.by.as_deref().unwrap_or("unit") {
        "unit" => hazards::StatsBy::Unit,
        "sector" => hazards::StatsBy::Sector,
        "month" => hazards::StatsBy::Month,
        _ => {
            return Err(Problem::from(anjian_core::FieldError::new(
                "invalid_group",
                "by",
                "统计口径只能是 unit、sector 或 month",
            ))
            .into());
        }
    };
    let lines = hazards::stats(&state.db, &u.scope(), state.today(), by).await?;
    Ok(Json(
        lines
            .into_iter()
            .map(|l| StatJson {
                rate: l.rate(),
                major_rate: l.major_rate(),
                key: l.key,
                found: l.found,
                closed: l.closed,
                major: l.major,
                major_closed: l.major_closed,
                overdue: l.overdue,
            })
            .collect(),
    ))
}
