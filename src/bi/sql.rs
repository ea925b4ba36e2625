//! The dialect helpers the marts' SQL is written with, so that one
//! definition gives the same column (type and value) on SQLite and
//! PostgreSQL. Times are stored as text on SQLite and `timestamptz` on
//! PostgreSQL; the marts turn them into Moscow dates and months (Krasnodar
//! Krai keeps Moscow time, UTC+3 without summer time since 2014). Both
//! backends add the fixed UTC+3, not the zone's history, so a time before
//! 2014 falls on the same day on both.

use crate::db::Backend;

/// The Moscow date (`YYYY-MM-DD`) of a stored time.
pub fn day(b: Backend, ts: &str) -> String {
    match b {
        Backend::Sqlite => format!("strftime('%Y-%m-%d', {ts}, '+3 hours')"),
        Backend::Postgres => format!("to_char({ts} at time zone interval '+03:00', 'YYYY-MM-DD')"),
    }
}

/// The Moscow month (`YYYY-MM`) of a stored time.
pub fn month(b: Backend, ts: &str) -> String {
    match b {
        Backend::Sqlite => format!("strftime('%Y-%m', {ts}, '+3 hours')"),
        Backend::Postgres => format!("to_char({ts} at time zone interval '+03:00', 'YYYY-MM')"),
    }
}

/// Hours from `a` to `b` (fractional; null when either is null).
pub fn hours_between(b: Backend, from: &str, to: &str) -> String {
    match b {
        Backend::Sqlite => format!("((julianday({to}) - julianday({from})) * 24.0)"),
        Backend::Postgres => {
            format!("(extract(epoch from ({to} - {from})) / 3600.0)::double precision")
        }
    }
}

/// Whole days from `a` to `b`, rounded down (negative when `b` is earlier).
pub fn days_between(b: Backend, from: &str, to: &str) -> String {
    match b {
        Backend::Sqlite => format!("cast(julianday({to}) - julianday({from}) as integer)"),
        Backend::Postgres => {
            format!("cast(trunc(extract(epoch from ({to} - {from})) / 86400) as bigint)")
        }
    }
}

/// The current time, as the stored times are compared with it.
pub fn now(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
        Backend::Postgres => "now()",
    }
}

/// A time compared with now: `ts < now`, on both backends (SQLite compares
/// the stored text through `julianday`, which reads every stored form).
pub fn before_now(b: Backend, ts: &str) -> String {
    match b {
        Backend::Sqlite => format!("(julianday({ts}) < julianday('now'))"),
        Backend::Postgres => format!("({ts} < now())"),
    }
}

/// `a <= b` between two stored times.
pub fn not_after(b: Backend, a: &str, c: &str) -> String {
    match b {
        Backend::Sqlite => format!("(julianday({a}) <= julianday({c}))"),
        Backend::Postgres => format!("({a} <= {c})"),
    }
}

/// 1 when `cond` holds, else 0 (null stays 0).
pub fn flag(cond: &str) -> String {
    format!("(case when {cond} then 1 else 0 end)")
}

/// A coordinate rounded to the grid the marts publish: 0.01° (about 1.1 km
/// north–south), so no row points at a citizen's door.
pub fn grid(b: Backend, coordinate: &str) -> String {
    match b {
        Backend::Sqlite => format!("round({coordinate}, 2)"),
        Backend::Postgres => {
            format!("cast(round(cast({coordinate} as numeric), 2) as double precision)")
        }
    }
}

/// A number as a double on both backends (PostgreSQL's `avg` and `sum`
/// give `numeric`, which the explorer does not read).
pub fn real(b: Backend, expr: &str) -> String {
    match b {
        Backend::Sqlite => format!("cast({expr} as real)"),
        Backend::Postgres => format!("cast({expr} as double precision)"),
    }
}

/// An integer on both backends (`bigint` on PostgreSQL).
pub fn integer(b: Backend, expr: &str) -> String {
    match b {
        Backend::Sqlite => format!("cast({expr} as integer)"),
        Backend::Postgres => format!("cast({expr} as bigint)"),
    }
}

/// The portfolio of an organisation id expression, through the schema's
/// own relation of organisations.
pub fn portfolio_of(org: &str) -> String {
    format!("(select mo.portfolio_id from mart_organisations mo where mo.organisation_id = {org})")
}

/// A stored calendar date (`date` on PostgreSQL, `YYYY-MM-DD` text on
/// SQLite) as `YYYY-MM-DD` text.
pub fn date(b: Backend, col: &str) -> String {
    match b {
        Backend::Sqlite => format!("substr({col}, 1, 10)"),
        Backend::Postgres => format!("to_char({col}, 'YYYY-MM-DD')"),
    }
}

/// The month (`YYYY-MM`) of a stored calendar date.
pub fn date_month(b: Backend, col: &str) -> String {
    match b {
        Backend::Sqlite => format!("substr({col}, 1, 7)"),
        Backend::Postgres => format!("to_char({col}, 'YYYY-MM')"),
    }
}

/// Today in Moscow as `YYYY-MM-DD` text (compare text dates with it).
pub fn today(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "strftime('%Y-%m-%d', 'now', '+3 hours')",
        Backend::Postgres => "to_char(now() at time zone interval '+03:00', 'YYYY-MM-DD')",
    }
}

/// Today in Moscow, comparable with stored calendar dates (`date` on
/// PostgreSQL, text on SQLite).
pub fn today_date(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "strftime('%Y-%m-%d', 'now', '+3 hours')",
        Backend::Postgres => "cast(now() at time zone interval '+03:00' as date)",
    }
}

/// The smaller of two numbers.
pub fn least(a: &str, c: &str) -> String {
    format!("(case when {a} < {c} then {a} else {c} end)")
}
