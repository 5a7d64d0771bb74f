//! Hazard ledgers on the case workflow: recording a hazard (checked by
//! `core::hazard::check`) opens its case, assigned to the responsible unit with the
//! rectification deadline; each loop step (`core::case::apply`) is one transaction with
//! its step row, its files and its audit entry. Every read is scoped by
//! [`Scope::hazards`].

use anjian_core::case::{self, Case, Party, Status, Step};
use anjian_core::hazard::{self, HazardInput};
use anjian_core::machine::States as _;
use anjian_core::time::Moment;
use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::day;
use crate::db::{Arg, Db, Q, Tx, insert_rows, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::reports::EvidenceFile;
use crate::scope::{Actor, Scope};

/// The directory's sectors (the configurable list), by name.
pub async fn sectors(db: &Db) -> Result<Vec<(i64, String)>> {
    db.read()
        .all(q("SELECT id, name FROM sectors ORDER BY name"))
        .await
}

/// A hazard as it was found: what was typed and the photos taken (before-photos).
#[derive(Debug, Clone, Copy)]
pub struct Finding<'a> {
    pub input: &'a HazardInput,
    pub photos: &'a [EvidenceFile],
}

/// What a hazard is checked against: the sectors of the directory (id, name) and the
/// campaigns it may count in.
#[derive(Clone, Copy)]
struct Known<'a> {
    sectors: &'a [(i64, String)],
    campaigns: &'a crate::cases::Campaigns,
}

/// Refuses (403) a role that does not record hazards (field work): asked by [`create`]
/// and by a form before it keeps the photos of a refused submission.
pub fn may_record(actor: &Actor) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::does_field_work)
}

/// Records a hazard for `unit` (the actor's own unit when `None`; it must be in scope)
/// with its before-photos, and assigns it to that unit with its deadline, in one
/// transaction. Returns its id.
pub async fn create(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    finding: Finding<'_>,
    unit: Option<i64>,
) -> Result<i64> {
    may_record(actor)?;
    let known = sectors(db).await?;
    let mut tx = db.begin().await?;
    let unit = responsible_unit(&mut tx, actor, scope, unit).await?;
    let campaigns = crate::cases::Campaigns::load(&mut tx).await?;
    let (id, h) = insert_in(
        &mut tx,
        now_ms,
        actor,
        Known {
            sectors: &known,
            campaigns: &campaigns,
        },
        finding,
        unit,
    )
    .await?;
    // A hazard assigned to another unit (交办) is told to it.
    if Some(unit.id) != actor.unit_id {
        crate::outbox::notify_in(
            &mut tx,
            now_ms,
            anjian_core::channel::Event::Hazard,
            &[unit.id],
            &anjian_core::channel::Message {
                title: format!("{}交办", h.level.label()),
                text: format!(
                    "{}：{}{}",
                    h.place,
                    h.description.chars().take(100).collect::<String>(),
                    h.deadline
                        .map(|d| format!("，限{d}前整改"))
                        .unwrap_or_default()
                ),
                link: format!("/hazards/{id}"),
            },
            crate::outbox::About {
                subject: &format!("hazard:{id}"),
                round: "assigned",
            },
        )
        .await?;
    }
    let mut e = Entry::ok("hazard.create", "hazard", id)
        .change(None, Some(&h))
        .detail(format!("{}：{}", h.level.label(), h.place));
    // Fixed on the spot (即查即改): recorded and closed in the same step, one entry.
    if h.fixed_on_spot {
        let today = anjian_core::time::local_date(now_ms).unwrap_or(NaiveDate::MIN);
        let note = h.measures.clone().unwrap_or_default();
        let detail = format!("{}；即查即改，当场销号", e.detail);
        e = e.detail(detail);
        step_in(
            &mut tx,
            Moment::new(now_ms, today),
            actor,
            scope,
            id,
            &Step::CloseOnSpot,
            StepExtras {
                note: &note,
                ..StepExtras::default()
            },
        )
        .await?;
    }
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(id)
}

/// Imports a ledger's rows for `unit` (default: the actor's own) all-or-nothing, in one
/// transaction with one audit entry; rows are checked again as they go in. Returns how
/// many were recorded.
pub async fn import(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    inputs: &[HazardInput],
    unit: Option<i64>,
) -> Result<usize> {
    let known = sectors(db).await?;
    let mut tx = db.begin().await?;
    let unit = responsible_unit(&mut tx, actor, scope, unit).await?;
    let unit_id = unit.id;
    let campaigns = crate::cases::Campaigns::load(&mut tx).await?;
    let mut digests = Vec::with_capacity(inputs.len());
    let mut batch = Vec::with_capacity(1_000);
    for (n, input) in inputs.iter().enumerate() {
        let p = prepare(
            now_ms,
            actor,
            Known {
                sectors: &known,
                campaigns: &campaigns,
            },
            input,
            unit,
        )?;
        digests.push(anjian_core::audit::digest(&p.hazard));
        batch.push(p);
        if batch.len() == 1_000 || n + 1 == inputs.len() {
            write(&mut tx, &batch).await?;
            batch.clear();
        }
        if n + 1 == 5_000 {
            // A large ledger into a young database: statistics for the key checks.
            tx.analyze(&["cases", "case_steps", "obligations", "hazards"])
                .await?;
        }
    }
    let e = Entry::ok("hazard.import", "unit", unit_id)
        .change(None, Some(&digests))
        .detail(format!("导入隐患台账 {} 条", inputs.len()));
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    db.settle().await?;
    Ok(inputs.len())
}

/// A hazard's responsible unit and its locality (属地, see [`crate::scope::locality`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Responsible {
    pub id: i64,
    pub locality: i64,
}

impl Responsible {
    /// `unit` (already checked by the caller) with its locality.
    pub(crate) async fn of(tx: &mut Tx, unit: i64) -> Result<Responsible> {
        let (path,): (String,) = tx
            .one(q("SELECT path FROM units WHERE id = $1").bind(unit))
            .await?;
        Ok(Responsible {
            id: unit,
            locality: crate::scope::locality(&path).unwrap_or(unit),
        })
    }
}

/// The responsible unit of a new hazard: `unit`, or the actor's own; it must be in scope.
async fn responsible_unit(
    tx: &mut Tx,
    actor: &Actor,
    scope: &Scope,
    unit: Option<i64>,
) -> Result<Responsible> {
    let own = actor.unit_id.ok_or(Error::Forbidden)?;
    let unit_id = unit.unwrap_or(own);
    let visible: Option<(String,)> = tx
        .opt(
            scope
                .units(q("SELECT u.path FROM units u WHERE "), "u")
                .push(" AND u.id = ")
                .push_bind(unit_id),
        )
        .await?;
    let Some((path,)) = visible else {
        return Err(Error::invalid(
            "unknown_unit",
            "unit",
            "责任单位不存在或不在您的数据范围内",
        ));
    };
    Ok(Responsible {
        id: unit_id,
        locality: crate::scope::locality(&path).unwrap_or(unit_id),
    })
}

