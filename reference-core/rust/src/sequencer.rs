//! The one place sequence ids are assigned: event time, then source priority, venue, instrument,
//! producer index, then arrival order.
use crate::model::{source_priority, Event};

pub struct Sequencer {
    pub next_seq: i64,
}

impl Sequencer {
    pub fn new(next_seq: i64) -> Self {
        Sequencer { next_seq }
    }

    pub fn sequence(&mut self, batch: &[Event], ingest: i64) -> Vec<Event> {
        let mut ranked: Vec<usize> = (0..batch.len()).collect();
        ranked.sort_by(|&a, &b| {
            let key = |e: &Event| {
                (
                    e.time,
                    source_priority(&e.source),
                    e.venue.clone(),
                    e.instrument.clone(),
                    e.producer,
                )
            };
            key(&batch[a]).cmp(&key(&batch[b])).then(a.cmp(&b))
        });
        ranked
            .into_iter()
            .map(|i| {
                let mut ev = batch[i].clone();
                ev.seq = self.next_seq;
                ev.ingest = ingest;
                self.next_seq += 1;
                ev
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields;

    #[test]
    fn ties_break_by_source_venue_instrument_producer_then_arrival() {
        let spec = [
            (5, "market", "XB", "BTC-USD", 0),
            (5, "market", "XA", "ETH-USD", 0),
            (5, "market", "XA", "BTC-USD", 2),
            (5, "market", "XA", "BTC-USD", 1),
            (5, "broker", "XB", "BTC-USD", 0),
            (5, "control", "-", "-", 0),
            (5, "timer", "-", "-", 0),
            (4, "timer", "-", "-", 0),
            (5, "market", "XA", "BTC-USD", 1),
        ];
        let batch: Vec<Event> = spec
            .iter()
            .enumerate()
            .map(|(i, &(t, s, v, ins, p))| Event::new(t, s, v, ins, "x", p, fields![("id", i as i64)]))
            .collect();
        let out = Sequencer::new(10).sequence(&batch, 99);
        let picked: Vec<i64> = out.iter().map(|e| e.payload["id"].int().unwrap()).collect();
        assert_eq!(picked, vec![7, 5, 4, 3, 8, 2, 1, 0, 6]);
        assert_eq!(
            out.iter().map(|e| e.seq).collect::<Vec<_>>(),
            (10..19).collect::<Vec<_>>()
        );
        assert!(out.iter().all(|e| e.ingest == 99));
    }
}
