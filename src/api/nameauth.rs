//! Legacy 实名认证查询 — `GET https://api.mch.weixin.qq.com/cgi-bin/nameauth/nameautheasy`
//! (a 2015 PDF document, the only source for this API).
//!
//! This API has its own rules, unlike the generic v2 signature:
//! - the secret is a [`NameAuthKey`] assigned together with `src` — **not** the APIv2 key (both
//!   live in the [`Merchant`]: [`Merchant::with_nameauth`]);
//! - `sign` = MD5 of `appid=…&creid=…&cretype=…&openid=…&src=…&truename=…&key=…` — exactly those
//!   six parameters, sorted, raw values (`type` and `sign` do not take part);
//! - the hex case is **unverified**: the document says only "的 md5 值", with no upper-casing step
//!   (unlike the v2 rules), and a bare `md5()` in PHP and most languages gives lower case. So
//!   [`HexCase::Lower`] is the default and [`HexCase::Upper`] is available if WeChat Pay asks
//!   for it (a `1002` 签名验证错误 reply is the sign to try the other case);
//! - the values are signed raw and percent-encoded (UTF-8) for the URL;
//! - the reply is unsigned JSON or JSONP (any callback name), mapped to the status letters A–F of
//!   the document ([`NameAuthStatus`]); error codes `1000`/`1001`/`1002`/`1007` and unknown
//!   codes are [`crate::api::ApiError::NameAuth`]. The service also checks the caller's IP against an
//!   allow-list.
//!
//! **What a reply does not prove.** The reply is unsigned and echoes nothing of the request (no
//! openid, no name, no ID number, no time): only the TLS connection it arrived on ties it to the
//! request. Safe use: take the answer of *this* HTTP exchange for *this* request only, one check
//! per request; never match replies to requests afterwards (from a log, a queue or a cache), and
//! never accept a reply relayed by a third party.
//!
//! ```
//! use wechatpay_sansio::api::{Operation, nameauth::*};
//! use wechatpay_sansio::{merchant::Merchant, request::ResponseRef, secret::{NameAuthKey, Personal},
//!     time::UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let merchant = Merchant::new("1900000109")?
//!     .with_nameauth("test", NameAuthKey::new("TESTONLYnameauthKey")?); // assigned by WeChat Pay
//! let now = UnixTime::from_secs(1_767_225_600);
//! let req = NameAuthRequest::new("wx2421b1c4370ec43b", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
//!                                Personal::new("张三"), Personal::new("11010519491231002X"));
//! let http = req.build(&merchant, &mut rng, now)?;
//! let q = http.uri().query().unwrap();
//! assert!(q.starts_with("appid=wx2421b1c4370ec43b&openid=oUpF8uMuAJO_M2pxb1Q9zNjWeS6o&src=test\
//!                        &truename=%E5%BC%A0%E4%B8%89&creid=11010519491231002X&cretype=1&sign="));
//! assert!(q.ends_with("&type=json"));
//!
//! let headers = http::HeaderMap::new();
//! let reply = br#"cb({"error_code":0,"nameauth_status":"1","name_mask":"","notmatch_param":"1%7C2"});"#;
//! let out = req.parse_reply(&merchant, ResponseRef::new(http::StatusCode::OK, &headers, reply), now)?;
//! assert_eq!(out.status, NameAuthStatus::NameAndIdMismatch);
//! assert_eq!(out.status.letter(), Some('D'));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::v2_common::{self, NumOrStr};
use crate::api::{ApiError, NameAuthCode, Operation};
use crate::api::{Echo, Endpoint, HttpMethod, Protocol};
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef, USER_AGENT};
use crate::secret::{NameAuthKey, Personal};
use crate::time::UnixTime;
use crate::v2::SignType;
use crate::v2::request::{V2RequestError, encode_query};
use crate::v2::sign::{Sign, sign_with_key};
use crate::validate::{self, FieldError};
use http::Method;
use http::header::{ACCEPT, USER_AGENT as UA};
use rand_core::TryCryptoRng;
use zeroize::Zeroizing;

