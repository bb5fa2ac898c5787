//! An offline stand-in for WeChat Pay (feature `simulator`), for tests and integration harnesses.
//!
//! It holds the platform side's keys (all bundled **TEST ONLY** keys, generated for this crate),
//! checks requests the way WeChat Pay does (v2 `sign`, v3 `Authorization`, encrypted fields,
//! required fields) and answers with correctly signed replies whose outcome the test chooses.
//!
//! [`Simulator::merchant`] is the matching merchant side: a [`Merchant`] with the same mchid,
//! APIv2/APIv3 keys, merchant private key, risk key and `nameautheasy` credentials, trusting the
//! simulator's platform certificate and WeChat Pay public key. [`pem`] exports the TEST ONLY
//! keys and certificates so that your own tests need not copy files.
//!
//! ```
//! use wechatpay_sansio::simulator::Simulator;
//! let sim = Simulator::new();
//! let merchant = sim.merchant();
//! assert_eq!(merchant.mchid(), sim.mchid());
//! ```
//!
//! ## The v3 payment sandbox
//!
//! The simulator also keeps an in-memory order book (shared by all clones of a [`Simulator`])
//! and serves the v3 payment endpoints from it: prepay (direct and partner; JSAPI, APP, H5,
//! Native), order query, close, refund, refund query, and `GET /v3/certificates`
//! ([`pay_v3`]). The test plays the user and WeChat Pay's back office ([`sandbox`]):
//! [`Simulator::pay`] pays an order and [`Simulator::complete_refund`] ends a refund, each
//! returning the signed, encrypted notification to deliver to the merchant; retries,
//! duplicated and out-of-order deliveries come from [`Simulator::transaction_notification`],
//! [`Simulator::refund_notification`] and [`Simulator::notifications`]. Faults (429, 500, no
//! reply, a lost reply, a stale platform serial, a reply altered in transit, a refund that fails
//! at once) are scripted per endpoint through [`Script::pay`]; [`Simulator::handle_or_drop`]
//! returns `None` for a reply that never comes. The sandbox is written from the official wire
//! format, not from this crate's payment operations, so that it can catch their mistakes.

pub mod bills;
pub mod media;
pub mod pay_v2;
pub mod pay_v3;
pub mod pem;
pub mod sandbox;
pub mod v2;
pub mod v2_refund_notify;
pub mod v3;

use crate::crypto::{RsaPrivate as _, RsaPublic as _};
use crate::ids::{MchId, Nonce};
use crate::keys::{KeyId, MerchantPrivateKey, PlatformCertificate, PublicKey, WechatPayKey};
use crate::merchant::Merchant;
use crate::secret::{ApiV2Key, ApiV3Key, NameAuthKey};
use crate::time::UnixTime;
use crate::v2::{Fields, SignType};
use crate::v3::auth::Authorization;
use crate::v3::header;
use crate::v3::resource::EncryptedResource;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use core::time::Duration;
use http::{HeaderValue, Response, StatusCode};
use rand_core::TryCryptoRng;
use std::sync::{Arc, Mutex};

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

/// One scripted outcome per endpoint, for [`Simulator::handle`]. The default answers
/// "everything matches": `realnameauth` matched, `nameautheasy` A, risk `LOW`, a token grant,
/// customs `SAME`, a pre-entrust id, and no fault in the payment sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    /// `secsvc/realnameauth`.
    pub realnameauth: v2::RealNameAuthScript,
    /// `cgi-bin/nameauth/nameautheasy`.
    pub nameauth: v2::NameAuthScript,
    /// `mchrisk/querymchrisk`.
    pub querymchrisk: v2::RiskScript,
    /// `appauth/getaccesstoken`.
    pub getaccesstoken: v2::AccessTokenScript,
    /// `v3/global/customs/verify-certificate`.
    pub customs: v3::CustomsScript,
    /// `pre-entrust-sign-with-real-name-identity/*`.
    pub pre_entrust: v3::PreEntrustScript,
    /// The v3 payment sandbox's faults ([`pay_v3`]); the default has none.
    pub pay: pay_v3::PayScript,
    /// The v2 payment endpoints (`pay/unifiedorder`, `orderquery`, `closeorder`,
    /// `secapi/pay/refund`, `refundquery`): scripted failures; by default the order book
    /// answers.
    pub pay_v2: pay_v2::PayV2Script,
    /// The bill endpoints ([`bills`]): apply, download; the default has no fault.
    pub bills: bills::BillScript,
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

