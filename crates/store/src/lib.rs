//! Storage of anjian on SQLite and PostgreSQL from one SQL text.
//!
//! Handlers never see a pool: each capability module offers functions named in domain
//! words that take the [`Scope`] of the caller, run one transaction per user action and
//! append the audit entry inside it.

pub mod accidents;
pub mod accountability;
pub mod accounts;
pub mod assessments;
pub mod audit;
pub mod audit_export;
pub mod authz;
pub mod blacklist;
pub mod bulletins;
pub mod calendar;
pub mod cases;
pub mod city;
pub mod contracts;
pub mod crackdown;
pub mod daily;
pub mod dashboard;
pub mod db;
pub mod directory;
pub mod discretion;
pub mod duty;
pub mod duty_file;
pub mod enforcements;
pub mod enterprises;
pub mod error;
pub mod expansion;
pub mod experts;
pub mod files;
pub mod follow;
pub mod hazards;
pub mod ids;
pub mod inspection_plans;
pub mod investigations;
pub mod major_listing;
pub mod migrate;
pub mod monthly_reports;
pub mod notices;
pub mod obligations;
pub mod outbox;
pub mod paging;
pub mod plan_editor;
pub mod plans;
pub mod projects;
pub mod rankings;
pub mod rate_limits;
pub mod records;
pub mod reminders;
pub mod reports;
pub mod responsible;
pub mod risk_measures;
pub mod scope;
pub mod settings;
pub mod special_periods;
pub mod tips;
pub(crate) mod transition;
pub mod visits;
pub mod warnings;
pub mod workers;

pub use db::{Backend, Db, Tx, q};
pub use error::{Error, Result};
pub use scope::{Actor, Scope};
