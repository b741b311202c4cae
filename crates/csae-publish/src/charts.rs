//! Inline SVG charts for `report.html`: horizontal bar charts with a title and a text
//! alternative, every bar labelled with its number (so no reader has to estimate a bar's
//! length), sized by a viewBox so they scale to a phone and print sharply.

use crate::html::esc;

/// One bar: its label, its value (None when withheld or not applicable) and the text shown
/// beside it (the number, a percentage, or a GSS symbol).
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub shown: String,
}

const WIDTH: f64 = 640.0;
const LABEL_W: f64 = 210.0;
const VALUE_W: f64 = 90.0;
const BAR_H: f64 = 22.0;
const GAP: f64 = 8.0;
/// GOV.UK blue: contrast 5.2:1 on white, so bars meet WCAG's 3:1 for graphics.
const BAR_COLOUR: &str = "#1d70b8";

/// A horizontal bar chart. `id` must be unique in the page (it names the title and
/// description that screen readers announce).
pub fn bar_chart(id: &str, title: &str, summary: &str, bars: &[Bar]) -> String {
    let max = bars.iter().filter_map(|b| b.value).fold(0.0_f64, f64::max);
    let height = bars.len() as f64 * (BAR_H + GAP) + GAP;
    let plot_w = WIDTH - LABEL_W - VALUE_W;
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        esc(title),
        esc(summary)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = GAP + i as f64 * (BAR_H + GAP);
        let w = match b.value {
            Some(v) if max > 0.0 => (v / max * plot_w).max(if v > 0.0 { 1.0 } else { 0.0 }),
            _ => 0.0,
        };
        let ty = y + BAR_H * 0.72;
        s.push_str(&format!(
            "<text x=\"{lx}\" y=\"{ty:.1}\" text-anchor=\"end\" class=\"chart-label\">{label}</text>\
             <rect x=\"{LABEL_W}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{BAR_H}\" fill=\"{BAR_COLOUR}\"/>\
             <text x=\"{vx:.1}\" y=\"{ty:.1}\" class=\"chart-value\">{shown}</text>",
            lx = LABEL_W - 8.0,
            label = esc(&truncate(&b.label, 30)),
            vx = LABEL_W + w + 6.0,
            shown = esc(&b.shown),
        ));
    }
    s.push_str("</svg>");
    s
}

/// Long labels are shortened in the chart only; the table beside it has them in full.
fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n - 1).collect::<String>()) }
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
        let plot = WIDTH - LABEL_W - VALUE_W;
        assert!(svg.contains(&format!("width=\"{plot:.1}\"")), "{svg}");
        assert!(svg.contains(&format!("width=\"{:.1}\"", plot / 2.0)));
        assert!(svg.contains("width=\"0.0\""));
        assert!(svg.contains("C &lt;x&gt;") && svg.contains(">[c]<"));
        assert!(svg.contains("aria-labelledby=\"c1-t c1-d\"") && svg.contains("<title id=\"c1-t\">Title</title>"));
    }
}
