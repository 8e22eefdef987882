//! Input streams (SPEC.md): a `run` header, the settings a stream may change, unsequenced events
//! and an optional `end`. Read line by line, each stream handed on as soon as it is complete; a
//! line off the grammar refuses the input from that line on, exactly as the Python core does.
use crate::grammar::{line, parse_line, printable, Fields, GrammarError, Text, Value};
use crate::model::Event;
use crate::scenario::Scenario;
use crate::spec::spec;

const EVENT_KEYS: [&str; 7] = ["time", "source", "venue", "instrument", "kind", "producer", "key"];

#[derive(Clone, Debug)]
pub struct Stream {
    pub seed: i64,
    pub steps: i64,
    pub sim: bool,
    pub profile: String,
    pub settings: Vec<(String, Fields)>,
    pub events: Vec<Event>,
    pub scenario: Option<Scenario>, // a seeded generator, asked for each step's events instead
}

impl Stream {
    pub fn header(&self) -> String {
        let sim = if self.sim { "on" } else { "off" };
        format!(
            "run format={} profile={} seed={} sim={sim} steps={}",
            spec().format,
            self.profile,
            self.seed,
            self.steps
        )
    }

    pub fn text(&self) -> String {
        let mut out = self.header() + "\n";
        for (kind, f) in &self.settings {
            out += &(line(kind, f) + "\n");
        }
        let mut events = self.events.clone();
        if let Some(mut scenario) = self.scenario.clone() {
            for step in 0..self.steps {
                scenario.step(step, &mut events);
            }
        }
        for ev in &events {
            out += &(ev.input_line() + "\n");
        }
        out + "end\n"
    }
}

fn err(reason: impl Into<String>) -> GrammarError {
    GrammarError::new(reason)
}

enum Want {
    Int,
    Word,
    Any,
}

/// A field of the wanted type; missing only when a default is given.
fn take(f: &Fields, key: &str, want: Want, default: Option<Value>) -> Result<Value, GrammarError> {
    let Some(value) = f.get(key) else {
        return default.ok_or_else(|| err(format!("missing:{key}")));
    };
    match (want, value) {
        (Want::Int, Value::Word(_)) | (Want::Word, Value::Int(_)) => Err(err(format!("type:{key}"))),
        _ => Ok(value.clone()),
    }
}

fn take_int(f: &Fields, key: &str) -> Result<i64, GrammarError> {
    Ok(take(f, key, Want::Int, None)?.int().unwrap())
}

fn take_word(f: &Fields, key: &str, default: Option<&'static str>) -> Result<Text, GrammarError> {
    Ok(take(f, key, Want::Word, default.map(Value::from))?.text())
}

fn only(f: &Fields, allowed: &[&str], payload: bool) -> Result<(), GrammarError> {
    for key in f.keys() {
        let is_payload = payload && key.len() > 2 && key.starts_with("p.");
        if !allowed.contains(&key) && !is_payload {
            return Err(err(format!("unknown-key:{key}")));
        }
    }
    Ok(())
}

pub fn header(f: &Fields) -> Result<Stream, GrammarError> {
    let s = spec();
    if take_int(f, "format")? != s.format {
        return Err(err("value:format"));
    }
    let seed = take_int(f, "seed")?;
    let steps = take_int(f, "steps")?;
    if !(1..=s.max_steps).contains(&steps) {
        return Err(err("value:steps"));
    }
    let sim = take_word(f, "sim", Some("on"))?;
    if sim != "on" && sim != "off" {
        return Err(err("value:sim"));
    }
    let profile = take_word(f, "profile", Some("default"))?;
    if !s.profiles.contains_key(&*profile) {
        return Err(err("value:profile"));
    }
    only(f, &["format", "seed", "steps", "sim", "profile"], false)?;
    Ok(Stream {
        seed,
        steps,
        sim: sim == "on",
        profile: profile.into_owned(),
        settings: Vec::new(),
        events: Vec::new(),
        scenario: None,
    })
}

