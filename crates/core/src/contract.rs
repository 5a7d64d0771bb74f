//! The contracting chain (measure 八, key tasks 36–38): who let the works to whom
//! (发包方 → 承包方 → 分包方, any depth), the qualification (资质) each contractor
//! works under, and the flags the plan names: 转包, 违法分包, 挂靠 ("谁的资质谁负责、挂谁的
//! 牌子谁负责") and an expired qualification.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Result, required_text};

/// A qualification (资质) as a contractor shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Qualification {
    /// 资质类别, e.g. 建筑工程施工总承包.
    #[serde(default)]
    pub category: String,
    /// 等级, e.g. 二级.
    #[serde(default)]
    pub grade: String,
    /// 证书编号.
    #[serde(default)]
    pub number: String,
    /// The holder (a directory unit); absent: the contractor itself.
    pub holder: Option<i64>,
    /// 有效期至, YYYY-MM-DD.
    #[serde(default)]
    pub valid_until: String,
}

/// A qualification checked: its text fields and its validity day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedQualification {
    pub category: String,
    pub grade: String,
    pub number: String,
    pub valid_until: NaiveDate,
}

impl Qualification {
    /// Checks the fields: a category, a certificate number and a validity day are
    /// required ("严格资质管理"); the grade is optional.
    pub fn check(&self) -> Result<CheckedQualification> {
        let category = required_text("qualification.category", "资质类别", &self.category, 100)?;
        let number = required_text("qualification.number", "资质证书编号", &self.number, 64)?;
        let valid_until = crate::error::required_date(
            "qualification.valid_until",
            "资质有效期",
            &self.valid_until,
        )?;
        let grade =
            crate::error::optional_text("qualification.grade", "资质等级", &self.grade, 32)?
                .unwrap_or_default();
        Ok(CheckedQualification {
            category,
            grade,
            number,
            valid_until,
        })
    }
}

/// A flag on a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// 转包: a contractor passed its whole contract on.
    Transfer,
    /// 违法分包: the main structure subcontracted, or subcontracted to a party without
    /// the qualification.
    IllegalSubcontract,
    /// 挂靠: the qualification's holder is not the party doing the work.
    BorrowedQualification,
    /// The qualification had expired on the day the contract was signed.
    Expired,
}

impl Flag {
    /// Every value, in display order.
    pub const ALL: [Flag; 4] = [
        Flag::Transfer,
        Flag::IllegalSubcontract,
        Flag::BorrowedQualification,
        Flag::Expired,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Transfer => "transfer",
            Flag::IllegalSubcontract => "illegal_subcontract",
            Flag::BorrowedQualification => "borrowed_qualification",
            Flag::Expired => "expired",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Flag::Transfer => "转包",
            Flag::IllegalSubcontract => "违法分包",
            Flag::BorrowedQualification => "挂靠资质",
            Flag::Expired => "资质过期",
        }
    }

    /// The label of a stored name.
    pub fn label_of(raw: &str) -> &'static str {
        Flag::ALL
            .into_iter()
            .find(|f| f.as_str() == raw)
            .map_or("", Flag::label)
    }
}

/// What a contract says, for its flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    /// The client is itself a contractor on the project (this is a subcontract).
    pub subcontract: bool,
    /// The whole of the client's contract is passed on.
    pub whole: bool,
    /// The main structure (主体结构) is in it.
    pub main_structure: bool,
    /// The contractor shows a qualification.
    pub qualified: bool,
    /// The qualification's holder is another unit than the contractor.
    pub holder_elsewhere: bool,
    /// The qualification had expired on the signing day.
    pub expired: bool,
}

/// The flags of a contract (key task 36: "严肃查处…违法分包转包行为"; key task 37: "谁的资质
/// 谁负责、挂谁的牌子谁负责").
pub fn flags(t: Terms) -> Vec<Flag> {
    let mut out = Vec::new();
    if t.subcontract && t.whole {
        out.push(Flag::Transfer);
    }
    if t.subcontract && !t.whole && (t.main_structure || !t.qualified) {
        out.push(Flag::IllegalSubcontract);
    }
    if t.holder_elsewhere {
        out.push(Flag::BorrowedQualification);
    }
    if t.expired {
        out.push(Flag::Expired);
    }
    out
}

