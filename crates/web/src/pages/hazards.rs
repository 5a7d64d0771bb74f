//! The hazard ledger pages: the ledger with filters and its .xlsx export, recording a
//! hazard, and one hazard with its history and the loop's forms (feedback with
//! after-photos, verification, extension, listing). They call the same store functions
//! as the API.

use anjian_core::case::{Status, Step};
use anjian_core::hazard::{GovernancePlan, HazardInput, Level, Source};
use anjian_core::machine::States as _;
use anjian_store::hazards::{self, HazardDetail, HazardFilter, HazardRow, StepExtras};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Done, Layout, PageForm, PageQuery, after_form};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{PageError, Problem, render, render_form};
use crate::input::path_id;
use crate::upload::PhotoForm;

type User = anjian_store::accounts::SessionUser;

fn level_label(s: &str) -> &'static str {
    Level::parse(s).map(|l| l.label()).unwrap_or("—")
}

fn source_label(s: &str) -> &'static str {
    Source::parse(s).map(|s| s.label()).unwrap_or("—")
}

/// The ledger's filters, as the query string carries them.
#[derive(Deserialize, Default, Clone)]
pub struct LedgerQuery {
    #[serde(default)]
    pub sector: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub listed: String,
    /// A locality's hazards (drill-down from the dashboard and the ranking).
    pub locality: Option<i64>,
    /// Found in this month, YYYY-MM.
    #[serde(default)]
    pub month: String,
    /// Words in the place, the description or the unit's name.
    #[serde(default)]
    pub q: String,
    pub after: Option<i64>,
    pub ok: Option<String>,
}

impl LedgerQuery {
    fn filter(&self, limit: i64) -> Result<HazardFilter, Problem> {
        let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let level = some(&self.level).map(|l| Level::parse(&l)).transpose()?;
        if let Some(s) = some(&self.status)
            && s != "overdue"
            && Status::parse(&s).is_none()
        {
            return Err(Problem::bad_field("invalid_status", "status", "状态无效"));
        }
        let found = some(&self.month)
            .map(|m| anjian_core::monthly_report::Month::parse(&m))
            .transpose()?
            .map(|m| (m.first, m.last));
        Ok(HazardFilter {
            unit: None,
            locality: self.locality,
            found,
            sector: some(&self.sector),
            level: level.map(|l| l.as_str().to_string()),
            status: some(&self.status),
            listed: (self.listed == "1").then_some(true),
            search: anjian_core::error::search_term(Some(&self.q), 50),
            after: self.after,
            limit,
        })
    }

    /// The filters as a query string (without `after`).
    fn query_string(&self) -> String {
        let enc = |s: &str| crate::auth::urlencode(s);
        format!(
            "sector={}&level={}&status={}&listed={}&month={}&q={}{}",
            enc(&self.sector),
            enc(&self.level),
            enc(&self.status),
            enc(&self.listed),
            enc(&self.month),
            enc(&self.q),
            self.locality
                .map(|l| format!("&locality={l}"))
                .unwrap_or_default()
        )
    }
}

/// A ledger line as the page shows it.
pub struct LedgerLine {
    pub row: HazardRow,
    pub level: &'static str,
    pub status: &'static str,
}

/// The ledger page.
#[derive(Template)]
#[template(path = "hazards.html")]
pub struct LedgerPage {
    pub layout: Option<Layout>,
    pub q: LedgerQuery,
    pub query: String,
    pub sectors: Vec<String>,
    pub rows: Vec<LedgerLine>,
    pub next: Option<i64>,
    pub flash: Option<String>,
    /// The localities (townships, zones, departments) the reader may narrow to.
    pub localities: Vec<(i64, String)>,
}

const PAGE: i64 = 50;

/// GET /hazards: the ledger in scope, newest first, 50 a page.
pub async fn ledger(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<LedgerQuery>,
) -> Result<Response, PageError> {
    let rows = hazards::list(&state.db, &u.scope(), state.today(), &q.filter(PAGE)?).await?;
    let next = (rows.len() as i64 == PAGE)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    Ok(render(&LedgerPage {
        layout: Layout::of(&u),
        query: q.query_string(),
        sectors: hazards::sectors(&state.db)
            .await?
            .into_iter()
            .map(|(_, n)| n)
            .collect(),
        rows: rows
            .into_iter()
            .map(|row| LedgerLine {
                level: level_label(&row.level),
                status: Status::label_of(&row.status),
                row,
            })
            .collect(),
        next,
        flash: q.ok.as_ref().map(|_| "已登记隐患".to_string()),
        localities: super::unit_choices(&state, &u, &["township", "zone_committee", "department"])
            .await?,
        q,
    }))
}

