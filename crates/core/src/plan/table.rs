//! The plan's table as other districts publish it: a sheet (.xlsx) or .csv with the
//! columns 措施 / 措施具体内容 / 重点任务 / 具体工作要点 / 责任单位, one work item a row.
//! Cells merged in Word arrive empty: an empty measure, content or key task continues the
//! one above; an empty responsibility repeats the one above (listed as an inference). A
//! work item without its number gets the next one (listed too). Problems name the row
//! and the column; nothing is imported while there is one.

use calamine::Data;

use super::{Finding, ImportReport, KeyTask, Measure, Plan, WorkItem, parse_chinese_numeral};
use crate::{responsibility, schedule};

/// The columns, in order.
pub const COLUMNS: [&str; 5] = [
    "措施",
    "措施具体内容",
    "重点任务",
    "具体工作要点",
    "责任单位",
];

/// What the table does not say about the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub title: String,
    pub doc_number: String,
    pub year: i32,
}

/// Reads rows from .xlsx bytes (first sheet) or CSV text.
pub fn rows_of(bytes: &[u8], csv: bool) -> Result<Vec<Vec<String>>, String> {
    if csv {
        let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
            .map_err(|_| "CSV 文件须为 UTF-8 编码".to_string())?;
        return Ok(parse_csv(text));
    }
    let grid = crate::grid::read(bytes, &crate::grid::Limits::default())?;
    Ok(grid
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect())
}

/// A small RFC 4180 reader: commas, double quotes, quoted new lines.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if cell.is_empty() => quoted = true,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

fn strip_number(text: &str) -> (Option<u32>, String) {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix('（').or_else(|| t.strip_prefix('('))
        && let Some((n, body)) = rest.split_once(['）', ')'])
        && let Ok(n) = n.trim().parse()
    {
        return (Some(n), body.trim().to_string());
    }
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    if !digits.is_empty() && t[digits.len()..].starts_with(['.', '．', '、']) {
        let rest = &t[digits.len()..];
        let body = rest.chars().skip(1).collect::<String>();
        return (digits.parse().ok(), body.trim().to_string());
    }
    (None, t.to_string())
}

