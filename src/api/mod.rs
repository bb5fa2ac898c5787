//! The typed APIs, all of one shape: the payment lifecycle ([`pay`]: v3, direct and partner;
//! [`pay_v2`]: v2), the five identity-verification APIs (`realnameauth`, `nameauth`, `customs`,
//! `pre_entrust`, `querymchrisk`) and the two calls they depend on (`oauth` for the
//! `realnameauth` access token, `getpublickey` for the `querymchrisk` key).
//!
//! | module | API | protocol |
//! |---|---|---|
//! | [`pay`] | 下单 / 查单 / 关单 / 退款 / 查退款 and their notifications (JSAPI, App, H5, Native; direct and partner) | v3 |
//! | [`bill`] | 申请交易账单 / 资金账单 / 单个子商户资金账单, 下载账单: the download checked against the signed SHA1 while it streams (GZIP, AES-256-GCM) | v3, unsigned download |
//! | [`certificates`] | 下载平台证书 `GET /v3/certificates` (the keys [`crate::rotation`] refreshes) | v3, AES-256-GCM resources |
//! | [`media`] | 图片上传 / 视频上传 `merchant/media/upload`, `…/video_upload` | v3, `multipart/form-data`, `meta` signed |
//! | [`realnameauth`] | 实名验证 `secsvc/realnameauth` | v2 XML, MD5 / HMAC-SHA256, signed reply |
//! | [`oauth`] | its OAuth steps (authorize URL, `appauth/getaccesstoken`) | v2 signed GET, JSON reply |
//! | [`nameauth`] | legacy 实名认证查询 `nameautheasy` | MD5 query sign, JSON / JSONP |
//! | [`customs`] | 身份信息校验 `v3/global/customs/verify-certificate` | v3, PKCS#1 v1.5 fields |
//! | [`pre_entrust`] | 预签约(实名) `…/pre-entrust-sign-with-real-name-identity/…` | v3, OAEP fields |
//! | [`querymchrisk`] | 风险商户核查 `mchrisk/querymchrisk` | v2 HMAC-SHA256, OAEP fields, mTLS |
//! | [`getpublickey`] | its key, `risk/getpublickey` | v2, mTLS |
//! | [`pay_v2`] | v2 payments: `pay/unifiedorder`, `orderquery`, `closeorder`, `secapi/pay/refund`, `refundquery` | v2 XML, MD5 / HMAC-SHA256, signed replies; refund mTLS |
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
//! both answer "what now?" through [`crate::error::Classify`].
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

pub mod bill;
pub mod certificates;
pub mod customs;
pub mod getpublickey;
pub mod media;
pub mod nameauth;
pub mod oauth;
pub mod pay;
pub mod pay_v2;
pub mod pre_entrust;
pub mod querymchrisk;
pub mod realnameauth;

mod endpoint;
mod error;
pub use endpoint::{Echo, Endpoint, HttpMethod, Protocol};
pub use error::{ApiError, Failure, NameAuthCode, Retcode};
mod v2_common;
pub(crate) mod v3_common;

use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::time::UnixTime;
use rand_core::TryCryptoRng;

/// The shape every typed API has, and its description: where it is spoken ([`Endpoint`]), the
/// fields that tie a reply to its request ([`Echo`]), and how a reply is decoded. One generic
/// path runs [`Operation::build`], [`Operation::parse_reply`] and [`read_reply`] for every API;
/// adding an API is one implementation of this trait, an outcome type and a simulator handler.
pub trait Operation {
    /// What a successful reply means.
    type Outcome;

    /// How a reply is read that the request alone can say (`realnameauth`: its sign type);
    /// [`read_reply`] uses the default.
    type ReplyOptions: Default;

