//! The experts page (专家服务): the pool (the office adds experts and sees their phones),
//! engagements by the caller's unit with the report file, and an engagement's page
//! where its findings are entered as hazards.

use anjian_store::experts::{self, Engagement, Expert, NewEngagement, NewExpert};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Layout, Notice, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render_form};

type User = anjian_store::accounts::SessionUser;

/// The page.
#[derive(Template)]
#[template(path = "experts.html")]
pub struct ExpertsPage {
    pub layout: Option<Layout>,
    /// The pool, each with its phone for the office.
    pub pool: Vec<(Expert, Option<String>)>,
    pub engagements: Vec<Engagement>,
    /// The next page of the engagements, when this one is full.
    pub next: Option<String>,
    /// The enterprises the engagement form offers.
    pub choice: super::EnterpriseChoice,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub office: bool,
    pub today: String,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// How many engagements the page lists at a time.
const ENGAGEMENTS_SHOWN: i64 = 50;

async fn page(
    state: &AppState,
    u: &User,
    (after, find): (Option<i64>, Option<&str>),
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let scope = u.register_scope()?;
    let office = u.role().sees_everything();
    let phones = if office {
        experts::phones(&state.db, &state.config.keyring, &u.actor()).await?
    } else {
        Vec::new()
    };
    let pool = experts::pool(&state.db, &u.actor())
        .await?
        .into_iter()
        .map(|x| {
            let phone = phones
                .iter()
                .find(|(id, _)| *id == x.id)
                .map(|(_, p)| p.clone());
            (x, phone)
        })
        .collect();
    let list_page = anjian_store::paging::Page {
        after,
        limit: ENGAGEMENTS_SHOWN,
    };
    let engagements = experts::engagements(&state.db, &scope, list_page).await?;
    let next = list_page.next(&engagements, |g| format!("/experts?after={}", g.id));
    let choice = super::enterprise_choice(
        state,
        &scope,
        &["enterprise"],
        find,
        ("/experts", Vec::new()),
    )
    .await?;
    let refused = error.is_some();
    Ok(render_form(
        &ExpertsPage {
            layout: Layout::of(u),
            pool,
            engagements,
            next,
            choice,
            kinds: experts::Kind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label()))
                .collect(),
            office,
            today: state.today().to_string(),
            flash,
            error,
        },
        refused,
    ))
}

/// `?after=&ok=&find=`: the engagements after engagement `after` (the next page), the
/// flash of the action that led to the page, and what narrows the form's enterprises.
#[derive(Deserialize, Default)]
pub struct OkQuery {
    pub after: Option<i64>,
    pub ok: Option<String>,
    pub find: Option<String>,
}

/// GET /experts.
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<OkQuery>,
) -> Result<Response, PageError> {
    page(
        &state,
        &u,
        (q.after, q.find.as_deref()),
        Notice::flash(q.ok.map(|_| "已保存".to_string())),
    )
    .await
}

/// POST /experts (the office).
pub async fn add(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<NewExpert>,
) -> Result<Response, PageError> {
    let result = async {
        crate::api::experts::add_expert(&state, &u.actor(), &f).await?;
        Ok::<_, Problem>("/experts?ok=1".to_string())
    }
    .await;
    after_form(result, |msg| {
        page(&state, &u, (None, None), Notice::error(msg))
    })
    .await
}

/// The engagement form (multipart: the report in `photos`).
#[derive(Deserialize, Default)]
pub struct EngageForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub enterprise: String,
    #[serde(default)]
    pub on: String,
    #[serde(default)]
    pub conclusion: String,
    /// Expert ids, comma-separated (the checkboxes of the pool join into one field).
    #[serde(default)]
    pub experts: String,
}

/// POST /expert-engagements.
pub async fn engage(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    crate::upload::PhotoForm { form: f, photos }: crate::upload::PhotoForm<EngageForm>,
) -> Result<Response, PageError> {
    let scope = u.register_scope()?;
    let result = async {
        let stored = crate::upload::store(&state, &photos).await?;
        let id = experts::engage(
            &state.db,
            state.moment(),
            &u.actor(),
            &scope,
            &NewEngagement {
                kind: f.kind.clone(),
                subject: f.subject.clone(),
                enterprise: f.enterprise.trim().parse().ok(),
                on: f.on.clone(),
                conclusion: f.conclusion.clone(),
                experts: f
                    .experts
                    .split([',', '，', ' '])
                    .filter_map(|x| x.trim().parse().ok())
                    .collect(),
                report: stored.first().map(|p| p.sha256.clone()),
            },
        )
        .await?;
        Ok::<_, Problem>(format!("/expert-engagements/{id}"))
    }
    .await;
    after_form(result, |msg| {
        page(&state, &u, (None, None), Notice::error(msg))
    })
    .await
}

/// An engagement's page.
#[derive(Template)]
#[template(path = "expert_engagement.html")]
pub struct EngagementPage {
    pub layout: Option<Layout>,
    pub g: Engagement,
    pub findings: Vec<(i64, String, String, String)>,
    /// The caller's unit engaged the experts: it enters the findings.
    pub mine: bool,
    pub sectors: Vec<String>,
    pub today: String,
    pub error: Option<String>,
}

async fn engagement_page(
    state: &AppState,
    u: &User,
    id: i64,
    error: Option<String>,
) -> Result<Response, PageError> {
    let scope = u.register_scope()?;
    let g = experts::engagement(&state.db, &scope, id).await?;
    let findings = experts::findings(&state.db, id).await?;
    let refused = error.is_some();
    Ok(render_form(
        &EngagementPage {
            layout: Layout::of(u),
            mine: g.unit_id == u.unit_id,
            g,
            findings,
            sectors: anjian_store::hazards::sectors(&state.db)
                .await?
                .into_iter()
                .map(|(_, s)| s)
                .collect(),
            today: state.today().to_string(),
            error,
        },
        refused,
    ))
}

/// GET /expert-engagements/{id}.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    engagement_page(&state, &u, id, None).await
}

/// GET /expert-engagements/{id}/report: the report file of an engagement in scope.
pub async fn report(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let scope = u.register_scope()?;
    let id = crate::input::path_id(&id)?;
    let g = experts::engagement(&state.db, &scope, id).await?;
    let sha = g.report_sha256.ok_or_else(Problem::not_found)?;
    super::stored_file(&state, &sha).await
}

/// A finding as the engagement page enters it.
#[derive(Deserialize, Default)]
pub struct FindingForm {
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub sector: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub responsible_person: String,
    #[serde(default)]
    pub funds: String,
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub contingency_plan: String,
}

/// POST /expert-engagements/{id}/findings.
pub async fn finding(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<FindingForm>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let result = async {
        let input = anjian_core::hazard::HazardInput {
            level: f.level.clone(),
            sector: f.sector.clone(),
            place: f.place.clone(),
            description: f.description.clone(),
            measures: f.measures.clone(),
            responsible_person: f.responsible_person.clone(),
            funds: f.funds.clone(),
            deadline: f.deadline.clone(),
            contingency_plan: f.contingency_plan.clone(),
            discovered_on: state.today().to_string(),
            ..Default::default()
        };
        experts::add_finding(
            &state.db,
            state.now(),
            &u.actor(),
            id,
            anjian_store::hazards::Finding {
                input: &input,
                photos: &[],
            },
        )
        .await?;
        Ok::<_, Problem>(format!("/expert-engagements/{id}"))
    }
    .await;
    after_form(result, |msg| engagement_page(&state, &u, id, Some(msg))).await
}
