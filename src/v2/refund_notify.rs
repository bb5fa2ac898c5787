//! v2 refund result notifications (退款结果通知): WeChat Pay POSTs an XML body to the refund's
//! `notify_url` (or the one set in the merchant platform) once a refund succeeds, fails or
//! closes. Official page: <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_16&index=10>.
//!
//! **The notification carries no signature.** Its outer fields (`return_code`, `appid`,
//! `mch_id`, `nonce_str`) are plain; the refund itself is in `req_info`: base64 of
//! AES-256-ECB with PKCS#7 padding, under the **lower-case hex MD5 of the APIv2 key** (its 32
//! ASCII characters are the 256-bit AES key), decrypting to a flat `<root>…</root>` document.
//! A `req_info` that decrypts proves only that its author knew the APIv2 key (or replayed a
//! genuine notification): ECB has no integrity, the notification no time and no signature, and
//! blocks of one genuine `req_info` can be cut and reordered without the key. So:
//!
//! - treat a parsed notification as a **hint**: before acting on it (crediting, re-stocking,
//!   telling the customer), query the refund — v2 `refundquery`
//!   (<https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_5>) or v3
//!   `GET /v3/refund/domestic/refunds/{out_refund_no}` — and act on the query's answer;
//! - process it idempotently, keyed on [`RefundNotification::refund_id`].
//!
//! [`parse`] (or [`parse_with`], to also require your `appid` / `mch_id`) checks, in order: a
//! flat XML body within the limits, `return_code` `SUCCESS`, `appid` / `mch_id` present (and
//! equal to the configured ones), `req_info` present, base64, whole 16-byte blocks, a valid
//! PKCS#7 padding after decryption (else: the APIv2 key is wrong or the body was forged), a flat
//! XML document with every [`REQUIRED`] field, integer amounts. [`answer`] builds the reply
//! WeChat Pay expects (the same XML as [`crate::v2::notify`]'s): [`crate::v2::notify::success`]
//! once received, [`crate::v2::notify::failure`] to have it sent again.
//!
//! A refund notification sent to [`crate::v2::notify::parse`] (the payment parser) is refused
//! with [`crate::v2::notify::PayNotifyError::RefundNotification`]: dispatch on the presence of
//! `req_info` if both arrive at one URL.
//!
//! ```
//! use wechatpay_sansio::secret::ApiV2Key;
//! use wechatpay_sansio::simulator::{Simulator, v2_refund_notify::RefundNotificationFields};
//! use wechatpay_sansio::v2::{notify, refund_notify::{self, V2RefundStatus}};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let sim = Simulator::new(); // plays WeChat Pay, with a TEST ONLY APIv2 key
//! let req = sim.v2_refund_notification(&RefundNotificationFields::success("R1", 100), &mut rng);
//! let key = ApiV2Key::new(wechatpay_sansio::simulator::TEST_API_V2_KEY)?;
//!
//! // In the web handler: the raw body bytes.
//! let result = refund_notify::parse(req.body(), &key);
//! let reply = refund_notify::answer(&result);            // send this back
//! let n = result?;
//! assert_eq!((n.out_refund_no(), n.refund_fee()), ("R1", 100));
//! assert_eq!(n.refund_status(), &V2RefundStatus::Success);
//! assert_eq!(reply.body(), notify::SUCCESS_XML.as_bytes());
//! // Not yet a fact: query the refund (refundquery, or v3 GET /v3/refund/domestic/refunds/R1)
//! // and act on its answer.
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::crypto::{self, Md5};
use crate::error::{Classify, Disposition};
use crate::secret::{ApiV2Key, Personal};
use crate::untrusted_text::{Shown, shown};
use crate::v2::Fields;
use crate::v2::notify::{failure, success};
use crate::v2::xml::{self, XmlError, XmlLimits};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use core::fmt;
use http::Response;
use zeroize::{Zeroize as _, Zeroizing};

