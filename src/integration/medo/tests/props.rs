//! Properties: no input makes the reader panic, and any text survives the
//! writer and the reader as XML can carry it.

use proptest::prelude::*;

use super::super::*;
use super::{acknowledgment, order};

/// What XML 1.0 can carry at all; the writer drops the rest.
fn allowed(c: &char) -> bool {
    !matches!(*c as u32, 0..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F | 0xFFFE | 0xFFFF)
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(any::<char>(), 0..120).prop_map(|c| c.into_iter().collect()),
        "[ а-яА-ЯёЁ&<>\"'№\r\n\t0-9]{0,80}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_give_a_message_or_a_refusal(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse(&bytes, &Limits::default());
    }

    #[test]
    fn a_damaged_message_gives_a_message_or_a_refusal(
        cut in 0usize..6000,
        flips in proptest::collection::vec((0usize..6000, any::<u8>()), 0..8),
        charset in prop_oneof![Just(Charset::Utf8), Just(Charset::Windows1251)],
    ) {
        let mut xml = to_xml(&order(), charset).unwrap();
        for (at, byte) in flips {
            let len = xml.len();
            xml[at % len] = byte;
        }
        xml.truncate(cut.max(1));
        let _ = parse(&xml, &Limits::default());
    }

    #[test]
    fn free_text_survives_writing_and_reading(comment in text(), name in text(), utf8 in any::<bool>()) {
        let mut message = acknowledgment(false);
        let Body::Acknowledgment(ack) = &mut message.body else { unreachable!() };
        ack.comment = Some(comment.clone());
        message.header.source.name = name.clone();
        let charset = if utf8 { Charset::Utf8 } else { Charset::Windows1251 };
        let kept: String = comment.chars().filter(allowed).collect();
        let expected_comment = Some(kept.trim().to_owned()).filter(|c| !c.is_empty());
        let kept_name: String = name.chars().filter(allowed).collect();
        let expected_name = kept_name.split_whitespace().collect::<Vec<_>>().join(" ");
        match to_xml(&message, charset) {
            Err(e) => prop_assert!(expected_name.is_empty(), "{e}"),
            Ok(xml) => {
                let back = parse(&xml, &Limits::default()).unwrap();
                let Body::Acknowledgment(ack) = back.body else { unreachable!() };
                prop_assert_eq!(ack.comment, expected_comment);
                prop_assert_eq!(back.header.source.name, expected_name);
            }
        }
    }
}
