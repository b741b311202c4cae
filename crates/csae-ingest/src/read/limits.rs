//! What a reader may take in, and the constants that bound every reader.

use super::ReturnRejected;

/// Columns a header may reach: the standard's dozen with a wide margin for a force's own extra
/// columns. A header reaching further is `F01`; it is a spreadsheet with a stray cell far out,
/// not a return.
pub const MAX_COLUMNS: usize = 256;

/// Cells one record may have: a worksheet's width. A CSV line with more is not a row of a
/// return (`F01`), and reading it on would cost memory for nothing.
pub const MAX_RECORD_CELLS: usize = 16_384;

/// Rows a worksheet can have (Excel's limit); a row reference beyond it is `F01`.
pub const MAX_SHEET_ROWS: u32 = 1_048_576;

/// What a reader may take in: rows of a return (all four tables) and bytes of its files
/// (uncompressed). Checked before the work where the size is known beforehand, and counted
/// while reading where it is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    pub max_rows: u64,
    pub max_bytes: u64,
}

impl Default for ReadLimits {
    /// The command line's: no row limit but a worksheet's own, and the 4 GiB a table's text can
    /// hold ([`super::CellsFull`]).
    fn default() -> ReadLimits {
        ReadLimits { max_rows: u64::MAX, max_bytes: 4 << 30 }
    }
}

/// A reader's count of data rows against [`ReadLimits::max_rows`], across a return's tables.
pub(crate) struct RowBudget {
    left: u64,
    max: u64,
}

impl RowBudget {
    pub(crate) fn new(limits: &ReadLimits) -> RowBudget {
        RowBudget { left: limits.max_rows, max: limits.max_rows }
    }

    /// One more data row of `shown`, or the refusal once there are more than allowed.
    #[inline]
    pub(crate) fn take(&mut self, shown: &str) -> Result<(), ReturnRejected> {
        if self.left == 0 {
            return Err(ReturnRejected::over_limit(
                shown,
                format!("{shown} has more rows than the {} a return may have here; check it is the right file", self.max),
            ));
        }
        self.left -= 1;
        Ok(())
    }
}

/// A return's files larger than [`ReadLimits::max_bytes`].
pub(crate) fn too_many_bytes(shown: &str, bytes: u64, max: u64) -> ReturnRejected {
    ReturnRejected::over_limit(
        shown,
        format!("{shown} holds {} of data, more than the {} a return may have here; check it is the right file", size_text(bytes), size_text(max)),
    )
}

/// A size for people: `360 MB`, `4 GB`.
pub fn size_text(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= 10 * 1024 * MB {
        format!("{} GB", bytes / (1024 * MB))
    } else if bytes >= MB {
        format!("{} MB", bytes.div_ceil(MB))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

