use futures::select_biased;

pub async fn next(a: Rx, b: Rx) {
    // several lines: `biased;` gets its own line
    tokio::select! {
        biased;
        x = a.recv() => handle(x),
        y = b.recv() => handle(y),
    }
    tokio::select! { biased; x = a.recv() => handle(x) }
    futures::select_biased! { x = a.next() => handle(x) }
    select_biased! {
        y = b.next() => handle(y), // imported from futures
    }
}
