//! Municipality pages: a Leaflet map when scripts run, and a server-drawn SVG
//! outline in the same place when they do not (no JavaScript, no tiles, a
//! text browser): the page is useful either way.

use std::fmt::Write;

use axum::response::Response;
use geo::MultiPolygon;
use maud::{Markup, html};

use crate::directory::queries::OrgRow;
use crate::geo::municipalities::{Geography, Municipality, MunicipalityKind};
use crate::texts;
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx, json_script};

texts!(pub GeoTexts {
    list_title: "Муниципальные образования", "Municipalities";
    list_intro: "44 муниципальных образования Краснодарского края: городские и муниципальные округа и муниципальные районы.",
                "The 44 municipalities of Krasnodar Krai: urban okrugs, municipal okrugs and municipal districts.";
    map_label: "Карта", "Map";
    kind: "Тип", "Kind";
    oktmo: "ОКТМО", "OKTMO";
    unknown: "нет данных", "unknown";
    area: "Площадь", "Area";
    km2: "км²", "km²";
    centre: "Административный центр", "Administrative centre";
    centroid: "Центр территории", "Centroid";
    administration: "Администрация", "Administration";
    boundaries: "Границы", "Boundaries";
    problems: "Обращения о проблемах и сроки ответов", "Problem reports and response times";
    boundaries_note: "Границы по данным OpenStreetMap на 2020 год; площадь вычислена по ним.",
                     "Boundaries from OpenStreetMap as of 2020; the area is computed from them.";
    kind_urban: "Городские округа", "Urban okrugs";
    kind_municipal: "Муниципальные округа", "Municipal okrugs";
    kind_district: "Муниципальные районы", "Municipal districts";
    geojson: "Границы в GeoJSON", "Boundaries as GeoJSON";
    largest: "наибольшая доля", "the largest share";
});

pub fn list_page(ctx: &PageCtx, g: &Geography) -> Response {
    let t = GeoTexts::get(ctx.locale);
    let l = ctx.locale;
    let groups = [
        (MunicipalityKind::UrbanOkrug, t.kind_urban),
        (MunicipalityKind::MunicipalOkrug, t.kind_municipal),
        (MunicipalityKind::MunicipalDistrict, t.kind_district),
    ];
    Page::new(ctx, t.list_title).with_map().render(html! {
        h1 { (t.list_title) }
        p.lead { (t.list_intro) }
        (overview_map(ctx, &format!("{} — {}", t.map_label, t.list_title)))
        @for (kind, label) in groups {
            section {
                h2 { (label) }
                ul.columns {
                    @for m in g.all().iter().filter(|m| m.kind == kind) {
                        li { a href={ "/municipalities/" (m.id) } { (m.name(l)) } }
                    }
                }
            }
        }
        p { a href="/api/v1/municipalities" type="application/geo+json" { (t.geojson) } }
    })
}

pub fn show_page(ctx: &PageCtx, m: &Municipality, administration: Option<&OrgRow>) -> Response {
    let t = GeoTexts::get(ctx.locale);
    let l = ctx.locale;
    let feature = m.feature(crate::geo::Detail::Map);
    let area = format!("{:.0} {}", m.area_km2, t.km2);
    Page::new(ctx, m.name(l))
        .crumb(t.list_title, "/municipalities")
        .with_map()
        .render(html! {
            h1 { (m.name(l)) }
            p.lead { (m.kind.label(l)) ", " (m.admin_centre(l)) }
            div.two-columns {
                (map_box(ctx, &format!("{} — {}", t.map_label, m.name(l)), "", Some(("municipality-geojson", &feature)), svg_map(std::slice::from_ref(m), m.bbox, l, Some(&m.id))))
                dl.facts {
                    dt { (t.kind) } dd { (m.kind.label(l)) }
                    dt { (t.centre) } dd { (m.admin_centre(l)) }
                    dt { (t.oktmo) } dd { (m.oktmo.as_deref().unwrap_or(t.unknown)) }
                    dt { (t.area) } dd { (area) }
                    dt { (t.centroid) } dd { (format!("{:.4}, {:.4}", m.centroid.0, m.centroid.1)) }
                    @if let Some(a) = administration {
                        dt { (t.administration) }
                        dd { a href={ "/organisations/" (a.organisation_id) } { (l.pick(&a.name_ru, &a.name_en)) } }
                    }
                    dt { (t.boundaries) }
                    dd { a href={ "/api/v1/municipalities/" (m.id) } type="application/geo+json" { "GeoJSON" } }
                    dt { (crate::web::layout::LayoutTexts::get(l).nav_problems) }
                    dd { a href={ "/problems/municipalities/" (m.id) } { (t.problems) } }
                }
            }
            p.muted { (t.boundaries_note) }
        })
}

