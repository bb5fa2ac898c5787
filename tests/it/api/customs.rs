//! 身份信息校验 (`POST apihk…/v3/global/customs/verify-certificate`) end to end: build →
//! simulator → parse for every outcome and both reply-signing modes; tampered and foreign
//! replies; every validation rule.

use crate::assert_matches;
use crate::common::{FailingRng, NOW, merchant, rng, sim, t};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderValue, StatusCode};
use wechatpay_sansio::api::customs::{CheckResult, Customs, VerifyCertificateRequest};
use wechatpay_sansio::api::{ApiError, Operation, customs};
use wechatpay_sansio::cipher::CipherError;
use wechatpay_sansio::error::FieldError;
use wechatpay_sansio::ids::Nonce;
use wechatpay_sansio::keys::{KeyStore, WechatPayKey};
use wechatpay_sansio::merchant::Merchant;
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::secret::Personal;
use wechatpay_sansio::simulator::v3::{CustomsScript, ScriptedError};
use wechatpay_sansio::simulator::{Script, SigningKeyMode, Simulator};
use wechatpay_sansio::v3::response::{ErrorCode, ResponseError};
use wechatpay_sansio::v3::verify::VerifyError;

pub const ID: &str = "11010519491231002X";

/// Field values from the official example (its ID number fails its own check digit, so a valid
/// one is used).
pub fn customs_req() -> VerifyCertificateRequest {
    let mut r = VerifyCertificateRequest::new(
        "wxd678efh567hg6787",
        "20150806125346",
        "1000320306201511078440737890",
        Customs::ShanghaiZs,
        "123456",
        Personal::new(ID),
        Personal::new("张三"),
    );
    r.sub_order_no = Some("20150806125346".into());
    r
}

fn script(customs: CustomsScript) -> Script {
    Script {
        customs,
        ..Script::default()
    }
}

/// Build the request for the simulator's merchant and answer it with `script`.
fn roundtrip(sim: &Simulator, s: CustomsScript, seed: u64) -> http::Response<Vec<u8>> {
    let m = merchant();
    let mut r = rng(seed);
    let built = customs_req().build(&m, &mut r, NOW).unwrap();
    assert_eq!(built.uri().host(), Some("apihk.mch.weixin.qq.com"));
    sim.handle(&built.into_http(), NOW, &mut r, &script(s))
}

fn parse(
    m: &Merchant,
    resp: &http::Response<Vec<u8>>,
    now: u64,
) -> Result<customs::VerifyCertificateOutcome, ApiError> {
    customs_req().parse_reply(m, ResponseRef::from_http(resp), t(now))
}

#[test]
fn every_outcome_with_both_signing_modes() {
    let m = merchant();
    for mode in [SigningKeyMode::Certificate, SigningKeyMode::PublicKey] {
        let sim = Simulator::new().with_signing_mode(mode);
        for (wire, expect) in [
            ("SAME", CheckResult::Same),
            ("DIFFERENT", CheckResult::Different),
            ("UNchECKED", CheckResult::Other("UNchECKED".into())),
        ] {
            let resp = roundtrip(&sim, CustomsScript::Result(wire.into()), 1);
            assert_eq!(
                resp.status(),
                200,
                "{}",
                String::from_utf8_lossy(resp.body())
            );
            let out = parse(&m, &resp, NOW.as_secs() + 1).unwrap();
            assert_eq!(out.certificate_check_result, expect);
            assert_eq!(out.is_same(), wire == "SAME");
            assert_eq!(out.sub_order_no, None); // not in the document's reply table
            assert_eq!(out.mchid, m.mchid().as_str());
        }
    }
}