/// Path of the endpoint.
pub const PATH: &str = "/cgi-bin/nameauth/nameautheasy";

/// Hex case of the MD5 `sign` (see the module documentation: unverified, lower by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HexCase {
    /// `0-9a-f` (what a bare `md5()` returns).
    #[default]
    Lower,
    /// `0-9A-F` (the generic v2 rule).
    Upper,
}

crate::wire::closed_enum!(
    /// The reply format (`type`).
    pub enum ReplyType as "type" {
        /// `json` (the default).
        Json = "json",
        /// `jsonp` (the callback parameter is undocumented; any callback name is accepted back).
        Jsonp = "jsonp",
    }
);

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
    /// use wechatpay_sansio::api::{NameAuthCode, nameauth::*};
    /// assert_eq!(NameAuthStatus::from_reply(0, "1", ""), Ok(NameAuthStatus::Verified));
    /// assert_eq!(NameAuthStatus::from_reply(0, "1", "1|2"), Ok(NameAuthStatus::NameAndIdMismatch));
    /// assert_eq!(NameAuthStatus::from_reply(51068401, "", ""),
    ///            Ok(NameAuthStatus::Unverified(UnverifiedReason::NoSuchUser)));
    /// assert_eq!(NameAuthStatus::from_reply(1007, "", ""), Err(NameAuthCode::IpNotAuthorized));
    /// assert_eq!(NameAuthStatus::from_reply(42, "", ""), Err(NameAuthCode::Other("42".into())));
    /// ```
    ///
    /// # Errors
    /// The [`NameAuthCode`] of every non-zero code other than 51100001, 51100002, 51068401.
    pub fn from_reply(
        error_code: i64,
        nameauth_status: &str,
        notmatch_param: &str,
    ) -> Result<Self, NameAuthCode> {
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
            c => return Err(NameAuthCode::from_wire(&c.to_string())),
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

/// A `nameautheasy` request. `src` and the key come from the [`Merchant`]. `Debug` redacts the
/// openid (an identifier of a person).
#[derive(Clone, PartialEq, Eq)]
pub struct NameAuthRequest {
    /// appid (1–32 visible ASCII).
    pub appid: String,
    /// The user's openid (1–128 visible ASCII).
    pub openid: String,
    /// `truename`, UTF-8 (1–64 characters, no control characters).
    pub truename: Personal,
    /// `creid`, the ID number (1–32 visible ASCII; with `cretype` 1 a GB 11643-1999 number
    /// ending in upper-case `X`, never `x`).
    pub creid: Personal,
    /// `cretype` (the document: "默认填 1"; 1–9999).
    pub cretype: u16,
    /// `type` (default JSON).
    pub reply_type: ReplyType,
    /// Hex case of `sign` (default lower).
    pub hex_case: HexCase,
}

impl core::fmt::Debug for NameAuthRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("NameAuthRequest")
            .field("appid", &self.appid)
            .field("openid", &crate::secret::REDACTED)
            .field("truename", &self.truename)
            .field("creid", &self.creid)
            .field("cretype", &self.cretype)
            .field("reply_type", &self.reply_type)
            .field("hex_case", &self.hex_case)
            .finish()
    }
}

impl NameAuthRequest {
    /// A request with `cretype` 1, `type=json` and lower-case hex.
    #[must_use]
    pub fn new(
        appid: impl Into<String>,
        openid: impl Into<String>,
        truename: Personal,
        creid: Personal,
    ) -> Self {
        Self {
            appid: appid.into(),
            openid: openid.into(),
            truename,
            creid,
            cretype: 1,
            reply_type: ReplyType::Json,
            hex_case: HexCase::Lower,
        }
    }

