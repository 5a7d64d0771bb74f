//! A warning with its recipients as the API answers it and the warning page shows it.

use crate::AppState;
use crate::error::ApiError;
use anjian_store::warnings::{self, Recipient, Warning};
use serde::Serialize;
use utoipa::ToSchema;

/// One addressee: its answer and status (`answered`, `late`, `overdue`, `waiting`).
#[derive(Serialize, ToSchema)]
pub struct RecipientJson {
    #[serde(flatten)]
    pub recipient: Recipient,
    pub status: &'static str,
}

pub(crate) async fn detail(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    id: i64,
) -> Result<WarningDetail, ApiError> {
    let (warning, rs) = warnings::get(&state.db, &u.scope(), Some(u.unit_id), id).await?;
    let now = state.now();
    Ok(WarningDetail {
        recipients: rs
            .into_iter()
            .map(|r| RecipientJson {
                status: r.status(warning.answer_by, now),
                recipient: r,
            })
            .collect(),
        warning,
    })
}

/// A warning with its addressees and their answers.
#[derive(Serialize, ToSchema)]
pub struct WarningDetail {
    #[serde(flatten)]
    pub warning: Warning,
    pub recipients: Vec<RecipientJson>,
}
