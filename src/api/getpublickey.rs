//! 获取RSA加密公钥 — `POST https://fraud.mch.weixin.qq.com/risk/getpublickey` (official page:
//! <https://pay.weixin.qq.com/doc/v2/merchant/4011941097>): the RSA key that encrypts the
//! sensitive fields of [`crate::api::querymchrisk`] (and of 付款到银行卡).
//!
//! Mutual TLS is required; the request is signed with MD5 or HMAC-SHA256 (`sign_type` sent and
//! signed); the reply is **unsigned** and carries `pub_key`, a PKCS#1 `BEGIN RSA PUBLIC KEY` PEM,
//! read here into a [`PublicKey`]. Fetch it once and keep it in the merchant context
//! ([`Merchant::with_risk_key`]).
//!
//! ```
//! use wechatpay_sansio::api::{Operation, getpublickey::GetPublicKeyRequest};
//! use wechatpay_sansio::{request::ResponseRef, simulator::Simulator, time::UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let sim = Simulator::new();
//! let merchant = sim.merchant();                                      // TEST ONLY keys
//! let now = UnixTime::from_secs(1_767_225_600);
//! let req = GetPublicKeyRequest::new();
//! let http = req.build(&merchant, &mut rng, now)?;
//! assert!(http.requires_client_certificate());
//! let reply = sim.handle(&http.into_http(), now, &mut rng, &Default::default());
//! let risk_key = req.parse_reply(&merchant, ResponseRef::from_http(&reply), now)?.key;
//! let merchant = merchant.with_risk_key(risk_key);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::v2_common;
use crate::api::{ApiError, Operation};
use crate::api::{Echo, Endpoint, HttpMethod, Protocol};
use crate::ids::Nonce;
use crate::keys::PublicKey;
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::time::UnixTime;
use crate::v2::SignType;
use crate::v2::reply::Expect;
use crate::v2::request::post_xml;
use rand_core::TryCryptoRng;

/// Path of the endpoint.
pub const PATH: &str = "/risk/getpublickey";

/// A `getpublickey` request. `mch_id` comes from the [`Merchant`], `nonce_str` from the RNG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GetPublicKeyRequest {
    /// MD5 or HMAC-SHA256 (default; sent as `sign_type` and signed).
    pub sign_type: SignType,
}

impl Default for GetPublicKeyRequest {
    fn default() -> Self {
        Self::new()
    }
}

/// The key served by `getpublickey`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskPublicKey {
    /// `mch_id`, as echoed.
    pub mch_id: String,
    /// The RSA-2048 key for OAEP field encryption.
    pub key: PublicKey,
}

impl GetPublicKeyRequest {
    /// A request signed with HMAC-SHA256.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            sign_type: SignType::HmacSha256,
        }
    }
}

/// This API's description.
pub const ENDPOINT: Endpoint<'static> = Endpoint::new(
    "getpublickey",
    "https://fraud.mch.weixin.qq.com",
    PATH,
    HttpMethod::Post,
    Protocol::V2Xml {
        signed_reply: false,
        client_certificate: true,
    },
);

impl Operation for GetPublicKeyRequest {
    type Outcome = RiskPublicKey;
    type ReplyOptions = ();
    const IDENTIFYING: &'static [&'static str] = &["mch_id"];

    const ENDPOINT: Endpoint<'static> = ENDPOINT;

    /// The signed XML POST, flagged as requiring the client certificate.
    ///
    /// `rng` draws `nonce_str` only: this call involves no RSA operation, so the backend
    /// (RustCrypto or `aws-lc-rs`) makes no difference.
    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        endpoint: &Endpoint<'_>,
        merchant: &Merchant,
        rng: &mut R,
        _now: UnixTime,
    ) -> Result<Request, ApiError> {
        let nonce = Nonce::generate(rng).map_err(|_| ApiError::Rng)?;
        Ok(post_xml(
            &endpoint.url(),
            &[
                ("mch_id", merchant.mchid().as_str()),
                ("nonce_str", nonce.as_str()),
                ("sign_type", self.sign_type.as_str()),
            ],
            merchant.api_v2_key()?,
            self.sign_type,
            endpoint.requires_client_certificate(),
        )?)
    }

    /// `mch_id` equal to the merchant's.
    fn echoes<'a>(&'a self, merchant: &'a Merchant) -> Vec<Echo<'a>> {
        vec![Echo::equal("mch_id", merchant.mchid().as_str())]
    }

    /// The unsigned reply (`result_code` required, the echoes), then `pub_key` (PKCS#1
    /// `RSA PUBLIC KEY`, or SPKI).
    fn decode(
        _merchant: &Merchant,
        response: ResponseRef<'_>,
        _now: UnixTime,
        (): &(),
        echoes: &[Echo<'_>],
    ) -> Result<RiskPublicKey, ApiError> {
        v2_common::xml_reply(&response, None, &Expect::unsigned(), echoes, |r| {
            let pem = r
                .text("pub_key")
                .ok_or_else(|| ApiError::MissingField("pub_key".into()))?;
            Ok(RiskPublicKey {
                mch_id: r.strict("mch_id").unwrap_or_default().to_owned(),
                key: PublicKey::from_pem(pem)?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_error_is_reported() {
        let merchant = Merchant::new("1").unwrap().with_api_v2_key(
            crate::secret::ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap(),
        );
        let mut rng = <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(1);
        assert!(matches!(
            GetPublicKeyRequest::new().build_at(
                &ENDPOINT.at("http://x"),
                &merchant,
                &mut rng,
                crate::time::UnixTime::from_secs(0)
            ),
            Err(ApiError::V2Request(_))
        ));
    }
}