/// The fields the decrypted `req_info` must carry, non-empty: those of the official table
/// marked 必填 that say which refund of which payment, how much and how it ended. The table also
/// marks `refund_recv_accout`, `refund_account` and `refund_request_source` 必填; they describe
/// the refund and are read when present, but a notification without them is not refused (it
/// would be refused at every one of WeChat Pay's resends, and lost).
pub const REQUIRED: &[&str] = &[
    "transaction_id",
    "out_trade_no",
    "refund_id",
    "out_refund_no",
    "total_fee",
    "refund_fee",
    "settlement_refund_fee",
    "refund_status",
];

crate::wire::open_enum!(
    /// A v2 refund's status: `refund_status` of a refund notification and `refund_status_$n`
    /// of a `refundquery` reply (`api::pay_v2::refundquery` re-exports it).
    ///
    /// ```
    /// use wechatpay_sansio::v2::refund_notify::V2RefundStatus;
    /// assert_eq!(V2RefundStatus::from_wire("REFUNDCLOSE"), V2RefundStatus::RefundClose);
    /// assert_eq!(V2RefundStatus::from_wire("PROCESSING").as_str(), "PROCESSING");
    /// ```
    pub enum V2RefundStatus {
        /// `SUCCESS`: 退款成功.
        Success = "SUCCESS",
        /// `CHANGE`: 退款异常 — the money could not reach the payer's account (a closed card…);
        /// the merchant platform offers to redo the refund to another account.
        Change = "CHANGE",
        /// `REFUNDCLOSE`: 退款关闭.
        RefundClose = "REFUNDCLOSE",
        /// `PROCESSING`: 退款处理中 (a refund query's answer; a notification reports an end
        /// state).
        Processing = "PROCESSING",
    }
);

/// Why a refund notification was not accepted. Messages name fields and kinds of failure, never
/// values or keys.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundNotifyError {
    /// The body is not a flat XML document within the limits.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// No `return_code` field.
    #[error("the notification has no return_code")]
    MissingReturnCode,
    /// `return_code` is not `SUCCESS`: a failure notice, which carries no refund (and, like every
    /// refund notification, no signature: nothing to act on).
    #[error("refund notification with return_code {}: {}", Shown(return_code), shown(return_msg.as_deref()))]
    ReturnFail {
        /// The `return_code` value (normally `FAIL`).
        return_code: String,
        /// `return_msg`, as received (unauthenticated).
        return_msg: Option<String>,
    },
    /// A field the notification must carry is absent or empty: `appid`, `mch_id` or `req_info`
    /// outside, or a [`REQUIRED`] field of the decrypted `req_info`.
    #[error("the refund notification has no {0}")]
    MissingField(&'static str),
    /// `req_info` is not base64.
    #[error("the refund notification's req_info is not base64")]
    Base64,
    /// The decoded `req_info` is not a whole number of 16-byte AES blocks.
    #[error("the refund notification's req_info is {0} bytes, not whole 16-byte blocks")]
    CiphertextLength(usize),
    /// `req_info` decrypted to a bad PKCS#7 padding: decrypted with another key than the one it
    /// was encrypted with — a wrong APIv2 key (reset in the merchant platform?) or a forged
    /// body. Nothing authenticates the notification, so the two look alike.
    #[error(
        "the refund notification's req_info does not decrypt (bad padding): check the APIv2 key; query the refund"
    )]
    Padding,
    /// The decrypted `req_info` is not a flat XML document.
    #[error("the refund notification's decrypted req_info is not a flat XML document: {0}")]
    ReqInfo(XmlError),
    /// An amount is not a non-negative integer number of fen.
    #[error("the refund notification's {0} is not a non-negative integer")]
    InvalidField(&'static str),
    /// `appid` or `mch_id` differs from the configured one ([`RefundNotifyOptions`]).
    #[error("the refund notification's {0} differs from the configured one")]
    Mismatch(&'static str),
}

impl Classify for RefundNotifyError {
    /// [`Disposition::Untrusted`] for every variant: nothing authenticates a refund notification,
    /// so a wrong key, a forgery and a broken proxy look alike; [`Classify::distrust`] says
    /// [`crate::error::Distrust::Tampered`]. If every refund notification fails with
    /// [`RefundNotifyError::Padding`], check the APIv2 key first.
    fn disposition(&self) -> Disposition {
        match self {
            Self::Xml(_)
            | Self::MissingReturnCode
            | Self::ReturnFail { .. }
            | Self::MissingField(_)
            | Self::Base64
            | Self::CiphertextLength(_)
            | Self::Padding
            | Self::ReqInfo(_)
            | Self::InvalidField(_)
            | Self::Mismatch(_) => Disposition::Untrusted,
        }
    }
}

/// How [`parse_with`] reads a refund notification.
///
/// ```
/// use wechatpay_sansio::v2::refund_notify::RefundNotifyOptions;
/// let o = RefundNotifyOptions::default().with_appid("wx2421b1c4370ec43b").with_mch_id("10000100");
/// assert_eq!((o.appid, o.mch_id), (Some("wx2421b1c4370ec43b"), Some("10000100")));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RefundNotifyOptions<'a> {
    /// Your `appid`: the notification's must equal it. `None`: not compared.
    pub appid: Option<&'a str>,
    /// Your `mch_id`: the notification's must equal it. `None`: not compared.
    pub mch_id: Option<&'a str>,
    /// Size limits of the XML body, applied to the decrypted `req_info` too (default 256 KiB,
    /// 256 fields).
    pub limits: XmlLimits,
}

