//! The shared tables, compiled in from `reference-core/core.spec`, the file the Python core reads
//! at import: constants, order states and transitions, report targets, intent fields, source
//! priority, venues and their capabilities, markets, harness commands, profiles.
use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::grammar::{parse_line, Fields, Value};

pub const SPEC_TEXT: &str = include_str!("../../core.spec");

/// Parameters of the seeded generator, the venue simulator and the strategy (see core.spec).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub quote_pct: i64,
    pub timer_every: i64,
    pub halt_on_pct: i64,
    pub halt_off_pct: i64,
    pub stale_after: i64,
    pub reject_pct: i64,
    pub expire_pct: i64,
    pub dup_pct: i64,
    pub plans: i64,
    pub no_fill_plans: i64,
}

const PROFILE_KEYS: [&str; 11] = [
    "name",
    "quote-pct",
    "timer-every",
    "halt-on-pct",
    "halt-off-pct",
    "stale-after",
    "reject-pct",
    "expire-pct",
    "dup-pct",
    "plans",
    "no-fill-plans",
];

pub struct Venue {
    pub name: String,
    pub index: i64,
    pub fee_bps: i64,
}

/// The order states the core's logic names. Which are terminal and which transitions are legal
/// is the spec's; it must name exactly these states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    Created,
    Submitted,
    Accepted,
    Partial,
    Filled,
    CancelPending,
    Cancelled,
    Rejected,
}

pub use State::{
    Accepted as ACCEPTED, CancelPending as CANCEL_PENDING, Cancelled as CANCELLED, Created as CREATED,
    Filled as FILLED, Partial as PARTIAL, Rejected as REJECTED, Submitted as SUBMITTED,
};

impl State {
    pub const ALL: [State; 8] = [
        CREATED,
        SUBMITTED,
        ACCEPTED,
        PARTIAL,
        FILLED,
        CANCEL_PENDING,
        CANCELLED,
        REJECTED,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CREATED => "created",
            SUBMITTED => "submitted",
            ACCEPTED => "accepted",
            PARTIAL => "partially-filled",
            FILLED => "filled",
            CANCEL_PENDING => "cancel-pending",
            CANCELLED => "cancelled",
            REJECTED => "rejected",
        }
    }

    pub fn named(name: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Default)]
pub struct Spec {
    pub consts: BTreeMap<String, i64>,
    pub format: i64,
    pub tick_ns: i64,
    pub initial_cash: i64,
    pub max_order_qty: i64,
    pub max_position: i64,
    pub checkpoint_every: i64,
    pub max_steps: i64,
    pub states: Vec<(String, bool)>, // name, terminal; in file order
    pub legal: Vec<(String, String)>,
    terminal: [bool; 8],         // by State
    legal_table: [[bool; 8]; 8], // [from][to], by State
    pub reports: Vec<(String, String)>,
    pub intents: Vec<(String, Vec<(String, bool)>)>, // type -> [(field, positive)]
    pub priority: BTreeMap<String, i64>,
    pub venues: Vec<Venue>,
    pub capabilities: BTreeMap<(String, String), i64>,
    pub markets: Vec<(String, String, i64)>, // venue, instrument, start-mid
    pub commands: Vec<(String, Vec<String>, String)>, // name, from states, to
    pub profiles: BTreeMap<String, Profile>,
    pub profile_settings: BTreeMap<String, Vec<(String, Fields)>>,
}

fn word(f: &Fields, key: &str) -> Result<String, String> {
    f.get(key)
        .and_then(Value::word)
        .map(str::to_string)
        .ok_or_else(|| format!("needs a word {key}"))
}

fn int(f: &Fields, key: &str) -> Result<i64, String> {
    f.get(key)
        .and_then(Value::int)
        .ok_or_else(|| format!("needs an integer {key}"))
}

impl Spec {
    pub fn parse(text: &str) -> Result<Spec, String> {
        let mut spec = Spec::default();
        for (number, raw) in text.split('\n').enumerate() {
            if raw.is_empty() || raw.starts_with('#') {
                continue;
            }
            let row = parse_line(raw.as_bytes())
                .map_err(|e| e.reason)
                .and_then(|(kind, f)| spec.row(&kind, f));
            row.map_err(|e| format!("core.spec:{}: bad spec line ({e}): {raw}", number + 1))?;
        }
        let state =
            |name: &str| State::named(name).ok_or(format!("core.spec names an order state the core lacks: {name:?}"));
        for (name, terminal) in &spec.states {
            spec.terminal[state(name)? as usize] = *terminal;
        }
        for (from, to) in &spec.legal {
            spec.legal_table[state(from)? as usize][state(to)? as usize] = true;
        }
        for s in State::ALL {
            if !spec.states.iter().any(|(name, _)| name == s.name()) {
                return Err(format!("core.spec has no order state {:?}", s.name()));
            }
        }
        let c = |name: &str| {
            spec.consts
                .get(name)
                .copied()
                .ok_or(format!("core.spec has no const {name:?}"))
        };
        (spec.format, spec.tick_ns, spec.initial_cash) = (c("format")?, c("tick-ns")?, c("initial-cash")?);
        (spec.max_order_qty, spec.max_position) = (c("max-order-qty")?, c("max-position")?);
        (spec.checkpoint_every, spec.max_steps) = (c("checkpoint-every")?, c("max-steps")?);
        Ok(spec)
    }

