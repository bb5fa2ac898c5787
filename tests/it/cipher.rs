//! RSA field encryption (PKCS#1 v1.5 and OAEP) and AES-256-GCM resources: vectors, limits, errors.

use crate::common::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use wechatpay_sansio::cipher;
use wechatpay_sansio::cipher::{CipherError, Padding};
use wechatpay_sansio::keys::MerchantPrivateKey;
use wechatpay_sansio::v3::resource;
use wechatpay_sansio::v3::resource::{EncryptedResource, ResourceError};
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
fn bad_ciphertexts() {
    let k = doc_v3_key();
    // AES-GCM: bad base64, truncated base64, shorter than a tag, altered.
    assert_eq!(
        resource::decrypt(&k, "uluk4a9R25RW", b"", "***"),
        Err(ResourceError::Base64)
    );
    assert_eq!(
        resource::decrypt(
            &k,
            "uluk4a9R25RW",
            b"associatedData",
            "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI"
        ),
        Err(ResourceError::Base64)
    );
    assert_eq!(
        resource::decrypt(&k, "uluk4a9R25RW", b"", "AAAA"),
        Err(ResourceError::TagMismatch)
    );
    assert_eq!(
        resource::decrypt(&k, "uluk4a9R25RW", b"", ""),
        Err(ResourceError::TagMismatch)
    );
    assert_eq!(
        resource::decrypt(&k, "uluk4a9R25R", b"", "AAAA"),
        Err(ResourceError::NonceLength(11))
    );
    let r = EncryptedResource {
        algorithm: "AEAD_AES_256_GCM\r\nX".into(),
        ciphertext: String::new(),
        associated_data: None,
        nonce: String::new(),
        original_type: None,
    };
    assert_eq!(
        r.decrypt(&k),
        Err(ResourceError::UnsupportedAlgorithm(
            "AEAD_AES_256_GCM\r\nX".into()
        ))
    );
    // RSA fields.
    let key = merchant_key();
    let mut g = rng(3);
    assert_eq!(
        cipher::decrypt_oaep(&mut g, &key, "@@@@").unwrap_err(),
        CipherError::Base64
    );
    assert_eq!(
        cipher::decrypt_oaep(&mut g, &key, &STANDARD.encode([7u8; 256])[..341]).unwrap_err(),
        CipherError::Base64
    );
    assert_eq!(
        cipher::decrypt_oaep(&mut g, &key, &STANDARD.encode([7u8; 255])).unwrap_err(),
        CipherError::CiphertextLength {
            expected: 256,
            got: 255
        }
    );
    assert_eq!(
        cipher::decrypt_oaep(&mut g, &key, &STANDARD.encode([7u8; 256])).unwrap_err(),
        CipherError::Decrypt
    );
    let pk = key.public_key();
    assert_eq!(
        cipher::encrypt(&mut g, &pk, cipher::Padding::Oaep, &[b'a'; 215]).unwrap_err(),
        CipherError::TooLong { len: 215, max: 214 }
    );
    assert_eq!(
        cipher::encrypt(&mut g, &pk, cipher::Padding::Pkcs1v15, &[b'a'; 246]).unwrap_err(),
        CipherError::TooLong { len: 246, max: 245 }
    );
    assert_eq!(
        cipher::encrypt(&mut g, &pk, cipher::Padding::Oaep, b"").unwrap_err(),
        CipherError::Empty
    );
    // Exactly at the limit is accepted, and decrypts back (OAEP); PKCS#1 v1.5 at its limit too.
    let ct = cipher::encrypt(&mut g, &pk, cipher::Padding::Oaep, &[b'a'; 214]).unwrap();
    assert_eq!(
        &cipher::decrypt_oaep(&mut g, &key, &ct).unwrap()[..],
        &[b'a'; 214][..]
    );
    let ct = cipher::encrypt(&mut g, &pk, cipher::Padding::Pkcs1v15, &[b'a'; 245]).unwrap();
    assert_eq!(STANDARD.decode(ct).unwrap().len(), 256);
    // Personal data goes through the same path.
    let name = wechatpay_sansio::secret::Personal::new("张三");
    let ct = cipher::encrypt_personal(&mut g, &pk, cipher::Padding::Oaep, &name).unwrap();
    assert_eq!(STANDARD.decode(&ct).unwrap().len(), 256);
    assert_eq!(
        cipher::decrypt_oaep_personal(&mut g, &key, &ct).unwrap(),
        name
    );
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

#[test]
fn aes_gcm_empty_plaintext_is_exactly_a_tag() {
    use wechatpay_sansio::secret::ApiV3Key;
    use wechatpay_sansio::v3::resource::{self, EncryptedResource, ResourceError};
    let k = ApiV3Key::new(b"a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").unwrap();
    let r = EncryptedResource::encrypt(&k, "uluk4a9R25RW", "", "x", b"").unwrap();
    // 16 bytes of tag, nothing else: accepted and decrypts to nothing.
    assert_eq!(r.ciphertext.len(), 24);
    assert_eq!(&r.decrypt(&k).unwrap()[..], b"");
    // 15 bytes: shorter than a tag.
    assert_eq!(
        resource::decrypt(&k, "uluk4a9R25RW", b"", &r.ciphertext[..20]),
        Err(ResourceError::TagMismatch)
    );
}

#[test]
fn short_fields_encrypt_with_both_paddings() {
    use base64::Engine as _;
    use wechatpay_sansio::cipher::{self, Padding};
    let pk = crate::common::merchant_key().public_key();
    let mut rng = crate::common::rng(11);
    for padding in [Padding::Oaep, Padding::Pkcs1v15] {
        for pt in [&b"x"[..], "张三".as_bytes(), &[0u8; 10][..]] {
            let ct = cipher::encrypt(&mut rng, &pk, padding, pt).unwrap();
            let raw = base64::engine::general_purpose::STANDARD
                .decode(ct)
                .unwrap();
            assert_eq!(raw.len(), 256, "{padding:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn oaep_and_pkcs1_roundtrip(pt in proptest::collection::vec(any::<u8>(), 1..214), seed in any::<u64>()) {
        let pk = platform_cert().public_key().clone();
        let sk = platform_private_key();
        let ct = cipher::encrypt(&mut rng(seed), &pk, Padding::Oaep, &pt).unwrap();
        prop_assert_eq!(ct.len(), 344);
        prop_assert_eq!(&cipher::decrypt_oaep(&mut rng(seed), &sk, &ct).unwrap()[..], &pt[..]);
        // PKCS#1 v1.5: decrypted independently with the rsa crate (the library offers no PKCS#1 decryption).
        use base64::Engine as _;
        let ct1 = cipher::encrypt(&mut rng(seed), &pk, Padding::Pkcs1v15, &pt).unwrap();
        let raw = base64::engine::general_purpose::STANDARD.decode(ct1).unwrap();
        let rsk: rsa::PrivateKey = rsa::pkcs8::DecodePrivateKey::from_pkcs8_pem(text("test_platform_key.pem").split_once('\n').unwrap().1).unwrap();
        prop_assert_eq!(rsk.pkcs1v15_decrypt_with_rng(&mut rng(seed), &raw).unwrap(), pt);
    }
}
