//! The one place where features are plugged into the shared services.
//! `search`, `media`, `datasets`, `integration` and the rest keep
//! registries and know no feature by name; a new feature adds its folder and
//! its lines here (docs/ARCHITECTURE.md, "How to add a feature").

use std::sync::Arc;

use crate::datasets::LiveDatasets;
use crate::demo::DemoParts;
use crate::integration::inbound::Handlers;
use crate::media::PhotoRules;
use crate::search::Sources;
use crate::web::home::HomeSections;

/// The kinds of document in the site search, in the order a rebuild reads
/// them.
pub fn search_sources() -> Sources {
    Sources::new(vec![
        Arc::new(crate::geo::municipalities::Documents),
        Arc::new(crate::directory::search::Documents),
        Arc::new(crate::opendata::search::Documents),
        Arc::new(crate::issues::search::Documents),
        Arc::new(crate::participation::priorities::search::Documents),
        Arc::new(crate::participation::services::search::Documents),
        Arc::new(crate::participation::suggestions::search::Documents),
        Arc::new(crate::participation::lawmaking::search::Documents),
        Arc::new(crate::participation::social::galleries::search::Documents),
        Arc::new(crate::participation::social::publications::search::Documents),
    ])
}

/// The kinds of citizens' request the workflow carries, in the order the
/// staff's filters list them.
pub fn request_kinds() -> Vec<crate::workflow::Kind> {
    vec![
        crate::issues::PROBLEM,
        crate::construction::CHECK,
        crate::participation::suggestions::SUGGESTION,
        crate::participation::services::FEEDBACK,
    ]
}

/// Who may see a stored photo, asked in this order: a report's photo that
/// became a request's public answer is shown by the request's rule.
pub fn photo_rules() -> PhotoRules {
    PhotoRules::new(vec![
        Arc::new(crate::workflow::RequestPhotos),
        Arc::new(crate::pm::orders::OrderPhotos),
        Arc::new(crate::participation::social::galleries::AlbumPhotos),
        Arc::new(crate::participation::social::profiles::Avatars),
    ])
}

/// The registries published as live open datasets, by their passports'
/// `source`.
pub fn live_datasets() -> LiveDatasets {
    LiveDatasets::new(vec![
        Arc::new(crate::opendata::system::Organisations),
        Arc::new(crate::issues::dataset::Problems),
        Arc::new(crate::construction::dataset::Registry {
            illegal_only: false,
        }),
        Arc::new(crate::construction::dataset::Registry { illegal_only: true }),
        Arc::new(crate::participation::priorities::dataset::Ranks),
        Arc::new(crate::participation::services::dataset::Results),
        Arc::new(crate::participation::lawmaking::dataset::Initiatives),
        Arc::new(crate::participation::lawmaking::dataset::Conclusions),
        Arc::new(crate::participation::social::publications::dataset::Publications),
        Arc::new(crate::staffing::dataset::Structure),
        Arc::new(crate::courts::dataset::Statistics),
        Arc::new(crate::reports::dataset::Reports),
    ])
}

/// The demo region's parts, in the order they are written: the construction
/// checks and the core's orders come after the reports (the officers who
/// answer reports are the ones who get orders).
pub fn demo_parts() -> DemoParts {
    DemoParts::new(vec![
        Arc::new(crate::issues::demo::Reports),
        Arc::new(crate::construction::demo::Registry),
        Arc::new(crate::pm::demo::Orders),
        Arc::new(crate::participation::priorities::demo::Priorities),
        Arc::new(crate::participation::services::demo::Services),
        Arc::new(crate::participation::suggestions::demo::Suggestions),
        Arc::new(crate::participation::lawmaking::demo::Initiatives),
        // After the reports: its first department is the demo officer's.
        Arc::new(crate::staffing::demo::Staffing),
        Arc::new(crate::courts::demo::Courts),
        // After the core's orders: indicators link to its projects.
        Arc::new(crate::rankings::demo::Rankings),
        Arc::new(crate::reports::demo::Reports),
        // After the directory and the core's projects: stories name them.
        Arc::new(crate::press::demo::Press),
        // After the core's orders, the court cases and the reports: the
        // planner's demo links to them and gives meeting decisions.
        Arc::new(crate::planner::demo::Planner),
        // After the directory: its documents name the ministries.
        Arc::new(crate::integration::medo::demo::Medo),
        // After the reports: its explorations are the demo officer's.
        Arc::new(crate::bi::demo::Explorations),
        // Last: it follows what the others wrote.
        Arc::new(crate::participation::social::demo::Social),
    ])
}

/// The home page's live figures and blocks, in the order shown.
pub fn home_sections() -> HomeSections {
    HomeSections::new(vec![
        Arc::new(crate::issues::home::Live),
        Arc::new(crate::opendata::home::Live),
        Arc::new(crate::construction::home::Live),
        Arc::new(crate::participation::priorities::home::Live),
    ])
}

