//! Administrators' view of the exchange: partners (other veche instances
//! and outside systems, with their secrets and organisations), messages
//! waiting, and dead letters with a retry button.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use super::partners::{self, NewPartner};
use crate::auth::Admin;
use crate::config::Config;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::integration::exchange::Exchange;
use crate::integration::mail::Mailer;
use crate::search::SearchIndex;
use crate::texts;
use crate::web::components::{FieldErrors, Input, Select, checkbox, datetime, notice};
use crate::web::extract::Form;
use crate::web::layout::{Page, PageCtx};
use std::sync::Arc;

/// `GET /admin/integration`
pub async fn show(
    ctx: PageCtx,
    _admin: Admin,
    State(db): State<Db>,
    State(config): State<Arc<Config>>,
) -> AppResult<Response> {
    render(&ctx, &db, &config, None).await
}

/// The page; `secret` is a newly generated one, shown once (never put in a
/// URL, where logs and histories would keep it).
async fn render(
    ctx: &PageCtx,
    db: &Db,
    config: &Config,
    secret: Option<&str>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let tx = ExchangeTexts::get(l);
    let all = partners::all(db).await?;
    let mut orgs = Vec::new();
    for p in &all {
        orgs.push(partners::organisations(db, &p.partner_id).await?);
    }
    let pending = super::exchange::pending(db).await?;
    let dead = crate::db::queue::dead_jobs(db, 200).await?;
    let kinds = vec![
        (
            "system".to_owned(),
            tx.outside_system_document_flow.to_owned(),
        ),
        ("instance".to_owned(), tx.another_veche_instance.to_owned()),
        ("medo".to_owned(), tx.medo_partner.to_owned()),
    ];
    let encodings = vec![
        ("windows-1251".to_owned(), "windows-1251".to_owned()),
        ("utf-8".to_owned(), "UTF-8".to_owned()),
    ];
    let errors = FieldErrors::new();
    let title = tx.integration;
    Ok(Page::new(ctx, title).crumb(tx.administration, "/admin").render(html! {
        h1 { (title) }
        p {
            (tx.instance_signs_messages)
            code #instance-id { (config.integration.instance_id) }
            (tx.order_management_core)
            code { (config.integration.pm_core) }
            ". " (tx.messages_are_described) a href="/api/docs/" { "/api/docs/" } "."
        }
        @if let Some(secret) = secret {
            (notice("success", html! { p { (tx.partner_s_secret_give) } p { code #new-secret { (secret) } } }))
        }
        p role="status" { (tx.messages_waiting_delivery) strong #pending { (pending) } }
        h2 { (tx.partners) }
        @if all.is_empty() { p { (tx.no_partners) } } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) { table {
                thead { tr {
                    th scope="col" { (tx.id) }
                    th scope="col" { (tx.name) }
                    th scope="col" { (tx.kind) }
                    th scope="col" { "URL" }
                    th scope="col" { (tx.organisations) }
                    th scope="col" { (tx.state) }
                } }
                tbody {
                    @for (p, o) in all.iter().zip(&orgs) {
                        tr {
                            td { code { (p.partner_id) } }
                            td { (p.name) }
                            td { (p.kind) }
                            td { (p.url.clone().unwrap_or_default()) }
                            td { @if p.all_organisations { (tx.all) } @else { (o.join(", ")) } }
                            td {
                                form.inline method="post" action="/admin/integration/toggle" {
                                    (ctx.csrf_field())
                                    input type="hidden" name="partner_id" value=(p.partner_id);
                                    @if p.disabled_at.is_some() {
                                        (tx.disabled) " "
                                        input type="hidden" name="disable" value="0";
                                        button.link type="submit" { (tx.enable) }
                                    } @else {
                                        (tx.active) " "
                                        input type="hidden" name="disable" value="1";
                                        button.link type="submit" { (tx.disable) }
                                    }
                                }
                            }
                        }
                    }
                }
            } }
        }
        details {
            summary { (tx.add_change_partner) }
            form method="post" action="/admin/integration" {
                (ctx.csrf_field())
                (Input::new("partner_id", tx.id_partner_signs_messages, "").required().render(l, &errors))
                (Input::new("name", tx.name, "").required().render(l, &errors))
                (Select { name: "kind", label: tx.kind, options: &kinds, selected: "system", placeholder: None, disabled: false }.render(l, &errors))
                (Input::new("url", tx.url_messages_are_delivered, "").kind("url").render(l, &errors))
                (Input::new("secret", tx.shared_secret_empty_generate, "").render(l, &errors))
                (checkbox(l, &errors, "all_organisations", html! { (tx.acts_every_organisation) }, false))
                (Input::new("organisations", tx.organisations_ids_comma_separated, "").render(l, &errors))
                fieldset {
                    legend { (tx.medo_fields) }
                    (Input::new("medo_uid", tx.medo_uid, "").render(l, &errors))
                    (Input::new("inbound_dir", tx.inbound_dir, "").render(l, &errors))
                    (Input::new("outbound_dir", tx.outbound_dir, "").render(l, &errors))
                    (Select { name: "encoding", label: tx.encoding, options: &encodings, selected: "windows-1251", placeholder: None, disabled: false }.render(l, &errors))
                }
                button.button type="submit" { (tx.save) }
            }
        }
        p { a href="/admin/integration/medo" { (tx.medo_packages) } }
        h2 { (tx.dead_letters) }
        @if dead.is_empty() { p #no-dead { (tx.none) } } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(crate::web::components::scroll_label(l)) { table #dead-letters {
                thead { tr {
                    th scope="col" { "№" }
                    th scope="col" { (tx.queue) }
                    th scope="col" { (tx.attempts) }
                    th scope="col" { (tx.last_error) }
                    th scope="col" { (tx.when) }
                    th scope="col" { }
                } }
                tbody {
                    @for d in &dead {
                        tr {
                            td { (d.outbox_id) }
                            td { (d.queue) }
                            td { (d.attempts) }
                            td { (d.last_error.clone().unwrap_or_default()) }
                            td { @if let Some(t) = d.dead_at { (datetime(l, t)) } }
                            td {
                                form.inline method="post" action="/admin/integration/retry" {
                                    (ctx.csrf_field())
                                    input type="hidden" name="outbox_id" value=(d.outbox_id);
                                    button.link type="submit" { (tx.retry) }
                                }
                            }
                        }
                    }
                }
            } }
        }
    }))
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct PartnerForm {
    #[serde(default)]
    partner_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    all_organisations: Option<String>,
    #[serde(default)]
    organisations: String,
    /// A МЭДО partner's participant uid, folders and encoding.
    #[serde(default)]
    medo_uid: String,
    #[serde(default)]
    inbound_dir: String,
    #[serde(default)]
    outbound_dir: String,
    #[serde(default)]
    encoding: String,
}

/// Checks a partner's fields; shared by the admin form and `veche partner`.
pub async fn save(db: &Db, config: &Config, f: &PartnerForm) -> AppResult<String> {
    let id = f.partner_id.trim();
    if id.is_empty()
        || id.len() > 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        return Err(AppError::invalid(
            "Идентификатор: латинские буквы, цифры, точка, дефис, подчёркивание; до 64 символов.",
            "Id: Latin letters, digits, dot, hyphen, underscore; up to 64 characters.",
        ));
    }
    if id == super::exchange::LOCAL {
        return Err(AppError::invalid(
            "Идентификатор «local» зарезервирован.",
            "The id “local” is reserved.",
        ));
    }
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::invalid(
            "Укажите название (до 200 символов).",
            "Give a name (up to 200 characters).",
        ));
    }
    let kind = match f.kind.as_str() {
        "instance" => "instance",
        "system" | "" => "system",
        "medo" => "medo",
        _ => {
            return Err(AppError::invalid(
                "Вид: system, instance или medo.",
                "Kind: system, instance or medo.",
            ));
        }
    };
    let medo = if kind == "medo" {
        Some(super::medo::partner::check(
            &f.medo_uid,
            &f.inbound_dir,
            &f.outbound_dir,
            &f.encoding,
        )?)
    } else {
        None
    };
    let url = f.url.trim();
    if !url.is_empty() {
        // Refused here with the reason, not only at every delivery later.
        super::outbound::check_url(url, &config.integration.outbound_allow_hosts)
            .await
            .map_err(|m| AppError::unprocessable("invalid_input", m))?;
    }
    let secret = if f.secret.trim().is_empty() {
        super::signing::new_secret()
    } else {
        f.secret.trim().to_owned()
    };
    if secret.len() < 32 {
        return Err(AppError::invalid(
            "Секрет — не короче 32 символов.",
            "The secret must be at least 32 characters.",
        ));
    }
    let all = f.all_organisations.is_some();
    let mut organisations = Vec::new();
    for o in f
        .organisations
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
    {
        if crate::directory::queries::by_id(db, o).await?.is_none() {
            return Err(AppError::invalid(
                format!("Организации «{o}» нет в справочнике."),
                format!("There is no organisation “{o}” in the directory."),
            ));
        }
        organisations.push(o.to_owned());
    }
    if kind != "instance" && !all && organisations.is_empty() {
        return Err(AppError::invalid(
            "Внешней системе нужны организации, за которые она действует.",
            "An outside system needs the organisations it acts for.",
        ));
    }
    partners::upsert(
        db,
        &NewPartner {
            partner_id: id,
            name,
            kind,
            url: (!url.is_empty()).then_some(url),
            secret: &secret,
            all_organisations: all,
            organisations: &organisations,
            medo: medo.as_ref(),
        },
    )
    .await?;
    Ok(secret)
}

