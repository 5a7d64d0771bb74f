//! Directory pages: browse (tree and search), create, edit, move, deactivate, groups,
//! and the .xlsx import and export.

use anjian_core::directory::{RowProblem, write_sheet};
use anjian_core::role::Role;
use anjian_core::unit::{GroupDraft, UnitDraft, UnitKind};
use anjian_store::directory::{UnitFilter, groups, sheet, units};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Done, Layout, PageForm, PageQuery, after_form, flash_of, kind_options};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render};
use crate::input::path_id;
use anjian_store::authz;

/// A row of the unit list.
pub struct UnitRow {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub kind_label: &'static str,
    pub supervises: bool,
    pub active: bool,
    pub children: i64,
}

/// The unit list: a level of the tree, or search results.
#[derive(Template)]
#[template(path = "units.html")]
pub struct UnitsPage {
    pub layout: Option<Layout>,
    /// A department also sees the enterprises of its sectors, outside its subtree.
    pub sector_note: bool,
    pub can_edit: bool,
    pub search: String,
    pub kind: String,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub parent: Option<anjian_store::directory::Unit>,
    pub crumbs: Vec<(i64, String)>,
    pub rows: Vec<UnitRow>,
    pub next: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct UnitsQuery {
    q: Option<String>,
    kind: Option<String>,
    parent: Option<String>,
    after: Option<i64>,
}

/// The ancestors of a unit that are in scope, root first, from its path (one query).
async fn crumbs(
    state: &AppState,
    scope: &anjian_store::Scope,
    path: &str,
) -> Result<Vec<(i64, String)>, Problem> {
    let ids: Vec<i64> = path.split('/').filter_map(|s| s.parse().ok()).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let all = units::list_ids(&state.db, scope, &ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| {
            all.iter()
                .find(|u| u.id == *id)
                .map(|u| (u.id, u.name.clone()))
        })
        .collect())
}

/// GET /units.
pub async fn units(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<UnitsQuery>,
) -> Result<Response, PageError> {
    let scope = u.directory_scope();
    let search = anjian_core::error::search_term(q.q.as_deref(), 50).unwrap_or_default();
    let kind = q
        .kind
        .clone()
        .filter(|k| !k.is_empty())
        .and_then(|k| UnitKind::parse(&k).ok());
    let parent_id = q
        .parent
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(path_id)
        .transpose()?;
    let rows;
    let mut next = None;
    let mut parent = None;
    let mut crumb = Vec::new();
    if search.is_empty() && kind.is_none() {
        if let Some(p) = parent_id {
            let pu = units::get(&state.db, &scope, p).await?;
            crumb = crumbs(&state, &scope, &pu.path).await?;
            parent = Some(pu);
        }
        let page = units::children(&state.db, &scope, parent_id, q.after).await?;
        rows = page.rows.iter().map(|(x, n)| row(x, *n)).collect();
        next = page.next_after.map(|a| match parent_id {
            Some(p) => format!("/units?parent={p}&after={a}"),
            None => format!("/units?after={a}"),
        });
    } else {
        let f = UnitFilter {
            after: q.after,
            limit: 100,
            search: (!search.is_empty()).then(|| search.clone()),
            kind,
            parent: None,
            include_inactive: true,
        };
        let found = units::list(&state.db, &scope, &f).await?;
        if found.len() == 100 {
            next = found.last().map(|l| {
                format!(
                    "/units?q={}&kind={}&after={}",
                    crate::auth::urlencode(&search),
                    kind.map(|k| k.as_str()).unwrap_or(""),
                    l.id
                )
            });
        }
        rows = found.iter().map(|x| row(x, -1)).collect();
    }
    Ok(render(&UnitsPage {
        layout: Layout::of(&u),
        sector_note: matches!(
            scope,
            anjian_store::Scope::Subtree {
                sector_supervisor: true,
                ..
            }
        ),
        can_edit: u.role().can_edit_directory(),
        search,
        kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
        kinds: kind_options(),
        parent,
        crumbs: crumb,
        rows,
        next,
    }))
}

fn row(u: &anjian_store::directory::Unit, children: i64) -> UnitRow {
    UnitRow {
        id: u.id,
        name: u.name.clone(),
        code: u.code.clone(),
        kind_label: u.kind().label(),
        supervises: u.supervises_safety == 1,
        active: u.active == 1,
        children: children.max(0),
    }
}

/// The values of the unit form.
#[derive(Default, Clone)]
pub struct UnitFields {
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub supervises: bool,
    pub aliases: String,
    pub sectors: String,
}

