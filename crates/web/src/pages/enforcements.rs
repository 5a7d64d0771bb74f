//! Enforcement pages: a month's records in scope, the watch of 零执法 and 零处罚 units (the plan's
//! 执法"清零" goal)
//! for the townships and departments in scope, and the phone form to record an
//! inspection with its inspectors, order and penalty.

use anjian_core::enforcement::{EnforcementInput, Inspector, PenaltyInput};
use anjian_core::monthly_report::Month;
use anjian_store::enforcements::{self, EnforcementFilter, EnforcementRow, Tally};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::{Layout, Notice, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render_form};

type User = anjian_store::accounts::SessionUser;

/// The enforcement page.
#[derive(Template)]
#[template(path = "enforcements.html")]
pub struct EnforcementsPage {
    pub layout: Option<Layout>,
    pub month: String,
    pub month_label: String,
    pub records: Vec<EnforcementRow>,
    /// The next page of the month's records, when this one is full.
    pub next: Option<String>,
    pub watch: Vec<Tally>,
    pub zero: usize,
    /// 零处罚 units: inspections but no penalty.
    pub zero_penalty: usize,
    /// The user's unit: it rechecks its own records.
    pub own_unit: i64,
    /// The enterprises the record form offers.
    pub choice: super::EnterpriseChoice,
    /// The flagged contracts in scope, for a 分包转包专项 inspection's finding.
    pub contracts: Vec<anjian_store::contracts::ContractRow>,
    /// The notices the special inspections listed sent (item (77)).
    pub notices: Vec<anjian_store::notices::NoticeRow>,
    pub today: String,
    /// The year's supervision-inspection plans in scope (年度监督检查计划), and whether
    /// each is behind on the day.
    pub year: i32,
    pub plans: Vec<(anjian_store::inspection_plans::PlanLine, bool)>,
    /// The user's own unit's plan, to edit (supervising units only).
    pub own_plan: Option<anjian_store::inspection_plans::PlanLine>,
    /// Whether the list of plans stops at its length (more units have one).
    pub plans_cut: bool,
    pub may_plan: bool,
    /// The measures (停产停工, 移送) of the records shown.
    pub measures: Vec<anjian_store::enforcements::MeasureRow>,
    /// The enterprises among the records on the blacklist today.
    pub blacklisted: Vec<i64>,
    /// The discretion standard in force, and whether the viewer keeps it (the office).
    pub standard: Vec<anjian_core::discretion::Clause>,
    pub may_keep_standard: bool,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// The Chinese label of a special campaign.
pub fn campaign_label(kind: &str) -> &'static str {
    anjian_core::enforcement::Campaign::parse(kind)
        .ok()
        .flatten()
        .map_or("", anjian_core::enforcement::Campaign::label)
}

/// The Chinese label of a stored step.
pub fn step_label(s: &str) -> &'static str {
    use anjian_core::machine::States;
    anjian_core::enforcement::Stage::label_of(s)
}

/// Yuan from fen, for display.
pub fn yuan(fen: &i64) -> String {
    anjian_core::error::yuan(*fen)
}

/// How many of the month's records the page lists at a time (each with its forms).
const RECORDS_SHOWN: i64 = 100;

