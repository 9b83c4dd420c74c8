//! The profile account-linking page, opened from a link token's URL by a tenant's end
//! user. It verifies the token, then lets the user store their own credentials for a
//! network on the profile (for X: an OAuth 2.0 user access token).

use axum::{
    extract::{Form, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use onair_core::{TokenError, UpstreamToken};
use onair_service::VerifiedLink;
use serde::Deserialize;

use crate::{error::ApiError, extract::Query, middleware::PageForPeople, state::AppState};
use onair_core::ProblemCode;

#[derive(Deserialize)]
pub struct TokenParam {
    token: Option<String>,
}

#[derive(Deserialize)]
pub struct LinkForm {
    token: String,
    network: String,
    credential: String,
}

async fn verify(state: &AppState, token: &str) -> Result<VerifiedLink, ApiError> {
    Ok(state.service.links.verify(token).await?)
}

fn escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

fn page(title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>{t}</title><style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}\
label{{display:block;margin-top:1rem}}input,select{{width:100%;padding:.4rem;font:inherit}}button{{margin-top:1rem;padding:.5rem 1rem;font:inherit}}</style></head>\
<body><h1>{t}</h1>{body}</body></html>",
        t = escape(title),
    );
    let mut response = Html(html).into_response();
    let headers = response.headers_mut();
    // The token travels in the URL: keep it out of referrers, caches and frames.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"),
    );
    response
}

/// Whether the request comes from a browser, which should get an error as a page.
fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/html"))
}

/// The end user holding the link reads errors in a browser: the same status, code and
/// detail as the problem, as a page.
fn for_the_reader(headers: &HeaderMap, result: Result<Response, ApiError>) -> Response {
    match result {
        Ok(response) => response,
        Err(e) if wants_html(headers) => {
            let (problem, _) = e.to_problem();
            let body = format!(
                "<p>{}.</p><p>Ask the service that sent you here for a new link.</p>",
                escape(&capitalised(&problem.detail))
            );
            let mut response = page(problem.title, &body);
            *response.status_mut() = problem.status;
            response.extensions_mut().insert(PageForPeople);
            response
        }
        Err(e) => e.into_response(),
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `GET /link?token=…`: the linking form.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(param): Query<TokenParam>,
) -> Response {
    for_the_reader(&headers, show_form(&state, param).await)
}

async fn show_form(state: &AppState, param: TokenParam) -> Result<Response, ApiError> {
    let token = param.token.ok_or_else(|| {
        ApiError::invalid_field(
            ProblemCode::InvalidQuery,
            "token",
            "open this page through a link token's URL",
        )
    })?;
    let v = verify(state, &token).await?;
    let options: String = state
        .service
        .registry
        .iter()
        .filter(|p| p.capabilities().needs_credentials)
        .map(|p| {
            format!(
                "<option value=\"{}\">{}</option>",
                escape(p.id().as_str()),
                escape(p.display_name())
            )
        })
        .collect();
    let body = format!(
        "<p>Connect an account for <strong>{name}</strong>. The credential is stored encrypted and used only for this profile.</p>\
<form method=\"post\" action=\"link\"><input type=\"hidden\" name=\"token\" value=\"{token}\">\
<label>Network<select name=\"network\">{options}</select></label>\
<label>Access token<input name=\"credential\" type=\"password\" autocomplete=\"off\" required></label>\
<button type=\"submit\">Connect</button></form>",
        name = escape(&v.profile_name),
        token = escape(&token),
    );
    Ok(page("Connect your account", &body))
}

/// A form that cannot be read: 415 when it is not a form, 413 when it is too large, else 400.
fn form_rejection(e: axum::extract::rejection::FormRejection) -> ApiError {
    match e.status() {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(
            "send the form as `Content-Type: application/x-www-form-urlencoded`".into(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::Rejected(e.status(), e.body_text()),
        _ => ApiError::invalid(ProblemCode::InvalidBody, e.body_text()),
    }
}

/// `POST /link`: stores the submitted credential on the profile.
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<LinkForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    for_the_reader(&headers, store_credential(&state, form).await)
}

async fn store_credential(
    state: &AppState,
    form: Result<Form<LinkForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, ApiError> {
    let Form(form) = form.map_err(form_rejection)?;
    let v = verify(state, &form.token).await?;
    let provider = state
        .service
        .registry
        .get(&form.network)
        .filter(|p| p.capabilities().needs_credentials)
        .ok_or_else(|| {
            ApiError::invalid_field(
                ProblemCode::InvalidBody,
                "network",
                "choose one of the listed networks",
            )
        })?;
    // The same rule as the API's, in words for a person pasting a token.
    let credential = UpstreamToken::parse(&form.credential).map_err(|e| {
        let detail = match e {
            TokenError::Empty => "paste the access token".to_owned(),
            TokenError::TooLong { len } => format!(
                "an access token is at most {} characters; this is {len}",
                UpstreamToken::MAX_LEN
            ),
            TokenError::NotVisibleAscii => {
                "paste the access token exactly, without spaces".to_owned()
            }
        };
        ApiError::invalid_field(ProblemCode::InvalidBody, "credential", &detail)
    })?;
    state
        .service
        .links
        .redeem(&v, provider, &credential)
        .await?;
    let body = format!(
        "<p>Your {} account is connected to <strong>{}</strong>. You can close this page.</p>",
        escape(provider.display_name()),
        escape(&v.profile_name)
    );
    Ok(page("Connected", &body))
}
