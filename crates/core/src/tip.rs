//! Public tips (举报): what the public reports through the confidential channel, the
//! reporter's identity when given, the receipt code a reporter follows a tip with, and
//! the reward rules of the 2018 national measures (《安全生产领域举报奖励办法》).

use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::accident::Grade;
use crate::error::{Result, optional_text, required_text};

/// What a tip is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 重大事故隐患
    MajorHazard,
    /// 安全生产违法行为
    Violation,
    /// 瞒报、谎报事故
    ConcealedAccident,
    /// 其他
    Other,
}

impl Category {
    /// Every category, in the form's order.
    pub const ALL: [Category; 4] = [
        Category::MajorHazard,
        Category::Violation,
        Category::ConcealedAccident,
        Category::Other,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::MajorHazard => "major_hazard",
            Category::Violation => "violation",
            Category::ConcealedAccident => "concealed_accident",
            Category::Other => "other",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Category::MajorHazard => "重大事故隐患",
            Category::Violation => "安全生产违法行为",
            Category::ConcealedAccident => "瞒报、谎报事故",
            Category::Other => "其他",
        }
    }

    /// Reads a stored name (field `category`).
    pub fn parse(s: &str) -> Result<Category> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
            .ok_or_else(|| FieldError::new("invalid_category", "category", "请选择举报类别"))
    }
}

/// A reporter who gives their identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reporter {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub id_number: String,
}

/// A tip as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TipInput {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub sector: String,
    #[serde(default)]
    pub place: String,
    /// The unit or enterprise reported, as the reporter names it.
    #[serde(default)]
    pub reported_unit: String,
    #[serde(default)]
    pub description: String,
    /// Absent: anonymous.
    #[serde(default)]
    pub reporter: Option<Reporter>,
}

/// A checked tip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tip {
    pub category: Category,
    pub sector: String,
    pub place: String,
    pub reported_unit: Option<String>,
    pub description: String,
    pub reporter: Option<Reporter>,
}

/// Whether an 18-character resident ID number's check digit is right (GB 11643).
pub fn id_number_ok(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: &[u8; 11] = b"10X98765432";
    let sum: u32 = b[..17]
        .iter()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    b[17].to_ascii_uppercase() == C[(sum % 11) as usize]
}

fn reporter(r: &Reporter, c: &mut crate::error::Checks) -> Option<Reporter> {
    let name = c.take(required_text("reporter.name", "举报人姓名", &r.name, 50));
    let phone: String = r.phone.chars().filter(|c| !c.is_whitespace()).collect();
    if phone.len() < 7
        || phone.len() > 20
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == '+')
    {
        c.note(FieldError::new(
            "invalid_phone",
            "reporter.phone",
            "联系电话应为7到20位数字",
        ));
    }
    let id_number = r.id_number.trim().to_ascii_uppercase();
    if !id_number.is_empty() && !id_number_ok(&id_number) {
        c.note(FieldError::new(
            "invalid_id_number",
            "reporter.id_number",
            "身份证号码无效",
        ));
    }
    Some(Reporter {
        name: name?,
        phone,
        id_number,
    })
}

/// Checks a tip (the sector against the directory's list happens in storage).
/// Every problem is found at once (the first, the others in `also`).
pub fn check(input: &TipInput) -> Result<Tip> {
    let mut c = crate::error::Checks::default();
    let category = c.take(Category::parse(&input.category));
    let sector = c.take(required_text("sector", "行业领域", &input.sector, 50));
    let place = c.take(required_text("place", "地点", &input.place, 200));
    let reported_unit = c.take(optional_text(
        "reported_unit",
        "被举报单位",
        &input.reported_unit,
        200,
    ));
    let description = c.take(crate::error::required_paragraphs(
        "description",
        "举报内容",
        &input.description,
        5000,
    ));
    let reporter = input.reporter.as_ref().map(|r| reporter(r, &mut c));
    c.finish()?;
    let (Some(category), Some(sector), Some(place), Some(reported_unit), Some(description)) =
        (category, sector, place, reported_unit, description)
    else {
        // Each is None only with its problem noted, which `finish` refused above.
        return Err(FieldError::new(
            "unreadable",
            "category",
            "表单无法读取，请重新填写",
        ));
    };
    let reporter = reporter.flatten();
    Ok(Tip {
        category,
        sector,
        place,
        reported_unit,
        description,
        reporter,
    })
}

