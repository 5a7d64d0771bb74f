//! Units and groups.

use anjian_core::unit::{GroupDraft, UnitDraft, UnitKind};
use anjian_store::directory::{Unit, UnitFilter, groups, units};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::{Body, Params};
use super::path_id;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
pub(crate) use crate::shared::directory::{GroupJson, save_group};

/// A unit in a list.
#[derive(Serialize, ToSchema)]
pub struct UnitJson {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: String,
    /// The parent unit's id (null for a root).
    pub parent: Option<i64>,
    pub supervises_safety: bool,
    pub active: bool,
}

impl From<&Unit> for UnitJson {
    fn from(u: &Unit) -> Self {
        UnitJson {
            id: u.id,
            code: u.code.clone(),
            name: u.name.clone(),
            short_name: u.short_name.clone(),
            kind: u.kind.clone(),
            parent: u.parent_id,
            supervises_safety: u.supervises_safety == 1,
            active: u.active == 1,
        }
    }
}

/// A unit with its names, sectors and parent.
#[derive(Serialize, ToSchema)]
pub struct UnitDetailJson {
    #[serde(flatten)]
    pub unit: UnitJson,
    pub parent_name: Option<String>,
    pub aliases: Vec<String>,
    pub sectors: Vec<String>,
    pub child_count: i64,
}

/// Filters of the unit list.
#[derive(Deserialize, IntoParams)]
pub struct UnitQuery {
    /// Only units with an id greater than this (the next page's key).
    pub after: Option<i64>,
    /// Page size, 1–1000 (default 100).
    pub limit: Option<i64>,
    /// Part of a name, code or alias.
    pub q: Option<String>,
    pub kind: Option<String>,
    pub parent: Option<i64>,
    /// Include deactivated units.
    pub all: Option<bool>,
}

/// Units in the caller's scope, by id. The next page is linked in the `Link` header.
#[utoipa::path(get, path = "/api/v1/units", params(UnitQuery), responses((status = 200, body = [UnitJson])))]
pub async fn list_units(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(f): Params<UnitQuery>,
) -> Result<Response, ApiError> {
    let kind = match f.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(UnitKind::parse(k)?),
        None => None,
    };
    let limit = f.limit.unwrap_or(100).clamp(1, 1000);
    let filter = UnitFilter {
        after: f.after,
        limit,
        search: anjian_core::error::search_term(f.q.as_deref(), 50),
        kind,
        parent: f.parent,
        include_inactive: f.all.unwrap_or(false),
    };
    let rows = units::list(&state.db, &u.directory_scope(), &filter).await?;
    let body: Vec<UnitJson> = rows.iter().map(UnitJson::from).collect();
    Ok(super::paging::paged(body, limit, |last| {
        // The next page keeps the filters of this one.
        let mut to = format!("/api/v1/units?after={}&limit={limit}", last.id);
        if let Some(s) = &filter.search {
            to.push_str(&format!("&q={}", crate::auth::urlencode(s)));
        }
        if let Some(k) = filter.kind {
            to.push_str(&format!("&kind={}", k.as_str()));
        }
        if let Some(p) = filter.parent {
            to.push_str(&format!("&parent={p}"));
        }
        if filter.include_inactive {
            to.push_str("&all=true");
        }
        to
    }))
}

/// One unit in scope (404 when out of scope).
#[utoipa::path(get, path = "/api/v1/units/{id}", responses((status = 200, body = UnitDetailJson), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_unit(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<UnitDetailJson>, ApiError> {
    let d = units::detail(&state.db, &u.directory_scope(), path_id(&id)?).await?;
    Ok(Json(UnitDetailJson {
        unit: UnitJson::from(&d.unit),
        parent_name: d.parent.map(|p| p.name),
        aliases: d.aliases,
        sectors: d.sectors,
        child_count: d.child_count,
    }))
}

/// A unit to create or the new state of one.
#[derive(Deserialize, ToSchema)]
pub struct UnitInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub short_name: String,
    pub kind: String,
    pub parent: Option<i64>,
    #[serde(default)]
    pub supervises_safety: bool,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub sectors: Vec<String>,
}

impl UnitInput {
    fn draft(&self) -> Result<UnitDraft, anjian_core::FieldError> {
        UnitDraft::parse(
            &self.code,
            &self.name,
            &self.short_name,
            &self.kind,
            self.supervises_safety,
            &self.aliases.join("、"),
            &self.sectors.join("、"),
        )
    }
}

