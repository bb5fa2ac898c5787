//! The one seam through which every cryptographic operation passes.
//!
//! Protocol code (`v2`, `v3`, `cipher`, `keys`) never names a cryptography crate: it uses the
//! types and functions re-exported here. The contract is written as crate-private traits
//! (`Backend`, with `Mac`, `RsaPrivate` and `RsaPublic`; not part of the public API): each
//! backend implements them, and the same known-answer tests run against every backend compiled
//! in. Exactly one backend is selected at build time:
//!
//! | backend | selected when | module |
//! |---|---|---|
//! | RustCrypto (`rsa`, `sha2`, `hmac`, `aes-gcm`) | default | `rustcrypto_impl` |
//! | AWS-LC (`aws-lc-rs`) | feature `aws-lc-rs` | `aws_lc_rs_impl` |
//!
//! MD5 is the same for both (`md-5`, here): it is not a security primitive in this crate, only
//! the v2 "MD5" sign type. So is AES-256-ECB (`aes` + `ecb`), used only to decrypt the `req_info`
//! of v2 refund notifications. So are the bills' primitives: SHA-1 (`sha1`, the digest WeChat
//! Pay publishes for a bill file) and AES-256-GCM decrypted as a stream (`aes` + `ctr` +
//! `ghash`, `gcm_stream`: a bill file can be gigabytes, which no backend's one-shot AEAD takes).
//!
//! **Randomness.** The RustCrypto backend draws every random byte (RSA blinding, OAEP seeds,
//! PKCS#1 v1.5 padding) from the RNG the caller passes in. The `aws-lc-rs` backend takes the same
//! argument but does **not** consult it: AWS-LC uses its own DRBG, seeded from the operating
//! system. Signatures are deterministic under both (RSASSA-PKCS1-v1_5); encryption output is
//! reproducible from a seeded RNG only under RustCrypto. Every public function that takes an RNG
//! says so in its documentation.
//!
//! **Speed.** RSA-2048 private-key operations are many times faster under `aws-lc-rs` (the
//! measured figures are in the repository's `BENCHMARKS.md`). It needs a C compiler to build.
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
mod gcm_stream;
#[cfg(any(not(feature = "aws-lc-rs"), test))]
#[cfg_attr(feature = "aws-lc-rs", allow(dead_code))]
mod rustcrypto_impl;
pub(crate) use gcm_stream::{Aes256GcmDecryptStream, StreamError};

use rand_core::TryCryptoRng;
use zeroize::Zeroizing;

/// The backend compiled into this build.
#[cfg(feature = "aws-lc-rs")]
pub(crate) type Selected = aws_lc_rs_impl::AwsLc;
/// The backend compiled into this build.
#[cfg(not(feature = "aws-lc-rs"))]
pub(crate) type Selected = rustcrypto_impl::RustCrypto;

/// HMAC-SHA256 of the selected backend.
pub(crate) type HmacSha256 = <Selected as Backend>::HmacSha256;
/// RSA private key of the selected backend.
pub(crate) type RsaPrivateKey = <Selected as Backend>::RsaPrivateKey;
/// RSA public key of the selected backend.
pub(crate) type RsaPublicKey = <Selected as Backend>::RsaPublicKey;

/// Name of the cryptography backend compiled into this build: `"rustcrypto"` (default) or
/// `"aws-lc-rs"` (feature `aws-lc-rs`).
pub const BACKEND: &str = Selected::NAME;

/// Whether the backend of this build draws its randomness from the RNG the caller passes in
/// (`true` for RustCrypto; `false` for AWS-LC, which uses its own DRBG).
pub const USES_CALLER_RNG: bool = Selected::USES_CALLER_RNG;

/// A backend: its name, its primitive types and AES-256-GCM.
pub(crate) trait Backend {
    /// The name reported by [`BACKEND`].
    const NAME: &'static str;
    /// Whether the RNG arguments are consulted.
    const USES_CALLER_RNG: bool;
    /// Streaming HMAC-SHA256.
    type HmacSha256: Mac;
    /// An RSA private key, parsed once.
    type RsaPrivateKey: RsaPrivate<Public = Self::RsaPublicKey>;
    /// An RSA public key, parsed once.
    type RsaPublicKey: RsaPublic;

    /// SHA-256 of `data` (the media-upload `meta`'s file digest).
    fn sha256(data: &[u8]) -> [u8; 32];

