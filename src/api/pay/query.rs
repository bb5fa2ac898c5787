//! 查询订单 — by `transaction_id` (`GET /v3/pay/transactions/id/{transaction_id}?mchid=`) or by
//! `out_trade_no` (`GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=`); partner:
//! `GET /v3/pay/partner/transactions/…?sp_mchid=&sub_mchid=`. The outcome is a
//! [`Transaction`]; the merchant ids and the order id are checked against the request.
//!
//! ```
//! use wechatpay_sansio::api::{pay::query::QueryOrderRequest, Failure};
//! use wechatpay_sansio::{simulator::Simulator, Operation, ResponseRef, UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();                                     // TEST ONLY keys
//! let q = QueryOrderRequest::by_out_trade_no("NO_SUCH_ORDER_1");
//! let reply = sim.handle(&q.build(&merchant, &mut rng, now)?.into_http(), now, &mut rng, &Default::default());
//! let err = q.parse_reply(&merchant, ResponseRef::from_http(&reply), now).unwrap_err();
//! assert!(matches!(err.failure(), Some(Failure::V3(r)) if r.code.as_str() == "ORDER_NOT_EXIST"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::pay::{
    OrderId, SubMerchant, Transaction, merchant_echoes, merchant_query, segment,
};
use crate::api::{ApiError, Echo, Endpoint, Operation, v3_common};
use crate::error::FieldError;
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::time::UnixTime;
use rand_core::TryCryptoRng;

crate::api::pay::endpoints! {
    Get;
    BY_TRANSACTION_ID = "pay-query-id", "/v3/pay/transactions/id/{transaction_id}";
    BY_OUT_TRADE_NO = "pay-query-out-trade-no", "/v3/pay/transactions/out-trade-no/{out_trade_no}";
    PARTNER_BY_TRANSACTION_ID = "pay-partner-query-id", "/v3/pay/partner/transactions/id/{transaction_id}";
    PARTNER_BY_OUT_TRADE_NO = "pay-partner-query-out-trade-no", "/v3/pay/partner/transactions/out-trade-no/{out_trade_no}";
}

/// A query for one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryOrderRequest {
    /// Which id names the order.
    pub id: OrderId,
    /// Partner mode.
    pub sub_merchant: Option<SubMerchant>,
    /// The app id the order was placed under, when you want the reply's `appid` (partner:
    /// `sp_appid`) compared with it. The query does not send it, so by default it is not
    /// checked.
    pub appid: Option<String>,
}

impl QueryOrderRequest {
    /// By WeChat Pay's `transaction_id`.
    #[must_use]
    pub fn by_transaction_id(transaction_id: impl Into<String>) -> Self {
        Self {
            id: OrderId::TransactionId(transaction_id.into()),
            sub_merchant: None,
            appid: None,
        }
    }

    /// By the merchant's `out_trade_no`.
    #[must_use]
    pub fn by_out_trade_no(out_trade_no: impl Into<String>) -> Self {
        Self {
            id: OrderId::OutTradeNo(out_trade_no.into()),
            sub_merchant: None,
            appid: None,
        }
    }

    /// The same query in partner mode, for `sub`.
    #[must_use]
    pub fn partner(mut self, sub: SubMerchant) -> Self {
        self.sub_merchant = Some(sub);
        self
    }

    /// Also require the reply's `appid` (`sp_appid` in partner mode) to be `appid`.
    #[must_use]
    pub fn expect_appid(mut self, appid: impl Into<String>) -> Self {
        self.appid = Some(appid.into());
        self
    }

    /// Check every field.
    ///
    /// # Errors
    /// The first [`FieldError`].
    pub fn validate(&self) -> Result<(), FieldError> {
        self.id.validate()?;
        self.sub_merchant
            .as_ref()
            .map_or(Ok(()), SubMerchant::validate)
    }
}

impl Operation for QueryOrderRequest {
    type Outcome = Transaction;
    type ReplyOptions = ();
    const IDENTIFYING: &'static [&'static str] = &["out_trade_no"];
    const ENDPOINT: Endpoint<'static> = BY_OUT_TRADE_NO;

    fn endpoint(&self) -> Endpoint<'static> {
        match (&self.id, self.sub_merchant.is_some()) {
            (OrderId::TransactionId(_), false) => BY_TRANSACTION_ID,
            (OrderId::OutTradeNo(_), false) => BY_OUT_TRADE_NO,
            (OrderId::TransactionId(_), true) => PARTNER_BY_TRANSACTION_ID,
            (OrderId::OutTradeNo(_), true) => PARTNER_BY_OUT_TRADE_NO,
        }
    }

    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        endpoint: &Endpoint<'_>,
        merchant: &Merchant,
        rng: &mut R,
        now: UnixTime,
    ) -> Result<Request, ApiError> {
        self.validate()?;
        let template = self.endpoint().path;
        let base = template.split('{').next().unwrap_or(template);
        let url = format!(
            "{}{}{}?{}",
            endpoint.host,
            base,
            segment(self.id.value()),
            merchant_query(merchant, self.sub_merchant.as_ref())
        );
        v3_common::send(merchant, &url, None::<&()>, rng, now)
    }

    fn echoes<'a>(&'a self, merchant: &'a Merchant) -> Vec<Echo<'a>> {
        let mut e = merchant_echoes(merchant, self.sub_merchant.as_ref());
        e.push(Echo::equal(self.id.field(), self.id.value()));
        if let Some(a) = &self.appid {
            let field = if self.sub_merchant.is_some() {
                "sp_appid"
            } else {
                "appid"
            };
            e.push(Echo::equal(field, a));
        }
        e
    }

    fn decode(
        merchant: &Merchant,
        response: ResponseRef<'_>,
        now: UnixTime,
        (): &(),
        echoes: &[Echo<'_>],
    ) -> Result<Transaction, ApiError> {
        Transaction::from_value(v3_common::decode(merchant, response, now, None, echoes)?)
    }
}

/// Check a query reply without its request (from a log): the order id and merchant ids are
/// only required to be present.
///
/// # Errors
/// As [`Operation::decode`].
pub fn read_reply(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
) -> Result<Transaction, ApiError> {
    crate::api::read_reply::<QueryOrderRequest>(merchant, response, now)
}
