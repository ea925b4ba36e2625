//! One error type for every handler. It knows the HTTP status and a message a
//! person can act on, in Russian and English. `IntoResponse` stays pure: it
//! records the error in the response extensions, and the `render_errors`
//! middleware (web/errors.rs) turns it into an HTML page or a JSON body,
//! depending on who asked, and logs server errors once inside the request span.

use std::borrow::Cow;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::web::i18n::Locale;

/// A message in both languages of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub ru: Cow<'static, str>,
    pub en: Cow<'static, str>,
}

impl Msg {
    pub fn new(ru: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> Msg {
        Msg {
            ru: ru.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::Ru => &self.ru,
            Locale::En => &self.en,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A request the client can fix: wrong input, unknown thing, no right.
    #[error("{status}: {code}")]
    Client {
        status: StatusCode,
        code: &'static str,
        msg: Msg,
    },
    /// The page needs a signed-in user; browsers are sent to the sign-in page.
    #[error("sign-in required")]
    Unauthorized,
    /// Too many attempts; the client may try again after the given seconds.
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// Too much expensive work at once: 503 with `Retry-After`, not logged as
    /// an error (web/limits.rs).
    #[error("busy")]
    Busy { retry_after_secs: u64 },
    /// A dependency (database, index) is down: 503, logged.
    #[error("service unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    /// A bug or an unexpected failure: logged, shown as a generic 500.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn client(status: StatusCode, code: &'static str, msg: Msg) -> AppError {
        AppError::Client { status, code, msg }
    }

    pub fn bad_request(code: &'static str, msg: Msg) -> AppError {
        AppError::client(StatusCode::BAD_REQUEST, code, msg)
    }

    /// 422 `invalid_input`: input that was read but cannot be accepted, with
    /// what is wrong in both languages.
    pub fn invalid(ru: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> AppError {
        AppError::unprocessable("invalid_input", Msg::new(ru, en))
    }

    pub fn unprocessable(code: &'static str, msg: Msg) -> AppError {
        AppError::client(StatusCode::UNPROCESSABLE_ENTITY, code, msg)
    }

    pub fn conflict(code: &'static str, msg: Msg) -> AppError {
        AppError::client(StatusCode::CONFLICT, code, msg)
    }

    pub fn not_found() -> AppError {
        AppError::client(
            StatusCode::NOT_FOUND,
            "not_found",
            Msg::new(
                "Такой страницы нет. Проверьте адрес или начните с главной.",
                "There is no such page. Check the address or start from the home page.",
            ),
        )
    }

    pub fn forbidden() -> AppError {
        AppError::client(
            StatusCode::FORBIDDEN,
            "forbidden",
            Msg::new(
                "У вашей учётной записи нет прав на это действие. Если они нужны вам для работы, обратитесь к администратору.",
                "Your account is not allowed to do this. If you need it for your work, ask an administrator.",
            ),
        )
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Client { status, .. } => *status,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy { .. } | AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable machine-readable code, for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Client { code, .. } => code,
            AppError::Unauthorized => "unauthorized",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Busy { .. } => "busy",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// What the person sees. Never includes internal details.
    pub fn message(&self) -> Msg {
        match self {
            AppError::Client { msg, .. } => msg.clone(),
            AppError::Unauthorized => {
                Msg::new("Войдите, чтобы продолжить.", "Please sign in to continue.")
            }
            AppError::RateLimited { retry_after_secs } => Msg::new(
                format!("Слишком много попыток. Повторите через {retry_after_secs} с."),
                format!("Too many attempts. Try again in {retry_after_secs} s."),
            ),
            AppError::Busy { retry_after_secs } => Msg::new(
                format!(
                    "Сервер сейчас занят такими же тяжёлыми запросами (выгрузки, отчёты, обработка файлов). Повторите через {retry_after_secs} с."
                ),
                format!(
                    "The server is busy with other heavy requests (exports, reports, file processing). Try again in {retry_after_secs} s."
                ),
            ),
            AppError::Unavailable(_) => Msg::new(
                "Сервис временно недоступен. Повторите попытку через минуту.",
                "The service is temporarily unavailable. Please try again in a minute.",
            ),
            AppError::Internal(_) => Msg::new(
                "На сервере произошла ошибка. Мы уже знаем о ней; повторите попытку позже.",
                "Something went wrong on the server. It has been logged; please try again later.",
            ),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> AppError {
        match error {
            sqlx::Error::RowNotFound => AppError::not_found(),
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
                AppError::Unavailable(anyhow::Error::new(error))
            }
            // Overload, not a fault: SQLite's write lock still held by
            // another writer after the busy timeout (5 SQLITE_BUSY, 6
            // SQLITE_LOCKED), or PostgreSQL out of connections or locks.
            // A 503 with Retry-After tells the client to come back.
            sqlx::Error::Database(ref d)
                if d.code()
                    .is_some_and(|c| matches!(c.as_ref(), "5" | "6" | "53300" | "55P03")) =>
            {
                AppError::Unavailable(anyhow::Error::new(error))
            }
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

/// The error as carried in response extensions to the rendering middleware.
#[derive(Clone)]
pub struct ErrorInfo(pub Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (status, self.message().en.into_owned()).into_response();
        if let AppError::RateLimited { retry_after_secs } | AppError::Busy { retry_after_secs } =
            &self
            && let Ok(v) = retry_after_secs.to_string().parse()
        {
            {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        response.extensions_mut().insert(ErrorInfo(Arc::new(self)));
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
