//! v3 request signing (`Authorization: WECHATPAY2-SHA256-RSA2048 …`): published SDK vectors, parsing, errors, header injection.

use crate::common::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use wechatpay_sansio::ids::{MchId, Nonce};
use wechatpay_sansio::keys::{KeyId, MerchantPrivateKey, PlatformCertificate, PublicKey};
use wechatpay_sansio::v3::auth::{
    AuthError, Authorization, AuthorizationParseError, MerchantSigner,
};
use wechatpay_sansio::v3::request::{JsonRequest, V3RequestError};
#[test]
fn signer_and_request_errors() {
    let signer = MerchantSigner::new(
        MchId::new("1900000109").unwrap(),
        KeyId::new("3C3BBC2B9F5BF4F2").unwrap(),
        merchant_key(),
    );
    let n = Nonce::new("abc").unwrap();
    assert_eq!(
        signer
            .authorization(&mut rng(1), "GET", "no-slash", t(1), &n, b"")
            .unwrap_err(),
        AuthError::InvalidPathAndQuery
    );
    // RSA blinding draws from the caller's RNG only under the RustCrypto backend.
    let rng_is_consulted = wechatpay_sansio::crypto::USES_CALLER_RNG;
    if rng_is_consulted {
        assert_eq!(
            signer
                .authorization(&mut FailingRng, "GET", "/v3/x", t(1), &n, b"")
                .unwrap_err(),
            AuthError::Rng
        );
        assert_eq!(
            signer.sign(&mut FailingRng, b"x").unwrap_err(),
            AuthError::Rng
        );
    } else {
        assert!(signer.sign(&mut FailingRng, b"x").is_ok());
    }
    assert!(matches!(
        JsonRequest::get("http://api.mch.weixin.qq.com/v3/x").sign(&signer, &mut rng(1), t(1), &n),
        Err(V3RequestError::Request(_))
    ));
    assert_eq!(
        matches!(
            JsonRequest::get("https://api.mch.weixin.qq.com/v3/x").sign(
                &signer,
                &mut FailingRng,
                t(1),
                &n
            ),
            Err(V3RequestError::Auth(AuthError::Rng))
        ),
        rng_is_consulted
    );
    let id = KeyId::new(PUB_KEY_ID).unwrap();
    let req = JsonRequest::get("https://api.mch.weixin.qq.com/v3/x?a=%E4%B8%AD")
        .wechatpay_serial(&id)
        .sign(&signer, &mut rng(1), t(5), &n)
        .unwrap();
    assert_eq!(req.headers()["wechatpay-serial"], PUB_KEY_ID);
    assert!(req.headers().get("content-type").is_none());
    assert!(req.body().is_empty());
    assert_eq!(format!("{signer:?}").matches("redacted").count(), 1);
    assert_eq!(signer.mchid().as_str(), "1900000109");
    assert_eq!(signer.serial().as_str(), "3C3BBC2B9F5BF4F2");
}

#[test]
fn authorization_header_injection_and_junk() {
    use AuthorizationParseError::*;
    let base = r#"WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1",serial_no="A",signature="s""#;
    assert!(Authorization::parse(base).is_ok());
    for (input, want) in [
        (
            base.replace("mchid=\"1\"", "mchid=\"1\r\nX: y\""),
            Malformed,
        ),
        (base.replace("mchid=\"1\"", "mchid=\"1\0\""), Malformed),
        (base.replace("WECHATPAY2", "wechatpay2"), Scheme),
        (format!("{base},mchid=\"2\""), Duplicate("mchid")),
        (format!("{base},x=\"2\""), Unknown),
        (base.replace(",signature=\"s\"", ""), Missing("signature")),
        (format!("{base},"), Malformed),
    ] {
        assert_eq!(Authorization::parse(&input), Err(want), "{input:?}");
    }
}

#[test]
fn v3_go_sdk_signature_vector() {
    let key = MerchantPrivateKey::from_pem(data("go_private_key.pem")).unwrap();
    let signer = MerchantSigner::new(
        MchId::new("1234567890").unwrap(),
        KeyId::new("F5765756002FDD77").unwrap(),
        key,
    );
    let sig = signer.sign(&mut rng(1), b"source").unwrap();
    assert_eq!(sig, text("go_sign_source.b64").trim());
}

#[test]
fn v3_java_sdk_signature_vector_and_verify() {
    let key = MerchantPrivateKey::from_pem(data("java_merchant_private_key.pem")).unwrap();
    let signer = MerchantSigner::new(
        MchId::new("1234567891").unwrap(),
        KeyId::new("5F1C72E2A8931B72A2E13AF8DEE92471EB397115").unwrap(),
        key,
    );
    let expected = text("java_sign_message.b64");
    assert_eq!(
        signer.sign(&mut rng(2), b"message").unwrap(),
        expected.trim()
    );

    // The certificate carries the same key; its serial is the one the Java SDK config names.
    let cert = PlatformCertificate::from_pem(data("java_merchant_certificate.pem")).unwrap();
    assert_eq!(
        cert.serial().as_str(),
        "5F1C72E2A8931B72A2E13AF8DEE92471EB397115"
    );
    assert_eq!(cert.public_key(), &signer.key().public_key());
    let platform = PlatformCertificate::from_pem(data("java_wechat_pay_certificate.pem")).unwrap();
    assert_eq!(
        platform.serial().as_str(),
        "440024045C4A427599D09BB4E3DE0279F2E813FD"
    );
    assert_eq!(
        platform.public_key(),
        &PublicKey::from_pem(data("java_wechat_pay_public_key.pem")).unwrap()
    );
    // Expired on 2025-05-09: validity is reported, not enforced by parsing.
    assert!(!platform.is_valid_at(t(1_764_000_000)));
    assert!(platform.is_valid_at(t(1_700_000_000)));
}

#[test]
fn v3_sign_then_verify_with_generated_keys() {
    // The merchant signs; the matching public key verifies the canonical string.
    let signer = MerchantSigner::new(
        MchId::new("1900000109").unwrap(),
        KeyId::new("3C3BBC2B9F5BF4F2").unwrap(),
        merchant_key(),
    );
    let n = Nonce::new("A1B2C3D4E5F6G7").unwrap();
    let a = signer
        .authorization(
            &mut rng(4),
            "GET",
            "/v3/certificates",
            t(1624523846),
            &n,
            b"",
        )
        .unwrap();
    let sig = STANDARD.decode(&a.signature).unwrap();
    // The canonical string of the wechatpay-go credentials test (tests/data/VECTORS.md).
    let msg = b"GET\n/v3/certificates\n1624523846\nA1B2C3D4E5F6G7\n\n";
    let pk = rsa::pkcs8::DecodePublicKey::from_public_key_der(
        &signer.key().public_key().to_spki_der().unwrap(),
    );
    let pk: rsa::PublicKey = pk.unwrap();
    pk.pkcs1v15_verify::<sha2::Sha256>(msg, &sig).unwrap();
    // Deterministic: same input, same signature, whatever the blinding RNG.
    let b = signer
        .authorization(
            &mut rng(5),
            "GET",
            "/v3/certificates",
            t(1624523846),
            &n,
            b"",
        )
        .unwrap();
    assert_eq!(a, b);
}
