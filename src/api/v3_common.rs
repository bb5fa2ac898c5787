//! What the two v3 identity APIs share: the typed error codes of a v3 error reply, the error
//! enum, and reply decoding.

use crate::api::validate::FieldError;
use crate::cipher::CipherError;
use crate::keys::KeyStore;
use crate::request::ResponseRef;
use crate::v3::request::V3RequestError;
use crate::v3::response::{self, ErrorBodyError, ErrorDetail, ResponseError};
use crate::v3::verify::{VerifyError, VerifyOptions};
use core::fmt;

/// The `code` of a v3 error reply, typed. Unknown codes are kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `INVALID_REQUEST`: e.g. the payer's real-name ID is malformed, no customs declaration on
    /// record, customs not configured.
    InvalidRequest,
    /// `NOAUTH` / `NO_AUTH`: not filed with that customs, self-clearance not enabled, or no
    /// permission for the product.
    NoAuth,
    /// `PARAM_ERROR`: a parameter is wrong or missing (see the detail).
    ParamError,
    /// `SYSTEMERROR` / `SYSTEM_ERROR`: retry later.
    SystemError,
    /// `USER_ACCOUNT_ABNORMAL`: the user did not register with a mainland ID.
    UserAccountAbnormal,
    /// `SIGN_ERROR`: the request signature was rejected.
    SignError,
    /// `FREQUENCY_LIMITED`: slow down.
    FrequencyLimited,
    /// Any other code, verbatim.
    Other(String),
}

impl ErrorCode {
    /// Map a wire code.
    ///
    /// ```
    /// use wechatpay_sansio::api::v3_common::ErrorCode;
    /// assert_eq!(ErrorCode::from_code("NOAUTH"), ErrorCode::NoAuth);
    /// assert_eq!(ErrorCode::from_code("NEW_CODE"), ErrorCode::Other("NEW_CODE".into()));
    /// ```
    #[must_use]
    pub fn from_code(code: &str) -> Self {
        match code {
            "INVALID_REQUEST" => Self::InvalidRequest,
            "NOAUTH" | "NO_AUTH" => Self::NoAuth,
            "PARAM_ERROR" => Self::ParamError,
            "SYSTEMERROR" | "SYSTEM_ERROR" => Self::SystemError,
            "USER_ACCOUNT_ABNORMAL" => Self::UserAccountAbnormal,
            "SIGN_ERROR" => Self::SignError,
            "FREQUENCY_LIMITED" => Self::FrequencyLimited,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The wire spelling (the first spelling for codes that have two).
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "INVALID_REQUEST",
            Self::NoAuth => "NOAUTH",
            Self::ParamError => "PARAM_ERROR",
            Self::SystemError => "SYSTEMERROR",
            Self::UserAccountAbnormal => "USER_ACCOUNT_ABNORMAL",
            Self::SignError => "SIGN_ERROR",
            Self::FrequencyLimited => "FREQUENCY_LIMITED",
            Self::Other(s) => s,
        }
    }

    /// Whether retrying the same request later may succeed.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::SystemError | Self::FrequencyLimited)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// WeChat Pay answered with an error status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    /// HTTP status.
    pub status: u16,
    /// Typed code.
    pub code: ErrorCode,
    /// WeChat Pay's message.
    pub message: String,
    /// Optional detail (its `value` is kept as personal data).
    pub detail: Option<ErrorDetail>,
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {} {}: {}", self.status, self.code, self.message)?;
        if let Some(d) = &self.detail {
            write!(
                f,
                " (field {}, issue {})",
                d.field.as_deref().unwrap_or("?"),
                d.issue.as_deref().unwrap_or("?")
            )?;
        }
        Ok(())
    }
}

