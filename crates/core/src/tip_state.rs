//! A tip's handling as a state machine (issue 22 part 1): the office triages a received
//! tip (分办 to a unit, 合并 into another, or 不予受理), the routed unit verifies it
//! (属实 / 不属实), and a substantiated tip's reward is proposed, approved and paid. The
//! tables below are the only place that says which step leads from which state; the
//! store applies each as a conditional update (`… WHERE id = $1 AND status = $from`).

use crate::FieldError;
use crate::machine::{By, Carry, Machine, States, Transition};

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

impl States for Status {
    const ALL: &'static [Status] = &[
        Status::Received,
        Status::Accepted,
        Status::Merged,
        Status::Rejected,
        Status::Substantiated,
        Status::Unsubstantiated,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Accepted => "accepted",
            Status::Merged => "merged",
            Status::Rejected => "rejected",
            Status::Substantiated => "substantiated",
            Status::Unsubstantiated => "unsubstantiated",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Status::Received => "已受理，待分办",
            Status::Accepted => "已分办，核查中",
            Status::Merged => "与其他举报合并办理",
            Status::Rejected => "不予受理",
            Status::Substantiated => "经核查属实",
            Status::Unsubstantiated => "经核查不属实",
        }
    }
}

impl Status {
    /// Handled and closed: verified either way.
    pub const VERIFIED: [Status; 2] = [Status::Substantiated, Status::Unsubstantiated];

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

/// A tip's handling: triage by the office, verification by the routed unit.
pub struct Handling;

impl Machine for Handling {
    type State = Status;
    type Step = Step;
    const INITIAL: &'static [Status] = &[Status::Received];
    const TABLE: &'static [Transition<Status, Step>] = &[
        Transition::new(
            Step::Accept,
            Status::Received,
            Status::Accepted,
            &[By::Office],
            &[Carry::Unit],
        ),
        Transition::new(
            Step::Merge,
            Status::Received,
            Status::Merged,
            &[By::Office],
            &[Carry::Target],
        ),
        Transition::new(
            Step::Reject,
            Status::Received,
            Status::Rejected,
            &[By::Office],
            &[Carry::Reason],
        ),
        Transition::new(
            Step::Substantiate,
            Status::Accepted,
            Status::Substantiated,
            &[By::Assignee],
            &[Carry::Note],
        ),
        Transition::new(
            Step::Unsubstantiate,
            Status::Accepted,
            Status::Unsubstantiated,
            &[By::Assignee],
            &[Carry::Note],
        ),
    ];

    fn refusal(step: Step, _: Status) -> FieldError {
        match step {
            Step::Accept | Step::Merge | Step::Reject => {
                FieldError::new("already_triaged", "status", "该举报已分办或处理")
            }
            Step::Substantiate | Step::Unsubstantiate => {
                FieldError::new("not_verifying", "status", "该举报不在核查中")
            }
        }
    }
}

/// A routed unit's request for more time to verify (申请延期), decided by the office.
/// A tip that never asked stands at `NotRequested` (stored as no value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionState {
    NotRequested,
    Requested,
    Approved,
    Refused,
}

impl States for ExtensionState {
    const ALL: &'static [ExtensionState] = &[
        ExtensionState::NotRequested,
        ExtensionState::Requested,
        ExtensionState::Approved,
        ExtensionState::Refused,
    ];

    fn as_str(self) -> &'static str {
        match self {
            ExtensionState::NotRequested => "",
            ExtensionState::Requested => "requested",
            ExtensionState::Approved => "approved",
            ExtensionState::Refused => "refused",
        }
    }

    fn label(self) -> &'static str {
        match self {
            ExtensionState::NotRequested => "未申请延期",
            ExtensionState::Requested => "已申请延期",
            ExtensionState::Approved => "已批准延期",
            ExtensionState::Refused => "不予延期",
        }
    }
}

/// A step of an extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionStep {
    Request,
    Approve,
    Refuse,
}

/// The extension of a tip's verification: one request, one decision.
pub struct Extension;

impl Machine for Extension {
    type State = ExtensionState;
    type Step = ExtensionStep;
    const INITIAL: &'static [ExtensionState] = &[ExtensionState::NotRequested];
    const TABLE: &'static [Transition<ExtensionState, ExtensionStep>] = &[
        Transition::new(
            ExtensionStep::Request,
            ExtensionState::NotRequested,
            ExtensionState::Requested,
            &[By::Assignee],
            &[Carry::Reason],
        ),
        Transition::new(
            ExtensionStep::Approve,
            ExtensionState::Requested,
            ExtensionState::Approved,
            &[By::Office],
            &[],
        ),
        Transition::new(
            ExtensionStep::Refuse,
            ExtensionState::Requested,
            ExtensionState::Refused,
            &[By::Office],
            &[Carry::Reason],
        ),
    ];

    fn refusal(step: ExtensionStep, _: ExtensionState) -> FieldError {
        match step {
            ExtensionStep::Request => {
                FieldError::new("already_requested", "reason", "该举报已申请过延期")
            }
            ExtensionStep::Approve | ExtensionStep::Refuse => {
                FieldError::new("not_requested", "action", "承办单位未申请延期")
            }
        }
    }
}

