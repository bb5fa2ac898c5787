//! 获取RSA加密公钥 — `POST https://fraud.mch.weixin.qq.com/risk/getpublickey` (SPEC §7): the RSA
//! key that encrypts the sensitive fields of [`crate::api::querymchrisk`] (and of 付款到银行卡).
//!
//! Mutual TLS is required; the request is signed with MD5 or HMAC-SHA256 (`sign_type` sent and
//! signed); the reply is **unsigned** and carries `pub_key`, a PKCS#1 `BEGIN RSA PUBLIC KEY` PEM,
//! parsed here into a [`PublicKey`]. Fetch it once and keep it.
//!
//! ```
//! use wechatpay_sansio::api::getpublickey::GetPublicKeyRequest;
//! use wechatpay_sansio::{ids::{MchId, Nonce}, request::ResponseRef, secret::ApiV2Key, v2::SignType};
//! let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?; // example key from the v2 docs
//! let req = GetPublicKeyRequest {
//!     mch_id: MchId::new("123456")?,
//!     nonce_str: Nonce::new("5K8264ILTKCH16CQ2502SI8ZNMTM67VS")?,
//!     sign_type: SignType::Md5,
//! };
//! let http = req.build(&key)?;
//! assert!(http.requires_client_certificate());
//! // The official sample reply (wechatpay-php fixture).
//! let body = include_bytes!("../../tests/data/php_getpublickey.response.sample.xml");
//! let headers = http::HeaderMap::new();
//! let got = req.parse_reply(ResponseRef::new(http::StatusCode::OK, &headers, body))?;
//! assert_eq!(got.key.bits(), 2048);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::v2_common;
use crate::ids::{MchId, Nonce};
use crate::keys::{KeyError, PublicKey};
use crate::request::{Request, ResponseRef};
use crate::secret::ApiV2Key;
use crate::v2::SignType;
use crate::v2::reply::{self, Expect, ReplyError};
use crate::v2::request::{V2RequestError, post_xml};
use crate::v2::xml::{self, XmlLimits};

/// Path of the endpoint.
pub const PATH: &str = "/risk/getpublickey";
/// URL of the endpoint (on the `fraud` host).
pub const URL: &str = "https://fraud.mch.weixin.qq.com/risk/getpublickey";

/// Why `getpublickey` could not be built or its reply not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GetPublicKeyError {
    /// The signed request could not be built.
    #[error("building the request: {0}")]
    Build(#[from] V2RequestError),
    /// The reply has an HTTP status outside 2xx.
    #[error("HTTP status {0} (v2 replies come with 200)")]
    HttpStatus(u16),
    /// The reply is not valid XML or has `return_code` FAIL.
    #[error("getpublickey reply: {0}")]
    Reply(ReplyError),
    /// `result_code` FAIL.
    #[error("getpublickey failed: err_code {}: {}",
        err_code.as_deref().unwrap_or("-"), err_code_des.as_deref().unwrap_or(""))]
    Business {
        /// `err_code`.
        err_code: Option<String>,
        /// `err_code_des`.
        err_code_des: Option<String>,
    },
    /// `pub_key` is missing. (A missing or differing `mch_id` is [`ReplyError::MissingField`] /
    /// [`ReplyError::Mismatch`].)
    #[error("the reply has no {0}")]
    MissingReplyField(&'static str),
    /// `pub_key` is not an RSA-2048 public key in PEM.
    #[error("pub_key: {0}")]
    Key(#[from] KeyError),
}

impl From<ReplyError> for GetPublicKeyError {
    fn from(e: ReplyError) -> Self {
        match e {
            ReplyError::BusinessFail {
                err_code,
                err_code_des,
            } => Self::Business {
                err_code,
                err_code_des,
            },
            e => Self::Reply(e),
        }
    }
}

/// A `getpublickey` request. Every field is already a validated type, so there is nothing
/// further to validate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetPublicKeyRequest {
    /// Merchant id.
    pub mch_id: MchId,
    /// `nonce_str`.
    pub nonce_str: Nonce,
    /// MD5 or HMAC-SHA256 (sent as `sign_type` and signed).
    pub sign_type: SignType,
}

/// The key served by `getpublickey`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskPublicKey {
    /// `mch_id`, as echoed (equal to the request's).
    pub mch_id: String,
    /// The RSA-2048 key for OAEP field encryption.
    pub key: PublicKey,
}

impl GetPublicKeyRequest {
    /// Build the signed XML POST to [`URL`], flagged as requiring the client certificate.
    ///
    /// # Errors
    /// [`GetPublicKeyError::Build`] (not reachable with valid keys and these typed fields).
    pub fn build(&self, key: &ApiV2Key) -> Result<Request, GetPublicKeyError> {
        self.build_at(URL, key)
    }

    fn build_at(&self, url: &str, key: &ApiV2Key) -> Result<Request, GetPublicKeyError> {
        Ok(post_xml(
            url,
            &[
                ("mch_id", self.mch_id.as_str()),
                ("nonce_str", self.nonce_str.as_str()),
                ("sign_type", self.sign_type.as_str()),
            ],
            key,
            self.sign_type,
            true,
        )?)
    }

    /// Check the unsigned reply (`result_code` required, `mch_id` present and equal) and parse
    /// `pub_key` (PKCS#1 `RSA PUBLIC KEY`, or SPKI).
    ///
    /// # Errors
    /// See [`GetPublicKeyError`].
    pub fn parse_reply(
        &self,
        response: ResponseRef<'_>,
    ) -> Result<RiskPublicKey, GetPublicKeyError> {
        v2_common::success_status(response.status).map_err(GetPublicKeyError::HttpStatus)?;
        let fields = xml::parse_with_limits(response.body, &XmlLimits::default())
            .map_err(|e| GetPublicKeyError::Reply(e.into()))?;
        reply::check_unsigned(
            &fields,
            &Expect::unsigned().echo(&[("mch_id", self.mch_id.as_str())]),
        )?;
        let pem = fields
            .get_non_empty("pub_key")
            .ok_or(GetPublicKeyError::MissingReplyField("pub_key"))?;
        let key = PublicKey::from_pem(pem)?;
        Ok(RiskPublicKey {
            mch_id: self.mch_id.as_str().to_owned(),
            key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_error_is_reported() {
        let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
        let req = GetPublicKeyRequest {
            mch_id: MchId::new("1").unwrap(),
            nonce_str: Nonce::new("n").unwrap(),
            sign_type: SignType::HmacSha256,
        };
        assert!(matches!(
            req.build_at("http://x/", &key),
            Err(GetPublicKeyError::Build(_))
        ));
    }
}
