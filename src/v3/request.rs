//! Signed v3 JSON requests.
//!
//! [`JsonRequest`] signs the exact body bytes it sends (`Authorization:
//! WECHATPAY2-SHA256-RSA2048 …`); [`JsonRequest::wechatpay_serial`] names the WeChat Pay key that
//! encrypted sensitive fields. The typed APIs of [`crate::api`] use it underneath.

use crate::error::{Classify, Disposition};
use crate::ids::Nonce;
use crate::keys::KeyId;
use crate::request::{Request, RequestError, USER_AGENT};
use crate::time::UnixTime;
use crate::v3::auth::{AuthError, MerchantSigner};
use crate::v3::header::WECHATPAY_SERIAL;
use http::Method;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT as UA};
use rand_core::TryCryptoRng;

/// Why a v3 request could not be built.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum V3RequestError {
    /// Signing failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The URL or a header is invalid.
    #[error(transparent)]
    Request(#[from] RequestError),
}

impl Classify for V3RequestError {
    /// As the wrapped error.
    fn disposition(&self) -> Disposition {
        match self {
            Self::Auth(e) => e.disposition(),
            Self::Request(e) => e.disposition(),
        }
    }
}

/// A v3 JSON request before signing.
///
/// ```
/// use wechatpay_sansio::{ids::Nonce, time::UnixTime, v3::{auth::MerchantSigner, request::JsonRequest}};
/// use wechatpay_sansio::simulator::pem; // TEST ONLY material (feature `simulator`)
/// # use rand_core::SeedableRng;
/// let signer = MerchantSigner::from_pems("1900000109", pem::MERCHANT_PRIVATE_KEY, pem::MERCHANT_CERTIFICATE)?;
/// # let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
/// let req = JsonRequest::post("https://api.mch.weixin.qq.com/v3/pay/transactions/jsapi", br#"{"a":1}"#.to_vec())
///     .sign(&signer, &mut rng, UnixTime::from_secs(1624523846), &Nonce::new("A1B2C3D4E5F6G7")?)?;
/// assert_eq!(req.headers()["content-type"], "application/json");
/// assert!(req.headers()["authorization"].to_str()?.starts_with("WECHATPAY2-SHA256-RSA2048 "));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct JsonRequest<'a> {
    method: Method,
    url: &'a str,
    body: Vec<u8>,
    wechatpay_serial: Option<&'a KeyId>,
}

impl<'a> JsonRequest<'a> {
    /// Any method, URL (absolute `https://`, query already percent-encoded) and body.
    #[must_use]
    pub fn new(method: Method, url: &'a str, body: Vec<u8>) -> Self {
        Self {
            method,
            url,
            body,
            wechatpay_serial: None,
        }
    }

    /// A GET without body.
    #[must_use]
    pub fn get(url: &'a str) -> Self {
        Self::new(Method::GET, url, Vec::new())
    }

    /// A POST with a JSON body (the exact bytes that will be signed and sent).
    #[must_use]
    pub fn post(url: &'a str, body: Vec<u8>) -> Self {
        Self::new(Method::POST, url, body)
    }

    /// Send `Wechatpay-Serial: id`.
    #[must_use]
    pub fn wechatpay_serial(mut self, id: &'a KeyId) -> Self {
        self.wechatpay_serial = Some(id);
        self
    }

    /// Sign and produce the request value. `rng` blinds the RSA operation under RustCrypto and
    /// is not consulted under `aws-lc-rs`.
    ///
    /// # Errors
    /// [`V3RequestError`].
    pub fn sign<R: TryCryptoRng + ?Sized>(
        self,
        signer: &MerchantSigner,
        rng: &mut R,
        timestamp: UnixTime,
        nonce: &Nonce,
    ) -> Result<Request, V3RequestError> {
        let has_body = !self.body.is_empty();
        let mut req = Request::new(self.method, self.url, self.body)?;
        let auth = signer.authorization(
            rng,
            req.method().as_str(),
            req.path_and_query(),
            timestamp,
            nonce,
            req.body(),
        )?;
        req = req
            .header(AUTHORIZATION, "Authorization", &auth.to_string())?
            .static_header(ACCEPT, "application/json")
            .static_header(UA, USER_AGENT);
        if has_body {
            req = req.static_header(CONTENT_TYPE, "application/json");
        }
        if let Some(id) = self.wechatpay_serial {
            req = req.header(WECHATPAY_SERIAL.clone(), "Wechatpay-Serial", id.as_str())?;
        }
        Ok(req)
    }
}
