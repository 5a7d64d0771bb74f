//! Workflows as state machines (issue 22 part 1): the one shape every workflow's rules
//! take. A workflow names its states (an enum implementing [`States`]), its steps (an
//! enum), and a transition table of [`Transition`] rows saying which step leads from
//! which state to which, who may take it ([`By`]) and what it must carry ([`Carry`]).
//! [`Machine::next`] is the only place a step is allowed or refused; the store applies
//! the answer as a conditional update (`… WHERE id = $1 AND state = $from`, zero rows →
//! 409) with its one audit entry (`anjian_store::transition`).
//!
//! Which machine each workflow uses is listed in docs/ARCHITECTURE.md: hazards and
//! inspection findings run the case loop ([`crate::case`]), duties and monthly reports
//! and warnings' call-and-response the obligation ([`crate::obligation`]), tips, their
//! extensions and rewards [`crate::tip_state`], accidents [`crate::accident`],
//! enforcement records [`crate::enforcement`], accountability [`crate::accountability`]
//! and back-dated duty records [`crate::duty`].

use std::fmt::Debug;

use crate::error::{FieldError, Result};

/// A workflow's states as stored: one word in the database, one label on the pages.
/// Status words exist only here (`as_str` / `parse`) and in the labels.
pub trait States: Copy + Eq + Debug + 'static {
    /// Every state.
    const ALL: &'static [Self];

    /// The stored word.
    fn as_str(self) -> &'static str;

    /// The Chinese label.
    fn label(self) -> &'static str;

    /// The state of a stored word.
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|x| x.as_str() == s)
    }

    /// The label of a stored word ("—" for a word no state has).
    fn label_of(s: &str) -> &'static str {
        Self::parse(s).map_or("—", Self::label)
    }

    /// The stored word as an SQL literal (`'closed'`), for a statement that names a
    /// state in its text (a sum by state, a fixed filter): written from `as_str`, never
    /// typed into SQL by hand.
    fn sql(self) -> String {
        format!("'{}'", self.as_str())
    }

    /// Stored words as an SQL list: `('approved', 'paid')`.
    fn sql_list(states: &[Self]) -> String {
        let names: Vec<String> = states.iter().map(|s| s.sql()).collect();
        format!("({})", names.join(", "))
    }
}

/// Who may take a step, by their relation to the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// The district office (安委办), whose scope is the whole district.
    Office,
    /// The unit the object is routed to or led by (承办 / 牵头单位).
    Assignee,
    /// The unit that recorded the object (its own enforcement record).
    Recorder,
    /// The unit that reviews the object for the office (a duty's lead unit, which
    /// accepts or returns the reports of the units under it).
    Reviewer,
}

impl By {
    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            By::Office => "区安委办",
            By::Assignee => "承办单位",
            By::Recorder => "记录单位",
            By::Reviewer => "审核单位",
        }
    }
}

/// How a viewer relates to an object routed to (or led by) `assignee`: the office
/// when `office`, the assignee when `assignee` is the viewer's `own_unit`.
pub fn relation(office: bool, own_unit: Option<i64>, assignee: Option<i64>) -> Vec<By> {
    let mut by = Vec::new();
    if office {
        by.push(By::Office);
    }
    if assignee.is_some() && assignee == own_unit {
        by.push(By::Assignee);
    }
    by
}

/// What a step must carry besides the decision itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carry {
    /// A reason in words (退回、驳回、不予受理、延期).
    Reason,
    /// A note of the result the other side reads (核查结果说明).
    Note,
    /// The unit the object goes to (分办).
    Unit,
    /// Another object it joins (合并).
    Target,
    /// An amount of money.
    Amount,
    /// How it was paid (发放方式).
    Method,
}

/// One row of a transition table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition<S, T> {
    pub step: T,
    pub from: S,
    pub to: S,
    /// Who may take it: any of these.
    pub by: &'static [By],
    /// What it must carry.
    pub carries: &'static [Carry],
}

impl<S, T> Transition<S, T> {
    /// A row: `step` leads from `from` to `to`, taken by any of `by`, carrying `carries`.
    pub const fn new(
        step: T,
        from: S,
        to: S,
        by: &'static [By],
        carries: &'static [Carry],
    ) -> Self {
        Transition {
            step,
            from,
            to,
            by,
            carries,
        }
    }
}

/// A workflow: its states, its steps and its transition table.
pub trait Machine {
    type State: States;
    type Step: Copy + Eq + Debug + 'static;

    /// The states a record starts in when it is created (every other state is reached
    /// through the table).
    const INITIAL: &'static [Self::State];

    /// The transition table.
    const TABLE: &'static [Transition<Self::State, Self::Step>];

    /// Why `step` cannot be taken from `from` (a 422 naming the field): the workflow's
    /// own words, e.g. "该举报已分办或处理".
    fn refusal(step: Self::Step, from: Self::State) -> FieldError;

