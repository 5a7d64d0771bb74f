//! Server-rendered pages in Simplified Chinese. One struct per page, bound to one
//! template.

pub mod accidents;
pub mod account;
pub mod accountability;
pub mod admin;
pub mod assessments;
pub mod blacklist;
pub mod bulletins;
pub mod calendar;
pub mod campaign;
pub mod channels;
pub mod city;
pub mod crackdown;
pub mod daily;
pub mod dashboard;
pub mod directory;
pub mod duty;
pub mod duty_file;
pub mod enforcements;
pub mod enterprises;
pub mod experts;
pub mod hazards;
pub mod monthly_reports;
pub mod obligation;
pub mod outbound_hosts;
pub mod plan_editor;
pub mod plans;
pub mod projects;
pub mod rankings;
pub mod second_factor;
pub mod session;
pub mod tip;
pub mod tips;
pub mod todo;
pub mod visits;
pub mod warnings;
pub mod workers;

use anjian_store::accounts::SessionUser;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Request};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::{PageError, Problem};

/// The messages a page shows above its content: what was just done (`flash`) or why a
/// form was refused (`error`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notice {
    pub flash: Option<String>,
    pub error: Option<String>,
}

impl Notice {
    /// What was just done, if anything.
    pub fn flash(flash: Option<String>) -> Notice {
        Notice { flash, error: None }
    }

    /// Why a form was refused.
    pub fn error(message: String) -> Notice {
        Notice {
            flash: None,
            error: Some(message),
        }
    }
}

/// What the page frame shows about the user and which menu entries it offers.
#[derive(Debug, Clone)]
pub struct Layout {
    pub display_name: String,
    pub role_label: &'static str,
    pub unit_name: String,
    /// Unread reminders: the badge on the to-do entry of the menu.
    pub unread: i64,
    /// The menu entries the role is shown (`core::permission::MENU`): path, label.
    pub menu: Vec<(&'static str, &'static str)>,
}

impl Layout {
    /// The frame for a user.
    pub fn of(u: &SessionUser) -> Option<Layout> {
        let r = u.role();
        Some(Layout {
            display_name: u.display_name.clone(),
            role_label: r.label(),
            unit_name: u.unit_name.clone(),
            unread: u.unread,
            menu: r.menu().map(|e| (e.path, e.label)).collect(),
        })
    }
}

/// Units in `u`'s scope to choose from in a form: those of the kinds `kinds` names, the
/// first 500 in the directory's order.
pub(crate) async fn unit_choices(
    state: &AppState,
    u: &SessionUser,
    kinds: &[&str],
) -> Result<Vec<(i64, String)>, Problem> {
    Ok(anjian_store::directory::units::choices(&state.db, &u.scope(), kinds, 500).await?)
}

/// The most enterprises a form's select offers at once; beyond, the page asks for part
/// of a name.
pub(crate) const ENTERPRISES_OFFERED: usize = 500;

