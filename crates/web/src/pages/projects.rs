//! The projects' pages (measure 七 and 八): the register with its flags, a project's
//! dated steps, 三同时 checklist, contracting chain and notices, and the (70) 回头看
//! reviews with their results.

use anjian_core::project::{Check, Step, Verdict, Works};
use anjian_store::contracts::{self, ContractRow, NewContract};
use anjian_store::projects::reviews::{self, NewReview, ResultInput, ReviewDetail, ReviewRow};
use anjian_store::projects::{
    self, CheckInput, NewProject, ProjectDetail, ProjectFilter, ProjectPatch, ProjectRow, StepInput,
};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Layout, Notice, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render_form};

type User = anjian_store::accounts::SessionUser;

/// The project register.
#[derive(Template)]
#[template(path = "projects.html")]
pub struct ProjectsPage {
    pub layout: Option<Layout>,
    pub projects: Vec<ProjectRow>,
    pub flagged: bool,
    /// The owners (enterprises and SOEs) the register form offers.
    pub choice: super::EnterpriseChoice,
    pub sectors: Vec<String>,
    pub approvers: Vec<(i64, String)>,
    pub works: Vec<(&'static str, &'static str)>,
    pub enterprise: bool,
    /// For an enterprise's account: its related units (item (76)).
    pub related: Vec<anjian_store::contracts::Related>,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// `?flagged=1&before=&ok=&find=` (`find` narrows the form's owners).
#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub flagged: Option<String>,
    pub before: Option<i64>,
    pub ok: Option<String>,
    pub find: Option<String>,
}

async fn register(
    state: &AppState,
    u: &User,
    q: &ListQuery,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let flagged = q.flagged.as_deref().is_some_and(|f| !f.is_empty());
    let list = projects::list(
        &state.db,
        &u.scope(),
        &ProjectFilter {
            flagged,
            owner: None,
            before: q.before,
        },
    )
    .await?;
    let refused = error.is_some();
    Ok(render_form(
        &ProjectsPage {
            layout: Layout::of(u),
            projects: list,
            flagged,
            choice: if u.role().is_enterprise() {
                super::EnterpriseChoice::default()
            } else {
                let keep = if flagged {
                    vec![("flagged", "1".to_string())]
                } else {
                    Vec::new()
                };
                super::enterprise_choice(
                    state,
                    &u.scope(),
                    &["enterprise", "soe"],
                    q.find.as_deref(),
                    ("/projects", keep),
                )
                .await?
            },
            sectors: anjian_store::hazards::sectors(&state.db)
                .await?
                .into_iter()
                .map(|(_, s)| s)
                .collect(),
            approvers: projects::approvers(&state.db).await?,
            works: Works::ALL.iter().map(|w| (w.as_str(), w.label())).collect(),
            enterprise: u.role().is_enterprise(),
            related: if u.role().is_enterprise() {
                contracts::related(&state.db, u.unit_id).await?
            } else {
                Vec::new()
            },
            flash,
            error,
        },
        refused,
    ))
}

/// GET /projects.
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<ListQuery>,
) -> Result<Response, PageError> {
    let notice = Notice::flash(q.ok.as_ref().map(|_| "已保存".to_string()));
    register(&state, &u, &q, notice).await
}

/// The register form.
#[derive(Deserialize, Default)]
pub struct ProjectForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub works: String,
    #[serde(default)]
    pub crowded: String,
    #[serde(default)]
    pub approver: String,
    #[serde(default)]
    pub batch_approval: String,
}

/// POST /projects.
pub async fn create(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<ProjectForm>,
) -> Result<Response, PageError> {
    let n = NewProject {
        name: f.name,
        owner: f.owner.trim().parse().ok(),
        industry: f.industry,
        works: f.works,
        crowded: !f.crowded.is_empty(),
        approver: f.approver.trim().parse().ok(),
        batch_approval: !f.batch_approval.is_empty(),
    };
    let result = async {
        let id = projects::create(&state.db, state.now(), &u.actor(), &u.scope(), &n).await?;
        Ok::<_, Problem>(format!("/projects/{id}?ok=1"))
    }
    .await;
    let fresh = ListQuery::default();
    after_form(result, |e| register(&state, &u, &fresh, Notice::error(e))).await
}

/// A project's page.
#[derive(Template)]
#[template(path = "project.html")]
pub struct ProjectPage {
    pub layout: Option<Layout>,
    pub p: ProjectDetail,
    pub contracts: Vec<ContractRow>,
    pub steps: Vec<(&'static str, &'static str)>,
    pub checks: Vec<(&'static str, &'static str)>,
    pub today: String,
    pub flash: Option<String>,
    pub error: Option<String>,
}

async fn page(
    state: &AppState,
    u: &User,
    id: &str,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(id)?;
    let p = projects::get(&state.db, &u.scope(), id).await?;
    let contracts = contracts::list(&state.db, &u.scope(), id).await?;
    let refused = error.is_some();
    Ok(render_form(
        &ProjectPage {
            layout: Layout::of(u),
            p,
            contracts,
            steps: Step::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
            checks: Check::ALL.iter().map(|c| (c.as_str(), c.label())).collect(),
            today: state.today().to_string(),
            flash,
            error,
        },
        refused,
    ))
}

