use std::collections::HashMap;

pub struct Book {
    levels: HashMap<u64, u64>, // dst-ok[DST101]: wrong rule
}
