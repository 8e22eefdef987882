//! Live mode: a feed thread that stamps messages with the wall clock. Compiled only with the
//! `live` feature, which no DST build enables; it marks where the determinism contract stops.
use std::sync::mpsc::{Receiver, Sender};
use std::thread::{self, JoinHandle};

use crate::clock::{Clock, WallClock};

/// Forward every message from `input` to `output` with a wall-clock timestamp.
pub fn start_feed(input: Receiver<String>, output: Sender<(i64, String)>) -> JoinHandle<()> {
    thread::spawn(move || {
        let clock = WallClock;
        for message in input {
            if output.send((clock.now_ns(), message)).is_err() {
                break;
            }
        }
    })
}
