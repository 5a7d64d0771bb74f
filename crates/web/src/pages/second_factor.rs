//! The user's second factor: enrolment with a QR code, the recovery codes shown once,
//! and the step-up page that asks for a code again before a sensitive read.

use anjian_core::second_factor::STEP_UP_MS;
use anjian_store::accounts::SessionUser;
use anjian_store::accounts::second_factor as store;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Layout, PageForm, PageQuery};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render};
use crate::second_factor as sf;

/// The second-factor page.
#[derive(Template)]
#[template(path = "second_factor.html")]
pub struct SecondFactorPage {
    pub layout: Option<Layout>,
    /// The role needs a second factor and the account has none: nothing else opens.
    pub required: bool,
    /// When it was enabled (local time), if it is.
    pub enabled_at: Option<String>,
    pub recovery_left: i64,
    /// An enrolment under way: the QR code (SVG), the secret typed by hand.
    pub pending: Option<(String, String)>,
    /// Recovery codes just made, shown this once.
    pub recovery_codes: Vec<String>,
    pub error: Option<String>,
}

async fn page(
    state: &AppState,
    u: &SessionUser,
    recovery_codes: Vec<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let f = store::of(&state.db, u.user_id).await?;
    let pending = match f.pending.as_deref() {
        Some(sealed) => {
            let secret = sf::open(state, u.user_id, sealed)?;
            let uri = secret.otpauth_uri(sf::ISSUER, &u.username);
            let svg = anjian_core::qr::svg(&uri, 220).unwrap_or_default();
            Some((svg, secret.base32()))
        }
        None => None,
    };
    let mut r = render(&SecondFactorPage {
        layout: Layout::of(u),
        required: f.secret.is_none() && crate::auth::enrolment_due(state, u).await,
        enabled_at: f.enabled_at.map(anjian_core::time::format_local),
        recovery_left: f.recovery_left,
        pending,
        recovery_codes,
        error: error.clone(),
    });
    if error.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// GET /account/second-factor.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    page(&state, &u, Vec::new(), None).await
}

/// A code typed on the enrolment page.
#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    totp: String,
}

/// POST /account/second-factor/begin: a new secret, pending until confirmed.
pub async fn begin(
    State(state): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    let r = sf::begin(&state, &u).await.map(|()| Vec::new());
    after(&state, &u, r).await
}

/// POST /account/second-factor/confirm: the pending secret's first code; shows the
/// recovery codes once.
pub async fn confirm(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<CodeForm>,
) -> Result<Response, PageError> {
    let r = sf::confirm(&state, &u, &f.totp).await;
    after(&state, &u, r).await
}

/// POST /account/second-factor/renew: new recovery codes, with a current code.
pub async fn renew(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<CodeForm>,
) -> Result<Response, PageError> {
    let r = sf::renew(&state, &u, &f.totp).await;
    after(&state, &u, r).await
}

/// The page after a step: the recovery codes it made, or its refusal.
async fn after(
    state: &AppState,
    u: &SessionUser,
    r: Result<Vec<String>, Problem>,
) -> Result<Response, PageError> {
    let state = state.clone();
    let u = u.clone();
    match r {
        Ok(codes) => page(&state, &u, codes, None).await,
        Err(p) if p.status.is_client_error() => page(&state, &u, Vec::new(), Some(p.message)).await,
        Err(p) => Err(p.into()),
    }
}

/// The step-up page.
#[derive(Template)]
#[template(path = "step_up.html")]
pub struct StepUpPage {
    pub layout: Option<Layout>,
    pub next: String,
    pub minutes: i64,
    pub error: Option<String>,
}

/// `?next=` of the step-up page.
#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// GET /account/step-up.
pub async fn step_up_page(PageUser(u): PageUser, PageQuery(q): PageQuery<NextQuery>) -> Response {
    render(&StepUpPage {
        layout: Layout::of(&u),
        next: super::session::safe_next(q.next.as_deref()),
        minutes: STEP_UP_MS / 60_000,
        error: None,
    })
}

/// The step-up form.
#[derive(Deserialize)]
pub struct StepUpForm {
    #[serde(default)]
    totp: String,
    next: Option<String>,
}

/// POST /account/step-up: a good code marks the session and goes on to `next`.
pub async fn step_up(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageUser(u): PageUser,
    PageForm(f): PageForm<StepUpForm>,
) -> Result<Response, PageError> {
    let next = super::session::safe_next(f.next.as_deref());
    match sf::step_up(&state, &u, &headers, Some(&f.totp), false).await {
        Ok(()) => Ok(Redirect::to(&next).into_response()),
        Err(p) if p.status.is_client_error() => {
            let mut r = render(&StepUpPage {
                layout: Layout::of(&u),
                next,
                minutes: STEP_UP_MS / 60_000,
                error: Some(p.message),
            });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(p) => Err(p.into()),
    }
}

/// For a page export of a whole ledger: passes when the account has no second factor
/// or stepped up within five minutes, and otherwise sends the user to the step-up page,
/// which comes back to `uri`.
pub fn export_gate(state: &AppState, u: &SessionUser, uri: &axum::http::Uri) -> Option<Response> {
    if u.second_factor_at == 0 || sf::fresh(state, u) {
        return None;
    }
    let next = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    Some(
        Redirect::to(&format!(
            "/account/step-up?next={}",
            crate::auth::urlencode(next)
        ))
        .into_response(),
    )
}
