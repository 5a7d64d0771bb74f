//! Accident direct reports (事故直报): a unit reports an accident in its scope, graded by
//! Decree 493 and flagged late when received more than an hour after its head learned of
//! it, in one transaction with the audit entry and the investigation's obligation of the
//! emergency bureau, which leads every investigation (key task 16, items (39)–(41)) with
//! the sector's department taking part: the 60-day report (article 29) when the district
//! investigates, or its cooperation and follow-up when a 较大 or worse accident is
//! investigated above it (article 19). Supplementary reports within 30 days (7 for road
//! traffic and fire) regrade it. Read in scope: the locality's units, the emergency
//! bureau and the sector's department.

use anjian_core::accident::{
    AccidentInput, Casualties, Grade, Investigation, Status, Step, casualties, check,
    supplement_allowed,
};
use anjian_core::contract::PartyRole;
use anjian_core::machine::States;
use anjian_core::monthly_report::Month;
use anjian_core::obligation::State;
use anjian_core::time::Moment;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::audit::{self, Entry};
use crate::db::{Db, Tx, day, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::obligations::Source;
use crate::scope::{Actor, Scope};
use crate::transition::{Kept, Move, apply};

/// Days from the accident by which the investigation report is due (Decree 493, art. 29:
/// "事故调查组应当自事故发生之日起60日内提交事故调查报告").
pub const INVESTIGATION_DAYS: u64 = 60;

/// The names the emergency bureau goes by: it leads every accident investigation.
const EMERGENCY_BUREAU: [&str; 4] = ["区应急局", "区应急管理局", "县应急管理局", "县应急局"];

/// The label of the investigation's obligation for an accident of `grade` at `place`.
fn investigation_label(grade: Grade, place: &str) -> String {
    if anjian_core::accident::investigated_by_district(grade) {
        format!(
            "事故调查报告（{place}，{}，{INVESTIGATION_DAYS}日内）",
            grade.label()
        )
    } else {
        format!(
            "配合上级事故调查并跟踪整改（{place}，{}，由{}负责调查）",
            grade.label(),
            anjian_core::accident::investigator(grade)
        )
    }
}

/// A report as the API takes it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewAccident {
    /// The unit whose locality the accident happened in (in the reporter's scope).
    pub unit: Option<i64>,
    /// The enterprise, if one (in scope).
    pub enterprise: Option<i64>,
    /// The project it happened at, if one (in scope): its page shows the project's
    /// approval history (item (71)).
    pub project: Option<i64>,
    /// Every party: the site, the employer, the qualification's holder, the client and
    /// contractors, the dispatching agency, each with the responsibility found.
    #[serde(default)]
    pub parties: Vec<PartyInput>,
    #[serde(flatten)]
    pub report: AccidentInput,
}

/// A party of an accident as the API takes it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PartyInput {
    pub unit: Option<i64>,
    /// `site`, `employer`, `qualification_holder`, `contractor`, `subcontractor` or
    /// `dispatcher`.
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub responsibility: String,
}

/// The most parties an accident names.
pub const MAX_PARTIES: usize = 30;

/// A party checked: its unit, role and the responsibility found.
type Party = (i64, PartyRole, Option<String>);

/// Checks the parties' roles and responsibilities (their units are checked in the
/// report's transaction).
fn check_parties(parties: &[PartyInput]) -> Result<Vec<Party>> {
    if parties.len() > MAX_PARTIES {
        return Err(Error::invalid(
            "too_many",
            "parties",
            format!("事故相关方最多{MAX_PARTIES}个"),
        ));
    }
    let mut out: Vec<Party> = Vec::new();
    for p in parties {
        let unit = p
            .unit
            .ok_or_else(|| Error::invalid("required", "parties.unit", "请选择相关方单位"))?;
        let role = PartyRole::parse(&p.role)?;
        let responsibility = anjian_core::error::optional_text(
            "parties.responsibility",
            "责任认定",
            &p.responsibility,
            500,
        )?;
        if out.iter().any(|(u, r, _)| *u == unit && *r == role) {
            return Err(Error::invalid(
                "duplicate_party",
                "parties",
                "同一单位以同一身份只能列一次",
            ));
        }
        out.push((unit, role, responsibility));
    }
    Ok(out)
}

/// A party as the accident answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PartyRow {
    #[serde(skip)]
    pub accident_id: i64,
    pub unit: i64,
    pub unit_name: String,
    pub role: String,
    pub responsibility: Option<String>,
}

