//! Why a message or a package was not taken. Every refusal carries one of
//! the schema's reasons (`reasonForRejection`), so it can be answered in the
//! protocol's own terms (a «Отказано в регистрации» notification, or an
//! acknowledgment with `accepted = false` and the reason as its comment),
//! and an English detail for the log and the administrators' pages.
//!
//! The schema lists reasons a registrar sees in a paper-like document, not
//! format errors, so the mapping takes the nearest:
//!
//! | what went wrong                                   | reason                               |
//! |---------------------------------------------------|--------------------------------------|
//! | not XML, not IEDMS 2.6, DOCTYPE, over a limit,    | «Текст не соответствует регламенту»  |
//! | a file name with a path, a broken envelope        |                                      |
//! | bytes not valid in the declared encoding          | «Текст неразборчив»                  |
//! | a file the envelope or the message names is absent| «Не полная комплектация»             |
//! | a document without any file (its text)            | «Отсутствует текст»                  |
//! | a document without a registration number         | «Нет № и даты»                       |
//! | not addressed to us (decided by the caller)       | «Ошибка адресации»                   |

use std::fmt;

use super::RefusalReason;

/// What went wrong, for code that acts on it (and for tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// More bytes, files, elements, clauses or characters than the limits
    /// allow, or elements nested too deep.
    TooLarge,
    /// A DOCTYPE: IEDMS messages have none, and refusing it is what
    /// guarantees that no entity is ever expanded.
    Doctype,
    /// An encoding other than UTF-8 or windows-1251, or bytes that are not
    /// valid in the encoding the message declares.
    Encoding,
    /// Not well-formed XML.
    NotXml,
    /// Well-formed XML, but not an IEDMS `communication`, or another version.
    NotIedms,
    /// An IEDMS message missing what the schema requires, or with a value
    /// out of its type.
    Invalid,
    /// A file name that is a path, or not a name at all.
    FileName,
    /// A file the envelope or the message names is not in the package.
    MissingFile,
    /// The envelope is absent or unreadable.
    Envelope,
    /// The package could not be read from the disk: not the sender's fault,
    /// so this one is to be retried, never answered.
    Io,
    /// Refused by the caller for a reason of its own (`Refusal::new`).
    Other,
}

/// A refusal: the schema's reason, what went wrong, and a detail in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub fault: Fault,
    pub reason: RefusalReason,
    pub detail: String,
}

impl Refusal {
    /// A refusal decided by the caller, e.g. «Ошибка адресации» for a
    /// message that is not for any organisation it serves.
    pub fn new(reason: RefusalReason, detail: impl Into<String>) -> Self {
        Refusal {
            fault: Fault::Other,
            reason,
            detail: detail.into(),
        }
    }

    /// A refusal with the reason that fits its fault (the table above).
    pub(super) fn of(fault: Fault, detail: impl Into<String>) -> Self {
        let reason = match fault {
            Fault::Encoding => RefusalReason::TextIllegible,
            Fault::MissingFile => RefusalReason::Incomplete,
            Fault::TooLarge
            | Fault::Doctype
            | Fault::NotXml
            | Fault::NotIedms
            | Fault::Invalid
            | Fault::FileName
            | Fault::Envelope
            | Fault::Io
            | Fault::Other => RefusalReason::TextNotPerRegulation,
        };
        Refusal {
            fault,
            reason,
            detail: detail.into(),
        }
    }

    /// The same fault with another of the schema's reasons.
    pub(super) fn because(mut self, reason: RefusalReason) -> Self {
        self.reason = reason;
        self
    }

    /// Whether the fault is ours (the disk), so the package is to be read
    /// again later rather than refused.
    pub fn is_ours(&self) -> bool {
        self.fault == Fault::Io
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for Refusal {}
