//! The media-upload endpoints of the sandbox, `POST /v3/merchant/media/upload` (images) and
//! `POST /v3/merchant/media/video_upload` (videos), and the `multipart/form-data` parser they
//! use ([`parse_form_data`]). Written from RFC 2046 / RFC 7578 and the official pages, not from
//! [`crate::v3::media`], whose bodies it checks.
//!
//! | request | answer |
//! |---|---|
//! | a body that is not `multipart/form-data` with a `meta` and a `file` part | 400 `PARAM_ERROR` (unsigned: before the `Authorization` check) |
//! | an `Authorization` that does not verify **over the `meta` part** | 401 `SIGN_ERROR` |
//! | `meta` not `{"filename":…,"sha256":…}`, a `sha256` that is not the file's, an extension or a size the endpoint does not take | 400 `PARAM_ERROR` (signed) |
//! | otherwise | 200 `{"media_id":"TESTONLY_…"}` (signed) |
//!
//! The faults of [`super::pay_v3::PayScript`] apply ([`super::pay_v3::SandboxEndpoint::MediaUpload`]).
//!
//! ```
//! use wechatpay_sansio::simulator::media::parse_form_data;
//! let body = b"--B\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{}\r\n--B--\r\n";
//! let parts = parse_form_data("multipart/form-data; boundary=B", body)?;
//! assert_eq!((parts[0].name.as_str(), &parts[0].data[..]), ("meta", &b"{}"[..]));
//! assert_eq!(parts[0].content_type.as_deref(), Some("application/json"));
//! # Ok::<(), &'static str>(())
//! ```

