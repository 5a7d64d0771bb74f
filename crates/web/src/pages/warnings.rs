//! The warning desk: circuit breakers in force (set and lifted by the office), warnings
//! and who answered them in time, risk assessments, and special periods with their
//! matrix of daily reports.

use anjian_core::error::required_date;
use anjian_core::warning::{AssessmentKind, WarningKind};
use anjian_store::special_periods::{self, Cell, NewReport, SpecialPeriod};
use anjian_store::warnings::{
    self, Assessment, Breaker, NewAssessment, NewBreaker, NewWarning, Warning,
};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Layout, Notice, OkQuery, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render_form};
use crate::shared::warnings::{RecipientJson, detail};

type User = anjian_store::accounts::SessionUser;

/// The warning desk.
#[derive(Template)]
#[template(path = "warnings.html")]
pub struct DeskPage {
    pub layout: Option<Layout>,
    pub breakers: Vec<Breaker>,
    /// Ended and lifted breakers, latest first (the office's record).
    pub past: Vec<Breaker>,
    pub warnings: Vec<Warning>,
    /// The next page of warnings.
    pub next: Option<String>,
    pub assessments: Vec<Assessment>,
    /// The next page of the assessments, when this one is full.
    pub more_assessments: Option<String>,
    pub periods: Vec<SpecialPeriod>,
    pub units: Vec<(i64, String)>,
    pub townships: Vec<(i64, String)>,
    pub sectors: Vec<String>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub assessment_kinds: Vec<(&'static str, &'static str)>,
    /// The units a risk assessment's measure may name: those in the caller's scope.
    pub measure_units: Vec<(i64, String)>,
    pub office: bool,
    pub now: String,
    pub today: String,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// A `datetime-local` value (Beijing time) as epoch ms, naming `field`.
fn local_ms(field: &'static str, label: &str, raw: &str) -> Result<i64, Problem> {
    Ok(anjian_core::time::instant(field, label, &super::rfc3339(raw))?.timestamp_millis())
}

/// How many warnings the warnings page lists at a time.
const WARNINGS_SHOWN: i64 = 50;

/// How many risk assessments the warnings page lists at a time.
const ASSESSMENTS_SHOWN: i64 = 50;

/// Where the desk's two paged lists start: the warnings after warning `after`, the
/// assessments after assessment `assessments_after`.
#[derive(Debug, Clone, Copy, Default)]
struct DeskPages {
    after: Option<i64>,
    assessments_after: Option<i64>,
}

async fn desk(
    state: &AppState,
    u: &User,
    DeskPages {
        after,
        assessments_after,
    }: DeskPages,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let scope = u.register_scope()?;
    let office = u.role().sees_everything();
    let scope = scope.clone();
    let now = state.now();
    let breakers = warnings::current(&state.db, now, (!office).then_some(u.unit_id)).await?;
    let page = anjian_store::paging::Page {
        after,
        limit: WARNINGS_SHOWN,
    };
    let list = warnings::list(&state.db, &scope, Some(u.unit_id), page).await?;
    let next = page.next(&list, |w| format!("/warnings?after={}", w.id));
    let past = if office {
        warnings::history(&state.db)
            .await?
            .into_iter()
            .filter(|b| !b.active(now) && (b.lifted_at.is_some() || b.until_at <= now))
            .collect()
    } else {
        Vec::new()
    };
    let assessments_page = anjian_store::paging::Page {
        after: assessments_after,
        limit: ASSESSMENTS_SHOWN,
    };
    let assessments = warnings::assessments(&state.db, &scope, assessments_page).await?;
    let more_assessments = assessments_page.next(&assessments, |a| {
        format!("/warnings?assessments_after={}#assessments", a.id)
    });
    let periods = special_periods::list(&state.db).await?;
    let (units, townships, sectors) = if office {
        (
            super::unit_choices(
                state,
                u,
                &["township", "department", "zone_committee", "soe"],
            )
            .await?,
            anjian_store::enterprises::townships(&state.db, &scope).await?,
            anjian_store::hazards::sectors(&state.db)
                .await?
                .into_iter()
                .map(|(_, s)| s)
                .collect(),
        )
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let measure_units = super::unit_choices(
        state,
        u,
        &[
            "township",
            "department",
            "zone_committee",
            "soe",
            "committee_office",
        ],
    )
    .await?;
    let refused = error.is_some();
    Ok(render_form(
        &DeskPage {
            measure_units,
            layout: Layout::of(u),
            breakers,
            past,
            warnings: list,
            next,
            assessments,
            more_assessments,
            periods,
            units,
            townships,
            sectors,
            kinds: WarningKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label()))
                .collect(),
            assessment_kinds: AssessmentKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label()))
                .collect(),
            office,
            now: super::datetime_input(now),
            today: state.today().to_string(),
            flash,
            error,
        },
        refused,
    ))
}

