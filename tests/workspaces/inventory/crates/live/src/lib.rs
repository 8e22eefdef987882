pub fn wait_until(deadline: std::time::Instant) {
    while std::time::Instant::now() < deadline {} // dst-ok: test helper timing, never on the DST path
}

#[cfg(not(all(feature = "simulation", madsim)))]
pub fn start_writer() {
    std::thread::spawn(|| {});
}
