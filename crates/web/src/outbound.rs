//! Sending the outbox (issue 18): the dispatcher every server process runs claims due
//! deliveries (`store::outbox::claim`), builds each vendor's request
//! (`core::channel::request`), sends it with a bounded client (timeouts, no redirects,
//! only allowed hosts) and settles it by the vendor's answer. A failing channel never
//! blocks the action that queued its message: that was committed before.

use std::time::Duration;

use anjian_core::channel::{self, Answer};
use anjian_store::outbox::{self, Claimed, Outcome};

use crate::AppState;

/// The HTTP client of outbound messages: 10 s in all, 5 s to connect, no redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

/// The largest answer read from a vendor.
const MAX_ANSWER: usize = 16 * 1024;

/// Sends one claimed delivery at `now_ms`; the outcome says how the vendor answered.
pub async fn send(state: &AppState, http: &reqwest::Client, c: &Claimed, now_ms: i64) -> Outcome {
    let Some((vendor, url, secret, phones)) = c.opened(&state.config.keyring) else {
        return Outcome::Refused("通道地址或密钥无法解密（密钥已更换？）".into());
    };
    // The host is checked again when sending: the allow-list may have changed.
    match channel::check_url(&url) {
        Ok((host, port)) if channel::allowed(&host, port, &state.config.outbound_allow) => {}
        _ => return Outcome::Refused("地址不在允许的外发地址中".into()),
    }
    let mut msg = c.message();
    if !msg.link.is_empty() && !state.config.public_url.is_empty() {
        msg.link = format!(
            "{}{}",
            state.config.public_url.trim_end_matches('/'),
            msg.link
        );
    }
    let out = channel::request(
        vendor,
        &url,
        &secret,
        &msg,
        &phones,
        now_ms,
        &c.idempotency_key,
    );
    let mut request = http.post(&out.url).body(out.body);
    for (k, v) in &out.headers {
        request = request.header(k.as_str(), v.as_str());
    }
    match request.send().await {
        // The error names no URL: a robot's URL carries its key.
        Err(e) => Outcome::Retry(format!(
            "发送失败：{}",
            if e.is_timeout() {
                "超时".to_string()
            } else {
                e.without_url().to_string()
            }
        )),
        Ok(r) => {
            let status = r.status().as_u16();
            let body = read_bounded(r).await;
            match channel::answer(vendor, status, &body) {
                Answer::Accepted => Outcome::Sent(body.chars().take(300).collect()),
                Answer::Retry(a) => Outcome::Retry(a),
                Answer::Refused(a) => Outcome::Refused(a),
            }
        }
    }
}

async fn read_bounded(mut r: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while let Ok(Some(chunk)) = r.chunk().await {
        bytes.extend_from_slice(&chunk);
        if bytes.len() >= MAX_ANSWER {
            bytes.truncate(MAX_ANSWER);
            break;
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Claims and sends what is due once; returns how many were handled.
pub async fn dispatch_once(
    state: &AppState,
    http: &reqwest::Client,
) -> Result<usize, anjian_store::Error> {
    let claimed = outbox::claim(&state.db, state.now(), 60_000, 20).await?;
    for c in &claimed {
        let outcome = send(state, http, c, state.now()).await;
        let mut jitter = [0u8; 2];
        let _ = getrandom::fill(&mut jitter);
        let jitter = u16::from_le_bytes(jitter) % 1000;
        outbox::settle(&state.db, state.now(), c.id, c.attempts, &outcome, jitter).await?;
    }
    Ok(claimed.len())
}

/// Starts the dispatcher: due messages are sent within about a second.
pub fn spawn_dispatcher(state: AppState) {
    tokio::spawn(async move {
        let http = client();
        let mut ticks: u32 = 0;
        loop {
            // 叫应 escalation, about every 30 s.
            if ticks.is_multiple_of(60) {
                if let Err(e) = anjian_store::warnings::escalate(&state.db, state.now()).await {
                    tracing::warn!(error = %e, "warning escalation failed; will retry");
                }
                // The working day's digest, once per unit and day.
                if let Err(e) = anjian_store::outbox::digest(&state.db, state.now()).await {
                    tracing::warn!(error = %e, "the daily digest failed; will retry");
                }
            }
            ticks = ticks.wrapping_add(1);
            match dispatch_once(&state, &http).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "sending notifications failed; will retry"),
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
}
