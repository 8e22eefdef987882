use indexmap::map::Entry;
use indexmap::IndexMap;

/// Pending counts per key: the entry API and a drain, on a field declared here.
pub struct Queue {
    pending: IndexMap<u64, u64>,
}

impl Queue {
    pub fn bump(&mut self, k: u64) {
        match self.pending.entry(k) {
            Entry::Occupied(mut e) => *e.get_mut() += 1,
            Entry::Vacant(v) => {
                v.insert(1);
            }
        }
    }

    pub fn flush(&mut self) -> Vec<(u64, u64)> {
        self.pending.drain(..).collect()
    }

    pub fn drop_key(&mut self, k: u64) {
        self.pending.shift_remove(&k);
    }
}