/// Writes a visit's finding on `unit` inside the visit's transaction (the visit has
/// checked that `unit` is its target); returns the hazard's id.
pub(crate) async fn insert_finding(
    tx: &mut Tx,
    now_ms: i64,
    actor: &Actor,
    known: &[(i64, String)],
    finding: Finding<'_>,
    unit: i64,
) -> Result<i64> {
    let campaigns = crate::cases::Campaigns::load(tx).await?;
    let unit = Responsible::of(tx, unit).await?;
    let known = Known {
        sectors: known,
        campaigns: &campaigns,
    };
    let (id, _) = insert_in(tx, now_ms, actor, known, finding, unit).await?;
    Ok(id)
}

/// What found a finding: the hazard's source, the record it links to (`column` = `id`:
/// a visit, an expert engagement), the audit action and how the entry names it.
pub(crate) struct FoundBy<'a> {
    pub source: &'a str,
    pub column: &'static str,
    pub id: i64,
    pub action: &'static str,
    pub what: String,
}

/// Writes a finding on `unit` found by a visit or an expert engagement inside the
/// caller's transaction: the hazard of that source, linked to its record, with its
/// audit entry. Returns the hazard's id.
pub(crate) async fn insert_linked_finding(
    tx: &mut Tx,
    now_ms: i64,
    actor: &Actor,
    known: &[(i64, String)],
    finding: Finding<'_>,
    unit: i64,
    by: FoundBy<'_>,
) -> Result<i64> {
    let mut input = finding.input.clone();
    input.source = by.source.into();
    let hazard = insert_finding(
        tx,
        now_ms,
        actor,
        known,
        Finding {
            input: &input,
            photos: finding.photos,
        },
        unit,
    )
    .await?;
    tx.execute(
        q(format!(
            "UPDATE hazards SET {} = $1 WHERE id = $2",
            by.column
        ))
        .bind(by.id)
        .bind(hazard),
    )
    .await?;
    let e =
        Entry::ok(by.action, "hazard", hazard).detail(format!("{}发现：{}", by.what, input.place));
    audit::append(tx, now_ms, actor, e).await?;
    Ok(hazard)
}

