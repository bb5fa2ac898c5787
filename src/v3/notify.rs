//! v3 notifications (回调通知): verify the signature over the raw body, then decrypt the resource.

use crate::keys::KeyStore;
use crate::secret::ApiV3Key;
use crate::v3::resource::{EncryptedResource, ResourceError};
use crate::v3::verify::{SignatureHeaders, VerifyError, VerifyOptions};
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
        serde_json::from_slice(&self.plaintext).map_err(|e| NotifyError::Json {
            line: e.line(),
            column: e.column(),
        })
    }
}

/// Why a notification was not accepted. Answer WeChat Pay with an error status for all of them.
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

/// Verify and decrypt a notification given its headers.
///
/// # Errors
/// See [`NotifyError`].
pub fn parse(
    headers: &http::HeaderMap,
    body: &[u8],
    store: &KeyStore,
    now: u64,
    options: &VerifyOptions,
    key: &ApiV3Key,
) -> Result<DecryptedNotification, NotifyError> {
    parse_with(
        &SignatureHeaders::from_headers(headers)?,
        body,
        store,
        now,
        options,
        key,
    )
}

/// Verify and decrypt a notification given the four signature header values.
///
/// # Errors
/// See [`NotifyError`].
pub fn parse_with(
    signature: &SignatureHeaders<'_>,
    body: &[u8],
    store: &KeyStore,
    now: u64,
    options: &VerifyOptions,
    key: &ApiV3Key,
) -> Result<DecryptedNotification, NotifyError> {
    if body.len() > MAX_NOTIFICATION_BODY {
        return Err(NotifyError::TooLarge(body.len()));
    }
    signature.verify(body, store, now, options)?;
    let notification: Notification =
        serde_json::from_slice(body).map_err(|e| NotifyError::Json {
            line: e.line(),
            column: e.column(),
        })?;
    let plaintext = notification.resource.decrypt(key)?;
    Ok(DecryptedNotification {
        notification,
        plaintext,
    })
}
