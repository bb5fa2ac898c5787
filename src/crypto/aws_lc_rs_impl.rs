//! The `aws-lc-rs` backend: RSA, SHA-256, HMAC-SHA256 and AES-256-GCM from AWS-LC (C, through
//! `aws-lc-rs`). MD5 stays on `md-5` (AWS-LC's MD5 is not exposed by `aws-lc-rs`, and MD5 here is
//! only the v2 "MD5" sign type, not a security primitive).
//!
//! **Randomness.** AWS-LC draws every random byte (RSA blinding, OAEP seeds, PKCS#1 v1.5 padding)
//! from its own DRBG, seeded from the operating system. The caller's RNG argument is accepted so
//! that the seam's signatures are identical across backends, but it is **not consulted** under
//! this backend: a seeded test RNG does not make encryption reproducible here.
//!
//! Keys are parsed once, at construction: the structs hold parsed AWS-LC keys (`EVP_PKEY`s behind
//! `Arc`), so signing, verifying and encrypting never touch DER again.

use super::{Backend, CryptoError, Mac, RsaPrivate, RsaPublic};
use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::digest;
use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::hmac;
use aws_lc_rs::rsa::{
    KeyPair, OAEP_SHA1_MGF1SHA1, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
    PrivateDecryptingKey, PublicEncryptingKey,
};
use aws_lc_rs::signature::{
    KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
};
use rand_core::TryCryptoRng;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The AWS-LC backend.
pub(crate) struct AwsLc;

impl Backend for AwsLc {
    const NAME: &'static str = "aws-lc-rs";
    const USES_CALLER_RNG: bool = false;
    type HmacSha256 = HmacSha256;
    type RsaPrivateKey = RsaPrivateKey;
    type RsaPublicKey = RsaPublicKey;

    fn sha256(data: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        // A SHA-256 digest is always 32 bytes.
        out.copy_from_slice(sha256(&[data]).as_ref());
        out
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
        let key = gcm_key(key)?;
        let mut buf = Zeroizing::new(ciphertext_and_tag.to_vec());
        let len = key
            .open_in_place(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                &mut buf,
            )
            .map_err(|_| CryptoError::Decrypt)?
            .len();
        buf.truncate(len);
        Ok(buf)
    }

    #[cfg(any(test, feature = "simulator"))]
    fn aes256gcm_encrypt(
        key: &[u8; 32],
        nonce: &[u8; 12],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let key = gcm_key(key)?;
        let mut buf = plaintext.to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(*nonce),
            Aad::from(aad),
            &mut buf,
        )
        .map_err(|_| CryptoError::Encrypt)?;
        Ok(buf)
    }
}

/// Streaming HMAC-SHA256.
pub(crate) struct HmacSha256(hmac::Context);

impl Mac for HmacSha256 {
    fn new(key: &[u8]) -> Self {
        Self(hmac::Context::with_key(&hmac::Key::new(
            hmac::HMAC_SHA256,
            key,
        )))
    }
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    fn finalize(self) -> [u8; 32] {
        let tag = self.0.sign();
        let mut out = [0u8; 32];
        // HMAC-SHA256 tags are always 32 bytes.
        out.copy_from_slice(tag.as_ref());
        out
    }
}

fn sha256(parts: &[&[u8]]) -> digest::Digest {
    let mut h = digest::Context::new(&digest::SHA256);
    for p in parts {
        h.update(p);
    }
    h.finish()
}

/// The modulus size of a key AWS-LC refused because of its size (it accepts 2048–8192 bits).
///
/// The seam reports key size through `modulus_bits` so that `keys` can say "1024 bits, expected
/// 2048" instead of "bad DER"; AWS-LC only says "TooSmall"/"TooLarge". For those keys alone the
/// size is read with the pure-Rust `rsa` parser and a size-only key (no usable key material) is
/// returned, which `keys` then refuses.
fn refused_size(
    e: &aws_lc_rs::error::KeyRejected,
    measure: impl FnOnce() -> Option<usize>,
) -> Result<usize, CryptoError> {
    match e.description_() {
        "TooSmall" | "TooLarge" => measure().ok_or(CryptoError::KeyDecode),
        _ => Err(CryptoError::KeyDecode),
    }
}

