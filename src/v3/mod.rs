//! APIv3: JSON bodies, SHA256-with-RSA request signatures and signed responses (official rules:
//! <https://pay.weixin.qq.com/doc/v3/merchant/4012365334>).
//!
//! - [`canonical`]: the signed strings (request, response, front-end "lines");
//! - [`auth`]: the merchant signer and the `Authorization` header (build and parse);
//! - [`request`]: signed sans-IO JSON requests;
//! - [`verify`]: response and notification signature verification (`Wechatpay-*` headers);
//! - [`response`]: 2xx verification vs. the error body of non-2xx replies;
//! - [`resource`]: AES-256-GCM encrypted resources;
//! - [`notify`]: notifications (verify, then decrypt);
//! - [`certificates`]: the `/v3/certificates` download;
//! - [`header`]: the `Wechatpay-*` header names.

pub mod auth;
pub mod canonical;
pub mod certificates;
pub mod header;
pub mod notify;
pub mod request;
pub mod resource;
pub mod response;
pub mod verify;

/// Scheme token of v3 signatures (`Authorization` scheme and `Wechatpay-Signature-Type`).
pub const SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";
