//! The two v3 identity APIs end to end: build → simulator → parse, for every outcome, both
//! reply-signing modes and both key kinds; tampered replies; every validation rule.
#![cfg(feature = "simulator")]

mod common;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{FailingRng, rng};
use http::{HeaderValue, StatusCode};
use wechatpay_sansio::api::customs::{CheckResult, Customs, VerifyCertificateRequest};
use wechatpay_sansio::api::pre_entrust::{PreEntrustSignRequest, Scene};
use wechatpay_sansio::api::v3_common::{ErrorCode, V3ApiError};
use wechatpay_sansio::api::validate::FieldError;
use wechatpay_sansio::cipher::CipherError;
use wechatpay_sansio::ids::{MchId, Nonce};
use wechatpay_sansio::keys::{KeyStore, WechatPayKey};
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::secret::Personal;
use wechatpay_sansio::simulator::v3::{CustomsScript, PreEntrustScript, ScriptedError, V3Script};
use wechatpay_sansio::simulator::{SigningKeyMode, Simulator, TestMerchant};
use wechatpay_sansio::v3::verify::{VerifyError, VerifyOptions};

const NOW: u64 = 1_700_000_000;
const ID: &str = "11010519491231002X";

fn customs_req() -> VerifyCertificateRequest {
    // Field values from the seed 002 example; the seed's ID number fails its own check digit.
    VerifyCertificateRequest {
        appid: "wxd678efh567hg6787".into(),
        out_trade_no: "20150806125346".into(),
        transaction_id: "1000320306201511078440737890".into(),
        sub_order_no: Some("20150806125346".into()),
        customs: Customs::ShanghaiZs,
        merchant_customs_no: "123456".into(),
        certificate_id: Personal::new(ID),
        certificate_name: Personal::new("张三"),
    }
}

fn pre_req(scene: Scene) -> PreEntrustSignRequest {
    let (appid, code) = ("wxd678efh567h23787", "APPLYMENT_00000000001");
    match scene {
        Scene::MiniProgram => PreEntrustSignRequest::mini_program(
            appid,
            code,
            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
            Personal::new("刘某某"),
            Personal::new(ID),
        ),
        Scene::App => {
            PreEntrustSignRequest::app(appid, code, Personal::new("刘某某"), Personal::new(ID))
        }
    }
}

fn platform_cert_key(m: &TestMerchant) -> &WechatPayKey {
    m.store.get(Simulator::new().platform_serial()).unwrap()
}

fn public_key(m: &TestMerchant) -> &WechatPayKey {
    m.store.get(Simulator::new().public_key_id()).unwrap()
}

