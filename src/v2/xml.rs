//! v2 XML bodies.
//!
//! [`to_xml`] writes `<xml><name>value</name>…</xml>`: names sorted, no whitespace, values
//! escaped as entities (`&amp;`, `&lt;`, `&gt;`, and `&#13;` for CR so it survives end-of-line
//! normalisation). No CDATA, so a value containing `]]>` or `</x><y>` can never close an element.
//!
//! [`parse`] reads a flat reply into [`Fields`] with the `quick-xml` event reader (not serde, which
//! silently keeps the last of two duplicate elements): any DOCTYPE is refused (no XXE, no entity
//! bombs), only the five predefined entities and numeric character references are expanded,
//! CDATA and text are merged, text is never trimmed, a UTF-8 BOM is accepted, and nested
//! elements, duplicate names and oversized bodies are typed errors.
//!
//! **Control characters.** WeChat Pay's replies are known to carry C0 control characters (for
//! example U+0010) inside text such as `return_msg` or `err_code_des`; the official PHP SDK strips
//! them before parsing. Stripping would change the value the `sign` covers, so [`parse`] keeps
//! every C0 control character except NUL inside text values and lets the signature check decide.
//! NUL, U+FFFE, U+FFFF and (as references) unpaired surrogates are still refused, and [`to_xml`]
//! refuses every character XML 1.0 forbids.
//!
//! ```
//! use wechatpay_sansio::v2::xml;
//! let body = xml::to_xml([("mch_id", "1900000109"), ("body", "a</body><sign>X")])?;
//! assert_eq!(body, "<xml><body>a&lt;/body&gt;&lt;sign&gt;X</body><mch_id>1900000109</mch_id></xml>");
//! let fields = xml::parse(body.as_bytes())?;
//! assert_eq!(fields.get("body"), Some("a</body><sign>X"));
//! assert_eq!(fields.get("sign"), None);
//! # Ok::<(), xml::XmlError>(())
//! ```

use crate::error::{Classify, Disposition};
use crate::v2::Fields;
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use std::borrow::Cow;

mod scan;

/// Limits applied by [`parse_with_limits`].
///
/// ```
/// use wechatpay_sansio::v2::xml::XmlLimits;
/// let l = XmlLimits::default().with_max_bytes(64 * 1024).with_max_fields(64);
/// assert_eq!((l.max_bytes(), l.max_fields()), (65536, 64));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlLimits {
    max_bytes: usize,
    max_fields: usize,
}

impl Default for XmlLimits {
    /// 256 KiB (WeChat's v2 replies are a few KiB) and 256 fields.
    fn default() -> Self {
        Self {
            max_bytes: 256 * 1024,
            max_fields: 256,
        }
    }
}

impl XmlLimits {
    /// Largest accepted body in bytes.
    #[must_use]
    pub const fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Largest number of fields.
    #[must_use]
    pub const fn with_max_fields(mut self, max_fields: usize) -> Self {
        self.max_fields = max_fields;
        self
    }

    /// Largest accepted body in bytes.
    #[must_use]
    pub const fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Largest number of fields.
    #[must_use]
    pub const fn max_fields(&self) -> usize {
        self.max_fields
    }
}

