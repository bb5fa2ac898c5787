//! [`ApiError`]: why a typed API call failed. It wraps the errors of the layers below
//! (`#[error(transparent)]`, `#[from]`) rather than copying their variants, so a lower layer's
//! message and disposition are the ones the user sees. [`Failure`] is a view of WeChat Pay's own
//! failure answer, wherever it sits: a v2 `return_code` / `result_code` FAIL inside
//! [`ReplyError`], a v3 error reply inside [`ResponseError`], an OAuth `retcode`, a
//! `nameautheasy` error code.

use crate::cipher::CipherError;
use crate::disposition::{self, transient_status};
use crate::error::{Classify, Disposition, Distrust, tampered_if_untrusted};
use crate::keys::KeyError;
use crate::merchant::NotConfigured;
use crate::untrusted_text::{Shown, shown};
use crate::v2::reply::{ErrCode, ReplyError};
use crate::v2::request::V2RequestError;
use crate::v3::request::V3RequestError;
use crate::v3::response::{ErrorReply, ResponseError};
use crate::validate::FieldError;
use core::fmt;

crate::wire::open_enum!(
    /// The `retcode` of an OAuth reply (`appauth/getaccesstoken`) other than `0`: a number in
    /// the documents, sometimes a string in practice (`"参数错误"` with a sign failure).
    ///
    /// ```
    /// use wechatpay_sansio::api::Retcode;
    /// assert_eq!(Retcode::from_wire("-1"), Retcode::Failed);
    /// assert_eq!(Retcode::from_wire("132819002"), Retcode::CodeNotFound);
    /// ```
    pub enum Retcode {
        /// `-1`: the request failed (see `retmsg`).
        Failed = "-1",
        /// `132819002` (CODE_NOT_FOUND): the `code` expired or was used — start the
        /// authorization again.
        CodeNotFound = "132819002",
    }
);

impl Retcode {
    /// What to do: a signature failure (`retmsg` 商户签名验证失败, or a retcode such as 参数错误)
    /// is [`Disposition::Misconfigured`]; anything else [`Disposition::Rejected`] (get a new
    /// code from the user).
    #[must_use]
    pub fn disposition(&self, retmsg: &str) -> Disposition {
        disposition::oauth(self.as_str(), !matches!(self, Self::Other(_)), retmsg)
    }
}

crate::wire::open_enum!(
    /// An `error_code` of the legacy `nameautheasy` API that is a failure of the call (the
    /// 其他 rows of its table; the F-letter codes are outcomes, see
    /// [`crate::api::nameauth::NameAuthStatus`]).
    ///
    /// ```
    /// use wechatpay_sansio::api::NameAuthCode;
    /// use wechatpay_sansio::error::Disposition;
    /// assert_eq!(NameAuthCode::from_wire("1007"), NameAuthCode::IpNotAuthorized);
    /// assert_eq!(NameAuthCode::from_wire("42").disposition(), Disposition::Transient); // 系统错误
    /// ```
    pub enum NameAuthCode {
        /// `1000` 参数中有空值 — a parameter is empty.
        EmptyParameter = "1000",
        /// `1001` src 参数错误 — `src` is not the one assigned.
        InvalidSrc = "1001",
        /// `1002` 签名验证错误 — the sign was rejected (wrong key, or the other hex case).
        SignatureRejected = "1002",
        /// `1007` IP 未授权 — the caller's IP is not allow-listed.
        IpNotAuthorized = "1007",
    }
);

impl NameAuthCode {
    /// `1000`, `1001`, `1002`, `1007` are [`Disposition::Misconfigured`]; any other code is the
    /// document's 系统错误: [`Disposition::Transient`].
    #[must_use]
    pub fn disposition(&self) -> Disposition {
        disposition::nameauth(self.as_str())
    }
}

