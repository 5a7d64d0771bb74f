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

/// An entry of the menu: where it leads and which roles it is shown to.
#[derive(Debug, Clone, Copy)]
pub struct MenuEntry {
    pub path: &'static str,
    pub label: &'static str,
    /// The same rule the route's guard or the store's domain scope reads.
    pub shown: fn(Role) -> bool,
}

fn business(r: Role) -> bool {
    r.enters(Area::Business)
}

fn directory(r: Role) -> bool {
    r.enters(Area::Directory)
}

fn everyone(_: Role) -> bool {
    true
}

/// The menu, in order: the pages' frame and the home page show each role the entries
/// whose rule it passes, and a test opens every entry as every demo role (shown: it
/// opens; not shown: 403), so a menu cannot offer what a role may not open.
pub const MENU: &[MenuEntry] = &[
    MenuEntry {
        path: "/todo",
        label: "待办事项",
        shown: business,
    },
    MenuEntry {
        path: "/campaigns",
        label: "专项行动",
        shown: business,
    },
    MenuEntry {
        path: "/hazards",
        label: "隐患台账",
        shown: business,
    },
    MenuEntry {
        path: "/monthly-reports",
        label: "月报",
        shown: business,
    },
    MenuEntry {
        path: "/visits",
        label: "督查检查",
        shown: business,
    },
    MenuEntry {
        path: "/enforcements",
        label: "执法检查",
        shown: business,
    },
    MenuEntry {
        path: "/blacklist",
        label: "黑名单",
        shown: Role::can_enforce,
    },
    MenuEntry {
        path: "/crackdown",
        label: "打非治违",
        shown: Role::can_enforce,
    },
    MenuEntry {
        path: "/experts",
        label: "专家服务",
        shown: Role::can_enforce,
    },
    MenuEntry {
        path: "/tips",
        label: "举报处理",
        shown: Role::handles_tips,
    },
    MenuEntry {
        path: "/accidents",
        label: "事故直报",
        shown: business,
    },
    MenuEntry {
        path: "/enterprises",
        label: "企业名录",
        shown: Role::keeps_register,
    },
    MenuEntry {
        path: "/my-enterprise",
        label: "本企业信息",
        shown: Role::is_enterprise,
    },
    MenuEntry {
        path: "/projects",
        label: "建设项目",
        shown: business,
    },
    MenuEntry {
        path: "/workers/flags",
        label: "劳务派遣",
        shown: business,
    },
    MenuEntry {
        path: "/quotas",
        label: "履职纪实",
        shown: Role::keeps_register,
    },
    MenuEntry {
        path: "/daily",
        label: "每日动态",
        shown: business,
    },
    MenuEntry {
        path: "/warnings",
        label: "预警叫应",
        shown: Role::keeps_register,
    },
    MenuEntry {
        path: "/channels",
        label: "消息通道",
        shown: Role::sees_everything,
    },
    MenuEntry {
        path: "/rankings",
        label: "月度排名",
        shown: Role::reads_rankings,
    },
    MenuEntry {
        path: "/bulletins",
        label: "月度通报",
        shown: Role::reads_rankings,
    },
    MenuEntry {
        path: "/assessments",
        label: "年度考核",
        shown: Role::reads_rankings,
    },
    MenuEntry {
        path: "/accountability",
        label: "问责",
        shown: Role::reads_rankings,
    },
    MenuEntry {
        path: "/calendar",
        label: "工作日历",
        shown: business,
    },
    MenuEntry {
        path: "/units",
        label: "单位名录",
        shown: directory,
    },
    MenuEntry {
        path: "/groups",
        label: "单位分组",
        shown: directory,
    },
    MenuEntry {
        path: "/directory/import",
        label: "导入导出名录",
        shown: Role::can_edit_directory,
    },
    MenuEntry {
        path: "/users",
        label: "账户管理",
        shown: Role::can_list_users,
    },
    MenuEntry {
        path: "/users/new",
        label: "新建账户",
        shown: Role::can_manage_accounts,
    },
    MenuEntry {
        path: "/security/outbound",
        label: "外发地址",
        shown: Role::can_keep_outbound_hosts,
    },
    MenuEntry {
        path: "/security/policy",
        label: "密码策略",
        shown: Role::can_grant_roles,
    },
    MenuEntry {
        path: "/audit",
        label: "审计日志",
        shown: Role::can_read_audit,
    },
    MenuEntry {
        path: "/audit/verify",
        label: "校验审计链",
        shown: Role::can_read_audit,
    },
    MenuEntry {
        path: "/account",
        label: "我的账户",
        shown: everyone,
    },
];

impl Role {
    /// The menu entries this role is shown, in order.
    pub fn menu(self) -> impl Iterator<Item = &'static MenuEntry> {
        MENU.iter().filter(move |e| (e.shown)(self))
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
