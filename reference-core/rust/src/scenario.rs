//! The seeded input stream of a run (the same draws as the Python core's scenario module),
//! shaped by the run's profile, with the profile's settings, produced one step at a time as
//! the run consumes it.
use crate::fields;
use crate::model::Event;
use crate::prng::SplitMix64;
use crate::spec::{spec, Profile};
use crate::stream::Stream;

#[derive(Clone, Debug)]
pub struct Scenario {
    profile: &'static Profile,
    rng: SplitMix64,
    mids: Vec<i64>,
    halted: i64,
}

impl Scenario {
    pub fn new(seed: i64, profile: &str) -> Self {
        let s = spec();
        Scenario {
            profile: &s.profiles[profile],
            rng: SplitMix64::new(seed as u64),
            mids: s.markets.iter().map(|m| m.2).collect(),
            halted: 0,
        }
    }

    /// Append the events of one step; steps must be asked for in order, each once.
    pub fn step(&mut self, step: i64, events: &mut Vec<Event>) {
        let s = spec();
        let (p, rng) = (self.profile, &mut self.rng);
        let base = step * s.tick_ns;
        for (i, (venue, instrument, _)) in s.markets.iter().enumerate() {
            if rng.below(100) < p.quote_pct {
                let mid = (self.mids[i] + rng.below(7) - 3).max(10);
                self.mids[i] = mid;
                let bid = mid - 1 - rng.below(2);
                let ask = mid + 1 + rng.below(2);
                let time = base + rng.below(3) * 1000;
                let payload = fields![("ask", ask), ("bid", bid)];
                events.push(Event::new(
                    time, "market", venue, instrument, "quote", i as i64, payload,
                ));
            }
        }
        if step % p.timer_every == p.timer_every - 1 {
            events.push(Event::new(base, "timer", "-", "-", "tick", 0, fields![]));
        }
        let roll = rng.below(100);
        if (self.halted == 1 && roll < p.halt_off_pct) || (self.halted == 0 && roll < p.halt_on_pct) {
            self.halted ^= 1;
            let time = base + rng.below(3) * 1000;
            events.push(Event::new(
                time,
                "control",
                "-",
                "-",
                "halt",
                0,
                fields![("value", self.halted)],
            ));
        }
    }
}

pub fn generate(seed: i64, steps: i64, profile: &str) -> Vec<Event> {
    let mut scenario = Scenario::new(seed, profile);
    let mut events = Vec::new();
    for step in 0..steps {
        scenario.step(step, &mut events);
    }
    events
}

/// The whole input of a seeded run: header, the profile's settings, and a generator for the
/// events (`Stream::text` draws them all up front instead).
pub fn seeded(seed: i64, steps: i64, profile: &str) -> Stream {
    Stream {
        seed,
        steps,
        sim: true,
        profile: profile.to_string(),
        settings: spec().profile_settings.get(profile).cloned().unwrap_or_default(),
        events: Vec::new(),
        scenario: Some(Scenario::new(seed, profile)),
    }
}
