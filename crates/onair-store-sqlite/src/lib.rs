//! The embedded SQLite backend of the onair Store.
