//! The names of the WeChat Pay v3 headers, one constant each (lower case, as [`http`] stores
//! them; lookups in a [`http::HeaderMap`] are case-insensitive).
//!
//! ```
//! use wechatpay_sansio::v3::header::WECHATPAY_SERIAL;
//! let mut headers = http::HeaderMap::new();
//! headers.insert("Wechatpay-Serial", http::HeaderValue::from_static("PUB_KEY_ID_0114232134912410000000000000"));
//! assert!(headers.contains_key(&WECHATPAY_SERIAL));
//! ```

use http::HeaderName;

/// `Wechatpay-Timestamp`: Unix seconds of a response or notification signature.
pub static WECHATPAY_TIMESTAMP: HeaderName = HeaderName::from_static("wechatpay-timestamp");
/// `Wechatpay-Nonce`: the nonce of a response or notification signature.
pub static WECHATPAY_NONCE: HeaderName = HeaderName::from_static("wechatpay-nonce");
/// `Wechatpay-Signature`: base64 RSASSA-PKCS1-v1_5/SHA-256 signature.
pub static WECHATPAY_SIGNATURE: HeaderName = HeaderName::from_static("wechatpay-signature");
/// `Wechatpay-Serial`: on replies and notifications, the id of the key that signed; on
/// requests, the id of the key sensitive fields were encrypted with (mandatory then) and the key
/// the merchant can verify the reply with.
pub static WECHATPAY_SERIAL: HeaderName = HeaderName::from_static("wechatpay-serial");
/// `Wechatpay-Signature-Type`: `WECHATPAY2-SHA256-RSA2048` when present.
pub static WECHATPAY_SIGNATURE_TYPE: HeaderName =
    HeaderName::from_static("wechatpay-signature-type");
/// `Request-ID`: WeChat Pay's id of a reply, for support requests.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
