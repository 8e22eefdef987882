//! Replay: re-apply a log's events to a fresh core and require every line it writes to be the
//! line the log holds. Also the trace comparison and the FNV-1a digest both cores print.
use crate::core::{Core, CoreError};
use crate::grammar::{parse_line, GrammarError};
use crate::model::Settings;
use crate::spec::spec;
use crate::stream::{event, header, setting};

#[derive(Debug, PartialEq, Eq)]
pub struct Divergence {
    pub line: usize,
    pub seq: Option<i64>,
    pub expected: Option<String>,
    pub got: Option<String>,
}

impl Divergence {
    pub fn describe(&self, left: &str, right: &str) -> String {
        let step = self
            .seq
            .map_or("the run header".to_string(), |s| format!("step seq={s}"));
        let show = |t: &Option<String>| t.clone().unwrap_or_else(|| "<end of trace>".into());
        format!(
            "first divergence at {step} (line {})\n  {left}: {}\n  {right}: {}",
            self.line,
            show(&self.expected),
            show(&self.got)
        )
    }
}

pub fn seq_of(text: &str) -> Option<i64> {
    text.split(' ')
        .skip(1)
        .find_map(|p| p.strip_prefix("seq="))
        .and_then(|v| v.parse().ok())
}

pub fn first_divergence<A: AsRef<str>, B: AsRef<str>>(a: &[A], b: &[B]) -> Option<Divergence> {
    for i in 0..a.len().max(b.len()) {
        let (left, right) = (a.get(i).map(AsRef::as_ref), b.get(i).map(AsRef::as_ref));
        if left != right {
            let seq = left
                .or(right)
                .and_then(seq_of)
                .or_else(|| a[..i].iter().rev().find_map(|t| seq_of(t.as_ref())));
            return Some(Divergence {
                line: i + 1,
                seq,
                expected: left.map(str::to_string),
                got: right.map(str::to_string),
            });
        }
    }
    None
}

/// FNV-1a 64 over text whose every line ends in a newline (the Python core's digest), given
/// whole or in consecutive parts.
pub fn digest<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for part in parts {
        for &b in part.as_bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01B3);
        }
    }
    format!("{h:016x}")
}

/// The lines of newline-terminated text.
pub fn lines(text: &str) -> Vec<&str> {
    text.strip_suffix('\n').map_or(Vec::new(), |t| t.split('\n').collect())
}

/// The core a log's header and settings describe, and those lines as the core writes them.
fn start(lines: &[&str]) -> Result<(Core, String), GrammarError> {
    let (kind, f) = parse_line(lines[0].as_bytes()).map_err(|e| e.at(1))?;
    if kind != "run" {
        return Err(GrammarError::new("expected-run").at(1));
    }
    let mut stream = header(&f).map_err(|e| e.at(1))?;
    let mut i = 1;
    while i < lines.len() && matches!(lines[i].split(' ').next(), Some("source" | "capability")) {
        let (kind, f) = parse_line(lines[i].as_bytes()).map_err(|e| e.at(i + 1))?;
        setting(&kind, &f).map_err(|e| e.at(i + 1))?;
        stream.settings.push((kind, f));
        i += 1;
    }
    let settings = Settings::new(&stream.settings);
    let mut produced = stream.header() + "\n";
    for text in &settings.lines {
        produced.push_str(text);
        produced.push('\n');
    }
    Ok((Core::new(settings, &spec().profiles[&stream.profile]), produced))
}

/// Rebuild the core from a log, verifying every line; the core and the first mismatch.
pub fn replay(lines: &[&str]) -> (Core, Option<Divergence>) {
    if lines.is_empty() {
        let d = Divergence {
            line: 1,
            seq: None,
            expected: Some("a `run` header".into()),
            got: None,
        };
        return (Core::default(), Some(d));
    }
    let (mut core, mut produced) = match start(lines) {
        Ok(started) => started,
        Err(e) => {
            let d = Divergence {
                line: e.number,
                seq: None,
                expected: Some(lines[e.number - 1].to_string()),
                got: Some(format!("<{}>", e.reason)),
            };
            return (Core::default(), Some(d));
        }
    };
    let mut i = 0;
    loop {
        let produced_lines = self::lines(&produced);
        for (j, text) in produced_lines.iter().enumerate() {
            if lines.get(i + j) != Some(text) {
                let d = Divergence {
                    line: i + j + 1,
                    seq: seq_of(text),
                    expected: lines.get(i + j).map(|t| t.to_string()),
                    got: Some(text.to_string()),
                };
                return (core, Some(d));
            }
        }
        i += produced_lines.len();
        if i >= lines.len() {
            return (core, None);
        }
        let step = parse_line(lines[i].as_bytes())
            .map_err(|e| e.reason)
            .and_then(|(kind, fields)| {
                let applied = match kind.as_str() {
                    "event" => core.apply(&event(&fields, None).map_err(|e| e.reason)?),
                    "checkpoint" => core.checkpoint(),
                    "final" => core.finish(),
                    other => return Err(format!("unknown-line:{other}")),
                };
                match applied {
                    Ok(()) | Err(CoreError::Invariant(_)) => Ok(()), // the log must hold the invariant line too
                    Err(CoreError::Input(e)) => Err(e),
                }
            });
        if let Err(err) = step {
            let d = Divergence {
                line: i + 1,
                seq: seq_of(lines[i]),
                expected: Some(lines[i].to_string()),
                got: Some(format!("<{err}>")),
            };
            return (core, Some(d));
        }
        produced = core.take().0;
    }
}
