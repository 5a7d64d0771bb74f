//! The store's own check of a role's permission (issue 16 part 1): a write that only
//! some roles may make asks here first, whatever face called it, so a page and its API
//! cannot disagree and a handler that forgets cannot let a write through. The
//! permissions are `Role` methods in core, the one table menus and tests read too. The
//! command line acts as the machine's operator (`Actor::system`), who holds the
//! database itself, and is not asked.
//!
//! A handler asks here too, and only here, when it must know before costly or
//! revealing work (hashing a new password, reading an uploaded sheet, asking for a
//! step-up) or before showing a form whose write the store will refuse: the same rule,
//! asked of the same function, so no face can decide otherwise.

use anjian_core::role::Role;

use crate::error::{Error, Result};
use crate::scope::Actor;

/// Refuses (403) unless `actor`'s role is `allowed`.
pub fn require(actor: &Actor, allowed: fn(Role) -> bool) -> Result<()> {
    if actor.is_system() || Role::parse(&actor.role).is_ok_and(allowed) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}
