//! `report.html`: one self-contained page (inline CSS and SVG, no scripts, fonts, images or
//! links outside the page), written like a statistical bulletin: key findings in words with
//! their numbers first, then a section per theme with charts (their numbers beside the bars)
//! and the tables in full, then data quality and the methodology, whose definitions are the
//! ones the analysis ran. Accessible by construction: `lang`, headings in order, a skip link,
//! captions and header cells on every table, titled charts with text alternatives, colours
//! above WCAG contrast, and a print style.

use csae_analysis::{Kind, Table};
use serde_json::Value;

use crate::charts::{Bar, Interval, bar_chart, column_chart, interval_chart};
use crate::numbers::{share_text, thousands};
use crate::{Context, Mode};

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The sections of the report, in order: (anchor, heading).
pub const SECTIONS: [(&str, &str); 14] = [
    ("findings", "Key findings"),
    ("change", "Change over time"),
    ("scale", "Scale"),
    ("nature", "Nature of the offending"),
    ("victims", "Victims"),
    ("suspects", "Suspects"),
    ("relationships", "Relationships"),
    ("networks", "Networks of linked crimes"),
    ("forces", "Forces and regions"),
    ("context", "In context"),
    ("quality", "Data quality"),
    ("revisions", "Revisions"),
    ("methodology", "Methodology"),
    ("about", "About these statistics"),
];

/// The whole page.
pub fn report(headline: &Value, tables: &[Table], ctx: &Context) -> String {
    let r = Report { h: headline, tables, ctx };
    let title = ctx.title();
    let mut body = String::new();
    if ctx.synthetic {
        body.push_str(&format!(
            "<div class=\"synthetic\" role=\"note\"><strong>{}</strong> This report was built from synthetic data made by csae synth, for demonstration and testing. None of its figures describe real crimes.</div>\n",
            crate::SYNTHETIC
        ));
    }
    body.push_str(&format!("<h1>{}</h1>\n", esc(&title)));
    body.push_str(&format!(
        "<p class=\"lede\">A national snapshot of the scale and nature of group-based child sexual abuse and exploitation (CSAE) \
         recorded by the 44 police forces of England and Wales: crimes with {} or more suspects.</p>\n",
        ctx.min_suspects
    ));
    body.push_str(&r.release_summary());
    if ctx.mode == Mode::Internal {
        body.push_str("<div class=\"warning\" role=\"note\"><strong>Internal figures.</strong> Exact counts for national analysts. Not for publication.</div>\n");
    }
    body.push_str(&r.things_to_know());
    body.push_str("<nav aria-labelledby=\"contents-h\"><h2 id=\"contents-h\">Contents</h2><ol>");
    for (id, heading) in SECTIONS {
        body.push_str(&format!("<li><a href=\"#{id}\">{heading}</a></li>"));
    }
    body.push_str("</ol></nav>\n");
    body.push_str(&r.findings());
    body.push_str(&r.change());
    body.push_str(&r.scale());
    body.push_str(&r.nature());
    body.push_str(&r.victims());
    body.push_str(&r.suspects());
    body.push_str(&r.relationships());
    body.push_str(&r.networks());
    body.push_str(&r.forces());
    body.push_str(&r.in_context());
    body.push_str(&r.quality());
    body.push_str(&r.revisions());
    body.push_str(&r.methodology());
    body.push_str(&r.about());
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">Skip to main content</a>\n\
         <header class=\"marking\"><p>{marking}</p></header>\n<main id=\"main\">\n{body}</main>\n\
         <footer class=\"marking\"><p>{marking}</p><p>csae: national collection of police-recorded child sexual abuse and exploitation. Every figure in this page is in tables.xlsx and tables/, or in headline.json.</p></footer>\n</body>\n</html>\n",
        title = esc(&title),
        marking = esc(&ctx.marking()),
    )
}

