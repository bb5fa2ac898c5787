//! 申请退款 — `POST https://api.mch.weixin.qq.com/secapi/pay/refund` (official page:
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_4>): refund a paid order, in
//! full or in part (up to 50 refunds per order, within a year of payment).
//!
//! - **mutual TLS**: the call needs the merchant's API client certificate (the built
//!   [`Request`] says so: [`Request::requires_client_certificate`]);
//! - `total_fee` and `refund_fee` are checked at build: amounts in fen from 1, `refund_fee` at
//!   most `total_fee`;
//! - the reply is signed with the request's sign type and must carry `appid`, `mch_id`,
//!   `out_refund_no` and the order's id equal to the request's (and the sub-merchant); accepted
//!   means WeChat Pay **took** the refund: its result comes with the refund notification or
//!   [`crate::api::pay_v2::refundquery`]. Retry a refund with the **same** `out_refund_no`:
//!   WeChat Pay refunds it once.
//!
//! ```
//! use wechatpay_sansio::api::{Operation, pay_v2::{refund::V2RefundRequest, V2TradeRef}};
//! use wechatpay_sansio::error::FieldError;
//! use wechatpay_sansio::{simulator::Simulator, time::UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();                                    // TEST ONLY keys
//! let mut refund = V2RefundRequest::new("wx2421b1c4370ec43b",
//!     V2TradeRef::OutTradeNo("20150806125346".into()), "R20150806125346", 888, 100);
//! let http = refund.build(&merchant, &mut rng, now)?;
//! assert!(http.requires_client_certificate());
//! refund.refund_fee = 889; // more than the order
//! assert_eq!(refund.validate(), Err(FieldError::Amount { field: "refund_fee", min: 1, max: 888 }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::{
    V2PayReplyOptions, V2SubMerchant, V2TradeRef, build_post, decode_signed, fen, opt, optional,
    parties, party_echoes, validate_parties,
};
use crate::api::{ApiError, Echo, Endpoint, HttpMethod, Operation, Protocol};
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::time::UnixTime;
use crate::v2::SignType;
use crate::validate::{self, FieldError};
use rand_core::TryCryptoRng;

/// Path of the endpoint.
pub const PATH: &str = "/secapi/pay/refund";

/// The fields every success reply carries (required by [`crate::api::read_reply`]).
pub const IDENTIFYING_FIELDS: [&str; 5] = [
    "appid",
    "mch_id",
    "out_refund_no",
    "out_trade_no",
    "transaction_id",
];

/// This API's description: mutual TLS.
pub const ENDPOINT: Endpoint<'static> = Endpoint::new(
    "refund",
    super::HOST,
    PATH,
    HttpMethod::Post,
    Protocol::V2Xml {
        signed_reply: true,
        client_certificate: true,
    },
);

/// A `refund` request.
///
/// ```
/// use wechatpay_sansio::api::pay_v2::{refund::V2RefundRequest, V2TradeRef};
/// let mut r = V2RefundRequest::new("wx2421b1c4370ec43b",
///     V2TradeRef::TransactionId("1008450740201411110005820873".into()), "1415701182", 100, 100);
/// r.refund_desc = Some("商品已售完".into());
/// assert_eq!(r.validate(), Ok(()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2RefundRequest {
    /// 公众账号ID / 应用ID the order was placed under.
    pub appid: String,
    /// The sub-merchant, in service-provider mode.
    pub sub_merchant: Option<V2SubMerchant>,
    /// The order refunded.
    pub order: V2TradeRef,
    /// 商户退款单号 (1–64 of `[0-9A-Za-z_-|*@]`): the idempotency key of the refund.
    pub out_refund_no: String,
    /// 订单金额 in fen, as paid (1 to 2 147 483 647).
    pub total_fee: i64,
    /// 退款金额 in fen (1 to `total_fee`).
    pub refund_fee: i64,
    /// 退款货币种类 (ISO 4217, three upper-case letters).
    pub refund_fee_type: Option<String>,
    /// 退款原因, shown to the payer (at most 80 characters).
    pub refund_desc: Option<String>,
    /// 退款资金来源 (`REFUND_SOURCE_UNSETTLED_FUNDS`, `REFUND_SOURCE_RECHARGE_FUNDS`).
    pub refund_account: Option<String>,
    /// 退款结果通知url: `http(s)://…`, at most 256 characters, without a query (default: the
    /// one configured in the merchant platform).
    pub notify_url: Option<String>,
    /// HMAC-SHA256 (default) or MD5.
    pub sign_type: SignType,
}

