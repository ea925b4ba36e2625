//! The rules of priority ranks, without the database: quarters, topics, a
//! priority's states, who may do what, and how supports become positions.
//! Everything here is pure, so the formulas are tested on hand-computed
//! figures (`tests` below) and the pages show the same formula they run.

use std::collections::BTreeMap;
use std::fmt;

use time::{Date, Month, OffsetDateTime};

use crate::auth::CurrentUser;
use crate::error::Msg;
use crate::texts;
use crate::web::i18n::Locale;

/// A calendar quarter in Moscow time, written `2026Q4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub q: u8,
}

impl Quarter {
    pub fn of(d: Date) -> Quarter {
        Quarter {
            year: d.year(),
            q: (u8::from(d.month()) - 1) / 3 + 1,
        }
    }

    /// The quarter a moment falls in, in Moscow time.
    pub fn at(t: OffsetDateTime) -> Quarter {
        Quarter::of(t.to_offset(crate::workflow::sla::MSK).date())
    }

    /// `2026Q4`; years 2000–2999 only, so a typed address cannot ask for
    /// an absurd range.
    pub fn parse(s: &str) -> Option<Quarter> {
        let (y, q) = s.split_once(['Q', 'q'])?;
        let year: i32 = y.parse().ok()?;
        let q: u8 = q.parse().ok()?;
        ((2000..3000).contains(&year) && (1..=4).contains(&q) && y.len() == 4)
            .then_some(Quarter { year, q })
    }

    pub fn previous(self) -> Quarter {
        if self.q == 1 {
            Quarter {
                year: self.year - 1,
                q: 4,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q - 1,
            }
        }
    }

    pub fn next(self) -> Quarter {
        if self.q == 4 {
            Quarter {
                year: self.year + 1,
                q: 1,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q + 1,
            }
        }
    }

    /// The first day.
    pub fn first_day(self) -> Date {
        let month = Month::try_from(self.q * 3 - 2).unwrap_or(Month::January);
        Date::from_calendar_date(self.year, month, 1).unwrap_or(Date::MIN)
    }

    /// The last day.
    pub fn last_day(self) -> Date {
        self.next().first_day().previous_day().unwrap_or(Date::MIN)
    }

    /// «IV квартал 2026» / «Q4 2026».
    pub fn label(self, l: Locale) -> String {
        match l {
            Locale::Ru => {
                let roman = ["I", "II", "III", "IV"][usize::from(self.q.clamp(1, 4)) - 1];
                format!("{roman} квартал {}", self.year)
            }
            Locale::En => format!("Q{} {}", self.q, self.year),
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

/// What a priority is about: a fixed list, so rankings can be filtered and
/// compared across quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Roads,
    Transport,
    Housing,
    PublicSpaces,
    Environment,
    Health,
    Education,
    CultureSport,
    Economy,
    Safety,
}

texts!(TopicTexts {
    roads: "Дороги", "Roads";
    transport: "Общественный транспорт", "Public transport";
    housing: "ЖКХ", "Housing and utilities";
    public_spaces: "Благоустройство", "Public spaces";
    environment: "Экология", "Environment";
    health: "Здравоохранение", "Health care";
    education: "Образование", "Education";
    culture_sport: "Культура и спорт", "Culture and sport";
    economy: "Экономика и работа", "Economy and jobs";
    safety: "Безопасность", "Safety";
});

impl Topic {
    pub const ALL: [Topic; 10] = [
        Topic::Roads,
        Topic::Transport,
        Topic::Housing,
        Topic::PublicSpaces,
        Topic::Environment,
        Topic::Health,
        Topic::Education,
        Topic::CultureSport,
        Topic::Economy,
        Topic::Safety,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Roads => "roads",
            Topic::Transport => "transport",
            Topic::Housing => "housing",
            Topic::PublicSpaces => "public_spaces",
            Topic::Environment => "environment",
            Topic::Health => "health",
            Topic::Education => "education",
            Topic::CultureSport => "culture_sport",
            Topic::Economy => "economy",
            Topic::Safety => "safety",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        let t = TopicTexts::get(l);
        match self {
            Topic::Roads => t.roads,
            Topic::Transport => t.transport,
            Topic::Housing => t.housing,
            Topic::PublicSpaces => t.public_spaces,
            Topic::Environment => t.environment,
            Topic::Health => t.health,
            Topic::Education => t.education,
            Topic::CultureSport => t.culture_sport,
            Topic::Economy => t.economy,
            Topic::Safety => t.safety,
        }
    }
}

/// A priority's states: proposed by staff, published (or rejected) by a
/// moderator, frozen by an administrator while a burst of supports is
/// reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Proposed,
    Published,
    Rejected,
    Frozen,
}

texts!(StateTexts {
    proposed: "на модерации", "awaiting moderation";
    published: "опубликован", "published";
    rejected: "отклонён", "rejected";
    frozen: "заморожен на проверку", "frozen for review";
});

impl State {
    pub fn parse(s: &str) -> State {
        match s {
            "published" => State::Published,
            "rejected" => State::Rejected,
            "frozen" => State::Frozen,
            _ => State::Proposed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Proposed => "proposed",
            State::Published => "published",
            State::Rejected => "rejected",
            State::Frozen => "frozen",
        }
    }