/// Where a tip came in (items (57) and (101): the 12350 hotline, e-mail, the WeChat
/// account, QR codes, letters and visits). The web form and its QR code are the public's
/// own channel; the others are recorded by a handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 网上举报 (the /tip form, also reached by its QR code).
    Web,
    /// 12350 举报热线.
    Hotline,
    /// 电子邮件.
    Email,
    /// 微信公众号.
    Wechat,
    /// 来信.
    Letter,
    /// 来访.
    Visit,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::Web,
        Channel::Hotline,
        Channel::Email,
        Channel::Wechat,
        Channel::Letter,
        Channel::Visit,
    ];

    /// The channels a handler records a tip from.
    pub const OFFLINE: [Channel; 5] = [
        Channel::Hotline,
        Channel::Email,
        Channel::Wechat,
        Channel::Letter,
        Channel::Visit,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Hotline => "hotline",
            Channel::Email => "email",
            Channel::Wechat => "wechat",
            Channel::Letter => "letter",
            Channel::Visit => "visit",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Channel::Web => "网上举报（含二维码）",
            Channel::Hotline => "12350热线",
            Channel::Email => "电子邮件",
            Channel::Wechat => "微信公众号",
            Channel::Letter => "来信",
            Channel::Visit => "来访",
        }
    }

    /// Reads a stored name, `web` included.
    pub fn parse(raw: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == raw.trim())
    }
}

/// A tip a handler records from another channel: the tip as the reporter gave it, the
/// channel and when it was received (`YYYY-MM-DDTHH:MM` Beijing time or RFC 3339).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct OfflineTipInput {
    #[serde(flatten)]
    pub tip: TipInput,
    /// hotline, email, wechat, letter or visit.
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub received_at: String,
}

/// Checks a tip recorded from another channel received before `now_ms`: the tip as
/// [`check`] does, a channel other than the web form (field `channel`) and a received-at
/// time not in the future (field `received_at`). Returns the tip, its channel and the
/// instant it was received.
pub fn check_offline(input: &OfflineTipInput, now_ms: i64) -> Result<(Tip, Channel, i64)> {
    let mut c = crate::error::Checks::default();
    let tip = c.take(check(&input.tip));
    let channel = match Channel::parse(&input.channel) {
        Some(ch) if ch != Channel::Web => Some(ch),
        _ => {
            c.note(FieldError::new(
                "invalid_channel",
                "channel",
                "请选择举报渠道（12350热线、电子邮件、微信公众号、来信或来访）",
            ));
            None
        }
    };
    let raw = input.received_at.trim();
    let raw = if raw.len() == 16 && raw.as_bytes().get(10) == Some(&b'T') {
        format!("{raw}:00+08:00")
    } else {
        raw.to_string()
    };
    let at = c
        .take(crate::time::instant("received_at", "收到时间", &raw))
        .map(|t| t.timestamp_millis());
    if let Some(at) = at
        && at > now_ms
    {
        c.note(FieldError::new(
            "future_time",
            "received_at",
            "收到时间不能晚于现在",
        ));
    }
    c.finish()?;
    match (tip, channel, at) {
        (Some(tip), Some(channel), Some(at)) => Ok((tip, channel, at)),
        _ => Err(FieldError::new(
            "unreadable",
            "channel",
            "表单无法读取，请重新填写",
        )),
    }
}

/// Digits of a receipt's locator (stored in clear to find the tip) and of its secret
/// (stored only inside a slow hash of the whole receipt).
pub const LOCATOR_DIGITS: usize = 6;
pub const SECRET_DIGITS: usize = 16;

/// A receipt code from random bytes: 22 digits, shown to the reporter in groups of
/// four.
pub fn receipt_from(random: &[u8; 32]) -> String {
    random
        .iter()
        .take(LOCATOR_DIGITS + SECRET_DIGITS)
        // A byte modulo 10 favours 0–5 slightly (26 against 25 in 256): about 3.3 bits
        // of each digit's 3.32 remain, over 52 bits for the 16 secret digits.
        .map(|b| char::from(b'0' + b % 10))
        .collect()
}

/// Reads a receipt as typed (spaces and dashes ignored): its locator and the whole code.
pub fn parse_receipt(raw: &str) -> Result<(String, String)> {
    let digits: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if digits.len() != LOCATOR_DIGITS + SECRET_DIGITS || !digits.chars().all(|c| c.is_ascii_digit())
    {
        return Err(FieldError::new(
            "invalid_receipt",
            "receipt",
            format!("回执码应为{}位数字", LOCATOR_DIGITS + SECRET_DIGITS),
        ));
    }
    Ok((digits[..LOCATOR_DIGITS].to_string(), digits))
}

