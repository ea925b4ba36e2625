//! The rules of an initiative, without I/O: its stages, who may do what in
//! each, and what a decision may say. The page offers exactly the acts
//! `allowed` permits, and the service refuses the others with its reason.

use crate::error::Msg;
use crate::web::i18n::Locale;

/// Where an initiative stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// A new concept, before a moderator publishes it.
    Moderation,
    /// Published, gathering supports.
    Concept,
    /// Enough supports: threaded discussion of the idea for a fixed time.
    Discussion,
    /// The organisation writes the draft; citizens annotate and amend it.
    Text,
    /// Appointed experts publish their conclusions.
    Expertise,
    /// The organisation owes its decision.
    Reaction,
    Closed,
}

pub const STAGES: [Stage; 5] = [
    Stage::Concept,
    Stage::Discussion,
    Stage::Text,
    Stage::Expertise,
    Stage::Reaction,
];

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Moderation => "moderation",
            Stage::Concept => "concept",
            Stage::Discussion => "discussion",
            Stage::Text => "text",
            Stage::Expertise => "expertise",
            Stage::Reaction => "reaction",
            Stage::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        [Stage::Moderation, Stage::Closed]
            .into_iter()
            .chain(STAGES)
            .find(|st| st.as_str() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        let t = Names::get(l);
        match self {
            Stage::Moderation => t.stage_moderation,
            Stage::Concept => t.stage_concept,
            Stage::Discussion => t.stage_discussion,
            Stage::Text => t.stage_text,
            Stage::Expertise => t.stage_expertise,
            Stage::Reaction => t.stage_reaction,
            Stage::Closed => t.stage_closed,
        }
    }

    /// The official act the organisation owes in this stage, if any: its
    /// deadline is watched like a report's answer.
    pub fn act(self, l: Locale) -> Option<&'static str> {
        let t = Names::get(l);
        match self {
            Stage::Text => Some(t.act_text),
            Stage::Expertise => Some(t.act_expertise),
            Stage::Reaction => Some(t.act_reaction),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The moderator did not publish the concept.
    Declined,
    NotEnoughSupport,
    Adopted,
    SentToAssembly,
    Rejected,
}

