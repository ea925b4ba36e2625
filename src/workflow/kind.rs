//! The kinds of citizens' requests the workflow carries, where their pages
//! live, and what each does differently.

/// The kinds of requests and where their pages live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Problem,
    ConstructionCheck,
    /// A citizen's suggestion for a city problem (`participation::suggestions`).
    Suggestion,
    /// A low rating of a government service with a comment, to its provider
    /// (`participation::services`).
    ServiceFeedback,
}

/// When a request of a kind becomes an order in the project-management core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAt {
    /// As soon as it is published: the department must act on it.
    Publication,
    /// When the organisation accepts it into a plan: a suggestion is a
    /// proposal until then, not work to do.
    Plan,
    /// Never: it is answered on the portal.
    Never,
}

impl Kind {
    /// Every kind, in the order the staff filters list them.
    pub const ALL: [Kind; 4] = [
        Kind::Problem,
        Kind::ConstructionCheck,
        Kind::Suggestion,
        Kind::ServiceFeedback,
    ];

    /// The kind's name for people.
    pub fn label(self, l: crate::web::i18n::Locale) -> &'static str {
        let t = KindLabels::get(l);
        match self {
            Kind::Problem => t.problem,
            Kind::ConstructionCheck => t.construction_check,
            Kind::Suggestion => t.suggestion,
            Kind::ServiceFeedback => t.service_feedback,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Problem => "problem",
            Kind::ConstructionCheck => "construction_check",
            Kind::Suggestion => "suggestion",
            Kind::ServiceFeedback => "service_feedback",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Where the pages of this kind's requests live (`{base}/{id}`).
    pub fn base(self) -> &'static str {
        match self {
            Kind::Problem => "/problems",
            Kind::ConstructionCheck => "/construction/checks",
            Kind::Suggestion => "/participation/suggestions",
            Kind::ServiceFeedback => "/participation/services/feedback",
        }
    }

    pub fn path(self, id: i64) -> String {
        format!("{}/{id}", self.base())
    }

    /// The section a request page of this kind sits in: its name and path.
    pub fn section(self, l: crate::web::i18n::Locale) -> (&'static str, &'static str) {
        let t = KindLabels::get(l);
        match self {
            Kind::Problem => (t.problems, "/problems"),
            Kind::ConstructionCheck => (t.construction, "/construction"),
            Kind::Suggestion => (t.suggestions, "/participation/suggestions"),
            Kind::ServiceFeedback => (t.services, "/participation/services"),
        }
    }

    /// Whether staff answer it with «Решено» on its page. A construction
    /// check is answered by its verification result (`construction::checks`),
    /// and a suggestion is done when the core reports its order executed,
    /// so their pages offer no competing way.
    pub fn resolved_on_page(self) -> bool {
        match self {
            Kind::Problem | Kind::ServiceFeedback => true,
            Kind::ConstructionCheck | Kind::Suggestion => false,
        }
    }

    /// How the core's order titles a request of this kind («Обращение № 12:
    /// …»): the core's executors know citizens' appeals as «обращения»,
    /// and a suggestion by its own name.
    pub fn order_noun(self) -> &'static str {
        match self {
            Kind::Suggestion => "Предложение",
            _ => "Обращение",
        }
    }

    pub fn order_at(self) -> OrderAt {
        match self {
            Kind::Problem | Kind::ConstructionCheck => OrderAt::Publication,
            Kind::Suggestion => OrderAt::Plan,
            Kind::ServiceFeedback => OrderAt::Never,
        }
    }

    /// The open dataset that publishes this kind, if one does.
    pub fn registry(self) -> Option<&'static str> {
        match self {
            Kind::Problem => Some("problems"),
            Kind::ConstructionCheck => Some("construction_checks"),
            Kind::Suggestion | Kind::ServiceFeedback => None,
        }
    }

    /// The kind of its search document, if it has one (a service's
    /// feedback is found through the service).
    pub fn search_kind(self) -> Option<&'static str> {
        match self {
            Kind::Problem => Some("problem"),
            Kind::ConstructionCheck => Some("construction_check"),
            Kind::Suggestion => Some("suggestion"),
            Kind::ServiceFeedback => None,
        }
    }
}

crate::texts!(pub KindLabels {
    problem: "Сообщение о проблеме", "Problem report";
    construction_check: "Проверка стройки", "Construction check";
    suggestion: "Предложение", "Suggestion";
    service_feedback: "Отзыв об услуге", "Service feedback";
    problems: "Проблемы", "Problems";
    construction: "Стройка", "Construction";
    suggestions: "Предложения", "Suggestions";
    services: "Оценка госуслуг", "Service ratings";
});
