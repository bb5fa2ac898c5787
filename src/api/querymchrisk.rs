//! 事前-风险商户核查 — `POST https://api.mch.weixin.qq.com/mchrisk/querymchrisk` (seed 004,
//! SPEC §7): before onboarding a sub-merchant, a bank/service provider asks whether the
//! person, card or licence is known as risky.
//!
//! - mutual TLS (the built [`Request`] says so);
//! - signed with **HMAC-SHA256 only** (`sign_type` sent and signed);
//! - `certificates_number`, `certificates_name`, `settlement_card_no`, `settlement_card_name`,
//!   `business_license_number` are encrypted with RSAES-OAEP (SHA-1, MGF1-SHA-1) under the key
//!   from [`crate::api::getpublickey`], then base64 (344 characters);
//! - the reply is **unsigned** (WeChat Pay never signs it; a missing `sign` is not an error).
//!
//! ```
//! use wechatpay_sansio::api::querymchrisk::{QueryMchRiskRequest, RiskLevel};
//! use wechatpay_sansio::{ids::{MchId, Nonce}, keys::PublicKey, secret::{ApiV2Key, Personal}};
//! # use rand_core::SeedableRng;
//! # let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?; // example key from the v2 docs
//! let risk_key = PublicKey::from_pem(include_str!("../../tests/data/getpublickey_pkcs1.pem"))?;
//! let mut req = QueryMchRiskRequest::new(MchId::new("1900000109")?, Nonce::new("C380BEC2BFD787A4B6845227519F3AD6")?);
//! req.certificates_number = Some(Personal::new("11010519491231002X"));
//! req.company_name = Some("XXXXX有限公司".into());
//! let http = req.build(&key, &risk_key, &mut rng)?;
//! assert!(http.requires_client_certificate());
//! let body = std::str::from_utf8(http.body())?;
//! assert!(body.contains("<sign_type>HMAC-SHA256</sign_type>"));
//! assert!(!body.contains("11010519491231002X")); // encrypted
//!
//! let reply = "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code>\
//!              <mch_id>1900000109</mch_id><risk_level>LOW</risk_level><risk_level_desc>低风险</risk_level_desc></xml>";
//! let headers = http::HeaderMap::new();
//! let out = req.parse_reply(wechatpay_sansio::request::ResponseRef::new(
//!     http::StatusCode::OK, &headers, reply.as_bytes()))?;
//! assert_eq!(out.risk_level, RiskLevel::Low);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::realnameauth::open_enum;
use crate::api::v2_common;
use crate::api::validate::{self, FieldError};
use crate::cipher::{self, CipherError, Padding};
use crate::ids::{MchId, Nonce};
use crate::keys::PublicKey;
use crate::request::{Request, ResponseRef};
use crate::secret::{ApiV2Key, Personal};
use crate::v2::SignType;
use crate::v2::reply::{self, Expect, ReplyError};
use crate::v2::request::{V2RequestError, post_xml};
use crate::v2::xml::{self, XmlLimits};
use core::fmt;
use rand_core::TryCryptoRng;
use zeroize::Zeroizing;

/// Path of the endpoint.
pub const PATH: &str = "/mchrisk/querymchrisk";
/// URL of the endpoint.
pub const URL: &str = "https://api.mch.weixin.qq.com/mchrisk/querymchrisk";

/// The fields the official page asks for "at least one" of ("该接口需要提供以下信息至少一种，提供的
/// 信息越多，查询结果越准确"), while its field table marks every one optional. Checked only by the
/// opt-in [`QueryMchRiskRequest::require_identifying_field`], never by [`QueryMchRiskRequest::validate`].
pub const IDENTIFYING_FIELDS: &str = "certificates_number, certificates_name, settlement_card_no, \
     settlement_card_name, business_license_number, company_name";

open_enum!(
    /// `risk_level`. The official list is truncated in every stored copy of the document: `LOW`,
    /// `UNKNOW` (sic) and `FORBIDDEN` are confirmed; anything else (a `HIGH` level is implied by
    /// the example text "建议不让高风险商户进件") is kept verbatim as `Other`.
    ///
    /// ```
    /// use wechatpay_sansio::api::querymchrisk::RiskLevel;
    /// assert_eq!(RiskLevel::from_wire("UNKNOW"), RiskLevel::Unknown);
    /// assert_eq!(RiskLevel::from_wire("HIGH"), RiskLevel::Other("HIGH".into()));
    /// ```
    RiskLevel {
        /// `LOW` 低风险.
        Low = "LOW",
        /// `UNKNOW` (sic) 未知风险.
        Unknown = "UNKNOW",
        /// `FORBIDDEN` 禁入 — do not onboard.
        Forbidden = "FORBIDDEN",
    }
);

