//! The workforce of dispatched and flexible workers (measure 九, key tasks 39–41, items
//! (78)–(81)): who works on which post under which arrangement, sent by which agency,
//! with which training and certificate, and the rules the plan sets: "未经安全知识培训合格的
//! 不能上岗", a special-operation post only with a valid certificate, and "危险岗位要严格
//! 控制劳务派遣用工数量".

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Result, optional_date, optional_text, required_text};

/// The arrangements item (78) names: "劳务派遣人员、专业承建人员、临时服务人员以及实习试用人员",
/// and the flexible workers of key task 39.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arrangement {
    /// 劳务派遣.
    Dispatched,
    /// 灵活用工.
    Flexible,
    /// 专业承建.
    Contracted,
    /// 临时服务.
    Temporary,
    /// 实习试用.
    Intern,
}

impl Arrangement {
    /// Every value, in display order.
    pub const ALL: [Arrangement; 5] = [
        Arrangement::Dispatched,
        Arrangement::Flexible,
        Arrangement::Contracted,
        Arrangement::Temporary,
        Arrangement::Intern,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Arrangement::Dispatched => "dispatched",
            Arrangement::Flexible => "flexible",
            Arrangement::Contracted => "contracted",
            Arrangement::Temporary => "temporary",
            Arrangement::Intern => "intern",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Arrangement::Dispatched => "劳务派遣",
            Arrangement::Flexible => "灵活用工",
            Arrangement::Contracted => "专业承建",
            Arrangement::Temporary => "临时服务",
            Arrangement::Intern => "实习试用",
        }
    }

    /// Parses the stored or Chinese name.
    pub fn parse(raw: &str) -> Option<Arrangement> {
        let raw = raw.trim();
        Arrangement::ALL
            .into_iter()
            .find(|a| a.as_str() == raw || a.label() == raw)
    }

    /// The label of a stored name.
    pub fn label_of(raw: &str) -> &'static str {
        Arrangement::parse(raw).map_or("", Arrangement::label)
    }
}

/// Checks an 18-digit resident ID number (GB 11643-1999): 17 digits and the ISO 7064
/// MOD 11-2 check character (a digit or X). Returns it upper-cased.
pub fn id_number(raw: &str) -> Result<String> {
    let v = raw.trim().to_ascii_uppercase();
    let bad = |m: &str| FieldError::new("invalid_id_number", "id_number", m.to_string());
    if v.len() != 18 || !v[..17].bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("身份证号应为18位（前17位为数字）"));
    }
    if Some(char::from(v.as_bytes()[17])) != check_character(&v[..17]) {
        return Err(bad("身份证号校验位不正确"));
    }
    Ok(v)
}

/// The check character (ISO 7064 MOD 11-2, a digit or X) of the 17 digits `body`, or
/// `None` when `body` is not 17 digits.
pub fn check_character(body: &str) -> Option<char> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    if body.len() != 17 || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(char::from(CHECK[(sum % 11) as usize]))
}

/// An ID number as pages show it: the first 6 and the last 4 characters.
pub fn masked(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// A worker as a form, the API or a sheet row gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WorkerInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    /// `dispatched`, `flexible`, `contracted`, `temporary`, `intern` (or the Chinese name).
    #[serde(default)]
    pub arrangement: String,
    #[serde(default)]
    pub post: String,
    #[serde(default)]
    pub hazardous: bool,
    /// The post is a special operation (特种作业) and needs a certificate.
    #[serde(default)]
    pub special_operation: bool,
    /// The dispatching agency (an enterprise of the directory).
    pub agency: Option<i64>,
    /// The day safety training was passed (YYYY-MM-DD), if it was.
    #[serde(default)]
    pub trained_on: String,
    pub training_hours: Option<i64>,
    /// Whether the training's exam was passed.
    #[serde(default)]
    pub exam_passed: bool,
    #[serde(default)]
    pub certificate: String,
    #[serde(default)]
    pub certificate_valid_until: String,
}

/// A worker checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worker {
    pub name: String,
    pub id_number: String,
    pub arrangement: Arrangement,
    pub post: String,
    pub hazardous: bool,
    pub special_operation: bool,
    pub agency: Option<i64>,
    pub trained_on: Option<NaiveDate>,
    pub training_hours: Option<i64>,
    pub exam_passed: bool,
    pub certificate: Option<String>,
    pub certificate_valid_until: Option<NaiveDate>,
}

