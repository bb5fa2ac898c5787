//! Legacy 实名认证查询 — `GET https://api.mch.weixin.qq.com/cgi-bin/nameauth/nameautheasy`
//! (seed 001, a 2015 PDF; SPEC §4).
//!
//! This API has its own rules, unlike the generic v2 signature:
//! - the secret is a [`NameAuthKey`] assigned together with `src` — **not** the APIv2 key;
//! - `sign` = MD5 of `appid=…&creid=…&cretype=…&openid=…&src=…&truename=…&key=…` — exactly those
//!   six parameters, sorted, raw values (`type` and `sign` do not take part);
//! - the hex case is **unverified**: the document says only "的 md5 值", with no upper-casing step
//!   (unlike the v2 rules), and a bare `md5()` in PHP and most languages gives lower case. So
//!   [`HexCase::Lower`] is the default and [`HexCase::Upper`] is available if WeChat Pay asks
//!   for it (a `1002` 签名验证错误 reply is the sign to try the other case);
//! - the values are signed raw and percent-encoded (UTF-8) for the URL;
//! - the reply is unsigned JSON or JSONP (any callback name), mapped to the status letters A–F of
//!   the document ([`NameAuthStatus`]); error codes `1000`/`1001`/`1002`/`1007` and unknown
//!   codes are [`ServiceError`]s. The service also checks the caller's IP against an allow-list.
//!
//! ```
//! use wechatpay_sansio::api::nameauth::*;
//! use wechatpay_sansio::secret::Personal;
//! let key = NameAuthKey::new("TESTONLYnameauthKey")?; // assigned by WeChat Pay with `src`
//! let req = NameAuthRequest::new("wx2421b1c4370ec43b", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "test",
//!                                Personal::new("张三"), Personal::new("11010519491231002X"));
//! let http = req.build(&key)?;
//! let q = http.uri().query().unwrap();
//! assert!(q.starts_with("appid=wx2421b1c4370ec43b&openid=oUpF8uMuAJO_M2pxb1Q9zNjWeS6o&src=test\
//!                        &truename=%E5%BC%A0%E4%B8%89&creid=11010519491231002X&cretype=1&sign="));
//! assert!(q.ends_with("&type=json"));
//!
//! let headers = http::HeaderMap::new();
//! let reply = br#"cb({"error_code":0,"nameauth_status":"1","name_mask":"","notmatch_param":"1%7C2"});"#;
//! let out = req.parse_reply(wechatpay_sansio::request::ResponseRef::new(http::StatusCode::OK, &headers, reply))?;
//! assert_eq!(out.status, NameAuthStatus::NameAndIdMismatch);
//! assert_eq!(out.status.letter(), Some('D'));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::v2_common::{self, NumOrStr};
use crate::api::validate::{self, FieldError};
use crate::request::{Request, ResponseRef, USER_AGENT};
use crate::secret::{Personal, REDACTED};
use crate::v2::SignType;
use crate::v2::request::{V2RequestError, encode_query};
use crate::v2::sign::{Sign, sign_with_key};
use core::fmt;
use http::Method;
use http::header::{ACCEPT, USER_AGENT as UA};
use zeroize::Zeroizing;

/// Path of the endpoint.
pub const PATH: &str = "/cgi-bin/nameauth/nameautheasy";
/// URL of the endpoint.
pub const URL: &str = "https://api.mch.weixin.qq.com/cgi-bin/nameauth/nameautheasy";

/// Longest key accepted (its length is not documented; this only refuses garbage).
pub const MAX_KEY_LEN: usize = 256;

/// The secret `key` WeChat Pay assigns together with `src` for this API (not the APIv2 key; its
/// length is not fixed). Redacted in `Debug`/`Display`, zeroized on drop.
///
/// ```
/// use wechatpay_sansio::api::nameauth::NameAuthKey;
/// let k = NameAuthKey::new("secret")?;
/// assert_eq!(format!("{k:?}"), "NameAuthKey(<redacted>)");
/// assert!(NameAuthKey::new("").is_err());
/// assert!(NameAuthKey::new("has space").is_err());
/// # Ok::<(), wechatpay_sansio::api::validate::FieldError>(())
/// ```
#[derive(Clone)]
pub struct NameAuthKey(Zeroizing<String>);

impl NameAuthKey {
    /// Wrap the key: 1–256 visible ASCII characters.
    ///
    /// # Errors
    /// [`FieldError::Missing`], [`FieldError::Length`], [`FieldError::Charset`] (field `key`;
    /// the key is never echoed).
    pub fn new(key: impl Into<String>) -> Result<Self, FieldError> {
        let key = Zeroizing::new(key.into());
        v2_common::token("key", &key, MAX_KEY_LEN)?;
        Ok(Self(key))
    }

    fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for NameAuthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NameAuthKey({REDACTED})")
    }
}

impl fmt::Display for NameAuthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Hex case of the MD5 `sign` (see the module documentation: unverified, lower by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HexCase {
    /// `0-9a-f` (what a bare `md5()` returns).
    #[default]
    Lower,
    /// `0-9A-F` (the generic v2 rule).
    Upper,
}

/// The reply format (`type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReplyType {
    /// `json`.
    #[default]
    Json,
    /// `jsonp` (the callback parameter is undocumented; any callback name is accepted back).
    Jsonp,
}

impl ReplyType {
    /// The wire spelling.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Jsonp => "jsonp",
        }
    }
}

/// An error code of the service (the 其他 rows of the document's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum ServiceError {
    /// `1000` 参数中有空值 — a parameter is empty.
    #[error("nameautheasy error 1000: a parameter is empty")]
    EmptyParameter,
    /// `1001` src 参数错误 — `src` is not the one assigned.
    #[error("nameautheasy error 1001: src is wrong")]
    InvalidSrc,
    /// `1002` 签名验证错误 — the signature does not verify (wrong key, or try the other [`HexCase`]).
    #[error("nameautheasy error 1002: signature rejected (wrong key or hex case)")]
    SignatureRejected,
    /// `1007` IP 未授权 — the caller's IP is not allow-listed.
    #[error("nameautheasy error 1007: caller IP not authorised")]
    IpNotAuthorized,
    /// Any other code: 系统错误.
    #[error("nameautheasy system error {0}")]
    System(i64),
}

impl ServiceError {
    /// The numeric code.
    #[must_use]
    pub const fn code(self) -> i64 {
        match self {
            Self::EmptyParameter => 1000,
            Self::InvalidSrc => 1001,
            Self::SignatureRejected => 1002,
            Self::IpNotAuthorized => 1007,
            Self::System(c) => c,
        }
    }

    /// The error for a non-zero code that is not one of the F-letter codes.
    #[must_use]
    pub const fn from_code(code: i64) -> Self {
        match code {
            1000 => Self::EmptyParameter,
            1001 => Self::InvalidSrc,
            1002 => Self::SignatureRejected,
            1007 => Self::IpNotAuthorized,
            c => Self::System(c),
        }
    }
}

/// Why the user is an F (非实名认证用户).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnverifiedReason {
    /// `nameauth_status` 3 (这个直接判断失败就可以).
    Status3,
    /// `nameauth_status` 4 — foreign card (外国卡).
    ForeignCard,
    /// `nameauth_status` 5 — the bank does not support real-name checks.
    BankNotSupported,
    /// `error_code` 51100001 — 财付通帐号未注册 (payment account not registered).
    AccountNotRegistered,
    /// `error_code` 51100002 — 未实名认证 (never verified).
    NotVerified,
    /// `error_code` 51068401 — 不存在的用户 (no such user).
    NoSuchUser,
}

/// The outcome, as the letters of the document's table. Advice per letter: B/C/D ask the user to
/// re-enter the name / ID / both; E and F ask the user to bind another bank card.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NameAuthStatus {
    /// A — 实名验证通过: verified and matching.
    Verified,
    /// B — 姓名错误: the name does not match (`notmatch_param` 1).
    NameMismatch,
    /// C — 身份证错误: the ID number does not match (`notmatch_param` 2).
    IdMismatch,
    /// D — 姓名和身份证都错误: neither matches (`notmatch_param` `1|2`, shown `1%7C2` in the doc).
    NameAndIdMismatch,
    /// E — 非实名认证用户，但输入的身份证和姓名匹配: only checked against the national ID database
    /// (`nameauth_status` 2); name and ID match, but it is not certain the user is that person.
    UnverifiedButMatching,
    /// F — 非实名认证用户.
    Unverified(UnverifiedReason),
    /// `error_code` 0 with a combination the document does not list (kept verbatim).
    Other {
        /// `nameauth_status` as received.
        nameauth_status: String,
        /// `notmatch_param` as received.
        notmatch_param: String,
    },
}

