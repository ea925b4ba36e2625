//! An organisation's staff page: figures as of a date, the trend by
//! quarter, units with and without those below them, the completeness
//! report, risks, vacancies, schedule versions, and — for those `Access`
//! to — the forms that change it.

use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use super::domain::{Thresholds, percent};
use super::figures::Snapshot;
use super::import::Checked;
use super::queries::{FlagRow, ScheduleRow, VacancyRow};
use super::service::Access;
use super::views::{self, StaffTexts};
use crate::directory::queries::OrgRow;
use crate::web::i18n::iso_date;
use crate::web::layout::{Page, PageCtx};
use crate::web::tables::{Table, links};

/// Posts whose forms are shown at once without choosing a unit.
const MAX_FORMS: usize = 60;

pub struct OrgPage<'a> {
    pub ctx: &'a PageCtx,
    pub org: &'a OrgRow,
    pub allowed: Access,
    pub snap: &'a Snapshot,
    pub report: &'a Table,
    pub trend: &'a [(String, f64)],
    pub unit: Option<i64>,
    pub vacant_only: bool,
    pub flags: Vec<(FlagRow, String)>,
    pub vacancies: Vec<VacancyRow>,
    pub schedules: Vec<ScheduleRow>,
    pub thresholds: Thresholds,
}

