//! Projects and their safety approval by API (measure 七): the register, the dated
//! steps, the 三同时 checklist, the contracting chain, and the (70) 回头看 review.

use anjian_store::contracts::{self, ContractRow, NewContract};
use anjian_store::paging::Page;
use anjian_store::projects::reviews::{self, NewReview, ResultInput, ReviewDetail, ReviewRow};
use anjian_store::projects::{
    self, NewProject, ProjectDetail, ProjectFilter, ProjectPatch, ProjectRow, StepInput,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::body::{Body, Params};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

/// A project: `name`, `owner` (an enterprise's id; an enterprise's own account owns
/// what it registers), `industry` (a sector's name), `works` (`new`, `rebuild`,
/// `expansion`), `crowded` (人员密集场所), `approver` (the approving department's id;
/// default the registering department), `batch_approval` (refused to a high-risk project).
#[derive(Deserialize, ToSchema)]
pub struct ProjectInput {
    #[serde(flatten)]
    pub project: NewProject,
}

/// Registers a project.
#[utoipa::path(post, path = "/api/v1/projects", request_body = ProjectInput, responses((status = 201, body = ProjectDetail), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(p): Body<ProjectInput>,
) -> Result<(StatusCode, Json<ProjectDetail>), ApiError> {
    let id = projects::create(&state.db, state.now(), &u.actor(), &u.scope(), &p.project).await?;
    Ok((
        StatusCode::CREATED,
        Json(projects::get(&state.db, &u.scope(), id).await?),
    ))
}

/// `?flagged=true` (only flagged projects), `owner` (an enterprise's id), `before` (a
/// project id: the next page).
#[derive(Deserialize, IntoParams)]
pub struct ProjectQuery {
    pub flagged: Option<bool>,
    pub owner: Option<i64>,
    pub before: Option<i64>,
}

/// The projects in scope, newest first, 100 a page.
#[utoipa::path(get, path = "/api/v1/projects", params(ProjectQuery), responses((status = 200, body = [ProjectRow]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<ProjectQuery>,
) -> Result<Json<Vec<ProjectRow>>, ApiError> {
    let f = ProjectFilter {
        flagged: q.flagged.unwrap_or(false),
        owner: q.owner,
        before: q.before,
    };
    Ok(Json(projects::list(&state.db, &u.scope(), &f).await?))
}

/// A project with its steps, 三同时 checklist, review results and notices.
#[utoipa::path(get, path = "/api/v1/projects/{id}", responses((status = 200, body = ProjectDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ProjectDetail>, ApiError> {
    let id = super::path_id(&id)?;
    Ok(Json(projects::get(&state.db, &u.scope(), id).await?))
}

/// Changes: `name`, `crowded`, `batch_approval`, and `checks`: the 三同时 items
/// (`item`: `budget`, `design`, `construction`, `use`; `done`; `evidence`, required when
/// done).
#[derive(Deserialize, ToSchema)]
pub struct PatchInput {
    #[serde(flatten)]
    pub patch: ProjectPatch,
}

/// Changes a project; returns it.
#[utoipa::path(patch, path = "/api/v1/projects/{id}", request_body = PatchInput, responses((status = 200, body = ProjectDetail), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn patch(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(p): Body<PatchInput>,
) -> Result<Json<ProjectDetail>, ApiError> {
    let id = super::path_id(&id)?;
    projects::patch(&state.db, state.now(), &u.actor(), &u.scope(), id, &p.patch).await?;
    Ok(Json(projects::get(&state.db, &u.scope(), id).await?))
}

/// A dated step: `step` (`assessment`, `pre_evaluation`, `approval`, `design`,
/// `construction`, `trial_run`, `acceptance_evaluation`, `acceptance`, `in_use`), `on`
/// (YYYY-MM-DD), `body` and `document` (an evaluation's body and report; an approval's
/// document), `batch` (a batch approval).
#[derive(Deserialize, ToSchema)]
pub struct StepBody {
    #[serde(flatten)]
    pub step: StepInput,
}

/// Records a dated step; a step dated before the step it depends on is recorded and
/// flagged (边审批、边设计、边施工), the flag told to the approving department and the
/// office. Returns the project.
#[utoipa::path(post, path = "/api/v1/projects/{id}/steps", request_body = StepBody, responses((status = 201, body = ProjectDetail), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn step(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(s): Body<StepBody>,
) -> Result<(StatusCode, Json<ProjectDetail>), ApiError> {
    let id = super::path_id(&id)?;
    projects::record_step(&state.db, state.now(), &u.actor(), &u.scope(), id, &s.step).await?;
    Ok((
        StatusCode::CREATED,
        Json(projects::get(&state.db, &u.scope(), id).await?),
    ))
}

