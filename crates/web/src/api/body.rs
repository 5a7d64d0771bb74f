//! JSON bodies whose rejections are answered in the API's error shape, in Chinese.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Problem};

/// A JSON request body.
pub struct Body<T>(pub T);

/// A multipart body (a form with its files): anything else is refused in the API's
/// error shape, in Chinese.
pub struct Upload(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(Upload)
            .map_err(|e| {
                ApiError(Problem::new(
                    e.status(),
                    "multipart_required",
                    "请求体须为 multipart/form-data（表单字段与文件）",
                ))
            })
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(e) => Err(ApiError(rejection(e))),
        }
    }
}

fn rejection(e: JsonRejection) -> Problem {
    match e {
        JsonRejection::MissingJsonContentType(_) => Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "json_required",
            "请求体须为 JSON（Content-Type: application/json）",
        ),
        JsonRejection::JsonSyntaxError(_) => {
            Problem::new(StatusCode::BAD_REQUEST, "json_syntax", "JSON 格式错误")
        }
        JsonRejection::JsonDataError(d) => {
            let text = d.body_text();
            let field = text.split('`').nth(1).map(|f| f.to_string());
            let mut p = Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "json_field",
                match &field {
                    Some(f) => format!("字段 {f} 缺失或类型不对"),
                    None => "JSON 字段缺失或类型不对".to_string(),
                },
            );
            p.field = field.filter(|f| f.len() < 64);
            p
        }
        JsonRejection::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "请求体过大")
        }
        _ => Problem::new(StatusCode::BAD_REQUEST, "bad_body", "无法读取请求体"),
    }
}

/// Query parameters whose rejection is answered in the API's error shape.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Params(v)),
            Err(e) => {
                let text = e.body_text();
                let field = text
                    .split(['`', ':'])
                    .map(str::trim)
                    .find(|w| {
                        !w.is_empty()
                            && w.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                            && w.len() < 32
                    })
                    .map(str::to_string);
                let mut p = Problem::new(
                    StatusCode::BAD_REQUEST,
                    "bad_query",
                    match &field {
                        Some(f) => format!("查询参数 {f} 的值无效"),
                        None => "查询参数无效".to_string(),
                    },
                );
                p.field = field;
                Err(ApiError(p))
            }
        }
    }
}
