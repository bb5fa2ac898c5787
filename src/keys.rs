//! Keys and certificates, parsed once: the merchant's private key, WeChat Pay public keys
//! (`PUB_KEY_ID_…`), platform certificates, and a [`KeyStore`] that finds the right one by the
//! `Wechatpay-Serial` header.
//!
//! Parse keys at start-up and share them (`Arc` or `&`); nothing on the signing or verification
//! path parses PEM or DER again. All types are `Send + Sync`.
//!
//! ```
//! use wechatpay_sansio::keys::{KeyStore, MerchantPrivateKey, PlatformCertificate};
//! use wechatpay_sansio::simulator::pem; // TEST ONLY keys (feature `simulator`)
//! use wechatpay_sansio::time::UnixTime;
//! let key = MerchantPrivateKey::from_pem(pem::MERCHANT_PRIVATE_KEY)?;   // apiclient_key.pem
//! let cert = PlatformCertificate::from_pem(pem::MERCHANT_CERTIFICATE)?; // apiclient_cert.pem
//! assert!(key.matches(&cert));
//! let platform = PlatformCertificate::from_pem(pem::PLATFORM_CERTIFICATE)?;
//! let mut store = KeyStore::new();
//! store.insert_certificate(&platform);
//! let now = UnixTime::from_secs(1_767_225_600);
//! assert_eq!(store.get_by_header(platform.serial().as_str()).map(|k| k.is_valid_at(now)), Some(true));
//! # Ok::<(), wechatpay_sansio::keys::KeyError>(())
//! ```

use crate::crypto::{
    self, CryptoError, RsaPrivate as _, RsaPrivateKey, RsaPublic as _, RsaPublicKey,
};
use crate::error::{Classify, Disposition};
use crate::time::UnixTime;
use core::fmt;
use core::sync::atomic::{AtomicBool, Ordering};
use core::time::Duration;

/// The only RSA modulus size WeChat Pay uses (`WECHATPAY2-SHA256-RSA2048`).
pub const RSA_BITS: usize = 2048;

const WECHATPAY_PUBLIC_KEY_PREFIX: &str = "PUB_KEY_ID_";

/// Why a key or certificate could not be loaded. No variant carries key material.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The input is not valid PEM (missing or broken armour, bad base64 inside).
    #[error("malformed PEM: no valid -----BEGIN …----- block")]
    Pem,
    /// The PEM block has a different label from the one expected.
    #[error("unexpected PEM label {found:?}; expected {expected}")]
    UnexpectedPemLabel {
        /// What this loader accepts.
        expected: &'static str,
        /// The label found (truncated to 40 characters).
        found: String,
    },
    /// An encrypted private key (`ENCRYPTED PRIVATE KEY`, or a legacy `RSA PRIVATE KEY` with
    /// `Proc-Type: 4,ENCRYPTED`): decrypt it first, e.g. with
    /// `openssl pkcs8 -topk8 -nocrypt -in key.pem -out plain.pem`.
    #[error("the private key is encrypted; provide an unencrypted PKCS#8 or PKCS#1 key")]
    EncryptedPrivateKey,
    /// The DER does not decode as the expected structure.
    #[error("malformed {what}")]
    Der {
        /// The structure that failed to decode.
        what: &'static str,
    },
    /// A well-formed key of another algorithm (EC, Ed25519, SM2…).
    #[error("the key is not an RSA key")]
    NotRsa,
    /// An RSA key of the wrong size: the exact bit length of the modulus is checked (a
    /// 2047-bit modulus is refused, though it takes 256 bytes).
    #[error("RSA key is {bits} bits; WeChat Pay requires {expected}")]
    KeySize {
        /// Modulus size found.
        bits: usize,
        /// Modulus size required.
        expected: usize,
    },
    /// A key id (certificate serial or `PUB_KEY_ID_…`) that is empty or has forbidden characters.
    #[error(
        "invalid key id: must be hex (certificate serial) or PUB_KEY_ID_ followed by [0-9A-Za-z], at most 64 characters"
    )]
    InvalidKeyId,
    /// The DER of a `CERTIFICATE` block is not an X.509 certificate.
    #[error("malformed X.509 certificate")]
    Certificate,
    /// A merchant id that is not 1–32 ASCII digits (from [`crate::v3::auth::MerchantSigner::from_pems`]).
    #[error("invalid merchant id: must be 1 to 32 ASCII digits")]
    InvalidMchId,
    /// A private key and a certificate that do not belong together (the certificate's public
    /// key is not the key's).
    #[error("the private key does not match the certificate")]
    KeyMismatch,
}

