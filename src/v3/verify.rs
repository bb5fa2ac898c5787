//! Verifying WeChat Pay's signature on a v3 response or notification (official rules:
//! <https://pay.weixin.qq.com/doc/v3/merchant/4013053420>).
//!
//! Order of checks: the four `Wechatpay-*` headers are present exactly once; an explicit
//! `Wechatpay-Signature-Type` (if any) is `WECHATPAY2-SHA256-RSA2048`; each of the four values
//! is non-empty visible ASCII (no space, tab, CR, LF: a nonce holding a newline could otherwise
//! take part of the body and still verify); a `WECHATPAY/SIGNTEST/` probe is reported as
//! [`VerifyError::SignatureProbe`]; the timestamp is a number within the allowed skew of `now`
//! (the caller's clock: nothing here reads the time); the key is found by `Wechatpay-Serial`; a
//! platform certificate must be valid at `now` ([`VerifyError::KeyNotValidAt`]: a retired key
//! proves nothing); the signature is base64 of the key's length; RSASSA-PKCS1-v1_5/SHA-256 over
//! `TIMESTAMP\nNONCE\nBODY\n` with the raw body bytes ([`crate::v3::canonical`]).
//!
//! ```
//! use wechatpay_sansio::{simulator::Simulator, time::UnixTime};
//! use wechatpay_sansio::v3::verify::{Verifier, VerifyError, VerifyOptions};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let sim = Simulator::new();                                        // TEST ONLY keys
//! let merchant = sim.merchant();
//! let now = UnixTime::from_secs(1_767_225_600);
//! let reply = sim.signed_v3_reply(&mut rng, http::StatusCode::OK, b"{}".to_vec(), now);
//! let verifier = Verifier::new(merchant.keys()).with_options(VerifyOptions::default());
//! assert_eq!(verifier.verify(reply.headers(), reply.body(), now)?, sim.platform_serial());
//! let mut probe = reply.clone();
//! probe.headers_mut().insert("wechatpay-signature",
//!     http::HeaderValue::from_static("WECHATPAY/SIGNTEST/abc"));
//! assert_eq!(verifier.verify(probe.headers(), probe.body(), now), Err(VerifyError::SignatureProbe));
//! # Ok::<(), VerifyError>(())
//! ```

use crate::crypto::RsaPublic as _;
use crate::error::{Classify, Disposition, Distrust};
use crate::keys::{KeyId, KeyStore};
use crate::time::UnixTime;
use crate::v3::SCHEME;
use crate::v3::canonical::Message;
use crate::v3::header::{
    WECHATPAY_NONCE, WECHATPAY_SERIAL, WECHATPAY_SIGNATURE, WECHATPAY_SIGNATURE_TYPE,
    WECHATPAY_TIMESTAMP,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use core::time::Duration;
use http::{HeaderMap, HeaderName};

/// Prefix of the deliberately wrong signatures WeChat Pay sends to check that merchants verify.
pub const SIGNTEST_PREFIX: &str = "WECHATPAY/SIGNTEST/";

/// Verification settings.
///
/// ```
/// use core::time::Duration;
/// use wechatpay_sansio::v3::verify::VerifyOptions;
/// let o = VerifyOptions::default().with_max_skew(Duration::from_secs(120));
/// assert_eq!(o.max_skew(), Duration::from_secs(120));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    max_skew: Duration,
}

impl Default for VerifyOptions {
    /// A five-minute window, the official guidance.
    fn default() -> Self {
        Self {
            max_skew: Duration::from_secs(300),
        }
    }
}

impl VerifyOptions {
    /// Largest accepted `|now − Wechatpay-Timestamp|`, exclusive (a difference equal to it is
    /// rejected), in whole seconds.
    #[must_use]
    pub const fn with_max_skew(mut self, max_skew: Duration) -> Self {
        self.max_skew = max_skew;
        self
    }

    /// The clock-skew window.
    #[must_use]
    pub const fn max_skew(&self) -> Duration {
        self.max_skew
    }
}

/// What verifies WeChat Pay's signatures: the trusted keys and the settings. Cheap to copy;
/// [`crate::merchant::Merchant::verifier`] gives the merchant's.
///
/// ```no_run
/// # use wechatpay_sansio::{keys::KeyStore, v3::verify::Verifier};
/// # let (headers, body, store) = (http::HeaderMap::new(), b"", KeyStore::new());
/// let now = wechatpay_sansio::os::now(); // or your own clock
/// let key_id = Verifier::new(&store).verify(&headers, body, now)?;
/// # Ok::<(), wechatpay_sansio::v3::verify::VerifyError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Verifier<'a> {
    store: &'a KeyStore,
    options: VerifyOptions,
}

impl<'a> Verifier<'a> {
    /// Verify with `store` and the default [`VerifyOptions`].
    #[must_use]
    pub fn new(store: &'a KeyStore) -> Self {
        Self {
            store,
            options: VerifyOptions::default(),
        }
    }

