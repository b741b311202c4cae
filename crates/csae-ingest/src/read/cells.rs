//! The cells of a table's data rows, held in one buffer of text and one of positions: a row
//! costs no allocation of its own (a national collection has half a million rows).

/// The trimmed cells of a table's data rows. Positions are 4 bytes, so a table is limited to
/// 4 GiB of text and 4 billion cells ([`CellsFull`]), far beyond any force's return.
#[derive(Debug, Clone)]
pub struct Cells {
    /// Every cell's text, one after another.
    text: String,
    /// Per record: where its first cell starts in `text`, then where each of its cells ends.
    bounds: Vec<u32>,
    /// Where each record's entries begin in `bounds`, and one past the last record.
    records: Vec<u32>,
}

/// A table's cells passed 4 GiB of text or 4 billion cells (see [`Cells`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellsFull;

impl CellsFull {
    /// The `F01` sentence for a table this large.
    pub(crate) fn rejected(self, shown: &str) -> super::ReturnRejected {
        super::ReturnRejected::new(
            shown,
            format!("{shown} holds more than 4 GiB of text, far more than any force's return; check it is the right file and submit the return again"),
        )
    }
}

/// A position in [`Cells`]' buffers as stored, or [`CellsFull`] past the 4-byte range.
fn position(n: usize) -> Result<u32, CellsFull> {
    u32::try_from(n).map_err(|_| CellsFull)
}

impl Default for Cells {
    fn default() -> Cells {
        Cells::new()
    }
}

impl Cells {
    pub fn new() -> Cells {
        Cells { text: String::new(), bounds: Vec::new(), records: vec![0] }
    }

    /// Adds a record of cells (trimmed by the caller) unless every cell is blank: such a row is
    /// not a data row. Returns whether it was added, or [`CellsFull`] (nothing added).
    pub fn push<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> Result<bool, CellsFull> {
        self.push_row(cells, false)
    }

    /// [`Cells::push`], keeping the record even when every cell is blank when `keep` (a row
    /// whose only values lie outside the header is still a row, to be rejected with `F02`).
    pub fn push_row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>, keep: bool) -> Result<bool, CellsFull> {
        let (text_len, bounds_len) = (self.text.len(), self.bounds.len());
        let added = self.append(cells, keep);
        if !matches!(added, Ok(true)) {
            self.text.truncate(text_len);
            self.bounds.truncate(bounds_len);
        }
        added
    }

    fn append<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>, keep: bool) -> Result<bool, CellsFull> {
        self.bounds.push(position(self.text.len())?);
        let mut blank = true;
        for c in cells {
            blank &= c.is_empty();
            self.text.push_str(c);
            self.bounds.push(position(self.text.len())?);
        }
        if blank && !keep {
            return Ok(false);
        }
        self.records.push(position(self.bounds.len())?);
        Ok(true)
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of cells of record `i`, blank ones included.
    pub fn width(&self, i: usize) -> usize {
        self.record(i).len() - 1
    }

    /// Cell `pos` of record `i`, `None` past the record's last cell.
    #[inline]
    pub fn get(&self, i: usize, pos: usize) -> Option<&str> {
        self.in_record(self.record(i), pos)
    }

    /// Record `i`'s start and the ends of its cells.
    #[inline]
    pub(crate) fn record(&self, i: usize) -> &[u32] {
        &self.bounds[self.records[i] as usize..self.records[i + 1] as usize]
    }

    /// Cell `pos` of the record whose start and ends are `bounds`.
    #[inline]
    pub(crate) fn in_record(&self, bounds: &[u32], pos: usize) -> Option<&str> {
        let to = *bounds.get(pos + 1)? as usize;
        Some(&self.text[bounds[pos] as usize..to])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_rows_apart_and_leave_out_blank_rows() {
        let mut c = Cells::new();
        assert_eq!(c.push(["a", "", "bc"]), Ok(true));
        assert_eq!(c.push(["", ""]), Ok(false), "a row of blank cells is not a data row");
        assert_eq!(c.push_row(["", ""], true), Ok(true), "unless it is kept");
        assert_eq!(c.push(["", "d"]), Ok(true));
        assert_eq!(c.len(), 3);
        assert_eq!([c.get(0, 0), c.get(0, 1), c.get(0, 2), c.get(0, 3)], [Some("a"), Some(""), Some("bc"), None]);
        assert_eq!([c.get(1, 0), c.get(1, 1), c.get(1, 2)], [Some(""), Some(""), None]);
        assert_eq!([c.get(2, 0), c.get(2, 1), c.get(2, 2)], [Some(""), Some("d"), None]);
        assert_eq!((c.width(0), c.width(2)), (3, 2));
        assert!(Cells::new().is_empty());
    }

    #[test]
    fn positions_past_four_gib_are_refused_not_wrapped() {
        assert_eq!(position(u32::MAX as usize), Ok(u32::MAX));
        assert_eq!(position(u32::MAX as usize + 1), Err(CellsFull));
        let e = CellsFull.rejected("cumbria/crimes.csv");
        assert!(e.message.starts_with("cumbria/crimes.csv holds more than 4 GiB"), "{}", e.message);
    }
}
