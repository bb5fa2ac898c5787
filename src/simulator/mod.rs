//! An offline stand-in for WeChat Pay (feature `simulator`), for tests and integration harnesses.
//!
//! It holds the platform side's keys (all bundled **TEST ONLY** keys, generated for this crate),
//! checks requests the way WeChat Pay does (v2 `sign`, v3 `Authorization`, encrypted fields,
//! required fields) and answers with correctly signed replies whose outcome the test chooses.
//!
//! [`TestMerchant`] is the matching merchant side: the same mchid, APIv2/APIv3 keys, merchant
//! private key and a [`KeyStore`] that trusts the simulator's platform keys.
//!
//! ```
//! use wechatpay_sansio::simulator::{Simulator, TestMerchant};
//! let sim = Simulator::new();
//! let merchant = TestMerchant::new();
//! assert_eq!(merchant.mchid.as_str(), sim.mchid().as_str());
//! ```

pub mod v2;
pub mod v3;

use crate::ids::{MchId, Nonce};
use crate::keys::{
    KeyId, KeyStore, MerchantPrivateKey, PlatformCertificate, PublicKey, WechatPayKey,
};
use crate::secret::{ApiV2Key, ApiV3Key};
use crate::v2::{Fields, SignType};
use crate::v3::auth::{Authorization, MerchantSigner};
use crate::v3::canonical::Decimal;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderValue, Response, StatusCode};
use rand_core::TryCryptoRng;

/// TEST ONLY merchant id used by the simulator.
pub const TEST_MCHID: &str = "1900000109";
/// TEST ONLY APIv2 key.
pub const TEST_API_V2_KEY: &str = "TESTONLYsimulatorApiV2Key0000001";
/// TEST ONLY APIv3 key.
pub const TEST_API_V3_KEY: &str = "TESTONLYsimulatorApiV3Key0000001";
/// Serial of the TEST ONLY merchant certificate (`tests/data/test_merchant_cert.pem`).
pub const TEST_MERCHANT_SERIAL: &str = "3C3BBC2B9F5BF4F2";
/// Id of the TEST ONLY WeChat Pay public key (same key pair as the platform certificate).
pub const TEST_PUB_KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";

const MERCHANT_KEY_PEM: &str = include_str!("../../tests/data/test_merchant_key.pem");
const PLATFORM_KEY_PEM: &str = include_str!("../../tests/data/test_platform_key.pem");
const PLATFORM_CERT_PEM: &str = include_str!("../../tests/data/test_platform_cert.pem");
const RISK_KEY_PEM: &str = include_str!("../../tests/data/test_platform2_key.pem");

fn ok<T, E: core::fmt::Debug>(r: Result<T, E>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => unreachable!("bundled TEST ONLY constant invalid: {e:?}"),
    }
}

fn load_key(pem: &str) -> MerchantPrivateKey {
    match MerchantPrivateKey::from_pem(pem) {
        Ok(k) => k,
        Err(e) => unreachable!("bundled TEST ONLY key failed to load: {e}"),
    }
}

/// Which id the simulator puts in `Wechatpay-Serial` when it signs v3 replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SigningKeyMode {
    /// The platform certificate serial.
    #[default]
    Certificate,
    /// The WeChat Pay public key id (`PUB_KEY_ID_…`).
    PublicKey,
}

/// The WeChat Pay side.
#[derive(Debug, Clone)]
pub struct Simulator {
    pub(crate) mchid: MchId,
    pub(crate) api_v2_key: ApiV2Key,
    pub(crate) api_v3_key: ApiV3Key,
    pub(crate) merchant_public_key: PublicKey,
    pub(crate) merchant_serial: KeyId,
    pub(crate) platform_key: MerchantPrivateKey,
    pub(crate) platform_cert: PlatformCertificate,
    pub(crate) public_key_id: KeyId,
    pub(crate) risk_key: MerchantPrivateKey,
    pub(crate) signing_mode: SigningKeyMode,
    pub(crate) max_skew: u64,
}

impl Default for Simulator {
    fn default() -> Self {
        Self::new()
    }
}

