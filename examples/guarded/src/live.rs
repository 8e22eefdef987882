//! Live mode only: a real writer thread, compiled out under cfg(madsim) by `mod live;`.
pub fn start_writer() -> std::thread::JoinHandle<()> {
    std::thread::spawn(|| {})
}
