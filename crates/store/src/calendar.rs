//! The working-day calendar in the database: seeded once with the national days, edited
//! by the office, each change audited.

use anjian_core::calendar::{DayKind, WorkCalendar, national_days};
use chrono::NaiveDate;

use crate::audit::{self, Entry};
use crate::db::{Db, q};
use crate::error::Result;
use crate::scope::Actor;

/// Seeds the national days of every year the calendar does not list yet (an empty
/// calendar gets them all; a calendar seeded with 2022–2023 gets the later years);
/// returns how many days it wrote. Years the office already holds are left as edited.
pub async fn seed_national_days(db: &Db, now_ms: i64) -> Result<usize> {
    let mut tx = db.begin().await?;
    let years: Vec<(String,)> = tx
        .all(q("SELECT DISTINCT substr(day, 1, 4) FROM calendar_days"))
        .await?;
    let have: std::collections::HashSet<i32> =
        years.iter().filter_map(|(y,)| y.parse().ok()).collect();
    let days: Vec<_> = national_days()
        .into_iter()
        .filter(|(d, _, _)| !have.contains(&chrono::Datelike::year(d)))
        .collect();
    if days.is_empty() {
        return Ok(0);
    }
    let mut insert = q("INSERT INTO calendar_days (day, kind, note, updated_at) VALUES ");
    for (i, (d, k, note)) in days.iter().enumerate() {
        insert = insert
            .push(if i == 0 { "(" } else { ", (" })
            .push_bind(d.format("%Y-%m-%d").to_string())
            .push(", ")
            .push_bind(k.as_str())
            .push(", ")
            .push_bind(*note)
            .push(", ")
            .push_bind(now_ms)
            .push(")");
    }
    tx.execute(insert.push(" ON CONFLICT (day) DO NOTHING"))
        .await?;
    let e = Entry::ok("calendar.seed", "calendar", "national")
        .detail(format!("写入{}个法定节假日和调休日", days.len()));
    audit::append(&mut tx, now_ms, &Actor::system("calendar"), e).await?;
    tx.commit().await?;
    Ok(days.len())
}

/// The listed days of a year, in order.
pub async fn days(db: &Db, year: i32) -> Result<Vec<(String, String, String)>> {
    db.read()
        .all(q("SELECT day, kind, note FROM calendar_days WHERE day >= $1 AND day < $2 ORDER BY day").bind(format!("{year}-01-01")).bind(format!("{}-01-01", year + 1)))
        .await
}

/// The whole calendar.
pub async fn load(db: &Db) -> Result<WorkCalendar> {
    let rows: Vec<(String, String)> = db
        .read()
        .all(q("SELECT day, kind FROM calendar_days"))
        .await?;
    Ok(WorkCalendar::new(rows.into_iter().filter_map(|(d, k)| {
        Some((
            NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()?,
            DayKind::parse(&k)?,
        ))
    })))
}

/// Lists a day as a holiday or a workday, or (with `None`) removes it.
pub async fn set_day(
    db: &Db,
    now_ms: i64,
    actor: &Actor,
    day: NaiveDate,
    kind: Option<DayKind>,
    note: &str,
) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::can_edit_directory)?;
    let key = day.format("%Y-%m-%d").to_string();
    let mut tx = db.begin().await?;
    tx.execute(q("DELETE FROM calendar_days WHERE day = $1").bind(key.clone()))
        .await?;
    if let Some(k) = kind {
        tx.execute(
            q("INSERT INTO calendar_days (day, kind, note, updated_at) VALUES ($1, $2, $3, $4)")
                .bind(key.clone())
                .bind(k.as_str())
                .bind(note)
                .bind(now_ms),
        )
        .await?;
    }
    let what = kind.map(|k| k.as_str()).unwrap_or("normal");
    audit::append(
        &mut tx,
        now_ms,
        actor,
        Entry::ok("calendar.set", "calendar", key).detail(format!("{what} {note}")),
    )
    .await?;
    tx.commit().await
}
