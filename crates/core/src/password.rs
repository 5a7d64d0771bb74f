//! Password policy. The default meets 等保 level 3 (GB/T 22239-2019): at least 10
//! characters, three of four character classes, not containing the user name, changed
//! at least every 90 days.

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Result};
use crate::role::Role;

/// A configurable password policy, edited by the security administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    /// Minimum length in characters.
    pub min_length: u32,
    /// How many of the four classes (lower, upper, digit, symbol) must appear.
    pub min_classes: u32,
    /// Days after which a password must be changed; 0 disables rotation.
    pub rotation_days: u32,
    /// The longest an API token may live, in days.
    #[serde(default = "default_token_days")]
    pub token_max_days: u32,
    /// Days before expiry from which the user is warned; 0 warns not at all.
    #[serde(default = "default_warn_days")]
    pub warn_days: u32,
    /// A new password may not be the current one nor any of this many before it.
    #[serde(default = "default_history")]
    pub history: u32,
    /// Failed logins (from one address, within `lock_minutes`) that lock the account
    /// for that address.
    #[serde(default = "default_lock_failures")]
    pub lock_failures: u32,
    /// The window in which failures count, and the lock's length, in minutes.
    #[serde(default = "default_lock_minutes")]
    pub lock_minutes: u32,
    /// Minutes without a request after which a session ends.
    #[serde(default = "default_idle_minutes")]
    pub idle_minutes: u32,
    /// Months the audit entries are kept before `anjian audit purge` may remove them
    /// (after exporting them): at least 6 (网络安全法第二十一条: network logs kept no
    /// less than six months).
    #[serde(default = "default_retention_months")]
    pub retention_months: u32,
    /// Roles that must sign in with a second factor besides those that always must
    /// ([`Role::requires_second_factor`]), by their stored names.
    #[serde(default)]
    pub second_factor_roles: Vec<String>,
}

fn default_idle_minutes() -> u32 {
    30
}
fn default_retention_months() -> u32 {
    12
}

/// The fewest months audit entries are kept (网络安全法第二十一条).
pub const MIN_RETENTION_MONTHS: u32 = 6;

fn default_token_days() -> u32 {
    90
}
fn default_warn_days() -> u32 {
    7
}
fn default_history() -> u32 {
    5
}
fn default_lock_failures() -> u32 {
    5
}
fn default_lock_minutes() -> u32 {
    15
}

/// The policy as the security administrator types it (the page's form): every field a
/// string, checked by [`PasswordPolicy::parse`]; a field left out keeps its default.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PolicyInput {
    pub min_length: String,
    pub min_classes: String,
    pub rotation_days: String,
    pub token_max_days: String,
    #[serde(default)]
    pub warn_days: Option<String>,
    #[serde(default)]
    pub history: Option<String>,
    #[serde(default)]
    pub lock_failures: Option<String>,
    #[serde(default)]
    pub lock_minutes: Option<String>,
    #[serde(default)]
    pub idle_minutes: Option<String>,
    #[serde(default)]
    pub retention_months: Option<String>,
    /// The roles, beyond those that always need one, that must sign in with a second
    /// factor: one checkbox each, ticked when present and not empty.
    #[serde(default)]
    pub second_factor_unit_operator: Option<String>,
    #[serde(default)]
    pub second_factor_unit_leader: Option<String>,
    #[serde(default)]
    pub second_factor_enterprise_user: Option<String>,
    #[serde(default)]
    pub second_factor_tip_custodian: Option<String>,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 10,
            min_classes: 3,
            rotation_days: 90,
            token_max_days: default_token_days(),
            warn_days: default_warn_days(),
            history: default_history(),
            lock_failures: default_lock_failures(),
            lock_minutes: default_lock_minutes(),
            idle_minutes: default_idle_minutes(),
            retention_months: default_retention_months(),
            second_factor_roles: Vec::new(),
        }
    }
}

