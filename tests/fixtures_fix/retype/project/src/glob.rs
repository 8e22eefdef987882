use std::collections::hash_map::*;
use std::collections::HashMap;

pub fn seed(m: &mut HashMap<u64, u64>, k: u64) {
    if let Entry::Vacant(v) = m.entry(k) {
        v.insert(0);
    }
}

pub fn ids(m: &HashMap<u64, u64>) -> Vec<u64> {
    m.keys().copied().collect()
}