impl PartyRow {
    /// The role's Chinese name.
    pub fn role_label(&self) -> &'static str {
        PartyRole::label_of(&self.role)
    }
}

fn shanghai(ms: i64) -> DateTime<FixedOffset> {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&anjian_core::time::shanghai())
}

/// Records a report received at `now_ms`. Returns its id.
pub async fn create(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    n: &NewAccident,
) -> Result<i64> {
    let a = check(&n.report, shanghai(now_ms))?;
    let parties = check_parties(&n.parties)?;
    // An enterprise reports its own accident (Decree 493, art. 9: "单位负责人接到报告后，应当
    // 于1小时内…报告"): the locality is its township, the enterprise itself; its township
    // and the sector's department read it like any other.
    let own: Option<(String, Option<i64>)> = match actor.unit_id {
        Some(u) => {
            db.read()
                .opt(q("SELECT kind, parent_id FROM units WHERE id = $1").bind(u))
                .await?
        }
        None => None,
    };
    let all = Scope::All;
    let (unit, enterprise, scope) = match own {
        Some((kind, parent)) if kind == "enterprise" => (parent, actor.unit_id, &all),
        _ => (n.unit, n.enterprise, scope),
    };
    let unit =
        unit.ok_or_else(|| Error::invalid("required", "unit", "请选择事故发生地所属单位"))?;
    let known = crate::hazards::sectors(db).await?;
    let Some((sector_id, _)) = known
        .iter()
        .find(|(_, s)| s == anjian_core::sector::canonical(&a.sector))
    else {
        return Err(Error::invalid(
            "unknown_sector",
            "sector",
            "行业领域不在名录中",
        ));
    };
    let mut tx = db.begin().await?;
    let kind = |id: i64| {
        scope
            .units(q("SELECT u.kind FROM units u WHERE "), "u")
            .push(" AND u.id = ")
            .push_bind(id)
    };
    let found: Option<(String,)> = tx.opt(kind(unit)).await?;
    if found.is_none_or(|(k,)| k == "enterprise") {
        return Err(Error::invalid(
            "unknown_unit",
            "unit",
            "事故发生地所属单位不存在或不在您的范围内",
        ));
    }
    if let Some(e) = enterprise {
        let found: Option<(String,)> = tx.opt(kind(e)).await?;
        if found.is_none_or(|(k,)| k != "enterprise") {
            return Err(Error::invalid(
                "unknown_enterprise",
                "enterprise",
                "事故企业不存在或不在您的范围内",
            ));
        }
    }
    // The emergency bureau leads the investigation of every accident ("区应急局依法牵头组织
    // 对工矿商贸、建筑施工、道路运输、生产经营性火灾等各类生产安全事故调查处理"); the
    // department supervising the sector takes part. Without a bureau in the directory,
    // the sector's department leads; without one either, the reporting unit.
    let sector_unit: Option<(i64,)> = tx
        .opt(q("SELECT u.id FROM units u JOIN unit_sectors us ON us.unit_id = u.id WHERE us.sector_id = $1 AND u.kind = 'department' AND u.supervises_safety = 1 AND u.active = 1 ORDER BY u.depth, u.id LIMIT 1").bind(*sector_id))
        .await?;
    let sector_unit = sector_unit.map(|(u,)| u);
    let bureau: Option<(i64,)> = tx
        .opt(
            q("SELECT u.id FROM units u WHERE u.active = 1 AND u.kind = 'department' AND (u.name IN (")
                .push_bind(EMERGENCY_BUREAU[0])
                .push(", ")
                .push_bind(EMERGENCY_BUREAU[1])
                .push(", ")
                .push_bind(EMERGENCY_BUREAU[2])
                .push(", ")
                .push_bind(EMERGENCY_BUREAU[3])
                .push(") OR u.id IN (SELECT a.unit_id FROM unit_aliases a WHERE a.alias IN (")
                .push_bind(EMERGENCY_BUREAU[0])
                .push(", ")
                .push_bind(EMERGENCY_BUREAU[1])
                .push("))) ORDER BY u.id LIMIT 1"),
        )
        .await?;
    let lead = bureau.map(|(b,)| b).or(sector_unit).unwrap_or(unit);
    known_parties(&mut tx, &parties).await?;
    if let Some(p) = n.project {
        project_in(&mut tx, scope, p).await?;
    }
    let id = next_id(now_ms);
    let occurred_on = a
        .occurred_at
        .with_timezone(&anjian_core::time::shanghai())
        .date_naive();
    let c = a.casualties;
    tx.execute(
        q("INSERT INTO accidents (id, unit_id, enterprise_id, lead_unit_id, sector, occurred_at, occurred_on, reported_at, place, account, deaths, missing, serious_injuries, direct_loss_fen, measures_taken, grade, late, created_by, created_at, updated_at, learned_at, sector_unit_id, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19, $20, $21, $22)")
            .bind(id)
            .bind(unit)
            .bind(enterprise)
            .bind(lead)
            .bind(anjian_core::sector::canonical(&a.sector))
            .bind(a.occurred_at.timestamp_millis())
            .bind(day(occurred_on))
            .bind(a.reported_at.timestamp_millis())
            .bind(a.place.as_str())
            .bind(a.account.as_str())
            .bind(c.deaths)
            .bind(c.missing)
            .bind(c.serious_injuries)
            .bind(c.direct_loss_fen)
            .bind(a.measures_taken.clone())
            .bind(a.grade.as_str())
            .bind(i64::from(a.late))
            .bind(actor.user_id)
            .bind(now_ms)
            .bind(a.learned_at.timestamp_millis())
            .bind(sector_unit)
            .bind(Status::Investigating.as_str()),
    )
    .await?;
    if let Some(p) = n.project {
        tx.execute(
            q("UPDATE accidents SET project_id = $1 WHERE id = $2")
                .bind(p)
                .bind(id),
        )
        .await?;
    }
    insert_parties(&mut tx, id, &parties).await?;
    crate::obligations::owe(
        &mut tx,
        now_ms,
        Source::Accident(id),
        crate::obligations::Due {
            unit: lead,
            on: occurred_on + chrono::Days::new(INVESTIGATION_DAYS),
        },
        investigation_label(a.grade, &a.place),
    )
    .await?;
    // At once to the emergency bureau and the office, on their channels.
    let office = crate::notices::office(&mut tx).await?;
    let told: Vec<i64> = std::iter::once(lead).chain(office).collect();
    crate::outbox::notify_in(
        &mut tx,
        now_ms,
        anjian_core::channel::Event::Accident,
        &told,
        &anjian_core::channel::Message {
            title: format!("事故直报：{}", a.grade.label()),
            text: format!(
                "{}发生{}，死亡{}人、失踪{}人、重伤{}人{}。",
                a.place,
                a.grade.label(),
                c.deaths,
                c.missing,
                c.serious_injuries,
                if a.late { "（迟报）" } else { "" }
            ),
            link: format!("/accidents/{id}"),
        },
        crate::outbox::About {
            subject: &format!("accident:{id}"),
            round: "report",
        },
    )
    .await?;
    let entry = Entry::ok("accident.report", "accident", id)
        .change(None, Some(a.grade.as_str()))
        .detail(format!(
            "{} {}：死亡{} 失踪{} 重伤{}{}",
            a.grade.label(),
            a.place,
            c.deaths,
            c.missing,
            c.serious_injuries,
            if a.late { "（迟报）" } else { "" }
        ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    // A month already ranked is ranked again with the accident in it.
    crate::rankings::forget(&mut tx, occurred_on).await?;
    tx.commit().await?;
    Ok(id)
}

/// A supplementary report's figures.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Supplement {
    pub deaths: Option<i64>,
    pub missing: Option<i64>,
    pub serious_injuries: Option<i64>,
    pub direct_loss_yuan: Option<serde_json::Value>,
    #[serde(default)]
    pub note: String,
}

/// Records a supplementary report on accident `id` (in scope) at `now_ms`: the figures
/// as they now stand, within the window after the accident; the accident is regraded.
/// Returns the new grade.
pub async fn supplement(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    s: &Supplement,
) -> Result<Grade> {
    let c = casualties(s.deaths, s.missing, s.serious_injuries, &s.direct_loss_yuan)?;
    let note = anjian_core::error::optional_text("note", "说明", &s.note, 1000)?;
    let mut tx = db.begin().await?;
    let row: Option<(String, i64, String, String)> = tx
        .opt(visible(scope, q("SELECT a.sector, a.occurred_at, a.grade, a.place FROM accidents a JOIN units u ON u.id = a.unit_id WHERE ")).push(" AND a.id = ").push_bind(id))
        .await?;
    let (sector, occurred_at, before, place) = row.ok_or(Error::NotFound)?;
    if !supplement_allowed(&sector, shanghai(occurred_at), shanghai(now_ms)) {
        return Err(Error::invalid(
            "supplement_window_closed",
            "deaths",
            format!(
                "事故发生已超过{}日，伤亡人数变化不再补报",
                anjian_core::accident::supplement_days(&sector)
            ),
        ));
    }
    let grade = c.grade();
    tx.execute(
        q("INSERT INTO accident_supplements (id, accident_id, at, deaths, missing, serious_injuries, direct_loss_fen, grade_before, grade_after, note, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(next_id(now_ms))
            .bind(id)
            .bind(now_ms)
            .bind(c.deaths)
            .bind(c.missing)
            .bind(c.serious_injuries)
            .bind(c.direct_loss_fen)
            .bind(before.as_str())
            .bind(grade.as_str())
            .bind(note.clone())
            .bind(actor.user_id),
    )
    .await?;
    tx.execute(
        q("UPDATE accidents SET deaths = $1, missing = $2, serious_injuries = $3, direct_loss_fen = $4, grade = $5, updated_at = $6 WHERE id = $7")
            .bind(c.deaths)
            .bind(c.missing)
            .bind(c.serious_injuries)
            .bind(c.direct_loss_fen)
            .bind(grade.as_str())
            .bind(now_ms)
            .bind(id),
    )
    .await?;
    // Regraded across the district's bound, the investigation moves: the open
    // obligation now reads as the district's report or as its cooperation.
    let was = Grade::parse(&before).unwrap_or(Grade::Ordinary);
    if anjian_core::accident::investigated_by_district(was)
        != anjian_core::accident::investigated_by_district(grade)
    {
        tx.execute(
            q(format!("UPDATE obligations SET label = $1, updated_at = $2 WHERE accident_id = $3 AND state IN {} AND label LIKE $4", State::sql_list(&State::OPEN)))
                .bind(investigation_label(grade, &place))
                .bind(now_ms)
                .bind(id)
                .bind(if anjian_core::accident::investigated_by_district(was) {
                    "事故调查报告%"
                } else {
                    "配合上级事故调查%"
                }),
        )
        .await?;
    }
    let entry = Entry::ok("accident.supplement", "accident", id)
        .change(Some(before.as_str()), Some(grade.as_str()))
        .detail(format!(
            "续报：死亡{} 失踪{} 重伤{}",
            c.deaths, c.missing, c.serious_injuries
        ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await?;
    Ok(grade)
}

/// Accidents visible in `scope`: those of units in it (as `a` joined to `u`), and, for
/// the department that leads an investigation or takes part in it as the sector's
/// department, those.
fn visible(scope: &Scope, query: crate::db::Q) -> crate::db::Q {
    match scope {
        Scope::All => query.push("1 = 1"),
        Scope::Nothing => query.push("1 = 0"),
        Scope::Subtree { unit_id, .. } => {
            let query = query
                .push("(a.lead_unit_id = ")
                .push_bind(*unit_id)
                .push(" OR a.sector_unit_id = ")
                .push_bind(*unit_id)
                .push(" OR a.enterprise_id = ")
                .push_bind(*unit_id)
                .push(" OR ");
            scope.units(query, "u").push(")")
        }
    }
}

/// An accident as lists and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AccidentRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub enterprise_id: Option<i64>,
    pub lead_unit_id: Option<i64>,
    pub sector: String,
    pub occurred_at: i64,
    pub occurred_on: String,
    /// The server's receipt: the time of reporting.
    pub reported_at: i64,
    /// When the unit's head learned of it (lateness counts from here).
    pub learned_at: Option<i64>,
    /// The sector's department, which takes part in the investigation.
    pub sector_unit_id: Option<i64>,
    pub place: String,
    pub account: String,
    pub deaths: i64,
    pub missing: i64,
    pub serious_injuries: i64,
    pub direct_loss_fen: i64,
    pub measures_taken: Option<String>,
    pub grade: String,
    pub late: bool,
    pub concealed: bool,
    /// `enterprise` or `unit`, for a concealed accident.
    pub concealed_by: Option<String>,
    /// The day the 区安委会 listed it for supervision (挂牌督办).
    pub listed_on: Option<String>,
    /// The leader the office named for the listed supervision, and its deadline.
    pub listed_leader: Option<String>,
    pub listed_until: Option<String>,
    pub status: String,
    /// The project it happened at (item (71)).
    pub project_id: Option<i64>,
    /// Every party with its role and the responsibility found.
    #[sqlx(skip)]
    pub parties: Vec<PartyRow>,
}

impl AccidentRow {
    /// The grade's Chinese name.
    pub fn grade_label(&self) -> &'static str {
        Grade::parse(&self.grade).map_or("", Grade::label)
    }

    /// Whether the investigation is still open (调查中).
    pub fn investigating(&self) -> bool {
        Status::parse(&self.status) == Some(Status::Investigating)
    }

    /// The status's Chinese name.
    pub fn status_label(&self) -> &'static str {
        Status::label_of(&self.status)
    }

    /// The casualties as recorded.
    pub fn casualties(&self) -> Casualties {
        Casualties {
            deaths: self.deaths,
            missing: self.missing,
            serious_injuries: self.serious_injuries,
            direct_loss_fen: self.direct_loss_fen,
        }
    }
}

const ROW: &str = "SELECT a.id, a.unit_id, u.name AS unit_name, a.enterprise_id, a.lead_unit_id, a.sector, a.occurred_at, a.occurred_on, a.reported_at, a.learned_at, a.sector_unit_id, a.place, a.account, a.deaths, a.missing, a.serious_injuries, a.direct_loss_fen, a.measures_taken, a.grade, CAST(a.late AS BIGINT) = 1 AS late, CAST(a.concealed AS BIGINT) = 1 AS concealed, a.concealed_by, a.listed_on, a.listed_leader, a.listed_until, a.status, a.project_id FROM accidents a JOIN units u ON u.id = a.unit_id WHERE ";

/// What an accident list is narrowed to, and its keyset page.
#[derive(Debug, Clone, Default)]
pub struct AccidentFilter {
    /// Only those that occurred in this month.
    pub month: Option<Month>,
    /// Only those of this unit (the township or enterprise where it happened).
    pub unit: Option<i64>,
    pub grade: Option<anjian_core::accident::Grade>,
    pub status: Option<anjian_core::accident::Status>,
    /// Words in the place, the account or the unit's name.
    pub search: Option<String>,
    /// The next page: those before this (occurred_at, id), newest first.
    pub before: Option<(i64, i64)>,
    /// At most this many (1–500).
    pub limit: i64,
}

/// The accidents in scope narrowed by `f`, newest first.
pub async fn list(db: &Db, scope: &Scope, f: &AccidentFilter) -> Result<Vec<AccidentRow>> {
    use anjian_core::machine::States;
    let mut query = visible(scope, q(ROW));
    if let Some(m) = f.month {
        query = query
            .push(" AND a.occurred_on >= ")
            .push_bind(day(m.first))
            .push(" AND a.occurred_on <= ")
            .push_bind(day(m.last));
    }
    if let Some(u) = f.unit {
        query = query.push(" AND a.unit_id = ").push_bind(u);
    }
    if let Some(g) = f.grade {
        query = query.push(" AND a.grade = ").push_bind(g.as_str());
    }
    if let Some(s) = f.status {
        query = query.push(" AND a.status = ").push_bind(s.as_str());
    }
    if let Some(s) = &f.search {
        let like = crate::db::contains(s);
        query = query
            .push(" AND (a.place LIKE ")
            .push_bind(like.clone())
            .push(" OR a.account LIKE ")
            .push_bind(like.clone())
            .push(" OR u.name LIKE ")
            .push_bind(like)
            .push(")");
    }
    if let Some((at, id)) = f.before {
        query = query
            .push(" AND (a.occurred_at < ")
            .push_bind(at)
            .push(" OR (a.occurred_at = ")
            .push_bind(at)
            .push(" AND a.id < ")
            .push_bind(id)
            .push("))");
    }
    let rows = db
        .read()
        .all(
            query
                .push(" ORDER BY a.occurred_at DESC, a.id DESC LIMIT ")
                .push_bind(f.limit.clamp(1, 500)),
        )
        .await?;
    with_parties(db, rows).await
}

/// One accident in scope, or `NotFound`.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<AccidentRow> {
    let row = db
        .read()
        .one(visible(scope, q(ROW)).push(" AND a.id = ").push_bind(id))
        .await?;
    Ok(with_parties(db, vec![row]).await?.remove(0))
}