impl V2RefundRequest {
    /// A request with HMAC-SHA256 and no optional field.
    #[must_use]
    pub fn new(
        appid: impl Into<String>,
        order: V2TradeRef,
        out_refund_no: impl Into<String>,
        total_fee: i64,
        refund_fee: i64,
    ) -> Self {
        Self {
            appid: appid.into(),
            sub_merchant: None,
            order,
            out_refund_no: out_refund_no.into(),
            total_fee,
            refund_fee,
            refund_fee_type: None,
            refund_desc: None,
            refund_account: None,
            notify_url: None,
            sign_type: SignType::HmacSha256,
        }
    }

    /// Check every field (runs before any signing): amounts from 1 fen, `refund_fee` at most
    /// `total_fee`.
    ///
    /// # Errors
    /// [`FieldError`] naming the first invalid field.
    pub fn validate(&self) -> Result<(), FieldError> {
        self.checked_amounts().map(|_| ())
    }

    /// Every check; the amounts as sent.
    fn checked_amounts(&self) -> Result<(u64, u64), FieldError> {
        validate_parties(&self.appid, self.sub_merchant.as_ref())?;
        self.order.validate()?;
        validate::out_refund_no("out_refund_no", &self.out_refund_no)?;
        let total_fee = validate::amount("total_fee", self.total_fee, 1)?;
        let refund_fee = validate::amount("refund_fee", self.refund_fee, 1)?;
        if refund_fee > total_fee {
            return Err(FieldError::Amount {
                field: "refund_fee",
                min: 1,
                max: self.total_fee,
            });
        }
        if let Some(v) = &self.refund_fee_type {
            validate::length("refund_fee_type", v, 3, 3)?;
            validate::charset("refund_fee_type", v, "A-Z", |c| c.is_ascii_uppercase())?;
        }
        if let Some(v) = &self.refund_desc {
            validate::text("refund_desc", v, 1, 80)?;
        }
        if let Some(v) = &self.refund_account {
            validate::token("refund_account", v, 32)?;
        }
        if let Some(v) = &self.notify_url {
            validate::notify_url("notify_url", v, 256)?;
        }
        Ok((total_fee, refund_fee))
    }
}

