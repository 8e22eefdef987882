//! An entry bound with its declared type: its `remove()` is proven, and keeps order as `shift_remove()`.
use indexmap::IndexMap;
use indexmap::map::Entry;
use indexmap::map::OccupiedEntry;

pub fn drop_it(e: OccupiedEntry<'_, u64, u64>) -> u64 {
    e.shift_remove()
}

pub fn ids(m: &IndexMap<u64, u64>) -> Vec<u64> {
    m.keys().copied().collect()
}

pub fn bump(m: &mut IndexMap<u64, u64>, k: u64) {
    if let Entry::Vacant(v) = m.entry(k) {
        v.insert(1);
    }
}
