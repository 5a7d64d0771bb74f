//! Rosters of dispatched and flexible workers by API (measure 九): an enterprise's
//! roster, adding workers one at a time or by .xlsx, and the sector departments' list
//! of enterprises with flagged workers.

use anjian_core::worker::WorkerInput;
use anjian_store::workers::{self, FlagFilter, FlaggedEnterprise, Roster, RosterPages};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::{Body, Params, Upload};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};

/// `?after=&sent_after=` (worker ids: the next page of the roster's own workers, and
/// of the workers an agency sent; 100 a page each).
#[derive(Deserialize, IntoParams)]
pub struct RosterQuery {
    pub after: Option<i64>,
    pub sent_after: Option<i64>,
}

/// The enterprise's roster (ID numbers masked), its figures, whether the share of
/// dispatched workers on hazardous posts is over the cap, and for a dispatching agency
/// the workers it sent.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/workers", params(RosterQuery), responses((status = 200, body = Roster), (status = 404, body = crate::error::ErrorBody)))]
pub async fn roster(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Params(q): Params<RosterQuery>,
) -> Result<Json<Roster>, ApiError> {
    let id = super::path_id(&id)?;
    Ok(Json(
        workers::roster(
            &state.db,
            &u.scope(),
            state.today(),
            id,
            RosterPages {
                after: q.after,
                sent_after: q.sent_after,
            },
        )
        .await?,
    ))
}

/// A worker: `name`, `id_number` (18 digits with its check digit), `arrangement`
/// (`dispatched`, `flexible`, `contracted`, `temporary`, `intern`), `post`,
/// `hazardous`, `special_operation`, `agency` (the dispatching agency's id, required
/// for a dispatched worker), `trained_on`, `training_hours`, `exam_passed`,
/// `certificate`, `certificate_valid_until`.
#[derive(Deserialize, ToSchema)]
pub struct WorkerBody {
    #[serde(flatten)]
    pub worker: WorkerInput,
}

/// Adds a worker to the roster; returns the roster.
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/workers", request_body = WorkerBody, responses((status = 201, body = Roster), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(w): Body<WorkerBody>,
) -> Result<(StatusCode, Json<Roster>), ApiError> {
    let id = super::path_id(&id)?;
    workers::add(
        &state.db,
        &state.config.keyring,
        state.moment(),
        &u.actor(),
        &u.scope(),
        id,
        &[(1, w.worker)],
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(
            workers::roster(
                &state.db,
                &u.scope(),
                state.today(),
                id,
                RosterPages::default(),
            )
            .await?,
        ),
    ))
}

/// How many workers an import added.
#[derive(Serialize, ToSchema)]
pub struct Imported {
    pub imported: usize,
}

/// Imports a roster sheet (multipart, field `file`: the columns 姓名、身份证号、用工类型、
/// 岗位、危险岗位、特种作业、劳务派遣单位、培训合格日期、培训学时、考试合格、特种作业证号、证书有效期至;
/// at most 20,000 rows): every row or none, the first row at fault named.
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/workers/import", request_body(content_type = "multipart/form-data", description = "file: the roster (.xlsx)"), responses((status = 201, body = Imported), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Upload(mut form): Upload,
) -> Result<(StatusCode, Json<Imported>), ApiError> {
    let id = super::path_id(&id)?;
    let bytes = crate::upload::file_field(&mut form).await?;
    let imported = crate::shared::workers::import(&state, &u, id, &bytes).await?;
    Ok((StatusCode::CREATED, Json(Imported { imported })))
}

/// `?sector=` (a sector's name), `after_count` and `after_id` (the last row's
/// `dispatched_flexible` and `enterprise_id`: the next page).
#[derive(Deserialize, IntoParams)]
pub struct FlagQuery {
    pub sector: Option<String>,
    pub after_count: Option<i64>,
    pub after_id: Option<i64>,
}

/// The enterprises in scope with untrained or uncertified workers or too many
/// dispatched workers on hazardous posts, those with the most dispatched or flexible
/// workers first, 100 a page.
#[utoipa::path(get, path = "/api/v1/workers/flags", params(FlagQuery), responses((status = 200, body = [FlaggedEnterprise]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn flags(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<FlagQuery>,
) -> Result<Json<Vec<FlaggedEnterprise>>, ApiError> {
    if q.sector.as_deref().is_some_and(|s| s.chars().count() > 100) {
        return Err(Problem::bad_field("too_long", "sector", "sector 不能超过100个字符").into());
    }
    let f = FlagFilter {
        sector: q.sector,
        after_count: q.after_count,
        after_id: q.after_id,
    };
    Ok(Json(
        workers::flagged(&state.db, &u.scope(), state.today(), &f).await?,
    ))
}

/// The cap: `percent` (0–100) of dispatched workers among those on hazardous posts.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct Cap {
    pub percent: Option<i64>,
}

/// The cap on the share of dispatched workers on hazardous posts.
#[utoipa::path(get, path = "/api/v1/workers/cap", responses((status = 200, body = Cap)))]
pub async fn cap(
    State(state): State<AppState>,
    ApiUser(_u): ApiUser,
) -> Result<Json<Cap>, ApiError> {
    Ok(Json(Cap {
        percent: Some(workers::cap(&state.db).await?),
    }))
}

/// Sets the cap (the office).
#[utoipa::path(put, path = "/api/v1/workers/cap", request_body = Cap, responses((status = 200, body = Cap), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_cap(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(c): Body<Cap>,
) -> Result<Json<Cap>, ApiError> {
    let percent = c
        .percent
        .ok_or_else(|| Problem::bad_field("required", "percent", "请填写比例"))?;
    workers::set_cap(&state.db, state.now(), &u.actor(), percent).await?;
    Ok(Json(Cap {
        percent: Some(percent),
    }))
}
