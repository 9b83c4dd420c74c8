//! Discord's error bodies: `{"code", "message"[, "errors"]}`, with the field tree of 50035
//! Invalid Form Body. Bodies quoted from real responses in the wire contract are marked
//! "observed"; the others are built from the documented code table and marked "composed".

use serde_json::{Map, Value, json};

/// An error answer: HTTP status and JSON body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub body: Value,
}

impl ApiError {
    fn new(status: u16, code: u64, message: &str) -> Self {
        Self {
            status,
            body: json!({"message": message, "code": code}),
        }
    }

    /// Observed: `{"message": "401: Unauthorized", "code": 0}`.
    pub fn unauthorized() -> Self {
        Self::new(401, 0, "401: Unauthorized")
    }

    /// Observed: `{"code": 0, "message": "404: Not Found"}` for a route Discord does not have.
    pub fn route_not_found() -> Self {
        Self::new(404, 0, "404: Not Found")
    }

    /// Composed, by analogy with the 401 and 404 bodies.
    pub fn method_not_allowed() -> Self {
        Self::new(405, 0, "405: Method Not Allowed")
    }

    /// Observed: `{"message": "Unknown Guild", "code": 10004}`.
    pub fn unknown_guild() -> Self {
        Self::new(404, 10004, "Unknown Guild")
    }

    /// Composed from the code table (10003).
    pub fn unknown_channel() -> Self {
        Self::new(404, 10003, "Unknown Channel")
    }

    /// Composed from the code table (10007; outside the contract's table, Discord's code).
    pub fn unknown_member() -> Self {
        Self::new(404, 10007, "Unknown Member")
    }

    /// Composed from the code table (10067); the contract presumes this for a channel that is
    /// not live.
    pub fn unknown_stage_instance() -> Self {
        Self::new(404, 10067, "Unknown Stage Instance")
    }

    /// Composed from the code table (10070).
    pub fn unknown_event() -> Self {
        Self::new(404, 10070, "Unknown Guild Scheduled Event")
    }

    /// Observed: `{"message": "Missing Access", "code": 50001}`.
    pub fn missing_access() -> Self {
        Self::new(403, 50001, "Missing Access")
    }

    /// Composed from the code table (50013, "Missing Permissions").
    pub fn missing_permissions() -> Self {
        Self::new(403, 50013, "Missing Permissions")
    }

    /// Composed from the code table (50024).
    pub fn wrong_channel_type() -> Self {
        Self::new(400, 50024, "Cannot execute action on this channel type")
    }

    /// Composed from the code table (50091).
    pub fn entity_type_mismatch() -> Self {
        Self::new(
            400,
            50091,
            "Guild scheduled event entity type is different from the entity you are trying to start",
        )
    }

    /// Composed from the code table (50109).
    pub fn invalid_json() -> Self {
        Self::new(400, 50109, "The request body contains invalid JSON.")
    }

    /// Composed from the code table (150006).
    pub fn stage_already_open() -> Self {
        Self::new(400, 150006, "The Stage is already open")
    }

    /// Composed from the code table (180000).
    pub fn event_finished() -> Self {
        Self::new(400, 180000, "Cannot update a finished event")
    }

    /// Composed from the code table (30038).
    pub fn too_many_events() -> Self {
        Self::new(
            400,
            30038,
            "Maximum number of uncompleted guild scheduled events reached (100)",
        )
    }

    /// Composed from Discord's code table (40005, "Request entity too large").
    pub fn too_large() -> Self {
        Self::new(413, 40005, "Request entity too large")
    }

    /// Composed: Discord's generic body for a 5xx it answers itself.
    pub fn server_error(status: u16) -> Self {
        let reason = http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Server Error");
        Self::new(status, 0, &format!("{status}: {reason}"))
    }
}

/// The `errors` tree of a 50035 answer, filled field by field.
#[derive(Debug, Default)]
pub(crate) struct FormErrors {
    tree: Map<String, Value>,
}

