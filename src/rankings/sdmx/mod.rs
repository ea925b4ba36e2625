//! A reader of SDMX-ML 2.1 *structure-specific* data messages, the XML in
//! which SDMX 2.1 providers, ЕМИСС (fedstat.ru) among them, deliver an
//! indicator. Only that format is read: the generic one (`GenericData`,
//! which is also what fedstat.ru's "SDMX" download on an indicator page has
//! long been, in SDMX-ML 1.0) is refused with words saying so.
//!
//! In that format every dimension and attribute is an XML attribute named
//! by its concept id: `<Series FREQ="A" OKTMO="03000000" …>` holds the series
//! key, `<Obs TIME_PERIOD="2023" OBS_VALUE="71.4"/>` one observation. The
//! element names live in a namespace made up per data structure (`ns1`,
//! default or none, depending on the provider), so elements are matched on
//! their local names; only the root's namespace is checked, because that is
//! what tells SDMX 2.1 apart from the other SDMX versions and from random XML.
//!
//! The reader is pure (bytes in, values out) and built for files from the
//! outside world: the size is checked before parsing, depth, series and
//! observations while parsing, a DOCTYPE is refused outright, and no input
//! makes it panic. Numbers stay text: the caller decides how to parse them.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, BytesText, Event};
use quick_xml::reader::Reader;

#[cfg(test)]
mod tests;

/// The namespace of SDMX-ML 2.1 messages (the root element's).
const MESSAGE_NS: &str = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message";
/// What every SDMX-ML namespace starts with; lowercase, because SDMX-ML 1.0
/// spelled it `SDMX.org/…/SDMXML`.
const SDMX_NS_STEM: &str = "http://www.sdmx.org/resources/sdmxml/schemas/";
const TIME_PERIOD: &str = "TIME_PERIOD";
const OBS_VALUE: &str = "OBS_VALUE";
const ALL_DIMENSIONS: &str = "AllDimensions";
const MIB: usize = 1024 * 1024;
/// How much of a provider's error text is kept: enough to understand it,
/// not enough to flood a log or a page.
const ERROR_TEXT_CHARS: usize = 300;

/// How much of a message is read before giving up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The whole message, in bytes; checked before parsing starts.
    pub max_bytes: usize,
    /// How deep elements may nest; the root is level 1, an `Obs` is level 4.
    pub max_depth: usize,
    /// `Series` elements, over all data sets.
    pub max_series: usize,
    /// `Obs` elements, over all data sets.
    pub max_observations: usize,
}

impl Default for Limits {
    /// Generous for one indicator over all regions and years (85 regions ×
    /// 30 years is 2 550 observations), small enough to keep a server safe.
    fn default() -> Self {
        Limits {
            max_bytes: 20 * MIB,
            max_depth: 16,
            max_series: 50_000,
            max_observations: 500_000,
        }
    }
}

/// One observation with everything that identifies and qualifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The `Series` element's attributes (the series key: dimension id ->
    /// code, and the series-level attributes), in document order; empty for
    /// an observation written directly under `DataSet`. Shared by all the
    /// observations of a series, because copying the key into each of up to
    /// 500 000 observations would cost far more memory than the file itself.
    pub series: Arc<[(String, String)]>,
    /// The value of `TIME_PERIOD`, or of the dimension the header's
    /// `dimensionAtObservation` names when that is another one.
    pub time_period: String,
    /// `OBS_VALUE` as text, trimmed; `None` when it is missing, empty or `NaN`.
    pub value: Option<String>,
    /// The other attributes of `Obs` (`OBS_STATUS`, `UNIT_MULT`, and for a
    /// flat observation all its dimensions), in document order.
    pub attributes: Vec<(String, String)>,
}

impl Observation {
    /// The code or value of a component (dimension or attribute) by its id:
    /// the observation's own attributes first, then the series key. The time
    /// dimension and `OBS_VALUE` have their own fields.
    pub fn component(&self, id: &str) -> Option<&str> {
        self.attributes
            .iter()
            .chain(self.series.iter())
            .find(|(key, _)| key == id)
            .map(|(_, value)| value.as_str())
    }
}

