//! Tips by API. The public path (no login): submit a tip and receive its receipt code
//! once; follow it by receipt (wrong codes lock the code's locator for a while). The
//! handlers' path: tips in scope without identity, the office's triage, the unit's
//! outcome, and the custodian's view of an identity with a reason.

use anjian_core::tip::{Reporter, TipInput};
use anjian_store::tips::{self, PublicView, TipRow, Triage};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::{Body, Params};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::shared::tips::TipQuery;
pub(crate) use crate::shared::tips::{by_receipt, keep};

/// A tip: `category` (`major_hazard`, `violation`, `concealed_accident`, `other`),
/// `sector`, `place`, `reported_unit`, `description`, and `reporter` (`name`, `phone`,
/// `id_number`) unless anonymous.
#[derive(Deserialize, ToSchema)]
pub struct NewTip {
    #[serde(flatten)]
    pub tip: TipInput,
}

/// The receipt code, shown once: keep it to follow the tip.
#[derive(Serialize, ToSchema)]
pub struct ReceiptJson {
    pub receipt: String,
}

/// Submits a tip without logging in. Nothing about the sender is kept: no address, no
/// browser, no time of day.
#[utoipa::path(post, path = "/api/v1/public/tips", request_body = NewTip, responses((status = 201, body = ReceiptJson), (status = 422, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    Body(t): Body<NewTip>,
) -> Result<(StatusCode, Json<ReceiptJson>), ApiError> {
    let tip = anjian_core::tip::check(&t.tip).map_err(Problem::from)?;
    let id = anjian_store::ids::next_id(state.now());
    let public = anjian_store::tips::public();
    let (_, receipt) = keep(
        &state,
        &tip,
        id,
        &[],
        crate::shared::tips::web(&state, &public),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ReceiptJson { receipt })))
}

/// The reporter's view of a tip by its receipt code: status, outcome, questions and
/// answers, the reward decision. Never anyone's identity.
#[utoipa::path(get, path = "/api/v1/public/tips/{receipt}", params(("receipt" = String, Path, description = "the 22-digit receipt code", pattern = r"^[0-9]{22}$")), responses((status = 200, body = PublicView), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    Path(receipt): Path<String>,
) -> Result<Json<PublicView>, ApiError> {
    Ok(Json(by_receipt(&state, &receipt).await?.1))
}

/// Tips in the caller's scope (the office: all; a unit: those routed to it), newest
/// first, narrowed by status, unit, category and words; keyset pages by `before`.
/// Identity is never included.
#[utoipa::path(get, path = "/api/v1/tips", params(TipQuery), responses((status = 200, body = [TipRow]), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<TipQuery>,
) -> Result<Json<Vec<TipRow>>, ApiError> {
    let scope = u.tips_scope()?;
    Ok(Json(tips::page(&state.db, &scope, &q.filter(500)?).await?))
}

/// Accepting a received tip: the unit that verifies it.
#[derive(Deserialize, ToSchema)]
pub struct AcceptInput {
    pub unit: Option<i64>,
}

/// Merging a received tip into an earlier one about the same matter.
#[derive(Deserialize, ToSchema)]
pub struct MergeInput {
    pub into: Option<i64>,
}

/// A reason (rejecting a tip, refusing or requesting an extension).
#[derive(Deserialize, ToSchema)]
pub struct ReasonInput {
    #[serde(default)]
    pub reason: String,
}

fn required(field: &'static str, message: &str) -> Problem {
    Problem::from(anjian_core::FieldError::new("required", field, message))
}

/// Takes one triage step on a received tip (office only) and returns the tip.
async fn triage_as(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    id: &str,
    t: Triage,
) -> Result<Json<TipRow>, ApiError> {
    let id = super::path_id(id)?;
    tips::triage(&state.db, state.moment(), &u.actor(), &u.scope(), id, &t).await?;
    Ok(Json(tips::get(&state.db, &u.scope(), id).await?))
}

