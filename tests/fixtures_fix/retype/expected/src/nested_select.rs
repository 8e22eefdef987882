//! A `select!` written inside another macro's arguments is tokens to the parser: its body is
//! found after the path and the `!`.
pub async fn inner(a: tokio::sync::mpsc::Receiver<u8>, b: tokio::sync::mpsc::Receiver<u8>) {
    let (mut a, mut b) = (a, b);
    futures::join!(async { tokio::select! { biased; _ = a.recv() => {}, _ = b.recv() => {} } });
}
