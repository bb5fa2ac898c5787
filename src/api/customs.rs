//! 身份信息校验 — `POST https://apihk.mch.weixin.qq.com/v3/global/customs/verify-certificate`
//! (official page: <https://pay.weixin.qq.com/doc/global/v3/zh/4013025128>).
//!
//! Checks that the buyer declared to customs is the payer. The two personal fields are encrypted
//! with **RSAES-PKCS1-v1_5** (the HK/overseas node's padding, not the v3 default OAEP) under the
//! platform certificate valid at the time of the call, whose serial goes in `Wechatpay-Serial`
//! (the document names the certificate serial; a `PUB_KEY_ID_…` key is not used). Only orders
//! already declared to customs can be checked.
//!
//! ```
//! use wechatpay_sansio::api::{Operation, customs::*};
//! use wechatpay_sansio::{request::ResponseRef, secret::Personal, simulator::Simulator, time::UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let sim = Simulator::new();
//! let merchant = sim.merchant();                                      // TEST ONLY keys
//! let now = UnixTime::from_secs(1_767_225_600);
//! let req = VerifyCertificateRequest::new("wxd678efh567hg6787", "20150806125346",
//!     "1000320306201511078440737890", Customs::ShanghaiZs, "123456",
//!     Personal::new("11010519491231002X"), Personal::new("张三"));
//! let http = req.build(&merchant, &mut rng, now)?;
//! // … send it; here the simulator answers …
//! let reply = sim.handle(&http.into_http(), now, &mut rng, &Default::default());
//! let outcome = req.parse_reply(&merchant, ResponseRef::from_http(&reply), now)?;
//! assert_eq!(outcome.certificate_check_result, CheckResult::Same);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::v3_common;
use crate::api::{ApiError, Operation};
use crate::api::{Echo, Endpoint, HttpMethod, Protocol};
use crate::cipher::Padding;
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::secret::Personal;
use crate::time::UnixTime;
use crate::validate::{self, FieldError};
use rand_core::TryCryptoRng;
use serde::{Deserialize, Serialize};

/// `https://apihk.mch.weixin.qq.com`: the HK node that serves this API.
pub const HOST: &str = "https://apihk.mch.weixin.qq.com";
/// Path of the API.
pub const PATH: &str = "/v3/global/customs/verify-certificate";

crate::wire::open_enum!(
    /// The customs office (`customs`), per WeChat Pay's customs list.
    pub enum Customs {
        /// 广州（总署版）
        GuangzhouZs = "GUANGZHOU_ZS",
        /// 杭州（总署版）
        HangzhouZs = "HANGZHOU_ZS",
        /// 宁波
        Ningbo = "NINGBO",
        /// 郑州（保税物流中心）
        ZhengzhouBs = "ZHENGZHOU_BS",
        /// 重庆
        Chongqing = "CHONGQING",
        /// 上海（总署版）
        ShanghaiZs = "SHANGHAI_ZS",
        /// 深圳
        Shenzhen = "SHENZHEN",
        /// 郑州综保（总署版）
        ZhengzhouZhZs = "ZHENGZHOU_ZH_ZS",
        /// 天津
        Tianjin = "TIANJIN",
    }
);

crate::wire::open_enum!(
    /// `certificate_check_result`. The document's own example is `UNchECKED`: such values are
    /// kept in `Other`, never treated as a match.
    pub enum CheckResult {
        /// `SAME`: the buyer's identity matches the payer's.
        Same = "SAME",
        /// `DIFFERENT`: it does not.
        Different = "DIFFERENT",
    }
);

crate::wire::closed_enum!(
    /// `certificate_type`: only the mainland ID card is accepted by the API.
    pub enum CertificateType as "certificate_type" {
        /// `IDCARD`.
        IdCard = "IDCARD",
    }
);

/// The request. `mchid` comes from the [`Merchant`]; `certificate_type` is always `IDCARD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyCertificateRequest {
    /// `appid` (机构APPID), 1–32 visible ASCII.
    pub appid: String,
    /// `out_trade_no`, 1–32 of `[0-9A-Za-z_-|*@]`.
    pub out_trade_no: String,
    /// `transaction_id`, 1–32 visible ASCII.
    pub transaction_id: String,
    /// `customs`.
    pub customs: Customs,
    /// `merchant_customs_no` (商户海关备案号), 1–32 visible ASCII.
    pub merchant_customs_no: String,
    /// `certificate_id`: a mainland ID number, trailing `X` upper-case; encrypted.
    pub certificate_id: Personal,
    /// `certificate_name`: the name on the ID; encrypted.
    pub certificate_name: Personal,
    /// `sub_order_no` (机构模式, required when the order was split), 1–32 characters (the
    /// document sets no character set).
    pub sub_order_no: Option<String>,
}

