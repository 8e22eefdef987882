use futures::FutureExt;
use futures::select_biased;

mod helper;

pub async fn first(a: Rx, b: Rx) -> u64 {
    select_biased! {
        x = a.next().fuse() => x,
        y = b.next().fuse() => y,
    }
}
