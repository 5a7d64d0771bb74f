//! Investment and construction projects (measure 七): the register, the dated approval
//! steps with the plan's rules on their order (a step that breaks one is recorded and
//! flagged, and the flag told to the approving department and the office), the 三同时
//! checklist, the 安全评价 reports, and the (70) 回头看 review whose 限期整改 results
//! become obligations. Read in scope: the owner's township and sector departments, the
//! owner itself, and the approving department.

use anjian_core::project::{Check, Flag, Step, Verdict, Works, evaluated, flag_of, high_risk};
use anjian_core::role::Role;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::audit::{self, Entry};
use crate::db::{Db, Q, Tx, day, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::{Actor, Scope};

/// A project as the API takes it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewProject {
    #[serde(default)]
    pub name: String,
    /// The owner enterprise (an enterprise's own account owns what it registers).
    pub owner: Option<i64>,
    /// The industry: a sector of the directory (e.g. 危险化学品, 建筑施工).
    #[serde(default)]
    pub industry: String,
    /// `new`, `rebuild` or `expansion` (新建、改建、扩建).
    #[serde(default)]
    pub works: String,
    /// A crowded place (人员密集场所).
    #[serde(default)]
    pub crowded: bool,
    /// The approving department (default: the registering department).
    pub approver: Option<i64>,
    /// Approved in a batch (集中审批): refused to a high-risk project.
    #[serde(default)]
    pub batch_approval: bool,
}

/// Changes to a project: any of its name, crowded place, approver, batch approval, and
/// 三同时 checklist items.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ProjectPatch {
    pub name: Option<String>,
    pub crowded: Option<bool>,
    pub batch_approval: Option<bool>,
    #[serde(default)]
    pub checks: Vec<CheckInput>,
}

/// One 三同时 item: `budget`, `design`, `construction` or `use`, done or not, with its
/// evidence (the document that shows it) when done.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CheckInput {
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub done: bool,
    #[serde(default)]
    pub evidence: String,
    /// The evidence file, stored already (the pages' upload; not taken from JSON).
    #[serde(skip)]
    pub file: Option<crate::reports::EvidenceFile>,
}

/// A dated step as the API takes it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StepInput {
    #[serde(default)]
    pub step: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub on: String,
    /// The evaluating body (安全评价机构), for an evaluation.
    #[serde(default)]
    pub body: String,
    /// The document: the approval's number, the evaluation report's title and number.
    #[serde(default)]
    pub document: String,
    /// The approval is a batch approval (集中审批).
    #[serde(default)]
    pub batch: bool,
}

/// May register and record projects: the office, units' users and enterprises.
fn writer(r: Role) -> bool {
    r.does_field_work()
}

/// Projects visible in `scope` (as `p`; queries join its owner as `o`): see
/// [`Scope::projects`].
pub(crate) fn visible(scope: &Scope, query: Q) -> Q {
    scope.projects(query, "p")
}

