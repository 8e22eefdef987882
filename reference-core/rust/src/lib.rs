//! The Rust half of the reference core. It mirrors `reference-core/python/refcore` module for
//! module and must write byte-identical traces for the same inputs; `refcore parity` checks it.
pub mod clock;
pub mod core;
pub mod harness;
pub mod model;
pub mod prng;
pub mod replay;
pub mod scenario;
pub mod sequencer;
pub mod strategy;
pub mod venue;

#[cfg(feature = "live")]
pub mod live;
