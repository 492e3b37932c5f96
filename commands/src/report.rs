//! Structured results: what an operation found, before any chat renders it.
//!
//! Slack renders a [`Table`] as a code block, Discord as an embed, the shell as aligned
//! columns; operations only say what the rows are.

use crate::Message;

/// The final result of a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A heading line, e.g. one per cluster.
    Heading(Message),
    Table(Table),
    /// Key/value pairs.
    Fields(Vec<(Message, Cell)>),
    /// Raw text such as logs, shown verbatim (never translated).
    Text(String),
    /// A sentence under the data (a hint, a warning).
    Note(Message),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub columns: Vec<Message>,
    pub rows: Vec<Vec<Cell>>,
}

/// One value in a table or a field: data is shown as is, a message is translated.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Message(Message),
}

impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(v)
    }
}
impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(v.to_string())
    }
}
impl From<Message> for Cell {
    fn from(v: Message) -> Self {
        Cell::Message(v)
    }
}

impl Report {
    pub fn push(&mut self, block: Block) {
        self.blocks.push(block);
    }
}

impl Table {
    pub fn new(columns: Vec<Message>) -> Self {
        Table {
            columns,
            rows: Vec::new(),
        }
    }
}

/// Bytes in binary units with one decimal, the way `df -h` and etcdctl show them.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn human_bytes_uses_binary_units() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(200 * 1024 * 1024), "200.0 MiB");
    }
}
