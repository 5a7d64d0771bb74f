//! The monthly ranking page: townships or departments ranked under the office's scheme,
//! each score explained part by part, last places and units behind several months
//! marked; the office edits the scheme and recomputes a kept month.

use anjian_core::monthly_report::Month;
use anjian_core::ranking::Part;
use anjian_store::rankings::{self, Kind, Ranking};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Layout, Notice, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render_form};
use crate::input::month_or_last;

type User = anjian_store::accounts::SessionUser;

/// Points in hundredths as shown, 24.50.
pub fn points(p: &i64) -> String {
    format!("{}.{:02}", p / 100, p % 100)
}

/// The ranking page.
#[derive(Template)]
#[template(path = "rankings.html")]
pub struct RankingPage {
    pub layout: Option<Layout>,
    pub month: String,
    pub month_label: String,
    pub kind: &'static str,
    pub ranking: Ranking,
    pub office: bool,
    /// The reader's own unit: its row links to its accountability record (the office's
    /// rows all do).
    pub own: i64,
    pub weights: Vec<(&'static str, &'static str, i64)>,
    pub computed_at: String,
    /// The year's annual-rating vetoes so far.
    pub vetoes: Vec<anjian_store::rankings::AnnualVeto>,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// `?kind=township|department&ok=`.
#[derive(Deserialize, Default)]
pub struct RankingQuery {
    #[serde(default)]
    pub kind: String,
    pub ok: Option<String>,
}

/// The stored name of a part, for the scheme form.
fn part_key(p: Part) -> &'static str {
    match p {
        Part::OnTime => "on_time",
        Part::Rectification => "rectification",
        Part::Overdue => "overdue",
        Part::Enforcement => "enforcement",
        Part::VisitFindings => "visit_findings",
        Part::Accidents => "accidents",
    }
}

async fn page(
    state: &AppState,
    u: &User,
    month: Month,
    kind: Kind,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    u.rankings_scope()?;
    let ranking = rankings::ranking(&state.db, state.now(), state.today(), month, kind).await?;
    let scheme = rankings::scheme(&state.db).await?;
    let weights = Part::ALL
        .into_iter()
        .map(|p| {
            let w = scheme
                .weights
                .iter()
                .find(|(q, _)| *q == p)
                .map(|(_, w)| *w)
                .unwrap_or(0);
            (part_key(p), p.label(), w)
        })
        .collect();
    use chrono::Datelike;
    let vetoes = rankings::annual_vetoes(&state.db, month.first.year()).await?;
    let refused = error.is_some();
    Ok(render_form(
        &RankingPage {
            vetoes,
            layout: Layout::of(u),
            month: month.name(),
            month_label: month.label(),
            kind: kind.as_str(),
            computed_at: anjian_core::time::format_local(ranking.computed_at),
            ranking,
            office: u.role().sees_everything(),
            own: u.unit_id,
            weights,
            flash,
            error,
        },
        refused,
    ))
}

/// `?month=YYYY-MM&kind=`: the ranking page's month picker.
#[derive(Deserialize, Default)]
pub struct PickQuery {
    pub month: Option<String>,
    #[serde(default)]
    pub kind: String,
}

/// GET /rankings: the month picked (`?month=`), or the last month that has ended.
pub async fn latest(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<PickQuery>,
) -> Result<Response, PageError> {
    u.rankings_scope()?;
    let m = month_or_last(&state, q.month.as_deref().filter(|m| !m.is_empty()))?;
    let kind = Kind::parse(&q.kind)?;
    Ok(Redirect::to(&format!("/rankings/{}?kind={}", m.name(), kind.as_str())).into_response())
}

/// GET /rankings/{YYYY-MM}?kind=.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(month): Path<String>,
    PageQuery(q): PageQuery<RankingQuery>,
) -> Result<Response, PageError> {
    let month = Month::parse(&month).map_err(Problem::from)?;
    let kind = Kind::parse(&q.kind)?;
    let flash = q.ok.map(|k| {
        match k.as_str() {
            "scheme" => "评分办法已保存，已重新计算本月排名",
            "veto" => "一票否决已记录，已重新计算本月排名",
            _ => "已重新计算",
        }
        .to_string()
    });
    page(&state, &u, month, kind, Notice::flash(flash)).await
}

