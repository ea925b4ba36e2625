//! Input from the outside world: every one refused cleanly, quickly, with
//! the fault and the schema's reason that fit.

use std::time::{Duration, Instant};

use super::super::*;
use super::{acknowledgment, order};

fn refused(bytes: &[u8], limits: &Limits) -> Refusal {
    match parse(bytes, limits) {
        Ok(message) => panic!("accepted: {message:?}"),
        Err(refusal) => refusal,
    }
}

fn valid_order() -> String {
    String::from_utf8(to_xml(&order(), Charset::Utf8).unwrap()).unwrap()
}

#[test]
fn a_message_over_the_size_limit_is_refused_before_it_is_read() {
    let mut xml = valid_order().into_bytes();
    xml.resize(Limits::default().max_bytes + 1, b' ');
    let started = Instant::now();
    let r = refused(&xml, &Limits::default());
    assert_eq!(r.fault, Fault::TooLarge);
    assert_eq!(r.reason, RefusalReason::TextNotPerRegulation);
    assert!(started.elapsed() < Duration::from_millis(100));
}

#[test]
fn entity_expansion_is_refused_at_the_doctype() {
    let mut laughs =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let previous = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        let refs = format!("&{previous};").repeat(10);
        laughs.push_str(&format!("<!ENTITY lol{i} \"{refs}\">\n"));
    }
    laughs.push_str(
        "]>\n<communication xmlns=\"http://www.infpres.com/IEDMS\">&lol9;</communication>",
    );
    let started = Instant::now();
    let r = refused(laughs.as_bytes(), &Limits::default());
    assert_eq!(r.fault, Fault::Doctype, "{r}");
    assert!(r.detail.contains("DOCTYPE"));
    assert!(started.elapsed() < Duration::from_millis(100));

    // An external entity, the other classic: refused the same way.
    let xxe =
        "<?xml version=\"1.0\"?><!DOCTYPE c [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><c>&x;</c>";
    assert_eq!(
        refused(xxe.as_bytes(), &Limits::default()).fault,
        Fault::Doctype
    );

    // An entity used without any DOCTYPE is never looked up.
    let order = valid_order().replacen("Поручение", "&lol9;", 1);
    let r = refused(order.as_bytes(), &Limits::default());
    assert_eq!(r.fault, Fault::Doctype, "{r}");
    assert!(r.detail.contains("&lol9;"));
}

