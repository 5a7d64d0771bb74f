//! Obligations (应办事项): anything due by a date. This module holds the pure rules:
//! expanding schedules into dated instances inside a campaign window, and the states
//! an obligation moves through. Storage keeps one row per instance; every deadline in
//! the product goes through here.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::schedule::{Period, Schedule};

/// Where an obligation stands. `Overdue` is never stored: it is `Pending` or `Returned`
/// past its due date, computed at read time from the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Pending,
    Submitted,
    Accepted,
    Returned,
    Overdue,
    DoneLate,
    Waived,
}

impl State {
    /// Every state.
    pub const ALL: [State; 7] = [
        State::Pending,
        State::Submitted,
        State::Accepted,
        State::Returned,
        State::Overdue,
        State::DoneLate,
        State::Waived,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Submitted => "submitted",
            State::Accepted => "accepted",
            State::Returned => "returned",
            State::Overdue => "overdue",
            State::DoneLate => "done_late",
            State::Waived => "waived",
        }
    }

    /// Still owed by the unit: not reported yet, or returned to it.
    pub const OPEN: [State; 2] = [State::Pending, State::Returned];

    /// Not finished: still owed, or reported and awaiting review.
    pub const UNFINISHED: [State; 3] = [State::Pending, State::Returned, State::Submitted];

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            State::Pending => "待办",
            State::Submitted => "已报送",
            State::Accepted => "已通过",
            State::Returned => "已退回",
            State::Overdue => "已逾期",
            State::DoneLate => "逾期完成",
            State::Waived => "已豁免",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The state a reader sees on `today`: an open obligation past its due date is overdue.
    pub fn effective(self, due_on: NaiveDate, today: NaiveDate) -> State {
        match self {
            State::Pending | State::Returned if due_on < today => State::Overdue,
            s => s,
        }
    }
}

impl crate::machine::States for State {
    const ALL: &'static [State] = &State::ALL;

    fn as_str(self) -> &'static str {
        State::as_str(self)
    }

    fn label(self) -> &'static str {
        State::label(self)
    }
}

/// What a user does to an obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The unit reports what it did (履职报送).
    Submit,
    /// The lead unit or the office accepts the report.
    Accept,
    /// The lead unit or the office returns it, with a reason.
    Return,
    /// The office waives it, with a reason.
    Waive,
}

/// A step of the duty's machine: [`Action::Accept`] is `Accept` for a report made by
/// its day and `AcceptLate` for one made after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Submit,
    Accept,
    AcceptLate,
    Return,
    Waive,
}

/// An obligation (a duty, a monthly or progress report, a warning's answer) as a
/// machine: the owing unit submits, the reviewer (the lead unit or the office)
/// accepts or returns with a reason, the office waives with a reason. Overdue is never
/// stored (a pending or returned duty past its day, read from the clock).
pub struct Duty;

const fn duty(
    step: Step,
    from: State,
    to: State,
    by: &'static [crate::machine::By],
    carries: &'static [crate::machine::Carry],
) -> crate::machine::Transition<State, Step> {
    crate::machine::Transition {
        step,
        from,
        to,
        by,
        carries,
    }
}

const OWING: &[crate::machine::By] = &[crate::machine::By::Assignee];
const REVIEWER: &[crate::machine::By] = &[crate::machine::By::Office, crate::machine::By::Reviewer];
const OFFICE: &[crate::machine::By] = &[crate::machine::By::Office];
const REASON: &[crate::machine::Carry] = &[crate::machine::Carry::Reason];

impl crate::machine::Machine for Duty {
    type State = State;
    type Step = Step;
    const INITIAL: &'static [State] = &[State::Pending];
    const TABLE: &'static [crate::machine::Transition<State, Step>] = &[
        duty(
            Step::Submit,
            State::Pending,
            State::Submitted,
            OWING,
            &[crate::machine::Carry::Note],
        ),
        duty(
            Step::Submit,
            State::Returned,
            State::Submitted,
            OWING,
            &[crate::machine::Carry::Note],
        ),
        duty(
            Step::Accept,
            State::Submitted,
            State::Accepted,
            REVIEWER,
            &[],
        ),
        duty(
            Step::AcceptLate,
            State::Submitted,
            State::DoneLate,
            REVIEWER,
            &[],
        ),
        duty(
            Step::Return,
            State::Submitted,
            State::Returned,
            REVIEWER,
            REASON,
        ),
        duty(Step::Waive, State::Pending, State::Waived, OFFICE, REASON),
        duty(Step::Waive, State::Returned, State::Waived, OFFICE, REASON),
        duty(Step::Waive, State::Submitted, State::Waived, OFFICE, REASON),
    ];

    fn refusal(step: Step, _: State) -> crate::FieldError {
        crate::FieldError::new(
            "invalid_transition",
            "state",
            match step {
                Step::Submit => "此事项当前不能报送：已报送待审核或已办结",
                Step::Accept | Step::AcceptLate | Step::Return => "只能审核已报送的事项",
                Step::Waive => "已办结的事项不能豁免",
            },
        )
    }
}