/// What a message holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    /// `Header/ID`.
    pub id: Option<String>,
    /// `Header/Prepared`, as written (an `xs:dateTime`, sometimes a date).
    pub prepared: Option<String>,
    /// `Header/Sender/@id`.
    pub sender: Option<String>,
    /// The data set ids, without repeats, in document order: `Header/DataSetID`
    /// and each `DataSet`'s `setID` (or `DataSetID`, as ЕМИСС writes it).
    pub dataset_ids: Vec<String>,
    /// All observations of all data sets, in document order.
    pub observations: Vec<Observation>,
}

/// What a limit counted when it tripped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Series,
    Observations,
}

/// Why a message was not read. The texts are written for the person who
/// uploaded the file or set up the source, not for a developer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// More bytes than `Limits::max_bytes`.
    TooLarge { limit: usize },
    /// Elements nested deeper than `Limits::max_depth`.
    TooDeep { limit: usize },
    /// More series or observations than the limits allow.
    TooMany { what: Counted, limit: usize },
    /// The document has a DOCTYPE. SDMX messages never do, and refusing
    /// it is what guarantees that no entity is ever expanded.
    Doctype,
    /// Well-formed XML, but not a structure-specific SDMX 2.1 data message
    /// (or one missing what every such message has); the text says what.
    NotSdmx(String),
    /// Not well-formed XML, not UTF-8, or cut short; the text says where.
    Xml(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::TooLarge { limit } => write!(
                f,
                "the file is larger than {}, the most an SDMX import reads; ask the source for fewer indicators, regions or years at once",
                size(*limit)
            ),
            Error::TooDeep { limit } => write!(
                f,
                "the XML nests elements more than {limit} levels deep, which no SDMX data message does"
            ),
            Error::TooMany { what, limit } => {
                let what = match what {
                    Counted::Series => "series",
                    Counted::Observations => "observations",
                };
                write!(
                    f,
                    "the message has more than {limit} {what}, the most an SDMX import reads; ask the source for fewer at once"
                )
            }
            Error::Doctype => f.write_str(
                "the file has a DOCTYPE declaration; SDMX messages have none, and files with one are refused for safety",
            ),
            Error::NotSdmx(text) | Error::Xml(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for Error {}

/// A byte count as a person reads it.
fn size(bytes: usize) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reads an SDMX-ML 2.1 structure-specific data message
/// (`StructureSpecificData` or `StructureSpecificTimeSeriesData`).
///
/// Observations are taken from `DataSet/Series/Obs` and from `Obs` written
/// directly under `DataSet` (`dimensionAtObservation="AllDimensions"`);
/// `Group` elements and annotations are skipped.
pub fn parse(xml: &[u8], limits: &Limits) -> Result<Message, Error> {
    if xml.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            limit: limits.max_bytes,
        });
    }
    Parser::new(utf8(xml)?, limits).run()
}

/// The document as text. quick_xml reads UTF-8 only without its `encoding`
/// feature, so anything else is refused here with a clear word instead of
/// failing somewhere in the middle.
fn utf8(xml: &[u8]) -> Result<&str, Error> {
    let body = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
    if body.starts_with(b"\xFF\xFE") || body.starts_with(b"\xFE\xFF") {
        return Err(Error::Xml(
            "the file is in UTF-16; only UTF-8 SDMX files are read".to_owned(),
        ));
    }
    std::str::from_utf8(body).map_err(|e| {
        Error::Xml(match declared_encoding(body) {
            Some(encoding) => {
                format!("the file is in {encoding}, not UTF-8; only UTF-8 SDMX files are read")
            }
            None => format!(
                "the file is not valid UTF-8 (at byte {}); only UTF-8 SDMX files are read",
                e.valid_up_to()
            ),
        })
    })
}