impl Simulator {
    /// A simulator with the bundled TEST ONLY keys.
    #[must_use]
    pub fn new() -> Self {
        let platform_cert = match PlatformCertificate::from_pem(PLATFORM_CERT_PEM) {
            Ok(c) => c,
            Err(e) => unreachable!("bundled TEST ONLY certificate failed to load: {e}"),
        };
        Self {
            mchid: ok(MchId::new(TEST_MCHID)),
            api_v2_key: ok(ApiV2Key::new(TEST_API_V2_KEY)),
            api_v3_key: ok(ApiV3Key::new(TEST_API_V3_KEY)),
            merchant_public_key: load_key(MERCHANT_KEY_PEM).public_key(),
            merchant_serial: ok(KeyId::new(TEST_MERCHANT_SERIAL)),
            platform_key: load_key(PLATFORM_KEY_PEM),
            platform_cert,
            public_key_id: ok(KeyId::new(TEST_PUB_KEY_ID)),
            risk_key: load_key(RISK_KEY_PEM),
            signing_mode: SigningKeyMode::Certificate,
            max_skew: 300,
        }
    }

    /// Sign v3 replies under the certificate serial or the `PUB_KEY_ID_…`.
    #[must_use]
    pub fn with_signing_mode(mut self, mode: SigningKeyMode) -> Self {
        self.signing_mode = mode;
        self
    }

    /// The merchant id the simulator serves.
    #[must_use]
    pub fn mchid(&self) -> &MchId {
        &self.mchid
    }

    /// The serial of the simulator's TEST ONLY platform certificate.
    #[must_use]
    pub fn platform_serial(&self) -> &KeyId {
        self.platform_cert.serial()
    }

    /// The simulator's TEST ONLY WeChat Pay public-key id (`PUB_KEY_ID_…`), same key pair as the
    /// platform certificate.
    #[must_use]
    pub fn public_key_id(&self) -> &KeyId {
        &self.public_key_id
    }

    /// The id the simulator signs v3 replies with.
    #[must_use]
    pub fn signing_key_id(&self) -> &KeyId {
        match self.signing_mode {
            SigningKeyMode::Certificate => self.platform_cert.serial(),
            SigningKeyMode::PublicKey => &self.public_key_id,
        }
    }

    /// The PKCS#1 PEM (`BEGIN RSA PUBLIC KEY`) that `risk/getpublickey` serves.
    #[must_use]
    pub fn risk_public_key_pkcs1_pem(&self) -> String {
        use pkcs8::der::Decode;
        // SubjectPublicKeyInfo's BIT STRING holds exactly the PKCS#1 RSAPublicKey.
        let spki = self.risk_key.public_key().to_spki_der().unwrap_or_default();
        pkcs8::SubjectPublicKeyInfoRef::from_der(&spki)
            .ok()
            .and_then(|info| info.subject_public_key.as_bytes().map(<[u8]>::to_vec))
            .and_then(|pkcs1| {
                pem_rfc7468::encode_string("RSA PUBLIC KEY", pem_rfc7468::LineEnding::LF, &pkcs1)
                    .ok()
            })
            .unwrap_or_default()
    }