impl Outcome {
    pub const DECISIONS: [Outcome; 3] =
        [Outcome::Adopted, Outcome::SentToAssembly, Outcome::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Declined => "declined",
            Outcome::NotEnoughSupport => "not_enough_support",
            Outcome::Adopted => "adopted",
            Outcome::SentToAssembly => "sent_to_assembly",
            Outcome::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Declined, Outcome::NotEnoughSupport]
            .into_iter()
            .chain(Outcome::DECISIONS)
            .find(|o| o.as_str() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        let t = Names::get(l);
        match self {
            Outcome::Declined => t.outcome_declined,
            Outcome::NotEnoughSupport => t.outcome_not_enough_support,
            Outcome::Adopted => t.outcome_adopted,
            Outcome::SentToAssembly => t.outcome_sent_to_assembly,
            Outcome::Rejected => t.outcome_rejected,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Region,
    Municipality,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Region => "region",
            Level::Municipality => "municipality",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        [Level::Region, Level::Municipality]
            .into_iter()
            .find(|v| v.as_str() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        let t = Names::get(l);
        match self {
            Level::Region => t.level_region,
            Level::Municipality => t.level_municipality,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initiator {
    Citizen,
    Group,
    Organisation,
}

impl Initiator {
    pub const ALL: [Initiator; 3] = [
        Initiator::Citizen,
        Initiator::Group,
        Initiator::Organisation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Initiator::Citizen => "citizen",
            Initiator::Group => "group",
            Initiator::Organisation => "organisation",
        }
    }

    pub fn parse(s: &str) -> Option<Initiator> {
        Initiator::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        let t = Names::get(l);
        match self {
            Initiator::Citizen => t.initiator_citizen,
            Initiator::Group => t.initiator_group,
            Initiator::Organisation => t.initiator_organisation,
        }
    }
}

/// The three conclusions an initiative's expertise may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expertise {
    Legal,
    AntiCorruption,
    Financial,
}

impl Expertise {
    pub const ALL: [Expertise; 3] = [
        Expertise::Legal,
        Expertise::AntiCorruption,
        Expertise::Financial,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Expertise::Legal => "legal",
            Expertise::AntiCorruption => "anti_corruption",
            Expertise::Financial => "financial",
        }
    }

    pub fn parse(s: &str) -> Option<Expertise> {
        Expertise::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        let t = Names::get(l);
        match self {
            Expertise::Legal => t.expertise_legal,
            Expertise::AntiCorruption => t.expertise_anti_corruption,
            Expertise::Financial => t.expertise_financial,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Supports,
    Remarks,
    Opposes,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Supports, Verdict::Remarks, Verdict::Opposes];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Supports => "supports",
            Verdict::Remarks => "remarks",
            Verdict::Opposes => "opposes",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self, l: Locale) -> &'static str {
        let t = Names::get(l);
        match self {
            Verdict::Supports => t.verdict_supports,
            Verdict::Remarks => t.verdict_remarks,
            Verdict::Opposes => t.verdict_opposes,
        }
    }
}

/// Who is looking at an initiative, as far as its rules care.
#[derive(Debug, Clone, Copy, Default)]
pub struct Viewer {
    pub signed_in: bool,
    pub initiator: bool,
    /// An officer of the responsible organisation.
    pub organisation: bool,
    pub expert: bool,
    pub moderator: bool,
    pub supported: bool,
}

/// What else the rules look at.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts {
    pub versions: i64,
    pub open_amendments: i64,
    pub conclusions: i64,
    /// The stage's time is over (the hourly job has yet to move it on).
    pub ended: bool,
}

/// What may be done to an initiative as a whole (a comment's or an
/// amendment's own acts name it: `Act::Pin`, `Act::Decide`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Publish,
    Decline,
    Support,
    Comment,
    Pin,
    Annotate,
    Amend,
    DecideAmendment,
    PublishVersion,
    AppointExpert,
    Conclude,
    ToExpertise,
    ToReaction,
    Decide,
}

pub const ACTS: [Act; 14] = [
    Act::Publish,
    Act::Decline,
    Act::Support,
    Act::Comment,
    Act::Pin,
    Act::Annotate,
    Act::Amend,
    Act::DecideAmendment,
    Act::PublishVersion,
    Act::AppointExpert,
    Act::Conclude,
    Act::ToExpertise,
    Act::ToReaction,
    Act::Decide,
];

fn no(ru: &'static str, en: &'static str) -> Result<(), Msg> {
    Err(Msg::new(ru, en))
}

