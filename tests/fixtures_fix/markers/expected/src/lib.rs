use std::time::Instant;

pub fn plain() -> u64 {
    let started = Instant::now(); // dst-ok[DST101]: pre-existing
    0
}

pub fn commented() {
    let started = Instant::now(); /* dst-ok[DST101]: pre-existing */ // timing only
}

pub fn two_on_a_line() {
    let (a, b) = (Instant::now(), rand::random::<u64>()); // dst-ok[DST101, DST102]: pre-existing
}

pub fn long_line() {
    let value = some_function_with_a_long_name(argument_number_one, argument_number_two, Instant::now()); // dst-ok[DST101]: pre-existing
}

pub fn spans() {
    let value = compute(first_argument_is_long_enough_to_push_the_width_past_the_limit, Instant::now(
    )); // dst-ok[DST101]: pre-existing
}

pub fn other_marker() {
    let x = (Instant::now(), rand::random::<u64>()); /* dst-ok[DST101]: pre-existing */ // dst-ok[DST102]: seeded elsewhere
}

pub fn same_reason() {
    let x = (Instant::now(), rand::random::<u64>()); // dst-ok[DST101, DST102]: pre-existing
}
