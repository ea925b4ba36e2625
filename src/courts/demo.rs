//! The demo region's court cases: a dozen cases of four departments (the
//! first the demo officer's, who is the lawyer of its cases, so the forms
//! are theirs to try), at every stage: pending with hearings over the next
//! weeks (one tomorrow, so the reminder goes out on the first hourly run),
//! a decision against the department whose appeal period ends in less
//! than two weeks (the run opens the core's order), an appeal pending, a
//! judgment in force being paid through the finance body, won and settled
//! cases, and two with a private person as the other party.

use time::{Date, Duration, OffsetDateTime};

use super::domain::{Category, Level, Outcome, PartyKind, Procedure, Risk, Role, complete_inn10};
use super::queries::{self, Decision, NewEnforcement};
use super::service::{NewCaseInput, Party, insert_case, recompute};
use crate::db::Tx;
use crate::demo::{DemoPart, Gen};

pub struct Courts;

const MSK: time::UtcOffset = time::macros::offset!(+3);

/// How a demo case stands today.
#[derive(Clone, Copy)]
enum Stage {
    /// First instance pending; a hearing in this many days.
    Hearing(i64),
    /// Decided against us this many days ago (full text two days later).
    Lost(i64),
    /// Lost at first instance, our appeal pending with a hearing in this
    /// many days.
    Appealed(i64),
    /// Lost and in force; a writ being paid.
    Paying,
    Won,
    Settled,
}

/// department index, role, category, procedure, subject, other party,
/// private person, claimed roubles, risk, stage.
type DemoCase = (
    usize,
    Role,
    Category,
    Procedure,
    &'static str,
    &'static str,
    bool,
    i64,
    Risk,
    Stage,
);

#[rustfmt::skip]
const CASES: &[DemoCase] = &[
    (0, Role::Defendant, Category::Contract, Procedure::Apk, "О взыскании неустойки по государственному контракту на ремонт дорог", "ООО «ЮгСтройИнвест»", false, 4_850_000, Risk::Probable, Stage::Lost(20)),
    (0, Role::Plaintiff, Category::Property, Procedure::Apk, "Об истребовании нежилого помещения из чужого незаконного владения", "АО «Кубаньторг»", false, 12_300_000, Risk::Remote, Stage::Appealed(1)),
    (0, Role::Defendant, Category::Labour, Procedure::Gpk, "О восстановлении на государственной гражданской службе", "Демо-истец (физическое лицо)", true, 350_000, Risk::Possible, Stage::Hearing(3)),
    (0, Role::Defendant, Category::Acts, Procedure::Kas, "Об оспаривании отказа в предоставлении земельного участка", "ООО «АгроЛидер»", false, 0, Risk::Remote, Stage::Hearing(1)),
    (1, Role::Defendant, Category::Damages, Procedure::Gpk, "О возмещении вреда, причинённого падением дерева", "ООО «Автотранс-Юг»", false, 780_000, Risk::Probable, Stage::Paying),
    (1, Role::Plaintiff, Category::Contract, Procedure::Apk, "О взыскании неосновательного обогащения по контракту", "ООО «МедТехСнаб»", false, 2_140_000, Risk::Remote, Stage::Won),
    (1, Role::Defendant, Category::Tax, Procedure::Apk, "О возврате субсидии, использованной не по назначению", "ООО «Фермер Кубани»", false, 5_600_000, Risk::Possible, Stage::Hearing(9)),
    (2, Role::Defendant, Category::Land, Procedure::Apk, "О признании права собственности на земельный участок", "ООО «Черноморская недвижимость»", false, 9_900_000, Risk::Possible, Stage::Hearing(6)),
    (2, Role::ThirdParty, Category::Contract, Procedure::Apk, "О расторжении договора аренды", "ООО «Курортстрой»", false, 1_200_000, Risk::Remote, Stage::Settled),
    (2, Role::Defendant, Category::Damages, Procedure::Gpk, "О компенсации морального вреда", "Демо-истец (физическое лицо)", true, 500_000, Risk::Remote, Stage::Hearing(13)),
    (3, Role::Plaintiff, Category::Property, Procedure::Apk, "О взыскании задолженности по арендной плате", "ООО «Краснодар-Сервис»", false, 3_450_000, Risk::Remote, Stage::Hearing(20)),
    (3, Role::Defendant, Category::Contract, Procedure::Apk, "О взыскании оплаты по контракту на поставку оборудования", "ООО «ТехноПоставка»", false, 6_700_000, Risk::Probable, Stage::Hearing(27)),
];

