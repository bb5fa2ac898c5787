//! Simulated v3 identity endpoints: customs `verify-certificate` (apihk, PKCS#1 v1.5 fields) and
//! the real-name pre-entrust sign (OAEP fields, mini-program and app scenes).
//!
//! Each handler checks the request as WeChat Pay does — method and host, the `Authorization`
//! signature (401 `SIGN_ERROR`), `Wechatpay-Serial` naming a key the platform holds (400
//! `PARAM_ERROR`), required fields, the merchant id, decryptable personal fields (400
//! `PARAM_ERROR`) — and then answers the scripted outcome with a signed reply.
//!
//! ```
//! use wechatpay_sansio::api::{ApiError, Failure, Operation, pre_entrust::PreEntrustSignRequest};
//! use wechatpay_sansio::simulator::{Script, Simulator, v3::{PreEntrustScript, ScriptedError}};
//! use wechatpay_sansio::{error::Classify, request::ResponseRef, secret::Personal, time::UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();
//! let req = PreEntrustSignRequest::app("wxd678efh567h23787", "APPLYMENT_00000000001",
//!     Personal::new("刘某某"), Personal::new("11010519491231002X"));
//! let script = Script {
//!     pre_entrust: PreEntrustScript::Error(ScriptedError::new(500, "SYSTEM_ERROR", "系统错误")),
//!     ..Script::default()
//! };
//! let reply = sim.handle(&req.build(&merchant, &mut rng, now)?.into_http(), now, &mut rng, &script);
//! let err = req.parse_reply(&merchant, ResponseRef::from_http(&reply), now).unwrap_err();
//! assert!(matches!(err.failure(), Some(Failure::V3(_))));
//! assert!(err.is_retryable());
//! # let _: &ApiError = &err;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::{PlatformRotation, Script, Simulator, v3_error, v3_error_with_detail};
use crate::api::customs::{self, CheckResult};
use crate::api::pre_entrust::{self, Scene};
use crate::crypto::RsaPrivate as _;
use crate::keys::{KeyId, MerchantPrivateKey};
use crate::secret::Personal;
use crate::time::UnixTime;
use crate::validate;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{Method, Response, StatusCode};
use rand_core::TryCryptoRng;
use serde_json::{Map, Value};

/// A scripted error reply: status, code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptedError {
    /// HTTP status (400, 403, 429, 500…).
    pub status: u16,
    /// The `code`.
    pub code: String,
    /// The `message`.
    pub message: String,
}

impl ScriptedError {
    /// An error reply.
    #[must_use]
    pub fn new(status: u16, code: &str, message: &str) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.to_owned(),
        }
    }
}

/// What the simulated customs `verify-certificate` answers once the request passes its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomsScript {
    /// 200 with this `certificate_check_result` (`SAME`, `DIFFERENT`, or anything, e.g. the
    /// document's own `UNchECKED`).
    Result(String),
    /// An error reply.
    Error(ScriptedError),
}

impl Default for CustomsScript {
    fn default() -> Self {
        Self::Result(CheckResult::Same.as_str().to_owned())
    }
}

/// What the simulated pre-entrust sign answers once the request passes its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreEntrustScript {
    /// 200 with this `pre_entrustweb_id`.
    Id(String),
    /// An error reply.
    Error(ScriptedError),
}

impl Default for PreEntrustScript {
    fn default() -> Self {
        Self::Id("1121_9f3c4d1a2b3c4d5e6f_12bf".to_owned())
    }
}

const SERIAL_MISSING: &str = "HTTP header缺少微信支付平台证书序列号(Wechatpay-Serial)";
/// The real reply to a `Wechatpay-Serial` naming no key the platform holds (a serial sent in
/// decimal, wechatpay-apache-httpclient#47, 2021).
const SERIAL_WRONG: &str = "平台证书序列号Wechatpay-Serial错误";

fn param_error(message: &str) -> Response<Vec<u8>> {
    v3_error(StatusCode::BAD_REQUEST, "PARAM_ERROR", message)
}

