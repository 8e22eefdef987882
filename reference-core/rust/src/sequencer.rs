//! The one place sequence ids are assigned: event time, then source priority (the run's
//! settings), venue, instrument, producer index, then arrival order.
use crate::model::{Event, Settings};

pub struct Sequencer {
    pub next_seq: i64,
}

impl Sequencer {
    pub fn new(next_seq: i64) -> Self {
        Sequencer { next_seq }
    }

    /// Order the batch in place and stamp it: ids in that order, all with the same ingest time.
    /// Sequencing a sequenced batch again from the same id gives it the same ids.
    pub fn sequence(&mut self, batch: &mut Vec<Event>, ingest: i64, settings: &Settings) {
        let mut ranked: Vec<(i64, i64, usize)> = batch
            .iter()
            .enumerate()
            .map(|(i, e)| (e.time, settings.rank(&e.source), i))
            .collect();
        ranked.sort_by(|a, b| {
            let (x, y) = (&batch[a.2], &batch[b.2]);
            (a.0, a.1, &x.venue, &x.instrument, x.producer, a.2).cmp(&(
                b.0,
                b.1,
                &y.venue,
                &y.instrument,
                y.producer,
                b.2,
            ))
        });
        let mut slots: Vec<Option<Event>> = std::mem::take(batch).into_iter().map(Some).collect();
        for (_, _, i) in ranked {
            let mut ev = slots[i].take().unwrap();
            ev.seq = self.next_seq;
            ev.ingest = ingest;
            self.next_seq += 1;
            batch.push(ev);
        }
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
        let mut batch: Vec<Event> = spec
            .iter()
            .enumerate()
            .map(|(i, &(t, s, v, ins, p))| Event::new(t, s, v, ins, "x", p, fields![("id", i as i64)]))
            .collect();
        let settings = Settings::new(&[]);
        Sequencer::new(10).sequence(&mut batch, 99, &settings);
        let picked: Vec<i64> = batch.iter().map(|e| e.int("id").unwrap()).collect();
        assert_eq!(picked, vec![7, 5, 4, 3, 8, 2, 1, 0, 6]);
        assert_eq!(
            batch.iter().map(|e| e.seq).collect::<Vec<_>>(),
            (10..19).collect::<Vec<_>>()
        );
        assert!(batch.iter().all(|e| e.ingest == 99));
        let again: Vec<Event> = {
            let mut b = batch.clone();
            Sequencer::new(10).sequence(&mut b, 99, &settings);
            b
        };
        assert_eq!(again, batch, "re-sequencing a sequenced batch changes nothing");
    }

    #[test]
    fn a_stream_can_reorder_sources() {
        let line = |kind: &str, f| (kind.to_string(), f);
        let settings = Settings::new(&[line("source", fields![("name", "timer"), ("priority", -1)])]);
        let mut batch = vec![
            Event::new(0, "control", "-", "-", "halt", 0, fields![]),
            Event::new(0, "timer", "-", "-", "tick", 0, fields![]),
            Event::new(0, "nobody", "-", "-", "x", 0, fields![]),
        ];
        Sequencer::new(1).sequence(&mut batch, 0, &settings);
        let order: Vec<&str> = batch.iter().map(|e| &*e.source).collect();
        assert_eq!(order, ["timer", "control", "nobody"]);
    }
}
