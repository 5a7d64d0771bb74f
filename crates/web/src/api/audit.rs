//! The audit chain, for the auditor.

use anjian_store::audit::{self, AuditFilter, AuditRow};
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::body::Params;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;
pub(crate) use crate::shared::audit::AuditQuery;

impl AuditQuery {
    /// The storage filter.
    pub fn filter(&self) -> AuditFilter {
        let s = |v: &Option<String>| anjian_core::error::search_term(v.as_deref(), 64);
        AuditFilter {
            before: self.before,
            actor: s(&self.actor),
            action: s(&self.action),
            outcome: s(&self.outcome),
            limit: self.limit.unwrap_or(100),
        }
    }
}

/// An audit entry.
#[derive(Serialize, ToSchema)]
pub struct AuditJson {
    pub seq: i64,
    /// UTC, RFC 3339.
    pub at: String,
    pub actor: String,
    pub role: String,
    pub unit_id: Option<i64>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub outcome: String,
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditRow> for AuditJson {
    fn from(r: AuditRow) -> Self {
        AuditJson {
            seq: r.seq,
            at: anjian_core::time::format_utc(r.at_ms),
            actor: r.actor_name,
            role: r.role,
            unit_id: r.unit_id,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            outcome: r.outcome,
            before_digest: r.before_digest,
            after_digest: r.after_digest,
            detail: r.detail,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// Audit entries, newest first (auditor).
#[utoipa::path(get, path = "/api/v1/audit", params(AuditQuery), responses((status = 200, body = [AuditJson])))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Params(q): Params<AuditQuery>,
) -> Result<Json<Vec<AuditJson>>, ApiError> {
    let rows = audit::list(&state.db, &u.actor(), &q.filter()).await?;
    Ok(Json(rows.into_iter().map(AuditJson::from).collect()))
}

/// The verification result.
#[derive(Serialize, ToSchema)]
pub struct VerifyJson {
    pub ok: bool,
    pub checked: u64,
    pub head_seq: i64,
    pub broken_seq: Option<i64>,
    pub reason: Option<String>,
}

/// Re-computes the chain and names the first broken entry (auditor).
#[utoipa::path(get, path = "/api/v1/audit/verify", responses((status = 200, body = VerifyJson)))]
pub async fn verify(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<Json<VerifyJson>, ApiError> {
    let v = audit::verify_for(&state.db, &u.actor()).await?;
    Ok(Json(VerifyJson {
        ok: v.broken.is_none(),
        checked: v.checked,
        head_seq: v.head_seq,
        broken_seq: v.broken.as_ref().map(|b| b.seq),
        reason: v.broken.map(|b| b.reason),
    }))
}
