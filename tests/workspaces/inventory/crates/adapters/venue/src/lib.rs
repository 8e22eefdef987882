pub fn stamp() -> u64 {
    std::time::SystemTime::now().elapsed().unwrap().as_secs()
}