/// Registers a project. Returns its id.
pub async fn create(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    n: &NewProject,
) -> Result<i64> {
    crate::authz::require(actor, writer)?;
    // The project's own fields are checked together and every problem told at once.
    let mut c = anjian_core::error::Checks::default();
    let name = c.take(anjian_core::error::required_text(
        "name",
        "项目名称",
        &n.name,
        200,
    ));
    let works = c.take(Works::parse(&n.works).ok_or_else(|| {
        anjian_core::error::FieldError::new(
            "invalid_works",
            "works",
            "works 应为 new（新建）、rebuild（改建）或 expansion（扩建）",
        )
    }));
    let industry = anjian_core::sector::canonical(&n.industry);
    let known = crate::hazards::sectors(db).await?;
    let sector_id = known.iter().find(|(_, s)| s == industry).map(|(id, _)| *id);
    if sector_id.is_none() {
        c.note(anjian_core::error::FieldError::new(
            "unknown_sector",
            "industry",
            "行业领域不在名录中",
        ));
    }
    let risky = high_risk(industry, n.crowded);
    if n.batch_approval
        && risky
        && let Error::Invalid(e) = batch_refused()
    {
        c.note(e);
    }
    c.finish()?;
    let (Some(name), Some(works), Some(sector_id)) = (name, works, sector_id) else {
        return Err(Error::invalid(
            "unreadable",
            "name",
            "表单无法读取，请重新填写",
        ));
    };
    let mut tx = db.begin().await?;
    let own = own_unit(&mut tx, actor).await?;
    let owner = match &own {
        Some((id, kind)) if kind == "enterprise" => *id,
        _ => n
            .owner
            .ok_or_else(|| Error::invalid("required", "owner", "请选择建设单位（企业）"))?,
    };
    // The owner: an enterprise in scope, or any enterprise for its approving department.
    let approver = match (n.approver, &own) {
        (Some(a), _) => a,
        (None, Some((id, kind))) if kind == "department" => *id,
        _ => return Err(Error::invalid("required", "approver", "请选择审批部门")),
    };
    let approves = own.as_ref().is_some_and(|(id, _)| *id == approver);
    let owner_scope = if approves { &Scope::All } else { scope };
    let found: Option<(String,)> = tx
        .opt(
            owner_scope
                .units(q("SELECT o.path FROM units o WHERE o.active = 1 AND o.kind IN ('enterprise', 'soe') AND "), "o")
                .push(" AND o.id = ")
                .push_bind(owner),
        )
        .await?;
    let Some(township) = found.and_then(|(path,)| crate::scope::locality(&path)) else {
        return Err(Error::invalid(
            "unknown_enterprise",
            "owner",
            "建设单位不是名录中的企业或不在您的范围内",
        ));
    };
    let dept: Option<(String,)> = tx
        .opt(q("SELECT kind FROM units WHERE active = 1 AND id = $1").bind(approver))
        .await?;
    if dept.is_none_or(|(k,)| k != "department") {
        return Err(Error::invalid(
            "unknown_department",
            "approver",
            "审批部门应为名录中的区级部门",
        ));
    }
    let id = next_id(now_ms);
    tx.execute(
        q("INSERT INTO projects (id, name, owner_id, township_id, sector_id, works, crowded, high_risk, evaluated, approver_id, batch_approval, state, flags, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'active', '', $12, $13, $13)")
            .bind(id)
            .bind(name.as_str())
            .bind(owner)
            .bind(township)
            .bind(sector_id)
            .bind(works.as_str())
            .bind(i64::from(n.crowded))
            .bind(i64::from(risky))
            .bind(i64::from(evaluated(industry)))
            .bind(approver)
            .bind(i64::from(n.batch_approval))
            .bind(actor.user_id)
            .bind(now_ms),
    )
    .await?;
    let checks: Vec<Vec<crate::db::Arg>> = Check::ALL
        .iter()
        .map(|c| vec![id.into(), c.as_str().into(), 0i64.into(), now_ms.into()])
        .collect();
    tx.execute(crate::db::insert_rows(
        "INSERT INTO project_checks (project_id, item, done, updated_at) VALUES ",
        &checks,
    ))
    .await?;
    let entry = Entry::ok("project.create", "project", id).detail(format!(
        "{}（{}，{}）",
        name,
        works.label(),
        industry
    ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

fn batch_refused() -> Error {
    Error::invalid(
        "batch_approval_refused",
        "batch_approval",
        "高危项目和人员密集场所不得以集中审批为名降低安全门槛，不能集中审批",
    )
}

/// The actor's unit and its kind.
async fn own_unit(tx: &mut Tx, actor: &Actor) -> Result<Option<(i64, String)>> {
    match actor.unit_id {
        Some(u) => {
            tx.opt(q("SELECT id, kind FROM units WHERE id = $1").bind(u))
                .await
        }
        None => Ok(None),
    }
}

/// A project's row as read for a write: its state, whether high-risk and evaluated,
/// its flags and name.
#[derive(sqlx::FromRow)]
struct Head {
    state: String,
    high_risk: i64,
    evaluated: i64,
    flags: String,
    name: String,
    approver_id: i64,
}

async fn head(tx: &mut Tx, scope: &Scope, id: i64) -> Result<Head> {
    tx.opt(
        visible(
            scope,
            q("SELECT p.state, p.high_risk, p.evaluated, p.flags, p.name, p.approver_id FROM projects p JOIN units o ON o.id = p.owner_id WHERE "),
        )
        .push(" AND p.id = ")
        .push_bind(id),
    )
    .await?
    .ok_or(Error::NotFound)
}

/// Changes a project's name, crowded place, batch approval or 三同时 items.
pub async fn patch(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    p: &ProjectPatch,
) -> Result<()> {
    crate::authz::require(actor, writer)?;
    let name = match &p.name {
        Some(n) => Some(anjian_core::error::required_text(
            "name",
            "项目名称",
            n,
            200,
        )?),
        None => None,
    };
    if p.checks.len() > Check::ALL.len() {
        return Err(Error::invalid(
            "too_many",
            "checks",
            "“三同时”检查项最多4项",
        ));
    }
    let mut checks = Vec::new();
    for c in &p.checks {
        let item = Check::parse(&c.item).ok_or_else(|| {
            Error::invalid(
                "invalid_item",
                "checks.item",
                "item 应为 budget、design、construction 或 use",
            )
        })?;
        let evidence =
            anjian_core::error::optional_text("checks.evidence", "佐证材料", &c.evidence, 500)?;
        if c.done && evidence.is_none() && c.file.is_none() {
            return Err(Error::invalid(
                "required",
                "checks.evidence",
                format!("“{}”已落实须附佐证材料", item.label()),
            ));
        }
        checks.push((item, c.done, evidence, c.file.clone()));
    }
    let mut tx = db.begin().await?;
    let h = head(&mut tx, scope, id).await?;
    // Whether it is high-risk follows from its industry and whether it is crowded.
    let (industry, crowded, batch): (String, i64, i64) = tx
        .one(q("SELECT s.name, p.crowded, p.batch_approval FROM projects p JOIN sectors s ON s.id = p.sector_id WHERE p.id = $1").bind(id))
        .await?;
    let crowded = p.crowded.unwrap_or(crowded == 1);
    let risky = high_risk(&industry, crowded);
    let batch = p.batch_approval.unwrap_or(batch == 1);
    if batch && risky {
        return Err(batch_refused());
    }
    tx.execute(
        q("UPDATE projects SET name = COALESCE($1, name), crowded = $2, high_risk = $3, batch_approval = $4, updated_at = $5 WHERE id = $6")
            .bind(name.clone())
            .bind(i64::from(crowded))
            .bind(i64::from(risky))
            .bind(i64::from(batch))
            .bind(now_ms)
            .bind(id),
    )
    .await?;
    for (item, done, evidence, file) in &checks {
        tx.execute(
            q("UPDATE project_checks SET done = $1, evidence = $2, updated_at = $3 WHERE project_id = $4 AND item = $5")
                .bind(i64::from(*done))
                .bind(evidence.clone())
                .bind(now_ms)
                .bind(id)
                .bind(item.as_str()),
        )
        .await?;
        if let Some(f) = file {
            tx.execute(
                q("UPDATE project_checks SET file_sha256 = $1, file_name = $2, file_mime = $3 WHERE project_id = $4 AND item = $5")
                    .bind(f.sha256.as_str())
                    .bind(f.file_name.as_str())
                    .bind(f.mime.as_str())
                    .bind(id)
                    .bind(item.as_str()),
            )
            .await?;
        }
    }
    let entry = Entry::ok("project.update", "project", id).detail(format!(
        "{}{}",
        name.unwrap_or(h.name),
        checks
            .iter()
            .map(|(i, d, _, _)| format!("；{}{}", i.label(), if *d { "已落实" } else { "未落实" }))
            .collect::<String>()
    ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await
}

/// Records a dated step of project `id` (in scope). A step dated before the step it
/// depends on is recorded and flagged; a new flag is told to the approving department
/// and the office. Refused: a step already recorded (409), an evaluated project's
/// approval or acceptance without its 安全评价 report, a high-risk project's batch
/// approval, use with a 三同时 item open (422). Returns the project's flags.
pub async fn record_step(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    s: &StepInput,
) -> Result<Vec<String>> {
    crate::authz::require(actor, writer)?;
    let step = Step::parse(&s.step).ok_or_else(|| {
        Error::invalid("invalid_step", "step", "step 应为 assessment、pre_evaluation、approval、design、construction、trial_run、acceptance_evaluation、acceptance 或 in_use")
    })?;
    let on = anjian_core::error::required_date("on", "日期", &s.on)?;
    let body = anjian_core::error::optional_text("body", "评价机构", &s.body, 200)?;
    let document = anjian_core::error::optional_text("document", "文件", &s.document, 300)?;
    if step.is_evaluation() && body.is_none() {
        return Err(Error::invalid("required", "body", "安全评价须填写评价机构"));
    }
    if step.is_evaluation() && document.is_none() {
        return Err(Error::invalid(
            "required",
            "document",
            "安全评价须填写评价报告",
        ));
    }
    let mut tx = db.begin().await?;
    let h = head(&mut tx, scope, id).await?;
    if h.state != "active" {
        return Err(Error::conflict(
            "project_closed",
            "step",
            "项目已淘汰取缔，不再登记步骤",
        ));
    }
    let dated: Vec<(String, String)> = tx
        .all(q("SELECT step, on_date FROM project_steps WHERE project_id = $1").bind(id))
        .await?;
    let mut dated: Vec<(Step, NaiveDate)> = dated
        .iter()
        .filter_map(|(s, d)| {
            Some((
                Step::parse(s)?,
                NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?,
            ))
        })
        .collect();
    if dated.iter().any(|(d, _)| *d == step) {
        return Err(Error::conflict(
            "step_recorded",
            "step",
            format!("“{}”已登记", step.label()),
        ));
    }
    if let Some(report) = step.needs_evaluation().filter(|_| h.evaluated == 1)
        && !dated.iter().any(|(d, _)| *d == report)
    {
        // Key task 35: "矿山、金属冶炼建设项目和用于生产、储存、装卸危险物品的建设项目，应当按照
        // 国家有关规定进行安全评价".
        return Err(Error::invalid(
            "evaluation_required",
            "step",
            format!("该项目须先完成{}，方可登记{}", report.label(), step.label()),
        ));
    }
    if step == Step::Approval && s.batch && h.high_risk == 1 {
        return Err(batch_refused());
    }
    if step == Step::InUse {
        let (open,): (i64,) = tx
            .one(q("SELECT CAST(COUNT(*) AS BIGINT) FROM project_checks WHERE project_id = $1 AND done = 0").bind(id))
            .await?;
        if open > 0 {
            return Err(Error::invalid(
                "three_simultaneities_open",
                "step",
                format!("“三同时”尚有{open}项未落实，不能投入使用"),
            ));
        }
    }
    dated.push((step, on));
    // Every step's flag again: a later date can settle or raise an earlier one.
    let date_of = |s: Step| dated.iter().find(|(d, _)| *d == s).map(|(_, d)| *d);
    let flags_now: Vec<(Step, Option<Flag>)> = dated
        .iter()
        .map(|(s, d)| {
            (
                *s,
                flag_of(*s, *d, |x| if x == *s { None } else { date_of(x) }),
            )
        })
        .collect();
    tx.execute(
        q("INSERT INTO project_steps (project_id, step, on_date, body, document, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(id)
            .bind(step.as_str())
            .bind(day(on))
            .bind(body)
            .bind(document)
            .bind(actor.user_id)
            .bind(now_ms),
    )
    .await?;
    // Every step's flag in one statement: `CASE step WHEN … THEN … END`.
    let mut set = q("UPDATE project_steps SET flag = CASE step");
    for (s, f) in &flags_now {
        set = set
            .push(" WHEN ")
            .push_bind(s.as_str())
            .push(" THEN ")
            .push_bind(f.map(Flag::as_str));
    }
    tx.execute(set.push(" END WHERE project_id = ").push_bind(id))
        .await?;
    let mut flags: Vec<&str> = flags_now
        .iter()
        .filter_map(|(_, f)| f.map(Flag::as_str))
        .collect();
    flags.sort_unstable();
    flags.dedup();
    let before: Vec<&str> = h.flags.split(',').filter(|f| !f.is_empty()).collect();
    let raised: Vec<&str> = flags
        .iter()
        .filter(|f| !before.contains(f))
        .copied()
        .collect();
    tx.execute(
        q("UPDATE projects SET flags = $1, updated_at = $2 WHERE id = $3")
            .bind(flags.join(","))
            .bind(now_ms)
            .bind(id),
    )
    .await?;
    if !raised.is_empty() {
        let mut to = vec![h.approver_id];
        to.extend(crate::notices::office(&mut tx).await?);
        let text = format!(
            "项目“{}”{}：{}",
            h.name,
            raised
                .iter()
                .map(|f| Flag::label_of(f))
                .collect::<Vec<_>>()
                .join("、"),
            "请审批部门核查处理（不得“边审批、边设计、边施工”）"
        );
        let sent: Vec<(i64, String)> = to.iter().map(|u| (*u, text.clone())).collect();
        crate::notices::send(&mut tx, now_ms, "project", id, &sent).await?;
    }
    let entry = Entry::ok("project.step", "project", id).detail(format!(
        "{} {}{}",
        step.label(),
        day(on),
        if raised.is_empty() {
            String::new()
        } else {
            format!(
                "（标记：{}）",
                raised
                    .iter()
                    .map(|f| Flag::label_of(f))
                    .collect::<Vec<_>>()
                    .join("、")
            )
        }
    ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(flags.into_iter().map(str::to_string).collect())
}

/// A project as lists and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ProjectRow {
    pub id: i64,
    pub name: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub township_id: i64,
    pub industry: String,
    pub works: String,
    pub crowded: bool,
    pub high_risk: bool,
    pub evaluated: bool,
    pub approver_id: i64,
    pub approver_name: String,
    pub batch_approval: bool,
    /// `active` or `eliminated` (淘汰取缔).
    pub state: String,
    /// Comma-separated flags (`built_before_approval`, …).
    pub flags: String,
    pub created_at: i64,
}

impl ProjectRow {
    /// The flags' Chinese names.
    pub fn flag_labels(&self) -> Vec<&'static str> {
        self.flags
            .split(',')
            .filter(|f| !f.is_empty())
            .map(Flag::label_of)
            .collect()
    }

    /// The works' Chinese name.
    pub fn works_label(&self) -> &'static str {
        Works::parse(&self.works).map_or("", Works::label)
    }
}

const ROW: &str = "SELECT p.id, p.name, p.owner_id, o.name AS owner_name, p.township_id, s.name AS industry, p.works, CAST(p.crowded AS BIGINT) = 1 AS crowded, CAST(p.high_risk AS BIGINT) = 1 AS high_risk, CAST(p.evaluated AS BIGINT) = 1 AS evaluated, p.approver_id, a.name AS approver_name, CAST(p.batch_approval AS BIGINT) = 1 AS batch_approval, p.state, p.flags, p.created_at FROM projects p JOIN units o ON o.id = p.owner_id JOIN units a ON a.id = p.approver_id JOIN sectors s ON s.id = p.sector_id WHERE ";

/// Which projects a list shows.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProjectFilter {
    /// Only flagged projects.
    #[serde(default)]
    pub flagged: bool,
    /// Only this owner's.
    pub owner: Option<i64>,
    /// Keyset: projects with a smaller id than this.
    pub before: Option<i64>,
}

/// Projects in scope, newest first, 100 a page.
pub async fn list(db: &Db, scope: &Scope, f: &ProjectFilter) -> Result<Vec<ProjectRow>> {
    let mut query = visible(scope, q(ROW));
    if f.flagged {
        query = query.push(" AND p.flags <> ''");
    }
    if let Some(o) = f.owner {
        query = query.push(" AND p.owner_id = ").push_bind(o);
    }
    if let Some(b) = f.before {
        query = query.push(" AND p.id < ").push_bind(b);
    }
    db.read()
        .all(query.push(" ORDER BY p.id DESC LIMIT 100"))
        .await
}

/// A dated step as the project's page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StepRow {
    pub step: String,
    pub on_date: String,
    pub body: Option<String>,
    pub document: Option<String>,
    pub flag: Option<String>,
}

impl StepRow {
    /// The step's Chinese name.
    pub fn label(&self) -> &'static str {
        Step::parse(&self.step).map_or("", Step::label)
    }
    /// The flag's Chinese name, if the step is flagged.
    pub fn flag_label(&self) -> &'static str {
        self.flag.as_deref().map_or("", Flag::label_of)
    }
}

/// A 三同时 item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CheckRow {
    pub item: String,
    pub done: bool,
    pub evidence: Option<String>,
    /// The evidence file's name, if one was uploaded.
    pub file_name: Option<String>,
}