    /// The fields that identify a request: every success reply must carry them
    /// ([`Operation::parse_reply`] also compares them with what was sent).
    const IDENTIFYING: &'static [&'static str];

    /// This API's description (for an API with several endpoints, the default one).
    const ENDPOINT: Endpoint<'static>;

    /// Where and how this request is spoken: [`Operation::ENDPOINT`] unless the request chooses
    /// (`pre_entrust`'s scene).
    fn endpoint(&self) -> Endpoint<'static> {
        Self::ENDPOINT
    }

    /// Validate the request (before any cryptography) and build the signed sans-IO request for
    /// `merchant` at `now`, sent to `endpoint`'s host (its path and method are this API's:
    /// pass [`Operation::endpoint`], or it [`Endpoint::at`] a test host). `rng` draws the
    /// nonce and, under the RustCrypto backend, the RSA randomness (blinding, padding); under
    /// `aws-lc-rs` the RSA operations do not consult it.
    ///
    /// # Errors
    /// [`ApiError::Field`], [`ApiError::NotConfigured`], [`ApiError::NoEncryptionKey`],
    /// [`ApiError::Rng`], [`ApiError::Encrypt`], [`ApiError::V2Request`],
    /// [`ApiError::V3Request`].
    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        endpoint: &Endpoint<'_>,
        merchant: &Merchant,
        rng: &mut R,
        now: UnixTime,
    ) -> Result<Request, ApiError>;

    /// The fields a reply to this request must carry back, with the values sent.
    fn echoes<'a>(&'a self, merchant: &'a Merchant) -> Vec<Echo<'a>>;

    /// The reply options this request implies.
    fn reply_options(&self) -> Self::ReplyOptions {
        Self::ReplyOptions::default()
    }

    /// Check a reply — status, signature (with the clock at receipt, `now`), `echoes` — and
    /// decode the outcome.
    ///
    /// # Errors
    /// [`ApiError::failure`] for WeChat Pay's failure answers; the other variants when the reply
    /// cannot be trusted or read.
    fn decode(
        merchant: &Merchant,
        response: ResponseRef<'_>,
        now: UnixTime,
        options: &Self::ReplyOptions,
        echoes: &[Echo<'_>],
    ) -> Result<Self::Outcome, ApiError>;

    /// [`Operation::build_at`] this API's own endpoint.
    ///
    /// # Errors
    /// As [`Operation::build_at`].
    fn build<R: TryCryptoRng + ?Sized>(
        &self,
        merchant: &Merchant,
        rng: &mut R,
        now: UnixTime,
    ) -> Result<Request, ApiError> {
        self.build_at(&self.endpoint(), merchant, rng, now)
    }

    /// Check the reply to this request — status, signature, the fields that identify the
    /// request, equal to what was sent — and read the outcome.
    ///
    /// # Errors
    /// As [`Operation::decode`].
    fn parse_reply(
        &self,
        merchant: &Merchant,
        response: ResponseRef<'_>,
        now: UnixTime,
    ) -> Result<Self::Outcome, ApiError> {
        Self::decode(
            merchant,
            response,
            now,
            &self.reply_options(),
            &self.echoes(merchant),
        )
    }
}

/// Check a reply of the API `O` without its request at hand (a reply copied from a log):
/// everything [`Operation::parse_reply`] checks, but the identifying fields are only required
/// to be present — compare them with what you sent yourself.
///
/// ```
/// use wechatpay_sansio::api::{self, querymchrisk::QueryMchRiskRequest};
/// use wechatpay_sansio::{Merchant, ResponseRef, UnixTime};
/// let merchant = Merchant::new("1900000109")?;
/// let headers = http::HeaderMap::new();
/// let body = b"<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code>\
///              <mch_id>1900000109</mch_id><risk_level>LOW</risk_level><risk_level_desc></risk_level_desc></xml>";
/// let reply = ResponseRef::new(http::StatusCode::OK, &headers, body);
/// let out = api::read_reply::<QueryMchRiskRequest>(&merchant, reply, UnixTime::from_secs(0))?;
/// assert_eq!(out.mch_id, "1900000109");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`Operation::decode`].
pub fn read_reply<O: Operation>(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
) -> Result<O::Outcome, ApiError> {
    read_reply_with::<O>(merchant, response, now, &O::ReplyOptions::default())
}

/// [`read_reply`] with reply options (`realnameauth`: the sign type of the request).
///
/// # Errors
/// As [`Operation::decode`].
pub fn read_reply_with<O: Operation>(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
    options: &O::ReplyOptions,
) -> Result<O::Outcome, ApiError> {
    O::decode(
        merchant,
        response,
        now,
        options,
        &Echo::present(O::IDENTIFYING),
    )
}
