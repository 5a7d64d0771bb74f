//! Daily duties counted, not reported (`core::daily`): the units assigned to a work item
//! that recurs daily log each publication or broadcast, and each unit's line counts the
//! days of the campaign so far without one. Plan item (14): "每日在区级以上主流媒体…发布
//! 1条以上工作动态或通过应急广播进行常态化宣传" (区应急局、区融媒体中心 lead).

use std::collections::HashMap;

use anjian_core::daily::{Entry as DailyEntry, days_missed, is_daily};
use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::{self, Entry};
use crate::db::{Db, day, q};
use crate::error::{Error, Result};
use crate::ids::next_id;
use crate::scope::{Actor, Scope};

/// One unit's standing on one daily work item of a running campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DailyLine {
    pub assignment_id: i64,
    pub campaign_title: String,
    pub no: u32,
    pub text: String,
    pub unit_id: i64,
    pub unit_name: String,
    /// `lead`, `co` or `invited`.
    pub role: String,
    /// Days owed so far: from the campaign's start (or the day the unit joined) to
    /// today or the campaign's end.
    pub days: i64,
    /// Days with at least one entry.
    pub logged: i64,
    /// Entries in all.
    pub entries: i64,
    /// The most recent days without an entry, newest first (at most 7).
    pub recent_missed: Vec<String>,
    /// Days without an entry.
    pub missed: i64,
}

/// The role's Chinese name.
pub fn role_label(role: &str) -> &'static str {
    match role {
        "lead" => "牵头",
        "co" => "配合",
        _ => "必要时邀请",
    }
}

/// The lines of every daily work item of the campaigns running `today`, for the units
/// in scope, lead units first. Reads each running campaign's plan once, then two
/// queries per campaign (its daily items' assignments, their entries' days).
pub async fn lines(db: &Db, scope: &Scope, today: NaiveDate) -> Result<Vec<DailyLine>> {
    let mut out = Vec::new();
    for c in crate::plans::campaigns(db).await? {
        let (start, end) = crate::expansion::window(&c)?;
        if start > today {
            continue;
        }
        let last = end.min(today);
        let (plan, ids) = crate::plans::campaign_plan(db, &c).await?;
        let daily: HashMap<i64, (u32, String)> = plan
            .work_items()
            .filter(|w| w.schedule.iter().any(is_daily))
            .filter_map(|w| Some((*ids.work_items.get(&w.no)?, (w.no, w.text.clone()))))
            .collect();
        if daily.is_empty() {
            continue;
        }
        let query = scope
            .units(
                q("SELECT a.id, a.work_item_id, a.unit_id, u.name, a.role, a.created_at FROM assignments a JOIN units u ON u.id = a.unit_id WHERE a.campaign_id = ")
                    .push_bind(c.id)
                    .push(" AND a.ended_at IS NULL AND a.work_item_id IN (")
                    .push_list(&daily.keys().copied().collect::<Vec<_>>())
                    .push(") AND "),
                "u",
            )
            .push(" ORDER BY CASE a.role WHEN 'lead' THEN 0 WHEN 'co' THEN 1 ELSE 2 END, u.name");
        let assignments: Vec<(i64, i64, i64, String, String, i64)> = db.read().all(query).await?;
        if assignments.is_empty() {
            continue;
        }
        // Units given the item when the campaign was launched owe it from its start;
        // units that joined later (the directory's follow-up), from the day they joined.
        let (launched,): (i64,) = db
            .read()
            .one(q("SELECT created_at FROM campaigns WHERE id = $1").bind(c.id))
            .await?;
        let entries: Vec<(i64, String)> = db
            .read()
            .all(
                q("SELECT assignment_id, on_day FROM daily_entries WHERE assignment_id IN (")
                    .push_list(&assignments.iter().map(|a| a.0).collect::<Vec<_>>())
                    .push(")"),
            )
            .await?;
        let mut days_of: HashMap<i64, Vec<NaiveDate>> = HashMap::new();
        for (a, d) in entries {
            if let Ok(d) = NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
                days_of.entry(a).or_default().push(d);
            }
        }
        for (id, item, unit_id, unit_name, role, created_at) in assignments {
            let Some((no, text)) = daily.get(&item) else {
                continue;
            };
            let first = if created_at <= launched + 60_000 {
                start
            } else {
                start.max(anjian_core::time::local_date(created_at).unwrap_or(start))
            };
            let logged = days_of.remove(&id).unwrap_or_default();
            let missed = if first <= last {
                days_missed(first, last, &logged)
            } else {
                Vec::new()
            };
            let days = if first <= last {
                (last - first).num_days() + 1
            } else {
                0
            };
            let mut distinct = logged.clone();
            distinct.sort_unstable();
            distinct.dedup();
            out.push(DailyLine {
                assignment_id: id,
                campaign_title: c.title.clone(),
                no: *no,
                text: text.clone(),
                unit_id,
                unit_name,
                role,
                days,
                logged: distinct.len() as i64,
                entries: logged.len() as i64,
                recent_missed: missed.iter().rev().take(7).map(|d| d.to_string()).collect(),
                missed: missed.len() as i64,
            });
        }
    }
    Ok(out)
}

