//! Saving a unit group, for `POST /api/v1/groups` and the group form alike.

use crate::AppState;
use crate::error::Problem;
use anjian_core::unit::GroupDraft;
use anjian_store::directory::groups;
use serde::Serialize;
use utoipa::ToSchema;

/// Saves a validated group for the API and the page alike.
pub async fn save_group(
    state: &AppState,
    u: &anjian_store::accounts::SessionUser,
    draft: &GroupDraft,
    members: Vec<i64>,
) -> Result<GroupJson, Problem> {
    let membership = match draft.rule {
        Some((kind, supervises_safety)) => groups::Membership::Rule {
            kind,
            supervises_safety,
        },
        None => groups::Membership::Explicit(members),
    };
    let aliases: Vec<&str> = draft.aliases.iter().map(String::as_str).collect();
    let g = groups::create(
        &state.db,
        state.now(),
        &u.actor(),
        &draft.name,
        &draft.description,
        &membership,
        &aliases,
    )
    .await?;
    Ok(GroupJson {
        id: g.id,
        name: g.name,
        description: g.description,
        rule_kind: g.rule_kind,
        rule_supervises_safety: g.rule_supervises_safety == Some(1),
    })
}

/// A named group of units.
#[derive(Serialize, ToSchema)]
pub struct GroupJson {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// The kind of unit the rule selects, if the group is defined by rule.
    pub rule_kind: Option<String>,
    pub rule_supervises_safety: bool,
}
