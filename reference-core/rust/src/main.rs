//! `refcore-rs`: the Rust core's command line, driven by `refcore parity`, `refcore dst`,
//! `refcore bench`, the golden tests and the differential fuzzer.
//!
//!   refcore-rs run [--trace] [--timeline] [--crash-at STEP]...   input streams on stdin
//!   refcore-rs seeds --seeds A-B [--steps N] [--profile P] [--crash] --trace-dir DIR
//!   refcore-rs events [--seed S] [--steps N] [--profile P]       a seed's input stream
//!   refcore-rs replay                                            a replay log on stdin
//!   refcore-rs bench [--seed S] [--steps N] [--profile P] --trace FILE
use std::fs::File;
use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

use refcore::harness::{run, RunResult};
use refcore::replay::{digest, replay};
use refcore::scenario::seeded;
use refcore::spec::spec;
use refcore::stream::Parser;

const USAGE: &str = "usage: refcore-rs run [--trace] [--timeline] [--crash-at STEP]... | \
seeds --seeds A-B [--steps N] [--profile P] [--crash] --trace-dir DIR | \
events [--seed S] [--steps N] [--profile P] | replay | bench [--seed S] [--steps N] [--profile P] --trace FILE";

struct Args(Vec<String>);

impl Args {
    fn flag(&self, name: &str) -> bool {
        self.0.iter().any(|a| a == name)
    }

    fn values(&self, name: &str) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        for (i, a) in self.0.iter().enumerate() {
            if a == name {
                out.push(self.0.get(i + 1).cloned().ok_or(format!("{name} needs a value"))?);
            }
        }
        Ok(out)
    }

    fn value(&self, name: &str) -> Result<Option<String>, String> {
        Ok(self.values(name)?.pop())
    }

    fn int(&self, name: &str, default: i64) -> Result<i64, String> {
        match self.value(name)? {
            Some(v) => v.parse().map_err(|_| format!("{name} needs an integer, got {v:?}")),
            None => Ok(default),
        }
    }

    fn profile(&self) -> Result<String, String> {
        let p = self.value("--profile")?.unwrap_or_else(|| "default".into());
        if !spec().profiles.contains_key(&p) {
            return Err(format!("no profile {p:?} in core.spec"));
        }
        Ok(p)
    }
}

fn io_err(e: io::Error) -> String {
    e.to_string()
}

/// One run in one line, as the Python core prints it; `seeds` (for dst and parity, which compare
/// the trace files themselves) leaves the digests out.
fn summary(seed: i64, result: &RunResult, digests: bool) -> String {
    let status = if result.failure.is_some() { "failed" } else { "ok" };
    let trace = result.trace();
    let last = trace.last().map_or("-".to_string(), |l| l.replace(' ', ","));
    let hashes = if digests {
        format!(" digest={} timeline={}", result.digest(), result.timeline_digest())
    } else {
        String::new()
    };
    format!(
        "seed={seed} status={status} lines={} events={}{hashes} final={last}",
        trace.len(),
        result.events
    )
}

