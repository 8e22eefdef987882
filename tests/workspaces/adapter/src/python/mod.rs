pub fn start_bridge() {
    std::thread::spawn(|| {});
}
