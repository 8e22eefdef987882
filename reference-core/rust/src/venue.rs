//! The seeded fill simulator (the same draws, in the same order, as the Python core's venue).
use std::collections::{BTreeMap, BTreeSet};

use crate::fields;
use crate::model::*;
use crate::prng::SplitMix64;

const SALT: u64 = 0xD1B5_4A32_D192_ED03;

#[derive(Clone, Debug)]
struct Report {
    order: i64,
    rseq: i64,
    gen: i64,
    deliver: i64,
    dup: i64,
    kind: &'static str,
    payload: Fields,
}

pub struct Venue {
    rng: SplitMix64,
    orders: BTreeMap<i64, Order>,
    cancels: BTreeSet<i64>,
    plans: BTreeMap<i64, Vec<Report>>,
    schedule: Vec<Report>,
}

impl Venue {
    pub fn new(seed: u64) -> Self {
        Venue {
            rng: SplitMix64::new(seed ^ SALT),
            orders: BTreeMap::new(),
            cancels: BTreeSet::new(),
            plans: BTreeMap::new(),
            schedule: Vec::new(),
        }
    }

    /// Requests are idempotent by order id, so a recovered core re-sending them changes nothing.
    pub fn receive(&mut self, request: &str, order: &Order, now: i64) {
        if request == "new" {
            self.new_order(order, now);
        } else if self.orders.contains_key(&order.id) && !self.cancels.contains(&order.id) {
            self.cancels.insert(order.id);
            self.cancel(order.id, now);
        }
    }

    fn new_order(&mut self, order: &Order, now: i64) {
        if self.orders.contains_key(&order.id) {
            return;
        }
        let copy = Order::new(
            order.id,
            &order.venue,
            &order.instrument,
            &order.side,
            order.price,
            order.qty,
            now,
        );
        self.orders.insert(order.id, copy);
        let mut reports: Vec<(&'static str, Fields)> = Vec::new();
        if self.rng.below(100) < 6 {
            reports.push(("reject", fields![("reason", "venue-reject")]));
        } else {
            reports.push(("ack", fields![]));
            let plan = self.rng.below(4);
            let mut parts = Vec::new();
            if self.rng.below(100) < 3 {
                reports.push(("reject", fields![("reason", "expired")]));
            } else if plan == 1 {
                parts.push(order.qty);
            } else if plan >= 2 {
                let mut left = order.qty;
                while left > 0 {
                    let part = 1 + self.rng.below(left as u64);
                    parts.push(part);
                    left -= part;
                }
            }
            for part in parts {
                let charged = fee(&order.venue, order.price, part);
                reports.push(("fill", fields![("qty", part), ("price", order.price), ("fee", charged)]));
            }
        }
        let mut gen = now;
        for (i, (kind, payload)) in reports.into_iter().enumerate() {
            if i > 0 {
                gen += TICK_NS * (1 + self.rng.below(4));
            }
            self.schedule_report(order.id, i as i64 + 1, gen, kind, payload);
        }
    }

    fn cancel(&mut self, oid: i64, now: i64) {
        let done: Vec<Report> = self.plans[&oid].iter().filter(|r| r.gen <= now).cloned().collect();
        let filled: i64 = done
            .iter()
            .filter(|r| r.kind == "fill")
            .map(|r| r.payload["qty"].int().unwrap())
            .sum();
        if filled == self.orders[&oid].qty || done.iter().any(|r| r.kind == "reject") {
            return; // too late: the order is finished at the venue, its last report is on the way
        }
        let next = done.iter().map(|r| r.rseq).max().unwrap_or(0) + 1;
        self.plans.insert(oid, done);
        self.schedule.retain(|r| r.order != oid || r.gen <= now);
        self.schedule_report(oid, next, now, "cancelled", fields![]);
    }

    fn schedule_report(&mut self, oid: i64, rseq: i64, gen: i64, kind: &'static str, payload: Fields) {
        let deliver = gen + TICK_NS * (1 + self.rng.below(3)) + self.rng.below(1000);
        let report = Report {
            order: oid,
            rseq,
            gen,
            deliver,
            dup: 0,
            kind,
            payload,
        };
        self.plans.entry(oid).or_default().push(report.clone());
        self.schedule.push(report.clone());
        if self.rng.below(100) < 10 {
            let deliver = gen + TICK_NS * (1 + self.rng.below(5)) + self.rng.below(1000);
            self.schedule.push(Report {
                deliver,
                dup: 1,
                ..report
            });
        }
    }

    /// Reports delivered before `until`, as broker events in a fixed order.
    pub fn due(&mut self, until: i64) -> Vec<Event> {
        let mut ready: Vec<Report> = self.schedule.iter().filter(|r| r.deliver < until).cloned().collect();
        ready.sort_by_key(|r| (r.deliver, r.order, r.rseq, r.dup));
        self.schedule.retain(|r| r.deliver >= until);
        ready
            .into_iter()
            .map(|r| {
                let order = &self.orders[&r.order];
                let mut payload = r.payload.clone();
                payload.insert("order".into(), Value::Int(r.order));
                payload.insert("rseq".into(), Value::Int(r.rseq));
                let index = venue(&order.venue).index;
                let mut ev = Event::new(r.gen, "broker", &order.venue, &order.instrument, r.kind, index, payload);
                ev.key = Some(format!("{}:{}:{}", order.venue, r.order, r.rseq));
                ev
            })
            .collect()
    }
}
