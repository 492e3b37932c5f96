//! Output cut into lines as it arrives, and the bounded tail kept for the report.
//!
//! Programs print what they like: bytes that are not UTF-8, a progress bar without a newline,
//! a megabyte of JSON on one line. So lines are split here rather than with `lines()` (which
//! fails on bad UTF-8 and grows without bound): invalid bytes become U+FFFD and a line longer
//! than [`MAX_LINE`] bytes is cut into several.

use std::collections::VecDeque;

use crate::{Progress, msg};

/// The longest line reported as one; longer ones are cut, so memory stays bounded.
pub const MAX_LINE: usize = 8 * 1024;
/// How many of the last lines a run keeps for its report and its failure message.
pub const TAIL_LINES: usize = 50;

/// One line of output, without its newline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    /// Whether the program wrote it to stderr. A node's log merges both streams, so there it
    /// is always false.
    pub stderr: bool,
}

/// The last [`TAIL_LINES`] lines of a run, and how many came before them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tail {
    lines: VecDeque<Line>,
    dropped: u64,
}

impl Tail {
    pub fn push(&mut self, line: Line) {
        if self.lines.len() == TAIL_LINES {
            self.lines.pop_front();
            self.dropped += 1;
        }
        self.lines.push_back(line);
    }

    pub fn lines(&self) -> impl ExactSizeIterator<Item = &Line> {
        self.lines.iter()
    }

    /// The last line, which is usually the one that says why a program failed.
    pub fn last(&self) -> Option<&Line> {
        self.lines.back()
    }

    /// How many earlier lines were not kept.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The kept lines as text, one per line, for a report block.
    pub fn text(&self) -> String {
        let lines: Vec<&str> = self.lines.iter().map(|l| l.text.as_str()).collect();
        lines.join("\n")
    }
}

/// Reports each line as progress the moment it is complete, and keeps the tail.
pub(crate) struct LineSink<'a> {
    progress: &'a dyn Progress,
    pub tail: Tail,
}

impl<'a> LineSink<'a> {
    pub fn new(progress: &'a dyn Progress) -> Self {
        LineSink {
            progress,
            tail: Tail::default(),
        }
    }

    pub fn line(&mut self, text: String, stderr: bool) {
        let message = if stderr {
            msg!("runner-line-stderr", line = text.as_str())
        } else {
            msg!("runner-line", line = text.as_str())
        };
        self.progress.report(message);
        self.tail.push(Line { text, stderr });
    }
}

/// Cuts a byte stream into lines. Feed it chunks with [`push`](Self::push); at the end of the
/// stream [`finish`](Self::finish) gives the last line if it had no newline.
#[derive(Default)]
pub(crate) struct Splitter {
    pending: Vec<u8>,
}

impl Splitter {
    pub fn push(&mut self, mut bytes: &[u8]) -> Vec<String> {
        let mut lines = Vec::new();
        while !bytes.is_empty() {
            let room = MAX_LINE - self.pending.len();
            match bytes.iter().take(room).position(|b| *b == b'\n') {
                Some(newline) => {
                    self.pending.extend_from_slice(&bytes[..newline]);
                    lines.push(self.take(self.pending.len()));
                    bytes = &bytes[newline + 1..];
                }
                None if bytes.len() < room => {
                    self.pending.extend_from_slice(bytes);
                    bytes = &[];
                }
                None => {
                    self.pending.extend_from_slice(&bytes[..room]);
                    bytes = &bytes[room..];
                    lines.push(self.take(char_boundary(&self.pending)));
                }
            }
        }
        lines
    }

    pub fn finish(&mut self) -> Option<String> {
        (!self.pending.is_empty()).then(|| self.take(self.pending.len()))
    }

    /// The first `end` pending bytes as a line; the rest stays pending.
    fn take(&mut self, end: usize) -> String {
        let rest = self.pending.split_off(end);
        let mut line = std::mem::replace(&mut self.pending, rest);
        // Windows line ends from a script written elsewhere.
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        String::from_utf8_lossy(&line).into_owned()
    }
}

/// Where to cut a full buffer so a multi-byte character is not split across two lines: before
/// the last character when its bytes have not all arrived.
fn char_boundary(bytes: &[u8]) -> usize {
    let len = bytes.len();
    // A UTF-8 character is at most 4 bytes: its first byte is among the last 4.
    let Some(start) = (len.saturating_sub(4)..len)
        .rev()
        .find(|&i| bytes[i] & 0b1100_0000 != 0b1000_0000)
    else {
        return len;
    };
    let width = match bytes[start] {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    };
    if start + width > len && start > 0 {
        start
    } else {
        len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_all(text: &[u8]) -> Vec<String> {
        let mut splitter = Splitter::default();
        let mut lines = splitter.push(text);
        lines.extend(splitter.finish());
        lines
    }

    #[test]
    fn lines_split_across_chunks_are_joined() {
        let mut s = Splitter::default();
        assert_eq!(s.push(b"one\ntw"), ["one"]);
        assert_eq!(s.push(b"o\r\nthr"), ["two"]);
        assert_eq!(s.finish().as_deref(), Some("thr"));
        assert_eq!(s.finish(), None);
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        assert_eq!(split_all(b"ok \xff\xfe\n"), ["ok \u{fffd}\u{fffd}"]);
    }

    #[test]
    fn an_endless_line_is_cut_at_max_line_on_a_char_boundary() {
        let mut text = vec![b'a'; MAX_LINE - 1];
        text.extend("é".as_bytes()); // 2 bytes: would straddle the cut
        text.extend(b"bc\n");
        let lines = split_all(&text);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), MAX_LINE - 1);
        assert_eq!(lines[1], "ébc");
    }

    #[test]
    fn the_tail_keeps_the_last_lines_and_counts_the_rest() {
        let mut tail = Tail::default();
        for i in 0..TAIL_LINES + 5 {
            tail.push(Line {
                text: i.to_string(),
                stderr: false,
            });
        }
        assert_eq!(tail.lines().len(), TAIL_LINES);
        assert_eq!(tail.dropped(), 5);
        assert_eq!(tail.lines().next().map(|l| l.text.as_str()), Some("5"));
        assert_eq!(
            tail.last().map(|l| l.text.clone()),
            Some((TAIL_LINES + 4).to_string())
        );
    }
}