/// The map of all 44 municipalities, each outline a link to its page.
pub fn overview_map(ctx: &PageCtx, label: &str) -> Markup {
    // The outlines never change while the process runs: draw them once per
    // language instead of formatting thousands of coordinates per request.
    static OVERVIEW: std::sync::OnceLock<[Markup; 2]> = std::sync::OnceLock::new();
    let drawn = OVERVIEW.get_or_init(|| {
        let g = crate::geo::geography();
        [Locale::Ru, Locale::En].map(|l| svg_map(g.all(), g.bbox(), l, None))
    });
    let svg = match ctx.locale {
        Locale::Ru => &drawn[0],
        Locale::En => &drawn[1],
    };
    map_box(
        ctx,
        label,
        "/api/v1/municipalities?detail=map",
        None,
        svg.clone(),
    )
}

/// The map container. `web/js/map.js` replaces the SVG fallback inside it with
/// a Leaflet map, using either an inline GeoJSON block or a URL.
fn map_box(
    ctx: &PageCtx,
    label: &str,
    src: &str,
    inline: Option<(&str, &serde_json::Value)>,
    fallback: Markup,
) -> Markup {
    html! {
        figure.map-figure {
            div.map role="region" aria-label=(label)
                data-tiles=(ctx.tile_url)
                data-geojson-src=[(!src.is_empty()).then_some(src)]
                data-geojson-inline=[inline.map(|(id, _)| id)] {
                (fallback)
            }
            @if let Some((id, value)) = inline { (json_script(id, value)) }
        }
    }
}

/// The projection of the outlines' SVGs (equirectangular, scaled by the
/// cosine of the mid-latitude, 1000 units wide): the view box's height and
/// the point function.
fn projection(bbox: [f64; 4]) -> (f64, impl Fn(f64, f64) -> (f64, f64)) {
    let [x0, y0, x1, y1] = bbox;
    let k = ((y0 + y1) / 2.0).to_radians().cos();
    let scale = 1000.0 / ((x1 - x0) * k).max(1e-9);
    let height = ((y1 - y0) * scale).ceil();
    (height, move |x: f64, y: f64| {
        ((x - x0) * k * scale, (y1 - y) * scale)
    })
}

/// Draws outlines as an SVG, each a link to its municipality page.
fn svg_map(ms: &[Municipality], bbox: [f64; 4], l: Locale, current: Option<&str>) -> Markup {
    let (height, project) = projection(bbox);
    html! {
        svg.map-fallback viewBox={ "0 0 1000 " (height) } role="img" xmlns="http://www.w3.org/2000/svg" {
            @for m in ms {
                a href={ "/municipalities/" (m.id) } {
                    title { (m.name(l)) }
                    path d=(path_data(if ms.len() > 1 { &m.overview_outline } else { &m.map_outline }, &project))
                        class=(if current == Some(m.id.as_str()) { "current" } else { "" }) {}
                }
            }
        }
    }
}

/// The 44 municipalities shaded by a share (0 to 1) from 0 to the largest
/// (darker is more), each with `title` as its tooltip, and a legend. Drawn on the
/// server, so it needs neither scripts nor tiles; pages put the same
/// figures in a table beside it.
pub fn shaded_map(
    l: Locale,
    label: &str,
    values: &std::collections::BTreeMap<String, f64>,
    title: impl Fn(&Municipality) -> String,
) -> Markup {
    let g = crate::geo::geography();
    let (height, project) = projection(g.bbox());
    let max = values.values().copied().fold(0.0_f64, f64::max);
    // From the page's pale blue to its dark blue.
    let shade = |v: f64| {
        let t = if max > 0.0 {
            (v / max).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
        format!(
            "#{:02x}{:02x}{:02x}",
            mix(239.0, 11.0),
            mix(243.0, 83.0),
            mix(248.0, 148.0)
        )
    };
    html! {
        figure.shaded-map {
            svg viewBox={ "0 0 1000 " (height) } role="img" aria-label=(label) xmlns="http://www.w3.org/2000/svg" {
                @for m in g.all() {
                    path d=(path_data(&m.overview_outline, &project))
                        fill=(shade(values.get(&m.id).copied().unwrap_or(0.0)))
                        stroke="#073763" stroke-width="1" vector-effect="non-scaling-stroke" {
                        title { (title(m)) }
                    }
                }
            }
            figcaption.legend {
                span.swatch style={ "background:" (shade(0.0)) } {} " 0 "
                span.swatch style={ "background:" (shade(max)) } {} " "
                (format!("{:.1} % ({})", max * 100.0, GeoTexts::get(l).largest))
            }
        }
    }
}

fn path_data(g: &MultiPolygon<f64>, project: &impl Fn(f64, f64) -> (f64, f64)) -> String {
    let mut d = String::new();
    for polygon in &g.0 {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            for (i, c) in ring.coords().enumerate() {
                let (x, y) = project(c.x, c.y);
                let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
            }
            d.push('Z');
        }
    }
    d
}
