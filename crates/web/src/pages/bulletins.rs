//! Bulletin pages: the archive with the office's one-click generation for a month that
//! has ended, the printable bulletin, and its .docx and .xlsx as issued.

use anjian_core::monthly_report::Month;
use anjian_store::bulletins::{self, Archived};
use askama::Template;
use axum::extract::{Path, State};

use axum::response::Response;
use serde::Deserialize;

use super::{Layout, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render, render_form};
use crate::input::month_or_last;

type User = anjian_store::accounts::SessionUser;

/// The archive.
#[derive(Template)]
#[template(path = "bulletins.html")]
pub struct BulletinsPage {
    pub layout: Option<Layout>,
    pub bulletins: Vec<(i64, String, String, String)>,
    pub office: bool,
    pub last_month: String,
    pub error: Option<String>,
}

async fn archive(state: &AppState, u: &User, error: Option<String>) -> Result<Response, PageError> {
    u.rankings_scope()?;
    let refused = error.is_some();
    Ok(render_form(
        &BulletinsPage {
            layout: Layout::of(u),
            bulletins: bulletins::list(&state.db).await?,
            office: u.role().sees_everything(),
            last_month: month_or_last(state, None)?.name(),
            error,
        },
        refused,
    ))
}

/// GET /bulletins.
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    archive(&state, &u, None).await
}

/// The generation form.
#[derive(Deserialize, Default)]
pub struct GenerateForm {
    #[serde(default)]
    pub month: String,
}

/// POST /bulletins (office): generates the month's bulletin (or opens the one issued).
pub async fn generate(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<GenerateForm>,
) -> Result<Response, PageError> {
    let result = async {
        let month = Month::parse(&f.month)?;
        bulletins::generate(&state.db, &state.files, state.moment(), &u.actor(), month).await?;
        Ok::<_, Problem>(format!("/bulletins/{}", month.name()))
    }
    .await;
    after_form(result, |msg| archive(&state, &u, Some(msg))).await
}

/// The printable bulletin.
#[derive(Template)]
#[template(path = "bulletin.html")]
pub struct BulletinPage {
    pub layout: Option<Layout>,
    pub b: Archived,
    pub issued: String,
}

async fn archived(state: &AppState, u: &User, month: &str) -> Result<Archived, Problem> {
    u.rankings_scope()?;
    let month = Month::parse(month)?;
    bulletins::get(&state.db, &month.name())
        .await?
        .ok_or_else(|| Problem::from(anjian_store::error::Error::NotFound))
}

/// GET /bulletins/{YYYY-MM}.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(month): Path<String>,
    PageQuery(_): PageQuery<GenerateForm>,
) -> Result<Response, PageError> {
    let b = archived(&state, &u, &month).await?;
    Ok(render(&BulletinPage {
        layout: Layout::of(&u),
        issued: anjian_core::bulletin::chinese_date(b.content.issued_on),
        b,
    }))
}

/// GET /bulletins/{YYYY-MM}/docx and /xlsx.
pub async fn download(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((month, kind)): Path<(String, String)>,
) -> Result<Response, PageError> {
    if kind != "docx" && kind != "xlsx" {
        return Err(Problem::from(anjian_store::error::Error::NotFound).into());
    }
    let b = archived(&state, &u, &month).await?;
    Ok(crate::download::bulletin(&state, &b, &kind).await?)
}
