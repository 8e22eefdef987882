use futures::select;

pub async fn next(a: Rx, b: Rx) {
    // several lines: `biased;` gets its own line
    tokio::select! {
        x = a.recv() => handle(x),
        y = b.recv() => handle(y),
    }
    tokio::select! { x = a.recv() => handle(x) }
    futures::select! { x = a.next() => handle(x) }
    select! {
        y = b.next() => handle(y), // imported from futures
    }
}
