//! Time: instants are epoch milliseconds (UTC); calendar dates are Asia/Shanghai.
//! China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact
//! for every date this product handles.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

/// Epoch milliseconds.
pub type Millis = i64;

/// Asia/Shanghai as a fixed UTC+8 offset.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// The moment an action happens: its instant and the Asia/Shanghai day it falls on,
/// read from the clock once (a write that needs both takes this, never a pair).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// Epoch milliseconds.
    pub ms: Millis,
    /// The Asia/Shanghai date of `ms` (or the day a replay or a seed acts on).
    pub today: NaiveDate,
}

impl Moment {
    /// The moment `ms` on `today`.
    pub fn new(ms: Millis, today: NaiveDate) -> Moment {
        Moment { ms, today }
    }

    /// The moment of instant `ms`, on its Asia/Shanghai date.
    pub fn at(ms: Millis) -> Moment {
        Moment {
            ms,
            today: local_date(ms).unwrap_or_default(),
        }
    }
}

/// A run of calendar days, both ends included (a month, a campaign's window, a special
/// period, the range a list or a standing covers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Span {
    /// The days `first` to `last`.
    pub fn new(first: NaiveDate, last: NaiveDate) -> Span {
        Span { first, last }
    }

    /// Whether `day` falls inside.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.first <= day && day <= self.last
    }
}

/// A source of the current instant, injectable so tests and replays can move time.
pub trait Clock: Send + Sync + 'static {
    /// Now, in epoch milliseconds.
    fn now_ms(&self) -> Millis;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> Millis {
        Utc::now().timestamp_millis()
    }
}

/// Formats an instant as Shanghai local time `YYYY-MM-DD HH:MM:SS`.
pub fn format_local(ms: Millis) -> String {
    match shanghai().timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => String::from("—"),
    }
}

/// Formats an instant as RFC 3339 UTC with milliseconds.
pub fn format_utc(ms: Millis) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        None => String::from("invalid"),
    }
}

/// An instant in Shanghai time.
pub fn local_datetime(ms: Millis) -> Option<DateTime<FixedOffset>> {
    shanghai().timestamp_millis_opt(ms).single()
}

/// The Shanghai calendar date of an instant.
pub fn local_date(ms: Millis) -> Option<NaiveDate> {
    let t: DateTime<FixedOffset> = shanghai().timestamp_millis_opt(ms).single()?;
    Some(t.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_date_turns_at_16_utc() {
        // 2022-05-31T16:00:00Z is 2022-06-01 00:00 in Shanghai.
        let ms = Utc
            .with_ymd_and_hms(2022, 5, 31, 16, 0, 0)
            .unwrap()
            .timestamp_millis();
        assert_eq!(local_date(ms), NaiveDate::from_ymd_opt(2022, 6, 1));
        assert_eq!(local_date(ms - 1), NaiveDate::from_ymd_opt(2022, 5, 31));
        assert_eq!(format_local(ms), "2022-06-01 00:00:00");
    }
}

/// A clock that runs at the real pace from a chosen starting instant: the demo replays
/// its campaign "as of" a day in 2022 while time still moves.
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock {
    offset_ms: i64,
}

impl OffsetClock {
    /// A clock that reads `start_ms` now.
    pub fn starting_at(start_ms: Millis) -> OffsetClock {
        OffsetClock {
            offset_ms: start_ms - Utc::now().timestamp_millis(),
        }
    }
}

impl Clock for OffsetClock {
    fn now_ms(&self) -> Millis {
        Utc::now().timestamp_millis() + self.offset_ms
    }
}

/// The instant of a Shanghai calendar date at `hour`:00.
pub fn at_local(date: NaiveDate, hour: u32) -> Option<Millis> {
    let t = date.and_hms_opt(hour, 0, 0)?;
    shanghai()
        .from_local_datetime(&t)
        .single()
        .map(|t| t.timestamp_millis())
}

/// Reads an RFC 3339 instant (field `field`).
pub fn instant(
    field: &'static str,
    label: &str,
    raw: &str,
) -> crate::error::Result<DateTime<FixedOffset>> {
    if raw.trim().is_empty() {
        return Err(crate::error::FieldError::new(
            "required",
            field,
            format!("{label}不能为空"),
        ));
    }
    DateTime::parse_from_rfc3339(raw.trim()).map_err(|_| {
        crate::error::FieldError::new(
            "invalid_instant",
            field,
            format!("{label}应为 RFC 3339 时间，如 2022-07-12T09:30:00+08:00"),
        )
    })
}
