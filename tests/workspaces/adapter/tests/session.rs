#[test]
fn reconnects() {
    let _ = std::time::Instant::now();
}
