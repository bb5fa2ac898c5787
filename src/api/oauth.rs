//! The OAuth steps that produce the `access_token` of [`crate::api::realnameauth`] (official
//! pages: <https://pay.wechatpay.cn/doc/v2/merchant/4011987273>):
//!
//! 1. send the user's browser to [`AuthorizeUrl`] (`https://payapp.weixin.qq.com/appauth/authindex`,
//!    scope `pay_identity`); on consent WeChat redirects to `redirect_uri?code=CODE&state=STATE`
//!    (the code is single-use and expires after 10 minutes);
//! 2. exchange the code with [`GetAccessTokenRequest`]: a `GET
//!    https://api.mch.weixin.qq.com/appauth/getaccesstoken?…&sign_type=HMAC-SHA256&sign=…` signed
//!    with the APIv2 key (HMAC-SHA256 only), answered with **unsigned JSON**
//!    (`{"retcode":0,"retmsg":"ok","access_token":…}`), read into an [`AccessTokenGrant`].
//!
//! Tokens are held in [`AccessToken`] / [`RefreshToken`]: redacted in `Debug`/`Display`, zeroized
//! on drop.
//!
//! ```
//! use wechatpay_sansio::api::oauth::{AuthorizeUrl, Scope};
//! use wechatpay_sansio::merchant::Merchant;
//! let merchant = Merchant::new("1900000109")?;
//! let url = AuthorizeUrl::new("wx2421b1c4370ec43b", "https://example.com/cb?x=1", "abc123")
//!     .to_url(&merchant)?;
//! assert_eq!(
//!     url,
//!     "https://payapp.weixin.qq.com/appauth/authindex?mch_id=1900000109&appid=wx2421b1c4370ec43b\
//!      &redirect_uri=https%3A%2F%2Fexample.com%2Fcb%3Fx%3D1&response_type=code&scope=pay_identity\
//!      &state=abc123#wechat_redirect"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::v2_common::{self, NumOrStr};
use crate::api::{ApiError, Operation, Retcode};
use crate::api::{Echo, Endpoint, HttpMethod, Protocol};
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::secret::{AccessToken, RefreshToken};
use crate::time::UnixTime;
use crate::v2::SignType;
use crate::v2::request::{encode_query, get_signed};
use crate::validate::{self, FieldError};
use core::time::Duration;
use rand_core::TryCryptoRng;

/// The authorization page (official pages; the wechatpay-openapi description's
/// `payapp.mch.weixin.qq.com` is not used).
pub const AUTHORIZE_URL: &str = "https://payapp.weixin.qq.com/appauth/authindex";
/// Path of the code → token exchange.
pub const GET_ACCESS_TOKEN_PATH: &str = "/appauth/getaccesstoken";
/// Longest `code` accepted (no documented length; generous cap against garbage).
pub const MAX_CODE_LEN: usize = 512;
/// Largest reply read (the documented reply is a few hundred bytes).
pub const MAX_REPLY: usize = 64 * 1024;

crate::wire::closed_enum!(
    /// The authorization scope.
    ///
    /// ```
    /// use wechatpay_sansio::api::oauth::Scope;
    /// assert_eq!(Scope::PayIdentity.as_str(), "pay_identity");
    /// ```
    pub enum Scope as "scope" {
        /// `pay_identity`: 实名验证 — check a name and ID number (what `realnameauth` needs).
        PayIdentity = "pay_identity",
        /// `pay_realname`: 实名授权 — the user hands over name and ID (a different API).
        PayRealname = "pay_realname",
    }
);

/// Step 1: the URL to send the user's browser to (公众号 / H5 pages; not inside a mini-program
/// web-view, per the official page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeUrl {
    /// The 公众号 appid (1–32 visible ASCII).
    pub appid: String,
    /// Where WeChat sends the browser back (absolute `https://` or `http://` URL, at most 1024
    /// characters, no spaces or control characters); percent-encoded here.
    pub redirect_uri: String,
    /// Returned unchanged with the code: 0–128 characters of `[A-Za-z0-9]` (WeChat's OAuth rule).
    /// Use it against CSRF.
    pub state: String,
    /// The scope (default [`Scope::PayIdentity`], what `realnameauth` needs).
    pub scope: Scope,
}

impl AuthorizeUrl {
    /// The URL for `appid`, coming back to `redirect_uri` with `state`, scope `pay_identity`.
    #[must_use]
    pub fn new(
        appid: impl Into<String>,
        redirect_uri: impl Into<String>,
        state: impl Into<String>,
    ) -> Self {
        Self {
            appid: appid.into(),
            redirect_uri: redirect_uri.into(),
            state: state.into(),
            scope: Scope::PayIdentity,
        }
    }

