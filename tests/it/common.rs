//! Shared helpers for the integration tests. Every key under tests/data is TEST ONLY.
#![allow(dead_code)]

use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::collections::BTreeMap;
use wechatpay_sansio::ids::MchId;
use wechatpay_sansio::keys::{
    KeyId, KeyStore, MerchantPrivateKey, PlatformCertificate, PublicKey, WechatPayKey,
};
use wechatpay_sansio::merchant::Merchant;
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::secret::{ApiV2Key, ApiV3Key};
use wechatpay_sansio::simulator::{Script, Simulator};
use wechatpay_sansio::time::UnixTime;
use wechatpay_sansio::v2::SignType;
use wechatpay_sansio::v3::auth::MerchantSigner;

/// 2026-01-01T00:00:00Z: inside the TEST ONLY certificates' validity (2020 … 2099).
pub const NOW: UnixTime = UnixTime::from_secs(1_767_225_600);

pub type Resp = http::Response<Vec<u8>>;

pub fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn data_path(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub fn text(name: &str) -> String {
    String::from_utf8(data(name)).unwrap()
}

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

pub fn sim() -> Simulator {
    Simulator::new()
}

/// The TEST ONLY merchant matching [`Simulator::new`].
pub fn merchant() -> Merchant {
    Simulator::new().merchant()
}

pub fn merchant_key() -> MerchantPrivateKey {
    MerchantPrivateKey::from_pem(data("test_merchant_key.pem")).unwrap()
}

pub fn platform_cert() -> PlatformCertificate {
    PlatformCertificate::from_pem(data("test_platform_cert.pem")).unwrap()
}

pub fn platform_private_key() -> MerchantPrivateKey {
    // The platform's private key is loaded through the same RSA loader (simulator side).
    MerchantPrivateKey::from_pem(data("test_platform_key.pem")).unwrap()
}

pub const PUB_KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";

/// The platform certificate and the WeChat Pay public key (same key pair).
pub fn store() -> KeyStore {
    let mut s = KeyStore::new();
    s.insert_certificate(&platform_cert());
    let pk = PublicKey::from_pem(data("test_platform_public_key.pem")).unwrap();
    s.insert(WechatPayKey::public_key(
        KeyId::new(PUB_KEY_ID).unwrap(),
        pk,
    ));
    s
}

/// Send a built request to the simulator with `script`.
pub fn send(sim: &Simulator, req: wechatpay_sansio::request::Request, script: &Script) -> Resp {
    sim.handle(&req.into_http(), NOW, &mut rng(99), script)
}

pub fn resp(r: &Resp) -> ResponseRef<'_> {
    ResponseRef::from_http(r)
}

pub fn raw(status: u16, body: &[u8]) -> Resp {
    let mut r = http::Response::new(body.to_vec());
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
    r
}

pub fn body_str(r: &Resp) -> &str {
    std::str::from_utf8(r.body()).unwrap()
}

// ---------------------------------------------------------------- published vectors' keys

/// 2023-11-14T22:13:20Z, the clock of the tests written against the published vectors.
pub const T2023: u64 = 1_700_000_000;

/// Ten mebibytes: bigger than any limit, for the hostile-input tests.
pub const MB10: usize = 10 * 1024 * 1024;

/// The APIv2 key of the official signature example (pay.weixin.qq.com, 安全规范).
pub fn doc_v2_key() -> ApiV2Key {
    ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap()
}

/// An APIv3 key (32 bytes) used by the Go and Java SDK test suites' examples.
pub fn doc_v3_key() -> ApiV3Key {
    ApiV3Key::new(b"a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").unwrap()
}

/// A signer with the TEST ONLY merchant key, for merchant 1900000109.
pub fn doc_signer() -> MerchantSigner {
    MerchantSigner::new(
        MchId::new("1900000109").unwrap(),
        KeyId::new("3C3BBC2B9F5BF4F2").unwrap(),
        merchant_key(),
    )
}

/// Run `f`: the hostile input under test. (How fast each is refused is measured by the benches
/// in benches/, not asserted here: no timed tests.)
pub fn hostile<T>(f: impl FnOnce() -> T) -> T {
    f()
}

// ---------------------------------------------------------------- signed v3 replies

/// `Wechatpay-*` headers of a reply over `body` signed with the TEST ONLY key in
/// `tests/data/{key_file}`, at `ts`, with `nonce`, naming `serial`.
pub fn signed_with(key_file: &str, body: &[u8], ts: &str, nonce: &str, serial: &str) -> HeaderMap {
    let signer = MerchantSigner::new(
        MchId::new("1").unwrap(),
        KeyId::new("01").unwrap(),
        MerchantPrivateKey::from_pem(data(key_file)).unwrap(),
    );
    // Typed out here, not `v3::canonical` (the code under test): `TIMESTAMP\nNONCE\nBODY\n`.
    let msg = [ts.as_bytes(), b"\n", nonce.as_bytes(), b"\n", body, b"\n"].concat();
    let sig = signer.sign(&mut rng(1), &msg).unwrap();
    let mut h = HeaderMap::new();
    h.insert("wechatpay-timestamp", HeaderValue::from_str(ts).unwrap());
    h.insert("wechatpay-nonce", HeaderValue::from_str(nonce).unwrap());
    h.insert("wechatpay-serial", HeaderValue::from_str(serial).unwrap());
    h.insert("wechatpay-signature", HeaderValue::from_str(&sig).unwrap());
    h
}

/// A reply signed by the TEST ONLY platform key, naming the platform certificate.
pub fn platform_signed(body: &[u8], ts: &str, nonce: &str) -> HeaderMap {
    signed_with(
        "test_platform_key.pem",
        body,
        ts,
        nonce,
        platform_cert().serial().as_str(),
    )
}

