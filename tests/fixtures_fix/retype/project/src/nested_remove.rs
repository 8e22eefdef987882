use std::collections::HashMap;

pub struct Index {
    by_venue: HashMap<u64, HashMap<u64, u64>>,
}

impl Index {
    pub fn venues(&self) -> Vec<u64> {
        self.by_venue.keys().copied().collect()
    }

    /// The inner map's `remove` is on a value this file cannot type.
    pub fn cancel(&mut self, venue: u64, order: u64) {
        self.by_venue.entry(venue).or_default().remove(&order);
    }
}