    /// Check every field.
    ///
    /// # Errors
    /// [`FieldError`] naming the field.
    pub fn validate(&self) -> Result<(), FieldError> {
        validate::appid("appid", &self.appid)?;
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

    /// The URL for `merchant`, ending in the mandatory `#wechat_redirect`.
    ///
    /// # Errors
    /// [`ApiError::Field`].
    pub fn to_url(&self, merchant: &Merchant) -> Result<String, ApiError> {
        self.validate()?;
        let q = encode_query(&[
            ("mch_id", merchant.mchid().as_str()),
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
/// use wechatpay_sansio::api::{Operation, oauth::GetAccessTokenRequest};
/// use wechatpay_sansio::{request::ResponseRef, simulator::Simulator, time::UnixTime};
/// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
/// let merchant = Simulator::new().merchant();                          // TEST ONLY keys
/// let now = UnixTime::from_secs(1_767_225_600);
/// let req = GetAccessTokenRequest::new("wx2421b1c4370ec43b", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
///                                      "061Ab0ll2Bm4Yb4QUhkl2mFmll2Ab0lH");
/// let http = req.build(&merchant, &mut rng, now)?;
/// assert!(http.uri().query().unwrap()
///     .contains("&grant_type=authorization_code&scope=pay_identity&sign_type=HMAC-SHA256&sign="));
///
/// let reply = br#"{"retcode":0,"retmsg":"ok","access_token":"81_tok","access_token_expire_in":"300",
///                 "refresh_token":"81_ref","refresh_token_expire_in":2592000}"#;
/// let headers = http::HeaderMap::new();
/// let grant = req.parse_reply(&merchant, ResponseRef::new(http::StatusCode::OK, &headers, reply), now)?;
/// assert_eq!(grant.access_token.expose_secret(), "81_tok");
/// assert_eq!(grant.access_token_expires_at.as_secs(), 1_767_225_900);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct GetAccessTokenRequest {
    /// The appid used in step 1.
    pub appid: String,
    /// The user's openid under `appid` (1–128 visible ASCII).
    pub openid: String,
    /// The single-use `code` from the redirect (1–512 visible ASCII).
    pub code: String,
    /// The scope used in step 1 (default [`Scope::PayIdentity`]).
    pub scope: Scope,
}

/// Redacts the openid (an identifier of a person) and the single-use `code` (it buys a token).
impl core::fmt::Debug for GetAccessTokenRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("GetAccessTokenRequest")
            .field("appid", &self.appid)
            .field("openid", &crate::secret::REDACTED)
            .field("code", &crate::secret::REDACTED)
            .field("scope", &self.scope)
            .finish()
    }
}

impl GetAccessTokenRequest {
    /// The exchange of `code` for `openid` under `appid`, scope `pay_identity`.
    #[must_use]
    pub fn new(
        appid: impl Into<String>,
        openid: impl Into<String>,
        code: impl Into<String>,
    ) -> Self {
        Self {
            appid: appid.into(),
            openid: openid.into(),
            code: code.into(),
            scope: Scope::PayIdentity,
        }
    }

    /// Check every field.
    ///
    /// # Errors
    /// [`FieldError`] naming the field.
    pub fn validate(&self) -> Result<(), FieldError> {
        validate::appid("appid", &self.appid)?;
        validate::token("openid", &self.openid, 128)?;
        validate::token("code", &self.code, MAX_CODE_LEN)
    }
}

/// `appauth/getaccesstoken`'s description.
pub const ENDPOINT: Endpoint<'static> = Endpoint::new(
    "getaccesstoken",
    "https://api.mch.weixin.qq.com",
    GET_ACCESS_TOKEN_PATH,
    HttpMethod::Get,
    Protocol::V2Query,
);

impl Operation for GetAccessTokenRequest {
    type Outcome = AccessTokenGrant;
    type ReplyOptions = ();
    /// The reply carries nothing of the request.
    const IDENTIFYING: &'static [&'static str] = &[];

    const ENDPOINT: Endpoint<'static> = ENDPOINT;

