//! `report.html`: one self-contained page (inline CSS and SVG, no scripts, fonts, images or
//! links outside the page), written like a statistical bulletin: key findings in words with
//! their numbers first, then a section per theme with charts (their numbers beside the bars)
//! and the tables in full, then data quality and the methodology, whose definitions are the
//! ones the analysis ran. Accessible by construction: `lang`, headings in order, a skip link,
//! captions and header cells on every table, titled charts with text alternatives, colours
//! above WCAG contrast, and a print style.

use csae_analysis::{Kind, Table};
use serde_json::Value;

use crate::charts::{Bar, bar_chart};
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
pub const SECTIONS: [(&str, &str); 10] = [
    ("findings", "Key findings"),
    ("scale", "Scale"),
    ("nature", "Nature of the offending"),
    ("victims", "Victims"),
    ("suspects", "Suspects"),
    ("relationships", "Relationships"),
    ("networks", "Networks of linked crimes"),
    ("forces", "Forces and regions"),
    ("quality", "Data quality"),
    ("methodology", "Methodology"),
];

/// The whole page.
pub fn report(headline: &Value, tables: &[Table], ctx: &Context) -> String {
    let r = Report { h: headline, tables, ctx };
    let title = format!("Group-based child sexual abuse and exploitation recorded by the police, England and Wales, {} to {}", ctx.from, ctx.to);
    let mut body = String::new();
    body.push_str(&format!("<h1>{}</h1>\n", esc(&title)));
    body.push_str(&format!(
        "<p class=\"lede\">A national snapshot of the scale and nature of group-based child sexual abuse and exploitation (CSAE) \
         recorded by the 44 police forces of England and Wales: crimes with {} or more suspects. Built {} from the national CSAE data collection.</p>\n",
        ctx.min_suspects, esc(&ctx.built)
    ));
    if ctx.mode == Mode::Internal {
        body.push_str("<div class=\"warning\" role=\"note\"><strong>Internal figures.</strong> Exact counts for national analysts. Not for publication.</div>\n");
    }
    body.push_str("<nav aria-labelledby=\"contents-h\"><h2 id=\"contents-h\">Contents</h2><ol>");
    for (id, heading) in SECTIONS {
        body.push_str(&format!("<li><a href=\"#{id}\">{heading}</a></li>"));
    }
    body.push_str("</ol></nav>\n");
    body.push_str(&r.findings());
    body.push_str(&r.scale());
    body.push_str(&r.nature());
    body.push_str(&r.victims());
    body.push_str(&r.suspects());
    body.push_str(&r.relationships());
    body.push_str(&r.networks());
    body.push_str(&r.forces());
    body.push_str(&r.quality());
    body.push_str(&r.methodology());
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">Skip to main content</a>\n\
         <header class=\"marking\"><p>{marking}</p></header>\n<main id=\"main\">\n{body}</main>\n\
         <footer class=\"marking\"><p>{marking}</p><p>csae: national collection of police-recorded child sexual abuse and exploitation. Every figure in this page is in tables.xlsx and tables/.</p></footer>\n</body>\n</html>\n",
        title = esc(&title),
        marking = ctx.mode.marking(),
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
.findings li{margin-bottom:8px}\
figure{margin:16px 0;padding:0;break-inside:avoid}\
figcaption{font-weight:bold;margin-bottom:4px}\
.chart{width:100%;height:auto;max-width:640px;display:block}\
.chart-label{font-size:13px;fill:var(--text)}.chart-value{font-size:13px;font-weight:bold;fill:var(--text)}\
.table-wrap{overflow-x:auto;margin:8px 0 24px}\
.table-wrap:focus{outline:3px solid #fd0}\
table{border-collapse:collapse;font-size:16px;min-width:50%}\
caption{text-align:left;font-weight:bold;padding:4px 0 8px}\
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

impl Report<'_> {
    fn table(&self, prefix: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id.starts_with(prefix) && !t.id.ends_with("_pct"))
    }

    fn count(&self, path: &[&str]) -> Option<u64> {
        path.iter().fold(Some(self.h), |v, k| v.and_then(|v| v.get(*k))).and_then(Value::as_u64)
    }

    fn share(&self, path: &[&str]) -> Option<f64> {
        path.iter().fold(Some(self.h), |v, k| v.and_then(|v| v.get(*k))).and_then(Value::as_f64)
    }

    /// A count in words: the number, or that it is withheld.
    fn n(&self, path: &[&str]) -> String {
        self.count(path).map_or_else(|| "[withheld]".to_string(), thousands)
    }

    /// A share as a percentage: whole numbers in public mode, one decimal internally.
    fn pct(&self, path: &[&str]) -> String {
        pct_text(self.share(path), self.ctx.mode)
    }

    fn section(&self, id: &str, body: String) -> String {
        let heading = SECTIONS.iter().find(|(s, _)| *s == id).map_or(id, |(_, h)| h);
        format!("<section id=\"{id}\" aria-labelledby=\"{id}-h\">\n<h2 id=\"{id}-h\">{heading}</h2>\n{body}</section>\n")
    }

    fn findings(&self) -> String {
        let mut items = vec![
            format!(
                "The police recorded {} child sexual abuse and exploitation crimes from {} to {}; {} of them ({}) were group-based, with {} or more suspects.",
                self.n(&["csae_crimes"]), self.ctx.from, self.ctx.to, self.n(&["group_based_crimes"]), self.pct(&["group_based_share"]), self.ctx.min_suspects
            ),
        ];
        let cats = self.h.get("group_based_by_category").and_then(Value::as_object);
        if let Some(top) = cats.and_then(|c| c.iter().filter(|(k, _)| k.as_str() != "UNKNOWN").filter_map(|(k, v)| v.as_u64().map(|n| (k, n))).max_by_key(|(_, n)| *n)) {
            let gb = self.count(&["group_based_crimes"]);
            let share = gb.filter(|g| *g > 0).map(|g| top.1 as f64 / g as f64);
            items.push(format!("{} was the largest category of group-based crime: {} crimes, {} of group-based crimes.", category_label(top.0), thousands(top.1), pct_text(share, self.ctx.mode)));
        }
        items.push(format!("Familial abuse accounted for {} of group-based crimes, and child sexual exploitation (CSE) for {}.", self.pct(&["familial_share"]), pct_text(self.category_share("CSE"), self.ctx.mode)));
        items.push(format!("Of suspect records with a known age, {} were of children aged 10 to 17.", self.pct(&["suspects_aged_10_17_share_of_known"])));
        items.push(format!(
            "Suspect ethnicity was recorded for {} of suspect records; of those, {} were White, {} Asian, {} Black and {} Mixed.",
            self.pct(&["suspect_ethnicity_recorded_share"]),
            self.pct(&["suspect_ethnicity_of_recorded", "WHITE"]),
            self.pct(&["suspect_ethnicity_of_recorded", "ASIAN"]),
            self.pct(&["suspect_ethnicity_of_recorded", "BLACK"]),
            self.pct(&["suspect_ethnicity_of_recorded", "MIXED"])
        ));
        items.push(format!("Of victim records with a known sex, {} were female.", self.pct(&["victims_female_share_of_known"])));
        items.push(format!("{} of group-based crimes were flagged as online or cyber-enabled, and {} were reported more than a year after the offence (non-recent).", cap(&self.pct(&["online_share"])), self.pct(&["non_recent_share"])));
        items.push(format!(
            "Linking crimes through shared suspects, victims and operations gives {} networks of two or more crimes; {} involve more than one offender and {} span two or more forces. The largest links {} crimes.",
            self.n(&["networks", "count"]), self.n(&["networks", "multi_offender"]), self.n(&["networks", "multi_force"]), self.n(&["networks", "largest_crimes"])
        ));
        let list: String = items.iter().map(|s| format!("<li>{}</li>", esc(s))).collect();
        let withheld = if self.ctx.mode == Mode::Public { "<p class=\"note\">Figures shown as [withheld] or [c] are withheld to protect confidentiality (see the methodology).</p>" } else { "" };
        self.section("findings", format!("<ul class=\"findings\">{list}</ul>{withheld}\n"))
    }

    fn category_share(&self, cat: &str) -> Option<f64> {
        let n = self.count(&["group_based_by_category", cat])?;
        let g = self.count(&["group_based_crimes"]).filter(|g| *g > 0)?;
        Some(n as f64 / g as f64)
    }

    fn scale(&self) -> String {
        let mut s = format!(
            "<p>{} crimes recorded in the period were child sexual abuse and exploitation offences; {} further crimes in the returns were out of scope. {} forces sent data for the period.</p>\n",
            self.n(&["csae_crimes"]), self.n(&["out_of_scope_crimes"]), self.n(&["forces_with_data"])
        );
        if let Some(t) = self.table("T12") {
            s.push_str(&self.chart_of(t, Axis::Column("GROUP_BASED"), "scale-month", "Group-based crimes by month recorded", "Group-based CSAE crimes recorded in each month of the period."));
            s.push_str(&self.table_html(t));
        }
        self.section("scale", s)
    }

    fn nature(&self) -> String {
        let mut s = String::from("<p>Every group-based crime has one category: the one the force recorded, or where none was recorded one derived from how the suspects and victims are related.</p>\n");
        if let Some(t) = self.table("T03") {
            s.push_str("<h3>Categories</h3>\n");
            s.push_str(&self.chart_of(t, Axis::TotalRow, "nature-category", "Group-based crimes by category", "Number of group-based crimes in each category."));
            s.push_str(&format!("<p>{} categories were recorded by forces and {} derived.</p>\n", self.n(&["category_source", "recorded"]), self.n(&["category_source", "derived"])));
            s.push_str("<h3>Offence groups</h3>\n");
            s.push_str(&self.chart_of(t, Axis::TotalColumn, "nature-offence", "Group-based crimes by offence group", "Number of group-based crimes in each offence group."));
            s.push_str(&self.table_html(t));
        }
        s.push_str(&self.themes(
            &[
                ("T04", "Locations", "nature-location", "Group-based crimes by location"),
                ("T14", "Online offending", "nature-online", "Group-based crimes by online flag"),
                ("T05", "Number of suspects", "nature-size", "Group-based crimes by number of suspects"),
                ("T13", "Recency", "nature-recency", "Group-based crimes by recency of report"),
            ],
            "all categories",
        ));
        self.section("nature", s)
    }

    fn victims(&self) -> String {
        let mut s = format!(
            "<p>{} victim records in group-based crimes (a victim of several crimes is counted once for each). Of those with a known sex, {} were female.</p>\n",
            self.n(&["victim_records"]), self.pct(&["victims_female_share_of_known"])
        );
        s.push_str(&self.themes(
            &[("T06", "Age and sex", "victims-age", "Victim records by age at the offence"), ("T09", "Ethnicity", "victims-ethnicity", "Victim records by ethnicity")],
            "all group-based crimes",
        ));
        self.section("victims", s)
    }

    fn suspects(&self) -> String {
        let mut s = format!(
            "<p>{} suspect records in group-based crimes; age was known for {}. Of those, {} were aged 10 to 17. Ethnicity was recorded for {} and nationality known for {}.</p>\n",
            self.n(&["suspect_records"]), self.n(&["suspect_records_age_known"]), self.pct(&["suspects_aged_10_17_share_of_known"]),
            self.pct(&["suspect_ethnicity_recorded_share"]), self.pct(&["suspect_nationality_known_share"])
        );
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
             or an operation within a force; linked crimes form a network. There are {} networks of two or more CSAE crimes: {} with more than one offender and {} spanning two or more forces. \
             The largest network links {} crimes. {} crimes with a single suspect belong to networks with more than one offender, so group offending is wider than group-based crimes alone.</p>\n",
            self.n(&["networks", "count"]), self.n(&["networks", "multi_offender"]), self.n(&["networks", "multi_force"]), self.n(&["networks", "largest_crimes"]),
            cap(&self.n(&["networks", "single_suspect_crimes_in_multi_offender_networks"]))
        );
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

    fn quality(&self) -> String {
        let mut s = String::from(
            "<p>How complete each force's returns are, and what validation found. Rows that break a rule of the data standard are rejected with the rule's code and returned to the force; \
             they are not in any figure above. Low completeness in a force limits what its figures can say.</p>\n",
        );
        for prefix in ["Q01", "Q02"] {
            if let Some(t) = self.tables.iter().find(|t| t.id.starts_with(prefix)) {
                s.push_str(&self.table_html(t));
            }
        }
        self.section("quality", s)
    }

    fn methodology(&self) -> String {
        let mut s = String::from("<h3>Definitions</h3>\n<p>These are the definitions the figures were computed with (each is one SQL view of the analysis).</p>\n<dl>");
        for (title, meaning) in &self.ctx.definitions {
            s.push_str(&format!("<dt>{}</dt><dd>{}</dd>", esc(title), esc(meaning)));
        }
        s.push_str("</dl>\n<h3>Options of this publication</h3>\n<ul>");
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
                 with tables that share totals (forces and regions) checked together. A table that failed the check would not be published. Percentages are whole numbers and are withheld when \
                 their count is withheld or their denominator is below {}. No file of the publication holds a person-level row, a pseudonym or a crime reference.</p>\n",
                self.ctx.min_cell - 1, self.ctx.min_cell, self.ctx.min_cell
            ),
            Mode::Internal => "<p>These are internal figures without disclosure control, for national analysts only.</p>\n".to_string(),
        });
        s.push_str(
            "<h3>What the data can and cannot say</h3>\n<ul>\
             <li>It counts crimes recorded by the police, not all abuse that happens: much child sexual abuse is never reported.</li>\
             <li>Person figures are records: one per person per crime. A suspect in three crimes appears three times.</li>\
             <li>Ethnicity and nationality are recorded for some suspects only; shares of those recorded may not reflect all suspects.</li>\
             <li>Forces record categories, relationships and flags differently; the data quality section shows how complete each force is.</li>\
             <li>Networks depend on persons being identified consistently; unidentified suspects never link crimes, so networks are a lower bound.</li>\
             </ul>\n<h3>Symbols</h3>\n<dl>",
        );
        for (sym, meaning) in crate::SYMBOLS {
            s.push_str(&format!("<dt>{}</dt><dd>{}</dd>", esc(sym), esc(meaning)));
        }
        s.push_str("</dl>\n");
        self.section("methodology", s)
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

    /// A bar chart of one line of a table, in a figure with a caption.
    fn chart_of(&self, t: &Table, axis: Axis, id: &str, title: &str, summary: &str) -> String {
        let (nr, nc) = (t.rows.len(), t.cols.len());
        let has_totals = t.kind == Kind::Count;
        let cell = |r: usize, c: usize| Bar {
            label: String::new(),
            value: if crate::csv_tables::is_suppressed(t, r, c) { None } else { t.values[r][c] },
            shown: cell_html(t.kind, t.values[r][c], crate::csv_tables::is_suppressed(t, r, c), self.ctx.mode),
        };
        let bars: Vec<Bar> = match axis {
            Axis::TotalColumn | Axis::Column(_) => {
                let c = match axis {
                    Axis::Column(code) => t.cols.iter().position(|(x, _)| x == code).unwrap_or(nc - 1),
                    _ => nc - 1,
                };
                (0..if has_totals { nr - 1 } else { nr }).map(|r| Bar { label: t.rows[r].1.clone(), ..cell(r, c) }).collect()
            }
            Axis::TotalRow => (0..if has_totals { nc - 1 } else { nc }).map(|c| Bar { label: t.cols[c].1.clone(), ..cell(nr - 1, c) }).collect(),
        };
        let alt: Vec<String> = bars.iter().map(|b| format!("{}: {}", b.label, b.shown)).collect();
        let summary = format!("{summary} {}.", alt.join("; "));
        format!("<figure>\n<figcaption id=\"{id}-c\">{}</figcaption>\n{}\n</figure>\n", esc(title), bar_chart(id, title, &summary, &bars))
    }

    /// A table in full, with caption, column and row headers (T01 with each force's region).
    fn table_html(&self, t: &Table) -> String {
        let with_region = t.id.starts_with("T01");
        let mut s = format!(
            "<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"{id}-cap\" tabindex=\"0\">\n<table id=\"{id}\">\n<caption id=\"{id}-cap\">{title} ({unit}{pct})</caption>\n<thead><tr><th scope=\"col\">{row}</th>",
            id = esc(&t.id),
            title = esc(&t.title),
            unit = esc(&t.unit),
            pct = if t.kind == Kind::Percent && t.unit != "per cent" { ", per cent" } else { "" },
            row = esc(&cap(&t.row_name.replace('_', " "))),
        );
        if with_region {
            s.push_str("<th scope=\"col\">Region</th>");
        }
        for (_, label) in &t.cols {
            s.push_str(&format!("<th scope=\"col\" class=\"n\">{}</th>", esc(label)));
        }
        s.push_str("</tr></thead>\n<tbody>\n");
        for (r, ((code, label), row)) in t.rows.iter().zip(&t.values).enumerate() {
            let total = code == "Total";
            s.push_str(if total { "<tr class=\"total\">" } else { "<tr>" });
            s.push_str(&format!("<th scope=\"row\">{}</th>", esc(label)));
            if with_region {
                let region = csae_model::force(code).map_or(String::new(), |f| f.region.clone());
                s.push_str(&format!("<td>{}</td>", esc(&region)));
            }
            for (c, v) in row.iter().enumerate() {
                s.push_str(&format!("<td class=\"n\">{}</td>", esc(&cell_html(t.kind, *v, crate::csv_tables::is_suppressed(t, r, c), self.ctx.mode))));
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody>\n</table>\n</div>\n");
        s
    }
}

enum Axis {
    /// The Total column, one bar per row.
    TotalColumn,
    /// The Total row, one bar per column.
    TotalRow,
    /// One named column, one bar per row.
    Column(&'static str),
}

fn pct_text(share: Option<f64>, mode: Mode) -> String {
    match share {
        None => "[withheld]".to_string(),
        Some(x) if mode == Mode::Public => format!("{}%", (100.0 * x).round() as i64),
        Some(x) => format!("{:.1}%", 100.0 * x),
    }
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

fn category_label(code: &str) -> String {
    match code {
        "CSE" => "Child sexual exploitation (CSE)".to_string(),
        "OTHER" => "Other group-based abuse (not familial, CSE, institutional or ritualistic)".to_string(),
        other => format!("{} abuse", cap(&other.to_lowercase())),
    }
}

/// A published cell for a page: counts with thousands separators, the rest as in the CSV.
fn cell_html(kind: Kind, v: Option<f64>, suppressed: bool, mode: Mode) -> String {
    match (kind, v) {
        (Kind::Count | Kind::Measures, Some(x)) if !suppressed && x >= 0.0 => thousands(x.round() as u64),
        _ => crate::cell_text(kind, v, suppressed, mode),
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(esc("<a href=\"x\">O'Neil & co</a>"), "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(114_203), "114,203");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn percentages_follow_the_mode_and_withheld_shares_say_so() {
        assert_eq!(pct_text(Some(0.0372), Mode::Public), "4%");
        assert_eq!(pct_text(Some(0.0372), Mode::Internal), "3.7%");
        assert_eq!(pct_text(None, Mode::Public), "[withheld]");
    }
}
