// Configured replacements (safe): the written form is kept.
use std::time::Duration; // Duration stays in use
use crate::sim::Clock;
use crate::sim::time::now;

/// A name an import brought in becomes the replacement's name, imported.
pub fn short() -> u64 {
    let started = now(); // comment after the site
    drop(started);
    0
}

pub fn typed() -> u64 {
    let wall = Clock::wall();
    let _ = Duration::from_secs(1);
    0
}

/* A path written in full stays written in full. */
pub fn full() -> std::time::SystemTime {
    crate::sim::Clock::wall()
}

pub fn in_macro() -> String {
    format!("{:?}", now())
}

mod inner {
    // An inline module gets its own import.
    use crate::sim::time::now;

    pub fn aliased() -> u64 {
        let _ = now();
        0
    }
}