/// A form's choice of enterprises among possibly thousands (a township's, a sector
/// department's): the select offers at most [`ENTERPRISES_OFFERED`], and a finder on
/// the page (`?find=`, the directory's search of names, codes and aliases) narrows
/// them, so that any enterprise in scope can be chosen. Templates include
/// `enterprise_find.html` beside their form and loop over `choice.offered`.
#[derive(Default)]
pub struct EnterpriseChoice {
    /// The enterprises offered.
    pub offered: Vec<(i64, String)>,
    /// More matched than are offered: the page says so and asks for a name.
    pub more: bool,
    /// What narrowed the choice ("" for nothing).
    pub find: String,
    /// The page the finder reloads, and the query it keeps (e.g. the month shown).
    pub path: String,
    pub keep: Vec<(&'static str, String)>,
}

/// The enterprises (units of `kinds`) in `scope` a form offers, narrowed by `find`
/// (cut to 100 characters); `path` and `keep` make the finder's address.
pub(crate) async fn enterprise_choice(
    state: &AppState,
    scope: &anjian_store::scope::Scope,
    kinds: &[&str],
    find: Option<&str>,
    (path, keep): (&str, Vec<(&'static str, String)>),
) -> Result<EnterpriseChoice, Problem> {
    let find: String = find.unwrap_or("").trim().chars().take(100).collect();
    let mut offered = anjian_store::directory::units::choices_found(
        &state.db,
        scope,
        kinds,
        Some(&find),
        ENTERPRISES_OFFERED as i64 + 1,
    )
    .await?;
    let more = offered.len() > ENTERPRISES_OFFERED;
    offered.truncate(ENTERPRISES_OFFERED);
    Ok(EnterpriseChoice {
        offered,
        more,
        find,
        path: path.to_string(),
        keep,
    })
}

/// The most choices a filter's unit select offers; beyond, the filter is typed (the
/// search box matches units' names).
pub(crate) const SELECT_MAX: usize = 200;

/// [`unit_choices`] for a filter: none when there are more than [`SELECT_MAX`].
pub(crate) async fn unit_filter_choices(
    state: &AppState,
    u: &SessionUser,
    kinds: &[&str],
) -> Result<Vec<(i64, String)>, Problem> {
    let v = anjian_store::directory::units::choices(
        &state.db,
        &u.scope(),
        kinds,
        SELECT_MAX as i64 + 1,
    )
    .await?;
    Ok(if v.len() > SELECT_MAX { Vec::new() } else { v })
}

/// `?ok=`: the flash of the action that led to a page.
#[derive(serde::Deserialize, Default)]
pub struct OkQuery {
    pub ok: Option<String>,
}

/// `?month=YYYY-MM&ok=`: a month's page and the flash of the action that led to it.
#[derive(serde::Deserialize, Default)]
pub struct MonthQuery {
    pub month: Option<String>,
    pub ok: Option<String>,
}

/// A form body whose rejection is a friendly error page.
pub struct PageForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for PageForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(PageForm(v)),
            Err(FormRejection::BytesRejection(b))
                if b.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(PageError(Problem::new(
                    b.status(),
                    "too_large",
                    "提交的内容过大",
                )))
            }
            Err(_) => Err(PageError(Problem::new(
                axum::http::StatusCode::BAD_REQUEST,
                "bad_form",
                "表单内容无法识别，请刷新页面后重试",
            ))),
        }
    }
}

/// `?ok=…` on the page a form action redirected to: what to confirm to the user.
#[derive(serde::Deserialize, Default)]
pub struct Done {
    pub ok: Option<String>,
}

/// Query parameters whose rejection is a friendly error page.
pub struct PageQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for PageQuery<T> {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| PageQuery(v))
            .map_err(|_| {
                PageError(Problem::new(
                    axum::http::StatusCode::BAD_REQUEST,
                    "bad_query",
                    "链接中的参数无效",
                ))
            })
    }
}

