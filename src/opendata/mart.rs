//! The reporting schema's relations of open data (`bi`): every dataset of
//! the catalogue with its publisher, topic and versions, and its downloads
//! by month (`downloads.rs`). The passport's contact person (name, phone,
//! e-mail) is left out: the publisher appears as an organisation only.
//! Open data is public, so neither relation is scoped.

use crate::auth::CurrentUser;
use crate::bi::{self, Column, MartDef, Type, sql};
use crate::db::{Backend, Db};
use crate::error::AppResult;
use crate::web::i18n::Label;

const fn l(ru: &'static str, en: &'static str) -> Label {
    Label::new(ru, en)
}

const DATASET_ID: Column = Column::attribute(
    "dataset_id",
    Type::Integer,
    l("Набор", "Dataset"),
    l(
        "Номер набора данных (его страница: /opendata/<идентификатор>)",
        "The dataset's number (its page: /opendata/<identifier>)",
    ),
);
const PUBLISHER: Column = Column::dimension(
    "organisation_id",
    Type::Text,
    l("Публикатор", "Publisher"),
    l(
        "Организация — владелец набора по паспорту",
        "The organisation that owns the dataset by its passport",
    ),
)
.named(bi::ORGANISATION_NAMES);
const TOPIC: Column = Column::dimension(
    "topic",
    Type::Text,
    l("Тема", "Topic"),
    l(
        "Тема (рубрика) набора по паспорту",
        "The dataset's topic by its passport",
    ),
);

static DATASETS: MartDef = MartDef {
    name: "mart_datasets",
    title: l("Открытые данные: наборы", "Open data: datasets"),
    about: l(
        "Одна строка на набор открытых данных: публикатор, тема, число версий, месяц последнего изменения, скачивания",
        "One row per open dataset: the publisher, topic, number of versions, month of the last change, downloads",
    ),
    columns: &[
        DATASET_ID,
        Column::attribute(
            "identifier",
            Type::Text,
            l("Идентификатор", "Identifier"),
            l(
                "Идентификатор набора ({ИНН владельца}-{код}), как опубликован",
                "The dataset's identifier ({owner INN}-{code}), as published",
            ),
        ),
        PUBLISHER,
        TOPIC,
        Column::dimension(
            "municipality_id",
            Type::Text,
            l("Муниципалитет", "Municipality"),
            l(
                "Муниципальное образование, если набор о нём; пусто — весь край",
                "The municipality the dataset is about; empty for the whole region",
            ),
        )
        .named(bi::MUNICIPALITY_NAMES),
        Column::dimension(
            "source",
            Type::Text,
            l("Источник", "Source"),
            l(
                "file (загружен файлом) или реестр, из которого набор обновляется сам",
                "file (uploaded) or the registry that updates it by itself",
            ),
        ),
        Column::dimension(
            "day",
            Type::Date,
            l("День", "Day"),
            l("День первой публикации", "The day of first publication"),
        ),
        Column::dimension(
            "month",
            Type::Month,
            l("Месяц", "Month"),
            l("Месяц первой публикации", "The month of first publication"),
        ),
        Column::dimension(
            "updated_month",
            Type::Month,
            l("Месяц изменения", "Month updated"),
            l(
                "Месяц последнего изменения набора",
                "The month the dataset last changed",
            ),
        ),
        Column::measure(
            "versions",
            Type::Integer,
            l("Версии", "Versions"),
            l(
                "Сколько версий опубликовано",
                "How many versions were published",
            ),
        ),
        Column::measure(
            "rows",
            Type::Integer,
            l("Строк", "Rows"),
            l(
                "Строк в последней опубликованной версии",
                "Rows in the newest published version",
            ),
        ),
        Column::measure(
            "downloads",
            Type::Integer,
            l("Скачивания", "Downloads"),
            l(
                "Скачиваний за всё время: файлы данных и выгрузки таблицы (без просмотров страниц)",
                "Downloads so far: data files and table exports (not page views)",
            ),
        ),
    ],
    period: "day",
    scoped: false,
    record: Some("dataset_id"),
    on_time: None,
    select: datasets_sql,
};

