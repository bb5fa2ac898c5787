//! The helpers of the library's tests/it/common.rs that tests/cli.rs uses, copied: an
//! integration test of this package cannot reach the library's test modules. Every key under
//! tests/data (the library's, `../tests/data` from this package) is TEST ONLY.

use rand_chacha::ChaCha20Rng;
use wechatpay_sansio::keys::PlatformCertificate;
use wechatpay_sansio::merchant::Merchant;
use wechatpay_sansio::rand_core::SeedableRng;
use wechatpay_sansio::simulator::{Script, Simulator};
use wechatpay_sansio::time::UnixTime;

/// 2026-01-01T00:00:00Z: inside the TEST ONLY certificates' validity (2020 … 2099).
pub const NOW: UnixTime = UnixTime::from_secs(1_767_225_600);

pub type Resp = wechatpay_sansio::http::Response<Vec<u8>>;

pub fn data(name: &str) -> Vec<u8> {
    let path = data_path(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A file of the library's tests/data.
pub fn data_path(name: &str) -> String {
    format!("{}/../tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
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

pub fn platform_cert() -> PlatformCertificate {
    PlatformCertificate::from_pem(data("test_platform_cert.pem")).unwrap()
}

/// Send a built request to the simulator with `script`.
pub fn send(sim: &Simulator, req: wechatpay_sansio::request::Request, script: &Script) -> Resp {
    sim.handle(&req.into_http(), NOW, &mut rng(99), script)
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

/// `UnixTime::from_secs`, short.
pub const fn t(secs: u64) -> UnixTime {
    UnixTime::from_secs(secs)
}
