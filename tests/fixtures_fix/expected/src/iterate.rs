use indexmap::IndexSet;

pub fn unique(ids: &[u64]) -> Vec<u64> {
    let mut seen: IndexSet<u64> = IndexSet::new();
    for id in ids {
        seen.insert(*id);
    }
    seen.shift_remove(&0);
    let mut out = Vec::new();
    for id in &seen {
        out.push(*id);
    }
    out
}
