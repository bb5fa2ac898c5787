//! v2 payment result notifications (支付结果通知): WeChat Pay POSTs an XML body to the
//! `notify_url` of the order; the merchant verifies its `sign` with the APIv2 key, acts on it
//! once, and answers with XML. Official page (JSAPI; the APP, Native, H5 and mini-program
//! pages are the same): <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7>.
//!
//! - [`parse`] (or [`parse_with`] and the sign type your orders use) checks a notification body:
//!   `return_code`, the signature, the exact fold rule over every field the typed notification
//!   exposes (see [`crate::v2::fold`]; `attach` is merchant-opaque and not covered),
//!   `result_code`, and the fields that identify the payment ([`REQUIRED`]); it returns them
//!   typed ([`PayNotification`]).
//! - The algorithm: the sign type configured for the orders ([`PayNotifyOptions::sign_type`])
//!   when given — a notification naming another `sign_type` is refused, so MD5 is never accepted
//!   where HMAC-SHA256 is configured; otherwise the notification's `sign_type`; otherwise the
//!   sign's length (32 hex characters MD5, 64 HMAC-SHA256). WeChat Pay sends notifications of
//!   orders placed with HMAC-SHA256 **without** `sign_type` (public reports: binarywang/WxJava
//!   issues 1585, 1633 and 1671, silenceper/wechat issue 282), so assuming MD5 would refuse them
//!   all.
//! - [`answer`] (or [`success`] / [`failure`]) builds the HTTP answer: `200` with
//!   `<xml><return_code><![CDATA[SUCCESS]]></return_code>…` once the notification is received;
//!   anything else (`FAIL`, another status, a timeout) makes WeChat Pay send it again, up to 15
//!   times over about 24 hours.
//!
//! WeChat Pay may deliver the same notification more than once, and a v2 notification carries
//! no time: a captured one verifies forever and can be replayed at will. Process it idempotently
//! — key on [`PayNotification::transaction_id`] (a unique constraint in your database) — and
//! compare `total_fee` with your order before acting.
//!
//! ```
//! use wechatpay_sansio::secret::ApiV2Key;
//! use wechatpay_sansio::v2::{notify, sign, xml, SignType};
//! let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?; // the documents' example key
//! // What WeChat Pay sends (built here with the crate's signer; see tests for the real sample).
//! let mut pairs = vec![("appid", "wx2421b1c4370ec43b"), ("mch_id", "10000100"),
//!     ("nonce_str", "5d2b6c2a8db53831f7eda20af46e531c"), ("openid", "oUpF8uMEb4qRXf22hE3X68TekukE"),
//!     ("out_trade_no", "1409811653"), ("result_code", "SUCCESS"), ("return_code", "SUCCESS"),
//!     ("time_end", "20140903131540"), ("total_fee", "1"), ("trade_type", "JSAPI"),
//!     ("bank_type", "CFT"), ("transaction_id", "1004400740201409030005092168")];
//! let s = sign::sign(pairs.iter().copied(), &key, SignType::Md5)?;
//! pairs.push(("sign", s.as_str()));
//! let body = xml::to_xml(pairs)?;
//!
//! // In the web handler: the raw body bytes.
//! let result = notify::parse(body.as_bytes(), &key);
//! let reply: http::Response<Vec<u8>> = notify::answer(&result);   // send this back
//! let n = result?;
//! assert_eq!((n.out_trade_no(), n.total_fee()), ("1409811653", 1));
//! assert_eq!(reply.status(), 200);
//! assert_eq!(reply.body(), notify::SUCCESS_XML.as_bytes());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{Classify, Disposition};
use crate::secret::ApiV2Key;
use crate::untrusted_text::shown;
use crate::v2::Fields;
use crate::v2::fold::Reader;
use crate::v2::reply::{self, ErrCode, Expect, ReplyError};
use crate::v2::sign::SignType;
use crate::v2::xml::{self, XmlLimits};
use crate::validate::FieldError;
use core::fmt;
use http::{HeaderValue, Response, StatusCode};

/// The fields a success notification (`return_code` and `result_code` `SUCCESS`) must carry,
/// non-empty: those of the official table marked 必填 that tie it to the payment — who was paid
/// (`appid`, `mch_id`), for which order (`out_trade_no`, `transaction_id`), how much
/// (`total_fee`), by whom (`openid`), how and when (`trade_type`, `time_end`). The table also
/// marks `nonce_str`, `bank_type` and `cash_fee` 必填; they are not required here (the official
/// example itself has no `cash_fee`).
pub const REQUIRED: &[&str] = &[
    "appid",
    "mch_id",
    "openid",
    "out_trade_no",
    "time_end",
    "total_fee",
    "trade_type",
    "transaction_id",
];

/// The exact body of [`success`].
pub const SUCCESS_XML: &str = "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>";

/// Longest `return_msg` [`failure`] writes, in characters (the document's `String(128)`).
pub const MAX_RETURN_MSG: usize = 128;

