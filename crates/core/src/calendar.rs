//! The working-day calendar (Asia/Shanghai): Monday to Friday, less the national
//! holidays, plus the weekend days worked in exchange (调休). Deadlines in the plan stay
//! where the text puts them; only duties that count working days use this.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// What a listed day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A day off on a weekday (法定节假日).
    Holiday,
    /// A weekend day worked (调休上班).
    Workday,
}

impl DayKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<DayKind> {
        match s {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

/// The calendar's exceptions to Monday–Friday.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    days: BTreeMap<NaiveDate, DayKind>,
}

impl WorkCalendar {
    /// A calendar from its listed days.
    pub fn new(days: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> WorkCalendar {
        WorkCalendar {
            days: days.into_iter().collect(),
        }
    }

    /// Whether people work on `d`.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.days.get(&d) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The day `n` working days after `d` (the first counted day is the next one).
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> NaiveDate {
        let mut day = d;
        let mut left = n;
        while left > 0 {
            day = day.succ_opt().unwrap_or(day);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }
}

/// The national holidays and make-up workdays of 2022 to 2026, as the State Council's
/// notices set them: the calendar's seed, which the office edits.
pub fn national_days() -> Vec<(NaiveDate, DayKind, &'static str)> {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("a real date");
    let mut out = Vec::new();
    let mut off = |y: i32, m: u32, from: u32, to: u32, name: &'static str| {
        for day in from..=to {
            out.push((d(y, m, day), DayKind::Holiday, name));
        }
    };
    off(2022, 1, 1, 3, "元旦");
    off(2022, 1, 31, 31, "春节");
    off(2022, 2, 1, 6, "春节");
    off(2022, 4, 3, 5, "清明节");
    off(2022, 4, 30, 30, "劳动节");
    off(2022, 5, 1, 4, "劳动节");
    off(2022, 6, 3, 5, "端午节");
    off(2022, 9, 10, 12, "中秋节");
    off(2022, 10, 1, 7, "国庆节");
    off(2023, 1, 1, 2, "元旦");
    off(2023, 1, 21, 27, "春节");
    off(2023, 4, 5, 5, "清明节");
    off(2023, 4, 29, 30, "劳动节");
    off(2023, 5, 1, 3, "劳动节");
    off(2023, 6, 22, 24, "端午节");
    off(2023, 9, 29, 30, "中秋节、国庆节");
    off(2023, 10, 1, 6, "中秋节、国庆节");
    off(2024, 1, 1, 1, "元旦");
    off(2024, 2, 10, 17, "春节");
    off(2024, 4, 4, 6, "清明节");
    off(2024, 5, 1, 5, "劳动节");
    off(2024, 6, 10, 10, "端午节");
    off(2024, 9, 15, 17, "中秋节");
    off(2024, 10, 1, 7, "国庆节");
    off(2025, 1, 1, 1, "元旦");
    off(2025, 1, 28, 31, "春节");
    off(2025, 2, 1, 4, "春节");
    off(2025, 4, 4, 6, "清明节");
    off(2025, 5, 1, 5, "劳动节");
    off(2025, 5, 31, 31, "端午节");
    off(2025, 6, 1, 2, "端午节");
    off(2025, 10, 1, 8, "国庆节、中秋节");
    off(2026, 1, 1, 3, "元旦");
    off(2026, 2, 15, 23, "春节");
    off(2026, 4, 4, 6, "清明节");
    off(2026, 5, 1, 5, "劳动节");
    off(2026, 6, 19, 21, "端午节");
    off(2026, 9, 25, 27, "中秋节");
    off(2026, 10, 1, 7, "国庆节");
    for (y, m, day, name) in [
        (2022, 1, 29, "春节调休"),
        (2022, 1, 30, "春节调休"),
        (2022, 4, 2, "清明节调休"),
        (2022, 4, 24, "劳动节调休"),
        (2022, 5, 7, "劳动节调休"),
        (2022, 10, 8, "国庆节调休"),
        (2022, 10, 9, "国庆节调休"),
        (2023, 1, 28, "春节调休"),
        (2023, 1, 29, "春节调休"),
        (2023, 4, 23, "劳动节调休"),
        (2023, 5, 6, "劳动节调休"),
        (2023, 6, 25, "端午节调休"),
        (2023, 10, 7, "国庆节调休"),
        (2023, 10, 8, "国庆节调休"),
        (2024, 2, 4, "春节调休"),
        (2024, 2, 18, "春节调休"),
        (2024, 4, 7, "清明节调休"),
        (2024, 4, 28, "劳动节调休"),
        (2024, 5, 11, "劳动节调休"),
        (2024, 9, 14, "中秋节调休"),
        (2024, 9, 29, "国庆节调休"),
        (2024, 10, 12, "国庆节调休"),
        (2025, 1, 26, "春节调休"),
        (2025, 2, 8, "春节调休"),
        (2025, 4, 27, "劳动节调休"),
        (2025, 9, 28, "国庆节调休"),
        (2025, 10, 11, "国庆节调休"),
        (2026, 1, 4, "元旦调休"),
        (2026, 2, 14, "春节调休"),
        (2026, 2, 28, "春节调休"),
        (2026, 5, 9, "劳动节调休"),
        (2026, 9, 20, "国庆节调休"),
        (2026, 10, 10, "国庆节调休"),
    ] {
        out.push((d(y, m, day), DayKind::Workday, name));
    }
    out
}

/// The first day of each national holiday in the seed, with its name (a holiday's
/// eve, 节假日前, is the day before it).
pub fn holiday_starts() -> Vec<(NaiveDate, &'static str)> {
    let mut days: Vec<(NaiveDate, &'static str)> = national_days()
        .into_iter()
        .filter(|(_, k, _)| *k == DayKind::Holiday)
        .map(|(d, _, name)| (d, name))
        .collect();
    days.sort();
    let mut out: Vec<(NaiveDate, &'static str)> = Vec::new();
    let mut previous: Option<NaiveDate> = None;
    for (d, name) in days {
        if previous.and_then(|p| p.succ_opt()) != Some(d) {
            out.push((d, name));
        }
        previous = Some(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    fn cal() -> WorkCalendar {
        WorkCalendar::new(national_days().into_iter().map(|(d, k, _)| (d, k)))
    }

    #[test]
    fn holidays_and_make_up_days() {
        let c = cal();
        assert!(!c.is_working_day(d(10, 3)), "National Day week");
        assert!(c.is_working_day(d(10, 8)), "a Saturday worked in exchange");
        assert!(!c.is_working_day(d(5, 14)), "an ordinary Saturday");
        assert!(c.is_working_day(d(5, 16)));
        // Five working days from Thursday 29 September 2022: 30 Sep, then 8, 9, 10, 11 Oct.
        assert_eq!(c.add_working_days(d(9, 29), 5), d(10, 11));
        assert_eq!(c.add_working_days(d(5, 16), 0), d(5, 16));
    }

    proptest! {
        #[test]
        fn adding_working_days_lands_on_one(offset in 0i64..700, n in 1u32..40) {
            let c = cal();
            let start = d(1, 1) + chrono::Duration::days(offset);
            let end = c.add_working_days(start, n);
            prop_assert!(c.is_working_day(end));
            prop_assert!(end > start);
            let counted = (1..=(end - start).num_days()).filter(|k| c.is_working_day(start + chrono::Duration::days(*k))).count();
            prop_assert_eq!(counted as u32, n);
        }
    }
}
