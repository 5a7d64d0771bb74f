//! Sending the outbox (issue 18): the dispatcher every server process runs claims due
//! deliveries (`store::outbox::claim`), builds each vendor's request
//! (`core::channel::request`), sends it with a bounded client (timeouts, no redirects,
//! only allowed hosts) and settles it by the vendor's answer. A failing channel never
//! blocks the action that queued its message: that was committed before.

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anjian_core::channel::{self, Answer};
use anjian_store::outbox::{self, Claimed, Outcome};

use crate::AppState;

/// The HTTP client of outbound messages: 10 s in all, 5 s to connect, no redirects,
/// and names resolved by [`Guard`] against the hosts listed for `state`.
pub fn client_for(state: &AppState) -> reqwest::Client {
    with_guard(Guard(state.outbound_hosts.clone()))
}

/// [`client_for`] with no host listed: a name reaches only public addresses.
pub fn client() -> reqwest::Client {
    with_guard(Guard(Arc::default()))
}

fn with_guard(guard: Guard) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(guard))
        .build()
        .unwrap_or_default()
}

/// The resolver of outbound messages: a host name reaches only public addresses
/// unless the system administrator listed it (`core::channel::reachable`), checked
/// when connecting, so that a vendor's or webhook's name pointed at an inside address
/// is refused.
struct Guard(Arc<RwLock<Vec<String>>>);