/// Why a body could not be built or parsed. Messages may name elements, never quote values.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// Body larger than [`XmlLimits::max_bytes`].
    #[error("XML body of {len} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// Body length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// More fields than [`XmlLimits::max_fields`].
    #[error("XML body has more than {max} fields")]
    TooManyFields {
        /// The limit.
        max: usize,
    },
    /// The body is not valid UTF-8.
    #[error("XML body is not valid UTF-8 (first bad byte at offset {offset})")]
    InvalidUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The XML declaration names an encoding other than UTF-8.
    #[error("XML declares an encoding other than UTF-8")]
    UnsupportedEncoding,
    /// A `<!DOCTYPE …>` (the door to XXE and entity expansion bombs) is refused outright.
    #[error("DOCTYPE declarations are not allowed (XXE / entity expansion protection)")]
    Doctype,
    /// An entity other than `&amp; &lt; &gt; &quot; &apos;` and numeric references.
    #[error("unknown entity reference (only the five predefined entities and &#…; are allowed)")]
    UnknownEntity,
    /// A character that may not appear: when parsing, NUL, U+FFFE or U+FFFF anywhere, or any
    /// character XML 1.0 forbids in markup; when building, every character XML 1.0 forbids (C0
    /// controls except TAB, LF, CR; U+FFFE; U+FFFF).
    #[error("illegal character U+{code:04X} in {place}")]
    IllegalCharacter {
        /// The code point.
        code: u32,
        /// Where: a field name or "markup".
        place: String,
    },
    /// An element inside a field: v2 replies are flat.
    #[error("nested element inside <{0}>: v2 bodies are flat")]
    Nested(String),
    /// The same element name twice.
    #[error("duplicate element <{0}>")]
    Duplicate(String),
    /// Text directly inside the root element, or content after it.
    #[error("unexpected text or content outside a field element")]
    UnexpectedContent,
    /// A processing instruction other than the XML declaration.
    #[error("processing instructions are not allowed")]
    ProcessingInstruction,
    /// No root element.
    #[error("empty document: no root element")]
    Empty,
    /// The document ends before the root element is closed.
    #[error("truncated XML: the document ends inside an element")]
    Truncated,
    /// The XML is not well-formed.
    #[error("malformed XML at byte {position}")]
    Syntax {
        /// Byte offset where the reader stopped.
        position: u64,
    },
    /// A field name that is not a plain XML name (`[A-Za-z_][A-Za-z0-9_.-]*`), when building.
    #[error("invalid element name {0:?}")]
    InvalidName(String),
}

impl Classify for XmlError {
    /// A body that cannot be built ([`XmlError::InvalidName`], or any error from [`to_xml`]) is
    /// the caller's; a received body that cannot be parsed is [`Disposition::Untrusted`]. As the
    /// enum cannot tell which side produced it, building errors are `InvalidName` only: the
    /// rest is classified as received.
    fn disposition(&self) -> Disposition {
        match self {
            Self::InvalidName(_) => Disposition::Misconfigured,
            _ => Disposition::Untrusted,
        }
    }
}

fn short(name: &str) -> String {
    name.chars().take(64).collect()
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// What a received text value may hold: everything but NUL, U+FFFE and U+FFFF (C0 controls
/// are kept: real replies carry them, and the sign covers them).
fn is_reply_text_char(c: char) -> bool {
    !matches!(c, '\0' | '\u{FFFE}' | '\u{FFFF}')
}

fn check_chars(s: &str, place: &str) -> Result<(), XmlError> {
    // Printable ASCII, TAB, LF and CR are all XML characters: the common case is one pass over
    // the bytes (vectorised: no early exit), the character walk only for the rest.
    let plain = s.bytes().fold(true, |ok, b| {
        ok & (matches!(b, 0x20..=0x7F) | (b == b'\t') | (b == b'\n') | (b == b'\r'))
    });
    if plain {
        return Ok(());
    }
    check_chars_with(s, place, is_xml_char)
}

fn check_chars_with(s: &str, place: &str, ok: fn(char) -> bool) -> Result<(), XmlError> {
    match s.chars().find(|&c| !ok(c)) {
        Some(c) => Err(XmlError::IllegalCharacter {
            code: u32::from(c),
            place: short(place),
        }),
        None => Ok(()),
    }
}

/// Whether `name` can be written as a v2 element name.
#[must_use]
pub(crate) fn is_valid_name(name: &str) -> bool {
    let mut b = name.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// Build `<xml>…</xml>` from `(name, value)` pairs, sorted by name.
///
/// The output is sized exactly before it is written (one allocation for up to 32 fields; the
/// sort happens on the stack).
///
/// # Errors
/// [`XmlError::InvalidName`], [`XmlError::Duplicate`], [`XmlError::IllegalCharacter`].
pub fn to_xml<'a, I>(pairs: I) -> Result<String, XmlError>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut pairs: crate::v2::sign::SmallPairs<'a> = pairs.into_iter().collect();
    let pairs = pairs.sorted();
    let mut cap = 11; // <xml></xml>
    for (i, (k, v)) in pairs.iter().enumerate() {
        if !is_valid_name(k) {
            return Err(XmlError::InvalidName(short(k)));
        }
        if i > 0 && pairs[i - 1].0 == *k {
            return Err(XmlError::Duplicate(short(k)));
        }
        check_chars(v, k)?;
        cap += 2 * k.len() + 5 + escaped_len(v);
    }
    let mut out = String::with_capacity(cap);
    out.push_str("<xml>");
    for (k, v) in pairs {
        out.push('<');
        out.push_str(k);
        out.push('>');
        escape_into(v, escaped_len(v), &mut out);
        out.push_str("</");
        out.push_str(k);
        out.push('>');
    }
    out.push_str("</xml>");
    debug_assert_eq!(out.len(), cap);
    Ok(out)
}

/// Length of `v` once escaped by [`escape_into`].
fn escaped_len(v: &str) -> usize {
    /// How many bytes escaping adds for each byte value: `&` and CR 4, `<` and `>` 3.
    const EXTRA: [u8; 256] = {
        let mut t = [0u8; 256];
        t[b'&' as usize] = 4;
        t[b'\r' as usize] = 4;
        t[b'<' as usize] = 3;
        t[b'>' as usize] = 3;
        t
    };
    v.len()
        + v.bytes()
            .map(|b| usize::from(EXTRA[usize::from(b)]))
            .sum::<usize>()
}

/// Append `v` escaped; `escaped_len` is [`escaped_len`]`(v)`.
fn escape_into(v: &str, escaped_len: usize, out: &mut String) {
    if escaped_len == v.len() {
        return out.push_str(v);
    }
    let mut last = 0;
    // Byte positions: the four characters are ASCII, never part of a multi-byte sequence.
    for (i, b) in v.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\r' => "&#13;",
            _ => continue,
        };
        out.push_str(&v[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&v[last..]);
}

/// Parse a flat v2 body with the default [`XmlLimits`].
///
/// # Errors
/// See [`XmlError`].
pub fn parse(body: &[u8]) -> Result<Fields<'_>, XmlError> {
    parse_with_limits(body, &XmlLimits::default())
}

