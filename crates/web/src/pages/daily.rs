//! The daily duties page: each unit's days with and without an entry on the daily work
//! items of the running campaigns, the latest entries, and the form with which a unit
//! logs a publication or broadcast.

use anjian_store::daily::{self, DailyLine, EntryRow};
use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{Layout, PageForm, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render_form};

type User = anjian_store::accounts::SessionUser;

/// The page.
#[derive(Template)]
#[template(path = "daily.html")]
pub struct DailyPage {
    pub layout: Option<Layout>,
    pub lines: Vec<DailyLine>,
    /// The lines of the user's own unit, for the form.
    pub mine: Vec<DailyLine>,
    pub entries: Vec<EntryRow>,
    pub today: String,
    pub error: Option<String>,
}

async fn page(state: &AppState, u: &User, error: Option<String>) -> Result<Response, PageError> {
    let scope = u.scope();
    let lines = daily::lines(&state.db, &scope, state.today()).await?;
    let mine = lines
        .iter()
        .filter(|l| l.unit_id == u.unit_id)
        .cloned()
        .collect();
    let entries = daily::recent(&state.db, &scope, 50).await?;
    let refused = error.is_some();
    Ok(render_form(
        &DailyPage {
            layout: Layout::of(u),
            lines,
            mine,
            entries,
            today: state.today().to_string(),
            error,
        },
        refused,
    ))
}

/// GET /daily.
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    page(&state, &u, None).await
}

/// POST /daily: logs a publication or broadcast for the user's unit.
pub async fn log(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<crate::shared::daily::NewDailyEntry>,
) -> Result<Response, PageError> {
    let result = async {
        let entry = anjian_core::daily::check(
            anjian_core::daily::EntryInput {
                on: &f.on,
                channel: &f.channel,
                outlet: &f.outlet,
                title: &f.title,
                link: &f.link,
            },
            state.today(),
        )?;
        daily::log(&state.db, state.now(), &u.actor(), f.assignment, &entry).await?;
        Ok::<_, Problem>("/daily".to_string())
    }
    .await;
    after_form(result, |msg| page(&state, &u, Some(msg))).await
}