    /// Check a v3 request's `Authorization` as WeChat Pay does: scheme, mchid, merchant serial,
    /// timestamp within the window, signature over the canonical string with the merchant's
    /// public key. On failure returns the 401 reply WeChat Pay would send.
    ///
    /// # Errors
    /// The ready-made error reply.
    #[allow(clippy::result_large_err)] // the error is the reply to send; the simulator is not a hot path
    pub fn check_v3_authorization(
        &self,
        req: &http::Request<Vec<u8>>,
        now: u64,
    ) -> Result<(), Response<Vec<u8>>> {
        let sign_error = |msg: &str| v3_error(StatusCode::UNAUTHORIZED, "SIGN_ERROR", msg);
        let header = req
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| sign_error("缺少Authorization头"))?;
        let auth = Authorization::parse(header).map_err(|_| sign_error("Authorization格式错误"))?;
        if auth.mchid != self.mchid.as_str() {
            return Err(sign_error("商户号与签名不匹配"));
        }
        if KeyId::new(&auth.serial_no).ok().as_ref() != Some(&self.merchant_serial) {
            return Err(sign_error("商户证书序列号有误"));
        }
        if now.abs_diff(auth.timestamp) >= self.max_skew {
            return Err(sign_error("请求时间与当前时间相差过大"));
        }
        let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
        let msg = crate::v3::canonical::request_message(
            req.method().as_str(),
            path,
            auth.timestamp,
            &auth.nonce_str,
            req.body(),
        );
        let sig = STANDARD
            .decode(&auth.signature)
            .map_err(|_| sign_error("签名错误"))?;
        if self.merchant_public_key.0.verify_sha256(&[&msg], &sig) {
            Ok(())
        } else {
            Err(sign_error("签名错误，请检查后再试"))
        }
    }

    /// A signed v3 reply: `Wechatpay-Timestamp/Nonce/Serial/Signature(-Type)` over `body`.
    ///
    /// # Errors
    /// Only if the RNG fails (a 500 reply is returned then).
    pub fn signed_v3_reply<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        status: StatusCode,
        body: Vec<u8>,
        now: u64,
    ) -> Response<Vec<u8>> {
        let nonce = match Nonce::generate(rng) {
            Ok(n) => n,
            Err(_) => return v3_error(StatusCode::INTERNAL_SERVER_ERROR, "SYSTEMERROR", "rng"),
        };
        let ts = Decimal::new(now);
        let nl: &[u8] = b"\n";
        let parts = [ts.as_bytes(), nl, nonce.as_str().as_bytes(), nl, &body, nl];
        let Ok(sig) = self.platform_key.0.sign_sha256(rng, &parts) else {
            return v3_error(StatusCode::INTERNAL_SERVER_ERROR, "SYSTEMERROR", "sign");
        };
        let mut resp = Response::new(body);
        *resp.status_mut() = status;
        let h = resp.headers_mut();
        let hv = |s: &str| HeaderValue::from_str(s).unwrap_or(HeaderValue::from_static("invalid"));
        h.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        h.insert("wechatpay-timestamp", hv(ts.as_str()));
        h.insert("wechatpay-nonce", hv(nonce.as_str()));
        h.insert("wechatpay-serial", hv(self.signing_key_id().as_str()));
        h.insert("wechatpay-signature", hv(&STANDARD.encode(sig)));
        h.insert(
            "wechatpay-signature-type",
            HeaderValue::from_static(crate::v3::SCHEME),
        );
        h.insert(
            "request-id",
            HeaderValue::from_static("08F4D2B3B20610B0081899C6B9B3062002-0"),
        );
        resp
    }

    /// Check a v2 request body's `sign` with the APIv2 key; `sign_type` from the body (absent → MD5).
    ///
    /// # Errors
    /// The `FAIL` reply WeChat Pay sends (`return_msg` 签名错误 or a parameter error).
    #[allow(clippy::result_large_err)] // the error is the reply to send; the simulator is not a hot path
    pub fn check_v2_sign(&self, fields: &Fields) -> Result<SignType, Response<Vec<u8>>> {
        let sign_type = match fields.get("sign_type") {
            None | Some("") => SignType::Md5,
            Some(t) => t.parse().map_err(|_| v2_fail("PARAM_ERROR:sign_type"))?,
        };
        let received = fields
            .get_non_empty("sign")
            .ok_or_else(|| v2_fail("缺少参数sign"))?;
        crate::v2::sign::verify(fields.iter(), &self.api_v2_key, sign_type, received)
            .map_err(|_| v2_fail("签名错误"))?;
        Ok(sign_type)
    }

    /// A v2 XML reply with `return_code=SUCCESS` plus `fields`, signed with `sign_type` when given.
    #[must_use]
    pub fn v2_reply(
        &self,
        fields: &[(&str, &str)],
        sign_type: Option<SignType>,
    ) -> Response<Vec<u8>> {
        let mut pairs: Vec<(&str, &str)> = vec![("return_code", "SUCCESS"), ("return_msg", "OK")];
        pairs.extend_from_slice(fields);
        let s;
        if let Some(t) = sign_type {
            match crate::v2::sign::sign(pairs.iter().copied(), &self.api_v2_key, t) {
                Ok(sig) => s = sig,
                Err(_) => return v2_fail("SYSTEMERROR"),
            }
            pairs.push(("sign", s.as_str()));
        }
        xml_response(
            StatusCode::OK,
            crate::v2::xml::to_xml(pairs).unwrap_or_default(),
        )
    }
}

/// A v3 error reply `{code, message}` (not signed, as WeChat Pay's error replies may be).
#[must_use]
pub fn v3_error(status: StatusCode, code: &str, message: &str) -> Response<Vec<u8>> {
    error_reply(
        status,
        serde_json::json!({ "code": code, "message": message }),
    )
}

/// A v3 error reply `{code, message, detail}` (the `detail` object of `PARAM_ERROR` replies).
#[must_use]
pub fn v3_error_with_detail(
    status: StatusCode,
    code: &str,
    message: &str,
    detail: serde_json::Value,
) -> Response<Vec<u8>> {
    error_reply(
        status,
        serde_json::json!({ "code": code, "message": message, "detail": detail }),
    )
}

