//! 预签约(需要实名验证) — `POST https://api.mch.weixin.qq.com/v3/ecommerce/individual-contracts/pre-entrust-sign-with-real-name-identity/{mini-program|app}`
//! (official page: <https://pay.weixin.qq.com/doc/v3/partner/4020023723>).
//!
//! An e-commerce platform pre-registers a contract for a user; the user can sign only if their
//! WeChat Pay real-name identity equals `real_name` / `cred_id`, which are encrypted with the v3
//! default **RSAES-OAEP (SHA-1)** under the merchant's encryption key at the time of the call — the
//! WeChat Pay public key (`PUB_KEY_ID_…`) if it has one, else the newest valid platform
//! certificate; that key's id goes in `Wechatpay-Serial`.
//!
//! **What a verified reply does not prove.** The reply is signed by WeChat Pay, but it carries
//! only `pre_entrustweb_id`: not the `out_contract_code`, the openid or the identity it answers.
//! A genuine reply to one request verifies equally as the reply to another. The protocol cannot
//! bind them. Safe use: record `pre_entrustweb_id` against the `out_contract_code` you sent, in
//! your own state, from the reply of *that* HTTP exchange (one request per `out_contract_code`),
//! and later act only on ids found there.
//!
//! ```
//! use wechatpay_sansio::api::{Operation, pre_entrust::PreEntrustSignRequest};
//! use wechatpay_sansio::{request::ResponseRef, secret::Personal, simulator::Simulator, time::UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let sim = Simulator::new();
//! let merchant = sim.merchant();                                      // TEST ONLY keys
//! let now = UnixTime::from_secs(1_767_225_600);
//! let req = PreEntrustSignRequest::mini_program("wxd678efh567h23787", "APPLYMENT_00000000001",
//!     "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", Personal::new("张三"), Personal::new("11010519491231002X"));
//! let http = req.build(&merchant, &mut rng, now)?;
//! assert!(http.headers()["wechatpay-serial"].to_str()?.starts_with("PUB_KEY_ID_"));
//! let reply = sim.handle(&http.into_http(), now, &mut rng, &Default::default());
//! let out = req.parse_reply(&merchant, ResponseRef::from_http(&reply), now)?;
//! assert!(!out.pre_entrustweb_id.is_empty());
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

/// `https://api.mch.weixin.qq.com`.
pub const HOST: &str = "https://api.mch.weixin.qq.com";
/// Path prefix shared by both scenes.
pub const PATH_PREFIX: &str =
    "/v3/ecommerce/individual-contracts/pre-entrust-sign-with-real-name-identity";

/// Where the user will sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scene {
    /// `…/mini-program` (小程序场景): the payee's `openid` is required.
    MiniProgram,
    /// `…/app` (APP 场景): the document has no `openid`.
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

crate::wire::closed_enum!(
    /// `cred_type`: the document allows only `ID_CARD`.
    pub enum PreEntrustCredType as "cred_type" {
        /// `ID_CARD` (mainland resident ID).
        IdCard = "ID_CARD",
    }
);

/// The request (constructed per scene: [`PreEntrustSignRequest::mini_program`],
/// [`PreEntrustSignRequest::app`]). `Debug` redacts the openid (an identifier of a person).
#[derive(Clone, PartialEq, Eq)]
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
    /// `cred_type` (`ID_CARD`).
    pub cred_type: PreEntrustCredType,
    /// `cred_id`: a mainland ID number (trailing `X` upper-case); encrypted.
    pub cred_id: Personal,
}

impl core::fmt::Debug for PreEntrustSignRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PreEntrustSignRequest")
            .field("scene", &self.scene)
            .field("appid", &self.appid)
            .field("out_contract_code", &self.out_contract_code)
            .field(
                "openid",
                &self.openid.as_ref().map(|_| crate::secret::REDACTED),
            )
            .field("real_name", &self.real_name)
            .field("cred_type", &self.cred_type)
            .field("cred_id", &self.cred_id)
            .finish()
    }
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
            cred_type: PreEntrustCredType::IdCard,
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
            cred_type: PreEntrustCredType::IdCard,
            cred_id,
        }
    }

    /// Check every field before any cryptography. (The document gives no lengths; the limits
    /// are those of WeChat Pay's other contract APIs.)
    ///
    /// # Errors
    /// A [`FieldError`] naming the first bad field (never its value).
    pub fn validate(&self) -> Result<(), FieldError> {
        validate::appid("appid", &self.appid)?;
        validate::length("out_contract_code", &self.out_contract_code, 1, 64)?;
        validate::charset(
            "out_contract_code",
            &self.out_contract_code,
            "[0-9A-Za-z_-|*@]",
            |c| c.is_ascii_alphanumeric() || "_-|*@".contains(c),
        )?;
        match (self.scene, &self.openid) {
            (Scene::MiniProgram, None) => return Err(FieldError::Missing { field: "openid" }),
            (Scene::MiniProgram, Some(o)) => validate::token("openid", o, 128)?,
            (Scene::App, Some(_)) => {
                return Err(FieldError::NotInEnum {
                    field: "openid",
                    allowed: "absent in the APP scene",
                });
            }
            (Scene::App, None) => {}
        }
        validate::length("real_name", self.real_name.expose_secret(), 1, 64)?;
        validate::no_control("real_name", self.real_name.expose_secret())?;
        validate::mainland_id("cred_id", self.cred_id.expose_secret(), true)
    }
}

