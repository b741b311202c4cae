//! Inline SVG charts for `report.html`: horizontal bar charts and a column chart for the
//! monthly series, each with a title and a text alternative, every bar labelled with its number
//! (so no reader has to estimate a bar's length). They are drawn on a narrow canvas whose text
//! stays at least 12 px on a 390 px phone, and labels wrap rather than being cut off.

use crate::html::esc;

/// One bar: its label, its value (None when withheld or not applicable) and the text shown
/// beside it (the number, a percentage, or a GSS symbol).
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub shown: String,
}

/// Canvas width: a phone's content width (358 px of a 390 px screen) shows it at 0.9 scale,
/// so 14-unit text is drawn above 12 px; CSS caps it at 480 px on wider screens.
const WIDTH: f64 = 400.0;
/// Room right of the longest bar for its number.
const VALUE_W: f64 = 76.0;
const LINE_H: f64 = 18.0;
const BAR_H: f64 = 18.0;
const GAP: f64 = 12.0;
/// Characters of a label line at 14 units (an average character is about 7 units wide).
const LABEL_CHARS: usize = 54;
/// GOV.UK blue: contrast 5.2:1 on white, so bars meet WCAG's 3:1 for graphics.
const BAR_COLOUR: &str = "#1d70b8";

fn open_svg(id: &str, title: &str, summary: &str, width: f64, height: f64, style: &str) -> String {
    format!(
        "<svg class=\"chart\"{style} viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        esc(title),
        esc(summary)
    )
}

/// A horizontal bar chart: each bar's label on the line above it, its number at its end.
/// `id` must be unique in the page (it names the title and description screen readers announce).
pub fn bar_chart(id: &str, title: &str, summary: &str, bars: &[Bar]) -> String {
    let max = bars.iter().filter_map(|b| b.value).fold(0.0_f64, f64::max);
    let plot_w = WIDTH - VALUE_W;
    let labels: Vec<Vec<String>> = bars.iter().map(|b| wrap(&b.label, LABEL_CHARS)).collect();
    let height = labels.iter().map(|l| l.len() as f64 * LINE_H + BAR_H + GAP).sum::<f64>() + GAP / 2.0;
    let mut s = open_svg(id, title, summary, WIDTH, height, "");
    let mut y = GAP / 2.0;
    for (b, lines) in bars.iter().zip(&labels) {
        for line in lines {
            y += LINE_H;
            s.push_str(&format!("<text x=\"0\" y=\"{:.1}\" class=\"chart-label\">{}</text>", y - 4.0, esc(line)));
        }
        let w = match b.value {
            Some(v) if max > 0.0 => (v / max * plot_w).max(if v > 0.0 { 1.0 } else { 0.0 }),
            _ => 0.0,
        };
        s.push_str(&format!(
            "<rect x=\"0\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{BAR_H}\" fill=\"{BAR_COLOUR}\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"chart-value\">{}</text>",
            w + 6.0,
            y + BAR_H - 4.0,
            esc(&b.shown)
        ));
        y += BAR_H + GAP;
    }
    s.push_str("</svg>");
    s
}

/// Width of one column of a column chart, and the margin either side.
const COLUMN_SLOT: f64 = 32.0;
const MARGIN: f64 = 8.0;
const PLOT_H: f64 = 180.0;
/// Room above the tallest column for its number, written upwards.
const VALUES_H: f64 = 56.0;