#[derive(Serialize)]
struct Body<'a> {
    appid: &'a str,
    mchid: &'a str,
    out_trade_no: &'a str,
    transaction_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_order_no: Option<&'a str>,
    customs: &'a str,
    merchant_customs_no: &'a str,
    certificate_type: &'static str,
    certificate_id: &'a str,
    certificate_name: &'a str,
}

fn id_field(field: &'static str, v: &str) -> Result<(), FieldError> {
    validate::token(field, v, 32)
}

impl VerifyCertificateRequest {
    /// A request for an order that was not split (no `sub_order_no`).
    #[must_use]
    pub fn new(
        appid: impl Into<String>,
        out_trade_no: impl Into<String>,
        transaction_id: impl Into<String>,
        customs: Customs,
        merchant_customs_no: impl Into<String>,
        certificate_id: Personal,
        certificate_name: Personal,
    ) -> Self {
        Self {
            appid: appid.into(),
            out_trade_no: out_trade_no.into(),
            transaction_id: transaction_id.into(),
            customs,
            merchant_customs_no: merchant_customs_no.into(),
            certificate_id,
            certificate_name,
            sub_order_no: None,
        }
    }

    /// Check every field before any cryptography.
    ///
    /// # Errors
    /// A [`FieldError`] naming the first bad field (never its value).
    pub fn validate(&self) -> Result<(), FieldError> {
        id_field("appid", &self.appid)?;
        validate::out_trade_no("out_trade_no", &self.out_trade_no)?;
        id_field("transaction_id", &self.transaction_id)?;
        if let Some(s) = &self.sub_order_no {
            // The document gives only a length (string[1,32]); the JSON body carries any text.
            validate::length("sub_order_no", s, 1, 32)?;
        }
        validate::length("customs", self.customs.as_str(), 1, 32)?;
        validate::charset("customs", self.customs.as_str(), "[A-Z0-9_]", |c| {
            c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'
        })?;
        id_field("merchant_customs_no", &self.merchant_customs_no)?;
        validate::mainland_id("certificate_id", self.certificate_id.expose_secret(), true)?;
        validate::length(
            "certificate_name",
            self.certificate_name.expose_secret(),
            1,
            64,
        )?;
        validate::no_control("certificate_name", self.certificate_name.expose_secret())
    }
}

/// This API's description.
pub const ENDPOINT: Endpoint<'static> = Endpoint::new(
    "customs-verify",
    HOST,
    PATH,
    HttpMethod::Post,
    Protocol::V3Json,
);

impl Operation for VerifyCertificateRequest {
    type Outcome = VerifyCertificateOutcome;
    type ReplyOptions = ();
    /// The document lists them in the reply.
    const IDENTIFYING: &'static [&'static str] =
        &["appid", "mchid", "out_trade_no", "transaction_id"];

    const ENDPOINT: Endpoint<'static> = ENDPOINT;

    /// Validate, encrypt the two personal fields (PKCS#1 v1.5) under the merchant's platform
    /// certificate valid at `now` (the newest), and sign.
    ///
    /// `rng` draws the `Authorization` nonce (under every backend) and, under RustCrypto, the
    /// padding and the RSA blinding; under `aws-lc-rs` the RSA operations do not consult it.
    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        endpoint: &Endpoint<'_>,
        merchant: &Merchant,
        rng: &mut R,
        now: UnixTime,
    ) -> Result<Request, ApiError> {
        self.validate()?;
        let platform =
            merchant
                .keys()
                .platform_certificate(now)
                .ok_or(ApiError::NoEncryptionKey(
                    "no platform certificate valid now (this API names the certificate serial; \
                 PUB_KEY_ID_ keys are not used)",
                ))?;
        let enc = |field, v: &Personal, rng: &mut R| {
            v3_common::encrypt(rng, platform, Padding::Pkcs1v15, field, v)
        };
        let certificate_id = enc("certificate_id", &self.certificate_id, rng)?;
        let certificate_name = enc("certificate_name", &self.certificate_name, rng)?;
        let body = Body {
            appid: &self.appid,
            mchid: merchant.mchid().as_str(),
            out_trade_no: &self.out_trade_no,
            transaction_id: &self.transaction_id,
            sub_order_no: self.sub_order_no.as_deref(),
            customs: self.customs.as_str(),
            merchant_customs_no: &self.merchant_customs_no,
            certificate_type: CertificateType::IdCard.as_str(),
            certificate_id: &certificate_id,
            certificate_name: &certificate_name,
        };
        v3_common::post_json(merchant, &endpoint.url(), &body, platform, rng, now)
    }

    /// `appid`, `mchid` (the merchant), `out_trade_no` and `transaction_id` equal to the
    /// request's; a `sub_order_no` in the reply (the document does not list one) must equal the
    /// request's.
    fn echoes<'a>(&'a self, merchant: &'a Merchant) -> Vec<Echo<'a>> {
        vec![
            Echo::equal("appid", &self.appid),
            Echo::equal("mchid", merchant.mchid().as_str()),
            Echo::equal("out_trade_no", &self.out_trade_no),
            Echo::equal("transaction_id", &self.transaction_id),
            Echo::equal_if_present("sub_order_no", self.sub_order_no.as_deref()),
        ]
    }

    /// A 2xx reply is verified with the merchant's keys at `now` and must carry every
    /// documented field; other statuses are WeChat Pay's failure answer with a typed code.
    fn decode(
        merchant: &Merchant,
        response: ResponseRef<'_>,
        now: UnixTime,
        (): &(),
        echoes: &[Echo<'_>],
    ) -> Result<VerifyCertificateOutcome, ApiError> {
        let r: Reply = v3_common::decode(merchant, response, now, Some(PATH), echoes)?;
        Ok(VerifyCertificateOutcome {
            appid: r.appid,
            mchid: r.mchid,
            out_trade_no: r.out_trade_no,
            transaction_id: r.transaction_id,
            sub_order_no: r.sub_order_no,
            certificate_check_result: CheckResult::from_wire(&r.certificate_check_result),
        })
    }
}

