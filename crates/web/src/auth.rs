//! Who is asking: the session cookie or an API token, resolved once per request into
//! a [`SessionUser`] with its scope. Also login and logout.

use anjian_core::password::{PasswordPolicy, parse_username};
use anjian_store::accounts::{SessionUser, sessions, throttle, users};
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::AppState;
use crate::error::{ApiError, PageError, Problem};

/// Name of the session cookie over plain HTTP.
pub const COOKIE: &str = "anjian_session";

/// Name of the session cookie over TLS: a browser keeps a `__Host-` cookie only when it
/// is `Secure`, has `Path=/` and no `Domain`, so no other host or plain-HTTP page of the
/// site can set or shadow it.
pub const HOST_COOKIE: &str = "__Host-anjian_session";

/// The session token in the request's cookies (the `__Host-` cookie first).
pub fn cookie_token(headers: &HeaderMap) -> Option<String> {
    let pairs: Vec<(&str, &str)> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .collect();
    [HOST_COOKIE, COOKIE]
        .iter()
        .find_map(|name| pairs.iter().find(|(k, _)| k == name))
        .map(|(_, v)| v.to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn bearer_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
        .filter(|t| t.starts_with("ajt_") && t.len() < 200)
}

/// Resolves the request's user, if any, with the security policy in force, refreshing
/// the session's idle clock at most once a minute.
async fn authenticate(
    parts: &Parts,
    state: &AppState,
) -> Result<Option<(SessionUser, PasswordPolicy)>, Problem> {
    let now = state.now();
    let token = if let Some(token) = bearer_token(&parts.headers) {
        Err(token)
    } else if let Some(token) = cookie_token(&parts.headers) {
        Ok(token)
    } else {
        return Ok(None);
    };
    let policy = anjian_store::settings::password_policy(&state.db).await?;
    let user = match &token {
        Err(bearer) => sessions::lookup_token(&state.db, now, bearer).await?,
        Ok(cookie) => {
            let user = sessions::lookup(&state.db, now, cookie, policy.idle_ms()).await?;
            if let Some(u) = &user
                && now - u.last_seen_at > 60_000
            {
                sessions::touch(&state.db, now, cookie).await?;
            }
            user
        }
    };
    Ok(user.map(|u| (u, policy)))
}

/// What the account must do before anything else, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    /// Choose a new password (reset by an administrator, or past the rotation period).
    Password,
    /// Enrol a second factor (the role needs one and the account has none).
    SecondFactor,
}

fn due(state: &AppState, u: &SessionUser, policy: &PasswordPolicy) -> Option<Due> {
    if u.must_change_password == 1 || policy.expired(u.password_changed_at, state.now()) {
        Some(Due::Password)
    } else if policy.needs_second_factor(u.role()) && u.second_factor_at == 0 {
        Some(Due::SecondFactor)
    } else {
        None
    }
}

/// A logged-in user of the JSON API (401 otherwise).
pub struct ApiUser(pub SessionUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some((u, policy)) = authenticate(parts, state).await? else {
            return Err(ApiError(Problem::unauthorized()));
        };
        let path = parts.uri.path();
        // An account that must choose a new password gets nothing from the API but
        // who it is and the change itself; one that must enrol a second factor, nothing
        // but who it is and the enrolment.
        let own = path.starts_with("/api/v1/auth/") || path == "/api/v1/me";
        match due(state, &u, &policy) {
            Some(Due::Password) if !own && path != "/api/v1/me/password" => {
                return Err(ApiError(Problem::new(
                    StatusCode::FORBIDDEN,
                    "password_change_required",
                    "请先修改密码",
                )));
            }
            Some(Due::SecondFactor) if !own && !path.starts_with("/api/v1/me/second-factor") => {
                return Err(ApiError(crate::second_factor::enrolment_required()));
            }
            _ => {}
        }
        if let Some(asker) = parts.extensions.get::<crate::refusals::Asker>() {
            asker.set(u.actor());
        }
        guard(&u, path).map_err(ApiError)?;
        Ok(ApiUser(u))
    }
}

