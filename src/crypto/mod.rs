//! The one seam through which every cryptographic operation passes.
//!
//! Protocol code (`v2`, `v3`, `cipher`, `keys`) never names a cryptography crate: it calls the
//! functions and types re-exported here. Exactly one backend is compiled in, chosen at build time
//! (the shape of aws-sigv4's `crypto.rs`):
//!
//! | backend | selected when | module |
//! |---|---|---|
//! | RustCrypto (`rsa`, `sha2`, `hmac`, `md-5`, `aes-gcm`) | default | `rustcrypto_impl` |
//! | AWS-LC (`aws-lc-rs`; `md-5` for MD5) | feature `aws-lc-rs` | `aws_lc_rs_impl` |
//!
//! Every backend provides the same items with the same behaviour and is held to the same
//! known-answer tests. MD5 always comes from `md-5` (it is not a security primitive here, only the
//! v2 "MD5" sign type).
//!
//! **Randomness.** The RustCrypto backend draws every random byte (RSA blinding, OAEP seeds,
//! PKCS#1 v1.5 padding) from the RNG the caller passes in. The `aws-lc-rs` backend takes the same
//! argument but does **not** consult it: AWS-LC uses its own DRBG, seeded from the operating
//! system. Signatures are deterministic under both (RSASSA-PKCS1-v1_5); encryption output is
//! reproducible from a seeded RNG only under RustCrypto.
//!
//! **Speed.** RSA-2048 signing is about ten times faster under `aws-lc-rs` (≈ 3.9k/s against
//! ≈ 400/s on one core; see `BENCHMARKS.md`). It needs a C compiler to build.
//!
//! ```
//! // Which backend this build uses:
//! let expected = if cfg!(feature = "aws-lc-rs") { "aws-lc-rs" } else { "rustcrypto" };
//! assert_eq!(wechatpay_sansio::crypto::BACKEND, expected);
//! ```

#[cfg(feature = "aws-lc-rs")]
mod aws_lc_rs_impl;
// Under `aws-lc-rs` the RustCrypto backend is still compiled for tests, as the reference the
// AWS-LC results are compared against.
#[cfg(any(not(feature = "aws-lc-rs"), test))]
#[cfg_attr(feature = "aws-lc-rs", allow(dead_code))]
mod rustcrypto_impl;

#[cfg(feature = "aws-lc-rs")]
use aws_lc_rs_impl as backend;
#[cfg(not(feature = "aws-lc-rs"))]
use rustcrypto_impl as backend;

#[cfg(any(test, feature = "simulator"))]
pub(crate) use backend::aes256gcm_encrypt;
pub(crate) use backend::{HmacSha256, Md5, RsaPrivateKey, RsaPublicKey, aes256gcm_decrypt};

/// Name of the cryptography backend compiled into this build: `"rustcrypto"` (default) or
/// `"aws-lc-rs"` (feature `aws-lc-rs`).
pub const BACKEND: &str = backend::NAME;

/// A failure inside the cryptography backend.
///
/// Protocol modules translate these into their own error types; the variants carry no key
/// material and no plaintext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CryptoError {
    /// The caller-supplied random number generator failed (RustCrypto backend only: AWS-LC
    /// never consults it).
    #[cfg_attr(feature = "aws-lc-rs", allow(dead_code))]
    Rng,
    /// DER could not be decoded as the expected key structure.
    KeyDecode,
    /// The key decoded but is not usable (bad parameters).
    KeyInvalid,
    /// Plaintext too long for the key and padding.
    MessageTooLong,
    /// Decryption failed (padding check or authentication tag).
    Decrypt,
    /// Signing failed inside the backend.
    Sign,
}

/// Upper-case hex of `bytes` into `out` (which must be `2 * bytes.len()` long).
pub(crate) fn hex_upper_into(bytes: &[u8], out: &mut [u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = HEX[usize::from(b >> 4)];
        out[2 * i + 1] = HEX[usize::from(b & 0x0f)];
    }
}

