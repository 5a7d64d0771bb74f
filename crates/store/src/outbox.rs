//! Notification channels and the outbox (issue 18). The office gives a unit its
//! channels (a group robot, a signed webhook); the URL and the secret are sealed with
//! the field cipher and never shown again. A change that must notify writes its
//! deliveries in its own transaction ([`notify_in`]); the dispatcher of any server
//! process claims due ones under a lease ([`claim`]: `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, SQLite having one writer), sends them and settles each ([`settle`]):
//! sent, retried with backoff, or failed. A delivery is sent at least once: a process
//! killed between claim and send leaves it to be claimed again when its lease ends.

use anjian_core::channel::{self, Event, Message, Vendor};
use anjian_core::role::Role;
use anjian_core::sealed::Keyring;
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::{Backend, Db, Tx, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::{Actor, Scope};

/// A channel as typed in.
#[derive(Debug, Clone, Default)]
pub struct NewChannel {
    pub unit: i64,
    pub vendor: String,
    pub url: String,
    pub secret: String,
    pub phones: Vec<String>,
    /// The addresses an e-mail channel mails.
    pub emails: Vec<String>,
    /// An SMS gateway's request.
    pub sms: Option<channel::Sms>,
    /// The events it takes; None: all.
    pub events: Option<Vec<String>>,
}

/// A channel as listed: never its URL or its secret, only the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ChannelRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub vendor: String,
    pub host: String,
    pub phones_json: String,
    pub events_json: Option<String>,
    pub created_at: i64,
}

impl ChannelRow {
    /// The vendor's Chinese name.
    pub fn vendor_label(&self) -> &'static str {
        Vendor::parse(&self.vendor).map_or("—", Vendor::label)
    }

    /// The events it takes, in Chinese ("全部" when all).
    pub fn events_label(&self) -> String {
        match &self.events_json {
            None => "全部".into(),
            Some(j) => serde_json::from_str::<Vec<String>>(j)
                .unwrap_or_default()
                .iter()
                .filter_map(|e| Event::parse(e).ok().map(Event::label))
                .collect::<Vec<_>>()
                .join("、"),
        }
    }
}

fn url_aad(id: i64) -> Vec<u8> {
    format!("channel-url:{id}").into_bytes()
}

fn secret_aad(id: i64) -> Vec<u8> {
    format!("channel-secret:{id}").into_bytes()
}