/// A logged entry as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EntryRow {
    pub id: i64,
    pub assignment_id: i64,
    pub unit_name: String,
    pub on_day: String,
    pub channel: String,
    pub outlet: String,
    pub title: String,
    pub link: Option<String>,
}

/// The latest entries of the units in scope, newest first (at most `limit`, ≤ 200).
pub async fn recent(db: &Db, scope: &Scope, limit: i64) -> Result<Vec<EntryRow>> {
    let query = scope
        .units(
            q("SELECT e.id, e.assignment_id, u.name AS unit_name, e.on_day, e.channel, e.outlet, e.title, e.link FROM daily_entries e JOIN assignments a ON a.id = e.assignment_id JOIN units u ON u.id = a.unit_id WHERE "),
            "u",
        )
        .push(" ORDER BY e.on_day DESC, e.id DESC LIMIT ")
        .push_bind(limit.clamp(1, 200));
    db.read().all(query).await
}

/// Logs an entry against assignment `assignment` of the actor's own unit (lead or co
/// of a daily item of a running campaign), in one transaction with its audit entry.
/// Another unit's assignment, or one out of scope, is not found.
pub async fn log(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    assignment: i64,
    entry: &DailyEntry,
) -> Result<i64> {
    let unit = actor.unit_id.ok_or(Error::Forbidden)?;
    let mut tx = db.begin().await?;
    let found: Option<(String, Option<String>)> = tx
        .opt(
            q("SELECT c.starts_on, c.ends_on FROM assignments a JOIN campaigns c ON c.id = a.campaign_id WHERE a.id = $1 AND a.unit_id = $2 AND a.ended_at IS NULL")
                .bind(assignment)
                .bind(unit),
        )
        .await?;
    let Some((starts_on, ends_on)) = found else {
        return Err(Error::NotFound);
    };
    let on = day(entry.on);
    if on < starts_on || ends_on.as_deref().is_some_and(|e| on.as_str() > e) {
        return Err(Error::invalid(
            "outside_campaign",
            "on",
            "发布日期不在专项行动期间",
        ));
    }
    let id = next_id(now_ms);
    tx.execute(
        q("INSERT INTO daily_entries (id, assignment_id, on_day, channel, outlet, title, link, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(id)
            .bind(assignment)
            .bind(on.as_str())
            .bind(entry.channel.as_str())
            .bind(entry.outlet.as_str())
            .bind(entry.title.as_str())
            .bind(entry.link.as_deref())
            .bind(actor.user_id)
            .bind(now_ms),
    )
    .await?;
    let e = Entry::ok("daily.log", "assignment", assignment)
        .detail(format!("{} {}：{}", on, entry.outlet, entry.title));
    audit::append(&mut tx, now_ms, actor, e).await?;
    tx.commit().await?;
    Ok(id)
}
