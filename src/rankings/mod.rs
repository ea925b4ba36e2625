//! Federal and regional rankings and the indicators of effectiveness
//! (issue 17, in progress): so far the pure rules in `domain` — a place's
//! change with the right sign, and the Open SDG progress status of an
//! indicator. The registry, the pages, the imports and the orders come
//! next (docs/RANKINGS.md says what is built).

pub mod domain;
