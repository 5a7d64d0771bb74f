//! Files handed to the browser, the same for the JSON API and the pages.

use anjian_store::bulletins::Archived;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::Problem;

/// `Content-Disposition` for a download saved as `name` (RFC 6266): the Chinese name in
/// `filename*` (UTF-8, percent-encoded), and for the few clients that read only
/// `filename` the name itself if it is plain ASCII, else `download` with its extension.
pub fn attachment(name: &str) -> String {
    let plain = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let fallback = if plain {
        name.to_string()
    } else {
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("bin");
        format!("download.{ext}")
    };
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        crate::auth::urlencode(name)
    )
}

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
    let name = format!("安全生产月度通报{}.{ext}", b.month);
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, attachment(&name)),
        ],
        bytes,
    )
        .into_response())
}