fn error_reply(status: StatusCode, body: serde_json::Value) -> Response<Vec<u8>> {
    let body = body.to_string().into_bytes();
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// A v2 `return_code=FAIL` reply.
#[must_use]
pub fn v2_fail(return_msg: &str) -> Response<Vec<u8>> {
    let body = crate::v2::xml::to_xml([("return_code", "FAIL"), ("return_msg", return_msg)])
        .unwrap_or_default();
    xml_response(StatusCode::OK, body)
}

fn xml_response(status: StatusCode, body: String) -> Response<Vec<u8>> {
    let mut resp = Response::new(body.into_bytes());
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    resp
}

/// The merchant side matching [`Simulator::new`]: all TEST ONLY.
#[derive(Debug, Clone)]
pub struct TestMerchant {
    /// Merchant id.
    pub mchid: MchId,
    /// APIv2 key.
    pub api_v2_key: ApiV2Key,
    /// APIv3 key.
    pub api_v3_key: ApiV3Key,
    /// v3 request signer (merchant key + certificate serial).
    pub signer: MerchantSigner,
    /// WeChat Pay keys the merchant trusts: the platform certificate and the public key id.
    pub store: KeyStore,
}

impl Default for TestMerchant {
    fn default() -> Self {
        Self::new()
    }
}

impl TestMerchant {
    /// The TEST ONLY merchant.
    #[must_use]
    pub fn new() -> Self {
        let sim = Simulator::new();
        let mut store = KeyStore::new();
        store.insert_certificate(&sim.platform_cert);
        store.insert(WechatPayKey::public_key(
            sim.public_key_id.clone(),
            sim.platform_cert.public_key().clone(),
        ));
        Self {
            mchid: sim.mchid.clone(),
            api_v2_key: sim.api_v2_key.clone(),
            api_v3_key: sim.api_v3_key.clone(),
            signer: MerchantSigner::new(
                sim.mchid.clone(),
                sim.merchant_serial.clone(),
                load_key(MERCHANT_KEY_PEM),
            ),
            store,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::ResponseRef;
    use crate::v3::request::JsonRequest;
    use crate::v3::verify::VerifyOptions;
    use rand_core::SeedableRng;

    /// 2026-01-01: inside the TEST ONLY certificates' validity (2020 .. 2099).
    const NOW: u64 = 1_767_225_600;

    #[test]
    fn v3_roundtrip_through_simulator_primitives() {
        let sim = Simulator::new();
        let m = TestMerchant::new();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
        let nonce = Nonce::generate(&mut rng).unwrap();
        let req = JsonRequest::post("https://api.mch.weixin.qq.com/v3/x?y=1", b"{}".to_vec())
            .sign(&m.signer, &mut rng, NOW, &nonce)
            .unwrap()
            .into_http();
        assert!(sim.check_v3_authorization(&req, NOW).is_ok());
        assert_eq!(
            sim.check_v3_authorization(&req, NOW + 1000)
                .unwrap_err()
                .status(),
            401
        );
        let mut tampered = req.clone();
        tampered.body_mut().push(b' ');
        assert_eq!(
            sim.check_v3_authorization(&tampered, NOW)
                .unwrap_err()
                .status(),
            401
        );

        for mode in [SigningKeyMode::Certificate, SigningKeyMode::PublicKey] {
            let sim = Simulator::new().with_signing_mode(mode);
            let resp = sim.signed_v3_reply(&mut rng, StatusCode::OK, b"{\"a\":1}".to_vec(), NOW);
            let v = crate::v3::response::check(
                ResponseRef::from_http(&resp),
                &m.store,
                NOW + 1,
                &VerifyOptions::default(),
            )
            .unwrap();
            assert_eq!(v.key_id, sim.signing_key_id());
        }
    }

    #[test]
    fn v2_primitives() {
        let sim = Simulator::new();
        let m = TestMerchant::new();
        let req = crate::v2::request::post_xml(
            "https://x/y",
            &[("a", "1"), ("nonce_str", "n")],
            &m.api_v2_key,
            SignType::HmacSha256,
            false,
        )
        .unwrap();
        let f = crate::v2::xml::parse(req.body()).unwrap();
        assert_eq!(sim.check_v2_sign(&f).ok(), Some(SignType::HmacSha256));
        let resp = sim.v2_reply(&[("result_code", "SUCCESS")], Some(SignType::HmacSha256));
        let f = crate::v2::reply::parse_and_check(
            resp.body(),
            &m.api_v2_key,
            &crate::v2::reply::Expect::signed(Some(SignType::HmacSha256)),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(f.get("result_code"), Some("SUCCESS"));
        assert!(
            sim.risk_public_key_pkcs1_pem()
                .starts_with("-----BEGIN RSA PUBLIC KEY-----")
        );
    }
}
