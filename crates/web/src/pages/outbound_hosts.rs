//! The system administrator's allow-list of outbound hosts (issue 18 part 7): the
//! robots' and webhooks' addresses messages may reach besides the vendors' own. A host
//! not listed cannot be given to a channel, and a name resolving to an inside address
//! is refused when sending unless listed (`outbound::Guard`).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::{Done, Layout, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, render_form};

/// The page.
#[derive(Template)]
#[template(path = "outbound_hosts.html")]
pub struct HostsPage {
    pub layout: Option<Layout>,
    /// The administrator's list, one `host:port` a line.
    pub hosts: String,
    /// Hosts the server's configuration adds (`ANJIAN_OUTBOUND_ALLOW`).
    pub configured: Vec<String>,
    pub vendors: Vec<&'static str>,
    pub flash: Option<String>,
    pub error: Option<String>,
}

async fn page(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    flash: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    anjian_store::authz::require(&u.actor(), anjian_core::role::Role::can_keep_outbound_hosts)?;
    let refused = error.is_some();
    Ok(render_form(
        &HostsPage {
            layout: Layout::of(u),
            hosts: anjian_store::outbox::allow_list(&state.db)
                .await?
                .join("\n"),
            configured: state.config.outbound_allow.clone(),
            vendors: anjian_core::channel::VENDOR_HOSTS.to_vec(),
            flash,
            error,
        },
        refused,
    ))
}

/// GET /security/outbound.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<Done>,
) -> Result<Response, PageError> {
    let flash = q.ok.map(|_| "已保存允许的外发地址".to_string());
    page(&state, &u, flash, None).await
}

/// The form.
#[derive(Deserialize, Default)]
pub struct HostsForm {
    #[serde(default)]
    pub hosts: String,
}

/// POST /security/outbound.
pub async fn save(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<HostsForm>,
) -> Result<Response, PageError> {
    let result = anjian_store::outbox::set_allow_list(&state.db, state.now(), &u.actor(), &f.hosts)
        .await
        .map(|_| "/security/outbound?ok=1".to_string())
        .map_err(crate::error::Problem::from);
    after_form(result, |e| page(&state, &u, None, Some(e))).await
}
