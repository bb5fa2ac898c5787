//! Every error variant of the protocol core, reached on purpose.

use crate::common::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderValue, StatusCode};
use wechatpay_sansio::cipher::{self, CipherError, Padding};
use wechatpay_sansio::ids::{MchId, Nonce};
use wechatpay_sansio::keys::{
    KeyError, KeyId, KeyStore, MerchantPrivateKey, PlatformCertificate, PublicKey,
};
#[cfg(feature = "simulator")]
use wechatpay_sansio::request::ResponseRef;
#[cfg(feature = "simulator")]
use wechatpay_sansio::secret::ApiV3Key;
use wechatpay_sansio::time::UnixTime;
use wechatpay_sansio::v3::auth::{AuthError, MerchantSigner};
#[cfg(feature = "simulator")]
use wechatpay_sansio::v3::certificates::{self, DownloadError};
#[cfg(feature = "simulator")]
use wechatpay_sansio::v3::notify::{self, NotifyError};
use wechatpay_sansio::v3::request::{JsonRequest, V3RequestError};
#[cfg(feature = "simulator")]
use wechatpay_sansio::v3::resource::{EncryptedResource, ResourceError};
use wechatpay_sansio::v3::verify::{SignatureHeaders, Verifier, VerifyError, VerifyOptions};