/// WeChat Pay's answer that the call failed (see [`ApiError::failure`]): a well-formed failure
/// reply of the API, borrowed from the error that carries it. A v2 business failure of a signed
/// endpoint has been verified; every other failure answer is unauthenticated: report it, never
/// act on it as a fact.
///
/// ```
/// use wechatpay_sansio::api::{ApiError, Failure};
/// use wechatpay_sansio::v2::reply::ReplyError;
/// let e = ApiError::from(ReplyError::ReturnFail {
///     return_code: "FAIL".into(),
///     return_msg: Some("签名错误".into()),
/// });
/// assert!(matches!(e.failure(), Some(Failure::Return { return_msg: Some("签名错误"), .. })));
/// assert_eq!(e.failure().map(|f| f.to_string()).as_deref(), Some("return_code FAIL: 签名错误"));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure<'a> {
    /// v2 `return_code` other than `SUCCESS`: the request was not accepted (sign, parameters,
    /// mutual TLS, IP allow-list, rate limits).
    Return {
        /// `return_code` (normally `FAIL`).
        return_code: &'a str,
        /// `return_msg`, WeChat Pay's explanation.
        return_msg: Option<&'a str>,
    },
    /// v2 `result_code=FAIL`.
    Business {
        /// `err_code` (`error_code` on the fraud host).
        err_code: Option<&'a ErrCode>,
        /// `err_code_des` (`error_code_des`; `return_msg` where the endpoint puts the reason
        /// there).
        err_code_des: Option<&'a str>,
    },
    /// A v3 error reply.
    V3(&'a ErrorReply),
    /// An OAuth `retcode` other than 0.
    OAuth {
        /// `retcode`.
        retcode: &'a Retcode,
        /// `retmsg`.
        retmsg: &'a str,
    },
    /// A `nameautheasy` error code.
    NameAuth(&'a NameAuthCode),
}

impl Failure<'_> {
    /// Whether WeChat Pay refused the key this crate encrypted with or named: it could not
    /// decrypt a field, or (v3) the `Wechatpay-Serial` names no key it holds. The key used is
    /// stale or wrong: for `querymchrisk`, fetch the risk key again with
    /// [`crate::api::getpublickey`]; for v3 APIs, refresh the platform certificates.
    #[must_use]
    pub fn is_key_rejected(&self) -> bool {
        match self {
            Self::Return { return_msg, .. } => disposition::text_rejects_key(*return_msg),
            Self::Business { err_code_des, .. } => disposition::text_rejects_key(*err_code_des),
            Self::V3(r) => r.is_key_rejected(),
            Self::OAuth { .. } | Self::NameAuth(_) => false,
        }
    }
}

/// Every piece of received text is shown escaped and capped (control characters escaped): a
/// forged failure reply cannot forge log lines.
impl fmt::Display for Failure<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Return {
                return_code,
                return_msg,
            } => write!(
                f,
                "return_code {}: {}",
                Shown(return_code),
                shown(*return_msg)
            ),
            Self::Business {
                err_code,
                err_code_des,
            } => write!(
                f,
                "result_code FAIL: {} {}",
                Shown(err_code.map_or("-", ErrCode::as_str)),
                shown(*err_code_des)
            ),
            Self::V3(r) => r.fmt(f),
            Self::OAuth { retcode, retmsg } => {
                write!(f, "retcode {}: {}", Shown(retcode.as_str()), Shown(retmsg))
            }
            Self::NameAuth(c) => write!(f, "nameautheasy error_code {}", Shown(c.as_str())),
        }
    }
}

