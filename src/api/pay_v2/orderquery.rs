//! 查询订单 — `POST https://api.mch.weixin.qq.com/pay/orderquery` (official page:
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_2>): the state of an order, by
//! `transaction_id` or `out_trade_no`.
//!
//! The reply is signed with the request's sign type and must carry `appid`, `mch_id`,
//! `out_trade_no` (equal to the request's when the query named it; `transaction_id` equal when
//! present, when the query named that) and the sub-merchant. A `SUCCESS` trade state must come
//! with `transaction_id`, `total_fee` and `time_end`. `attach` is merchant-opaque (not covered
//! by the fold rule); `openid` is redacted in `Debug`.
//!
//! ```
//! use wechatpay_sansio::api::{Operation, pay_v2::{orderquery::*, V2TradeRef}};
//! use wechatpay_sansio::{request::ResponseRef, simulator::Simulator, time::UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();                                    // TEST ONLY keys
//! let query = V2OrderQueryRequest::new("wx2421b1c4370ec43b", V2TradeRef::OutTradeNo("nothing".into()));
//! let http = query.build(&merchant, &mut rng, now)?;
//! let reply = sim.handle(&http.into_http(), now, &mut rng, &Default::default());
//! let e = query.parse_reply(&merchant, ResponseRef::from_http(&reply), now).unwrap_err();
//! assert!(e.to_string().contains("ORDERNOTEXIST")); // a verified business failure
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::{
    V2PayReplyOptions, V2SubMerchant, V2TradeRef, build_post, decode_signed, fen, optional,
    parties, party_echoes, validate_parties,
};
use crate::api::{ApiError, Echo, Endpoint, HttpMethod, Operation, Protocol};
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::secret::Personal;
use crate::time::UnixTime;
use crate::v2::SignType;
use crate::validate::FieldError;
use rand_core::TryCryptoRng;

/// Path of the endpoint.
pub const PATH: &str = "/pay/orderquery";

/// The fields every success reply carries (required by [`crate::api::read_reply`]).
pub const IDENTIFYING_FIELDS: [&str; 3] = ["appid", "mch_id", "out_trade_no"];

/// This API's description.
pub const ENDPOINT: Endpoint<'static> = Endpoint::new(
    "orderquery",
    super::HOST,
    PATH,
    HttpMethod::Post,
    Protocol::V2Xml {
        signed_reply: true,
        client_certificate: false,
    },
);

crate::wire::open_enum!(
    /// `trade_state`: where the order is.
    ///
    /// ```
    /// use wechatpay_sansio::api::pay_v2::orderquery::V2TradeState;
    /// assert_eq!(V2TradeState::from_wire("USERPAYING"), V2TradeState::UserPaying);
    /// assert_eq!(V2TradeState::from_wire("ACCEPT").as_str(), "ACCEPT");
    /// ```
    pub enum V2TradeState {
        /// `SUCCESS` 支付成功.
        Success = "SUCCESS",
        /// `REFUND` 转入退款.
        Refund = "REFUND",
        /// `NOTPAY` 未支付.
        NotPay = "NOTPAY",
        /// `CLOSED` 已关闭.
        Closed = "CLOSED",
        /// `REVOKED` 已撤销 (付款码支付).
        Revoked = "REVOKED",
        /// `USERPAYING` 用户支付中 (付款码支付).
        UserPaying = "USERPAYING",
        /// `PAYERROR` 支付失败.
        PayError = "PAYERROR",
    }
);

crate::wire::open_enum!(
    /// `trade_type` of a queried order (any payment product, not only those `unifiedorder`
    /// places).
    ///
    /// ```
    /// use wechatpay_sansio::api::pay_v2::orderquery::V2OrderTradeType;
    /// assert_eq!(V2OrderTradeType::from_wire("MICROPAY"), V2OrderTradeType::Micropay);
    /// ```
    pub enum V2OrderTradeType {
        /// `JSAPI`.
        Jsapi = "JSAPI",
        /// `NATIVE`.
        Native = "NATIVE",
        /// `APP`.
        App = "APP",
        /// `MWEB` (H5).
        Mweb = "MWEB",
        /// `MICROPAY` 付款码支付.
        Micropay = "MICROPAY",
        /// `FACEPAY` 刷脸支付.
        Facepay = "FACEPAY",
    }
);