/// `?after=&assessments_after=&ok=`: the warnings after warning `after` (the next
/// page), the assessments after `assessments_after`, and the flash of the action that
/// led to the page.
#[derive(serde::Deserialize, Default)]
pub struct DeskQuery {
    pub after: Option<i64>,
    pub assessments_after: Option<i64>,
    pub ok: Option<String>,
}

/// GET /warnings.
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<DeskQuery>,
) -> Result<Response, PageError> {
    desk(
        &state,
        &u,
        DeskPages {
            after: q.after,
            assessments_after: q.assessments_after,
        },
        Notice::flash(q.ok.map(|_| "已保存".to_string())),
    )
    .await
}

/// The desk's forms: `action` = `warning`, `breaker`, `assessment` or `period`.
#[derive(Deserialize, Default)]
pub struct DeskForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub answer_by: String,
    /// Unit ids, several values of one field.
    #[serde(default)]
    pub units: Vec<String>,
    #[serde(default)]
    pub activities: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub areas: Vec<String>,
    #[serde(default)]
    pub sectors: Vec<String>,
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub conclusion: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub first_day: String,
    #[serde(default)]
    pub last_day: String,
    /// An assessment's measures, row by row (a row left blank is no measure).
    #[serde(default)]
    pub risk: Vec<String>,
    #[serde(default)]
    pub level: Vec<String>,
    #[serde(default)]
    pub measure: Vec<String>,
    #[serde(default)]
    pub measure_unit: Vec<String>,
    #[serde(default)]
    pub due_on: Vec<String>,
}

impl DeskForm {
    /// The measures typed into the assessment form's rows, blank rows left out.
    fn measures(&self) -> Vec<anjian_store::risk_measures::NewMeasure> {
        let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
        (0..self.risk.len().max(self.measure.len()))
            .filter(|i| {
                !(at(&self.risk, *i).trim().is_empty() && at(&self.measure, *i).trim().is_empty())
            })
            .map(|i| anjian_store::risk_measures::NewMeasure {
                risk: at(&self.risk, i),
                level: at(&self.level, i),
                measure: at(&self.measure, i),
                unit: at(&self.measure_unit, i).trim().parse().ok(),
                due_on: at(&self.due_on, i),
            })
            .collect()
    }
}

fn ids(v: &[String]) -> Vec<i64> {
    v.iter().filter_map(|x| x.trim().parse().ok()).collect()
}

/// A form of the warning desk: each posts to its own route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeskStep {
    /// POST /warnings: the office issues a warning (预警叫应).
    Warning,
    /// POST /circuit-breakers: the office trips a circuit breaker (熔断).
    Breaker,
    /// POST /special-periods: the office declares a special period.
    Period,
    /// POST /warnings/assessments: a unit records a risk assessment (会商研判).
    Assessment,
}

/// POST /warnings.
pub async fn issue(
    state: State<AppState>,
    user: PageUser,
    raw: axum::extract::RawForm,
) -> Result<Response, PageError> {
    act(state, user, raw, DeskStep::Warning).await
}

/// POST /circuit-breakers.
pub async fn trip(
    state: State<AppState>,
    user: PageUser,
    raw: axum::extract::RawForm,
) -> Result<Response, PageError> {
    act(state, user, raw, DeskStep::Breaker).await
}

/// POST /special-periods.
pub async fn declare(
    state: State<AppState>,
    user: PageUser,
    raw: axum::extract::RawForm,
) -> Result<Response, PageError> {
    act(state, user, raw, DeskStep::Period).await
}

/// POST /warnings/assessments.
pub async fn assess(
    state: State<AppState>,
    user: PageUser,
    raw: axum::extract::RawForm,
) -> Result<Response, PageError> {
    act(state, user, raw, DeskStep::Assessment).await
}