use super::Simulator;
use crate::time::UnixTime;
use http::StatusCode;
use serde_json::{Value, json};

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormPart {
    /// The `name` of its `Content-Disposition`.
    pub name: String,
    /// The `filename`, if any.
    pub filename: Option<String>,
    /// Its `Content-Type`, if any.
    pub content_type: Option<String>,
    /// Its bytes.
    pub data: Vec<u8>,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `;`-separated parameters, honouring double quotes (a `\` escapes the next character).
fn params(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = value.chars().peekable();
    loop {
        // Skip separators and whitespace.
        while chars
            .peek()
            .is_some_and(|c| *c == ';' || c.is_ascii_whitespace())
        {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ';' {
                break;
            }
            name.push(c);
            chars.next();
        }
        if name.is_empty() && chars.peek().is_none() {
            return out;
        }
        let mut val = String::new();
        let mut quoted = false;
        if chars.peek() == Some(&'=') {
            chars.next();
            if chars.peek() == Some(&'"') {
                // A quoted string is taken as it is, spaces included (RFC 7578 §4.2); what
                // follows the closing quote up to `;` is ignored.
                quoted = true;
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => val.extend(chars.next()),
                        c => val.push(c),
                    }
                }
            }
            while let Some(&c) = chars.peek() {
                if c == ';' {
                    break;
                }
                if !quoted {
                    val.push(c);
                }
                chars.next();
            }
        }
        if !quoted {
            val.truncate(val.trim_end().len());
        }
        out.push((name.trim().to_ascii_lowercase(), val));
    }
}

/// Parse a `multipart/form-data` body with the boundary of its `Content-Type` header value.
///
/// # Errors
/// A short reason: not `multipart/form-data`, no boundary, no delimiter, a part without a
/// `form-data` disposition or a name, a part not closed, no close delimiter.
pub fn parse_form_data(content_type: &str, body: &[u8]) -> Result<Vec<FormPart>, &'static str> {
    let (media_type, rest) = content_type.split_once(';').unwrap_or((content_type, ""));
    if !media_type
        .trim()
        .eq_ignore_ascii_case("multipart/form-data")
    {
        return Err("not multipart/form-data");
    }
    let boundary = params(rest)
        .into_iter()
        .find(|(k, _)| k == "boundary")
        .map(|(_, v)| v)
        .filter(|b| !b.is_empty())
        .ok_or("no boundary")?;
    let dash = format!("--{boundary}");
    let next = format!("\r\n--{boundary}");
    // The first delimiter: at the start, or after a preamble ending in CRLF.
    let mut at = if body.starts_with(dash.as_bytes()) {
        0
    } else {
        find(body, next.as_bytes()).ok_or("no delimiter")? + 2
    };
    let mut parts = Vec::new();
    loop {
        let after = at + dash.len();
        let rest = body.get(after..).ok_or("truncated")?;
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        // Transport padding, then CRLF.
        let pad = rest
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        if !rest[pad..].starts_with(b"\r\n") {
            return Err("delimiter not followed by CRLF");
        }
        let start = after + pad + 2;
        let len = find(&body[start..], next.as_bytes()).ok_or("part not closed")?;
        parts.push(part(&body[start..start + len])?);
        at = start + len + 2;
    }
}

/// One part: header lines, an empty line, the data.
fn part(raw: &[u8]) -> Result<FormPart, &'static str> {
    let (head, data) = if raw.starts_with(b"\r\n") {
        (&raw[..0], &raw[2..])
    } else {
        let end = find(raw, b"\r\n\r\n").ok_or("part without a header end")?;
        (&raw[..end], &raw[end + 4..])
    };
    let head = core::str::from_utf8(head).map_err(|_| "part header not UTF-8")?;
    let (mut name, mut filename, mut content_type) = (None, None, None);
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        let (k, v) = line
            .split_once(':')
            .ok_or("part header line without a colon")?;
        let v = v.trim();
        if k.trim().eq_ignore_ascii_case("content-disposition") {
            let (kind, rest) = v.split_once(';').unwrap_or((v, ""));
            if !kind.trim().eq_ignore_ascii_case("form-data") {
                return Err("part disposition is not form-data");
            }
            for (pk, pv) in params(rest) {
                match pk.as_str() {
                    "name" => name = Some(pv),
                    "filename" => filename = Some(pv),
                    _ => {}
                }
            }
        } else if k.trim().eq_ignore_ascii_case("content-type") {
            content_type = Some(v.to_owned());
        }
    }
    Ok(FormPart {
        name: name.ok_or("part without a name")?,
        filename,
        content_type,
        data: data.to_vec(),
    })
}

/// The `meta` and `file` parts of an upload request.
pub(crate) struct Upload {
    pub(crate) meta: Vec<u8>,
    pub(crate) file: FormPart,
}

/// Read an upload request's body; `Err` is the 400 message.
pub(crate) fn read_upload(req: &http::Request<Vec<u8>>) -> Result<Upload, &'static str> {
    let ct = req
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or("缺少Content-Type")?;
    let parts =
        parse_form_data(ct, req.body()).map_err(|_| "请求体不是合法的multipart/form-data")?;
    let mut meta = None;
    let mut file = None;
    for p in parts {
        match p.name.as_str() {
            "meta" if meta.is_none() => meta = Some(p.data),
            "file" if file.is_none() => file = Some(p),
            _ => {}
        }
    }
    Ok(Upload {
        meta: meta.ok_or("缺少meta")?,
        file: file.ok_or("缺少file")?,
    })
}

/// Image extensions `media/upload` takes, video extensions `media/video_upload` takes (the
/// official pages), and the size limits.
const IMAGES: &[&str] = &["jpg", "png", "bmp"];
const VIDEOS: &[&str] = &[
    "avi", "wmv", "mpeg", "mp4", "mov", "mkv", "flv", "f4v", "m4v", "rmvb",
];

/// Lower-case hex, the oracle's own.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Simulator {
    /// Answer an upload whose `Authorization` verified: `(status, body)` before signing.
    pub(crate) fn media_upload(
        &self,
        video: bool,
        upload: &Upload,
        _now: UnixTime,
    ) -> (StatusCode, Vec<u8>) {
        let param = |message: &str| {
            (
                StatusCode::BAD_REQUEST,
                json!({ "code": "PARAM_ERROR", "message": message })
                    .to_string()
                    .into_bytes(),
            )
        };
        let Ok(Value::Object(meta)) = serde_json::from_slice::<Value>(&upload.meta) else {
            return param("meta不是合法的JSON");
        };
        let (Some(filename), Some(sha256)) = (
            meta.get("filename").and_then(Value::as_str),
            meta.get("sha256").and_then(Value::as_str),
        ) else {
            return param("meta缺少filename或sha256");
        };
        let ext = filename
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        let (allowed, max) = if video {
            (VIDEOS, 5 * 1024 * 1024)
        } else {
            (IMAGES, 2 * 1024 * 1024)
        };
        if !allowed.contains(&ext.as_str()) {
            return param("文件格式不支持");
        }
        let data = &upload.file.data;
        if data.is_empty() || data.len() > max {
            return param("文件大小超过限制");
        }
        let digest = hex(&crate::crypto::sha256(data));
        if !sha256.eq_ignore_ascii_case(&digest) {
            return param("文件sha256与meta中的sha256不一致");
        }
        let media_id = format!(
            "TESTONLY_{}_{}",
            if video { "video" } else { "image" },
            &digest[..40]
        );
        (
            StatusCode::OK,
            json!({ "media_id": media_id }).to_string().into_bytes(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser() {
        let ct = "Multipart/Form-Data; charset=utf-8; boundary=\"a;b\"";
        let body = b"preamble\r\n--a;b  \r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\\\"y.jpg\"\r\n\r\n\r\nZ\r\n--a;b\r\n\r\nno headers\r\n--a;b--";
        let parts = parse_form_data(ct, body).unwrap_err();
        assert_eq!(parts, "part without a name");
        let body = b"preamble\r\n--a;b  \r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\\\"y.jpg\"\r\n\r\n\r\nZ\r\n--a;b--";
        let parts = parse_form_data(ct, body).unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].filename.as_deref(), Some("x\"y.jpg"));
        assert_eq!(parts[0].data, b"\r\nZ");
        // Spaces inside quotes are the value's (found by fuzzing v3_media_upload); outside,
        // they are not.
        let body = b"--q\r\nContent-Disposition: form-data; name=meta ; filename=\" a \" \r\n\r\nx\r\n--q--";
        let parts = parse_form_data("multipart/form-data; boundary=q", body).unwrap();
        assert_eq!(
            (parts[0].name.as_str(), parts[0].filename.as_deref()),
            ("meta", Some(" a "))
        );
        assert_eq!(
            parse_form_data("text/plain", b""),
            Err("not multipart/form-data")
        );
        assert_eq!(
            parse_form_data("multipart/form-data", b""),
            Err("no boundary")
        );
        assert_eq!(
            parse_form_data("multipart/form-data; boundary=q", b"x"),
            Err("no delimiter")
        );
        assert_eq!(
            parse_form_data("multipart/form-data; boundary=q", b"--q\r\n\r\nx"),
            Err("part not closed")
        );
        assert_eq!(
            parse_form_data("multipart/form-data; boundary=q", b"--qx"),
            Err("delimiter not followed by CRLF")
        );
        assert_eq!(
            parse_form_data(
                "multipart/form-data; boundary=q",
                b"--q\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--q--"
            ),
            Err("part disposition is not form-data")
        );
        assert_eq!(
            params("a=1; b=\"2;3\"; c"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "2;3".into()),
                ("c".into(), String::new()),
            ]
        );
    }
}
