//! Every refusal in the audit chain, recorded in one place: a layer around the whole
//! application notes who is asking (the session extractors fill it in once the user is
//! known and past the password and second-factor checks) and, when the answer is 403,
//! appends one `access.denied` entry naming the method and path. Whether the refusal
//! came from the route guard (`core::permission`), a handler, or the store deciding a
//! workflow step by its table (`anjian_store::transition`), it is recorded the same
//! way, and only once.

use std::sync::{Arc, Mutex};

use anjian_store::audit::{self, Entry};
use anjian_store::scope::Actor;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// Who is asking, once the session extractors know.
#[derive(Clone, Default)]
pub struct Asker(Arc<Mutex<Option<Actor>>>);

impl Asker {
    /// Notes `actor` as the one asking.
    pub fn set(&self, actor: Actor) {
        if let Ok(mut a) = self.0.lock() {
            *a = Some(actor);
        }
    }

    /// Who is asking, when known.
    pub fn actor(&self) -> Option<Actor> {
        self.0.lock().ok().and_then(|a| a.clone())
    }

    fn take(&self) -> Option<Actor> {
        self.0.lock().ok().and_then(|mut a| a.take())
    }
}

/// The layer: records a 403 answered to a known user.
pub async fn record(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let asker = Asker::default();
    req.extensions_mut().insert(asker.clone());
    // Cheap copies (the path is shared, not copied); the text is made only for a 403.
    let (method, uri) = (req.method().clone(), req.uri().clone());
    let response = next.run(req).await;
    if response.status() == StatusCode::FORBIDDEN
        && let Some(actor) = asker.take()
    {
        let what = format!("{method} {}", uri.path());
        let mut e = Entry::ok("access.denied", "function", what);
        e.outcome = "denied";
        if let Err(err) = audit::record(&state.db, state.now(), &actor, e).await {
            tracing::warn!("a refusal could not be recorded: {err}");
        }
    }
    response
}
