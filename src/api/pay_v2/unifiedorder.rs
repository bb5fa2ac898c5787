//! 统一下单 — `POST https://api.mch.weixin.qq.com/pay/unifiedorder` (official page:
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_1>): place an order and get the
//! `prepay_id` the payer's client opens the cashier with (JSAPI, APP), the QR-code link
//! (`code_url`, NATIVE) or the H5 link (`mweb_url`, MWEB).
//!
//! The reply is signed with the request's sign type and must carry `appid`, `mch_id` (and the
//! sub-merchant) and `trade_type` equal to the request's. The client-side pay-sign comes from
//! the outcome: [`UnifiedOrderOutcome::jsapi_pay_params`] (JSAPI, mini-programs) and
//! [`UnifiedOrderOutcome::app_pay_params`] (APP), signed with the order's sign type.
//!
//! ```
//! use wechatpay_sansio::api::{Operation, pay_v2::unifiedorder::*};
//! use wechatpay_sansio::{ids::Nonce, request::ResponseRef, secret::Personal, simulator::Simulator,
//!     time::UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();                                    // TEST ONLY keys
//! let mut order = UnifiedOrderRequest::new("wx2421b1c4370ec43b", "腾讯充值中心-QQ会员充值",
//!     "20150806125346", 888, "123.12.12.123", "https://merchant.example/notify", V2TradeType::Jsapi);
//! order.openid = Some(Personal::new("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"));
//! assert!(!format!("{order:?}").contains("oUpF8uMuAJO")); // personal data is redacted
//! let http = order.build(&merchant, &mut rng, now)?;
//! let reply = sim.handle(&http.into_http(), now, &mut rng, &Default::default());
//! let placed = order.parse_reply(&merchant, ResponseRef::from_http(&reply), now)?;
//! let pay = placed.jsapi_pay_params(merchant.api_v2_key()?, now, &Nonce::generate(&mut rng)?)?;
//! assert_eq!(pay.package, format!("prepay_id={}", placed.prepay_id));
//! assert_eq!(pay.sign_type, "HMAC-SHA256");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::{
    V2SubMerchant, build_post, compact_time, decode_signed, opt, opt_personal, parties,
    party_echoes, validate_parties,
};
use crate::api::{ApiError, Echo, Endpoint, HttpMethod, Operation, Protocol};
use crate::ids::Nonce;
use crate::merchant::Merchant;
use crate::paysign::{self, AppPayParams, JsapiPayParams, PaySignError};
use crate::request::{Request, ResponseRef};
use crate::secret::{ApiV2Key, Personal};
use crate::time::UnixTime;
use crate::v2::SignType;
use crate::validate::{self, FieldError};
use rand_core::TryCryptoRng;

/// Path of the endpoint.
pub const PATH: &str = "/pay/unifiedorder";

/// The fields every success reply carries (required by [`crate::api::read_reply`]).
pub const IDENTIFYING_FIELDS: [&str; 3] = ["appid", "mch_id", "trade_type"];

/// This API's description.
pub const ENDPOINT: Endpoint<'static> = Endpoint::new(
    "unifiedorder",
    super::HOST,
    PATH,
    HttpMethod::Post,
    Protocol::V2Xml {
        signed_reply: true,
        client_certificate: false,
    },
);

crate::wire::closed_enum!(
    /// `trade_type` of an order.
    ///
    /// ```
    /// use wechatpay_sansio::api::pay_v2::unifiedorder::V2TradeType;
    /// assert_eq!("MWEB".parse(), Ok(V2TradeType::Mweb));
    /// assert!("MICROPAY".parse::<V2TradeType>().is_err());
    /// ```
    pub enum V2TradeType as "trade_type" {
        /// `JSAPI`: an official-account page or a mini-program (`openid` required).
        Jsapi = "JSAPI",
        /// `NATIVE`: a QR code to scan (`product_id` required; the reply has `code_url`).
        Native = "NATIVE",
        /// `APP`: a mobile app through the WeChat SDK.
        App = "APP",
        /// `MWEB`: H5 payment in a mobile browser (the reply has `mweb_url`).
        Mweb = "MWEB",
    }
);

