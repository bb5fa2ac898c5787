//! Issue 10 regressions: replies that fold fields, control characters from real WeChat bytes,
//! signature headers on the struct path, and the smaller holes. Every key here is TEST ONLY.

use crate::common::{NOW, t};
use http::StatusCode;
use wechatpay_sansio::api::{ApiError, Operation};
use wechatpay_sansio::ids::{MchId, Nonce};
use wechatpay_sansio::keys::{KeyError, MerchantPrivateKey};
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::secret::{ApiV2Key, Personal};
use wechatpay_sansio::simulator::v2::RealNameAuthScript;
use wechatpay_sansio::simulator::{Script, Simulator};
use wechatpay_sansio::v2::reply::{self, Expect, ReplyError};
use wechatpay_sansio::v2::{self as wire, SignType};
use wechatpay_sansio::v3::verify::{SignatureHeaders, VerifyError, VerifyOptions};

use crate::common::{
    APPID, OPENID_A, OPENID_B, Resp, fold, realnameauth_req as rna, send_realnameauth as send,
};

fn ok_resp(body: &[u8]) -> Resp {
    let mut r = http::Response::new(body.to_vec());
    *r.status_mut() = StatusCode::OK;
    r
}

#[test]
fn folded_openid_is_refused_for_both_sign_types() {
    let m = Simulator::new().merchant();
    for st in [SignType::Md5, SignType::HmacSha256] {
        let for_a = rna(OPENID_A, st);
        let genuine = send(&for_a, &m, RealNameAuthScript::matched());
        assert!(
            for_a
                .parse_reply(&m, ResponseRef::from_http(&genuine), NOW)
                .unwrap()
                .is_match()
        );
        let folded = ok_resp(&fold(genuine.body(), "openid"));
        // The fold keeps the signature valid ...
        let f = wire::xml::parse(folded.body()).unwrap();
        assert!(wire::sign::verify_fields(&f, m.api_v2_key().unwrap(), Some(st)).is_ok());
        // ... but the reply for user A must not be accepted as an answer about user B ...
        let for_b = rna(OPENID_B, st);
        let e = for_b
            .parse_reply(&m, ResponseRef::from_http(&folded), NOW)
            .unwrap_err();
        assert!(matches!(e, ApiError::PossibleFold { .. }), "{st}: {e:?}");
        // ... nor as an answer about A, nor read without the request at hand.
        assert!(
            for_a
                .parse_reply(&m, ResponseRef::from_http(&folded), NOW)
                .is_err()
        );
        assert!(
            wechatpay_sansio::api::realnameauth::read_reply(
                &m,
                ResponseRef::from_http(&folded),
                NOW,
                Some(st)
            )
            .is_err()
        );
    }
}

#[test]
fn a_success_reply_without_its_identifying_fields_is_refused() {
    let m = Simulator::new().merchant();
    let req = rna(OPENID_A, SignType::HmacSha256);
    let sim = Simulator::new();
    // A correctly signed reply that simply lacks openid.
    let reply = sim.v2_reply(
        &[
            ("result_code", "SUCCESS"),
            ("appid", APPID),
            ("mch_id", m.mchid().as_str()),
            ("access_token", "81_TESTONLYtoken"),
            ("verify_openid", "V_OP_NM_MA"),
            ("verify_real_name", "V_NM_ID_MA"),
        ],
        Some(SignType::HmacSha256),
    );
    assert_eq!(
        req.parse_reply(&m, ResponseRef::from_http(&reply), NOW)
            .unwrap_err(),
        ApiError::MissingField("openid".into())
    );
}

#[test]
fn folded_result_code_is_refused_by_the_generic_check() {
    let m = Simulator::new().merchant();
    let sim = Simulator::new();
    let genuine = sim.v2_reply(
        &[
            ("result_code", "FAIL"),
            ("err_code", "SYSTEMERROR"),
            ("nonce_str", "N0nce"),
            ("out_trade_no", "1217752501201407033233368018"),
        ],
        Some(SignType::Md5),
    );
    let signed = Expect::signed(Some(SignType::Md5));
    let l = wire::xml::XmlLimits::default();
    assert!(matches!(
        reply::parse_and_check(genuine.body(), m.api_v2_key().unwrap(), &signed, &l),
        Err(ReplyError::BusinessFail { .. })
    ));
    let folded = fold(genuine.body(), "result_code");
    assert!(
        reply::parse_and_check(&folded, m.api_v2_key().unwrap(), &signed, &l).is_err(),
        "a FAIL hidden by folding result_code into out_trade_no passed"
    );
}