impl NameAuthStatus {
    /// Map `(error_code, nameauth_status, notmatch_param)` per the document's table.
    ///
    /// ```
    /// use wechatpay_sansio::api::nameauth::*;
    /// assert_eq!(NameAuthStatus::from_reply(0, "1", ""), Ok(NameAuthStatus::Verified));
    /// assert_eq!(NameAuthStatus::from_reply(0, "1", "1|2"), Ok(NameAuthStatus::NameAndIdMismatch));
    /// assert_eq!(NameAuthStatus::from_reply(51068401, "", ""),
    ///            Ok(NameAuthStatus::Unverified(UnverifiedReason::NoSuchUser)));
    /// assert_eq!(NameAuthStatus::from_reply(1007, "", ""), Err(ServiceError::IpNotAuthorized));
    /// assert_eq!(NameAuthStatus::from_reply(42, "", ""), Err(ServiceError::System(42)));
    /// ```
    ///
    /// # Errors
    /// [`ServiceError`] for every non-zero code other than 51100001, 51100002, 51068401.
    pub fn from_reply(
        error_code: i64,
        nameauth_status: &str,
        notmatch_param: &str,
    ) -> Result<Self, ServiceError> {
        use UnverifiedReason as R;
        Ok(match error_code {
            0 => match (nameauth_status, notmatch_param) {
                ("1", "") => Self::Verified,
                ("1", "1") => Self::NameMismatch,
                ("1", "2") => Self::IdMismatch,
                ("1", d) if d == "1|2" || d.eq_ignore_ascii_case("1%7C2") => {
                    Self::NameAndIdMismatch
                }
                ("2", "") => Self::UnverifiedButMatching,
                ("3", "") => Self::Unverified(R::Status3),
                ("4", "") => Self::Unverified(R::ForeignCard),
                ("5", "") => Self::Unverified(R::BankNotSupported),
                (s, n) => Self::Other {
                    nameauth_status: s.to_owned(),
                    notmatch_param: n.to_owned(),
                },
            },
            51_100_001 => Self::Unverified(R::AccountNotRegistered),
            51_100_002 => Self::Unverified(R::NotVerified),
            51_068_401 => Self::Unverified(R::NoSuchUser),
            c => return Err(ServiceError::from_code(c)),
        })
    }

    /// The document's letter (`A`–`F`); `None` for [`NameAuthStatus::Other`].
    #[must_use]
    pub const fn letter(&self) -> Option<char> {
        match self {
            Self::Verified => Some('A'),
            Self::NameMismatch => Some('B'),
            Self::IdMismatch => Some('C'),
            Self::NameAndIdMismatch => Some('D'),
            Self::UnverifiedButMatching => Some('E'),
            Self::Unverified(_) => Some('F'),
            Self::Other { .. } => None,
        }
    }
}