/// Creates a unit (office administrator).
#[utoipa::path(post, path = "/api/v1/units", request_body = UnitInput, responses((status = 201, body = UnitJson), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_unit(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(input): Body<UnitInput>,
) -> Result<Response, ApiError> {
    let draft = input.draft()?;
    let unit = units::create(
        &state.db,
        state.now(),
        &u.actor(),
        &u.directory_scope(),
        &draft,
        input.parent,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(UnitJson::from(&unit))).into_response())
}

/// Edits a unit (office administrator). The parent is changed with `move`.
#[utoipa::path(put, path = "/api/v1/units/{id}", request_body = UnitInput, responses((status = 200, body = UnitJson)))]
pub async fn update_unit(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(input): Body<UnitInput>,
) -> Result<Json<UnitJson>, ApiError> {
    let id = path_id(&id)?;
    let draft = input.draft()?;
    let unit = units::update(
        &state.db,
        state.now(),
        &u.actor(),
        &u.directory_scope(),
        id,
        &draft,
    )
    .await?;
    Ok(Json(UnitJson::from(&unit)))
}

/// A new parent.
#[derive(Deserialize, ToSchema)]
pub struct MoveInput {
    pub parent: i64,
}

/// Moves a unit and its subtree under another unit.
#[utoipa::path(post, path = "/api/v1/units/{id}/move", request_body = MoveInput, responses((status = 200, body = UnitJson)))]
pub async fn move_unit(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(input): Body<MoveInput>,
) -> Result<Json<UnitJson>, ApiError> {
    let unit = units::move_to(
        &state.db,
        state.now(),
        &u.actor(),
        &u.directory_scope(),
        path_id(&id)?,
        input.parent,
    )
    .await?;
    Ok(Json(UnitJson::from(&unit)))
}

/// Active or not.
#[derive(Deserialize, ToSchema)]
pub struct ActiveInput {
    pub active: bool,
}

/// Deactivates or reactivates a unit.
#[utoipa::path(post, path = "/api/v1/units/{id}/active", request_body = ActiveInput, responses((status = 200, body = UnitJson)))]
pub async fn set_unit_active(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    Body(input): Body<ActiveInput>,
) -> Result<Json<UnitJson>, ApiError> {
    let unit = units::set_active(
        &state.db,
        state.now(),
        &u.actor(),
        &u.directory_scope(),
        path_id(&id)?,
        input.active,
    )
    .await?;
    Ok(Json(UnitJson::from(&unit)))
}

/// Every named unit group.
#[utoipa::path(get, path = "/api/v1/groups", responses((status = 200, body = [GroupJson])))]
pub async fn list_groups(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<Vec<GroupJson>>, ApiError> {
    let gs = groups::list(&state.db, &u.actor()).await?;
    Ok(Json(
        gs.into_iter()
            .map(|g| GroupJson {
                id: g.id,
                name: g.name,
                description: g.description,
                rule_kind: g.rule_kind,
                rule_supervises_safety: g.rule_supervises_safety == Some(1),
            })
            .collect(),
    ))
}

/// The members of a group that are in the caller's scope.
#[utoipa::path(get, path = "/api/v1/groups/{id}/members", responses((status = 200, body = [UnitJson])))]
pub async fn group_members(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<UnitJson>>, ApiError> {
    let ms = groups::members(&state.db, &u.directory_scope(), path_id(&id)?).await?;
    Ok(Json(ms.iter().map(UnitJson::from).collect()))
}

/// A new group: by rule (`rule_kind`, optionally only supervising departments) or by an
/// explicit list of member unit ids.
#[derive(Deserialize, ToSchema)]
pub struct GroupInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub rule_kind: Option<String>,
    #[serde(default)]
    pub rule_supervises_safety: bool,
    #[serde(default)]
    pub members: Vec<i64>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// Creates a named group (office administrator).
#[utoipa::path(post, path = "/api/v1/groups", request_body = GroupInput, responses((status = 201, body = GroupJson), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_group(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Body(i): Body<GroupInput>,
) -> Result<Response, ApiError> {
    let draft = GroupDraft::parse(
        &i.name,
        &i.description,
        i.rule_kind.as_deref().unwrap_or(""),
        i.rule_supervises_safety,
        &i.aliases.join("、"),
    )?;
    let g = save_group(&state, &u, &draft, i.members).await?;
    Ok((StatusCode::CREATED, Json(g)).into_response())
}
