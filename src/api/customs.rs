//! 身份信息校验 — `POST https://apihk.mch.weixin.qq.com/v3/global/customs/verify-certificate`
//! (seed 002, SPEC §5).
//!
//! Checks that the buyer declared to customs is the payer. The two personal fields are encrypted
//! with **RSAES-PKCS1-v1_5** (the HK/overseas node's padding, not the v3 default OAEP) under the
//! platform certificate's key, whose serial goes in `Wechatpay-Serial`. Only orders already
//! declared to customs can be checked.
//!
//! ```
//! use wechatpay_sansio::api::customs::{Customs, VerifyCertificateRequest, CheckResult};
//! use wechatpay_sansio::simulator::{Simulator, TestMerchant, v3::V3Script};
//! use wechatpay_sansio::{ids::Nonce, request::ResponseRef, secret::Personal, v3::verify::VerifyOptions};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let merchant = TestMerchant::new();                       // TEST ONLY keys
//! let platform = merchant.store.get_by_header(Simulator::new().platform_serial().as_str()).unwrap();
//! let req = VerifyCertificateRequest {
//!     appid: "wxd678efh567hg6787".into(),
//!     out_trade_no: "20150806125346".into(),
//!     transaction_id: "1000320306201511078440737890".into(),
//!     sub_order_no: None,
//!     customs: Customs::ShanghaiZs,
//!     merchant_customs_no: "123456".into(),
//!     certificate_id: Personal::new("11010519491231002X"),
//!     certificate_name: Personal::new("张三"),
//! };
//! let now = 1_700_000_000;
//! let nonce = Nonce::generate(&mut rng)?;
//! let http_req = req.build(&merchant.signer, platform, &mut rng, now, &nonce)?;
//! // … send it; here the simulator answers …
//! let reply = Simulator::new().handle_v3(&http_req.into_http(), now, &mut rng, &V3Script::default()).unwrap();
//! let outcome = req.parse_reply(&merchant.mchid, ResponseRef::from_http(&reply), &merchant.store, now, &VerifyOptions::default())?;
//! assert_eq!(outcome.certificate_check_result, CheckResult::Same);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::v3_common::{self, V3ApiError};
use crate::api::validate::{self, FieldError};
use crate::cipher::{self, Padding};
use crate::ids::{MchId, Nonce};
use crate::keys::{KeyStore, WechatPayKey};
use crate::request::{Request, ResponseRef};
use crate::secret::Personal;
use crate::v3::auth::MerchantSigner;
use crate::v3::verify::VerifyOptions;
use core::fmt;
use core::str::FromStr;
use rand_core::TryCryptoRng;
use serde::{Deserialize, Serialize};

/// `https://apihk.mch.weixin.qq.com`: the HK node that serves this API.
pub const HOST: &str = "https://apihk.mch.weixin.qq.com";
/// Path of the API.
pub const PATH: &str = "/v3/global/customs/verify-certificate";

macro_rules! open_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $v,)*
            /// A value this crate does not know, kept verbatim.
            Other(String),
        }
        impl $name {
            /// The wire value.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self { $(Self::$v => $s,)* Self::Other(s) => s }
            }
            /// From a wire value (unknown values become `Other`).
            #[must_use]
            pub fn from_wire(s: &str) -> Self {
                match s { $($s => Self::$v,)* other => Self::Other(other.to_owned()) }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

open_enum!(
    /// The customs office (`customs`), per WeChat Pay's customs list.
    Customs {
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

open_enum!(
    /// `certificate_check_result`. The document's own example is `UNchECKED`: such values are
    /// kept in `Other`, never treated as a match.
    CheckResult {
        /// `SAME`: the buyer's identity matches the payer's.
        Same = "SAME",
        /// `DIFFERENT`: it does not.
        Different = "DIFFERENT",
    }
);

/// `certificate_type`: only the mainland ID card is accepted by the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CertificateType {
    /// `IDCARD`.
    #[default]
    IdCard,
}

impl CertificateType {
    /// The wire value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        "IDCARD"
    }
}

impl FromStr for CertificateType {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "IDCARD" => Ok(Self::IdCard),
            _ => Err(FieldError::NotInEnum {
                field: "certificate_type",
                allowed: "IDCARD",
            }),
        }
    }
}

/// The request. `mchid` comes from the signer; `certificate_type` is always `IDCARD`.
#[derive(Debug, Clone)]
pub struct VerifyCertificateRequest {
    /// `appid` (机构APPID), 1–32.
    pub appid: String,
    /// `out_trade_no`, 1–32 of `[0-9A-Za-z_-|*@]`.
    pub out_trade_no: String,
    /// `transaction_id`, 1–32.
    pub transaction_id: String,
    /// `sub_order_no` (机构模式, required when the order was split), 1–32 characters (the
    /// document sets no character set).
    pub sub_order_no: Option<String>,
    /// `customs`.
    pub customs: Customs,
    /// `merchant_customs_no` (商户海关备案号), 1–32.
    pub merchant_customs_no: String,
    /// `certificate_id`: a mainland ID number, trailing `X` upper-case; encrypted.
    pub certificate_id: Personal,
    /// `certificate_name`: the name on the ID; encrypted.
    pub certificate_name: Personal,
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
    validate::length(field, v, 1, 32)?;
    validate::visible_ascii(field, v)
}