/// Why a v3 identity-API call failed. No variant carries personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum V3ApiError {
    /// The request failed validation (before any cryptography).
    #[error(transparent)]
    Field(#[from] FieldError),
    /// A personal field could not be encrypted.
    #[error("encrypting {field}: {source}")]
    Encrypt {
        /// The field.
        field: &'static str,
        /// Why.
        source: CipherError,
    },
    /// The request could not be signed or built.
    #[error(transparent)]
    Request(#[from] V3RequestError),
    /// WeChat Pay answered with an error code.
    #[error("{0}")]
    Api(Box<ApiFailure>),
    /// An error status whose body is not a v3 error object.
    #[error("HTTP {status} with a body that is not a v3 error object: {reason}")]
    UnreadableError {
        /// HTTP status.
        status: u16,
        /// Why the body could not be read.
        reason: ErrorBodyError,
    },
    /// A 2xx reply whose signature did not verify.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// A verified 2xx reply whose JSON is not the documented object.
    #[error("reply JSON does not match the documented object (line {line}, column {column})")]
    Json {
        /// Line.
        line: usize,
        /// Column.
        column: usize,
    },
    /// A verified reply echoes a different value for a field of the request.
    #[error("reply field {0} differs from the request")]
    Mismatch(&'static str),
}

impl From<ResponseError> for V3ApiError {
    fn from(e: ResponseError) -> Self {
        match e {
            ResponseError::Api(a) => Self::Api(Box::new(ApiFailure {
                status: a.status,
                code: ErrorCode::from_code(&a.body.code),
                message: a.body.message.clone(),
                detail: a.body.detail.clone(),
            })),
            ResponseError::UnreadableError { status, reason } => {
                Self::UnreadableError { status, reason }
            }
            ResponseError::Verify(v) => Self::Verify(v),
        }
    }
}

/// Check a reply (verify 2xx, type the error of others) and decode its JSON as `T`.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    response: ResponseRef<'_>,
    store: &KeyStore,
    now: u64,
    options: &VerifyOptions,
) -> Result<T, V3ApiError> {
    let verified = response::check(response, store, now, options)?;
    serde_json::from_slice(verified.body).map_err(|e| V3ApiError::Json {
        line: e.line(),
        column: e.column(),
    })
}

/// Serialise `body` and sign it as a JSON POST with `Wechatpay-Serial: serial`.
pub(crate) fn post_json<R: rand_core::TryCryptoRng + ?Sized>(
    url: &str,
    body: &impl serde::Serialize,
    serial: &crate::keys::KeyId,
    signer: &crate::v3::auth::MerchantSigner,
    rng: &mut R,
    timestamp: u64,
    nonce: &crate::ids::Nonce,
) -> Result<crate::request::Request, V3ApiError> {
    // Serialising a struct of strings cannot fail; map it anyway rather than panic.
    let bytes = serde_json::to_vec(body).map_err(|e| V3ApiError::Json {
        line: e.line(),
        column: e.column(),
    })?;
    Ok(crate::v3::request::JsonRequest::post(url, bytes)
        .wechatpay_serial(serial)
        .sign(signer, rng, timestamp, nonce)?)
}

/// Compare an echoed field with the request's value.
pub(crate) fn same(field: &'static str, sent: &str, got: &str) -> Result<(), V3ApiError> {
    if sent == got {
        Ok(())
    } else {
        Err(V3ApiError::Mismatch(field))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_roundtrip() {
        for c in [
            "INVALID_REQUEST",
            "NOAUTH",
            "PARAM_ERROR",
            "SYSTEMERROR",
            "USER_ACCOUNT_ABNORMAL",
            "SIGN_ERROR",
            "FREQUENCY_LIMITED",
            "X",
        ] {
            assert_eq!(ErrorCode::from_code(c).as_str(), c);
        }
        assert_eq!(ErrorCode::from_code("NO_AUTH"), ErrorCode::NoAuth);
        assert_eq!(ErrorCode::from_code("SYSTEM_ERROR"), ErrorCode::SystemError);
        assert!(ErrorCode::SystemError.is_retryable());
        assert!(!ErrorCode::ParamError.is_retryable());
        assert_eq!(same("f", "a", "b"), Err(V3ApiError::Mismatch("f")));
        let f = ApiFailure {
            status: 400,
            code: ErrorCode::ParamError,
            message: "m".into(),
            detail: Some(ErrorDetail::default()),
        };
        assert_eq!(f.to_string(), "HTTP 400 PARAM_ERROR: m (field ?, issue ?)");
    }
}
