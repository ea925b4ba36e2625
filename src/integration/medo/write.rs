//! Writing a message: the model to IEDMS 2.6 XML that validates against the
//! schema (the tests run every written message through `xmllint`).
//!
//! Elements and attributes carry the `xdms:` prefix, since the schema
//! qualifies both (`elementFormDefault` and `attributeFormDefault`). Values
//! are fitted to their types: names are collapsed to one line, optional
//! empty values are left out, and free texts and names longer than the
//! schema allows are cut to its length (a long order text still travels
//! whole in its file). What cannot be fitted without changing its meaning
//! is an error: an empty required value, a registration number over 31
//! characters, a document without a signatory or an addressee.
//!
//! In windows-1251 a character the code page lacks is written as a numeric
//! character reference (`&#8470;`), which any XML reader turns back.

use std::fmt::{self, Write as _};

use time::Date;

use super::model::{
    Acknowledgment, Addressee, AddresseeList, AttachedFile, Body, Clause, Communication,
    Correspondent, DocNumber, Document, Enclosure, Event, Executors, Notification, Party,
    Qualified, Reference, Signatory,
};
use super::values::collapse;
use super::{Charset, Contact, NAMESPACE, VERSION, format_date};

/// `stringValue` and most names.
const NAME: usize = 511;
/// `shortText`: annotations, clause texts, the course of execution.
const SHORT_TEXT: usize = 4000;
/// Comments.
const COMMENT: usize = 2047;
/// A registration number (`token`).
const NUMBER: usize = 31;
/// A clause's designation.
const DESIGNATION: usize = 255;
/// An addressee list's name.
const LIST_NAME: usize = 250;
/// A file's description.
const DESCRIPTION: usize = 511;

/// A message that cannot be written valid, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError {
    pub detail: String,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for WriteError {}

fn error(detail: impl Into<String>) -> WriteError {
    WriteError {
        detail: detail.into(),
    }
}

/// The message as XML in the charset asked for, its declaration naming it.
pub fn to_xml(message: &Communication, charset: Charset) -> Result<Vec<u8>, WriteError> {
    let mut out = Out::default();
    out.buf.push_str(&format!(
        "<?xml version=\"1.0\" encoding=\"{}\"?>\n",
        charset.label()
    ));
    out.open_with(
        "communication",
        &[("version", VERSION.to_owned())],
        &format!(" xmlns:xdms=\"{NAMESPACE}\""),
    );
    out.header(message)?;
    match &message.body {
        Body::Document(document) => out.document(document)?,
        Body::Notification(notification) => out.notification(notification)?,
        Body::Acknowledgment(ack) => out.acknowledgment(ack),
    }
    if !message.delivery.is_empty() {
        out.open("deliveryIndex", &[]);
        for party in &message.delivery {
            out.open("destination", &[]);
            out.party("destination", party)?;
            out.close("destination");
        }
        out.close("deliveryIndex");
    }
    out.close("communication");
    Ok(match charset {
        Charset::Utf8 => out.buf.into_bytes(),
        Charset::Windows1251 => encoding_rs::WINDOWS_1251.encode(&out.buf).0.into_owned(),
    })
}

/// The XML being written, two spaces a level.
#[derive(Default)]
struct Out {
    buf: String,
    depth: usize,
}

type Attrs<'a> = [(&'a str, String)];

