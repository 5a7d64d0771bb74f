//! The OpenAPI document of `/api/v1`.

use axum::Json;
use utoipa::OpenApi;

use super::{
    accidents, assessments, audit, auth, blacklist, channels, city, crackdown, daily, directory,
    duty, enforcements, enterprises, experts, hazards, inspection_plans, obligations, plans,
    projects, rankings, reports, tips, users, visits, warnings, workers,
};

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "anjian API",
        description = "安监平台 JSON API：登录、当前用户、单位名录、账户、审计。错误统一为 {\"error\":{\"code\",\"message\",\"field\"}}。"
    ),
    paths(
        auth::login,
        auth::logout,
        auth::me,
        auth::change_password,
        auth::begin_second_factor,
        auth::confirm_second_factor,
        auth::sessions,
        auth::end_sessions,
        auth::step_up,
        auth::create_token,
        directory::list_units,
        directory::get_unit,
        directory::create_unit,
        directory::update_unit,
        directory::move_unit,
        directory::set_unit_active,
        directory::list_groups,
        directory::create_group,
        directory::group_members,
        users::list_users,
        users::get_user,
        users::create_user,
        users::set_user_active,
        users::reset_password,
        users::set_role,
        plans::list,
        plans::plan,
        plans::edit_item,
        plans::add_item,
        plans::retire_item,
        obligations::list,
        hazards::create,
        hazards::list,
        hazards::show,
        hazards::assign,
        hazards::feedback,
        hazards::verify,
        hazards::extend,
        hazards::list_for_supervision,
        hazards::board,
        hazards::stats,
        enforcements::create,
        enforcements::list,
        enforcements::watch,
        enforcements::recheck,
        enforcements::penalise,
        enforcements::add_measure,
        enforcements::discretion_standard,
        enforcements::set_discretion_standard,
        inspection_plans::list,
        inspection_plans::put,
        blacklist::list,
        blacklist::enter,
        blacklist::lift,
        crackdown::list,
        crackdown::open,
        crackdown::get,
        crackdown::step,
        crackdown::exposed,
        accidents::create,
        accidents::list,
        accidents::supplement,
        accidents::extend,
        accidents::close,
        accidents::parties,
        accidents::blacklist,
        accidents::investigation,
        accidents::list_typical,
        accidents::dual_inquiry,
        enterprises::create,
        enterprises::list,
        enterprises::show,
        enterprises::assign,
        enterprises::risk_card,
        enterprises::officials,
        enterprises::add_official,
        enterprises::board,
        projects::create,
        projects::list,
        projects::show,
        projects::patch,
        projects::step,
        projects::add_contract,
        projects::contracts,
        projects::open_review,
        projects::reviews,
        projects::review,
        projects::result,
        workers::roster,
        workers::add,
        workers::import,
        workers::flags,
        workers::cap,
        workers::set_cap,
        duty::create,
        duty::list,
        duty::decide,
        duty::quotas,
        duty::get_quotas,
        duty::set_quotas,
        duty::add_quota,
        duty::posts,
        duty::add_post,
        duty::file,
        channels::create,
        channels::list,
        channels::test,
        channels::deliveries,
        warnings::issue,
        warnings::list,
        warnings::show,
        warnings::ack,
        warnings::urge,
        warnings::trip,
        warnings::breakers,
        warnings::lift,
        warnings::assess,
        warnings::assessments,
        warnings::assessment,
        warnings::declare,
        warnings::matrix,
        warnings::report,
        tips::submit,
        tips::status,
        tips::list,
        tips::accept,
        tips::merge,
        tips::reject,
        tips::show,
        tips::extension,
        tips::approve_extension,
        tips::refuse_extension,
        tips::deadlines,
        tips::set_deadlines,
        tips::outcome,
        tips::identity,
        tips::propose_reward,
        tips::approve_reward,
        tips::pay_reward,
        tips::ask,
        tips::stats,
        assessments::year,
        assessments::set_scheme,
        assessments::adjust,
        experts::pool,
        experts::add,
        experts::engagements,
        experts::engage,
        experts::engagement,
        experts::finding,
        tips::offline,
        tips::budget,
        tips::set_budget,
        tips::rules,
        tips::set_rules,
        rankings::show,
        city::month,
        city::issue,
        city::hazards,
        city::list,
        rankings::ratings,
        rankings::generate,
        rankings::docx,
        rankings::dashboard,
        daily::lines,
        daily::entries,
        daily::log,
        visits::list,
        visits::create,
        visits::show,
        visits::finding,
        visits::record,
        visits::expose,
        reports::show,
        reports::submit,
        reports::review,
        reports::waive,
        audit::list,
        audit::verify,
    ),
    components(schemas(
        crate::error::ErrorBody,
        crate::error::ErrorDetail,
        crate::error::FieldProblem
    ))
)]
pub struct ApiDoc;

