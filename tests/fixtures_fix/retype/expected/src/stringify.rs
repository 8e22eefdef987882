//! `stringify!` turns a name into text: it is not rewritten, and is not a use of the import.
use indexmap::IndexMap;

pub const NAME: &str = stringify!(HashMap);

pub fn ids(m: &IndexMap<u64, u64>) -> Vec<u64> {
    let _v = vec![IndexMap::<u64, u64>::new()];
    m.keys().copied().collect()
}
