use indexmap::IndexMap;

pub fn take(mut m: IndexMap<u64, u64>) -> Vec<u64> {
    let _ = IndexMap::shift_remove(&mut m, &2);
    m.keys().copied().collect()
}
