//! v3 platform certificate download: decryption, verification with the downloaded certificates, validity at `now`.

use crate::common::*;
use http::StatusCode;
use wechatpay_sansio::keys::PlatformCertificate;
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::v3::certificates::DownloadError;
use wechatpay_sansio::v3::resource::ResourceError;
use wechatpay_sansio::v3::response::ResponseError;
use wechatpay_sansio::v3::verify::{VerifyError, VerifyOptions};

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
    let h = signed_by_at(
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
    let h = signed_by_at(
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

/// A `/v3/certificates` list entry for `pem_file`, encrypted with the simulator's APIv3 key;
/// `flip` alters one ciphertext byte.
fn entry(pem_file: &str, flip: bool) -> serde_json::Value {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    let key = wechatpay_sansio::secret::ApiV3Key::new(wechatpay_sansio::simulator::TEST_API_V3_KEY)
        .unwrap();
    let cert = PlatformCertificate::from_pem(crate::common::data(pem_file)).unwrap();
    let mut enc = wechatpay_sansio::v3::resource::EncryptedResource::encrypt(
        &key,
        "0123456789ab",
        "certificate",
        "certificate",
        crate::common::text(pem_file).as_bytes(),
    )
    .unwrap();
    if flip {
        let mut ct = STANDARD.decode(&enc.ciphertext).unwrap();
        ct[10] ^= 0x01;
        enc.ciphertext = STANDARD.encode(ct);
    }
    serde_json::json!({"serial_no": cert.serial().as_str(), "encrypt_certificate": enc})
}

fn download(
    headers: &http::HeaderMap,
    status: StatusCode,
    body: &[u8],
) -> Result<
    wechatpay_sansio::v3::certificates::Download,
    wechatpay_sansio::v3::certificates::DownloadError,
> {
    let key = wechatpay_sansio::secret::ApiV3Key::new(wechatpay_sansio::simulator::TEST_API_V3_KEY)
        .unwrap();
    wechatpay_sansio::v3::certificates::bootstrap(
        ResponseRef::new(status, headers, body),
        &key,
        VerifyOptions::default(),
        NOW,
    )
}

/// Issue 15 item 4: before the signature verifies, a certificate that does not decrypt proves
/// nothing about the APIv3 key (a flipped byte, no signature at all: Untrusted); once a
/// certificate of the list verifies the signature, one that does not decrypt is the APIv3 key
/// (Misconfigured).
#[test]
fn an_undecryptable_certificate_is_blamed_on_the_key_only_after_the_signature_verifies() {
    use wechatpay_sansio::error::{Classify, Disposition};
    let current =
        PlatformCertificate::from_pem(crate::common::data("test_platform_cert.pem")).unwrap();
    // One certificate, one flipped byte, no Wechatpay-* headers at all.
    let list = serde_json::json!({"data": [entry("test_platform_cert.pem", true)]}).to_string();
    let e = download(&http::HeaderMap::new(), StatusCode::OK, list.as_bytes()).unwrap_err();
    assert_eq!(e.disposition(), Disposition::Untrusted, "{e:?}");
    assert!(
        matches!(
            e,
            DownloadError::Response(ResponseError::Verify(VerifyError::MissingHeader(_)))
        ),
        "{e:?}"
    );
    // The same list, signed with the key of the certificate that did not decrypt: still
    // nothing verified it.
    let h = signed_by_at(
        "test_platform_key.pem",
        list.as_bytes(),
        NOW.as_secs(),
        current.serial().as_str(),
    );
    let e = download(&h, StatusCode::OK, list.as_bytes()).unwrap_err();
    assert_eq!(e.disposition(), Disposition::Untrusted, "{e:?}");
    assert_eq!(
        e,
        DownloadError::UnverifiedResource(ResourceError::TagMismatch)
    );
    // Two certificates: the current one decrypts and verifies the signature; the other does
    // not decrypt. The body is authentic: the failure is the key's.
    let list = serde_json::json!({"data": [
        entry("test_platform_cert.pem", false),
        entry("test_platform_expired_cert.pem", true),
    ]})
    .to_string();
    let h = signed_by_at(
        "test_platform_key.pem",
        list.as_bytes(),
        NOW.as_secs(),
        current.serial().as_str(),
    );
    let e = download(&h, StatusCode::OK, list.as_bytes()).unwrap_err();
    assert_eq!(e, DownloadError::Resource(ResourceError::TagMismatch));
    assert_eq!(e.disposition(), Disposition::Misconfigured);
}

/// Issue 15 item 4: `RESOURCE_NOT_EXISTS` on `/v3/certificates` (the real reply,
/// `tests/data/real/v3_certificates_error_resource_not_exists_php_readme.json`) means "this
/// merchant has no platform certificate: use the WeChat Pay public key": Misconfigured.
#[test]
fn resource_not_exists_on_the_download_means_use_the_public_key() {
    use wechatpay_sansio::error::{Classify, Disposition};
    let b = crate::common::data("real/v3_certificates_error_resource_not_exists_php_readme.json");
    let e = download(&http::HeaderMap::new(), StatusCode::NOT_FOUND, &b).unwrap_err();
    assert_eq!(e.disposition(), Disposition::Misconfigured, "{e}");
    let DownloadError::Response(ResponseError::Failure(r)) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(r.endpoint, Some(wechatpay_sansio::v3::certificates::PATH));
    assert!(!r.is_key_rejected());
}

/// A download that failed verification says why, as the reply's own error does: a probe, the
/// clock, key rotation — not "tampered" for all of them. (Found by mutation testing.)
#[test]
fn download_errors_keep_the_replys_reason() {
    use wechatpay_sansio::error::{Classify, Distrust};
    for (e, why) in [
        (VerifyError::SignatureProbe, Distrust::Probe),
        (
            VerifyError::UnknownKey("5157F09EFDC096DE15EBE81A47057A7232F1B8E1".into()),
            Distrust::KeyRotation,
        ),
        (VerifyError::BadSignature, Distrust::Tampered),
    ] {
        let d = DownloadError::Response(ResponseError::Verify(e.clone()));
        assert_eq!(d.distrust(), Some(why), "{e:?}");
        assert_eq!(d.distrust(), e.distrust());
    }
}