/// Where the simulator stands in a platform-certificate rotation: which certificates
/// `GET /v3/certificates` serves and which key signs v3 replies and notifications (in
/// [`SigningKeyMode::Certificate`]). The next certificate is the TEST ONLY
/// [`pem::PLATFORM2_CERTIFICATE`] (valid 2026-11-25 … 2126-11-01; its key is also the risk key).
///
/// ```
/// use wechatpay_sansio::simulator::{PlatformRotation, Simulator};
/// let sim = Simulator::new().with_platform_rotation(PlatformRotation::Switched);
/// assert_eq!(sim.signing_serial(), sim.next_platform_serial());
/// assert_ne!(sim.platform_serial(), sim.next_platform_serial());
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlatformRotation {
    /// No rotation: the platform certificate is served and signs.
    #[default]
    None,
    /// The next certificate is published beside the current one, which still signs.
    Published,
    /// Both are served; the next one signs.
    Switched,
    /// The old certificate is retired: only the next one is served, and it signs.
    Retired,
}

/// How the simulator lays out the v2 XML replies of [`Simulator::v2_reply`] (the values, hence
/// the `sign`, are the same in every layout; whitespace between elements is not signed).
///
/// The layouts are those of real replies (tests/data/real, INDEX.md): production replies put a
/// newline before every element but the first (`FAIL` replies, byte-identical from 2016 to
/// 2024); the sandbox and the documents' examples indent one element per line, the sandbox
/// with CRLF. The non-compact layouts write text in CDATA, digits bare (`<total_fee>1</total_fee>`
/// next to CDATA siblings), an empty value as empty CDATA, and escape with entities the values
/// CDATA cannot carry as such (`]]>`, CR). [`v2_fail`] always writes the production bytes.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum V2Layout {
    /// [`crate::v2::xml::to_xml`]: names sorted, no whitespace, entities, no CDATA.
    #[default]
    Compact,
    /// Production: `<xml><a><![CDATA[x]]></a>\n<b>1</b>\n</xml>`, fields in reply order.
    Newlines,
    /// Sandbox and document examples: `<xml>\n  <a><![CDATA[x]]></a>\n</xml>`.
    Indented,
    /// The sandbox's CRLF variant: `<xml>\r\n  <a><![CDATA[x]]></a>\r\n</xml>`.
    IndentedCrlf,
}

