//! The platform-certificate download `GET /v3/certificates` (official page:
//! <https://pay.weixin.qq.com/doc/v3/merchant/4012551764>).
//!
//! The reply is signed by one of the certificates it carries, so the bootstrap is, as in the
//! official SDKs: decrypt the certificates with the APIv3 key (authenticated encryption: only
//! WeChat Pay knows the key besides the merchant), then verify the reply's signature with them.
//! Until the signature verifies, nothing in the body is evidence: a certificate that does not
//! decrypt then is [`DownloadError::UnverifiedResource`] (untrusted: altered in transit, or a
//! wrong APIv3 key), and only in a body whose signature verified is it the APIv3 key
//! ([`DownloadError::Resource`], misconfigured).
//!
//! When to download: [`KeyStore::refresh_due`] says so (no certificate valid for the refresh
//! margin, or an unknown `Wechatpay-Serial` seen).
//!
//! ```
//! use wechatpay_sansio::{ids::Nonce, request::ResponseRef, time::UnixTime};
//! use wechatpay_sansio::simulator::{pem, Simulator};      // TEST ONLY keys (feature `simulator`)
//! use wechatpay_sansio::v3::{certificates, request::JsonRequest, resource::EncryptedResource};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let sim = Simulator::new();
//! let merchant = sim.merchant();
//! let now = UnixTime::from_secs(1_767_225_600);
//! let nonce = Nonce::generate(&mut rng)?;
//! let req = JsonRequest::get("https://api.mch.weixin.qq.com/v3/certificates")
//!     .sign(merchant.signer()?, &mut rng, now, &nonce)?;           // send it …
//! # let _ = req;
//! // … WeChat Pay answers with the certificates, encrypted with the APIv3 key (built here):
//! let cert = EncryptedResource::encrypt(merchant.api_v3_key()?, "0123456789ab", "certificate",
//!     "certificate", pem::PLATFORM_CERTIFICATE.as_bytes()).ok_or("encrypt")?;
//! let body = serde_json::json!({ "data": [
//!     { "serial_no": sim.platform_serial().as_str(), "encrypt_certificate": cert } ] });
//! let resp = sim.signed_v3_reply(&mut rng, http::StatusCode::OK, body.to_string().into_bytes(), now);
//! let download = certificates::bootstrap(ResponseRef::from_http(&resp), merchant.api_v3_key()?,
//!                                        merchant.verify_options(), now)?;
//! assert_eq!(download.store.len(), 1);
//! assert!(download.skipped.is_empty());
//! assert!(!download.store.refresh_due(now));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{Classify, Disposition, Distrust, tampered_if_untrusted};
use crate::keys::{KeyError, KeyId, KeyStore, PlatformCertificate, Validity};
use crate::request::ResponseRef;
use crate::secret::ApiV3Key;
use crate::time::UnixTime;
use crate::untrusted_text::Shown;
use crate::v3::resource::{EncryptedResource, ResourceError};
use crate::v3::response::{self, ResponseError};
use crate::v3::verify::{Verifier, VerifyError, VerifyOptions};
use serde::Deserialize;

/// Path of the download endpoint.
pub const PATH: &str = "/v3/certificates";

#[derive(Deserialize)]
struct List {
    data: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    serial_no: String,
    encrypt_certificate: EncryptedResource,
}

