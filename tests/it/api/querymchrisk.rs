//! `risk/getpublickey` and `mchrisk/querymchrisk` end to end: the risk key fetched, the fields
//! encrypted under it, every risk level, failures, validation and the official document's example.
//! Every key here is TEST ONLY.

// Named, not globbed: explicit imports win over `crate::common::*`, which may grow.
use super::v2_shared::{
    ID, NonceRng, business, business_reason, charset, doc_merchant, other_merchant, return_fail,
    wrong_key, wrong_key_merchant,
};
use crate::assert_matches;
use crate::common::*;
use wechatpay_sansio::api::getpublickey::GetPublicKeyRequest;
use wechatpay_sansio::api::querymchrisk::{MchRiskOutcome, QueryMchRiskRequest, RiskLevel};
use wechatpay_sansio::api::{ApiError, Failure, Operation, getpublickey, querymchrisk};
use wechatpay_sansio::cipher::CipherError;
use wechatpay_sansio::error::FieldError;
use wechatpay_sansio::error::{Classify, Disposition};
use wechatpay_sansio::keys::{KeyError, PublicKey};
use wechatpay_sansio::merchant::Merchant;
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::secret::{ApiV2Key, Personal};
use wechatpay_sansio::simulator::v2::RiskScript;
use wechatpay_sansio::simulator::{Script, Simulator, TEST_API_V2_KEY, TEST_MCHID};
use wechatpay_sansio::v2 as wire;
use wechatpay_sansio::v2::SignType;
use wechatpay_sansio::v2::reply::{ErrCode, ReplyError};

// ---------------------------------------------------------------------------------------------
// getpublickey
// ---------------------------------------------------------------------------------------------

pub fn gpk_req(sign_type: SignType) -> GetPublicKeyRequest {
    let mut r = GetPublicKeyRequest::new();
    r.sign_type = sign_type;
    r
}

/// The simulator's merchant id and APIv2 key only: no risk key yet.
fn v2_merchant() -> Merchant {
    Merchant::new(TEST_MCHID)
        .unwrap()
        .with_api_v2_key(ApiV2Key::new(TEST_API_V2_KEY).unwrap())
}

/// The merchant with the risk key fetched from the simulator's `getpublickey`.
fn risk_merchant(sim: &Simulator) -> Merchant {
    let m = v2_merchant();
    assert_eq!(
        QueryMchRiskRequest::new()
            .build(&m, &mut rng(1), NOW)
            .unwrap_err(),
        ApiError::NotConfigured(wechatpay_sansio::merchant::NotConfigured(
            "risk key (from risk/getpublickey)"
        ))
    );
    let req = gpk_req(SignType::HmacSha256);
    let r = send(
        sim,
        req.build(&m, &mut rng(3), NOW).unwrap(),
        &Script::default(),
    );
    let key = req.parse_reply(&m, resp(&r), NOW).unwrap().key;
    m.with_risk_key(key)
}

#[test]
fn getpublickey_end_to_end() {
    let (sim, m) = (sim(), merchant());
    let expected = PublicKey::from_pem(sim.risk_public_key_pkcs1_pem()).unwrap();
    assert_eq!(
        m.risk_key(),
        Ok(&expected),
        "the simulator's merchant holds it already"
    );
    for sign_type in [SignType::Md5, SignType::HmacSha256] {
        let req = gpk_req(sign_type);
        let http = req.build(&m, &mut rng(3), NOW).unwrap();
        assert_eq!(
            http.uri().to_string(),
            getpublickey::ENDPOINT.url().as_str()
        );
        assert!(http.requires_client_certificate());
        // (the parsed fields borrow the body: read them before sending it)
        let sent_sign_type = wire::xml::parse(http.body())
            .unwrap()
            .get("sign_type")
            .map(str::to_owned);
        assert_eq!(sent_sign_type.as_deref(), Some(sign_type.as_str()));
        let r = send(&sim, http, &Script::default());
        // Unsigned, PEM inside CDATA like the official sample.
        assert!(body_str(&r).contains("<pub_key><![CDATA[-----BEGIN RSA PUBLIC KEY-----"));
        assert!(!body_str(&r).contains("<sign>"));
        let got = req.parse_reply(&m, resp(&r), NOW).unwrap();
        assert_eq!(got.key, expected);
        assert_eq!(got.mch_id, m.mchid().as_str());
    }
}

