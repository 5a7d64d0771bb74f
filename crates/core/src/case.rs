//! The case workflow (the third mechanism in DESIGN.md): the closed loop
//! 交办 → 整改 → 反馈 → 核查 → 销号, or back with a reason, with deadline extensions.
//! Hazards and the findings of inspections and unannounced visits (entered in the
//! hazard ledger) run it; a tip's handling has its own machine
//! (`crate::tip_state::Handling`) because its steps differ, and a substantiated tip's
//! hazards then run this loop. This loop keeps its own `apply`, since its rules
//! depend on the deadline and the pending extension; its table is tested below.
//!
//! Who may take a step is part of the rule: the responsible unit feeds back and asks for
//! more time; the assigning unit verifies and decides on extensions.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Result};

/// Where a case stands. `overdue` is not a status: it is derived from the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Recorded, not yet given to anyone (发现).
    Found,
    /// Given to the responsible unit with a deadline (交办).
    Assigned,
    /// Being fixed (整改), or sent back after a failed verification.
    Rectifying,
    /// The unit reported it fixed (反馈), waiting for verification.
    Feedback,
    /// Verified and closed (销号).
    Closed,
}

impl Status {
    /// Every status, in loop order.
    pub const ALL: [Status; 5] = [
        Status::Found,
        Status::Assigned,
        Status::Rectifying,
        Status::Feedback,
        Status::Closed,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Found => "found",
            Status::Assigned => "assigned",
            Status::Rectifying => "rectifying",
            Status::Feedback => "feedback",
            Status::Closed => "closed",
        }
    }

    /// Not closed yet: every status of the loop before 销号.
    pub const OPEN: [Status; 4] = [
        Status::Found,
        Status::Assigned,
        Status::Rectifying,
        Status::Feedback,
    ];

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Status::Found => "已发现",
            Status::Assigned => "已交办",
            Status::Rectifying => "整改中",
            Status::Feedback => "已反馈待核查",
            Status::Closed => "已销号",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Still open (not closed).
    pub fn open(self) -> bool {
        self != Status::Closed
    }
}

impl crate::machine::States for Status {
    const ALL: &'static [Status] = &Status::ALL;

    fn as_str(self) -> &'static str {
        Status::as_str(self)
    }

    fn label(self) -> &'static str {
        Status::label(self)
    }
}

/// Which side of the case a unit is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The unit that assigned the case (and verifies it).
    Assigner,
    /// The unit that must fix it.
    Responsible,
    /// Both at once: a unit recording and fixing its own hazard.
    Both,
}

impl Party {
    fn assigns(self) -> bool {
        matches!(self, Party::Assigner | Party::Both)
    }

    fn fixes(self) -> bool {
        matches!(self, Party::Responsible | Party::Both)
    }
}

/// A step of the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// 交办: give the case to the responsible unit with a deadline.
    Assign { deadline: NaiveDate },
    /// Starts the rectification.
    Start,
    /// 反馈: the unit reports it fixed.
    Feedback,
    /// 核查: the assigner verifies; a failure needs a reason and sends it back.
    Verify { pass: bool },
    /// Asks for a later deadline.
    RequestExtension { until: NaiveDate },
    /// Approves or refuses the pending extension.
    DecideExtension { approve: bool },
    /// 即查即改: a general hazard fixed on the spot, closed in one step.
    CloseOnSpot,
}

impl Step {
    /// The stored name of the step.
    pub fn name(&self) -> &'static str {
        match self {
            Step::Assign { .. } => "assign",
            Step::Start => "start",
            Step::Feedback => "feedback",
            Step::Verify { pass: true } => "verify_pass",
            Step::Verify { pass: false } => "verify_fail",
            Step::RequestExtension { .. } => "extend_request",
            Step::DecideExtension { approve: true } => "extend_approve",
            Step::DecideExtension { approve: false } => "extend_refuse",
            Step::CloseOnSpot => "close_on_spot",
        }
    }
}

