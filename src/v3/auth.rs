//! The merchant side of v3 authentication: [`MerchantSigner`] signs the canonical request string
//! with the merchant API private key and produces the `Authorization` header; [`Authorization`]
//! also parses such a header (what the simulator and the CLI need), accepting any pair order.

use crate::crypto::{CryptoError, RsaPrivate as _, RsaPrivateKey};
use crate::error::{Classify, Disposition};
use crate::ids::{MchId, Nonce};
use crate::keys::{KeyError, KeyId, MerchantPrivateKey, PlatformCertificate};
use crate::time::UnixTime;
use crate::v3::SCHEME;
use crate::v3::canonical::{Decimal, Message};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use core::fmt;
use rand_core::TryCryptoRng;

/// Why signing with the merchant key failed.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The path and query is not an absolute path of visible ASCII (percent-encode it first).
    #[error("path and query must start with '/' and contain only visible ASCII (percent-encoded)")]
    InvalidPathAndQuery,
    /// The caller's RNG, used to blind the RSA operation, failed (RustCrypto backend).
    #[error("the random number generator failed")]
    Rng,
    /// The cryptography backend failed to sign with this key.
    #[error("the cryptography backend failed to sign")]
    Backend,
}

impl Classify for AuthError {
    /// A path that cannot be signed or a key the backend refuses is
    /// [`Disposition::Misconfigured`]; a failing RNG [`Disposition::Transient`].
    fn disposition(&self) -> Disposition {
        match self {
            Self::InvalidPathAndQuery | Self::Backend => Disposition::Misconfigured,
            Self::Rng => Disposition::Transient,
        }
    }
}

/// Holds what a merchant needs to sign v3 requests: `mchid`, the serial of the merchant API
/// certificate, and the private key (parsed once). Cheap to share: `Send + Sync`, no locks.
///
/// ```
/// use wechatpay_sansio::{ids::{MchId, Nonce}, time::UnixTime, v3::auth::MerchantSigner};
/// use wechatpay_sansio::simulator::pem; // TEST ONLY key and certificate (feature `simulator`)
/// # use rand_core::SeedableRng;
/// // The serial is read from the merchant certificate, which must match the key.
/// let signer = MerchantSigner::from_pems("1900000109", pem::MERCHANT_PRIVATE_KEY, pem::MERCHANT_CERTIFICATE)?;
/// assert_eq!(signer.serial().as_str(), "3C3BBC2B9F5BF4F2");
/// # let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
/// let auth = signer.authorization(&mut rng, "GET", "/v3/certificates",
///     UnixTime::from_secs(1624523846), &Nonce::new("A1B2C3D4E5F6G7")?, b"")?;
/// assert!(auth.to_string().starts_with(r#"WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="A1B2C3D4E5F6G7",timestamp="1624523846",serial_no="3C3BBC2B9F5BF4F2",signature=""#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct MerchantSigner {
    mchid: MchId,
    serial: KeyId,
    key: MerchantPrivateKey,
}

pub(crate) fn check_path_and_query(p: &str) -> Result<(), AuthError> {
    if p.starts_with('/') && p.bytes().all(|b| b.is_ascii_graphic() && b != b'#') {
        Ok(())
    } else {
        Err(AuthError::InvalidPathAndQuery)
    }
}

/// A signature from the backend, base64; the backend's failure as an [`AuthError`].
fn encode(signature: Result<Vec<u8>, CryptoError>) -> Result<String, AuthError> {
    let sig = signature.map_err(|e| match e {
        CryptoError::Rng => AuthError::Rng,
        _ => AuthError::Backend,
    })?;
    Ok(STANDARD.encode(sig))
}

/// Sign a v3 message (streamed, see [`Message`]) with `key`, base64.
pub(crate) fn sign_message<R: TryCryptoRng + ?Sized>(
    key: &RsaPrivateKey,
    rng: &mut R,
    message: &Message<'_>,
) -> Result<String, AuthError> {
    encode(message.sign(key, rng))
}

impl MerchantSigner {
    /// Bundle the merchant id, the merchant certificate serial and the private key.
    #[must_use]
    pub fn new(mchid: MchId, serial: KeyId, key: MerchantPrivateKey) -> Self {
        Self { mchid, serial, key }
    }

    /// From the merchant id and the two files the merchant portal issues: `apiclient_key.pem`
    /// (the private key) and `apiclient_cert.pem` (whose serial becomes `serial_no`). Refuses a
    /// key that the certificate does not certify — the classic cause of 401 on every call.
    ///
    /// # Errors
    /// [`KeyError`] for an unusable key or certificate, an invalid `mchid`
    /// ([`KeyError::InvalidMchId`]), or [`KeyError::KeyMismatch`].
    pub fn from_pems(
        mchid: impl Into<String>,
        key_pem: impl AsRef<[u8]>,
        cert_pem: impl AsRef<[u8]>,
    ) -> Result<Self, KeyError> {
        let mchid = MchId::new(mchid).map_err(|_| KeyError::InvalidMchId)?;
        let key = MerchantPrivateKey::from_pem(key_pem)?;
        let cert = PlatformCertificate::from_pem(cert_pem)?;
        if !key.matches(&cert) {
            return Err(KeyError::KeyMismatch);
        }
        Ok(Self::new(mchid, cert.serial().clone(), key))
    }