/// A substantiated tip's reward: proposed (拟奖励) → approved (批准) → paid (发放).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewardState {
    Proposed,
    Approved,
    Paid,
}

impl States for RewardState {
    const ALL: &'static [RewardState] = &[
        RewardState::Proposed,
        RewardState::Approved,
        RewardState::Paid,
    ];

    fn as_str(self) -> &'static str {
        match self {
            RewardState::Proposed => "proposed",
            RewardState::Approved => "approved",
            RewardState::Paid => "paid",
        }
    }

    fn label(self) -> &'static str {
        match self {
            RewardState::Proposed => "拟奖励",
            RewardState::Approved => "已批准",
            RewardState::Paid => "已发放",
        }
    }
}

impl RewardState {
    /// Decided (approved or paid): the amount counts in the bulletin and is no longer
    /// recomputed.
    pub const DECIDED: [RewardState; 2] = [RewardState::Approved, RewardState::Paid];

    /// Whether the amount is decided.
    pub fn decided(self) -> bool {
        RewardState::DECIDED.contains(&self)
    }
}

/// A step of a reward (the proposal itself creates it, or recomputes a proposed one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewardStep {
    Propose,
    Approve,
    Pay,
}

/// A reward: the office proposes it from the rules, approves it and records its payment.
pub struct Reward;

impl Machine for Reward {
    type State = RewardState;
    type Step = RewardStep;
    const INITIAL: &'static [RewardState] = &[RewardState::Proposed];
    const TABLE: &'static [Transition<RewardState, RewardStep>] = &[
        Transition::new(
            RewardStep::Propose,
            RewardState::Proposed,
            RewardState::Proposed,
            &[By::Office],
            &[Carry::Amount],
        ),
        Transition::new(
            RewardStep::Approve,
            RewardState::Proposed,
            RewardState::Approved,
            &[By::Office],
            &[],
        ),
        Transition::new(
            RewardStep::Pay,
            RewardState::Approved,
            RewardState::Paid,
            &[By::Office],
            &[Carry::Method],
        ),
    ];

    fn refusal(step: RewardStep, _: RewardState) -> FieldError {
        match step {
            RewardStep::Propose => {
                FieldError::new("reward_decided", "state", "奖励已批准，不能重新计算")
            }
            RewardStep::Approve | RewardStep::Pay => {
                FieldError::new("reward_order", "state", "奖励须依次拟定、批准、发放")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::check_table;

    #[test]
    fn a_tips_handling_as_a_table() {
        use Status::*;
        use Step::*;
        check_table::<Handling>(
            &[Accept, Merge, Reject, Substantiate, Unsubstantiate],
            &[
                (Accept, Received, Accepted),
                (Merge, Received, Merged),
                (Reject, Received, Rejected),
                (Substantiate, Accepted, Substantiated),
                (Unsubstantiate, Accepted, Unsubstantiated),
            ],
        )
        .unwrap();
        assert_eq!(
            Handling::next(Accept, Accepted).unwrap_err().code,
            "already_triaged"
        );
        assert_eq!(
            Handling::next(Substantiate, Received).unwrap_err().code,
            "not_verifying"
        );
        // The office triages, the routed unit verifies.
        assert!(
            Handling::allows(Accept, &[By::Office]) && !Handling::allows(Accept, &[By::Assignee])
        );
        assert!(
            Handling::allows(Substantiate, &[By::Assignee])
                && !Handling::allows(Substantiate, &[By::Office])
        );
        for &s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
            assert!(!s.label().is_empty());
        }
        assert!(Substantiated.takes_merges() && !Merged.takes_merges());
    }

    #[test]
    fn an_extension_is_asked_once_and_decided_once_by_the_office() {
        use ExtensionState::*;
        use ExtensionStep::*;
        check_table::<Extension>(
            &[Request, Approve, Refuse],
            &[
                (Request, NotRequested, Requested),
                (Approve, Requested, Approved),
                (Refuse, Requested, Refused),
            ],
        )
        .unwrap();
        assert_eq!(
            Extension::next(Request, Refused).unwrap_err().code,
            "already_requested"
        );
        assert!(
            Extension::allows(Request, &[By::Assignee])
                && !Extension::allows(Approve, &[By::Assignee])
        );
        assert_eq!(ExtensionState::parse(""), Some(NotRequested));
    }

    #[test]
    fn a_reward_is_proposed_then_approved_then_paid() {
        use RewardState::*;
        use RewardStep::*;
        check_table::<Reward>(
            &[Propose, Approve, Pay],
            &[
                (Propose, Proposed, Proposed),
                (Approve, Proposed, Approved),
                (Pay, Approved, Paid),
            ],
        )
        .unwrap();
        assert_eq!(
            Reward::next(Propose, Approved).unwrap_err().code,
            "reward_decided"
        );
        assert!(Approved.decided() && Paid.decided() && !Proposed.decided());
        assert_eq!(
            RewardState::sql_list(&RewardState::DECIDED),
            "('approved', 'paid')"
        );
    }
}
