use std::collections::BTreeMap;
use indexmap::IndexMap;
use indexmap::IndexSet;

/// The order book: iteration order reaches the trace.
pub struct Book {
    levels: IndexMap<u64, u64>, // price -> size
    seen: IndexSet<u64>,
    other: BTreeMap<u64, u64>,
}

impl Book {
    pub fn new() -> Self {
        Book { levels: IndexMap::new(), seen: IndexSet::with_capacity(4), other: BTreeMap::new() }
    }

    pub fn cancel(&mut self, price: u64) {
        self.levels.shift_remove(&price);
        self.seen.shift_remove(&price);
        self.other.remove(&price); // a BTreeMap keeps `remove`
    }

    pub fn prices(&self) -> Vec<u64> {
        self.levels.keys().copied().collect()
    }
}
