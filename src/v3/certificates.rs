//! The platform-certificate download `GET /v3/certificates` (official page:
//! <https://pay.weixin.qq.com/doc/v3/merchant/4012551764>).
//!
//! The reply is signed by one of the certificates it carries, so the bootstrap is: decrypt every
//! certificate with the APIv3 key (authenticated encryption: only WeChat Pay knows the key besides
//! the merchant), then verify the reply's signature with them.
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
use crate::v3::verify::{Verifier, VerifyOptions};
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
    /// A certificate could not be decrypted (usually: wrong APIv3 key).
    #[error(transparent)]
    Resource(#[from] ResourceError),
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
    /// As the wrapped error; malformed JSON and a serial that disagrees with its certificate are
    /// [`Disposition::Untrusted`].
    fn disposition(&self) -> Disposition {
        match self {
            Self::Json | Self::SerialMismatch(_) | Self::Certificate(_) => Disposition::Untrusted,
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

/// Decrypt every certificate of a `/v3/certificates` body.
///
/// # Errors
/// See [`DownloadError`].
pub fn decrypt(body: &[u8], key: &ApiV3Key) -> Result<Vec<PlatformCertificate>, DownloadError> {
    let list: List = serde_json::from_slice(body).map_err(|_| DownloadError::Json)?;
    list.data
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
        .collect()
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
    if response.status.is_success() {
        certs = decrypt(response.body, key)?;
        for cert in &certs {
            all.insert_certificate(cert);
        }
    }
    response::check(response, &Verifier::new(&all).with_options(options), now).map_err(
        |e| match e {
            ResponseError::Failure(r) => ResponseError::Failure(Box::new(r.with_endpoint(PATH))),
            other => other,
        },
    )?;
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
