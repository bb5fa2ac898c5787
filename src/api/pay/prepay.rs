//! 下单 (prepay) — JSAPI / mini-program, App, H5, Native; direct
//! (`POST /v3/pay/transactions/{jsapi,app,h5,native}`) and partner
//! (`POST /v3/pay/partner/transactions/{…}`). The outcome carries what the payer's client
//! needs: a `prepay_id` (with [`Prepaid::jsapi_pay_params`] / [`Prepaid::app_pay_params`] for
//! the client's pay-sign), an `h5_url` or a `code_url`.
//!
//! ```
//! use wechatpay_sansio::api::pay::{prepay::{PrepayRequest, Prepay}, SubMerchant};
//! use wechatpay_sansio::{simulator::Simulator, Operation, ResponseRef, UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();                                     // TEST ONLY keys
//! let order = PrepayRequest::native("wxd678efh567hg6787", "QQ公仔", "N20260101001",
//!                                   "https://example.com/notify", 1)
//!     .partner(SubMerchant::new("1900000110"));
//! let reply = sim.handle(&order.build(&merchant, &mut rng, now)?.into_http(), now, &mut rng, &Default::default());
//! let out = order.parse_reply(&merchant, ResponseRef::from_http(&reply), now)?;
//! assert!(matches!(out.prepay, Prepay::CodeUrl(u) if u.starts_with("weixin://")));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::pay::SubMerchant;
use crate::api::{ApiError, Echo, Endpoint, Operation, v3_common};
use crate::error::FieldError;
use crate::ids::Nonce;
use crate::merchant::Merchant;
use crate::paysign::{self, AppPayParams, JsapiPayParams};
use crate::request::{Request, ResponseRef};
use crate::secret::Personal;
use crate::time::UnixTime;
use crate::validate;
use rand_core::TryCryptoRng;
use serde::{Deserialize, Serialize};

/// How the payer pays: the prepay endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrepayKind {
    /// JSAPI (公众号) and mini-program (小程序): needs the payer's openid; outcome `prepay_id`.
    Jsapi,
    /// App: outcome `prepay_id`.
    App,
    /// H5 (mobile browser): needs the payer's IP; outcome `h5_url`.
    H5,
    /// Native (QR code): outcome `code_url`.
    Native,
}

crate::api::pay::endpoints! {
    Post;
    JSAPI = "pay-jsapi", "/v3/pay/transactions/jsapi";
    APP = "pay-app", "/v3/pay/transactions/app";
    H5 = "pay-h5", "/v3/pay/transactions/h5";
    NATIVE = "pay-native", "/v3/pay/transactions/native";
    PARTNER_JSAPI = "pay-partner-jsapi", "/v3/pay/partner/transactions/jsapi";
    PARTNER_APP = "pay-partner-app", "/v3/pay/partner/transactions/app";
    PARTNER_H5 = "pay-partner-h5", "/v3/pay/partner/transactions/h5";
    PARTNER_NATIVE = "pay-partner-native", "/v3/pay/partner/transactions/native";
}

/// A prepay request. Build one with [`PrepayRequest::jsapi`], [`PrepayRequest::app`],
/// [`PrepayRequest::h5`] or [`PrepayRequest::native`]; set the optional fields directly;
/// [`PrepayRequest::partner`] for partner mode (then `appid` is the `sp_appid`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrepayRequest {
    /// The endpoint.
    pub kind: PrepayKind,
    /// `appid` (direct) or `sp_appid` (partner).
    pub appid: String,
    /// `description` (商品描述), 1–127 characters.
    pub description: String,
    /// `out_trade_no`: 6–32 of `[0-9A-Za-z_-|*]`.
    pub out_trade_no: String,
    /// `notify_url`: an `https://` URL (or `http://` over a dedicated line) without query.
    pub notify_url: String,
    /// `amount.total` in fen: 1 to 2^31 − 1.
    pub total: i64,
    /// `amount.currency`; WeChat Pay's default is `CNY`.
    pub currency: Option<String>,
    /// JSAPI: the payer's `openid` (partner: `sub_openid` when the sub-merchant has a
    /// `sub_appid`, else `sp_openid`; see [`Self::payer_under_sp_appid`]).
    pub payer_openid: Option<Personal>,
    /// Partner JSAPI with a `sub_appid`: the payer's openid is the service provider's
    /// (`sp_openid`, under `sp_appid`) rather than the sub-merchant's (`sub_openid`); the
    /// client pay-sign then uses `sp_appid`. The document: "sp_openid和sub_openid可以选传其中之一，
    /// 如果选择传sub_openid,则必须传sub_appid". Default `false`.
    pub payer_under_sp_appid: bool,
    /// `attach`: opaque merchant data (≤ 128 characters) echoed in query and notification.
    pub attach: Option<String>,
    /// `time_expire`: RFC 3339 with offset (`2018-06-08T10:34:56+08:00`).
    pub time_expire: Option<String>,
    /// H5: `scene_info.payer_client_ip` (required); others: optional. The payer's address:
    /// personal data, redacted in `Debug`.
    pub payer_client_ip: Option<Personal>,
    /// H5: `scene_info.h5_info.type` (`Wap`, `iOS`, `Android`); default `Wap`.
    pub h5_type: Option<String>,
    /// Partner mode.
    pub sub_merchant: Option<SubMerchant>,
}

