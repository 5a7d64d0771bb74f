//! Reading a work item's number from a path, for the plan editor's API and pages.

use crate::error::Problem;

/// A work item's number from a path: 404 when it is not one.
pub(crate) fn item_no(raw: &str) -> Result<u32, Problem> {
    raw.parse::<u32>()
        .ok()
        .filter(|n| (1..=100_000).contains(n))
        .ok_or_else(Problem::not_found)
}
