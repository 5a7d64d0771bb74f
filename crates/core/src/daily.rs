//! Duties that recur daily are counted, not reported. Plan item (14): "每日在区级以上主流
//! 媒体（电视台、报纸、网站、手机报、微信等）发布1条以上工作动态或通过应急广播进行常态化宣传"
//! gives nobody a report a day to write and nobody one to review: the units assigned to
//! the item log each publication or broadcast (a daily entry), and the page counts the
//! days of the campaign that have none.

use chrono::NaiveDate;

use crate::error::{optional_text, required_date, required_text};
use crate::schedule::{Period, Schedule};
use crate::{FieldError, Result};

/// Whether a schedule recurs daily, and so is counted by daily entries rather than given
/// out as one obligation a day.
pub fn is_daily(s: &Schedule) -> bool {
    matches!(
        s,
        Schedule::Recurring {
            every: Period::Day,
            ..
        }
    )
}

/// How an occurrence went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// 主流媒体 (television, newspaper, website, mobile paper, WeChat).
    Media,
    /// 应急广播.
    Broadcast,
}

impl Channel {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Media => "media",
            Channel::Broadcast => "broadcast",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Channel::Media => "主流媒体发布",
            Channel::Broadcast => "应急广播",
        }
    }

    /// Reads a stored name (field `channel`).
    pub fn parse(raw: &str) -> Result<Channel> {
        match raw.trim() {
            "media" => Ok(Channel::Media),
            "broadcast" => Ok(Channel::Broadcast),
            _ => Err(FieldError::new(
                "invalid_channel",
                "channel",
                "发布方式应为主流媒体发布或应急广播",
            )),
        }
    }
}

/// A daily entry as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub on: NaiveDate,
    pub channel: Channel,
    /// The outlet (铜梁电视台, 铜梁发布 …).
    pub outlet: String,
    pub title: String,
    /// The publication's address; required for media, none for a broadcast.
    pub link: Option<String>,
}

/// A daily entry as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct EntryInput<'a> {
    /// YYYY-MM-DD.
    pub on: &'a str,
    pub channel: &'a str,
    pub outlet: &'a str,
    pub title: &'a str,
    pub link: &'a str,
}

/// Checks a daily entry logged on `today`, naming the first field at fault.
pub fn check(
    EntryInput {
        on,
        channel,
        outlet,
        title,
        link,
    }: EntryInput<'_>,
    today: NaiveDate,
) -> Result<Entry> {
    let on = required_date("on", "发布日期", on)?;
    if on > today {
        return Err(FieldError::new("future_date", "on", "发布日期不能晚于今天"));
    }
    let channel = Channel::parse(channel)?;
    let outlet = required_text("outlet", "媒体或广播名称", outlet, 100)?;
    let title = required_text("title", "标题或内容", title, 200)?;
    let link = optional_text("link", "链接", link, 500)?;
    match (&link, channel) {
        (None, Channel::Media) => {
            return Err(FieldError::new(
                "required",
                "link",
                "主流媒体发布须填写链接",
            ));
        }
        (Some(l), _) if !(l.starts_with("https://") || l.starts_with("http://")) => {
            return Err(FieldError::new(
                "invalid_link",
                "link",
                "链接应以 http:// 或 https:// 开头",
            ));
        }
        _ => {}
    }
    Ok(Entry {
        on,
        channel,
        outlet,
        title,
        link,
    })
}

/// The days of `first..=last` (the campaign's window cut at today) with no entry, given
/// the days that have one (any order, repeats allowed).
pub fn days_missed(first: NaiveDate, last: NaiveDate, logged: &[NaiveDate]) -> Vec<NaiveDate> {
    let mut logged = logged.to_vec();
    logged.sort_unstable();
    logged.dedup();
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .filter(|d| logged.binary_search(d).is_err())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    #[test]
    fn item_14_recurs_daily_and_is_counted() {
        let daily = Schedule::Recurring {
            every: Period::Day,
            min_count: 1,
            day: None,
        };
        assert!(is_daily(&daily));
        assert!(!is_daily(&Schedule::Ongoing));
    }

    #[test]
    fn an_entry_names_the_field_at_fault() {
        let today = d(8, 9);
        let entry = |on, channel, outlet, title, link| EntryInput {
            on,
            channel,
            outlet,
            title,
            link,
        };
        let ok = check(
            entry(
                "2022-08-09",
                "media",
                "铜梁发布",
                "我区开展燃气安全检查",
                "https://example.cn/a",
            ),
            today,
        )
        .unwrap();
        assert_eq!(ok.channel, Channel::Media);
        let field = |e: EntryInput| check(e, today).unwrap_err().field;
        assert_eq!(
            field(entry("2022-08-10", "media", "x", "y", "https://a")),
            "on"
        );
        assert_eq!(
            field(entry("2022-08-09", "tv", "x", "y", "https://a")),
            "channel"
        );
        assert_eq!(
            field(entry("2022-08-09", "media", "", "y", "https://a")),
            "outlet"
        );
        assert_eq!(field(entry("2022-08-09", "media", "x", "y", "")), "link");
        assert_eq!(
            field(entry("2022-08-09", "media", "x", "y", "javascript:1")),
            "link"
        );
        assert!(
            check(
                entry("2022-08-09", "broadcast", "应急广播", "防汛提示", ""),
                today
            )
            .is_ok()
        );
    }

    #[test]
    fn days_without_an_entry_are_missed() {
        let missed = days_missed(d(8, 1), d(8, 5), &[d(8, 2), d(8, 2), d(8, 4)]);
        assert_eq!(missed, vec![d(8, 1), d(8, 3), d(8, 5)]);
    }
}
