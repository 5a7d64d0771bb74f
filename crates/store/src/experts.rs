//! Experts (专家服务, item (94): "常态化组织开展“专家服务”，大型活动必须进行安全检测评价"): the
//! office's pool of experts (field, qualification, employer; the phone sealed with the
//! field cipher), and each engagement by the office or a department — an inspection or
//! a visit of an enterprise in its scope, or a large event's safety evaluation with its
//! report — whose findings become hazards like any finding (source 专家服务).

use anjian_core::sealed::Keyring;
use anjian_core::time::Moment;
use serde::{Deserialize, Serialize};

use crate::audit::{self, Entry};
use crate::db::{Db, day, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::{Actor, Scope};

/// What an engagement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ExpertServiceKind)]
pub enum Kind {
    /// 专家检查 of an enterprise.
    Inspection,
    /// 专家指导服务 (a visit).
    Visit,
    /// 大型活动安全检测评价.
    Event,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Inspection, Kind::Visit, Kind::Event];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Inspection => "inspection",
            Kind::Visit => "visit",
            Kind::Event => "event",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Inspection => "专家检查",
            Kind::Visit => "专家指导服务",
            Kind::Event => "大型活动安全检测评价",
        }
    }

    /// Reads a stored name (field `kind`).
    pub fn parse(raw: &str) -> Result<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| Error::invalid("invalid_kind", "kind", "请选择专家服务类别"))
    }
}

/// The associated data that binds a sealed phone to its expert.
fn aad(id: i64) -> Vec<u8> {
    format!("expert:{id}").into_bytes()
}

/// An expert to add.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewExpert {
    #[serde(default)]
    pub name: String,
    /// 专业领域, e.g. 危险化学品.
    #[serde(default)]
    pub field: String,
    /// 职称或资格, e.g. 注册安全工程师.
    #[serde(default)]
    pub qualification: String,
    /// 工作单位.
    #[serde(default)]
    pub employer: String,
    #[serde(default)]
    pub phone: String,
}

/// Adds an expert to the pool (the office), the phone sealed with `nonce`; one
/// transaction with its audit entry (which names no phone).
pub async fn add(
    db: &Db,
    keyring: &Keyring,
    nonce: [u8; 24],
    now_ms: i64,
    actor: &Actor,
    e: &NewExpert,
) -> Result<i64> {
    use anjian_core::error::{Checks, optional_text, required_text};
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let mut c = Checks::default();
    let name = c.take(required_text("name", "姓名", &e.name, 50));
    let field = c.take(required_text("field", "专业领域", &e.field, 100));
    let qualification = c.take(required_text(
        "qualification",
        "职称或资格",
        &e.qualification,
        100,
    ));
    let employer = c.take(required_text("employer", "工作单位", &e.employer, 200));
    let phone = c.take(optional_text("phone", "电话", &e.phone, 30));
    c.finish()?;
    let (Some(name), Some(field), Some(qualification), Some(employer), Some(phone)) =
        (name, field, qualification, employer, phone)
    else {
        return Err(Error::invalid(
            "unreadable",
            "name",
            "表单无法读取，请重新填写",
        ));
    };
    let id = next_id(now_ms);
    let sealed = phone.map(|p| keyring.seal(p.as_bytes(), &aad(id), nonce));
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO experts (id, name, field, qualification, employer, phone_sealed, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7)")
            .bind(id)
            .bind(name.as_str())
            .bind(field.as_str())
            .bind(qualification.as_str())
            .bind(employer.as_str())
            .bind(sealed)
            .bind(now_ms),
    )
    .await?;
    let entry = Entry::ok("expert.add", "expert", id)
        .detail(format!("{name}（{field}，{qualification}，{employer}）"));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// An expert of the pool as listed: no phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Expert {
    pub id: i64,
    pub name: String,
    pub field: String,
    pub qualification: String,
    pub employer: String,
    /// Engagements they took part in.
    pub engagements: i64,
}

/// The pool (whoever may engage experts: the office and the departments), by field
/// and name (at most 1,000).
pub async fn pool(db: &Db, actor: &Actor) -> Result<Vec<Expert>> {
    crate::authz::require(actor, anjian_core::role::Role::can_enforce)?;
    db.read()
        .all(q("SELECT x.id, x.name, x.field, x.qualification, x.employer, (SELECT CAST(COUNT(*) AS BIGINT) FROM expert_engagement_members m WHERE m.expert_id = x.id) AS engagements FROM experts x WHERE x.active = 1 ORDER BY x.field, x.name LIMIT 1000"))
        .await
}