/// The page routes (the login POST is added by the router with its rate limit).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(session::home))
        .route("/todo", get(todo::todo))
        .route(
            "/enterprises",
            get(enterprises::index).post(enterprises::create),
        )
        .route("/enterprises.xlsx", get(enterprises::export))
        .route("/enterprises/template.xlsx", get(enterprises::template))
        .route("/enterprises/import", post(enterprises::import))
        .route("/enterprises/{id}", get(enterprises::show))
        .route(
            "/enterprises/{id}/workers",
            get(workers::roster).post(workers::add),
        )
        .route("/enterprises/{id}/workers/import", post(workers::import))
        .route("/enterprises/{id}/workers.xlsx", get(workers::export))
        .route("/workers/flags", get(workers::flags))
        .route("/projects", get(projects::index).post(projects::create))
        .route("/projects/{id}", get(projects::show))
        .route("/projects/{id}/steps", post(projects::step))
        .route("/projects/{id}/checks", post(projects::check))
        .route(
            "/projects/{id}/checks/{item}/file",
            get(projects::check_file),
        )
        .route("/projects/{id}/contracts", post(projects::contract))
        .route(
            "/project-reviews",
            get(projects::reviews).post(projects::open_review),
        )
        .route("/project-reviews/{id}", get(projects::review))
        .route("/project-reviews/{id}/results", post(projects::result))
        .route(
            "/enterprises/{id}/risk-card",
            get(enterprises::risk_card).post(enterprises::set_card),
        )
        .route(
            "/enterprises/{id}/listing",
            post(enterprises::list_on_board),
        )
        .route("/enterprises/{id}/unlisting", post(enterprises::unlist))
        .route(
            "/enterprises/{id}/persons",
            post(enterprises::assign_person),
        )
        .route("/boards/{id}", get(enterprises::board))
        .route("/boards/exposures", get(crackdown::exposures))
        .route("/my-enterprise", get(enterprises::mine))
        .route("/quotas", get(duty::index))
        .route("/quotas.xlsx", get(duty::export))
        .route("/duty-records", post(duty::record))
        .route("/duty-records/new", get(duty::new))
        .route("/duty-quotas", post(duty::set_quotas))
        .route("/duty-quotas/new", post(duty::add_quota))
        .route("/duty-posts", post(duty::add_post))
        .route("/duty-records/{id}/decision", post(duty::decide))
        .route("/duty-records/{id}/evidence", get(duty::evidence))
        .route("/officials", post(duty::add_official))
        .route("/officials/{id}/file", get(duty_file::show))
        .route("/officials/{id}/file.docx", get(duty_file::docx))
        .route("/officials/{id}/file.xlsx", get(duty_file::xlsx))
        .route("/warnings", get(warnings::index).post(warnings::issue))
        .route("/warnings/assessments", post(warnings::assess))
        .route("/risk-assessments/{id}", get(warnings::show_assessment))
        .route("/circuit-breakers", post(warnings::trip))
        .route("/special-periods", post(warnings::declare))
        .route("/warnings/{id}", get(warnings::show))
        .route("/warnings/{id}/ack", post(warnings::ack))
        .route("/warnings/{id}/urge", post(warnings::urge))
        .route("/circuit-breakers/{id}/lift", post(warnings::lift))
        .route("/special-periods/{id}", get(warnings::show_period))
        .route("/special-periods/{id}/reports", post(warnings::report))
        .route("/tips", get(tips::index))
        .route("/tips.xlsx", get(tips::export))
        .route("/experts", get(experts::index).post(experts::add))
        .route("/expert-engagements", post(experts::engage))
        .route("/expert-engagements/{id}", get(experts::show))
        .route("/expert-engagements/{id}/report", get(experts::report))
        .route("/expert-engagements/{id}/findings", post(experts::finding))
        .route("/assessments", get(assessments::index))
        .route("/assessments/{file}", get(assessments::download))
        .route("/assessments/{year}/scheme", post(assessments::set_scheme))
        .route("/assessments/{year}/adjustments", post(assessments::adjust))
        .route("/tips/offline", get(tips::offline_form).post(tips::offline))
        .route("/tips/budget", post(tips::set_budget))
        .route("/accidents", get(accidents::index).post(accidents::create))
        .route("/accidents/{id}", get(accidents::show))
        .route("/accidents/{id}/supplements", post(accidents::supplement))
        .route("/accidents/{id}/close", post(accidents::close))
        .route("/accidents/{id}/extension", post(accidents::extend))
        .route(
            "/accidents/{id}/investigation",
            post(accidents::investigate),
        )
        .route(
            "/accidents/{id}/investigation/report",
            get(accidents::report_file),
        )
        .route("/accidents/{id}/list", post(accidents::list_typical))
        .route("/accidents/{id}/dual-inquiry", get(accidents::dual_inquiry))
        .route(
            "/accidents/{id}/dual-inquiry.xlsx",
            get(accidents::dual_inquiry_export),
        )
        .route("/tips/rules", post(tips::set_rules))
        .route("/tips/deadlines", post(tips::set_deadlines))
        .route("/tips/{id}/accept", post(tips::accept))
        .route("/tips/{id}/merge", post(tips::merge))
        .route("/tips/{id}/reject", post(tips::reject))
        .route("/tips/{id}/extension", post(tips::request_extension))
        .route(
            "/tips/{id}/extension/approve",
            post(tips::approve_extension),
        )
        .route("/tips/{id}/extension/refuse", post(tips::refuse_extension))
        .route("/tips/{id}/substantiated", post(tips::substantiated))
        .route("/tips/{id}/unsubstantiated", post(tips::unsubstantiated))
        .route("/tips/{id}/reward/propose", post(tips::propose))
        .route("/tips/{id}/reward/approve", post(tips::approve))
        .route("/tips/{id}/reward/pay", post(tips::pay))
        .route("/tips/{id}/messages", post(tips::ask))
        .route("/tips/{id}/identity", post(tips::identity))
        .route("/tips/{id}/files/{n}", get(tips::file))
        .route("/dashboard", get(session::home))
        .route("/rankings", get(rankings::latest))
        .route("/rankings/scheme", post(rankings::set_scheme))
        .route("/rankings/{month}", get(rankings::show))
        .route("/rankings/{month}/recompute", post(rankings::recompute))
        .route("/rankings/{month}/veto", post(rankings::veto))
        .route(
            "/accountability",
            get(accountability::index).post(accountability::record),
        )
        .route("/accountability/suggest", post(accountability::suggest))
        .route("/accountability/rules", post(accountability::set_rules))
        .route("/accountability/{id}/decide", post(accountability::decide))
        .route("/units/{id}/accountability", get(accountability::history))
        .route(
            "/bulletins",
            get(bulletins::index).post(bulletins::generate),
        )
        .route("/channels", get(channels::index).post(channels::create))
        .route("/channels/digest", post(channels::set_digest))
        .route("/channels/{id}/test", post(channels::test))
        .route("/deliveries", get(channels::deliveries))
        .route("/bulletins/{month}", get(bulletins::show))
        .route(
            "/bulletins/{month}/draft",
            get(bulletins::show_draft).post(bulletins::save_draft),
        )
        .route("/bulletins/{month}/redraft", post(bulletins::redraft))
        .route("/bulletins/{month}/issue", post(bulletins::issue))
        .route("/bulletins/{month}/{kind}", get(bulletins::download))
        .route("/calendar", get(calendar::show).post(calendar::set))
        .route("/calendar/reminders", post(calendar::set_reminders))
        .route("/todo.xlsx", get(todo::export))
        .route("/notifications/read", post(todo::mark_read))
        .route("/obligations/review", post(todo::review_batch))
        .route("/campaigns", get(plans::list))
        .route("/city", get(city::show))
        .route("/city/campaigns/{id}/issue", post(city::issue))
        .route("/city/districts/{no}", get(city::district))
        .route("/city/districts/{no}/hazards/{id}/list", post(city::list))
        .route("/plans/import", post(plans::import))
        .route("/campaigns/{id}/end", post(plans::set_end))
        .route("/campaigns/{id}/rerun", post(plans::rerun))
        .route("/campaigns/{id}/periods", post(plans::add_period))
        .route(
            "/campaigns/{id}/periods/{period}/delete",
            post(plans::remove_period),
        )
        .route("/campaigns/{id}", get(campaign::show))
        .route("/campaigns/{id}/units", get(campaign::units))
        .route("/campaigns/{id}/units.xlsx", get(campaign::units_export))
        .route("/campaigns/{id}/items/{no}", get(campaign::item))
        .route(
            "/campaigns/{id}/items/new",
            get(plan_editor::new_page).post(plan_editor::add),
        )
        .route(
            "/campaigns/{id}/items/new/preview",
            post(plan_editor::add_preview),
        )
        .route(
            "/campaigns/{id}/items/{no}/edit",
            get(plan_editor::edit_page).post(plan_editor::edit),
        )
        .route(
            "/campaigns/{id}/items/{no}/edit/preview",
            post(plan_editor::edit_preview),
        )
        .route(
            "/campaigns/{id}/items/{no}/retire",
            post(plan_editor::retire),
        )
        .route(
            "/campaigns/{id}/items/{no}/export.xlsx",
            get(campaign::item_export),
        )
        .route("/campaigns/{id}/export.xlsx", get(campaign::export))
        .route("/obligations.xlsx", get(todo::list_export))
        .route("/obligations/{id}", get(obligation::show))
        .route("/obligations/{id}/reports", post(obligation::submit))
        .route("/obligations/{id}/review", post(obligation::review))
        .route("/obligations/{id}/waive", post(obligation::waive))
        .route(
            "/obligations/{id}/evidence/{sha}",
            get(obligation::evidence),
        )
        .route("/hazards", get(hazards::ledger).post(hazards::create))
        .route("/hazards.xlsx", get(hazards::export))
        .route("/hazards/new", get(hazards::new))
        .route("/hazards/listed", get(hazards::board))
        .route("/hazards/listed/days", post(hazards::set_listing_days))
        .route("/hazards/stats", get(hazards::stats))
        .route(
            "/enforcements",
            get(enforcements::index).post(enforcements::create),
        )
        .route("/enforcements/{id}/recheck", post(enforcements::recheck))
        .route("/enforcements/{id}/penalty", post(enforcements::penalise))
        .route(
            "/enforcements/{id}/measures",
            post(enforcements::add_measure),
        )
        .route(
            "/enforcement-measures/{id}/document",
            get(enforcements::measure_document),
        )
        .route("/inspection-plans/{year}", post(enforcements::plan))
        .route("/blacklist", get(blacklist::index).post(blacklist::enter))
        .route("/blacklist.xlsx", get(blacklist::export))
        .route("/blacklist/{id}/lift", post(blacklist::lift))
        .route("/discretion-standard", post(enforcements::set_standard))
        .route("/crackdown", get(crackdown::index).post(crackdown::open))
        .route("/crackdown/{id}", get(crackdown::show))
        .route("/crackdown/{id}/steps", post(crackdown::step))
        .route("/daily", get(daily::index).post(daily::log))
        .route("/visits", get(visits::index).post(visits::create))
        .route("/visits/{id}", get(visits::show))
        .route("/visits/{id}/findings", post(visits::finding))
        .route("/visits/{id}/record", post(visits::record))
        .route(
            "/visits/{id}/findings/{hazard}/expose",
            post(visits::expose),
        )
        .route("/monthly-reports", get(monthly_reports::index))
        .route(
            "/monthly-reports/{month}",
            get(monthly_reports::show).post(monthly_reports::save),
        )
        .route(
            "/monthly-reports/{month}/submit",
            post(monthly_reports::submit),
        )
        .route(
            "/monthly-reports/{month}/export.xlsx",
            get(monthly_reports::export),
        )
        .route(
            "/hazards/import",
            get(hazards::import_page).post(hazards::import),
        )
        .route("/hazards/template.xlsx", get(hazards::template))
        .route("/hazards/{id}", get(hazards::show))
        .route("/cases/{id}", get(hazards::case))
        .route("/hazards/{id}/feedback", post(hazards::feedback))
        .route("/hazards/{id}/verify", post(hazards::verify))
        .route("/hazards/{id}/extend", post(hazards::extend))
        .route("/hazards/{id}/list", post(hazards::list_for_supervision))
        .route("/hazards/{id}/files/{sha}", get(hazards::file))
        .route("/login", get(session::login_page))
        .route("/logout", post(session::logout))
        .route("/units", get(directory::units).post(directory::create))
        .route("/units/new", get(directory::new_unit))
        .route("/units/{id}", get(directory::unit).post(directory::update))
        .route("/units/{id}/move", post(directory::move_unit))
        .route("/units/{id}/active", post(directory::set_active))
        .route(
            "/groups",
            get(directory::groups).post(directory::create_group),
        )
        .route("/groups/{id}", get(directory::group))
        .route(
            "/directory/import",
            get(directory::import_page).post(directory::import),
        )
        .route("/directory/export.xlsx", get(directory::export))
        .route("/directory/template.xlsx", get(directory::template))
        .route("/users", get(admin::users).post(admin::create_user))
        .route("/users/new", get(admin::new_user))
        .route("/users/{id}", get(admin::user))
        .route("/users/{id}/active", post(admin::set_active))
        .route("/users/{id}/password", post(admin::reset_password))
        .route("/users/{id}/role", post(admin::set_role))
        .route("/users/{id}/unlock", post(admin::unlock))
        .route(
            "/users/{id}/second-factor/reset",
            post(admin::reset_second_factor),
        )
        .route(
            "/security/policy",
            get(admin::policy).post(admin::set_policy),
        )
        .route(
            "/security/outbound",
            get(outbound_hosts::show).post(outbound_hosts::save),
        )
        .route("/security/checkpoint", post(admin::checkpoint))
        .route("/security/audit-export", post(admin::audit_export))
        .route("/audit", get(admin::audit))
        .route("/audit/verify", get(admin::verify))
        .route("/account", get(account::account))
        .route(
            "/account/password",
            get(account::account).post(account::change_password),
        )
        .route("/account/tokens", post(account::create_token))
        .route("/account/second-factor", get(second_factor::show))
        .route("/account/second-factor/begin", post(second_factor::begin))
        .route(
            "/account/second-factor/confirm",
            post(second_factor::confirm),
        )
        .route("/account/second-factor/renew", post(second_factor::renew))
        .route(
            "/account/step-up",
            get(second_factor::step_up_page).post(second_factor::step_up),
        )
        .route("/account/sessions/end", post(account::end_sessions))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
}