/// Accepts a received tip and routes it to the unit that verifies it (office only).
#[utoipa::path(post, path = "/api/v1/tips/{id}/accept", operation_id = "accept_tip", params(("id" = i64, Path, description = "the tip")), request_body = AcceptInput, responses((status = 200, body = TipRow), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(a): Body<AcceptInput>,
) -> Result<Json<TipRow>, ApiError> {
    let unit = a
        .unit
        .ok_or_else(|| required("unit", "请选择负责核查的单位"))?;
    triage_as(&state, &u, &id, Triage::Accept { unit }).await
}

/// Merges a received tip into an earlier one (office only).
#[utoipa::path(post, path = "/api/v1/tips/{id}/merge", operation_id = "merge_tip", params(("id" = i64, Path, description = "the tip")), request_body = MergeInput, responses((status = 200, body = TipRow), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn merge(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(m): Body<MergeInput>,
) -> Result<Json<TipRow>, ApiError> {
    let into = m
        .into
        .ok_or_else(|| required("into", "请填写合并到的举报编号"))?;
    triage_as(&state, &u, &id, Triage::Merge { into }).await
}

/// Rejects a received tip with its reason (office only).
#[utoipa::path(post, path = "/api/v1/tips/{id}/reject", operation_id = "reject_tip", params(("id" = i64, Path, description = "the tip")), request_body = ReasonInput, responses((status = 200, body = TipRow), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(r): Body<ReasonInput>,
) -> Result<Json<TipRow>, ApiError> {
    triage_as(&state, &u, &id, Triage::Reject { reason: r.reason }).await
}

/// One tip in the caller's scope, without identity (404 out of scope).
#[utoipa::path(get, path = "/api/v1/tips/{id}", responses((status = 200, body = TipRow), (status = 404, body = crate::error::ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<TipRow>, ApiError> {
    let scope = u.tips_scope()?;
    let id = super::path_id(&id)?;
    Ok(Json(tips::get(&state.db, &scope, id).await?))
}

/// The routed unit's outcome.
#[derive(Deserialize, ToSchema)]
pub struct OutcomeInput {
    pub substantiated: Option<bool>,
    #[serde(default)]
    pub note: String,
    /// For a substantiated concealed accident: the accident (now recorded) it concealed.
    pub accident: Option<i64>,
    /// The hazards the verification produced (ids in the caller's scope).
    #[serde(default)]
    pub hazards: Vec<i64>,
    /// The enforcement records it produced.
    #[serde(default)]
    pub enforcements: Vec<i64>,
    /// For a concealed accident: who concealed it, `enterprise` (blacklisted, penalised)
    /// or `unit` (the township or department: a one-vote veto). By default the
    /// accident's enterprise when it has one.
    #[serde(default)]
    pub concealed_by: Option<String>,
}

/// Records the outcome of a tip routed to the caller's unit.
#[utoipa::path(post, path = "/api/v1/tips/{id}/outcome", request_body = OutcomeInput, responses((status = 200, body = TipRow), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn outcome(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(o): Body<OutcomeInput>,
) -> Result<Json<TipRow>, ApiError> {
    u.tips_scope()?;
    let id = super::path_id(&id)?;
    let substantiated = o.substantiated.ok_or_else(|| {
        Problem::from(anjian_core::FieldError::new(
            "required",
            "substantiated",
            "请填写核查结论",
        ))
    })?;
    tips::outcome(
        &state.db,
        state.moment(),
        &u.actor(),
        &u.scope(),
        id,
        tips::Verdict {
            substantiated,
            note: &o.note,
            accident: o.accident,
            produced: &tips::Produced {
                hazards: o.hazards,
                enforcements: o.enforcements,
                concealed_by: o.concealed_by,
            },
        },
    )
    .await?;
    Ok(Json(tips::get(&state.db, &u.scope(), id).await?))
}

/// Why the custodian looks.
#[derive(Deserialize, ToSchema)]
pub struct RevealInput {
    #[serde(default)]
    pub reason: String,
    /// The step-up code (six digits or a recovery code), unless the session stepped up
    /// within five minutes (`/api/v1/auth/step-up`).
    #[serde(default)]
    pub totp: Option<String>,
}