/// [`signed_with`] at `ts` seconds with the nonce `n0nce`.
pub fn signed_by_at(key_file: &str, body: &[u8], ts: u64, serial: &str) -> HeaderMap {
    signed_with(key_file, body, &ts.to_string(), "n0nce", serial)
}

// ---------------------------------------------------------------- v2 realnameauth and folds

pub const APPID: &str = "wx2421b1c4370ec43b";
pub const OPENID_A: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
pub const OPENID_B: &str = "oUpF8uBBBBBBBBBBBBBBBBBBBBBB";

pub fn realnameauth_req(
    openid: &str,
    sign_type: wechatpay_sansio::v2::SignType,
) -> wechatpay_sansio::api::realnameauth::RealNameAuthRequest {
    let mut r = wechatpay_sansio::api::realnameauth::RealNameAuthRequest::new(
        APPID,
        openid,
        wechatpay_sansio::secret::Personal::new("张三"),
        wechatpay_sansio::api::realnameauth::CredType::IdCard,
        wechatpay_sansio::secret::Personal::new("11010519491231002X"),
        wechatpay_sansio::secret::AccessToken::new("81_TESTONLYtoken"),
    );
    r.version = wechatpay_sansio::api::realnameauth::Version::V1_1;
    r.sign_type = sign_type;
    r
}

pub fn send_realnameauth(
    req: &wechatpay_sansio::api::realnameauth::RealNameAuthRequest,
    m: &Merchant,
    script: wechatpay_sansio::simulator::v2::RealNameAuthScript,
) -> Resp {
    let mut rng = rng(10);
    let http = wechatpay_sansio::api::Operation::build(req, m, &mut rng, NOW)
        .unwrap()
        .into_http();
    let script = Script {
        realnameauth: script,
        ..Script::default()
    };
    Simulator::new().handle(&http, NOW, &mut rng, &script)
}

/// Rebuild `body` with `field`'s element removed and `&field=value` appended to the value of
/// the field that precedes it in byte order: the sign string is unchanged.
pub fn fold(body: &[u8], field: &str) -> Vec<u8> {
    let f = wechatpay_sansio::v2::xml::parse(body).unwrap();
    let mut pairs: Vec<(String, String)> = f
        .iter()
        .filter(|(k, v)| *k != "sign" && !v.is_empty())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    pairs.sort();
    let i = pairs.iter().position(|(k, _)| k == field).unwrap();
    let (name, value) = pairs.remove(i);
    pairs[i - 1].1 = format!("{}&{name}={value}", pairs[i - 1].1);
    let mut xml = String::from("<xml>");
    for (k, v) in pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain([("sign", f.get("sign").unwrap())])
    {
        let v = v.replace('&', "&amp;");
        xml.push_str(&format!("<{k}>{v}</{k}>"));
    }
    xml.push_str("</xml>");
    xml.into_bytes()
}

/// Assert that `$e` matches `$p`, naming the case on failure.
#[macro_export]
macro_rules! assert_matches {
    ($e:expr, $p:pat $(if $g:expr)? $(,)?) => {
        match $e {
            $p $(if $g)? => {}
            ref other => panic!("{}: expected {}, got {other:?}", stringify!($e), stringify!($p)),
        }
    };
    ($e:expr, $p:pat $(if $g:expr)?, $($msg:tt)+) => {
        match $e {
            $p $(if $g)? => {}
            ref other => panic!("{}: expected {}, got {other:?}", format_args!($($msg)+), stringify!($p)),
        }
    };
}

/// An RNG that always fails (error paths of everything that draws randomness).
pub struct FailingRng;

impl rand_core::TryRng for FailingRng {
    type Error = std::fmt::Error;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Err(std::fmt::Error)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Err(std::fmt::Error)
    }
    fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Self::Error> {
        Err(std::fmt::Error)
    }
}

impl rand_core::TryCryptoRng for FailingRng {}

/// `UnixTime::from_secs`, short.
pub const fn t(secs: u64) -> UnixTime {
    UnixTime::from_secs(secs)
}

/// Verify with `store` and `options` at `now` seconds (the tests' shorthand for
/// `Verifier::new(store).with_options(options).verify(..)`).
pub fn verify<'s>(
    headers: &http::HeaderMap,
    body: &[u8],
    store: &'s KeyStore,
    now: u64,
    options: &wechatpay_sansio::v3::verify::VerifyOptions,
) -> Result<&'s KeyId, wechatpay_sansio::v3::verify::VerifyError> {
    wechatpay_sansio::v3::verify::Verifier::new(store)
        .with_options(*options)
        .verify(headers, body, t(now))
}

/// `VerifyOptions` with a skew window of `secs` seconds.
pub fn skew(secs: u64) -> wechatpay_sansio::v3::verify::VerifyOptions {
    wechatpay_sansio::v3::verify::VerifyOptions::default()
        .with_max_skew(core::time::Duration::from_secs(secs))
}

// ---------------------------------------------------------------- proptest strategies

pub fn name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_.-]{0,12}"
}

/// Any string XML 1.0 can carry (no C0 controls except TAB/LF/CR, no U+FFFE/U+FFFF).
pub fn xml_value() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            any::<char>().prop_filter("xml char", |c| matches!(*c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)),
            prop::sample::select(vec!['<', '>', '&', ']', '"', '\'', '\r', '中']),
        ],
        0..24,
    )
    .prop_map(|v| v.into_iter().collect())
}

pub fn map() -> impl Strategy<Value = BTreeMap<String, String>> {
    proptest::collection::btree_map(name(), xml_value(), 0..16)
}

pub fn sign_type() -> impl Strategy<Value = SignType> {
    prop_oneof![Just(SignType::Md5), Just(SignType::HmacSha256)]
}