/// GET /projects/{id}.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<super::OkQuery>,
) -> Result<Response, PageError> {
    page(
        &state,
        &u,
        &id,
        Notice::flash(q.ok.map(|_| "已保存".to_string())),
    )
    .await
}

/// A step's form.
#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    pub step: String,
    #[serde(default)]
    pub on: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub document: String,
    #[serde(default)]
    pub batch: String,
}

/// POST /projects/{id}/steps.
pub async fn step(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<StepForm>,
) -> Result<Response, PageError> {
    let s = StepInput {
        step: f.step,
        on: f.on,
        body: f.body,
        document: f.document,
        batch: !f.batch.is_empty(),
    };
    let result = async {
        let pid = crate::input::path_id(&id)?;
        projects::record_step(&state.db, state.now(), &u.actor(), &u.scope(), pid, &s).await?;
        Ok::<_, Problem>(format!("/projects/{pid}?ok=1"))
    }
    .await;
    after_form(result, |e| page(&state, &u, &id, Notice::error(e))).await
}

/// A 三同时 item's form.
#[derive(Deserialize, Default)]
pub struct CheckForm {
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub done: String,
    #[serde(default)]
    pub evidence: String,
}

/// POST /projects/{id}/checks (multipart with an evidence file in `photos`, or
/// urlencoded without one).
pub async fn check(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    crate::upload::PhotoForm { form: f, photos }: crate::upload::PhotoForm<CheckForm>,
) -> Result<Response, PageError> {
    let result = async {
        let pid = crate::input::path_id(&id)?;
        // The file is kept once the caller may write the project it belongs to.
        projects::get(&state.db, &u.scope(), pid).await?;
        let stored = crate::upload::store(&state, &photos[..photos.len().min(1)]).await?;
        let patch = ProjectPatch {
            checks: vec![CheckInput {
                item: f.item.clone(),
                done: !f.done.is_empty(),
                evidence: f.evidence.clone(),
                file: stored.into_iter().next(),
            }],
            ..ProjectPatch::default()
        };
        projects::patch(&state.db, state.now(), &u.actor(), &u.scope(), pid, &patch).await?;
        Ok::<_, Problem>(format!("/projects/{pid}?ok=1"))
    }
    .await;
    after_form(result, |e| page(&state, &u, &id, Notice::error(e))).await
}

/// GET /projects/{id}/checks/{item}/file: a 三同时 item's evidence file.
pub async fn check_file(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, item)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let (sha, name, mime) = projects::check_file(&state.db, &u.scope(), id, &item).await?;
    Ok(crate::download::stored(&state, &sha, Some(&mime), &name).await?)
}

/// A contract's form.
#[derive(Deserialize, Default)]
pub struct ContractForm {
    #[serde(default)]
    pub client: String,
    /// The contractor's name as the directory has it.
    #[serde(default)]
    pub contractor_name: String,
    #[serde(default)]
    pub work: String,
    #[serde(default)]
    pub whole: String,
    #[serde(default)]
    pub main_structure: String,
    #[serde(default)]
    pub signed_on: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub grade: String,
    #[serde(default)]
    pub number: String,
    /// The qualification holder's name, if another than the contractor.
    #[serde(default)]
    pub holder_name: String,
    #[serde(default)]
    pub valid_until: String,
}

/// POST /projects/{id}/contracts.
pub async fn contract(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ContractForm>,
) -> Result<Response, PageError> {
    let shown = [&f.category, &f.number, &f.valid_until]
        .iter()
        .any(|v| !v.trim().is_empty());
    let mut c = NewContract {
        client: f.client.trim().parse().ok(),
        contractor: None,
        work: f.work,
        whole: !f.whole.is_empty(),
        main_structure: !f.main_structure.is_empty(),
        signed_on: f.signed_on,
        qualification: shown.then_some(anjian_core::contract::Qualification {
            category: f.category,
            grade: f.grade,
            number: f.number,
            holder: None,
            valid_until: f.valid_until,
        }),
    };
    let result = async {
        let pid = crate::input::path_id(&id)?;
        // The parties typed by name, found in the whole directory.
        let names: Vec<String> = [&f.contractor_name, &f.holder_name]
            .iter()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect();
        let found = anjian_store::workers::enterprises_named(&state.db, &names).await?;
        let id_of = |name: &str, field: &'static str, label: &str| {
            found
                .iter()
                .find(|(_, n)| n == name.trim())
                .map(|(id, _)| *id)
                .ok_or_else(|| {
                    anjian_core::FieldError::new(
                        "unknown_party",
                        field,
                        format!("{label}“{}”不在企业名录中", name.trim()),
                    )
                })
        };
        c.contractor = Some(id_of(&f.contractor_name, "contractor", "承包方")?);
        if !f.holder_name.trim().is_empty()
            && let Some(q) = c.qualification.as_mut()
        {
            q.holder = Some(id_of(
                &f.holder_name,
                "qualification.holder",
                "资质持有单位",
            )?);
        }
        contracts::create(&state.db, state.now(), &u.actor(), &u.scope(), pid, &c).await?;
        Ok::<_, Problem>(format!("/projects/{pid}?ok=1#contracts"))
    }
    .await;
    after_form(result, |e| page(&state, &u, &id, Notice::error(e))).await
}