/// `POST /admin/integration`
pub async fn create(
    ctx: PageCtx,
    _admin: Admin,
    State(db): State<Db>,
    State(config): State<Arc<Config>>,
    Form(f): Form<PartnerForm>,
) -> AppResult<Response> {
    let generated = f.secret.trim().is_empty();
    let secret = save(&db, &config, &f).await?;
    if generated {
        render(&ctx, &db, &config, Some(&secret)).await
    } else {
        Ok(Redirect::to("/admin/integration?done=1").into_response())
    }
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct ToggleForm {
    #[serde(default)]
    partner_id: String,
    #[serde(default)]
    disable: String,
}

/// `POST /admin/integration/toggle`
pub async fn toggle(
    _admin: Admin,
    State(db): State<Db>,
    Form(f): Form<ToggleForm>,
) -> AppResult<Response> {
    if !partners::set_disabled(&db, &f.partner_id, f.disable == "1").await? {
        return Err(AppError::not_found());
    }
    Ok(Redirect::to("/admin/integration?done=1").into_response())
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct RetryForm {
    #[serde(default)]
    outbox_id: i64,
}

/// `POST /admin/integration/retry`
pub async fn retry(
    _admin: Admin,
    State(db): State<Db>,
    State(exchange): State<Exchange>,
    State(mailer): State<Mailer>,
    State(search): State<SearchIndex>,
    Form(f): Form<RetryForm>,
) -> AppResult<Response> {
    if !crate::db::queue::retry_dead(&db, f.outbox_id).await? {
        return Err(AppError::not_found());
    }
    exchange.notify();
    mailer.notify();
    search.notify();
    Ok(Redirect::to("/admin/integration?done=1").into_response())
}

impl PartnerForm {
    pub fn new(
        partner_id: String,
        name: String,
        kind: String,
        url: String,
        secret: String,
        all_organisations: bool,
        organisations: String,
    ) -> PartnerForm {
        PartnerForm {
            partner_id,
            name,
            kind,
            url,
            secret,
            all_organisations: all_organisations.then(|| "on".to_owned()),
            organisations,
            ..PartnerForm::default()
        }
    }

    /// A МЭДО partner's transport (`veche partner --kind medo`).
    pub fn with_medo(
        mut self,
        medo_uid: String,
        inbound_dir: String,
        outbound_dir: String,
        encoding: String,
    ) -> PartnerForm {
        self.medo_uid = medo_uid;
        self.inbound_dir = inbound_dir;
        self.outbound_dir = outbound_dir;
        self.encoding = encoding;
        self
    }
}

texts!(ExchangeTexts {
    outside_system_document_flow: "внешняя система (СЭД)", "outside system (document flow)";
    medo_partner: "СЭД через МЭДО (папки пакетов)", "doc-flow system over MEDO (package folders)";
    medo_fields: "Только для МЭДО", "MEDO only";
    medo_uid: "Идентификатор участника МЭДО (GUID)", "MEDO participant id (GUID)";
    inbound_dir: "Входящая папка (пакеты от партнёра)", "Inbound folder (packages from the partner)";
    outbound_dir: "Исходящая папка (пакеты veche)", "Outbound folder (veche's packages)";
    encoding: "Кодировка пакетов veche", "Encoding of veche's packages";
    medo_packages: "Пакеты МЭДО и пункты, ждущие исполнителя", "MEDO packages and clauses waiting for an executor";
    another_veche_instance: "другой экземпляр veche", "another veche instance";
    integration: "Интеграция", "Integration";
    administration: "Администрирование", "Administration";
    instance_signs_messages: "Этот экземпляр подписывает сообщения ключом ", "This instance signs its messages as ";
    order_management_core: "; ядро управления поручениями: ", "; the order-management core: ";
    messages_are_described: "Сообщения описаны в ", "Messages are described in ";
    partner_s_secret_give: "Секрет партнёра (передайте его партнёру защищённым каналом; он больше не будет показан):", "The partner's secret (give it to the partner over a secure channel; it will not be shown again):";
    messages_waiting_delivery: "Сообщений ждут доставки: ", "Messages waiting for delivery: ";
    partners: "Партнёры", "Partners";
    no_partners: "Партнёров нет.", "No partners.";
    id: "Идентификатор", "Id";
    name: "Название", "Name";
    kind: "Вид", "Kind";
    organisations: "Организации", "Organisations";
    state: "Состояние", "State";
    all: "все", "all";
    disabled: "отключён", "disabled";
    enable: "включить", "enable";
    active: "действует", "active";
    disable: "отключить", "disable";
    add_change_partner: "Добавить или изменить партнёра", "Add or change a partner";
    id_partner_signs_messages: "Идентификатор (им партнёр подписывает сообщения)", "Id (the partner signs its messages with it)";
    url_messages_are_delivered: "URL для доставки сообщений (вебхук)", "URL messages are delivered to (webhook)";
    shared_secret_empty_generate: "Общий секрет (пусто — создать новый)", "Shared secret (empty: generate one)";
    acts_every_organisation: "действует за все организации", "acts for every organisation";
    organisations_ids_comma_separated: "Организации (идентификаторы через запятую)", "Organisations (ids, comma-separated)";
    save: "Сохранить", "Save";
    dead_letters: "Недоставленные сообщения", "Dead letters";
    none: "Нет.", "None.";
    queue: "Очередь", "Queue";
    attempts: "Попыток", "Attempts";
    last_error: "Последняя ошибка", "Last error";
    when: "Когда", "When";
    retry: "повторить", "retry";
});
