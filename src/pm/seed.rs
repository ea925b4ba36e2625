//! Demo content of the core: a few priority projects and a programme with
//! stages and roadmap events, so `/pm/projects` shows what the region runs.
//! Portfolios need no seeding: they are the directory's governor and
//! vice-governor entries, with their departments below them. Loaded once
//! (by code), labelled as demo in their descriptions.

use crate::db::{Tx, now};
use crate::{exec_tx, on_tx};

struct Demo {
    code: &'static str,
    kind: &'static str,
    parent: Option<&'static str>,
    title: &'static str,
    organisation: &'static str,
    starts: &'static str,
    ends: &'static str,
    stages: &'static [(&'static str, &'static str)],
    milestones: &'static [(&'static str, &'static str)],
}

const DEMO: &[Demo] = &[
    Demo {
        code: "PR-ROADS",
        kind: "programme",
        parent: None,
        title: "Безопасные качественные дороги (региональная программа)",
        organisation: "min-transport",
        starts: "2026-01-01",
        ends: "2028-12-31",
        stages: &[],
        milestones: &[("Утверждён перечень объектов на 2027 год", "2026-12-15")],
    },
    Demo {
        code: "PR-ROADS-01",
        kind: "project",
        parent: Some("PR-ROADS"),
        title: "Ремонт дорог регионального значения",
        organisation: "min-transport",
        starts: "2026-03-01",
        ends: "2027-11-30",
        stages: &[
            ("Проектирование и экспертиза", "2026-06-30"),
            ("Конкурсные процедуры", "2026-09-30"),
            ("Ремонтные работы", "2027-10-31"),
        ],
        milestones: &[
            ("Получено положительное заключение экспертизы", "2026-06-30"),
            ("Заключены контракты", "2026-09-30"),
            ("Объекты приняты в эксплуатацию", "2027-11-30"),
        ],
    },
    Demo {
        code: "PR-SCHOOLS",
        kind: "project",
        parent: None,
        title: "Строительство школ в Краснодаре",
        organisation: "min-construction",
        starts: "2026-01-15",
        ends: "2027-08-31",
        stages: &[
            ("Подготовка площадок", "2026-04-30"),
            ("Строительство", "2027-06-30"),
            ("Ввод в эксплуатацию", "2027-08-31"),
        ],
        milestones: &[
            ("Разрешения на строительство", "2026-03-31"),
            ("Каркас зданий", "2026-12-31"),
            ("Школы открыты к 1 сентября", "2027-08-31"),
        ],
    },
];

/// Loads the demo projects that are missing; returns how many were added.
pub async fn seed_demo(tx: &mut Tx) -> anyhow::Result<usize> {
    let now = now();
    let mut added = 0;
    for d in DEMO {
        let parent: Option<i64> = match d.parent {
            Some(code) => on_tx!(tx, |conn| {
                sqlx::query_scalar::<_, i64>("select project_id from pm_project where code = $1")
                    .bind(code)
                    .fetch_optional(conn)
                    .await
            })?,
            None => None,
        };
        let id = on_tx!(tx, |conn| {
            sqlx::query_scalar::<_, i64>(
                "insert into pm_project (parent_id, kind, code, title, description,
                     organisation_id, starts_on, ends_on, created_at, updated_at)
                 select $1, $2, $3, $4, $5, $6, $7, $8, $9, $9
                 where exists (select 1 from organisation where organisation_id = $6)
                 on conflict (code) do nothing returning project_id",
            )
            .bind(parent)
            .bind(d.kind)
            .bind(d.code)
            .bind(d.title)
            .bind("Демонстрационные данные.")
            .bind(d.organisation)
            .bind(d.starts)
            .bind(d.ends)
            .bind(now)
            .fetch_optional(conn)
            .await
        })?;
        let Some(id) = id else { continue };
        added += 1;
        for (i, (title, due)) in d.stages.iter().enumerate() {
            exec_tx!(
                tx,
                "insert into pm_stage (project_id, title, sort_order, due_on, created_at)
                     values ($1, $2, $3, $4, $5)",
                id,
                *title,
                i as i64 + 1,
                *due,
                now
            )?;
        }
        for (title, due) in d.milestones {
            exec_tx!(
                tx,
                "insert into pm_milestone (project_id, title, due_on, created_at)
                     values ($1, $2, $3, $4)",
                id,
                *title,
                *due,
                now
            )?;
        }
    }
    Ok(added)
}
