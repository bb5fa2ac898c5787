//! The default backend: pure-Rust RustCrypto crates (`rsa` 0.10, `sha2`, `hmac`, `md-5`,
//! `aes-gcm`). Nothing here reads the OS RNG: every randomised operation takes the caller's RNG.

use super::CryptoError;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::Mac as _;
use rand_core::TryCryptoRng;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::traits::PublicKeyParts;
use sha2::Digest as _;
use zeroize::Zeroizing;

pub(super) const NAME: &str = "rustcrypto";

/// Streaming MD5.
pub(crate) struct Md5(md5::Md5);

impl Md5 {
    pub(crate) fn new() -> Self {
        Self(md5::Md5::new())
    }
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    pub(crate) fn finalize(self) -> [u8; 16] {
        self.0.finalize().into()
    }
}

/// Streaming HMAC-SHA256.
pub(crate) struct HmacSha256(hmac::Hmac<sha2::Sha256>);

impl HmacSha256 {
    pub(crate) fn new(key: &[u8]) -> Self {
        // HMAC accepts keys of any length; `new_from_slice` cannot fail for Hmac.
        match <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key) {
            Ok(mac) => Self(mac),
            Err(_) => unreachable!("HMAC accepts any key length"),
        }
    }
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    pub(crate) fn finalize(self) -> [u8; 32] {
        self.0.finalize().into_bytes().into()
    }
}

/// An RSA private key, parsed once.
#[derive(Clone)]
pub(crate) struct RsaPrivateKey(rsa::PrivateKey);

impl RsaPrivateKey {
    pub(crate) fn from_pkcs8_der(der: &[u8]) -> Result<Self, CryptoError> {
        rsa::PrivateKey::from_pkcs8_der(der)
            .map(Self)
            .map_err(|_| CryptoError::KeyDecode)
    }
    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<Self, CryptoError> {
        rsa::PrivateKey::from_pkcs1_der(der)
            .map(Self)
            .map_err(|_| CryptoError::KeyDecode)
    }
    /// Exact bit length of the modulus.
    pub(crate) fn modulus_bits(&self) -> usize {
        self.0.n().bit_width() as usize
    }
    pub(crate) fn public_key(&self) -> RsaPublicKey {
        RsaPublicKey(self.0.to_public_key())
    }
    /// RSASSA-PKCS1-v1_5 with SHA-256 over the concatenation of `parts`, streamed into the
    /// hash (the message is never assembled). `rng` is used for blinding only.
    pub(crate) fn sign_sha256<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        parts: &[&[u8]],
    ) -> Result<Vec<u8>, CryptoError> {
        let mut h = sha2::Sha256::new();
        for p in parts {
            h.update(p);
        }
        let digest = h.finalize();
        self.0
            .pkcs1v15_sign_prehash_with_rng::<sha2::Sha256, _>(rng, &digest)
            .map_err(|_| CryptoError::Sign)
    }
    /// RSAES-OAEP (SHA-1, MGF1-SHA-1, empty label) decryption.
    pub(crate) fn decrypt_oaep_sha1<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.0
            .oaep_decrypt_with_rng::<sha1::Sha1, _>(rng, ciphertext)
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Decrypt)
    }
    /// RSAES-PKCS1-v1_5 decryption: only for the simulator, which plays WeChat Pay's side.
    /// Implicit rejection means a wrong key yields garbage, not an error (SPEC §2.5).
    #[cfg(any(test, feature = "simulator"))]
    #[allow(dead_code)] // used by the simulator's apihk handlers and the KATs only
    pub(crate) fn decrypt_pkcs1v15<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.0
            .pkcs1v15_decrypt_with_rng(rng, ciphertext)
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Decrypt)
    }
}

/// An RSA public key, parsed once.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct RsaPublicKey(rsa::PublicKey);

impl RsaPublicKey {
    pub(crate) fn from_spki_der(der: &[u8]) -> Result<Self, CryptoError> {
        rsa::PublicKey::from_public_key_der(der)
            .map(Self)
            .map_err(|_| CryptoError::KeyDecode)
    }
    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<Self, CryptoError> {
        rsa::PublicKey::from_pkcs1_der(der)
            .map(Self)
            .map_err(|_| CryptoError::KeyDecode)
    }
    /// Exact bit length of the modulus.
    pub(crate) fn modulus_bits(&self) -> usize {
        self.0.n().bit_width() as usize
    }
    /// Modulus length in bytes (= signature and ciphertext length).
    pub(crate) fn modulus_len(&self) -> usize {
        self.0.size()
    }
    /// Verify RSASSA-PKCS1-v1_5/SHA-256 over the concatenation of `parts`.
    pub(crate) fn verify_sha256(&self, parts: &[&[u8]], signature: &[u8]) -> bool {
        let mut h = sha2::Sha256::new();
        for p in parts {
            h.update(p);
        }
        let digest = h.finalize();
        self.0
            .pkcs1v15_verify_prehash::<sha2::Sha256>(&digest, signature)
            .is_ok()
    }
    pub(crate) fn encrypt_oaep_sha1<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        if plaintext.len() + 42 > self.modulus_len() {
            return Err(CryptoError::MessageTooLong);
        }
        self.0
            .oaep_encrypt_with_rng::<sha1::Sha1, _>(rng, plaintext)
            .map_err(|_| CryptoError::Rng)
    }
    pub(crate) fn encrypt_pkcs1v15<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        if plaintext.len() + 11 > self.modulus_len() {
            return Err(CryptoError::MessageTooLong);
        }
        self.0
            .pkcs1v15_encrypt_with_rng(rng, plaintext)
            .map_err(|_| CryptoError::Rng)
    }
    /// SubjectPublicKeyInfo DER of this key.
    pub(crate) fn to_spki_der(&self) -> Result<Vec<u8>, CryptoError> {
        use rsa::pkcs8::EncodePublicKey;
        self.0
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .map_err(|_| CryptoError::KeyInvalid)
    }
}

/// AES-256-GCM decryption of `ciphertext ‖ 16-byte tag` with a 12-byte nonce.
pub(crate) fn aes256gcm_decrypt(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    ciphertext_and_tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if ciphertext_and_tag.len() < 16 {
        return Err(CryptoError::Decrypt);
    }
    let cipher = Aes256Gcm::new(&(*key).into());
    let nonce = Nonce::from(*nonce);
    cipher
        .decrypt(
            &nonce,
            Payload {
                msg: ciphertext_and_tag,
                aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Decrypt)
}

/// AES-256-GCM encryption (tests and the simulator only): returns `ciphertext ‖ tag`.
#[cfg(any(test, feature = "simulator"))]
pub(crate) fn aes256gcm_encrypt(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let cipher = Aes256Gcm::new(&(*key).into());
    let nonce = Nonce::from(*nonce);
    cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| CryptoError::Decrypt)
}
