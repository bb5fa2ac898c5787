//! The five identity-verification APIs (`realnameauth`, `nameauth`, `customs`, `pre_entrust`,
//! `querymchrisk`) and the two calls they depend on (`oauth` for the `realnameauth` access
//! token, `getpublickey` for the `querymchrisk` key), as typed operations, all of one shape.
//!
//! | module | API | protocol |
//! |---|---|---|
//! | [`realnameauth`] | 实名验证 `secsvc/realnameauth` | v2 XML, MD5 / HMAC-SHA256, signed reply |
//! | [`oauth`] | its OAuth steps (authorize URL, `appauth/getaccesstoken`) | v2 signed GET, JSON reply |
//! | [`nameauth`] | legacy 实名认证查询 `nameautheasy` | MD5 query sign, JSON / JSONP |
//! | [`customs`] | 身份信息校验 `v3/global/customs/verify-certificate` | v3, PKCS#1 v1.5 fields |
//! | [`pre_entrust`] | 预签约(实名) `…/pre-entrust-sign-with-real-name-identity/…` | v3, OAEP fields |
//! | [`querymchrisk`] | 风险商户核查 `mchrisk/querymchrisk` | v2 HMAC-SHA256, OAEP fields, mTLS |
//! | [`getpublickey`] | its key, `risk/getpublickey` | v2, mTLS |
//!
//! Every request type has the same shape: `XxxRequest::new(required…)` plus public optional
//! fields; [`Operation::build`] validates (before any cryptography) and produces the sans-IO
//! [`Request`]; [`Operation::parse_reply`] checks the reply — status, signature, the fields that
//! tie it to the request — and reads the typed outcome. Both take the [`Merchant`] context and
//! the time; `build` takes the RNG that draws nonces (and, under RustCrypto, RSA randomness; the
//! `aws-lc-rs` backend does not consult it for RSA). Each module also has a `read_reply`
//! function for a reply without its request at hand (a log), which checks everything but the
//! echoes of the request.
//!
//! Every failure is one [`ApiError`]; WeChat Pay's own failure answers are one [`Failure`];
//! both answer "what now?" through [`Classify`].
//!
//! ```
//! use wechatpay_sansio::api::{Operation, nameauth::{NameAuthRequest, NameAuthStatus}};
//! use wechatpay_sansio::{request::ResponseRef, secret::Personal, simulator::Simulator, time::UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let sim = Simulator::new();
//! let merchant = sim.merchant();                                     // TEST ONLY keys
//! let now = UnixTime::from_secs(1_767_225_600);
//! let req = NameAuthRequest::new("wx2421b1c4370ec43b", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
//!                                Personal::new("张三"), Personal::new("11010519491231002X"));
//! let http = req.build(&merchant, &mut rng, now)?;                  // send it with any client …
//! let reply = sim.handle(&http.into_http(), now, &mut rng, &Default::default());
//! let out = req.parse_reply(&merchant, ResponseRef::from_http(&reply), now)?;
//! assert_eq!(out.status, NameAuthStatus::Verified);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod customs;
pub mod getpublickey;
pub mod nameauth;
pub mod oauth;
pub mod pre_entrust;
pub mod querymchrisk;
pub mod realnameauth;
mod v2_common;
mod v3_common;

use crate::cipher::CipherError;
use crate::error::{
    Classify, Disposition, Distrust, KEY_REJECTED, tampered_if_untrusted, transient_status,
};
use crate::keys::KeyError;
use crate::merchant::{Merchant, NotConfigured};
use crate::request::{Request, ResponseRef};
use crate::time::UnixTime;
use crate::untrusted_text::{Shown, shown};
use crate::v2::reply::{ErrCode, ReplyError, business_disposition, return_fail_disposition};
use crate::v2::request::V2RequestError;
use crate::v2::sign::SignError;
use crate::v2::xml::XmlError;
use crate::v3::request::V3RequestError;
use crate::v3::response::{ErrorBodyError, ErrorReply, ResponseError};
use crate::v3::verify::VerifyError;
use crate::validate::FieldError;
use core::fmt;
use rand_core::TryCryptoRng;

/// The shape every typed API has.
pub trait Operation {
    /// What a successful reply means.
    type Outcome;

