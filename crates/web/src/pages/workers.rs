//! The roster pages (measure 九): an enterprise's dispatched and flexible workers with
//! their flags, adding one or a sheet; and the sector departments' list of enterprises
//! with flagged workers.

use anjian_core::worker::{Arrangement, WorkerInput};
use anjian_store::workers::{self, FlagFilter, FlaggedEnterprise, Roster, RosterPages};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Layout, Notice, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render_form};

type User = anjian_store::accounts::SessionUser;

/// An enterprise's roster.
#[derive(Template)]
#[template(path = "roster.html")]
pub struct RosterPage {
    pub layout: Option<Layout>,
    pub r: Roster,
    /// The next page of the roster's own workers, when this one is full.
    pub next: Option<String>,
    /// The next page of the workers the agency sent, when this one is full.
    pub more_sent: Option<String>,
    pub arrangements: Vec<(&'static str, &'static str)>,
    pub headers: String,
    pub today: chrono::NaiveDate,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// `?after=&sent_after=&ok=`: the next page of the roster's own workers, or of those
/// an agency sent, and the flash of the action that led to the page.
#[derive(Deserialize, Default)]
pub struct RosterQuery {
    pub after: Option<i64>,
    pub sent_after: Option<i64>,
    pub ok: Option<String>,
}

async fn roster_page(
    state: &AppState,
    u: &User,
    id: &str,
    pages: RosterPages,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(id)?;
    let r = workers::roster(&state.db, &u.scope(), state.today(), id, pages).await?;
    let page = anjian_store::paging::Page::first(workers::ROSTER_PAGE);
    let next = page.next(&r.workers, |w| {
        format!("/enterprises/{id}/workers?after={}", w.id)
    });
    let more_sent = page.next(&r.sent, |w| {
        format!("/enterprises/{id}/workers?sent_after={}#sent", w.id)
    });
    let refused = error.is_some();
    Ok(render_form(
        &RosterPage {
            layout: Layout::of(u),
            r,
            next,
            more_sent,
            arrangements: Arrangement::ALL
                .iter()
                .map(|a| (a.as_str(), a.label()))
                .collect(),
            headers: anjian_core::worker::HEADERS.join("、"),
            today: state.today(),
            flash,
            error,
        },
        refused,
    ))
}

/// GET /enterprises/{id}/workers.
pub async fn roster(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<RosterQuery>,
) -> Result<Response, PageError> {
    let notice = Notice::flash(q.ok.map(|n| format!("已登记{n}人")));
    roster_page(
        &state,
        &u,
        &id,
        RosterPages {
            after: q.after,
            sent_after: q.sent_after,
        },
        notice,
    )
    .await
}

/// A worker's form.
#[derive(Deserialize, Default)]
pub struct WorkerForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub arrangement: String,
    #[serde(default)]
    pub post: String,
    #[serde(default)]
    pub hazardous: String,
    #[serde(default)]
    pub special_operation: String,
    /// The dispatching agency's name as the directory has it.
    #[serde(default)]
    pub agency_name: String,
    #[serde(default)]
    pub trained_on: String,
    #[serde(default)]
    pub training_hours: String,
    #[serde(default)]
    pub exam_passed: String,
    #[serde(default)]
    pub certificate: String,
    #[serde(default)]
    pub certificate_valid_until: String,
}

