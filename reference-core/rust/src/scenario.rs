//! The seeded input stream of a run (the same draws as the Python core's scenario module).
use crate::fields;
use crate::model::{Event, MARKETS, TICK_NS};
use crate::prng::SplitMix64;

const START_MIDS: [i64; 3] = [10_000, 2_000, 10_010];

pub fn generate(seed: u64, steps: i64) -> Vec<Event> {
    let mut rng = SplitMix64::new(seed);
    let mut mids = START_MIDS;
    let mut halted = 0;
    let mut events = Vec::new();
    for step in 0..steps {
        let base = step * TICK_NS;
        for (i, (venue, instrument)) in MARKETS.iter().enumerate() {
            if rng.below(100) < 60 {
                mids[i] = (mids[i] + rng.below(7) - 3).max(10);
                let bid = mids[i] - 1 - rng.below(2);
                let ask = mids[i] + 1 + rng.below(2);
                let time = base + rng.below(3) * 1000;
                events.push(Event::new(
                    time,
                    "market",
                    venue,
                    instrument,
                    "quote",
                    i as i64,
                    fields![("bid", bid), ("ask", ask)],
                ));
            }
        }
        if step % 10 == 9 {
            events.push(Event::new(base, "timer", "-", "-", "tick", 0, fields![]));
        }
        let roll = rng.below(100);
        if (halted == 1 && roll < 20) || (halted == 0 && roll < 2) {
            halted ^= 1;
            let time = base + rng.below(3) * 1000;
            events.push(Event::new(
                time,
                "control",
                "-",
                "-",
                "halt",
                0,
                fields![("value", halted)],
            ));
        }
    }
    events
}