    /// Check every field (runs before any hashing). `src` is checked by [`Operation::build`].
    ///
    /// # Errors
    /// [`FieldError`] naming the first invalid field.
    pub fn validate(&self) -> Result<(), FieldError> {
        validate::appid("appid", &self.appid)?;
        validate::token("openid", &self.openid, 128)?;
        validate::text("truename", self.truename.expose_secret(), 1, 64)?;
        validate::token("creid", self.creid.expose_secret(), 32)?;
        if !(1..=9999).contains(&self.cretype) {
            return Err(FieldError::NotInEnum {
                field: "cretype",
                allowed: "1..=9999",
            });
        }
        if self.cretype == 1 {
            validate::mainland_id("creid", self.creid.expose_secret(), true)?;
        }
        Ok(())
    }

    /// The `sign` value for `src` and `key`: MD5 over the six sorted parameters and `&key=`, in
    /// [`Self::hex_case`].
    ///
    /// # Errors
    /// [`ApiError::Field`].
    pub fn sign(&self, src: &str, key: &NameAuthKey) -> Result<Sign, ApiError> {
        self.validate()?;
        validate::token("src", src, 64)?;
        self.sign_unchecked(src, key)
    }

    fn sign_unchecked(&self, src: &str, key: &NameAuthKey) -> Result<Sign, ApiError> {
        let cretype = self.cretype.to_string();
        let s = sign_with_key(
            [
                ("appid", self.appid.as_str()),
                ("creid", self.creid.expose_secret()),
                ("cretype", cretype.as_str()),
                ("openid", self.openid.as_str()),
                ("src", src),
                ("truename", self.truename.expose_secret()),
            ],
            key.expose_secret().as_bytes(),
            SignType::Md5,
        )
        .map_err(V2RequestError::from)?;
        Ok(match self.hex_case {
            HexCase::Lower => s.to_ascii_lowercase(),
            HexCase::Upper => s,
        })
    }
}

/// This API's description.
pub const ENDPOINT: Endpoint<'static> = Endpoint::new(
    "nameauth",
    "https://api.mch.weixin.qq.com",
    PATH,
    HttpMethod::Get,
    Protocol::LegacyQuery,
);