impl PasswordPolicy {
    /// Validates a policy an administrator typed; a refusal names the field.
    pub fn parse(f: &PolicyInput) -> Result<Self> {
        let n = |field: &'static str, label: &str, v: &str, lo: u32, hi: u32| {
            v.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (lo..=hi).contains(n))
                .ok_or_else(|| {
                    FieldError::new(
                        "out_of_range",
                        field,
                        format!("{label}应为{lo}到{hi}之间的整数"),
                    )
                })
        };
        let or = |v: &Option<String>, d: u32| v.clone().unwrap_or_else(|| d.to_string());
        let p = PasswordPolicy {
            min_length: n("min_length", "最小长度", &f.min_length, 8, 64)?,
            min_classes: n("min_classes", "字符种类数", &f.min_classes, 2, 4)?,
            rotation_days: n("rotation_days", "更换周期（天）", &f.rotation_days, 0, 365)?,
            token_max_days: n(
                "token_max_days",
                "API令牌最长有效期（天）",
                &f.token_max_days,
                1,
                366,
            )?,
            warn_days: n(
                "warn_days",
                "到期前提醒（天）",
                &or(&f.warn_days, default_warn_days()),
                0,
                30,
            )?,
            history: n(
                "history",
                "不得重复使用的历史密码个数",
                &or(&f.history, default_history()),
                0,
                24,
            )?,
            lock_failures: n(
                "lock_failures",
                "锁定前允许的失败次数",
                &or(&f.lock_failures, default_lock_failures()),
                3,
                20,
            )?,
            lock_minutes: n(
                "lock_minutes",
                "锁定时长（分钟）",
                &or(&f.lock_minutes, default_lock_minutes()),
                1,
                1440,
            )?,
            idle_minutes: n(
                "idle_minutes",
                "会话空闲超时（分钟）",
                &or(&f.idle_minutes, default_idle_minutes()),
                5,
                480,
            )?,
            retention_months: n(
                "retention_months",
                "审计记录保存期（月）",
                &or(&f.retention_months, default_retention_months()),
                MIN_RETENTION_MONTHS,
                120,
            )?,
            second_factor_roles: [
                (&f.second_factor_unit_operator, Role::UnitOperator),
                (&f.second_factor_unit_leader, Role::UnitLeader),
                (&f.second_factor_enterprise_user, Role::EnterpriseUser),
                (&f.second_factor_tip_custodian, Role::TipCustodian),
            ]
            .into_iter()
            .filter(|(v, _)| v.as_deref().is_some_and(|v| !v.trim().is_empty()))
            .map(|(_, r)| r.as_str().to_string())
            .collect(),
        };
        if p.rotation_days > 0 && p.warn_days >= p.rotation_days {
            return Err(FieldError::new(
                "out_of_range",
                "warn_days",
                "到期前提醒的天数应小于更换周期",
            ));
        }
        Ok(p)
    }

    /// Whether the policy (beyond the roles that always need one) requires a second
    /// factor of `role`.
    pub fn adds_second_factor(&self, role: Role) -> bool {
        self.second_factor_roles.iter().any(|r| r == role.as_str())
    }

    /// Whether a user of `role` must sign in with a second factor.
    pub fn needs_second_factor(&self, role: Role) -> bool {
        role.requires_second_factor() || self.second_factor_roles.iter().any(|r| r == role.as_str())
    }

    /// The idle timeout in milliseconds.
    pub fn idle_ms(&self) -> i64 {
        i64::from(self.idle_minutes) * 60_000
    }

    /// Checks a new password for `username` against the policy.
    pub fn check(&self, username: &str, password: &str) -> Result<()> {
        let len = password.chars().count();
        if len < self.min_length as usize {
            return Err(FieldError::new(
                "password_too_short",
                "password",
                format!("密码至少{}位", self.min_length),
            ));
        }
        if len > 128 {
            return Err(FieldError::new(
                "password_too_long",
                "password",
                "密码不能超过128位",
            ));
        }
        let classes = [
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if classes < self.min_classes as usize {
            return Err(FieldError::new(
                "password_too_simple",
                "password",
                format!(
                    "密码须包含小写字母、大写字母、数字、符号中的至少{}种",
                    self.min_classes
                ),
            ));
        }
        if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
            return Err(FieldError::new(
                "password_contains_username",
                "password",
                "密码不能包含用户名",
            ));
        }
        Ok(())
    }

    /// Whole days left (at least 1) before a password last changed at `changed_at_ms`
    /// expires, when that is within the warning period at `now_ms`; `None` when it is
    /// further off, already expired, or the policy neither rotates nor warns.
    pub fn days_left(&self, changed_at_ms: i64, now_ms: i64) -> Option<i64> {
        if self.rotation_days == 0 || self.warn_days == 0 {
            return None;
        }
        let left =
            i64::from(self.rotation_days) * 86_400_000 - now_ms.saturating_sub(changed_at_ms);
        (left > 0 && left <= i64::from(self.warn_days) * 86_400_000)
            .then(|| (left + 86_399_999) / 86_400_000)
    }

    /// The lock's length (and the window failures count in), in milliseconds.
    pub fn lock_ms(&self) -> i64 {
        i64::from(self.lock_minutes) * 60_000
    }

    /// Whether a password last changed at `changed_at_ms` has expired at `now_ms`.
    pub fn expired(&self, changed_at_ms: i64, now_ms: i64) -> bool {
        self.rotation_days > 0
            && now_ms.saturating_sub(changed_at_ms) > i64::from(self.rotation_days) * 86_400_000
    }
}

