//! Golden fixtures, replay, crash recovery and the harness state machine, through the public API.
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use refcore::harness::{parse_streams, run, Command, Harness, HarnessError, State};
use refcore::model::{LEGAL, TICK_NS};
use refcore::replay::{digest, first_divergence, replay};

fn fixtures() -> Vec<(String, String, Vec<String>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let mut out: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "events"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().to_string();
            let events = fs::read_to_string(&p).unwrap();
            let golden = fs::read_to_string(p.with_extension("trace"))
                .unwrap()
                .lines()
                .map(String::from)
                .collect();
            (name, events, golden)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn golden_fixtures_through_the_rust_core() {
    let all = fixtures();
    assert!(all.len() >= 6);
    for (name, events, golden) in all {
        let stream = parse_streams(&events).unwrap().remove(0);
        let result = run(stream.seed, stream.steps, Some(stream.events), stream.sim, None).unwrap();
        assert_eq!(first_divergence(&golden, &result.trace), None, "{name}");
        assert_eq!(replay(&golden).1, None, "{name} replays");
    }
}

#[test]
fn crash_and_restart_recovers_the_same_trace() {
    for seed in 1..=8 {
        let clean = run(seed, 120, None, true, None).unwrap();
        for crash_at in [0, 1, 37, 60, 119] {
            let crashed = run(seed, 120, None, true, Some(crash_at)).unwrap();
            assert_eq!(
                first_divergence(&clean.trace, &crashed.trace),
                None,
                "seed {seed} crash at {crash_at}"
            );
            assert!(crashed.timeline.iter().any(|l| l.contains("cmd=restart")));
        }
    }
}

#[test]
fn seeded_runs_exercise_every_transition_and_never_need_a_diagnostic() {
    let mut seen = BTreeSet::new();
    for seed in 1..=30 {
        let result = run(seed, 200, None, true, None).unwrap();
        assert!(result.failure.is_none());
        for l in &result.trace {
            assert!(
                !l.starts_with("diag") && !l.starts_with("invariant"),
                "seed {seed}: {l}"
            );
            if l.starts_with("transition") {
                let get = |k: &str| l.split(' ').find_map(|p| p.strip_prefix(k)).unwrap().to_string();
                seen.insert((get("from="), get("to=")));
            }
        }
    }
    let legal: BTreeSet<_> = LEGAL.iter().map(|(f, t)| (f.to_string(), t.to_string())).collect();
    assert_eq!(seen, legal);
}

#[test]
fn same_seed_same_digest_different_seed_different_digest() {
    let a = run(7, 120, None, true, None).unwrap();
    assert_eq!(digest(&a.trace), digest(&run(7, 120, None, true, None).unwrap().trace));
    assert_ne!(digest(&a.trace), digest(&run(8, 120, None, true, None).unwrap().trace));
}

#[test]
fn replay_names_the_first_tampered_step() {
    let trace = run(4, 120, None, true, None).unwrap().trace;
    assert_eq!(replay(&trace).1, None);
    let at = trace.iter().position(|l| l.starts_with("fill ")).unwrap();
    let mut tampered = trace.clone();
    tampered[at] = tampered[at].replace(" qty=", " qty=9");
    let d = replay(&tampered).1.unwrap();
    assert_eq!(
        (d.line, d.expected.as_ref(), d.got.as_ref()),
        (at + 1, Some(&tampered[at]), Some(&trace[at]))
    );
    let mut dropped = trace.clone();
    dropped.remove(5);
    assert_eq!(replay(&dropped).1.unwrap().line, 6);
}

fn harness_in(state: State) -> Harness {
    let mut h = Harness::new(100 * TICK_NS);
    let path: &[Command] = match state {
        State::Initialized => &[],
        State::Running => &[Command::Start],
        State::Paused => &[Command::Start, Command::Pause],
        State::Crashed => &[Command::Start, Command::Crash],
        State::Restarting => &[Command::Start, Command::Crash, Command::Restart],
        State::Completed => &[Command::Start, Command::Complete],
    };
    for &c in path {
        h.command(c, "-").unwrap();
    }
    assert_eq!(h.state, state);
    h
}

#[test]
fn every_command_in_every_state() {
    use Command::*;
    use State::*;
    let legal = [
        (Initialized, Start, Running),
        (Restarting, Start, Running),
        (Running, Pause, Paused),
        (Paused, Resume, Running),
        (Running, Crash, Crashed),
        (Paused, Crash, Crashed),
        (Restarting, Crash, Crashed),
        (Crashed, Restart, Restarting),
        (Running, Step, Running),
        (Running, Complete, Completed),
        (Paused, Complete, Completed),
    ];
    for state in [Initialized, Running, Paused, Crashed, Restarting, Completed] {
        for command in [Start, Pause, Resume, Crash, Restart, Step, Complete] {
            let mut h = harness_in(state);
            match legal.iter().find(|(s, c, _)| *s == state && *c == command) {
                Some(&(_, _, to)) => {
                    h.command(command, "-").unwrap();
                    assert_eq!(h.state, to);
                }
                None => {
                    assert_eq!(h.command(command, "-"), Err(HarnessError::Illegal { command, state }));
                    assert_eq!(h.state, state);
                    assert!(h.timeline.last().unwrap().starts_with("rejected "));
                }
            }
        }
    }
}

#[test]
fn virtual_time_budget() {
    let mut h = harness_in(State::Running);
    h.budget_ns = 2 * TICK_NS;
    h.command(Command::Step, "-").unwrap();
    h.command(Command::Step, "-").unwrap();
    let err = h.command(Command::Step, "-").unwrap_err();
    assert_eq!(
        err,
        HarnessError::BudgetExceeded {
            limit_ns: 2 * TICK_NS,
            observed_ns: 3 * TICK_NS
        }
    );
    assert_eq!(h.clock.now, 2 * TICK_NS);
}
