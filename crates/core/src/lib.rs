//! Pure rules of anjian: the domain values every other layer trusts once parsed,
//! password policy, the audit-chain digest, Asia/Shanghai time, and the directory
//! sheet codec. Nothing here does I/O.

pub mod accident;
pub mod accountability;
pub mod assessment;
pub mod audit;
pub mod blacklist;
pub mod bulletin;
pub mod calendar;
pub mod case;
pub mod channel;
pub mod chart;
pub mod checkpoint;
pub mod contract;
pub mod crackdown;
pub mod daily;
pub mod directory;
pub mod discretion;
pub mod duty;
pub mod enforcement;
pub mod enterprise;
pub mod error;
pub mod evidence;
pub mod grid;
pub mod hazard;
pub mod investigation;
pub mod ledger;
pub mod machine;
pub mod monthly_report;
pub mod obligation;
pub mod password;
pub mod permission;
pub mod plan;
pub mod project;
pub mod qr;
pub mod ranking;
pub mod records;
pub mod responsibility;
pub mod role;
pub mod schedule;
pub mod sealed;
pub mod second_factor;
pub mod sector;
pub mod sheet;
pub mod strip;
pub mod time;
pub mod tip;
pub mod tip_state;
pub mod unit;
pub mod visit;
pub mod warning;
pub mod worker;

pub use error::{FieldError, Result};
