fn main() {
    let _id = uuid::Uuid::new_v4();
}