/// POST /enterprises/{id}/workers.
pub async fn add(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<WorkerForm>,
) -> Result<Response, PageError> {
    let mut w = WorkerInput {
        name: f.name,
        id_number: f.id_number,
        arrangement: f.arrangement,
        post: f.post,
        hazardous: !f.hazardous.is_empty(),
        special_operation: !f.special_operation.is_empty(),
        agency: None,
        trained_on: f.trained_on,
        training_hours: f.training_hours.trim().parse().ok(),
        exam_passed: !f.exam_passed.is_empty(),
        certificate: f.certificate,
        certificate_valid_until: f.certificate_valid_until,
    };
    let result = async {
        let eid = crate::input::path_id(&id)?;
        let name = f.agency_name.trim();
        if !name.is_empty() {
            let found = workers::enterprises_named(&state.db, &[name.to_string()]).await?;
            let (agency, _) = found.first().ok_or_else(|| {
                anjian_core::FieldError::new(
                    "unknown_agency",
                    "agency",
                    format!("劳务派遣单位“{name}”不在企业名录中"),
                )
            })?;
            w.agency = Some(*agency);
        }
        let n = workers::add(
            &state.db,
            &state.config.keyring,
            state.moment(),
            &u.actor(),
            &u.scope(),
            eid,
            &[(1, w)],
        )
        .await?;
        Ok::<_, Problem>(format!("/enterprises/{eid}/workers?ok={n}"))
    }
    .await;
    after_form(result, |e| {
        roster_page(&state, &u, &id, RosterPages::default(), Notice::error(e))
    })
    .await
}

/// POST /enterprises/{id}/workers/import (multipart, field `file`).
pub async fn import(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let result = async {
        let eid = crate::input::path_id(&id)?;
        let bytes = crate::upload::file_field(&mut form).await?;
        let n = crate::shared::workers::import(&state, &u, eid, &bytes).await?;
        Ok::<_, Problem>(format!("/enterprises/{eid}/workers?ok={n}"))
    }
    .await;
    after_form(result, |e| {
        roster_page(&state, &u, &id, RosterPages::default(), Notice::error(e))
    })
    .await
}

/// The sector departments' list.
#[derive(Template)]
#[template(path = "worker_flags.html")]
pub struct FlagsPage {
    pub layout: Option<Layout>,
    pub rows: Vec<FlaggedEnterprise>,
    pub sector: String,
    pub sectors: Vec<String>,
    pub today: String,
}

/// `?sector=&after_count=&after_id=`.
#[derive(Deserialize, Default)]
pub struct FlagQuery {
    pub sector: Option<String>,
    pub after_count: Option<i64>,
    pub after_id: Option<i64>,
}

/// GET /workers/flags.
pub async fn flags(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<FlagQuery>,
) -> Result<Response, PageError> {
    let sector = anjian_core::error::search_term(q.sector.as_deref(), 100).unwrap_or_default();
    let f = FlagFilter {
        sector: Some(sector.clone()),
        after_count: q.after_count,
        after_id: q.after_id,
    };
    let rows = workers::flagged(&state.db, &u.scope(), state.today(), &f).await?;
    Ok(crate::error::render(&FlagsPage {
        layout: Layout::of(&u),
        rows,
        sector,
        sectors: anjian_store::hazards::sectors(&state.db)
            .await?
            .into_iter()
            .map(|(_, s)| s)
            .collect(),
        today: state.today().to_string(),
    }))
}

/// GET /enterprises/{id}/workers.xlsx: the roster in the import's columns, the ID
/// numbers masked as on the page (a sheet leaves the system; the sealed numbers do
/// not).
pub async fn export(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let (name, list) = workers::export(&state.db, &u.scope(), id).await?;
    let yes = |b: bool| if b { "是" } else { "否" }.to_string();
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|w| {
            vec![
                w.name.clone(),
                w.id_masked.clone(),
                w.arrangement_label().to_string(),
                w.post.clone(),
                yes(w.hazardous),
                yes(w.special_operation),
                w.agency_name.clone().unwrap_or_default(),
                w.trained_on.clone().unwrap_or_default(),
                w.training_hours.map(|h| h.to_string()).unwrap_or_default(),
                if w.exam_passed { "合格" } else { "不合格" }.to_string(),
                w.certificate.clone().unwrap_or_default(),
                w.certificate_valid_until.clone().unwrap_or_default(),
            ]
        })
        .collect();
    super::xlsx_response(
        &format!("{name}从业人员名册"),
        &anjian_core::worker::HEADERS,
        &rows,
        "从业人员名册.xlsx",
        &u.unit_name,
    )
}
