//! Supervision and unannounced visits: plan one, enter findings on site from a phone
//! (each becomes a hazard in the visited unit's ledger), record it with its report,
//! mark findings for exposure. An unannounced visit is invisible to its targets until
//! it is recorded.

use anjian_core::hazard::HazardInput;
use anjian_core::visit::Kind;
use anjian_store::visits::{self, VisitDetail, VisitRow};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Layout, Notice, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render_form};
use crate::input::path_id;
use crate::upload::PhotoForm;

type User = anjian_store::accounts::SessionUser;

/// The label of a stored kind.
pub fn kind_label(s: &str) -> &'static str {
    Kind::parse(s).map(|k| k.label()).unwrap_or("—")
}

/// The Chinese label of a finding's case status.
pub fn status_label(s: &str) -> &'static str {
    <anjian_core::case::Status as anjian_core::machine::States>::label_of(s)
}

/// The visits page: the list and the planning form.
#[derive(Template)]
#[template(path = "visits.html")]
pub struct VisitsPage {
    pub layout: Option<Layout>,
    pub visits: Vec<VisitRow>,
    /// The next page of the visits, when this one is full.
    pub next: Option<String>,
    /// The units the form offers (those whose name holds `q`, when given).
    pub units: Vec<(i64, String)>,
    /// More units matched than the form offers: it asks for a name.
    pub more_units: bool,
    pub q: String,
    pub shown: usize,
    pub error: Option<String>,
}

/// How many visits the page lists at a time.
const VISITS_SHOWN: i64 = 100;

/// `?after=&q=`: the visits after visit `after` (the next page), and the name that
/// narrows the units the planning form offers.
#[derive(Deserialize, Default)]
pub struct VisitsQuery {
    pub after: Option<i64>,
    pub q: Option<String>,
}

async fn visits_page(
    state: &AppState,
    u: &User,
    VisitsQuery { after, q }: VisitsQuery,
    error: Option<String>,
) -> Result<Response, PageError> {
    let scope = u.scope();
    // A name is short: a longer query string is cut to the form's own bound.
    let q: Option<String> = q.map(|q| q.chars().take(100).collect());
    let page = anjian_store::paging::Page {
        after,
        limit: VISITS_SHOWN,
    };
    let visits = visits::list(&state.db, &scope, Some(u.unit_id), page).await?;
    let next = page.next(&visits, |v| {
        crate::input::link_with(
            "/visits",
            &[("after", Some(&v.id.to_string())), ("q", q.as_deref())],
        )
    });
    let (units, more_units) =
        visits::reachable(&state.db, &u.actor(), &scope, q.as_deref()).await?;
    let refused = error.is_some();
    Ok(render_form(
        &VisitsPage {
            layout: Layout::of(u),
            visits,
            next,
            units,
            more_units,
            q: q.unwrap_or_default(),
            shown: visits::REACHABLE_SHOWN,
            error,
        },
        refused,
    ))
}

/// GET /visits.
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<VisitsQuery>,
) -> Result<Response, PageError> {
    visits_page(&state, &u, q, None).await
}

/// The planning form; `targets` repeats.
#[derive(Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub targets: String,
}

/// POST /visits: plans a visit (targets: unit ids separated by commas).
pub async fn create(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<PlanForm>,
) -> Result<Response, PageError> {
    let result = async {
        let plan = anjian_core::visit::check(&f.kind, &f.title, &f.team, &f.starts_on, &f.ends_on)?;
        let targets: Vec<i64> = f
            .targets
            .split([',', '，', ' '])
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse::<i64>())
            .collect::<Result<_, _>>()
            .map_err(|_| anjian_core::FieldError::new("invalid_unit", "targets", "检查对象无效"))?;
        let id = visits::plan(
            &state.db,
            state.now(),
            &u.actor(),
            &u.scope(),
            &plan,
            &targets,
        )
        .await?;
        Ok::<_, Problem>(format!("/visits/{id}"))
    }
    .await;
    after_form(result, |msg| {
        visits_page(&state, &u, VisitsQuery::default(), Some(msg))
    })
    .await
}

