//! Shared vocabulary: constants, the event envelope, orders and their legal transitions, and the
//! canonical text form of every trace line (the Python core writes the same bytes).
use std::collections::BTreeMap;
use std::fmt;

pub const TICK_NS: i64 = 1_000_000;
pub const INITIAL_CASH: i64 = 1_000_000;
pub const MAX_ORDER_QTY: i64 = 8;
pub const MAX_POSITION: i64 = 20;
pub const CHECKPOINT_EVERY: usize = 32;
pub const STALE_AFTER_NS: i64 = 20 * TICK_NS;

pub const MARKETS: [(&str, &str); 3] = [("XA", "BTC-USD"), ("XA", "ETH-USD"), ("XB", "BTC-USD")];

pub struct VenueSpec {
    pub name: &'static str,
    pub index: i64,
    pub fee_bps: i64,
    pub replace: bool,
}

pub const VENUES: [VenueSpec; 2] = [
    VenueSpec {
        name: "XA",
        index: 0,
        fee_bps: 10,
        replace: true,
    },
    VenueSpec {
        name: "XB",
        index: 1,
        fee_bps: 25,
        replace: false,
    },
];

pub fn venue(name: &str) -> &'static VenueSpec {
    VENUES
        .iter()
        .find(|v| v.name == name)
        .expect("orders only exist on known venues")
}

/// Ties on event time: control, then broker reports, then market data, then timers.
pub fn source_priority(source: &str) -> i64 {
    match source {
        "control" => 0,
        "broker" => 1,
        "market" => 2,
        "timer" => 3,
        _ => 4,
    }
}

pub const CREATED: &str = "created";
pub const SUBMITTED: &str = "submitted";
pub const ACCEPTED: &str = "accepted";
pub const PARTIAL: &str = "partially-filled";
pub const FILLED: &str = "filled";
pub const CANCEL_PENDING: &str = "cancel-pending";
pub const CANCELLED: &str = "cancelled";
pub const REJECTED: &str = "rejected";
pub const TERMINAL: [&str; 3] = [FILLED, CANCELLED, REJECTED];
pub const STATES: [&str; 8] = [
    CREATED,
    SUBMITTED,
    ACCEPTED,
    PARTIAL,
    FILLED,
    CANCEL_PENDING,
    CANCELLED,
    REJECTED,
];

/// The order state machine; see the Python core's model for why cancel-pending has four exits.
pub const LEGAL: [(&str, &str); 14] = [
    (CREATED, SUBMITTED),
    (SUBMITTED, ACCEPTED),
    (SUBMITTED, REJECTED),
    (ACCEPTED, REJECTED),
    (ACCEPTED, PARTIAL),
    (ACCEPTED, FILLED),
    (ACCEPTED, CANCEL_PENDING),
    (PARTIAL, PARTIAL),
    (PARTIAL, FILLED),
    (PARTIAL, CANCEL_PENDING),
    (CANCEL_PENDING, CANCEL_PENDING),
    (CANCEL_PENDING, FILLED),
    (CANCEL_PENDING, CANCELLED),
    (CANCEL_PENDING, REJECTED),
];

pub fn legal(from: &str, to: &str) -> bool {
    LEGAL.iter().any(|&(f, t)| f == from && t == to)
}

pub fn is_terminal(state: &str) -> bool {
    TERMINAL.contains(&state)
}

pub fn market_of(venue: &str, instrument: &str) -> String {
    format!("{venue}:{instrument}")
}

pub fn fee(venue_name: &str, price: i64, qty: i64) -> i64 {
    price * qty * venue(venue_name).fee_bps / 10_000
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Int(i64),
    Word(String),
}

impl Value {
    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            Value::Word(_) => None,
        }
    }

    pub fn word(&self) -> Option<&str> {
        match self {
            Value::Word(w) => Some(w),
            Value::Int(_) => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(n) => write!(f, "{n}"),
            Value::Word(w) => f.write_str(w),
        }
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<&str> for Value {
    fn from(w: &str) -> Self {
        Value::Word(w.to_string())
    }
}

impl From<String> for Value {
    fn from(w: String) -> Self {
        Value::Word(w)
    }
}

pub type Fields = BTreeMap<String, Value>;

/// Build a field map: `fields![("seq", 3), ("to", "filled")]`.
#[macro_export]
macro_rules! fields {
    ($(($k:expr, $v:expr)),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut m = $crate::model::Fields::new();
        $( m.insert($k.to_string(), $crate::model::Value::from($v)); )*
        m
    }};
}

fn is_word(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b":._-".contains(&b))
}

