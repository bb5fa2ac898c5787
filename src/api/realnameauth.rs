//! 微信支付实名验证 — `POST https://fraud.mch.weixin.qq.com/secsvc/realnameauth`: does the WeChat
//! user behind `openid` match a real name and ID document? (Official pages:
//! <https://pay.wechatpay.cn/doc/v2/merchant/4011987273>, mini-program version
//! <https://pay.wechatpay.cn/doc/v2/merchant/4011987263>. The API no longer accepts new
//! merchants; the pages stay online.)
//!
//! Flow: obtain an [`AccessToken`] with [`crate::api::oauth`], build a [`RealNameAuthRequest`]
//! (XML, signed with MD5 or HMAC-SHA256, `sign_type` sent and signed), send it, and
//! [`parse_reply`](Operation::parse_reply): the reply is **signed** and verified with the
//! request's sign type; it must carry `mch_id`, `appid`, `openid` and `access_token` equal to the
//! request's, and no value that may hide folded fields (see [`crate::v2::reply`]).
//!
//! `real_name` and `cred_id` travel in clear inside the TLS body (no encryption is documented):
//! they are [`Personal`] here, and [`Request`]'s `Debug` never prints the body.
//!
//! **What a verified reply does not prove.** The reply echoes `mch_id`, `appid`, `openid` and
//! `access_token`, but not the name or the ID number asked about, and it carries no time. So a
//! genuine "match" for one person is also a valid-looking reply to a request about **another
//! person** with the same `openid` and token, and an old reply verifies as well as a fresh one.
//! The protocol cannot bind them; this crate cannot check what the reply does not say. Safe use:
//! one check per fresh access token (obtain a token through [`crate::api::oauth`] for each check
//! and never reuse it, so that a reply can belong to one request only), keep the request and its
//! reply together in your own state (the reply of *this* HTTP exchange, never one looked up by
//! openid or token), and do not accept replies from a log or a queue as proof.
//!
//! ```
//! use wechatpay_sansio::api::{Operation, realnameauth::*};
//! use wechatpay_sansio::{request::ResponseRef, secret::{AccessToken, Personal}, simulator::Simulator,
//!     time::UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let sim = Simulator::new();
//! let merchant = sim.merchant();                                        // TEST ONLY keys
//! let now = UnixTime::from_secs(1_767_225_600);
//! let req = RealNameAuthRequest::new("wx2421b1c4370ec43b", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
//!     Personal::new("刘某某"), CredType::IdCard, Personal::new("11010519491231002X"),
//!     AccessToken::new("81_example"));
//! let http = req.build(&merchant, &mut rng, now)?;
//! assert_eq!(http.uri().to_string(), ENDPOINT.url());
//! assert!(std::str::from_utf8(http.body())?.contains("<sign_type>HMAC-SHA256</sign_type>"));
//! assert!(!format!("{req:?}").contains("刘某某"));
//! let reply = sim.handle(&http.into_http(), now, &mut rng, &Default::default());
//! let out = req.parse_reply(&merchant, ResponseRef::from_http(&reply), now)?;
//! assert_eq!(out.decision(), Decision::Match);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::v2_common;
use crate::api::{ApiError, Operation};
use crate::api::{Echo, Endpoint, HttpMethod, Protocol};
use crate::ids::Nonce;
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::secret::{AccessToken, Personal, REDACTED};
use crate::time::UnixTime;
use crate::v2::SignType;
use crate::v2::reply::Expect;
use crate::v2::request::post_xml;
use crate::validate::{self, FieldError};
use core::fmt;
use rand_core::TryCryptoRng;

/// Path of the endpoint.
pub const PATH: &str = "/secsvc/realnameauth";
/// Longest `access_token` accepted (`String(128)`).
pub const MAX_ACCESS_TOKEN_LEN: usize = 128;

/// The fields of a success reply that tie it to its request (the official document lists each
/// as returned): required on both paths, compared with the request by
/// [`Operation::parse_reply`].
pub const IDENTIFYING_FIELDS: [&str; 4] = ["mch_id", "appid", "openid", "access_token"];

