//! The demo's people: citizens who file reports and staff who answer them,
//! created on first use. None has a password; all are told on the site
//! only.

use super::{Gen, MAIL_DOMAIN};
use crate::auth::domain::{GlobalRole, MembershipKind};
use crate::auth::{CurrentUser, Membership, queries};
use crate::db::Tx;
use crate::web::i18n::Locale;

const FIRST: &[&str] = &[
    "Анна",
    "Иван",
    "Мария",
    "Сергей",
    "Елена",
    "Алексей",
    "Ольга",
    "Дмитрий",
    "Наталья",
    "Андрей",
    "Татьяна",
    "Николай",
    "Светлана",
    "Павел",
    "Ирина",
    "Виктор",
    "Юлия",
    "Михаил",
];
const INITIAL: &[&str] = &[
    "А.", "Б.", "В.", "Г.", "Д.", "Е.", "З.", "К.", "Л.", "М.", "Н.", "П.", "Р.", "С.", "Т.",
];

/// How many citizens the demo has at full scale.
pub const CITIZENS: usize = 160;

impl Gen<'_> {
    /// Demo citizen number `n` (the same person in every part).
    pub async fn citizen(&mut self, tx: &mut Tx, n: usize) -> anyhow::Result<CurrentUser> {
        let name = format!(
            "{} {} (демо)",
            FIRST[n % FIRST.len()],
            INITIAL[(n / FIRST.len() + n) % INITIAL.len()]
        );
        self.person(tx, &format!("citizen-{n}"), &name, None, None)
            .await
    }

    /// A citizen chosen at random among the scaled number of them.
    pub async fn any_citizen(&mut self, tx: &mut Tx) -> anyhow::Result<CurrentUser> {
        let n = self.between(0, self.count(CITIZENS) as i64 - 1) as usize;
        self.citizen(tx, n).await
    }

    /// The officer who answers for an organisation.
    pub async fn officer(&mut self, tx: &mut Tx, org: &str) -> anyhow::Result<CurrentUser> {
        self.person(
            tx,
            &format!("officer.{org}"),
            "Специалист ведомства (демо)",
            None,
            Some((org, MembershipKind::Officer)),
        )
        .await
    }

    /// Executor number `k` of an organisation.
    pub async fn executor(
        &mut self,
        tx: &mut Tx,
        org: &str,
        k: usize,
    ) -> anyhow::Result<CurrentUser> {
        let name = format!(
            "Исполнитель {} {} (демо)",
            FIRST[(k * 7 + org.len()) % FIRST.len()],
            INITIAL[k % INITIAL.len()]
        );
        self.person(
            tx,
            &format!("executor-{k}.{org}"),
            &name,
            None,
            Some((org, MembershipKind::Executor)),
        )
        .await
    }

    /// The moderator of the demo.
    pub async fn moderator(&mut self, tx: &mut Tx) -> anyhow::Result<CurrentUser> {
        self.person(
            tx,
            "moderator-desk",
            "Модератор портала (демо)",
            Some(GlobalRole::Moderator),
            None,
        )
        .await
    }

    /// Resident number `n` of `municipality`, with the residence verified
    /// (as the identity provider would) or only declared; `tag` keeps
    /// separate crowds apart (the same `tag` and `n` are the same person).
    pub async fn resident(
        &mut self,
        tx: &mut Tx,
        tag: &str,
        n: usize,
        municipality: &str,
        verified: bool,
    ) -> anyhow::Result<CurrentUser> {
        let name = format!(
            "{} {} (демо)",
            FIRST[(n * 7 + 3) % FIRST.len()],
            INITIAL[(n / FIRST.len() + n * 3) % INITIAL.len()]
        );
        let u = self
            .person(tx, &format!("{tag}-{n}"), &name, None, None)
            .await?;
        let status = if verified { "verified" } else { "declared" };
        queries::set_municipality(tx, u.account_id, municipality, status).await?;
        Ok(u)
    }

    /// Finds or creates a demo account by its mailbox name.
    pub(super) async fn person(
        &mut self,
        tx: &mut Tx,
        local: &str,
        name: &str,
        role: Option<GlobalRole>,
        member: Option<(&str, MembershipKind)>,
    ) -> anyhow::Result<CurrentUser> {
        let email = format!("{local}@{MAIL_DOMAIN}");
        if let Some(u) = self.people.get(&email) {
            return Ok(u.clone());
        }
        let account_id = account(tx, &email, name).await?;
        if let Some(r) = role {
            queries::grant_role(tx, account_id, r).await?;
        }
        let mut memberships = Vec::new();
        if let Some((org, kind)) = member {
            queries::grant_membership(tx, account_id, org, kind).await?;
            let o = crate::directory::queries::by_id_tx(tx, org)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no organisation {org} in the directory"))?;
            memberships.push(Membership {
                organisation_id: org.to_owned(),
                kind,
                name_ru: o.name_ru,
                name_en: o.name_en,
            });
        }
        // Built here rather than loaded: the account is not committed yet,
        // and another connection would not see it.
        let u = CurrentUser {
            account_id,
            display_name: name.to_owned(),
            email: Some(email.clone()),
            locale: Locale::Ru,
            roles: role.into_iter().collect(),
            memberships,
        };
        self.people.insert(email, u.clone());
        Ok(u)
    }
}

/// Finds or creates a demo account (no password, told on the site only).
pub(super) async fn account(tx: &mut Tx, email: &str, name: &str) -> anyhow::Result<i64> {
    if let Some(a) = queries::account_by_email_tx(tx, email).await? {
        return Ok(a.account_id);
    }
    let id = queries::insert_account(
        tx,
        &queries::NewAccount {
            email: Some((email, email)),
            display_name: name,
            password_hash: None,
            email_confirmed: true,
            municipality: None,
            locale: "ru",
        },
    )
    .await?;
    crate::exec_tx!(
        tx,
        "update account set notify_by_mail = $2 where account_id = $1",
        id,
        false
    )?;
    Ok(id)
}