/// An `orderquery` request.
///
/// ```
/// use wechatpay_sansio::api::pay_v2::{orderquery::V2OrderQueryRequest, V2TradeRef};
/// let q = V2OrderQueryRequest::new("wx2421b1c4370ec43b",
///     V2TradeRef::TransactionId("1008450740201411110005820873".into()));
/// assert_eq!(q.validate(), Ok(()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2OrderQueryRequest {
    /// 公众账号ID / 应用ID the order was placed under.
    pub appid: String,
    /// The sub-merchant, in service-provider mode.
    pub sub_merchant: Option<V2SubMerchant>,
    /// The order.
    pub order: V2TradeRef,
    /// HMAC-SHA256 (default) or MD5.
    pub sign_type: SignType,
}

impl V2OrderQueryRequest {
    /// A request with HMAC-SHA256.
    #[must_use]
    pub fn new(appid: impl Into<String>, order: V2TradeRef) -> Self {
        Self {
            appid: appid.into(),
            sub_merchant: None,
            order,
            sign_type: SignType::HmacSha256,
        }
    }

    /// Check every field (runs before any signing).
    ///
    /// # Errors
    /// [`FieldError`] naming the first invalid field.
    pub fn validate(&self) -> Result<(), FieldError> {
        validate_parties(&self.appid, self.sub_merchant.as_ref())?;
        self.order.validate()
    }
}

impl Operation for V2OrderQueryRequest {
    type Outcome = V2OrderQueryOutcome;
    type ReplyOptions = V2PayReplyOptions;
    const IDENTIFYING: &'static [&'static str] = &IDENTIFYING_FIELDS;
    const ENDPOINT: Endpoint<'static> = ENDPOINT;

    /// Validate, then build the signed XML POST (`rng` draws `nonce_str` only).
    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        endpoint: &Endpoint<'_>,
        merchant: &Merchant,
        rng: &mut R,
        _now: UnixTime,
    ) -> Result<Request, ApiError> {
        self.validate()?;
        build_post(
            endpoint,
            merchant,
            rng,
            self.sign_type,
            &self.appid,
            self.sub_merchant.as_ref(),
            &[(self.order.field(), self.order.value())],
        )
    }

    /// `appid`, `mch_id`, the sub-merchant; `out_trade_no` equal when the query named it,
    /// `transaction_id` equal when the query named it and the reply carries it (a reply for a
    /// trade state other than `SUCCESS` may carry `out_trade_no` only).
    fn echoes<'a>(&'a self, merchant: &'a Merchant) -> Vec<Echo<'a>> {
        let mut v = party_echoes(&self.appid, merchant, self.sub_merchant.as_ref());
        v.push(match &self.order {
            V2TradeRef::OutTradeNo(o) => Echo::equal("out_trade_no", o),
            V2TradeRef::TransactionId(t) => Echo::equal_if_present("transaction_id", Some(t)),
        });
        v
    }

    /// The reply is signed with this request's sign type.
    fn reply_options(&self) -> V2PayReplyOptions {
        V2PayReplyOptions::signed_with(Some(self.sign_type))
    }

    /// Status, XML, `return_code`, the signature before anything else is read, the exact fold
    /// rule, `result_code`, the echoes, then the order.
    fn decode(
        merchant: &Merchant,
        response: ResponseRef<'_>,
        _now: UnixTime,
        options: &V2PayReplyOptions,
        echoes: &[Echo<'_>],
    ) -> Result<V2OrderQueryOutcome, ApiError> {
        decode_signed(merchant, &response, options.sign_type, echoes, |r, _| {
            // Every field is read (and so recorded for the fold rule) before one may fail.
            let p = parties(r);
            let (trade_state, out_trade_no) = (r.strict("trade_state"), r.strict("out_trade_no"));
            let (total_fee, cash_fee) = (r.strict("total_fee"), r.strict("cash_fee"));
            let owned = |v: Option<&str>| v.map(str::to_owned);
            let out = V2OrderQueryOutcome {
                appid: p.appid,
                mch_id: p.mch_id,
                sub_appid: p.sub_appid,
                sub_mch_id: p.sub_mch_id,
                trade_state: trade_state
                    .map_or(V2TradeState::Other(String::new()), V2TradeState::from_wire),
                trade_state_desc: owned(r.text("trade_state_desc")),
                out_trade_no: owned(out_trade_no).unwrap_or_default(),
                transaction_id: optional(r, "transaction_id"),
                trade_type: r.strict("trade_type").map(V2OrderTradeType::from_wire),
                total_fee: None,
                cash_fee: None,
                fee_type: optional(r, "fee_type"),
                bank_type: optional(r, "bank_type"),
                time_end: optional(r, "time_end"),
                attach: owned(r.opaque("attach")),
                openid: r.strict("openid").map(Personal::new),
                is_subscribe: optional(r, "is_subscribe"),
            };
            for (name, v) in [("trade_state", trade_state), ("out_trade_no", out_trade_no)] {
                if v.is_none() {
                    return Err(ApiError::MissingField(name.into()));
                }
            }
            let out = V2OrderQueryOutcome {
                total_fee: fen(total_fee, "total_fee")?,
                cash_fee: fen(cash_fee, "cash_fee")?,
                ..out
            };
            if out.trade_state == V2TradeState::Success {
                for (name, present) in [
                    ("transaction_id", out.transaction_id.is_some()),
                    ("total_fee", out.total_fee.is_some()),
                    ("time_end", out.time_end.is_some()),
                ] {
                    if !present {
                        return Err(ApiError::MissingField(name.into()));
                    }
                }
            }
            Ok(out)
        })
    }
}

