//! The format of МЭДО, the Russian interdepartmental electronic document
//! flow: its messages (IEDMS 2.6, namespace `http://www.infpres.com/IEDMS`)
//! and the transport folder a gateway exchanges them in. Pure: bytes and
//! folders in, types out, and back; no database, no HTTP. Then the
//! wiring (docs/INTEGRATION.md):
//!
//! - `partner.rs`: a partner's transport (its uid, folders, encoding).
//! - `gateway.rs`: the worker reading inbound folders, once per package.
//! - `register.rs`: a document received: acknowledged, registered (its
//!   clauses as orders) or refused.
//! - `matching.rs`: a clause's executor in the directory (uid, then name).
//! - `deliver.rs`: the exchange's deliveries to a partner as packages.
//! - `documents.rs`: orders sent as documents, and the partner's
//!   notifications about them.
//! - `store.rs`: the record of packages and of clauses waiting.
//! - `admin.rs`: `/admin/integration/medo`; `demo.rs`: the demo's «Дело».
//!
//! The format:
//!
//! - `model.rs`: the message as types that parse once (the schema's
//!   enumerations are enums, GUIDs and dates are checked).
//! - `values.rs`: GUIDs, moments (`xsd:dateTime`, with or without a zone)
//!   and dates, read strictly.
//! - `read.rs`: `parse(bytes, limits)`, refusing what a registrar refuses.
//! - `tree.rs`: the bounded XML reader under it: encodings, limits, no DTD.
//! - `write.rs`: `to_xml(communication, charset)`, valid against the schema.
//! - `envelope.rs`: `envelope.ini`, the transport's letter.
//! - `package.rs`: a package folder read, written atomically, and judged
//!   ready to read.
//! - `refusal.rs`: why a message or package was not taken, in the schema's
//!   own words (`RefusalReason`) and in English for the logs.
//!
//! The schema every written message is checked against in the tests is
//! `tests/fixtures/medo/IEDMS.xsd` (its source: `SOURCES.md` beside it).

pub mod admin;
pub mod deliver;
pub mod demo;
mod documents;
mod envelope;
pub mod gateway;
pub mod matching;
mod model;
mod package;
pub mod partner;
mod read;
mod refusal;
mod register;
pub mod store;
mod tree;
mod values;
mod write;

#[cfg(test)]
mod tests;

pub use envelope::Envelope;
pub use model::*;
pub use package::{Package, PackageFile, is_ready, read_package, write_package};
pub use read::parse;
pub use refusal::{Fault, Refusal};
pub use write::{WriteError, to_xml};

/// The namespace of IEDMS messages.
pub const NAMESPACE: &str = "http://www.infpres.com/IEDMS";
/// The version of the schema veche reads and writes. Earlier 2.x messages
/// differ in details we cannot check against a schema we have, and 2.7 is
/// another format (a container); both are refused with words saying so.
pub const VERSION: &str = "2.6";

const MIB: usize = 1024 * 1024;

/// The character sets МЭДО messages and envelopes come in. Gateways of the
/// Windows era write windows-1251; newer systems write UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Charset {
    Utf8,
    Windows1251,
}

impl Charset {
    /// The name an XML declaration gives it.
    pub fn label(self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::Windows1251 => "windows-1251",
        }
    }

    fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            Charset::Utf8 => encoding_rs::UTF_8,
            Charset::Windows1251 => encoding_rs::WINDOWS_1251,
        }
    }

    /// The charset of a declaration's label (`utf-8`, `cp1251`, …), by the
    /// WHATWG names encoding_rs knows; `None` for anything else.
    fn from_label(label: &str) -> Option<Charset> {
        let encoding = encoding_rs::Encoding::for_label(label.trim().as_bytes())?;
        if encoding == encoding_rs::UTF_8 {
            Some(Charset::Utf8)
        } else if encoding == encoding_rs::WINDOWS_1251 {
            Some(Charset::Windows1251)
        } else {
            None
        }
    }
}

/// How much of a message or package is read before giving up. Generous for
/// real documents (a protocol of instructions with a few hundred clauses and
/// its scans), small enough that no sender can exhaust a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The XML message, in bytes; checked before parsing starts.
    pub max_bytes: usize,
    /// How deep elements may nest. The deepest real path (a participant
    /// list's member's organisation in a clause) is level 8.
    pub max_depth: usize,
    /// Elements in one message.
    pub max_elements: usize,
    /// Clauses of one document.
    pub max_clauses: usize,
    /// Characters in one text or attribute value. The schema's longest
    /// field (`shortText`) holds 4,000; some senders exceed it.
    pub max_text_chars: usize,
    /// The charset of an XML message whose declaration names none and whose
    /// bytes are not UTF-8 (XML says UTF-8, but old gateways wrote their
    /// code page without saying so).
    pub fallback: Charset,
    /// Files a package's envelope may name, the XML included.
    pub max_files: usize,
    /// One file of a package, in bytes.
    pub max_file_bytes: u64,
    /// All files of a package together, in bytes.
    pub max_package_bytes: u64,
    /// The envelope, in bytes: a letter of a few lines.
    pub max_envelope_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 16 * MIB,
            max_depth: 32,
            max_elements: 100_000,
            max_clauses: 1_000,
            max_text_chars: 65_536,
            fallback: Charset::Windows1251,
            max_files: 200,
            max_file_bytes: 256 * MIB as u64,
            max_package_bytes: 1024 * MIB as u64,
            max_envelope_bytes: 64 * 1024,
        }
    }
}
