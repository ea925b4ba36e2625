//! The bytes of a message as a small tree of elements, read under limits.
//!
//! A message is at most `Limits::max_bytes` (16 MiB by default), so it is
//! read whole into a tree first and mapped onto the model after (read.rs):
//! two simple steps instead of one state machine. The tree holds only what
//! the mapping needs: local names, whether an element is in the IEDMS
//! namespace, the attributes in it (or in none), the text and `xsi:nil`.
//!
//! Safety: the size is checked before anything else; depth, element count
//! and text length while reading; a DOCTYPE is refused the moment it is
//! seen, and an entity other than the five XML predefines is an error, so
//! no entity is ever expanded (quick_xml expands none by itself).

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::{Charset, Fault, Limits, NAMESPACE, Refusal};

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// One element of a message.
#[derive(Debug, Default)]
pub(super) struct Element {
    /// The local name, without a prefix.
    pub name: String,
    /// Whether the element is in the IEDMS namespace. Elements of other
    /// namespaces are kept only to be skipped.
    pub iedms: bool,
    /// Attributes in the IEDMS namespace, or in none (the schema qualifies
    /// them, but senders with a default namespace write them bare), by
    /// local name.
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    /// The text directly inside, whitespace between children included.
    pub text: String,
    /// `xsi:nil="true"`: a nillable element that says it has no value.
    pub nil: bool,
}

impl Element {
    /// The first child of that name in the IEDMS namespace.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children(name).next()
    }

    /// The children of that name in the IEDMS namespace.
    pub fn children<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Element> {
        self.children
            .iter()
            .filter(move |c| c.iedms && c.name == name)
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The root and the namespace it is in (to say what a foreign root is).
pub(super) struct Tree {
    pub root: Element,
    pub root_namespace: Option<String>,
}

/// The message as text: its declared charset, or UTF-8, or the fallback.
pub(super) fn decode(bytes: &[u8], limits: &Limits) -> Result<String, Refusal> {
    if bytes.len() > limits.max_bytes {
        return Err(Refusal::of(
            Fault::TooLarge,
            format!(
                "the message is {} bytes, more than the {} a message may have",
                bytes.len(),
                limits.max_bytes
            ),
        ));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(Refusal::of(
            Fault::Encoding,
            "the message is in UTF-16; only UTF-8 and windows-1251 are read",
        ));
    }
    let (body, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(body) => (body, true),
        None => (bytes, false),
    };
    let charset = match declared_encoding(body) {
        Some(label) => Charset::from_label(&label).ok_or_else(|| {
            Refusal::of(
                Fault::Encoding,
                format!("the message declares the encoding {label:?}; only UTF-8 and windows-1251 are read"),
            )
        })?,
        None if bom || std::str::from_utf8(body).is_ok() => Charset::Utf8,
        None => limits.fallback,
    };
    if bom && charset != Charset::Utf8 {
        return Err(Refusal::of(
            Fault::Encoding,
            format!(
                "the message starts with a UTF-8 byte order mark but declares {}",
                charset.label()
            ),
        ));
    }
    let text = decode_as(body, charset)?;
    if let Some((line, c)) = forbidden_character(&text) {
        return Err(Refusal::of(
            Fault::Encoding,
            format!(
                "line {line} has the character U+{:04X}, which XML does not allow: \
                 the message is not {} text",
                u32::from(c),
                charset.label()
            ),
        ));
    }
    Ok(text)
}

/// Bytes as text in a charset, with no replacement of what is not valid.
pub(super) fn decode_as(bytes: &[u8], charset: Charset) -> Result<String, Refusal> {
    let invalid = |at: Option<usize>| {
        let at = at.map(|at| format!(" (at byte {at})")).unwrap_or_default();
        Refusal::of(
            Fault::Encoding,
            format!("the bytes are not valid {}{at}", charset.label()),
        )
    };
    match charset {
        Charset::Utf8 => std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|e| invalid(Some(e.valid_up_to()))),
        Charset::Windows1251 => charset
            .encoding()
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|text| text.into_owned())
            .ok_or_else(|| invalid(None)),
    }
}

