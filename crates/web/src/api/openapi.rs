//! The OpenAPI document of `/api/v1`.

use axum::Json;
use utoipa::OpenApi;

use super::{
    accidents, audit, auth, directory, enforcements, hazards, obligations, plans, rankings,
    reports, tips, users, visits,
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
        accidents::create,
        accidents::list,
        accidents::supplement,
        accidents::extend,
        accidents::close,
        tips::submit,
        tips::status,
        tips::list,
        tips::triage,
        tips::show,
        tips::extension,
        tips::deadlines,
        tips::set_deadlines,
        tips::outcome,
        tips::identity,
        tips::reward,
        tips::ask,
        tips::stats,
        tips::rules,
        tips::set_rules,
        rankings::show,
        rankings::ratings,
        rankings::generate,
        rankings::docx,
        rankings::dashboard,
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
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail))
)]
pub struct ApiDoc;

/// Serves the document.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
