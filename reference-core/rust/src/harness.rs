//! The seeded DST harness: a run state machine with a virtual-time budget (the commands are the
//! spec's), the driver that feeds a stream through sequencer, core and venue, and crash-and-
//! restart recovery by replaying the durable log and re-applying what came after its last
//! checkpoint.
use std::collections::BTreeMap;

use crate::clock::VirtualClock;
use crate::core::{Core, CoreError};
use crate::fields;
use crate::grammar::line;
use crate::model::{Event, Settings};
use crate::replay::{digest, lines, replay};
use crate::sequencer::Sequencer;
use crate::spec::spec;
use crate::stream::Stream;
use crate::venue::Venue;

#[derive(Debug, PartialEq, Eq)]
pub enum HarnessError {
    Illegal { command: String, state: String },
    BudgetExceeded { limit_ns: i64, observed_ns: i64 },
    Recovery(String),
}

pub struct Harness {
    pub budget_ns: i64,
    pub state: String,
    pub clock: VirtualClock,
    pub timeline: Vec<String>,
}

impl Harness {
    pub fn new(budget_ns: i64) -> Self {
        Harness {
            budget_ns,
            state: "initialized".into(),
            clock: VirtualClock::default(),
            timeline: Vec::new(),
        }
    }

    pub fn command(&mut self, name: &str, reason: &str) -> Result<(), HarnessError> {
        let (allowed, to) = spec().command(name).expect("a command the spec names");
        if !allowed.contains(&self.state) {
            let f = fields![
                ("cmd", name.to_string()),
                ("state", self.state.clone()),
                ("vt", self.clock.now)
            ];
            self.timeline.push(line("rejected", &f));
            return Err(HarnessError::Illegal {
                command: name.into(),
                state: self.state.clone(),
            });
        }
        if name == "step" {
            let tick = spec().tick_ns;
            if self.clock.now + tick > self.budget_ns {
                return Err(HarnessError::BudgetExceeded {
                    limit_ns: self.budget_ns,
                    observed_ns: self.clock.now + tick,
                });
            }
            self.clock.advance(tick);
        }
        self.state = to.to_string();
        self.timeline.push(format!(
            "harness cmd={name} reason={reason} state={to} vt={}",
            self.clock.now
        ));
        Ok(())
    }
}

pub struct RunResult {
    pub log: Vec<String>, // the replay log, in the chunks it was flushed in; every line ends in \n
    pub timeline: Vec<String>,
    pub events: i64,
    pub failure: Option<String>,
    pub latencies: Vec<i64>, // ns per apply, when a clock was given
}

impl RunResult {
    /// The trace's lines.
    pub fn trace(&self) -> Vec<&str> {
        self.log.iter().flat_map(|chunk| lines(chunk)).collect()
    }

    pub fn digest(&self) -> String {
        digest(self.log.iter().map(String::as_str))
    }

    pub fn timeline_digest(&self) -> String {
        digest(self.timeline.iter().flat_map(|l| [l.as_str(), "\n"]))
    }
}

/// A clock the benchmark passes in to time every apply; the core itself never reads one.
pub type Timer<'a> = &'a dyn Fn() -> i64;

struct Run<'a> {
    core: Core,
    sequencer: Sequencer,
    durable: Vec<String>,             // flushed at every checkpoint, a chunk each time
    retained: Vec<(i64, Vec<Event>)>, // (ingest, sequenced batch) since the checkpoint
    // What was written since the checkpoint, and is lost in a crash, is the core's `out`.
    clock: Option<Timer<'a>>,
    latencies: Vec<i64>,
}

fn feed(run: &mut Run, venue: &mut Option<Venue>, ingest: i64, batch: &mut Vec<Event>) -> Result<(), CoreError> {
    run.sequencer.sequence(batch, ingest, &run.core.settings);
    for ev in batch.iter() {
        let applied = match run.clock {
            None => run.core.apply(ev),
            Some(clock) => {
                let started = clock();
                let applied = run.core.apply(ev);
                run.latencies.push(clock() - started);
                applied
            }
        };
        applied?;
        if !run.core.requests.is_empty() {
            let requests = std::mem::take(&mut run.core.requests);
            if let Some(venue) = venue.as_mut() {
                for request in &requests {
                    venue.receive(request, ingest);
                }
            }
        }
    }
    Ok(())
}