/// A character XML 1.0 does not allow anywhere, with its line: a sign of
/// binary data or of a file in another encoding than it claims.
fn forbidden_character(text: &str) -> Option<(usize, char)> {
    let mut line = 1;
    for c in text.chars() {
        match c {
            '\n' => line += 1,
            '\t' | '\r' => {}
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                return Some((line, c));
            }
            _ => {}
        }
    }
    None
}

/// The `encoding` of the XML declaration. The declaration is ASCII by rule,
/// so it is read before any decoding.
pub(super) fn declared_encoding(body: &[u8]) -> Option<String> {
    let head = body.get(..body.len().min(200))?;
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(head.get(..end)?).ok()?;
    let rest = decl.strip_prefix("<?xml")?;
    let rest = rest.get(rest.find("encoding")? + "encoding".len()..)?;
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = rest.get(1..)?;
    let value = value.get(..value.find(quote)?)?;
    Some(value.to_owned())
}

/// Reads the text into a tree, under the limits.
pub(super) fn read_tree(text: &str, limits: &Limits) -> Result<Tree, Refusal> {
    Builder {
        text,
        limits,
        reader: NsReader::from_str(text),
        version: XmlVersion::Implicit1_0,
        stack: Vec::new(),
        root: None,
        root_namespace: None,
        elements: 0,
    }
    .run()
}

struct Builder<'a> {
    text: &'a str,
    limits: &'a Limits,
    reader: NsReader<&'a [u8]>,
    version: XmlVersion,
    /// The open elements, each with the characters of its text so far.
    stack: Vec<(Element, usize)>,
    root: Option<Tree>,
    /// The namespace of the root, kept until the root closes.
    root_namespace: Option<String>,
    elements: usize,
}