/// Whether `v` may do `act` now; the refusal says why in both languages.
pub fn allowed(act: Act, stage: Stage, v: &Viewer, f: &Facts) -> Result<(), Msg> {
    if !v.signed_in {
        return no("Войдите, чтобы участвовать.", "Sign in to take part.");
    }
    let stage_is = |want: &[Stage]| want.contains(&stage);
    let official = v.organisation;
    match act {
        Act::Publish | Act::Decline if !v.moderator => {
            no("Это решает модератор.", "A moderator decides this.")
        }
        Act::Publish | Act::Decline if !stage_is(&[Stage::Moderation]) => no(
            "Концепция уже проверена.",
            "The concept has been moderated already.",
        ),
        Act::Support if !stage_is(&[Stage::Concept]) => no(
            "Поддержка собирается только на этапе концепции.",
            "Supports are gathered in the concept stage only.",
        ),
        Act::Support | Act::Comment if f.ended => {
            no("Срок этого этапа истёк.", "This stage's time is over.")
        }
        Act::Support if v.supported => no(
            "Вы уже поддержали эту инициативу.",
            "You have already supported this initiative.",
        ),
        Act::Comment if !stage_is(&[Stage::Discussion]) => no(
            "Обсуждение идеи открыто только на этапе обсуждения.",
            "The idea is discussed in the discussion stage only.",
        ),
        Act::Pin if !(official || v.initiator) => no(
            "Закреплять ответы могут инициатор и ответственная организация.",
            "The initiator and the responsible organisation pin answers.",
        ),
        Act::Pin if !stage_is(&[Stage::Discussion]) => {
            no("Обсуждение закрыто.", "The discussion is closed.")
        }
        Act::Annotate | Act::Amend if !stage_is(&[Stage::Text]) || f.versions == 0 => no(
            "Текст обсуждается на этапе текста, когда опубликован проект.",
            "The text is discussed in the text stage, once a draft is published.",
        ),
        Act::DecideAmendment
        | Act::PublishVersion
        | Act::ToExpertise
        | Act::ToReaction
        | Act::Decide
        | Act::AppointExpert
            if !official =>
        {
            no(
                "Это решает ответственная организация.",
                "The responsible organisation decides this.",
            )
        }
        Act::DecideAmendment | Act::PublishVersion if !stage_is(&[Stage::Text]) => no(
            "Текст меняется только на этапе текста.",
            "The text changes in the text stage only.",
        ),
        Act::ToExpertise if !stage_is(&[Stage::Text]) => no(
            "Инициатива не на этапе текста.",
            "The initiative is not in the text stage.",
        ),
        Act::ToExpertise if f.versions == 0 => no(
            "Сначала опубликуйте проект текста.",
            "Publish the draft text first.",
        ),
        Act::ToExpertise if f.open_amendments > 0 => no(
            "Сначала примите или отклоните все поправки.",
            "Accept or reject every amendment first.",
        ),
        Act::AppointExpert if !stage_is(&[Stage::Text, Stage::Expertise]) => no(
            "Экспертов назначают на этапах текста и экспертизы.",
            "Experts are appointed in the text and expertise stages.",
        ),
        Act::Conclude if !v.expert => no(
            "Заключения публикуют назначенные эксперты.",
            "Appointed experts publish conclusions.",
        ),
        Act::Conclude if !stage_is(&[Stage::Expertise]) => {
            no("Экспертиза не идёт.", "The expertise is not under way.")
        }
        Act::ToReaction if !stage_is(&[Stage::Expertise]) => no(
            "Инициатива не на этапе экспертизы.",
            "The initiative is not in the expertise stage.",
        ),
        Act::ToReaction if f.conclusions == 0 => no(
            "Нет ни одного заключения экспертов.",
            "There is no expert conclusion yet.",
        ),
        Act::Decide if !stage_is(&[Stage::Reaction]) => no(
            "Решение принимается на этапе реакции.",
            "The decision is made in the reaction stage.",
        ),
        _ => Ok(()),
    }
}

/// The acts `v` may take now: what the page offers.
pub fn acts(stage: Stage, v: &Viewer, f: &Facts) -> Vec<Act> {
    ACTS.into_iter()
        .filter(|a| allowed(*a, stage, v, f).is_ok())
        .collect()
}

