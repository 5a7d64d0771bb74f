//! The public tip pages (no login, phone first): the form with photos and the choice of
//! giving one's identity; the receipt, shown once; following a tip by its receipt, with
//! the handler's questions, answers and more material; and the form's QR code for
//! posters. Photos are kept as sent, and a copy without metadata is what handlers open.

use anjian_core::tip::{Category, Reporter, TipInput};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;
use crate::error::{PageError, Problem, render_form};
use crate::shared::tips::{by_receipt, keep};
use crate::upload::PhotoForm;

/// The form.
#[derive(Template)]
#[template(path = "tip_form.html")]
pub struct TipFormPage {
    pub categories: Vec<(&'static str, &'static str)>,
    pub sectors: Vec<String>,
    pub error: Option<String>,
    /// Photos sent with a refused submission (sealed tokens) and their names.
    pub kept: String,
    pub kept_names: Vec<String>,
}

async fn form_page(
    state: &AppState,
    error: Option<String>,
    kept: (String, Vec<String>),
) -> Result<Response, PageError> {
    let refused = error.is_some();
    Ok(render_form(
        &TipFormPage {
            categories: Category::ALL
                .iter()
                .map(|c| (c.as_str(), c.label()))
                .collect(),
            sectors: anjian_store::hazards::sectors(&state.db)
                .await?
                .into_iter()
                .map(|(_, s)| s)
                .collect(),
            error,
            kept: kept.0,
            kept_names: kept.1,
        },
        refused,
    ))
}

/// GET /tip.
pub async fn form(State(state): State<AppState>) -> Result<Response, PageError> {
    form_page(&state, None, Default::default()).await
}

/// The form's fields (also the tip's fields of a handler's form for another channel).
#[derive(Deserialize, Default, Clone)]
pub struct TipForm {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub sector: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub reported_unit: String,
    #[serde(default)]
    pub description: String,
    /// "real" to give one's identity.
    #[serde(default)]
    pub identity: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub id_number: String,
    /// Photos kept from a refused submission ([`draft_photos`]).
    #[serde(default)]
    pub kept: String,
}

impl TipForm {
    /// The tip as typed: the identity only when "real" is chosen.
    pub fn input(&self) -> TipInput {
        TipInput {
            category: self.category.clone(),
            sector: self.sector.clone(),
            place: self.place.clone(),
            reported_unit: self.reported_unit.clone(),
            description: self.description.clone(),
            reporter: (self.identity == "real").then(|| Reporter {
                name: self.name.clone(),
                phone: self.phone.clone(),
                id_number: self.id_number.clone(),
            }),
        }
    }
}

/// Who a citizen's kept photos are sealed for: the public form has no user, so the
/// token (only ever given to the one who sent the photos) is what names them.
const PUBLIC: i64 = 0;
const DRAFT_AAD: &[u8] = b"tip-draft";

/// Keeps the photos of a refused tip for its next submission without a readable copy
/// on the disk: each original is sealed with the field cipher and stored, and the form
/// carries sealed tokens naming them ([`crate::upload::keep`]). Answers the tokens and
/// the photos' names.
async fn draft_photos(
    state: &AppState,
    earlier: Vec<crate::upload::Pending>,
    photos: &[crate::upload::Pending],
) -> Result<(String, Vec<String>), Problem> {
    let mut sealed = Vec::new();
    for p in earlier.iter().chain(photos).take(crate::upload::MAX_KEPT) {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|_| Problem::internal())?;
        let s = state.config.keyring.seal(&p.bytes, DRAFT_AAD, nonce);
        sealed.push(crate::upload::Pending {
            bytes: s.into_bytes().into(),
            ..p.clone()
        });
    }
    let stored = crate::upload::store(state, &sealed).await?;
    let names = stored.iter().map(|f| f.file_name.clone()).collect();
    Ok((crate::upload::keep(state, PUBLIC, &stored), names))
}

/// The photos kept by [`draft_photos`], opened again; a token or file that does not
/// open is left out.
async fn opened_drafts(state: &AppState, tokens: &str) -> Vec<crate::upload::Pending> {
    let mut out = Vec::new();
    for f in crate::upload::kept(state, PUBLIC, tokens).await {
        let Ok(stored) = state.files.get(&f.sha256).await else {
            continue;
        };
        let Ok(text) = String::from_utf8(stored) else {
            continue;
        };
        let Ok(bytes) = state.config.keyring.open(&text, DRAFT_AAD) else {
            continue;
        };
        let Some(kind) = anjian_core::evidence::sniff(&bytes) else {
            continue;
        };
        out.push(crate::upload::Pending {
            bytes: bytes.into(),
            mime: kind.mime(),
            file_name: f.file_name,
        });
    }
    out
}

/// The receipt, shown once.
#[derive(Template)]
#[template(path = "tip_receipt.html")]
pub struct ReceiptPage {
    pub receipt: String,
}