/// The stored state after `action` on an obligation in stored state `current`, due on
/// `due_on`, when the report was submitted on `submitted_on`: [`Duty`]'s table, a report
/// accepted after its due date being done late.
pub fn next(
    current: State,
    action: Action,
    due_on: NaiveDate,
    submitted_on: NaiveDate,
) -> crate::Result<State> {
    use crate::machine::Machine;
    Duty::next(Step::of(action, due_on, submitted_on), current)
}

impl Step {
    /// The step `action` is for a duty due on `due_on` reported on `submitted_on`: an
    /// acceptance of a report made after the day is [`Step::AcceptLate`].
    pub fn of(action: Action, due_on: NaiveDate, submitted_on: NaiveDate) -> Step {
        match action {
            Action::Submit => Step::Submit,
            Action::Accept if submitted_on <= due_on => Step::Accept,
            Action::Accept => Step::AcceptLate,
            Action::Return => Step::Return,
            Action::Waive => Step::Waive,
        }
    }
}

/// One dated instance of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instance {
    pub due_on: NaiveDate,
    /// What the instance covers, for people: "2022年6月", "2022年第3季度", "2022-06-01".
    pub label: String,
    /// Reports required in the instance (每月至少2家: 2).
    pub min_count: u32,
}

fn last_of_month(y: i32, m: u32) -> NaiveDate {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MIN)
}

/// Expands schedules into instances of the window `[start, end]` (both inclusive).
/// Once and milestone dates keep their dates wherever they fall: before the window (a
/// duty due before the campaign began is already due) or after it (the text's date is
/// kept; the import report lists it). Recurring periods count when their due date falls
/// in the window; a half-year or year that overlaps the window but ends after it is due
/// at the window's end. Start-from and ongoing duties are due once, at the
/// window's end; a standing duty owes a progress line every month by the 28th and a
/// summary at the window's end.
pub fn expand(schedules: &[Schedule], start: NaiveDate, end: NaiveDate) -> Vec<Instance> {
    let mut out = Vec::new();
    for s in schedules {
        match s {
            Schedule::Once { due } => out.push(Instance {
                due_on: *due,
                label: format!("{}前", due.format("%-m月%-d日")),
                min_count: 1,
            }),
            Schedule::Milestones { due } => {
                for d in due {
                    out.push(Instance {
                        due_on: *d,
                        label: format!("{}节点", d.format("%-m月")),
                        min_count: 1,
                    });
                }
            }
            Schedule::From { starts_on } if *starts_on <= end => out.push(Instance {
                due_on: end,
                label: format!("{}起持续", starts_on.format("%-m月%-d日")),
                min_count: 1,
            }),
            Schedule::From { .. } => {}
            Schedule::Ongoing => out.push(Instance {
                due_on: end,
                label: "常态化".into(),
                min_count: 1,
            }),
            // A daily duty is counted by daily entries (`daily`), never one report a day.
            Schedule::Recurring {
                every: Period::Day, ..
            } => {}
            Schedule::Recurring {
                every,
                min_count,
                day,
            } => recurring(&mut out, *every, *min_count, *day, start, end),
            Schedule::Standing => {
                let mut months = Vec::new();
                recurring(
                    &mut months,
                    Period::Month,
                    1,
                    Some(STANDING_DAY),
                    start,
                    end,
                );
                for mut i in months {
                    i.label.push_str(PROGRESS);
                    out.push(i);
                }
                out.push(Instance {
                    due_on: end,
                    label: CLOSING.into(),
                    min_count: 1,
                });
            }
            Schedule::InMonths { months } => {
                for y in start.year()..=end.year() {
                    for m in months.iter().filter(|m| (1..=12).contains(*m)) {
                        let due = last_of_month(y, *m);
                        if due >= start && due <= end {
                            out.push(Instance {
                                due_on: due,
                                label: format!("{y}年{m}月"),
                                min_count: 1,
                            });
                        }
                    }
                }
            }
            Schedule::BeforeHolidays => {
                for (first, name) in crate::calendar::holiday_starts() {
                    let Some(eve) = first.pred_opt() else {
                        continue;
                    };
                    if eve >= start && eve <= end {
                        out.push(Instance {
                            due_on: eve,
                            label: format!("{}{name}前", first.year()),
                            min_count: 1,
                        });
                    }
                }
            }
        }
    }
    out.sort_by(|a, b| a.due_on.cmp(&b.due_on).then(a.label.cmp(&b.label)));
    out.dedup_by(|a, b| a.due_on == b.due_on && a.label == b.label);
    out
}