/// Check a reply without the request at hand: everything [`Operation::parse_reply`] checks but
/// the comparison with the request ([`IDENTIFYING_FIELDS`] only required present).
///
/// # Errors
/// As [`Operation::parse_reply`], without [`ApiError::Mismatch`].
pub fn read_reply(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
) -> Result<V2OrderQueryOutcome, ApiError> {
    crate::api::read_reply::<V2OrderQueryRequest>(merchant, response, now)
}

/// The answer of `orderquery`. The payment fields are present when `trade_state` is `SUCCESS`
/// (then `transaction_id`, `total_fee` and `time_end` are guaranteed); for other states WeChat
/// Pay may return `out_trade_no` and `attach` only. `Debug` redacts `openid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2OrderQueryOutcome {
    /// `appid`, as echoed.
    pub appid: String,
    /// `mch_id`, as echoed.
    pub mch_id: String,
    /// `sub_appid`, when present.
    pub sub_appid: Option<String>,
    /// `sub_mch_id`, when present.
    pub sub_mch_id: Option<String>,
    /// 交易状态.
    pub trade_state: V2TradeState,
    /// 交易状态描述 (free text).
    pub trade_state_desc: Option<String>,
    /// 商户订单号.
    pub out_trade_no: String,
    /// 微信支付订单号.
    pub transaction_id: Option<String>,
    /// 交易类型.
    pub trade_type: Option<V2OrderTradeType>,
    /// 标价金额 in fen: compare it with your order before acting.
    pub total_fee: Option<u64>,
    /// 现金支付金额 in fen.
    pub cash_fee: Option<u64>,
    /// 标价币种 (`CNY` when absent).
    pub fee_type: Option<String>,
    /// 付款银行.
    pub bank_type: Option<String>,
    /// 支付完成时间, `yyyyMMddHHmmss` (Beijing time).
    pub time_end: Option<String>,
    /// 附加数据 as received: merchant-opaque, **not covered by the fold rule**.
    pub attach: Option<String>,
    /// 用户标识 (personal: redacted in `Debug`).
    pub openid: Option<Personal>,
    /// 是否关注公众账号 (`Y` / `N`).
    pub is_subscribe: Option<String>,
}

impl V2OrderQueryOutcome {
    /// Whether the order is paid (`SUCCESS`; `REFUND` means paid and then refunded, at least in
    /// part).
    ///
    /// ```
    /// # use wechatpay_sansio::api::pay_v2::orderquery::*;
    /// let o = V2OrderQueryOutcome { appid: "wx".into(), mch_id: "1".into(), sub_appid: None,
    ///     sub_mch_id: None, trade_state: V2TradeState::NotPay, trade_state_desc: None,
    ///     out_trade_no: "1".into(), transaction_id: None, trade_type: None, total_fee: None,
    ///     cash_fee: None, fee_type: None, bank_type: None, time_end: None, attach: None,
    ///     openid: Some("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into()), is_subscribe: None };
    /// assert!(!o.is_paid());
    /// assert!(!format!("{o:?}").contains("oUpF8uMuAJO"));
    /// ```
    #[must_use]
    pub fn is_paid(&self) -> bool {
        self.trade_state == V2TradeState::Success
    }
}
