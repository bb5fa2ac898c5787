//! v3 platform certificate download: decryption, verification with the downloaded certificates, validity at `now`.

use crate::common::*;
use http::StatusCode;
use wechatpay_sansio::keys::PlatformCertificate;
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::v3::certificates::DownloadError;
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