/// The kinds as (name, label) for selects.
pub fn kind_options() -> Vec<(&'static str, &'static str)> {
    anjian_core::unit::UnitKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect()
}

/// Ends a form action: on success redirect to the given location; when the user can fix
/// the problem (a bad field, a conflict) show the form again with it; otherwise (a
/// missing object, a refused function, a failure) the error page.
pub async fn after_form<Fut>(
    result: Result<String, Problem>,
    again: impl FnOnce(String) -> Fut,
) -> Result<axum::response::Response, PageError>
where
    Fut: std::future::Future<Output = Result<axum::response::Response, PageError>>,
{
    after_form_with(result, |r: Refusal| again(r.summary)).await
}

/// [`after_form`] for a form that shows each problem next to its field: the form comes
/// back with the whole [`Refusal`].
pub async fn after_form_with<Fut>(
    result: Result<String, Problem>,
    again: impl FnOnce(Refusal) -> Fut,
) -> Result<axum::response::Response, PageError>
where
    Fut: std::future::Future<Output = Result<axum::response::Response, PageError>>,
{
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    match result {
        Ok(to) => Ok(axum::response::Redirect::to(&to).into_response()),
        Err(p)
            if p.status.is_client_error()
                && p.status != StatusCode::NOT_FOUND
                && p.status != StatusCode::FORBIDDEN =>
        {
            // The refusal goes with the page: `typed::keep` puts each problem beside
            // its field and writes back what was sent.
            let r = Refusal::of(&p);
            Ok(with_refusal(again(r.clone()).await?, r))
        }
        Err(p) => Err(p.into()),
    }
}

