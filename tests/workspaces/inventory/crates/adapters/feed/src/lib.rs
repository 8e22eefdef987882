mod book;

use book::Book;

pub fn levels(book: &Book) -> Vec<u64> {
    book.levels.keys().copied().collect()
}

pub fn spawn_reader() {
    std::thread::spawn(|| {});
}
