//! Which parts of the product each role enters: the one table that the route guard,
//! the menus and the route × role tests read. A route's area is decided by its path
//! (`web::areas`); within an area the store decides scope, and who may take a
//! workflow's step from the workflow's table (`crate::machine`).

use crate::role::Role;

/// A part of the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Area {
    /// Signing in and out, one's own account and tokens, the home page, static files.
    Own,
    /// What the public uses without an account: the tip form, public boards.
    Public,
    /// The unit directory and groups.
    Directory,
    /// Accounts, roles and the password policy.
    Accounts,
    /// The audit chain.
    Audit,
    /// A tip's page and its reporter's identity (the custodian's one route).
    TipIdentity,
    /// Campaigns, obligations, hazards, enforcement, tips, accidents, rankings … the
    /// business data.
    Business,
}

impl Area {
    /// Every area.
    pub const ALL: [Area; 7] = [
        Area::Own,
        Area::Public,
        Area::Directory,
        Area::Accounts,
        Area::Audit,
        Area::TipIdentity,
        Area::Business,
    ];
}

impl Role {
    /// Whether a user of this role enters `area`:
    /// - the three separated administrators (三员) never see business data: the system
    ///   and security administrators keep accounts (and read the directory to place
    ///   them), the auditor reads the audit chain;
    /// - the tip custodian opens reporters' identities and nothing else;
    /// - the office and the units' and enterprises' users do the business.
    pub fn enters(self, area: Area) -> bool {
        let business = !self.is_separated_admin() && self != Role::TipCustodian;
        match area {
            Area::Own | Area::Public => true,
            Area::Directory => self.can_read_directory() && self != Role::TipCustodian,
            Area::Accounts => self.can_list_users() || self.can_grant_roles(),
            Area::Audit => self.can_read_audit(),
            Area::TipIdentity => business || self.can_see_reporters(),
            Area::Business => business,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The route guard is the only gate of field work and of the business pages: every
    /// role it lets into the business area does field work, so no handler asks again
    /// (the store asks for its writes); the narrower readers are the store's domain
    /// scopes (`keeps_register`, `reads_rankings`, `handles_tips`).
    #[test]
    fn whoever_enters_the_business_area_does_field_work() {
        for r in Role::ALL {
            if r.enters(Area::Business) {
                assert!(r.does_field_work(), "{r:?}");
            } else {
                assert!(!r.keeps_register() && !r.reads_rankings(), "{r:?}");
                assert!(!r.handles_tips() || r.can_see_reporters(), "{r:?}");
            }
        }
    }

    #[test]
    fn the_separated_administrators_and_the_custodian_see_no_business_data() {
        for r in [
            Role::SystemAdmin,
            Role::SecurityAdmin,
            Role::Auditor,
            Role::TipCustodian,
        ] {
            assert!(!r.enters(Area::Business), "{r:?}");
            assert!(r.enters(Area::Own));
        }
        assert!(Role::TipCustodian.enters(Area::TipIdentity));
        assert!(!Role::TipCustodian.enters(Area::Directory));
        assert!(!Role::Auditor.enters(Area::Accounts));
        assert!(Role::Auditor.enters(Area::Audit));
        assert!(Role::SystemAdmin.enters(Area::Directory));
        for r in [
            Role::OfficeAdmin,
            Role::UnitOperator,
            Role::UnitLeader,
            Role::EnterpriseUser,
        ] {
            assert!(r.enters(Area::Business) && !r.enters(Area::Audit), "{r:?}");
        }
    }
}
