//! A v3 reply: 2xx replies are verified; non-2xx replies are read as the v3 error body
//! `{code, message, detail}` and typed ([`ErrorReply`], [`ErrorCode`]). Error replies are not
//! authenticated (WeChat Pay signs some, not all): report them, never act on them as facts.
//!
//! ```
//! use wechatpay_sansio::error::{Classify, Disposition};
//! use wechatpay_sansio::{keys::KeyStore, request::ResponseRef, time::UnixTime};
//! use wechatpay_sansio::v3::{response::{check, ErrorCode, ResponseError}, verify::Verifier};
//! let body = r#"{"code":"SYSTEM_ERROR","message":"系统繁忙，请稍后重试"}"#.as_bytes();
//! let headers = http::HeaderMap::new();
//! let store = KeyStore::new();
//! let err = check(ResponseRef::new(http::StatusCode::INTERNAL_SERVER_ERROR, &headers, body),
//!                 &Verifier::new(&store), UnixTime::from_secs(1_767_225_600)).unwrap_err();
//! let ResponseError::Failure(reply) = &err else { unreachable!() };
//! assert_eq!((reply.status, &reply.code), (500, &ErrorCode::SystemError));
//! assert_eq!(err.disposition(), Disposition::Transient);
//! ```

use crate::error::{Classify, Disposition, Distrust, tampered_if_untrusted};
use crate::keys::KeyId;
use crate::request::ResponseRef;
use crate::secret::Personal;
use crate::time::UnixTime;
use crate::untrusted_text::Shown;
use crate::v3::verify::{Verifier, VerifyError};
use core::fmt;
use serde::Deserialize;

/// Largest error body this crate will parse (error bodies are a few hundred bytes).
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// The `detail` object of a v3 error body. Its shape varies: `issue` is read from
/// `detail.issue` or, as production `SIGN_ERROR` replies nest it, from `detail.detail.issue`.
#[non_exhaustive]
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "RawErrorDetail")]
pub struct ErrorDetail {
    /// JSON pointer to the offending field, e.g. `#/properties/payer`.
    pub field: Option<String>,
    /// The offending value, as JSON text. It may be the caller's personal data, so it is kept
    /// in a [`Personal`] wrapper.
    pub value: Option<Personal>,
    /// What is wrong with it.
    pub issue: Option<String>,
    /// `body`, `url`, `query`, `header`, `authorization`…
    pub location: Option<String>,
    /// On a `SIGN_ERROR`: the request WeChat Pay checked the signature against.
    pub sign_information: Option<SignInformation>,
}

/// What WeChat Pay saw when a request signature did not verify (`detail.sign_information` of a
/// `SIGN_ERROR`): compare `truncated_sign_message` with the start of your canonical request.
///
/// ```
/// use wechatpay_sansio::v3::response::ErrorBody;
/// let body = r#"{"code":"SIGN_ERROR","message":"签名错误","detail":{"detail":{"issue":"sign not match"},
///   "field":"signature","location":"authorization","sign_information":{"method":"POST",
///   "sign_message_length":349,"truncated_sign_message":"POST\n/v3/pay/transactions/jsapi\n",
///   "url":"/v3/pay/transactions/jsapi"}}}"#;
/// let d = ErrorBody::parse(body.as_bytes())?.detail.unwrap();
/// assert_eq!(d.issue.as_deref(), Some("sign not match"));
/// let s = d.sign_information.unwrap();
/// assert_eq!((s.method.as_deref(), s.sign_message_length), (Some("POST"), Some(349)));
/// # Ok::<(), wechatpay_sansio::v3::response::ErrorBodyError>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SignInformation {
    /// The HTTP method signed.
    #[serde(default)]
    pub method: Option<String>,
    /// The path and query signed.
    #[serde(default)]
    pub url: Option<String>,
    /// Length in bytes of the message WeChat Pay built.
    #[serde(default)]
    pub sign_message_length: Option<u64>,
    /// Its beginning (the body is cut after a few bytes).
    #[serde(default)]
    pub truncated_sign_message: Option<String>,
}

#[derive(Deserialize)]
struct RawErrorDetail {
    #[serde(default)]
    field: Option<String>,
    #[serde(default, deserialize_with = "value_as_personal")]
    value: Option<Personal>,
    #[serde(default)]
    issue: Option<String>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    sign_information: Option<SignInformation>,
    #[serde(default)]
    detail: Option<NestedDetail>,
}

#[derive(Deserialize)]
struct NestedDetail {
    #[serde(default)]
    issue: Option<String>,
}