    /// The table's row for `step` from `from`, if any.
    fn row(
        step: Self::Step,
        from: Self::State,
    ) -> Option<&'static Transition<Self::State, Self::Step>> {
        Self::TABLE
            .iter()
            .find(|t| t.step == step && t.from == from)
    }

    /// The state `step` leads to from `from`, or the refusal.
    fn next(step: Self::Step, from: Self::State) -> Result<Self::State> {
        Self::row(step, from)
            .map(|t| t.to)
            .ok_or_else(|| Self::refusal(step, from))
    }

    /// Whether a party related to the object as `by` may take `step` from `from` now:
    /// what the pages ask before they show a button, from the same table the store
    /// applies.
    fn may(step: Self::Step, from: Self::State, by: &[By]) -> bool {
        Self::row(step, from).is_some_and(|t| t.by.iter().any(|b| by.contains(b)))
    }

    /// Whether a party related to the object as `as_` may take `step` at all.
    fn allows(step: Self::Step, as_: &[By]) -> bool {
        Self::TABLE
            .iter()
            .filter(|t| t.step == step)
            .any(|t| t.by.iter().any(|b| as_.contains(b)))
    }
}

/// The table tests every machine runs (`#[cfg(test)]` of each workflow): `expected` is
/// the workflow's table written out from the plan; every (step, state) pair is allowed
/// exactly where it says, refused with the workflow's own error elsewhere, and every
/// state is reachable from a starting state.
pub fn check_table<M: Machine>(
    steps: &[M::Step],
    expected: &[(M::Step, M::State, M::State)],
) -> std::result::Result<(), String> {
    for &step in steps {
        for &from in M::State::ALL {
            let want = expected
                .iter()
                .find(|(s, f, _)| *s == step && *f == from)
                .map(|(_, _, t)| *t);
            let got = M::next(step, from);
            match (want, &got) {
                (Some(w), Ok(g)) if w == *g => {}
                (None, Err(e)) if !e.message.is_empty() => {}
                _ => {
                    return Err(format!(
                        "{step:?} from {from:?}: want {want:?}, got {got:?}"
                    ));
                }
            }
        }
    }
    for t in M::TABLE {
        if t.by.is_empty() {
            return Err(format!(
                "{:?} from {:?}: nobody may take it",
                t.step, t.from
            ));
        }
    }
    let mut reached: Vec<M::State> = M::INITIAL.to_vec();
    loop {
        let more: Vec<M::State> = M::TABLE
            .iter()
            .filter(|t| reached.contains(&t.from) && !reached.contains(&t.to))
            .map(|t| t.to)
            .collect();
        if more.is_empty() {
            break;
        }
        reached.extend(more);
    }
    match M::State::ALL.iter().find(|s| !reached.contains(s)) {
        Some(s) => Err(format!("{s:?} is never reached")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Light {
        Red,
        Green,
    }

    impl States for Light {
        const ALL: &'static [Light] = &[Light::Red, Light::Green];
        fn as_str(self) -> &'static str {
            match self {
                Light::Red => "red",
                Light::Green => "green",
            }
        }
        fn label(self) -> &'static str {
            match self {
                Light::Red => "红",
                Light::Green => "绿",
            }
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Switch {
        Go,
    }

    struct Lamp;

    impl Machine for Lamp {
        type State = Light;
        type Step = Switch;
        const INITIAL: &'static [Light] = &[Light::Red];
        const TABLE: &'static [Transition<Light, Switch>] = &[Transition::new(
            Switch::Go,
            Light::Red,
            Light::Green,
            &[By::Office],
            &[],
        )];
        fn refusal(_: Switch, _: Light) -> FieldError {
            FieldError::new("already_green", "state", "已是绿灯")
        }
    }

    #[test]
    fn a_machine_answers_from_its_table_and_nowhere_else() {
        assert_eq!(Lamp::next(Switch::Go, Light::Red), Ok(Light::Green));
        assert_eq!(
            Lamp::next(Switch::Go, Light::Green).unwrap_err().code,
            "already_green"
        );
        assert!(Lamp::allows(Switch::Go, &[By::Office]));
        assert!(Lamp::may(Switch::Go, Light::Red, &[By::Office]));
        assert!(!Lamp::may(Switch::Go, Light::Green, &[By::Office]));
        assert!(!Lamp::allows(Switch::Go, &[By::Assignee, By::Recorder]));
        assert_eq!(Light::parse("green"), Some(Light::Green));
        assert_eq!(Light::label_of("blue"), "—");
        assert_eq!(
            Light::sql_list(&[Light::Red, Light::Green]),
            "('red', 'green')"
        );
        check_table::<Lamp>(&[Switch::Go], &[(Switch::Go, Light::Red, Light::Green)]).unwrap();
        // A table that disagrees with what the plan says is caught.
        assert!(check_table::<Lamp>(&[Switch::Go], &[]).is_err());
    }
}
