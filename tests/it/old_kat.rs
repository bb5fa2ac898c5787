//! Known-answer tests: vectors published by WeChat Pay's official SDKs and documents (see
//! tests/data/VECTORS.md). None of them was produced by this crate.

use crate::common::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderValue};
use wechatpay_sansio::cipher;
use wechatpay_sansio::ids::{MchId, Nonce};
use wechatpay_sansio::keys::{KeyId, KeyStore, MerchantPrivateKey, PlatformCertificate, PublicKey};
use wechatpay_sansio::secret::{ApiV2Key, ApiV3Key};
use wechatpay_sansio::v2::{SignType, sign, xml};
use wechatpay_sansio::v3::auth::MerchantSigner;
use wechatpay_sansio::v3::notify;
use wechatpay_sansio::v3::resource::ResourceError;
use wechatpay_sansio::v3::verify::{VerifyError, VerifyOptions};

#[test]
fn v2_official_doc_example_md5_and_hmac() {
    let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    let p = [
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ];
    assert_eq!(
        sign::canonical_string_masked(p).unwrap(),
        "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&key=***"
    );
    assert_eq!(
        sign::sign(p, &key, SignType::Md5).unwrap().as_str(),
        "9A0A8659F005D6984697E2CA0A9CF3B7"
    );
    assert_eq!(
        sign::sign(p, &key, SignType::HmacSha256).unwrap().as_str(),
        "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
    );
}

#[test]
fn v2_wechatpy_xml_vector_verifies() {
    let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    let body = "<xml>\n<test1><![CDATA[test1]]></test1>\n<test2><![CDATA[test2]]></test2>\n<sign><![CDATA[1E3A8D73B5A4AEE787C0F68B5DAB8520]]></sign>\n</xml>";
    let f = xml::parse(body.as_bytes()).unwrap();
    assert_eq!(sign::verify_fields(&f, &key, None), Ok(SignType::Md5));
    assert_eq!(
        sign::sign(
            [("test1", "test1"), ("test2", "test2")],
            &key,
            SignType::HmacSha256
        )
        .unwrap()
        .as_str(),
        "EDAC6D70D2FDF5A2382F8204FC96A1918017E46ACC5297F565ED1A7610ACF659"
    );
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
fn java_oaep_decryption_vector() {
    let key = MerchantPrivateKey::from_pem(data("java_merchant_private_key.pem")).unwrap();
    let ct = text("java_oaep_ciphertext.b64");
    let pt = cipher::decrypt_oaep_personal(&mut rng(3), &key, ct.trim()).unwrap();
    assert_eq!(pt.expose_secret(), "plaintext");
    // Wrong key: a clean error, never garbage.
    let other = MerchantPrivateKey::from_pem(data("java_wechat_pay_private_key.pem")).unwrap();
    assert_eq!(
        cipher::decrypt_oaep(&mut rng(3), &other, ct.trim()).unwrap_err(),
        cipher::CipherError::Decrypt
    );
}

fn go_notify_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    for line in text("go_notify_headers.txt").lines() {
        let (k, v) = line.split_once(": ").unwrap();
        h.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    h
}

#[test]
fn go_notification_signature_vector() {
    let cert = PlatformCertificate::from_pem(data("go_platform_cert.pem")).unwrap();
    assert_eq!(cert.serial().as_str(), "D7CE59D1F522D701");
    let mut store = KeyStore::new();
    store.insert_certificate(&cert);
    let body = data("go_notify_body.json");
    let h = go_notify_headers();
    let o = VerifyOptions::default();
    assert_eq!(
        verify(&h, &body, &store, 1624523846, &o).unwrap().as_str(),
        "D7CE59D1F522D701"
    );
    // One byte of the body changed: rejected.
    let mut bad = body.clone();
    bad[10] ^= 1;
    assert_eq!(
        verify(&h, &bad, &store, 1624523846, &o),
        Err(VerifyError::BadSignature)
    );
    // Five minutes later: stale.
    assert_eq!(
        verify(&h, &body, &store, 1624523846 + 300, &o),
        Err(VerifyError::StaleTimestamp {
            skew: 300,
            max_skew: 300
        })
    );
    assert!(verify(&h, &body, &store, 1624523846 + 299, &o).is_ok());
    assert!(verify(&h, &body, &store, 1624523846 - 299, &o).is_ok());

    // The Go test decrypts with a 16-byte key (AES-128-GCM); an APIv3 key is 32 bytes, so that
    // half of the vector is refused at key construction, and a 32-byte key fails authentication.
    assert!(ApiV3Key::new(b"testMchAPIv3Key0").is_err());
    let k32 = ApiV3Key::new(b"testMchAPIv3Key0testMchAPIv3Key0").unwrap();
    let r = notify::parse(
        &h,
        &body,
        &wechatpay_sansio::v3::verify::Verifier::new(&store),
        &k32,
        t(1624523846),
    );
    assert_eq!(
        r.unwrap_err(),
        notify::NotifyError::Resource(ResourceError::TagMismatch)
    );
}

#[test]
fn getpublickey_pkcs1_to_spki_matches_openssl() {
    let k = PublicKey::from_pem(data("getpublickey_pkcs1.pem")).unwrap();
    assert_eq!(k.to_spki_pem().unwrap(), text("getpublickey_spki.pem"));
    assert_eq!(
        PublicKey::from_pem(data("getpublickey_spki.pem")).unwrap(),
        k
    );
    // The PHP SDK's getpublickey reply fixture carries the same key inside CDATA.
    let sample = data("php_getpublickey.response.sample.xml");
    let f = xml::parse(&sample).unwrap();
    assert_eq!(PublicKey::from_pem(f.get("pub_key").unwrap()).unwrap(), k);
}

#[test]
fn certificate_serial_leading_zero_is_stripped() {
    // Our TEST ONLY platform certificate has a serial with the high bit set: DER adds a 00 byte.
    let cert = platform_cert();
    assert_eq!(
        cert.serial().as_str(),
        "D157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    );
    let store = store();
    assert!(
        store
            .get_by_header("d157f09efdc096de15ebe81a47057a7232f1b8e1")
            .is_some()
    );
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
    let msg = wechatpay_sansio::v3::canonical::request_message(
        "GET",
        "/v3/certificates",
        t(1624523846),
        "A1B2C3D4E5F6G7",
        b"",
    );
    let pk = rsa::pkcs8::DecodePublicKey::from_public_key_der(
        &signer.key().public_key().to_spki_der().unwrap(),
    );
    let pk: rsa::PublicKey = pk.unwrap();
    pk.pkcs1v15_verify::<sha2::Sha256>(&msg, &sig).unwrap();
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
