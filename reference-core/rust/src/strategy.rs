//! The strategy layer: reads the core's state and returns intents, never mutates anything. The
//! same plain market maker as the Python core's strategy module.
use crate::core::{Core, Intent};
use crate::fields;
use crate::model::*;

pub fn on_quote(core: &Core, market: &str) -> Vec<Intent> {
    if core.halt != 0 {
        return vec![fields![("type", "noop")]];
    }
    let (bid, ask) = core.books[market];
    let working: Vec<&Order> = core
        .orders
        .values()
        .filter(|o| o.market() == market && !is_terminal(o.state) && o.state != CANCEL_PENDING)
        .collect();
    let Some(order) = working.first() else {
        let (venue, instrument) = market.split_once(':').expect("markets are venue:instrument");
        let side = if core.positions[market] <= 0 { "buy" } else { "sell" };
        let price = if side == "buy" { bid } else { ask };
        return vec![fields![
            ("type", "place"),
            ("venue", venue),
            ("instrument", instrument),
            ("side", side),
            ("price", price),
            ("qty", 1 + (bid + ask) % 9),
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
    core.orders
        .values()
        .filter(|o| (o.state == ACCEPTED || o.state == PARTIAL) && core.now - o.created >= STALE_AFTER_NS)
        .map(|o| fields![("type", "cancel"), ("order", o.id)])
        .collect()
}

/// Operator commands: `halt` toggles the risk flag; `intent` injects one intent verbatim.
pub fn on_control(ev: &Event) -> Vec<Intent> {
    match ev.kind.as_str() {
        "halt" => {
            let mut intent = fields![("type", "set-risk-flag"), ("flag", "halt")];
            if let Some(value) = ev.payload.get("value") {
                intent.insert("value".into(), value.clone());
            }
            vec![intent]
        }
        "intent" => vec![ev.payload.clone()],
        _ => vec![],
    }
}
