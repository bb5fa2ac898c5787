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
