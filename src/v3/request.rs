//! Signed v3 requests.
//!
//! [`JsonRequest`] signs the exact body bytes it sends (`Authorization:
//! WECHATPAY2-SHA256-RSA2048 …`); [`JsonRequest::wechatpay_serial`] names the WeChat Pay key that
//! encrypted sensitive fields. [`RawRequest`] takes the bytes to sign separately from the bytes
//! to send ([`SignableBody`]): a media upload sends a `multipart/form-data` body and signs only
//! its `meta` JSON ([`crate::v3::media`]). The typed APIs of [`crate::api`] use both underneath.

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

/// What the `Authorization` signature covers as the body line of the signed message
/// (`METHOD\nPATH\nTIMESTAMP\nNONCE\nBODY\n`), in the spirit of aws-sigv4's `SignableBody`.
///
/// ```
/// use wechatpay_sansio::v3::request::SignableBody;
/// let meta = br#"{"filename":"a.jpg","sha256":"00"}"#;
/// assert_eq!(SignableBody::Precomputed(meta).bytes(b"--multipart body--"), meta);
/// assert_eq!(SignableBody::Body.bytes(b"{}"), b"{}");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignableBody<'a> {
    /// The body that is sent (JSON requests; the empty body of a `GET`).
    #[default]
    Body,
    /// These bytes instead of the body: the `meta` JSON of a media upload, whose
    /// `multipart/form-data` body WeChat Pay does not sign.
    Precomputed(&'a [u8]),
}

impl<'a> SignableBody<'a> {
    /// The bytes signed for a request whose body is `body`.
    #[must_use]
    pub fn bytes(self, body: &'a [u8]) -> &'a [u8] {
        match self {
            Self::Body => body,
            Self::Precomputed(bytes) => bytes,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum ContentType<'a> {
    /// A constant (no allocation to check it).
    Static(&'static str),
    /// The caller's, checked when signing.
    Given(&'a str),
}

/// A v3 request before signing, with its own `Content-Type` and what the signature covers
/// ([`SignableBody`]): the entry point for bodies that are not the signed bytes (media uploads),
/// and what [`JsonRequest`] signs through.
///
/// ```
/// use wechatpay_sansio::{ids::Nonce, time::UnixTime, v3::auth::MerchantSigner};
/// use wechatpay_sansio::v3::request::{RawRequest, SignableBody};
/// use wechatpay_sansio::simulator::pem; // TEST ONLY material (feature `simulator`)
/// # use rand_core::SeedableRng;
/// let signer = MerchantSigner::from_pems("1900000109", pem::MERCHANT_PRIVATE_KEY, pem::MERCHANT_CERTIFICATE)?;
/// # let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
/// let meta = br#"{"filename":"a.png","sha256":"00"}"#;
/// let req = RawRequest::post("https://api.mch.weixin.qq.com/v3/merchant/media/upload",
///                            b"--b\r\n...".to_vec(), "multipart/form-data; boundary=b")
///     .signable(SignableBody::Precomputed(meta))
///     .sign(&signer, &mut rng, UnixTime::from_secs(1624523846), &Nonce::new("A1B2C3D4E5F6G7")?)?;
/// assert_eq!(req.headers()["content-type"], "multipart/form-data; boundary=b");
/// // The signature covers `meta`, not the multipart body (RSASSA-PKCS1-v1_5 is deterministic):
/// let over_meta = signer.authorization(&mut rng, "POST", "/v3/merchant/media/upload",
///     UnixTime::from_secs(1624523846), &Nonce::new("A1B2C3D4E5F6G7")?, meta)?;
/// assert!(req.headers()["authorization"].to_str()?.ends_with(&format!("signature=\"{}\"", over_meta.signature)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct RawRequest<'a> {
    method: Method,
    url: &'a str,
    body: Vec<u8>,
    content_type: Option<ContentType<'a>>,
    signable: SignableBody<'a>,
    wechatpay_serial: Option<&'a KeyId>,
}

impl<'a> RawRequest<'a> {
    /// Any method, URL (absolute `https://`, query already percent-encoded) and body; no
    /// `Content-Type`, the body signed.
    #[must_use]
    pub fn new(method: Method, url: &'a str, body: Vec<u8>) -> Self {
        Self {
            method,
            url,
            body,
            content_type: None,
            signable: SignableBody::Body,
            wechatpay_serial: None,
        }
    }

    /// A POST of `body` with `Content-Type: content_type`.
    #[must_use]
    pub fn post(url: &'a str, body: Vec<u8>, content_type: &'a str) -> Self {
        Self::new(Method::POST, url, body).content_type(content_type)
    }

    /// Send `Content-Type: content_type`.
    #[must_use]
    pub fn content_type(mut self, content_type: &'a str) -> Self {
        self.content_type = Some(ContentType::Given(content_type));
        self
    }

    /// What the signature covers (default: the body).
    #[must_use]
    pub fn signable(mut self, signable: SignableBody<'a>) -> Self {
        self.signable = signable;
        self
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
    /// [`V3RequestError`]; a `Content-Type` that is not a header value is
    /// [`RequestError::InvalidHeaderValue`].
    pub fn sign<R: TryCryptoRng + ?Sized>(
        self,
        signer: &MerchantSigner,
        rng: &mut R,
        timestamp: UnixTime,
        nonce: &Nonce,
    ) -> Result<Request, V3RequestError> {
        let mut req = Request::new(self.method, self.url, self.body)?;
        let auth = signer.authorization(
            rng,
            req.method().as_str(),
            req.path_and_query(),
            timestamp,
            nonce,
            self.signable.bytes(req.body()),
        )?;
        req = req
            .header(AUTHORIZATION, "Authorization", &auth.to_string())?
            .static_header(ACCEPT, "application/json")
            .static_header(UA, USER_AGENT);
        match self.content_type {
            Some(ContentType::Static(ct)) => req = req.static_header(CONTENT_TYPE, ct),
            Some(ContentType::Given(ct)) => req = req.header(CONTENT_TYPE, "Content-Type", ct)?,
            None => {}
        }
        if let Some(id) = self.wechatpay_serial {
            req = req.header(WECHATPAY_SERIAL.clone(), "Wechatpay-Serial", id.as_str())?;
        }
        Ok(req)
    }
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
        let mut raw = RawRequest::new(self.method, self.url, self.body);
        if has_body {
            raw.content_type = Some(ContentType::Static("application/json"));
        }
        if let Some(id) = self.wechatpay_serial {
            raw = raw.wechatpay_serial(id);
        }
        raw.sign(signer, rng, timestamp, nonce)
    }
}
