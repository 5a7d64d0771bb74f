//! An accident's investigation and its follow-up (issue 19 part 5): the record the lead
//! unit (or the office) keeps — team, report file, approval, accountability — with each
//! rectification measure owed by its unit as an obligation; the office's listing of a
//! typical accident for supervision (挂牌督办) with a leader and deadline, itself owed by
//! the lead unit; and 一案双查, the duty records and quota standings of the officials
//! answering for the accident's locality and sector with the enterprise's enforcement
//! history, read for the investigators whatever their own scope.

use anjian_core::accident::supplement_allowed;
use anjian_core::investigation::{InvestigationInput, check};
use anjian_core::machine::By;
use anjian_core::time::{Moment, Span};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::accidents::AccidentRow;
use crate::audit::{self, Entry};
use crate::db::{Arg, Db, day, insert_rows, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::obligations::{Due, Source};
use crate::reports::EvidenceFile;
use crate::scope::{Actor, Scope};

/// The investigation as pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct InvestigationRow {
    pub lead_unit_id: i64,
    pub lead_unit_name: String,
    pub members: String,
    /// The report file's SHA-256 and name, when attached.
    pub report_sha256: Option<String>,
    pub report_name: Option<String>,
    pub approval_no: Option<String>,
    pub approved_on: Option<String>,
}

/// A person held accountable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AccountRow {
    pub person: String,
    pub post: Option<String>,
    pub unit_name: Option<String>,
    pub form: String,
}

/// A rectification measure with the state of its obligation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct MeasureRow {
    pub id: i64,
    pub unit_name: String,
    pub measure: String,
    pub due_on: String,
    /// The obligation's state (`pending`, `accepted`, …).
    pub state: Option<String>,
}

impl MeasureRow {
    /// The obligation's state in Chinese.
    pub fn state_label(&self) -> &'static str {
        use anjian_core::machine::States;
        anjian_core::obligation::State::label_of(self.state.as_deref().unwrap_or(""))
    }
}

/// An accident's investigation record: the record, the persons, the measures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Investigation {
    pub record: Option<InvestigationRow>,
    pub accountability: Vec<AccountRow>,
    pub measures: Vec<MeasureRow>,
}

fn shanghai(ms: i64) -> DateTime<FixedOffset> {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&anjian_core::time::shanghai())
}

/// Whether the actor investigates accident `a`: the office, or its lead unit.
pub fn investigates(scope: &Scope, actor: &Actor, a: &AccidentRow) -> bool {
    let by = crate::transition::relation(scope, actor, a.lead_unit_id);
    by.contains(&By::Office) || by.contains(&By::Assignee)
}

