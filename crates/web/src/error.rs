//! Errors as the user sees them: a status, a stable code, a Chinese message and the
//! field at fault. The API renders `{"error":{"code","message","field"}}`; pages render
//! a friendly error page.
//!
//! Rules: an out-of-scope object is 404 (never 403); validation is 400 or 422 with the
//! field; a conflict is 409; a database failure is logged and shown as a plain 500.

use anjian_core::FieldError;
use anjian_store::Error as StoreError;
use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

/// A problem to report to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    /// The other problems of the same form, each on its field (told at once).
    pub also: Vec<FieldProblem>,
}

/// One more problem of a form: its code, field and message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub code: String,
    pub field: String,
    pub message: String,
}

impl Problem {
    /// A problem with a status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Problem {
            status,
            code,
            message: message.into(),
            field: None,
            also: Vec::new(),
        }
    }

    /// 404.
    pub fn not_found() -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "您要找的内容不存在，或不在您的数据范围内",
        )
    }

    /// 500, for what cannot happen but must not panic (no random source).
    pub fn internal() -> Self {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "服务器内部错误，请稍后重试",
        )
    }

    /// 401.
    pub fn unauthorized() -> Self {
        Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "请先登录")
    }

    /// 403 (for functions, never for objects).
    pub fn forbidden() -> Self {
        Problem::new(StatusCode::FORBIDDEN, "forbidden", "您的角色无权使用此功能")
    }

    /// 400 naming a field.
    pub fn bad_field(code: &'static str, field: &'static str, message: impl Into<String>) -> Self {
        Problem {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
            field: Some(field.to_string()),
            also: Vec::new(),
        }
    }
}

impl From<FieldError> for Problem {
    fn from(e: FieldError) -> Self {
        Problem {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: e.code,
            message: e.message,
            field: Some(e.field.to_string()),
            also: e
                .also
                .into_iter()
                .map(|a| FieldProblem {
                    code: a.code.to_string(),
                    field: a.field.to_string(),
                    message: a.message,
                })
                .collect(),
        }
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Problem::not_found(),
            StoreError::Invalid(f) => f.into(),
            StoreError::Conflict {
                code,
                field,
                message,
            } => Problem {
                status: StatusCode::CONFLICT,
                code,
                message,
                field: Some(field.to_string()),
                also: Vec::new(),
            },
            StoreError::Forbidden => Problem::forbidden(),
            other => {
                tracing::error!(error = %other, "storage failure");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "服务器内部错误，请稍后重试",
                )
            }
        }
    }
}

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub Problem);

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
    /// The form's other problems, each on its field, when the check found several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<FieldProblem>,
}

impl<E: Into<Problem>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let p = self.0;
        let body = ErrorBody {
            error: ErrorDetail {
                code: p.code.to_string(),
                message: p.message,
                field: p.field,
                also: p.also,
            },
        };
        (p.status, Json(body)).into_response()
    }
}

/// An error answered as a page.
#[derive(Debug)]
pub struct PageError(pub Problem);

impl<E: Into<Problem>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

/// The friendly error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub title: &'static str,
    pub message: String,
}

impl ErrorPage {
    /// The page for a problem.
    pub fn of(p: &Problem) -> Self {
        let title = match p.status.as_u16() {
            401 => "请先登录",
            403 => "无权访问",
            404 => "页面不存在",
            409 => "操作冲突",
            413 => "提交的内容过大",
            400 | 422 => "填写有误",
            429 => "操作过于频繁",
            _ => "服务器出错了",
        };
        ErrorPage {
            status: p.status.as_u16(),
            title,
            message: p.message.clone(),
        }
    }
}

/// Renders a page that carries a form: 422 when it shows a refusal, 200 otherwise.
pub fn render_form<T: Template>(t: &T, refused: bool) -> Response {
    let mut r = render(t);
    if refused && r.status() == StatusCode::OK {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// Renders a template into a response, or the 500 page if rendering fails.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failure");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<h1>服务器出错了</h1>".to_string()),
            )
                .into_response()
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut r = render(&ErrorPage::of(&self.0));
        *r.status_mut() = self.0.status;
        r
    }
}