    /// Validate the request (before any cryptography) and build the signed sans-IO request for
    /// `merchant` at `now`. `rng` draws the nonce and, under the RustCrypto backend, the RSA
    /// randomness (blinding, padding); under `aws-lc-rs` the RSA operations do not consult it.
    ///
    /// # Errors
    /// [`ApiError::Field`], [`ApiError::NotConfigured`], [`ApiError::NoEncryptionKey`],
    /// [`ApiError::Rng`], [`ApiError::Encrypt`], [`ApiError::V2Request`],
    /// [`ApiError::V3Request`].
    fn build<R: TryCryptoRng + ?Sized>(
        &self,
        merchant: &Merchant,
        rng: &mut R,
        now: UnixTime,
    ) -> Result<Request, ApiError>;

    /// Check the reply to this request — status, signature (with the clock at receipt, `now`),
    /// the fields that identify the request — and read the outcome.
    ///
    /// # Errors
    /// [`ApiError::Failure`] for WeChat Pay's failure answers; the other variants when the reply
    /// cannot be trusted or read.
    fn parse_reply(
        &self,
        merchant: &Merchant,
        response: ResponseRef<'_>,
        now: UnixTime,
    ) -> Result<Self::Outcome, ApiError>;
}

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
        if retmsg.contains("签名") || matches!(self, Self::Other(s) if s.contains("参数")) {
            Disposition::Misconfigured
        } else if retmsg.contains("系统繁忙") || retmsg.contains("稍后") {
            Disposition::Transient
        } else {
            Disposition::Rejected
        }
    }
}

crate::wire::open_enum!(
    /// An `error_code` of the legacy `nameautheasy` API that is a failure of the call (the
    /// 其他 rows of its table; the F-letter codes are outcomes, see
    /// [`nameauth::NameAuthStatus`]).
    ///
    /// ```
    /// use wechatpay_sansio::api::NameAuthCode;
    /// assert_eq!(NameAuthCode::from_wire("1007"), NameAuthCode::IpNotAuthorized);
    /// assert!(NameAuthCode::from_wire("42").is_retryable()); // 系统错误
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
        match self {
            Self::Other(_) => Disposition::Transient,
            _ => Disposition::Misconfigured,
        }
    }

    /// Whether retrying the same request later may succeed.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        self.disposition().is_retryable()
    }
}

/// WeChat Pay's answer that the call failed: a well-formed failure reply of the API. Not
/// authenticated (failure replies are not signed): report it, never act on it as a fact.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // boxed where it travels (`ApiError::Failure(Box<Failure>)`)
pub enum Failure {
    /// v2 `return_code` other than `SUCCESS`: the request was not accepted (sign, parameters,
    /// mutual TLS, IP allow-list, rate limits).
    Return {
        /// `return_code` (normally `FAIL`).
        return_code: String,
        /// `return_msg`, WeChat Pay's explanation.
        return_msg: Option<String>,
    },
    /// v2 `result_code=FAIL`.
    Business {
        /// `err_code` (`error_code` on the fraud host).
        err_code: Option<ErrCode>,
        /// `err_code_des` (`error_code_des`).
        err_code_des: Option<String>,
    },
    /// A v3 error reply.
    V3(ErrorReply),
    /// An OAuth `retcode` other than 0.
    OAuth {
        /// `retcode`.
        retcode: Retcode,
        /// `retmsg`.
        retmsg: String,
    },
    /// A `nameautheasy` error code.
    NameAuth(NameAuthCode),
}

impl Failure {
    /// What to do about it (see [`ErrCode::disposition`], [`ErrorReply::disposition`] — where
    /// the per-endpoint meanings of v3 codes are —, [`return_fail_disposition`]); a key WeChat
    /// Pay rejected ([`Failure::is_key_rejected`]) is [`Disposition::Misconfigured`] whatever
    /// the code.
    #[must_use]
    pub fn disposition(&self) -> Disposition {
        if self.is_key_rejected() {
            return Disposition::Misconfigured;
        }
        match self {
            Self::Return { return_msg, .. } => return_fail_disposition(return_msg.as_deref()),
            Self::Business {
                err_code,
                err_code_des,
            } => business_disposition(err_code.as_ref(), err_code_des.as_deref()),
            Self::V3(r) => r.disposition(),
            Self::OAuth { retcode, retmsg } => retcode.disposition(retmsg),
            Self::NameAuth(c) => c.disposition(),
        }
    }