/// Gives a unit a channel (the office only): the vendor, a URL on an allowed host
/// (`listed`: the `host:port` the system administrator allows beyond the robots'
/// own), a secret where the vendor signs, @-mentioned phones and the events it takes.
/// One transaction, audited without the URL or the secret. Returns its id.
#[allow(clippy::too_many_arguments)]
pub async fn create_channel(
    db: &Db,
    keyring: &Keyring,
    nonces: [[u8; 24]; 2],
    now_ms: i64,
    actor: &Actor,
    listed: &[String],
    c: &NewChannel,
) -> Result<i64> {
    crate::authz::require(actor, Role::sees_everything)?;
    let vendor = Vendor::parse(&c.vendor)?;
    let (host, port) = channel::check_url_for(vendor, &c.url)?;
    if !channel::allowed(&host, port, listed) {
        return Err(Error::invalid(
            "host_not_allowed",
            "url",
            format!("地址 {host}:{port} 不在系统管理员允许的外发地址中"),
        ));
    }
    let secret = c.secret.trim();
    if vendor.needs_secret() && secret.is_empty() {
        return Err(Error::invalid(
            "required",
            "secret",
            "请填写机器人的加签密钥（Webhook 的签名密钥）",
        ));
    }
    if secret.chars().count() > 200 {
        return Err(Error::invalid("too_long", "secret", "密钥过长"));
    }
    if c.phones.len() > 50 {
        return Err(Error::invalid("too_many", "phones", "手机号最多50个"));
    }
    let phones = c
        .phones
        .iter()
        .map(|p| channel::check_phone(p))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if c.emails.len() > 50 {
        return Err(Error::invalid("too_many", "emails", "邮箱最多50个"));
    }
    let emails = c
        .emails
        .iter()
        .map(|e| channel::check_email(e))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if vendor == Vendor::Email && emails.is_empty() {
        return Err(Error::invalid("required", "emails", "请填写收件邮箱"));
    }
    let sms = match vendor {
        Vendor::Sms => {
            if phones.is_empty() {
                return Err(Error::invalid(
                    "required",
                    "phones",
                    "请填写接收短信的值班手机号",
                ));
            }
            Some(c.sms.clone().unwrap_or_default().check()?)
        }
        _ => None,
    };
    let events = match &c.events {
        None => None,
        Some(list) => {
            let mut v = Vec::new();
            for e in list.iter().take(20) {
                let e = Event::parse(e)?;
                if !v.contains(&e.as_str()) {
                    v.push(e.as_str());
                }
            }
            Some(serde_json::to_string(&v).unwrap_or_default())
        }
    };
    let unit: Option<(String,)> = db
        .read()
        .opt(q("SELECT name FROM units WHERE id = $1 AND active = 1").bind(c.unit))
        .await?;
    let (unit_name,) = unit.ok_or_else(|| Error::invalid("unknown_unit", "unit", "请选择单位"))?;
    let id = next_id(now_ms);
    let url_sealed = keyring.seal(c.url.trim().as_bytes(), &url_aad(id), nonces[0]);
    let secret_sealed =
        (!secret.is_empty()).then(|| keyring.seal(secret.as_bytes(), &secret_aad(id), nonces[1]));
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO channels (id, unit_id, vendor, host, url_sealed, secret_sealed, phones_json, events_json, active, created_by, created_at, emails_json, sms_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $11, $12)")
            .bind(id)
            .bind(c.unit)
            .bind(vendor.as_str())
            .bind(host.as_str())
            .bind(url_sealed)
            .bind(secret_sealed)
            .bind(serde_json::to_string(&phones).unwrap_or_default())
            .bind(events)
            .bind(actor.user_id)
            .bind(now_ms)
            .bind(serde_json::to_string(&emails).unwrap_or_default())
            .bind(sms.map(|s| serde_json::to_string(&s).unwrap_or_default())),
    )
    .await?;
    let entry = Entry::ok("channel.create", "channel", id)
        .detail(format!("{unit_name}：{}（{host}）", vendor.label()));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

const CHANNEL: &str = "SELECT c.id, c.unit_id, u.name AS unit_name, c.vendor, c.host, c.phones_json, c.events_json, c.created_at FROM channels c JOIN units u ON u.id = c.unit_id WHERE c.active = 1 AND ";

/// The channels in scope (the office: all; a unit: its own), by unit.
pub async fn channels(db: &Db, scope: &Scope) -> Result<Vec<ChannelRow>> {
    db.read()
        .all(
            scope
                .units(q(CHANNEL), "u")
                .push(" ORDER BY u.path, c.id LIMIT 2000"),
        )
        .await
}

/// What a dispatcher needs to send one delivery.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub channel_id: i64,
    pub vendor: String,
    pub url_sealed: String,
    pub secret_sealed: Option<String>,
    pub phones_json: String,
    pub emails_json: String,
    pub sms_json: Option<String>,
    pub title: String,
    pub body: String,
    pub link: String,
    pub idempotency_key: String,
    pub attempts: i64,
}

impl Claimed {
    /// The channel's URL, secret and phones opened with `keyring`; None when a sealed
    /// value does not open (a key no longer in the ring).
    pub fn opened(&self, keyring: &Keyring) -> Option<(Vendor, String, String, Vec<String>)> {
        let vendor = Vendor::parse(&self.vendor).ok()?;
        let url = keyring
            .open(&self.url_sealed, &url_aad(self.channel_id))
            .ok()?;
        let secret = match &self.secret_sealed {
            Some(s) => keyring.open(s, &secret_aad(self.channel_id)).ok()?,
            None => Vec::new(),
        };
        Some((
            vendor,
            String::from_utf8(url).ok()?,
            String::from_utf8(secret).ok()?,
            serde_json::from_str(&self.phones_json).unwrap_or_default(),
        ))
    }

    /// The addresses an e-mail channel mails.
    pub fn emails(&self) -> Vec<String> {
        serde_json::from_str(&self.emails_json).unwrap_or_default()
    }

