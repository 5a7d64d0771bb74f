//! Reading multipart uploads: one way to refuse an unreadable or oversized body, the
//! single-file forms (sheet imports), and forms with photos (a hazard's before-photos, a
//! visit's findings), whose files are checked by content and stored content-addressed.

use anjian_store::reports::EvidenceFile;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::{PageError, Problem};

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

/// Stores one uploaded file after checking its content (type and size); `None` for an
/// empty file input. A bad file is refused naming it.
pub async fn evidence_file(
    state: &AppState,
    field: Field<'_>,
) -> Result<Option<EvidenceFile>, Problem> {
    let name: String = field
        .file_name()
        .unwrap_or("材料")
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    let bytes = field.bytes().await.map_err(bad_upload)?;
    if bytes.is_empty() {
        return Ok(None);
    }
    let kind = anjian_core::evidence::check(&bytes).map_err(|e| {
        Problem::from(anjian_core::FieldError {
            message: format!("「{name}」：{}", e.message),
            ..e
        })
    })?;
    let sha256 = state.files.put(&bytes).await.map_err(|_| {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "file_store",
            "保存佐证材料失败",
        )
    })?;
    Ok(Some(EvidenceFile {
        sha256,
        size: bytes.len() as i64,
        mime: kind.mime().to_string(),
        file_name: name,
    }))
}

/// A page form that may carry photos: multipart (text fields, and files in `photos`)
/// or plain urlencoded (no photos). The text fields deserialize exactly as a
/// [`crate::pages::PageForm`] would.
pub struct PhotoForm<T> {
    pub form: T,
    pub photos: Vec<EvidenceFile>,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for PhotoForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let crate::pages::PageForm(form) =
                crate::pages::PageForm::<T>::from_request(req, state).await?;
            return Ok(PhotoForm {
                form,
                photos: Vec::new(),
            });
        }
        let mut body = Multipart::from_request(req, state)
            .await
            .map_err(|_| PageError(bad_form()))?;
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut photos = Vec::new();
        while let Some(field) = body.next_field().await.map_err(bad_upload)? {
            let Some(name) = field.name().map(str::to_string) else {
                continue;
            };
            if name == "photos" {
                photos.extend(evidence_file(state, field).await?);
            } else {
                fields.push((name, field.text().await.map_err(bad_upload)?));
            }
        }
        let encoded = serde_urlencoded::to_string(&fields).map_err(|_| bad_form())?;
        let form = serde_urlencoded::from_str(&encoded).map_err(|_| bad_form())?;
        Ok(PhotoForm { form, photos })
    }
}

fn bad_form() -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "bad_form",
        "表单内容无法识别，请刷新页面后重试",
    )
}