/// The receipt in groups of four, as shown.
pub fn group_receipt(r: &str) -> String {
    r.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// How long the responsible unit has to verify a tip, and by how much the office may
/// extend it once on the unit's request (the national default: 60 days, plus 30).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Deadlines {
    pub verify_days: i64,
    pub extension_days: i64,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            verify_days: 60,
            extension_days: 30,
        }
    }
}

impl Deadlines {
    /// Checks deadlines as the office edits them: verification 1 to 365 days (field
    /// `verify_days`), extension 0 to 365 (`extension_days`; 0: no extension).
    pub fn check(self) -> Result<Deadlines> {
        if !(1..=365).contains(&self.verify_days) {
            return Err(FieldError::new(
                "invalid_days",
                "verify_days",
                "核查时限应为1到365日",
            ));
        }
        if !(0..=365).contains(&self.extension_days) {
            return Err(FieldError::new(
                "invalid_days",
                "extension_days",
                "延期天数应为0到365日",
            ));
        }
        Ok(self)
    }
}

/// The reward rules; the defaults are the national ones of 2018.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RewardRules {
    /// Percent of the fine for a substantiated major hazard or violation.
    pub hazard_percent: i64,
    pub hazard_min_yuan: i64,
    pub hazard_max_yuan: i64,
    /// Per confirmed death of a concealed or falsely reported accident, by grade
    /// (ordinary, larger, major, especially major).
    pub per_death_yuan: [i64; 4],
    pub accident_max_yuan: i64,
}

impl Default for RewardRules {
    fn default() -> Self {
        RewardRules {
            hazard_percent: 15,
            hazard_min_yuan: 3_000,
            hazard_max_yuan: 300_000,
            per_death_yuan: [30_000, 40_000, 50_000, 60_000],
            accident_max_yuan: 300_000,
        }
    }
}

impl RewardRules {
    /// Checks rules as the office edits them (field `rules`): a percentage from 0 to
    /// 100, amounts not negative, each minimum not above its maximum.
    pub fn check(self) -> Result<RewardRules> {
        let bad = |m: &str| Err(FieldError::new("invalid_rules", "rules", m.to_string()));
        if !(0..=100).contains(&self.hazard_percent) {
            return bad("奖励比例应在0到100之间");
        }
        if self.hazard_min_yuan < 0
            || self.hazard_min_yuan > self.hazard_max_yuan
            || self.accident_max_yuan < 0
            || self.per_death_yuan.iter().any(|v| *v < 0)
        {
            return bad("奖励金额不能为负，最低额不能高于最高额");
        }
        Ok(self)
    }

