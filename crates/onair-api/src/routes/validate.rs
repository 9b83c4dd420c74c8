//! Small input checks shared by the resource routers.

use crate::error::ApiError;

/// A human label: trimmed, 1 to `max` characters, no control characters.
pub fn label(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let value = value.trim();
    let count = value.chars().count();
    if count == 0 || count > max || value.chars().any(char::is_control) {
        return Err(ApiError::invalid_field(
            "invalid_body",
            field,
            format!("`{field}` must be 1 to {max} characters, without control characters"),
        ));
    }
    Ok(value.to_owned())
}

/// Parses a path id of a known kind, or answers 400 saying what the id should look like.
pub fn path_id<T: std::str::FromStr<Err = onair_store::IdParseError>>(
    raw: &str,
) -> Result<T, ApiError> {
    raw.parse()
        .map_err(|e: onair_store::IdParseError| ApiError::invalid("invalid_id", e.to_string()))
}
