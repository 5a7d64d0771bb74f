//! The directory sheet: the .xlsx layout offices fill in to load or update their
//! directory, its template, and the row-by-row validation of an uploaded sheet.

use calamine::Data;
use rust_xlsxwriter::{Format, Workbook};

use crate::error::FieldError;
use crate::unit::UnitDraft;

/// Column headers of the directory sheet, in order.
pub const HEADERS: [&str; 9] = [
    "编码",
    "名称",
    "简称",
    "类型",
    "上级编码",
    "负有安全生产监管职责",
    "别名",
    "行业领域",
    "状态",
];

/// One row of the sheet, validated field by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    /// 1-based row number in the sheet (the header is row 1).
    pub row: usize,
    pub draft: UnitDraft,
    pub parent_code: Option<String>,
    pub active: bool,
}

/// A problem found in one row of an uploaded sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub row: usize,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "第{}行「{}」：{}", self.row, self.column, self.message)
    }
}

/// A unit as exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub kind_label: String,
    pub parent_code: String,
    pub supervises_safety: bool,
    pub aliases: String,
    pub sectors: String,
    pub active: bool,
}

fn column_of(field: &str) -> &'static str {
    match field {
        "code" => HEADERS[0],
        "name" => HEADERS[1],
        "short_name" => HEADERS[2],
        "kind" => HEADERS[3],
        "parent" => HEADERS[4],
        "supervises_safety" => HEADERS[5],
        "aliases" => HEADERS[6],
        "sectors" => HEADERS[7],
        _ => HEADERS[8],
    }
}

pub(crate) fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        other => other.to_string(),
    }
}

pub(crate) fn parse_yes_no(raw: &str) -> Option<bool> {
    match raw.trim() {
        "" | "否" | "N" | "n" | "no" | "0" | "false" => Some(false),
        "是" | "Y" | "y" | "yes" | "1" | "true" => Some(true),
        _ => None,
    }
}

fn parse_active(raw: &str) -> Option<bool> {
    match raw.trim() {
        "" | "启用" | "正常" => Some(true),
        "停用" => Some(false),
        _ => None,
    }
}

/// Reads an uploaded sheet. Returns every valid row and every problem; the caller
/// imports only when there are no problems (all-or-nothing).
pub fn read_sheet(bytes: &[u8]) -> (Vec<SheetRow>, Vec<RowProblem>) {
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let file_problem = |m: &str| RowProblem {
        row: 0,
        column: "文件".into(),
        message: m.into(),
    };
    let grid = match crate::grid::read(bytes, &crate::grid::Limits::default()) {
        Ok(g) => g,
        Err(m) => return (rows, vec![file_problem(&m)]),
    };
    // The grid starts at the first non-empty row: keep sheet row numbers true.
    let first_row = grid.first_row;
    let mut iter = grid.rows.iter();
    let header: Vec<String> = match iter.next() {
        Some(h) => h.iter().map(|c| cell_text(c).trim().to_string()).collect(),
        None => return (rows, vec![file_problem("工作表为空")]),
    };
    for (i, h) in HEADERS.iter().enumerate() {
        if header.get(i).map(String::as_str) != Some(*h) {
            return (
                rows,
                vec![file_problem(&format!(
                    "表头第{}列应为「{}」，请使用导入模板",
                    i + 1,
                    h
                ))],
            );
        }
    }
    // The first row of each code: a map, not a list searched per row (a 100,000-row
    // sheet spent over three minutes here, the cost growing with the square of the rows).
    let mut seen_codes: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, r) in iter.enumerate() {
        let row = first_row + i + 2;
        let cells: Vec<String> = (0..HEADERS.len())
            .map(|c| r.get(c).map(cell_text).unwrap_or_default())
            .collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut bad = |column: &str, message: String| {
            problems.push(RowProblem {
                row,
                column: column.to_string(),
                message,
            })
        };
        let Some(sup) = parse_yes_no(&cells[5]) else {
            bad(HEADERS[5], "应填“是”或“否”".into());
            continue;
        };
        let Some(active) = parse_active(&cells[8]) else {
            bad(HEADERS[8], "应填“启用”或“停用”".into());
            continue;
        };
        let draft = match UnitDraft::parse(
            &cells[0], &cells[1], &cells[2], &cells[3], sup, &cells[6], &cells[7],
        ) {
            Ok(d) => d,
            Err(FieldError { field, message, .. }) => {
                bad(column_of(field), message);
                continue;
            }
        };
        let code = draft.code.as_str().to_string();
        if let Some(first) = seen_codes.get(&code) {
            bad(HEADERS[0], format!("编码 {code} 与第{first}行重复"));
            continue;
        }
        seen_codes.insert(code.clone(), row);
        let parent_code = cells[4].trim().to_string();
        if parent_code == code {
            bad(HEADERS[4], "上级不能是单位自己".into());
            continue;
        }
        rows.push(SheetRow {
            row,
            draft,
            parent_code: (!parent_code.is_empty()).then_some(parent_code),
            active,
        });
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(file_problem("工作表没有数据行"));
    }
    (rows, problems)
}

