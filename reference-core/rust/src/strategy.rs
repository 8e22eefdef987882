//! The strategy layer: reads the core's state and returns intents, never mutates anything. The
//! same plain market maker as the Python core's strategy module; it looks only at open orders.
use crate::core::{Core, Intent};
use crate::fields;
use crate::grammar::{Fields, Text};
use crate::model::*;
use crate::spec::spec;

pub fn on_quote(core: &Core, market: usize, venue: &Text, instrument: &Text) -> Vec<Intent> {
    if core.halt != 0 {
        return vec![fields![("type", "noop")]];
    }
    let (bid, ask) = core.books[market].expect("on_quote follows a valid quote");
    let working = core
        .open
        .values()
        .find(|o| o.market == market && !spec().is_terminal(o.state) && o.state != CANCEL_PENDING);
    let Some(order) = working else {
        let side = if core.positions[market] <= 0 { "buy" } else { "sell" };
        let price = if side == "buy" { bid } else { ask };
        // (bid + ask) % 9 without forming bid + ask, which can leave i64 (0 < bid < ask holds here)
        return vec![fields![
            ("type", "place"),
            ("venue", venue.clone()),
            ("instrument", instrument.clone()),
            ("side", side),
            ("price", price),
            ("qty", 1 + (bid % 9 + ask % 9) % 9),
        ]];
    };
    let touch = if order.side == "buy" { bid } else { ask };
    if (order.state == ACCEPTED || order.state == PARTIAL) && (order.price - touch).abs() >= 3 {
        return vec![fields![
            ("type", "replace"),
            ("order", order.id),
            ("price", touch),
            ("qty", order.qty - order.filled)
        ]];
    }
    vec![fields![("type", "noop")]]
}

pub fn on_timer(core: &Core) -> Vec<Intent> {
    core.open
        .values()
        .filter(|o| (o.state == ACCEPTED || o.state == PARTIAL) && core.now - o.created >= core.stale_after_ns)
        .map(|o| fields![("type", "cancel"), ("order", o.id)])
        .collect()
}

/// Operator commands: `halt` toggles the risk flag; `intent` injects one intent verbatim.
pub fn on_control(ev: &Event) -> Vec<Intent> {
    match &*ev.kind {
        "halt" => {
            let mut intent: Fields = fields![("type", "set-risk-flag"), ("flag", "halt")];
            if let Some(value) = ev.payload.get("value") {
                intent.insert("value", value.clone());
            }
            vec![intent]
        }
        "intent" => vec![ev.payload.clone()],
        _ => vec![],
    }
}