    pub fn label(self, l: Locale) -> &'static str {
        let t = StateTexts::get(l);
        match self {
            State::Proposed => t.proposed,
            State::Published => t.published,
            State::Rejected => t.rejected,
            State::Frozen => t.frozen,
        }
    }

    /// Seen by everyone (a frozen priority stays visible, marked).
    pub fn is_public(self) -> bool {
        matches!(self, State::Published | State::Frozen)
    }
}

/// What a person may do with a priority. The page offers exactly these
/// actions and the handlers refuse anything else (`decide`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Support,
    Withdraw,
    Publish,
    Reject,
    Freeze,
    Unfreeze,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "support" => Action::Support,
            "withdraw" => Action::Withdraw,
            "publish" => Action::Publish,
            "reject" => Action::Reject,
            "freeze" => Action::Freeze,
            "unfreeze" => Action::Unfreeze,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Support => "support",
            Action::Withdraw => "withdraw",
            Action::Publish => "publish",
            Action::Reject => "reject",
            Action::Freeze => "freeze",
            Action::Unfreeze => "unfreeze",
        }
    }
}

/// What the rules need to know about the person and the priority.
pub struct Situation<'a> {
    pub user: &'a CurrentUser,
    pub state: State,
    /// The priority's municipality (`None`: the region).
    pub scope: Option<&'a str>,
    /// The person's residence now, if any.
    pub residence: Option<&'a str>,
    /// Whether the account is confirmed (e-mail or the identity provider).
    pub confirmed: bool,
    /// Whether the person supports it in the current quarter.
    pub supports: bool,
    /// How many priorities the person supports this quarter.
    pub used: u32,
    /// The most a person may support in a quarter.
    pub limit: u32,
}

/// Why a citizen cannot support, shown beside the (absent) button.
#[derive(Debug, Clone, PartialEq)]
pub enum Blocked {
    NotConfirmed,
    NoResidence,
    OtherMunicipality,
    LimitReached(u32),
    NotOpen,
}

impl Blocked {
    pub fn message(&self) -> Msg {
        match self {
            Blocked::NotConfirmed => Msg::new(
                "Поддерживать приоритеты могут только подтверждённые учётные записи: подтвердите адрес почты или войдите через Госуслуги.",
                "Only confirmed accounts may support priorities: confirm your e-mail address or sign in through Gosuslugi.",
            ),
            Blocked::NoResidence => Msg::new(
                "Укажите муниципалитет проживания в профиле: голос засчитывается вашему муниципалитету.",
                "Set your municipality of residence in your profile: your support counts for your municipality.",
            ),
            Blocked::OtherMunicipality => Msg::new(
                "Этот приоритет муниципальный: его поддерживают жители этого муниципалитета.",
                "This is a municipal priority: residents of that municipality support it.",
            ),
            Blocked::LimitReached(k) => Msg::new(
                format!(
                    "В этом квартале вы уже поддержали {k} приоритетов, это предел. Отзовите одну поддержку, чтобы отдать её другому."
                ),
                format!(
                    "You already support {k} priorities this quarter, the limit. Withdraw one to give it to another."
                ),
            ),
            Blocked::NotOpen => Msg::new(
                "Этот приоритет сейчас не принимает поддержку.",
                "This priority is not taking supports now.",
            ),
        }
    }
}