/// Why the certificate list could not be used.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DownloadError {
    /// The body is not the expected JSON.
    #[error("certificate list JSON does not match the expected shape")]
    Json,
    /// A certificate of a reply whose signature verified could not be decrypted (usually: wrong
    /// APIv3 key).
    #[error(transparent)]
    Resource(#[from] ResourceError),
    /// A certificate could not be decrypted and the reply's signature could not be verified
    /// with the others: the body may have been altered in transit. (If every download fails
    /// this way, check the APIv3 key.)
    #[error(
        "a certificate could not be decrypted and no certificate of the list verified the reply"
    )]
    UnverifiedResource(#[source] ResourceError),
    /// A decrypted certificate could not be parsed.
    #[error(transparent)]
    Certificate(#[from] KeyError),
    /// A certificate's serial differs from its `serial_no`.
    #[error("certificate serial differs from serial_no {}", Shown(.0))]
    SerialMismatch(String),
    /// The reply itself was rejected (error status, or signature not by one of its certificates).
    #[error(transparent)]
    Response(#[from] ResponseError),
}

impl Classify for DownloadError {
    /// As the wrapped error; malformed JSON, a serial that disagrees with its certificate and a
    /// certificate that does not decrypt in a reply that did not verify are
    /// [`Disposition::Untrusted`]; the reply's failure per
    /// [`crate::v3::response::ErrorReply::disposition`] (`RESOURCE_NOT_EXISTS` here:
    /// [`Disposition::Misconfigured`], use the WeChat Pay public key).
    fn disposition(&self) -> Disposition {
        match self {
            Self::Json
            | Self::SerialMismatch(_)
            | Self::Certificate(_)
            | Self::UnverifiedResource(_) => Disposition::Untrusted,
            Self::Resource(e) => e.disposition(),
            Self::Response(e) => e.disposition(),
        }
    }

    /// The reply's own reason for a signature failure (a probe, the clock, key rotation); the
    /// default otherwise.
    fn distrust(&self) -> Option<Distrust> {
        match self {
            Self::Response(e) => e.distrust(),
            _ => tampered_if_untrusted(self.disposition()),
        }
    }
}

/// Decrypt every certificate of a `/v3/certificates` body. The body is not verified here:
/// [`bootstrap`] verifies it with the certificates.
///
/// # Errors
/// See [`DownloadError`].
pub fn decrypt(body: &[u8], key: &ApiV3Key) -> Result<Vec<PlatformCertificate>, DownloadError> {
    decrypt_each(body, key)?.into_iter().collect()
}

/// Each entry of the list, decrypted or why not.
fn decrypt_each(
    body: &[u8],
    key: &ApiV3Key,
) -> Result<Vec<Result<PlatformCertificate, DownloadError>>, DownloadError> {
    let list: List = crate::json::from_slice(body).map_err(|_| DownloadError::Json)?;
    Ok(list
        .data
        .iter()
        .map(|e| {
            let pem = e.encrypt_certificate.decrypt(key)?;
            let cert = PlatformCertificate::from_pem(&pem[..])?;
            match KeyId::new(&e.serial_no) {
                Ok(id) if &id == cert.serial() => Ok(cert),
                _ => Err(DownloadError::SerialMismatch(
                    e.serial_no.chars().take(64).collect(),
                )),
            }
        })
        .collect())
}

/// A certificate of the download that was not kept, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The certificate serial.
    pub serial: KeyId,
    /// Its validity period, which does not contain the download time.
    pub validity: Validity,
}

/// The result of [`bootstrap`]: the certificates valid at the download time, and those left out.
#[derive(Debug, Clone)]
pub struct Download {
    /// A store of the verified certificates valid at `now`.
    pub store: KeyStore,
    /// Certificates of the list that are expired or not yet valid at `now` (not in `store`).
    pub skipped: Vec<Skipped>,
}

/// Decrypt the certificates of a reply, then verify the reply with them (a reply signed by an
/// expired certificate is refused with [`crate::v3::verify::VerifyError::KeyNotValidAt`]);
/// returns a store of the verified certificates **valid at `now`**, and says which were left
/// out.
///
/// A certificate that does not decrypt is blamed on the APIv3 key
/// ([`DownloadError::Resource`], [`Disposition::Misconfigured`]) only when another certificate
/// of the list verified the reply's signature. Before that, the verification failure is
/// reported ([`DownloadError::Response`], [`Disposition::Untrusted`]), or, when the signing
/// key is unknown (it may be the certificate that did not decrypt),
/// [`DownloadError::UnverifiedResource`] ([`Disposition::Untrusted`]). An error reply is
/// [`DownloadError::Response`] with the endpoint set ([`PATH`]).
///
/// # Errors
/// See [`DownloadError`].
pub fn bootstrap(
    response: ResponseRef<'_>,
    key: &ApiV3Key,
    options: VerifyOptions,
    now: UnixTime,
) -> Result<Download, DownloadError> {
    let mut all = KeyStore::new();
    let mut certs = Vec::new();
    // The first entry that could not be used, reported once the signature says whose fault it is.
    let mut unusable = None;
    if response.status.is_success() {
        for entry in decrypt_each(response.body, key)? {
            match entry {
                Ok(cert) => {
                    all.insert_certificate(&cert);
                    certs.push(cert);
                }
                Err(e) => {
                    unusable.get_or_insert(e);
                }
            }
        }
    }
    let verified = response::check(response, &Verifier::new(&all).with_options(options), now);
    match (verified, unusable) {
        (Ok(_), None) => {}
        (Err(ResponseError::Failure(r)), _) => {
            return Err(ResponseError::Failure(Box::new(r.with_endpoint(PATH))).into());
        }
        // The signing certificate may be the one that could not be used: unverified.
        (Err(ResponseError::Verify(VerifyError::UnknownKey(_))), Some(unusable)) => {
            return Err(match unusable {
                DownloadError::Resource(e) => DownloadError::UnverifiedResource(e),
                other => other,
            });
        }
        // A probe, a stale timestamp, a bad signature: said as such.
        (Err(e), _) => return Err(e.into()),
        // Verified: the body is authentic, the failure is ours (the APIv3 key) or WeChat Pay's.
        (Ok(_), Some(e)) => return Err(e),
    }
    let mut store = KeyStore::new();
    let mut skipped = Vec::new();
    for cert in certs {
        if cert.is_valid_at(now) {
            store.insert_certificate(&cert);
        } else {
            skipped.push(Skipped {
                serial: cert.serial().clone(),
                validity: cert.validity(),
            });
        }
    }
    Ok(Download { store, skipped })
}
