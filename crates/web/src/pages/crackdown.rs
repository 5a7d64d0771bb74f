//! 打非治违 pages (issue 19 part 3): the cases in scope with the form to record one, a
//! case with its joint units, history and the step forms its relation allows, and the
//! public exposure board (`/boards/exposures`).

use anjian_core::crackdown::{CaseInput, Crackdown, Stage, Step, StepInput};
use anjian_core::machine::{By, Machine, States};
use anjian_store::crackdown::{self, CaseFilter, CaseRow, CaseView, Exposed};
use anjian_store::scope::Scope;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Layout, Notice, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render, render_form};
use crate::input::path_id;

/// The list page.
#[derive(Template)]
#[template(path = "crackdown.html")]
pub struct CrackdownPage {
    pub layout: Option<Layout>,
    pub rows: Vec<CaseRow>,
    /// The state shown ("" for all).
    pub state: String,
    pub states: Vec<(&'static str, &'static str)>,
    pub next: Option<i64>,
    pub localities: Vec<(i64, String)>,
    /// The enterprises the form offers.
    pub choice: super::EnterpriseChoice,
    pub units: Vec<(i64, String)>,
    pub sources: Vec<(&'static str, &'static str)>,
    pub today: String,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// `?state=&after=&ok=`.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub after: String,
    #[serde(default)]
    pub ok: String,
    /// What narrows the form's enterprises.
    #[serde(default)]
    pub find: String,
}

const PAGE: i64 = 100;

async fn page(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    q: &ListQuery,
    notice: Notice,
) -> Result<Response, PageError> {
    let stage = Stage::parse(q.state.trim());
    let mut rows = crackdown::list(
        &state.db,
        &u.actor(),
        &u.scope(),
        &CaseFilter {
            state: stage,
            after: q.after.trim().parse().ok(),
            limit: PAGE + 1,
        },
    )
    .await?;
    let next = (rows.len() as i64 > PAGE).then(|| {
        rows.truncate(PAGE as usize);
        rows.last().map_or(0, |r| r.id)
    });
    let scope = u.scope();
    let department = matches!(
        scope,
        Scope::Subtree {
            sector_supervisor: true,
            ..
        }
    );
    let choices = anjian_store::directory::units::choices;
    let localities = choices(
        &state.db,
        if department { &Scope::All } else { &scope },
        &["township", "zone_committee"],
        200,
    )
    .await?;
    let keep = if q.state.trim().is_empty() {
        Vec::new()
    } else {
        vec![("state", q.state.trim().to_string())]
    };
    let choice = super::enterprise_choice(
        state,
        &scope,
        &["enterprise"],
        Some(&q.find),
        ("/crackdown", keep),
    )
    .await?;
    let units = choices(
        &state.db,
        &Scope::All,
        &["department", "township", "zone_committee"],
        300,
    )
    .await?;
    let refused = notice.error.is_some();
    Ok(render_form(
        &CrackdownPage {
            layout: Layout::of(u),
            rows,
            state: stage.map_or("", |s| s.as_str()).to_string(),
            states: Stage::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
            next,
            localities,
            choice,
            units,
            sources: crackdown::sources(),
            today: state.today().format("%Y-%m-%d").to_string(),
            flash: notice.flash,
            error: notice.error,
        },
        refused,
    ))
}

/// GET /crackdown.
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<ListQuery>,
) -> Result<Response, PageError> {
    let flash = (q.ok == "opened").then(|| "已登记打非治违案件".to_string());
    page(&state, &u, &q, Notice::flash(flash)).await
}

