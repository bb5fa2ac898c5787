//! A v3 reply: 2xx replies are verified; non-2xx replies are not signed and are parsed as the v3
//! error body `{code, message, detail}` (SPEC §2.7).

use crate::keys::{KeyId, KeyStore};
use crate::request::ResponseRef;
use crate::secret::Personal;
use crate::v3::verify::{self, VerifyError, VerifyOptions};
use core::fmt;
use serde::Deserialize;

/// Largest error body this crate will parse (error bodies are a few hundred bytes).
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// The `detail` object of a v3 error body.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ErrorDetail {
    /// JSON pointer to the offending field, e.g. `#/properties/payer`.
    #[serde(default)]
    pub field: Option<String>,
    /// The offending value, as JSON text. It may be the caller's personal data, so it is kept
    /// in a [`Personal`] wrapper.
    #[serde(default, deserialize_with = "value_as_personal")]
    pub value: Option<Personal>,
    /// What is wrong with it.
    #[serde(default)]
    pub issue: Option<String>,
    /// `body`, `url`, `query`, `header`…
    #[serde(default)]
    pub location: Option<String>,
}

fn value_as_personal<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Personal>, D::Error> {
    let v: Option<serde_json::Value> = Option::deserialize(d)?;
    Ok(v.map(|v| match v {
        serde_json::Value::String(s) => Personal::new(s),
        other => Personal::new(other.to_string()),
    }))
}

impl fmt::Debug for ErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorDetail")
            .field("field", &self.field)
            .field("value", &self.value)
            .field("issue", &self.issue)
            .field("location", &self.location)
            .finish()
    }
}

/// The v3 error body.
///
/// ```
/// use wechatpay_sansio::v3::response::ErrorBody;
/// let e = ErrorBody::parse(r##"{"code":"PARAM_ERROR","message":"参数错误","detail":{"field":"#/certificate_id","value":"1101","issue":"格式错误","location":"body"}}"##.as_bytes())?;
/// assert_eq!(e.code, "PARAM_ERROR");
/// assert_eq!(e.detail.as_ref().and_then(|d| d.location.as_deref()), Some("body"));
/// assert!(!format!("{e:?}").contains("1101")); // the echoed value stays redacted
/// # Ok::<(), wechatpay_sansio::v3::response::ErrorBodyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorBody {
    /// Error code (`PARAM_ERROR`, `SYSTEMERROR`, `NOAUTH`, …).
    pub code: String,
    /// Human-readable message.
    #[serde(default)]
    pub message: String,
    /// Optional detail.
    #[serde(default)]
    pub detail: Option<ErrorDetail>,
}

/// Why an error body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorBodyError {
    /// Larger than [`MAX_ERROR_BODY`].
    #[error("error body of {0} bytes is too large")]
    TooLarge(usize),
    /// Not the `{code, message, detail}` JSON object.
    #[error("error body is not a v3 error object (line {line}, column {column})")]
    Json {
        /// Line of the JSON error.
        line: usize,
        /// Column of the JSON error.
        column: usize,
    },
}

impl ErrorBody {
    /// Parse an error body.
    ///
    /// # Errors
    /// [`ErrorBodyError`].
    pub fn parse(body: &[u8]) -> Result<Self, ErrorBodyError> {
        if body.len() > MAX_ERROR_BODY {
            return Err(ErrorBodyError::TooLarge(body.len()));
        }
        serde_json::from_slice(body).map_err(|e| ErrorBodyError::Json {
            line: e.line(),
            column: e.column(),
        })
    }
}

/// A non-2xx reply: status and the parsed error body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("WeChat Pay answered HTTP {status}: {} {}", body.code, body.message)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// The error body (not signed: treat as untrusted).
    pub body: ErrorBody,
}

/// Why a reply was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// WeChat Pay answered with an error status and a v3 error body (boxed: it is large).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// An error status whose body is not a v3 error object (a gateway page, an empty body…).
    #[error("HTTP {status} with a body that is not a v3 error object: {reason}")]
    UnreadableError {
        /// HTTP status.
        status: u16,
        /// Why the body could not be read.
        reason: ErrorBodyError,
    },
    /// A 2xx reply whose signature did not verify.
    #[error(transparent)]
    Verify(#[from] VerifyError),
}

/// A 2xx reply whose signature verified.
#[derive(Debug, Clone, Copy)]
pub struct Verified<'a> {
    /// HTTP status.
    pub status: u16,
    /// The raw body (parse it now; it is authentic).
    pub body: &'a [u8],
    /// The id of the WeChat Pay key that signed it.
    pub key_id: &'a KeyId,
}

/// Check a v3 reply: verify 2xx replies, turn others into [`ResponseError::Api`].
///
/// # Errors
/// See [`ResponseError`].
pub fn check<'a>(
    response: ResponseRef<'a>,
    store: &'a KeyStore,
    now: u64,
    options: &VerifyOptions,
) -> Result<Verified<'a>, ResponseError> {
    let status = response.status.as_u16();
    if !response.status.is_success() {
        return Err(match ErrorBody::parse(response.body) {
            Ok(body) => ResponseError::Api(Box::new(ApiError { status, body })),
            Err(reason) => ResponseError::UnreadableError { status, reason },
        });
    }
    let key_id = verify::verify(response.headers, response.body, store, now, options)?;
    Ok(Verified {
        status,
        body: response.body,
        key_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_002_error_example() {
        // The error example of the customs verify-certificate document (seed 002).
        let body = br#"{
  "code": "INVALID_REQUEST",
  "message": "Error message",
  "detail": {"field": "/amount/currency", "value": "XYZ", "issue": "Currency code is invalid", "location": "body"}
}"#;
        let e = ErrorBody::parse(body).unwrap();
        assert_eq!(e.code, "INVALID_REQUEST");
        let d = e.detail.unwrap();
        assert_eq!(d.value.as_ref().map(Personal::expose), Some("XYZ"));
        assert_eq!(d.issue.as_deref(), Some("Currency code is invalid"));
    }

    #[test]
    fn error_paths() {
        let headers = http::HeaderMap::new();
        let store = KeyStore::new();
        let o = VerifyOptions::default();
        let r = check(
            ResponseRef::new(
                http::StatusCode::BAD_REQUEST,
                &headers,
                br#"{"code":"PARAM_ERROR","message":"m","detail":{"value":123}}"#,
            ),
            &store,
            0,
            &o,
        );
        match r {
            Err(ResponseError::Api(a)) => {
                assert_eq!(a.status, 400);
                assert_eq!(a.body.detail.unwrap().value.unwrap().expose(), "123");
            }
            other => panic!("{other:?}"),
        }
        let r = check(
            ResponseRef::new(http::StatusCode::BAD_GATEWAY, &headers, b"<html>"),
            &store,
            0,
            &o,
        );
        assert!(matches!(
            r,
            Err(ResponseError::UnreadableError {
                status: 502,
                reason: ErrorBodyError::Json { .. }
            })
        ));
        let big = vec![b' '; MAX_ERROR_BODY + 1];
        assert_eq!(
            ErrorBody::parse(&big),
            Err(ErrorBodyError::TooLarge(MAX_ERROR_BODY + 1))
        );
        let r = check(
            ResponseRef::new(http::StatusCode::OK, &headers, b"{}"),
            &store,
            0,
            &o,
        );
        assert!(matches!(
            r,
            Err(ResponseError::Verify(VerifyError::MissingHeader(_)))
        ));
        // deep nesting is refused by serde_json's recursion limit, not by a stack overflow
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(ErrorBody::parse(deep.as_bytes()).is_err());
    }
}