    /// Other settings.
    #[must_use]
    pub fn with_options(mut self, options: VerifyOptions) -> Self {
        self.options = options;
        self
    }

    /// The trusted keys.
    #[must_use]
    pub fn store(&self) -> &'a KeyStore {
        self.store
    }

    /// The settings.
    #[must_use]
    pub fn options(&self) -> VerifyOptions {
        self.options
    }

    /// Verify a response or notification: the `Wechatpay-*` headers from `headers`, the raw
    /// `body`, at `now` (the caller's clock). Returns the id of the key that verified.
    ///
    /// # Errors
    /// See [`VerifyError`].
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: UnixTime,
    ) -> Result<&'a KeyId, VerifyError> {
        self.verify_headers(&SignatureHeaders::from_headers(headers)?, body, now)
    }

    /// Verify given the four header values (as a web framework hands them out).
    ///
    /// # Errors
    /// See [`VerifyError`].
    pub fn verify_headers(
        &self,
        headers: &SignatureHeaders<'_>,
        body: &[u8],
        now: UnixTime,
    ) -> Result<&'a KeyId, VerifyError> {
        headers.verify(body, self.store, now, &self.options)
    }
}

/// Why a signature was not accepted.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A required `Wechatpay-*` header is absent (error replies often lack them: only 2xx are signed).
    #[error("header {0} is missing")]
    MissingHeader(&'static str),
    /// A `Wechatpay-*` header occurs more than once.
    #[error("header {0} occurs more than once")]
    DuplicateHeader(&'static str),
    /// A header value is empty or not visible ASCII (spaces and control characters included).
    #[error("header {0} is empty or not visible ASCII")]
    InvalidHeader(&'static str),
    /// `Wechatpay-Signature-Type` names another scheme (e.g. `WECHATPAY2-SM2-WITH-SM3`).
    #[error("unsupported Wechatpay-Signature-Type (only WECHATPAY2-SHA256-RSA2048)")]
    UnsupportedSignatureType,
    /// `Wechatpay-Signature` starts with `WECHATPAY/SIGNTEST/`: WeChat Pay's probe that the
    /// merchant verifies signatures. Answer it as a verification failure; it is not an attack.
    #[error(
        "signature probe (WECHATPAY/SIGNTEST/): WeChat Pay is checking that signatures are verified"
    )]
    SignatureProbe,
    /// `Wechatpay-Timestamp` is not a decimal number of seconds.
    #[error("Wechatpay-Timestamp is not a number of seconds")]
    InvalidTimestamp,
    /// The timestamp is too far from `now`.
    #[error(
        "Wechatpay-Timestamp is {skew} s away from now (limit {max_skew} s): stale or replayed"
    )]
    StaleTimestamp {
        /// `|now − timestamp|`.
        skew: u64,
        /// The configured limit.
        max_skew: u64,
    },
    /// No key with that id in the store (refresh platform certificates, or add the public key).
    #[error("no WeChat Pay key with id {0} (Wechatpay-Serial)")]
    UnknownKey(String),
    /// The platform certificate named by `Wechatpay-Serial` is outside its validity at `now`
    /// (expired, or not yet valid): a retired key proves nothing. Refresh the certificates.
    #[error(
        "WeChat Pay certificate {id} is not valid at {now} (valid {not_before} to {not_after}): refresh the platform certificates"
    )]
    KeyNotValidAt {
        /// The certificate serial.
        id: String,
        /// The verification time.
        now: UnixTime,
        /// Start of validity.
        not_before: UnixTime,
        /// End of validity.
        not_after: UnixTime,
    },
    /// `Wechatpay-Signature` is not valid base64.
    #[error("Wechatpay-Signature is not valid base64")]
    SignatureEncoding,
    /// The decoded signature has the wrong length for the key.
    #[error("Wechatpay-Signature is {got} bytes; the key needs {expected}")]
    SignatureLength {
        /// Modulus length.
        expected: usize,
        /// Decoded length.
        got: usize,
    },
    /// The signature does not verify.
    #[error("signature does not verify (body altered or re-serialised, or wrong key)")]
    BadSignature,
}

impl Classify for VerifyError {
    /// [`Disposition::Untrusted`], always: a reply or notification that does not verify proves
    /// nothing (answer a notification with an error status so that WeChat Pay retries). Why is
    /// [`Classify::distrust`].
    fn disposition(&self) -> Disposition {
        Disposition::Untrusted
    }