    /// An SMS gateway channel's request.
    pub fn sms(&self) -> channel::Sms {
        self.sms_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default()
    }

    /// The message it carries.
    pub fn message(&self) -> Message {
        Message {
            title: self.title.clone(),
            text: self.body.clone(),
            link: self.link.clone(),
        }
    }
}

const CLAIMED: &str = "SELECT d.id, d.channel_id, c.vendor, c.url_sealed, c.secret_sealed, c.phones_json, c.emails_json, c.sms_json, d.title, d.body, d.link, d.idempotency_key, d.attempts FROM deliveries d JOIN channels c ON c.id = d.channel_id WHERE ";

/// What a notification is about and which round of it this is: `subject` names the
/// object (`warning:17`; the warning page reads its deliveries by it), `round` the
/// occasion (`issue`, `escalate`, `urge:…`). One delivery per channel and round, however
/// often it is asked (the idempotency key).
#[derive(Debug, Clone, Copy)]
pub(crate) struct About<'a> {
    pub subject: &'a str,
    pub round: &'a str,
}

/// Queues `msg` for the channels of `units` that take `event`, inside the caller's
/// transaction.
pub(crate) async fn notify_in(
    tx: &mut Tx,
    now_ms: i64,
    event: Event,
    units: &[i64],
    msg: &Message,
    about: About<'_>,
) -> Result<()> {
    let targets = targets_in(tx, event, units).await?;
    queue_in(tx, now_ms, event, &targets, msg, about).await
}

/// Whether a channel taking `events_json` (None: all) takes `event`.
fn takes(events_json: Option<&str>, event: Event) -> bool {
    events_json.is_none_or(|j| {
        serde_json::from_str::<Vec<String>>(j)
            .unwrap_or_default()
            .iter()
            .any(|e| e == event.as_str())
    })
}

/// The active channels of `units` that take `event`: (channel, unit).
async fn targets_in(tx: &mut Tx, event: Event, units: &[i64]) -> Result<Vec<(i64, i64)>> {
    let mut targets: Vec<(i64, i64)> = Vec::new();
    for chunk in units.chunks(500) {
        let rows: Vec<(i64, i64, Option<String>)> = tx
            .all(
                q("SELECT id, unit_id, events_json FROM channels WHERE active = 1 AND unit_id IN (")
                    .push_list(chunk)
                    .push(")"),
            )
            .await?;
        targets.extend(
            rows.into_iter()
                .filter(|(_, _, events)| takes(events.as_deref(), event))
                .map(|(id, unit, _)| (id, unit)),
        );
    }
    Ok(targets)
}

/// Queues `msg` for each (channel, unit) of `targets`, once per channel and round.
async fn queue_in(
    tx: &mut Tx,
    now_ms: i64,
    event: Event,
    targets: &[(i64, i64)],
    msg: &Message,
    about: About<'_>,
) -> Result<()> {
    for &(channel, unit) in targets {
        tx.execute(
            q("INSERT INTO deliveries (id, channel_id, unit_id, event, subject, title, body, link, idempotency_key, state, attempts, next_at, claimed_until, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, $10, 0, $10) ON CONFLICT (idempotency_key) DO NOTHING")
                .bind(next_id(now_ms))
                .bind(channel)
                .bind(unit)
                .bind(event.as_str())
                .bind(about.subject)
                .bind(msg.title.as_str())
                .bind(channel::scrub(&msg.text))
                .bind(msg.link.as_str())
                .bind(format!("{}:{}:{channel}", about.subject, about.round))
                .bind(now_ms),
        )
        .await?;
    }
    Ok(())
}

