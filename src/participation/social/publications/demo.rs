//! The demo region's publications: news and announcements of departments
//! and municipal administrations, residents' posts about their towns in
//! several municipalities, and a discussion under some of them, written
//! through the service on a clock that walks the past weeks. The social
//! layer's demo part calls `load`; the people are the demo's, whose names
//! say «(демо)».

use super::service::{self, Choice, Draft, Kind};
use crate::auth::CurrentUser;
use crate::db::Tx;
use crate::demo::Gen;

/// Who publishes: an organisation's officer, or demo citizen number `n`.
#[derive(Clone, Copy)]
enum By {
    Org(Kind, &'static str),
    Citizen(usize),
}

struct Seed {
    days_ago: i64,
    by: By,
    municipality: Option<&'static str>,
    title: &'static str,
    body: &'static str,
}

const SEEDS: &[Seed] = &[
    Seed {
        days_ago: 40,
        by: By::Org(Kind::News, "min-energy-housing"),
        municipality: None,
        title: "Начат приём заявок на благоустройство дворов на следующий год",
        body: "Министерство ТЭК и ЖКХ края открыло приём заявок жителей на благоустройство дворовых территорий.\n\nЗаявку подаёт совет дома или инициативная группа через управляющую компанию. Приём продлится до конца квартала.",
    },
    Seed {
        days_ago: 36,
        by: By::Citizen(3),
        municipality: Some("krasnodar"),
        title: "Новая велодорожка на Красной — впечатления за первую неделю",
        body: "Проехала всю велодорожку от Северной до Офицерской. Покрытие хорошее, разметка видна.\n\nНе хватает парковок для велосипедов у магазинов и поликлиники.",
    },
    Seed {
        days_ago: 33,
        by: By::Org(Kind::Announcement, "admin-sochi"),
        municipality: Some("sochi"),
        title: "Отключение воды в Хостинском районе 14 и 15 числа",
        body: "В связи с заменой магистрального водовода в Хостинском районе с 9:00 14 числа до 18:00 15 числа будет отключено холодное водоснабжение.\n\nПодвоз питьевой воды организован к школам № 55 и № 67.",
    },
    Seed {
        days_ago: 30,
        by: By::Citizen(11),
        municipality: Some("sochi"),
        title: "Субботник на набережной в Адлере: кто с нами?",
        body: "В субботу в 10:00 собираемся у пирса, чтобы убрать пляж и набережную после шторма.\n\nПерчатки и мешки привезём, возьмите воду и хорошее настроение.",
    },
    Seed {
        days_ago: 27,
        by: By::Citizen(17),
        municipality: Some("novorossiysk"),
        title: "Остановка на Анапском шоссе осталась без навеса",
        body: "После ремонта дороги у остановки «Кирилловка» так и не вернули навес. В дождь люди стоят под открытым небом.\n\nНаписал обращение, ждём ответа. Кто ещё пользуется этой остановкой — поддержите.",
    },
    Seed {
        days_ago: 24,
        by: By::Org(Kind::News, "min-sport"),
        municipality: None,
        title: "В крае откроют ещё 12 площадок для воркаута",
        body: "Министерство физической культуры и спорта края до конца года установит 12 площадок для уличных тренировок в девяти муниципалитетах.\n\nМеста выбраны по предложениям жителей на портале.",
    },
    Seed {
        days_ago: 20,
        by: By::Citizen(25),
        municipality: Some("gelendzhik"),
        title: "Как мы отремонтировали детскую площадку всем двором",
        body: "Собрали подписи, вышли на управляющую компанию, половину работ сделали сами.\n\nДелимся сметой и списком поставщиков — может, пригодится соседям.",
    },
    Seed {
        days_ago: 17,
        by: By::Org(Kind::Announcement, "admin-krasnodar"),
        municipality: Some("krasnodar"),
        title: "Публичные слушания по проекту сквера на Гидрострое",
        body: "Публичные слушания по проекту благоустройства сквера пройдут в доме культуры микрорайона Гидрострой.\n\nПредложения принимаются на портале до дня слушаний.",
    },
    Seed {
        days_ago: 14,
        by: By::Citizen(32),
        municipality: Some("anapa"),
        title: "Пляж в Джемете после сезона: фотоотчёт и вопросы",
        body: "Прошлась по пляжу в Джемете: мусор вывезли, но душевые кабины разбиты.\n\nКто отвечает за их ремонт до следующего сезона?",
    },
    Seed {
        days_ago: 10,
        by: By::Citizen(41),
        municipality: Some("armavir"),
        title: "Вечерние автобусы до Заречного ходят реже расписания",
        body: "Последние две недели автобус № 7 после 20:00 приходит раз в час вместо получаса.\n\nЗаписываю время прибытия — присоединяйтесь, передадим перевозчику.",
    },
    Seed {
        days_ago: 6,
        by: By::Org(Kind::News, "admin-novorossiysk"),
        municipality: Some("novorossiysk"),
        title: "На Анапском шоссе установят шесть новых остановочных павильонов",
        body: "Администрация города заключила контракт на установку остановочных павильонов вдоль Анапского шоссе.\n\nРаботы завершат до конца месяца.",
    },
    Seed {
        days_ago: 3,
        by: By::Citizen(48),
        municipality: Some("krasnodar"),
        title: "Ночная подсветка Тургеневского моста — красиво, но слепит водителей",
        body: "Новая подсветка моста выглядит отлично, но с правого берега прожекторы бьют прямо в глаза.\n\nМожет, стоит поменять угол наклона?",
    },
    Seed {
        days_ago: 1,
        by: By::Org(Kind::Announcement, "dep-internal-policy"),
        municipality: None,
        title: "Открыт приём заявок на гранты для ТОС",
        body: "Департамент внутренней политики края принимает заявки органов территориального общественного самоуправления на гранты.\n\nПодробные условия — на странице конкурса.",
    },
];

/// Comments: the publication (index in `SEEDS`), days ago, the demo
/// citizen who writes, the text.
const COMMENTS: &[(usize, i64, usize, &str)] = &[
    (
        0,
        39,
        5,
        "Подали заявку от нашего дома на Ставропольской. Спасибо, что сроки объявили заранее.",
    ),
    (
        1,
        35,
        8,
        "Согласна про парковки. У поликлиники велосипеды пристёгивают к забору.",
    ),
    (3, 29, 13, "Будем с детьми! Можно прийти к 11?"),
    (3, 29, 20, "Приду с друзьями, захватим грабли."),
    (4, 26, 22, "Каждый день там стою, поддерживаю обращение."),
    (
        4,
        5,
        17,
        "Администрация ответила новостью — павильон поставят, спасибо всем.",
    ),
    (6, 18, 27, "Отличный пример! Скиньте смету, пожалуйста."),
    (
        8,
        12,
        35,
        "Душевые обещали починить к маю, так отвечали на горячей линии.",
    ),
    (11, 2, 50, "Тоже заметил, особенно в дождь."),
];

async fn who(tx: &mut Tx, g: &mut Gen<'_>, by: By) -> anyhow::Result<CurrentUser> {
    match by {
        By::Org(_, org) => g.officer(tx, org).await,
        By::Citizen(n) => g.citizen(tx, n).await,
    }
}

/// Writes the demo's publications and comments.
pub async fn load(tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<()> {
    let mut ids = Vec::new();
    // Oldest first, so numbers follow dates as they would have.
    for s in SEEDS {
        let author = who(tx, g, s.by).await?;
        let choice = match s.by {
            By::Org(kind, org) => Choice {
                kind,
                organisation: Some(org.to_owned()),
            },
            By::Citizen(_) => Choice {
                kind: Kind::Post,
                organisation: None,
            },
        };
        let t = g.days_ago(s.days_ago);
        g.at(t);
        let draft = Draft {
            choice,
            municipality: s.municipality.map(str::to_owned),
            title: s.title.to_owned(),
            body: s.body.to_owned(),
        };
        ids.push(service::publish_in(tx, &author, &draft).await?);
    }
    let mut comments: Vec<&(usize, i64, usize, &str)> = COMMENTS.iter().collect();
    comments.sort_by_key(|c| std::cmp::Reverse(c.1));
    for &(k, days, n, text) in comments {
        let author = g.citizen(tx, n).await?;
        let t = g.days_ago(days);
        g.at(t);
        service::comment_in(tx, &author, ids[k], text).await?;
    }
    Ok(())
}
