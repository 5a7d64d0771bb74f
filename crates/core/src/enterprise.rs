//! The enterprise register's rules: the unified social credit code (统一社会信用代码,
//! GB 32100-2015) with its check digit, risk levels, the responsible persons an
//! enterprise lists (三个责任人, 三个层级负责人, 包保责任人), and the small-business
//! risk card (风险明白卡) for enterprises under 30 staff.

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Result, optional_text, required_text};

/// The 31 characters of a credit code, in the order of their values (no I, O, S, V, Z).
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// The weights of the first 17 characters.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The check character of the first 17 characters of a credit code, if all are valid.
pub fn credit_check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in b.iter().zip(WEIGHTS) {
        let v = CHARSET.iter().position(|x| x == c)? as u32;
        sum += v * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(CHARSET[check as usize] as char)
}

/// Parses a unified social credit code (field `credit_code`): 18 characters of the
/// code's alphabet (lower case is accepted and raised), the last being the check
/// character of the other 17.
pub fn credit_code(raw: &str) -> Result<String> {
    let code: String = raw.trim().to_ascii_uppercase();
    let bad = |m: &str| Err(FieldError::new("invalid_credit_code", "credit_code", m));
    if code.is_empty() {
        return bad("请填写统一社会信用代码");
    }
    if code.chars().count() != 18 {
        return bad("统一社会信用代码应为18位");
    }
    if !code.bytes().all(|c| CHARSET.contains(&c)) {
        return bad("统一社会信用代码含有无效字符（不使用 I、O、S、V、Z）");
    }
    match credit_check_char(&code[..17]) {
        Some(c) if code.ends_with(c) => Ok(code),
        _ => bad("统一社会信用代码校验位不正确"),
    }
}

/// Risk level (安全风险等级): red, orange, yellow, blue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Red,
    Orange,
    Yellow,
    Blue,
}

impl RiskLevel {
    /// All levels, highest first.
    pub const ALL: [RiskLevel; 4] = [
        RiskLevel::Red,
        RiskLevel::Orange,
        RiskLevel::Yellow,
        RiskLevel::Blue,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Red => "red",
            RiskLevel::Orange => "orange",
            RiskLevel::Yellow => "yellow",
            RiskLevel::Blue => "blue",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            RiskLevel::Red => "红色（重大风险）",
            RiskLevel::Orange => "橙色（较大风险）",
            RiskLevel::Yellow => "黄色（一般风险）",
            RiskLevel::Blue => "蓝色（低风险）",
        }
    }

    /// Reads a stored name or a Chinese one (红、橙、黄、蓝; field `risk_level`).
    pub fn parse(raw: &str) -> Result<RiskLevel> {
        let s = raw.trim();
        RiskLevel::ALL
            .into_iter()
            .find(|l| l.as_str() == s || l.label().starts_with(s) && !s.is_empty())
            .ok_or_else(|| {
                FieldError::new(
                    "invalid_risk_level",
                    "risk_level",
                    "风险等级应为红、橙、黄、蓝之一",
                )
            })
    }
}

/// Staff below which an enterprise is a small business that needs a risk card.
pub const SMALL_BUSINESS_STAFF: i64 = 30;

/// An enterprise as the register keeps it, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseInput {
    pub name: String,
    pub credit_code: String,
    /// The township (镇街) it is in.
    pub township: i64,
    /// Its sector (行业领域), by name.
    pub sector: String,
    /// Staff count.
    pub staff: i64,
    pub risk_level: RiskLevel,
    /// Major hazard installations (重大危险源) it runs.
    pub major_hazards: i64,
    /// The department that supervises it (行业主管部门).
    pub supervisor: Option<i64>,
    /// Listed for the public board of responsible persons (挂牌).
    pub listed: bool,
    pub address: Option<String>,
}

/// The raw fields of an enterprise as a form, a JSON body or a sheet row gives them.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EnterpriseFields {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub credit_code: String,
    pub township: Option<i64>,
    #[serde(default)]
    pub sector: String,
    pub staff: Option<i64>,
    #[serde(default)]
    pub risk_level: String,
    #[serde(default)]
    pub major_hazards: Option<i64>,
    pub supervisor: Option<i64>,
    #[serde(default)]
    pub listed: bool,
    #[serde(default)]
    pub address: String,
}

