//! Pages of the separated administrators: accounts (system), roles and policy
//! (security), the audit log (auditor).

use anjian_core::password::PasswordPolicy;
use anjian_core::role::Role;
use anjian_store::accounts::{User, users};
use anjian_store::audit as chain;
use anjian_store::directory::units;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Done, Layout, PageForm, PageQuery, after_form, flash_of};
use crate::AppState;
use crate::accounts::new_user as validate_new_user;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render};
use crate::input::path_id;
use crate::shared::audit::AuditQuery;

/// The account list.
#[derive(Template)]
#[template(path = "users.html")]
pub struct UsersPage {
    pub layout: Option<Layout>,
    pub can_create: bool,
    pub rows: Vec<User>,
    pub next: Option<i64>,
}

#[derive(Deserialize)]
pub struct AfterQuery {
    after: Option<i64>,
}

/// GET /users.
pub async fn users(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<AfterQuery>,
) -> Result<Response, PageError> {
    let mut rows = users::list(
        &state.db,
        &u.actor(),
        &u.directory_scope(),
        q.after,
        None,
        100,
    )
    .await?;
    let next = (rows.len() == 100)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    for r in &mut rows {
        r.role = r
            .role()
            .map(|x| x.label().to_string())
            .unwrap_or_else(|| r.role.clone());
    }
    Ok(render(&UsersPage {
        layout: Layout::of(&u),
        can_create: u.role().can_manage_accounts(),
        rows,
        next,
    }))
}

/// One account.
#[derive(Template)]
#[template(path = "user.html")]
pub struct UserPage {
    pub layout: Option<Layout>,
    pub u: User,
    pub role_label: &'static str,
    pub changed: String,
    pub can_manage: bool,
    pub can_grant: bool,
    pub roles: Vec<(&'static str, &'static str)>,
    pub flash: Option<String>,
    pub error: Option<String>,
    /// When the account's second factor was enabled, if it is.
    pub second_factor: Option<String>,
}