/// A contract: `client` (the owner, or a contractor already on the project),
/// `contractor` (an enterprise), `work`, `whole` (the whole contract let on), `main_structure`,
/// `signed_on`, `qualification` {`category`, `grade`, `number`, `holder` (a unit's id;
/// default the contractor), `valid_until`}.
#[derive(Deserialize, ToSchema)]
pub struct ContractInput {
    #[serde(flatten)]
    pub contract: NewContract,
}

/// Records a contract of the project's chain with its flags (转包, 违法分包, 挂靠, an
/// expired qualification); returns the chain.
#[utoipa::path(post, path = "/api/v1/projects/{id}/contracts", request_body = ContractInput, responses((status = 201, body = [ContractRow]), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_contract(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(c): Body<ContractInput>,
) -> Result<(StatusCode, Json<Vec<ContractRow>>), ApiError> {
    let id = super::path_id(&id)?;
    contracts::create(
        &state.db,
        state.now(),
        &u.actor(),
        &u.scope(),
        id,
        &c.contract,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(contracts::list(&state.db, &u.scope(), id).await?),
    ))
}

/// The project's contracting chain with qualifications and flags.
#[utoipa::path(get, path = "/api/v1/projects/{id}/contracts", responses((status = 200, body = [ContractRow]), (status = 404, body = crate::error::ErrorBody)))]
pub async fn contracts(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<ContractRow>>, ApiError> {
    let id = super::path_id(&id)?;
    Ok(Json(contracts::list(&state.db, &u.scope(), id).await?))
}

/// A review: `name`, `due` (default 30 September), `projects` (default every approved
/// project in scope).
#[derive(Deserialize, ToSchema)]
pub struct ReviewInput {
    #[serde(flatten)]
    pub review: NewReview,
}

/// Opens a (70) 回头看 review over approved projects; returns it.
#[utoipa::path(post, path = "/api/v1/project-reviews", request_body = ReviewInput, responses((status = 201, body = ReviewDetail), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn open_review(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(r): Body<ReviewInput>,
) -> Result<(StatusCode, Json<ReviewDetail>), ApiError> {
    let id = reviews::open(&state.db, state.moment(), &u.actor(), &u.scope(), &r.review).await?;
    Ok((
        StatusCode::CREATED,
        Json(reviews::get(&state.db, &u.scope(), id, Page::first(1000)).await?),
    ))
}

/// The reviews in scope with their progress, newest first, 100 a page unless `limit`
/// says otherwise. When a page is full, the
/// next is linked in the `Link` header.
#[utoipa::path(get, path = "/api/v1/project-reviews", params(super::paging::PageParams), responses((status = 200, body = [ReviewRow]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn reviews(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<super::paging::PageParams>,
) -> Result<Response, ApiError> {
    let page = q.page(100);
    let rows = reviews::list(&state.db, &u.scope(), page).await?;
    Ok(super::paging::paged(
        rows,
        page.limit(),
        |last: &ReviewRow| {
            format!(
                "/api/v1/project-reviews?after={}&limit={}",
                last.id,
                page.limit()
            )
        },
    ))
}

/// `?before=` (a project id: the next page of the review's projects, 1,000 a page).
#[derive(Deserialize, IntoParams)]
pub struct ReviewQuery {
    pub before: Option<i64>,
}

/// A review with its projects and results.
#[utoipa::path(get, path = "/api/v1/project-reviews/{id}", params(ReviewQuery), responses((status = 200, body = ReviewDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Params(q): Params<ReviewQuery>,
) -> Result<Json<ReviewDetail>, ApiError> {
    let id = super::path_id(&id)?;
    Ok(Json(
        reviews::get(
            &state.db,
            &u.scope(),
            id,
            Page {
                after: q.before,
                limit: 1000,
            },
        )
        .await?,
    ))
}

/// A result: `project`, `result` (`compliant`, `rectify`, `eliminate`), `reason`, and
/// for `rectify` the `due` day.
#[derive(Deserialize, ToSchema)]
pub struct ResultBody {
    #[serde(flatten)]
    pub result: ResultInput,
}

/// Records a project's result in the review (限期整改 becomes an obligation of the
/// owner and its sector department; 淘汰取缔 closes the project); returns the review.
#[utoipa::path(post, path = "/api/v1/project-reviews/{id}/results", request_body = ResultBody, responses((status = 201, body = ReviewDetail), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn result(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(r): Body<ResultBody>,
) -> Result<(StatusCode, Json<ReviewDetail>), ApiError> {
    let id = super::path_id(&id)?;
    reviews::decide(
        &state.db,
        state.moment(),
        &u.actor(),
        &u.scope(),
        id,
        &r.result,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(reviews::get(&state.db, &u.scope(), id, Page::first(1000)).await?),
    ))
}