impl From<RawErrorDetail> for ErrorDetail {
    fn from(r: RawErrorDetail) -> Self {
        Self {
            field: r.field,
            value: r.value,
            issue: r.issue.or_else(|| r.detail.and_then(|d| d.issue)),
            location: r.location,
            sign_information: r.sign_information,
        }
    }
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
            .field("sign_information", &self.sign_information)
            .finish()
    }
}

/// The v3 error body as received (the code untyped; [`ErrorReply`] is the typed form).
///
/// ```
/// use wechatpay_sansio::v3::response::ErrorBody;
/// let e = ErrorBody::parse(r##"{"code":"PARAM_ERROR","message":"参数错误","detail":{"field":"#/certificate_id","value":"1101","issue":"格式错误","location":"body"}}"##.as_bytes())?;
/// assert_eq!(e.code, "PARAM_ERROR");
/// assert_eq!(e.detail.as_ref().and_then(|d| d.location.as_deref()), Some("body"));
/// assert!(!format!("{e:?}").contains("1101")); // the echoed value stays redacted
/// # Ok::<(), wechatpay_sansio::v3::response::ErrorBodyError>(())
/// ```
#[non_exhaustive]
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
#[non_exhaustive]
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
        crate::json::from_slice(body).map_err(|p| ErrorBodyError::Json {
            line: p.line,
            column: p.column,
        })
    }
}

impl Classify for ErrorBodyError {
    /// [`Disposition::Untrusted`]: not the error object WeChat Pay sends.
    fn disposition(&self) -> Disposition {
        Disposition::Untrusted
    }
}

crate::wire::open_enum!(
    /// The `code` of a v3 error reply, typed once for every v3 API, with what to do about it
    /// ([`ErrorCode::disposition`]). Codes with several spellings across WeChat Pay's documents
    /// (`NOAUTH` / `NO_AUTH`, `SYSTEMERROR` / `SYSTEM_ERROR`, the rate-limit family) map to one
    /// variant.
    ///
    /// ```
    /// use wechatpay_sansio::v3::response::ErrorCode;
    /// assert_eq!(ErrorCode::from_wire("NOAUTH"), ErrorCode::NoAuth);
    /// assert_eq!(ErrorCode::from_wire("RATELIMIT_EXCEEDED"), ErrorCode::FrequencyLimited);
    /// assert_eq!(ErrorCode::from_wire("NEW_CODE"), ErrorCode::Other("NEW_CODE".into()));
    /// ```
    pub enum ErrorCode {
        /// `INVALID_REQUEST`: against the business rules (customs: the payer's real-name ID is
        /// malformed, no declaration on record, customs not configured).
        InvalidRequest = "INVALID_REQUEST",
        /// `NOAUTH` / `NO_AUTH`: no permission for the product (customs: not filed with that
        /// office, self-clearance not enabled).
        NoAuth = "NOAUTH" | "NO_AUTH",
        /// `PARAM_ERROR`: a parameter is wrong or missing (see the `detail`).
        ParamError = "PARAM_ERROR",
        /// `SYSTEMERROR` / `SYSTEM_ERROR`: retry later with the same parameters.
        SystemError = "SYSTEMERROR" | "SYSTEM_ERROR",
        /// `USER_ACCOUNT_ABNORMAL`: the user's account is abnormal (customs: not registered with
        /// a mainland ID).
        UserAccountAbnormal = "USER_ACCOUNT_ABNORMAL",
        /// `SIGN_ERROR`: the request signature was rejected (key, serial or clock).
        SignError = "SIGN_ERROR",
        /// `FREQUENCY_LIMITED` and the other rate-limit spellings: slow down.
        FrequencyLimited =
            "FREQUENCY_LIMITED" | "RATELIMIT_EXCEEDED" | "RATE_LIMITED" | "FREQUENCY_LIMIT_EXCEED",
        /// `RESOURCE_NOT_EXISTS`: no such resource (on `/v3/certificates`: the merchant has no
        /// platform certificate; use the WeChat Pay public key).
        ResourceNotExists = "RESOURCE_NOT_EXISTS",
        /// `MCH_NOT_EXISTS`: no such merchant id.
        MchNotExists = "MCH_NOT_EXISTS",
        /// `APPID_MCHID_NOT_MATCH`: the appid is not bound to the merchant.
        AppidMchidNotMatch = "APPID_MCHID_NOT_MATCH",
        /// `ORDER_NOT_EXIST` / `ORDERNOTEXIST`: no such order.
        OrderNotExist = "ORDER_NOT_EXIST" | "ORDERNOTEXIST",
        /// `REQUEST_BLOCKED`: the request is blocked.
        RequestBlocked = "REQUEST_BLOCKED",
        /// `RULE_LIMIT` / `RULELIMIT`: a business rule limits the request.
        RuleLimit = "RULE_LIMIT" | "RULELIMIT",
        /// `BANK_ERROR` / `BANKERROR`: the bank failed; retry with the same parameters.
        BankError = "BANK_ERROR" | "BANKERROR",
        /// `SERVICE_UNAVAILABLE`: retry later.
        ServiceUnavailable = "SERVICE_UNAVAILABLE",
    }
);

