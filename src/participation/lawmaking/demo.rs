//! The demo region's law-making: an initiative in every stage, written
//! through the service on a clock that walks the past weeks. The regional
//! one has gone the whole way to the decision it now owes: a thousand
//! supports, a discussion with the ministry's pinned answer, two versions
//! of its text with annotations (one on a passage the amendments later
//! changed), amendments accepted and rejected, and three expert
//! conclusions. Around it: a municipal act already adopted, one in the
//! expertise, one whose first draft is late (overdue in public), one in
//! discussion, one gathering supports, one that closed short of them, and
//! one waiting for the moderator.

use super::domain::{Expertise, Initiator, Level, Outcome, Verdict};
use super::service::{self, Input, Proposal, Rules};
use super::text::Document;
use crate::auth::CurrentUser;
use crate::db::Tx;
use crate::demo::{DemoPart, Gen};

pub struct Initiatives;

const REGIONAL_V1: &str = "Статья 1. Предмет регулирования
Настоящий закон устанавливает порядок благоустройства дворовых территорий многоквартирных домов с участием жителей.
Закон действует на территории края.

Статья 2. Программа благоустройства
Программа благоустройства дворов утверждается на пять лет и обновляется ежегодно.
Очерёдность дворов определяется по заявкам жителей и оценке состояния двора.

Статья 3. Участие жителей
Жители участвуют в выборе проекта благоустройства и в приёмке работ.
Решение о выборе проекта принимается общим собранием собственников.";

/// The regional initiative's amendments: paragraph, new wording, whether
/// the ministry accepts it, and why.
const AMENDMENTS: &[(&str, &str, bool, &str)] = &[
    (
        "1.2",
        "Закон действует на территории Краснодарского края и распространяется на все муниципальные образования.",
        true,
        "Уточняет территорию действия закона.",
    ),
    (
        "2.2",
        "Очерёдность дворов определяется по заявкам жителей, оценке состояния двора и числу проживающих детей.",
        true,
        "Учитывает детские площадки как приоритет.",
    ),
    (
        "3.2",
        "Решение о выборе проекта принимается голосованием жителей на портале.",
        false,
        "Решение о проекте по Жилищному кодексу принимает общее собрание собственников.",
    ),
];

struct Seed {
    title: &'static str,
    problem: &'static str,
    idea: &'static str,
    municipality: Option<&'static str>,
    organisation: &'static str,
}

const REGIONAL: Seed = Seed {
    title: "О благоустройстве дворов с участием жителей",
    problem: "Дворы многоквартирных домов благоустраиваются без плана и без участия жителей: очередь непрозрачна, проекты выбирают без жильцов.",
    idea: "Краевой закон о пятилетней программе благоустройства дворов с прозрачной очередью и участием жителей в выборе проекта и приёмке работ.",
    municipality: None,
    organisation: "min-energy-housing",
};

const MUNICIPAL: &[Seed] = &[
    Seed {
        title: "О тишине в жилых кварталах Сочи в курортный сезон",
        problem: "Летом шум от кафе и строек в жилых кварталах не даёт спать.",
        idea: "Муниципальный акт о часах тишины и ограничении громкой музыки рядом с жилыми домами.",
        municipality: Some("sochi"),
        organisation: "admin-sochi",
    },
    Seed {
        title: "О велосипедной инфраструктуре Краснодара",
        problem: "Велодорожки обрываются и не связаны между собой.",
        idea: "Программа связной сети велодорожек с парковками у остановок и школ.",
        municipality: Some("krasnodar"),
        organisation: "admin-krasnodar",
    },
    Seed {
        title: "О доступной среде в Новороссийске",
        problem: "Пандусы на остановках и у поликлиник отсутствуют или сделаны с нарушениями.",
        idea: "Порядок обязательной проверки доступности при приёмке остановок и входов в учреждения.",
        municipality: Some("novorossiysk"),
        organisation: "admin-novorossiysk",
    },
    Seed {
        title: "Об озеленении улиц Армавира",
        problem: "При ремонте улиц деревья вырубают и не восстанавливают.",
        idea: "Правило компенсационного озеленения: за каждое срубленное дерево — три новых на той же улице.",
        municipality: Some("armavir"),
        organisation: "admin-armavir",
    },
    Seed {
        title: "О школьных автобусах в Анапском районе",
        problem: "Дети из хуторов добираются до школы пешком вдоль трассы.",
        idea: "Порядок организации школьных маршрутов для хуторов дальше двух километров от школы.",
        municipality: Some("anapa"),
        organisation: "admin-anapa",
    },
    Seed {
        title: "О праздничной иллюминации в Геленджике",
        problem: "Иллюминация стоит дорого и висит круглый год.",
        idea: "Ограничить сроки праздничной иллюминации и публиковать её стоимость.",
        municipality: Some("gelendzhik"),
        organisation: "admin-gelendzhik",
    },
    Seed {
        title: "О ночном освещении дворов Ейского района",
        problem: "Во многих дворах нет освещения после полуночи.",
        idea: "Норматив освещённости дворов и график работы фонарей всю ночь.",
        municipality: Some("yeysky"),
        organisation: "admin-yeysky",
    },
];