async fn user_page(
    state: &AppState,
    me: &anjian_store::accounts::SessionUser,
    id: i64,
    flash: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let target = users::get_for(&state.db, &me.actor(), &me.directory_scope(), id).await?;
    let factor = anjian_store::accounts::second_factor::of(&state.db, target.id).await?;
    let mut r = render(&UserPage {
        second_factor: factor.enabled_at.map(anjian_core::time::format_local),
        layout: Layout::of(me),
        role_label: target.role().map(|r| r.label()).unwrap_or("未知"),
        changed: anjian_core::time::format_local(target.password_changed_at),
        can_manage: me.role().can_manage_accounts() && target.id != me.user_id,
        can_grant: me.role().can_grant_roles() && target.id != me.user_id,
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        u: target,
        flash,
        error: error.clone(),
    });
    if error.is_some() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// GET /users/{id}.
pub async fn user(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<Done>,
) -> Result<Response, PageError> {
    user_page(
        &state,
        &u,
        path_id(&id)?,
        q.ok.map(|_| "操作成功".to_string()),
        None,
    )
    .await
}

async fn after_action(
    state: &AppState,
    me: &anjian_store::accounts::SessionUser,
    id: i64,
    r: Result<(), Problem>,
) -> Result<Response, PageError> {
    let done = r.map(|()| format!("/users/{id}?ok=1"));
    after_form(done, |msg| user_page(state, me, id, None, Some(msg))).await
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: String,
}

/// POST /users/{id}/active.
pub async fn set_active(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ActiveForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let r = if id == u.user_id {
        Err(Problem::bad_field(
            "self_disable",
            "active",
            "不能停用自己的账户",
        ))
    } else {
        users::set_active(
            &state.db,
            state.now(),
            &u.actor(),
            &u.directory_scope(),
            id,
            f.active == "1",
        )
        .await
        .map(|_| ())
        .map_err(Problem::from)
    };
    after_action(&state, &u, id, r).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
}

/// POST /users/{id}/password.
pub async fn reset_password(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<PasswordForm>,
) -> Result<Response, PageError> {
    anjian_store::authz::require(&u.actor(), Role::can_manage_accounts)?;
    let id = path_id(&id)?;
    let r = crate::accounts::reset_password(&state, &u, id, f.password)
        .await
        .map(|_| ());
    after_action(&state, &u, id, r).await
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

/// POST /users/{id}/role.
pub async fn set_role(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<RoleForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let r: Result<(), Problem> = async {
        if id == u.user_id {
            return Err(Problem::bad_field(
                "self_role",
                "role",
                "不能修改自己的角色",
            ));
        }
        let role = Role::parse(&f.role)?;
        users::set_role(
            &state.db,
            state.now(),
            &u.actor(),
            &u.directory_scope(),
            id,
            role,
        )
        .await?;
        Ok(())
    }
    .await;
    after_action(&state, &u, id, r).await
}

/// POST /users/{id}/unlock: lifts login locks on the account.
pub async fn unlock(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let r = users::unlock(&state.db, state.now(), &u.actor(), &u.directory_scope(), id).await;
    after_action(&state, &u, id, r.map_err(Problem::from)).await
}

/// POST /users/{id}/second-factor/reset: the security administrator removes a user's
/// second factor (a lost phone); every session and token of the account ends, and the
/// user enrols again at the next login when the role needs it.
pub async fn reset_second_factor(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    if id == u.user_id {
        return Err(Problem::bad_field(
            "own_account",
            "id",
            "不能重置自己的双因素认证，请由另一位安全管理员操作，或使用恢复码登录后重新绑定",
        )
        .into());
    }
    let r = anjian_store::accounts::second_factor::reset(
        &state.db,
        state.now(),
        &u.actor(),
        &u.directory_scope(),
        id,
    )
    .await
    .map_err(Problem::from);
    after_action(&state, &u, id, r).await
}

/// The new-account page.
#[derive(Template)]
#[template(path = "user_new.html")]
pub struct NewUserPage {
    pub layout: Option<Layout>,
    pub roles: Vec<(&'static str, &'static str)>,
    pub username: String,
    pub display_name: String,
    pub unit_code: String,
    pub policy_hint: String,
    pub error: Option<String>,
}

/// How the policy reads to a user.
pub fn policy_hint(p: &PasswordPolicy) -> String {
    format!(
        "密码至少{}位，包含小写字母、大写字母、数字、符号中的至少{}种，不能包含用户名。",
        p.min_length, p.min_classes
    )
}

/// GET /users/new.
pub async fn new_user(
    State(state): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    anjian_store::authz::require(&u.actor(), Role::can_manage_accounts)?;
    let p = anjian_store::settings::password_policy(&state.db).await?;
    Ok(render(&NewUserPage {
        layout: Layout::of(&u),
        roles: creatable_roles(),
        username: String::new(),
        display_name: String::new(),
        unit_code: String::new(),
        policy_hint: policy_hint(&p),
        error: None,
    }))
}

fn creatable_roles() -> Vec<(&'static str, &'static str)> {
    Role::ALL
        .iter()
        .filter(|r| r.creatable_by_system_admin())
        .map(|r| (r.as_str(), r.label()))
        .collect()
}

#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    unit_code: String,
    role: String,
    password: String,
}

/// POST /users.
pub async fn create_user(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<NewUserForm>,
) -> Result<Response, PageError> {
    // Asked before the password is hashed (the store asks again when it writes).
    anjian_store::authz::require(&u.actor(), Role::can_manage_accounts)?;
    let r: Result<User, Problem> = async {
        let unit = units::by_code(&state.db, f.unit_code.trim())
            .await?
            .ok_or_else(|| Problem::bad_field("unit_not_found", "unit", "找不到该编码的单位"))?;
        let new = validate_new_user(
            &state,
            &f.username,
            &f.display_name,
            unit.id,
            &f.role,
            &f.password,
        )
        .await?;
        Ok(users::create(
            &state.db,
            state.now(),
            &u.actor(),
            &u.directory_scope(),
            &new,
        )
        .await?)
    }
    .await;
    match r {
        Ok(user) => Ok(Redirect::to(&format!("/users/{}?ok=1", user.id)).into_response()),
        Err(p) if p.status.is_client_error() => {
            let pol = anjian_store::settings::password_policy(&state.db).await?;
            let mut r = render(&NewUserPage {
                layout: Layout::of(&u),
                roles: creatable_roles(),
                username: f.username,
                display_name: f.display_name,
                unit_code: f.unit_code,
                policy_hint: policy_hint(&pol),
                error: Some(flash_of(&p)),
            });
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(p) => Err(p.into()),
    }
}

/// The password policy page.
#[derive(Template)]
#[template(path = "policy.html")]
pub struct PolicyPage {
    pub layout: Option<Layout>,
    pub p: PasswordPolicy,
    pub flash: Option<String>,
    pub error: Option<String>,
    /// The public half of the audit checkpoints' signing key, to keep elsewhere.
    pub checkpoint_key: String,
}

fn checkpoint_public_key(state: &AppState) -> String {
    hex::encode(
        state
            .config
            .keyring
            .checkpoint_key()
            .verifying_key()
            .as_bytes(),
    )
}

/// POST /security/checkpoint: the security administrator signs the audit chain's head
/// and downloads the checkpoint (JSON) for `anjian audit verify --checkpoint`.
pub async fn checkpoint(
    State(state): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    let key = state.config.keyring.checkpoint_key();
    let cp = anjian_store::audit::checkpoint(&state.db, state.now(), &u.actor(), &key).await?;
    let body = serde_json::to_string_pretty(&cp).unwrap_or_default();
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                crate::download::attachment(&format!("审计检查点-{}.json", cp.seq)),
            ),
        ],
        body,
    )
        .into_response())
}