/// Writes findings without photos (an inspection's problems) on `unit` inside the
/// caller's transaction, the caller having checked `unit`: all checked first, then
/// written together. Returns the hazards' ids in order.
pub(crate) async fn insert_findings(
    tx: &mut Tx,
    now_ms: i64,
    actor: &Actor,
    known: &[(i64, String)],
    inputs: &[HazardInput],
    unit: i64,
) -> Result<Vec<i64>> {
    let campaigns = crate::cases::Campaigns::load(tx).await?;
    let unit = Responsible::of(tx, unit).await?;
    let prepared = inputs
        .iter()
        .map(|i| {
            prepare(
                now_ms,
                actor,
                Known {
                    sectors: known,
                    campaigns: &campaigns,
                },
                i,
                unit,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    write(tx, &prepared).await?;
    Ok(prepared.iter().map(|p| p.id).collect())
}

/// Checks and writes one hazard and its assigned case inside the caller's transaction.
async fn insert_in(
    tx: &mut Tx,
    now_ms: i64,
    actor: &Actor,
    known: Known<'_>,
    Finding { input, photos }: Finding<'_>,
    unit: Responsible,
) -> Result<(i64, hazard::Hazard)> {
    let p = prepare(now_ms, actor, known, input, unit)?;
    write(tx, std::slice::from_ref(&p)).await?;
    // The photos taken when it was found go with the step that recorded it.
    crate::cases::attach_files(tx, now_ms, p.opening.step_id, photos).await?;
    Ok((p.id, p.hazard))
}

/// A checked hazard ready to write: its case opening and its ledger row.
struct Prepared {
    id: i64,
    hazard: hazard::Hazard,
    opening: crate::cases::Opening,
    row: Vec<Arg>,
    /// When and by whom it is recorded (a major hazard's listing says so).
    at: i64,
    by: Option<i64>,
}

/// Checks a hazard as typed, before anything is written (its photos included): the
/// same rules [`create`] applies, so a refused form stores nothing.
pub async fn precheck(db: &Db, now_ms: i64, input: &HazardInput) -> Result<()> {
    let names: Vec<String> = sectors(db).await?.into_iter().map(|(_, n)| n).collect();
    let today = anjian_core::time::local_date(now_ms).unwrap_or(NaiveDate::MIN);
    hazard::check(input, &names, today)?;
    Ok(())
}

/// Checks `input` and builds its rows: the case assigned to `unit` with its deadline (an
/// obligation) and the ledger row.
fn prepare(
    now_ms: i64,
    actor: &Actor,
    Known {
        sectors: known,
        campaigns,
    }: Known<'_>,
    input: &HazardInput,
    unit: Responsible,
) -> Result<Prepared> {
    let unit_id = unit.id;
    let today = anjian_core::time::local_date(now_ms).unwrap_or(NaiveDate::MIN);
    let own = actor.unit_id.ok_or(Error::Forbidden)?;
    let names: Vec<String> = known.iter().map(|(_, n)| n.clone()).collect();
    let h = hazard::check(input, &names, today)?;
    let sector_id = known
        .iter()
        .find(|(_, n)| *n == h.sector)
        .map(|(id, _)| *id)
        .ok_or_else(|| Error::invalid("invalid_sector", "sector", "行业领域不在名录中"))?;
    let party = if unit_id == own {
        Party::Both
    } else {
        Party::Assigner
    };
    let found = Case {
        status: Status::Found,
        deadline: None,
        extension: None,
    };
    let deadline = h
        .deadline
        .ok_or_else(|| Error::invalid("required", "deadline", "整改时限不能为空"))?;
    // A deadline already past (a hazard entered late from a paper ledger) is recorded as
    // it stands: the hazard is overdue from the start.
    let assigned = case::apply(
        &found,
        &Step::Assign { deadline },
        party,
        deadline.min(today),
    )?;
    let label: String = format!("隐患整改：{}", h.description)
        .chars()
        .take(60)
        .collect();
    let opening = crate::cases::Opening::new(
        now_ms,
        actor,
        crate::cases::NewCase {
            kind: "hazard",
            assigner: own,
            unit: unit_id,
            status: assigned.status,
            deadline,
            found_on: h.discovered_on,
            label: &label,
        },
        campaigns,
    );
    let id = next_id(now_ms);
    let row = vec![
        id.into(),
        opening.case_id.into(),
        unit_id.into(),
        unit.locality.into(),
        sector_id.into(),
        h.source.as_str().into(),
        h.place.as_str().into(),
        h.description.as_str().into(),
        h.level.as_str().into(),
        day(h.discovered_on).into(),
        actor.user_id.into(),
        h.measures.clone().into(),
        h.responsible_person.clone().into(),
        h.funds_fen.into(),
        day(deadline).into(),
        h.contingency_plan.clone().into(),
        h.governance_plan
            .as_ref()
            .and_then(|g| serde_json::to_string(g).ok())
            .into(),
        assigned.status.as_str().into(),
        now_ms.into(),
        now_ms.into(),
    ];
    Ok(Prepared {
        id,
        hazard: h,
        opening,
        row,
        at: now_ms,
        by: actor.user_id,
    })
}

/// Writes prepared hazards with their cases, 200 rows a statement.
async fn write(tx: &mut Tx, prepared: &[Prepared]) -> Result<()> {
    for chunk in prepared.chunks(200) {
        let openings: Vec<&crate::cases::Opening> = chunk.iter().map(|p| &p.opening).collect();
        crate::cases::open_many(tx, &openings).await?;
        tx.execute(insert_rows(
            "INSERT INTO hazards (id, case_id, unit_id, locality_id, sector_id, source, place, description, level, discovered_on, discovered_by, measures, responsible_person, funds_fen, deadline, contingency_plan, governance_plan_json, status, created_at, updated_at) VALUES ",
            chunk.iter().map(|p| &p.row),
        ))
        .await?;
        let majors: Vec<crate::major_listing::Major> = chunk
            .iter()
            .filter(|p| p.hazard.level == hazard::Level::Major)
            .map(|p| crate::major_listing::Major {
                id: p.id,
                place: &p.hazard.place,
                deadline: p.hazard.deadline.unwrap_or(p.hazard.discovered_on),
                at: p.at,
                by: p.by,
            })
            .collect();
        crate::major_listing::list_at_once(tx, &majors).await?;
    }
    Ok(())
}

/// The audit action of a loop step on a hazard.
fn action(step: &Step) -> &'static str {
    match step {
        Step::Assign { .. } => "hazard.assign",
        Step::Start => "hazard.start",
        Step::Feedback => "hazard.feedback",
        Step::Verify { pass: true } => "hazard.verify_pass",
        Step::Verify { pass: false } => "hazard.verify_fail",
        Step::RequestExtension { .. } => "hazard.extend_request",
        Step::DecideExtension { approve: true } => "hazard.extend_approve",
        Step::DecideExtension { approve: false } => "hazard.extend_refuse",
        Step::CloseOnSpot => "hazard.close_on_spot",
    }
}

/// A ledger line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct HazardRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub sector: String,
    pub source: String,
    pub level: String,
    pub place: String,
    pub description: String,
    pub discovered_on: String,
    pub deadline: Option<String>,
    pub status: String,
    pub listed: i64,
    /// Open past its deadline (1) or not (0), as of the day asked.
    pub overdue: i64,
}

impl HazardRow {
    /// 未列入清单 (item (63)): a major hazard that a visit, an inspection or a tip
    /// found, which the unit's own ledger (its self-inspection) never held; counted
    /// against the unit's locality as an accident in the ranking and the ladder.
    pub fn unlisted(&self) -> bool {
        self.level == "major" && self.source != "self_inspection"
    }
}

/// Filters of the ledger; keyset on id, newest first.
#[derive(Debug, Clone, Default)]
pub struct HazardFilter {
    pub unit: Option<i64>,
    /// Hazards of one locality (属地: a township or department and its units).
    pub locality: Option<i64>,
    /// Found between two days (inclusive).
    pub found: Option<(NaiveDate, NaiveDate)>,
    pub sector: Option<String>,
    pub level: Option<String>,
    /// A status, or "overdue".
    pub status: Option<String>,
    /// Only listed (挂牌督办) hazards, or only unlisted ones.
    pub listed: Option<bool>,
    /// Words in the place, the description or the responsible unit's name.
    pub search: Option<String>,
    pub after: Option<i64>,
    pub limit: i64,
}

fn select(today: &str) -> Q {
    q(format!("SELECT h.id, h.unit_id, u.name AS unit_name, s.name AS sector, h.source, h.level, h.place, h.description, h.discovered_on, h.deadline, h.status, h.listed, CAST(CASE WHEN h.status <> {} AND h.deadline < ", Status::Closed.sql()))
        .push_bind(today.to_string())
        .push(" THEN 1 ELSE 0 END AS BIGINT) AS overdue FROM hazards h JOIN units u ON u.id = h.unit_id JOIN sectors s ON s.id = h.sector_id WHERE ")
}

/// The ledger in scope, newest first.
pub async fn list(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
    f: &HazardFilter,
) -> Result<Vec<HazardRow>> {
    let today = day(today);
    let mut query = scope.hazards(select(&today), "h", "u");
    if let Some(u) = f.unit {
        query = query.push(" AND h.unit_id = ").push_bind(u);
    }
    if let Some(l) = f.locality {
        query = crate::scope::one_locality(query.push(" AND "), "h", l);
    }
    if let Some((from, to)) = f.found {
        query = query
            .push(" AND h.discovered_on >= ")
            .push_bind(day(from))
            .push(" AND h.discovered_on <= ")
            .push_bind(day(to));
    }
    if let Some(s) = &f.sector {
        // The sector's id, read first: the ledger then filters `h.sector_id` by a value
        // the planner knows. Filtered by the joined name, PostgreSQL walked the whole
        // ledger backwards by id (`?sector=城镇燃气&status=overdue`: 421 ms p50 over
        // 1,000,000 hazards, against 3 ms before the kept tallies' migration).
        let id: Option<(i64,)> = db
            .read()
            .opt(
                q("SELECT id FROM sectors WHERE name = $1")
                    .bind(anjian_core::sector::canonical(s).to_string()),
            )
            .await?;
        let Some((id,)) = id else {
            return Ok(Vec::new());
        };
        query = query.push(" AND h.sector_id = ").push_bind(id);
    }
    if let Some(l) = &f.level {
        query = query.push(" AND h.level = ").push_bind(l.clone());
    }
    match f.status.as_deref() {
        Some("overdue") => {
            query = query
                .push(&format!(
                    " AND h.status <> {} AND h.deadline < ",
                    Status::Closed.sql()
                ))
                .push_bind(today.clone())
        }
        Some(s) => query = query.push(" AND h.status = ").push_bind(s.to_string()),
        None => {}
    }
    if let Some(l) = f.listed {
        query = query.push(" AND h.listed = ").push_bind(i64::from(l));
    }
    if let Some(s) = &f.search {
        let like = crate::db::contains(s);
        query = query
            .push(" AND (h.place LIKE ")
            .push_bind(like.clone())
            .push(" OR h.description LIKE ")
            .push_bind(like.clone())
            .push(" OR u.name LIKE ")
            .push_bind(like)
            .push(")");
    }
    if let Some(a) = f.after {
        query = query.push(" AND h.id < ").push_bind(a);
    }
    // One locality's hazards are read from its index, in its order (`one_locality`);
    // within one locality it is the order by id.
    let order = if scope.hazard_locality().is_some() || f.locality.is_some() {
        " ORDER BY h.locality_id DESC, h.id DESC LIMIT "
    } else {
        " ORDER BY h.id DESC LIMIT "
    };
    query = query.push(order).push_bind(f.limit.clamp(1, 1000));
    db.read().all(query).await
}

/// A step of a hazard's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StepLine {
    pub id: i64,
    pub step: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor: Option<String>,
    pub unit: Option<String>,
    pub note: String,
    pub at: i64,
}

