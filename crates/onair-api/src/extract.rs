//! Extractors whose rejections are [`ApiError`]s, so a malformed query, path or body is a
//! 400 problem that names what is wrong.

use axum::response::{IntoResponse, Response};
use axum::{
    extract::{FromRequest, FromRequestParts, Request, rejection::JsonRejection},
    http::request::Parts,
};
use serde::{Serialize, de::DeserializeOwned};

use crate::error::ApiError;

/// Query parameters, refused with a 400 that names the parameter at fault.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str(query)
            .map(Query)
            .map_err(|e| ApiError::invalid("invalid_query", format!("invalid query string: {e}")))
    }
}

/// A JSON body, refused with 415 (not JSON) or 400 (malformed, or the wrong shape); as a
/// response, a JSON answer.
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::UnsupportedMediaType(
                "send the body as JSON with `Content-Type: application/json`".into(),
            )),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError::invalid(
                "invalid_json",
                format!("the body is not valid JSON: {}", e.body_text()),
            )),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::invalid(
                "invalid_body",
                format!(
                    "the body does not have the expected fields: {}",
                    e.body_text()
                ),
            )),
            Err(other) => Err(ApiError::Rejected(other.status(), other.body_text())),
        }
    }
}

/// Path parameters, refused with a 400 (e.g. for invalid percent-encoding).
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|e| ApiError::invalid("invalid_path", e.body_text()))
    }
}

/// A JSON body that may be left out entirely (no body, no content type): then the
/// default value is used.
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let headers = req.headers();
        let no_type = !headers.contains_key(axum::http::header::CONTENT_TYPE);
        let empty = headers
            .get(axum::http::header::CONTENT_LENGTH)
            .is_none_or(|v| v.as_bytes() == b"0");
        if no_type && empty {
            let body = axum::body::to_bytes(req.into_body(), 1)
                .await
                .map_err(|_| {
                    ApiError::UnsupportedMediaType(
                        "send the body as JSON with `Content-Type: application/json`".into(),
                    )
                })?;
            if body.is_empty() {
                return Ok(OptionalJson(T::default()));
            }
            return Err(ApiError::UnsupportedMediaType(
                "send the body as JSON with `Content-Type: application/json`".into(),
            ));
        }
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| OptionalJson(v))
    }
}