impl Classify for KeyError {
    /// [`Disposition::Misconfigured`]: a key or certificate of the setup is unusable.
    fn disposition(&self) -> Disposition {
        Disposition::Misconfigured
    }
}

fn pem_decode(pem: &[u8]) -> Result<(String, zeroize::Zeroizing<Vec<u8>>), KeyError> {
    // Tolerate text before the armour (e.g. "Bag Attributes" written by openssl pkcs12).
    let start = find(pem, b"-----BEGIN ").ok_or(KeyError::Pem)?;
    let pem = &pem[start..];
    // Tolerate anything after the first block (certificate chains: the first one is the leaf).
    let end_marker = find(pem, b"-----END ").ok_or(KeyError::Pem)?;
    let after = &pem[end_marker + 9..];
    let close = find(after, b"-----").ok_or(KeyError::Pem)?;
    let block = &pem[..end_marker + 9 + close + 5];
    // The legacy OpenSSL encryption (`Proc-Type: 4,ENCRYPTED` / `DEK-Info:` headers inside a
    // `RSA PRIVATE KEY` block), which RFC 7468 parsers call malformed.
    if find(block, b"Proc-Type: 4,ENCRYPTED").is_some() {
        return Err(KeyError::EncryptedPrivateKey);
    }
    let (label, der) = pem_rfc7468::decode_vec(block).map_err(|_| KeyError::Pem)?;
    Ok((label.to_owned(), zeroize::Zeroizing::new(der)))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn label_error(expected: &'static str, found: &str) -> KeyError {
    KeyError::UnexpectedPemLabel {
        expected,
        found: found.chars().take(40).collect(),
    }
}

fn check_bits(bits: usize) -> Result<(), KeyError> {
    if bits == RSA_BITS {
        Ok(())
    } else {
        Err(KeyError::KeySize {
            bits,
            expected: RSA_BITS,
        })
    }
}

/// Is this PKCS#8 / SPKI DER well-formed but for another algorithm?
fn pkcs8_is_other_algorithm(der: &[u8]) -> bool {
    const RSA: pkcs8::ObjectIdentifier =
        pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
    pkcs8::PrivateKeyInfoRef::try_from(der).is_ok_and(|k| k.algorithm.oid != RSA)
}

fn spki_is_other_algorithm(der: &[u8]) -> bool {
    use pkcs8::der::Decode;
    const RSA: pkcs8::ObjectIdentifier =
        pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
    pkcs8::SubjectPublicKeyInfoRef::from_der(der).is_ok_and(|k| k.algorithm.oid != RSA)
}

/// The merchant's API private key (`apiclient_key.pem`): signs v3 requests and decrypts
/// down-link fields. Loaded once; prints as redacted; the key material is zeroized on drop.
///
/// ```
/// use wechatpay_sansio::keys::MerchantPrivateKey;
/// let pem = wechatpay_sansio::simulator::pem::MERCHANT_PRIVATE_KEY; // TEST ONLY key
/// let key = MerchantPrivateKey::from_pem(pem)?;
/// assert_eq!(format!("{key:?}"), "MerchantPrivateKey(<redacted>)");
/// # Ok::<(), wechatpay_sansio::keys::KeyError>(())
/// ```
#[derive(Clone)]
pub struct MerchantPrivateKey(pub(crate) RsaPrivateKey);

impl MerchantPrivateKey {
    /// Load from PEM: `PRIVATE KEY` (PKCS#8, what the merchant portal issues) or
    /// `RSA PRIVATE KEY` (PKCS#1).
    ///
    /// # Errors
    /// [`KeyError::Pem`], [`KeyError::UnexpectedPemLabel`], [`KeyError::EncryptedPrivateKey`],
    /// [`KeyError::Der`], [`KeyError::NotRsa`], [`KeyError::KeySize`].
    pub fn from_pem(pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        let (label, der) = pem_decode(pem.as_ref())?;
        match label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "RSA PRIVATE KEY" => Self::from_pkcs1_der(&der),
            "ENCRYPTED PRIVATE KEY" => Err(KeyError::EncryptedPrivateKey),
            other => Err(label_error("PRIVATE KEY or RSA PRIVATE KEY", other)),
        }
    }

    /// Load from DER, PKCS#8 or PKCS#1 (tried in that order).
    ///
    /// # Errors
    /// As [`MerchantPrivateKey::from_pem`], without the PEM errors.
    pub fn from_der(der: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        let der = der.as_ref();
        match Self::from_pkcs8_der(der) {
            Err(KeyError::Der { .. }) => Self::from_pkcs1_der(der).map_err(|e| match e {
                KeyError::Der { .. } => KeyError::Der {
                    what: "private key (neither PKCS#8 nor PKCS#1)",
                },
                e => e,
            }),
            other => other,
        }
    }

    fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        match RsaPrivateKey::from_pkcs8_der(der) {
            Ok(k) => Self::checked(k),
            Err(_) if pkcs8_is_other_algorithm(der) => Err(KeyError::NotRsa),
            Err(_) => Err(KeyError::Der {
                what: "PKCS#8 private key",
            }),
        }
    }

    fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        RsaPrivateKey::from_pkcs1_der(der)
            .map_err(|_| KeyError::Der {
                what: "PKCS#1 RSA private key",
            })
            .and_then(Self::checked)
    }

    fn checked(k: RsaPrivateKey) -> Result<Self, KeyError> {
        check_bits(k.modulus_bits())?;
        Ok(Self(k))
    }

    /// The matching public key (what WeChat Pay holds for this merchant).
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.public_key())
    }

    /// Whether `cert` certifies this key (the merchant's `apiclient_cert.pem` for its
    /// `apiclient_key.pem`).
    #[must_use]
    pub fn matches(&self, cert: &PlatformCertificate) -> bool {
        self.public_key() == cert.public_key
    }
}

