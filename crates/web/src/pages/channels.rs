//! The office's message channels (issue 18): each unit's group robots and webhooks,
//! a test message with the vendor's answer shown at once, and the delivery log (every
//! message with its state, attempts and the vendor's last answer).

use anjian_core::channel::{Event, Vendor};
use anjian_core::role::Role;
use anjian_store::outbox::{self, ChannelRow, DeliveryFilter, DeliveryRow, NewChannel};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Layout, Notice, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render_form};

type User = anjian_store::accounts::SessionUser;

/// The channels page.
#[derive(Template)]
#[template(path = "channels.html")]
pub struct ChannelsPage {
    pub layout: Option<Layout>,
    pub channels: Vec<ChannelRow>,
    pub units: Vec<(i64, String)>,
    pub vendors: [(&'static str, &'static str); 6],
    pub events: [(&'static str, &'static str); Event::ALL.len()],
    /// The hosts reachable beyond the robots' own (`ANJIAN_OUTBOUND_ALLOW`).
    pub allowed: String,
    /// The daily digest's time of day.
    pub digest_at: String,
    pub f: ChannelForm,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// The new channel's form.
#[derive(Deserialize, Default, Clone)]
pub struct ChannelForm {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub vendor: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub secret: String,
    /// Phones to @-mention, one a line (or separated by commas).
    #[serde(default)]
    pub phones: String,
    /// Addresses an e-mail channel mails, likewise.
    #[serde(default)]
    pub emails: String,
    /// An SMS gateway's template id and signature name (the body is the default).
    #[serde(default)]
    pub sms_template: String,
    #[serde(default)]
    pub sms_sign: String,
    #[serde(default)]
    pub events: Vec<String>,
}

async fn page(
    state: &AppState,
    u: &User,
    f: ChannelForm,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    anjian_store::authz::require(&u.actor(), Role::sees_everything)?;
    let refused = error.is_some();
    Ok(render_form(
        &ChannelsPage {
            layout: Layout::of(u),
            channels: outbox::channels(&state.db, &u.scope()).await?,
            units: super::unit_choices(
                state,
                u,
                &[
                    "committee_office",
                    "township",
                    "zone_committee",
                    "department",
                ],
            )
            .await?,
            vendors: Vendor::ALL.map(|v| (v.as_str(), v.label())),
            events: Event::ALL.map(|e| (e.as_str(), e.label())),
            allowed: crate::outbound::allowed_hosts(state).await.join("、"),
            digest_at: anjian_store::settings::get(&state.db, outbox::DIGEST_AT)
                .await?
                .unwrap_or_else(|| outbox::DIGEST_DEFAULT.into()),
            f: if refused {
                ChannelForm {
                    secret: String::new(),
                    ..f
                }
            } else {
                ChannelForm::default()
            },
            flash,
            error,
        },
        refused,
    ))
}

/// `?ok=` and a test's answer.
#[derive(Deserialize, Default)]
pub struct ChannelsQuery {
    pub ok: Option<String>,
    pub answer: Option<String>,
}

/// GET /channels (the office).
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<ChannelsQuery>,
) -> Result<Response, PageError> {
    let flash = q.ok.map(|k| match k.as_str() {
        "sent" => format!(
            "测试消息已发送，对方回复：{}",
            q.answer.as_deref().unwrap_or("")
        ),
        "failed" => format!("测试消息发送失败：{}", q.answer.as_deref().unwrap_or("")),
        "digest" => "已设置每日待办提醒时间".to_string(),
        _ => "已添加通道".to_string(),
    });
    page(&state, &u, ChannelForm::default(), Notice::flash(flash)).await
}