impl ErrorCode {
    /// What to do about the code wherever it comes from: system, bank, availability and
    /// rate-limit codes are [`Disposition::Transient`]; sign, permission and merchant/appid
    /// codes are [`Disposition::Misconfigured`]; the rest (and unknown codes) are
    /// [`Disposition::Rejected`]. Where an endpoint or a message gives a code another meaning,
    /// [`ErrorReply::disposition`] says so.
    #[must_use]
    pub fn disposition(&self) -> Disposition {
        crate::disposition::v3_code(self.as_str())
    }
}

/// A v3 error reply, typed: what WeChat Pay answered with an error status. Not authenticated.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorReply {
    /// HTTP status.
    pub status: u16,
    /// The typed `code`.
    pub code: ErrorCode,
    /// WeChat Pay's message (for logs: the same code may carry several messages).
    pub message: String,
    /// The `detail` object, when present (its `value` is kept as personal data).
    pub detail: Option<ErrorDetail>,
    /// The path of the endpoint that answered, when known (the typed APIs and
    /// [`crate::v3::certificates::bootstrap`] set it; [`check`] cannot know it): some codes
    /// mean something else on some endpoints ([`ErrorReply::disposition`]).
    pub endpoint: Option<&'static str>,
}

impl ErrorReply {
    /// From a status and a parsed body (no endpoint: see [`ErrorReply::with_endpoint`]).
    #[must_use]
    pub fn new(status: u16, body: ErrorBody) -> Self {
        Self {
            status,
            code: ErrorCode::from_wire(&body.code),
            message: body.message,
            detail: body.detail,
            endpoint: None,
        }
    }

    /// The same reply, known to come from the endpoint at `path`.
    ///
    /// ```
    /// use wechatpay_sansio::error::Disposition;
    /// use wechatpay_sansio::v3::{certificates, response::{ErrorBody, ErrorReply}};
    /// let body = ErrorBody::parse(br#"{"code":"RESOURCE_NOT_EXISTS","message":"m"}"#)?;
    /// let reply = ErrorReply::new(404, body);
    /// assert_eq!(reply.disposition(), Disposition::Rejected); // no such resource
    /// // On the certificate download: no platform certificate, use the WeChat Pay public key.
    /// let reply = reply.with_endpoint(certificates::PATH);
    /// assert_eq!(reply.disposition(), Disposition::Misconfigured);
    /// # Ok::<(), wechatpay_sansio::v3::response::ErrorBodyError>(())
    /// ```
    #[must_use]
    pub fn with_endpoint(mut self, path: &'static str) -> Self {
        self.endpoint = Some(path);
        self
    }

    /// What to do about it: the per-endpoint and per-message meanings first (customs
    /// `INVALID_REQUEST` 海关配置未设置 and `RESOURCE_NOT_EXISTS` on `/v3/certificates` are
    /// [`Disposition::Misconfigured`]); a key WeChat Pay rejected
    /// ([`ErrorReply::is_key_rejected`]) is [`Disposition::Misconfigured`]; otherwise by code
    /// ([`ErrorCode::disposition`]), and an unknown code on a 429 or 5xx is
    /// [`Disposition::Transient`].
    #[must_use]
    pub fn disposition(&self) -> Disposition {
        crate::disposition::v3_error(
            self.endpoint,
            self.status,
            self.code.as_str(),
            !matches!(self.code, ErrorCode::Other(_)),
            &self.message,
        )
    }

    /// Whether WeChat Pay refused the platform key this crate named (`Wechatpay-Serial`:
    /// `PARAM_ERROR` 平台证书序列号Wechatpay-Serial错误) or could not decrypt a field encrypted
    /// with it: refresh the platform certificates (or the WeChat Pay public key).
    ///
    /// ```
    /// use wechatpay_sansio::v3::response::{ErrorBody, ErrorReply};
    /// // A real reply (tests/data/real/INDEX.md: wechatpay-apache-httpclient#47).
    /// let body = r#"{"code":"PARAM_ERROR","message":"平台证书序列号Wechatpay-Serial错误"}"#;
    /// assert!(ErrorReply::new(400, ErrorBody::parse(body.as_bytes())?).is_key_rejected());
    /// # Ok::<(), wechatpay_sansio::v3::response::ErrorBodyError>(())
    /// ```
    #[must_use]
    pub fn is_key_rejected(&self) -> bool {
        crate::disposition::v3_key_rejected(self.endpoint, self.code.as_str(), &self.message)
    }
}