/// A hazard with its five implementations, its case and its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HazardDetail {
    #[serde(flatten)]
    pub row: HazardRow,
    pub measures: Option<String>,
    pub responsible_person: Option<String>,
    pub funds_fen: Option<i64>,
    pub contingency_plan: Option<String>,
    pub governance_plan: Option<serde_json::Value>,
    pub case_id: i64,
    pub assigner_unit_id: i64,
    pub extension_until: Option<String>,
    /// The unit that listed it for supervision, while it is listed.
    pub listing_unit_id: Option<i64>,
    /// The listing in force: who listed it, the leader, the deadline and the
    /// requirements (督办要求) the unit rectifies to.
    pub listing: Option<ListingView>,
    pub steps: Vec<StepLine>,
    /// Files of each step: (step id, file).
    pub files: Vec<(i64, EvidenceFile)>,
}

/// A listing for supervision as the hazard's page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ListingView {
    pub unit_name: String,
    pub leader: String,
    pub deadline: String,
    pub note: String,
    pub listed_at: i64,
}

/// One hazard in scope, or `NotFound`.
pub async fn get(db: &Db, scope: &Scope, today: NaiveDate, id: i64) -> Result<HazardDetail> {
    let row: HazardRow = db
        .read()
        .one(
            scope
                .hazards(select(&day(today)), "h", "u")
                .push(" AND h.id = ")
                .push_bind(id),
        )
        .await?;
    #[derive(sqlx::FromRow)]
    struct More {
        measures: Option<String>,
        responsible_person: Option<String>,
        funds_fen: Option<i64>,
        contingency_plan: Option<String>,
        governance_plan_json: Option<String>,
        case_id: i64,
        assigner_unit_id: i64,
        extension_until: Option<String>,
        listing_unit_id: Option<i64>,
    }
    let m: More = db
        .read()
        .one(q("SELECT h.measures, h.responsible_person, h.funds_fen, h.contingency_plan, h.governance_plan_json, h.case_id, c.assigner_unit_id, c.extension_until, (SELECT l.unit_id FROM hazard_listings l WHERE l.hazard_id = h.id AND l.closed_at IS NULL AND l.confirmed_at IS NOT NULL ORDER BY l.id DESC LIMIT 1) AS listing_unit_id FROM hazards h JOIN cases c ON c.id = h.case_id WHERE h.id = $1").bind(id))
        .await?;
    let steps: Vec<StepLine> = db
        .read()
        .all(q("SELECT st.id, st.step, st.from_status, st.to_status, us.display_name AS actor, un.name AS unit, st.note, st.at FROM case_steps st LEFT JOIN users us ON us.id = st.actor_id LEFT JOIN units un ON un.id = st.unit_id WHERE st.case_id = $1 ORDER BY st.id").bind(m.case_id))
        .await?;
    let listing: Option<ListingView> = db
        .read()
        .opt(q("SELECT lu.name AS unit_name, l.leader, l.deadline, l.note, l.listed_at FROM hazard_listings l JOIN units lu ON lu.id = l.unit_id WHERE l.hazard_id = $1 AND l.closed_at IS NULL ORDER BY l.id DESC LIMIT 1").bind(id))
        .await?;
    #[derive(sqlx::FromRow)]
    struct FileRow {
        step_id: i64,
        #[sqlx(flatten)]
        file: EvidenceFile,
    }
    let files: Vec<FileRow> = db
        .read()
        .all(q("SELECT f.step_id, f.sha256, f.size, f.mime, f.file_name FROM case_files f JOIN case_steps st ON st.id = f.step_id WHERE st.case_id = $1 ORDER BY f.id").bind(m.case_id))
        .await?;
    Ok(HazardDetail {
        row,
        measures: m.measures,
        responsible_person: m.responsible_person,
        funds_fen: m.funds_fen,
        contingency_plan: m.contingency_plan,
        governance_plan: m
            .governance_plan_json
            .and_then(|g| serde_json::from_str(&g).ok()),
        case_id: m.case_id,
        assigner_unit_id: m.assigner_unit_id,
        extension_until: m.extension_until,
        listing_unit_id: m.listing_unit_id,
        listing,
        steps,
        files: files.into_iter().map(|f| (f.step_id, f.file)).collect(),
    })
}

/// `SELECT {columns}` of hazard `id` (as `h`, with its case `c` and unit `u`) if it is
/// visible in `scope`: the one lookup every write on a hazard starts from.
fn scoped(scope: &Scope, columns: &str, id: i64) -> Q {
    scope
        .hazards(
            q(format!("SELECT {columns} FROM hazards h JOIN cases c ON c.id = h.case_id JOIN units u ON u.id = h.unit_id WHERE ")),
            "h",
            "u",
        )
        .push(" AND h.id = ")
        .push_bind(id)
}

/// The hazard of case `case_id`, if it is visible in `scope` (a case's link leads to
/// its hazard).
pub async fn of_case(db: &Db, scope: &Scope, case_id: i64) -> Result<i64> {
    let (id,): (i64,) = db
        .read()
        .one(
            scope
                .hazards(
                    q("SELECT h.id FROM hazards h JOIN units u ON u.id = h.unit_id WHERE "),
                    "h",
                    "u",
                )
                .push(" AND h.case_id = ")
                .push_bind(case_id),
        )
        .await?;
    Ok(id)
}

