pub struct UUID4(u128);

impl UUID4 {
    pub fn new() -> Self {
        let mut rng = rand::rng();
        UUID4(rng.random())
    }
}
