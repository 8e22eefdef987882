use std::collections::HashMap;
use tokio::time::sleep;

#[cfg(feature = "python")]
pub mod python;

pub struct Client {
    orders: HashMap<u64, u64>,
}

impl Client {
    pub async fn connect(addr: &str) -> std::io::Result<Self> {
        let _stream = tokio::net::TcpStream::connect(addr).await?;
        let _started = chrono::Utc::now();
        let _id = uuid::Uuid::new_v4();
        Ok(Client { orders: HashMap::new() })
    }

    pub async fn pump(&self, a: Rx, b: Rx) {
        tokio::select! {
            x = a.recv() => handle(x),
            y = b.recv() => handle(y),
        }
        sleep(std::time::Duration::from_millis(5)).await;
        std::thread::spawn(|| {}); // dst-ok: heartbeat thread, live only
    }

    pub fn open_orders(&self) -> Vec<u64> {
        self.orders.keys().copied().collect()
    }

    pub fn open_count(&self) -> usize {
        self.orders.len()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn t() {
        let _ = std::time::Instant::now();
    }
}
