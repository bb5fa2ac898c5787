//! Platform-certificate rotation (`rotation`, `api::certificates`, the simulator's
//! `PlatformRotation`): the refresher through a whole rotation — fetch, merge, replies signed by
//! the new certificate verified after the swap, the old one kept until it expires and refused
//! after — the keys' own signal (an unknown serial), back-off on 500 / 429 / no reply, a
//! tampered download and a download without a valid certificate refused without touching the
//! keys, and readers on other threads while the keys are swapped.

use crate::common::rng;
use std::sync::Arc;
use wechatpay_sansio::api::certificates::CertificatesRequest;
use wechatpay_sansio::api::{ApiError, Failure, Operation};
use wechatpay_sansio::error::{Classify, Disposition, Distrust};
use wechatpay_sansio::keys::{KeyId, KeyStore, PlatformCertificate};
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::rotation::{
    KeyRefresher, Poll, RefreshPolicy, RotationError, SharedMerchant,
};
use wechatpay_sansio::simulator::pay_v3::{PayFault, PayScript, SandboxEndpoint};
use wechatpay_sansio::simulator::{PlatformRotation, Script, SigningKeyMode, Simulator, pem};
use wechatpay_sansio::time::UnixTime;
use wechatpay_sansio::v3::response::{self, ResponseError};
use wechatpay_sansio::v3::verify::VerifyError;

/// 2027-01-01: both TEST ONLY platform certificates are valid (2020 … 2099, 2026-11-25 … 2126).
const T0: UnixTime = UnixTime::from_secs(1_798_761_600);
/// 2100-01-01: the first one has expired.
const Y2100: UnixTime = UnixTime::from_secs(4_102_444_800);

fn old_cert() -> PlatformCertificate {
    PlatformCertificate::from_pem(pem::PLATFORM_CERTIFICATE).unwrap()
}

/// The simulator's merchant trusting only the platform certificate (no WeChat Pay public key).
fn shared_with_old_cert(sim: &Simulator) -> SharedMerchant {
    let mut keys = KeyStore::new();
    keys.insert_certificate(&old_cert());
    SharedMerchant::new(sim.merchant().with_keys(keys))
}

fn serials(shared: &SharedMerchant) -> Vec<String> {
    let mut v: Vec<String> = shared
        .load()
        .keys()
        .iter()
        .map(|k| k.id().as_str().to_owned())
        .collect();
    v.sort();
    v
}

/// Poll, expecting a download; send it to `sim` with `script`; hand the reply over.
fn fetch(
    refresher: &mut KeyRefresher,
    shared: &SharedMerchant,
    sim: &Simulator,
    script: &Script,
    now: UnixTime,
) -> Result<wechatpay_sansio::rotation::Refreshed, RotationError> {
    let Poll::Fetch(req) = refresher.poll(shared, &mut rng(1), now).unwrap() else {
        panic!("expected a download at {now}");
    };
    assert_eq!(req.path_and_query(), "/v3/certificates");
    let reply = sim.handle(&(*req).into_http(), now, &mut rng(2), script);
    refresher.on_reply(shared, ResponseRef::from_http(&reply), now)
}

fn idle_until(refresher: &mut KeyRefresher, shared: &SharedMerchant, now: UnixTime) -> UnixTime {
    match refresher.poll(shared, &mut rng(3), now).unwrap() {
        Poll::IdleUntil(t) => t,
        Poll::Fetch(_) => panic!("unexpected download at {now}"),
    }
}

/// A reply signed by `sim` at `now`, checked with the shared merchant's current keys.
fn verify(sim: &Simulator, shared: &SharedMerchant, now: UnixTime) -> Result<KeyId, ResponseError> {
    let reply = sim.signed_v3_reply(
        &mut rng(4),
        http::StatusCode::OK,
        br#"{"ok":1}"#.to_vec(),
        now,
    );
    let merchant = shared.load();
    response::check(ResponseRef::from_http(&reply), &merchant.verifier(), now)
        .map(|v| v.key_id.clone())
}

