//! The registry as a PDF report (`printpdf`, no network): a title page with
//! the filters, the counts by status and a map of the objects over the
//! municipal boundaries (drawn from veche's own OpenStreetMap outlines),
//! then the table, 38 rows a page, in DejaVu Sans (`web::pdf`).

use printpdf::{
    Color, Line, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Polygon, PolygonRing, Pt, Rgb, TextItem, WindingOrder,
};

use super::domain::{ALL_STATUSES, Status};
use super::queries::ObjectRow;
use crate::texts;
use crate::web::i18n::Locale;

const PAGE_W: f32 = 297.0; // A4 landscape, mm
const PAGE_H: f32 = 210.0;
const MARGIN: f32 = 12.0;
const ROWS_PER_PAGE: usize = 38;

fn rgb(hex: &str) -> Color {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0);
    Color::Rgb(Rgb::new(
        ((v >> 16) & 0xff) as f32 / 255.0,
        ((v >> 8) & 0xff) as f32 / 255.0,
        (v & 0xff) as f32 / 255.0,
        None,
    ))
}

fn pt(x: f32, y: f32) -> LinePoint {
    LinePoint {
        p: Point::new(Mm(x), Mm(y)),
        bezier: false,
    }
}

struct Writer {
    regular: PdfFontHandle,
    bold: PdfFontHandle,
    ops: Vec<Op>,
}

impl Writer {
    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, s: &str) {
        let font = if bold {
            self.bold.clone()
        } else {
            self.regular.clone()
        };
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font,
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point::new(Mm(x), Mm(y)),
            },
            Op::ShowText {
                items: vec![TextItem::Text(s.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    fn fill(&mut self, color: &str) {
        self.ops.push(Op::SetFillColor { col: rgb(color) });
    }

    fn stroke(&mut self, color: &str, width: f32) {
        self.ops.push(Op::SetOutlineColor { col: rgb(color) });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(width) });
    }

    fn line(&mut self, points: Vec<LinePoint>, closed: bool) {
        self.ops.push(Op::DrawLine {
            line: Line {
                points,
                is_closed: closed,
            },
        });
    }

    fn square(&mut self, x: f32, y: f32, size: f32, color: &str) {
        self.fill(color);
        let h = size / 2.0;
        self.ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![PolygonRing {
                    points: vec![
                        pt(x - h, y - h),
                        pt(x + h, y - h),
                        pt(x + h, y + h),
                        pt(x - h, y + h),
                    ],
                }],
                mode: PaintMode::Fill,
                winding_order: WindingOrder::NonZero,
            },
        });
    }

    fn take(&mut self) -> Vec<Op> {
        std::mem::take(&mut self.ops)
    }
}