impl<'a> RefundNotifyOptions<'a> {
    /// Set [`Self::appid`].
    #[must_use]
    pub const fn with_appid(mut self, appid: &'a str) -> Self {
        self.appid = Some(appid);
        self
    }

    /// Set [`Self::mch_id`].
    #[must_use]
    pub const fn with_mch_id(mut self, mch_id: &'a str) -> Self {
        self.mch_id = Some(mch_id);
        self
    }

    /// Set [`Self::limits`].
    #[must_use]
    pub const fn with_limits(mut self, limits: XmlLimits) -> Self {
        self.limits = limits;
        self
    }
}

/// A refund notification whose `req_info` decrypted to the documented shape. **Not
/// authenticated** (see the [module documentation](self)): query the refund before acting on
/// it. `Debug` prints the ids, amounts and status, never `refund_recv_accout`.
#[derive(Clone, PartialEq, Eq)]
pub struct RefundNotification {
    appid: String,
    mch_id: String,
    transaction_id: String,
    out_trade_no: String,
    refund_id: String,
    out_refund_no: String,
    total_fee: u64,
    settlement_total_fee: Option<u64>,
    refund_fee: u64,
    settlement_refund_fee: u64,
    refund_status: V2RefundStatus,
    success_time: Option<String>,
    refund_recv_accout: Option<Personal>,
    refund_account: Option<String>,
    refund_request_source: Option<String>,
    req_info: Fields<'static>,
}

impl fmt::Debug for RefundNotification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefundNotification")
            .field("mch_id", &self.mch_id)
            .field("out_trade_no", &self.out_trade_no)
            .field("transaction_id", &self.transaction_id)
            .field("out_refund_no", &self.out_refund_no)
            .field("refund_id", &self.refund_id)
            .field("refund_status", &self.refund_status)
            .field("total_fee", &self.total_fee)
            .field("refund_fee", &self.refund_fee)
            .field("settlement_refund_fee", &self.settlement_refund_fee)
            .field("refund_recv_accout", &self.refund_recv_accout)
            .field("req_info", &self.req_info)
            .finish_non_exhaustive()
    }
}

impl RefundNotification {
    /// The outer `appid` (plain text: not covered by the encryption).
    #[must_use]
    pub fn appid(&self) -> &str {
        &self.appid
    }

    /// The outer `mch_id` (plain text: not covered by the encryption).
    #[must_use]
    pub fn mch_id(&self) -> &str {
        &self.mch_id
    }

    /// `transaction_id`, WeChat Pay's number of the refunded payment.
    #[must_use]
    pub fn transaction_id(&self) -> &str {
        &self.transaction_id
    }

    /// `out_trade_no`, the merchant's number of the refunded order.
    #[must_use]
    pub fn out_trade_no(&self) -> &str {
        &self.out_trade_no
    }

    /// `refund_id`, WeChat Pay's refund number: the idempotency key of this notification (a
    /// replay or a repeated delivery carries the same one).
    #[must_use]
    pub fn refund_id(&self) -> &str {
        &self.refund_id
    }

