use std::time::Instant;
use rand::rng;

pub mod book;
pub mod clock;
#[cfg(test)]
mod tests;

pub fn tick(started: Instant) -> u64 {
    let now = Instant::now();
    let log = Instant::now(); // dst-ok: log timing only
    let jitter = rng().random_range(0..3); // dst-ok
    #[cfg(not(madsim))]
    std::thread::spawn(|| {});
    let path = "a,b:c%";
    now.duration_since(started).as_nanos() as u64 + jitter + log.elapsed().as_nanos() as u64
}