/// Every active expert's phone, opened for the office, in one query (expert, phone).
pub async fn phones(db: &Db, keyring: &Keyring, actor: &Actor) -> Result<Vec<(i64, String)>> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let rows: Vec<(i64, String)> = db
        .read()
        .all(q("SELECT id, phone_sealed FROM experts WHERE active = 1 AND phone_sealed IS NOT NULL ORDER BY id LIMIT 1000"))
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, sealed)| {
            let plain = keyring.open(&sealed, &aad(id)).ok()?;
            Some((id, String::from_utf8(plain).ok()?))
        })
        .collect())
}

/// An engagement to record: kind, subject (the enterprise's or the event's name), the
/// enterprise (for an inspection or a visit, in the caller's scope), the day, the
/// conclusion and the experts engaged.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewEngagement {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub subject: String,
    pub enterprise: Option<i64>,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub on: String,
    #[serde(default)]
    pub conclusion: String,
    #[serde(default)]
    pub experts: Vec<i64>,
    /// The stored report file (its SHA-256), if any.
    #[serde(skip)]
    pub report: Option<String>,
}

/// Records an engagement by the caller's unit (the office or a department): at least one
/// expert of the pool (field `experts`), an enterprise in the caller's scope for an
/// inspection or a visit (outside it: not found), a day not in the future (field `on`);
/// one transaction with its audit entry. Returns its id.
pub async fn engage(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    n: &NewEngagement,
) -> Result<i64> {
    use anjian_core::error::{required_date, required_text};
    crate::authz::require(actor, anjian_core::role::Role::can_enforce)?;
    let unit = actor.unit_id.ok_or(Error::Forbidden)?;
    let kind = Kind::parse(&n.kind)?;
    let on = required_date("on", "日期", &n.on)?;
    if on > today {
        return Err(Error::invalid("future_date", "on", "日期不能晚于今天"));
    }
    let conclusion = required_text("conclusion", "结论或评价意见", &n.conclusion, 4000)?;
    let mut experts = n.experts.clone();
    experts.sort_unstable();
    experts.dedup();
    if experts.is_empty() || experts.len() > 30 {
        return Err(Error::invalid(
            "required",
            "experts",
            "请选择参加的专家（1至30名）",
        ));
    }
    let subject = match (kind, n.enterprise) {
        (Kind::Event, _) => required_text("subject", "活动名称", &n.subject, 200)?,
        (_, None) => {
            return Err(Error::invalid("required", "enterprise", "请选择被检查企业"));
        }
        (_, Some(e)) => {
            let name: Option<(String,)> = db
                .read()
                .opt(
                    scope
                        .units(
                            q("SELECT u.name FROM units u WHERE u.kind = 'enterprise' AND "),
                            "u",
                        )
                        .push(" AND u.id = ")
                        .push_bind(e),
                )
                .await?;
            name.ok_or(Error::NotFound)?.0
        }
    };
    let known: Vec<(i64,)> = db
        .read()
        .all(
            q("SELECT id FROM experts WHERE active = 1 AND id IN (")
                .push_list(&experts)
                .push(")"),
        )
        .await?;
    if known.len() != experts.len() {
        return Err(Error::invalid(
            "unknown_expert",
            "experts",
            "所选专家不在专家库中",
        ));
    }
    let id = next_id(now_ms);
    let mut tx = db.begin().await?;
    tx.execute(
        q("INSERT INTO expert_engagements (id, unit_id, kind, subject, enterprise_id, on_day, conclusion, report_sha256, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(id)
            .bind(unit)
            .bind(kind.as_str())
            .bind(subject.as_str())
            .bind(if kind == Kind::Event { None } else { n.enterprise })
            .bind(day(on))
            .bind(conclusion.as_str())
            .bind(n.report.clone())
            .bind(actor.user_id)
            .bind(now_ms),
    )
    .await?;
    let rows: Vec<Vec<crate::db::Arg>> = experts
        .iter()
        .map(|x| vec![id.into(), (*x).into()])
        .collect();
    tx.execute(crate::db::insert_rows(
        "INSERT INTO expert_engagement_members (engagement_id, expert_id) VALUES ",
        &rows,
    ))
    .await?;
    let entry = Entry::ok("expert.engage", "expert_engagement", id).detail(format!(
        "{}：{subject}，专家{}名",
        kind.label(),
        experts.len()
    ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// An engagement as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Engagement {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: String,
    pub subject: String,
    pub enterprise_id: Option<i64>,
    pub on_day: String,
    pub conclusion: String,
    pub report_sha256: Option<String>,
    /// The experts' names.
    #[sqlx(skip)]
    pub experts: Vec<String>,
    /// Hazards its findings became.
    pub findings: i64,
}

impl Engagement {
    /// The kind's Chinese name.
    pub fn kind_label(&self) -> &'static str {
        Kind::parse(&self.kind).map_or("", Kind::label)
    }
}

const ENGAGEMENT: &str = "SELECT g.id, g.unit_id, u.name AS unit_name, g.kind, g.subject, g.enterprise_id, g.on_day, g.conclusion, g.report_sha256, (SELECT CAST(COUNT(*) AS BIGINT) FROM hazards h WHERE h.engagement_id = g.id) AS findings FROM expert_engagements g JOIN units u ON u.id = g.unit_id WHERE ";

/// Engagements by units in scope, newest first (by day, then id), a page at a time,
/// with their experts (two queries).
pub async fn engagements(
    db: &Db,
    scope: &Scope,
    page: crate::paging::Page,
) -> Result<Vec<Engagement>> {
    let mut query = scope.units(q(ENGAGEMENT), "u");
    if let Some(after) = page.after {
        query = crate::paging::before_row(
            query,
            scope,
            "g.on_day, g.id",
            "SELECT c.on_day, c.id FROM expert_engagements c JOIN units cu ON cu.id = c.unit_id WHERE c.id = ",
            after,
        );
    }
    let mut list: Vec<Engagement> = db
        .read()
        .all(
            query
                .push(" ORDER BY g.on_day DESC, g.id DESC LIMIT ")
                .push_bind(page.limit()),
        )
        .await?;
    with_experts(db, &mut list).await?;
    Ok(list)
}

/// Fills in the experts of `list` in one query.
async fn with_experts(db: &Db, list: &mut [Engagement]) -> Result<()> {
    let ids: Vec<i64> = list.iter().map(|g| g.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let names: Vec<(i64, String)> = db
        .read()
        .all(
            q("SELECT m.engagement_id, x.name FROM expert_engagement_members m JOIN experts x ON x.id = m.expert_id WHERE m.engagement_id IN (")
                .push_list(&ids)
                .push(") ORDER BY x.name"),
        )
        .await?;
    for g in list.iter_mut() {
        g.experts = names
            .iter()
            .filter(|(e, _)| *e == g.id)
            .map(|(_, n)| n.clone())
            .collect();
    }
    Ok(())
}

/// One engagement by a unit in scope, or `NotFound`.
pub async fn engagement(db: &Db, scope: &Scope, id: i64) -> Result<Engagement> {
    let one: Engagement = db
        .read()
        .one(
            scope
                .units(q(ENGAGEMENT), "u")
                .push(" AND g.id = ")
                .push_bind(id),
        )
        .await?;
    let mut list = [one];
    with_experts(db, &mut list).await?;
    let [one] = list;
    Ok(one)
}

/// Enters a finding of engagement `id` (the engaging unit's, else not found) at its
/// enterprise as a hazard of source 专家服务, in one transaction. Returns the hazard.
pub async fn add_finding(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    id: i64,
    finding: crate::hazards::Finding<'_>,
) -> Result<i64> {
    let known = crate::hazards::sectors(db).await?;
    let mut tx = db.begin().await?;
    let row: Option<(i64, Option<i64>, String)> = tx
        .opt(
            q("SELECT unit_id, enterprise_id, subject FROM expert_engagements WHERE id = $1")
                .bind(id),
        )
        .await?;
    let (unit, enterprise, subject) = row.ok_or(Error::NotFound)?;
    if Some(unit) != actor.unit_id {
        return Err(Error::NotFound);
    }
    let Some(enterprise) = enterprise else {
        return Err(Error::invalid(
            "no_enterprise",
            "enterprise",
            "大型活动评价的问题请交办给相关单位登记隐患",
        ));
    };
    let hazard = crate::hazards::insert_linked_finding(
        &mut tx,
        now_ms,
        actor,
        &known,
        finding,
        enterprise,
        crate::hazards::FoundBy {
            source: anjian_core::hazard::Source::ExpertService.as_str(),
            column: "engagement_id",
            id,
            action: "expert.finding",
            what: format!("专家服务 {id}（{subject}）"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(hazard)
}

/// The hazards engagement `id` found: (id, place, description, state).
pub async fn findings(db: &Db, id: i64) -> Result<Vec<(i64, String, String, String)>> {
    db.read()
        .all(q("SELECT id, place, description, status FROM hazards WHERE engagement_id = $1 ORDER BY id LIMIT 200").bind(id))
        .await
}
