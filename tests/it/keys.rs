//! Keys and certificates: PEM/DER loading, sizes, labels, serials, the key store and its choice of key at `now`.

use crate::common::*;
use wechatpay_sansio::keys::{
    KeyError, KeyId, KeyStore, MerchantPrivateKey, PlatformCertificate, PublicKey,
};
use wechatpay_sansio::time::UnixTime;
use wechatpay_sansio::v2::xml;
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

#[test]
fn wrong_keys() {
    assert_eq!(
        MerchantPrivateKey::from_pem(data("test_ec_p256_key.pem")).unwrap_err(),
        KeyError::NotRsa
    );
    assert_eq!(
        PublicKey::from_pem(data("test_ec_p256_public_key.pem")).unwrap_err(),
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
        PublicKey::from_pem(data("test_rsa1024_public_key.pem")).unwrap_err(),
        KeyError::KeySize {
            bits: 1024,
            expected: 2048
        }
    );
    assert_eq!(
        hostile(|| MerchantPrivateKey::from_pem(data("test_rsa4096_key.pem"))).unwrap_err(),
        KeyError::KeySize {
            bits: 4096,
            expected: 2048
        }
    );
    assert_eq!(
        MerchantPrivateKey::from_pem(data("test_merchant_key_encrypted.pem")).unwrap_err(),
        KeyError::EncryptedPrivateKey
    );
    // A public key or certificate where a private key is expected, and vice versa.
    assert_eq!(
        MerchantPrivateKey::from_pem(data("test_platform_cert.pem")).unwrap_err(),
        KeyError::UnexpectedPemLabel {
            expected: "PRIVATE KEY or RSA PRIVATE KEY",
            found: "CERTIFICATE".into()
        }
    );
    assert_eq!(
        PlatformCertificate::from_pem(data("test_merchant_key.pem")).unwrap_err(),
        KeyError::UnexpectedPemLabel {
            expected: "CERTIFICATE",
            found: "PRIVATE KEY".into()
        }
    );
    // Garbage.
    assert_eq!(
        MerchantPrivateKey::from_pem(b"\0\xff").unwrap_err(),
        KeyError::Pem
    );
    assert_eq!(
        MerchantPrivateKey::from_pem(
            b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n"
        )
        .unwrap_err(),
        KeyError::Pem
    );
    assert_eq!(
        MerchantPrivateKey::from_der([0x30, 0x03, 0x02, 0x01, 0x00]).unwrap_err(),
        KeyError::Der {
            what: "private key (neither PKCS#8 nor PKCS#1)"
        }
    );
    assert_eq!(
        PlatformCertificate::from_der([0x30, 0x80]).unwrap_err(),
        KeyError::Certificate
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
