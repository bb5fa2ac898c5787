//! 预签约(需要实名验证) — `POST https://api.mch.weixin.qq.com/v3/ecommerce/individual-contracts/pre-entrust-sign-with-real-name-identity/{mini-program|app}`
//! (seed 003, SPEC §6).
//!
//! An e-commerce platform pre-registers a contract for a user; the user can sign only if their
//! WeChat Pay real-name identity equals `real_name` / `cred_id`, which are encrypted with the v3
//! default **RSAES-OAEP (SHA-1)** under a WeChat Pay public key (`PUB_KEY_ID_…`) or a platform
//! certificate; that key's id goes in `Wechatpay-Serial`.
//!
//! ```
//! use wechatpay_sansio::api::pre_entrust::{PreEntrustSignRequest, Scene};
//! use wechatpay_sansio::simulator::{Simulator, TestMerchant, v3::V3Script};
//! use wechatpay_sansio::{ids::Nonce, request::ResponseRef, secret::Personal, v3::verify::VerifyOptions};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let merchant = TestMerchant::new();                                   // TEST ONLY keys
//! let now = 1_700_000_000;
//! let key = merchant.store.encryption_key(now).unwrap();                // the PUB_KEY_ID_ key
//! let req = PreEntrustSignRequest::mini_program("wxd678efh567h23787", "APPLYMENT_00000000001",
//!     "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", Personal::new("张三"), Personal::new("11010519491231002X"));
//! let nonce = Nonce::generate(&mut rng)?;
//! let http_req = req.build(&merchant.signer, key, &mut rng, now, &nonce)?;
//! assert_eq!(http_req.headers()["wechatpay-serial"], key.id().as_str());
//! let reply = Simulator::new().handle_v3(&http_req.into_http(), now, &mut rng, &V3Script::default()).unwrap();
//! let out = req.parse_reply(ResponseRef::from_http(&reply), &merchant.store, now, &VerifyOptions::default())?;
//! assert!(!out.pre_entrustweb_id.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::v3_common::{self, V3ApiError};
use crate::api::validate::{self, FieldError};
use crate::cipher::{self, Padding};
use crate::ids::Nonce;
use crate::keys::{KeyStore, WechatPayKey};
use crate::request::{Request, ResponseRef};
use crate::secret::Personal;
use crate::v3::auth::MerchantSigner;
use crate::v3::verify::VerifyOptions;
use core::str::FromStr;
use rand_core::TryCryptoRng;
use serde::{Deserialize, Serialize};

/// `https://api.mch.weixin.qq.com`.
pub const HOST: &str = "https://api.mch.weixin.qq.com";
/// Path prefix shared by both scenes.
pub const PATH_PREFIX: &str =
    "/v3/ecommerce/individual-contracts/pre-entrust-sign-with-real-name-identity";

/// Where the user will sign: the two documented endpoints have the same shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scene {
    /// `…/mini-program` (小程序场景).
    MiniProgram,
    /// `…/app` (APP 场景).
    App,
}

impl Scene {
    /// The request path.
    ///
    /// ```
    /// use wechatpay_sansio::api::pre_entrust::Scene;
    /// assert!(Scene::App.path().ends_with("/pre-entrust-sign-with-real-name-identity/app"));
    /// ```
    #[must_use]
    pub const fn path(self) -> &'static str {
        match self {
            Self::MiniProgram => {
                "/v3/ecommerce/individual-contracts/pre-entrust-sign-with-real-name-identity/mini-program"
            }
            Self::App => {
                "/v3/ecommerce/individual-contracts/pre-entrust-sign-with-real-name-identity/app"
            }
        }
    }
}

/// `cred_type`: the document allows only `ID_CARD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CredType {
    /// `ID_CARD` (mainland resident ID).
    #[default]
    IdCard,
}

impl CredType {
    /// The wire value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        "ID_CARD"
    }
}

impl FromStr for CredType {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ID_CARD" => Ok(Self::IdCard),
            _ => Err(FieldError::NotInEnum {
                field: "cred_type",
                allowed: "ID_CARD",
            }),
        }
    }
}

/// The request.
#[derive(Debug, Clone)]
pub struct PreEntrustSignRequest {
    /// Which endpoint.
    pub scene: Scene,
    /// `appid` (签约和付款的AppID), 1–32 visible ASCII.
    pub appid: String,
    /// `out_contract_code` (业务申请单号), 1–64 of `[0-9A-Za-z_-|*@]`.
    pub out_contract_code: String,
    /// `openid` of the payee, 1–128 visible ASCII: required in the mini-program scene; the APP
    /// scene's document has no such field, so it must be `None` there.
    pub openid: Option<String>,
    /// `real_name`: encrypted.
    pub real_name: Personal,
    /// `cred_type`.
    pub cred_type: CredType,
    /// `cred_id`: a mainland ID number (trailing `X` upper-case); encrypted.
    pub cred_id: Personal,
}

#[derive(Serialize)]
struct Body<'a> {
    appid: &'a str,
    out_contract_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    openid: Option<&'a str>,
    real_name: &'a str,
    cred_type: &'static str,
    cred_id: &'a str,
}

