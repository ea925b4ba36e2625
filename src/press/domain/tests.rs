use time::macros::datetime;

use super::*;

#[test]
fn one_article_is_one_link() {
    let key = |u: &str| normalise_url(u).map(|(_, k)| k);
    let base = key("https://kuban.example.ru/news/123?id=5&page=2");
    for variant in [
        "https://KUBAN.example.ru/news/123?page=2&id=5",
        "http://www.kuban.example.ru/news/123/?page=2&id=5#comments",
        "https://kuban.example.ru/news/123?utm_source=rss&utm_medium=feed&id=5&fbclid=abc&page=2",
        "https://kuban.example.ru:443/news/123?page=2&yclid=1&id=5",
    ] {
        assert_eq!(key(variant), base, "{variant}");
    }
    assert_ne!(key("https://kuban.example.ru/news/124?id=5&page=2"), base);
    // The link kept is cleaned but keeps its scheme.
    let (url, _) = normalise_url("https://Kuban.example.ru/a?utm_campaign=x&b=2&a=1#top").unwrap();
    assert_eq!(url, "https://kuban.example.ru/a?a=1&b=2");
    let (url, _) = normalise_url("https://kuban.example.ru/a?utm_campaign=x").unwrap();
    assert_eq!(url, "https://kuban.example.ru/a");
    for bad in [
        "",
        "javascript:alert(1)",
        "ftp://example.ru/x",
        "/relative/path",
        "mailto:a@b.ru",
    ] {
        assert_eq!(normalise_url(bad), None, "{bad}");
    }
    assert_eq!(
        normalise_url(&format!("https://e.ru/{}", "a".repeat(3000))),
        None
    );
}

#[test]
fn titles_compare_without_case_yo_and_punctuation() {
    assert_eq!(
        normalise_title("  Ёлки: в Краснодаре — ОТКРЫЛИ  новый парк!!! "),
        "елки в краснодаре открыли новый парк"
    );
    let a = title_hash("В Краснодаре открыли новый парк «Ёлочка»");
    assert!(!a.is_empty());
    assert_eq!(a, title_hash("в краснодаре открыли новый парк елочка"));
    assert_ne!(a, title_hash("В Краснодаре закрыли новый парк «Ёлочка»"));
    // Too short to tell stories apart.
    assert_eq!(title_hash("Новости"), "");
    assert_eq!(title_hash("Погода на завтра"), "");
}

#[test]
fn feed_text_becomes_plain_text() {
    assert_eq!(
        clean_text(
            "<p>Глава <b>района</b>&nbsp;провёл приём.</p><script>alert(1)</script><img src=x>Итоги",
            300
        ),
        "Глава района провёл приём. Итоги"
    );
    assert_eq!(
        clean_text(
            "&lt;p&gt;Escaped &amp;laquo;markup&amp;raquo;&lt;/p&gt;",
            300
        ),
        "Escaped «markup»"
    );
    assert_eq!(
        clean_text("a < b &amp; c &#171;d&#xBB; &bogus; &", 300),
        "a < b & c «d» &bogus; &"
    );
    let long = "слово ".repeat(100);
    let cut = clean_text(&long, 300);
    assert!(cut.chars().count() <= 300, "{}", cut.chars().count());
    assert!(cut.ends_with("слово…"), "{cut}");
    // An unclosed script drops the rest, not the page.
    assert_eq!(clean_text("Текст<script>while(1){}", 300), "Текст");
    assert_eq!(clean_text("", 300), "");
}

#[test]
fn a_field_of_megabytes_costs_what_its_snippet_does() {
    // 4 MiB of ampersands and of script tags (a hostile feed's limit):
    // each searched in a bounded window, so this returns at once.
    let amps = "&".repeat(4 << 20);
    let out = clean_text(&amps, 300);
    assert!(out.chars().count() <= 300 && out.starts_with("&&&"));
    let scripts = "<SCRIPT>x".repeat(400_000);
    assert_eq!(clean_text(&scripts, 300), "");
    let refs = "&amp;".repeat(800_000);
    assert!(clean_text(&refs, 300).chars().all(|c| c == '&' || c == '…'));
}

