//! Verifying WeChat Pay's signature on a v3 response or notification (SPEC §2.3).
//!
//! Order of checks: the four `Wechatpay-*` headers are present exactly once; an explicit
//! `Wechatpay-Signature-Type` (if any) is `WECHATPAY2-SHA256-RSA2048`; each of the four values
//! is non-empty visible ASCII (no space, tab, CR, LF: a nonce holding a newline could otherwise
//! take part of the body and still verify); a `WECHATPAY/SIGNTEST/` probe is reported as
//! [`VerifyError::SignatureProbe`]; the timestamp is a number within the allowed skew of `now`
//! (the caller's clock: nothing here reads the time); the key is found by `Wechatpay-Serial`; a
//! platform certificate must be valid at `now` ([`VerifyError::KeyNotValidAt`]: a retired key
//! proves nothing); the signature is base64 of the key's length; RSASSA-PKCS1-v1_5/SHA-256 over
//! `TIMESTAMP\nNONCE\nBODY\n` with the raw body bytes.

use crate::keys::{KeyId, KeyStore};
use crate::v3::SCHEME;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;

/// `Wechatpay-Timestamp`.
pub const HEADER_TIMESTAMP: &str = "wechatpay-timestamp";
/// `Wechatpay-Nonce`.
pub const HEADER_NONCE: &str = "wechatpay-nonce";
/// `Wechatpay-Signature`.
pub const HEADER_SIGNATURE: &str = "wechatpay-signature";
/// `Wechatpay-Serial`.
pub const HEADER_SERIAL: &str = "wechatpay-serial";
/// `Wechatpay-Signature-Type`.
pub const HEADER_SIGNATURE_TYPE: &str = "wechatpay-signature-type";

/// Prefix of the deliberately wrong signatures WeChat Pay sends to check that merchants verify.
pub const SIGNTEST_PREFIX: &str = "WECHATPAY/SIGNTEST/";

/// Verification settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Largest accepted `|now − Wechatpay-Timestamp|`, in seconds, exclusive: a difference equal
    /// to it is rejected. Default 300 (five minutes, the official guidance).
    pub max_skew: u64,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self { max_skew: 300 }
    }
}

/// Why a signature was not accepted.
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
        now: u64,
        /// Start of validity.
        not_before: u64,
        /// End of validity.
        not_after: u64,
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

fn one<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<Option<&'a str>, VerifyError> {
    let mut it = headers.get_all(name).iter();
    let Some(v) = it.next() else { return Ok(None) };
    if it.next().is_some() {
        return Err(VerifyError::DuplicateHeader(name));
    }
    v.to_str()
        .map(|s| Some(s.trim()))
        .map_err(|_| VerifyError::InvalidHeader(name))
}

impl<'a> SignatureHeaders<'a> {
    /// Extract the headers (names are case-insensitive in [`HeaderMap`]).
    ///
    /// # Errors
    /// [`VerifyError::MissingHeader`], [`VerifyError::DuplicateHeader`],
    /// [`VerifyError::InvalidHeader`], [`VerifyError::UnsupportedSignatureType`].
    pub fn from_headers(headers: &'a HeaderMap) -> Result<Self, VerifyError> {
        if let Some(t) = one(headers, HEADER_SIGNATURE_TYPE)?
            && t != SCHEME
        {
            return Err(VerifyError::UnsupportedSignatureType);
        }
        let need = |n| one(headers, n)?.ok_or(VerifyError::MissingHeader(n));
        Ok(Self {
            timestamp: need(HEADER_TIMESTAMP)?,
            nonce: need(HEADER_NONCE)?,
            signature: need(HEADER_SIGNATURE)?,
            serial: need(HEADER_SERIAL)?,
        })
    }

    /// Verify `body` against these headers. Returns the id of the key that verified.
    ///
    /// # Errors
    /// See [`VerifyError`].
    pub fn verify<'s>(
        &self,
        body: &[u8],
        store: &'s KeyStore,
        now: u64,
        options: &VerifyOptions,
    ) -> Result<&'s KeyId, VerifyError> {
        for (name, value) in [
            (HEADER_TIMESTAMP, self.timestamp),
            (HEADER_NONCE, self.nonce),
            (HEADER_SIGNATURE, self.signature),
            (HEADER_SERIAL, self.serial),
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
        let ts: u64 = ts.parse().map_err(|_| VerifyError::InvalidTimestamp)?;
        let skew = now.abs_diff(ts);
        if skew >= options.max_skew {
            return Err(VerifyError::StaleTimestamp {
                skew,
                max_skew: options.max_skew,
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
        let nl: &[u8] = b"\n";
        let parts = [
            self.timestamp.as_bytes(),
            nl,
            self.nonce.as_bytes(),
            nl,
            body,
            nl,
        ];
        if key.key().0.verify_sha256(&parts, &sig) {
            Ok(key.id())
        } else {
            Err(VerifyError::BadSignature)
        }
    }
}

/// Verify a response or notification: headers from `headers`, raw `body`, keys from `store`,
/// `now` in Unix seconds.
///
/// ```no_run
/// # use wechatpay_sansio::{keys::KeyStore, v3::verify::{verify, VerifyOptions}};
/// # let (headers, body, store) = (http::HeaderMap::new(), b"", KeyStore::new());
/// let now = wechatpay_sansio::os::now(); // or your own clock
/// let key_id = verify(&headers, body, &store, now, &VerifyOptions::default())?;
/// # Ok::<(), wechatpay_sansio::v3::verify::VerifyError>(())
/// ```
///
/// # Errors
/// See [`VerifyError`].
pub fn verify<'s>(
    headers: &HeaderMap,
    body: &[u8],
    store: &'s KeyStore,
    now: u64,
    options: &VerifyOptions,
) -> Result<&'s KeyId, VerifyError> {
    SignatureHeaders::from_headers(headers)?.verify(body, store, now, options)
}
