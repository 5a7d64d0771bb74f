//! Notification channels (issue 18): where a unit's messages go — the group robots of
//! 企业微信 / 政务微信 (`wecom`), 钉钉 / 浙政钉 (`dingtalk`) and 飞书 (`feishu`), and a
//! signed JSON webhook for the office's own systems — and, for each vendor, the request
//! its documentation asks for and how its answer reads. Sending is the dispatcher's
//! (`web::outbound`); what to send is the outbox's (`store::outbox`).

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use std::net::{IpAddr, SocketAddr};

use crate::{FieldError, Result};

/// A channel's vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vendor {
    /// 企业微信 / 政务微信 group robot: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`.
    Wecom,
    /// 钉钉 / 浙政钉 custom robot with 加签: `https://oapi.dingtalk.com/robot/send?access_token=…`.
    Dingtalk,
    /// 飞书 custom bot with 签名校验: `https://open.feishu.cn/open-apis/bot/v2/hook/…`.
    Feishu,
    /// The office's own system: a JSON POST signed with HMAC-SHA256 in a header.
    Webhook,
    /// E-mail over SMTP: `smtp://user@host:587` (STARTTLS) or `smtps://user@host:465`
    /// (TLS), the password as the secret, the addresses in `emails`.
    Email,
    /// SMS through a gateway: a JSON POST whose body is configured ([`Sms`]), the key
    /// as a bearer token, the duty phones as recipients.
    Sms,
}

impl Vendor {
    /// Every vendor, in the form's order.
    pub const ALL: [Vendor; 6] = [
        Vendor::Wecom,
        Vendor::Dingtalk,
        Vendor::Feishu,
        Vendor::Webhook,
        Vendor::Email,
        Vendor::Sms,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Wecom => "wecom",
            Vendor::Dingtalk => "dingtalk",
            Vendor::Feishu => "feishu",
            Vendor::Webhook => "webhook",
            Vendor::Email => "email",
            Vendor::Sms => "sms",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Vendor::Wecom => "企业微信 / 政务微信群机器人",
            Vendor::Dingtalk => "钉钉 / 浙政钉群机器人",
            Vendor::Feishu => "飞书群机器人",
            Vendor::Webhook => "自有系统（签名 Webhook）",
            Vendor::Email => "电子邮件（SMTP）",
            Vendor::Sms => "短信网关",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Result<Vendor> {
        let s = s.trim();
        Vendor::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                FieldError::new(
                    "invalid_vendor",
                    "vendor",
                    "通道类型应为 wecom、dingtalk、feishu、webhook、email 或 sms",
                )
            })
    }

    /// Whether the vendor needs a signing secret (钉钉 加签, 飞书 签名校验, the webhook's
    /// HMAC key); 企业微信's key is part of its URL, an SMTP server may take mail
    /// without a password.
    pub fn needs_secret(self) -> bool {
        !matches!(self, Vendor::Wecom | Vendor::Email | Vendor::Sms)
    }

    /// The URL schemes the vendor is reached by.
    pub fn schemes(self) -> &'static [&'static str] {
        match self {
            Vendor::Email => &["smtp", "smtps"],
            _ => &["http", "https"],
        }
    }
}

/// What a channel may be told of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A warning to answer (叫应).
    Warning,
    /// An accident reported (to the office and the emergency bureau).
    Accident,
    /// A tip routed to the unit for verification (category and deadline only).
    Tip,
    /// A hazard of the unit listed for supervision (挂牌督办).
    HazardListed,
    /// A hazard's loop: assigned to the unit (交办), fed back (to the assigner),
    /// verified or sent back (to the unit).
    Hazard,
    /// A report returned to the unit, with the reason.
    Returned,
    /// A circuit breaker (熔断) in the unit's area or sector.
    Breaker,
    /// The working day's digest: overdue, due this week, returned, to review.
    Digest,
    /// New obligations given to the unit (a campaign, a bulletin, an added work item),
    /// bundled: one message per unit and action.
    Obligation,
    /// A special period's daily report still due today (专项时段日报).
    DailyReport,
    /// A message sent by hand to try the channel.
    Test,
}

