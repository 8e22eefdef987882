//! The deterministic core: applies sequenced events, validates and applies intents, runs the
//! order state machine and the portfolio, and checks the invariants (the Python core's core
//! module, decision for decision). Cost per event does not grow with the run: the invariants
//! are checked after every event on the orders it touched, and audited in full at every
//! checkpoint over the open orders plus the running totals finished orders are folded into.
use std::collections::{BTreeMap, BTreeSet};

use crate::fields;
use crate::grammar::{line, Fields, Text, Value};
use crate::model::*;
use crate::model::{push_int, push_pairs};
use crate::spec::{spec, Profile};
use crate::strategy;

pub type Intent = Fields;

/// Why `apply` stopped: an unsound result (the run must end) or an unusable input.
#[derive(Debug, PartialEq, Eq)]
pub enum CoreError {
    Invariant(String),
    Input(String),
}

/// What the core asks of the venue: a new order, or the cancel of one.
#[derive(Clone, Debug)]
pub struct Request {
    pub cancel: bool,
    pub id: i64,
    pub venue: Text,
    pub instrument: Text,
    pub price: i64,
    pub qty: i64,
}

/// An order as it was before this event's first change to it: state, filled, remaining,
/// notional, fees. None: the event created it.
type Snapshot = Option<(State, i64, i64, i64, i64)>;

pub struct Core {
    pub settings: Settings,
    pub stale_after_ns: i64,
    pub cash: i64,
    pub fees: i64,
    pub positions: Vec<i64>,            // per market, in the spec's order
    pub books: Vec<Option<(i64, i64)>>, // per market: the last valid quote
    pub open: BTreeMap<i64, Order>,     // orders not yet terminal
    pub closed: BTreeMap<i64, Order>,   // terminal orders, folded into the totals below
    closed_cash: i128,
    closed_fees: i128,
    closed_positions: Vec<i128>,
    audited: BTreeMap<i64, (i64, i64)>, // open order -> (filled, remaining) at the last audit
    pub next_order: i64,
    pub halt: i64,
    pub seen: BTreeSet<String>,
    pub last_seq: i64,
    pub now: i64,
    pub events: i64,
    touched: Vec<(i64, Snapshot)>,
    before: Vec<i64>, // positions before the event being applied
    pub out: String,  // trace lines (each with its newline) not yet taken by the driver
    pub requests: Vec<Request>,
}

impl Default for Core {
    fn default() -> Self {
        Self::new(Settings::new(&[]), &spec().profiles["default"])
    }
}

impl Core {
    pub fn new(settings: Settings, profile: &Profile) -> Self {
        let markets = spec().markets.len();
        Core {
            settings,
            stale_after_ns: profile.stale_after * spec().tick_ns,
            cash: spec().initial_cash,
            fees: 0,
            closed_positions: vec![0; markets],
            positions: vec![0; markets],
            books: vec![None; markets],
            open: BTreeMap::new(),
            closed: BTreeMap::new(),
            closed_cash: 0,
            closed_fees: 0,
            audited: BTreeMap::new(),
            next_order: 1,
            halt: 0,
            seen: BTreeSet::new(),
            last_seq: 0,
            now: 0,
            events: 0,
            touched: Vec::new(),
            before: Vec::new(),
            out: String::new(),
            requests: Vec::new(),
        }
    }

    pub fn order(&self, id: i64) -> Option<&Order> {
        self.open.get(&id).or_else(|| self.closed.get(&id))
    }

    fn order_mut(&mut self, id: i64) -> &mut Order {
        match self.open.get_mut(&id) {
            Some(o) => o,
            None => self.closed.get_mut(&id).expect("the order exists"),
        }
    }

    // -- trace --------------------------------------------------------------------------------
    fn emit(&mut self, kind: &str, fields: Fields) {
        self.out.push_str(&line(kind, &fields));
        self.out.push('\n');
    }

    /// The trace text and venue requests produced since the last call.
    pub fn take(&mut self) -> (String, Vec<Request>) {
        (std::mem::take(&mut self.out), std::mem::take(&mut self.requests))
    }