    /// The merchant id.
    #[must_use]
    pub fn mchid(&self) -> &MchId {
        &self.mchid
    }

    /// The merchant certificate serial (`serial_no`).
    #[must_use]
    pub fn serial(&self) -> &KeyId {
        &self.serial
    }

    /// The private key.
    #[must_use]
    pub fn key(&self) -> &MerchantPrivateKey {
        &self.key
    }

    /// Sign `message` (RSASSA-PKCS1-v1_5, SHA-256), base64. The signature is deterministic;
    /// `rng` blinds the RSA operation under RustCrypto and is **not consulted** under
    /// `aws-lc-rs` (AWS-LC blinds with its own DRBG).
    ///
    /// # Errors
    /// [`AuthError::Rng`], [`AuthError::Backend`].
    pub fn sign<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        message: &[u8],
    ) -> Result<String, AuthError> {
        encode(self.key.0.sign_sha256(rng, &[message]))
    }

    /// Sign a request and return its `Authorization` value. The canonical string
    /// ([`crate::v3::canonical::request_message`]) is streamed into SHA-256; it is never assembled. `rng` as in [`MerchantSigner::sign`] (not consulted
    /// under `aws-lc-rs`).
    ///
    /// # Errors
    /// [`AuthError::InvalidPathAndQuery`], [`AuthError::Rng`], [`AuthError::Backend`].
    pub fn authorization<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        method: &str,
        path_and_query: &str,
        timestamp: UnixTime,
        nonce: &Nonce,
        body: &[u8],
    ) -> Result<Authorization, AuthError> {
        check_path_and_query(path_and_query)?;
        let ts = Decimal::new(timestamp.as_secs());
        let message = Message::request(method, path_and_query, &ts, nonce.as_str(), body);
        let signature = sign_message(&self.key.0, rng, &message)?;
        Ok(Authorization {
            mchid: self.mchid.as_str().to_owned(),
            nonce_str: nonce.as_str().to_owned(),
            timestamp,
            serial_no: self.serial.as_str().to_owned(),
            signature,
        })
    }
}

/// The five parameters of a `WECHATPAY2-SHA256-RSA2048` `Authorization` header.
///
/// `Display` writes them in the order of the official Go and Java SDKs; [`Authorization::parse`]
/// accepts any order.
///
/// ```
/// use wechatpay_sansio::v3::auth::Authorization;
/// let a = Authorization::parse(r#"WECHATPAY2-SHA256-RSA2048 mchid="1",serial_no="5",timestamp="4",nonce_str="2",signature="3""#)?;
/// assert_eq!((a.mchid.as_str(), a.nonce_str.as_str(), a.timestamp.as_secs(), a.serial_no.as_str(), a.signature.as_str()), ("1", "2", 4, "5", "3"));
/// assert_eq!(a.to_string(), r#"WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="2",timestamp="4",serial_no="5",signature="3""#);
/// # Ok::<(), wechatpay_sansio::v3::auth::AuthorizationParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// `mchid`.
    pub mchid: String,
    /// `nonce_str`.
    pub nonce_str: String,
    /// `timestamp`.
    pub timestamp: UnixTime,
    /// `serial_no`: the merchant certificate serial.
    pub serial_no: String,
    /// `signature`: base64.
    pub signature: String,
}

