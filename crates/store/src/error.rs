//! Storage errors with stable codes.

use anjian_core::FieldError;

/// What went wrong in storage. `NotFound` also stands for "out of scope": a caller
/// never learns that an object it may not see exists.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("对象不存在")]
    NotFound,
    #[error("{0}")]
    Invalid(#[from] FieldError),
    #[error("{message}")]
    Conflict {
        code: &'static str,
        field: &'static str,
        message: String,
    },
    #[error("无权执行此操作")]
    Forbidden,
    #[error("配置错误：{0}")]
    Config(String),
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("参数编码错误：{0}")]
    Encode(sqlx::error::BoxDynError),
    #[error("文件存储错误：{0}")]
    Files(String),
    #[error("审计链校验失败：第{seq}条，{reason}")]
    ChainBroken { seq: i64, reason: String },
}

impl Error {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound => "not_found",
            Error::Invalid(e) => e.code,
            Error::Conflict { code, .. } => code,
            Error::Forbidden => "forbidden",
            Error::Config(_) => "config",
            Error::Db(_) | Error::Encode(_) => "database",
            Error::Files(_) => "files",
            Error::ChainBroken { .. } => "audit_chain_broken",
        }
    }

    /// Whether the database refused a duplicate key.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Error::Db(sqlx::Error::Database(d)) if d.is_unique_violation())
    }

    /// Bad input on `field` (422), with a message for the user.
    pub fn invalid(code: &'static str, field: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid(anjian_core::FieldError::new(code, field, message))
    }

    /// A state change that found the row no longer in the state it was read in (a
    /// conditional `UPDATE … WHERE state = expected` that changed `rows` rows): 409 with
    /// `message`.
    pub fn unless_changed(rows: u64, field: &'static str, message: &str) -> Result<()> {
        if rows == 0 {
            Err(Error::conflict("state_changed", field, message))
        } else {
            Ok(())
        }
    }

    /// A conflict on `field`.
    pub fn conflict(code: &'static str, field: &'static str, message: impl Into<String>) -> Self {
        Error::Conflict {
            code,
            field,
            message: message.into(),
        }
    }
}

/// Result of a storage call.
pub type Result<T> = std::result::Result<T, Error>;