/// The day of the month by which a standing duty's progress line is due: the monthly
/// self-inspection report's (每月28日前).
pub const STANDING_DAY: u32 = 28;
/// The end of a standing duty's monthly label ("2022年6月进展").
pub const PROGRESS: &str = "进展";
/// The label of a standing duty's summary at the campaign's end.
pub const CLOSING: &str = "总结报告";

/// Whether an instance label is a standing duty's monthly progress line.
pub fn is_progress(label: &str) -> bool {
    label.ends_with(PROGRESS)
}

fn recurring(
    out: &mut Vec<Instance>,
    every: Period,
    min_count: u32,
    day: Option<u32>,
    start: NaiveDate,
    end: NaiveDate,
) {
    let push = |out: &mut Vec<Instance>, due: NaiveDate, label: String| {
        if due >= start && due <= end {
            out.push(Instance {
                due_on: due,
                label,
                min_count,
            });
        }
    };
    match every {
        Period::Day => {
            let mut d = start;
            while d <= end {
                push(out, d, d.format("%Y-%m-%d").to_string());
                d += Duration::days(1);
            }
        }
        Period::Week | Period::Fortnight => {
            // Weeks end on Sunday; a fortnight is two of them from the window's start.
            let days = if every == Period::Week { 7 } else { 14 };
            let mut d = start
                + Duration::days((6 - start.weekday().num_days_from_monday() as i64).rem_euclid(7));
            if days == 14 && d - start < Duration::days(7) {
                d += Duration::days(7);
            }
            while d <= end {
                push(
                    out,
                    d,
                    format!(
                        "{}至{}",
                        (d - Duration::days(days - 1)).format("%-m月%-d日"),
                        d.format("%-m月%-d日")
                    ),
                );
                d += Duration::days(days);
            }
        }
        Period::Month | Period::Quarter | Period::HalfYear | Period::Year => {
            let months = match every {
                Period::Month => 1,
                Period::Quarter => 3,
                Period::HalfYear => 6,
                _ => 12,
            };
            let (mut y, mut m) = (start.year(), start.month());
            // Align to the first month of the period containing `start`.
            m = (m - 1) / months * months + 1;
            loop {
                let last_month = m + months - 1;
                let period_end = last_of_month(y, last_month);
                let due = match day {
                    Some(d) if months == 1 => {
                        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(period_end)
                    }
                    _ => period_end,
                };
                if due > end && period_end > end {
                    // A half-year or year that overlaps the window is owed by the
                    // window's end (每年不少于1次 in a May–October campaign).
                    let first = NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MAX);
                    if months >= 6 && first <= end && period_end >= start {
                        let label = period_label(y, m, months);
                        out.push(Instance {
                            due_on: end,
                            label,
                            min_count,
                        });
                    }
                    break;
                }
                push(out, due, period_label(y, m, months));
                m += months;
                if m > 12 {
                    m -= 12;
                    y += 1;
                }
                if y > end.year() + 1 {
                    break;
                }
            }
        }
    }
}

fn period_label(y: i32, m: u32, months: u32) -> String {
    match months {
        1 => format!("{y}年{m}月"),
        3 => format!("{y}年第{}季度", (m - 1) / 3 + 1),
        6 => format!("{y}年{}半年", if m == 1 { "上" } else { "下" }),
        _ => format!("{y}年"),
    }
}