fn roundtrip_customs(
    sim: &Simulator,
    script: &CustomsScript,
    seed: u64,
) -> (http::Response<Vec<u8>>, VerifyCertificateRequest) {
    let m = TestMerchant::new();
    let mut r = rng(seed);
    let req = customs_req();
    let nonce = Nonce::generate(&mut r).unwrap();
    let built = req
        .build(&m.signer, platform_cert_key(&m), &mut r, NOW, &nonce)
        .unwrap();
    assert_eq!(built.uri().host(), Some("apihk.mch.weixin.qq.com"));
    let resp = sim
        .handle_v3(
            &built.into_http(),
            NOW,
            &mut r,
            &V3Script {
                customs: script.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    (resp, req)
}

#[test]
fn customs_every_outcome_with_both_signing_modes() {
    let m = TestMerchant::new();
    for mode in [SigningKeyMode::Certificate, SigningKeyMode::PublicKey] {
        let sim = Simulator::new().with_signing_mode(mode);
        for (wire, expect) in [
            ("SAME", CheckResult::Same),
            ("DIFFERENT", CheckResult::Different),
            ("UNchECKED", CheckResult::Other("UNchECKED".into())),
        ] {
            let (resp, req) = roundtrip_customs(&sim, &CustomsScript::Result(wire.into()), 1);
            assert_eq!(
                resp.status(),
                200,
                "{}",
                String::from_utf8_lossy(resp.body())
            );
            let out = req
                .parse_reply(
                    &m.mchid,
                    ResponseRef::from_http(&resp),
                    &m.store,
                    NOW + 1,
                    &VerifyOptions::default(),
                )
                .unwrap();
            assert_eq!(out.certificate_check_result, expect);
            assert_eq!(out.is_same(), wire == "SAME");
            assert_eq!(out.sub_order_no.as_deref(), Some("20150806125346"));
            assert_eq!(out.mchid, m.mchid.as_str());
        }
    }
}

#[test]
fn customs_every_error_code() {
    let m = TestMerchant::new();
    let sim = Simulator::new();
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
        let script = CustomsScript::Error(ScriptedError::new(status, code, "海关申报记录不存在"));
        let (resp, req) = roundtrip_customs(&sim, &script, 2);
        match req.parse_reply(
            &m.mchid,
            ResponseRef::from_http(&resp),
            &m.store,
            NOW,
            &VerifyOptions::default(),
        ) {
            Err(V3ApiError::Api(f)) => {
                assert_eq!(
                    (f.status, &f.code, f.message.as_str()),
                    (status, &expect, "海关申报记录不存在")
                );
            }
            other => panic!("{code}: {other:?}"),
        }
    }
}

#[test]
fn customs_seed_reply_examples_parse() {
    // The seed's success example (with its UNchECKED) and error example, as received bodies.
    let m = TestMerchant::new();
    let sim = Simulator::new();
    let body = br#"{
  "appid": "wxd678efh567hg6787",
  "mchid": "1230000109",
  "out_trade_no": "20150806125346",
  "transaction_id": "1000320306201511078440737890",
  "certificate_check_result": "UNchECKED"
}"#;
    let resp = sim.signed_v3_reply(&mut rng(3), StatusCode::OK, body.to_vec(), NOW);
    let out = wechatpay_sansio::api::customs::parse_reply(
        ResponseRef::from_http(&resp),
        &m.store,
        NOW,
        &VerifyOptions::default(),
    )
    .unwrap();
    assert_eq!(out.certificate_check_result.as_str(), "UNchECKED");
    assert_eq!(out.mchid, "1230000109");
    // Against the request, the echoed appid etc. match the seed request too, when the merchant
    // is the seed's (1230000109) ...
    assert!(
        customs_req()
            .parse_reply(
                &MchId::new("1230000109").unwrap(),
                ResponseRef::from_http(&resp),
                &m.store,
                NOW,
                &VerifyOptions::default()
            )
            .is_ok()
    );
    // ... and the reply is refused for another merchant: mchid is compared, not ignored.
    assert_eq!(
        customs_req()
            .parse_reply(
                &m.mchid,
                ResponseRef::from_http(&resp),
                &m.store,
                NOW,
                &VerifyOptions::default()
            )
            .unwrap_err(),
        V3ApiError::Mismatch("mchid")
    );

    let err = "{\n\t\"code\": \"INVALID_REQUEST\",\n\t\"message\": \"Parameter format verification error\",\n\t\"detail\": {\n\t\t\"field\": \"#/properties/payer\",\n\t\t\"value\": \"1346177081915535577\",\n\t\t\"issue\": \"与ALLOF schema不符\",\n\t\t\"location\": \"body\"\n\t}\n}";
    let mut resp = http::Response::new(err.as_bytes().to_vec());
    *resp.status_mut() = StatusCode::BAD_REQUEST;
    match wechatpay_sansio::api::customs::parse_reply(
        ResponseRef::from_http(&resp),
        &m.store,
        NOW,
        &VerifyOptions::default(),
    ) {
        Err(V3ApiError::Api(f)) => {
            assert_eq!(f.code, ErrorCode::InvalidRequest);
            let d = f.detail.unwrap();
            assert_eq!(d.field.as_deref(), Some("#/properties/payer"));
            assert_eq!(d.location.as_deref(), Some("body"));
            assert_eq!(d.value.unwrap().expose(), "1346177081915535577");
        }
        other => panic!("{other:?}"),
    }
    let mut html = http::Response::new(b"<html>502</html>".to_vec());
    *html.status_mut() = StatusCode::BAD_GATEWAY;
    assert!(matches!(
        wechatpay_sansio::api::customs::parse_reply(
            ResponseRef::from_http(&html),
            &m.store,
            NOW,
            &VerifyOptions::default()
        ),
        Err(V3ApiError::UnreadableError { status: 502, .. })
    ));
}

