use ahash::AHashMap;

pub struct Book {
    pub levels: AHashMap<u64, u64>,
}
