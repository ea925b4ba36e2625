//! Package folders: the «Дело» fixture read, packages written atomically
//! and read back, and hostile folders refused.

use std::fs;
use std::path::Path;
use std::time::Duration;

use time::macros::{date, datetime};

use super::super::*;
use super::{acknowledgment, fixtures, order};

fn copy_fixture(to: &Path) {
    fs::create_dir(to).unwrap();
    for entry in fs::read_dir(fixtures().join("delo-protocol")).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn refused(dir: &Path) -> Refusal {
    match read_package(dir, &Limits::default()) {
        Ok(package) => panic!("accepted: {package:?}"),
        Err(refusal) => refusal,
    }
}

fn envelope() -> Envelope {
    Envelope::new(
        "ЭСД МЭДО (П-42 от 21.03.2024)",
        vec!["KRD-MEDO~MINECON".to_owned()],
        datetime!(2024-03-21 10:15:00),
    )
}

#[test]
fn the_delo_package_is_read_from_its_windows_1251_envelope() {
    let package = read_package(&fixtures().join("delo-protocol"), &Limits::default()).unwrap();
    let e = &package.envelope;
    assert_eq!(
        e.subject,
        "ЭСД МЭДО (17-пр от 14.03.2024 {5D1C6A2E-8F3B-4C1A-9E7D-2B4F6A8C0E13})"
    );
    assert_eq!(e.date, Some(datetime!(2024-03-14 16:42:07)));
    assert_eq!(e.addressees, ["KRD-MEDO~MINTRANS", "KRD-MEDO~MINZDRAV"]);
    assert_eq!(e.files, ["document.xml", "text0000000000.pdf"]);
    assert!(e.auto_send && e.sign && !e.encrypt && e.notify_delivered && e.notify_read);
    assert_eq!(package.xml_name, "document.xml");
    assert_eq!(package.files.len(), 1);
    let pdf = package.file("text0000000000.pdf").unwrap();
    assert!(fs::read(&pdf.path).unwrap().starts_with(b"%PDF-"));
    assert_eq!(pdf.size, fs::metadata(&pdf.path).unwrap().len());
    let Body::Document(d) = &package.communication.body else {
        panic!("not a document")
    };
    assert_eq!(d.clauses.len(), 3);
    assert_eq!(d.clauses[2].deadline, Some(date!(2024 - 06 - 15)));
}

#[test]
fn a_written_package_reads_back_and_leaves_nothing_else() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("out-42");
    let xml = to_xml(&order(), Charset::Windows1251).unwrap();
    let pdf = b"%PDF-1.4 order".as_slice();
    write_package(
        &dir,
        &envelope(),
        "document.xml",
        &xml,
        &[("order-42.pdf", pdf)],
    )
    .unwrap();

    let names: Vec<_> = fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["out-42"], "no temporary folder is left");
    let raw = fs::read(dir.join("envelope.ini")).unwrap();
    assert!(raw.starts_with(&encoding_rs::WINDOWS_1251.encode("[ПИСЬМО КП ПС СЗИ]\r\n").0));
    assert!(
        std::str::from_utf8(&raw).is_err(),
        "the envelope is in windows-1251"
    );

    let package = read_package(&dir, &Limits::default()).unwrap();
    assert_eq!(package.communication, order());
    assert_eq!(package.envelope.files, ["document.xml", "order-42.pdf"]);
    assert_eq!(package.envelope.subject, envelope().subject);
    assert_eq!(package.envelope.date, envelope().date);
    assert_eq!(package.envelope.addressees, envelope().addressees);
    assert_eq!(
        fs::read(&package.file("order-42.pdf").unwrap().path).unwrap(),
        pdf
    );

    // The folder is there: a second package of that name is refused.
    let again = write_package(&dir, &envelope(), "document.xml", &xml, &[]);
    assert_eq!(again.unwrap_err().kind(), std::io::ErrorKind::AlreadyExists);
}