    /// AES-256-GCM decryption of `ciphertext ‖ 16-byte tag` with a 12-byte nonce.
    fn aes256gcm_decrypt(
        key: &[u8; 32],
        nonce: &[u8; 12],
        aad: &[u8],
        ciphertext_and_tag: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError>;

    /// AES-256-GCM encryption, `ciphertext ‖ tag` (tests and the simulator only: WeChat Pay's
    /// side).
    #[cfg(any(test, feature = "simulator"))]
    fn aes256gcm_encrypt(
        key: &[u8; 32],
        nonce: &[u8; 12],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError>;
}

/// A streaming MAC with a 32-byte tag (HMAC-SHA256).
pub(crate) trait Mac: Sized {
    /// Keyed with any number of bytes.
    fn new(key: &[u8]) -> Self;
    /// Feed bytes.
    fn update(&mut self, data: &[u8]);
    /// The tag.
    fn finalize(self) -> [u8; 32];
}

/// An RSA private key.
pub(crate) trait RsaPrivate: Sized + Clone + Send + Sync {
    /// The matching public key type.
    type Public: RsaPublic;
    /// From PKCS#8 `PrivateKeyInfo` DER. A key refused only for its size must still report its
    /// size through [`RsaPrivate::modulus_bits`] (and refuse every operation).
    fn from_pkcs8_der(der: &[u8]) -> Result<Self, CryptoError>;
    /// From PKCS#1 `RSAPrivateKey` DER (same size rule).
    fn from_pkcs1_der(der: &[u8]) -> Result<Self, CryptoError>;
    /// The exact bit length of the modulus.
    fn modulus_bits(&self) -> usize;
    /// The matching public key.
    fn public_key(&self) -> Self::Public;
    /// RSASSA-PKCS1-v1_5 with SHA-256 over the concatenation of `parts`, streamed into the hash
    /// (the message is never assembled). `rng` blinds the private-key operation (RustCrypto
    /// only). [`CryptoError::Rng`] or [`CryptoError::Sign`].
    fn sign_sha256<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        parts: &[&[u8]],
    ) -> Result<Vec<u8>, CryptoError>;
    /// RSAES-OAEP (SHA-1, MGF1-SHA-1, empty label) decryption. [`CryptoError::Decrypt`].
    fn decrypt_oaep_sha1<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError>;
    /// RSAES-PKCS1-v1_5 decryption: only for the simulator, which plays WeChat Pay's side.
    #[cfg(any(test, feature = "simulator"))]
    fn decrypt_pkcs1v15<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError>;
}

/// An RSA public key.
pub(crate) trait RsaPublic: Sized + Clone + PartialEq + Send + Sync {
    /// From SubjectPublicKeyInfo DER only.
    fn from_spki_der(der: &[u8]) -> Result<Self, CryptoError>;
    /// From PKCS#1 `RSAPublicKey` DER only.
    fn from_pkcs1_der(der: &[u8]) -> Result<Self, CryptoError>;
    /// The exact bit length of the modulus.
    fn modulus_bits(&self) -> usize;
    /// Modulus length in bytes (= signature and ciphertext length).
    fn modulus_len(&self) -> usize {
        self.modulus_bits().div_ceil(8)
    }
    /// Verify RSASSA-PKCS1-v1_5/SHA-256 over the concatenation of `parts`.
    fn verify_sha256(&self, parts: &[&[u8]], signature: &[u8]) -> bool;
    /// RSAES-OAEP (SHA-1) encryption. [`CryptoError::MessageTooLong`] over `k - 42` bytes;
    /// [`CryptoError::Rng`] when the caller's RNG fails (RustCrypto);
    /// [`CryptoError::KeyInvalid`] for an unusable key.
    fn encrypt_oaep_sha1<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError>;
    /// RSAES-PKCS1-v1_5 encryption; errors as [`RsaPublic::encrypt_oaep_sha1`] (limit `k - 11`).
    fn encrypt_pkcs1v15<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError>;
    /// SubjectPublicKeyInfo DER of this key.
    fn to_spki_der(&self) -> Result<Vec<u8>, CryptoError>;
}

/// SHA-256 of `data` with the selected backend.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Selected::sha256(data)
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

/// AES-256-GCM decryption with the selected backend.
pub(crate) fn aes256gcm_decrypt(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    ciphertext_and_tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    Selected::aes256gcm_decrypt(key, nonce, aad, ciphertext_and_tag)
}

/// AES-256-GCM encryption with the selected backend (tests and the simulator).
#[cfg(any(test, feature = "simulator"))]
pub(crate) fn aes256gcm_encrypt(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    Selected::aes256gcm_encrypt(key, nonce, aad, plaintext)
}

/// Streaming MD5 (`md-5`, the same under every backend).
pub(crate) struct Md5(md5::Md5);

impl Md5 {
    pub(crate) fn new() -> Self {
        use md5::Digest as _;
        Self(md5::Md5::new())
    }
    pub(crate) fn update(&mut self, data: &[u8]) {
        use md5::Digest as _;
        self.0.update(data);
    }
    pub(crate) fn finalize(self) -> [u8; 16] {
        use md5::Digest as _;
        self.0.finalize().into()
    }
}

/// Streaming SHA-1 (`sha1`, the same under every backend): the digest WeChat Pay publishes for a
/// bill file (`hash_type` `SHA1`).
#[derive(Clone)]
pub(crate) struct Sha1(sha1::Sha1);

impl Sha1 {
    pub(crate) fn new() -> Self {
        use sha1::Digest as _;
        Self(sha1::Sha1::new())
    }
    pub(crate) fn update(&mut self, data: &[u8]) {
        use sha1::Digest as _;
        self.0.update(data);
    }
    pub(crate) fn finalize(self) -> [u8; 20] {
        use sha1::Digest as _;
        self.0.finalize().into()
    }
}

/// AES-256-GCM with a nonce of any length (12 or 16 bytes), empty associated data: WeChat Pay's
/// side of [`Aes256GcmDecryptStream`] (the simulator's encrypted bills), `aes-gcm` one-shot.
#[cfg(any(test, feature = "simulator"))]
pub(crate) fn aes256gcm_seal_any_nonce(
    key: &[u8; 32],
    nonce: &[u8],
    plaintext: &[u8],
) -> Option<Vec<u8>> {
    use aes_gcm::aead::{Aead as _, KeyInit as _};
    match nonce.len() {
        12 => aes_gcm::Aes256Gcm::new(key.into())
            .encrypt(nonce.try_into().ok()?, plaintext)
            .ok(),
        16 => aes_gcm::AesGcm::<aes::Aes256, aes_gcm::aead::consts::U16>::new(key.into())
            .encrypt(nonce.try_into().ok()?, plaintext)
            .ok(),
        _ => None,
    }
}

/// AES-256-ECB decryption of whole 16-byte blocks, then strict PKCS#7 unpadding (every padding
/// byte checked). `aes` + `ecb` (RustCrypto), the same under every backend: it exists only for
/// the v2 refund notification's `req_info`, which WeChat Pay encrypts this way. ECB has no
/// integrity: a correct padding proves nothing about the plaintext (see `v2::refund_notify`).
/// [`CryptoError::Decrypt`] for an empty input, a length that is not a multiple of 16, or a bad
/// padding.
pub(crate) fn aes256ecb_pkcs7_decrypt(
    key: &[u8; 32],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    use aes::cipher::{BlockModeDecrypt as _, KeyInit as _, block_padding::Pkcs7};
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
        return Err(CryptoError::Decrypt);
    }
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    let len = ecb::Decryptor::<aes::Aes256>::new(key.into())
        .decrypt_padded::<Pkcs7>(&mut buf)
        .map_err(|_| CryptoError::Decrypt)?
        .len();
    // Truncating keeps the padding bytes in the spare capacity: zero them first.
    zeroize::Zeroize::zeroize(&mut buf[len..]);
    buf.truncate(len);
    Ok(buf)
}

