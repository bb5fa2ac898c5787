//! The OAuth steps that produce the `access_token` of [`crate::api::realnameauth`] (SPEC §3):
//!
//! 1. send the user's browser to [`AuthorizeUrl`] (`https://payapp.weixin.qq.com/appauth/authindex`,
//!    scope `pay_identity`); on consent WeChat redirects to `redirect_uri?code=CODE&state=STATE`
//!    (the code is single-use and expires after 10 minutes);
//! 2. exchange the code with [`GetAccessTokenRequest`]: a `GET
//!    https://api.mch.weixin.qq.com/appauth/getaccesstoken?…&sign_type=HMAC-SHA256&sign=…` signed
//!    with the APIv2 key (HMAC-SHA256 only), answered with **unsigned JSON**
//!    (`{"retcode":0,"retmsg":"ok","access_token":…}`), parsed into an [`AccessTokenGrant`].
//!
//! Tokens are held in [`AccessToken`] / [`RefreshToken`]: redacted in `Debug`/`Display`, zeroized
//! on drop.
//!
//! ```
//! use wechatpay_sansio::api::oauth::{AuthorizeUrl, Scope};
//! use wechatpay_sansio::ids::MchId;
//! let url = AuthorizeUrl {
//!     mch_id: MchId::new("1900000109")?,
//!     appid: "wx2421b1c4370ec43b".into(),
//!     redirect_uri: "https://example.com/cb?x=1".into(),
//!     scope: Scope::PayIdentity,
//!     state: "abc123".into(),
//! }
//! .to_url()?;
//! assert_eq!(
//!     url,
//!     "https://payapp.weixin.qq.com/appauth/authindex?mch_id=1900000109&appid=wx2421b1c4370ec43b\
//!      &redirect_uri=https%3A%2F%2Fexample.com%2Fcb%3Fx%3D1&response_type=code&scope=pay_identity\
//!      &state=abc123#wechat_redirect"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::v2_common::{self, NumOrStr};
use crate::api::validate::{self, FieldError};
use crate::ids::MchId;
use crate::request::{Request, ResponseRef};
use crate::secret::{ApiV2Key, REDACTED};
use crate::v2::SignType;
use crate::v2::request::{V2RequestError, encode_query, get_signed};
use core::fmt;
use zeroize::Zeroizing;

/// The authorization page (official pages; the wechatpay-openapi description's `payapp.mch.weixin.qq.com` is not used).
pub const AUTHORIZE_URL: &str = "https://payapp.weixin.qq.com/appauth/authindex";
/// Path of the code → token exchange.
pub const GET_ACCESS_TOKEN_PATH: &str = "/appauth/getaccesstoken";
/// URL of the code → token exchange.
pub const GET_ACCESS_TOKEN_URL: &str = "https://api.mch.weixin.qq.com/appauth/getaccesstoken";

/// Longest `code` accepted (no documented length; generous cap against garbage).
pub const MAX_CODE_LEN: usize = 512;
/// Longest `access_token` accepted by `realnameauth` (`String(128)`).
pub const MAX_ACCESS_TOKEN_LEN: usize = 128;

/// The authorization scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `pay_identity`: 实名验证 — check a name and ID number (what `realnameauth` needs).
    PayIdentity,
    /// `pay_realname`: 实名授权 — the user hands over name and ID (a different API).
    PayRealname,
}

impl Scope {
    /// The wire spelling.
    ///
    /// ```
    /// use wechatpay_sansio::api::oauth::Scope;
    /// assert_eq!(Scope::PayIdentity.as_str(), "pay_identity");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PayIdentity => "pay_identity",
            Self::PayRealname => "pay_realname",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! token_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(Zeroizing<String>);

        impl $name {
            /// Wrap a token.
            pub fn new(token: impl Into<String>) -> Self {
                Self(Zeroizing::new(token.into()))
            }

            /// The token itself (for the request that carries it; do not log it).
            #[must_use]
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), REDACTED)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(REDACTED)
            }
        }
    };
}