/// Writes units as a sheet in the import layout, so an export can be edited and
/// imported again.
pub fn write_sheet(rows: &[ExportRow]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("单位名录")?;
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        sheet.set_column_width(c as u16, if c == 1 { 36 } else { 16 })?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = (i + 1) as u32;
        let yes = |b: bool| if b { "是" } else { "否" };
        let cells = [
            r.code.as_str(),
            &r.name,
            &r.short_name,
            &r.kind_label,
            &r.parent_code,
            yes(r.supervises_safety),
            &r.aliases,
            &r.sectors,
            if r.active { "启用" } else { "停用" },
        ];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(row, c as u16, *v)?;
        }
    }
    let help = book.add_worksheet();
    help.set_name("填写说明")?;
    let lines = [
        "编码：必填，字母、数字、“-”“_”，最长32位，全区唯一；已有编码的行将更新该单位。",
        "名称：必填，最长100字。简称：选填。",
        "类型：安委会及办公室、镇街、管委会、区级部门、区属国有企业、企业。",
        "上级编码：选填，填上级单位的编码；上级可在本表中，也可已在系统中。",
        "负有安全生产监管职责：是/否，仅区级部门可填“是”。",
        "别名：选填，多个用顿号分隔，如“区府办、区政府办公室”。",
        "行业领域：部门填其监管的行业领域，企业填其所属行业领域，多个用顿号分隔。",
        "状态：启用/停用，空为启用。",
        "整表校验通过才会导入；任何一行有误，整表都不导入，并列出每一处错误。",
    ];
    for (i, l) in lines.iter().enumerate() {
        help.write_string(i as u32, 0, *l)?;
    }
    help.set_column_width(0, 90)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<ExportRow> {
        vec![
            ExportRow {
                code: "tl-yjj".into(),
                name: "区应急局".into(),
                short_name: "应急局".into(),
                kind_label: "区级部门".into(),
                parent_code: String::new(),
                supervises_safety: true,
                aliases: "区应急管理局".into(),
                sectors: "危险化学品、工贸".into(),
                active: true,
            },
            ExportRow {
                code: "e-001".into(),
                name: "铜梁区某化工有限公司".into(),
                short_name: String::new(),
                kind_label: "企业".into(),
                parent_code: "tl-yjj".into(),
                supervises_safety: false,
                aliases: String::new(),
                sectors: "危险化学品".into(),
                active: false,
            },
        ]
    }

    #[test]
    fn export_reads_back() {
        let bytes = write_sheet(&sample()).unwrap();
        let (rows, problems) = read_sheet(&bytes);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].draft.sectors, vec!["危险化学品", "工贸"]);
        assert!(rows[0].draft.supervises_safety);
        assert_eq!(rows[1].parent_code.as_deref(), Some("tl-yjj"));
        assert!(!rows[1].active);
    }

    #[test]
    fn every_bad_row_is_reported() {
        let mut s = sample();
        s[1].kind_label = "公司".into();
        s.push(s[0].clone());
        let bytes = write_sheet(&s).unwrap();
        let (_, problems) = read_sheet(&bytes);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].row, 3);
        assert_eq!(problems[0].column, "类型");
        assert_eq!(problems[1].row, 4);
        assert!(problems[1].message.contains("重复"));
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_are_refused_or_read_without_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
            let (rows, problems) = read_sheet(&bytes);
            proptest::prop_assert!(rows.is_empty() && !problems.is_empty());
        }

        #[test]
        fn any_cell_text_round_trips_or_is_reported(name in "\\PC{0,120}", code in "\\PC{0,40}", kind in "\\PC{0,10}") {
            let mut r = sample();
            r[0].name = name.clone();
            r[0].code = code;
            r[0].kind_label = kind;
            let bytes = write_sheet(&r).unwrap();
            let (rows, problems) = read_sheet(&bytes);
            // The first data row is either read, with its name trimmed, or reported.
            let read = rows.iter().find(|x| x.row == 2);
            let reported = problems.iter().any(|p| p.row == 2 && !p.message.is_empty());
            proptest::prop_assert!(read.is_some() != reported);
            if let Some(x) = read {
                proptest::prop_assert_eq!(x.draft.name.as_str(), name.trim());
            }
        }
    }

    #[test]
    fn garbage_is_a_file_problem() {
        let (rows, problems) = read_sheet(b"not a zip");
        assert!(rows.is_empty());
        assert_eq!(problems[0].row, 0);
    }
}