/// The checked outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyCertificateOutcome {
    /// `appid`.
    pub appid: String,
    /// `mchid`.
    pub mchid: String,
    /// `out_trade_no`.
    pub out_trade_no: String,
    /// `transaction_id`.
    pub transaction_id: String,
    /// `sub_order_no`, when present.
    pub sub_order_no: Option<String>,
    /// `certificate_check_result`.
    pub certificate_check_result: CheckResult,
}

impl VerifyCertificateOutcome {
    /// Whether the buyer's identity was confirmed (`SAME`); unknown values are not a match.
    #[must_use]
    pub fn is_same(&self) -> bool {
        self.certificate_check_result == CheckResult::Same
    }
}

#[derive(Deserialize)]
struct Reply {
    appid: String,
    mchid: String,
    out_trade_no: String,
    transaction_id: String,
    #[serde(default)]
    sub_order_no: Option<String>,
    certificate_check_result: String,
}

/// Check a reply without the request at hand (e.g. from a log): a 2xx reply is verified with the
/// merchant's keys at `now` and must carry every documented field; other statuses become
/// [`ApiError::V3Reply`] with a typed code ([`ApiError::failure`]). Compare the ids with your order yourself.
///
/// # Errors
/// WeChat Pay's failure answer ([`ApiError::failure`]), [`ApiError::V3Reply`] (`UnreadableError`), [`ApiError::V3Reply`] (`Verify`),
/// [`ApiError::Json`].
pub fn read_reply(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
) -> Result<VerifyCertificateOutcome, ApiError> {
    crate::api::read_reply::<VerifyCertificateRequest>(merchant, response, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customs_not_configured_is_keyed_by_this_path() {
        // The v3 table of per-endpoint meanings names this path (it cannot import it).
        use crate::error::Disposition;
        use crate::v3::response::{ErrorBody, ErrorReply};
        let body = r#"{"code":"INVALID_REQUEST","message":"海关配置未设置"}"#;
        let reply = ErrorReply::new(400, ErrorBody::parse(body.as_bytes()).unwrap());
        assert_eq!(reply.disposition(), Disposition::Rejected);
        let reply = reply.with_endpoint(PATH);
        assert_eq!(reply.disposition(), Disposition::Misconfigured);
    }

    #[test]
    fn enums() {
        assert_eq!(Customs::from_wire("SHANGHAI_ZS"), Customs::ShanghaiZs);
        assert_eq!(Customs::from_wire("XIAMEN").as_str(), "XIAMEN");
        assert_eq!(
            CheckResult::from_wire("UNchECKED"),
            CheckResult::Other("UNchECKED".into())
        );
        assert_eq!(CheckResult::Same.to_string(), "SAME");
        assert_eq!("IDCARD".parse(), Ok(CertificateType::IdCard));
        assert!("PASSPORT".parse::<CertificateType>().is_err());
    }
}