impl WorkerInput {
    /// Checks every field; a dispatched worker names the agency that sent them.
    pub fn check(&self) -> Result<Worker> {
        let name = required_text("name", "姓名", &self.name, 50)?;
        let id_number = id_number(&self.id_number)?;
        let arrangement = Arrangement::parse(&self.arrangement).ok_or_else(|| {
            FieldError::new(
                "invalid_arrangement",
                "arrangement",
                "用工类型应为劳务派遣、灵活用工、专业承建、临时服务或实习试用",
            )
        })?;
        let post = required_text("post", "岗位", &self.post, 50)?;
        if arrangement == Arrangement::Dispatched && self.agency.is_none() {
            return Err(FieldError::new(
                "required",
                "agency",
                "劳务派遣人员须填写劳务派遣单位",
            ));
        }
        let hours = match self.training_hours {
            Some(h) if !(0..=1000).contains(&h) => {
                return Err(FieldError::new(
                    "invalid_hours",
                    "training_hours",
                    "培训学时应在0到1000之间",
                ));
            }
            h => h,
        };
        let certificate = optional_text("certificate", "特种作业证号", &self.certificate, 64)?;
        let certificate_valid_until = optional_date(
            "certificate_valid_until",
            "证书有效期",
            &self.certificate_valid_until,
        )?;
        if certificate.is_some() != certificate_valid_until.is_some() {
            return Err(FieldError::new(
                "required",
                if certificate.is_some() {
                    "certificate_valid_until"
                } else {
                    "certificate"
                },
                "特种作业证号与有效期须一并填写",
            ));
        }
        Ok(Worker {
            name,
            id_number,
            arrangement,
            post,
            hazardous: self.hazardous,
            special_operation: self.special_operation,
            agency: self.agency,
            trained_on: optional_date("trained_on", "培训合格日期", &self.trained_on)?,
            training_hours: hours,
            exam_passed: self.exam_passed,
            certificate,
            certificate_valid_until,
        })
    }
}

impl Worker {
    /// "未经安全知识培训合格的不能上岗" (key task 40): no training passed on record.
    pub fn untrained(&self) -> bool {
        self.trained_on.is_none() || !self.exam_passed
    }
}

/// Whether a special-operation worker is without a certificate valid on `today`
/// ("重点核查企业危险岗位雇佣劳务派遣、灵活用工人员持证上岗和安全培训情况", key task 41).
pub fn uncertified(
    special_operation: bool,
    valid_until: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    special_operation && valid_until.is_none_or(|d| d < today)
}

/// The default cap on the share of dispatched workers among those on hazardous posts,
/// in percent ("危险岗位要严格控制劳务派遣用工数量"; 《劳务派遣暂行规定》 art. 4 caps
/// dispatched workers at 10 % of a workforce). The office may set another.
pub const DEFAULT_DISPATCHED_CAP_PERCENT: i64 = 10;

/// Whether `dispatched` of `hazardous` workers on hazardous posts exceed `cap_percent`.
pub fn over_cap(dispatched: i64, hazardous: i64, cap_percent: i64) -> bool {
    hazardous > 0 && dispatched * 100 > hazardous * cap_percent
}

/// The roster sheet's columns, in order (import and export alike).
pub const HEADERS: [&str; 12] = [
    "姓名",
    "身份证号",
    "用工类型",
    "岗位",
    "危险岗位",
    "特种作业",
    "劳务派遣单位",
    "培训合格日期",
    "培训学时",
    "考试合格",
    "特种作业证号",
    "证书有效期至",
];

/// A yes/no cell as the directory's sheet reads one (是/否, Y/N, 1/0, true/false; empty
/// is no), and an exam's 合格/不合格.
pub fn yes(raw: &str) -> Option<bool> {
    match raw.trim() {
        "合格" => Some(true),
        "不合格" => Some(false),
        r => crate::directory::parse_yes_no(r),
    }
}

/// The most rows a roster sheet imports at once.
pub const MAX_SHEET_ROWS: usize = 20_000;

/// A row of a roster sheet: the worker (its agency not yet resolved) and the agency's
/// name as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    /// The sheet's row number (1-based, as the user sees it).
    pub row: usize,
    pub worker: WorkerInput,
    pub agency_name: String,
}

