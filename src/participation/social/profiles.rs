//! Profiles: `/people/{id}` shows the name a person shows (none when they
//! hide it), an optional avatar (processed like every photo: upright,
//! stripped of metadata, resized), the municipality, what they wrote about
//! themselves, an official's organisations and roles, and only the
//! activity they chose to make public (private by default).
//! `/account/profile` is where they choose.

use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Router, extract::DefaultBodyLimit};
use maud::{Markup, html};
use sqlx::FromRow;

use super::views::person_name;
use crate::activity::{self, Category};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::db::{Db, Tx, now};
use crate::error::{AppError, AppResult, Msg};
use crate::web::extract::Path;
use crate::web::layout::{Page, PageCtx};
use crate::{exec_tx, fetch_db, fetch_tx};

pub const ABOUT_MAX: usize = 1000;

pub fn router() -> Router<AppState> {
    Router::new().route("/people/{id}", get(show)).route(
        "/account/profile",
        get(edit)
            .post(save)
            .layer(DefaultBodyLimit::max(crate::media::MAX_BYTES + 64 * 1024)),
    )
}

crate::texts!(T {
    profile: "Профиль", "Profile";
    my_profile: "Мой профиль", "My profile";
    municipality: "Муниципалитет", "Municipality";
    works_in: "Должностное лицо", "Official";
    officer: "ответственный сотрудник", "officer";
    executor: "исполнитель", "executor";
    activity: "Активность", "Activity";
    private: "Активность этого человека скрыта: он не сделал её публичной.", "This person's activity is private: they have not made it public.";
    nothing: "Пока ничего.", "Nothing yet.";
    publications: "Публикации", "Publications";
    write: "Написать сообщение", "Send a message";
    edit: "Изменить профиль", "Edit the profile";
    about: "О себе", "About me";
    avatar: "Аватар (JPEG или PNG; сведения о съёмке и месте удаляются)", "Avatar (JPEG or PNG; camera and location data are removed)";
    remove_avatar: "Удалить аватар", "Remove the avatar";
    public_activity: "Что показывать другим", "What others may see";
    public_hint: "По умолчанию ваша активность видна только вам. Публикации и альбомы публичны всегда.", "By default only you see your activity. Publications and albums are always public.";
    reports: "Мои сообщения о проблемах", "My problem reports";
    supports: "Что я поддержал", "What I supported";
    suggestions: "Мои предложения", "My suggestions";
    initiatives: "Мои инициативы", "My initiatives";
    comments: "Мои комментарии", "My comments";
    save: "Сохранить", "Save";
    saved: "Профиль сохранён.", "The profile is saved.";
    name_hint: "Имя и муниципалитет меняются в настройках учётной записи; если вы скрыли имя, другие видят «Житель края».", "The name and municipality are changed in the account settings; if you hide your name, others see “A resident”.";
});

/// A profile as others see it.
#[derive(Debug, Clone, FromRow)]
pub struct ProfileRow {
    pub account_id: i64,
    /// Empty when the person hides their name.
    pub shown_name: String,
    pub municipality_id: Option<String>,
    pub about: String,
    pub avatar_key: Option<String>,
    pub public_activity: i64,
}

pub async fn profile(db: &Db, id: i64) -> Result<Option<ProfileRow>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        ProfileRow,
        "select a.account_id,
             case when a.hide_name then '' else a.display_name end as shown_name,
             a.municipality_id, coalesce(p.about, '') as about, p.avatar_key,
             coalesce(p.public_activity, 0) as public_activity
         from account a left join profile p on p.account_id = a.account_id
         where a.account_id = $1 and a.disabled_at is null",
        id
    )
}

/// An official's organisations and roles (officials act in their role, so
/// their profile says where).
async fn roles(db: &Db, id: i64) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    fetch_db!(
        db,
        fetch_all,
        (String, String, String),
        "select o.name_ru, o.name_en, m.kind from membership m
         join organisation o on o.organisation_id = m.organisation_id
         where m.account_id = $1 order by o.name_ru limit 50",
        id
    )
}