impl Event {
    /// Every event a channel may subscribe to.
    pub const ALL: [Event; 10] = [
        Event::Warning,
        Event::Accident,
        Event::Tip,
        Event::HazardListed,
        Event::Hazard,
        Event::Returned,
        Event::Breaker,
        Event::Digest,
        Event::Obligation,
        Event::DailyReport,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Warning => "warning",
            Event::Accident => "accident",
            Event::Tip => "tip",
            Event::HazardListed => "hazard_listed",
            Event::Hazard => "hazard",
            Event::Returned => "returned",
            Event::Breaker => "circuit_breaker",
            Event::Digest => "digest",
            Event::Obligation => "obligation",
            Event::DailyReport => "daily_report",
            Event::Test => "test",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Event::Warning => "预警叫应",
            Event::Accident => "事故直报",
            Event::Tip => "举报分办",
            Event::HazardListed => "隐患挂牌督办",
            Event::Hazard => "隐患交办、反馈、核查",
            Event::Returned => "报送被退回",
            Event::Breaker => "熔断",
            Event::Digest => "每日待办提醒",
            Event::Obligation => "新交办的应办事项",
            Event::DailyReport => "专项时段日报提醒",
            Event::Test => "测试消息",
        }
    }

    /// Reads a subscribable event's name.
    pub fn parse(s: &str) -> Result<Event> {
        Event::ALL
            .into_iter()
            .find(|e| e.as_str() == s.trim())
            .ok_or_else(|| {
                FieldError::new(
                    "invalid_event",
                    "events",
                    format!("事件应为 {}", Event::ALL.map(|e| e.as_str()).join("、")),
                )
            })
    }
}

/// An SMS gateway's request, configured so that the common services fit without code:
/// the body is JSON in which `{{phones}}` (comma-separated), `{{phone_list}}` (a JSON
/// array), `{{title}}`, `{{text}}`, `{{template_id}}` and `{{sign_name}}` are replaced;
/// the answer is taken when it is 2xx and, if `ok` is `field=value`, that top-level
/// field holds that value (as text).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Sms {
    #[serde(default)]
    pub template_id: String,
    #[serde(default)]
    pub sign_name: String,
    /// The body's JSON template; empty: [`Sms::DEFAULT_BODY`].
    #[serde(default)]
    pub body: String,
    /// `field=value` the answer must hold (e.g. `code=OK`); empty: any 2xx.
    #[serde(default)]
    pub ok: String,
}

impl Sms {
    /// The body sent when none is configured.
    pub const DEFAULT_BODY: &'static str = r#"{"phones":"{{phones}}","template_id":"{{template_id}}","sign_name":"{{sign_name}}","params":{"title":"{{title}}","text":"{{text}}"}}"#;

    /// Checks a configuration: the body (when given) JSON of at most 4,000 characters,
    /// `ok` of the form `field=value`, the names at most 100 characters.
    pub fn check(&self) -> Result<Sms> {
        let bad = |m: &str| FieldError::new("invalid_sms", "sms", m.to_string());
        if self.template_id.chars().count() > 100 || self.sign_name.chars().count() > 100 {
            return Err(bad("模板编号和签名不超过100字"));
        }
        if !self.body.trim().is_empty()
            && (self.body.len() > 4000
                || serde_json::from_str::<serde_json::Value>(&self.body).is_err())
        {
            return Err(bad("短信请求体应为不超过4000字的 JSON"));
        }
        if !self.ok.trim().is_empty() && !self.ok.contains('=') {
            return Err(bad("成功标志应为“字段=值”，如 code=OK"));
        }
        Ok(Sms {
            template_id: self.template_id.trim().into(),
            sign_name: self.sign_name.trim().into(),
            body: self.body.trim().into(),
            ok: self.ok.trim().into(),
        })
    }