/// A column chart of a monthly series (labels `YYYY-MM`): month names under the columns, the
/// year under each January and the first month, numbers written upwards above the columns.
/// Long series keep their slot width and scroll sideways rather than shrinking their text.
pub fn column_chart(id: &str, title: &str, summary: &str, bars: &[Bar]) -> String {
    let max = bars.iter().filter_map(|b| b.value).fold(0.0_f64, f64::max);
    let slot = ((WIDTH - 2.0 * MARGIN) / bars.len().max(1) as f64).clamp(COLUMN_SLOT.min(WIDTH), 60.0);
    let width = (2.0 * MARGIN + slot * bars.len() as f64).max(WIDTH);
    let style = if width > WIDTH { format!(" style=\"width:{width}px;max-width:none\"") } else { String::new() };
    let base = VALUES_H + PLOT_H;
    let height = base + 2.0 * LINE_H + 8.0;
    let mut s = open_svg(id, title, summary, width, height, &style);
    for (i, b) in bars.iter().enumerate() {
        let x = MARGIN + slot * i as f64;
        let h = match b.value {
            Some(v) if max > 0.0 => (v / max * PLOT_H).max(if v > 0.0 { 1.0 } else { 0.0 }),
            _ => 0.0,
        };
        let cx = x + slot / 2.0;
        s.push_str(&format!("<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{BAR_COLOUR}\"/>", x + slot * 0.15, base - h, slot * 0.7));
        s.push_str(&format!(
            "<text transform=\"translate({:.1} {:.1}) rotate(-90)\" class=\"chart-value\">{}</text>",
            cx + 5.0,
            base - h - 6.0,
            esc(&b.shown)
        ));
        let (year, month) = b.label.split_once('-').unwrap_or((&b.label, ""));
        s.push_str(&format!("<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"chart-label\">{}</text>", base + LINE_H, month_name(month)));
        if i == 0 || month == "01" {
            s.push_str(&format!("<text x=\"{:.1}\" y=\"{:.1}\" class=\"chart-label\">{}</text>", x + 2.0, base + 2.0 * LINE_H, esc(year)));
        }
    }
    s.push_str(&format!("<line x1=\"{MARGIN}\" y1=\"{base}\" x2=\"{:.1}\" y2=\"{base}\" stroke=\"#0b0c0c\"/>", width - MARGIN));
    s.push_str("</svg>");
    s
}

/// One row of an interval chart: an estimate with its 95% interval (all `None` when withheld
/// or not applicable), and the text shown for it.
pub struct Interval {
    pub label: String,
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub shown: String,
}

/// Reference line colour: GOV.UK red, above WCAG's 3:1 for graphics on white.
const REFERENCE_COLOUR: &str = "#d4351c";
const WHISKER_H: f64 = 14.0;

/// A dot-and-whisker chart: each row's label and figures on the line above it, its estimate a
/// dot on a line from its lower to its upper limit, and an optional reference value (for
/// example the national rate) as a dashed line through every row's whisker, named on the
/// chart's first line (so neither crosses a label).
pub fn interval_chart(id: &str, title: &str, summary: &str, rows: &[Interval], reference: Option<(f64, &str)>) -> String {
    let max = rows.iter().filter_map(|r| r.upper.or(r.value)).chain(reference.map(|r| r.0)).fold(0.0_f64, f64::max);
    let plot_w = WIDTH - 2.0 * MARGIN;
    let x = |v: f64| MARGIN + if max > 0.0 { v / max * plot_w } else { 0.0 };
    let labels: Vec<Vec<String>> = rows.iter().map(|r| wrap(&format!("{}: {}", r.label, r.shown), LABEL_CHARS)).collect();
    let key: Vec<String> = reference.map_or_else(Vec::new, |(_, name)| wrap(&format!("Dashed line: {name}"), LABEL_CHARS));
    let top = key.len() as f64 * LINE_H;
    let height = top + labels.iter().map(|l| l.len() as f64 * LINE_H + WHISKER_H + GAP).sum::<f64>() + GAP / 2.0;
    let mut s = open_svg(id, title, summary, WIDTH, height, "");
    for (i, line) in key.iter().enumerate() {
        s.push_str(&format!("<text x=\"0\" y=\"{:.1}\" class=\"chart-label\">{}</text>", (i + 1) as f64 * LINE_H - 4.0, esc(line)));
    }
    let mut y = top + GAP / 2.0;
    for (r, lines) in rows.iter().zip(&labels) {
        for line in lines {
            y += LINE_H;
            s.push_str(&format!("<text x=\"0\" y=\"{:.1}\" class=\"chart-label\">{}</text>", y - 4.0, esc(line)));
        }
        let mid = y + WHISKER_H / 2.0;
        if let Some((v, _)) = reference {
            s.push_str(&format!("<line x1=\"{rx:.1}\" y1=\"{y:.1}\" x2=\"{rx:.1}\" y2=\"{:.1}\" stroke=\"{REFERENCE_COLOUR}\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/>", y + WHISKER_H, rx = x(v)));
        }
        if let (Some(lo), Some(hi)) = (r.lower, r.upper) {
            s.push_str(&format!("<line x1=\"{:.1}\" y1=\"{mid:.1}\" x2=\"{:.1}\" y2=\"{mid:.1}\" stroke=\"{BAR_COLOUR}\" stroke-width=\"3\"/>", x(lo), x(hi)));
        }
        if let Some(v) = r.value {
            s.push_str(&format!("<circle cx=\"{:.1}\" cy=\"{mid:.1}\" r=\"5\" fill=\"{BAR_COLOUR}\"/>", x(v)));
        }
        y += WHISKER_H + GAP;
    }
    s.push_str("</svg>");
    s
}