/// Reads a roster sheet (the columns of [`HEADERS`], a header row first) within bounds:
/// at most [`MAX_SHEET_ROWS`] rows of at most 32 columns; the error names the row.
pub fn read_sheet(bytes: &[u8]) -> std::result::Result<Vec<SheetRow>, FieldError> {
    let limits = crate::grid::Limits {
        max_rows: MAX_SHEET_ROWS,
        max_columns: 32,
        max_unpacked: 64 << 20,
    };
    let grid = crate::grid::read(bytes, &limits)
        .map_err(|m| FieldError::new("invalid_sheet", "file", m))?;
    let mut rows = grid.rows.into_iter();
    let header: Vec<String> = rows
        .next()
        .unwrap_or_default()
        .iter()
        .map(crate::directory::cell_text)
        .collect();
    if header.first().map(String::as_str) != Some(HEADERS[0]) || header.len() < 4 {
        return Err(FieldError::new(
            "invalid_sheet",
            "file",
            format!("第一行应为表头：{}", HEADERS.join("、")),
        ));
    }
    let mut out = Vec::new();
    for (i, cells) in rows.enumerate() {
        let row = grid.first_row + i + 2;
        let c: Vec<String> = (0..HEADERS.len())
            .map(|k| {
                cells
                    .get(k)
                    .map(crate::directory::cell_text)
                    .unwrap_or_default()
            })
            .collect();
        if c.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let flag = |k: usize, field: &'static str| {
            yes(&c[k]).ok_or_else(|| {
                FieldError::new(
                    "invalid_flag",
                    field,
                    format!("第{row}行：{}应填“是”或“否”", HEADERS[k]),
                )
            })
        };
        let hours = c[8].trim();
        let training_hours = if hours.is_empty() {
            None
        } else {
            Some(
                hours
                    .parse::<f64>()
                    .ok()
                    .filter(|h| h.is_finite())
                    .map(|h| h.round() as i64)
                    .ok_or_else(|| {
                        FieldError::new(
                            "invalid_hours",
                            "training_hours",
                            format!("第{row}行：培训学时应为数字"),
                        )
                    })?,
            )
        };
        out.push(SheetRow {
            row,
            worker: WorkerInput {
                name: c[0].clone(),
                id_number: c[1].clone(),
                arrangement: c[2].clone(),
                post: c[3].clone(),
                hazardous: flag(4, "hazardous")?,
                special_operation: flag(5, "special_operation")?,
                agency: None,
                trained_on: c[7].clone(),
                training_hours,
                exam_passed: flag(9, "exam_passed")?,
                certificate: c[10].clone(),
                certificate_valid_until: c[11].clone(),
            },
            agency_name: c[6].trim().to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn id_numbers_carry_their_check_digit() {
        assert_eq!(
            id_number("11010519491231002x").unwrap(),
            "11010519491231002X"
        );
        assert!(
            id_number("110105194912310021").is_err(),
            "wrong check digit"
        );
        assert!(id_number("11010519491231002").is_err(), "17 digits");
        assert_eq!(masked("11010519491231002X"), "110105********002X");
    }

    /// Key task 40: "未经安全知识培训合格的不能上岗".
    #[test]
    fn untrained_and_uncertified_workers_are_flagged() {
        let input = WorkerInput {
            name: "张三".into(),
            id_number: "11010519491231002X".into(),
            arrangement: "劳务派遣".into(),
            post: "储罐区操作工".into(),
            hazardous: true,
            special_operation: true,
            agency: Some(7),
            ..WorkerInput::default()
        };
        let w = input.check().unwrap();
        assert!(w.untrained());
        let w = WorkerInput {
            trained_on: "2022-03-01".into(),
            exam_passed: true,
            ..input.clone()
        }
        .check()
        .unwrap();
        assert!(!w.untrained());
        assert!(uncertified(true, None, d("2022-08-01")));
        assert!(uncertified(true, Some(d("2022-07-31")), d("2022-08-01")));
        assert!(!uncertified(true, Some(d("2023-07-31")), d("2022-08-01")));
        let e = WorkerInput {
            agency: None,
            ..input.clone()
        }
        .check()
        .unwrap_err();
        assert_eq!(e.field, "agency");
        let e = WorkerInput {
            post: " ".into(),
            ..input
        }
        .check()
        .unwrap_err();
        assert_eq!(e.field, "post");
    }

    /// "危险岗位要严格控制劳务派遣用工数量".
    #[test]
    fn the_dispatched_share_on_hazardous_posts_is_capped() {
        assert!(!over_cap(1, 10, 10));
        assert!(over_cap(2, 10, 10));
        assert!(!over_cap(0, 0, 10));
    }
}