    /// The body for `msg` to `phones`.
    pub fn render(&self, msg: &Message, phones: &[String]) -> String {
        let template = if self.body.is_empty() {
            Sms::DEFAULT_BODY
        } else {
            &self.body
        };
        let mut v: serde_json::Value = serde_json::from_str(template).unwrap_or_default();
        let text = plain(&Message {
            link: String::new(),
            ..msg.clone()
        });
        fill(&mut v, &|s: &str| {
            if s == "{{phone_list}}" {
                return Some(serde_json::json!(phones));
            }
            Some(serde_json::Value::String(
                s.replace("{{phones}}", &phones.join(","))
                    .replace("{{title}}", &msg.title)
                    .replace("{{text}}", &text)
                    .replace("{{template_id}}", &self.template_id)
                    .replace("{{sign_name}}", &self.sign_name),
            ))
        });
        v.to_string()
    }

    /// Whether an answer's body holds the configured success mark.
    pub fn taken(&self, body: &str) -> bool {
        let Some((field, value)) = self.ok.split_once('=') else {
            return true;
        };
        let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        match v.get(field.trim()) {
            Some(serde_json::Value::String(s)) => s == value.trim(),
            Some(other) => other.to_string().as_str() == value.trim(),
            None => false,
        }
    }
}

/// Replaces every string of `v` by what `with` makes of it.
fn fill(v: &mut serde_json::Value, with: &dyn Fn(&str) -> Option<serde_json::Value>) {
    match v {
        serde_json::Value::String(s) => {
            if let Some(n) = with(s) {
                *v = n;
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| fill(x, with)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|x| fill(x, with)),
        _ => {}
    }
}

/// A message: a title, its text (plain, without personal data) and the link to the
/// page where the reader acts (a path; the dispatcher prefixes the server's URL).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    pub title: String,
    pub text: String,
    pub link: String,
}

/// A request to send: where, with which headers, what body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// The most characters a message's text carries (the robots take about 2,048 bytes of
/// text; a longer one is cut with "…").
pub const MAX_TEXT: usize = 600;

/// The HTTP request `vendor` documents for `msg` sent to `url` with `secret` at
/// `now_ms`, `mobiles` @-mentioned (robots), `key` the delivery's idempotency key; None
/// for e-mail, which is not sent over HTTP.
pub fn request(
    vendor: Vendor,
    url: &str,
    secret: &str,
    msg: &Message,
    mobiles: &[String],
    now_ms: i64,
    key: &str,
) -> Option<Outgoing> {
    let text = plain(msg);
    let json = |v: serde_json::Value| v.to_string();
    Some(match vendor {
        Vendor::Email | Vendor::Sms => return None,
        // 企业微信: {"msgtype":"text","text":{"content":…,"mentioned_mobile_list":[…]}}.
        Vendor::Wecom => Outgoing {
            url: url.to_string(),
            headers: vec![content_type()],
            body: json(serde_json::json!({
                "msgtype": "text",
                "text": {"content": text, "mentioned_mobile_list": mobiles},
            })),
        },
        // 钉钉 加签: &timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256 of
        // "timestamp\nsecret" keyed by the secret>.
        Vendor::Dingtalk => {
            let sign = dingtalk_sign(now_ms, secret);
            let sign: String = url::form_urlencoded::byte_serialize(sign.as_bytes()).collect();
            let sep = if url.contains('?') { '&' } else { '?' };
            Outgoing {
                url: format!("{url}{sep}timestamp={now_ms}&sign={sign}"),
                headers: vec![content_type()],
                body: json(serde_json::json!({
                    "msgtype": "text",
                    "text": {"content": text},
                    "at": {"atMobiles": mobiles, "isAtAll": false},
                })),
            }
        }
        // 飞书 签名校验: timestamp in seconds; sign = base64 of HMAC-SHA256 keyed by
        // "timestamp\nsecret" over nothing.
        Vendor::Feishu => {
            let ts = now_ms / 1000;
            Outgoing {
                url: url.to_string(),
                headers: vec![content_type()],
                body: json(serde_json::json!({
                    "timestamp": ts.to_string(),
                    "sign": feishu_sign(ts, secret),
                    "msg_type": "text",
                    "content": {"text": text},
                })),
            }
        }
        // The office's systems: the message as JSON, signed over the exact body.
        Vendor::Webhook => {
            let body = json(serde_json::json!({
                "title": msg.title,
                "text": msg.text,
                "link": msg.link,
                "idempotency_key": key,
                "sent_at": now_ms,
            }));
            Outgoing {
                url: url.to_string(),
                headers: vec![
                    content_type(),
                    (
                        "X-Anjian-Signature".into(),
                        format!("sha256={}", webhook_signature(secret, &body)),
                    ),
                    ("Idempotency-Key".into(), key.to_string()),
                ],
                body,
            }
        }
    })
}