impl VerifyCertificateRequest {
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
        validate::mainland_id("certificate_id", self.certificate_id.expose(), true)?;
        validate::length("certificate_name", self.certificate_name.expose(), 1, 64)?;
        validate::no_control("certificate_name", self.certificate_name.expose())
    }

    /// Validate, encrypt the two personal fields (PKCS#1 v1.5) under `platform`, and sign.
    ///
    /// `platform` must be a platform certificate key: the document requires the certificate
    /// serial in `Wechatpay-Serial` (whether the HK node accepts `PUB_KEY_ID_…` is not documented).
    ///
    /// # Errors
    /// [`V3ApiError::Field`], [`V3ApiError::Encrypt`], [`V3ApiError::Request`].
    pub fn build<R: TryCryptoRng + ?Sized>(
        &self,
        signer: &MerchantSigner,
        platform: &WechatPayKey,
        rng: &mut R,
        timestamp: u64,
        nonce: &Nonce,
    ) -> Result<Request, V3ApiError> {
        self.validate()?;
        if platform.id().is_public_key_id() {
            return Err(FieldError::NotInEnum {
                field: "Wechatpay-Serial",
                allowed: "a platform certificate serial (the apihk document names no PUB_KEY_ID_ keys)",
            }
            .into());
        }
        let enc = |field, v: &Personal, rng: &mut R| {
            cipher::encrypt_personal(rng, platform.key(), Padding::Pkcs1v15, v)
                .map_err(|source| V3ApiError::Encrypt { field, source })
        };
        let certificate_id = enc("certificate_id", &self.certificate_id, rng)?;
        let certificate_name = enc("certificate_name", &self.certificate_name, rng)?;
        let body = Body {
            appid: &self.appid,
            mchid: signer.mchid().as_str(),
            out_trade_no: &self.out_trade_no,
            transaction_id: &self.transaction_id,
            sub_order_no: self.sub_order_no.as_deref(),
            customs: self.customs.as_str(),
            merchant_customs_no: &self.merchant_customs_no,
            certificate_type: CertificateType::IdCard.as_str(),
            certificate_id: &certificate_id,
            certificate_name: &certificate_name,
        };
        v3_common::post_json(
            &format!("{HOST}{PATH}"),
            &body,
            platform.id(),
            signer,
            rng,
            timestamp,
            nonce,
        )
    }

    /// Check the reply (see [`parse_reply`]) and that it is about this request: `appid`,
    /// `mchid` (the merchant that signed the request), `out_trade_no` and `transaction_id` are
    /// present (the document lists them) and equal; a `sub_order_no` in the reply (the
    /// document does not list one) must equal the request's.
    ///
    /// # Errors
    /// As [`parse_reply`], plus [`V3ApiError::Mismatch`].
    pub fn parse_reply(
        &self,
        mchid: &MchId,
        response: ResponseRef<'_>,
        store: &KeyStore,
        now: u64,
        options: &VerifyOptions,
    ) -> Result<VerifyCertificateOutcome, V3ApiError> {
        let out = parse_reply(response, store, now, options)?;
        v3_common::same("appid", &self.appid, &out.appid)?;
        v3_common::same("mchid", mchid.as_str(), &out.mchid)?;
        v3_common::same("out_trade_no", &self.out_trade_no, &out.out_trade_no)?;
        v3_common::same("transaction_id", &self.transaction_id, &out.transaction_id)?;
        if out.sub_order_no.is_some() && out.sub_order_no != self.sub_order_no {
            return Err(V3ApiError::Mismatch("sub_order_no"));
        }
        Ok(out)
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

/// Check a reply without a request at hand (e.g. from a log): 2xx replies are verified with
/// `store` at time `now`; other statuses become [`V3ApiError::Api`] with a typed code.
///
/// # Errors
/// [`V3ApiError::Api`], [`V3ApiError::UnreadableError`], [`V3ApiError::Verify`],
/// [`V3ApiError::Json`].
pub fn parse_reply(
    response: ResponseRef<'_>,
    store: &KeyStore,
    now: u64,
    options: &VerifyOptions,
) -> Result<VerifyCertificateOutcome, V3ApiError> {
    let r: Reply = v3_common::decode(response, store, now, options)?;
    Ok(VerifyCertificateOutcome {
        appid: r.appid,
        mchid: r.mchid,
        out_trade_no: r.out_trade_no,
        transaction_id: r.transaction_id,
        sub_order_no: r.sub_order_no,
        certificate_check_result: CheckResult::from_wire(&r.certificate_check_result),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums() {
        assert_eq!(Customs::from_wire("SHANGHAI_ZS"), Customs::ShanghaiZs);
        assert_eq!(Customs::from_wire("XIAMEN").as_str(), "XIAMEN");
        assert_eq!(
            CheckResult::from_wire("UNchECKED"),
            CheckResult::Other("UNchECKED".into())
        );
        assert_eq!(CheckResult::Same.to_string(), "SAME");
        assert_eq!(
            "IDCARD".parse::<CertificateType>(),
            Ok(CertificateType::IdCard)
        );
        assert!("PASSPORT".parse::<CertificateType>().is_err());
    }
}
