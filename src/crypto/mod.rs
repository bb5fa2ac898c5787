//! The one seam through which every cryptographic operation passes.
//!
//! Protocol code (`v2`, `v3`, `cipher`, `keys`) never names a cryptography crate: it calls the
//! functions and types re-exported here. Exactly one backend is compiled in, chosen at build time
//! (the shape of aws-sigv4's `crypto.rs`):
//!
//! | backend | selected when | module |
//! |---|---|---|
//! | RustCrypto (`rsa`, `sha2`, `hmac`, `md-5`, `aes-gcm`) | default | `rustcrypto_impl` |
//!
//! Every backend provides the same items with the same behaviour and is held to the same
//! known-answer tests. MD5 always comes from `md-5` (it is not a security primitive here, only the
//! v2 "MD5" sign type).
//!
//! ```
//! // Which backend this build uses:
//! assert!(!wechatpay_sansio::crypto::BACKEND.is_empty());
//! ```

mod rustcrypto_impl;

#[cfg(any(test, feature = "simulator"))]
pub(crate) use rustcrypto_impl::aes256gcm_encrypt;
pub(crate) use rustcrypto_impl::{HmacSha256, Md5, RsaPrivateKey, RsaPublicKey, aes256gcm_decrypt};

/// Name of the cryptography backend compiled into this build (`"rustcrypto"`).
pub const BACKEND: &str = rustcrypto_impl::NAME;

/// A failure inside the cryptography backend.
///
/// Protocol modules translate these into their own error types; the variants carry no key
/// material and no plaintext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CryptoError {
    /// The caller-supplied random number generator failed.
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

    #[test]
    fn ct_eq_works() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