impl Step {
    /// What the step does to the case's rectification obligation (the deadline owed by
    /// the responsible unit), in order: a feedback submits it, a verification accepts or
    /// returns it, a close on the spot submits and accepts it at once.
    pub fn obligation_actions(&self) -> &'static [crate::obligation::Action] {
        use crate::obligation::Action;
        match self {
            Step::Feedback => &[Action::Submit],
            Step::Verify { pass: true } => &[Action::Accept],
            Step::Verify { pass: false } => &[Action::Return],
            Step::CloseOnSpot => &[Action::Submit, Action::Accept],
            Step::Assign { .. }
            | Step::Start
            | Step::RequestExtension { .. }
            | Step::DecideExtension { .. } => &[],
        }
    }
}

/// A case's state as the rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub status: Status,
    pub deadline: Option<NaiveDate>,
    /// A requested, undecided new deadline.
    pub extension: Option<NaiveDate>,
}

fn refuse(code: &'static str, field: &'static str, message: &str) -> FieldError {
    FieldError::new(code, field, message)
}

/// Applies `step`, taken by `party` on `today`, to `case`; refuses a step the status or
/// the party does not allow, naming why.
pub fn apply(case: &Case, step: &Step, party: Party, today: NaiveDate) -> Result<Case> {
    use Status::*;
    let mut next = case.clone();
    match (case.status, step) {
        (Closed, _) => {
            return Err(refuse("case_closed", "status", "已销号，不能再办理"));
        }
        (Found, Step::Assign { deadline }) => {
            if !party.assigns() {
                return Err(refuse("not_assigner", "unit", "只有交办单位可以交办"));
            }
            if *deadline < today {
                return Err(refuse("deadline_past", "deadline", "整改期限不能早于今天"));
            }
            next.status = Assigned;
            next.deadline = Some(*deadline);
        }
        (Found, Step::CloseOnSpot) => {
            next.status = Closed;
        }
        // A unit that found and fixed its own hazard on the spot (即查即改) closes it in
        // the step that records it.
        (Assigned, Step::CloseOnSpot) if party == Party::Both => {
            next.status = Closed;
        }
        (Assigned, Step::Start) => {
            if !party.fixes() {
                return Err(refuse(
                    "not_responsible",
                    "unit",
                    "只有责任单位可以开始整改",
                ));
            }
            next.status = Rectifying;
        }
        (Assigned | Rectifying, Step::Feedback) => {
            if !party.fixes() {
                return Err(refuse(
                    "not_responsible",
                    "unit",
                    "只有责任单位可以反馈整改情况",
                ));
            }
            next.status = Feedback;
            next.extension = None;
        }
        (Feedback, Step::Verify { pass }) => {
            if !party.assigns() {
                return Err(refuse("not_assigner", "unit", "只有交办单位可以核查销号"));
            }
            next.status = if *pass { Closed } else { Rectifying };
        }
        (Assigned | Rectifying, Step::RequestExtension { until }) => {
            if !party.fixes() {
                return Err(refuse(
                    "not_responsible",
                    "unit",
                    "只有责任单位可以申请延期",
                ));
            }
            if case.extension.is_some() {
                return Err(refuse("extension_pending", "until", "已有待审批的延期申请"));
            }
            if Some(*until) <= case.deadline {
                return Err(refuse(
                    "extension_not_later",
                    "until",
                    "申请的期限应晚于现在的整改期限",
                ));
            }
            next.extension = Some(*until);
        }
        (Assigned | Rectifying, Step::DecideExtension { approve }) => {
            if !party.assigns() {
                return Err(refuse("not_assigner", "unit", "只有交办单位可以审批延期"));
            }
            let Some(until) = case.extension else {
                return Err(refuse("no_extension", "decision", "没有待审批的延期申请"));
            };
            if *approve {
                next.deadline = Some(until);
            }
            next.extension = None;
        }
        (status, step) => {
            return Err(FieldError::new(
                "invalid_step",
                "step",
                format!("「{}」状态下不能{}", status.label(), step_label(step)),
            ));
        }
    }
    Ok(next)
}