#[test]
fn every_error_code_is_typed() {
    let m = merchant();
    let sim = sim();
    for (status, code, expect) in [
        (400, "INVALID_REQUEST", ErrorCode::InvalidRequest),
        (403, "NOAUTH", ErrorCode::NoAuth),
        (400, "PARAM_ERROR", ErrorCode::ParamError),
        (500, "SYSTEMERROR", ErrorCode::SystemError),
        (403, "USER_ACCOUNT_ABNORMAL", ErrorCode::UserAccountAbnormal),
        (429, "FREQUENCY_LIMITED", ErrorCode::FrequencyLimited),
        (
            400,
            "SOMETHING_NEW",
            ErrorCode::Other("SOMETHING_NEW".into()),
        ),
    ] {
        let s = CustomsScript::Error(ScriptedError::new(status, code, "海关申报记录不存在"));
        let resp = roundtrip(&sim, s, 2);
        match parse(&m, &resp, NOW.as_secs()) {
            Err(ApiError::V3Reply(ResponseError::Failure(r))) => assert_eq!(
                (r.status, &r.code, r.message.as_str()),
                (status, &expect, "海关申报记录不存在")
            ),
            other => panic!("{code}: {other:?}"),
        }
    }
}

#[test]
fn official_reply_examples_parse() {
    // The document's success example (with its UNchECKED) and error example, as received bodies.
    let m = merchant();
    let body = br#"{
  "appid": "wxd678efh567hg6787",
  "mchid": "1230000109",
  "out_trade_no": "20150806125346",
  "transaction_id": "1000320306201511078440737890",
  "certificate_check_result": "UNchECKED"
}"#;
    let resp = sim().signed_v3_reply(&mut rng(3), StatusCode::OK, body.to_vec(), NOW);
    let out = customs::read_reply(&m, ResponseRef::from_http(&resp), NOW).unwrap();
    assert_eq!(out.certificate_check_result.as_str(), "UNchECKED");
    assert_eq!(out.mchid, "1230000109");
    // Against the request, the echoes match when the merchant is the document's (1230000109) …
    let seed_merchant = Merchant::new("1230000109")
        .unwrap()
        .with_keys(m.keys().clone());
    assert!(parse(&seed_merchant, &resp, NOW.as_secs()).is_ok());
    // … and the reply is refused for another merchant: mchid is compared, not ignored.
    assert_eq!(
        parse(&m, &resp, NOW.as_secs()).unwrap_err(),
        ApiError::Mismatch("mchid".into())
    );

    let err = "{\n\t\"code\": \"INVALID_REQUEST\",\n\t\"message\": \"Parameter format verification error\",\n\t\"detail\": {\n\t\t\"field\": \"#/properties/payer\",\n\t\t\"value\": \"1346177081915535577\",\n\t\t\"issue\": \"与ALLOF schema不符\",\n\t\t\"location\": \"body\"\n\t}\n}";
    let resp = crate::common::raw(400, err.as_bytes());
    match customs::read_reply(&m, ResponseRef::from_http(&resp), NOW) {
        Err(ApiError::V3Reply(ResponseError::Failure(r))) => {
            assert_eq!(r.code, ErrorCode::InvalidRequest);
            let d = r.detail.unwrap();
            assert_eq!(d.field.as_deref(), Some("#/properties/payer"));
            assert_eq!(d.location.as_deref(), Some("body"));
            assert_eq!(d.value.unwrap().expose_secret(), "1346177081915535577");
        }
        other => panic!("{other:?}"),
    }
    let html = crate::common::raw(502, b"<html>502</html>");
    assert_matches!(
        customs::read_reply(&m, ResponseRef::from_http(&html), NOW),
        Err(ApiError::V3Reply(ResponseError::UnreadableError {
            status: 502,
            ..
        }))
    );
}

