//! 退款申请 — `POST /v3/refund/domestic/refunds`, direct and partner (which adds `sub_mchid`).
//! The outcome is a [`Refund`], usually `PROCESSING`: the result arrives as a
//! `REFUND.SUCCESS` / `REFUND.ABNORMAL` / `REFUND.CLOSED` notification
//! ([`crate::api::pay::notify`]) or through [`crate::api::pay::refund_query`].
//!
//! ```
//! use wechatpay_sansio::api::pay::{refund::RefundRequest, OrderId};
//! let r = RefundRequest::new(OrderId::OutTradeNo("1217752501201407033233368018".into()),
//!                            "R1217752501201407033233368018", 100, 100);
//! assert!(RefundRequest { refund: -1, ..r.clone() }.validate().is_err());   // refused at build
//! assert!(RefundRequest { refund: 101, ..r.clone() }.validate().is_err());  // more than the total
//! assert!(r.validate().is_ok());
//! ```

use crate::api::pay::{HOST, OrderId, Refund, SubMerchant};
use crate::api::{ApiError, Echo, Endpoint, HttpMethod, Operation, Protocol, v3_common};
use crate::error::FieldError;
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::time::UnixTime;
use crate::validate;
use rand_core::TryCryptoRng;
use serde::Serialize;

/// `POST /v3/refund/domestic/refunds`.
pub const ENDPOINT: Endpoint<'static> = Endpoint::new(
    "refund",
    HOST,
    "/v3/refund/domestic/refunds",
    HttpMethod::Post,
    Protocol::V3Json,
);

/// A refund of (part of) a paid order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// The order: `transaction_id` or `out_trade_no`.
    pub order: OrderId,
    /// `out_refund_no`: the merchant's refund number, 1–64 of `[0-9A-Za-z_-|*@]`.
    pub out_refund_no: String,
    /// `amount.refund` in fen: 1 to `total`.
    pub refund: i64,
    /// `amount.total`: the order's total, in fen.
    pub total: i64,
    /// `amount.currency` (`CNY`).
    pub currency: String,
    /// `reason`, shown to the payer (≤ 80 characters).
    pub reason: Option<String>,
    /// `notify_url` for the refund's notification (else the merchant platform's setting).
    pub notify_url: Option<String>,
    /// Partner mode.
    pub sub_merchant: Option<SubMerchant>,
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_mchid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transaction_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    out_trade_no: Option<&'a str>,
    out_refund_no: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notify_url: Option<&'a str>,
    amount: Amount<'a>,
}

#[derive(Serialize)]
struct Amount<'a> {
    refund: u64,
    total: u64,
    currency: &'a str,
}

impl RefundRequest {
    /// Refund `refund` fen of the order `order` (whose total is `total` fen) as
    /// `out_refund_no`, in `CNY`.
    #[must_use]
    pub fn new(order: OrderId, out_refund_no: impl Into<String>, refund: i64, total: i64) -> Self {
        Self {
            order,
            out_refund_no: out_refund_no.into(),
            refund,
            total,
            currency: "CNY".to_owned(),
            reason: None,
            notify_url: None,
            sub_merchant: None,
        }
    }

    /// The same refund in partner mode, for `sub`.
    #[must_use]
    pub fn partner(mut self, sub: SubMerchant) -> Self {
        self.sub_merchant = Some(sub);
        self
    }

    /// Check every field (amounts: positive, at most 2^31 − 1, refund ≤ total).
    ///
    /// # Errors
    /// The first [`FieldError`].
    pub fn validate(&self) -> Result<(), FieldError> {
        self.order.validate()?;
        validate::out_refund_no("out_refund_no", &self.out_refund_no)?;
        let total = validate::amount("amount.total", self.total, 1)?;
        let refund = validate::amount("amount.refund", self.refund, 1)?;
        if refund > total {
            return Err(FieldError::Amount {
                field: "amount.refund",
                min: 1,
                max: self.total,
            });
        }
        validate::token("amount.currency", &self.currency, 16)?;
        if let Some(r) = &self.reason {
            validate::text("reason", r, 1, 80)?;
        }
        if let Some(u) = &self.notify_url {
            validate::notify_url("notify_url", u, 256)?;
        }
        self.sub_merchant
            .as_ref()
            .map_or(Ok(()), SubMerchant::validate)
    }
}

impl Operation for RefundRequest {
    type Outcome = Refund;
    type ReplyOptions = ();
    const IDENTIFYING: &'static [&'static str] = &["out_refund_no"];
    const ENDPOINT: Endpoint<'static> = ENDPOINT;

    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        endpoint: &Endpoint<'_>,
        merchant: &Merchant,
        rng: &mut R,
        now: UnixTime,
    ) -> Result<Request, ApiError> {
        self.validate()?;
        let (transaction_id, out_trade_no) = match &self.order {
            OrderId::TransactionId(t) => (Some(t.as_str()), None),
            OrderId::OutTradeNo(o) => (None, Some(o.as_str())),
        };
        let body = Body {
            sub_mchid: self.sub_merchant.as_ref().map(|s| s.sub_mchid.as_str()),
            transaction_id,
            out_trade_no,
            out_refund_no: &self.out_refund_no,
            reason: self.reason.as_deref(),
            notify_url: self.notify_url.as_deref(),
            amount: Amount {
                refund: validate::amount("amount.refund", self.refund, 1)?,
                total: validate::amount("amount.total", self.total, 1)?,
                currency: &self.currency,
            },
        };
        v3_common::send(merchant, &endpoint.url(), Some(&body), rng, now)
    }

    fn echoes<'a>(&'a self, _merchant: &'a Merchant) -> Vec<Echo<'a>> {
        vec![
            Echo::equal("out_refund_no", &self.out_refund_no),
            Echo::equal(self.order.field(), self.order.value()),
        ]
    }

    fn decode(
        merchant: &Merchant,
        response: ResponseRef<'_>,
        now: UnixTime,
        (): &(),
        echoes: &[Echo<'_>],
    ) -> Result<Refund, ApiError> {
        Refund::from_value(v3_common::decode(
            merchant,
            response,
            now,
            Some(ENDPOINT.path),
            echoes,
        )?)
    }
}

/// Check a refund reply without its request (from a log).
///
/// # Errors
/// As [`Operation::decode`].
pub fn read_reply(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
) -> Result<Refund, ApiError> {
    crate::api::read_reply::<RefundRequest>(merchant, response, now)
}
