//! The enterprise register's pages: the list with filters, registration, import and
//! export through the template; one enterprise with its responsible persons (named,
//! changed, with their history) and its risk card; and each township's public board.

use anjian_core::enterprise::{EnterpriseFields, HEADERS, PersonRole, RiskCard, RiskLevel};
use anjian_store::enterprises::{self, EnterpriseRow};
use anjian_store::responsible::{self, Board, NewPerson, Official, Person};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Layout, Notice, OkQuery, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render, render_form};
use crate::shared::enterprises::EnterpriseQuery;

type User = anjian_store::accounts::SessionUser;

/// The register.
#[derive(Template)]
#[template(path = "enterprises.html")]
pub struct RegisterPage {
    pub layout: Option<Layout>,
    pub rows: Vec<EnterpriseRow>,
    pub townships: Vec<(i64, String)>,
    pub departments: Vec<(i64, String)>,
    pub sectors: Vec<String>,
    /// The township filter as typed (empty for all).
    pub township_value: String,
    pub sector: String,
    pub listed: String,
    /// The next page's `after`, when there is one.
    pub next: Option<i64>,
    pub overloaded: Vec<(Official, i64)>,
    pub ceiling: i64,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// The page's filters (`listed` = `1`, `0` or empty).
#[derive(Deserialize, Default)]
pub struct RegisterQuery {
    pub township: Option<String>,
    pub sector: Option<String>,
    pub listed: Option<String>,
    pub after: Option<i64>,
    pub ok: Option<String>,
}

impl RegisterQuery {
    fn api(&self) -> EnterpriseQuery {
        EnterpriseQuery {
            township: self.township.as_deref().and_then(|t| t.trim().parse().ok()),
            sector: self.sector.clone(),
            listed: match self.listed.as_deref() {
                Some("1") => Some(true),
                Some("0") => Some(false),
                _ => None,
            },
            after: self.after,
            limit: Some(100),
        }
    }
}

async fn register(
    state: &AppState,
    u: &User,
    q: &RegisterQuery,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let scope = u.register_scope()?;
    let scope = scope.clone();
    let api = q.api();
    let rows = enterprises::list(&state.db, &scope, &api.filter()).await?;
    let next = (rows.len() == 100)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    let townships = enterprises::townships(&state.db, &scope).await?;
    let departments = super::unit_choices(state, u, &["department"]).await?;
    let sectors = anjian_store::hazards::sectors(&state.db)
        .await?
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    let overloaded = responsible::overloaded(&state.db, &scope).await?;
    let ceiling = responsible::ceiling(&state.db).await?;
    let refused = error.is_some();
    Ok(render_form(
        &RegisterPage {
            layout: Layout::of(u),
            rows,
            townships,
            departments,
            sectors,
            township_value: api.township.map(|t| t.to_string()).unwrap_or_default(),
            sector: api.sector.unwrap_or_default(),
            listed: q.listed.clone().unwrap_or_default(),
            next,
            overloaded,
            ceiling,
            flash,
            error,
        },
        refused,
    ))
}

/// GET /enterprises.
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<RegisterQuery>,
) -> Result<Response, PageError> {
    let flash = q.ok.as_ref().map(|_| "已保存".to_string());
    register(&state, &u, &q, Notice::flash(flash)).await
}

/// The registration form.
#[derive(Deserialize, Default)]
pub struct EnterpriseForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub credit_code: String,
    #[serde(default)]
    pub township: String,
    #[serde(default)]
    pub sector: String,
    #[serde(default)]
    pub staff: String,
    #[serde(default)]
    pub risk_level: String,
    #[serde(default)]
    pub major_hazards: String,
    #[serde(default)]
    pub supervisor: String,
    #[serde(default)]
    pub listed: String,
    #[serde(default)]
    pub address: String,
}

/// A number typed in a form: empty is none, anything else not a number is -1 (refused
/// by the checks with the field's name).
fn number(raw: &str) -> Option<i64> {
    let t = raw.trim();
    (!t.is_empty()).then(|| t.parse().unwrap_or(-1))
}

