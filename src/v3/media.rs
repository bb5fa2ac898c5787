//! The media-upload wire format: `POST /v3/merchant/media/upload` (images) and
//! `POST /v3/merchant/media/video_upload` (videos), official pages
//! <https://pay.weixin.qq.com/doc/v3/merchant/4012760490> and
//! <https://pay.weixin.qq.com/doc/v3/merchant/4012761084>.
//!
//! The body is `multipart/form-data` with two parts, `meta` (`Content-Type: application/json`,
//! the JSON `{"filename":"…","sha256":"…"}`, the file's SHA-256 in lower-case hex) and `file`
//! (the bytes, with their file name and type). The `Authorization` signature covers the `meta`
//! JSON as its body line, **not** the multipart body: sign with
//! [`crate::v3::request::RawRequest`] and [`crate::v3::request::SignableBody::Precomputed`].
//! The typed operations are [`crate::api::media`].
//!
//! The boundary is drawn from the caller's RNG ([`Boundary::generate`]), so a request is
//! reproducible from a seeded RNG; the body is refused if the boundary's delimiter occurs in the
//! `meta` or the file ([`MultipartError::BoundaryInContent`]: draw another one).
//!
//! ```
//! use wechatpay_sansio::v3::media::{self, Boundary, MediaKind};
//! let file = b"\xff\xd8\xff\xe0 a JPEG";
//! let meta = media::meta("a.jpg", file);
//! assert_eq!(meta, format!(r#"{{"filename":"a.jpg","sha256":"{}"}}"#, media::sha256_hex(file)));
//! let ct = MediaKind::Image.content_type("a.jpg").ok_or("not an image")?;
//! let boundary = Boundary::new("TESTONLYboundary")?;              // or Boundary::generate(&mut rng)?
//! let body = media::form_data(&boundary, &meta, "a.jpg", ct, file)?;
//! assert!(body.starts_with(b"--TESTONLYboundary\r\nContent-Disposition: form-data; name=\"meta\"\r\n"));
//! assert!(body.ends_with(b"\r\n--TESTONLYboundary--\r\n"));
//! assert_eq!(boundary.content_type(), "multipart/form-data; boundary=TESTONLYboundary");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{Classify, Disposition};
use crate::ids::Nonce;
use rand_core::TryCryptoRng;

/// The largest image `media/upload` takes: 2 MB.
pub const IMAGE_MAX_BYTES: usize = 2 * 1024 * 1024;
/// The largest video `media/video_upload` takes: 5 MB.
pub const VIDEO_MAX_BYTES: usize = 5 * 1024 * 1024;

/// Image extensions and their part `Content-Type`.
const IMAGE_TYPES: &[(&str, &str)] = &[
    ("jpg", "image/jpeg"),
    ("png", "image/png"),
    ("bmp", "image/bmp"),
];

/// Video extensions and their part `Content-Type`.
const VIDEO_TYPES: &[(&str, &str)] = &[
    ("avi", "video/x-msvideo"),
    ("wmv", "video/x-ms-wmv"),
    ("mpeg", "video/mpeg"),
    ("mp4", "video/mp4"),
    ("mov", "video/quicktime"),
    ("mkv", "video/x-matroska"),
    ("flv", "video/x-flv"),
    ("f4v", "video/x-f4v"),
    ("m4v", "video/x-m4v"),
    ("rmvb", "application/vnd.rn-realmedia-vbr"),
];

/// Which upload: the two endpoints differ in the file types and sizes they take.
///
/// ```
/// use wechatpay_sansio::v3::media::MediaKind;
/// assert_eq!(MediaKind::Image.content_type("Logo.PNG"), Some("image/png"));
/// assert_eq!(MediaKind::Video.content_type("clip.mp4"), Some("video/mp4"));
/// assert_eq!(MediaKind::Image.content_type("clip.mp4"), None);
/// assert_eq!(MediaKind::Image.max_bytes(), 2 * 1024 * 1024);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// `media/upload`: JPG, PNG, BMP, at most 2 MB.
    Image,
    /// `media/video_upload`: AVI, WMV, MPEG, MP4, MOV, MKV, FLV, F4V, M4V, RMVB, at most 5 MB.
    Video,
}

