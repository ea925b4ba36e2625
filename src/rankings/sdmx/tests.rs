//! The reader against an ЕМИСС-like message, the other shapes SDMX 2.1
//! providers write, and everything it must refuse without panicking.

use super::*;

/// Two series (Krasnodar Krai, Rostov oblast) × three years, as ЕМИСС
/// writes them. Also saved as tests/data/rankings/emiss-sample.xml for the
/// HTTP tests; `the_fixture_file_is_this_message` keeps the two equal.
const EMISS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- Test fixture shaped like an ЕМИСС (fedstat.ru) SDMX-ML 2.1 structure-specific export:
     life expectancy at birth, Krasnodar Krai (OKTMO 03000000) and Rostov oblast (60000000).
     The figures are illustrative, not official statistics. -->
<message:StructureSpecificData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common" xmlns:ss="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:ns1="urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=FEDSTAT:DSD_31293(1.0):ObsLevelDim:TIME_PERIOD">
  <message:Header>
    <message:ID>IREF000001</message:ID>
    <message:Test>false</message:Test>
    <message:Prepared>2025-03-01T10:00:00</message:Prepared>
    <message:Sender id="FEDSTAT">
      <common:Name xml:lang="ru">Росстат</common:Name>
      <common:Name xml:lang="en">Rosstat</common:Name>
    </message:Sender>
    <message:Structure structureID="FEDSTAT_DSD_31293_1_0" namespace="urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=FEDSTAT:DSD_31293(1.0):ObsLevelDim:TIME_PERIOD" dimensionAtObservation="TIME_PERIOD">
      <common:Structure>
        <URN>urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=FEDSTAT:DSD_31293(1.0)</URN>
      </common:Structure>
    </message:Structure>
  </message:Header>
  <message:DataSet ss:structureRef="FEDSTAT_DSD_31293_1_0" ss:dataScope="DataStructure" xsi:type="ns1:DataSetType" ss:DataSetID="31293">
    <Series FREQ="A" OKTMO="03000000" S_POL="T" S_MESTO="T" S_POK="31293" UNIT="лет">
      <Obs TIME_PERIOD="2021" OBS_VALUE="70.6" OBS_STATUS="A"/>
      <Obs TIME_PERIOD="2022" OBS_VALUE="73.0" OBS_STATUS="A"/>
      <Obs TIME_PERIOD="2023" OBS_VALUE="73.9" OBS_STATUS="P"/>
    </Series>
    <Series FREQ="A" OKTMO="60000000" S_POL="T" S_MESTO="T" S_POK="31293" UNIT="лет">
      <Obs TIME_PERIOD="2021" OBS_VALUE="69.7" OBS_STATUS="A"/>
      <Obs TIME_PERIOD="2022" OBS_VALUE="72.1" OBS_STATUS="A"/>
      <Obs TIME_PERIOD="2023" OBS_VALUE="72.8" OBS_STATUS="P"/>
    </Series>
  </message:DataSet>
</message:StructureSpecificData>
"#;

const HEAD: &str = r#"<message:StructureSpecificData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" xmlns:ss="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific">"#;
const TAIL: &str = "</message:StructureSpecificData>";

/// A message with the given header content and data set content.
fn message(header: &str, dataset: &str) -> String {
    format!(
        "{HEAD}<message:Header>{header}</message:Header><message:DataSet>{dataset}</message:DataSet>{TAIL}"
    )
}

fn read(xml: &str) -> Result<Message, Error> {
    parse(xml.as_bytes(), &Limits::default())
}

