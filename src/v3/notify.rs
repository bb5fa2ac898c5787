//! v3 notifications (回调通知): verify the signature over the raw body, then decrypt the resource,
//! then answer WeChat Pay the way it expects ([`answer`]): `204 No Content` when the
//! notification was received, a 4xx/5xx with `{"code":"FAIL","message":…}` otherwise, so that
//! WeChat Pay sends it again (official rules: <https://pay.weixin.qq.com/doc/v3/merchant/4012071382>).
//!
//! ```
//! use wechatpay_sansio::simulator::Simulator;
//! use wechatpay_sansio::{time::UnixTime, v3::notify};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let sim = Simulator::new();
//! let merchant = sim.merchant();                                      // TEST ONLY keys
//! let now = UnixTime::from_secs(1_767_225_600);
//! let sent = sim.notification("TRANSACTION.SUCCESS", br#"{"out_trade_no":"T1"}"#, now, &mut rng);
//! // In your web handler: the raw body bytes, the headers, and the clock at receipt.
//! let result = notify::parse(sent.headers(), sent.body(), &merchant.verifier(),
//!                            merchant.api_v3_key()?, now);
//! let reply = notify::answer(&result);
//! assert_eq!(reply.status(), 204);
//! assert_eq!(result?.notification.event_type, "TRANSACTION.SUCCESS");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{Classify, Disposition, Distrust, tampered_if_untrusted};
use crate::secret::ApiV3Key;
use crate::time::UnixTime;
use crate::v3::resource::{EncryptedResource, ResourceError};
use crate::v3::verify::{SignatureHeaders, Verifier, VerifyError};
use http::{HeaderValue, Response, StatusCode};
use serde::Deserialize;
use zeroize::Zeroizing;

/// Largest accepted notification body.
pub const MAX_NOTIFICATION_BODY: usize = 1024 * 1024;

/// The notification envelope.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Notification {
    /// Notification id.
    pub id: String,
    /// Creation time (RFC 3339).
    pub create_time: String,
    /// Event type, e.g. `TRANSACTION.SUCCESS`.
    pub event_type: String,
    /// `encrypt-resource`.
    pub resource_type: String,
    /// Short summary (e.g. 支付成功).
    #[serde(default)]
    pub summary: String,
    /// The encrypted payload.
    pub resource: EncryptedResource,
}

/// A verified notification and its decrypted payload. `Debug` prints the payload's length only.
pub struct DecryptedNotification {
    /// The envelope.
    pub notification: Notification,
    /// The decrypted resource (JSON), zeroized on drop.
    pub plaintext: Zeroizing<Vec<u8>>,
}

impl core::fmt::Debug for DecryptedNotification {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DecryptedNotification")
            .field("notification", &self.notification)
            .field(
                "plaintext",
                &format_args!("<{} bytes>", self.plaintext.len()),
            )
            .finish()
    }
}

impl DecryptedNotification {
    /// Deserialize the decrypted payload.
    ///
    /// # Errors
    /// [`NotifyError::Json`] if it does not match `T`.
    pub fn payload<T: serde::de::DeserializeOwned>(&self) -> Result<T, NotifyError> {
        crate::json::from_slice(&self.plaintext).map_err(|p| NotifyError::Json {
            line: p.line,
            column: p.column,
        })
    }
}

/// Why a notification was not accepted. Answer WeChat Pay with an error status for all of them
/// ([`answer`]).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// The signature did not verify (including `WECHATPAY/SIGNTEST/` probes).
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// Body larger than [`MAX_NOTIFICATION_BODY`].
    #[error("notification body of {0} bytes is too large")]
    TooLarge(usize),
    /// The (authentic) body is not the expected JSON.
    #[error("notification JSON does not match the expected shape (line {line}, column {column})")]
    Json {
        /// Line.
        line: usize,
        /// Column.
        column: usize,
    },
    /// The resource could not be decrypted.
    #[error(transparent)]
    Resource(#[from] ResourceError),
}

impl Classify for NotifyError {
    /// A signature failure or an oversized body is [`Disposition::Untrusted`]; so is JSON that
    /// is not a notification; a resource that does not decrypt after the envelope verified is
    /// [`Disposition::Misconfigured`] (the APIv3 key).
    fn disposition(&self) -> Disposition {
        match self {
            Self::Verify(e) => e.disposition(),
            Self::TooLarge(_) | Self::Json { .. } => Disposition::Untrusted,
            Self::Resource(e) => e.disposition(),
        }
    }