#[test]
fn customs_uses_pkcs1_and_pre_entrust_uses_oaep() {
    let m = TestMerchant::new();
    let sim = Simulator::new();
    let mut r = rng(4);
    let rsk: rsa::PrivateKey = rsa::pkcs8::DecodePrivateKey::from_pkcs8_pem(
        common::text("test_platform_key.pem")
            .split_once('\n')
            .unwrap()
            .1,
    )
    .unwrap();
    let field = |req: &wechatpay_sansio::request::Request, name: &str| {
        let v: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
        STANDARD.decode(v[name].as_str().unwrap()).unwrap()
    };
    let c = customs_req()
        .build(
            &m.signer,
            platform_cert_key(&m),
            &mut r,
            NOW,
            &Nonce::new("n").unwrap(),
        )
        .unwrap();
    let ct = field(&c, "certificate_id");
    assert_eq!(
        rsk.pkcs1v15_decrypt_with_rng(&mut r, &ct).unwrap(),
        ID.as_bytes()
    );
    assert!(
        rsk.oaep_decrypt_with_rng::<sha1::Sha1, _>(&mut r, &ct)
            .is_err()
    );
    let (id, name) = sim.decrypt_identity_fields(&c.into_http(), &mut r).unwrap();
    assert_eq!((id.expose(), name.expose()), (ID, "张三"));

    let p = pre_req(Scene::App)
        .build(
            &m.signer,
            public_key(&m),
            &mut r,
            NOW,
            &Nonce::new("n").unwrap(),
        )
        .unwrap();
    let ct = field(&p, "cred_id");
    assert_eq!(
        rsk.oaep_decrypt_with_rng::<sha1::Sha1, _>(&mut r, &ct)
            .unwrap(),
        ID.as_bytes()
    );
    let garbage = rsk.pkcs1v15_decrypt_with_rng(&mut r, &ct);
    assert!(
        garbage.map_or(true, |g| g != ID.as_bytes()),
        "PKCS#1 must not recover an OAEP plaintext"
    );
    let (id, name) = sim.decrypt_identity_fields(&p.into_http(), &mut r).unwrap();
    assert_eq!((id.expose(), name.expose()), (ID, "刘某某"));
}

#[test]
fn pre_entrust_every_outcome_scene_and_key_kind() {
    let m = TestMerchant::new();
    for mode in [SigningKeyMode::Certificate, SigningKeyMode::PublicKey] {
        let sim = Simulator::new().with_signing_mode(mode);
        for scene in [Scene::MiniProgram, Scene::App] {
            for key in [public_key(&m), platform_cert_key(&m)] {
                let mut r = rng(5);
                let req = pre_req(scene);
                let nonce = Nonce::generate(&mut r).unwrap();
                let built = req.build(&m.signer, key, &mut r, NOW, &nonce).unwrap();
                assert_eq!(built.headers()["wechatpay-serial"], key.id().as_str());
                assert_eq!(built.path_and_query(), scene.path());
                let http_req = built.into_http();
                let resp = sim
                    .handle_v3(&http_req, NOW, &mut r, &V3Script::default())
                    .unwrap();
                let out = req
                    .parse_reply(
                        ResponseRef::from_http(&resp),
                        &m.store,
                        NOW,
                        &VerifyOptions::default(),
                    )
                    .unwrap();
                assert_eq!(out.pre_entrustweb_id, "1121_9f3c4d1a2b3c4d5e6f_12bf");
                for (status, code, expect) in [
                    (400, "PARAM_ERROR", ErrorCode::ParamError),
                    (403, "NO_AUTH", ErrorCode::NoAuth),
                    (500, "SYSTEM_ERROR", ErrorCode::SystemError),
                    (400, "INVALID_REQUEST", ErrorCode::InvalidRequest),
                    (429, "FREQUENCY_LIMITED", ErrorCode::FrequencyLimited),
                    (403, "RULE_LIMIT", ErrorCode::Other("RULE_LIMIT".into())),
                ] {
                    let script = V3Script {
                        pre_entrust: PreEntrustScript::Error(ScriptedError::new(status, code, "m")),
                        ..Default::default()
                    };
                    let resp = sim.handle_v3(&http_req, NOW, &mut r, &script).unwrap();
                    match req.parse_reply(
                        ResponseRef::from_http(&resp),
                        &m.store,
                        NOW,
                        &VerifyOptions::default(),
                    ) {
                        Err(V3ApiError::Api(f)) => assert_eq!((f.status, f.code), (status, expect)),
                        other => panic!("{other:?}"),
                    }
                }
                let empty = V3Script {
                    pre_entrust: PreEntrustScript::Id(String::new()),
                    ..Default::default()
                };
                let resp = sim.handle_v3(&http_req, NOW, &mut r, &empty).unwrap();
                assert!(matches!(
                    req.parse_reply(
                        ResponseRef::from_http(&resp),
                        &m.store,
                        NOW,
                        &VerifyOptions::default()
                    ),
                    Err(V3ApiError::Json { .. })
                ));
            }
        }
    }
}