#[test]
fn getpublickey_official_sample() {
    let req = gpk_req(SignType::Md5);
    let m = Merchant::new("123456").unwrap();
    let body = data("php_getpublickey.response.sample.xml");
    let got = req.parse_reply(&m, resp(&raw(200, &body)), NOW).unwrap();
    assert_eq!(got.mch_id, "123456");
    assert_eq!(
        got.key.to_spki_pem().unwrap(),
        text("getpublickey_spki.pem")
    );
    // Echo check: another merchant id in the request.
    let other = Merchant::new("1900000109").unwrap();
    let e = req
        .parse_reply(&other, resp(&raw(200, &body)), NOW)
        .unwrap_err();
    assert_eq!(e, ApiError::Mismatch("mch_id".into()));
    assert_eq!(e.disposition(), Disposition::Untrusted);
}

#[test]
fn getpublickey_failures() {
    let (sim, m) = (sim(), merchant());
    let req = gpk_req(SignType::Md5);
    // No client certificate presented.
    let mut http = req.build(&m, &mut rng(3), NOW).unwrap().into_http();
    http.extensions_mut().clear();
    let r = sim.getpublickey(&http);
    let e = req.parse_reply(&m, resp(&r), NOW).unwrap_err();
    assert_eq!(e, return_fail("请求需要双向证书"));
    assert_eq!(e.disposition(), Disposition::Misconfigured);
    // Wrong key.
    let r = send(
        &sim,
        req.build(&wrong_key_merchant(), &mut rng(3), NOW).unwrap(),
        &Script::default(),
    );
    assert_matches!(
        req.parse_reply(&m, resp(&r), NOW),
        Err(e) if matches!(e.failure(), Some(Failure::Return { .. }))
    );
    // Another merchant.
    let other = other_merchant();
    let r = send(
        &sim,
        req.build(&other, &mut rng(3), NOW).unwrap(),
        &Script::default(),
    );
    assert_eq!(
        req.parse_reply(&other, resp(&r), NOW).unwrap_err(),
        business(ErrCode::ParamError, "商户号错误")
    );
    // Hand-made replies.
    let p = |status: u16, body: &str| req.parse_reply(&m, resp(&raw(status, body.as_bytes())), NOW);
    let mch = m.mchid().as_str();
    let ok_head = format!(
        "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code><mch_id>{mch}</mch_id>"
    );
    let cases: Vec<(&str, u16, String, ApiError)> = vec![
        ("HTTP 503", 503, String::new(), ApiError::HttpStatus(503)),
        (
            "no mch_id",
            200,
            "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code></xml>"
                .into(),
            ApiError::MissingField("mch_id".into()),
        ),
        (
            "no result_code",
            200,
            format!("<xml><return_code>SUCCESS</return_code><mch_id>{mch}</mch_id></xml>"),
            ApiError::V2Reply(ReplyError::MissingResultCode),
        ),
        (
            "no pub_key",
            200,
            format!("{ok_head}</xml>"),
            ApiError::MissingField("pub_key".into()),
        ),
        (
            "pub_key not a PEM",
            200,
            format!("{ok_head}<pub_key>garbage</pub_key></xml>"),
            ApiError::Key(KeyError::Pem),
        ),
    ];
    for (case, status, body, expected) in cases {
        assert_eq!(p(status, &body).unwrap_err(), expected, "{case}");
    }
    assert_matches!(
        p(200, "not xml"),
        Err(ApiError::V2Reply(ReplyError::Xml(_)))
    );
    // A 1024-bit key is refused.
    let small = format!(
        "{ok_head}<pub_key>{}</pub_key></xml>",
        text("test_rsa1024_public_key.pem")
    );
    assert_matches!(
        p(200, &small),
        Err(ApiError::Key(KeyError::KeySize { bits: 1024, .. }))
    );
}

