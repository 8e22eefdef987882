use indexmap::IndexMap;

pub struct Lookup {
    by_venue: IndexMap<u64, IndexMap<u64, u64>>,
}

impl Lookup {
    pub fn venues(&self) -> Vec<u64> {
        self.by_venue.keys().copied().collect()
    }

    /// `get_mut` gives the inner map: it is typed, and retyped with the outer one.
    pub fn cancel(&mut self, venue: u64, order: u64) {
        self.by_venue.get_mut(&venue).unwrap().shift_remove(&order);
    }
}