#[test]
fn tampered_replies_fail_with_the_right_error() {
    let m = TestMerchant::new();
    let sim = Simulator::new();
    let (good, req) = roundtrip_customs(&sim, &CustomsScript::default(), 6);
    let o = VerifyOptions::default();
    let check = |resp: &http::Response<Vec<u8>>, store: &KeyStore, now: u64| {
        req.parse_reply(
            &TestMerchant::new().mchid,
            ResponseRef::from_http(resp),
            store,
            now,
            &o,
        )
    };
    assert!(check(&good, &m.store, NOW).is_ok());

    let mut body = good.clone();
    *body.body_mut() = String::from_utf8(good.body().clone())
        .unwrap()
        .replace("SAME", "DIFFERENT")
        .into_bytes();
    assert_eq!(
        check(&body, &m.store, NOW).unwrap_err(),
        V3ApiError::Verify(VerifyError::BadSignature)
    );

    let mut sig = good.clone();
    let s = sig.headers()["wechatpay-signature"]
        .to_str()
        .unwrap()
        .to_owned();
    let flipped = format!("{}{}", if s.starts_with('A') { "B" } else { "A" }, &s[1..]);
    sig.headers_mut().insert(
        "wechatpay-signature",
        HeaderValue::from_str(&flipped).unwrap(),
    );
    assert_eq!(
        check(&sig, &m.store, NOW).unwrap_err(),
        V3ApiError::Verify(VerifyError::BadSignature)
    );

    let mut probe = good.clone();
    probe.headers_mut().insert(
        "wechatpay-signature",
        HeaderValue::from_static("WECHATPAY/SIGNTEST/AAAA"),
    );
    assert_eq!(
        check(&probe, &m.store, NOW).unwrap_err(),
        V3ApiError::Verify(VerifyError::SignatureProbe)
    );

    let mut missing = good.clone();
    missing.headers_mut().remove("wechatpay-nonce");
    assert_eq!(
        check(&missing, &m.store, NOW).unwrap_err(),
        V3ApiError::Verify(VerifyError::MissingHeader("wechatpay-nonce"))
    );

    assert!(matches!(
        check(&good, &m.store, NOW + 300).unwrap_err(),
        V3ApiError::Verify(VerifyError::StaleTimestamp { .. })
    ));
    assert!(matches!(
        check(&good, &KeyStore::new(), NOW).unwrap_err(),
        V3ApiError::Verify(VerifyError::UnknownKey(_))
    ));

    // A verified reply about another order is refused.
    let mut other = customs_req();
    other.out_trade_no = "ANOTHER".into();
    assert_eq!(
        other
            .parse_reply(&m.mchid, ResponseRef::from_http(&good), &m.store, NOW, &o)
            .unwrap_err(),
        V3ApiError::Mismatch("out_trade_no")
    );
    // A verified 2xx whose JSON is not the documented object.
    let odd = sim.signed_v3_reply(&mut rng(7), StatusCode::OK, b"{\"appid\":1}".to_vec(), NOW);
    assert!(matches!(
        check(&odd, &m.store, NOW).unwrap_err(),
        V3ApiError::Json { .. }
    ));
}

