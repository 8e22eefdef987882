//! The Rust half of the reference core. It mirrors `reference-core/python/refcore` module for
//! module, reads the same shared tables (`reference-core/core.spec`) and must write
//! byte-identical traces for the same inputs; `refcore parity` and the differential fuzzer check it.
pub mod clock;
pub mod core;
pub mod grammar;
pub mod harness;
pub mod model;
pub mod prng;
pub mod replay;
pub mod scenario;
pub mod sequencer;
pub mod spec;
pub mod strategy;
pub mod stream;
pub mod venue;

#[cfg(feature = "live")]
pub mod live;