/// The `encoding` of the XML declaration, to name it in the error. The
/// declaration is ASCII by rule, so it is read before any decoding.
fn declared_encoding(body: &[u8]) -> Option<String> {
    let head = body.get(..body.len().min(200))?;
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(head.get(..end)?).ok()?;
    let rest = decl.strip_prefix("<?xml")?;
    let rest = rest.get(rest.find("encoding")? + "encoding".len()..)?;
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = rest.get(1..)?;
    let value = value.get(..value.find(quote)?)?;
    let ascii = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    (ascii && !value.is_empty()).then(|| value.to_owned())
}

/// What an open element is to the reader; one per level, so the stack is
/// never deeper than `Limits::max_depth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Root,
    Header,
    /// A header element whose text is kept.
    Field(Field),
    DataSet,
    Series,
    /// Anything else: skipped with its content.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    Prepared,
    DataSetId,
}

struct Parser<'a> {
    input: &'a str,
    limits: &'a Limits,
    reader: Reader<&'a [u8]>,
    /// From the XML declaration: XML 1.1 normalises line ends differently.
    version: XmlVersion,
    stack: Vec<Frame>,
    root_closed: bool,
    message: Message,
    seen_dataset_ids: HashSet<String>,
    /// `dimensionAtObservation` of each header `Structure` by `structureID`,
    /// and of the first one, for a data set that names none.
    structures: HashMap<String, String>,
    first_structure: Option<String>,
    /// The attribute of a series' `Obs` that holds its time period; set for
    /// each data set from its structure.
    time_key: String,
    /// The current series' key, shared by its observations.
    series: Arc<[(String, String)]>,
    no_series: Arc<[(String, String)]>,
    series_count: usize,
    /// The text of the open `Field`.
    text: String,
}

impl<'a> Parser<'a> {
    fn new(input: &'a str, limits: &'a Limits) -> Self {
        let no_series: Arc<[(String, String)]> = Arc::from(Vec::new());
        Parser {
            input,
            limits,
            reader: Reader::from_str(input),
            version: XmlVersion::Implicit1_0,
            stack: Vec::new(),
            root_closed: false,
            message: Message::default(),
            seen_dataset_ids: HashSet::new(),
            structures: HashMap::new(),
            first_structure: None,
            time_key: TIME_PERIOD.to_owned(),
            series: no_series.clone(),
            no_series,
            series_count: 0,
            text: String::new(),
        }
    }

