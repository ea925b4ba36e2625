//! `GET /demo`: what the demo region is, and the accounts to see each side
//! of veche with.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use maud::html;

use crate::app::AppState;
use crate::config::Config;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::texts;
use crate::web::layout::{Page, PageCtx};
use std::sync::Arc;

texts!(pub DemoTexts {
    title: "Демонстрационный регион", "The demo region";
    lead: "Всё, что вы видите на этом сайте, кроме границ муниципалитетов, городов и справочников, вымышлено и создано автоматически при первом запуске: обращения жителей и ответы на них, стройки и проверки, поручения и их исполнение. Даты отсчитываются от дня первого запуска.",
          "Everything on this site except the municipal boundaries, the towns and the reference lists is made up, generated on the first start: residents' reports and the answers, construction objects and checks, orders and their execution. Dates count from the day of the first start.";
    accounts_title: "Войти в любой роли", "Sign in as any role";
    accounts_lead: "У всех демонстрационных учётных записей один пароль:", "All demo accounts share one password:";
    role: "Роль", "Role";
    email: "Адрес для входа", "E-mail to sign in with";
    name: "Имя", "Name";
    sign_in: "Войти", "Sign in";
    closed: "Демонстрационные учётные записи открыты, только когда сайт доступен лишь с этого компьютера: сервер слушает 127.0.0.1, без обратного прокси и публичного адреса. На этом сервере вход в них закрыт.",
            "The demo accounts are open only while nobody else can reach the site: the server listens on 127.0.0.1, with no reverse proxy and no public address. On this server they cannot sign in.";
    where_title: "Что посмотреть", "Where to look";
    look_problems: "Обращения жителей на карте и в списке, со сроками ответа", "Residents' reports on the map and in the list, with their deadlines";
    look_construction: "Реестр строек и проверки по запросам жителей", "The construction registry and checks requested by residents";
    look_opendata: "Открытые данные, включая живые наборы обращений и строек", "Open data, including the live datasets of reports and construction";
    look_pm: "Поручения, их делегирование и сводки (для сотрудников)", "Orders, their delegation and dashboards (for staff)";
    reset: "Создать демонстрационные данные заново:", "To generate the demo data again:";
    off: "Демонстрационный режим выключен.", "The demo is off.";
});

pub fn router() -> Router<AppState> {
    Router::new().route("/demo", get(page))
}

/// `GET /demo`
async fn page(
    ctx: PageCtx,
    State(db): State<Db>,
    State(config): State<Arc<Config>>,
) -> AppResult<Response> {
    let t = DemoTexts::get(ctx.locale);
    if !config.server.demo {
        return Err(AppError::not_found());
    }
    let accounts = super::accounts::open_accounts(&db)
        .await
        .map_err(AppError::Internal)?;
    Ok(Page::new(&ctx, t.title).render(html! {
        h1 { (t.title) }
        p.lead { (t.lead) }
        h2 #accounts { (t.accounts_title) }
        @if accounts.is_empty() {
            p { (t.closed) }
        } @else {
            p { (t.accounts_lead) " " code #demo-password { (super::accounts::PASSWORD) } }
            div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(ctx.locale)) {
                table #demo-accounts {
                    thead { tr { th scope="col" { (t.role) } th scope="col" { (t.email) } th scope="col" { (t.name) } } }
                    tbody {
                        @for a in &accounts {
                            tr {
                                th scope="row" { (a.role.get(ctx.locale)) }
                                td { code { (a.email) } }
                                td { (a.name) }
                            }
                        }
                    }
                }
            }
            p { a.button href="/auth/login?next=/" { (t.sign_in) } }
        }
        h2 { (t.where_title) }
        ul {
            li { a href="/problems" { (t.look_problems) } }
            li { a href="/construction" { (t.look_construction) } }
            li { a href="/opendata" { (t.look_opendata) } }
            li { a href="/pm" { (t.look_pm) } }
        }
        p { (t.reset) " " code { "cargo run --release -- demo --reset" } }
    }))
}
