//! The demo region's social layer, written after the other parts so that
//! there is activity to follow: profiles (some public, some private), the
//! demo citizen's follows (people, the regional initiative, priorities,
//! organisations), a few conversations, the publications and albums, and
//! one reported post waiting in the moderators' queue.

use crate::activity::{self, Category, topic};
use crate::db::Tx;
use crate::demo::{DemoPart, Gen};
use crate::fetch_tx;

pub struct Social;

const ABOUT: &[&str] = &[
    "Живу в Краснодаре, слежу за ремонтом дорог в своём районе. (демо)",
    "Учитель, занимаюсь благоустройством школьного двора. (демо)",
    "Велосипедист, пишу о велодорожках и парковках. (демо)",
    "Пенсионерка, председатель совета дома. (демо)",
    "Студент, волонтёр городских субботников. (демо)",
    "Предприниматель из Сочи, интересуюсь законотворчеством. (демо)",
];

#[async_trait::async_trait]
impl DemoPart for Social {
    fn name(&self) -> &'static str {
        "social"
    }

    async fn load(&self, tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<usize> {
        let mut made = 0;
        // Profiles: the demo citizen shows their reports and initiatives;
        // four others show everything or part of it; one keeps it private.
        let me = g.citizen(tx, 0).await?;
        let bits = [
            Category::Reports.bit() | Category::Initiatives.bit() | Category::Comments.bit(),
            Category::all_bits(),
            Category::Reports.bit() | Category::Supports.bit(),
            Category::all_bits(),
            Category::Initiatives.bit() | Category::Comments.bit(),
            0,
        ];
        let mut people = Vec::new();
        for (n, (about, bits)) in ABOUT.iter().zip(bits).enumerate() {
            let u = g.citizen(tx, n).await?;
            let avatar = if n % 2 == 1 {
                Some(g.photo().await?.key)
            } else {
                None
            };
            crate::exec_tx!(
                tx,
                "insert into profile (account_id, about, avatar_key, public_activity, updated_at)
                 values ($1, $2, $3, $4, $5) on conflict (account_id) do nothing",
                u.account_id,
                *about,
                avatar,
                bits,
                crate::db::now()
            )?;
            people.push(u);
            made += 1;
        }
        // The demo citizen follows people, initiatives, priorities and
        // organisations: their feed is full on the first visit.
        let mut topics: Vec<String> = people[1..]
            .iter()
            .map(|p| topic("person", p.account_id))
            .collect();
        let initiatives: Vec<(i64,)> = fetch_tx!(
            tx,
            fetch_all,
            (i64,),
            "select initiative_id from initiative where stage <> 'moderation'
             order by initiative_id limit 3"
        )?;
        topics.extend(initiatives.iter().map(|(i,)| topic("initiative", i)));
        let priorities: Vec<(i64,)> = fetch_tx!(
            tx,
            fetch_all,
            (i64,),
            "select priority_id from priority where state = 'published'
             order by priority_id limit 2"
        )?;
        topics.extend(priorities.iter().map(|(i,)| topic("priority", i)));
        for org in ["min-energy-housing", "admin-sochi", "admin-krasnodar"] {
            topics.push(topic("org", org));
        }
        for topic in &topics {
            let t = g.days_ago(20);
            g.at(t);
            activity::follow(tx, me.account_id, topic).await?;
        }
        // Others follow the demo citizen back.
        for p in &people[1..4] {
            activity::follow(tx, p.account_id, &topic("person", me.account_id)).await?;
        }

        super::publications::demo::load(tx, g).await?;
        super::galleries::demo::load(tx, g).await?;

        // Conversations.
        let talk: &[(usize, usize, i64, &str)] = &[
            (
                1,
                0,
                6,
                "Добрый день! Видел ваше сообщение о яме на Северной. Я тоже писал о ней, давайте следить вместе. (демо)",
            ),
            (
                0,
                1,
                5,
                "Здравствуйте! Да, подписался на ваш профиль. Ответ обещают на этой неделе. (демо)",
            ),
            (
                3,
                0,
                2,
                "Спасибо за поддержку инициативы о дворах! Приходите на обсуждение. (демо)",
            ),
        ];
        for (from, to, days, body) in talk {
            let t = g.days_ago(*days);
            g.at(t);
            super::messages::send_in(tx, g.state, &people[*from], people[*to].account_id, body)
                .await
                .map_err(|e| anyhow::anyhow!("demo message: {e:?}"))?;
            made += 1;
        }
        // One citizen's post was reported: the moderators' queue is alive.
        let post: Option<(i64,)> = fetch_tx!(
            tx,
            fetch_optional,
            (i64,),
            "select publication_id from publication where kind = 'post'
             order by publication_id desc limit 1"
        )?;
        if let Some((id,)) = post {
            let t = g.days_ago(1);
            g.at(t);
            super::moderation::flag_in(
                tx,
                people[4].account_id,
                super::moderation::Item::Publication,
                id,
                "Похоже на рекламу. (демо)",
            )
            .await
            .map_err(|e| anyhow::anyhow!("demo flag: {e:?}"))?;
        }
        Ok(made)
    }
}