/// Stores `photos` for tip `id`: the handlers' copy without metadata (EXIF, GPS), and
/// the original sealed with the field cipher (it may name the reporter's phone or
/// place), so that no readable original is ever on the disk. Answers the files for the
/// store to record with the tip or the follow-up, in the same transaction.
async fn seal(
    state: &AppState,
    id: i64,
    photos: &[crate::upload::Pending],
) -> Result<Vec<anjian_store::tips::TipFile>, Problem> {
    let mut files = Vec::new();
    for p in photos {
        let clean = anjian_core::strip::strip_metadata(&p.bytes);
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|_| Problem::internal())?;
        let sealed =
            state
                .config
                .keyring
                .seal(&p.bytes, format!("tip-file:{id}").as_bytes(), nonce);
        let stored = crate::upload::store(
            state,
            &[
                crate::upload::Pending {
                    bytes: sealed.into_bytes().into(),
                    ..p.clone()
                },
                crate::upload::Pending {
                    bytes: clean.into(),
                    ..p.clone()
                },
            ],
        )
        .await?;
        files.push(anjian_store::tips::TipFile {
            sha256: stored[0].sha256.clone(),
            clean_sha256: stored[1].sha256.clone(),
            size: p.bytes.len() as i64,
            mime: p.mime.to_string(),
        });
    }
    Ok(files)
}

/// POST /tip: keeps the tip and shows its receipt once.
pub async fn submit(
    State(state): State<AppState>,
    PhotoForm { form: f, photos }: PhotoForm<TipForm>,
) -> Result<Response, PageError> {
    let input = f.input();
    // Photos sent with an earlier refused submission come first.
    let earlier = opened_drafts(&state, &f.kept).await;
    let all: Vec<_> = earlier.iter().chain(&photos).cloned().collect();
    let result = async {
        let tip = anjian_core::tip::check(&input)?;
        // The id is chosen first: the photos' originals are sealed with it, and the tip
        // and its photos are kept in one transaction.
        let id = anjian_store::ids::next_id(state.now());
        let files = seal(&state, id, &all).await?;
        let public = anjian_store::tips::public();
        let (_, receipt) = keep(
            &state,
            &tip,
            id,
            &files,
            crate::shared::tips::web(&state, &public),
        )
        .await?;
        Ok::<_, Problem>(receipt)
    }
    .await;
    match result {
        Ok(receipt) => Ok(crate::error::render(&ReceiptPage {
            receipt: anjian_core::tip::group_receipt(&receipt),
        })),
        Err(p) if p.status.is_client_error() => {
            let r = crate::pages::Refusal::of(&p);
            let kept = draft_photos(&state, earlier, &photos).await?;
            let page = form_page(&state, Some(r.summary.clone()), kept).await?;
            Ok(crate::pages::with_refusal(page, r))
        }
        Err(p) => Err(p.into()),
    }
}

/// Following a tip.
#[derive(Template)]
#[template(path = "tip_status.html")]
pub struct StatusPage {
    pub receipt: String,
    pub view: Option<anjian_store::tips::PublicView>,
    pub error: Option<String>,
    pub flash: Option<String>,
}

/// GET /tip/status: the receipt box.
pub async fn status_form() -> Response {
    crate::error::render(&StatusPage {
        receipt: String::new(),
        view: None,
        error: None,
        flash: None,
    })
}

/// The receipt, an answer and material.
#[derive(Deserialize, Default)]
pub struct StatusForm {
    #[serde(default)]
    pub receipt: String,
    #[serde(default)]
    pub text: String,
}

/// POST /tip/status: the tip's status by receipt; with `text` or photos, the answer or
/// the material is added first.
pub async fn status(
    State(state): State<AppState>,
    PhotoForm { form: f, photos }: PhotoForm<StatusForm>,
) -> Result<Response, PageError> {
    let result = async {
        let (id, _) = by_receipt(&state, &f.receipt).await?;
        let text = Some(f.text.as_str()).filter(|t| !t.trim().is_empty());
        let files = seal(&state, id, &photos).await?;
        anjian_store::tips::follow_up(&state.db, state.now(), id, text, &files).await?;
        let flash = match (text.is_some(), files.is_empty()) {
            (true, _) => Some("已提交回复".to_string()),
            (false, false) => Some("已补充材料".to_string()),
            (false, true) => None,
        };
        let view = anjian_store::tips::public_view(&state.db, id).await?;
        Ok::<_, Problem>((view, flash))
    }
    .await;
    let receipt = f.receipt.clone();
    match result {
        Ok((view, flash)) => Ok(crate::error::render(&StatusPage {
            receipt,
            view: Some(view),
            error: None,
            flash,
        })),
        Err(p) if p.status.is_client_error() => {
            let message = if p.status == StatusCode::NOT_FOUND {
                "回执码不正确".to_string()
            } else {
                crate::pages::flash_of(&p)
            };
            Ok(render_form(
                &StatusPage {
                    receipt,
                    view: None,
                    error: Some(message),
                    flash: None,
                },
                true,
            ))
        }
        Err(p) => Err(p.into()),
    }
}

/// The form's address as the visitor reached this server.
fn form_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let https = headers
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes() == b"https");
    format!("{}://{host}/tip", if https { "https" } else { "http" })
}

/// GET /tip/qr.svg and /tip/qr.png: the form's QR code.
pub async fn qr(
    headers: HeaderMap,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Response {
    let url = form_url(&headers);
    match file.as_str() {
        "qr.svg" => match anjian_core::qr::svg(&url, 256) {
            Some(svg) => ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response(),
            None => PageError(Problem::internal()).into_response(),
        },
        "qr.png" => match anjian_core::qr::png(&url, 8) {
            Some(png) => ([(header::CONTENT_TYPE, "image/png")], png).into_response(),
            None => PageError(Problem::internal()).into_response(),
        },
        _ => PageError(Problem::not_found()).into_response(),
    }
}