impl fmt::Debug for MerchantPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MerchantPrivateKey({})", crate::secret::REDACTED)
    }
}

/// An RSA-2048 public key: a WeChat Pay public key (`pub_key.pem`), the key inside a platform
/// certificate, or the PKCS#1 key returned by `risk/getpublickey`.
///
/// ```
/// use wechatpay_sansio::keys::PublicKey;
/// use wechatpay_sansio::simulator::pem; // TEST ONLY keys (feature `simulator`)
/// // The PKCS#1 form `risk/getpublickey` serves and the SPKI form are the same key.
/// let pkcs1 = PublicKey::from_pem(pem::PLATFORM_PUBLIC_KEY_PKCS1)?;
/// let spki = PublicKey::from_pem(pem::PLATFORM_PUBLIC_KEY)?;
/// assert_eq!(pkcs1, spki);
/// assert_eq!(pkcs1.bits(), 2048);
/// // `to_spki_pem` writes the PEM file byte for byte (after its `# TEST ONLY` comment line).
/// assert!(pem::PLATFORM_PUBLIC_KEY.ends_with(&pkcs1.to_spki_pem()?));
/// # Ok::<(), wechatpay_sansio::keys::KeyError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey(pub(crate) RsaPublicKey);

impl PublicKey {
    /// Load from PEM: `PUBLIC KEY` (SubjectPublicKeyInfo) or `RSA PUBLIC KEY` (PKCS#1, what
    /// `risk/getpublickey` returns). For a certificate use [`PlatformCertificate::from_pem`].
    ///
    /// # Errors
    /// [`KeyError::Pem`], [`KeyError::UnexpectedPemLabel`], [`KeyError::Der`],
    /// [`KeyError::NotRsa`], [`KeyError::KeySize`].
    pub fn from_pem(pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        let (label, der) = pem_decode(pem.as_ref())?;
        match label.as_str() {
            "PUBLIC KEY" => Self::from_spki_der(&der),
            "RSA PUBLIC KEY" => Self::from_pkcs1_der(&der),
            other => Err(label_error("PUBLIC KEY or RSA PUBLIC KEY", other)),
        }
    }