impl FormErrors {
    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    /// Adds `{"code", "message"}` under `path` (e.g. `["entity_metadata", "location"]`);
    /// an empty path is a request-level error (top-level `_errors`).
    pub fn add(&mut self, path: &[&str], code: &str, message: &str) {
        let mut node = &mut self.tree;
        for key in path {
            let next = node
                .entry((*key).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !next.is_object() {
                *next = Value::Object(Map::new());
            }
            let Value::Object(map) = next else { return };
            node = map;
        }
        let list = node
            .entry("_errors".to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = list {
            items.push(json!({"code": code, "message": message}));
        }
    }

    /// Documented sample: `BASE_TYPE_REQUIRED` "This field is required".
    pub fn required(&mut self, path: &[&str]) {
        self.add(path, "BASE_TYPE_REQUIRED", "This field is required");
    }

    /// Shape observed on other fields ("Must be between 1 and 80 in length.").
    pub fn bad_length(&mut self, path: &[&str], min: usize, max: usize) {
        self.add(
            path,
            "BASE_TYPE_BAD_LENGTH",
            &format!("Must be between {min} and {max} in length."),
        );
    }

    /// Documented sample: `BASE_TYPE_CHOICES` "Value must be one of (…)."
    pub fn choices(&mut self, path: &[&str], choices: &str) {
        self.add(
            path,
            "BASE_TYPE_CHOICES",
            &format!("Value must be one of {{{choices}}}."),
        );
    }

    /// Composed: a value of the wrong JSON type.
    pub fn wrong_type(&mut self, path: &[&str], code: &str, what: &str) {
        self.add(path, code, &format!("Must be {what}."));
    }

    /// 400 50035 "Invalid Form Body" with this tree (observed shape).
    pub fn into_error(self) -> ApiError {
        ApiError {
            status: 400,
            body: json!({"message": "Invalid Form Body", "code": 50035, "errors": Value::Object(self.tree)}),
        }
    }

    pub fn into_result(self) -> Result<(), ApiError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.into_error())
        }
    }
}

/// Why a snowflake was refused, with Discord's field error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadSnowflake {
    NotSnowflake,
    TooBig,
    Negative,
}

/// Reads a snowflake as Discord does: decimal digits up to 2^63−1; `0` is accepted.
pub(crate) fn parse_snowflake(raw: &str) -> Result<u64, BadSnowflake> {
    let (negative, digits) = match raw.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BadSnowflake::NotSnowflake);
    }
    if negative {
        return if digits.bytes().all(|b| b == b'0') {
            Ok(0)
        } else {
            Err(BadSnowflake::Negative)
        };
    }
    match digits.parse::<u64>() {
        Ok(n) if n <= i64::MAX as u64 => Ok(n),
        _ => Err(BadSnowflake::TooBig),
    }
}

impl BadSnowflake {
    /// Adds the observed field error for `raw` under `path`.
    pub fn report(self, errors: &mut FormErrors, path: &[&str], raw: &str) {
        match self {
            // Observed: `Value "roles" is not snowflake.` under the path parameter's name.
            BadSnowflake::NotSnowflake => errors.add(
                path,
                "NUMBER_TYPE_COERCE",
                &format!("Value \"{raw}\" is not snowflake."),
            ),
            // Observed.
            BadSnowflake::TooBig => errors.add(
                path,
                "NUMBER_TYPE_MAX",
                "snowflake value should be less than or equal to 9223372036854775807.",
            ),
            // Observed.
            BadSnowflake::Negative => errors.add(
                path,
                "NUMBER_TYPE_MIN",
                "snowflake value should be greater than or equal to 0.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snowflakes_are_read_like_discord() {
        assert_eq!(
            parse_snowflake("175928847299117063"),
            Ok(175928847299117063)
        );
        assert_eq!(parse_snowflake("0"), Ok(0));
        assert_eq!(parse_snowflake("9223372036854775807"), Ok(i64::MAX as u64));
        assert_eq!(
            parse_snowflake("9223372036854775808"),
            Err(BadSnowflake::TooBig)
        );
        assert_eq!(
            parse_snowflake("99999999999999999999999"),
            Err(BadSnowflake::TooBig)
        );
        assert_eq!(parse_snowflake("-5"), Err(BadSnowflake::Negative));
        for bad in ["", "roles", "12a", "1.5", " 1", "+1", "-"] {
            assert_eq!(
                parse_snowflake(bad),
                Err(BadSnowflake::NotSnowflake),
                "{bad}"
            );
        }
    }

    #[test]
    fn form_errors_nest_by_path() {
        let mut e = FormErrors::default();
        e.required(&["name"]);
        e.required(&["entity_metadata", "location"]);
        e.bad_length(&["name"], 1, 100);
        let body = e.into_error().body;
        assert_eq!(body["code"], 50035);
        assert_eq!(
            body["errors"]["name"]["_errors"].as_array().unwrap().len(),
            2
        );
        assert_eq!(
            body["errors"]["entity_metadata"]["location"]["_errors"][0]["code"],
            "BASE_TYPE_REQUIRED"
        );
    }
}