impl EnterpriseFields {
    /// Checks every field, naming the first at fault.
    pub fn check(&self) -> Result<EnterpriseInput> {
        let name = required_text("name", "企业名称", &self.name, 100)?;
        let credit_code = credit_code(&self.credit_code)?;
        let township = self
            .township
            .ok_or_else(|| FieldError::new("required", "township", "请选择所在镇街或管委会"))?;
        let sector = required_text("sector", "行业领域", &self.sector, 50)?;
        let staff = self
            .staff
            .ok_or_else(|| FieldError::new("required", "staff", "请填写从业人数"))?;
        if !(0..=1_000_000).contains(&staff) {
            return Err(FieldError::new(
                "invalid_staff",
                "staff",
                "从业人数应为0到1000000之间的整数",
            ));
        }
        let major_hazards = self.major_hazards.unwrap_or(0);
        if !(0..=1000).contains(&major_hazards) {
            return Err(FieldError::new(
                "invalid_major_hazards",
                "major_hazards",
                "重大危险源数量应为0到1000之间的整数",
            ));
        }
        Ok(EnterpriseInput {
            name,
            credit_code,
            township,
            sector,
            staff,
            risk_level: RiskLevel::parse(&self.risk_level)?,
            major_hazards,
            supervisor: self.supervisor,
            listed: self.listed,
            address: optional_text("address", "地址", &self.address, 200)?,
        })
    }
}

/// Whether an enterprise of `staff` is a small business (needs a risk card).
pub fn is_small(staff: i64) -> bool {
    staff < SMALL_BUSINESS_STAFF
}

/// Who a responsible person is for an enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonRole {
    /// 行政负责人 (a township or district official).
    Administrative,
    /// 行业部门监管负责人 (an official of the supervising department).
    Industry,
    /// 企业单位负责人.
    Enterprise,
    /// Of a major risk: 厂长经理管理层负责人.
    Management,
    /// 部门技术层负责人.
    Technical,
    /// 车间班组操作层负责人.
    ShopFloor,
    /// 重大危险源包保责任人.
    Guarantee,
}

impl PersonRole {
    pub const ALL: [PersonRole; 7] = [
        PersonRole::Administrative,
        PersonRole::Industry,
        PersonRole::Enterprise,
        PersonRole::Management,
        PersonRole::Technical,
        PersonRole::ShopFloor,
        PersonRole::Guarantee,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PersonRole::Administrative => "administrative",
            PersonRole::Industry => "industry",
            PersonRole::Enterprise => "enterprise",
            PersonRole::Management => "management",
            PersonRole::Technical => "technical",
            PersonRole::ShopFloor => "shop_floor",
            PersonRole::Guarantee => "guarantee",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            PersonRole::Administrative => "行政负责人",
            PersonRole::Industry => "行业部门监管负责人",
            PersonRole::Enterprise => "企业单位负责人",
            PersonRole::Management => "管理层负责人",
            PersonRole::Technical => "技术层负责人",
            PersonRole::ShopFloor => "操作层负责人",
            PersonRole::Guarantee => "包保责任人",
        }
    }

    /// Reads a stored name (field `role`).
    pub fn parse(raw: &str) -> Result<PersonRole> {
        PersonRole::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| FieldError::new("invalid_role", "role", "责任人类别不正确"))
    }

    /// Whether the person is a government official counted against the monthly
    /// 2/2/2 quota and the half-year coverage (行政、行业监管负责人).
    pub fn is_official(self) -> bool {
        matches!(self, PersonRole::Administrative | PersonRole::Industry)
    }

    /// Whether the role belongs to one major risk or installation (三个层级, 包保),
    /// which must then be named.
    pub fn needs_risk(self) -> bool {
        matches!(
            self,
            PersonRole::Management
                | PersonRole::Technical
                | PersonRole::ShopFloor
                | PersonRole::Guarantee
        )
    }
}

/// A small business's risk card: its main risks, their controls, emergency contacts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RiskCard {
    #[serde(default)]
    pub main_risks: String,
    #[serde(default)]
    pub controls: String,
    #[serde(default)]
    pub emergency_contacts: String,
}

impl RiskCard {
    /// Checks a card as edited: every part filled, each within one printed page.
    pub fn check(self) -> Result<RiskCard> {
        Ok(RiskCard {
            main_risks: required_text("main_risks", "主要风险", &self.main_risks, 600)?,
            controls: crate::error::required_paragraphs(
                "controls",
                "管控措施",
                &self.controls,
                800,
            )?,
            emergency_contacts: required_text(
                "emergency_contacts",
                "应急联系方式",
                &self.emergency_contacts,
                300,
            )?,
        })
    }
}

/// The columns of the register's import template and export, in order.
pub const HEADERS: [&str; 10] = [
    "企业名称",
    "统一社会信用代码",
    "所在镇街",
    "行业领域",
    "从业人数",
    "风险等级",
    "重大危险源数量",
    "行业主管部门",
    "是否挂牌",
    "地址",
];

/// One row of an imported register sheet, as text: its sheet row number and the cells
/// under `HEADERS`.
pub type SheetRow = (usize, Vec<String>);

