//! Secret material and personal data: zeroized on drop, never printed.
//!
//! Every type here prints as a fixed redaction marker in both `Debug` and `Display`, holds its
//! bytes in [`zeroize::Zeroizing`] storage, and is `Send + Sync`. The plaintext is reachable only
//! through a method named `expose_secret` (the one accessor name for every secret and every
//! piece of personal data in this crate).
//!
//! ```
//! use wechatpay_sansio::secret::{ApiV2Key, ApiV3Key, Personal};
//! let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
//! assert_eq!(format!("{key:?}"), "ApiV2Key(<redacted>)");
//! assert!(ApiV3Key::new("too short").is_err());
//! let name = Personal::new("张三");
//! assert_eq!(name.to_string(), "<redacted>");
//! assert_eq!(name.expose_secret(), "张三");          // only where the value is sent
//! # Ok::<(), wechatpay_sansio::secret::SecretError>(())
//! ```

use crate::error::{Classify, Disposition};
use core::fmt;
use zeroize::Zeroizing;

/// The marker every secret and personal-data type prints instead of its content.
pub const REDACTED: &str = "<redacted>";

/// Errors building a secret from user input. The messages never contain the input.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The APIv2 key is not 32 bytes long.
    #[error("the APIv2 key must be 32 bytes long, got {0} bytes")]
    ApiV2KeyLength(usize),
    /// The APIv2 key contains a character outside printable ASCII.
    #[error("the APIv2 key must be printable ASCII without spaces")]
    ApiV2KeyCharset,
    /// The APIv3 key is not exactly 32 bytes long.
    #[error("the APIv3 key must be exactly 32 bytes long, got {0} bytes")]
    ApiV3KeyLength(usize),
}

impl Classify for SecretError {
    /// [`Disposition::Misconfigured`]: a key of the merchant's setup is unusable.
    fn disposition(&self) -> Disposition {
        Disposition::Misconfigured
    }
}

/// The merchant's APIv2 key (the 32-byte "API 密钥" used for v2 MD5 / HMAC-SHA256 signatures).
///
/// ```
/// use wechatpay_sansio::secret::ApiV2Key;
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// assert_eq!(format!("{key:?}"), "ApiV2Key(<redacted>)");
/// assert!(ApiV2Key::new("short").is_err());
/// # Ok::<(), wechatpay_sansio::secret::SecretError>(())
/// ```
#[derive(Clone)]
pub struct ApiV2Key(Zeroizing<String>);

impl ApiV2Key {
    /// Wrap a key: exactly 32 bytes of printable ASCII (no spaces).
    ///
    /// # Errors
    /// [`SecretError::ApiV2KeyLength`] or [`SecretError::ApiV2KeyCharset`].
    pub fn new(key: impl Into<String>) -> Result<Self, SecretError> {
        let key = Zeroizing::new(key.into());
        if key.len() != 32 {
            return Err(SecretError::ApiV2KeyLength(key.len()));
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(SecretError::ApiV2KeyCharset);
        }
        Ok(Self(key))
    }

    /// The key bytes (for the signing code; do not log them).
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

/// The merchant's APIv3 key: exactly 32 bytes, the AES-256-GCM key of notification resources and
/// certificate downloads.
///
/// ```
/// use wechatpay_sansio::secret::ApiV3Key;
/// let key = ApiV3Key::new(b"a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb")?;
/// assert_eq!(format!("{key}"), "<redacted>");
/// assert!(ApiV3Key::new(b"testMchAPIv3Key0").is_err()); // 16 bytes: AES-128, not accepted
/// # Ok::<(), wechatpay_sansio::secret::SecretError>(())
/// ```
#[derive(Clone)]
pub struct ApiV3Key(Zeroizing<[u8; 32]>);

impl ApiV3Key {
    /// Wrap a 32-byte key.
    ///
    /// # Errors
    /// [`SecretError::ApiV3KeyLength`] when `key` is not exactly 32 bytes.
    pub fn new(key: impl AsRef<[u8]>) -> Result<Self, SecretError> {
        let key = key.as_ref();
        let bytes: [u8; 32] = key
            .try_into()
            .map_err(|_| SecretError::ApiV3KeyLength(key.len()))?;
        Ok(Self(Zeroizing::new(bytes)))
    }