/// Checks a user name: 3–32 characters of ASCII letters, digits, `.`, `_`, `-`.
pub fn parse_username(raw: &str) -> Result<String> {
    let v = raw.trim();
    if v.len() < 3
        || v.len() > 32
        || !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(FieldError::new(
            "invalid_username",
            "username",
            "用户名应为3到32位字母、数字或“._-”",
        ));
    }
    Ok(v.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input(len: &str, classes: &str, rotation: &str, token: &str) -> PolicyInput {
        PolicyInput {
            min_length: len.into(),
            min_classes: classes.into(),
            rotation_days: rotation.into(),
            token_max_days: token.into(),
            ..PolicyInput::default()
        }
    }

    #[test]
    fn expiry_is_warned_of_within_the_warning_days() {
        let p = PasswordPolicy::default();
        let day = 86_400_000;
        assert_eq!(p.days_left(0, 80 * day), None, "ten days left: not yet");
        assert_eq!(p.days_left(0, 83 * day), Some(7));
        assert_eq!(p.days_left(0, 89 * day + 1), Some(1));
        assert_eq!(
            p.days_left(0, 90 * day + 1),
            None,
            "expired: changed, not warned"
        );
        let quiet = PasswordPolicy { warn_days: 0, ..p };
        assert_eq!(quiet.days_left(0, 89 * day), None);
    }

    #[test]
    fn lock_and_history_settings_are_bounded_and_named() {
        let mut f = input("10", "3", "90", "90");
        f.lock_failures = Some("2".into());
        assert_eq!(
            PasswordPolicy::parse(&f).unwrap_err().field,
            "lock_failures"
        );
        f.lock_failures = Some("6".into());
        f.lock_minutes = Some("0".into());
        assert_eq!(PasswordPolicy::parse(&f).unwrap_err().field, "lock_minutes");
        f.lock_minutes = Some("30".into());
        f.history = Some("25".into());
        assert_eq!(PasswordPolicy::parse(&f).unwrap_err().field, "history");
        f.history = Some("3".into());
        f.warn_days = Some("90".into());
        assert_eq!(PasswordPolicy::parse(&f).unwrap_err().field, "warn_days");
        f.warn_days = None;
        let p = PasswordPolicy::parse(&f).unwrap();
        assert_eq!(
            (p.lock_failures, p.lock_minutes, p.history, p.warn_days),
            (6, 30, 3, 7)
        );
        assert_eq!(p.lock_ms(), 30 * 60_000);
    }

    #[test]
    fn default_policy_is_level_three() {
        let p = PasswordPolicy::default();
        assert!(p.check("office", "Tongliang#2022").is_ok());
        assert_eq!(
            p.check("office", "short1A!").unwrap_err().code,
            "password_too_short"
        );
        assert_eq!(
            p.check("office", "alllowercase12").unwrap_err().code,
            "password_too_simple"
        );
        assert_eq!(
            p.check("office", "xOffice#2022x").unwrap_err().code,
            "password_contains_username"
        );
        assert!(p.expired(0, 91 * 86_400_000));
        assert!(!p.expired(0, 89 * 86_400_000));
    }

    #[test]
    fn policy_fields_are_named() {
        assert_eq!(
            PasswordPolicy::parse(&input("5", "3", "90", "90"))
                .unwrap_err()
                .field,
            "min_length"
        );
        assert_eq!(
            PasswordPolicy::parse(&input("10", "x", "90", "90"))
                .unwrap_err()
                .field,
            "min_classes"
        );
        assert_eq!(
            PasswordPolicy::parse(&input("10", "3", "-1", "90"))
                .unwrap_err()
                .field,
            "rotation_days"
        );
        assert_eq!(
            PasswordPolicy::parse(&input("10", "3", "90", "0"))
                .unwrap_err()
                .field,
            "token_max_days"
        );
    }

    proptest! {
        #[test]
        fn check_never_panics(u in "\\PC{0,40}", p in "\\PC{0,200}") {
            let _ = PasswordPolicy::default().check(&u, &p);
            let _ = parse_username(&u);
        }
    }
}