crate::wire::closed_enum!(
    /// Interface version.
    pub enum Version as "version" {
        /// `1.0`.
        V1_0 = "1.0",
        /// `1.1` (the version whose reply carries `bind_bankcard`).
        V1_1 = "1.1",
    }
);

crate::wire::closed_enum!(
    /// Document type (`cred_type`).
    ///
    /// ```
    /// use wechatpay_sansio::api::realnameauth::CredType;
    /// assert_eq!(CredType::HkMacaoResidencePermit.as_str(), "17");
    /// assert_eq!("9".parse(), Ok(CredType::TaiwanCompatriotPermit));
    /// assert!("3".parse::<CredType>().is_err());
    /// ```
    pub enum CredType as "cred_type" {
        /// `1` 身份证 — mainland resident ID card (checked with GB 11643-1999).
        IdCard = "1",
        /// `2` 护照 — passport.
        Passport = "2",
        /// `5` 回乡证 — Mainland Travel Permit for Hong Kong and Macao Residents.
        HomeReturnPermit = "5",
        /// `9` 台胞证 — Mainland Travel Permit for Taiwan Residents.
        TaiwanCompatriotPermit = "9",
        /// `12` 外国人居留证 — foreigner's residence permit.
        ForeignerResidencePermit = "12",
        /// `17` 港澳居民居住证 — residence permit for Hong Kong and Macao residents.
        HkMacaoResidencePermit = "17",
        /// `18` 台湾居民居住证 — residence permit for Taiwan residents.
        TaiwanResidencePermit = "18",
    }
);

crate::wire::open_enum!(
    /// One entry of `verify_openid` (the reply joins several with `;`).
    ///
    /// ```
    /// use wechatpay_sansio::api::realnameauth::VerifyOpenid;
    /// assert_eq!(VerifyOpenid::from_wire("V_OP_NM_MA"), VerifyOpenid::NameMatches);
    /// assert_eq!(VerifyOpenid::from_wire("V_NEW").as_str(), "V_NEW");
    /// ```
    pub enum VerifyOpenid {
        /// `V_OP_NA` 用户暂未实名认证 — the user has not completed real-name verification.
        NotVerified = "V_OP_NA",
        /// `V_OP_NM_MA` 用户与姓名匹配 — the user matches the name.
        NameMatches = "V_OP_NM_MA",
        /// `V_OP_NM_UM` 用户与姓名不匹配 — the user does not match the name.
        NameMismatch = "V_OP_NM_UM",
    }
);

crate::wire::open_enum!(
    /// `verify_real_name` (returned when `verify_openid` is `V_OP_NM_MA`).
    pub enum VerifyRealName {
        /// `V_NM_ID_MA` 姓名与证件号匹配 — name and document number match.
        IdMatches = "V_NM_ID_MA",
        /// `V_NM_ID_UM` 姓名与证件号不匹配 — they do not match.
        IdMismatch = "V_NM_ID_UM",
        /// `V_NM_ID_TYPE_UM` 证件类型不匹配 — the document type does not match.
        IdTypeMismatch = "V_NM_ID_TYPE_UM",
    }
);

crate::wire::open_enum!(
    /// `bind_bankcard` (returned when `verify_real_name` is `V_NM_ID_MA`, version 1.1). The
    /// wechatpay-openapi description's example value `V_NM_ID_MA` for this field is a
    /// documentation bug; such a value is kept as `Other`.
    pub enum BindBankcard {
        /// `YES` 绑定银行卡的实名认证 — verified through a bound bank card.
        Yes = "YES",
        /// `NO` 非绑定银行卡的实名认证 — verified otherwise.
        No = "NO",
    }
);

/// A `realnameauth` request. `mch_id` and `nonce_str` come from the [`Merchant`] and the RNG.
/// `Debug` redacts the openid (an identifier of a person), as the outcome's does.
#[derive(Clone, PartialEq, Eq)]
pub struct RealNameAuthRequest {
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
    /// The token from [`crate::api::oauth`] (1–128 visible ASCII).
    pub access_token: AccessToken,
    /// Interface version (default `1.0`, the document's example).
    pub version: Version,
    /// MD5 or HMAC-SHA256 (default); sent as `sign_type`, signed, and used to verify the reply.
    pub sign_type: SignType,
}

