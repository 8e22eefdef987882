use std::collections::HashMap;

pub fn drain_one(mut m: HashMap<u64, u64>) -> Vec<u64> {
    println!("{:?}", m.remove(&1));
    m.keys().copied().collect()
}
