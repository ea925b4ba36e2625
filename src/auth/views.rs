//! Pages of sign-in, registration, password reset and the account.

use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use crate::auth::CurrentUser;
use crate::auth::queries::AccountRow;
use crate::error::Msg;
use crate::geo::geography;
use crate::texts;
use crate::web::components::{FieldErrors, Input, Select, checkbox, error_summary, notice};
use crate::web::i18n::Locale;
use crate::web::layout::{Page, PageCtx};

texts!(pub AuthTexts {
    login_title: "Вход", "Sign in";
    register_title: "Регистрация", "Register";
    email: "Электронная почта", "E-mail";
    password: "Пароль", "Password";
    new_password: "Новый пароль", "New password";
    password_hint: "Не короче 10 символов. Удобно взять несколько слов.", "At least 10 characters. A few words work well.";
    name: "Имя", "Name";
    name_hint: "Так вас увидят другие пользователи, если вы не скроете имя.", "How other people see you, unless you hide your name.";
    municipality: "Муниципалитет проживания", "Municipality of residence";
    municipality_hint: "Нужен, чтобы учитывать ваш голос в рейтингах своего муниципалитета. Подтверждённым он станет после входа через Госуслуги.",
                       "Used to count your vote in the rankings of your municipality. It becomes verified when you sign in through Gosuslugi.";
    choose: "— выберите —", "— choose —";
    consent: "Я согласен(на) на обработку персональных данных в соответствии с Федеральным законом № 152-ФЗ для работы с порталом.",
             "I consent to the processing of my personal data under Federal Law No. 152-FZ for the purposes of this portal.";
    submit_login: "Войти", "Sign in";
    submit_register: "Зарегистрироваться", "Register";
    no_account: "Нет учётной записи?", "No account yet?";
    forgot_link: "Забыли пароль?", "Forgot your password?";
    or: "или", "or";
    oidc_button: "Войти через", "Sign in with";
    check_mail_title: "Проверьте почту", "Check your mail";
    check_mail: "Мы отправили письмо со ссылкой для подтверждения адреса. Ссылка действует 48 часов. Если письма нет, проверьте папку «Спам».",
                "We have sent you a link to confirm your address. It is valid for 48 hours. If you cannot find it, look in your spam folder.";
    confirmed_title: "Адрес подтверждён", "Address confirmed";
    confirmed: "Спасибо! Теперь вы можете войти.", "Thank you! You can sign in now.";
    bad_link_title: "Ссылка недействительна", "The link is not valid";
    bad_link: "Ссылка устарела или уже использована. Запросите новую.", "The link has expired or has already been used. Request a new one.";
    forgot_title: "Восстановление пароля", "Reset your password";
    forgot_intro: "Укажите адрес, с которым вы регистрировались, и мы пришлём ссылку для смены пароля.", "Enter the address you registered with and we will send you a link to set a new password.";
    forgot_submit: "Прислать ссылку", "Send the link";
    forgot_sent: "Если учётная запись с этим адресом существует, мы отправили на него ссылку. Она действует один час.",
                 "If an account with this address exists, we have sent it a link. The link is valid for one hour.";
    reset_title: "Новый пароль", "New password";
    reset_submit: "Сохранить пароль", "Save the password";
    reset_done: "Пароль изменён. Все другие входы в вашу учётную запись завершены.", "Your password has been changed. Every other sign-in to your account has been ended.";
    account_title: "Личный кабинет", "My account";
    verified: "подтверждён Госуслугами", "verified by Gosuslugi";
    declared: "указан вами", "declared by you";
    not_set: "не указан", "not set";
    hide_name: "Скрывать моё имя в публичных обращениях (ведомство всё равно его увидит)", "Hide my name on public reports (the department still sees it)";
    language: "Язык писем", "Language of mail";
    save: "Сохранить", "Save";
    saved: "Изменения сохранены.", "Your changes have been saved.";
    change_password: "Сменить пароль", "Change the password";
    current_password: "Текущий пароль", "Current password";
    no_password_yet: "Вы входите через Госуслуги; пароль позволит входить и по адресу почты.", "You sign in through Gosuslugi; a password lets you sign in with your e-mail too.";
    password_changed: "Пароль изменён. На других устройствах нужно войти заново.", "The password has been changed. Other devices must sign in again.";
    roles: "Роли", "Roles";
    role_citizen: "житель", "citizen";
    role_moderator: "модератор", "moderator";
    role_admin: "администратор", "administrator";
    role_officer: "сотрудник ведомства", "department officer";
    role_executor: "исполнитель", "executor";
    workspace_title: "Рабочее место", "Workspace";
    workspace_intro: "Ваши организации, роли и очереди работы.", "Your organisations, roles and work queues.";
    notifications: "Уведомления", "Notifications";
    my_reports: "Мои обращения", "My requests";
    workspace_problems: "Обращения граждан, направленные в ваши организации", "Citizens' reports routed to your organisations";
    workspace_moderation: "Модерация обращений", "Report moderation";
    order_management: "Управление поручениями", "Order management";
    my_tasks_orders: "Мои задачи и поручения", "My tasks and orders";
    explorer: "Конструктор отчётов по данным", "Data explorer";
});

