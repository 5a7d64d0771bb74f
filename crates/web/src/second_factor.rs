//! The second factor in the web layer: sealing the TOTP secret with the field cipher,
//! reading what the user typed into a [`Proof`] on the real clock (also in the demo,
//! whose business clock is shifted: authenticator apps read the real time), and the
//! step-up that opening a reporter's identity or exporting a whole ledger asks for.

use anjian_core::second_factor::{self as sf, Answer, TotpSecret};
use anjian_store::accounts::SessionUser;
use anjian_store::accounts::second_factor::{self as store, Proof};
use axum::http::{HeaderMap, StatusCode};

use crate::AppState;
use crate::error::Problem;

/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "安监平台";

fn aad(user_id: i64) -> Vec<u8> {
    format!("totp:{user_id}").into_bytes()
}

/// A fresh random secret.
pub fn new_secret() -> TotpSecret {
    let mut b = [0u8; 20];
    getrandom::fill(&mut b).expect("the operating system's random source");
    TotpSecret::from_bytes(b)
}

/// Seals a secret for `user_id`'s row.
pub fn seal(state: &AppState, user_id: i64, secret: &TotpSecret) -> String {
    seal_with(&state.config.keyring, user_id, secret)
}

/// Seals a secret for `user_id`'s row with `keyring` (the demo, before serving).
pub fn seal_with(
    keyring: &anjian_core::sealed::Keyring,
    user_id: i64,
    secret: &TotpSecret,
) -> String {
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).expect("the operating system's random source");
    keyring.seal(secret.bytes(), &aad(user_id), nonce)
}

/// Opens a sealed secret of `user_id` (a key problem is a server error: the secret
/// key file does not match the data).
pub fn open(state: &AppState, user_id: i64, sealed: &str) -> Result<TotpSecret, Problem> {
    state
        .config
        .keyring
        .open(sealed, &aad(user_id))
        .ok()
        .and_then(TotpSecret::from_stored)
        .ok_or_else(|| {
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "second_factor_unreadable",
                "无法读取双因素密钥，请联系安全管理员",
            )
        })
}

/// Seconds since the Unix epoch on the real clock.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// What `typed` proves for an account whose sealed secret is `sealed` and whose last
/// accepted step is `last_step`: `None` when it is no current code and no recovery
/// code in the right form (whether a recovery code is unused is decided when it is
/// spent).
pub fn proof(
    state: &AppState,
    user_id: i64,
    sealed: &str,
    last_step: i64,
    typed: &str,
) -> Result<Option<Proof>, Problem> {
    Ok(match Answer::parse(typed) {
        Some(Answer::Code(code)) => open(state, user_id, sealed)?
            .matching_step(&code, unix_now(), last_step)
            .map(Proof::Step),
        Some(Answer::Recovery(r)) => Some(Proof::Recovery(sf::recovery_hash(&r))),
        None => None,
    })
}

/// New recovery codes: what the user is shown once, and the hashes to store.
pub fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    let mut b = [0u8; 12 * sf::RECOVERY_CODES];
    getrandom::fill(&mut b).expect("the operating system's random source");
    let shown = sf::recovery_codes(&b);
    let hashes = shown
        .iter()
        .filter_map(|c| match Answer::parse(c) {
            Some(Answer::Recovery(n)) => Some(sf::recovery_hash(&n)),
            _ => None,
        })
        .collect();
    (shown, hashes)
}

/// 401 `invalid_second_factor`.
pub fn invalid() -> Problem {
    Problem::new(
        StatusCode::UNAUTHORIZED,
        "invalid_second_factor",
        "动态验证码或恢复码不正确",
    )
}

/// Whether the user's session stepped up within the last five minutes.
pub fn fresh(state: &AppState, u: &SessionUser) -> bool {
    u.stepped_up_at > 0 && state.now() - u.stepped_up_at < sf::STEP_UP_MS
}

/// The step-up before opening a reporter's identity or exporting a whole ledger:
/// passes when the session stepped up within five minutes, or when `typed` is a good
/// code (the step-up is then recorded on the session, with its own audit entry). Refuses
/// with 403 `second_factor_enrolment_required` for an account without a second factor
/// (the identity route) and 403 `step_up_required` otherwise. With `optional`, an
/// account without a second factor passes (the ledger exports of roles that need none).
pub async fn step_up(
    state: &AppState,
    u: &SessionUser,
    headers: &HeaderMap,
    typed: Option<&str>,
    optional: bool,
) -> Result<(), Problem> {
    let Some(s) = pending(state, u, headers, typed, optional).await? else {
        return Ok(());
    };
    store::step_up(&state.db, state.now(), &u.actor(), &s)
        .await
        .map_err(spent)
}