#[test]
fn key_errors() {
    assert_eq!(
        MerchantPrivateKey::from_pem("no pem here").unwrap_err(),
        KeyError::Pem
    );
    assert_eq!(
        MerchantPrivateKey::from_pem(
            "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n"
        )
        .unwrap_err(),
        KeyError::Pem
    );
    assert_eq!(
        MerchantPrivateKey::from_pem(data("test_platform_cert.pem")).unwrap_err(),
        KeyError::UnexpectedPemLabel {
            expected: "PRIVATE KEY or RSA PRIVATE KEY",
            found: "CERTIFICATE".into()
        }
    );
    assert_eq!(
        MerchantPrivateKey::from_pem(data("test_merchant_key_encrypted.pem")).unwrap_err(),
        KeyError::EncryptedPrivateKey
    );
    assert_eq!(
        MerchantPrivateKey::from_pem(data("test_ec_p256_key.pem")).unwrap_err(),
        KeyError::NotRsa
    );
    assert_eq!(
        MerchantPrivateKey::from_pem(data("test_rsa1024_key.pem")).unwrap_err(),
        KeyError::KeySize {
            bits: 1024,
            expected: 2048
        }
    );
    assert_eq!(
        MerchantPrivateKey::from_pem(data("test_rsa4096_key.pem")).unwrap_err(),
        KeyError::KeySize {
            bits: 4096,
            expected: 2048
        }
    );
    assert!(matches!(
        MerchantPrivateKey::from_der(b"\x30\x03\x02\x01\x00").unwrap_err(),
        KeyError::Der { .. }
    ));
    // PKCS#1 private key PEM and DER both load.
    let k1 = MerchantPrivateKey::from_pem(data("test_merchant_key_pkcs1.pem")).unwrap();
    assert_eq!(k1.public_key(), merchant_key().public_key());

    assert_eq!(
        PublicKey::from_pem(data("test_ec_p256_public_key.pem")).unwrap_err(),
        KeyError::NotRsa
    );
    assert_eq!(
        PublicKey::from_pem(data("test_rsa1024_public_key.pem")).unwrap_err(),
        KeyError::KeySize {
            bits: 1024,
            expected: 2048
        }
    );
    assert!(matches!(
        PublicKey::from_pem(data("test_merchant_key.pem")).unwrap_err(),
        KeyError::UnexpectedPemLabel { .. }
    ));
    assert!(matches!(
        PublicKey::from_spki_der(b"\x30\x00").unwrap_err(),
        KeyError::Der { .. }
    ));
    assert!(matches!(
        PublicKey::from_pkcs1_der(b"\x30\x00").unwrap_err(),
        KeyError::Der { .. }
    ));
    let pkcs1 = PublicKey::from_pem(data("test_platform_public_key_pkcs1.pem")).unwrap();
    assert_eq!(&pkcs1, platform_cert().public_key());
    assert_eq!(pkcs1.bits(), 2048);
    assert_eq!(format!("{pkcs1:?}"), "PublicKey(RSA-2048)");

    for bad in [
        "",
        "PUB_KEY_ID_",
        "PUB_KEY_ID_ab-c",
        "XYZ",
        "12 34",
        "12\r\n",
        &"A".repeat(65),
    ] {
        assert_eq!(
            KeyId::new(bad).unwrap_err(),
            KeyError::InvalidKeyId,
            "{bad:?}"
        );
    }
    assert_eq!(
        KeyId::from_serial_bytes(&[]).unwrap_err(),
        KeyError::InvalidKeyId
    );
    assert_eq!(KeyId::from_serial_bytes(&[0, 0, 1]).unwrap().as_str(), "01");
    assert_eq!(KeyId::from_serial_bytes(&[0]).unwrap().as_str(), "00");

    assert!(matches!(
        PlatformCertificate::from_pem(data("test_merchant_key.pem")).unwrap_err(),
        KeyError::UnexpectedPemLabel { .. }
    ));
    assert_eq!(
        PlatformCertificate::from_der(b"\x30\x00").unwrap_err(),
        KeyError::Certificate
    );
    for e in [
        KeyError::Pem,
        KeyError::NotRsa,
        KeyError::EncryptedPrivateKey,
        KeyError::InvalidKeyId,
    ] {
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn key_store_selection() {
    // TEST ONLY certificates: platform 2020-01-01..2099-12-31; platform2 2026-11-25..2126;
    // retired 2015-01-01..2019-12-31.
    const Y2025: UnixTime = t(1_735_689_600);
    const Y2027: UnixTime = t(1_798_761_600);
    const Y2018: UnixTime = t(1_514_764_800);
    let s = store();
    assert_eq!(s.len(), 2);
    assert!(!s.is_empty());
    // A WeChat Pay public key is preferred for encryption over certificates, at any time.
    assert_eq!(s.encryption_key(Y2025).unwrap().id().as_str(), PUB_KEY_ID);
    assert_eq!(s.encryption_key(t(0)).unwrap().id().as_str(), PUB_KEY_ID);
    let platform = platform_cert();
    let newer = PlatformCertificate::from_pem(data("test_platform2_cert.pem")).unwrap();
    let retired = PlatformCertificate::from_pem(data("test_platform_expired_cert.pem")).unwrap();
    assert!(newer.not_before() > platform.not_before());
    let mut certs = KeyStore::new();
    for c in [&retired, &platform, &newer] {
        certs.insert_certificate(c);
    }
    // The newest certificate valid at `now`; never an expired or not-yet-valid one.
    assert_eq!(certs.encryption_key(Y2027).unwrap().id(), newer.serial());
    assert_eq!(certs.encryption_key(Y2025).unwrap().id(), platform.serial());
    assert_eq!(certs.encryption_key(Y2018).unwrap().id(), retired.serial());
    assert!(certs.encryption_key(t(0)).is_none());
    assert_eq!(
        certs.platform_certificate(Y2025).unwrap().id(),
        platform.serial()
    );
    assert!(s.platform_certificate(t(0)).is_none());
    assert!(KeyStore::new().encryption_key(Y2025).is_none());
    // Validity is kept with the key.
    let v = certs.get(retired.serial()).unwrap().validity().unwrap();
    assert_eq!(
        (v.not_before, v.not_after),
        (retired.not_before(), retired.not_after())
    );
    assert!(!certs.get(retired.serial()).unwrap().is_valid_at(Y2025));
    assert!(
        s.get(&KeyId::new(PUB_KEY_ID).unwrap())
            .unwrap()
            .validity()
            .is_none()
    );
    // Refresh signal: nothing valid for the next 14 days, or an unknown serial seen.
    let mut only_retired = KeyStore::new();
    only_retired.insert_certificate(&retired);
    assert!(only_retired.refresh_due(Y2025));
    assert!(!only_retired.refresh_due(Y2018));
    assert!(only_retired.refresh_due(retired.not_after() - std::time::Duration::from_secs(3600)));
    assert!(
        !only_retired
            .clone()
            .with_refresh_margin(std::time::Duration::ZERO)
            .refresh_due(retired.not_after() - std::time::Duration::from_secs(3600))
    );
    assert!(KeyStore::new().refresh_due(Y2025));
    assert!(!certs.refresh_due(Y2025));
    assert!(certs.get_by_header("ABCDEF").is_none());
    assert!(certs.refresh_due(Y2025), "an unknown serial was seen");
    let mut fresh = certs.clone();
    assert!(fresh.refresh_due(Y2025), "the mark survives a clone");
    fresh.insert_certificate(&platform);
    assert!(!fresh.refresh_due(Y2025), "inserting keys clears the mark");
    assert!(s.get_by_header("not hex").is_none());
}

fn signed_headers(body: &[u8], ts: &str, serial: &str) -> HeaderMap {
    let platform = platform_private_key();
    let signer = MerchantSigner::new(
        MchId::new("1").unwrap(),
        KeyId::new("01").unwrap(),
        platform,
    );
    let msg = wechatpay_sansio::v3::canonical::response_message(ts, "nonce123", body);
    let sig = signer.sign(&mut rng(1), &msg).unwrap();
    let mut h = HeaderMap::new();
    h.insert("Wechatpay-Timestamp", HeaderValue::from_str(ts).unwrap());
    h.insert("Wechatpay-Nonce", HeaderValue::from_static("nonce123"));
    h.insert("Wechatpay-Serial", HeaderValue::from_str(serial).unwrap());
    h.insert("Wechatpay-Signature", HeaderValue::from_str(&sig).unwrap());
    h
}

#[test]
fn verify_errors() {
    let s = store();
    let o = VerifyOptions::default();
    let body = br#"{"ok":true}"#;
    let serial = platform_cert().serial().as_str().to_owned();
    let good = signed_headers(body, "1767225000", &serial);
    assert_eq!(
        verify(&good, body, &s, 1_767_225_000, &o).unwrap().as_str(),
        serial
    );
    // The same signature is accepted under the public-key id (same key pair).
    let pk = signed_headers(body, "1767225000", PUB_KEY_ID);
    assert_eq!(
        verify(&pk, body, &s, 1_767_225_000, &o).unwrap().as_str(),
        PUB_KEY_ID
    );

    for name in [
        "wechatpay-timestamp",
        "wechatpay-nonce",
        "wechatpay-signature",
        "wechatpay-serial",
    ] {
        let mut h = good.clone();
        h.remove(name);
        assert!(
            matches!(verify(&h, body, &s, 1_767_225_000, &o), Err(VerifyError::MissingHeader(n)) if n == name)
        );
        let mut h = good.clone();
        h.append(name, HeaderValue::from_static("1"));
        assert!(
            matches!(verify(&h, body, &s, 1_767_225_000, &o), Err(VerifyError::DuplicateHeader(n)) if n == name)
        );
    }
    let mut h = good.clone();
    h.insert("wechatpay-nonce", HeaderValue::from_bytes(b"\xff").unwrap());
    assert_eq!(
        verify(&h, body, &s, 1_767_225_000, &o),
        Err(VerifyError::InvalidHeader("wechatpay-nonce"))
    );
    let mut h = good.clone();
    h.insert(
        "Wechatpay-Signature-Type",
        HeaderValue::from_static("WECHATPAY2-SM2-WITH-SM3"),
    );
    assert_eq!(
        verify(&h, body, &s, 1_767_225_000, &o),
        Err(VerifyError::UnsupportedSignatureType)
    );
    let mut h = good.clone();
    h.insert(
        "Wechatpay-Signature-Type",
        HeaderValue::from_static("WECHATPAY2-SHA256-RSA2048"),
    );
    assert!(verify(&h, body, &s, 1_767_225_000, &o).is_ok());
    let mut h = good.clone();
    h.insert(
        "wechatpay-signature",
        HeaderValue::from_static("WECHATPAY/SIGNTEST/eyJhbGciOiJub25lIn0="),
    );
    assert_eq!(
        verify(&h, body, &s, 1_767_225_000, &o),
        Err(VerifyError::SignatureProbe)
    );
    // An empty value is refused as a header before it is read as a timestamp.
    let mut h = good.clone();
    h.insert("wechatpay-timestamp", HeaderValue::from_static(""));
    assert_eq!(
        verify(&h, body, &s, 1_767_225_000, &o),
        Err(VerifyError::InvalidHeader("wechatpay-timestamp"))
    );
    for ts in [
        "abc",
        "-1",
        "1e3",
        "99999999999999999999",
        "18446744073709551616",
    ] {
        let mut h = good.clone();
        h.insert("wechatpay-timestamp", HeaderValue::from_str(ts).unwrap());
        assert_eq!(
            verify(&h, body, &s, 1_767_225_000, &o),
            Err(VerifyError::InvalidTimestamp),
            "{ts:?}"
        );
    }
    assert_eq!(
        verify(&good, body, &s, 1_767_225_300, &o),
        Err(VerifyError::StaleTimestamp {
            skew: 300,
            max_skew: 300
        })
    );
    assert_eq!(
        verify(&good, body, &s, 1_767_224_700, &o),
        Err(VerifyError::StaleTimestamp {
            skew: 300,
            max_skew: 300
        })
    );
    assert!(verify(&good, body, &s, 1_767_225_299, &o).is_ok());
    assert!(verify(&good, body, &s, 1_767_224_701, &o).is_ok());
    assert!(verify(&good, body, &s, 1_767_225_400, &crate::common::skew(401)).is_ok());
    let unknown = signed_headers(body, "1767225000", "ABCDEF");
    assert_eq!(
        verify(&unknown, body, &s, 1_767_225_000, &o),
        Err(VerifyError::UnknownKey("ABCDEF".into()))
    );
    let mut h = good.clone();
    h.insert(
        "wechatpay-signature",
        HeaderValue::from_static("not*base64"),
    );
    assert_eq!(
        verify(&h, body, &s, 1_767_225_000, &o),
        Err(VerifyError::SignatureEncoding)
    );
    let mut h = good.clone();
    let sig = h["wechatpay-signature"].to_str().unwrap().to_owned();
    h.insert(
        "wechatpay-signature",
        HeaderValue::from_str(&sig[..sig.len() - 1]).unwrap(),
    );
    assert_eq!(
        verify(&h, body, &s, 1_767_225_000, &o),
        Err(VerifyError::SignatureEncoding),
        "truncated base64"
    );
    h.insert(
        "wechatpay-signature",
        HeaderValue::from_str(&sig[..sig.len() - 8]).unwrap(),
    );
    assert_eq!(
        verify(&h, body, &s, 1_767_225_000, &o),
        Err(VerifyError::SignatureLength {
            expected: 256,
            got: 252
        })
    );
    let mut h = good.clone();
    h.insert(
        "wechatpay-signature",
        HeaderValue::from_str(&STANDARD.encode([1u8; 255])).unwrap(),
    );
    assert_eq!(
        verify(&h, body, &s, 1_767_225_000, &o),
        Err(VerifyError::SignatureLength {
            expected: 256,
            got: 255
        })
    );
    assert_eq!(
        verify(&good, b"{\"ok\":false}", &s, 1_767_225_000, &o),
        Err(VerifyError::BadSignature)
    );
    // Headers given as plain strings.
    let sh = SignatureHeaders {
        timestamp: "1767225000",
        nonce: "nonce123",
        signature: &sig,
        serial: &serial.to_lowercase(),
    };
    assert!(
        Verifier::new(&s)
            .with_options(o)
            .verify_headers(&sh, body, t(1_767_225_000))
            .is_ok()
    );
    for e in [
        VerifyError::SignatureProbe,
        VerifyError::BadSignature,
        VerifyError::UnknownKey("x".into()),
    ] {
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn cipher_errors() {
    let pk = platform_cert().public_key().clone();
    let mut r = rng(2);
    assert_eq!(
        cipher::encrypt(&mut r, &pk, Padding::Oaep, b""),
        Err(CipherError::Empty)
    );
    assert_eq!(
        cipher::encrypt(&mut r, &pk, Padding::Oaep, &[b'a'; 215]),
        Err(CipherError::TooLong { len: 215, max: 214 })
    );
    assert!(cipher::encrypt(&mut r, &pk, Padding::Oaep, &[b'a'; 214]).is_ok());
    assert_eq!(
        cipher::encrypt(&mut r, &pk, Padding::Pkcs1v15, &[b'a'; 246]),
        Err(CipherError::TooLong { len: 246, max: 245 })
    );
    assert!(cipher::encrypt(&mut r, &pk, Padding::Pkcs1v15, &[b'a'; 245]).is_ok());
    // The caller's RNG is consulted only by the RustCrypto backend; AWS-LC uses its own DRBG.
    if cfg!(feature = "aws-lc-rs") {
        assert!(cipher::encrypt(&mut FailingRng, &pk, Padding::Oaep, b"x").is_ok());
    } else {
        assert_eq!(
            cipher::encrypt(&mut FailingRng, &pk, Padding::Oaep, b"x"),
            Err(CipherError::Rng)
        );
        assert_eq!(
            cipher::encrypt(&mut FailingRng, &pk, Padding::Pkcs1v15, b"x"),
            Err(CipherError::Rng)
        );
    }

    let sk = platform_private_key();
    assert_eq!(
        cipher::decrypt_oaep(&mut r, &sk, "@@").unwrap_err(),
        CipherError::Base64
    );
    assert_eq!(
        cipher::decrypt_oaep(&mut r, &sk, "AAAA").unwrap_err(),
        CipherError::CiphertextLength {
            expected: 256,
            got: 3
        }
    );
    // PKCS#1 ciphertext is refused by the OAEP decryptor, cleanly.
    let p1 = cipher::encrypt(&mut r, &pk, Padding::Pkcs1v15, b"x").unwrap();
    assert_eq!(
        cipher::decrypt_oaep(&mut r, &sk, &p1).unwrap_err(),
        CipherError::Decrypt
    );
    let ct = cipher::encrypt(&mut r, &pk, Padding::Oaep, b"\xff\xfe").unwrap();
    assert_eq!(
        cipher::decrypt_oaep_personal(&mut r, &sk, &ct).unwrap_err(),
        CipherError::NotUtf8
    );
    let ct = cipher::encrypt_personal(&mut r, &pk, Padding::Oaep, &"张三".into()).unwrap();
    assert_eq!(
        cipher::decrypt_oaep_personal(&mut r, &sk, &ct)
            .unwrap()
            .expose_secret(),
        "张三"
    );
    assert_eq!(Padding::Pkcs1v15.overhead(), 11);
}

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
    let rng_is_consulted = !cfg!(feature = "aws-lc-rs");
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

#[cfg(feature = "simulator")]
#[test]
fn notification_and_certificate_errors() {
    let s = store();
    let o = VerifyOptions::default();
    let key = ApiV3Key::new(b"a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").unwrap();
    let big = vec![b' '; notify::MAX_NOTIFICATION_BODY + 1];
    let h = signed_headers(&big, "1767225000", PUB_KEY_ID);
    assert_eq!(
        notify::parse(
            &h,
            &big,
            &Verifier::new(&s).with_options(o),
            &key,
            t(1_767_225_000)
        )
        .unwrap_err(),
        NotifyError::TooLarge(big.len())
    );
    let body = b"{\"id\":1}";
    let h = signed_headers(body, "1767225000", PUB_KEY_ID);
    assert!(matches!(
        notify::parse(
            &h,
            body,
            &Verifier::new(&s).with_options(o),
            &key,
            t(1_767_225_000)
        )
        .unwrap_err(),
        NotifyError::Json { .. }
    ));
    assert!(matches!(
        notify::parse(
            &HeaderMap::new(),
            body,
            &Verifier::new(&s).with_options(o),
            &key,
            t(1_767_225_000)
        )
        .unwrap_err(),
        NotifyError::Verify(VerifyError::MissingHeader(_))
    ));

    // A full, valid notification round trip.
    let res = EncryptedResource::encrypt(
        &key,
        "Kj7QIyUiYx1q",
        "transaction",
        "transaction",
        br#"{"out_trade_no":"1217752501201407033233368018"}"#,
    )
    .unwrap();
    let body = serde_json::json!({"id":"EV-2018022511223320873","create_time":"2015-05-20T13:29:35+08:00","resource_type":"encrypt-resource","event_type":"TRANSACTION.SUCCESS","summary":"支付成功","resource":res}).to_string();
    let h = signed_headers(body.as_bytes(), "1767225000", PUB_KEY_ID);
    let n = notify::parse(
        &h,
        body.as_bytes(),
        &Verifier::new(&s).with_options(o),
        &key,
        t(1_767_225_000),
    )
    .unwrap();
    assert_eq!(n.notification.event_type, "TRANSACTION.SUCCESS");
    let v: serde_json::Value = n.payload().unwrap();
    assert_eq!(v["out_trade_no"], "1217752501201407033233368018");
    assert!(matches!(
        n.payload::<Vec<u8>>(),
        Err(NotifyError::Json { .. })
    ));

    // Certificate download bootstrap.
    let pem = text("test_platform_cert.pem");
    let serial = platform_cert().serial().as_str().to_owned();
    let enc = EncryptedResource::encrypt(
        &key,
        "0123456789ab",
        "certificate",
        "certificate",
        pem.as_bytes(),
    )
    .unwrap();
    let list = serde_json::json!({"data":[{"serial_no":serial,"effective_time":"2020","expire_time":"2030","encrypt_certificate":enc}]}).to_string();
    let h = signed_headers(list.as_bytes(), "1767225000", &serial);
    let boot = certificates::bootstrap(
        ResponseRef::new(StatusCode::OK, &h, list.as_bytes()),
        &key,
        o,
        t(1_767_225_000),
    )
    .unwrap();
    assert!(boot.store.get_by_header(&serial).is_some());
    // Wrong APIv3 key → resource error; bad JSON; serial mismatch; unsigned reply.
    let wrong = ApiV3Key::new(b"b7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").unwrap();
    assert_eq!(
        certificates::decrypt(list.as_bytes(), &wrong).unwrap_err(),
        DownloadError::Resource(ResourceError::TagMismatch)
    );
    assert_eq!(
        certificates::decrypt(b"[]", &key).unwrap_err(),
        DownloadError::Json
    );
    let mismatched = list.replace(&serial, "ABCDEF");
    assert_eq!(
        certificates::decrypt(mismatched.as_bytes(), &key).unwrap_err(),
        DownloadError::SerialMismatch("ABCDEF".into())
    );
    let not_pem = EncryptedResource::encrypt(
        &key,
        "0123456789ab",
        "certificate",
        "certificate",
        b"garbage",
    )
    .unwrap();
    let list2 = serde_json::json!({"data":[{"serial_no":"AB","effective_time":"","expire_time":"","encrypt_certificate":not_pem}]}).to_string();
    assert!(matches!(
        certificates::decrypt(list2.as_bytes(), &key).unwrap_err(),
        DownloadError::Certificate(_)
    ));
    assert!(matches!(
        certificates::bootstrap(
            ResponseRef::new(StatusCode::OK, &HeaderMap::new(), list.as_bytes()),
            &key,
            o,
            t(1_767_225_000)
        )
        .unwrap_err(),
        DownloadError::Response(_)
    ));
}

#[test]
fn id_and_secret_errors() {
    use wechatpay_sansio::ids::IdError;
    use wechatpay_sansio::secret::{ApiV2Key, SecretError};
    assert!(matches!(MchId::new("1\r\n"), Err(IdError::Invalid(_))));
    assert_eq!(Nonce::generate(&mut FailingRng).unwrap_err(), IdError::Rng);
    assert_eq!(
        ApiV2Key::new("a".repeat(31)).unwrap_err(),
        SecretError::ApiV2KeyLength(31)
    );
    assert!(IdError::Rng.to_string().contains("random"));
}
