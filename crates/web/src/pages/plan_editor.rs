//! The plan editor's pages (the office): edit a running campaign's work item, add one
//! after a new directive, or retire one. "预览" runs the change and rolls it back, listing
//! what changes for whom; "保存" applies the same change in one transaction. The time
//! limit is typed as the plan writes it (5月底, 每季度, 每两周, 每年1月和7月, 常设职责)
//! and read by the importer's own parser.

use anjian_core::role::Role;
use anjian_core::schedule::{self, Schedule};
use anjian_store::plan_editor::{self, Change, Draft, Outcome};
use anjian_store::plans;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Layout, PageForm};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render_form};
use crate::input::path_id;
use crate::shared::plans::item_no;

/// The editor's form, filled with the item as it is or as the office typed it.
#[derive(Template)]
#[template(path = "plan_editor.html")]
pub struct EditorPage {
    pub layout: Option<Layout>,
    pub campaign_id: i64,
    pub campaign_title: String,
    /// `None` when adding a work item.
    pub no: Option<u32>,
    pub form: EditorForm,
    /// The key tasks a new item may go under: (no, text).
    pub key_tasks: Vec<(u32, String)>,
    /// How the time limit reads now.
    pub schedule_words: String,
    pub preview: Option<Outcome>,
    pub error: Option<String>,
}

/// What the office types.
#[derive(Deserialize, Default, Clone)]
pub struct EditorForm {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub lead: String,
    #[serde(default)]
    pub co: String,
    #[serde(default)]
    pub invited: String,
    /// The time limit in the plan's words; empty keeps the item's schedule.
    #[serde(default)]
    pub time_limit: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub key_task: String,
}

/// Names typed one per line, or separated by 、 ， ; (the plan's own separators).
fn names(raw: &str) -> Vec<String> {
    raw.split(['\n', '、', '，', ',', '；', ';'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Reads the time limit typed in the form: 常设职责 (or 常设) is the standing duty;
/// otherwise the importer's parser reads it; text it cannot read is refused.
fn schedule_of(raw: &str, year: i32, current: &[Schedule]) -> Result<Vec<Schedule>, Problem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(current.to_vec());
    }
    if raw.chars().count() > 200 {
        return Err(Problem::bad_field(
            "too_long",
            "time_limit",
            "工作时限最多200字",
        ));
    }
    if raw.starts_with("常设") {
        return Ok(vec![Schedule::Standing]);
    }
    let parsed = schedule::parse(raw, year);
    if parsed.is_empty() {
        return Err(Problem::bad_field(
            "invalid_schedule",
            "time_limit",
            format!(
                "未能识别工作时限「{raw}」：可写如“5月底”“每季度”“每两周”“每年1月和7月”“7月底开始”或“常设职责”"
            ),
        ));
    }
    Ok(parsed)
}

struct Context {
    campaign: plans::Campaign,
    plan: anjian_core::plan::Plan,
}

async fn context(state: &AppState, id: i64) -> Result<Context, PageError> {
    let campaign = plans::campaign(&state.db, id).await?;
    let plan = plans::load_for(&state.db, &campaign).await?;
    Ok(Context { campaign, plan })
}

fn form_of(w: &anjian_core::plan::WorkItem) -> EditorForm {
    EditorForm {
        text: w.text.clone(),
        lead: w.responsibility.lead.join("\n"),
        co: w.responsibility.co.join("\n"),
        invited: w.responsibility.invited.join("\n"),
        ..Default::default()
    }
}

fn page(
    u: &anjian_store::accounts::SessionUser,
    cx: &Context,
    no: Option<u32>,
    form: EditorForm,
    schedule_words: String,
    preview: Option<Outcome>,
    error: Option<&Problem>,
) -> Response {
    let page = render_form(
        &EditorPage {
            layout: Layout::of(u),
            campaign_id: cx.campaign.id,
            campaign_title: cx.campaign.title.clone(),
            no,
            form,
            key_tasks: cx
                .plan
                .measures
                .iter()
                .flat_map(|m| m.key_tasks.iter())
                .map(|k| (k.no, k.text.chars().take(40).collect()))
                .collect(),
            schedule_words,
            preview,
            error: error.map(|p| p.message.clone()),
        },
        error.is_some(),
    );
    match error {
        // The schedule is typed as the time limit.
        Some(p) => {
            let mut r = crate::pages::Refusal::of(p);
            for (f, _) in &mut r.fields {
                if f == "schedule" {
                    *f = "time_limit".into();
                }
            }
            crate::pages::with_refusal(page, r)
        }
        None => page,
    }
}

/// The office's own page of one work item: the function's permission, the campaign and
/// the item's number (404 when it is not one).
async fn office_item(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    id: &str,
    no: &str,
) -> Result<(Context, u32), PageError> {
    anjian_store::authz::require(&u.actor(), Role::can_run_campaigns)?;
    let cx = context(state, path_id(id)?).await?;
    Ok((cx, item_no(no)?))
}

/// GET /campaigns/{id}/items/{no}/edit.
pub async fn edit_page(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, no)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (cx, no) = office_item(&state, &u, &id, &no).await?;
    let w = cx
        .plan
        .work_items()
        .find(|w| w.no == no)
        .ok_or_else(Problem::not_found)?;
    let words = anjian_core::plan::describe(&w.schedule);
    Ok(page(&u, &cx, Some(no), form_of(w), words, None, None))
}