impl CheckRow {
    /// The item's Chinese name.
    pub fn label(&self) -> &'static str {
        Check::parse(&self.item).map_or("", Check::label)
    }
}

/// A review's result for a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ReviewResultRow {
    pub review_id: i64,
    pub review_name: String,
    pub result: Option<String>,
    pub reason: Option<String>,
    pub decided_on: Option<String>,
}

impl ReviewResultRow {
    /// The result's Chinese name (待复核 while there is none).
    pub fn result_label(&self) -> &'static str {
        Verdict::label_of(self.result.as_deref())
    }
}

/// A project with its steps (in the plan's order), checklist, review results and
/// notices.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectDetail {
    #[serde(flatten)]
    pub project: ProjectRow,
    pub steps: Vec<StepRow>,
    pub checks: Vec<CheckRow>,
    pub reviews: Vec<ReviewResultRow>,
    pub notices: Vec<crate::notices::NoticeRow>,
}

/// One project in scope, or `NotFound`.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<ProjectDetail> {
    let project: ProjectRow = db
        .read()
        .opt(visible(scope, q(ROW)).push(" AND p.id = ").push_bind(id))
        .await?
        .ok_or(Error::NotFound)?;
    let mut steps: Vec<StepRow> = db
        .read()
        .all(q("SELECT step, on_date, body, document, flag FROM project_steps WHERE project_id = $1").bind(id))
        .await?;
    steps.sort_by_key(|s| Step::parse(&s.step));
    let mut checks: Vec<CheckRow> = db
        .read()
        .all(q("SELECT item, CAST(done AS BIGINT) = 1 AS done, evidence, file_name FROM project_checks WHERE project_id = $1").bind(id))
        .await?;
    checks.sort_by_key(|c| Check::ALL.iter().position(|x| x.as_str() == c.item));
    let reviews = db
        .read()
        .all(q("SELECT i.review_id, r.name AS review_name, i.result, i.reason, i.decided_on FROM project_review_items i JOIN project_reviews r ON r.id = i.review_id WHERE i.project_id = $1 ORDER BY i.review_id").bind(id))
        .await?;
    let notices = crate::notices::about(db, "project", id).await?;
    Ok(ProjectDetail {
        project,
        steps,
        checks,
        reviews,
        notices,
    })
}

