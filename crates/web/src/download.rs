//! Files handed to the browser, the same for the JSON API and the pages.

use anjian_store::bulletins::Archived;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::Problem;

/// The bulletin's file of `kind` (docx or xlsx) as a download.
pub(crate) async fn bulletin(
    state: &AppState,
    b: &Archived,
    kind: &str,
) -> Result<Response, Problem> {
    let (sha, mime, ext) = match kind {
        "docx" => (
            &b.docx_sha256,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        _ => (
            &b.xlsx_sha256,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let bytes =
        state.files.get(sha).await.map_err(|_| {
            Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "files", "通报文件缺失")
        })?;
    let name = format!("bulletin-{}.{ext}", b.month);
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