/// `rows` with their parties, read in one query.
async fn with_parties(db: &Db, mut rows: Vec<AccidentRow>) -> Result<Vec<AccidentRow>> {
    if rows.is_empty() {
        return Ok(rows);
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let parties: Vec<PartyRow> = db
        .read()
        .all(
            q("SELECT p.accident_id, p.unit_id AS unit, u.name AS unit_name, p.role, p.responsibility FROM accident_parties p JOIN units u ON u.id = p.unit_id WHERE p.accident_id IN (")
                .push_list(&ids)
                .push(") ORDER BY p.accident_id, p.role, p.unit_id"),
        )
        .await?;
    for p in parties {
        if let Some(r) = rows.iter_mut().find(|r| r.id == p.accident_id) {
            r.parties.push(p);
        }
    }
    Ok(rows)
}

/// What an investigation found of an accident's parties: every party (replacing those
/// named before) and, if known, the project it happened at.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Findings {
    #[serde(default)]
    pub parties: Vec<PartyInput>,
    pub project: Option<i64>,
}

/// Names the parties of accident `id` (in scope) as the investigation found them,
/// replacing those named before, and the project it happened at if given (issue 23
/// part 4).
pub async fn name_parties(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    found: &Findings,
) -> Result<()> {
    crate::authz::require(actor, |r| r.does_field_work())?;
    let parties = check_parties(&found.parties)?;
    let mut tx = db.begin().await?;
    let seen: Option<(String,)> = tx
        .opt(
            visible(
                scope,
                q("SELECT a.place FROM accidents a JOIN units u ON u.id = a.unit_id WHERE "),
            )
            .push(" AND a.id = ")
            .push_bind(id),
        )
        .await?;
    let (place,) = seen.ok_or(Error::NotFound)?;
    known_parties(&mut tx, &parties).await?;
    if let Some(p) = found.project {
        project_in(&mut tx, scope, p).await?;
        tx.execute(
            q("UPDATE accidents SET project_id = $1 WHERE id = $2")
                .bind(p)
                .bind(id),
        )
        .await?;
    }
    tx.execute(q("DELETE FROM accident_parties WHERE accident_id = $1").bind(id))
        .await?;
    insert_parties(&mut tx, id, &parties).await?;
    let entry = Entry::ok("accident.parties", "accident", id).detail(format!(
        "{place}：{}",
        parties
            .iter()
            .map(|(_, r, _)| r.label())
            .collect::<Vec<_>>()
            .join("、")
    ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await
}

/// Refuses a project that is not in scope.
async fn project_in(tx: &mut Tx, scope: &Scope, p: i64) -> Result<()> {
    let seen: Option<(i64,)> = tx
        .opt(
            crate::projects::visible(
                scope,
                q("SELECT p.id FROM projects p JOIN units o ON o.id = p.owner_id WHERE "),
            )
            .push(" AND p.id = ")
            .push_bind(p),
        )
        .await?;
    match seen {
        Some(_) => Ok(()),
        None => Err(Error::invalid(
            "unknown_project",
            "project",
            "项目不存在或不在您的范围内",
        )),
    }
}

/// Refuses parties that are not units of the directory: a contractor or an agency may
/// sit in another township, so the whole directory is read.
async fn known_parties(tx: &mut Tx, parties: &[Party]) -> Result<()> {
    let mut named: Vec<i64> = parties.iter().map(|(u, _, _)| *u).collect();
    named.sort_unstable();
    named.dedup();
    if named.is_empty() {
        return Ok(());
    }
    let found: Vec<(i64,)> = tx
        .all(
            q("SELECT id FROM units WHERE active = 1 AND kind <> 'committee_office' AND id IN (")
                .push_list(&named)
                .push(")"),
        )
        .await?;
    if found.len() != named.len() {
        return Err(Error::invalid(
            "unknown_party",
            "parties.unit",
            "相关方应为名录中的单位或企业",
        ));
    }
    Ok(())
}

/// Inserts accident `id`'s parties inside the caller's transaction.
async fn insert_parties(tx: &mut Tx, id: i64, parties: &[Party]) -> Result<()> {
    if parties.is_empty() {
        return Ok(());
    }
    let rows: Vec<Vec<crate::db::Arg>> = parties
        .iter()
        .map(|(u, r, resp)| {
            vec![
                id.into(),
                (*u).into(),
                r.as_str().into(),
                resp.clone().into(),
            ]
        })
        .collect();
    tx.execute(crate::db::insert_rows(
        "INSERT INTO accident_parties (accident_id, unit_id, role, responsibility) VALUES ",
        &rows,
    ))
    .await?;
    Ok(())
}

/// Days the investigation may be extended by, at most (Decree 493, art. 29: "延长的期限最长
/// 不超过60日").
pub const EXTENSION_DAYS: u64 = 60;

/// Extends the investigation of accident `id` by `days` (1–60, once; the office).
pub async fn extend(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    id: i64,
    days: i64,
    reason: &str,
) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let reason = anjian_core::error::required_paragraphs("reason", "延期理由", reason, 500)?;
    if !(1..=EXTENSION_DAYS as i64).contains(&days) {
        return Err(Error::invalid(
            "invalid_days",
            "days",
            "延期天数应为1到60天",
        ));
    }
    let mut tx = db.begin().await?;
    crate::obligations::extend(
        &mut tx,
        now_ms,
        crate::obligations::Source::Accident(id),
        "days",
        days,
    )
    .await?;
    let entry = Entry::ok("accident.extend", "accident", id)
        .detail(format!("调查期限延长{days}日：{reason}"));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await
}

/// Closes the investigation of accident `id` on `today` (its lead unit or the office):
/// the investigation's obligation is done, and the lead unit owes the report's
/// publication within a month, copied to the city's emergency bureau (item (40): "区应急局
/// 事故查处结案后一个月内向社会公开，同时抄报市应急局") — when the district investigated
/// it — and the 四不放过 review within a year (item (41)) in every case.
pub async fn close(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    id: i64,
) -> Result<()> {
    let a = get(db, scope, id).await?;
    let from = Status::parse(&a.status).unwrap_or(Status::Closed);
    let by = crate::transition::relation(scope, actor, a.lead_unit_id);
    let lead = a.lead_unit_id.unwrap_or(a.unit_id);
    let mut tx = db.begin().await?;
    // Closed only from the investigation read above: a concurrent close changes nothing.
    let mv = Move::<Investigation>::new(id, Step::Close, from, &by).set("closed_on", day(today));
    apply(
        &mut tx,
        now_ms,
        actor,
        mv,
        Entry::ok("accident.close", "accident", id),
    )
    .await?;
    crate::obligations::fulfil(&mut tx, Moment::new(now_ms, today), Source::Accident(id)).await?;
    let month = today
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(today);
    let grade = Grade::parse(&a.grade).unwrap_or(Grade::Ordinary);
    if anjian_core::accident::investigated_by_district(grade) {
        crate::obligations::owe(
            &mut tx,
            now_ms,
            Source::Accident(id),
            crate::obligations::Due {
                unit: lead,
                on: month,
            },
            format!(
                "事故调查报告向社会公开并抄报市应急局（{}，结案后一个月内）",
                a.place
            ),
        )
        .await?;
    }
    let year = today
        .checked_add_months(chrono::Months::new(12))
        .unwrap_or(today);
    crate::obligations::owe(
        &mut tx,
        now_ms,
        Source::Accident(id),
        crate::obligations::Due {
            unit: lead,
            on: year,
        },
        format!(
            "事故整改措施落实情况评估（四不放过，{}，结案后一年内）",
            a.place
        ),
    )
    .await?;
    tx.commit().await
}

impl Kept for Investigation {
    const RELATION: &'static str = "accidents";
    const COLUMN: &'static str = "status";
    const CONFLICT: &'static str = "该事故调查已由他人结案，请刷新后查看";
}

/// Marks accident `id` concealed (瞒报) on `today`: a substantiated tip showed it, inside
/// the tip's transaction. Key task 61: the 区安委会 lists it for supervision at once
/// (挂牌督办); when the enterprise concealed it ("对瞒报事故的企业，一律从重处罚并纳入“黑名单”，
/// 实施联合惩戒"), the enterprise enters the blacklist and the lead unit owes its heavier
/// penalty; the one-vote veto falls on the township or department only when it concealed
/// it ("对政府和部门瞒报一律实行“一票否决”"). `by` is `enterprise` or `unit`; by default
/// the accident's enterprise when it has one, else its unit.
pub(crate) async fn mark_concealed(
    tx: &mut Tx,
    Moment { ms: now_ms, today }: Moment,
    id: i64,
    by: Option<&str>,
) -> Result<()> {
    let row: Option<(Option<i64>, Option<i64>, i64, String)> = tx
        .opt(
            q("SELECT enterprise_id, lead_unit_id, unit_id, place FROM accidents WHERE id = $1")
                .bind(id),
        )
        .await?;
    let Some((enterprise, lead, unit, place)) = row else {
        return Err(Error::invalid(
            "unknown_accident",
            "accident",
            "所关联的事故不存在",
        ));
    };
    let by = match (by.map(str::trim), enterprise) {
        (Some("unit"), _) => "unit",
        (Some("enterprise"), Some(_)) | (None | Some(""), Some(_)) => "enterprise",
        (None | Some(""), None) => "unit",
        (Some("enterprise"), None) => {
            return Err(Error::invalid(
                "no_enterprise",
                "concealed_by",
                "该事故没有登记企业，不能认定为企业瞒报",
            ));
        }
        _ => {
            return Err(Error::invalid(
                "invalid_concealed_by",
                "concealed_by",
                "瞒报主体应为企业（enterprise）或属地单位（unit）",
            ));
        }
    };
    tx.execute(
        q("UPDATE accidents SET concealed = 1, concealed_by = $1, listed_on = COALESCE(listed_on, $2), updated_at = $3 WHERE id = $4")
            .bind(by)
            .bind(day(today))
            .bind(now_ms)
            .bind(id),
    )
    .await?;
    if let (Some(e), "enterprise") = (enterprise, by) {
        // Decided by the 区安委会 through its office.
        let office = crate::notices::office(tx).await?.unwrap_or(unit);
        let listed = blacklist(
            tx,
            Moment { ms: now_ms, today },
            (e, office),
            id,
            &format!("瞒报事故（{place}），纳入黑名单，实施联合惩戒"),
        )
        .await?;
        if listed == 0 {
            return Ok(());
        }
        crate::obligations::owe(
            tx,
            now_ms,
            Source::Accident(id),
            crate::obligations::Due {
                unit: lead.unwrap_or(unit),
                on: today + chrono::Days::new(PENALTY_DAYS),
            },
            format!("对瞒报事故的企业从重处罚（{place}）"),
        )
        .await?;
    }
    Ok(())
}

/// Enters enterprise `enterprise` in the blacklist (`store::blacklist`) for accident
/// `id` with `reason`, decided by unit `decider`, for the default term, once: answers
/// how many rows it wrote (0 when it was listed already).
async fn blacklist(
    tx: &mut Tx,
    Moment { ms: now_ms, today }: Moment,
    (enterprise, decider): (i64, i64),
    id: i64,
    reason: &str,
) -> Result<u64> {
    crate::blacklist::insert_in(
        tx,
        now_ms,
        &crate::blacklist::Listing {
            enterprise,
            unit: decider,
            reason_kind: anjian_core::blacklist::Reason::ConcealedAccident,
            reason,
            decided_on: today,
            until: crate::blacklist::default_until(today),
            accident: Some(id),
            by: None,
        },
    )
    .await
    .map(|id| u64::from(id.is_some()))
}

/// Days the lead unit has to decide the heavier penalty of an enterprise that concealed
/// an accident.
pub const PENALTY_DAYS: u64 = 30;

/// The enterprise's entries on the blacklist (黑名单): (listed on, reason).
pub async fn blacklisted(db: &Db, enterprise: i64) -> Result<Vec<(String, String)>> {
    db.read()
        .all(
            q("SELECT decided_on, reason FROM blacklist WHERE enterprise_id = $1 ORDER BY id DESC LIMIT 50")
                .bind(enterprise),
        )
        .await
}

/// Enters party `unit` (an enterprise named among accident `id`'s parties) in the
/// blacklist (黑名单) with `reason`, the office deciding (issue 23 part 4: "accountability
/// and the blacklist can target any of them"): the employer, the qualification's holder,
/// a contractor or the dispatching agency alike. Once per party and accident (409).
pub async fn blacklist_party(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    id: i64,
    unit: Option<i64>,
    reason: &str,
) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let unit = unit.ok_or_else(|| Error::invalid("required", "unit", "请选择事故相关方"))?;
    let reason = anjian_core::error::required_paragraphs("reason", "理由", reason, 500)?;
    let mut tx = db.begin().await?;
    let found: Option<(String, String)> = tx
        .opt(
            q("SELECT u.kind, u.name FROM accident_parties p JOIN units u ON u.id = p.unit_id WHERE p.accident_id = $1 AND p.unit_id = $2 LIMIT 1")
                .bind(id)
                .bind(unit),
        )
        .await?;
    let name = match found {
        Some((kind, name)) if kind == "enterprise" => name,
        Some(_) => {
            return Err(Error::invalid(
                "not_an_enterprise",
                "unit",
                "黑名单只列入企业",
            ));
        }
        None => {
            return Err(Error::invalid(
                "not_a_party",
                "unit",
                "该单位不是本事故的相关方",
            ));
        }
    };
    let office = actor.unit_id.ok_or(Error::Forbidden)?;
    let listed = blacklist(
        &mut tx,
        Moment { ms: now_ms, today },
        (unit, office),
        id,
        &reason,
    )
    .await?;
    if listed == 0 {
        return Err(Error::conflict(
            "already_listed",
            "unit",
            "该企业已因本事故列入黑名单",
        ));
    }
    let entry = Entry::ok("accident.blacklist", "accident", id).detail(format!("{name}：{reason}"));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await
}
