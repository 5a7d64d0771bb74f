//! Campaigns and their plans.

use anjian_core::schedule::Schedule;
use anjian_store::{plan_editor, plans};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Body;
use super::path_id;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
pub(crate) use crate::shared::plans::item_no;

/// A campaign.
#[derive(Serialize, ToSchema)]
pub struct CampaignJson {
    pub id: i64,
    pub title: String,
    pub year: i64,
    pub starts_on: String,
    pub ends_on: Option<String>,
}

/// Every campaign, newest first (any logged-in user: the plan is a public document).
#[utoipa::path(get, path = "/api/v1/campaigns", responses((status = 200, body = [CampaignJson])))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(_u): ApiUser,
) -> Result<Json<Vec<CampaignJson>>, ApiError> {
    let cs = plans::campaigns(&state.db).await?;
    Ok(Json(
        cs.into_iter()
            .map(|c| CampaignJson {
                id: c.id,
                title: c.title,
                year: c.year,
                starts_on: c.starts_on,
                ends_on: c.ends_on,
            })
            .collect(),
    ))
}

/// The whole plan of a campaign: measures, key tasks, work items with their lead,
/// co-responsible and invited units as written, and their schedules.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/plan", responses((status = 200, description = "{\"campaign\":{…},\"measures\":[…]}"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn plan(
    State(state): State<AppState>,
    ApiUser(_u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let c = plans::campaign(&state.db, path_id(&id)?).await?;
    let plan = plans::load_for(&state.db, &c).await?;
    Ok(Json(anjian_core::plan::document(
        &plan,
        &c.title,
        c.year as i32,
    )))
}

/// A work item as the office writes it in the plan editor. `schedule` is a list in the
/// pinned schedule shape (`{"kind":"once","due":"2022-05-31"}`, `{"kind":"recurring",
/// "every":"quarter","min_count":1}`, `{"kind":"standing"}` …).
#[derive(Deserialize, ToSchema)]
pub struct WorkItemInput {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub lead: Vec<String>,
    #[serde(default)]
    pub co: Vec<String>,
    #[serde(default)]
    pub invited: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub schedule: serde_json::Value,
    #[serde(default)]
    pub reason: String,
    /// The key task a new work item belongs to (adding only).
    #[serde(default)]
    pub key_task: Option<u32>,
}

/// The reason for retiring a work item.
#[derive(Deserialize, ToSchema)]
pub struct RetireInput {
    #[serde(default)]
    pub reason: String,
}

/// What an edit did: the item in the plan's shape and the change per unit.
#[derive(Serialize, ToSchema)]
pub struct EditedJson {
    /// The item as it now stands; `null` once retired.
    #[schema(value_type = Option<Object>)]
    pub item: serde_json::Value,
    #[schema(value_type = Object)]
    pub outcome: serde_json::Value,
}

/// Reads a schedule in the pinned shape; anything else is refused naming `schedule`.
pub fn schedule_of(v: &serde_json::Value) -> Result<Vec<Schedule>, Problem> {
    let bad = || {
        Problem::from(anjian_core::FieldError::new(
            "invalid_schedule",
            "schedule",
            "工作时限格式不正确：应为时限列表，如 [{\"kind\":\"once\",\"due\":\"2022-05-31\"}]",
        ))
    };
    match v {
        serde_json::Value::Array(a) if a.len() <= 20 => {
            serde_json::from_value(v.clone()).map_err(|_| bad())
        }
        serde_json::Value::Null => Ok(Vec::new()),
        _ => Err(bad()),
    }
}

fn draft_of(w: WorkItemInput) -> Result<plan_editor::Draft, Problem> {
    Ok(plan_editor::Draft {
        schedule: schedule_of(&w.schedule)?,
        text: w.text,
        lead: w.lead,
        co: w.co,
        invited: w.invited,
        reason: w.reason,
    })
}

fn edited(o: plan_editor::Outcome) -> EditedJson {
    let item = o
        .item
        .as_ref()
        .map(anjian_core::plan::work_item_document)
        .unwrap_or(serde_json::Value::Null);
    EditedJson {
        item,
        outcome: serde_json::to_value(&o).unwrap_or_default(),
    }
}

/// `?preview=true`: answer what the change would do, and change nothing.
#[derive(Deserialize, Default)]
pub struct PreviewQuery {
    #[serde(default)]
    pub preview: bool,
}

/// Edits a work item of a running campaign (the office): its text, units and schedule;
/// the units that owe it change at once, what they reported stays. With `?preview=true`
/// the answer says what would change for whom, and nothing is saved.
#[utoipa::path(put, path = "/api/v1/campaigns/{id}/work-items/{no}", request_body = WorkItemInput, params(("preview" = Option<bool>, Query, description = "only say what would change")), responses((status = 200, body = EditedJson), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn edit_item(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, no)): Path<(String, String)>,
    axum::extract::Query(p): axum::extract::Query<PreviewQuery>,
    Body(w): Body<WorkItemInput>,
) -> Result<Json<EditedJson>, ApiError> {
    let change = plan_editor::Change::Edit {
        no: item_no(&no)?,
        draft: draft_of(w)?,
    };
    let o = plan_editor::submit(
        &state.db,
        state.now(),
        &u.actor(),
        path_id(&id)?,
        &change,
        !p.preview,
    )
    .await?;
    Ok(Json(edited(o)))
}

/// Adds a work item to a running campaign (the office), under `key_task`.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/work-items", request_body = WorkItemInput, responses((status = 201, body = EditedJson), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_item(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(w): Body<WorkItemInput>,
) -> Result<(StatusCode, Json<EditedJson>), ApiError> {
    let key_task = w.key_task.ok_or_else(|| {
        Problem::from(anjian_core::FieldError::new(
            "required",
            "key_task",
            "请选择所属重点任务",
        ))
    })?;
    let change = plan_editor::Change::Add {
        key_task,
        draft: draft_of(w)?,
    };
    let o = plan_editor::apply(&state.db, state.now(), &u.actor(), path_id(&id)?, &change).await?;
    Ok((StatusCode::CREATED, Json(edited(o))))
}

/// Retires a work item of a running campaign (the office), with a reason: its open
/// obligations are waived with the reason.
#[utoipa::path(delete, path = "/api/v1/campaigns/{id}/work-items/{no}", request_body = RetireInput, responses((status = 200, body = EditedJson), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn retire_item(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((id, no)): Path<(String, String)>,
    Body(r): Body<RetireInput>,
) -> Result<Json<EditedJson>, ApiError> {
    let change = plan_editor::Change::Retire {
        no: item_no(&no)?,
        reason: r.reason,
    };
    let o = plan_editor::apply(&state.db, state.now(), &u.actor(), path_id(&id)?, &change).await?;
    Ok(Json(edited(o)))
}