impl PrepayRequest {
    fn new(
        kind: PrepayKind,
        appid: impl Into<String>,
        description: impl Into<String>,
        out_trade_no: impl Into<String>,
        notify_url: impl Into<String>,
        total: i64,
    ) -> Self {
        Self {
            kind,
            appid: appid.into(),
            description: description.into(),
            out_trade_no: out_trade_no.into(),
            notify_url: notify_url.into(),
            total,
            currency: None,
            payer_openid: None,
            payer_under_sp_appid: false,
            attach: None,
            time_expire: None,
            payer_client_ip: None,
            h5_type: None,
            sub_merchant: None,
        }
    }

    /// JSAPI / mini-program prepay for the payer `openid`.
    #[must_use]
    pub fn jsapi(
        appid: impl Into<String>,
        description: impl Into<String>,
        out_trade_no: impl Into<String>,
        notify_url: impl Into<String>,
        total: i64,
        openid: impl Into<Personal>,
    ) -> Self {
        let mut r = Self::new(
            PrepayKind::Jsapi,
            appid,
            description,
            out_trade_no,
            notify_url,
            total,
        );
        r.payer_openid = Some(openid.into());
        r
    }

    /// App prepay.
    #[must_use]
    pub fn app(
        appid: impl Into<String>,
        description: impl Into<String>,
        out_trade_no: impl Into<String>,
        notify_url: impl Into<String>,
        total: i64,
    ) -> Self {
        Self::new(
            PrepayKind::App,
            appid,
            description,
            out_trade_no,
            notify_url,
            total,
        )
    }

    /// H5 prepay for a payer at `payer_client_ip`.
    #[must_use]
    pub fn h5(
        appid: impl Into<String>,
        description: impl Into<String>,
        out_trade_no: impl Into<String>,
        notify_url: impl Into<String>,
        total: i64,
        payer_client_ip: impl Into<Personal>,
    ) -> Self {
        let mut r = Self::new(
            PrepayKind::H5,
            appid,
            description,
            out_trade_no,
            notify_url,
            total,
        );
        r.payer_client_ip = Some(payer_client_ip.into());
        r
    }

    /// Native (QR code) prepay.
    #[must_use]
    pub fn native(
        appid: impl Into<String>,
        description: impl Into<String>,
        out_trade_no: impl Into<String>,
        notify_url: impl Into<String>,
        total: i64,
    ) -> Self {
        Self::new(
            PrepayKind::Native,
            appid,
            description,
            out_trade_no,
            notify_url,
            total,
        )
    }

    /// The same order in partner mode, for `sub`.
    #[must_use]
    pub fn partner(mut self, sub: SubMerchant) -> Self {
        self.sub_merchant = Some(sub);
        self
    }

    /// Whether the payer's openid is sent as `sub_openid` (partner mode, a `sub_appid`, and not
    /// [`Self::payer_under_sp_appid`]).
    fn payer_is_sub_user(&self) -> bool {
        self.sub_merchant
            .as_ref()
            .is_some_and(|s| s.sub_appid.is_some())
            && !self.payer_under_sp_appid
    }