    /// `out_refund_no`, the merchant's refund number: the one to query the refund with.
    #[must_use]
    pub fn out_refund_no(&self) -> &str {
        &self.out_refund_no
    }

    /// `total_fee` in fen: the order's amount.
    #[must_use]
    pub fn total_fee(&self) -> u64 {
        self.total_fee
    }

    /// `settlement_total_fee` in fen (the order's amount less non-settlement coupons), when
    /// present.
    #[must_use]
    pub fn settlement_total_fee(&self) -> Option<u64> {
        self.settlement_total_fee
    }

    /// `refund_fee` in fen: the amount applied for.
    #[must_use]
    pub fn refund_fee(&self) -> u64 {
        self.refund_fee
    }

    /// `settlement_refund_fee` in fen: the amount refunded less non-settlement coupons.
    #[must_use]
    pub fn settlement_refund_fee(&self) -> u64 {
        self.settlement_refund_fee
    }

    /// `refund_status`.
    #[must_use]
    pub fn refund_status(&self) -> &V2RefundStatus {
        &self.refund_status
    }

    /// `success_time` (`yyyy-MM-dd HH:mm:ss`, Beijing time), when present.
    #[must_use]
    pub fn success_time(&self) -> Option<&str> {
        self.success_time.as_deref()
    }

    /// `refund_recv_accout` (sic: the official spelling), the account the money went to — a
    /// card's bank and last digits, or 支付用户零钱: personal, never log it.
    #[must_use]
    pub fn refund_recv_accout(&self) -> Option<&Personal> {
        self.refund_recv_accout.as_ref()
    }

    /// `refund_account` (`REFUND_SOURCE_RECHARGE_FUNDS`, `REFUND_SOURCE_UNSETTLED_FUNDS`), when
    /// present.
    #[must_use]
    pub fn refund_account(&self) -> Option<&str> {
        self.refund_account.as_deref()
    }

    /// `refund_request_source` (`API`, `VENDOR_PLATFORM`), when present.
    #[must_use]
    pub fn refund_request_source(&self) -> Option<&str> {
        self.refund_request_source.as_deref()
    }

    /// Every field of the decrypted `req_info` as received (owned, zeroized on drop; `Debug`
    /// prints names and lengths only).
    #[must_use]
    pub fn req_info(&self) -> &Fields<'static> {
        &self.req_info
    }
}

/// The AES key of `req_info`: the lower-case hex MD5 of the APIv2 key, its 32 ASCII bytes.
pub(crate) fn req_info_key(key: &ApiV2Key) -> Zeroizing<[u8; 32]> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut h = Md5::new();
    h.update(key.expose_secret().as_bytes());
    let mut digest = h.finalize();
    let mut out = Zeroizing::new([0u8; 32]);
    for (i, b) in digest.iter().enumerate() {
        out[2 * i] = HEX[usize::from(b >> 4)];
        out[2 * i + 1] = HEX[usize::from(b & 0x0f)];
    }
    digest.zeroize();
    out
}

/// Decrypt a `req_info` value (base64 of AES-256-ECB under the lower-case hex MD5 of the APIv2
/// key, PKCS#7 padded) to its bytes, checking only the base64, the length and the padding. For
/// your own reading of the decrypted document; [`parse`] does this and then checks its shape.
///
/// ```
/// use wechatpay_sansio::secret::ApiV2Key;
/// use wechatpay_sansio::v2::refund_notify::{decrypt_req_info, RefundNotifyError};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?; // the documents' example key
/// assert_eq!(decrypt_req_info("AAAA", &key), Err(RefundNotifyError::CiphertextLength(3)));
/// assert_eq!(decrypt_req_info("not base64!", &key), Err(RefundNotifyError::Base64));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`RefundNotifyError::Base64`], [`RefundNotifyError::CiphertextLength`],
/// [`RefundNotifyError::Padding`].
pub fn decrypt_req_info(
    req_info: &str,
    key: &ApiV2Key,
) -> Result<Zeroizing<Vec<u8>>, RefundNotifyError> {
    let ciphertext = STANDARD
        .decode(req_info.trim_ascii())
        .map_err(|_| RefundNotifyError::Base64)?;
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
        return Err(RefundNotifyError::CiphertextLength(ciphertext.len()));
    }
    crypto::aes256ecb_pkcs7_decrypt(&req_info_key(key), &ciphertext)
        .map_err(|_| RefundNotifyError::Padding)
}

