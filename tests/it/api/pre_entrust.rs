//! 预签约(实名) (`POST /v3/ecommerce/individual-contracts/pre-entrust-sign-with-real-name-identity/*`)
//! end to end: both scenes, both kinds of WeChat Pay key, both reply-signing modes, every
//! outcome; OAEP encryption; every validation rule.

use crate::assert_matches;
use crate::common::{FailingRng, NOW, merchant, rng, sim};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderValue;
use wechatpay_sansio::api::pre_entrust::{PreEntrustSignRequest, Scene};
use wechatpay_sansio::api::{ApiError, Operation};
use wechatpay_sansio::cipher::CipherError;
use wechatpay_sansio::error::FieldError;
use wechatpay_sansio::keys::KeyStore;
use wechatpay_sansio::merchant::Merchant;
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::secret::Personal;
use wechatpay_sansio::simulator::v3::{PreEntrustScript, ScriptedError};
use wechatpay_sansio::simulator::{Script, SigningKeyMode, Simulator};
use wechatpay_sansio::v3::response::{ErrorCode, ResponseError};

const ID: &str = "11010519491231002X";

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

/// The simulator's merchant trusting only the public key, or only the platform certificate.
fn merchants() -> [(Merchant, String); 2] {
    let m = merchant();
    let only = |id: &wechatpay_sansio::keys::KeyId| {
        let mut s = KeyStore::new();
        s.insert(m.keys().get(id).unwrap().clone());
        (m.clone().with_keys(s), id.as_str().to_owned())
    };
    [only(sim().public_key_id()), only(sim().platform_serial())]
}

fn script(pre_entrust: PreEntrustScript) -> Script {
    Script {
        pre_entrust,
        ..Script::default()
    }
}

#[test]
fn the_public_key_is_preferred_for_encryption() {
    let built = pre_req(Scene::App)
        .build(&merchant(), &mut rng(1), NOW)
        .unwrap();
    assert_eq!(
        built.headers()["wechatpay-serial"],
        sim().public_key_id().as_str()
    );
}

#[test]
fn every_outcome_scene_key_kind_and_signing_mode() {
    for mode in [SigningKeyMode::Certificate, SigningKeyMode::PublicKey] {
        let sim = Simulator::new().with_signing_mode(mode);
        for scene in [Scene::MiniProgram, Scene::App] {
            for (m, key_id) in merchants() {
                // A reply signed under a key the merchant does not trust cannot be checked:
                // keep the full store for parsing.
                let reader = merchant();
                let mut r = rng(5);
                let req = pre_req(scene);
                let built = req.build(&m, &mut r, NOW).unwrap();
                assert_eq!(built.headers()["wechatpay-serial"], key_id.as_str());
                assert_eq!(built.path_and_query(), scene.path());
                let http_req = built.into_http();
                let resp = sim.handle(&http_req, NOW, &mut r, &Script::default());
                let out = req
                    .parse_reply(&reader, ResponseRef::from_http(&resp), NOW)
                    .unwrap();
                assert_eq!(out.pre_entrustweb_id, "1121_9f3c4d1a2b3c4d5e6f_12bf");
                for (status, code, expect) in [
                    (400, "PARAM_ERROR", ErrorCode::ParamError),
                    (403, "NO_AUTH", ErrorCode::NoAuth),
                    (500, "SYSTEM_ERROR", ErrorCode::SystemError),
                    (400, "INVALID_REQUEST", ErrorCode::InvalidRequest),
                    (429, "FREQUENCY_LIMITED", ErrorCode::FrequencyLimited),
                    (403, "RULE_LIMIT", ErrorCode::RuleLimit),
                    (403, "BRAND_NEW", ErrorCode::Other("BRAND_NEW".into())),
                ] {
                    let s = script(PreEntrustScript::Error(ScriptedError::new(
                        status, code, "m",
                    )));
                    let resp = sim.handle(&http_req, NOW, &mut r, &s);
                    match req.parse_reply(&reader, ResponseRef::from_http(&resp), NOW) {
                        Err(ApiError::V3Reply(ResponseError::Failure(e))) => {
                            assert_eq!((e.status, e.code), (status, expect));
                        }
                        other => panic!("{other:?}"),
                    }
                }
                let empty = script(PreEntrustScript::Id(String::new()));
                let resp = sim.handle(&http_req, NOW, &mut r, &empty);
                assert_eq!(
                    req.parse_reply(&reader, ResponseRef::from_http(&resp), NOW),
                    Err(ApiError::MissingField("pre_entrustweb_id".into()))
                );
            }
        }
    }
}