#[test]
fn a_whole_rotation() {
    let before = Simulator::new();
    let published = before
        .clone()
        .with_platform_rotation(PlatformRotation::Published);
    let switched = before
        .clone()
        .with_platform_rotation(PlatformRotation::Switched);
    let retired = before
        .clone()
        .with_platform_rotation(PlatformRotation::Retired);
    let (old, new) = (
        before.platform_serial().clone(),
        before.next_platform_serial().clone(),
    );
    let shared = shared_with_old_cert(&before);
    let mut refresher = KeyRefresher::new(RefreshPolicy::default());
    let none = Script::default();

    // Start-up: a download at the first poll; nothing new.
    let done = fetch(&mut refresher, &shared, &before, &none, T0).unwrap();
    assert!(done.added.is_empty() && done.dropped.is_empty());
    let (lo, hi) = (T0.as_secs() + 12 * 3600, T0.as_secs() + 13 * 3600);
    assert!(
        (lo..=hi).contains(&done.next_fetch.as_secs()),
        "{}",
        done.next_fetch
    );
    assert_eq!(idle_until(&mut refresher, &shared, T0), done.next_fetch);
    assert_eq!(
        idle_until(
            &mut refresher,
            &shared,
            T0 + core::time::Duration::from_secs(60)
        ),
        done.next_fetch
    );

    // WeChat Pay publishes the next certificate; the scheduled download adds it.
    let t1 = done.next_fetch;
    let done = fetch(&mut refresher, &shared, &published, &none, t1).unwrap();
    assert_eq!(done.added, vec![new.clone()]);
    assert_eq!(serials(&shared), {
        let mut v = vec![old.as_str().to_owned(), new.as_str().to_owned()];
        v.sort();
        v
    });
    // Replies still signed by the old one verify, and once it switches, the new one's too.
    assert_eq!(verify(&published, &shared, t1).unwrap(), old);
    assert_eq!(verify(&switched, &shared, t1).unwrap(), new);
    // Encryption picks the newest certificate valid now.
    assert_eq!(
        shared
            .load()
            .keys()
            .encryption_key(t1)
            .map(|k| k.id().clone()),
        Some(new.clone())
    );

    // The old certificate is retired: no longer served, but kept while it is valid.
    let t2 = done.next_fetch;
    let done = fetch(&mut refresher, &shared, &retired, &none, t2).unwrap();
    assert!(done.added.is_empty() && done.dropped.is_empty());
    assert_eq!(shared.load().keys().len(), 2);
    assert_eq!(verify(&retired, &shared, t2).unwrap(), new);

    // It expires: a reply under it is refused even before the next download …
    let late = Y2100;
    assert!(matches!(
        verify(&before, &shared, late),
        Err(ResponseError::Verify(VerifyError::KeyNotValidAt { .. }))
    ));
    // … which drops it; then it is an unknown key, and the new one still verifies.
    let done = fetch(&mut refresher, &shared, &retired, &none, late).unwrap();
    assert_eq!(done.dropped, vec![old.clone()]);
    assert_eq!(serials(&shared), vec![new.as_str().to_owned()]);
    let refused = verify(&before, &shared, late).unwrap_err();
    assert!(matches!(
        refused,
        ResponseError::Verify(VerifyError::UnknownKey(_))
    ));
    assert_eq!(verify(&retired, &shared, late).unwrap(), new);
    assert_eq!(refresher.failures(), 0);
}

