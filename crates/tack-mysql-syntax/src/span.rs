//! Byte ranges into the source text.
//!
//! Every token, comment, statement, expression and error carries a [`Span`]: the byte offset of
//! its first byte and its length in bytes. Spans produced by this crate always lie within the
//! input and start and end on `char` boundaries, so `&text[span.range()]` never panics.

use std::ops::Range;

/// A byte range `offset .. offset + len` of the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    /// Byte offset of the first byte.
    pub offset: usize,
    /// Length in bytes.
    pub len: usize,
}

impl Span {
    /// A span of `len` bytes starting at `offset`.
    pub const fn new(offset: usize, len: usize) -> Self {
        Span { offset, len }
    }

    /// The span from `start` (inclusive) to `end` (exclusive); empty if `end < start`.
    pub const fn between(start: usize, end: usize) -> Self {
        Span {
            offset: start,
            len: end.saturating_sub(start),
        }
    }

    /// An empty span at `offset`.
    pub const fn empty_at(offset: usize) -> Self {
        Span { offset, len: 0 }
    }

    /// Byte offset just past the last byte.
    pub const fn end(&self) -> usize {
        self.offset + self.len
    }

    /// The span as a range, for slicing.
    pub const fn range(&self) -> Range<usize> {
        self.offset..self.end()
    }

    /// The smallest span covering both `self` and `other`.
    pub fn cover(self, other: Span) -> Span {
        Span::between(self.offset.min(other.offset), self.end().max(other.end()))
    }

    /// The text this span covers in `source`, or `""` if it does not fit (never panics).
    pub fn text<'t>(&self, source: &'t str) -> &'t str {
        source.get(self.range()).unwrap_or("")
    }

    /// Whether `offset` lies inside this span (an empty span contains nothing).
    pub const fn contains(&self, offset: usize) -> bool {
        offset >= self.offset && offset < self.end()
    }
}