/// The period of an export of the audit chain (local dates, both included).
#[derive(Deserialize)]
pub struct ExportForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// POST /security/audit-export: the security administrator downloads the chain's
/// entries of a period, signed, for the auditor's `anjian audit verify --file`.
pub async fn audit_export(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<ExportForm>,
) -> Result<Response, PageError> {
    let from = anjian_core::error::required_date("from", "起始日期", &f.from)?;
    let to = anjian_core::error::required_date("to", "截止日期", &f.to)?;
    if to < from {
        return Err(Problem::bad_field("out_of_range", "to", "截止日期不能早于起始日期").into());
    }
    let start = anjian_core::time::at_local(from, 0)
        .ok_or_else(|| Problem::bad_field("out_of_range", "from", "起始日期无效"))?;
    let end = to
        .succ_opt()
        .and_then(|d| anjian_core::time::at_local(d, 0))
        .ok_or_else(|| Problem::bad_field("out_of_range", "to", "截止日期无效"))?;
    let key = state.config.keyring.checkpoint_key();
    let bytes =
        anjian_store::audit_export::export(&state.db, state.now(), &u.actor(), start, end, &key)
            .await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/x-ndjson; charset=utf-8".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                crate::download::attachment(&format!("审计日志-{from}至{to}.ndjson")),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// GET /security/policy.
pub async fn policy(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<Done>,
) -> Result<Response, PageError> {
    anjian_store::authz::require(&u.actor(), Role::can_grant_roles)?;
    let p = anjian_store::settings::password_policy(&state.db).await?;
    Ok(render(&PolicyPage {
        layout: Layout::of(&u),
        p,
        flash: q.ok.map(|_| "已保存".into()),
        error: None,
        checkpoint_key: checkpoint_public_key(&state),
    }))
}

/// POST /security/policy.
pub async fn set_policy(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<anjian_core::password::PolicyInput>,
) -> Result<Response, PageError> {
    match PasswordPolicy::parse(&f) {
        Ok(p) => {
            anjian_store::settings::set_password_policy(&state.db, state.now(), &u.actor(), p)
                .await?;
            Ok(Redirect::to("/security/policy?ok=1").into_response())
        }
        Err(e) => {
            let cur = anjian_store::settings::password_policy(&state.db).await?;
            let mut r = render(&PolicyPage {
                layout: Layout::of(&u),
                p: cur,
                flash: None,
                error: Some(flash_of(&e.into())),
                checkpoint_key: checkpoint_public_key(&state),
            });
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
    }
}

/// A row of the audit page.
pub struct AuditLine {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub action_label: &'static str,
    pub object: String,
    pub outcome: String,
    pub outcome_label: &'static str,
    pub detail: String,
}

/// The Chinese name of an audited action (the code stays visible beside it).
pub fn action_label(action: &str) -> &'static str {
    match action {
        "auth.login" => "登录",
        "auth.logout" => "退出登录",
        "auth.login_failed" => "登录失败",
        "access.denied" => "越权操作被拒绝",
        "unit.create" => "新增单位",
        "unit.update" => "修改单位",
        "unit.move" => "调整上级单位",
        "unit.activate" => "启用单位",
        "unit.deactivate" => "停用单位",
        "group.create" => "新增单位分组",
        "directory.import" => "导入单位名录",
        "directory.seed" => "生成合成数据",
        "user.create" => "新建账户",
        "user.enable" => "启用账户",
        "user.disable" => "停用账户",
        "user.reset_password" => "重置密码",
        "user.change_password" => "修改密码",
        "user.set_role" => "修改角色",
        "user.unlock" => "解除登录锁定",
        "token.create" => "生成 API 令牌",
        "token.revoke" => "吊销 API 令牌",
        "settings.password_policy" => "修改密码策略",
        "audit.checkpoint" => "导出审计链检查点",
        "settings.demo" => "建立演示数据",
        "plan.import" => "导入工作方案",
        "campaign.start" => "启动专项行动",
        "campaign.expand" => "分解任务",
        "obligation.submit" => "报送履职情况",
        "obligation.accept" => "审核通过",
        "obligation.return" => "退回报送",
        "obligation.waive" => "豁免应办事项",
        "calendar.seed" => "初始化工作日历",
        "calendar.set" => "修改工作日历",
        "settings.reminder_days" => "修改到期提醒天数",
        "settings.major_listing_days" => "修改重大隐患挂牌确认期限",
        "settings.discretion_standard" => "修改行政处罚自由裁量基准",
        _ => "其他操作",
    }
}

fn role_label(role: &str) -> &str {
    match role {
        "system" => "命令行",
        "anonymous" => "未登录",
        other => Role::parse(other).map(|r| r.label()).unwrap_or(other),
    }
}

/// The audit viewer.
#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub layout: Option<Layout>,
    pub rows: Vec<AuditLine>,
    pub actor: String,
    pub action: String,
    pub outcome: String,
    pub next: Option<String>,
    pub verification: Option<(bool, String)>,
    pub outcomes: [(&'static str, &'static str); 3],
}