/// A `PARAM_ERROR` about a body field, with the `detail` object WeChat Pay adds (the customs
/// document's error example:
/// `field` a JSON pointer, `value`, `issue`, `location`).
fn field_error(field: &str, value: Option<&str>, issue: &str) -> Response<Vec<u8>> {
    let mut detail = Map::new();
    detail.insert(
        "field".into(),
        Value::String(format!("#/properties/{field}")),
    );
    if let Some(v) = value {
        detail.insert("value".into(), Value::String(v.to_owned()));
    }
    detail.insert("issue".into(), Value::String(issue.to_owned()));
    detail.insert("location".into(), Value::String("body".into()));
    v3_error_with_detail(
        StatusCode::BAD_REQUEST,
        "PARAM_ERROR",
        &format!("参数错误：{field}{issue}"),
        Value::Object(detail),
    )
}

/// What WeChat Pay answers when the body's `mchid` is not the merchant that signed the request
/// (observed replies: 400 `PARAM_ERROR`; `NOAUTH` means "not filed with this customs office").
const MCHID_MISMATCH: &str = "http header中的mchid与post payload中的mchid不匹配";

fn scripted(e: &ScriptedError) -> Response<Vec<u8>> {
    v3_error(
        StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
        &e.code,
        &e.message,
    )
}

fn str_field<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    body.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// A request past the common checks: its JSON body, and the platform key its
/// `Wechatpay-Serial` names.
type Front<'a> = (Map<String, Value>, &'a MerchantPrivateKey);