/// The reporter's identity, for the tip custodian only; the view and its reason go into
/// the audit chain. `null` for an anonymous tip.
#[utoipa::path(post, path = "/api/v1/tips/{id}/identity", request_body = RevealInput, responses((status = 200, body = Option<Reporter>, description = "举报人身份；匿名举报为 null"), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn identity(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(r): Body<RevealInput>,
) -> Result<Json<Option<Reporter>>, ApiError> {
    anjian_store::authz::require(&u.actor(), anjian_core::role::Role::can_see_reporters)?;
    anjian_core::error::required_text("reason", "查看理由", &r.reason, 500)?;
    let step_up =
        crate::second_factor::pending(&state, &u, &headers, r.totp.as_deref(), false).await?;
    let id = super::path_id(&id)?;
    Ok(Json(
        tips::reveal(
            &state.db,
            &state.config.keyring,
            state.now(),
            &u.actor(),
            id,
            &r.reason,
            step_up.as_ref(),
        )
        .await
        .map_err(crate::second_factor::spent)?,
    ))
}

/// A reward step: `action` `propose` (with `fine_yuan`, the fine imposed), `approve`,
/// Proposing a reward: the fine the tip led to (yuan), from which the rules compute it.
#[derive(Deserialize, ToSchema)]
pub struct ProposeInput {
    #[serde(default)]
    pub fine_yuan: String,
}

/// Paying a reward: how it was paid.
#[derive(Deserialize, ToSchema)]
pub struct PayInput {
    #[serde(default)]
    pub method: String,
}

/// The amount of a reward.
#[derive(Serialize, ToSchema)]
pub struct RewardJson {
    pub amount_fen: i64,
}

/// Takes one reward step on a substantiated tip (office only).
async fn reward_as(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    id: &str,
    step: tips::RewardStep,
) -> Result<Json<RewardJson>, ApiError> {
    let id = super::path_id(id)?;
    let amount_fen =
        tips::reward(&state.db, state.moment(), &u.actor(), &u.scope(), id, &step).await?;
    Ok(Json(RewardJson { amount_fen }))
}

/// Proposes the reward of a substantiated tip, computed by the reward rules from the
/// fine (office only); the reporter sees the decision by receipt.
#[utoipa::path(post, path = "/api/v1/tips/{id}/reward/propose", operation_id = "propose_tip_reward", params(("id" = i64, Path, description = "the tip")), request_body = ProposeInput, responses((status = 200, body = RewardJson), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn propose_reward(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(r): Body<ProposeInput>,
) -> Result<Json<RewardJson>, ApiError> {
    let fine_fen = anjian_core::error::optional_yuan("fine_yuan", "罚款金额", &r.fine_yuan)
        .map_err(Problem::from)?
        .unwrap_or(0);
    reward_as(&state, &u, &id, tips::RewardStep::Propose { fine_fen }).await
}

/// Approves the proposed reward (office only).
#[utoipa::path(post, path = "/api/v1/tips/{id}/reward/approve", operation_id = "approve_tip_reward", params(("id" = i64, Path, description = "the tip")), responses((status = 200, body = RewardJson), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn approve_reward(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<RewardJson>, ApiError> {
    reward_as(&state, &u, &id, tips::RewardStep::Approve).await
}

/// Records the approved reward as paid, with how (office only).
#[utoipa::path(post, path = "/api/v1/tips/{id}/reward/pay", operation_id = "pay_tip_reward", params(("id" = i64, Path, description = "the tip")), request_body = PayInput, responses((status = 200, body = RewardJson), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn pay_reward(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(r): Body<PayInput>,
) -> Result<Json<RewardJson>, ApiError> {
    reward_as(&state, &u, &id, tips::RewardStep::Pay { method: r.method }).await
}

/// A question to the reporter.
#[derive(Deserialize, ToSchema)]
pub struct QuestionInput {
    #[serde(default)]
    pub text: String,
}

/// Asks the reporter a question (the office or the routed unit); the reporter reads it
/// and answers by receipt.
#[utoipa::path(post, path = "/api/v1/tips/{id}/messages", request_body = QuestionInput, responses((status = 201, description = "已发送"), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn ask(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(m): Body<QuestionInput>,
) -> Result<StatusCode, ApiError> {
    u.tips_scope()?;
    let id = super::path_id(&id)?;
    tips::get(&state.db, &u.scope(), id).await?;
    tips::message(&state.db, state.now(), &u.actor(), id, &m.text).await?;
    Ok(StatusCode::CREATED)
}