/// `pairs` as a v2 XML body in `layout`; empty if [`crate::v2::xml::to_xml`] refuses them
/// (invalid or repeated name, a character XML cannot carry).
fn render_v2(pairs: &[(&str, &str)], layout: V2Layout) -> String {
    let compact = crate::v2::xml::to_xml(pairs.iter().copied()).unwrap_or_default();
    let (open, sep, close) = match layout {
        _ if compact.is_empty() => return compact,
        V2Layout::Compact => return compact,
        V2Layout::Newlines => ("<xml>", "\n", "\n</xml>"),
        V2Layout::Indented => ("<xml>\n  ", "\n  ", "\n</xml>"),
        V2Layout::IndentedCrlf => ("<xml>\r\n  ", "\r\n  ", "\r\n</xml>"),
    };
    let mut out = String::from(open);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(&format!("<{k}>"));
        if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(v);
        } else if v.contains("]]>") || v.contains('\r') {
            for c in v.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '\r' => out.push_str("&#13;"),
                    c => out.push(c),
                }
            }
        } else {
            out.push_str(&format!("<![CDATA[{v}]]>"));
        }
        out.push_str(&format!("</{k}>"));
    }
    out.push_str(close);
    out
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
    /// The certificate a rotation moves to, and its key ([`PlatformRotation`]).
    pub(crate) next_platform_key: MerchantPrivateKey,
    pub(crate) next_platform_cert: PlatformCertificate,
    pub(crate) rotation: PlatformRotation,
    pub(crate) risk_key: MerchantPrivateKey,
    pub(crate) signing_mode: SigningKeyMode,
    pub(crate) max_skew: Duration,
    pub(crate) v2_layout: V2Layout,
    /// The payment sandbox's orders and refunds ([`sandbox`]), shared by every clone.
    pub(crate) book: Arc<Mutex<sandbox::OrderBook>>,
    /// The v2 payment order book ([`pay_v2`]), shared by the clones of this simulator.
    pub(crate) v2_orders: Arc<Mutex<pay_v2::V2OrderBook>>,
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
        let platform_cert = ok(PlatformCertificate::from_pem(pem::PLATFORM_CERTIFICATE));
        Self {
            mchid: ok(MchId::new(TEST_MCHID)),
            api_v2_key: ok(ApiV2Key::new(TEST_API_V2_KEY)),
            api_v3_key: ok(ApiV3Key::new(TEST_API_V3_KEY)),
            merchant_public_key: load_key(pem::MERCHANT_PRIVATE_KEY).public_key(),
            merchant_serial: ok(KeyId::new(TEST_MERCHANT_SERIAL)),
            platform_key: load_key(pem::PLATFORM_PRIVATE_KEY),
            platform_cert,
            public_key_id: ok(KeyId::new(TEST_PUB_KEY_ID)),
            next_platform_key: load_key(pem::PLATFORM2_PRIVATE_KEY),
            next_platform_cert: ok(PlatformCertificate::from_pem(pem::PLATFORM2_CERTIFICATE)),
            rotation: PlatformRotation::None,
            risk_key: load_key(pem::RISK_PRIVATE_KEY),
            signing_mode: SigningKeyMode::Certificate,
            max_skew: Duration::from_secs(300),
            v2_layout: V2Layout::Compact,
            book: Arc::default(),
            v2_orders: Arc::default(),
        }
    }

    /// The merchant side matching this simulator (all TEST ONLY): mchid, APIv2 and APIv3 keys,
    /// the v3 signer, the risk key of `risk/getpublickey`, the `nameautheasy` `src` and key,
    /// and a key store trusting the platform certificate and the WeChat Pay public key.
    #[must_use]
    pub fn merchant(&self) -> Merchant {
        let risk_key = ok(PublicKey::from_pem(self.risk_public_key_pkcs1_pem()));
        Merchant::from_mchid(self.mchid.clone())
            .with_api_v2_key(self.api_v2_key.clone())
            .with_api_v3_key(self.api_v3_key.clone())
            .with_signer(
                self.merchant_serial.clone(),
                load_key(pem::MERCHANT_PRIVATE_KEY),
            )
            .with_wechatpay_key(WechatPayKey::certificate(&self.platform_cert))
            .with_wechatpay_key(WechatPayKey::public_key(
                self.public_key_id.clone(),
                self.platform_cert.public_key().clone(),
            ))
            .with_risk_key(risk_key)
            .with_nameauth(
                v2::TEST_NAMEAUTH_SRC,
                ok(NameAuthKey::new(v2::TEST_NAMEAUTH_KEY)),
            )
    }

    /// Answer a request as WeChat Pay would, with `script`'s outcomes: the v2 and v3 identity
    /// endpoints and the v3 payment sandbox by path ([`Simulator::handle_v2`],
    /// [`Simulator::handle_v3`]); any other path gets a 404 with an empty body.
    ///
    /// `rng` draws the simulator's nonces and, under RustCrypto, the randomness of its RSA
    /// operations (signing, decryption); under `aws-lc-rs` the RSA operations do not consult it.
    pub fn handle<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        now: UnixTime,
        rng: &mut R,
        script: &Script,
    ) -> Response<Vec<u8>> {
        self.handle_v2(req, now, rng, script)
            .or_else(|| self.handle_v3(req, now, rng, script))
            .unwrap_or_else(|| {
                let mut r = Response::new(Vec::new());
                *r.status_mut() = StatusCode::NOT_FOUND;
                r
            })
    }

    /// Lay out v2 replies as real ones are ([`V2Layout`]; default [`V2Layout::Compact`]).
    #[must_use]
    pub fn with_v2_layout(mut self, layout: V2Layout) -> Self {
        self.v2_layout = layout;
        self
    }

    /// Sign v3 replies under the certificate serial or the `PUB_KEY_ID_…`.
    #[must_use]
    pub fn with_signing_mode(mut self, mode: SigningKeyMode) -> Self {
        self.signing_mode = mode;
        self
    }

    /// Move to `rotation` in a platform-certificate rotation (clones share the order books, so
    /// a test can hold one simulator per phase).
    #[must_use]
    pub fn with_platform_rotation(mut self, rotation: PlatformRotation) -> Self {
        self.rotation = rotation;
        self
    }

    /// The serial of the certificate a rotation moves to ([`pem::PLATFORM2_CERTIFICATE`]).
    #[must_use]
    pub fn next_platform_serial(&self) -> &KeyId {
        self.next_platform_cert.serial()
    }

    /// The id in `Wechatpay-Serial` of the v3 replies and notifications the simulator signs now.
    ///
    /// ```
    /// use wechatpay_sansio::simulator::{Simulator, SigningKeyMode};
    /// let sim = Simulator::new();
    /// assert_eq!(sim.signing_serial(), sim.platform_serial());
    /// let pk = sim.with_signing_mode(SigningKeyMode::PublicKey);
    /// assert_eq!(pk.signing_serial(), pk.public_key_id());
    /// ```
    #[must_use]
    pub fn signing_serial(&self) -> &KeyId {
        self.signing_key_id()
    }

    /// The certificates `GET /v3/certificates` serves now.
    pub(crate) fn served_certificates(&self) -> Vec<(&PlatformCertificate, &'static str)> {
        let old = (&self.platform_cert, pem::PLATFORM_CERTIFICATE);
        let new = (&self.next_platform_cert, pem::PLATFORM2_CERTIFICATE);
        match self.rotation {
            PlatformRotation::None => vec![old],
            PlatformRotation::Published | PlatformRotation::Switched => vec![old, new],
            PlatformRotation::Retired => vec![new],
        }
    }

    /// Whether the next certificate's key signs now.
    fn signs_with_next(&self) -> bool {
        self.signing_mode == SigningKeyMode::Certificate
            && matches!(
                self.rotation,
                PlatformRotation::Switched | PlatformRotation::Retired
            )
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
    pub(crate) fn signing_key_id(&self) -> &KeyId {
        match self.signing_mode {
            SigningKeyMode::Certificate if self.signs_with_next() => {
                self.next_platform_cert.serial()
            }
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
        now: UnixTime,
    ) -> Result<(), Response<Vec<u8>>> {
        self.check_v3_authorization_over(req, now, req.body())
    }

    /// [`Simulator::check_v3_authorization`] with `signed` as the body line of the message (a
    /// media upload's `meta` part).
    #[allow(clippy::result_large_err)] // as above
    pub(crate) fn check_v3_authorization_over(
        &self,
        req: &http::Request<Vec<u8>>,
        now: UnixTime,
        signed: &[u8],
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
        let msg = v3_request_message(
            req.method().as_str(),
            path,
            auth.timestamp.as_secs(),
            &auth.nonce_str,
            signed,
        );
        let sig = STANDARD
            .decode(&auth.signature)
            .map_err(|_| sign_error("签名错误"))?;
        if self.merchant_public_key.0.verify_sha256(&[&msg], &sig) {
            Ok(())
        } else {
            Err(sign_mismatch(
                req.method().as_str(),
                path,
                &msg,
                signed.len(),
            ))
        }
    }

    /// A signed v3 reply: `Wechatpay-Timestamp/Nonce/Serial/Signature(-Type)` over `body`.
    ///
    /// `rng` draws the simulator's nonces and, under RustCrypto, the randomness of its RSA
    /// operations (signing, decryption); under `aws-lc-rs` the RSA operations do not consult it.
    ///
    /// # Errors
    /// Only if the RNG fails (a 500 reply is returned then).
    pub fn signed_v3_reply<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        status: StatusCode,
        body: Vec<u8>,
        now: UnixTime,
    ) -> Response<Vec<u8>> {
        let Some(headers) = self.signature_headers(rng, &body, now) else {
            return v3_error(StatusCode::INTERNAL_SERVER_ERROR, "SYSTEMERROR", "rng");
        };
        let mut resp = Response::new(body);
        *resp.status_mut() = status;
        *resp.headers_mut() = headers;
        // As real v3 replies carry it (tests/data/real/v3_certificates_*_headers.txt).
        resp.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        resp.headers_mut().insert(
            header::REQUEST_ID.clone(),
            HeaderValue::from_static("08F4D2B3B20610B0081899C6B9B3062002-0"),
        );
        resp
    }

    /// The four `Wechatpay-*` headers (and `Wechatpay-Signature-Type`) of `body` signed at
    /// `now` with the platform key, under [`Simulator::signing_key_id`]. `None` if the RNG fails.
    fn signature_headers<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        body: &[u8],
        now: UnixTime,
    ) -> Option<http::HeaderMap> {
        let nonce = Nonce::generate(rng).ok()?;
        let ts = now.as_secs().to_string();
        let msg = v3_response_message(&ts, nonce.as_str(), body);
        let key = if self.signs_with_next() {
            &self.next_platform_key
        } else {
            &self.platform_key
        };
        let sig = key.0.sign_sha256(rng, &[&msg]).ok()?;
        let mut h = http::HeaderMap::new();
        let hv = |s: &str| HeaderValue::from_str(s).unwrap_or(HeaderValue::from_static("invalid"));
        h.insert(header::WECHATPAY_TIMESTAMP.clone(), hv(&ts));
        h.insert(header::WECHATPAY_NONCE.clone(), hv(nonce.as_str()));
        h.insert(
            header::WECHATPAY_SERIAL.clone(),
            hv(self.signing_key_id().as_str()),
        );
        h.insert(
            header::WECHATPAY_SIGNATURE.clone(),
            hv(&STANDARD.encode(sig)),
        );
        h.insert(
            header::WECHATPAY_SIGNATURE_TYPE.clone(),
            HeaderValue::from_static(crate::v3::SCHEME),
        );
        Some(h)
    }

    /// A v3 notification as WeChat Pay would POST it to the merchant's notify URL at `now`:
    /// `payload` (the resource's plaintext JSON) encrypted with the APIv3 key
    /// (`AEAD_AES_256_GCM`), wrapped in the envelope (`id`, `create_time`, `event_type`,
    /// `resource_type`, `summary`), signed with the platform key. Tamper with the returned
    /// request to test the merchant's refusals.
    ///
    /// `rng` draws the simulator's nonces and, under RustCrypto, the randomness of its RSA
    /// operations (signing, decryption); under `aws-lc-rs` the RSA operations do not consult it.
    ///
    /// ```
    /// use wechatpay_sansio::{simulator::Simulator, time::UnixTime, v3::notify};
    /// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    /// let sim = Simulator::new();
    /// let now = UnixTime::from_secs(1_767_225_600);
    /// let req = sim.notification("REFUND.SUCCESS", br#"{"out_refund_no":"R1"}"#, now, &mut rng);
    /// let m = sim.merchant();
    /// let n = notify::parse(req.headers(), req.body(), &m.verifier(), m.api_v3_key()?, now)?;
    /// assert_eq!(&n.plaintext[..], br#"{"out_refund_no":"R1"}"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn notification<R: TryCryptoRng + ?Sized>(
        &self,
        event_type: &str,
        payload: &[u8],
        now: UnixTime,
        rng: &mut R,
    ) -> http::Request<Vec<u8>> {
        let nonce = Nonce::generate(rng)
            .ok()
            .and_then(|n| n.as_str().get(..12).map(str::to_owned))
            .unwrap_or_else(|| "000000000000".to_owned());
        let original_type = event_type
            .split('.')
            .next()
            .unwrap_or("transaction")
            .to_ascii_lowercase();
        let resource = EncryptedResource::encrypt(
            &self.api_v3_key,
            &nonce,
            &original_type,
            &original_type,
            payload,
        );
        // WeChat Pay's key order (real notifications: wechatpay-java#120, ruoyi-vue-pro#956),
        // not serde_json's sorted map: a merchant that re-serialises the body before verifying
        // breaks the signature here as it would in production.
        let q = |s: &str| serde_json::Value::from(s).to_string();
        let resource = resource.map_or_else(
            || "null".to_owned(),
            |r| {
                format!(
                    r#"{{"original_type":{},"algorithm":{},"ciphertext":{},"associated_data":{},"nonce":{}}}"#,
                    q(r.original_type.as_deref().unwrap_or_default()),
                    q(&r.algorithm),
                    q(&r.ciphertext),
                    q(r.associated_data.as_deref().unwrap_or_default()),
                    q(&r.nonce),
                )
            },
        );
        let body = format!(
            r#"{{"id":{},"create_time":"2026-01-01T00:00:00+08:00","resource_type":"encrypt-resource","event_type":{},"summary":"TEST ONLY","resource":{resource}}}"#,
            q(&format!("TESTONLY-{}-{}", now.as_secs(), nonce)),
            q(event_type),
        )
        .into_bytes();
        let headers = self.signature_headers(rng, &body, now).unwrap_or_default();
        let mut req = http::Request::new(body);
        *req.method_mut() = http::Method::POST;
        *req.uri_mut() = http::Uri::from_static("https://merchant.example/wechatpay/notify");
        *req.headers_mut() = headers;
        req.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        req
    }

    /// Check a v2 request body's `sign` with the APIv2 key; `sign_type` from the body (absent → MD5).
    ///
    /// # Errors
    /// The `FAIL` reply WeChat Pay sends (`return_msg` 签名错误 or a parameter error).
    #[allow(clippy::result_large_err)] // the error is the reply to send; the simulator is not a hot path
    pub fn check_v2_sign(&self, fields: &Fields<'_>) -> Result<SignType, Response<Vec<u8>>> {
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

    /// A v2 XML reply of exactly `fields` (in the simulator's layout, unsigned).
    #[must_use]
    pub(crate) fn v2_reply_as_is(&self, fields: &[(&str, &str)]) -> Response<Vec<u8>> {
        xml_response(StatusCode::OK, render_v2(fields, self.v2_layout))
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
        xml_response(StatusCode::OK, render_v2(&pairs, self.v2_layout))
    }
}

