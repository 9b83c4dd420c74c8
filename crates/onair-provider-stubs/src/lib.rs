//! Networks with no usable public live-audio API, reported honestly.
