use futures::{select, FutureExt};

mod helper;

pub async fn first(a: Rx, b: Rx) -> u64 {
    select! {
        x = a.next().fuse() => x,
        y = b.next().fuse() => y,
    }
}