pub fn setting(kind: &str, f: &Fields) -> Result<(), GrammarError> {
    let s = spec();
    if kind == "source" {
        if !s.priority.contains_key(&*take_word(f, "name", None)?) {
            return Err(err("value:name"));
        }
        take_int(f, "priority")?;
        only(f, &["name", "priority"], false)
    } else {
        if s.venue(&take_word(f, "venue", None)?).is_none() {
            return Err(err("value:venue"));
        }
        let name = take_word(f, "name", None)?;
        if !s.capabilities.keys().any(|(_, c)| *c == *name) {
            return Err(err("value:name"));
        }
        if !matches!(take_int(f, "value")?, 0 | 1) {
            return Err(err("value:value"));
        }
        only(f, &["venue", "name", "value"], false)
    }
}

/// An event line: unsequenced (an input, `steps` given) or sequenced (a trace, `steps` None).
pub fn event(f: &Fields, steps: Option<i64>) -> Result<Event, GrammarError> {
    let time = take_int(f, "time")?;
    if let Some(steps) = steps {
        if !(0..steps).contains(&time.div_euclid(spec().tick_ns)) {
            return Err(err("value:time"));
        }
    }
    let source = take_word(f, "source", None)?;
    let venue = take_word(f, "venue", None)?;
    let instrument = take_word(f, "instrument", None)?;
    let kind = take_word(f, "kind", None)?;
    let producer = take_int(f, "producer")?;
    let key = take(f, "key", Want::Any, None)?.text();
    let (mut seq, mut ingest) = (0, 0);
    if steps.is_none() {
        seq = take_int(f, "seq")?;
        ingest = take_int(f, "ingest")?;
        let mut allowed = EVENT_KEYS.to_vec();
        allowed.extend(["seq", "ingest"]);
        only(f, &allowed, true)?;
    } else {
        only(f, &EVENT_KEYS, true)?;
    }
    let payload = f
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("p.")
                .map(|name| (Text::Owned(name.to_string()), v.clone()))
        })
        .collect();
    Ok(Event {
        time,
        source,
        venue,
        instrument,
        kind,
        producer,
        payload,
        key: if key == "-" { None } else { Some(key) },
        seq,
        ingest,
    })
}

/// Reads streams one line at a time: `line` returns a stream when one is complete, `finish`
/// the last one. The first error ends the input.
#[derive(Default)]
pub struct Parser {
    stream: Option<Stream>,
}

impl Parser {
    pub fn line(&mut self, number: usize, raw: &[u8]) -> Result<Option<Stream>, GrammarError> {
        self.step(raw).map_err(|e| e.at(number))
    }

    fn step(&mut self, raw: &[u8]) -> Result<Option<Stream>, GrammarError> {
        if !printable(raw) {
            return Err(err("bad-byte"));
        }
        if raw.is_empty() || raw[0] == b'#' {
            return Ok(None);
        }
        let (kind, f) = parse_line(raw)?;
        match (kind.as_str(), self.stream.as_mut()) {
            ("run", _) => {
                let next = header(&f)?;
                Ok(self.stream.replace(next))
            }
            (_, None) => Err(err("expected-run")),
            ("source" | "capability", Some(stream)) => {
                if !stream.events.is_empty() {
                    return Err(err(format!("misplaced:{kind}")));
                }
                setting(&kind, &f)?;
                stream.settings.push((kind, f));
                Ok(None)
            }
            ("event", Some(stream)) => {
                let ev = event(&f, Some(stream.steps))?;
                stream.events.push(ev);
                Ok(None)
            }
            ("end", Some(_)) => {
                only(&f, &[], false)?;
                Ok(self.stream.take())
            }
            (other, Some(_)) => Err(err(format!("unknown-line:{other}"))),
        }
    }

    pub fn finish(&mut self) -> Option<Stream> {
        self.stream.take()
    }
}

/// Every stream of a whole input (tests and fixtures; the command line streams instead).
pub fn parse_streams(text: &[u8]) -> Result<Vec<Stream>, GrammarError> {
    let mut parser = Parser::default();
    let mut out = Vec::new();
    for (number, raw) in text.split(|&b| b == b'\n').enumerate() {
        out.extend(parser.line(number + 1, raw)?);
    }
    out.extend(parser.finish());
    Ok(out)
}