    /// The reward in fen for a substantiated tip: for a major hazard or violation, the
    /// percentage of `fine_fen` between the minimum and the maximum; for a concealed
    /// accident, the amount per confirmed death of its grade up to the maximum; nothing
    /// for other tips (the office may still decide one).
    pub fn reward_fen(
        &self,
        category: Category,
        fine_fen: i64,
        accident: Option<(Grade, i64)>,
    ) -> i64 {
        match category {
            Category::MajorHazard | Category::Violation => (fine_fen.max(0) * self.hazard_percent
                / 100)
                .clamp(self.hazard_min_yuan * 100, self.hazard_max_yuan * 100),
            Category::ConcealedAccident => {
                let Some((grade, deaths)) = accident else {
                    return 0;
                };
                let per = self.per_death_yuan[grade as usize];
                (per * deaths.max(0)).min(self.accident_max_yuan) * 100
            }
            Category::Other => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_tip_from_another_channel_names_its_channel_and_time() {
        // (57) "12350热线、电子邮箱、微信公众号、二维码、来信来访" — every channel but the
        // web form is recorded by a handler with the time it came in.
        let now = crate::time::at_local(chrono::NaiveDate::from_ymd_opt(2022, 8, 9).unwrap(), 10)
            .unwrap();
        let tip = TipInput {
            category: "violation".into(),
            sector: "建筑施工".into(),
            place: "巴川街道".into(),
            description: "夜间违规施工".into(),
            ..TipInput::default()
        };
        let input = OfflineTipInput {
            tip: tip.clone(),
            channel: "hotline".into(),
            received_at: "2022-08-09T09:30".into(),
        };
        let (_, ch, at) = check_offline(&input, now).unwrap();
        assert_eq!(ch, Channel::Hotline);
        assert_eq!(now - at, 30 * 60 * 1000);
        let fields = |i: &OfflineTipInput| {
            let e = check_offline(i, now).unwrap_err();
            std::iter::once(e.field)
                .chain(e.also.iter().map(|a| a.field))
                .collect::<Vec<_>>()
        };
        let none = OfflineTipInput {
            tip: tip.clone(),
            ..OfflineTipInput::default()
        };
        assert_eq!(fields(&none), vec!["channel", "received_at"]);
        let web = OfflineTipInput {
            channel: "web".into(),
            received_at: "2022-08-09T11:00".into(),
            tip,
        };
        assert_eq!(fields(&web), vec!["channel", "received_at"]);
    }

    #[test]
    fn rewards_at_their_bounds() {
        let r = RewardRules::default();
        let h = Category::MajorHazard;
        assert_eq!(
            r.reward_fen(h, 0, None),
            300_000,
            "no fine: the minimum 3,000 yuan"
        );
        assert_eq!(
            r.reward_fen(h, 2_000_000, None),
            300_000,
            "15% of 20,000 is 3,000"
        );
        assert_eq!(r.reward_fen(h, 2_000_100, None), 300_015);
        assert_eq!(
            r.reward_fen(Category::Violation, 200_000_000, None),
            30_000_000,
            "15% of 2,000,000 = 300,000: the maximum"
        );
        assert_eq!(r.reward_fen(h, 300_000_000, None), 30_000_000, "capped");
        let c = Category::ConcealedAccident;
        assert_eq!(r.reward_fen(c, 0, Some((Grade::Ordinary, 1))), 3_000_000);
        assert_eq!(r.reward_fen(c, 0, Some((Grade::Larger, 3))), 12_000_000);
        assert_eq!(
            r.reward_fen(c, 0, Some((Grade::Major, 10))),
            30_000_000,
            "500,000 capped at 300,000"
        );
        assert_eq!(
            r.reward_fen(c, 0, Some((Grade::EspeciallyMajor, 5))),
            30_000_000
        );
        assert_eq!(
            r.reward_fen(c, 0, Some((Grade::EspeciallyMajor, 4))),
            24_000_000
        );
        assert_eq!(r.reward_fen(c, 0, None), 0);
        assert_eq!(r.reward_fen(Category::Other, 9_999_999, None), 0);
    }

    #[test]
    fn id_numbers_check_their_digit() {
        assert!(id_number_ok("11010519491231002X"));
        assert!(!id_number_ok("110105194912310021"));
        assert!(!id_number_ok("11010519491231002"));
    }

    #[test]
    fn bad_tips_name_their_field() {
        let good = TipInput {
            category: "violation".into(),
            sector: "消防".into(),
            place: "某商场三楼".into(),
            description: "安全出口上锁".into(),
            reporter: Some(Reporter {
                name: "李四".into(),
                phone: "138 0000 0000".into(),
                id_number: String::new(),
            }),
            ..TipInput::default()
        };
        assert_eq!(check(&good).unwrap().reporter.unwrap().phone, "13800000000");
        let mut t = good.clone();
        t.category = "gossip".into();
        assert_eq!(check(&t).unwrap_err().field, "category");
        let mut t = good.clone();
        t.reporter.as_mut().unwrap().phone = "12ab".into();
        assert_eq!(check(&t).unwrap_err().field, "reporter.phone");
        let mut t = good.clone();
        t.reporter.as_mut().unwrap().id_number = "123".into();
        assert_eq!(check(&t).unwrap_err().field, "reporter.id_number");
        let mut t = good;
        t.description = " ".into();
        assert_eq!(check(&t).unwrap_err().field, "description");
    }

    #[test]
    fn receipts_are_22_digits_read_back_with_their_locator() {
        let r = receipt_from(&[123; 32]);
        assert_eq!(r.len(), 22);
        let (loc, whole) = parse_receipt(&group_receipt(&r)).unwrap();
        assert_eq!((loc.as_str(), whole.as_str()), (&r[..6], r.as_str()));
        assert_eq!(parse_receipt("1234").unwrap_err().field, "receipt");
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in ".{0,60}", b in any::<[u8; 32]>()) {
            let _ = parse_receipt(&s);
            let _ = id_number_ok(&s);
            prop_assert_eq!(parse_receipt(&receipt_from(&b)).unwrap().1.len(), 22);
        }

        #[test]
        fn hazard_rewards_stay_within_bounds(fine in 0i64..10_000_000_000) {
            let r = RewardRules::default();
            let x = r.reward_fen(Category::MajorHazard, fine, None);
            prop_assert!((300_000..=30_000_000).contains(&x));
        }
    }
}
