//! The plan as published: the notice's text with its annex table converted from Word,
//! one cell per line, each line starting with a tab, empty cells as lone tabs and blank
//! lines between rows. The parser classifies lines by their numbering ("一、" a measure,
//! "1." a key task, "（1）" a work item), reads the cell after a work item as its
//! responsibility, and repairs the usual defects: a merged responsibility cell (empty:
//! the one above applies) and a work item whose number was lost (it gets the next
//! number). Every repair is listed as an inference; what cannot be read is a problem.

use chrono::NaiveDate;

use super::{
    Duty, Finding, ImportReport, KeyTask, Measure, Phase, Plan, WorkItem, parse_chinese_numeral,
};
use crate::{responsibility, schedule};

/// One line of the annex, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cell {
    Measure(u32, String),
    KeyTask(u32, String),
    WorkItem(u32, String),
    Text(String),
    Empty,
}

fn classify(line: &str) -> Cell {
    let t = line.trim();
    if t.is_empty() {
        return Cell::Empty;
    }
    if let Some((num, rest)) = t.split_once('、')
        && let Some(n) = parse_chinese_numeral(num)
    {
        return Cell::Measure(n, rest.trim().to_string());
    }
    if let Some(rest) = t.strip_prefix('（')
        && let Some((num, body)) = rest.split_once('）')
        && let Ok(n) = num.parse::<u32>()
    {
        return Cell::WorkItem(n, body.trim().to_string());
    }
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    if !digits.is_empty()
        && t[digits.len()..].starts_with(['.', '．'])
        && let Ok(n) = digits.parse::<u32>()
    {
        let body = t[digits.len() + 1..].trim();
        return Cell::KeyTask(n, body.to_string());
    }
    Cell::Text(t.to_string())
}

/// Parses the published plan. Returns the plan (when it could be read) and the report.
pub fn parse(text: &str) -> (Option<Plan>, ImportReport) {
    let mut report = ImportReport::default();
    let lines: Vec<&str> = text.lines().collect();
    let header = header(&lines, &mut report);
    let year = header.year;
    let annex_start = lines.iter().position(|l| l.trim() == "附件").map(|i| i + 1);
    let Some(annex_start) = annex_start else {
        report.problems.push(Finding {
            line: 0,
            message: "找不到“附件”：文件中没有重点任务和工作要点表".into(),
        });
        return (None, report);
    };
    let phases = phases(&lines[..annex_start], year, &mut report);
    let duties = duties(&lines[..annex_start], year);
    let measures = annex(&lines, annex_start, year, &mut report);
    if measures.is_empty() {
        report.problems.push(Finding {
            line: annex_start,
            message: "附件表中没有读到任何措施".into(),
        });
    }
    let mut plan = Plan {
        title: header.title,
        doc_number: header.doc_number,
        issuers: header.issuers,
        issued_on: header.issued_on,
        year,
        phases,
        duties,
        measures,
    };
    check_numbering(&plan, &mut report);
    super::give_standing_duties(&mut plan, &mut report);
    (report.problems.is_empty().then_some(plan), report)
}

struct Header {
    title: String,
    doc_number: String,
    issuers: Vec<String>,
    issued_on: Option<NaiveDate>,
    year: i32,
}

