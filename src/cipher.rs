//! RSA encryption of sensitive request fields, and OAEP decryption of down-link fields
//! (official rules: <https://pay.weixin.qq.com/doc/v3/merchant/4013053257>).
//!
//! | padding | used by | max plaintext (2048-bit) |
//! |---|---|---|
//! | [`Padding::Oaep`] — RSAES-OAEP, SHA-1, MGF1-SHA-1, empty label | v3 APIs, v2 `querymchrisk` | 214 bytes |
//! | [`Padding::Pkcs1v15`] — RSAES-PKCS1-v1_5 | HK/overseas `apihk` APIs (customs verify-certificate) | 245 bytes |
//!
//! PKCS#1 v1.5 is offered for **encryption only**: its decryption cannot tell a wrong key from a
//! right one without leaking (implicit rejection returns garbage), so nothing here decrypts it.
//!
//! ```
//! use wechatpay_sansio::{cipher::{encrypt, Padding}, keys::PublicKey, secret::Personal};
//! # use rand_core::SeedableRng;
//! let key = PublicKey::from_pem(wechatpay_sansio::simulator::pem::PLATFORM_PUBLIC_KEY)?; // TEST ONLY
//! # let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let ct = encrypt(&mut rng, &key, Padding::Oaep, Personal::new("张三").expose_secret().as_bytes())?;
//! assert_eq!(ct.len(), 344); // 256 bytes of ciphertext in base64
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::crypto::{CryptoError, RsaPrivate as _, RsaPublic as _};
use crate::error::{Classify, Disposition};
use crate::keys::{MerchantPrivateKey, PublicKey};
use crate::secret::Personal;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand_core::TryCryptoRng;
use zeroize::Zeroizing;

/// RSA encryption padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Padding {
    /// RSAES-OAEP with SHA-1 and MGF1-SHA-1, empty label (Java `RSA/ECB/OAEPWithSHA-1AndMGF1Padding`).
    Oaep,
    /// RSAES-PKCS1-v1_5 (Java `RSA/ECB/PKCS1Padding`), for the `apihk` APIs that require it.
    Pkcs1v15,
}

impl Padding {
    /// Overhead in bytes: 42 for OAEP-SHA1, 11 for PKCS#1 v1.5.
    #[must_use]
    pub const fn overhead(self) -> usize {
        match self {
            Self::Oaep => 42,
            Self::Pkcs1v15 => 11,
        }
    }
}

/// Why encryption or decryption failed. Never contains the plaintext.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CipherError {
    /// Empty plaintext: WeChat Pay expects an empty field to be sent empty, not encrypted.
    #[error("refusing to encrypt an empty value (send the field empty instead)")]
    Empty,
    /// Plaintext longer than the padding allows.
    #[error("plaintext of {len} bytes exceeds the {max}-byte limit of this key and padding")]
    TooLong {
        /// Plaintext length.
        len: usize,
        /// Maximum for the key and padding.
        max: usize,
    },
    /// The caller's RNG failed (RustCrypto backend: AWS-LC does not consult it).
    #[error("the random number generator failed")]
    Rng,
    /// The cryptography backend refused the key or failed.
    #[error("the cryptography backend failed to encrypt with this key")]
    Backend,
    /// The ciphertext is not base64.
    #[error("ciphertext is not valid base64")]
    Base64,
    /// The ciphertext has the wrong length for the key.
    #[error("ciphertext is {got} bytes; the key needs {expected}")]
    CiphertextLength {
        /// Modulus length.
        expected: usize,
        /// Decoded length.
        got: usize,
    },
    /// OAEP decryption failed (wrong key, or altered ciphertext).
    #[error("decryption failed: wrong private key or altered ciphertext")]
    Decrypt,
    /// The decrypted bytes are not UTF-8.
    #[error("decrypted field is not UTF-8")]
    NotUtf8,
}

impl Classify for CipherError {
    /// Input that cannot be encrypted (`Empty`, `TooLong`) is [`Disposition::Rejected`]; a failing
    /// RNG [`Disposition::Transient`]; a refused key [`Disposition::Misconfigured`]; a ciphertext
    /// that does not decrypt [`Disposition::Untrusted`].
    fn disposition(&self) -> Disposition {
        match self {
            Self::Empty | Self::TooLong { .. } => Disposition::Rejected,
            Self::Rng => Disposition::Transient,
            Self::Backend => Disposition::Misconfigured,
            Self::Base64 | Self::CiphertextLength { .. } | Self::Decrypt | Self::NotUtf8 => {
                Disposition::Untrusted
            }
        }
    }
}