/// When each municipal initiative was proposed, in days before the demo's
/// start: far enough back for where it stops (a discussion lasts 30 days,
/// a concept's supports are gathered for 90).
const STARTS: [i64; 7] = [70, 50, 60, 25, 40, 100, 2];

/// Accounts to support with: the demo's residents (made by the priority
/// ranks' part), and more of the same kind when the scale made fewer.
async fn supporters(tx: &mut Tx, g: &mut Gen<'_>, n: usize) -> anyhow::Result<Vec<CurrentUser>> {
    let pattern = format!("resident-%@{}", crate::demo::MAIL_DOMAIN);
    let rows: Vec<(i64, String)> = crate::fetch_tx!(
        tx,
        fetch_all,
        (i64, String),
        "select account_id, display_name from account where email like $1
         order by account_id limit $2",
        pattern,
        n as i64
    )?;
    let mut out: Vec<CurrentUser> = rows
        .into_iter()
        .map(|(account_id, display_name)| CurrentUser {
            account_id,
            display_name,
            email: None,
            locale: crate::web::i18n::Locale::Ru,
            roles: Vec::new(),
            memberships: Vec::new(),
        })
        .collect();
    let mut k = 0;
    while out.len() < n {
        out.push(g.resident(tx, "lawmaking", k, "krasnodar", false).await?);
        k += 1;
    }
    Ok(out)
}

async fn propose(
    tx: &mut Tx,
    g: &mut Gen<'_>,
    s: &Seed,
    author: &CurrentUser,
    days_ago: i64,
) -> anyhow::Result<i64> {
    let t = g.days_ago(days_ago);
    g.at(t);
    let p = Proposal {
        title: s.title.into(),
        problem: s.problem.into(),
        idea: s.idea.into(),
        level: if s.municipality.is_some() {
            Level::Municipality
        } else {
            Level::Region
        },
        municipality_id: s.municipality.map(str::to_owned),
        initiator: Initiator::Citizen,
        group: String::new(),
        initiator_organisation_id: None,
        organisation_id: s.organisation.into(),
    };
    Ok(service::propose_in(tx, author, &p).await?)
}

async fn act(
    tx: &mut Tx,
    g: &mut Gen<'_>,
    who: &CurrentUser,
    id: i64,
    days_ago: i64,
    input: Input,
) -> anyhow::Result<()> {
    let t = g.days_ago(days_ago);
    g.at(t);
    service::act_in(tx, g.state, who, id, &input).await?;
    Ok(())
}

/// Supports from `people` spread over the days from `from` to `to` ago.
async fn support(
    tx: &mut Tx,
    g: &mut Gen<'_>,
    people: &[CurrentUser],
    id: i64,
    from: i64,
    to: i64,
) -> anyhow::Result<()> {
    let span = (from - to).max(1);
    for (k, u) in people.iter().enumerate() {
        let day = from - (k as i64 * span) / people.len().max(1) as i64;
        act(tx, g, u, id, day, Input::Support).await?;
    }
    Ok(())
}

/// Lets the scheduled job move what ended by `days_ago`.
async fn sweep(tx: &mut Tx, g: &mut Gen<'_>, days_ago: i64) -> anyhow::Result<()> {
    let t = g.days_ago(days_ago);
    g.at(t);
    super::sweep::sweep_in(tx, g.state).await?;
    Ok(())
}

fn text(s: &str) -> anyhow::Result<Document> {
    Document::parse(s).map_err(|m| anyhow::anyhow!("{}", m.get(crate::web::i18n::Locale::En)))
}