/// `?year=`.
#[derive(Deserialize, IntoParams)]
pub struct YearQuery {
    pub year: Option<i32>,
}

/// Tips of a year per month (received, verified, substantiated, rewarded and the
/// rewards' total) and the previous year's whole (office only).
#[utoipa::path(get, path = "/api/v1/tips/stats", params(YearQuery), responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub async fn stats(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<YearQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    use chrono::Datelike;
    let year = q.year.unwrap_or(state.today().year()).clamp(2000, 2100);
    let (months, last_year) = tips::stats(&state.db, &u.actor(), year).await?;
    let channels: Vec<serde_json::Value> = tips::channel_stats(&state.db, &u.actor(), year)
        .await?
        .into_iter()
        .map(|(c, m)| serde_json::json!({"channel": c, "label": c.label(), "received": m.received, "verified": m.verified, "substantiated": m.substantiated, "rewarded": m.rewarded, "reward_fen": m.reward_fen}))
        .collect();
    let budget = tips::budget(&state.db, &u.actor(), year).await?;
    Ok(Json(
        serde_json::json!({"year": year, "months": months, "last_year": last_year, "channels": channels, "budget": budget}),
    ))
}

/// The recorded tip and its receipt code, shown once: read it out or mail it to the
/// reporter.
#[derive(Serialize, ToSchema)]
pub struct OfflineReceipt {
    pub id: i64,
    pub receipt: String,
}

/// Records a tip received by the 12350 hotline, e-mail, WeChat, a letter or a visit
/// (whoever handles tips, not the custodian): the tip's fields, `channel` and
/// `received_at` (RFC 3339 or `YYYY-MM-DDTHH:MM` Beijing time); the same handling,
/// rewards and confidentiality as a web tip follow.
#[utoipa::path(post, path = "/api/v1/tips/offline", request_body = anjian_core::tip::OfflineTipInput, responses((status = 201, body = OfflineReceipt), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn offline(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(t): Body<anjian_core::tip::OfflineTipInput>,
) -> Result<(StatusCode, Json<OfflineReceipt>), ApiError> {
    let (id, receipt) = crate::shared::tips::record_offline(&state, &u.actor(), &t).await?;
    Ok((StatusCode::CREATED, Json(OfflineReceipt { id, receipt })))
}

/// A year's reward budget in fen.
#[derive(Deserialize, ToSchema)]
pub struct BudgetInput {
    #[serde(default)]
    pub fiscal_fen: i64,
    #[serde(default)]
    pub enterprise_fen: i64,
}

/// The reward budget of a year and what was paid and approved against it (office).
#[utoipa::path(get, path = "/api/v1/tips/budget/{year}", params(("year" = i32, Path, minimum = 2000, maximum = 2100)), responses((status = 200, body = anjian_store::tips::Budget), (status = 403, body = crate::error::ErrorBody)))]
pub async fn budget(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(year): Path<String>,
) -> Result<Json<anjian_store::tips::Budget>, ApiError> {
    let year = year_of(&year)?;
    Ok(Json(tips::budget(&state.db, &u.actor(), year).await?))
}

/// Sets the reward budget of a year (office): `fiscal_fen`, `enterprise_fen`; refused
/// below what was already paid that year.
#[utoipa::path(put, path = "/api/v1/tips/budget/{year}", params(("year" = i32, Path, minimum = 2000, maximum = 2100)), request_body = BudgetInput, responses((status = 200, body = anjian_store::tips::Budget), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_budget(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(year): Path<String>,
    Body(b): Body<BudgetInput>,
) -> Result<Json<anjian_store::tips::Budget>, ApiError> {
    let year = year_of(&year)?;
    Ok(Json(
        tips::set_budget(
            &state.db,
            state.now(),
            &u.actor(),
            year,
            b.fiscal_fen,
            b.enterprise_fen,
        )
        .await?,
    ))
}

/// A year in a path (2000–2100).
fn year_of(raw: &str) -> Result<i32, Problem> {
    raw.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| Problem::bad_field("invalid_year", "year", "年度应为2000到2100"))
}

