//! 事前-风险商户核查 — `POST https://api.mch.weixin.qq.com/mchrisk/querymchrisk` (official page:
//! <https://pay.weixin.qq.com/doc/v2/institution/4011985625>): before onboarding a sub-merchant,
//! a bank/service provider asks whether the person, card or licence is known as risky.
//!
//! - mutual TLS (the built [`Request`] says so);
//! - signed with **HMAC-SHA256 only** (`sign_type` sent and signed);
//! - `certificates_number`, `certificates_name`, `settlement_card_no`, `settlement_card_name`,
//!   `business_license_number` are encrypted with RSAES-OAEP (SHA-1, MGF1-SHA-1) under the key
//!   from [`crate::api::getpublickey`] (kept in the [`Merchant`]: [`Merchant::with_risk_key`]),
//!   then base64 (344 characters). A stale key shows up as a failure whose
//!   [`ApiError::is_key_rejected`] is true: fetch the key again;
//! - the reply is **unsigned** (WeChat Pay never signs it; a missing `sign` is not an error),
//!   and must carry `result_code` and `mch_id` equal to the merchant's.
//!
//! ```
//! use wechatpay_sansio::api::{Operation, querymchrisk::{QueryMchRiskRequest, RiskLevel}};
//! use wechatpay_sansio::{request::ResponseRef, secret::Personal, simulator::Simulator, time::UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let sim = Simulator::new();
//! let merchant = sim.merchant();                           // TEST ONLY keys, risk key included
//! let now = UnixTime::from_secs(1_767_225_600);
//! let mut req = QueryMchRiskRequest::new();
//! req.certificates_number = Some(Personal::new("11010519491231002X"));
//! req.company_name = Some("XXXXX有限公司".into());
//! let http = req.build(&merchant, &mut rng, now)?;
//! assert!(http.requires_client_certificate());
//! let body = std::str::from_utf8(http.body())?;
//! assert!(body.contains("<sign_type>HMAC-SHA256</sign_type>"));
//! assert!(!body.contains("11010519491231002X")); // encrypted
//! let reply = sim.handle(&http.into_http(), now, &mut rng, &Default::default());
//! let out = req.parse_reply(&merchant, ResponseRef::from_http(&reply), now)?;
//! assert_eq!(out.risk_level, RiskLevel::Low);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::v2_common;
use crate::api::{ApiError, Operation};
use crate::api::{Echo, Endpoint, HttpMethod, Protocol};
use crate::cipher::{self, Padding};
use crate::ids::Nonce;
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::secret::Personal;
use crate::time::UnixTime;
use crate::v2::SignType;
use crate::v2::reply::Expect;
use crate::v2::request::post_xml;
use crate::validate::{self, FieldError};
use core::fmt;
use rand_core::TryCryptoRng;
use zeroize::Zeroizing;

/// Path of the endpoint.
pub const PATH: &str = "/mchrisk/querymchrisk";

/// The fields the official page asks for "at least one" of ("该接口需要提供以下信息至少一种，提供的
/// 信息越多，查询结果越准确"), while its field table marks every one optional. Checked only by the
/// opt-in [`QueryMchRiskRequest::require_identifying_field`], never by [`QueryMchRiskRequest::validate`].
pub const IDENTIFYING_FIELDS: &str = "certificates_number, certificates_name, settlement_card_no, \
     settlement_card_name, business_license_number, company_name";

crate::wire::open_enum!(
    /// `risk_level`. The official list is truncated in every stored copy of the document: `LOW`,
    /// `UNKNOW` (sic) and `FORBIDDEN` are confirmed; anything else (a `HIGH` level is implied by
    /// the example text "建议不让高风险商户进件") is kept verbatim as `Other`.
    ///
    /// ```
    /// use wechatpay_sansio::api::querymchrisk::RiskLevel;
    /// assert_eq!(RiskLevel::from_wire("UNKNOW"), RiskLevel::Unknown);
    /// assert_eq!(RiskLevel::from_wire("HIGH"), RiskLevel::Other("HIGH".into()));
    /// ```
    pub enum RiskLevel {
        /// `LOW` 低风险.
        Low = "LOW",
        /// `UNKNOW` (sic) 未知风险.
        Unknown = "UNKNOW",
        /// `FORBIDDEN` 禁入 — do not onboard.
        Forbidden = "FORBIDDEN",
    }
);

