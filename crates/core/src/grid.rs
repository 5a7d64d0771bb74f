//! Uploaded spreadsheets read within bounds. A sheet is checked before its cells are
//! read (the archive's unpacked size) and while they are read, one at a time (rows and
//! columns), so that no upload can make the server allocate past the limits: a cell at
//! XFD1048576 in an 8 kB file is refused with a message, not expanded into a 17-billion
//! cell grid.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// The bounds of an uploaded sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Data rows below the header.
    pub max_rows: usize,
    /// Columns, counted from A.
    pub max_columns: usize,
    /// The sum of the archive's unpacked entries, in bytes.
    pub max_unpacked: u64,
}

impl Default for Limits {
    /// 100,000 rows of at most 64 columns in at most 64 MiB unpacked.
    fn default() -> Limits {
        Limits {
            max_rows: 100_000,
            max_columns: 64,
            max_unpacked: 64 << 20,
        }
    }
}

/// The first worksheet of an upload: its rows from the first non-empty one, each as long
/// as its last non-empty cell, columns from A.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grid {
    /// The 0-based sheet row of `rows[0]` (sheet row numbers are `first_row + i + 1`).
    pub first_row: usize,
    pub rows: Vec<Vec<Data>>,
}

/// Reads the first worksheet of `bytes` within `limits`; the error is the message for
/// the user.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Grid, String> {
    let unpacked = unpacked_size(bytes).ok_or("不是有效的 .xlsx 文件")?;
    if unpacked > limits.max_unpacked {
        return Err(format!(
            "文件解压后超过{}MB，请拆分后导入",
            limits.max_unpacked >> 20
        ));
    }
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|_| "不是有效的 .xlsx 文件")?;
    let name = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or("文件中没有工作表")?;
    let mut cells = book
        .worksheet_cells_reader(&name)
        .map_err(|_| "文件中没有工作表")?;
    let mut rows: Vec<Vec<Data>> = Vec::new();
    let mut first: Option<usize> = None;
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(_) => return Err("工作表内容无法读取，请使用导入模板".into()),
        };
        let value = Data::from(cell.get_value().clone());
        if value == Data::Empty {
            continue;
        }
        let (row, column) = cell.get_position();
        let (row, column) = (row as usize, column as usize);
        if column >= limits.max_columns {
            return Err(format!(
                "第{}行超过{}列，请使用导入模板",
                row + 1,
                limits.max_columns
            ));
        }
        let top = *first.get_or_insert(row);
        if row < top {
            return Err("工作表的行顺序无效，请使用导入模板".into());
        }
        let at = row - top;
        if at > limits.max_rows {
            return Err(format!("一次最多导入{}行", limits.max_rows));
        }
        if rows.len() <= at {
            rows.resize_with(at + 1, Vec::new);
        }
        let r = &mut rows[at];
        if r.len() <= column {
            r.resize(column + 1, Data::Empty);
        }
        r[column] = value;
    }
    Ok(Grid {
        first_row: first.unwrap_or(0),
        rows,
    })
}

/// The sum of the archive's declared unpacked sizes, or `None` if it is no archive.
fn unpacked_size(bytes: &[u8]) -> Option<u64> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        total = total.saturating_add(zip.by_index_raw(i).ok()?.size());
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workbook with `cells` (sheet row, column, text) written by rust_xlsxwriter.
    fn book(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut b = rust_xlsxwriter::Workbook::new();
        let s = b.add_worksheet();
        for (r, c, t) in cells {
            s.write_string(*r, *c, *t).unwrap();
        }
        b.save_to_buffer().unwrap()
    }

    #[test]
    fn a_sheet_reads_from_its_first_non_empty_row() {
        let g = read(&book(&[(1, 0, "表头"), (2, 2, "值")]), &Limits::default()).unwrap();
        assert_eq!(g.first_row, 1);
        assert_eq!(g.rows.len(), 2);
        assert_eq!(g.rows[1][2], Data::String("值".into()));
        assert_eq!(g.rows[1][0], Data::Empty);
    }

    #[test]
    fn a_cell_at_the_last_column_and_row_is_refused_without_allocating() {
        let bytes = book(&[(0, 0, "表头"), (1_048_575, 16_383, "x")]);
        assert!(bytes.len() < 10_000);
        let e = read(&bytes, &Limits::default()).unwrap_err();
        assert!(e.contains("列"), "{e}");
        let e = read(
            &book(&[(0, 0, "表头"), (1_048_575, 1, "x")]),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(e.contains("最多导入100000行"), "{e}");
    }

    #[test]
    fn an_archive_larger_than_the_limit_unpacked_is_refused() {
        let bytes = book(&[(0, 0, &"很长的文字".repeat(1000))]);
        let small = Limits {
            max_unpacked: 4096,
            ..Limits::default()
        };
        assert!(read(&bytes, &small).unwrap_err().contains("解压后"));
        assert!(read(b"not a zip", &Limits::default()).is_err());
    }
}