/// POST /enterprises.
pub async fn create(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<EnterpriseForm>,
) -> Result<Response, PageError> {
    let scope = u.register_scope()?;
    let result = async {
        let fields = EnterpriseFields {
            name: f.name.clone(),
            credit_code: f.credit_code.clone(),
            township: f.township.trim().parse().ok(),
            sector: f.sector.clone(),
            staff: number(&f.staff),
            risk_level: f.risk_level.clone(),
            major_hazards: number(&f.major_hazards),
            supervisor: f.supervisor.trim().parse().ok(),
            listed: !f.listed.is_empty(),
            address: f.address.clone(),
        };
        let input = fields.check()?;
        let id = enterprises::create(&state.db, state.now(), &u.actor(), &scope, &input).await?;
        Ok::<_, Problem>(format!("/enterprises/{id}?ok=1"))
    }
    .await;
    let blank = RegisterQuery::default();
    after_form(result, |msg| {
        register(&state, &u, &blank, Notice::error(msg))
    })
    .await
}

/// GET /enterprises/template.xlsx: the import template (the header and one example).
pub async fn template(PageUser(u): PageUser) -> Result<Response, PageError> {
    u.register_scope()?;
    let example: Vec<String> = [
        "重庆铜梁某五金制品有限公司",
        "91500224MA5UABCD1H",
        "巴川街道",
        "工贸",
        "25",
        "黄",
        "0",
        "区经济信息委",
        "是",
        "巴川街道某路1号",
    ]
    .map(String::from)
    .to_vec();
    super::xlsx_response(
        "企业名录",
        &HEADERS,
        &[example],
        "企业名录导入模板.xlsx",
        &u.unit_name,
    )
}

/// GET /enterprises.xlsx: the register in scope with the page's filters, in the
/// template's columns (so it can be edited and imported elsewhere).
pub async fn export(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<RegisterQuery>,
) -> Result<Response, PageError> {
    let scope = u.register_scope()?;
    if let Some(r) = super::second_factor::export_gate(&state, &u, &uri) {
        return Ok(r);
    }
    let mut f = q.api().filter();
    f.limit = 1000;
    let mut rows = Vec::new();
    loop {
        let page = enterprises::list(&state.db, &scope, &f).await?;
        let full = page.len() == 1000;
        f.after = page.last().map(|r| r.id);
        rows.extend(page.into_iter().map(|e| {
            vec![
                e.name.clone(),
                e.credit_code.clone(),
                e.township.clone(),
                e.sector.clone(),
                e.staff.to_string(),
                RiskLevel::parse(&e.risk_level)
                    .map_or("", |l| l.label())
                    .chars()
                    .take(1)
                    .collect(),
                e.major_hazards.to_string(),
                e.supervisor.clone().unwrap_or_default(),
                if e.listed { "是" } else { "否" }.to_string(),
                e.address.clone().unwrap_or_default(),
            ]
        }));
        if !full {
            break;
        }
    }
    super::xlsx_response("企业名录", &HEADERS, &rows, "企业名录.xlsx", &u.unit_name)
}

/// POST /enterprises/import (multipart, field `file`): every row or none.
pub async fn import(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let scope = u.register_scope()?;
    let result = async {
        let bytes = crate::upload::file_field(&mut form).await?;
        let rows = anjian_core::enterprise::read_sheet(&bytes)?;
        let scope = scope.clone();
        let towns = enterprises::townships(&state.db, &scope).await?;
        let depts = super::unit_choices(&state, &u, &["department"]).await?;
        let id_of = |list: &[(i64, String)], name: &str| {
            list.iter()
                .find(|(_, n)| n == name.trim())
                .map(|(id, _)| *id)
        };
        let mut inputs = Vec::new();
        for (row, c) in &rows {
            let at = |e: anjian_core::FieldError| {
                Problem::from(anjian_core::FieldError::new(
                    e.code,
                    e.field,
                    format!("第{row}行：{}", e.message),
                ))
            };
            let township = id_of(&towns, &c[2]).ok_or_else(|| {
                at(anjian_core::FieldError::new(
                    "unknown_township",
                    "township",
                    format!("镇街（管委会）“{}”不存在或不在本单位范围内", c[2]),
                ))
            })?;
            let supervisor = if c[7].is_empty() {
                None
            } else {
                Some(id_of(&depts, &c[7]).ok_or_else(|| {
                    at(anjian_core::FieldError::new(
                        "unknown_supervisor",
                        "supervisor",
                        format!("行业主管部门“{}”不存在", c[7]),
                    ))
                })?)
            };
            let fields = EnterpriseFields {
                name: c[0].clone(),
                credit_code: c[1].clone(),
                township: Some(township),
                sector: c[3].clone(),
                staff: number(&c[4]),
                risk_level: c[5].clone(),
                major_hazards: number(&c[6]),
                supervisor,
                listed: anjian_core::enterprise::yes(&c[8]),
                address: c[9].clone(),
            };
            inputs.push(fields.check().map_err(at)?);
        }
        let n = enterprises::import(&state.db, state.now(), &u.actor(), &scope, &inputs).await?;
        Ok::<_, Problem>(format!("/enterprises?ok={n}"))
    }
    .await;
    let blank = RegisterQuery::default();
    after_form(result, |msg| {
        register(&state, &u, &blank, Notice::error(msg))
    })
    .await
}

