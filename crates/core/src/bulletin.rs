//! The monthly bulletin (通报) as documents: a Word file in the official-document layout
//! of GB/T 9704 (A4; red issuing-office header and rule; document number; title in
//! 方正小标宋简体 二号; body in 仿宋_GB2312 三号 at a fixed 28-point line; headings in 黑体;
//! issuing office and date at the end) with the rankings as tables, and the rankings
//! as an .xlsx annex. The fonts are named with fallbacks Word and LibreOffice know.

use chrono::{Datelike, NaiveDate};
use docx_rs::{
    AlignmentType, BorderType, Docx, LineSpacing, LineSpacingType, PageMargin, Paragraph, Run,
    RunFonts, SpecialIndentType, Table, TableCell, TableRow, WidthType,
};
use serde::{Deserialize, Serialize};

/// A table of the bulletin: its caption, header and rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulletinTable {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A section: a heading and its paragraphs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

/// Everything a bulletin says, as archived.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bulletin {
    /// The issuing office, as the red header and the signature: 铜梁区安全生产委员会办公室.
    pub issuer: String,
    /// 铜安办通报〔2022〕3号
    pub doc_no: String,
    pub title: String,
    /// 各镇人民政府、街道办事处，区安委会各成员单位：
    pub addressees: String,
    pub opening: String,
    pub sections: Vec<Section>,
    pub tables: Vec<BulletinTable>,
    pub issued_on: NaiveDate,
}

const TITLE_FONT: &str = "方正小标宋简体";
const BODY_FONT: &str = "仿宋_GB2312";
const HEADING_FONT: &str = "黑体";
const LATIN_FONT: &str = "Times New Roman";

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii(LATIN_FONT)
        .hi_ansi(LATIN_FONT)
        .cs(LATIN_FONT)
}

/// A run in `font` at `half_points` (三号 = 16 pt = 32).
fn run(text: &str, font: &str, half_points: usize) -> Run {
    Run::new()
        .add_text(text)
        .fonts(fonts(font))
        .size(half_points)
}

/// A body paragraph: two characters' first-line indent, fixed 28 pt line.
fn body(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, BODY_FONT, 32))
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .line_spacing(exact(560))
}

fn exact(twips: i32) -> LineSpacing {
    LineSpacing::new()
        .line(twips)
        .line_rule(LineSpacingType::Exact)
}

/// The Chinese date of issue, 2022年8月5日.
pub fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn cell(text: &str, bold: bool) -> TableCell {
    let mut r = run(text, BODY_FONT, 24);
    if bold {
        r = r.bold();
    }
    TableCell::new().add_paragraph(
        Paragraph::new()
            .add_run(r)
            .align(AlignmentType::Center)
            .line_spacing(exact(360)),
    )
}

/// The width of the type area in twips (A4 less the margins).
const TEXT_WIDTH: usize = 11906 - 1587 - 1474;

/// Column widths in twips: a narrow first column (the place), a wide second (the
/// unit's name), the rest shared.
fn column_widths(n: usize) -> Vec<usize> {
    match n {
        0 => Vec::new(),
        1 => vec![TEXT_WIDTH],
        2 => vec![700, TEXT_WIDTH - 700],
        _ => {
            let rest = (TEXT_WIDTH - 700 - 2400) / (n - 2);
            let mut w = vec![700, 2400];
            w.extend(std::iter::repeat_n(rest, n - 2));
            w
        }
    }
}

fn table(t: &BulletinTable) -> Table {
    let widths = column_widths(t.header.len());
    let row = |cells: &[String], bold: bool| {
        TableRow::new(
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    cell(c, bold).width(widths.get(i).copied().unwrap_or(900), WidthType::Dxa)
                })
                .collect(),
        )
    };
    let mut rows = vec![row(&t.header, true)];
    rows.extend(t.rows.iter().map(|r| row(r, false)));
    Table::new(rows)
        .set_grid(widths.clone())
        .width(TEXT_WIDTH, WidthType::Dxa)
}

/// The issuing office's red header: 30 pt, smaller for a long name so it keeps to one
/// line (in half-points).
fn header_size(issuer: &str) -> usize {
    let chars = issuer.chars().count().max(1);
    (860 / chars).clamp(28, 60)
}

