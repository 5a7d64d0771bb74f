//! The phone of a scripted user: the authenticator app that the benchmarks and the
//! tests hold for accounts with a second factor. It makes the code of the earliest step
//! the server will still take (one step of drift either way, each step once), falls
//! back on its recovery codes when the three steps around now are spent, and waits for
//! the next step when it has none left. It runs on the real clock, as the server's
//! check does.

use anjian_core::second_factor::{STEP_S, TotpSecret, step_of};

/// Seconds of a code's validity left that a request is given to reach the server.
const MARGIN_S: u64 = 5;

/// One account's authenticator.
#[derive(Debug, Clone)]
pub struct Authenticator {
    secret: TotpSecret,
    last_step: i64,
    recovery: Vec<String>,
}

impl Authenticator {
    /// The authenticator of `secret`, with no step used yet.
    pub fn new(secret: TotpSecret) -> Authenticator {
        Authenticator {
            secret,
            last_step: 0,
            recovery: Vec::new(),
        }
    }

    /// Keeps the recovery codes shown at enrolment.
    pub fn keep_recovery(&mut self, codes: Vec<String>) {
        self.recovery = codes;
    }

    /// The secret.
    pub fn secret(&self) -> &TotpSecret {
        &self.secret
    }

    fn now_s() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default()
    }

    /// A code the server will take now: the earliest unused step within one step of
    /// now, else a recovery code, else (after waiting for the next step) a fresh code.
    pub async fn next_code(&mut self) -> String {
        loop {
            let now_s = Self::now_s();
            let now = step_of(now_s);
            // The previous step's code is taken only until the current step ends: with
            // less than a margin left, the request could reach the server after the
            // step turns, so the current step's code is used instead.
            let earliest = if now_s % STEP_S + MARGIN_S >= STEP_S {
                now
            } else {
                now - 1
            };
            let step = (self.last_step + 1).max(earliest);
            if step <= now + 1 {
                self.last_step = step;
                return self.secret.code_at(step);
            }
            if let Some(code) = self.recovery.pop() {
                return code;
            }
            let wait = STEP_S - Self::now_s() % STEP_S;
            tokio::time::sleep(std::time::Duration::from_millis(wait * 1000 + 200)).await;
        }
    }

    /// The code of the earliest step the server takes now, never a recovery code (the
    /// enrolment's confirmation takes only a code).
    pub async fn next_step_code(&mut self) -> String {
        let recovery = std::mem::take(&mut self.recovery);
        let code = self.next_code().await;
        self.recovery = recovery;
        code
    }
}
