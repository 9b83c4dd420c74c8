//! The X Spaces adapter for onair.
