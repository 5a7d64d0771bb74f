//! The discretion standard (自由裁量基准, item (88)) kept by the office as a setting
//! (`discretion.standard`, JSON), audited on each change; read by every penalty decision
//! ([`anjian_core::discretion::check_applied`]).

use anjian_core::discretion::{Clause, check_standard};

use crate::db::Db;
use crate::error::Result;
use crate::scope::Actor;

/// The setting's key.
pub const KEY: &str = "discretion.standard";

/// The standard in force (empty when the office keeps none).
pub async fn standard(db: &Db) -> Result<Vec<Clause>> {
    Ok(crate::settings::get(db, KEY)
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

/// Replaces the standard (the office), checked clause by clause (422 naming the field).
pub async fn set(db: &Db, now_ms: i64, actor: &Actor, clauses: &[Clause]) -> Result<Vec<Clause>> {
    crate::authz::require(actor, anjian_core::role::Role::can_run_campaigns)?;
    let checked = check_standard(clauses)?;
    let json = serde_json::to_string(&checked).unwrap_or_else(|_| "[]".into());
    crate::settings::set(
        db,
        now_ms,
        actor,
        "settings.discretion_standard",
        KEY,
        &json,
    )
    .await?;
    Ok(checked)
}
