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

/// The URL with personal data and one-time secrets in the query replaced by `***`.
fn masked_uri(uri: &http::Uri) -> String {
    const SENSITIVE: [&str; 5] = ["truename", "creid", "code", "access_token", "sign"];
    let base = format!(
        "{}://{}{}",
        uri.scheme_str().unwrap_or("https"),
        uri.authority().map_or("", |a| a.as_str()),
        uri.path()
    );
    match uri.query() {
        None => base,
        Some(q) => {
            let parts: Vec<String> = q
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if SENSITIVE.contains(&k) => format!("{k}=***"),
                    _ => kv.to_owned(),
                })
                .collect();
            format!("{base}?{}", parts.join("&"))
        }
    }
}

fn show_request(req: &wechatpay_sansio::request::Request) {
    println!("{} {}", req.method(), masked_uri(req.uri()));
    if req.requires_client_certificate() {
        println!("  (mutual TLS: present the merchant API client certificate)");
    }
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
        &v2::reply::Expect::signed(Some(SignType::HmacSha256)),
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
    let key = merchant
        .store
        .encryption_key(1_767_225_600)
        .ok_or("no encryption key")?;
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

    identity_apis(&sim, &merchant, &mut rng, now)?;
    Ok(())
}

/// The five identity-verification APIs, each built, answered by the simulator, and parsed.
fn identity_apis(
    sim: &Simulator,
    merchant: &TestMerchant,
    rng: &mut rand_chacha::ChaCha20Rng,
    now: u64,
) -> Result {
    use wechatpay_sansio::api::{
        customs, getpublickey, nameauth, oauth, pre_entrust, querymchrisk, realnameauth,
    };
    use wechatpay_sansio::simulator::v2::{TEST_NAMEAUTH_KEY, TEST_NAMEAUTH_SRC, V2Script};
    use wechatpay_sansio::simulator::v3::V3Script;
    let (v2s, v3s) = (V2Script::default(), V3Script::default());
    let exchange = |req: wechatpay_sansio::request::Request, rng: &mut rand_chacha::ChaCha20Rng| {
        show_request(&req);
        let req = req.into_http();
        let resp = sim
            .handle_v2(&req, now, rng, &v2s)
            .or_else(|| sim.handle_v3(&req, now, rng, &v3s));
        let resp = resp.unwrap_or_else(|| http::Response::new(Vec::new()));
        println!(
            "  ← HTTP {} ({} bytes)",
            resp.status().as_u16(),
            resp.body().len()
        );
        resp
    };
    let appid = "wx2421b1c4370ec43b";
    let openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

    section("1a. OAuth: authorize URL, then appauth/getaccesstoken (v2, HMAC-SHA256, JSON reply)");
    let authorize = oauth::AuthorizeUrl {
        mch_id: merchant.mchid.clone(),
        appid: appid.into(),
        redirect_uri: "https://merchant.example/cb".into(),
        scope: oauth::Scope::PayIdentity,
        state: "STATE1".into(),
    };
    println!("authorize: {}", authorize.to_url()?);
    let token_req = oauth::GetAccessTokenRequest {
        mch_id: merchant.mchid.clone(),
        appid: appid.into(),
        openid: openid.into(),
        code: "CODE_FROM_REDIRECT".into(),
        scope: oauth::Scope::PayIdentity,
    };
    let resp = exchange(token_req.build(&merchant.api_v2_key)?, rng);
    let grant = token_req.parse_reply(ResponseRef::from_http(&resp))?;
    println!(
        "outcome: access token {:?}, expires in {} s",
        grant.access_token, grant.access_token_expire_in
    );

    section("1b. 实名验证 secsvc/realnameauth (v2 XML, signed reply)");
    let req = realnameauth::RealNameAuthRequest {
        version: realnameauth::Version::V1_1,
        mch_id: merchant.mchid.clone(),
        appid: appid.into(),
        openid: openid.into(),
        real_name: Personal::new("刘某某"),
        cred_type: realnameauth::CredType::IdCard,
        cred_id: Personal::new("11010519491231002X"),
        nonce_str: Nonce::generate(rng)?,
        access_token: grant.access_token.clone(),
        sign_type: SignType::HmacSha256,
    };
    let resp = exchange(req.build(&merchant.api_v2_key)?, rng);
    let out = req.parse_reply(ResponseRef::from_http(&resp), &merchant.api_v2_key)?;
    println!(
        "outcome: verify_openid {:?}, verify_real_name {:?}, bind_bankcard {:?} → match: {}",
        out.verify_openid,
        out.verify_real_name,
        out.bind_bankcard,
        out.is_match()
    );

    section("2. legacy 实名认证查询 cgi-bin/nameauth/nameautheasy (MD5 query, JSON/JSONP)");
    let req = nameauth::NameAuthRequest::new(
        appid,
        openid,
        TEST_NAMEAUTH_SRC,
        Personal::new("张三"),
        Personal::new("11010519491231002X"),
    );
    let resp = exchange(
        req.build(&nameauth::NameAuthKey::new(TEST_NAMEAUTH_KEY)?)?,
        rng,
    );
    let out = req.parse_reply(ResponseRef::from_http(&resp))?;
    println!(
        "outcome: status {:?} (letter {:?}), name_mask {:?}",
        out.status,
        out.status.letter(),
        out.name_mask
    );

    section(
        "3. 身份信息校验 apihk …/v3/global/customs/verify-certificate (v3, PKCS#1 v1.5 fields)",
    );
    let platform = merchant
        .store
        .get(sim.platform_serial())
        .ok_or("no platform certificate")?;
    let req = customs::VerifyCertificateRequest {
        appid: "wxd678efh567hg6787".into(),
        out_trade_no: "20150806125346".into(),
        transaction_id: "1000320306201511078440737890".into(),
        sub_order_no: None,
        customs: customs::Customs::ShanghaiZs,
        merchant_customs_no: "123456".into(),
        certificate_id: Personal::new("11010519491231002X"),
        certificate_name: Personal::new("张三"),
    };
    let nonce = Nonce::generate(rng)?;
    let resp = exchange(
        req.build(&merchant.signer, platform, rng, now, &nonce)?,
        rng,
    );
    let out = req.parse_reply(
        &merchant.mchid,
        ResponseRef::from_http(&resp),
        &merchant.store,
        now,
        &VerifyOptions::default(),
    )?;
    println!(
        "outcome: certificate_check_result {} (same: {})",
        out.certificate_check_result,
        out.is_same()
    );

    section(
        "4. 预签约(实名) …/pre-entrust-sign-with-real-name-identity/mini-program (v3, OAEP fields)",
    );
    let key = merchant
        .store
        .encryption_key(1_767_225_600)
        .ok_or("no encryption key")?;
    let req = pre_entrust::PreEntrustSignRequest::mini_program(
        "wxd678efh567h23787",
        "APPLYMENT_00000000001",
        openid,
        Personal::new("刘某某"),
        Personal::new("11010519491231002X"),
    );
    let nonce = Nonce::generate(rng)?;
    let resp = exchange(req.build(&merchant.signer, key, rng, now, &nonce)?, rng);
    let out = req.parse_reply(
        ResponseRef::from_http(&resp),
        &merchant.store,
        now,
        &VerifyOptions::default(),
    )?;
    println!("outcome: pre_entrustweb_id {}", out.pre_entrustweb_id);

    section(
        "5. 风险商户核查: risk/getpublickey, then mchrisk/querymchrisk (v2, HMAC, OAEP fields, mTLS)",
    );
    let gpk = getpublickey::GetPublicKeyRequest {
        mch_id: merchant.mchid.clone(),
        nonce_str: Nonce::generate(rng)?,
        sign_type: SignType::HmacSha256,
    };
    let resp = exchange(gpk.build(&merchant.api_v2_key)?, rng);
    let risk_key = gpk.parse_reply(ResponseRef::from_http(&resp))?.key;
    println!("outcome: RSA public key {risk_key:?}");
    let mut req =
        querymchrisk::QueryMchRiskRequest::new(merchant.mchid.clone(), Nonce::generate(rng)?);
    req.business_license_number = Some(Personal::new("91440300MA5XXXXXXX"));
    req.company_name = Some("深圳市某某科技有限公司".into());
    let resp = exchange(req.build(&merchant.api_v2_key, &risk_key, rng)?, rng);
    let out = req.parse_reply(ResponseRef::from_http(&resp))?;
    println!(
        "outcome: risk_level {:?} ({})",
        out.risk_level, out.risk_level_desc
    );
    Ok(())
}