/// A `querymchrisk` request: every business field is optional (the more are given, the more
/// accurate the answer); fields left `None` (or empty) are not sent. `mch_id` (服务商号) comes
/// from the [`Merchant`], `nonce_str` from the RNG.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryMchRiskRequest {
    /// 平台证书序列号 (its role is undocumented; at most 32 visible ASCII).
    pub cert_serial_number: Option<String>,
    /// 身份证号, encrypted: an 18-character mainland ID number (GB 11643-1999, upper-case `X`).
    pub certificates_number: Option<Personal>,
    /// 身份证所有人姓名, encrypted (at most 64 characters).
    pub certificates_name: Option<Personal>,
    /// 结算账号, encrypted (bank card / account number: 1–32 digits).
    pub settlement_card_no: Option<Personal>,
    /// 结算户名, encrypted (at most 64 characters).
    pub settlement_card_name: Option<Personal>,
    /// 结算银行 (at most 128 characters).
    pub settlement_card_bank: Option<String>,
    /// 营业执照编号, encrypted (at most 64 visible ASCII: an 18-character unified social credit
    /// code or an older 15-digit number).
    pub business_license_number: Option<Personal>,
    /// 公司名称 (at most 128 characters).
    pub company_name: Option<String>,
    /// 门店地址 (at most 256 characters).
    pub store_address: Option<String>,
    /// 门店经度, decimal degrees (at most 32 of `[0-9.+-]`; not range-checked: the official
    /// example swaps longitude and latitude).
    pub store_longitude: Option<String>,
    /// 门店纬度, decimal degrees (as `store_longitude`).
    pub store_latitude: Option<String>,
}

fn given(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.is_empty())
}

fn personal_given(v: &Option<Personal>) -> Option<&str> {
    given(v.as_ref().map(Personal::expose_secret))
}

fn coordinate(field: &'static str, v: Option<&str>) -> Result<(), FieldError> {
    if let Some(v) = given(v) {
        validate::length(field, v, 1, 32)?;
        validate::charset(field, v, "[0-9.+-]", |c| {
            c.is_ascii_digit() || matches!(c, '.' | '+' | '-')
        })?;
    }
    Ok(())
}

impl QueryMchRiskRequest {
    /// A request with no business field yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn personal(&self) -> [(&'static str, Option<&Personal>); 5] {
        [
            ("certificates_number", self.certificates_number.as_ref()),
            ("certificates_name", self.certificates_name.as_ref()),
            ("settlement_card_no", self.settlement_card_no.as_ref()),
            ("settlement_card_name", self.settlement_card_name.as_ref()),
            (
                "business_license_number",
                self.business_license_number.as_ref(),
            ),
        ]
    }

    /// Check every field (runs before any encryption or signing).
    ///
    /// # Errors
    /// [`FieldError`] naming the first invalid field.
    pub fn validate(&self) -> Result<(), FieldError> {
        if let Some(v) = given(self.cert_serial_number.as_deref()) {
            validate::token("cert_serial_number", v, 32)?;
        }
        if let Some(v) = personal_given(&self.certificates_number) {
            validate::mainland_id("certificates_number", v, true)?;
        }
        if let Some(v) = personal_given(&self.certificates_name) {
            validate::text("certificates_name", v, 1, 64)?;
        }
        if let Some(v) = personal_given(&self.settlement_card_no) {
            validate::length("settlement_card_no", v, 1, 32)?;
            validate::charset("settlement_card_no", v, "ASCII digits", |c| {
                c.is_ascii_digit()
            })?;
        }
        if let Some(v) = personal_given(&self.settlement_card_name) {
            validate::text("settlement_card_name", v, 1, 64)?;
        }
        if let Some(v) = given(self.settlement_card_bank.as_deref()) {
            validate::text("settlement_card_bank", v, 1, 128)?;
        }
        if let Some(v) = personal_given(&self.business_license_number) {
            validate::token("business_license_number", v, 64)?;
        }
        if let Some(v) = given(self.company_name.as_deref()) {
            validate::text("company_name", v, 1, 128)?;
        }
        if let Some(v) = given(self.store_address.as_deref()) {
            validate::text("store_address", v, 1, 256)?;
        }
        coordinate("store_longitude", self.store_longitude.as_deref())?;
        coordinate("store_latitude", self.store_latitude.as_deref())
    }

    /// Opt-in check that at least one identifying field ([`IDENTIFYING_FIELDS`]) is given, as the
    /// prose of the official page asks (its field table marks them all optional, so
    /// [`validate`](Self::validate) and [`build`](Self::build) do not require it).
    ///
    /// # Errors
    /// [`FieldError::NoneOf`].
    pub fn require_identifying_field(&self) -> Result<(), FieldError> {
        let any = self
            .personal()
            .iter()
            .any(|(_, v)| v.is_some_and(|v| !v.is_empty()))
            || given(self.company_name.as_deref()).is_some();
        if any {
            Ok(())
        } else {
            Err(FieldError::NoneOf {
                fields: IDENTIFYING_FIELDS,
            })
        }
    }
}

