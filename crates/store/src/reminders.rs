//! Reminders: a notification to the unit when an obligation comes due within N days,
//! and another when it is overdue. The job is idempotent (a unique index refuses a
//! second copy) and safe with several server processes against one database.

use anjian_core::machine::States as _;
use anjian_core::obligation::State;
use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::db::{Db, q};
use crate::error::Result;
use crate::ids::next_id;
use crate::scope::Scope;

/// Sets the days before a due date that units are reminded (0 to 30), the office's
/// setting, audited.
pub async fn set_days_before(
    db: &Db,
    now_ms: i64,
    actor: &crate::scope::Actor,
    days: i64,
) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::can_edit_directory)?;
    if !(0..=30).contains(&days) {
        return Err(crate::error::Error::invalid(
            "out_of_range",
            "days",
            "提醒天数应为0到30之间的整数",
        ));
    }
    crate::settings::set(
        db,
        now_ms,
        actor,
        "settings.reminder_days",
        "reminder_days",
        &days.to_string(),
    )
    .await
}

/// Days before the due date that a reminder is sent (the office's setting; default 3).
pub async fn days_before(db: &Db) -> Result<i64> {
    Ok(crate::settings::get(db, "reminder_days")
        .await?
        .and_then(|v| v.parse().ok())
        .filter(|d: &i64| (0..=30).contains(d))
        .unwrap_or(3))
}

/// Creates the reminders due on `today` that do not exist yet; returns how many.
pub async fn run_once(db: &Db, now_ms: i64, today: NaiveDate, days: i64) -> Result<usize> {
    let today_s = today.format("%Y-%m-%d").to_string();
    let soon = (today + Duration::days(days))
        .format("%Y-%m-%d")
        .to_string();
    let mut created = 0;
    for (kind, lo, hi) in [
        ("overdue", "0000-00-00".to_string(), today_s.clone()),
        ("due_soon", today_s.clone(), soon),
    ] {
        loop {
            // Open obligations in the window without this reminder yet, a batch at a time.
            let batch: Vec<(i64, i64, String)> = db
                .read()
                .all(
                    q(format!("SELECT o.id, o.unit_id, o.due_on FROM obligations o WHERE o.state IN {} AND o.due_on >= ", State::sql_list(&State::OPEN)))
                        .push_bind(lo.clone())
                        .push(if kind == "overdue" { " AND o.due_on < " } else { " AND o.due_on <= " })
                        .push_bind(hi.clone())
                        .push(" AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.obligation_id = o.id AND n.kind = ")
                        .push_bind(kind)
                        .push(") ORDER BY o.due_on, o.id LIMIT 500"),
                )
                .await?;
            if batch.is_empty() {
                break;
            }
            let mut tx = db.begin().await?;
            let mut insert = q(
                "INSERT INTO notifications (id, unit_id, obligation_id, kind, due_on, created_at) VALUES ",
            );
            for (i, (oid, unit, due)) in batch.iter().enumerate() {
                insert = insert
                    .push(if i == 0 { "(" } else { ", (" })
                    .push_bind(next_id(now_ms))
                    .push(", ")
                    .push_bind(*unit)
                    .push(", ")
                    .push_bind(*oid)
                    .push(", ")
                    .push_bind(kind)
                    .push(", ")
                    .push_bind(due.clone())
                    .push(", ")
                    .push_bind(now_ms)
                    .push(")");
            }
            created += tx
                .execute(insert.push(" ON CONFLICT (obligation_id, kind) DO NOTHING"))
                .await? as usize;
            tx.commit().await?;
            if batch.len() < 500 {
                break;
            }
        }
    }
    Ok(created)
}

/// A notification as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Notification {
    pub id: i64,
    pub obligation_id: i64,
    pub kind: String,
    pub due_on: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
    pub unit_name: String,
    /// The task it reminds of: the work item's or the duty's text, or the obligation's
    /// label (a case's deadline).
    pub task: String,
}

/// Unread notifications of a unit whose task is still to do (the to-do badge): a
/// reminder goes away when its task is submitted, done or waived.
pub async fn unread(db: &Db, unit_id: i64) -> Result<i64> {
    let (n,): (i64,) = db.read().one(q(format!("SELECT CAST(COUNT(*) AS BIGINT) FROM notifications n JOIN obligations o ON o.id = n.obligation_id WHERE n.unit_id = $1 AND n.read_at IS NULL AND o.state IN {}", State::sql_list(&State::OPEN))).bind(unit_id)).await?;
    Ok(n)
}

/// A unit's unread notifications in scope whose task is still to do, earliest due
/// first, each naming its task.
pub async fn list(db: &Db, scope: &Scope, unit_id: i64, limit: i64) -> Result<Vec<Notification>> {
    let query = scope
        .units(q(format!("SELECT n.id, n.obligation_id, n.kind, n.due_on, n.created_at, n.read_at, u.name AS unit_name, COALESCE(cw.text, w.text, d.text, o.label) AS task FROM notifications n JOIN units u ON u.id = n.unit_id JOIN obligations o ON o.id = n.obligation_id LEFT JOIN assignments a ON a.id = o.assignment_id LEFT JOIN work_items w ON w.id = a.work_item_id LEFT JOIN campaign_work_items cw ON cw.campaign_id = o.campaign_id AND cw.work_item_id = a.work_item_id LEFT JOIN plan_duties d ON d.id = a.duty_id WHERE o.state IN {} AND ", State::sql_list(&State::OPEN))), "u")
        .push(" AND n.read_at IS NULL AND n.unit_id = ")
        .push_bind(unit_id)
        .push(" ORDER BY n.due_on, n.id LIMIT ")
        .push_bind(limit.clamp(1, 500));
    db.read().all(query).await
}

/// Marks the actor's unit's notifications read, with its audit entry (how many).
pub async fn mark_read(db: &Db, now_ms: i64, actor: &crate::scope::Actor) -> Result<u64> {
    let unit_id = actor.unit_id.ok_or(crate::error::Error::NotFound)?;
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            q("UPDATE notifications SET read_at = $1 WHERE unit_id = $2 AND read_at IS NULL")
                .bind(now_ms)
                .bind(unit_id),
        )
        .await?;
    crate::audit::append(
        &mut tx,
        now_ms,
        actor,
        crate::audit::Entry::ok("notifications.read", "unit", unit_id).detail(n.to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}