/// A v2 reply exactly as WeChat sends it at times: a C0 control character inside text.
#[test]
fn control_characters_in_genuine_replies_are_kept() {
    let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    let fail = "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[参数\u{10}错误]]></return_msg></xml>";
    match reply::parse_and_check(
        fail.as_bytes(),
        &key,
        &Expect::unsigned(),
        &Default::default(),
    ) {
        Err(ReplyError::ReturnFail { return_msg, .. }) => {
            assert_eq!(return_msg.as_deref(), Some("参数\u{10}错误"));
        }
        other => panic!("{other:?}"),
    }
    // A signed SUCCESS reply: the sign covers the raw value, control character included.
    let pairs = [
        ("return_code", "SUCCESS"),
        ("result_code", "SUCCESS"),
        ("risk_level_desc", "低风险\u{10}投诉"),
    ];
    let s = wire::sign::sign(pairs, &key, SignType::HmacSha256).unwrap();
    let body = format!(
        "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code>\
         <risk_level_desc>低风险\u{10}投诉</risk_level_desc><sign>{s}</sign></xml>"
    );
    let f = reply::parse_and_check(
        body.as_bytes(),
        &key,
        &Expect::signed(Some(SignType::HmacSha256)),
        &Default::default(),
    )
    .unwrap();
    assert_eq!(f.get("risk_level_desc"), Some("低风险\u{10}投诉"));
    // A numeric reference to a control character is kept too.
    assert_eq!(
        wire::xml::parse(b"<xml><a>x&#16;y</a></xml>")
            .unwrap()
            .get("a"),
        Some("x\u{10}y")
    );
    // NUL still fails, raw or as a reference, and building still refuses control characters.
    assert!(wire::xml::parse(b"<xml><a>x\0y</a></xml>").is_err());
    assert!(wire::xml::parse(b"<xml><a>x&#0;y</a></xml>").is_err());
    assert!(wire::xml::parse(b"<xml><a>&#xD800;</a></xml>").is_err());
    assert!(wire::xml::to_xml([("a", "x\u{10}y")]).is_err());
}

/// The struct path of signature headers refuses what the `HeaderMap` path cannot carry: a nonce
/// with a newline could otherwise take part of the body and still verify.
#[test]
fn signature_headers_with_control_characters_are_refused() {
    let sim = Simulator::new();
    let m = Simulator::new().merchant();
    let now = t(1_800_000_000);
    let mut rng = crate::common::rng(3);
    let reply = sim.signed_v3_reply(&mut rng, StatusCode::OK, b"AB\nCD".to_vec(), now);
    let h = reply.headers();
    let get = |n: &str| h.get(n).unwrap().to_str().unwrap().to_owned();
    let (ts, nonce, sig, serial) = (
        get("wechatpay-timestamp"),
        get("wechatpay-nonce"),
        get("wechatpay-signature"),
        get("wechatpay-serial"),
    );
    // Move "AB\n" from the body into the nonce: the signed message is byte-identical.
    let shifted_nonce = format!("{nonce}\nAB");
    let headers = SignatureHeaders {
        timestamp: &ts,
        nonce: &shifted_nonce,
        signature: &sig,
        serial: &serial,
    };
    let e = m
        .verifier()
        .verify_headers(&headers, b"CD", now)
        .unwrap_err();
    assert!(matches!(e, VerifyError::InvalidHeader(_)), "{e:?}");
    for (t, n, s) in [
        (ts.as_str(), "a\tb", serial.as_str()),
        ("12\n34", nonce.as_str(), serial.as_str()),
        (ts.as_str(), nonce.as_str(), "AB\r\nCD"),
        (ts.as_str(), "", serial.as_str()),
    ] {
        let h = SignatureHeaders {
            timestamp: t,
            nonce: n,
            signature: &sig,
            serial: s,
        };
        assert!(
            matches!(
                m.verifier().verify_headers(&h, b"AB\nCD", now),
                Err(VerifyError::InvalidHeader(_))
            ),
            "{t:?} {n:?} {s:?}"
        );
    }
}

#[test]
fn response_ref_debug_prints_no_body() {
    let mut headers = http::HeaderMap::new();
    headers.insert("wechatpay-nonce", "n".parse().unwrap());
    let body = br#"{"name_mask":"*\u4e09","certificate_id":"11010519491231002X"}"#;
    let r = ResponseRef::new(StatusCode::OK, &headers, body);
    let d = format!("{r:?}");
    assert!(!d.contains("11010519491231002X"), "{d}");
    assert!(!d.contains("name_mask"), "{d}");
    assert!(d.contains(&body.len().to_string()), "{d}");
    assert!(d.contains("wechatpay-nonce"), "{d}");
}