/// The reward rules in force (the national defaults of 2018 until the office changes
/// them).
#[utoipa::path(get, path = "/api/v1/tips/reward-rules", responses((status = 200, body = anjian_core::tip::RewardRules), (status = 403, body = crate::error::ErrorBody)))]
pub async fn rules(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<anjian_core::tip::RewardRules>, ApiError> {
    u.tips_scope()?;
    Ok(Json(tips::reward_rules(&state.db).await?))
}

/// Replaces the reward rules (office only): `hazard_percent`, `hazard_min_yuan`,
/// `hazard_max_yuan`, `per_death_yuan` (four grades), `accident_max_yuan`.
#[utoipa::path(put, path = "/api/v1/tips/reward-rules", request_body = anjian_core::tip::RewardRules, responses((status = 200, body = anjian_core::tip::RewardRules), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_rules(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(r): Body<anjian_core::tip::RewardRules>,
) -> Result<Json<anjian_core::tip::RewardRules>, ApiError> {
    Ok(Json(
        tips::set_reward_rules(&state.db, state.now(), &u.actor(), r).await?,
    ))
}

/// The verification deadlines in force (60 days, extendable once by 30, until the
/// office changes them).
#[utoipa::path(get, path = "/api/v1/tips/deadlines", responses((status = 200, body = anjian_core::tip::Deadlines), (status = 403, body = crate::error::ErrorBody)))]
pub async fn deadlines(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<anjian_core::tip::Deadlines>, ApiError> {
    u.tips_scope()?;
    Ok(Json(tips::deadlines(&state.db).await?))
}

/// Replaces the verification deadlines (office only): `verify_days` (1–365),
/// `extension_days` (0–365), for tips accepted or extended from now on.
#[utoipa::path(put, path = "/api/v1/tips/deadlines", request_body = anjian_core::tip::Deadlines, responses((status = 200, body = anjian_core::tip::Deadlines), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_deadlines(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(d): Body<anjian_core::tip::Deadlines>,
) -> Result<Json<anjian_core::tip::Deadlines>, ApiError> {
    Ok(Json(
        tips::set_deadlines(&state.db, state.now(), &u.actor(), d).await?,
    ))
}

/// Takes one step of a tip verification's extension and returns the tip (its
/// obligation's new due day is in the unit's to-do list).
async fn extension_as(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    id: &str,
    step: tips::ExtensionStep,
) -> Result<Json<TipRow>, ApiError> {
    u.tips_scope()?;
    let id = super::path_id(id)?;
    tips::extension(&state.db, state.now(), &u.actor(), &u.scope(), id, &step).await?;
    Ok(Json(tips::get(&state.db, &u.scope(), id).await?))
}

/// The routed unit requests more time for a tip's verification, with its reason.
#[utoipa::path(post, path = "/api/v1/tips/{id}/extension", operation_id = "request_tip_extension", params(("id" = i64, Path, description = "the tip")), request_body = ReasonInput, responses((status = 200, body = TipRow), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn extension(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(r): Body<ReasonInput>,
) -> Result<Json<TipRow>, ApiError> {
    let step = tips::ExtensionStep::Request { reason: r.reason };
    extension_as(&state, &u, &id, step).await
}

/// The office approves the requested extension.
#[utoipa::path(post, path = "/api/v1/tips/{id}/extension/approve", operation_id = "approve_tip_extension", params(("id" = i64, Path, description = "the tip")), responses((status = 200, body = TipRow), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn approve_extension(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<TipRow>, ApiError> {
    extension_as(&state, &u, &id, tips::ExtensionStep::Approve).await
}

/// The office refuses the requested extension, with its reason.
#[utoipa::path(post, path = "/api/v1/tips/{id}/extension/refuse", operation_id = "refuse_tip_extension", params(("id" = i64, Path, description = "the tip")), request_body = ReasonInput, responses((status = 200, body = TipRow), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn refuse_extension(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(r): Body<ReasonInput>,
) -> Result<Json<TipRow>, ApiError> {
    let step = tips::ExtensionStep::Refuse { reason: r.reason };
    extension_as(&state, &u, &id, step).await
}