async fn audit_page(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    q: AuditQuery,
    verification: Option<(bool, String)>,
) -> Result<Response, PageError> {
    let f = q.filter();
    let rows = chain::list(
        &state.db,
        &u.actor(),
        &anjian_store::audit::AuditFilter {
            limit: 100,
            ..f.clone()
        },
    )
    .await?;
    // The next page keeps the filters: each as typed, encoded for the query string.
    let param = |v: &Option<String>| crate::auth::urlencode(v.as_deref().unwrap_or(""));
    let next = (rows.len() == 100)
        .then(|| {
            rows.last().map(|r| {
                format!(
                    "/audit?before={}&actor={}&action={}&outcome={}",
                    r.seq,
                    param(&f.actor),
                    param(&f.action),
                    param(&f.outcome)
                )
            })
        })
        .flatten();
    Ok(render(&AuditPage {
        layout: Layout::of(u),
        rows: rows
            .into_iter()
            .map(|r| AuditLine {
                seq: r.seq,
                at: anjian_core::time::format_local(r.at_ms),
                actor: r.actor_name,
                role: role_label(&r.role).to_string(),
                action_label: action_label(&r.action),
                action: r.action,
                object: format!("{} {}", r.object_type, r.object_id.unwrap_or_default()),
                outcome_label: match r.outcome.as_str() {
                    "ok" => "成功",
                    "failed" => "失败",
                    "denied" => "拒绝",
                    _ => "其他",
                },
                outcome: r.outcome,
                detail: r.detail,
            })
            .collect(),
        actor: f.actor.unwrap_or_default(),
        action: f.action.unwrap_or_default(),
        outcome: f.outcome.unwrap_or_default(),
        next,
        verification,
        outcomes: [("ok", "成功"), ("failed", "失败"), ("denied", "拒绝")],
    }))
}

/// GET /audit.
pub async fn audit(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<AuditQuery>,
) -> Result<Response, PageError> {
    audit_page(&state, &u, q, None).await
}

/// GET /audit/verify.
pub async fn verify(
    State(state): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    let v = chain::verify_for(&state.db, &u.actor()).await?;
    let msg = match &v.broken {
        None => (
            true,
            format!("审计链完整：共校验 {} 条记录，未发现篡改。", v.checked),
        ),
        Some(b) => (
            false,
            format!(
                "审计链被破坏：第 {} 条记录异常（{}）。此前 {} 条记录完好。",
                b.seq, b.reason, v.checked
            ),
        ),
    };
    audit_page(&state, &u, AuditQuery::default(), Some(msg)).await
}