/// The step-up an action still has to take in its own transaction (`None` when the
/// session stepped up within five minutes, or, with `optional`, for an account without
/// a second factor); the refusals of [`step_up`] otherwise. The store function that
/// takes it records the verification in the action's one audit entry.
pub async fn pending(
    state: &AppState,
    u: &SessionUser,
    headers: &HeaderMap,
    typed: Option<&str>,
    optional: bool,
) -> Result<Option<store::StepUp>, Problem> {
    if u.second_factor_at == 0 {
        return if optional {
            Ok(None)
        } else {
            Err(enrolment_required())
        };
    }
    if fresh(state, u) {
        return Ok(None);
    }
    let required = || {
        Problem::new(
            StatusCode::FORBIDDEN,
            "step_up_required",
            "请再次输入动态验证码以确认是本人操作",
        )
    };
    let (Some(typed), Some(token)) = (
        typed.filter(|t| !t.trim().is_empty()),
        crate::auth::cookie_token(headers),
    ) else {
        return Err(required());
    };
    let f = store::of(&state.db, u.user_id).await?;
    let Some(sealed) = f.secret.as_deref() else {
        return Err(enrolment_required());
    };
    let Some(proof) = proof(state, u.user_id, sealed, f.last_step, typed)? else {
        return Err(invalid_step_up());
    };
    Ok(Some(store::StepUp {
        token_hash: anjian_store::accounts::sessions::token_hash(&token),
        proof,
    }))
}

/// A store error of an action that spent a step-up: a code already used (a conflict)
/// is the step-up's refusal.
pub fn spent(e: anjian_store::Error) -> Problem {
    match e {
        anjian_store::Error::Conflict { .. } => invalid_step_up(),
        e => e.into(),
    }
}

fn invalid_step_up() -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "invalid_second_factor",
        "动态验证码或恢复码不正确，或已使用过",
    )
}

/// 403 `second_factor_enrolment_required`.
pub fn enrolment_required() -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "second_factor_enrolment_required",
        "请先在“我的账户”中启用双因素认证",
    )
}

/// Starts an enrolment with a new secret.
pub async fn begin(state: &AppState, u: &SessionUser) -> Result<(), Problem> {
    let sealed = seal(state, u.user_id, &new_secret());
    store::begin(&state.db, state.now(), &u.actor(), u.user_id, &sealed).await?;
    Ok(())
}

/// Confirms the pending secret with its first code; answers the recovery codes.
pub async fn confirm(
    state: &AppState,
    u: &SessionUser,
    typed: &str,
) -> Result<Vec<String>, Problem> {
    let f = store::of(&state.db, u.user_id).await?;
    let Some(pending) = f.pending.as_deref() else {
        return Err(Problem::bad_field(
            "no_enrolment",
            "totp",
            "没有待确认的双因素认证，请先点“开始启用”",
        ));
    };
    let step = anjian_core::second_factor::Answer::parse(typed)
        .and_then(|a| match a {
            anjian_core::second_factor::Answer::Code(c) => Some(c),
            _ => None,
        })
        .map(|c| {
            open(state, u.user_id, pending).map(|s| s.matching_step(&c, unix_now(), f.last_step))
        })
        .transpose()?
        .flatten()
        .ok_or_else(|| {
            Problem::bad_field(
                "invalid_second_factor",
                "totp",
                "动态验证码不正确：请核对手机时间，输入验证器当前显示的6位数字",
            )
        })?;
    let (shown, hashes) = new_recovery_codes();
    store::enable(&state.db, state.now(), &u.actor(), u.user_id, step, &hashes).await?;
    Ok(shown)
}

/// New recovery codes, proven by a current code.
pub async fn renew(state: &AppState, u: &SessionUser, typed: &str) -> Result<Vec<String>, Problem> {
    let proof = current_proof(state, u, typed).await?;
    let (shown, hashes) = new_recovery_codes();
    store::renew_recovery(
        &state.db,
        state.now(),
        &u.actor(),
        u.user_id,
        &proof,
        &hashes,
    )
    .await
    .map_err(|e| match e {
        anjian_store::Error::Conflict { .. } => wrong_code(),
        e => e.into(),
    })?;
    Ok(shown)
}

fn wrong_code() -> Problem {
    Problem::bad_field(
        "invalid_second_factor",
        "totp",
        "动态验证码或恢复码不正确，或已使用过",
    )
}

async fn current_proof(state: &AppState, u: &SessionUser, typed: &str) -> Result<Proof, Problem> {
    let f = store::of(&state.db, u.user_id).await?;
    let Some(secret) = f.secret.as_deref() else {
        return Err(enrolment_required());
    };
    proof(state, u.user_id, secret, f.last_step, typed)?.ok_or_else(wrong_code)
}