impl reqwest::dns::Resolve for Guard {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        let listed = self.0.read().map(|l| l.clone()).unwrap_or_default();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let ok = channel::reachable(&host, found, &listed);
            if ok.is_empty() {
                return Err(format!("{host} 只解析到内网地址，未列入允许的外发地址").into());
            }
            Ok(Box::new(ok.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The hosts messages may reach beyond the vendors' own: `ANJIAN_OUTBOUND_ALLOW` and
/// the system administrator's list (read now, and kept for the resolver).
pub async fn allowed_hosts(state: &AppState) -> Vec<String> {
    let mut hosts = state.config.outbound_allow.clone();
    match outbox::allow_list(&state.db).await {
        Ok(listed) => hosts.extend(listed),
        Err(e) => tracing::warn!(error = %e, "the outbound allow-list could not be read"),
    }
    if let Ok(mut shared) = state.outbound_hosts.write() {
        shared.clone_from(&hosts);
    }
    hosts
}

/// The largest answer read from a vendor.
const MAX_ANSWER: usize = 16 * 1024;

/// Sends one claimed delivery at `now_ms`; the outcome says how the vendor answered.
pub async fn send(
    state: &AppState,
    http: &reqwest::Client,
    c: &Claimed,
    now_ms: i64,
    allowed: &[String],
) -> Outcome {
    let Some((vendor, url, secret, phones)) = c.opened(&state.config.keyring) else {
        return Outcome::Refused("通道地址或密钥无法解密（密钥已更换？）".into());
    };
    // The host is checked again when sending: the allow-list may have changed.
    match channel::check_url_for(vendor, &url) {
        Ok((host, port)) if channel::allowed(&host, port, allowed) => {}
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
    let sms = c.sms();
    let out = match channel::request(
        vendor,
        &url,
        &secret,
        &msg,
        &phones,
        now_ms,
        &c.idempotency_key,
    ) {
        Some(out) => out,
        None if vendor == channel::Vendor::Sms => {
            let mut headers = vec![
                (
                    "Content-Type".to_string(),
                    "application/json; charset=utf-8".to_string(),
                ),
                ("Idempotency-Key".to_string(), c.idempotency_key.clone()),
            ];
            if !secret.is_empty() {
                headers.push(("Authorization".into(), format!("Bearer {secret}")));
            }
            channel::Outgoing {
                url,
                headers,
                body: sms.render(&msg, &phones),
            }
        }
        None => return mail(&url, &secret, &c.emails(), &msg).await,
    };
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
                Answer::Accepted if vendor == channel::Vendor::Sms && !sms.taken(&body) => {
                    Outcome::Refused(body.chars().take(300).collect())
                }
                Answer::Accepted => Outcome::Sent(body.chars().take(300).collect()),
                Answer::Retry(a) => Outcome::Retry(a),
                Answer::Refused(a) => Outcome::Refused(a),
            }
        }
    }
}

/// Mails `msg` to `to` through the SMTP server of `url` (`smtp://user@host:port`, with
/// STARTTLS when the server offers it; `smtps://` over TLS from the start), signing in
/// with the user and `secret` when both are given. A transient refusal (4xx, a
/// timeout) is retried; a permanent one (5xx) fails.
async fn mail(url: &str, secret: &str, to: &[String], msg: &channel::Message) -> Outcome {
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::transport::smtp::client::{Tls, TlsParameters};
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
    let Ok(u) = url::Url::parse(url) else {
        return Outcome::Refused("邮件服务器地址无效".into());
    };
    let host = u.host_str().unwrap_or_default().to_string();
    let implicit = u.scheme() == "smtps";
    let port = u.port().unwrap_or(if implicit { 465 } else { 587 });
    let user = url::form_urlencoded::parse(format!("u={}", u.username()).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let Ok(tls) = TlsParameters::new(host.clone()) else {
        return Outcome::Refused("邮件服务器的 TLS 参数无效".into());
    };
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str())
        .port(port)
        .timeout(Some(Duration::from_secs(10)))
        .tls(if implicit {
            Tls::Wrapper(tls)
        } else {
            Tls::Opportunistic(tls)
        });
    if !user.is_empty() && !secret.is_empty() {
        transport = transport.credentials(Credentials::new(user.clone(), secret.to_string()));
    }
    let from = if user.contains('@') {
        user
    } else {
        format!("anjian@{host}")
    };
    let mut mail = lettre::Message::builder().subject(&msg.title);
    match from.parse() {
        Ok(f) => mail = mail.from(f),
        Err(_) => return Outcome::Refused(format!("发件地址“{from}”无效")),
    }
    for t in to {
        match t.parse() {
            Ok(a) => mail = mail.to(a),
            Err(_) => return Outcome::Refused(format!("收件地址“{t}”无效")),
        }
    }
    let Ok(mail) = mail
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .body(channel::plain(msg))
    else {
        return Outcome::Refused("邮件无法生成".into());
    };
    match transport.build().send(mail).await {
        Ok(r) => Outcome::Sent(format!(
            "{} {}",
            r.code(),
            r.message().collect::<Vec<_>>().join(" ")
        )),
        Err(e) if e.is_permanent() => Outcome::Refused(format!("邮件服务器拒绝：{e}")),
        Err(e) => Outcome::Retry(format!("邮件发送失败：{e}")),
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

/// How many messages one claim takes and sends at once.
const BATCH: i64 = 50;

/// The most messages one process sends a second: the outbox is background work and
/// leaves the pages their time (two processes send 10,000 messages in about 8 s; the
/// to-do page's p95 stays near its value at rest, docs/PERFORMANCE.md).
pub const PER_SECOND: u64 = 650;

/// Claims what is due once, sends it concurrently and settles it in one transaction;
/// returns how many were handled.
pub async fn dispatch_once(
    state: &AppState,
    http: &reqwest::Client,
) -> Result<usize, anjian_store::Error> {
    dispatch_paced(state, http, PER_SECOND).await
}

/// [`dispatch_once`] at most `per_second` messages a second (0: unpaced), for the
/// benchmark's comparisons.
pub async fn dispatch_paced(
    state: &AppState,
    http: &reqwest::Client,
    per_second: u64,
) -> Result<usize, anjian_store::Error> {
    let started = std::time::Instant::now();
    let claimed = outbox::claim(&state.db, state.now(), 60_000, BATCH).await?;
    let n = claimed.len();
    // A group robot takes about 20 a minute: the rest waits for the next minute.
    let (claimed, held) = outbox::pace(&state.db, state.now(), claimed).await?;
    let mut wait = [0u8; 2];
    let _ = getrandom::fill(&mut wait);
    let wait_ms = 15_000 + i64::from(u16::from_le_bytes(wait) % 5000);
    outbox::hold(&state.db, state.now(), &held, wait_ms).await?;
    let allowed = Arc::new(if claimed.is_empty() {
        Vec::new()
    } else {
        allowed_hosts(state).await
    });
    let mut sending = tokio::task::JoinSet::new();
    for c in claimed {
        let (state, http, allowed) = (state.clone(), http.clone(), allowed.clone());
        sending.spawn(async move {
            let outcome = send(&state, &http, &c, state.now(), &allowed).await;
            let mut jitter = [0u8; 2];
            let _ = getrandom::fill(&mut jitter);
            (c.id, c.attempts, outcome, u16::from_le_bytes(jitter) % 1000)
        });
    }
    let mut settled = Vec::with_capacity(n);
    while let Some(done) = sending.join_next().await {
        // A send that panicked is left to its lease: it is claimed again.
        if let Ok(d) = done {
            settled.push(d);
        }
    }
    outbox::settle_many(&state.db, state.now(), &settled).await?;
    // Paced: a batch takes at least its share of a second.
    if let Some(ms) = (n as u64 * 1000).checked_div(per_second)
        && let Some(rest) = Duration::from_millis(ms).checked_sub(started.elapsed())
    {
        tokio::time::sleep(rest).await;
    }
    Ok(n)
}

/// The dispatcher's own connections on PostgreSQL (`Db::apart`).
pub const DISPATCHER_POOL: u32 = 2;

/// Starts the dispatcher on a thread of its own below the requests' priority
/// (`background::apart`): due messages are sent within about a second.
pub fn spawn_dispatcher(state: AppState) {
    let started = crate::background::apart("anjian-outbox", crate::background::NICENESS, || {
        dispatch_forever(state)
    });
    if let Err(e) = started {
        tracing::error!(error = %e, "the outbox's dispatcher could not start");
    }
}

/// The dispatcher's loop, with its own pool and client on the runtime it runs on.
async fn dispatch_forever(state: AppState) {
    let state = state.apart(DISPATCHER_POOL);
    let http = client_for(&state);
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
            // A special period's daily report still owed in the afternoon.
            if let Err(e) = anjian_store::outbox::daily_reports_due(&state.db, state.now()).await {
                tracing::warn!(error = %e, "the daily-report reminder failed; will retry");
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
}