/// Constant-time equality of two byte strings (length is not secret).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    //! Known-answer tests every backend must pass.
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    fn hex(b: &[u8]) -> String {
        let mut out = vec![0u8; b.len() * 2];
        hex_upper_into(b, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn md5_known_answers() {
        // RFC 1321 test suite.
        let mut h = Md5::new();
        h.update(b"");
        assert_eq!(hex(&h.finalize()), "D41D8CD98F00B204E9800998ECF8427E");
        let mut h = Md5::new();
        h.update(b"message ");
        h.update(b"digest");
        assert_eq!(hex(&h.finalize()), "F96B697D7CB7938D525A2F31AAF161D0");
    }

    #[test]
    fn hmac_sha256_rfc4231_case2() {
        let mut h = HmacSha256::new(b"Jefe");
        h.update(b"what do ya want ");
        h.update(b"for nothing?");
        assert_eq!(
            hex(&h.finalize()),
            "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843"
        );
    }

    #[test]
    fn aes256gcm_java_sdk_vector() {
        // wechatpay-java AeadAesCipherTest (AES-256-GCM, 12-byte nonce).
        let key = *b"a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
        let ct = STANDARD.decode("ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=").unwrap();
        let pt = aes256gcm_decrypt(&key, b"uluk4a9R25RW", b"associatedData", &ct).unwrap();
        assert_eq!(&pt[..], b"message");
        assert_eq!(
            aes256gcm_decrypt(&key, b"uluk4a9R25RW", b"bad-associatedData", &ct),
            Err(CryptoError::Decrypt)
        );
        assert_eq!(
            aes256gcm_decrypt(&key, b"bad-4a9R25RW", b"associatedData", &ct),
            Err(CryptoError::Decrypt)
        );
        let again =
            aes256gcm_encrypt(&key, b"uluk4a9R25RW", b"associatedData", b"message").unwrap();
        assert_eq!(again, ct);
    }

    #[test]
    fn aes256gcm_rejects_short_input() {
        let key = [7u8; 32];
        assert_eq!(
            aes256gcm_decrypt(&key, b"123456789012", b"", &[0u8; 15]),
            Err(CryptoError::Decrypt)
        );
    }

    fn der(pem: &str) -> Vec<u8> {
        pem_rfc7468::decode_vec(pem.as_bytes()).unwrap().1
    }
    fn merchant() -> RsaPrivateKey {
        RsaPrivateKey::from_pkcs8_der(&der(include_str!("../../tests/data/test_merchant_key.pem")))
            .unwrap()
    }
    fn rng() -> rand_chacha::ChaCha20Rng {
        use rand_core::SeedableRng;
        rand_chacha::ChaCha20Rng::seed_from_u64(7)
    }

    #[test]
    fn backend_is_the_selected_one() {
        #[cfg(feature = "aws-lc-rs")]
        assert_eq!(BACKEND, "aws-lc-rs");
        #[cfg(not(feature = "aws-lc-rs"))]
        assert_eq!(BACKEND, "rustcrypto");
    }

    #[test]
    fn rsa_sign_verify_streams_parts() {
        let sk = merchant();
        assert_eq!(sk.modulus_bits(), 2048);
        let pk = sk.public_key();
        assert_eq!(pk.modulus_len(), 256);
        let sig = sk.sign_sha256(&mut rng(), &[b"GET\n", b"/v3/x\n"]).unwrap();
        assert_eq!(sig.len(), 256);
        // Part boundaries do not matter: the hash is over the concatenation.
        assert!(pk.verify_sha256(&[b"GET\n/v3/x\n"], &sig));
        assert!(pk.verify_sha256(&[b"GE", b"T\n/v3/", b"x\n"], &sig));
        assert!(!pk.verify_sha256(&[b"GET\n/v3/y\n"], &sig));
        assert!(!pk.verify_sha256(&[b"GET\n/v3/x\n"], &sig[1..]));
        // PKCS#1 v1.5 signatures are deterministic, whatever the RNG.
        let mut other = {
            use rand_core::SeedableRng;
            rand_chacha::ChaCha20Rng::seed_from_u64(99)
        };
        assert_eq!(sk.sign_sha256(&mut other, &[b"GET\n/v3/x\n"]).unwrap(), sig);
    }

    #[test]
    fn rsa_key_formats_agree() {
        let sk = merchant();
        let sk1 = RsaPrivateKey::from_pkcs1_der(&der(include_str!(
            "../../tests/data/test_merchant_key_pkcs1.pem"
        )))
        .unwrap();
        assert!(sk1.public_key() == sk.public_key());
        let spki = sk.public_key().to_spki_der().unwrap();
        let pk = RsaPublicKey::from_spki_der(&spki).unwrap();
        assert!(pk == sk.public_key());
        // Each constructor reads exactly one format.
        assert_eq!(
            RsaPublicKey::from_pkcs1_der(&spki).err(),
            Some(CryptoError::KeyDecode)
        );
        let p1 = der(include_str!(
            "../../tests/data/test_platform_public_key_pkcs1.pem"
        ));
        assert_eq!(
            RsaPublicKey::from_spki_der(&p1).err(),
            Some(CryptoError::KeyDecode)
        );
        let from_p1 = RsaPublicKey::from_pkcs1_der(&p1).unwrap();
        let from_spki = RsaPublicKey::from_spki_der(&der(include_str!(
            "../../tests/data/test_platform_public_key.pem"
        )))
        .unwrap();
        assert!(from_p1 == from_spki);
        assert!(from_p1 != pk);
        assert_eq!(
            RsaPrivateKey::from_pkcs8_der(b"\x30\x03\x02\x01\x00").err(),
            Some(CryptoError::KeyDecode)
        );
    }

    #[test]
    fn rsa_keys_of_the_wrong_size_still_report_their_size() {
        // `keys` turns these into "1024 bits, expected 2048"; the backend must not call them
        // undecodable (AWS-LC itself refuses < 2048 bits).
        let sk = RsaPrivateKey::from_pkcs8_der(&der(include_str!(
            "../../tests/data/test_rsa1024_key.pem"
        )))
        .unwrap();
        assert_eq!(sk.modulus_bits(), 1024);
        let pk = RsaPublicKey::from_spki_der(&der(include_str!(
            "../../tests/data/test_rsa1024_public_key.pem"
        )))
        .unwrap();
        assert_eq!(pk.modulus_bits(), 1024);
        let big = RsaPrivateKey::from_pkcs8_der(&der(include_str!(
            "../../tests/data/test_rsa4096_key.pem"
        )))
        .unwrap();
        assert_eq!(big.modulus_bits(), 4096);
    }

    #[test]
    fn rsa_encrypt_decrypt_round_trips() {
        let sk = merchant();
        let pk = sk.public_key();
        let id = b"11010519491231002X";
        let ct = pk.encrypt_oaep_sha1(&mut rng(), id).unwrap();
        assert_eq!(ct.len(), 256);
        assert_eq!(&sk.decrypt_oaep_sha1(&mut rng(), &ct).unwrap()[..], id);
        let mut bad = ct.clone();
        bad[10] ^= 1;
        assert_eq!(
            sk.decrypt_oaep_sha1(&mut rng(), &bad).err(),
            Some(CryptoError::Decrypt)
        );
        let ct = pk.encrypt_pkcs1v15(&mut rng(), id).unwrap();
        assert_eq!(ct.len(), 256);
        assert_eq!(&sk.decrypt_pkcs1v15(&mut rng(), &ct).unwrap()[..], id);
        // Length limits: OAEP-SHA1 k - 42, PKCS#1 v1.5 k - 11.
        assert!(pk.encrypt_oaep_sha1(&mut rng(), &[0u8; 214]).is_ok());
        assert_eq!(
            pk.encrypt_oaep_sha1(&mut rng(), &[0u8; 215]).err(),
            Some(CryptoError::MessageTooLong)
        );
        assert!(pk.encrypt_pkcs1v15(&mut rng(), &[0u8; 245]).is_ok());
        assert_eq!(
            pk.encrypt_pkcs1v15(&mut rng(), &[0u8; 246]).err(),
            Some(CryptoError::MessageTooLong)
        );
    }

    /// Under `aws-lc-rs`, the RustCrypto backend (compiled for tests) is the reference: the
    /// same key gives the same signature, and each backend decrypts what the other encrypted.
    #[cfg(feature = "aws-lc-rs")]
    #[test]
    fn aws_lc_agrees_with_rustcrypto() {
        let pem = der(include_str!("../../tests/data/test_merchant_key.pem"));
        let lc = RsaPrivateKey::from_pkcs8_der(&pem).unwrap();
        let rc = super::rustcrypto_impl::RsaPrivateKey::from_pkcs8_der(&pem).unwrap();
        let msg: &[&[u8]] = &[b"POST\n/v3/pay\n", b"1554208460\n", b"{}\n"];
        let sig = lc.sign_sha256(&mut rng(), msg).unwrap();
        assert_eq!(sig, rc.sign_sha256(&mut rng(), msg).unwrap());
        assert!(rc.public_key().verify_sha256(msg, &sig));
        assert_eq!(
            lc.public_key().to_spki_der().unwrap(),
            rc.public_key().to_spki_der().unwrap()
        );
        let ct = lc.public_key().encrypt_oaep_sha1(&mut rng(), b"x").unwrap();
        assert_eq!(&rc.decrypt_oaep_sha1(&mut rng(), &ct).unwrap()[..], b"x");
        let ct = rc.public_key().encrypt_oaep_sha1(&mut rng(), b"y").unwrap();
        assert_eq!(&lc.decrypt_oaep_sha1(&mut rng(), &ct).unwrap()[..], b"y");
        let ct = lc.public_key().encrypt_pkcs1v15(&mut rng(), b"z").unwrap();
        assert_eq!(&rc.decrypt_pkcs1v15(&mut rng(), &ct).unwrap()[..], b"z");
        let mut h1 = HmacSha256::new(b"k");
        let mut h2 = super::rustcrypto_impl::HmacSha256::new(b"k");
        h1.update(b"data");
        h2.update(b"data");
        assert_eq!(h1.finalize(), h2.finalize());
        let key = [3u8; 32];
        let ct = aes256gcm_encrypt(&key, b"123456789012", b"aad", b"hello").unwrap();
        assert_eq!(
            ct,
            super::rustcrypto_impl::aes256gcm_encrypt(&key, b"123456789012", b"aad", b"hello")
                .unwrap()
        );
    }

    /// A size-only key (refused by AWS-LC for its size) can do nothing.
    #[cfg(feature = "aws-lc-rs")]
    #[test]
    fn aws_lc_size_only_keys_refuse_every_operation() {
        let sk = RsaPrivateKey::from_pkcs8_der(&der(include_str!(
            "../../tests/data/test_rsa1024_key.pem"
        )))
        .unwrap();
        assert_eq!(
            sk.sign_sha256(&mut rng(), &[b"m"]).err(),
            Some(CryptoError::Sign)
        );
        assert_eq!(
            sk.decrypt_oaep_sha1(&mut rng(), &[0u8; 128]).err(),
            Some(CryptoError::Decrypt)
        );
        assert_eq!(
            sk.decrypt_pkcs1v15(&mut rng(), &[0u8; 128]).err(),
            Some(CryptoError::Decrypt)
        );
        let pk = sk.public_key();
        assert_eq!(pk.modulus_bits(), 1024);
        assert!(!pk.verify_sha256(&[b"m"], &[0u8; 128]));
        assert_eq!(
            pk.encrypt_oaep_sha1(&mut rng(), b"m").err(),
            Some(CryptoError::KeyInvalid)
        );
        assert_eq!(
            pk.encrypt_pkcs1v15(&mut rng(), b"m").err(),
            Some(CryptoError::KeyInvalid)
        );
        assert_eq!(pk.to_spki_der().err(), Some(CryptoError::KeyInvalid));
        let p1 = RsaPublicKey::from_pkcs1_der(&[0x30, 0x00]);
        assert_eq!(p1.err(), Some(CryptoError::KeyDecode));
    }

    #[test]
    fn ct_eq_works() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