/// The refused form `page` with its refusal attached: `typed::keep` puts each problem
/// beside its field and writes back what was sent.
pub fn with_refusal(mut page: axum::response::Response, r: Refusal) -> axum::response::Response {
    page.extensions_mut().insert(r);
    page
}

/// Why a form was refused: a summary for the top of the form (every problem, each
/// naming its field) and each problem by its field, to be shown beside it.
#[derive(Debug, Clone, Default)]
pub struct Refusal {
    pub summary: String,
    pub fields: Vec<(String, String)>,
}

impl Refusal {
    /// The refusal of problem `p` and the others found with it.
    pub fn of(p: &Problem) -> Refusal {
        let mut fields: Vec<(String, String)> = p
            .field
            .iter()
            .map(|f| (f.clone(), p.message.clone()))
            .collect();
        fields.extend(p.also.iter().map(|a| (a.field.clone(), a.message.clone())));
        let summary = if p.also.is_empty() {
            flash_of(p)
        } else {
            format!(
                "有{}处需要修改：{}",
                fields.len(),
                fields
                    .iter()
                    // Each message names its field; the field is marked beside it.
                    .map(|(_, m)| m.as_str())
                    .collect::<Vec<_>>()
                    .join("；")
            )
        };
        Refusal { summary, fields }
    }