impl Out {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.buf.push_str("  ");
        }
    }

    fn start_tag(&mut self, name: &str, attrs: &Attrs<'_>, extra: &str) {
        self.indent();
        let _ = write!(self.buf, "<xdms:{name}");
        for (key, value) in attrs {
            let _ = write!(self.buf, " xdms:{key}=\"{}\"", escape(value, true));
        }
        self.buf.push_str(extra);
    }

    fn open_with(&mut self, name: &str, attrs: &Attrs<'_>, extra: &str) {
        self.start_tag(name, attrs, extra);
        self.buf.push_str(">\n");
        self.depth += 1;
    }

    fn open(&mut self, name: &str, attrs: &Attrs<'_>) {
        self.open_with(name, attrs, "");
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        let _ = writeln!(self.buf, "</xdms:{name}>");
    }

    /// An element with text only (an empty text makes an empty element).
    fn leaf_with(&mut self, name: &str, attrs: &Attrs<'_>, text: &str) {
        self.start_tag(name, attrs, "");
        if text.is_empty() {
            self.buf.push_str("/>\n");
        } else {
            let _ = writeln!(self.buf, ">{}</xdms:{name}>", escape(text, false));
        }
    }

    fn leaf(&mut self, name: &str, text: &str) {
        self.leaf_with(name, &[], text);
    }

    /// A required name: collapsed, cut to `max`, never empty.
    fn name(
        &mut self,
        element: &str,
        value: &str,
        max: usize,
        what: &str,
    ) -> Result<(), WriteError> {
        let value = fit_name(value, max);
        if value.is_empty() {
            return Err(error(format!(
                "{what} is empty; the schema requires a value"
            )));
        }
        self.leaf(element, &value);
        Ok(())
    }

    /// An optional free text: left out when empty, cut to `max`.
    fn text(&mut self, element: &str, value: Option<&str>, max: usize) {
        let Some(value) = value.map(fit_text) else {
            return;
        };
        if !value.is_empty() {
            self.leaf(element, &cut(&value, max));
        }
    }

    fn comment(&mut self, value: Option<&String>) {
        self.text("comment", value.map(String::as_str), COMMENT);
    }

    fn qualified(&mut self, element: &str, value: Option<&Qualified>) {
        let Some(q) = value else { return };
        let text = fit_name(&q.value, NAME);
        if text.is_empty() {
            return;
        }
        let attrs = id_attr(q.id.as_deref());
        self.leaf_with(element, &attrs, &text);
    }

    fn date(&mut self, element: &str, date: Date) {
        self.leaf(element, &format_date(date));
    }

    fn header(&mut self, message: &Communication) -> Result<(), WriteError> {
        let h = &message.header;
        let mut attrs = vec![("type", message.kind().as_str().to_owned())];
        if let Some(uid) = &h.uid {
            attrs.push(("uid", uid.to_string()));
        }
        if let Some(created) = &h.created {
            attrs.push(("created", created.to_string()));
        }
        self.open("header", &attrs);
        self.party("source", &h.source)?;
        self.qualified("operator", h.operator.as_ref());
        self.comment(h.comment.as_ref());
        self.close("header");
        Ok(())
    }

    /// `communicationPartner`.
    fn party(&mut self, element: &str, party: &Party) -> Result<(), WriteError> {
        self.open(element, &[("uid", party.uid.to_string())]);
        self.name("organization", &party.name, NAME, "a participant's name")?;
        self.comment(party.comment.as_ref());
        self.close(element);
        Ok(())
    }

    /// The fields of `anyone`; `contactInfo` is not part of a reference.
    fn contact(&mut self, c: &Contact, with_info: bool) {
        self.qualified("region", c.region.as_ref());
        self.qualified("organization", c.organization.as_ref());
        self.qualified("person", c.person.as_ref());
        self.qualified("department", c.department.as_ref());
        self.qualified("post", c.post.as_ref());
        if with_info {
            self.text("contactInfo", c.contact_info.as_deref(), NAME);
        }
    }

    fn addressee(&mut self, element: &str, a: &Addressee) {
        let mut attrs = Vec::new();
        if let Some(uid) = &a.uid {
            attrs.push(("uid", uid.to_string()));
        }
        self.open(element, &attrs);
        self.contact(&a.contact, true);
        self.comment(a.comment.as_ref());
        self.close(element);
    }

    fn addressee_list(&mut self, element: &str, list: &AddresseeList) -> Result<(), WriteError> {
        if list.members.is_empty() {
            return Err(error(format!(
                "the list of executors {:?} has no member; the schema requires one",
                list.name
            )));
        }
        self.open(element, &id_attr(list.id.as_deref()));
        self.leaf("name", &fit_name(&list.name, LIST_NAME));
        self.open("contents", &[]);
        for member in &list.members {
            self.addressee("addressee", member);
        }
        self.close("contents");
        self.close(element);
        Ok(())
    }

    fn executors(&mut self, one: &str, list: &str, e: &Executors) -> Result<(), WriteError> {
        match e {
            Executors::One(a) => {
                self.addressee(one, a);
                Ok(())
            }
            Executors::List(l) => self.addressee_list(list, l),
        }
    }

    fn signatory(&mut self, element: &str, s: &Signatory) {
        self.open(element, &[]);
        self.contact(&s.contact, true);
        self.date("signed", s.signed);
        self.comment(s.comment.as_ref());
        self.close(element);
    }

    fn num(&mut self, element: &str, num: &DocNumber) -> Result<(), WriteError> {
        let number = collapse(&xml_chars(&num.number));
        if number.is_empty() {
            return Err(error(
                "a registration number is empty; the schema requires one",
            ));
        }
        if number.chars().count() > NUMBER {
            return Err(error(format!(
                "the registration number {number:?} is longer than the schema's {NUMBER} characters"
            )));
        }
        self.open(element, &[]);
        self.leaf("number", &number);
        if let Some(date) = num.date {
            self.date("date", date);
        }
        self.close(element);
        Ok(())
    }

    fn reference(&mut self, element: &str, r: &Reference) -> Result<(), WriteError> {
        self.open(element, &[]);
        self.contact(&r.contact, false);
        self.num("num", &r.num)?;
        self.comment(r.comment.as_ref());
        self.close(element);
        Ok(())
    }

    fn document(&mut self, d: &Document) -> Result<(), WriteError> {
        if d.signatories.is_empty() {
            return Err(error(
                "the document has no signatory; the schema requires one",
            ));
        }
        if d.addressees.is_empty() {
            return Err(error(
                "the document has no addressee; the schema requires one",
            ));
        }
        let mut attrs = vec![("uid", d.uid.to_string())];
        attrs.extend(id_attr(d.id.as_deref()));
        self.open("document", &attrs);
        self.qualified("kind", d.kind.as_ref());
        self.num("num", &d.num)?;
        self.qualified("classification", d.classification.as_ref());
        self.qualified("urgency", d.urgency.as_ref());
        self.open("signatories", &[]);
        for s in &d.signatories {
            self.signatory("signatory", s);
        }
        self.close("signatories");
        self.open("addressees", &[]);
        for a in &d.addressees {
            self.addressee("addressee", a);
        }
        self.close("addressees");
        self.leaf("pages", &d.pages.to_string());
        if let Some(pages) = d.enclosures_pages {
            self.leaf("enclosuresPages", &pages.to_string());
        }
        // Required but may be empty (`shortText` has no minimum).
        let annotation = d.annotation.as_deref().map(fit_text).unwrap_or_default();
        self.leaf("annotation", &cut(&annotation, SHORT_TEXT));
        if !d.enclosures.is_empty() {
            self.open("enclosures", &[]);
            for e in &d.enclosures {
                self.enclosure(e);
            }
            self.close("enclosures");
        }
        if !d.correspondents.is_empty() {
            self.open("correspondents", &[]);
            for c in &d.correspondents {
                self.correspondent(c)?;
            }
            self.close("correspondents");
        }
        if !d.clauses.is_empty() {
            self.open("clauses", &[]);
            for c in &d.clauses {
                self.clause("clause", c)?;
            }
            self.close("clauses");
        }
        if let Some(executor) = &d.executor {
            self.addressee("executor", executor);
        }
        self.comment(d.comment.as_ref());
        self.close("document");
        self.open("files", &[]);
        for f in &d.files {
            self.file(f)?;
        }
        self.close("files");
        Ok(())
    }

    fn enclosure(&mut self, e: &Enclosure) {
        let mut attrs = Vec::new();
        if let Some(uid) = &e.uid {
            attrs.push(("uid", uid.to_string()));
        }
        attrs.extend(id_attr(e.id.as_deref()));
        self.open("enclosure", &attrs);
        self.leaf("title", &cut(&fit_text(&e.title), SHORT_TEXT));
        self.leaf("pages", &e.pages.to_string());
        self.comment(e.comment.as_ref());
        self.close("enclosure");
    }

    fn correspondent(&mut self, c: &Correspondent) -> Result<(), WriteError> {
        self.open("correspondent", &[]);
        self.contact(&c.contact, true);
        if let Some(num) = &c.num {
            self.num("num", num)?;
        }
        self.comment(c.comment.as_ref());
        self.close("correspondent");
        Ok(())
    }

    fn clause(&mut self, element: &str, c: &Clause) -> Result<(), WriteError> {
        let mut attrs = Vec::new();
        if let Some(local_id) = c.local_id {
            attrs.push(("localId", local_id.to_string()));
        }
        attrs.extend(id_attr(c.id.as_deref()));
        self.open(element, &attrs);
        if let Some(designation) = &c.designation {
            let designation = fit_name(designation, DESIGNATION);
            if !designation.is_empty() {
                self.leaf("designation", &designation);
            }
        }
        self.text("text", c.text.as_deref(), SHORT_TEXT);
        if let Some(deadline) = c.deadline {
            self.date("deadline", deadline);
        }
        if let Some(principal) = &c.principal {
            self.executors("principal", "principals", principal)?;
        }
        if !c.participants.is_empty() {
            self.open("parcipants", &[]);
            for p in &c.participants {
                self.executors("parcipant", "parcipants", p)?;
            }
            self.close("parcipants");
        }
        self.comment(c.comment.as_ref());
        self.close(element);
        Ok(())
    }

    fn file(&mut self, f: &AttachedFile) -> Result<(), WriteError> {
        let name = collapse(&xml_chars(&f.local_name));
        if name.is_empty() || name.chars().count() > 255 {
            return Err(error(format!(
                "the file name {:?} is empty or longer than the schema's 255 characters",
                f.local_name
            )));
        }
        let mut attrs = vec![("localName", name)];
        if let Some(id) = f.local_id {
            attrs.push(("localId", id.to_string()));
        }
        if let Some(file_type) = f.file_type {
            attrs.push(("type", file_type.as_str().to_owned()));
        }
        self.open("file", &attrs);
        self.leaf("group", f.group.as_str());
        if let Some(description) = &f.description {
            self.leaf("description", &cut(&fit_text(description), DESCRIPTION));
        }
        if let Some(pages) = f.pages {
            self.leaf("pages", &pages.to_string());
        }
        self.close("file");
        Ok(())
    }

    fn notification(&mut self, n: &Notification) -> Result<(), WriteError> {
        let kind = n.event.kind();
        let mut attrs = vec![
            ("type", kind.as_str().to_owned()),
            ("uid", n.document_uid.to_string()),
        ];
        attrs.extend(id_attr(n.document_id.as_deref()));
        if let Some(mid) = &n.message_uid {
            attrs.push(("mid", mid.to_string()));
        }
        self.open("notification", &attrs);
        let element = kind.element();
        self.open(element, &[]);
        self.leaf("time", &n.time.to_string());
        if let Some(foundation) = &n.foundation {
            self.reference("foundation", foundation)?;
        }
        if let Some(clause) = &n.clause {
            self.clause("clause", clause)?;
        }
        if let Some(correspondent) = &n.correspondent {
            self.addressee("correspondent", correspondent);
        }
        self.event(&n.event)?;
        self.close(element);
        self.comment(n.comment.as_ref());
        self.close("notification");
        Ok(())
    }

    /// What follows the common part of a notification, per event.
    fn event(&mut self, event: &Event) -> Result<(), WriteError> {
        match event {
            Event::Registered { num } => self.num("num", num)?,
            Event::Refused { reason } => self.leaf("reason", reason.as_str()),
            Event::ExecutorAssigned {
                secretary,
                manager,
                executor,
            } => {
                self.addressee("secretary", secretary);
                self.addressee("manager", manager);
                self.addressee("executor", executor);
            }
            Event::ReportPrepared { signatory } => self.signatory("signatory", signatory),
            Event::ReportSent { report } => self.reference("report", report)?,
            Event::CourseChanged { text, reference } => {
                self.leaf("courseText", &cut(&fit_text(text), SHORT_TEXT));
                if let Some(reference) = reference {
                    self.reference("reference", reference)?;
                }
            }
            Event::Published { number, at, point } => {
                let number = collapse(&xml_chars(number));
                if number.is_empty() || number.chars().count() > NUMBER {
                    return Err(error(format!(
                        "the publication number {number:?} is empty or longer than {NUMBER} characters"
                    )));
                }
                self.open("num", &[]);
                self.leaf("number", &number);
                self.leaf("date", &at.to_string());
                self.close("num");
                self.name("publicationPoint", point, NAME, "the place of publication")?;
            }
        }
        Ok(())
    }

    fn acknowledgment(&mut self, a: &Acknowledgment) {
        let mut attrs = vec![("uid", a.uid.to_string())];
        if let Some(content) = a.content.as_deref().map(|c| fit_name(c, NAME))
            && !content.is_empty()
        {
            attrs.push(("content", content));
        }
        self.open("acknowledgment", &attrs);
        self.leaf("time", &a.time.to_string());
        self.leaf("accepted", if a.accepted { "true" } else { "false" });
        self.comment(a.comment.as_ref());
        self.close("acknowledgment");
    }
}

