//! Work done apart from the requests (issue 18 part 11): a thread of its own with its
//! own single-threaded runtime, at a lower scheduling priority than the threads that
//! serve pages. The outbox's dispatcher runs there, so that 10,000 messages going out
//! take the cores only when the pages leave them free: on a shared runtime its sends
//! queued beside the requests, and the to-do page's p95 rose by a third while the
//! outbox drained (docs/PERFORMANCE.md).

use std::future::Future;
use std::thread::JoinHandle;

/// How much lower than the requests background work runs, in `nice` steps (Linux):
/// at 5 the kernel gives a busy request thread about three times the share of a core
/// a busy background thread gets, and the background thread all of an idle core.
pub const NICENESS: i32 = 5;

/// Runs `work` on a new thread named `name` with its own runtime, `niceness` steps
/// below the caller's priority. The thread stops with the runtime that started it
/// (a test's, or the server's at shutdown): its work is dropped then and the handle
/// gives `None`. Build whatever the work holds (pools, clients) inside `work`, so that
/// its sockets belong to the thread's runtime.
pub fn apart<F, Fut>(
    name: &str,
    niceness: i32,
    work: F,
) -> std::io::Result<JoinHandle<Option<Fut::Output>>>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future,
    Fut::Output: Send + 'static,
{
    // Held by a task of the caller's runtime: dropped when that runtime shuts down.
    let (alive, stopped) = tokio::sync::oneshot::channel::<()>();
    let watching = tokio::runtime::Handle::try_current().ok();
    if let Some(handle) = &watching {
        handle.spawn(async move {
            let _alive = alive;
            std::future::pending::<()>().await
        });
    }
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            lower_priority(niceness);
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!(error = %e, "a background thread could not start its runtime");
                    return None;
                }
            };
            runtime.block_on(async move {
                let stopped = async move {
                    if watching.is_some() {
                        let _ = stopped.await;
                    } else {
                        std::future::pending::<()>().await
                    }
                };
                tokio::select! {
                    out = work() => Some(out),
                    _ = stopped => None,
                }
            })
        })
}

/// Lowers the calling thread's priority by `niceness` steps (Linux: `setpriority` on
/// the thread's own id changes that thread only). Elsewhere, or when refused, the
/// thread keeps the caller's priority.
#[cfg(target_os = "linux")]
fn lower_priority(niceness: i32) {
    if niceness <= 0 {
        return;
    }
    // SAFETY: gettid, getpriority and setpriority take plain integers, touch no memory
    // of ours and change only this thread's scheduling priority.
    unsafe {
        let tid = libc::gettid() as libc::id_t;
        let now = libc::getpriority(libc::PRIO_PROCESS, tid);
        let to = (now + niceness).min(19);
        if libc::setpriority(libc::PRIO_PROCESS, tid, to) != 0 {
            tracing::debug!("could not lower the background thread's priority");
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority(_niceness: i32) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn the_thread_runs_below_its_caller() {
        // SAFETY: as in `lower_priority`.
        let caller = unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) };
        let seen = apart("test-apart", 3, || async {
            // SAFETY: as in `lower_priority`.
            unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) }
        })
        .unwrap()
        .join()
        .unwrap();
        assert_eq!(seen, Some((caller + 3).min(19)));
    }

    #[test]
    fn the_thread_stops_with_the_runtime_that_started_it() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let thread = runtime
            .block_on(async { apart("test-forever", 0, std::future::pending::<()>).unwrap() });
        drop(runtime);
        assert_eq!(thread.join().unwrap(), None);
    }
}
