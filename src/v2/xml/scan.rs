//! The direct scan of the common reply shape: the fast path of
//! [`parse_with_limits`](super::parse_with_limits) (a 15-field reply: 7.19 µs through quick-xml,
//! 1.52 µs with the scan, about 4.7x; BENCHMARKS.md, "How `parse` got there").
//!
//! [`parse_plain`] either returns exactly the fields the quick-xml path would, or `None` and the
//! body is read by quick-xml. The proptest below generates flat documents (CDATA, references,
//! whitespace, control characters, odd names, duplicates, nesting, declarations) and checks that
//! the two paths never disagree.

use super::{XmlLimits, count_lt};
use crate::v2::Fields;

/// Whitespace allowed around elements by [`parse_plain`] (a subset of what
/// [`parse_with_limits`](super::parse_with_limits) skips).
fn is_plain_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// A plain element name for [`parse_plain`]: ASCII letters, digits, `_ : . -` (quick-xml reads
/// the same bytes as the name, and every one passes [`check_chars`](super::check_chars)).
fn is_plain_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'.' | b'-')
}

/// Whether `v` can be a field's value exactly as written: no reference to expand (`&`), no CR
/// to normalise, no character [`is_reply_text_char`](super::is_reply_text_char) refuses (NUL, U+FFFE, U+FFFF; the latter
/// two are `EF BF BE` and `EF BF BF` in UTF-8).
fn is_plain_value(v: &[u8], in_cdata: bool) -> bool {
    // One vectorised pass (no early exit) finds whether any suspect byte occurs at all.
    let suspect = v.iter().fold(false, |acc, &b| {
        acc | (b == 0) | (b == b'\r') | ((b == b'&') & !in_cdata) | (b == 0xEF)
    });
    if !suspect {
        return true;
    }
    let mut i = 0;
    while let Some(&b) = v.get(i) {
        match b {
            0 | b'\r' => return false,
            b'&' if !in_cdata => return false,
            0xEF if v.get(i + 1) == Some(&0xBF) && matches!(v.get(i + 2), Some(0xBE | 0xBF)) => {
                return false;
            }
            _ => {}
        }
        i += 1;
    }
    true
}

/// The common shape of a reply, read without quick-xml: an optional UTF-8 XML declaration in
/// one of its usual spellings, optional whitespace, `<root>`, then
/// fields `<name>text</name>`, `<name><![CDATA[text]]></name>` or `<name/>` separated by
/// whitespace, `</root>`, optional whitespace; plain names; values that need no expansion or
/// normalisation. Names and values borrow from `text`, and the only allocation is the
/// `Fields` vector (quick-xml's reader allocates four times per document for its stack of open
/// names, which this shape does not need).
///
/// Anything else — another declaration, a comment, an entity, a CR in a value, mixed text and
/// CDATA, a duplicate,
/// too many fields, any error — returns `None` and [`parse_with_limits`](super::parse_with_limits) reads the body with
/// quick-xml, which applies every check and reports the error. What this function accepts,
/// the quick-xml path accepts with the same fields, and [`parse_with_limits`](super::parse_with_limits)
/// returns what quick-xml alone would (the proptest `tests::scan_and_quick_xml_agree`).
pub(super) fn parse_plain<'a>(text: &'a str, limits: &XmlLimits) -> Option<Fields<'a>> {
    let b = text.as_bytes();
    let mut pos = 0;
    let skip_space = |mut pos: usize| {
        while b.get(pos).is_some_and(|&c| is_plain_space(c)) {
            pos += 1;
        }
        pos
    };
    // `<name` at `pos` (the `<` already checked): the name and the position after it.
    let name_at = |pos: usize| {
        let len = b
            .get(pos..)?
            .iter()
            .take_while(|&&c| is_plain_name_byte(c))
            .count();
        (len > 0).then(|| (&text[pos..pos + len], pos + len))
    };
    // `</name>` at `pos`: the position after it.
    let end_tag = |pos: usize, name: &str| {
        let rest = b.get(pos..)?;
        let after = rest
            .strip_prefix(b"</")?
            .strip_prefix(name.as_bytes())?
            .strip_prefix(b">")?;
        Some(b.len() - after.len())
    };

    // The declarations WeChat Pay and the SDKs write, byte for byte; any other goes to quick-xml.
    for decl in [
        &b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"[..],
        b"<?xml version=\"1.0\" encoding=\"utf-8\"?>",
        b"<?xml version=\"1.0\"?>",
    ] {
        if b.starts_with(decl) {
            pos = decl.len();
            break;
        }
    }
    pos = skip_space(pos);
    if b.get(pos) != Some(&b'<') {
        return None;
    }
    let (root, after) = name_at(pos + 1)?;
    if b.get(after) != Some(&b'>') {
        return None;
    }
    pos = after + 1;
    // At most one field per `<` after the root's.
    let upper = count_lt(b).saturating_sub(2);
    let mut fields = Fields::with_capacity(upper.min(limits.max_fields));
    loop {
        pos = skip_space(pos);
        if let Some(end) = end_tag(pos, root) {
            return (skip_space(end) == b.len()).then_some(fields);
        }
        if b.get(pos) != Some(&b'<') {
            return None;
        }
        let (name, after) = name_at(pos + 1)?;
        let value = match b.get(after..after + 2)? {
            b"/>" => {
                pos = after + 2;
                ""
            }
            [b'>', _] => {
                let start = after + 1;
                let in_cdata = b[start..].starts_with(b"<![CDATA[");
                let (value, end) = if in_cdata {
                    // One CDATA section and nothing else (the end tag must follow).
                    let inner = start + b"<![CDATA[".len();
                    let len = text[inner..].find("]]>")?;
                    (&text[inner..inner + len], inner + len + b"]]>".len())
                } else {
                    let len = text[start..].find('<')?;
                    (&text[start..start + len], start + len)
                };
                if !is_plain_value(value.as_bytes(), in_cdata) {
                    return None;
                }
                pos = end_tag(end, name)?;
                value
            }
            _ => return None,
        };
        if fields.len() >= limits.max_fields {
            return None;
        }
        fields.insert(name, value).ok()?;
    }
}

