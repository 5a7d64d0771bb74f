//! The audit list's filters, read by `GET /api/v1/audit` and the auditor's page.

use serde::Deserialize;
use utoipa::IntoParams;

/// Filters of the audit list (newest first; `before` is the keyset).
#[derive(Deserialize, IntoParams, Default)]
pub struct AuditQuery {
    pub before: Option<i64>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    pub limit: Option<i64>,
}
