#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
//! # wechatpay-sansio
//!
//! The WeChat Pay (微信支付) merchant protocols without I/O: canonical sign strings, MD5 /
//! HMAC-SHA256 / SHA256-with-RSA signatures, RSA field encryption, AES-GCM resources, XML and JSON
//! bodies, and replies turned into checked values. Bring your own transport.
//!
//! Requests are built into a [`request::Request`] (method, URL, headers, body, and whether mutual
//! TLS is required) that converts into an [`http::Request`]; replies are checked from
//! (status, headers, raw body). Time, nonces and randomness are arguments; only the [`os`] module
//! (feature `os`) reads the clock or the OS RNG.
//!
//! | concept | module |
//! |---|---|
//! | **the guide**: every concept with a runnable example (the README) | [`guide`] |
//! | the merchant context every typed API takes | [`merchant`] |
//! | "what now?" for every error: `Disposition`, `Classify` | [`error`] |
//! | instants (`UnixTime`), ids and nonces | [`time`], [`ids`] |
//! | the sans-IO request and response values | [`request`] |
//! | v2 sign string, MD5 / HMAC-SHA256, verification | [`v2::sign`] |
//! | v2 XML build / parse | [`v2::xml`] |
//! | v2 reply checks, unsigned endpoints | [`v2::reply`], [`v2::endpoint`] |
//! | v2 signed requests | [`v2::request`] |
//! | v2 payment notifications and their answers | [`v2::notify`] |
//! | v3 canonical strings, `Authorization` | [`v3::canonical`], [`v3::auth`] |
//! | v3 requests, responses, notifications | [`v3::request`], [`v3::response`], [`v3::notify`] |
//! | v3 signature verification | [`v3::verify`] |
//! | AES-256-GCM resources, certificate download | [`v3::resource`], [`v3::certificates`] |
//! | RSA field encryption (OAEP / PKCS#1 v1.5) | [`cipher`] |
//! | keys, certificates, key store | [`keys`] |
//! | secrets and personal data | [`secret`] |
//! | front-end pay signatures | [`paysign`] |
//! | the payment lifecycle: prepay (JSAPI / mini-program, App, H5, Native) and client pay-sign, query, close, refund, refund query, typed notifications; direct and partner | [`api::pay`] |
//! | the five identity-verification APIs (`realnameauth`, `nameauth`, `customs`, `pre_entrust`, `querymchrisk`) and their supporting calls (`oauth`, `getpublickey`), typed | [`api`] |
//! | platform-certificate refresh (a sans-IO driver) and a merchant shared across tasks | [`rotation`] |
//! | media uploads (`multipart/form-data`, the `meta` signed) | [`api::media`], [`v3::media`] |
//! | offline WeChat Pay for tests (feature `simulator`) | `simulator` |
//! | the cryptography seam | [`crypto`] |
//!
//! The everyday items are re-exported here: [`Merchant`], [`UnixTime`], [`Request`],
//! [`ResponseRef`], [`Operation`], [`ApiError`], [`Failure`], [`Classify`], [`Disposition`],
//! [`Distrust`], [`ApiV2Key`], [`ApiV3Key`], [`Personal`], [`SignType`].
//!
//! The [`guide`] walks through every concept with runnable examples (they are compiled as this
//! crate's doc tests); `ARCHITECTURE.md` gives the module layers and the rules of the public
//! surface. The official v2 signature example
//! (<https://pay.weixin.qq.com/doc/v2/merchant/4011985891>):
//!
//! ```
//! use wechatpay_sansio::{secret::ApiV2Key, v2::{sign::sign, SignType}};
//! let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
//! let s = sign([("appid", "wxd930ea5d5a258f4f"), ("mch_id", "10000100"), ("device_info", "1000"),
//!               ("body", "test"), ("nonce_str", "ibuaiVcKdpRxkhJA")], &key, SignType::Md5)?;
//! assert_eq!(s.as_str(), "9A0A8659F005D6984697E2CA0A9CF3B7");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod disposition;
mod json;
mod untrusted_text;
mod validate;
mod wire;

pub mod api;
pub mod cipher;
pub mod crypto;
pub mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod ids;
pub mod keys;
pub mod merchant;
#[cfg(feature = "os")]
#[cfg_attr(docsrs, doc(cfg(feature = "os")))]
pub mod os;
pub mod paysign;
pub mod request;
pub mod rotation;
pub mod secret;
#[cfg(feature = "simulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "simulator")))]
pub mod simulator;
pub mod time;
pub mod v2;
pub mod v3;

pub use http;
pub use rand_core;

pub use api::{ApiError, Failure, Operation};
pub use error::{Classify, Disposition, Distrust};
pub use merchant::Merchant;
pub use request::{Request, ResponseRef};
pub use secret::{ApiV2Key, ApiV3Key, Personal};
pub use time::UnixTime;
pub use v2::SignType;

/// The guide: the repository's README, part of these docs (its examples run as doc tests).
#[doc = include_str!("../README.md")]
pub mod guide {}