fn content_type() -> (String, String) {
    (
        "Content-Type".into(),
        "application/json; charset=utf-8".into(),
    )
}

/// The message as one plain text: title, text and link, cut to [`MAX_TEXT`], with
/// anything shaped like a receipt code, an ID number or a phone number masked.
pub fn plain(msg: &Message) -> String {
    let mut text = format!("【{}】{}", msg.title, msg.text);
    if text.chars().count() > MAX_TEXT {
        text = text.chars().take(MAX_TEXT - 1).collect::<String>() + "…";
    }
    if !msg.link.is_empty() {
        text.push('\n');
        text.push_str(&msg.link);
    }
    scrub(&text)
}

/// Masks every run of 11 or more digits (a phone, an ID number, a receipt code) but
/// the one in a link, so that no message carries personal data by mistake.
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let mut in_link = false;
    let flush = |run: &mut String, out: &mut String, in_link: bool| {
        let digits = run.chars().filter(char::is_ascii_digit).count();
        if digits >= 11 && !in_link {
            out.push_str(&"*".repeat(run.chars().count()));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || (c == 'X' || c == 'x') && !run.is_empty() {
            run.push(c);
            continue;
        }
        flush(&mut run, &mut out, in_link);
        if c.is_whitespace() {
            in_link = false;
        } else if out.ends_with("http:/") || out.ends_with("https:/") {
            in_link = true;
        }
        out.push(c);
    }
    flush(&mut run, &mut out, in_link);
    out
}

