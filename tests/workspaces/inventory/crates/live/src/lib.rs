use ahash::AHashMap;

pub fn wait_until(deadline: std::time::Instant) {
    while std::time::Instant::now() < deadline {} // dst-ok: test helper timing, never on the DST path
}

#[cfg(not(all(feature = "simulation", madsim)))]
pub fn start_writer() {
    std::thread::spawn(|| {});
}

pub struct Registry {
    actors: AHashMap<u64, String>,
}

impl Registry {
    pub fn names(&self) -> Vec<String> {
        self.actors.values().cloned().collect()
    }
}

pub fn log_level() -> Option<String> {
    std::env::var("DEMO_LOG").ok()
}
