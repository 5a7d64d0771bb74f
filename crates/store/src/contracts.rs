//! The contracting chain of a project (measure 八): the owner lets works to a
//! contractor, who may let part of them on (分包) to another, at any depth; each
//! contractor shows its qualification (资质). A contract is recorded as it was signed
//! and flagged where it breaks the plan's rules (转包, 违法分包, 挂靠, an expired
//! qualification): "严肃查处…违法分包转包行为，严肃追究发包方、承包方相应法律责任".

use anjian_core::contract::{Flag, Qualification, Terms, flags};
use serde::{Deserialize, Serialize};

use crate::audit::{self, Entry};
use crate::db::{Db, day, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::{Actor, Scope};

/// The most contracts one project holds.
pub const MAX_PER_PROJECT: i64 = 2_000;

/// A contract as the API takes it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewContract {
    /// 发包方: the project's owner, or a contractor already on the project.
    pub client: Option<i64>,
    /// 承包方 / 分包方: an enterprise of the directory.
    pub contractor: Option<i64>,
    /// What is let (承包内容).
    #[serde(default)]
    pub work: String,
    /// The whole of the client's contract is let on.
    #[serde(default)]
    pub whole: bool,
    /// The main structure (主体结构) is in it.
    #[serde(default)]
    pub main_structure: bool,
    /// The day it was signed (YYYY-MM-DD).
    #[serde(default)]
    pub signed_on: String,
    /// The qualification the contractor works under; absent: none shown.
    pub qualification: Option<Qualification>,
}