/// AES-256-ECB with PKCS#7 padding (tests and the simulator only: WeChat Pay's side of
/// [`aes256ecb_pkcs7_decrypt`]).
#[cfg(any(test, feature = "simulator"))]
pub(crate) fn aes256ecb_pkcs7_encrypt(key: &[u8; 32], plaintext: &[u8]) -> Vec<u8> {
    use aes::cipher::{BlockModeEncrypt as _, KeyInit as _, block_padding::Pkcs7};
    let len = plaintext.len();
    let mut buf = vec![0u8; (len / 16 + 1) * 16];
    buf[..len].copy_from_slice(plaintext);
    match ecb::Encryptor::<aes::Aes256>::new(key.into()).encrypt_padded::<Pkcs7>(&mut buf, len) {
        Ok(ct) => ct.to_vec(),
        // The buffer holds the message and a full block of padding: never too short.
        Err(_) => Vec::new(),
    }
}

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
    /// Encryption failed inside the backend (AES-GCM).
    #[cfg_attr(not(any(test, feature = "simulator")), allow(dead_code))]
    Encrypt,
    /// Signing failed inside the backend.
    #[cfg_attr(not(feature = "aws-lc-rs"), allow(dead_code))]
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
    //! Known-answer tests every backend must pass: each is generic over [`Backend`] and runs for
    //! the selected backend and, under `aws-lc-rs`, for the RustCrypto reference too.
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    fn hex(b: &[u8]) -> String {
        let mut out = vec![0u8; b.len() * 2];
        hex_upper_into(b, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn der(pem: &str) -> Vec<u8> {
        let start = pem.find("-----BEGIN").unwrap();
        pem_rfc7468::decode_vec(&pem.as_bytes()[start..]).unwrap().1
    }
    fn rng() -> rand_chacha::ChaCha20Rng {
        use rand_core::SeedableRng;
        rand_chacha::ChaCha20Rng::seed_from_u64(7)
    }
    const MERCHANT: &str = include_str!("../../tests/data/test_merchant_key.pem");

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
    fn aes256ecb_php_sdk_vector() {
        // wechatpay-php tests/Crypto/AesEcbTest.php, "fixed plaintext and key" (the key's 32
        // ASCII bytes used directly; tests/data/VECTORS.md).
        let key = *b"0123456789abcdef0123456789abcdef";
        let ct = STANDARD.decode("pZwJZBLuy3mDACEQT4YTBw==").unwrap();
        assert_eq!(&aes256ecb_pkcs7_decrypt(&key, &ct).unwrap()[..], b"hello");
        assert_eq!(aes256ecb_pkcs7_encrypt(&key, b"hello"), ct);
        // A whole block of padding for a 16-byte message; the empty message is one block.
        let ct16 = aes256ecb_pkcs7_encrypt(&key, &[7u8; 16]);
        assert_eq!(ct16.len(), 32);
        assert_eq!(
            &aes256ecb_pkcs7_decrypt(&key, &ct16).unwrap()[..],
            &[7u8; 16]
        );
        assert_eq!(aes256ecb_pkcs7_encrypt(&key, b"").len(), 16);
        assert_eq!(
            &aes256ecb_pkcs7_decrypt(&key, &aes256ecb_pkcs7_encrypt(&key, b"")).unwrap()[..],
            b""
        );
        // Lengths, a wrong key, a changed block.
        for bad in [&[][..], &ct[..15], &[0u8; 17][..]] {
            assert_eq!(
                aes256ecb_pkcs7_decrypt(&key, bad),
                Err(CryptoError::Decrypt)
            );
        }
        let mut other = key;
        other[0] ^= 1;
        assert_eq!(
            aes256ecb_pkcs7_decrypt(&other, &ct),
            Err(CryptoError::Decrypt)
        );
    }

    fn hmac_sha256_rfc4231_case2<B: Backend>() {
        let mut h = B::HmacSha256::new(b"Jefe");
        h.update(b"what do ya want ");
        h.update(b"for nothing?");
        assert_eq!(
            hex(&h.finalize()),
            "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843"
        );
    }

    fn aes256gcm_java_sdk_vector<B: Backend>() {
        // wechatpay-java AeadAesCipherTest (AES-256-GCM, 12-byte nonce).
        let key = *b"a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
        let ct = STANDARD.decode("ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=").unwrap();
        let pt = B::aes256gcm_decrypt(&key, b"uluk4a9R25RW", b"associatedData", &ct).unwrap();
        assert_eq!(&pt[..], b"message");
        assert_eq!(
            B::aes256gcm_decrypt(&key, b"uluk4a9R25RW", b"bad-associatedData", &ct),
            Err(CryptoError::Decrypt)
        );
        assert_eq!(
            B::aes256gcm_decrypt(&key, b"bad-4a9R25RW", b"associatedData", &ct),
            Err(CryptoError::Decrypt)
        );
        assert_eq!(
            B::aes256gcm_encrypt(&key, b"uluk4a9R25RW", b"associatedData", b"message").unwrap(),
            ct
        );
        // Shorter than a tag.
        assert_eq!(
            B::aes256gcm_decrypt(&[7u8; 32], b"123456789012", b"", &[0u8; 15]),
            Err(CryptoError::Decrypt)
        );
    }

    fn rsa_sign_verify_streams_parts<B: Backend>() {
        let sk = B::RsaPrivateKey::from_pkcs8_der(&der(MERCHANT)).unwrap();
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

    fn rsa_key_formats_agree<B: Backend>() {
        let sk = B::RsaPrivateKey::from_pkcs8_der(&der(MERCHANT)).unwrap();
        let sk1 = B::RsaPrivateKey::from_pkcs1_der(&der(include_str!(
            "../../tests/data/test_merchant_key_pkcs1.pem"
        )))
        .unwrap();
        assert!(sk1.public_key() == sk.public_key());
        let spki = sk.public_key().to_spki_der().unwrap();
        let pk = B::RsaPublicKey::from_spki_der(&spki).unwrap();
        assert!(pk == sk.public_key());
        // Each constructor reads exactly one format.
        assert!(matches!(
            B::RsaPublicKey::from_pkcs1_der(&spki),
            Err(CryptoError::KeyDecode)
        ));
        let p1 = der(include_str!(
            "../../tests/data/test_platform_public_key_pkcs1.pem"
        ));
        assert!(matches!(
            B::RsaPublicKey::from_spki_der(&p1),
            Err(CryptoError::KeyDecode)
        ));
        let from_p1 = B::RsaPublicKey::from_pkcs1_der(&p1).unwrap();
        let from_spki = B::RsaPublicKey::from_spki_der(&der(include_str!(
            "../../tests/data/test_platform_public_key.pem"
        )))
        .unwrap();
        assert!(from_p1 == from_spki);
        assert!(from_p1 != pk);
        assert!(matches!(
            B::RsaPrivateKey::from_pkcs8_der(b"\x30\x03\x02\x01\x00"),
            Err(CryptoError::KeyDecode)
        ));
    }

    /// `keys` turns these into "1024 bits, expected 2048"; a backend must not call them
    /// undecodable (AWS-LC itself refuses keys under 2048 bits), and must report the exact size.
    fn rsa_keys_of_the_wrong_size_still_report_their_size<B: Backend>() {
        let sk = B::RsaPrivateKey::from_pkcs8_der(&der(include_str!(
            "../../tests/data/test_rsa1024_key.pem"
        )))
        .unwrap();
        assert_eq!(sk.modulus_bits(), 1024);
        let pk = B::RsaPublicKey::from_spki_der(&der(include_str!(
            "../../tests/data/test_rsa1024_public_key.pem"
        )))
        .unwrap();
        assert_eq!(pk.modulus_bits(), 1024);
        let big = B::RsaPrivateKey::from_pkcs8_der(&der(include_str!(
            "../../tests/data/test_rsa4096_key.pem"
        )))
        .unwrap();
        assert_eq!(big.modulus_bits(), 4096);
        let odd = B::RsaPrivateKey::from_pkcs8_der(&der(include_str!(
            "../../tests/data/test_rsa2047_key.pem"
        )))
        .unwrap();
        assert_eq!(odd.modulus_bits(), 2047);
        let odd = B::RsaPublicKey::from_spki_der(&der(include_str!(
            "../../tests/data/test_rsa2047_public_key.pem"
        )))
        .unwrap();
        assert_eq!(odd.modulus_bits(), 2047);
    }

    fn rsa_encrypt_decrypt_round_trips<B: Backend>() {
        let sk = B::RsaPrivateKey::from_pkcs8_der(&der(MERCHANT)).unwrap();
        let pk = sk.public_key();
        let id = b"11010519491231002X";
        let ct = pk.encrypt_oaep_sha1(&mut rng(), id).unwrap();
        assert_eq!(ct.len(), 256);
        assert_eq!(&sk.decrypt_oaep_sha1(&mut rng(), &ct).unwrap()[..], id);
        let mut bad = ct.clone();
        bad[10] ^= 1;
        assert!(matches!(
            sk.decrypt_oaep_sha1(&mut rng(), &bad),
            Err(CryptoError::Decrypt)
        ));
        let ct = pk.encrypt_pkcs1v15(&mut rng(), id).unwrap();
        assert_eq!(ct.len(), 256);
        assert_eq!(&sk.decrypt_pkcs1v15(&mut rng(), &ct).unwrap()[..], id);
        // Length limits: OAEP-SHA1 k - 42, PKCS#1 v1.5 k - 11.
        assert!(pk.encrypt_oaep_sha1(&mut rng(), &[0u8; 214]).is_ok());
        assert!(matches!(
            pk.encrypt_oaep_sha1(&mut rng(), &[0u8; 215]),
            Err(CryptoError::MessageTooLong)
        ));
        assert!(pk.encrypt_pkcs1v15(&mut rng(), &[0u8; 245]).is_ok());
        assert!(matches!(
            pk.encrypt_pkcs1v15(&mut rng(), &[0u8; 246]),
            Err(CryptoError::MessageTooLong)
        ));
    }

    fn sha256_known_answers<B: Backend>() {
        // wechatpay-java ShaUtilTest (`message`); FIPS 180-2 `abc`; the empty string.
        assert_eq!(
            hex_lower(&B::sha256(b"message")),
            "ab530a13e45914982b79f9b7e3fba994cfd1f3fb22f71cea1afbf02b460c6d1d"
        );
        assert_eq!(
            hex_lower(&B::sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex_lower(&B::sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    fn all<B: Backend>() {
        sha256_known_answers::<B>();
        hmac_sha256_rfc4231_case2::<B>();
        aes256gcm_java_sdk_vector::<B>();
        rsa_sign_verify_streams_parts::<B>();
        rsa_key_formats_agree::<B>();
        rsa_keys_of_the_wrong_size_still_report_their_size::<B>();
        rsa_encrypt_decrypt_round_trips::<B>();
    }

    #[test]
    fn the_selected_backend_passes_the_contract() {
        all::<Selected>();
        let expected = if cfg!(feature = "aws-lc-rs") {
            "aws-lc-rs"
        } else {
            "rustcrypto"
        };
        assert_eq!(BACKEND, expected);
        assert_eq!(USES_CALLER_RNG, !cfg!(feature = "aws-lc-rs"));
    }

    /// Under `aws-lc-rs`, the RustCrypto reference passes the same contract, gives the same
    /// signatures, and each backend decrypts what the other encrypted.
    #[cfg(feature = "aws-lc-rs")]
    #[test]
    fn aws_lc_agrees_with_the_rustcrypto_reference() {
        use rustcrypto_impl::RustCrypto;
        all::<RustCrypto>();
        let pem = der(MERCHANT);
        let lc = RsaPrivateKey::from_pkcs8_der(&pem).unwrap();
        let rc = <RustCrypto as Backend>::RsaPrivateKey::from_pkcs8_der(&pem).unwrap();
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
    }

    /// Under `aws-lc-rs`, a key AWS-LC refused for its size (kept only to report the size) can
    /// do nothing.
    #[cfg(feature = "aws-lc-rs")]
    #[test]
    fn aws_lc_size_only_keys_refuse_every_operation() {
        let sk = RsaPrivateKey::from_pkcs8_der(&der(include_str!(
            "../../tests/data/test_rsa1024_key.pem"
        )))
        .unwrap();
        assert!(matches!(
            sk.sign_sha256(&mut rng(), &[b"m"]),
            Err(CryptoError::Sign)
        ));
        assert!(matches!(
            sk.decrypt_oaep_sha1(&mut rng(), &[0u8; 128]),
            Err(CryptoError::Decrypt)
        ));
        assert!(matches!(
            sk.decrypt_pkcs1v15(&mut rng(), &[0u8; 128]),
            Err(CryptoError::Decrypt)
        ));
        let pk = sk.public_key();
        assert_eq!(pk.modulus_bits(), 1024);
        assert!(!pk.verify_sha256(&[b"m"], &[0u8; 128]));
        assert!(matches!(
            pk.encrypt_oaep_sha1(&mut rng(), b"m"),
            Err(CryptoError::KeyInvalid)
        ));
        assert!(matches!(
            pk.encrypt_pkcs1v15(&mut rng(), b"m"),
            Err(CryptoError::KeyInvalid)
        ));
        assert!(matches!(pk.to_spki_der(), Err(CryptoError::KeyInvalid)));
        assert!(matches!(
            RsaPublicKey::from_pkcs1_der(&[0x30, 0x00]),
            Err(CryptoError::KeyDecode)
        ));
    }

    #[test]
    fn ct_eq_works() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"ab"));
        assert!(!ct_eq(b"abc", b"abd"));
    }
}