    /// The signed GET (HMAC-SHA256 over the raw query values, `sign_type` included). No nonce
    /// and no RSA: `rng` is not used (under any backend).
    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        endpoint: &Endpoint<'_>,
        merchant: &Merchant,
        _rng: &mut R,
        _now: UnixTime,
    ) -> Result<Request, ApiError> {
        self.validate()?;
        Ok(get_signed(
            &endpoint.url(),
            &[
                ("mch_id", merchant.mchid().as_str()),
                ("appid", &self.appid),
                ("openid", &self.openid),
                ("code", &self.code),
                ("grant_type", "authorization_code"),
                ("scope", self.scope.as_str()),
                ("sign_type", SignType::HmacSha256.as_str()),
            ],
            merchant.api_v2_key()?,
            SignType::HmacSha256,
        )?)
    }

    fn echoes<'a>(&'a self, _: &'a Merchant) -> Vec<Echo<'a>> {
        Vec::new()
    }

    /// The unsigned JSON reply: see [`read_reply`]. Expiries may be numbers or numeric
    /// strings; `now` (the time the reply was received) dates them.
    fn decode(
        _merchant: &Merchant,
        response: ResponseRef<'_>,
        now: UnixTime,
        (): &(),
        _echoes: &[Echo<'_>],
    ) -> Result<AccessTokenGrant, ApiError> {
        decode_reply(&response, now)
    }
}

/// A successful code exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenGrant {
    /// The token for `realnameauth`.
    pub access_token: AccessToken,
    /// Its lifetime (`access_token_expire_in`).
    pub access_token_expires_in: Duration,
    /// When it expires: the time the reply was received plus its lifetime.
    pub access_token_expires_at: UnixTime,
    /// The refresh token, if the reply carries one.
    pub refresh_token: Option<RefreshToken>,
    /// Its lifetime, if given.
    pub refresh_token_expires_in: Option<Duration>,
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

fn expiry(v: Option<&NumOrStr>, field: &'static str) -> Result<Option<Duration>, ApiError> {
    match v {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .and_then(|n| u64::try_from(n).ok())
            .map(|s| Some(Duration::from_secs(s)))
            .ok_or(ApiError::InvalidField(field)),
    }
}

/// Read a `getaccesstoken` reply (the reply carries nothing of the request, so this is exactly
/// what [`Operation::parse_reply`] does). A `retcode` other than 0 — a number, or a string such
/// as `"参数错误"` — is [`ApiError::OAuth`].
///
/// # Errors
/// [`ApiError::HttpStatus`], [`ApiError::TooLarge`], [`ApiError::Json`],
/// WeChat Pay's failure answer ([`ApiError::failure`]), [`ApiError::MissingField`], [`ApiError::InvalidField`].
pub fn read_reply(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
) -> Result<AccessTokenGrant, ApiError> {
    crate::api::read_reply::<GetAccessTokenRequest>(merchant, response, now)
}

fn decode_reply(response: &ResponseRef<'_>, now: UnixTime) -> Result<AccessTokenGrant, ApiError> {
    v2_common::success_status(response)?;
    if response.body.len() > MAX_REPLY {
        return Err(ApiError::TooLarge {
            len: response.body.len(),
            max: MAX_REPLY,
        });
    }
    let body = response
        .body
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(response.body);
    let mut raw: RawGrant = ApiError::parse_json(body)?;
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
        .ok_or_else(|| ApiError::MissingField("retcode".into()))?;
    if retcode.as_i64() != Some(0) {
        return Err(ApiError::OAuth {
            retcode: Retcode::from_wire(&retcode.to_text()),
            retmsg: raw.retmsg.unwrap_or_default(),
        });
    }
    let access_token = access_token.ok_or_else(|| ApiError::MissingField("access_token".into()))?;
    if access_token.expose_secret().len() > crate::api::realnameauth::MAX_ACCESS_TOKEN_LEN
        || !access_token
            .expose_secret()
            .bytes()
            .all(|b| b.is_ascii_graphic())
    {
        return Err(ApiError::InvalidField("access_token"));
    }
    let access_token_expires_in = expiry(
        raw.access_token_expire_in.as_ref(),
        "access_token_expire_in",
    )?
    .ok_or_else(|| ApiError::MissingField("access_token_expire_in".into()))?;
    let refresh_token_expires_in = expiry(
        raw.refresh_token_expire_in.as_ref(),
        "refresh_token_expire_in",
    )?;
    Ok(AccessTokenGrant {
        access_token,
        access_token_expires_in,
        access_token_expires_at: now + access_token_expires_in,
        refresh_token,
        refresh_token_expires_in,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::RequestError;
    use crate::v2::request::V2RequestError;

    #[test]
    fn build_errors_are_reported() {
        let merchant = Merchant::new("1900000109").unwrap().with_api_v2_key(
            crate::secret::ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap(),
        );
        let r = GetAccessTokenRequest::new("wx1", "o", "c");
        assert_eq!(
            r.build_at(
                &ENDPOINT.at("http://insecure"),
                &merchant,
                &mut <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(1),
                crate::time::UnixTime::from_secs(0)
            )
            .unwrap_err(),
            ApiError::V2Request(V2RequestError::Request(RequestError::InvalidUrl))
        );
        assert_eq!(Scope::PayRealname.to_string(), "pay_realname");
    }
}
