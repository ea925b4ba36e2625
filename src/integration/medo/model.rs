//! An IEDMS 2.6 message as types. Names follow the schema (`tests/fixtures/
//! medo/IEDMS.xsd`), in English where the schema has Russian comments; each
//! type says which schema type it is. What the schema enumerates is an enum
//! here, so a value is checked once, when it is read.
//!
//! Parts of the schema veche does not use are not kept: a reader skips them
//! and a writer never writes them. They are: `links`, `specialMark`,
//! `insteadOfDistributed`, the document's `type`, the lists of file ids
//! (`document/files`, `enclosure/files`), nested enclosures and their
//! references, signatures' descriptions (`signedData`), an acknowledgment's
//! `hashCodes`, the `retro`/`modified` attributes of qualified values, and
//! `cookie` attributes (which the schema says to ignore).

use std::fmt;

use time::{Date, OffsetDateTime};

use super::Refusal;
use super::values::collapse;
pub use super::values::{Guid, Timestamp, format_date, parse_date};

/// A whole message: `communication`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Communication {
    pub header: Header,
    pub body: Body,
    /// `deliveryIndex`: the participants the message is meant for, when the
    /// sender lists them (gateways fill it in for distribution).
    pub delivery: Vec<Party>,
}

impl Communication {
    /// A message from `source` with a new id, stamped `created`.
    pub fn new(source: Party, body: Body, created: OffsetDateTime) -> Self {
        Communication {
            header: Header {
                uid: Some(Guid::new()),
                created: Some(created.into()),
                source,
                operator: None,
                comment: None,
            },
            body,
            delivery: Vec::new(),
        }
    }

    /// The header's `type`, which always agrees with the body: it is derived
    /// from it rather than stored, so the two cannot disagree.
    pub fn kind(&self) -> MessageKind {
        match self.body {
            Body::Document(_) => MessageKind::Document,
            Body::Notification(_) => MessageKind::Notification,
            Body::Acknowledgment(_) => MessageKind::Acknowledgment,
        }
    }
}

/// `communication/header`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// `@uid`: the message's id, which an acknowledgment names. Optional in
    /// the schema; veche always writes one.
    pub uid: Option<Guid>,
    /// `@created`.
    pub created: Option<Timestamp>,
    /// `source`: who sent it.
    pub source: Party,
    /// `operator`: the person who sent it, if named.
    pub operator: Option<Qualified>,
    /// `comment`.
    pub comment: Option<String>,
}

/// The message's content: one of the schema's three choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// `document` and `files`.
    Document(Box<Document>),
    /// `notification`.
    Notification(Box<Notification>),
    /// `acknowledgment`.
    Acknowledgment(Acknowledgment),
}

/// `messageType`: the header's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    Document,
    Notification,
    Acknowledgment,
}

/// `communicationPartner`: a participant of МЭДО, known by its GUID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// `@uid`, required.
    pub uid: Guid,
    /// `organization`: the name, required.
    pub name: String,
    /// `comment`: about its document system.
    pub comment: Option<String>,
}

/// `qualifiedValue`: a name, possibly with the sender's code for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualified {
    pub value: String,
    /// `@id`: the sender's own code of the value.
    pub id: Option<String>,
}

impl Qualified {
    pub fn new(value: impl Into<String>) -> Self {
        Qualified {
            value: value.into(),
            id: None,
        }
    }
}

/// `anyone`: the fields every person or organisation of a message has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub region: Option<Qualified>,
    pub organization: Option<Qualified>,
    /// The person's full name.
    pub person: Option<Qualified>,
    pub department: Option<Qualified>,
    pub post: Option<Qualified>,
    /// `contactInfo`: telephones and the like. Not part of a
    /// `documentReference`, where it is neither read nor written.
    pub contact_info: Option<String>,
}

/// `addressee`: an addressee of a document or an executor of a clause.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Addressee {
    /// `@uid`: the addressee's МЭДО participant id, when known.
    pub uid: Option<Guid>,
    pub contact: Contact,
    pub comment: Option<String>,
}

/// `addresseeList`: a named list of addressees (executors of a clause).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddresseeList {
    pub id: Option<String>,
    /// `name`, at most 250 characters.
    pub name: String,
    /// `contents/addressee`, at least one.
    pub members: Vec<Addressee>,
}

/// A clause's executors: the schema's choice between one addressee and a
/// list (`principal` | `principals`, `parcipant` | `parcipants`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "the larger variant is the common one; boxing it would cost an allocation per executor to save bytes on the rare list"
)]
pub enum Executors {
    One(Addressee),
    List(AddresseeList),
}

impl Executors {
    /// Every addressee, one or the list's members.
    pub fn addressees(&self) -> impl Iterator<Item = &Addressee> {
        let members: &[Addressee] = match self {
            Executors::One(one) => std::slice::from_ref(one),
            Executors::List(list) => &list.members,
        };
        members.iter()
    }
}