    /// [`Distrust::Probe`] for [`VerifyError::SignatureProbe`]; [`Distrust::Clock`] for
    /// [`VerifyError::StaleTimestamp`]; [`Distrust::KeyRotation`] for
    /// [`VerifyError::UnknownKey`] and [`VerifyError::KeyNotValidAt`]; [`Distrust::Tampered`]
    /// for the rest (a signature that does not verify, headers missing or garbled).
    fn distrust(&self) -> Option<Distrust> {
        Some(match self {
            Self::SignatureProbe => Distrust::Probe,
            Self::StaleTimestamp { .. } => Distrust::Clock,
            Self::UnknownKey(_) | Self::KeyNotValidAt { .. } => Distrust::KeyRotation,
            Self::MissingHeader(_)
            | Self::DuplicateHeader(_)
            | Self::InvalidHeader(_)
            | Self::UnsupportedSignatureType
            | Self::InvalidTimestamp
            | Self::SignatureEncoding
            | Self::SignatureLength { .. }
            | Self::BadSignature => Distrust::Tampered,
        })
    }
}

/// The four signature headers of a response or notification, as received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureHeaders<'a> {
    /// `Wechatpay-Timestamp`.
    pub timestamp: &'a str,
    /// `Wechatpay-Nonce`.
    pub nonce: &'a str,
    /// `Wechatpay-Signature` (base64).
    pub signature: &'a str,
    /// `Wechatpay-Serial` (certificate serial or `PUB_KEY_ID_…`).
    pub serial: &'a str,
}

fn one<'a>(
    headers: &'a HeaderMap,
    name: &'static HeaderName,
) -> Result<Option<&'a str>, VerifyError> {
    let mut it = headers.get_all(name).iter();
    let Some(v) = it.next() else { return Ok(None) };
    if it.next().is_some() {
        return Err(VerifyError::DuplicateHeader(name.as_str()));
    }
    v.to_str()
        .map(|s| Some(s.trim()))
        .map_err(|_| VerifyError::InvalidHeader(name.as_str()))
}

impl<'a> SignatureHeaders<'a> {
    /// Extract the headers (names are case-insensitive in [`HeaderMap`]).
    ///
    /// # Errors
    /// [`VerifyError::MissingHeader`], [`VerifyError::DuplicateHeader`],
    /// [`VerifyError::InvalidHeader`], [`VerifyError::UnsupportedSignatureType`].
    pub fn from_headers(headers: &'a HeaderMap) -> Result<Self, VerifyError> {
        if let Some(t) = one(headers, &WECHATPAY_SIGNATURE_TYPE)?
            && t != SCHEME
        {
            return Err(VerifyError::UnsupportedSignatureType);
        }
        let need =
            |n: &'static HeaderName| one(headers, n)?.ok_or(VerifyError::MissingHeader(n.as_str()));
        Ok(Self {
            timestamp: need(&WECHATPAY_TIMESTAMP)?,
            nonce: need(&WECHATPAY_NONCE)?,
            signature: need(&WECHATPAY_SIGNATURE)?,
            serial: need(&WECHATPAY_SERIAL)?,
        })
    }

    /// Verify `body` against these headers (what [`Verifier::verify_headers`] does).
    fn verify<'s>(
        &self,
        body: &[u8],
        store: &'s KeyStore,
        now: UnixTime,
        options: &VerifyOptions,
    ) -> Result<&'s KeyId, VerifyError> {
        for (name, value) in [
            (WECHATPAY_TIMESTAMP.as_str(), self.timestamp),
            (WECHATPAY_NONCE.as_str(), self.nonce),
            (WECHATPAY_SIGNATURE.as_str(), self.signature),
            (WECHATPAY_SERIAL.as_str(), self.serial),
        ] {
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(VerifyError::InvalidHeader(name));
            }
        }
        if self.signature.starts_with(SIGNTEST_PREFIX) {
            return Err(VerifyError::SignatureProbe);
        }
        let ts = self.timestamp;
        if ts.is_empty() || ts.len() > 19 || !ts.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VerifyError::InvalidTimestamp);
        }
        let ts = UnixTime::from_secs(ts.parse().map_err(|_| VerifyError::InvalidTimestamp)?);
        let skew = now.abs_diff(ts);
        if skew >= options.max_skew {
            return Err(VerifyError::StaleTimestamp {
                skew: skew.as_secs(),
                max_skew: options.max_skew.as_secs(),
            });
        }
        let key = store
            .get_by_header(self.serial)
            .ok_or_else(|| VerifyError::UnknownKey(self.serial.chars().take(64).collect()))?;
        if let Some(v) = key.validity()
            && !v.contains(now)
        {
            return Err(VerifyError::KeyNotValidAt {
                id: key.id().as_str().to_owned(),
                now,
                not_before: v.not_before,
                not_after: v.not_after,
            });
        }
        let sig = STANDARD
            .decode(self.signature)
            .map_err(|_| VerifyError::SignatureEncoding)?;
        let expected = key.key().0.modulus_len();
        if sig.len() != expected {
            return Err(VerifyError::SignatureLength {
                expected,
                got: sig.len(),
            });
        }
        if Message::response(self.timestamp, self.nonce, body).verify(&key.key().0, &sig) {
            Ok(key.id())
        } else {
            Err(VerifyError::BadSignature)
        }
    }
}
