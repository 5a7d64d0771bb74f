//! Login, logout and the home page.

use std::net::SocketAddr;

use anjian_store::Scope;
use anjian_store::accounts::users;
use anjian_store::directory::units;
use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Layout, PageForm, PageQuery};
use crate::AppState;
use crate::auth::{PageUser, clear_cookies, is_secure, session_cookie};
use crate::error::{PageError, render};

/// The login page.
#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub layout: Option<Layout>,
    pub error: Option<String>,
    pub next: String,
    pub username: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// A path of this site to go back to after a login or a step-up (anything else goes
/// home).
pub(crate) fn safe_next(n: Option<&str>) -> String {
    match n {
        Some(n)
            if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n.len() < 300 =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// GET /login.
pub async fn login_page(user: Option<PageUser>, PageQuery(q): PageQuery<NextQuery>) -> Response {
    if user.is_some() {
        return Redirect::to("/").into_response();
    }
    render(&LoginPage {
        layout: None,
        error: None,
        next: safe_next(q.next.as_deref()),
        username: String::new(),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    totp: Option<String>,
    next: Option<String>,
}

/// POST /login.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    PageForm(f): PageForm<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let client = crate::shared::client_address::client(&state, peer, &headers);
    match crate::auth::login(
        &state,
        crate::auth::Credentials {
            username: &f.username,
            password: &f.password,
            second: f.totp.as_deref(),
        },
        &client,
    )
    .await
    {
        Ok((_, token)) => {
            let cookie = session_cookie(
                &token,
                is_secure(&state, &headers),
                state.config.absolute_timeout_ms / 1000,
            );
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        Err(p) => {
            let mut r = render(&LoginPage {
                layout: None,
                error: Some(p.message.clone()),
                next,
                username: f.username.chars().take(32).collect(),
            });
            *r.status_mut() = p.status;
            r
        }
    }
}

/// POST /logout.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: Option<PageUser>,
) -> Result<Response, PageError> {
    crate::auth::logout(&state, &headers, user.as_ref().map(|u| &u.0)).await?;
    Ok((clear_cookies(), Redirect::to("/login")).into_response())
}

/// The home page.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub layout: Option<Layout>,
    pub display_name: String,
    pub role_label: &'static str,
    pub unit_name: String,
    pub scope_label: String,
    pub counts: Vec<(String, &'static str, i64)>,
    pub user_count: i64,
    pub links: Vec<(&'static str, &'static str)>,
    /// The dashboard, for the office, townships and departments.
    pub dashboard: Option<super::dashboard::DashboardView>,
    /// Circuit breakers in force or ahead: all for the office, those touching the
    /// user's unit for the rest.
    pub breakers: Vec<anjian_store::warnings::Breaker>,
    /// Days left before the user's password expires, within the policy's warning period.
    pub password_days_left: Option<i64>,
    /// What the user must do today (business roles): label, count, where.
    pub today: Vec<(&'static str, i64, &'static str)>,
}

/// `?month=YYYY-MM` of the dashboard.
#[derive(serde::Deserialize, Default)]
pub struct HomeQuery {
    pub month: Option<String>,
}

/// GET /.
pub async fn home(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    super::PageQuery(hq): super::PageQuery<HomeQuery>,
) -> Result<Response, PageError> {
    let dashboard = super::dashboard::view(&state, &u, hq.month.as_deref()).await?;
    let scope = u.scope();
    let role = u.role();
    let business = role.enters(anjian_core::permission::Area::Business);
    let breakers = if !business {
        Vec::new()
    } else {
        anjian_store::warnings::current(
            &state.db,
            state.now(),
            (!role.sees_everything()).then_some(u.unit_id),
        )
        .await?
    };
    // The dashboard is the summary of those who have one; the directory's tiles (units
    // by kind, accounts) are for the others, and counting a city's 200,000 units for
    // each home page would cost more than the dashboard itself.
    let counts = if dashboard.is_some() {
        Vec::new()
    } else {
        units::count_by_kind(&state.db, &u.directory_scope()).await?
    }
    .into_iter()
    .map(|(k, n)| {
        let label = anjian_core::unit::UnitKind::parse(&k)
            .map(|k| k.label())
            .unwrap_or("其他");
        (k, label, n)
    })
    .collect();
    let user_count = if role.can_list_users() && dashboard.is_none() {
        users::count(&state.db, &u.directory_scope()).await?
    } else {
        -1
    };
    let scope_label = match &scope {
        Scope::All => "全区".to_string(),
        Scope::Nothing => "不含业务数据".to_string(),
        Scope::Subtree {
            sector_supervisor: true,
            ..
        } => format!("{}及其下级，以及所监管行业领域的企业", u.unit_name),
        Scope::Subtree { .. } => format!("{}及其下级单位", u.unit_name),
    };
    // What the role must do today comes first.
    let today = if business {
        let office = role.sees_everything();
        let d = anjian_store::obligations::desk(
            &state.db,
            &u.scope(),
            state.today(),
            (!office).then_some(u.unit_id),
        )
        .await?;
        [
            ("待审核的报送", d.to_review, "/todo#to-review"),
            ("已逾期", d.overdue, "/todo#overdue"),
            ("已退回，待重新报送", d.returned, "/todo#returned"),
            ("三日内到期", d.due_soon, "/todo#due-soon"),
        ]
        .into_iter()
        .filter(|(_, n, _)| *n > 0)
        .collect()
    } else {
        Vec::new()
    };
    // The home page offers the role's menu (`core::permission::MENU`), to-do first.
    let mut links: Vec<(&'static str, &'static str)> = role
        .menu()
        .map(|e| match e.path {
            "/todo" if u.unread > 0 => (e.path, "待办事项（有新提醒）"),
            _ => (e.path, e.label),
        })
        .collect();
    // A city office's process: its districts rolled up come first.
    if state.districts().is_ok() && anjian_store::city::may_read(&u.actor()).is_ok() {
        links.insert(0, ("/city", "全市汇总（各区县排名、方案下发、市级督办）"));
    }
    Ok(render(&HomePage {
        layout: Layout::of(&u),
        display_name: u.display_name.clone(),
        role_label: role.label(),
        unit_name: u.unit_name.clone(),
        scope_label,
        counts,
        user_count,
        links,
        dashboard,
        breakers,
        password_days_left: crate::auth::password_days_left(&state, &u).await,
        today,
    }))
}