/// GET /hazards.xlsx: the ledger with the page's filters, every keyset page, written
/// with constant memory to a temporary file that is streamed out and removed.
pub async fn export(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<LedgerQuery>,
) -> Result<Response, PageError> {
    if let Some(r) = super::second_factor::export_gate(&state, &u, &uri) {
        return Ok(r);
    }
    let mut f = q.filter(1000)?;
    let (scope, day) = (u.scope(), state.today());
    let failed = |_| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "xlsx", "生成表格失败");
    let headers = [
        "编号",
        "责任单位",
        "行业领域",
        "等级",
        "来源",
        "隐患部位",
        "隐患描述",
        "发现日期",
        "整改时限",
        "状态",
        "逾期",
        "挂牌督办",
    ];
    let widths = [
        18.0, 16.0, 10.0, 10.0, 10.0, 30.0, 40.0, 12.0, 12.0, 12.0, 6.0, 8.0,
    ];
    let mut sheet = anjian_core::sheet::SheetWriter::new("隐患台账", &headers, &widths)
        .map_err(failed)?
        .by(&u.unit_name);
    loop {
        let page = hazards::list(&state.db, &scope, day, &f).await?;
        let full = page.len() as i64 == f.limit;
        f.after = page.last().map(|r| r.id);
        let rows: Vec<Vec<String>> = page
            .into_iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.unit_name,
                    r.sector,
                    level_label(&r.level).to_string(),
                    source_label(&r.source).to_string(),
                    r.place,
                    r.description,
                    r.discovered_on,
                    r.deadline.unwrap_or_default(),
                    Status::label_of(&r.status).to_string(),
                    if r.overdue == 1 { "是" } else { "" }.to_string(),
                    if r.listed == 1 { "是" } else { "" }.to_string(),
                ]
            })
            .collect();
        sheet.rows(&rows).map_err(failed)?;
        if !full {
            break;
        }
    }
    let path = std::env::temp_dir().join(format!(
        "anjian-export-{}.xlsx",
        anjian_store::ids::next_id(state.now())
    ));
    let saved = path.clone();
    tokio::task::spawn_blocking(move || sheet.save(&saved))
        .await
        .map_err(|_| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "xlsx", "生成表格失败"))?
        .map_err(failed)?;
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|_| Problem::not_found())?;
    // The open file stays readable after its name is removed.
    let _ = tokio::fs::remove_file(&path).await;
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                crate::download::attachment("隐患台账.xlsx"),
            ),
        ],
        body,
    )
        .into_response())
}

/// The form that records a hazard: the API's fields, with the governance plan's six
/// parts as flat `g_*` fields (a form cannot nest).
#[derive(Deserialize, Default, Clone)]
pub struct HazardForm {
    #[serde(flatten)]
    pub h: HazardInput,
    #[serde(default)]
    pub g_targets: String,
    #[serde(default)]
    pub g_methods: String,
    #[serde(default)]
    pub g_funds_and_materials: String,
    #[serde(default)]
    pub g_people: String,
    #[serde(default)]
    pub g_deadline: String,
    #[serde(default)]
    pub g_safety_measures: String,
    /// The photos sent with an earlier, refused submission (`upload::keep`).
    #[serde(default)]
    pub kept: String,
}

impl HazardForm {
    fn input(&self) -> HazardInput {
        HazardInput {
            governance_plan: Some(GovernancePlan {
                targets: self.g_targets.clone(),
                methods: self.g_methods.clone(),
                funds_and_materials: self.g_funds_and_materials.clone(),
                people: self.g_people.clone(),
                deadline: self.g_deadline.clone(),
                safety_measures: self.g_safety_measures.clone(),
            }),
            ..self.h.clone()
        }
    }
}

/// The page that records a hazard.
#[derive(Template)]
#[template(path = "hazard_new.html")]
pub struct NewPage {
    pub layout: Option<Layout>,
    pub f: HazardForm,
    pub sectors: Vec<String>,
    pub sources: Vec<(&'static str, &'static str)>,
    /// The names of the photos kept from the refused submission.
    pub kept_names: Vec<String>,
    pub error: Option<String>,
    /// Each problem of a refused submission, shown beside its field.
    pub refusal: super::Refusal,
}

