use indexmap::IndexMap;
use indexmap::map::Entry;

pub fn tally(words: &[u64]) -> Vec<(u64, u64)> {
    let mut counts: IndexMap<u64, u64> = IndexMap::new();
    for w in words {
        match counts.entry(*w) {
            Entry::Occupied(mut e) => *e.get_mut() += 1,
            Entry::Vacant(v) => {
                v.insert(1);
            }
        }
    }
    counts.into_iter().collect()
}
