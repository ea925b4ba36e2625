//! The demo region's МЭДО: the administration's «Дело» as a partner whose
//! folders are under the data folder (`medo/demo-delo/in` and `out`), two
//! ministries with their МЭДО uids, and a governor's protocol of
//! instructions (labelled demo, dated two days ago) waiting in the inbound
//! folder. The gateway reads it on its first round after the start: two
//! clauses become orders with the protocol's text attached, the third,
//! addressed to «администрации муниципальных образований», waits for an
//! administrator on /admin/integration/medo, and the receipt and the
//! registration appear in the outbound folder.

use time::Duration;

use crate::db::Tx;
use crate::demo::{DemoPart, Gen};
use crate::exec_tx;
use crate::integration::medo as md;

pub struct Medo;

pub const PARTNER: &str = "demo-delo";
/// The demo «Дело»'s participant uid.
pub const DELO_UID: &str = "5e7a0c1d-2b3f-4a5e-8c9d-0e1f2a3b4c5d";

/// A stable uid for a demo name.
fn uid(name: &str) -> md::Guid {
    md::Guid::from_uuid(uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("veche-demo:medo:{name}").as_bytes(),
    ))
}

fn addressee(uid: Option<md::Guid>, organisation: &str) -> md::Addressee {
    md::Addressee {
        uid,
        contact: md::Contact {
            organization: Some(md::Qualified::new(organisation)),
            ..md::Contact::default()
        },
        comment: None,
    }
}

#[async_trait::async_trait]
impl DemoPart for Medo {
    fn name(&self) -> &'static str {
        "medo"
    }

    async fn load(&self, tx: &mut Tx, g: &mut Gen<'_>) -> anyhow::Result<usize> {
        let base = g.state.config.data_dir.join("medo").join(PARTNER);
        let (inbound, outbound) = (base.join("in"), base.join("out"));
        let now = crate::db::now();
        exec_tx!(
            tx,
            "insert into integration_partner (partner_id, name, kind, url, secret,
                 all_organisations, created_at)
             values ($1, $2, 'medo', null, $3, false, $4)
             on conflict (partner_id) do nothing",
            PARTNER,
            "СЭД «Дело» администрации края (демо)",
            crate::integration::signing::new_secret(),
            now
        )?;
        exec_tx!(
            tx,
            "insert into integration_partner_organisation (partner_id, organisation_id)
             values ($1, 'governor') on conflict do nothing",
            PARTNER
        )?;
        exec_tx!(
            tx,
            "insert into integration_medo (partner_id, medo_uid, inbound_dir, outbound_dir,
                 encoding)
             values ($1, $2, $3, $4, 'windows-1251') on conflict (partner_id) do nothing",
            PARTNER,
            DELO_UID,
            inbound.to_string_lossy().into_owned(),
            outbound.to_string_lossy().into_owned()
        )?;
        let transport = uid("min-transport");
        for (org, u) in [
            ("min-transport", &transport),
            ("min-health", &uid("min-health")),
        ] {
            exec_tx!(
                tx,
                "update organisation set medo_uid = $2 where organisation_id = $1 and medo_uid is null",
                org,
                u.as_str()
            )?;
        }
        let today = g.today();
        let signed = today - Duration::days(2);
        let clause = |n: u64, text: &str, days: i64, who: md::Addressee| md::Clause {
            local_id: Some(n),
            id: Some(format!("demo-{n}")),
            designation: Some(format!("{n}.")),
            text: Some(text.to_owned()),
            deadline: Some(today + Duration::days(days)),
            principal: Some(md::Executors::One(who)),
            participants: Vec::new(),
            comment: None,
        };
        let transport_name = "Министерство транспорта и дорожного хозяйства Краснодарского края";
        let health_name = "Министерство здравоохранения Краснодарского края";
        let document = md::Document {
            uid: uid("protocol"),
            id: Some("demo-protocol".into()),
            kind: Some(md::Qualified::new("Протокол")),
            num: md::DocNumber {
                number: "12-пр".into(),
                date: Some(signed),
            },
            classification: None,
            urgency: None,
            signatories: vec![md::Signatory {
                contact: md::Contact {
                    organization: Some(md::Qualified::new("Администрация Краснодарского края")),
                    post: Some(md::Qualified::new("Губернатор Краснодарского края")),
                    ..md::Contact::default()
                },
                signed,
                comment: None,
            }],
            addressees: vec![
                addressee(Some(transport.clone()), transport_name),
                addressee(None, health_name),
            ],
            pages: 1,
            enclosures_pages: None,
            annotation: Some(
                "Протокол совещания у губернатора о подготовке дорог и медицинских пунктов к паводку (демо)"
                    .into(),
            ),
            enclosures: Vec::new(),
            correspondents: Vec::new(),
            clauses: vec![
                clause(
                    1,
                    "Обследовать мосты на автомобильных дорогах регионального значения в зоне паводка и доложить о принятых мерах.",
                    7,
                    addressee(Some(transport), transport_name),
                ),
                clause(
                    2,
                    "Подготовить мобильные медицинские бригады для населённых пунктов в зоне паводка.",
                    14,
                    addressee(None, health_name),
                ),
                clause(
                    3,
                    "Уточнить планы эвакуации населения и представить их в штаб.",
                    30,
                    addressee(None, "Администрации муниципальных образований"),
                ),
            ],
            executor: None,
            comment: Some("Демонстрационный документ veche".into()),
            files: vec![md::AttachedFile {
                local_name: "protocol-12-pr.txt".into(),
                local_id: Some(0),
                file_type: Some(md::FileType::Txt),
                group: md::FileGroup::DocumentText,
                description: Some("Текст протокола (демо)".into()),
                pages: Some(1),
            }],
        };
        let communication = md::Communication {
            header: md::Header {
                uid: Some(uid("protocol-message")),
                created: Some(md::Timestamp::from(g.start - Duration::days(2))),
                source: md::Party {
                    uid: md::Guid::parse(DELO_UID).expect("a GUID"),
                    name: "Администрация Краснодарского края".into(),
                    comment: Some("СЭД «Дело» (демо)".into()),
                },
                operator: None,
                comment: None,
            },
            body: md::Body::Document(Box::new(document)),
            delivery: Vec::new(),
        };
        let folder = inbound.join("demo-protocol-12-pr");
        if !folder.exists() && !inbound.join(".done/demo-protocol-12-pr").exists() {
            std::fs::create_dir_all(&inbound)?;
            std::fs::create_dir_all(&outbound)?;
            let xml = md::to_xml(&communication, md::Charset::Windows1251)
                .map_err(|e| anyhow::anyhow!(e.detail))?;
            let text = super::deliver::encode_text(
                "ПРОТОКОЛ совещания у губернатора Краснодарского края № 12-пр (демонстрационный документ veche)\r\n",
                false,
            );
            let at = (g.start - Duration::days(2)).to_offset(time::macros::offset!(+3));
            let envelope = md::Envelope::new(
                "ЭСД МЭДО (12-пр, демо)",
                vec!["KRD-MEDO~VECHE".into()],
                time::PrimitiveDateTime::new(at.date(), at.time()),
            );
            md::write_package(
                &folder,
                &envelope,
                "document.xml",
                &xml,
                &[("protocol-12-pr.txt", text.as_slice())],
            )?;
        }
        Ok(1)
    }
}
