//! "What now?" for every error of this crate: [`Disposition`], through one trait, [`Classify`];
//! for a reply that cannot be trusted, why ([`Distrust`]).
//!
//! Every public error type implements [`Classify`], so an integration decides what to do with
//! any failure — retry, tell the user, page an operator, drop the reply — without matching
//! WeChat Pay's Chinese messages itself. The crate keeps the tables (documented v2 `err_code`s,
//! v3 error codes and their per-endpoint meanings, OAuth `retcode`s, `return_msg` texts of
//! transport failures).
//!
//! ```
//! use wechatpay_sansio::error::{Classify, Disposition, Distrust};
//! use wechatpay_sansio::v3::verify::VerifyError;
//! assert_eq!(VerifyError::SignatureProbe.disposition(), Disposition::Untrusted);
//! assert_eq!(VerifyError::SignatureProbe.distrust(), Some(Distrust::Probe)); // not an attack
//! assert_eq!(VerifyError::BadSignature.distrust(), Some(Distrust::Tampered)); // alert
//! assert!(!Disposition::Untrusted.is_retryable());
//! assert!(Disposition::Transient.is_retryable());
//! ```

use core::fmt;

pub use crate::validate::FieldError;

/// What to do about an error.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disposition {
    /// Retry later with the same request (and the same order number): WeChat Pay is busy, rate
    /// limiting, or answered with a system error; or the local RNG failed.
    Transient,
    /// The request, as given, is refused — by WeChat Pay's answer about the user, the order or
    /// the business, or by validation before anything was sent. Retrying it unchanged will not
    /// help: tell the user, or fix the input.
    Rejected,
    /// The merchant's setup is wrong: a key, the sign type, a certificate, the mutual-TLS client
    /// certificate, the IP allow-list, a product permission, a missing key in the merchant
    /// context. Retrying will not help: alert an operator.
    Misconfigured,
    /// A reply or notification could not be trusted: never act on it. Why — and so what to do —
    /// is [`Classify::distrust`]: WeChat Pay's signature probe (drop it), a timestamp outside
    /// the window (check the clock), an unknown or retired platform key (refresh the platform
    /// certificates), or a signature that does not verify, a folded or malformed reply (possible
    /// attack: alert).
    Untrusted,
}

impl Disposition {
    /// Whether the same request may simply be sent again later: only
    /// [`Disposition::Transient`]. An [`Disposition::Untrusted`] reply is not retried
    /// automatically: first deal with its [`Distrust`] (a probe needs nothing, a clock or key
    /// problem needs fixing, a tampered reply needs an alert); the outcome of the request is
    /// unknown until a query or a repeat of it gets a genuine reply.
    #[must_use]
    pub const fn is_retryable(self) -> bool {
        matches!(self, Self::Transient)
    }
}

/// Why a reply or notification is [`Disposition::Untrusted`]: four different "what now?"s.
///
/// ```
/// use wechatpay_sansio::error::{Classify, Distrust};
/// use wechatpay_sansio::v3::verify::VerifyError;
/// let e = VerifyError::StaleTimestamp { skew: 400, max_skew: 300 };
/// match e.distrust() {
///     Some(Distrust::Probe) => { /* WeChat Pay checking that we verify: answer, drop, no alarm */ }
///     Some(Distrust::Clock) => { /* check our clock (NTP); if it is right, treat as tampered */ }
///     Some(Distrust::KeyRotation) => { /* refresh the platform certificates */ }
///     Some(Distrust::Tampered) => { /* possible attack: alert */ }
///     Some(_) => { /* Distrust is #[non_exhaustive] */ }
///     None => { /* not Untrusted: see disposition() */ }
/// }
/// assert_eq!(e.distrust(), Some(Distrust::Clock));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Distrust {
    /// `Wechatpay-Signature` starts with `WECHATPAY/SIGNTEST/`: WeChat Pay deliberately sent a
    /// wrong signature to check that the merchant verifies. Not an attack: answer it as a failed
    /// verification (notifications) and drop it.
    Probe,
    /// `Wechatpay-Timestamp` is outside the allowed skew of `now`: check our clock (NTP). With
    /// a correct clock it is a replay: treat it as [`Distrust::Tampered`].
    Clock,
    /// `Wechatpay-Serial` names no key we trust, or a platform certificate not valid at `now`:
    /// WeChat Pay rotated its keys. Refresh the platform certificates (or add the WeChat Pay
    /// public key).
    KeyRotation,
    /// The signature does not verify, or the reply is folded, malformed or missing what a
    /// genuine one carries: possibly an attack (or a broken proxy). Alert.
    Tampered,
}

impl fmt::Display for Distrust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Probe => "signature probe",
            Self::Clock => "clock",
            Self::KeyRotation => "key rotation",
            Self::Tampered => "tampered",
        })
    }
}

impl fmt::Display for Disposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Transient => "transient",
            Self::Rejected => "rejected",
            Self::Misconfigured => "misconfigured",
            Self::Untrusted => "untrusted",
        })
    }
}

/// Implemented by every error type of this crate.
pub trait Classify {
    /// What to do about this error.
    fn disposition(&self) -> Disposition;

    /// Whether retrying the same request later may succeed: the disposition is
    /// [`Disposition::Transient`]. The one `is_retryable` of the crate.
    ///
    /// ```
    /// use wechatpay_sansio::error::Classify;
    /// assert!(wechatpay_sansio::api::ApiError::Rng.is_retryable());
    /// ```
    fn is_retryable(&self) -> bool {
        self.disposition().is_retryable()
    }

    /// Why an [`Disposition::Untrusted`] error is untrusted; `None` for every other
    /// disposition. The default says [`Distrust::Tampered`] for every untrusted error: the
    /// signature-verification errors (and the errors that carry one) say more.
    ///
    /// ```
    /// use wechatpay_sansio::error::{Classify, Distrust};
    /// use wechatpay_sansio::v3::verify::VerifyError;
    /// assert_eq!(VerifyError::UnknownKey("5157F09E".into()).distrust(), Some(Distrust::KeyRotation));
    /// assert_eq!(wechatpay_sansio::api::ApiError::Rng.distrust(), None);
    /// ```
    fn distrust(&self) -> Option<Distrust> {
        tampered_if_untrusted(self.disposition())
    }
}

/// The default [`Classify::distrust`]: [`Distrust::Tampered`] for [`Disposition::Untrusted`].
pub(crate) fn tampered_if_untrusted(d: Disposition) -> Option<Distrust> {
    (d == Disposition::Untrusted).then_some(Distrust::Tampered)
}