/// POST /crackdown: the form's fields as pairs (the joint units repeat).
pub async fn open(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let mut input = CaseInput::default();
    for (k, v) in pairs {
        match k.as_str() {
            "locality" => input.locality = v.trim().parse().ok(),
            "place" => input.place = v,
            "subject" => input.subject = v,
            "enterprise" => input.enterprise = v.trim().parse().ok(),
            "facts" => input.facts = v,
            "found_by" => input.found_by = v,
            "found_on" => input.found_on = v,
            "joint_units" => input.joint_units.extend(v.trim().parse::<i64>().ok()),
            _ => {}
        }
    }
    let result = crackdown::open(&state.db, state.moment(), &u.actor(), &u.scope(), &input)
        .await
        .map(|id| format!("/crackdown/{id}?ok=opened"))
        .map_err(Problem::from);
    let fresh = ListQuery::default();
    after_form(result, |e| page(&state, &u, &fresh, Notice::error(e))).await
}

/// A case's page.
#[derive(Template)]
#[template(path = "crackdown_case.html")]
pub struct CasePage {
    pub layout: Option<Layout>,
    pub view: CaseView,
    pub measures: Vec<(&'static str, &'static str)>,
    pub may_measure: bool,
    pub may_close: bool,
    pub may_expose: bool,
    pub today: String,
    pub flash: Option<String>,
    pub error: Option<String>,
}

async fn case_page(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    id: i64,
    notice: Notice,
) -> Result<Response, PageError> {
    let (actor, scope) = (u.actor(), u.scope());
    let view = crackdown::get(&state.db, &actor, &scope, id).await?;
    let by: Vec<By> = view.relation(&actor, &scope);
    let from = Stage::parse(&view.case.state).unwrap_or(Stage::Found);
    let refused = notice.error.is_some();
    Ok(render_form(
        &CasePage {
            layout: Layout::of(u),
            may_measure: Crackdown::may(Step::Measure, from, &by),
            may_close: Crackdown::may(Step::Close, from, &by),
            may_expose: Crackdown::may(Step::Expose, from, &by) && view.case.exposed_on.is_none(),
            view,
            measures: crackdown::measures(),
            today: state.today().format("%Y-%m-%d").to_string(),
            flash: notice.flash,
            error: notice.error,
        },
        refused,
    ))
}

/// `?ok=`.
#[derive(Deserialize, Default)]
pub struct CaseQuery {
    #[serde(default)]
    pub ok: String,
}

/// GET /crackdown/{id}.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<CaseQuery>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let flash = match q.ok.as_str() {
        "opened" => Some("已登记打非治违案件".to_string()),
        "measure" => Some("已记录处置措施".to_string()),
        "close" => Some("已结案".to_string()),
        "expose" => Some("已公开曝光".to_string()),
        _ => None,
    };
    case_page(&state, &u, id, Notice::flash(flash)).await
}

/// The step form.
#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    pub step: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub on: String,
}

/// POST /crackdown/{id}/steps.
pub async fn step(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<StepForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let input = StepInput {
        step: f.step,
        kind: f.kind,
        note: f.note,
        on: f.on,
    };
    let result = crackdown::step(
        &state.db,
        state.moment(),
        &u.actor(),
        &u.scope(),
        id,
        &input,
    )
    .await
    .map(|_| format!("/crackdown/{id}?ok={}", input.step.trim()))
    .map_err(Problem::from);
    after_form(result, |e| case_page(&state, &u, id, Notice::error(e))).await
}

/// The public exposure board.
#[derive(Template)]
#[template(path = "exposures.html")]
pub struct ExposuresPage {
    pub rows: Vec<Exposed>,
    pub next: Option<i64>,
}

/// `?after=`.
#[derive(Deserialize, Default)]
pub struct ExposedQuery {
    #[serde(default)]
    pub after: String,
}

/// GET /boards/exposures: the illegal units the office has exposed (item (85)).
pub async fn exposures(
    State(state): State<AppState>,
    PageQuery(q): PageQuery<ExposedQuery>,
) -> Result<Response, PageError> {
    let mut rows = crackdown::exposed(&state.db, q.after.trim().parse().ok(), 51).await?;
    let next = (rows.len() > 50).then(|| {
        rows.truncate(50);
        rows.last().map_or(0, |r| r.id)
    });
    Ok(render(&ExposuresPage { rows, next }))
}
