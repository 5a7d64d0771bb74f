//! A tip's handling as a state machine (issue 22 part 1): the office triages a received
//! tip (分办 to a unit, 合并 into another, or 不予受理), the routed unit verifies it
//! (属实 / 不属实), and a substantiated tip's reward is proposed, approved and paid. The
//! tables below are the only place that says which step leads from which state; the
//! store applies each as a conditional update (`… WHERE id = $1 AND status = $from`).

use crate::FieldError;
use crate::error::Result;

/// Where a tip stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// 已受理，待分办.
    Received,
    /// 已分办，核查中.
    Accepted,
    /// 与其他举报合并办理.
    Merged,
    /// 不予受理.
    Rejected,
    /// 经核查属实.
    Substantiated,
    /// 经核查不属实.
    Unsubstantiated,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 6] = [
        Status::Received,
        Status::Accepted,
        Status::Merged,
        Status::Rejected,
        Status::Substantiated,
        Status::Unsubstantiated,
    ];

    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Accepted => "accepted",
            Status::Merged => "merged",
            Status::Rejected => "rejected",
            Status::Substantiated => "substantiated",
            Status::Unsubstantiated => "unsubstantiated",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// As the reporter and the handlers read it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Received => "已受理，待分办",
            Status::Accepted => "已分办，核查中",
            Status::Merged => "与其他举报合并办理",
            Status::Rejected => "不予受理",
            Status::Substantiated => "经核查属实",
            Status::Unsubstantiated => "经核查不属实",
        }
    }

    /// Whether another tip may be merged into one in this status (it is being handled
    /// or was handled).
    pub fn takes_merges(self) -> bool {
        matches!(
            self,
            Status::Accepted | Status::Substantiated | Status::Unsubstantiated
        )
    }
}

/// A step of a tip's handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The office routes it to a unit to verify (分办).
    Accept,
    /// The office joins it to another tip on the same matter (合并).
    Merge,
    /// The office refuses it with a reason (不予受理).
    Reject,
    /// The routed unit finds it true (属实).
    Substantiate,
    /// The routed unit finds it untrue (不属实).
    Unsubstantiate,
}

/// The transition table: (step, from, to).
pub const TRANSITIONS: [(Step, Status, Status); 5] = [
    (Step::Accept, Status::Received, Status::Accepted),
    (Step::Merge, Status::Received, Status::Merged),
    (Step::Reject, Status::Received, Status::Rejected),
    (Step::Substantiate, Status::Accepted, Status::Substantiated),
    (
        Step::Unsubstantiate,
        Status::Accepted,
        Status::Unsubstantiated,
    ),
];

impl Step {
    /// The state the step starts from and the one it leads to.
    pub fn transition(self) -> (Status, Status) {
        TRANSITIONS
            .into_iter()
            .find(|(s, _, _)| *s == self)
            .map(|(_, from, to)| (from, to))
            .unwrap_or((Status::Received, Status::Received))
    }

    /// The state after taking the step from `from`, or why it cannot be taken.
    pub fn from(self, from: Status) -> Result<Status> {
        let (expected, to) = self.transition();
        if from == expected {
            return Ok(to);
        }
        Err(match expected {
            Status::Received => FieldError::new("already_triaged", "status", "该举报已分办或处理"),
            _ => FieldError::new("not_verifying", "status", "该举报不在核查中"),
        })
    }
}

/// A substantiated tip's reward: proposed (拟奖励) → approved (批准) → paid (发放).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewardState {
    Proposed,
    Approved,
    Paid,
}

impl RewardState {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            RewardState::Proposed => "proposed",
            RewardState::Approved => "approved",
            RewardState::Paid => "paid",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<RewardState> {
        [
            RewardState::Proposed,
            RewardState::Approved,
            RewardState::Paid,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// The state a decision moves the reward on from: approving a proposed one, paying
    /// an approved one.
    pub fn before(self) -> Option<RewardState> {
        match self {
            RewardState::Proposed => None,
            RewardState::Approved => Some(RewardState::Proposed),
            RewardState::Paid => Some(RewardState::Approved),
        }
    }

    /// Whether the amount is decided (approved or paid): it counts in the bulletin and
    /// is no longer recomputed.
    pub fn decided(self) -> bool {
        self != RewardState::Proposed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transition_table_as_a_table() {
        use Status::*;
        let steps = [
            Step::Accept,
            Step::Merge,
            Step::Reject,
            Step::Substantiate,
            Step::Unsubstantiate,
        ];
        // Every (step, from) pair: allowed exactly where the table says.
        for step in steps {
            for from in Status::ALL {
                let want = TRANSITIONS
                    .iter()
                    .find(|(s, f, _)| *s == step && *f == from)
                    .map(|(_, _, t)| *t);
                assert_eq!(step.from(from).ok(), want, "{step:?} from {from:?}");
            }
        }
        assert_eq!(Step::Accept.from(Received), Ok(Accepted));
        assert_eq!(
            Step::Accept.from(Accepted).unwrap_err().code,
            "already_triaged"
        );
        assert_eq!(
            Step::Substantiate.from(Received).unwrap_err().code,
            "not_verifying"
        );
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
            assert!(!s.label().is_empty());
        }
        assert!(Substantiated.takes_merges() && !Merged.takes_merges());
    }

    #[test]
    fn a_reward_is_proposed_then_approved_then_paid() {
        assert_eq!(RewardState::Paid.before(), Some(RewardState::Approved));
        assert_eq!(RewardState::Approved.before(), Some(RewardState::Proposed));
        assert_eq!(RewardState::Proposed.before(), None);
        assert!(RewardState::Approved.decided() && !RewardState::Proposed.decided());
        for s in [
            RewardState::Proposed,
            RewardState::Approved,
            RewardState::Paid,
        ] {
            assert_eq!(RewardState::parse(s.as_str()), Some(s));
        }
    }
}
