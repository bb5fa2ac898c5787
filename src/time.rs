//! [`UnixTime`]: an instant as whole seconds since the Unix epoch, the unit of every WeChat Pay
//! timestamp (`Wechatpay-Timestamp`, the `Authorization` timestamp, `timeStamp` of front-end
//! signatures, certificate validity).
//!
//! Every function of this crate that needs the time takes it as an argument (nothing reads a
//! clock outside the `os` module), as a `UnixTime` rather than a bare integer, so that
//! seconds cannot be mistaken for milliseconds. Spans of time (the clock-skew window, the
//! certificate refresh margin) are [`core::time::Duration`]s.
//!
//! ```
//! use wechatpay_sansio::time::UnixTime;
//! use core::time::Duration;
//! let t = UnixTime::from_secs(1_624_523_846);
//! assert_eq!(t.as_secs(), 1_624_523_846);
//! assert_eq!((t + Duration::from_secs(300)).as_secs(), 1_624_524_146);
//! assert_eq!(t.abs_diff(UnixTime::from_secs(1_624_523_546)), Duration::from_secs(300));
//! assert_eq!(t.to_string(), "1624523846");
//! ```

use core::fmt;
use core::ops::{Add, Sub};
use core::time::Duration;

/// Seconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixTime(u64);

impl UnixTime {
    /// The epoch itself.
    pub const EPOCH: Self = Self(0);

    /// From whole seconds since the epoch.
    #[must_use]
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs)
    }

    /// Whole seconds since the epoch.
    #[must_use]
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// From a [`std::time::SystemTime`] (this reads no clock: the caller took the reading).
    /// `None` for a time before the epoch.
    ///
    /// ```
    /// use wechatpay_sansio::time::UnixTime;
    /// let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(5);
    /// assert_eq!(UnixTime::from_system_time(t), Some(UnixTime::from_secs(5)));
    /// ```
    #[must_use]
    pub fn from_system_time(t: std::time::SystemTime) -> Option<Self> {
        t.duration_since(std::time::UNIX_EPOCH)
            .ok()
            .map(|d| Self(d.as_secs()))
    }

    /// The distance between two instants, whichever comes first.
    #[must_use]
    pub const fn abs_diff(self, other: Self) -> Duration {
        Duration::from_secs(self.0.abs_diff(other.0))
    }

    /// `self + d`, saturating at the largest instant.
    #[must_use]
    pub const fn saturating_add(self, d: Duration) -> Self {
        Self(self.0.saturating_add(d.as_secs()))
    }

    /// `self - d`, saturating at the epoch.
    #[must_use]
    pub const fn saturating_sub(self, d: Duration) -> Self {
        Self(self.0.saturating_sub(d.as_secs()))
    }
}

impl Add<Duration> for UnixTime {
    type Output = Self;
    /// Saturating: never wraps.
    fn add(self, d: Duration) -> Self {
        self.saturating_add(d)
    }
}

impl Sub<Duration> for UnixTime {
    type Output = Self;
    /// Saturating at the epoch.
    fn sub(self, d: Duration) -> Self {
        self.saturating_sub(d)
    }
}

impl fmt::Display for UnixTime {
    /// Decimal seconds, as WeChat Pay writes timestamps.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl From<UnixTime> for u64 {
    fn from(t: UnixTime) -> u64 {
        t.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates() {
        let max = UnixTime::from_secs(u64::MAX);
        assert_eq!(max + Duration::from_secs(1), max);
        assert_eq!(UnixTime::EPOCH - Duration::from_secs(1), UnixTime::EPOCH);
        assert_eq!(u64::from(UnixTime::from_secs(7)), 7);
        assert_eq!(
            UnixTime::from_system_time(std::time::UNIX_EPOCH - Duration::from_secs(1)),
            None
        );
    }
}