/// An RSA private key, parsed once: the signing key pair, the OAEP decryption key and the
/// matching public key (all sharing AWS-LC's parsed representation).
///
/// `inner` is `None` only for a key AWS-LC refused for its size (see [`refused_size`]); every
/// operation on such a key fails, and `keys` never lets one out.
#[derive(Clone)]
pub(crate) struct RsaPrivateKey {
    bits: usize,
    inner: Option<Arc<PrivateInner>>,
}

struct PrivateInner {
    sign: KeyPair,
    decrypt: PrivateDecryptingKey,
    public: RsaPublicKey,
}

impl RsaPrivateKey {
    fn assemble(sign: KeyPair, decrypt: PrivateDecryptingKey) -> Result<Self, CryptoError> {
        let spki: PublicKeyX509Der<'static> = sign
            .public_key()
            .as_der()
            .map_err(|_| CryptoError::KeyInvalid)?;
        let public = RsaPublicKey::from_spki_der(spki.as_ref())?;
        Ok(Self {
            bits: public.modulus_bits(),
            inner: Some(Arc::new(PrivateInner {
                sign,
                decrypt,
                public,
            })),
        })
    }
    fn inner(&self) -> Result<&PrivateInner, CryptoError> {
        self.inner.as_deref().ok_or(CryptoError::KeyInvalid)
    }
}

impl RsaPrivate for RsaPrivateKey {
    type Public = RsaPublicKey;

    fn from_pkcs8_der(der: &[u8]) -> Result<Self, CryptoError> {
        let sign = match KeyPair::from_pkcs8(der) {
            Ok(k) => k,
            Err(e) => {
                use rsa::pkcs8::DecodePrivateKey;
                use rsa::traits::PublicKeyParts;
                let bits = refused_size(&e, || {
                    rsa::PrivateKey::from_pkcs8_der(der)
                        .ok()
                        .map(|k| k.n().bit_width() as usize)
                })?;
                return Ok(Self { bits, inner: None });
            }
        };
        let decrypt = PrivateDecryptingKey::from_pkcs8(der).map_err(|_| CryptoError::KeyDecode)?;
        Self::assemble(sign, decrypt)
    }
    fn from_pkcs1_der(der: &[u8]) -> Result<Self, CryptoError> {
        let sign = match KeyPair::from_der(der) {
            Ok(k) => k,
            Err(e) => {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                use rsa::traits::PublicKeyParts;
                let bits = refused_size(&e, || {
                    rsa::PrivateKey::from_pkcs1_der(der)
                        .ok()
                        .map(|k| k.n().bit_width() as usize)
                })?;
                return Ok(Self { bits, inner: None });
            }
        };
        // `PrivateDecryptingKey` only reads PKCS#8: re-wrap the parsed key once (AWS-LC does the
        // encoding; the intermediate DER is zeroized).
        let pkcs8: Pkcs8V1Der<'static> = sign.as_der().map_err(|_| CryptoError::KeyInvalid)?;
        let pkcs8 = Zeroizing::new(pkcs8.as_ref().to_vec());
        let decrypt =
            PrivateDecryptingKey::from_pkcs8(&pkcs8).map_err(|_| CryptoError::KeyInvalid)?;
        Self::assemble(sign, decrypt)
    }
    fn modulus_bits(&self) -> usize {
        self.bits
    }
    fn public_key(&self) -> RsaPublicKey {
        match &self.inner {
            Some(inner) => inner.public.clone(),
            None => RsaPublicKey {
                bits: self.bits,
                spki: Box::default(),
                inner: None,
            },
        }
    }
    /// RSASSA-PKCS1-v1_5 with SHA-256 over the concatenation of `parts`, streamed into the
    /// hash (the message is never assembled). `rng` is not consulted (AWS-LC blinds with its own
    /// DRBG).
    fn sign_sha256<R: TryCryptoRng + ?Sized>(
        &self,
        _rng: &mut R,
        parts: &[&[u8]],
    ) -> Result<Vec<u8>, CryptoError> {
        let inner = self.inner().map_err(|_| CryptoError::Sign)?;
        let digest = sha256(parts);
        let mut sig = vec![0u8; inner.sign.public_modulus_len()];
        inner
            .sign
            .sign_digest(&RSA_PKCS1_SHA256, &digest, &mut sig)
            .map_err(|_| CryptoError::Sign)?;
        Ok(sig)
    }
    /// RSAES-OAEP (SHA-1, MGF1-SHA-1, empty label) decryption. `rng` is not consulted.
    fn decrypt_oaep_sha1<R: TryCryptoRng + ?Sized>(
        &self,
        _rng: &mut R,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let inner = self.inner().map_err(|_| CryptoError::Decrypt)?;
        let key = OaepPrivateDecryptingKey::new(inner.decrypt.clone())
            .map_err(|_| CryptoError::Decrypt)?;
        let mut out = Zeroizing::new(vec![0u8; key.min_output_size()]);
        let len = key
            .decrypt(&OAEP_SHA1_MGF1SHA1, ciphertext, &mut out, None)
            .map_err(|_| CryptoError::Decrypt)?
            .len();
        out.truncate(len);
        Ok(out)
    }
    /// RSAES-PKCS1-v1_5 decryption: only for the simulator, which plays WeChat Pay's side.
    /// Unlike the RustCrypto backend (implicit rejection: garbage out), AWS-LC reports a padding
    /// failure as an error; neither outcome is observable by a network peer here.
    #[cfg(any(test, feature = "simulator"))]
    fn decrypt_pkcs1v15<R: TryCryptoRng + ?Sized>(
        &self,
        _rng: &mut R,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let inner = self.inner().map_err(|_| CryptoError::Decrypt)?;
        let key = aws_lc_rs::rsa::Pkcs1PrivateDecryptingKey::new(inner.decrypt.clone())
            .map_err(|_| CryptoError::Decrypt)?;
        let mut out = Zeroizing::new(vec![0u8; key.min_output_size()]);
        let len = key
            .decrypt(ciphertext, &mut out)
            .map_err(|_| CryptoError::Decrypt)?
            .len();
        out.truncate(len);
        Ok(out)
    }
}

