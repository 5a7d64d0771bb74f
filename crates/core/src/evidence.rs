//! Evidence files attached to progress reports: what kind a file is, read from its
//! content (never from its name), and the limits a file must meet.

use crate::error::{FieldError, Result};

/// Largest evidence file accepted.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;

/// The kinds of evidence accepted: photos, PDF, Word and Excel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Webp,
    Pdf,
    /// .docx
    Word,
    /// .xlsx
    Excel,
    /// .doc / .xls (the old OLE compound format)
    LegacyOffice,
}

impl Kind {
    /// The MIME type served with the file.
    pub fn mime(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Webp => "image/webp",
            Kind::Pdf => "application/pdf",
            Kind::Word => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Kind::Excel => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Kind::LegacyOffice => "application/x-ole-storage",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Jpeg | Kind::Png | Kind::Webp => "照片",
            Kind::Pdf => "PDF",
            Kind::Word => "Word",
            Kind::Excel => "Excel",
            Kind::LegacyOffice => "Word/Excel（旧格式）",
        }
    }

    /// Whether pages may show it inline as an image.
    pub fn is_image(self) -> bool {
        matches!(self, Kind::Jpeg | Kind::Png | Kind::Webp)
    }
}

/// Recognises a file by its first bytes; `None` for anything not accepted.
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    let b = bytes;
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Kind::Png)
    } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some(Kind::Webp)
    } else if b.starts_with(b"%PDF-") {
        Some(Kind::Pdf)
    } else if b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Some(Kind::LegacyOffice)
    } else if b.starts_with(b"PK\x03\x04") {
        // An Office Open XML package names its main part in the zip's directory.
        let has = |needle: &[u8]| b.windows(needle.len()).any(|w| w == needle);
        if has(b"word/") {
            Some(Kind::Word)
        } else if has(b"xl/") {
            Some(Kind::Excel)
        } else {
            None
        }
    } else {
        None
    }
}

/// Checks an uploaded file: not empty, not too large, of an accepted kind.
pub fn check(bytes: &[u8]) -> Result<Kind> {
    if bytes.is_empty() {
        return Err(FieldError::new(
            "empty_file",
            "evidence",
            "上传的文件是空的",
        ));
    }
    if bytes.len() > MAX_BYTES {
        return Err(FieldError::new(
            "file_too_large",
            "evidence",
            format!("单个佐证材料不能超过{}MB", MAX_BYTES / 1024 / 1024),
        ));
    }
    sniff(bytes).ok_or_else(|| {
        FieldError::new(
            "file_type",
            "evidence",
            "只能上传照片（JPEG、PNG、WebP）、PDF、Word 或 Excel 文件",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn content_decides_not_the_name() {
        assert_eq!(check(b"\xFF\xD8\xFF\xE0rest").unwrap(), Kind::Jpeg);
        assert_eq!(check(b"%PDF-1.7 ...").unwrap(), Kind::Pdf);
        let xlsx = rust_xlsxwriter::Workbook::new().save_to_buffer().unwrap();
        assert_eq!(check(&xlsx).unwrap(), Kind::Excel);
        assert_eq!(check(b"MZ\x90\x00 an exe").unwrap_err().code, "file_type");
        assert_eq!(check(b"").unwrap_err().code, "empty_file");
        assert_eq!(
            check(&vec![0xFF; MAX_BYTES + 1]).unwrap_err().code,
            "file_too_large"
        );
        assert_eq!(
            check(b"PK\x03\x04 a plain zip").unwrap_err().code,
            "file_type"
        );
    }

    proptest! {
        #[test]
        fn check_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = check(&bytes);
        }
    }
}
