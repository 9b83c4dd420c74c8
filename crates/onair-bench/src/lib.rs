//! The pieces of the onair benchmark shared by its binaries and tests: the floor server
//! (a bare axum server answering onair's captured response from memory), a keep-alive
//! client over one connection (for instruction counts), and the parsers of what the load
//! generators and callgrind write.

pub mod callgrind;
pub mod floor;
pub mod oha;
pub mod wire;
