//! Keeping a public tip with its receipt code and finding a tip by receipt: the public
//! API and the public pages take the same steps.

use crate::AppState;
use crate::error::Problem;
use anjian_store::tips::{self, PublicView};

/// Keeps a checked tip as `id` with its `files` (already stored) and returns its id and
/// receipt code (22 digits), generating a new code if its locator is taken.
pub async fn keep(
    state: &AppState,
    tip: &anjian_core::tip::Tip,
    id: i64,
    files: &[tips::TipFile],
) -> Result<(i64, String), Problem> {
    for _ in 0..3 {
        let mut random = [0u8; 32];
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut random).map_err(|_| Problem::internal())?;
        getrandom::fill(&mut nonce).map_err(|_| Problem::internal())?;
        let receipt = anjian_core::tip::receipt_from(&random);
        let hash = crate::password::hash_receipt(receipt.clone()).await;
        let locator = &receipt[..anjian_core::tip::LOCATOR_DIGITS];
        match tips::submit(
            &state.db,
            &state.config.keyring,
            nonce,
            state.moment(),
            tips::NewTip {
                id,
                tip,
                locator,
                receipt_hash: &hash,
                files,
            },
        )
        .await
        {
            Ok(id) => return Ok((id, receipt)),
            Err(e) if e.is_unique_violation() => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(Problem::internal())
}

/// The tip a receipt names, if the code is right; a wrong code counts towards the
/// locator's lock and answers 404 like an unknown one.
pub async fn by_receipt(state: &AppState, raw: &str) -> Result<(i64, PublicView), Problem> {
    let (locator, receipt) = anjian_core::tip::parse_receipt(raw)?;
    let Some((id, hash)) = tips::locate(&state.db, state.now(), &locator).await? else {
        return Err(Problem::not_found());
    };
    if !crate::password::verify_receipt(receipt, hash).await {
        tips::wrong_code(&state.db, state.now(), &locator).await?;
        return Err(Problem::not_found());
    }
    tips::right_code(&state.db, &locator).await?;
    Ok((id, tips::public_view(&state.db, id).await?))
}
