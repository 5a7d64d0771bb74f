//! The accident page: direct reports in scope with their grade, late and concealment
//! flags; the phone form to report one (times as the reporter's clock shows them, in
//! Beijing time); supplementary reports and closing the investigation.

use anjian_core::accident::{AccidentInput, Grade, Status};
use anjian_core::machine::States;
use anjian_store::accidents::{self, AccidentRow, NewAccident, Supplement};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Layout, Notice, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render_form};
use crate::shared::accidents::AccidentQuery;

type User = anjian_store::accounts::SessionUser;

/// The accident page.
#[derive(Template)]
#[template(path = "accidents.html")]
pub struct AccidentsPage {
    pub layout: Option<Layout>,
    pub accidents: Vec<AccidentRow>,
    /// The report form as typed (refused), or its defaults.
    pub f: ReportForm,
    /// A refused report's problems, each shown beside its field.
    pub refusal: super::Refusal,
    /// Whether the report form is open (it was refused).
    pub reporting: bool,
    /// The next page's link, when this one is full.
    pub next: Option<String>,
    /// The filters in force, and the choices they offer.
    pub narrow: AccidentQuery,
    pub grades: [(&'static str, &'static str); 4],
    pub statuses: Vec<(&'static str, &'static str)>,
    pub units: Vec<(i64, String)>,
    /// The enterprises the report form offers.
    pub choice: super::EnterpriseChoice,
    pub sectors: Vec<String>,
    pub own_unit: i64,
    /// The office extends investigations.
    pub office: bool,
    pub now: String,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// An instant as Beijing time, for the list.
pub fn local(ms: &i64) -> String {
    anjian_core::time::format_local(*ms)
}

/// The list as the page answers after an action: unfiltered.
static UNFILTERED: AccidentQuery = AccidentQuery {
    month: None,
    unit: None,
    grade: None,
    status: None,
    q: None,
    before: None,
    limit: None,
};

/// How many accidents the page lists at once.
const PAGE: i64 = 100;

async fn page(
    state: &AppState,
    u: &User,
    n: &AccidentQuery,
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    report_page(state, u, (n, None), Notice { flash, error }, None).await
}

/// The page, with a refused report's typed values and its problems beside their fields.
async fn report_page(
    state: &AppState,
    u: &User,
    (n, find): (&AccidentQuery, Option<&str>),
    Notice { flash, error }: Notice,
    refused_report: Option<(ReportForm, super::Refusal)>,
) -> Result<Response, PageError> {
    let scope = u.scope();
    let f = n.filter(PAGE)?;
    let accidents = accidents::list(&state.db, &scope, &f).await?;
    let next = (accidents.len() as i64 == f.limit)
        .then(|| accidents.last().map(|a| n.next(a.occurred_at, a.id)))
        .flatten();
    let units = super::unit_choices(
        state,
        u,
        &[
            "township",
            "department",
            "zone_committee",
            "committee_office",
            "soe",
        ],
    )
    .await?;
    let choice = super::enterprise_choice(
        state,
        &scope,
        &["enterprise"],
        find,
        ("/accidents", Vec::new()),
    )
    .await?;
    let sectors = anjian_store::hazards::sectors(&state.db)
        .await?
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    let refused = error.is_some();
    Ok(render_form(
        &AccidentsPage {
            layout: Layout::of(u),
            accidents,
            next,
            narrow: n.clone(),
            grades: Grade::ALL.map(|g| (g.as_str(), g.label())),
            statuses: Status::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            units,
            choice,
            sectors,
            own_unit: u.unit_id,
            office: u.role().sees_everything(),
            now: super::datetime_input(state.now()),
            reporting: refused_report.is_some() || find.is_some_and(|f| !f.trim().is_empty()),
            f: refused_report
                .as_ref()
                .map(|(f, _)| f.clone())
                .unwrap_or_else(|| ReportForm {
                    deaths: "0".into(),
                    missing: "0".into(),
                    serious_injuries: "0".into(),
                    ..Default::default()
                }),
            refusal: refused_report.map(|(_, r)| r).unwrap_or_default(),
            flash,
            error,
        },
        refused,
    ))
}

/// `?ok=` (the flash after an action) and the list's filters.
#[derive(Deserialize, Default)]
pub struct AccidentsQuery {
    pub ok: Option<String>,
    /// What narrows the report form's enterprises.
    pub find: Option<String>,
    #[serde(flatten)]
    pub narrow: AccidentQuery,
}

/// GET /accidents?month=&unit=&grade=&status=&q=&before=.
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<AccidentsQuery>,
) -> Result<Response, PageError> {
    report_page(
        &state,
        &u,
        (&q.narrow, q.find.as_deref()),
        Notice::flash(q.ok.map(|_| "已记录".to_string())),
        None,
    )
    .await
}