#[test]
fn dates_of_the_wild_are_read() {
    let want = datetime!(2026-12-02 07:00:00 UTC);
    for s in [
        "Wed, 02 Dec 2026 10:00:00 +0300",
        "02 Dec 2026 07:00:00 GMT",
        "Wed, 02 Dec 2026 07:00:00 UT",
        "Mon, 02 Dec 2026 07:00:00 GMT",
        "2026-12-02T10:00:00+03:00",
        "2026-12-02T07:00:00Z",
    ] {
        assert_eq!(parse_date(s), Some(want), "{s}");
    }
    assert_eq!(parse_date("вчера"), None);
    assert_eq!(parse_date(""), None);
    let now = datetime!(2026-12-01 12:00:00 UTC);
    assert_eq!(published(Some(want), now), now, "no story from the future");
    assert_eq!(published(None, now), now);
    assert_eq!(
        day_of(datetime!(2026-12-01 22:30:00 UTC)),
        time::macros::date!(2026 - 12 - 02)
    );
}

#[test]
fn entity_keys_round_trip() {
    for e in [
        Entity::Region,
        Entity::Municipality("abinsky".into()),
        Entity::Organisation("min-health".into()),
        Entity::Official(7),
        Entity::Project(12),
    ] {
        assert_eq!(Entity::parse(&e.key()), Some(e));
    }
    for bad in [
        "",
        "org:",
        "org:Min",
        "official:x",
        "project:-1",
        "mun:a b",
        "nothing",
    ] {
        assert_eq!(Entity::parse(bad), None, "{bad}");
    }
    assert_eq!(
        Entity::Organisation("dep-x".into()).organisation(),
        Some("dep-x")
    );
    assert_eq!(Entity::Region.organisation(), None);
}

#[test]
fn a_spike_stands_out_from_its_month() {
    let quiet = [
        1, 0, 2, 1, 1, 0, 1, 2, 1, 1, 0, 1, 2, 1, 1, 0, 1, 1, 2, 1, 0, 1, 1, 1, 2, 1, 0, 1,
    ];
    let s = spike(&quiet, 9, 3.0, 5).expect("9 after a month of about 1 a day");
    assert_eq!(s.count, 9);
    assert!((s.mean - 0.96).abs() < 0.01, "{}", s.mean);
    assert!(s.threshold < 9.0);
    assert_eq!(spike(&quiet, 3, 3.0, 5), None, "below the minimum");
    // A busy entity needs more to stand out.
    let busy = [10, 14, 8, 12, 11, 9, 13, 10, 12, 14, 8, 9, 11, 10];
    assert_eq!(spike(&busy, 14, 3.0, 5), None);
    assert!(spike(&busy, 25, 3.0, 5).is_some());
    // Nothing before: the minimum decides.
    assert!(spike(&[], 5, 3.0, 5).is_some());
    assert!(spike(&[0; 28], 5, 3.0, 5).is_some());
    assert_eq!(spike(&[0; 28], 0, 3.0, 0), None);
}

#[test]
fn the_moving_average_trails() {
    let ma = moving_average(&[7.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 7.0, 14.0], 7);
    assert_eq!(ma[0], 7.0);
    assert_eq!(ma[1], 3.5);
    assert_eq!(ma[6], 1.0);
    assert_eq!(ma[7], 1.0);
    assert_eq!(ma[8], 3.0);
    assert!(moving_average(&[], 7).is_empty());
}

#[test]
fn a_failing_feed_waits_longer_up_to_a_cap() {
    let i = Duration::minutes(30);
    let cap = Duration::hours(12);
    assert_eq!(next_delay(i, 0, cap), i);
    assert_eq!(next_delay(i, 1, cap), Duration::hours(1));
    assert_eq!(next_delay(i, 3, cap), Duration::hours(4));
    assert_eq!(next_delay(i, 5, cap), cap);
    assert_eq!(next_delay(i, 500, cap), cap);
    assert_eq!(next_delay(Duration::hours(24), 2, cap), cap);
}

#[test]
fn kinds_and_tones_parse_their_own_names() {
    for k in SourceKind::ALL {
        assert_eq!(SourceKind::parse(k.as_str()), Some(k));
    }
    for t in Tone::ALL {
        assert_eq!(Tone::parse(t.as_str()), Some(t));
    }
    assert_eq!(Tone::parse("good"), None);
}
