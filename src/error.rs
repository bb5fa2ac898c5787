//! "What now?" for every error of this crate: [`Disposition`], through one trait, [`Classify`].
//!
//! Every public error type implements [`Classify`], so an integration decides what to do with
//! any failure — retry, tell the user, page an operator, drop the reply — without matching
//! WeChat Pay's Chinese messages itself. The crate keeps the tables (documented v2 `err_code`s,
//! v3 error codes, OAuth `retcode`s, `return_msg` texts of transport failures).
//!
//! ```
//! use wechatpay_sansio::error::{Classify, Disposition};
//! use wechatpay_sansio::v3::verify::VerifyError;
//! assert_eq!(VerifyError::SignatureProbe.disposition(), Disposition::Untrusted);
//! assert!(!Disposition::Untrusted.is_retryable());
//! assert!(Disposition::Transient.is_retryable());
//! ```

use core::fmt;

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
    /// A reply could not be trusted: a signature that does not verify, a stale or replayed
    /// timestamp, a certificate outside its validity, an unknown key, a folded or malformed
    /// reply. Never act on it; a retry of the request may get a genuine reply.
    Untrusted,
}

impl Disposition {
    /// Whether retrying the same request later may succeed: [`Disposition::Transient`] (and
    /// [`Disposition::Untrusted`] is not retried automatically: a tampered reply is an alarm).
    #[must_use]
    pub const fn is_retryable(self) -> bool {
        matches!(self, Self::Transient)
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
}

/// HTTP statuses that mean "busy, try later": 429 and 5xx.
pub(crate) const fn transient_status(status: u16) -> bool {
    status == 429 || status >= 500
}
