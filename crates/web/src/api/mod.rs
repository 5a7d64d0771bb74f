//! The JSON API under `/api/v1`, described by the OpenAPI document at
//! `/api/v1/openapi.json`.

pub mod accidents;
pub mod assessments;
pub mod audit;
pub mod auth;
pub mod blacklist;
pub mod body;
pub mod channels;
pub mod city;
pub mod crackdown;
pub mod daily;
pub mod directory;
pub mod duty;
pub mod enforcements;
pub mod enterprises;
pub mod experts;
pub mod hazards;
pub mod inspection_plans;
pub mod obligations;
pub mod openapi;
pub mod paging;
pub mod plans;
pub mod projects;
pub mod rankings;
pub mod reports;
pub mod tips;
pub mod users;
pub mod visits;
pub mod warnings;
pub mod workers;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// The API routes (the login route is added by the router with its rate limit).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/me", get(auth::me))
        .route("/api/v1/me/password", post(auth::change_password))
        .route("/api/v1/me/second-factor", post(auth::begin_second_factor))
        .route(
            "/api/v1/me/second-factor/confirm",
            post(auth::confirm_second_factor),
        )
        .route("/api/v1/me/sessions", get(auth::sessions))
        .route("/api/v1/me/sessions/end", post(auth::end_sessions))
        .route("/api/v1/auth/step-up", post(auth::step_up))
        .route(
            "/api/v1/enterprises",
            get(enterprises::list).post(enterprises::create),
        )
        .route("/api/v1/enterprises/{id}", get(enterprises::show))
        .route(
            "/api/v1/enterprises/{id}/workers",
            get(workers::roster).post(workers::add),
        )
        .route(
            "/api/v1/enterprises/{id}/workers/import",
            post(workers::import),
        )
        .route("/api/v1/workers/flags", get(workers::flags))
        .route(
            "/api/v1/workers/cap",
            get(workers::cap).put(workers::set_cap),
        )
        .route(
            "/api/v1/projects",
            get(projects::list).post(projects::create),
        )
        .route(
            "/api/v1/projects/{id}",
            get(projects::show).patch(projects::patch),
        )
        .route("/api/v1/projects/{id}/steps", post(projects::step))
        .route(
            "/api/v1/projects/{id}/contracts",
            get(projects::contracts).post(projects::add_contract),
        )
        .route(
            "/api/v1/project-reviews",
            get(projects::reviews).post(projects::open_review),
        )
        .route("/api/v1/project-reviews/{id}", get(projects::review))
        .route(
            "/api/v1/project-reviews/{id}/results",
            post(projects::result),
        )
        .route(
            "/api/v1/enterprises/{id}/persons",
            post(enterprises::assign),
        )
        .route(
            "/api/v1/enterprises/{id}/risk-card",
            axum::routing::put(enterprises::risk_card),
        )
        .route(
            "/api/v1/officials",
            get(enterprises::officials).post(enterprises::add_official),
        )
        .route("/api/v1/public/boards/{id}", get(enterprises::board))
        .route("/api/v1/duty-records", get(duty::list).post(duty::create))
        .route("/api/v1/duty-records/{id}/decision", post(duty::decide))
        .route("/api/v1/quotas/{month}", get(duty::quotas))
        .route("/api/v1/officials/{id}/file/{year}", get(duty::file))
        .route("/api/v1/duty-posts", get(duty::posts).post(duty::add_post))
        .route(
            "/api/v1/duty-quotas",
            get(duty::get_quotas)
                .put(duty::set_quotas)
                .post(duty::add_quota),
        )
        .route(
            "/api/v1/channels",
            get(channels::list).post(channels::create),
        )
        .route("/api/v1/channels/{id}/test", post(channels::test))
        .route("/api/v1/deliveries", get(channels::deliveries))
        .route(
            "/api/v1/warnings",
            get(warnings::list).post(warnings::issue),
        )
        .route("/api/v1/warnings/{id}", get(warnings::show))
        .route("/api/v1/warnings/{id}/ack", post(warnings::ack))
        .route("/api/v1/warnings/{id}/urge", post(warnings::urge))
        .route(
            "/api/v1/circuit-breakers",
            get(warnings::breakers).post(warnings::trip),
        )
        .route("/api/v1/circuit-breakers/{id}/lift", post(warnings::lift))
        .route(
            "/api/v1/risk-assessments",
            get(warnings::assessments).post(warnings::assess),
        )
        .route("/api/v1/risk-assessments/{id}", get(warnings::assessment))
        .route("/api/v1/special-periods", post(warnings::declare))
        .route("/api/v1/special-periods/{id}", get(warnings::matrix))
        .route(
            "/api/v1/special-periods/{id}/reports",
            post(warnings::report),
        )
        .route("/api/v1/tokens", post(auth::create_token))
        .route(
            "/api/v1/units",
            get(directory::list_units).post(directory::create_unit),
        )
        .route(
            "/api/v1/units/{id}",
            get(directory::get_unit).put(directory::update_unit),
        )
        .route("/api/v1/units/{id}/move", post(directory::move_unit))
        .route(
            "/api/v1/units/{id}/active",
            post(directory::set_unit_active),
        )
        .route(
            "/api/v1/groups",
            get(directory::list_groups).post(directory::create_group),
        )
        .route("/api/v1/groups/{id}/members", get(directory::group_members))
        .route(
            "/api/v1/users",
            get(users::list_users).post(users::create_user),
        )
        .route("/api/v1/users/{id}", get(users::get_user))
        .route("/api/v1/users/{id}/active", post(users::set_user_active))
        .route("/api/v1/users/{id}/password", post(users::reset_password))
        .route("/api/v1/users/{id}/role", post(users::set_role))
        .route("/api/v1/campaigns", get(plans::list))
        .route("/api/v1/campaigns/{id}/plan", get(plans::plan))
        .route("/api/v1/campaigns/{id}/work-items", post(plans::add_item))
        .route(
            "/api/v1/campaigns/{id}/work-items/{no}",
            axum::routing::put(plans::edit_item).delete(plans::retire_item),
        )
        .route("/api/v1/obligations", get(obligations::list))
        .route("/api/v1/obligations/{id}", get(reports::show))
        .route("/api/v1/obligations/{id}/reports", post(reports::submit))
        .route("/api/v1/obligations/{id}/review", post(reports::review))
        .route("/api/v1/obligations/{id}/waive", post(reports::waive))
        .route("/api/v1/hazards", get(hazards::list).post(hazards::create))
        .route("/api/v1/hazards/listed", get(hazards::board))
        .route("/api/v1/hazards/stats", get(hazards::stats))
        .route("/api/v1/hazards/{id}", get(hazards::show))
        .route(
            "/api/v1/hazards/{id}/list",
            post(hazards::list_for_supervision),
        )
        .route("/api/v1/hazards/{id}/assign", post(hazards::assign))
        .route("/api/v1/hazards/{id}/feedback", post(hazards::feedback))
        .route("/api/v1/hazards/{id}/verify", post(hazards::verify))
        .route("/api/v1/hazards/{id}/extend", post(hazards::extend))
        .route(
            "/api/v1/enforcements",
            get(enforcements::list).post(enforcements::create),
        )
        .route("/api/v1/enforcements/watch", get(enforcements::watch))
        .route(
            "/api/v1/enforcements/{id}/penalty",
            post(enforcements::penalise),
        )
        .route(
            "/api/v1/enforcements/{id}/measures",
            post(enforcements::add_measure),
        )
        .route(
            "/api/v1/inspection-plans/{year}",
            get(inspection_plans::list).put(inspection_plans::put),
        )
        .route(
            "/api/v1/discretion-standard",
            get(enforcements::discretion_standard).put(enforcements::set_discretion_standard),
        )
        .route(
            "/api/v1/blacklist",
            get(blacklist::list).post(blacklist::enter),
        )
        .route("/api/v1/blacklist/{id}/lift", post(blacklist::lift))
        .route(
            "/api/v1/crackdown-cases",
            get(crackdown::list).post(crackdown::open),
        )
        .route("/api/v1/crackdown-cases/{id}", get(crackdown::get))
        .route("/api/v1/crackdown-cases/{id}/steps", post(crackdown::step))
        .route("/api/v1/public/exposures", get(crackdown::exposed))
        .route(
            "/api/v1/enforcements/{id}/recheck",
            post(enforcements::recheck),
        )
        .route(
            "/api/v1/accidents",
            get(accidents::list).post(accidents::create),
        )
        .route(
            "/api/v1/accidents/{id}/supplements",
            post(accidents::supplement),
        )
        .route("/api/v1/accidents/{id}/extension", post(accidents::extend))
        .route("/api/v1/accidents/{id}/close", post(accidents::close))
        .route("/api/v1/accidents/{id}/parties", post(accidents::parties))
        .route(
            "/api/v1/accidents/{id}/blacklist",
            post(accidents::blacklist),
        )
        .route(
            "/api/v1/accidents/{id}/investigation",
            post(accidents::investigation),
        )
        .route("/api/v1/accidents/{id}/list", post(accidents::list_typical))
        .route(
            "/api/v1/accidents/{id}/dual-inquiry",
            get(accidents::dual_inquiry),
        )
        .route("/api/v1/tips", get(tips::list))
        .route("/api/v1/tips/stats", get(tips::stats))
        .route("/api/v1/experts", get(experts::pool).post(experts::add))
        .route(
            "/api/v1/expert-engagements",
            get(experts::engagements).post(experts::engage),
        )
        .route("/api/v1/expert-engagements/{id}", get(experts::engagement))
        .route(
            "/api/v1/expert-engagements/{id}/findings",
            post(experts::finding),
        )
        .route("/api/v1/assessments/{year}", get(assessments::year))
        .route(
            "/api/v1/assessments/{year}/scheme",
            axum::routing::put(assessments::set_scheme),
        )
        .route(
            "/api/v1/assessments/{year}/adjustments",
            post(assessments::adjust),
        )
        .route("/api/v1/tips/offline", post(tips::offline))
        .route(
            "/api/v1/tips/budget/{year}",
            get(tips::budget).put(tips::set_budget),
        )
        .route(
            "/api/v1/tips/reward-rules",
            get(tips::rules).put(tips::set_rules),
        )
        .route(
            "/api/v1/tips/deadlines",
            get(tips::deadlines).put(tips::set_deadlines),
        )
        .route("/api/v1/tips/{id}", get(tips::show))
        .route("/api/v1/tips/{id}/extension", post(tips::extension))
        .route(
            "/api/v1/tips/{id}/extension/approve",
            post(tips::approve_extension),
        )
        .route(
            "/api/v1/tips/{id}/extension/refuse",
            post(tips::refuse_extension),
        )
        .route("/api/v1/tips/{id}/messages", post(tips::ask))
        .route("/api/v1/tips/{id}/accept", post(tips::accept))
        .route("/api/v1/tips/{id}/merge", post(tips::merge))
        .route("/api/v1/tips/{id}/reject", post(tips::reject))
        .route("/api/v1/tips/{id}/outcome", post(tips::outcome))
        .route("/api/v1/tips/{id}/identity", post(tips::identity))
        .route(
            "/api/v1/tips/{id}/reward/propose",
            post(tips::propose_reward),
        )
        .route(
            "/api/v1/tips/{id}/reward/approve",
            post(tips::approve_reward),
        )
        .route("/api/v1/tips/{id}/reward/pay", post(tips::pay_reward))
        .route("/api/v1/rankings/{month}", get(rankings::show))
        .route("/api/v1/city", get(city::month))
        .route("/api/v1/city/campaigns/{id}/issue", post(city::issue))
        .route("/api/v1/city/districts/{no}/hazards", get(city::hazards))
        .route(
            "/api/v1/city/districts/{no}/hazards/{id}/list",
            post(city::list),
        )
        .route("/api/v1/ratings/{year}", get(rankings::ratings))
        .route("/api/v1/bulletins/{month}", post(rankings::generate))
        .route("/api/v1/bulletins/{month}/docx", get(rankings::docx))
        .route("/api/v1/dashboard", get(rankings::dashboard))
        .route("/api/v1/daily", get(daily::lines))
        .route(
            "/api/v1/daily-entries",
            get(daily::entries).post(daily::log),
        )
        .route("/api/v1/visits", get(visits::list).post(visits::create))
        .route("/api/v1/visits/{id}", get(visits::show))
        .route("/api/v1/visits/{id}/findings", post(visits::finding))
        .route("/api/v1/visits/{id}/record", post(visits::record))
        .route(
            "/api/v1/visits/{id}/findings/{hazard}/expose",
            post(visits::expose),
        )
        .route("/api/v1/audit", get(audit::list))
        .route("/api/v1/audit/verify", get(audit::verify))
        .route("/api/v1/openapi.json", get(openapi::document))
}

pub use crate::input::path_id;