/// Reads the first sheet of an uploaded register (.xlsx) whose header is `HEADERS`:
/// the non-empty rows, or a message naming what is wrong with the file (field `file`).
pub fn read_sheet(bytes: &[u8]) -> Result<Vec<SheetRow>> {
    let bad = |m: String| FieldError::new("invalid_file", "file", m);
    let grid = crate::grid::read(bytes, &crate::grid::Limits::default()).map_err(bad)?;
    let first_row = grid.first_row;
    let mut rows = grid.rows.iter();
    let header: Vec<String> = rows
        .next()
        .ok_or_else(|| bad("工作表为空".into()))?
        .iter()
        .map(|c| crate::directory::cell_text(c).trim().to_string())
        .collect();
    for (i, h) in HEADERS.iter().enumerate() {
        if header.get(i).map(String::as_str) != Some(*h) {
            return Err(bad(format!("表头第{}列应为「{h}」，请使用导入模板", i + 1)));
        }
    }
    let mut out = Vec::new();
    for (i, row) in rows.enumerate() {
        let cells: Vec<String> = (0..HEADERS.len())
            .map(|c| {
                row.get(c)
                    .map(|x| crate::directory::cell_text(x).trim().to_string())
                    .unwrap_or_default()
            })
            .collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if out.len() >= 20_000 {
            return Err(bad("一次最多导入20000家企业".into()));
        }
        out.push((first_row + i + 2, cells));
    }
    Ok(out)
}

/// Reads a yes/no cell (是/否, 1/0, empty is no).
pub fn yes(cell: &str) -> bool {
    matches!(cell.trim(), "是" | "1" | "true" | "挂牌")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_published_code_passes_and_a_changed_one_fails() {
        // A body in 铜梁 (500224) with its check character.
        let first = "91500224MA5UABCD1";
        let c = credit_check_char(first).unwrap();
        let code = format!("{first}{c}");
        assert_eq!(credit_code(&code.to_lowercase()).unwrap(), code);
        let other = CHARSET
            .iter()
            .map(|b| *b as char)
            .find(|x| *x != c)
            .unwrap();
        let e = credit_code(&format!("{first}{other}")).unwrap_err();
        assert_eq!((e.field, e.code), ("credit_code", "invalid_credit_code"));
        assert!(e.message.contains("校验位"));
        assert!(
            credit_code("91500224MA5UIBCD1X")
                .unwrap_err()
                .message
                .contains("无效字符")
        );
        assert!(credit_code("123").unwrap_err().message.contains("18位"));
        assert!(credit_code(" ").unwrap_err().message.contains("请填写"));
    }

    #[test]
    fn the_standard_example_checks() {
        // GB 32100-2015 example body; its check character is fixed by the weights.
        assert_eq!(credit_check_char("91350100M000100Y4"), Some('3'));
    }

    #[test]
    fn risk_levels_read_their_chinese_names() {
        assert_eq!(RiskLevel::parse("红").unwrap(), RiskLevel::Red);
        assert_eq!(RiskLevel::parse("blue").unwrap(), RiskLevel::Blue);
        assert_eq!(RiskLevel::parse("").unwrap_err().field, "risk_level");
        assert_eq!(RiskLevel::parse("紫").unwrap_err().field, "risk_level");
    }

    #[test]
    fn a_sheet_without_the_template_header_is_refused() {
        let bytes = crate::sheet::table("企业", &["名称"], &[vec!["某厂".into()]]).unwrap();
        let e = read_sheet(&bytes).unwrap_err();
        assert_eq!(e.field, "file");
        assert!(e.message.contains("企业名称"), "{}", e.message);
        let row: Vec<String> = [
            "重庆铜梁某厂",
            "91500224MA5UABCD1H",
            "巴川街道",
            "工贸",
            "25",
            "黄",
            "0",
            "区经济信息委",
            "是",
            "",
        ]
        .map(String::from)
        .to_vec();
        let bytes = crate::sheet::table("企业", &HEADERS, std::slice::from_ref(&row)).unwrap();
        assert_eq!(read_sheet(&bytes).unwrap(), vec![(2, row)]);
        assert_eq!(read_sheet(b"not a zip").unwrap_err().field, "file");
    }

    proptest! {
        #[test]
        fn any_bytes_read_or_name_the_file(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Err(e) = read_sheet(&bytes) {
                prop_assert_eq!(e.field, "file");
            }
        }

        #[test]
        fn any_input_parses_or_names_the_field(s in "\\PC{0,40}") {
            if let Err(e) = credit_code(&s) {
                prop_assert_eq!(e.field, "credit_code");
            }
        }

        #[test]
        fn every_body_with_its_check_char_passes(body in "[0-9A-HJ-NPQRTUWXY]{17}") {
            let c = credit_check_char(&body).unwrap();
            let code = format!("{body}{c}");
            prop_assert!(credit_code(&code).is_ok());
            // Any single substitution of the check character fails.
            for x in CHARSET.iter().map(|b| *b as char).filter(|x| *x != c) {
                let changed = format!("{body}{x}");
                prop_assert!(credit_code(&changed).is_err());
            }
        }
    }
}