/// The entries of a box typed one a line (or separated by commas or spaces).
fn list(raw: &str) -> Vec<String> {
    raw.split(['\n', ',', '，', ' ', ';', '；'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// POST /channels (the office): adds a channel.
pub async fn create(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<ChannelForm>,
) -> Result<Response, PageError> {
    let result = async {
        let unit = f
            .unit
            .trim()
            .parse::<i64>()
            .map_err(|_| Problem::bad_field("required", "unit", "请选择单位"))?;
        let mut nonces = [[0u8; 24]; 2];
        for n in &mut nonces {
            getrandom::fill(n).map_err(|_| Problem::internal())?;
        }
        let allowed = crate::outbound::allowed_hosts(&state).await;
        outbox::create_channel(
            &state.db,
            &state.config.keyring,
            nonces,
            state.now(),
            &u.actor(),
            &allowed,
            &NewChannel {
                unit,
                vendor: f.vendor.clone(),
                url: f.url.clone(),
                secret: f.secret.clone(),
                phones: list(&f.phones),
                emails: list(&f.emails),
                sms: Some(anjian_core::channel::Sms {
                    template_id: f.sms_template.clone(),
                    sign_name: f.sms_sign.clone(),
                    ..Default::default()
                }),
                events: (!f.events.is_empty()).then(|| f.events.clone()),
            },
        )
        .await?;
        Ok::<_, Problem>("/channels?ok=created".to_string())
    }
    .await;
    after_form(result, |msg| {
        page(&state, &u, f.clone(), Notice::error(msg))
    })
    .await
}

/// The digest's form.
#[derive(Deserialize, Default)]
pub struct DigestForm {
    #[serde(default)]
    pub digest_at: String,
}

/// POST /channels/digest (the office): sets the daily digest's time.
pub async fn set_digest(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<DigestForm>,
) -> Result<Response, PageError> {
    let result = outbox::set_digest_at(&state.db, state.now(), &u.actor(), &f.digest_at)
        .await
        .map(|_| "/channels?ok=digest".to_string())
        .map_err(Problem::from);
    after_form(result, |msg| {
        page(&state, &u, ChannelForm::default(), Notice::error(msg))
    })
    .await
}

/// POST /channels/{id}/test (the office): sends a test message and shows the answer.
pub async fn test(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = crate::api::path_id(&id)?;
    let t = crate::api::channels::test_channel(&state, &u, id).await?;
    let q = serde_urlencoded::to_string([("ok", t.state.as_str()), ("answer", &t.answer)])
        .unwrap_or_default();
    after_form(Ok(format!("/channels?{q}")), |_| async {
        Err(Problem::internal().into())
    })
    .await
}

/// The delivery log.
#[derive(Template)]
#[template(path = "deliveries.html")]
pub struct DeliveriesPage {
    pub layout: Option<Layout>,
    pub rows: Vec<DeliveryRow>,
    pub units: Vec<(i64, String)>,
    pub q: DeliveriesQuery,
    pub next: Option<String>,
}

impl DeliveriesPage {
    /// A delivery's state in Chinese.
    pub fn state_label(s: &str) -> &'static str {
        match s {
            "pending" => "待发送",
            "sent" => "已送达",
            "failed" => "失败",
            _ => "—",
        }
    }

    /// An event's Chinese name.
    pub fn event_label(s: &str) -> &'static str {
        match s {
            "test" => Event::Test.label(),
            other => Event::parse(other).map_or("—", Event::label),
        }
    }

    /// An instant in Beijing time.
    pub fn at(ms: &i64) -> String {
        anjian_core::time::format_local(*ms)
    }
}

/// `?unit=&state=&before=`.
#[derive(Deserialize, Default, Clone)]
pub struct DeliveriesQuery {
    pub unit: Option<String>,
    pub state: Option<String>,
    pub before: Option<String>,
}

/// GET /deliveries (the office): every message, newest first, 100 a page.
pub async fn deliveries(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<DeliveriesQuery>,
) -> Result<Response, PageError> {
    anjian_store::authz::require(&u.actor(), Role::sees_everything)?;
    let filled = |v: &Option<String>| crate::input::filled(v).map(str::to_string);
    let number = |v: &Option<String>, field: &'static str| {
        filled(v)
            .map(|s| {
                s.parse::<i64>()
                    .map_err(|_| Problem::bad_field("invalid_number", field, "请从列表中选择"))
            })
            .transpose()
    };
    let st = filled(&q.state);
    if let Some(s) = &st
        && !["pending", "sent", "failed"].contains(&s.as_str())
    {
        return Err(Problem::bad_field("invalid_state", "state", "请选择状态").into());
    }
    let f = DeliveryFilter {
        unit: number(&q.unit, "unit")?,
        state: st,
        before: number(&q.before, "before")?,
        limit: 100,
    };
    let rows = outbox::deliveries(&state.db, &u.scope(), &f).await?;
    let next = (rows.len() == 100).then(|| {
        let last = rows.last().map(|r| r.id.to_string());
        crate::input::link_with(
            "/deliveries",
            &[
                ("unit", q.unit.as_deref()),
                ("state", q.state.as_deref()),
                ("before", last.as_deref()),
            ],
        )
    });
    Ok(crate::error::render(&DeliveriesPage {
        layout: Layout::of(&u),
        units: super::unit_choices(
            &state,
            &u,
            &[
                "committee_office",
                "township",
                "zone_committee",
                "department",
            ],
        )
        .await?,
        rows,
        q,
        next,
    }))
}
