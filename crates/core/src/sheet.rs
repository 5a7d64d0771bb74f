//! Lists exported as .xlsx: one sheet with a bold header row and column widths that fit
//! Chinese text. Every list page offers its rows this way.

use rust_xlsxwriter::{DocProperties, Format, Workbook, XlsxError};

/// Writes `rows` under `headers` on a sheet named `title` (no author).
pub fn table(title: &str, headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    tables(&[(title, headers, rows)], "")
}

/// The workbook's document properties: its author (the unit that exported it) and its
/// company; the creation time is the moment of writing.
pub fn properties(author: &str) -> DocProperties {
    DocProperties::new()
        .set_author(author)
        .set_company(author)
        .set_comment("安监平台导出")
}

/// One sheet of a workbook: its name, header row and rows.
pub type Table<'a> = (&'a str, &'a [&'a str], &'a [Vec<String>]);

/// Writes several tables, one per sheet, into one workbook (a month's consolidated
/// reports: summary, problems, sectors), its author `author` (none when empty).
pub fn tables(sheets: &[Table<'_>], author: &str) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    if !author.is_empty() {
        book.set_properties(&properties(author));
    }
    for (title, headers, rows) in sheets {
        add_table(&mut book, title, headers, rows)?;
    }
    book.save_to_buffer()
}

fn add_table(
    book: &mut Workbook,
    title: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<(), XlsxError> {
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
    Ok(())
}

/// A large list written page by page with constant memory: rows go to a temporary file
/// as they are written, and the finished workbook is saved to a file the caller streams.
pub struct SheetWriter {
    book: Workbook,
    next_row: u32,
}

impl SheetWriter {
    /// A sheet named `title` with its header row; `widths` in characters per column.
    pub fn new(title: &str, headers: &[&str], widths: &[f64]) -> Result<SheetWriter, XlsxError> {
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let sheet = book.add_worksheet_with_constant_memory()?;
        let name: String = title
            .chars()
            .filter(|c| !"[]:*?/\\\\".contains(*c))
            .take(31)
            .collect();
        sheet.set_name(if name.is_empty() { "列表" } else { &name })?;
        for (c, h) in headers.iter().enumerate() {
            let w = widths.get(c).copied().unwrap_or(12.0);
            sheet.set_column_width(c as u16, w.clamp(6.0, 80.0))?;
            sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        Ok(SheetWriter { book, next_row: 1 })
    }

    /// Names the unit that exported the workbook in its document properties.
    pub fn by(mut self, author: &str) -> SheetWriter {
        self.book.set_properties(&properties(author));
        self
    }

    /// Appends rows.
    pub fn rows(&mut self, rows: &[Vec<String>]) -> Result<(), XlsxError> {
        let sheet = self.book.worksheet_from_index(0)?;
        for row in rows {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(self.next_row, c as u16, v)?;
            }
            self.next_row += 1;
        }
        Ok(())
    }

    /// Rows written so far (without the header).
    pub fn len(&self) -> usize {
        (self.next_row - 1) as usize
    }

    /// Whether no row has been written.
    pub fn is_empty(&self) -> bool {
        self.next_row == 1
    }

    /// Saves the workbook to `path`.
    pub fn save(mut self, path: &std::path::Path) -> Result<(), XlsxError> {
        self.book.save(path)
    }
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

    #[test]
    fn a_streamed_sheet_reads_back() {
        let dir = std::env::temp_dir().join(format!("anjian-sheet-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.xlsx");
        let mut w = SheetWriter::new("台账", &["编号", "部位"], &[8.0, 30.0]).unwrap();
        for page in 0..3 {
            let rows: Vec<Vec<String>> = (0..1000)
                .map(|i| vec![(page * 1000 + i).to_string(), "某处".into()])
                .collect();
            w.rows(&rows).unwrap();
        }
        assert_eq!(w.len(), 3000);
        w.save(&path).unwrap();
        let mut book: Xlsx<_> = calamine::open_workbook(&path).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(range.rows().count(), 3001);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