/// Why an `Authorization` header could not be parsed.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizationParseError {
    /// The scheme is not `WECHATPAY2-SHA256-RSA2048`.
    #[error("authorization scheme is not WECHATPAY2-SHA256-RSA2048")]
    Scheme,
    /// A pair is not `name="value"` or a value contains a forbidden character.
    #[error("malformed authorization parameter (expected name=\"value\")")]
    Malformed,
    /// A required parameter is missing.
    #[error("authorization parameter {0} is missing")]
    Missing(&'static str),
    /// A parameter occurs twice.
    #[error("authorization parameter {0} occurs twice")]
    Duplicate(&'static str),
    /// An unknown parameter name.
    #[error("unknown authorization parameter")]
    Unknown,
    /// `timestamp` is not a decimal number of seconds.
    #[error("authorization timestamp is not a number")]
    Timestamp,
}

impl Classify for AuthorizationParseError {
    /// [`Disposition::Untrusted`]: a received header that is not a WeChat Pay `Authorization`.
    fn disposition(&self) -> Disposition {
        Disposition::Untrusted
    }
}

const NAMES: [&str; 5] = ["mchid", "nonce_str", "timestamp", "serial_no", "signature"];

impl Authorization {
    /// Parse a header value.
    ///
    /// # Errors
    /// See [`AuthorizationParseError`].
    pub fn parse(value: &str) -> Result<Self, AuthorizationParseError> {
        let rest = value
            .strip_prefix(SCHEME)
            .and_then(|r| r.strip_prefix(' '))
            .ok_or(AuthorizationParseError::Scheme)?;
        let mut vals: [Option<&str>; 5] = [None; 5];
        for pair in rest.split(',') {
            let pair = pair.trim_matches(' ');
            let (name, quoted) = pair
                .split_once('=')
                .ok_or(AuthorizationParseError::Malformed)?;
            let v = quoted
                .strip_prefix('"')
                .and_then(|q| q.strip_suffix('"'))
                .ok_or(AuthorizationParseError::Malformed)?;
            if !v
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b',')
            {
                return Err(AuthorizationParseError::Malformed);
            }
            let i = NAMES
                .iter()
                .position(|n| *n == name)
                .ok_or(AuthorizationParseError::Unknown)?;
            if vals[i].replace(v).is_some() {
                return Err(AuthorizationParseError::Duplicate(NAMES[i]));
            }
        }
        let get = |i: usize| vals[i].ok_or(AuthorizationParseError::Missing(NAMES[i]));
        let ts = get(2)?;
        if ts.is_empty() || ts.len() > 20 || !ts.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AuthorizationParseError::Timestamp);
        }
        Ok(Self {
            mchid: get(0)?.to_owned(),
            nonce_str: get(1)?.to_owned(),
            timestamp: UnixTime::from_secs(
                ts.parse().map_err(|_| AuthorizationParseError::Timestamp)?,
            ),
            serial_no: get(3)?.to_owned(),
            signature: get(4)?.to_owned(),
        })
    }
}

impl fmt::Display for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            r#"{SCHEME} mchid="{}",nonce_str="{}",timestamp="{}",serial_no="{}",signature="{}""#,
            self.mchid, self.nonce_str, self.timestamp, self.serial_no, self.signature
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors() {
        use AuthorizationParseError::*;
        let ok = r#"WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="2",timestamp="4",serial_no="5",signature="3""#;
        assert!(Authorization::parse(ok).is_ok());
        // spaces after commas are tolerated
        assert!(Authorization::parse(&ok.replace(',', ", ")).is_ok());
        assert_eq!(Authorization::parse("Bearer x"), Err(Scheme));
        assert_eq!(
            Authorization::parse(
                &ok.replace("WECHATPAY2-SHA256-RSA2048", "WECHATPAY2-SM2-WITH-SM3")
            ),
            Err(Scheme)
        );
        assert_eq!(
            Authorization::parse(&ok.replace(r#"mchid="1""#, "mchid=1")),
            Err(Malformed)
        );
        assert_eq!(
            Authorization::parse(&ok.replace(r#"mchid="1""#, "mchid")),
            Err(Malformed)
        );
        assert_eq!(
            Authorization::parse(&ok.replace(r#"mchid="1""#, "mchid=\"1\r\n\"")),
            Err(Malformed)
        );
        assert_eq!(
            Authorization::parse(&ok.replace(r#"mchid="1","#, "")),
            Err(Missing("mchid"))
        );
        assert_eq!(
            Authorization::parse(&ok.replace(r#"mchid="1""#, r#"nonce_str="9""#)),
            Err(Duplicate("nonce_str"))
        );
        assert_eq!(
            Authorization::parse(&ok.replace(r#"mchid="1""#, r#"x="1""#)),
            Err(Unknown)
        );
        assert_eq!(
            Authorization::parse(&ok.replace(r#"timestamp="4""#, r#"timestamp="-4""#)),
            Err(Timestamp)
        );
        assert_eq!(
            Authorization::parse(
                &ok.replace(r#"timestamp="4""#, r#"timestamp="99999999999999999999""#)
            ),
            Err(Timestamp)
        );
        for e in [
            Scheme,
            Malformed,
            Missing("x"),
            Duplicate("x"),
            Unknown,
            Timestamp,
        ] {
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn path_checks() {
        assert!(check_path_and_query("/v3/x?a=%20").is_ok());
        assert_eq!(
            check_path_and_query("v3"),
            Err(AuthError::InvalidPathAndQuery)
        );
        assert_eq!(
            check_path_and_query("/a b"),
            Err(AuthError::InvalidPathAndQuery)
        );
        assert_eq!(
            check_path_and_query("/a#b"),
            Err(AuthError::InvalidPathAndQuery)
        );
        assert_eq!(
            check_path_and_query("/中"),
            Err(AuthError::InvalidPathAndQuery)
        );
    }
}
