pub mod time;
pub mod uuid;
#[cfg(feature = "python")]
pub mod python;

pub fn now_nanos() -> u128 {
    chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0) as u128
}

#[cfg(test)]
mod tests {
    #[test]
    fn t() {
        let _ = std::time::Instant::now();
    }
}
