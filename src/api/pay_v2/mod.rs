//! The v2 payment APIs (for merchants still on APIv2): place an order ([`unifiedorder`]), query
//! it ([`orderquery`]), close it ([`closeorder`]), refund it ([`refund`]) and query its refunds
//! ([`refundquery`]). Official pages (JSAPI; the Native, APP and H5 pages describe the same
//! calls): <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_1> (统一下单), `9_2`
//! (查询订单), `9_3` (关闭订单), `9_4` (申请退款), `9_5` (查询退款).
//!
//! | module | API | reply |
//! |---|---|---|
//! | [`unifiedorder`] | `POST /pay/unifiedorder` | `prepay_id` (+ `code_url`, `mweb_url`); the client pay-sign |
//! | [`orderquery`] | `POST /pay/orderquery` | `trade_state` and the payment |
//! | [`closeorder`] | `POST /pay/closeorder` | nothing but success |
//! | [`refund`] | `POST /secapi/pay/refund` (mutual TLS) | `refund_id` and the amounts |
//! | [`refundquery`] | `POST /pay/refundquery` | the refunds, `out_refund_no_$n`… as a `Vec` |
//!
//! Every request is XML signed with the APIv2 key, HMAC-SHA256 by default or MD5
//! (`sign_type` is sent and signed), and every reply is **signed** with the request's sign type
//! and verified before anything else is read, then read under the exact fold rule
//! ([`crate::v2::fold`]: every field an outcome exposes is covered; `attach` is merchant-opaque).
//! Each reply must carry back `appid`, `mch_id` and the ids of the request (the `echoes` of
//! [`Operation`](crate::api::Operation)); in service-provider mode ([`V2SubMerchant`]) `sub_mch_id` too, and
//! `sub_appid` when sent. WeChat Pay's business failures (`ORDERPAID`, `ORDERNOTEXIST`…) are a
//! verified [`crate::api::Failure::Business`] whose code is a [`crate::v2::reply::ErrCode`].
//!
//! ```
//! use wechatpay_sansio::api::{Operation, pay_v2::{orderquery::*, unifiedorder::*, V2TradeRef}};
//! use wechatpay_sansio::{request::ResponseRef, simulator::Simulator, time::UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();                                   // TEST ONLY keys
//! let order = UnifiedOrderRequest::new("wx2421b1c4370ec43b", "腾讯充值中心-QQ会员充值", "20150806125346",
//!     888, "123.12.12.123", "https://merchant.example/notify", V2TradeType::Native);
//! # let mut order = order; order.product_id = Some("12235413214070356458058".into());
//! let http = order.build(&merchant, &mut rng, now)?;
//! let reply = sim.handle(&http.into_http(), now, &mut rng, &Default::default());
//! let placed = order.parse_reply(&merchant, ResponseRef::from_http(&reply), now)?;
//! assert!(placed.code_url.is_some());
//!
//! let query = V2OrderQueryRequest::new("wx2421b1c4370ec43b", V2TradeRef::OutTradeNo("20150806125346".into()));
//! let http = query.build(&merchant, &mut rng, now)?;
//! let reply = sim.handle(&http.into_http(), now, &mut rng, &Default::default());
//! let state = query.parse_reply(&merchant, ResponseRef::from_http(&reply), now)?;
//! assert_eq!(state.trade_state, V2TradeState::NotPay);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod closeorder;
pub mod orderquery;
pub mod refund;
pub mod refundquery;
pub mod unifiedorder;

use crate::api::v2_common;
use crate::api::{ApiError, Echo, Endpoint};
use crate::ids::Nonce;
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::v2::SignType;
use crate::v2::fold::Reader;
use crate::v2::reply::Expect;
use crate::v2::request::post_xml;
use crate::validate::{self, FieldError};
use rand_core::TryCryptoRng;

/// `https://api.mch.weixin.qq.com`, the host of every v2 payment API.
pub const HOST: &str = crate::v2::endpoint::API_BASE;

/// The sub-merchant of a service provider (服务商模式): `sub_mch_id` (required) and
/// `sub_appid` (optional) are sent with every request, and a reply must carry them back.
///
/// ```
/// use wechatpay_sansio::api::pay_v2::V2SubMerchant;
/// let s = V2SubMerchant::new("1900000109").with_sub_appid("wx8888888888888888");
/// assert_eq!(s.sub_appid.as_deref(), Some("wx8888888888888888"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2SubMerchant {
    /// 子商户号 (1–32 visible ASCII).
    pub sub_mch_id: String,
    /// 子商户公众账号ID (1–32 visible ASCII), when the payer's openid or the app belongs to it.
    pub sub_appid: Option<String>,
}

impl V2SubMerchant {
    /// A sub-merchant without `sub_appid`.
    #[must_use]
    pub fn new(sub_mch_id: impl Into<String>) -> Self {
        Self {
            sub_mch_id: sub_mch_id.into(),
            sub_appid: None,
        }
    }

    /// Set [`Self::sub_appid`].
    #[must_use]
    pub fn with_sub_appid(mut self, sub_appid: impl Into<String>) -> Self {
        self.sub_appid = Some(sub_appid.into());
        self
    }

