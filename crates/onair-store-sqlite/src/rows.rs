//! What every resource's rows share: times and ids as SQLite returns them.

use chrono::{DateTime, NaiveDateTime, Utc};
use onair_store::{ErrorContext, StoreError};

/// Timestamps are TEXT in one fixed-width UTC form, so text order is time order.
const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

pub(crate) fn time_text(at: DateTime<Utc>) -> String {
    at.format(TIME_FORMAT).to_string()
}

pub(crate) fn parse_time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    NaiveDateTime::parse_from_str(text, TIME_FORMAT)
        .map(|t| t.and_utc())
        .map_err(|e| {
            StoreError::other(ErrorContext::new(
                format!("the database holds a malformed time `{text}`"),
                e,
            ))
        })
}

pub(crate) fn parse_opt_time(text: Option<String>) -> Result<Option<DateTime<Utc>>, StoreError> {
    text.as_deref().map(parse_time).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_fixed_width_and_round_trip() {
        let early = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let late = early + chrono::TimeDelta::microseconds(123_456);
        assert_eq!(time_text(early), "2026-01-02T03:04:05.000000Z");
        assert_eq!(time_text(late), "2026-01-02T03:04:05.123456Z");
        assert!(time_text(early) < time_text(late));
        assert_eq!(parse_time(&time_text(late)).unwrap(), late);
        assert!(parse_time("yesterday").is_err());
    }
}