fn municipality_options(locale: Locale) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = geography()
        .all()
        .iter()
        .map(|m| (m.id.clone(), m.name(locale).to_owned()))
        .collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v
}

fn status(errors: &FieldErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

pub struct LoginView<'a> {
    pub email: &'a str,
    pub next: &'a str,
    pub error: Option<Msg>,
    pub oidc_name: Option<&'a str>,
}

pub fn login_page(ctx: &PageCtx, v: LoginView<'_>) -> Response {
    let t = AuthTexts::get(ctx.locale);
    let l = ctx.locale;
    let errors = FieldErrors::new();
    let code = if v.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Page::new(ctx, t.login_title).status(code).render(html! {
        div.narrow {
            h1 { (t.login_title) }
            @if let Some(e) = &v.error {
                (notice("error", html! { (e.get(l)) }))
            }
            @if let Some(name) = v.oidc_name {
                p { a.button.button-oidc href={ "/auth/oidc/start?next=" (urlenc(v.next)) } { (t.oidc_button) " " (name) } }
                p.separator { (t.or) }
            }
            form.stack method="post" action="/auth/login" {
                (ctx.csrf_field())
                input type="hidden" name="next" value=(v.next);
                (Input::new("email", t.email, v.email).kind("email").autocomplete("username").required().render(l, &errors))
                (Input::new("password", t.password, "").kind("password").autocomplete("current-password").required().render(l, &errors))
                div.actions { button.button type="submit" { (t.submit_login) } }
            }
            p { a href="/auth/forgot" { (t.forgot_link) } }
            p { (t.no_account) " " a href="/auth/register" { (t.register_title) } }
        }
    })
}

pub fn urlenc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub municipality_id: String,
    #[serde(default)]
    pub consent: Option<String>,
}

pub fn register_page(ctx: &PageCtx, form: &RegisterForm, errors: &FieldErrors) -> Response {
    let t = AuthTexts::get(ctx.locale);
    let l = ctx.locale;
    let options = municipality_options(l);
    Page::new(ctx, t.register_title).status(status(errors)).render(html! {
        div.narrow {
            h1 { (t.register_title) }
            (error_summary(l, errors))
            form.stack method="post" action="/auth/register" novalidate {
                (ctx.csrf_field())
                (Input::new("email", t.email, &form.email).kind("email").autocomplete("email").required().render(l, errors))
                (Input::new("display_name", t.name, &form.display_name).autocomplete("name").required().hint(t.name_hint).render(l, errors))
                (Input::new("password", t.password, "").kind("password").autocomplete("new-password").required().hint(t.password_hint).render(l, errors))
                (Select { name: "municipality_id", label: t.municipality, options: &options, selected: &form.municipality_id, placeholder: Some(t.choose), disabled: false }.render(l, errors))
                p.hint { (t.municipality_hint) }
                (checkbox(l, errors, "consent", html! { (t.consent) }, form.consent.is_some()))
                div.actions { button.button type="submit" { (t.submit_register) } }
            }
        }
    })
}