async fn page(
    state: &AppState,
    u: &User,
    month: Month,
    (find, after): (Option<&str>, Option<i64>),
    Notice { flash, error }: Notice,
) -> Result<Response, PageError> {
    let scope = u.scope();
    let filter = EnforcementFilter {
        month: Some(month),
        after,
        limit: RECORDS_SHOWN,
        ..EnforcementFilter::default()
    };
    let records = enforcements::list(&state.db, &scope, state.today(), &filter).await?;
    let next = anjian_store::paging::Page::first(RECORDS_SHOWN).next(&records, |r| {
        format!(
            "/enforcements?month={}&after={}#records",
            month.name(),
            r.id
        )
    });
    let special: Vec<i64> = records
        .iter()
        .filter(|r| r.kind.is_some())
        .map(|r| r.id)
        .collect();
    let notices = anjian_store::notices::about_many(&state.db, "enforcement", &special).await?;
    let shown: Vec<i64> = records.iter().map(|r| r.id).collect();
    let measures = enforcements::measures_of(&state.db, &shown).await?;
    let inspected: Vec<i64> = records.iter().map(|r| r.enterprise_id).collect();
    let blacklisted =
        anjian_store::blacklist::active_among(&state.db, &inspected, state.today()).await?;
    let watch = enforcements::tally(&state.db, &scope, month).await?;
    let choice = super::enterprise_choice(
        state,
        &scope,
        &["enterprise"],
        find,
        ("/enforcements", vec![("month", month.name())]),
    )
    .await?;
    let year = chrono::Datelike::year(&month.first);
    let today = state.today();
    let plans: Vec<_> = anjian_store::inspection_plans::lines(&state.db, &scope, i64::from(year))
        .await?
        .into_iter()
        .map(|l| {
            let behind = l.behind_on(today);
            (l, behind)
        })
        .collect();
    // Read on its own: the list stops at its length, and the form must not offer a
    // new plan to a unit whose plan is past it.
    let own_plan =
        anjian_store::inspection_plans::own(&state.db, u.unit_id, i64::from(year)).await?;
    let refused = error.is_some();
    Ok(render_form(
        &EnforcementsPage {
            year,
            plans_cut: plans.len() as i64 >= anjian_store::inspection_plans::LINES_SHOWN,
            plans,
            own_plan,
            may_plan: u.role().can_enforce(),
            measures,
            blacklisted,
            standard: anjian_store::discretion::standard(&state.db).await?,
            may_keep_standard: u.role().can_run_campaigns(),
            layout: Layout::of(u),
            month: month.name(),
            month_label: month.label(),
            zero: watch.iter().filter(|t| t.zero).count(),
            zero_penalty: watch.iter().filter(|t| t.zero_penalty).count(),
            own_unit: u.unit_id,
            records,
            next,
            watch,
            choice,
            contracts: anjian_store::contracts::flagged(&state.db, &scope).await?,
            notices,
            today: state.today().format("%Y-%m-%d").to_string(),
            flash,
            error,
        },
        refused,
    ))
}

fn month_or_current(state: &AppState, raw: Option<&str>) -> Result<Month, Problem> {
    match raw.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => Month::parse(m).map_err(Problem::from),
        None => Ok(Month::of(state.today())),
    }
}

/// `?month=&after=&find=&ok=`: the month shown, the records after record `after` (the
/// next page), what narrows the form's enterprises, and the flash of the action that
/// led to the page.
#[derive(Deserialize, Default)]
pub struct EnforcementsQuery {
    pub month: Option<String>,
    pub after: Option<i64>,
    pub find: Option<String>,
    pub ok: Option<String>,
}

/// GET /enforcements?month=YYYY-MM (default: this month).
pub async fn index(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<EnforcementsQuery>,
) -> Result<Response, PageError> {
    let month = month_or_current(&state, q.month.as_deref())?;
    let flash = q.ok.map(|k| {
        match k.as_str() {
            "recheck" => "复查结果已记录",
            "penalty" => "处罚决定已记录，须于7个工作日内公示（已列入待办）",
            "plan" => "年度监督检查计划已保存",
            "measure" => "措施已记录，文书已存档",
            "standard" => "自由裁量基准已保存，此后的处罚决定按其核对",
            _ => "执法检查已记录，整改复查已列入待办",
        }
        .to_string()
    });
    page(
        &state,
        &u,
        month,
        (q.find.as_deref(), q.after),
        Notice::flash(flash),
    )
    .await
}