#[test]
fn fields_are_encrypted_with_oaep() {
    let mut r = rng(4);
    let rsk: rsa::PrivateKey = rsa::pkcs8::DecodePrivateKey::from_pkcs8_pem(
        crate::common::text("test_platform_key.pem")
            .split_once('\n')
            .unwrap()
            .1,
    )
    .unwrap();
    let p = pre_req(Scene::App).build(&merchant(), &mut r, NOW).unwrap();
    let v: serde_json::Value = serde_json::from_slice(p.body()).unwrap();
    assert_eq!(v["cred_type"], "ID_CARD");
    assert!(v.get("openid").is_none());
    let ct = STANDARD.decode(v["cred_id"].as_str().unwrap()).unwrap();
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
    let (id, name) = sim()
        .decrypt_identity_fields(&p.into_http(), &mut r)
        .unwrap();
    assert_eq!((id.expose_secret(), name.expose_secret()), (ID, "刘某某"));
}

#[test]
fn simulator_rejects_what_wechat_pay_rejects() {
    let m = merchant();
    let sim = sim();
    let mut r = rng(8);
    let nonce = wechatpay_sansio::ids::Nonce::new("abc").unwrap();
    let pk_id = sim.public_key_id().clone();
    // The APP scene carries no openid; adding one is a PARAM_ERROR.
    let app = pre_req(Scene::App).build(&m, &mut r, NOW).unwrap();
    let mut body: serde_json::Value = serde_json::from_slice(app.body()).unwrap();
    body["openid"] = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into();
    let url = format!("https://api.mch.weixin.qq.com{}", Scene::App.path());
    let with_openid =
        wechatpay_sansio::v3::request::JsonRequest::post(&url, body.to_string().into_bytes())
            .wechatpay_serial(&pk_id)
            .sign(m.signer().unwrap(), &mut r, NOW, &nonce)
            .unwrap()
            .into_http();
    assert_eq!(
        sim.handle(&with_openid, NOW, &mut r, &Script::default())
            .status(),
        400
    );
    // A serial the platform does not hold.
    let mut p = pre_req(Scene::MiniProgram)
        .build(&m, &mut r, NOW)
        .unwrap()
        .into_http();
    p.headers_mut().insert(
        "wechatpay-serial",
        HeaderValue::from_static("PUB_KEY_ID_0000"),
    );
    assert_eq!(
        sim.handle(&p, NOW, &mut r, &Script::default()).status(),
        400
    );
    assert!(sim.decrypt_identity_fields(&p, &mut r).is_some());
}

type Case = (Box<dyn Fn(&mut PreEntrustSignRequest)>, FieldError);

#[test]
fn every_validation_rule_fails_before_any_cryptography() {
    let m = merchant();
    let charset = |field, allowed| FieldError::Charset { field, allowed };
    let cases: Vec<Case> = vec![
        (
            Box::new(|q| q.appid = String::new()),
            FieldError::Missing { field: "appid" },
        ),
        (
            Box::new(|q| q.appid = "wx 1".into()),
            charset("appid", "visible ASCII"),
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
            charset("out_contract_code", "[0-9A-Za-z_-|*@]"),
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
            charset("openid", "visible ASCII"),
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
            charset("real_name", "printable characters (no control characters)"),
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
    for (mutate, expect) in cases {
        let mut q = pre_req(Scene::MiniProgram);
        mutate(&mut q);
        assert_eq!(
            q.build(&m, &mut FailingRng, NOW).unwrap_err(),
            ApiError::Field(expect)
        );
    }
    // An encryption failure names the field: a name too long for one OAEP block (214 bytes).
    let mut q = pre_req(Scene::MiniProgram);
    q.real_name = Personal::new("😀".repeat(60)); // 60 chars, 240 bytes
    assert_eq!(
        q.build(&m, &mut rng(9), NOW).unwrap_err(),
        ApiError::Encrypt {
            field: "real_name",
            source: CipherError::TooLong { len: 240, max: 214 }
        }
    );
    // No key to encrypt with.
    assert_matches!(
        pre_req(Scene::App).build(&m.clone().with_keys(KeyStore::new()), &mut rng(9), NOW),
        Err(ApiError::NoEncryptionKey(_))
    );
}

#[test]
fn debug_never_shows_personal_data() {
    let all = format!("{:?}{:?}", pre_req(Scene::App), pre_req(Scene::MiniProgram));
    assert!(!all.contains(ID) && !all.contains("刘某某"), "{all}");
}
