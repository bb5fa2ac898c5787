//! 下载平台证书 — `GET /v3/certificates` as a typed [`Operation`]: the outcome is the
//! [`Download`] of [`crate::v3::certificates::bootstrap`] (the certificates decrypted with the
//! merchant's APIv3 key, the reply verified with them, those valid at `now` in a store, the
//! others listed). The service that keeps the merchant's keys fresh runs it through
//! [`crate::rotation`].
//!
//! ```
//! use wechatpay_sansio::api::certificates::CertificatesRequest;
//! use wechatpay_sansio::{simulator::Simulator, Operation, ResponseRef, UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();                                     // TEST ONLY keys
//! let req = CertificatesRequest::new();
//! let reply = sim.handle(&req.build(&merchant, &mut rng, now)?.into_http(), now, &mut rng, &Default::default());
//! let download = req.parse_reply(&merchant, ResponseRef::from_http(&reply), now)?;
//! assert_eq!(download.store.len(), 1);
//! assert!(download.store.get(sim.platform_serial()).is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::pay::HOST;
use crate::api::{ApiError, Echo, Endpoint, HttpMethod, Operation, Protocol, v3_common};
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::time::UnixTime;
use crate::v3::certificates::{self, Download};
use rand_core::TryCryptoRng;

/// `GET /v3/certificates`.
pub const ENDPOINT: Endpoint<'static> = Endpoint::new(
    "certificates",
    HOST,
    certificates::PATH,
    HttpMethod::Get,
    Protocol::V3Json,
);

/// The platform-certificate download. It needs the merchant's signer (the request) and APIv3
/// key (the reply); the reply is verified with the certificates it carries, not with the
/// merchant's keys, so it also bootstraps a merchant that trusts none yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CertificatesRequest {}

impl CertificatesRequest {
    /// The download.
    #[must_use]
    pub fn new() -> Self {
        Self {}
    }
}

impl Operation for CertificatesRequest {
    type Outcome = Download;
    type ReplyOptions = ();
    const IDENTIFYING: &'static [&'static str] = &[];
    const ENDPOINT: Endpoint<'static> = ENDPOINT;

    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        endpoint: &Endpoint<'_>,
        merchant: &Merchant,
        rng: &mut R,
        now: UnixTime,
    ) -> Result<Request, ApiError> {
        // The reply cannot be read without the APIv3 key: say so before sending.
        merchant.api_v3_key()?;
        v3_common::send(merchant, &endpoint.url(), None::<&()>, rng, now)
    }

    /// None: the list names no request field.
    fn echoes<'a>(&'a self, _merchant: &'a Merchant) -> Vec<Echo<'a>> {
        Vec::new()
    }

    fn decode(
        merchant: &Merchant,
        response: ResponseRef<'_>,
        now: UnixTime,
        (): &(),
        _echoes: &[Echo<'_>],
    ) -> Result<Download, ApiError> {
        Ok(certificates::bootstrap(
            response,
            merchant.api_v3_key()?,
            merchant.verify_options(),
            now,
        )?)
    }
}

/// Check a download without its request (from a log).
///
/// ```
/// use wechatpay_sansio::api::certificates::read_reply;
/// use wechatpay_sansio::{simulator::Simulator, Classify, Disposition, ResponseRef, UnixTime};
/// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
/// let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
/// let reply = sim.signed_v3_reply(&mut rng, http::StatusCode::OK, br#"{"data":[]}"#.to_vec(), now);
/// // Signed by a certificate the (empty) list does not hold: not evidence of anything.
/// let err = read_reply(&sim.merchant(), ResponseRef::from_http(&reply), now).unwrap_err();
/// assert_eq!(err.disposition(), Disposition::Untrusted);
/// ```
///
/// # Errors
/// As [`Operation::decode`].
pub fn read_reply(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
) -> Result<Download, ApiError> {
    crate::api::read_reply::<CertificatesRequest>(merchant, response, now)
}