/// The record form: up to three inspectors and an optional penalty, flat.
#[derive(Deserialize, Default)]
pub struct EnforcementForm {
    #[serde(default)]
    pub enterprise: String,
    #[serde(default)]
    pub inspected_on: String,
    #[serde(default)]
    pub i1_name: String,
    #[serde(default)]
    pub i1_certificate: String,
    #[serde(default)]
    pub i2_name: String,
    #[serde(default)]
    pub i2_certificate: String,
    #[serde(default)]
    pub i3_name: String,
    #[serde(default)]
    pub i3_certificate: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub checked: String,
    #[serde(default)]
    pub problems: String,
    #[serde(default)]
    pub handling: String,
    #[serde(default)]
    pub signed: String,
    #[serde(default)]
    pub principal_checked: String,
    #[serde(default)]
    pub heads_checked: String,
    #[serde(default)]
    pub order_deadline: String,
    /// The penalty, when decided with the record.
    #[serde(flatten)]
    pub penalty: PenaltyFields,
    #[serde(default)]
    pub to_ledger: String,
    /// The special campaign (empty, `subcontracting`, `workforce`).
    #[serde(default)]
    pub kind: String,
    /// A flagged contract found at fault (分包转包专项).
    #[serde(default)]
    pub contract: String,
}

/// A 是 / 否 radio: `1`, `0`, or unanswered.
fn yes_no(raw: &str) -> Option<bool> {
    match raw.trim() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    }
}

impl EnforcementForm {
    fn input(&self) -> EnforcementInput {
        let inspectors = [
            (&self.i1_name, &self.i1_certificate),
            (&self.i2_name, &self.i2_certificate),
            (&self.i3_name, &self.i3_certificate),
        ]
        .into_iter()
        .filter(|(n, c)| !n.trim().is_empty() || !c.trim().is_empty())
        .map(|(n, c)| Inspector {
            name: n.clone(),
            certificate: c.clone(),
        })
        .collect();
        let penalty = self.penalty.given();
        EnforcementInput {
            inspected_on: self.inspected_on.clone(),
            inspectors,
            place: self.place.clone(),
            checked: self.checked.clone(),
            problems: self.problems.clone(),
            handling: self.handling.clone(),
            signed: !self.signed.is_empty(),
            principal_checked: yes_no(&self.principal_checked),
            heads_checked: yes_no(&self.heads_checked),
            order_deadline: self.order_deadline.clone(),
            penalty,
            to_ledger: !self.to_ledger.is_empty(),
            kind: self.kind.clone(),
            contracts: self.contract.trim().parse().ok().into_iter().collect(),
        }
    }
}

/// POST /enforcements: records an inspection by the user's unit.
pub async fn create(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<EnforcementForm>,
) -> Result<Response, PageError> {
    let input = f.input();
    let month = anjian_core::error::optional_date("inspected_on", "检查日期", &f.inspected_on)
        .ok()
        .flatten()
        .map(Month::of)
        .unwrap_or_else(|| Month::of(state.today()));
    let result = enforcements::create(
        &state.db,
        state.moment(),
        &u.actor(),
        &u.scope(),
        f.enterprise.trim().parse().ok(),
        &input,
    )
    .await
    .map(|_| format!("/enforcements?month={}&ok=1", month.name()))
    .map_err(Problem::from);
    after_form(result, |msg| {
        page(&state, &u, month, (None, None), Notice::error(msg))
    })
    .await
}

/// The recheck buttons.
#[derive(Deserialize)]
pub struct RecheckForm {
    #[serde(default)]
    pub rectified: String,
    #[serde(default)]
    pub month: String,
}

/// A penalty's fields on the record form and the later penalty form.
#[derive(Deserialize, Default)]
pub struct PenaltyFields {
    #[serde(default)]
    pub penalty_kind: String,
    #[serde(default)]
    pub penalty_amount: String,
    #[serde(default)]
    pub penalty_legal_basis: String,
    #[serde(default)]
    pub penalty_discretion: String,
    #[serde(default)]
    pub penalty_decided_on: String,
    #[serde(default)]
    pub penalty_paid_by: String,
}