/// Streams from stdin, each run as soon as it is complete (nothing else is held in memory).
fn cmd_run(args: &Args) -> Result<ExitCode, String> {
    let (full, timeline) = (args.flag("--trace"), args.flag("--timeline"));
    let crash_at: Vec<i64> = args
        .values("--crash-at")?
        .iter()
        .map(|v| {
            v.parse()
                .map_err(|_| format!("--crash-at needs a step number, got {v:?}"))
        })
        .collect::<Result<_, _>>()?;
    let mut out = BufWriter::new(io::stdout().lock());
    let mut input = io::stdin().lock();
    let mut parser = Parser::default();
    let mut failed = false;
    let mut number = 0;
    let mut bytes = Vec::new();
    loop {
        bytes.clear();
        let eof = input.read_until(b'\n', &mut bytes).map_err(io_err)? == 0;
        let stream = if eof {
            parser.finish()
        } else {
            number += 1;
            if bytes.last() == Some(&b'\n') {
                bytes.pop();
            }
            match parser.line(number, &bytes) {
                Ok(stream) => stream,
                Err(e) => {
                    writeln!(out, "{}", e.line()).map_err(io_err)?;
                    return Ok(ExitCode::from(2));
                }
            }
        };
        if let Some(stream) = stream {
            let seed = stream.seed;
            let result = run(stream, &crash_at, None).map_err(|e| format!("seed {seed}: {e:?}"))?;
            failed |= result.failure.is_some();
            if full || timeline {
                for chunk in result.log.iter().filter(|_| full) {
                    out.write_all(chunk.as_bytes()).map_err(io_err)?;
                }
                for text in result.timeline.iter().filter(|_| timeline) {
                    writeln!(out, "{text}").map_err(io_err)?;
                }
            } else {
                writeln!(out, "{}", summary(seed, &result, true)).map_err(io_err)?;
            }
            out.flush().map_err(io_err)?;
        }
        if eof {
            break;
        }
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Seeded runs, one summary line each, each trace in DIR/SEED.trace and timeline in DIR/SEED.timeline.
fn cmd_seeds(args: &Args) -> Result<ExitCode, String> {
    let range = args.value("--seeds")?.ok_or("--seeds A-B is required")?;
    let (lo, hi) = match range.split_once('-') {
        Some((a, b)) => (a.parse::<i64>(), b.parse::<i64>()),
        None => (range.parse::<i64>(), range.parse::<i64>()),
    };
    let (lo, hi) = match (lo, hi) {
        (Ok(lo), Ok(hi)) if 0 <= lo && lo <= hi => (lo, hi),
        _ => return Err(format!("expected a seed or a range A-B, got {range:?}")),
    };
    let steps = args.int("--steps", 200)?;
    let profile = args.profile()?;
    let crash: Vec<i64> = if args.flag("--crash") { vec![steps / 2] } else { vec![] };
    let dir = args.value("--trace-dir")?.ok_or("--trace-dir DIR is required")?;
    let mut out = BufWriter::new(io::stdout().lock());
    for seed in lo..=hi {
        let result = match run(seeded(seed, steps, &profile), &crash, None) {
            Ok(result) => result,
            Err(e) => {
                // One seed's harness failure is that seed's result, not the end of the batch.
                eprintln!("refcore-rs: seed {seed}: {e:?}");
                writeln!(out, "seed={seed} status=harness-error").map_err(io_err)?;
                continue;
            }
        };
        let mut trace = BufWriter::new(File::create(format!("{dir}/{seed}.trace")).map_err(io_err)?);
        for chunk in &result.log {
            trace.write_all(chunk.as_bytes()).map_err(io_err)?;
        }
        trace.flush().map_err(io_err)?;
        let mut timeline = BufWriter::new(File::create(format!("{dir}/{seed}.timeline")).map_err(io_err)?);
        for text in &result.timeline {
            writeln!(timeline, "{text}").map_err(io_err)?;
        }
        timeline.flush().map_err(io_err)?;
        writeln!(out, "{}", summary(seed, &result, false)).map_err(io_err)?;
    }
    out.flush().map_err(io_err)?;
    Ok(ExitCode::SUCCESS)
}

fn cmd_events(args: &Args) -> Result<ExitCode, String> {
    let stream = seeded(args.int("--seed", 1)?, args.int("--steps", 200)?, &args.profile()?);
    io::stdout()
        .lock()
        .write_all(stream.text().as_bytes())
        .map_err(io_err)?;
    Ok(ExitCode::SUCCESS)
}

fn cmd_replay() -> Result<ExitCode, String> {
    let mut owned = Vec::new();
    for bytes in io::stdin().lock().split(b'\n') {
        owned.push(String::from_utf8_lossy(&bytes.map_err(io_err)?).into_owned());
    }
    let lines: Vec<&str> = owned.iter().map(String::as_str).collect();
    let (core, divergence) = replay(&lines);
    if let Some(d) = divergence {
        println!("replay diverges: {}", d.describe("log", "replay"));
        return Ok(ExitCode::from(1));
    }
    println!(
        "replayed {} events, {} lines verified, digest={}",
        core.events,
        lines.len(),
        digest(lines.iter().flat_map(|l| [*l, "\n"]))
    );
    Ok(ExitCode::SUCCESS)
}

/// One timed run for `refcore bench`: the trace written to a file, the numbers on one line.
fn cmd_bench(args: &Args) -> Result<ExitCode, String> {
    let path = args.value("--trace")?.ok_or("--trace FILE is required")?;
    let origin = std::time::Instant::now(); // dst-ok: the benchmark times the core from outside it
    let clock = || origin.elapsed().as_nanos() as i64; // dst-ok: the benchmark times the core from outside it
    let stream = seeded(args.int("--seed", 1)?, args.int("--steps", 200)?, &args.profile()?);
    let result = run(stream, &[], Some(&clock)).map_err(|e| format!("{e:?}"))?;
    let mut file = BufWriter::with_capacity(1 << 16, File::create(&path).map_err(io_err)?);
    for chunk in &result.log {
        file.write_all(chunk.as_bytes()).map_err(io_err)?;
    }
    file.flush().map_err(io_err)?;
    let elapsed = clock();
    let mut ranked = result.latencies.clone();
    ranked.sort_unstable();
    if ranked.is_empty() {
        ranked.push(0);
    }
    let pick = |q: usize| ranked[(ranked.len() * q).div_ceil(100).clamp(1, ranked.len()) - 1];
    println!(
        "events={} ns={elapsed} p50={} p95={} p99={} rss_kb={}",
        result.events,
        pick(50),
        pick(95),
        pick(99),
        peak_rss_kb()
    );
    Ok(ExitCode::SUCCESS)
}

/// This process's peak resident set (Linux VmHWM), as the Python core's bench reports it; 0 where
/// unknown.
fn peak_rss_kb() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = Args(args.iter().skip(1).cloned().collect());
    let outcome = match args.first().map(String::as_str) {
        Some("run") => cmd_run(&rest),
        Some("seeds") => cmd_seeds(&rest),
        Some("events") => cmd_events(&rest),
        Some("replay") => cmd_replay(),
        Some("bench") => cmd_bench(&rest),
        _ => Err(USAGE.into()),
    };
    outcome.unwrap_or_else(|err| {
        eprintln!("refcore-rs: {err}");
        ExitCode::from(2)
    })
}
