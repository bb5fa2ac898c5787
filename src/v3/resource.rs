//! AES-256-GCM encrypted resources (notifications, certificate downloads; official rules:
//! <https://pay.weixin.qq.com/doc/v3/merchant/4012071382>).

use crate::crypto;
use crate::error::{Classify, Disposition};
use crate::secret::ApiV3Key;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The only algorithm this crate decrypts.
pub const AEAD_AES_256_GCM: &str = "AEAD_AES_256_GCM";

/// An encrypted resource object as WeChat Pay sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedResource {
    /// `AEAD_AES_256_GCM` (or `AEAD_SM4_GCM` in the SM scheme, not supported).
    pub algorithm: String,
    /// base64 of `ciphertext ‖ 16-byte tag`.
    pub ciphertext: String,
    /// Associated data; may be absent or empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associated_data: Option<String>,
    /// The 12-character nonce.
    pub nonce: String,
    /// Type of the plaintext object (`transaction`, `certificate`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_type: Option<String>,
}

/// Why a resource could not be decrypted.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceError {
    /// An algorithm other than `AEAD_AES_256_GCM`.
    #[error("unsupported resource algorithm {0:?} (only AEAD_AES_256_GCM)")]
    UnsupportedAlgorithm(String),
    /// The nonce is not 12 bytes.
    #[error("resource nonce must be 12 bytes, got {0}")]
    NonceLength(usize),
    /// The ciphertext is not base64.
    #[error("resource ciphertext is not valid base64")]
    Base64,
    /// Authentication failed.
    #[error(
        "AES-GCM authentication failed: the APIv3 key is probably wrong (or nonce, associated data or ciphertext altered)"
    )]
    TagMismatch,
}

impl Classify for ResourceError {
    /// A tag mismatch on a resource whose envelope verified almost always means a wrong APIv3
    /// key: [`Disposition::Misconfigured`]; an unsupported algorithm likewise (the SM scheme
    /// must be configured elsewhere); a malformed resource [`Disposition::Untrusted`].
    fn disposition(&self) -> Disposition {
        match self {
            Self::TagMismatch | Self::UnsupportedAlgorithm(_) => Disposition::Misconfigured,
            Self::NonceLength(_) | Self::Base64 => Disposition::Untrusted,
        }
    }
}

/// Decrypt `ciphertext_b64` (ciphertext ‖ tag) with the APIv3 key.
///
/// ```
/// use wechatpay_sansio::{secret::ApiV3Key, v3::resource::decrypt};
/// // wechatpay-java AeadAesCipherTest
/// let key = ApiV3Key::new(b"a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb")?;
/// let pt = decrypt(&key, "uluk4a9R25RW", b"associatedData", "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=")?;
/// assert_eq!(&pt[..], b"message");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`ResourceError::NonceLength`], [`ResourceError::Base64`], [`ResourceError::TagMismatch`].
pub fn decrypt(
    key: &ApiV3Key,
    nonce: &str,
    associated_data: &[u8],
    ciphertext_b64: &str,
) -> Result<Zeroizing<Vec<u8>>, ResourceError> {
    let nonce: &[u8; 12] = nonce
        .as_bytes()
        .try_into()
        .map_err(|_| ResourceError::NonceLength(nonce.len()))?;
    let ct = STANDARD
        .decode(ciphertext_b64)
        .map_err(|_| ResourceError::Base64)?;
    crypto::aes256gcm_decrypt(key.expose_secret(), nonce, associated_data, &ct)
        .map_err(|_| ResourceError::TagMismatch)
}

impl EncryptedResource {
    /// Decrypt with the APIv3 key. Absent `associated_data` means empty associated data.
    ///
    /// # Errors
    /// [`ResourceError`].
    pub fn decrypt(&self, key: &ApiV3Key) -> Result<Zeroizing<Vec<u8>>, ResourceError> {
        if self.algorithm != AEAD_AES_256_GCM {
            return Err(ResourceError::UnsupportedAlgorithm(
                self.algorithm.chars().take(32).collect(),
            ));
        }
        let aad = self.associated_data.as_deref().unwrap_or("");
        decrypt(key, &self.nonce, aad.as_bytes(), &self.ciphertext)
    }

    /// Encrypt `plaintext` into a resource (simulator and tests: WeChat Pay's side).
    #[cfg(any(test, feature = "simulator"))]
    #[must_use]
    pub fn encrypt(
        key: &ApiV3Key,
        nonce: &str,
        associated_data: &str,
        original_type: &str,
        plaintext: &[u8],
    ) -> Option<Self> {
        let n: &[u8; 12] = nonce.as_bytes().try_into().ok()?;
        let ct = crypto::aes256gcm_encrypt(
            key.expose_secret(),
            n,
            associated_data.as_bytes(),
            plaintext,
        )
        .ok()?;
        Some(Self {
            algorithm: AEAD_AES_256_GCM.to_owned(),
            ciphertext: STANDARD.encode(ct),
            associated_data: Some(associated_data.to_owned()),
            nonce: nonce.to_owned(),
            original_type: Some(original_type.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ApiV3Key {
        ApiV3Key::new(b"a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").unwrap()
    }

    #[test]
    fn errors() {
        assert_eq!(
            decrypt(&key(), "short", b"", "AA==").unwrap_err(),
            ResourceError::NonceLength(5)
        );
        assert_eq!(
            decrypt(&key(), "uluk4a9R25RW", b"", "!!").unwrap_err(),
            ResourceError::Base64
        );
        assert_eq!(
            decrypt(
                &key(),
                "uluk4a9R25RW",
                b"associatedData",
                "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwA="
            )
            .unwrap_err(),
            ResourceError::TagMismatch
        );
        let wrong = ApiV3Key::new(b"b7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").unwrap();
        let e = decrypt(
            &wrong,
            "uluk4a9R25RW",
            b"associatedData",
            "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=",
        )
        .unwrap_err();
        assert!(e.to_string().contains("APIv3 key is probably wrong"));
        let mut r = EncryptedResource::encrypt(&key(), "uluk4a9R25RW", "", "x", b"hi").unwrap();
        r.associated_data = None;
        assert_eq!(&r.decrypt(&key()).unwrap()[..], b"hi");
        r.algorithm = "AEAD_SM4_GCM".into();
        assert_eq!(
            r.decrypt(&key()),
            Err(ResourceError::UnsupportedAlgorithm("AEAD_SM4_GCM".into()))
        );
    }
}
