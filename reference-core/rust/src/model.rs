//! Shared vocabulary: checked i64 money arithmetic, the event envelope, orders, and the run
//! settings a stream can change (the Python core's model module, line for line).
use std::collections::BTreeMap;
use std::fmt::Write;

use crate::grammar::{line, Fields, Text, Value};
use crate::spec::spec;
pub use crate::spec::{State, ACCEPTED, CANCELLED, CANCEL_PENDING, CREATED, FILLED, PARTIAL, REJECTED, SUBMITTED};

/// A source the spec does not name ranks after every one it does.
pub const UNKNOWN_RANK: i64 = i64::MAX;

/// A market's position in the spec's market table, which is also its producer index.
pub fn market_index(venue: &str, instrument: &str) -> Option<usize> {
    spec()
        .markets
        .iter()
        .position(|(v, i, _)| v == venue && i == instrument)
}

/// Append an integer in decimal: the hot trace lines are built without the fmt machinery.
pub fn push_int(out: &mut String, n: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        out.push('-');
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

/// Append `key=value` pairs after a line's kind: `pairs(out, &[(" order=", 3)])`.
pub fn push_pairs(out: &mut String, pairs: &[(&str, i64)]) {
    for (key, value) in pairs {
        out.push_str(key);
        push_int(out, *value);
    }
}

/// floor(price * qty * fee-bps / 10000); both products checked. Never a float, never rounded.
pub fn fee(venue: &str, price: i64, qty: i64) -> Option<i64> {
    let bps = spec().venue(venue).expect("orders only exist on known venues").fee_bps;
    Some(price.checked_mul(qty)?.checked_mul(bps)?.div_euclid(10_000))
}

/// What an order of qty at price can take out of cash: its notional plus its fee.
pub fn cost(venue: &str, price: i64, qty: i64) -> Option<i64> {
    price.checked_mul(qty)?.checked_add(fee(venue, price, qty)?)
}

/// What a stream may set for its run: source priority and the venue capability matrix.
#[derive(Clone, Debug)]
pub struct Settings {
    pub priority: BTreeMap<String, i64>,
    pub capabilities: Vec<(String, String, i64)>,
    pub lines: Vec<String>, // canonical, in the order given; echoed after the run header
}

impl Settings {
    pub fn new(lines: &[(String, Fields)]) -> Settings {
        let s = spec();
        let mut out = Settings {
            priority: s.priority.clone(),
            capabilities: s
                .capabilities
                .iter()
                .map(|((v, c), on)| (v.clone(), c.clone(), *on))
                .collect(),
            lines: Vec::new(),
        };
        for (kind, f) in lines {
            let text = |k: &str| f[k].to_string();
            if kind == "source" {
                out.priority.insert(text("name"), f["priority"].int().unwrap());
            } else {
                let (venue, name, on) = (text("venue"), text("name"), f["value"].int().unwrap());
                match out.capabilities.iter_mut().find(|(v, c, _)| *v == venue && *c == name) {
                    Some(entry) => entry.2 = on,
                    None => out.capabilities.push((venue, name, on)),
                }
            }
            out.lines.push(line(kind, f));
        }
        out
    }

    pub fn can(&self, venue: &str, capability: &str) -> bool {
        self.capabilities
            .iter()
            .any(|(v, c, on)| v == venue && c == capability && *on == 1)
    }

    pub fn rank(&self, source: &str) -> i64 {
        self.priority.get(source).copied().unwrap_or(UNKNOWN_RANK)
    }
}

/// The envelope every input is normalised into; seq and ingest are set by the sequencer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub time: i64,
    pub source: Text,
    pub venue: Text,
    pub instrument: Text,
    pub kind: Text,
    pub producer: i64,
    pub payload: Fields,
    pub key: Option<Text>,
    pub seq: i64,
    pub ingest: i64,
}

impl Event {
    pub fn new(
        time: i64,
        source: impl Into<Text>,
        venue: impl Into<Text>,
        instrument: impl Into<Text>,
        kind: impl Into<Text>,
        producer: i64,
        payload: Fields,
    ) -> Self {
        Event {
            time,
            source: source.into(),
            venue: venue.into(),
            instrument: instrument.into(),
            kind: kind.into(),
            producer,
            payload,
            key: None,
            seq: 0,
            ingest: 0,
        }
    }

    fn write_payload(&self, out: &mut String) {
        for (name, value) in &self.payload {
            out.push_str(" p.");
            out.push_str(name);
            out.push('=');
            match value {
                Value::Int(n) => push_int(out, *n),
                Value::Word(w) => out.push_str(w.as_ref()),
            }
        }
    }

    /// Append the trace line and its newline. Keys in byte order: every p.* key sorts after
    /// `kind` and before `producer`.
    pub fn write_line(&self, out: &mut String) {
        out.push_str("event ingest=");
        push_int(out, self.ingest);
        out.push_str(" instrument=");
        out.push_str(&self.instrument);
        out.push_str(" key=");
        out.push_str(self.key.as_deref().unwrap_or("-"));
        out.push_str(" kind=");
        out.push_str(&self.kind);
        self.write_payload(out);
        push_pairs(out, &[(" producer=", self.producer), (" seq=", self.seq)]);
        out.push_str(" source=");
        out.push_str(&self.source);
        push_pairs(out, &[(" time=", self.time)]);
        out.push_str(" venue=");
        out.push_str(&self.venue);
        out.push('\n');
    }

    /// The unsequenced form an input stream holds.
    pub fn input_line(&self) -> String {
        let mut out = String::with_capacity(160);
        let key = self.key.as_deref().unwrap_or("-");
        let _ = write!(out, "event instrument={} key={key} kind={}", self.instrument, self.kind);
        self.write_payload(&mut out);
        let _ = write!(
            out,
            " producer={} source={} time={} venue={}",
            self.producer, self.source, self.time, self.venue
        );
        out
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        self.payload.get(name).and_then(Value::int)
    }
}

#[derive(Clone, Debug)]
pub struct Order {
    pub id: i64,
    pub venue: Text,
    pub instrument: Text,
    pub market: usize, // index in the spec's market table
    pub side: Text,
    pub signed: i64,
    pub price: i64,
    pub qty: i64,
    pub created: i64,
    pub state: State,
    pub filled: i64,
    pub notional: i64,
    pub fees: i64,
    pub accepted: bool,
    pub next_rseq: i64,
    pub parked: BTreeMap<i64, Event>,
}

impl Order {
    pub fn new(id: i64, venue: Text, instrument: Text, side: Text, price: i64, qty: i64, created: i64) -> Self {
        Order {
            id,
            market: market_index(&venue, &instrument).expect("orders are placed on known markets"),
            signed: if side == "buy" { 1 } else { -1 },
            venue,
            instrument,
            side,
            price,
            qty,
            created,
            state: CREATED,
            filled: 0,
            notional: 0,
            fees: 0,
            accepted: false,
            next_rseq: 1,
            parked: BTreeMap::new(),
        }
    }

    pub fn remaining(&self) -> i64 {
        if self.state == CANCELLED || self.state == REJECTED {
            0
        } else {
            self.qty - self.filled
        }
    }
}