    /// Load from SubjectPublicKeyInfo DER.
    ///
    /// # Errors
    /// [`KeyError::Der`], [`KeyError::NotRsa`], [`KeyError::KeySize`].
    pub fn from_spki_der(der: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        let der = der.as_ref();
        match RsaPublicKey::from_spki_der(der) {
            Ok(k) => Self::checked(k),
            Err(_) if spki_is_other_algorithm(der) => Err(KeyError::NotRsa),
            Err(_) => Err(KeyError::Der {
                what: "SubjectPublicKeyInfo",
            }),
        }
    }

    /// Load from PKCS#1 `RSAPublicKey` DER.
    ///
    /// # Errors
    /// [`KeyError::Der`], [`KeyError::KeySize`].
    pub fn from_pkcs1_der(der: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        RsaPublicKey::from_pkcs1_der(der.as_ref())
            .map_err(|_| KeyError::Der {
                what: "PKCS#1 RSA public key",
            })
            .and_then(Self::checked)
    }

    fn checked(k: RsaPublicKey) -> Result<Self, KeyError> {
        check_bits(k.modulus_bits())?;
        Ok(Self(k))
    }

    /// SubjectPublicKeyInfo DER (`BEGIN PUBLIC KEY` content).
    ///
    /// # Errors
    /// [`KeyError::Der`] if encoding fails (it does not for keys this type accepts).
    pub fn to_spki_der(&self) -> Result<Vec<u8>, KeyError> {
        self.0.to_spki_der().map_err(|_| KeyError::Der {
            what: "SubjectPublicKeyInfo",
        })
    }

    /// SubjectPublicKeyInfo PEM with LF line endings and 64-column lines (as OpenSSL writes).
    ///
    /// # Errors
    /// As [`PublicKey::to_spki_der`].
    pub fn to_spki_pem(&self) -> Result<String, KeyError> {
        let der = self.to_spki_der()?;
        pem_rfc7468::encode_string("PUBLIC KEY", pem_rfc7468::LineEnding::LF, &der).map_err(|_| {
            KeyError::Der {
                what: "SubjectPublicKeyInfo",
            }
        })
    }

    /// Modulus size in bits (always 2048 for keys this type accepts).
    #[must_use]
    pub fn bits(&self) -> usize {
        self.0.modulus_bits()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey(RSA-{})", self.bits())
    }
}

