//! The clock seam: simulation reads virtual time; only the wall clock touches the OS.
use std::time::{SystemTime, UNIX_EPOCH};

pub trait Clock {
    fn now_ns(&self) -> u64;
}

pub struct VirtualClock {
    pub now_ns: u64,
}

impl Clock for VirtualClock {
    fn now_ns(&self) -> u64 {
        self.now_ns
    }
}

pub struct WallClock;

impl Clock for WallClock {
    fn now_ns(&self) -> u64 {
        let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        since.as_nanos() as u64
    }
}