/// The approval history of project `id` (no scope: the accident's page that names the
/// project was read in scope): its approving department and dated steps (item (71):
/// "安全不达标的违规审批项目，实行终身追责").
pub async fn history(db: &Db, id: i64) -> Result<Option<ProjectDetail>> {
    match get(db, &Scope::All, id).await {
        Ok(d) => Ok(Some(d)),
        Err(Error::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

pub mod reviews;

/// The departments that may approve a project (those with safety supervision duties):
/// id and name.
pub async fn approvers(db: &Db) -> Result<Vec<(i64, String)>> {
    db.read()
        .all(q("SELECT id, name FROM units WHERE active = 1 AND kind = 'department' ORDER BY name, id LIMIT 500"))
        .await
}

/// The evidence file of 三同时 item `item` of project `id` (in scope): its hash, name and
/// type, or `NotFound`.
pub async fn check_file(
    db: &Db,
    scope: &Scope,
    id: i64,
    item: &str,
) -> Result<(String, String, String)> {
    let found: Option<(Option<String>, Option<String>, Option<String>)> = db
        .read()
        .opt(
            visible(
                scope,
                q("SELECT c.file_sha256, c.file_name, c.file_mime FROM project_checks c JOIN projects p ON p.id = c.project_id WHERE "),
            )
            .push(" AND c.project_id = ")
            .push_bind(id)
            .push(" AND c.item = ")
            .push_bind(item.to_string()),
        )
        .await?;
    match found {
        Some((Some(sha), Some(name), Some(mime))) => Ok((sha, name, mime)),
        _ => Err(Error::NotFound),
    }
}
