//! Notification channels and the delivery log by API (issue 18).

use anjian_store::outbox::{self, ChannelRow, DeliveryFilter, DeliveryRow, NewChannel, Outcome};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::{Body, Params};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};

/// A channel: the unit, the vendor (`wecom`, `dingtalk`, `feishu`, `webhook`,
/// `email`), the robot's or webhook's URL (for e-mail `smtp://user@host:587` or
/// `smtps://user@host:465`), its signing secret (the SMTP password), the phones to
/// @-mention, the addresses to mail and the events it takes (omitted: all).
#[derive(Deserialize, ToSchema)]
pub struct ChannelInput {
    pub unit: i64,
    #[serde(default)]
    pub vendor: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub secret: String,
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    /// An SMS gateway's request (vendor `sms`): template id, signature name, the body's
    /// JSON template and the answer's success mark.
    pub sms: Option<anjian_core::channel::Sms>,
    pub events: Option<Vec<String>>,
}

/// A new channel's id.
#[derive(Serialize, ToSchema)]
pub struct ChannelId {
    pub id: i64,
}

/// Gives a unit a channel (the office). The URL's host must be a robot's own or
/// allowed by the system administrator (`ANJIAN_OUTBOUND_ALLOW`).
#[utoipa::path(post, path = "/api/v1/channels", request_body = ChannelInput, responses((status = 201, body = ChannelId), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(c): Body<ChannelInput>,
) -> Result<(StatusCode, Json<ChannelId>), ApiError> {
    let mut nonces = [[0u8; 24]; 2];
    for n in &mut nonces {
        getrandom::fill(n).map_err(|_| Problem::internal())?;
    }
    let allowed = crate::outbound::allowed_hosts(&state).await;
    let id = outbox::create_channel(
        &state.db,
        &state.config.keyring,
        nonces,
        state.now(),
        &u.actor(),
        &allowed,
        &NewChannel {
            unit: c.unit,
            vendor: c.vendor,
            url: c.url,
            secret: c.secret,
            phones: c.phones,
            emails: c.emails,
            sms: c.sms,
            events: c.events,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ChannelId { id })))
}

/// The channels in the caller's scope (never a URL or a secret).
#[utoipa::path(get, path = "/api/v1/channels", responses((status = 200, body = [ChannelRow])))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Vec<ChannelRow>>, ApiError> {
    Ok(Json(outbox::channels(&state.db, &u.scope()).await?))
}

/// What the vendor answered a test message.
#[derive(Serialize, ToSchema)]
pub struct TestAnswer {
    /// `sent` or `failed`.
    pub state: String,
    /// The vendor's answer as it came (or why nothing was sent).
    pub answer: String,
}

/// Sends a test message on channel `id` at once (the office) and answers the vendor's
/// reply; the delivery log keeps it.
#[utoipa::path(post, path = "/api/v1/channels/{id}/test", responses((status = 200, body = TestAnswer), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn test(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<TestAnswer>, ApiError> {
    let id = super::path_id(&id)?;
    Ok(Json(test_channel(&state, &u, id).await?))
}

/// Sends the test message of channel `id` and records it.
pub(crate) async fn test_channel(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    id: i64,
) -> Result<TestAnswer, Problem> {
    let c = outbox::for_test(&state.db, &u.actor(), id).await?;
    let allowed = crate::outbound::allowed_hosts(state).await;
    let http = crate::outbound::client_for(state);
    let outcome = crate::outbound::send(state, &http, &c, state.now(), &allowed).await;
    outbox::record_test(&state.db, state.now(), &u.actor(), id, &outcome).await?;
    Ok(match outcome {
        Outcome::Sent(a) => TestAnswer {
            state: "sent".into(),
            answer: a,
        },
        Outcome::Retry(a) | Outcome::Refused(a) => TestAnswer {
            state: "failed".into(),
            answer: a,
        },
    })
}

/// `?unit=&state=pending|sent|failed&after=&limit=`.
#[derive(Deserialize, IntoParams)]
pub struct DeliveryQuery {
    pub unit: Option<i64>,
    /// pending, sent or failed.
    pub state: Option<String>,
    /// The next page: the last listed delivery's id (newest first).
    pub after: Option<i64>,
    /// At most this many (1–500, default 100).
    pub limit: Option<i64>,
}

/// The messages in the caller's scope, newest first, with their state, attempts and
/// the vendor's last answer.
#[utoipa::path(get, path = "/api/v1/deliveries", params(DeliveryQuery), responses((status = 200, body = [DeliveryRow]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn deliveries(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<DeliveryQuery>,
) -> Result<Json<Vec<DeliveryRow>>, ApiError> {
    let st = q.state.filter(|s| !s.trim().is_empty());
    if let Some(s) = &st
        && !["pending", "sent", "failed"].contains(&s.as_str())
    {
        return Err(Problem::bad_field(
            "invalid_state",
            "state",
            "state 应为 pending、sent 或 failed",
        )
        .into());
    }
    let f = DeliveryFilter {
        unit: q.unit,
        state: st,
        before: q.after,
        limit: q.limit.unwrap_or(100),
    };
    Ok(Json(outbox::deliveries(&state.db, &u.scope(), &f).await?))
}