/// The actions open to the person, and why supporting is not, if it is
/// not. The single source of what the page shows and what a handler
/// accepts.
pub fn decide(s: &Situation<'_>) -> (Vec<Action>, Option<Blocked>) {
    let mut actions = Vec::new();
    let mut blocked = None;
    if s.state == State::Published {
        if s.supports {
            actions.push(Action::Withdraw);
        } else if !s.confirmed {
            blocked = Some(Blocked::NotConfirmed);
        } else if s.residence.is_none() {
            blocked = Some(Blocked::NoResidence);
        } else if s.scope.is_some() && s.scope != s.residence {
            blocked = Some(Blocked::OtherMunicipality);
        } else if s.used >= s.limit {
            blocked = Some(Blocked::LimitReached(s.limit));
        } else {
            actions.push(Action::Support);
        }
    } else if s.supports {
        // A frozen priority's supporters may still take theirs back.
        actions.push(Action::Withdraw);
    } else {
        blocked = Some(Blocked::NotOpen);
    }
    if s.user.is_moderator() && s.state == State::Proposed {
        actions.extend([Action::Publish, Action::Reject]);
    }
    if s.user.is_admin() {
        match s.state {
            State::Published => actions.push(Action::Freeze),
            State::Frozen => actions.push(Action::Unfreeze),
            _ => {}
        }
    }
    (actions, blocked)
}

/// Who may propose a priority for `organisation`: its officers and the
/// administrators.
pub fn may_propose(user: &CurrentUser, organisation: &str) -> bool {
    user.is_admin() || user.is_officer_of(organisation)
}

// ---------------------------------------------------------------- ranks --

/// Supporters of one priority from one municipality in a quarter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Count {
    pub verified: i64,
    pub declared: i64,
}

impl Count {
    pub fn total(&self) -> i64 {
        self.verified + self.declared
    }

    /// Verified count fully, declared by the configured weight.
    pub fn weighted(&self, declared_weight: f64) -> f64 {
        self.verified as f64 + declared_weight * self.declared as f64
    }

    /// Adds `n` supporters whose residence was `residence` (`verified` or
    /// `declared`, as stored).
    pub fn add_residents(&mut self, residence: &str, n: i64) {
        if residence == "verified" {
            self.verified += n;
        } else {
            self.declared += n;
        }
    }

    fn add(&mut self, o: &Count) {
        self.verified += o.verified;
        self.declared += o.declared;
    }
}

/// What a quarter's ranks are computed from.
pub struct Tallies {
    /// `(priority, municipality)` → supporters.
    pub supports: BTreeMap<(i64, String), Count>,
    /// Municipality → its participants (residents who supported anything).
    pub participants: BTreeMap<String, Count>,
}

/// The priorities that take part: their ids and scopes.
pub struct Candidate {
    pub priority_id: i64,
    pub municipality_id: Option<String>,
}

/// One line of a ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub priority_id: i64,
    pub position: i64,
    pub score: f64,
    pub supporters: Count,
    pub participants: Count,
    pub wilson_lower: f64,
}

/// The lower bound of the 95 % Wilson score interval of `k` successes in
/// `n` trials: how large the share surely is, given how few may have voted.
pub fn wilson_lower(k: i64, n: i64) -> f64 {
    if n <= 0 {
        return 0.0;
    }
    let z = 1.959_964_f64;
    let n = n as f64;
    let p = (k as f64 / n).clamp(0.0, 1.0);
    let z2 = z * z;
    let centre = p + z2 / (2.0 * n);
    let margin = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - margin) / (1.0 + z2 / n)).max(0.0)
}

/// The share of a municipality's participants who supported: verified and
/// declared residents alike, declared ones by `w`.
fn share(s: &Count, p: &Count, w: f64) -> f64 {
    let denominator = p.weighted(w);
    if denominator > 0.0 {
        s.weighted(w) / denominator
    } else {
        0.0
    }
}

/// Orders by score, then by the Wilson lower bound of the verified share
/// (more sure support first), then by the number of supporters; lines equal
/// on all three share a position (1, 2, 2, 4). The id only fixes the order
/// of the equal ones.
fn positions(mut rows: Vec<Ranked>) -> Vec<Ranked> {
    let key = |r: &Ranked| (r.score, r.wilson_lower, r.supporters.total());
    rows.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        kb.0.total_cmp(&ka.0)
            .then(kb.1.total_cmp(&ka.1))
            .then(kb.2.cmp(&ka.2))
            .then(a.priority_id.cmp(&b.priority_id))
    });
    let mut out: Vec<Ranked> = Vec::with_capacity(rows.len());
    for (i, mut r) in rows.into_iter().enumerate() {
        r.position = match out.last() {
            Some(prev) if key(prev) == key(&r) => prev.position,
            _ => i as i64 + 1,
        };
        out.push(r);
    }
    out
}