const CSS: &str = "\
:root{--text:#0b0c0c;--muted:#505a5f;--blue:#1d70b8;--line:#b1b4b6;--bg:#f3f2f1}\
*{box-sizing:border-box}\
body{margin:0;font-family:Arial,Helvetica,sans-serif;font-size:19px;line-height:1.4;color:var(--text);background:#fff}\
main{max-width:960px;margin:0 auto;padding:0 16px 32px}\
h1{font-size:2rem;line-height:1.15;margin:24px 0 16px}\
h2{font-size:1.5rem;margin:40px 0 12px;padding-top:8px;border-top:2px solid var(--line)}\
h3{font-size:1.15rem;margin:24px 0 8px}\
a{color:var(--blue)}a:focus{outline:3px solid #fd0;background:#fd0;color:var(--text)}\
.skip{position:absolute;left:-9999px}.skip:focus{position:static;display:block;padding:8px}\
.marking{background:var(--text);color:#fff;text-align:center;font-weight:bold;letter-spacing:.05em;padding:4px 8px;margin:0}\
.marking p{margin:4px 0}\
.lede{font-size:1.2rem}\
.warning{border-left:8px solid #d4351c;padding:8px 16px;background:var(--bg);margin:16px 0}\
.synthetic{border:5px solid #d4351c;padding:12px 16px;margin:16px 0;font-size:1.1rem}\
.release{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:16px 0;padding:12px 16px;background:var(--bg)}.release dt{font-weight:bold;margin:0}.release dd{margin:0}\
.know{border-left:8px solid var(--blue);padding:8px 16px;margin:16px 0}.know h2{border:0;margin-top:8px;padding:0}\
.findings li{margin-bottom:8px}\
figure{margin:16px 0;padding:0;break-inside:avoid}\
figcaption{font-weight:bold;margin-bottom:4px}\
.chart{width:100%;height:auto;max-width:480px;display:block}.chart-wide{max-width:none}\
.chart-label{font-size:14px;fill:var(--text)}.chart-value{font-size:14px;font-weight:bold;fill:var(--text)}\
.chart-scroll{overflow-x:auto}\
.table-wrap{overflow-x:auto;margin:8px 0 24px}\
.table-wrap:focus{outline:3px solid #fd0}\
table{border-collapse:collapse;font-size:16px;min-width:50%}\
.table-caption{font-weight:bold;margin:16px 0 4px}\
th,td{border-bottom:1px solid var(--line);padding:6px 10px 6px 0;text-align:left;vertical-align:top}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
tr.total th,tr.total td{font-weight:bold}\
dl dt{font-weight:bold;margin-top:12px}dl dd{margin:4px 0 0 0}\
.note{color:var(--muted);font-size:16px}\
@media (max-width:640px){body{font-size:16px}h1{font-size:1.5rem}table{font-size:14px}}\
@media print{nav,.skip{display:none}body{font-size:11pt}h2{break-after:avoid}.table-wrap{overflow:visible}.marking{background:none;color:#000;border:1px solid #000}}";

struct Report<'a> {
    h: &'a Value,
    tables: &'a [Table],
    ctx: &'a Context,
}

impl Report<'_> {
    fn table(&self, prefix: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id.starts_with(prefix) && !t.id.ends_with("_pct"))
    }

    fn value(&self, path: &[&str]) -> Option<&Value> {
        path.iter().fold(Some(self.h), |v, k| v.and_then(|v| v.get(*k)))
    }

    fn count(&self, path: &[&str]) -> Option<u64> {
        self.value(path).and_then(Value::as_u64)
    }

    fn share(&self, path: &[&str]) -> Option<f64> {
        self.value(path).and_then(Value::as_f64)
    }

    /// A count in words: the number, or that it is withheld.
    fn n(&self, path: &[&str]) -> String {
        self.count(path).map_or_else(|| "[withheld]".to_string(), thousands)
    }

    /// A share in words (see [`share_text`]).
    fn pct(&self, path: &[&str]) -> String {
        share_text(self.share(path), self.ctx.mode)
    }

    fn section(&self, id: &str, body: String) -> String {
        let heading = SECTIONS.iter().find(|(s, _)| *s == id).map_or(id, |(_, h)| h);
        format!("<section id=\"{id}\" aria-labelledby=\"{id}-h\">\n<h2 id=\"{id}-h\">{heading}</h2>\n{body}</section>\n")
    }

    /// Release date, next release, status and contact, under the title as bulletins give them.
    fn release_summary(&self) -> String {
        let items: String = self.ctx.release.items(self.ctx.returns).into_iter().take(4).map(|(h, t)| format!("<dt>{}</dt><dd>{}</dd>", esc(h), esc(&t))).collect();
        format!("<dl class=\"release\">{items}</dl>\n")
    }

    fn things_to_know(&self) -> String {
        let items: String = self.ctx.things_to_know().iter().map(|t| format!("<li>{}</li>", esc(t))).collect();
        format!("<div class=\"know\" role=\"note\" aria-labelledby=\"know-h\"><h2 id=\"know-h\">Things you need to know</h2><ul>{items}</ul></div>\n")
    }

    /// At most five findings, each with its number and, where a figure needs one, its caveat
    /// in the same sentence.
    pub(crate) fn finding_sentences(&self) -> Vec<String> {
        vec![
            format!(
                "The police recorded {} child sexual abuse and exploitation crimes from {} to {}; {} of them ({}) were group-based, with {} or more suspects.",
                self.n(&["csae_crimes"]), self.ctx.from, self.ctx.to, self.n(&["group_based_crimes"]), self.pct(&["group_based_share"]), self.ctx.min_suspects
            ),
            format!(
                "Familial abuse accounted for {} of group-based crimes and child sexual exploitation for {}; {} were non-recent, meaning {}.",
                self.pct(&["familial_share"]),
                self.pct(&["cse_share"]),
                self.pct(&["non_recent_share"]),
                csae_analysis::plain::NON_RECENT_WHEN
            ),
            format!(
                "Group-based crimes had {} suspect records, which were {} distinct identified suspects (a record is one person in one crime, and suspects not identified are not counted as people); of the suspect records with a known age, {} were of children aged 10 to 17.",
                self.n(&["suspect_records"]), self.n(&["distinct_identified_suspects"]), self.pct(&["suspects_aged_10_17_share_of_known"])
            ),
            format!(
                "Of the {} of suspect records with ethnicity recorded, {} were White, {} Asian, {} Black and {} Mixed; with most records lacking ethnicity, these shares may not reflect all suspects.",
                self.pct(&["suspect_ethnicity_recorded_share"]),
                self.pct(&["suspect_ethnicity_of_recorded", "WHITE"]),
                self.pct(&["suspect_ethnicity_of_recorded", "ASIAN"]),
                self.pct(&["suspect_ethnicity_of_recorded", "BLACK"]),
                self.pct(&["suspect_ethnicity_of_recorded", "MIXED"])
            ),
            format!(
                "Linking crimes through shared identified people and police operations gives {} networks of two or more crimes, {} of them with more than one identified offender; {} crimes with a single suspect belong to such networks, so group offending is wider than group-based crimes alone.",
                self.n(&["networks", "count"]), self.n(&["networks", "multi_offender"]), self.n(&["networks", "single_suspect_crimes_in_multi_offender_networks"])
            ),
        ]
    }

    fn findings(&self) -> String {
        let list: String = self.finding_sentences().iter().map(|s| format!("<li>{}</li>", esc(s))).collect();
        let withheld = if self.ctx.mode == Mode::Public { "<p class=\"note\">Figures shown as [withheld] or [c] are withheld to protect confidentiality (see the methodology).</p>" } else { "" };
        self.section("findings", format!("<ul class=\"findings\">{list}</ul>{withheld}\n"))
    }

    /// The series: each key figure across the years, the change on the year before in words,
    /// the forces that changed most, and the notes on years not comparable.
    fn change(&self) -> String {
        let (Some(year), Some(s01)) = (self.ctx.series_year, self.table("S01")) else {
            return self.section("change", "<p>This report's period is not one calendar year, so it has no series across years: report a calendar year (for example --period 2023-01-01..2023-12-31) for one.</p>\n".into());
        };
        let mut s = String::new();
        let gb = self.n(&["group_based_crimes"]);
        let sentence = match (self.count(&["change", "group_based_previous"]), self.value(&["change", "previous_year"]).and_then(Value::as_i64)) {
            (_, None) => format!("<p>{gb} group-based crimes were recorded in {year}. The dataset has no figures for {} to compare with.</p>\n", year - 1),
            (Some(prev), Some(py)) => format!("<p>{gb} group-based crimes were recorded in {year}, {} {py} ({} in {py}).</p>\n", change_words(self.share(&["change", "group_based_change_share"]), prev), thousands(prev)),
            (None, Some(py)) => format!("<p>{gb} group-based crimes were recorded in {year}; the figure for {py} is withheld, so the change is not given.</p>\n"),
        };
        s.push_str(&sentence);
        let notes: String = self.ctx.series_notes.iter().map(|n| format!("<li>{}</li>", esc(n))).collect();
        if !notes.is_empty() {
            s.push_str(&format!("<ul class=\"note\" role=\"note\">{notes}</ul>\n"));
        }
        let years = s01.rows.len() - 1;
        for (col, id, title, what) in [("GROUP_BASED", "change-gb", "Group-based crimes by year recorded", "Group-based CSAE crimes recorded in each year."), ("Total", "change-csae", "CSAE crimes by year recorded", "CSAE crimes recorded in each year.")] {
            let c = s01.cols.iter().position(|(x, _)| x == col).unwrap_or(0);
            let bars: Vec<Bar> = (0..years).map(|r| self.bar(s01, r, c, &s01.rows[r].0)).collect();
            s.push_str(&format!("<figure>\n<figcaption id=\"{id}-c\">{title}</figcaption>\n<div class=\"chart-scroll\">{}</div>\n</figure>\n", column_chart(id, title, &format!("{what} {}.", values_text(&bars)), &bars)));
        }
        if let Some(s06) = self.table("S06") {
            let c = s06.cols.iter().position(|(x, _)| x == "REPEAT").unwrap_or(0);
            let bars: Vec<Bar> = (0..s06.rows.len() - 1).map(|r| self.bar(s06, r, c, &s06.rows[r].0)).collect();
            let (id, title) = ("change-repeat", "Suspects seen as a suspect in an earlier year");
            s.push_str(&format!("<p>{} of the {} distinct identified suspects of {year}'s group-based crimes had been a suspect in a CSAE crime of an earlier year of the dataset.</p>\n", self.n(&["repeat_suspects", "repeat"]), self.n(&["repeat_suspects", "distinct_identified_suspects"])));
            s.push_str(&format!("<figure>\n<figcaption id=\"{id}-c\">{title}</figcaption>\n<div class=\"chart-scroll\">{}</div>\n</figure>\n", column_chart(id, title, &format!("Distinct identified suspects of each year's group-based crimes seen in an earlier year. {}.", values_text(&bars)), &bars)));
        }
        if let Some(c01) = self.table("C01") {
            s.push_str(&self.largest_changes(c01));
        }
        s.push_str(&self.table_html(s01));
        for id in ["C01", "S02", "S03", "S04", "S05", "S06"] {
            if let Some(t) = self.table(id) {
                s.push_str(&self.table_html(t));
            }
        }
        self.section("change", s)
    }

    /// The forces with the largest published changes, up and down, in words.
    fn largest_changes(&self, c01: &Table) -> String {
        let shown = |r: usize, c: usize| (!crate::csv_tables::is_suppressed(c01, r, c)).then(|| c01.values[r][c]).flatten();
        let mut moves: Vec<(usize, f64)> = (0..c01.rows.len()).filter(|&r| c01.rows[r].0 != "ENGLAND_AND_WALES").filter_map(|r| shown(r, 2).map(|ch| (r, ch))).filter(|(_, ch)| *ch != 0.0).collect();
        if moves.is_empty() {
            return "<p>No force's change can be shown.</p>\n".into();
        }
        moves.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        let items: String = moves
            .iter()
            .take(5)
            .map(|&(r, ch)| {
                let prev = shown(r, 0).unwrap_or(0.0) as u64;
                let pct = shown(r, 3);
                let words = match pct {
                    Some(p) => format!("{} {} ({}%)", if ch > 0.0 { "up" } else { "down" }, thousands(ch.abs() as u64), p.abs()),
                    None => format!("{} {}", if ch > 0.0 { "up" } else { "down" }, thousands(ch.abs() as u64)),
                };
                format!("<li>{}: {words}, from {} to {}</li>", esc(&c01.rows[r].1), thousands(prev), thousands(shown(r, 1).unwrap_or(0.0) as u64))
            })
            .collect();
        format!("<h3>Forces with the largest changes</h3>\n<p>Forces whose group-based crimes changed most since the year before (withheld changes are left out):</p>\n<ul>{items}</ul>\n")
    }

    /// The figures that changed since a previous publication (`--previous`).
    fn revisions(&self) -> String {
        let Some(forces) = &self.ctx.revised_forces else {
            return self.section("revisions", "<p>No previous publication was compared with this one.</p>\n".into());
        };
        let mut s = if forces.is_empty() {
            "<p>No force's data changed since the previous publication.</p>\n".to_string()
        } else {
            format!("<p>Data changed since the previous publication for: {}.</p>\n", esc(&forces.join("; ")))
        };
        match self.table("V01") {
            Some(v01) => s.push_str(&self.table_html(v01)),
            None => s.push_str("<p>No published figure changed.</p>\n"),
        }
        self.section("revisions", s)
    }

    fn scale(&self) -> String {
        let mut s = format!(
            "<p>{} crimes recorded in the period were child sexual abuse and exploitation crimes; {} further crimes in the returns were out of scope (counted by force in the data-quality table). {} forces sent data for the period.</p>\n",
            self.n(&["csae_crimes"]), self.n(&["out_of_scope_crimes"]), self.n(&["forces_with_data"])
        );
        if let Some(t) = self.table("T12") {
            s.push_str(&self.month_chart(t));
            s.push_str(&self.table_html(t));
        }
        self.section("scale", s)
    }

    fn nature(&self) -> String {
        let mut s = String::from("<p>Every group-based crime has one category: the one the force recorded, or where none was recorded one derived from the data (see the methodology).</p>\n");
        if let Some(t) = self.table("T03") {
            s.push_str("<h3>Categories</h3>\n");
            s.push_str(&self.chart_of(t, Axis::TotalRow, "nature-category", "Group-based crimes by category", "Number of group-based crimes in each category."));
            s.push_str(&format!("<p>{} categories were recorded by forces and {} derived from the data.</p>\n", self.n(&["category_source", "recorded"]), self.n(&["category_source", "derived"])));
            if let Some(src) = self.table("T17") {
                s.push_str(&self.table_html(src));
            }
            s.push_str("<h3>Offence groups</h3>\n");
            s.push_str(&self.chart_of(t, Axis::TotalColumn, "nature-offence", "Group-based crimes by offence group", "Number of group-based crimes in each offence group."));
            s.push_str(&self.table_html(t));
        }
        s.push_str(&self.themes(
            &[
                ("T04", "Locations", "nature-location", "Group-based crimes by location"),
                ("T14", "Online offending", "nature-online", "Group-based crimes by online flag"),
                ("T05", "Number of suspects", "nature-size", "Group-based crimes by number of suspects"),
            ],
            "all categories",
        ));
        if let Some(t) = self.table("T13") {
            s.push_str("<h3>Recency</h3>\n");
            s.push_str(&format!("<p>A crime is non-recent when {}. {} of group-based crimes were non-recent.</p>\n", csae_analysis::plain::NON_RECENT_WHEN, cap(&self.pct(&["non_recent_share"]))));
            s.push_str(&self.chart_of(t, Axis::TotalColumn, "nature-recency", "Group-based crimes by recency", "Group-based crimes by recency, all categories."));
            s.push_str(&self.table_html(t));
        }
        self.section("nature", s)
    }

    fn victims(&self) -> String {
        let mut s = format!(
            "<p>{} victim records in group-based crimes ({}), which were {} distinct identified victims. Of the records with a known sex, {} were female.</p>\n",
            self.n(&["victim_records"]), csae_analysis::plain::RECORDS_NOT_PEOPLE, self.n(&["distinct_identified_victims"]), self.pct(&["victims_female_share_of_known"])
        );
        s.push_str(&self.themes(
            &[("T06", "Age and sex", "victims-age", "Victim records by age at the offence"), ("T09", "Ethnicity", "victims-ethnicity", "Victim records by ethnicity")],
            "all group-based crimes",
        ));
        self.section("victims", s)
    }

    fn suspects(&self) -> String {
        let mut s = format!(
            "<p>{} suspect records in group-based crimes ({}), which were {} distinct identified suspects; suspects the police have not identified have records but are not counted as people. Age was known for {} records; of those, {} were aged 10 to 17. Ethnicity was recorded for {} of suspect records and nationality known for {}.</p>\n",
            self.n(&["suspect_records"]), csae_analysis::plain::RECORDS_NOT_PEOPLE, self.n(&["distinct_identified_suspects"]), self.n(&["suspect_records_age_known"]),
            self.pct(&["suspects_aged_10_17_share_of_known"]), self.pct(&["suspect_ethnicity_recorded_share"]), self.pct(&["suspect_nationality_known_share"])
        );
        if let Some(t) = self.table("T18") {
            s.push_str(&self.table_html(t));
        }
        s.push_str(&self.themes(
            &[
                ("T07", "Age and sex", "suspects-age", "Suspect records by age at the offence"),
                ("T08", "Ethnicity", "suspects-ethnicity", "Suspect records by ethnicity"),
                ("T10", "Nationality", "suspects-nationality", "Suspect records by nationality"),
            ],
            "all group-based crimes",
        ));
        self.section("suspects", s)
    }

    fn relationships(&self) -> String {
        let mut s = String::from("<p>What each suspect is to each victim, as recorded by the force, for group-based crimes.</p>\n");
        if let Some(t) = self.table("T11") {
            s.push_str(&self.chart_of(t, Axis::TotalColumn, "relationships-chart", "Relationship records by relationship", "Relationship records by what the suspect is to the victim."));
            s.push_str(&self.table_html(t));
        }
        self.section("relationships", s)
    }

    fn networks(&self) -> String {
        let mut s = format!(
            "<p>Crimes are linked when they share an identified person (the same force person reference, or the same Police National Computer identifier across forces) \
             or an operation within a force; linked crimes form a network. There are {} networks of two or more CSAE crimes: {} with more than one identified offender and {} spanning two or more forces. \
             The largest network links {} crimes. {} crimes with a single suspect belong to networks with more than one identified offender, so group offending is wider than group-based crimes alone. \
             Unidentified suspects never link crimes, so these are lower bounds.</p>\n",
            self.n(&["networks", "count"]), self.n(&["networks", "multi_offender"]), self.n(&["networks", "multi_force"]), self.n(&["networks", "largest_crimes"]),
            cap(&self.n(&["networks", "single_suspect_crimes_in_multi_offender_networks"]))
        );
        if let Some(t) = self.table("T16") {
            s.push_str(&self.table_html(t));
        }
        if let Some(t) = self.table("T15") {
            s.push_str(&self.chart_of(t, Axis::TotalColumn, "networks-size", "Networks by number of crimes", "Number of networks of each size."));
            s.push_str(&self.table_html(t));
        }
        self.section("networks", s)
    }

    fn forces(&self) -> String {
        let mut s = String::new();
        if let Some(t) = self.table("T02") {
            s.push_str(&self.chart_of(t, Axis::Column("GROUP_BASED"), "forces-region", "Group-based crimes by region", "Group-based CSAE crimes recorded in each region."));
            s.push_str(&self.table_html(t));
        }
        if let Some(t) = self.table("T01") {
            s.push_str("<h3>All 44 forces</h3>\n");
            s.push_str(&self.table_html(t));
        }
        self.section("forces", s)
    }

    /// Rates per population with their intervals, by force and region, and the ethnicity of
    /// suspect records against the population's, with its caveats beside it.
    fn in_context(&self) -> String {
        let mut s = String::new();
        let notes = self.ctx.population_notes();
        if let Some(r01) = self.table("R01") {
            let rate = |k: &str| self.share(&["population", k]).map_or_else(|| "[withheld]".to_string(), |x| format!("{x:.1}"));
            s.push_str(&format!(
                "<p>England and Wales recorded {} group-based crimes per 100,000 population (95% interval {} to {}). A rate says whether a force's figure is high for its size;                  forces record and flag crimes differently, so a high rate can reflect recording as well as offending, and an interval that overlaps the national rate is not evidence of a difference.</p>\n",
                rate("group_based_rate_per_100k"), rate("lower"), rate("upper")
            ));
            s.push_str(&format!("<p class=\"note\">{}</p>\n", esc(&notes[0])));
            let national = r01.rows.iter().position(|x| x.0 == csae_analysis::rates::ENGLAND_AND_WALES);
            let reference = national.and_then(|r| self.interval(r01, r, 2).value.map(|v| (v, format!("the rate of England and Wales, {v:.1}"))));
            let forces: Vec<usize> = (0..r01.rows.len()).filter(|&r| csae_model::force(&r01.rows[r].0).is_some_and(|f| f.id == r01.rows[r].0)).collect();
            let regions: Vec<usize> = (0..r01.rows.len()).filter(|r| !forces.contains(r) && Some(*r) != national).collect();
            for (rows, id, title) in [(forces, "context-forces", "Group-based crimes per 100,000 population by force"), (regions, "context-regions", "Group-based crimes per 100,000 population by region")] {
                let mut items: Vec<Interval> = rows.iter().map(|&r| self.interval(r01, r, 2)).collect();
                // Highest rate first; withheld and not applicable last, in their order.
                items.sort_by(|a, b| b.value.is_some().cmp(&a.value.is_some()).then(b.value.unwrap_or(0.0).total_cmp(&a.value.unwrap_or(0.0))));
                let summary = format!("{title}, highest first, each with its 95% interval{}. {}.", reference.as_ref().map_or(String::new(), |r| format!("; the dashed line is {}", r.1)), items.iter().map(|i| format!("{}: {}", i.label, i.shown)).collect::<Vec<_>>().join("; "));
                s.push_str(&format!("<figure>\n<figcaption id=\"{id}-c\">{title}</figcaption>\n{}\n</figure>\n", interval_chart(id, title, &summary, &items, reference.as_ref().map(|r| (r.0, r.1.as_str())))));
            }
            s.push_str(&self.table_html(r01));
        }
        if let Some(r02) = self.table("R02") {
            s.push_str("<h3>Suspects' ethnicity and the population's</h3>\n");
            s.push_str(&format!(
                "<p>Ethnicity was recorded on {} of suspect records in group-based crimes. For each ethnic group, the share of those records is set beside the group's share of the population;                  a ratio above 1 means the group's share of suspect records is larger than its share of the population.</p>\n",
                self.ctx.ethnicity_recorded
            ));
            let caveats = self.ctx.ethnicity_caveats();
            s.push_str(&format!("<ul class=\"note\" role=\"note\">{}</ul>\n", caveats.iter().map(|c| format!("<li>{}</li>", esc(c))).collect::<String>()));
            let items: Vec<Interval> = (0..r02.rows.len()).map(|r| self.interval(r02, r, 5)).collect();
            let (id, title) = ("context-ethnicity", "Ratio of each group's share of suspect records to its share of the population");
            let summary = format!("{title}, each with its 95% interval; the dashed line is a ratio of 1, the same share as the population. {}.", items.iter().map(|i| format!("{}: {}", i.label, i.shown)).collect::<Vec<_>>().join("; "));
            s.push_str(&format!("<figure>\n<figcaption id=\"{id}-c\">{title}</figcaption>\n{}\n</figure>\n", interval_chart(id, title, &summary, &items, Some((1.0, "a ratio of 1, the same share as the population")))));
            s.push_str(&self.table_html(r02));
        }
        if s.is_empty() {
            s.push_str("<p>This publication has no population context.</p>\n");
        }
        self.section("context", s)
    }

    /// The estimate in column `c` of a derived table's row, with its interval in the two
    /// columns after it, as a chart shows it (nothing when withheld or not applicable).
    fn interval(&self, t: &Table, r: usize, c: usize) -> Interval {
        let shown = |c: usize| cell_html(t, r, c, self.ctx.mode);
        let value = |c: usize| (!crate::csv_tables::is_suppressed(t, r, c)).then(|| t.values[r][c]).flatten().map(|x| csae_analysis::headline::round_to(x, t.decimals.get(c).copied().unwrap_or(0)));
        let text = match value(c) {
            Some(_) => format!("{} (95% interval {} to {})", shown(c), shown(c + 1), shown(c + 2)),
            None if t.values[r][c].is_none() => format!("{} (not applicable)", shown(c)),
            None => shown(c),
        };
        let published = value(c).is_some();
        Interval { label: t.rows[r].1.clone(), value: value(c), lower: value(c + 1).filter(|_| published), upper: value(c + 2).filter(|_| published), shown: text }
    }

    fn quality(&self) -> String {
        let mut s = String::from(
            "<p>How complete each force's returns are, and what validation found. Rows that break a rule of the data standard are rejected with the rule's code and returned to the force; \
             they are not in any figure above. Crimes out of scope are the accepted crimes of the period that are not child sexual abuse or exploitation crimes. \
             Low completeness in a force limits what its figures can say.</p>\n",
        );
        for prefix in ["Q01", "Q02"] {
            if let Some(t) = self.tables.iter().find(|t| t.id.starts_with(prefix)) {
                s.push_str(&self.table_html(t));
            }
        }
        self.section("quality", s)
    }

    fn methodology(&self) -> String {
        let mut s = String::from("<h3>Definitions</h3>\n<p>The figures follow these definitions, each computed as one query of the analysis.</p>\n<dl>");
        for e in &self.ctx.glossary {
            s.push_str(&format!("<dt>{}</dt><dd>{}</dd>", esc(&e.term), esc(&e.meaning)));
        }
        s.push_str("</dl>\n<h3>Categories</h3>\n<dl>");
        for e in csae_analysis::plain::categories() {
            s.push_str(&format!("<dt>{}</dt><dd>{}</dd>", esc(&e.term), esc(&cap(&e.meaning))));
        }
        s.push_str("</dl>\n<h3>Offences that can only be committed against a child</h3>\n<p>Every crime of these offences is in scope:</p>\n<ul>");
        for o in csae_analysis::plain::child_offences() {
            s.push_str(&format!("<li>{}</li>", esc(&o)));
        }
        s.push_str("</ul>\n<h3>Options of this publication</h3>\n<ul>");
        s.push_str(&format!("<li>Period: crimes recorded from {} to {}.</li>", self.ctx.from, self.ctx.to));
        s.push_str(&format!("<li>Group-based: {} or more suspects.</li>", self.ctx.min_suspects));
        s.push_str(&format!(
            "<li>Ethnicity: {}.</li>",
            if self.ctx.ethnicity == "officer-fallback" { "self-defined, with the officer-observed group where self-defined ethnicity is not recorded" } else { "self-defined only" }
        ));
        s.push_str("</ul>\n<h3>Disclosure control</h3>\n");
        s.push_str(&match self.ctx.mode {
            Mode::Public => format!(
                "<p>Counts from 1 to {} are withheld and shown [c]. Further cells are withheld so that no withheld cell can be worked out, or narrowed to fewer than {} possible values, from the published cells and the totals; \
                 this is checked exactly for every withheld cell by solving the lowest and highest values consistent with everything published (a linear programme), \
                 with tables that share totals (forces and regions) checked together. A table that failed the check would not be published. Percentages in tables are whole numbers and are withheld when \
                 their count is withheld or their denominator is below {}. Rates, shares and ratios of the population context are withheld with the counts they would reveal, since the population is published. No file of the publication holds a person-level row, a pseudonym or a crime reference.</p>\n",
                self.ctx.min_cell - 1, self.ctx.min_cell, self.ctx.min_cell
            ),
            Mode::Internal => "<p>These are internal figures without disclosure control, for national analysts only.</p>\n".to_string(),
        });
        s.push_str(
            "<h3>What the data can and cannot say</h3>\n<ul>\
             <li>It counts crimes recorded by the police, not all abuse that happens: much child sexual abuse is never reported.</li>\
             <li>Person figures are records: one per person per crime. A suspect in three crimes appears three times; distinct identified people are counted separately.</li>\
             <li>Ethnicity and nationality are recorded for some suspects only; shares of those recorded may not reflect all suspects.</li>\
             <li>Forces record categories, relationships and flags differently; the data quality section shows how complete each force is.</li>\
             <li>Networks depend on persons being identified consistently; unidentified suspects never link crimes, so networks are a lower bound.</li>\
             </ul>\n",
        );
        let population = self.ctx.population_notes();
        s.push_str(&format!(
            "<h3>Rates, shares and their intervals</h3>\n<p>{}</p>\n<dl>\
             <dt>Rate per 100,000 population</dt><dd>r = 100,000 × k / P, where k is the number of crimes and P the population of the force area (or the sum over the forces of a region with a population).</dd>\
             <dt>Exact 95% interval of a rate</dt><dd>The exact Poisson interval of the count k, divided by the population: lower = 100,000 × χ²(0.025; 2k) / (2P), which is 0 when k = 0; upper = 100,000 × χ²(0.975; 2k + 2) / (2P). χ²(p; d) is the p-th quantile of the chi-squared distribution with d degrees of freedom.</dd>\
             <dt>Share of suspect records</dt><dd>p = k / n, where k is the suspect records of one ethnic group and n the suspect records with any ethnicity recorded.</dd>\
             <dt>95% interval of a share</dt><dd>The Wilson score interval with z = 1.96: (p + z²/(2n) ± z √(p(1 − p)/n + z²/(4n²))) / (1 + z²/n).</dd>\
             <dt>Ratio to the population</dt><dd>The share of suspect records divided by the group's share of the population file's total; its interval is the share's interval divided by the same population share, which is treated as exact.</dd>\
             </dl>\n<p>{}</p>\n",
            esc(&population[0]),
            esc(&population[1])
        ));
        s.push_str("<h3>Symbols</h3>\n<dl>");
        for (sym, meaning) in crate::SYMBOLS {
            s.push_str(&format!("<dt>{}</dt><dd>{}</dd>", esc(sym), esc(&cap(meaning))));
        }
        s.push_str("</dl>\n");
        self.section("methodology", s)
    }

    fn about(&self) -> String {
        let items: String = self.ctx.release.items(self.ctx.returns).iter().map(|(h, t)| format!("<dt>{}</dt><dd>{}</dd>", esc(h), esc(t))).collect();
        self.section("about", format!("<dl>{items}</dl>\n"))
    }

    /// A subsection per table: heading, a chart of its Total column, the table in full.
    /// Items: (table id prefix, heading, chart id, chart title); `scope` ends the chart's summary.
    fn themes(&self, items: &[(&str, &str, &str, &str)], scope: &str) -> String {
        let mut s = String::new();
        for &(prefix, h3, id, title) in items {
            if let Some(t) = self.table(prefix) {
                s.push_str(&format!("<h3>{h3}</h3>\n"));
                s.push_str(&self.chart_of(t, Axis::TotalColumn, id, title, &format!("{title}, {scope}.")));
                s.push_str(&self.table_html(t));
            }
        }
        s
    }

    /// The bar of one cell of a table.
    fn bar(&self, t: &Table, r: usize, c: usize, label: &str) -> Bar {
        let withheld = crate::csv_tables::is_suppressed(t, r, c);
        Bar { label: label.to_string(), value: if withheld { None } else { t.values[r][c] }, shown: cell_html(t, r, c, self.ctx.mode) }
    }

    /// A bar chart of one line of a table, in a figure with a caption.
    fn chart_of(&self, t: &Table, axis: Axis, id: &str, title: &str, summary: &str) -> String {
        let (nr, nc) = (t.rows.len(), t.cols.len());
        let has_totals = t.kind == Kind::Count;
        let bars: Vec<Bar> = match axis {
            Axis::TotalColumn | Axis::Column(_) => {
                let c = match axis {
                    Axis::Column(code) => t.cols.iter().position(|(x, _)| x == code).unwrap_or(nc - 1),
                    _ => nc - 1,
                };
                (0..if has_totals { nr - 1 } else { nr }).map(|r| self.bar(t, r, c, &t.rows[r].1)).collect()
            }
            Axis::TotalRow => (0..if has_totals { nc - 1 } else { nc }).map(|c| self.bar(t, nr - 1, c, &t.cols[c].1)).collect(),
        };
        let summary = format!("{summary} {}.", values_text(&bars));
        format!("<figure>\n<figcaption id=\"{id}-c\">{}</figcaption>\n{}\n</figure>\n", esc(title), bar_chart(id, title, &summary, &bars))
    }

    /// The monthly series (T12's group-based column) as a column chart.
    fn month_chart(&self, t: &Table) -> String {
        let c = t.cols.iter().position(|(x, _)| x == "GROUP_BASED").unwrap_or(0);
        let bars: Vec<Bar> = (0..t.rows.len() - 1).map(|r| self.bar(t, r, c, &t.rows[r].0)).collect();
        let (id, title) = ("scale-month", "Group-based crimes by month recorded");
        let summary = format!("Group-based CSAE crimes recorded in each month of the period. {}.", values_text(&bars));
        format!("<figure>\n<figcaption id=\"{id}-c\">{title}</figcaption>\n<div class=\"chart-scroll\">{}</div>\n</figure>\n", column_chart(id, title, &summary, &bars))
    }

    /// A table in full: its caption above the scrolling area, column and row headers (T01 with
    /// each force's region).
    fn table_html(&self, t: &Table) -> String {
        let with_region = t.id.starts_with("T01");
        let mut s = format!(
            "<p class=\"table-caption\" id=\"{id}-cap\">{title} ({unit})</p>\n<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"{id}-cap\" tabindex=\"0\">\n<table id=\"{id}\" aria-labelledby=\"{id}-cap\">\n<thead><tr><th scope=\"col\">{row}</th>",
            id = esc(&t.id),
            title = esc(&t.title),
            unit = esc(&t.unit),
            row = esc(&cap(&t.row_name.replace('_', " "))),
        );
        if with_region {
            s.push_str("<th scope=\"col\">Region</th>");
        }
        for (_, label) in &t.cols {
            s.push_str(&format!("<th scope=\"col\" class=\"n\">{}</th>", esc(label)));
        }
        s.push_str("</tr></thead>\n<tbody>\n");
        for (r, (code, label)) in t.rows.iter().enumerate() {
            let total = code == "Total";
            s.push_str(if total { "<tr class=\"total\">" } else { "<tr>" });
            s.push_str(&format!("<th scope=\"row\">{}</th>", esc(label)));
            if with_region {
                let region = csae_model::force(code).map_or(String::new(), |f| f.region.clone());
                s.push_str(&format!("<td>{}</td>", esc(&region)));
            }
            for c in 0..t.cols.len() {
                s.push_str(&format!("<td class=\"n\">{}</td>", esc(&cell_html(t, r, c, self.ctx.mode))));
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody>\n</table>\n</div>\n");
        s
    }
}

/// The key findings of a publication as sentences (for tests and the page).
pub fn findings(headline: &Value, tables: &[Table], ctx: &Context) -> Vec<String> {
    Report { h: headline, tables, ctx }.finding_sentences()
}

enum Axis {
    /// The Total column, one bar per row.
    TotalColumn,
    /// The Total row, one bar per column.
    TotalRow,
    /// One named column, one bar per row.
    Column(&'static str),
}

/// Every bar's label and value, for a chart's text alternative.
fn values_text(bars: &[Bar]) -> String {
    bars.iter().map(|b| format!("{}: {}", b.label, b.shown)).collect::<Vec<_>>().join("; ")
}

/// A change in words: "up 6% on", "down 12% on", "the same as"; without a share (the year
/// before had none), "up from none in".
fn change_words(share: Option<f64>, previous: u64) -> String {
    match share {
        Some(x) if (x * 100.0).round() == 0.0 => "about the same as".into(),
        Some(x) => format!("{} {}% on", if x > 0.0 { "up" } else { "down" }, (x.abs() * 100.0).round()),
        None if previous == 0 => "up from none in".into(),
        None => "a change on".into(),
    }
}

/// Text with its first letter a capital.
pub fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// A published cell for a page: counts with thousands separators, the rest as in the CSV.
fn cell_html(t: &Table, r: usize, c: usize, mode: Mode) -> String {
    let count = match t.kind {
        Kind::Count | Kind::Measures | Kind::Summary => true,
        Kind::Derived => t.decimals.get(c) == Some(&0),
        Kind::Percent => false,
    };
    match t.values[r][c] {
        Some(x) if count && !crate::csv_tables::is_suppressed(t, r, c) && x >= 0.0 => thousands(x.round() as u64),
        _ => crate::table_cell(t, r, c, mode),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(esc("<a href=\"x\">O'Neil & co</a>"), "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;");
    }
}
