//! Pictures of a session, drawn as SVG from its record: who spoke when (one row per speaker,
//! so overlapping speech shows as stacked bars, plus a row marking the overlaps), talk time per
//! speaker and time per theme. Presentation attributes only, no CSS, so the same markup works
//! inline in review.html and alone as timeline.svg.

use std::fmt::Write;

/// Speaker colours in order of appearance: Okabe and Ito's colour-blind-safe set, then more.
pub const PALETTE: [&str; 10] =
    ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#882255", "#44AA99", "#999933", "#6F6F6F"];

pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

const WIDTH: f64 = 1000.0;
/// Where the plot starts: the labels sit left of it.
const PLOT_X: f64 = 170.0;
const PLOT_W: f64 = WIDTH - PLOT_X - 20.0;
const ROW: f64 = 22.0;
const GAP: f64 = 6.0;
const FONT: &str = r#"font-family="Calibri, 'Segoe UI', Arial, sans-serif" font-size="13""#;
const OVERLAP_COLOUR: &str = "#222222";

/// One row of the timeline: a speaker's label, colour and stretches of speech (seconds).
pub struct Row {
    pub label: String,
    pub colour: &'static str,
    pub spans: Vec<(f64, f64)>,
}

/// Whether XML 1.0 allows `c` in a document: not the controls but tab and line breaks, nor
/// U+FFFE and U+FFFF (a lone surrogate cannot be in a Rust string).
pub fn xml_allowed(c: char) -> bool {
    !(c < ' ' && !matches!(c, '\t' | '\n' | '\r') || matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

/// Text for SVG and HTML, the one way text enters a chart: the five characters that could end
/// it escaped, and those XML forbids (which would make the file unreadable) left out.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if !xml_allowed(c) => {}
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

/// `m:ss`, or `h:mm:ss` from an hour on.
fn stamp(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        format!("{}…", label.chars().take(max - 1).collect::<String>().trim_end())
    }
}

/// Where two or more rows speak at once, as merged stretches (none with a single row, whose
/// own stretches do not count against each other).
pub fn overlaps(rows: &[Row]) -> Vec<(f64, f64)> {
    if rows.len() < 2 {
        return Vec::new();
    }
    let mut edges: Vec<(f64, i32)> = rows.iter().flat_map(|r| &r.spans).flat_map(|&(s, e)| [(s, 1), (e, -1)]).collect();
    // Ends before starts at the same instant: touching stretches do not overlap.
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut out, mut depth, mut from) = (Vec::new(), 0, 0.0);
    for (t, d) in edges {
        let before = depth;
        depth += d;
        if before < 2 && depth >= 2 {
            from = t;
        } else if before >= 2 && depth < 2 && t > from {
            out.push((from, t));
        }
    }
    out
}

/// Tick spacing giving at most about ten ticks.
fn tick_step(duration: f64) -> f64 {
    [10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0]
        .into_iter()
        .find(|s| duration / s <= 10.0)
        .unwrap_or(7200.0)
}

/// The speaker timeline across the whole session. The plot's place and the duration are in
/// `data-` attributes so that a page can turn a click into a time.
pub fn timeline(rows: &[Row], duration: f64) -> String {
    let duration = duration.max(1.0);
    let x = |t: f64| PLOT_X + PLOT_W * (t / duration).clamp(0.0, 1.0);
    let overlap = Row { label: "Overlap".into(), colour: OVERLAP_COLOUR, spans: overlaps(rows) };
    let all: Vec<&Row> = rows.iter().chain(Some(&overlap).filter(|o| !o.spans.is_empty())).collect();
    let axis_y = 8.0 + all.len() as f64 * (ROW + GAP);
    let height = axis_y + 26.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="timeline-title" data-duration="{duration:.3}" data-x0="{PLOT_X}" data-width="{PLOT_W}" {FONT}><title id="timeline-title">Who spoke when, over {}</title>"#,
        stamp(duration)
    );
    let _ = write!(svg, r##"<rect x="{PLOT_X}" y="4" width="{PLOT_W}" height="{}" fill="#f4f6fa"/>"##, axis_y - 4.0);
    for (i, row) in all.iter().enumerate() {
        let (label, colour) = (&row.label, row.colour);
        let y = 8.0 + i as f64 * (ROW + GAP);
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" text-anchor="end" fill="#1a1a1a">{}</text>"##,
            PLOT_X - 8.0,
            y + ROW * 0.7,
            escape(&shorten(label, 22))
        );
        for &(s, e) in &row.spans {
            // At least a pixel wide, so a word said alone still shows.
            let w = (x(e) - x(s)).max(1.0);
            let _ = write!(
                svg,
                r#"<rect x="{:.2}" y="{y}" width="{w:.2}" height="{ROW}" fill="{colour}"><title>{} {}–{}</title></rect>"#,
                x(s),
                escape(label),
                stamp(s),
                stamp(e)
            );
        }
    }
    let step = tick_step(duration);
    let mut t = 0.0;
    while t <= duration + 1e-9 {
        let _ = write!(
            svg,
            r##"<line x1="{0:.2}" x2="{0:.2}" y1="4" y2="{1}" stroke="#8a94a6" stroke-width="0.6"/><text x="{0:.2}" y="{2}" text-anchor="middle" fill="#444">{3}</text>"##,
            x(t),
            axis_y + 4.0,
            axis_y + 18.0,
            stamp(t)
        );
        t += step;
    }
    svg.push_str("</svg>");
    svg
}