token_type!(
    /// The `access_token` that authorises one `realnameauth` call: redacted, zeroized on drop.
    ///
    /// ```
    /// use wechatpay_sansio::api::oauth::AccessToken;
    /// let t = AccessToken::new("81_abc");
    /// assert_eq!(format!("{t:?} {t}"), "AccessToken(<redacted>) <redacted>");
    /// assert_eq!(t.expose_secret(), "81_abc");
    /// ```
    AccessToken
);

token_type!(
    /// The `refresh_token` of a grant: redacted, zeroized on drop. (How to use it — the "步骤3"
    /// of the docs — is undocumented.)
    RefreshToken
);

/// Why an OAuth step failed. Never contains a token, a code, or a value that failed validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    /// A request field is invalid.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// The signed request could not be built.
    #[error("building the request: {0}")]
    Build(#[from] V2RequestError),
    /// The reply has an HTTP status outside 2xx.
    #[error("HTTP status {0} (getaccesstoken answers with 200)")]
    HttpStatus(u16),
    /// The reply is not the JSON object expected.
    #[error("the reply is not the expected JSON (line {line}, column {column})")]
    Json {
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
    },
    /// `retcode` is not 0.
    #[error("getaccesstoken failed: retcode {retcode}: {retmsg}")]
    Retcode {
        /// `retcode` (`-1` and others).
        retcode: i64,
        /// `retmsg`, WeChat Pay's explanation.
        retmsg: String,
    },
    /// A field the reply must carry is missing or empty.
    #[error("the reply has no {0}")]
    MissingReplyField(&'static str),
    /// A field of the reply has the wrong form (an expiry that is not a non-negative integer…).
    #[error("the reply's {0} is malformed")]
    InvalidReplyField(&'static str),
}

/// Step 1: the URL to send the user's browser to (公众号 / H5 pages; not inside a mini-program
/// web-view, per the official page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeUrl {
    /// Merchant id.
    pub mch_id: MchId,
    /// The 公众号 appid (1–32 visible ASCII).
    pub appid: String,
    /// Where WeChat sends the browser back (absolute `https://` or `http://` URL, at most 1024
    /// characters, no spaces or control characters); percent-encoded here.
    pub redirect_uri: String,
    /// The scope ([`Scope::PayIdentity`] for `realnameauth`).
    pub scope: Scope,
    /// Returned unchanged with the code: 0–128 characters of `[A-Za-z0-9]` (WeChat's OAuth rule).
    /// Use it against CSRF.
    pub state: String,
}

impl AuthorizeUrl {
    /// Check every field.
    ///
    /// # Errors
    /// [`FieldError`] naming the field.
    pub fn validate(&self) -> Result<(), FieldError> {
        v2_common::appid("appid", &self.appid)?;
        validate::length("redirect_uri", &self.redirect_uri, 1, 1024)?;
        validate::charset(
            "redirect_uri",
            &self.redirect_uri,
            "non-space, non-control characters",
            |c| !c.is_control() && !c.is_whitespace(),
        )?;
        let lower = self.redirect_uri.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://"))
            || self.redirect_uri.contains('#')
        {
            return Err(FieldError::Charset {
                field: "redirect_uri",
                allowed: "an absolute http(s):// URL without a fragment",
            });
        }
        validate::length("state", &self.state, 0, 128)?;
        validate::charset("state", &self.state, "[A-Za-z0-9]", |c| {
            c.is_ascii_alphanumeric()
        })
    }

    /// The URL, ending in the mandatory `#wechat_redirect`.
    ///
    /// # Errors
    /// [`OAuthError::Field`].
    pub fn to_url(&self) -> Result<String, OAuthError> {
        self.validate()?;
        let q = encode_query(&[
            ("mch_id", self.mch_id.as_str()),
            ("appid", &self.appid),
            ("redirect_uri", &self.redirect_uri),
            ("response_type", "code"),
            ("scope", self.scope.as_str()),
            ("state", &self.state),
        ]);
        Ok(format!("{AUTHORIZE_URL}?{q}#wechat_redirect"))
    }
}

/// Step 2: exchange the `code` for an [`AccessTokenGrant`].
///
/// ```
/// use wechatpay_sansio::api::oauth::{GetAccessTokenRequest, Scope};
/// use wechatpay_sansio::{ids::MchId, secret::ApiV2Key};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?; // example key from the v2 docs
/// let req = GetAccessTokenRequest {
///     mch_id: MchId::new("1900000109")?,
///     appid: "wx2421b1c4370ec43b".into(),
///     openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into(),
///     code: "061Ab0ll2Bm4Yb4QUhkl2mFmll2Ab0lH".into(),
///     scope: Scope::PayIdentity,
/// };
/// let http = req.build(&key)?;
/// let query = http.uri().query().unwrap();
/// assert!(query.contains("&grant_type=authorization_code&scope=pay_identity&sign_type=HMAC-SHA256&sign="));
///
/// let reply = br#"{"retcode":0,"retmsg":"ok","access_token":"81_tok","access_token_expire_in":"300",
///                 "refresh_token":"81_ref","refresh_token_expire_in":2592000}"#;
/// let headers = http::HeaderMap::new();
/// let grant = req.parse_reply(wechatpay_sansio::request::ResponseRef::new(
///     http::StatusCode::OK, &headers, reply))?;
/// assert_eq!(grant.access_token.expose_secret(), "81_tok");
/// assert_eq!(grant.access_token_expire_in, 300);
/// assert_eq!(grant.refresh_token_expire_in, Some(2592000));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetAccessTokenRequest {
    /// Merchant id.
    pub mch_id: MchId,
    /// The appid used in step 1.
    pub appid: String,
    /// The user's openid under `appid` (1–128 visible ASCII).
    pub openid: String,
    /// The single-use `code` from the redirect (1–512 visible ASCII).
    pub code: String,
    /// The scope used in step 1.
    pub scope: Scope,
}

