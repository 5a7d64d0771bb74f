//! Background work of a server process, every ten minutes: the reminder job, the
//! campaigns following the directory (`store::follow`), and keeping the rankings of
//! the months that have ended, and removing uploads no record references. Both are idempotent and safe
//! with several processes.

use std::time::Duration;

use crate::AppState;

/// Runs the reminder job once for the clock's day.
pub async fn reminders_once(state: &AppState) -> Result<usize, anjian_store::Error> {
    let Some(today) = anjian_core::time::local_date(state.now()) else {
        return Ok(0);
    };
    let days = anjian_store::reminders::days_before(&state.db).await?;
    state.db.optimize().await?;
    anjian_store::reminders::run_once(&state.db, state.now(), today, days).await
}

/// Starts the reminder job in the background.
pub fn spawn_reminders(state: AppState) {
    tokio::spawn(async move {
        loop {
            match anjian_store::follow::follow_directory(&state.db, state.now()).await {
                Ok(f) if f.joined + f.left + f.recast > 0 => {
                    tracing::info!(
                        joined = f.joined,
                        left = f.left,
                        recast = f.recast,
                        "campaigns follow the directory"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "following the directory failed; will retry"),
            }
            // A month's rankings are kept once it has ended (audited, by the system):
            // pages and the API only read them.
            if let Some(today) = anjian_core::time::local_date(state.now()) {
                let month = anjian_core::monthly_report::Month::of(today);
                if let Err(e) =
                    anjian_store::rankings::ensure_kept(&state.db, state.now(), today, month).await
                {
                    tracing::warn!(error = %e, "keeping last month's rankings failed; will retry");
                }
            }
            match crate::upload::sweep_orphans(&state).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "unreferenced uploads removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "sweeping unreferenced uploads failed"),
            }
            if let Err(e) =
                anjian_store::ids::keep_node(&state.db, crate::rate_limit::wall_ms()).await
            {
                tracing::warn!(error = %e, "keeping the id node failed");
            }
            if let Err(e) =
                anjian_store::rate_limits::sweep(&state.db, crate::rate_limit::wall_ms()).await
            {
                tracing::warn!(error = %e, "sweeping old rate counts failed");
            }
            match reminders_once(&state).await {
                Ok(n) if n > 0 => tracing::info!(created = n, "reminders"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reminder job failed; will retry"),
            }
            crate::metrics::job_ran("background", crate::rate_limit::wall_ms());
            tokio::time::sleep(Duration::from_secs(600)).await;
        }
    });
}
