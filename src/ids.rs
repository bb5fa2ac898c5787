//! Small validated identifiers that end up in headers, URLs or sign strings: merchant ids and
//! nonces. Validation keeps CR, LF, quotes and other control characters out of every header.
//!
//! ```
//! use wechatpay_sansio::ids::{MchId, Nonce};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let mchid = MchId::new("1900000109")?;
//! assert!(MchId::new("1900000109\r\nX-Injected: 1").is_err());
//! let nonce = Nonce::generate(&mut rng)?;                 // 32 base62 characters
//! assert_eq!(nonce.as_str().len(), 32);
//! assert!(Nonce::new("has space").is_err());
//! # let _ = mchid;
//! # Ok::<(), wechatpay_sansio::ids::IdError>(())
//! ```

use crate::error::{Classify, Disposition};
use crate::validate::{self, FieldError};
use core::fmt;
use rand_core::TryCryptoRng;

/// Why an identifier was refused. Messages name the field, never echo the value.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Empty, too long, or a character outside the allowed set.
    #[error(transparent)]
    Invalid(#[from] FieldError),
    /// The random number generator failed.
    #[error("the random number generator failed")]
    Rng,
}

impl Classify for IdError {
    /// An invalid id is [`Disposition::Misconfigured`] (ids come from the merchant's setup); a
    /// failing RNG is [`Disposition::Transient`].
    fn disposition(&self) -> Disposition {
        match self {
            Self::Invalid(_) => Disposition::Misconfigured,
            Self::Rng => Disposition::Transient,
        }
    }
}

/// A merchant id (`mchid` / `mch_id`): 1–32 ASCII digits.
///
/// ```
/// use wechatpay_sansio::ids::MchId;
/// assert_eq!(MchId::new("1900000109")?.as_str(), "1900000109");
/// assert!(MchId::new("19000\r\n").is_err());
/// # Ok::<(), wechatpay_sansio::ids::IdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MchId(String);

impl MchId {
    /// Validate and wrap.
    ///
    /// # Errors
    /// [`IdError::Invalid`].
    pub fn new(s: impl Into<String>) -> Result<Self, IdError> {
        let s = s.into();
        validate::length("mchid", &s, 1, 32)?;
        validate::charset("mchid", &s, "ASCII digits", |c| c.is_ascii_digit())?;
        Ok(Self(s))
    }
    /// The id.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A request nonce (`nonce_str`): 1–32 characters of `[0-9A-Za-z]`.
///
/// WeChat Pay limits v2 `nonce_str` to 32 characters; the same alphabet and length serve v3.
/// [`Nonce::generate`] draws 32 base62 characters from the caller's RNG (rejection sampling, so
/// no modulo bias).
///
/// ```
/// use wechatpay_sansio::ids::Nonce;
/// let n = Nonce::new("ibuaiVcKdpRxkhJA")?;
/// assert_eq!(n.as_str(), "ibuaiVcKdpRxkhJA");
/// assert!(Nonce::new("has space").is_err());
/// # Ok::<(), wechatpay_sansio::ids::IdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nonce(String);

impl Nonce {
    /// Validate and wrap.
    ///
    /// # Errors
    /// [`IdError::Invalid`].
    pub fn new(s: impl Into<String>) -> Result<Self, IdError> {
        let s = s.into();
        validate::length("nonce", &s, 1, 32)?;
        validate::charset("nonce", &s, "[0-9A-Za-z]", |c| c.is_ascii_alphanumeric())?;
        Ok(Self(s))
    }

    /// Draw 32 random base62 characters from `rng` (always the caller's RNG, under every
    /// cryptography backend, `aws-lc-rs` included: a nonce involves no RSA operation).
    ///
    /// # Errors
    /// [`IdError::Rng`] if the RNG fails.
    pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, IdError> {
        let mut out = String::with_capacity(32);
        let mut buf = [0u8; 64];
        while out.len() < 32 {
            rng.try_fill_bytes(&mut buf).map_err(|_| IdError::Rng)?;
            for b in buf {
                // 248 = 4 * 62: accept only bytes below it so every symbol is equally likely.
                if b < 248 && out.len() < 32 {
                    out.push(char::from(BASE62[usize::from(b % 62)]));
                }
            }
        }
        Ok(Self(out))
    }

    /// The nonce.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn generated_nonce_is_valid() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let n = Nonce::generate(&mut rng).unwrap();
        assert_eq!(n.as_str().len(), 32);
        assert!(Nonce::new(n.as_str()).is_ok());
        assert_ne!(n, Nonce::generate(&mut rng).unwrap());
    }

    #[test]
    fn errors() {
        let invalid = |r: Result<Nonce, IdError>| match r {
            Err(IdError::Invalid(e)) => e,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            invalid(Nonce::new("")),
            FieldError::Missing { field: "nonce" }
        );
        assert!(matches!(
            invalid(Nonce::new("a".repeat(33))),
            FieldError::Length { len: 33, .. }
        ));
        assert!(matches!(
            invalid(Nonce::new("a\nb")),
            FieldError::Charset { .. }
        ));
        assert!(matches!(
            MchId::new("12a"),
            Err(IdError::Invalid(FieldError::Charset { .. }))
        ));
        assert!(matches!(
            MchId::new(""),
            Err(IdError::Invalid(FieldError::Missing { .. }))
        ));
        assert_eq!(MchId::new("1").unwrap().to_string(), "1");
        assert_eq!(Nonce::new("x").unwrap().to_string(), "x");
    }

    struct FailingRng;
    impl rand_core::TryRng for FailingRng {
        type Error = core::fmt::Error;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Err(core::fmt::Error)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Err(core::fmt::Error)
        }
        fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Self::Error> {
            Err(core::fmt::Error)
        }
    }
    impl rand_core::TryCryptoRng for FailingRng {}

    #[test]
    fn rng_failure_is_reported() {
        assert_eq!(Nonce::generate(&mut FailingRng), Err(IdError::Rng));
        assert_eq!(IdError::Rng.disposition(), Disposition::Transient);
        assert_eq!(
            MchId::new("x").unwrap_err().disposition(),
            Disposition::Misconfigured
        );
    }
}
