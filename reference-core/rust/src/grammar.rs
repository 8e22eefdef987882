//! The line grammar every input, trace and spec line follows (SPEC.md): `kind key=value ...`,
//! printable ASCII, values that are i64 integers or plain words. Parsing is strict so that both
//! cores refuse exactly the same inputs with exactly the same diagnostic.
use std::borrow::Cow;
use std::fmt;

/// A word: borrowed when it is one of the core's own names (the spec is 'static), owned when it
/// came from an input. Most events then cost no string allocation at all.
pub type Text = Cow<'static, str>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Int(i64),
    Word(Text),
}

impl Value {
    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            Value::Word(_) => None,
        }
    }

    pub fn word(&self) -> Option<&str> {
        match self {
            Value::Word(w) => Some(w),
            Value::Int(_) => None,
        }
    }

    /// The value as a word: its text, whatever it is (an integer prints as itself).
    pub fn text(&self) -> Text {
        match self {
            Value::Word(w) => w.clone(),
            Value::Int(n) => Text::Owned(n.to_string()),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(n) => write!(f, "{n}"),
            Value::Word(w) => f.write_str(w),
        }
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<&'static str> for Value {
    fn from(w: &'static str) -> Self {
        Value::Word(Cow::Borrowed(w))
    }
}

impl From<String> for Value {
    fn from(w: String) -> Self {
        Value::Word(Cow::Owned(w))
    }
}

impl From<Text> for Value {
    fn from(w: Text) -> Self {
        Value::Word(w)
    }
}

/// A line's fields: keys unique and in byte order (a small sorted vector; lines have few).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields(Vec<(Text, Value)>);

impl Fields {
    pub fn new() -> Self {
        Fields(Vec::new())
    }

    pub fn with_capacity(n: usize) -> Self {
        Fields(Vec::with_capacity(n))
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_ref().cmp(key))
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    pub fn insert(&mut self, key: impl Into<Text>, value: Value) -> Option<Value> {
        let key = key.into();
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.find(key).ok().map(|i| self.0.remove(i).1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_ref())
    }

    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.0.iter().map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a Fields {
    type Item = (&'a str, &'a Value);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (Text, Value)>, fn(&'a (Text, Value)) -> (&'a str, &'a Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

impl FromIterator<(Text, Value)> for Fields {
    fn from_iter<I: IntoIterator<Item = (Text, Value)>>(items: I) -> Self {
        let mut out = Fields::new();
        for (k, v) in items {
            out.insert(k, v);
        }
        out
    }
}

impl std::ops::Index<&str> for Fields {
    type Output = Value;

    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or_else(|| panic!("no field {key}"))
    }
}

/// Build a field map: `fields![("seq", 3), ("to", "filled")]`.
#[macro_export]
macro_rules! fields {
    ($(($k:expr, $v:expr)),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut m = $crate::grammar::Fields::with_capacity(<[&str]>::len(&[$(stringify!($k)),*]));
        $( m.insert($k, $crate::grammar::Value::from($v)); )*
        m
    }};
}

/// A line outside the grammar: `reason` is a word, `number` the 1-based input line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrammarError {
    pub reason: String,
    pub number: usize,
}

impl GrammarError {
    pub fn new(reason: impl Into<String>) -> Self {
        GrammarError {
            reason: reason.into(),
            number: 0,
        }
    }

    pub fn at(mut self, number: usize) -> Self {
        self.number = number;
        self
    }

    pub fn line(&self) -> String {
        format!("error line={} reason={}", self.number, self.reason)
    }
}

pub fn is_word(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b":._-".contains(&b))
}

fn is_int(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Every byte is printable ASCII (0x20-0x7e): no tab, no carriage return, no UTF-8.
pub fn printable(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| (0x20..=0x7e).contains(&b))
}

/// Split a line into its kind and fields, refusing anything off the grammar.
pub fn parse_line(bytes: &[u8]) -> Result<(String, Fields), GrammarError> {
    if !printable(bytes) {
        return Err(GrammarError::new("bad-byte"));
    }
    let text = std::str::from_utf8(bytes).expect("printable ASCII is UTF-8");
    let mut parts = text.split(' ');
    let kind = parts.next().unwrap_or("");
    if !is_word(kind) {
        return Err(GrammarError::new("bad-kind"));
    }
    let mut fields = Fields::new();
    for pair in parts {
        let (key, value) = match pair.split_once('=') {
            Some((key, value)) if !key.is_empty() => (key, value),
            _ => return Err(GrammarError::new("bad-field")),
        };
        if !is_word(key) {
            return Err(GrammarError::new("bad-key"));
        }
        if fields.contains_key(key) {
            return Err(GrammarError::new(format!("duplicate-key:{key}")));
        }
        let value = if is_int(value) {
            Value::Int(value.parse().map_err(|_| GrammarError::new("int-range"))?)
        } else if is_word(value) {
            Value::from(value.to_string())
        } else {
            return Err(GrammarError::new("bad-value"));
        };
        fields.insert(key.to_string(), value);
    }
    Ok((kind.to_string(), fields))
}

/// The canonical form: keys in byte order (the map's order). Values are trusted: words were
/// checked on the way in or are the core's own constants.
pub fn line(kind: &str, fields: &Fields) -> String {
    let mut out = String::with_capacity(16 * fields.len() + kind.len());
    out.push_str(kind);
    for (key, value) in fields.iter() {
        out.push(' ');
        out.push_str(key);
        out.push('=');
        match value {
            Value::Int(n) => {
                use std::fmt::Write;
                let _ = write!(out, "{n}");
            }
            Value::Word(w) => out.push_str(w),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_sort_keys_and_round_trip() {
        let f = fields![("seq", 3), ("b", "x-y"), ("a", -2)];
        let text = line("k", &f);
        assert_eq!(text, "k a=-2 b=x-y seq=3");
        assert_eq!(parse_line(text.as_bytes()).unwrap(), ("k".to_string(), f));
    }

    #[test]
    fn off_grammar_lines_name_their_reason() {
        let reason = |t: &[u8]| parse_line(t).unwrap_err().reason;
        assert_eq!(reason(b"k a=x y"), "bad-field");
        assert_eq!(reason(b"k a=x=y"), "bad-value");
        assert_eq!(reason(b"k a=+5"), "bad-value");
        assert_eq!(reason(b"k a="), "bad-value");
        assert_eq!(reason(b"k a=9223372036854775808"), "int-range");
        assert_eq!(reason(b"k a=-9223372036854775809"), "int-range");
        assert_eq!(reason(b"k a=1 a=2"), "duplicate-key:a");
        assert_eq!(reason(b"k a=1\r"), "bad-byte");
        assert_eq!(reason("k a=\u{e9}".as_bytes()), "bad-byte");
        assert_eq!(reason(b" a=1"), "bad-kind");
        assert_eq!(reason(b"k a b=1"), "bad-field");
        assert_eq!(reason(b"k a!=1"), "bad-key");
        let (_, f) = parse_line(b"k a=-9223372036854775808 b=007 c=-0 d=-").unwrap();
        assert_eq!(
            f.values().cloned().collect::<Vec<_>>(),
            vec![Value::Int(i64::MIN), Value::Int(7), Value::Int(0), Value::from("-")]
        );
    }
}