#[test]
fn fields_are_encrypted_with_pkcs1_under_the_certificate() {
    let m = merchant();
    let mut r = rng(4);
    let rsk: rsa::PrivateKey = rsa::pkcs8::DecodePrivateKey::from_pkcs8_pem(
        crate::common::text("test_platform_key.pem")
            .split_once('\n')
            .unwrap()
            .1,
    )
    .unwrap();
    let c = customs_req().build(&m, &mut r, NOW).unwrap();
    // The apihk document names the certificate serial even though the merchant also trusts a
    // PUB_KEY_ID_ key.
    assert_eq!(
        c.headers()["wechatpay-serial"],
        sim().platform_serial().as_str()
    );
    let v: serde_json::Value = serde_json::from_slice(c.body()).unwrap();
    assert_eq!(v["certificate_type"], "IDCARD");
    assert_eq!(v["mchid"], m.mchid().as_str());
    let ct = STANDARD
        .decode(v["certificate_id"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        rsk.pkcs1v15_decrypt_with_rng(&mut r, &ct).unwrap(),
        ID.as_bytes()
    );
    assert!(
        rsk.oaep_decrypt_with_rng::<sha1::Sha1, _>(&mut r, &ct)
            .is_err()
    );
    let (id, name) = sim()
        .decrypt_identity_fields(&c.into_http(), &mut r)
        .unwrap();
    assert_eq!((id.expose_secret(), name.expose_secret()), (ID, "张三"));
}

#[test]
fn tampered_and_foreign_replies_fail_with_the_right_error() {
    let m = merchant();
    let good = roundtrip(&sim(), CustomsScript::default(), 6);
    let now = NOW.as_secs();
    assert!(parse(&m, &good, now).is_ok());

    let mut body = good.clone();
    *body.body_mut() = String::from_utf8(good.body().clone())
        .unwrap()
        .replace("SAME", "DIFFERENT")
        .into_bytes();
    assert_eq!(
        parse(&m, &body, now).unwrap_err(),
        ApiError::V3Reply(ResponseError::Verify(VerifyError::BadSignature))
    );

    let mut sig = good.clone();
    let s = good.headers()["wechatpay-signature"]
        .to_str()
        .unwrap()
        .to_owned();
    let flipped = format!("{}{}", if s.starts_with('A') { "B" } else { "A" }, &s[1..]);
    sig.headers_mut().insert(
        "wechatpay-signature",
        HeaderValue::from_str(&flipped).unwrap(),
    );
    assert_eq!(
        parse(&m, &sig, now).unwrap_err(),
        ApiError::V3Reply(ResponseError::Verify(VerifyError::BadSignature))
    );

    let mut probe = good.clone();
    probe.headers_mut().insert(
        "wechatpay-signature",
        HeaderValue::from_static("WECHATPAY/SIGNTEST/AAAA"),
    );
    assert_eq!(
        parse(&m, &probe, now).unwrap_err(),
        ApiError::V3Reply(ResponseError::Verify(VerifyError::SignatureProbe))
    );

    let mut missing = good.clone();
    missing.headers_mut().remove("wechatpay-nonce");
    assert_eq!(
        parse(&m, &missing, now).unwrap_err(),
        ApiError::V3Reply(ResponseError::Verify(VerifyError::MissingHeader(
            "wechatpay-nonce"
        )))
    );
    assert_matches!(
        parse(&m, &good, now + 300),
        Err(ApiError::V3Reply(ResponseError::Verify(
            VerifyError::StaleTimestamp { .. }
        )))
    );
    let no_keys = m.clone().with_keys(KeyStore::new());
    assert_matches!(
        parse(&no_keys, &good, now),
        Err(ApiError::V3Reply(ResponseError::Verify(
            VerifyError::UnknownKey(_)
        )))
    );

    // A verified reply about another order is refused.
    let mut other = customs_req();
    other.out_trade_no = "ANOTHER".into();
    assert_eq!(
        other
            .parse_reply(&m, ResponseRef::from_http(&good), NOW)
            .unwrap_err(),
        ApiError::Mismatch("out_trade_no".into())
    );
    // A verified 2xx whose JSON is not the documented object.
    let odd = sim().signed_v3_reply(&mut rng(7), StatusCode::OK, b"{\"appid\":1}".to_vec(), NOW);
    assert_matches!(parse(&m, &odd, now), Err(ApiError::Json { .. }));
}

#[test]
fn simulator_rejects_what_wechat_pay_rejects() {
    let m = merchant();
    let sim = sim();
    let mut r = rng(8);
    let built = customs_req().build(&m, &mut r, NOW).unwrap().into_http();
    let run = |req: &http::Request<Vec<u8>>, r: &mut rand_chacha::ChaCha20Rng| {
        sim.handle(req, NOW, r, &Script::default())
    };
    let code = |resp: &http::Response<Vec<u8>>| {
        serde_json::from_slice::<serde_json::Value>(resp.body()).unwrap()["code"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    let mut no_serial = built.clone();
    no_serial.headers_mut().remove("wechatpay-serial");
    let resp = run(&no_serial, &mut r);
    assert_eq!(
        (resp.status().as_u16(), code(&resp)),
        (400, "PARAM_ERROR".to_owned())
    );
    assert!(String::from_utf8_lossy(resp.body()).contains("Wechatpay-Serial"));

    let mut bad_sig = built.clone();
    bad_sig.body_mut().push(b' ');
    let resp = run(&bad_sig, &mut r);
    assert_eq!(
        (resp.status().as_u16(), code(&resp)),
        (401, "SIGN_ERROR".to_owned())
    );

    let late = sim.handle(&built, t(NOW.as_secs() + 3600), &mut r, &Script::default());
    assert_eq!(late.status(), 401);

    // Encrypted with OAEP instead of PKCS#1: the node cannot decrypt it (implicit rejection
    // gives garbage, which fails the ID format check).
    let mut body: serde_json::Value = serde_json::from_slice(built.body()).unwrap();
    let key: &WechatPayKey = m.keys().platform_certificate(NOW).unwrap();
    body["certificate_id"] = wechatpay_sansio::cipher::encrypt(
        &mut r,
        key.key(),
        wechatpay_sansio::cipher::Padding::Oaep,
        ID.as_bytes(),
    )
    .unwrap()
    .into();
    let resigned = wechatpay_sansio::v3::request::JsonRequest::post(
        "https://apihk.mch.weixin.qq.com/v3/global/customs/verify-certificate",
        body.to_string().into_bytes(),
    )
    .wechatpay_serial(key.id())
    .sign(
        m.signer().unwrap(),
        &mut r,
        NOW,
        &wechatpay_sansio::ids::Nonce::new("abc").unwrap(),
    )
    .unwrap()
    .into_http();
    let resp = run(&resigned, &mut r);
    assert_eq!(
        (resp.status().as_u16(), code(&resp)),
        (400, "PARAM_ERROR".to_owned())
    );

    // Wrong host, wrong method.
    let mut wrong_host = built.clone();
    *wrong_host.uri_mut() = "https://api.mch.weixin.qq.com/v3/global/customs/verify-certificate"
        .parse()
        .unwrap();
    assert_eq!(run(&wrong_host, &mut r).status(), 404);
    let mut get = built.clone();
    *get.method_mut() = http::Method::GET;
    assert_eq!(run(&get, &mut r).status(), 405);
    let mut other = built;
    *other.uri_mut() = "https://apihk.mch.weixin.qq.com/v3/other".parse().unwrap();
    assert!(
        sim.handle_v3(&other, NOW, &mut r, &Script::default())
            .is_none()
    );
    assert_eq!(run(&other, &mut r).status(), 404);
}

/// A mutation of a valid request and the error it must produce.
type Case = (Box<dyn Fn(&mut VerifyCertificateRequest)>, FieldError);

#[test]
fn every_validation_rule_fails_before_any_cryptography() {
    let m = merchant();
    let len = |field, min, max, len| FieldError::Length {
        field,
        min,
        max,
        len,
    };
    let charset = |field, allowed| FieldError::Charset { field, allowed };
    let cases: Vec<Case> = vec![
        (
            Box::new(|q| q.appid = String::new()),
            FieldError::Missing { field: "appid" },
        ),
        (
            Box::new(|q| q.appid = "a".repeat(33)),
            len("appid", 1, 32, 33),
        ),
        (
            Box::new(|q| q.appid = "wx\r\nX".into()),
            charset("appid", "visible ASCII"),
        ),
        (
            Box::new(|q| q.out_trade_no = "a#b".into()),
            charset("out_trade_no", "[0-9A-Za-z_-|*@]"),
        ),
        (
            Box::new(|q| q.out_trade_no = "1".repeat(33)),
            len("out_trade_no", 1, 32, 33),
        ),
        (
            Box::new(|q| q.transaction_id = String::new()),
            FieldError::Missing {
                field: "transaction_id",
            },
        ),
        // The document gives sub_order_no a length only (string[1,32]), no character set.
        (
            Box::new(|q| q.sub_order_no = Some("x".repeat(33))),
            len("sub_order_no", 1, 32, 33),
        ),
        (
            Box::new(|q| q.customs = Customs::Other("shanghai".into())),
            charset("customs", "[A-Z0-9_]"),
        ),
        (
            Box::new(|q| q.customs = Customs::Other(String::new())),
            FieldError::Missing { field: "customs" },
        ),
        (
            Box::new(|q| q.merchant_customs_no = "1 2".into()),
            charset("merchant_customs_no", "visible ASCII"),
        ),
        (
            Box::new(|q| q.certificate_id = Personal::new("110105194912310021")),
            FieldError::IdNumber {
                field: "certificate_id",
            },
        ),
        (
            Box::new(|q| q.certificate_id = Personal::new("11010519491231002x")),
            FieldError::LowercaseX {
                field: "certificate_id",
            },
        ),
        (
            Box::new(|q| q.certificate_id = Personal::new("330821198809085211")),
            FieldError::IdNumber {
                field: "certificate_id",
            },
        ),
        (
            Box::new(|q| q.certificate_name = Personal::new("")),
            FieldError::Missing {
                field: "certificate_name",
            },
        ),
        (
            Box::new(|q| q.certificate_name = Personal::new("张\n三")),
            charset(
                "certificate_name",
                "printable characters (no control characters)",
            ),
        ),
        (
            Box::new(|q| q.certificate_name = Personal::new("名".repeat(65))),
            len("certificate_name", 1, 64, 65),
        ),
    ];
    for (mutate, expect) in cases {
        let mut q = customs_req();
        mutate(&mut q);
        assert_eq!(q.validate(), Err(expect.clone()));
        // Validation runs before the RNG is touched: a failing RNG still yields the field error.
        let e = q.build(&m, &mut FailingRng, NOW).unwrap_err();
        assert_eq!(e, ApiError::Field(expect.clone()));
        // The message names the field and never the value.
        let text = e.to_string();
        assert!(text.contains(expect.field()), "{text}");
        assert!(!text.contains("110105") && !text.contains('张'), "{text}");
    }
}

#[test]
fn building_needs_a_certificate_valid_now() {
    let m = merchant();
    // Only a PUB_KEY_ID_ key: the apihk document names the certificate serial, so it is refused.
    let mut only_pk = KeyStore::new();
    only_pk.insert(m.keys().get(sim().public_key_id()).unwrap().clone());
    assert_matches!(
        customs_req().build(&m.clone().with_keys(only_pk), &mut rng(1), NOW),
        Err(ApiError::NoEncryptionKey(_))
    );
    // The certificate is not valid in 2100.
    assert_matches!(
        customs_req().build(&m, &mut rng(1), t(4_102_444_800 + 86_400 * 366)),
        Err(ApiError::NoEncryptionKey(_))
    );
    // No signer configured.
    let unsigned = Merchant::new("1900000109")
        .unwrap()
        .with_keys(m.keys().clone());
    assert_matches!(
        customs_req().build(&unsigned, &mut rng(1), NOW),
        Err(ApiError::NotConfigured(_))
    );
    // An RNG failure, stated per backend: RustCrypto draws the OAEP/PKCS#1 padding from the
    // caller's RNG (the first draw: the encryption fails); aws-lc-rs uses its own DRBG for the
    // padding, so the first draw from the caller's RNG is the nonce.
    let e = customs_req().build(&m, &mut FailingRng, NOW).unwrap_err();
    if wechatpay_sansio::crypto::USES_CALLER_RNG {
        assert_eq!(
            e,
            ApiError::Encrypt {
                field: "certificate_id",
                source: CipherError::Rng
            }
        );
    } else {
        assert_eq!(e, ApiError::Rng);
    }
}

#[test]
fn errors_and_debug_never_echo_personal_data() {
    let all = [
        ApiError::Mismatch("out_trade_no".into()).to_string(),
        ApiError::Json { line: 1, column: 2 }.to_string(),
        format!("{:?}", customs_req()),
    ]
    .concat();
    assert!(!all.contains(ID) && !all.contains("张三"), "{all}");
}

#[test]
fn customs_sub_order_no_has_only_a_length_rule() {
    let mut req = customs_req();
    req.sub_order_no = Some("SUB#2015.08/06".into());
    assert_eq!(req.validate(), Ok(()));
    req.sub_order_no = Some("x".repeat(33));
    assert!(req.validate().is_err());
}

#[test]
fn simulator_answers_a_merchant_mismatch_as_wechat_pay_does_with_a_detail_on_param_errors() {
    use wechatpay_sansio::api::Failure;
    use wechatpay_sansio::v3::response::ErrorCode;
    let sim = Simulator::new();
    let m = sim.merchant();
    let mut rng = crate::common::rng(5);
    let req = customs_req();
    let platform = m.keys().platform_certificate(NOW).unwrap();
    let nonce = Nonce::new("abc").unwrap();
    let built = req.build(&m, &mut rng, NOW).unwrap().into_http();
    let resign = |body: serde_json::Value, rng: &mut rand_chacha::ChaCha20Rng| {
        wechatpay_sansio::v3::request::JsonRequest::post(
            "https://apihk.mch.weixin.qq.com/v3/global/customs/verify-certificate",
            body.to_string().into_bytes(),
        )
        .wechatpay_serial(platform.id())
        .sign(m.signer().unwrap(), rng, NOW, &nonce)
        .unwrap()
        .into_http()
    };
    // Another merchant id in the body than in the Authorization header.
    let mut body: serde_json::Value = serde_json::from_slice(built.body()).unwrap();
    body["mchid"] = "1230000109".into();
    let resp = sim.handle(&resign(body, &mut rng), NOW, &mut rng, &Script::default());
    match req
        .parse_reply(&m, ResponseRef::from_http(&resp), NOW)
        .unwrap_err()
        .failure()
    {
        Some(Failure::V3(f)) => {
            assert_eq!((f.status, &f.code), (400, &ErrorCode::ParamError));
            assert!(f.message.contains("mchid"), "{}", f.message);
        }
        other => panic!("{other:?}"),
    }
    // A missing field: PARAM_ERROR with the detail object, parsed end to end.
    let mut body: serde_json::Value = serde_json::from_slice(built.body()).unwrap();
    body.as_object_mut().unwrap().remove("merchant_customs_no");
    let resp = sim.handle(&resign(body, &mut rng), NOW, &mut rng, &Script::default());
    match req
        .parse_reply(&m, ResponseRef::from_http(&resp), NOW)
        .unwrap_err()
        .failure()
    {
        Some(Failure::V3(f)) => {
            assert_eq!(f.code, ErrorCode::ParamError);
            let d = f.detail.as_ref().expect("a detail object");
            assert_eq!(d.field.as_deref(), Some("#/properties/merchant_customs_no"));
            assert_eq!(d.location.as_deref(), Some("body"));
            assert!(d.issue.is_some());
        }
        other => panic!("{other:?}"),
    }
}

/// Issue 15 item 4: the real reply to a `Wechatpay-Serial` naming no platform key (reproduced by
/// the simulator, `tests/data/real/v3_error_param_error_bad_serial_httpclient47.json`) means
/// "refresh the platform keys": `is_key_rejected()`, not a plain `Rejected`.
#[test]
fn wrong_wechatpay_serial_means_refresh_the_platform_keys() {
    use wechatpay_sansio::error::{Classify, Disposition};
    let m = merchant();
    let mut r = rng(21);
    let mut built = customs_req().build(&m, &mut r, NOW).unwrap().into_http();
    // A serial the platform does not hold (the Authorization does not sign this header).
    built.headers_mut().insert(
        "wechatpay-serial",
        HeaderValue::from_static("5157F09EFDC096DE15EBE81A47057A7232F1B8E1"),
    );
    let resp = sim().handle(&built, NOW, &mut r, &Script::default());
    assert_eq!(resp.status(), 400);
    let real: serde_json::Value = serde_json::from_slice(&crate::common::data(
        "real/v3_error_param_error_bad_serial_httpclient47.json",
    ))
    .unwrap();
    let got: serde_json::Value = serde_json::from_slice(resp.body()).unwrap();
    assert_eq!(got, real, "the simulator answers the real body");
    let err = parse(&m, &resp, NOW.as_secs()).unwrap_err();
    assert!(err.is_key_rejected(), "{err}");
    assert_eq!(err.disposition(), Disposition::Misconfigured);
    // The reply missing the header altogether is not about a stale key.
    let mut none = customs_req().build(&m, &mut r, NOW).unwrap().into_http();
    none.headers_mut().remove("wechatpay-serial");
    let resp = sim().handle(&none, NOW, &mut r, &Script::default());
    assert!(
        !parse(&m, &resp, NOW.as_secs())
            .unwrap_err()
            .is_key_rejected()
    );
}

/// Issue 15 item 4: customs `INVALID_REQUEST` "海关配置未设置" is the merchant's customs setup
/// (Misconfigured); the other `INVALID_REQUEST` messages of the document stay `Rejected`.
#[test]
fn customs_not_configured_is_misconfigured() {
    use wechatpay_sansio::error::{Classify, Disposition};
    let m = merchant();
    for (message, want) in [
        ("海关配置未设置", Disposition::Misconfigured),
        ("海关申报记录不存在", Disposition::Rejected),
        ("微信实名身份证号格式异常,请检查", Disposition::Rejected),
    ] {
        let s = CustomsScript::Error(ScriptedError::new(400, "INVALID_REQUEST", message));
        let resp = roundtrip(&sim(), s, 23);
        let err = parse(&m, &resp, NOW.as_secs()).unwrap_err();
        assert_eq!(err.disposition(), want, "{message}");
        assert!(!err.is_key_rejected());
    }
}

/// Issue 15 item 5: the document's reply table has no `sub_order_no`, so the simulator does not
/// echo it; an absent one is accepted, a present one must equal the request's.
#[test]
fn sub_order_no_is_not_echoed_and_checked_only_when_present() {
    let m = merchant();
    let resp = roundtrip(&sim(), CustomsScript::default(), 24);
    let v: serde_json::Value = serde_json::from_slice(resp.body()).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "appid",
            "certificate_check_result",
            "mchid",
            "out_trade_no",
            "transaction_id"
        ]
    );
    assert!(customs_req().sub_order_no.is_some());
    assert_eq!(parse(&m, &resp, NOW.as_secs()).unwrap().sub_order_no, None);
    // A reply that does carry one: equal is accepted, different is refused.
    for (sub, ok) in [("20150806125346", true), ("20150806125347", false)] {
        let mut body = v.clone();
        body["sub_order_no"] = sub.into();
        let signed = sim().signed_v3_reply(
            &mut rng(25),
            StatusCode::OK,
            body.to_string().into_bytes(),
            NOW,
        );
        match parse(&m, &signed, NOW.as_secs()) {
            Ok(out) if ok => assert_eq!(out.sub_order_no.as_deref(), Some(sub)),
            Err(e) if !ok => assert_eq!(e, ApiError::Mismatch("sub_order_no".into())),
            other => panic!("{sub}: {other:?}"),
        }
    }
}
