macro_rules! race {
    ($a:expr, $b:expr) => {
        tokio::select! { _ = $a => {}, _ = $b => {} }
    };
}

pub async fn run() {
    race!(async {}, async {});
}
