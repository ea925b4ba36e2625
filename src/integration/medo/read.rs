//! Reading a message: bytes to text (tree.rs), text to a tree, the tree to
//! the model. What the schema requires is required here too, with a refusal
//! naming the path that lacks it; where real senders stray harmlessly (bare
//! attributes, an absent `files` list, a file type outside the list) the
//! reader is lenient and says so where it is.
//!
//! Elements of the schema the model does not keep (model.rs names them) and
//! elements of other namespaces are skipped with their content; they still
//! count against the limits, because the tree was read under them.

use time::Date;

use super::model::{
    Acknowledgment, Addressee, AddresseeList, AttachedFile, Body, Clause, Communication,
    Correspondent, DocNumber, Document, Enclosure, Event, Executors, FileGroup, FileType, Header,
    MessageKind, Notification, NotificationKind, Party, Qualified, Reference, RefusalReason,
    Signatory,
};
use super::tree::{Element, read_tree};
use super::values::collapse;
use super::{Contact, Fault, Guid, Limits, NAMESPACE, Refusal, Timestamp, VERSION, parse_date};

/// Reads an IEDMS 2.6 message, in UTF-8 or windows-1251. Never panics: any
/// input gives a message or a refusal.
pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Communication, Refusal> {
    let text = super::tree::decode(bytes, limits)?;
    let tree = read_tree(&text, limits)?;
    let root = &tree.root;
    check_root(root, tree.root_namespace.as_deref())?;
    let m = Mapper { limits };
    m.communication(root)
}

/// That the root is an IEDMS 2.6 `communication`, or what it is instead.
fn check_root(root: &Element, namespace: Option<&str>) -> Result<(), Refusal> {
    let not = |detail: String| Err(Refusal::of(Fault::NotIedms, detail));
    if root.name.eq_ignore_ascii_case("html") {
        return not("the file is a web page, not an IEDMS message".to_owned());
    }
    if !root.iedms {
        let namespace = namespace.unwrap_or("no namespace");
        return if root.name == "communication" {
            not(format!(
                "the root <communication> is in {namespace}, not in the IEDMS namespace {NAMESPACE}"
            ))
        } else if namespace.contains("minsvyaz.ru/container") {
            not("the message is a МЭДО 2.7 container; veche reads IEDMS 2.6 messages".to_owned())
        } else {
            not(format!(
                "the root element <{}> ({namespace}) is not an IEDMS message",
                root.name
            ))
        };
    }
    if root.name != "communication" {
        return not(format!(
            "the root element is <{}>, not <communication>: not a message",
            root.name
        ));
    }
    match root.attr("version").map(str::trim) {
        Some(VERSION) => Ok(()),
        Some(other) => not(format!(
            "the message is IEDMS version {other:?}; veche reads version {VERSION}"
        )),
        None => Err(Refusal::of(
            Fault::Invalid,
            "communication has no version attribute, which the schema requires",
        )),
    }
}

/// Maps the tree onto the model.
struct Mapper<'a> {
    limits: &'a Limits,
}

/// A refusal for a message that breaks the schema.
fn invalid(detail: impl Into<String>) -> Refusal {
    Refusal::of(Fault::Invalid, detail)
}

fn missing(path: &str, what: &str) -> Refusal {
    invalid(format!("{path} has no {what}, which the schema requires"))
}

