use std::collections::HashMap;

pub fn take(mut m: HashMap<u64, u64>) -> Vec<u64> {
    let _ = HashMap::remove(&mut m, &2);
    m.keys().copied().collect()
}
