use std::time::Instant as Clock;
use rand::rng;

pub mod book;

pub async fn on_tick(feed: Feed, timer: Timer) -> u64 {
    let started = Clock::now();
    let jitter: u64 = rng().random_range(0..10);
    tokio::select! {
        tick = feed.next() => apply(tick),
        _ = timer.fire() => flush(),
    }
    std::thread::spawn(move || persist(started));
    jitter
}