#[test]
fn simulator_rejects_what_wechat_pay_rejects() {
    let m = TestMerchant::new();
    let sim = Simulator::new();
    let mut r = rng(8);
    let nonce = Nonce::new("abc").unwrap();
    let built = customs_req()
        .build(&m.signer, platform_cert_key(&m), &mut r, NOW, &nonce)
        .unwrap()
        .into_http();
    let run = |req: &http::Request<Vec<u8>>, r: &mut rand_chacha::ChaCha20Rng| {
        sim.handle_v3(req, NOW, r, &V3Script::default()).unwrap()
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

    let resp = sim
        .handle_v3(&built, NOW + 3600, &mut r, &V3Script::default())
        .unwrap();
    assert_eq!(resp.status(), 401);

    // Encrypted with OAEP instead of PKCS#1: the node cannot decrypt it (implicit rejection gives
    // garbage, which fails the ID format check).
    let mut body: serde_json::Value = serde_json::from_slice(built.body()).unwrap();
    let pk = platform_cert_key(&m).key().clone();
    body["certificate_id"] = wechatpay_sansio::cipher::encrypt(
        &mut r,
        &pk,
        wechatpay_sansio::cipher::Padding::Oaep,
        ID.as_bytes(),
    )
    .unwrap()
    .into();
    let bytes = body.to_string().into_bytes();
    let resigned = wechatpay_sansio::v3::request::JsonRequest::post(
        "https://apihk.mch.weixin.qq.com/v3/global/customs/verify-certificate",
        bytes,
    )
    .wechatpay_serial(platform_cert_key(&m).id())
    .sign(&m.signer, &mut r, NOW, &nonce)
    .unwrap()
    .into_http();
    let resp = run(&resigned, &mut r);
    assert_eq!(
        (resp.status().as_u16(), code(&resp)),
        (400, "PARAM_ERROR".to_owned())
    );

    // Wrong host, wrong method, unknown path.
    let mut wrong_host = built.clone();
    *wrong_host.uri_mut() = "https://api.mch.weixin.qq.com/v3/global/customs/verify-certificate"
        .parse()
        .unwrap();
    assert_eq!(run(&wrong_host, &mut r).status(), 404);
    let mut get = built.clone();
    *get.method_mut() = http::Method::GET;
    assert_eq!(run(&get, &mut r).status(), 405);
    let mut other = built.clone();
    *other.uri_mut() = "https://apihk.mch.weixin.qq.com/v3/other".parse().unwrap();
    assert!(
        sim.handle_v3(&other, NOW, &mut r, &V3Script::default())
            .is_none()
    );
    // The APP scene carries no openid; the mini-program scene must.
    let mut body: serde_json::Value = serde_json::from_slice(
        pre_req(Scene::App)
            .build(&m.signer, public_key(&m), &mut r, NOW, &nonce)
            .unwrap()
            .body(),
    )
    .unwrap();
    assert!(body.get("openid").is_none());
    body["openid"] = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into();
    let with_openid = wechatpay_sansio::v3::request::JsonRequest::post(
        &format!("https://api.mch.weixin.qq.com{}", Scene::App.path()),
        body.to_string().into_bytes(),
    )
    .wechatpay_serial(public_key(&m).id())
    .sign(&m.signer, &mut r, NOW, &nonce)
    .unwrap()
    .into_http();
    assert_eq!(run(&with_openid, &mut r).status(), 400);
    // The APP scene carries no openid; the mini-program scene must.
    let app = pre_req(Scene::App)
        .build(&m.signer, public_key(&m), &mut r, NOW, &nonce)
        .unwrap();
    let mut body: serde_json::Value = serde_json::from_slice(app.body()).unwrap();
    assert!(body.get("openid").is_none());
    body["openid"] = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into();
    let url = format!("https://api.mch.weixin.qq.com{}", Scene::App.path());
    let with_openid =
        wechatpay_sansio::v3::request::JsonRequest::post(&url, body.to_string().into_bytes())
            .wechatpay_serial(public_key(&m).id())
            .sign(&m.signer, &mut r, NOW, &nonce)
            .unwrap()
            .into_http();
    assert_eq!(run(&with_openid, &mut r).status(), 400);
    // Pre-entrust with a serial the platform does not hold.
    let p = pre_req(Scene::MiniProgram)
        .build(&m.signer, public_key(&m), &mut r, NOW, &nonce)
        .unwrap();
    let mut p = p.into_http();
    p.headers_mut().insert(
        "wechatpay-serial",
        HeaderValue::from_static("PUB_KEY_ID_0000"),
    );
    let resp = run(&p, &mut r);
    assert_eq!(resp.status(), 400);
    assert!(sim.decrypt_identity_fields(&p, &mut r).is_some());
}

/// A mutation of a valid request and the error it must produce.
type Case<T> = (Box<dyn Fn(&mut T)>, FieldError);

#[test]
fn validation_rules_each_fail() {
    let m = TestMerchant::new();
    let mut r = rng(9);
    let n = Nonce::new("n").unwrap();
    let build_c = |req: VerifyCertificateRequest, r: &mut rand_chacha::ChaCha20Rng| {
        req.build(&m.signer, platform_cert_key(&m), r, NOW, &n)
            .map(|_| ())
    };
    let cases: Vec<Case<VerifyCertificateRequest>> = vec![
        (
            Box::new(|q| q.appid = String::new()),
            FieldError::Missing { field: "appid" },
        ),
        (
            Box::new(|q| q.appid = "a".repeat(33)),
            FieldError::Length {
                field: "appid",
                min: 1,
                max: 32,
                len: 33,
            },
        ),
        (
            Box::new(|q| q.appid = "wx\r\nX".into()),
            FieldError::Charset {
                field: "appid",
                allowed: "visible ASCII",
            },
        ),
        (
            Box::new(|q| q.out_trade_no = "a#b".into()),
            FieldError::Charset {
                field: "out_trade_no",
                allowed: "[0-9A-Za-z_-|*@]",
            },
        ),
        (
            Box::new(|q| q.out_trade_no = "1".repeat(33)),
            FieldError::Length {
                field: "out_trade_no",
                min: 1,
                max: 32,
                len: 33,
            },
        ),
        (
            Box::new(|q| q.transaction_id = String::new()),
            FieldError::Missing {
                field: "transaction_id",
            },
        ),
        (
            // The document gives sub_order_no a length only (string[1,32]), no character set.
            Box::new(|q| q.sub_order_no = Some("x".repeat(33))),
            FieldError::Length {
                field: "sub_order_no",
                min: 1,
                max: 32,
                len: 33,
            },
        ),
        (
            Box::new(|q| q.customs = Customs::Other("shanghai".into())),
            FieldError::Charset {
                field: "customs",
                allowed: "[A-Z0-9_]",
            },
        ),
        (
            Box::new(|q| q.customs = Customs::Other(String::new())),
            FieldError::Missing { field: "customs" },
        ),
        (
            Box::new(|q| q.merchant_customs_no = "1 2".into()),
            FieldError::Charset {
                field: "merchant_customs_no",
                allowed: "visible ASCII",
            },
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
            FieldError::Charset {
                field: "certificate_name",
                allowed: "printable characters (no control characters)",
            },
        ),
        (
            Box::new(|q| q.certificate_name = Personal::new("名".repeat(65))),
            FieldError::Length {
                field: "certificate_name",
                min: 1,
                max: 64,
                len: 65,
            },
        ),
    ];
    for (mutate, expect) in cases {
        let mut q = customs_req();
        mutate(&mut q);
        let e = build_c(q, &mut r).unwrap_err();
        assert_eq!(e, V3ApiError::Field(expect.clone()));
        // The message names the field and never the value.
        assert!(
            !e.to_string().contains("110105") && !e.to_string().contains('张'),
            "{e}"
        );
    }
    // The apihk document names the certificate serial; a PUB_KEY_ID_ key is refused before sending.
    let e = customs_req()
        .build(&m.signer, public_key(&m), &mut r, NOW, &n)
        .unwrap_err();
    assert!(matches!(
        e,
        V3ApiError::Field(FieldError::NotInEnum {
            field: "Wechatpay-Serial",
            ..
        })
    ));

    let build_p = |req: PreEntrustSignRequest, r: &mut rand_chacha::ChaCha20Rng| {
        req.build(&m.signer, public_key(&m), r, NOW, &n).map(|_| ())
    };
    let pcases: Vec<Case<PreEntrustSignRequest>> = vec![
        (
            Box::new(|q| q.appid = String::new()),
            FieldError::Missing { field: "appid" },
        ),
        (
            Box::new(|q| q.appid = "wx 1".into()),
            FieldError::Charset {
                field: "appid",
                allowed: "visible ASCII",
            },
        ),
        (
            Box::new(|q| q.out_contract_code = "a".repeat(65)),
            FieldError::Length {
                field: "out_contract_code",
                min: 1,
                max: 64,
                len: 65,
            },
        ),
        (
            Box::new(|q| q.out_contract_code = "A\r\nB".into()),
            FieldError::Charset {
                field: "out_contract_code",
                allowed: "[0-9A-Za-z_-|*@]",
            },
        ),
        (
            Box::new(|q| q.openid = None),
            FieldError::Missing { field: "openid" },
        ),
        (
            Box::new(|q| q.openid = Some(String::new())),
            FieldError::Missing { field: "openid" },
        ),
        (
            Box::new(|q| q.openid = Some("o\u{7f}".into())),
            FieldError::Charset {
                field: "openid",
                allowed: "visible ASCII",
            },
        ),
        (
            Box::new(|q| q.scene = Scene::App),
            FieldError::NotInEnum {
                field: "openid",
                allowed: "absent in the APP scene",
            },
        ),
        (
            Box::new(|q| q.real_name = Personal::new("")),
            FieldError::Missing { field: "real_name" },
        ),
        (
            Box::new(|q| q.real_name = Personal::new("刘\0")),
            FieldError::Charset {
                field: "real_name",
                allowed: "printable characters (no control characters)",
            },
        ),
        (
            Box::new(|q| q.cred_id = Personal::new("11010519491231002x")),
            FieldError::LowercaseX { field: "cred_id" },
        ),
        (
            Box::new(|q| q.cred_id = Personal::new("A1010519491231002X")),
            FieldError::IdNumber { field: "cred_id" },
        ),
    ];
    for (mutate, expect) in pcases {
        let mut q = pre_req(Scene::MiniProgram);
        mutate(&mut q);
        assert_eq!(build_p(q, &mut r).unwrap_err(), V3ApiError::Field(expect));
    }
    // An encryption failure names the field: a name too long for one RSA block (214 bytes).
    let mut q = pre_req(Scene::MiniProgram);
    q.real_name = Personal::new("😀".repeat(60)); // 60 chars, 240 bytes
    assert_eq!(
        build_p(q, &mut r).unwrap_err(),
        V3ApiError::Encrypt {
            field: "real_name",
            source: CipherError::TooLong { len: 240, max: 214 }
        }
    );
    // An RNG failure surfaces as an encryption error (RustCrypto draws padding from the caller's
    // RNG; AWS-LC uses its own DRBG and never consults it, so the build succeeds there).
    let r = customs_req().build(&m.signer, platform_cert_key(&m), &mut FailingRng, NOW, &n);
    if wechatpay_sansio::crypto::BACKEND == "rustcrypto" {
        assert!(matches!(
            r,
            Err(V3ApiError::Encrypt {
                source: CipherError::Rng,
                ..
            })
        ));
    } else {
        assert!(r.is_ok());
    }
}

#[test]
fn errors_never_echo_personal_data() {
    let all = [
        V3ApiError::Mismatch("out_trade_no").to_string(),
        V3ApiError::Json { line: 1, column: 2 }.to_string(),
        format!("{:?}", customs_req()),
        format!("{:?}", pre_req(Scene::App)),
    ]
    .concat();
    assert!(
        !all.contains(ID) && !all.contains("张三") && !all.contains("刘某某"),
        "{all}"
    );
}