fn datasets_sql(b: Backend) -> String {
    format!(
        "select d.dataset_id, d.identifier, d.organisation_id, d.topic, d.municipality_id,
            d.source, substr(d.created, 1, 10) as day, substr(d.created, 1, 7) as month,
            substr(d.modified, 1, 7) as updated_month, {versions} as versions, {rows} as rows,
            {downloads} as downloads
         from dataset d",
        versions = sql::integer(
            b,
            "(select count(*) from dataset_version v
              where v.dataset_id = d.dataset_id and v.state = 'published')"
        ),
        rows = sql::integer(
            b,
            "(select v.row_count from dataset_version v
              where v.dataset_id = d.dataset_id and v.state = 'published'
              order by v.published_at desc, v.version_id desc limit 1)"
        ),
        downloads = sql::integer(
            b,
            "coalesce((select sum(n.count) from opendata_download n
                       where n.dataset_id = d.dataset_id), 0)"
        ),
    )
}

static DOWNLOADS: MartDef = MartDef {
    name: "mart_dataset_downloads",
    title: l("Открытые данные: скачивания", "Open data: downloads"),
    about: l(
        "Одна строка на набор и месяц, в котором его скачивали: сколько раз (без того, кто скачал)",
        "One row per dataset and month it was downloaded in: how many times (never who)",
    ),
    columns: &[
        DATASET_ID,
        PUBLISHER,
        TOPIC,
        Column::dimension(
            "day",
            Type::Date,
            l("День", "Day"),
            l(
                "Первый день месяца скачиваний",
                "The first day of the month of the downloads",
            ),
        ),
        Column::dimension(
            "month",
            Type::Month,
            l("Месяц", "Month"),
            l(
                "Месяц скачиваний (по Москве)",
                "The month of the downloads (Moscow time)",
            ),
        ),
        Column::measure(
            "downloads",
            Type::Integer,
            l("Скачивания", "Downloads"),
            l(
                "Сколько раз за месяц скачаны файлы данных или выгрузки таблицы целиком",
                "How many times in the month data files or table exports were downloaded in full",
            ),
        ),
    ],
    period: "day",
    scoped: false,
    record: Some("dataset_id"),
    on_time: None,
    select: downloads_sql,
};

fn downloads_sql(b: Backend) -> String {
    format!(
        "select n.dataset_id, d.organisation_id, d.topic, n.month || '-01' as day, n.month,
            {count} as downloads
         from opendata_download n join dataset d on d.dataset_id = n.dataset_id",
        count = sql::integer(b, "n.count"),
    )
}

/// The catalogue is public: every dataset's page opens for everyone.
async fn open_datasets(db: &Db, keys: &[String]) -> AppResult<Vec<Option<String>>> {
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        let found = match k.parse::<i64>() {
            Ok(id) => super::queries::dataset_by_id(db, id)
                .await?
                .map(|d| format!("/opendata/{}", d.identifier)),
            Err(_) => None,
        };
        out.push(found);
    }
    Ok(out)
}

pub struct Datasets;

#[async_trait::async_trait]
impl bi::Mart for Datasets {
    fn def(&self) -> &'static MartDef {
        &DATASETS
    }

    async fn open(
        &self,
        db: &Db,
        _user: &CurrentUser,
        keys: &[String],
    ) -> AppResult<Vec<Option<String>>> {
        open_datasets(db, keys).await
    }
}

pub struct DatasetDownloads;

#[async_trait::async_trait]
impl bi::Mart for DatasetDownloads {
    fn def(&self) -> &'static MartDef {
        &DOWNLOADS
    }

    async fn open(
        &self,
        db: &Db,
        _user: &CurrentUser,
        keys: &[String],
    ) -> AppResult<Vec<Option<String>>> {
        open_datasets(db, keys).await
    }
}