/// A `unifiedorder` request. `mch_id` comes from the [`Merchant`], `nonce_str` from the RNG;
/// optional fields left `None` are not sent. `Debug` redacts the openids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnifiedOrderRequest {
    /// 公众账号ID / 应用ID (1–32 visible ASCII).
    pub appid: String,
    /// The sub-merchant, in service-provider mode.
    pub sub_merchant: Option<V2SubMerchant>,
    /// HMAC-SHA256 (default) or MD5; sent as `sign_type`, signed, used to verify the reply and
    /// for the client pay-sign.
    pub sign_type: SignType,
    /// 设备号 (at most 32 visible ASCII).
    pub device_info: Option<String>,
    /// 商品描述 (1–128 characters).
    pub body: String,
    /// 附加数据, returned as sent in queries and notifications (at most 127 characters; kept
    /// out of the fold rule: never identify an order by it).
    pub attach: Option<String>,
    /// 商户订单号 (1–32 of `[0-9A-Za-z_-|*@]`).
    pub out_trade_no: String,
    /// 标价币种 (ISO 4217, three upper-case letters; `CNY` when absent).
    pub fee_type: Option<String>,
    /// 标价金额 in fen: 1 to 2 147 483 647 (checked at build).
    pub total_fee: i64,
    /// 终端IP: the payer's IPv4 or IPv6 address (personal data, redacted in `Debug`).
    pub spbill_create_ip: Personal,
    /// 交易起始时间, `yyyyMMddHHmmss` (Beijing time).
    pub time_start: Option<String>,
    /// 交易结束时间, `yyyyMMddHHmmss` (Beijing time; the document asks for at least a minute
    /// after the order is placed).
    pub time_expire: Option<String>,
    /// 订单优惠标记 (at most 32 visible ASCII).
    pub goods_tag: Option<String>,
    /// 通知地址: `http(s)://…`, at most 256 characters, without a query.
    pub notify_url: String,
    /// 交易类型.
    pub trade_type: V2TradeType,
    /// 商品ID (at most 32 visible ASCII); required for [`V2TradeType::Native`].
    pub product_id: Option<String>,
    /// 指定支付方式: `no_credit` refuses credit cards.
    pub limit_pay: Option<String>,
    /// 用户标识 under `appid` (1–128 visible ASCII): [`V2TradeType::Jsapi`] requires it or
    /// `sub_openid`.
    pub openid: Option<Personal>,
    /// 用户子标识 under the sub-merchant's `sub_appid` (service-provider JSAPI).
    pub sub_openid: Option<Personal>,
    /// 场景信息, a JSON text (H5: `{"h5_info": {…}}`; at most 256 characters).
    pub scene_info: Option<String>,
}

impl UnifiedOrderRequest {
    /// A request with HMAC-SHA256 and no optional field.
    #[must_use]
    pub fn new(
        appid: impl Into<String>,
        body: impl Into<String>,
        out_trade_no: impl Into<String>,
        total_fee: i64,
        spbill_create_ip: impl Into<Personal>,
        notify_url: impl Into<String>,
        trade_type: V2TradeType,
    ) -> Self {
        Self {
            appid: appid.into(),
            sub_merchant: None,
            sign_type: SignType::HmacSha256,
            device_info: None,
            body: body.into(),
            attach: None,
            out_trade_no: out_trade_no.into(),
            fee_type: None,
            total_fee,
            spbill_create_ip: spbill_create_ip.into(),
            time_start: None,
            time_expire: None,
            goods_tag: None,
            notify_url: notify_url.into(),
            trade_type,
            product_id: None,
            limit_pay: None,
            openid: None,
            sub_openid: None,
            scene_info: None,
        }
    }

    /// Check every field (runs before any signing).
    ///
    /// ```
    /// # use wechatpay_sansio::api::pay_v2::unifiedorder::*;
    /// use wechatpay_sansio::error::FieldError;
    /// let mut req = UnifiedOrderRequest::new("wx2421b1c4370ec43b", "QQ会员充值", "20150806125346",
    ///     0, "123.12.12.123", "https://merchant.example/notify", V2TradeType::App);
    /// assert_eq!(req.validate(), Err(FieldError::Amount { field: "total_fee", min: 1, max: 2_147_483_647 }));
    /// req.total_fee = 1;
    /// assert_eq!(req.validate(), Ok(()));
    /// req.trade_type = V2TradeType::Jsapi; // JSAPI needs the payer's openid
    /// assert_eq!(req.validate(), Err(FieldError::Missing { field: "openid" }));
    /// ```
    ///
    /// # Errors
    /// [`FieldError`] naming the first invalid field.
    pub fn validate(&self) -> Result<(), FieldError> {
        self.checked_total_fee().map(|_| ())
    }