/// An RSA public key, parsed once: the verification key and the OAEP and PKCS#1 v1.5
/// encryption keys, plus its SubjectPublicKeyInfo DER (for equality and export).
///
/// `inner` is `None` only for a key AWS-LC refused for its size (see [`refused_size`]).
#[derive(Clone)]
pub(crate) struct RsaPublicKey {
    bits: usize,
    spki: Box<[u8]>,
    inner: Option<Arc<PublicInner>>,
}

struct PublicInner {
    verify: ParsedPublicKey,
    oaep: OaepPublicEncryptingKey,
    pkcs1: aws_lc_rs::rsa::Pkcs1PublicEncryptingKey,
}

impl PartialEq for RsaPublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.bits == other.bits && self.spki == other.spki
    }
}
impl Eq for RsaPublicKey {}

impl RsaPublicKey {
    fn size_only(bits: usize, der: &[u8]) -> Self {
        Self {
            bits,
            spki: der.into(),
            inner: None,
        }
    }
    fn assemble(enc: PublicEncryptingKey) -> Result<Self, CryptoError> {
        let spki: PublicKeyX509Der<'static> = enc.as_der().map_err(|_| CryptoError::KeyInvalid)?;
        let verify = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, spki.as_ref())
            .map_err(|_| CryptoError::KeyInvalid)?;
        let bits = enc.key_size_bits();
        let oaep =
            OaepPublicEncryptingKey::new(enc.clone()).map_err(|_| CryptoError::KeyInvalid)?;
        let pkcs1 = aws_lc_rs::rsa::Pkcs1PublicEncryptingKey::new(enc)
            .map_err(|_| CryptoError::KeyInvalid)?;
        Ok(Self {
            bits,
            spki: spki.as_ref().into(),
            inner: Some(Arc::new(PublicInner {
                verify,
                oaep,
                pkcs1,
            })),
        })
    }
    fn inner(&self) -> Result<&PublicInner, CryptoError> {
        self.inner.as_deref().ok_or(CryptoError::KeyInvalid)
    }
}