/// "On time", the one definition every figure that says 按时 uses (home tile, campaign
/// and unit pages, the ranking's component, the bulletin, the dashboard): of the duties
/// that have fallen due, the share done by their day. A duty accepted on a report made
/// by its day is on time (`accepted`); one done after it is late (`done_late`); one
/// still open past its day is not on time (`overdue`). A duty not yet due, waived, or
/// reported and still waiting for review counts neither way. `None` when nothing counts:
/// shown as "—" ("本期无到期任务"), never as 100 %, and weighted out of a ranking.
pub fn on_time_rate(accepted: u64, done_late: u64, overdue: u64) -> Option<f64> {
    let total = accepted + done_late + overdue;
    (total > 0).then(|| accepted as f64 / total as f64)
}

/// [`on_time_rate`] in whole percent (rounded).
pub fn on_time_percent(accepted: i64, done_late: i64, overdue: i64) -> Option<i64> {
    let n = |v: i64| v.max(0) as u64;
    on_time_rate(n(accepted), n(done_late), n(overdue)).map(|r| (r * 100.0).round() as i64)
}

/// A rate as the pages show it: "87%", or "—" when nothing counts.
pub fn percent_label(rate: Option<i64>) -> String {
    rate.map(|r| format!("{r}%")).unwrap_or_else(|| "—".into())
}

/// How the minimum an obligation asks for is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// The unit states how many its report covers (offices heard, meetings held).
    Stated,
    /// The supervision visits the unit recorded: "区安委办、减灾办将组织开展2次督查检查".
    Visits,
}

/// How the minimum of an obligation whose text is `title` is counted.
pub fn counted_by(title: &str) -> Counted {
    if title.contains("督查检查") || title.contains("明查暗访") {
        Counted::Visits
    } else {
        Counted::Stated
    }
}

/// Reads the count a report states for an obligation asking at least `min` (field
/// `counted`): required when `min` is above one, a whole number from 0 to 100,000.
pub fn stated_count(raw: &str, min: i64) -> crate::Result<Option<i64>> {
    if min <= 1 {
        return Ok(None);
    }
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(crate::FieldError::new(
            "required",
            "counted",
            format!("请填写本次完成的数量（要求至少{min}）"),
        ));
    }
    match raw.parse::<i64>() {
        Ok(n) if (0..=100_000).contains(&n) => Ok(Some(n)),
        _ => Err(crate::FieldError::new(
            "invalid_count",
            "counted",
            "完成数量应为0到100000之间的整数",
        )),
    }
}

#[cfg(test)]
mod tests {
    use crate::machine::States as _;

    #[test]
    fn states_are_written_into_sql_from_their_names() {
        assert_eq!(State::DoneLate.sql(), "'done_late'");
        assert_eq!(State::sql_list(&State::OPEN), "('pending', 'returned')");
    }

    use super::*;
    use proptest::prelude::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    #[test]
    fn monthly_report_on_the_28th_through_the_campaign() {
        let s = [Schedule::Recurring {
            every: Period::Month,
            min_count: 1,
            day: Some(28),
        }];
        let got: Vec<NaiveDate> = expand(&s, d(5, 16), d(10, 22))
            .into_iter()
            .map(|i| i.due_on)
            .collect();
        assert_eq!(got, vec![d(5, 28), d(6, 28), d(7, 28), d(8, 28), d(9, 28)]);
    }

    #[test]
    fn quarters_half_years_and_weeks() {
        let q = expand(
            &[Schedule::Recurring {
                every: Period::Quarter,
                min_count: 1,
                day: None,
            }],
            d(5, 16),
            d(10, 22),
        );
        assert_eq!(
            q.iter().map(|i| i.due_on).collect::<Vec<_>>(),
            vec![d(6, 30), d(9, 30)]
        );
        assert_eq!(q[0].label, "2022年第2季度");
        let h = expand(
            &[Schedule::Recurring {
                every: Period::HalfYear,
                min_count: 1,
                day: None,
            }],
            d(5, 16),
            d(10, 22),
        );
        assert_eq!(
            h.iter().map(|i| i.due_on).collect::<Vec<_>>(),
            vec![d(6, 30), d(10, 22)],
            "the second half-year begins inside the campaign and is owed by its end"
        );
        let w = expand(
            &[Schedule::Recurring {
                every: Period::Week,
                min_count: 1,
                day: None,
            }],
            d(5, 16),
            d(5, 31),
        );
        assert_eq!(
            w.iter().map(|i| i.due_on).collect::<Vec<_>>(),
            vec![d(5, 22), d(5, 29)],
            "Sundays"
        );
        let days = expand(
            &[Schedule::Recurring {
                every: Period::Day,
                min_count: 1,
                day: None,
            }],
            d(5, 16),
            d(5, 31),
        );
        assert!(
            days.is_empty(),
            "(14): a daily duty is counted, not reported"
        );
    }