/// The id of a WeChat Pay key as it appears in `Wechatpay-Serial` and `serial_no`: either a
/// certificate serial (hex, normalised to upper case, no leading `00` byte) or a WeChat Pay
/// public-key id (`PUB_KEY_ID_…`, kept exactly).
///
/// ```
/// use wechatpay_sansio::keys::KeyId;
/// assert_eq!(KeyId::new("5157f09efdc096de15ebe81a47057a7232f1b8e1")?.as_str(),
///            "5157F09EFDC096DE15EBE81A47057A7232F1B8E1");
/// assert_eq!(KeyId::new("PUB_KEY_ID_0114232134912410000000000000")?.as_str(),
///            "PUB_KEY_ID_0114232134912410000000000000");
/// assert!(KeyId::new("12\r\nX-Evil: 1").is_err());
/// # Ok::<(), wechatpay_sansio::keys::KeyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    /// Validate and normalise an id.
    ///
    /// # Errors
    /// [`KeyError::InvalidKeyId`].
    pub fn new(id: impl Into<String>) -> Result<Self, KeyError> {
        let id = id.into();
        if id.is_empty() || id.len() > 64 {
            return Err(KeyError::InvalidKeyId);
        }
        if let Some(rest) = id.strip_prefix(WECHATPAY_PUBLIC_KEY_PREFIX) {
            if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(KeyError::InvalidKeyId);
            }
            return Ok(Self(id));
        }
        if !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(KeyError::InvalidKeyId);
        }
        Ok(Self(id.to_ascii_uppercase()))
    }

    /// The id of a certificate serial number given as big-endian bytes: leading `0x00` bytes
    /// (DER sign padding) removed, upper-case hex.
    ///
    /// # Errors
    /// [`KeyError::InvalidKeyId`] for an empty or over-long serial.
    pub fn from_serial_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let first = bytes
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(bytes.len().saturating_sub(1));
        let bytes = bytes.get(first..).unwrap_or_default();
        if bytes.is_empty() || bytes.len() > 32 {
            return Err(KeyError::InvalidKeyId);
        }
        let mut hex = vec![0u8; bytes.len() * 2];
        crypto::hex_upper_into(bytes, &mut hex);
        String::from_utf8(hex)
            .map(Self)
            .map_err(|_| KeyError::InvalidKeyId)
    }

    /// Whether this is a WeChat Pay public-key id (`PUB_KEY_ID_…`) rather than a certificate serial.
    #[must_use]
    pub fn is_public_key_id(&self) -> bool {
        self.0.starts_with(WECHATPAY_PUBLIC_KEY_PREFIX)
    }

    /// The id as sent on the wire.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An X.509 certificate: a WeChat Pay platform certificate, or the merchant's own
/// `apiclient_cert.pem` (whose serial is the `serial_no` of the `Authorization` header).
///
/// Only the serial, the validity period and the RSA public key are kept; the certificate's own
/// signature chain is not checked (WeChat Pay delivers platform certificates inside an
/// authenticated, APIv3-key-encrypted channel — see [`crate::v3::certificates`]).
#[derive(Clone)]
pub struct PlatformCertificate {
    serial: KeyId,
    public_key: PublicKey,
    validity: Validity,
}

impl PlatformCertificate {
    /// Load from PEM (`CERTIFICATE`; text before the block and further blocks are ignored).
    ///
    /// ```
    /// use wechatpay_sansio::keys::PlatformCertificate;
    /// let cert = PlatformCertificate::from_pem(wechatpay_sansio::simulator::pem::PLATFORM_CERTIFICATE)?;
    /// assert!(!cert.serial().is_public_key_id());
    /// # Ok::<(), wechatpay_sansio::keys::KeyError>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyError::Pem`], [`KeyError::UnexpectedPemLabel`], [`KeyError::NotRsa`],
    /// [`KeyError::KeySize`]; [`KeyError::Certificate`] for bad DER.
    pub fn from_pem(pem: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        let (label, der) = pem_decode(pem.as_ref())?;
        if label != "CERTIFICATE" {
            return Err(label_error("CERTIFICATE", &label));
        }
        Self::from_der(&*der)
    }

    /// Load from DER.
    ///
    /// # Errors
    /// As [`PlatformCertificate::from_pem`].
    pub fn from_der(der: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        use x509_cert::der::{Decode, Encode};
        let cert =
            x509_cert::Certificate::from_der(der.as_ref()).map_err(|_| KeyError::Certificate)?;
        let tbs = cert.tbs_certificate();
        let serial = KeyId::from_serial_bytes(tbs.serial_number().as_bytes())?;
        let spki = tbs
            .subject_public_key_info()
            .to_der()
            .map_err(|_| KeyError::Certificate)?;
        let public_key = PublicKey::from_spki_der(&spki)?;
        let validity = tbs.validity();
        Ok(Self {
            serial,
            public_key,
            validity: Validity {
                not_before: UnixTime::from_secs(validity.not_before.to_unix_duration().as_secs()),
                not_after: UnixTime::from_secs(validity.not_after.to_unix_duration().as_secs()),
            },
        })
    }