/// Refuses (403) anyone but the accident's investigators.
fn investigators(scope: &Scope, actor: &Actor, a: &AccidentRow) -> Result<()> {
    if investigates(scope, actor, a) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// Records the investigation of accident `id` (its lead unit or the office): what is
/// given replaces the team, the report file (when one is attached), the approval and
/// the accountability; each measure is added and owed by its unit at its day. Refused:
/// an accident out of scope (404), another unit (403), bad parts (422 naming the
/// field), a report or approval while casualty changes are still being reported
/// (422 `still_reporting`), a unit not in the directory (422).
pub async fn record(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    input: &InvestigationInput,
    report: Option<&EvidenceFile>,
) -> Result<()> {
    let a = crate::accidents::get(db, scope, id).await?;
    investigators(scope, actor, &a)?;
    let occurred_on = NaiveDate::parse_from_str(&a.occurred_on, "%Y-%m-%d").unwrap_or(today);
    let inv = check(input, occurred_on, today)?;
    if (report.is_some() || inv.approval.is_some())
        && supplement_allowed(&a.sector, shanghai(a.occurred_at), shanghai(now_ms))
    {
        return Err(Error::invalid(
            "still_reporting",
            if report.is_some() {
                "report"
            } else {
                "approved_on"
            },
            format!(
                "事故发生未满{}日，伤亡情况仍在续报，暂不能录入调查报告和批复",
                anjian_core::accident::supplement_days(&a.sector)
            ),
        ));
    }
    let lead = input.lead_unit.or(a.lead_unit_id).unwrap_or(a.unit_id);
    let mut units: Vec<i64> = inv
        .accountability
        .iter()
        .filter_map(|x| x.unit)
        .chain(inv.measures.iter().map(|m| m.unit))
        .chain([lead])
        .collect();
    units.sort_unstable();
    units.dedup();
    let mut tx = db.begin().await?;
    let (known,): (i64,) = tx
        .one(
            q("SELECT CAST(COUNT(*) AS BIGINT) FROM units WHERE active = 1 AND id IN (")
                .push_list(&units)
                .push(")"),
        )
        .await?;
    if known != units.len() as i64 {
        return Err(Error::invalid(
            "unknown_unit",
            "measures.unit",
            "所选单位不存在或已停用",
        ));
    }
    let (number, approved) = match &inv.approval {
        Some((n, d)) => (Some(n.clone()), Some(day(*d))),
        None => (None, None),
    };
    tx.execute(
        q("INSERT INTO accident_investigations (accident_id, lead_unit_id, members, report_sha256, report_name, approval_no, approved_on, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
           ON CONFLICT (accident_id) DO UPDATE SET lead_unit_id = excluded.lead_unit_id, members = excluded.members, \
           report_sha256 = COALESCE(excluded.report_sha256, accident_investigations.report_sha256), \
           report_name = COALESCE(excluded.report_name, accident_investigations.report_name), \
           approval_no = COALESCE(excluded.approval_no, accident_investigations.approval_no), \
           approved_on = COALESCE(excluded.approved_on, accident_investigations.approved_on), \
           updated_by = excluded.updated_by, updated_at = excluded.updated_at")
            .bind(id)
            .bind(lead)
            .bind(inv.members.as_str())
            .bind(report.map(|r| r.sha256.clone()))
            .bind(report.map(|r| r.file_name.clone()))
            .bind(number)
            .bind(approved)
            .bind(actor.user_id)
            .bind(now_ms),
    )
    .await?;
    if !inv.accountability.is_empty() {
        tx.execute(q("DELETE FROM accident_accountability WHERE accident_id = $1").bind(id))
            .await?;
        let rows: Vec<Vec<Arg>> = inv
            .accountability
            .iter()
            .map(|x| {
                vec![
                    next_id(now_ms).into(),
                    id.into(),
                    x.person.as_str().into(),
                    x.post.clone().into(),
                    x.unit.into(),
                    x.form.as_str().into(),
                ]
            })
            .collect();
        tx.execute(insert_rows(
            "INSERT INTO accident_accountability (id, accident_id, person, post, unit_id, form) VALUES ",
            rows.iter(),
        ))
        .await?;
    }
    for m in &inv.measures {
        let measure = next_id(now_ms);
        tx.execute(
            q("INSERT INTO accident_measures (id, accident_id, unit_id, measure, due_on, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(measure)
                .bind(id)
                .bind(m.unit)
                .bind(m.measure.as_str())
                .bind(day(m.due_on))
                .bind(now_ms),
        )
        .await?;
        crate::obligations::owe(
            &mut tx,
            now_ms,
            Source::AccidentMeasure(measure),
            Due {
                unit: m.unit,
                on: m.due_on,
            },
            format!("事故整改措施（{}）：{}", a.place, m.measure),
        )
        .await?;
    }
    let entry = Entry::ok("accident.investigation", "accident", id)
        .change(None, Some(&inv))
        .detail(format!(
            "{}：调查组{}{}{}",
            a.place,
            if report.is_some() {
                "，调查报告"
            } else {
                ""
            },
            if inv.approval.is_some() {
                "，批复"
            } else {
                ""
            },
            if inv.measures.is_empty() {
                String::new()
            } else {
                format!("，整改措施{}项", inv.measures.len())
            }
        ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await
}

/// The investigation of accident `id`, which the caller has read in scope.
pub async fn of(db: &Db, id: i64) -> Result<Investigation> {
    let mut read = db.read();
    let record: Option<InvestigationRow> = read
        .opt(
            q("SELECT i.lead_unit_id, u.name AS lead_unit_name, i.members, i.report_sha256, i.report_name, i.approval_no, i.approved_on FROM accident_investigations i JOIN units u ON u.id = i.lead_unit_id WHERE i.accident_id = $1")
                .bind(id),
        )
        .await?;
    let accountability: Vec<AccountRow> = read
        .all(
            q("SELECT p.person, p.post, u.name AS unit_name, p.form FROM accident_accountability p LEFT JOIN units u ON u.id = p.unit_id WHERE p.accident_id = $1 ORDER BY p.id LIMIT 100")
                .bind(id),
        )
        .await?;
    let measures: Vec<MeasureRow> = read
        .all(
            q("SELECT m.id, u.name AS unit_name, m.measure, m.due_on, o.state FROM accident_measures m JOIN units u ON u.id = m.unit_id LEFT JOIN obligations o ON o.accident_measure_id = m.id WHERE m.accident_id = $1 ORDER BY m.id LIMIT 200")
                .bind(id),
        )
        .await?;
    Ok(Investigation {
        record,
        accountability,
        measures,
    })
}

/// The report file of accident `id`'s investigation, for whoever sees the accident.
pub async fn report_file(db: &Db, scope: &Scope, id: i64) -> Result<String> {
    crate::accidents::get(db, scope, id).await?;
    let found: Option<(Option<String>,)> = db
        .read()
        .opt(q("SELECT report_sha256 FROM accident_investigations WHERE accident_id = $1").bind(id))
        .await?;
    found.and_then(|(s,)| s).ok_or(Error::NotFound)
}

/// The office's listing of a typical accident for supervision, as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ListingInput {
    /// The leader supervising it (督办负责人: name and post).
    #[serde(default)]
    pub leader: String,
    /// The deadline (YYYY-MM-DD), after today.
    #[serde(default)]
    pub until: String,
}

/// Lists accident `id` for supervision (挂牌督办, item (39)): the office names the
/// leader and the deadline, and the lead unit owes the investigation's conclusion by
/// then. Refused: anyone but the office (403), an accident out of scope (404), a bad
/// leader or deadline (422), one already listed with a leader (409).
pub async fn list_typical(
    db: &Db,
    Moment { ms: now_ms, today }: Moment,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    input: &ListingInput,
) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::sees_everything)?;
    let mut c = anjian_core::error::Checks::default();
    let leader = c.take(anjian_core::error::required_text(
        "leader",
        "督办负责人",
        &input.leader,
        100,
    ));
    let until = c.take(
        anjian_core::error::required_date("until", "督办期限", &input.until).and_then(|d| {
            if d > today {
                Ok(d)
            } else {
                Err(anjian_core::FieldError::new(
                    "invalid_until",
                    "until",
                    "督办期限应晚于今天",
                ))
            }
        }),
    );
    c.finish()?;
    let (Some(leader), Some(until)) = (leader, until) else {
        return Err(Error::invalid("required", "leader", "请填写督办负责人"));
    };
    let a = crate::accidents::get(db, scope, id).await?;
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            q("UPDATE accidents SET listed_on = COALESCE(listed_on, $1), listed_leader = $2, listed_until = $3, updated_at = $4 WHERE id = $5 AND listed_leader IS NULL")
                .bind(day(today))
                .bind(leader.as_str())
                .bind(day(until))
                .bind(now_ms)
                .bind(id),
        )
        .await?;
    Error::unless_changed(n, "leader", "该事故已挂牌督办")?;
    crate::obligations::owe(
        &mut tx,
        now_ms,
        Source::Accident(id),
        Due {
            unit: a.lead_unit_id.unwrap_or(a.unit_id),
            on: until,
        },
        format!("挂牌督办事故查处（{}，督办负责人：{leader}）", a.place),
    )
    .await?;
    let entry = Entry::ok("accident.list", "accident", id).detail(format!(
        "{}：{leader}督办，期限{}",
        a.place,
        day(until)
    ));
    audit::append(&mut tx, now_ms, actor, entry).await?;
    tx.commit().await
}

/// 一案双查 (item (38), and (110): "发生事故核查履职"): for the accident, the officials
/// answering for its locality and its sector with their duty records in the half-year
/// before it and their quota standings, and the enterprise's enforcement history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DualInquiry {
    pub accident: AccidentRow,
    /// The half-year before the accident.
    pub first: String,
    pub last: String,
    pub standings: Vec<crate::duty::PersonStanding>,
    pub records: Vec<crate::duty::Record>,
    pub enforcements: Vec<crate::enforcements::EnforcementRow>,
}