    /// Whether retrying the same request later may succeed.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        self.disposition().is_retryable()
    }

    /// Whether WeChat Pay refused the key this crate encrypted with or named: it could not
    /// decrypt a field, or (v3) the `Wechatpay-Serial` names no key it holds
    /// ([`ErrorReply::is_key_rejected`]). The key used is stale or wrong: for `querymchrisk`,
    /// fetch the risk key again with [`getpublickey`]; for v3 APIs, refresh the platform
    /// certificates.
    ///
    /// ```
    /// use wechatpay_sansio::api::Failure;
    /// use wechatpay_sansio::v3::response::{ErrorBody, ErrorReply};
    /// let body = r#"{"code":"PARAM_ERROR","message":"平台证书序列号Wechatpay-Serial错误"}"#;
    /// let f = Failure::V3(ErrorReply::new(400, ErrorBody::parse(body.as_bytes())?));
    /// assert!(f.is_key_rejected());
    /// # Ok::<(), wechatpay_sansio::v3::response::ErrorBodyError>(())
    /// ```
    #[must_use]
    pub fn is_key_rejected(&self) -> bool {
        let text = match self {
            Self::Return { return_msg, .. } => return_msg.as_deref(),
            Self::Business { err_code_des, .. } => err_code_des.as_deref(),
            Self::V3(r) => return r.is_key_rejected(),
            Self::OAuth { .. } | Self::NameAuth(_) => None,
        };
        text.is_some_and(|t| KEY_REJECTED.iter().any(|k| t.contains(k)))
    }
}

/// Every piece of received text is shown escaped and capped ([`crate::untrusted_text`]): a
/// forged failure reply cannot forge log lines.
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Return {
                return_code,
                return_msg,
            } => write!(
                f,
                "return_code {}: {}",
                Shown(return_code),
                shown(return_msg.as_deref())
            ),
            Self::Business {
                err_code,
                err_code_des,
            } => write!(
                f,
                "result_code FAIL: {} {}",
                Shown(err_code.as_ref().map_or("-", ErrCode::as_str)),
                shown(err_code_des.as_deref())
            ),
            Self::V3(r) => r.fmt(f),
            Self::OAuth { retcode, retmsg } => {
                write!(f, "retcode {}: {}", Shown(retcode.as_str()), Shown(retmsg))
            }
            Self::NameAuth(c) => write!(f, "nameautheasy error_code {}", Shown(c.as_str())),
        }
    }
}

/// Why a typed API call failed. One type for every API; no variant carries a name, an ID
/// number, a token or a key.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// A request field is invalid (checked before any cryptography).
    #[error(transparent)]
    Field(#[from] FieldError),
    /// The merchant context lacks what this API needs.
    #[error("the merchant has no {0} configured")]
    NotConfigured(&'static str),
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
    /// WeChat Pay answered that the call failed.
    #[error("{0}")]
    Failure(Box<Failure>),
    /// A v2 reply with an HTTP status outside 2xx (v2 replies come with 200; a 4xx is usually
    /// the gateway refusing the client certificate or the path).
    #[error("HTTP status {0}")]
    HttpStatus(u16),
    /// A v2 reply that is not a flat XML document.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// A v2 reply's `sign` is missing, malformed or wrong.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// A signed v2 reply that another reading of its signed string changes (see
    /// [`crate::v2::fold`]).
    #[error(
        "another reading of the signed reply changes {}: it may have been folded; refused",
        Shown(field)
    )]
    PossibleFold {
        /// The field another reading changes.
        field: String,
    },
    /// A field a success reply must carry is absent or empty.
    #[error("the reply has no {}", Shown(.0))]
    MissingField(String),
    /// A field that identifies the request differs from what was sent.
    #[error("the reply's {} differs from the request's", Shown(.0))]
    Mismatch(String),
    /// A field of the reply has the wrong form (an expiry that is not a non-negative integer…).
    #[error("the reply's {0} is malformed")]
    InvalidField(&'static str),
    /// A v3 reply's signature did not verify.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// A key served in a reply (`risk/getpublickey`'s `pub_key`) is not an RSA-2048 public key.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// An error status whose body is not a v3 error object (a gateway page, an empty body…).
    #[error("HTTP {status} with a body that is not a v3 error object")]
    UnreadableError {
        /// HTTP status.
        status: u16,
        /// Why the body could not be read.
        #[source]
        reason: ErrorBodyError,
    },
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
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Self::Failure(f) => Some(f),
            _ => None,
        }
    }

    /// Whether WeChat Pay refused the key this crate encrypted with or named (see
    /// [`Failure::is_key_rejected`]): for `querymchrisk` a stale risk key, for v3 APIs stale
    /// platform certificates.
    #[must_use]
    pub fn is_key_rejected(&self) -> bool {
        self.failure().is_some_and(Failure::is_key_rejected)
    }

    pub(crate) fn failure_of(f: Failure) -> Self {
        Self::Failure(Box::new(f))
    }

    pub(crate) fn json(e: &serde_json::Error) -> Self {
        Self::Json {
            line: e.line(),
            column: e.column(),
        }
    }
}