impl MediaKind {
    /// The largest file this upload takes, in bytes.
    #[must_use]
    pub const fn max_bytes(self) -> usize {
        match self {
            Self::Image => IMAGE_MAX_BYTES,
            Self::Video => VIDEO_MAX_BYTES,
        }
    }

    /// The file-name extensions this upload takes, for messages.
    #[must_use]
    pub const fn extensions(self) -> &'static str {
        match self {
            Self::Image => "jpg, png, bmp",
            Self::Video => "avi, wmv, mpeg, mp4, mov, mkv, flv, f4v, m4v, rmvb",
        }
    }

    /// The `Content-Type` of the `file` part for `filename`, by its extension (any case);
    /// `None` when this upload does not take that extension.
    #[must_use]
    pub fn content_type(self, filename: &str) -> Option<&'static str> {
        let (_, ext) = filename.rsplit_once('.')?;
        let table = match self {
            Self::Image => IMAGE_TYPES,
            Self::Video => VIDEO_TYPES,
        };
        table
            .iter()
            .find(|(e, _)| e.eq_ignore_ascii_case(ext))
            .map(|(_, ct)| *ct)
    }
}

/// The lower-case hex SHA-256 of `file`, as `meta` carries it.
///
/// ```
/// assert_eq!(wechatpay_sansio::v3::media::sha256_hex(b"message"),
///            "ab530a13e45914982b79f9b7e3fba994cfd1f3fb22f71cea1afbf02b460c6d1d");
/// ```
#[must_use]
pub fn sha256_hex(file: &[u8]) -> String {
    crate::crypto::hex_lower(&crate::crypto::sha256(file))
}

#[derive(serde::Serialize)]
struct Meta<'a> {
    filename: &'a str,
    sha256: &'a str,
}

/// The `meta` JSON, `{"filename":"…","sha256":"…"}` (keys in this order, no spaces, the file
/// name JSON-escaped): the part WeChat Pay reads the file's name and digest from, and the bytes
/// the `Authorization` signs.
///
/// ```
/// assert_eq!(wechatpay_sansio::v3::media::meta("a.png", b""),
///     r#"{"filename":"a.png","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}"#);
/// ```
#[must_use]
pub fn meta(filename: &str, file: &[u8]) -> String {
    let sha256 = sha256_hex(file);
    // A struct of two strings always serialises; fall back to nothing rather than panic.
    serde_json::to_string(&Meta {
        filename,
        sha256: &sha256,
    })
    .unwrap_or_default()
}

/// Why a `multipart/form-data` body could not be built.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MultipartError {
    /// The boundary is not 1–70 characters of RFC 2046's set (letters, digits, `'()+_,-./:=?`
    /// and space, not last).
    #[error("the multipart boundary is not 1-70 characters of RFC 2046's boundary set")]
    InvalidBoundary,
    /// The boundary's delimiter occurs in the `meta` or the file: the body would be ambiguous.
    #[error("the multipart boundary occurs in the content; draw another boundary")]
    BoundaryInContent,
    /// A file name or content type that a part header cannot carry (a quote, a backslash, a
    /// control character, CR or LF).
    #[error("the {0} cannot be written in a multipart part header")]
    HeaderText(&'static str),
    /// The caller's RNG failed (drawing a boundary).
    #[error("the random number generator failed")]
    Rng,
}

impl Classify for MultipartError {
    /// A boundary met in the content or a failing RNG is [`Disposition::Transient`] (build the
    /// request again: a new boundary is drawn); a file name or content type a header cannot
    /// carry is [`Disposition::Rejected`]; an invalid boundary given by the caller
    /// [`Disposition::Misconfigured`].
    fn disposition(&self) -> Disposition {
        match self {
            Self::BoundaryInContent | Self::Rng => Disposition::Transient,
            Self::HeaderText(_) => Disposition::Rejected,
            Self::InvalidBoundary => Disposition::Misconfigured,
        }
    }
}