async fn new_page(
    state: &AppState,
    u: &User,
    f: HazardForm,
    refusal: Option<super::Refusal>,
) -> Result<Response, PageError> {
    let refused = refusal.is_some();
    let refusal = refusal.unwrap_or_default();
    let kept_names = crate::upload::kept(state, u.user_id, &f.kept)
        .await
        .into_iter()
        .map(|p| p.file_name)
        .collect();
    let r = render_form(
        &NewPage {
            kept_names,
            layout: Layout::of(u),
            sectors: hazards::sectors(&state.db)
                .await?
                .into_iter()
                .map(|(_, n)| n)
                .collect(),
            sources: Source::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            f,
            error: refused.then(|| refusal.summary.clone()),
            refusal,
        },
        refused,
    );
    Ok(r)
}

/// GET /hazards/new.
pub async fn new(
    State(state): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    let f = HazardForm {
        h: HazardInput {
            level: "general".into(),
            discovered_on: state.today().format("%Y-%m-%d").to_string(),
            ..Default::default()
        },
        ..Default::default()
    };
    new_page(&state, &u, f, None).await
}

/// POST /hazards (multipart, with before-photos in `photos`; or urlencoded without):
/// records a hazard for the user's own unit.
pub async fn create(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PhotoForm {
        form: mut f,
        photos,
    }: PhotoForm<HazardForm>,
) -> Result<Response, PageError> {
    let input = f.input();
    // Photos sent with an earlier refused submission, then this one's.
    let mut all = crate::upload::kept(&state, u.user_id, &f.kept).await;
    if let Err(e) = hazards::precheck(&state.db, state.now(), &input).await {
        // Refused: the photos just sent are kept for the next submission (the store
        // refuses a unit out of the caller's rights before anything is kept).
        hazards::may_record(&u.actor())?;
        all.extend(crate::upload::store(&state, &photos).await?);
        f.kept = crate::upload::keep(&state, u.user_id, &all);
        return super::after_form_with(Err(e.into()), |r| new_page(&state, &u, f.clone(), Some(r)))
            .await;
    }
    all.extend(crate::upload::store(&state, &photos).await?);
    let photos = all;
    f.kept = crate::upload::keep(&state, u.user_id, &photos);
    let result = hazards::create(
        &state.db,
        state.now(),
        &u.actor(),
        &u.scope(),
        hazards::Finding {
            input: &input,
            photos: &photos,
        },
        None,
    )
    .await
    .map(|id| format!("/hazards/{id}?ok=created"))
    .map_err(Problem::from);
    super::after_form_with(result, |r| new_page(&state, &u, f.clone(), Some(r))).await
}

/// One hazard's page.
#[derive(Template)]
#[template(path = "hazard.html")]
pub struct HazardPage {
    pub layout: Option<Layout>,
    pub h: HazardDetail,
    /// A major hazard's governance plan, part by part, as the unit entered it.
    pub plan: Vec<(&'static str, String)>,
    pub level: &'static str,
    pub status: &'static str,
    pub source: &'static str,
    pub funds: String,
    pub steps: Vec<StepView>,
    pub can_feedback: bool,
    pub can_verify: bool,
    pub on_site_required: bool,
    pub can_request_extension: bool,
    pub can_decide_extension: bool,
    pub can_list: bool,
    pub flash: Option<String>,
    pub error: Option<String>,
}

/// A step of the history with its files.
pub struct StepView {
    pub when: String,
    pub what: &'static str,
    pub who: String,
    pub note: String,
    pub files: Vec<(String, String)>,
}

fn step_label(step: &str) -> &'static str {
    match step {
        "assign" => "交办",
        "start" => "开始整改",
        "feedback" => "反馈整改情况",
        "verify_pass" => "核查通过，销号",
        "verify_fail" => "核查未通过，退回整改",
        "extend_request" => "申请延期",
        "extend_approve" => "同意延期",
        "extend_refuse" => "不同意延期",
        "close_on_spot" => "即查即改销号",
        "list" => "挂牌督办",
        _ => "办理",
    }
}