/// Cuts text to about `mm` of width at `size` pt (DejaVu Sans is wide: about 0.6 em per
/// character of Russian text).
fn fit(s: &str, mm: f32, size: f32) -> String {
    let per_char = size * 0.352_778 * 0.62;
    let max = (mm / per_char).floor().max(1.0) as usize;
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Renders the report. `filters` describes what was selected, for the
/// title page.
pub fn render(
    l: Locale,
    title: &str,
    filters: &str,
    rows: &[ObjectRow],
) -> anyhow::Result<Vec<u8>> {
    let tx = PdfTexts::get(l);
    let mut doc = PdfDocument::new(title);
    let (regular, bold) = crate::web::pdf::fonts(&mut doc)?;
    let mut w = Writer {
        regular,
        bold,
        ops: Vec::new(),
    };
    let mut pages = Vec::new();
    let today =
        crate::web::i18n::iso_date(crate::db::now().to_offset(crate::workflow::sla::MSK).date());

    // The title page: what, when, counts, and the map.
    w.fill("#1b1f24");
    w.text(MARGIN, PAGE_H - MARGIN - 6.0, 18.0, true, title);
    w.text(
        MARGIN,
        PAGE_H - MARGIN - 14.0,
        10.0,
        false,
        &format!("{} {today} · {}: {}", tx.generated, tx.objects, rows.len()),
    );
    w.text(
        MARGIN,
        PAGE_H - MARGIN - 20.0,
        10.0,
        false,
        &fit(filters, PAGE_W - 2.0 * MARGIN, 10.0),
    );
    let mut y = PAGE_H - MARGIN - 32.0;
    w.text(MARGIN, y, 11.0, true, tx.by_status);
    for s in ALL_STATUSES {
        let n = rows.iter().filter(|o| o.status() == s).count();
        y -= 7.0;
        w.square(MARGIN + 2.0, y + 1.2, 3.0, s.color());
        w.fill("#1b1f24");
        w.text(
            MARGIN + 6.0,
            y,
            10.0,
            false,
            &format!("{}: {n}", s.label(l)),
        );
    }
    w.text(
        MARGIN,
        MARGIN + 4.0,
        7.0,
        false,
        tx.municipal_boundaries_openstreetmap_contributors,
    );
    // The map: the krai's bounding box fitted into the right part of the
    // page, an equirectangular projection corrected for the latitude.
    let geo = crate::geo::geography();
    let [x0, y0, x1, y1] = geo.bbox();
    let k = ((y0 + y1) / 2.0).to_radians().cos();
    let (area_x, area_y, area_w, area_h) = (
        95.0_f32,
        MARGIN + 10.0,
        PAGE_W - 95.0 - MARGIN,
        PAGE_H - 2.0 * MARGIN - 16.0,
    );
    let scale = (area_w as f64 / ((x1 - x0) * k)).min(area_h as f64 / (y1 - y0));
    let project = |lon: f64, lat: f64| -> (f32, f32) {
        (
            area_x + ((lon - x0) * k * scale) as f32,
            area_y + ((lat - y0) * scale) as f32,
        )
    };
    w.stroke("#7a8594", 0.4);
    for m in geo.all() {
        for poly in &m.overview_outline.0 {
            let points: Vec<LinePoint> = poly
                .exterior()
                .points()
                .map(|p| {
                    let (x, y) = project(p.x(), p.y());
                    pt(x, y)
                })
                .collect();
            w.line(points, true);
        }
    }
    for o in rows {
        let (x, y) = project(o.lon, o.lat);
        w.square(x, y, 1.6, o.status().color());
    }
    pages.push(PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), w.take()));

    // The table.
    let columns: [(&str, f32); 7] = [
        ("№", 12.0),
        (tx.name, 58.0),
        (tx.address, 64.0),
        (tx.municipality, 40.0),
        (tx.status, 48.0),
        (tx.cadastral_number, 38.0),
        (tx.floors, 13.0),
    ];
    let pages_total = rows.len().div_ceil(ROWS_PER_PAGE).max(1);
    for (page_no, chunk) in rows.chunks(ROWS_PER_PAGE).enumerate() {
        w.fill("#1b1f24");
        w.text(
            MARGIN,
            PAGE_H - MARGIN,
            9.0,
            true,
            &format!("{title} — {} {} / {pages_total}", tx.page, page_no + 1),
        );
        let mut x = MARGIN;
        let head_y = PAGE_H - MARGIN - 8.0;
        for (name, width) in columns {
            w.text(x, head_y, 7.5, true, &fit(name, width - 1.0, 7.5));
            x += width;
        }
        w.stroke("#c9d0da", 0.3);
        w.line(
            vec![pt(MARGIN, head_y - 1.5), pt(PAGE_W - MARGIN, head_y - 1.5)],
            false,
        );
        for (i, o) in chunk.iter().enumerate() {
            let y = head_y - 6.0 - i as f32 * 4.4;
            let muni = geo
                .by_id(&o.municipality_id)
                .map(|m| m.name(l).to_owned())
                .unwrap_or_default();
            let cells = [
                o.object_id.to_string(),
                o.name.clone(),
                o.address.clone(),
                muni,
                o.status().label(l).to_owned(),
                o.cadastral_number.clone().unwrap_or_default(),
                o.floors.map(|f| f.to_string()).unwrap_or_default(),
            ];
            let mut x = MARGIN;
            w.fill(if o.status() == Status::Illegal {
                "#c62828"
            } else {
                "#1b1f24"
            });
            for ((_, width), cell) in columns.iter().zip(cells.iter()) {
                w.text(x, y, 7.0, false, &fit(cell, width - 1.0, 7.0));
                x += width;
            }
        }
        pages.push(PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), w.take()));
    }
    let bytes = doc
        .with_pages(pages)
        .save(&PdfSaveOptions::default(), &mut Vec::new());
    Ok(bytes)
}

texts!(PdfTexts {
    generated: "Сформирован", "Generated on";
    objects: "объектов", "objects";
    by_status: "По статусам", "By status";
    municipal_boundaries_openstreetmap_contributors: "Границы муниципальных образований: © участники OpenStreetMap, ODbL 1.0.", "Municipal boundaries: © OpenStreetMap contributors, ODbL 1.0.";
    name: "Наименование", "Name";
    address: "Адрес", "Address";
    municipality: "Муниципалитет", "Municipality";
    status: "Статус", "Status";
    cadastral_number: "Кадастровый номер", "Cadastral number";
    floors: "Этажей", "Floors";
    page: "стр.", "page";
});
