//! 关闭订单 — `POST https://api.mch.weixin.qq.com/pay/closeorder` (official page:
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_3>): close an unpaid order (no
//! earlier than five minutes after it was placed, the document says), so that it can no longer
//! be paid.
//!
//! Success has no content: the outcome is `()`. The reply is signed with the request's sign
//! type and must carry `appid`, `mch_id` (and the sub-merchant). WeChat Pay's refusals are
//! verified business failures: `ORDERPAID` (paid in the meantime: query it and deliver),
//! `ORDERCLOSED` (already closed), `SYSTEMERROR` (retry).
//!
//! ```
//! use wechatpay_sansio::api::{Failure, Operation, pay_v2::closeorder::V2CloseOrderRequest};
//! use wechatpay_sansio::v2::reply::ErrCode;
//! use wechatpay_sansio::{request::ResponseRef, simulator::Simulator, time::UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();                                    // TEST ONLY keys
//! let close = V2CloseOrderRequest::new("wx2421b1c4370ec43b", "no-such-order");
//! let http = close.build(&merchant, &mut rng, now)?;
//! let reply = sim.handle(&http.into_http(), now, &mut rng, &Default::default());
//! let e = close.parse_reply(&merchant, ResponseRef::from_http(&reply), now).unwrap_err();
//! assert!(matches!(e.failure(), Some(Failure::Business { err_code: Some(ErrCode::OrderNotExist), .. })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::{
    V2PayReplyOptions, V2SubMerchant, build_post, decode_signed, parties, party_echoes,
    validate_parties,
};
use crate::api::{ApiError, Echo, Endpoint, HttpMethod, Operation, Protocol};
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::time::UnixTime;
use crate::v2::SignType;
use crate::validate::{self, FieldError};
use rand_core::TryCryptoRng;

/// Path of the endpoint.
pub const PATH: &str = "/pay/closeorder";

/// The fields every success reply carries (required by [`crate::api::read_reply`]).
pub const IDENTIFYING_FIELDS: [&str; 2] = ["appid", "mch_id"];

/// This API's description.
pub const ENDPOINT: Endpoint<'static> = Endpoint::new(
    "closeorder",
    super::HOST,
    PATH,
    HttpMethod::Post,
    Protocol::V2Xml {
        signed_reply: true,
        client_certificate: false,
    },
);

/// A `closeorder` request (see the module example).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2CloseOrderRequest {
    /// 公众账号ID / 应用ID the order was placed under.
    pub appid: String,
    /// The sub-merchant, in service-provider mode.
    pub sub_merchant: Option<V2SubMerchant>,
    /// 商户订单号 (1–32 of `[0-9A-Za-z_-|*@]`).
    pub out_trade_no: String,
    /// HMAC-SHA256 (default) or MD5.
    pub sign_type: SignType,
}

impl V2CloseOrderRequest {
    /// A request with HMAC-SHA256.
    #[must_use]
    pub fn new(appid: impl Into<String>, out_trade_no: impl Into<String>) -> Self {
        Self {
            appid: appid.into(),
            sub_merchant: None,
            out_trade_no: out_trade_no.into(),
            sign_type: SignType::HmacSha256,
        }
    }

    /// Check every field (runs before any signing).
    ///
    /// ```
    /// # use wechatpay_sansio::api::pay_v2::closeorder::V2CloseOrderRequest;
    /// use wechatpay_sansio::error::FieldError;
    /// let req = V2CloseOrderRequest::new("wx2421b1c4370ec43b", "");
    /// assert_eq!(req.validate(), Err(FieldError::Missing { field: "out_trade_no" }));
    /// ```
    ///
    /// # Errors
    /// [`FieldError`] naming the first invalid field.
    pub fn validate(&self) -> Result<(), FieldError> {
        validate_parties(&self.appid, self.sub_merchant.as_ref())?;
        validate::out_trade_no("out_trade_no", &self.out_trade_no)
    }
}

impl Operation for V2CloseOrderRequest {
    type Outcome = ();
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
            &[("out_trade_no", &self.out_trade_no)],
        )
    }

    /// `appid`, `mch_id` and the sub-merchant equal to this request's (the reply does not
    /// carry `out_trade_no`).
    fn echoes<'a>(&'a self, merchant: &'a Merchant) -> Vec<Echo<'a>> {
        party_echoes(&self.appid, merchant, self.sub_merchant.as_ref())
    }

    /// The reply is signed with this request's sign type.
    fn reply_options(&self) -> V2PayReplyOptions {
        V2PayReplyOptions::signed_with(Some(self.sign_type))
    }

    /// Status, XML, `return_code`, the signature before anything else is read, the exact fold
    /// rule, `result_code` `SUCCESS`, the echoes.
    fn decode(
        merchant: &Merchant,
        response: ResponseRef<'_>,
        _now: UnixTime,
        options: &V2PayReplyOptions,
        echoes: &[Echo<'_>],
    ) -> Result<(), ApiError> {
        decode_signed(merchant, &response, options.sign_type, echoes, |r, _| {
            // Read, so that no reading of the signed string may change them.
            let _ = parties(r);
            Ok(())
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
) -> Result<(), ApiError> {
    crate::api::read_reply::<V2CloseOrderRequest>(merchant, response, now)
}