fn recover(run: &mut Run, venue: &mut Option<Venue>) -> Result<(), CoreError> {
    let (mut core, divergence) = replay(&lines(&run.durable.concat()));
    if let Some(d) = divergence {
        return Err(CoreError::Input(format!(
            "recovery replay diverged: {}",
            d.describe("log", "replay")
        )));
    }
    core.take();
    run.sequencer = Sequencer::new(core.last_seq + 1);
    run.core = core;
    let mut retained = std::mem::take(&mut run.retained);
    for (ingest, batch) in retained.iter_mut() {
        feed(run, venue, *ingest, batch)?;
    }
    run.retained = retained;
    Ok(())
}

/// One run of a stream; the core crashes before each step in `crash_at` and is recovered. With
/// a clock (a function returning nanoseconds) every apply is timed, for the benchmark.
pub fn run(mut stream: Stream, crash_at: &[i64], clock: Option<Timer>) -> Result<RunResult, HarnessError> {
    let s = spec();
    let tick = s.tick_ns;
    let mut batches: BTreeMap<i64, Vec<Event>> = BTreeMap::new();
    let header = stream.header();
    for ev in std::mem::take(&mut stream.events) {
        batches.entry(ev.time.div_euclid(tick)).or_default().push(ev);
    }
    let profile = &s.profiles[&stream.profile];
    let settings = Settings::new(&stream.settings);
    let mut harness = Harness::new(stream.steps * tick);
    let mut venue = if stream.sim {
        Some(Venue::new(stream.seed as u64, profile))
    } else {
        None
    };
    let mut durable = vec![header + "\n"];
    for text in &settings.lines {
        durable.push(text.clone() + "\n");
    }
    let mut state = Run {
        core: Core::new(settings, profile),
        sequencer: Sequencer::new(1),
        durable,
        retained: Vec::new(),
        clock,
        latencies: Vec::new(),
    };
    let mut since = 0;
    harness.command("start", "-")?;
    let refused = |e: HarnessError| CoreError::Input(format!("{e:?}"));
    let outcome: Result<(), CoreError> = (|| {
        for step in 0..stream.steps {
            if crash_at.contains(&step) {
                harness.command("crash", "injected").map_err(refused)?;
                harness.command("restart", "replay-to-checkpoint").map_err(refused)?;
                recover(&mut state, &mut venue)?;
                harness.command("start", "recovered").map_err(refused)?;
            }
            harness.command("step", "-").map_err(refused)?;
            let now = harness.clock.now;
            let mut batch = batches.remove(&step).unwrap_or_default();
            if let Some(scenario) = stream.scenario.as_mut() {
                scenario.step(step, &mut batch);
            }
            if let Some(v) = venue.as_mut() {
                v.due(now, &mut batch);
            }
            since += batch.len() as i64;
            feed(&mut state, &mut venue, now, &mut batch)?;
            state.retained.push((now, batch));
            if since >= s.checkpoint_every {
                state.core.checkpoint()?;
                let room = String::with_capacity(state.core.out.capacity());
                state.durable.push(std::mem::replace(&mut state.core.out, room));
                state.retained.clear();
                since = 0;
            }
        }
        state.core.finish()
    })();
    let events = state.core.events;
    state.durable.push(std::mem::take(&mut state.core.out));
    let log = state.durable;
    match outcome {
        Ok(()) => {
            harness.command("complete", "-")?;
            Ok(RunResult {
                log,
                timeline: harness.timeline,
                events,
                failure: None,
                latencies: state.latencies,
            })
        }
        Err(CoreError::Invariant(message)) => Ok(RunResult {
            log,
            timeline: harness.timeline,
            events,
            failure: Some(message),
            latencies: state.latencies,
        }),
        Err(CoreError::Input(message)) => Err(HarnessError::Recovery(message)),
    }
}
