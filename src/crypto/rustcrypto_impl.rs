//! The default backend: pure-Rust RustCrypto crates (`rsa` 0.10, `sha2`, `hmac`, `aes-gcm`).
//! Nothing here reads the OS RNG: every randomised operation draws from the caller's RNG.

use super::{Backend, CryptoError, Mac, RsaPrivate, RsaPublic};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::Mac as _;
use rand_core::TryCryptoRng;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::traits::PublicKeyParts;
use sha2::Digest as _;
use zeroize::Zeroizing;

/// The RustCrypto backend.
pub(crate) struct RustCrypto;

impl Backend for RustCrypto {
    const NAME: &'static str = "rustcrypto";
    const USES_CALLER_RNG: bool = true;
    type HmacSha256 = HmacSha256;
    type RsaPrivateKey = RsaPrivateKey;
    type RsaPublicKey = RsaPublicKey;

    fn sha256(data: &[u8]) -> [u8; 32] {
        use sha2::Digest as _;
        sha2::Sha256::digest(data).into()
    }

    fn aes256gcm_decrypt(
        key: &[u8; 32],
        nonce: &[u8; 12],
        aad: &[u8],
        ciphertext_and_tag: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        if ciphertext_and_tag.len() < 16 {
            return Err(CryptoError::Decrypt);
        }
        let cipher = Aes256Gcm::new(&(*key).into());
        cipher
            .decrypt(
                &Nonce::from(*nonce),
                Payload {
                    msg: ciphertext_and_tag,
                    aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Decrypt)
    }

    #[cfg(any(test, feature = "simulator"))]
    fn aes256gcm_encrypt(
        key: &[u8; 32],
        nonce: &[u8; 12],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let cipher = Aes256Gcm::new(&(*key).into());
        cipher
            .encrypt(
                &Nonce::from(*nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| CryptoError::Encrypt)
    }
}

/// Streaming HMAC-SHA256.
pub(crate) struct HmacSha256(hmac::Hmac<sha2::Sha256>);

impl Mac for HmacSha256 {
    fn new(key: &[u8]) -> Self {
        // HMAC accepts keys of any length; `new_from_slice` cannot fail for Hmac.
        match <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key) {
            Ok(mac) => Self(mac),
            Err(_) => unreachable!("HMAC accepts any key length"),
        }
    }
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    fn finalize(self) -> [u8; 32] {
        self.0.finalize().into_bytes().into()
    }
}

/// An RSA private key, parsed once.
#[derive(Clone)]
pub(crate) struct RsaPrivateKey(rsa::PrivateKey);

impl RsaPrivate for RsaPrivateKey {
    type Public = RsaPublicKey;

    fn from_pkcs8_der(der: &[u8]) -> Result<Self, CryptoError> {
        rsa::PrivateKey::from_pkcs8_der(der)
            .map(Self)
            .map_err(|_| CryptoError::KeyDecode)
    }
    fn from_pkcs1_der(der: &[u8]) -> Result<Self, CryptoError> {
        rsa::PrivateKey::from_pkcs1_der(der)
            .map(Self)
            .map_err(|_| CryptoError::KeyDecode)
    }
    fn modulus_bits(&self) -> usize {
        self.0.n().bit_width() as usize
    }
    fn public_key(&self) -> RsaPublicKey {
        RsaPublicKey(self.0.to_public_key())
    }
    fn sign_sha256<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        parts: &[&[u8]],
    ) -> Result<Vec<u8>, CryptoError> {
        let mut h = sha2::Sha256::new();
        for p in parts {
            h.update(p);
        }
        let digest = h.finalize();
        // The RNG blinds the private-key operation; a failing RNG is the only failure left
        // once the key parsed (the digest length is fixed).
        self.0
            .pkcs1v15_sign_prehash_with_rng::<sha2::Sha256, _>(rng, &digest)
            .map_err(|_| CryptoError::Rng)
    }
    fn decrypt_oaep_sha1<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.0
            .oaep_decrypt_with_rng::<sha1::Sha1, _>(rng, ciphertext)
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Decrypt)
    }
    /// Implicit rejection: a wrong key yields garbage, not an error.
    #[cfg(any(test, feature = "simulator"))]
    fn decrypt_pkcs1v15<R: TryCryptoRng + ?Sized>(
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

impl RsaPublic for RsaPublicKey {
    fn from_spki_der(der: &[u8]) -> Result<Self, CryptoError> {
        rsa::PublicKey::from_public_key_der(der)
            .map(Self)
            .map_err(|_| CryptoError::KeyDecode)
    }
    fn from_pkcs1_der(der: &[u8]) -> Result<Self, CryptoError> {
        rsa::PublicKey::from_pkcs1_der(der)
            .map(Self)
            .map_err(|_| CryptoError::KeyDecode)
    }
    fn modulus_bits(&self) -> usize {
        self.0.n().bit_width() as usize
    }
    fn verify_sha256(&self, parts: &[&[u8]], signature: &[u8]) -> bool {
        let mut h = sha2::Sha256::new();
        for p in parts {
            h.update(p);
        }
        let digest = h.finalize();
        self.0
            .pkcs1v15_verify_prehash::<sha2::Sha256>(&digest, signature)
            .is_ok()
    }
    fn encrypt_oaep_sha1<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        if plaintext.len() + 42 > self.modulus_len() {
            return Err(CryptoError::MessageTooLong);
        }
        // The length is checked above: what remains is the RNG drawing the OAEP seed.
        self.0
            .oaep_encrypt_with_rng::<sha1::Sha1, _>(rng, plaintext)
            .map_err(|_| CryptoError::Rng)
    }
    fn encrypt_pkcs1v15<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        if plaintext.len() + 11 > self.modulus_len() {
            return Err(CryptoError::MessageTooLong);
        }
        // The length is checked above: what remains is the RNG drawing the padding.
        self.0
            .pkcs1v15_encrypt_with_rng(rng, plaintext)
            .map_err(|_| CryptoError::Rng)
    }
    fn to_spki_der(&self) -> Result<Vec<u8>, CryptoError> {
        use rsa::pkcs8::EncodePublicKey;
        self.0
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .map_err(|_| CryptoError::KeyInvalid)
    }
}
