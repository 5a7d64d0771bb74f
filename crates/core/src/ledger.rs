//! The hazard ledger as a sheet (隐患台账): the import template (with dropdowns and an
//! instructions sheet) and its reader, which checks every row with the same rules as a
//! hazard typed in (`hazard::check`) and reports each problem with its row and column.

use calamine::Data;
use chrono::NaiveDate;
use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook, XlsxError};

use crate::directory::RowProblem;
use crate::hazard::{self, GovernancePlan, HazardInput};

/// The template's columns, in order.
pub const COLUMNS: [&str; 17] = [
    "等级",
    "行业领域",
    "来源",
    "隐患部位",
    "隐患描述",
    "发现日期",
    "整改措施",
    "整改责任人",
    "整改资金（元）",
    "整改时限",
    "应急预案",
    "治理目标和任务",
    "采取的方法和措施",
    "经费和物资",
    "负责治理的机构和人员",
    "治理时限和要求",
    "安全措施和应急预案",
];

/// The most rows one import takes.
pub const MAX_ROWS: usize = 100_000;

/// The column a checked field belongs to.
fn column_of(field: &str) -> &'static str {
    match field {
        "level" => COLUMNS[0],
        "sector" => COLUMNS[1],
        "source" => COLUMNS[2],
        "place" => COLUMNS[3],
        "description" => COLUMNS[4],
        "discovered_on" => COLUMNS[5],
        "measures" => COLUMNS[6],
        "responsible_person" => COLUMNS[7],
        "funds" => COLUMNS[8],
        "deadline" => COLUMNS[9],
        "contingency_plan" => COLUMNS[10],
        f if f.starts_with("governance_plan") => "治理方案",
        _ => "文件",
    }
}

fn cell(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        other => other.to_string(),
    }
}

/// Reads an uploaded ledger. Returns every valid row (with its sheet row number) and
/// every problem; the caller imports only when there are no problems.
pub fn read(
    bytes: &[u8],
    sectors: &[String],
    today: NaiveDate,
) -> (Vec<(usize, HazardInput)>, Vec<RowProblem>) {
    let file = |m: &str| {
        (
            Vec::new(),
            vec![RowProblem {
                row: 0,
                column: "文件".into(),
                message: m.into(),
            }],
        )
    };
    let grid = match crate::grid::read(bytes, &crate::grid::Limits::default()) {
        Ok(g) => g,
        Err(m) => return file(&m),
    };
    let first_row = grid.first_row;
    let mut rows = grid.rows.iter();
    let header: Vec<String> = match rows.next() {
        Some(h) => h.iter().map(|c| cell(c).trim().to_string()).collect(),
        None => return file("工作表为空"),
    };
    for (i, h) in COLUMNS.iter().enumerate() {
        if header.get(i).map(String::as_str) != Some(*h) {
            return file(&format!("表头第{}列应为「{h}」，请使用导入模板", i + 1));
        }
    }
    let (mut out, mut problems) = (Vec::new(), Vec::new());
    for (i, r) in rows.enumerate() {
        let row = first_row + i + 2;
        let v: Vec<String> = (0..COLUMNS.len())
            .map(|c| r.get(c).map(cell).unwrap_or_default().trim().to_string())
            .collect();
        if v.iter().all(String::is_empty) {
            continue;
        }
        if out.len() + problems.len() >= MAX_ROWS {
            problems.push(RowProblem {
                row,
                column: "文件".into(),
                message: format!("一次最多导入{MAX_ROWS}行"),
            });
            break;
        }
        let plan = GovernancePlan {
            targets: v[11].clone(),
            methods: v[12].clone(),
            funds_and_materials: v[13].clone(),
            people: v[14].clone(),
            deadline: v[15].clone(),
            safety_measures: v[16].clone(),
        };
        let input = HazardInput {
            level: v[0].clone(),
            sector: v[1].clone(),
            source: v[2].clone(),
            place: v[3].clone(),
            description: v[4].clone(),
            discovered_on: v[5].clone(),
            measures: v[6].clone(),
            responsible_person: v[7].clone(),
            funds: v[8].clone(),
            deadline: v[9].clone(),
            contingency_plan: v[10].clone(),
            governance_plan: Some(plan),
            fixed_on_spot: false,
        };
        match hazard::check(&input, sectors, today) {
            Ok(_) => out.push((row, input)),
            Err(e) => problems.push(RowProblem {
                row,
                column: column_of(e.field).into(),
                message: e.message,
            }),
        }
    }
    (out, problems)
}