/// Tells each unit of `owed` (unit, due day) of its new obligations, bundled: one
/// message per unit with how many and the first due day, inside the caller's
/// transaction. `what` names where they come from; `key` the action (a unit is told
/// once per key).
pub(crate) async fn tell_new_in(
    tx: &mut Tx,
    now_ms: i64,
    owed: &[(i64, chrono::NaiveDate)],
    what: &str,
    key: &str,
) -> Result<()> {
    let mut by_unit: std::collections::BTreeMap<i64, (usize, chrono::NaiveDate)> =
        std::collections::BTreeMap::new();
    for &(unit, due) in owed {
        let e = by_unit.entry(unit).or_insert((0, due));
        e.0 += 1;
        e.1 = e.1.min(due);
    }
    let units: Vec<i64> = by_unit.keys().copied().collect();
    let targets = targets_in(tx, Event::Obligation, &units).await?;
    for (unit, (count, first)) in &by_unit {
        let own: Vec<(i64, i64)> = targets.iter().filter(|(_, u)| u == unit).copied().collect();
        if own.is_empty() {
            continue;
        }
        queue_in(
            tx,
            now_ms,
            Event::Obligation,
            &own,
            &Message {
                title: "新交办的应办事项".into(),
                text: format!(
                    "{what}：新交办{count}项应办事项，最早于{}到期，请按时办理报送。",
                    first.format("%Y-%m-%d")
                ),
                link: "/todo".into(),
            },
            About {
                subject: &format!("obligation:{unit}"),
                round: key,
            },
        )
        .await?;
    }
    Ok(())
}

/// The time of day (Beijing) after which a unit that still owes today's daily report
/// of a special period is reminded.
pub const DAILY_REPORT_REMINDER: &str = "16:00";

/// Reminds each unit that still owes today's daily report of a special period
/// (专项时段日报), once a day after [`DAILY_REPORT_REMINDER`]; idempotent per unit and
/// day. Returns how many units were reminded.
pub async fn daily_reports_due(db: &Db, now_ms: i64) -> Result<usize> {
    use anjian_core::machine::States;
    use anjian_core::obligation::State;
    let Some(now) = anjian_core::time::local_datetime(now_ms) else {
        return Ok(0);
    };
    let at = chrono::NaiveTime::parse_from_str(DAILY_REPORT_REMINDER, "%H:%M").unwrap_or_default();
    if now.time() < at {
        return Ok(0);
    }
    let today = now.date_naive().format("%Y-%m-%d").to_string();
    // Units owing today's report, not yet reminded today (the key names the day).
    let owing: Vec<(i64, String)> = db
        .read()
        .all(
            q(format!("SELECT o.unit_id, MIN(o.label) FROM obligations o WHERE o.special_period_id IS NOT NULL AND o.due_on = $1 AND o.state IN {} AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.subject = 'daily_report:' || CAST(o.unit_id AS TEXT) AND d.idempotency_key LIKE $2) GROUP BY o.unit_id", State::sql_list(&State::OPEN)))
                .bind(today.as_str())
                .bind(format!("daily_report:%:{today}:%")),
        )
        .await?;
    if owing.is_empty() {
        return Ok(0);
    }
    let units: Vec<i64> = owing.iter().map(|(u, _)| *u).collect();
    let mut tx = db.begin().await?;
    let targets = targets_in(&mut tx, Event::DailyReport, &units).await?;
    let mut told = 0;
    for (unit, label) in &owing {
        let own: Vec<(i64, i64)> = targets.iter().filter(|(_, u)| u == unit).copied().collect();
        if own.is_empty() {
            continue;
        }
        queue_in(
            &mut tx,
            now_ms,
            Event::DailyReport,
            &own,
            &Message {
                title: "今日日报尚未报送".into(),
                text: format!("{label}：今日日报尚未报送，请于今日内报送。"),
                link: "/todo".into(),
            },
            About {
                subject: &format!("daily_report:{unit}"),
                round: &today,
            },
        )
        .await?;
        told += 1;
    }
    tx.commit().await?;
    Ok(told)
}

/// Claims up to `limit` due deliveries for `lease_ms` (counting the attempt): none is
/// claimed by two processes while its lease runs.
pub async fn claim(db: &Db, now_ms: i64, lease_ms: i64, limit: i64) -> Result<Vec<Claimed>> {
    // A read first: an idle outbox costs no write transaction.
    let due: Option<(i64,)> = db
        .read()
        .opt(
            q("SELECT id FROM deliveries WHERE state = 'pending' AND next_at <= $1 AND claimed_until <= $1 LIMIT 1")
                .bind(now_ms),
        )
        .await?;
    if due.is_none() {
        return Ok(Vec::new());
    }
    let lock = match db.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let mut tx = db.begin().await?;
    let ids: Vec<(i64,)> = tx
        .all(
            q(format!("UPDATE deliveries SET claimed_until = $1, attempts = attempts + 1 WHERE id IN (SELECT id FROM deliveries WHERE state = 'pending' AND next_at <= $2 AND claimed_until <= $2 ORDER BY next_at, id LIMIT $3{lock}) RETURNING id"))
                .bind(now_ms + lease_ms)
                .bind(now_ms)
                .bind(limit.clamp(1, 200)),
        )
        .await?;
    tx.commit().await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = ids.into_iter().map(|(i,)| i).collect();
    db.read()
        .all(
            q(CLAIMED)
                .push("d.id IN (")
                .push_list(&ids)
                .push(") ORDER BY d.next_at, d.id"),
        )
        .await
}

