//! Files handed to the browser, the same for the JSON API and the pages.

use anjian_store::bulletins::Archived;
use anjian_store::files::FilesError;
use axum::body::Body;
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
    let opened = state.files.open(sha).await.map_err(|e| match e {
        FilesError::NotFound => {
            Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "files", "通报文件缺失")
        }
        e => storage_unavailable(e),
    })?;
    let name = format!("安全生产月度通报{}.{ext}", b.month);
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, attachment(&name)),
            (header::CONTENT_LENGTH, opened.size.to_string()),
        ],
        Body::from_stream(opened.body),
    )
        .into_response())
}

/// The file store cannot be reached: 503, nothing written (the row comes after its
/// object), the user asked to try again later.
pub fn storage_unavailable(e: FilesError) -> Problem {
    tracing::warn!(error = %e, "file store unavailable");
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "storage_unavailable",
        "文件存储暂时无法访问，本次内容未保存，请稍后再试",
    )
}

/// A stored object as a download: streamed, never read whole into memory; its type
/// from the record (`mime`) or, when `None`, from its first bytes. 404 when no such
/// object; 503 when the store cannot be reached.
pub async fn stored(
    state: &AppState,
    sha: &str,
    mime: Option<&str>,
    name: &str,
) -> Result<Response, Problem> {
    let opened = state.files.open(sha).await.map_err(|e| match e {
        FilesError::NotFound => Problem::not_found(),
        e => storage_unavailable(e),
    })?;
    let mime = match mime {
        Some(m) => m.to_string(),
        None => anjian_core::evidence::sniff(&opened.head)
            .map_or("application/octet-stream", |k| k.mime())
            .to_string(),
    };
    let disposition = disposition(&mime, name);
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
            (header::CONTENT_LENGTH, opened.size.to_string()),
        ],
        Body::from_stream(opened.body),
    )
        .into_response())
}

/// How an uploaded file of type `mime` is handed over: images and PDF shown inline,
/// anything else saved as an attachment under `name`, never rendered by the browser.
pub fn disposition(mime: &str, name: &str) -> String {
    if mime.starts_with("image/") || mime == "application/pdf" {
        "inline".to_string()
    } else {
        attachment(name)
    }
}

#[cfg(test)]
mod tests {
    /// An uploaded Word file is saved, never rendered; a photo or a PDF is shown.
    #[test]
    fn uploads_other_than_images_and_pdf_download_as_attachments() {
        let d = super::disposition(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "整改报告.docx",
        );
        assert!(d.starts_with("attachment;") && d.contains("UTF-8''"), "{d}");
        for mime in ["image/jpeg", "application/pdf"] {
            assert_eq!(super::disposition(mime, "x"), "inline");
        }
    }
}
