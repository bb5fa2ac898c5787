//! 微信支付实名验证 — `POST https://fraud.mch.weixin.qq.com/secsvc/realnameauth` (seed 000,
//! SPEC §3): does the WeChat user behind `openid` match a real name and ID document?
//!
//! The service was announced as closed to new merchants on 2021-11-10 (wechatpay.im), while the
//! official v2 pages are still online; the protocol is kept here as documented.
//!
//! Flow: obtain an [`AccessToken`] with [`crate::api::oauth`], fill a [`RealNameAuthRequest`],
//! [`build`](RealNameAuthRequest::build) it (XML, signed with MD5 or HMAC-SHA256, `sign_type` sent
//! and signed), send it, and [`parse_reply`](RealNameAuthRequest::parse_reply): the reply is
//! **signed** and verified with the request's sign type.
//!
//! `real_name` and `cred_id` travel in clear inside the TLS body (no encryption is documented):
//! they are [`Personal`] here, and [`Request`]'s `Debug` never prints the body.
//!
//! ```
//! use wechatpay_sansio::api::oauth::AccessToken;
//! use wechatpay_sansio::api::realnameauth::*;
//! use wechatpay_sansio::{ids::{MchId, Nonce}, secret::{ApiV2Key, Personal}, v2::SignType};
//! let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?; // example key from the v2 docs
//! let req = RealNameAuthRequest {
//!     version: Version::V1_0,
//!     mch_id: MchId::new("1900000109")?,
//!     appid: "wx2421b1c4370ec43b".into(),
//!     openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into(),
//!     real_name: Personal::new("刘某某"),
//!     cred_type: CredType::IdCard,
//!     cred_id: Personal::new("11010519491231002X"),
//!     nonce_str: Nonce::new("5K8264ILTKCH16CQ2502SI8ZNMTM67VS")?,
//!     access_token: AccessToken::new("81_example"),
//!     sign_type: SignType::HmacSha256,
//! };
//! let http = req.build(&key)?;
//! assert_eq!(http.uri().to_string(), URL);
//! let body = std::str::from_utf8(http.body())?;
//! assert!(body.contains("<sign_type>HMAC-SHA256</sign_type>"));
//! assert!(!format!("{req:?}").contains("刘某某"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::oauth::{AccessToken, MAX_ACCESS_TOKEN_LEN};
use crate::api::v2_common;
use crate::api::validate::{self, FieldError};
use crate::ids::{MchId, Nonce};
use crate::request::{Request, ResponseRef};
use crate::secret::{ApiV2Key, Personal};
use crate::v2::SignType;
use crate::v2::reply::{self, Expect, ReplyError};
use crate::v2::request::{V2RequestError, post_xml};
use crate::v2::xml::XmlLimits;
use core::fmt;

/// Path of the endpoint.
pub const PATH: &str = "/secsvc/realnameauth";
/// URL of the endpoint (on the `fraud` host).
pub const URL: &str = "https://fraud.mch.weixin.qq.com/secsvc/realnameauth";

/// Interface version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// `1.0`.
    V1_0,
    /// `1.1` (`bind_bankcard` is returned from this version on, per WxJava).
    V1_1,
}

impl Version {
    /// The wire spelling.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V1_0 => "1.0",
            Self::V1_1 => "1.1",
        }
    }

    /// Parse the wire spelling.
    #[must_use]
    pub fn from_wire(s: &str) -> Option<Self> {
        match s {
            "1.0" => Some(Self::V1_0),
            "1.1" => Some(Self::V1_1),
            _ => None,
        }
    }
}

/// Document type (`cred_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredType {
    /// `1` 身份证 — mainland resident ID card (checked with GB 11643-1999).
    IdCard,
    /// `2` 护照 — passport.
    Passport,
    /// `5` 回乡证 — Mainland Travel Permit for Hong Kong and Macao Residents.
    HomeReturnPermit,
    /// `9` 台胞证 — Mainland Travel Permit for Taiwan Residents.
    TaiwanCompatriotPermit,
    /// `12` 外国人居留证 — foreigner's residence permit.
    ForeignerResidencePermit,
    /// `17` 港澳居民居住证 — residence permit for Hong Kong and Macao residents.
    HkMacaoResidencePermit,
    /// `18` 台湾居民居住证 — residence permit for Taiwan residents.
    TaiwanResidencePermit,
}

