//! Reading JSON bodies and query strings field by field, collecting Discord's field errors
//! (50035) for everything wrong at once instead of stopping at the first.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::errors::{ApiError, BadSnowflake, FormErrors, parse_snowflake};

/// A field that may be absent, explicitly null, or set.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Field<T> {
    Absent,
    Null,
    Set(T),
}

impl<T> Field<T> {
    pub fn set(self) -> Option<T> {
        match self {
            Field::Set(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }
}

/// A JSON object body being read.
pub(crate) struct Form<'a> {
    map: &'a Map<String, Value>,
    pub errors: FormErrors,
}

/// Composed: Discord's request-level error for a body that is not a JSON object.
pub(crate) fn not_an_object() -> ApiError {
    let mut errors = FormErrors::default();
    errors.add(
        &[],
        "DICT_TYPE_CONVERT",
        "Only dictionaries may be used in a DictType",
    );
    errors.into_error()
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl<'a> Form<'a> {
    pub fn new(body: Option<&'a Value>) -> Result<Self, ApiError> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        let map = match body {
            None => EMPTY.get_or_init(Map::new),
            Some(Value::Object(map)) => map,
            Some(_) => return Err(not_an_object()),
        };
        Ok(Self {
            map,
            errors: FormErrors::default(),
        })
    }

    fn raw(&self, key: &str) -> Field<&'a Value> {
        match self.map.get(key) {
            None => Field::Absent,
            Some(Value::Null) => Field::Null,
            Some(v) => Field::Set(v),
        }
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// A string of `min..=max` characters.
    pub fn string(&mut self, key: &str, min: usize, max: usize) -> Field<String> {
        match self.raw(key) {
            Field::Absent => Field::Absent,
            Field::Null => Field::Null,
            Field::Set(Value::String(s)) => {
                let n = s.chars().count();
                if n < min || n > max {
                    self.errors.bad_length(&[key], min, max);
                    Field::Absent
                } else {
                    Field::Set(s.clone())
                }
            }
            Field::Set(_) => {
                self.errors
                    .wrong_type(&[key], "STRING_TYPE_CONVERT", "a string");
                Field::Absent
            }
        }
    }

    /// An integer out of `choices`.
    pub fn choice(&mut self, key: &str, choices: &[u64]) -> Field<u64> {
        let listed = choices
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        match self.raw(key) {
            Field::Absent => Field::Absent,
            Field::Null => Field::Null,
            Field::Set(v) => match v.as_u64() {
                Some(n) if choices.contains(&n) => Field::Set(n),
                Some(_) => {
                    self.errors.choices(&[key], &listed);
                    Field::Absent
                }
                None => {
                    self.errors.add(
                        &[key],
                        "NUMBER_TYPE_COERCE",
                        &format!("Value \"{}\" is not int.", describe(v)),
                    );
                    Field::Absent
                }
            },
        }
    }

    pub fn boolean(&mut self, key: &str) -> Field<bool> {
        match self.raw(key) {
            Field::Absent => Field::Absent,
            Field::Null => Field::Null,
            Field::Set(Value::Bool(b)) => Field::Set(*b),
            Field::Set(v) => {
                self.errors.add(
                    &[key],
                    "BOOLEAN_TYPE_CONVERT",
                    &format!("Value \"{}\" is not boolean.", describe(v)),
                );
                Field::Absent
            }
        }
    }

    /// A snowflake, as a string (or an integer, which Discord also takes).
    pub fn snowflake(&mut self, key: &str) -> Field<u64> {
        match self.raw(key) {
            Field::Absent => Field::Absent,
            Field::Null => Field::Null,
            Field::Set(v) => {
                let raw = describe(v);
                let parsed = match v {
                    Value::String(s) => parse_snowflake(s),
                    Value::Number(n) if n.is_u64() || n.is_i64() => parse_snowflake(&raw),
                    _ => Err(BadSnowflake::NotSnowflake),
                };
                match parsed {
                    Ok(id) => Field::Set(id),
                    Err(bad) => {
                        bad.report(&mut self.errors, &[key], &raw);
                        Field::Absent
                    }
                }
            }
        }
    }

    /// An ISO 8601 timestamp.
    pub fn time(&mut self, key: &str) -> Field<DateTime<Utc>> {
        match self.raw(key) {
            Field::Absent => Field::Absent,
            Field::Null => Field::Null,
            Field::Set(v) => match v.as_str().map(DateTime::parse_from_rfc3339) {
                Some(Ok(t)) => Field::Set(t.with_timezone(&Utc)),
                _ => {
                    // Composed: the contract does not capture Discord's text for this.
                    self.errors.add(
                        &[key],
                        "DATE_TIME_TYPE_PARSE",
                        &format!("Could not parse \"{}\". Should be ISO8601.", describe(v)),
                    );
                    Field::Absent
                }
            },
        }
    }

    /// A nested object (e.g. `entity_metadata`).
    pub fn object(&mut self, key: &str) -> Field<&'a Map<String, Value>> {
        match self.raw(key) {
            Field::Absent => Field::Absent,
            Field::Null => Field::Null,
            Field::Set(Value::Object(map)) => Field::Set(map),
            Field::Set(_) => {
                self.errors.add(
                    &[key],
                    "DICT_TYPE_CONVERT",
                    "Only dictionaries may be used in a DictType",
                );
                Field::Absent
            }
        }
    }

    pub fn finish(self) -> Result<(), ApiError> {
        self.errors.into_result()
    }
}

/// A boolean query parameter in any of Discord's forms (`True`/`true`/`1`, `False`/`false`/`0`).
pub(crate) fn query_bool(
    query: &[(String, String)],
    key: &str,
    errors: &mut FormErrors,
) -> Option<bool> {
    let (_, raw) = query.iter().find(|(k, _)| k == key)?;
    match raw.as_str() {
        "True" | "true" | "1" => Some(true),
        "False" | "false" | "0" => Some(false),
        _ => {
            // Composed, on the pattern of the observed coerce errors.
            errors.add(
                &[key],
                "BOOLEAN_TYPE_COERCE",
                &format!("Value \"{raw}\" is not boolean."),
            );
            None
        }
    }
}

/// A snowflake query parameter.
pub(crate) fn query_snowflake(
    query: &[(String, String)],
    key: &str,
    errors: &mut FormErrors,
) -> Option<u64> {
    let (_, raw) = query.iter().find(|(k, _)| k == key)?;
    match parse_snowflake(raw) {
        Ok(id) => Some(id),
        Err(bad) => {
            bad.report(errors, &[key], raw);
            None
        }
    }
}

/// An integer query parameter in `min..=max`.
pub(crate) fn query_int(
    query: &[(String, String)],
    key: &str,
    min: u64,
    max: u64,
    errors: &mut FormErrors,
) -> Option<u64> {
    let (_, raw) = query.iter().find(|(k, _)| k == key)?;
    match raw.parse::<u64>() {
        Ok(n) if n < min => {
            errors.add(
                &[key],
                "NUMBER_TYPE_MIN",
                &format!("int value should be greater than or equal to {min}."),
            );
            None
        }
        Ok(n) if n > max => {
            // Observed shape: "int value should be less than or equal to 99."
            errors.add(
                &[key],
                "NUMBER_TYPE_MAX",
                &format!("int value should be less than or equal to {max}."),
            );
            None
        }
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(
                &[key],
                "NUMBER_TYPE_COERCE",
                &format!("Value \"{raw}\" is not int."),
            );
            None
        }
    }
}