impl OrgPage<'_> {
    pub fn render(&self) -> Response {
        let ctx = self.ctx;
        let l = ctx.locale;
        let t = StaffTexts::get(l);
        let id = &self.org.organisation_id;
        let title = l.pick(&self.org.name_ru, &self.org.name_en).to_owned();
        let here = format!("/pm/staff/organisations/{id}");
        let date = iso_date(self.snap.at);
        let mut query = format!("{here}?date={date}");
        if let Some(u) = self.unit {
            query.push_str(&format!("&unit={u}"));
        }
        if self.vacant_only {
            query.push_str("&vacant=1");
        }
        let title_of = |p: i64| {
            self.snap
                .lines
                .iter()
                .find(|x| x.position_id == p)
                .map_or(String::new(), |x| x.title.clone())
        };
        let vacancies: Vec<(VacancyRow, String)> = self
            .vacancies
            .iter()
            .map(|v| (v.clone(), title_of(v.position_id)))
            .collect();
        Page::new(ctx, title.clone())
            .crumb(t.staff_region, "/pm/staff")
            .render(html! {
                h1 { (title) }
                (views::nav(l))
                (views::as_of_form(l, &here, self.snap.at))
                (views::summary(l, &self.snap.totals(), self.flags.len()))
                (views::fill_chart(l, t.fill_by_quarter, self.trend))
                (self.units())
                h2 #report { (t.report) }
                (self.filter_form(&here, &date))
                (self.report.html(t.report))
                (links(l, &query))
                p { a href={ (here) "?date=" (date) "&format=t3" } { (t.export_t3) } }
                (views::flags_list(l, &self.flags))
                (views::vacancies(l, &vacancies))
                (views::schedules(l, &self.schedules))
                @if self.allowed.edit { (self.forms()) }
            })
    }

    fn units(&self) -> Markup {
        let l = self.ctx.locale;
        let t = StaffTexts::get(l);
        let figures = self.snap.by_unit();
        html! {
            h2 #units { (t.units) }
            @if self.snap.units.is_empty() { p { (t.no_schedule) } } @else {
                div.table-wrap tabindex="0" role="region" aria-label=(t.units) {
                    table #unit-figures {
                        thead {
                            tr { th scope="col" rowspan="2" { (t.unit) } th scope="colgroup" colspan="3" { (t.own) } th scope="colgroup" colspan="3" { (t.with_children) } }
                            tr { th scope="col" { (t.rates) } th scope="col" { (t.filled) } th scope="col" { (t.fill_rate) }
                                 th scope="col" { (t.rates) } th scope="col" { (t.filled) } th scope="col" { (t.fill_rate) } }
                        }
                        tbody {
                            @for u in &self.snap.units {
                                @let f = figures.get(&u.unit_id).copied().unwrap_or_default();
                                tr data-unit=(u.code) {
                                    th scope="row" { (u.name) }
                                    td { (f.own.rates.show(l)) } td { (f.own.filled.show(l)) } td { (percent(f.own.fill())) " %" }
                                    td { (f.with_children.rates.show(l)) } td { (f.with_children.filled.show(l)) } td { (percent(f.with_children.fill())) " %" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn filter_form(&self, here: &str, date: &str) -> Markup {
        let t = StaffTexts::get(self.ctx.locale);
        let selected = self.unit.map(|u| u.to_string()).unwrap_or_default();
        html! {
            form.inline-form method="get" action=(here) {
                input type="hidden" name="date" value=(date);
                div.field {
                    label for="f-unit" { (t.unit) }
                    select #f-unit name="unit" {
                        option value="" { (t.all_units) }
                        @for u in &self.snap.units {
                            @let v = u.unit_id.to_string();
                            option value=(v) selected[v == selected] { (u.name) }
                        }
                    }
                }
                div.field.checkbox {
                    input #f-vacant type="checkbox" name="vacant" value="1" checked[self.vacant_only];
                    label for="f-vacant" { (t.vacant_only) }
                }
                button.button type="submit" { (t.filter) }
            }
        }
    }

    fn forms(&self) -> Markup {
        let ctx = self.ctx;
        let l = ctx.locale;
        let t = StaffTexts::get(l);
        let id = &self.org.organisation_id;
        let today = super::flags::today();
        // A large organisation's forms come a unit at a time: a page with
        // every post's forms would weigh megabytes.
        let shown: Vec<usize> = match self.unit {
            Some(u) => self.snap.under(u),
            None if self.snap.lines.len() <= MAX_FORMS => (0..self.snap.lines.len()).collect(),
            None => Vec::new(),
        };
        html! {
            h2 #changes { (t.change) }
            @if shown.is_empty() && !self.snap.lines.is_empty() { p #choose-unit { (t.choose_unit) } }
            @for (line, p) in shown.iter().map(|i| (&self.snap.lines[*i], &self.snap.positions[*i])) {
                div.position-card {
                    h3 { (line.title) " — " (self.snap.unit_name(line.unit_id)) " (" (p.filled.show(l)) " / " (p.line.rates.show(l)) ")" }
                    (views::position_forms(ctx, id, line.position_id, today))
                    @for h in self.snap.holdings.iter().filter(|h| h.position_id == line.position_id) {
                        p { (h.person_name) " (" (super::domain::Rates(h.rate).show(l)) ")" }
                        (views::assignment_forms(ctx, id, h.assignment_id, today))
                    }
                }
            }
            (views::thresholds_form(ctx, id, &self.thresholds))
            (views::import_form(ctx, id))
        }
    }
}

/// The answer to a Т-3 with bad rows: every one listed, nothing written.
pub fn import_problems(ctx: &PageCtx, org: &str, c: &Checked) -> Response {
    let l = ctx.locale;
    let t = StaffTexts::get(l);
    Page::new(ctx, t.import_failed)
        .status(StatusCode::UNPROCESSABLE_ENTITY)
        .crumb(t.staff_region, "/pm/staff")
        .render(html! {
            h1 { (t.import_failed) }
            p { (t.rejected) ": " span #rows-rejected { (c.rejected_rows) } }
            div.table-wrap tabindex="0" role="region" aria-label=(t.import_failed) {
                table #import-problems {
                    thead { tr { th scope="col" { (t.row) } th scope="col" { (t.column) } th scope="col" { (t.reason) } } }
                    tbody { @for p in &c.problems { tr { td { (p.row) } td { (p.column) } td { (p.reason.get(l)) } } } }
                }
            }
            p { a href={ "/pm/staff/organisations/" (org) "#import" } { (t.import_t3) } }
        })
}