impl RsaPublic for RsaPublicKey {
    fn from_spki_der(der: &[u8]) -> Result<Self, CryptoError> {
        // `PublicEncryptingKey::from_der` reads SubjectPublicKeyInfo only (strict, like the
        // RustCrypto backend).
        match PublicEncryptingKey::from_der(der) {
            Ok(enc) => Self::assemble(enc),
            Err(e) => {
                use rsa::pkcs8::DecodePublicKey;
                use rsa::traits::PublicKeyParts;
                let bits = refused_size(&e, || {
                    rsa::PublicKey::from_public_key_der(der)
                        .ok()
                        .map(|k| k.n().bit_width() as usize)
                })?;
                Ok(Self::size_only(bits, der))
            }
        }
    }
    fn from_pkcs1_der(der: &[u8]) -> Result<Self, CryptoError> {
        // `ParsedPublicKey` accepts PKCS#1 `RSAPublicKey` *or* SPKI: refuse SPKI here so each
        // constructor reads exactly one format, as in the RustCrypto backend.
        if PublicEncryptingKey::from_der(der).is_ok() {
            return Err(CryptoError::KeyDecode);
        }
        match ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der) {
            Ok(parsed) => {
                let spki: PublicKeyX509Der<'static> =
                    parsed.as_der().map_err(|_| CryptoError::KeyInvalid)?;
                let enc = PublicEncryptingKey::from_der(spki.as_ref())
                    .map_err(|_| CryptoError::KeyInvalid)?;
                Self::assemble(enc)
            }
            Err(e) => {
                use rsa::pkcs1::DecodeRsaPublicKey;
                use rsa::traits::PublicKeyParts;
                let bits = refused_size(&e, || {
                    rsa::PublicKey::from_pkcs1_der(der)
                        .ok()
                        .map(|k| k.n().bit_width() as usize)
                })?;
                Ok(Self::size_only(bits, der))
            }
        }
    }
    fn modulus_bits(&self) -> usize {
        self.bits
    }
    /// Verify RSASSA-PKCS1-v1_5/SHA-256 over the concatenation of `parts`.
    fn verify_sha256(&self, parts: &[&[u8]], signature: &[u8]) -> bool {
        let Ok(inner) = self.inner() else {
            return false;
        };
        let digest = sha256(parts);
        inner.verify.verify_digest_sig(&digest, signature).is_ok()
    }
    /// RSAES-OAEP (SHA-1, MGF1-SHA-1, empty label). `rng` is not consulted (AWS-LC DRBG).
    fn encrypt_oaep_sha1<R: TryCryptoRng + ?Sized>(
        &self,
        _rng: &mut R,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        if plaintext.len() + 42 > self.modulus_len() {
            return Err(CryptoError::MessageTooLong);
        }
        let inner = self.inner()?;
        let mut out = vec![0u8; inner.oaep.ciphertext_size()];
        let len = inner
            .oaep
            .encrypt(&OAEP_SHA1_MGF1SHA1, plaintext, &mut out, None)
            .map_err(|_| CryptoError::KeyInvalid)?
            .len();
        out.truncate(len);
        Ok(out)
    }
    /// RSAES-PKCS1-v1_5. `rng` is not consulted (AWS-LC DRBG).
    fn encrypt_pkcs1v15<R: TryCryptoRng + ?Sized>(
        &self,
        _rng: &mut R,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        if plaintext.len() + 11 > self.modulus_len() {
            return Err(CryptoError::MessageTooLong);
        }
        let inner = self.inner()?;
        let mut out = vec![0u8; inner.pkcs1.ciphertext_size()];
        let len = inner
            .pkcs1
            .encrypt(plaintext, &mut out)
            .map_err(|_| CryptoError::KeyInvalid)?
            .len();
        out.truncate(len);
        Ok(out)
    }
    /// SubjectPublicKeyInfo DER of this key (encoded once by AWS-LC at parse time).
    fn to_spki_der(&self) -> Result<Vec<u8>, CryptoError> {
        if self.inner.is_none() {
            return Err(CryptoError::KeyInvalid);
        }
        Ok(self.spki.to_vec())
    }
}

fn gcm_key(key: &[u8; 32]) -> Result<LessSafeKey, CryptoError> {
    UnboundKey::new(&AES_256_GCM, key)
        .map(LessSafeKey::new)
        .map_err(|_| CryptoError::KeyInvalid)
}
