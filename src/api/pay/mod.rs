//! The v3 payment lifecycle, direct and partner (service-provider) mode: prepay for JSAPI /
//! mini-program, App, H5 and Native ([`prepay`]), the client pay-sign from its outcome, query
//! by `transaction_id` or `out_trade_no` ([`query`]), close ([`close`]), refunds
//! ([`refund`], [`refund_query`]) and the notifications that report them ([`notify`]).
//!
//! | module | API | method and path (direct; partner under `/v3/pay/partner/…`) |
//! |---|---|---|
//! | [`prepay`] | 下单 JSAPI / 小程序, App, H5, Native | `POST /v3/pay/transactions/{jsapi,app,h5,native}` |
//! | [`query`] | 查询订单 | `GET /v3/pay/transactions/id/{transaction_id}`, `…/out-trade-no/{out_trade_no}` |
//! | [`close`] | 关闭订单 | `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close` |
//! | [`refund`] | 退款申请 | `POST /v3/refund/domestic/refunds` (both modes) |
//! | [`refund_query`] | 查询单笔退款 | `GET /v3/refund/domestic/refunds/{out_refund_no}` |
//! | [`notify`] | `TRANSACTION.SUCCESS`, `REFUND.SUCCESS` / `ABNORMAL` / `CLOSED` | your `notify_url` |
//!
//! Amounts are integer fen (`i64` on requests so that a negative or overflowing amount is
//! refused at build with [`crate::error::FieldError::Amount`], `u64` in outcomes). A request is
//! in partner mode when it carries a [`SubMerchant`]; the merchant's `mchid` is then the
//! service provider's `sp_mchid`.
//!
//! The lifecycle against the offline sandbox ([`crate::simulator::Simulator`]):
//!
//! ```
//! use wechatpay_sansio::api::pay::{notify, prepay::PrepayRequest, query::QueryOrderRequest,
//!     refund::RefundRequest, notify::PaymentEvent, OrderId};
//! use wechatpay_sansio::simulator::sandbox::RefundResult;
//! use wechatpay_sansio::{simulator::Simulator, Operation, ResponseRef, UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();                                     // TEST ONLY keys
//! let order = PrepayRequest::jsapi("wxd678efh567hg6787", "Image形象店-深圳腾大-QQ公仔",
//!     "1217752501201407033233368018", "https://example.com/notify", 100, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
//! let reply = sim.handle(&order.build(&merchant, &mut rng, now)?.into_http(), now, &mut rng, &Default::default());
//! let prepaid = order.parse_reply(&merchant, ResponseRef::from_http(&reply), now)?;
//! let js = prepaid.jsapi_pay_params(&merchant, &mut rng, now)?;     // hand to wx.requestPayment
//! assert_eq!(js.sign_type, "RSA");
//! // The payer pays (in the sandbox: one call); WeChat Pay notifies your notify_url.
//! let sent = sim.pay("1217752501201407033233368018", None, now, &mut rng)?;
//! let PaymentEvent::Transaction(paid) = notify::parse(&merchant, sent.headers(), sent.body(), now)? else { panic!() };
//! let q = QueryOrderRequest::by_out_trade_no(&paid.out_trade_no);
//! let reply = sim.handle(&q.build(&merchant, &mut rng, now)?.into_http(), now, &mut rng, &Default::default());
//! assert!(q.parse_reply(&merchant, ResponseRef::from_http(&reply), now)?.is_paid());
//! let refund = RefundRequest::new(OrderId::OutTradeNo(paid.out_trade_no.clone()), "R1", 100, 100);
//! let reply = sim.handle(&refund.build(&merchant, &mut rng, now)?.into_http(), now, &mut rng, &Default::default());
//! let r = refund.parse_reply(&merchant, ResponseRef::from_http(&reply), now)?;
//! let done = sim.complete_refund(&r.out_refund_no, RefundResult::Success, now, &mut rng)?;
//! assert!(matches!(notify::parse(&merchant, done.headers(), done.body(), now)?, PaymentEvent::Refund(_)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod close;
pub mod notify;
pub mod prepay;
pub mod query;
pub mod refund;
pub mod refund_query;
mod refund_record;
mod sub_merchant;
mod transaction;

pub use refund_record::{Refund, RefundAmount, RefundChannel, RefundStatus};
pub use sub_merchant::SubMerchant;
pub use transaction::{Payee, Payer, TradeState, TradeType, Transaction, TransactionAmount};

use crate::api::Echo;
use crate::error::FieldError;
use crate::merchant::Merchant;
use crate::validate;

/// `pub const NAME: Endpoint` for each `NAME = "api-name", "/path";` of one HTTP method.
macro_rules! endpoints {
    ($method:ident; $($name:ident = $api:literal, $path:literal;)*) => {
        $(
            #[doc = concat!("`", stringify!($method), " ", $path, "`.")]
            pub const $name: crate::api::Endpoint<'static> = crate::api::Endpoint::new(
                $api,
                crate::api::pay::HOST,
                $path,
                crate::api::HttpMethod::$method,
                crate::api::Protocol::V3Json,
            );
        )*
    };
}
pub(crate) use endpoints;

/// The v3 API host.
pub const HOST: &str = "https://api.mch.weixin.qq.com";

/// Which of a paid order's ids names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderId {
    /// WeChat Pay's `transaction_id`.
    TransactionId(String),
    /// The merchant's `out_trade_no`.
    OutTradeNo(String),
}

impl OrderId {
    /// The JSON field name.
    #[must_use]
    pub const fn field(&self) -> &'static str {
        match self {
            Self::TransactionId(_) => "transaction_id",
            Self::OutTradeNo(_) => "out_trade_no",
        }
    }

    /// The value.
    #[must_use]
    pub fn value(&self) -> &str {
        match self {
            Self::TransactionId(v) | Self::OutTradeNo(v) => v,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), FieldError> {
        match self {
            Self::TransactionId(v) => validate::token("transaction_id", v, 32),
            Self::OutTradeNo(v) => validate::out_trade_no("out_trade_no", v),
        }
    }
}

/// The merchant echoes of a reply: `mchid`, or `sp_mchid` and `sub_mchid`.
pub(crate) fn merchant_echoes<'a>(
    merchant: &'a Merchant,
    sub: Option<&'a SubMerchant>,
) -> Vec<Echo<'a>> {
    match sub {
        None => vec![Echo::equal("mchid", merchant.mchid().as_str())],
        Some(s) => vec![
            Echo::equal("sp_mchid", merchant.mchid().as_str()),
            Echo::equal("sub_mchid", &s.sub_mchid),
        ],
    }
}

/// A path segment: the ids are validated to URL-safe characters first; `|` and anything else
/// outside the unreserved set is percent-encoded anyway.
pub(crate) fn segment(value: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'*');
    percent_encoding::utf8_percent_encode(value, SET).to_string()
}

/// `?mchid=…` or `?sp_mchid=…&sub_mchid=…`.
pub(crate) fn merchant_query(merchant: &Merchant, sub: Option<&SubMerchant>) -> String {
    match sub {
        None => format!("mchid={}", segment(merchant.mchid().as_str())),
        Some(s) => format!(
            "sp_mchid={}&sub_mchid={}",
            segment(merchant.mchid().as_str()),
            segment(&s.sub_mchid)
        ),
    }
}