// ---------------------------------------------------------------------------------------------
// querymchrisk
// ---------------------------------------------------------------------------------------------

/// The request every test starts from: every field given.
pub fn risk_req() -> QueryMchRiskRequest {
    let mut r = QueryMchRiskRequest::new();
    r.certificates_number = Some(Personal::new(ID));
    r.certificates_name = Some(Personal::new("张三"));
    r.settlement_card_no = Some(Personal::new("6222020200112233445"));
    r.settlement_card_name = Some(Personal::new("张三"));
    r.business_license_number = Some(Personal::new("91440300MA5XXXXXXX"));
    r.settlement_card_bank = Some("招商银行科技园支行".into());
    r.company_name = Some("XXXXX有限公司".into());
    r.store_address = Some("广东省深圳市南山区深南大道10000号".into());
    r.store_longitude = Some("113.9410519639".into());
    r.store_latitude = Some("22.5461478801".into());
    r.cert_serial_number = Some("3C3BBC2B9F5BF4F2".into());
    r
}

fn risk_script(s: RiskScript) -> Script {
    Script {
        querymchrisk: s,
        ..Script::default()
    }
}

#[test]
fn every_level_end_to_end() {
    let sim = sim();
    let m = risk_merchant(&sim);
    let req = risk_req();
    let mut rng = rng(5);
    for (wire_level, expected) in [
        ("LOW", RiskLevel::Low),
        ("UNKNOW", RiskLevel::Unknown),
        ("FORBIDDEN", RiskLevel::Forbidden),
        ("HIGH", RiskLevel::Other("HIGH".into())),
        ("MEDIUM", RiskLevel::Other("MEDIUM".into())),
        ("SOMETHING_NEW", RiskLevel::Other("SOMETHING_NEW".into())),
    ] {
        let http = req.build(&m, &mut rng, NOW).unwrap();
        assert!(http.requires_client_certificate());
        let r = send(
            &sim,
            http,
            &risk_script(RiskScript::level(wire_level, "风险描述")),
        );
        assert!(!body_str(&r).contains("<sign>"), "the reply is unsigned");
        let out = req.parse_reply(&m, resp(&r), NOW).unwrap();
        assert_eq!(out.risk_level, expected, "{wire_level}");
        assert_eq!(out.risk_level.as_str(), wire_level);
        assert_eq!(out.risk_level_desc, "风险描述");
        assert_eq!(out.mch_id, m.mchid().as_str());
    }
}

#[test]
fn fields_are_encrypted_and_decrypt_on_the_simulator() {
    let sim = sim();
    let m = risk_merchant(&sim);
    let req = risk_req();
    let mut rng = rng(6);
    let http = req.build(&m, &mut rng, NOW).unwrap();
    assert_eq!(
        http.uri().to_string(),
        querymchrisk::ENDPOINT.url().as_str()
    );
    let f = wire::xml::parse(http.body()).unwrap();
    assert_eq!(f.get("sign_type"), Some("HMAC-SHA256"));
    assert_eq!(f.get("sign").unwrap().len(), 64);
    assert_eq!(
        wire::sign::verify_fields(&f, m.api_v2_key().unwrap(), Some(SignType::HmacSha256)),
        Ok(SignType::HmacSha256)
    );
    for name in [
        "certificates_number",
        "certificates_name",
        "settlement_card_no",
        "settlement_card_name",
        "business_license_number",
    ] {
        assert_eq!(
            f.get(name).unwrap().len(),
            344,
            "{name} is one RSA-2048 block in base64"
        );
    }
    assert_eq!(f.get("company_name"), Some("XXXXX有限公司"));
    assert_eq!(f.get("store_latitude"), Some("22.5461478801"));
    assert_eq!(f.get("cert_serial_number"), Some("3C3BBC2B9F5BF4F2"));
    let body = std::str::from_utf8(http.body()).unwrap();
    assert!(!body.contains(ID) && !body.contains("张三") && !body.contains("6222020200112233445"));
    let plain = sim.querymchrisk_decrypt(&f, &mut rng).unwrap();
    let got: Vec<(&str, &str)> = plain.iter().map(|(k, v)| (*k, v.expose_secret())).collect();
    assert_eq!(
        got,
        [
            ("certificates_number", ID),
            ("certificates_name", "张三"),
            ("settlement_card_no", "6222020200112233445"),
            ("settlement_card_name", "张三"),
            ("business_license_number", "91440300MA5XXXXXXX"),
        ]
    );
    // Fresh randomness per call: two builds never share ciphertexts.
    let again = req.build(&m, &mut rng, NOW).unwrap();
    let again = wire::xml::parse(again.body()).unwrap();
    assert_ne!(
        again.get("certificates_number"),
        f.get("certificates_number")
    );
}