impl GetAccessTokenRequest {
    /// Check every field.
    ///
    /// # Errors
    /// [`FieldError`] naming the field.
    pub fn validate(&self) -> Result<(), FieldError> {
        v2_common::appid("appid", &self.appid)?;
        v2_common::token("openid", &self.openid, 128)?;
        v2_common::token("code", &self.code, MAX_CODE_LEN)
    }

    /// The signed GET (HMAC-SHA256 over the raw query values, `sign_type` included).
    ///
    /// # Errors
    /// [`OAuthError::Field`], [`OAuthError::Build`].
    pub fn build(&self, key: &ApiV2Key) -> Result<Request, OAuthError> {
        self.validate()?;
        self.build_at(GET_ACCESS_TOKEN_URL, key)
    }

    fn build_at(&self, url: &str, key: &ApiV2Key) -> Result<Request, OAuthError> {
        Ok(get_signed(
            url,
            &[
                ("mch_id", self.mch_id.as_str()),
                ("appid", &self.appid),
                ("openid", &self.openid),
                ("code", &self.code),
                ("grant_type", "authorization_code"),
                ("scope", self.scope.as_str()),
                ("sign_type", SignType::HmacSha256.as_str()),
            ],
            key,
            SignType::HmacSha256,
        )?)
    }

    /// Parse the unsigned JSON reply. Expiries may be numbers or numeric strings.
    ///
    /// # Errors
    /// [`OAuthError::HttpStatus`], [`OAuthError::Json`], [`OAuthError::Retcode`],
    /// [`OAuthError::MissingReplyField`], [`OAuthError::InvalidReplyField`].
    pub fn parse_reply(&self, response: ResponseRef<'_>) -> Result<AccessTokenGrant, OAuthError> {
        parse_access_token_reply(response)
    }
}

/// A successful code exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenGrant {
    /// The token for `realnameauth`.
    pub access_token: AccessToken,
    /// Its lifetime in seconds (`access_token_expire_in`).
    pub access_token_expire_in: u64,
    /// The refresh token, if the reply carries one.
    pub refresh_token: Option<RefreshToken>,
    /// Its lifetime in seconds, if given.
    pub refresh_token_expire_in: Option<u64>,
}