fn id_attr(id: Option<&str>) -> Vec<(&'static str, String)> {
    // `identityValue`: a token of 1 to 127 characters.
    id.map(|id| fit_name(id, 127))
        .filter(|id| !id.is_empty())
        .map(|id| vec![("id", id)])
        .unwrap_or_default()
}

/// A name on one line, cut to `max` characters.
fn fit_name(value: &str, max: usize) -> String {
    cut(&collapse(&xml_chars(value)), max)
}

/// A free text without what XML cannot carry, its ends trimmed.
fn fit_text(value: &str) -> String {
    xml_chars(value).trim().to_owned()
}

/// The characters XML 1.0 allows: C0 controls other than tab and line ends
/// are dropped, since no reference can carry them either.
fn xml_chars(value: &str) -> String {
    value
        .chars()
        .filter(|c| !matches!(*c as u32, 0..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F | 0xFFFE | 0xFFFF))
        .collect()
}

/// The first `max` characters; a cut text ends where a word does when one
/// ends near the cut, so no word is left half.
fn cut(value: &str, max: usize) -> String {
    let Some((at, _)) = value.char_indices().nth(max) else {
        return value.to_owned();
    };
    let head = value.get(..at).unwrap_or(value);
    let head = match head.rfind(char::is_whitespace) {
        Some(space) if head.len() - space < 40 => head.get(..space).unwrap_or(head),
        _ => head,
    };
    head.trim_end().to_owned()
}

/// Text for XML: markup characters escaped, and what XML cannot carry
/// dropped (`xml_chars`). In attributes, tabs and line ends are written as
/// references so that they survive normalisation; a carriage return is one
/// everywhere, or a reader would take it for a line end.
fn escape(value: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}