#[test]
fn seed_example() {
    // Seed 004's example values (the doc's encrypted-field examples are hex placeholders; a real
    // ID stands in). Note the doc's longitude/latitude examples are swapped; not range-checked.
    let pk = PublicKey::from_pem(text("getpublickey_pkcs1.pem")).unwrap();
    let m = doc_merchant().with_risk_key(pk);
    let mut req = QueryMchRiskRequest::new();
    req.cert_serial_number = Some("XXXXX".into());
    req.certificates_number = Some(Personal::new(ID));
    req.settlement_card_bank = Some("招商银行科技园支行".into());
    req.company_name = Some("XXXXX有限公司".into());
    req.store_address = Some("广东省深圳市南山区深南大道10000号".into());
    req.store_longitude = Some("22.5461478801".into());
    req.store_latitude = Some("113.9410519639".into());
    // The seed's nonce, drawn from an RNG scripted to produce it.
    let http = req
        .build(&m, &mut NonceRng("C380BEC2BFD787A4B6845227519F3AD6"), NOW)
        .unwrap();
    let f = wire::xml::parse(http.body()).unwrap();
    assert_eq!(f.get("nonce_str"), Some("C380BEC2BFD787A4B6845227519F3AD6"));
    assert_eq!(f.get("mch_id"), Some("1900000109"));
    assert_eq!(f.get("store_longitude"), Some("22.5461478801"));
    assert!(
        f.get("certificates_name").is_none(),
        "absent fields are not sent"
    );
    assert_eq!(
        wire::sign::verify_fields(&f, m.api_v2_key().unwrap(), Some(SignType::HmacSha256)),
        Ok(SignType::HmacSha256)
    );
    // The seed's reply example: LOW / 低风险, no sign.
    let reply = "<xml><return_code>SUCCESS</return_code><return_msg></return_msg>\
                 <result_code>SUCCESS</result_code><mch_id>1900000109</mch_id>\
                 <risk_level>LOW</risk_level><risk_level_desc>低风险</risk_level_desc></xml>";
    let out: MchRiskOutcome = req
        .parse_reply(&m, resp(&raw(200, reply.as_bytes())), NOW)
        .unwrap();
    assert_eq!(out.risk_level, RiskLevel::Low);
    assert_eq!(out.risk_level_desc, "低风险");
    // The seed's return_msg example 签名失败 on a FAIL reply.
    let fail = "<xml><return_code>FAIL</return_code><return_msg>签名失败</return_msg></xml>";
    let e = req
        .parse_reply(&m, resp(&raw(200, fail.as_bytes())), NOW)
        .unwrap_err();
    assert_eq!(e, return_fail("签名失败"));
    assert_eq!(e.disposition(), Disposition::Misconfigured);
}