fn encrypt_error(e: CryptoError, len: usize, max: usize) -> CipherError {
    match e {
        CryptoError::Rng => CipherError::Rng,
        CryptoError::MessageTooLong => CipherError::TooLong { len, max },
        _ => CipherError::Backend,
    }
}

/// Encrypt `plaintext` and return standard base64.
///
/// `rng` supplies the padding randomness under the default RustCrypto backend; under
/// `aws-lc-rs` it is **not consulted** (AWS-LC uses its own DRBG), so a seeded RNG does not make
/// the ciphertext reproducible there.
///
/// # Errors
/// [`CipherError::Empty`], [`CipherError::TooLong`], [`CipherError::Rng`],
/// [`CipherError::Backend`].
pub fn encrypt<R: TryCryptoRng + ?Sized>(
    rng: &mut R,
    key: &PublicKey,
    padding: Padding,
    plaintext: &[u8],
) -> Result<String, CipherError> {
    if plaintext.is_empty() {
        return Err(CipherError::Empty);
    }
    let max = key.0.modulus_len() - padding.overhead();
    if plaintext.len() > max {
        return Err(CipherError::TooLong {
            len: plaintext.len(),
            max,
        });
    }
    let ct = match padding {
        Padding::Oaep => key.0.encrypt_oaep_sha1(rng, plaintext),
        Padding::Pkcs1v15 => key.0.encrypt_pkcs1v15(rng, plaintext),
    }
    .map_err(|e| encrypt_error(e, plaintext.len(), max))?;
    Ok(STANDARD.encode(ct))
}

/// Encrypt a personal-data value. `rng` as in [`encrypt`] (not consulted under `aws-lc-rs`).
///
/// # Errors
/// As [`encrypt`].
pub fn encrypt_personal<R: TryCryptoRng + ?Sized>(
    rng: &mut R,
    key: &PublicKey,
    padding: Padding,
    value: &Personal,
) -> Result<String, CipherError> {
    encrypt(rng, key, padding, value.expose_secret().as_bytes())
}

/// Decrypt an OAEP-SHA1 base64 field with the merchant private key (down-link fields WeChat Pay
/// encrypts with the merchant certificate). `rng` blinds the RSA operation under RustCrypto; under
/// `aws-lc-rs` it is not consulted.
///
/// # Errors
/// [`CipherError::Base64`], [`CipherError::CiphertextLength`], [`CipherError::Decrypt`].
pub fn decrypt_oaep<R: TryCryptoRng + ?Sized>(
    rng: &mut R,
    key: &MerchantPrivateKey,
    ciphertext_b64: &str,
) -> Result<Zeroizing<Vec<u8>>, CipherError> {
    let ct = STANDARD
        .decode(ciphertext_b64)
        .map_err(|_| CipherError::Base64)?;
    let expected = key.0.public_key().modulus_len();
    if ct.len() != expected {
        return Err(CipherError::CiphertextLength {
            expected,
            got: ct.len(),
        });
    }
    key.0
        .decrypt_oaep_sha1(rng, &ct)
        .map_err(|_| CipherError::Decrypt)
}

/// [`decrypt_oaep`] into a [`Personal`] (names, ID numbers). `rng` as in [`decrypt_oaep`]: it
/// blinds the RSA operation under RustCrypto and is not consulted under `aws-lc-rs`.
///
/// # Errors
/// As [`decrypt_oaep`], plus [`CipherError::NotUtf8`].
pub fn decrypt_oaep_personal<R: TryCryptoRng + ?Sized>(
    rng: &mut R,
    key: &MerchantPrivateKey,
    ciphertext_b64: &str,
) -> Result<Personal, CipherError> {
    let pt = decrypt_oaep(rng, key, ciphertext_b64)?;
    core::str::from_utf8(&pt)
        .map(Personal::new)
        .map_err(|_| CipherError::NotUtf8)
}
