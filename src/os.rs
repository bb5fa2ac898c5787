//! Convenience helpers that read the system clock and the operating-system RNG (feature `os`,
//! on by default). Nothing else in the crate reads either: the core takes `now`, nonces and an
//! RNG as arguments, so tests and simulations stay deterministic.

use crate::ids::{IdError, Nonce};
use crate::time::UnixTime;

/// The operating system's random number generator (through `getrandom`), usable wherever the
/// crate asks for an RNG.
///
/// ```
/// use wechatpay_sansio::{ids::Nonce, os::OsRng};
/// let n = Nonce::generate(&mut OsRng)?;
/// assert_eq!(n.as_str().len(), 32);
/// # Ok::<(), wechatpay_sansio::ids::IdError>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRng;

impl rand_core::TryRng for OsRng {
    type Error = getrandom::Error;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        getrandom::SysRng.try_next_u32()
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        getrandom::SysRng.try_next_u64()
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        getrandom::SysRng.try_fill_bytes(dst)
    }
}

impl rand_core::TryCryptoRng for OsRng {}

/// The current time from the system clock (the epoch if the clock is before 1970).
#[must_use]
pub fn now() -> UnixTime {
    UnixTime::from_system_time(std::time::SystemTime::now()).unwrap_or(UnixTime::EPOCH)
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