/// How many messages a group robot takes in a minute: 企业微信, 钉钉 and 飞书 each
/// document about 20 per robot and refuse more (the refusal is retried; this keeps it
/// from happening).
pub const ROBOT_PER_MINUTE: i64 = 20;

/// Splits claimed deliveries into those to send now and those a group robot cannot
/// take this minute (at most [`ROBOT_PER_MINUTE`] sent to one robot in the last 60 s,
/// counting these). Other channels (a webhook of the office's own, e-mail, SMS) are
/// not held back.
pub async fn pace(
    db: &Db,
    now_ms: i64,
    claimed: Vec<Claimed>,
) -> Result<(Vec<Claimed>, Vec<Claimed>)> {
    let robot = |c: &Claimed| {
        matches!(
            Vendor::parse(&c.vendor),
            Ok(Vendor::Wecom | Vendor::Dingtalk | Vendor::Feishu)
        )
    };
    let mut robots: Vec<i64> = claimed
        .iter()
        .filter(|c| robot(c))
        .map(|c| c.channel_id)
        .collect();
    robots.sort_unstable();
    robots.dedup();
    if robots.is_empty() {
        return Ok((claimed, Vec::new()));
    }
    let mut recent: Vec<(i64, i64)> = Vec::new();
    for chunk in robots.chunks(500) {
        recent.extend(
            db.read()
                .all::<(i64, i64)>(
                    q("SELECT channel_id, CAST(COUNT(*) AS BIGINT) FROM deliveries WHERE sent_at > ")
                        .push_bind(now_ms - 60_000)
                        .push(" AND channel_id IN (")
                        .push_list(chunk)
                        .push(") GROUP BY channel_id"),
                )
                .await?,
        );
    }
    let mut used: std::collections::HashMap<i64, i64> = recent.into_iter().collect();
    let (mut now, mut later) = (Vec::new(), Vec::new());
    for c in claimed {
        if robot(&c) {
            let n = used.entry(c.channel_id).or_insert(0);
            if *n >= ROBOT_PER_MINUTE {
                later.push(c);
                continue;
            }
            *n += 1;
        }
        now.push(c);
    }
    Ok((now, later))
}