/// A listing for supervision (挂牌督办) as the office makes it.
#[derive(Debug, Clone, Copy)]
pub struct Listing<'a> {
    /// The district leader who supervises it (督办领导).
    pub leader: &'a str,
    /// The day it must be closed by (YYYY-MM-DD).
    pub deadline: &'a str,
    pub note: &'a str,
}

impl Listing<'_> {
    /// The leader, the requirements and the deadline checked (a deadline before
    /// `today` refused), each refusal naming its field.
    pub fn checked(&self, today: NaiveDate) -> Result<(String, String, NaiveDate)> {
        let leader = anjian_core::error::required_text("leader", "督办责任领导", self.leader, 100)?;
        let note = anjian_core::error::optional_paragraphs("note", "督办要求", self.note, 2000)?
            .unwrap_or_default();
        let deadline =
            NaiveDate::parse_from_str(self.deadline.trim(), "%Y-%m-%d").map_err(|_| {
                Error::invalid(
                    "invalid_date",
                    "deadline",
                    "督办期限应为 YYYY-MM-DD 格式的日期",
                )
            })?;
        if deadline < today {
            return Err(Error::invalid(
                "deadline_past",
                "deadline",
                "督办期限不能早于今天",
            ));
        }
        Ok((leader, note, deadline))
    }
}

/// Refuses to list a hazard that is not major, or is closed.
pub fn listable(level: &str, status: &str) -> Result<()> {
    if level != "major" {
        return Err(Error::invalid(
            "not_major",
            "level",
            "只有重大隐患可以挂牌督办",
        ));
    }
    if status == "closed" {
        return Err(Error::invalid(
            "case_closed",
            "status",
            "已销号，不能挂牌督办",
        ));
    }
    Ok(())
}

/// What a step carries besides itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct StepExtras<'a> {
    /// The step's text: the feedback, a failed verification's or an extension's reason.
    pub note: &'a str,
    /// A feedback's after-photos.
    pub files: &'a [EvidenceFile],
    /// A verification made on site (required to close a listed hazard).
    pub on_site: bool,
}

/// Takes a loop step on a hazard in scope, in one transaction. `note` is the step's
/// text (the feedback, a failed verification's reason, an extension's reason); a
/// feedback carries its after-photos in `files`.
pub async fn step(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    step: &Step,
    extras: &StepExtras<'_>,
) -> Result<Status> {
    let StepExtras {
        note,
        files,
        on_site,
    } = *extras;
    let today = anjian_core::time::local_date(now_ms).unwrap_or(NaiveDate::MIN);
    let note = anjian_core::error::optional_text("note", "说明", note, 2000)?.unwrap_or_default();
    match step {
        Step::Feedback if note.is_empty() => {
            return Err(Error::invalid("required", "note", "反馈须写明整改情况"));
        }
        Step::Feedback if !files.iter().any(|f| f.mime.starts_with("image/")) => {
            return Err(Error::invalid(
                "after_photo_required",
                "evidence",
                "反馈须附整改后的照片",
            ));
        }
        Step::Verify { pass: false } | Step::RequestExtension { .. } if note.is_empty() => {
            return Err(Error::invalid("reason_required", "note", "须写明理由"));
        }
        _ => {}
    }
    let mut tx = db.begin().await?;
    let (status, e) = step_in(
        &mut tx,
        Moment::new(now_ms, today),
        actor,
        scope,
        id,
        step,
        StepExtras {
            note: &note,
            files,
            on_site,
        },
    )
    .await?;
    tell_step(&mut tx, now_ms, id, step, &note).await?;
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(status)
}

/// Tells the other side of a loop step on its channels: a feedback to the unit that
/// assigned the hazard, a verification (passed or not) to the unit that rectifies.
async fn tell_step(tx: &mut Tx, now_ms: i64, id: i64, step: &Step, note: &str) -> Result<()> {
    let (to_assigner, title, text) = match step {
        Step::Feedback => (true, "隐患整改反馈", "已反馈整改情况，请核查。".to_string()),
        Step::Verify { pass: true } => (
            false,
            "隐患核查通过",
            "经核查已整改到位，已销号。".to_string(),
        ),
        Step::Verify { pass: false } => (
            false,
            "隐患核查未通过",
            format!("核查未通过，请继续整改：{note}"),
        ),
        _ => return Ok(()),
    };
    let row: Option<(i64, i64, String)> = tx
        .opt(q("SELECT h.unit_id, c.assigner_unit_id, h.place FROM hazards h JOIN cases c ON c.id = h.case_id WHERE h.id = $1").bind(id))
        .await?;
    let Some((unit, assigner, place)) = row else {
        return Ok(());
    };
    let to = if to_assigner { assigner } else { unit };
    crate::outbox::notify_in(
        tx,
        now_ms,
        anjian_core::channel::Event::Hazard,
        &[to],
        &anjian_core::channel::Message {
            title: title.into(),
            text: format!("{place}：{text}"),
            link: format!("/hazards/{id}"),
        },
        crate::outbox::About {
            subject: &format!("hazard:{id}"),
            round: &format!("step:{now_ms}"),
        },
    )
    .await
}

