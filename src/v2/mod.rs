//! APIv2: XML bodies signed with MD5 or HMAC-SHA256 over a canonical `k=v&…&key=` string.
//!
//! - [`sign`]: the canonical sign string, signing and constant-time verification;
//! - [`xml`]: building request bodies and parsing flat replies into [`Fields`];
//! - [`reply`]: the checks on a reply (return code, result code, signature, folds, echoed
//!   fields) and the typed `err_code`;
//! - [`endpoint`]: hosts, paths and which endpoints never sign their replies;
//! - [`request`]: signed sans-IO request values (XML POST and signed-query GET);
//! - [`notify`]: payment result notifications (支付结果通知) and the XML answers WeChat Pay expects;
//! - [`refund_notify`]: refund result notifications (退款结果通知): unsigned, `req_info` decrypted
//!   with the APIv2 key's MD5 (AES-256-ECB).
//!
//! ```
//! use wechatpay_sansio::secret::ApiV2Key;
//! use wechatpay_sansio::v2::{reply::{check, Expect}, sign::sign, xml, SignType};
//! let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
//! let fields = [("return_code", "SUCCESS"), ("result_code", "SUCCESS"), ("mch_id", "10000100")];
//! let s = sign(fields, &key, SignType::HmacSha256)?;
//! let body = xml::to_xml(fields.into_iter().chain([("sign", s.as_str())]))?;
//! let parsed = xml::parse(body.as_bytes())?;
//! check(&parsed, &key, &Expect::signed(Some(SignType::HmacSha256)).echo(&[("mch_id", "10000100")]))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod endpoint;
mod fields;
pub mod fold;
pub mod notify;
pub mod refund_notify;
pub mod reply;
pub mod request;
pub mod sign;
pub mod xml;

pub use fields::{DuplicateField, Fields};
pub use sign::{Sign, SignError, SignType};

/// A v2 amount in fen (`total_fee`, `refund_fee`, …): one or more ASCII digits (leading zeros
/// allowed) that fit a `u64`; `None` for anything else.
pub(crate) fn fen(value: &str) -> Option<u64> {
    if value.bytes().all(|b| b.is_ascii_digit()) {
        value.parse().ok()
    } else {
        None
    }
}
