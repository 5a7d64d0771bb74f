//! The work plan (工作方案) as data: its header, phases, the 15 measures, their key tasks
//! and work items with responsibilities and schedules, and the parser of the plan as
//! published (`published`). A plan is a template; a campaign runs it in a given year.

pub mod published;
pub mod table;

use chrono::NaiveDate;
use serde::Serialize;

use crate::responsibility::Responsibility;
use crate::schedule::Schedule;

/// A phase of the campaign (进度安排), with its window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Phase {
    pub no: u32,
    pub title: String,
    pub starts_on: Option<NaiveDate>,
    /// `None` when the phase runs until the campaign ends (党的二十大结束).
    pub ends_on: Option<NaiveDate>,
    pub text: String,
}

/// A work item (具体工作要点).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkItem {
    pub no: u32,
    pub text: String,
    /// The responsibility cell as written (after resolving merged cells).
    pub responsibility_text: String,
    pub responsibility: Responsibility,
    pub schedule: Vec<Schedule>,
}

/// A key task (重点任务).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyTask {
    pub no: u32,
    pub text: String,
    pub work_items: Vec<WorkItem>,
}

/// A measure (硬措施), numbered 一 to 十五.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Measure {
    pub no: u32,
    pub title: String,
    pub content: String,
    pub key_tasks: Vec<KeyTask>,
}

/// A campaign-level duty stated in the plan's body: who reports what, and when (the
/// monthly self-inspection report due on the 28th, schemes due by a date, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duty {
    pub no: u32,
    pub text: String,
    /// Who owes it, read from the text before the time phrase (document nouns such as
    /// 自查方案 taken out, "A和B" listed as "A、B").
    pub responsibility_text: String,
    pub schedule: Vec<Schedule>,
    /// How many times each instance must be done (区安委办 organises 2 督查检查 rounds).
    pub min_count: u32,
    /// Owed only in the special periods the office names for the campaign (daily
    /// reports during the 20th Party Congress); the text gives no dates.
    pub special_periods: bool,
}

impl Duty {
    /// Whether this is the monthly self-inspection report (每月28日前将自查情况和问题清单报
    /// 区安委办): due every month, and about the units' problem lists. The monthly hazard
    /// report fulfils its obligations.
    pub fn is_monthly_report(&self) -> bool {
        self.text.contains("问题清单")
            && self.schedule.iter().any(|s| {
                matches!(
                    s,
                    crate::schedule::Schedule::Recurring {
                        every: crate::schedule::Period::Month,
                        ..
                    }
                )
            })
    }
}

/// A whole plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub title: String,
    pub doc_number: String,
    pub issuers: Vec<String>,
    pub issued_on: Option<NaiveDate>,
    pub year: i32,
    pub phases: Vec<Phase>,
    pub duties: Vec<Duty>,
    pub measures: Vec<Measure>,
}

impl Plan {
    /// The plan run in `year`: its phases', duties' and work items' dates move by the
    /// years between the plan's year and `year` (the issue date stays the document's).
    pub fn rebased(&self, year: i32) -> Plan {
        let n = year - self.year;
        if n == 0 {
            return self.clone();
        }
        let shift = |d: Option<NaiveDate>| d.map(|d| crate::schedule::shift_years(d, n));
        let mut p = self.clone();
        p.year = year;
        for ph in &mut p.phases {
            ph.starts_on = shift(ph.starts_on);
            ph.ends_on = shift(ph.ends_on);
        }
        for d in &mut p.duties {
            d.schedule = d.schedule.iter().map(|s| s.shifted(n)).collect();
        }
        for w in p
            .measures
            .iter_mut()
            .flat_map(|m| m.key_tasks.iter_mut())
            .flat_map(|k| k.work_items.iter_mut())
        {
            w.schedule = w.schedule.iter().map(|s| s.shifted(n)).collect();
        }
        p
    }

    /// Every work item, in order.
    pub fn work_items(&self) -> impl Iterator<Item = &WorkItem> {
        self.measures
            .iter()
            .flat_map(|m| m.key_tasks.iter())
            .flat_map(|k| k.work_items.iter())
    }
}

/// Something the importer read between the lines, or could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// 1-based line (text) or row (sheet).
    pub line: usize,
    pub message: String,
}

/// What an import saw: inferences it made (listed for the office to check) and problems
/// that stop it (nothing is imported while there is one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub inferences: Vec<Finding>,
    pub problems: Vec<Finding>,
    /// What each work item was given, in order.
    pub given: Vec<Given>,
}

/// What one work item was given: its schedule in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Given {
    pub no: u32,
    pub schedule: String,
}