impl Operation for NameAuthRequest {
    type Outcome = NameAuthOutcome;
    type ReplyOptions = ();
    /// The reply carries nothing of the request.
    const IDENTIFYING: &'static [&'static str] = &[];

    const ENDPOINT: Endpoint<'static> = ENDPOINT;

    /// Validate, then build the GET
    /// (`appid, openid, src, truename, creid, cretype, sign, type`, values percent-encoded).
    /// No nonce, no time, no RSA: `rng` and `now` are not used (under any backend).
    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        endpoint: &Endpoint<'_>,
        merchant: &Merchant,
        _rng: &mut R,
        _now: UnixTime,
    ) -> Result<Request, ApiError> {
        self.validate()?;
        let creds = merchant.nameauth()?;
        validate::token("src", &creds.src, 64)?;
        let sign = self.sign_unchecked(&creds.src, &creds.key)?;
        let cretype = self.cretype.to_string();
        let query = Zeroizing::new(encode_query(&[
            ("appid", &self.appid),
            ("openid", &self.openid),
            ("src", &creds.src),
            ("truename", self.truename.expose_secret()),
            ("creid", self.creid.expose_secret()),
            ("cretype", &cretype),
            ("sign", sign.as_str()),
            ("type", self.reply_type.as_str()),
        ]));
        let full = Zeroizing::new(format!("{}?{}", endpoint.url(), query.as_str()));
        Ok(Request::new(Method::GET, &full, Vec::new())
            .map_err(V2RequestError::from)?
            .static_header(
                ACCEPT,
                "application/json, application/javascript, text/plain",
            )
            .static_header(UA, USER_AGENT))
    }

    fn echoes<'a>(&'a self, _: &'a Merchant) -> Vec<Echo<'a>> {
        Vec::new()
    }

    /// The (unsigned) JSON or JSONP reply: see [`read_reply`].
    fn decode(
        _merchant: &Merchant,
        response: ResponseRef<'_>,
        _now: UnixTime,
        (): &(),
        _echoes: &[Echo<'_>],
    ) -> Result<NameAuthOutcome, ApiError> {
        decode_reply(&response)
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

/// Read an (unsigned) JSON or JSONP reply.
///
/// ```
/// use wechatpay_sansio::api::{ApiError, Failure, NameAuthCode, nameauth::{self, NameAuthStatus}};
/// use wechatpay_sansio::{merchant::Merchant, request::ResponseRef, time::UnixTime};
/// let (merchant, now) = (Merchant::new("1900000109")?, UnixTime::from_secs(1_767_225_600));
/// let headers = http::HeaderMap::new();
/// let ok = r#"{"error_code":"0","nameauth_status":1,"name_mask":"*三","notmatch_param":""}"#;
/// let out = nameauth::read_reply(&merchant, ResponseRef::new(http::StatusCode::OK, &headers, ok.as_bytes()), now)?;
/// assert_eq!(out.status, NameAuthStatus::Verified);
/// assert_eq!(out.name_mask.to_string(), "<redacted>"); // personal: never displayed
/// let ip = br#"jsonp1({"error_code":1007})"#;
/// let e = nameauth::read_reply(&merchant, ResponseRef::new(http::StatusCode::OK, &headers, ip), now).unwrap_err();
/// assert_eq!(e.failure(), Some(Failure::NameAuth(&NameAuthCode::IpNotAuthorized)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`ApiError::HttpStatus`], [`ApiError::TooLarge`], [`ApiError::NotJson`], [`ApiError::Json`],
/// [`ApiError::MissingField`], [`ApiError::InvalidField`], WeChat Pay's failure answer ([`ApiError::failure`]).
pub fn read_reply(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
) -> Result<NameAuthOutcome, ApiError> {
    crate::api::read_reply::<NameAuthRequest>(merchant, response, now)
}

fn decode_reply(response: &ResponseRef<'_>) -> Result<NameAuthOutcome, ApiError> {
    v2_common::success_status(response)?;
    if response.body.len() > MAX_REPLY {
        return Err(ApiError::TooLarge {
            len: response.body.len(),
            max: MAX_REPLY,
        });
    }
    let json = unwrap_jsonp(response.body).ok_or(ApiError::NotJson)?;
    let raw: RawReply = ApiError::parse_json(json)?;
    let name_mask = Personal::new(raw.name_mask.unwrap_or_default());
    let error_code = raw
        .error_code
        .ok_or_else(|| ApiError::MissingField("error_code".into()))?
        .as_i64()
        .ok_or(ApiError::InvalidField("error_code"))?;
    let text = |v: Option<NumOrStr>| v.map(|v| v.to_text()).unwrap_or_default();
    let status = NameAuthStatus::from_reply(
        error_code,
        &text(raw.nameauth_status),
        &text(raw.notmatch_param),
    )
    .map_err(ApiError::NameAuth)?;
    Ok(NameAuthOutcome { status, name_mask })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merchant::NotConfigured;

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
        let merchant = Merchant::new("1900000109")
            .unwrap()
            .with_nameauth("s", NameAuthKey::new("k").unwrap());
        let req = NameAuthRequest::new(
            "wx1",
            "o",
            Personal::new("张三"),
            Personal::new("11010519491231002X"),
        );
        assert!(matches!(
            req.build_at(
                &ENDPOINT.at("http://x"),
                &merchant,
                &mut <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(1),
                crate::time::UnixTime::from_secs(0)
            ),
            Err(ApiError::V2Request(V2RequestError::Request(_)))
        ));
        let no_creds = Merchant::new("1900000109").unwrap();
        assert_eq!(
            req.build_at(
                &ENDPOINT,
                &no_creds,
                &mut <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(1),
                crate::time::UnixTime::from_secs(0)
            )
            .unwrap_err(),
            ApiError::NotConfigured(NotConfigured("nameautheasy src and key"))
        );
        assert_eq!(NameAuthCode::from_wire("1000").as_str(), "1000");
    }
}
