//! The second factor (双因素认证): time-based one-time passwords (TOTP, RFC 6238: HMAC-SHA-1,
//! six digits, 30-second steps, as every authenticator app reads them) and one-time
//! recovery codes. Pure rules: the caller brings the random bytes and the time, and the
//! store keeps the last step used so that no code is accepted twice.

use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

/// Seconds per step.
pub const STEP_S: u64 = 30;

/// Digits per code.
pub const DIGITS: usize = 6;

/// Recovery codes issued at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// How long a step-up (a code typed again before opening an identity or exporting a
/// whole ledger) stays fresh.
pub const STEP_UP_MS: i64 = 5 * 60 * 1000;

/// A TOTP shared secret (160 bits when we make it, as RFC 4226 recommends; 128 to 512
/// bits when read).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(…)")
    }
}

/// What a user typed as the second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Six digits from the authenticator app.
    Code(String),
    /// A recovery code, normalized (12 lowercase characters, no dashes).
    Recovery(String),
}

impl Answer {
    /// Reads six digits or a recovery code (spaces and dashes ignored); `None` for
    /// anything else.
    pub fn parse(raw: &str) -> Option<Answer> {
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .take(40)
            .collect::<String>()
            .to_ascii_lowercase();
        if s.len() == DIGITS && s.bytes().all(|b| b.is_ascii_digit()) {
            Some(Answer::Code(s))
        } else if s.len() == 12 && s.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
            Some(Answer::Recovery(s))
        } else {
            None
        }
    }
}

/// Letters and digits that cannot be mistaken for one another (no 0/o, 1/l/i).
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

impl TotpSecret {
    /// The secret of these random bytes.
    pub fn from_bytes(b: [u8; 20]) -> TotpSecret {
        TotpSecret(b.to_vec())
    }

    /// The secret of stored bytes (16 to 64 of them).
    pub fn from_stored(b: Vec<u8>) -> Option<TotpSecret> {
        (16..=64).contains(&b.len()).then_some(TotpSecret(b))
    }

    /// Reads a base32 secret (RFC 4648, padding and case ignored) of 128 to 512 bits.
    pub fn from_base32(s: &str) -> Option<TotpSecret> {
        let clean: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '=')
            .take(128)
            .collect::<String>()
            .to_ascii_uppercase();
        TotpSecret::from_stored(Secret::Encoded(clean).to_bytes().ok()?)
    }

    /// The secret in base32 without padding, as authenticator apps take it typed in.
    pub fn base32(&self) -> String {
        match Secret::Raw(self.0.to_vec()).to_encoded() {
            Secret::Encoded(s) => s.trim_end_matches('=').to_string(),
            Secret::Raw(b) => hex::encode(b),
        }
    }

    /// The raw bytes (to seal them for storage).
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The `otpauth://` URI an authenticator app scans from the QR code.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let label = format!("{}:{}", uri_encode(issuer), uri_encode(account));
        format!(
            "otpauth://totp/{label}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_S}",
            self.base32(),
            uri_encode(issuer)
        )
    }

    fn totp(&self) -> TOTP {
        TOTP::new_unchecked(Algorithm::SHA1, DIGITS, 1, STEP_S, self.0.clone())
    }

    /// The code of a step.
    pub fn code_at(&self, step: i64) -> String {
        self.totp().generate(step.max(0) as u64 * STEP_S)
    }

    /// The step a code was made for, if it matches one of the steps around `unix_s`
    /// (one step of clock drift either way) later than `after_step`, the last one the
    /// account used: a code is good once.
    pub fn matching_step(&self, code: &str, unix_s: u64, after_step: i64) -> Option<i64> {
        let now = (unix_s / STEP_S) as i64;
        (now - 1..=now + 1)
            .filter(|s| *s > after_step)
            .find(|s| constant_time_eq(self.code_at(*s).as_bytes(), code.as_bytes()))
    }
}

/// The step of a Unix time in seconds.
pub fn step_of(unix_s: u64) -> i64 {
    (unix_s / STEP_S) as i64
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn uri_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Ten recovery codes made from `random` (12 characters of a 31-letter alphabet each,
/// about 59 bits), shown as `xxxx-xxxx-xxxx`.
pub fn recovery_codes(random: &[u8; 12 * RECOVERY_CODES]) -> Vec<String> {
    random
        .chunks(12)
        .map(|c| {
            let s: String = c
                .iter()
                .map(|b| RECOVERY_ALPHABET[*b as usize % RECOVERY_ALPHABET.len()] as char)
                .collect();
            format!("{}-{}-{}", &s[..4], &s[4..8], &s[8..])
        })
        .collect()
}

/// The stored form of a recovery code (normalized as [`Answer::parse`] reads it): its
/// SHA-256. A code carries about 59 random bits and is good once, so a fast hash leaves
/// nothing to guess from a stolen database.
pub fn recovery_hash(normalized: &str) -> String {
    hex::encode(Sha256::digest(normalized.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1, the last six digits of the eight-digit values.
    #[test]
    fn codes_are_rfc_6238() {
        let s = TotpSecret::from_stored(b"12345678901234567890".to_vec()).unwrap();
        assert_eq!(s.code_at(59 / 30), "287082");
        assert_eq!(s.code_at(1_111_111_109 / 30), "081804");
        assert_eq!(s.code_at(1_234_567_890 / 30), "005924");
        assert_eq!(s.code_at(20_000_000_000 / 30), "353130");
    }

    #[test]
    fn a_code_is_good_once_and_within_one_step_of_drift() {
        let s = TotpSecret::from_bytes([7; 20]);
        let t = 1_700_000_000;
        let now = step_of(t);
        let code = s.code_at(now);
        assert_eq!(s.matching_step(&code, t, 0), Some(now));
        assert_eq!(s.matching_step(&code, t, now), None, "used already");
        assert_eq!(s.matching_step(&code, t + 30, 0), Some(now), "a step late");
        assert_eq!(s.matching_step(&code, t + 90, 0), None, "three steps late");
        assert_eq!(s.matching_step(&s.code_at(now + 1), t, 0), Some(now + 1));
    }

    #[test]
    fn secrets_round_trip_through_base32_and_the_uri() {
        let s = TotpSecret::from_bytes([200; 20]);
        let b = s.base32();
        assert_eq!(b.len(), 32);
        assert_eq!(TotpSecret::from_base32(&b.to_lowercase()), Some(s.clone()));
        assert_eq!(TotpSecret::from_base32("ABC"), None, "too short");
        assert_eq!(TotpSecret::from_base32("!!!!"), None);
        let uri = s.otpauth_uri("安监平台", "office");
        assert!(uri.starts_with("otpauth://totp/%E5%AE%89"), "{uri}");
        assert!(uri.contains(&format!("secret={b}")) && uri.contains("period=30"));
    }

    #[test]
    fn answers_are_read_strictly() {
        assert_eq!(
            Answer::parse(" 123 456 "),
            Some(Answer::Code("123456".into()))
        );
        let codes = recovery_codes(&[3; 120]);
        assert_eq!(codes.len(), 10);
        assert_eq!(codes[0].len(), 14);
        let Some(Answer::Recovery(n)) = Answer::parse(&codes[0].to_uppercase()) else {
            panic!("a recovery code reads as one")
        };
        assert_eq!(recovery_hash(&n).len(), 64);
        for bad in [
            "",
            "12345",
            "1234567",
            "abc",
            "0000-0000-0000",
            "\u{202e}123456",
        ] {
            assert_eq!(Answer::parse(bad), None, "{bad:?}");
        }
    }
}