/// Parse a refund notification with the default [`RefundNotifyOptions`] (no `appid` /
/// `mch_id` compared). See [`parse_with`].
///
/// # Errors
/// See [`parse_with`].
pub fn parse(body: &[u8], key: &ApiV2Key) -> Result<RefundNotification, RefundNotifyError> {
    parse_with(body, key, &RefundNotifyOptions::default())
}

/// Parse a refund notification body, in this order:
///
/// 1. a flat XML document within the limits → else [`RefundNotifyError::Xml`];
/// 2. `return_code` present and `SUCCESS` → else [`RefundNotifyError::MissingReturnCode`] /
///    [`RefundNotifyError::ReturnFail`];
/// 3. `appid` and `mch_id` present → else [`RefundNotifyError::MissingField`], and equal to the
///    configured ones → else [`RefundNotifyError::Mismatch`] naming the field;
/// 4. `req_info` present → else [`RefundNotifyError::MissingField`]; base64 → else
///    [`RefundNotifyError::Base64`]; whole 16-byte blocks → else
///    [`RefundNotifyError::CiphertextLength`]; a valid padding once decrypted → else
///    [`RefundNotifyError::Padding`];
/// 5. the decrypted document flat XML within the limits → else [`RefundNotifyError::ReqInfo`],
///    with every [`REQUIRED`] field → else [`RefundNotifyError::MissingField`], and integer
///    amounts → else [`RefundNotifyError::InvalidField`].
///
/// ```
/// use wechatpay_sansio::secret::ApiV2Key;
/// use wechatpay_sansio::v2::refund_notify::{self, RefundNotifyError, RefundNotifyOptions};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let body = b"<xml><return_code>SUCCESS</return_code><appid>wx1</appid><mch_id>10000100</mch_id><req_info>AAAAAAAAAAAAAAAAAAAAAA==</req_info></xml>";
/// let ours = RefundNotifyOptions::default().with_mch_id("1900000109");
/// assert_eq!(refund_notify::parse_with(body, &key, &ours), Err(RefundNotifyError::Mismatch("mch_id")));
/// assert_eq!(refund_notify::parse(body, &key), Err(RefundNotifyError::Padding));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// See [`RefundNotifyError`].
pub fn parse_with(
    body: &[u8],
    key: &ApiV2Key,
    options: &RefundNotifyOptions<'_>,
) -> Result<RefundNotification, RefundNotifyError> {
    let outer = xml::parse_with_limits(body, &options.limits)?;
    let return_code = outer
        .get("return_code")
        .ok_or(RefundNotifyError::MissingReturnCode)?;
    if return_code != "SUCCESS" {
        return Err(RefundNotifyError::ReturnFail {
            return_code: return_code.chars().take(32).collect(),
            return_msg: outer.get_non_empty("return_msg").map(str::to_owned),
        });
    }
    let id = |name: &'static str, want: Option<&str>| {
        let got = outer
            .get_non_empty(name)
            .ok_or(RefundNotifyError::MissingField(name))?;
        match want {
            Some(want) if got != want => Err(RefundNotifyError::Mismatch(name)),
            _ => Ok(got.to_owned()),
        }
    };
    let appid = id("appid", options.appid)?;
    let mch_id = id("mch_id", options.mch_id)?;
    let req_info = outer
        .get_non_empty("req_info")
        .ok_or(RefundNotifyError::MissingField("req_info"))?;
    let plaintext = decrypt_req_info(req_info, key)?;
    let inner = xml::parse_with_limits(&plaintext, &options.limits)
        .map_err(RefundNotifyError::ReqInfo)?
        .into_owned();
    read(appid, mch_id, inner)
}

fn amount(value: Option<&str>, name: &'static str) -> Result<Option<u64>, RefundNotifyError> {
    value
        .map(|v| super::fen(v).ok_or(RefundNotifyError::InvalidField(name)))
        .transpose()
}