/// Why a notification was not accepted. Messages name fields and kinds of failure, never
/// values or keys.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayNotifyError {
    /// The body is not a flat XML document, has no `return_code` or a `return_code` other than
    /// `SUCCESS` (unsigned: nothing to act on), its `sign` is missing, malformed or wrong, a
    /// value may hide folded fields, or a [`REQUIRED`] field is absent or empty.
    #[error(transparent)]
    Reply(#[from] ReplyError),
    /// `sign_type` names neither `MD5` nor `HMAC-SHA256`.
    #[error(transparent)]
    SignType(FieldError),
    /// The notification names a `sign_type` other than the one configured for the orders
    /// ([`PayNotifyOptions::sign_type`]): a downgrade (MD5 where HMAC-SHA256 is configured) or a
    /// notification of another configuration; refused without verifying.
    #[error("the notification names a sign_type other than the configured {configured}")]
    WrongSignType {
        /// The configured sign type.
        configured: SignType,
    },
    /// An amount is not a non-negative integer number of fen.
    #[error("the notification's {0} is not a non-negative integer")]
    InvalidField(&'static str),
    /// The body has `req_info` and no `sign`: a refund notification (退款结果通知), sent to the
    /// payment parser — its `notify_url` leads to the payment handler. Parse it with
    /// [`crate::v2::refund_notify`]; [`answer`] asks WeChat Pay to send it again.
    #[error("this is a refund notification (req_info, no sign): parse it with v2::refund_notify")]
    RefundNotification,
    /// A **verified** notification that the payment failed (`result_code` `FAIL`). It was
    /// received: [`answer`] acknowledges it with [`success`], so WeChat Pay stops resending.
    #[error("verified notification with result_code FAIL: {} {}", shown(err_code.as_ref().map(ErrCode::as_str)), shown(err_code_des.as_deref()))]
    PaymentFailed {
        /// `err_code`.
        err_code: Option<ErrCode>,
        /// `err_code_des`.
        err_code_des: Option<String>,
    },
}

impl Classify for PayNotifyError {
    /// [`PayNotifyError::PaymentFailed`] is [`Disposition::Rejected`] (an authentic "not paid");
    /// [`PayNotifyError::RefundNotification`] is [`Disposition::Misconfigured`] (refund
    /// notifications are routed to the payment handler); everything else means the body cannot
    /// be trusted or read: [`Disposition::Untrusted`].
    fn disposition(&self) -> Disposition {
        match self {
            Self::PaymentFailed { .. } => Disposition::Rejected,
            Self::RefundNotification => Disposition::Misconfigured,
            Self::Reply(_)
            | Self::SignType(_)
            | Self::WrongSignType { .. }
            | Self::InvalidField(_) => Disposition::Untrusted,
        }
    }
}

/// A verified payment result notification. Every [`REQUIRED`] field is present and non-empty;
/// every value an accessor returns is covered by the fold rule except [`Self::attach`]
/// (merchant-opaque). [`Self::fields`] holds every field as received (`coupon_*`,
/// `sub_mch_id`…): a field no accessor reads is not covered by the fold rule. `Debug` prints
/// field names and value lengths only.
#[derive(Clone, PartialEq, Eq)]
pub struct PayNotification<'a> {
    sign_type: SignType,
    typed: Typed,
    fields: Fields<'a>,
}

/// The typed values, read through the fold rule's recording reader.
#[derive(Clone, PartialEq, Eq)]
struct Typed {
    appid: String,
    mch_id: String,
    openid: String,
    out_trade_no: String,
    transaction_id: String,
    trade_type: String,
    time_end: String,
    total_fee: u64,
    cash_fee: Option<u64>,
    bank_type: Option<String>,
    fee_type: Option<String>,
    sub_mch_id: Option<String>,
    attach: Option<String>,
}

impl Drop for Typed {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.openid.zeroize();
    }
}

impl fmt::Debug for PayNotification<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PayNotification")
            .field("sign_type", &self.sign_type)
            .field("mch_id", &self.typed.mch_id)
            .field("out_trade_no", &self.typed.out_trade_no)
            .field("transaction_id", &self.typed.transaction_id)
            .field("openid", &"<redacted>")
            .field("total_fee", &self.typed.total_fee)
            .field("fields", &self.fields)
            .finish_non_exhaustive()
    }
}

impl<'a> PayNotification<'a> {
    /// The algorithm the signature was verified with.
    #[must_use]
    pub fn sign_type(&self) -> SignType {
        self.sign_type
    }

    /// `appid`.
    #[must_use]
    pub fn appid(&self) -> &str {
        &self.typed.appid
    }

    /// `mch_id`.
    #[must_use]
    pub fn mch_id(&self) -> &str {
        &self.typed.mch_id
    }

    /// `sub_mch_id` (service-provider mode), when present.
    #[must_use]
    pub fn sub_mch_id(&self) -> Option<&str> {
        self.typed.sub_mch_id.as_deref()
    }

