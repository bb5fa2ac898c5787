//! 关闭订单 — `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close` with
//! `{"mchid":…}` (partner: `/v3/pay/partner/transactions/out-trade-no/{…}/close` with
//! `{"sp_mchid":…,"sub_mchid":…}`). The answer is `204 No Content`, verified like any reply.
//!
//! ```
//! use wechatpay_sansio::api::pay::{close::CloseOrderRequest, prepay::PrepayRequest};
//! use wechatpay_sansio::{simulator::Simulator, Operation, ResponseRef, UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();                                     // TEST ONLY keys
//! let order = PrepayRequest::native("wxd678efh567hg6787", "QQ公仔", "CLOSE_ME_1",
//!                                   "https://example.com/notify", 1);
//! sim.handle(&order.build(&merchant, &mut rng, now)?.into_http(), now, &mut rng, &Default::default());
//! let close = CloseOrderRequest::new("CLOSE_ME_1");
//! let reply = sim.handle(&close.build(&merchant, &mut rng, now)?.into_http(), now, &mut rng, &Default::default());
//! close.parse_reply(&merchant, ResponseRef::from_http(&reply), now)?;   // 204, verified
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::pay::{HOST, SubMerchant, segment};
use crate::api::{ApiError, Echo, Endpoint, HttpMethod, Operation, Protocol, v3_common};
use crate::error::FieldError;
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::time::UnixTime;
use crate::validate;
use rand_core::TryCryptoRng;
use serde::Serialize;

/// `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close`.
pub const CLOSE: Endpoint<'static> = Endpoint::new(
    "pay-close",
    HOST,
    "/v3/pay/transactions/out-trade-no/{out_trade_no}/close",
    HttpMethod::Post,
    Protocol::V3Json,
);

/// `POST /v3/pay/partner/transactions/out-trade-no/{out_trade_no}/close`.
pub const PARTNER_CLOSE: Endpoint<'static> = Endpoint::new(
    "pay-partner-close",
    HOST,
    "/v3/pay/partner/transactions/out-trade-no/{out_trade_no}/close",
    HttpMethod::Post,
    Protocol::V3Json,
);

/// Close an unpaid order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseOrderRequest {
    /// `out_trade_no`.
    pub out_trade_no: String,
    /// Partner mode.
    pub sub_merchant: Option<SubMerchant>,
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    mchid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sp_mchid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_mchid: Option<&'a str>,
}

impl CloseOrderRequest {
    /// Close `out_trade_no`.
    #[must_use]
    pub fn new(out_trade_no: impl Into<String>) -> Self {
        Self {
            out_trade_no: out_trade_no.into(),
            sub_merchant: None,
        }
    }

    /// The same request in partner mode, for `sub`.
    #[must_use]
    pub fn partner(mut self, sub: SubMerchant) -> Self {
        self.sub_merchant = Some(sub);
        self
    }

    /// Check every field.
    ///
    /// # Errors
    /// The first [`FieldError`].
    pub fn validate(&self) -> Result<(), FieldError> {
        validate::out_trade_no("out_trade_no", &self.out_trade_no)?;
        self.sub_merchant
            .as_ref()
            .map_or(Ok(()), SubMerchant::validate)
    }
}

impl Operation for CloseOrderRequest {
    type Outcome = ();
    type ReplyOptions = ();
    /// A `204` carries nothing to echo.
    const IDENTIFYING: &'static [&'static str] = &[];
    const ENDPOINT: Endpoint<'static> = CLOSE;

    fn endpoint(&self) -> Endpoint<'static> {
        if self.sub_merchant.is_some() {
            PARTNER_CLOSE
        } else {
            CLOSE
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
        let path = self
            .endpoint()
            .path
            .replace("{out_trade_no}", &segment(&self.out_trade_no));
        let mchid = merchant.mchid().as_str();
        let body = match &self.sub_merchant {
            None => Body {
                mchid: Some(mchid),
                sp_mchid: None,
                sub_mchid: None,
            },
            Some(s) => Body {
                mchid: None,
                sp_mchid: Some(mchid),
                sub_mchid: Some(&s.sub_mchid),
            },
        };
        v3_common::send(
            merchant,
            &format!("{}{path}", endpoint.host),
            Some(&body),
            rng,
            now,
        )
    }

    fn echoes<'a>(&'a self, _merchant: &'a Merchant) -> Vec<Echo<'a>> {
        Vec::new()
    }

    fn decode(
        merchant: &Merchant,
        response: ResponseRef<'_>,
        now: UnixTime,
        (): &(),
        _echoes: &[Echo<'_>],
    ) -> Result<(), ApiError> {
        v3_common::decode_empty(merchant, response, now, CLOSE.path)
    }
}

/// Check a close reply (from a log).
///
/// # Errors
/// As [`Operation::decode`].
pub fn read_reply(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
) -> Result<(), ApiError> {
    crate::api::read_reply::<CloseOrderRequest>(merchant, response, now)
}