#[test]
fn failures_end_to_end() {
    let sim = sim();
    let m = risk_merchant(&sim);
    let req = risk_req();
    let mut rng = rng(9);

    // Scripted business failure.
    // The seed's reply table has no err_code: the reason travels in return_msg.
    let script = risk_script(RiskScript::Fail {
        return_msg: "系统繁忙".into(),
    });
    let r = send(&sim, req.build(&m, &mut rng, NOW).unwrap(), &script);
    let body = String::from_utf8(r.body().clone()).unwrap();
    for absent in ["err_code", "sign", "risk_level"] {
        assert!(!body.contains(absent), "{absent} in {body}");
    }
    let e = req.parse_reply(&m, resp(&r), NOW).unwrap_err();
    assert_eq!(e, business_reason("系统繁忙"));
    // Without a code, "busy" in the reason is what makes it transient.
    assert_eq!(e.disposition(), Disposition::Transient);
    assert_eq!(e.disposition(), Disposition::Transient);
    assert!(!e.is_key_rejected());

    // Encrypted under another key: WeChat cannot decrypt it (a stale risk key: fetch it again).
    let other_key = PublicKey::from_pem(text("test_platform_public_key.pem")).unwrap();
    let stale = m.clone().with_risk_key(other_key);
    let r = send(
        &sim,
        req.build(&stale, &mut rng, NOW).unwrap(),
        &Script::default(),
    );
    let e = req.parse_reply(&stale, resp(&r), NOW).unwrap_err();
    assert_eq!(e, business_reason("certificates_number解密失败"));
    assert!(e.is_key_rejected());
    assert_eq!(e.disposition(), Disposition::Misconfigured);

    // Signed with the wrong APIv2 key.
    let wrong = m.clone().with_api_v2_key(wrong_key());
    let r = send(
        &sim,
        req.build(&wrong, &mut rng, NOW).unwrap(),
        &Script::default(),
    );
    assert_eq!(
        req.parse_reply(&m, resp(&r), NOW).unwrap_err(),
        return_fail("签名错误")
    );

    // No client certificate presented.
    let mut http = req.build(&m, &mut rng, NOW).unwrap().into_http();
    http.extensions_mut().clear();
    let r = sim.querymchrisk(&http, &mut rng, &RiskScript::default());
    assert_matches!(
        req.parse_reply(&m, resp(&r), NOW),
        Err(e) if matches!(e.failure(), Some(Failure::Return { .. }))
    );

    // An MD5-signed body (not something the typed API can produce) is refused.
    let md5 = wire::request::post_xml(
        querymchrisk::ENDPOINT.url().as_str(),
        &[
            ("mch_id", m.mchid().as_str()),
            ("nonce_str", "n"),
            ("company_name", "X"),
            ("sign_type", "MD5"),
        ],
        m.api_v2_key().unwrap(),
        SignType::Md5,
        true,
    )
    .unwrap();
    let r = send(&sim, md5, &Script::default());
    assert!(body_str(&r).contains("PARAM_ERROR:sign_type"));

    // Another service provider id.
    let other = other_merchant();
    let r = send(
        &sim,
        req.build(&other, &mut rng, NOW).unwrap(),
        &Script::default(),
    );
    assert_matches!(
        req.parse_reply(&other, resp(&r), NOW),
        Err(e) if matches!(e.failure(), Some(Failure::Business { .. }))
    );

    // Only non-identifying fields: every business field is optional in the document's table,
    // so the simulator answers (it used to refuse with "至少提供一种商户信息").
    let bare = wire::request::post_xml(
        querymchrisk::ENDPOINT.url().as_str(),
        &[
            ("mch_id", m.mchid().as_str()),
            ("nonce_str", "n"),
            ("store_address", "x"),
        ],
        m.api_v2_key().unwrap(),
        SignType::HmacSha256,
        true,
    )
    .unwrap();
    let r = send(&sim, bare, &Script::default());
    assert!(
        body_str(&r).contains("<risk_level>LOW</risk_level>"),
        "{}",
        body_str(&r)
    );
}