    /// The problem on `field`, to show beside it.
    pub fn on(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// An instant as a `datetime-local` value in Beijing time (2022-08-09T07:06).
pub fn datetime_input(ms: i64) -> String {
    anjian_core::time::format_local(ms)
        .chars()
        .take(16)
        .collect::<String>()
        .replace(' ', "T")
}

/// A `datetime-local` value (Beijing time) as RFC 3339; other text unchanged, for the
/// checks to refuse.
pub fn rfc3339(local: &str) -> String {
    let t = local.trim();
    if t.len() == 16 && t.as_bytes().get(10) == Some(&b'T') {
        format!("{t}:00+08:00")
    } else {
        t.to_string()
    }
}

/// A document in the bulletin's layout as a download named `name` (without its
/// extension): the official .docx, or its tables as an .xlsx.
pub fn document_response(
    doc: &anjian_core::bulletin::Bulletin,
    name: &str,
    docx: bool,
) -> Result<axum::response::Response, PageError> {
    use axum::response::IntoResponse;
    let (bytes, mime, file) = if docx {
        (
            doc.to_docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            format!("{name}.docx"),
        )
    } else {
        (
            doc.to_xlsx().map_err(|_| Problem::internal())?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            format!("{name}.xlsx"),
        )
    };
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, mime.to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                crate::download::attachment(&file),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A list as an .xlsx download.
pub fn xlsx_response(
    title: &str,
    headers: &[&str],
    rows: &[Vec<String>],
    file: &str,
    author: &str,
) -> Result<axum::response::Response, PageError> {
    workbook_response(&[(title, headers, rows)], file, author)
}

/// A workbook of several sheets as a download named `file`, written by `author` (the
/// exporting unit, in its document properties).
pub fn workbook_response(
    sheets: &[anjian_core::sheet::Table<'_>],
    file: &str,
    author: &str,
) -> Result<axum::response::Response, PageError> {
    use axum::response::IntoResponse;
    let bytes = anjian_core::sheet::tables(sheets, author).map_err(|_| {
        Problem::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "xlsx",
            "生成表格失败",
        )
    })?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                crate::download::attachment(file),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Formats a problem for a flash message, naming the field.
pub fn flash_of(p: &Problem) -> String {
    match &p.field {
        Some(f) => format!("{}（{}）", p.message, field_label(f)),
        None => p.message.clone(),
    }
}

fn field_label(f: &str) -> &str {
    match f {
        "code" => "编码",
        "name" => "名称",
        "short_name" => "简称",
        "kind" => "类型",
        "parent" => "上级单位",
        "supervises_safety" => "监管职责",
        "aliases" => "别名",
        "sectors" => "行业领域",
        "username" => "用户名",
        "display_name" => "姓名",
        "unit" => "所属单位",
        "role" => "角色",
        "password" => "密码",
        "confirm" => "确认密码",
        "current" => "当前密码",
        "min_length" => "最小长度",
        "min_classes" => "字符种类",
        "rotation_days" => "更换周期",
        "token_max_days" => "API令牌最长有效期",
        "active" => "状态",
        "text" => "报送内容",
        "evidence" => "佐证材料",
        "reason" => "退回理由",
        "members" => "成员单位",
        "day" => "日期",
        "days" => "提醒天数",
        "note" => "说明",
        "description" => "说明",
        "rule_kind" => "分组类型",
        "rule_supervises_safety" => "监管职责",
        "file" => "文件",
        "title" => "标题",
        "doc_number" => "文号",
        "year" => "年度",
        "ends_on" => "结束日期",
        "starts_on" => "开始日期",
        "level" => "等级",
        "sector" => "行业领域",
        "source" => "来源",
        "place" => "隐患部位",
        "discovered_on" => "发现日期",
        "measures" => "整改措施",
        "responsible_person" => "整改责任人",
        "funds" => "整改资金",
        "deadline" => "时限",
        "contingency_plan" => "应急预案",
        "governance_plan" => "治理方案",
        "governance_plan.targets" => "治理目标和任务",
        "governance_plan.methods" => "采取的方法和措施",
        "governance_plan.funds_and_materials" => "经费和物资",
        "governance_plan.people" => "负责治理的机构和人员",
        "governance_plan.deadline" => "治理时限和要求",
        "governance_plan.safety_measures" => "安全措施和应急预案",
        "fixed_on_spot" => "即查即改",
        "on_site" => "现场核查",
        "until" => "延期至",
        "leader" => "督办责任领导",
        other => other,
    }
}

/// The stored file with digest `sha` as a download, streamed, its type read from its
/// first bytes; 404 when the store has no such file, 503 when it cannot be reached.
pub(crate) async fn stored_file(
    state: &crate::AppState,
    sha: &str,
) -> Result<axum::response::Response, crate::error::PageError> {
    Ok(crate::download::stored(state, sha, None, sha).await?)
}