impl Builder<'_> {
    fn run(mut self) -> Result<Tree, Refusal> {
        loop {
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => return Err(self.malformed(self.reader.error_position(), &e)),
            };
            match event {
                Event::Decl(decl) => {
                    self.version = decl.xml_version().map_err(|e| self.malformed_here(&e))?;
                }
                Event::DocType(_) => {
                    return Err(Refusal::of(
                        Fault::Doctype,
                        "the message has a DOCTYPE declaration; IEDMS messages have none, and \
                         messages with one are refused so that no entity is ever expanded",
                    ));
                }
                Event::Start(start) => self.open(&start, false)?,
                Event::Empty(start) => self.open(&start, true)?,
                Event::End(_) => self.close(),
                Event::Text(text) => {
                    let content = text.xml_content(self.version);
                    self.characters(&content)?;
                }
                Event::CData(cdata) => {
                    let content = cdata.xml_content(self.version);
                    self.characters(&content)?;
                }
                Event::GeneralRef(reference) => self.reference(&reference)?,
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => break,
            }
        }
        if !self.stack.is_empty() {
            return Err(Refusal::of(
                Fault::NotXml,
                "the message ends before its elements are closed: it looks cut short",
            ));
        }
        self.root.ok_or_else(|| {
            Refusal::of(
                Fault::NotXml,
                "the message is empty or holds no XML element: it is not XML",
            )
        })
    }

    fn open(&mut self, start: &BytesStart<'_>, empty: bool) -> Result<(), Refusal> {
        if self.root.is_some() {
            return Err(self.malformed_here(&"a second root element"));
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(Refusal::of(
                Fault::TooLarge,
                format!(
                    "the message nests elements more than {} levels deep, which no IEDMS message does",
                    self.limits.max_depth
                ),
            ));
        }
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(Refusal::of(
                Fault::TooLarge,
                format!(
                    "the message has more than {} elements, the most one is read with",
                    self.limits.max_elements
                ),
            ));
        }
        let (namespace, local) = self.reader.resolver().resolve_element(start.name());
        let namespace = self.namespace(namespace)?;
        let mut element = Element {
            name: local.as_ref().to_owned(),
            iedms: namespace.as_deref() == Some(NAMESPACE),
            ..Element::default()
        };
        self.attributes(start, &mut element)?;
        if self.stack.is_empty() {
            self.root_namespace = namespace;
        }
        self.stack.push((element, 0));
        if empty {
            self.close();
        }
        Ok(())
    }

    /// Closes the innermost element. quick_xml checks that end tags match
    /// their start tags, so the innermost open element is the one closing.
    fn close(&mut self) {
        let Some((element, _)) = self.stack.pop() else {
            return;
        };
        match self.stack.last_mut() {
            Some((parent, _)) => parent.children.push(element),
            None => {
                self.root = Some(Tree {
                    root: element,
                    root_namespace: self.root_namespace.take(),
                });
            }
        }
    }

    fn namespace(&self, resolved: ResolveResult<'_>) -> Result<Option<String>, Refusal> {
        match resolved {
            ResolveResult::Bound(ns) => Ok(Some(ns.as_ref().to_owned())),
            ResolveResult::Unbound => Ok(None),
            ResolveResult::Unknown(prefix) => {
                Err(self.malformed_here(&format!("the prefix {prefix:?} is not declared")))
            }
        }
    }

    /// Keeps the attributes in the IEDMS namespace or in none, and notes
    /// `xsi:nil`; namespace declarations and other namespaces are dropped.
    fn attributes(&self, start: &BytesStart<'_>, element: &mut Element) -> Result<(), Refusal> {
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|e| self.malformed_here(&e))?;
            let key = attribute.key;
            if key.as_namespace_binding().is_some() {
                continue;
            }
            let (namespace, local) = self.reader.resolver().resolve_attribute(key);
            let namespace = self.namespace(namespace)?;
            let local = local.as_ref().to_owned();
            let value = attribute
                .normalized_value(self.version)
                .map_err(|e| self.malformed_here(&e))?;
            if value.chars().count() > self.limits.max_text_chars {
                return Err(self.too_long());
            }
            match namespace.as_deref() {
                None | Some(NAMESPACE) => element.attrs.push((local, value.into_owned())),
                Some(XSI) if local == "nil" => {
                    element.nil = matches!(value.trim(), "true" | "1");
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    fn characters(&mut self, text: &str) -> Result<(), Refusal> {
        let limit = self.limits.max_text_chars;
        match self.stack.last_mut() {
            Some((element, chars)) => {
                *chars += text.chars().count();
                if *chars > limit {
                    return Err(self.too_long());
                }
                element.text.push_str(text);
                Ok(())
            }
            None if text.trim().is_empty() => Ok(()),
            None => Err(Refusal::of(
                Fault::NotXml,
                "the message has text outside its root element: it is not XML",
            )),
        }
    }

    /// `&amp;`, `&#1058;` and the like. Without a DTD only the five
    /// predefined entities exist, so any other name is an error: nothing
    /// is ever looked up or expanded.
    fn reference(&mut self, reference: &BytesRef<'_>) -> Result<(), Refusal> {
        let resolved = match reference.resolve_char_ref() {
            Ok(Some(c)) => c.to_string(),
            Ok(None) => match resolve_predefined_entity(reference) {
                Some(text) => text.to_owned(),
                None => {
                    return Err(Refusal::of(
                        Fault::Doctype,
                        format!(
                            "the message uses the entity &{}; which is not one of XML's five: \
                             entities are never expanded",
                            &**reference
                        ),
                    ));
                }
            },
            Err(e) => return Err(self.malformed_here(&e)),
        };
        self.characters(&resolved)
    }

    fn too_long(&self) -> Refusal {
        Refusal::of(
            Fault::TooLarge,
            format!(
                "a text of the message is longer than {} characters, the most a field is read with",
                self.limits.max_text_chars
            ),
        )
    }

    /// The line of a byte offset, for messages a person can act on.
    fn line(&self, offset: u64) -> usize {
        let end = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        let before = self.text.as_bytes().get(..end).unwrap_or_default();
        before.iter().filter(|b| **b == b'\n').count() + 1
    }

    fn malformed(&self, offset: u64, what: &dyn std::fmt::Display) -> Refusal {
        Refusal::of(
            Fault::NotXml,
            format!("the XML is malformed on line {}: {what}", self.line(offset)),
        )
    }

    fn malformed_here(&self, what: &dyn std::fmt::Display) -> Refusal {
        self.malformed(self.reader.buffer_position(), what)
    }
}