/// This API's description.
pub const ENDPOINT: Endpoint<'static> = Endpoint::new(
    "querymchrisk",
    "https://api.mch.weixin.qq.com",
    PATH,
    HttpMethod::Post,
    Protocol::V2Xml {
        signed_reply: false,
        client_certificate: true,
    },
);

impl Operation for QueryMchRiskRequest {
    type Outcome = MchRiskOutcome;
    type ReplyOptions = ();
    /// The seed's reply table lists `mch_id` (服务商号).
    const IDENTIFYING: &'static [&'static str] = &["mch_id"];

    const ENDPOINT: Endpoint<'static> = ENDPOINT;

    /// Validate, encrypt the sensitive fields with the merchant's risk key (OAEP-SHA1; `rng`
    /// draws the padding under RustCrypto, not under `aws-lc-rs`, and the nonce), and build the
    /// HMAC-SHA256-signed XML POST, flagged as requiring the client certificate.
    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        endpoint: &Endpoint<'_>,
        merchant: &Merchant,
        rng: &mut R,
        _now: UnixTime,
    ) -> Result<Request, ApiError> {
        self.validate()?;
        let key = merchant.api_v2_key()?;
        let risk_key = merchant.risk_key()?;
        let mut encrypted: Vec<(&'static str, Zeroizing<String>)> = Vec::new();
        for (field, value) in self.personal() {
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                let ct = cipher::encrypt_personal(rng, risk_key, Padding::Oaep, v)
                    .map_err(|source| ApiError::Encrypt { field, source })?;
                encrypted.push((field, Zeroizing::new(ct)));
            }
        }
        let nonce = Nonce::generate(rng).map_err(|_| ApiError::Rng)?;
        let mut params: Vec<(&str, &str)> = vec![
            ("mch_id", merchant.mchid().as_str()),
            ("nonce_str", nonce.as_str()),
            ("sign_type", SignType::HmacSha256.as_str()),
        ];
        params.extend(encrypted.iter().map(|(k, v)| (*k, v.as_str())));
        for (k, v) in [
            ("cert_serial_number", &self.cert_serial_number),
            ("settlement_card_bank", &self.settlement_card_bank),
            ("company_name", &self.company_name),
            ("store_address", &self.store_address),
            ("store_longitude", &self.store_longitude),
            ("store_latitude", &self.store_latitude),
        ] {
            if let Some(v) = given(v.as_deref()) {
                params.push((k, v));
            }
        }
        Ok(post_xml(
            &endpoint.url(),
            &params,
            key,
            SignType::HmacSha256,
            endpoint.requires_client_certificate(),
        )?)
    }

    /// `mch_id` equal to the merchant's.
    fn echoes<'a>(&'a self, merchant: &'a Merchant) -> Vec<Echo<'a>> {
        vec![Echo::equal("mch_id", merchant.mchid().as_str())]
    }

    /// The unsigned reply: status, XML, `return_code`, `result_code` required, the echoes,
    /// then the risk level.
    fn decode(
        _merchant: &Merchant,
        response: ResponseRef<'_>,
        _now: UnixTime,
        (): &(),
        echoes: &[Echo<'_>],
    ) -> Result<MchRiskOutcome, ApiError> {
        parse_checked(&response, &Expect::unsigned(), echoes)
    }
}