/// The report form.
#[derive(Deserialize, Default, Clone)]
pub struct ReportForm {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub enterprise: String,
    #[serde(default)]
    pub sector: String,
    #[serde(default)]
    pub occurred_at: String,
    #[serde(default)]
    pub learned_at: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub account: String,
    #[serde(default)]
    pub deaths: String,
    #[serde(default)]
    pub missing: String,
    #[serde(default)]
    pub serious_injuries: String,
    #[serde(default)]
    pub direct_loss_yuan: String,
    #[serde(default)]
    pub measures_taken: String,
}

/// A count field: empty is 0, anything else not a number is refused by the checks.
fn count(raw: &str) -> Option<i64> {
    let t = raw.trim();
    if t.is_empty() {
        Some(0)
    } else {
        Some(t.parse().unwrap_or(-1))
    }
}

/// POST /accidents.
pub async fn create(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<ReportForm>,
) -> Result<Response, PageError> {
    let typed = f.clone();
    let n = NewAccident {
        unit: f.unit.trim().parse().ok(),
        enterprise: f.enterprise.trim().parse().ok(),
        project: None,
        parties: Vec::new(),
        report: AccidentInput {
            sector: f.sector,
            occurred_at: super::rfc3339(&f.occurred_at),
            learned_at: if f.learned_at.trim().is_empty() {
                String::new()
            } else {
                super::rfc3339(&f.learned_at)
            },
            place: f.place,
            account: f.account,
            deaths: count(&f.deaths),
            missing: count(&f.missing),
            serious_injuries: count(&f.serious_injuries),
            direct_loss_yuan: Some(serde_json::Value::String(f.direct_loss_yuan)),
            measures_taken: f.measures_taken,
        },
    };
    let result = accidents::create(&state.db, state.now(), &u.actor(), &u.scope(), &n)
        .await
        .map(|_| "/accidents?ok=1".to_string())
        .map_err(Problem::from);
    super::after_form_with(result, |r| {
        let notice = Notice::error(r.summary.clone());
        report_page(&state, &u, (&UNFILTERED, None), notice, Some((typed, r)))
    })
    .await
}

/// The supplement and close forms.
#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    pub deaths: String,
    #[serde(default)]
    pub missing: String,
    #[serde(default)]
    pub serious_injuries: String,
    #[serde(default)]
    pub direct_loss_yuan: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub days: String,
}

/// A step on an accident's entry: each posts to its own route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccidentStep {
    /// POST /accidents/{id}/supplements: a supplementary report (续报).
    Supplement,
    /// POST /accidents/{id}/close: the investigation closed (its lead or the office).
    Close,
    /// POST /accidents/{id}/extension: the office extends the investigation once.
    Extend,
}

/// POST /accidents/{id}/supplements.
pub async fn supplement(
    state: State<AppState>,
    user: PageUser,
    id: Path<String>,
    form: PageForm<ActionForm>,
) -> Result<Response, PageError> {
    act(state, user, id, form, AccidentStep::Supplement).await
}