    fn state_fields(&self) -> Fields {
        let mut f = fields![
            ("seq", self.last_seq),
            ("cash", self.cash),
            ("fees", self.fees),
            ("orders", (self.open.len() + self.closed.len()) as i64),
            ("open", self.open.len() as i64),
            ("halt", self.halt),
        ];
        for ((venue, instrument, _), qty) in spec().markets.iter().zip(&self.positions) {
            f.insert(format!("pos.{venue}:{instrument}"), Value::Int(*qty));
        }
        f
    }

    pub fn checkpoint(&mut self) -> Result<(), CoreError> {
        self.audit()?;
        let f = self.state_fields();
        self.emit("checkpoint", f);
        Ok(())
    }

    pub fn finish(&mut self) -> Result<(), CoreError> {
        self.audit()?;
        let mut f = self.state_fields();
        f.insert("events", Value::Int(self.events));
        self.emit("final", f);
        Ok(())
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
        let before = (self.cash, self.fees);
        self.before.clear();
        self.before.extend_from_slice(&self.positions);
        self.touched.clear();
        ev.write_line(&mut self.out);
        let mut duplicate = false;
        let mut intents: Vec<Intent> = Vec::new();
        match &*ev.source {
            "market" => match market_index(&ev.venue, &ev.instrument) {
                None => self.emit("diag", fields![("seq", ev.seq), ("reason", "unknown-market")]),
                Some(market) => match (ev.int("bid"), ev.int("ask")) {
                    (Some(bid), Some(ask)) if 0 < bid && bid < ask => {
                        self.books[market] = Some((bid, ask));
                        intents = strategy::on_quote(self, market, &ev.venue, &ev.instrument);
                    }
                    _ => self.emit("diag", fields![("seq", ev.seq), ("reason", "bad-quote")]),
                },
            },
            "timer" => intents = strategy::on_timer(self),
            "control" => intents = strategy::on_control(ev),
            "broker" => duplicate = self.report(ev)?,
            _ => self.emit("diag", fields![("seq", ev.seq), ("reason", "unknown-source")]),
        }
        for (n, intent) in intents.into_iter().enumerate() {
            self.intent(ev.seq, n as i64, intent)?;
        }
        self.events += 1;
        self.check(ev.seq, before, duplicate)?;
        self.fold();
        Ok(())
    }

    // -- intents ------------------------------------------------------------------------------
    fn intent(&mut self, seq: i64, n: i64, intent: Intent) -> Result<(), CoreError> {
        write_intent(&mut self.out, &intent, seq, n);
        let reason = self.validate(&intent);
        push_pairs(&mut self.out, &[("decision n=", n)]);
        self.out.push_str(" reason=");
        self.out.push_str(reason.as_deref().unwrap_or("ok"));
        push_pairs(&mut self.out, &[(" seq=", seq)]);
        self.out.push_str(if reason.is_some() {
            " verdict=reject\n"
        } else {
            " verdict=accept\n"
        });
        if reason.is_some() {
            return Ok(());
        }
        let int = |name: &str| intent.get(name).and_then(Value::int).unwrap_or(0);
        let word = |name: &str| intent.get(name).map(Value::text).unwrap_or_default();
        match &*word("type") {
            "place" => self.place(
                seq,
                word("venue"),
                word("instrument"),
                word("side"),
                int("price"),
                int("qty"),
            )?,
            "cancel" => self.cancel(seq, int("order"))?,
            "replace" => {
                let old = self.order(int("order")).expect("validated");
                let (id, venue, instrument, side) =
                    (old.id, old.venue.clone(), old.instrument.clone(), old.side.clone());
                self.cancel(seq, id)?;
                self.place(seq, venue, instrument, side, int("price"), int("qty"))?;
            }
            "set-risk-flag" => {
                self.halt = int("value");
                self.emit("risk", fields![("seq", seq), ("flag", "halt"), ("value", self.halt)]);
            }
            _ => {}
        }
        Ok(())
    }