/// A page with a title and one message.
pub fn message_page(ctx: &PageCtx, title: &str, kind: &'static str, body: Markup) -> Response {
    Page::new(ctx, title).render(html! {
        div.narrow {
            h1 { (title) }
            (notice(kind, body))
        }
    })
}

/// 410 Gone: a mailed link that expired or was used; says where to go next.
pub fn bad_link_page(ctx: &PageCtx, href: &str, label: &str) -> Response {
    let t = AuthTexts::get(ctx.locale);
    let mut r = message_page(
        ctx,
        t.bad_link_title,
        "error",
        html! {
            (t.bad_link) " " a href=(href) { (label) }
        },
    );
    *r.status_mut() = StatusCode::GONE;
    r
}

pub fn forgot_page(ctx: &PageCtx, email: &str, errors: &FieldErrors) -> Response {
    let t = AuthTexts::get(ctx.locale);
    let l = ctx.locale;
    Page::new(ctx, t.forgot_title).status(status(errors)).render(html! {
        div.narrow {
            h1 { (t.forgot_title) }
            p { (t.forgot_intro) }
            (error_summary(l, errors))
            form.stack method="post" action="/auth/forgot" novalidate {
                (ctx.csrf_field())
                (Input::new("email", t.email, email).kind("email").autocomplete("email").required().render(l, errors))
                div.actions { button.button type="submit" { (t.forgot_submit) } }
            }
        }
    })
}

pub fn reset_page(ctx: &PageCtx, token: &str, errors: &FieldErrors) -> Response {
    let t = AuthTexts::get(ctx.locale);
    let l = ctx.locale;
    Page::new(ctx, t.reset_title).status(status(errors)).render(html! {
        div.narrow {
            h1 { (t.reset_title) }
            (error_summary(l, errors))
            form.stack method="post" action={ "/auth/reset/" (token) } novalidate {
                (ctx.csrf_field())
                (Input::new("password", t.new_password, "").kind("password").autocomplete("new-password").required().hint(t.password_hint).render(l, errors))
                div.actions { button.button type="submit" { (t.reset_submit) } }
            }
        }
    })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub municipality_id: String,
    #[serde(default)]
    pub hide_name: Option<String>,
    #[serde(default)]
    pub locale: String,
}

impl AccountForm {
    /// The form as the account stands.
    pub fn of(account: &crate::auth::queries::AccountRow) -> AccountForm {
        AccountForm {
            display_name: account.display_name.clone(),
            municipality_id: account.municipality_id.clone().unwrap_or_default(),
            hide_name: account.hide_name.then(|| "on".to_owned()),
            locale: account.locale.clone(),
        }
    }
}