impl Mapper<'_> {
    fn communication(&self, root: &Element) -> Result<Communication, Refusal> {
        let path = "communication";
        let header = root
            .child("header")
            .ok_or_else(|| missing(path, "header"))?;
        let kind = self.kind(header)?;
        let bodies = ["document", "notification", "acknowledgment"];
        let present: Vec<&Element> = root
            .children
            .iter()
            .filter(|c| c.iedms && bodies.contains(&c.name.as_str()))
            .collect();
        let [body] = present.as_slice() else {
            return Err(invalid(format!(
                "communication has {} of document, notification and acknowledgment; a message has exactly one",
                present.len()
            )));
        };
        let body = match (kind, body.name.as_str()) {
            (MessageKind::Document, "document") => {
                Body::Document(Box::new(self.document(body, root.child("files"))?))
            }
            (MessageKind::Notification, "notification") => {
                Body::Notification(Box::new(self.notification(body)?))
            }
            (MessageKind::Acknowledgment, "acknowledgment") => {
                Body::Acknowledgment(self.acknowledgment(body)?)
            }
            (kind, name) => {
                return Err(invalid(format!(
                    "the header says «{kind}» but the message holds <{name}>"
                )));
            }
        };
        let delivery = match root.child("deliveryIndex") {
            Some(index) => index
                .children("destination")
                .map(|d| {
                    let partner = d
                        .child("destination")
                        .ok_or_else(|| missing("deliveryIndex/destination", "destination"))?;
                    self.party(partner, "deliveryIndex/destination/destination")
                })
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        Ok(Communication {
            header: self.header(header)?,
            body,
            delivery,
        })
    }

    fn kind(&self, header: &Element) -> Result<MessageKind, Refusal> {
        let kind = header
            .attr("type")
            .ok_or_else(|| missing("header", "type attribute"))?;
        MessageKind::parse(kind).ok_or_else(|| {
            invalid(format!(
                "the header's type {kind:?} is none of «Документ», «Уведомление», «Квитанция»"
            ))
        })
    }

    fn header(&self, header: &Element) -> Result<Header, Refusal> {
        let path = "header";
        let source = header
            .child("source")
            .ok_or_else(|| missing(path, "source"))?;
        Ok(Header {
            uid: self.guid_attr(header, "uid", path)?,
            created: self.timestamp_attr(header, "created", path)?,
            source: self.party(source, "header/source")?,
            operator: self.qualified(header, "operator"),
            comment: free_text(header, "comment"),
        })
    }

    /// `communicationPartner`.
    fn party(&self, e: &Element, path: &str) -> Result<Party, Refusal> {
        Ok(Party {
            uid: self
                .guid_attr(e, "uid", path)?
                .ok_or_else(|| missing(path, "uid attribute"))?,
            name: name_text(e, "organization").ok_or_else(|| missing(path, "organization"))?,
            comment: free_text(e, "comment"),
        })
    }

    fn document(&self, d: &Element, files: Option<&Element>) -> Result<Document, Refusal> {
        let path = "document";
        let uid = self
            .guid_attr(d, "uid", path)?
            .ok_or_else(|| missing(path, "uid attribute"))?;
        let num = match d.child("num") {
            Some(num) => self.num(num, "document/num")?,
            None => None,
        }
        .ok_or_else(|| missing(path, "num").because(RefusalReason::NoNumberAndDate))?;
        let signatories = d
            .child("signatories")
            .into_iter()
            .flat_map(|s| s.children("signatory"))
            .map(|s| self.signatory(s, "document/signatories/signatory"))
            .collect::<Result<Vec<_>, _>>()?;
        if signatories.is_empty() {
            return Err(missing(path, "signatory").because(RefusalReason::NoSignature));
        }
        let addressees = d
            .child("addressees")
            .into_iter()
            .flat_map(|a| a.children("addressee"))
            .map(|a| self.addressee(a, "document/addressees/addressee"))
            .collect::<Result<Vec<_>, _>>()?;
        if addressees.is_empty() {
            return Err(missing(path, "addressee").because(RefusalReason::AddressingError));
        }
        let clauses: Vec<&Element> = d
            .child("clauses")
            .into_iter()
            .flat_map(|c| c.children("clause"))
            .collect();
        if clauses.len() > self.limits.max_clauses {
            return Err(Refusal::of(
                Fault::TooLarge,
                format!(
                    "the document has {} clauses, more than the {} a document is read with",
                    clauses.len(),
                    self.limits.max_clauses
                ),
            ));
        }
        Ok(Document {
            uid,
            id: name_attr(d, "id"),
            kind: self.qualified(d, "kind"),
            num,
            classification: self.qualified(d, "classification"),
            urgency: self.qualified(d, "urgency"),
            signatories,
            addressees,
            pages: self
                .count(d, "pages", path)?
                .ok_or_else(|| missing(path, "pages"))?,
            enclosures_pages: self.count(d, "enclosuresPages", path)?,
            annotation: free_text(d, "annotation"),
            enclosures: d
                .child("enclosures")
                .into_iter()
                .flat_map(|e| e.children("enclosure"))
                .map(|e| self.enclosure(e))
                .collect::<Result<_, _>>()?,
            correspondents: d
                .child("correspondents")
                .into_iter()
                .flat_map(|c| c.children("correspondent"))
                .map(|c| self.correspondent(c))
                .collect::<Result<_, _>>()?,
            clauses: clauses
                .into_iter()
                .map(|c| self.clause(c, "document/clauses/clause"))
                .collect::<Result<_, _>>()?,
            executor: d
                .child("executor")
                .map(|e| self.addressee(e, "document/executor"))
                .transpose()?,
            comment: free_text(d, "comment"),
            // An absent `files` element (the schema requires one, possibly
            // empty) is read as no files: the package check then says what
            // is wrong in the registrar's words («Отсутствует текст»).
            files: files
                .into_iter()
                .flat_map(|f| f.children("file"))
                .map(|f| self.file(f))
                .collect::<Result<_, _>>()?,
        })
    }

    fn file(&self, f: &Element) -> Result<AttachedFile, Refusal> {
        let path = "files/file";
        let local_name = f
            .attr("localName")
            .map(collapse)
            .filter(|name| !name.is_empty())
            .ok_or_else(|| missing(path, "localName attribute"))?;
        let group = name_text(f, "group").ok_or_else(|| missing(path, "group"))?;
        let group = FileGroup::parse(&group).ok_or_else(|| {
            invalid(format!(
                "the file {local_name:?} has the group {group:?}, none of the schema's"
            ))
        })?;
        Ok(AttachedFile {
            local_id: self.count_attr(f, "localId", path)?,
            file_type: f
                .attr("type")
                .and_then(|t| FileType::parse(&t.to_ascii_lowercase())),
            group,
            description: free_text(f, "description"),
            pages: self.count(f, "pages", path)?,
            local_name,
        })
    }

    fn clause(&self, c: &Element, path: &str) -> Result<Clause, Refusal> {
        let principal = match (c.child("principal"), c.child("principals")) {
            (Some(one), _) => Some(Executors::One(
                self.addressee(one, &format!("{path}/principal"))?,
            )),
            (None, Some(list)) => Some(Executors::List(
                self.addressee_list(list, &format!("{path}/principals"))?,
            )),
            (None, None) => None,
        };
        let mut participants = Vec::new();
        if let Some(all) = c.child("parcipants") {
            for p in all.children.iter().filter(|p| p.iedms) {
                match p.name.as_str() {
                    "parcipant" => participants.push(Executors::One(
                        self.addressee(p, &format!("{path}/parcipants/parcipant"))?,
                    )),
                    "parcipants" => participants.push(Executors::List(
                        self.addressee_list(p, &format!("{path}/parcipants/parcipants"))?,
                    )),
                    _ => {}
                }
            }
        }
        Ok(Clause {
            local_id: self.count_attr(c, "localId", path)?,
            id: name_attr(c, "id"),
            designation: name_text(c, "designation"),
            text: free_text(c, "text"),
            deadline: self.date(c, "deadline", path)?,
            principal,
            participants,
            comment: free_text(c, "comment"),
        })
    }

    fn addressee_list(&self, list: &Element, path: &str) -> Result<AddresseeList, Refusal> {
        let members = list
            .child("contents")
            .into_iter()
            .flat_map(|c| c.children("addressee"))
            .map(|a| self.addressee(a, &format!("{path}/contents/addressee")))
            .collect::<Result<Vec<_>, _>>()?;
        if members.is_empty() {
            return Err(missing(path, "addressee in its contents"));
        }
        Ok(AddresseeList {
            id: name_attr(list, "id"),
            // The schema requires the element but lets it be empty.
            name: name_text(list, "name").unwrap_or_default(),
            members,
        })
    }

    fn addressee(&self, a: &Element, path: &str) -> Result<Addressee, Refusal> {
        Ok(Addressee {
            uid: self.guid_attr(a, "uid", path)?,
            contact: self.contact(a),
            comment: free_text(a, "comment"),
        })
    }

    fn signatory(&self, s: &Element, path: &str) -> Result<Signatory, Refusal> {
        Ok(Signatory {
            contact: self.contact(s),
            signed: self
                .date(s, "signed", path)?
                .ok_or_else(|| missing(path, "signed date"))?,
            comment: free_text(s, "comment"),
        })
    }

    fn correspondent(&self, c: &Element) -> Result<Correspondent, Refusal> {
        Ok(Correspondent {
            contact: self.contact(c),
            num: match c.child("num") {
                Some(num) => self.num(num, "correspondent/num")?,
                None => None,
            },
            comment: free_text(c, "comment"),
        })
    }

    fn enclosure(&self, e: &Element) -> Result<Enclosure, Refusal> {
        let path = "enclosures/enclosure";
        Ok(Enclosure {
            uid: self.guid_attr(e, "uid", path)?,
            id: name_attr(e, "id"),
            title: free_text(e, "title").ok_or_else(|| missing(path, "title"))?,
            pages: self
                .count(e, "pages", path)?
                .ok_or_else(|| missing(path, "pages"))?,
            comment: free_text(e, "comment"),
        })
    }

    /// `anyone`: the fields shared by every kind of person.
    fn contact(&self, e: &Element) -> Contact {
        Contact {
            region: self.qualified(e, "region"),
            organization: self.qualified(e, "organization"),
            person: self.qualified(e, "person"),
            department: self.qualified(e, "department"),
            post: self.qualified(e, "post"),
            contact_info: free_text(e, "contactInfo"),
        }
    }

    /// `documentReference`.
    fn reference(&self, r: &Element, path: &str) -> Result<Reference, Refusal> {
        let mut contact = self.contact(r);
        contact.contact_info = None;
        Ok(Reference {
            contact,
            num: match r.child("num") {
                Some(num) => self.num(num, &format!("{path}/num"))?,
                None => None,
            }
            .ok_or_else(|| missing(path, "num"))?,
            comment: free_text(r, "comment"),
        })
    }

    /// `documentNumber`; `None` when the number is empty.
    fn num(&self, num: &Element, path: &str) -> Result<Option<DocNumber>, Refusal> {
        let Some(number) = name_text(num, "number") else {
            return Ok(None);
        };
        Ok(Some(DocNumber {
            number,
            date: self.date(num, "date", path)?,
        }))
    }

    fn notification(&self, n: &Element) -> Result<Notification, Refusal> {
        let path = "notification";
        let kind = n
            .attr("type")
            .ok_or_else(|| missing(path, "type attribute"))?;
        let kind = NotificationKind::parse(kind).ok_or_else(|| {
            invalid(format!(
                "the notification's type {kind:?} is not one of the schema's"
            ))
        })?;
        let events: Vec<(&Element, NotificationKind)> = n
            .children
            .iter()
            .filter(|e| e.iedms)
            .filter_map(|e| NotificationKind::from_element(&e.name).map(|k| (e, k)))
            .collect();
        let [(e, element_kind)] = events.as_slice() else {
            return Err(invalid(format!(
                "the notification holds {} events; it holds exactly one",
                events.len()
            )));
        };
        if *element_kind != kind {
            return Err(invalid(format!(
                "the notification's type is «{kind}» but it holds <{}>",
                e.name
            )));
        }
        let at = format!("{path}/{}", e.name);
        let event = self.event(e, kind, &at)?;
        Ok(Notification {
            document_uid: self
                .guid_attr(n, "uid", path)?
                .ok_or_else(|| missing(path, "uid attribute"))?,
            document_id: name_attr(n, "id"),
            message_uid: self.guid_attr(n, "mid", path)?,
            time: self
                .timestamp(e, "time", &at)?
                .ok_or_else(|| missing(&at, "time"))?,
            foundation: e
                .child("foundation")
                .map(|f| self.reference(f, &format!("{at}/foundation")))
                .transpose()?,
            clause: e
                .child("clause")
                .map(|c| self.clause(c, &format!("{at}/clause")))
                .transpose()?,
            correspondent: e
                .child("correspondent")
                .map(|c| self.addressee(c, &format!("{at}/correspondent")))
                .transpose()?,
            event,
            comment: free_text(n, "comment"),
        })
    }

    fn event(&self, e: &Element, kind: NotificationKind, at: &str) -> Result<Event, Refusal> {
        let addressee = |name: &str| {
            let path = format!("{at}/{name}");
            e.child(name)
                .ok_or_else(|| missing(at, name))
                .and_then(|a| self.addressee(a, &path))
        };
        let reference = |name: &str| {
            e.child(name)
                .map(|r| self.reference(r, &format!("{at}/{name}")))
                .transpose()
        };
        Ok(match kind {
            NotificationKind::Registered => Event::Registered {
                num: match e.child("num") {
                    Some(num) => self.num(num, &format!("{at}/num"))?,
                    None => None,
                }
                .ok_or_else(|| missing(at, "num"))?,
            },
            NotificationKind::Refused => {
                let reason = name_text(e, "reason").ok_or_else(|| missing(at, "reason"))?;
                Event::Refused {
                    reason: RefusalReason::parse(&reason).ok_or_else(|| {
                        invalid(format!(
                            "the refusal's reason {reason:?} is not one of the schema's"
                        ))
                    })?,
                }
            }
            NotificationKind::ExecutorAssigned => Event::ExecutorAssigned {
                secretary: addressee("secretary")?,
                manager: addressee("manager")?,
                executor: addressee("executor")?,
            },
            NotificationKind::ReportPrepared => Event::ReportPrepared {
                signatory: self.signatory(
                    e.child("signatory")
                        .ok_or_else(|| missing(at, "signatory"))?,
                    &format!("{at}/signatory"),
                )?,
            },
            NotificationKind::ReportSent => Event::ReportSent {
                report: reference("report")?.ok_or_else(|| missing(at, "report"))?,
            },
            NotificationKind::CourseChanged => Event::CourseChanged {
                text: e
                    .child("courseText")
                    .map(|t| t.text.trim().to_owned())
                    .ok_or_else(|| missing(at, "courseText"))?,
                reference: reference("reference")?,
            },
            NotificationKind::Published => {
                let num = e.child("num").ok_or_else(|| missing(at, "num"))?;
                let path = format!("{at}/num");
                Event::Published {
                    number: name_text(num, "number").ok_or_else(|| missing(&path, "number"))?,
                    at: self
                        .timestamp(num, "date", &path)?
                        .ok_or_else(|| missing(&path, "date"))?,
                    point: name_text(e, "publicationPoint")
                        .ok_or_else(|| missing(at, "publicationPoint"))?,
                }
            }
        })
    }

    fn acknowledgment(&self, a: &Element) -> Result<Acknowledgment, Refusal> {
        let path = "acknowledgment";
        let accepted = name_text(a, "accepted").ok_or_else(|| missing(path, "accepted"))?;
        Ok(Acknowledgment {
            uid: self
                .guid_attr(a, "uid", path)?
                .ok_or_else(|| missing(path, "uid attribute"))?,
            content: name_attr(a, "content"),
            time: self
                .timestamp(a, "time", path)?
                .ok_or_else(|| missing(path, "time"))?,
            accepted: match accepted.as_str() {
                "true" | "1" => true,
                "false" | "0" => false,
                other => {
                    return Err(invalid(format!(
                        "acknowledgment/accepted is {other:?}, not a boolean"
                    )));
                }
            },
            comment: free_text(a, "comment"),
        })
    }

    fn qualified(&self, e: &Element, name: &str) -> Option<Qualified> {
        let q = e.child(name)?;
        let value = collapse(&q.text);
        (!value.is_empty() && !q.nil).then(|| Qualified {
            value,
            id: name_attr(q, "id"),
        })
    }

    fn guid_attr(&self, e: &Element, name: &str, path: &str) -> Result<Option<Guid>, Refusal> {
        match e.attr(name) {
            None => Ok(None),
            Some(text) => Guid::parse(text)
                .map(Some)
                .ok_or_else(|| invalid(format!("{path}/@{name} is {text:?}, not a GUID"))),
        }
    }

    fn timestamp_attr(
        &self,
        e: &Element,
        name: &str,
        path: &str,
    ) -> Result<Option<Timestamp>, Refusal> {
        match e.attr(name) {
            None => Ok(None),
            Some(text) => parse_timestamp(text, &format!("{path}/@{name}")).map(Some),
        }
    }

    fn timestamp(&self, e: &Element, name: &str, path: &str) -> Result<Option<Timestamp>, Refusal> {
        match e.child(name).filter(|c| !c.nil) {
            None => Ok(None),
            Some(c) => parse_timestamp(&c.text, &format!("{path}/{name}")).map(Some),
        }
    }

    /// An `xsd:date` child; nil or empty is no date.
    fn date(&self, e: &Element, name: &str, path: &str) -> Result<Option<Date>, Refusal> {
        let Some(c) = e
            .child(name)
            .filter(|c| !c.nil && !c.text.trim().is_empty())
        else {
            return Ok(None);
        };
        parse_date(&c.text).map(Some).ok_or_else(|| {
            invalid(format!(
                "{path}/{name} is {:?}, not a date (YYYY-MM-DD)",
                c.text.trim()
            ))
        })
    }

    /// An `xsd:nonNegativeInteger` child.
    fn count(&self, e: &Element, name: &str, path: &str) -> Result<Option<u64>, Refusal> {
        match e.child(name).filter(|c| !c.nil) {
            None => Ok(None),
            Some(c) => parse_count(&c.text, &format!("{path}/{name}")).map(Some),
        }
    }

    fn count_attr(&self, e: &Element, name: &str, path: &str) -> Result<Option<u64>, Refusal> {
        match e.attr(name) {
            None => Ok(None),
            Some(text) => parse_count(text, &format!("{path}/@{name}")).map(Some),
        }
    }
}

fn parse_timestamp(text: &str, path: &str) -> Result<Timestamp, Refusal> {
    Timestamp::parse(text).ok_or_else(|| {
        invalid(format!(
            "{path} is {:?}, not a date and time (YYYY-MM-DDThh:mm:ss)",
            text.trim()
        ))
    })
}

fn parse_count(text: &str, path: &str) -> Result<u64, Refusal> {
    let text = text.trim();
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(format!("{path} is {text:?}, not a whole number")));
    }
    digits
        .parse()
        .map_err(|_| invalid(format!("{path} is {text:?}, too large a number")))
}

/// A name-like child (`token`, `normalizedString`): whitespace collapsed;
/// empty or nil is none.
fn name_text(e: &Element, name: &str) -> Option<String> {
    let c = e.child(name).filter(|c| !c.nil)?;
    let text = collapse(&c.text);
    (!text.is_empty()).then_some(text)
}

/// A free text child (`xsd:string`): line breaks kept, ends trimmed.
fn free_text(e: &Element, name: &str) -> Option<String> {
    let c = e.child(name).filter(|c| !c.nil)?;
    let text = c.text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn name_attr(e: &Element, name: &str) -> Option<String> {
    e.attr(name).map(collapse).filter(|v| !v.is_empty())
}