/// `signatory`: who signed a document, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signatory {
    pub contact: Contact,
    /// `signed`, required.
    pub signed: Date,
    pub comment: Option<String>,
}

/// `correspondent`: the organisation a document answers, with its number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Correspondent {
    pub contact: Contact,
    pub num: Option<DocNumber>,
    pub comment: Option<String>,
}

/// `documentNumber`: a registration number and date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocNumber {
    /// `number`: a token of 1 to 31 characters.
    pub number: String,
    /// `date`, optional and nillable.
    pub date: Option<Date>,
}

/// `documentReference`: a document named by its number and its author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Region, organisation, person, department and post; `contact_info`
    /// is not part of a reference.
    pub contact: Contact,
    pub num: DocNumber,
    pub comment: Option<String>,
}

/// `enclosure`: an enclosure of a document (kept flat: nested enclosures
/// and an enclosure's reference are skipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enclosure {
    pub uid: Option<Guid>,
    pub id: Option<String>,
    /// `title`, required.
    pub title: String,
    /// `pages`, required.
    pub pages: u64,
    pub comment: Option<String>,
}

/// `documentClause`: one instruction of a document, with its executors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clause {
    /// `@localId`: the clause's place in the list.
    pub local_id: Option<u64>,
    /// `@id`: the sender's id of the clause.
    pub id: Option<String>,
    /// `designation`: the clause's name or number («1.», «2.3»).
    pub designation: Option<String>,
    /// `text`: what is to be done.
    pub text: Option<String>,
    /// `deadline`.
    pub deadline: Option<Date>,
    /// `principal` | `principals`: who answers for it.
    pub principal: Option<Executors>,
    /// `parcipants` (sic, the schema's spelling): the co-executors.
    pub participants: Vec<Executors>,
    pub comment: Option<String>,
}

/// `document` with the message's `files`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// `@uid`, required: the document's id, which notifications name.
    pub uid: Guid,
    /// `@id`: the sender's own id of the document.
    pub id: Option<String>,
    /// `kind`: «Протокол», «Письмо», «Поручение»…
    pub kind: Option<Qualified>,
    pub num: DocNumber,
    /// `classification`: the access mark.
    pub classification: Option<Qualified>,
    pub urgency: Option<Qualified>,
    /// `signatories/signatory`, at least one.
    pub signatories: Vec<Signatory>,
    /// `addressees/addressee`, at least one.
    pub addressees: Vec<Addressee>,
    /// `pages` of the document itself.
    pub pages: u64,
    pub enclosures_pages: Option<u64>,
    /// `annotation`: the summary; required but nillable.
    pub annotation: Option<String>,
    pub enclosures: Vec<Enclosure>,
    pub correspondents: Vec<Correspondent>,
    pub clauses: Vec<Clause>,
    /// `executor`: who prepared it.
    pub executor: Option<Addressee>,
    pub comment: Option<String>,
    /// The message's `files/file`, which follow the document.
    pub files: Vec<AttachedFile>,
}

/// `associatedFile`: a file of the package that the message describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedFile {
    /// `@localName`: the file's name in the package folder.
    pub local_name: String,
    /// `@localId`: its number in the list.
    pub local_id: Option<u64>,
    /// `@type`. A value outside the schema's list (`docx`, `odt`) is read
    /// as `None`: the name's extension still says it, and refusing a
    /// document for it would help nobody.
    pub file_type: Option<FileType>,
    /// `group`, required: what the file holds.
    pub group: FileGroup,
    pub description: Option<String>,
    pub pages: Option<u64>,
}

/// `fileGroup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileGroup {
    /// «Текст документа».
    DocumentText,
    /// «Текст приложения».
    EnclosureText,
    /// «Данные».
    Data,
}

/// `fileType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileType {
    Pdf,
    Tif,
    Doc,
    Txt,
    Xml,
}

/// `messageNotification`: news about a document sent earlier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// `@uid`, required: the document it is about (its `document/@uid`).
    pub document_uid: Guid,
    /// `@id`: the document's id at its sender.
    pub document_id: Option<String>,
    /// `@mid`: the message the document came in.
    pub message_uid: Option<Guid>,
    /// `time`, required: when it happened.
    pub time: Timestamp,
    /// `foundation`: the document it is about, by number.
    pub foundation: Option<Reference>,
    /// `clause`: the clause it concerns.
    pub clause: Option<Clause>,
    /// `correspondent`: who reports.
    pub correspondent: Option<Addressee>,
    /// What happened: the element and the `@type` together.
    pub event: Event,
    pub comment: Option<String>,
}