/// POST /accidents/{id}/close.
pub async fn close(
    state: State<AppState>,
    user: PageUser,
    id: Path<String>,
    form: PageForm<ActionForm>,
) -> Result<Response, PageError> {
    act(state, user, id, form, AccidentStep::Close).await
}

/// POST /accidents/{id}/extension.
pub async fn extend(
    state: State<AppState>,
    user: PageUser,
    id: Path<String>,
    form: PageForm<ActionForm>,
) -> Result<Response, PageError> {
    act(state, user, id, form, AccidentStep::Extend).await
}

async fn act(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ActionForm>,
    step: AccidentStep,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let result = async {
        match step {
            AccidentStep::Supplement => {
                let s = Supplement {
                    deaths: count(&f.deaths),
                    missing: count(&f.missing),
                    serious_injuries: count(&f.serious_injuries),
                    direct_loss_yuan: Some(serde_json::Value::String(f.direct_loss_yuan.clone())),
                    note: f.note.clone(),
                };
                accidents::supplement(&state.db, state.now(), &u.actor(), &u.scope(), id, &s)
                    .await?;
            }
            AccidentStep::Close => {
                accidents::close(&state.db, state.moment(), &u.actor(), &u.scope(), id).await?
            }
            AccidentStep::Extend => {
                let days = f.days.trim().parse::<i64>().map_err(|_| {
                    Problem::bad_field("out_of_range", "days", "延长天数应为1到60之间的整数")
                })?;
                accidents::extend(&state.db, state.now(), &u.actor(), id, days, &f.note).await?;
            }
        }
        Ok("/accidents?ok=1".to_string())
    }
    .await;
    after_form(result, |msg| {
        page(&state, &u, &UNFILTERED, Notice::error(msg))
    })
    .await
}

/// One accident's page: its parties, the records of the employer and the dispatching
/// agency side by side (item (81) 双查问责), the qualification holder's contracts (item
/// (75)) and the approval history of its project (item (71) 终身追责).
#[derive(Template)]
#[template(path = "accident.html")]
pub struct AccidentPage {
    pub layout: Option<Layout>,
    pub a: AccidentRow,
    /// The employer's and the agency's parties with their roster figures.
    pub side_by_side: Vec<(
        anjian_store::accidents::PartyRow,
        anjian_store::workers::Figures,
    )>,
    /// The qualification holders with the contracts worked under their qualifications.
    pub holders: Vec<(String, Vec<anjian_store::contracts::ContractRow>)>,
    pub project: Option<anjian_store::projects::ProjectDetail>,
    /// Its investigation (team, report, approval, accountability, measures).
    pub investigation: anjian_store::investigations::Investigation,
    /// Whether the viewer investigates it (its lead unit or the office).
    pub investigates: bool,
    pub office: bool,
    /// The units a measure may be owed by.
    pub units: Vec<(i64, String)>,
    pub today: String,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// `?ok=`.
#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    pub ok: String,
}

/// GET /accidents/{id}.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    super::PageQuery(q): super::PageQuery<ShowQuery>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let flash = match q.ok.as_str() {
        "investigation" => Some("已保存事故调查情况".to_string()),
        "list" => Some("已挂牌督办".to_string()),
        _ => None,
    };
    accident_page(&state, &u, id, Notice::flash(flash)).await
}