crate::texts!(pub Names {
    stage_moderation: "На модерации", "Awaiting moderation";
    stage_concept: "1. Концепция", "1. Concept";
    stage_discussion: "2. Обсуждение идеи", "2. Discussion of the idea";
    stage_text: "3. Текст документа", "3. The document's text";
    stage_expertise: "4. Экспертиза", "4. Expertise";
    stage_reaction: "5. Реакция правительства", "5. The government's reaction";
    act_text: "опубликовать проект текста", "publish the draft text";
    act_expertise: "провести экспертизу и передать инициативу на решение", "have the expertise done and pass the initiative on for decision";
    act_reaction: "опубликовать решение", "publish the decision";
    expertise_anti_corruption: "Антикоррупционная экспертиза", "Anti-corruption expertise";
    stage_closed: "Завершена", "Closed";
    outcome_declined: "Отклонена модератором", "Declined by the moderator";
    outcome_not_enough_support: "Недостаточно поддержки", "Not enough support";
    outcome_adopted: "Принят нормативный акт", "Adopted as a regulatory act";
    outcome_sent_to_assembly: "Внесена в Законодательное Собрание", "Sent to the legislative assembly";
    outcome_rejected: "Отклонена", "Rejected";
    level_region: "Региональная", "Regional";
    level_municipality: "Муниципальная", "Municipal";
    initiator_citizen: "Гражданин", "A citizen";
    initiator_group: "Группа граждан", "A group of citizens";
    initiator_organisation: "Организация", "An organisation";
    expertise_legal: "Правовая экспертиза", "Legal expertise";
    expertise_financial: "Финансово-экономическая экспертиза", "Financial and economic expertise";
    verdict_supports: "Поддерживает", "Supports";
    verdict_remarks: "Поддерживает с замечаниями", "Supports with remarks";
    verdict_opposes: "Не поддерживает", "Opposes";
});

#[cfg(test)]
mod tests {
    use super::*;

    fn citizen() -> Viewer {
        Viewer {
            signed_in: true,
            ..Viewer::default()
        }
    }

    #[test]
    fn each_stage_offers_its_own_acts() {
        let f = Facts {
            versions: 1,
            ..Facts::default()
        };
        assert_eq!(acts(Stage::Concept, &citizen(), &f), vec![Act::Support]);
        assert_eq!(acts(Stage::Discussion, &citizen(), &f), vec![Act::Comment]);
        assert_eq!(
            acts(Stage::Text, &citizen(), &f),
            vec![Act::Annotate, Act::Amend]
        );
        assert!(acts(Stage::Expertise, &citizen(), &f).is_empty());
        assert!(acts(Stage::Closed, &citizen(), &f).is_empty());
        assert!(acts(Stage::Concept, &Viewer::default(), &f).is_empty());
    }

    #[test]
    fn only_appointed_experts_conclude_and_only_the_organisation_decides() {
        let f = Facts {
            versions: 1,
            conclusions: 1,
            ..Facts::default()
        };
        let expert = Viewer {
            expert: true,
            ..citizen()
        };
        let org = Viewer {
            organisation: true,
            ..citizen()
        };
        assert!(allowed(Act::Conclude, Stage::Expertise, &expert, &f).is_ok());
        assert!(allowed(Act::Conclude, Stage::Expertise, &org, &f).is_err());
        assert!(allowed(Act::Conclude, Stage::Text, &expert, &f).is_err());
        assert!(allowed(Act::ToReaction, Stage::Expertise, &org, &f).is_ok());
        assert!(allowed(Act::ToReaction, Stage::Expertise, &org, &Facts::default()).is_err());
        assert!(allowed(Act::Decide, Stage::Reaction, &expert, &f).is_err());
        assert!(allowed(Act::Decide, Stage::Reaction, &org, &f).is_ok());
    }

    #[test]
    fn the_text_goes_to_expertise_with_every_amendment_decided() {
        let org = Viewer {
            organisation: true,
            ..citizen()
        };
        let open = Facts {
            versions: 1,
            open_amendments: 1,
            ..Facts::default()
        };
        assert!(allowed(Act::ToExpertise, Stage::Text, &org, &open).is_err());
        assert!(allowed(Act::ToExpertise, Stage::Text, &org, &Facts::default()).is_err());
        let done = Facts {
            versions: 2,
            ..Facts::default()
        };
        assert!(allowed(Act::ToExpertise, Stage::Text, &org, &done).is_ok());
    }

    #[test]
    fn names_round_trip() {
        for s in STAGES.into_iter().chain([Stage::Moderation, Stage::Closed]) {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
        }
        for o in [Outcome::Declined, Outcome::NotEnoughSupport]
            .into_iter()
            .chain(Outcome::DECISIONS)
        {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
    }
}