/// A `multipart/form-data` boundary (RFC 2046: 1–70 characters of its set, not ending in a
/// space).
///
/// ```
/// use wechatpay_sansio::v3::media::Boundary;
/// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
/// let b = Boundary::generate(&mut rng)?;
/// assert!(b.as_str().starts_with("wxpay-") && b.as_str().len() == 38);
/// assert!(Boundary::new("with space").is_ok() && Boundary::new("bad\r\n").is_err());
/// assert_eq!(Boundary::new("a b")?.content_type(), r#"multipart/form-data; boundary="a b""#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Boundary(String);

/// RFC 2046 `bcharsnospace` plus space.
fn is_bchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"'()+_,-./:=? ".contains(&b)
}

/// RFC 2045 `tspecials` and space: characters that make a parameter value need quotes.
fn needs_quotes(b: u8) -> bool {
    b"()<>@,;:\\\"/[]?= ".contains(&b)
}

impl Boundary {
    /// A fresh boundary, `wxpay-` and 32 random letters and digits drawn from `rng`.
    ///
    /// # Errors
    /// [`MultipartError::Rng`].
    pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, MultipartError> {
        let nonce = Nonce::generate(rng).map_err(|_| MultipartError::Rng)?;
        Ok(Self(format!("wxpay-{}", nonce.as_str())))
    }

    /// A boundary of the caller's choosing.
    ///
    /// # Errors
    /// [`MultipartError::InvalidBoundary`].
    pub fn new(boundary: impl Into<String>) -> Result<Self, MultipartError> {
        let b = boundary.into();
        if (1..=70).contains(&b.len()) && b.bytes().all(is_bchar) && !b.ends_with(' ') {
            Ok(Self(b))
        } else {
            Err(MultipartError::InvalidBoundary)
        }
    }

    /// The boundary.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The request's `Content-Type`: `multipart/form-data; boundary=…` (quoted when the
    /// boundary holds a character a token cannot).
    #[must_use]
    pub fn content_type(&self) -> String {
        if self.0.bytes().any(needs_quotes) {
            format!("multipart/form-data; boundary=\"{}\"", self.0)
        } else {
            format!("multipart/form-data; boundary={}", self.0)
        }
    }
}

/// Whether a part header can carry `s` (in quotes): no quote, backslash or control character.
pub(crate) fn is_header_text(s: &str) -> bool {
    !s.chars().any(|c| c == '"' || c == '\\' || c.is_control())
}

/// Text a part header can carry, not empty.
fn header_text(what: &'static str, s: &str) -> Result<(), MultipartError> {
    if s.is_empty() || !is_header_text(s) {
        Err(MultipartError::HeaderText(what))
    } else {
        Ok(())
    }
}

