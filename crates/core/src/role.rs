//! Roles of accounts. The three separated administrators that 等保 level 3 expects
//! (system, security, auditor) cannot do each other's jobs nor the business's.

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Result};

/// What an account may do. Stored and sent as the snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 区安委办管理员: runs the campaign and the directory; sees the whole district.
    OfficeAdmin,
    /// 单位操作员: works for one unit and its subtree.
    UnitOperator,
    /// 单位负责人: reads and signs off for one unit and its subtree.
    UnitLeader,
    /// 企业用户: an enterprise's own account.
    EnterpriseUser,
    /// 系统管理员: creates, disables accounts and resets passwords. Cannot grant roles.
    SystemAdmin,
    /// 安全管理员: grants roles, sets the password policy, unlocks accounts, revokes tokens.
    SecurityAdmin,
    /// 审计管理员: reads and verifies the audit chain; nothing else.
    Auditor,
    /// 举报保密员: the only one who sees a tip reporter's identity, one tip at a time,
    /// each view with its reason in the audit chain.
    TipCustodian,
}

impl Role {
    /// Every role, in the order the UI lists them.
    pub const ALL: [Role; 8] = [
        Role::OfficeAdmin,
        Role::UnitOperator,
        Role::UnitLeader,
        Role::EnterpriseUser,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::Auditor,
        Role::TipCustodian,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::OfficeAdmin => "office_admin",
            Role::UnitOperator => "unit_operator",
            Role::UnitLeader => "unit_leader",
            Role::EnterpriseUser => "enterprise_user",
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::Auditor => "auditor",
            Role::TipCustodian => "tip_custodian",
        }
    }

    /// The Chinese label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Role::OfficeAdmin => "安委办管理员",
            Role::UnitOperator => "单位操作员",
            Role::UnitLeader => "单位负责人",
            Role::EnterpriseUser => "企业用户",
            Role::SystemAdmin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::Auditor => "审计管理员",
            Role::TipCustodian => "举报保密员",
        }
    }

    /// Parses the stored name.
    pub fn parse(raw: &str) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim() || r.label() == raw.trim())
            .ok_or_else(|| FieldError::new("invalid_role", "role", "角色不存在"))
    }

    /// One of the three separated administrators (三员).
    pub fn is_separated_admin(self) -> bool {
        matches!(
            self,
            Role::SystemAdmin | Role::SecurityAdmin | Role::Auditor
        )
    }

    /// Must sign in with a second factor whatever the policy says: the office
    /// administrator and the three separated administrators (等保 level 3 asks it of
    /// administrators). The security administrator may require it of other roles.
    pub fn requires_second_factor(self) -> bool {
        self == Role::OfficeAdmin || self.is_separated_admin()
    }

    /// Sees business data of the whole directory regardless of its unit.
    pub fn sees_everything(self) -> bool {
        matches!(self, Role::OfficeAdmin)
    }

    /// Does field work (visits, enforcement, the enterprise register's records): not the
    /// separated administrators, and only roles that report or see everything.
    pub fn does_field_work(self) -> bool {
        !self.is_separated_admin() && (self.can_report() || self.sees_everything())
    }

    /// Keeps the enterprise register and its officials' records: the office and the
    /// units' operators and leaders (not enterprises themselves, nor the separated
    /// administrators).
    pub fn keeps_register(self) -> bool {
        self.sees_everything() || matches!(self, Role::UnitOperator | Role::UnitLeader)
    }

    /// An enterprise's own account (its register page, 本企业信息).
    pub fn is_enterprise(self) -> bool {
        self == Role::EnterpriseUser
    }

    /// Handles tips: the office triages and rewards, the units' operators and leaders
    /// verify what is routed to them, the custodian lists them to open identities. Not
    /// enterprises (a tip may be about them) nor the separated administrators.
    pub fn handles_tips(self) -> bool {
        self.sees_everything()
            || matches!(
                self,
                Role::UnitOperator | Role::UnitLeader | Role::TipCustodian
            )
    }

    /// Records a tip received by another channel (12350 hotline, e-mail, WeChat, letter,
    /// visit): whoever handles tips, except the custodian, who opens identities only.
    pub fn records_tips(self) -> bool {
        self.handles_tips() && self != Role::TipCustodian
    }

    /// Reads rankings, bulletins and the dashboard: the office, townships and
    /// departments; not enterprises, the tip custodian nor the separated administrators.
    pub fn reads_rankings(self) -> bool {
        !self.is_separated_admin() && !matches!(self, Role::EnterpriseUser | Role::TipCustodian)
    }

    /// May report progress for the user's own unit: its operators, leaders and
    /// enterprise users.
    pub fn can_report(self) -> bool {
        matches!(
            self,
            Role::UnitOperator | Role::UnitLeader | Role::EnterpriseUser
        )
    }

    /// May record an enforcement inspection (the office, and the users of units with
    /// supervision duties); never an enterprise's own account, which is inspected.
    pub fn can_enforce(self) -> bool {
        matches!(
            self,
            Role::OfficeAdmin | Role::UnitOperator | Role::UnitLeader
        )
    }

    /// May import plans, launch campaigns and set their end dates.
    pub fn can_run_campaigns(self) -> bool {
        matches!(self, Role::OfficeAdmin)
    }

    /// May create, edit, move, deactivate, import units.
    pub fn can_edit_directory(self) -> bool {
        matches!(self, Role::OfficeAdmin)
    }

    /// May create and disable accounts and reset passwords.
    pub fn can_manage_accounts(self) -> bool {
        matches!(self, Role::SystemAdmin)
    }

    /// Roles the system administrator may give when creating an account; the office and
    /// the three administrators are granted by the security administrator.
    pub fn creatable_by_system_admin(self) -> bool {
        matches!(
            self,
            Role::UnitOperator | Role::UnitLeader | Role::EnterpriseUser
        )
    }

    /// Keeps the hosts outbound messages may reach (the allow-list of robots' and
    /// webhooks' addresses): the system administrator, who runs the servers.
    pub fn can_keep_outbound_hosts(self) -> bool {
        matches!(self, Role::SystemAdmin)
    }

    /// May change an account's role, unlock it, set the password policy.
    pub fn can_grant_roles(self) -> bool {
        matches!(self, Role::SecurityAdmin)
    }

    /// May list accounts (read only for the office).
    pub fn can_list_users(self) -> bool {
        matches!(
            self,
            Role::OfficeAdmin | Role::SystemAdmin | Role::SecurityAdmin
        )
    }

    /// May read and verify the audit chain.
    pub fn can_read_audit(self) -> bool {
        matches!(self, Role::Auditor)
    }

    /// May see a tip reporter's identity (one tip at a time, with a reason).
    pub fn can_see_reporters(self) -> bool {
        matches!(self, Role::TipCustodian)
    }

    /// May read the directory at all (the three administrators need it to pick units).
    pub fn can_read_directory(self) -> bool {
        !matches!(self, Role::Auditor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_admins_do_not_overlap() {
        for r in Role::ALL {
            let jobs = [
                r.can_manage_accounts(),
                r.can_grant_roles(),
                r.can_read_audit(),
            ];
            assert!(jobs.iter().filter(|j| **j).count() <= 1, "{r:?}");
            if r.is_separated_admin() {
                assert!(!r.can_edit_directory() && !r.sees_everything(), "{r:?}");
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()).unwrap(), r);
            assert_eq!(Role::parse(r.label()).unwrap(), r);
        }
        assert!(Role::parse("root").is_err());
    }
}