/// The event of a notification. Each is one element of the schema's choice,
/// and fixes the notification's `@type`, so the two cannot disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "a message holds one event, inside a notification already boxed in `Body`"
)]
pub enum Event {
    /// `documentAccepted`, «Зарегистрирован»: the registration number.
    Registered { num: DocNumber },
    /// `documentRefused`, «Отказано в регистрации».
    Refused { reason: RefusalReason },
    /// `executorAssigned`, «Назначен исполнитель»: the head (or deputy) who
    /// signed the resolution, the executor's manager, the executor.
    ExecutorAssigned {
        secretary: Addressee,
        manager: Addressee,
        executor: Addressee,
    },
    /// `reportPrepared`, «Доклад подготовлен»: handed to sign.
    ReportPrepared { signatory: Signatory },
    /// `reportSent`, «Доклад направлен»: the outgoing report. The schema
    /// has no files in a notification: the report's files travel in the
    /// package beside it, named by the envelope.
    ReportSent { report: Reference },
    /// `courseChanged`, «Исполнение»: the course of execution.
    CourseChanged {
        text: String,
        reference: Option<Reference>,
    },
    /// `documentPublished`, «Опубликование».
    Published {
        number: String,
        at: Timestamp,
        point: String,
    },
}

impl Event {
    pub fn kind(&self) -> NotificationKind {
        match self {
            Event::Registered { .. } => NotificationKind::Registered,
            Event::Refused { .. } => NotificationKind::Refused,
            Event::ExecutorAssigned { .. } => NotificationKind::ExecutorAssigned,
            Event::ReportPrepared { .. } => NotificationKind::ReportPrepared,
            Event::ReportSent { .. } => NotificationKind::ReportSent,
            Event::CourseChanged { .. } => NotificationKind::CourseChanged,
            Event::Published { .. } => NotificationKind::Published,
        }
    }
}

/// `notificationType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    Registered,
    Refused,
    ExecutorAssigned,
    ReportPrepared,
    ReportSent,
    CourseChanged,
    Published,
}

impl NotificationKind {
    /// The element of the schema's choice for this kind.
    pub fn element(self) -> &'static str {
        match self {
            NotificationKind::Registered => "documentAccepted",
            NotificationKind::Refused => "documentRefused",
            NotificationKind::ExecutorAssigned => "executorAssigned",
            NotificationKind::ReportPrepared => "reportPrepared",
            NotificationKind::ReportSent => "reportSent",
            NotificationKind::CourseChanged => "courseChanged",
            NotificationKind::Published => "documentPublished",
        }
    }

    pub fn from_element(name: &str) -> Option<Self> {
        NotificationKind::ALL
            .into_iter()
            .find(|kind| kind.element() == name)
    }

    pub const ALL: [NotificationKind; 7] = [
        NotificationKind::Registered,
        NotificationKind::Refused,
        NotificationKind::ExecutorAssigned,
        NotificationKind::ReportPrepared,
        NotificationKind::ReportSent,
        NotificationKind::CourseChanged,
        NotificationKind::Published,
    ];
}

/// `messageAcknowledgment`: a receipt for a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgment {
    /// `@uid`, required: the acknowledged message (its `header/@uid`).
    pub uid: Guid,
    /// `@content`: what the message held, in a few words.
    pub content: Option<String>,
    /// `time`: when it was received.
    pub time: Timestamp,
    /// `accepted`: whether it was taken.
    pub accepted: bool,
    /// `comment`: why not, when it was not.
    pub comment: Option<String>,
}

impl Acknowledgment {
    /// The receipt for the message `uid`, taken.
    pub fn accepted(uid: Guid, time: OffsetDateTime) -> Self {
        Acknowledgment {
            uid,
            content: None,
            time: time.into(),
            accepted: true,
            comment: None,
        }
    }

    /// The receipt for the message `uid`, not taken: the comment gives the
    /// schema's reason and the detail («Не полная комплектация: the file …»).
    pub fn refused(uid: Guid, time: OffsetDateTime, refusal: &Refusal) -> Self {
        Acknowledgment {
            uid,
            content: None,
            time: time.into(),
            accepted: false,
            comment: Some(format!("{}: {}", refusal.reason, refusal.detail)),
        }
    }
}