    fn run(mut self) -> Result<Message, Error> {
        loop {
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => return Err(self.malformed(self.reader.error_position(), &e)),
            };
            match event {
                Event::Decl(decl) => {
                    self.version = decl.xml_version().map_err(|e| self.malformed_here(&e))?;
                }
                Event::DocType(doctype) => return Err(doctype_error(&doctype)),
                Event::Start(start) => self.open(&start)?,
                Event::Empty(start) => {
                    self.open(&start)?;
                    self.close();
                }
                Event::End(_) => self.close(),
                Event::Text(text) => self.characters(&text.xml_content(self.version))?,
                Event::CData(cdata) => self.characters(&cdata.xml_content(self.version))?,
                Event::GeneralRef(reference) => self.reference(&reference)?,
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => break,
            }
        }
        if !self.stack.is_empty() {
            return Err(Error::Xml(
                "the file ends before its elements are closed: it looks cut short".to_owned(),
            ));
        }
        if !self.root_closed {
            return Err(Error::NotSdmx(
                "the file is empty or holds no XML element".to_owned(),
            ));
        }
        Ok(self.message)
    }

    fn open(&mut self, start: &BytesStart<'_>) -> Result<(), Error> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(Error::TooDeep {
                limit: self.limits.max_depth,
            });
        }
        let name = start.local_name();
        let frame = match self.stack.last() {
            None => {
                self.root(start)?;
                Frame::Root
            }
            Some(Frame::Root) => match name.as_ref() {
                "Header" => Frame::Header,
                "DataSet" => {
                    self.dataset(start)?;
                    Frame::DataSet
                }
                _ => Frame::Other,
            },
            Some(Frame::Header) => match name.as_ref() {
                "ID" => Frame::Field(Field::Id),
                "Prepared" => Frame::Field(Field::Prepared),
                "DataSetID" => Frame::Field(Field::DataSetId),
                "Sender" => {
                    self.message.sender = self.attribute(start, "id")?;
                    Frame::Other
                }
                "Structure" => {
                    self.structure(start)?;
                    Frame::Other
                }
                _ => Frame::Other,
            },
            Some(Frame::DataSet) => match name.as_ref() {
                "Series" => {
                    self.open_series(start)?;
                    Frame::Series
                }
                "Obs" => {
                    self.observation(start, true)?;
                    Frame::Other
                }
                _ => Frame::Other,
            },
            Some(Frame::Series) => {
                if name.as_ref() == "Obs" {
                    self.observation(start, false)?;
                }
                Frame::Other
            }
            Some(Frame::Field(_) | Frame::Other) => Frame::Other,
        };
        if let Frame::Field(_) = frame {
            self.text.clear();
        }
        self.stack.push(frame);
        Ok(())
    }

    fn close(&mut self) {
        match self.stack.pop() {
            Some(Frame::Root) => self.root_closed = true,
            Some(Frame::Series) => self.series = self.no_series.clone(),
            Some(Frame::Field(field)) => {
                let text = self.text.trim();
                if text.is_empty() {
                    return;
                }
                match field {
                    Field::Id => self.message.id = Some(text.to_owned()),
                    Field::Prepared => self.message.prepared = Some(text.to_owned()),
                    Field::DataSetId => {
                        let id = text.to_owned();
                        self.dataset_id(id);
                    }
                }
            }
            Some(Frame::Header | Frame::DataSet | Frame::Other) | None => {}
        }
    }

    /// Checks that the root is a structure-specific SDMX 2.1 data message,
    /// and says as precisely as it can what the document is otherwise.
    fn root(&mut self, start: &BytesStart<'_>) -> Result<(), Error> {
        let qname = start.name();
        let local = qname.local_name();
        let local = local.as_ref();
        if self.root_closed {
            return Err(self.malformed_here(&format!("a second root element <{}>", qname.as_ref())));
        }
        if matches!(local, "GenericData" | "GenericTimeSeriesData") {
            return Err(Error::NotSdmx(format!(
                "this is an SDMX generic data message ({local}); only the structure-specific format \
                 (StructureSpecificData) is read: ask the source for structure-specific data"
            )));
        }
        let xmlns = match qname.prefix() {
            Some(prefix) => format!("xmlns:{}", prefix.as_ref()),
            None => "xmlns".to_owned(),
        };
        let namespace = self.attribute(start, &xmlns)?.unwrap_or_default();
        if namespace == MESSAGE_NS {
            return match local {
                "StructureSpecificData" | "StructureSpecificTimeSeriesData" => Ok(()),
                "Error" => Err(self.provider_error()),
                _ => Err(Error::NotSdmx(format!(
                    "this is an SDMX 2.1 {local} message, not data: a structure-specific data message \
                     (StructureSpecificData) is expected"
                ))),
            };
        }
        let lower = namespace.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix(SDMX_NS_STEM) {
            let version = rest.split('/').next().unwrap_or_default();
            let version = version.trim_start_matches('v').replace('_', ".");
            return Err(Error::NotSdmx(format!(
                "this is an SDMX-ML {version} {local} message; only SDMX-ML 2.1 structure-specific \
                 data (StructureSpecificData) is read"
            )));
        }
        if local.eq_ignore_ascii_case("html") {
            return Err(Error::NotSdmx(
                "the source sent a web page, not SDMX data".to_owned(),
            ));
        }
        if matches!(
            local,
            "StructureSpecificData" | "StructureSpecificTimeSeriesData"
        ) {
            return Err(Error::NotSdmx(format!(
                "the root element <{}> is not in the SDMX-ML 2.1 message namespace ({MESSAGE_NS})",
                qname.as_ref()
            )));
        }
        Err(Error::NotSdmx(format!(
            "the root element <{}> is not an SDMX message",
            qname.as_ref()
        )))
    }

    /// An SDMX `Error` message: the source said why it sent no data. Its
    /// code and first text are passed on; the rest is not read.
    fn provider_error(&mut self) -> Error {
        let mut code = None;
        let mut text = String::new();
        loop {
            match self.reader.read_event() {
                Ok(Event::Start(start) | Event::Empty(start))
                    if code.is_none() && start.local_name().as_ref() == "ErrorMessage" =>
                {
                    code = self.attribute(&start, "code").ok().flatten();
                }
                Ok(Event::Text(chunk)) => {
                    let chunk = chunk.xml_content(self.version);
                    if !chunk.trim().is_empty() {
                        text = chunk.trim().chars().take(ERROR_TEXT_CHARS).collect();
                        break;
                    }
                }
                Ok(Event::Eof) | Err(_) => break,
                Ok(_) => {}
            }
        }
        let code = code.map(|code| format!(" {code}")).unwrap_or_default();
        let text = if text.is_empty() {
            String::new()
        } else {
            format!(": {text}")
        };
        Error::NotSdmx(format!(
            "the source answered with an SDMX error message{code} instead of data{text}"
        ))
    }

    /// A header `Structure`: which dimension its data sets put on `Obs`.
    fn structure(&mut self, start: &BytesStart<'_>) -> Result<(), Error> {
        let dimension = self
            .attribute(start, "dimensionAtObservation")?
            .unwrap_or_else(|| TIME_PERIOD.to_owned());
        if self.first_structure.is_none() {
            self.first_structure = Some(dimension.clone());
        }
        if let Some(id) = self.attribute(start, "structureID")? {
            self.structures.entry(id).or_insert(dimension);
        }
        Ok(())
    }

    /// A `DataSet`: its id, and the time key of its series' observations.
    fn dataset(&mut self, start: &BytesStart<'_>) -> Result<(), Error> {
        let mut structure = None;
        let mut id = None;
        for (key, value) in self.attributes(start, false)? {
            // ss:structureRef, ss:setID: qualified in the schema, so matched
            // on the local name whatever the prefix.
            match key.rsplit(':').next().unwrap_or_default() {
                "structureRef" => structure = Some(value),
                "setID" | "DataSetID" => id = Some(value),
                _ => {}
            }
        }
        if let Some(id) = id.filter(|id| !id.trim().is_empty()) {
            self.dataset_id(id.trim().to_owned());
        }
        let dimension = structure
            .and_then(|s| self.structures.get(&s))
            .or(self.first_structure.as_ref())
            .map(String::as_str);
        self.time_key = match dimension {
            Some(d) if !d.is_empty() && d != ALL_DIMENSIONS => d.to_owned(),
            _ => TIME_PERIOD.to_owned(),
        };
        Ok(())
    }

    fn dataset_id(&mut self, id: String) {
        if self.seen_dataset_ids.insert(id.clone()) {
            self.message.dataset_ids.push(id);
        }
    }

    fn open_series(&mut self, start: &BytesStart<'_>) -> Result<(), Error> {
        if self.series_count >= self.limits.max_series {
            return Err(Error::TooMany {
                what: Counted::Series,
                limit: self.limits.max_series,
            });
        }
        self.series_count += 1;
        self.series = self.attributes(start, true)?.into();
        Ok(())
    }

    /// An `Obs`, in a series or (`flat`) directly under `DataSet`, where it
    /// carries all dimensions and its time is always `TIME_PERIOD`.
    fn observation(&mut self, start: &BytesStart<'_>, flat: bool) -> Result<(), Error> {
        if self.message.observations.len() >= self.limits.max_observations {
            return Err(Error::TooMany {
                what: Counted::Observations,
                limit: self.limits.max_observations,
            });
        }
        let time_key = if flat {
            TIME_PERIOD
        } else {
            self.time_key.as_str()
        };
        let mut time_period = None;
        let mut value = None;
        let mut attributes = Vec::new();
        for (key, text) in self.attributes(start, true)? {
            if key == time_key {
                time_period = Some(text.trim().to_owned());
            } else if key == OBS_VALUE {
                value = Some(text);
            } else {
                attributes.push((key, text));
            }
        }
        let Some(time_period) = time_period else {
            return Err(Error::NotSdmx(format!(
                "the observation on line {} has no {time_key}: every observation needs one",
                self.line(self.reader.buffer_position())
            )));
        };
        let value = value
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("NaN"));
        attributes.shrink_to_fit();
        let series = if flat {
            self.no_series.clone()
        } else {
            self.series.clone()
        };
        self.message.observations.push(Observation {
            series,
            time_period,
            value,
            attributes,
        });
        Ok(())
    }

    fn characters(&mut self, text: &str) -> Result<(), Error> {
        match self.stack.last() {
            Some(Frame::Field(_)) => self.text.push_str(text),
            Some(_) => {}
            None if text.trim().is_empty() => {}
            None if self.root_closed => {
                return Err(self.malformed_here(&"text after the end of the root element"));
            }
            None => {
                return Err(Error::NotSdmx(
                    "the file does not start with an XML element: it is not XML".to_owned(),
                ));
            }
        }
        Ok(())
    }

    /// `&amp;`, `&#1058;` and the like in text. Only the five predefined
    /// entities exist without a DTD, so any other name is an error.
    fn reference(&mut self, reference: &BytesRef<'_>) -> Result<(), Error> {
        let resolved = match reference.resolve_char_ref() {
            Ok(Some(c)) => c.to_string(),
            Ok(None) => match resolve_predefined_entity(reference) {
                Some(text) => text.to_owned(),
                None => {
                    return Err(
                        self.malformed_here(&format!("unknown entity &{};", reference.as_ref()))
                    );
                }
            },
            Err(e) => return Err(self.malformed_here(&e)),
        };
        self.characters(&resolved)
    }

    /// The unescaped attributes of an element. With `components`, only the
    /// unprefixed ones: dimensions and attributes of a data structure are
    /// unqualified, while `xsi:type`, `xml:lang` or a namespace declaration
    /// are XML machinery, not data.
    fn attributes(
        &self,
        start: &BytesStart<'_>,
        components: bool,
    ) -> Result<Vec<(String, String)>, Error> {
        let mut out = Vec::new();
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|e| self.malformed_here(&e))?;
            let key = attribute.key.as_ref();
            if components && (attribute.key.prefix().is_some() || key == "xmlns") {
                continue;
            }
            let value = attribute
                .normalized_value(self.version)
                .map_err(|e| self.malformed_here(&e))?;
            out.push((key.to_owned(), value.into_owned()));
        }
        Ok(out)
    }

    /// One attribute by its exact (qualified) name, unescaped.
    fn attribute(&self, start: &BytesStart<'_>, name: &str) -> Result<Option<String>, Error> {
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|e| self.malformed_here(&e))?;
            if attribute.key.as_ref() == name {
                let value = attribute
                    .normalized_value(self.version)
                    .map_err(|e| self.malformed_here(&e))?;
                return Ok(Some(value.into_owned()));
            }
        }
        Ok(None)
    }

    /// The line of a byte offset, for messages a person can act on.
    fn line(&self, offset: u64) -> usize {
        let end = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.input.len());
        let before = self.input.as_bytes().get(..end).unwrap_or_default();
        before.iter().filter(|b| **b == b'\n').count() + 1
    }

    fn malformed(&self, offset: u64, what: &dyn fmt::Display) -> Error {
        Error::Xml(format!(
            "the XML is malformed on line {}: {what}",
            self.line(offset)
        ))
    }

    /// Malformed at the element or text just read.
    fn malformed_here(&self, what: &dyn fmt::Display) -> Error {
        self.malformed(self.reader.buffer_position(), what)
    }
}

/// A DOCTYPE is refused before anything else is looked at. A web page (what
/// a source behind a bot check or a login sends instead of data) gets its
/// own words, because that is the usual way this goes wrong.
fn doctype_error(doctype: &BytesText<'_>) -> Error {
    let decl = doctype.xml10_content();
    let name = decl.split_whitespace().next().unwrap_or_default();
    if name.eq_ignore_ascii_case("html") {
        Error::NotSdmx("the source sent a web page, not SDMX data".to_owned())
    } else {
        Error::Doctype
    }
}
