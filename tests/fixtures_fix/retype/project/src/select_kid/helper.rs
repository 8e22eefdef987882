// Its own select, `tokio::select!` and already biased: nothing here names the parent's `select`.
pub async fn either(a: Rx, b: Rx) -> u64 {
    tokio::select! {
        biased;
        x = a.recv() => x,
        y = b.recv() => y,
    }
}