    #[test]
    fn once_milestones_from_and_ongoing() {
        let s = [
            Schedule::Once { due: d(5, 10) },
            Schedule::Milestones {
                due: vec![d(5, 31), d(8, 31), d(11, 30)],
            },
            Schedule::From {
                starts_on: d(7, 31),
            },
            Schedule::Ongoing,
        ];
        let got = expand(&s, d(5, 16), d(10, 22));
        let dates: Vec<NaiveDate> = got.iter().map(|i| i.due_on).collect();
        assert_eq!(
            dates,
            vec![
                d(5, 10),
                d(5, 31),
                d(8, 31),
                d(10, 22),
                d(10, 22),
                d(11, 30)
            ],
            "11-30 lies after the campaign and keeps its date"
        );
    }

    /// "即日起至党的二十大结束" and "每月28日前将自查情况和问题清单报区安委办": a standing duty
    /// owes a progress line each month by the 28th and a summary at the end.
    #[test]
    fn a_standing_duty_reports_monthly_and_closes() {
        let got = expand(&[Schedule::Standing], d(5, 16), d(10, 22));
        let pairs: Vec<(NaiveDate, &str)> =
            got.iter().map(|i| (i.due_on, i.label.as_str())).collect();
        assert_eq!(
            pairs,
            vec![
                (d(5, 28), "2022年5月进展"),
                (d(6, 28), "2022年6月进展"),
                (d(7, 28), "2022年7月进展"),
                (d(8, 28), "2022年8月进展"),
                (d(9, 28), "2022年9月进展"),
                (d(10, 22), "总结报告"),
            ]
        );
        assert!(got[..5].iter().all(|i| is_progress(&i.label)));
        assert!(!is_progress(&got[5].label));
    }

    /// "（5）纳入中心组学习内容，每年不少于1次专题学习。": a year that overlaps the campaign
    /// is owed by the campaign's end; so is a half-year that begins inside it.
    #[test]
    fn periods_overlapping_the_end_are_due_at_the_end() {
        let rec = |every| Schedule::Recurring {
            every,
            min_count: 1,
            day: None,
        };
        let year = expand(&[rec(Period::Year)], d(5, 16), d(10, 22));
        assert_eq!(
            year.iter()
                .map(|i| (i.due_on, i.label.as_str()))
                .collect::<Vec<_>>(),
            vec![(d(10, 22), "2022年")]
        );
        let half = expand(&[rec(Period::HalfYear)], d(5, 16), d(10, 22));
        assert_eq!(
            half.iter().map(|i| i.due_on).collect::<Vec<_>>(),
            vec![d(6, 30), d(10, 22)]
        );
        let months = expand(
            &[Schedule::Recurring {
                every: Period::Month,
                min_count: 1,
                day: Some(28),
            }],
            d(5, 16),
            d(10, 22),
        );
        assert_eq!(
            months.last().unwrap().due_on,
            d(9, 28),
            "months are not cut"
        );
    }

    #[test]
    fn fortnights_months_of_the_year_and_holiday_eves() {
        let f = expand(
            &[Schedule::Recurring {
                every: Period::Fortnight,
                min_count: 1,
                day: None,
            }],
            d(5, 16),
            d(6, 30),
        );
        assert_eq!(
            f.iter().map(|i| i.due_on).collect::<Vec<_>>(),
            vec![d(5, 29), d(6, 12), d(6, 26)],
            "every second Sunday"
        );
        let m = expand(
            &[Schedule::InMonths { months: vec![1, 7] }],
            d(1, 1),
            NaiveDate::from_ymd_opt(2023, 12, 31).unwrap(),
        );
        assert_eq!(m.len(), 4);
        assert_eq!(m[1].due_on, d(7, 31));
        let eves = expand(&[Schedule::BeforeHolidays], d(5, 16), d(10, 22));
        assert_eq!(
            eves.iter().map(|i| i.due_on).collect::<Vec<_>>(),
            vec![d(6, 2), d(9, 9), d(9, 30)],
            "端午、中秋、国庆"
        );
    }

