//! What the v2 APIs share (crate-private): reading a v2 XML reply into checked fields, and
//! JSON number-or-string values.

use crate::api::ApiError;
use crate::api::endpoint::{Echo, check_echoes};
use crate::request::ResponseRef;
use crate::secret::ApiV2Key;
use crate::v2::fold::Reader;
use crate::v2::reply::{self, Expect, ReplyError};
use crate::v2::xml::{self, XmlLimits};

/// Every v2 reply of these APIs comes with HTTP 200; anything outside 2xx is reported as such.
pub(crate) fn success_status(response: &ResponseRef<'_>) -> Result<(), ApiError> {
    if response.status.is_success() {
        Ok(())
    } else {
        Err(ApiError::HttpStatus(response.status.as_u16()))
    }
}

/// Status, XML, then [`reply::check_and_read`] (`key` `None`: an endpoint that never signs):
/// the `echoes` are checked and `decode` reads the outcome through the recording reader, so the
/// fold rule covers exactly the echoes and the fields the outcome reads.
pub(crate) fn xml_reply<T>(
    response: &ResponseRef<'_>,
    key: Option<&ApiV2Key>,
    expect: &Expect<'_>,
    echoes: &[Echo<'_>],
    decode: impl FnOnce(&Reader<'_, '_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    success_status(response)?;
    let fields =
        xml::parse_with_limits(response.body, &XmlLimits::default()).map_err(ReplyError::Xml)?;
    reply::check_and_read(&fields, key, expect, |r| {
        check_echoes(echoes, |name| r.strict(name))?;
        decode(r)
    })?
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

    /// The text form: the string as received (trimmed), or the integer in decimal.
    pub(crate) fn to_text(&self) -> String {
        match self {
            Self::Num(n) => n.to_string(),
            Self::Str(s) => s.trim().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(NumOrStr::Str(" 7 ".into()).as_i64(), Some(7));
        assert_eq!(NumOrStr::Str("x".into()).as_i64(), None);
        assert_eq!(NumOrStr::Num(3).to_text(), "3");
        assert_eq!(NumOrStr::Str(" x ".into()).to_text(), "x");
        let headers = http::HeaderMap::new();
        let r = ResponseRef::new(http::StatusCode::BAD_GATEWAY, &headers, b"");
        assert_eq!(success_status(&r), Err(ApiError::HttpStatus(502)));
    }
}