/// The reviews.
#[derive(Template)]
#[template(path = "project_reviews.html")]
pub struct ReviewsPage {
    pub layout: Option<Layout>,
    pub reviews: Vec<ReviewRow>,
    pub review: Option<ReviewDetail>,
    pub verdicts: Vec<(&'static str, &'static str)>,
    pub can_open: bool,
    pub year_end: String,
    /// The next page of the review's projects.
    pub next: Option<String>,
    /// The next page of the list of reviews.
    pub more_reviews: Option<String>,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// How many of a review's projects its page lists at a time.
const REVIEW_PAGE_ROWS: i64 = 100;

/// How many reviews the page lists at a time.
const REVIEWS_SHOWN: i64 = 50;

async fn reviews_page(
    state: &AppState,
    u: &User,
    id: Option<&str>,
    (after, before): (Option<i64>, Option<i64>),
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let list_page = anjian_store::paging::Page {
        after,
        limit: REVIEWS_SHOWN,
    };
    let list = reviews::list(&state.db, &u.scope(), list_page).await?;
    let more_reviews = list_page.next(&list, |r| format!("/project-reviews?after={}", r.id));
    let review = match id {
        Some(id) => Some(
            reviews::get(
                &state.db,
                &u.scope(),
                crate::input::path_id(id)?,
                anjian_store::paging::Page {
                    after: before,
                    limit: REVIEW_PAGE_ROWS,
                },
            )
            .await?,
        ),
        None => None,
    };
    let next = review.as_ref().and_then(|d| {
        anjian_store::paging::Page::first(REVIEW_PAGE_ROWS).next(&d.items, |last| {
            format!(
                "/project-reviews/{}?before={}",
                d.review.id, last.project_id
            )
        })
    });
    let refused = error.is_some();
    Ok(render_form(
        &ReviewsPage {
            layout: Layout::of(u),
            reviews: list,
            more_reviews,
            review,
            verdicts: Verdict::ALL
                .iter()
                .map(|v| (v.as_str(), v.label()))
                .collect(),
            can_open: u.role().can_enforce(),
            year_end: anjian_core::project::review_due(chrono::Datelike::year(&state.today()))
                .to_string(),
            next,
            flash,
            error,
        },
        refused,
    ))
}

/// `?after=&ok=`: the reviews after review `after` (the next page), and the flash of
/// the action that led to the page.
#[derive(Deserialize, Default)]
pub struct ReviewsQuery {
    pub after: Option<i64>,
    pub ok: Option<String>,
}

/// GET /project-reviews.
pub async fn reviews(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<ReviewsQuery>,
) -> Result<Response, PageError> {
    reviews_page(
        &state,
        &u,
        None,
        (q.after, None),
        Notice::flash(q.ok.map(|_| "已保存".to_string())),
    )
    .await
}

/// `?before=&ok=`: a review's page of projects before project `before`, and the
/// flash of the action that led to it.
#[derive(Deserialize, Default)]
pub struct ReviewPageQuery {
    pub before: Option<i64>,
    pub ok: Option<String>,
}

/// GET /project-reviews/{id}.
pub async fn review(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<ReviewPageQuery>,
) -> Result<Response, PageError> {
    reviews_page(
        &state,
        &u,
        Some(&id),
        (None, q.before),
        Notice::flash(q.ok.map(|_| "已保存".to_string())),
    )
    .await
}

/// The form that opens a review.
#[derive(Deserialize, Default)]
pub struct ReviewForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub due: String,
}

/// POST /project-reviews.
pub async fn open_review(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<ReviewForm>,
) -> Result<Response, PageError> {
    let n = NewReview {
        name: f.name,
        due: f.due,
        projects: Vec::new(),
    };
    let result = async {
        let id = reviews::open(&state.db, state.moment(), &u.actor(), &u.scope(), &n).await?;
        Ok::<_, Problem>(format!("/project-reviews/{id}?ok=1"))
    }
    .await;
    after_form(result, |e| {
        reviews_page(&state, &u, None, (None, None), Notice::error(e))
    })
    .await
}

/// A result's form.
#[derive(Deserialize, Default)]
pub struct ResultForm {
    #[serde(default)]
    pub project: String,
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub due: String,
}

/// POST /project-reviews/{id}/results.
pub async fn result(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ResultForm>,
) -> Result<Response, PageError> {
    let r = ResultInput {
        project: f.project.trim().parse().ok(),
        result: f.result,
        reason: f.reason,
        due: f.due,
    };
    let result = async {
        let rid = crate::input::path_id(&id)?;
        reviews::decide(&state.db, state.moment(), &u.actor(), &u.scope(), rid, &r).await?;
        Ok::<_, Problem>(format!("/project-reviews/{rid}?ok=1"))
    }
    .await;
    after_form(result, |e| {
        reviews_page(&state, &u, Some(&id), (None, None), Notice::error(e))
    })
    .await
}