/// One enterprise.
#[derive(Template)]
#[template(path = "enterprise.html")]
pub struct EnterprisePage {
    pub layout: Option<Layout>,
    pub e: EnterpriseRow,
    pub card: RiskCard,
    pub persons: Vec<Person>,
    pub officials: Vec<Official>,
    pub roles: Vec<(&'static str, &'static str)>,
    pub keeper: bool,
    pub today: String,
    pub flash: Option<String>,
    pub error: Option<String>,
    /// Blacklist entries (黑名单, 联合惩戒), newest first.
    pub blacklist: Vec<anjian_store::blacklist::BlacklistRow>,
    /// Its roster in figures (measure 九), flagged on the page.
    pub workforce: anjian_store::workers::Figures,
}

async fn enterprise(
    state: &AppState,
    u: &User,
    id: i64,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let scope = u.scope();
    let e = enterprises::get(&state.db, &scope, id).await?;
    let persons = responsible::persons(&state.db, &scope, id).await?;
    let is_keeper = u.register_scope().is_ok();
    let officials = if is_keeper {
        responsible::officials(&state.db, &anjian_store::Scope::All).await?
    } else {
        Vec::new()
    };
    let refused = error.is_some();
    let blacklist = anjian_store::blacklist::of_enterprise(&state.db, &scope, e.id).await?;
    let workforce = anjian_store::workers::figures(&state.db, state.today(), e.id).await?;
    Ok(render_form(
        &EnterprisePage {
            blacklist,
            workforce,
            layout: Layout::of(u),
            card: e.risk_card().unwrap_or_default(),
            e,
            persons,
            officials,
            roles: PersonRole::ALL
                .iter()
                .map(|r| (r.as_str(), r.label()))
                .collect(),
            keeper: is_keeper,
            today: state.today().to_string(),
            flash,
            error,
        },
        refused,
    ))
}

/// GET /enterprises/{id}.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<OkQuery>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    enterprise(
        &state,
        &u,
        id,
        Notice::flash(q.ok.map(|_| "已保存".to_string())),
    )
    .await
}

/// The fields of the forms on one enterprise's page (a responsible person, the risk
/// card; listing takes none).
#[derive(Deserialize, Default)]
pub struct EnterpriseAction {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub official: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub from_on: String,
    #[serde(default)]
    pub main_risks: String,
    #[serde(default)]
    pub controls: String,
    #[serde(default)]
    pub emergency_contacts: String,
}

/// A form on an enterprise's page: each posts to its own route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnterpriseStep {
    /// POST /enterprises/{id}/risk-card: the risk card (风险明白卡).
    Card,
    /// POST /enterprises/{id}/listing: listed on the public board.
    Listed,
    /// POST /enterprises/{id}/unlisting: taken off it.
    Unlisted,
    /// POST /enterprises/{id}/persons: a responsible person assigned.
    Person,
}

/// POST /enterprises/{id}/risk-card.
pub async fn set_card(
    state: State<AppState>,
    user: PageUser,
    id: Path<String>,
    form: PageForm<EnterpriseAction>,
) -> Result<Response, PageError> {
    act(state, user, id, form, EnterpriseStep::Card).await
}

/// POST /enterprises/{id}/listing.
pub async fn list_on_board(
    state: State<AppState>,
    user: PageUser,
    id: Path<String>,
    form: PageForm<EnterpriseAction>,
) -> Result<Response, PageError> {
    act(state, user, id, form, EnterpriseStep::Listed).await
}

/// POST /enterprises/{id}/unlisting.
pub async fn unlist(
    state: State<AppState>,
    user: PageUser,
    id: Path<String>,
    form: PageForm<EnterpriseAction>,
) -> Result<Response, PageError> {
    act(state, user, id, form, EnterpriseStep::Unlisted).await
}