/// The text of one field while it is read: nothing yet, one borrowed piece, or several merged.
enum Value<'a> {
    Empty,
    One(Cow<'a, str>),
    Many(String),
}

impl<'a> Value<'a> {
    /// Append a piece of text or CDATA. `rest` bounds the length of what may still follow (see
    /// [`rest_of_content`]): the merged copy is sized once.
    fn push(self, piece: Cow<'a, str>, rest: impl FnOnce() -> usize) -> Self {
        match self {
            Self::Empty => Self::One(piece),
            other => other.append(&piece, rest),
        }
    }

    /// Append text that does not borrow from the body (an expanded reference).
    fn append(self, piece: &str, rest: impl FnOnce() -> usize) -> Self {
        let merged = |first: &str| {
            let mut s = String::with_capacity(first.len() + piece.len() + rest());
            s.push_str(first);
            s.push_str(piece);
            s
        };
        match self {
            Self::Empty => Self::Many(merged("")),
            Self::One(first) => Self::Many(merged(&first)),
            Self::Many(mut s) => {
                s.push_str(piece);
                Self::Many(s)
            }
        }
    }

    fn into_cow(self) -> Cow<'a, str> {
        match self {
            Self::Empty => Cow::Borrowed(""),
            Self::One(c) => c,
            Self::Many(s) => Cow::Owned(s),
        }
    }
}

/// The bytes from `pos` to the next `</`: everything that can still join the current value is
/// in there, and expanding it only shrinks it (a reference is longer than its character; CDATA
/// markers and normalised CRs are dropped). A CDATA section containing `</` makes this short,
/// which costs a reallocation, nothing else.
fn rest_of_content(text: &str, pos: u64) -> usize {
    usize::try_from(pos)
        .ok()
        .and_then(|p| text.get(p..))
        .and_then(|t| t.find("</"))
        .unwrap_or(0)
}

/// `part` as a slice of `input` with `input`'s lifetime, when `part` lies inside it (the names
/// quick-xml hands out borrow the input, under a shorter lifetime); otherwise a copy.
fn reborrow<'a>(input: &'a str, part: &str) -> Cow<'a, str> {
    let offset = (part.as_ptr() as usize).wrapping_sub(input.as_ptr() as usize);
    match input.get(offset..offset.wrapping_add(part.len())) {
        Some(s) if s.as_ptr() == part.as_ptr() => Cow::Borrowed(s),
        _ => Cow::Owned(part.to_owned()),
    }
}

/// The number of `<` in `b` (a sum, not a filtered count, so that it vectorises).
fn count_lt(b: &[u8]) -> usize {
    b.iter().map(|&c| usize::from(c == b'<')).sum()
}