/// A loop step inside the caller's transaction, with its step row; answers the new
/// status and the entry recording the step, for the acting caller to append (the checks
/// of `note` and the photos are the caller's).
async fn step_in(
    tx: &mut Tx,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    step: &Step,
    StepExtras {
        note,
        files,
        on_site,
    }: StepExtras<'_>,
) -> Result<(Status, Entry)> {
    let note = note.to_string();
    #[derive(sqlx::FromRow)]
    struct C {
        case_id: i64,
        status: String,
        assigner_unit_id: i64,
        unit_id: i64,
        deadline: Option<String>,
        extension_until: Option<String>,
        level: String,
        listing_unit: Option<i64>,
    }
    let c: C = tx
        .opt(scoped(scope, "c.id AS case_id, c.status, c.assigner_unit_id, c.unit_id, c.deadline, c.extension_until, h.level, (SELECT l.unit_id FROM hazard_listings l WHERE l.hazard_id = h.id AND l.closed_at IS NULL AND l.confirmed_at IS NOT NULL ORDER BY l.id DESC LIMIT 1) AS listing_unit", id))
        .await?
        .ok_or(Error::NotFound)?;
    let parse = |s: &Option<String>| {
        s.as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    };
    let before = Case {
        status: Status::parse(&c.status).unwrap_or(Status::Found),
        deadline: parse(&c.deadline),
        extension: parse(&c.extension_until),
    };
    let me = actor.unit_id.unwrap_or_default();
    // A listed hazard is verified by the listing unit alone, and closed only on site.
    let verifier = match (step, c.listing_unit) {
        (Step::Verify { pass }, Some(listing)) => {
            if me != listing {
                return Err(Error::invalid(
                    "listed_verifier",
                    "unit",
                    "挂牌督办的隐患须由挂牌单位核查销号",
                ));
            }
            if *pass && !on_site {
                return Err(Error::invalid(
                    "on_site_required",
                    "on_site",
                    "挂牌督办的隐患须经现场核查后才能销号",
                ));
            }
            listing
        }
        _ => c.assigner_unit_id,
    };
    let party = match (me == verifier, me == c.unit_id) {
        (true, true) => Party::Both,
        (true, false) => Party::Assigner,
        (false, true) => Party::Responsible,
        (false, false) => {
            return Err(Error::invalid(
                "not_a_party",
                "unit",
                "只有交办单位和责任单位可以办理此隐患",
            ));
        }
    };
    if matches!(step, Step::CloseOnSpot) && c.level != "general" {
        return Err(Error::invalid(
            "major_on_spot",
            "level",
            "重大隐患不能即查即改销号",
        ));
    }
    let after = case::apply(&before, step, party, today)?;
    let closed = (after.status == Status::Closed).then_some(now_ms);
    if closed.is_some() && c.listing_unit.is_some() {
        tx.execute(
            q("UPDATE hazard_listings SET closed_at = $1 WHERE hazard_id = $2 AND closed_at IS NULL")
                .bind(now_ms)
                .bind(id),
        )
        .await?;
    }
    // Only from the status (and pending extension) read: of two steps taken at once on
    // the same case, the second finds nothing to change (409).
    let n = tx.execute(
        q("UPDATE cases SET status = $1, deadline = $2, extension_until = $3, extension_reason = $4, updated_at = $5, closed_at = $6 WHERE id = $7 AND status = $8 AND COALESCE(extension_until, '') = $9")
            .bind(after.status.as_str())
            .bind(after.deadline.map(day))
            .bind(after.extension.map(day))
            .bind(matches!(step, Step::RequestExtension { .. }).then(|| note.clone()))
            .bind(now_ms)
            .bind(closed)
            .bind(c.case_id)
            .bind(before.status.as_str())
            .bind(c.extension_until.clone().unwrap_or_default()),
    )
    .await?;
    Error::unless_changed(n, "status", "该隐患已由他人办理，请刷新后查看")?;
    tx.execute(
        q("UPDATE hazards SET status = $1, deadline = $2, updated_at = $3 WHERE id = $4")
            .bind(after.status.as_str())
            .bind(after.deadline.map(day))
            .bind(now_ms)
            .bind(id),
    )
    .await?;
    crate::cases::follow_obligation(tx, now_ms, c.case_id, step, after.deadline, today).await?;
    let step_id = crate::cases::add_step(
        tx,
        now_ms,
        actor,
        crate::cases::CaseStep {
            case_id: c.case_id,
            step: step.name(),
            from: Some(before.status),
            to: after.status,
            note: &note,
        },
    )
    .await?;
    crate::cases::attach_files(tx, now_ms, step_id, files).await?;
    let e = Entry::ok(action(step), "hazard", id)
        .change(Some(before.status.as_str()), Some(after.status.as_str()))
        .detail(note);
    Ok((after.status, e))
}

/// Lists a major, open hazard for supervision (挂牌督办) by the actor's unit, with a
/// supervision deadline and a responsible leader (one transaction, audited).
pub async fn list_for_supervision(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    listing: Listing<'_>,
) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::can_run_campaigns)?;
    let today = anjian_core::time::local_date(now_ms).unwrap_or(NaiveDate::MIN);
    let (leader, note, deadline) = listing.checked(today)?;
    let unit = actor.unit_id.ok_or(Error::Forbidden)?;
    let mut tx = db.begin().await?;
    let row: Option<(i64, String, String, i64)> = tx
        .opt(scoped(scope, "h.case_id, h.level, h.status, h.listed", id))
        .await?;
    let (case_id, level, status, listed) = row.ok_or(Error::NotFound)?;
    listable(&level, &status)?;
    // Listed at once when recorded (`major_listing`): the office confirms that listing
    // once, setting its leader and deadline, and its obligation to do so is done.
    let confirmed = if listed == 1 {
        let n = tx
            .execute(
                q("UPDATE hazard_listings SET unit_id = $1, leader = $2, deadline = $3, note = $4, confirmed_at = $5 WHERE hazard_id = $6 AND closed_at IS NULL AND confirmed_at IS NULL")
                    .bind(unit)
                    .bind(leader.as_str())
                    .bind(day(deadline))
                    .bind(note.as_str())
                    .bind(now_ms)
                    .bind(id),
            )
            .await?;
        if n == 0 {
            return Err(Error::invalid(
                "already_listed",
                "status",
                "该隐患已挂牌督办",
            ));
        }
        crate::obligations::fulfil(
            &mut tx,
            Moment::new(now_ms, today),
            crate::obligations::Source::HazardListing(id),
        )
        .await?;
        true
    } else {
        tx.execute(
            q("INSERT INTO hazard_listings (id, hazard_id, unit_id, leader, deadline, note, listed_by, listed_at, confirmed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)")
                .bind(next_id(now_ms))
                .bind(id)
                .bind(unit)
                .bind(leader.as_str())
                .bind(day(deadline))
                .bind(note.as_str())
                .bind(actor.user_id)
                .bind(now_ms),
        )
        .await?;
        false
    };
    tx.execute(
        q("UPDATE hazards SET listed = 1, updated_at = $1 WHERE id = $2")
            .bind(now_ms)
            .bind(id),
    )
    .await?;
    let st = Status::parse(&status).unwrap_or(Status::Assigned);
    crate::cases::add_step(
        &mut tx,
        now_ms,
        actor,
        crate::cases::CaseStep {
            case_id,
            step: "list",
            from: Some(st),
            to: st,
            note: &format!("挂牌督办：{leader}，督办期限 {}", day(deadline)),
        },
    )
    .await?;
    let told: Option<(i64, String)> = tx
        .opt(q("SELECT unit_id, place FROM hazards WHERE id = $1").bind(id))
        .await?;
    if let Some((unit, place)) = told {
        crate::outbox::notify_in(
            &mut tx,
            now_ms,
            anjian_core::channel::Event::HazardListed,
            &[unit],
            &anjian_core::channel::Message {
                title: "重大隐患挂牌督办".into(),
                text: format!(
                    "{place}已挂牌督办，督办责任领导{leader}，限{}前整改到位。{note}",
                    day(deadline)
                ),
                link: format!("/hazards/{id}"),
            },
            crate::outbox::About {
                subject: &format!("hazard:{id}"),
                round: &format!("listed:{now_ms}"),
            },
        )
        .await?;
    }
    let e = Entry::ok(
        if confirmed {
            "hazard.list_confirm"
        } else {
            "hazard.list"
        },
        "hazard",
        id,
    )
    .detail(format!("督办责任领导 {leader}，期限 {}", day(deadline)));
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(())
}