/// A merchant that has not downloaded the new certificate meets a reply signed by it: the
/// refusal says key rotation, the store asks for a refresh, and the refresher downloads before
/// its schedule (once per `min_interval`).
#[test]
fn an_unknown_serial_brings_the_download_forward() {
    let before = Simulator::new();
    let switched = before
        .clone()
        .with_platform_rotation(PlatformRotation::Switched);
    let shared = shared_with_old_cert(&before);
    let mut refresher = KeyRefresher::new(RefreshPolicy::default());
    let done = fetch(&mut refresher, &shared, &before, &Script::default(), T0).unwrap();

    let t = T0 + core::time::Duration::from_secs(60);
    let e = verify(&switched, &shared, t).unwrap_err();
    assert_eq!(e.distrust(), Some(Distrust::KeyRotation));
    assert!(shared.load().keys().refresh_due(t));
    // Within min_interval (5 min) of the last download: wait for it, not for the schedule.
    let wake = idle_until(&mut refresher, &shared, t);
    assert_eq!(wake, T0 + core::time::Duration::from_secs(300));
    assert!(wake < done.next_fetch);
    let done = fetch(&mut refresher, &shared, &switched, &Script::default(), wake).unwrap();
    assert_eq!(done.added, vec![switched.next_platform_serial().clone()]);
    assert!(!shared.load().keys().refresh_due(wake));
    assert!(verify(&switched, &shared, wake).is_ok());
}