/// Why `querymchrisk` could not be built or its reply not accepted. Never carries personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryMchRiskError {
    /// A request field is invalid.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// Encrypting a field failed.
    #[error("encrypting {field}: {source}")]
    Encrypt {
        /// The field.
        field: &'static str,
        /// Why.
        source: CipherError,
    },
    /// The signed request could not be built.
    #[error("building the request: {0}")]
    Build(#[from] V2RequestError),
    /// The reply has an HTTP status outside 2xx.
    #[error("HTTP status {0} (v2 replies come with 200)")]
    HttpStatus(u16),
    /// The reply is not valid XML or has `return_code` FAIL.
    #[error("querymchrisk reply: {0}")]
    Reply(ReplyError),
    /// `result_code` FAIL.
    #[error("querymchrisk failed: err_code {}: {}",
        err_code.as_deref().unwrap_or("-"), err_code_des.as_deref().unwrap_or(""))]
    Business {
        /// `err_code`.
        err_code: Option<String>,
        /// `err_code_des`.
        err_code_des: Option<String>,
    },
    /// `risk_level` is missing. (A missing or differing `mch_id` is [`ReplyError::MissingField`]
    /// / [`ReplyError::Mismatch`].)
    #[error("the reply has no {0}")]
    MissingReplyField(&'static str),
}

impl From<ReplyError> for QueryMchRiskError {
    fn from(e: ReplyError) -> Self {
        match e {
            ReplyError::BusinessFail {
                err_code,
                err_code_des,
            } => Self::Business {
                err_code,
                err_code_des,
            },
            e => Self::Reply(e),
        }
    }
}

/// A `querymchrisk` request. Optional fields left `None` (or empty) are not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryMchRiskRequest {
    /// 服务商号.
    pub mch_id: MchId,
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
    /// `nonce_str`.
    pub nonce_str: Nonce,
}

fn given(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.is_empty())
}