/// The scheme form: a weight per part, and where to return.
#[derive(Deserialize, Default)]
pub struct SchemeForm {
    #[serde(default)]
    pub on_time: String,
    #[serde(default)]
    pub rectification: String,
    #[serde(default)]
    pub overdue: String,
    #[serde(default)]
    pub enforcement: String,
    #[serde(default)]
    pub visit_findings: String,
    #[serde(default)]
    pub accidents: String,
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub kind: String,
}

impl SchemeForm {
    fn weights(&self) -> Result<Vec<(Part, i64)>, Problem> {
        let raw = [
            (Part::OnTime, &self.on_time),
            (Part::Rectification, &self.rectification),
            (Part::Overdue, &self.overdue),
            (Part::Enforcement, &self.enforcement),
            (Part::VisitFindings, &self.visit_findings),
            (Part::Accidents, &self.accidents),
        ];
        raw.into_iter()
            .map(|(p, v)| {
                let v = v.trim();
                if v.is_empty() {
                    return Ok((p, 0));
                }
                v.parse::<i64>().map(|w| (p, w)).map_err(|_| {
                    Problem::from(anjian_core::FieldError::new(
                        "invalid_weight",
                        "weights",
                        format!("{}的权重应为0到100的整数", p.label()),
                    ))
                })
            })
            .collect()
    }
}

/// POST /rankings/scheme (office): saves the scheme and recomputes the month shown.
pub async fn set_scheme(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<SchemeForm>,
) -> Result<Response, PageError> {
    let month = month_or_last(&state, Some(&f.month))?;
    let kind = Kind::parse(&f.kind)?;
    let result = async {
        let weights = f.weights()?;
        let shown = (month.first <= state.today()).then_some(month);
        rankings::set_scheme(&state.db, state.now(), &u.actor(), weights, shown).await?;
        Ok::<_, Problem>(format!(
            "/rankings/{}?kind={}&ok=scheme",
            month.name(),
            kind.as_str()
        ))
    }
    .await;
    after_form(result, |msg| {
        page(&state, &u, month, kind, Notice::error(msg))
    })
    .await
}

/// POST /rankings/{YYYY-MM}/recompute (office).
pub async fn recompute(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(month): Path<String>,
    PageForm(f): PageForm<SchemeForm>,
) -> Result<Response, PageError> {
    let month = Month::parse(&month).map_err(Problem::from)?;
    let kind = Kind::parse(&f.kind)?;
    let result = async {
        if month.first > state.today() {
            return Err(Problem::from(anjian_core::FieldError::new(
                "month_not_begun",
                "month",
                format!("{}尚未开始，无法排名", month.label()),
            )));
        }
        rankings::recompute(&state.db, state.moment(), &u.actor(), month).await?;
        Ok(format!(
            "/rankings/{}?kind={}&ok=1",
            month.name(),
            kind.as_str()
        ))
    }
    .await;
    after_form(result, |msg| {
        page(&state, &u, month, kind, Notice::error(msg))
    })
    .await
}

/// The veto form.
#[derive(Deserialize, Default)]
pub struct VetoForm {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub kind: String,
}

/// POST /rankings/{YYYY-MM}/veto (office): a one-vote veto of a unit for the month.
pub async fn veto(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(month): Path<String>,
    PageForm(f): PageForm<VetoForm>,
) -> Result<Response, PageError> {
    let month = Month::parse(&month).map_err(Problem::from)?;
    let kind = Kind::parse(&f.kind)?;
    let result = rankings::set_veto(
        &state.db,
        state.moment(),
        &u.actor(),
        month,
        f.unit.trim().parse().ok(),
        &f.reason,
    )
    .await
    .map(|_| format!("/rankings/{}?kind={}&ok=veto", month.name(), kind.as_str()))
    .map_err(Problem::from);
    after_form(result, |msg| {
        page(&state, &u, month, kind, Notice::error(msg))
    })
    .await
}