    fn validate(&self) -> Result<(), FieldError> {
        validate::token("sub_mch_id", &self.sub_mch_id, 32)?;
        if let Some(a) = &self.sub_appid {
            validate::appid("sub_appid", a)?;
        }
        Ok(())
    }
}

/// Which order a query or a refund is about: WeChat Pay's `transaction_id` or the merchant's
/// `out_trade_no` (WeChat Pay prefers `transaction_id` when both are known; send one).
///
/// ```
/// use wechatpay_sansio::api::pay_v2::V2TradeRef;
/// let r = V2TradeRef::OutTradeNo("20150806125346".into());
/// assert_eq!((r.field(), r.value()), ("out_trade_no", "20150806125346"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum V2TradeRef {
    /// `transaction_id`, 微信订单号 (1–32 visible ASCII).
    TransactionId(String),
    /// `out_trade_no`, 商户订单号 (1–32 of `[0-9A-Za-z_-|*@]`).
    OutTradeNo(String),
}

impl V2TradeRef {
    /// The field name sent.
    #[must_use]
    pub const fn field(&self) -> &'static str {
        match self {
            Self::TransactionId(_) => "transaction_id",
            Self::OutTradeNo(_) => "out_trade_no",
        }
    }

    /// The value sent.
    #[must_use]
    pub fn value(&self) -> &str {
        match self {
            Self::TransactionId(v) | Self::OutTradeNo(v) => v,
        }
    }

    fn validate(&self) -> Result<(), FieldError> {
        match self {
            Self::TransactionId(v) => validate::token("transaction_id", v, 32),
            Self::OutTradeNo(v) => validate::out_trade_no("out_trade_no", v),
        }
    }
}

/// How a v2 payment reply is read without its request: the sign type of the request.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct V2PayReplyOptions {
    /// The sign type of the request the reply answers; `None` falls back to the reply's
    /// `sign_type`, then to the length of `sign` (32 hex characters MD5, 64 HMAC-SHA256).
    pub sign_type: Option<SignType>,
}

impl V2PayReplyOptions {
    /// Options for a reply to a request signed with `sign_type` (`None`: the length rule).
    ///
    /// ```
    /// use wechatpay_sansio::api::pay_v2::V2PayReplyOptions;
    /// use wechatpay_sansio::SignType;
    /// assert_eq!(V2PayReplyOptions::signed_with(Some(SignType::Md5)).sign_type, Some(SignType::Md5));
    /// ```
    #[must_use]
    pub const fn signed_with(sign_type: Option<SignType>) -> Self {
        Self { sign_type }
    }
}

/// A `yyyyMMddHHmmss` time (Beijing time), fields in range.
pub(crate) fn compact_time(field: &'static str, value: &str) -> Result<(), FieldError> {
    let err = FieldError::Charset {
        field,
        allowed: "yyyyMMddHHmmss",
    };
    let b = value.as_bytes();
    if b.len() != 14 || !b.iter().all(u8::is_ascii_digit) {
        return Err(err);
    }
    let n = |r: core::ops::Range<usize>| {
        b[r].iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let ok = (1..=12).contains(&n(4..6))
        && (1..=31).contains(&n(6..8))
        && n(8..10) < 24
        && n(10..12) < 60
        && n(12..14) < 60;
    if ok { Ok(()) } else { Err(err) }
}

/// An amount in fen as a reply carries it: ASCII digits that fit a `u64`, else
/// [`ApiError::InvalidField`].
pub(crate) fn fen(value: Option<&str>, field: &'static str) -> Result<Option<u64>, ApiError> {
    value
        .map(|v| crate::v2::fen(v).ok_or(ApiError::InvalidField(field)))
        .transpose()
}

/// An optional request field as sent (`None`: empty, not sent).
pub(crate) fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or_default()
}

/// An optional personal request field as sent (`None`: empty, not sent).
pub(crate) fn opt_personal(v: &Option<crate::secret::Personal>) -> &str {
    v.as_ref()
        .map_or("", crate::secret::Personal::expose_secret)
}

/// An optional field, read strictly, owned.
pub(crate) fn optional(r: &Reader<'_, '_>, field: &'static str) -> Option<String> {
    r.strict(field).map(str::to_owned)
}

/// The echoes every payment reply carries: `appid`, `mch_id`, and in service-provider mode
/// `sub_mch_id` (required) and `sub_appid` (when sent); a reply naming a sub-merchant the
/// request did not is refused.
pub(crate) fn party_echoes<'a>(
    appid: &'a str,
    merchant: &'a Merchant,
    sub: Option<&'a V2SubMerchant>,
) -> Vec<Echo<'a>> {
    let mut v = vec![
        Echo::equal("appid", appid),
        Echo::equal("mch_id", merchant.mchid().as_str()),
    ];
    match sub {
        Some(s) => v.push(Echo::equal("sub_mch_id", &s.sub_mch_id)),
        None => v.push(Echo::equal_if_present("sub_mch_id", None)),
    }
    v.push(Echo::equal_if_present(
        "sub_appid",
        sub.and_then(|s| s.sub_appid.as_deref()),
    ));
    v
}

