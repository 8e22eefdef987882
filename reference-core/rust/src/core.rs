//! The deterministic core: applies sequenced events, validates and applies intents, runs the
//! order state machine and the portfolio, and checks the invariants after every committed event.
use std::collections::{BTreeMap, BTreeSet};

use crate::fields;
use crate::model::*;
use crate::strategy;

pub type Intent = Fields;

const INTENT_TYPES: [&str; 5] = ["place", "cancel", "replace", "set-risk-flag", "noop"];

/// Why `apply` stopped: an unsound result (the run must end) or an unusable input.
#[derive(Debug, PartialEq, Eq)]
pub enum CoreError {
    Invariant(String),
    Input(String),
}

type Snapshot = (i64, i64, Vec<i64>, BTreeMap<i64, (&'static str, i64, i64, i64, usize)>);

pub struct Core {
    pub cash: i64,
    pub fees: i64,
    pub positions: BTreeMap<String, i64>,
    pub books: BTreeMap<String, (i64, i64)>,
    pub orders: BTreeMap<i64, Order>,
    pub next_order: i64,
    pub halt: i64,
    pub seen: BTreeSet<String>,
    pub last_seq: i64,
    pub now: i64,
    pub events: i64,
    lines: Vec<String>,
    requests: Vec<(&'static str, Order)>,
}

impl Default for Core {
    fn default() -> Self {
        Self::new()
    }
}

impl Core {
    pub fn new() -> Self {
        Core {
            cash: INITIAL_CASH,
            fees: 0,
            positions: MARKETS.iter().map(|(v, i)| (market_of(v, i), 0)).collect(),
            books: BTreeMap::new(),
            orders: BTreeMap::new(),
            next_order: 1,
            halt: 0,
            seen: BTreeSet::new(),
            last_seq: 0,
            now: 0,
            events: 0,
            lines: Vec::new(),
            requests: Vec::new(),
        }
    }

    // -- trace --------------------------------------------------------------------------------
    fn emit(&mut self, kind: &str, fields: Fields) -> Result<(), CoreError> {
        self.lines.push(line(kind, &fields).map_err(CoreError::Input)?);
        Ok(())
    }

    /// The trace lines and venue requests produced since the last call.
    pub fn take(&mut self) -> (Vec<String>, Vec<(&'static str, Order)>) {
        (std::mem::take(&mut self.lines), std::mem::take(&mut self.requests))
    }

    fn state_fields(&self) -> Fields {
        let mut f = fields![
            ("seq", self.last_seq),
            ("cash", self.cash),
            ("fees", self.fees),
            ("orders", self.orders.len() as i64),
            (
                "open",
                self.orders.values().filter(|o| !is_terminal(o.state)).count() as i64
            ),
            ("halt", self.halt),
        ];
        for (market, qty) in &self.positions {
            f.insert(format!("pos.{market}"), Value::Int(*qty));
        }
        f
    }

    pub fn checkpoint(&mut self) {
        let f = self.state_fields();
        self.emit("checkpoint", f).expect("state fields are canonical");
    }

    pub fn finish(&mut self) {
        let mut f = self.state_fields();
        f.insert("events".into(), Value::Int(self.events));
        self.emit("final", f).expect("state fields are canonical");
    }

    // -- events -------------------------------------------------------------------------------
    pub fn apply(&mut self, ev: &Event) -> Result<(), CoreError> {
        if ev.seq <= self.last_seq {
            return Err(CoreError::Input(format!(
                "sequence ids must increase: {} after {}",
                ev.seq, self.last_seq
            )));
        }
        self.last_seq = ev.seq;
        self.now = ev.ingest;
        let before = self.snapshot();
        self.lines.push(ev.line(true).map_err(CoreError::Input)?);
        let mut duplicate = false;
        let mut intents: Vec<Intent> = Vec::new();
        let market = market_of(&ev.venue, &ev.instrument);
        match ev.source.as_str() {
            "market" => {
                if !self.positions.contains_key(&market) {
                    self.emit("diag", fields![("seq", ev.seq), ("reason", "unknown-market")])?;
                } else if let Some((bid, ask)) = valid_quote(&ev.payload) {
                    self.books.insert(market.clone(), (bid, ask));
                    intents = strategy::on_quote(self, &market);
                } else {
                    self.emit("diag", fields![("seq", ev.seq), ("reason", "bad-quote")])?;
                }
            }
            "timer" => intents = strategy::on_timer(self),
            "control" => intents = strategy::on_control(ev),
            "broker" => duplicate = self.report(ev)?,
            _ => self.emit("diag", fields![("seq", ev.seq), ("reason", "unknown-source")])?,
        }
        for (n, intent) in intents.into_iter().enumerate() {
            self.intent(ev.seq, n as i64, intent)?;
        }
        self.events += 1;
        self.check(ev.seq, before, duplicate)
    }

    // -- intents ------------------------------------------------------------------------------
    fn intent(&mut self, seq: i64, n: i64, intent: Intent) -> Result<(), CoreError> {
        let mut f = intent.clone();
        f.insert("seq".into(), Value::Int(seq));
        f.insert("n".into(), Value::Int(n));
        self.emit("intent", f)?;
        let reason = self.validate(&intent);
        let verdict = if reason.is_some() { "reject" } else { "accept" };
        let shown = reason.clone().unwrap_or_else(|| "ok".into());
        self.emit(
            "decision",
            fields![("seq", seq), ("n", n), ("verdict", verdict), ("reason", shown)],
        )?;
        if reason.is_some() {
            return Ok(());
        }
        let int = |name: &str| intent.get(name).and_then(Value::int).unwrap_or(0);
        let word = |name: &str| intent.get(name).map(Value::to_string).unwrap_or_default();
        match word("type").as_str() {
            "place" => self.place(
                seq,
                &word("venue"),
                &word("instrument"),
                &word("side"),
                int("price"),
                int("qty"),
            )?,
            "cancel" => self.cancel(seq, int("order"))?,
            "replace" => {
                let old = self.orders[&int("order")].clone();
                self.cancel(seq, old.id)?;
                self.place(seq, &old.venue, &old.instrument, &old.side, int("price"), int("qty"))?;
            }
            "set-risk-flag" => {
                self.halt = int("value");
                self.emit("risk", fields![("seq", seq), ("flag", "halt"), ("value", self.halt)])?;
            }
            _ => {}
        }
        Ok(())
    }

    /// The reason an intent is refused (schema, capability, risk, legal transition), or None.
    fn validate(&self, intent: &Intent) -> Option<String> {
        let kind = match intent.get("type") {
            Some(Value::Word(w)) if INTENT_TYPES.contains(&w.as_str()) => w.as_str(),
            _ => return Some("schema:type".into()),
        };
        let required: &[&str] = match kind {
            "place" => &["price", "qty"],
            "cancel" => &["order"],
            "replace" => &["order", "price", "qty"],
            "set-risk-flag" => &["value"],
            _ => &[],
        };
        for name in required {
            match intent.get(*name).and_then(Value::int) {
                Some(v) if v > 0 || *name == "value" => {}
                _ => return Some(format!("schema:{name}")),
            }
        }
        let text = |name: &str| intent.get(name).map(Value::to_string).unwrap_or_else(|| "None".into());
        let int = |name: &str| intent.get(name).and_then(Value::int).unwrap_or(0);
        let mut order: Option<&Order> = None;
        match kind {
            "place" => {
                if !self
                    .positions
                    .contains_key(&market_of(&text("venue"), &text("instrument")))
                {
                    return Some("schema:market".into());
                }
                if !matches!(intent.get("side"), Some(Value::Word(s)) if s == "buy" || s == "sell") {
                    return Some("schema:side".into());
                }
            }
            "set-risk-flag" => {
                let flag_ok = matches!(intent.get("flag"), Some(Value::Word(f)) if f == "halt");
                if !flag_ok || !(int("value") == 0 || int("value") == 1) {
                    return Some("schema:flag".into());
                }
                return None;
            }
            "cancel" | "replace" => {
                order = self.orders.get(&int("order"));
                match order {
                    None => return Some("unknown-order".into()),
                    Some(o) if kind == "replace" && !venue(&o.venue).replace => {
                        return Some("capability:replace".into())
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        if kind == "place" || kind == "replace" {
            let (venue_name, instrument, side) = match order {
                Some(o) => (o.venue.clone(), o.instrument.clone(), o.side.clone()),
                None => (text("venue"), text("instrument"), text("side")),
            };
            let (price, qty) = (int("price"), int("qty"));
            if self.halt != 0 {
                return Some("risk:halt".into());
            }
            if qty > MAX_ORDER_QTY {
                return Some("risk:max-qty".into());
            }
            let sign = if side == "buy" { 1 } else { -1 };
            let market = market_of(&venue_name, &instrument);
            let others = || {
                self.orders
                    .values()
                    .filter(move |o| Some(o.id) != order.map(|x| x.id) && !is_terminal(o.state))
            };
            let exposure = self.positions[&market]
                + others()
                    .filter(|o| o.market() == market)
                    .map(|o| o.signed() * o.remaining())
                    .sum::<i64>();
            if (exposure + sign * qty).abs() > MAX_POSITION {
                return Some("risk:position".into());
            }
            if side == "buy" {
                let reserved: i64 = others()
                    .filter(|o| o.side == "buy")
                    .map(|o| o.price * o.remaining() + fee(&o.venue, o.price, o.remaining()))
                    .sum();
                if reserved + price * qty + fee(&venue_name, price, qty) > self.cash {
                    return Some("risk:cash".into());
                }
            }
        }
        match order {
            Some(o) if o.state != ACCEPTED && o.state != PARTIAL => Some(format!("illegal-transition:{}", o.state)),
            _ => None,
        }
    }

    fn place(
        &mut self,
        seq: i64,
        venue: &str,
        instrument: &str,
        side: &str,
        price: i64,
        qty: i64,
    ) -> Result<(), CoreError> {
        let order = Order::new(self.next_order, venue, instrument, side, price, qty, self.now);
        let id = order.id;
        self.next_order += 1;
        self.orders.insert(id, order);
        self.emit(
            "order",
            fields![
                ("seq", seq),
                ("order", id),
                ("venue", venue),
                ("instrument", instrument),
                ("side", side),
                ("price", price),
                ("qty", qty)
            ],
        )?;
        self.transition(seq, id, SUBMITTED, "intent")?;
        self.requests.push(("new", self.orders[&id].clone()));
        Ok(())
    }

    fn cancel(&mut self, seq: i64, id: i64) -> Result<(), CoreError> {
        self.transition(seq, id, CANCEL_PENDING, "intent")?;
        self.requests.push(("cancel", self.orders[&id].clone()));
        Ok(())
    }

    fn transition(&mut self, seq: i64, id: i64, to: &'static str, cause: &str) -> Result<(), CoreError> {
        let order = self.orders.get_mut(&id).expect("transitions name existing orders");
        if !legal(order.state, to) {
            return Err(CoreError::Invariant(format!(
                "illegal transition {} -> {} for order {}",
                order.state, to, id
            )));
        }
        let before = order.state;
        order.state = to;
        let f = fields![
            ("seq", seq),
            ("order", id),
            ("cause", cause),
            ("to", to),
            ("filled", order.filled),
            ("remaining", order.remaining()),
            ("from", before),
        ];
        self.emit("transition", f)
    }

    // -- broker reports -----------------------------------------------------------------------
    /// Apply a report in the venue's per-order order; true when it was a duplicate.
    fn report(&mut self, ev: &Event) -> Result<bool, CoreError> {
        let (Some(oid), Some(rseq)) = (
            ev.payload.get("order").and_then(Value::int),
            ev.payload.get("rseq").and_then(Value::int),
        ) else {
            return self.refuse(fields![], ev.seq, "malformed-report");
        };
        let known = matches!(self.orders.get(&oid), Some(o) if o.venue == ev.venue && o.instrument == ev.instrument);
        if !known {
            return self.refuse(fields![("order", oid)], ev.seq, "unknown-order");
        }
        let order = &self.orders[&oid];
        let seen = ev.key.as_ref().is_some_and(|k| self.seen.contains(k));
        if seen || rseq < order.next_rseq || order.parked.contains_key(&rseq) {
            let key = ev.key.clone().unwrap_or_else(|| "-".into());
            self.emit(
                "dup",
                fields![("seq", ev.seq), ("order", oid), ("rseq", rseq), ("key", key)],
            )?;
            return Ok(true);
        }
        if rseq > order.next_rseq {
            self.see(ev);
            self.orders.get_mut(&oid).unwrap().parked.insert(rseq, ev.clone());
            self.emit("park", fields![("seq", ev.seq), ("order", oid), ("rseq", rseq)])?;
            return Ok(false);
        }
        if self.apply_report(ev.seq, oid, ev)? {
            self.see(ev);
            self.orders.get_mut(&oid).unwrap().next_rseq += 1;
            loop {
                let next = self.orders[&oid].next_rseq;
                let Some(parked) = self.orders[&oid].parked.get(&next).cloned() else {
                    break;
                };
                self.emit("unpark", fields![("seq", ev.seq), ("order", oid), ("rseq", next)])?;
                if !self.apply_report(ev.seq, oid, &parked)? {
                    break;
                }
                let order = self.orders.get_mut(&oid).unwrap();
                order.parked.remove(&next);
                order.next_rseq += 1;
            }
        }
        Ok(false)
    }

    /// A report that fails closed: a diagnostic line and no state change.
    fn refuse(&mut self, mut fields: Fields, seq: i64, reason: &str) -> Result<bool, CoreError> {
        fields.insert("seq".into(), Value::Int(seq));
        fields.insert("reason".into(), Value::from(reason));
        self.emit("diag", fields)?;
        Ok(false)
    }

    fn see(&mut self, ev: &Event) {
        if let Some(key) = &ev.key {
            self.seen.insert(key.clone());
        }
    }

    /// Apply one in-order report; an illegal one fails closed with a diagnostic.
    fn apply_report(&mut self, seq: i64, oid: i64, ev: &Event) -> Result<bool, CoreError> {
        let order = &self.orders[&oid];
        let p = &ev.payload;
        let mut fill = None;
        let to = match ev.kind.as_str() {
            "fill" => {
                let (qty, price, charged) = match (
                    p.get("qty").and_then(Value::int),
                    p.get("price").and_then(Value::int),
                    p.get("fee").and_then(Value::int),
                ) {
                    (Some(q), Some(pr), Some(c)) if q > 0 && pr > 0 && c >= 0 => (q, pr, c),
                    _ => {
                        return self.refuse(fields![("order", oid)], seq, "malformed-fill");
                    }
                };
                if qty > order.qty - order.filled {
                    return self.refuse(fields![("order", oid), ("qty", qty)], seq, "overfill");
                }
                fill = Some((qty, price, charged));
                if order.filled + qty == order.qty {
                    FILLED
                } else if order.state == CANCEL_PENDING {
                    CANCEL_PENDING
                } else {
                    PARTIAL
                }
            }
            "ack" => ACCEPTED,
            "reject" => REJECTED,
            "cancelled" => CANCELLED,
            _ => {
                return self.refuse(fields![("order", oid)], seq, "unknown-report");
            }
        };
        if !legal(order.state, to) {
            let f = fields![
                ("order", oid),
                ("report", ev.kind.as_str()),
                ("to", to),
                ("from", order.state)
            ];
            return self.refuse(f, seq, "illegal-transition");
        }
        if let Some((qty, price, charged)) = fill {
            let order = self.orders.get_mut(&oid).unwrap();
            order.filled += qty;
            order.notional += price * qty;
            order.fees += charged;
            let signed = order.signed();
            let market = order.market();
            self.cash -= signed * price * qty + charged;
            self.fees += charged;
            *self.positions.get_mut(&market).unwrap() += signed * qty;
            let f = fields![
                ("seq", seq),
                ("order", oid),
                ("qty", qty),
                ("price", price),
                ("fee", charged),
                ("cash", self.cash),
                ("position", self.positions[&market]),
            ];
            self.emit("fill", f)?;
        } else if ev.kind == "ack" {
            self.orders.get_mut(&oid).unwrap().accepted = true;
        }
        self.transition(seq, oid, to, &ev.kind)?;
        Ok(true)
    }

    // -- invariants ---------------------------------------------------------------------------
    fn snapshot(&self) -> Snapshot {
        let orders = self
            .orders
            .values()
            .map(|o| (o.id, (o.state, o.filled, o.remaining(), o.next_rseq, o.parked.len())))
            .collect();
        (self.cash, self.fees, self.positions.values().copied().collect(), orders)
    }

    fn check(&mut self, seq: i64, before: Snapshot, duplicate: bool) -> Result<(), CoreError> {
        if let Some((name, order)) = self.violation(&before, duplicate) {
            self.emit("invariant", fields![("seq", seq), ("name", name), ("order", order)])?;
            return Err(CoreError::Invariant(format!(
                "invariant {name} failed at seq {seq} (order {order})"
            )));
        }
        Ok(())
    }

    fn violation(&self, before: &Snapshot, duplicate: bool) -> Option<(&'static str, i64)> {
        if duplicate && *before != self.snapshot() {
            return Some(("duplicate-is-noop", 0));
        }
        let prior = &before.3;
        let mut cash = INITIAL_CASH;
        let mut fees = 0;
        let mut positions: BTreeMap<String, i64> = self.positions.keys().map(|m| (m.clone(), 0)).collect();
        for o in self.orders.values() {
            if o.filled > 0 && !o.accepted {
                return Some(("no-fill-before-accept", o.id));
            }
            if let Some(&(state, filled, remaining, _, _)) = prior.get(&o.id) {
                if is_terminal(state) && o.state != state {
                    return Some(("terminal-is-final", o.id));
                }
                if o.filled < filled {
                    return Some(("filled-never-decreases", o.id));
                }
                if o.remaining() > remaining {
                    return Some(("remaining-never-increases", o.id));
                }
            }
            cash -= o.signed() * o.notional + o.fees;
            fees += o.fees;
            *positions.get_mut(&o.market()).unwrap() += o.signed() * o.filled;
        }
        if (self.cash, self.fees, &self.positions) != (cash, fees, &positions) {
            return Some(("cash-and-positions-conserve", 0));
        }
        None
    }
}

/// Both sides present and 0 < bid < ask.
fn valid_quote(p: &Fields) -> Option<(i64, i64)> {
    match (p.get("bid").and_then(Value::int), p.get("ask").and_then(Value::int)) {
        (Some(bid), Some(ask)) if 0 < bid && bid < ask => Some((bid, ask)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(
        seq: i64,
        source: &str,
        kind: &str,
        venue: &str,
        instrument: &str,
        key: Option<&str>,
        payload: Fields,
    ) -> Event {
        let mut e = Event::new(seq * 10, source, venue, instrument, kind, 0, payload);
        e.key = key.map(str::to_string);
        e.seq = seq;
        e.ingest = seq * 10;
        e
    }

    /// Order 1 filled (buy 2 @ 100), order 2 accepted (buy 3 @ 100).
    fn core() -> Core {
        let mut c = Core::new();
        let place = |seq, qty| {
            let p = fields![
                ("type", "place"),
                ("venue", "XA"),
                ("instrument", "BTC-USD"),
                ("side", "buy"),
                ("price", 100),
                ("qty", qty)
            ];
            ev(seq, "control", "intent", "-", "-", None, p)
        };
        let feed = [
            place(1, 2),
            ev(
                2,
                "broker",
                "ack",
                "XA",
                "BTC-USD",
                Some("k1"),
                fields![("order", 1), ("rseq", 1)],
            ),
            ev(
                3,
                "broker",
                "fill",
                "XA",
                "BTC-USD",
                Some("k2"),
                fields![("order", 1), ("rseq", 2), ("qty", 2), ("price", 100), ("fee", 1)],
            ),
            place(4, 3),
            ev(
                5,
                "broker",
                "ack",
                "XA",
                "BTC-USD",
                Some("k3"),
                fields![("order", 2), ("rseq", 1)],
            ),
        ];
        for e in &feed {
            c.apply(e).unwrap();
        }
        assert_eq!(
            c.orders.values().map(|o| o.state).collect::<Vec<_>>(),
            vec![FILLED, ACCEPTED]
        );
        c.take();
        c
    }

    fn fires(name: &str, corrupt: impl Fn(&mut Core)) {
        let mut c = core();
        let before = c.snapshot();
        corrupt(&mut c);
        let err = c.check(6, before, false).unwrap_err();
        assert!(
            matches!(err, CoreError::Invariant(ref m) if m.contains(name)),
            "{err:?}"
        );
        assert!(c
            .take()
            .0
            .last()
            .unwrap()
            .starts_with(&format!("invariant name={name} ")));
    }

    #[test]
    fn each_invariant_fires_on_corruption() {
        fires("no-fill-before-accept", |c| {
            c.orders.get_mut(&1).unwrap().accepted = false
        });
        fires("terminal-is-final", |c| c.orders.get_mut(&1).unwrap().state = ACCEPTED);
        fires("filled-never-decreases", |c| c.orders.get_mut(&2).unwrap().filled = -1);
        fires("remaining-never-increases", |c| c.orders.get_mut(&2).unwrap().qty = 4);
        fires("cash-and-positions-conserve", |c| c.cash += 1);
        fires("cash-and-positions-conserve", |c| {
            *c.positions.get_mut("XA:ETH-USD").unwrap() = 1
        });
        fires("cash-and-positions-conserve", |c| c.fees += 1);
    }

    #[test]
    fn a_duplicate_that_mutates_fails_and_a_real_one_changes_nothing() {
        let mut c = core();
        let before = c.snapshot();
        c.orders.get_mut(&1).unwrap().fees += 1;
        c.fees += 1;
        c.cash -= 1;
        assert!(matches!(c.check(6, before, true), Err(CoreError::Invariant(m)) if m.contains("duplicate-is-noop")));

        let mut c = core();
        let before = c.snapshot();
        let dup = ev(
            6,
            "broker",
            "fill",
            "XA",
            "BTC-USD",
            Some("k2"),
            fields![("order", 1), ("rseq", 2), ("qty", 2), ("price", 100), ("fee", 1)],
        );
        c.apply(&dup).unwrap();
        assert!(before == c.snapshot());
        assert_eq!(c.take().0.last().unwrap(), "dup key=k2 order=1 rseq=2 seq=6");
    }

    #[test]
    fn sequence_ids_must_increase() {
        let mut c = core();
        let err = c.apply(&ev(5, "timer", "tick", "-", "-", None, fields![])).unwrap_err();
        assert!(matches!(err, CoreError::Input(m) if m.contains("must increase")));
    }

    /// Drive order 1 (buy 4 on XA:BTC-USD) into `state`, then apply `input`.
    fn order_in(state: &str) -> (Core, i64, i64) {
        let mut c = Core::new();
        let mut seq = 0;
        let mut rseq = 0;
        let place = fields![
            ("type", "place"),
            ("venue", "XA"),
            ("instrument", "BTC-USD"),
            ("side", "buy"),
            ("price", 100),
            ("qty", 4)
        ];
        seq += 1;
        c.apply(&ev(seq, "control", "intent", "-", "-", None, place)).unwrap();
        let setup: &[(&str, i64)] = match state {
            SUBMITTED => &[],
            ACCEPTED => &[("ack", 0)],
            PARTIAL => &[("ack", 0), ("fill", 1)],
            FILLED => &[("ack", 0), ("fill", 4)],
            CANCEL_PENDING => &[("ack", 0), ("cancel", 0)],
            CANCELLED => &[("ack", 0), ("cancel", 0), ("cancelled", 0)],
            REJECTED => &[("reject", 0)],
            _ => unreachable!(),
        };
        for &(input, qty) in setup {
            apply_input(&mut c, &mut seq, &mut rseq, input, qty);
        }
        assert_eq!(c.orders[&1].state, state);
        c.take();
        (c, seq, rseq)
    }

    fn apply_input(c: &mut Core, seq: &mut i64, rseq: &mut i64, input: &str, qty: i64) {
        *seq += 1;
        let e = if input == "cancel" {
            ev(
                *seq,
                "control",
                "intent",
                "-",
                "-",
                None,
                fields![("type", "cancel"), ("order", 1)],
            )
        } else {
            *rseq += 1;
            let mut p = fields![("order", 1), ("rseq", *rseq)];
            if input == "fill" {
                p.extend(fields![("qty", qty), ("price", 100), ("fee", 0)]);
            }
            if input == "reject" {
                p.insert("reason".into(), Value::from("x"));
            }
            let key = format!("XA:1:{rseq}");
            ev(*seq, "broker", input, "XA", "BTC-USD", Some(&key), p)
        };
        c.apply(&e).unwrap();
    }

    #[test]
    fn every_state_against_every_input() {
        let mut transitions = 0;
        for state in STATES.into_iter().filter(|s| *s != CREATED) {
            for (input, qty) in [
                ("ack", 0),
                ("reject", 0),
                ("fill", 1),
                ("fill", -1),
                ("cancelled", 0),
                ("cancel", 0),
            ] {
                let (mut c, mut seq, mut rseq) = order_in(state);
                let o = c.orders[&1].clone();
                let qty = if qty == -1 { (o.qty - o.filled).max(1) } else { qty };
                let target = match input {
                    "fill" if o.filled + qty == o.qty => FILLED,
                    "fill" if o.state == CANCEL_PENDING => CANCEL_PENDING,
                    "fill" => PARTIAL,
                    "ack" => ACCEPTED,
                    "reject" => REJECTED,
                    "cancelled" => CANCELLED,
                    _ => CANCEL_PENDING,
                };
                let overfill = input == "fill" && o.filled + qty > o.qty;
                let repeat_cancel = input == "cancel" && state == CANCEL_PENDING;
                let before = (c.cash, c.positions.clone());
                apply_input(&mut c, &mut seq, &mut rseq, input, qty);
                let lines = c.take().0;
                let after = &c.orders[&1];
                if legal(state, target) && !overfill && !repeat_cancel {
                    assert_eq!(after.state, target, "{state} + {input}");
                    let needle = format!("from={state} ");
                    assert!(lines.iter().any(|l| l.starts_with("transition") && l.contains(&needle)));
                    transitions += 1;
                } else {
                    assert_eq!(
                        (after.state, after.filled),
                        (o.state, o.filled),
                        "{state} + {input} must not mutate"
                    );
                    assert_eq!((c.cash, c.positions.clone()), before);
                    assert!(
                        lines
                            .iter()
                            .any(|l| l.contains("illegal-transition") || l.contains("overfill")),
                        "{lines:?}"
                    );
                }
            }
        }
        assert_eq!(transitions, LEGAL.len() - 1); // created -> submitted is every setup's first step
    }
}