/// Records a contract on project `id` (in scope) and its flags. Returns its id.
pub async fn create(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    project: i64,
    n: &NewContract,
) -> Result<i64> {
    crate::authz::require(actor, |r| r.does_field_work())?;
    let work = anjian_core::error::required_text("work", "承包内容", &n.work, 300)?;
    let signed_on = anjian_core::error::required_date("signed_on", "签订日期", &n.signed_on)?;
    let client = n
        .client
        .ok_or_else(|| Error::invalid("required", "client", "请选择发包方"))?;
    let contractor = n
        .contractor
        .ok_or_else(|| Error::invalid("required", "contractor", "请选择承包方"))?;
    let checked = n
        .qualification
        .as_ref()
        .map(Qualification::check)
        .transpose()?;
    if client == contractor {
        return Err(Error::invalid(
            "same_party",
            "contractor",
            "发包方与承包方不能是同一单位",
        ));
    }
    let mut tx = db.begin().await?;
    let found: Option<(i64, String)> = tx
        .opt(
            super::projects::visible(scope, q("SELECT p.owner_id, p.name FROM projects p JOIN units o ON o.id = p.owner_id WHERE "))
                .push(" AND p.id = ")
                .push_bind(project),
        )
        .await?;
    let (owner, project_name) = found.ok_or(Error::NotFound)?;
    let (count,): (i64,) = tx
        .one(
            q("SELECT CAST(COUNT(*) AS BIGINT) FROM contracts WHERE project_id = $1").bind(project),
        )
        .await?;
    if count >= MAX_PER_PROJECT {
        return Err(Error::invalid(
            "too_many",
            "contractor",
            format!("一个项目最多登记{MAX_PER_PROJECT}份合同"),
        ));
    }
    let holder = checked
        .as_ref()
        .and(n.qualification.as_ref().and_then(|x| x.holder));
    // Every party an enterprise of the directory, read in one query; the first that is
    // not is named.
    let mut named = vec![
        ("contractor", "承包方", contractor),
        ("client", "发包方", client),
    ];
    named.extend(holder.map(|h| ("qualification.holder", "资质持有单位", h)));
    let ids: Vec<i64> = named.iter().map(|(_, _, id)| *id).collect();
    let found: Vec<(i64,)> = tx
        .all(
            q("SELECT id FROM units WHERE active = 1 AND kind IN ('enterprise', 'soe') AND id IN (")
                .push_list(&ids)
                .push(")"),
        )
        .await?;
    if let Some((field, label, _)) = named
        .iter()
        .find(|(_, _, id)| !found.iter().any(|(f,)| f == id))
    {
        return Err(Error::invalid(
            "unknown_party",
            field,
            format!("{label}应为名录中的企业"),
        ));
    }
    let subcontract = client != owner;
    if subcontract {
        let (on,): (i64,) = tx
            .one(q("SELECT CAST(COUNT(*) AS BIGINT) FROM contracts WHERE project_id = $1 AND contractor_id = $2").bind(project).bind(client))
            .await?;
        if on == 0 {
            return Err(Error::invalid(
                "unknown_client",
                "client",
                "发包方应为建设单位或本项目已登记的承包方",
            ));
        }
    }
    let found = flags(Terms {
        subcontract,
        whole: n.whole,
        main_structure: n.main_structure,
        qualified: checked.is_some(),
        holder_elsewhere: holder.is_some_and(|h| h != contractor),
        expired: checked.as_ref().is_some_and(|c| c.valid_until < signed_on),
    });
    let listed: Vec<&str> = found.iter().map(|f| f.as_str()).collect();
    let id = next_id(now_ms);
    tx.execute(
        q("INSERT INTO contracts (id, project_id, client_id, contractor_id, work, whole, main_structure, signed_on, q_category, q_grade, q_number, q_holder_id, q_valid_until, flags, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)")
            .bind(id)
            .bind(project)
            .bind(client)
            .bind(contractor)
            .bind(work.as_str())
            .bind(i64::from(n.whole))
            .bind(i64::from(n.main_structure))
            .bind(day(signed_on))
            .bind(checked.as_ref().map(|c| c.category.clone()))
            .bind(checked.as_ref().map(|c| c.grade.clone()))
            .bind(checked.as_ref().map(|c| c.number.clone()))
            .bind(checked.as_ref().map(|_| holder.unwrap_or(contractor)))
            .bind(checked.as_ref().map(|c| day(c.valid_until)))
            .bind(listed.join(","))
            .bind(now_ms),
    )
    .await?;
    let entry = Entry::ok("contract.create", "project", project).detail(format!(
        "{project_name}：{work}{}",
        if found.is_empty() {
            String::new()
        } else {
            format!(
                "（{}）",
                found
                    .iter()
                    .map(|f| f.label())
                    .collect::<Vec<_>>()
                    .join("、")
            )
        }
    ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// A contract as the chain shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ContractRow {
    pub id: i64,
    pub project_id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub contractor_id: i64,
    pub contractor_name: String,
    pub work: String,
    pub whole: bool,
    pub main_structure: bool,
    pub signed_on: String,
    pub q_category: Option<String>,
    pub q_grade: Option<String>,
    pub q_number: Option<String>,
    pub q_holder_id: Option<i64>,
    pub q_holder_name: Option<String>,
    pub q_valid_until: Option<String>,
    /// Comma-separated flags (`transfer`, `illegal_subcontract`, `borrowed_qualification`,
    /// `expired`).
    pub flags: String,
}

impl ContractRow {
    /// The flags' Chinese names.
    pub fn flag_labels(&self) -> Vec<&'static str> {
        self.flags
            .split(',')
            .filter(|f| !f.is_empty())
            .map(Flag::label_of)
            .collect()
    }
}

const ROW: &str = "SELECT c.id, c.project_id, c.client_id, cu.name AS client_name, c.contractor_id, ku.name AS contractor_name, c.work, CAST(c.whole AS BIGINT) = 1 AS whole, CAST(c.main_structure AS BIGINT) = 1 AS main_structure, c.signed_on, c.q_category, c.q_grade, c.q_number, c.q_holder_id, hu.name AS q_holder_name, c.q_valid_until, c.flags FROM contracts c JOIN units cu ON cu.id = c.client_id JOIN units ku ON ku.id = c.contractor_id LEFT JOIN units hu ON hu.id = c.q_holder_id WHERE ";

/// The contracts of project `id` (in scope), in the order they were recorded.
pub async fn list(db: &Db, scope: &Scope, project: i64) -> Result<Vec<ContractRow>> {
    let seen: Option<(i64,)> = db
        .read()
        .opt(
            super::projects::visible(
                scope,
                q("SELECT p.id FROM projects p JOIN units o ON o.id = p.owner_id WHERE "),
            )
            .push(" AND p.id = ")
            .push_bind(project),
        )
        .await?;
    seen.ok_or(Error::NotFound)?;
    db.read()
        .all(
            q(ROW)
                .push("c.project_id = ")
                .push_bind(project)
                .push(" ORDER BY c.id LIMIT 2000"),
        )
        .await
}

/// A contract an inspection found at fault: its id, flags, the party at fault (the
/// contractor), its group company and supervising department, and a line saying what.
pub(crate) struct Finding {
    pub contract: i64,
    pub flags: String,
    pub notify: Vec<i64>,
    pub text: String,
}

/// A contract read as a finding: its flags, project and contractor, and the units to
/// tell (the contractor's group company and supervising department, the
/// qualification's holder and its group company).
#[derive(sqlx::FromRow)]
struct FindingRow {
    id: i64,
    flags: String,
    project: String,
    contractor: String,
    parent: Option<i64>,
    supervisor: Option<i64>,
    holder_parent: Option<i64>,
    holder: Option<i64>,
}

/// The contracts `ids` as findings of an inspection of `enterprise`: each must involve
/// it (as client, contractor or qualification holder) and carry a flag.
pub(crate) async fn findings_of(
    tx: &mut crate::db::Tx,
    enterprise: i64,
    ids: &[i64],
) -> Result<Vec<Finding>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<FindingRow> = tx
        .all(
            q("SELECT c.id, c.flags, p.name AS project, ku.name AS contractor, e.parent_company_id AS parent, e.supervisor_id AS supervisor, he.parent_company_id AS holder_parent, c.q_holder_id AS holder FROM contracts c JOIN projects p ON p.id = c.project_id JOIN units ku ON ku.id = c.contractor_id LEFT JOIN enterprises e ON e.unit_id = c.contractor_id LEFT JOIN enterprises he ON he.unit_id = c.q_holder_id WHERE (c.client_id = ")
                .push_bind(enterprise)
                .push(" OR c.contractor_id = ")
                .push_bind(enterprise)
                .push(" OR c.q_holder_id = ")
                .push_bind(enterprise)
                .push(") AND c.id IN (")
                .push_list(ids)
                .push(")"),
        )
        .await?;
    let mut asked = ids.to_vec();
    asked.sort_unstable();
    asked.dedup();
    if rows.len() != asked.len() {
        return Err(Error::invalid(
            "unknown_contract",
            "contracts",
            "所列合同不存在或与被检查企业无关",
        ));
    }
    let discipline = crate::notices::discipline(tx).await?;
    let mut out = Vec::new();
    for FindingRow {
        id,
        flags,
        project,
        contractor,
        parent,
        supervisor,
        holder_parent,
        holder,
    } in rows
    {
        if flags.is_empty() {
            return Err(Error::invalid(
                "contract_not_at_fault",
                "contracts",
                format!("“{project}”中{contractor}的合同未标记违法分包、转包或挂靠问题"),
            ));
        }
        let labels: Vec<&str> = flags.split(',').map(Flag::label_of).collect();
        let mut notify: Vec<i64> = [parent, supervisor, holder_parent, holder, discipline]
            .into_iter()
            .flatten()
            .collect();
        notify.sort_unstable();
        notify.dedup();
        out.push(Finding {
            contract: id,
            text: format!(
                "违法分包转包专项执法检查：“{project}”{contractor}存在{}，通报其上级公司、主管部门及纪检监察部门追究责任",
                labels.join("、")
            ),
            flags,
            notify,
        });
    }
    Ok(out)
}