/// Why `nameautheasy` could not be built or its reply not read. Never carries the name, the ID
/// number, the key or the masked name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameAuthError {
    /// A request field is invalid.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// The request could not be built.
    #[error("building the request: {0}")]
    Build(#[from] V2RequestError),
    /// The reply has an HTTP status outside 2xx.
    #[error("HTTP status {0}")]
    HttpStatus(u16),
    /// The body is neither a JSON object nor `callback(` JSON `)`.
    #[error("the reply is neither JSON nor JSONP")]
    NotJson,
    /// The reply is larger than [`MAX_REPLY`].
    #[error("the reply is {0} bytes, more than the {max} accepted", max = MAX_REPLY)]
    TooLarge(usize),
    /// The JSON does not have the expected shape.
    #[error("the reply is not the expected JSON (line {line}, column {column})")]
    Json {
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
    },
    /// `error_code` is missing.
    #[error("the reply has no {0}")]
    MissingReplyField(&'static str),
    /// A field of the reply has the wrong form (`error_code` not an integer).
    #[error("the reply's {0} is malformed")]
    InvalidReplyField(&'static str),
    /// The service answered with an error code (the 其他 rows of the table).
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// A `nameautheasy` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAuthRequest {
    /// appid (1–32 visible ASCII).
    pub appid: String,
    /// The user's openid (1–128 visible ASCII).
    pub openid: String,
    /// `src`, assigned by WeChat Pay with the key (1–64 visible ASCII).
    pub src: String,
    /// `truename`, UTF-8 (1–64 characters, no control characters).
    pub truename: Personal,
    /// `creid`, the ID number (1–32 visible ASCII; with `cretype` 1 a GB 11643-1999 number
    /// ending in upper-case `X`, never `x`).
    pub creid: Personal,
    /// `cretype` (the document: "默认填 1"; 1–9999).
    pub cretype: u16,
    /// `type`.
    pub reply_type: ReplyType,
    /// Hex case of `sign`.
    pub hex_case: HexCase,
}

impl NameAuthRequest {
    /// A request with `cretype` 1, `type=json` and lower-case hex.
    #[must_use]
    pub fn new(
        appid: impl Into<String>,
        openid: impl Into<String>,
        src: impl Into<String>,
        truename: Personal,
        creid: Personal,
    ) -> Self {
        Self {
            appid: appid.into(),
            openid: openid.into(),
            src: src.into(),
            truename,
            creid,
            cretype: 1,
            reply_type: ReplyType::Json,
            hex_case: HexCase::Lower,
        }
    }

    /// Check every field (runs before any hashing).
    ///
    /// # Errors
    /// [`FieldError`] naming the first invalid field.
    pub fn validate(&self) -> Result<(), FieldError> {
        v2_common::appid("appid", &self.appid)?;
        v2_common::token("openid", &self.openid, 128)?;
        v2_common::token("src", &self.src, 64)?;
        v2_common::text("truename", self.truename.expose(), 1, 64)?;
        v2_common::token("creid", self.creid.expose(), 32)?;
        if !(1..=9999).contains(&self.cretype) {
            return Err(FieldError::NotInEnum {
                field: "cretype",
                allowed: "1..=9999",
            });
        }
        if self.cretype == 1 {
            validate::mainland_id("creid", self.creid.expose(), true)?;
        }
        Ok(())
    }

    /// The `sign` value: MD5 over the six sorted parameters and `&key=`, in [`Self::hex_case`].
    ///
    /// # Errors
    /// [`NameAuthError::Field`].
    pub fn sign(&self, key: &NameAuthKey) -> Result<Sign, NameAuthError> {
        self.validate()?;
        self.sign_unchecked(key)
    }

    fn sign_unchecked(&self, key: &NameAuthKey) -> Result<Sign, NameAuthError> {
        let cretype = self.cretype.to_string();
        let s = sign_with_key(
            [
                ("appid", self.appid.as_str()),
                ("creid", self.creid.expose()),
                ("cretype", cretype.as_str()),
                ("openid", self.openid.as_str()),
                ("src", self.src.as_str()),
                ("truename", self.truename.expose()),
            ],
            key.bytes(),
            SignType::Md5,
        )
        .map_err(V2RequestError::from)?;
        Ok(match self.hex_case {
            HexCase::Lower => s.to_ascii_lowercase(),
            HexCase::Upper => s,
        })
    }

    /// Validate, then build the GET to [`URL`]
    /// (`appid, openid, src, truename, creid, cretype, sign, type`, values percent-encoded).
    ///
    /// # Errors
    /// [`NameAuthError::Field`], [`NameAuthError::Build`].
    pub fn build(&self, key: &NameAuthKey) -> Result<Request, NameAuthError> {
        self.validate()?;
        self.build_at(URL, key)
    }

    fn build_at(&self, url: &str, key: &NameAuthKey) -> Result<Request, NameAuthError> {
        let sign = self.sign_unchecked(key)?;
        let cretype = self.cretype.to_string();
        let query = Zeroizing::new(encode_query(&[
            ("appid", &self.appid),
            ("openid", &self.openid),
            ("src", &self.src),
            ("truename", self.truename.expose()),
            ("creid", self.creid.expose()),
            ("cretype", &cretype),
            ("sign", sign.as_str()),
            ("type", self.reply_type.as_str()),
        ]));
        let full = Zeroizing::new(format!("{url}?{}", query.as_str()));
        Ok(Request::new(Method::GET, &full, Vec::new())
            .map_err(V2RequestError::from)?
            .static_header(
                ACCEPT,
                "application/json, application/javascript, text/plain",
            )
            .static_header(UA, USER_AGENT))
    }

    /// Read the (unsigned) JSON or JSONP reply.
    ///
    /// # Errors
    /// [`NameAuthError::HttpStatus`], [`NameAuthError::NotJson`], [`NameAuthError::Json`],
    /// [`NameAuthError::MissingReplyField`], [`NameAuthError::InvalidReplyField`],
    /// [`NameAuthError::Service`].
    pub fn parse_reply(&self, response: ResponseRef<'_>) -> Result<NameAuthOutcome, NameAuthError> {
        parse_reply(response)
    }
}

/// The answer of `nameautheasy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAuthOutcome {
    /// The letter of the document's table.
    pub status: NameAuthStatus,
    /// `name_mask` (meaning undocumented; presumably the masked registered name), possibly empty.
    pub name_mask: Personal,
}

#[derive(serde::Deserialize)]
struct RawReply {
    error_code: Option<NumOrStr>,
    nameauth_status: Option<NumOrStr>,
    name_mask: Option<String>,
    notmatch_param: Option<NumOrStr>,
}

/// The JSON inside `callback(` … `)` with an optional `;`, or the body itself if it is an object.
/// Largest reply accepted (the documented reply is under 100 bytes).
pub const MAX_REPLY: usize = 64 * 1024;

fn unwrap_jsonp(body: &[u8]) -> Option<&[u8]> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let body = body.trim_ascii();
    if body.first() == Some(&b'{') {
        return Some(body);
    }
    let ident_len = body
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.')))?;
    let (ident, rest) = body.split_at(ident_len);
    if ident.is_empty() || ident.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let rest = rest.trim_ascii_start().strip_prefix(b"(")?;
    let rest = rest.trim_ascii_end();
    let rest = rest.strip_suffix(b";").unwrap_or(rest).trim_ascii_end();
    let inner = rest.strip_suffix(b")")?.trim_ascii();
    (inner.first() == Some(&b'{')).then_some(inner)
}

