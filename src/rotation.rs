//! Keeping a running service's WeChat Pay platform certificates fresh, without I/O: a small
//! state machine ([`KeyRefresher`]) says when to download `/v3/certificates` and merges each
//! download into the keys of a [`SharedMerchant`], the merchant context many tasks read without
//! a lock.
//!
//! The service's loop (the README's "Key rotation" has it whole):
//!
//! 1. [`KeyRefresher::poll`] at `now`: [`Poll::Fetch`] (send the request) or
//!    [`Poll::IdleUntil`] (sleep until then, or until a reply fails with
//!    [`Distrust::KeyRotation`], then poll again).
//! 2. The reply goes to [`KeyRefresher::on_reply`]; no reply to [`KeyRefresher::on_no_reply`].
//!
//! When: at the first poll; then every [`RefreshPolicy::interval`] (12 h) plus a jitter drawn
//! from the caller's RNG; earlier when [`KeyStore::refresh_due`] says so (no certificate stays
//! valid for its margin, or a reply named a serial the store does not hold), at most once per
//! [`RefreshPolicy::min_interval`] — but when a download did not bring a certificate that
//! covers the margin (WeChat Pay publishes the next one about 10 days before the current one
//! expires, the default margin is 14), the expiry signal waits [`EXPIRY_RECHECK`] before it
//! asks again, rather than downloading every `min_interval` for days. A failure backs off,
//! doubling from [`RefreshPolicy::backoff_initial`] up to [`RefreshPolicy::backoff_max`]; the
//! error says what went wrong ([`Classify`]) and when the next try is
//! ([`RotationError::retry_at`]).
//!
//! The merge ([`merge`]) keeps the WeChat Pay public keys (`PUB_KEY_ID_…`) and the certificates
//! still valid, adds the downloaded ones, and drops the expired ones (an accepted download holds
//! at least the certificate that signed it, so the keys never become empty); a refused download
//! (tampered, unverified, signed by a certificate not valid now, an error status) leaves the
//! keys as they were.

use crate::api::certificates::CertificatesRequest;
use crate::api::{ApiError, Operation};
use crate::error::{Classify, Disposition, Distrust};
use crate::keys::{KeyId, KeyStore};
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::time::UnixTime;
use crate::v3::certificates::Skipped;
use arc_swap::ArcSwap;
use core::ops::Deref;
use core::time::Duration;
use rand_core::TryCryptoRng;
use std::sync::Arc;

/// How long the expiry half of [`KeyStore::refresh_due`] waits after a download that did not
/// bring a certificate covering the margin (an unknown serial still wakes the refresher after
/// [`RefreshPolicy::min_interval`]).
pub const EXPIRY_RECHECK: Duration = Duration::from_secs(3600);

/// The least time between two downloads whatever the policy says (a zero interval would
/// otherwise download at every poll).
const FLOOR: Duration = Duration::from_secs(1);

/// A [`Merchant`] shared by many tasks whose keys a refresher replaces while they run. Readers
/// [`load`](Self::load) it (no lock: an atomic load, `arc-swap`); the refresher
/// [`swap_keys`](Self::swap_keys) stores a new merchant with the new keys, which the next load
/// sees. A reader that already holds one keeps a consistent merchant for its call.
///
/// ```
/// use std::sync::Arc;
/// use wechatpay_sansio::rotation::SharedMerchant;
/// use wechatpay_sansio::{keys::KeyStore, simulator::Simulator};
/// let shared = Arc::new(SharedMerchant::new(Simulator::new().merchant()));   // TEST ONLY keys
/// let reader = Arc::clone(&shared);
/// let task = std::thread::spawn(move || reader.load().mchid().as_str().to_owned());
/// assert_eq!(task.join().map_err(|_| "panicked")?, "1900000109");
/// assert_eq!(shared.load().keys().len(), 2);
/// shared.swap_keys(KeyStore::new());
/// assert!(shared.load().keys().is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SharedMerchant {
    inner: ArcSwap<Merchant>,
}

impl SharedMerchant {
    /// Share `merchant`.
    #[must_use]
    pub fn new(merchant: Merchant) -> Self {
        Self {
            inner: ArcSwap::from_pointee(merchant),
        }
    }

    /// The current merchant, for one call or a few (dereferences to `Arc<Merchant>`, hence to
    /// `&Merchant`: pass `&shared.load()` to `build` and `parse_reply`). Lock-free; hold it
    /// for the call, not for the task's life (it pins the old merchant).
    #[must_use]
    pub fn load(&self) -> impl Deref<Target = Arc<Merchant>> + use<> {
        self.inner.load()
    }