impl PreEntrustSignRequest {
    /// A mini-program-scene request for an ID-card holder.
    #[must_use]
    pub fn mini_program(
        appid: impl Into<String>,
        out_contract_code: impl Into<String>,
        openid: impl Into<String>,
        real_name: Personal,
        cred_id: Personal,
    ) -> Self {
        Self {
            scene: Scene::MiniProgram,
            appid: appid.into(),
            out_contract_code: out_contract_code.into(),
            openid: Some(openid.into()),
            real_name,
            cred_type: CredType::IdCard,
            cred_id,
        }
    }

    /// An APP-scene request for an ID-card holder (no `openid` in this scene).
    #[must_use]
    pub fn app(
        appid: impl Into<String>,
        out_contract_code: impl Into<String>,
        real_name: Personal,
        cred_id: Personal,
    ) -> Self {
        Self {
            scene: Scene::App,
            appid: appid.into(),
            out_contract_code: out_contract_code.into(),
            openid: None,
            real_name,
            cred_type: CredType::IdCard,
            cred_id,
        }
    }

    /// Check every field before any cryptography. (The seed gives no lengths; the limits are
    /// those of WeChat Pay's other contract APIs.)
    ///
    /// # Errors
    /// A [`FieldError`] naming the first bad field (never its value).
    pub fn validate(&self) -> Result<(), FieldError> {
        validate::length("appid", &self.appid, 1, 32)?;
        validate::visible_ascii("appid", &self.appid)?;
        validate::length("out_contract_code", &self.out_contract_code, 1, 64)?;
        validate::charset(
            "out_contract_code",
            &self.out_contract_code,
            "[0-9A-Za-z_-|*@]",
            |c| c.is_ascii_alphanumeric() || "_-|*@".contains(c),
        )?;
        match (self.scene, &self.openid) {
            (Scene::MiniProgram, None) => return Err(FieldError::Missing { field: "openid" }),
            (Scene::MiniProgram, Some(o)) => {
                validate::length("openid", o, 1, 128)?;
                validate::visible_ascii("openid", o)?;
            }
            (Scene::App, Some(_)) => {
                return Err(FieldError::NotInEnum {
                    field: "openid",
                    allowed: "absent in the APP scene",
                });
            }
            (Scene::App, None) => {}
        }
        validate::length("real_name", self.real_name.expose(), 1, 64)?;
        validate::no_control("real_name", self.real_name.expose())?;
        validate::mainland_id("cred_id", self.cred_id.expose(), true)
    }

    /// Validate, encrypt `real_name` and `cred_id` (OAEP-SHA1) under `key`, set
    /// `Wechatpay-Serial` to its id, and sign.
    ///
    /// # Errors
    /// [`V3ApiError::Field`], [`V3ApiError::Encrypt`], [`V3ApiError::Request`].
    pub fn build<R: TryCryptoRng + ?Sized>(
        &self,
        signer: &MerchantSigner,
        key: &WechatPayKey,
        rng: &mut R,
        timestamp: u64,
        nonce: &Nonce,
    ) -> Result<Request, V3ApiError> {
        self.validate()?;
        let enc = |field, v: &Personal, rng: &mut R| {
            cipher::encrypt_personal(rng, key.key(), Padding::Oaep, v)
                .map_err(|source| V3ApiError::Encrypt { field, source })
        };
        let real_name = enc("real_name", &self.real_name, rng)?;
        let cred_id = enc("cred_id", &self.cred_id, rng)?;
        let body = Body {
            appid: &self.appid,
            out_contract_code: &self.out_contract_code,
            openid: self.openid.as_deref(),
            real_name: &real_name,
            cred_type: self.cred_type.as_str(),
            cred_id: &cred_id,
        };
        let url = format!("{HOST}{}", self.scene.path());
        v3_common::post_json(&url, &body, key.id(), signer, rng, timestamp, nonce)
    }

    /// Check the reply; see [`parse_reply`].
    ///
    /// # Errors
    /// As [`parse_reply`].
    pub fn parse_reply(
        &self,
        response: ResponseRef<'_>,
        store: &KeyStore,
        now: u64,
        options: &VerifyOptions,
    ) -> Result<PreEntrustOutcome, V3ApiError> {
        parse_reply(response, store, now, options)
    }
}

/// The outcome: the id to hand to the WeChat SDK that opens the signing page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PreEntrustOutcome {
    /// `pre_entrustweb_id`.
    pub pre_entrustweb_id: String,
}

/// Check a reply: 2xx verified with `store` at `now`, others typed as [`V3ApiError::Api`].
///
/// # Errors
/// [`V3ApiError::Api`], [`V3ApiError::UnreadableError`], [`V3ApiError::Verify`],
/// [`V3ApiError::Json`] (also for an empty `pre_entrustweb_id`).
pub fn parse_reply(
    response: ResponseRef<'_>,
    store: &KeyStore,
    now: u64,
    options: &VerifyOptions,
) -> Result<PreEntrustOutcome, V3ApiError> {
    let out: PreEntrustOutcome = v3_common::decode(response, store, now, options)?;
    if out.pre_entrustweb_id.is_empty() {
        return Err(V3ApiError::Json { line: 1, column: 1 });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cred_type_and_paths() {
        assert_eq!("ID_CARD".parse::<CredType>(), Ok(CredType::IdCard));
        assert!("PASSPORT".parse::<CredType>().is_err());
        assert!(Scene::MiniProgram.path().starts_with(PATH_PREFIX));
        assert!(Scene::App.path().starts_with(PATH_PREFIX));
    }
}