impl RealNameAuthRequest {
    /// A request with version `1.0` and HMAC-SHA256.
    #[must_use]
    pub fn new(
        appid: impl Into<String>,
        openid: impl Into<String>,
        real_name: Personal,
        cred_type: CredType,
        cred_id: Personal,
        access_token: AccessToken,
    ) -> Self {
        Self {
            appid: appid.into(),
            openid: openid.into(),
            real_name,
            cred_type,
            cred_id,
            access_token,
            version: Version::V1_0,
            sign_type: SignType::HmacSha256,
        }
    }

    /// Check every field (runs before any signing).
    ///
    /// ```
    /// # use wechatpay_sansio::api::realnameauth::*;
    /// # use wechatpay_sansio::{secret::{AccessToken, Personal}, error::FieldError};
    /// let mut req = RealNameAuthRequest::new("wx2421b1c4370ec43b", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    ///     Personal::new("刘某某"), CredType::IdCard, Personal::new("440000000000000000"),
    ///     AccessToken::new("81_x"));
    /// // the document's placeholder number fails the check digit
    /// assert_eq!(req.validate(), Err(FieldError::IdNumber { field: "cred_id" }));
    /// req.cred_type = CredType::Passport; // no check digit for passports
    /// assert_eq!(req.validate(), Ok(()));
    /// ```
    ///
    /// # Errors
    /// [`FieldError`] naming the first invalid field.
    pub fn validate(&self) -> Result<(), FieldError> {
        validate::appid("appid", &self.appid)?;
        validate::token("openid", &self.openid, 128)?;
        validate::text("real_name", self.real_name.expose_secret(), 1, 64)?;
        validate::token("cred_id", self.cred_id.expose_secret(), 32)?;
        if self.cred_type == CredType::IdCard {
            validate::mainland_id("cred_id", self.cred_id.expose_secret(), true)?;
        }
        validate::token(
            "access_token",
            self.access_token.expose_secret(),
            MAX_ACCESS_TOKEN_LEN,
        )
    }
}

/// This API's description.
pub const ENDPOINT: Endpoint<'static> = Endpoint::new(
    "realnameauth",
    "https://fraud.mch.weixin.qq.com",
    PATH,
    HttpMethod::Post,
    Protocol::V2Xml {
        signed_reply: true,
        client_certificate: false,
    },
);

/// How a `realnameauth` reply is read without its request.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RealNameAuthReplyOptions {
    /// The sign type of the request the reply answers; `None` falls back to the length of
    /// `sign` (32 hex characters MD5, 64 HMAC-SHA256).
    pub sign_type: Option<SignType>,
}

impl RealNameAuthReplyOptions {
    /// Options for a reply to a request signed with `sign_type` (`None`: the length rule).
    ///
    /// ```
    /// use wechatpay_sansio::api::realnameauth::RealNameAuthReplyOptions;
    /// use wechatpay_sansio::SignType;
    /// let o = RealNameAuthReplyOptions::signed_with(Some(SignType::Md5));
    /// assert_eq!(o.sign_type, Some(SignType::Md5));
    /// ```
    #[must_use]
    pub const fn signed_with(sign_type: Option<SignType>) -> Self {
        Self { sign_type }
    }
}

