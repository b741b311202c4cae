//! Dates of the standard: strict ISO `YYYY-MM-DD` text, or Excel serial dates from workbooks.

use chrono::{Datelike, NaiveDate};

/// Parses exactly `YYYY-MM-DD` (ten characters, zero-padded, a real calendar date).
/// `2023-1-5`, `2023/01/05`, `05/01/2023` and `2023-02-30` are all rejected.
pub fn parse_iso(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    NaiveDate::from_ymd_opt(y as i32, m, d)
}

/// The calendar date of an Excel serial date (the integer part; a time of day is ignored).
/// Handles both the 1900 system (with Excel's phantom 1900-02-29, serial 60) and the 1904
/// system. Returns `None` for serials outside Excel's range or the phantom day.
pub fn from_excel_serial(serial: f64, is_1904: bool) -> Option<NaiveDate> {
    if !serial.is_finite() || serial < 1.0 || serial >= 2_958_466.0 {
        return None;
    }
    let days = serial.floor() as i64;
    if is_1904 {
        return NaiveDate::from_ymd_opt(1904, 1, 1)?.checked_add_days(chrono::Days::new(days as u64));
    }
    match days {
        60 => None, // 1900-02-29 does not exist
        1..=59 => NaiveDate::from_ymd_opt(1899, 12, 31)?.checked_add_days(chrono::Days::new(days as u64)),
        _ => NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(days as u64)),
    }
}

/// Whole years from `from` to `to` (a birthday not yet reached does not count); negative when
/// `to` is before `from`.
pub fn whole_years(from: NaiveDate, to: NaiveDate) -> i32 {
    let mut years = to.year() - from.year();
    if (to.month(), to.day()) < (from.month(), from.day()) {
        years -= 1;
    }
    years
}

/// Days since 1970-01-01, the Arrow/Parquet `Date32` representation.
pub fn to_epoch_days(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
}

pub fn from_epoch_days(days: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch") + chrono::Duration::days(i64::from(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn iso_dates_are_strict() {
        assert_eq!(parse_iso("2023-02-10"), Some(d(2023, 2, 10)));
        for bad in ["2023-13-01", "2023-02-30", "2023-1-05", "2023/01/05", "05/01/2023", "", "2023-01-05T00:00", "２０２３-01-05", "+023-01-05"] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
        assert_eq!(parse_iso("2024-02-29"), Some(d(2024, 2, 29)));
    }

    #[test]
    fn excel_serials_in_both_systems() {
        assert_eq!(from_excel_serial(45_000.0, false), Some(d(2023, 3, 15)));
        assert_eq!(from_excel_serial(45_000.75, false), Some(d(2023, 3, 15)));
        assert_eq!(from_excel_serial(1.0, false), Some(d(1900, 1, 1)));
        assert_eq!(from_excel_serial(59.0, false), Some(d(1900, 2, 28)));
        assert_eq!(from_excel_serial(60.0, false), None);
        assert_eq!(from_excel_serial(61.0, false), Some(d(1900, 3, 1)));
        assert_eq!(from_excel_serial(0.0, true), None);
        assert_eq!(from_excel_serial(1.0, true), Some(d(1904, 1, 2)));
        assert_eq!(from_excel_serial(f64::NAN, false), None);
        assert_eq!(from_excel_serial(-3.0, false), None);
    }

    #[test]
    fn whole_years_counts_completed_years() {
        assert_eq!(whole_years(d(2010, 3, 1), d(2023, 2, 28)), 12);
        assert_eq!(whole_years(d(2010, 3, 1), d(2023, 3, 1)), 13);
        assert_eq!(whole_years(d(2020, 1, 1), d(2019, 12, 31)), -1);
        assert_eq!(from_epoch_days(to_epoch_days(d(2023, 7, 1))), d(2023, 7, 1));
    }
}