    /// The current merchant as an owned `Arc` (to keep beyond a call).
    #[must_use]
    pub fn load_full(&self) -> Arc<Merchant> {
        self.inner.load_full()
    }

    /// Replace the whole merchant (new credentials).
    pub fn store(&self, merchant: Merchant) {
        self.inner.store(Arc::new(merchant));
    }

    /// Replace the merchant's WeChat Pay keys, keeping everything else.
    pub fn swap_keys(&self, keys: KeyStore) {
        self.update_keys(|_| keys.clone());
    }

    /// Replace the keys with `f(current keys)`, retried if another writer stored in between
    /// (so `f` may run more than once; its last run is what was stored).
    fn update_keys(&self, mut f: impl FnMut(&KeyStore) -> KeyStore) {
        self.inner
            .rcu(|current| Merchant::clone(current).with_keys(f(current.keys())));
    }
}

impl From<Merchant> for SharedMerchant {
    fn from(merchant: Merchant) -> Self {
        Self::new(merchant)
    }
}

/// When [`KeyRefresher`] downloads, and how it backs off. `Default`: every 12 h plus up to 1 h
/// of jitter, at most once per 5 min when the keys ask for it, a reply awaited 60 s, back-off
/// from 1 min doubling to 1 h.
///
/// ```
/// use core::time::Duration;
/// use wechatpay_sansio::rotation::RefreshPolicy;
/// let p = RefreshPolicy::default().with_interval(Duration::from_secs(6 * 3600));
/// assert_eq!(p.interval, Duration::from_secs(6 * 3600));
/// assert_eq!(p.backoff_max, Duration::from_secs(3600));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// The time between scheduled downloads.
    pub interval: Duration,
    /// Up to this much is added to each interval (drawn from the caller's RNG), so that many
    /// instances do not download at once.
    pub jitter: Duration,
    /// The least time between two downloads asked for by [`KeyStore::refresh_due`] (a forged
    /// notification can name an unknown serial too).
    pub min_interval: Duration,
    /// How long a reply is awaited before the download counts as failed.
    pub reply_timeout: Duration,
    /// The first back-off after a failure.
    pub backoff_initial: Duration,
    /// The longest back-off.
    pub backoff_max: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(12 * 3600),
            jitter: Duration::from_secs(3600),
            min_interval: Duration::from_secs(300),
            reply_timeout: Duration::from_secs(60),
            backoff_initial: Duration::from_secs(60),
            backoff_max: Duration::from_secs(3600),
        }
    }
}

impl RefreshPolicy {
    /// Set [`RefreshPolicy::interval`].
    #[must_use]
    pub fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Set [`RefreshPolicy::jitter`].
    #[must_use]
    pub fn with_jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// Set [`RefreshPolicy::min_interval`].
    #[must_use]
    pub fn with_min_interval(mut self, min_interval: Duration) -> Self {
        self.min_interval = min_interval;
        self
    }

    /// Set [`RefreshPolicy::reply_timeout`].
    #[must_use]
    pub fn with_reply_timeout(mut self, timeout: Duration) -> Self {
        self.reply_timeout = timeout;
        self
    }

    /// Set the back-off: `initial`, doubling up to `max`.
    #[must_use]
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.backoff_initial = initial;
        self.backoff_max = max;
        self
    }
}

/// What to do now ([`KeyRefresher::poll`]).
#[derive(Debug)]
pub enum Poll {
    /// Send this `GET /v3/certificates` and hand the reply to [`KeyRefresher::on_reply`].
    Fetch(Box<Request>),
    /// Nothing before this time (or before a reply names an unknown serial: poll again then).
    IdleUntil(UnixTime),
}

/// A download merged into the keys ([`KeyRefresher::on_reply`]).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refreshed {
    /// Certificates the keys did not hold before.
    pub added: Vec<KeyId>,
    /// Expired certificates dropped from the keys.
    pub dropped: Vec<KeyId>,
    /// Certificates of the download left out (expired or not yet valid at the download).
    pub skipped: Vec<Skipped>,
    /// The next scheduled download.
    pub next_fetch: UnixTime,
}

