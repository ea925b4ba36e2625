//! `where` clauses with numbered parameters (`$1`, `$2`, …), which both
//! backends accept, for the lists that filter on any combination of fields
//! (requests, orders, registry objects). Values are always bound, never
//! written into the SQL.

use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub enum Param {
    Text(String),
    Int(i64),
    Float(f64),
    Time(OffsetDateTime),
}

#[derive(Debug, Default)]
pub struct Where {
    pub conditions: Vec<String>,
    pub params: Vec<Param>,
}

impl Where {
    /// The placeholder of a new parameter.
    pub fn mark(&mut self, p: Param) -> String {
        self.params.push(p);
        format!("${}", self.params.len())
    }

    /// `cond` with its `?` replaced by the next parameter.
    pub fn push(&mut self, cond: &str, p: Param) {
        let m = self.mark(p);
        self.conditions.push(cond.replace('?', &m));
    }

    /// `column in (…)` over the values.
    pub fn push_in(&mut self, column: &str, values: impl IntoIterator<Item = Param>) {
        let marks: Vec<String> = values.into_iter().map(|v| self.mark(v)).collect();
        if marks.is_empty() {
            self.conditions.push("1 = 0".into());
        } else {
            self.conditions
                .push(format!("{column} in ({})", marks.join(", ")));
        }
    }

    /// A condition without parameters (built from known words only).
    pub fn raw(&mut self, cond: impl Into<String>) {
        self.conditions.push(cond.into());
    }

    pub fn sql(&self) -> String {
        if self.conditions.is_empty() {
            "1 = 1".into()
        } else {
            self.conditions.join(" and ")
        }
    }
}

/// Binds a [`Where`]'s parameters, in order, to a query.
#[macro_export]
macro_rules! bind_params {
    ($q:expr, $params:expr) => {{
        let mut q = $q;
        for p in $params {
            q = match p {
                $crate::db::filter::Param::Text(s) => q.bind(s.clone()),
                $crate::db::filter::Param::Int(i) => q.bind(*i),
                $crate::db::filter::Param::Float(f) => q.bind(*f),
                $crate::db::filter::Param::Time(t) => q.bind(*t),
            };
        }
        q
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut w = Where::default();
        w.push("a = ?", Param::Int(1));
        w.push_in("b", [Param::Text("x".into()), Param::Text("y".into())]);
        w.raw("c is null");
        assert_eq!(w.sql(), "a = $1 and b in ($2, $3) and c is null");
        assert_eq!(w.params.len(), 3);
        w.push_in("d", []);
        assert!(w.sql().ends_with("1 = 0"), "an empty list matches nothing");
    }
}