    fn row(&mut self, kind: &str, mut f: Fields) -> Result<(), String> {
        match kind {
            "const" => {
                self.consts.insert(word(&f, "name")?, int(&f, "value")?);
            }
            "state" => self.states.push((word(&f, "name")?, int(&f, "terminal")? == 1)),
            "transition" => self.legal.push((word(&f, "from")?, word(&f, "to")?)),
            "report" => self.reports.push((word(&f, "kind")?, word(&f, "to")?)),
            "intent" => {
                let kind = word(&f, "type")?;
                if !self.intents.iter().any(|(k, _)| *k == kind) {
                    self.intents.push((kind.clone(), Vec::new()));
                }
                if f.contains_key("field") {
                    let entry = self.intents.iter_mut().find(|(k, _)| *k == kind).unwrap();
                    entry.1.push((word(&f, "field")?, int(&f, "positive")? == 1));
                }
            }
            "source" | "capability" if f.contains_key("profile") => {
                let profile = word(&f, "profile")?;
                f.remove("profile");
                self.profile_settings
                    .entry(profile)
                    .or_default()
                    .push((kind.to_string(), f));
            }
            "source" => {
                self.priority.insert(word(&f, "name")?, int(&f, "priority")?);
            }
            "venue" => self.venues.push(Venue {
                name: word(&f, "name")?,
                index: int(&f, "index")?,
                fee_bps: int(&f, "fee-bps")?,
            }),
            "capability" => {
                self.capabilities
                    .insert((word(&f, "venue")?, word(&f, "name")?), int(&f, "value")?);
            }
            "market" => self
                .markets
                .push((word(&f, "venue")?, word(&f, "instrument")?, int(&f, "start-mid")?)),
            "command" => {
                let (name, from, to) = (word(&f, "name")?, word(&f, "from")?, word(&f, "to")?);
                match self.commands.iter_mut().find(|(n, _, _)| *n == name) {
                    Some(entry) => entry.1.push(from),
                    None => self.commands.push((name, vec![from], to)),
                }
            }
            "profile" => {
                let mut keys: Vec<&str> = f.keys().collect();
                let mut want = PROFILE_KEYS.to_vec();
                keys.sort();
                want.sort();
                if keys != want {
                    return Err(format!("a profile has exactly the keys {}", want.join(", ")));
                }
                let p = Profile {
                    name: word(&f, "name")?,
                    quote_pct: int(&f, "quote-pct")?,
                    timer_every: int(&f, "timer-every")?,
                    halt_on_pct: int(&f, "halt-on-pct")?,
                    halt_off_pct: int(&f, "halt-off-pct")?,
                    stale_after: int(&f, "stale-after")?,
                    reject_pct: int(&f, "reject-pct")?,
                    expire_pct: int(&f, "expire-pct")?,
                    dup_pct: int(&f, "dup-pct")?,
                    plans: int(&f, "plans")?,
                    no_fill_plans: int(&f, "no-fill-plans")?,
                };
                self.profiles.insert(p.name.clone(), p);
            }
            other => return Err(format!("unknown spec line {other:?}")),
        }
        Ok(())
    }

    pub fn venue(&self, name: &str) -> Option<&Venue> {
        self.venues.iter().find(|v| v.name == name)
    }

    pub fn is_terminal(&self, state: State) -> bool {
        self.terminal[state as usize]
    }

    pub fn legal(&self, from: State, to: State) -> bool {
        self.legal_table[from as usize][to as usize]
    }

    pub fn report_target(&self, kind: &str) -> Option<&str> {
        self.reports.iter().find(|(k, _)| k == kind).map(|(_, t)| t.as_str())
    }

    pub fn intent_fields(&self, kind: &str) -> Option<&[(String, bool)]> {
        self.intents.iter().find(|(k, _)| k == kind).map(|(_, f)| f.as_slice())
    }

    pub fn command(&self, name: &str) -> Option<(&[String], &str)> {
        self.commands
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, from, to)| (from.as_slice(), to.as_str()))
    }
}

/// The spec, parsed once; a spec that does not parse is a build defect, so this panics.
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::parse(SPEC_TEXT).unwrap_or_else(|e| panic!("{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_loads_and_names_what_the_core_uses() {
        let s = spec();
        assert_eq!((s.format, s.tick_ns), (2, 1_000_000));
        assert_eq!(s.legal.len(), 14);
        assert!(s.legal(CANCEL_PENDING, FILLED) && !s.legal(FILLED, CANCEL_PENDING));
        assert!(s.is_terminal(REJECTED) && !s.is_terminal(CANCEL_PENDING));
        assert_eq!(s.priority["control"], 0);
        assert_eq!(s.capabilities[&("XB".to_string(), "replace".to_string())], 0);
        assert_eq!(s.profiles["default"].timer_every, 10);
        assert_eq!(s.profile_settings["reordered"].len(), 3);
        assert_eq!(s.command("start").unwrap().0.len(), 2);
    }
}