impl Simulator {
    /// The common front half: method, host, signature, `Wechatpay-Serial`, JSON object body.
    #[allow(clippy::result_large_err)] // the error is the reply to send; not a hot path
    fn v3_front(
        &self,
        req: &http::Request<Vec<u8>>,
        now: UnixTime,
        host: &str,
        allow_public_key_id: bool,
    ) -> Result<Front<'_>, Response<Vec<u8>>> {
        if req.method() != Method::POST {
            return Err(v3_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "INVALID_REQUEST",
                "请求方法错误",
            ));
        }
        if req.uri().host() != host.strip_prefix("https://") {
            return Err(v3_error(StatusCode::NOT_FOUND, "NOT_FOUND", "接口不存在"));
        }
        self.check_v3_authorization(req, now)?;
        let serial = req
            .headers()
            .get(&crate::v3::header::WECHATPAY_SERIAL)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| param_error(SERIAL_MISSING))?;
        let id = KeyId::new(serial).map_err(|_| param_error(SERIAL_WRONG))?;
        let key = self
            .key_for_serial(&id, allow_public_key_id)
            .ok_or_else(|| param_error(SERIAL_WRONG))?;
        match serde_json::from_slice::<Value>(req.body()) {
            Ok(Value::Object(m)) => Ok((m, key)),
            _ => Err(param_error("请求体不是合法的JSON对象")),
        }
    }

    /// The platform private key behind a `Wechatpay-Serial`: the platform certificate's (or the
    /// WeChat Pay public key's, when the API takes it), or, once published in a rotation, the
    /// next certificate's.
    fn key_for_serial(&self, id: &KeyId, allow_public_key_id: bool) -> Option<&MerchantPrivateKey> {
        if id == self.platform_cert.serial() || (allow_public_key_id && *id == self.public_key_id) {
            Some(&self.platform_key)
        } else if id == self.next_platform_cert.serial() && self.rotation != PlatformRotation::None
        {
            Some(&self.next_platform_key)
        } else {
            None
        }
    }

    /// Decrypt a personal field with the platform key; `pkcs1` selects RSAES-PKCS1-v1_5
    /// (implicit rejection: a wrong padding yields garbage, caught by the caller's format checks).
    fn decrypt_field<R: TryCryptoRng + ?Sized>(
        key: &MerchantPrivateKey,
        rng: &mut R,
        b64: &str,
        pkcs1: bool,
    ) -> Option<Personal> {
        let ct = STANDARD.decode(b64).ok()?;
        let pt = if pkcs1 {
            key.0.decrypt_pkcs1v15(rng, &ct).ok()?
        } else {
            key.0.decrypt_oaep_sha1(rng, &ct).ok()?
        };
        core::str::from_utf8(&pt)
            .ok()
            .filter(|s| !s.is_empty() && !s.chars().any(char::is_control))
            .map(Personal::new)
    }

    /// Decrypt the ID number and the name, and check the ID's format as WeChat Pay does.
    #[allow(clippy::result_large_err)]
    fn decrypt_identity<R: TryCryptoRng + ?Sized>(
        key: &MerchantPrivateKey,
        rng: &mut R,
        body: &Map<String, Value>,
        id_field: &'static str,
        name_field: &'static str,
        pkcs1: bool,
    ) -> Result<(Personal, Personal), Response<Vec<u8>>> {
        let undecryptable =
            |f: &str| field_error(f, None, "解密失败，请使用正确的公钥和填充方式加密");
        let id = str_field(body, id_field)
            .and_then(|b| Self::decrypt_field(key, rng, b, pkcs1))
            .ok_or_else(|| undecryptable(id_field))?;
        let name = str_field(body, name_field)
            .and_then(|b| Self::decrypt_field(key, rng, b, pkcs1))
            .ok_or_else(|| undecryptable(name_field))?;
        if validate::mainland_id(id_field, id.expose_secret(), true).is_err() {
            // The echoed value is the ciphertext the merchant sent, never the plaintext.
            return Err(field_error(
                id_field,
                str_field(body, id_field),
                "商户传入用户身份证格式错误",
            ));
        }
        Ok((id, name))
    }

    /// The personal fields a request carried, decrypted (for tests that check what was sent).
    /// `None` if the body or a field cannot be read. Customs uses PKCS#1 v1.5, pre-entrust OAEP.
    ///
    /// `rng` blinds the RSA decryption under RustCrypto; under `aws-lc-rs` it is not consulted.
    pub fn decrypt_identity_fields<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        rng: &mut R,
    ) -> Option<(Personal, Personal)> {
        let body: Map<String, Value> = serde_json::from_slice(req.body()).ok()?;
        let key = req
            .headers()
            .get(&crate::v3::header::WECHATPAY_SERIAL)
            .and_then(|v| v.to_str().ok())
            .and_then(|s| KeyId::new(s).ok())
            .and_then(|id| self.key_for_serial(&id, true))
            .unwrap_or(&self.platform_key);
        let field = |rng: &mut R, name: &str, pkcs1: bool| {
            Self::decrypt_field(key, rng, str_field(&body, name)?, pkcs1)
        };
        if req.uri().path() == customs::PATH {
            let id = field(rng, "certificate_id", true)?;
            Some((id, field(rng, "certificate_name", true)?))
        } else {
            let id = field(rng, "cred_id", false)?;
            Some((id, field(rng, "real_name", false)?))
        }
    }

    /// `POST https://apihk.mch.weixin.qq.com/v3/global/customs/verify-certificate`.
    ///
    /// `rng` draws the simulator's nonces and, under RustCrypto, the randomness of its RSA
    /// operations (signing, decryption); under `aws-lc-rs` the RSA operations do not consult it.
    pub fn customs_verify_certificate<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        now: UnixTime,
        rng: &mut R,
        script: &CustomsScript,
    ) -> Response<Vec<u8>> {
        // The document names the platform certificate serial for this API.
        let (body, key) = match self.v3_front(req, now, customs::HOST, false) {
            Ok(b) => b,
            Err(resp) => return resp,
        };
        let required = [
            "appid",
            "mchid",
            "out_trade_no",
            "transaction_id",
            "customs",
            "merchant_customs_no",
            "certificate_type",
            "certificate_id",
            "certificate_name",
        ];
        if let Some(f) = required.iter().find(|f| str_field(&body, f).is_none()) {
            return field_error(f, None, "缺少参数");
        }
        if str_field(&body, "mchid") != Some(self.mchid.as_str()) {
            return param_error(MCHID_MISMATCH);
        }
        if str_field(&body, "certificate_type") != Some("IDCARD") {
            return field_error(
                "certificate_type",
                str_field(&body, "certificate_type"),
                "只支持IDCARD",
            );
        }
        if let Err(resp) =
            Self::decrypt_identity(key, rng, &body, "certificate_id", "certificate_name", true)
        {
            return resp;
        }
        match script {
            CustomsScript::Error(e) => scripted(e),
            CustomsScript::Result(result) => {
                // The fields of the document's reply table (it lists no `sub_order_no`).
                let mut out = Map::new();
                for f in ["appid", "mchid", "out_trade_no", "transaction_id"] {
                    if let Some(v) = body.get(f) {
                        out.insert(f.to_owned(), v.clone());
                    }
                }
                out.insert(
                    "certificate_check_result".to_owned(),
                    Value::String(result.clone()),
                );
                let bytes = Value::Object(out).to_string().into_bytes();
                self.signed_v3_reply(rng, StatusCode::OK, bytes, now)
            }
        }
    }

    /// `POST https://api.mch.weixin.qq.com/v3/ecommerce/individual-contracts/pre-entrust-sign-with-real-name-identity/{mini-program,app}`.
    ///
    /// `rng` draws the simulator's nonces and, under RustCrypto, the randomness of its RSA
    /// operations (signing, decryption); under `aws-lc-rs` the RSA operations do not consult it.
    pub fn pre_entrust_sign<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        now: UnixTime,
        rng: &mut R,
        script: &PreEntrustScript,
    ) -> Response<Vec<u8>> {
        let (body, key) = match self.v3_front(req, now, pre_entrust::HOST, true) {
            Ok(b) => b,
            Err(resp) => return resp,
        };
        let required = [
            "appid",
            "out_contract_code",
            "real_name",
            "cred_type",
            "cred_id",
        ];
        if let Some(f) = required.iter().find(|f| str_field(&body, f).is_none()) {
            return field_error(f, None, "缺少参数");
        }
        // The mini-program scene names the payee's openid; the APP scene's document has none.
        let mini = req.uri().path() == Scene::MiniProgram.path();
        if mini != str_field(&body, "openid").is_some() {
            return field_error(
                "openid",
                None,
                if mini {
                    "缺少参数"
                } else {
                    "APP场景不支持该参数"
                },
            );
        }
        if str_field(&body, "cred_type") != Some("ID_CARD") {
            return field_error("cred_type", str_field(&body, "cred_type"), "只支持ID_CARD");
        }
        if let Err(resp) = Self::decrypt_identity(key, rng, &body, "cred_id", "real_name", false) {
            return resp;
        }
        match script {
            PreEntrustScript::Error(e) => scripted(e),
            PreEntrustScript::Id(id) => {
                let bytes = serde_json::json!({ "pre_entrustweb_id": id })
                    .to_string()
                    .into_bytes();
                self.signed_v3_reply(rng, StatusCode::OK, bytes, now)
            }
        }
    }

    /// Route a request to the v3 identity endpoint or the payment-sandbox endpoint
    /// ([`super::pay_v3`]) its path names. `None` if the path is not one of them.
    ///
    /// `rng` draws the simulator's nonces and, under RustCrypto, the randomness of its RSA
    /// operations (signing, decryption); under `aws-lc-rs` the RSA operations do not consult it.
    pub fn handle_v3<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        now: UnixTime,
        rng: &mut R,
        script: &Script,
    ) -> Option<Response<Vec<u8>>> {
        let path = req.uri().path();
        if path == customs::PATH {
            Some(self.customs_verify_certificate(req, now, rng, &script.customs))
        } else if path == Scene::MiniProgram.path() || path == Scene::App.path() {
            Some(self.pre_entrust_sign(req, now, rng, &script.pre_entrust))
        } else {
            // The payment sandbox (pay_v3.rs): prepay, query, close, refunds, certificates;
            // then the bills (bills.rs).
            self.pay_v3(req, now, rng, &script.pay)
                .or_else(|| self.bills(req, now, rng, &script.bills))
        }
    }
}