    /// The key bytes (for the AES-GCM code; do not log them).
    #[must_use]
    pub fn expose_secret(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Personal data (a real name, an ID number): redacted in `Debug` and `Display`, zeroized on drop.
///
/// The plaintext is read only by the code that encrypts it or writes it into a request body.
///
/// ```
/// use wechatpay_sansio::secret::Personal;
/// let name = Personal::new("张三");
/// assert_eq!(format!("{name:?} {name}"), "Personal(<redacted>) <redacted>");
/// assert_eq!(name.expose_secret(), "张三");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Personal(Zeroizing<String>);

impl Personal {
    /// Wrap a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The plaintext. Named loudly on purpose: every call site is a place personal data leaves
    /// its wrapper.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Length in bytes (not secret for our protocols: ciphertexts reveal it anyway).
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl From<String> for Personal {
    fn from(s: String) -> Self {
        Self::new(s)
    }
}

impl From<&str> for Personal {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

/// The secret `key` WeChat Pay assigns together with `src` for the legacy `nameautheasy` API
/// (not the APIv2 key; its length is not documented). Redacted, zeroized on drop.
///
/// ```
/// use wechatpay_sansio::secret::NameAuthKey;
/// let k = NameAuthKey::new("secret")?;
/// assert_eq!(format!("{k:?}"), "NameAuthKey(<redacted>)");
/// assert!(NameAuthKey::new("").is_err());
/// assert!(NameAuthKey::new("has space").is_err());
/// # Ok::<(), wechatpay_sansio::error::FieldError>(())
/// ```
#[derive(Clone)]
pub struct NameAuthKey(Zeroizing<String>);

/// Longest `nameautheasy` key accepted (its length is not documented; this only refuses garbage).
pub const MAX_NAMEAUTH_KEY_LEN: usize = 256;

impl NameAuthKey {
    /// Wrap the key: 1–256 visible ASCII characters.
    ///
    /// # Errors
    /// [`FieldError`](crate::error::FieldError) naming the field `key` (the key is never
    /// echoed).
    pub fn new(key: impl Into<String>) -> Result<Self, crate::error::FieldError> {
        let key = Zeroizing::new(key.into());
        crate::validate::token("key", &key, MAX_NAMEAUTH_KEY_LEN)?;
        Ok(Self(key))
    }

    /// The key (for the signing code; do not log it).
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

macro_rules! token_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(Zeroizing<String>);

        impl $name {
            /// Wrap a token.
            pub fn new(token: impl Into<String>) -> Self {
                Self(Zeroizing::new(token.into()))
            }

            /// The token itself (for the request that carries it; do not log it).
            #[must_use]
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }
    };
}

token_type!(
    /// The `access_token` that authorises one `realnameauth` call: redacted, zeroized on drop.
    ///
    /// ```
    /// use wechatpay_sansio::secret::AccessToken;
    /// let t = AccessToken::new("81_abc");
    /// assert_eq!(format!("{t:?} {t}"), "AccessToken(<redacted>) <redacted>");
    /// assert_eq!(t.expose_secret(), "81_abc");
    /// ```
    AccessToken
);

token_type!(
    /// The `refresh_token` of an OAuth grant: redacted, zeroized on drop. (How to use it — the
    /// "步骤3" of the official page — is undocumented.)
    RefreshToken
);

macro_rules! redacted_fmt {
    ($($t:ident),*) => {$(
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($t), "({})"), REDACTED)
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(REDACTED)
            }
        }
    )*};
}
redacted_fmt!(
    ApiV2Key,
    ApiV3Key,
    Personal,
    NameAuthKey,
    AccessToken,
    RefreshToken
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_leaks_through_formatting() {
        let k2 = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
        let k3 = ApiV3Key::new(b"a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").unwrap();
        let p = Personal::new("440000000000000000");
        let all = format!("{k2:?}{k2}{k3:?}{k3}{p:?}{p}{k2:#?}");
        assert!(!all.contains("192006"));
        assert!(!all.contains("a7cde1"));
        assert!(!all.contains("4400000"));
    }

    #[test]
    fn key_validation_errors() {
        assert_eq!(
            ApiV2Key::new("x").unwrap_err(),
            SecretError::ApiV2KeyLength(1)
        );
        assert_eq!(
            ApiV2Key::new("192006250b4c09247ec02edce69f6a2 ").unwrap_err(),
            SecretError::ApiV2KeyCharset
        );
        assert_eq!(
            ApiV3Key::new([0u8; 31]).unwrap_err(),
            SecretError::ApiV3KeyLength(31)
        );
        assert!(!SecretError::ApiV2KeyLength(3).to_string().is_empty());
        assert_eq!(
            SecretError::ApiV2KeyCharset.disposition(),
            Disposition::Misconfigured
        );
    }

    #[test]
    fn personal_accessors() {
        let p = Personal::from("ab");
        assert_eq!(p.len(), 2);
        assert!(!p.is_empty());
        assert!(Personal::from(String::new()).is_empty());
    }

    fn assert_send_sync<T: Send + Sync>() {}
    #[test]
    fn send_sync() {
        assert_send_sync::<NameAuthKey>();
        assert_send_sync::<AccessToken>();
        assert_send_sync::<ApiV2Key>();
        assert_send_sync::<ApiV3Key>();
        assert_send_sync::<Personal>();
    }
}