    /// The serial number as WeChat Pay writes it (upper-case hex, no leading `00`).
    #[must_use]
    pub fn serial(&self) -> &KeyId {
        &self.serial
    }

    /// The certified public key.
    #[must_use]
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// Start of validity.
    #[must_use]
    pub fn not_before(&self) -> UnixTime {
        self.validity.not_before
    }

    /// End of validity.
    #[must_use]
    pub fn not_after(&self) -> UnixTime {
        self.validity.not_after
    }

    /// Whether `now` lies within the validity period.
    #[must_use]
    pub fn is_valid_at(&self, now: UnixTime) -> bool {
        self.validity.contains(now)
    }

    /// The validity period.
    #[must_use]
    pub fn validity(&self) -> Validity {
        self.validity
    }
}

impl fmt::Debug for PlatformCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlatformCertificate")
            .field("serial", &self.serial.as_str())
            .field("not_before", &self.validity.not_before)
            .field("not_after", &self.validity.not_after)
            .finish_non_exhaustive()
    }
}

/// A WeChat Pay key together with its id: what verifies response and notification signatures
/// and what encrypts sensitive request fields. A platform certificate's key keeps the
/// certificate's validity period; a WeChat Pay public key (`PUB_KEY_ID_…`) has none.
#[derive(Debug, Clone)]
pub struct WechatPayKey {
    id: KeyId,
    key: PublicKey,
    validity: Option<Validity>,
}

/// The validity period of a certificate, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Validity {
    /// Start of validity.
    pub not_before: UnixTime,
    /// End of validity.
    pub not_after: UnixTime,
}

impl Validity {
    /// Whether `now` lies within the period.
    #[must_use]
    pub fn contains(&self, now: UnixTime) -> bool {
        self.not_before <= now && now <= self.not_after
    }
}

impl WechatPayKey {
    /// A WeChat Pay public key (`pub_key.pem`) with its `PUB_KEY_ID_…` id. It has no dates.
    #[must_use]
    pub fn public_key(id: KeyId, key: PublicKey) -> Self {
        Self {
            id,
            key,
            validity: None,
        }
    }

    /// The key of a platform certificate, identified by the certificate's serial, with its
    /// validity period.
    #[must_use]
    pub fn certificate(cert: &PlatformCertificate) -> Self {
        Self {
            id: cert.serial.clone(),
            key: cert.public_key.clone(),
            validity: Some(cert.validity),
        }
    }

    /// The id (`Wechatpay-Serial` value).
    #[must_use]
    pub fn id(&self) -> &KeyId {
        &self.id
    }

    /// The RSA public key.
    #[must_use]
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// The certificate's validity period; `None` for a WeChat Pay public key.
    #[must_use]
    pub fn validity(&self) -> Option<Validity> {
        self.validity
    }

    /// Whether the key may be used at `now`: a certificate within its validity period, or a
    /// WeChat Pay public key (which has none).
    #[must_use]
    pub fn is_valid_at(&self, now: UnixTime) -> bool {
        self.validity.is_none_or(|v| v.contains(now))
    }
}

/// How long before the last certificate expires [`KeyStore::refresh_due`] asks for a refresh
/// by default: 14 days (WeChat Pay publishes a new platform certificate before the old one
/// expires; the official SDKs download the list every few hours).
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(14 * 24 * 60 * 60);