#[cfg(test)]
mod tests {
    use super::super::{XmlError, parse_events, parse_with_limits};
    use super::*;
    use proptest::prelude::*;
    use proptest::strategy::ValueTree as _;
    use proptest::test_runner::TestRunner;

    /// Two suspect bytes in one value must not cancel out in the vectorised pre-check (an XOR
    /// where an OR belongs would let `&amp;&amp;`, CR pairs, NUL pairs and two U+FFFF through
    /// raw), and an empty element name is not a name. Each of these leaves the fast path, and
    /// the whole parser gives quick-xml's answer. (Found by mutation testing.)
    #[test]
    fn suspect_bytes_in_pairs_and_empty_names_leave_the_fast_path() {
        let limits = XmlLimits::default();
        for body in [
            "<xml><a>x&amp;&amp;y</a></xml>",
            "<xml><a>&amp;&lt;</a></xml>",
            "<xml><a>x\r\ry</a></xml>",
            "<xml><a>x\r\r\r\ry</a></xml>",
            "<xml><a>x\0\0y</a></xml>",
            "<xml><a>\u{FFFF}\u{FFFF}</a></xml>",
            "<xml><a>\u{FFFE}\u{FFFE}</a></xml>",
            "<xml><a>&amp;\r</a></xml>",
            "<xml><a>\0\r</a></xml>",
            "<xml><a>\0&amp;</a></xml>",
            "<xml><a>\u{FFFF}&amp;</a></xml>",
            "<xml><a>\u{FFFF}\r</a></xml>",
            "<xml><a>\u{FFFF}\0</a></xml>",
            "<xml><a>&</a></xml>",
            "<xml><a>x&y</a></xml>",
            "<xml><></></xml>",
            "<xml></></xml>",
        ] {
            assert!(
                parse_plain(body, &limits).is_none(),
                "fast path took {body:?}"
            );
            assert_eq!(
                parse_with_limits(body.as_bytes(), &limits).map(|f| pairs(&f)),
                parse_events(body, &limits).map(|f| pairs(&f)),
                "{body:?}"
            );
        }
        let f = parse_with_limits(b"<xml><a>x&amp;&amp;y</a></xml>", &limits).unwrap();
        assert_eq!(f.get("a"), Some("x&&y"));
        // In CDATA `&` is plain; the pre-check still sees the other suspects.
        assert!(parse_plain("<xml><a><![CDATA[a&&b]]></a></xml>", &limits).is_some());
        assert!(parse_plain("<xml><a><![CDATA[\0\0]]></a></xml>", &limits).is_none());
    }

