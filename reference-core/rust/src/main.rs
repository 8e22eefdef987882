//! `refcore-rs`: the Rust core's command line, driven by `refcore parity` and the golden tests.
//!
//!   refcore-rs run [--trace] [--crash-at STEP]   input streams on stdin, one result per run
//!   refcore-rs replay                            a replay log on stdin, verified line by line
use std::io::{self, Read, Write};
use std::process::ExitCode;

use refcore::harness::{parse_streams, run};
use refcore::replay::{digest, replay};

fn cmd_run(args: &[String]) -> Result<ExitCode, String> {
    let full = args.iter().any(|a| a == "--trace");
    let crash_at = match args.iter().position(|a| a == "--crash-at") {
        Some(i) => Some(
            args.get(i + 1)
                .and_then(|v| v.parse().ok())
                .ok_or("--crash-at needs a step number")?,
        ),
        None => None,
    };
    let mut text = String::new();
    io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("stdin: {e}"))?;
    let streams = parse_streams(&text)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut failed = false;
    for s in streams {
        let result =
            run(s.seed, s.steps, Some(s.events), s.sim, crash_at).map_err(|e| format!("seed {}: {e:?}", s.seed))?;
        failed |= result.failure.is_some();
        if full {
            for text in &result.trace {
                writeln!(out, "{text}").map_err(|e| e.to_string())?;
            }
        } else {
            let last = result.trace.last().cloned().unwrap_or_default().replace(' ', ",");
            let d = digest(&result.trace);
            writeln!(
                out,
                "seed={} lines={} events={} digest={d} final={last}",
                s.seed,
                result.trace.len(),
                result.events
            )
            .map_err(|e| e.to_string())?;
        }
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn cmd_replay() -> Result<ExitCode, String> {
    let mut text = String::new();
    io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("stdin: {e}"))?;
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let (core, divergence) = replay(&lines);
    if let Some(d) = divergence {
        println!("replay diverges: {}", d.describe("log", "replay"));
        return Ok(ExitCode::from(1));
    }
    println!(
        "replayed {} events, {} lines verified, digest={}",
        core.events,
        lines.len(),
        digest(&lines)
    );
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("run") => cmd_run(&args[1..]),
        Some("replay") => cmd_replay(),
        _ => Err("usage: refcore-rs run [--trace] [--crash-at STEP] | refcore-rs replay (input on stdin)".into()),
    };
    outcome.unwrap_or_else(|err| {
        eprintln!("refcore-rs: {err}");
        ExitCode::from(2)
    })
}