async fn act(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    raw: axum::extract::RawForm,
    step: DeskStep,
) -> Result<Response, PageError> {
    u.register_scope()?;
    // Repeated fields (units, areas, sectors) need the urlencoded pairs themselves.
    let f: DeskForm = repeated_form(&raw.0)?;
    let result = async {
        match step {
            DeskStep::Warning => {
                let id = warnings::issue(
                    &state.db,
                    state.now(),
                    &u.actor(),
                    &NewWarning {
                        kind: f.kind.clone(),
                        title: f.title.clone(),
                        body: f.body.clone(),
                        answer_by: local_ms("answer_by", "回应时限", &f.answer_by)?,
                        units: ids(&f.units),
                    },
                )
                .await?;
                return Ok(format!("/warnings/{id}"));
            }
            DeskStep::Breaker => {
                warnings::trip(
                    &state.db,
                    state.now(),
                    &u.actor(),
                    &NewBreaker {
                        activities: f.activities.clone(),
                        reason: f.reason.clone(),
                        from_at: local_ms("from", "开始时间", &f.from)?,
                        until_at: local_ms("until", "结束时间", &f.until)?,
                        areas: ids(&f.areas),
                        sectors: f
                            .sectors
                            .iter()
                            .filter(|s| !s.is_empty())
                            .cloned()
                            .collect(),
                    },
                )
                .await?;
            }
            DeskStep::Period => {
                let id = special_periods::declare(
                    &state.db,
                    state.now(),
                    &u.actor(),
                    &f.name,
                    anjian_core::time::Span::new(
                        required_date("first_day", "开始日期", &f.first_day)?,
                        required_date("last_day", "结束日期", &f.last_day)?,
                    ),
                )
                .await?;
                return Ok(format!("/special-periods/{id}"));
            }
            DeskStep::Assessment => {
                let id = warnings::assess(
                    &state.db,
                    state.moment(),
                    &u.actor(),
                    &u.register_scope()?,
                    &NewAssessment {
                        kind: f.kind.clone(),
                        held_on: f.held_on.clone(),
                        title: f.title.clone(),
                        conclusion: f.conclusion.clone(),
                        measures: f.measures(),
                    },
                )
                .await?;
                return Ok(format!("/risk-assessments/{id}"));
            }
        }
        Ok::<_, Problem>("/warnings?ok=1".to_string())
    }
    .await;
    after_form(result, |msg| {
        desk(&state, &u, DeskPages::default(), Notice::error(msg))
    })
    .await
}

/// Reads an urlencoded form whose fields may repeat.
fn repeated_form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    let mut map: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| Problem::bad_field("invalid_form", "form", "表单内容不正确"))?;
    // Repeated keys become JSON arrays; single ones strings.
    let mut obj = serde_json::Map::new();
    for (k, v) in map.drain(..) {
        let plural = matches!(
            k.as_str(),
            "units"
                | "areas"
                | "sectors"
                | "risk"
                | "level"
                | "measure"
                | "measure_unit"
                | "due_on"
        );
        match obj.get_mut(&k) {
            Some(serde_json::Value::Array(a)) => a.push(v.into()),
            _ if plural => {
                obj.insert(k, serde_json::Value::Array(vec![v.into()]));
            }
            _ => {
                obj.insert(k, v.into());
            }
        }
    }
    serde_json::from_value(serde_json::Value::Object(obj))
        .map_err(|_| Problem::bad_field("invalid_form", "form", "表单内容不正确"))
}

/// POST /circuit-breakers/{id}/lift (the office).
pub async fn lift(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<DeskForm>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let result = async {
        warnings::lift(&state.db, state.now(), &u.actor(), id, &f.reason).await?;
        Ok::<_, Problem>("/warnings?ok=1".to_string())
    }
    .await;
    after_form(result, |msg| {
        desk(&state, &u, DeskPages::default(), Notice::error(msg))
    })
    .await
}

/// One warning.
#[derive(Template)]
#[template(path = "warning.html")]
pub struct WarningPage {
    pub layout: Option<Layout>,
    pub w: Warning,
    pub recipients: Vec<RecipientJson>,
    /// Whether the caller's unit still owes its answer.
    pub can_answer: bool,
    pub office: bool,
    /// What was sent to the addressees' channels (the office's view).
    pub sent: Vec<anjian_store::warnings::SentLine>,
    pub flash: Option<String>,
    pub error: Option<String>,
}

impl WarningPage {
    /// What was sent to unit `unit`.
    pub fn sent_to(&self, unit: &i64) -> Vec<&anjian_store::warnings::SentLine> {
        self.sent.iter().filter(|l| l.unit_id == *unit).collect()
    }

    /// A status in Chinese.
    pub fn status_label(&self, s: &str) -> &'static str {
        warnings::status_label(s)
    }
}