pub fn account_page(
    ctx: &PageCtx,
    user: &CurrentUser,
    account: &AccountRow,
    form: &AccountForm,
    errors: &FieldErrors,
    saved: Option<&str>,
) -> Response {
    let t = AuthTexts::get(ctx.locale);
    let l = ctx.locale;
    let options = municipality_options(l);
    let verified = account.municipality_status.as_deref() == Some("verified");
    let residence = match (&account.municipality_id, &account.municipality_status) {
        (Some(id), Some(s)) => {
            let name = geography()
                .by_id(id)
                .map(|m| m.name(l).to_owned())
                .unwrap_or_default();
            let how = if s == "verified" {
                t.verified
            } else {
                t.declared
            };
            format!("{name} ({how})")
        }
        _ => t.not_set.to_owned(),
    };
    let locales = vec![
        ("ru".to_owned(), "Русский".to_owned()),
        ("en".to_owned(), "English".to_owned()),
    ];
    Page::new(ctx, t.account_title).status(status(errors)).render(html! {
        div.narrow {
            h1 { (t.account_title) }
            @match saved {
                Some("password") => (notice("success", html! { (t.password_changed) })),
                Some(_) => (notice("success", html! { (t.saved) })),
                None => {}
            }
            dl.facts {
                dt { (t.email) } dd { (account.email.as_deref().unwrap_or("—")) }
                dt { (t.municipality) } dd #residence { (residence) }
                dt { (t.roles) } dd { (roles_text(l, user)) }
            }
            ul {
                li { a href="/account/notifications" { (t.notifications) } }
                li { a href="/account/requests" { (t.my_reports) } }
            }
            (error_summary(l, errors))
            form.stack method="post" action="/account" novalidate {
                (ctx.csrf_field())
                (Input::new("display_name", t.name, &form.display_name).autocomplete("name").required().render(l, errors))
                (Select { name: "municipality_id", label: t.municipality, options: &options, selected: &form.municipality_id, placeholder: Some(t.choose), disabled: verified }.render(l, errors))
                @if !verified { p.hint { (t.municipality_hint) } }
                (checkbox(l, errors, "hide_name", html! { (t.hide_name) }, form.hide_name.is_some()))
                (Select { name: "locale", label: t.language, options: &locales, selected: &form.locale, placeholder: None, disabled: false }.render(l, errors))
                div.actions { button.button type="submit" { (t.save) } }
            }
            h2 #password-h { (t.change_password) }
            form.stack method="post" action="/account/password" novalidate aria-labelledby="password-h" {
                (ctx.csrf_field())
                @if account.password_hash.is_some() {
                    (Input::new("current_password", t.current_password, "").kind("password").autocomplete("current-password").required().render(l, errors))
                } @else {
                    p.hint { (t.no_password_yet) }
                }
                (Input::new("new_password", t.new_password, "").kind("password").autocomplete("new-password").required().hint(t.password_hint).render(l, errors))
                div.actions { button.button type="submit" { (t.change_password) } }
            }
        }
    })
}

pub fn roles_text(l: Locale, user: &CurrentUser) -> String {
    let t = AuthTexts::get(l);
    let mut roles = vec![t.role_citizen.to_owned()];
    if user
        .roles
        .contains(&crate::auth::domain::GlobalRole::Moderator)
    {
        roles.push(t.role_moderator.to_owned());
    }
    if user.is_admin() {
        roles.push(t.role_admin.to_owned());
    }
    for m in &user.memberships {
        let role = match m.kind {
            crate::auth::domain::MembershipKind::Officer => t.role_officer,
            crate::auth::domain::MembershipKind::Executor => t.role_executor,
        };
        roles.push(format!("{role} ({})", l.pick(&m.name_ru, &m.name_en)));
    }
    roles.join(", ")
}

pub fn workspace_page(ctx: &PageCtx, user: &CurrentUser) -> Response {
    let t = AuthTexts::get(ctx.locale);
    let l = ctx.locale;
    Page::new(ctx, t.workspace_title).render(html! {
        h1 { (t.workspace_title) }
        p { (t.workspace_intro) }
        p { (t.roles) ": " (roles_text(l, user)) }
        ul.cards {
            @if user.is_officer() || user.is_admin() {
                li { a href="/workspace/problems" { (t.workspace_problems) } }
            }
            @if user.is_moderator() {
                li { a href="/moderation/problems" { (t.workspace_moderation) } }
            }
            @if user.works_in_core() {
                li { a href="/pm" { (AuthTexts::get(l).order_management) } }
                li { a href="/pm/tasks" { (AuthTexts::get(l).my_tasks_orders) } }
                li { a href="/bi/explore" { (AuthTexts::get(l).explorer) } }
            }
        }
        @if !user.memberships.is_empty() {
            ul {
                @for m in &user.memberships {
                    li { a href={ "/organisations/" (m.organisation_id) } { (l.pick(&m.name_ru, &m.name_en)) } }
                }
            }
        }
    })
}