/// Records inspection `enforcement`'s findings and sends their notices (item (77):
/// "对相关违法行为要通报其上级公司、主管部门及纪检监察部门追究责任").
pub(crate) async fn record_findings(
    tx: &mut crate::db::Tx,
    now_ms: i64,
    enforcement: i64,
    findings: &[Finding],
) -> Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    let rows: Vec<Vec<crate::db::Arg>> = findings
        .iter()
        .map(|f| {
            vec![
                enforcement.into(),
                f.contract.into(),
                f.flags.as_str().into(),
            ]
        })
        .collect();
    tx.execute(crate::db::insert_rows(
        "INSERT INTO enforcement_findings (enforcement_id, contract_id, flags) VALUES ",
        &rows,
    ))
    .await?;
    let sent: Vec<(i64, String)> = findings
        .iter()
        .flat_map(|f| f.notify.iter().map(|u| (*u, f.text.clone())))
        .collect();
    crate::notices::send(tx, now_ms, "enforcement", enforcement, &sent).await
}

/// The flagged contracts of the projects in scope (an inspection's findings to choose
/// from), newest first, at most 200: id, project, contractor and flags.
pub async fn flagged(db: &Db, scope: &Scope) -> Result<Vec<ContractRow>> {
    db.read()
        .all(
            super::projects::visible(
                scope,
                q(ROW.replace(
                    " WHERE ",
                    " JOIN projects p ON p.id = c.project_id JOIN units o ON o.id = p.owner_id WHERE c.flags <> '' AND ",
                )),
            )
            .push(" ORDER BY c.id DESC LIMIT 200"),
        )
        .await
}