async fn hazard_page(
    state: &AppState,
    u: &User,
    id: i64,
    flash: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let h = hazards::get(&state.db, &u.scope(), state.today(), id).await?;
    let status = Status::parse(&h.row.status).unwrap_or(Status::Found);
    let open = status.open();
    let flash = flash.map(|kind| done(&kind, &h, status));
    let me = u.unit_id;
    let responsible = me == h.row.unit_id;
    let verifier = h.listing_unit_id.unwrap_or(h.assigner_unit_id);
    let steps = h
        .steps
        .iter()
        .map(|s| StepView {
            when: anjian_core::time::format_local(s.at),
            what: step_label(&s.step),
            who: format!(
                "{} {}",
                s.unit.clone().unwrap_or_default(),
                s.actor.clone().unwrap_or_default()
            ),
            note: s.note.clone(),
            files: h
                .files
                .iter()
                .filter(|(step, _)| *step == s.id)
                .map(|(_, f)| (f.sha256.clone(), f.file_name.clone()))
                .collect(),
        })
        .collect();
    let refused = error.is_some();
    let r = render_form(
        &HazardPage {
            plan: h
                .governance_plan
                .clone()
                .and_then(|v| serde_json::from_value::<GovernancePlan>(v).ok())
                .map(|g| {
                    [
                        ("治理目标和任务", g.targets),
                        ("采取的方法和措施", g.methods),
                        ("经费和物资", g.funds_and_materials),
                        ("负责治理的机构和人员", g.people),
                        ("治理时限和要求", g.deadline),
                        ("安全措施和应急预案", g.safety_measures),
                    ]
                    .into_iter()
                    .filter(|(_, t)| !t.trim().is_empty())
                    .collect()
                })
                .unwrap_or_default(),
            layout: Layout::of(u),
            level: level_label(&h.row.level),
            status: status.label(),
            source: source_label(&h.row.source),
            funds: h
                .funds_fen
                .map(|f| format!("{} 元", anjian_core::error::yuan(f)))
                .unwrap_or_default(),
            steps,
            can_feedback: responsible && matches!(status, Status::Assigned | Status::Rectifying),
            can_verify: me == verifier && status == Status::Feedback,
            on_site_required: h.listing_unit_id.is_some(),
            can_request_extension: responsible
                && matches!(status, Status::Assigned | Status::Rectifying)
                && h.extension_until.is_none(),
            can_decide_extension: me == h.assigner_unit_id && open && h.extension_until.is_some(),
            can_list: u.role().can_run_campaigns()
                && open
                && h.row.level == "major"
                && h.listing_unit_id.is_none(),
            h,
            flash,
            error,
        },
        refused,
    );
    Ok(r)
}

/// GET /hazards/{id}.
pub async fn show(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageQuery(d): PageQuery<Done>,
) -> Result<Response, PageError> {
    hazard_page(&state, &u, path_id(&id)?, d.ok, None).await
}

/// The confirmation of what was just done to hazard `h` (`kind`: `created`, `listed`,
/// or any step), naming the unit, the place and what follows.
fn done(kind: &str, h: &HazardDetail, status: Status) -> String {
    let what = format!("{} · {}", h.row.unit_name, h.row.place);
    let until = h
        .row
        .deadline
        .as_deref()
        .map(|d| format!("，限 {d} 前整改"))
        .unwrap_or_default();
    match kind {
        "created" if status.open() => format!("已登记并交办：{what}{until}"),
        "created" => format!("已登记并即查即改销号：{what}"),
        "listed" => format!("已挂牌督办：{what}{until}"),
        _ => format!("已办理：{what}，当前状态：{}", status.label()),
    }
}

async fn take(
    state: &AppState,
    u: &User,
    id: i64,
    step: Result<Step, Problem>,
    extras: StepExtras<'_>,
) -> Result<Response, PageError> {
    let result = match step {
        Ok(step) => hazards::step(
            &state.db,
            state.now(),
            &u.actor(),
            &u.scope(),
            id,
            &step,
            &extras,
        )
        .await
        .map(|_| format!("/hazards/{id}?ok=step"))
        .map_err(Problem::from),
        Err(p) => Err(p),
    };
    after_form(result, |msg| hazard_page(state, u, id, None, Some(msg))).await
}

/// GET /cases/{id}: a case's page, which is its hazard's (a case deadline in a to-do
/// list links here).
pub async fn case(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = hazards::of_case(&state.db, &u.scope(), path_id(&id)?).await?;
    Ok(axum::response::Redirect::to(&format!("/hazards/{id}")).into_response())
}