/// This API's description in the mini-program scene.
pub const MINI_PROGRAM: Endpoint<'static> = Endpoint::new(
    "pre-entrust-mini-program",
    HOST,
    Scene::MiniProgram.path(),
    HttpMethod::Post,
    Protocol::V3Json,
);

/// This API's description in the APP scene.
pub const APP: Endpoint<'static> = Endpoint::new(
    "pre-entrust-app",
    HOST,
    Scene::App.path(),
    HttpMethod::Post,
    Protocol::V3Json,
);

impl Operation for PreEntrustSignRequest {
    type Outcome = PreEntrustOutcome;
    type ReplyOptions = ();
    /// The reply echoes nothing of the request.
    const IDENTIFYING: &'static [&'static str] = &[];

    /// The mini-program scene's; [`Operation::endpoint`] chooses by the request's scene.
    const ENDPOINT: Endpoint<'static> = MINI_PROGRAM;

    /// [`MINI_PROGRAM`] or [`APP`], by the request's scene.
    fn endpoint(&self) -> Endpoint<'static> {
        match self.scene {
            Scene::MiniProgram => MINI_PROGRAM,
            Scene::App => APP,
        }
    }

    /// Validate, encrypt `real_name` and `cred_id` (OAEP-SHA1) under the merchant's encryption
    /// key at `now` ([`crate::keys::KeyStore::encryption_key`]), set `Wechatpay-Serial` to its
    /// id, and sign.
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
        let key = merchant
            .keys()
            .encryption_key(now)
            .ok_or(ApiError::NoEncryptionKey(
                "no WeChat Pay public key and no platform certificate valid now",
            ))?;
        let real_name = v3_common::encrypt(rng, key, Padding::Oaep, "real_name", &self.real_name)?;
        let cred_id = v3_common::encrypt(rng, key, Padding::Oaep, "cred_id", &self.cred_id)?;
        let body = Body {
            appid: &self.appid,
            out_contract_code: &self.out_contract_code,
            openid: self.openid.as_deref(),
            real_name: &real_name,
            cred_type: self.cred_type.as_str(),
            cred_id: &cred_id,
        };
        v3_common::post_json(merchant, &endpoint.url(), &body, key, rng, now)
    }

    /// It echoes nothing of the request.
    fn echoes<'a>(&'a self, _: &'a Merchant) -> Vec<Echo<'a>> {
        Vec::new()
    }

    /// 2xx verified with the merchant's keys at `now`, others typed as WeChat Pay's failure
    /// answer; an empty `pre_entrustweb_id` is [`ApiError::MissingField`].
    fn decode(
        merchant: &Merchant,
        response: ResponseRef<'_>,
        now: UnixTime,
        (): &(),
        echoes: &[Echo<'_>],
    ) -> Result<PreEntrustOutcome, ApiError> {
        // The scene (and so the path) is not known from a reply; no per-endpoint meaning is
        // listed for it.
        let out: PreEntrustOutcome = v3_common::decode(merchant, response, now, None, echoes)?;
        if out.pre_entrustweb_id.is_empty() {
            return Err(ApiError::MissingField("pre_entrustweb_id".into()));
        }
        Ok(out)
    }
}

/// The outcome: the id to hand to the WeChat SDK that opens the signing page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PreEntrustOutcome {
    /// `pre_entrustweb_id`.
    pub pre_entrustweb_id: String,
}

/// Check a reply: 2xx verified with the merchant's keys at `now`, others typed as
/// WeChat Pay's failure answer ([`ApiError::failure`]).
///
/// # Errors
/// WeChat Pay's failure answer ([`ApiError::failure`]), [`ApiError::V3Reply`] (`UnreadableError`), [`ApiError::V3Reply`] (`Verify`),
/// [`ApiError::Json`], [`ApiError::MissingField`] for an empty `pre_entrustweb_id`.
pub fn read_reply(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
) -> Result<PreEntrustOutcome, ApiError> {
    crate::api::read_reply::<PreEntrustSignRequest>(merchant, response, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cred_type_and_paths() {
        assert_eq!("ID_CARD".parse(), Ok(PreEntrustCredType::IdCard));
        assert!("PASSPORT".parse::<PreEntrustCredType>().is_err());
        assert!(Scene::MiniProgram.path().starts_with(PATH_PREFIX));
        assert!(Scene::App.path().starts_with(PATH_PREFIX));
    }
}