// The v3 signed message, typed out here a second time ON PURPOSE. `crate::v3::canonical` is the
// one definition the merchant side uses (authorization, verification, paysign, notifications);
// the simulator is the test oracle for that code, and an oracle that reuses the code under test
// cannot catch its bugs: a wrong layout would be signed and checked identically on both sides
// and every round trip would still pass. Do not replace these with calls into `canonical` (nor
// its `Decimal`); `tests::simulator_layout_agrees_with_canonical` checks that the two agree.

/// What WeChat Pay verifies a request's `Authorization` against:
/// `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`.
fn v3_request_message(
    method: &str,
    path_and_query: &str,
    timestamp: u64,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut msg = format!("{method}\n{path_and_query}\n{timestamp}\n{nonce}\n").into_bytes();
    msg.extend_from_slice(body);
    msg.push(b'\n');
    msg
}

/// What WeChat Pay signs a reply or a notification over: `TIMESTAMP\nNONCE\nBODY\n`.
fn v3_response_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut msg = format!("{timestamp}\n{nonce}\n").into_bytes();
    msg.extend_from_slice(body);
    msg.push(b'\n');
    msg
}

/// The 401 `SIGN_ERROR` of a request whose signature does not verify, in the production shape
/// (a real reply of 2025, tests/data/real/v3_error_sign_error_real_payment_sdk.json): the issue
/// nested in `detail.detail`, and `detail.sign_information` with the method, the URL, the
/// length of the message WeChat Pay checked and its start — up to the nonce line, then at
/// most 8 bytes of the body and `\n` (which matches both published samples; the real cut-off
/// rule is unknown).
fn sign_mismatch(method: &str, url: &str, msg: &[u8], body_len: usize) -> Response<Vec<u8>> {
    let head = msg.len().saturating_sub(body_len + 1);
    let mut end = (head + body_len.min(8)).min(msg.len());
    while end > head && core::str::from_utf8(&msg[head..end]).is_err() {
        end -= 1;
    }
    let mut truncated = String::from_utf8_lossy(&msg[..end]).into_owned();
    truncated.push('\n');
    v3_error_with_detail(
        StatusCode::UNAUTHORIZED,
        "SIGN_ERROR",
        "签名错误",
        serde_json::json!({
            "detail": { "issue": "sign not match" },
            "field": "signature",
            "location": "authorization",
            "sign_information": {
                "method": method,
                "sign_message_length": msg.len(),
                "truncated_sign_message": truncated,
                "url": url,
            },
        }),
    )
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
pub(crate) fn v3_error_with_detail(
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

/// A v2 `return_code=FAIL` reply, in the production layout ([`V2Layout::Newlines`]): for
/// 签名错误 byte-identical to the real replies of 2016–2024 (tests/data/real).
#[must_use]
pub fn v2_fail(return_msg: &str) -> Response<Vec<u8>> {
    let body = render_v2(
        &[("return_code", "FAIL"), ("return_msg", return_msg)],
        V2Layout::Newlines,
    );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::ResponseRef;
    use crate::v3::request::JsonRequest;
    use rand_core::SeedableRng;

    /// 2026-01-01: inside the TEST ONLY certificates' validity (2020 .. 2099).
    const NOW: UnixTime = UnixTime::from_secs(1_767_225_600);

    #[test]
    fn v3_roundtrip_through_simulator_primitives() {
        let sim = Simulator::new();
        let m = sim.merchant();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
        let nonce = Nonce::generate(&mut rng).unwrap();
        let req = JsonRequest::post("https://api.mch.weixin.qq.com/v3/x?y=1", b"{}".to_vec())
            .sign(m.signer().unwrap(), &mut rng, NOW, &nonce)
            .unwrap()
            .into_http();
        assert!(sim.check_v3_authorization(&req, NOW).is_ok());
        assert_eq!(
            sim.check_v3_authorization(&req, NOW + Duration::from_secs(1000))
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
                &m.verifier(),
                NOW + Duration::from_secs(1),
            )
            .unwrap();
            assert_eq!(v.key_id, sim.signing_key_id());
        }
    }

    #[test]
    fn v2_primitives() {
        let sim = Simulator::new();
        let m = sim.merchant();
        let req = crate::v2::request::post_xml(
            "https://x/y",
            &[("a", "1"), ("nonce_str", "n")],
            m.api_v2_key().unwrap(),
            SignType::HmacSha256,
            false,
        )
        .unwrap();
        let f = crate::v2::xml::parse(req.body()).unwrap();
        assert_eq!(sim.check_v2_sign(&f).ok(), Some(SignType::HmacSha256));
        let resp = sim.v2_reply(&[("result_code", "SUCCESS")], Some(SignType::HmacSha256));
        let f = crate::v2::reply::parse_and_check(
            resp.body(),
            m.api_v2_key().unwrap(),
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

    /// The simulator's own layout (the oracle) and `v3::canonical` (the code under test) agree
    /// on the official v3 examples and on odd inputs: rendered byte for byte, and hashed (what
    /// one side signs, the other verifies).
    #[test]
    fn simulator_layout_agrees_with_canonical() {
        use crate::v3::canonical::{self, Decimal, Message};
        let sim = Simulator::new();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(16);

        // wechatpay-go credentials test (tests/data/VECTORS.md): the canonical request strings.
        let official: [(&str, &[u8], &[u8]); 2] = [
            (
                "GET",
                b"",
                b"GET\n/v3/certificates\n1624523846\nA1B2C3D4E5F6G7\n\n",
            ),
            (
                "POST",
                b"Hello World!\n",
                b"POST\n/v3/certificates\n1624523846\nA1B2C3D4E5F6G7\nHello World!\n\n",
            ),
        ];
        for (method, body, expected) in official {
            let oracle = v3_request_message(
                method,
                "/v3/certificates",
                1624523846,
                "A1B2C3D4E5F6G7",
                body,
            );
            assert_eq!(oracle, expected);
            let ts = UnixTime::from_secs(1624523846);
            let ours =
                canonical::request_message(method, "/v3/certificates", ts, "A1B2C3D4E5F6G7", body);
            assert_eq!(ours, expected);
        }

        // wechatpay-go notification: WeChat Pay's real signature over `TS\nNONCE\nBODY\n`
        // verifies over the oracle's bytes and over canonical's streamed message alike.
        let cert =
            PlatformCertificate::from_pem(include_str!("../../tests/data/go_platform_cert.pem"))
                .unwrap();
        let body = include_bytes!("../../tests/data/go_notify_body.json");
        let (ts, nonce) = ("1624523846", "EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz");
        let sig = STANDARD
            .decode(
                include_str!("../../tests/data/go_notify_headers.txt")
                    .lines()
                    .find_map(|l| l.strip_prefix("Wechatpay-Signature: "))
                    .unwrap(),
            )
            .unwrap();
        let key = &cert.public_key().0;
        let oracle = v3_response_message(ts, nonce, body);
        assert!(key.verify_sha256(&[&oracle], &sig));
        assert!(Message::response(ts, nonce, body).verify(key, &sig));
        assert_eq!(canonical::response_message(ts, nonce, body), oracle);
        let mut tampered = body.to_vec();
        tampered[10] ^= 1;
        assert!(!Message::response(ts, nonce, &tampered).verify(key, &sig));

        // Odd inputs: empty body, bodies holding `\n`, non-ASCII and non-UTF-8 bytes, empty
        // lines, the extreme timestamps.
        let bodies: [&[u8]; 7] = [
            b"",
            b"\n",
            b"{\"a\":\n1}\n\n",
            "{\"description\":\"微信支付 测试\"}".as_bytes(),
            b"\xff\xfe\x00\r\n",
            b"  ",
            b"{}",
        ];
        let merchant = &load_key(pem::MERCHANT_PRIVATE_KEY).0;
        for (i, body) in bodies.into_iter().enumerate() {
            let secs = [0, 1624523846, u64::MAX][i % 3];
            let (method, path, nonce) = [
                ("POST", "/v3/pay/transactions/jsapi", "A1B2C3D4E5F6G7"),
                ("GET", "/v3/x?q=%E4%B8%AD&b=", ""),
                ("DELETE", "/", "n\u{4e2d}"),
            ][i % 3];
            let ts = Decimal::new(secs);

            // Request: canonical renders and signs; the oracle's bytes must match and verify.
            let oracle = v3_request_message(method, path, secs, nonce, body);
            let message = Message::request(method, path, &ts, nonce, body);
            assert_eq!(message.to_bytes(), oracle, "request {i}");
            let sig = message.sign(merchant, &mut rng).unwrap();
            assert!(
                sim.merchant_public_key.0.verify_sha256(&[&oracle], &sig),
                "request {i}"
            );

            // Response: the oracle signs its bytes; canonical's streamed message must verify.
            let ts_s = secs.to_string();
            let oracle = v3_response_message(&ts_s, nonce, body);
            let message = Message::response(&ts_s, nonce, body);
            assert_eq!(message.to_bytes(), oracle, "response {i}");
            let sig = sim
                .platform_key
                .0
                .sign_sha256(&mut rng, &[&oracle])
                .unwrap();
            assert!(
                message.verify(&sim.platform_key.0.public_key(), &sig),
                "response {i}"
            );
        }
    }
}
