use std::collections::hash_map::Entry;
use std::collections::HashMap;

pub struct Holds {
    held: HashMap<u64, u64>,
}

impl Holds {
    /// An occupied entry's `remove()` is `swap_remove()` on an IndexMap's entry.
    pub fn release(&mut self, k: u64) -> Option<u64> {
        match self.held.entry(k) {
            Entry::Occupied(e) => Some(e.remove()),
            Entry::Vacant(_) => None,
        }
    }

    pub fn keys(&self) -> Vec<u64> {
        self.held.keys().copied().collect()
    }
}