    /// Check every field (before any cryptography).
    ///
    /// # Errors
    /// The first [`FieldError`].
    pub fn validate(&self) -> Result<(), FieldError> {
        validate::appid(
            if self.sub_merchant.is_some() {
                "sp_appid"
            } else {
                "appid"
            },
            &self.appid,
        )?;
        validate::text("description", &self.description, 1, 127)?;
        validate::length("out_trade_no", &self.out_trade_no, 6, 32)?;
        validate::out_trade_no("out_trade_no", &self.out_trade_no)?;
        validate::notify_url("notify_url", &self.notify_url, 255)?;
        validate::amount("amount.total", self.total, 1)?;
        if let Some(c) = &self.currency {
            validate::token("amount.currency", c, 16)?;
        }
        if let Some(a) = &self.attach {
            validate::text("attach", a, 1, 128)?;
        }
        if let Some(t) = &self.time_expire {
            validate::rfc3339("time_expire", t)?;
        }
        match (&self.payer_openid, self.kind) {
            (Some(o), _) => validate::token("payer.openid", o.expose_secret(), 128)?,
            (None, PrepayKind::Jsapi) => {
                return Err(FieldError::Missing {
                    field: "payer.openid",
                });
            }
            (None, _) => {}
        }
        match (&self.payer_client_ip, self.kind) {
            (Some(ip), _) => {
                validate::token("scene_info.payer_client_ip", ip.expose_secret(), 45)?;
            }
            (None, PrepayKind::H5) => {
                return Err(FieldError::Missing {
                    field: "scene_info.payer_client_ip",
                });
            }
            (None, _) => {}
        }
        if let Some(t) = &self.h5_type {
            validate::token("scene_info.h5_info.type", t, 32)?;
        }
        if let Some(s) = &self.sub_merchant {
            s.validate()?;
        }
        Ok(())
    }

    fn body<'a>(&'a self, merchant: &'a Merchant) -> Body<'a> {
        let openid = self.payer_openid.as_ref().map(Personal::expose_secret);
        let (appid, mchid, sp_appid, sp_mchid, sub_appid, sub_mchid, payer) =
            match &self.sub_merchant {
                None => (
                    Some(self.appid.as_str()),
                    Some(merchant.mchid().as_str()),
                    None,
                    None,
                    None,
                    None,
                    openid.map(|o| Payer {
                        openid: Some(o),
                        ..Payer::default()
                    }),
                ),
                Some(s) => (
                    None,
                    None,
                    Some(self.appid.as_str()),
                    Some(merchant.mchid().as_str()),
                    s.sub_appid.as_deref(),
                    Some(s.sub_mchid.as_str()),
                    openid.map(|o| {
                        if self.payer_is_sub_user() {
                            Payer {
                                sub_openid: Some(o),
                                ..Payer::default()
                            }
                        } else {
                            Payer {
                                sp_openid: Some(o),
                                ..Payer::default()
                            }
                        }
                    }),
                ),
            };
        let scene_info = self.payer_client_ip.as_ref().map(|ip| SceneInfo {
            payer_client_ip: ip.expose_secret(),
            h5_info: (self.kind == PrepayKind::H5).then(|| H5Info {
                r#type: self.h5_type.as_deref().unwrap_or("Wap"),
            }),
        });
        Body {
            appid,
            mchid,
            sp_appid,
            sp_mchid,
            sub_appid,
            sub_mchid,
            description: &self.description,
            out_trade_no: &self.out_trade_no,
            time_expire: self.time_expire.as_deref(),
            attach: self.attach.as_deref(),
            notify_url: &self.notify_url,
            amount: Amount {
                total: validate::amount("amount.total", self.total, 1).unwrap_or_default(),
                currency: self.currency.as_deref(),
            },
            payer,
            scene_info,
        }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    appid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mchid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sp_appid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sp_mchid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_appid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_mchid: Option<&'a str>,
    description: &'a str,
    out_trade_no: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_expire: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attach: Option<&'a str>,
    notify_url: &'a str,
    amount: Amount<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payer: Option<Payer<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scene_info: Option<SceneInfo<'a>>,
}

#[derive(Serialize)]
struct Amount<'a> {
    total: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    currency: Option<&'a str>,
}