/// One bar: a label, the value in seconds, the text shown after the bar, and its colour.
pub struct Bar {
    pub label: String,
    pub seconds: f64,
    pub text: String,
    pub colour: &'static str,
}

/// Horizontal bars, longest scaled to the full width (talk time per speaker, time per theme).
pub fn bars(title: &str, bars: &[Bar]) -> String {
    // Narrower than the timeline: two bar charts sit side by side, and their text should read
    // at the same size.
    let (width, label_w, text_w) = (640.0, 200.0, 130.0);
    let plot_w = width - label_w - text_w;
    let max = bars.iter().map(|b| b.seconds).fold(0.0, f64::max).max(1e-9);
    let height = 8.0 + bars.len() as f64 * (ROW + GAP);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="bars" viewBox="0 0 {width} {height}" width="100%" role="img" {FONT}><title>{}</title>"#,
        escape(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + i as f64 * (ROW + GAP);
        let w = (plot_w * b.seconds / max).max(1.0);
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" text-anchor="end" fill="#1a1a1a">{}</text><rect x="{label_w}" y="{y}" width="{w:.2}" height="{ROW}" fill="{}"><title>{}: {}</title></rect><text x="{:.2}" y="{}" fill="#1a1a1a">{}</text>"##,
            label_w - 8.0,
            y + ROW * 0.7,
            escape(&shorten(&b.label, 26)),
            b.colour,
            escape(&b.label),
            escape(&b.text),
            label_w + w + 6.0,
            y + ROW * 0.7,
            escape(&b.text)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, spans: &[(f64, f64)]) -> Row {
        Row { label: label.into(), colour: colour(0), spans: spans.to_vec() }
    }

    #[test]
    fn overlaps_are_where_two_speak_at_once() {
        let rows =
            [row("A", &[(0.0, 10.0), (20.0, 30.0)]), row("B", &[(8.0, 12.0), (30.0, 35.0)]), row("C", &[(9.0, 25.0)])];
        // 8–12 (A+B, then B+C), 20–25 (A+C); 30 only touches.
        assert_eq!(overlaps(&rows), vec![(8.0, 12.0), (20.0, 25.0)]);
        assert!(overlaps(&rows[..1]).is_empty());
    }

    #[test]
    fn the_timeline_has_a_row_per_speaker_and_one_for_overlaps() {
        let rows = [row("Maria <Chair>", &[(0.0, 50.0)]), row("Daniel", &[(40.0, 100.0)])];
        let svg = timeline(&rows, 100.0);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.ends_with("</svg>"));
        assert!(
            svg.contains(">Maria &lt;Chair&gt;</text>")
                && svg.contains(">Daniel</text>")
                && svg.contains(">Overlap</text>")
        );
        // Daniel's bar starts 40% along the plot; the overlap 40–50 s is drawn in its row.
        assert!(svg.contains(&format!(r#"<rect x="{:.2}" y="36" width="{:.2}""#, PLOT_X + 0.4 * PLOT_W, 0.6 * PLOT_W)));
        assert!(svg.contains("<title>Overlap 0:40–0:50</title>"));
        assert!(svg.contains(r#"data-duration="100.000""#));
        // A single voice has no overlap row.
        assert!(!timeline(&rows[..1], 100.0).contains("Overlap"));
    }

    #[test]
    fn bars_scale_to_the_longest() {
        let b = |l: &str, s: f64| Bar { label: l.into(), seconds: s, text: format!("{s} s"), colour: colour(1) };
        let svg = bars("Talk time", &[b("A", 60.0), b("B", 30.0)]);
        assert!(svg.contains(r#"width="310.00""#) && svg.contains(r#"width="155.00""#), "{svg}");
        assert!(svg.contains("<title>Talk time</title>"));
    }

    #[test]
    fn ticks_stay_few_and_stamps_read_as_clock_time() {
        assert_eq!(tick_step(159.0), 30.0);
        assert_eq!(tick_step(3600.0), 600.0);
        assert_eq!(stamp(65.4), "1:05");
        assert_eq!(stamp(3725.0), "1:02:05");
    }

    #[test]
    fn charts_stay_well_formed_xml_whatever_the_names() {
        let hostile = "T\u{1}X\u{0}\u{b}\u{FFFE}\u{FFFF} <&\"'> ]]> tab\there";
        let svg = timeline(&[row(hostile, &[(0.0, 5.0)]), row("B\u{7}", &[(2.0, 8.0)])], 10.0);
        let bar = Bar { label: hostile.into(), seconds: 1.0, text: hostile.into(), colour: colour(0) };
        for svg in [svg, bars(hostile, &[bar])] {
            let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
            let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
            assert!(texts.iter().any(|t| t.starts_with("TX <&\"'> ]]> tab\there")), "{texts:?}");
        }
    }
}
