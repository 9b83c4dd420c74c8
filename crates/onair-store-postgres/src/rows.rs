//! What every resource's rows share: ids as Postgres returns them.

use onair_store::{ErrorContext, IdParseError, StoreError};

pub(crate) fn parse_id<T: std::str::FromStr<Err = IdParseError>>(
    text: &str,
) -> Result<T, StoreError> {
    text.parse()
        .map_err(|e| StoreError::other(ErrorContext::new("the database holds a malformed id", e)))
}

pub(crate) fn parse_opt_id<T: std::str::FromStr<Err = IdParseError>>(
    text: Option<String>,
) -> Result<Option<T>, StoreError> {
    text.as_deref().map(parse_id).transpose()
}
