//! A walk through the protocol core with the bundled TEST ONLY keys, offline (nothing here
//! contacts WeChat Pay): v2 signing and reply checks, the v3 `Authorization`, reply and
//! notification verification, field encryption, every typed API through the simulator (the
//! payment lifecycle, v3 and v2, included), what
//! each error means ("what now?"), and certificate validity.
//!
//! Run it with `cargo run --example tour`. Everything is deterministic: the time, the nonces and
//! the RNG are arguments (a seeded ChaCha20 here; under the `aws-lc-rs` backend the RSA
//! operations do not consult it, so ciphertexts differ from run to run there).

use std::io::Write as _;

use core::time::Duration;
use wechatpay_sansio::api::{
    ApiError, Operation, customs, getpublickey, nameauth, oauth, pre_entrust, querymchrisk,
    realnameauth,
};
use wechatpay_sansio::cipher::{self, Padding};
use wechatpay_sansio::error::Classify;
use wechatpay_sansio::ids::Nonce;
use wechatpay_sansio::keys::{KeyStore, PlatformCertificate, PublicKey};
use wechatpay_sansio::merchant::Merchant;
use wechatpay_sansio::request::{Request, ResponseRef};
use wechatpay_sansio::secret::{ApiV2Key, Personal};
use wechatpay_sansio::simulator::{self, Script, Simulator};
use wechatpay_sansio::time::UnixTime;
use wechatpay_sansio::v2::{self, SignType};
use wechatpay_sansio::v3::verify::{Verifier, VerifyOptions};
use wechatpay_sansio::v3::{notify, request::JsonRequest, response};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// `println!` that ends the tour quietly when stdout is closed (`cargo run --example tour | head`).
macro_rules! say {
    ($($arg:tt)*) => {{
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}
type Rng = rand_chacha::ChaCha20Rng;

const APPID: &str = "wx2421b1c4370ec43b";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
/// An example ID number with a valid GB 11643-1999 check digit (TEST data, not a person's).
const ID_NUMBER: &str = "11010519491231002X";

fn section(title: &str) {
    say!("\n== {title} ==");
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

/// Method, URL (query masked), headers (long values shortened) and body length. The body is
/// never printed: it carries personal data.
fn show_request(req: &Request) {
    say!("→ {} {}", req.method(), masked_uri(req.uri()));
    if req.requires_client_certificate() {
        say!("    (mutual TLS: present the merchant API client certificate)");
    }
    for (name, value) in req.headers() {
        let v = value.to_str().unwrap_or("<binary>");
        let v = match v.char_indices().nth(90) {
            Some((i, _)) => format!("{}…", &v[..i]),
            None => v.to_owned(),
        };
        say!("    {name}: {v}");
    }
    say!("    body: {} bytes", req.body().len());
}

/// What the transport does: send the request, hand back the reply. Here the simulator answers.
fn exchange(
    sim: &Simulator,
    req: Request,
    now: UnixTime,
    rng: &mut Rng,
    script: &Script,
) -> http::Response<Vec<u8>> {
    show_request(&req);
    let resp = sim.handle(&req.into_http(), now, rng, script);
    say!(
        "← HTTP {} ({} bytes)",
        resp.status().as_u16(),
        resp.body().len()
    );
    resp
}

/// One line per error: its text and its disposition ("what now?").
fn show_error(what: &str, e: &(impl std::error::Error + Classify)) {
    say!(
        "{what}: {e}\n    → disposition {} (retry: {})",
        e.disposition(),
        e.disposition().is_retryable()
    );
}

fn main() -> Result {
    // The header comes before any RSA work, so the first line appears at once.
    say!(
        "wechatpay-sansio tour: every concept with the bundled TEST ONLY keys, offline \
         (crypto backend: {})",
        wechatpay_sansio::crypto::BACKEND
    );
    let _ = std::io::stdout().flush();

    // 2026-01-01T00:00:00Z: inside the TEST ONLY certificates' validity (2020 … 2099).
    let now = UnixTime::from_secs(1_767_225_600);
    let mut rng = <Rng as rand_core::SeedableRng>::seed_from_u64(2026);

    v2_signatures()?;

    section("the simulator and the merchant context");
    let sim = Simulator::new();
    let merchant = sim.merchant();
    say!(
        "Simulator::new(): WeChat Pay's side (platform key, certificate {}, public key {})",
        sim.platform_serial(),
        sim.public_key_id()
    );
    say!(
        "Simulator::merchant(): Merchant {{ mchid {}, APIv2 + APIv3 keys, signer serial {}, {} trusted WeChat Pay keys, risk key, nameautheasy src }}",
        merchant.mchid(),
        merchant.signer()?.serial(),
        merchant.keys().len()
    );
    say!("Debug never prints a secret: {:?}", merchant.api_v2_key()?);

    v2_xml(&sim, &merchant, &mut rng)?;
    v3_requests_and_replies(&sim, &merchant, &mut rng, now)?;
    notifications(&sim, &merchant, &mut rng, now)?;
    field_encryption(&merchant, &mut rng, now)?;
    identity_apis(&sim, &merchant, &mut rng, now)?;
    payments(&sim, &merchant, &mut rng, now)?;
    errors(&sim, &merchant, &mut rng, now)?;
    certificate_validity(&sim, &merchant, &mut rng, now)?;
    say!("\nDone. Every key above is TEST ONLY; see README.md for the same steps in your code.");
    Ok(())
}

/// The official v2 example (<https://pay.weixin.qq.com/doc/v2/merchant/4011985891>): MD5 and
/// HMAC-SHA256 of five fields.
fn v2_signatures() -> Result {
    section("v2 signatures: the official MD5 / HMAC-SHA256 example");
    let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
    let params = [
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ];
    say!(
        "sign string (key masked): {}",
        v2::sign::canonical_string_masked(params)?
    );
    let md5 = v2::sign::sign(params, &key, SignType::Md5)?;
    say!("MD5:         {md5}");
    assert_eq!(md5.as_str(), "9A0A8659F005D6984697E2CA0A9CF3B7");
    say!(
        "HMAC-SHA256: {}",
        v2::sign::sign(params, &key, SignType::HmacSha256)?
    );
    Ok(())
}

/// A signed v2 XML request, and a reply checked with `Expect`: signature, codes, no folds, and
/// the fields that tie it to the request.
fn v2_xml(sim: &Simulator, merchant: &Merchant, rng: &mut Rng) -> Result {
    section("v2: a signed XML request, and a reply checked with Expect");
    let key = merchant.api_v2_key()?;
    let mchid = merchant.mchid().as_str();
    let out_trade_no = "1217752501201407033233368018";
    let nonce = Nonce::generate(rng)?;
    let req = v2::request::post_xml(
        "https://api.mch.weixin.qq.com/pay/orderquery",
        &[
            ("mch_id", mchid),
            ("out_trade_no", out_trade_no),
            ("nonce_str", nonce.as_str()),
        ],
        key,
        SignType::HmacSha256,
        false,
    )?;
    show_request(&req);
    let fields = v2::xml::parse(req.body())?;
    say!(
        "the simulator recomputes the sign: {:?}",
        sim.check_v2_sign(&fields).map_err(|r| r.status())
    );

    let reply = sim.v2_reply(
        &[
            ("result_code", "SUCCESS"),
            ("mch_id", mchid),
            ("out_trade_no", out_trade_no),
            ("trade_state", "SUCCESS"),
        ],
        Some(SignType::HmacSha256),
    );
    // A valid signature proves the bytes, not what they mean: require the echoes too.
    let echoes = [("mch_id", mchid), ("out_trade_no", out_trade_no)];
    let expect = v2::reply::Expect::signed(Some(SignType::HmacSha256)).echo(&echoes);
    let limits = v2::xml::XmlLimits::default();
    let checked = v2::reply::parse_and_check(reply.body(), key, &expect, &limits)?;
    say!(
        "reply accepted: trade_state = {:?}",
        checked.get("trade_state")
    );
    let other = [("mch_id", mchid), ("out_trade_no", "SOME_OTHER_ORDER")];
    let refused = v2::reply::parse_and_check(reply.body(), key, &expect.echo(&other), &limits);
    if let Err(e) = refused {
        show_error("the same reply, expected for another order", &e);
    }
    Ok(())
}

/// The v3 `Authorization` of a JSON request, and a signed reply checked with a `Verifier`.
fn v3_requests_and_replies(
    sim: &Simulator,
    merchant: &Merchant,
    rng: &mut Rng,
    now: UnixTime,
) -> Result {
    section("v3: Authorization: WECHATPAY2-SHA256-RSA2048 …");
    let nonce = Nonce::generate(rng)?;
    let req = JsonRequest::post(
        "https://api.mch.weixin.qq.com/v3/pay/transactions/jsapi",
        br#"{"amount":{"total":1}}"#.to_vec(),
    )
    .sign(merchant.signer()?, rng, now, &nonce)?;
    show_request(&req);
    let http_req = req.into_http();
    say!(
        "the simulator verifies the Authorization: {}",
        sim.check_v3_authorization(&http_req, now).is_ok()
    );

    section("v3: a signed reply, verified with the merchant's Verifier");
    let resp = sim.signed_v3_reply(
        rng,
        http::StatusCode::OK,
        br#"{"prepay_id":"wx201410272009395522657a690389285100"}"#.to_vec(),
        now,
    );
    let received = now + Duration::from_secs(5);
    let verified = response::check(
        ResponseRef::from_http(&resp),
        &merchant.verifier(),
        received,
    )?;
    say!(
        "verified with key {} → {}",
        verified.key_id,
        String::from_utf8_lossy(verified.body)
    );
    // A Verifier is the key store plus the settings; here a stricter clock-skew window.
    let strict = Verifier::new(merchant.keys())
        .with_options(VerifyOptions::default().with_max_skew(Duration::from_secs(60)));
    let late = now + Duration::from_secs(120);
    if let Err(e) = strict.verify(resp.headers(), resp.body(), late) {
        show_error("the same reply two minutes later, 60 s window", &e);
    }
    let mut tampered = resp.clone();
    tampered.body_mut().push(b' ');
    if let Err(e) = response::check(
        ResponseRef::from_http(&tampered),
        &merchant.verifier(),
        received,
    ) {
        show_error("one byte added to the body", &e);
    }
    Ok(())
}

/// A notification: verify, decrypt, and the HTTP answer WeChat Pay expects.
fn notifications(sim: &Simulator, merchant: &Merchant, rng: &mut Rng, now: UnixTime) -> Result {
    section("v3 notifications: verify, decrypt (AES-256-GCM), answer");
    let sent = sim.notification(
        "TRANSACTION.SUCCESS",
        br#"{"out_trade_no":"1217752501201407033233368018","trade_state":"SUCCESS"}"#,
        now,
        rng,
    );
    say!(
        "← POST {} ({} bytes, signed by {})",
        sent.uri(),
        sent.body().len(),
        sent.headers()["wechatpay-serial"].to_str()?
    );
    // In a web handler: the headers, the raw body bytes, the clock at receipt.
    let result = notify::parse(
        sent.headers(),
        sent.body(),
        &merchant.verifier(),
        merchant.api_v3_key()?,
        now,
    );
    let answer = notify::answer(&result);
    let n = result?;
    say!(
        "event {} → plaintext {}",
        n.notification.event_type,
        String::from_utf8_lossy(&n.plaintext)
    );
    say!("answer: HTTP {} (empty body)", answer.status().as_u16());

    let mut forged = sent.clone();
    forged.body_mut().insert(1, b' ');
    let result = notify::parse(
        forged.headers(),
        forged.body(),
        &merchant.verifier(),
        merchant.api_v3_key()?,
        now,
    );
    let answer = notify::answer(&result);
    if let Err(e) = &result {
        show_error("a notification whose body was altered", e);
    }
    say!(
        "answer: HTTP {} {} (WeChat Pay will send it again)",
        answer.status().as_u16(),
        String::from_utf8_lossy(answer.body())
    );
    Ok(())
}

/// The payment lifecycle against the simulator's sandbox: a JSAPI prepay and its pay-sign, the
/// `TRANSACTION.SUCCESS` notification, a refund through `/v3/refund/domestic/refunds` and its
/// `REFUND.SUCCESS` notification; then v2: an order paid, refunded, and the refund
/// notification's `req_info` decrypted.
fn payments(sim: &Simulator, merchant: &Merchant, rng: &mut Rng, now: UnixTime) -> Result {
    use wechatpay_sansio::api::pay::notify::{self as pay_notify, PaymentEvent};
    use wechatpay_sansio::api::pay::{OrderId, prepay::PrepayRequest, refund::RefundRequest};
    use wechatpay_sansio::api::pay_v2::{V2TradeRef, refund::V2RefundRequest, unifiedorder};
    use wechatpay_sansio::simulator::sandbox::RefundResult;
    use wechatpay_sansio::v2::refund_notify;
    let none = Script::default();

    section(
        "payments (v3): JSAPI prepay → pay-sign → TRANSACTION.SUCCESS → refund → REFUND.SUCCESS",
    );
    let order = PrepayRequest::jsapi(
        "wxd678efh567hg6787",
        "Image形象店-深圳腾大-QQ公仔",
        "1217752501201407033233368018",
        "https://www.weixin.qq.com/wxpay/pay.php",
        100,
        OPENID,
    );
    let resp = exchange(sim, order.build(merchant, rng, now)?, now, rng, &none);
    let prepaid = order.parse_reply(merchant, ResponseRef::from_http(&resp), now)?;
    let js = prepaid.jsapi_pay_params(merchant, rng, now)?;
    say!(
        "prepay {:?}\nwx.requestPayment({{ timeStamp: {}, nonceStr: {}, package: {}, signType: {}, paySign: {}… }})",
        prepaid.prepay,
        js.time_stamp,
        js.nonce_str,
        js.package,
        js.sign_type,
        &js.pay_sign[..16]
    );
    let posted = sim.pay(&order.out_trade_no, None, now, rng)?;
    say!(
        "the payer pays: ← POST {} (encrypted, signed)",
        posted.uri()
    );
    let event = pay_notify::parse(merchant, posted.headers(), posted.body(), now);
    say!(
        "answer: HTTP {}",
        pay_notify::answer(&event).status().as_u16()
    );
    if let PaymentEvent::Transaction(t) = event? {
        say!(
            "TRANSACTION.SUCCESS: {} {} transaction_id {:?}, {:?} (payer {:?})",
            t.out_trade_no,
            t.trade_state,
            t.transaction_id,
            t.amount,
            t.payer
        );
    }
    let refund = RefundRequest::new(
        OrderId::OutTradeNo(order.out_trade_no.clone()),
        "R1217752501201407033233368018",
        40,
        100,
    );
    let resp = exchange(sim, refund.build(merchant, rng, now)?, now, rng, &none);
    let pending = refund.parse_reply(merchant, ResponseRef::from_http(&resp), now)?;
    say!(
        "refund {} {} ({} of {} fen)",
        pending.out_refund_no,
        pending.status,
        pending.amount.refund,
        pending.amount.total
    );
    let posted = sim.complete_refund(&pending.out_refund_no, RefundResult::Success, now, rng)?;
    if let PaymentEvent::Refund(r) =
        pay_notify::parse(merchant, posted.headers(), posted.body(), now)?
    {
        say!(
            "{}: {} {} at {:?} (account {:?})",
            r.event_type,
            r.out_refund_no,
            r.refund_status,
            r.success_time,
            r.user_received_account.as_ref().map(|_| "<redacted>")
        );
    }

    section(
        "payments (v2): unifiedorder → pay → refund (mutual TLS) → refund notification (req_info)",
    );
    let mut order = unifiedorder::UnifiedOrderRequest::new(
        APPID,
        "QQ会员充值",
        "20150806125346",
        888,
        "123.12.12.123",
        "https://merchant.example/notify",
        unifiedorder::V2TradeType::Native,
    );
    order.product_id = Some("12235413214070356458058".into());
    let resp = exchange(sim, order.build(merchant, rng, now)?, now, rng, &none);
    let placed = order.parse_reply(merchant, ResponseRef::from_http(&resp), now)?;
    say!(
        "prepay_id {} code_url {:?}",
        placed.prepay_id,
        placed.code_url
    );
    let paid = sim.v2_pay("20150806125346", now, rng)?;
    let n = v2::notify::parse(paid.body(), merchant.api_v2_key()?)?;
    say!(
        "v2 pay notification: {} paid {} fen, transaction_id {}",
        n.out_trade_no(),
        n.total_fee(),
        n.transaction_id()
    );
    let refund = V2RefundRequest::new(
        APPID,
        V2TradeRef::OutTradeNo("20150806125346".into()),
        "R20150806125346",
        888,
        300,
    );
    let resp = exchange(sim, refund.build(merchant, rng, now)?, now, rng, &none);
    refund.parse_reply(merchant, ResponseRef::from_http(&resp), now)?;
    let posted = sim.v2_settle_refund("R20150806125346", true, now, rng)?;
    say!(
        "← POST {}: no sign; req_info = base64(AES-256-ECB(md5(APIv2 key)))",
        posted.uri()
    );
    let r = refund_notify::parse(posted.body(), merchant.api_v2_key()?)?;
    say!(
        "req_info decrypted: {} {} {} of {} fen — unsigned: query the refund before acting on it",
        r.out_refund_no(),
        r.refund_status(),
        r.refund_fee(),
        r.total_fee()
    );
    Ok(())
}

/// RSA encryption of personal fields: OAEP for v3, PKCS#1 v1.5 for the apihk APIs.
fn field_encryption(merchant: &Merchant, rng: &mut Rng, now: UnixTime) -> Result {
    section("sensitive fields: RSA encryption with the key valid now");
    let name = Personal::new("张三");
    let key = merchant
        .keys()
        .encryption_key(now)
        .ok_or("no encryption key")?;
    let oaep = cipher::encrypt_personal(rng, key.key(), Padding::Oaep, &name)?;
    say!(
        "encryption_key(now) = {} (the WeChat Pay public key is preferred)",
        key.id()
    );
    say!(
        "Personal prints as {name:?}; OAEP ciphertext {}… ({} base64 characters)",
        &oaep[..24],
        oaep.len()
    );
    let cert = merchant
        .keys()
        .platform_certificate(now)
        .ok_or("no platform certificate")?;
    let pkcs1 = cipher::encrypt_personal(rng, cert.key(), Padding::Pkcs1v15, &name)?;
    say!(
        "platform_certificate(now) = {} → PKCS#1 v1.5 {}… (apihk customs)",
        cert.id(),
        &pkcs1[..24]
    );
    // Under RustCrypto the padding comes from the RNG passed in; under aws-lc-rs that argument
    // is not consulted (AWS-LC's own DRBG draws it).
    say!(
        "padding drawn from the caller's RNG: {} (crypto::USES_CALLER_RNG; false under aws-lc-rs)",
        wechatpay_sansio::crypto::USES_CALLER_RNG
    );
    Ok(())
}

/// Every typed API, built with the merchant context, answered by the simulator, and read.
fn identity_apis(sim: &Simulator, merchant: &Merchant, rng: &mut Rng, now: UnixTime) -> Result {
    let script = Script::default();

    section("OAuth for realnameauth: authorize URL, then appauth/getaccesstoken");
    let authorize = oauth::AuthorizeUrl::new(APPID, "https://merchant.example/cb", "STATE1");
    say!("send the browser to: {}", authorize.to_url(merchant)?);
    let req = oauth::GetAccessTokenRequest::new(APPID, OPENID, "CODE_FROM_REDIRECT");
    let resp = exchange(sim, req.build(merchant, rng, now)?, now, rng, &script);
    let grant = req.parse_reply(merchant, ResponseRef::from_http(&resp), now)?;
    say!(
        "outcome: access token {:?}, valid {} s, until {}",
        grant.access_token,
        grant.access_token_expires_in.as_secs(),
        grant.access_token_expires_at
    );

    section("1. 实名验证 secsvc/realnameauth (v2 XML, HMAC-SHA256, signed reply)");
    let req = realnameauth::RealNameAuthRequest::new(
        APPID,
        OPENID,
        Personal::new("刘某某"),
        realnameauth::CredType::IdCard,
        Personal::new(ID_NUMBER),
        grant.access_token.clone(),
    );
    let resp = exchange(sim, req.build(merchant, rng, now)?, now, rng, &script);
    let out = req.parse_reply(merchant, ResponseRef::from_http(&resp), now)?;
    say!(
        "outcome: verify_openid {:?}, verify_real_name {:?}, bind_bankcard {:?} → {:?}",
        out.verify_openid,
        out.verify_real_name,
        out.bind_bankcard,
        out.decision()
    );

    section("2. legacy 实名认证查询 cgi-bin/nameauth/nameautheasy (own src + key, MD5, JSON)");
    let req = nameauth::NameAuthRequest::new(
        APPID,
        OPENID,
        Personal::new("张三"),
        Personal::new(ID_NUMBER),
    );
    let resp = exchange(sim, req.build(merchant, rng, now)?, now, rng, &script);
    let out = req.parse_reply(merchant, ResponseRef::from_http(&resp), now)?;
    say!(
        "outcome: {:?} (letter {:?}), name_mask {:?}",
        out.status,
        out.status.letter(),
        out.name_mask
    );

    section("3. 身份信息校验 apihk …/v3/global/customs/verify-certificate (v3, PKCS#1 v1.5)");
    let req = customs::VerifyCertificateRequest::new(
        "wxd678efh567hg6787",
        "20150806125346",
        "1000320306201511078440737890",
        customs::Customs::ShanghaiZs,
        "123456",
        Personal::new(ID_NUMBER),
        Personal::new("张三"),
    );
    let resp = exchange(sim, req.build(merchant, rng, now)?, now, rng, &script);
    let out = req.parse_reply(merchant, ResponseRef::from_http(&resp), now)?;
    say!(
        "outcome: certificate_check_result {} (same: {})",
        out.certificate_check_result,
        out.is_same()
    );

    section("4. 预签约(实名) …/pre-entrust-sign-with-real-name-identity/mini-program (v3, OAEP)");
    let req = pre_entrust::PreEntrustSignRequest::mini_program(
        "wxd678efh567h23787",
        "APPLYMENT_00000000001",
        OPENID,
        Personal::new("刘某某"),
        Personal::new(ID_NUMBER),
    );
    let resp = exchange(sim, req.build(merchant, rng, now)?, now, rng, &script);
    let out = req.parse_reply(merchant, ResponseRef::from_http(&resp), now)?;
    say!("outcome: pre_entrustweb_id {}", out.pre_entrustweb_id);

    section("5. 风险商户核查: risk/getpublickey, then mchrisk/querymchrisk (v2, mTLS, OAEP)");
    let req = getpublickey::GetPublicKeyRequest::new();
    let resp = exchange(sim, req.build(merchant, rng, now)?, now, rng, &script);
    let risk_key = req
        .parse_reply(merchant, ResponseRef::from_http(&resp), now)?
        .key;
    say!("outcome: {risk_key:?}; keep it with Merchant::with_risk_key");
    let merchant = merchant.clone().with_risk_key(risk_key);
    let mut req = querymchrisk::QueryMchRiskRequest::new();
    req.business_license_number = Some(Personal::new("91440300MA5XXXXXXX"));
    req.company_name = Some("深圳市某某科技有限公司".into());
    let resp = exchange(sim, req.build(&merchant, rng, now)?, now, rng, &script);
    let out = req.parse_reply(&merchant, ResponseRef::from_http(&resp), now)?;
    say!(
        "outcome: risk_level {:?} ({})",
        out.risk_level,
        out.risk_level_desc
    );
    Ok(())
}

/// "What now?": every error answers through `Classify::disposition`.
fn errors(sim: &Simulator, merchant: &Merchant, rng: &mut Rng, now: UnixTime) -> Result {
    section("errors: Classify::disposition() → Transient / Rejected / Misconfigured / Untrusted");
    let customs_req = customs::VerifyCertificateRequest::new(
        "wxd678efh567hg6787",
        "20150806125346",
        "1000320306201511078440737890",
        customs::Customs::ShanghaiZs,
        "123456",
        Personal::new(ID_NUMBER),
        Personal::new("张三"),
    );
    let call = |req: &customs::VerifyCertificateRequest,
                merchant: &Merchant,
                script: &Script,
                rng: &mut Rng|
     -> std::result::Result<customs::VerifyCertificateOutcome, ApiError> {
        let http = req.build(merchant, rng, now)?.into_http();
        let resp = sim.handle(&http, now, rng, script);
        req.parse_reply(merchant, ResponseRef::from_http(&resp), now)
    };

    // Validation runs before any cryptography and names the field, never its value.
    let mut bad = customs_req.clone();
    bad.certificate_id = Personal::new("110105194912310021");
    if let Err(e) = call(&bad, merchant, &Script::default(), rng) {
        show_error("a wrong ID check digit", &e);
    }

    // WeChat Pay's failure answers, scripted.
    let busy = Script {
        customs: simulator::v3::CustomsScript::Error(simulator::v3::ScriptedError::new(
            429,
            "FREQUENCY_LIMITED",
            "频率超限",
        )),
        ..Script::default()
    };
    if let Err(e) = call(&customs_req, merchant, &busy, rng) {
        show_error("customs answered 429", &e);
    }
    let no_auth = Script {
        customs: simulator::v3::CustomsScript::Error(simulator::v3::ScriptedError::new(
            403,
            "NOAUTH",
            "商户未在该海关备案",
        )),
        ..Script::default()
    };
    if let Err(e) = call(&customs_req, merchant, &no_auth, rng) {
        show_error("customs answered 403", &e);
    }

    // What the merchant context lacks: here the v3 signer (the merchant private key).
    let unsigned = Merchant::new(merchant.mchid().as_str())?.with_keys(merchant.keys().clone());
    if let Err(e) = call(&customs_req, &unsigned, &Script::default(), rng) {
        show_error("a merchant context without a signer", &e);
    }
    let no_keys = Merchant::new(merchant.mchid().as_str())?;
    if let Err(e) = call(&customs_req, &no_keys, &Script::default(), rng) {
        show_error("a merchant context that trusts no WeChat Pay key", &e);
    }

    // A stale risk key: WeChat Pay cannot decrypt the fields.
    let stale = merchant
        .clone()
        .with_risk_key(PublicKey::from_pem(simulator::pem::PLATFORM_PUBLIC_KEY)?);
    let mut req = querymchrisk::QueryMchRiskRequest::new();
    req.settlement_card_no = Some(Personal::new("6222020200112233445"));
    let resp = sim.handle(
        &req.build(&stale, rng, now)?.into_http(),
        now,
        rng,
        &Script::default(),
    );
    if let Err(e) = req.parse_reply(&stale, ResponseRef::from_http(&resp), now) {
        show_error("querymchrisk with a stale risk key", &e);
        say!(
            "    is_key_rejected(): {} → fetch risk/getpublickey again",
            e.is_key_rejected()
        );
    }

    // A v2 business failure, typed once for every v2 API.
    let fail = Script {
        realnameauth: simulator::v2::RealNameAuthScript::Fail {
            error_code: "SYSTEMERROR".into(),
            error_code_des: "系统错误".into(),
        },
        ..Script::default()
    };
    let req = realnameauth::RealNameAuthRequest::new(
        APPID,
        OPENID,
        Personal::new("刘某某"),
        realnameauth::CredType::IdCard,
        Personal::new(ID_NUMBER),
        wechatpay_sansio::secret::AccessToken::new("81_TESTONLYaccessToken"),
    );
    let resp = sim.handle(&req.build(merchant, rng, now)?.into_http(), now, rng, &fail);
    if let Err(e) = req.parse_reply(merchant, ResponseRef::from_http(&resp), now) {
        show_error("realnameauth, scripted to fail", &e);
    }
    Ok(())
}

/// Platform certificates expire: the key store knows when, and refuses them afterwards.
fn certificate_validity(
    sim: &Simulator,
    merchant: &Merchant,
    rng: &mut Rng,
    now: UnixTime,
) -> Result {
    section("certificate validity: KeyStore::refresh_due, encryption_key(now)");
    let cert = PlatformCertificate::from_pem(simulator::pem::PLATFORM_CERTIFICATE)?;
    say!(
        "platform certificate {}: valid {} … {} (Unix seconds)",
        cert.serial(),
        cert.not_before(),
        cert.not_after()
    );
    let mut store = KeyStore::new();
    say!("empty store: refresh_due(now) = {}", store.refresh_due(now));
    store.insert_certificate(&cert);
    let near_end = cert.not_after() - Duration::from_secs(7 * 86_400);
    let after = cert.not_after() + Duration::from_secs(86_400);
    say!(
        "certificate only: refresh_due(now) = {}, a week before it expires = {}",
        store.refresh_due(now),
        store.refresh_due(near_end)
    );
    say!(
        "encryption_key: now → {:?}, after expiry → {:?}",
        store.encryption_key(now).map(|k| k.id().as_str()),
        store.encryption_key(after).map(|k| k.id().as_str())
    );
    say!(
        "the merchant's store also holds a PUB_KEY_ID_ key, which has no end: refresh_due(after expiry) = {}",
        merchant.keys().refresh_due(after)
    );
    // A reply signed with the certificate after it expired proves nothing.
    let resp = sim.signed_v3_reply(rng, http::StatusCode::OK, b"{}".to_vec(), after);
    if let Err(e) = Verifier::new(&store).verify(resp.headers(), resp.body(), after) {
        show_error("a reply signed with the expired certificate", &e);
    }
    Ok(())
}