#[async_trait::async_trait]
impl DemoPart for Initiatives {
    fn name(&self) -> &'static str {
        "lawmaking"
    }

    async fn load(&self, tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<usize> {
        let rules = Rules::of(&g.state.config);
        let moderator = g.moderator(tx).await?;
        let crowd = supporters(
            tx,
            g,
            rules.supports_regional.max(rules.supports_municipal) as usize,
        )
        .await?;
        let municipal = rules.supports_municipal as usize;
        let speakers: Vec<CurrentUser> = {
            let mut v = Vec::new();
            for n in 0..10 {
                v.push(g.citizen(tx, 40 + n).await?);
            }
            v
        };
        let mut made = 0;

        // The regional initiative, from its concept to the decision it owes.
        let ministry = g.officer(tx, REGIONAL.organisation).await?;
        let id = propose(tx, g, &REGIONAL, &speakers[0], 75).await?;
        act(tx, g, &moderator, id, 74, Input::Publish).await?;
        support(
            tx,
            g,
            &crowd[..rules.supports_regional as usize],
            id,
            73,
            62,
        )
        .await?;
        let discussion = [
            (
                1,
                "Нужна ли отдельная краевая программа, если есть федеральная «Формирование комфортной городской среды»?",
            ),
            (
                2,
                "Важно, чтобы очередь была открытой: сейчас никто не знает, когда дойдёт до его двора.",
            ),
            (
                3,
                "Предлагаю учитывать число детей во дворе при определении очерёдности.",
            ),
        ];
        for (k, (who, body)) in discussion.iter().enumerate() {
            act(
                tx,
                g,
                &speakers[*who],
                id,
                60 - k as i64,
                Input::Comment {
                    parent: None,
                    body: (*body).into(),
                },
            )
            .await?;
        }
        let first: (i64,) = crate::fetch_tx!(
            tx,
            fetch_one,
            (i64,),
            "select min(comment_id) from initiative_comment where initiative_id = $1",
            id
        )?;
        act(tx, g, &ministry, id, 56, Input::Comment {
            parent: Some(first.0),
            body: "Федеральная программа покрывает часть дворов; краевой закон закрепит очередь и участие жителей для всех.".into(),
        }).await?;
        let answer: (i64,) = crate::fetch_tx!(
            tx,
            fetch_one,
            (i64,),
            "select max(comment_id) from initiative_comment where initiative_id = $1",
            id
        )?;
        act(
            tx,
            g,
            &ministry,
            id,
            56,
            Input::Pin {
                comment_id: answer.0,
                pinned: true,
            },
        )
        .await?;
        act(
            tx,
            g,
            &speakers[4],
            id,
            55,
            Input::SupportComment {
                comment_id: answer.0,
            },
        )
        .await?;
        sweep(tx, g, 30).await?;
        act(
            tx,
            g,
            &ministry,
            id,
            28,
            Input::PublishVersion {
                text: text(REGIONAL_V1)?,
                changelog: "Первая редакция".into(),
            },
        )
        .await?;
        let v1: (i64,) = crate::fetch_tx!(
            tx,
            fetch_one,
            (i64,),
            "select version_id from initiative_version where initiative_id = $1 and number = 1",
            id
        )?;
        for (k, (p, quote, body)) in [
            (
                "2.1",
                "на пять лет",
                "Пять лет — разумный срок, но нужен ежегодный отчёт.",
            ),
            (
                "1.2",
                "на территории края",
                "Распространяется ли закон на сельские поселения?",
            ),
            (
                "3.1",
                "в приёмке работ",
                "Приёмка без жителей — главная проблема сейчас.",
            ),
        ]
        .into_iter()
        .enumerate()
        {
            act(
                tx,
                g,
                &speakers[5 + k],
                id,
                26 - k as i64,
                Input::Annotate {
                    version: v1.0,
                    paragraph: p.into(),
                    quote: quote.into(),
                    body: body.into(),
                },
            )
            .await?;
        }
        let mut v2 = text(REGIONAL_V1)?;
        for (k, (p, wording, accept, reason)) in AMENDMENTS.iter().enumerate() {
            act(
                tx,
                g,
                &speakers[3 + k],
                id,
                22 - k as i64,
                Input::Amend {
                    version: v1.0,
                    paragraph: (*p).into(),
                    proposed: (*wording).into(),
                },
            )
            .await?;
            let m: (i64,) = crate::fetch_tx!(
                tx,
                fetch_one,
                (i64,),
                "select max(amendment_id) from initiative_amendment where initiative_id = $1",
                id
            )?;
            act(
                tx,
                g,
                &ministry,
                id,
                19,
                Input::DecideAmendment {
                    amendment_id: m.0,
                    accept: *accept,
                    reason: (*reason).into(),
                },
            )
            .await?;
            if *accept {
                v2 = v2.with_paragraph(p, wording).unwrap_or(v2);
            }
        }
        act(
            tx,
            g,
            &ministry,
            id,
            18,
            Input::PublishVersion {
                text: v2,
                changelog: "Внесены принятые поправки к статьям 1 и 2".into(),
            },
        )
        .await?;
        act(tx, g, &ministry, id, 15, Input::ToExpertise).await?;
        let experts = [
            g.citizen(tx, 150).await?,
            g.citizen(tx, 151).await?,
            g.citizen(tx, 152).await?,
        ];
        for e in &experts {
            let email = e.email.clone().unwrap_or_default();
            act(tx, g, &ministry, id, 15, Input::AppointExpert { email }).await?;
        }
        let conclusions = [
            (
                Expertise::Legal,
                Verdict::Remarks,
                "Проект соответствует федеральному законодательству; статью 3 следует согласовать с Жилищным кодексом.",
                "Правовое управление рассмотрело проект закона. Противоречий Конституции и федеральным законам не выявлено. В статье 3 порядок принятия решения о проекте должен ссылаться на статьи 44–48 Жилищного кодекса РФ.",
            ),
            (
                Expertise::AntiCorruption,
                Verdict::Supports,
                "Коррупциогенных факторов не выявлено.",
                "Проведена антикоррупционная экспертиза по методике, утверждённой постановлением Правительства РФ № 96. Коррупциогенные факторы не выявлены.",
            ),
            (
                Expertise::Financial,
                Verdict::Supports,
                "Расходы покрываются действующей программой; дополнительного финансирования не требуется.",
                "Финансово-экономическое обоснование: программа реализуется в пределах средств государственной программы края; дополнительные расходы краевого бюджета не требуются.",
            ),
        ];
        for (k, (kind, verdict, summary, document)) in conclusions.into_iter().enumerate() {
            act(
                tx,
                g,
                &experts[k],
                id,
                12 - 2 * k as i64,
                Input::Conclude {
                    kind,
                    verdict,
                    summary: summary.into(),
                    document: document.into(),
                },
            )
            .await?;
        }
        act(tx, g, &ministry, id, 6, Input::ToReaction).await?;
        made += 1;

        // The municipal ones, each stopped at another point of the way.
        for (n, s) in MUNICIPAL.iter().enumerate() {
            let officer = g.officer(tx, s.organisation).await?;
            let author = &speakers[n % speakers.len()];
            let start = STARTS[n];
            let id = propose(tx, g, s, author, start).await?;
            made += 1;
            if n == 6 {
                continue; // waits for the moderator
            }
            act(tx, g, &moderator, id, start - 1, Input::Publish).await?;
            match n {
                // Gathering supports now; and short of them when its time ran out.
                4 => {
                    support(tx, g, &crowd[..municipal * 2 / 5], id, start - 2, 3).await?;
                    continue;
                }
                5 => {
                    support(tx, g, &crowd[..municipal / 4], id, start - 2, start - 15).await?;
                    sweep(tx, g, 5).await?;
                    continue;
                }
                _ => {}
            }
            support(tx, g, &crowd[..municipal], id, start - 2, start - 8).await?;
            for k in 0..3 {
                act(
                    tx,
                    g,
                    &speakers[(n + k + 1) % speakers.len()],
                    id,
                    start - 9 - k as i64,
                    Input::Comment {
                        parent: None,
                        body: format!(
                            "{} — поддерживаю, но прошу учесть мнение жителей {}.",
                            s.idea.split(':').next().unwrap_or(s.title),
                            ["центра", "окраин", "посёлков"][k]
                        ),
                    },
                )
                .await?;
            }
            if n == 3 {
                continue; // still in discussion
            }
            sweep(tx, g, start - 8 - 30).await?;
            if n == 2 {
                continue; // the draft is owed, and late
            }
            let body = format!(
                "Статья 1. Предмет\n{}\n\nСтатья 2. Исполнение\nАдминистрация публикует отчёт об исполнении ежегодно.",
                s.idea
            );
            act(
                tx,
                g,
                &officer,
                id,
                start - 40,
                Input::PublishVersion {
                    text: text(&body)?,
                    changelog: "Первая редакция".into(),
                },
            )
            .await?;
            act(tx, g, &officer, id, start - 45, Input::ToExpertise).await?;
            let expert = g.citizen(tx, 153 + n).await?;
            act(
                tx,
                g,
                &officer,
                id,
                start - 45,
                Input::AppointExpert {
                    email: expert.email.clone().unwrap_or_default(),
                },
            )
            .await?;
            act(tx, g, &expert, id, start - 48, Input::Conclude { kind: Expertise::Legal, verdict: Verdict::Supports, summary: "Замечаний нет.".into(), document: "Проект соответствует уставу муниципального образования и федеральному законодательству.".into() }).await?;
            if n == 1 {
                continue; // in the expertise
            }
            act(tx, g, &officer, id, start - 50, Input::ToReaction).await?;
            act(
                tx,
                g,
                &officer,
                id,
                start - 53,
                Input::Decide {
                    outcome: Outcome::Adopted,
                    number: "1287".into(),
                    date: Some(g.today() - time::Duration::days(start - 52)),
                    link: "https://sochiadm.ru/".into(),
                    reasons: String::new(),
                },
            )
            .await?;
        }
        Ok(made)
    }
}