fn month_name(mm: &str) -> &'static str {
    const NAMES: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    mm.parse::<usize>().ok().and_then(|m| NAMES.get(m.wrapping_sub(1))).copied().unwrap_or("")
}

/// A label as lines of at most `n` characters, broken between words (a word longer than a
/// line gets a line of its own).
pub(crate) fn wrap(text: &str, n: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= n => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_withheld_bars_are_empty() {
        let bars = vec![
            Bar { label: "A".into(), value: Some(50.0), shown: "50".into() },
            Bar { label: "B".into(), value: Some(25.0), shown: "25".into() },
            Bar { label: "C <x>".into(), value: None, shown: "[c]".into() },
        ];
        let svg = bar_chart("c1", "Title", "Summary", &bars);
        let plot = WIDTH - VALUE_W;
        assert!(svg.contains(&format!("width=\"{plot:.1}\"")), "{svg}");
        assert!(svg.contains(&format!("width=\"{:.1}\"", plot / 2.0)));
        assert!(svg.contains("width=\"0.0\""));
        assert!(svg.contains("C &lt;x&gt;") && svg.contains(">[c]<"));
        assert!(svg.contains("aria-labelledby=\"c1-t c1-d\"") && svg.contains("<title id=\"c1-t\">Title</title>"));
    }

    #[test]
    fn intervals_are_dots_on_whiskers_against_a_reference_line() {
        let row = |label: &str, v: Option<(f64, f64, f64)>, shown: &str| Interval { label: label.into(), value: v.map(|x| x.0), lower: v.map(|x| x.1), upper: v.map(|x| x.2), shown: shown.into() };
        let rows = [row("A", Some((10.0, 5.0, 20.0)), "10.0 (5.0 to 20.0)"), row("B", None, "[c]")];
        let svg = interval_chart("i", "T", "S", &rows, Some((10.0, "England and Wales: 10.0")));
        assert_eq!(svg.matches("<circle").count(), 1, "no dot for a withheld rate");
        let plot = WIDTH - 2.0 * MARGIN;
        // The whisker spans 5 to 20 of a scale whose top is 20; the dot and the line sit at 10.
        assert!(svg.contains(&format!("x1=\"{:.1}\"", MARGIN + plot / 4.0)) && svg.contains(&format!("x2=\"{:.1}\"", MARGIN + plot)), "{svg}");
        assert!(svg.contains(&format!("cx=\"{:.1}\"", MARGIN + plot / 2.0)) && svg.contains("stroke-dasharray"));
        assert!(svg.contains("A: 10.0 (5.0 to 20.0)") && svg.contains("B: [c]") && svg.contains("Dashed line: England and Wales: 10.0"));
        // The reference line is drawn beside each whisker, never across a label.
        assert_eq!(svg.matches("stroke-dasharray").count(), 2);
    }

    #[test]
    fn long_labels_wrap_instead_of_being_cut() {
        let label = "Other group-based abuse (not familial, CSE, institutional or ritualistic) and more words";
        let lines = wrap(label, LABEL_CHARS);
        assert!(lines.len() == 2 && lines.iter().all(|l| l.chars().count() <= LABEL_CHARS), "{lines:?}");
        assert_eq!(lines.join(" "), label);
        let svg = bar_chart("c2", "T", "S", &[Bar { label: label.into(), value: Some(1.0), shown: "1".into() }]);
        assert!(!svg.contains('…'));
    }

    #[test]
    fn months_are_columns_with_names_and_years() {
        let bars: Vec<Bar> = (1..=12).map(|m| Bar { label: format!("2023-{m:02}"), value: Some(f64::from(m)), shown: m.to_string() }).collect();
        let svg = column_chart("m", "T", "S", &bars);
        assert_eq!(svg.matches("<rect").count(), 12);
        assert!(svg.contains(">Jan<") && svg.contains(">Dec<") && svg.contains(">2023<"));
        assert!(!svg.contains("style="), "a year fits the canvas");
        let long: Vec<Bar> = (0..60).map(|i| Bar { label: format!("{}-{:02}", 2019 + i / 12, i % 12 + 1), value: Some(1.0), shown: "1".into() }).collect();
        assert!(column_chart("m", "T", "S", &long).contains("max-width:none"), "five years scroll sideways");
    }
}