/// Declares an enumeration of the schema: its variants and their values,
/// which are Cyrillic because the protocol is.
macro_rules! schema_enum {
    ($name:ident { $($variant:ident => $text:literal,)+ }) => {
        impl $name {
            /// The value as the schema spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The variant of a value; whitespace is collapsed first, as the
            /// schema's `token` and `normalizedString` types do.
            pub fn parse(value: &str) -> Option<Self> {
                let value = collapse(value);
                match value.as_str() {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

schema_enum!(MessageKind {
    Document => "Документ",
    Notification => "Уведомление",
    Acknowledgment => "Квитанция",
});

schema_enum!(NotificationKind {
    Registered => "Зарегистрирован",
    Refused => "Отказано в регистрации",
    ExecutorAssigned => "Назначен исполнитель",
    ReportPrepared => "Доклад подготовлен",
    ReportSent => "Доклад направлен",
    CourseChanged => "Исполнение",
    Published => "Опубликование",
});

schema_enum!(FileGroup {
    DocumentText => "Текст документа",
    EnclosureText => "Текст приложения",
    Data => "Данные",
});

schema_enum!(FileType {
    Pdf => "pdf",
    Tif => "tif",
    Doc => "doc",
    Txt => "txt",
    Xml => "xml",
});

/// `reasonForRejection`: the fixed list of reasons a registrar refuses a
/// document for. `Refusal` maps what veche's reader refuses onto it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefusalReason {
    NotForRegistration,
    AddressingError,
    NoCorrespondent,
    NoStatementOfClaim,
    /// «Отсутствует текст» (the schema also has «Текст отсутствует»).
    TextMissing,
    NoSignature,
    EnclosureMissing,
    EnclosurePagesWrong,
    EnclosureDetailsMismatch,
    NoNumberAndDate,
    Incomplete,
    DateIllegible,
    NumberIllegible,
    SignatureNotVisible,
    PagesUpsideDown,
    PagesDuplicated,
    DraftRegulationEnclosed,
    ForOfficialUseOnly,
    ScannedWithReverse,
    WronglyAddressed,
    ReceivedOnPaper,
    RegisteredEarlier,
    PageCountMismatch,
    DetailsMismatch,
    NamedEnclosureMissing,
    TextIllegible,
    /// «Текст отсутствует».
    NoText,
    TextNotPerRegulation,
}

schema_enum!(RefusalReason {
    NotForRegistration => "Не подлежит регистрации",
    AddressingError => "Ошибка адресации",
    NoCorrespondent => "Не указан корреспондент",
    NoStatementOfClaim => "Нет искового заявления",
    TextMissing => "Отсутствует текст",
    NoSignature => "Нет подписи",
    EnclosureMissing => "Приложение отсутствует",
    EnclosurePagesWrong => "Листаж приложения указан ошибочно",
    EnclosureDetailsMismatch => "Несовпадение реквизитов приложения с приложенными документами",
    NoNumberAndDate => "Нет № и даты",
    Incomplete => "Не полная комплектация",
    DateIllegible => "Дата документа неразборчива",
    NumberIllegible => "Исходящий номер документа неразборчив",
    SignatureNotVisible => "Отсутствует (не видна) подпись",
    PagesUpsideDown => "Перевернуты страницы",
    PagesDuplicated => "Продублированы страницы",
    DraftRegulationEnclosed => "В приложении проект нормативного акта",
    ForOfficialUseOnly => "Документ ДСП",
    ScannedWithReverse => "Документ и/или приложение отсканированы с оборотом",
    WronglyAddressed => "Документ неверно адресован",
    ReceivedOnPaper => "Документ получен ранее на бумажном носителе",
    RegisteredEarlier => "Документ зарегистрирован ранее, текст взамен разосланного загружен",
    PageCountMismatch => "Количество страниц в тексте документа не соответствует заявленному",
    DetailsMismatch => "Несоответствие переданных реквизитов тексту документа",
    NamedEnclosureMissing => "Отсутствует приложение, указанное в документе",
    TextIllegible => "Текст неразборчив",
    NoText => "Текст отсутствует",
    TextNotPerRegulation => "Текст не соответствует регламенту",
});

impl RefusalReason {
    /// Every reason, in the schema's order.
    pub const ALL: [RefusalReason; 28] = [
        RefusalReason::NotForRegistration,
        RefusalReason::AddressingError,
        RefusalReason::NoCorrespondent,
        RefusalReason::NoStatementOfClaim,
        RefusalReason::TextMissing,
        RefusalReason::NoSignature,
        RefusalReason::EnclosureMissing,
        RefusalReason::EnclosurePagesWrong,
        RefusalReason::EnclosureDetailsMismatch,
        RefusalReason::NoNumberAndDate,
        RefusalReason::Incomplete,
        RefusalReason::DateIllegible,
        RefusalReason::NumberIllegible,
        RefusalReason::SignatureNotVisible,
        RefusalReason::PagesUpsideDown,
        RefusalReason::PagesDuplicated,
        RefusalReason::DraftRegulationEnclosed,
        RefusalReason::ForOfficialUseOnly,
        RefusalReason::ScannedWithReverse,
        RefusalReason::WronglyAddressed,
        RefusalReason::ReceivedOnPaper,
        RefusalReason::RegisteredEarlier,
        RefusalReason::PageCountMismatch,
        RefusalReason::DetailsMismatch,
        RefusalReason::NamedEnclosureMissing,
        RefusalReason::TextIllegible,
        RefusalReason::NoText,
        RefusalReason::TextNotPerRegulation,
    ];
}