/// The contracts worked under qualifications `holders` hold (at most 200, newest first),
/// in one query, without scope: the caller has read an accident in scope that names them
/// as the qualification's holders (item (75): "对发生生产安全事故的，严查资质方的责任").
pub async fn held_by(db: &Db, holders: &[i64]) -> Result<Vec<ContractRow>> {
    if holders.is_empty() {
        return Ok(Vec::new());
    }
    db.read()
        .all(
            q(ROW)
                .push("c.q_holder_id IN (")
                .push_list(holders)
                .push(") ORDER BY c.id DESC LIMIT 200"),
        )
        .await
}

/// A unit related to an enterprise (item (76): "将分包、管理输出、联合建设项目纳入企业统一管理"):
/// one under it in the directory (下属企业), one it let works to on its projects
/// (分包单位), or the owner of a project it works on for another (管理输出项目), with the
/// contracts and those flagged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Related {
    pub unit_id: i64,
    pub unit_name: String,
    /// `subsidiary` (under it in the directory), `contractor` (works on its projects) or
    /// `managed` (owns a project it works on).
    pub relation: String,
    pub contracts: i64,
    pub flagged: i64,
}

/// The units related to enterprise `unit` (its own units under it, the contractors of
/// its projects' chains, the owners of the projects it works on), with their contracts
/// and open findings (flagged contracts, on those projects' chains for the last), at
/// most 500: the enterprise's unified management of item (76). The
/// caller reads its own unit (an enterprise's or a state-owned enterprise's account).
pub async fn related(db: &Db, unit: i64) -> Result<Vec<Related>> {
    db.read()
        .all(
            q("SELECT u.id AS unit_id, u.name AS unit_name, 'subsidiary' AS relation, CAST(0 AS BIGINT) AS contracts, CAST(0 AS BIGINT) AS flagged FROM units u WHERE u.parent_id = $1 AND u.active = 1 UNION ALL SELECT c.contractor_id AS unit_id, ku.name AS unit_name, 'contractor' AS relation, CAST(COUNT(*) AS BIGINT) AS contracts, CAST(SUM(CASE WHEN c.flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS flagged FROM contracts c JOIN projects p ON p.id = c.project_id JOIN units ku ON ku.id = c.contractor_id WHERE p.owner_id = $1 GROUP BY c.contractor_id, ku.name UNION ALL SELECT p.owner_id AS unit_id, ou.name AS unit_name, 'managed' AS relation, CAST(COUNT(*) AS BIGINT) AS contracts, CAST(SUM(CASE WHEN c.flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS flagged FROM contracts c JOIN projects p ON p.id = c.project_id JOIN units ou ON ou.id = p.owner_id WHERE p.id IN (SELECT m.project_id FROM contracts m WHERE m.contractor_id = $1) AND p.owner_id <> $1 GROUP BY p.owner_id, ou.name ORDER BY flagged DESC, unit_name LIMIT 500")
                .bind(unit),
        )
        .await
}
