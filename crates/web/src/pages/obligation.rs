//! One obligation: its details, the unit's report with evidence, and the review by the
//! lead unit or the office.

use anjian_core::obligation::{Counted, State};
use anjian_store::reports::{self, ObligationDetail};
use askama::Template;
use axum::extract::{Multipart, Path, State as AxumState};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Done, Layout, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render_form};
use crate::input::path_id;

/// A report as the page shows it.
pub struct ReportView {
    pub when: String,
    pub author: String,
    pub decision: &'static str,
    pub text: String,
    pub reason: Option<String>,
    /// "完成8，要求至少10（未达要求）" where the obligation asks for a minimum.
    pub count: Option<String>,
    pub files: Vec<(String, String)>,
}

/// The obligation page.
#[derive(Template)]
#[template(path = "obligation.html")]
pub struct ObligationPage {
    pub layout: Option<Layout>,
    pub o: ObligationDetail,
    pub role_label: &'static str,
    pub state_label: &'static str,
    pub can_submit: bool,
    pub can_review: bool,
    pub can_waive: bool,
    pub reports: Vec<ReportView>,
    /// The unit states how many its report covers (the obligation asks at least
    /// `o.min_count`, not counted from recorded visits).
    pub asks_count: bool,
    /// For a supervision-round obligation: the visits recorded so far.
    pub visits_note: Option<String>,
    pub flash: Option<String>,
    pub error: Option<String>,
}

async fn page(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    id: i64,
    flash: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let o = reports::obligation(&state.db, &u.scope(), id).await?;
    let stored = State::parse(&o.state).unwrap_or(State::Pending);
    let due = chrono::NaiveDate::parse_from_str(&o.due_on, "%Y-%m-%d").unwrap_or_default();
    let effective = stored.effective(due, state.today());
    let can_submit = u.role().can_report()
        && u.unit_id == o.unit_id
        && o.role != "invited"
        && matches!(stored, State::Pending | State::Returned);
    let can_review = stored == State::Submitted
        && reports::may_review(u.role().sees_everything(), u.unit_id, &o);
    let list = reports::reports(&state.db, id).await?;
    let counted = anjian_core::obligation::counted_by(&o.title);
    let refused = error.is_some();
    let r = render_form(
        &ObligationPage {
            layout: Layout::of(u),
            // The role as assigned; a one-off obligation (a penalty's publication, a
            // hazard's deadline, a tip's verification) is owed by its unit alone.
            role_label: match o.role.as_str() {
                "lead" => "牵头单位",
                "co" => "配合单位",
                "invited" => "必要时邀请",
                _ => "责任单位",
            },
            state_label: effective.label(),
            can_submit,
            can_review,
            can_waive: u.role().sees_everything()
                && matches!(stored, State::Pending | State::Returned | State::Submitted),
            reports: list
                .into_iter()
                .map(|r| ReportView {
                    when: anjian_core::time::format_local(r.submitted_at),
                    author: r.author.unwrap_or_default(),
                    decision: match r.decision.as_deref().and_then(State::parse) {
                        Some(d @ (State::Accepted | State::Returned)) => d.label(),
                        _ => "待审核",
                    },
                    text: r.text,
                    reason: r.reason,
                    count: r.counted.map(|n| {
                        format!(
                            "完成{n}，要求至少{}{}",
                            o.min_count,
                            if n < o.min_count {
                                "（未达要求）"
                            } else {
                                ""
                            }
                        )
                    }),
                    files: r
                        .evidence
                        .into_iter()
                        .map(|f| (f.sha256, f.file_name))
                        .collect(),
                })
                .collect(),
            asks_count: o.min_count > 1 && counted == Counted::Stated,
            visits_note: (o.min_count > 1 && counted == Counted::Visits).then(|| {
                format!(
                    "要求至少{}次，报送时按本单位已记录的督查检查计数",
                    o.min_count
                )
            }),
            o,
            flash,
            error,
        },
        refused,
    );
    Ok(r)
}

/// GET /obligations/{id}.
pub async fn show(
    AxumState(state): AxumState<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageQuery(d): PageQuery<Done>,
) -> Result<Response, PageError> {
    let flash = d.ok.map(|k| {
        if k == "reviewed" {
            "已审核"
        } else {
            "已报送，等待审核"
        }
        .to_string()
    });
    let id = path_id(&id)?;
    // A case's deadline is followed on its case's page.
    let o = reports::obligation(&state.db, &u.scope(), id).await?;
    if let Some(c) = o.case_id {
        return Ok(axum::response::Redirect::to(&format!("/cases/{c}")).into_response());
    }
    page(&state, &u, id, flash, None).await
}

/// POST /obligations/{id}/reports (multipart: `text`, any number of `evidence` files).
pub async fn submit(
    AxumState(state): AxumState<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let result = crate::shared::reports::submit_form(&state, &u, id, &mut form)
        .await
        .map(|_| format!("/obligations/{id}?ok=submitted"));
    after_form(result, |msg| page(&state, &u, id, None, Some(msg))).await
}

#[derive(Deserialize)]
pub struct WaiveForm {
    #[serde(default)]
    reason: String,
}

/// POST /obligations/{id}/waive: the office waives an open obligation, with a reason.
pub async fn waive(
    AxumState(state): AxumState<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<WaiveForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let result = reports::waive(
        &state.db,
        state.now(),
        &u.actor(),
        &u.scope(),
        id,
        &f.reason,
    )
    .await
    .map(|_| format!("/obligations/{id}?ok=waived"))
    .map_err(Problem::from);
    after_form(result, |msg| page(&state, &u, id, None, Some(msg))).await
}

#[derive(Deserialize)]
pub struct ReviewForm {
    decision: String,
    #[serde(default)]
    reason: String,
}

/// POST /obligations/{id}/review: accept, or return with a reason.
pub async fn review(
    AxumState(state): AxumState<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ReviewForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let result = reports::review(
        &state.db,
        state.now(),
        &u.actor(),
        &u.scope(),
        id,
        f.decision == "accept",
        &f.reason,
    )
    .await
    .map(|_| format!("/obligations/{id}?ok=reviewed"))
    .map_err(Problem::from);
    after_form(result, |msg| page(&state, &u, id, None, Some(msg))).await
}

/// GET /obligations/{id}/evidence/{sha256}: a file of a report in scope.
pub async fn evidence(
    AxumState(state): AxumState<AppState>,
    PageUser(u): PageUser,
    Path((id, sha)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let file = reports::evidence_in_scope(&state.db, &u.scope(), path_id(&id)?, &sha).await?;
    Ok(crate::download::stored(&state, &file.sha256, Some(&file.mime), &file.file_name).await?)
}
