#[test]
fn t() {
    let _ = std::time::Instant::now();
}
