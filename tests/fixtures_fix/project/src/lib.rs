//! The seams the configured replacements point at.

pub mod book;
pub mod iterate;
pub mod replace;
pub mod select;

pub mod sim {
    pub mod time {
        pub fn now() -> u64 {
            0
        }
    }

    pub struct Clock;

    impl Clock {
        pub fn wall() -> u64 {
            0
        }
    }
}