impl CredType {
    /// All documented values.
    pub const ALL: [Self; 7] = [
        Self::IdCard,
        Self::Passport,
        Self::HomeReturnPermit,
        Self::TaiwanCompatriotPermit,
        Self::ForeignerResidencePermit,
        Self::HkMacaoResidencePermit,
        Self::TaiwanResidencePermit,
    ];

    /// The wire value (`1`, `2`, `5`, `9`, `12`, `17`, `18`).
    ///
    /// ```
    /// use wechatpay_sansio::api::realnameauth::CredType;
    /// assert_eq!(CredType::HkMacaoResidencePermit.as_str(), "17");
    /// assert_eq!(CredType::from_wire("9"), Some(CredType::TaiwanCompatriotPermit));
    /// assert_eq!(CredType::from_wire("3"), None);
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::IdCard => "1",
            Self::Passport => "2",
            Self::HomeReturnPermit => "5",
            Self::TaiwanCompatriotPermit => "9",
            Self::ForeignerResidencePermit => "12",
            Self::HkMacaoResidencePermit => "17",
            Self::TaiwanResidencePermit => "18",
        }
    }

    /// Parse the wire value.
    #[must_use]
    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

macro_rules! open_enum {
    (
        $(#[$doc:meta])* $name:ident { $( $(#[$vdoc:meta])* $variant:ident = $wire:literal, )* }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )*
            /// A value this crate does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The wire spelling.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Other(s) => s,
                }
            }

            /// Parse a wire value; unknown values become `Other`.
            #[must_use]
            pub fn from_wire(s: &str) -> Self {
                match s {
                    $( $wire => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use open_enum;

open_enum!(
    /// One entry of `verify_openid` (the reply joins several with `;`).
    ///
    /// ```
    /// use wechatpay_sansio::api::realnameauth::VerifyOpenid;
    /// assert_eq!(VerifyOpenid::from_wire("V_OP_NM_MA"), VerifyOpenid::NameMatches);
    /// assert_eq!(VerifyOpenid::from_wire("V_NEW").as_str(), "V_NEW");
    /// ```
    VerifyOpenid {
        /// `V_OP_NA` 用户暂未实名认证 — the user has not completed real-name verification.
        NotVerified = "V_OP_NA",
        /// `V_OP_NM_MA` 用户与姓名匹配 — the user matches the name.
        NameMatches = "V_OP_NM_MA",
        /// `V_OP_NM_UM` 用户与姓名不匹配 — the user does not match the name.
        NameMismatch = "V_OP_NM_UM",
    }
);

open_enum!(
    /// `verify_real_name` (returned when `verify_openid` is `V_OP_NM_MA`).
    VerifyRealName {
        /// `V_NM_ID_MA` 姓名与证件号匹配 — name and document number match.
        IdMatches = "V_NM_ID_MA",
        /// `V_NM_ID_UM` 姓名与证件号不匹配 — they do not match.
        IdMismatch = "V_NM_ID_UM",
        /// `V_NM_ID_TYPE_UM` 证件类型不匹配 — the document type does not match.
        IdTypeMismatch = "V_NM_ID_TYPE_UM",
    }
);

open_enum!(
    /// `bind_bankcard` (returned when `verify_real_name` is `V_NM_ID_MA`, version 1.1).
    ///
    /// The wechatpay-openapi description's example value `V_NM_ID_MA` for this field is a documentation
    /// bug; such a value is kept as `Other`.
    BindBankcard {
        /// `YES` 绑定银行卡的实名认证 — verified through a bound bank card.
        Yes = "YES",
        /// `NO` 非绑定银行卡的实名认证 — verified otherwise.
        No = "NO",
    }
);

/// Why `realnameauth` could not be built or its reply not accepted. Never carries the name,
/// the document number or the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RealNameAuthError {
    /// A request field is invalid.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// The signed request could not be built.
    #[error("building the request: {0}")]
    Build(#[from] V2RequestError),
    /// The reply has an HTTP status outside 2xx.
    #[error("HTTP status {0} (v2 replies come with 200)")]
    HttpStatus(u16),
    /// The reply is not valid XML, has `return_code` FAIL, or its signature does not verify.
    #[error("realnameauth reply: {0}")]
    Reply(ReplyError),
    /// `result_code` FAIL. The body has not been authenticated at this point (FAIL replies are
    /// reported before the signature check, as the official SDKs do).
    #[error("realnameauth failed: error_code {}: {}",
        error_code.as_deref().unwrap_or("-"), error_code_des.as_deref().unwrap_or(""))]
    Business {
        /// `error_code` (or `err_code`), e.g. `20002`.
        error_code: Option<String>,
        /// `error_code_des` (or `err_code_des`), e.g. 商户号信息有误.
        error_code_des: Option<String>,
    },
    /// `verify_openid` is missing or empty in a success reply. (A missing or differing
    /// identifying field is [`ReplyError::MissingField`] / [`ReplyError::Mismatch`].)
    #[error("the reply has no {0}")]
    MissingReplyField(&'static str),
}

impl From<ReplyError> for RealNameAuthError {
    fn from(e: ReplyError) -> Self {
        match e {
            ReplyError::BusinessFail {
                err_code,
                err_code_des,
            } => Self::Business {
                error_code: err_code,
                error_code_des: err_code_des,
            },
            e => Self::Reply(e),
        }
    }
}

/// A `realnameauth` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealNameAuthRequest {
    /// Interface version.
    pub version: Version,
    /// Merchant id.
    pub mch_id: MchId,
    /// 公众账号ID (1–32 visible ASCII).
    pub appid: String,
    /// The user's openid under `appid` (1–128 visible ASCII).
    pub openid: String,
    /// 真实姓名, UTF-8 (1–64 characters, no control characters).
    pub real_name: Personal,
    /// Document type.
    pub cred_type: CredType,
    /// Document number (1–32 visible ASCII). For [`CredType::IdCard`] it must pass the
    /// GB 11643-1999 check digit and end in an upper-case `X`, never `x`: WeChat compares the
    /// number it holds, and a lower-case `x` would only produce a mismatch.
    pub cred_id: Personal,
    /// `nonce_str`.
    pub nonce_str: Nonce,
    /// The token from [`crate::api::oauth`] (1–128 visible ASCII).
    pub access_token: AccessToken,
    /// MD5 or HMAC-SHA256; sent as `sign_type`, signed, and used to verify the reply.
    pub sign_type: SignType,
}

impl RealNameAuthRequest {
    /// Check every field (runs before any signing).
    ///
    /// ```
    /// # use wechatpay_sansio::api::{oauth::AccessToken, realnameauth::*, validate::FieldError};
    /// # use wechatpay_sansio::{ids::{MchId, Nonce}, secret::Personal, v2::SignType};
    /// # let mut req = RealNameAuthRequest { version: Version::V1_1, mch_id: MchId::new("1900000109")?,
    /// #   appid: "wx2421b1c4370ec43b".into(), openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into(),
    /// #   real_name: Personal::new("刘某某"), cred_type: CredType::IdCard,
    /// #   cred_id: Personal::new("11010519491231002X"), nonce_str: Nonce::new("abc")?,
    /// #   access_token: AccessToken::new("81_x"), sign_type: SignType::Md5 };
    /// req.cred_id = Personal::new("440000000000000000"); // the seed's placeholder: bad check digit
    /// assert_eq!(req.validate(), Err(FieldError::IdNumber { field: "cred_id" }));
    /// req.cred_type = CredType::Passport; // no check digit for passports
    /// assert_eq!(req.validate(), Ok(()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`FieldError`] naming the first invalid field.
    pub fn validate(&self) -> Result<(), FieldError> {
        v2_common::appid("appid", &self.appid)?;
        v2_common::token("openid", &self.openid, 128)?;
        v2_common::text("real_name", self.real_name.expose(), 1, 64)?;
        v2_common::token("cred_id", self.cred_id.expose(), 32)?;
        if self.cred_type == CredType::IdCard {
            validate::mainland_id("cred_id", self.cred_id.expose(), true)?;
        }
        v2_common::token(
            "access_token",
            self.access_token.expose_secret(),
            MAX_ACCESS_TOKEN_LEN,
        )
    }

    /// Validate, then build the signed XML POST to [`URL`].
    ///
    /// # Errors
    /// [`RealNameAuthError::Field`], [`RealNameAuthError::Build`].
    pub fn build(&self, key: &ApiV2Key) -> Result<Request, RealNameAuthError> {
        self.validate()?;
        self.build_at(URL, key)
    }

    fn build_at(&self, url: &str, key: &ApiV2Key) -> Result<Request, RealNameAuthError> {
        let params = [
            ("version", self.version.as_str()),
            ("mch_id", self.mch_id.as_str()),
            ("appid", self.appid.as_str()),
            ("openid", self.openid.as_str()),
            ("real_name", self.real_name.expose()),
            ("cred_type", self.cred_type.as_str()),
            ("cred_id", self.cred_id.expose()),
            ("nonce_str", self.nonce_str.as_str()),
            ("access_token", self.access_token.expose_secret()),
            ("sign_type", self.sign_type.as_str()),
        ];
        Ok(post_xml(url, &params, key, self.sign_type, false)?)
    }

    /// Check the reply and read the outcome: status, XML, `return_code`, `result_code`
    /// (required), the signature with this request's sign type, no possible fold (see
    /// [`crate::v2::reply`]), and the identifying fields `mch_id`, `appid`, `openid` and
    /// `access_token` **present and equal** to this request's.
    ///
    /// # Errors
    /// See [`RealNameAuthError`].
    pub fn parse_reply(
        &self,
        response: ResponseRef<'_>,
        key: &ApiV2Key,
    ) -> Result<RealNameAuthOutcome, RealNameAuthError> {
        let echoes = [
            ("mch_id", self.mch_id.as_str()),
            ("appid", self.appid.as_str()),
            ("openid", self.openid.as_str()),
            ("access_token", self.access_token.expose_secret()),
        ];
        parse_checked(
            response,
            key,
            &Expect::signed(Some(self.sign_type)).echo(&echoes),
        )
    }
}

/// The fields of a success reply that tie it to its request (the official document lists each
/// as returned).
pub const IDENTIFYING_FIELDS: [&str; 4] = ["mch_id", "appid", "openid", "access_token"];

/// Check a reply without the request at hand (e.g. one copied from a log): status, XML,
/// `return_code`, `result_code`, the signature and the fold detector, then read the outcome.
///
/// `sign_type` is the sign type of the request the reply answers; `None` falls back to the
/// length of `sign` (32 hex characters MD5, 64 HMAC-SHA256). Unlike
/// [`RealNameAuthRequest::parse_reply`], the identifying fields ([`IDENTIFYING_FIELDS`]) are
/// only required to be present: compare the outcome's `mch_id`, `appid` and `openid` with what
/// you sent yourself.
///
/// ```
/// use wechatpay_sansio::api::realnameauth::{self, RealNameAuthError, VerifyOpenid};
/// use wechatpay_sansio::{request::ResponseRef, secret::ApiV2Key, v2::{SignType, sign}};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?; // example key from the v2 docs
/// let fields = [("return_code", "SUCCESS"), ("result_code", "SUCCESS"), ("mch_id", "1900000109"),
///               ("appid", "wx2421b1c4370ec43b"), ("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
///               ("access_token", "81_x"), ("verify_openid", "V_OP_NA")];
/// let s = sign::sign(fields, &key, SignType::Md5)?;
/// let mut body = String::from("<xml>");
/// for (k, v) in fields { body.push_str(&format!("<{k}>{v}</{k}>")); }
/// body.push_str(&format!("<sign>{s}</sign></xml>"));
/// let headers = http::HeaderMap::new();
/// let reply = ResponseRef::new(http::StatusCode::OK, &headers, body.as_bytes());
/// let out = realnameauth::parse_reply(reply, &key, Some(SignType::Md5))?;
/// assert_eq!(out.verify_openid, vec![VerifyOpenid::NotVerified]);
/// assert_eq!(out.openid, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
/// // The same body checked with the other sign type fails.
/// let reply = ResponseRef::new(http::StatusCode::OK, &headers, body.as_bytes());
/// assert!(matches!(realnameauth::parse_reply(reply, &key, Some(SignType::HmacSha256)),
///                  Err(RealNameAuthError::Reply(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`RealNameAuthError::HttpStatus`], [`RealNameAuthError::Reply`],
/// [`RealNameAuthError::Business`], [`RealNameAuthError::MissingReplyField`].
pub fn parse_reply(
    response: ResponseRef<'_>,
    key: &ApiV2Key,
    sign_type: Option<SignType>,
) -> Result<RealNameAuthOutcome, RealNameAuthError> {
    parse_checked(
        response,
        key,
        &Expect::signed(sign_type).require(&IDENTIFYING_FIELDS),
    )
}

/// The reply checks of both paths.
fn parse_checked(
    response: ResponseRef<'_>,
    key: &ApiV2Key,
    expect: &Expect<'_>,
) -> Result<RealNameAuthOutcome, RealNameAuthError> {
    v2_common::success_status(response.status).map_err(RealNameAuthError::HttpStatus)?;
    let fields = reply::parse_and_check(response.body, key, expect, &XmlLimits::default())?;
    let verify_openid: Vec<VerifyOpenid> = fields
        .get("verify_openid")
        .unwrap_or_default()
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(VerifyOpenid::from_wire)
        .collect();
    if verify_openid.is_empty() {
        return Err(RealNameAuthError::MissingReplyField("verify_openid"));
    }
    // Present on both paths (checked above).
    let id = |name: &str| fields.get(name).unwrap_or_default().to_owned();
    Ok(RealNameAuthOutcome {
        mch_id: id("mch_id"),
        appid: id("appid"),
        openid: id("openid"),
        verify_openid,
        verify_real_name: fields
            .get_non_empty("verify_real_name")
            .map(VerifyRealName::from_wire),
        bind_bankcard: fields
            .get_non_empty("bind_bankcard")
            .map(BindBankcard::from_wire),
    })
}

/// A verified `realnameauth` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealNameAuthOutcome {
    /// Merchant id, as echoed (present in every success reply).
    pub mch_id: String,
    /// appid, as echoed.
    pub appid: String,
    /// openid, as echoed.
    pub openid: String,
    /// `verify_openid`, split at `;`, in order; never empty.
    pub verify_openid: Vec<VerifyOpenid>,
    /// `verify_real_name`, when returned.
    pub verify_real_name: Option<VerifyRealName>,
    /// `bind_bankcard`, when returned.
    pub bind_bankcard: Option<BindBankcard>,
}

impl RealNameAuthOutcome {
    /// Whether the name matched the user **and** the document matched the name.
    ///
    /// ```
    /// use wechatpay_sansio::api::realnameauth::*;
    /// let o = RealNameAuthOutcome { mch_id: "1".into(), appid: "wx".into(), openid: "o".into(),
    ///     verify_openid: vec![VerifyOpenid::NameMatches],
    ///     verify_real_name: Some(VerifyRealName::IdMatches), bind_bankcard: Some(BindBankcard::Yes) };
    /// assert!(o.is_match());
    /// ```
    #[must_use]
    pub fn is_match(&self) -> bool {
        self.verify_openid.contains(&VerifyOpenid::NameMatches)
            && self.verify_real_name == Some(VerifyRealName::IdMatches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_error_is_reported() {
        let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
        let req = RealNameAuthRequest {
            version: Version::V1_0,
            mch_id: MchId::new("1900000109").unwrap(),
            appid: "wx2421b1c4370ec43b".into(),
            openid: "o".into(),
            real_name: Personal::new("刘某某"),
            cred_type: CredType::Passport,
            cred_id: Personal::new("E1234"),
            nonce_str: Nonce::new("n").unwrap(),
            access_token: AccessToken::new("t"),
            sign_type: SignType::Md5,
        };
        assert!(matches!(
            req.build_at("http://x/", &key),
            Err(RealNameAuthError::Build(V2RequestError::Request(_)))
        ));
        assert_eq!(Version::from_wire("1.1"), Some(Version::V1_1));
        assert_eq!(Version::from_wire("2"), None);
        assert_eq!(BindBankcard::No.to_string(), "NO");
    }
}