impl AccessTokenGrant {
    /// When the access token expires, given the Unix time the reply was received.
    ///
    /// ```
    /// # use wechatpay_sansio::api::oauth::{AccessToken, AccessTokenGrant};
    /// let g = AccessTokenGrant { access_token: AccessToken::new("t"), access_token_expire_in: 300,
    ///                            refresh_token: None, refresh_token_expire_in: None };
    /// assert_eq!(g.access_token_expires_at(1_700_000_000), 1_700_000_300);
    /// ```
    #[must_use]
    pub fn access_token_expires_at(&self, received_at: u64) -> u64 {
        received_at.saturating_add(self.access_token_expire_in)
    }
}

#[derive(serde::Deserialize)]
struct RawGrant {
    retcode: Option<NumOrStr>,
    retmsg: Option<String>,
    access_token: Option<String>,
    access_token_expire_in: Option<NumOrStr>,
    refresh_token: Option<String>,
    refresh_token_expire_in: Option<NumOrStr>,
}

fn expiry(v: Option<&NumOrStr>, field: &'static str) -> Result<Option<u64>, OAuthError> {
    match v {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .and_then(|n| u64::try_from(n).ok())
            .map(Some)
            .ok_or(OAuthError::InvalidReplyField(field)),
    }
}

pub(crate) fn parse_access_token_reply(
    response: ResponseRef<'_>,
) -> Result<AccessTokenGrant, OAuthError> {
    v2_common::success_status(response.status).map_err(OAuthError::HttpStatus)?;
    let body = response
        .body
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(response.body);
    let mut raw: RawGrant = serde_json::from_slice(body).map_err(|e| {
        let (line, column) = v2_common::json_position(&e);
        OAuthError::Json { line, column }
    })?;
    // Move the tokens into zeroizing storage before anything else can fail.
    let access_token = raw
        .access_token
        .take()
        .filter(|t| !t.is_empty())
        .map(AccessToken::new);
    let refresh_token = raw
        .refresh_token
        .take()
        .filter(|t| !t.is_empty())
        .map(RefreshToken::new);
    let retcode = raw
        .retcode
        .as_ref()
        .ok_or(OAuthError::MissingReplyField("retcode"))?
        .as_i64()
        .ok_or(OAuthError::InvalidReplyField("retcode"))?;
    if retcode != 0 {
        return Err(OAuthError::Retcode {
            retcode,
            retmsg: raw.retmsg.unwrap_or_default(),
        });
    }
    let access_token = access_token.ok_or(OAuthError::MissingReplyField("access_token"))?;
    if access_token.expose_secret().len() > MAX_ACCESS_TOKEN_LEN
        || !access_token
            .expose_secret()
            .bytes()
            .all(|b| b.is_ascii_graphic())
    {
        return Err(OAuthError::InvalidReplyField("access_token"));
    }
    let access_token_expire_in = expiry(
        raw.access_token_expire_in.as_ref(),
        "access_token_expire_in",
    )?
    .ok_or(OAuthError::MissingReplyField("access_token_expire_in"))?;
    let refresh_token_expire_in = expiry(
        raw.refresh_token_expire_in.as_ref(),
        "refresh_token_expire_in",
    )?;
    Ok(AccessTokenGrant {
        access_token,
        access_token_expire_in,
        refresh_token,
        refresh_token_expire_in,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::RequestError;

    #[test]
    fn build_errors_are_reported() {
        let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
        let r = GetAccessTokenRequest {
            mch_id: MchId::new("1900000109").unwrap(),
            appid: "wx1".into(),
            openid: "o".into(),
            code: "c".into(),
            scope: Scope::PayIdentity,
        };
        assert_eq!(
            r.build_at("http://insecure/", &key).unwrap_err(),
            OAuthError::Build(V2RequestError::Request(RequestError::InvalidUrl))
        );
        assert_eq!(Scope::PayRealname.to_string(), "pay_realname");
    }
}
