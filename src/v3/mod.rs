//! APIv3: JSON bodies, SHA256-with-RSA request signatures and signed responses (official rules:
//! <https://pay.weixin.qq.com/doc/v3/merchant/4012365334>).
//!
//! - [`canonical`]: the signed strings (request, response, front-end "lines");
//! - [`auth`]: the merchant signer and the `Authorization` header (build and parse);
//! - [`request`]: signed sans-IO requests (JSON; or a body signed over other bytes);
//! - [`media`]: the media upload's `meta` and `multipart/form-data` body;
//! - [`verify`]: response and notification signature verification (`Wechatpay-*` headers);
//! - [`response`]: 2xx verification vs. the error body of non-2xx replies;
//! - [`resource`]: AES-256-GCM encrypted resources;
//! - [`notify`]: notifications (verify, then decrypt);
//! - [`certificates`]: the `/v3/certificates` download;
//! - [`header`]: the `Wechatpay-*` header names.
//!
//! ```
//! use wechatpay_sansio::{ids::Nonce, request::ResponseRef, simulator::Simulator, time::UnixTime};
//! use wechatpay_sansio::v3::{request::JsonRequest, response};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let sim = Simulator::new();                           // TEST ONLY WeChat Pay
//! let merchant = sim.merchant();
//! let now = UnixTime::from_secs(1_767_225_600);
//! let nonce = Nonce::generate(&mut rng)?;
//! let req = JsonRequest::get("https://api.mch.weixin.qq.com/v3/pay/transactions/id/4200000001?mchid=1900000109")
//!     .sign(merchant.signer()?, &mut rng, now, &nonce)?;
//! assert!(sim.check_v3_authorization(&req.into_http(), now).is_ok());
//! let reply = sim.signed_v3_reply(&mut rng, http::StatusCode::OK, b"{}".to_vec(), now);
//! let verified = response::check(ResponseRef::from_http(&reply), &merchant.verifier(), now)?;
//! assert_eq!(verified.key_id, sim.platform_serial());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod auth;
pub mod canonical;
pub mod certificates;
pub mod header;
pub mod media;
pub mod notify;
pub mod request;
pub mod resource;
pub mod response;
pub mod verify;

/// Scheme token of v3 signatures (`Authorization` scheme and `Wechatpay-Signature-Type`).
pub const SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";

/// v3 paths whose 2xx replies WeChat Pay does not sign: the bill file download (下载账单: "该接口
/// 响应的信息请求头中不包含微信接口响应的签名值，因此需要跳过验签的流程", official document
/// <https://pay.weixin.qq.com/doc/v3/partner/4014314390>). Verification must be skipped there,
/// not failed; the integrity check is the digest the signed apply reply carries
/// ([`crate::api::bill::BillVerifier`]). Two paths, because the documents show two: the download
/// page and real replies use `/v3/billdownload/file`, the apply pages' examples (the
/// sub-merchant fund-flow bill's among them) `/v3/bill/downloadurl`; the caller uses the
/// `download_url` as returned. The v2 list is [`crate::v2::endpoint::UNSIGNED_REPLY_PATHS`].
///
/// ```
/// assert!(!wechatpay_sansio::v3::is_signed_reply_path("/v3/billdownload/file"));
/// assert!(!wechatpay_sansio::v3::is_signed_reply_path("/v3/bill/downloadurl"));
/// assert!(wechatpay_sansio::v3::is_signed_reply_path("/v3/bill/tradebill"));
/// ```
pub const UNSIGNED_REPLY_PATHS: &[&str] = &["/v3/billdownload/file", "/v3/bill/downloadurl"];

/// Whether WeChat Pay signs the 2xx replies of the v3 `path` (without its query): every path
/// but [`UNSIGNED_REPLY_PATHS`].
#[must_use]
pub fn is_signed_reply_path(path: &str) -> bool {
    !UNSIGNED_REPLY_PATHS.contains(&path)
}
