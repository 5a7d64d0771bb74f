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

/// An uploaded file checked by its content (type and size) and held in memory, within
/// the body limit, until the handler has accepted the caller and the form: nothing of
/// a refused request reaches the disk.
#[derive(Debug, Clone)]
pub struct Pending {
    pub bytes: axum::body::Bytes,
    pub mime: &'static str,
    pub file_name: String,
}

/// Reads and checks one uploaded file; `None` for an empty file input. A bad file is
/// refused naming it.
pub async fn checked_file(field: Field<'_>) -> Result<Option<Pending>, Problem> {
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
    Ok(Some(Pending {
        bytes,
        mime: kind.mime(),
        file_name: name,
    }))
}

/// Stores accepted files content-addressed; answers what the records keep of them. A
/// file whose record is then refused stays unreferenced until the orphan sweep
/// ([`sweep_orphans`]) removes it.
pub async fn store(state: &AppState, pending: &[Pending]) -> Result<Vec<EvidenceFile>, Problem> {
    let mut out = Vec::with_capacity(pending.len());
    for p in pending {
        let sha256 = state
            .files
            .put(&p.bytes)
            .await
            .map_err(crate::download::storage_unavailable)?;
        out.push(EvidenceFile {
            sha256,
            size: p.bytes.len() as i64,
            mime: p.mime.to_string(),
            file_name: p.file_name.clone(),
        });
    }
    Ok(out)
}

/// The most files a refused form keeps for its next submission.
pub const MAX_KEPT: usize = 10;

fn kept_aad(user_id: i64) -> Vec<u8> {
    format!("kept-upload:{user_id}").into_bytes()
}

/// Files already sent with a refused form, kept for the form's next submission so that
/// nothing is attached twice: each file sealed for `user_id` (a token names a stored
/// file only to the user who sent it), the tokens space-separated for a hidden field.
/// Files never used are removed by [`sweep_orphans`] after a day.
pub fn keep(state: &AppState, user_id: i64, files: &[EvidenceFile]) -> String {
    files
        .iter()
        .take(MAX_KEPT)
        .map(|f| {
            let plain = format!("{}\t{}\t{}\t{}", f.sha256, f.size, f.mime, f.file_name);
            let mut nonce = [0u8; 24];
            getrandom::fill(&mut nonce).expect("the operating system's random source");
            state
                .config
                .keyring
                .seal(plain.as_bytes(), &kept_aad(user_id), nonce)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The files a refused form kept for `user_id` (see [`keep`]); a token that does not
/// open for this user, or names a file no longer stored, is left out.
pub async fn kept(state: &AppState, user_id: i64, tokens: &str) -> Vec<EvidenceFile> {
    let mut out = Vec::new();
    for t in tokens.split_whitespace().take(MAX_KEPT) {
        let Ok(plain) = state.config.keyring.open(t, &kept_aad(user_id)) else {
            continue;
        };
        let plain = String::from_utf8_lossy(&plain).to_string();
        let mut parts = plain.splitn(4, '\t');
        let (Some(sha256), Some(size), Some(mime), Some(file_name)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if !state.files.exists(sha256).await {
            continue;
        }
        out.push(EvidenceFile {
            sha256: sha256.to_string(),
            size: size.parse().unwrap_or(0),
            mime: mime.to_string(),
            file_name: file_name.to_string(),
        });
    }
    out
}

/// The hidden field in which any refused form with files carries them to its next
/// submission (`typed::keep` adds it; [`PhotoForm`] and the report form read it).
pub const KEPT_FILES: &str = "kept_files";

/// The files kept for `user_id` by `tokens`, read back as if sent again.
pub async fn reopened(state: &AppState, user_id: i64, tokens: &str) -> Vec<Pending> {
    let mut out = Vec::new();
    for f in kept(state, user_id, tokens).await {
        let Ok(bytes) = state.files.get(&f.sha256).await else {
            continue;
        };
        let Some(kind) = anjian_core::evidence::sniff(&bytes) else {
            continue;
        };
        out.push(Pending {
            bytes: bytes.into(),
            mime: kind.mime(),
            file_name: f.file_name,
        });
    }
    out
}

/// Removes stored files older than a day that no record references (a request refused
/// after its files were stored, a crash between the file and its row); at most 2,000
/// files looked at per run. Answers how many were removed.
pub async fn sweep_orphans(state: &AppState) -> Result<usize, anjian_store::Error> {
    let old = state
        .files
        .older_than(std::time::Duration::from_secs(24 * 3600), 2000)
        .await
        .map_err(|e| anjian_store::Error::Files(e.to_string()))?;
    if old.is_empty() {
        return Ok(0);
    }
    let used = anjian_store::files::referenced(&state.db, &old).await?;
    let mut n = 0;
    for sha in old.iter().filter(|s| !used.contains(*s)) {
        if state.files.remove(sha).await.is_ok() {
            n += 1;
        }
    }
    Ok(n)
}

/// A page form that may carry photos: multipart (text fields, and files in `photos`)
/// or plain urlencoded (no photos). The text fields deserialize exactly as a
/// [`crate::pages::PageForm`] would.
pub struct PhotoForm<T> {
    pub form: T,
    /// Checked, not stored yet: the handler stores them ([`store`]) once it has
    /// accepted the caller.
    pub photos: Vec<Pending>,
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
        let asking = req
            .extensions()
            .get::<crate::refusals::Asker>()
            .and_then(|a| a.actor())
            .and_then(|a| a.user_id);
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
                photos.extend(checked_file(field).await?);
            } else if name == KEPT_FILES {
                // Files sent with a refused submission of this form come first.
                let tokens = field.text().await.map_err(bad_upload)?;
                if let Some(user) = asking {
                    let mut earlier = reopened(state, user, &tokens).await;
                    earlier.append(&mut photos);
                    photos = earlier;
                }
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