impl PenaltyFields {
    /// The penalty as typed.
    fn input(&self) -> PenaltyInput {
        PenaltyInput {
            kind: self.penalty_kind.clone(),
            amount: self.penalty_amount.clone(),
            legal_basis: self.penalty_legal_basis.clone(),
            decided_on: self.penalty_decided_on.clone(),
            paid_by: self.penalty_paid_by.clone(),
            discretion: self.penalty_discretion.clone(),
        }
    }

    /// The penalty, when any of its fields was filled in.
    fn given(&self) -> Option<PenaltyInput> {
        [
            &self.penalty_kind,
            &self.penalty_amount,
            &self.penalty_legal_basis,
            &self.penalty_decided_on,
            &self.penalty_discretion,
        ]
        .iter()
        .any(|v| !v.trim().is_empty())
        .then(|| self.input())
    }
}

/// The later penalty form (the second of the three steps).
#[derive(Deserialize, Default)]
pub struct PenaltyForm {
    #[serde(flatten)]
    pub penalty: PenaltyFields,
    #[serde(default)]
    pub month: String,
}

/// POST /enforcements/{id}/penalty: the penalty decided after the inspection.
pub async fn penalise(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    axum::extract::Path(id): axum::extract::Path<String>,
    PageForm(f): PageForm<PenaltyForm>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let month = month_or_current(&state, Some(&f.month))?;
    let input = f.penalty.input();
    let result = enforcements::penalise(&state.db, state.moment(), &u.actor(), id, &input)
        .await
        .map(|_| format!("/enforcements?month={}&ok=penalty", month.name()))
        .map_err(Problem::from);
    after_form(result, |msg| {
        page(&state, &u, month, (None, None), Notice::error(msg))
    })
    .await
}

/// The plan form.
#[derive(Deserialize, Default)]
pub struct PlanForm {
    #[serde(default)]
    pub q1: String,
    #[serde(default)]
    pub q2: String,
    #[serde(default)]
    pub q3: String,
    #[serde(default)]
    pub q4: String,
    #[serde(default)]
    pub note: String,
}

/// POST /inspection-plans/{year}: the user's unit's plan for the year.
pub async fn plan(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    axum::extract::Path(year): axum::extract::Path<String>,
    PageForm(f): PageForm<PlanForm>,
) -> Result<Response, PageError> {
    let count = |s: &str| Some(s.trim().parse::<i64>().unwrap_or(-1));
    let input = anjian_core::enforcement::InspectionPlanInput {
        q1: count(&f.q1),
        q2: count(&f.q2),
        q3: count(&f.q3),
        q4: count(&f.q4),
        note: f.note,
    };
    let year: i64 = year.trim().parse().unwrap_or(0);
    let month = Month::of(state.today());
    let result =
        anjian_store::inspection_plans::put(&state.db, state.now(), &u.actor(), year, &input)
            .await
            .map(|_| format!("/enforcements?month={}&ok=plan", month.name()))
            .map_err(Problem::from);
    after_form(result, |msg| {
        page(&state, &u, month, (None, None), Notice::error(msg))
    })
    .await
}

/// The measure form (multipart, the document in `photos`).
#[derive(Deserialize, Default)]
pub struct MeasureForm {
    #[serde(flatten)]
    pub measure: anjian_core::enforcement::MeasureInput,
    #[serde(default)]
    pub month: String,
}

/// POST /enforcements/{id}/measures: 责令停产停工 or 移送司法机关, with its document.
pub async fn add_measure(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    axum::extract::Path(id): axum::extract::Path<String>,
    crate::upload::PhotoForm { form: f, photos }: crate::upload::PhotoForm<MeasureForm>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let month = month_or_current(&state, Some(&f.month))?;
    let input = f.measure;
    let result = async {
        let stored = crate::upload::store(&state, &photos[..photos.len().min(1)]).await?;
        enforcements::add_measure(
            &state.db,
            state.moment(),
            &u.actor(),
            id,
            &input,
            stored.first(),
        )
        .await?;
        Ok::<_, Problem>(format!("/enforcements?month={}&ok=measure", month.name()))
    }
    .await;
    after_form(result, |msg| {
        page(&state, &u, month, (None, None), Notice::error(msg))
    })
    .await
}

