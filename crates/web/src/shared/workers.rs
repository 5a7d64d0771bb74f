//! A roster sheet's import, the same from the API and the enterprise's page.

use anjian_core::worker::read_sheet;
use anjian_store::workers;

use crate::AppState;
use crate::error::Problem;
use anjian_store::accounts::SessionUser;

/// Reads `bytes` as a roster sheet and adds every row to enterprise `id`'s roster, or
/// none: the first row at fault is named. Returns how many were added.
pub async fn import(
    state: &AppState,
    u: &SessionUser,
    id: i64,
    bytes: &[u8],
) -> Result<usize, Problem> {
    // A gate before the costly part: reading and sealing thousands of rows.
    anjian_store::authz::require(&u.actor(), |r| r.does_field_work())?;
    if bytes.is_empty() {
        return Err(
            anjian_core::FieldError::new("required", "file", "请选择要导入的 .xlsx 文件").into(),
        );
    }
    let rows = read_sheet(bytes)?;
    let mut names: Vec<String> = rows
        .iter()
        .map(|r| r.agency_name.clone())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort_unstable();
    names.dedup();
    let known = workers::enterprises_named(&state.db, &names).await?;
    let mut inputs = Vec::with_capacity(rows.len());
    for r in rows {
        let mut w = r.worker;
        if !r.agency_name.is_empty() {
            let Some((id, _)) = known.iter().find(|(_, n)| *n == r.agency_name) else {
                return Err(anjian_core::FieldError::new(
                    "unknown_agency",
                    "agency",
                    format!(
                        "第{}行：劳务派遣单位“{}”不在企业名录中",
                        r.row, r.agency_name
                    ),
                )
                .into());
            };
            w.agency = Some(*id);
        }
        inputs.push((r.row, w));
    }
    Ok(workers::add(
        &state.db,
        &state.config.keyring,
        state.moment(),
        &u.actor(),
        &u.scope(),
        id,
        &inputs,
    )
    .await?)
}