    fn pairs(f: &Fields<'_>) -> Vec<(String, String)> {
        f.iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    /// Element names: mostly plain ones the scan takes (some from a small pool, so that
    /// duplicates occur), sometimes odd ones: leading digit, non-ASCII, a space, a quote, empty.
    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            1 => prop::sample::select(&["a", "b", "sign", "xml", "x:y", "A.b-c_d", "1w"][..])
                .prop_map(str::to_owned),
            12 => "[A-Za-z_:][A-Za-z0-9_:.-]{0,6}",
            1 => prop::sample::select(&["é", "中", "a b", "a\"b", "", "a&", "-x", "a/"][..])
                .prop_map(str::to_owned),
        ]
    }

    /// Text and CDATA content: plain characters, whitespace, references (good and bogus), markup
    /// characters, CR, every C0 control, NUL, U+FFFE / U+FFFF, non-ASCII.
    fn content() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            20 => "[a-z0-9 =,.]{1,4}",
            1 => prop::sample::select(
                &[
                    "&amp;", "&lt;", "&#65;", "&#x41;", "&#0;", "&#xD800;", "&bogus;", "&", "<",
                    ">", "]]>", "]]", "\r", "\r\n", "\n", "\t", " ", "\0", "\u{FFFE}",
                    "\u{FFFF}", "\u{FFFD}", "\u{FEFF}", "中文，全角", "<![CDATA[", "</",
                ][..],
            )
            .prop_map(str::to_owned),
            1 => (0u8..0x20).prop_map(|c| char::from(c).to_string()),
        ];
        prop::collection::vec(piece, 0..4).prop_map(|v| v.concat())
    }

    /// One child of the root: mostly the shapes the scan takes, sometimes one it leaves to
    /// quick-xml (mixed text and CDATA, nesting, comments, processing instructions, attributes,
    /// spaces in tags, wrong end names) or one nobody accepts.
    fn field() -> impl Strategy<Value = String> {
        let odd = prop_oneof![
            (name(), content(), content())
                .prop_map(|(n, a, b)| format!("<{n}>{a}<![CDATA[{b}]]>{a}</{n}>")),
            (name(), name(), content()).prop_map(|(n, m, v)| format!("<{n}><{m}>{v}</{m}></{n}>")),
            (name(), name(), content()).prop_map(|(n, m, v)| format!("<{n}>{v}</{m}>")),
            (name(), content()).prop_map(|(n, v)| format!("<{n} >{v}</{n} >")),
            (name(), content()).prop_map(|(n, v)| format!("<{n} a=\"1\">{v}</{n}>")),
            prop::sample::select(&["<!-- c -->", "<?pi x?>", "text", "<![CDATA[x]]>", "\u{c}"][..])
                .prop_map(str::to_owned),
        ];
        prop_oneof![
            16 => (name(), content()).prop_map(|(n, v)| format!("<{n}>{v}</{n}>")),
            6 => (name(), content()).prop_map(|(n, v)| format!("<{n}><![CDATA[{v}]]></{n}>")),
            3 => name().prop_map(|n| format!("<{n}/>")),
            2 => name().prop_map(|n| format!("<{n}></{n}>")),
            4 => prop::sample::select(&["\n", " ", "\t", "\r\n", "\n  "][..])
                .prop_map(str::to_owned),
            1 => odd,
        ]
    }

    /// A flat document: leading bytes, a declaration (the spellings the scan knows and others),
    /// the root (sometimes with an attribute or a space in a tag), up to 7 children, the root's end tag (sometimes a wrong one), trailing bytes.
    fn document() -> impl Strategy<Value = String> {
        let lead = prop::sample::select(
            &[
                "", "", "", "", "", "", "\n", " ", "\u{c}", "\r\n", "\u{FEFF}",
            ][..],
        );
        let decl = prop::sample::select(
            &[
                "",
                "",
                "",
                "",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n",
                "<?xml version=\"1.0\"?>",
                "<?xml version='1.0'?>",
                "<?xml version=\"1.0\" encoding=\"GBK\"?>",
                "<!DOCTYPE xml>",
                "<!-- c -->",
            ][..],
        );
        let root = prop_oneof![
            6 => Just(("xml".to_owned(), "xml".to_owned())),
            1 => name().prop_map(|n| (n.clone(), n)),
            1 => (name(), name()),
            1 => prop::sample::select(&[("xml a=\"1\"", "xml"), ("xml", "xml "), ("xml ", "xml")][..])
                .prop_map(|(o, c)| (o.to_owned(), c.to_owned())),
        ];
        let trail = prop::sample::select(
            &[
                "", "", "", "", "", "\n", "\r\n", " junk", "<b/>", "<!--c-->",
            ][..],
        );
        (
            lead,
            decl,
            root,
            prop::collection::vec(field(), 0..8),
            trail,
        )
            .prop_map(|(lead, decl, (open, close), fields, trail)| {
                format!("{lead}{decl}<{open}>{}</{close}>{trail}", fields.concat())
            })
    }

    /// A document, sometimes with a few bytes replaced, inserted or removed.
    fn body() -> impl Strategy<Value = Vec<u8>> {
        let edit = (
            any::<prop::sample::Index>(),
            prop::sample::select(&b"<>/&!?[]x \r\0"[..]),
            0u8..3,
        );
        let edits = prop_oneof![4 => Just(Vec::new()), 1 => prop::collection::vec(edit, 1..3)];
        (document(), edits).prop_map(|(doc, edits)| {
            let mut bytes = doc.into_bytes();
            for (at, b, op) in edits {
                if bytes.is_empty() {
                    break;
                }
                let at = at.index(bytes.len());
                match op {
                    0 => bytes[at] = b,
                    1 => bytes.insert(at, b),
                    _ => {
                        bytes.remove(at);
                    }
                }
            }
            bytes
        })
    }

    /// The limits used: the defaults, and a field cap the documents often exceed.
    fn limits(small: bool) -> XmlLimits {
        if small {
            XmlLimits::default().with_max_fields(3)
        } else {
            XmlLimits::default()
        }
    }

    /// What the quick-xml path alone says about `body`, after the checks `parse_with_limits`
    /// makes first.
    fn quick_xml_only(body: &[u8], lim: &XmlLimits) -> Result<Vec<(String, String)>, XmlError> {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        match core::str::from_utf8(body) {
            Ok(text) => parse_events(text, lim).map(|f| pairs(&f)),
            Err(e) => Err(XmlError::InvalidUtf8 {
                offset: e.valid_up_to(),
            }),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

        /// The scan never changes an outcome: `parse_with_limits` (scan first) accepts and
        /// rejects exactly what quick-xml alone does, with the same fields in the same order
        /// and the same error; and whatever the scan accepts, quick-xml accepts identically.
        #[test]
        fn scan_and_quick_xml_agree(body in body(), small in any::<bool>()) {
            let lim = limits(small);
            let full = parse_with_limits(&body, &lim).map(|f| pairs(&f));
            prop_assert_eq!(&full, &quick_xml_only(&body, &lim));
            let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&body);
            if let Some(fast) = core::str::from_utf8(text).ok().and_then(|t| parse_plain(t, &lim)) {
                prop_assert_eq!(Ok(pairs(&fast)), full);
            }
        }
    }

    /// The generator is not vacuous: of 4096 bodies drawn as the proptest draws them, the scan
    /// takes a good share and leaves a good share to quick-xml, and both accepted and refused
    /// bodies occur among the latter.
    #[test]
    fn scan_and_quick_xml_agree_sees_both_paths() {
        let mut runner = TestRunner::deterministic();
        let strategy = body();
        let (mut scanned, mut fell_back_ok, mut refused) = (0, 0, 0);
        for _ in 0..4096 {
            let body = strategy.new_tree(&mut runner).unwrap().current();
            let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&body);
            let lim = XmlLimits::default();
            match core::str::from_utf8(text)
                .ok()
                .and_then(|t| parse_plain(t, &lim))
            {
                Some(_) => scanned += 1,
                None if parse_with_limits(&body, &lim).is_ok() => fell_back_ok += 1,
                None => refused += 1,
            }
        }
        eprintln!("scanned {scanned}, quick-xml accepted {fell_back_ok}, refused {refused}");
        assert!(
            scanned > 400 && fell_back_ok > 400 && refused > 400,
            "scanned {scanned}, quick-xml accepted {fell_back_ok}, refused {refused}"
        );
    }

    #[test]
    fn parse_plain_takes_the_common_shapes() {
        for body in [
            "<xml><a>1</a><b><![CDATA[x&y]]></b><c/></xml>",
            "\n<xml>\r\n  <a>1</a>\n\t<b></b>\n</xml>\n",
            "<xml></xml>",
            "<xml><return_msg>签名错误，请检查</return_msg></xml>",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xml><a>1</a></xml>",
        ] {
            assert!(
                parse_plain(body, &XmlLimits::default()).is_some(),
                "{body:?}"
            );
        }
        for body in [
            "<?xml version='1.0'?><xml><a>1</a></xml>",
            " <?xml version=\"1.0\"?><xml><a>1</a></xml>",
            "<?xml version=\"1.0\" encoding=\"GBK\"?><xml><a>1</a></xml>",
            "<xml><a>&amp;</a></xml>",
            "<xml><a>1\r</a></xml>",
            "<xml><a>1</a><a>2</a></xml>",
            "<xml><a><![CDATA[1]]> </a></xml>",
            "<xml/>",
            "<xml><a>\u{FFFE}</a></xml>",
        ] {
            assert!(
                parse_plain(body, &XmlLimits::default()).is_none(),
                "{body:?}"
            );
        }
        let three = XmlLimits::default().with_max_fields(2);
        assert!(parse_plain("<xml><a/><b/><c/></xml>", &three).is_none());
        assert_eq!(
            parse_with_limits(b"<xml><a/><b/><c/></xml>", &three),
            Err(XmlError::TooManyFields { max: 2 })
        );
    }
}