fn court(p: Procedure, level: Level) -> &'static str {
    match (p, level) {
        (Procedure::Apk, Level::First) => "Арбитражный суд Краснодарского края",
        (Procedure::Apk, _) => "Пятнадцатый арбитражный апелляционный суд",
        (_, Level::First) => "Ленинский районный суд г. Краснодара",
        (_, _) => "Краснодарский краевой суд",
    }
}

fn number(p: Procedure, level: Level, i: usize, year: i32) -> String {
    match (p, level) {
        (Procedure::Apk, Level::First) => format!("А32-{}/{year}", 10_400 + i * 317),
        (Procedure::Apk, _) => format!("15АП-{}/{year}", 5_100 + i * 41),
        (_, Level::First) => format!("2-{}/{year}", 1_200 + i * 53),
        (_, _) => format!("33-{}/{year}", 8_700 + i * 29),
    }
}

/// A hearing at `days` from today, in working hours.
fn hearing_at(today: Date, days: i64, i: usize) -> OffsetDateTime {
    (today + Duration::days(days)).midnight().assume_offset(MSK)
        + Duration::hours(10 + (i % 6) as i64)
        + Duration::minutes(if i.is_multiple_of(2) { 0 } else { 30 })
}

#[async_trait::async_trait]
impl DemoPart for Courts {
    fn name(&self) -> &'static str {
        "courts"
    }

    async fn load(&self, tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<usize> {
        let orgs = crate::demo::departments(g, 4).await?;
        let today = g.today();
        let ago = |d: i64| today - Duration::days(d);
        let mut made = 0;
        for (i, &(k, role, category, procedure, subject, other, person, claimed, risk, stage)) in
            CASES.iter().enumerate()
        {
            let Some(org) = orgs.get(k) else { continue };
            let lawyer = queries::officers(&g.state.db, org)
                .await?
                .first()
                .map(|o| o.0);
            let received = ago(match stage {
                Stage::Hearing(_) => 40 + i as i64 * 3,
                _ => 150 + i as i64 * 10,
            });
            let input = NewCaseInput {
                organisation_id: org.clone(),
                role,
                subject: subject.to_owned(),
                category,
                procedure,
                claimed: claimed * 100,
                risk,
                lawyer_account_id: lawyer,
                link: String::new(),
                level: Level::First,
                court: court(procedure, Level::First).to_owned(),
                number: number(procedure, Level::First, i, received.year()),
                received_on: received,
                parties: vec![Party {
                    kind: if person {
                        PartyKind::Person
                    } else {
                        PartyKind::Organisation
                    },
                    role: if role == Role::Plaintiff {
                        Role::Defendant
                    } else {
                        Role::Plaintiff
                    },
                    name: other.to_owned(),
                    inn: (!person).then(|| complete_inn10(230_100_000 + i as u32 * 7_919)),
                    ogrn: None,
                }],
            };
            let Some(case_id) = insert_case(tx, &input, None).await? else {
                continue;
            };
            made += 1;
            let first = queries::instances_tx(tx, case_id).await?[0].instance_id;
            queries::insert_event(
                tx,
                first,
                received,
                "Исковое заявление принято к производству",
                "",
                "Определение о принятии",
            )
            .await?;
            match stage {
                Stage::Hearing(days) => {
                    queries::insert_hearing(tx, first, hearing_at(today, -20, i), "").await?;
                    queries::insert_hearing(
                        tx,
                        first,
                        hearing_at(today, days, i),
                        &format!("{}", 300 + i),
                    )
                    .await?;
                    queries::insert_event(
                        tx,
                        first,
                        ago(20),
                        "Предварительное судебное заседание",
                        "Дело назначено к судебному разбирательству",
                        "",
                    )
                    .await?;
                }
                Stage::Lost(days) => {
                    queries::insert_hearing(tx, first, hearing_at(today, -days, i), "412").await?;
                    decide(tx, first, ago(days + 2), None, Outcome::Lost).await?;
                    queries::insert_event(
                        tx,
                        first,
                        ago(days),
                        "Решение изготовлено в полном объёме",
                        "Иск удовлетворён",
                        "Решение",
                    )
                    .await?;
                }
                Stage::Appealed(days) => {
                    decide(tx, first, ago(70), None, Outcome::Lost).await?;
                    let key = super::domain::dedup_key(
                        org,
                        court(procedure, Level::Appeal),
                        &number(procedure, Level::Appeal, i, today.year()),
                    );
                    let appeal = queries::insert_instance(
                        tx,
                        &queries::NewInstance {
                            case_id,
                            level: Level::Appeal.as_str(),
                            court: court(procedure, Level::Appeal),
                            number: &number(procedure, Level::Appeal, i, today.year()),
                            dedup_key: &key,
                            received_on: ago(45),
                        },
                    )
                    .await?;
                    if let Some(a) = appeal {
                        queries::insert_hearing(tx, a, hearing_at(today, days, i), "2").await?;
                        queries::insert_event(
                            tx,
                            a,
                            ago(45),
                            "Апелляционная жалоба принята к производству",
                            "",
                            "Определение",
                        )
                        .await?;
                    }
                }
                Stage::Paying => {
                    decide(tx, first, ago(90), Some(ago(58)), Outcome::Lost).await?;
                    queries::set_case_result(
                        tx,
                        case_id,
                        Outcome::Lost.as_str(),
                        Some(claimed * 100 * 8 / 10),
                        None,
                    )
                    .await?;
                    let received_on = ago(30);
                    queries::insert_enforcement(
                        tx,
                        case_id,
                        &NewEnforcement {
                            writ_number: &format!("ФС № 0{}", 41_200_000 + i * 13),
                            writ_date: ago(50),
                            body: "Министерство финансов Краснодарского края",
                            received_on,
                            due_on: super::domain::payment_due(received_on),
                            amount: claimed * 100 * 8 / 10,
                        },
                    )
                    .await?;
                    let writ = last_enforcement(tx, case_id).await?;
                    queries::add_payment(tx, case_id, writ, claimed * 100 * 3 / 10).await?;
                }
                Stage::Won => {
                    decide(tx, first, ago(100), Some(ago(68)), Outcome::Won).await?;
                    queries::set_case_result(
                        tx,
                        case_id,
                        Outcome::Won.as_str(),
                        Some(claimed * 100),
                        None,
                    )
                    .await?;
                }
                Stage::Settled => {
                    decide(tx, first, ago(80), Some(ago(80)), Outcome::Settled).await?;
                }
            }
            recompute(tx, case_id).await?;
        }
        crate::datasets::request_refresh(tx, super::SOURCE).await?;
        Ok(made)
    }
}

async fn last_enforcement(tx: &mut Tx, case_id: i64) -> anyhow::Result<i64> {
    let (id,): (i64,) = crate::fetch_tx!(
        tx,
        fetch_one,
        (i64,),
        "select max(enforcement_id) from court_enforcement where case_id = $1",
        case_id
    )?;
    Ok(id)
}

async fn decide(
    tx: &mut Tx,
    instance_id: i64,
    on: Date,
    in_force: Option<Date>,
    outcome: Outcome,
) -> anyhow::Result<()> {
    queries::set_decision(
        tx,
        instance_id,
        &Decision {
            decided_on: Some(on),
            full_text_on: Some(on + Duration::days(2)),
            in_force_on: in_force,
            outcome: Some(outcome.as_str()),
        },
    )
    .await?;
    Ok(())
}
