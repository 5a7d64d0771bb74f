//! Validation errors: a stable machine code, a Chinese message and the field it names.

use std::fmt;

/// A value the user typed did not pass validation.
///
/// `code` is stable snake_case for programs; `message` is Simplified Chinese for people;
/// `field` names the form or JSON field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub code: &'static str,
    pub field: &'static str,
    pub message: String,
    /// The other problems the same check found, so that a form tells them all at once
    /// (see [`Checks`]); empty for a check that stops at the first.
    pub also: Vec<FieldError>,
}

impl FieldError {
    /// A new error on `field`.
    pub fn new(code: &'static str, field: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            field,
            message: message.into(),
            also: Vec::new(),
        }
    }

    /// This problem and the others found with it, in the order found.
    pub fn all(&self) -> impl Iterator<Item = &FieldError> {
        std::iter::once(self).chain(self.also.iter())
    }
}

/// The problems of one form, gathered field by field so that all are told at once,
/// each naming its field; one problem per field (the first found).
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    /// The checked value, or None with its problem noted.
    pub fn take<T>(&mut self, r: Result<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.note(e);
                None
            }
        }
    }

    /// Notes a problem (ignored when its field already has one), and the others a
    /// nested check found with it (its `also`).
    pub fn note(&mut self, mut e: FieldError) {
        let also = std::mem::take(&mut e.also);
        for f in std::iter::once(e).chain(also) {
            if !self.0.iter().any(|x| x.field == f.field) {
                self.0.push(f);
            }
        }
    }

    /// Whether nothing was found so far.
    pub fn is_clean(&self) -> bool {
        self.0.is_empty()
    }

    /// Ok when nothing was found; otherwise the first problem, the others in `also`.
    pub fn finish(self) -> Result<()> {
        let mut found = self.0.into_iter();
        match found.next() {
            None => Ok(()),
            Some(mut first) => {
                first.also = found.collect();
                Err(first)
            }
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}（字段 {}）", self.message, self.field)
    }
}

impl std::error::Error for FieldError {}

/// Result of parsing a domain value.
pub type Result<T> = std::result::Result<T, FieldError>;

/// Checks a required free-text field: trimmed, non-empty, at most `max` characters,
/// no control characters.
pub fn required_text(field: &'static str, label: &str, raw: &str, max: usize) -> Result<String> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(FieldError::new(
            "required",
            field,
            format!("{label}不能为空"),
        ));
    }
    optional_text(field, label, v, max).map(|o| o.unwrap_or_default())
}

/// Parses an optional date (YYYY-MM-DD); empty becomes `None`.
pub fn optional_date(
    field: &'static str,
    label: &str,
    raw: &str,
) -> Result<Option<chrono::NaiveDate>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| {
            FieldError::new(
                "invalid_date",
                field,
                format!("{label}应为 YYYY-MM-DD 格式的日期"),
            )
        })
}

/// A required `YYYY-MM-DD` date: empty is "请填写{label}", anything else not a date
/// names the field as [`optional_date`] does.
pub fn required_date(field: &'static str, label: &str, raw: &str) -> Result<chrono::NaiveDate> {
    optional_date(field, label, raw)?
        .ok_or_else(|| FieldError::new("required", field, format!("请填写{label}")))
}

/// Parses an optional amount in yuan with at most two decimals into fen (分); empty
/// becomes `None`.
pub fn optional_yuan(field: &'static str, label: &str, raw: &str) -> Result<Option<i64>> {
    let raw = raw.trim().trim_end_matches('元').replace(',', "");
    if raw.is_empty() {
        return Ok(None);
    }
    let bad = || {
        FieldError::new(
            "invalid_amount",
            field,
            format!("{label}应为不超过两位小数的金额（元）"),
        )
    };
    let (whole, frac) = raw.split_once('.').unwrap_or((&raw, ""));
    if whole.is_empty()
        || whole.len() > 12
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let yuan: i64 = whole.parse().map_err(|_| bad())?;
    let fen: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    Ok(Some(yuan * 100 + fen))
}

/// Fen (分) as yuan with two decimals, the inverse of [`optional_yuan`]: 3000050 → "30000.50".
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// Checks an optional free-text field; empty becomes `None`.
pub fn optional_text(
    field: &'static str,
    label: &str,
    raw: &str,
    max: usize,
) -> Result<Option<String>> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > max {
        return Err(FieldError::new(
            "too_long",
            field,
            format!("{label}不能超过{max}个字符"),
        ));
    }
    if v.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(FieldError::new(
            "invalid_chars",
            field,
            format!("{label}含有不可见的控制字符"),
        ));
    }
    Ok(Some(v.to_string()))
}

/// Checks an optional multi-line text (a narrative, a list one item per line): like
/// [`optional_text`], but line breaks (normalised to `\n`) and tabs are kept.
pub fn optional_paragraphs(
    field: &'static str,
    label: &str,
    raw: &str,
    max: usize,
) -> Result<Option<String>> {
    let v = raw.replace("\r\n", "\n");
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let one_line: String = v
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .collect();
    optional_text(field, label, &one_line, max)?;
    Ok(Some(v.to_string()))
}

/// Checks a required multi-line text: like [`optional_paragraphs`], and not empty.
pub fn required_paragraphs(
    field: &'static str,
    label: &str,
    raw: &str,
    max: usize,
) -> Result<String> {
    optional_paragraphs(field, label, raw, max)?
        .ok_or_else(|| FieldError::new("required", field, format!("{label}不能为空")))
}

/// Bidirectional overrides and isolates, which can make a name display as another.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A free-text search or filter term: trimmed, control characters dropped, at most
/// `max` characters; `None` when nothing is left. Never an error: a search box accepts
/// anything.
pub fn search_term(raw: Option<&str>, max: usize) -> Option<String> {
    let v: String = raw?.chars().filter(|c| !c.is_control()).take(max).collect();
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn search_terms_are_clean(raw in "\\PC*|[\\x00-\\x1f a-z]{0,20}") {
            if let Some(t) = search_term(Some(&raw), 50) {
                prop_assert!(!t.is_empty() && t.chars().count() <= 50);
                prop_assert!(!t.chars().any(|c| c.is_control()));
                prop_assert_eq!(t.trim(), t.as_str());
            }
        }
    }

    #[test]
    fn paragraphs_keep_their_lines_and_refuse_other_controls() {
        assert_eq!(
            optional_paragraphs("problems", "问题清单", "一\r\n二\t三\n", 100).unwrap(),
            Some("一\n二\t三".to_string())
        );
        let e = optional_paragraphs("problems", "问题清单", "一\u{0}二", 100).unwrap_err();
        assert_eq!((e.code, e.field), ("invalid_chars", "problems"));
    }

    #[test]
    fn required_text_names_its_field() {
        assert_eq!(
            required_text("name", "名称", "  ", 10).unwrap_err().field,
            "name"
        );
        assert_eq!(
            required_text("name", "名称", "a\u{0}b", 10)
                .unwrap_err()
                .code,
            "invalid_chars"
        );
        assert_eq!(search_term(Some(" a\u{0}b "), 50).as_deref(), Some("ab"));
        assert!(required_text("name", "名称", "\u{202e}gpj.exe", 20).is_err());
    }
}
