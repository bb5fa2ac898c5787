//! Convenience helpers that read the system clock and the operating-system RNG (feature `os`,
//! on by default). Nothing else in the crate reads either: the core takes `now`, nonces and an
//! RNG as arguments, so tests and simulations stay deterministic.

use crate::ids::{IdError, Nonce};

/// The OS random number generator (`getrandom`), usable wherever the crate asks for an RNG.
pub use getrandom::SysRng as OsRng;

/// Current Unix time in seconds (0 if the clock is before 1970).
#[must_use]
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A fresh 32-character nonce from the OS RNG.
///
/// ```
/// assert_eq!(wechatpay_sansio::os::nonce()?.as_str().len(), 32);
/// # Ok::<(), wechatpay_sansio::ids::IdError>(())
/// ```
///
/// # Errors
/// [`IdError::Rng`] if the OS RNG fails.
pub fn nonce() -> Result<Nonce, IdError> {
    Nonce::generate(&mut OsRng)
}