/// Who a reply is from and for, as every outcome carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parties {
    pub(crate) appid: String,
    pub(crate) mch_id: String,
    pub(crate) sub_appid: Option<String>,
    pub(crate) sub_mch_id: Option<String>,
}

/// Read `appid`, `mch_id`, `sub_appid`, `sub_mch_id` (the echo check, which runs first, has
/// required the first two).
pub(crate) fn parties(r: &Reader<'_, '_>) -> Parties {
    Parties {
        appid: r.strict("appid").unwrap_or_default().to_owned(),
        mch_id: r.strict("mch_id").unwrap_or_default().to_owned(),
        sub_appid: optional(r, "sub_appid"),
        sub_mch_id: optional(r, "sub_mch_id"),
    }
}

/// Validate the fields every payment request has, then build the signed XML POST:
/// `appid`, `mch_id`, the sub-merchant, `nonce_str` (from `rng`), `sign_type`, then `fields`.
pub(crate) fn build_post<R: TryCryptoRng + ?Sized>(
    endpoint: &Endpoint<'_>,
    merchant: &Merchant,
    rng: &mut R,
    sign_type: SignType,
    appid: &str,
    sub: Option<&V2SubMerchant>,
    fields: &[(&str, &str)],
) -> Result<Request, ApiError> {
    let key = merchant.api_v2_key()?;
    let nonce = Nonce::generate(rng).map_err(|_| ApiError::Rng)?;
    let mut params: Vec<(&str, &str)> = vec![
        ("appid", appid),
        ("mch_id", merchant.mchid().as_str()),
        ("nonce_str", nonce.as_str()),
        ("sign_type", sign_type.as_str()),
    ];
    if let Some(s) = sub {
        params.push(("sub_mch_id", &s.sub_mch_id));
        if let Some(a) = &s.sub_appid {
            params.push(("sub_appid", a));
        }
    }
    params.extend(fields.iter().copied().filter(|(_, v)| !v.is_empty()));
    Ok(post_xml(
        &endpoint.url(),
        &params,
        key,
        sign_type,
        endpoint.requires_client_certificate(),
    )?)
}

/// `appid` and the sub-merchant, checked.
pub(crate) fn validate_parties(appid: &str, sub: Option<&V2SubMerchant>) -> Result<(), FieldError> {
    validate::appid("appid", appid)?;
    sub.map_or(Ok(()), V2SubMerchant::validate)
}

/// Status, XML, `return_code`, the signature (with `sign_type`, else the reply's `sign_type`,
/// else the length rule) before anything else is read, the exact fold rule over what `decode`
/// reads and the echoes, `result_code`, the echoes; `decode` gets the algorithm that verified.
pub(crate) fn decode_signed<T>(
    merchant: &Merchant,
    response: &ResponseRef<'_>,
    sign_type: Option<SignType>,
    echoes: &[Echo<'_>],
    decode: impl FnOnce(&Reader<'_, '_>, SignType) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let key = merchant.api_v2_key()?;
    v2_common::xml_reply(
        response,
        Some(key),
        &Expect::signed(sign_type),
        echoes,
        |r| {
            // The algorithm `sign::verify_fields` used (the signature has verified by now).
            let f = r.fields();
            let verified = sign_type
                .or_else(|| f.get("sign_type").and_then(|t| t.parse().ok()))
                .or_else(|| {
                    f.get_non_empty("sign")
                        .and_then(|s| SignType::from_sign_len(s.len()))
                })
                .unwrap_or(SignType::Md5);
            decode(r, verified)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators() {
        assert!(compact_time("t", "20091225091010").is_ok());
        for bad in [
            "2009122509101",
            "20091325091010",
            "20091200091010",
            "20091225241010",
            "20091225096010",
            "20091225091060",
            "2009122509101x",
        ] {
            assert!(compact_time("t", bad).is_err(), "{bad}");
        }
        use crate::validate::{notify_url, out_refund_no};
        assert!(notify_url("n", "https://a.example/notify", 256).is_ok());
        assert!(notify_url("n", "http://a.example/n", 256).is_ok());
        assert!(notify_url("n", "https://a.example/n?x=1", 256).is_err());
        assert!(notify_url("n", "ftp://a.example/n", 256).is_err());
        assert!(notify_url("n", "https://a.example/n", 10).is_err());
        assert!(out_refund_no("o", "A-1_b|*@").is_ok());
        assert!(out_refund_no("o", "a#").is_err());
        assert_eq!(fen(Some("12"), "f"), Ok(Some(12)));
        assert_eq!(fen(None, "f"), Ok(None));
        for bad in ["-1", "1.0", " 1", "99999999999999999999999"] {
            assert_eq!(fen(Some(bad), "f"), Err(ApiError::InvalidField("f")));
        }
        assert!(
            V2SubMerchant::new("")
                .validate()
                .is_err_and(|e| e.field() == "sub_mch_id")
        );
        assert!(
            V2TradeRef::TransactionId(String::new())
                .validate()
                .is_err_and(|e| e.field() == "transaction_id")
        );
    }
}
