use std::collections::HashSet;

pub fn unique(ids: &[u64]) -> Vec<u64> {
    let mut seen: HashSet<u64> = HashSet::new();
    for id in ids {
        seen.insert(*id);
    }
    seen.remove(&0);
    let mut out = Vec::new();
    for id in &seen {
        out.push(*id);
    }
    out
}