impl Operation for V2RefundRequest {
    type Outcome = V2RefundOutcome;
    type ReplyOptions = V2PayReplyOptions;
    const IDENTIFYING: &'static [&'static str] = &IDENTIFYING_FIELDS;
    const ENDPOINT: Endpoint<'static> = ENDPOINT;

    /// Validate (the amounts included), then build the signed XML POST, flagged as requiring
    /// the client certificate (`rng` draws `nonce_str` only).
    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        endpoint: &Endpoint<'_>,
        merchant: &Merchant,
        rng: &mut R,
        _now: UnixTime,
    ) -> Result<Request, ApiError> {
        let (total_fee, refund_fee) = self.checked_amounts()?;
        let (total_fee, refund_fee) = (total_fee.to_string(), refund_fee.to_string());
        build_post(
            endpoint,
            merchant,
            rng,
            self.sign_type,
            &self.appid,
            self.sub_merchant.as_ref(),
            &[
                (self.order.field(), self.order.value()),
                ("out_refund_no", &self.out_refund_no),
                ("total_fee", &total_fee),
                ("refund_fee", &refund_fee),
                ("refund_fee_type", opt(&self.refund_fee_type)),
                ("refund_desc", opt(&self.refund_desc)),
                ("refund_account", opt(&self.refund_account)),
                ("notify_url", opt(&self.notify_url)),
            ],
        )
    }

    /// `appid`, `mch_id`, the sub-merchant, `out_refund_no` and the order's id equal to this
    /// request's.
    fn echoes<'a>(&'a self, merchant: &'a Merchant) -> Vec<Echo<'a>> {
        let mut v = party_echoes(&self.appid, merchant, self.sub_merchant.as_ref());
        v.push(Echo::equal("out_refund_no", &self.out_refund_no));
        v.push(Echo::equal(self.order.field(), self.order.value()));
        v
    }

    /// The reply is signed with this request's sign type.
    fn reply_options(&self) -> V2PayReplyOptions {
        V2PayReplyOptions::signed_with(Some(self.sign_type))
    }

    /// Status, XML, `return_code`, the signature before anything else is read, the exact fold
    /// rule, `result_code`, the echoes, then the refund (`refund_id` and the amounts required).
    fn decode(
        merchant: &Merchant,
        response: ResponseRef<'_>,
        _now: UnixTime,
        options: &V2PayReplyOptions,
        echoes: &[Echo<'_>],
    ) -> Result<V2RefundOutcome, ApiError> {
        decode_signed(merchant, &response, options.sign_type, echoes, |r, _| {
            let p = parties(r);
            // Every field is read (and so recorded for the fold rule) before one may fail.
            let id = |name: &'static str| r.strict(name).unwrap_or_default().to_owned();
            let amounts = [
                ("refund_fee", r.strict("refund_fee")),
                ("total_fee", r.strict("total_fee")),
                ("cash_fee", r.strict("cash_fee")),
            ];
            let (settlement_refund_fee, settlement_total_fee, cash_refund_fee) = (
                r.strict("settlement_refund_fee"),
                r.strict("settlement_total_fee"),
                r.strict("cash_refund_fee"),
            );
            let refund_id = r.strict("refund_id");
            let out = V2RefundOutcome {
                appid: p.appid,
                mch_id: p.mch_id,
                sub_appid: p.sub_appid,
                sub_mch_id: p.sub_mch_id,
                transaction_id: id("transaction_id"),
                out_trade_no: id("out_trade_no"),
                out_refund_no: id("out_refund_no"),
                refund_id: refund_id.unwrap_or_default().to_owned(),
                refund_fee: 0,
                total_fee: 0,
                cash_fee: 0,
                settlement_refund_fee: None,
                settlement_total_fee: None,
                cash_refund_fee: None,
                fee_type: optional(r, "fee_type"),
                refund_channel: optional(r, "refund_channel"),
            };
            if refund_id.is_none() {
                return Err(ApiError::MissingField("refund_id".into()));
            }
            let mut fees = [0u64; 3];
            for ((name, value), fee) in amounts.into_iter().zip(&mut fees) {
                *fee = fen(value, name)?.ok_or_else(|| ApiError::MissingField(name.into()))?;
            }
            let [refund_fee, total_fee, cash_fee] = fees;
            Ok(V2RefundOutcome {
                refund_fee,
                total_fee,
                cash_fee,
                settlement_refund_fee: fen(settlement_refund_fee, "settlement_refund_fee")?,
                settlement_total_fee: fen(settlement_total_fee, "settlement_total_fee")?,
                cash_refund_fee: fen(cash_refund_fee, "cash_refund_fee")?,
                ..out
            })
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
) -> Result<V2RefundOutcome, ApiError> {
    crate::api::read_reply::<V2RefundRequest>(merchant, response, now)
}

/// The answer of `refund`: WeChat Pay has taken the refund (its result comes later). Compare
/// `refund_fee` and `total_fee` with what you asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2RefundOutcome {
    /// `appid`, as echoed.
    pub appid: String,
    /// `mch_id`, as echoed.
    pub mch_id: String,
    /// `sub_appid`, when present.
    pub sub_appid: Option<String>,
    /// `sub_mch_id`, when present.
    pub sub_mch_id: Option<String>,
    /// 微信支付订单号.
    pub transaction_id: String,
    /// 商户订单号.
    pub out_trade_no: String,
    /// 商户退款单号, as echoed.
    pub out_refund_no: String,
    /// 微信退款单号.
    pub refund_id: String,
    /// 退款金额 in fen.
    pub refund_fee: u64,
    /// 订单金额 in fen.
    pub total_fee: u64,
    /// 现金支付金额 in fen.
    pub cash_fee: u64,
    /// 应结退款金额 in fen (with vouchers that are not cash).
    pub settlement_refund_fee: Option<u64>,
    /// 应结订单金额 in fen.
    pub settlement_total_fee: Option<u64>,
    /// 现金退款金额 in fen.
    pub cash_refund_fee: Option<u64>,
    /// 标价币种.
    pub fee_type: Option<String>,
    /// 退款渠道 (older replies).
    pub refund_channel: Option<String>,
}