impl Operation for RealNameAuthRequest {
    type Outcome = RealNameAuthOutcome;
    type ReplyOptions = RealNameAuthReplyOptions;
    const IDENTIFYING: &'static [&'static str] = &IDENTIFYING_FIELDS;

    const ENDPOINT: Endpoint<'static> = ENDPOINT;

    /// Validate, then build the signed XML POST.
    ///
    /// `rng` draws `nonce_str` only: this API involves no RSA operation, so the backend
    /// (RustCrypto or `aws-lc-rs`) makes no difference.
    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        endpoint: &Endpoint<'_>,
        merchant: &Merchant,
        rng: &mut R,
        _now: UnixTime,
    ) -> Result<Request, ApiError> {
        self.validate()?;
        let key = merchant.api_v2_key()?;
        let nonce = Nonce::generate(rng).map_err(|_| ApiError::Rng)?;
        let params = [
            ("version", self.version.as_str()),
            ("mch_id", merchant.mchid().as_str()),
            ("appid", self.appid.as_str()),
            ("openid", self.openid.as_str()),
            ("real_name", self.real_name.expose_secret()),
            ("cred_type", self.cred_type.as_str()),
            ("cred_id", self.cred_id.expose_secret()),
            ("nonce_str", nonce.as_str()),
            ("access_token", self.access_token.expose_secret()),
            ("sign_type", self.sign_type.as_str()),
        ];
        let client_certificate = endpoint.requires_client_certificate();
        Ok(post_xml(
            &endpoint.url(),
            &params,
            key,
            self.sign_type,
            client_certificate,
        )?)
    }

    /// `mch_id`, `appid`, `openid`, `access_token` equal to this request's.
    fn echoes<'a>(&'a self, merchant: &'a Merchant) -> Vec<Echo<'a>> {
        vec![
            Echo::equal("mch_id", merchant.mchid().as_str()),
            Echo::equal("appid", &self.appid),
            Echo::equal("openid", &self.openid),
            Echo::equal("access_token", self.access_token.expose_secret()),
        ]
    }

    /// The reply is signed with this request's sign type.
    fn reply_options(&self) -> RealNameAuthReplyOptions {
        RealNameAuthReplyOptions {
            sign_type: Some(self.sign_type),
        }
    }

    /// Status, XML, `return_code`, the signature (with `options.sign_type`, else the length
    /// rule) before anything else is read, the exact fold rule, `result_code` (required), the
    /// echoes, then the outcome.
    fn decode(
        merchant: &Merchant,
        response: ResponseRef<'_>,
        _now: UnixTime,
        options: &RealNameAuthReplyOptions,
        echoes: &[Echo<'_>],
    ) -> Result<RealNameAuthOutcome, ApiError> {
        parse_checked(
            merchant,
            response,
            &Expect::signed(options.sign_type),
            echoes,
        )
    }
}

/// Check a reply without the request at hand (e.g. one copied from a log): everything
/// [`Operation::parse_reply`] checks but the comparison with the request — the identifying
/// fields ([`IDENTIFYING_FIELDS`]) are only required to be present; compare the outcome's ids
/// with what you sent yourself. The sign type is taken from the reply's `sign` length; to pin
/// it, use [`crate::api::read_reply_with`] with [`RealNameAuthReplyOptions`].
///
/// # Errors
/// As [`Operation::parse_reply`], without [`ApiError::Mismatch`].
pub fn read_reply(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
) -> Result<RealNameAuthOutcome, ApiError> {
    crate::api::read_reply::<RealNameAuthRequest>(merchant, response, now)
}

fn parse_checked(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    expect: &Expect<'_>,
    echoes: &[Echo<'_>],
) -> Result<RealNameAuthOutcome, ApiError> {
    let key = merchant.api_v2_key()?;
    v2_common::xml_reply(&response, Some(key), expect, echoes, |r| {
        let verify_openid: Vec<VerifyOpenid> = r
            .strict("verify_openid")
            .unwrap_or_default()
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(VerifyOpenid::from_wire)
            .collect();
        if verify_openid.is_empty() {
            return Err(ApiError::MissingField("verify_openid".into()));
        }
        // Present on both paths (required or echoed).
        let id = |name: &'static str| r.strict(name).unwrap_or_default().to_owned();
        Ok(RealNameAuthOutcome {
            mch_id: id("mch_id"),
            appid: id("appid"),
            openid: id("openid"),
            verify_openid,
            verify_real_name: r.strict("verify_real_name").map(VerifyRealName::from_wire),
            bind_bankcard: r.strict("bind_bankcard").map(BindBankcard::from_wire),
        })
    })
}

/// A verified `realnameauth` answer. `Debug` redacts the openid (an identifier of a person).
#[derive(Clone, PartialEq, Eq)]
pub struct RealNameAuthOutcome {
    /// Merchant id, as echoed.
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

impl fmt::Debug for RealNameAuthRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RealNameAuthRequest")
            .field("appid", &self.appid)
            .field("openid", &REDACTED)
            .field("real_name", &self.real_name)
            .field("cred_type", &self.cred_type)
            .field("cred_id", &self.cred_id)
            .field("access_token", &self.access_token)
            .field("version", &self.version)
            .field("sign_type", &self.sign_type)
            .finish()
    }
}