/// Reads a plan file by its extension: the published text (`txt`, the annex table one
/// cell per line) or the table (`xlsx`, `csv`), which carries no title, so `header` gives
/// it. `Err` is a message for a file that cannot be read at all; otherwise the plan is
/// `None` while the report lists a problem.
pub fn read_file(
    extension: &str,
    bytes: &[u8],
    header: &table::Header,
) -> Result<(Option<Plan>, ImportReport), String> {
    match extension.to_ascii_lowercase().as_str() {
        "txt" => {
            let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
                .map_err(|_| "方案原文须为 UTF-8 编码的文本".to_string())?;
            Ok(published::parse(text))
        }
        ext @ ("xlsx" | "csv") => {
            if header.title.trim().is_empty() {
                return Err("表格不含方案标题，请填写方案标题".into());
            }
            let rows = table::rows_of(bytes, ext == "csv")?;
            Ok(table::parse(&rows, header))
        }
        other => Err(format!(
            "不支持的文件类型「{other}」：请用 .txt（公文原文）、.xlsx 或 .csv（表格）"
        )),
    }
}

/// Gives every work item whose text states no time limit the standing duty of the
/// campaign ([`Schedule::Standing`]: a progress line every month by the 28th with the
/// monthly self-inspection report, and a summary at the end), so that no work item is
/// nobody's work; then names, in the report, every item and what it was given, and
/// every phrase that looks like a time limit but was not read.
pub fn give_standing_duties(plan: &mut Plan, report: &mut ImportReport) {
    for w in plan
        .measures
        .iter_mut()
        .flat_map(|m| m.key_tasks.iter_mut())
        .flat_map(|k| k.work_items.iter_mut())
    {
        let unread = crate::schedule::unread_phrases(&w.text);
        if w.schedule.is_empty() {
            w.schedule.push(Schedule::Standing);
            report.inferences.push(Finding {
                line: 0,
                message: format!(
                    "第（{}）项未写明工作时限，作为常设职责：每月28日前随月报报送进展，专项行动结束时报送总结",
                    w.no
                ),
            });
        }
        for phrase in unread {
            report.inferences.push(Finding {
                line: 0,
                message: format!(
                    "第（{}）项的时限用语「{phrase}」未能识别，请在方案编辑中核对（已按{}处理）",
                    w.no,
                    describe(&w.schedule)
                ),
            });
        }
        report.given.push(Given {
            no: w.no,
            schedule: describe(&w.schedule),
        });
    }
}

/// Schedules in words, joined.
pub fn describe(schedules: &[Schedule]) -> String {
    schedules
        .iter()
        .map(Schedule::describe)
        .collect::<Vec<_>>()
        .join("；")
}

/// The Chinese numeral of 1–99 as the plan writes it (一 … 十五 … 九十九).
pub fn chinese_numeral(n: u32) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0 => "零".into(),
        1..=9 => D[n as usize].into(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[(n - 10) as usize]),
        20..=99 => format!("{}十{}", D[(n / 10) as usize], D[(n % 10) as usize]),
        _ => n.to_string(),
    }
}

/// Parses a Chinese numeral 一 … 九十九.
pub fn parse_chinese_numeral(s: &str) -> Option<u32> {
    (1..100).find(|n| chinese_numeral(*n) == s)
}

/// The plan of a campaign in the shape the API and `anjian plan show --json` pin:
/// `{"campaign":{title, doc_number, issued_on, year, phases, duties}, "measures":[…]}` with
/// unit and group names as the document writes them.
pub fn document(plan: &Plan, campaign_title: &str, year: i32) -> serde_json::Value {
    use serde_json::json;
    let date = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    json!({
        "campaign": {
            "title": campaign_title,
            "doc_number": plan.doc_number,
            "issued_on": date(plan.issued_on),
            "year": year,
            "phases": plan.phases.iter().map(|p| json!({"no": p.no, "title": p.title, "starts_on": date(p.starts_on), "ends_on": date(p.ends_on)})).collect::<Vec<_>>(),
            "duties": plan.duties.iter().map(|d| json!({"no": d.no, "text": d.text, "responsible": d.responsibility_text, "schedule": d.schedule, "min_count": d.min_count, "special_periods": d.special_periods})).collect::<Vec<_>>(),
        },
        "measures": plan.measures.iter().map(|m| json!({
            "no": m.no,
            "title": m.title,
            "content": m.content,
            "key_tasks": m.key_tasks.iter().map(|k| json!({
                "no": k.no,
                "text": k.text,
                "work_items": k.work_items.iter().map(work_item_document).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// A work item in the plan's pinned shape: `{no, text, lead, co, invited, schedule}`.
pub fn work_item_document(w: &WorkItem) -> serde_json::Value {
    serde_json::json!({
        "no": w.no,
        "text": w.text,
        "lead": w.responsibility.lead,
        "co": w.responsibility.co,
        "invited": w.responsibility.invited,
        "schedule": w.schedule,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals_round_trip() {
        assert_eq!(chinese_numeral(15), "十五");
        assert_eq!(chinese_numeral(21), "二十一");
        for n in 1..100 {
            assert_eq!(parse_chinese_numeral(&chinese_numeral(n)), Some(n));
        }
        assert_eq!(parse_chinese_numeral("十零"), None);
    }
}