    /// `out_trade_no`, the merchant's order number.
    #[must_use]
    pub fn out_trade_no(&self) -> &str {
        &self.typed.out_trade_no
    }

    /// `transaction_id`, WeChat Pay's order number: the idempotency key of this notification
    /// (a replay or a repeated delivery carries the same one).
    #[must_use]
    pub fn transaction_id(&self) -> &str {
        &self.typed.transaction_id
    }

    /// `openid` of the payer (an identifier of a person: never log it).
    #[must_use]
    pub fn openid(&self) -> &str {
        &self.typed.openid
    }

    /// `trade_type` (`JSAPI`, `NATIVE`, `APP`, `MWEB`…).
    #[must_use]
    pub fn trade_type(&self) -> &str {
        &self.typed.trade_type
    }

    /// `time_end`, `yyyyMMddHHmmss` (Beijing time).
    #[must_use]
    pub fn time_end(&self) -> &str {
        &self.typed.time_end
    }

    /// `total_fee` in fen: compare it with the order's amount before acting.
    #[must_use]
    pub fn total_fee(&self) -> u64 {
        self.typed.total_fee
    }

    /// `cash_fee` in fen, when present.
    #[must_use]
    pub fn cash_fee(&self) -> Option<u64> {
        self.typed.cash_fee
    }

    /// `bank_type`, when present.
    #[must_use]
    pub fn bank_type(&self) -> Option<&str> {
        self.typed.bank_type.as_deref()
    }

    /// `fee_type` (currency, `CNY` when absent), when present.
    #[must_use]
    pub fn fee_type(&self) -> Option<&str> {
        self.typed.fee_type.as_deref()
    }

    /// `attach`, the merchant's data from the order, as received: merchant-opaque, **not
    /// covered by the fold rule** (see [`crate::v2::fold`]); never identify an order by it.
    #[must_use]
    pub fn attach(&self) -> Option<&str> {
        self.typed.attach.as_deref()
    }

    /// Every field of the notification as received (`sign` included); fields no accessor reads
    /// are not covered by the fold rule.
    #[must_use]
    pub fn fields(&self) -> &Fields<'a> {
        &self.fields
    }

    /// A copy that owns its values (to hand to another task or thread).
    #[must_use]
    pub fn into_owned(self) -> PayNotification<'static> {
        PayNotification {
            sign_type: self.sign_type,
            typed: self.typed.clone(),
            fields: self.fields.clone().into_owned(),
        }
    }
}

fn amount(value: Option<&str>, name: &'static str) -> Result<Option<u64>, PayNotifyError> {
    value
        .map(|v| super::fen(v).ok_or(PayNotifyError::InvalidField(name)))
        .transpose()
}

/// Read the typed values; every read is recorded for the fold rule.
fn read_typed(r: &Reader<'_, '_>) -> Result<Typed, PayNotifyError> {
    let id = |name: &'static str| r.strict(name).unwrap_or_default().to_owned();
    let opt = |name: &'static str| r.strict(name).map(str::to_owned);
    // Every field is read (and so recorded) before an amount may fail.
    let (total_fee, cash_fee) = (r.strict("total_fee"), r.strict("cash_fee"));
    let mut typed = Typed {
        appid: id("appid"),
        mch_id: id("mch_id"),
        openid: id("openid"),
        out_trade_no: id("out_trade_no"),
        transaction_id: id("transaction_id"),
        trade_type: id("trade_type"),
        time_end: id("time_end"),
        total_fee: 0,
        cash_fee: None,
        bank_type: opt("bank_type"),
        fee_type: opt("fee_type"),
        sub_mch_id: opt("sub_mch_id"),
        attach: r.opaque("attach").map(str::to_owned),
    };
    typed.total_fee = amount(total_fee, "total_fee")?.unwrap_or_default();
    typed.cash_fee = amount(cash_fee, "cash_fee")?;
    Ok(typed)
}

/// How [`parse_with`] reads a notification.
///
/// ```
/// use wechatpay_sansio::v2::{notify::PayNotifyOptions, SignType};
/// let o = PayNotifyOptions::default().with_sign_type(SignType::HmacSha256);
/// assert_eq!(o.sign_type, Some(SignType::HmacSha256));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PayNotifyOptions {
    /// The sign type your orders are placed with (`unifiedorder`'s `sign_type`). `None`: the
    /// notification's `sign_type`, else the sign's length.
    pub sign_type: Option<SignType>,
    /// Size limits of the XML body (default 256 KiB, 256 fields).
    pub limits: XmlLimits,
}

impl PayNotifyOptions {
    /// Set [`Self::sign_type`].
    #[must_use]
    pub const fn with_sign_type(mut self, sign_type: SignType) -> Self {
        self.sign_type = Some(sign_type);
        self
    }

    /// Set [`Self::limits`].
    #[must_use]
    pub const fn with_limits(mut self, limits: XmlLimits) -> Self {
        self.limits = limits;
        self
    }
}