/// Reads the 一案双查 of accident `id` for its investigators (the lead unit or the
/// office): the officials of its locality and of its sector's department, whatever
/// the investigators' own scope. Refused: out of scope (404), another unit (403).
pub async fn dual_inquiry(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    today: NaiveDate,
    id: i64,
) -> Result<DualInquiry> {
    let a = crate::accidents::get(db, scope, id).await?;
    investigators(scope, actor, &a)?;
    let last = NaiveDate::parse_from_str(&a.occurred_on, "%Y-%m-%d").unwrap_or(today);
    let first = last
        .checked_sub_months(chrono::Months::new(6))
        .unwrap_or(last);
    let span = Span { first, last };
    // The locality of the unit it happened in, and the sector's department.
    let (path,): (String,) = db
        .read()
        .one(q("SELECT path FROM units WHERE id = $1").bind(a.unit_id))
        .await?;
    let mut answering: Vec<i64> = crate::scope::locality(&path).into_iter().collect();
    answering.extend(a.sector_unit_id);
    answering.dedup();
    let places: Vec<(i64, String)> = db
        .read()
        .all(
            q("SELECT id, path FROM units WHERE id IN (")
                .push_list(&answering)
                .push(")"),
        )
        .await?;
    let mut standings = Vec::new();
    let mut records = Vec::new();
    for (unit_id, path) in places {
        // Two units at most: the locality and the sector's department.
        let of = Scope::Subtree {
            unit_id,
            path,
            sector_supervisor: false,
        };
        standings.extend(crate::duty::standings(db, &of, span, last).await?);
        records.extend(
            crate::duty::records(db, &of, span, None, crate::paging::Page::first(1000)).await?,
        );
    }
    let enforcements = match a.enterprise_id {
        Some(x) => {
            crate::enforcements::list(
                db,
                &Scope::All,
                today,
                &crate::enforcements::EnforcementFilter {
                    enterprise: Some(x),
                    limit: 200,
                    ..Default::default()
                },
            )
            .await?
        }
        None => Vec::new(),
    };
    Ok(DualInquiry {
        accident: a,
        first: day(first),
        last: day(last),
        standings,
        records,
        enforcements,
    })
}