/// A logged-in user of the pages (redirected to the login page otherwise, and to the
/// password page while a new password is due).
pub struct PageUser(pub SessionUser);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match authenticate(parts, state).await {
            Ok(Some((u, policy))) => {
                let path = parts.uri.path();
                match due(state, &u, &policy) {
                    Some(Due::Password) if path != "/account/password" && path != "/logout" => {
                        return Err(Redirect::to("/account/password").into_response());
                    }
                    Some(Due::SecondFactor)
                        if !path.starts_with("/account/second-factor") && path != "/logout" =>
                    {
                        return Err(Redirect::to("/account/second-factor").into_response());
                    }
                    _ => {}
                }
                if let Some(asker) = parts.extensions.get::<crate::refusals::Asker>() {
                    asker.set(u.actor());
                }
                guard(&u, path).map_err(|p| PageError(p).into_response())?;
                let mut u = u;
                if !u.role().is_separated_admin() {
                    u.unread = anjian_store::reminders::unread(&state.db, u.unit_id)
                        .await
                        .map_err(|e| PageError(e.into()).into_response())?;
                }
                Ok(PageUser(u))
            }
            Ok(None) => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let next = if next.starts_with('/') && !next.starts_with("//") {
                    next
                } else {
                    "/"
                };
                Err(Redirect::to(&format!("/login?next={}", urlencode(next))).into_response())
            }
            Err(p) => Err(PageError(p).into_response()),
        }
    }
}

impl OptionalFromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        match authenticate(parts, state).await {
            Ok(u) => Ok(u.map(|(u, _)| PageUser(u))),
            Err(p) => Err(PageError(p).into_response()),
        }
    }
}

/// Whether the user must choose a new password now (reset by an administrator, or
/// older than the policy's rotation period).
pub async fn password_due(state: &AppState, u: &SessionUser) -> bool {
    if u.must_change_password == 1 {
        return true;
    }
    match anjian_store::settings::password_policy(&state.db).await {
        Ok(p) => p.expired(u.password_changed_at, state.now()),
        Err(_) => false,
    }
}

/// Whether the user must enrol a second factor before anything else.
pub async fn enrolment_due(state: &AppState, u: &SessionUser) -> bool {
    u.second_factor_at == 0
        && anjian_store::settings::password_policy(&state.db)
            .await
            .is_ok_and(|p| p.needs_second_factor(u.role()))
}

/// Days left before the user's password expires, when the policy warns of it now.
pub async fn password_days_left(state: &AppState, u: &SessionUser) -> Option<i64> {
    anjian_store::settings::password_policy(&state.db)
        .await
        .ok()?
        .days_left(u.password_changed_at, state.now())
}

/// Percent-encodes a path for a query parameter.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The guard of every route: a role outside the area of the path (`core::permission`)
/// is refused, and the refusal recorded.
fn guard(u: &SessionUser, path: &str) -> Result<(), Problem> {
    let area = crate::areas::area_of(path);
    if u.role().enters(area) {
        Ok(())
    } else {
        Err(Problem::forbidden())
    }
}

/// What a person types to log in: the username, the password, and the second factor
/// when the account has one (six digits or a recovery code).
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub second: Option<&'a str>,
}

/// Checks a user name, password and, for an account with a second factor, the code
/// (`second`: six digits or a recovery code), and opens a session. Returns the user and
/// the token. A missing code answers 401 `second_factor_required` and counts as no
/// failure (it is the first half of a two-step login); a wrong one answers 401
/// `invalid_second_factor` and counts towards the lock like a wrong password.
pub async fn login(
    state: &AppState,
    Credentials {
        username,
        password,
        second,
    }: Credentials<'_>,
    client: &str,
) -> Result<(SessionUser, String), Problem> {
    let now = state.now();
    let bad = || {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "用户名或密码错误",
        )
    };
    let Ok(name) = parse_username(username) else {
        return Err(bad());
    };
    if password.is_empty() || password.len() > 1024 {
        return Err(bad());
    }
    if let Some(until) = throttle::locked_until(&state.db, now, &name, client).await? {
        let minutes = ((until - now) / 60_000).max(1);
        return Err(Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "login_locked",
            format!("登录失败次数过多，请{minutes}分钟后再试"),
        ));
    }
    let creds = users::credentials(&state.db, &name).await?;
    // An unknown user costs the same hashing time as a known one.
    let stored = creds
        .as_ref()
        .map(|c| c.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.to_string());
    let ok = crate::password::verify(password.to_string(), stored).await && creds.is_some();
    let creds = match (ok, creds) {
        (true, Some(c)) if c.active == 1 => c,
        (true, Some(_)) => {
            throttle::record_failure(&state.db, now, &name, client, "账户已停用").await?;
            return Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "account_disabled",
                "该账户已停用，请联系系统管理员",
            ));
        }
        _ => {
            let locked =
                throttle::record_failure(&state.db, now, &name, client, "密码错误或用户不存在")
                    .await?;
            if locked.is_some() {
                return Err(Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "login_locked",
                    "登录失败次数过多，请15分钟后再试",
                ));
            }
            return Err(bad());
        }
    };
    let proof = match (creds.totp_secret.as_deref(), second.map(str::trim)) {
        (None, _) => None,
        (Some(_), None | Some("")) => {
            return Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "second_factor_required",
                "请输入动态验证码（或恢复码）",
            ));
        }
        (Some(sealed), Some(typed)) => {
            match crate::second_factor::proof(state, creds.id, sealed, creds.totp_last_step, typed)?
            {
                Some(p) => Some(p),
                None => return Err(second_factor_failed(state, now, &name, client).await?),
            }
        }
    };
    let user = users::get(&state.db, &anjian_store::Scope::All, creds.id).await?;
    let actor = anjian_store::Actor {
        user_id: Some(user.id),
        username: user.username.clone(),
        role: user.role.clone(),
        unit_id: Some(user.unit_id),
    };
    let token = match sessions::create(
        &state.db,
        now,
        &actor,
        state.config.absolute_timeout_ms,
        client,
        proof.as_ref(),
    )
    .await
    {
        Ok(t) => t,
        // The code was used already (a replay), or the recovery code is spent.
        Err(anjian_store::Error::Conflict { .. }) => {
            return Err(second_factor_failed(state, now, &name, client).await?);
        }
        Err(e) => return Err(e.into()),
    };
    throttle::clear(&state.db, &name, client).await?;
    let idle = anjian_store::settings::password_policy(&state.db)
        .await?
        .idle_ms();
    let su = sessions::lookup(&state.db, now, &token, idle)
        .await?
        .ok_or_else(Problem::unauthorized)?;
    Ok((su, token))
}

