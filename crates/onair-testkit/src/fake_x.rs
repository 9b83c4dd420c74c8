//! A fake of the X API v2 Spaces endpoints.