/// A party's role in an accident (issue 23 part 4): where it happened, the employer,
/// the qualification's holder, the client and contractor, the dispatching agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    /// 事故发生单位.
    Site,
    /// 用人单位.
    Employer,
    /// 资质方: the holder of the qualification worked under.
    QualificationHolder,
    /// 发包方 or 承包方.
    Contractor,
    /// 分包方.
    Subcontractor,
    /// 劳务派遣单位.
    Dispatcher,
}

impl PartyRole {
    /// Every value, in display order.
    pub const ALL: [PartyRole; 6] = [
        PartyRole::Site,
        PartyRole::Employer,
        PartyRole::QualificationHolder,
        PartyRole::Contractor,
        PartyRole::Subcontractor,
        PartyRole::Dispatcher,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PartyRole::Site => "site",
            PartyRole::Employer => "employer",
            PartyRole::QualificationHolder => "qualification_holder",
            PartyRole::Contractor => "contractor",
            PartyRole::Subcontractor => "subcontractor",
            PartyRole::Dispatcher => "dispatcher",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            PartyRole::Site => "事故发生单位",
            PartyRole::Employer => "用人单位",
            PartyRole::QualificationHolder => "资质方",
            PartyRole::Contractor => "发包方/承包方",
            PartyRole::Subcontractor => "分包方",
            PartyRole::Dispatcher => "劳务派遣单位",
        }
    }

    /// Parses the stored name.
    pub fn parse(raw: &str) -> Result<PartyRole> {
        PartyRole::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| {
                FieldError::new(
                    "invalid_role",
                    "parties.role",
                    "role 应为 site、employer、qualification_holder、contractor、subcontractor 或 dispatcher",
                )
            })
    }

    /// The label of a stored name.
    pub fn label_of(raw: &str) -> &'static str {
        PartyRole::parse(raw).map_or("", PartyRole::label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms() -> Terms {
        Terms {
            subcontract: true,
            whole: false,
            main_structure: false,
            qualified: true,
            holder_elsewhere: false,
            expired: false,
        }
    }

    /// Key task 36 and 37: "严肃查处建筑施工、矿山、化工等高危行业领域违法分包转包行为";
    /// "坚持“谁的资质谁负责、挂谁的牌子谁负责”".
    #[test]
    fn the_plans_flags() {
        assert!(flags(terms()).is_empty(), "a lawful subcontract");
        assert_eq!(
            flags(Terms {
                whole: true,
                ..terms()
            }),
            vec![Flag::Transfer]
        );
        assert_eq!(
            flags(Terms {
                main_structure: true,
                ..terms()
            }),
            vec![Flag::IllegalSubcontract]
        );
        assert_eq!(
            flags(Terms {
                qualified: false,
                ..terms()
            }),
            vec![Flag::IllegalSubcontract]
        );
        assert_eq!(
            flags(Terms {
                holder_elsewhere: true,
                subcontract: false,
                ..terms()
            }),
            vec![Flag::BorrowedQualification]
        );
        assert!(
            flags(Terms {
                subcontract: false,
                whole: true,
                main_structure: true,
                ..terms()
            })
            .is_empty(),
            "the owner lets the whole works to its general contractor"
        );
    }

    #[test]
    fn a_qualification_needs_its_number_and_validity() {
        let q = Qualification {
            category: "建筑工程施工总承包".into(),
            grade: "二级".into(),
            number: "D250123456".into(),
            holder: None,
            valid_until: "2024-12-31".into(),
        };
        assert!(q.check().is_ok());
        let e = Qualification {
            number: " ".into(),
            ..q.clone()
        }
        .check()
        .unwrap_err();
        assert_eq!(e.field, "qualification.number");
        let e = Qualification {
            valid_until: "".into(),
            ..q
        }
        .check()
        .unwrap_err();
        assert_eq!(e.field, "qualification.valid_until");
    }
}