/// Why a refresh failed, and when the refresher tries again. Nothing was changed: the
/// merchant keeps its keys.
///
/// ```
/// use wechatpay_sansio::rotation::{KeyRefresher, RefreshPolicy};
/// use wechatpay_sansio::{Classify, Disposition, UnixTime};
/// let mut refresher = KeyRefresher::new(RefreshPolicy::default());
/// let e = refresher.on_no_reply(UnixTime::from_secs(1_000));      // the transport gave up
/// assert_eq!(e.disposition(), Disposition::Transient);
/// assert!((1_030..=1_060).contains(&e.retry_at().as_secs()));     // half to all of 1 min
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RotationError {
    /// The request could not be built (the merchant lacks its signer or APIv3 key, the RNG
    /// failed).
    #[error("the certificate download could not be built; next try at {retry_at}")]
    Build {
        /// Why.
        #[source]
        source: ApiError,
        /// The next try.
        retry_at: UnixTime,
    },
    /// The reply was refused: WeChat Pay's error (429, 500, `RESOURCE_NOT_EXISTS` for a
    /// merchant moved to the WeChat Pay public key), a signature that did not verify, a
    /// certificate that did not decrypt (the APIv3 key) or parse.
    #[error("the certificate download was not accepted; next try at {retry_at}")]
    Download {
        /// Why.
        #[source]
        source: ApiError,
        /// The next try.
        retry_at: UnixTime,
    },
    /// No reply came (the transport failed, or [`RefreshPolicy::reply_timeout`] passed).
    #[error("no reply to the certificate download; next try at {retry_at}")]
    NoReply {
        /// The next try.
        retry_at: UnixTime,
    },
}

impl RotationError {
    /// When the refresher tries again (its [`Poll::IdleUntil`] until then).
    #[must_use]
    pub fn retry_at(&self) -> UnixTime {
        match self {
            Self::Build { retry_at, .. }
            | Self::Download { retry_at, .. }
            | Self::NoReply { retry_at } => *retry_at,
        }
    }
}

impl Classify for RotationError {
    /// As the wrapped [`ApiError`] for [`RotationError::Build`] and
    /// [`RotationError::Download`] (429 / 500 [`Disposition::Transient`], a tampered reply
    /// [`Disposition::Untrusted`], a wrong APIv3 key [`Disposition::Misconfigured`]); no reply
    /// [`Disposition::Transient`]. The refresher retries in every case.
    fn disposition(&self) -> Disposition {
        match self {
            Self::Build { source, .. } | Self::Download { source, .. } => source.disposition(),
            Self::NoReply { .. } => Disposition::Transient,
        }
    }

    /// The wrapped error's reason.
    fn distrust(&self) -> Option<Distrust> {
        match self {
            Self::Build { source, .. } | Self::Download { source, .. } => source.distrust(),
            Self::NoReply { .. } => None,
        }
    }
}

/// `current` with the certificates of `downloaded` added (replacing those of the same serial),
/// the WeChat Pay public keys and the other certificates kept, and the certificates expired at
/// `now` dropped; with the serials added and dropped.
///
/// ```
/// use wechatpay_sansio::keys::{KeyId, KeyStore, PlatformCertificate, PublicKey, WechatPayKey};
/// use wechatpay_sansio::{rotation::merge, simulator::pem, UnixTime};
/// let cert = PlatformCertificate::from_pem(pem::PLATFORM_CERTIFICATE)?;       // TEST ONLY
/// let mut current = KeyStore::new();
/// current.insert(WechatPayKey::public_key(KeyId::new("PUB_KEY_ID_0114232134912410000000000000")?,
///                                         PublicKey::from_pem(pem::PLATFORM_PUBLIC_KEY)?));
/// let mut downloaded = KeyStore::new();
/// downloaded.insert_certificate(&cert);
/// let (merged, added, dropped) = merge(&current, &downloaded, UnixTime::from_secs(1_767_225_600));
/// assert_eq!((merged.len(), added, dropped), (2, vec![cert.serial().clone()], vec![]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn merge(
    current: &KeyStore,
    downloaded: &KeyStore,
    now: UnixTime,
) -> (KeyStore, Vec<KeyId>, Vec<KeyId>) {
    let mut merged = current.clone();
    let dropped: Vec<KeyId> = current
        .iter()
        .filter(|k| k.validity().is_some_and(|v| v.not_after < now))
        .map(|k| k.id().clone())
        .collect();
    for id in &dropped {
        merged.remove(id);
    }
    let mut added = Vec::new();
    for key in downloaded.iter() {
        if current.get(key.id()).is_none() {
            added.push(key.id().clone());
        }
        merged.insert(key.clone());
    }
    (merged, added, dropped)
}

