//! v3 notifications: the Go SDK vector, verification then AES-GCM decryption, every error.

use crate::common::*;
use http::{HeaderMap, HeaderValue, StatusCode};
use wechatpay_sansio::keys::{KeyStore, PlatformCertificate};
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::secret::ApiV3Key;
use wechatpay_sansio::v3::certificates::DownloadError;
use wechatpay_sansio::v3::notify::NotifyError;
use wechatpay_sansio::v3::resource::{EncryptedResource, ResourceError};
use wechatpay_sansio::v3::verify::{Verifier, VerifyError, VerifyOptions};
use wechatpay_sansio::v3::{certificates, notify};
#[test]
fn notification_and_certificate_errors() {
    let s = store();
    let o = VerifyOptions::default();
    let key = ApiV3Key::new(b"a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").unwrap();
    let big = vec![b' '; notify::MAX_NOTIFICATION_BODY + 1];
    let h = signed_with(
        "test_platform_key.pem",
        &big,
        "1767225000",
        "nonce123",
        PUB_KEY_ID,
    );
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
    let h = signed_with(
        "test_platform_key.pem",
        body,
        "1767225000",
        "nonce123",
        PUB_KEY_ID,
    );
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
    let h = signed_with(
        "test_platform_key.pem",
        body.as_bytes(),
        "1767225000",
        "nonce123",
        PUB_KEY_ID,
    );
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
    let h = signed_with(
        "test_platform_key.pem",
        list.as_bytes(),
        "1767225000",
        "nonce123",
        &serial,
    );
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
fn a_notification_signed_with_an_expired_certificate_is_refused() {
    use wechatpay_sansio::v3::notify::{self, NotifyError};
    let retired =
        PlatformCertificate::from_pem(crate::common::data("test_platform_expired_cert.pem"))
            .unwrap();
    let mut store = KeyStore::new();
    store.insert_certificate(&retired);
    let body = br#"{"id":"x"}"#;
    let h = signed_by_at(
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
