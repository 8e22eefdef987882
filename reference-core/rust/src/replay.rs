//! Replay: re-apply a log's events to a fresh core and require every line it writes to be the
//! line the log holds. Also the trace comparison and the FNV-1a digest both cores print.
use crate::core::{Core, CoreError};
use crate::model::{parse_line, Event};

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

pub fn first_divergence(a: &[String], b: &[String]) -> Option<Divergence> {
    for i in 0..a.len().max(b.len()) {
        let (left, right) = (a.get(i), b.get(i));
        if left != right {
            let seq = left
                .or(right)
                .and_then(|t| seq_of(t))
                .or_else(|| a[..i].iter().rev().find_map(|t| seq_of(t)));
            return Some(Divergence {
                line: i + 1,
                seq,
                expected: left.cloned(),
                got: right.cloned(),
            });
        }
    }
    None
}

pub fn digest(lines: &[String]) -> String {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for line in lines {
        for &b in line.as_bytes().iter().chain(b"\n") {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01B3);
        }
    }
    format!("{h:016x}")
}

/// Rebuild the core from a log, verifying every line; the core and the first mismatch.
pub fn replay(lines: &[String]) -> (Core, Option<Divergence>) {
    let mut core = Core::new();
    if !lines.first().is_some_and(|l| l.starts_with("run ")) {
        let d = Divergence {
            line: 1,
            seq: None,
            expected: Some("a `run` header".into()),
            got: lines.first().cloned(),
        };
        return (core, Some(d));
    }
    let mut i = 1;
    while i < lines.len() {
        let step = parse_line(&lines[i]).and_then(|(kind, fields)| match kind.as_str() {
            "event" => match core.apply(&Event::from_fields(&fields)?) {
                Ok(()) | Err(CoreError::Invariant(_)) => Ok(()),
                Err(CoreError::Input(e)) => Err(e),
            },
            "checkpoint" => {
                core.checkpoint();
                Ok(())
            }
            "final" => {
                core.finish();
                Ok(())
            }
            other => Err(format!("expected an event, checkpoint or final line, found {other:?}")),
        });
        if let Err(err) = step {
            let d = Divergence {
                line: i + 1,
                seq: seq_of(&lines[i]),
                expected: Some(lines[i].clone()),
                got: Some(format!("<{err}>")),
            };
            return (core, Some(d));
        }
        let (produced, _) = core.take();
        for (j, text) in produced.iter().enumerate() {
            if lines.get(i + j) != Some(text) {
                let d = Divergence {
                    line: i + j + 1,
                    seq: seq_of(text),
                    expected: lines.get(i + j).cloned(),
                    got: Some(text.clone()),
                };
                return (core, Some(d));
            }
        }
        i += produced.len();
    }
    (core, None)
}