/// The import template: the columns with dropdowns for level, sector and source, a
/// sheet listing the sectors, and the instructions.
pub fn template(sectors: &[String]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("隐患台账")?;
    for (c, h) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        sheet.set_column_width(c as u16, if c == 3 || c == 4 || c == 6 { 30 } else { 14 })?;
    }
    let last = MAX_ROWS as u32;
    sheet.add_data_validation(
        1,
        0,
        last,
        0,
        &DataValidation::new().allow_list_strings(&["一般隐患", "重大隐患"])?,
    )?;
    let sources: Vec<&str> = hazard::Source::ALL.iter().map(|s| s.label()).collect();
    sheet.add_data_validation(
        1,
        2,
        last,
        2,
        &DataValidation::new().allow_list_strings(&sources)?,
    )?;
    if !sectors.is_empty() {
        let list = DataValidation::new()
            .allow_list_formula(Formula::new(format!("=行业领域!$A$1:$A${}", sectors.len())));
        sheet.add_data_validation(1, 1, last, 1, &list)?;
    }
    let example = [
        "一般隐患",
        sectors.first().map(String::as_str).unwrap_or("燃气"),
        "自查",
        "某餐馆后厨",
        "液化石油气钢瓶与灶具间距不足",
        "2022-08-01",
        "钢瓶移至独立气瓶间",
        "张三",
        "",
        "2022-08-20",
    ];
    for (c, v) in example.iter().enumerate() {
        sheet.write_string(1, c as u16, *v)?;
    }
    let list = book.add_worksheet();
    list.set_name("行业领域")?;
    for (i, s) in sectors.iter().enumerate() {
        list.write_string(i as u32, 0, s)?;
    }
    let help = book.add_worksheet();
    help.set_name("填写说明")?;
    let lines = [
        "等级：一般隐患或重大隐患（下拉选择）。行业领域、来源：下拉选择，来源空为自查。",
        "日期格式 YYYY-MM-DD，如 2022-08-01；发现日期不能晚于今天，整改时限不能早于发现日期。",
        "“五落实”：一般隐患至少填整改措施、整改责任人、整改时限；重大隐患五项（含整改资金、应急预案）都要填。",
        "重大隐患还须填写治理方案六项（治理目标和任务至安全措施和应急预案）。",
        "整改资金以元为单位，最多两位小数。",
        "第2行是示例，导入前请删除或改写。整表校验通过才会导入；任何一行有误，整表都不导入，并列出每一处错误。",
    ];
    for (i, l) in lines.iter().enumerate() {
        help.write_string(i as u32, 0, *l)?;
    }
    help.set_column_width(0, 100)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sectors() -> Vec<String> {
        vec!["燃气".into(), "消防".into()]
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, 8, 9).unwrap()
    }

    fn sheet(rows: &[Vec<&str>]) -> Vec<u8> {
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        crate::sheet::table("隐患台账", &COLUMNS, &rows).unwrap()
    }

    #[test]
    fn the_template_reads_back_as_its_example() {
        let (rows, problems) = read(&template(&sectors()).unwrap(), &sectors(), today());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[0].1.sector, "燃气");
    }

    #[test]
    fn every_bad_row_is_reported_with_its_row_and_column() {
        let good = vec![
            "一般隐患",
            "消防",
            "",
            "某楼道",
            "堆放杂物",
            "2022-08-01",
            "清理",
            "李四",
            "",
            "2022-08-10",
        ];
        let mut bad_sector = good.clone();
        bad_sector[1] = "矿泉水";
        let mut late = good.clone();
        late[9] = "2022-07-01";
        let mut major = good.clone();
        major[0] = "重大隐患";
        let (rows, problems) = read(
            &sheet(&[good, bad_sector, vec![], late, major]),
            &sectors(),
            today(),
        );
        assert_eq!(rows.len(), 1);
        let found: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(
            found,
            [(3, "行业领域"), (5, "整改时限"), (6, "整改资金（元）")]
        );
        let (_, problems) = read(b"not a sheet", &sectors(), today());
        assert_eq!(problems[0].message, "不是有效的 .xlsx 文件");
    }
}