fn personal_given(v: &Option<Personal>) -> Option<&str> {
    given(v.as_ref().map(Personal::expose))
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
    /// A request with only the required fields (every business field is optional; the more are
    /// given, the more accurate the answer).
    #[must_use]
    pub fn new(mch_id: MchId, nonce_str: Nonce) -> Self {
        Self {
            mch_id,
            cert_serial_number: None,
            certificates_number: None,
            certificates_name: None,
            settlement_card_no: None,
            settlement_card_name: None,
            settlement_card_bank: None,
            business_license_number: None,
            company_name: None,
            store_address: None,
            store_longitude: None,
            store_latitude: None,
            nonce_str,
        }
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
            v2_common::token("cert_serial_number", v, 32)?;
        }
        if let Some(v) = personal_given(&self.certificates_number) {
            validate::mainland_id("certificates_number", v, true)?;
        }
        if let Some(v) = personal_given(&self.certificates_name) {
            v2_common::text("certificates_name", v, 1, 64)?;
        }
        if let Some(v) = personal_given(&self.settlement_card_no) {
            validate::length("settlement_card_no", v, 1, 32)?;
            validate::charset("settlement_card_no", v, "ASCII digits", |c| {
                c.is_ascii_digit()
            })?;
        }
        if let Some(v) = personal_given(&self.settlement_card_name) {
            v2_common::text("settlement_card_name", v, 1, 64)?;
        }
        if let Some(v) = given(self.settlement_card_bank.as_deref()) {
            v2_common::text("settlement_card_bank", v, 1, 128)?;
        }
        if let Some(v) = personal_given(&self.business_license_number) {
            v2_common::token("business_license_number", v, 64)?;
        }
        if let Some(v) = given(self.company_name.as_deref()) {
            v2_common::text("company_name", v, 1, 128)?;
        }
        if let Some(v) = given(self.store_address.as_deref()) {
            v2_common::text("store_address", v, 1, 256)?;
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

    /// Validate, encrypt the five sensitive fields with `risk_key` (OAEP-SHA1), and build the
    /// HMAC-SHA256-signed XML POST to [`URL`], flagged as requiring the client certificate.
    ///
    /// # Errors
    /// [`QueryMchRiskError::Field`], [`QueryMchRiskError::Encrypt`], [`QueryMchRiskError::Build`].
    pub fn build<R: TryCryptoRng + ?Sized>(
        &self,
        key: &ApiV2Key,
        risk_key: &PublicKey,
        rng: &mut R,
    ) -> Result<Request, QueryMchRiskError> {
        self.validate()?;
        self.build_at(URL, key, risk_key, rng)
    }

    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        url: &str,
        key: &ApiV2Key,
        risk_key: &PublicKey,
        rng: &mut R,
    ) -> Result<Request, QueryMchRiskError> {
        let mut encrypted: Vec<(&'static str, Zeroizing<String>)> = Vec::new();
        for (field, value) in self.personal() {
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                let ct = cipher::encrypt_personal(rng, risk_key, Padding::Oaep, v)
                    .map_err(|source| QueryMchRiskError::Encrypt { field, source })?;
                encrypted.push((field, Zeroizing::new(ct)));
            }
        }
        let mut params: Vec<(&str, &str)> = vec![
            ("mch_id", self.mch_id.as_str()),
            ("nonce_str", self.nonce_str.as_str()),
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
        Ok(post_xml(url, &params, key, SignType::HmacSha256, true)?)
    }

    /// Check the unsigned reply (status, XML, `return_code`, `result_code` required, `mch_id`
    /// present and equal to this request's) and read the risk level.
    ///
    /// # Errors
    /// See [`QueryMchRiskError`].
    pub fn parse_reply(
        &self,
        response: ResponseRef<'_>,
    ) -> Result<MchRiskOutcome, QueryMchRiskError> {
        parse_checked(
            response,
            &Expect::unsigned().echo(&[("mch_id", self.mch_id.as_str())]),
        )
    }
}

/// Check an unsigned reply without the request at hand (e.g. one copied from a log): status,
/// XML, `return_code`, `result_code`, `mch_id` present, then read the risk level. Unlike
/// [`QueryMchRiskRequest::parse_reply`], `mch_id` is not compared with anything (compare
/// [`MchRiskOutcome::mch_id`] yourself).
///
/// ```
/// use wechatpay_sansio::api::querymchrisk::{self, QueryMchRiskError, RiskLevel};
/// use wechatpay_sansio::request::ResponseRef;
/// let headers = http::HeaderMap::new();
/// let body = b"<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code>\
///              <mch_id>1900000109</mch_id><risk_level>UNKNOW</risk_level></xml>";
/// let out = querymchrisk::parse_reply(ResponseRef::new(http::StatusCode::OK, &headers, body))?;
/// assert_eq!((out.mch_id.as_str(), out.risk_level), ("1900000109", RiskLevel::Unknown));
/// let fail = b"<xml><return_code>SUCCESS</return_code><result_code>FAIL</result_code>\
///              <err_code>PARAM_ERROR</err_code></xml>";
/// assert!(matches!(querymchrisk::parse_reply(ResponseRef::new(http::StatusCode::OK, &headers, fail)),
///                  Err(QueryMchRiskError::Business { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`QueryMchRiskError::HttpStatus`], [`QueryMchRiskError::Reply`],
/// [`QueryMchRiskError::Business`], [`QueryMchRiskError::MissingReplyField`].
pub fn parse_reply(response: ResponseRef<'_>) -> Result<MchRiskOutcome, QueryMchRiskError> {
    parse_checked(response, &Expect::unsigned().require(&["mch_id"]))
}

fn parse_checked(
    response: ResponseRef<'_>,
    expect: &Expect<'_>,
) -> Result<MchRiskOutcome, QueryMchRiskError> {
    v2_common::success_status(response.status).map_err(QueryMchRiskError::HttpStatus)?;
    let fields = xml::parse_with_limits(response.body, &XmlLimits::default())
        .map_err(|e| QueryMchRiskError::Reply(e.into()))?;
    // Unsigned endpoint: no key takes part.
    reply::check_unsigned(&fields, expect)?;
    let risk_level = fields
        .get_non_empty("risk_level")
        .map(RiskLevel::from_wire)
        .ok_or(QueryMchRiskError::MissingReplyField("risk_level"))?;
    Ok(MchRiskOutcome {
        mch_id: fields.get("mch_id").unwrap_or_default().to_owned(),
        risk_level,
        risk_level_desc: fields.get("risk_level_desc").unwrap_or_default().to_owned(),
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
    use rand_core::SeedableRng;

    #[test]
    fn build_error_is_reported() {
        let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
        let pk =
            PublicKey::from_pem(include_str!("../../tests/data/getpublickey_pkcs1.pem")).unwrap();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let mut req =
            QueryMchRiskRequest::new(MchId::new("1900000109").unwrap(), Nonce::new("n").unwrap());
        req.company_name = Some("X".into());
        assert!(matches!(
            req.build_at("http://x/", &key, &pk, &mut rng),
            Err(QueryMchRiskError::Build(_))
        ));
        let o = MchRiskOutcome {
            mch_id: "1".into(),
            risk_level: RiskLevel::Low,
            risk_level_desc: "低风险".into(),
        };
        assert_eq!(o.to_string(), "LOW (低风险)");
    }
}