fn step_label(step: &Step) -> &'static str {
    match step {
        Step::Assign { .. } => "交办",
        Step::Start => "开始整改",
        Step::Feedback => "反馈",
        Step::Verify { .. } => "核查",
        Step::RequestExtension { .. } => "申请延期",
        Step::DecideExtension { .. } => "审批延期",
        Step::CloseOnSpot => "即查即改销号",
    }
}

/// Overdue: open, past its deadline on `today`.
pub fn overdue(case: &Case, today: NaiveDate) -> bool {
    case.status.open() && case.deadline.is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use crate::machine::States as _;

    #[test]
    fn statuses_are_written_into_sql_from_their_names() {
        assert_eq!(Status::Closed.sql(), "'closed'");
        assert_eq!(
            Status::sql_list(&Status::OPEN),
            "('found', 'assigned', 'rectifying', 'feedback')"
        );
    }

    use super::*;
    use proptest::prelude::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    fn found() -> Case {
        Case {
            status: Status::Found,
            deadline: None,
            extension: None,
        }
    }

    #[test]
    fn the_whole_loop_with_a_failed_verification_and_an_extension() {
        let today = d(6, 1);
        let c = apply(
            &found(),
            &Step::Assign { deadline: d(6, 30) },
            Party::Assigner,
            today,
        )
        .unwrap();
        assert_eq!((c.status, c.deadline), (Status::Assigned, Some(d(6, 30))));
        let c = apply(
            &c,
            &Step::RequestExtension { until: d(7, 15) },
            Party::Responsible,
            today,
        )
        .unwrap();
        assert!(
            apply(
                &c,
                &Step::RequestExtension { until: d(7, 20) },
                Party::Responsible,
                today
            )
            .is_err()
        );
        let c = apply(
            &c,
            &Step::DecideExtension { approve: true },
            Party::Assigner,
            today,
        )
        .unwrap();
        assert_eq!((c.deadline, c.extension), (Some(d(7, 15)), None));
        let c = apply(&c, &Step::Feedback, Party::Responsible, today).unwrap();
        let c = apply(&c, &Step::Verify { pass: false }, Party::Assigner, today).unwrap();
        assert_eq!(c.status, Status::Rectifying);
        let c = apply(&c, &Step::Feedback, Party::Responsible, today).unwrap();
        let c = apply(&c, &Step::Verify { pass: true }, Party::Assigner, today).unwrap();
        assert_eq!(c.status, Status::Closed);
        assert!(!overdue(&c, d(12, 31)));
        let e = apply(&c, &Step::Feedback, Party::Responsible, today).unwrap_err();
        assert_eq!(e.code, "case_closed");
    }

    #[test]
    fn each_side_takes_only_its_own_steps() {
        let today = d(6, 1);
        let e = apply(
            &found(),
            &Step::Assign { deadline: d(6, 30) },
            Party::Responsible,
            today,
        )
        .unwrap_err();
        assert_eq!(e.code, "not_assigner");
        let c = apply(
            &found(),
            &Step::Assign { deadline: d(6, 30) },
            Party::Assigner,
            today,
        )
        .unwrap();
        assert_eq!(
            apply(&c, &Step::Feedback, Party::Assigner, today)
                .unwrap_err()
                .code,
            "not_responsible"
        );
        let c = apply(&c, &Step::Feedback, Party::Responsible, today).unwrap();
        let e = apply(&c, &Step::Verify { pass: true }, Party::Responsible, today).unwrap_err();
        assert_eq!(e.code, "not_assigner");
        assert!(e.message.contains("交办单位"));
        // A unit fixing its own hazard is both sides.
        assert!(apply(&c, &Step::Verify { pass: true }, Party::Both, today).is_ok());
        let e = apply(
            &found(),
            &Step::Assign { deadline: d(5, 1) },
            Party::Assigner,
            today,
        )
        .unwrap_err();
        assert_eq!(e.field, "deadline");
    }

    fn arb_step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (1u32..300).prop_map(|n| Step::Assign {
                deadline: d(1, 1) + chrono::Days::new(n.into())
            }),
            Just(Step::Start),
            Just(Step::Feedback),
            any::<bool>().prop_map(|pass| Step::Verify { pass }),
            (1u32..300).prop_map(|n| Step::RequestExtension {
                until: d(1, 1) + chrono::Days::new(n.into())
            }),
            any::<bool>().prop_map(|approve| Step::DecideExtension { approve }),
            Just(Step::CloseOnSpot),
        ]
    }

    fn arb_party() -> impl Strategy<Value = Party> {
        prop_oneof![
            Just(Party::Assigner),
            Just(Party::Responsible),
            Just(Party::Both)
        ]
    }

    proptest! {
        /// Whatever steps anyone tries: nothing panics, a closed case never reopens, only
        /// an assigner's passing verification (or an on-the-spot fix) closes a case, and a
        /// deadline never moves earlier.
        #[test]
        fn any_sequence_keeps_the_rules(steps in proptest::collection::vec((arb_step(), arb_party()), 0..30)) {
            let today = d(1, 1);
            let mut c = found();
            for (step, party) in steps {
                match apply(&c, &step, party, today) {
                    Ok(n) => {
                        prop_assert!(c.status.open());
                        if n.status == Status::Closed {
                            let on_spot = matches!(step, Step::CloseOnSpot);
                            let verified = matches!(step, Step::Verify { pass: true });
                            prop_assert!(on_spot || (verified && party != Party::Responsible));
                        }
                        if let (Some(a), Some(b)) = (c.deadline, n.deadline) {
                            prop_assert!(b >= a);
                        }
                        c = n;
                    }
                    Err(e) => prop_assert!(!e.message.is_empty()),
                }
            }
        }
    }

    /// The loop as a table (who may take which step from which status, and where it
    /// leads), every status × step × party checked against it.
    #[test]
    fn the_loop_as_a_table() {
        use Party::*;
        use Status::*;
        let today = d(6, 1);
        let steps = [
            Step::Assign { deadline: d(6, 30) },
            Step::Start,
            Step::Feedback,
            Step::Verify { pass: true },
            Step::Verify { pass: false },
            Step::RequestExtension { until: d(7, 30) },
            Step::DecideExtension { approve: true },
            Step::CloseOnSpot,
        ];
        // (step, from, parties that may take it, to).
        let fixes: &[Party] = &[Responsible, Both];
        let assigns: &[Party] = &[Assigner, Both];
        let any: &[Party] = &[Assigner, Responsible, Both];
        let table: Vec<(&str, Status, &[Party], Status)> = vec![
            ("assign", Found, assigns, Assigned),
            ("close_on_spot", Found, any, Closed),
            ("close_on_spot", Assigned, &[Both], Closed),
            ("start", Assigned, fixes, Rectifying),
            ("feedback", Assigned, fixes, Feedback),
            ("feedback", Rectifying, fixes, Feedback),
            ("verify_pass", Feedback, assigns, Closed),
            ("verify_fail", Feedback, assigns, Rectifying),
            ("extend_request", Assigned, fixes, Assigned),
            ("extend_request", Rectifying, fixes, Rectifying),
            ("extend_decide", Assigned, assigns, Assigned),
            ("extend_decide", Rectifying, assigns, Rectifying),
        ];
        for step in &steps {
            let name = match step {
                Step::DecideExtension { .. } => "extend_decide",
                s => s.name(),
            };
            for from in Status::ALL {
                for party in [Assigner, Responsible, Both] {
                    let case = Case {
                        status: from,
                        deadline: (from != Found).then_some(d(6, 30)),
                        extension: matches!(step, Step::DecideExtension { .. }).then_some(d(7, 30)),
                    };
                    let want = table
                        .iter()
                        .find(|(n, f, who, _)| *n == name && *f == from && who.contains(&party))
                        .map(|t| t.3);
                    let got = apply(&case, step, party, today).map(|c| c.status).ok();
                    assert_eq!(got, want, "{name} from {from:?} by {party:?}");
                }
            }
        }
    }
}