/// The upload body: part `meta` (`Content-Type: application/json`) then part `file`
/// (`filename`, `Content-Type: file_content_type`), CRLF line ends, delimited by `boundary`.
///
/// # Errors
/// [`MultipartError::HeaderText`] for a file name or content type a header cannot carry;
/// [`MultipartError::BoundaryInContent`] when `--boundary` after a line break occurs in `meta`
/// or `file`.
pub fn form_data(
    boundary: &Boundary,
    meta: &str,
    filename: &str,
    file_content_type: &str,
    file: &[u8],
) -> Result<Vec<u8>, MultipartError> {
    header_text("filename", filename)?;
    header_text("content type", file_content_type)?;
    let b = boundary.as_str();
    // A part ends at CRLF "--" boundary; a bare LF before it is accepted by lenient parsers, so
    // refuse "\n--boundary" anywhere, and "--boundary" at the very start of a part.
    let delimiter = format!("\n--{b}");
    let finder = memchr::memmem::Finder::new(delimiter.as_bytes());
    let starts = |c: &[u8]| c.starts_with(&delimiter.as_bytes()[1..]);
    if finder.find(meta.as_bytes()).is_some()
        || finder.find(file).is_some()
        || starts(meta.as_bytes())
        || starts(file)
    {
        return Err(MultipartError::BoundaryInContent);
    }
    let mut body = Vec::with_capacity(file.len() + meta.len() + filename.len() + 4 * b.len() + 256);
    body.extend_from_slice(format!("--{b}\r\n").as_bytes());
    body.extend_from_slice(b"Content-Disposition: form-data; name=\"meta\"\r\n");
    body.extend_from_slice(b"Content-Type: application/json\r\n\r\n");
    body.extend_from_slice(meta.as_bytes());
    body.extend_from_slice(format!("\r\n--{b}\r\n").as_bytes());
    body.extend_from_slice(
        format!("Content-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(format!("Content-Type: {file_content_type}\r\n\r\n").as_bytes());
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries() {
        assert_eq!(Boundary::new(""), Err(MultipartError::InvalidBoundary));
        assert_eq!(
            Boundary::new("a".repeat(71)),
            Err(MultipartError::InvalidBoundary)
        );
        assert!(Boundary::new("a".repeat(70)).is_ok());
        assert_eq!(Boundary::new("a "), Err(MultipartError::InvalidBoundary));
        assert_eq!(Boundary::new("a\"b"), Err(MultipartError::InvalidBoundary));
        assert_eq!(Boundary::new("中"), Err(MultipartError::InvalidBoundary));
        assert_eq!(
            Boundary::new("a=b").unwrap().content_type(),
            "multipart/form-data; boundary=\"a=b\""
        );
        assert_eq!(
            Boundary::new("a_b-c.d'+").unwrap().content_type(),
            "multipart/form-data; boundary=a_b-c.d'+"
        );
    }

    #[test]
    fn refusals() {
        let b = Boundary::new("B").unwrap();
        for (name, ct) in [
            ("a\".jpg", "image/jpeg"),
            ("a\r\n.jpg", "image/jpeg"),
            ("", "x"),
        ] {
            assert_eq!(
                form_data(&b, "{}", name, ct, b""),
                Err(MultipartError::HeaderText("filename"))
            );
        }
        assert_eq!(
            form_data(&b, "{}", "a.jpg", "image/jpeg\r\nX: y", b""),
            Err(MultipartError::HeaderText("content type"))
        );
        for file in [&b"x\r\n--B"[..], b"--B", b"a\n--Bc"] {
            assert_eq!(
                form_data(&b, "{}", "a.jpg", "image/jpeg", file),
                Err(MultipartError::BoundaryInContent)
            );
        }
        assert!(form_data(&b, "{}", "a.jpg", "image/jpeg", b"-B --B\r-B").is_ok());
        assert_eq!(
            form_data(&b, "--B", "a.jpg", "image/jpeg", b""),
            Err(MultipartError::BoundaryInContent)
        );
    }

    #[test]
    fn layout() {
        let b = Boundary::new("B").unwrap();
        let body = form_data(&b, "{}", "文件.png", "image/png", b"\x89PNG").unwrap();
        let mut expected = b"--B\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{}\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"".to_vec();
        expected.extend_from_slice("文件.png".as_bytes());
        expected.extend_from_slice(b"\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--B--\r\n");
        assert_eq!(body, expected);
        assert_eq!(MediaKind::Video.content_type("noext"), None);
        assert_eq!(
            MediaKind::Video.content_type("a.RMVB"),
            Some("application/vnd.rn-realmedia-vbr")
        );
        assert_eq!(MediaKind::Image.content_type("a.jpeg"), None);
        assert_eq!(MediaKind::Image.content_type("A.JPG"), Some("image/jpeg"));
        assert_eq!(MediaKind::Video.max_bytes(), 5 * 1024 * 1024);
        assert!(MediaKind::Image.extensions().contains("bmp"));
        assert_eq!(
            meta("a\"b.jpg", b"").get(..23),
            Some(r#"{"filename":"a\"b.jpg","#)
        );
    }
}