/// The WeChat Pay keys a merchant trusts, platform certificates and public keys side by side,
/// looked up by the `Wechatpay-Serial` of a response or notification.
///
/// Certificates keep their validity: verification with a certificate outside its validity at
/// `now` is refused, [`encryption_key`](Self::encryption_key) only picks certificates valid at
/// `now`, and [`refresh_due`](Self::refresh_due) tells a transport when to download
/// `/v3/certificates` again (the official SDKs refresh on their own; this crate does no I/O, so
/// it tells the caller when).
///
/// ```
/// use wechatpay_sansio::keys::{KeyId, KeyStore, PublicKey, WechatPayKey};
/// let pk = PublicKey::from_pem(wechatpay_sansio::simulator::pem::PLATFORM_PUBLIC_KEY)?; // TEST ONLY
/// let id = KeyId::new("PUB_KEY_ID_0114232134912410000000000000")?;
/// let mut store = KeyStore::new();
/// store.insert(WechatPayKey::public_key(id.clone(), pk));
/// let now = wechatpay_sansio::time::UnixTime::from_secs(1_767_225_600); // 2026-01-01
/// assert!(store.get(&id).is_some());
/// assert_eq!(store.encryption_key(now).map(|k| k.id()), Some(&id));
/// assert!(!store.refresh_due(now)); // a public key does not expire
/// # Ok::<(), wechatpay_sansio::keys::KeyError>(())
/// ```
#[derive(Debug, Default)]
pub struct KeyStore {
    keys: Vec<WechatPayKey>,
    refresh_margin: Option<Duration>,
    /// Set when verification met a `Wechatpay-Serial` the store does not hold.
    unknown_serial_seen: AtomicBool,
}

impl Clone for KeyStore {
    fn clone(&self) -> Self {
        Self {
            keys: self.keys.clone(),
            refresh_margin: self.refresh_margin,
            unknown_serial_seen: AtomicBool::new(self.unknown_serial_seen.load(Ordering::Relaxed)),
        }
    }
}

