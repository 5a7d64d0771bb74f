//! Time limits (工作时限) as the plan writes them, parsed into schedules: once by a date
//! (5月底, 5月中旬 = by the 20th, 5月上旬 = by the 10th, 6月底前, 5月30日), recurring with a
//! period and a minimum count (每日, 每周, 每月, 每季度, 每半年, 每年不少于1次, 每月至少2家,
//! 每月28日前), milestones (按5月、8月、11月工作节点), start-from (7月底开始) and ongoing
//! (常态化, 长期, 即查即改). One text may carry several. Dates fall in the campaign's year
//! unless the text names another; deadlines on weekends stay where the text puts them.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// How often a recurring duty comes due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Day,
    Week,
    /// Every two weeks (每两周, 每半月, 隔周): due every second Sunday.
    Fortnight,
    Month,
    Quarter,
    HalfYear,
    Year,
}

/// One schedule of a work item, in the shape the plan API pins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// Due once, by a date.
    Once { due: NaiveDate },
    /// Due every period, at least `min_count` times; `day` is the day of the month when
    /// the text names one (每月28日前), otherwise the period's last day.
    Recurring {
        every: Period,
        min_count: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        day: Option<u32>,
    },
    /// Due at several dates (按5月、8月、11月工作节点).
    Milestones { due: Vec<NaiveDate> },
    /// Starts on a date and goes on (7月底开始).
    From { starts_on: NaiveDate },
    /// Ongoing, with no date (常态化, 长期, 即查即改).
    Ongoing,
    /// Due at the end of the named months every year (每年1月和7月分别组织一次).
    InMonths { months: Vec<u32> },
    /// Due on the eve of every national holiday (节假日前), read from the calendar's
    /// national days.
    BeforeHolidays,
    /// A standing duty of the campaign: the text states no time limit (or says 即日起),
    /// so the unit reports its progress every month by the 28th, with the monthly
    /// self-inspection report, and closes it with a summary at the campaign's end.
    Standing,
}

impl Schedule {
    /// The same schedule `years` later (a plan run again in a later year): every date
    /// moves by whole years, 29 February landing on the 28th.
    pub fn shifted(&self, years: i32) -> Schedule {
        match self {
            Schedule::Once { due } => Schedule::Once {
                due: shift_years(*due, years),
            },
            Schedule::Milestones { due } => Schedule::Milestones {
                due: due.iter().map(|d| shift_years(*d, years)).collect(),
            },
            Schedule::From { starts_on } => Schedule::From {
                starts_on: shift_years(*starts_on, years),
            },
            other => other.clone(),
        }
    }
}

impl Schedule {
    /// The schedule in words, for the import report and the plan editor's preview.
    pub fn describe(&self) -> String {
        let md = |d: &NaiveDate| d.format("%-m月%-d日").to_string();
        match self {
            Schedule::Once { due } => format!("{}前完成", md(due)),
            Schedule::Recurring {
                every: Period::Day, ..
            } => "每日记录发布情况（按日计数，不逐日报送）".into(),
            Schedule::Recurring {
                every,
                min_count,
                day,
            } => {
                let when = match (every, day) {
                    (Period::Month, Some(d)) => format!("每月{d}日前"),
                    _ => every.label().to_string(),
                };
                if *min_count > 1 {
                    format!("{when}至少{min_count}次")
                } else {
                    format!("{when}一次")
                }
            }
            Schedule::Milestones { due } => format!(
                "按{}节点",
                due.iter().map(md).collect::<Vec<_>>().join("、")
            ),
            Schedule::From { starts_on } => format!("{}起持续开展", md(starts_on)),
            Schedule::Ongoing => "常态化，专项行动结束时报送".into(),
            Schedule::InMonths { months } => format!(
                "每年{}月底前",
                months
                    .iter()
                    .map(|m| m.to_string())
                    .collect::<Vec<_>>()
                    .join("月、")
            ),
            Schedule::BeforeHolidays => "每个法定节假日前".into(),
            Schedule::Standing => "常设职责：每月28日前随月报报送进展，结束时报送总结".into(),
        }
    }
}

impl Period {
    /// The period in words (每月, 每两周, …).
    pub fn label(self) -> &'static str {
        match self {
            Period::Day => "每日",
            Period::Week => "每周",
            Period::Fortnight => "每两周",
            Period::Month => "每月",
            Period::Quarter => "每季度",
            Period::HalfYear => "每半年",
            Period::Year => "每年",
        }
    }
}