    /// The app the client pay-sign is for: in service-provider mode the sub-merchant's
    /// `sub_appid` for a JSAPI order placed with a `sub_openid` (the payer is known under that
    /// app) and for an APP order when one is set; otherwise `appid` (a JSAPI order placed with
    /// the service provider's `openid` pays in the service provider's app).
    ///
    /// ```
    /// use wechatpay_sansio::api::pay_v2::{V2SubMerchant, unifiedorder::*};
    /// use wechatpay_sansio::secret::Personal;
    /// let mut order = UnifiedOrderRequest::new("wxsp", "Tea", "T1", 1, "127.0.0.1",
    ///     "https://shop.example/notify", V2TradeType::Jsapi);
    /// let mut sub = V2SubMerchant::new("1900000109");
    /// sub.sub_appid = Some("wxsub".into());
    /// order.sub_merchant = Some(sub);
    /// let mut for_sp_user = order.clone();
    /// for_sp_user.openid = Some(Personal::new("oSp"));
    /// assert_eq!(for_sp_user.client_appid(), "wxsp");
    /// order.sub_openid = Some(Personal::new("oSub"));
    /// assert_eq!(order.client_appid(), "wxsub");
    /// ```
    #[must_use]
    pub fn client_appid(&self) -> &str {
        let sub_appid = self
            .sub_merchant
            .as_ref()
            .and_then(|s| s.sub_appid.as_deref());
        match (&self.trade_type, sub_appid) {
            (V2TradeType::Jsapi, Some(sub)) if self.sub_openid.is_some() => sub,
            (V2TradeType::App, Some(sub)) => sub,
            _ => &self.appid,
        }
    }

    /// Every check; the amount as sent.
    fn checked_total_fee(&self) -> Result<u64, FieldError> {
        validate_parties(&self.appid, self.sub_merchant.as_ref())?;
        if let Some(v) = &self.device_info {
            validate::token("device_info", v, 32)?;
        }
        validate::text("body", &self.body, 1, 128)?;
        if let Some(v) = &self.attach {
            validate::text("attach", v, 1, 127)?;
        }
        validate::out_trade_no("out_trade_no", &self.out_trade_no)?;
        if let Some(v) = &self.fee_type {
            validate::length("fee_type", v, 3, 3)?;
            validate::charset("fee_type", v, "A-Z", |c| c.is_ascii_uppercase())?;
        }
        let total_fee = validate::amount("total_fee", self.total_fee, 1)?;
        let ip = self.spbill_create_ip.expose_secret();
        validate::token("spbill_create_ip", ip, 64)?;
        if ip.parse::<core::net::IpAddr>().is_err() {
            return Err(FieldError::Charset {
                field: "spbill_create_ip",
                allowed: "an IPv4 or IPv6 address",
            });
        }
        if let Some(v) = &self.time_start {
            compact_time("time_start", v)?;
        }
        if let Some(v) = &self.time_expire {
            compact_time("time_expire", v)?;
        }
        if let Some(v) = &self.goods_tag {
            validate::token("goods_tag", v, 32)?;
        }
        validate::notify_url("notify_url", &self.notify_url, 256)?;
        if let Some(v) = &self.product_id {
            validate::token("product_id", v, 32)?;
        } else if self.trade_type == V2TradeType::Native {
            return Err(FieldError::Missing {
                field: "product_id",
            });
        }
        if let Some(v) = &self.limit_pay {
            validate::token("limit_pay", v, 32)?;
        }
        if let Some(v) = &self.openid {
            validate::token("openid", v.expose_secret(), 128)?;
        }
        if let Some(v) = &self.sub_openid {
            validate::token("sub_openid", v.expose_secret(), 128)?;
            if self
                .sub_merchant
                .as_ref()
                .is_none_or(|s| s.sub_appid.is_none())
            {
                // A sub_openid belongs to the sub-merchant's sub_appid.
                return Err(FieldError::Missing { field: "sub_appid" });
            }
        }
        if self.trade_type == V2TradeType::Jsapi
            && self.openid.is_none()
            && self.sub_openid.is_none()
        {
            return Err(FieldError::Missing { field: "openid" });
        }
        if let Some(v) = &self.scene_info {
            validate::text("scene_info", v, 1, 256)?;
        }
        Ok(total_fee)
    }
}