#[derive(Serialize, Default)]
struct Payer<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    openid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sp_openid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_openid: Option<&'a str>,
}

#[derive(Serialize)]
struct SceneInfo<'a> {
    payer_client_ip: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    h5_info: Option<H5Info<'a>>,
}

#[derive(Serialize)]
struct H5Info<'a> {
    r#type: &'a str,
}

/// What the payer's client needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prepay {
    /// JSAPI / mini-program / App: `prepay_id` (valid two hours).
    PrepayId(String),
    /// H5: the `h5_url` to open in the payer's browser.
    H5Url(String),
    /// Native: the `code_url` to show as a QR code.
    CodeUrl(String),
}

/// How the client pay-sign is made: the app id the payer is identified under and the merchant
/// the App SDK names (`partnerid`). Set from the request by [`Operation::parse_reply`].
///
/// ```
/// use wechatpay_sansio::api::pay::prepay::PrepayReplyOptions;
/// let o = PrepayReplyOptions::for_pay_sign(Some("wxd678efh567hg6787".into()), None);
/// assert_eq!(o.appid.as_deref(), Some("wxd678efh567hg6787"));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrepayReplyOptions {
    /// The `appid` of the pay-sign (`sub_appid` in partner mode when the payer is under it).
    pub appid: Option<String>,
    /// App `partnerid`: the `mchid`, or the `sub_mchid` in partner mode.
    pub partnerid: Option<String>,
    /// The endpoint the order was placed at: its reply must carry that endpoint's outcome
    /// (`prepay_id` for JSAPI / App, `h5_url`, `code_url`). `None`: any one of them.
    pub kind: Option<PrepayKind>,
}

impl PrepayReplyOptions {
    /// Options naming the pay-sign's `appid` and App `partnerid` (a reply read without its
    /// request; `Default` for none).
    #[must_use]
    pub const fn for_pay_sign(appid: Option<String>, partnerid: Option<String>) -> Self {
        Self {
            appid,
            partnerid,
            kind: None,
        }
    }
}

/// A prepay outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepaid {
    /// The payer's next step.
    pub prepay: Prepay,
    /// The `appid` for the client pay-sign (from the request).
    pub appid: Option<String>,
    /// The App SDK's `partnerid` (from the request).
    pub partnerid: Option<String>,
}

impl Prepaid {
    fn prepay_id(&self) -> Result<(&str, &str), ApiError> {
        match (&self.prepay, &self.appid) {
            (Prepay::PrepayId(id), Some(appid)) => Ok((id, appid)),
            (Prepay::PrepayId(_), None) => Err(ApiError::MissingField("appid".to_owned())),
            _ => Err(ApiError::MissingField("prepay_id".to_owned())),
        }
    }

    /// The parameters of `wx.requestPayment` / `WeixinJSBridge` (JSAPI, mini-program), signed
    /// with the merchant key at `now`.
    ///
    /// # Errors
    /// [`ApiError::MissingField`] for an outcome without a `prepay_id` (H5, Native) or an app
    /// id; [`ApiError::NotConfigured`] without a merchant key; [`ApiError::Rng`].
    pub fn jsapi_pay_params<R: TryCryptoRng + ?Sized>(
        &self,
        merchant: &Merchant,
        rng: &mut R,
        now: UnixTime,
    ) -> Result<JsapiPayParams, ApiError> {
        let (id, appid) = self.prepay_id()?;
        let nonce = Nonce::generate(rng).map_err(|_| ApiError::Rng)?;
        paysign::jsapi(rng, merchant.signer()?.key(), appid, now, &nonce, id)
            .map_err(ApiError::from)
    }

    /// The parameters of the App SDK's `PayReq`, signed with the merchant key at `now`.
    ///
    /// # Errors
    /// As [`Prepaid::jsapi_pay_params`].
    pub fn app_pay_params<R: TryCryptoRng + ?Sized>(
        &self,
        merchant: &Merchant,
        rng: &mut R,
        now: UnixTime,
    ) -> Result<AppPayParams, ApiError> {
        let (id, appid) = self.prepay_id()?;
        let partnerid = self
            .partnerid
            .as_deref()
            .unwrap_or(merchant.mchid().as_str());
        let nonce = Nonce::generate(rng).map_err(|_| ApiError::Rng)?;
        paysign::app(
            rng,
            merchant.signer()?.key(),
            appid,
            partnerid,
            now,
            &nonce,
            id,
        )
        .map_err(ApiError::from)
    }
}

