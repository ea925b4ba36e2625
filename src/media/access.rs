//! Who may see a stored photo. `media` keeps the files but does not know
//! what they belong to: every feature that stores photos registers a rule
//! (`PhotoRule`), wired in `app.rs`. `GET /media/{key}-{size}.jpg` asks the
//! rules in turn; the first that knows the key answers. A key no rule
//! claims is not found, so a photo whose owner forgot to register is never
//! served to anyone.

use std::sync::Arc;

use async_trait::async_trait;

use crate::auth::CurrentUser;
use crate::db::Db;
use crate::error::AppResult;

/// What a rule says about one photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visibility {
    /// Anyone may see it (it may then be cached by shared caches briefly).
    pub public: bool,
    /// This person may see it.
    pub visible: bool,
}

#[async_trait]
pub trait PhotoRule: Send + Sync {
    /// `None` when the photo is not this rule's.
    async fn visibility(
        &self,
        db: &Db,
        key: &str,
        user: Option<&CurrentUser>,
    ) -> AppResult<Option<Visibility>>;
}

/// The registered rules, in the order they are asked.
#[derive(Clone, Default)]
pub struct PhotoRules(Arc<Vec<Arc<dyn PhotoRule>>>);

impl PhotoRules {
    pub fn new(rules: Vec<Arc<dyn PhotoRule>>) -> PhotoRules {
        PhotoRules(Arc::new(rules))
    }

    /// The first answer of a rule that knows the key; `None` when none does.
    pub async fn visibility(
        &self,
        db: &Db,
        key: &str,
        user: Option<&CurrentUser>,
    ) -> AppResult<Option<Visibility>> {
        for rule in self.0.iter() {
            if let Some(v) = rule.visibility(db, key, user).await? {
                return Ok(Some(v));
            }
        }
        Ok(None)
    }
}
