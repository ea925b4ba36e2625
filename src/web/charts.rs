//! Line charts drawn as SVG on the server: pages work without scripts and
//! without map tiles, and a chart's figures are always in a table beside
//! it (the chart is a picture of the table, named for screen readers).

use maud::{Markup, html};

/// One line: its name, and a value (or a gap) per label of the x axis.
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
    /// Drawn thicker and first in the legend (the region's own line).
    pub emphasis: bool,
}

/// Colours that keep a 3:1 contrast on white, and dash patterns, so
/// lines differ without colour too.
const COLOURS: &[&str] = &[
    "#0b5394", "#b45f06", "#38761d", "#741b47", "#134f5c", "#7f6000", "#990000", "#351c75",
];
const DASHES: &[&str] = &["", "6 3", "2 3", "8 3 2 3", "4 4", "1 2"];

/// A chart of lines over `labels`; with `reversed`, smaller values are
/// drawn higher (a place in a ranking where 1 is the best).
pub fn lines(title: &str, labels: &[String], series: &[Series], reversed: bool) -> Markup {
    let (w, h, left, pad) = (640.0_f64, 260.0_f64, 48.0_f64, 24.0_f64);
    let all: Vec<f64> = series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .collect();
    if all.is_empty() || labels.is_empty() {
        return html! {};
    }
    let (mut lo, mut hi) = all
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    if (hi - lo).abs() < f64::EPSILON {
        lo -= 1.0;
        hi += 1.0;
    }
    let step = if labels.len() > 1 {
        (w - left - pad) / (labels.len() - 1) as f64
    } else {
        0.0
    };
    let x = |i: usize| left + step * i as f64;
    let y = |v: f64| {
        let share = (v - lo) / (hi - lo);
        let share = if reversed { share } else { 1.0 - share };
        pad + share * (h - 2.0 * pad - 16.0)
    };
    let ticks = [lo, (lo + hi) / 2.0, hi];
    // At most about ten labels under the axis, evenly.
    let every = labels.len().div_ceil(10).max(1);
    html! {
        figure.chart {
            svg viewBox={ "0 0 " (w) " " (h) } role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
                @for v in ticks {
                    line x1=(left) x2=(w - pad) y1=(format!("{:.1}", y(v))) y2=(format!("{:.1}", y(v))) stroke="#ccc" {}
                    text x="2" y=(format!("{:.1}", y(v) + 4.0)) font-size="11" fill="#333" { (short(v)) }
                }
                @for (i, l) in labels.iter().enumerate() {
                    @if i % every == 0 || i + 1 == labels.len() {
                        text x=(format!("{:.1}", x(i) - 14.0)) y=(h - 6.0) font-size="11" fill="#333" { (l) }
                    }
                }
                @for (n, s) in series.iter().enumerate() {
                    @let colour = COLOURS[n % COLOURS.len()];
                    @let dash = DASHES[n % DASHES.len()];
                    @let width = if s.emphasis { "3.5" } else { "1.8" };
                    @for run in runs(&s.values) {
                        polyline fill="none" stroke=(colour) stroke-width=(width) stroke-dasharray=(dash)
                            points=(run.iter().map(|(i, v)| format!("{:.1},{:.1}", x(*i), y(*v))).collect::<Vec<_>>().join(" ")) {}
                    }
                    @for (i, v) in s.values.iter().enumerate() {
                        @if let Some(v) = v {
                            circle cx=(format!("{:.1}", x(i))) cy=(format!("{:.1}", y(*v))) r=(if s.emphasis { "4.5" } else { "3" }) fill=(colour) {
                                title { (s.name) ", " (labels[i]) ": " (short(*v)) }
                            }
                        }
                    }
                }
            }
            figcaption {
                (title)
                ul.chart-legend {
                    @for (n, s) in series.iter().enumerate() {
                        li {
                            svg width="28" height="10" aria-hidden="true" {
                                line x1="0" x2="28" y1="5" y2="5" stroke=(COLOURS[n % COLOURS.len()])
                                    stroke-width=(if s.emphasis { "3.5" } else { "2" }) stroke-dasharray=(DASHES[n % DASHES.len()]) {}
                            }
                            " "
                            @if s.emphasis { strong { (s.name) } } @else { (s.name) }
                        }
                    }
                }
            }
        }
    }
}

/// The unbroken stretches of a line: a missing value breaks it.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = vec![Vec::new()];
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                if let Some(r) = out.last_mut() {
                    r.push((i, *v));
                }
            }
            None => out.push(Vec::new()),
        }
    }
    out.into_iter().filter(|r| r.len() > 1).collect()
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

    #[test]
    fn a_gap_breaks_a_line_and_lone_points_stay_dots() {
        let r = runs(&[
            Some(1.0),
            Some(2.0),
            None,
            Some(3.0),
            None,
            Some(4.0),
            Some(5.0),
        ]);
        assert_eq!(r, vec![vec![(0, 1.0), (1, 2.0)], vec![(5, 4.0), (6, 5.0)]]);
    }

    #[test]
    fn the_chart_names_itself_and_every_line() {
        let s = vec![
            Series {
                name: "Краснодарский край".into(),
                values: vec![Some(10.0), Some(7.0)],
                emphasis: true,
            },
            Series {
                name: "Ростовская область".into(),
                values: vec![None, Some(12.0)],
                emphasis: false,
            },
        ];
        let html = lines("Места", &["2024".into(), "2025".into()], &s, true).into_string();
        assert!(html.contains("aria-label=\"Места\""));
        assert!(html.contains("<strong>Краснодарский край</strong>"));
        assert!(html.contains("Ростовская область, 2025: 12"));
        assert!(lines("x", &[], &s, false).into_string().is_empty());
    }
}
