//! How numbers are written in every output: counts, percentages in tables, shares in text.

use crate::Mode;

/// A whole number with thousands separators.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A percentage (0–100) as a table publishes it: whole numbers in public mode, one decimal
/// internally, and `[low]` (the GSS symbol) for a non-zero value that would round to zero.
pub fn percent_cell(x: f64, mode: Mode) -> String {
    let shown = match mode {
        Mode::Public => format!("{}", x.round() as i64),
        Mode::Internal => format!("{x:.1}"),
    };
    if x > 0.0 && shown.parse::<f64>().is_ok_and(|v| v == 0.0) { "[low]".into() } else { shown }
}

/// A share (a fraction) in a sentence: one decimal below 10% (where a whole number misleads:
/// 3.7%, not 4%) and always internally, whole numbers otherwise; `[withheld]` when disclosure
/// control withheld it.
pub fn share_text(share: Option<f64>, mode: Mode) -> String {
    match share {
        None => "[withheld]".to_string(),
        Some(x) if x > 0.0 && 100.0 * x < 0.05 => "less than 0.1%".to_string(),
        Some(x) if mode == Mode::Public && 100.0 * x >= 9.95 => format!("{}%", (100.0 * x).round() as i64),
        Some(x) => format!("{:.1}%", 100.0 * x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(114_203), "114,203");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn percentages_that_round_to_zero_from_a_count_are_low() {
        assert_eq!(percent_cell(0.4, Mode::Public), "[low]");
        assert_eq!(percent_cell(0.5, Mode::Public), "1");
        assert_eq!(percent_cell(0.0, Mode::Public), "0");
        assert_eq!(percent_cell(0.04, Mode::Internal), "[low]");
        assert_eq!(percent_cell(0.05, Mode::Internal), "0.1");
        assert_eq!(percent_cell(0.0, Mode::Internal), "0.0");
        assert_eq!(percent_cell(37.25, Mode::Internal), "37.2");
    }

    #[test]
    fn shares_in_text_keep_a_decimal_where_a_whole_number_misleads() {
        assert_eq!(share_text(Some(0.0372), Mode::Public), "3.7%");
        assert_eq!(share_text(Some(0.0372), Mode::Internal), "3.7%");
        assert_eq!(share_text(Some(0.264), Mode::Public), "26%");
        assert_eq!(share_text(Some(0.264), Mode::Internal), "26.4%");
        assert_eq!(share_text(Some(0.0001), Mode::Public), "less than 0.1%");
        assert_eq!(share_text(None, Mode::Public), "[withheld]");
    }
}