/// 钉钉's signature for `timestamp_ms` (before URL encoding).
pub fn dingtalk_sign(timestamp_ms: i64, secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// 飞书's signature for `timestamp_s`.
pub fn feishu_sign(timestamp_s: i64, secret: &str) -> String {
    let key = format!("{timestamp_s}\n{secret}");
    let mac = Hmac::<Sha256>::new_from_slice(key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The webhook's signature: lowercase hex HMAC-SHA256 of the body keyed by the secret.
pub fn webhook_signature(secret: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// How a vendor answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Taken: the message is delivered.
    Accepted,
    /// Refused for now (a rate limit, a server error): try again later.
    Retry(String),
    /// Refused for good (a wrong key, a bad signature): retried, then failed.
    Refused(String),
}

/// Reads a vendor's answer: HTTP `status` and `body`. 企业微信 and 钉钉 answer
/// `{"errcode":0,"errmsg":"ok"}` (企业微信 45009 and 钉钉 130101 are their rate limits);
/// 飞书 `{"code":0,…}` (older bots `{"StatusCode":0}`; 11232 its rate limit); the
/// webhook any 2xx.
pub fn answer(vendor: Vendor, status: u16, body: &str) -> Answer {
    let said: String = body.chars().take(300).collect();
    if status == 429 || status >= 500 {
        return Answer::Retry(format!("HTTP {status} {said}"));
    }
    if !(200..300).contains(&status) {
        return Answer::Refused(format!("HTTP {status} {said}"));
    }
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let code = |k: &str| v.get(k).and_then(serde_json::Value::as_i64);
    let (code, limited) = match vendor {
        Vendor::Webhook | Vendor::Email | Vendor::Sms => return Answer::Accepted,
        Vendor::Wecom => (code("errcode"), [45009, 45033]),
        Vendor::Dingtalk => (code("errcode"), [130101, 660026]),
        Vendor::Feishu => (code("code").or(code("StatusCode")), [11232, 9499]),
    };
    match code {
        Some(0) => Answer::Accepted,
        Some(c) if limited.contains(&c) => Answer::Retry(said),
        _ => Answer::Refused(said),
    }
}

/// A channel's URL as typed for `vendor` (for the allow-list): its schemes (an SMTP server's `smtp://` or
/// `smtps://` may name the user, never a password), a host; its host and port.
pub fn check_url_for(vendor: Vendor, raw: &str) -> Result<(String, u16)> {
    let bad = || {
        FieldError::new(
            "invalid_url",
            "url",
            match vendor {
                Vendor::Email => "地址应为 smtp://用户名@服务器:587 或 smtps://用户名@服务器:465",
                _ => "地址应为 http:// 或 https:// 开头的网址",
            },
        )
    };
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::new(
            "required",
            "url",
            "请填写机器人或 Webhook 地址",
        ));
    }
    if raw.len() > 1000 {
        return Err(FieldError::new("too_long", "url", "地址过长"));
    }
    let u = url::Url::parse(raw).map_err(|_| bad())?;
    let email = vendor == Vendor::Email;
    if !vendor.schemes().contains(&u.scheme())
        || (!email && !u.username().is_empty())
        || u.password().is_some()
    {
        return Err(bad());
    }
    let host = u.host_str().ok_or_else(bad)?.to_ascii_lowercase();
    let port = match (u.port(), u.scheme()) {
        (Some(p), _) => p,
        (None, "smtp") => 587,
        (None, "smtps") => 465,
        (None, _) => u.port_or_known_default().ok_or_else(bad)?,
    };
    Ok((host, port))
}

/// A mobile number to @-mention: 11 digits starting with 1.
pub fn check_phone(raw: &str) -> Result<String> {
    let p = raw.trim();
    if p.len() == 11 && p.starts_with('1') && p.bytes().all(|b| b.is_ascii_digit()) {
        Ok(p.to_string())
    } else {
        Err(FieldError::new(
            "invalid_phone",
            "phones",
            format!(
                "手机号“{}”格式不正确，应为11位数字",
                p.chars().take(20).collect::<String>()
            ),
        ))
    }
}

/// An address to mail: something@a.host, at most 200 characters.
pub fn check_email(raw: &str) -> Result<String> {
    let e = raw.trim();
    let ok = e.len() <= 200
        && e.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
        })
        && !e
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if ok {
        Ok(e.to_string())
    } else {
        Err(FieldError::new(
            "invalid_email",
            "emails",
            format!("邮箱“{}”格式不正确", e.chars().take(40).collect::<String>()),
        ))
    }
}

/// The hosts a channel may reach without being listed: the robots' own.
pub const VENDOR_HOSTS: [&str; 4] = [
    "qyapi.weixin.qq.com",
    "oapi.dingtalk.com",
    "open.feishu.cn",
    "open.larksuite.com",
];

/// Whether `host:port` may be reached: the robots' own hosts on 443, or one the system
/// administrator listed (`host:port`).
pub fn allowed(host: &str, port: u16, listed: &[String]) -> bool {
    (port == 443 && VENDOR_HOSTS.contains(&host))
        || listed
            .iter()
            .any(|l| l.trim().eq_ignore_ascii_case(&format!("{host}:{port}")))
}

/// The most hosts the system administrator's allow-list holds.
pub const MAX_ALLOWED_HOSTS: usize = 100;

