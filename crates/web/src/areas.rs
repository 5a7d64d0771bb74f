//! The area of every route, by its path (`core::permission::Area`): the guard in the
//! user extractors refuses a role the area of the path it asks for, so that a page and
//! its API can never disagree and a new route is business unless listed here.

use anjian_core::permission::Area;

/// Paths and their areas, first match wins: a path matches itself and every path below
/// it ("/units" matches "/units/5"); "/" matches only itself. Anything else is business.
const TABLE: &[(&str, Area)] = &[
    ("/", Area::Own),
    ("/login", Area::Own),
    ("/logout", Area::Own),
    ("/account", Area::Own),
    ("/api/v1/auth", Area::Own),
    ("/api/v1/me", Area::Own),
    ("/api/v1/tokens", Area::Own),
    ("/api/v1/openapi.json", Area::Own),
    ("/static", Area::Own),
    ("/healthz", Area::Own),
    ("/readyz", Area::Own),
    // Open by address (`ANJIAN_METRICS_ALLOW`), not by role.
    ("/metrics", Area::Own),
    ("/tip", Area::Public),
    ("/boards", Area::Public),
    ("/api/v1/public", Area::Public),
    ("/units", Area::Directory),
    ("/groups", Area::Directory),
    ("/directory", Area::Directory),
    ("/api/v1/units", Area::Directory),
    ("/api/v1/groups", Area::Directory),
    ("/users", Area::Accounts),
    ("/security", Area::Accounts),
    ("/api/v1/users", Area::Accounts),
    ("/audit", Area::Audit),
    ("/api/v1/audit", Area::Audit),
];

/// The area of a request path.
pub fn area_of(path: &str) -> Area {
    if is_tip_identity(path) {
        return Area::TipIdentity;
    }
    TABLE
        .iter()
        .find(|(p, _)| {
            path == *p
                || (*p != "/"
                    && path
                        .strip_prefix(p)
                        .is_some_and(|rest| rest.starts_with('/')))
        })
        .map_or(Area::Business, |(_, a)| *a)
}

/// The custodian's routes: the tip list, and the page's and the API's identity routes
/// (where the identity is opened with a reason).
fn is_tip_identity(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let id = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match segments.as_slice() {
        ["", "tips"] => true,
        ["", "tips", t, "identity"] => id(t),
        ["", "api", "v1", "tips", t, "identity"] => id(t),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_fall_in_their_areas() {
        assert_eq!(area_of("/"), Area::Own);
        assert_eq!(area_of("/todo"), Area::Business);
        assert_eq!(area_of("/api/v1/hazards"), Area::Business);
        assert_eq!(area_of("/api/v1/obligations"), Area::Business);
        assert_eq!(area_of("/units/5"), Area::Directory);
        assert_eq!(area_of("/users/new"), Area::Accounts);
        assert_eq!(area_of("/api/v1/audit/verify"), Area::Audit);
        assert_eq!(area_of("/tips/12/identity"), Area::TipIdentity);
        assert_eq!(area_of("/tips/12/accept"), Area::Business);
        assert_eq!(area_of("/tips.xlsx"), Area::Business);
        assert_eq!(area_of("/tips/12/files/0"), Area::Business);
        assert_eq!(area_of("/api/v1/tips/12/identity"), Area::TipIdentity);
        assert_eq!(area_of("/api/v1/tips/12"), Area::Business);
        assert_eq!(area_of("/tip"), Area::Public);
        assert_eq!(area_of("/tip/status"), Area::Public);
        assert_eq!(area_of("/api/v1/me/password"), Area::Own);
        assert_eq!(area_of("/unitsx"), Area::Business);
        assert_eq!(area_of("/tips/deadlines"), Area::Business);
    }
}