impl fmt::Debug for RealNameAuthOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RealNameAuthOutcome")
            .field("mch_id", &self.mch_id)
            .field("appid", &self.appid)
            .field("openid", &REDACTED)
            .field("verify_openid", &self.verify_openid)
            .field("verify_real_name", &self.verify_real_name)
            .field("bind_bankcard", &self.bind_bankcard)
            .finish()
    }
}

/// Why a check matched or did not: the reply's codes, decided.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// The user matches the name and the name matches the document (`V_OP_NM_MA` +
    /// `V_NM_ID_MA`).
    Match,
    /// The user has not completed real-name verification (`V_OP_NA`).
    UserNotVerified,
    /// The user does not match the name (`V_OP_NM_UM`).
    NameMismatch,
    /// The name does not match the document number (`V_NM_ID_UM`).
    IdMismatch,
    /// The document type does not match (`V_NM_ID_TYPE_UM`).
    IdTypeMismatch,
    /// A combination the document does not describe (unknown codes, or `V_OP_NM_MA` without
    /// `verify_real_name`): not a match.
    Undetermined,
}

impl RealNameAuthOutcome {
    /// Whether the name matched the user **and** the document matched the name.
    #[must_use]
    pub fn is_match(&self) -> bool {
        self.decision() == Decision::Match
    }

    /// The outcome, decided: the match, or why there is none.
    ///
    /// ```
    /// use wechatpay_sansio::api::realnameauth::*;
    /// let o = RealNameAuthOutcome { mch_id: "1".into(), appid: "wx".into(), openid: "o".into(),
    ///     verify_openid: vec![VerifyOpenid::NameMatches],
    ///     verify_real_name: Some(VerifyRealName::IdMismatch), bind_bankcard: None };
    /// assert_eq!(o.decision(), Decision::IdMismatch);
    /// assert!(!o.is_match());
    /// assert!(!format!("{o:?}").contains("\"o\"")); // the openid is redacted
    /// ```
    #[must_use]
    pub fn decision(&self) -> Decision {
        let has = |v: VerifyOpenid| self.verify_openid.contains(&v);
        if has(VerifyOpenid::NotVerified) {
            return Decision::UserNotVerified;
        }
        if has(VerifyOpenid::NameMismatch) {
            return Decision::NameMismatch;
        }
        if !has(VerifyOpenid::NameMatches) {
            return Decision::Undetermined;
        }
        match &self.verify_real_name {
            Some(VerifyRealName::IdMatches) => Decision::Match,
            Some(VerifyRealName::IdMismatch) => Decision::IdMismatch,
            Some(VerifyRealName::IdTypeMismatch) => Decision::IdTypeMismatch,
            _ => Decision::Undetermined,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_error_is_reported() {
        let merchant = Merchant::new("1900000109").unwrap().with_api_v2_key(
            crate::secret::ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap(),
        );
        let req = RealNameAuthRequest::new(
            "wx2421b1c4370ec43b",
            "o",
            Personal::new("刘某某"),
            CredType::Passport,
            Personal::new("E1234"),
            AccessToken::new("t"),
        );
        let mut rng = <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(1);
        assert!(matches!(
            req.build_at(
                &ENDPOINT.at("http://x"),
                &merchant,
                &mut rng,
                crate::time::UnixTime::from_secs(0)
            ),
            Err(ApiError::V2Request(_))
        ));
        assert_eq!("1.1".parse(), Ok(Version::V1_1));
        assert!("2".parse::<Version>().is_err());
        assert_eq!(BindBankcard::No.to_string(), "NO");
        assert_eq!(CredType::ALL.len(), 7);
    }
}