#[test]
fn writing_refuses_names_that_are_paths_and_leaves_nothing() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("p");
    let xml = to_xml(&acknowledgment(true), Charset::Utf8).unwrap();
    for bad in [
        "../evil.pdf",
        "a/b.pdf",
        "a\\b.pdf",
        "C:evil.pdf",
        "..",
        "",
        "envelope.ini",
        "ack.xml",
        "x\n.pdf",
        "名.pdf",
    ] {
        let files: &[(&str, &[u8])] = &[(bad, b"x")];
        let e = write_package(&dir, &envelope(), "ack.xml", &xml, files).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{bad:?}");
    }
    assert_eq!(fs::read_dir(root.path()).unwrap().count(), 0);
}

#[test]
fn an_acknowledgment_package_needs_no_other_file() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("ack");
    let xml = to_xml(&acknowledgment(false), Charset::Windows1251).unwrap();
    write_package(&dir, &envelope(), "acknowledgment.xml", &xml, &[]).unwrap();
    let package = read_package(&dir, &Limits::default()).unwrap();
    assert_eq!(package.communication, acknowledgment(false));
    assert!(package.files.is_empty());
}

#[test]
fn a_utf8_envelope_and_extra_xml_files_are_read_too() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("p");
    copy_fixture(&dir);
    let envelope = fs::read(dir.join("envelope.ini")).unwrap();
    let text = encoding_rs::WINDOWS_1251.decode(&envelope).0.into_owned();
    // A data file in XML before the message, and the envelope in UTF-8.
    let text = text.replace("0=document.xml", "0=data.xml\r\n2=document.xml");
    fs::write(dir.join("envelope.ini"), text).unwrap();
    fs::write(dir.join("data.xml"), "<data/>").unwrap();
    let package = read_package(&dir, &Limits::default()).unwrap();
    assert_eq!(package.xml_name, "document.xml");
    assert!(package.file("data.xml").is_some());
}

/// The fixture with its envelope's text changed.
fn with_envelope(dir: &Path, change: impl Fn(String) -> String) {
    copy_fixture(dir);
    let bytes = fs::read(dir.join("envelope.ini")).unwrap();
    let text = change(encoding_rs::WINDOWS_1251.decode(&bytes).0.into_owned());
    fs::write(
        dir.join("envelope.ini"),
        encoding_rs::WINDOWS_1251.encode(&text).0,
    )
    .unwrap();
}

