//! A small workspace this repository guards with dstcheck: every clock read goes through the
//! clock seam, the one wall-clock read is allowlisted, and the live thread is compiled out of
//! the DST build.
pub mod clock;
pub mod engine;
#[cfg(not(madsim))]
pub mod live;