/// A line of the listed-hazards board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ListingLine {
    pub hazard_id: i64,
    pub unit_name: String,
    pub place: String,
    pub status: String,
    pub listing_unit: String,
    pub leader: String,
    pub deadline: String,
    pub listed_at: i64,
    pub closed_at: Option<i64>,
}

/// Every listing, current and past, newest first: the board is public inside the
/// product (every signed-in business user sees it).
pub async fn board(db: &Db, limit: i64) -> Result<Vec<ListingLine>> {
    db.read()
        .all(q("SELECT l.hazard_id, u.name AS unit_name, h.place, h.status, lu.name AS listing_unit, l.leader, l.deadline, l.listed_at, l.closed_at FROM hazard_listings l JOIN hazards h ON h.id = l.hazard_id JOIN units u ON u.id = h.unit_id JOIN units lu ON lu.id = l.unit_id ORDER BY l.listed_at DESC, l.id DESC LIMIT $1").bind(limit.clamp(1, 1000)))
        .await
}

/// How the statistics group hazards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsBy {
    Unit,
    Sector,
    /// The month of discovery.
    Month,
}

/// Figures of one group of hazards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct StatLine {
    pub key: String,
    pub found: i64,
    pub closed: i64,
    pub major: i64,
    pub major_closed: i64,
    pub overdue: i64,
}

impl StatLine {
    /// The sum of `lines`, named 合计.
    pub fn total(lines: &[StatLine]) -> StatLine {
        let mut total = StatLine {
            key: "合计".into(),
            ..StatLine::default()
        };
        for l in lines {
            total.found += l.found;
            total.closed += l.closed;
            total.major += l.major;
            total.major_closed += l.major_closed;
            total.overdue += l.overdue;
        }
        total
    }

    /// Rectification rate, 0–100 (none found: 100).
    pub fn rate(&self) -> i64 {
        if self.found == 0 {
            100
        } else {
            self.closed * 100 / self.found
        }
    }

    /// The rectification rate as pages show it: "无隐患" when none was found.
    pub fn rate_label(&self) -> String {
        if self.found == 0 {
            "无隐患".into()
        } else {
            format!("{}%", self.rate())
        }
    }

    /// Major-hazard rectification rate, 0–100, or `None` without major hazards.
    pub fn major_rate(&self) -> Option<i64> {
        (self.major > 0).then(|| self.major_closed * 100 / self.major)
    }
}

/// Rectification figures over the hazards in scope, grouped (one query).
pub async fn stats(db: &Db, scope: &Scope, today: NaiveDate, by: StatsBy) -> Result<Vec<StatLine>> {
    stats_found(db, scope, today, by, None).await
}

/// [`stats`] over the hazards found between two days (inclusive), when given (a
/// month's report).
///
/// "By unit" rolls up to the viewer's level: the office sees each locality (属地: the
/// townships, streets and departments), a township or department sees each unit of its
/// own locality and, for a department, each other locality where hazards of its sectors
/// lie. The query reads the hazards alone (no join) and groups in the order of a covering
/// index (`hazards_tally` by locality and sector, `hazards_found` by day of discovery);
/// the groups are then summed by sector or month and named. Over whole months the
/// office's figures, and a department's for the hazards of its sectors, come from the
/// tallies the database keeps (migrations 0050, 0053 and 0062) instead.
pub async fn stats_found(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
    by: StatsBy,
    found: Option<(NaiveDate, NaiveDate)>,
) -> Result<Vec<StatLine>> {
    #[derive(sqlx::FromRow)]
    struct Group {
        unit: i64,
        sector: i64,
        day: String,
        found: i64,
        closed: i64,
        major: i64,
        major_closed: i64,
        overdue: i64,
    }
    let unit = match scope.own_locality() {
        Some(own) => {
            format!("CASE WHEN h.locality_id = {own} THEN h.unit_id ELSE h.locality_id END")
        }
        None => "h.locality_id".to_string(),
    };
    // Each grouping keeps to an index's order; the other columns are constants here.
    let (unit_key, sector_key, day_key) = match by {
        StatsBy::Unit => (unit.as_str(), "0", "''"),
        StatsBy::Sector => ("h.locality_id", "h.sector_id", "''"),
        StatsBy::Month => ("0", "0", "h.discovered_on"),
    };
    let head = q(format!("SELECT CAST({unit_key} AS BIGINT) AS unit, CAST({sector_key} AS BIGINT) AS sector, {day_key} AS day, \
        CAST(COUNT(*) AS BIGINT) AS found, \
        CAST(SUM(CASE WHEN h.status = {closed} THEN 1 ELSE 0 END) AS BIGINT) AS closed, \
        CAST(SUM(CASE WHEN h.level = 'major' THEN 1 ELSE 0 END) AS BIGINT) AS major, \
        CAST(SUM(CASE WHEN h.level = 'major' AND h.status = {closed} THEN 1 ELSE 0 END) AS BIGINT) AS major_closed, \
        CAST(SUM(CASE WHEN h.status <> {closed} AND h.deadline < $1 THEN 1 ELSE 0 END) AS BIGINT) AS overdue \
        FROM hazards h WHERE ", closed = Status::Closed.sql()))
        .bind(day(today));
    let group = match by {
        StatsBy::Unit => unit.as_str(),
        StatsBy::Sector => "h.locality_id, h.sector_id",
        StatsBy::Month => "h.discovered_on",
    };
    let mut groups: Vec<Group> = Vec::new();
    let months = match found {
        None => Some(None),
        Some((from, to)) => whole_months(from, to).map(Some),
    };
    // The whole ledger, or a department's, over whole months: the kept tallies, their
    // overdue counts brought to today first.
    let department = scope.supervised();
    let own = scope.own_locality();
    let tallied = (matches!(scope, Scope::All) || department.is_some()) && months.is_some();
    if let (true, Some(months)) = (tallied, months) {
        roll_tallies(db, today).await?;
        // By unit the tallies per (locality, month); by sector and by month those per
        // (sector, month): a few thousand rows and a few dozen, not the fine tallies.
        // A department's by unit: the fine ones of its sectors, outside its own
        // locality (whose hazards it sees unit by unit, read below).
        let (unit_key, sector_key, month_key, table) = match (by, department) {
            (StatsBy::Unit, None) => ("locality_id", "0", "''", "hazard_tallies_by_locality"),
            (StatsBy::Unit, Some(_)) => ("locality_id", "0", "''", "hazard_tallies"),
            (StatsBy::Sector, _) => ("0", "sector_id", "''", "hazard_tallies_by_sector"),
            (StatsBy::Month, _) => ("0", "0", "month", "hazard_tallies_by_sector"),
        };
        let mut kept = q(format!(
            "SELECT CAST({unit_key} AS BIGINT) AS unit, CAST({sector_key} AS BIGINT) AS sector, {month_key} AS day, \
             CAST(SUM(found) AS BIGINT) AS found, CAST(SUM(closed) AS BIGINT) AS closed, CAST(SUM(major) AS BIGINT) AS major, \
             CAST(SUM(major_closed) AS BIGINT) AS major_closed, CAST(SUM(overdue) AS BIGINT) AS overdue FROM {table} WHERE found <> 0"
        ));
        if let Some(d) = department {
            kept = d.sectors(kept.push(" AND "), "sector_id");
            if let (StatsBy::Unit, Some(own)) = (by, own) {
                kept = kept.push(" AND locality_id <> ").push_bind(own);
            }
        }
        if let Some((from, to)) = months {
            kept = kept
                .push(" AND month >= ")
                .push_bind(from)
                .push(" AND month <= ")
                .push_bind(to);
        }
        let group = match by {
            StatsBy::Unit => "locality_id",
            StatsBy::Sector => "sector_id",
            StatsBy::Month => "month",
        };
        groups = db
            .read()
            .all(kept.push(&format!(" GROUP BY {group}")))
            .await?;
    }
    // Otherwise one query per disjoint part of the scope; their groups add up below.
    // A department's tallied: the hazards not of its sectors, and by unit those of its
    // sectors in its own locality.
    let parts = match (tallied, department) {
        (false, _) => scope.hazards_alone(head, "h"),
        (true, None) => Vec::new(),
        (true, Some(d)) => {
            let mut parts = vec![d.others(head.clone(), "h")];
            if let (StatsBy::Unit, Some(own)) = (by, own) {
                let theirs = d.sectors(head, "h.sector_id").push(" AND ");
                parts.push(crate::scope::one_locality(theirs, "h", own));
            }
            parts
        }
    };
    for mut query in parts {
        if let Some((from, to)) = found {
            query = query
                .push(" AND h.discovered_on >= ")
                .push_bind(day(from))
                .push(" AND h.discovered_on <= ")
                .push_bind(day(to));
        }
        let part: Vec<Group> = db
            .read()
            .all(query.push(&format!(" GROUP BY {group}")))
            .await?;
        groups.extend(part);
    }
    let names: std::collections::HashMap<i64, String> = match by {
        StatsBy::Unit => {
            let mut ids: Vec<i64> = groups.iter().map(|g| g.unit).collect();
            ids.sort_unstable();
            ids.dedup();
            unit_names(db, &ids).await?
        }
        StatsBy::Sector => sectors(db).await?.into_iter().collect(),
        StatsBy::Month => Default::default(),
    };
    let mut lines: std::collections::BTreeMap<String, StatLine> = Default::default();
    for g in groups {
        let key = match by {
            StatsBy::Unit => names.get(&g.unit).cloned().unwrap_or_default(),
            StatsBy::Sector => names.get(&g.sector).cloned().unwrap_or_default(),
            StatsBy::Month => g.day.chars().take(7).collect(),
        };
        let line = lines.entry(key.clone()).or_insert_with(|| StatLine {
            key,
            ..StatLine::default()
        });
        line.found += g.found;
        line.closed += g.closed;
        line.major += g.major;
        line.major_closed += g.major_closed;
        line.overdue += g.overdue;
    }
    Ok(lines.into_values().collect())
}

