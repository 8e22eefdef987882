use std::collections::HashSet;

pub struct Seen {
    ids: HashSet<u64>,
}

impl Seen {
    pub fn take_all(&mut self) -> Vec<u64> {
        self.ids.drain().collect()
    }

    pub fn forget(&mut self, id: u64) -> Option<u64> {
        self.ids.take(&id)
    }
}
