//! A deterministic demo network for onair, usable with no upstream credentials.