#[test]
fn failures_back_off_and_leave_the_keys_alone() {
    let sim = Simulator::new().with_platform_rotation(PlatformRotation::Published);
    let shared = shared_with_old_cert(&sim);
    let keys_before = serials(&shared);
    let mut refresher = KeyRefresher::new(RefreshPolicy::default());
    let fault = |f| Script {
        pay: PayScript::fault(f).on(SandboxEndpoint::Certificates),
        ..Script::default()
    };

    // 500: transient, retried within 30–60 s.
    let e = fetch(
        &mut refresher,
        &shared,
        &sim,
        &fault(PayFault::SystemError),
        T0,
    )
    .unwrap_err();
    assert!(matches!(&e, RotationError::Download { source, .. }
        if matches!(source.failure(), Some(Failure::V3(r)) if r.code.as_str() == "SYSTEMERROR")));
    assert_eq!(e.disposition(), Disposition::Transient);
    let r1 = e.retry_at();
    assert!((30..=60).contains(&(r1.as_secs() - T0.as_secs())), "{r1}");
    assert_eq!(serials(&shared), keys_before);
    // The keys' own signal does not bypass the back-off.
    let _ = shared.load().keys().get_by_header("ABCDEF");
    assert_eq!(idle_until(&mut refresher, &shared, T0), r1);

    // 429 at the retry: the back-off doubles (60–120 s).
    let e = fetch(
        &mut refresher,
        &shared,
        &sim,
        &fault(PayFault::FrequencyLimited),
        r1,
    )
    .unwrap_err();
    assert_eq!(e.disposition(), Disposition::Transient);
    let r2 = e.retry_at();
    assert!((60..=120).contains(&(r2.as_secs() - r1.as_secs())), "{r2}");

    // A tampered download: untrusted, the keys untouched.
    let e = fetch(
        &mut refresher,
        &shared,
        &sim,
        &fault(PayFault::Tampered),
        r2,
    )
    .unwrap_err();
    assert_eq!(e.disposition(), Disposition::Untrusted);
    assert_eq!(e.distrust(), Some(Distrust::Tampered));
    assert!(
        matches!(
            &e,
            RotationError::Download {
                source: ApiError::Download(_),
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(serials(&shared), keys_before);
    let r3 = e.retry_at();
    assert!((120..=240).contains(&(r3.as_secs() - r2.as_secs())));

    // No reply at all: the transport says so, or the reply timeout passes.
    let Poll::Fetch(_) = refresher.poll(&shared, &mut rng(5), r3).unwrap() else {
        panic!()
    };
    assert_eq!(
        idle_until(&mut refresher, &shared, r3),
        r3 + core::time::Duration::from_secs(60)
    );
    let e = refresher.on_no_reply(r3 + core::time::Duration::from_secs(10));
    assert_eq!(e.disposition(), Disposition::Transient);
    let r4 = e.retry_at();
    let Poll::Fetch(_) = refresher.poll(&shared, &mut rng(6), r4).unwrap() else {
        panic!()
    };
    let timed_out = r4 + core::time::Duration::from_secs(61);
    let e = refresher.poll(&shared, &mut rng(3), timed_out).unwrap_err();
    assert!(matches!(e, RotationError::NoReply { .. }), "{e:?}");
    assert_eq!(e.disposition(), Disposition::Transient);
    let r5 = e.retry_at();
    assert!(r5 > timed_out);
    assert_eq!(idle_until(&mut refresher, &shared, timed_out), r5);
    assert_eq!(refresher.failures(), 5);

    // Then it works: the keys merged, the failures forgotten.
    let done = fetch(&mut refresher, &shared, &sim, &Script::default(), r5).unwrap();
    assert_eq!(done.added, vec![sim.next_platform_serial().clone()]);
    assert_eq!(refresher.failures(), 0);
}

/// Before the next certificate is valid, a download that serves and is signed by only it is
/// refused (the signing certificate is not valid now): the store keeps its keys. A merchant
/// switched to the WeChat Pay public key gets `RESOURCE_NOT_EXISTS`: misconfigured, and its
/// public key stays.
#[test]
fn not_yet_valid_and_no_certificates() {
    let retired = Simulator::new().with_platform_rotation(PlatformRotation::Retired);
    let shared = shared_with_old_cert(&retired);
    let early = UnixTime::from_secs(1_767_225_600); // 2026-01-01
    let mut refresher = KeyRefresher::new(RefreshPolicy::default());
    let e = fetch(&mut refresher, &shared, &retired, &Script::default(), early).unwrap_err();
    assert!(
        matches!(&e, RotationError::Download { source: ApiError::Download(d), .. }
            if d.to_string().contains("not valid")),
        "{e:?}"
    );
    assert_eq!(e.disposition(), Disposition::Untrusted);
    assert_eq!(
        serials(&shared),
        vec![retired.platform_serial().as_str().to_owned()]
    );

    let pk = Simulator::new().with_signing_mode(SigningKeyMode::PublicKey);
    let shared = SharedMerchant::new(pk.merchant());
    let mut refresher = KeyRefresher::new(RefreshPolicy::default());
    let e = fetch(&mut refresher, &shared, &pk, &Script::default(), T0).unwrap_err();
    assert_eq!(e.disposition(), Disposition::Misconfigured);
    assert_eq!(shared.load().keys().len(), 2);
    assert!(
        shared
            .load()
            .keys()
            .iter()
            .any(|k| k.id().is_public_key_id())
    );

    // A merchant without an APIv3 key cannot read the download: refused at build, backing off.
    let bare = SharedMerchant::new(
        wechatpay_sansio::Merchant::new("1900000109")
            .unwrap()
            .with_signer_pems(pem::MERCHANT_PRIVATE_KEY, pem::MERCHANT_CERTIFICATE)
            .unwrap(),
    );
    let mut refresher = KeyRefresher::new(RefreshPolicy::default());
    let e = refresher.poll(&bare, &mut rng(7), T0).unwrap_err();
    assert!(matches!(e, RotationError::Build { .. }));
    assert_eq!(e.disposition(), Disposition::Misconfigured);
    assert_eq!(idle_until(&mut refresher, &bare, T0), e.retry_at());
}

/// The typed download on its own, and readers on other threads while the keys are swapped.
#[test]
fn the_download_operation_and_concurrent_readers() {
    let sim = Simulator::new().with_platform_rotation(PlatformRotation::Switched);
    let merchant = sim.merchant();
    let req = CertificatesRequest::new();
    let built = req.build(&merchant, &mut rng(8), T0).unwrap();
    assert!(
        built.headers()["authorization"]
            .to_str()
            .unwrap()
            .starts_with("WECHATPAY2-SHA256-RSA2048 ")
    );
    let reply = sim.handle(&built.into_http(), T0, &mut rng(9), &Script::default());
    let download = req
        .parse_reply(&merchant, ResponseRef::from_http(&reply), T0)
        .unwrap();
    assert_eq!(download.store.len(), 2);
    let again = wechatpay_sansio::api::certificates::read_reply(
        &merchant,
        ResponseRef::from_http(&reply),
        T0,
    )
    .unwrap();
    assert_eq!(again.store.len(), 2);

    let shared = Arc::new(shared_with_old_cert(&sim));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || {
                for _ in 0..2000 {
                    let m = shared.load();
                    assert!(!m.keys().is_empty());
                    assert_eq!(m.mchid().as_str(), "1900000109");
                }
            })
        })
        .collect();
    let mut refresher =
        KeyRefresher::new(RefreshPolicy::default().with_min_interval(core::time::Duration::ZERO));
    let mut now = T0;
    for _ in 0..20 {
        let done = fetch(&mut refresher, &shared, &sim, &Script::default(), now).unwrap();
        now = done.next_fetch;
    }
    for r in readers {
        r.join().unwrap();
    }
    assert_eq!(shared.load().keys().len(), 2);
}