    /// A signature failure's own reason (a `WECHATPAY/SIGNTEST/` probe is
    /// [`Distrust::Probe`]: answer it with [`answer`], raise no alarm); the default otherwise.
    fn distrust(&self) -> Option<Distrust> {
        match self {
            Self::Verify(e) => e.distrust(),
            Self::TooLarge(_) | Self::Json { .. } | Self::Resource(_) => {
                tampered_if_untrusted(self.disposition())
            }
        }
    }
}

impl NotifyError {
    /// The status to answer WeChat Pay with: 401 for a signature that does not verify
    /// (including `WECHATPAY/SIGNTEST/` probes), 413 for an oversized body, 400 for a body that
    /// is not a notification, 500 for a resource this merchant cannot decrypt (its APIv3 key).
    /// Every one makes WeChat Pay retry.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Verify(_) => StatusCode::UNAUTHORIZED,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Json { .. } => StatusCode::BAD_REQUEST,
            Self::Resource(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The HTTP answer WeChat Pay expects for a notification: `204 No Content` with an empty body
/// once the notification is verified and decrypted (and, for `Err`, [`NotifyError::status`] with
/// `{"code":"FAIL","message":…}`, so that WeChat Pay retries). The message is the error's
/// `Display`: it names the kind of failure and may quote what WeChat Pay sent (the
/// `Wechatpay-Serial` of an unknown key, the timestamp skew in seconds), never a key, a secret or
/// decrypted data.
///
/// If your own processing of a verified notification fails, answer with [`failure`] instead:
/// WeChat Pay will send it again.
#[must_use]
pub fn answer<T>(result: &Result<T, NotifyError>) -> Response<Vec<u8>> {
    match result {
        Ok(_) => success(),
        Err(e) => failure(e.status(), &e.to_string()),
    }
}

/// `204 No Content`: "received" (WeChat Pay also accepts 200).
#[must_use]
pub fn success() -> Response<Vec<u8>> {
    let mut r = Response::new(Vec::new());
    *r.status_mut() = StatusCode::NO_CONTENT;
    r
}

/// A 4xx/5xx answer with `{"code":"FAIL","message":message}`: WeChat Pay retries the
/// notification later. `status` below 400 is raised to 500 (a 2xx would mean "received").
#[must_use]
pub fn failure(status: StatusCode, message: &str) -> Response<Vec<u8>> {
    let status = if status.as_u16() >= 400 {
        status
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    let body = serde_json::json!({ "code": "FAIL", "message": message })
        .to_string()
        .into_bytes();
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// Verify and decrypt a notification given its headers: the signature with `verifier` at `now`
/// (the clock at receipt), then the resource with the APIv3 key.
///
/// # Errors
/// See [`NotifyError`].
pub fn parse(
    headers: &http::HeaderMap,
    body: &[u8],
    verifier: &Verifier<'_>,
    key: &ApiV3Key,
    now: UnixTime,
) -> Result<DecryptedNotification, NotifyError> {
    if body.len() > MAX_NOTIFICATION_BODY {
        return Err(NotifyError::TooLarge(body.len()));
    }
    parse_with(
        &SignatureHeaders::from_headers(headers)?,
        body,
        verifier,
        key,
        now,
    )
}

/// Verify and decrypt a notification given the four signature header values (as a web
/// framework may hand them out).
///
/// # Errors
/// See [`NotifyError`].
pub fn parse_with(
    signature: &SignatureHeaders<'_>,
    body: &[u8],
    verifier: &Verifier<'_>,
    key: &ApiV3Key,
    now: UnixTime,
) -> Result<DecryptedNotification, NotifyError> {
    if body.len() > MAX_NOTIFICATION_BODY {
        return Err(NotifyError::TooLarge(body.len()));
    }
    verifier.verify_headers(signature, body, now)?;
    let notification: Notification =
        crate::json::from_slice(body).map_err(|p| NotifyError::Json {
            line: p.line,
            column: p.column,
        })?;
    let plaintext = notification.resource.decrypt(key)?;
    Ok(DecryptedNotification {
        notification,
        plaintext,
    })
}