async fn warning(
    state: &AppState,
    u: &User,
    id: i64,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    u.register_scope()?;
    let d = detail(state, u, id).await.map_err(|e| e.0)?;
    let can_answer = d
        .recipients
        .iter()
        .any(|r| r.recipient.unit_id == u.unit_id && r.recipient.acked_at.is_none());
    let refused = error.is_some();
    Ok(render_form(
        &WarningPage {
            layout: Layout::of(u),
            w: d.warning,
            recipients: d.recipients,
            can_answer,
            office: u.role().sees_everything(),
            sent: if u.role().sees_everything() {
                warnings::sent(&state.db, id).await?
            } else {
                Vec::new()
            },
            flash,
            error,
        },
        refused,
    ))
}

/// GET /warnings/{id}.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<OkQuery>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let flash = q.ok.map(|k| match k.parse::<usize>() {
        Ok(n) => format!("已催办：{n}个未回应单位，消息已进入发送队列"),
        Err(_) => "已回应".to_string(),
    });
    warning(&state, &u, id, Notice::flash(flash)).await
}

/// POST /warnings/{id}/urge (the office): 催办 every addressee that has not answered.
pub async fn urge(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let result = warnings::urge(&state.db, state.now(), &u.actor(), id)
        .await
        .map(|n| format!("/warnings/{id}?ok={n}"))
        .map_err(Problem::from);
    after_form(result, |msg| warning(&state, &u, id, Notice::error(msg))).await
}

/// The answer form.
#[derive(Deserialize, Default)]
pub struct AckForm {
    #[serde(default)]
    pub reply: String,
}

/// POST /warnings/{id}/ack.
pub async fn ack(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<AckForm>,
) -> Result<Response, PageError> {
    u.register_scope()?;
    let id = crate::input::path_id(&id)?;
    let result = async {
        warnings::ack(&state.db, state.moment(), &u.actor(), id, &f.reply).await?;
        Ok::<_, Problem>(format!("/warnings/{id}?ok=1"))
    }
    .await;
    after_form(result, |msg| warning(&state, &u, id, Notice::error(msg))).await
}

/// A special period's matrix.
#[derive(Template)]
#[template(path = "special_period.html")]
pub struct PeriodPage {
    pub layout: Option<Layout>,
    pub period: SpecialPeriod,
    pub days: Vec<String>,
    pub rows: Vec<(String, Vec<Cell>)>,
    pub today: String,
    pub flash: Option<String>,
    pub error: Option<String>,
}

async fn period(
    state: &AppState,
    u: &User,
    id: i64,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let scope = u.register_scope()?;
    let (period, days, rows) =
        special_periods::matrix(&state.db, &scope, id, state.today()).await?;
    let refused = error.is_some();
    Ok(render_form(
        &PeriodPage {
            layout: Layout::of(u),
            period,
            days: days
                .iter()
                .map(|d| d.format("%-m/%-d").to_string())
                .collect(),
            rows,
            today: state.today().to_string(),
            flash,
            error,
        },
        refused,
    ))
}

/// GET /special-periods/{id}.
pub async fn show_period(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageQuery(q): PageQuery<OkQuery>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    period(
        &state,
        &u,
        id,
        Notice::flash(q.ok.map(|_| "已报送".to_string())),
    )
    .await
}

/// POST /special-periods/{id}/reports.
pub async fn report(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<NewReport>,
) -> Result<Response, PageError> {
    u.register_scope()?;
    let id = crate::input::path_id(&id)?;
    let result = async {
        special_periods::report(&state.db, state.moment(), &u.actor(), id, &f).await?;
        Ok::<_, Problem>(format!("/special-periods/{id}?ok=1"))
    }
    .await;
    after_form(result, |msg| period(&state, &u, id, Notice::error(msg))).await
}

/// One risk assessment's page.
#[derive(Template)]
#[template(path = "risk_assessment.html")]
pub struct AssessmentPage {
    pub layout: Option<Layout>,
    pub a: anjian_store::warnings::Assessment,
    pub measures: Vec<anjian_store::risk_measures::MeasureRow>,
}

/// GET /risk-assessments/{id}: the assessment, its risks and measures with progress.
pub async fn show_assessment(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let scope = u.register_scope()?;
    let id = crate::input::path_id(&id)?;
    let (a, measures) = warnings::assessment(&state.db, &scope, id).await?;
    Ok(crate::error::render(&AssessmentPage {
        layout: Layout::of(&u),
        a,
        measures,
    }))
}