async fn upsert(
    tx: &mut Tx,
    id: i64,
    about: &str,
    avatar: Option<Option<&str>>,
    public_activity: i64,
) -> Result<Option<String>, sqlx::Error> {
    let old: Option<(Option<String>,)> = fetch_tx!(
        tx,
        fetch_optional,
        (Option<String>,),
        "select avatar_key from profile where account_id = $1",
        id
    )?;
    let old = old.and_then(|r| r.0);
    let avatar_now = match avatar {
        Some(new) => new.map(str::to_owned),
        None => old.clone(),
    };
    exec_tx!(
        tx,
        "insert into profile (account_id, about, avatar_key, public_activity, updated_at)
         values ($1, $2, $3, $4, $5)
         on conflict (account_id) do update set about = $2, avatar_key = $3,
             public_activity = $4, updated_at = $5",
        id,
        about,
        avatar_now.as_deref(),
        public_activity,
        now()
    )?;
    // The replaced avatar's files are removed after the commit.
    Ok(old.filter(|o| Some(o) != avatar_now.as_ref()))
}

/// Whether a stored photo is someone's avatar: avatars are public, as the
/// profile is.
pub async fn is_avatar(db: &Db, key: &str) -> Result<bool, sqlx::Error> {
    fetch_db!(
        db,
        fetch_optional,
        (i64,),
        "select account_id from profile where avatar_key = $1",
        key
    )
    .map(|r| r.is_some())
}

/// Avatars are shown to anyone (`media::PhotoRule`).
pub struct Avatars;

#[async_trait::async_trait]
impl crate::media::PhotoRule for Avatars {
    async fn visibility(
        &self,
        db: &Db,
        key: &str,
        _user: Option<&CurrentUser>,
    ) -> AppResult<Option<crate::media::access::Visibility>> {
        Ok(is_avatar(db, key)
            .await?
            .then_some(crate::media::access::Visibility {
                public: true,
                visible: true,
            }))
    }
}

fn avatar(key: &Option<String>, name: &str) -> Markup {
    html! {
        @if let Some(k) = key {
            img.avatar src=(crate::media::url(k, "thumb")) alt=(name) width="96" height="96";
        }
    }
}

/// `GET /people/{id}`
pub async fn show(ctx: PageCtx, State(db): State<Db>, Path(id): Path<i64>) -> AppResult<Response> {
    let p = profile(&db, id).await?.ok_or_else(AppError::not_found)?;
    let l = ctx.locale;
    let t = T::get(l);
    let name = person_name(l, &p.shown_name);
    let reader = ctx.user.as_ref().map(|u| u.account_id);
    let own = reader == Some(id);
    let acts = activity::of_person(&db, reader, id, 30).await?;
    let roles = roles(&db, id).await?;
    // Someone who blocked the reader is not offered to follow (`follow`
    // refuses it with the same rule).
    let following = match reader {
        Some(r) if !own && !super::messages::blocked(&db, id, r).await? => {
            Some(activity::follows(&db, r, &activity::topic("person", id)).await?)
        }
        _ => None,
    };
    let blocked = match reader {
        Some(r) if !own => Some(super::messages::blocked(&db, r, id).await?),
        _ => None,
    };
    // Someone who hides their name shows nothing that could name them:
    // no avatar, no words about themselves, no municipality.
    let anonymous = p.shown_name.is_empty();
    let p = if anonymous {
        ProfileRow {
            about: String::new(),
            avatar_key: None,
            municipality_id: None,
            ..p
        }
    } else {
        p
    };
    let municipality = p
        .municipality_id
        .as_deref()
        .and_then(|m| crate::geo::geography().by_id(m))
        .map(|m| l.pick(&m.name_ru, &m.name_en).to_owned());
    Ok(Page::new(&ctx, &name).render(html! {
        div.profile-head {
            (avatar(&p.avatar_key, &name))
            h1 { (name) }
        }
        dl.facts {
            @if let Some(m) = &municipality { dt { (t.municipality) } dd { (m) } }
            @for (ru, en, kind) in &roles {
                dt { (t.works_in) }
                dd { (l.pick(ru, en)) ", " (if kind == "officer" { t.officer } else { t.executor }) }
            }
        }
        @if !p.about.is_empty() { p.about { (p.about) } }
        @if own {
            p { a href="/account/profile" { (t.edit) } }
        }
        @if let Some(f) = following {
            (super::views::follow_button(&ctx, "person", &id.to_string(), f))
        }
        @if let Some(b) = blocked {
            a.button href=(format!("/messages/{id}")) { (t.write) }
            (super::messages::block_button(&ctx, id, b))
        }
        @if !p.shown_name.is_empty() {
            p { a href=(format!("/publications?author={id}")) { (t.publications) } }
        }
        section #activity {
            h2 { (t.activity) }
            @if acts.is_empty() {
                p { (if p.public_activity == 0 && !own { t.private } else { t.nothing }) }
            } @else {
                (super::feed::activity_list(l, &acts))
            }
        }
    }))
}

fn checked(bits: i64, c: Category) -> bool {
    bits & c.bit() != 0
}