    /// The reason an intent is refused (schema, capability, risk, legal transition), or None.
    fn validate(&self, intent: &Intent) -> Option<String> {
        let s = spec();
        let (kind, required) = match intent.get("type") {
            Some(Value::Word(w)) => match s.intent_fields(w) {
                Some(required) => (w.as_ref(), required),
                None => return Some("schema:type".into()),
            },
            _ => return Some("schema:type".into()),
        };
        for (name, positive) in required {
            match intent.get(name).and_then(Value::int) {
                Some(v) if v > 0 || !positive => {}
                _ => return Some(format!("schema:{name}")),
            }
        }
        let int = |name: &str| intent.get(name).and_then(Value::int).unwrap_or(0);
        let mut order: Option<&Order> = None;
        match kind {
            "place" => {
                let known = match (intent.get("venue"), intent.get("instrument")) {
                    (Some(Value::Word(v)), Some(Value::Word(i))) => market_index(v, i).is_some(),
                    _ => false,
                };
                if !known {
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
                order = self.order(int("order"));
                match order {
                    None => return Some("unknown-order".into()),
                    Some(o) if !self.settings.can(&o.venue, kind) => return Some(format!("capability:{kind}")),
                    _ => {}
                }
            }
            _ => {}
        }
        if kind == "place" || kind == "replace" {
            let word = |name: &str| intent.get(name).map(Value::text).unwrap_or_default();
            let (venue, market, side) = match order {
                Some(o) => (o.venue.clone(), o.market, o.side.clone()),
                None => (
                    word("venue"),
                    market_index(&word("venue"), &word("instrument")).unwrap(),
                    word("side"),
                ),
            };
            if self.halt != 0 {
                return Some("risk:halt".into());
            }
            let (price, qty) = (int("price"), int("qty"));
            if qty > s.max_order_qty {
                return Some("risk:max-qty".into());
            }
            let skip = order.map(|o| o.id);
            let risk = || -> Option<Option<&'static str>> {
                let needed = cost(&venue, price, qty)?;
                let mut exposure = self.positions[market];
                for o in self.open.values() {
                    if Some(o.id) != skip && o.market == market && !s.is_terminal(o.state) {
                        exposure = exposure.checked_add(o.signed * o.remaining())?;
                    }
                }
                let after = exposure.checked_add(if side == "buy" { qty } else { -qty })?;
                if after.checked_abs()? > s.max_position {
                    return Some(Some("risk:position"));
                }
                if side == "buy" {
                    let mut reserved: i64 = 0;
                    for o in self.open.values() {
                        if Some(o.id) != skip && o.side == "buy" && !s.is_terminal(o.state) {
                            reserved = reserved.checked_add(cost(&o.venue, o.price, o.remaining())?)?;
                        }
                    }
                    if reserved.checked_add(needed)? > self.cash {
                        return Some(Some("risk:cash"));
                    }
                }
                Some(None)
            };
            match risk() {
                None => return Some("overflow".into()),
                Some(Some(reason)) => return Some(reason.into()),
                Some(None) => {}
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
        venue: Text,
        instrument: Text,
        side: Text,
        price: i64,
        qty: i64,
    ) -> Result<(), CoreError> {
        let id = self.next_order;
        self.next_order += 1;
        let out = &mut self.out;
        out.push_str("order instrument=");
        out.push_str(&instrument);
        push_pairs(
            out,
            &[(" order=", id), (" price=", price), (" qty=", qty), (" seq=", seq)],
        );
        out.push_str(" side=");
        out.push_str(&side);
        out.push_str(" venue=");
        out.push_str(&venue);
        out.push('\n');
        let request = Request {
            cancel: false,
            id,
            venue: venue.clone(),
            instrument: instrument.clone(),
            price,
            qty,
        };
        self.open
            .insert(id, Order::new(id, venue, instrument, side, price, qty, self.now));
        self.touched.push((id, None));
        self.transition(seq, id, SUBMITTED, "intent")?;
        self.requests.push(request);
        Ok(())
    }

    fn cancel(&mut self, seq: i64, id: i64) -> Result<(), CoreError> {
        self.transition(seq, id, CANCEL_PENDING, "intent")?;
        let o = self.order(id).expect("the order exists");
        let request = Request {
            cancel: true,
            id,
            venue: o.venue.clone(),
            instrument: o.instrument.clone(),
            price: o.price,
            qty: o.qty,
        };
        self.requests.push(request);
        Ok(())
    }

    /// Remember the order as it was before this event's first change to it.
    fn touch(&mut self, id: i64) {
        if !self.touched.iter().any(|(t, _)| *t == id) {
            let o = self.order(id).expect("the order exists");
            let snapshot = Some((o.state, o.filled, o.remaining(), o.notional, o.fees));
            self.touched.push((id, snapshot));
        }
    }

    fn transition(&mut self, seq: i64, id: i64, to: State, cause: &str) -> Result<(), CoreError> {
        let from = self.order(id).expect("transitions name existing orders").state;
        if !spec().legal(from, to) {
            return Err(CoreError::Invariant(format!(
                "illegal transition {from} -> {to} for order {id}"
            )));
        }
        self.touch(id);
        let order = self.order_mut(id);
        order.state = to;
        let (filled, remaining) = (order.filled, order.remaining());
        let out = &mut self.out;
        out.push_str("transition cause=");
        out.push_str(cause);
        push_pairs(out, &[(" filled=", filled)]);
        out.push_str(" from=");
        out.push_str(from.name());
        push_pairs(out, &[(" order=", id), (" remaining=", remaining), (" seq=", seq)]);
        out.push_str(" to=");
        out.push_str(to.name());
        out.push('\n');
        Ok(())
    }

    // -- broker reports -----------------------------------------------------------------------
    /// Apply a report in the venue's per-order order; true when it was a duplicate.
    fn report(&mut self, ev: &Event) -> Result<bool, CoreError> {
        let (Some(oid), Some(rseq)) = (ev.int("order"), ev.int("rseq")) else {
            return Ok(self.refuse(fields![], ev.seq, "malformed-report"));
        };
        let known = matches!(self.order(oid), Some(o) if o.venue == ev.venue && o.instrument == ev.instrument);
        if !known {
            return Ok(self.refuse(fields![("order", oid)], ev.seq, "unknown-order"));
        }
        let order = self.order(oid).unwrap();
        let seen = ev.key.as_ref().is_some_and(|k| self.seen.contains(k.as_ref()));
        if seen || rseq < order.next_rseq || order.parked.contains_key(&rseq) {
            self.out.push_str("dup key=");
            self.out.push_str(ev.key.as_deref().unwrap_or("-"));
            push_pairs(&mut self.out, &[(" order=", oid), (" rseq=", rseq), (" seq=", ev.seq)]);
            self.out.push('\n');
            return Ok(true);
        }
        if rseq > order.next_rseq {
            self.see(ev);
            self.touch(oid);
            self.order_mut(oid).parked.insert(rseq, ev.clone());
            push_pairs(
                &mut self.out,
                &[("park order=", oid), (" rseq=", rseq), (" seq=", ev.seq)],
            );
            self.out.push('\n');
            return Ok(false);
        }
        if self.apply_report(ev.seq, oid, ev)? {
            self.see(ev);
            self.order_mut(oid).next_rseq += 1;
            loop {
                let next = self.order_mut(oid).next_rseq;
                let Some(parked) = self.order_mut(oid).parked.get(&next).cloned() else {
                    break;
                };
                push_pairs(
                    &mut self.out,
                    &[("unpark order=", oid), (" rseq=", next), (" seq=", ev.seq)],
                );
                self.out.push('\n');
                if !self.apply_report(ev.seq, oid, &parked)? {
                    break;
                }
                let order = self.order_mut(oid);
                order.parked.remove(&next);
                order.next_rseq += 1;
            }
        }
        Ok(false)
    }

    /// A report that fails closed: a diagnostic line and no state change.
    fn refuse(&mut self, mut fields: Fields, seq: i64, reason: &'static str) -> bool {
        fields.insert("seq", Value::Int(seq));
        fields.insert("reason", Value::from(reason));
        self.emit("diag", fields);
        false
    }

    fn see(&mut self, ev: &Event) {
        if let Some(key) = &ev.key {
            self.seen.insert(key.to_string());
        }
    }

    /// Apply one in-order report; one that is illegal or would leave i64 fails closed.
    fn apply_report(&mut self, seq: i64, oid: i64, ev: &Event) -> Result<bool, CoreError> {
        let order = self.order(oid).unwrap();
        let mut fill = None;
        let to = match &*ev.kind {
            "fill" => {
                let (qty, price, charged) = match (ev.int("qty"), ev.int("price"), ev.int("fee")) {
                    (Some(q), Some(p), Some(c)) if q > 0 && p > 0 && c >= 0 => (q, p, c),
                    _ => return Ok(self.refuse(fields![("order", oid)], seq, "malformed-fill")),
                };
                if qty > order.qty - order.filled {
                    return Ok(self.refuse(fields![("order", oid), ("qty", qty)], seq, "overfill"));
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
            kind => match spec().report_target(kind) {
                Some(target) => State::named(target).expect("report targets are order states"),
                None => return Ok(self.refuse(fields![("order", oid)], seq, "unknown-report")),
            },
        };
        if !spec().legal(order.state, to) {
            let f = fields![
                ("order", oid),
                ("report", ev.kind.clone()),
                ("to", to.name()),
                ("from", order.state.name())
            ];
            return Ok(self.refuse(f, seq, "illegal-transition"));
        }
        if let Some((qty, price, charged)) = fill {
            let market = order.market;
            let signed = order.signed;
            let (order_notional, order_fees) = (order.notional, order.fees);
            let next = || {
                let amount = price.checked_mul(qty)?;
                let notional = order_notional.checked_add(amount)?;
                let fees = order_fees.checked_add(charged)?;
                let cash = self.cash.checked_sub((signed * amount).checked_add(charged)?)?;
                let total_fees = self.fees.checked_add(charged)?;
                let position = self.positions[market].checked_add(signed * qty)?;
                Some((notional, fees, cash, total_fees, position))
            };
            let Some((notional, fees, cash, total_fees, position)) = next() else {
                return Ok(self.refuse(fields![("order", oid)], seq, "overflow"));
            };
            self.touch(oid);
            let order = self.order_mut(oid);
            order.filled += qty;
            order.notional = notional;
            order.fees = fees;
            self.cash = cash;
            self.fees = total_fees;
            self.positions[market] = position;
            let pairs = [
                ("fill cash=", cash),
                (" fee=", charged),
                (" order=", oid),
                (" position=", position),
                (" price=", price),
                (" qty=", qty),
                (" seq=", seq),
            ];
            push_pairs(&mut self.out, &pairs);
            self.out.push('\n');
        } else if ev.kind == "ack" {
            self.touch(oid);
            self.order_mut(oid).accepted = true;
        }
        self.transition(seq, oid, to, &ev.kind)?;
        Ok(true)
    }

    // -- invariants ---------------------------------------------------------------------------
    fn fail(&mut self, seq: i64, name: &'static str, order: i64) -> CoreError {
        self.emit("invariant", fields![("seq", seq), ("name", name), ("order", order)]);
        CoreError::Invariant(format!("invariant {name} failed at seq {seq} (order {order})"))
    }

    fn check(&mut self, seq: i64, before: (i64, i64), duplicate: bool) -> Result<(), CoreError> {
        self.touched.sort_by_key(|(id, _)| *id);
        match self.violation(before, duplicate) {
            Some((name, order)) => Err(self.fail(seq, name, order)),
            None => Ok(()),
        }
    }

    /// The invariants over what this event changed: its touched orders and the totals.
    fn violation(&self, before: (i64, i64), duplicate: bool) -> Option<(&'static str, i64)> {
        let (cash, fees) = before;
        let positions = &self.before;
        if duplicate && (!self.touched.is_empty() || (cash, fees, positions) != (self.cash, self.fees, &self.positions))
        {
            return Some(("duplicate-is-noop", 0));
        }
        let (mut cash, mut fees) = (cash as i128, fees as i128);
        let mut moved: Vec<(usize, i128)> = Vec::new(); // (market, position change), per touched order
        for &(id, prior) in &self.touched {
            let o = self.order(id).expect("touched orders exist");
            if o.filled > 0 && !o.accepted {
                return Some(("no-fill-before-accept", id));
            }
            let (state, filled, remaining, notional, order_fees) = match prior {
                Some((state, filled, remaining, notional, fees)) => (Some(state), filled, remaining, notional, fees),
                None => (None, 0, o.qty, 0, 0),
            };
            if state.is_some_and(|s| spec().is_terminal(s) && o.state != s) {
                return Some(("terminal-is-final", id));
            }
            if o.filled < filled {
                return Some(("filled-never-decreases", id));
            }
            if o.remaining() > remaining {
                return Some(("remaining-never-increases", id));
            }
            let d_fees = o.fees as i128 - order_fees as i128;
            cash -= o.signed as i128 * (o.notional as i128 - notional as i128) + d_fees;
            fees += d_fees;
            if o.filled != filled {
                moved.push((o.market, o.signed as i128 * (o.filled as i128 - filled as i128)));
            }
        }
        let expected =
            |m: usize| positions[m] as i128 + moved.iter().filter(|(k, _)| *k == m).map(|(_, d)| d).sum::<i128>();
        let conserved = (0..positions.len()).all(|m| self.positions[m] as i128 == expected(m));
        if (self.cash as i128, self.fees as i128) != (cash, fees) || !conserved {
            return Some(("cash-and-positions-conserve", 0));
        }
        None
    }

    /// Move the orders this event finished out of the open set into the running totals.
    fn fold(&mut self) {
        for i in 0..self.touched.len() {
            let id = self.touched[i].0;
            if self.open.get(&id).is_some_and(|o| spec().is_terminal(o.state)) {
                let o = self.open.remove(&id).unwrap();
                self.audited.remove(&id);
                self.closed_cash += o.signed as i128 * o.notional as i128 + o.fees as i128;
                self.closed_fees += o.fees as i128;
                self.closed_positions[o.market] += o.signed as i128 * o.filled as i128;
                self.closed.insert(id, o);
            }
        }
    }

    /// The full check at a checkpoint: open orders against the last audit, and the totals
    /// recomputed from the open orders and the folded ones.
    fn audit(&mut self) -> Result<(), CoreError> {
        let seq = self.last_seq;
        let mut cash = spec().initial_cash as i128 - self.closed_cash;
        let mut fees = self.closed_fees;
        let mut positions = self.closed_positions.clone();
        let mut audited = BTreeMap::new();
        let mut failed = None;
        for (&id, o) in &self.open {
            let (filled, remaining) = self.audited.get(&id).copied().unwrap_or((0, o.qty));
            if o.filled > 0 && !o.accepted {
                failed = Some(("no-fill-before-accept", id));
            } else if o.filled < filled {
                failed = Some(("filled-never-decreases", id));
            } else if o.remaining() > remaining {
                failed = Some(("remaining-never-increases", id));
            }
            if failed.is_some() {
                break;
            }
            audited.insert(id, (o.filled, o.remaining()));
            cash -= o.signed as i128 * o.notional as i128 + o.fees as i128;
            fees += o.fees as i128;
            positions[o.market] += o.signed as i128 * o.filled as i128;
        }
        if failed.is_none() {
            let same = positions.iter().zip(&self.positions).all(|(p, q)| *p == *q as i128);
            if (cash, fees) != (self.cash as i128, self.fees as i128) || !same {
                failed = Some(("cash-and-positions-conserve", 0));
            }
        }
        if let Some((name, order)) = failed {
            return Err(self.fail(seq, name, order));
        }
        self.audited = audited;
        Ok(())
    }
}

/// Append the `intent` line: the intent's fields and seq and n (which win over fields of the
/// same name), keys in byte order.
fn write_intent(out: &mut String, intent: &Intent, seq: i64, n: i64) {
    out.push_str("intent");
    let mut extra = [(" n=", "n", n), (" seq=", "seq", seq)].into_iter().peekable();
    for (key, value) in intent {
        while let Some(&(prefix, k, v)) = extra.peek() {
            if k > key {
                break;
            }
            push_pairs(out, &[(prefix, v)]);
            extra.next();
        }
        if key != "n" && key != "seq" {
            out.push(' ');
            out.push_str(key);
            out.push('=');
            match value {
                Value::Int(v) => push_int(out, *v),
                Value::Word(w) => out.push_str(w),
            }
        }
    }
    for (prefix, _, v) in extra {
        push_pairs(out, &[(prefix, v)]);
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(
        seq: i64,
        source: &'static str,
        kind: &'static str,
        market: bool,
        key: Option<&str>,
        payload: Fields,
    ) -> Event {
        let (venue, instrument) = if market { ("XA", "BTC-USD") } else { ("-", "-") };
        let mut e = Event::new(seq * 10, source, venue, instrument, kind, 0, payload);
        e.key = key.map(|k| Text::Owned(k.to_string()));
        e.seq = seq;
        e.ingest = seq * 10;
        e
    }

    fn place(seq: i64, qty: i64) -> Event {
        let p = fields![
            ("type", "place"),
            ("venue", "XA"),
            ("instrument", "BTC-USD"),
            ("side", "buy"),
            ("price", 100),
            ("qty", qty)
        ];
        ev(seq, "control", "intent", false, None, p)
    }

    fn report(seq: i64, kind: &'static str, key: &str, payload: Fields) -> Event {
        ev(seq, "broker", kind, true, Some(key), payload)
    }

    /// Order 1 filled (buy 2 @ 100), order 2 accepted (buy 3 @ 100).
    fn core() -> Core {
        let mut c = Core::default();
        let feed = [
            place(1, 2),
            report(2, "ack", "k1", fields![("order", 1), ("rseq", 1)]),
            report(
                3,
                "fill",
                "k2",
                fields![("order", 1), ("rseq", 2), ("qty", 2), ("price", 100), ("fee", 1)],
            ),
            place(4, 3),
            report(5, "ack", "k3", fields![("order", 2), ("rseq", 1)]),
        ];
        for e in &feed {
            c.apply(e).unwrap();
        }
        assert_eq!(c.order(1).unwrap().state, FILLED);
        assert_eq!(c.order(2).unwrap().state, ACCEPTED);
        assert!(
            c.closed.contains_key(&1) && c.open.contains_key(&2),
            "finished orders are folded"
        );
        c.take();
        c
    }

    /// A core path that changes state wrongly: the order is touched first, as every path does.
    fn fires_after_the_event(name: &str, id: i64, corrupt: impl Fn(&mut Core)) {
        let mut c = core();
        let before = (c.cash, c.fees);
        c.before = c.positions.clone();
        c.touched.clear();
        if id > 0 {
            c.touch(id);
        }
        corrupt(&mut c);
        let err = c.check(6, before, false).unwrap_err();
        assert!(
            matches!(err, CoreError::Invariant(ref m) if m.contains(name)),
            "{err:?}"
        );
        assert!(c.take().0.contains(&format!("invariant name={name} ")));
    }

    /// A change no path reported: the checkpoint's full audit finds it.
    fn fires_at_the_audit(name: &str, corrupt: impl Fn(&mut Core)) {
        let mut c = core();
        c.checkpoint().unwrap();
        corrupt(&mut c);
        let err = c.checkpoint().unwrap_err();
        assert!(
            matches!(err, CoreError::Invariant(ref m) if m.contains(name)),
            "{err:?}"
        );
    }

    #[test]
    fn each_invariant_fires_after_the_event_that_breaks_it() {
        fires_after_the_event("no-fill-before-accept", 2, |c| {
            let o = c.order_mut(2);
            o.filled = 1;
            o.accepted = false;
        });
        fires_after_the_event("terminal-is-final", 1, |c| c.order_mut(1).state = ACCEPTED);
        fires_after_the_event("filled-never-decreases", 1, |c| c.order_mut(1).filled = 1);
        fires_after_the_event("remaining-never-increases", 2, |c| c.order_mut(2).qty = 4);
        fires_after_the_event("cash-and-positions-conserve", 0, |c| c.cash += 1);
        fires_after_the_event("cash-and-positions-conserve", 0, |c| c.positions[1] = 1);
        fires_after_the_event("cash-and-positions-conserve", 0, |c| c.fees += 1);
        fires_after_the_event("cash-and-positions-conserve", 2, |c| c.order_mut(2).fees += 1);
    }

    #[test]
    fn the_audit_catches_what_no_path_reported() {
        fires_at_the_audit("no-fill-before-accept", |c| {
            let o = c.order_mut(2);
            o.notional = 100;
            o.filled = 1;
            o.accepted = false;
        });
        fires_at_the_audit("filled-never-decreases", |c| c.order_mut(2).filled = -1);
        fires_at_the_audit("remaining-never-increases", |c| c.order_mut(2).qty = 4);
        fires_at_the_audit("cash-and-positions-conserve", |c| c.cash += 1);
        fires_at_the_audit("cash-and-positions-conserve", |c| c.order_mut(2).fees += 1);
        fires_at_the_audit("cash-and-positions-conserve", |c| c.closed_fees += 1);
    }

    #[test]
    fn a_duplicate_that_mutates_fails_and_a_real_one_changes_nothing() {
        let mut c = core();
        let before = (c.cash, c.fees);
        c.before = c.positions.clone();
        c.touched.clear();
        c.cash -= 1;
        assert!(matches!(c.check(6, before, true), Err(CoreError::Invariant(m)) if m.contains("duplicate-is-noop")));

        let mut c = core();
        let before = (c.cash, c.fees, c.positions.clone(), c.order(1).unwrap().next_rseq);
        let dup = report(
            6,
            "fill",
            "k2",
            fields![("order", 1), ("rseq", 2), ("qty", 2), ("price", 100), ("fee", 1)],
        );
        c.apply(&dup).unwrap();
        assert_eq!(
            before,
            (c.cash, c.fees, c.positions.clone(), c.order(1).unwrap().next_rseq)
        );
        assert!(c.take().0.ends_with("dup key=k2 order=1 rseq=2 seq=6\n"));
    }

    #[test]
    fn overflow_fails_closed() {
        let mut c = core();
        let big = place(6, 2);
        let mut big = big.clone();
        big.payload.insert("price", Value::Int(1 << 62));
        c.apply(&big).unwrap();
        assert!(c.take().0.contains("decision n=0 reason=overflow seq=6 verdict=reject"));
        let fill = report(
            7,
            "fill",
            "k4",
            fields![("order", 2), ("rseq", 2), ("qty", 2), ("price", i64::MAX), ("fee", 0)],
        );
        let before = (c.cash, c.order(2).unwrap().filled);
        c.apply(&fill).unwrap();
        assert!(c.take().0.contains("diag order=2 reason=overflow seq=7"));
        assert_eq!(before, (c.cash, c.order(2).unwrap().filled));
    }

    #[test]
    fn sequence_ids_must_increase() {
        let mut c = core();
        let err = c.apply(&ev(5, "timer", "tick", false, None, fields![])).unwrap_err();
        assert!(matches!(err, CoreError::Input(m) if m.contains("must increase")));
    }

    /// Drive order 1 (buy 4 on XA:BTC-USD) into `state`.
    fn order_in(state: State) -> (Core, i64, i64) {
        let mut c = Core::default();
        let (mut seq, mut rseq) = (1, 0);
        c.apply(&place(seq, 4)).unwrap();
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
        assert_eq!(c.order(1).unwrap().state, state);
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
                false,
                None,
                fields![("type", "cancel"), ("order", 1)],
            )
        } else {
            *rseq += 1;
            let mut p = fields![("order", 1), ("rseq", *rseq)];
            if input == "fill" {
                p.insert("qty", Value::Int(qty));
                p.insert("price", Value::Int(100));
                p.insert("fee", Value::Int(0));
            }
            if input == "reject" {
                p.insert("reason", Value::from("x"));
            }
            let kind: &'static str = match input {
                "ack" => "ack",
                "fill" => "fill",
                "reject" => "reject",
                _ => "cancelled",
            };
            report(*seq, kind, &format!("XA:1:{rseq}"), p)
        };
        c.apply(&e).unwrap();
    }

    #[test]
    fn every_state_against_every_input() {
        let mut transitions = 0;
        for state in State::ALL.into_iter().filter(|s| *s != CREATED) {
            for (input, qty) in [
                ("ack", 0),
                ("reject", 0),
                ("fill", 1),
                ("fill", -1),
                ("cancelled", 0),
                ("cancel", 0),
            ] {
                let (mut c, mut seq, mut rseq) = order_in(state);
                let o = c.order(1).unwrap().clone();
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
                let text = c.take().0;
                let after = c.order(1).unwrap();
                if spec().legal(state, target) && !overfill && !repeat_cancel {
                    assert_eq!(after.state, target, "{state} + {input}");
                    assert!(text.contains(&format!(" from={state} ")));
                    transitions += 1;
                } else {
                    assert_eq!(
                        (after.state, after.filled),
                        (o.state, o.filled),
                        "{state} + {input} must not mutate"
                    );
                    assert_eq!((c.cash, c.positions.clone()), before);
                    assert!(
                        text.contains("illegal-transition") || text.contains("overfill"),
                        "{text}"
                    );
                }
            }
        }
        assert_eq!(transitions, spec().legal.len() - 1); // created -> submitted is every setup's first step
    }

    #[test]
    fn intent_lines_sort_seq_and_n_in() {
        let text = |f: &Intent| {
            let mut out = String::new();
            write_intent(&mut out, f, 3, 0);
            out
        };
        let f = fields![("type", "place"), ("seq", 9), ("a", 1), ("o", 2)];
        assert_eq!(text(&f), "intent a=1 n=0 o=2 seq=3 type=place\n");
        assert_eq!(text(&fields![("n", 5)]), "intent n=0 seq=3\n");
    }
}