/// Check an unsigned reply without the request at hand (e.g. one copied from a log): status,
/// XML, `return_code`, `result_code`, `mch_id` present, then read the risk level. Unlike
/// [`Operation::parse_reply`], `mch_id` is not compared with the merchant's (compare
/// [`MchRiskOutcome::mch_id`] yourself).
///
/// # Errors
/// [`ApiError::HttpStatus`], [`ApiError::V2Reply`] (`Xml`), WeChat Pay's failure answer ([`ApiError::failure`]),
/// [`ApiError::MissingField`].
pub fn read_reply(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
) -> Result<MchRiskOutcome, ApiError> {
    crate::api::read_reply::<QueryMchRiskRequest>(merchant, response, now)
}

fn parse_checked(
    response: &ResponseRef<'_>,
    expect: &Expect<'_>,
    echoes: &[Echo<'_>],
) -> Result<MchRiskOutcome, ApiError> {
    // Unsigned endpoint: no key takes part.
    v2_common::xml_reply(response, None, expect, echoes, |r| {
        let risk_level = r
            .strict("risk_level")
            .map(RiskLevel::from_wire)
            .ok_or_else(|| ApiError::MissingField("risk_level".into()))?;
        Ok(MchRiskOutcome {
            mch_id: r.strict("mch_id").unwrap_or_default().to_owned(),
            risk_level,
            risk_level_desc: r.text("risk_level_desc").unwrap_or_default().to_owned(),
        })
    })
}

/// The answer of `querymchrisk`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MchRiskOutcome {
    /// 服务商号, as echoed (present in every success reply).
    pub mch_id: String,
    /// 风险级别.
    pub risk_level: RiskLevel,
    /// 风险描述 (complaint information about risky transactions; may be empty).
    pub risk_level_desc: String,
}

impl fmt::Display for MchRiskOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.risk_level, self.risk_level_desc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merchant::NotConfigured;
    use rand_core::SeedableRng;

    #[test]
    fn build_error_is_reported() {
        let pk = crate::keys::PublicKey::from_pem(include_str!(
            "../../tests/data/getpublickey_pkcs1.pem"
        ))
        .unwrap();
        let merchant = Merchant::new("1900000109")
            .unwrap()
            .with_api_v2_key(
                crate::secret::ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap(),
            )
            .with_risk_key(pk);
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let mut req = QueryMchRiskRequest::new();
        req.company_name = Some("X".into());
        assert!(matches!(
            req.build_at(
                &ENDPOINT.at("http://x"),
                &merchant,
                &mut rng,
                crate::time::UnixTime::from_secs(0)
            ),
            Err(ApiError::V2Request(_))
        ));
        let no_key = Merchant::new("1900000109").unwrap().with_api_v2_key(
            crate::secret::ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap(),
        );
        assert_eq!(
            req.build_at(
                &ENDPOINT,
                &no_key,
                &mut rng,
                crate::time::UnixTime::from_secs(0)
            )
            .unwrap_err(),
            ApiError::NotConfigured(NotConfigured("risk key (from risk/getpublickey)"))
        );
        let o = MchRiskOutcome {
            mch_id: "1".into(),
            risk_level: RiskLevel::Low,
            risk_level_desc: "低风险".into(),
        };
        assert_eq!(o.to_string(), "LOW (低风险)");
    }
}