impl Operation for UnifiedOrderRequest {
    type Outcome = UnifiedOrderOutcome;
    type ReplyOptions = UnifiedOrderReplyOptions;
    const IDENTIFYING: &'static [&'static str] = &IDENTIFYING_FIELDS;
    const ENDPOINT: Endpoint<'static> = ENDPOINT;

    /// Validate (the amount included), then build the signed XML POST. `rng` draws `nonce_str`
    /// only (no RSA operation: the backend makes no difference).
    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        endpoint: &Endpoint<'_>,
        merchant: &Merchant,
        rng: &mut R,
        _now: UnixTime,
    ) -> Result<Request, ApiError> {
        let total_fee = self.checked_total_fee()?.to_string();
        build_post(
            endpoint,
            merchant,
            rng,
            self.sign_type,
            &self.appid,
            self.sub_merchant.as_ref(),
            &[
                ("device_info", opt(&self.device_info)),
                ("body", &self.body),
                ("attach", opt(&self.attach)),
                ("out_trade_no", &self.out_trade_no),
                ("fee_type", opt(&self.fee_type)),
                ("total_fee", &total_fee),
                ("spbill_create_ip", self.spbill_create_ip.expose_secret()),
                ("time_start", opt(&self.time_start)),
                ("time_expire", opt(&self.time_expire)),
                ("goods_tag", opt(&self.goods_tag)),
                ("notify_url", &self.notify_url),
                ("trade_type", self.trade_type.as_str()),
                ("product_id", opt(&self.product_id)),
                ("limit_pay", opt(&self.limit_pay)),
                ("openid", opt_personal(&self.openid)),
                ("sub_openid", opt_personal(&self.sub_openid)),
                ("scene_info", opt(&self.scene_info)),
            ],
        )
    }

    /// `appid`, `mch_id`, the sub-merchant, `trade_type` equal to this request's.
    fn echoes<'a>(&'a self, merchant: &'a Merchant) -> Vec<Echo<'a>> {
        let mut v = party_echoes(&self.appid, merchant, self.sub_merchant.as_ref());
        v.push(Echo::equal("trade_type", self.trade_type.as_str()));
        v
    }

    /// The reply is signed with this request's sign type; the client pay-sign's app is the
    /// one the order was placed for ([`UnifiedOrderRequest::client_appid`]), whether or not the
    /// reply echoes `sub_appid`.
    fn reply_options(&self) -> UnifiedOrderReplyOptions {
        UnifiedOrderReplyOptions::signed_with(Some(self.sign_type))
            .for_client_appid(self.client_appid())
    }

    /// Status, XML, `return_code`, the signature before anything else is read, the exact fold
    /// rule, `result_code`, the echoes, then `prepay_id` (and `code_url` for NATIVE, `mweb_url`
    /// for MWEB) required.
    fn decode(
        merchant: &Merchant,
        response: ResponseRef<'_>,
        _now: UnixTime,
        options: &UnifiedOrderReplyOptions,
        echoes: &[Echo<'_>],
    ) -> Result<UnifiedOrderOutcome, ApiError> {
        decode_signed(
            merchant,
            &response,
            options.sign_type,
            echoes,
            |r, sign_type| {
                let p = parties(r);
                // Every field is read (and so recorded for the fold rule) before one may fail; the
                // URLs are free text that may carry `&name=` of names the reply does not have.
                let (trade_type, prepay_id) = (r.strict("trade_type"), r.strict("prepay_id"));
                let code_url = r.text("code_url").map(str::to_owned);
                let mweb_url = r.text("mweb_url").map(str::to_owned);
                let trade_type = trade_type
                    .ok_or_else(|| ApiError::MissingField("trade_type".into()))?
                    .parse::<V2TradeType>()
                    .map_err(|_| ApiError::InvalidField("trade_type"))?;
                let prepay_id = prepay_id
                    .ok_or_else(|| ApiError::MissingField("prepay_id".into()))?
                    .to_owned();
                match trade_type {
                    V2TradeType::Native if code_url.is_none() => {
                        return Err(ApiError::MissingField("code_url".into()));
                    }
                    V2TradeType::Mweb if mweb_url.is_none() => {
                        return Err(ApiError::MissingField("mweb_url".into()));
                    }
                    _ => {}
                }
                // Without the request, the reply's `sub_appid` is the best guess.
                let client_appid = options
                    .client_appid
                    .clone()
                    .unwrap_or_else(|| p.sub_appid.clone().unwrap_or_else(|| p.appid.clone()));
                Ok(UnifiedOrderOutcome {
                    client_appid,
                    appid: p.appid,
                    mch_id: p.mch_id,
                    sub_appid: p.sub_appid,
                    sub_mch_id: p.sub_mch_id,
                    trade_type,
                    prepay_id,
                    code_url,
                    mweb_url,
                    sign_type,
                })
            },
        )
    }
}