#[test]
fn reply_parsing() {
    let (req, m) = (risk_req(), merchant());
    let p = |status: u16, body: &str| req.parse_reply(&m, resp(&raw(status, body.as_bytes())), NOW);
    let read = |body: &str| querymchrisk::read_reply(&m, resp(&raw(200, body.as_bytes())), NOW);
    let mch = m.mchid().as_str();
    let other_mch = "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code><mch_id>1</mch_id><risk_level>LOW</risk_level></xml>";
    let no_mch = "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code><risk_level>LOW</risk_level></xml>";
    let cases: Vec<(&str, u16, String, ApiError)> = vec![
        ("HTTP 500", 500, String::new(), ApiError::HttpStatus(500)),
        (
            "no return_code",
            200,
            "<xml><result_code>SUCCESS</result_code></xml>".into(),
            ApiError::V2Reply(ReplyError::MissingReturnCode),
        ),
        (
            "no risk_level",
            200,
            format!(
                "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code><mch_id>{mch}</mch_id></xml>"
            ),
            ApiError::MissingField("risk_level".into()),
        ),
        (
            "another mch_id",
            200,
            other_mch.into(),
            ApiError::Mismatch("mch_id".into()),
        ),
        // mch_id and result_code are required, not "compared if present".
        (
            "no mch_id",
            200,
            no_mch.into(),
            ApiError::MissingField("mch_id".into()),
        ),
        (
            "no result_code",
            200,
            format!(
                "<xml><return_code>SUCCESS</return_code><mch_id>{mch}</mch_id><risk_level>LOW</risk_level></xml>"
            ),
            ApiError::V2Reply(ReplyError::MissingResultCode),
        ),
    ];
    for (case, status, body, expected) in cases {
        let e = p(status, &body).unwrap_err();
        assert_eq!(e, expected, "{case}");
        let disposition = if status == 500 {
            Disposition::Transient
        } else {
            Disposition::Untrusted
        };
        assert_eq!(e.disposition(), disposition, "{case}");
    }
    assert_matches!(
        p(200, "<xml><a>1</a><a>2</a></xml>"),
        Err(ApiError::V2Reply(ReplyError::Xml(_)))
    );
    // Without the request at hand: mch_id is required but not compared.
    assert_eq!(read(other_mch).unwrap().mch_id, "1");
    assert_eq!(
        read(no_mch).unwrap_err(),
        ApiError::MissingField("mch_id".into())
    );
    // A stray sign on this unsigned endpoint is not checked; no risk_level_desc → empty.
    let out = p(
        200,
        &format!("<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code><mch_id>{mch}</mch_id><risk_level>UNKNOW</risk_level><sign>X</sign></xml>"),
    )
    .unwrap();
    assert_eq!(out.risk_level, RiskLevel::Unknown);
    assert_eq!(out.risk_level_desc, "");
}