async fn accident_page(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    id: i64,
    notice: Notice,
) -> Result<Response, PageError> {
    let a = accidents::get(&state.db, &u.scope(), id).await?;
    // The employer's and the agency's rosters, and the holders' contracts: one query each.
    let checked: Vec<&anjian_store::accidents::PartyRow> = a
        .parties
        .iter()
        .filter(|p| p.role == "employer" || p.role == "dispatcher")
        .collect();
    let ids: Vec<i64> = checked.iter().map(|p| p.unit).collect();
    let figures = anjian_store::workers::figures_of(&state.db, state.today(), &ids).await?;
    let side_by_side = checked.into_iter().cloned().zip(figures).collect();
    let held: Vec<&anjian_store::accidents::PartyRow> = a
        .parties
        .iter()
        .filter(|p| p.role == "qualification_holder")
        .collect();
    let ids: Vec<i64> = held.iter().map(|p| p.unit).collect();
    let contracts = anjian_store::contracts::held_by(&state.db, &ids).await?;
    let holders = held
        .iter()
        .map(|p| {
            let theirs = contracts
                .iter()
                .filter(|c| c.q_holder_id == Some(p.unit))
                .cloned()
                .collect();
            (p.unit_name.clone(), theirs)
        })
        .collect();
    let project = match a.project_id {
        Some(p) => anjian_store::projects::history(&state.db, p).await?,
        None => None,
    };
    let investigation = anjian_store::investigations::of(&state.db, id).await?;
    let investigates = anjian_store::investigations::investigates(&u.scope(), &u.actor(), &a);
    let units = if investigates {
        let mut units = anjian_store::directory::units::choices(
            &state.db,
            &anjian_store::scope::Scope::All,
            &["department", "township", "zone_committee"],
            300,
        )
        .await?;
        for p in &a.parties {
            units.push((p.unit, p.unit_name.clone()));
        }
        units
    } else {
        Vec::new()
    };
    let refused = notice.error.is_some();
    Ok(crate::error::render_form(
        &AccidentPage {
            layout: Layout::of(u),
            office: u.role().sees_everything(),
            a,
            side_by_side,
            holders,
            project,
            investigation,
            investigates,
            units,
            today: state.today().format("%Y-%m-%d").to_string(),
            flash: notice.flash,
            error: notice.error,
        },
        refused,
    ))
}

/// The investigation form (multipart, the report file in `photos`): the accountability
/// one person per line as "姓名，职务，追责方式", one measure per submission.
#[derive(Deserialize, Default)]
pub struct InvestigationForm {
    #[serde(default)]
    pub members: String,
    #[serde(default)]
    pub approval_no: String,
    #[serde(default)]
    pub approved_on: String,
    #[serde(default)]
    pub accountability: String,
    #[serde(default)]
    pub measure_unit: String,
    #[serde(default)]
    pub measure: String,
    #[serde(default)]
    pub measure_due: String,
}

impl InvestigationForm {
    fn input(&self) -> anjian_core::investigation::InvestigationInput {
        use anjian_core::investigation::{AccountInput, MeasureInput};
        let accountability = self
            .accountability
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let mut parts = l.split(['，', ',', '|', '｜']).map(str::trim);
                AccountInput {
                    person: parts.next().unwrap_or_default().to_string(),
                    post: parts.next().unwrap_or_default().to_string(),
                    unit: None,
                    form: parts.collect::<Vec<_>>().join("，"),
                }
            })
            .collect();
        let measures = if self.measure.trim().is_empty() && self.measure_unit.trim().is_empty() {
            Vec::new()
        } else {
            vec![MeasureInput {
                unit: self.measure_unit.trim().parse().ok(),
                measure: self.measure.clone(),
                due_on: self.measure_due.clone(),
            }]
        };
        anjian_core::investigation::InvestigationInput {
            lead_unit: None,
            members: self.members.clone(),
            approval_no: self.approval_no.clone(),
            approved_on: self.approved_on.clone(),
            accountability,
            measures,
        }
    }
}

/// POST /accidents/{id}/investigation.
pub async fn investigate(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    crate::upload::PhotoForm { form: f, photos }: crate::upload::PhotoForm<InvestigationForm>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let input = f.input();
    let result = async {
        let stored = crate::upload::store(&state, &photos[..photos.len().min(1)]).await?;
        anjian_store::investigations::record(
            &state.db,
            state.moment(),
            &u.actor(),
            &u.scope(),
            id,
            &input,
            stored.first(),
        )
        .await?;
        Ok::<_, Problem>(format!("/accidents/{id}?ok=investigation"))
    }
    .await;
    after_form(result, |msg| {
        accident_page(&state, &u, id, Notice::error(msg))
    })
    .await
}