/// The typed notification from the decrypted fields.
fn read(
    appid: String,
    mch_id: String,
    f: Fields<'static>,
) -> Result<RefundNotification, RefundNotifyError> {
    if let Some(name) = REQUIRED.iter().find(|n| f.get_non_empty(n).is_none()) {
        return Err(RefundNotifyError::MissingField(name));
    }
    let id = |name: &str| f.get(name).unwrap_or_default().to_owned();
    let opt = |name: &str| f.get_non_empty(name).map(str::to_owned);
    let fee = |name: &'static str| amount(f.get(name), name).map(Option::unwrap_or_default);
    Ok(RefundNotification {
        total_fee: fee("total_fee")?,
        refund_fee: fee("refund_fee")?,
        settlement_refund_fee: fee("settlement_refund_fee")?,
        settlement_total_fee: amount(
            f.get_non_empty("settlement_total_fee"),
            "settlement_total_fee",
        )?,
        appid,
        mch_id,
        transaction_id: id("transaction_id"),
        out_trade_no: id("out_trade_no"),
        refund_id: id("refund_id"),
        out_refund_no: id("out_refund_no"),
        refund_status: V2RefundStatus::from_wire(f.get("refund_status").unwrap_or_default()),
        success_time: opt("success_time"),
        refund_recv_accout: f.get_non_empty("refund_recv_accout").map(Personal::new),
        refund_account: opt("refund_account"),
        refund_request_source: opt("refund_request_source"),
        req_info: f,
    })
}

/// The answer for the result of [`parse`]: [`crate::v2::notify::success`] for a notification
/// that decrypted to the documented shape (received; query the refund before acting on it);
/// otherwise [`crate::v2::notify::failure`] — `解密失败` when `req_info` does not decode or
/// decrypt, `参数格式校验错误` for anything else — so that WeChat Pay sends it again.
///
/// If your own processing (the refund query included) fails, answer with
/// [`crate::v2::notify::failure`] instead.
///
/// ```
/// use wechatpay_sansio::v2::{notify, refund_notify::{self, RefundNotifyError}};
/// let r = refund_notify::answer(&Err::<(), _>(RefundNotifyError::Padding));
/// assert_eq!(r.body(), notify::failure("解密失败").body());
/// ```
#[must_use]
pub fn answer<T>(result: &Result<T, RefundNotifyError>) -> Response<Vec<u8>> {
    match result {
        Ok(_) => success(),
        Err(
            RefundNotifyError::Base64
            | RefundNotifyError::CiphertextLength(_)
            | RefundNotifyError::Padding,
        ) => failure("解密失败"),
        Err(_) => failure("参数格式校验错误"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn req_info_key_is_the_lower_hex_md5_of_the_api_v2_key() {
        // md5("192006250b4c09247ec02edce69f6a2d"), as `printf %s KEY | md5sum` prints it.
        let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
        let k = req_info_key(&key);
        assert_eq!(&*k, b"d96eb16afdd491fa1e705096edbc2205");
        let other = ApiV2Key::new("TESTONLYsimulatorApiV2Key0000001").unwrap();
        assert_ne!(*req_info_key(&other), *k);
    }

    #[test]
    fn every_error_is_untrusted_and_names_no_value() {
        let all = [
            RefundNotifyError::Xml(XmlError::Empty),
            RefundNotifyError::MissingReturnCode,
            RefundNotifyError::ReturnFail {
                return_code: "FAIL".into(),
                return_msg: Some("a\nb".into()),
            },
            RefundNotifyError::MissingField("req_info"),
            RefundNotifyError::Base64,
            RefundNotifyError::CiphertextLength(3),
            RefundNotifyError::Padding,
            RefundNotifyError::ReqInfo(XmlError::Empty),
            RefundNotifyError::InvalidField("refund_fee"),
            RefundNotifyError::Mismatch("appid"),
        ];
        for e in all {
            assert_eq!(e.disposition(), Disposition::Untrusted, "{e}");
            assert!(!e.to_string().contains('\n'), "{e}");
        }
        assert!(
            RefundNotifyError::Padding
                .to_string()
                .contains("check the APIv2 key; query the refund")
        );
    }
}
