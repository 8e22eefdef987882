//! The deterministic part: state changes only from events and the clock seam.
use crate::clock::Clock;
use std::collections::BTreeMap;

pub struct Engine<C: Clock> {
    clock: C,
    books: BTreeMap<String, u64>,
}

impl<C: Clock> Engine<C> {
    pub fn new(clock: C) -> Self {
        Engine { clock, books: BTreeMap::new() }
    }

    pub fn apply(&mut self, instrument: &str, qty: u64) -> u64 {
        let started = std::time::Instant::now(); // dst-ok: log timing, never feeds state
        *self.books.entry(instrument.to_string()).or_insert(0) += qty;
        let _ = started.elapsed();
        self.clock.now_ns()
    }
}
