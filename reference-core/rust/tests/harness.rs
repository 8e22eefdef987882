//! Golden fixtures, replay, crash recovery and the harness state machine, through the public API.
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use refcore::harness::{run, Harness, HarnessError, RunResult};
use refcore::replay::{first_divergence, replay};
use refcore::scenario::seeded;
use refcore::spec::spec;
use refcore::stream::parse_streams;

fn fixtures() -> Vec<(String, Vec<u8>, Vec<String>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let mut out: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "events"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().to_string();
            let golden = fs::read_to_string(p.with_extension("trace")).unwrap_or_else(|_| panic!("{name}.trace"));
            (name, fs::read(&p).unwrap(), golden.lines().map(String::from).collect())
        })
        .collect();
    out.sort();
    out
}

fn seeded_run(seed: i64, steps: i64, crash_at: &[i64]) -> RunResult {
    run(seeded(seed, steps, "default"), crash_at, None).unwrap()
}

#[test]
fn golden_fixtures_through_the_rust_core() {
    let all = fixtures();
    assert!(all.len() >= 6);
    for (name, events, golden) in all {
        let produced: Vec<String> = match parse_streams(&events) {
            Ok(mut streams) => run(streams.remove(0), &[], None)
                .unwrap()
                .trace()
                .iter()
                .map(|l| l.to_string())
                .collect(),
            Err(e) => vec![e.line()],
        };
        assert_eq!(first_divergence(&golden, &produced), None, "{name}");
        if golden[0].starts_with("run ") {
            let lines: Vec<&str> = golden.iter().map(String::as_str).collect();
            assert_eq!(replay(&lines).1, None, "{name} replays");
        }
    }
}

#[test]
fn crash_and_restart_recovers_the_same_trace() {
    for seed in 1..=8 {
        let clean = seeded_run(seed, 120, &[]);
        for crash_at in [vec![0], vec![1], vec![37], vec![60, 61], vec![20, 90, 119]] {
            let crashed = seeded_run(seed, 120, &crash_at);
            assert_eq!(
                first_divergence(&clean.trace(), &crashed.trace()),
                None,
                "seed {seed} crash at {crash_at:?}"
            );
            let restarts = crashed.timeline.iter().filter(|l| l.contains("cmd=restart")).count();
            assert_eq!(restarts, crash_at.len());
        }
    }
}

#[test]
fn seeded_runs_exercise_every_transition_and_never_need_a_diagnostic() {
    let mut seen = BTreeSet::new();
    for seed in 1..=30 {
        let result = seeded_run(seed, 200, &[]);
        assert!(result.failure.is_none());
        for l in result.trace() {
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
    let legal: BTreeSet<_> = spec().legal.iter().cloned().collect();
    assert_eq!(seen, legal);
}

#[test]
fn same_seed_same_digest_different_seed_different_digest() {
    let a = seeded_run(7, 120, &[]);
    assert_eq!(a.digest(), seeded_run(7, 120, &[]).digest());
    assert_ne!(a.digest(), seeded_run(8, 120, &[]).digest());
}

#[test]
fn replay_names_the_first_tampered_step() {
    let result = seeded_run(4, 120, &[]);
    let trace = result.trace();
    assert_eq!(replay(&trace).1, None);
    let at = trace.iter().position(|l| l.starts_with("fill ")).unwrap();
    let changed = trace[at].replace(" qty=", " qty=9");
    let mut tampered = trace.clone();
    tampered[at] = &changed;
    let d = replay(&tampered).1.unwrap();
    assert_eq!(
        (d.line, d.expected.as_deref(), d.got.as_deref()),
        (at + 1, Some(changed.as_str()), Some(trace[at]))
    );
    let mut dropped = trace.clone();
    dropped.remove(5);
    assert_eq!(replay(&dropped).1.unwrap().line, 6);
}

const STATES: [&str; 6] = ["initialized", "running", "paused", "crashed", "restarting", "completed"];

fn harness_in(state: &str) -> Harness {
    let mut h = Harness::new(100 * spec().tick_ns);
    let path: &[&str] = match state {
        "initialized" => &[],
        "running" => &["start"],
        "paused" => &["start", "pause"],
        "crashed" => &["start", "crash"],
        "restarting" => &["start", "crash", "restart"],
        _ => &["start", "complete"],
    };
    for c in path {
        h.command(c, "-").unwrap();
    }
    assert_eq!(h.state, state);
    h
}

#[test]
fn every_command_in_every_state() {
    // What the spec's command table must say, written out as the harness's contract.
    let legal = [
        ("initialized", "start", "running"),
        ("restarting", "start", "running"),
        ("running", "pause", "paused"),
        ("paused", "resume", "running"),
        ("running", "crash", "crashed"),
        ("paused", "crash", "crashed"),
        ("restarting", "crash", "crashed"),
        ("crashed", "restart", "restarting"),
        ("running", "step", "running"),
        ("running", "complete", "completed"),
        ("paused", "complete", "completed"),
    ];
    for state in STATES {
        for command in ["start", "pause", "resume", "crash", "restart", "step", "complete"] {
            let mut h = harness_in(state);
            match legal.iter().find(|(s, c, _)| *s == state && *c == command) {
                Some(&(_, _, to)) => {
                    h.command(command, "-").unwrap();
                    assert_eq!(h.state, to);
                }
                None => {
                    let illegal = HarnessError::Illegal {
                        command: command.into(),
                        state: state.into(),
                    };
                    assert_eq!(h.command(command, "-"), Err(illegal));
                    assert_eq!(h.state, state);
                    assert!(h.timeline.last().unwrap().starts_with("rejected "));
                }
            }
        }
    }
}

#[test]
fn virtual_time_budget() {
    let tick = spec().tick_ns;
    let mut h = harness_in("running");
    h.budget_ns = 2 * tick;
    h.command("step", "-").unwrap();
    h.command("step", "-").unwrap();
    let err = h.command("step", "-").unwrap_err();
    assert_eq!(
        err,
        HarnessError::BudgetExceeded {
            limit_ns: 2 * tick,
            observed_ns: 3 * tick
        }
    );
    assert_eq!(h.clock.now, 2 * tick);
}