/// The ranking of one municipality: the region's priorities and its own,
/// by the share of its participants who supported each.
pub fn municipal(
    municipality: &str,
    candidates: &[Candidate],
    t: &Tallies,
    declared_weight: f64,
) -> Vec<Ranked> {
    let p = t
        .participants
        .get(municipality)
        .cloned()
        .unwrap_or_default();
    let rows = candidates
        .iter()
        .filter(|c| {
            c.municipality_id
                .as_deref()
                .is_none_or(|m| m == municipality)
        })
        .map(|c| {
            let s = t
                .supports
                .get(&(c.priority_id, municipality.to_owned()))
                .cloned()
                .unwrap_or_default();
            Ranked {
                priority_id: c.priority_id,
                position: 0,
                score: share(&s, &p, declared_weight),
                wilson_lower: wilson_lower(s.verified, p.verified),
                supporters: s,
                participants: p.clone(),
            }
        })
        .collect();
    positions(rows)
}

/// The region's ranking of the region's priorities: the population-weighted
/// average of the municipalities' shares, Σ_m (N_m / N) · (v_im / P_m),
/// where N is the population of the whole region. A municipality with no
/// participants adds nothing.
pub fn regional(
    candidates: &[Candidate],
    t: &Tallies,
    population: &BTreeMap<String, u64>,
    declared_weight: f64,
) -> Vec<Ranked> {
    let total: u64 = population.values().sum();
    let mut all_participants = Count::default();
    for p in t.participants.values() {
        all_participants.add(p);
    }
    let rows = candidates
        .iter()
        .filter(|c| c.municipality_id.is_none())
        .map(|c| {
            let mut score = 0.0;
            let mut supporters = Count::default();
            for (m, p) in &t.participants {
                let Some(s) = t.supports.get(&(c.priority_id, m.clone())) else {
                    continue;
                };
                supporters.add(s);
                let n_m = population.get(m).copied().unwrap_or(0);
                if total > 0 {
                    score += (n_m as f64 / total as f64) * share(s, p, declared_weight);
                }
            }
            Ranked {
                priority_id: c.priority_id,
                position: 0,
                score,
                wilson_lower: wilson_lower(supporters.verified, all_participants.verified),
                supporters,
                participants: all_participants.clone(),
            }
        })
        .collect();
    positions(rows)
}