/// A visit's page: targets, findings with progress, and the planner's forms.
#[derive(Template)]
#[template(path = "visit.html")]
pub struct VisitPage {
    pub layout: Option<Layout>,
    pub v: VisitDetail,
    pub planner: bool,
    pub sectors: Vec<String>,
    pub today: String,
    pub flash: Option<String>,
    pub error: Option<String>,
}

async fn visit_page(
    state: &AppState,
    u: &User,
    id: i64,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let v = visits::get(&state.db, &u.scope(), Some(u.unit_id), id).await?;
    let sectors = anjian_store::hazards::sectors(&state.db)
        .await?
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    let refused = error.is_some();
    Ok(render_form(
        &VisitPage {
            layout: Layout::of(u),
            planner: v.visit.unit_id == u.unit_id,
            v,
            sectors,
            today: state.today().format("%Y-%m-%d").to_string(),
            flash,
            error,
        },
        refused,
    ))
}

/// GET /visits/{id}.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    super::PageQuery(d): super::PageQuery<super::Done>,
) -> Result<Response, PageError> {
    let flash = d.ok.map(|k| {
        match k.as_str() {
            "finding" => "问题已录入并交办被检查单位",
            "recorded" => "检查已记录",
            _ => "曝光标记已更新",
        }
        .to_string()
    });
    visit_page(&state, &u, path_id(&id)?, Notice::flash(flash)).await
}

/// A finding entered on site.
#[derive(Deserialize)]
pub struct FindingForm {
    #[serde(default)]
    pub unit: String,
    #[serde(flatten)]
    pub hazard: HazardInput,
}

/// POST /visits/{id}/findings (multipart, with `photos` taken on site): a finding
/// becomes a hazard of the visited unit.
pub async fn finding(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PhotoForm { form: f, photos }: PhotoForm<FindingForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let result = async {
        let unit =
            f.unit.trim().parse::<i64>().map_err(|_| {
                anjian_core::FieldError::new("required", "unit", "请选择被检查单位")
            })?;
        anjian_store::hazards::precheck(&state.db, state.now(), &f.hazard).await?;
        let photos = crate::upload::store(&state, &photos).await?;
        visits::add_finding(
            &state.db,
            state.now(),
            &u.actor(),
            id,
            unit,
            anjian_store::hazards::Finding {
                input: &f.hazard,
                photos: &photos,
            },
        )
        .await?;
        Ok::<_, Problem>(format!("/visits/{id}?ok=finding"))
    }
    .await;
    after_form(result, |msg| visit_page(&state, &u, id, Notice::error(msg))).await
}

/// The record form.
#[derive(Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    pub report: String,
}

/// POST /visits/{id}/record: the planner records the visit; its targets now see it.
pub async fn record(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<RecordForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let result = visits::record(&state.db, state.now(), &u.actor(), id, &f.report)
        .await
        .map(|_| format!("/visits/{id}?ok=recorded"))
        .map_err(Problem::from);
    after_form(result, |msg| visit_page(&state, &u, id, Notice::error(msg))).await
}

/// POST /visits/{id}/findings/{hazard}/expose (`expose=1` marks, anything else clears).
#[derive(Deserialize)]
pub struct ExposeForm {
    #[serde(default)]
    pub expose: String,
}

/// Marks or clears a finding for exposure in bulletins.
pub async fn expose(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, hazard)): Path<(String, String)>,
    PageForm(f): PageForm<ExposeForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    visits::expose(
        &state.db,
        state.now(),
        &u.actor(),
        id,
        path_id(&hazard)?,
        f.expose == "1",
    )
    .await?;
    Ok(Redirect::to(&format!("/visits/{id}?ok=exposed")).into_response())
}
