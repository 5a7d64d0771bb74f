//! The demo's directory as the plan (铜安办〔2022〕31号) names it: the 28 townships, the
//! departments with their aliases and sectors, their sub-units, the state-owned and
//! other enterprises, and one account per
//! role (the office `office`, township `bachuan`, departments `yjj`, `fgw` (区发展改革委)
//! and `zjw` (区住房城乡建委), enterprises `huagong` and the state-owned `chengtou`, the
//! three separated administrators and the tip custodian).

use super::*;

/// The 28 townships of Tongliang (shared/data/tongliang-townships.csv).
pub const TOWNSHIPS: &str = include_str!("../../../../seed/tongliang-townships.csv");

/// Departments the plan names: (name, aliases, supervises safety, sectors).
pub const DEPARTMENTS: &[(&str, &str, bool, &str)] = &[
    ("区委办", "区委办公室", false, ""),
    ("区委组织部", "", false, ""),
    ("区委宣传部", "", false, ""),
    ("区委编办", "", false, ""),
    ("区委党校", "", false, ""),
    ("区委政法委", "", false, ""),
    ("区纪委监委机关", "区纪委监委", false, ""),
    ("区政府办", "区府办、区政府办公室", false, ""),
    ("区发展改革委", "区发改委", true, "天然气长输管道"),
    (
        "区经济信息委",
        "区经信委",
        true,
        "燃气、城镇燃气、电力、工业",
    ),
    (
        "区交通局",
        "",
        true,
        "道路交通、道路运输、水上交通、交通建设",
    ),
    (
        "区住房城乡建委",
        "区住建委",
        true,
        "建设施工、建筑施工、自建房、轨道交通建设",
    ),
    (
        "区应急局",
        "区应急管理局",
        true,
        "危化品、危险化学品、非煤矿山、工贸",
    ),
    (
        "区文化旅游委",
        "区文旅委",
        true,
        "文旅、旅游景区、文化娱乐场所",
    ),
    ("区城市管理局", "", true, "城市运行、城市公园"),
    ("区消防救援支队", "", true, "消防、人员密集场所"),
    // Body 二: "由区公安局交巡警支队负责，重点排查整治货车超载超限、危险化学品运输风险管控…".
    ("区公安局", "", true, "民用爆炸物品"),
    (
        "区市场监管局",
        "市场监督管理部门、区市场监督管理局",
        true,
        "特种设备",
    ),
    ("区水利局", "", true, "水利、水利工程、山洪灾害"),
    ("区规划自然资源局", "", true, "地质灾害、土地整治"),
    ("区林业局", "", true, "林业、森林防火"),
    ("区国资中心", "国资中心", true, "国有企业"),
    ("区农业农村委", "", true, "农业机械、渔业船舶"),
    ("区教委", "", true, "学校"),
    ("区商务委", "", true, "商贸"),
    ("区卫生健康委", "", true, "医疗机构"),
    ("区民政局", "", true, "养老机构"),
    ("区司法局", "", false, ""),
    ("区财政局", "", false, ""),
    ("区机关事务局", "", false, ""),
    ("区总工会", "", false, ""),
    ("区检察院", "", false, ""),
    ("区融媒体中心", "", false, ""),
];

/// Units under a department: (parent, name, aliases, supervises, sectors).
pub(super) const SUB_UNITS: &[(&str, &str, &str, bool, &str)] = &[
    ("区委办", "区委办督查室", "", false, ""),
    ("区政府办", "区政府办督查室", "", false, ""),
    (
        "区公安局",
        "区公安局交巡警支队",
        "交巡警支队",
        true,
        "道路交通、危险化学品运输",
    ),
];

/// District SOEs.
pub(super) const SOES: &[&str] = &[
    "铜梁区城市建设投资（集团）有限公司",
    "铜梁区交通建设投资有限公司",
    "铜梁区水务集团有限公司",
];

/// Enterprises: (township, name, sector).
pub(super) const ENTERPRISES: &[(&str, &str, &str)] = &[
    ("巴川街道", "重庆铜梁某化工有限公司", "危险化学品"),
    ("东城街道", "铜梁区某燃气有限公司", "城镇燃气"),
    ("蒲吕街道", "重庆某建筑工程有限公司铜梁项目部", "建筑施工"),
    ("安居镇", "铜梁区安居古镇旅游开发有限公司", "旅游景区"),
    ("土桥镇", "重庆某机械制造有限公司", "工贸"),
    ("旧县街道", "铜梁区某石材开采有限公司", "非煤矿山"),
    ("南城街道", "铜梁区某商业综合体管理有限公司", "消防"),
    ("水口镇", "铜梁区某客运有限公司", "道路运输"),
];

/// Demo accounts: (username, display name, unit name, role).
pub const ACCOUNTS: &[(&str, &str, &str, Role)] = &[
    ("office", "区安委办管理员", "区安委办", Role::OfficeAdmin),
    ("sysadmin", "系统管理员", "区安委办", Role::SystemAdmin),
    ("secadmin", "安全管理员", "区安委办", Role::SecurityAdmin),
    ("auditor", "审计管理员", "区安委办", Role::Auditor),
    ("tipkeeper", "举报保密员", "区安委办", Role::TipCustodian),
    (
        "bachuan",
        "巴川街道安办操作员",
        "巴川街道",
        Role::UnitOperator,
    ),
    (
        "bachuan_leader",
        "巴川街道分管负责人",
        "巴川街道",
        Role::UnitLeader,
    ),
    ("anju", "安居镇安办操作员", "安居镇", Role::UnitOperator),
    ("yjj", "区应急局操作员", "区应急局", Role::UnitOperator),
    ("jtj", "区交通局操作员", "区交通局", Role::UnitOperator),
    (
        "fgw",
        "区发展改革委操作员",
        "区发展改革委",
        Role::UnitOperator,
    ),
    (
        "zjw",
        "区住房城乡建委操作员",
        "区住房城乡建委",
        Role::UnitOperator,
    ),
    (
        "gxq",
        "高新区管委会操作员",
        "高新区管委会",
        Role::UnitOperator,
    ),
    (
        "chengtou",
        "城投集团安全管理员",
        "铜梁区城市建设投资（集团）有限公司",
        Role::EnterpriseUser,
    ),
    (
        "huagong",
        "化工企业安全员",
        "重庆铜梁某化工有限公司",
        Role::EnterpriseUser,
    ),
];
