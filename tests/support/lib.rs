//! Helpers shared by the end-to-end tests: start the built `onair` binary against a store and the fake X.
