//! Bar, stacked-bar and line charts of one table (labels along the x axis,
//! one series per column), drawn as SVG on the server like the line charts
//! of `charts.rs`: the picture is named for screen readers and the page
//! shows its figures in a table beside it. The `svg` element stands alone
//! (it declares its namespace), so it is also a download.

use maud::{Markup, html};

pub use super::charts::Series;

/// How the series are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Bars side by side per label.
    Bar,
    /// One bar per label, the series stacked.
    Stacked,
    Line,
}

impl Kind {
    pub fn parse(s: Option<&str>) -> Kind {
        match s {
            Some("line") => Kind::Line,
            Some("stacked") => Kind::Stacked,
            _ => Kind::Bar,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Kind::Bar => "bar",
            Kind::Stacked => "stacked",
            Kind::Line => "line",
        }
    }
}

/// Colours that keep a 3:1 contrast on white; every bar and point also
/// carries its series' name and value as a tooltip, and the legend names
/// the colours.
const COLOURS: &[&str] = &[
    "#0b5394", "#b45f06", "#38761d", "#741b47", "#134f5c", "#7f6000", "#990000", "#351c75",
];

const W: f64 = 720.0;
const H: f64 = 300.0;
const LEFT: f64 = 56.0;
const PAD: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// The chart alone: an `svg` with `role="img"` and `aria-label`.
pub fn svg(kind: Kind, title: &str, labels: &[String], series: &[Series]) -> Markup {
    let sums: Vec<f64> = (0..labels.len())
        .map(|i| {
            series
                .iter()
                .filter_map(|s| s.values.get(i).copied().flatten())
                .sum()
        })
        .collect();
    let values = series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied());
    let (lo, hi) = match kind {
        Kind::Stacked => (0.0_f64, sums.iter().copied().fold(0.0_f64, f64::max)),
        _ => values.fold((0.0_f64, 0.0_f64), |(a, b), v| (a.min(v), b.max(v))),
    };
    let hi = if (hi - lo).abs() < f64::EPSILON {
        lo + 1.0
    } else {
        hi
    };
    let plot_h = H - PAD - BOTTOM;
    let y = |v: f64| PAD + (1.0 - (v - lo) / (hi - lo)) * plot_h;
    let n = labels.len().max(1) as f64;
    let band = (W - LEFT - PAD) / n;
    let every = labels.len().div_ceil(12).max(1);
    let ticks = [lo, (lo + hi) / 2.0, hi];
    let f = |v: f64| format!("{v:.1}");
    html! {
        svg viewBox={ "0 0 " (W) " " (H) } role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            @for v in ticks {
                line x1=(LEFT) x2=(W - PAD) y1=(f(y(v))) y2=(f(y(v))) stroke="#ccc" {}
                text x="2" y=(f(y(v) + 4.0)) font-size="11" fill="#333" { (short(v)) }
            }
            @for (i, l) in labels.iter().enumerate() {
                @if i % every == 0 || i + 1 == labels.len() {
                    @let name: String = l.chars().take(14).collect();
                    text x=(f(LEFT + band * i as f64 + 2.0)) y=(H - BOTTOM + 16.0) font-size="11" fill="#333" { (name) }
                }
            }
            @match kind {
                Kind::Bar => {
                    @let width = (band * 0.8 / series.len().max(1) as f64).max(1.0);
                    @for (k, s) in series.iter().enumerate() {
                        @for (i, v) in s.values.iter().enumerate() {
                            @if let Some(v) = v {
                                @let (top, bottom) = (y(v.max(0.0)), y(v.min(0.0)));
                                rect x=(f(LEFT + band * i as f64 + band * 0.1 + width * k as f64)) y=(f(top))
                                    width=(f(width)) height=(f((bottom - top).max(0.5))) fill=(COLOURS[k % COLOURS.len()]) {
                                    title { (tip(s, &labels[i], *v)) }
                                }
                            }
                        }
                    }
                }
                Kind::Stacked => {
                    @for (i, k, base, v) in stacks(labels.len(), series) {
                        @let (top, bottom) = (y(base + v), y(base));
                        rect x=(f(LEFT + band * i as f64 + band * 0.15)) y=(f(top))
                            width=(f(band * 0.7)) height=(f((bottom - top).max(0.5))) fill=(COLOURS[k % COLOURS.len()]) {
                            title { (tip(&series[k], &labels[i], v)) }
                        }
                    }
                }
                Kind::Line => {
                    @for (k, s) in series.iter().enumerate() {
                        @let points: Vec<String> = s.values.iter().enumerate()
                            .filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", LEFT + band * (i as f64 + 0.5), y(v))))
                            .collect();
                        polyline fill="none" stroke=(COLOURS[k % COLOURS.len()]) stroke-width="2" points=(points.join(" ")) {}
                        @for (i, v) in s.values.iter().enumerate() {
                            @if let Some(v) = v {
                                circle cx=(f(LEFT + band * (i as f64 + 0.5))) cy=(f(y(*v))) r="3" fill=(COLOURS[k % COLOURS.len()]) {
                                    title { (tip(s, &labels[i], *v)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The chart in a figure with its caption and a legend of the series.
pub fn figure(kind: Kind, title: &str, labels: &[String], series: &[Series]) -> Markup {
    html! {
        figure.chart {
            (svg(kind, title, labels, series))
            figcaption {
                (title)
                @if series.len() > 1 || series.iter().any(|s| !s.name.is_empty()) {
                    ul.chart-legend {
                        @for (k, s) in series.iter().enumerate() {
                            li {
                                svg width="14" height="14" aria-hidden="true" {
                                    rect width="14" height="14" fill=(COLOURS[k % COLOURS.len()]) {}
                                }
                                " " (s.name)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The pieces of stacked bars: label, series, where the piece starts and
/// its value (negative values are not stacked).
fn stacks(labels: usize, series: &[Series]) -> Vec<(usize, usize, f64, f64)> {
    let mut out = Vec::new();
    for i in 0..labels {
        let mut base = 0.0;
        for (k, s) in series.iter().enumerate() {
            if let Some(v) = s.values.get(i).copied().flatten().filter(|v| *v > 0.0) {
                out.push((i, k, base, v));
                base += v;
            }
        }
    }
    out
}

fn tip(s: &Series, label: &str, v: f64) -> String {
    if s.name.is_empty() {
        format!("{label}: {}", short(v))
    } else {
        format!("{}, {label}: {}", s.name, short(v))
    }
}

fn short(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e12 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series() -> Vec<Series> {
        vec![
            Series {
                name: "A".into(),
                values: vec![Some(2.0), None],
                emphasis: false,
            },
            Series {
                name: "B".into(),
                values: vec![Some(3.0), Some(1.0)],
                emphasis: false,
            },
        ]
    }

    #[test]
    fn every_kind_names_itself_and_its_values() {
        let labels = vec!["2026-01".to_owned(), "2026-02".to_owned()];
        for kind in [Kind::Bar, Kind::Stacked, Kind::Line] {
            let html = svg(kind, "Figures", &labels, &series()).into_string();
            assert!(html.contains("role=\"img\""), "{kind:?}");
            assert!(html.contains("aria-label=\"Figures\""), "{kind:?}");
            assert!(html.contains("B, 2026-02: 1"), "{kind:?}: {html}");
            assert!(!html.contains("A, 2026-02"), "{kind:?}: a gap is not drawn");
        }
        assert_eq!(Kind::parse(Some("stacked")), Kind::Stacked);
        assert_eq!(Kind::parse(Some("pie")), Kind::Bar);
    }
}
