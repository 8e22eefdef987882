fn main() {
    let started = std::time::SystemTime::now();
    println!("{started:?}");
}