/// How a `unifiedorder` reply is read: the request's sign type and the app its client pay-sign
/// is for. [`Operation::parse_reply`] fills both from the request.
///
/// ```
/// use wechatpay_sansio::api::pay_v2::unifiedorder::UnifiedOrderReplyOptions;
/// use wechatpay_sansio::SignType;
/// let o = UnifiedOrderReplyOptions::signed_with(Some(SignType::Md5)).for_client_appid("wxsub");
/// assert_eq!((o.sign_type, o.client_appid.as_deref()), (Some(SignType::Md5), Some("wxsub")));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnifiedOrderReplyOptions {
    /// As [`super::V2PayReplyOptions::sign_type`].
    pub sign_type: Option<SignType>,
    /// The client pay-sign's app; `None`: guessed from the reply.
    pub client_appid: Option<String>,
}

impl UnifiedOrderReplyOptions {
    /// Options for a reply to a request signed with `sign_type` (`None`: the length rule).
    #[must_use]
    pub const fn signed_with(sign_type: Option<SignType>) -> Self {
        Self {
            sign_type,
            client_appid: None,
        }
    }

    /// The app the client pay-sign is for.
    #[must_use]
    pub fn for_client_appid(mut self, appid: impl Into<String>) -> Self {
        self.client_appid = Some(appid.into());
        self
    }
}

/// Check a reply without the request at hand (e.g. one copied from a log): everything
/// [`Operation::parse_reply`] checks but the comparison with the request ([`IDENTIFYING_FIELDS`]
/// are only required present). The sign type comes from the `sign` length; to pin it, use
/// [`crate::api::read_reply_with`] with [`UnifiedOrderReplyOptions`]; without the request the
/// client pay-sign's app is guessed from the reply (`sub_appid` when echoed, else `appid`).
///
/// # Errors
/// As [`Operation::parse_reply`], without [`ApiError::Mismatch`].
pub fn read_reply(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
) -> Result<UnifiedOrderOutcome, ApiError> {
    crate::api::read_reply::<UnifiedOrderRequest>(merchant, response, now)
}

/// The answer of `unifiedorder`: the prepay session (valid two hours).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnifiedOrderOutcome {
    /// `appid`, as echoed.
    pub appid: String,
    /// `mch_id`, as echoed.
    pub mch_id: String,
    /// `sub_appid`, when the reply carries it (service-provider mode).
    pub sub_appid: Option<String>,
    /// `sub_mch_id`, when the reply carries it (service-provider mode).
    pub sub_mch_id: Option<String>,
    /// `trade_type`, as echoed.
    pub trade_type: V2TradeType,
    /// The app the client pay-sign is for (`appId` / `appid`): from the request (see
    /// [`UnifiedOrderRequest::client_appid`]); read without it, `sub_appid` when the reply
    /// echoes one, else `appid`.
    pub client_appid: String,
    /// 预支付交易会话标识.
    pub prepay_id: String,
    /// 二维码链接 (NATIVE): render it as a QR code.
    pub code_url: Option<String>,
    /// 支付跳转链接 (MWEB): send the payer's browser there.
    pub mweb_url: Option<String>,
    /// The algorithm the reply was verified with (the order's sign type): the client pay-sign
    /// uses it too.
    pub sign_type: SignType,
}