/// Records a wrong second factor as a failed login; answers the problem to return.
async fn second_factor_failed(
    state: &AppState,
    now: i64,
    name: &str,
    client: &str,
) -> Result<Problem, Problem> {
    let locked = throttle::record_failure(&state.db, now, name, client, "动态验证码错误").await?;
    Ok(if locked.is_some() {
        Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "login_locked",
            "登录失败次数过多，请稍后再试",
        )
    } else {
        crate::second_factor::invalid()
    })
}

/// A valid Argon2id hash of a random password, verified against for unknown users.
pub(crate) const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2F9Zr6n0Hq7I3k3GmWm7m2m8oU0p1zYcR0Yb0b1wG2E";

/// The `Set-Cookie` value for a new session: over TLS the `__Host-` cookie.
pub fn session_cookie(token: &str, secure: bool, max_age_s: i64) -> HeaderValue {
    let (name, secure) = if secure {
        (HOST_COOKIE, "; Secure")
    } else {
        (COOKIE, "")
    };
    HeaderValue::from_str(&format!(
        "{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}"
    ))
    .expect("ASCII cookie")
}

/// The `Set-Cookie` headers that remove the session cookie, under either name.
pub fn clear_cookies() -> [(header::HeaderName, HeaderValue); 2] {
    [
        (
            header::SET_COOKIE,
            HeaderValue::from_static("anjian_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
        ),
        (
            header::SET_COOKIE,
            HeaderValue::from_static(
                "__Host-anjian_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure",
            ),
        ),
    ]
}

/// Whether this request came over TLS (directly configured or via a proxy header).
pub fn is_secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            == Some("https")
}

/// Ends the request's session, if any.
pub async fn logout(
    state: &AppState,
    headers: &HeaderMap,
    user: Option<&SessionUser>,
) -> Result<(), Problem> {
    if let (Some(token), Some(u)) = (cookie_token(headers), user) {
        sessions::delete(&state.db, state.now(), &u.actor(), &token).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_costs_a_full_verification() {
        // If it did not parse, unknown user names would answer faster than known ones.
        assert!(argon2::PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn cookie_tokens_are_read_strictly() {
        let mut h = HeaderMap::new();
        let t = "a".repeat(64);
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("x=1; {COOKIE}={t}")).unwrap(),
        );
        assert_eq!(cookie_token(&h), Some(t));
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("anjian_session=../../etc"),
        );
        assert_eq!(cookie_token(&h), None);
    }

    #[test]
    fn over_tls_the_session_cookie_is_a_host_cookie_and_read_first() {
        let t = "b".repeat(64);
        let c = session_cookie(&t, true, 60);
        let c = c.to_str().unwrap();
        assert!(c.starts_with("__Host-anjian_session="), "{c}");
        assert!(c.contains("; Secure") && c.contains("Path=/") && !c.contains("Domain"));
        assert!(
            session_cookie(&t, false, 60)
                .to_str()
                .unwrap()
                .starts_with("anjian_session=")
        );
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!(
                "anjian_session={}; __Host-anjian_session={t}",
                "c".repeat(64)
            ))
            .unwrap(),
        );
        assert_eq!(cookie_token(&h), Some(t));
    }
}