/// GET /campaigns/{id}/items/new.
pub async fn new_page(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    anjian_store::authz::require(&u.actor(), Role::can_run_campaigns)?;
    let cx = context(&state, path_id(&id)?).await?;
    Ok(page(
        &u,
        &cx,
        None,
        EditorForm::default(),
        String::new(),
        None,
        None,
    ))
}

/// POST /campaigns/{id}/items/{no}/edit: saves an edit.
pub async fn edit(
    state: State<AppState>,
    user: PageUser,
    path: Path<(String, String)>,
    form: PageForm<EditorForm>,
) -> Result<Response, PageError> {
    edit_item(state, user, path, form, true).await
}

/// POST /campaigns/{id}/items/{no}/edit/preview: shows what an edit would change.
pub async fn edit_preview(
    state: State<AppState>,
    user: PageUser,
    path: Path<(String, String)>,
    form: PageForm<EditorForm>,
) -> Result<Response, PageError> {
    edit_item(state, user, path, form, false).await
}

async fn edit_item(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, no)): Path<(String, String)>,
    PageForm(f): PageForm<EditorForm>,
    saving: bool,
) -> Result<Response, PageError> {
    let (cx, no) = office_item(&state, &u, &id, &no).await?;
    let w = cx
        .plan
        .work_items()
        .find(|w| w.no == no)
        .ok_or_else(Problem::not_found)?
        .clone();
    submit(&state, &u, &cx, Some(no), &w.schedule, f, saving).await
}

/// POST /campaigns/{id}/items/new: saves a new work item.
pub async fn add(
    state: State<AppState>,
    user: PageUser,
    path: Path<String>,
    form: PageForm<EditorForm>,
) -> Result<Response, PageError> {
    add_item(state, user, path, form, true).await
}

/// POST /campaigns/{id}/items/new/preview: shows what a new work item would change.
pub async fn add_preview(
    state: State<AppState>,
    user: PageUser,
    path: Path<String>,
    form: PageForm<EditorForm>,
) -> Result<Response, PageError> {
    add_item(state, user, path, form, false).await
}

async fn add_item(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<EditorForm>,
    saving: bool,
) -> Result<Response, PageError> {
    let cx = context(&state, path_id(&id)?).await?;
    submit(&state, &u, &cx, None, &[], f, saving).await
}

async fn submit(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    cx: &Context,
    no: Option<u32>,
    current: &[Schedule],
    f: EditorForm,
    saving: bool,
) -> Result<Response, PageError> {
    let year = cx.campaign.year as i32;
    let words = anjian_core::plan::describe(current);
    let change = async {
        let schedule = schedule_of(&f.time_limit, year, current)?;
        let draft = Draft {
            text: f.text.clone(),
            lead: names(&f.lead),
            co: names(&f.co),
            invited: names(&f.invited),
            schedule,
            reason: f.reason.clone(),
        };
        Ok::<Change, Problem>(match no {
            Some(no) => Change::Edit { no, draft },
            None => Change::Add {
                key_task: f.key_task.trim().parse().map_err(|_| {
                    Problem::bad_field("required", "key_task", "请选择所属重点任务")
                })?,
                draft,
            },
        })
    }
    .await;
    let change = match change {
        Ok(c) => c,
        Err(p) => return Ok(page(u, cx, no, f, words, None, Some(&p))),
    };
    let result = plan_editor::submit(
        &state.db,
        state.now(),
        &u.actor(),
        cx.campaign.id,
        &change,
        saving,
    )
    .await;
    match result {
        Ok(o) if saving => Ok(axum::response::Redirect::to(&format!(
            "/campaigns/{}/items/{}?ok=edited",
            cx.campaign.id, o.no
        ))
        .into_response()),
        Ok(o) => {
            let words = o
                .item
                .as_ref()
                .map(|w| anjian_core::plan::describe(&w.schedule))
                .unwrap_or(words);
            Ok(page(u, cx, no, f, words, Some(o), None))
        }
        Err(e) => {
            let p = Problem::from(e);
            if p.status.is_client_error() && p.status.as_u16() != 404 && p.status.as_u16() != 403 {
                Ok(page(u, cx, no, f, words, None, Some(&p)))
            } else {
                Err(p.into())
            }
        }
    }
}

/// The retire form.
#[derive(Deserialize)]
pub struct RetireForm {
    #[serde(default)]
    reason: String,
}

/// POST /campaigns/{id}/items/{no}/retire: retires a work item with a reason.
pub async fn retire(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, no)): Path<(String, String)>,
    PageForm(f): PageForm<RetireForm>,
) -> Result<Response, PageError> {
    let (cx, no) = office_item(&state, &u, &id, &no).await?;
    let change = Change::Retire {
        no,
        reason: f.reason,
    };
    match plan_editor::apply(&state.db, state.now(), &u.actor(), cx.campaign.id, &change).await {
        Ok(_) => Ok(axum::response::Redirect::to(&format!(
            "/campaigns/{}?ok=retired",
            cx.campaign.id
        ))
        .into_response()),
        Err(e) => {
            let p = Problem::from(e);
            let w = cx.plan.work_items().find(|w| w.no == no).cloned();
            match w {
                Some(w) if p.status.as_u16() == 422 => {
                    let words = anjian_core::plan::describe(&w.schedule);
                    Ok(page(&u, &cx, Some(no), form_of(&w), words, None, Some(&p)))
                }
                _ => Err(p.into()),
            }
        }
    }
}