fn header(lines: &[&str], report: &mut ImportReport) -> Header {
    let doc_number = lines
        .iter()
        .map(|l| l.trim())
        .find(|l| !l.is_empty())
        .unwrap_or_default()
        .to_string();
    let year = doc_number
        .split(['〔', '['])
        .nth(1)
        .and_then(|r| r.get(..4))
        .and_then(|y| y.parse::<i32>().ok());
    let mut issuers = Vec::new();
    let mut title = String::new();
    let mut i = 1;
    while i < lines.len() {
        let l = lines[i].trim();
        i += 1;
        if l.is_empty() {
            if !issuers.is_empty() {
                break;
            }
            continue;
        }
        if l.ends_with("办公室") || l.ends_with("委员会") || l.ends_with("人民政府") {
            issuers.push(l.to_string());
        } else {
            i -= 1;
            break;
        }
    }
    while i < lines.len() {
        let l = lines[i].trim();
        if l.ends_with('：') || l.ends_with(':') {
            break;
        }
        title.push_str(&l.replace([' ', '\u{3000}'], ""));
        i += 1;
        if title.ends_with("通知") {
            break;
        }
    }
    let issued_on = lines.iter().rev().find_map(|l| {
        let t = l.trim();
        let (y, rest) = t.split_once('年')?;
        let (m, rest) = rest.split_once('月')?;
        let d = rest.strip_suffix('日')?;
        NaiveDate::from_ymd_opt(y.trim().parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    });
    let year = match (year, issued_on) {
        (Some(y), _) => y,
        (None, Some(d)) => {
            report.inferences.push(Finding {
                line: 1,
                message: "文号中没有年份，按印发日期的年份".into(),
            });
            chrono::Datelike::year(&d)
        }
        (None, None) => {
            report.problems.push(Finding {
                line: 1,
                message: "读不出方案的年份（文号和印发日期都没有）".into(),
            });
            2000
        }
    };
    if title.is_empty() {
        report.problems.push(Finding {
            line: 2,
            message: "读不出方案标题".into(),
        });
    }
    Header {
        title,
        doc_number,
        issuers,
        issued_on,
        year,
    }
}

/// The phases of 进度安排: （一）title。…（工作时限：…）.
fn phases(lines: &[&str], year: i32, report: &mut ImportReport) -> Vec<Phase> {
    let Some(start) = lines.iter().position(|l| l.trim().ends_with("进度安排")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (idx, l) in lines.iter().enumerate().skip(start + 1) {
        let t = l.trim();
        if parse_section(t).is_some() {
            break;
        }
        let Some(rest) = t.strip_prefix('（') else {
            continue;
        };
        let Some((num, body)) = rest.split_once('）') else {
            continue;
        };
        let Some(no) = parse_chinese_numeral(num) else {
            continue;
        };
        let title = body.split('。').next().unwrap_or_default().to_string();
        let limit = body
            .rsplit_once("工作时限：")
            .map(|(_, l)| l.trim_end_matches(['）', ')']).to_string());
        let (starts_on, ends_on) = match &limit {
            Some(l) => window(l, year),
            None => (None, None),
        };
        if limit.is_none() {
            report.inferences.push(Finding {
                line: idx + 1,
                message: format!("第{no}阶段没有写工作时限"),
            });
        }
        out.push(Phase {
            no,
            title,
            starts_on,
            ends_on,
            text: body.to_string(),
        });
    }
    out
}

/// Duties stated in the body:
/// - each clause that sends something to the office ("报区安委办", "报送") by a time the
///   schedule parser reads; who owes it is the text before the time;
/// - a daily report "在…特殊重点时段" (owed by the same units, in the periods the office
///   names, since the text gives no dates);
/// - supervision rounds the office organises ("将组织开展2次督查检查"), due by the end of
///   the paragraph's 工作时限 window.
fn duties(lines: &[&str], year: i32) -> Vec<Duty> {
    let mut out: Vec<Duty> = Vec::new();
    let push = |out: &mut Vec<Duty>, text: &str, who: String, schedule, min_count, special| {
        out.push(Duty {
            no: out.len() as u32 + 1,
            text: text.to_string(),
            responsibility_text: who,
            schedule,
            min_count,
            special_periods: special,
        });
    };
    for l in lines {
        let limit = l
            .split_once("工作时限：")
            .map(|(_, t)| t.trim_end_matches(['）', ')', '。']))
            .map(|t| window(t, year));
        for sentence in l.split(['。', '；']) {
            let s = sentence.trim();
            if let Some((who, rest)) = s.split_once("将组织开展") {
                let n = rest
                    .split_once("次督查")
                    .and_then(|(n, _)| n.trim().parse::<u32>().ok().or_else(|| chinese_count(n)));
                if let (Some(n), Some((_, Some(end)))) = (n, limit) {
                    let who = who.rsplit_once('，').map(|(_, w)| w).unwrap_or(who).trim();
                    push(
                        &mut out,
                        s,
                        who.to_string(),
                        vec![schedule::Schedule::Once { due: end }],
                        n,
                        false,
                    );
                }
                continue;
            }
            if !(s.contains("报区安委办") || s.contains("报送")) || s.contains("工作时限")
            {
                continue;
            }
            // "…要在5月25日前报送…，在党的二十大…等特殊重点时段，落实日工作开展情况报告制度…"
            let (main, special) = match s.find("，在").filter(|i| s[*i..].contains("特殊")) {
                Some(i) => (&s[..i], Some(&s[i + "，".len()..])),
                None => (s, None),
            };
            let schedule = schedule::parse(main, year);
            if schedule.is_empty() || out.iter().any(|d| d.text == main) {
                continue;
            }
            let cut = main
                .find("每")
                .or_else(|| main.find("要在"))
                .or_else(|| main.find(|c: char| c.is_ascii_digit()))
                .unwrap_or(0);
            let who = main[..cut].trim_end_matches(['，', ',']).trim();
            let who = parties(who.rsplit_once('，').map(|(_, w)| w).unwrap_or(who));
            push(&mut out, main, who.clone(), schedule, 1, false);
            if let Some(sp) = special.filter(|t| t.contains("日") && t.contains("报告")) {
                let daily = vec![schedule::Schedule::Recurring {
                    every: schedule::Period::Day,
                    min_count: 1,
                    day: None,
                }];
                push(&mut out, sp, who, daily, 1, true);
            }
        }
    }
    out
}

/// Who owes a duty, from "各镇（街道）自查方案和区安委会、区减灾委相关成员单位专项检查方案":
/// the parties joined by 和, each without the document it sends, and "X、Y相关成员单位"
/// read as the members of X and of Y: "各镇（街道）、区安委会相关成员单位、区减灾委相关成员单位".
fn parties(who: &str) -> String {
    const DOCUMENTS: [&str; 5] = ["专项检查方案", "自查方案", "检查方案", "工作方案", "方案"];
    let mut out: Vec<String> = Vec::new();
    for part in who.split('和') {
        let mut p = part.trim();
        for d in DOCUMENTS {
            if let Some(x) = p.strip_suffix(d) {
                p = x;
                break;
            }
        }
        let suffix = ["相关成员单位", "成员单位"]
            .into_iter()
            .find(|x| p.ends_with(x) && p.contains('、'));
        match suffix {
            Some(x) => {
                let heads = p.trim_end_matches(x);
                for h in heads.split('、') {
                    if h.ends_with('会') || h.ends_with('委') {
                        out.push(format!("{h}{x}"));
                    } else {
                        out.push(h.to_string());
                    }
                }
            }
            None if !p.is_empty() => out.push(p.to_string()),
            None => {}
        }
    }
    out.join("、")
}

/// 一 … 十 as a count ("2次" is usually written with a digit).
fn chinese_count(s: &str) -> Option<u32> {
    "一两二三四五六七八九十"
        .chars()
        .position(|c| s.trim() == c.to_string())
        .map(|i| match i {
            0 => 1,
            1 | 2 => 2,
            n => n as u32,
        })
}

/// 二、 … section headings of the notice's body.
fn parse_section(t: &str) -> Option<u32> {
    let (num, _) = t.split_once('、')?;
    parse_chinese_numeral(num)
}

/// A phase window: "2022年5月中旬前", "2022年5月至7月", "2022年5月至党的二十大结束".
fn window(text: &str, year: i32) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let month_start = |s: &str| -> Option<NaiveDate> {
        let s = s.trim();
        let (y, m) = match s.split_once('年') {
            Some((y, m)) => (y.parse().ok()?, m),
            None => (year, s),
        };
        let m: u32 = m.trim_end_matches('月').parse().ok()?;
        NaiveDate::from_ymd_opt(y, m, 1)
    };
    if let Some((from, to)) = text.split_once('至') {
        let start = month_start(from);
        let end = schedule::parse(&format!("{to}底"), year)
            .into_iter()
            .find_map(|s| match s {
                schedule::Schedule::Once { due } => Some(due),
                _ => None,
            });
        return (start, end);
    }
    let end = schedule::parse(text, year)
        .into_iter()
        .find_map(|s| match s {
            schedule::Schedule::Once { due } => Some(due),
            _ => None,
        });
    (None, end)
}

/// The annex table.
fn annex(lines: &[&str], start: usize, year: i32, report: &mut ImportReport) -> Vec<Measure> {
    let mut measures: Vec<Measure> = Vec::new();
    let mut last_responsibility = String::new();
    let mut last_item_no = 0;
    let mut i = start;
    // Skip the title and the header row (措施 … 责任单位).
    while i < lines.len() && !lines[i].contains("责任单位") {
        i += 1;
    }
    i += 1;
    while i < lines.len() {
        let line_no = i + 1;
        let cell = classify(lines[i]);
        i += 1;
        match cell {
            Cell::Empty => {}
            Cell::Measure(no, title) => {
                // The measure's content is the next text line.
                let content = next_text(lines, &mut i).unwrap_or_default();
                measures.push(Measure {
                    no,
                    title,
                    content,
                    key_tasks: Vec::new(),
                });
            }
            Cell::KeyTask(no, text) => match measures.last_mut() {
                Some(m) => m.key_tasks.push(KeyTask {
                    no,
                    text,
                    work_items: Vec::new(),
                }),
                None => report.problems.push(Finding {
                    line: line_no,
                    message: format!("重点任务{no}之前没有措施"),
                }),
            },
            Cell::WorkItem(no, text) => {
                push_item(
                    &mut measures,
                    lines,
                    &mut i,
                    ItemCell { line_no, no, text },
                    year,
                    &mut last_responsibility,
                    report,
                );
                last_item_no = no;
            }
            Cell::Text(text) => {
                // A text line where a work item should be: an item whose number was lost.
                let in_task = measures.last().is_some_and(|m| !m.key_tasks.is_empty());
                if in_task && last_item_no > 0 {
                    let no = last_item_no + 1;
                    report.inferences.push(Finding {
                        line: line_no,
                        message: format!(
                            "此行没有序号，按前后顺序视为第（{no}）项：{}",
                            short(&text)
                        ),
                    });
                    push_item(
                        &mut measures,
                        lines,
                        &mut i,
                        ItemCell { line_no, no, text },
                        year,
                        &mut last_responsibility,
                        report,
                    );
                    last_item_no = no;
                } else {
                    report.problems.push(Finding {
                        line: line_no,
                        message: format!("无法归入任何措施、重点任务或工作要点：{}", short(&text)),
                    });
                }
            }
        }
    }
    measures
}

/// A work item's cell as read: its line, its number and its text.
struct ItemCell {
    line_no: usize,
    no: u32,
    text: String,
}

fn push_item(
    measures: &mut [Measure],
    lines: &[&str],
    i: &mut usize,
    ItemCell { line_no, no, text }: ItemCell,
    year: i32,
    last_responsibility: &mut String,
    report: &mut ImportReport,
) {
    let Some(task) = measures.last_mut().and_then(|m| m.key_tasks.last_mut()) else {
        report.problems.push(Finding {
            line: line_no,
            message: format!("工作要点（{no}）之前没有重点任务"),
        });
        return;
    };
    // The responsibility is the next cell: a text line (skipping blank separator lines),
    // or an empty cell (merged: the one above applies).
    let mut responsibility_text = None;
    while *i < lines.len() {
        let raw = lines[*i];
        if raw.is_empty() {
            *i += 1;
            continue;
        }
        match classify(raw) {
            Cell::Text(t) => {
                responsibility_text = Some(t);
                *i += 1;
            }
            Cell::Empty => {
                *i += 1;
            }
            _ => {}
        }
        break;
    }
    let responsibility_text = match responsibility_text {
        Some(t) => {
            *last_responsibility = t.clone();
            t
        }
        None if !last_responsibility.is_empty() => {
            report.inferences.push(Finding {
                line: line_no,
                message: format!(
                    "第（{no}）项责任单位为空（合并单元格），沿用上一项：{}",
                    short(last_responsibility)
                ),
            });
            last_responsibility.clone()
        }
        None => {
            report.problems.push(Finding {
                line: line_no,
                message: format!("第（{no}）项没有责任单位"),
            });
            String::new()
        }
    };
    let schedule = schedule::parse(&text, year);
    task.work_items.push(WorkItem {
        no,
        responsibility: responsibility::parse_under(&responsibility_text, &task.text),
        responsibility_text,
        schedule,
        text,
    });
}

fn next_text(lines: &[&str], i: &mut usize) -> Option<String> {
    while *i < lines.len() {
        match classify(lines[*i]) {
            Cell::Empty => *i += 1,
            Cell::Text(t) => {
                *i += 1;
                return Some(t);
            }
            _ => return None,
        }
    }
    None
}

fn short(s: &str) -> String {
    let t: String = s.chars().take(24).collect();
    if s.chars().count() > 24 {
        format!("{t}…")
    } else {
        t
    }
}

/// Measures, key tasks and work items must be numbered 1, 2, 3 … without gaps.
fn check_numbering(plan: &Plan, report: &mut ImportReport) {
    for (i, m) in plan.measures.iter().enumerate() {
        if m.no != i as u32 + 1 {
            report.problems.push(Finding {
                line: 0,
                message: format!(
                    "措施编号不连续：第{}个措施编号为{}",
                    i + 1,
                    super::chinese_numeral(m.no)
                ),
            });
        }
    }
    let tasks: Vec<u32> = plan
        .measures
        .iter()
        .flat_map(|m| m.key_tasks.iter().map(|k| k.no))
        .collect();
    for (i, n) in tasks.iter().enumerate() {
        if *n != i as u32 + 1 {
            report.problems.push(Finding {
                line: 0,
                message: format!("重点任务编号不连续：第{}个重点任务编号为{n}", i + 1),
            });
            break;
        }
    }
    let items: Vec<u32> = plan.work_items().map(|w| w.no).collect();
    for (i, n) in items.iter().enumerate() {
        if *n != i as u32 + 1 {
            report.problems.push(Finding {
                line: 0,
                message: format!("工作要点编号不连续：第{}项编号为（{n}）", i + 1),
            });
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{Period, Schedule};

    const SEED: &str = include_str!("../../../../seed/tongliang-2022-work-plan.txt");

    /// Key task 48 "区级负有监管职责的部门围绕…严格开展…“三部曲”闭环执法" names who does
    /// the work: the departments lead (89) and (90); no other item's leads move.
    #[test]
    fn a_key_tasks_subject_leads_its_items() {
        let plan = parse(SEED).0.unwrap();
        let moved: Vec<u32> = plan
            .work_items()
            .filter(|w| {
                w.responsibility
                    .notes
                    .iter()
                    .any(|n| n.contains("据重点任务的主语"))
            })
            .map(|w| w.no)
            .collect();
        assert_eq!(moved, vec![89, 90]);
        let w = plan.work_items().find(|w| w.no == 89).unwrap();
        assert_eq!(
            w.responsibility.lead,
            vec!["区级负有安全生产监管职责的部门"]
        );
    }

    #[test]
    fn the_bodys_duties_are_read_with_who_owes_them() {
        let plan = parse(SEED).0.unwrap();
        let d = |n: usize| &plan.duties[n];
        let summary: Vec<(&str, u32, bool)> = plan
            .duties
            .iter()
            .map(|d| {
                (
                    d.responsibility_text.as_str(),
                    d.min_count,
                    d.special_periods,
                )
            })
            .collect();
        assert_eq!(plan.duties.len(), 4, "{summary:#?}");
        // The monthly self-inspection report by the 28th.
        assert_eq!(d(0).responsibility_text, "各镇街、区级行业监管部门");
        assert!(d(0).is_monthly_report());
        assert!(!d(1).is_monthly_report() && !d(3).is_monthly_report());
        // The office's two supervision rounds, May to July.
        assert_eq!(d(1).responsibility_text, "区安委办、减灾办");
        assert_eq!(d(1).min_count, 2);
        assert_eq!(
            d(1).schedule,
            vec![Schedule::Once {
                due: NaiveDate::from_ymd_opt(2022, 7, 31).unwrap()
            }]
        );
        // Schemes by 25 May, from the townships and the committees' member units.
        assert_eq!(
            d(2).responsibility_text,
            "各镇（街道）、区安委会相关成员单位、区减灾委相关成员单位"
        );
        assert_eq!(
            d(2).schedule,
            vec![Schedule::Once {
                due: NaiveDate::from_ymd_opt(2022, 5, 25).unwrap()
            }]
        );
        // Daily reports in the special periods, by the same units.
        assert!(d(3).special_periods && d(3).text.contains("特殊重点时段"));
        assert_eq!(d(3).responsibility_text, d(2).responsibility_text);
        assert!(matches!(
            d(3).schedule[..],
            [Schedule::Recurring {
                every: Period::Day,
                ..
            }]
        ));
    }

    #[test]
    fn the_tongliang_plan_reads_whole() {
        let (plan, report) = parse(SEED);
        assert!(report.problems.is_empty(), "{:#?}", report.problems);
        let plan = plan.unwrap();
        assert_eq!(plan.doc_number, "铜安办〔2022〕31号");
        assert_eq!(plan.year, 2022);
        assert_eq!(plan.issued_on, NaiveDate::from_ymd_opt(2022, 5, 16));
        assert_eq!(plan.issuers.len(), 2);
        assert!(
            plan.title
                .starts_with("关于印发铜梁区落实国务院安委会“十五条硬措施”"),
            "{}",
            plan.title
        );
        assert_eq!(plan.measures.len(), 15);
        assert_eq!(
            plan.measures
                .iter()
                .map(|m| m.key_tasks.len())
                .sum::<usize>(),
            66
        );
        assert_eq!(plan.work_items().count(), 110);
        assert_eq!(plan.phases.len(), 5);
        assert_eq!(plan.phases[0].ends_on, NaiveDate::from_ymd_opt(2022, 5, 20));
        assert_eq!(
            plan.phases[2].starts_on,
            NaiveDate::from_ymd_opt(2022, 5, 1)
        );
        assert_eq!(plan.phases[2].ends_on, NaiveDate::from_ymd_opt(2022, 7, 31));
        assert_eq!(
            plan.phases[1].ends_on, None,
            "until the 20th Party Congress ends"
        );
        // The item whose number was lost, and the merged cells, are inferences.
        let item17 = plan.work_items().find(|w| w.no == 17).unwrap();
        assert!(item17.text.starts_with("每季度召开1次"));
        assert_eq!(
            item17.schedule,
            vec![Schedule::Recurring {
                every: Period::Quarter,
                min_count: 1,
                day: None
            }]
        );
        assert_eq!(item17.responsibility.lead, vec!["区政府办"]);
        assert!(
            report
                .inferences
                .iter()
                .any(|f| f.message.contains("第（17）项")),
            "{:#?}",
            report.inferences
        );
        let item5 = plan.work_items().find(|w| w.no == 5).unwrap();
        assert_eq!(item5.responsibility.lead, vec!["区委宣传部"]);
        let item41 = plan.work_items().find(|w| w.no == 41).unwrap();
        assert_eq!(
            item41.responsibility.invited,
            vec!["区纪委监委机关", "区检察院"]
        );
        let item1 = plan.work_items().next().unwrap();
        assert_eq!(
            item1.schedule,
            vec![Schedule::Once {
                due: NaiveDate::from_ymd_opt(2022, 5, 31).unwrap()
            }]
        );
        assert_eq!(
            plan.measures[14].title,
            "统筹做好经济发展、疫情防控和安全生产工作"
        );
        assert!(
            plan.measures[0]
                .content
                .starts_with("安全生产是人命关天的大事")
        );
        // Every item has someone responsible.
        assert!(
            plan.work_items().all(|w| !w.responsibility.is_empty()),
            "an item without units"
        );
    }

    #[test]
    fn broken_texts_are_reported_not_guessed() {
        let (plan, report) = parse("铜安办〔2022〕1号\n某办公室\n\n关于某某的通知\n正文\n");
        assert!(plan.is_none());
        assert!(report.problems[0].message.contains("附件"));
        let text = "铜安办〔2022〕1号\n某办公室\n\n关于某某的通知\n附件\n\t措施\t责任单位\n\t一、某措施\n\t某内容\n\t（1）5月底，做某事\n\t区应急局\n";
        let (plan, report) = parse(text);
        assert!(plan.is_none());
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.message.contains("之前没有重点任务")),
            "{report:?}"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_read_or_reported(text in "\\PC{0,400}") {
            let (plan, report) = parse(&text);
            proptest::prop_assert!(plan.is_some() || !report.problems.is_empty());
        }
    }
}