/// `GET /account/profile`
pub async fn edit(ctx: PageCtx, user: CurrentUser, State(db): State<Db>) -> AppResult<Response> {
    let p = profile(&db, user.account_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(edit_page(&ctx, &p, None, axum::http::StatusCode::OK))
}

fn edit_page(
    ctx: &PageCtx,
    p: &ProfileRow,
    error: Option<&Msg>,
    status: axum::http::StatusCode,
) -> Response {
    let l = ctx.locale;
    let t = T::get(l);
    let saved = ctx.here.contains("saved=1");
    let label = |c: Category| match c {
        Category::Reports => t.reports,
        Category::Supports => t.supports,
        Category::Suggestions => t.suggestions,
        Category::Initiatives => t.initiatives,
        Category::Comments | Category::Authored => t.comments,
    };
    Page::new(ctx, t.my_profile).status(status).render(html! {
        h1 { (t.my_profile) }
        @if saved { (crate::web::components::notice("success", html! { (t.saved) })) }
        @if let Some(e) = error {
            div.error-summary role="alert" { p { (e.get(l)) } }
        }
        p.hint { (t.name_hint) }
        (avatar(&p.avatar_key, ""))
        form method="post" action="/account/profile" enctype="multipart/form-data" {
            (ctx.csrf_field())
            label for="about" { (t.about) }
            textarea #about name="about" maxlength=(ABOUT_MAX) rows="4" { (p.about) }
            label for="avatar" { (t.avatar) }
            input #avatar type="file" name="avatar" accept="image/jpeg,image/png";
            @if p.avatar_key.is_some() {
                div.check {
                    input #remove_avatar type="checkbox" name="remove_avatar" value="on";
                    label for="remove_avatar" { (t.remove_avatar) }
                }
            }
            fieldset {
                legend { (t.public_activity) }
                p.hint { (t.public_hint) }
                @for c in Category::CHOOSABLE {
                    div.check {
                        input id=(format!("public-{}", c.name())) type="checkbox" name="public"
                            value=(c.name()) checked[checked(p.public_activity, c)];
                        label for=(format!("public-{}", c.name())) { (label(c)) }
                    }
                }
            }
            button type="submit" { (t.save) }
        }
        p { a href=(format!("/people/{}", p.account_id)) { (t.profile) } }
    })
}

/// `POST /account/profile` (multipart: about, avatar, remove_avatar,
/// public*)
pub async fn save(
    ctx: PageCtx,
    user: CurrentUser,
    State(state): State<AppState>,
    multipart: Multipart,
) -> AppResult<Response> {
    let mut about = String::new();
    let mut bits = 0;
    let mut remove = false;
    let files =
        crate::media::upload::read_multipart(multipart, "avatar", |name, value| match name {
            "about" => about = value,
            "remove_avatar" => remove = value == "on",
            "public" => {
                if let Some(c) = Category::parse(&value) {
                    bits |= c.bit();
                }
            }
            _ => {}
        })
        .await?;
    let current = profile(&state.db, user.account_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let refuse = |m: Msg| {
        let mut p = current.clone();
        p.about.clone_from(&about);
        p.public_activity = bits;
        Ok(edit_page(
            &ctx,
            &p,
            Some(&m),
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        ))
    };
    if let Some(m) = files.error {
        return refuse(m);
    }
    let about_clean =
        match crate::workflow::input::clean_text(&about, ABOUT_MAX, "о себе", "about", false) {
            Ok(a) => a,
            Err(m) => return refuse(m),
        };
    let mut photos = files.files;
    photos.truncate(1);
    let stored =
        match crate::media::upload::store_photos(&state.media, &state.gates, photos).await? {
            Ok(s) => s,
            Err(m) => return refuse(m),
        };
    let new_key = stored.first().map(|s| s.key.clone());
    let avatar = match (&new_key, remove) {
        (Some(k), _) => Some(Some(k.as_str())),
        (None, true) => Some(None),
        (None, false) => None,
    };
    let written = async {
        let mut tx = state.db.begin().await?;
        let replaced = upsert(&mut tx, user.account_id, &about_clean, avatar, bits).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(replaced)
    }
    .await;
    match written {
        Ok(replaced) => {
            if let Some(old) = replaced {
                crate::media::discard(&state.media, &[old]).await;
            }
            Ok(Redirect::to("/account/profile?saved=1").into_response())
        }
        Err(e) => {
            if let Some(k) = new_key {
                crate::media::discard(&state.media, &[k]).await;
            }
            Err(e.into())
        }
    }
}