impl Bulletin {
    /// The bulletin as a .docx file.
    pub fn to_docx(&self) -> Vec<u8> {
        // Dated the day it is issued (docx-rs would write 1970 otherwise).
        let dated = format!("{}T09:00:00+08:00", self.issued_on);
        let mut doc = Docx::new()
            .created_at(&dated)
            .updated_at(&dated)
            .page_size(11906, 16838)
            .page_margin(
                PageMargin::new()
                    .top(2098)
                    .bottom(1984)
                    .left(1587)
                    .right(1474),
            )
            .default_fonts(fonts(BODY_FONT))
            .default_size(32)
            // Page numbers at the foot, — 1 — as official documents number them.
            .footer(
                docx_rs::Footer::new().add_paragraph(
                    Paragraph::new()
                        .add_run(run("— ", BODY_FONT, 28))
                        .add_page_num(docx_rs::PageNum::new())
                        .add_run(run(" —", BODY_FONT, 28))
                        .align(AlignmentType::Center),
                ),
            )
            // The red header: the issuing office and 文件-style rule.
            .add_paragraph(
                Paragraph::new()
                    .add_run(
                        run(&self.issuer, TITLE_FONT, header_size(&self.issuer)).color("FF0000"),
                    )
                    .align(AlignmentType::Center)
                    .line_spacing(LineSpacing::new().before(400).after(200)),
            )
            .add_paragraph(
                Paragraph::new()
                    .add_run(run(&self.doc_no, BODY_FONT, 32))
                    .align(AlignmentType::Center)
                    .line_spacing(exact(560)),
            )
            .add_table(
                Table::new(vec![TableRow::new(vec![TableCell::new()])])
                    .width(5000, WidthType::Pct)
                    .clear_all_border()
                    .set_border(
                        docx_rs::TableBorder::new(docx_rs::TableBorderPosition::Bottom)
                            .border_type(BorderType::Single)
                            .size(16)
                            .color("FF0000"),
                    ),
            )
            .add_paragraph(
                Paragraph::new()
                    .add_run(run(&self.title, TITLE_FONT, 44))
                    .align(AlignmentType::Center)
                    .line_spacing(LineSpacing::new().before(400).after(400)),
            )
            .add_paragraph(
                Paragraph::new()
                    .add_run(run(&self.addressees, BODY_FONT, 32))
                    .line_spacing(exact(560)),
            )
            .add_paragraph(body(&self.opening));
        for s in &self.sections {
            doc = doc.add_paragraph(
                Paragraph::new()
                    .add_run(run(&s.heading, HEADING_FONT, 32))
                    .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
                    .line_spacing(exact(560)),
            );
            for p in &s.paragraphs {
                doc = doc.add_paragraph(body(p));
            }
        }
        for t in &self.tables {
            doc = doc
                .add_paragraph(
                    Paragraph::new()
                        .add_run(run(&t.caption, HEADING_FONT, 28))
                        .align(AlignmentType::Center)
                        .line_spacing(LineSpacing::new().before(240).after(120)),
                )
                .add_table(table(t));
        }
        doc = doc
            .add_paragraph(Paragraph::new().line_spacing(exact(560)))
            .add_paragraph(
                Paragraph::new()
                    .add_run(run(&self.issuer, BODY_FONT, 32))
                    .align(AlignmentType::Right)
                    .line_spacing(exact(560)),
            )
            .add_paragraph(
                Paragraph::new()
                    .add_run(run(&chinese_date(self.issued_on), BODY_FONT, 32))
                    .align(AlignmentType::Right)
                    .line_spacing(exact(560)),
            );
        let mut out = std::io::Cursor::new(Vec::new());
        // Packing into memory cannot fail but for a zip error, which would be a bug.
        let _ = doc.build().pack(&mut out);
        let packed = out.into_inner();
        authored(&packed, &self.issuer).unwrap_or(packed)
    }

    /// The rankings as an .xlsx annex, one sheet per table.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = rust_xlsxwriter::Workbook::new();
        book.set_properties(&crate::sheet::properties(&self.issuer).set_title(&self.title));
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (i, t) in self.tables.iter().enumerate() {
            let sheet = book.add_worksheet();
            let name: String = t.caption.chars().take(28).collect();
            sheet.set_name(if name.is_empty() {
                format!("附表{}", i + 1)
            } else {
                name.replace(['[', ']', ':', '*', '?', '/', '\\'], "")
            })?;
            sheet.write_string_with_format(0, 0, &t.caption, &bold)?;
            for (c, h) in t.header.iter().enumerate() {
                sheet.write_string_with_format(1, c as u16, h, &bold)?;
                sheet.set_column_width(c as u16, if c == 1 { 26 } else { 12 })?;
            }
            for (r, row) in t.rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    sheet.write_string(r as u32 + 2, c as u16, v)?;
                }
            }
        }
        if self.tables.is_empty() {
            book.add_worksheet().write_string(0, 0, &self.title)?;
        }
        book.save_to_buffer()
    }
}

