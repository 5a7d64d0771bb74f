//! Password policy. The default meets 等保 level 3 (GB/T 22239-2019): at least 10
//! characters, three of four character classes, not containing the user name, changed
//! at least every 90 days.

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Result};

/// A configurable password policy, edited by the security administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
}

fn default_token_days() -> u32 {
    90
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 10,
            min_classes: 3,
            rotation_days: 90,
            token_max_days: default_token_days(),
        }
    }
}

impl PasswordPolicy {
    /// Validates a policy an administrator typed.
    pub fn parse(
        min_length: &str,
        min_classes: &str,
        rotation_days: &str,
        token_max_days: &str,
    ) -> Result<Self> {
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
        Ok(PasswordPolicy {
            min_length: n("min_length", "最小长度", min_length, 8, 64)?,
            min_classes: n("min_classes", "字符种类数", min_classes, 2, 4)?,
            rotation_days: n("rotation_days", "更换周期（天）", rotation_days, 0, 365)?,
            token_max_days: n(
                "token_max_days",
                "API令牌最长有效期（天）",
                token_max_days,
                1,
                366,
            )?,
        })
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
            PasswordPolicy::parse("5", "3", "90", "90")
                .unwrap_err()
                .field,
            "min_length"
        );
        assert_eq!(
            PasswordPolicy::parse("10", "x", "90", "90")
                .unwrap_err()
                .field,
            "min_classes"
        );
        assert_eq!(
            PasswordPolicy::parse("10", "3", "-1", "90")
                .unwrap_err()
                .field,
            "rotation_days"
        );
        assert_eq!(
            PasswordPolicy::parse("10", "3", "90", "0")
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