#[test]
fn validation() {
    let pk = PublicKey::from_pem(text("getpublickey_pkcs1.pem")).unwrap();
    let m = merchant().with_risk_key(pk);
    let text = "printable characters (no control characters, no U+FFFE/U+FFFF)";
    type Edit = fn(&mut QueryMchRiskRequest);
    let cases: &[(Edit, FieldError)] = &[
        (
            |r| r.cert_serial_number = Some("S".repeat(33)),
            FieldError::Length {
                field: "cert_serial_number",
                min: 1,
                max: 32,
                len: 33,
            },
        ),
        (
            |r| r.certificates_number = Some(Personal::new("110105194912310021")),
            FieldError::IdNumber {
                field: "certificates_number",
            },
        ),
        (
            |r| r.certificates_number = Some(Personal::new("11010519491231002x")),
            FieldError::LowercaseX {
                field: "certificates_number",
            },
        ),
        (
            |r| r.certificates_name = Some(Personal::new("张\r\n")),
            charset("certificates_name", text),
        ),
        (
            |r| r.certificates_name = Some(Personal::new("张".repeat(65))),
            FieldError::Length {
                field: "certificates_name",
                min: 1,
                max: 64,
                len: 65,
            },
        ),
        (
            |r| r.settlement_card_no = Some(Personal::new("6222-0202")),
            charset("settlement_card_no", "ASCII digits"),
        ),
        (
            |r| r.settlement_card_no = Some(Personal::new("6".repeat(33))),
            FieldError::Length {
                field: "settlement_card_no",
                min: 1,
                max: 32,
                len: 33,
            },
        ),
        (
            |r| r.settlement_card_name = Some(Personal::new("a\u{0}")),
            charset("settlement_card_name", text),
        ),
        (
            |r| r.settlement_card_bank = Some("行".repeat(129)),
            FieldError::Length {
                field: "settlement_card_bank",
                min: 1,
                max: 128,
                len: 129,
            },
        ),
        (
            |r| r.business_license_number = Some(Personal::new("9144 0300")),
            charset("business_license_number", "visible ASCII"),
        ),
        (
            |r| r.company_name = Some("X公司\r\n<sign>".into()),
            charset("company_name", text),
        ),
        (
            |r| r.store_address = Some("址".repeat(257)),
            FieldError::Length {
                field: "store_address",
                min: 1,
                max: 256,
                len: 257,
            },
        ),
        (
            |r| r.store_longitude = Some("113.9E".into()),
            charset("store_longitude", "[0-9.+-]"),
        ),
        (
            |r| r.store_latitude = Some("2".repeat(33)),
            FieldError::Length {
                field: "store_latitude",
                min: 1,
                max: 32,
                len: 33,
            },
        ),
    ];
    for (i, (edit, expected)) in cases.iter().enumerate() {
        let case = format!("case {i} ({expected:?})");
        let mut r = risk_req();
        edit(&mut r);
        let e = r.build(&m, &mut rng(1), NOW).unwrap_err();
        assert_eq!(e, ApiError::Field(expected.clone()), "{case}");
        assert_eq!(e.disposition(), Disposition::Rejected, "{case}");
        assert!(!format!("{e:?}").contains("张"), "{case}");
    }
    // None of the identifying fields (empty strings count as absent): valid (the document's
    // table marks every business field optional); the opt-in check refuses it.
    let mut r = QueryMchRiskRequest::new();
    r.store_address = Some("广东省深圳市".into());
    r.certificates_name = Some(Personal::new(""));
    r.company_name = Some(String::new());
    let expected = FieldError::NoneOf {
        fields: querymchrisk::IDENTIFYING_FIELDS,
    };
    assert_eq!(r.validate(), Ok(()));
    assert_eq!(r.require_identifying_field(), Err(expected));
    assert!(r.build(&m, &mut rng(1), NOW).is_ok());
    // Each identifying field alone satisfies the opt-in check.
    for (i, edit) in [
        (|r: &mut QueryMchRiskRequest| r.company_name = Some("X".into())) as Edit,
        |r| r.certificates_name = Some(Personal::new("张三")),
        |r| r.settlement_card_no = Some(Personal::new("6222")),
        |r| r.settlement_card_name = Some(Personal::new("张三")),
        |r| r.business_license_number = Some(Personal::new("91440300MA5XXXXXXX")),
        |r| r.certificates_number = Some(Personal::new(ID)),
    ]
    .into_iter()
    .enumerate()
    {
        let mut r = QueryMchRiskRequest::new();
        edit(&mut r);
        assert_eq!(r.validate(), Ok(()), "identifying field {i}");
        assert_eq!(
            r.require_identifying_field(),
            Ok(()),
            "identifying field {i}"
        );
    }
    // A name of 60 four-byte characters passes the character limit but not the OAEP limit.
    let mut r = QueryMchRiskRequest::new();
    r.certificates_name = Some(Personal::new("😀".repeat(60)));
    assert_eq!(
        r.build(&m, &mut rng(1), NOW).unwrap_err(),
        ApiError::Encrypt {
            field: "certificates_name",
            source: CipherError::TooLong { len: 240, max: 214 }
        }
    );
}

#[test]
fn querymchrisk_needs_no_identifying_field() {
    use wechatpay_sansio::api::querymchrisk::QueryMchRiskRequest;
    use wechatpay_sansio::keys::PublicKey;
    let (sim, m) = (Simulator::new(), Simulator::new().merchant());
    let risk_key = PublicKey::from_pem(sim.risk_public_key_pkcs1_pem()).unwrap();
    let mut rng = crate::common::rng(4);
    // Every business field of the official document is optional (否).
    let m = m.with_risk_key(risk_key);
    let mut req = QueryMchRiskRequest::new();
    req.store_address = Some("广东省深圳市南山区深南大道10000号".into());
    let http = req.build(&m, &mut rng, NOW).unwrap().into_http();
    let resp = sim.handle(&http, NOW, &mut rng, &Script::default());
    assert!(
        req.parse_reply(&m, ResponseRef::from_http(&resp), NOW)
            .is_ok()
    );
}