fn is_int(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `kind key=value ...` with keys in byte order; words outside [A-Za-z0-9:._-] are refused.
pub fn line(kind: &str, fields: &Fields) -> Result<String, String> {
    let mut out = kind.to_string();
    for (key, value) in fields {
        let text = value.to_string();
        if let Value::Word(_) = value {
            if !is_word(&text) {
                return Err(format!("not a canonical word: {key}={text:?}"));
            }
        }
        out.push(' ');
        out.push_str(key);
        out.push('=');
        out.push_str(&text);
    }
    Ok(out)
}

pub fn parse_line(text: &str) -> Result<(String, Fields), String> {
    let mut parts = text.split(' ');
    let kind = parts.next().unwrap_or("").to_string();
    let mut fields = Fields::new();
    for pair in parts {
        match pair.split_once('=') {
            Some((key, value)) if !key.is_empty() => {
                let value = match value.parse::<i64>() {
                    Ok(n) if is_int(value) => Value::Int(n),
                    _ => Value::Word(value.to_string()),
                };
                fields.insert(key.to_string(), value);
            }
            _ => return Err(format!("malformed field {pair:?} in line {text:?}")),
        }
    }
    Ok((kind, fields))
}

/// The envelope every input is normalised into; seq and ingest are set by the sequencer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub time: i64,
    pub source: String,
    pub venue: String,
    pub instrument: String,
    pub kind: String,
    pub producer: i64,
    pub payload: Fields,
    pub key: Option<String>,
    pub seq: i64,
    pub ingest: i64,
}

impl Event {
    pub fn new(
        time: i64,
        source: &str,
        venue: &str,
        instrument: &str,
        kind: &str,
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

    pub fn fields(&self, sequenced: bool) -> Fields {
        let mut out = fields![
            ("time", self.time),
            ("source", self.source.as_str()),
            ("venue", self.venue.as_str()),
            ("instrument", self.instrument.as_str()),
            ("kind", self.kind.as_str()),
            ("producer", self.producer),
            ("key", self.key.clone().unwrap_or_else(|| "-".to_string())),
        ];
        if sequenced {
            out.insert("seq".into(), Value::Int(self.seq));
            out.insert("ingest".into(), Value::Int(self.ingest));
        }
        for (name, value) in &self.payload {
            out.insert(format!("p.{name}"), value.clone());
        }
        out
    }

    pub fn line(&self, sequenced: bool) -> Result<String, String> {
        line("event", &self.fields(sequenced))
    }

    /// The inverse of `fields`; the error names what is missing or mistyped.
    pub fn from_fields(fields: &Fields) -> Result<Event, String> {
        let get = |name: &str| fields.get(name).ok_or_else(|| format!("event without {name}"));
        let int = |name: &str| {
            get(name)?
                .int()
                .ok_or_else(|| format!("event field {name} must be an integer"))
        };
        let word = |name: &str| {
            get(name)?
                .word()
                .map(str::to_string)
                .ok_or_else(|| format!("event field {name} must be a word"))
        };
        let time = int("time")?;
        let source = word("source")?;
        let venue = word("venue")?;
        let instrument = word("instrument")?;
        let kind = word("kind")?;
        let producer = int("producer")?;
        let key = get("key")?.to_string();
        let seq = if fields.contains_key("seq") { int("seq")? } else { 0 };
        let ingest = if fields.contains_key("ingest") {
            int("ingest")?
        } else {
            0
        };
        let payload = fields
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("p.").map(|name| (name.to_string(), v.clone())))
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
}

#[derive(Clone, Debug)]
pub struct Order {
    pub id: i64,
    pub venue: String,
    pub instrument: String,
    pub side: String,
    pub price: i64,
    pub qty: i64,
    pub created: i64,
    pub state: &'static str,
    pub filled: i64,
    pub notional: i64,
    pub fees: i64,
    pub accepted: bool,
    pub next_rseq: i64,
    pub parked: std::collections::BTreeMap<i64, Event>,
}

impl Order {
    pub fn new(id: i64, venue: &str, instrument: &str, side: &str, price: i64, qty: i64, created: i64) -> Self {
        Order {
            id,
            venue: venue.into(),
            instrument: instrument.into(),
            side: side.into(),
            price,
            qty,
            created,
            state: CREATED,
            filled: 0,
            notional: 0,
            fees: 0,
            accepted: false,
            next_rseq: 1,
            parked: Default::default(),
        }
    }

    pub fn remaining(&self) -> i64 {
        if self.state == CANCELLED || self.state == REJECTED {
            0
        } else {
            self.qty - self.filled
        }
    }

    pub fn signed(&self) -> i64 {
        if self.side == "buy" {
            1
        } else {
            -1
        }
    }

    pub fn market(&self) -> String {
        market_of(&self.venue, &self.instrument)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_sort_keys_and_round_trip() {
        let f = fields![("seq", 3), ("b", "x-y"), ("a", -2)];
        let text = line("k", &f).unwrap();
        assert_eq!(text, "k a=-2 b=x-y seq=3");
        assert_eq!(parse_line(&text).unwrap(), ("k".to_string(), f));
    }

    #[test]
    fn words_with_spaces_or_equals_are_refused() {
        assert!(line("k", &fields![("a", "x y")]).is_err());
        assert!(line("k", &fields![("a", "x=y")]).is_err());
        assert!(parse_line("k novalue").is_err());
    }
}
