//! Extractors whose rejections are [`ApiError`]s, so a malformed query, path or body is a
//! 400 problem that names what is wrong.

use axum::response::{IntoResponse, Response};
use axum::{
    extract::{FromRequest, FromRequestParts, Request, rejection::JsonRejection},
    http::request::Parts,
};
use serde::{Serialize, de::DeserializeOwned};

use crate::error::ApiError;
use onair_core::ProblemCode;

/// Query parameters, refused with a 400 that names the parameter at fault.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str(query).map(Query).map_err(|e| {
            ApiError::invalid(
                ProblemCode::InvalidQuery,
                format!("invalid query string: {e}"),
            )
        })
    }
}

/// A JSON body, refused with 415 (not JSON) or 400 (malformed, or the wrong shape); as a
/// response, a JSON answer. Every request body of the API is a JSON object: serde would
/// otherwise also read a struct from an array of its fields in order (`["name"]`).
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) if !v.is_object() => Err(ApiError::invalid(
                ProblemCode::InvalidBody,
                format!("the body must be a JSON object, not {}", json_kind(&v)),
            )),
            Ok(axum::Json(v)) => serde_json::from_value(v).map(Json).map_err(|e| {
                ApiError::invalid(
                    ProblemCode::InvalidBody,
                    format!("the body does not have the expected fields: {e}"),
                )
            }),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::UnsupportedMediaType(
                "send the body as JSON with `Content-Type: application/json`".into(),
            )),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError::invalid(
                ProblemCode::InvalidJson,
                format!("the body is not valid JSON: {}", e.body_text()),
            )),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::invalid(
                ProblemCode::InvalidBody,
                format!(
                    "the body does not have the expected fields: {}",
                    e.body_text()
                ),
            )),
            Err(other) => Err(ApiError::Rejected(other.status(), other.body_text())),
        }
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
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
            .map_err(|e| ApiError::invalid(ProblemCode::InvalidPath, e.body_text()))
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

/// For routes that take no query parameters: any parameter is refused with a 400 naming it,
/// as on the routes that do take some, so a typo never passes silently.
pub struct NoQuery;

impl<S: Send + Sync> FromRequestParts<S> for NoQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(query) = parts.uri.query().filter(|q| !q.is_empty()) else {
            return Ok(NoQuery);
        };
        let name = query.split('&').next().unwrap_or_default();
        let name = name.split('=').next().unwrap_or_default();
        let name: String = name.chars().take(64).flat_map(char::escape_debug).collect();
        Err(ApiError::invalid_field(
            ProblemCode::InvalidQuery,
            &name,
            format!("this route takes no query parameters, but got `{name}`"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use axum::{body::Body, http::header::CONTENT_TYPE};
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Named {
        #[allow(dead_code)]
        name: String,
    }

    async fn read(body: &'static str) -> Result<Json<Named>, ApiError> {
        let req = Request::builder()
            .header(CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        Json::<Named>::from_request(req, &()).await
    }

    fn code(e: ApiError) -> &'static str {
        e.to_problem().0.code.as_str()
    }

    #[tokio::test]
    async fn bodies_are_objects_with_the_expected_fields() {
        assert!(read(r#"{"name": "a"}"#).await.is_ok());
        for (body, expected) in [
            (r#"["a"]"#, "invalid_body"),
            ("null", "invalid_body"),
            ("\"a\"", "invalid_body"),
            ("7", "invalid_body"),
            (r#"{"name": 7}"#, "invalid_body"),
            (r#"{"name": "a", "x": 1}"#, "invalid_body"),
            (r#"{"name": "a""#, "invalid_json"),
        ] {
            let e = read(body)
                .await
                .err()
                .unwrap_or_else(|| panic!("{body} accepted"));
            assert_eq!(code(e), expected, "{body}");
        }
    }
}