/// What features add to the pages of requests they do not own.
pub fn request_sections() -> crate::workflow::sections::RequestSections {
    crate::workflow::sections::RequestSections::new(vec![Arc::new(
        crate::participation::suggestions::pages::ForReports,
    )])
}

/// Who keeps the projects other features link to as roadmaps.
pub fn roadmaps() -> crate::workflow::roadmaps::RoadmapRegistry {
    crate::workflow::roadmaps::RoadmapRegistry::new(Arc::new(crate::pm::roadmaps::ProjectRoadmaps))
}

/// What the personal agenda gathers (`workflow::agenda`), asked in order.
pub fn agenda_sources() -> crate::workflow::agenda::AgendaRegistry {
    crate::workflow::agenda::AgendaRegistry::new(vec![
        Arc::new(crate::pm::agenda::Deadlines),
        Arc::new(crate::courts::agenda::Hearings),
        Arc::new(crate::reports::agenda::FormsDue),
    ])
}

/// The reporting schema's relations (`bi`), in the dictionary's order.
pub fn bi_marts() -> crate::bi::Marts {
    crate::bi::Marts::new(vec![
        Arc::new(crate::pm::mart::Orders),
        Arc::new(crate::pm::mart_region::OrdersRegion),
        Arc::new(crate::workflow::mart::Requests),
        Arc::new(crate::workflow::mart::Supports),
        Arc::new(crate::construction::mart::Objects),
        Arc::new(crate::construction::mart::Checks),
        Arc::new(crate::opendata::mart::Datasets),
        Arc::new(crate::opendata::mart::DatasetDownloads),
        Arc::new(crate::participation::mart::Priorities),
        Arc::new(crate::participation::mart::ServiceRatings),
        Arc::new(crate::participation::mart::Initiatives),
        Arc::new(crate::staffing::mart::Staff),
        Arc::new(crate::courts::mart::Cases),
        Arc::new(crate::rankings::mart::Indicators),
        Arc::new(crate::reports::mart::Values),
        Arc::new(crate::press::mart::Mentions),
    ])
}

/// Features' scheduled work, run hourly by the server (and once at start).
/// Each step is safe to run twice or from two processes at once.
pub async fn run_scheduled(state: &crate::app::AppState) -> anyhow::Result<()> {
    crate::participation::scheduled(state).await?;
    crate::staffing::scheduled(state).await?;
    crate::courts::scheduled(state).await?;
    crate::rankings::scheduled(state).await?;
    crate::reports::scheduled(state).await?;
    crate::press::scheduled(state).await?;
    crate::pm::scheduled(state).await?;
    // The explorer's monthly mail (a shared service's step).
    crate::bi::explorer::mail::scheduled(state).await
}

/// Who applies which integration message (`integration::inbound`).
pub fn message_handlers() -> Handlers {
    Handlers::new(vec![
        Arc::new(crate::workflow::PortalInbox),
        Arc::new(crate::pm::inbox::Inbox),
        // The directory first: the core then moves the orders of the
        // organisations that left it (`pm::federation`).
        Arc::new(crate::directory::master::DirectoryInbox),
        Arc::new(crate::pm::federation::Moves),
        Arc::new(crate::pm::replica::Replica),
    ])
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    /// A registry answers with the first registration that matches: a
    /// second one for the same kind, source or message type would never be
    /// asked.
    #[test]
    fn nothing_is_registered_twice() {
        let unique = |names: Vec<&'static str>| {
            let set: HashSet<_> = names.iter().collect();
            assert_eq!(set.len(), names.len(), "registered twice: {names:?}");
        };
        unique(super::search_sources().kinds());
        unique(super::request_kinds().iter().map(|k| k.as_str()).collect());
        unique(super::live_datasets().sources());
        unique(super::demo_parts().names());
        unique(super::agenda_sources().kinds());
        let mut types = super::message_handlers().types();
        // The one type two handlers apply, in turn: the directory, then
        // the core's moves.
        let twice = types.iter().filter(|t| **t == "directory.updated").count();
        assert_eq!(twice, 2);
        types.retain(|t| *t != "directory.updated");
        unique(types.clone());
        // Every message veche takes has a handler; `order.updated` is
        // taken only by the Department of Control's replica.
        for t in [
            "order.requested",
            "order.referred",
            "initiative.decided",
            "request.referred",
            "order.reported",
            "request.answered",
            "request.accepted",
            "order.accepted",
            "order.action",
            "meeting.decided",
        ] {
            assert!(types.contains(&t), "no handler for {t}");
        }
        assert!(types.contains(&"order.updated"));
    }
}