impl KeyStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Ask for a refresh when no certificate stays valid for `margin` more (default
    /// [`DEFAULT_REFRESH_MARGIN`]).
    #[must_use]
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = Some(margin);
        self
    }

    /// Add a key, replacing any key with the same id. Clears the "unknown serial seen" mark of
    /// [`refresh_due`](Self::refresh_due): new keys have arrived.
    pub fn insert(&mut self, key: WechatPayKey) {
        self.keys.retain(|k| k.id != key.id);
        self.keys.push(key);
        self.unknown_serial_seen.store(false, Ordering::Relaxed);
    }

    /// Remove the key with this id, returning it.
    ///
    /// ```
    /// use wechatpay_sansio::keys::{KeyStore, PlatformCertificate};
    /// let cert = PlatformCertificate::from_pem(wechatpay_sansio::simulator::pem::PLATFORM_CERTIFICATE)?; // TEST ONLY
    /// let mut store = KeyStore::new();
    /// store.insert_certificate(&cert);
    /// assert!(store.remove(cert.serial()).is_some() && store.is_empty());
    /// assert!(store.remove(cert.serial()).is_none());
    /// # Ok::<(), wechatpay_sansio::keys::KeyError>(())
    /// ```
    pub fn remove(&mut self, id: &KeyId) -> Option<WechatPayKey> {
        let i = self.keys.iter().position(|k| &k.id == id)?;
        Some(self.keys.remove(i))
    }

    /// Add a platform certificate.
    pub fn insert_certificate(&mut self, cert: &PlatformCertificate) {
        self.insert(WechatPayKey::certificate(cert));
    }

    /// Look a key up by id (exact match after [`KeyId`] normalisation), whatever its validity.
    #[must_use]
    pub fn get(&self, id: &KeyId) -> Option<&WechatPayKey> {
        self.keys.iter().find(|k| &k.id == id)
    }

    /// Look a key up by a raw header value (normalised first; `None` if it is not a valid id),
    /// whatever its validity. A miss is remembered for [`refresh_due`](Self::refresh_due).
    #[must_use]
    pub fn get_by_header(&self, serial: &str) -> Option<&WechatPayKey> {
        let found = KeyId::new(serial)
            .ok()
            .and_then(|id| self.keys.iter().find(|k| k.id == id));
        if found.is_none() {
            self.unknown_serial_seen.store(true, Ordering::Relaxed);
        }
        found
    }

    /// The key to encrypt sensitive fields with at `now`: a WeChat Pay public key if one is
    /// present (WeChat's recommendation), otherwise the platform certificate valid at `now` that
    /// became valid last. Expired and not-yet-valid certificates are never picked.
    #[must_use]
    pub fn encryption_key(&self, now: UnixTime) -> Option<&WechatPayKey> {
        self.keys
            .iter()
            .find(|k| k.validity.is_none())
            .or_else(|| self.platform_certificate(now))
    }

    /// The platform certificate key valid at `now` that became valid last (ignoring public
    /// keys): what an API that names platform certificates (the `apihk` customs API) encrypts
    /// with.
    #[must_use]
    pub fn platform_certificate(&self, now: UnixTime) -> Option<&WechatPayKey> {
        self.keys
            .iter()
            .filter(|k| k.validity.is_some_and(|v| v.contains(now)))
            .max_by_key(|k| k.validity.map(|v| v.not_before))
    }

    /// Whether the transport should download `/v3/certificates` again: a `Wechatpay-Serial`
    /// this store does not hold was seen since the last [`insert`](Self::insert), or the store
    /// holds no WeChat Pay public key and no certificate stays valid from `now` through the
    /// refresh margin (including an empty store). Rate-limit the downloads: a forged
    /// notification can carry an unknown serial too.
    ///
    /// ```
    /// use core::time::Duration;
    /// use wechatpay_sansio::keys::{KeyStore, PlatformCertificate};
    /// use wechatpay_sansio::simulator::pem; // TEST ONLY material (feature `simulator`)
    /// use wechatpay_sansio::time::UnixTime;
    /// // valid 2020-01-01 .. 2099-12-31
    /// let cert = PlatformCertificate::from_pem(pem::PLATFORM_CERTIFICATE)?;
    /// let now = UnixTime::from_secs(1_767_225_600); // 2026-01-01
    /// let mut store = KeyStore::new();
    /// assert!(store.refresh_due(now)); // empty
    /// store.insert_certificate(&cert);
    /// assert!(!store.refresh_due(now));
    /// assert!(store.refresh_due(cert.not_after() - Duration::from_secs(86_400))); // expires within 14 days
    /// let _ = store.get_by_header("ABCDEF"); // a serial the store does not hold
    /// assert!(store.refresh_due(now));
    /// # Ok::<(), wechatpay_sansio::keys::KeyError>(())
    /// ```
    #[must_use]
    pub fn refresh_due(&self, now: UnixTime) -> bool {
        self.unknown_serial_seen() || self.expiry_due(now)
    }

    /// The first half of [`Self::refresh_due`]: an unknown `Wechatpay-Serial` was seen since
    /// the last insert.
    pub(crate) fn unknown_serial_seen(&self) -> bool {
        self.unknown_serial_seen.load(Ordering::Relaxed)
    }

    /// The second half of [`Self::refresh_due`]: no public key, and no certificate valid from
    /// `now` through the margin.
    pub(crate) fn expiry_due(&self, now: UnixTime) -> bool {
        let margin = self.refresh_margin.unwrap_or(DEFAULT_REFRESH_MARGIN);
        let until = now + margin;
        !self.keys.iter().any(|k| match k.validity {
            None => true,
            Some(v) => v.contains(now) && v.contains(until),
        })
    }

    /// Every key, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &WechatPayKey> {
        self.keys.iter()
    }

    /// Number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the store is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl From<CryptoError> for KeyError {
    fn from(_: CryptoError) -> Self {
        KeyError::Der { what: "key" }
    }
}