/// Parses the table's rows (the first is the header).
pub fn parse(rows: &[Vec<String>], header: &Header) -> (Option<Plan>, ImportReport) {
    let mut report = ImportReport::default();
    let problem = |report: &mut ImportReport, row: usize, col: usize, m: &str| {
        report.problems.push(Finding {
            line: row,
            message: format!("第{row}行「{}」：{m}", COLUMNS[col]),
        })
    };
    let Some(head) = rows.first() else {
        report.problems.push(Finding {
            line: 0,
            message: "表格是空的".into(),
        });
        return (None, report);
    };
    for (i, c) in COLUMNS.iter().enumerate() {
        if head.get(i).map(|h| h.trim()) != Some(*c) {
            report.problems.push(Finding {
                line: 1,
                message: format!("表头第{}列应为「{c}」", i + 1),
            });
        }
    }
    if !report.problems.is_empty() {
        return (None, report);
    }
    let mut measures: Vec<Measure> = Vec::new();
    let mut last_responsibility = String::new();
    let mut next_item = 1;
    for (i, r) in rows.iter().enumerate().skip(1) {
        let row = i + 1;
        let cell = |c: usize| r.get(c).map(|s| s.trim().to_string()).unwrap_or_default();
        if (0..5).all(|c| cell(c).is_empty()) {
            continue;
        }
        let measure = cell(0);
        if !measure.is_empty() {
            let (numeral, title) = measure.split_once('、').unwrap_or(("", measure.as_str()));
            match parse_chinese_numeral(numeral.trim()) {
                Some(no) if measures.last().is_none_or(|m| m.no != no) => {
                    measures.push(Measure {
                        no,
                        title: title.trim().to_string(),
                        content: cell(1),
                        key_tasks: Vec::new(),
                    });
                }
                Some(_) => {}
                None => {
                    problem(&mut report, row, 0, "措施应以“一、”“二、”……开头");
                    continue;
                }
            }
        }
        let Some(m) = measures.last_mut() else {
            problem(&mut report, row, 0, "第一行数据须写明措施");
            continue;
        };
        if m.content.is_empty() {
            m.content = cell(1);
        }
        let task = cell(2);
        if !task.is_empty() {
            match strip_number(&task) {
                (Some(no), text) => {
                    if m.key_tasks.last().is_none_or(|k| k.no != no) {
                        m.key_tasks.push(KeyTask {
                            no,
                            text,
                            work_items: Vec::new(),
                        });
                    }
                }
                (None, _) => {
                    problem(&mut report, row, 2, "重点任务应以“1.”“2.”……开头");
                    continue;
                }
            }
        }
        let Some(k) = m.key_tasks.last_mut() else {
            problem(&mut report, row, 2, "此行之前没有重点任务");
            continue;
        };
        let item = cell(3);
        if item.is_empty() {
            problem(&mut report, row, 3, "具体工作要点为空");
            continue;
        }
        let (no, text) = match strip_number(&item) {
            (Some(n), t) => (n, t),
            (None, t) => {
                report.inferences.push(Finding {
                    line: row,
                    message: format!("第{row}行的工作要点没有序号，按顺序视为第（{next_item}）项"),
                });
                (next_item, t)
            }
        };
        next_item = no + 1;
        let mut who = cell(4);
        if who.is_empty() {
            if last_responsibility.is_empty() {
                problem(&mut report, row, 4, "责任单位为空，上面也没有可沿用的");
                continue;
            }
            report.inferences.push(Finding {
                line: row,
                message: format!("第{row}行责任单位为空（合并单元格），沿用上一行"),
            });
            who = last_responsibility.clone();
        }
        last_responsibility = who.clone();
        k.work_items.push(WorkItem {
            no,
            schedule: schedule::parse(&text, header.year),
            text,
            responsibility: responsibility::parse_under(&who, &k.text),
            responsibility_text: who,
        });
    }
    let mut plan = Plan {
        title: header.title.clone(),
        doc_number: header.doc_number.clone(),
        issuers: Vec::new(),
        issued_on: None,
        year: header.year,
        phases: Vec::new(),
        duties: Vec::new(),
        measures,
    };
    super::give_standing_duties(&mut plan, &mut report);
    if plan.work_items().next().is_none() && report.problems.is_empty() {
        report.problems.push(Finding {
            line: 0,
            message: "表格中没有工作要点".into(),
        });
    }
    (report.problems.is_empty().then_some(plan), report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            title: "某区安全生产大检查工作方案".into(),
            doc_number: "某安办〔2023〕5号".into(),
            year: 2023,
        }
    }

    const CSV: &str = "措施,措施具体内容,重点任务,具体工作要点,责任单位\n\
一、严格落实党委责任,党委要……,1.建立责任制,（1）5月底，建立责任制。,\"区委办，各镇街\"\n\
,,,（2）每季度至少组织1次专题研究。,\n\
,,2.加强宣传,完成宣传发布。,区委宣传部\n\
二、严格落实政府责任,政府要……,3.排查整治,（4）按5月、8月、11月工作节点推进。,\"区应急局，区级负有安全生产监管职责的部门；必要时邀请区纪委监委机关\"\n";

    #[test]
    fn a_csv_table_with_merged_cells_and_a_lost_number() {
        let rows = parse_csv(CSV);
        let (plan, report) = parse(&rows, &header());
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        let plan = plan.unwrap();
        assert_eq!(plan.measures.len(), 2);
        let items: Vec<&WorkItem> = plan.work_items().collect();
        assert_eq!(
            items.iter().map(|w| w.no).collect::<Vec<_>>(),
            vec![1, 2, 3, 4]
        );
        assert_eq!(
            items[1].responsibility.lead,
            vec!["区委办"],
            "merged responsibility repeats"
        );
        assert_eq!(items[2].text, "完成宣传发布。");
        assert_eq!(items[3].responsibility.invited, vec!["区纪委监委机关"]);
        assert!(
            report
                .inferences
                .iter()
                .any(|f| f.message.contains("视为第（3）项")),
            "{:?}",
            report.inferences
        );
        assert!(
            report
                .inferences
                .iter()
                .any(|f| f.message.contains("沿用上一行"))
        );
        assert!(
            report
                .inferences
                .iter()
                .any(|f| f.message.contains("第（3）项未写明工作时限")),
            "no time limit is said, not guessed"
        );
    }

    #[test]
    fn problems_name_row_and_column() {
        let rows = parse_csv(
            "措施,措施具体内容,重点任务,具体工作要点,责任单位\n某措施,内容,1.任务,（1）做事,区应急局\n",
        );
        let (plan, report) = parse(&rows, &header());
        assert!(plan.is_none());
        assert!(
            report.problems[0].message.starts_with("第2行「措施」"),
            "{:?}",
            report.problems
        );
        let (plan, report) = parse(&parse_csv("措施,内容\n"), &header());
        assert!(plan.is_none() && report.problems[0].message.contains("表头"));
    }

    #[test]
    fn an_xlsx_table_reads_like_the_csv() {
        let rows = parse_csv(CSV);
        let bytes = crate::sheet::table("方案", &COLUMNS, &rows[1..]).unwrap();
        let (plan, report) = parse(&rows_of(&bytes, false).unwrap(), &header());
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(plan.unwrap().work_items().count(), 4);
    }

    proptest::proptest! {
        #[test]
        fn any_csv_is_read_or_reported(text in "\\PC{0,300}") {
            let (plan, report) = parse(&parse_csv(&text), &header());
            proptest::prop_assert!(plan.is_some() || !report.problems.is_empty());
        }
    }
}
