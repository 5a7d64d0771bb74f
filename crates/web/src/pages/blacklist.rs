//! The blacklist page (issue 19 part 4): the entries in scope (holding, or all), the
//! decision form for a supervising unit, lifting by the deciding unit or the office,
//! and the export the credit system takes (.xlsx with the credit code).

use anjian_core::blacklist::EntryInput;
use anjian_store::blacklist::{self, BlacklistFilter, BlacklistRow};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Layout, Notice, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render_form};
use crate::input::path_id;

/// The page.
#[derive(Template)]
#[template(path = "blacklist.html")]
pub struct BlacklistPage {
    pub layout: Option<Layout>,
    pub rows: Vec<BlacklistRow>,
    pub today: String,
    /// Whether all entries are shown (else those holding today).
    pub all: bool,
    /// The next page's key.
    pub next: Option<i64>,
    /// The enterprises the entry form offers (none when the caller may not enter).
    pub choice: super::EnterpriseChoice,
    /// The caller may enter an enterprise on the list.
    pub can_enter: bool,
    pub reasons: Vec<(&'static str, &'static str)>,
    pub own_unit: i64,
    pub office: bool,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// `?all=1&after=&ok=&find=` (`find` narrows the form's enterprises).
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub all: String,
    #[serde(default)]
    pub after: String,
    #[serde(default)]
    pub ok: String,
    #[serde(default)]
    pub find: String,
}

const PAGE: i64 = 100;

async fn page(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    q: &ListQuery,
    notice: Notice,
) -> Result<Response, PageError> {
    let all = !q.all.is_empty();
    let today = state.today();
    let mut rows = blacklist::list(
        &state.db,
        &u.actor(),
        &u.scope(),
        &BlacklistFilter {
            active_on: (!all).then_some(today),
            after: q.after.trim().parse().ok(),
            limit: PAGE + 1,
        },
    )
    .await?;
    let next = (rows.len() as i64 > PAGE).then(|| {
        rows.truncate(PAGE as usize);
        rows.last().map_or(0, |r| r.id)
    });
    let role = u.role();
    let can_enter = role.can_enforce();
    let choice = if can_enter {
        let keep = if all {
            vec![("all", "1".to_string())]
        } else {
            Vec::new()
        };
        super::enterprise_choice(
            state,
            &u.scope(),
            &["enterprise"],
            Some(&q.find),
            ("/blacklist", keep),
        )
        .await?
    } else {
        super::EnterpriseChoice::default()
    };
    let refused = notice.error.is_some();
    Ok(render_form(
        &BlacklistPage {
            layout: Layout::of(u),
            rows,
            today: today.format("%Y-%m-%d").to_string(),
            all,
            next,
            choice,
            can_enter,
            reasons: blacklist::reasons(),
            own_unit: u.unit_id,
            office: role.sees_everything(),
            flash: notice.flash,
            error: notice.error,
        },
        refused,
    ))
}

/// GET /blacklist.
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<ListQuery>,
) -> Result<Response, PageError> {
    let flash = match q.ok.as_str() {
        "entered" => Some("已列入黑名单，实施联合惩戒".to_string()),
        "lifted" => Some("已移出黑名单".to_string()),
        _ => None,
    };
    page(&state, &u, &q, Notice::flash(flash)).await
}

/// The decision form.
#[derive(Deserialize, Default)]
pub struct EntryForm {
    #[serde(default)]
    pub enterprise: String,
    #[serde(default)]
    pub reason_kind: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub decided_on: String,
    #[serde(default)]
    pub until: String,
}

/// POST /blacklist.
pub async fn enter(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<EntryForm>,
) -> Result<Response, PageError> {
    let input = EntryInput {
        enterprise: f.enterprise.trim().parse().ok(),
        reason_kind: f.reason_kind,
        reason: f.reason,
        decided_on: f.decided_on,
        until: f.until,
    };
    let result = blacklist::enter(&state.db, state.moment(), &u.actor(), &u.scope(), &input)
        .await
        .map(|_| "/blacklist?ok=entered".to_string())
        .map_err(Problem::from);
    let fresh = ListQuery::default();
    after_form(result, |e| page(&state, &u, &fresh, Notice::error(e))).await
}

/// The lifting form.
#[derive(Deserialize, Default)]
pub struct LiftForm {
    #[serde(default)]
    pub reason: String,
}

/// POST /blacklist/{id}/lift.
pub async fn lift(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<LiftForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let result = blacklist::lift(
        &state.db,
        state.moment(),
        &u.actor(),
        &u.scope(),
        id,
        &f.reason,
    )
    .await
    .map(|_| "/blacklist?ok=lifted".to_string())
    .map_err(Problem::from);
    let fresh = ListQuery::default();
    after_form(result, |e| page(&state, &u, &fresh, Notice::error(e))).await
}

/// GET /blacklist.xlsx: every entry in scope as the credit system takes it (统一社会
/// 信用代码 first).
pub async fn export(
    State(state): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    let today = state.today().format("%Y-%m-%d").to_string();
    let rows = blacklist::list(
        &state.db,
        &u.actor(),
        &u.scope(),
        &BlacklistFilter {
            limit: 1000,
            ..Default::default()
        },
    )
    .await?;
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.credit_code.clone().unwrap_or_default(),
                r.enterprise_name.clone(),
                r.reason_label().to_string(),
                r.reason.clone(),
                r.decided_on.clone(),
                r.until_on.clone(),
                r.unit_name.clone(),
                if r.active_on(&today) {
                    "惩戒中".to_string()
                } else if let Some(l) = &r.lifted_on {
                    format!("已于{l}移出")
                } else {
                    "期满".to_string()
                },
            ]
        })
        .collect();
    super::xlsx_response(
        "黑名单",
        &[
            "统一社会信用代码",
            "企业名称",
            "列入原因",
            "认定事实",
            "认定日期",
            "惩戒期限至",
            "认定单位",
            "状态",
        ],
        &lines,
        &format!("黑名单（{today}）.xlsx"),
        &u.unit_name,
    )
}