impl UnifiedOrderOutcome {
    /// The parameters of `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` /
    /// `wx.requestPayment` for a JSAPI order, signed with [`Self::sign_type`] under the APIv2
    /// key ([`paysign::v2_jsapi`]). `appId` is [`Self::client_appid`].
    ///
    /// # Errors
    /// [`PaySignError::Field`] naming `trade_type` when this is not a JSAPI order; as
    /// [`paysign::v2_jsapi`] otherwise.
    pub fn jsapi_pay_params(
        &self,
        key: &ApiV2Key,
        timestamp: UnixTime,
        nonce: &Nonce,
    ) -> Result<JsapiPayParams, PaySignError> {
        self.expect(V2TradeType::Jsapi)?;
        paysign::v2_jsapi(
            key,
            self.sign_type,
            &self.client_appid,
            timestamp,
            nonce,
            &self.prepay_id,
        )
    }

    /// The parameters of the APP SDK's `PayReq` for an APP order, signed with
    /// [`Self::sign_type`] under the APIv2 key ([`paysign::v2_app`]). `appid` is
    /// [`Self::client_appid`]; `partnerid` is `sub_mch_id` when present, else `mch_id`.
    ///
    /// ```
    /// # use wechatpay_sansio::api::pay_v2::unifiedorder::*;
    /// # use wechatpay_sansio::{ids::Nonce, secret::ApiV2Key, SignType, time::UnixTime};
    /// let placed = UnifiedOrderOutcome { appid: "wx2421b1c4370ec43b".into(), mch_id: "10000100".into(),
    ///     sub_appid: None, sub_mch_id: None, trade_type: V2TradeType::App,
    ///     client_appid: "wx2421b1c4370ec43b".into(),
    ///     prepay_id: "wx201410272009395522657a690389285100".into(), code_url: None, mweb_url: None,
    ///     sign_type: SignType::Md5 };
    /// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
    /// let nonce = Nonce::new("5K8264ILTKCH16CQ2502SI8ZNMTM67VS")?;
    /// let p = placed.app_pay_params(&key, UnixTime::from_secs(1414561699), &nonce)?;
    /// assert_eq!((p.partnerid.as_str(), p.package.as_str(), p.sign.len()), ("10000100", "Sign=WXPay", 32));
    /// assert!(placed.jsapi_pay_params(&key, UnixTime::from_secs(1414561699), &nonce).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`PaySignError::Field`] naming `trade_type` when this is not an APP order; as
    /// [`paysign::v2_app`] otherwise.
    pub fn app_pay_params(
        &self,
        key: &ApiV2Key,
        timestamp: UnixTime,
        nonce: &Nonce,
    ) -> Result<AppPayParams, PaySignError> {
        self.expect(V2TradeType::App)?;
        let partnerid = self.sub_mch_id.as_deref().unwrap_or(&self.mch_id);
        paysign::v2_app(
            key,
            self.sign_type,
            &self.client_appid,
            partnerid,
            timestamp,
            nonce,
            &self.prepay_id,
        )
    }

    fn expect(&self, trade_type: V2TradeType) -> Result<(), PaySignError> {
        if self.trade_type == trade_type {
            Ok(())
        } else {
            Err(PaySignError::Field(FieldError::NotInEnum {
                field: "trade_type",
                allowed: trade_type.as_str(),
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_error_is_reported() {
        let merchant = Merchant::new("1900000109").unwrap().with_api_v2_key(
            crate::secret::ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap(),
        );
        let req = UnifiedOrderRequest::new(
            "wx2421b1c4370ec43b",
            "b",
            "1",
            1,
            "::1",
            "https://a.example/n",
            V2TradeType::App,
        );
        let mut rng = <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(1);
        assert!(matches!(
            req.build_at(
                &ENDPOINT.at("http://x"),
                &merchant,
                &mut rng,
                UnixTime::EPOCH
            ),
            Err(ApiError::V2Request(_))
        ));
        assert_eq!(V2TradeType::ALL.len(), 4);
    }
}