fn ok(xml: &str) -> Message {
    read(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"))
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn not_sdmx(result: Result<Message, Error>) -> String {
    match result {
        Err(Error::NotSdmx(text)) => text,
        other => panic!("expected NotSdmx, got {other:?}"),
    }
}

fn malformed(result: Result<Message, Error>) -> String {
    match result {
        Err(Error::Xml(text)) => text,
        other => panic!("expected Xml, got {other:?}"),
    }
}

#[test]
fn the_fixture_file_is_this_message() {
    let file = include_str!("../../../tests/data/rankings/emiss-sample.xml");
    assert_eq!(file, EMISS);
}

#[test]
fn reads_an_emiss_message() {
    let m = ok(EMISS);
    assert_eq!(m.id.as_deref(), Some("IREF000001"));
    assert_eq!(m.prepared.as_deref(), Some("2025-03-01T10:00:00"));
    assert_eq!(m.sender.as_deref(), Some("FEDSTAT"));
    assert_eq!(m.dataset_ids, ["31293"]);
    assert_eq!(m.observations.len(), 6);

    let first = &m.observations[0];
    assert_eq!(
        first.series.to_vec(),
        pairs(&[
            ("FREQ", "A"),
            ("OKTMO", "03000000"),
            ("S_POL", "T"),
            ("S_MESTO", "T"),
            ("S_POK", "31293"),
            ("UNIT", "лет"),
        ])
    );
    assert_eq!(first.time_period, "2021");
    assert_eq!(first.value.as_deref(), Some("70.6"));
    assert_eq!(first.attributes, pairs(&[("OBS_STATUS", "A")]));

    let rows: Vec<(&str, &str, Option<&str>, Option<&str>)> = m
        .observations
        .iter()
        .map(|o| {
            (
                o.component("OKTMO").unwrap_or_default(),
                o.time_period.as_str(),
                o.value.as_deref(),
                o.component("OBS_STATUS"),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("03000000", "2021", Some("70.6"), Some("A")),
            ("03000000", "2022", Some("73.0"), Some("A")),
            ("03000000", "2023", Some("73.9"), Some("P")),
            ("60000000", "2021", Some("69.7"), Some("A")),
            ("60000000", "2022", Some("72.1"), Some("A")),
            ("60000000", "2023", Some("72.8"), Some("P")),
        ]
    );
    // The key is shared by a series' observations, not copied into each.
    assert!(Arc::ptr_eq(
        &m.observations[0].series,
        &m.observations[2].series
    ));
    assert!(!Arc::ptr_eq(
        &m.observations[2].series,
        &m.observations[3].series
    ));
}

#[test]
fn reads_flat_observations_with_all_dimensions() {
    let xml = message(
        r#"<message:Structure structureID="S1" dimensionAtObservation="AllDimensions"/>"#,
        r#"<Obs FREQ="A" OKTMO="03000000" TIME_PERIOD="2023" OBS_VALUE="71.4" OBS_STATUS="A"/>
           <Obs FREQ="A" OKTMO="60000000" TIME_PERIOD="2023" OBS_VALUE="70.9"/>"#,
    );
    let m = ok(&xml);
    assert_eq!(m.observations.len(), 2);
    let o = &m.observations[0];
    assert!(o.series.is_empty());
    assert_eq!(o.time_period, "2023");
    assert_eq!(o.value.as_deref(), Some("71.4"));
    assert_eq!(
        o.attributes,
        pairs(&[("FREQ", "A"), ("OKTMO", "03000000"), ("OBS_STATUS", "A")])
    );
    assert_eq!(m.observations[1].component("OKTMO"), Some("60000000"));
}

#[test]
fn reads_prefixed_elements_and_a_default_namespace_root() {
    let xml = r#"<?xml version="1.0"?>
<StructureSpecificTimeSeriesData xmlns="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" xmlns:ns1="urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=ESTAT:DEMO(1.0):ObsLevelDim:TIME_PERIOD" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Header><ID>DEMO1</ID><Prepared>2024-12-31</Prepared><Sender id="ESTAT"/><DataSetID>demo_mlexpec</DataSetID></Header>
  <DataSet setID="demo_mlexpec">
    <ns1:Series xsi:type="ns1:SeriesType" xmlns:x="urn:x" GEO="RU03"><ns1:Obs TIME_PERIOD="2020" OBS_VALUE="70"/></ns1:Series>
  </DataSet>
</StructureSpecificTimeSeriesData>"#;
    let m = ok(xml);
    assert_eq!(m.id.as_deref(), Some("DEMO1"));
    assert_eq!(m.sender.as_deref(), Some("ESTAT"));
    // The header's id and the data set's are the same one, listed once.
    assert_eq!(m.dataset_ids, ["demo_mlexpec"]);
    assert_eq!(m.observations.len(), 1);
    // xsi:type and the namespace declaration are not components.
    assert_eq!(m.observations[0].series.to_vec(), pairs(&[("GEO", "RU03")]));
    assert_eq!(m.observations[0].time_period, "2020");
}

#[test]
fn unescapes_attributes_and_header_text() {
    let xml = message(
        "<message:ID>A&amp;B&#32;<![CDATA[<1>]]></message:ID><message:Sender id=\"R&amp;D\"/>",
        r#"<Series UNIT="руб. &amp; коп." NOTE="&lt;5&gt; &quot;x&quot; &apos;y&apos; &#1058;&#x415;"><Obs TIME_PERIOD="2023" OBS_VALUE="1"/></Series>"#,
    );
    let m = ok(&xml);
    assert_eq!(m.id.as_deref(), Some("A&B <1>"));
    assert_eq!(m.sender.as_deref(), Some("R&D"));
    let o = &m.observations[0];
    assert_eq!(o.component("UNIT"), Some("руб. & коп."));
    assert_eq!(o.component("NOTE"), Some("<5> \"x\" 'y' ТЕ"));
}

#[test]
fn missing_values_are_none() {
    let xml = message(
        "",
        r#"<Series OKTMO="03000000">
             <Obs TIME_PERIOD="2020" OBS_VALUE="NaN" OBS_STATUS="M"/>
             <Obs TIME_PERIOD="2021" OBS_VALUE=""/>
             <Obs TIME_PERIOD="2022" OBS_STATUS="M"/>
             <Obs TIME_PERIOD="2023" OBS_VALUE=" 71.4 "/>
           </Series>"#,
    );
    let m = ok(&xml);
    let values: Vec<Option<&str>> = m.observations.iter().map(|o| o.value.as_deref()).collect();
    assert_eq!(values, [None, None, None, Some("71.4")]);
    assert_eq!(m.observations[0].attributes, pairs(&[("OBS_STATUS", "M")]));
}

#[test]
fn honours_the_dimension_at_observation_of_each_structure() {
    let header = r#"<message:Structure structureID="A" dimensionAtObservation="TIME_PERIOD"/>
                    <message:Structure structureID="B" dimensionAtObservation="REF_PERIOD"/>"#;
    let xml = format!(
        "{HEAD}<message:Header>{header}</message:Header>\
         <message:DataSet ss:structureRef=\"B\" ss:setID=\"b\"><Series OKTMO=\"1\"><Obs REF_PERIOD=\"2023-Q4\" TIME_PERIOD=\"x\" OBS_VALUE=\"5\"/></Series></message:DataSet>\
         <message:DataSet ss:structureRef=\"A\" ss:setID=\"a\"><Series OKTMO=\"2\"><Obs TIME_PERIOD=\"2023\" OBS_VALUE=\"6\"/></Series></message:DataSet>{TAIL}"
    );
    let m = ok(&xml);
    assert_eq!(m.dataset_ids, ["b", "a"]);
    assert_eq!(m.observations[0].time_period, "2023-Q4");
    assert_eq!(m.observations[0].attributes, pairs(&[("TIME_PERIOD", "x")]));
    assert_eq!(m.observations[1].time_period, "2023");
}

#[test]
fn skips_groups_annotations_and_empty_series() {
    let xml = message(
        "<message:Test>true</message:Test>",
        r#"<Group UNIT_MULT="3"/>
           <common:Annotations xmlns:common="urn:c"><common:Annotation><common:AnnotationText>t</common:AnnotationText></common:Annotation></common:Annotations>
           <Series OKTMO="1"/>
           <Series OKTMO="2"><Obs TIME_PERIOD="2023" OBS_VALUE="1"><Annotations><Annotation/></Annotations></Obs></Series>"#,
    );
    let m = ok(&xml);
    assert_eq!(m.observations.len(), 1);
    assert_eq!(m.observations[0].component("OKTMO"), Some("2"));
    assert_eq!(m.id, None);
}

#[test]
fn a_message_without_data_is_empty() {
    let m = ok(&format!("{HEAD}<message:Header/>{TAIL}"));
    assert_eq!(m, Message::default());
}

#[test]
fn an_observation_without_its_time_is_refused() {
    let text = not_sdmx(read(&message(
        "",
        r#"<Series A="1"><Obs OBS_VALUE="1"/></Series>"#,
    )));
    assert!(text.contains("TIME_PERIOD"), "{text}");
    assert!(text.contains("line 1"), "{text}");
}

#[test]
fn generic_messages_are_refused() {
    let v21 = r#"<message:GenericData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" xmlns:generic="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic">
  <message:Header><message:ID>G1</message:ID></message:Header>
  <message:DataSet><generic:Series><generic:SeriesKey><generic:Value id="OKTMO" value="03000000"/></generic:SeriesKey>
    <generic:Obs><generic:ObsDimension value="2023"/><generic:ObsValue value="71.4"/></generic:Obs></generic:Series></message:DataSet>
</message:GenericData>"#;
    let text = not_sdmx(read(v21));
    assert!(text.contains("generic"), "{text}");
    assert!(text.contains("structure-specific"), "{text}");

    // What fedstat.ru's own "SDMX" download has long been: SDMX-ML 1.0 generic.
    let fedstat = r#"<?xml version="1.0" encoding="UTF-8"?><GenericData xmlns="http://www.SDMX.org/resources/SDMXML/schemas/v1_0/message"><Header><ID>none</ID></Header></GenericData>"#;
    assert!(not_sdmx(read(fedstat)).contains("generic"));
}

#[test]
fn other_roots_are_refused() {
    let compact =
        r#"<CompactData xmlns="http://www.SDMX.org/resources/SDMXML/schemas/v2_0/message"/>"#;
    let text = not_sdmx(read(compact));
    assert!(text.contains("SDMX-ML 2.0 CompactData"), "{text}");

    let structure =
        r#"<m:Structure xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"/>"#;
    assert!(not_sdmx(read(structure)).contains("not data"));

    let no_namespace = "<StructureSpecificData><DataSet/></StructureSpecificData>";
    assert!(not_sdmx(read(no_namespace)).contains("not in the SDMX-ML 2.1 message namespace"));

    let rss = r#"<?xml version="1.0"?><rss version="2.0"><channel/></rss>"#;
    assert_eq!(
        not_sdmx(read(rss)),
        "the root element <rss> is not an SDMX message"
    );

    let page = "<html><body>Подождите…</body></html>";
    assert!(not_sdmx(read(page)).contains("web page"));
    let page = "<!DOCTYPE html>\n<html><body>captcha</body></html>";
    assert!(not_sdmx(read(page)).contains("web page"));
}

#[test]
fn an_sdmx_error_message_is_passed_on() {
    let xml = r#"<message:Error xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common">
  <message:ErrorMessage code="100"><common:Text xml:lang="en">No Results Found</common:Text></message:ErrorMessage>
</message:Error>"#;
    let text = not_sdmx(read(xml));
    assert!(text.contains("error message 100"), "{text}");
    assert!(text.ends_with(": No Results Found"), "{text}");
}

#[test]
fn a_doctype_is_refused() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<message:StructureSpecificData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"><message:Header><message:ID>&lol2;</message:ID></message:Header></message:StructureSpecificData>"#;
    assert_eq!(read(laughs), Err(Error::Doctype));
    let external = r#"<!DOCTYPE m SYSTEM "file:///etc/passwd"><m/>"#;
    assert_eq!(read(external), Err(Error::Doctype));
    // Without a DTD no entity but the five predefined ones exists.
    let undeclared = message("<message:ID>&xxe;</message:ID>", "");
    assert!(malformed(read(&undeclared)).contains("&xxe;"));
    let in_attribute = message(r#"<message:Sender id="&xxe;"/>"#, "");
    assert!(matches!(read(&in_attribute), Err(Error::Xml(_))));
}

#[test]
fn the_size_limit_is_checked_first() {
    let len = EMISS.len();
    let limits = |max_bytes| Limits {
        max_bytes,
        ..Limits::default()
    };
    assert!(parse(EMISS.as_bytes(), &limits(len)).is_ok());
    assert_eq!(
        parse(EMISS.as_bytes(), &limits(len - 1)),
        Err(Error::TooLarge { limit: len - 1 })
    );
    // Checked before anything is parsed: even garbage gets this error.
    assert_eq!(
        parse(&[0xFF; 64], &limits(10)),
        Err(Error::TooLarge { limit: 10 })
    );
}

#[test]
fn the_depth_limit_trips() {
    // The fixture's deepest element, Header/Structure/common:Structure/URN, is level 5.
    let limits = |max_depth| Limits {
        max_depth,
        ..Limits::default()
    };
    assert!(parse(EMISS.as_bytes(), &limits(5)).is_ok());
    assert_eq!(
        parse(EMISS.as_bytes(), &limits(4)),
        Err(Error::TooDeep { limit: 4 })
    );
    let deep = message(
        "",
        &format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000)),
    );
    assert_eq!(read(&deep), Err(Error::TooDeep { limit: 16 }));
}

#[test]
fn the_series_and_observation_limits_trip() {
    let series = |max_series| Limits {
        max_series,
        ..Limits::default()
    };
    assert!(parse(EMISS.as_bytes(), &series(2)).is_ok());
    assert_eq!(
        parse(EMISS.as_bytes(), &series(1)),
        Err(Error::TooMany {
            what: Counted::Series,
            limit: 1
        })
    );
    let observations = |max_observations| Limits {
        max_observations,
        ..Limits::default()
    };
    assert!(parse(EMISS.as_bytes(), &observations(6)).is_ok());
    assert_eq!(
        parse(EMISS.as_bytes(), &observations(5)),
        Err(Error::TooMany {
            what: Counted::Observations,
            limit: 5
        })
    );
    // Flat observations count too.
    let flat = message("", r#"<Obs TIME_PERIOD="1"/><Obs TIME_PERIOD="2"/>"#);
    assert!(matches!(
        parse(flat.as_bytes(), &observations(1)),
        Err(Error::TooMany {
            what: Counted::Observations,
            ..
        })
    ));
}

#[test]
fn errors_read_well() {
    let text = |e: Error| e.to_string();
    assert!(text(Error::TooLarge { limit: 20 * MIB }).contains("larger than 20 MiB"));
    assert!(text(Error::TooLarge { limit: 1536 }).contains("1 KiB"));
    assert!(text(Error::TooDeep { limit: 16 }).contains("16 levels"));
    let many = Error::TooMany {
        what: Counted::Observations,
        limit: 500_000,
    };
    assert!(text(many).contains("more than 500000 observations"));
    assert!(text(Error::Doctype).contains("DOCTYPE"));
    let e = read(&message("<message:ID>x</message:IDX>", "")).expect_err("mismatched");
    assert!(
        e.to_string().starts_with("the XML is malformed on line 1:"),
        "{e}"
    );
}

#[test]
fn a_cut_short_message_is_an_error() {
    let end = EMISS.rfind(TAIL).expect("the fixture ends with its root") + TAIL.len();
    for cut in 0..end {
        let result = parse(&EMISS.as_bytes()[..cut], &Limits::default());
        assert!(result.is_err(), "a message cut at byte {cut} was read");
    }
    let text = malformed(parse(&EMISS.as_bytes()[..end - 1], &Limits::default()));
    assert!(
        text.contains("malformed") || text.contains("cut short"),
        "{text}"
    );
    assert!(
        malformed(read(&EMISS[..EMISS.find("<Series").expect("a series")])).contains("cut short")
    );
}

#[test]
fn garbage_is_an_error() {
    let cases: &[&[u8]] = &[
        b"",
        b"   \n",
        b"hello",
        b"{\"data\": []}",
        b"<",
        b"<<<>>>",
        b"</a>",
        b"<a></b>",
        b"<a b></a>",
        b"<a b=\"1\" b=\"2\"/>",
        b"<a>&</a>",
        b"<!-- only a comment -->",
        b"<?xml version=\"9\"?><a/>",
        b"<a/><b/>",
        b"<a/>trailing",
        b"\xFF\xFE<\x00a\x00/\x00>\x00",
        b"<?xml version=\"1.0\" encoding=\"windows-1251\"?><a>\xcf\xf0\xe8</a>",
        b"\xEF\xBB\xBF\xC0\xC1",
        b"<a>\x00</a>",
    ];
    for case in cases {
        assert!(
            parse(case, &Limits::default()).is_err(),
            "read: {}",
            String::from_utf8_lossy(case)
        );
    }
    let cp1251 = b"<?xml version=\"1.0\" encoding=\"windows-1251\"?><a>\xcf\xf0\xe8</a>";
    assert!(malformed(parse(cp1251, &Limits::default())).contains("windows-1251"));
    let after = format!("{EMISS}<x/>");
    assert!(malformed(read(&after)).contains("second root"));
}

/// A small deterministic generator, so the fuzzing below is reproducible.
fn next(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *state >> 33
}

#[test]
fn mangled_messages_never_panic() {
    let mut state = 17;
    let bytes = EMISS.as_bytes();
    for _ in 0..3000 {
        let mut mangled = bytes.to_vec();
        for _ in 0..1 + next(&mut state) % 4 {
            let at = (next(&mut state) as usize) % mangled.len();
            match next(&mut state) % 3 {
                0 => mangled[at] = b"<>&\"'/=;#x \xD0"[(next(&mut state) % 12) as usize],
                1 => {
                    mangled.remove(at);
                }
                _ => mangled.insert(at, next(&mut state) as u8),
            }
        }
        // Whatever comes out, it comes out without a panic.
        let _ = parse(&mangled, &Limits::default());
    }
    for _ in 0..300 {
        let len = (next(&mut state) % 300) as usize;
        let random: Vec<u8> = (0..len).map(|_| next(&mut state) as u8).collect();
        assert!(parse(&random, &Limits::default()).is_err());
    }
}
