//! Small input checks shared by the resource routers, and the OpenAPI schemas that state
//! the same rules, so that a client validating against the spec agrees with the server.

use utoipa::openapi::{ObjectBuilder, RefOr, Schema, Type, schema::SchemaType};

use onair_core::{ApiKeyName, ProfileName, UpstreamToken};

use crate::error::ApiError;
use onair_core::ProblemCode;

/// Longest API key name, in characters.
pub const MAX_API_KEY_NAME_CHARS: usize = ApiKeyName::MAX_CHARS;
/// Longest profile name, in characters.
pub const MAX_PROFILE_NAME_CHARS: usize = ProfileName::MAX_CHARS;
/// Longest upstream credential, in (ASCII) characters.
pub const MAX_TOKEN_LEN: usize = UpstreamToken::MAX_LEN;

pub use onair_core::{LabelError, check_label};

fn label_refused(field: &str, max: usize) -> ApiError {
    ApiError::invalid_field(
        ProblemCode::InvalidBody,
        field,
        format!("`{field}` must be 1 to {max} characters, without control characters"),
    )
}

/// An API key's name in a body.
pub fn api_key_name(field: &str, value: &str) -> Result<ApiKeyName, ApiError> {
    ApiKeyName::parse(value).map_err(|_| label_refused(field, ApiKeyName::MAX_CHARS))
}

/// A profile's name in a body.
pub fn profile_name(field: &str, value: &str) -> Result<ProfileName, ApiError> {
    ProfileName::parse(value).map_err(|_| label_refused(field, ProfileName::MAX_CHARS))
}

/// An upstream credential: trimmed, 1 to [`MAX_TOKEN_LEN`] visible ASCII characters.
pub fn token(value: &str) -> Result<UpstreamToken, ApiError> {
    UpstreamToken::parse(value).map_err(|_| {
        ApiError::invalid_field(
            ProblemCode::InvalidBody,
            "token",
            format!(
                "`token` must be 1 to {MAX_TOKEN_LEN} visible ASCII characters, without spaces"
            ),
        )
    })
}

/// Parses a path id of a known kind, or answers 400 saying what the id should look like.
pub fn path_id<T: std::str::FromStr<Err = onair_store::IdParseError>>(
    raw: &str,
) -> Result<T, ApiError> {
    raw.parse().map_err(|e: onair_store::IdParseError| {
        ApiError::invalid(ProblemCode::InvalidId, e.to_string())
    })
}

// The regex classes below are spelled with `\uXXXX` escapes, which ECMA-262 (JSON Schema's
// dialect), Python and Rust's `regex` all read the same way.

/// What `str::trim` removes: the Unicode `White_Space` characters.
const TRIMMED: &str = r"[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";
/// Any character but a control character (`char::is_control`).
const NOT_CONTROL: &str = r"[^\u0000-\u001f\u007f-\u009f]";
/// Any character that is neither a control character nor trimmed.
const VISIBLE: &str =
    r"[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";

/// The pattern of what [`check_label`] accepts with this `max`: once trimmed, 1 to `max`
/// characters, none of them a control character.
pub fn label_pattern(max: usize) -> String {
    // The first and last kept characters are visible; any between may be whitespace.
    let rest = match max {
        0 | 1 => String::new(),
        _ => format!("(?:{NOT_CONTROL}{{0,{}}}{VISIBLE})?", max - 2),
    };
    format!("^{TRIMMED}*{VISIBLE}{rest}{TRIMMED}*$")
}

/// The pattern of what [`token`] accepts.
pub fn token_pattern() -> String {
    format!("^{TRIMMED}*[!-~]{{1,{MAX_TOKEN_LEN}}}{TRIMMED}*$")
}

fn string_schema(nullable: bool, pattern: String, description: String) -> ObjectBuilder {
    let ty = if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(ty)
        .pattern(Some(pattern))
        .description(Some(description))
}

