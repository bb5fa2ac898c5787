//! 查询单笔退款 — `GET /v3/refund/domestic/refunds/{out_refund_no}` (partner: `?sub_mchid=`).
//! Query before acting on a refund notification you cannot verify (the v2 one is unsigned).
//!
//! ```
//! use wechatpay_sansio::api::pay::refund_query::RefundQueryRequest;
//! use wechatpay_sansio::{simulator::Simulator, Operation, ResponseRef, UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();                                     // TEST ONLY keys
//! let q = RefundQueryRequest::new("R_NO_SUCH_REFUND");
//! let http = q.build(&merchant, &mut rng, now)?;
//! assert_eq!(http.uri().path(), "/v3/refund/domestic/refunds/R_NO_SUCH_REFUND");
//! let reply = sim.handle(&http.into_http(), now, &mut rng, &Default::default());
//! assert!(q.parse_reply(&merchant, ResponseRef::from_http(&reply), now).unwrap_err().failure().is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::pay::{HOST, Refund, SubMerchant, segment};
use crate::api::{ApiError, Echo, Endpoint, HttpMethod, Operation, Protocol, v3_common};
use crate::error::FieldError;
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::time::UnixTime;
use crate::validate;
use rand_core::TryCryptoRng;

/// `GET /v3/refund/domestic/refunds/{out_refund_no}`.
pub const ENDPOINT: Endpoint<'static> = Endpoint::new(
    "refund-query",
    HOST,
    "/v3/refund/domestic/refunds/{out_refund_no}",
    HttpMethod::Get,
    Protocol::V3Json,
);

/// A query for one refund by `out_refund_no`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundQueryRequest {
    /// `out_refund_no`.
    pub out_refund_no: String,
    /// Partner mode.
    pub sub_merchant: Option<SubMerchant>,
}

impl RefundQueryRequest {
    /// Query `out_refund_no`.
    #[must_use]
    pub fn new(out_refund_no: impl Into<String>) -> Self {
        Self {
            out_refund_no: out_refund_no.into(),
            sub_merchant: None,
        }
    }

    /// The same query in partner mode, for `sub`.
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
        validate::out_refund_no("out_refund_no", &self.out_refund_no)?;
        self.sub_merchant
            .as_ref()
            .map_or(Ok(()), SubMerchant::validate)
    }
}

impl Operation for RefundQueryRequest {
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
        let mut url = endpoint
            .url()
            .replace("{out_refund_no}", &segment(&self.out_refund_no));
        if let Some(s) = &self.sub_merchant {
            url = format!("{url}?sub_mchid={}", segment(&s.sub_mchid));
        }
        v3_common::send(merchant, &url, None::<&()>, rng, now)
    }

    fn echoes<'a>(&'a self, _merchant: &'a Merchant) -> Vec<Echo<'a>> {
        vec![Echo::equal("out_refund_no", &self.out_refund_no)]
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

/// Check a refund query reply without its request (from a log).
///
/// # Errors
/// As [`Operation::decode`].
pub fn read_reply(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
) -> Result<Refund, ApiError> {
    crate::api::read_reply::<RefundQueryRequest>(merchant, response, now)
}
