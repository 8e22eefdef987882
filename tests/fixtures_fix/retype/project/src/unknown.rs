use std::collections::HashMap;

use crate::Other;

pub struct Local {
    pending: HashMap<u64, u64>,
}

impl Local {
    pub fn clear(&mut self) {
        self.pending.clear();
    }

    pub fn keys(&self) -> Vec<u64> {
        self.pending.keys().copied().collect()
    }
}

/// `Other` is declared in another file: whose `pending` this is, this file cannot tell.
pub fn cancel(other: &mut Other, k: u64) {
    other.pending.remove(&k);
}