/// Why a typed API call failed. One type for every API, wrapping the layers below; no variant
/// carries a name, an ID number, a token or a key. WeChat Pay's own failure answers are read
/// with [`ApiError::failure`]; what to do about any error with [`Classify`].
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// A request field is invalid (checked before any cryptography).
    #[error(transparent)]
    Field(#[from] FieldError),
    /// The merchant context lacks what this API needs.
    #[error(transparent)]
    NotConfigured(#[from] NotConfigured),
    /// No WeChat Pay key to encrypt with at `now` (refresh the platform certificates, or add the
    /// WeChat Pay public key), or only a kind of key the API does not accept.
    #[error("no WeChat Pay key to encrypt with: {0}")]
    NoEncryptionKey(&'static str),
    /// The caller's RNG failed (drawing a nonce).
    #[error("the random number generator failed")]
    Rng,
    /// A personal field could not be encrypted.
    #[error("cannot encrypt {field}")]
    Encrypt {
        /// The field.
        field: &'static str,
        /// Why.
        #[source]
        source: CipherError,
    },
    /// The v2 request could not be built.
    #[error(transparent)]
    V2Request(#[from] V2RequestError),
    /// The v3 request could not be built or signed.
    #[error(transparent)]
    V3Request(#[from] V3RequestError),
    /// A v3 notification could not be verified or decrypted.
    #[error(transparent)]
    Notify(crate::v3::notify::NotifyError),
    /// The `multipart/form-data` body of a media upload could not be built.
    #[error(transparent)]
    Multipart(#[from] crate::v3::media::MultipartError),
    /// A platform-certificate download was not accepted (its reply did not verify, a
    /// certificate did not decrypt or parse) or it is WeChat Pay's v3 error reply
    /// ([`ApiError::failure`]).
    #[error(transparent)]
    Download(#[from] crate::v3::certificates::DownloadError),
    /// The client pay-sign (JSAPI / App parameters) could not be made.
    #[error(transparent)]
    PaySign(#[from] crate::paysign::PaySignError),
    /// A v2 reply was not accepted — not a flat XML document, unsigned or badly signed on a
    /// signed endpoint, folded, without or with other identifying fields — or it is WeChat
    /// Pay's v2 failure answer ([`ApiError::failure`]).
    #[error(transparent)]
    V2Reply(#[from] ReplyError),
    /// A v3 reply was not accepted — its signature did not verify, or an error status with a
    /// body that is not a v3 error object — or it is WeChat Pay's v3 error reply
    /// ([`ApiError::failure`]).
    #[error(transparent)]
    V3Reply(#[from] ResponseError),
    /// An OAuth reply with a `retcode` other than 0 (WeChat Pay's failure answer).
    #[error("retcode {}: {}", Shown(retcode.as_str()), Shown(retmsg))]
    OAuth {
        /// `retcode`.
        retcode: Retcode,
        /// `retmsg`.
        retmsg: String,
    },
    /// A `nameautheasy` reply with an error code that is a failure of the call (WeChat Pay's
    /// failure answer).
    #[error("nameautheasy error_code {}", Shown(.0.as_str()))]
    NameAuth(NameAuthCode),
    /// A v2 reply with an HTTP status outside 2xx (v2 replies come with 200; a 4xx is usually
    /// the gateway refusing the client certificate or the path).
    #[error("HTTP status {0}")]
    HttpStatus(u16),
    /// A field a v3 or JSON success reply must carry is absent or empty.
    #[error("the reply has no {}", Shown(.0))]
    MissingField(String),
    /// A field of a v3 or JSON reply that identifies the request differs from what was sent.
    #[error("the reply's {} differs from the request's", Shown(.0))]
    Mismatch(String),
    /// A field of the reply has the wrong form (an expiry that is not a non-negative integer…).
    #[error("the reply's {0} is malformed")]
    InvalidField(&'static str),
    /// A count of indexed records (`refundquery`'s `refund_count`) that does not match the
    /// records the reply carries: an index missing, one more, one written otherwise, or a count
    /// above what the API allows.
    #[error("the reply's {field} says {declared} records but it carries {present}")]
    RecordCount {
        /// The count field.
        field: &'static str,
        /// The count it declares.
        declared: u64,
        /// The number of distinct record indices present.
        present: usize,
    },
    /// A key served in a reply (`risk/getpublickey`'s `pub_key`) is not an RSA-2048 public key.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A JSON reply that does not have the documented shape (position of the JSON error).
    #[error("the reply is not the documented JSON object (line {line}, column {column})")]
    Json {
        /// Line of the JSON error.
        line: usize,
        /// Column of the JSON error.
        column: usize,
    },
    /// A `nameautheasy` reply that is neither JSON nor `callback(`JSON`)`.
    #[error("the reply is neither JSON nor JSONP")]
    NotJson,
    /// A reply larger than the API's limit.
    #[error("the reply is {len} bytes, more than the {max} accepted")]
    TooLarge {
        /// Reply length.
        len: usize,
        /// The limit.
        max: usize,
    },
}

impl ApiError {
    /// WeChat Pay's failure answer, if that is what this is.
    #[must_use]
    pub fn failure(&self) -> Option<Failure<'_>> {
        match self {
            Self::V2Reply(ReplyError::ReturnFail {
                return_code,
                return_msg,
            }) => Some(Failure::Return {
                return_code,
                return_msg: return_msg.as_deref(),
            }),
            Self::V2Reply(ReplyError::BusinessFail {
                err_code,
                err_code_des,
            }) => Some(Failure::Business {
                err_code: err_code.as_ref(),
                err_code_des: err_code_des.as_deref(),
            }),
            Self::V3Reply(ResponseError::Failure(r))
            | Self::Download(crate::v3::certificates::DownloadError::Response(
                ResponseError::Failure(r),
            )) => Some(Failure::V3(r)),
            Self::OAuth { retcode, retmsg } => Some(Failure::OAuth { retcode, retmsg }),
            Self::NameAuth(c) => Some(Failure::NameAuth(c)),
            _ => None,
        }
    }

    /// Whether WeChat Pay refused the key this crate encrypted with or named (see
    /// [`Failure::is_key_rejected`]): for `querymchrisk` a stale risk key, for v3 APIs stale
    /// platform certificates.
    #[must_use]
    pub fn is_key_rejected(&self) -> bool {
        self.failure().is_some_and(|f| f.is_key_rejected())
    }

    /// Parse a reply's JSON strictly ([`crate::json::from_slice`]): UTF-8 throughout.
    pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Self> {
        crate::json::from_slice(bytes).map_err(|p| Self::Json {
            line: p.line,
            column: p.column,
        })
    }

    pub(crate) fn json(e: &serde_json::Error) -> Self {
        Self::Json {
            line: e.line(),
            column: e.column(),
        }
    }
}

impl Classify for ApiError {
    /// The wrapped error's disposition; validation errors are [`Disposition::Rejected`]; OAuth
    /// and `nameautheasy` failure answers per [`Retcode::disposition`] and
    /// [`NameAuthCode::disposition`]; a v2 HTTP status by status (429 and 5xx
    /// [`Disposition::Transient`], else [`Disposition::Misconfigured`]); everything about a
    /// reply that cannot be trusted or read is [`Disposition::Untrusted`].
    fn disposition(&self) -> Disposition {
        match self {
            Self::Field(e) => e.disposition(),
            Self::NotConfigured(e) => e.disposition(),
            Self::NoEncryptionKey(_) => Disposition::Misconfigured,
            Self::Rng => Disposition::Transient,
            Self::Encrypt { source, .. } => source.disposition(),
            Self::V2Request(e) => e.disposition(),
            Self::V3Request(e) => e.disposition(),
            Self::PaySign(e) => e.disposition(),
            Self::Multipart(e) => e.disposition(),
            Self::Download(e) => e.disposition(),
            Self::Notify(e) => e.disposition(),
            Self::V2Reply(e) => e.disposition(),
            Self::V3Reply(e) => e.disposition(),
            Self::OAuth { retcode, retmsg } => retcode.disposition(retmsg),
            Self::NameAuth(c) => c.disposition(),
            Self::HttpStatus(s) if transient_status(*s) => Disposition::Transient,
            Self::HttpStatus(_) => Disposition::Misconfigured,
            Self::MissingField(_)
            | Self::Mismatch(_)
            | Self::InvalidField(_)
            | Self::RecordCount { .. }
            | Self::Key(_)
            | Self::Json { .. }
            | Self::NotJson
            | Self::TooLarge { .. } => Disposition::Untrusted,
        }
    }

    /// The wrapped v3 error's reason (a signature failure says probe, clock, key rotation or
    /// tampered); [`Distrust::Tampered`] for the other untrusted replies (v2 included: a v2
    /// reply's only reason is tampering).
    fn distrust(&self) -> Option<Distrust> {
        match self {
            Self::V3Reply(e) => e.distrust(),
            Self::Notify(e) => e.distrust(),
            Self::Download(e) => e.distrust(),
            _ => tampered_if_untrusted(self.disposition()),
        }
    }
}
