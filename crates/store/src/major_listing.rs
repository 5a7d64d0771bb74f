//! Every major hazard listed at once (issue 19 part 1, item (59): "严格重大隐患整改挂牌
//! 督办"): recording a major hazard, however it comes in (a form, a ledger import, a
//! visit's or an inspection's finding, a tip), lists it for the committee office's
//! supervision in the same transaction, unconfirmed, and gives the office an
//! obligation to set or confirm the leader and deadline within the configured days
//! (setting `major_listing_days`, 3 by default). The office's listing form confirms it
//! ([`crate::hazards::list_for_supervision`]) and fulfils that obligation.

use chrono::NaiveDate;

use crate::db::{Arg, Tx, day, insert_rows, q};
use crate::error::Result;
use crate::ids::next_id;

/// The setting that holds the office's days to confirm a listing.
pub const DAYS_SETTING: &str = "major_listing_days";

/// The office's days to confirm a listing when the setting is absent.
pub const DEFAULT_DAYS: u64 = 3;

/// A major hazard just written.
pub(crate) struct Major<'a> {
    pub id: i64,
    pub place: &'a str,
    /// Its rectification deadline: the listing's until the office sets its own.
    pub deadline: NaiveDate,
    pub at: i64,
    pub by: Option<i64>,
}

/// Lists `majors` for supervision inside the caller's transaction: one listing row
/// each (the committee office's, unconfirmed), the hazards marked listed, and one
/// obligation each for the office, in multi-row statements. Nothing when the directory
/// has no committee office.
pub(crate) async fn list_at_once(tx: &mut Tx, majors: &[Major<'_>]) -> Result<()> {
    let Some(first) = majors.first() else {
        return Ok(());
    };
    let office: Option<(i64,)> = tx
        .opt(q("SELECT id FROM units WHERE kind = 'committee_office' AND active = 1 ORDER BY depth, id LIMIT 1"))
        .await?;
    let Some((office,)) = office else {
        return Ok(());
    };
    let set: Option<(String,)> = tx
        .opt(q("SELECT value FROM settings WHERE key = $1").bind(DAYS_SETTING))
        .await?;
    let days = days_of(set.map(|(v,)| v));
    let today = anjian_core::time::local_date(first.at).unwrap_or(NaiveDate::MIN);
    let due = today
        .checked_add_days(chrono::Days::new(days))
        .unwrap_or(today);
    let listings: Vec<Vec<Arg>> = majors
        .iter()
        .map(|m| {
            vec![
                next_id(m.at).into(),
                m.id.into(),
                office.into(),
                "".into(),
                day(m.deadline).into(),
                "".into(),
                m.by.into(),
                m.at.into(),
            ]
        })
        .collect();
    tx.execute(insert_rows(
        "INSERT INTO hazard_listings (id, hazard_id, unit_id, leader, deadline, note, listed_by, listed_at) VALUES ",
        &listings,
    ))
    .await?;
    let ids: Vec<i64> = majors.iter().map(|m| m.id).collect();
    tx.execute(
        q("UPDATE hazards SET listed = 1 WHERE id IN (")
            .push_list(&ids)
            .push(")"),
    )
    .await?;
    let owed: Vec<Vec<Arg>> = majors
        .iter()
        .map(|m| {
            vec![
                next_id(m.at).into(),
                m.id.into(),
                office.into(),
                day(due).into(),
                format!("确认重大隐患挂牌督办：{}", m.place)
                    .chars()
                    .take(80)
                    .collect::<String>()
                    .into(),
                1i64.into(),
                "pending".into(),
                m.at.into(),
                m.at.into(),
            ]
        })
        .collect();
    tx.execute(insert_rows(
        "INSERT INTO obligations (id, hazard_id, unit_id, due_on, label, min_count, state, created_at, updated_at) VALUES ",
        &owed,
    ))
    .await?;
    let what = format!("确认重大隐患挂牌督办（{}项）", majors.len());
    crate::outbox::tell_new_in(
        tx,
        first.at,
        &[(office, due)],
        &what,
        &format!("hazard_id:{}:{}", first.id, first.at),
    )
    .await
}

/// The office's days to confirm a listing (1 to 30; [`DEFAULT_DAYS`] when unset).
pub async fn days(db: &crate::db::Db) -> Result<u64> {
    Ok(days_of(crate::settings::get(db, DAYS_SETTING).await?))
}

/// The days a stored setting holds: 1 to 30, else [`DEFAULT_DAYS`].
fn days_of(stored: Option<String>) -> u64 {
    stored
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|d| (1..=30).contains(d))
        .unwrap_or(DEFAULT_DAYS)
}

/// Sets the office's days to confirm a listing (1 to 30, field `days`), audited.
pub async fn set_days(
    db: &crate::db::Db,
    now_ms: i64,
    actor: &crate::scope::Actor,
    days: &str,
) -> Result<()> {
    crate::authz::require(actor, anjian_core::role::Role::can_run_campaigns)?;
    let n = days
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|d| (1..=30).contains(d))
        .ok_or_else(|| {
            crate::error::Error::invalid("out_of_range", "days", "确认期限应为1到30之间的天数")
        })?;
    crate::settings::set(
        db,
        now_ms,
        actor,
        "settings.major_listing_days",
        DAYS_SETTING,
        &n.to_string(),
    )
    .await
}