/// Read an (unsigned) JSON or JSONP reply without the request at hand — the reply carries nothing
/// of the request, so this is exactly what [`NameAuthRequest::parse_reply`] does.
///
/// ```
/// use wechatpay_sansio::api::nameauth::{self, NameAuthError, NameAuthStatus, ServiceError};
/// use wechatpay_sansio::request::ResponseRef;
/// let headers = http::HeaderMap::new();
/// let ok = r#"{"error_code":"0","nameauth_status":1,"name_mask":"*三","notmatch_param":""}"#;
/// let out = nameauth::parse_reply(ResponseRef::new(http::StatusCode::OK, &headers, ok.as_bytes()))?;
/// assert_eq!(out.status, NameAuthStatus::Verified);
/// assert_eq!(out.name_mask.to_string(), "<redacted>"); // personal: never displayed
/// let ip = br#"jsonp1({"error_code":1007})"#;
/// assert_eq!(nameauth::parse_reply(ResponseRef::new(http::StatusCode::OK, &headers, ip)),
///            Err(NameAuthError::Service(ServiceError::IpNotAuthorized)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`NameAuthRequest::parse_reply`].
pub fn parse_reply(response: ResponseRef<'_>) -> Result<NameAuthOutcome, NameAuthError> {
    v2_common::success_status(response.status).map_err(NameAuthError::HttpStatus)?;
    if response.body.len() > MAX_REPLY {
        return Err(NameAuthError::TooLarge(response.body.len()));
    }
    let json = unwrap_jsonp(response.body).ok_or(NameAuthError::NotJson)?;
    let raw: RawReply = serde_json::from_slice(json).map_err(|e| {
        let (line, column) = v2_common::json_position(&e);
        NameAuthError::Json { line, column }
    })?;
    let name_mask = Personal::new(raw.name_mask.unwrap_or_default());
    let error_code = raw
        .error_code
        .ok_or(NameAuthError::MissingReplyField("error_code"))?
        .as_i64()
        .ok_or(NameAuthError::InvalidReplyField("error_code"))?;
    let text = |v: Option<NumOrStr>| v.map(|v| v.to_text()).unwrap_or_default();
    let status = NameAuthStatus::from_reply(
        error_code,
        &text(raw.nameauth_status),
        &text(raw.notmatch_param),
    )?;
    Ok(NameAuthOutcome { status, name_mask })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonp_shapes() {
        let ok: &[&[u8]] = &[
            b"{\"a\":1}",
            b"  cb({\"a\":1})",
            b"jQuery123_456 ( {\"a\":1} ) ;\n",
            b"$.x({\"a\":1});",
            b"\xEF\xBB\xBF{\"a\":1}",
        ];
        for b in ok {
            assert_eq!(unwrap_jsonp(b), Some(&b"{\"a\":1}"[..]), "{b:?}");
        }
        let bad: &[&[u8]] = &[
            b"",
            b"cb",
            b"cb({\"a\":1}",
            b"1cb({})",
            b"cb([1])",
            b"(cb)({})",
            b"<html>",
        ];
        for b in bad {
            assert_eq!(unwrap_jsonp(b), None, "{b:?}");
        }
    }

    #[test]
    fn build_error_is_reported() {
        let key = NameAuthKey::new("k").unwrap();
        let req = NameAuthRequest::new(
            "wx1",
            "o",
            "s",
            Personal::new("张三"),
            Personal::new("11010519491231002X"),
        );
        assert!(matches!(
            req.build_at("http://x/", &key),
            Err(NameAuthError::Build(V2RequestError::Request(_)))
        ));
        assert_eq!(format!("{key}"), REDACTED);
        assert_eq!(ServiceError::System(5).code(), 5);
        assert_eq!(ServiceError::from_code(1000).code(), 1000);
    }
}