/// Brings the kept overdue counts (open hazards whose deadline is before the day, in
/// `hazard_tallies` and the two coarse tallies above it) to `today`: once a day, by
/// whichever request or background run comes first (a conditional update of the day;
/// a process that loses the race leaves it to the winner). One grouping of the
/// overdue hazards.
pub async fn roll_tallies(db: &Db, today: NaiveDate) -> Result<bool> {
    let today = day(today);
    let (current,): (String,) = db
        .read()
        .one(q("SELECT day FROM hazard_tally_day WHERE id = 1"))
        .await?;
    if current == today {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    let moved = tx
        .execute(
            q("UPDATE hazard_tally_day SET day = $1 WHERE id = 1 AND day = $2")
                .bind(today.clone())
                .bind(current),
        )
        .await?;
    if moved == 0 {
        return Ok(false);
    }
    tx.execute(q(
        "UPDATE hazard_tallies SET overdue = 0 WHERE overdue <> 0",
    ))
    .await?;
    tx.execute(
        q("UPDATE hazard_tallies SET overdue = o.n FROM (SELECT COALESCE(locality_id, 0) AS loc, sector_id AS sec, substr(discovered_on, 1, 7) AS mon, COUNT(*) AS n FROM hazards WHERE status <> 'closed' AND deadline < $1 GROUP BY COALESCE(locality_id, 0), sector_id, substr(discovered_on, 1, 7)) o WHERE hazard_tallies.locality_id = o.loc AND hazard_tallies.sector_id = o.sec AND hazard_tallies.month = o.mon")
            .bind(today),
    )
    .await?;
    // The coarse tallies' overdue counts, summed from the fine ones (on SQLite the
    // triggers on the fine tallies have already done it and nothing changes here).
    for (table, key) in [
        ("hazard_tallies_by_locality", "locality_id"),
        ("hazard_tallies_by_sector", "sector_id"),
    ] {
        tx.execute(q(format!(
            "UPDATE {table} SET overdue = o.n FROM (SELECT {key} AS k, month AS mon, CAST(SUM(overdue) AS BIGINT) AS n FROM hazard_tallies GROUP BY {key}, month) o \
             WHERE {table}.{key} = o.k AND {table}.month = o.mon AND {table}.overdue <> o.n"
        )))
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The months `from`..=`to` cover exactly ("YYYY-MM", "YYYY-MM"), if they are whole.
fn whole_months(from: NaiveDate, to: NaiveDate) -> Option<(String, String)> {
    use chrono::Datelike;
    let last = to.succ_opt().is_none_or(|next| next.day() == 1);
    (from.day() == 1 && last && from <= to).then(|| {
        (
            from.format("%Y-%m").to_string(),
            to.format("%Y-%m").to_string(),
        )
    })
}

/// The names of units `ids` (sorted), read in batches.
pub(crate) async fn unit_names(
    db: &Db,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>> {
    let mut names = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let query = q("SELECT id, name FROM units WHERE id IN (").push_list(chunk);
        let rows: Vec<(i64, String)> = db.read().all(query.push(")")).await?;
        names.extend(rows);
    }
    Ok(names)
}