/// The listing form.
#[derive(Deserialize, Default)]
pub struct ListingForm {
    #[serde(default)]
    pub leader: String,
    #[serde(default)]
    pub until: String,
}

/// POST /accidents/{id}/list: the office lists a typical accident for supervision.
pub async fn list_typical(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ListingForm>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let input = anjian_store::investigations::ListingInput {
        leader: f.leader,
        until: f.until,
    };
    let result = anjian_store::investigations::list_typical(
        &state.db,
        state.moment(),
        &u.actor(),
        &u.scope(),
        id,
        &input,
    )
    .await
    .map(|_| format!("/accidents/{id}?ok=list"))
    .map_err(Problem::from);
    after_form(result, |msg| {
        accident_page(&state, &u, id, Notice::error(msg))
    })
    .await
}

/// GET /accidents/{id}/investigation/report: the investigation report file.
pub async fn report_file(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let sha = anjian_store::investigations::report_file(&state.db, &u.scope(), id).await?;
    super::stored_file(&state, &sha).await
}

/// The 一案双查 page.
#[derive(Template)]
#[template(path = "dual_inquiry.html")]
pub struct DualInquiryPage {
    pub layout: Option<Layout>,
    pub d: anjian_store::investigations::DualInquiry,
}

/// The 一案双查 of the accident at path `id`, for the page and its export.
async fn read_dual_inquiry(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    id: &str,
) -> Result<anjian_store::investigations::DualInquiry, PageError> {
    let id = crate::input::path_id(id)?;
    Ok(anjian_store::investigations::dual_inquiry(
        &state.db,
        &u.actor(),
        &u.scope(),
        state.today(),
        id,
    )
    .await?)
}

/// GET /accidents/{id}/dual-inquiry.
pub async fn dual_inquiry(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let d = read_dual_inquiry(&state, &u, &id).await?;
    Ok(crate::error::render(&DualInquiryPage {
        layout: Layout::of(&u),
        d,
    }))
}

/// GET /accidents/{id}/dual-inquiry.xlsx: the same, for the investigators' file.
pub async fn dual_inquiry_export(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let d = read_dual_inquiry(&state, &u, &id).await?;
    let mut lines: Vec<Vec<String>> = Vec::new();
    for s in &d.standings {
        let quotas: Vec<String> = s
            .quotas
            .iter()
            .map(|q| {
                format!(
                    "{}：{}",
                    q.label,
                    if q.standing.missed > 0 {
                        "未完成"
                    } else {
                        "完成或进行中"
                    }
                )
            })
            .collect();
        lines.push(vec![
            "履职定额".into(),
            s.name.clone(),
            format!("{} · {}", s.unit_name, s.title),
            quotas.join("；"),
            String::new(),
        ]);
    }
    for r in &d.records {
        lines.push(vec![
            "履职记录".into(),
            r.official.clone(),
            r.unit_name.clone(),
            format!("{}：{}", r.activity_label(), r.topic),
            r.on_day.clone(),
        ]);
    }
    for e in &d.enforcements {
        lines.push(vec![
            "执法记录".into(),
            e.enterprise_name.clone(),
            e.unit_name.clone(),
            format!(
                "问题{}项{}",
                e.problem_count,
                e.penalty_kind
                    .as_deref()
                    .map(|k| format!("，{k}"))
                    .unwrap_or_default()
            ),
            e.inspected_on.clone(),
        ]);
    }
    super::xlsx_response(
        "一案双查",
        &["类别", "人员或企业", "单位", "内容", "日期"],
        &lines,
        &format!("一案双查（{}）.xlsx", d.accident.place),
        &u.unit_name,
    )
}
