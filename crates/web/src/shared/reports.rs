//! A progress report read from its multipart form and submitted, for the API and the
//! obligation page alike (also the hazard page's rectification report).

use crate::AppState;
use crate::error::Problem;
use anjian_store::reports;
use axum::extract::Multipart;

/// A progress report as its form sends it.
pub struct ReportForm {
    pub text: String,
    /// How many the report covers (where the obligation asks for a minimum).
    pub counted: String,
    /// Checked, not stored yet: stored by the caller once it has accepted the user.
    pub files: Vec<crate::upload::Pending>,
    /// Files kept from a refused submission (`upload::KEPT_FILES`).
    pub kept: String,
}

/// Reads a progress report's multipart form: `text`, `counted`, and any number of
/// `evidence` files, each checked by its content (type and size) and held until the
/// caller stores them. An empty file input is skipped; a bad file is refused naming it.
pub async fn read_report(form: &mut Multipart) -> Result<ReportForm, Problem> {
    let bad_upload = crate::upload::bad_upload;
    let mut text = String::new();
    let mut counted = String::new();
    let mut files = Vec::new();
    let mut kept = String::new();
    while let Some(field) = form.next_field().await.map_err(bad_upload)? {
        match field.name() {
            Some("text") => text = field.text().await.map_err(bad_upload)?,
            Some("counted") => counted = field.text().await.map_err(bad_upload)?,
            Some(crate::upload::KEPT_FILES) => kept = field.text().await.map_err(bad_upload)?,
            Some("evidence") => files.extend(crate::upload::checked_file(field).await?),
            _ => {}
        }
    }
    Ok(ReportForm {
        text,
        counted,
        files,
        kept,
    })
}

/// Submits a report from its multipart form (page and API alike): only a user of the
/// obligation's own unit with a reporting role; the obligation must be in scope (404).
pub async fn submit_form(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    id: i64,
    form: &mut Multipart,
) -> Result<i64, Problem> {
    // Asked before the report's files are stored.
    reports::may_submit(&state.db, &u.actor(), &u.scope(), id).await?;
    let f = read_report(form).await?;
    // Files sent with a refused submission of this report, then this one's.
    let mut files = crate::upload::kept(state, u.user_id, &f.kept).await;
    files.extend(crate::upload::store(state, &f.files).await?);
    Ok(reports::submit(
        &state.db,
        state.now(),
        &u.actor(),
        &u.scope(),
        id,
        reports::Submission {
            text: &f.text,
            counted: &f.counted,
            files: &files,
        },
    )
    .await?)
}