/// The unit page.
#[derive(Template)]
#[template(path = "unit.html")]
pub struct UnitPage {
    pub layout: Option<Layout>,
    pub id: i64,
    pub name: String,
    pub code: String,
    pub kind_label: &'static str,
    pub short_name: String,
    pub supervises: bool,
    pub active: bool,
    pub aliases: String,
    pub sectors: String,
    pub child_count: i64,
    /// The parent: id, name, and whether it is in the reader's scope (linked only then).
    pub parent: Option<(i64, String, bool)>,
    pub crumbs: Vec<(i64, String)>,
    pub can_edit: bool,
    pub f: UnitFields,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub flash: Option<String>,
    pub error: Option<String>,
}

async fn unit_page(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    id: i64,
    flash: Option<String>,
    error: Option<String>,
    form: Option<UnitFields>,
) -> Result<Response, PageError> {
    let scope = u.directory_scope();
    let d = units::detail(&state.db, &scope, id).await?;
    let mut crumb = crumbs(state, &scope, &d.unit.path).await?;
    crumb.pop();
    let fields = UnitFields {
        code: d.unit.code.clone(),
        name: d.unit.name.clone(),
        short_name: d.unit.short_name.clone().unwrap_or_default(),
        kind: d.unit.kind.clone(),
        supervises: d.unit.supervises_safety == 1,
        aliases: d.aliases.join("、"),
        sectors: d.sectors.join("、"),
    };
    let mut r = render(&UnitPage {
        layout: Layout::of(u),
        id,
        name: d.unit.name.clone(),
        code: d.unit.code.clone(),
        kind_label: d.unit.kind().label(),
        short_name: d.unit.short_name.clone().unwrap_or_else(|| "—".into()),
        supervises: d.unit.supervises_safety == 1,
        active: d.unit.active == 1,
        aliases: if d.aliases.is_empty() {
            "—".into()
        } else {
            d.aliases.join("、")
        },
        sectors: if d.sectors.is_empty() {
            "—".into()
        } else {
            d.sectors.join("、")
        },
        child_count: d.child_count,
        parent: d.parent.map(|p| {
            let linked = crumb.iter().any(|c| c.0 == p.id);
            (p.id, p.name, linked)
        }),
        crumbs: crumb,
        can_edit: u.role().can_edit_directory(),
        f: form.unwrap_or(fields),
        kinds: kind_options(),
        flash,
        error: error.clone(),
    });
    if error.is_some() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// GET /units/{id}.
pub async fn unit(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageQuery(fl): PageQuery<Done>,
) -> Result<Response, PageError> {
    let flash = fl.ok.map(|k| {
        match k.as_str() {
            "created" => "单位已创建",
            "saved" => "已保存",
            "moved" => "已调整上级",
            _ => "操作成功",
        }
        .to_string()
    });
    unit_page(&state, &u, path_id(&id)?, flash, None, None).await
}

/// The unit form as submitted.
#[derive(Deserialize)]
pub struct UnitForm {
    code: String,
    name: String,
    #[serde(default)]
    short_name: String,
    kind: String,
    supervises_safety: Option<String>,
    #[serde(default)]
    aliases: String,
    #[serde(default)]
    sectors: String,
    parent_code: Option<String>,
}

impl UnitForm {
    fn fields(&self) -> UnitFields {
        UnitFields {
            code: self.code.clone(),
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            kind: self.kind.clone(),
            supervises: self.supervises_safety.is_some(),
            aliases: self.aliases.clone(),
            sectors: self.sectors.clone(),
        }
    }
    fn draft(&self) -> Result<UnitDraft, anjian_core::FieldError> {
        UnitDraft::parse(
            &self.code,
            &self.name,
            &self.short_name,
            &self.kind,
            self.supervises_safety.is_some(),
            &self.aliases,
            &self.sectors,
        )
    }
}

/// POST /units/{id}.
pub async fn update(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<UnitForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let result = match f.draft() {
        Ok(d) => units::update(
            &state.db,
            state.now(),
            &u.actor(),
            &u.directory_scope(),
            id,
            &d,
        )
        .await
        .map_err(Problem::from),
        Err(e) => Err(e.into()),
    };
    let fields = f.fields();
    let done = result.map(|_| format!("/units/{id}?ok=saved"));
    after_form(done, |msg| {
        unit_page(&state, &u, id, None, Some(msg), Some(fields))
    })
    .await
}

#[derive(Deserialize)]
pub struct MoveForm {
    parent_code: String,
}

/// POST /units/{id}/move.
pub async fn move_unit(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<MoveForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let parent = units::by_code(&state.db, f.parent_code.trim()).await?;
    let result = match parent {
        Some(p) => units::move_to(
            &state.db,
            state.now(),
            &u.actor(),
            &u.directory_scope(),
            id,
            p.id,
        )
        .await
        .map_err(Problem::from),
        None => Err(Problem::bad_field(
            "parent_not_found",
            "parent",
            "找不到该编码的上级单位",
        )),
    };
    let done = result.map(|_| format!("/units/{id}?ok=moved"));
    after_form(done, |msg| unit_page(&state, &u, id, None, Some(msg), None)).await
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: String,
}

/// POST /units/{id}/active.
pub async fn set_active(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ActiveForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let result = units::set_active(
        &state.db,
        state.now(),
        &u.actor(),
        &u.directory_scope(),
        id,
        f.active == "1",
    )
    .await;
    let done = result
        .map(|_| format!("/units/{id}?ok=saved"))
        .map_err(Problem::from);
    after_form(done, |msg| unit_page(&state, &u, id, None, Some(msg), None)).await
}

/// The new-unit page.
#[derive(Template)]
#[template(path = "unit_new.html")]
pub struct NewUnitPage {
    pub layout: Option<Layout>,
    pub parent_code: String,
    pub f: UnitFields,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub error: Option<String>,
}

#[derive(Deserialize)]
pub struct NewQuery {
    parent: Option<String>,
}

/// GET /units/new.
pub async fn new_unit(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<NewQuery>,
) -> Result<Response, PageError> {
    authz::require(&u.actor(), Role::can_edit_directory)?;
    let parent_code = match q.parent.as_deref().map(path_id).transpose()? {
        Some(p) => units::get(&state.db, &u.directory_scope(), p).await?.code,
        None => String::new(),
    };
    Ok(render(&NewUnitPage {
        layout: Layout::of(&u),
        parent_code,
        f: UnitFields {
            kind: "enterprise".into(),
            ..Default::default()
        },
        kinds: kind_options(),
        error: None,
    }))
}

/// POST /units.
pub async fn create(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<UnitForm>,
) -> Result<Response, PageError> {
    let parent_code = f.parent_code.clone().unwrap_or_default().trim().to_string();
    let result: Result<_, Problem> = async {
        let draft = f.draft()?;
        let parent = if parent_code.is_empty() {
            None
        } else {
            Some(
                units::by_code(&state.db, &parent_code)
                    .await?
                    .ok_or_else(|| {
                        Problem::bad_field("parent_not_found", "parent", "找不到该编码的上级单位")
                    })?
                    .id,
            )
        };
        Ok(units::create(
            &state.db,
            state.now(),
            &u.actor(),
            &u.directory_scope(),
            &draft,
            parent,
        )
        .await?)
    }
    .await;
    match result {
        Ok(unit) => Ok(Redirect::to(&format!("/units/{}?ok=created", unit.id)).into_response()),
        Err(p) if p.status.is_client_error() => {
            let mut r = render(&NewUnitPage {
                layout: Layout::of(&u),
                parent_code,
                f: f.fields(),
                kinds: kind_options(),
                error: Some(flash_of(&p)),
            });
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(p) => Err(p.into()),
    }
}

/// The groups page.
#[derive(Template)]
#[template(path = "groups.html")]
pub struct GroupsPage {
    pub layout: Option<Layout>,
    pub can_edit: bool,
    pub kinds: Vec<(&'static str, &'static str)>,
    /// The form's values, as typed.
    pub f: GroupForm,
    pub error: Option<String>,
    pub groups: Vec<(i64, String, String)>,
    pub selected: String,
    pub members: Option<Vec<(i64, String)>>,
}

async fn groups_page(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    selected: Option<i64>,
) -> Result<Response, PageError> {
    groups_page_with(state, u, selected, Default::default(), None).await
}

async fn groups_page_with(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    selected: Option<i64>,
    f: GroupForm,
    error: Option<String>,
) -> Result<Response, PageError> {
    let gs = groups::list(&state.db, &u.actor()).await?;
    let rule = |g: &groups::Group| match (&g.rule_kind, g.rule_supervises_safety) {
        (Some(k), Some(1)) => format!(
            "全部{}中负有安全生产监管职责的",
            UnitKind::parse(k).map(|k| k.label()).unwrap_or("")
        ),
        (Some(k), _) => format!(
            "全部{}",
            UnitKind::parse(k).map(|k| k.label()).unwrap_or("")
        ),
        (None, _) => "指定单位".to_string(),
    };
    let mut name = String::new();
    let members = match selected {
        Some(id) => {
            let g = gs
                .iter()
                .find(|g| g.id == id)
                .ok_or_else(Problem::not_found)?;
            name = g.name.clone();
            Some(
                groups::members(&state.db, &u.directory_scope(), id)
                    .await?
                    .into_iter()
                    .map(|m| (m.id, m.name))
                    .collect(),
            )
        }
        None => None,
    };
    let mut r = render(&GroupsPage {
        layout: Layout::of(u),
        can_edit: u.role().can_edit_directory(),
        kinds: kind_options(),
        f,
        error: error.clone(),
        groups: gs.iter().map(|g| (g.id, g.name.clone(), rule(g))).collect(),
        selected: name,
        members,
    });
    if error.is_some() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// The group form.
#[derive(Deserialize, Default, Clone)]
pub struct GroupForm {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    rule_kind: String,
    rule_supervises_safety: Option<String>,
    #[serde(default)]
    members: String,
    #[serde(default)]
    aliases: String,
}

/// POST /groups: the office creates a group by rule or by member codes.
pub async fn create_group(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<GroupForm>,
) -> Result<Response, PageError> {
    let result: Result<i64, Problem> = async {
        let draft = GroupDraft::parse(
            &f.name,
            &f.description,
            &f.rule_kind,
            f.rule_supervises_safety.is_some(),
            &f.aliases,
        )?;
        let mut members = Vec::new();
        if draft.rule.is_none() {
            let codes = anjian_core::unit::split_list("members", "成员单位编码", &f.members)?;
            let found = units::ids_by_codes(&state.db, &codes).await?;
            if let Some(missing) = codes
                .iter()
                .find(|c| !found.iter().any(|(code, _)| code == *c))
            {
                return Err(Problem::bad_field(
                    "member_not_found",
                    "members",
                    format!("找不到编码为 {missing} 的单位"),
                ));
            }
            members = found.into_iter().map(|(_, id)| id).collect();
        }
        Ok(
            crate::shared::directory::save_group(&state, &u, &draft, members)
                .await?
                .id,
        )
    }
    .await;
    let form = f.clone();
    after_form(result.map(|id| format!("/groups/{id}")), |msg| {
        groups_page_with(&state, &u, None, form, Some(msg))
    })
    .await
}

/// GET /groups.
pub async fn groups(
    State(state): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    groups_page(&state, &u, None).await
}

/// GET /groups/{id}.
pub async fn group(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    groups_page(&state, &u, Some(path_id(&id)?)).await
}

/// The import page, with the report of the last upload.
#[derive(Template)]
#[template(path = "import.html")]
pub struct ImportPage {
    pub layout: Option<Layout>,
    /// Created, updated, unchanged.
    pub result: Option<(usize, usize, usize)>,
    pub problems: Vec<RowProblem>,
}

/// GET /directory/import.
pub async fn import_page(PageUser(u): PageUser) -> Result<Response, PageError> {
    authz::require(&u.actor(), Role::can_edit_directory)?;
    Ok(render(&ImportPage {
        layout: Layout::of(&u),
        result: None,
        problems: Vec::new(),
    }))
}

/// POST /directory/import (multipart, field `file`).
pub async fn import(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    mut form: Multipart,
) -> Result<Response, PageError> {
    authz::require(&u.actor(), Role::can_edit_directory)?;
    let bytes = Some(crate::upload::file_field(&mut form).await?)
        .filter(|b| !b.is_empty())
        .ok_or_else(|| Problem::bad_field("file_required", "file", "请选择要导入的 .xlsx 文件"))?;
    let report = sheet::import(&state.db, state.now(), &u.actor(), &bytes).await?;
    let status = if report.problems.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(&ImportPage {
        layout: Layout::of(&u),
        result: Some((report.created, report.updated, report.unchanged)),
        problems: report.problems,
    });
    *r.status_mut() = status;
    Ok(r)
}

fn xlsx(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                crate::download::attachment(name),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// GET /directory/export.xlsx: the units in scope.
pub async fn export(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    // Asked before the step-up (the store's export asks again).
    authz::require(&u.actor(), Role::can_read_directory)?;
    if let Some(r) = super::second_factor::export_gate(&state, &u, &uri) {
        return Ok(r);
    }
    let rows = sheet::export(&state.db, &u.actor(), &u.directory_scope()).await?;
    let bytes = write_sheet(&rows).map_err(|_| {
        Problem::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "xlsx",
            "生成表格失败",
        )
    })?;
    Ok(xlsx(bytes, "单位名录.xlsx"))
}

/// GET /directory/template.xlsx: the empty import template.
pub async fn template(PageUser(_u): PageUser) -> Result<Response, PageError> {
    let bytes = write_sheet(&[]).map_err(|_| {
        Problem::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "xlsx",
            "生成表格失败",
        )
    })?;
    Ok(xlsx(bytes, "单位名录导入模板.xlsx"))
}