/// Reads the allow-list the system administrator keeps (field `hosts`): one `host:port`
/// a line (or separated by commas), a host name or IP address and a port from 1 to
/// 65535; blank lines ignored, duplicates kept once.
pub fn parse_allow_list(raw: &str) -> Result<Vec<String>> {
    let bad = |m: String| FieldError::new("invalid_host", "hosts", m);
    let mut out: Vec<String> = Vec::new();
    for entry in raw
        .split(['\n', ',', '，'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let Some((host, port)) = entry.rsplit_once(':') else {
            return Err(bad(format!(
                "「{entry}」应为 主机:端口，如 hooks.example.gov.cn:443"
            )));
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port_ok = port.parse::<u16>().is_ok_and(|p| p > 0);
        let host_ok = !host.is_empty()
            && host.len() <= 253
            && (host.parse::<IpAddr>().is_ok()
                || host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'));
        if !port_ok || !host_ok {
            return Err(bad(format!("「{entry}」不是有效的 主机:端口")));
        }
        let e = format!("{}:{port}", host.to_ascii_lowercase());
        if !out.contains(&e) {
            out.push(e);
        }
    }
    if out.len() > MAX_ALLOWED_HOSTS {
        return Err(bad(format!("最多{MAX_ALLOWED_HOSTS}个地址")));
    }
    Ok(out)
}

/// Whether `ip` is an address a message must not reach unless its host is listed:
/// loopback, private (RFC 1918, unique-local), link-local, unspecified, shared
/// (100.64/10), documentation or broadcast.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || o[0] == 0
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// The addresses `host` resolved to that a message may reach: all of them when the
/// system administrator listed the host (on any port), else only public ones. Checked
/// at connection time, so a name that later resolves to an inside address (DNS
/// rebinding) is refused too.
pub fn reachable(host: &str, addrs: Vec<SocketAddr>, listed: &[String]) -> Vec<SocketAddr> {
    let is_listed = listed.iter().any(|l| {
        l.trim().rsplit_once(':').is_some_and(|(h, _)| {
            h.trim_start_matches('[')
                .trim_end_matches(']')
                .eq_ignore_ascii_case(host)
        })
    });
    if is_listed {
        return addrs;
    }
    addrs.into_iter().filter(|a| !is_private(a.ip())).collect()
}

/// The retry delay after `attempts` attempts: 30 s doubling to an hour at most, with
/// `jitter` (0–999) thousandths of it added, so that retries spread out.
pub fn backoff_ms(attempts: i64, jitter: u16) -> i64 {
    let base = 30_000i64
        .saturating_mul(1i64 << attempts.clamp(0, 7))
        .min(3_600_000);
    base + base * i64::from(jitter.min(999)) / 1000 / 2
}

/// After this many attempts a message is failed.
pub const MAX_ATTEMPTS: i64 = 6;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allow_list_is_read_and_inside_addresses_need_listing() {
        assert_eq!(
            parse_allow_list(" hooks.office.gov.cn:443\n\n10.1.2.3:8080，HOOKS.office.gov.cn:443")
                .unwrap(),
            vec!["hooks.office.gov.cn:443", "10.1.2.3:8080"]
        );
        for bad in [
            "hooks.office.gov.cn",
            "a b:80",
            "x:0",
            "x:70000",
            "http://x:80",
        ] {
            assert_eq!(parse_allow_list(bad).unwrap_err().field, "hosts", "{bad}");
        }
        let addrs =
            |s: &[&str]| -> Vec<SocketAddr> { s.iter().map(|a| a.parse().unwrap()).collect() };
        let mixed = addrs(&[
            "10.0.0.5:0",
            "203.0.113.9:0",
            "127.0.0.1:0",
            "[::1]:0",
            "[fd00::1]:0",
            "101.226.1.1:0",
            "100.100.1.1:0",
            "[::ffff:192.168.1.1]:0",
        ]);
        assert_eq!(
            reachable("qyapi.weixin.qq.com", mixed.clone(), &[]),
            addrs(&["101.226.1.1:0"]),
            "a vendor's name resolving inside reaches only its public addresses"
        );
        assert_eq!(
            reachable(
                "hooks.office.gov.cn",
                mixed.clone(),
                &["hooks.office.gov.cn:8443".into()]
            ),
            mixed,
            "a listed host may be inside"
        );
    }

    /// Known vectors, computed independently (Python's hmac and base64 with the
    /// vendors' documented recipes).
    #[test]
    fn the_signatures_follow_the_vendors_recipes() {
        assert_eq!(
            dingtalk_sign(1_599_360_473_000, "SECtestsecret"),
            "vhoLqApxy9zT1hKJD4TEZPeigHt3IUmn3vGb/W3zqYg="
        );
        assert_eq!(
            feishu_sign(1_599_360_473, "testsecret"),
            "363UeKLKin0EeG+hrOQd23TNUSH+orqAFf6mWFdhcD4="
        );
        assert_eq!(
            webhook_signature("k", "{}"),
            "add853b103fbcc936a194f9eb15e29c4ff08af6e47d5d1bca4f20218e31e4fff"
        );
    }

    #[test]
    fn each_vendor_gets_its_documented_body() {
        let m = Message {
            title: "暴雨红色预警".into(),
            text: "请立即叫应".into(),
            link: "https://aj.example/warnings/1".into(),
        };
        let w = request(
            Vendor::Wecom,
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
            "",
            &m,
            &["13800000000".into()],
            1,
            "d1",
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&w.body).unwrap();
        assert_eq!(v["msgtype"], "text");
        assert!(
            v["text"]["content"]
                .as_str()
                .unwrap()
                .contains("暴雨红色预警")
        );
        assert_eq!(v["text"]["mentioned_mobile_list"][0], "13800000000");
        let d = request(
            Vendor::Dingtalk,
            "https://oapi.dingtalk.com/robot/send?access_token=t",
            "s",
            &m,
            &[],
            1_599_360_473_000,
            "d1",
        )
        .unwrap();
        assert!(
            d.url.contains("&timestamp=1599360473000&sign="),
            "{}",
            d.url
        );
        let f = request(
            Vendor::Feishu,
            "https://open.feishu.cn/open-apis/bot/v2/hook/x",
            "testsecret",
            &m,
            &[],
            1_599_360_473_000,
            "d1",
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&f.body).unwrap();
        assert_eq!(v["timestamp"], "1599360473");
        assert_eq!(v["sign"], feishu_sign(1_599_360_473, "testsecret"));
        let h = request(
            Vendor::Webhook,
            "http://127.0.0.1:9/x",
            "k",
            &m,
            &[],
            5,
            "d1",
        )
        .unwrap();
        let sig = &h
            .headers
            .iter()
            .find(|(k, _)| k == "X-Anjian-Signature")
            .unwrap()
            .1;
        assert_eq!(sig, &format!("sha256={}", webhook_signature("k", &h.body)));
    }

    #[test]
    fn answers_read_as_the_vendors_document_them() {
        assert_eq!(
            answer(Vendor::Wecom, 200, r#"{"errcode":0,"errmsg":"ok"}"#),
            Answer::Accepted
        );
        assert!(matches!(
            answer(
                Vendor::Wecom,
                200,
                r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#
            ),
            Answer::Retry(_)
        ));
        assert!(matches!(
            answer(
                Vendor::Wecom,
                200,
                r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#
            ),
            Answer::Refused(_)
        ));
        assert!(matches!(
            answer(
                Vendor::Dingtalk,
                200,
                r#"{"errcode":130101,"errmsg":"send too fast"}"#
            ),
            Answer::Retry(_)
        ));
        assert!(matches!(
            answer(
                Vendor::Feishu,
                200,
                r#"{"code":19021,"msg":"sign match fail"}"#
            ),
            Answer::Refused(_)
        ));
        assert_eq!(
            answer(Vendor::Feishu, 200, r#"{"StatusCode":0}"#),
            Answer::Accepted
        );
        assert!(matches!(answer(Vendor::Webhook, 503, ""), Answer::Retry(_)));
    }

    #[test]
    fn an_sms_gateways_body_is_filled_from_its_template() {
        let sms = Sms {
            template_id: "SMS_1".into(),
            sign_name: "铜梁应急".into(),
            body: r#"{"To":"{{phones}}","list":"{{phone_list}}","TemplateCode":"{{template_id}}","Param":{"t":"{{title}}"}}"#.into(),
            ok: "Code=OK".into(),
        }
        .check()
        .unwrap();
        let m = Message {
            title: "暴雨\"红色\"预警".into(),
            text: "立即转移".into(),
            link: "https://x/1".into(),
        };
        let v: serde_json::Value =
            serde_json::from_str(&sms.render(&m, &["13800000001".into(), "13800000002".into()]))
                .unwrap();
        assert_eq!(v["To"], "13800000001,13800000002");
        assert_eq!(v["list"][1], "13800000002");
        assert_eq!(v["TemplateCode"], "SMS_1");
        assert_eq!(
            v["Param"]["t"], "暴雨\"红色\"预警",
            "quotes stay inside the string"
        );
        assert!(
            sms.taken(r#"{"Code":"OK"}"#) && !sms.taken(r#"{"Code":"isv.BUSINESS_LIMIT_CONTROL"}"#)
        );
        assert_eq!(
            Sms {
                body: "{".into(),
                ..Sms::default()
            }
            .check()
            .unwrap_err()
            .field,
            "sms"
        );
    }

    #[test]
    fn personal_numbers_never_leave_in_a_message() {
        let m = Message {
            title: "举报".into(),
            text: "举报人13907310942，身份证11010519491231002X，回执1234567890123456789012".into(),
            link: "https://aj.example/tips/84135116804818".into(),
        };
        let t = plain(&m);
        assert!(!t.contains("13907310942") && !t.contains("11010519491231002X"));
        assert!(!t.contains("1234567890123456789012"));
        assert!(t.ends_with("https://aj.example/tips/84135116804818"), "{t}");
    }

    #[test]
    fn urls_phones_and_hosts_are_checked() {
        assert_eq!(
            check_url_for(
                Vendor::Wecom,
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1"
            )
            .unwrap(),
            ("qyapi.weixin.qq.com".into(), 443)
        );
        assert_eq!(
            check_url_for(Vendor::Webhook, "ftp://x").unwrap_err().field,
            "url"
        );
        assert_eq!(
            check_url_for(Vendor::Webhook, "https://u:p@h/")
                .unwrap_err()
                .code,
            "invalid_url"
        );
        assert!(allowed("qyapi.weixin.qq.com", 443, &[]));
        assert!(!allowed("127.0.0.1", 8080, &[]));
        assert!(allowed("127.0.0.1", 8080, &["127.0.0.1:8080".into()]));
        assert_eq!(check_phone("1380000000").unwrap_err().field, "phones");
        assert_eq!(Vendor::parse("pigeon").unwrap_err().code, "invalid_vendor");
        assert_eq!(
            check_url_for(Vendor::Email, "smtp://aj@mail.example.gov.cn").unwrap(),
            ("mail.example.gov.cn".into(), 587)
        );
        assert_eq!(
            check_url_for(Vendor::Email, "smtp://aj:pw@mail.example.gov.cn")
                .unwrap_err()
                .field,
            "url"
        );
        assert_eq!(
            check_email("duty@example.gov.cn").unwrap(),
            "duty@example.gov.cn"
        );
        assert_eq!(check_email("no-at-sign").unwrap_err().field, "emails");
        assert!(backoff_ms(1, 0) < backoff_ms(2, 0) && backoff_ms(20, 999) <= 5_400_000);
    }
}
