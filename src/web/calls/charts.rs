//! Server-rendered SVG charts for the Calls page (no script, no CDN).
//!
//! Owns turning [`CdrStats`] into SVG markup: calls per bucket stacked by disposition, ASR and
//! average duration per bucket, busiest hours of the day. Labels are escaped; numbers only are
//! computed here. The output is embedded in the page (askama marks it safe).

use std::collections::BTreeMap;
use std::fmt::Write;

use jiff::tz::TimeZone;

use crate::store::cdr::{Bucket, CdrStats, StatCell};

const W: f64 = 720.0;
const H: f64 = 200.0;
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 24.0;
const DISPOSITIONS: [(&str, &str); 6] = [
    ("ANSWERED", "#2e7d32"),
    ("NO ANSWER", "#f9a825"),
    ("BUSY", "#ef6c00"),
    ("FAILED", "#c62828"),
    ("CONGESTION", "#6a1b9a"),
    ("CANCEL", "#546e7a"),
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn color(disposition: &str) -> &'static str {
    DISPOSITIONS.iter().find(|(d, _)| *d == disposition).map_or("#9e9e9e", |(_, c)| c)
}

/// Segments of one bar: (disposition, calls, total duration).
type Segments<'a> = Vec<(&'a str, i64, i64)>;
/// Labelled bars.
type Bars<'a> = Vec<(String, Segments<'a>)>;

/// Rows of (bucket → disposition → calls).
fn pivot(cells: &[StatCell]) -> BTreeMap<i64, Vec<(&str, i64, i64)>> {
    let mut out: BTreeMap<i64, Vec<(&str, i64, i64)>> = BTreeMap::new();
    for c in cells {
        out.entry(c.bucket).or_default().push((c.disposition.as_str(), c.calls, c.total_duration));
    }
    out
}

fn frame(title: &str, body: &str, legend: bool) -> String {
    let mut svg = format!(
        "<figure><figcaption>{}</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\">{body}",
        esc(title),
        esc(title)
    );
    if legend {
        for (i, (d, c)) in DISPOSITIONS.iter().enumerate() {
            let x = LEFT + 110.0 * i as f64;
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"0\" width=\"10\" height=\"10\" fill=\"{c}\"/><text x=\"{}\" y=\"9\" font-size=\"10\">{d}</text>",
                x + 14.0
            );
        }
    }
    svg.push_str("</svg></figure>");
    svg
}

/// Stacked bars: one bar per label, segments per disposition.
fn stacked(title: &str, bars: &[(String, Segments<'_>)]) -> String {
    let max = bars.iter().map(|(_, s)| s.iter().map(|x| x.1).sum::<i64>()).max().unwrap_or(0).max(1);
    let plot_h = H - BOTTOM - 16.0;
    let step = (W - LEFT) / bars.len().max(1) as f64;
    let mut body = format!("<text x=\"0\" y=\"24\" font-size=\"10\">{max}</text>");
    for (i, (label, segments)) in bars.iter().enumerate() {
        let x = LEFT + step * i as f64;
        let mut y = H - BOTTOM;
        for (d, calls, _) in segments {
            let h = plot_h * *calls as f64 / max as f64;
            y -= h;
            let _ = write!(
                body,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{} {}: {calls}</title></rect>",
                (step * 0.8).max(1.0),
                color(d),
                esc(label),
                esc(d)
            );
        }
        if bars.len() <= 31 || i % (bars.len() / 12 + 1) == 0 {
            let _ =
                write!(body, "<text x=\"{x:.1}\" y=\"{}\" font-size=\"9\">{}</text>", H - 8.0, esc(label));
        }
    }
    frame(title, &body, true)
}

/// Polyline of values 0..=max per bucket.
fn line(title: &str, points: &[(String, f64)], unit: &str) -> String {
    let max = points.iter().map(|p| p.1).fold(0.0_f64, f64::max).max(1.0);
    let step = (W - LEFT) / points.len().max(1) as f64;
    let plot_h = H - BOTTOM - 16.0;
    let coords: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| {
            format!("{:.1},{:.1}", LEFT + step * (i as f64 + 0.4), H - BOTTOM - plot_h * v / max)
        })
        .collect();
    let body = format!(
        "<text x=\"0\" y=\"24\" font-size=\"10\">{max:.0}{unit}</text><polyline fill=\"none\" stroke=\"#1565c0\" stroke-width=\"2\" points=\"{}\"/>",
        coords.join(" ")
    );
    frame(title, &body, false)
}

fn label(bucket: i64, kind: Bucket) -> String {
    let ts = jiff::Timestamp::from_millisecond(bucket).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let civil = ts.to_zoned(TimeZone::UTC);
    match kind {
        Bucket::Hour => civil.strftime("%m-%d %H:00").to_string(),
        Bucket::Day => civil.strftime("%Y-%m-%d").to_string(),
    }
}

/// All charts of the Calls page, as SVG markup.
pub fn render(stats: &CdrStats, kind: Bucket) -> Vec<String> {
    let per_bucket: Bars<'_> = pivot(&stats.buckets).into_iter().map(|(b, s)| (label(b, kind), s)).collect();
    let asr: Vec<(String, f64)> = per_bucket
        .iter()
        .map(|(l, s)| {
            let total: i64 = s.iter().map(|x| x.1).sum();
            let answered: i64 = s.iter().filter(|x| x.0 == "ANSWERED").map(|x| x.1).sum();
            (l.clone(), 100.0 * answered as f64 / total.max(1) as f64)
        })
        .collect();
    let avg: Vec<(String, f64)> = per_bucket
        .iter()
        .map(|(l, s)| {
            let total: i64 = s.iter().map(|x| x.1).sum();
            let secs: i64 = s.iter().map(|x| x.2).sum();
            (l.clone(), secs as f64 / total.max(1) as f64)
        })
        .collect();
    let hours: Bars<'_> = {
        let p = pivot(&stats.hours);
        (0..24).map(|h| (format!("{h:02}"), p.get(&h).cloned().unwrap_or_default())).collect()
    };
    let per = if kind == Bucket::Hour { "hour" } else { "day" };
    vec![
        stacked(&format!("Calls per {per} by disposition"), &per_bucket),
        line("Answer-seizure ratio (%)", &asr, "%"),
        line("Average call duration (s)", &avg, "s"),
        stacked("Busiest hours of the day", &hours),
    ]
}