/// Parse a flat v2 body: `<root><name>value</name>…</root>`; the root's name is not checked.
///
/// Names and values borrow from `body` (no allocation per field); a value is copied only when it
/// contains an entity or character reference, mixes CDATA and text, or needs end-of-line
/// normalisation (a CR). A body of the common shape (no declaration, comment, reference or CR;
/// one text or CDATA section per field) is read by a direct scan and allocates once, for the
/// `Fields` vector; any other body is read with quick-xml's event reader, which applies every
/// check above. Both give the same fields for every body the scan accepts.
///
/// # Errors
/// See [`XmlError`].
pub fn parse_with_limits<'a>(body: &'a [u8], limits: &XmlLimits) -> Result<Fields<'a>, XmlError> {
    if body.len() > limits.max_bytes {
        return Err(XmlError::TooLarge {
            len: body.len(),
            max: limits.max_bytes,
        });
    }
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let text = core::str::from_utf8(body).map_err(|e| XmlError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })?;
    match scan::parse_plain(text, limits) {
        Some(fields) => Ok(fields),
        None => parse_events(text, limits),
    }
}

/// Whether the fast path and quick-xml agree on `body`: when [`scan::parse_plain`] accepts it, the
/// event reader must accept it too, with the same fields in the same order. (The fuzz target
/// `v2_xml_parse` asserts this on every input.)
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn paths_agree(body: &[u8]) -> bool {
    let limits = XmlLimits::default();
    if body.len() > limits.max_bytes {
        return true;
    }
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let Ok(text) = core::str::from_utf8(body) else {
        return true;
    };
    match scan::parse_plain(text, &limits) {
        None => true,
        Some(plain) => parse_events(text, &limits).is_ok_and(|full| plain.iter().eq(full.iter())),
    }
}

/// [`parse_with_limits`] after the size and UTF-8 checks, with quick-xml's event reader.
fn parse_events<'a>(text: &'a str, limits: &XmlLimits) -> Result<Fields<'a>, XmlError> {
    let mut reader = Reader::from_str(text);
    let cfg = reader.config_mut();
    cfg.trim_text(false);
    // End names are checked below against the one open field or the root. (quick-xml keeps
    // its stack of open names even so: two to four allocations per document.)
    cfg.check_end_names = false;
    cfg.expand_empty_elements = false;

    enum State<'a> {
        BeforeRoot,
        InRoot(Cow<'a, str>),
        InField(Cow<'a, str>, Cow<'a, str>, Value<'a>),
        AfterRoot,
    }
    let mut state = State::BeforeRoot;
    // One allocation: at most one field per `<` (counting `</` with `str::matches` cost a tenth
    // of the parse).
    let expected = count_lt(text.as_bytes()).min(limits.max_fields);
    let mut fields = Fields::with_capacity(expected);
    let syntax = |r: &Reader<&[u8]>| XmlError::Syntax {
        position: r.buffer_position(),
    };

    loop {
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(quick_xml::Error::Escape(_)) => return Err(XmlError::UnknownEntity),
            Err(_) => return Err(syntax(&reader)),
        };
        state = match (state, event) {
            (_, Event::DocType(_)) => return Err(XmlError::Doctype),
            (_, Event::PI(_)) => return Err(XmlError::ProcessingInstruction),
            (s, Event::Comment(_)) => s,
            (State::BeforeRoot, Event::Decl(d)) => {
                if let Some(enc) = d.encoding() {
                    let enc = enc.map_err(|_| syntax(&reader))?;
                    if !enc.eq_ignore_ascii_case("utf-8") && !enc.eq_ignore_ascii_case("utf8") {
                        return Err(XmlError::UnsupportedEncoding);
                    }
                }
                State::BeforeRoot
            }
            (State::BeforeRoot, Event::Start(e)) => {
                State::InRoot(element_name(text, e.name().as_ref())?)
            }
            (State::BeforeRoot, Event::Empty(_)) => State::AfterRoot,
            (s @ (State::BeforeRoot | State::InRoot(_) | State::AfterRoot), Event::Text(t))
                if t.as_ref().bytes().all(|b| b.is_ascii_whitespace()) =>
            {
                s
            }
            (State::InRoot(root), Event::Start(e)) => {
                let name = element_name(text, e.name().as_ref())?;
                State::InField(root, name, Value::Empty)
            }
            (State::InRoot(root), Event::Empty(e)) => {
                let name = element_name(text, e.name().as_ref())?;
                push(&mut fields, name, Cow::Borrowed(""), limits)?;
                State::InRoot(root)
            }
            (State::InRoot(root), Event::End(e)) => {
                if e.name().as_ref() != root.as_ref() {
                    return Err(syntax(&reader));
                }
                State::AfterRoot
            }
            (State::InField(root, name, value), Event::Text(t)) => {
                let rest = || rest_of_content(text, reader.buffer_position());
                State::InField(root, name, value.push(t.xml10_content(), rest))
            }
            (State::InField(root, name, value), Event::CData(c)) => {
                let rest = || rest_of_content(text, reader.buffer_position());
                State::InField(root, name, value.push(c.xml10_content(), rest))
            }
            (State::InField(root, name, value), Event::GeneralRef(r)) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => match r.as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        _ => return Err(XmlError::UnknownEntity),
                    },
                    Err(_) => return Err(XmlError::UnknownEntity),
                };
                let mut buf = [0u8; 4];
                let rest = || rest_of_content(text, reader.buffer_position());
                State::InField(root, name, value.append(c.encode_utf8(&mut buf), rest))
            }
            (State::InField(_, name, _), Event::Start(_) | Event::Empty(_)) => {
                return Err(XmlError::Nested(short(&name)));
            }
            (State::InField(root, name, value), Event::End(e)) => {
                if e.name().as_ref() != name.as_ref() {
                    return Err(syntax(&reader));
                }
                let value = value.into_cow();
                check_chars_with(&value, &name, is_reply_text_char)?;
                push(&mut fields, name, value, limits)?;
                State::InRoot(root)
            }
            (State::BeforeRoot, Event::Eof) => return Err(XmlError::Empty),
            (State::AfterRoot, Event::Eof) => return Ok(fields),
            (_, Event::Eof) => return Err(XmlError::Truncated),
            (_, Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)) => {
                return Err(XmlError::UnexpectedContent);
            }
            (State::AfterRoot, Event::Start(_) | Event::Empty(_)) => {
                return Err(XmlError::UnexpectedContent);
            }
            (_, Event::Decl(_) | Event::End(_)) => return Err(syntax(&reader)),
        };
    }
}

