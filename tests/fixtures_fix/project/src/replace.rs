// Configured replacements (safe): the written form is kept.
use std::time::Instant;
use std::time::{Duration, SystemTime}; // Duration stays in use

/// A name an import brought in becomes the replacement's name, imported.
pub fn short() -> u64 {
    let started = Instant::now(); // comment after the site
    drop(started);
    0
}

pub fn typed() -> u64 {
    let wall = SystemTime::now();
    let _ = Duration::from_secs(1);
    0
}

/* A path written in full stays written in full. */
pub fn full() -> std::time::SystemTime {
    std::time::SystemTime::now()
}

pub fn in_macro() -> String {
    format!("{:?}", Instant::now())
}

mod inner {
    // An inline module gets its own import.
    use std::time::Instant as Timer;

    pub fn aliased() -> u64 {
        let _ = Timer::now();
        0
    }
}
