//! A walk through the protocol core with the bundled TEST ONLY keys:
//! v2 signing, v3 request signing and response verification, field encryption, and
//! notification decryption. Run it with `cargo run --example tour`.

use wechatpay_sansio::cipher::{self, Padding};
use wechatpay_sansio::ids::Nonce;
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::secret::{ApiV2Key, Personal};
use wechatpay_sansio::simulator::{Simulator, TestMerchant};
use wechatpay_sansio::v2::{self, SignType};
use wechatpay_sansio::v3::request::JsonRequest;
use wechatpay_sansio::v3::resource::EncryptedResource;
use wechatpay_sansio::v3::verify::VerifyOptions;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn section(title: &str) {
    println!("\n== {title} ==");
}

fn show_request(req: &wechatpay_sansio::request::Request) {
    println!("{} {}", req.method(), req.uri());
    for (name, value) in req.headers() {
        let v = value.to_str().unwrap_or("<binary>");
        // The Authorization signature is not a secret, but keep the line short.
        let v = if v.len() > 100 {
            format!("{}…", &v[..100])
        } else {
            v.to_owned()
        };
        println!("  {name}: {v}");
    }
    println!("  body: {} bytes", req.body().len());
}

fn main() -> Result {
    // Everything below is deterministic: time, nonces and randomness are arguments.
    let now = 1_700_000_000;
    let mut rng = <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(2026);
    let sim = Simulator::new();
    let merchant = TestMerchant::new();

    section("v2: the official MD5 / HMAC-SHA256 example");
    let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
    let params = [
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ];
    println!("canonical: {}", v2::sign::canonical_string_masked(params)?);
    println!(
        "MD5:         {}",
        v2::sign::sign(params, &key, SignType::Md5)?
    );
    println!(
        "HMAC-SHA256: {}",
        v2::sign::sign(params, &key, SignType::HmacSha256)?
    );

    section("v2: a signed XML request and a verified reply");
    let req = v2::request::post_xml(
        "https://api.mch.weixin.qq.com/pay/orderquery",
        &[
            ("mch_id", merchant.mchid.as_str()),
            ("nonce_str", Nonce::generate(&mut rng)?.as_str()),
        ],
        &merchant.api_v2_key,
        SignType::HmacSha256,
        false,
    )?;
    show_request(&req);
    let fields = v2::xml::parse(req.body())?;
    println!(
        "simulator checks the sign: {:?}",
        sim.check_v2_sign(&fields).map_err(|r| r.status())
    );
    let reply = sim.v2_reply(
        &[("result_code", "SUCCESS"), ("trade_state", "SUCCESS")],
        Some(SignType::HmacSha256),
    );
    let checked = v2::reply::parse_and_check(
        reply.body(),
        &merchant.api_v2_key,
        v2::reply::ReplySigning::Signed {
            expected: Some(SignType::HmacSha256),
        },
        &Default::default(),
    )?;
    println!(
        "reply verified: trade_state = {:?}",
        checked.get("trade_state")
    );

    section("v3: a signed JSON request, checked by the simulator");
    let nonce = Nonce::generate(&mut rng)?;
    let req = JsonRequest::post(
        "https://api.mch.weixin.qq.com/v3/pay/transactions/jsapi",
        br#"{"amount":{"total":1}}"#.to_vec(),
    )
    .sign(&merchant.signer, &mut rng, now, &nonce)?;
    show_request(&req);
    let http_req = req.into_http();
    println!(
        "simulator verifies Authorization: {}",
        sim.check_v3_authorization(&http_req, now).is_ok()
    );

    section("v3: a signed reply, verified with the key store");
    let resp = sim.signed_v3_reply(
        &mut rng,
        http::StatusCode::OK,
        br#"{"prepay_id":"wx201410272009395522657a690389285100"}"#.to_vec(),
        now,
    );
    let verified = wechatpay_sansio::v3::response::check(
        ResponseRef::from_http(&resp),
        &merchant.store,
        now + 5,
        &VerifyOptions::default(),
    )?;
    println!(
        "verified with key {} → {}",
        verified.key_id,
        String::from_utf8_lossy(verified.body)
    );
    let stale = wechatpay_sansio::v3::response::check(
        ResponseRef::from_http(&resp),
        &merchant.store,
        now + 600,
        &VerifyOptions::default(),
    );
    println!(
        "ten minutes later: {}",
        stale.err().map(|e| e.to_string()).unwrap_or_default()
    );

    section("sensitive fields: RSA encryption");
    let name = Personal::new("张三");
    let key = merchant.store.encryption_key().ok_or("no encryption key")?;
    let oaep = cipher::encrypt_personal(&mut rng, key.key(), Padding::Oaep, &name)?;
    let pkcs1 = cipher::encrypt_personal(&mut rng, key.key(), Padding::Pkcs1v15, &name)?;
    println!(
        "name {name:?} → OAEP {}… ({} chars), PKCS#1 v1.5 {}…",
        &oaep[..24],
        oaep.len(),
        &pkcs1[..24]
    );
    println!("Wechatpay-Serial to send: {}", key.id());

    section("notifications: AES-256-GCM resource");
    let resource = EncryptedResource::encrypt(
        &merchant.api_v3_key,
        "Kj7QIyUiYx1q",
        "transaction",
        "transaction",
        br#"{"out_trade_no":"1217752501201407033233368018","trade_state":"SUCCESS"}"#,
    )
    .ok_or("encrypt")?;
    let plaintext = resource.decrypt(&merchant.api_v3_key)?;
    println!("decrypted: {}", String::from_utf8_lossy(&plaintext));

    Ok(())
}