/// POST /hazards/{id}/feedback (multipart: `text`, `evidence` after-photos).
pub async fn feedback(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    match crate::shared::reports::read_report(&mut form).await {
        Ok(crate::shared::reports::ReportForm { text, files, .. }) => {
            // The photos are stored once the hazard is known to be the caller's to see.
            hazards::get(&state.db, &u.scope(), state.today(), id).await?;
            let files = crate::upload::store(&state, &files).await?;
            let extras = StepExtras {
                note: &text,
                files: &files,
                on_site: false,
            };
            take(&state, &u, id, Ok(Step::Feedback), extras).await
        }
        Err(p) => after_form(Err(p), |msg| hazard_page(&state, &u, id, None, Some(msg))).await,
    }
}

/// The verification and extension forms.
#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    on_site: String,
}

/// POST /hazards/{id}/verify: `decision` pass / fail.
pub async fn verify(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<StepForm>,
) -> Result<Response, PageError> {
    let step = Ok(Step::Verify {
        pass: f.decision == "pass",
    });
    let extras = StepExtras {
        note: &f.reason,
        files: &[],
        on_site: !f.on_site.is_empty(),
    };
    take(&state, &u, path_id(&id)?, step, extras).await
}

/// POST /hazards/{id}/extend: ask (`until`, `reason`) or decide (`decision` approve / refuse).
pub async fn extend(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<StepForm>,
) -> Result<Response, PageError> {
    let step = match f.decision.as_str() {
        "approve" => Ok(Step::DecideExtension { approve: true }),
        "refuse" => Ok(Step::DecideExtension { approve: false }),
        _ => chrono::NaiveDate::parse_from_str(f.until.trim(), "%Y-%m-%d")
            .map(|until| Step::RequestExtension { until })
            .map_err(|_| {
                Problem::bad_field(
                    "invalid_date",
                    "until",
                    "申请的整改期限应为 YYYY-MM-DD 格式的日期",
                )
            }),
    };
    let extras = StepExtras {
        note: &f.reason,
        files: &[],
        on_site: false,
    };
    take(&state, &u, path_id(&id)?, step, extras).await
}

/// The listing form.
#[derive(Deserialize)]
pub struct ListForm {
    #[serde(default)]
    leader: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    note: String,
}

/// POST /hazards/{id}/list: the office lists a major hazard for supervision.
pub async fn list_for_supervision(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    PageForm(f): PageForm<ListForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id)?;
    let result = hazards::list_for_supervision(
        &state.db,
        state.now(),
        &u.actor(),
        &u.scope(),
        id,
        hazards::Listing {
            leader: &f.leader,
            deadline: &f.deadline,
            note: &f.note,
        },
    )
    .await
    .map(|_| format!("/hazards/{id}?ok=listed"))
    .map_err(Problem::from);
    after_form(result, |msg| hazard_page(&state, &u, id, None, Some(msg))).await
}