/// The sans-IO refresh driver of a merchant's platform certificates (see the module
/// documentation). `Send + Sync`; one per merchant, driven by one task.
///
/// ```
/// use wechatpay_sansio::rotation::{KeyRefresher, Poll, RefreshPolicy, SharedMerchant};
/// use wechatpay_sansio::{simulator::Simulator, ResponseRef, UnixTime};
/// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
/// let sim = Simulator::new();                                          // TEST ONLY WeChat Pay
/// let shared = SharedMerchant::new(sim.merchant());
/// let mut refresher = KeyRefresher::new(RefreshPolicy::default());
/// let now = UnixTime::from_secs(1_767_225_600);
/// let Poll::Fetch(req) = refresher.poll(&shared, &mut rng, now)? else { unreachable!() };
/// let reply = sim.handle(&req.into_http(), now, &mut rng, &Default::default());
/// let done = refresher.on_reply(&shared, ResponseRef::from_http(&reply), now)?;
/// assert!(matches!(refresher.poll(&shared, &mut rng, now)?, Poll::IdleUntil(t) if t == done.next_fetch));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct KeyRefresher {
    policy: RefreshPolicy,
    /// The next scheduled download (`None`: at the first poll).
    next_at: Option<UnixTime>,
    /// The last download sent.
    last_fetch: Option<UnixTime>,
    /// A download sent and not answered: when, and the random draw for its jitter.
    awaiting: Option<(UnixTime, u64)>,
    /// Failures in a row.
    failures: u32,
    /// After a download that left the expiry signal on: when that signal may wake us again.
    expiry_quiet_until: Option<UnixTime>,
}

impl KeyRefresher {
    /// A refresher that downloads at its first poll.
    #[must_use]
    pub fn new(policy: RefreshPolicy) -> Self {
        Self {
            policy,
            next_at: None,
            last_fetch: None,
            awaiting: None,
            failures: 0,
            expiry_quiet_until: None,
        }
    }

    /// The policy.
    #[must_use]
    pub fn policy(&self) -> &RefreshPolicy {
        &self.policy
    }

    /// Failures in a row since the last download merged.
    #[must_use]
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// What to do at `now`: download (the request signed with `merchant`'s signer; `rng` draws
    /// its nonce and the jitter of the next schedule) or wait. A download awaited beyond
    /// [`RefreshPolicy::reply_timeout`] is returned as [`RotationError::NoReply`] and backs off.
    ///
    /// # Errors
    /// [`RotationError::Build`] when the request cannot be built, [`RotationError::NoReply`]
    /// when the download sent timed out (each backing off as any failure; poll again at
    /// [`RotationError::retry_at`]).
    pub fn poll<R: TryCryptoRng + ?Sized>(
        &mut self,
        merchant: &SharedMerchant,
        rng: &mut R,
        now: UnixTime,
    ) -> Result<Poll, RotationError> {
        if let Some((sent, draw)) = self.awaiting {
            let deadline = sent + self.policy.reply_timeout;
            if now < deadline {
                return Ok(Poll::IdleUntil(deadline));
            }
            self.awaiting = None;
            return Err(RotationError::NoReply {
                retry_at: self.back_off(now, draw),
            });
        }
        let current = merchant.load();
        let scheduled = self.next_at.is_none_or(|t| now >= t);
        // The keys' own signal, rate-limited, and not while backing off; the expiry half also
        // waits out its quiet time after a download that did not settle it.
        let keys = current.keys();
        let soonest = self
            .last_fetch
            .map_or(now, |t| t + self.policy.min_interval.max(FLOOR));
        let unknown = keys.unknown_serial_seen().then_some(soonest);
        let expiry = keys
            .expiry_due(now)
            .then(|| self.expiry_quiet_until.map_or(soonest, |q| q.max(soonest)));
        let keys_wake = if self.failures == 0 {
            [unknown, expiry].into_iter().flatten().min()
        } else {
            None
        };
        if !scheduled && keys_wake.is_none_or(|t| now < t) {
            let next = self.next_at.unwrap_or(now);
            return Ok(Poll::IdleUntil(keys_wake.map_or(next, |k| k.min(next))));
        }
        let mut draw = [0u8; 8];
        let req = rng
            .try_fill_bytes(&mut draw)
            .map_err(|_| ApiError::Rng)
            .and_then(|()| CertificatesRequest::new().build(&current, rng, now));
        let draw = u64::from_le_bytes(draw);
        match req {
            Ok(req) => {
                self.awaiting = Some((now, draw));
                self.last_fetch = Some(now);
                Ok(Poll::Fetch(Box::new(req)))
            }
            Err(source) => Err(RotationError::Build {
                source,
                retry_at: self.back_off(now, draw),
            }),
        }
    }