/// Parse and verify a notification body with the default [`PayNotifyOptions`] (no configured
/// sign type). See [`parse_with`].
///
/// # Errors
/// See [`parse_with`].
pub fn parse<'a>(body: &'a [u8], key: &ApiV2Key) -> Result<PayNotification<'a>, PayNotifyError> {
    parse_with(body, key, &PayNotifyOptions::default())
}

/// Parse and verify a notification body, in this order:
///
/// 1. a flat XML document within the limits → else [`ReplyError::Xml`];
/// 2. `return_code` present and `SUCCESS` → else [`ReplyError::MissingReturnCode`] /
///    [`ReplyError::ReturnFail`] (such bodies are unsigned); `req_info` without `sign` (a refund
///    notification) → [`PayNotifyError::RefundNotification`];
/// 3. the sign type: the configured one (a notification naming another is
///    [`PayNotifyError::WrongSignType`]), else `sign_type` (unknown: [`PayNotifyError::SignType`]),
///    else the sign's length; `sign` verified with the APIv2 key → else [`ReplyError::Sign`];
/// 4. no other reading of the signed string changes a field the typed notification exposes →
///    else [`ReplyError::PossibleFold`];
/// 5. `result_code` present and `SUCCESS` → else [`ReplyError::MissingResultCode`] or
///    [`PayNotifyError::PaymentFailed`] (verified);
/// 6. every [`REQUIRED`] field present and non-empty → else [`ReplyError::MissingField`];
///    `total_fee` (and `cash_fee` when present) an integer → else [`PayNotifyError::InvalidField`].
///
/// ```
/// use wechatpay_sansio::secret::ApiV2Key;
/// use wechatpay_sansio::v2::{notify::{self, PayNotifyError, PayNotifyOptions}, reply::ReplyError, sign::SignError, SignType};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let unsigned = b"<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code></xml>";
/// let hmac = PayNotifyOptions::default().with_sign_type(SignType::HmacSha256);
/// assert_eq!(notify::parse_with(unsigned, &key, &hmac), Err(PayNotifyError::Reply(ReplyError::Sign(SignError::Missing))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// See [`PayNotifyError`].
pub fn parse_with<'a>(
    body: &'a [u8],
    key: &ApiV2Key,
    options: &PayNotifyOptions,
) -> Result<PayNotification<'a>, PayNotifyError> {
    let fields = xml::parse_with_limits(body, &options.limits).map_err(ReplyError::Xml)?;
    // Report an unsigned return_code FAIL before looking at the sign type.
    reply::return_code(&fields)?;
    // A refund notification is unsigned by design: say what it is, not "missing sign".
    if fields.get("req_info").is_some() && fields.get("sign").is_none() {
        return Err(PayNotifyError::RefundNotification);
    }
    let named = match fields.get_non_empty("sign_type") {
        None => None,
        Some(t) => Some(t.parse::<SignType>().map_err(PayNotifyError::SignType)?),
    };
    let sign_type = match (options.sign_type, named) {
        (Some(configured), Some(named)) if configured != named => {
            return Err(PayNotifyError::WrongSignType { configured });
        }
        (Some(t), _) | (None, Some(t)) => Some(t),
        (None, None) => None,
    };
    let mut verified = sign_type.unwrap_or(SignType::Md5);
    let typed = reply::check_and_read(
        &fields,
        Some(key),
        &Expect::signed(sign_type).require(REQUIRED),
        |r| {
            verified = r
                .fields()
                .get_non_empty("sign")
                .and_then(|s| sign_type.or_else(|| SignType::from_sign_len(s.len())))
                .unwrap_or(verified);
            read_typed(r)
        },
    )
    .map_err(|e| match e {
        ReplyError::BusinessFail {
            err_code,
            err_code_des,
        } => PayNotifyError::PaymentFailed {
            err_code,
            err_code_des,
        },
        e => PayNotifyError::Reply(e),
    })??;
    Ok(PayNotification {
        sign_type: verified,
        typed,
        fields,
    })
}

fn xml_response(body: Vec<u8>) -> Response<Vec<u8>> {
    let mut r = Response::new(body);
    *r.status_mut() = StatusCode::OK;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    r
}

/// `200` with [`SUCCESS_XML`] (`Content-Type: text/xml`): "received, stop resending".
///
/// ```
/// let r = wechatpay_sansio::v2::notify::success();
/// assert_eq!(r.status(), 200);
/// assert_eq!(r.body(), b"<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>");
/// ```
#[must_use]
pub fn success() -> Response<Vec<u8>> {
    xml_response(SUCCESS_XML.as_bytes().to_vec())
}

