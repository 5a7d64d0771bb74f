//! A person's duty file page (履职档案): one official's year, printable, and as .docx
//! and .xlsx.

use anjian_store::duty_file::{self, DutyFile};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;

use super::{Layout, PageQuery};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem};

/// The page.
#[derive(Template)]
#[template(path = "duty_file.html")]
pub struct FilePage {
    pub layout: Option<Layout>,
    pub f: DutyFile,
}

/// `?year=` (default this year).
#[derive(Deserialize, Default)]
pub struct FileQuery {
    pub year: Option<String>,
}

async fn file_of(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    id: &str,
    q: &FileQuery,
) -> Result<DutyFile, Problem> {
    let scope = u.register_scope()?;
    let id = crate::input::path_id(id)?;
    let year = match q.year.as_deref().filter(|y| !y.trim().is_empty()) {
        Some(y) => super::assessments::year_of(y)?,
        None => state.today().year(),
    };
    Ok(duty_file::of(&state.db, &scope, id, year, state.today()).await?)
}

/// GET /officials/{id}/file?year=.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<FileQuery>,
) -> Result<Response, PageError> {
    let f = file_of(&state, &u, &id, &q).await?;
    Ok(crate::error::render(&FilePage {
        layout: Layout::of(&u),
        f,
    }))
}

/// GET /officials/{id}/file.docx?year= and /officials/{id}/file.xlsx?year=.
async fn download(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    id: &str,
    q: &FileQuery,
    docx: bool,
) -> Result<Response, PageError> {
    let f = file_of(state, u, id, q).await?;
    let issuer = anjian_store::settings::get(&state.db, anjian_store::bulletins::ISSUER)
        .await?
        .unwrap_or_else(|| "区安全生产委员会办公室".into());
    let doc = duty_file::document(&f, &issuer);
    super::document_response(
        &doc,
        &format!("{}{}年度履职档案", f.official.name, f.year),
        docx,
    )
}

/// GET /officials/{id}/file.docx?year=.
pub async fn docx(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<FileQuery>,
) -> Result<Response, PageError> {
    download(&state, &u, &id, &q, true).await
}

/// GET /officials/{id}/file.xlsx?year=.
pub async fn xlsx(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<FileQuery>,
) -> Result<Response, PageError> {
    download(&state, &u, &id, &q, false).await
}