/// In the days before the current certificate expires and before WeChat Pay publishes the next
/// one (about 10 days before; the margin is 14), a download brings nothing new: the expiry
/// signal then waits `EXPIRY_RECHECK` instead of downloading every `min_interval` for days,
/// while an unknown serial still wakes the refresher after `min_interval`.
#[test]
fn the_expiry_margin_does_not_download_every_few_minutes() {
    use core::time::Duration;
    use wechatpay_sansio::rotation::EXPIRY_RECHECK;
    let sim = Simulator::new(); // serves and signs with the old certificate only
    let shared = shared_with_old_cert(&sim);
    let now = old_cert().not_after() - Duration::from_secs(12 * 86_400);
    assert!(shared.load().keys().refresh_due(now));
    let mut refresher = KeyRefresher::new(RefreshPolicy::default());
    let done = fetch(&mut refresher, &shared, &sim, &Script::default(), now).unwrap();
    assert!(done.added.is_empty(), "{done:?}");
    assert!(
        shared.load().keys().refresh_due(now),
        "still inside the margin"
    );
    let min = RefreshPolicy::default().min_interval;
    assert_eq!(
        idle_until(&mut refresher, &shared, now + min),
        now + EXPIRY_RECHECK
    );
    // An unknown serial is not muted.
    let _ = shared.load().keys().get_by_header("ABCDEF0123");
    let Poll::Fetch(_) = refresher.poll(&shared, &mut rng(7), now + min).unwrap() else {
        panic!("an unknown serial wakes the refresher after min_interval")
    };
    // Once the quiet time is over, the expiry signal asks again.
    let mut refresher = KeyRefresher::new(RefreshPolicy::default());
    let shared = shared_with_old_cert(&sim);
    fetch(&mut refresher, &shared, &sim, &Script::default(), now).unwrap();
    let Poll::Fetch(_) = refresher
        .poll(&shared, &mut rng(8), now + EXPIRY_RECHECK)
        .unwrap()
    else {
        panic!("the expiry signal asks again after EXPIRY_RECHECK")
    };
}

/// A policy of zeros does not download at every poll: one second at least between downloads.
#[test]
fn a_zero_policy_still_waits_a_second() {
    use core::time::Duration;
    let sim = Simulator::new();
    let shared = shared_with_old_cert(&sim);
    let zero = RefreshPolicy::default()
        .with_interval(Duration::ZERO)
        .with_jitter(Duration::ZERO)
        .with_min_interval(Duration::ZERO);
    let mut refresher = KeyRefresher::new(zero);
    let done = fetch(&mut refresher, &shared, &sim, &Script::default(), T0).unwrap();
    assert_eq!(done.next_fetch, T0 + Duration::from_secs(1));
    assert_eq!(
        idle_until(&mut refresher, &shared, T0),
        T0 + Duration::from_secs(1)
    );
    // An unknown serial, too, waits the second.
    let _ = shared.load().keys().get_by_header("ABCDEF0123");
    assert_eq!(
        idle_until(&mut refresher, &shared, T0),
        T0 + Duration::from_secs(1)
    );
}