#[test]
fn hostile_packages_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let at = |name: &str| root.path().join(name);

    with_envelope(&at("dotdot"), |t| {
        t.replace("1=text0000000000.pdf", "1=../../etc/passwd")
    });
    let r = refused(&at("dotdot"));
    assert_eq!(r.fault, Fault::FileName, "{r}");

    with_envelope(&at("absolute"), |t| {
        t.replace("1=text0000000000.pdf", "1=/etc/passwd")
    });
    assert_eq!(refused(&at("absolute")).fault, Fault::FileName);

    with_envelope(&at("drive"), |t| {
        t.replace("1=text0000000000.pdf", "1=C:\\Windows\\win.ini")
    });
    assert_eq!(refused(&at("drive")).fault, Fault::FileName);

    copy_fixture(&at("missing"));
    fs::remove_file(at("missing").join("text0000000000.pdf")).unwrap();
    let r = refused(&at("missing"));
    assert_eq!(r.fault, Fault::MissingFile);
    assert_eq!(r.reason, RefusalReason::Incomplete);
    assert!(r.detail.contains("text0000000000.pdf"));

    // Named by the message, not by the envelope, and not there.
    with_envelope(&at("unlisted"), |t| {
        t.replace("1=text0000000000.pdf\r\n", "")
    });
    fs::remove_file(at("unlisted").join("text0000000000.pdf")).unwrap();
    assert_eq!(refused(&at("unlisted")).fault, Fault::MissingFile);

    // The message names a path.
    copy_fixture(&at("xml-path"));
    let xml = fs::read(at("xml-path").join("document.xml")).unwrap();
    let xml = encoding_rs::WINDOWS_1251.decode(&xml).0;
    let xml = xml.replace("text0000000000.pdf", "..\\..\\boot.ini");
    fs::write(
        at("xml-path").join("document.xml"),
        encoding_rs::WINDOWS_1251.encode(&xml).0,
    )
    .unwrap();
    assert_eq!(refused(&at("xml-path")).fault, Fault::FileName);

    copy_fixture(&at("no-envelope"));
    fs::remove_file(at("no-envelope").join("envelope.ini")).unwrap();
    assert_eq!(refused(&at("no-envelope")).fault, Fault::Envelope);

    // Not an envelope in either encoding (UTF-16 here).
    copy_fixture(&at("utf16"));
    let utf16: Vec<u8> = "[ПИСЬМО КП ПС СЗИ]\r\n[ФАЙЛЫ]\r\n0=document.xml\r\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    fs::write(at("utf16").join("envelope.ini"), utf16).unwrap();
    assert_eq!(refused(&at("utf16")).fault, Fault::Encoding);

    copy_fixture(&at("garbage"));
    fs::write(
        at("garbage").join("envelope.ini"),
        [0xC0u8, 0xFF, 0x81, 0x0A].repeat(40),
    )
    .unwrap();
    assert_eq!(refused(&at("garbage")).fault, Fault::Envelope);

    with_envelope(&at("no-files"), |t| {
        t.split("[ФАЙЛЫ]").next().unwrap().to_owned()
    });
    assert_eq!(refused(&at("no-files")).fault, Fault::Envelope);

    with_envelope(&at("twice"), |t| t + "2=document.xml\r\n");
    assert_eq!(refused(&at("twice")).fault, Fault::Envelope);

    #[cfg(unix)]
    {
        copy_fixture(&at("link"));
        fs::remove_file(at("link").join("text0000000000.pdf")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", at("link").join("text0000000000.pdf")).unwrap();
        assert_eq!(refused(&at("link")).fault, Fault::FileName);
    }
}

#[test]
fn packages_over_the_limits_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("p");
    copy_fixture(&dir);
    let small = |limits: Limits| read_package(&dir, &limits).unwrap_err();
    let r = small(Limits {
        max_files: 1,
        ..Limits::default()
    });
    assert_eq!(r.fault, Fault::TooLarge);
    let r = small(Limits {
        max_file_bytes: 100,
        ..Limits::default()
    });
    assert_eq!(r.fault, Fault::TooLarge);
    assert!(
        r.detail.contains("document.xml") || r.detail.contains(".pdf"),
        "{r}"
    );
    let r = small(Limits {
        max_package_bytes: 1000,
        ..Limits::default()
    });
    assert_eq!(r.fault, Fault::TooLarge);
    let r = small(Limits {
        max_envelope_bytes: 10,
        ..Limits::default()
    });
    assert_eq!(r.fault, Fault::TooLarge);
}

#[test]
fn a_document_without_files_is_refused_as_missing_its_text() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("p");
    let mut message = order();
    let Body::Document(d) = &mut message.body else {
        unreachable!()
    };
    d.files.clear();
    let xml = to_xml(&message, Charset::Utf8).unwrap();
    super::assert_valid(&xml);
    write_package(&dir, &envelope(), "document.xml", &xml, &[]).unwrap();
    let r = refused(&dir);
    assert_eq!(r.reason, RefusalReason::TextMissing);
}

#[test]
fn a_package_is_ready_when_its_envelope_is_there_and_nothing_moves() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("p");
    copy_fixture(&dir);
    assert!(is_ready(&dir, Duration::ZERO));
    assert!(!is_ready(&dir, Duration::from_secs(3600)), "just written");
    fs::remove_file(dir.join("envelope.ini")).unwrap();
    assert!(!is_ready(&dir, Duration::ZERO), "no envelope yet");
    let hidden = root.path().join(".p.partial-1");
    copy_fixture(&hidden);
    assert!(
        !is_ready(&hidden, Duration::ZERO),
        "a writer's temporary folder"
    );
    assert!(!is_ready(&root.path().join("absent"), Duration::ZERO));
}
