//! The monthly report (每月28日前将自查情况和问题清单报区安委办): which month a report is
//! for, read from its `YYYY-MM` name, and the days it covers.

use chrono::{Datelike, NaiveDate};

use crate::FieldError;

/// A report month: its first and last days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Month {
    /// The month containing `day`.
    pub fn of(day: NaiveDate) -> Month {
        let first = day.with_day(1).unwrap_or(day);
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(NaiveDate::MAX);
        Month {
            first,
            last: next.pred_opt().unwrap_or(first),
        }
    }

    /// Reads `YYYY-MM` (years 2000–2100).
    pub fn parse(s: &str) -> Result<Month, FieldError> {
        let bad = || FieldError::new("invalid_month", "month", "月份格式应为 2022-07");
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if !(2000..=2100).contains(&y) {
            return Err(bad());
        }
        NaiveDate::from_ymd_opt(y, m, 1)
            .map(Month::of)
            .ok_or_else(bad)
    }

    /// Its days.
    pub fn span(&self) -> crate::time::Span {
        crate::time::Span::new(self.first, self.last)
    }

    /// The `YYYY-MM` name.
    pub fn name(&self) -> String {
        self.first.format("%Y-%m").to_string()
    }

    /// The Chinese name, 2022年7月.
    pub fn label(&self) -> String {
        format!("{}年{}月", self.first.year(), self.first.month())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn months_read_and_span_their_days() {
        let m = Month::parse("2022-02").unwrap();
        assert_eq!(m.last, NaiveDate::from_ymd_opt(2022, 2, 28).unwrap());
        assert_eq!(
            (m.name(), m.label()),
            ("2022-02".into(), "2022年2月".into())
        );
        for bad in ["2022-13", "2022", "22-07", "2022-00", "x-y", "9999-01"] {
            assert_eq!(Month::parse(bad).unwrap_err().field, "month", "{bad}");
        }
    }

    proptest! {
        #[test]
        fn no_input_panics(s in ".{0,12}") {
            if let Ok(m) = Month::parse(&s) {
                prop_assert!(m.first <= m.last);
            }
        }
    }
}