#[test]
fn rsa_key_size_is_checked_in_bits() {
    // TEST ONLY: a 2047-bit key has a 256-byte modulus.
    let e = MerchantPrivateKey::from_pem(crate::common::data("test_rsa2047_key.pem")).unwrap_err();
    assert_eq!(
        e,
        KeyError::KeySize {
            bits: 2047,
            expected: 2048
        }
    );
    let e = wechatpay_sansio::keys::PublicKey::from_pem(crate::common::data(
        "test_rsa2047_public_key.pem",
    ))
    .unwrap_err();
    assert!(matches!(e, KeyError::KeySize { bits: 2047, .. }), "{e:?}");
}

#[test]
fn legacy_encrypted_pem_is_reported_as_encrypted() {
    // TEST ONLY: `openssl genrsa -aes128 -traditional` style (Proc-Type: 4,ENCRYPTED).
    let e = MerchantPrivateKey::from_pem(crate::common::data(
        "test_merchant_key_legacy_encrypted.pem",
    ))
    .unwrap_err();
    assert_eq!(e, KeyError::EncryptedPrivateKey);
}

#[test]
fn querymchrisk_needs_no_identifying_field() {
    use wechatpay_sansio::api::querymchrisk::QueryMchRiskRequest;
    use wechatpay_sansio::keys::PublicKey;
    let (sim, m) = (Simulator::new(), Simulator::new().merchant());
    let risk_key = PublicKey::from_pem(sim.risk_public_key_pkcs1_pem()).unwrap();
    let mut rng = crate::common::rng(4);
    // Every business field of the seed document is optional (否).
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

#[test]
fn customs_sub_order_no_has_only_a_length_rule() {
    let mut req = customs_req();
    req.sub_order_no = Some("SUB#2015.08/06".into());
    assert_eq!(req.validate(), Ok(()));
    req.sub_order_no = Some("x".repeat(33));
    assert!(req.validate().is_err());
}

// ------------------------------------------------------------------------------------------
// Certificates expire (part B: API that did not exist before)
// ------------------------------------------------------------------------------------------

use wechatpay_sansio::keys::{KeyStore, PlatformCertificate};

fn customs_req() -> wechatpay_sansio::api::customs::VerifyCertificateRequest {
    use wechatpay_sansio::api::customs::{Customs, VerifyCertificateRequest};
    VerifyCertificateRequest::new(
        "wxd678efh567hg6787",
        "20150806125346",
        "1000320306201511078440737890",
        Customs::ShanghaiZs,
        "123456",
        Personal::new("11010519491231002X"),
        Personal::new("张三"),
    )
}

fn signed_by(key_pem: &str, body: &[u8], ts: u64, serial: &str) -> http::HeaderMap {
    use wechatpay_sansio::keys::KeyId;
    let signer = wechatpay_sansio::v3::auth::MerchantSigner::new(
        MchId::new("1").unwrap(),
        KeyId::new("01").unwrap(),
        MerchantPrivateKey::from_pem(crate::common::data(key_pem)).unwrap(),
    );
    let ts = ts.to_string();
    let msg = wechatpay_sansio::v3::canonical::response_message(&ts, "n0nce", body);
    let sig = signer.sign(&mut crate::common::rng(1), &msg).unwrap();
    let mut h = http::HeaderMap::new();
    h.insert("wechatpay-timestamp", ts.parse().unwrap());
    h.insert("wechatpay-nonce", "n0nce".parse().unwrap());
    h.insert("wechatpay-serial", serial.parse().unwrap());
    h.insert("wechatpay-signature", sig.parse().unwrap());
    h
}

#[test]
fn a_certificate_outside_its_validity_proves_nothing() {
    let retired =
        PlatformCertificate::from_pem(crate::common::data("test_platform_expired_cert.pem"))
            .unwrap();
    let mut store = KeyStore::new();
    store.insert_certificate(&retired);
    let body = br#"{"ok":true}"#;
    let serial = retired.serial().as_str();
    let o = VerifyOptions::default();
    // Within validity (2018) the signature verifies ...
    let then = 1_514_764_800;
    let now = NOW.as_secs();
    let h = signed_by("test_platform2_key.pem", body, then, serial);
    assert!(crate::common::verify(&h, body, &store, then, &o).is_ok());
    // ... after expiry (2026) it proves nothing, however well it verifies.
    let h = signed_by("test_platform2_key.pem", body, now, serial);
    assert_eq!(
        crate::common::verify(&h, body, &store, now, &o),
        Err(VerifyError::KeyNotValidAt {
            id: serial.to_owned(),
            now: NOW,
            not_before: retired.not_before(),
            not_after: retired.not_after(),
        })
    );
    // Not yet valid: platform2 starts 2026-11-25.
    let future =
        PlatformCertificate::from_pem(crate::common::data("test_platform2_cert.pem")).unwrap();
    let mut store = KeyStore::new();
    store.insert_certificate(&future);
    let early = future.not_before().as_secs() - 1;
    let h = signed_by(
        "test_platform2_key.pem",
        body,
        early,
        future.serial().as_str(),
    );
    assert!(matches!(
        crate::common::verify(&h, body, &store, early, &o),
        Err(VerifyError::KeyNotValidAt { .. })
    ));
    // A WeChat Pay public key has no dates: unaffected at any time.
    let m = Simulator::new().merchant();
    let h = signed_by(
        "test_platform_key.pem",
        body,
        4_200_000_000,
        wechatpay_sansio::simulator::TEST_PUB_KEY_ID,
    );
    assert!(crate::common::verify(&h, body, m.keys(), 4_200_000_000, &o).is_ok());
    // The same time with the certificate serial (valid until 2099-12-31) is refused.
    let serial = Simulator::new().platform_serial().as_str().to_owned();
    let h = signed_by("test_platform_key.pem", body, 4_200_000_000, &serial);
    assert!(matches!(
        crate::common::verify(&h, body, m.keys(), 4_200_000_000, &o),
        Err(VerifyError::KeyNotValidAt { .. })
    ));
}

#[test]
fn a_notification_signed_with_an_expired_certificate_is_refused() {
    use wechatpay_sansio::v3::notify::{self, NotifyError};
    let retired =
        PlatformCertificate::from_pem(crate::common::data("test_platform_expired_cert.pem"))
            .unwrap();
    let mut store = KeyStore::new();
    store.insert_certificate(&retired);
    let body = br#"{"id":"x"}"#;
    let h = signed_by(
        "test_platform2_key.pem",
        body,
        NOW.as_secs(),
        retired.serial().as_str(),
    );
    let key = wechatpay_sansio::secret::ApiV3Key::new(wechatpay_sansio::simulator::TEST_API_V3_KEY)
        .unwrap();
    assert!(matches!(
        notify::parse(
            &h,
            body,
            &wechatpay_sansio::v3::verify::Verifier::new(&store),
            &key,
            NOW
        ),
        Err(NotifyError::Verify(VerifyError::KeyNotValidAt { .. }))
    ));
}

#[test]
fn certificate_download_keeps_only_valid_certificates_and_says_so() {
    use wechatpay_sansio::v3::certificates;
    use wechatpay_sansio::v3::resource::EncryptedResource;
    let key = wechatpay_sansio::secret::ApiV3Key::new(wechatpay_sansio::simulator::TEST_API_V3_KEY)
        .unwrap();
    let entry = |pem_file: &str, serial: &str| {
        let pem = crate::common::text(pem_file);
        let enc = EncryptedResource::encrypt(
            &key,
            "0123456789ab",
            "certificate",
            "certificate",
            pem.as_bytes(),
        )
        .unwrap();
        serde_json::json!({"serial_no": serial, "effective_time": "", "expire_time": "",
                           "encrypt_certificate": enc})
    };
    let current =
        PlatformCertificate::from_pem(crate::common::data("test_platform_cert.pem")).unwrap();
    let retired =
        PlatformCertificate::from_pem(crate::common::data("test_platform_expired_cert.pem"))
            .unwrap();
    let list = serde_json::json!({"data": [
        entry("test_platform_cert.pem", current.serial().as_str()),
        entry("test_platform_expired_cert.pem", retired.serial().as_str()),
    ]})
    .to_string();
    // Signed by the current certificate: kept; the retired one is skipped and reported.
    let h = signed_by(
        "test_platform_key.pem",
        list.as_bytes(),
        NOW.as_secs(),
        current.serial().as_str(),
    );
    let d = certificates::bootstrap(
        ResponseRef::new(StatusCode::OK, &h, list.as_bytes()),
        &key,
        VerifyOptions::default(),
        NOW,
    )
    .unwrap();
    assert_eq!(d.store.len(), 1);
    assert!(d.store.get(current.serial()).is_some());
    assert_eq!(d.skipped.len(), 1);
    assert_eq!(&d.skipped[0].serial, retired.serial());
    assert_eq!(d.skipped[0].validity, retired.validity());
    // Signed by the retired certificate only: refused, with the reason.
    let h = signed_by(
        "test_platform2_key.pem",
        list.as_bytes(),
        NOW.as_secs(),
        retired.serial().as_str(),
    );
    let e = certificates::bootstrap(
        ResponseRef::new(StatusCode::OK, &h, list.as_bytes()),
        &key,
        VerifyOptions::default(),
        NOW,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            certificates::DownloadError::Response(
                wechatpay_sansio::v3::response::ResponseError::Verify(
                    VerifyError::KeyNotValidAt { .. }
                )
            )
        ),
        "{e:?}"
    );
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