impl fmt::Display for ErrorReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Unauthenticated text: escaped and capped (a forged reply must not forge log lines).
        write!(
            f,
            "HTTP {} {}: {}",
            self.status,
            Shown(self.code.as_str()),
            Shown(&self.message)
        )?;
        if let Some(d) = &self.detail {
            write!(
                f,
                " (field {}, issue {})",
                Shown(d.field.as_deref().unwrap_or("?")),
                Shown(d.issue.as_deref().unwrap_or("?"))
            )?;
        }
        Ok(())
    }
}

/// Why a reply was not accepted.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// WeChat Pay answered with an error status and a v3 error body (boxed: it is large).
    #[error("{0}")]
    Failure(Box<ErrorReply>),
    /// An error status whose body is not a v3 error object (a gateway page, an empty body…).
    #[error("HTTP {status} with a body that is not a v3 error object")]
    UnreadableError {
        /// HTTP status.
        status: u16,
        /// Why the body could not be read.
        #[source]
        reason: ErrorBodyError,
    },
    /// A 2xx reply whose signature did not verify.
    #[error(transparent)]
    Verify(#[from] VerifyError),
}

impl Classify for ResponseError {
    /// A failure per [`ErrorReply::disposition`]; an unreadable error body by its status (429
    /// and 5xx [`Disposition::Transient`], else [`Disposition::Untrusted`]); a signature
    /// failure [`Disposition::Untrusted`].
    fn disposition(&self) -> Disposition {
        match self {
            Self::Failure(f) => f.disposition(),
            Self::UnreadableError { status, .. }
                if crate::disposition::transient_status(*status) =>
            {
                Disposition::Transient
            }
            Self::UnreadableError { .. } | Self::Verify(_) => Disposition::Untrusted,
        }
    }

