//! What the order page shows, read in one place: the order, its tree,
//! history and files, the people and organisations named on it, and
//! where the person looking stands. The page (`pm::pages::show`) only
//! renders it; the actions it offers come from `orders::may`.

use std::collections::BTreeMap;

use super::{may_read_files, side_of};
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::directory::queries::OrgRow;
use crate::error::{AppError, AppResult};
use crate::pm::domain::Side;
use crate::pm::queries::{self, AttachmentRow, EventRow, OrderRow, Person};
use crate::web::i18n::Locale;

pub struct OrderView {
    pub order: OrderRow,
    /// The whole delegation tree the order belongs to, root first.
    pub tree: Vec<OrderRow>,
    pub events: Vec<EventRow>,
    pub files: Vec<AttachmentRow>,
    /// Whether the person may open the files (a reader may not).
    pub files_open: bool,
    pub orgs: BTreeMap<String, OrgRow>,
    /// Names of the executors in the tree and of the order's author.
    pub people: BTreeMap<i64, String>,
    /// Who in the responsible organisation the order may be assigned to.
    pub members: Vec<Person>,
    pub side: Side,
    /// Required sub-orders still open: the report waits for them.
    pub open_children: i64,
    /// The citizen's request the order answers, when the portal is this
    /// installation: its state, first photos and place. A remote portal's
    /// request is only linked.
    pub request: Option<RequestGlance>,
}

pub struct RequestGlance {
    pub appeal: crate::workflow::queries::AppealRow,
    /// The request's own photos (not those of later events).
    pub photos: Vec<String>,
}

impl RequestGlance {
    async fn load(db: &Db, o: &OrderRow) -> AppResult<Option<RequestGlance>> {
        let (Some(id), true) = (o.appeal_id, o.origin == crate::integration::exchange::LOCAL)
        else {
            return Ok(None);
        };
        let Some(appeal) = crate::workflow::queries::appeal(db, id).await? else {
            return Ok(None);
        };
        let photos = crate::workflow::queries::photos(db, id)
            .await?
            .into_iter()
            .filter(|p| p.event_id.is_none())
            .map(|p| p.media_key)
            .collect();
        Ok(Some(RequestGlance { appeal, photos }))
    }
}

impl OrderView {
    pub async fn load(db: &Db, id: i64, user: &CurrentUser) -> AppResult<OrderView> {
        let order = queries::order(db, id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let tree = queries::tree(db, order.root_id.unwrap_or(order.order_id)).await?;
        let events = queries::events(db, id).await?;
        let files = queries::attachments(db, id).await?;
        let files_open = may_read_files(db, &order, user).await?;
        let orgs = crate::pm::dashboard::org_map(db).await?;
        let mut ids: Vec<i64> = tree.iter().filter_map(|t| t.executor_id).collect();
        ids.extend(order.creator_id);
        let people = queries::people(db, &ids)
            .await?
            .into_iter()
            .map(|p| (p.account_id, p.display_name))
            .collect();
        let members = queries::members(db, &order.organisation_id).await?;
        let side = side_of(&order, user);
        let request = RequestGlance::load(db, &order).await?;
        let open_children = tree
            .iter()
            .filter(|t| t.parent_id == Some(order.order_id) && t.required && !t.state().is_final())
            .count() as i64;
        Ok(OrderView {
            order,
            tree,
            events,
            files,
            files_open,
            orgs,
            people,
            members,
            side,
            open_children,
            request,
        })
    }

    /// An organisation's name in the page's language (its id if unknown).
    pub fn org_name(&self, l: Locale, id: &str) -> String {
        self.orgs
            .get(id)
            .map(|x| l.pick(&x.name_ru, &x.name_en).to_owned())
            .unwrap_or_else(|| id.to_owned())
    }

    /// Where a sub-order may go: the responsible organisation and those
    /// below it (a walk up from each, at most 20 levels: the directory is
    /// a tree, but a bad import must not hang the page).
    pub fn sub_organisations(&self, l: Locale) -> Vec<(String, String)> {
        let below = |x: &OrgRow| {
            let mut cur = Some(x);
            for _ in 0..20 {
                match cur {
                    Some(c) if c.organisation_id == self.order.organisation_id => return true,
                    Some(c) => cur = c.parent_id.as_deref().and_then(|p| self.orgs.get(p)),
                    None => return false,
                }
            }
            false
        };
        self.orgs
            .values()
            .filter(|x| below(x))
            .map(|x| self.option(l, x))
            .collect()
    }

    /// Every organisation, for a referral.
    pub fn all_organisations(&self, l: Locale) -> Vec<(String, String)> {
        self.orgs.values().map(|x| self.option(l, x)).collect()
    }

    /// The organisation's members, for assignment.
    pub fn member_options(&self) -> Vec<(String, String)> {
        self.members
            .iter()
            .map(|p| (p.account_id.to_string(), p.display_name.clone()))
            .collect()
    }

    fn option(&self, l: Locale, x: &OrgRow) -> (String, String) {
        (
            x.organisation_id.clone(),
            l.pick(&x.name_ru, &x.name_en).to_owned(),
        )
    }
}
