//! The seeded DST harness: a run state machine with a virtual-time budget, the driver that feeds
//! a scenario through sequencer, core and venue, and crash-and-restart recovery by replaying the
//! durable log to its last checkpoint and re-applying what came after.
use std::collections::BTreeMap;

use crate::clock::VirtualClock;
use crate::core::{Core, CoreError};
use crate::fields;
use crate::model::{line, parse_line, Event, Value, CHECKPOINT_EVERY, TICK_NS};
use crate::replay::replay;
use crate::scenario::generate;
use crate::sequencer::Sequencer;
use crate::venue::Venue;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Initialized,
    Running,
    Paused,
    Crashed,
    Restarting,
    Completed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Start,
    Pause,
    Resume,
    Crash,
    Restart,
    Step,
    Complete,
}

impl Command {
    /// The states the command is legal in, and where it leads.
    fn rule(self) -> (&'static [State], State) {
        use State::*;
        match self {
            Command::Start => (&[Initialized, Restarting], Running),
            Command::Pause => (&[Running], Paused),
            Command::Resume => (&[Paused], Running),
            Command::Crash => (&[Running, Paused, Restarting], Crashed),
            Command::Restart => (&[Crashed], Restarting),
            Command::Step => (&[Running], Running),
            Command::Complete => (&[Running, Paused], Completed),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum HarnessError {
    Illegal { command: Command, state: State },
    BudgetExceeded { limit_ns: i64, observed_ns: i64 },
    Recovery(String),
    Input(String),
}

pub struct Harness {
    pub budget_ns: i64,
    pub state: State,
    pub clock: VirtualClock,
    pub timeline: Vec<String>,
}

impl Harness {
    pub fn new(budget_ns: i64) -> Self {
        Harness {
            budget_ns,
            state: State::Initialized,
            clock: VirtualClock::default(),
            timeline: Vec::new(),
        }
    }

    pub fn command(&mut self, command: Command, reason: &str) -> Result<(), HarnessError> {
        let (allowed, to) = command.rule();
        let name = format!("{command:?}").to_lowercase();
        if !allowed.contains(&self.state) {
            let state = format!("{:?}", self.state).to_lowercase();
            self.timeline.push(
                line(
                    "rejected",
                    &fields![("cmd", name), ("state", state), ("vt", self.clock.now)],
                )
                .unwrap(),
            );
            return Err(HarnessError::Illegal {
                command,
                state: self.state,
            });
        }
        if command == Command::Step {
            if self.clock.now + TICK_NS > self.budget_ns {
                return Err(HarnessError::BudgetExceeded {
                    limit_ns: self.budget_ns,
                    observed_ns: self.clock.now + TICK_NS,
                });
            }
            self.clock.advance(TICK_NS);
        }
        self.state = to;
        let state = format!("{to:?}").to_lowercase();
        let f = fields![
            ("cmd", name),
            ("state", state),
            ("vt", self.clock.now),
            ("reason", reason)
        ];
        self.timeline.push(line("harness", &f).unwrap());
        Ok(())
    }
}

pub struct RunResult {
    pub trace: Vec<String>,
    pub timeline: Vec<String>,
    pub events: i64,
    pub failure: Option<String>,
}

struct Run {
    core: Core,
    sequencer: Sequencer,
    durable: Vec<String>,
    pending: Vec<String>,
    retained: Vec<(i64, Vec<Event>)>,
}

fn feed(run: &mut Run, venue: &mut Option<Venue>, ingest: i64, batch: &[Event]) -> Result<(), CoreError> {
    for ev in run.sequencer.sequence(batch, ingest) {
        let applied = run.core.apply(&ev);
        let (lines, requests) = run.core.take();
        run.pending.extend(lines);
        applied?;
        if let Some(venue) = venue.as_mut() {
            for (request, order) in &requests {
                venue.receive(request, order, ingest);
            }
        }
    }
    Ok(())
}

fn recover(run: &mut Run, venue: &mut Option<Venue>) -> Result<(), CoreError> {
    let (mut core, divergence) = replay(&run.durable);
    if let Some(d) = divergence {
        return Err(CoreError::Input(format!(
            "recovery replay diverged: {}",
            d.describe("log", "replay")
        )));
    }
    core.take();
    run.sequencer = Sequencer::new(core.last_seq + 1);
    run.core = core;
    run.pending.clear();
    for (ingest, batch) in run.retained.clone() {
        feed(run, venue, ingest, &batch)?;
    }
    Ok(())
}

/// One seeded run; with `crash_at`, the core crashes before that step and is recovered.
pub fn run(
    seed: u64,
    steps: i64,
    inputs: Option<Vec<Event>>,
    sim: bool,
    crash_at: Option<i64>,
) -> Result<RunResult, HarnessError> {
    let mut batches: BTreeMap<i64, Vec<Event>> = BTreeMap::new();
    for ev in inputs.unwrap_or_else(|| generate(seed, steps)) {
        let step = ev.time.div_euclid(TICK_NS);
        if !(0..steps).contains(&step) {
            return Err(HarnessError::Input(format!(
                "event time {} is outside the run's {steps} steps",
                ev.time
            )));
        }
        batches.entry(step).or_default().push(ev);
    }
    let mut harness = Harness::new(steps * TICK_NS);
    let mut venue = if sim { Some(Venue::new(seed)) } else { None };
    let header = fields![
        ("seed", seed as i64),
        ("steps", steps),
        ("sim", if sim { "on" } else { "off" })
    ];
    let mut state = Run {
        core: Core::new(),
        sequencer: Sequencer::new(1),
        durable: vec![line("run", &header).unwrap()],
        pending: Vec::new(),
        retained: Vec::new(),
    };
    let mut since = 0;
    harness.command(Command::Start, "-")?;
    let refused = |e: HarnessError| CoreError::Input(format!("{e:?}"));
    let outcome: Result<(), CoreError> = (|| {
        for step in 0..steps {
            if Some(step) == crash_at {
                harness.command(Command::Crash, "injected").map_err(refused)?;
                harness
                    .command(Command::Restart, "replay-to-checkpoint")
                    .map_err(refused)?;
                recover(&mut state, &mut venue)?;
                harness.command(Command::Start, "recovered").map_err(refused)?;
            }
            harness.command(Command::Step, "-").map_err(refused)?;
            let now = harness.clock.now;
            let mut batch = batches.remove(&step).unwrap_or_default();
            if let Some(v) = venue.as_mut() {
                batch.extend(v.due(now));
            }
            state.retained.push((now, batch.clone()));
            feed(&mut state, &mut venue, now, &batch)?;
            since += batch.len();
            if since >= CHECKPOINT_EVERY {
                state.core.checkpoint();
                let (lines, _) = state.core.take();
                let pending = std::mem::take(&mut state.pending);
                state.durable.extend(pending);
                state.durable.extend(lines);
                state.retained.clear();
                since = 0;
            }
        }
        Ok(())
    })();
    let events = state.core.events;
    match outcome {
        Ok(()) => {
            state.core.finish();
            let (lines, _) = state.core.take();
            state.durable.extend(std::mem::take(&mut state.pending));
            state.durable.extend(lines);
            harness.command(Command::Complete, "-")?;
            Ok(RunResult {
                trace: state.durable,
                timeline: harness.timeline,
                events,
                failure: None,
            })
        }
        Err(CoreError::Invariant(message)) => {
            state.durable.extend(std::mem::take(&mut state.pending));
            Ok(RunResult {
                trace: state.durable,
                timeline: harness.timeline,
                events,
                failure: Some(message),
            })
        }
        Err(CoreError::Input(message)) => Err(HarnessError::Recovery(message)),
    }
}

/// One input stream: what `refcore-rs run` reads and the golden fixtures hold.
pub struct Stream {
    pub seed: u64,
    pub steps: i64,
    pub sim: bool,
    pub events: Vec<Event>,
}

/// Streams: a `run seed=S sim=on|off steps=N` header, unsequenced event lines, optionally `end`.
/// Blank lines and `#` comments are skipped.
pub fn parse_streams(text: &str) -> Result<Vec<Stream>, String> {
    let mut streams: Vec<Stream> = Vec::new();
    let mut open = false;
    for (number, text) in text.lines().enumerate() {
        let at = |e: String| format!("line {}: {e}", number + 1);
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        if text == "end" {
            open = false;
            continue;
        }
        let (kind, fields) = parse_line(text).map_err(at)?;
        match kind.as_str() {
            "run" => {
                let int = |k: &str| {
                    fields
                        .get(k)
                        .and_then(Value::int)
                        .ok_or_else(|| at(format!("run header without {k}")))
                };
                let sim = fields.get("sim").map(|v| v.to_string() != "off").unwrap_or(true);
                streams.push(Stream {
                    seed: int("seed")? as u64,
                    steps: int("steps")?,
                    sim,
                    events: Vec::new(),
                });
                open = true;
            }
            "event" if open => streams
                .last_mut()
                .unwrap()
                .events
                .push(Event::from_fields(&fields).map_err(at)?),
            _ => return Err(at(format!("expected a run header, an event or `end`, found {kind:?}"))),
        }
    }
    Ok(streams)
}