/// `200` with `<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[message]]></return_msg></xml>`:
/// WeChat Pay sends the notification again later. The message is made safe for CDATA: a `]]>`
/// inside it is split across two sections, control characters become spaces, and it is cut at
/// [`MAX_RETURN_MSG`] characters.
///
/// ```
/// use wechatpay_sansio::v2::{notify, xml};
/// let r = notify::failure("签名失败 ]]><x>");
/// assert_eq!(r.status(), 200);
/// let f = xml::parse(r.body())?;                       // still one flat document
/// assert_eq!(f.get("return_code"), Some("FAIL"));
/// assert_eq!(f.get("return_msg"), Some("签名失败 ]]><x>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn failure(message: &str) -> Response<Vec<u8>> {
    let mut body = String::with_capacity(120 + message.len());
    body.push_str("<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[");
    let clean: String = message
        .chars()
        .take(MAX_RETURN_MSG)
        .map(|c| {
            if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') {
                ' '
            } else {
                c
            }
        })
        .collect();
    // `]]>` would end the section: end it after `]]` and open a new one for `>`.
    body.push_str(&clean.replace("]]>", "]]]]><![CDATA[>"));
    body.push_str("]]></return_msg></xml>");
    xml_response(body.into_bytes())
}

/// The answer for the result of [`parse`]: [`success`] for a notification, and for a verified
/// [`PayNotifyError::PaymentFailed`] (it was received); otherwise [`failure`] with `签名失败` for a
/// signature that does not verify and `参数格式校验错误` for anything else (the document's two
/// example messages), so that WeChat Pay resends it.
///
/// If your own processing of a verified notification fails, answer with [`failure`] instead.
#[must_use]
pub fn answer<T>(result: &Result<T, PayNotifyError>) -> Response<Vec<u8>> {
    match result {
        Ok(_) | Err(PayNotifyError::PaymentFailed { .. }) => success(),
        Err(
            PayNotifyError::Reply(ReplyError::Sign(_))
            | PayNotifyError::SignType(_)
            | PayNotifyError::WrongSignType { .. },
        ) => failure("签名失败"),
        Err(_) => failure("参数格式校验错误"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v2::sign::{self, SignError};

    const DOC_KEY: &str = "192006250b4c09247ec02edce69f6a2d";
    /// The official 支付结果通知 example (`tests/data/real/v2_paynotify_doc_php_fixture.xml`).
    const DOC_SAMPLE: &str = include_str!("../../tests/data/real/v2_paynotify_doc_php_fixture.xml");

    fn key() -> ApiV2Key {
        ApiV2Key::new(DOC_KEY).unwrap()
    }

    /// The official example's fields, re-signed with the documents' key (`sign_type` added when
    /// given), as XML.
    fn doc_sample_signed(sign_type: Option<SignType>) -> String {
        let f = xml::parse(DOC_SAMPLE.as_bytes()).unwrap();
        let mut pairs: Vec<(&str, &str)> = f.iter().filter(|(k, _)| *k != "sign").collect();
        if let Some(t) = sign_type {
            pairs.push(("sign_type", t.as_str()));
        }
        let s = sign::sign(
            pairs.iter().copied(),
            &key(),
            sign_type.unwrap_or(SignType::Md5),
        )
        .unwrap();
        pairs.push(("sign", s.as_str()));
        xml::to_xml(pairs).unwrap()
    }

    fn signed(pairs: &[(&str, &str)], t: SignType) -> String {
        let s = sign::sign(pairs.iter().copied(), &key(), t).unwrap();
        let mut v = pairs.to_vec();
        v.push(("sign", s.as_str()));
        xml::to_xml(v).unwrap()
    }

    #[test]
    fn official_sample_parses_but_does_not_verify_with_a_published_key() {
        // Its sign was made with an unpublished key: it must parse, and fail only the signature.
        let f = xml::parse(DOC_SAMPLE.as_bytes()).unwrap();
        assert_eq!(f.get("total_fee"), Some("1"));
        assert_eq!(
            parse(DOC_SAMPLE.as_bytes(), &key()),
            Err(PayNotifyError::Reply(ReplyError::Sign(SignError::Mismatch)))
        );
        // …and it carries every required field.
        assert_eq!(
            reply::check_unsigned(&f, &Expect::unsigned().require(REQUIRED)),
            Ok(())
        );
    }

    #[test]
    fn official_sample_signed_with_the_doc_key() {
        for t in [None, Some(SignType::Md5), Some(SignType::HmacSha256)] {
            let body = doc_sample_signed(t);
            let n = parse(body.as_bytes(), &key()).unwrap();
            assert_eq!(n.sign_type(), t.unwrap_or(SignType::Md5));
            assert_eq!(n.appid(), "wx2421b1c4370ec43b");
            assert_eq!(n.mch_id(), "10000100");
            assert_eq!(n.out_trade_no(), "1409811653");
            assert_eq!(n.transaction_id(), "1004400740201409030005092168");
            assert_eq!(n.openid(), "oUpF8uMEb4qRXf22hE3X68TekukE");
            assert_eq!(n.trade_type(), "JSAPI");
            assert_eq!(n.time_end(), "20140903131540");
            assert_eq!(n.total_fee(), 1);
            assert_eq!(n.cash_fee(), None);
            assert_eq!(n.attach(), Some("支付测试"));
            assert_eq!(n.fields().get("coupon_fee"), Some("10"));
            let owned = n.clone().into_owned();
            assert_eq!(owned, n);
            // Debug shows no values.
            assert!(!format!("{n:?}").contains("oUpF8uMEb4qRXf22hE3X68TekukE"));
            assert_eq!(
                answer(&Ok::<_, PayNotifyError>(n)).body(),
                SUCCESS_XML.as_bytes()
            );
        }
    }

    #[test]
    fn tampered_missing_sign_and_wrong_algorithm() {
        let body = doc_sample_signed(None);
        let tampered = body.replace("<total_fee>1<", "<total_fee>2<");
        assert_ne!(tampered, body);
        assert_eq!(
            parse(tampered.as_bytes(), &key()),
            Err(PayNotifyError::Reply(ReplyError::Sign(SignError::Mismatch)))
        );
        let mut f = xml::parse(body.as_bytes()).unwrap();
        f.remove("sign");
        let unsigned = xml::to_xml(f.iter()).unwrap();
        let err = parse(unsigned.as_bytes(), &key()).unwrap_err();
        assert_eq!(
            err,
            PayNotifyError::Reply(ReplyError::Sign(SignError::Missing))
        );
        assert_eq!(err.disposition(), Disposition::Untrusted);
        // Wrong key.
        let other = ApiV2Key::new("TESTONLYsimulatorApiV2Key0000001").unwrap();
        assert_eq!(
            parse(body.as_bytes(), &other),
            Err(PayNotifyError::Reply(ReplyError::Sign(SignError::Mismatch)))
        );
        // HMAC-SHA256 sign without sign_type, as WeChat Pay sends it for HMAC orders: verified
        // by the sign's length when nothing is configured, and with the configured type.
        let f = xml::parse(DOC_SAMPLE.as_bytes()).unwrap();
        let mut pairs: Vec<(&str, &str)> = f.iter().filter(|(k, _)| *k != "sign").collect();
        let s = sign::sign(pairs.iter().copied(), &key(), SignType::HmacSha256).unwrap();
        pairs.push(("sign", s.as_str()));
        let no_type = xml::to_xml(pairs).unwrap();
        let n = parse(no_type.as_bytes(), &key()).unwrap();
        assert_eq!(n.sign_type(), SignType::HmacSha256);
        let configured = PayNotifyOptions::default().with_sign_type(SignType::HmacSha256);
        let n = parse_with(no_type.as_bytes(), &key(), &configured).unwrap();
        assert_eq!(n.sign_type(), SignType::HmacSha256);
        // Configured MD5: the HMAC notification does not verify as MD5.
        let md5 = PayNotifyOptions::default().with_sign_type(SignType::Md5);
        assert_eq!(
            parse_with(no_type.as_bytes(), &key(), &md5),
            Err(PayNotifyError::Reply(ReplyError::Sign(
                SignError::Malformed { expected: 32 }
            )))
        );
        // Never MD5 where HMAC-SHA256 is configured: an MD5 notification without sign_type…
        let md5_body = doc_sample_signed(None);
        assert_eq!(
            parse_with(md5_body.as_bytes(), &key(), &configured),
            Err(PayNotifyError::Reply(ReplyError::Sign(
                SignError::Malformed { expected: 64 }
            )))
        );
        // …or naming MD5 is refused.
        let named_md5 = doc_sample_signed(Some(SignType::Md5));
        let err = parse_with(named_md5.as_bytes(), &key(), &configured).unwrap_err();
        assert_eq!(
            err,
            PayNotifyError::WrongSignType {
                configured: SignType::HmacSha256
            }
        );
        assert_eq!(err.disposition(), Disposition::Untrusted);
        assert_eq!(
            answer(&Err::<(), _>(err)).body(),
            failure("签名失败").body()
        );
        // Neither configured nor named, and a sign of neither length.
        let mut f = xml::parse(no_type.as_bytes()).unwrap();
        f.remove("sign");
        f.insert("sign", "ABCDEF").unwrap();
        let odd_len = xml::to_xml(f.iter()).unwrap();
        assert_eq!(
            parse(odd_len.as_bytes(), &key()),
            Err(PayNotifyError::Reply(ReplyError::Sign(
                SignError::UnknownAlgorithm(6)
            )))
        );
        // An unknown sign_type.
        let odd = signed(
            &[("return_code", "SUCCESS"), ("sign_type", "HMAC_SHA256")],
            SignType::HmacSha256,
        );
        let err = parse(odd.as_bytes(), &key()).unwrap_err();
        assert!(matches!(err, PayNotifyError::SignType(_)), "{err:?}");
        assert_eq!(
            answer(&Err::<(), _>(err)).body(),
            failure("签名失败").body()
        );
    }

    #[test]
    fn codes_folds_and_fields() {
        let k = key();
        // return_code FAIL: unsigned, reported as such.
        let fail = b"<xml><return_code>FAIL</return_code><return_msg>x</return_msg></xml>";
        assert_eq!(
            parse(fail, &k),
            Err(PayNotifyError::Reply(ReplyError::ReturnFail {
                return_code: "FAIL".into(),
                return_msg: Some("x".into())
            }))
        );
        assert_eq!(
            parse(b"<xml><a>1</a></xml>", &k),
            Err(PayNotifyError::Reply(ReplyError::MissingReturnCode))
        );
        assert!(matches!(
            parse(b"<xml><a>", &k),
            Err(PayNotifyError::Reply(ReplyError::Xml(_)))
        ));
        // A verified result_code FAIL: acknowledged.
        let biz = signed(
            &[
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("err_code", "SYSTEMERROR"),
                ("err_code_des", "系统错误"),
            ],
            SignType::Md5,
        );
        let r = parse(biz.as_bytes(), &k);
        assert_eq!(
            r,
            Err(PayNotifyError::PaymentFailed {
                err_code: Some(ErrCode::SystemError),
                err_code_des: Some("系统错误".into())
            })
        );
        assert_eq!(r.as_ref().unwrap_err().disposition(), Disposition::Rejected);
        assert_eq!(answer(&r).body(), SUCCESS_XML.as_bytes());
        // The same, unsigned: not acted on.
        let unsigned =
            b"<xml><return_code>SUCCESS</return_code><result_code>FAIL</result_code></xml>";
        assert_eq!(
            parse(unsigned, &k),
            Err(PayNotifyError::Reply(ReplyError::Sign(SignError::Missing)))
        );
        // Missing result_code, missing required field, a fold, a bad amount.
        let mut base = vec![("return_code", "SUCCESS"), ("result_code", "SUCCESS")];
        base.extend(REQUIRED.iter().map(|n| (*n, "1")));
        assert!(parse(signed(&base, SignType::Md5).as_bytes(), &k).is_ok());
        let without = |name: &str| -> Vec<(&str, &str)> {
            base.iter().copied().filter(|(k, _)| *k != name).collect()
        };
        assert_eq!(
            parse(
                signed(&without("result_code"), SignType::Md5).as_bytes(),
                &k
            ),
            Err(PayNotifyError::Reply(ReplyError::MissingResultCode))
        );
        assert_eq!(
            parse(
                signed(&without("transaction_id"), SignType::Md5).as_bytes(),
                &k
            ),
            Err(PayNotifyError::Reply(ReplyError::MissingField(
                "transaction_id".into()
            )))
        );
        let mut folded = without("transaction_id");
        folded.retain(|(k, _)| *k != "trade_type");
        folded.push(("trade_type", "JSAPI&transaction_id=42"));
        assert_eq!(
            parse(signed(&folded, SignType::Md5).as_bytes(), &k),
            Err(PayNotifyError::Reply(ReplyError::PossibleFold {
                field: "trade_type".into(),
            }))
        );
        for bad in ["1.00", "-1", "99999999999999999999999"] {
            let mut v = without("total_fee");
            v.push(("total_fee", bad));
            let err = parse(signed(&v, SignType::Md5).as_bytes(), &k).unwrap_err();
            assert_eq!(err, PayNotifyError::InvalidField("total_fee"));
            assert_eq!(
                answer(&Err::<(), _>(err)).body(),
                failure("参数格式校验错误").body()
            );
        }
        let mut v = base.clone();
        v.push(("cash_fee", "x"));
        assert_eq!(
            parse(signed(&v, SignType::Md5).as_bytes(), &k),
            Err(PayNotifyError::InvalidField("cash_fee"))
        );
        // Limits apply.
        let big = signed(&base, SignType::Md5);
        assert!(matches!(
            parse_with(
                big.as_bytes(),
                &k,
                &PayNotifyOptions::default().with_limits(XmlLimits::default().with_max_bytes(64))
            ),
            Err(PayNotifyError::Reply(ReplyError::Xml(_)))
        ));
    }

    #[test]
    fn attach_query_strings_pass_and_hidden_fees_do_not() {
        let k = key();
        let mut base = vec![
            ("return_code", "SUCCESS"),
            ("result_code", "SUCCESS"),
            ("bank_type", "CMB_CREDIT"),
            ("cash_fee", "100"),
        ];
        base.extend(
            REQUIRED
                .iter()
                .filter(|n| **n != "total_fee")
                .map(|n| (*n, "1")),
        );
        base.push(("total_fee", "100"));
        // A merchant attach holding a query string: a genuine notification, accepted.
        let mut with_attach = base.clone();
        with_attach.push(("attach", "a=1&b=2"));
        let body = signed(&with_attach, SignType::HmacSha256);
        let n = parse(body.as_bytes(), &k).unwrap();
        assert_eq!(n.attach(), Some("a=1&b=2"));
        assert_eq!(
            (n.cash_fee(), n.bank_type()),
            (Some(100), Some("CMB_CREDIT"))
        );
        assert_eq!((n.sub_mch_id(), n.fee_type()), (None, None));
        // Debug: the ids and the amount, never the openid.
        let shown = format!("{n:?}");
        assert!(shown.starts_with("PayNotification {"), "{shown}");
        assert!(shown.contains("transaction_id: \"1\"") && shown.contains("total_fee: 100"));
        assert!(shown.contains("openid: \"<redacted>\""), "{shown}");
        // Partner mode: sub_mch_id typed; HMAC-SHA256 configured and named: accepted.
        let mut partner = with_attach.clone();
        partner.push(("sub_mch_id", "1900000109"));
        partner.push(("sign_type", "HMAC-SHA256"));
        let body = signed(&partner, SignType::HmacSha256);
        let hmac = PayNotifyOptions::default().with_sign_type(SignType::HmacSha256);
        let n = parse_with(body.as_bytes(), &k, &hmac).unwrap();
        assert_eq!(n.sub_mch_id(), Some("1900000109"));
        assert_eq!(n.sign_type(), SignType::HmacSha256);
        // The bypass of the old detector: a genuine attach "x&c=1" re-split so that `c` swallows
        // bank_type and cash_fee (the sign string is the same): refused.
        let mut genuine = base.clone();
        genuine.push(("attach", "x&c=1"));
        let sig = sign::sign(genuine.iter().copied(), &k, SignType::Md5).unwrap();
        let mut folded: Vec<(&str, &str)> = base
            .iter()
            .copied()
            .filter(|(n, _)| !matches!(*n, "bank_type" | "cash_fee"))
            .collect();
        folded.push(("attach", "x"));
        folded.push(("c", "1&bank_type=CMB_CREDIT&cash_fee=100"));
        folded.push(("sign", sig.as_str()));
        let body = xml::to_xml(folded).unwrap();
        assert_eq!(
            parse(body.as_bytes(), &k),
            Err(PayNotifyError::Reply(ReplyError::PossibleFold {
                field: "c".into()
            }))
        );
        // The genuine one is accepted.
        let mut g = genuine.clone();
        g.push(("sign", sig.as_str()));
        assert!(parse(xml::to_xml(g).unwrap().as_bytes(), &k).is_ok());
    }

    #[test]
    fn refund_notifications_are_named() {
        let k = key();
        let refund = b"<xml><return_code>SUCCESS</return_code><appid>wx1</appid><mch_id>1</mch_id><req_info>AAAA</req_info></xml>";
        let err = parse(refund, &k).unwrap_err();
        assert_eq!(err, PayNotifyError::RefundNotification);
        assert_eq!(err.disposition(), Disposition::Misconfigured);
        assert!(err.to_string().contains("v2::refund_notify"), "{err}");
        assert_eq!(
            answer(&Err::<(), _>(err)).body(),
            failure("参数格式校验错误").body()
        );
        // With a sign, req_info is just another field: the signature decides.
        let signed_one = signed(
            &[("return_code", "SUCCESS"), ("req_info", "AAAA")],
            SignType::Md5,
        );
        assert_eq!(
            parse(signed_one.as_bytes(), &k),
            Err(PayNotifyError::Reply(ReplyError::MissingResultCode))
        );
        // A FAIL notice is reported as such first.
        let fail = b"<xml><return_code>FAIL</return_code><req_info>AAAA</req_info></xml>";
        assert!(matches!(
            parse(fail, &k),
            Err(PayNotifyError::Reply(ReplyError::ReturnFail { .. }))
        ));
    }

    #[test]
    fn answers_are_exact() {
        let ok = success();
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(
            ok.headers()[http::header::CONTENT_TYPE],
            "text/xml; charset=utf-8"
        );
        assert_eq!(
            ok.body().as_slice(),
            b"<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>"
        );
        let fail = failure("签名失败");
        assert_eq!(fail.status(), StatusCode::OK);
        assert_eq!(
            fail.headers()[http::header::CONTENT_TYPE],
            "text/xml; charset=utf-8"
        );
        assert_eq!(
            std::str::from_utf8(fail.body()).unwrap(),
            "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[签名失败]]></return_msg></xml>"
        );
        // `]]>` cannot break out; controls are flattened; the message is capped.
        let nasty = "a]]></return_msg><return_code>SUCCESS</return_code><x>]]>\u{0}\r\n";
        let r = failure(nasty);
        let f = xml::parse(r.body()).unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f.get("return_code"), Some("FAIL"));
        assert_eq!(
            f.get("return_msg"),
            Some("a]]></return_msg><return_code>SUCCESS</return_code><x>]]>   ")
        );
        let long = "长".repeat(MAX_RETURN_MSG + 10);
        let f2 = failure(&long);
        let f = xml::parse(f2.body()).unwrap();
        assert_eq!(
            f.get("return_msg").map(|m| m.chars().count()),
            Some(MAX_RETURN_MSG)
        );
        assert_eq!(failure("").body().len(), 91);
    }
}