    /// Read the reply to the download at `now` (the clock at receipt) and, if it is accepted,
    /// merge its certificates into `merchant`'s keys ([`merge`]) and schedule the next
    /// download. An accepted download always holds a certificate valid now (the one that signed
    /// it), and the merge only adds and drops expired certificates: the keys never become
    /// empty.
    ///
    /// # Errors
    /// [`RotationError::Download`] for a refused reply: the keys are left as they were and the
    /// refresher backs off.
    pub fn on_reply(
        &mut self,
        merchant: &SharedMerchant,
        response: ResponseRef<'_>,
        now: UnixTime,
    ) -> Result<Refreshed, RotationError> {
        let draw = self.awaiting.take().map_or(0, |(_, d)| d);
        let current = merchant.load_full();
        let download = match CertificatesRequest::new().parse_reply(&current, response, now) {
            Ok(d) => d,
            Err(source) => {
                return Err(RotationError::Download {
                    source,
                    retry_at: self.back_off(now, draw),
                });
            }
        };
        let (mut added, mut dropped) = (Vec::new(), Vec::new());
        merchant.update_keys(|keys| {
            let (store, a, d) = merge(keys, &download.store, now);
            (added, dropped) = (a, d);
            store
        });
        self.failures = 0;
        self.expiry_quiet_until = merchant
            .load()
            .keys()
            .expiry_due(now)
            .then(|| now + EXPIRY_RECHECK);
        let jitter = draw % (self.policy.jitter.as_secs().saturating_add(1));
        let wait = self
            .policy
            .interval
            .saturating_add(Duration::from_secs(jitter));
        let next_fetch = now + wait.max(FLOOR);
        self.next_at = Some(next_fetch);
        Ok(Refreshed {
            added,
            dropped,
            skipped: download.skipped,
            next_fetch,
        })
    }

    /// The download sent got no reply (the transport failed) at `now`: back off.
    pub fn on_no_reply(&mut self, now: UnixTime) -> RotationError {
        let draw = self.awaiting.take().map_or(0, |(_, d)| d);
        RotationError::NoReply {
            retry_at: self.back_off(now, draw),
        }
    }

    /// Count a failure and schedule the retry: the back-off doubles from the initial one up to
    /// the cap, and the retry falls in its second half (the draw picks where).
    fn back_off(&mut self, now: UnixTime, draw: u64) -> UnixTime {
        self.failures = self.failures.saturating_add(1);
        let initial = self.policy.backoff_initial.as_secs().max(1);
        let cap = self.policy.backoff_max.as_secs().max(initial);
        let delay = initial
            .checked_shl(self.failures.saturating_sub(1).min(63))
            .filter(|d| *d >= initial)
            .map_or(cap, |d| d.min(cap));
        let half = delay / 2;
        let retry = now + Duration::from_secs(delay - half + draw % (half + 1));
        self.next_at = Some(retry);
        retry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn shared_types_are_send_and_sync() {
        assert_send_sync::<SharedMerchant>();
        assert_send_sync::<KeyRefresher>();
        assert_send_sync::<RotationError>();
        assert_send_sync::<Poll>();
    }

    #[test]
    fn back_off_doubles_to_the_cap() {
        let mut r = KeyRefresher::new(
            RefreshPolicy::default()
                .with_backoff(Duration::from_secs(60), Duration::from_secs(600)),
        );
        let now = UnixTime::from_secs(1000);
        let mut delays = Vec::new();
        for _ in 0..8 {
            delays.push(r.back_off(now, 0).as_secs() - 1000);
        }
        // The smallest retry of each step: half the delay.
        assert_eq!(delays, [30, 60, 120, 240, 300, 300, 300, 300]);
        assert_eq!(r.failures(), 8);
        for draw in [0, 1, 29, 30, 31, u64::MAX] {
            let mut r = KeyRefresher::new(RefreshPolicy::default());
            let d = r.back_off(now, draw).as_secs() - 1000;
            assert!((30..=60).contains(&d), "{draw}: {d}");
        }
        let mut r = KeyRefresher::new(RefreshPolicy::default());
        r.failures = u32::MAX - 1;
        assert_eq!(r.back_off(now, 0).as_secs() - 1000, 1800);
    }
}