#[derive(Deserialize)]
struct Reply {
    prepay_id: Option<String>,
    h5_url: Option<String>,
    code_url: Option<String>,
}

impl Operation for PrepayRequest {
    type Outcome = Prepaid;
    type ReplyOptions = PrepayReplyOptions;
    /// The reply carries only the payer's next step: nothing to echo.
    const IDENTIFYING: &'static [&'static str] = &[];
    const ENDPOINT: Endpoint<'static> = JSAPI;

    fn endpoint(&self) -> Endpoint<'static> {
        match (self.kind, self.sub_merchant.is_some()) {
            (PrepayKind::Jsapi, false) => JSAPI,
            (PrepayKind::App, false) => APP,
            (PrepayKind::H5, false) => H5,
            (PrepayKind::Native, false) => NATIVE,
            (PrepayKind::Jsapi, true) => PARTNER_JSAPI,
            (PrepayKind::App, true) => PARTNER_APP,
            (PrepayKind::H5, true) => PARTNER_H5,
            (PrepayKind::Native, true) => PARTNER_NATIVE,
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
        let url = format!("{}{}", endpoint.host, self.endpoint().path);
        v3_common::send(merchant, &url, Some(&self.body(merchant)), rng, now)
    }

    fn echoes<'a>(&'a self, _merchant: &'a Merchant) -> Vec<Echo<'a>> {
        Vec::new()
    }

    fn reply_options(&self) -> PrepayReplyOptions {
        let sub = self.sub_merchant.as_ref();
        let sub_appid = sub.and_then(|s| s.sub_appid.clone());
        let appid = match self.kind {
            PrepayKind::Jsapi if !self.payer_is_sub_user() => self.appid.clone(),
            _ => sub_appid.unwrap_or_else(|| self.appid.clone()),
        };
        PrepayReplyOptions {
            kind: Some(self.kind),
            ..PrepayReplyOptions::for_pay_sign(Some(appid), sub.map(|s| s.sub_mchid.clone()))
        }
    }

    fn decode(
        merchant: &Merchant,
        response: ResponseRef<'_>,
        now: UnixTime,
        options: &PrepayReplyOptions,
        echoes: &[Echo<'_>],
    ) -> Result<Prepaid, ApiError> {
        let r: Reply = v3_common::decode(merchant, response, now, None, echoes)?;
        let some = |v: Option<String>| v.filter(|s| !s.is_empty());
        let (prepay, got) = match (some(r.prepay_id), some(r.h5_url), some(r.code_url)) {
            (Some(id), None, None) => (Prepay::PrepayId(id), "prepay_id"),
            (None, Some(url), None) => (Prepay::H5Url(url), "h5_url"),
            (None, None, Some(url)) => (Prepay::CodeUrl(url), "code_url"),
            (None, None, None) => return Err(ApiError::MissingField("prepay_id".to_owned())),
            _ => return Err(ApiError::InvalidField("prepay_id")),
        };
        // The outcome of the endpoint the order was placed at, not another's.
        let expected = options.kind.map(|k| match k {
            PrepayKind::Jsapi | PrepayKind::App => "prepay_id",
            PrepayKind::H5 => "h5_url",
            PrepayKind::Native => "code_url",
        });
        if let Some(field) = expected.filter(|f| *f != got) {
            return Err(ApiError::MissingField(field.to_owned()));
        }
        Ok(Prepaid {
            prepay,
            appid: options.appid.clone(),
            partnerid: options.partnerid.clone(),
        })
    }
}

/// Check a prepay reply without its request (from a log). The pay-sign helpers then need
/// [`Prepaid::appid`] set by hand.
///
/// # Errors
/// As [`Operation::decode`].
pub fn read_reply(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
) -> Result<Prepaid, ApiError> {
    crate::api::read_reply::<PrepayRequest>(merchant, response, now)
}
