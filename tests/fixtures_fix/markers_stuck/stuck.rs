pub fn in_string() -> (std::time::Instant, &'static str) {
    (std::time::Instant::now(), "a string that starts here
and ends on the next line")
}
