use ahash::AHashMap;

// No indexmap among this crate's dependencies: the retype fix does not apply here.
pub fn ids(m: &AHashMap<u64, u64>) -> Vec<u64> {
    m.keys().copied().collect()
}