impl Classify for ApiError {
    /// Validation errors are [`Disposition::Rejected`]; missing configuration
    /// [`Disposition::Misconfigured`]; WeChat Pay's failures per [`Failure::disposition`];
    /// building errors as the wrapped error; a v2 HTTP status by status (429 and 5xx
    /// [`Disposition::Transient`], else [`Disposition::Misconfigured`]); an unreadable error body
    /// likewise ([`Disposition::Untrusted`] for a 4xx); everything about a reply that cannot be
    /// trusted or read is [`Disposition::Untrusted`].
    fn disposition(&self) -> Disposition {
        match self {
            Self::Field(e) => e.disposition(),
            Self::NotConfigured(_) | Self::NoEncryptionKey(_) => Disposition::Misconfigured,
            Self::Rng => Disposition::Transient,
            Self::Encrypt { source, .. } => source.disposition(),
            Self::V2Request(e) => e.disposition(),
            Self::V3Request(e) => e.disposition(),
            Self::Failure(f) => f.disposition(),
            Self::HttpStatus(s) if transient_status(*s) => Disposition::Transient,
            Self::HttpStatus(_) => Disposition::Misconfigured,
            Self::UnreadableError { status, .. } if transient_status(*status) => {
                Disposition::Transient
            }
            Self::Xml(_)
            | Self::Sign(_)
            | Self::PossibleFold { .. }
            | Self::MissingField(_)
            | Self::Mismatch(_)
            | Self::InvalidField(_)
            | Self::Verify(_)
            | Self::Key(_)
            | Self::UnreadableError { .. }
            | Self::Json { .. }
            | Self::NotJson
            | Self::TooLarge { .. } => Disposition::Untrusted,
        }
    }

    /// A v3 signature failure's own reason ([`VerifyError`]'s: probe, clock, key rotation,
    /// tampered); [`Distrust::Tampered`] for the other untrusted replies.
    fn distrust(&self) -> Option<Distrust> {
        match self {
            Self::Verify(e) => e.distrust(),
            _ => tampered_if_untrusted(self.disposition()),
        }
    }
}

impl From<NotConfigured> for ApiError {
    fn from(e: NotConfigured) -> Self {
        Self::NotConfigured(e.0)
    }
}

impl From<ReplyError> for ApiError {
    fn from(e: ReplyError) -> Self {
        match e {
            ReplyError::Xml(e) => Self::Xml(e),
            ReplyError::MissingReturnCode => Self::MissingField("return_code".into()),
            ReplyError::ReturnFail {
                return_code,
                return_msg,
            } => Self::failure_of(Failure::Return {
                return_code,
                return_msg,
            }),
            ReplyError::MissingResultCode => Self::MissingField("result_code".into()),
            ReplyError::BusinessFail {
                err_code,
                err_code_des,
            } => Self::failure_of(Failure::Business {
                err_code,
                err_code_des,
            }),
            ReplyError::Sign(e) => Self::Sign(e),
            ReplyError::PossibleFold { field } => Self::PossibleFold { field },
            ReplyError::MissingField(f) => Self::MissingField(f),
            ReplyError::Mismatch(f) => Self::Mismatch(f),
        }
    }
}

impl From<ResponseError> for ApiError {
    fn from(e: ResponseError) -> Self {
        match e {
            ResponseError::Failure(r) => Self::failure_of(Failure::V3(*r)),
            ResponseError::UnreadableError { status, reason } => {
                Self::UnreadableError { status, reason }
            }
            ResponseError::Verify(v) => Self::Verify(v),
        }
    }
}