/// GET /hazards/{id}/files/{sha}: a step's photo, for users who see the hazard.
pub async fn file(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    Path((id, sha)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let h = hazards::get(&state.db, &u.scope(), state.today(), path_id(&id)?).await?;
    let f = h
        .files
        .iter()
        .map(|(_, f)| f)
        .find(|f| f.sha256 == sha)
        .ok_or_else(Problem::not_found)?;
    Ok(crate::download::stored(&state, &f.sha256, Some(&f.mime), &f.file_name).await?)
}

/// The listed-hazards board page.
#[derive(Template)]
#[template(path = "hazard_board.html")]
pub struct BoardPage {
    pub layout: Option<Layout>,
    pub lines: Vec<(hazards::ListingLine, String, &'static str)>,
    /// The office's days to confirm a major hazard's listing.
    pub days: u64,
    pub office: bool,
    pub error: Option<String>,
}

/// GET /hazards/listed: every listing, current and past.
pub async fn board(
    State(state): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    board_page(&state, &u, None).await
}

/// The days form.
#[derive(Deserialize, Default)]
pub struct DaysForm {
    #[serde(default)]
    pub days: String,
}

/// POST /hazards/listed/days: the office sets its days to confirm a listing.
pub async fn set_listing_days(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageForm(f): PageForm<DaysForm>,
) -> Result<Response, PageError> {
    let result = anjian_store::major_listing::set_days(&state.db, state.now(), &u.actor(), &f.days)
        .await
        .map(|_| "/hazards/listed".to_string())
        .map_err(Problem::from);
    after_form(result, |e| board_page(&state, &u, Some(e))).await
}

async fn board_page(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    error: Option<String>,
) -> Result<Response, PageError> {
    let lines = hazards::board(&state.db, 200)
        .await?
        .into_iter()
        .map(|l| {
            let when = anjian_core::time::format_local(l.listed_at);
            let st = Status::label_of(&l.status);
            (l, when, st)
        })
        .collect();
    let refused = error.is_some();
    Ok(crate::error::render_form(
        &BoardPage {
            layout: Layout::of(u),
            lines,
            days: anjian_store::major_listing::days(&state.db).await?,
            office: u.role().can_run_campaigns(),
            error,
        },
        refused,
    ))
}

/// The statistics page: rectification rates by unit, sector or month, table and chart.
#[derive(Template)]
#[template(path = "hazard_stats.html")]
pub struct StatsPage {
    pub layout: Option<Layout>,
    pub by: &'static str,
    pub lines: Vec<hazards::StatLine>,
    pub total: hazards::StatLine,
    pub chart: String,
}

/// `?by=unit|sector|month`.
#[derive(Deserialize, Default)]
pub struct StatsQuery {
    #[serde(default)]
    pub by: String,
}

/// GET /hazards/stats.
pub async fn stats(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    PageQuery(q): PageQuery<StatsQuery>,
) -> Result<Response, PageError> {
    let (by, key, title) = match q.by.as_str() {
        "sector" => (hazards::StatsBy::Sector, "sector", "各行业领域隐患整改率"),
        "month" => (hazards::StatsBy::Month, "month", "各月发现隐患整改率"),
        _ => (hazards::StatsBy::Unit, "unit", "各单位隐患整改率"),
    };
    let lines = hazards::stats(&state.db, &u.scope(), state.today(), by).await?;
    let total = hazards::StatLine::total(&lines);
    let bars: Vec<(String, i64)> = lines.iter().map(|l| (l.key.clone(), l.rate())).collect();
    Ok(render(&StatsPage {
        layout: Layout::of(&u),
        by: key,
        chart: anjian_core::chart::percent_bars(title, &bars, 80),
        lines,
        total,
    }))
}

/// The ledger import page, with the result of an upload.
#[derive(Template)]
#[template(path = "hazard_import.html")]
pub struct ImportPage {
    pub layout: Option<Layout>,
    pub imported: Option<usize>,
    pub problems: Vec<anjian_core::directory::RowProblem>,
}

/// GET /hazards/import.
pub async fn import_page(
    State(_state): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    Ok(render(&ImportPage {
        layout: Layout::of(&u),
        imported: None,
        problems: Vec::new(),
    }))
}

/// GET /hazards/template.xlsx: the import template with today's sectors.
pub async fn template(
    State(state): State<AppState>,
    // Signed in (the route guard keeps the business area to its roles).
    PageUser(_): PageUser,
) -> Result<Response, PageError> {
    let sectors: Vec<String> = hazards::sectors(&state.db)
        .await?
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    let bytes = anjian_core::ledger::template(&sectors)
        .map_err(|_| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "xlsx", "生成模板失败"))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                crate::download::attachment("隐患台账导入模板.xlsx"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// POST /hazards/import (multipart `file`): every row checked; all or nothing.
pub async fn import(
    State(state): State<AppState>,
    PageUser(u): PageUser,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let bytes = crate::upload::file_field(&mut form).await?;
    let sectors: Vec<String> = hazards::sectors(&state.db)
        .await?
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    let (rows, problems) = anjian_core::ledger::read(&bytes, &sectors, state.today());
    if !problems.is_empty() || rows.is_empty() {
        let problems = if problems.is_empty() {
            vec![anjian_core::directory::RowProblem {
                row: 0,
                column: "文件".into(),
                message: "表中没有隐患".into(),
            }]
        } else {
            problems
        };
        let mut r = render(&ImportPage {
            layout: Layout::of(&u),
            imported: None,
            problems,
        });
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    }
    let inputs: Vec<HazardInput> = rows.into_iter().map(|(_, i)| i).collect();
    let n = hazards::import(
        &state.db,
        state.now(),
        &u.actor(),
        &u.scope(),
        &inputs,
        None,
    )
    .await?;
    Ok(render(&ImportPage {
        layout: Layout::of(&u),
        imported: Some(n),
        problems: Vec::new(),
    }))
}