    /// A signature failure's own reason ([`VerifyError`]'s); the default otherwise.
    fn distrust(&self) -> Option<Distrust> {
        match self {
            Self::Verify(e) => e.distrust(),
            Self::Failure(_) | Self::UnreadableError { .. } => {
                tampered_if_untrusted(self.disposition())
            }
        }
    }
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

/// Check a v3 reply: verify 2xx replies with `verifier` at `now`, type the others
/// ([`ResponseError::Failure`]).
///
/// # Errors
/// See [`ResponseError`].
pub fn check<'a>(
    response: ResponseRef<'a>,
    verifier: &Verifier<'a>,
    now: UnixTime,
) -> Result<Verified<'a>, ResponseError> {
    let status = response.status.as_u16();
    if !response.status.is_success() {
        return Err(match ErrorBody::parse(response.body) {
            Ok(body) => ResponseError::Failure(Box::new(ErrorReply::new(status, body))),
            Err(reason) => ResponseError::UnreadableError { status, reason },
        });
    }
    let key_id = verifier.verify(response.headers, response.body, now)?;
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
        // The error example of the customs verify-certificate document (seed 002), byte for
        // byte: tab-indented, as published.
        let body = "{\n\t\"code\": \"INVALID_REQUEST\",\n\t\"message\": \"Parameter format verification error\",\n\t\"detail\": {\n\t\t\"field\": \"#/properties/payer\",\n\t\t\"value\": \"1346177081915535577\",\n\t\t\"issue\": \"与ALLOF schema不符\",\n\t\t\"location\": \"body\"\n\t}\n}";
        let e = ErrorBody::parse(body.as_bytes()).unwrap();
        assert_eq!(e.code, "INVALID_REQUEST");
        assert_eq!(e.message, "Parameter format verification error");
        let d = e.detail.clone().unwrap();
        assert_eq!(d.field.as_deref(), Some("#/properties/payer"));
        assert_eq!(
            d.value.as_ref().map(Personal::expose_secret),
            Some("1346177081915535577")
        );
        assert_eq!(d.issue.as_deref(), Some("与ALLOF schema不符"));
        assert_eq!(d.location.as_deref(), Some("body"));
        assert!(d.sign_information.is_none());
        let r = ErrorReply::new(400, e);
        assert_eq!(r.code, ErrorCode::InvalidRequest);
        assert_eq!(r.disposition(), Disposition::Rejected);
    }

    fn reply(status: u16, code: &str, message: &str) -> ErrorReply {
        let body = serde_json::json!({ "code": code, "message": message }).to_string();
        ErrorReply::new(status, ErrorBody::parse(body.as_bytes()).unwrap())
    }

    #[test]
    fn meanings_are_keyed_by_endpoint_code_and_message() {
        use Disposition::{Misconfigured, Rejected};
        let customs = "/v3/global/customs/verify-certificate";
        let other =
            "/v3/ecommerce/individual-contracts/pre-entrust-sign-with-real-name-identity/app";
        let certs = crate::v3::certificates::PATH;
        for (endpoint, status, code, message, want, key) in [
            (
                Some(customs),
                400,
                "INVALID_REQUEST",
                "海关配置未设置",
                Misconfigured,
                false,
            ),
            (
                Some(customs),
                400,
                "INVALID_REQUEST",
                "海关申报记录不存在",
                Rejected,
                false,
            ),
            (
                None,
                400,
                "INVALID_REQUEST",
                "海关配置未设置",
                Rejected,
                false,
            ),
            (
                Some(other),
                400,
                "INVALID_REQUEST",
                "海关配置未设置",
                Rejected,
                false,
            ),
            (
                Some(customs),
                400,
                "NOAUTH",
                "海关配置未设置",
                Misconfigured,
                false,
            ),
            (
                Some(certs),
                404,
                "RESOURCE_NOT_EXISTS",
                "无可用的平台证书",
                Misconfigured,
                false,
            ),
            (
                Some(customs),
                404,
                "RESOURCE_NOT_EXISTS",
                "无可用的平台证书",
                Rejected,
                false,
            ),
            (
                None,
                404,
                "RESOURCE_NOT_EXISTS",
                "无可用的平台证书",
                Rejected,
                false,
            ),
            (
                None,
                400,
                "PARAM_ERROR",
                "平台证书序列号Wechatpay-Serial错误",
                Misconfigured,
                true,
            ),
            (
                Some(customs),
                400,
                "PARAM_ERROR",
                "平台证书序列号Wechatpay-Serial错误",
                Misconfigured,
                true,
            ),
            (
                Some(customs),
                400,
                "PARAM_ERROR",
                "HTTP header缺少微信支付平台证书序列号(Wechatpay-Serial)",
                Rejected,
                false,
            ),
            (
                Some(customs),
                400,
                "PARAM_ERROR",
                "参数错误：certificate_id解密失败",
                Misconfigured,
                true,
            ),
            (
                Some(customs),
                400,
                "SIGN_ERROR",
                "Wechatpay-Serial错误",
                Misconfigured,
                false,
            ),
        ] {
            let mut r = reply(status, code, message);
            if let Some(e) = endpoint {
                r = r.with_endpoint(e);
            }
            assert_eq!(
                (r.disposition(), r.is_key_rejected()),
                (want, key),
                "{endpoint:?} {code} {message}"
            );
        }
    }

    #[test]
    fn error_paths() {
        let headers = http::HeaderMap::new();
        let store = crate::keys::KeyStore::new();
        let v = Verifier::new(&store);
        let now = UnixTime::EPOCH;
        let r = check(
            ResponseRef::new(
                http::StatusCode::BAD_REQUEST,
                &headers,
                br#"{"code":"PARAM_ERROR","message":"m","detail":{"value":123}}"#,
            ),
            &v,
            now,
        );
        match r {
            Err(ResponseError::Failure(a)) => {
                assert_eq!(a.status, 400);
                assert_eq!(a.code, ErrorCode::ParamError);
                assert_eq!(a.disposition(), Disposition::Rejected);
                assert_eq!(a.detail.unwrap().value.unwrap().expose_secret(), "123");
            }
            other => panic!("{other:?}"),
        }
        let r = check(
            ResponseRef::new(http::StatusCode::BAD_GATEWAY, &headers, b"<html>"),
            &v,
            now,
        );
        assert!(matches!(
            r,
            Err(ResponseError::UnreadableError {
                status: 502,
                reason: ErrorBodyError::Json { .. }
            })
        ));
        assert_eq!(r.unwrap_err().disposition(), Disposition::Transient);
        let big = vec![b' '; MAX_ERROR_BODY + 1];
        assert_eq!(
            ErrorBody::parse(&big),
            Err(ErrorBodyError::TooLarge(MAX_ERROR_BODY + 1))
        );
        let r = check(
            ResponseRef::new(http::StatusCode::OK, &headers, b"{}"),
            &v,
            now,
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