/// `d` moved by whole years; 29 February becomes the 28th in a common year, and a date
/// out of chrono's range stays where it was.
pub fn shift_years(d: NaiveDate, years: i32) -> NaiveDate {
    let y = d.year() + years;
    NaiveDate::from_ymd_opt(y, d.month(), d.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, d.month(), d.day() - 1))
        .unwrap_or(d)
}

/// Which part of a month a phrase names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MonthPart {
    /// 上旬: by the 10th.
    Early,
    /// 中旬: by the 20th.
    Middle,
    /// 下旬 or 底: by the last day.
    End,
    /// A named day.
    Day(u32),
}

fn last_day(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

fn date_of(year: i32, month: u32, part: MonthPart) -> Option<NaiveDate> {
    match part {
        MonthPart::Early => NaiveDate::from_ymd_opt(year, month, 10),
        MonthPart::Middle => NaiveDate::from_ymd_opt(year, month, 20),
        MonthPart::End => last_day(year, month),
        MonthPart::Day(d) => NaiveDate::from_ymd_opt(year, month, d),
    }
}

/// Reads ASCII or full-width digits at `i`; returns the number and the index after it.
fn number_at(c: &[char], i: usize) -> Option<(u32, usize)> {
    let mut j = i;
    let mut n: u32 = 0;
    while j < c.len() {
        let d = match c[j] {
            '0'..='9' => c[j] as u32 - '0' as u32,
            '０'..='９' => c[j] as u32 - '０' as u32,
            _ => break,
        };
        n = n.checked_mul(10)?.checked_add(d)?;
        j += 1;
        if j - i > 4 {
            return None;
        }
    }
    (j > i).then_some((n, j))
}

fn starts_with(c: &[char], i: usize, s: &str) -> bool {
    s.chars()
        .enumerate()
        .all(|(k, ch)| c.get(i + k) == Some(&ch))
}

/// A month phrase at `i` (`[YYYY年]M月(上旬|中旬|下旬|底|D日)`); returns the year if
/// named, the month, the part and the index after the phrase.
fn month_phrase(c: &[char], i: usize) -> Option<(Option<i32>, u32, Option<MonthPart>, usize)> {
    let (first, mut j) = number_at(c, i)?;
    let mut year = None;
    let mut month = first;
    if c.get(j) == Some(&'年') && (2000..=2100).contains(&first) {
        year = Some(first as i32);
        let (m, k) = number_at(c, j + 1)?;
        month = m;
        j = k;
    }
    if c.get(j) != Some(&'月') || !(1..=12).contains(&month) {
        return None;
    }
    j += 1;
    let part = if starts_with(c, j, "上旬") {
        j += 2;
        Some(MonthPart::Early)
    } else if starts_with(c, j, "中旬") {
        j += 2;
        Some(MonthPart::Middle)
    } else if starts_with(c, j, "下旬") {
        j += 2;
        Some(MonthPart::End)
    } else if starts_with(c, j, "底") || starts_with(c, j, "末") {
        j += 1;
        Some(MonthPart::End)
    } else if let Some((d, k)) = number_at(c, j)
        .filter(|(d, k)| (1..=31).contains(d) && matches!(c.get(*k), Some('日') | Some('号')))
    {
        j = k + 1;
        Some(MonthPart::Day(d))
    } else {
        None
    };
    Some((year, month, part, j))
}

const PERIODS: &[(&str, Period)] = &[
    ("每个工作日", Period::Day),
    ("每日", Period::Day),
    ("每天", Period::Day),
    ("逐日", Period::Day),
    ("每两周", Period::Fortnight),
    ("每隔一周", Period::Fortnight),
    ("隔周", Period::Fortnight),
    ("每半月", Period::Fortnight),
    ("每半个月", Period::Fortnight),
    ("每周", Period::Week),
    ("按周", Period::Week),
    ("按月", Period::Month),
    ("按季度", Period::Quarter),
    ("每季", Period::Quarter),
    ("按季", Period::Quarter),
    ("每月", Period::Month),
    ("逐月", Period::Month),
    ("每季度", Period::Quarter),
    ("每个季度", Period::Quarter),
    ("每半年", Period::HalfYear),
    ("每年", Period::Year),
    ("按年度", Period::Year),
];

/// Holiday eves (节假日前): due the day before each national holiday.
const BEFORE_HOLIDAYS: &[&str] = &["节假日前", "节日前", "假日前"];

const ONGOING: &[&str] = &["常态化", "长期", "即查即改", "即知即改", "立行立改", "持续"];

/// Parses every time limit in `text` for a campaign in `year`. An empty result means
/// the text states no time limit (the importer reports it; nothing is guessed).
pub fn parse(text: &str, year: i32) -> Vec<Schedule> {
    let c: Vec<char> = text.chars().collect();
    let mut out: Vec<Schedule> = Vec::new();
    let mut recurring: Vec<(Period, u32, Option<u32>)> = Vec::new();
    let mut i = 0;
    while i < c.len() {
        // Recurring: 每月…, with an optional day (每月28日前) and minimum count.
        if let Some((word, period)) = PERIODS.iter().find(|(w, _)| starts_with(&c, i, w)) {
            let mut j = i + word.chars().count();
            let mut day = None;
            if *period == Period::Month
                && let Some((d, k)) = number_at(&c, j).filter(|(d, k)| {
                    (1..=31).contains(d) && matches!(c.get(*k), Some('日') | Some('号'))
                })
            {
                day = Some(d);
                j = k + 1;
            }
            if *period == Period::Year
                && let Some((months, k)) = month_list(&c, j)
            {
                out.push(Schedule::InMonths { months });
                i = k;
                continue;
            }
            let min = min_count(&c, j).unwrap_or(1);
            match recurring.iter_mut().find(|(p, _, _)| p == period) {
                Some(r) => {
                    r.1 = r.1.max(min);
                    r.2 = r.2.or(day);
                }
                None => recurring.push((*period, min, day)),
            }
            i = j;
            continue;
        }
        // Milestones: 按5月、8月、11月(工作)节点.
        if c[i] == '按'
            && let Some((dates, j)) = milestones(&c, i + 1, year)
        {
            out.push(Schedule::Milestones { due: dates });
            i = j;
            continue;
        }
        // A date: once, or start-from when 开始 follows.
        if c[i].is_ascii_digit() || ('０'..='９').contains(&c[i]) {
            let preceded_by_digit =
                i > 0 && (c[i - 1].is_ascii_digit() || ('０'..='９').contains(&c[i - 1]));
            if !preceded_by_digit
                && let Some((y, month, Some(part), j)) = month_phrase(&c, i)
                && let Some(date) = date_of(y.unwrap_or(year), month, part)
            {
                let mut k = j;
                if starts_with(&c, k, "前") {
                    k += 1;
                }
                if starts_with(&c, k, "开始") || starts_with(&c, k, "起") {
                    out.push(Schedule::From { starts_on: date });
                } else if !range_follows(&c, j) {
                    out.push(Schedule::Once { due: date });
                }
                i = j;
                continue;
            }
        }
        i += 1;
    }
    for (every, min_count, day) in recurring {
        out.push(Schedule::Recurring {
            every,
            min_count,
            day,
        });
    }
    if BEFORE_HOLIDAYS.iter().any(|w| text.contains(w)) {
        out.push(Schedule::BeforeHolidays);
    }
    // 汛期前 with no date of its own: the flood season starts in June here (汛期前（5月底）).
    if text.contains("汛期前") && !out.iter().any(|s| matches!(s, Schedule::Once { .. })) {
        out.extend(date_of(year, 5, MonthPart::End).map(|due| Schedule::Once { due }));
    }
    if ONGOING.iter().any(|w| text.contains(w)) {
        out.push(Schedule::Ongoing);
    }
    if out.is_empty() && (text.contains("即日起") || text.contains("即日开始")) {
        out.push(Schedule::Standing);
    }
    out.dedup();
    out
}

/// A list of months right after 每年 (`1月和7月`, `3月、9月`); two or more.
fn month_list(c: &[char], from: usize) -> Option<(Vec<u32>, usize)> {
    let mut months = Vec::new();
    let mut j = from;
    while let Some((m, k)) = number_at(c, j) {
        if c.get(k) != Some(&'月') || !(1..=12).contains(&m) || months.contains(&m) {
            break;
        }
        // A month with a part or a day (每年5月底) is a date, not a list entry.
        if month_phrase(c, j).is_some_and(|(_, _, part, _)| part.is_some()) {
            break;
        }
        months.push(m);
        j = k + 1;
        match c.get(j) {
            Some('和' | '、' | '及' | '与' | ',' | '，') => j += 1,
            _ => break,
        }
    }
    months.sort_unstable();
    (months.len() >= 2).then_some((months, j))
}

/// Phrases that look like a time limit but that [`parse`] does not read (每两月,
/// 每三个月, 按旬): the importer lists them so that nothing is silently guessed.
pub fn unread_phrases(text: &str) -> Vec<String> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if matches!(c[i], '每' | '按' | '逐')
            && !PERIODS.iter().any(|(w, _)| starts_with(&c, i, w))
            && !(c[i] == '按' && milestones(&c, i + 1, 2000).is_some())
        {
            let end = (i + 5).min(c.len());
            if let Some(k) = (i + 1..end)
                .find(|k| matches!(c[*k], '月' | '周' | '年' | '季' | '旬' | '天' | '日'))
                && k > i + 1
                && c[i + 1..k].iter().all(|ch| {
                    ch.is_ascii_digit()
                        || "０１２３４５６７８９一二三四五六七八九十两半个隔".contains(*ch)
                })
            {
                out.push(c[i..=k].iter().collect());
                i = k + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// `至` or `—` right after a date makes it the start of a window, not a deadline.
fn range_follows(c: &[char], j: usize) -> bool {
    matches!(
        c.get(j),
        Some('至') | Some('到') | Some('—') | Some('-') | Some('~')
    )
}

/// The minimum count after a period word: the first number within a few characters that
/// is followed by a counter word (次, 家, 个, 条, 项, 场, 幅); `至少`/`不少于` may precede.
fn min_count(c: &[char], from: usize) -> Option<u32> {
    let end = (from + 16).min(c.len());
    let mut j = from;
    while j < end {
        if matches!(c[j], '，' | '；' | '。' | ',' | ';' | '、') {
            return None;
        }
        if let Some((n, k)) = number_at(c, j) {
            if matches!(
                c.get(k),
                Some('次' | '家' | '个' | '条' | '项' | '场' | '幅' | '人')
            ) && n > 0
            {
                return Some(n);
            }
            j = k;
            continue;
        }
        j += 1;
    }
    None
}

fn milestones(c: &[char], from: usize, year: i32) -> Option<(Vec<NaiveDate>, usize)> {
    let mut dates = Vec::new();
    let mut j = from;
    loop {
        let (month, k) = number_at(c, j)?;
        if c.get(k) != Some(&'月') || !(1..=12).contains(&month) {
            return None;
        }
        dates.push(last_day(year, month)?);
        j = k + 1;
        match c.get(j) {
            Some('、') | Some(',') | Some('，') => j += 1,
            _ => break,
        }
    }
    let rest: String = c[j..c.len().min(j + 4)].iter().collect();
    (dates.len() >= 2 && (rest.starts_with("工作节点") || rest.starts_with("节点")))
        .then_some((dates, j))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    #[test]
    fn the_plans_phrases() {
        use Schedule::*;
        assert_eq!(
            parse("（1）5月底，建立“党政同责、一岗双责”……“五有”责任制。", 2022),
            vec![Once { due: d(5, 31) }]
        );
        assert_eq!(
            parse("（10）5月上旬，专题研究落实", 2022),
            vec![Once { due: d(5, 10) }]
        );
        assert_eq!(
            parse("（11）5月中旬，制定工作方案", 2022),
            vec![Once { due: d(5, 20) }]
        );
        assert_eq!(
            parse("（19）6月底，清理完善安全职能职责", 2022),
            vec![Once { due: d(6, 30) }]
        );
        assert_eq!(
            parse(
                "（31）5月底，制定明确安全生产权力和责任清单，公开接受社会监督。并于5月30日报区安委办备案。",
                2022
            ),
            vec![Once { due: d(5, 31) }, Once { due: d(5, 30) }]
        );
        assert_eq!(
            parse("（100）12月底，开展综合行政执法改革“回头看”", 2022),
            vec![Once { due: d(12, 31) }]
        );
        assert_eq!(
            parse("（5）纳入中心组学习内容，每年不少于1次专题学习。", 2022),
            vec![Recurring {
                every: Period::Year,
                min_count: 1,
                day: None
            }]
        );
        assert_eq!(
            parse(
                "（7）区委主要负责人每季度至少组织1次专题研究，解决重大问题，每季度实地开展调研检查1次；每半年听取1次班子成员履职情况汇报。",
                2022
            ),
            vec![
                Recurring {
                    every: Period::Quarter,
                    min_count: 1,
                    day: None
                },
                Recurring {
                    every: Period::HalfYear,
                    min_count: 1,
                    day: None
                }
            ]
        );
        assert_eq!(
            parse(
                "（53）行政负责人、行业监管部门负责人每月至少指导检查2家以上挂牌企业（单位），督促整改2个以上突出问题隐患",
                2022
            ),
            vec![Recurring {
                every: Period::Month,
                min_count: 2,
                day: None
            }]
        );
        assert_eq!(
            parse(
                "（60）按5月、8月、11月工作节点推进完成“一线责任制”工作。",
                2022
            ),
            vec![Milestones {
                due: vec![d(5, 31), d(8, 31), d(11, 30)]
            }]
        );
        assert_eq!(
            parse(
                "（45）7月底开始，对未采取有效措施甚至放任不管的，开展明查暗访、追责问责。",
                2022
            ),
            vec![From {
                starts_on: d(7, 31)
            }]
        );
        assert_eq!(
            parse(
                "（12）常态化保持3条（幅）以上的标语、海报、专栏或视频。",
                2022
            ),
            vec![Ongoing]
        );
        assert_eq!(
            parse(
                "（61）开展人员密集场所疏散通道安全隐患整治，即查即改问题隐患。",
                2022
            ),
            vec![Ongoing]
        );
        assert_eq!(
            parse(
                "（23）其他负责人坚持每日了解掌握、每周协调调度、每月检查督查。",
                2022
            ),
            vec![
                Recurring {
                    every: Period::Day,
                    min_count: 1,
                    day: None
                },
                Recurring {
                    every: Period::Week,
                    min_count: 1,
                    day: None
                },
                Recurring {
                    every: Period::Month,
                    min_count: 1,
                    day: None
                }
            ]
        );
        assert_eq!(
            parse(
                "各镇街、区级行业监管部门每月28日前将自查情况和问题清单报区安委办",
                2022
            ),
            vec![Recurring {
                every: Period::Month,
                min_count: 1,
                day: Some(28)
            }]
        );
        assert_eq!(
            parse("（工作时限：2022年5月中旬前）", 2022),
            vec![Once { due: d(5, 20) }]
        );
        assert_eq!(
            parse("要在2022年5月25日前报送区安委办", 2022),
            vec![Once { due: d(5, 25) }]
        );
        assert_eq!(
            parse("（9）班子成员按照职责抓好分管行业（领域）安全工作", 2022),
            vec![]
        );
        // A window's start is not a deadline.
        assert_eq!(parse("（工作时限：2022年5月至7月）", 2022), vec![]);
    }

    /// Phrases of plans written in other districts' words (issue fixtures): each is read,
    /// none is silently weekly.
    #[test]
    fn other_districts_phrases() {
        use Schedule::*;
        let rec = |every, min_count| Recurring {
            every,
            min_count,
            day: None,
        };
        assert_eq!(
            parse("各单位按季度报送工作进展", 2023),
            vec![rec(Period::Quarter, 1)]
        );
        assert_eq!(parse("每季度报送一次", 2023), vec![rec(Period::Quarter, 1)]);
        for t in [
            "每两周调度一次",
            "每半月报送",
            "隔周开展一次联合检查",
            "每隔一周通报",
        ] {
            assert_eq!(parse(t, 2023), vec![rec(Period::Fortnight, 1)], "{t}");
        }
        assert_eq!(
            parse("每年1月和7月分别组织一次集中检查", 2023),
            vec![InMonths { months: vec![1, 7] }]
        );
        assert_eq!(
            parse("汛期前（5月底）完成隐患排查", 2023),
            vec![Once {
                due: NaiveDate::from_ymd_opt(2023, 5, 31).unwrap()
            }]
        );
        assert_eq!(
            parse("汛期前完成山洪灾害点排查", 2023),
            vec![Once {
                due: NaiveDate::from_ymd_opt(2023, 5, 31).unwrap()
            }]
        );
        assert_eq!(parse("即日起开展专项整治", 2023), vec![Standing]);
        assert_eq!(parse("节假日前开展安全检查", 2023), vec![BeforeHolidays]);
        // Unknown phrases are named, not guessed.
        assert_eq!(unread_phrases("每两月通报一次"), vec!["每两月".to_string()]);
        assert_eq!(unread_phrases("每三个月报送"), vec!["每三个月".to_string()]);
        assert!(unread_phrases("每月28日前按时报送，每人每年培训").is_empty());
        assert!(unread_phrases("按5月、8月、11月工作节点").is_empty());
    }

    #[test]
    fn recurring_keeps_the_largest_minimum() {
        let s = parse(
            "每月至少开展1次安全生产检查，分管负责人每月至少带队组织开展3次",
            2022,
        );
        assert_eq!(
            s,
            vec![Schedule::Recurring {
                every: Period::Month,
                min_count: 3,
                day: None
            }]
        );
    }

    #[test]
    fn schedules_serialise_in_the_pinned_shape() {
        let v = serde_json::to_value(parse(
            "5月底；每季度至少1次；按5月、8月节点；7月底开始；常态化",
            2022,
        ))
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!([
                {"kind": "once", "due": "2022-05-31"},
                {"kind": "milestones", "due": ["2022-05-31", "2022-08-31"]},
                {"kind": "from", "starts_on": "2022-07-31"},
                {"kind": "recurring", "every": "quarter", "min_count": 1},
                {"kind": "ongoing"}
            ])
        );
    }

    #[test]
    fn a_later_year_moves_every_date() {
        use Schedule::*;
        let next = |t: &str| {
            parse(t, 2022)
                .iter()
                .map(|s| s.shifted(1))
                .collect::<Vec<_>>()
        };
        assert_eq!(next("5月底前完成"), parse("5月底前完成", 2023));
        assert_eq!(
            next("按5月、8月、11月工作节点"),
            parse("按5月、8月、11月工作节点", 2023)
        );
        assert_eq!(
            next("7月底开始，每月开展"),
            parse("7月底开始，每月开展", 2023)
        );
        assert_eq!(
            Once {
                due: NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
            }
            .shifted(1),
            Once {
                due: NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()
            }
        );
    }

    proptest! {
        #[test]
        fn shifting_there_and_back_keeps_the_date(y in 1990i32..2100, doy in 0u32..365, n in 0i32..30) {
            let d = NaiveDate::from_yo_opt(y, doy + 1).unwrap();
            let back = shift_years(shift_years(d, n), -n);
            prop_assert!(back == d || (d.month() == 2 && d.day() == 29 && back.day() == 28));
        }

        #[test]
        fn month_lists_after_every_year_are_milestones(a in 1u32..=12, b in 1u32..=12, sep in 0usize..3) {
            prop_assume!(a != b);
            let sep = ["和", "、", "及"][sep];
            let text = format!("每年{a}月{sep}{b}月分别组织一次");
            let mut months = vec![a, b];
            months.sort_unstable();
            prop_assert_eq!(parse(&text, 2023), vec![Schedule::InMonths { months }]);
        }

        #[test]
        fn fortnightly_words_are_never_weekly(w in 0usize..4, prefix in "[各单位镇街部门要]{0,6}") {
            let word = ["每两周", "每半月", "隔周", "每隔一周"][w];
            let got = parse(&format!("{prefix}{word}报送一次"), 2023);
            prop_assert!(got.iter().all(|s| !matches!(s, Schedule::Recurring { every: Period::Week, .. })), "{:?}", got);
            prop_assert!(got.iter().any(|s| matches!(s, Schedule::Recurring { every: Period::Fortnight, .. })), "{:?}", got);
        }

        #[test]
        fn unread_phrases_never_panic(text in "\\PC{0,200}") {
            let _ = unread_phrases(&text);
        }

        #[test]
        fn never_panics_and_dates_are_real(text in "\\PC{0,200}", year in 2000i32..2100) {
            for s in parse(&text, year) {
                if let Schedule::Recurring { min_count, day, .. } = s {
                    prop_assert!(min_count >= 1);
                    prop_assert!(day.is_none_or(|d| (1..=31).contains(&d)));
                }
            }
        }

        #[test]
        fn month_phrases_land_on_their_day(m in 1u32..=12, part in 0usize..4, year in 2000i32..2100) {
            let (suffix, expect) = match part {
                0 => ("上旬", NaiveDate::from_ymd_opt(year, m, 10).unwrap()),
                1 => ("中旬", NaiveDate::from_ymd_opt(year, m, 20).unwrap()),
                2 => ("底", last_day(year, m).unwrap()),
                _ => ("下旬", last_day(year, m).unwrap()),
            };
            let text = format!("（3）{m}月{suffix}，完成某项工作。");
            prop_assert_eq!(parse(&text, year), vec![Schedule::Once { due: expect }]);
        }
    }
}
