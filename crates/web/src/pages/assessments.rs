//! The annual assessment page (年度考核): the year's table of townships and departments
//! with each part's score and explanation, the vetoes, the office's scheme and
//! adjustments, and the table as .xlsx and as an official .docx.

use anjian_core::assessment::PartKind;
use anjian_store::assessments::{self, Assessment};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;

use super::{Layout, Notice, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render_form};

type User = anjian_store::accounts::SessionUser;

/// The page.
#[derive(Template)]
#[template(path = "assessments.html")]
pub struct AssessmentPage {
    pub layout: Option<Layout>,
    pub a: Assessment,
    pub office: bool,
    /// Each part with its weight in the scheme (0 when left out), for the office's form.
    pub weights: Vec<(PartKind, i64)>,
    pub units: Vec<(i64, String)>,
    pub flash: Option<String>,
    pub error: Option<String>,
}

impl AssessmentPage {
    /// The two tables: townships, then departments.
    pub fn tables(&self) -> [(&'static str, &[anjian_store::assessments::Assessed]); 2] {
        [
            ("镇街", &self.a.townships),
            ("区级部门", &self.a.departments),
        ]
    }
}

/// `?year=` (default this year) and `?ok=`.
#[derive(Deserialize, Default)]
pub struct YearQuery {
    pub year: Option<String>,
    pub ok: Option<String>,
}

/// A year typed in a path or a query (field `year`).
pub fn year_of(raw: &str) -> Result<i32, Problem> {
    raw.trim()
        .trim_end_matches(".xlsx")
        .trim_end_matches(".docx")
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| Problem::bad_field("invalid_year", "year", "年度应为2000到2100"))
}

async fn page(
    state: &AppState,
    u: &User,
    year: i32,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let a = assessments::of_year(&state.db, state.moment(), &u.actor(), year).await?;
    let office = u.role().sees_everything();
    let weights = PartKind::ALL
        .iter()
        .map(|k| {
            (
                *k,
                a.scheme
                    .parts
                    .iter()
                    .find(|p| p.kind == *k)
                    .map_or(0, |p| p.weight),
            )
        })
        .collect();
    let units = if office {
        super::unit_choices(state, u, &["township", "zone_committee", "department"]).await?
    } else {
        Vec::new()
    };
    let refused = error.is_some();
    Ok(render_form(
        &AssessmentPage {
            layout: Layout::of(u),
            a,
            office,
            weights,
            units,
            flash,
            error,
        },
        refused,
    ))
}

/// GET /assessments?year=.
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<YearQuery>,
) -> Result<Response, PageError> {
    let year = match q.year.as_deref().filter(|y| !y.trim().is_empty()) {
        Some(y) => year_of(y)?,
        None => state.today().year(),
    };
    page(
        &state,
        &u,
        year,
        Notice::flash(q.ok.map(|_| "已保存".to_string())),
    )
    .await
}

/// POST /assessments/{year}/scheme (the office): `weight_<part>` for each part.
pub async fn set_scheme(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(year): Path<String>,
    PageForm(f): PageForm<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    let year = year_of(&year)?;
    let result = async {
        let mut parts = Vec::new();
        for k in PartKind::ALL {
            let raw = f
                .get(&format!("weight_{}", k.as_str()))
                .map(|s| s.trim())
                .unwrap_or("");
            let weight = if raw.is_empty() {
                0
            } else {
                raw.parse::<i64>().map_err(|_| {
                    Problem::bad_field(
                        "invalid_weight",
                        "weights",
                        format!("{}的权重应填整数", k.label()),
                    )
                })?
            };
            parts.push(anjian_core::assessment::Part { kind: k, weight });
        }
        assessments::set_scheme(
            &state.db,
            state.now(),
            &u.actor(),
            year,
            anjian_core::assessment::Scheme { parts },
        )
        .await?;
        Ok::<_, Problem>(format!("/assessments?year={year}&ok=1"))
    }
    .await;
    after_form(result, |msg| page(&state, &u, year, Notice::error(msg))).await
}

/// The adjustment form.
#[derive(Deserialize, Default)]
pub struct AdjustForm {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub points: String,
    #[serde(default)]
    pub reason: String,
}

/// POST /assessments/{year}/adjustments (the office): a unit, points and the reason.
pub async fn adjust(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(year): Path<String>,
    PageForm(f): PageForm<AdjustForm>,
) -> Result<Response, PageError> {
    let year = year_of(&year)?;
    let result = async {
        let unit = f
            .unit
            .trim()
            .parse::<i64>()
            .map_err(|_| Problem::bad_field("required", "unit", "请选择单位"))?;
        assessments::adjust(
            &state.db,
            state.now(),
            &u.actor(),
            year,
            unit,
            &f.points,
            &f.reason,
        )
        .await?;
        Ok::<_, Problem>(format!("/assessments?year={year}&ok=1"))
    }
    .await;
    after_form(result, |msg| page(&state, &u, year, Notice::error(msg))).await
}

/// GET /assessments/{year}.docx and /assessments/{year}.xlsx: the year's table as an
/// official document like the monthly bulletin, or as a workbook.
pub async fn download(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let docx = file.ends_with(".docx");
    if !docx && !file.ends_with(".xlsx") {
        return Err(Problem::not_found().into());
    }
    let year = year_of(&file)?;
    let a = assessments::of_year(&state.db, state.moment(), &u.actor(), year).await?;
    let doc = assessments::document(&state.db, &a, state.today()).await?;
    super::document_response(&doc, &format!("{year}年度安全生产考核结果"), docx)
}