/// A position's change against the previous quarter, as shown: ▲3, ▼1, =,
/// or new.
pub fn change(now: i64, before: Option<i64>, l: Locale) -> String {
    match before {
        None => match l {
            Locale::Ru => "новый".into(),
            Locale::En => "new".into(),
        },
        Some(b) if b > now => format!("▲{}", b - now),
        Some(b) if b < now => format!("▼{}", now - b),
        Some(_) => "=".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(v: i64, d: i64) -> Count {
        Count {
            verified: v,
            declared: d,
        }
    }

    /// Priorities 1, 2 and 3 of no municipality.
    fn three_candidates() -> Vec<Candidate> {
        (1..=3)
            .map(|i| Candidate {
                priority_id: i,
                municipality_id: None,
            })
            .collect()
    }

    #[test]
    fn quarters_parse_print_and_step() {
        let q = Quarter::parse("2026Q4").unwrap();
        assert_eq!(q.to_string(), "2026Q4");
        assert_eq!(q.next().to_string(), "2027Q1");
        assert_eq!(q.next().previous(), q);
        assert_eq!(q.first_day().to_string(), "2026-10-01");
        assert_eq!(q.last_day().to_string(), "2026-12-31");
        assert_eq!(
            Quarter::parse("2027Q1").unwrap().last_day().to_string(),
            "2027-03-31"
        );
        for bad in [
            "2026Q5", "2026Q0", "26Q1", "2026", "Q4", "99999Q1", "2026Q4x",
        ] {
            assert_eq!(Quarter::parse(bad), None, "{bad}");
        }
        // 31 December, 22:00 UTC is already 1 January in Moscow.
        let t = time::macros::datetime!(2026-12-31 22:00 UTC);
        assert_eq!(Quarter::at(t).to_string(), "2027Q1");
    }

    #[test]
    fn wilson_lower_bound_penalises_small_samples() {
        assert_eq!(wilson_lower(0, 0), 0.0);
        // 1 of 2 is less sure than 50 of 100.
        assert!(wilson_lower(1, 2) < wilson_lower(50, 100));
        // The textbook value: 8 of 10 → 0.4902.
        assert!((wilson_lower(8, 10) - 0.4902).abs() < 1e-3);
    }

    /// Three municipalities with populations 600, 300, 100 (N = 1000).
    /// Priority 1: a: 30 of 100 participants, b: 10 of 50, c: 0 of 10.
    /// Priority 2: a: 10 of 100, b: 40 of 50, c: 10 of 10.
    /// Regional scores by hand:
    ///   1: 0.6·0.30 + 0.3·0.20 + 0.1·0 = 0.24
    ///   2: 0.6·0.10 + 0.3·0.80 + 0.1·1 = 0.40
    #[test]
    fn the_regional_score_is_the_population_weighted_mean_of_local_shares() {
        let population: BTreeMap<String, u64> =
            [("a".into(), 600), ("b".into(), 300), ("c".into(), 100)].into();
        let mut supports = BTreeMap::new();
        supports.insert((1, "a".into()), count(30, 0));
        supports.insert((1, "b".into()), count(10, 0));
        supports.insert((2, "a".into()), count(10, 0));
        supports.insert((2, "b".into()), count(40, 0));
        supports.insert((2, "c".into()), count(10, 0));
        let participants: BTreeMap<String, Count> = [
            ("a".into(), count(100, 0)),
            ("b".into(), count(50, 0)),
            ("c".into(), count(10, 0)),
        ]
        .into();
        let t = Tallies {
            supports,
            participants,
        };
        let candidates = [
            Candidate {
                priority_id: 1,
                municipality_id: None,
            },
            Candidate {
                priority_id: 2,
                municipality_id: None,
            },
            Candidate {
                priority_id: 3,
                municipality_id: Some("a".into()),
            },
        ];
        let r = regional(&candidates, &t, &population, 0.5);
        assert_eq!(
            r.len(),
            2,
            "a municipal priority is not in the regional rank"
        );
        assert_eq!((r[0].priority_id, r[0].position), (2, 1));
        assert!((r[0].score - 0.40).abs() < 1e-9, "{}", r[0].score);
        assert!((r[1].score - 0.24).abs() < 1e-9, "{}", r[1].score);
        assert_eq!(r[0].supporters.total(), 60);
        // In a, priority 1 leads (30 %), and its own priority 3 takes part.
        let a = municipal("a", &candidates, &t, 0.5);
        assert_eq!(
            a.iter().map(|x| x.priority_id).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert!((a[0].score - 0.30).abs() < 1e-9);
        // In b, priority 3 (of a) is not ranked.
        assert_eq!(municipal("b", &candidates, &t, 0.5).len(), 2);
    }

    #[test]
    fn declared_residents_count_by_the_weight_and_ties_go_to_surer_support() {
        let participants: BTreeMap<String, Count> = [("a".into(), count(10, 10))].into();
        let mut supports = BTreeMap::new();
        // 1: 2 verified + 2 declared; 2: 3 verified + 0 declared; 3: 0 + 6.
        supports.insert((1, "a".into()), count(2, 2));
        supports.insert((2, "a".into()), count(3, 0));
        supports.insert((3, "a".into()), count(0, 6));
        let t = Tallies {
            supports,
            participants,
        };
        let candidates = three_candidates();
        // w = 0.5: scores 3/15, 3/15, 3/15: equal; the verified share breaks
        // the tie (3 of 10 before 2 of 10 before 0 of 10).
        let r = municipal("a", &candidates, &t, 0.5);
        assert_eq!(
            r.iter()
                .map(|x| (x.priority_id, x.position))
                .collect::<Vec<_>>(),
            vec![(2, 1), (1, 2), (3, 3)]
        );
        // w = 1: declared count fully; 3 leads with 6 of 20.
        let r = municipal("a", &candidates, &t, 1.0);
        assert_eq!(r[0].priority_id, 3);
        // w = 0: only verified residents count.
        let r = municipal("a", &candidates, &t, 0.0);
        assert_eq!(r[2].priority_id, 3);
        assert_eq!(r[2].score, 0.0);
    }

    #[test]
    fn equal_lines_share_a_position() {
        let t = Tallies {
            supports: BTreeMap::new(),
            participants: BTreeMap::new(),
        };
        let candidates = three_candidates();
        let r = municipal("a", &candidates, &t, 0.5);
        assert!(r.iter().all(|x| x.position == 1));
    }

    #[test]
    fn changes_are_shown_as_arrows() {
        assert_eq!(change(2, Some(5), Locale::Ru), "▲3");
        assert_eq!(change(4, Some(3), Locale::En), "▼1");
        assert_eq!(change(4, Some(4), Locale::En), "=");
        assert_eq!(change(1, None, Locale::En), "new");
    }
}