/// The .docx `packed` with `author` as its creator and last editor: docx-rs names no
/// author ("unknown") and offers no way to set one, so its core properties are
/// rewritten in the package; every other part is copied as it is.
fn authored(packed: &[u8], author: &str) -> Option<Vec<u8>> {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(packed)).ok()?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let name = author
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).ok()?;
        if file.name() == "docProps/core.xml" {
            let mut xml = String::new();
            file.read_to_string(&mut xml).ok()?;
            let xml = xml
                .replace(
                    "<dc:creator>unknown</dc:creator>",
                    &format!("<dc:creator>{name}</dc:creator>"),
                )
                .replace(
                    "<cp:lastModifiedBy>unknown</cp:lastModifiedBy>",
                    &format!("<cp:lastModifiedBy>{name}</cp:lastModifiedBy>"),
                );
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            out.start_file("docProps/core.xml", options).ok()?;
            out.write_all(xml.as_bytes()).ok()?;
        } else {
            drop(file);
            let raw = archive.by_index_raw(i).ok()?;
            out.raw_copy_file(raw).ok()?;
        }
    }
    Some(out.finish().ok()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Bulletin {
        Bulletin {
            issuer: "铜梁区安全生产委员会办公室".into(),
            doc_no: "铜安办通报〔2022〕3号".into(),
            title: "关于2022年7月安全生产工作情况的通报".into(),
            addressees: "各镇人民政府、街道办事处，区安委会各成员单位：".into(),
            opening: "现将7月情况通报如下。".into(),
            sections: vec![Section {
                heading: "一、执法检查".into(),
                paragraphs: vec!["零执法单位：少云镇。".into()],
            }],
            tables: vec![BulletinTable {
                caption: "镇街排名".into(),
                header: vec!["名次".into(), "单位".into(), "得分".into()],
                rows: vec![vec!["1".into(), "巴川街道".into(), "92.50".into()]],
            }],
            issued_on: NaiveDate::from_ymd_opt(2022, 8, 5).unwrap(),
        }
    }

    /// The text of the document part of a .docx.
    fn document_xml(docx: &[u8]) -> String {
        let mut zip = zip_entries(docx);
        zip.remove("word/document.xml").unwrap_or_default()
    }

    /// The text entries of a zip archive (.docx and .xlsx are zip archives).
    fn zip_entries(bytes: &[u8]) -> std::collections::HashMap<String, String> {
        use std::io::Read;
        let mut out = std::collections::HashMap::new();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        for i in 0..archive.len() {
            let mut f = archive.by_index(i).unwrap();
            let mut s = String::new();
            if f.read_to_string(&mut s).is_ok() {
                out.insert(f.name().to_string(), s);
            }
        }
        out
    }

    /// The files carry the office as author and the day of issue, not "unknown" and
    /// 1970 (issue 17 part 8).
    #[test]
    fn the_files_name_the_office_and_the_day_of_issue() {
        let b = sample();
        let core = zip_entries(&b.to_docx())
            .remove("docProps/core.xml")
            .unwrap();
        assert!(
            core.contains("<dc:creator>铜梁区安全生产委员会办公室</dc:creator>"),
            "{core}"
        );
        assert!(
            core.contains("2022-08-05T09:00:00+08:00") && !core.contains("1970"),
            "{core}"
        );
        assert!(document_xml(&b.to_docx()).contains("零执法单位"));
        let xlsx = zip_entries(&b.to_xlsx().unwrap())
            .remove("docProps/core.xml")
            .unwrap();
        assert!(
            xlsx.contains("<dc:creator>铜梁区安全生产委员会办公室</dc:creator>"),
            "{xlsx}"
        );
    }

    #[test]
    fn the_docx_names_chinese_fonts_and_carries_the_text() {
        let xml = document_xml(&sample().to_docx());
        for needle in [
            "铜安办通报〔2022〕3号",
            "关于2022年7月安全生产工作情况的通报",
            "少云镇",
            "巴川街道",
            "2022年8月5日",
            "w:eastAsia=\"仿宋_GB2312\"",
            "w:eastAsia=\"方正小标宋简体\"",
            "w:eastAsia=\"黑体\"",
            "FF0000",
        ] {
            assert!(xml.contains(needle), "document.xml lacks {needle}");
        }
    }

    #[test]
    fn long_issuers_keep_to_one_line_and_columns_fill_the_type_area() {
        assert_eq!(header_size("安委办"), 60);
        assert!(header_size("重庆市铜梁区安全生产委员会办公室") * 16 <= 880);
        for n in 0..10 {
            let w = column_widths(n);
            assert_eq!(w.len(), n);
            assert!(w.iter().sum::<usize>() <= TEXT_WIDTH);
        }
    }

    #[test]
    fn the_annex_is_a_workbook_with_the_rankings() {
        let xlsx = sample().to_xlsx().unwrap();
        let entries = zip_entries(&xlsx);
        let strings = entries
            .get("xl/sharedStrings.xml")
            .cloned()
            .unwrap_or_default();
        assert!(strings.contains("巴川街道") && strings.contains("92.50"));
    }
}
