//! The clock seam. The core only ever sees virtual time; the wall clock exists for live mode and
//! is the one place in the core allowed to read the operating system's time.
use std::time::{SystemTime, UNIX_EPOCH};

pub trait Clock {
    fn now_ns(&self) -> i64;
}

#[derive(Default)]
pub struct VirtualClock {
    pub now: i64,
}

impl VirtualClock {
    pub fn advance(&mut self, ns: i64) {
        self.now += ns;
    }
}

impl Clock for VirtualClock {
    fn now_ns(&self) -> i64 {
        self.now
    }
}

pub struct WallClock;

impl Clock for WallClock {
    fn now_ns(&self) -> i64 {
        let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        since.as_nanos() as i64
    }
}
