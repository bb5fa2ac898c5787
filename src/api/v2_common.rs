//! Helpers shared by the v2 identity APIs (crate-private).

use crate::api::validate::{self, FieldError};
use http::StatusCode;

/// An `appid`: 1–32 visible ASCII characters.
pub(crate) fn appid(field: &'static str, value: &str) -> Result<(), FieldError> {
    validate::length(field, value, 1, 32)?;
    validate::visible_ascii(field, value)
}

/// An id or token of visible ASCII, 1–`max` characters.
pub(crate) fn token(field: &'static str, value: &str, max: usize) -> Result<(), FieldError> {
    validate::length(field, value, 1, max)?;
    validate::visible_ascii(field, value)
}

/// Free text of `min..=max` characters: no control characters, nothing XML 1.0 forbids
/// (U+FFFE, U+FFFF, unpaired surrogates cannot occur in `str`).
pub(crate) fn text(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), FieldError> {
    validate::length(field, value, min, max)?;
    validate::charset(
        field,
        value,
        "printable characters (no control characters, no U+FFFE/U+FFFF)",
        |c| !c.is_control() && c != '\u{FFFE}' && c != '\u{FFFF}',
    )
}

/// Every v2 reply of these APIs comes with HTTP 200; anything outside 2xx is reported as such.
pub(crate) fn success_status(status: StatusCode) -> Result<(), u16> {
    if status.is_success() {
        Ok(())
    } else {
        Err(status.as_u16())
    }
}

/// A JSON number or a numeric string (WeChat is not consistent about which it sends).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(untagged)]
pub(crate) enum NumOrStr {
    /// A JSON integer.
    Num(i64),
    /// A JSON string.
    Str(String),
}

impl NumOrStr {
    /// The integer, if this is one or a string holding one (surrounding spaces allowed).
    pub(crate) fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Num(n) => Some(*n),
            Self::Str(s) => s.trim().parse().ok(),
        }
    }

    /// The text form: the string as received, or the integer in decimal.
    pub(crate) fn to_text(&self) -> String {
        match self {
            Self::Num(n) => n.to_string(),
            Self::Str(s) => s.clone(),
        }
    }
}

/// Where a JSON reply failed to parse, without the offending text (it may hold tokens or names).
pub(crate) fn json_position(e: &serde_json::Error) -> (usize, usize) {
    (e.line(), e.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert!(appid("appid", "wx2421b1c4370ec43b").is_ok());
        assert!(appid("appid", &"a".repeat(33)).is_err());
        assert!(token("t", "a b", 8).is_err());
        assert!(text("t", "张三", 1, 64).is_ok());
        assert!(text("t", "a\u{FFFE}", 1, 64).is_err());
        assert!(text("t", "a\r\n", 1, 64).is_err());
        assert_eq!(success_status(StatusCode::OK), Ok(()));
        assert_eq!(success_status(StatusCode::BAD_GATEWAY), Err(502));
        assert_eq!(NumOrStr::Str(" 7 ".into()).as_i64(), Some(7));
        assert_eq!(NumOrStr::Str("x".into()).as_i64(), None);
        assert_eq!(NumOrStr::Num(3).to_text(), "3");
        assert_eq!(NumOrStr::Str("x".into()).to_text(), "x");
    }
}
