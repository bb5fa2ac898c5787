//! Keys and certificates: PEM/DER loading, sizes, labels, serials, the key store and its choice of key at `now`.

use crate::common::*;
use wechatpay_sansio::keys::{
    KeyError, KeyId, KeyStore, MerchantPrivateKey, PlatformCertificate, PublicKey,
};
use wechatpay_sansio::time::UnixTime;
use wechatpay_sansio::v2::xml;
/// Every way a key or certificate fails to load, one case per line (the case names the failure).
#[test]
fn key_errors() {
    let sk = |pem: &[u8]| MerchantPrivateKey::from_pem(pem).map(|_| ());
    let pk = |pem: &[u8]| PublicKey::from_pem(pem).map(|_| ());
    let cert = |pem: &[u8]| PlatformCertificate::from_pem(pem).map(|_| ());
    let size = |bits| KeyError::KeySize {
        bits,
        expected: 2048,
    };
    let label = |expected, found: &str| KeyError::UnexpectedPemLabel {
        expected,
        found: found.into(),
    };
    let cases: Vec<(&str, Result<(), KeyError>, KeyError)> = vec![
        ("no PEM at all", sk(b"no pem here"), KeyError::Pem),
        ("binary garbage", sk(b"\0\xff"), KeyError::Pem),
        (
            "three bad base64 characters inside the armour",
            sk(b"-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n"),
            KeyError::Pem,
        ),
        (
            "four bad base64 characters inside the armour",
            sk(b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n"),
            KeyError::Pem,
        ),
        (
            "a certificate where a private key is expected",
            sk(&data("test_platform_cert.pem")),
            label("PRIVATE KEY or RSA PRIVATE KEY", "CERTIFICATE"),
        ),
        (
            "a private key where a certificate is expected",
            cert(&data("test_merchant_key.pem")),
            label("CERTIFICATE", "PRIVATE KEY"),
        ),
        (
            "an encrypted PKCS#8 key",
            sk(&data("test_merchant_key_encrypted.pem")),
            KeyError::EncryptedPrivateKey,
        ),
        (
            "an EC private key",
            sk(&data("test_ec_p256_key.pem")),
            KeyError::NotRsa,
        ),
        (
            "an EC public key",
            pk(&data("test_ec_p256_public_key.pem")),
            KeyError::NotRsa,
        ),
        (
            "RSA-1024 private",
            sk(&data("test_rsa1024_key.pem")),
            size(1024),
        ),
        (
            "RSA-1024 public",
            pk(&data("test_rsa1024_public_key.pem")),
            size(1024),
        ),
        (
            "RSA-4096 private",
            hostile(|| sk(&data("test_rsa4096_key.pem"))),
            size(4096),
        ),
        (
            "DER that is neither PKCS#8 nor PKCS#1",
            MerchantPrivateKey::from_der([0x30, 0x03, 0x02, 0x01, 0x00]).map(|_| ()),
            KeyError::Der {
                what: "private key (neither PKCS#8 nor PKCS#1)",
            },
        ),
        (
            "an empty certificate SEQUENCE",
            PlatformCertificate::from_der(b"\x30\x00").map(|_| ()),
            KeyError::Certificate,
        ),
        (
            "an indefinite-length certificate",
            PlatformCertificate::from_der([0x30, 0x80]).map(|_| ()),
            KeyError::Certificate,
        ),
    ];
    for (case, got, want) in cases {
        assert_eq!(got, Err(want), "{case}");
    }
    // PKCS#1 private key PEM and DER both load.
    let k1 = MerchantPrivateKey::from_pem(data("test_merchant_key_pkcs1.pem")).unwrap();
    assert_eq!(k1.public_key(), merchant_key().public_key());

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
