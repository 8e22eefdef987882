use ahash::AHashMap;
use std::collections::{BTreeMap, HashSet};

/// The order book: iteration order reaches the trace.
pub struct Book {
    levels: AHashMap<u64, u64>, // price -> size
    seen: HashSet<u64>,
    other: BTreeMap<u64, u64>,
}

impl Book {
    pub fn new() -> Self {
        Book { levels: AHashMap::new(), seen: HashSet::with_capacity(4), other: BTreeMap::new() }
    }

    pub fn cancel(&mut self, price: u64) {
        self.levels.remove(&price);
        self.seen.remove(&price);
        self.other.remove(&price); // a BTreeMap keeps `remove`
    }

    pub fn prices(&self) -> Vec<u64> {
        self.levels.keys().copied().collect()
    }
}