/// `name` of a new API key (optional).
pub fn api_key_name_schema() -> impl Into<RefOr<Schema>> {
    string_schema(
        true,
        label_pattern(MAX_API_KEY_NAME_CHARS),
        format!(
            "A label for the key: 1 to {MAX_API_KEY_NAME_CHARS} characters, without control \
             characters; surrounding whitespace is removed."
        ),
    )
    .examples([serde_json::json!("production")])
}

/// `name` of a new profile.
pub fn profile_name_schema() -> impl Into<RefOr<Schema>> {
    string_schema(
        false,
        label_pattern(MAX_PROFILE_NAME_CHARS),
        format!(
            "A label for the profile, e.g. your own user id for them: 1 to \
             {MAX_PROFILE_NAME_CHARS} characters, without control characters; surrounding \
             whitespace is removed."
        ),
    )
    .examples([serde_json::json!("customer-4711")])
}

/// `token` of stored upstream credentials.
pub fn token_schema() -> impl Into<RefOr<Schema>> {
    string_schema(
        false,
        token_pattern(),
        format!(
            "The upstream credential; for X, an OAuth 2.0 bearer token (app-only or user). 1 \
             to {MAX_TOKEN_LEN} visible ASCII characters; surrounding whitespace is removed."
        ),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::LazyLock;

    use proptest::prelude::*;
    use regex::Regex;

    use super::*;

    /// Characters on every side of the rules: whitespace that is and is not trimmed,
    /// control characters inside and outside ASCII, and plain text.
    fn tricky_char() -> impl Strategy<Value = char> {
        prop_oneof![
            Just(' '),
            Just('\t'),
            Just('\n'),
            Just('\u{0b}'),
            Just('\u{1c}'),
            Just('\u{7f}'),
            Just('\u{85}'),
            Just('\u{a0}'),
            Just('\u{200b}'),
            Just('\u{2028}'),
            Just('\u{3000}'),
            Just('\u{feff}'),
            Just('\u{0}'),
            Just('é'),
            Just('a'),
            Just('~'),
            any::<char>(),
        ]
    }

    fn tricky_string(max_len: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(tricky_char(), 0..max_len)
            .prop_map(|chars| chars.into_iter().collect())
    }

    // Compiled once: the token pattern's long repetition makes compiling it slow.
    static SHORT_LABEL: LazyLock<Regex> = LazyLock::new(|| Regex::new(&label_pattern(4)).unwrap());
    static TOKEN: LazyLock<Regex> = LazyLock::new(|| Regex::new(&token_pattern()).unwrap());

    proptest! {
        #[test]
        fn label_pattern_accepts_exactly_what_label_accepts(value in tricky_string(9)) {
            prop_assert_eq!(SHORT_LABEL.is_match(&value), check_label(&value, 4).is_ok(), "{:?}", value);
        }

        #[test]
        fn token_pattern_accepts_exactly_what_token_accepts(value in tricky_string(9)) {
            prop_assert_eq!(TOKEN.is_match(&value), token(&value).is_ok(), "{:?}", value);
        }
    }

    #[test]
    fn patterns_hold_at_the_length_limits() {
        let name = Regex::new(&label_pattern(MAX_PROFILE_NAME_CHARS)).unwrap();
        let longest = "é".repeat(MAX_PROFILE_NAME_CHARS);
        assert!(name.is_match(&longest) && check_label(&longest, MAX_PROFILE_NAME_CHARS).is_ok());
        let padded = format!("\u{3000} {longest}\n");
        assert!(name.is_match(&padded) && check_label(&padded, MAX_PROFILE_NAME_CHARS).is_ok());
        let too_long = format!("{longest}x");
        assert!(!name.is_match(&too_long));
        assert!(check_label(&too_long, MAX_PROFILE_NAME_CHARS).is_err());
        assert!(name.is_match("x") && !name.is_match(" \n "));

        let longest = "t".repeat(MAX_TOKEN_LEN);
        assert!(TOKEN.is_match(&longest) && token(&longest).is_ok());
        let too_long = format!("{longest}t");
        assert!(!TOKEN.is_match(&too_long) && token(&too_long).is_err());
    }
}