/// POST /enterprises/{id}/persons.
pub async fn assign_person(
    state: State<AppState>,
    user: PageUser,
    id: Path<String>,
    form: PageForm<EnterpriseAction>,
) -> Result<Response, PageError> {
    act(state, user, id, form, EnterpriseStep::Person).await
}

async fn act(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<EnterpriseAction>,
    step: EnterpriseStep,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let result = async {
        let scope = u.scope();
        match step {
            EnterpriseStep::Card => {
                let card = RiskCard {
                    main_risks: f.main_risks.clone(),
                    controls: f.controls.clone(),
                    emergency_contacts: f.emergency_contacts.clone(),
                };
                enterprises::set_risk_card(&state.db, state.now(), &u.actor(), &scope, id, card)
                    .await?;
            }
            EnterpriseStep::Listed | EnterpriseStep::Unlisted => {
                u.register_scope()?;
                enterprises::set_listed(
                    &state.db,
                    state.now(),
                    &u.actor(),
                    &scope,
                    id,
                    step == EnterpriseStep::Listed,
                )
                .await?;
            }
            EnterpriseStep::Person => {
                u.register_scope()?;
                let p = NewPerson {
                    role: f.role.clone(),
                    risk: f.risk.clone(),
                    official: f.official.trim().parse().ok(),
                    name: f.name.clone(),
                    title: f.title.clone(),
                    phone: f.phone.clone(),
                    from_on: f.from_on.clone(),
                };
                let (_, load) =
                    responsible::assign(&state.db, state.moment(), &u.actor(), &scope, id, &p)
                        .await?;
                if let Some((n, true)) = load {
                    return Ok(format!("/enterprises/{id}?ok=over{n}"));
                }
            }
        }
        Ok::<_, Problem>(format!("/enterprises/{id}?ok=1"))
    }
    .await;
    after_form(result, |msg| enterprise(&state, &u, id, Notice::error(msg))).await
}

/// The printable risk card.
#[derive(Template)]
#[template(path = "risk_card.html")]
pub struct RiskCardPage {
    pub e: EnterpriseRow,
    pub card: RiskCard,
    /// The blacklist entry holding today, if any (联合惩戒 shown on the card).
    pub blacklisted: Option<anjian_store::blacklist::BlacklistRow>,
}

/// GET /enterprises/{id}/risk-card: one printable page.
pub async fn risk_card(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let e = enterprises::get(&state.db, &u.scope(), id).await?;
    let today = state.today().format("%Y-%m-%d").to_string();
    let blacklisted = anjian_store::blacklist::of_enterprise(&state.db, &u.scope(), id)
        .await?
        .into_iter()
        .find(|b| b.active_on(&today));
    Ok(render(&RiskCardPage {
        card: e.risk_card().unwrap_or_default(),
        e,
        blacklisted,
    }))
}

/// A township's public board.
#[derive(Template)]
#[template(path = "board.html")]
pub struct BoardPage {
    pub board: Board,
}

/// GET /boards/{township_id} (no login): printable.
pub async fn board(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let board = responsible::board(&state.db, id).await?;
    Ok(render(&BoardPage { board }))
}

/// GET /my-enterprise: an enterprise's own account goes to its register page (facts,
/// responsible persons, the risk card it keeps).
pub async fn mine(
    State(state): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    use axum::response::IntoResponse;
    // An enterprise's own account only (the menu's rule).
    anjian_store::authz::require(&u.actor(), anjian_core::role::Role::is_enterprise)?;
    match enterprises::get(&state.db, &u.scope(), u.unit_id).await {
        Ok(_) => Ok(
            axum::response::Redirect::to(&format!("/enterprises/{}", u.unit_id)).into_response(),
        ),
        Err(anjian_store::Error::NotFound) => Ok(render(&NoticePage {
            layout: Layout::of(&u),
            title: "本企业尚未登记",
            message: format!(
                "{}还没有登记到企业名录（统一社会信用代码、行业、从业人数、风险等级等），请联系所在镇街或行业主管部门登记；登记后这里显示本企业信息和风险明白卡。",
                u.unit_name
            ),
        })),
        Err(e) => Err(Problem::from(e).into()),
    }
}

/// A page that only says something (no form, no list).
#[derive(Template)]
#[template(path = "notice.html")]
pub struct NoticePage {
    pub layout: Option<Layout>,
    pub title: &'static str,
    pub message: String,
}