/// Serves the document.
pub async fn document() -> Json<&'static serde_json::Value> {
    Json(served())
}

/// The document as served: utoipa's, with every path parameter declared with its type
/// and every operationId unique, so that client generators and schemathesis take it
/// as it is. Built once.
pub fn served() -> &'static serde_json::Value {
    static DOC: std::sync::LazyLock<serde_json::Value> = std::sync::LazyLock::new(|| {
        normalize(serde_json::to_value(ApiDoc::openapi()).unwrap_or_default())
    });
    &DOC
}

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// The schema of a path parameter, by its name in the route table.
fn param_schema(name: &str) -> serde_json::Value {
    use serde_json::json;
    match name {
        // As `Month::parse` reads it: a year from 2000 to 2100 and a month 01–12.
        "month" => json!({
            "type": "string",
            "pattern": "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$",
            "example": "2022-08"
        }),
        "year" => json!({"type": "integer", "minimum": 2000, "maximum": 2100}),
        // As `tip::parse_receipt` reads it: 22 digits (spaces and dashes allowed).
        "receipt" => json!({
            "type": "string",
            "pattern": "^[0-9]{22}$",
            "example": "1234567890123456789012"
        }),
        "no" => json!({"type": "integer", "minimum": 1}),
        _ => json!({"type": "integer", "format": "int64", "minimum": 1}),
    }
}

/// Declares the path parameters an operation leaves out and makes operationIds unique
/// (`list` on `/api/v1/hazards` becomes `list_hazards`).
fn normalize(mut doc: serde_json::Value) -> serde_json::Value {
    use serde_json::json;
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return doc;
    };
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    for item in paths.values() {
        for m in METHODS {
            if let Some(id) = item[m]["operationId"].as_str() {
                *seen.entry(id.to_string()).or_default() += 1;
            }
        }
    }
    for (path, item) in paths.iter_mut() {
        let names: Vec<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        let slug: Vec<&str> = path
            .split('/')
            .filter(|s| !s.is_empty() && !s.starts_with('{') && *s != "api" && *s != "v1")
            .collect();
        let slug = slug.join("_").replace('-', "_");
        for m in METHODS {
            let Some(op) = item.get_mut(m).and_then(|o| o.as_object_mut()) else {
                continue;
            };
            let id = op
                .get("operationId")
                .and_then(|v| v.as_str())
                .unwrap_or(m)
                .to_string();
            if seen.get(&id).copied().unwrap_or(0) > 1 || !op.contains_key("operationId") {
                op.insert("operationId".into(), json!(format!("{id}_{slug}")));
            }
            if names.is_empty() {
                continue;
            }
            let params = op
                .entry("parameters")
                .or_insert_with(|| json!([]))
                .as_array_mut();
            let Some(params) = params else { continue };
            for name in &names {
                let declared = params
                    .iter()
                    .any(|p| p["in"] == "path" && p["name"] == *name);
                if !declared {
                    params.push(json!({
                        "name": name,
                        "in": "path",
                        "required": true,
                        "schema": param_schema(name),
                    }));
                }
            }
        }
    }
    doc
}