fn element_name<'a>(input: &'a str, name: &str) -> Result<Cow<'a, str>, XmlError> {
    check_chars(name, "markup")?;
    Ok(reborrow(input, name))
}

fn push<'a>(
    fields: &mut Fields<'a>,
    name: Cow<'a, str>,
    value: Cow<'a, str>,
    limits: &XmlLimits,
) -> Result<(), XmlError> {
    if fields.len() >= limits.max_fields {
        return Err(XmlError::TooManyFields {
            max: limits.max_fields,
        });
    }
    fields
        .insert(name, value)
        .map_err(|d| XmlError::Duplicate(d.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cdata_text_entities_and_bom() {
        let f = parse(
            "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xml>\n  <a><![CDATA[x<y]]>&amp;z&#x41;&#66;</a>\n  <b> keep spaces </b><c/><!-- c --><d></d></xml>\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(f.get("a"), Some("x<y&zAB"));
        assert_eq!(f.get("b"), Some(" keep spaces "));
        assert_eq!(f.get("c"), Some(""));
        assert_eq!(f.get("d"), Some(""));
        assert_eq!(f.len(), 4);
    }

    #[test]
    fn wechatpy_style_body() {
        let body = "<xml>\n<test1><![CDATA[test1]]></test1>\n<test2><![CDATA[test2]]></test2>\n<sign><![CDATA[1E3A8D73B5A4AEE787C0F68B5DAB8520]]></sign>\n</xml>";
        let f = parse(body.as_bytes()).unwrap();
        assert_eq!(f.get("sign"), Some("1E3A8D73B5A4AEE787C0F68B5DAB8520"));
    }

    #[test]
    fn hostile_inputs() {
        let xxe = br#"<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><a>&xxe;</a></xml>"#;
        assert_eq!(parse(xxe), Err(XmlError::Doctype));
        assert_eq!(
            parse(b"<xml><a>&xxe;</a></xml>"),
            Err(XmlError::UnknownEntity)
        );
        assert_eq!(
            parse(b"<xml><a>1</a><a>2</a></xml>"),
            Err(XmlError::Duplicate("a".into()))
        );
        assert_eq!(
            parse(b"<xml><a><b>1</b></a></xml>"),
            Err(XmlError::Nested("a".into()))
        );
        assert_eq!(parse(b"<xml><a>1</a>"), Err(XmlError::Truncated));
        assert_eq!(parse(b""), Err(XmlError::Empty));
        assert_eq!(parse(b"   "), Err(XmlError::Empty));
        assert_eq!(parse(b"<xml>text</xml>"), Err(XmlError::UnexpectedContent));
        assert_eq!(
            parse(b"<xml><![CDATA[2>1<0]]></xml>"),
            Err(XmlError::UnexpectedContent)
        );
        assert_eq!(parse(b"<xml></xml><b/>"), Err(XmlError::UnexpectedContent));
        assert_eq!(parse(b"<xml></xml>junk"), Err(XmlError::UnexpectedContent));
        assert_eq!(
            parse(b"<xml><?pi x?></xml>"),
            Err(XmlError::ProcessingInstruction)
        );
        assert_eq!(
            parse(b"<xml><a>\xff</a></xml>"),
            Err(XmlError::InvalidUtf8 { offset: 8 })
        );
        // C0 controls other than NUL are kept (real replies carry them); NUL is refused.
        assert_eq!(
            parse(b"<xml><a>\x01</a></xml>").unwrap().get("a"),
            Some("\u{1}")
        );
        assert_eq!(
            parse(b"<xml><a>\x00</a></xml>"),
            Err(XmlError::IllegalCharacter {
                code: 0,
                place: "a".into()
            })
        );
        assert!(matches!(
            parse("<xml><a>\u{FFFE}</a></xml>".as_bytes()),
            Err(XmlError::IllegalCharacter { code: 0xFFFE, .. })
        ));
        assert!(matches!(
            parse(b"<xml><a\x01>1</a\x01></xml>"),
            Err(XmlError::IllegalCharacter { .. } | XmlError::Syntax { .. })
        ));
        assert_eq!(
            parse(b"<xml><a>&#0;</a></xml>"),
            Err(XmlError::UnknownEntity)
        );
        assert_eq!(
            parse(b"<xml><a>&#1;</a></xml>").unwrap().get("a"),
            Some("\u{1}")
        );
        assert_eq!(
            parse(b"<xml><a>&#xD800;</a></xml>"),
            Err(XmlError::UnknownEntity)
        );
        assert!(matches!(
            parse(b"<xml><a>1</b></xml>"),
            Err(XmlError::Syntax { .. })
        ));
        assert_eq!(
            parse(br#"<?xml version="1.0" encoding="GBK"?><xml/>"#),
            Err(XmlError::UnsupportedEncoding)
        );
        let limits = XmlLimits::default().with_max_bytes(10).with_max_fields(1);
        assert_eq!(
            parse_with_limits(&[b' '; 11], &limits),
            Err(XmlError::TooLarge { len: 11, max: 10 })
        );
        let limits = XmlLimits::default().with_max_bytes(100).with_max_fields(1);
        assert_eq!(
            parse_with_limits(b"<xml><a/><b/></xml>", &limits),
            Err(XmlError::TooManyFields { max: 1 })
        );
        let deep = "<a>".repeat(10_000);
        assert_eq!(parse(deep.as_bytes()), Err(XmlError::Nested("a".into())));
        let laughs =
            br#"<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><xml><x>&b;</x></xml>"#;
        assert_eq!(parse(laughs), Err(XmlError::Doctype));
    }

    #[test]
    fn builder_escapes_and_refuses() {
        assert_eq!(
            to_xml([("a", "]]><b>&\r")]).unwrap(),
            "<xml><a>]]&gt;&lt;b&gt;&amp;&#13;</a></xml>"
        );
        assert_eq!(
            to_xml([("a b", "1")]),
            Err(XmlError::InvalidName("a b".into()))
        );
        assert_eq!(
            to_xml([("1a", "1")]),
            Err(XmlError::InvalidName("1a".into()))
        );
        assert_eq!(
            to_xml([("a", "1"), ("a", "2")]),
            Err(XmlError::Duplicate("a".into()))
        );
        assert!(matches!(
            to_xml([("a", "\0")]),
            Err(XmlError::IllegalCharacter { code: 0, .. })
        ));
        assert_eq!(to_xml([]).unwrap(), "<xml></xml>");
        assert_eq!(parse(b"<xml></xml>").unwrap().len(), 0);
        for v in [
            "",
            "2>1<0",
            "</x><y>",
            "]]>",
            "a\r\nb",
            "中文 & \"quotes\" 'x'",
            "\t",
        ] {
            let x = to_xml([("k", v)]).unwrap();
            assert_eq!(parse(x.as_bytes()).unwrap().get("k"), Some(v), "{v:?}");
        }
        assert!(!is_valid_name(""));
    }
}