/// GET /enforcement-measures/{id}/document: a measure's document, for whoever sees its
/// record.
pub async fn measure_document(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let sha = enforcements::measure_document(&state.db, &u.scope(), id).await?;
    super::stored_file(&state, &sha).await
}

/// POST /enforcements/{id}/recheck: `rectified` 1 or 0.
pub async fn recheck(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    axum::extract::Path(id): axum::extract::Path<String>,
    PageForm(f): PageForm<RecheckForm>,
) -> Result<Response, PageError> {
    let id = crate::input::path_id(&id)?;
    let month = month_or_current(&state, Some(&f.month))?;
    let result = enforcements::recheck(
        &state.db,
        state.moment(),
        &u.actor(),
        id,
        f.rectified == "1",
    )
    .await
    .map(|_| format!("/enforcements?month={}&ok=recheck", month.name()))
    .map_err(Problem::from);
    after_form(result, |msg| {
        page(&state, &u, month, (None, None), Notice::error(msg))
    })
    .await
}

/// The standard's form: one clause per line, "编号|违法行为|处罚依据|等级:下限-上限|…".
#[derive(Deserialize, Default)]
pub struct StandardForm {
    #[serde(default)]
    pub clauses: String,
    #[serde(default)]
    pub month: String,
}

/// Reads the standard's lines (field `clauses`): each line's code, violation, basis and
/// at least one "等级:下限-上限" range in yuan.
pub fn read_standard(text: &str) -> Result<Vec<anjian_core::discretion::Clause>, Problem> {
    use anjian_core::discretion::{Clause, Grade, Range};
    let bad = |n: usize, why: &str| {
        Problem::bad_field(
            "invalid_clause",
            "clauses",
            format!("第{n}行{why}，应为“编号|违法行为|处罚依据|一般:10000-30000|较重:30000-50000”"),
        )
    };
    let mut out = Vec::new();
    for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let n = i + 1;
        let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
        if parts.len() < 4 {
            return Err(bad(n, "不完整"));
        }
        let mut ranges = Vec::new();
        for r in &parts[3..] {
            let (g, span) = r
                .split_once([':', '：'])
                .ok_or_else(|| bad(n, "的裁量幅度无法识别"))?;
            let grade = Grade::find_in(g.trim()).ok_or_else(|| bad(n, "的裁量等级无法识别"))?;
            let (lo, hi) = span
                .split_once(['-', '－', '~'])
                .ok_or_else(|| bad(n, "的罚款幅度无法识别"))?;
            let (Ok(min_yuan), Ok(max_yuan)) = (lo.trim().parse(), hi.trim().parse()) else {
                return Err(bad(n, "的罚款金额无法识别"));
            };
            ranges.push(Range {
                grade,
                min_yuan,
                max_yuan,
            });
        }
        out.push(Clause {
            code: parts[0].to_string(),
            violation: parts[1].to_string(),
            legal_basis: parts[2].to_string(),
            ranges,
        });
    }
    Ok(out)
}

/// POST /discretion-standard: the office replaces the standard.
pub async fn set_standard(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<StandardForm>,
) -> Result<Response, PageError> {
    let month = month_or_current(&state, Some(&f.month))?;
    let result = async {
        let clauses = read_standard(&f.clauses)?;
        anjian_store::discretion::set(&state.db, state.now(), &u.actor(), &clauses).await?;
        Ok::<_, Problem>(format!("/enforcements?month={}&ok=standard", month.name()))
    }
    .await;
    after_form(result, |msg| {
        page(&state, &u, month, (None, None), Notice::error(msg))
    })
    .await
}
