//! Reading multipart uploads: one way to refuse an unreadable or oversized body, and the
//! single-file forms (sheet imports) read in one place.

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;

use crate::error::Problem;

/// An upload that cannot be read, or is over the body limit (10 MB per request).
pub fn bad_upload(e: MultipartError) -> Problem {
    Problem::new(
        e.status(),
        "bad_upload",
        "上传的内容无法读取或过大（合计不超过10MB）",
    )
}

/// The bytes of the form's `file` field (empty when none was chosen).
pub async fn file_field(form: &mut Multipart) -> Result<Vec<u8>, Problem> {
    let mut bytes = Vec::new();
    while let Some(field) = form.next_field().await.map_err(bad_upload)? {
        if field.name() == Some("file") {
            bytes = field.bytes().await.map_err(bad_upload)?.to_vec();
        }
    }
    Ok(bytes)
}