    #[test]
    fn overdue_is_computed_not_stored() {
        assert_eq!(State::Pending.effective(d(5, 31), d(6, 1)), State::Overdue);
        assert_eq!(State::Returned.effective(d(5, 31), d(6, 1)), State::Overdue);
        assert_eq!(
            State::Pending.effective(d(5, 31), d(5, 31)),
            State::Pending,
            "due today is not late"
        );
        assert_eq!(
            State::Accepted.effective(d(5, 31), d(9, 1)),
            State::Accepted
        );
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
        assert_eq!(on_time_rate(3, 1, 0), Some(0.75));
        assert_eq!(on_time_rate(0, 0, 0), None);
    }

    #[test]
    fn the_closed_loop_of_a_report() {
        let (due, on_time, late) = (d(5, 31), d(5, 30), d(6, 2));
        assert_eq!(
            next(State::Pending, Action::Submit, due, on_time).unwrap(),
            State::Submitted
        );
        assert_eq!(
            next(State::Submitted, Action::Accept, due, on_time).unwrap(),
            State::Accepted
        );
        assert_eq!(
            next(State::Submitted, Action::Accept, due, late).unwrap(),
            State::DoneLate
        );
        assert_eq!(
            next(State::Submitted, Action::Return, due, on_time).unwrap(),
            State::Returned
        );
        assert_eq!(
            next(State::Returned, Action::Submit, due, late).unwrap(),
            State::Submitted
        );
        assert!(next(State::Accepted, Action::Submit, due, late).is_err());
        assert!(next(State::Pending, Action::Accept, due, late).is_err());
        assert_eq!(
            next(State::Pending, Action::Waive, due, late).unwrap(),
            State::Waived
        );
        assert!(next(State::Accepted, Action::Waive, due, late).is_err());
    }

    proptest! {
        #[test]
        fn instances_fall_inside_the_window(start_off in 0i64..365, len in 0i64..400, every in 0usize..6, day in proptest::option::of(1u32..=31)) {
            let start = d(1, 1) + Duration::days(start_off);
            let end = start + Duration::days(len);
            let every = [Period::Day, Period::Week, Period::Month, Period::Quarter, Period::HalfYear, Period::Year][every];
            let got = expand(&[Schedule::Recurring { every, min_count: 1, day }], start, end);
            for i in &got {
                prop_assert!(i.due_on >= start && i.due_on <= end);
            }
            let mut sorted = got.clone();
            sorted.dedup_by(|a, b| a.due_on == b.due_on);
            prop_assert_eq!(sorted.len(), got.len(), "one instance per period");
            if every == Period::Day {
                prop_assert!(got.is_empty());
            }
        }
    }

    /// "区安委办、减灾办将组织开展2次督查检查": counted from recorded visits; (18)
    /// "逐月听取10个安全专项办公室…汇报": stated, and required.
    #[test]
    fn minimums_are_counted() {
        assert_eq!(
            counted_by("区安委办、减灾办将组织开展2次督查检查"),
            Counted::Visits
        );
        assert_eq!(
            counted_by("区政府常务会逐月听取10个安全专项办公室"),
            Counted::Stated
        );
        assert_eq!(stated_count("", 1).unwrap(), None);
        assert_eq!(stated_count("", 10).unwrap_err().field, "counted");
        assert_eq!(stated_count("x", 10).unwrap_err().field, "counted");
        assert_eq!(stated_count(" 8 ", 10).unwrap(), Some(8));
    }

    #[test]
    fn a_duty_as_a_table() {
        use crate::machine::check_table;
        use State::*;
        let steps = [
            Step::Submit,
            Step::Accept,
            Step::AcceptLate,
            Step::Return,
            Step::Waive,
        ];
        let table = [
            (Step::Submit, Pending, Submitted),
            (Step::Submit, Returned, Submitted),
            (Step::Accept, Submitted, Accepted),
            (Step::AcceptLate, Submitted, DoneLate),
            (Step::Return, Submitted, Returned),
            (Step::Waive, Pending, Waived),
            (Step::Waive, Returned, Waived),
            (Step::Waive, Submitted, Waived),
        ];
        // Overdue is derived from the clock, never stored nor reached by a step.
        let stored: Vec<State> = State::ALL.into_iter().filter(|s| *s != Overdue).collect();
        assert!(check_table::<Duty>(&steps, &table).is_err_and(|e| e.contains("Overdue")));
        for &step in &steps {
            for &from in &stored {
                let want = table
                    .iter()
                    .find(|(s, f, _)| *s == step && *f == from)
                    .map(|t| t.2);
                assert_eq!(
                    <Duty as crate::machine::Machine>::next(step, from).ok(),
                    want
                );
            }
        }
    }
}
