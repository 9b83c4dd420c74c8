//! The PostgreSQL backend of the onair Store.
