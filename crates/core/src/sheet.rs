//! Lists exported as .xlsx: one sheet with a bold header row and column widths that fit
//! Chinese text. Every list page offers its rows this way.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// Writes `rows` under `headers` on a sheet named `title`.
pub fn table(title: &str, headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    let name: String = title
        .chars()
        .filter(|c| !"[]:*?/\\\\".contains(*c))
        .take(31)
        .collect();
    sheet.set_name(if name.is_empty() { "列表" } else { &name })?;
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        let widest = rows
            .iter()
            .map(|r| r.get(c).map(|v| v.chars().count()).unwrap_or(0))
            .max()
            .unwrap_or(0)
            .max(h.chars().count());
        sheet.set_column_width(c as u16, (widest as f64 * 2.0).clamp(8.0, 80.0))?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string((r + 1) as u32, c as u16, v)?;
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Reader, Xlsx};

    #[test]
    fn a_table_reads_back() {
        let bytes = table(
            "逾期事项",
            &["到期日", "事项"],
            &[vec!["2022-05-31".into(), "（1）建立责任制".into()]],
        )
        .unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), vec!["逾期事项"]);
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(
            range.get_value((1, 1)).unwrap().to_string(),
            "（1）建立责任制"
        );
    }
}
