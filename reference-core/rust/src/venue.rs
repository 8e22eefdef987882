//! The seeded fill simulator (the same draws, in the same order, as the Python core's venue),
//! shaped by the run's profile.
use std::collections::{BTreeMap, BTreeSet};

use crate::core::Request;
use crate::fields;
use crate::grammar::{Fields, Text, Value};
use crate::model::{fee, Event};
use crate::prng::SplitMix64;
use crate::spec::{spec, Profile};

const SALT: u64 = 0xD1B5_4A32_D192_ED03;

/// What the venue remembers of a report it produced, delivered or not: enough to know, when a
/// cancel arrives, whether the order already finished.
#[derive(Clone, Debug)]
struct Produced {
    rseq: i64,
    gen: i64,
    kind: &'static str,
    qty: i64, // of a fill
}

#[derive(Clone, Debug)]
struct Report {
    order: i64,
    rseq: i64,
    gen: i64, // venue time the report was produced
    deliver: i64,
    dup: i64,
    kind: &'static str,
    payload: Fields,
}

pub struct Venue {
    rng: SplitMix64,
    profile: &'static Profile,
    orders: BTreeMap<i64, (Text, Text, i64)>, // id -> (venue, instrument, qty)
    cancels: BTreeSet<i64>,
    plans: BTreeMap<i64, Vec<Produced>>,
    schedule: Vec<Report>,
}

impl Venue {
    pub fn new(seed: u64, profile: &'static Profile) -> Self {
        Venue {
            rng: SplitMix64::new(seed ^ SALT),
            profile,
            orders: BTreeMap::new(),
            cancels: BTreeSet::new(),
            plans: BTreeMap::new(),
            schedule: Vec::new(),
        }
    }

    /// Requests are idempotent by order id, so a recovered core re-sending them changes nothing.
    pub fn receive(&mut self, request: &Request, now: i64) {
        if !request.cancel {
            self.new_order(request, now);
        } else if self.orders.contains_key(&request.id) && !self.cancels.contains(&request.id) {
            self.cancels.insert(request.id);
            self.cancel(request.id, now);
        }
    }

    fn new_order(&mut self, order: &Request, now: i64) {
        if self.orders.contains_key(&order.id) {
            return;
        }
        self.orders
            .insert(order.id, (order.venue.clone(), order.instrument.clone(), order.qty));
        let p = self.profile;
        let mut reports: Vec<(&'static str, Fields)> = Vec::new();
        if self.rng.below(100) < p.reject_pct {
            reports.push(("reject", fields![("reason", "venue-reject")]));
        } else {
            reports.push(("ack", fields![]));
            let plan = self.rng.below(p.plans as u64);
            let mut parts = Vec::new();
            if self.rng.below(100) < p.expire_pct {
                reports.push(("reject", fields![("reason", "expired")]));
            } else if plan == p.no_fill_plans {
                parts.push(order.qty);
            } else if plan > p.no_fill_plans {
                let mut left = order.qty;
                while left > 0 {
                    let part = 1 + self.rng.below(left as u64);
                    parts.push(part);
                    left -= part;
                }
            }
            for part in parts {
                let charged = fee(&order.venue, order.price, part).expect("validated when the order was placed");
                reports.push(("fill", fields![("qty", part), ("price", order.price), ("fee", charged)]));
            }
        }
        let tick = spec().tick_ns;
        let mut gen = now;
        for (i, (kind, payload)) in reports.into_iter().enumerate() {
            if i > 0 {
                gen += tick * (1 + self.rng.below(4));
            }
            self.schedule_report(order.id, i as i64 + 1, gen, kind, payload);
        }
    }

    fn cancel(&mut self, oid: i64, now: i64) {
        let done: Vec<Produced> = self.plans[&oid].iter().filter(|r| r.gen <= now).cloned().collect();
        let filled: i64 = done.iter().filter(|r| r.kind == "fill").map(|r| r.qty).sum();
        if filled == self.orders[&oid].2 || done.iter().any(|r| r.kind == "reject") {
            return; // too late: the order is finished at the venue, its last report is on the way
        }
        let next = done.iter().map(|r| r.rseq).max().unwrap_or(0) + 1;
        self.plans.insert(oid, done);
        self.schedule.retain(|r| r.order != oid || r.gen <= now);
        self.schedule_report(oid, next, now, "cancelled", fields![]);
    }

    fn schedule_report(&mut self, oid: i64, rseq: i64, gen: i64, kind: &'static str, payload: Fields) {
        let tick = spec().tick_ns;
        let deliver = gen + tick * (1 + self.rng.below(3)) + self.rng.below(1000);
        let report = Report {
            order: oid,
            rseq,
            gen,
            deliver,
            dup: 0,
            kind,
            payload,
        };
        let qty = report.payload.get("qty").and_then(Value::int).unwrap_or(0);
        self.plans
            .entry(oid)
            .or_default()
            .push(Produced { rseq, gen, kind, qty });
        if self.rng.below(100) < self.profile.dup_pct {
            let deliver = gen + tick * (1 + self.rng.below(5)) + self.rng.below(1000);
            let dup = Report {
                deliver,
                dup: 1,
                ..report.clone()
            };
            self.schedule.push(report);
            self.schedule.push(dup);
        } else {
            self.schedule.push(report);
        }
    }

    /// Reports delivered before `until`, as broker events in a fixed order.
    pub fn due(&mut self, until: i64, out: &mut Vec<Event>) {
        if !self.schedule.iter().any(|r| r.deliver < until) {
            return;
        }
        let (mut ready, later): (Vec<Report>, Vec<Report>) = std::mem::take(&mut self.schedule)
            .into_iter()
            .partition(|r| r.deliver < until);
        self.schedule = later;
        ready.sort_by_key(|r| (r.deliver, r.order, r.rseq, r.dup));
        for r in ready {
            let (venue, instrument, _) = &self.orders[&r.order];
            let mut payload = r.payload;
            payload.insert("order", Value::Int(r.order));
            payload.insert("rseq", Value::Int(r.rseq));
            let index = spec().venue(venue).expect("a known venue").index;
            let mut ev = Event::new(
                r.gen,
                "broker",
                venue.clone(),
                instrument.clone(),
                r.kind,
                index,
                payload,
            );
            ev.key = Some(Text::Owned(format!("{venue}:{}:{}", r.order, r.rseq)));
            out.push(ev);
        }
    }
}
