//! Tests of the МЭДО format: every kind of message veche writes goes
//! through the writer, `xmllint` against the schema, and back through the
//! reader; a «Дело» protocol fixture is read whole; hostile input is
//! refused (hostile.rs); packages are read and written (package.rs).

mod hostile;
mod package;
mod props;

use std::path::{Path, PathBuf};
use std::process::Command;

use time::macros::{date, datetime, offset};

use super::*;

/// The folder of the fixtures, shared with the HTTP tests.
pub(super) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/medo")
}

/// Validates XML against the IEDMS schema with xmllint. Without xmllint the
/// check is skipped with a loud message, except under CI, where it fails.
pub(super) fn assert_valid(xml: &[u8]) {
    let found = Command::new("xmllint").arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "xmllint is missing (Debian: apt-get install libxml2-utils); CI must validate against the schema"
        );
        eprintln!(
            "SKIPPED: xmllint is missing (Debian: apt-get install libxml2-utils): \
             the written XML was NOT validated against IEDMS.xsd"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("message.xml");
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(fixtures().join("IEDMS.xsd"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the XML does not validate against IEDMS.xsd:\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(xml)
    );
}

pub(super) fn guid(n: u8) -> Guid {
    Guid::parse(&format!("00000000-0000-4000-8000-0000000000{n:02x}")).unwrap()
}

pub(super) fn veche() -> Party {
    Party {
        uid: guid(1),
        name: "Администрация Краснодарского края".to_owned(),
        comment: None,
    }
}

fn department(n: u8, name: &str) -> Addressee {
    Addressee {
        uid: Some(guid(n)),
        contact: Contact {
            organization: Some(Qualified::new(name)),
            ..Contact::default()
        },
        comment: None,
    }
}

fn person(name: &str) -> Addressee {
    Addressee {
        uid: None,
        contact: Contact {
            organization: Some(Qualified::new("Министерство экономики")),
            person: Some(Qualified::new(name)),
            post: Some(Qualified::new("Начальник отдела")),
            ..Contact::default()
        },
        comment: Some("тел. 8 (861) 000-00-00".to_owned()),
    }
}

fn reference() -> Reference {
    Reference {
        contact: Contact {
            organization: Some(Qualified {
                value: "Министерство экономики".to_owned(),
                id: Some("ME".to_owned()),
            }),
            person: Some(Qualified::new("Смирнов С.С.")),
            ..Contact::default()
        },
        num: DocNumber {
            number: "12-01/345".to_owned(),
            date: Some(date!(2024 - 03 - 20)),
        },
        comment: None,
    }
}

fn header() -> Header {
    Header {
        uid: Some(guid(0x10)),
        created: Some(Timestamp::from(datetime!(2024-03-21 10:15:00 +3))),
        source: veche(),
        operator: None,
        comment: None,
    }
}

/// An order given in veche to an outside organisation: a document with one
/// clause, as veche sends it.
pub(super) fn order() -> Communication {
    let minister = department(0x21, "Министерство экономики Краснодарского края");
    Communication {
        header: header(),
        body: Body::Document(Box::new(Document {
            uid: guid(0x20),
            id: Some("pm-order-42".to_owned()),
            kind: Some(Qualified::new("Поручение")),
            num: DocNumber {
                number: "П-42".to_owned(),
                date: Some(date!(2024 - 03 - 21)),
            },
            classification: None,
            urgency: None,
            signatories: vec![Signatory {
                contact: Contact {
                    organization: Some(Qualified::new("Администрация Краснодарского края")),
                    person: Some(Qualified::new("Иванов И.И.")),
                    ..Contact::default()
                },
                signed: date!(2024 - 03 - 21),
                comment: None,
            }],
            addressees: vec![minister.clone()],
            pages: 1,
            enclosures_pages: None,
            annotation: Some(
                "Подготовить предложения по ремонту дорог & мостов <срочно>".to_owned(),
            ),
            enclosures: vec![Enclosure {
                uid: None,
                id: Some("e1".to_owned()),
                title: "Перечень объектов".to_owned(),
                pages: 2,
                comment: None,
            }],
            correspondents: vec![],
            clauses: vec![Clause {
                local_id: Some(1),
                id: Some("42".to_owned()),
                designation: Some("1.".to_owned()),
                text: Some("Подготовить предложения.\nСогласовать с муниципалитетами.".to_owned()),
                deadline: Some(date!(2024 - 04 - 30)),
                principal: Some(Executors::One(minister)),
                participants: vec![Executors::List(AddresseeList {
                    id: None,
                    name: "Соисполнители".to_owned(),
                    members: vec![department(
                        0x22,
                        "Министерство финансов Краснодарского края",
                    )],
                })],
                comment: None,
            }],
            executor: Some(person("Кузнецова Е.А.")),
            comment: None,
            files: vec![AttachedFile {
                local_name: "order-42.pdf".to_owned(),
                local_id: Some(0),
                file_type: Some(FileType::Pdf),
                group: FileGroup::DocumentText,
                description: Some("Поручение № П-42".to_owned()),
                pages: Some(1),
            }],
        })),
        delivery: vec![Party {
            uid: guid(0x21),
            name: "Министерство экономики Краснодарского края".to_owned(),
            comment: None,
        }],
    }
}

pub(super) fn notification(event: Event) -> Communication {
    Communication {
        header: header(),
        body: Body::Notification(Box::new(Notification {
            document_uid: guid(0x30),
            document_id: Some("4711".to_owned()),
            message_uid: Some(guid(0x31)),
            time: Timestamp::from(datetime!(2024-03-21 09:00:00 +3)),
            foundation: Some(reference()),
            clause: Some(Clause {
                local_id: Some(2),
                designation: Some("2.".to_owned()),
                ..Clause::default()
            }),
            correspondent: Some(person("Кузнецова Е.А.")),
            event,
            comment: Some("Из veche".to_owned()),
        })),
        delivery: vec![],
    }
}

pub(super) fn acknowledgment(accepted: bool) -> Communication {
    Communication {
        header: header(),
        body: Body::Acknowledgment(Acknowledgment {
            uid: guid(0x40),
            content: Some("Документ 17-пр".to_owned()),
            time: Timestamp::from(datetime!(2024-03-21 10:14:59.250 +3)),
            accepted,
            comment: (!accepted).then(|| RefusalReason::Incomplete.as_str().to_owned()),
        }),
        delivery: vec![],
    }
}

/// Every kind of message veche writes.
pub(super) fn everything_veche_writes() -> Vec<(&'static str, Communication)> {
    vec![
        ("acknowledgment", acknowledgment(true)),
        ("refusing acknowledgment", acknowledgment(false)),
        (
            "registered",
            notification(Event::Registered {
                num: DocNumber {
                    number: "вх-1024".to_owned(),
                    date: Some(date!(2024 - 03 - 21)),
                },
            }),
        ),
        (
            "refused",
            notification(Event::Refused {
                reason: RefusalReason::AddressingError,
            }),
        ),
        (
            "executor assigned",
            notification(Event::ExecutorAssigned {
                secretary: person("Иванов И.И."),
                manager: person("Петров П.П."),
                executor: person("Кузнецова Е.А."),
            }),
        ),
        (
            "course changed",
            notification(Event::CourseChanged {
                text: "Работы начаты, выполнено 40 %.".to_owned(),
                reference: None,
            }),
        ),
        (
            "report sent",
            notification(Event::ReportSent {
                report: reference(),
            }),
        ),
        ("order", order()),
    ]
}

#[test]
fn every_message_veche_writes_validates_and_reads_back_the_same() {
    for charset in [Charset::Utf8, Charset::Windows1251] {
        for (what, message) in everything_veche_writes() {
            let xml = to_xml(&message, charset).unwrap();
            let head = format!("<?xml version=\"1.0\" encoding=\"{}\"?>", charset.label());
            assert!(xml.starts_with(head.as_bytes()), "{what}: {head}");
            assert_valid(&xml);
            let back = parse(&xml, &Limits::default())
                .unwrap_or_else(|r| panic!("{what} in {charset:?}: {r}"));
            assert_eq!(back, message, "{what} in {charset:?}");
        }
    }
}

#[test]
fn the_other_notifications_validate_and_read_back_too() {
    let others = [
        Event::ReportPrepared {
            signatory: Signatory {
                contact: person("Иванов И.И.").contact,
                signed: date!(2024 - 03 - 22),
                comment: None,
            },
        },
        Event::Published {
            number: "0001202403210001".to_owned(),
            at: Timestamp::parse("2024-03-21T12:00:00").unwrap(),
            point: "Официальный интернет-портал правовой информации".to_owned(),
        },
    ];
    for event in others {
        let message = notification(event);
        let xml = to_xml(&message, Charset::Windows1251).unwrap();
        assert_valid(&xml);
        assert_eq!(parse(&xml, &Limits::default()).unwrap(), message);
    }
}

#[test]
fn windows_1251_writes_missing_characters_as_references() {
    let mut message = acknowledgment(true);
    let Body::Acknowledgment(ack) = &mut message.body else {
        unreachable!()
    };
    ack.comment = Some("Принято ✓ — € 𝄞".to_owned());
    let xml = to_xml(&message, Charset::Windows1251).unwrap();
    let text = String::from_utf8_lossy(&xml);
    assert!(text.contains("&#10003;"), "{text}");
    assert!(text.contains("&#119070;"), "{text}");
    assert_valid(&xml);
    assert_eq!(parse(&xml, &Limits::default()).unwrap(), message);
}

/// A change that makes a document unwritable.
type Breaking = fn(&mut Document);

#[test]
fn the_writer_fits_values_to_the_schema_and_refuses_what_it_cannot() {
    let mut message = order();
    let Body::Document(d) = &mut message.body else {
        unreachable!()
    };
    d.annotation = Some("слово ".repeat(1000));
    d.clauses[0].comment = Some("x".repeat(3000));
    d.addressees[0].contact.person = Some(Qualified::new("  "));
    let xml = to_xml(&message, Charset::Utf8).unwrap();
    assert_valid(&xml);
    let Body::Document(back) = parse(&xml, &Limits::default()).unwrap().body else {
        unreachable!()
    };
    let annotation = back.annotation.unwrap();
    assert!(annotation.chars().count() <= 4000 && annotation.ends_with("слово"));
    assert_eq!(back.clauses[0].comment.as_ref().unwrap().len(), 2047);
    assert_eq!(back.addressees[0].contact.person, None);

    let broken: [(&str, Breaking); 4] = [
        ("no signatory", |d| d.signatories.clear()),
        ("no addressee", |d| d.addressees.clear()),
        ("a long number", |d| d.num.number = "1".repeat(32)),
        ("an empty number", |d| d.num.number = " ".to_owned()),
    ];
    for (what, breaking) in broken {
        let mut message = order();
        let Body::Document(d) = &mut message.body else {
            unreachable!()
        };
        breaking(d);
        assert!(to_xml(&message, Charset::Utf8).is_err(), "{what}");
    }
}

#[test]
fn the_delo_protocol_is_read_with_its_clauses_departments_and_deadlines() {
    let bytes = std::fs::read(fixtures().join("delo-protocol/document.xml")).unwrap();
    assert_valid(&bytes);
    let message = parse(&bytes, &Limits::default()).unwrap();
    assert_eq!(message.kind(), MessageKind::Document);
    let header = &message.header;
    // Compared without regard to case, kept as written.
    assert_eq!(
        header.uid.as_ref().unwrap(),
        &Guid::parse("5d1c6a2e-8f3b-4c1a-9e7d-2b4f6a8c0e13").unwrap()
    );
    assert_eq!(
        header.uid.as_ref().unwrap().as_str(),
        "5D1C6A2E-8F3B-4C1A-9E7D-2B4F6A8C0E13"
    );
    assert_eq!(
        header.created.unwrap().at_offset(offset!(UTC)),
        datetime!(2024-03-14 13:42:05 UTC)
    );
    assert_eq!(header.source.name, "Администрация Краснодарского края");
    let Body::Document(d) = &message.body else {
        panic!("not a document")
    };
    assert_eq!(d.kind.as_ref().unwrap().value, "Протокол");
    assert_eq!(d.num.number, "17-пр");
    assert_eq!(d.num.date, Some(date!(2024 - 03 - 14)));
    assert_eq!(
        d.signatories[0].contact.person.as_ref().unwrap().value,
        "Иванов И.И."
    );
    assert_eq!(d.addressees.len(), 2);
    assert!(d.annotation.as_ref().unwrap().contains("№ 17-пр"));
    assert_eq!(d.clauses.len(), 3);
    let deadlines: Vec<_> = d.clauses.iter().map(|c| c.deadline.unwrap()).collect();
    assert_eq!(
        deadlines,
        [
            date!(2024 - 05 - 01),
            date!(2024 - 06 - 01),
            date!(2024 - 06 - 15)
        ]
    );
    let principals = |i: usize| -> Vec<String> {
        d.clauses[i]
            .principal
            .iter()
            .flat_map(Executors::addressees)
            .map(|a| a.contact.organization.as_ref().unwrap().value.clone())
            .collect()
    };
    let transport = "Министерство транспорта и дорожного хозяйства Краснодарского края";
    let health = "Министерство здравоохранения Краснодарского края";
    assert_eq!(principals(0), [transport]);
    assert_eq!(principals(1), [health]);
    assert_eq!(principals(2), [transport, health]);
    let Some(Executors::One(first)) = &d.clauses[0].principal else {
        panic!("one principal")
    };
    assert_eq!(
        first.uid,
        Some(Guid::parse("c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e01").unwrap())
    );
    assert_eq!(first.contact.person.as_ref().unwrap().value, "Петров П.П.");
    let participants: Vec<_> = d.clauses[1]
        .participants
        .iter()
        .flat_map(Executors::addressees)
        .collect();
    assert_eq!(participants.len(), 1);
    assert_eq!(
        participants[0].contact.organization.as_ref().unwrap().value,
        transport
    );
    assert!(d.clauses[2].participants.is_empty());
    assert_eq!(d.clauses[0].designation.as_deref(), Some("1."));
    assert!(
        d.clauses[1]
            .text
            .as_ref()
            .unwrap()
            .starts_with("Организовать")
    );
    assert_eq!(d.files.len(), 1);
    assert_eq!(d.files[0].local_name, "text0000000000.pdf");
    assert_eq!(d.files[0].group, FileGroup::DocumentText);
    assert_eq!(d.files[0].file_type, Some(FileType::Pdf));
}

#[test]
fn the_same_protocol_reads_alike_in_utf8_and_with_bare_attributes() {
    let bytes = std::fs::read(fixtures().join("delo-protocol/document.xml")).unwrap();
    let original = parse(&bytes, &Limits::default()).unwrap();
    let text = encoding_rs::WINDOWS_1251.decode(&bytes).0.into_owned();
    let utf8 = text.replace("windows-1251", "UTF-8");
    assert_eq!(
        parse(utf8.as_bytes(), &Limits::default()).unwrap(),
        original
    );
    // A sender with a default namespace and unqualified attributes: not
    // what the schema says, read all the same.
    let bare = utf8.replace("xdms:", "").replace("xmlns:xdms=", "xmlns=");
    assert_eq!(
        parse(bare.as_bytes(), &Limits::default()).unwrap(),
        original
    );
    // No declaration at all, in windows-1251: the fallback charset.
    let undeclared = text.replace("<?xml version=\"1.0\" encoding=\"windows-1251\"?>", "");
    let undeclared = encoding_rs::WINDOWS_1251.encode(&undeclared).0;
    assert_eq!(parse(&undeclared, &Limits::default()).unwrap(), original);
}

#[test]
fn refusal_reasons_are_the_schemas_list() {
    let xsd = std::fs::read(fixtures().join("IEDMS.xsd")).unwrap();
    let xsd = encoding_rs::WINDOWS_1251.decode(&xsd).0;
    let list = xsd
        .split("name=\"reasonForRejection\"")
        .nth(1)
        .and_then(|rest| rest.split("</xsd:simpleType>").next())
        .unwrap();
    let values: Vec<&str> = list
        .split("<xsd:enumeration value=\"")
        .skip(1)
        .filter_map(|v| v.split('"').next())
        .collect();
    let ours: Vec<&str> = RefusalReason::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(ours, values);
    for reason in RefusalReason::ALL {
        assert_eq!(RefusalReason::parse(reason.as_str()), Some(reason));
    }
}

#[test]
fn timestamps_and_dates_read_the_schemas_forms() {
    let t = |s: &str| Timestamp::parse(s).map(|t| t.to_string());
    assert_eq!(
        t("2024-03-14T16:42:05").as_deref(),
        Some("2024-03-14T16:42:05")
    );
    assert_eq!(
        t("2024-03-14T16:42:05Z").as_deref(),
        Some("2024-03-14T16:42:05Z")
    );
    assert_eq!(
        t(" 2024-03-14T16:42:05.120+03:00 ").as_deref(),
        Some("2024-03-14T16:42:05.12+03:00")
    );
    assert_eq!(
        t("2024-03-14T16:42:05-05:30").as_deref(),
        Some("2024-03-14T16:42:05-05:30")
    );
    for bad in [
        "",
        "2024-03-14",
        "2024-13-14T00:00:00",
        "2024-03-14T25:00:00",
        "14.03.2024 16:42",
        "2024-03-14T16:42:05+3",
    ] {
        assert_eq!(t(bad), None, "{bad}");
    }
    assert_eq!(parse_date("2024-03-14"), Some(date!(2024 - 03 - 14)));
    assert_eq!(parse_date("2024-03-14+03:00"), Some(date!(2024 - 03 - 14)));
    assert_eq!(parse_date("2024-02-30"), None);
    assert_eq!(parse_date("24-03-14"), None);
    assert_eq!(format_date(date!(2024 - 03 - 04)), "2024-03-04");
    assert!(Guid::parse("{9F50BC3D-47AC-4446-B528-678BB8FB0C30}").is_none());
    assert!(Guid::parse("9F50BC3D-47AC-4446-B528-678BB8FB0C3").is_none());
    let g = Guid::new();
    assert_eq!(Guid::from_uuid(g.to_uuid()), g);
}

#[test]
fn the_constructors_make_messages_that_validate() {
    let now = time::OffsetDateTime::now_utc();
    let refusal = Refusal::new(
        RefusalReason::AddressingError,
        "no partner serves KRD-MEDO~X",
    );
    for ack in [
        Acknowledgment::accepted(guid(5), now),
        Acknowledgment::refused(guid(5), now, &refusal),
    ] {
        let message = Communication::new(veche(), Body::Acknowledgment(ack), now);
        assert_eq!(message.kind(), MessageKind::Acknowledgment);
        let xml = to_xml(&message, Charset::Windows1251).unwrap();
        assert_valid(&xml);
        assert_eq!(parse(&xml, &Limits::default()).unwrap(), message);
    }
    let ack = Acknowledgment::refused(guid(5), now, &refusal);
    assert_eq!(
        ack.comment.as_deref(),
        Some("Ошибка адресации: no partner serves KRD-MEDO~X")
    );
}