#[test]
fn deep_nesting_is_refused_at_the_limit_without_recursion() {
    let depth = 100_000;
    let xml = format!(
        "<xdms:communication xmlns:xdms=\"{NAMESPACE}\" xdms:version=\"2.6\">{}{}</xdms:communication>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    let r = refused(xml.as_bytes(), &Limits::default());
    assert_eq!(r.fault, Fault::TooLarge);
    assert!(r.detail.contains("32 levels"), "{r}");
}

#[test]
fn too_many_elements_clauses_or_characters_are_refused() {
    let limits = Limits {
        max_elements: 20,
        ..Limits::default()
    };
    let r = refused(valid_order().as_bytes(), &limits);
    assert_eq!(r.fault, Fault::TooLarge);
    assert!(r.detail.contains("20 elements"), "{r}");

    let mut message = order();
    let Body::Document(d) = &mut message.body else {
        unreachable!()
    };
    let clause = d.clauses[0].clone();
    d.clauses = vec![clause; 11];
    let xml = to_xml(&message, Charset::Utf8).unwrap();
    let limits = Limits {
        max_clauses: 10,
        ..Limits::default()
    };
    let r = refused(&xml, &limits);
    assert_eq!(r.fault, Fault::TooLarge);
    assert!(r.detail.contains("11 clauses"), "{r}");

    let long = valid_order().replacen("Поручение", &"ж".repeat(70_000), 1);
    let r = refused(long.as_bytes(), &Limits::default());
    assert_eq!(r.fault, Fault::TooLarge);
    assert!(r.detail.contains("65536 characters"), "{r}");
}

#[test]
fn bytes_not_valid_in_the_declared_encoding_are_refused() {
    // Declared UTF-8, written in windows-1251.
    let text = valid_order();
    let cp1251 = encoding_rs::WINDOWS_1251.encode(&text).0;
    let r = refused(&cp1251, &Limits::default());
    assert_eq!(r.fault, Fault::Encoding);
    assert_eq!(r.reason, RefusalReason::TextIllegible);
    assert!(r.detail.contains("not valid UTF-8"), "{r}");

    // An encoding veche does not read.
    let koi8 = text.replacen("UTF-8", "KOI8-R", 1);
    let r = refused(koi8.as_bytes(), &Limits::default());
    assert_eq!(r.fault, Fault::Encoding);
    assert!(r.detail.contains("KOI8-R"), "{r}");

    // UTF-16, with its byte order mark.
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(refused(&utf16, &Limits::default()).fault, Fault::Encoding);

    // UTF-16 without a mark, declared as windows-1251: NULs everywhere.
    let mut sneaky: Vec<u8> = "<?xml version=\"1.0\" encoding=\"windows-1251\"?>".into();
    sneaky.extend("<a/>".encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(refused(&sneaky, &Limits::default()).fault, Fault::Encoding);

    // A UTF-8 byte order mark on a message declaring windows-1251.
    let mut marked = b"\xEF\xBB\xBF".to_vec();
    marked.extend(text.replacen("UTF-8", "windows-1251", 1).into_bytes());
    assert_eq!(refused(&marked, &Limits::default()).fault, Fault::Encoding);
}

#[test]
fn what_is_not_xml_is_refused_as_such() {
    let cases: [&[u8]; 7] = [
        b"",
        b"   \n",
        b"hello, world",
        b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj",
        b"<communication",
        b"<a><b></a></b>",
        b"<a/><b/>",
    ];
    for bytes in cases {
        let r = refused(bytes, &Limits::default());
        assert!(
            matches!(r.fault, Fault::NotXml | Fault::Encoding),
            "{:?}: {r:?}",
            String::from_utf8_lossy(bytes)
        );
        assert!(!r.detail.is_empty());
    }
    let r = refused(
        b"<html><body>Service unavailable</body></html>",
        &Limits::default(),
    );
    assert_eq!(r.fault, Fault::NotIedms);
    assert!(r.detail.contains("web page"));
}

#[test]
fn another_namespace_or_version_is_refused_with_words_saying_so() {
    let text = valid_order();
    let foreign = text.replace(NAMESPACE, "http://example.org/not-iedms");
    let r = refused(foreign.as_bytes(), &Limits::default());
    assert_eq!(r.fault, Fault::NotIedms);
    assert!(r.detail.contains("not in the IEDMS namespace"), "{r}");

    let old = text.replacen("xdms:version=\"2.6\"", "xdms:version=\"2.2\"", 1);
    let r = refused(old.as_bytes(), &Limits::default());
    assert_eq!(r.fault, Fault::NotIedms);
    assert!(r.detail.contains("\"2.2\""), "{r}");

    let none = text.replacen(" xdms:version=\"2.6\"", "", 1);
    assert_eq!(
        refused(none.as_bytes(), &Limits::default()).fault,
        Fault::Invalid
    );

    let container = "<c:container xmlns:c=\"http://minsvyaz.ru/container\" c:version=\"1.0\"/>";
    let r = refused(container.as_bytes(), &Limits::default());
    assert_eq!(r.fault, Fault::NotIedms);
    assert!(r.detail.contains("2.7"), "{r}");

    let other_root = format!("<xdms:environment xmlns:xdms=\"{NAMESPACE}\"/>");
    assert_eq!(
        refused(other_root.as_bytes(), &Limits::default()).fault,
        Fault::NotIedms
    );
}

#[test]
fn a_message_breaking_the_schema_is_refused_with_the_path() {
    let text = valid_order();
    let cases = [
        // The header says one thing, the body another.
        (
            text.replacen("xdms:type=\"Документ\"", "xdms:type=\"Квитанция\"", 1),
            "holds <document>",
        ),
        (
            text.replacen("xdms:type=\"Документ\"", "xdms:type=\"Письмо\"", 1),
            "\"Письмо\"",
        ),
        (
            text.replacen("<xdms:number>П-42</xdms:number>", "", 1),
            "document has no num",
        ),
        (
            text.replacen(
                "<xdms:pages>1</xdms:pages>\n    <xdms:annotation",
                "<xdms:pages>-1</xdms:pages>\n    <xdms:annotation",
                1,
            ),
            "not a whole number",
        ),
        (
            text.replacen("2024-04-30", "30.04.2024", 1),
            "deadline is \"30.04.2024\"",
        ),
        (
            text.replacen("00000000-0000-4000-8000-000000000020", "not-a-guid", 1),
            "not a GUID",
        ),
        (
            text.replacen("Текст документа", "Скан", 1),
            "group \"Скан\"",
        ),
    ];
    for (xml, words) in cases {
        let r = refused(xml.as_bytes(), &Limits::default());
        assert_eq!(r.fault, Fault::Invalid, "{words}: {r}");
        assert!(r.detail.contains(words), "{words}: {r}");
    }
    let no_number = text.replacen("<xdms:number>П-42</xdms:number>", "", 1);
    assert_eq!(
        refused(no_number.as_bytes(), &Limits::default()).reason,
        RefusalReason::NoNumberAndDate
    );

    let ack = String::from_utf8(to_xml(&acknowledgment(true), Charset::Utf8).unwrap()).unwrap();
    let r = refused(
        ack.replace(">true<", ">yes<").as_bytes(),
        &Limits::default(),
    );
    assert!(r.detail.contains("not a boolean"), "{r}");
    let two = ack.replace(
        "</xdms:acknowledgment>",
        "</xdms:acknowledgment><xdms:acknowledgment/>",
    );
    let r = refused(two.as_bytes(), &Limits::default());
    assert!(r.detail.contains("exactly one"), "{r}");
}