/// Puts back deliveries [`pace`] held: due again after `wait_ms`, the claim's attempt
/// not counted.
pub async fn hold(db: &Db, now_ms: i64, held: &[Claimed], wait_ms: i64) -> Result<()> {
    if held.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = held.iter().map(|c| c.id).collect();
    let mut tx = db.begin().await?;
    for chunk in ids.chunks(500) {
        tx.execute(
            q("UPDATE deliveries SET next_at = ")
                .push_bind(now_ms + wait_ms)
                .push(", attempts = attempts - 1, claimed_until = 0 WHERE state = 'pending' AND id IN (")
                .push_list(chunk)
                .push(")"),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// How a send ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent(String),
    /// Try again after the backoff (a rate limit, a timeout, a server error).
    Retry(String),
    /// The vendor refused it (a wrong key, a bad signature): failed at once.
    Refused(String),
}

/// Settles delivery `id` after its `attempts`-th attempt: sent; or due again after the
/// backoff (with `jitter`, 0–999), failed after [`channel::MAX_ATTEMPTS`]; or failed.
pub async fn settle(
    db: &Db,
    now_ms: i64,
    id: i64,
    attempts: i64,
    outcome: &Outcome,
    jitter: u16,
) -> Result<()> {
    settle_many(db, now_ms, &[(id, attempts, outcome.clone(), jitter)]).await
}

/// [`settle`] for a batch (id, attempts, outcome, jitter), in one transaction.
pub async fn settle_many(db: &Db, now_ms: i64, batch: &[(i64, i64, Outcome, u16)]) -> Result<()> {
    let cut = |s: &str| s.chars().take(500).collect::<String>();
    let mut tx = db.begin().await?;
    for (id, attempts, outcome, jitter) in batch {
        let query = match outcome {
            Outcome::Sent(answer) => q("UPDATE deliveries SET state = 'sent', sent_at = $1, last_answer = $2, claimed_until = 0 WHERE id = $3 AND state = 'pending'")
                .bind(now_ms)
                .bind(cut(answer))
                .bind(*id),
            Outcome::Retry(answer) if *attempts < channel::MAX_ATTEMPTS => q("UPDATE deliveries SET next_at = $1, last_answer = $2, claimed_until = 0 WHERE id = $3 AND state = 'pending'")
                .bind(now_ms + channel::backoff_ms(*attempts, *jitter))
                .bind(cut(answer))
                .bind(*id),
            Outcome::Retry(answer) | Outcome::Refused(answer) => q("UPDATE deliveries SET state = 'failed', last_answer = $1, claimed_until = 0 WHERE id = $2 AND state = 'pending'")
                .bind(cut(answer))
                .bind(*id),
        };
        tx.execute(query).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// One channel in scope for sending by hand (the office's 发送测试消息).
pub async fn for_test(db: &Db, actor: &Actor, id: i64) -> Result<Claimed> {
    crate::authz::require(actor, Role::sees_everything)?;
    db.read()
        .opt(
            q("SELECT CAST(0 AS BIGINT) AS id, c.id AS channel_id, c.vendor, c.url_sealed, c.secret_sealed, c.phones_json, c.emails_json, c.sms_json, '测试消息' AS title, '这是安监平台发送的测试消息，收到即表示通道可用。' AS body, '' AS link, '' AS idempotency_key, CAST(0 AS BIGINT) AS attempts FROM channels c WHERE c.active = 1 AND c.id = $1")
                .bind(id),
        )
        .await?
        .ok_or(Error::NotFound)
}

/// Records a test message and the vendor's answer (the delivery log shows it), audited.
pub async fn record_test(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    channel: i64,
    outcome: &Outcome,
) -> Result<()> {
    let (state, answer) = match outcome {
        Outcome::Sent(a) => ("sent", a),
        Outcome::Retry(a) | Outcome::Refused(a) => ("failed", a),
    };
    let id = next_id(now_ms);
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO deliveries (id, channel_id, unit_id, event, subject, title, body, link, idempotency_key, state, attempts, next_at, claimed_until, last_answer, created_at, sent_at) SELECT $1, c.id, c.unit_id, 'test', 'channel:' || CAST(c.id AS TEXT), '测试消息', '', '', $2, $3, 1, $4, 0, $5, $4, $4 FROM channels c WHERE c.id = $6")
            .bind(id)
            .bind(format!("test:{id}"))
            .bind(state)
            .bind(now_ms)
            .bind(answer.chars().take(500).collect::<String>())
            .bind(channel),
    )
    .await?;
    let entry = Entry::ok("channel.test", "channel", channel).detail(format!("{state}：{answer}"));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// A delivery as the log lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DeliveryRow {
    pub id: i64,
    pub channel_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub vendor: String,
    pub event: String,
    pub title: String,
    pub state: String,
    pub attempts: i64,
    pub last_answer: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// The delivery log's filters and page (newest first, `before` the last id listed).
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub unit: Option<i64>,
    pub state: Option<String>,
    pub before: Option<i64>,
    pub limit: i64,
}

/// The deliveries in scope (the office: all; a unit: its own), newest first.
pub async fn deliveries(db: &Db, scope: &Scope, f: &DeliveryFilter) -> Result<Vec<DeliveryRow>> {
    let mut query = scope.units(
        q("SELECT d.id, d.channel_id, d.unit_id, u.name AS unit_name, c.vendor, d.event, d.title, d.state, d.attempts, d.last_answer, d.created_at, d.sent_at FROM deliveries d JOIN channels c ON c.id = d.channel_id JOIN units u ON u.id = d.unit_id WHERE "),
        "u",
    );
    if let Some(u) = f.unit {
        query = query.push(" AND d.unit_id = ").push_bind(u);
    }
    if let Some(s) = &f.state {
        query = query.push(" AND d.state = ").push_bind(s.clone());
    }
    if let Some(b) = f.before {
        query = query.push(" AND d.id < ").push_bind(b);
    }
    db.read()
        .all(
            query
                .push(" ORDER BY d.id DESC LIMIT ")
                .push_bind(f.limit.clamp(1, 500)),
        )
        .await
}

/// Setting key of the hosts the system administrator allows messages to reach
/// (`host:port`, one a line), besides the vendors' own and `ANJIAN_OUTBOUND_ALLOW`.
pub const ALLOW_LIST: &str = "outbound_allow";

/// The hosts the system administrator allowed.
pub async fn allow_list(db: &Db) -> Result<Vec<String>> {
    Ok(crate::settings::get(db, ALLOW_LIST)
        .await?
        .map(|v| {
            v.lines()
                .map(str::to_string)
                .filter(|l| !l.is_empty())
                .collect()
        })
        .unwrap_or_default())
}

/// Sets the allow-list (the system administrator's function, audited); answers it.
pub async fn set_allow_list(db: &Db, now_ms: i64, actor: &Actor, raw: &str) -> Result<Vec<String>> {
    crate::authz::require(actor, Role::can_keep_outbound_hosts)?;
    if raw.len() > 20_000 {
        return Err(Error::invalid("too_long", "hosts", "允许的外发地址过长"));
    }
    let hosts = channel::parse_allow_list(raw)?;
    crate::settings::set(
        db,
        now_ms,
        actor,
        "outbound.allow",
        ALLOW_LIST,
        &hosts.join("\n"),
    )
    .await?;
    Ok(hosts)
}

/// Setting key of the daily digest's time of day (`HH:MM`, Beijing time).
pub const DIGEST_AT: &str = "digest_at";

/// The digest's time of day when the office has set none.
pub const DIGEST_DEFAULT: &str = "08:30";

/// Sets the daily digest's time (the office), audited.
pub async fn set_digest_at(db: &Db, now_ms: i64, actor: &Actor, raw: &str) -> Result<String> {
    crate::authz::require(actor, Role::sees_everything)?;
    let t = chrono::NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map_err(|_| Error::invalid("invalid_time", "digest_at", "时间应为 HH:MM，如 08:30"))?;
    let v = t.format("%H:%M").to_string();
    crate::settings::set(db, now_ms, actor, "digest.schedule", DIGEST_AT, &v).await?;
    Ok(v)
}

/// The daily digest at `now_ms`: on a working day, from the time the office set, each
/// unit whose channel takes it gets one message: what is overdue, what is due within
/// the week, what was returned (and, for the office, how many reports wait for
/// review). Idempotent per unit and day (several processes queue it once). Returns how
/// many units were queued a digest.
pub async fn digest(db: &Db, now_ms: i64) -> Result<usize> {
    use anjian_core::machine::States;
    use anjian_core::obligation::State;
    let Some(now) = anjian_core::time::local_datetime(now_ms) else {
        return Ok(0);
    };
    let today = now.date_naive();
    let at = crate::settings::get(db, DIGEST_AT)
        .await?
        .unwrap_or_else(|| DIGEST_DEFAULT.into());
    let at = chrono::NaiveTime::parse_from_str(&at, "%H:%M").unwrap_or_default();
    if now.time() < at || !crate::calendar::load(db).await?.is_working_day(today) {
        return Ok(0);
    }
    let subject_day = today.format("%Y-%m-%d").to_string();
    // The channels taking the digest whose unit has not had it today.
    let channels: Vec<(i64, i64, Option<String>)> = db
        .read()
        .all(q("SELECT c.id, c.unit_id, c.events_json FROM channels c WHERE c.active = 1 AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.subject = 'digest:' || CAST(c.unit_id AS TEXT) AND d.idempotency_key LIKE $1)").bind(format!("digest:%:{subject_day}:%")))
        .await?;
    let targets: Vec<(i64, i64)> = channels
        .into_iter()
        .filter(|(_, _, events)| takes(events.as_deref(), Event::Digest))
        .map(|(id, unit, _)| (id, unit))
        .collect();
    let mut units: Vec<i64> = targets.iter().map(|(_, u)| *u).collect();
    units.sort_unstable();
    units.dedup();
    if units.is_empty() {
        return Ok(0);
    }
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let week = today + chrono::Days::new(7);
    let mut counts: Vec<(i64, i64, i64, i64)> = Vec::new();
    for chunk in units.chunks(500) {
        counts.extend(
            db.read()
                .all::<(i64, i64, i64, i64)>(
                    q(format!("SELECT o.unit_id, \
                        CAST(SUM(CASE WHEN o.state IN {open} AND o.due_on < $1 THEN 1 ELSE 0 END) AS BIGINT), \
                        CAST(SUM(CASE WHEN o.state = {pending} AND o.due_on >= $1 AND o.due_on <= $2 THEN 1 ELSE 0 END) AS BIGINT), \
                        CAST(SUM(CASE WHEN o.state = {returned} THEN 1 ELSE 0 END) AS BIGINT) \
                        FROM obligations o WHERE o.unit_id IN (",
                        open = State::sql_list(&State::OPEN),
                        pending = State::Pending.sql(),
                        returned = State::Returned.sql()))
                    .bind(day(today))
                    .bind(day(week))
                    .push_list(chunk)
                    .push(") GROUP BY o.unit_id"),
                )
                .await?,
        );
    }
    let office = {
        let mut tx = db.begin().await?;
        let o = crate::notices::office(&mut tx).await?;
        tx.commit().await?;
        o
    };
    let (waiting,): (i64,) = db
        .read()
        .one(q(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM obligations WHERE state = {}",
            State::Submitted.sql()
        )))
        .await?;
    // A lead unit's own queue: its co-units' reports of the items it leads.
    let mut to_review: Vec<(i64, i64)> = Vec::new();
    for chunk in units.chunks(500) {
        to_review.extend(
            db.read()
                .all::<(i64, i64)>(
                    q(format!("SELECT a.reviewer_unit_id, CAST(COUNT(*) AS BIGINT) FROM obligations o JOIN assignments a ON a.id = o.assignment_id WHERE o.state = {} AND o.unit_id <> a.reviewer_unit_id AND a.reviewer_unit_id IN (", State::Submitted.sql()))
                        .push_list(chunk)
                        .push(") GROUP BY a.reviewer_unit_id"),
                )
                .await?,
        );
    }
    let mut queued = 0;
    let mut tx = db.begin().await?;
    for unit in &units {
        let (overdue, due, returned) = counts
            .iter()
            .find(|(u, ..)| u == unit)
            .map_or((0, 0, 0), |(_, a, b, c)| (*a, *b, *c));
        let mut parts = vec![
            format!("已逾期{overdue}项"),
            format!("本周到期{due}项"),
            format!("被退回{returned}项"),
        ];
        if Some(*unit) == office {
            parts.push(format!("待审核报送{waiting}份"));
        } else if let Some((_, n)) = to_review.iter().find(|(u, _)| u == unit) {
            parts.push(format!("待您审核报送{n}份"));
        }
        let own: Vec<(i64, i64)> = targets.iter().filter(|(_, u)| u == unit).copied().collect();
        queue_in(
            &mut tx,
            now_ms,
            Event::Digest,
            &own,
            &Message {
                title: format!("今日待办（{}）", today.format("%-m月%-d日")),
                text: format!("{}。", parts.join("，")),
                link: "/todo".into(),
            },
            About {
                subject: &format!("digest:{unit}"),
                round: &subject_day,
            },
        )
        .await?;
        queued += 1;
    }
    tx.commit().await?;
    Ok(queued)
}

/// The outbox's backlog for the metrics: messages waiting to be sent, and when the
/// longest-waiting of them fell due (epoch ms).
pub async fn backlog(db: &Db) -> Result<(i64, Option<i64>)> {
    db.read()
        .one(q(
            "SELECT COUNT(*), MIN(next_at) FROM deliveries WHERE state = 'pending'",
        ))
        .await
}
