//! The sans-IO request and response values exchanged with any transport.
//!
//! A [`Request`] is everything a transport needs — method, absolute URL, headers, body bytes, and
//! whether the endpoint demands the merchant's client certificate (mutual TLS). Convert it with
//! [`Request::into_http`] (or `http::Request::from`) for hyper, reqwest, ureq and friends.
//! Replies come back as [`ResponseRef`]: status, headers, raw body.
//!
//! ```
//! use wechatpay_sansio::{request::ResponseRef, secret::ApiV2Key, v2::{request::post_xml, SignType}};
//! let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
//! let req = post_xml("https://api.mch.weixin.qq.com/pay/orderquery",
//!     &[("mch_id", "10000100"), ("nonce_str", "ibuaiVcKdpRxkhJA")], &key, SignType::Md5, false)?;
//! assert!(!req.requires_client_certificate());
//! let http_req: http::Request<Vec<u8>> = req.into_http();      // for any HTTP client
//! assert_eq!(http_req.uri().host(), Some("api.mch.weixin.qq.com"));
//! // … and the reply, borrowed as received:
//! let reply = http::Response::new(b"<xml><return_code>SUCCESS</return_code></xml>".to_vec());
//! let r = ResponseRef::from_http(&reply);
//! assert_eq!(r.status, http::StatusCode::OK);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{Classify, Disposition};
use core::fmt;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use zeroize::Zeroize;

/// The `User-Agent` this crate sends.
pub const USER_AGENT: &str = concat!("wechatpay-sansio/", env!("CARGO_PKG_VERSION"));

/// Why a request value could not be built.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The URL is not a valid absolute `https://` URL.
    #[error("invalid URL: must be an absolute https:// URL without spaces or control characters")]
    InvalidUrl,
    /// A header value contains CR, LF or another character not allowed in a header.
    #[error("header {0} would contain a forbidden character (CR, LF or control)")]
    InvalidHeaderValue(&'static str),
}

impl Classify for RequestError {
    /// [`Disposition::Misconfigured`]: a URL or header value the caller supplied.
    fn disposition(&self) -> Disposition {
        Disposition::Misconfigured
    }
}

/// A signed request, ready for any HTTP client.
///
/// The body may contain personal data (v2 real-name requests carry the name in clear), so
/// `Debug` prints its length only (and the query string's length only), and the bytes are zeroized on drop.
pub struct Request {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Vec<u8>,
    client_certificate_required: bool,
}

impl Request {
    pub(crate) fn new(method: Method, url: &str, body: Vec<u8>) -> Result<Self, RequestError> {
        let uri: Uri = url.parse().map_err(|_| RequestError::InvalidUrl)?;
        if uri.scheme_str() != Some("https") || uri.host().is_none() {
            return Err(RequestError::InvalidUrl);
        }
        Ok(Self {
            method,
            uri,
            headers: HeaderMap::new(),
            body,
            client_certificate_required: false,
        })
    }

    pub(crate) fn header(
        mut self,
        name: HeaderName,
        field: &'static str,
        value: &str,
    ) -> Result<Self, RequestError> {
        let v =
            HeaderValue::from_str(value).map_err(|_| RequestError::InvalidHeaderValue(field))?;
        self.headers.insert(name, v);
        Ok(self)
    }

    pub(crate) fn static_header(mut self, name: HeaderName, value: &'static str) -> Self {
        self.headers.insert(name, HeaderValue::from_static(value));
        self
    }

    pub(crate) fn with_client_certificate(mut self, required: bool) -> Self {
        self.client_certificate_required = required;
        self
    }

    /// HTTP method.
    #[must_use]
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// Absolute URL (scheme, host, path and query).
    #[must_use]
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// Path and query exactly as sent (what the v3 signature covers).
    #[must_use]
    pub fn path_and_query(&self) -> &str {
        self.uri.path_and_query().map_or("/", |p| p.as_str())
    }

    /// Headers to send (`Authorization`, `Content-Type`, `Accept`, `User-Agent`, `Wechatpay-Serial`…).
    #[must_use]
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Body bytes, exactly as signed.
    #[must_use]
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Whether the endpoint requires the merchant API client certificate (mutual TLS), as
    /// `querymchrisk` and `risk/getpublickey` do. The transport must present it.
    #[must_use]
    pub fn requires_client_certificate(&self) -> bool {
        self.client_certificate_required
    }

    /// Convert into an [`http::Request`]. The client-certificate flag is carried as a
    /// [`ClientCertificateRequired`] extension.
    ///
    /// **Do not log the result.** The standard `http::Request` `Debug` prints the whole URL and
    /// body: the legacy `nameautheasy` GET carries the real name and ID number in its query, and
    /// the `realnameauth` body carries them in clear. Log this [`Request`] (its `Debug` shows the
    /// query and body lengths only) before converting, or wrap the converted request in
    /// [`Redacted`].
    #[must_use]
    pub fn into_http(mut self) -> http::Request<Vec<u8>> {
        let body = core::mem::take(&mut self.body);
        let mut req = http::Request::new(body);
        *req.method_mut() = self.method.clone();
        *req.uri_mut() = self.uri.clone();
        *req.headers_mut() = core::mem::take(&mut self.headers);
        if self.client_certificate_required {
            req.extensions_mut().insert(ClientCertificateRequired);
        }
        req
    }
}

/// A `Debug` view of an [`http::Request`] that is safe to log: method, scheme, host and path,
/// the query's length, header names, and the body's length. Header values, the query and the
/// body (personal data, signatures, tokens) are never printed.
///
/// ```
/// use wechatpay_sansio::request::Redacted;
/// let req = http::Request::get("https://api.mch.weixin.qq.com/cgi-bin/nameauth/nameautheasy?creid=11010519491231002X")
///     .body(Vec::<u8>::new())?;
/// let shown = format!("{:?}", Redacted(&req));
/// assert!(!shown.contains("11010519491231002X"));
/// assert!(shown.contains("/cgi-bin/nameauth/nameautheasy?<24 bytes>"));
/// # Ok::<(), http::Error>(())
/// ```
pub struct Redacted<'a, B>(pub &'a http::Request<B>);

impl<B: AsRef<[u8]>> fmt::Debug for Redacted<'_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.0;
        f.debug_struct("Request")
            .field("method", r.method())
            .field("uri", &RedactedUri(r.uri()))
            .field("headers", &r.headers().keys().collect::<Vec<_>>())
            .field("body", &format_args!("<{} bytes>", r.body().as_ref().len()))
            .finish()
    }
}

/// `scheme://authority/path?<N bytes>`.
struct RedactedUri<'a>(&'a Uri);

impl fmt::Debug for RedactedUri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let u = self.0;
        if let Some(scheme) = u.scheme_str() {
            write!(f, "{scheme}://")?;
        }
        if let Some(a) = u.authority() {
            f.write_str(a.as_str())?;
        }
        f.write_str(u.path())?;
        if let Some(q) = u.query() {
            write!(f, "?<{} bytes>", q.len())?;
        }
        Ok(())
    }
}

/// Marker extension on an [`http::Request`] whose endpoint demands mutual TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientCertificateRequired;

impl From<Request> for http::Request<Vec<u8>> {
    fn from(r: Request) -> Self {
        r.into_http()
    }
}

impl Drop for Request {
    fn drop(&mut self) {
        self.body.zeroize();
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            // The query may carry personal data (the legacy nameautheasy GET): length only.
            .field("uri", &RedactedUri(&self.uri))
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field(
                "client_certificate_required",
                &self.client_certificate_required,
            )
            .finish()
    }
}

/// A received reply, borrowed: status, headers and the raw body bytes (never re-serialised).
///
/// `Debug` prints the status, the header names and the body's length: bodies carry personal
/// data (a masked name, an echoed ID number in an error's `detail`).
///
/// ```
/// use wechatpay_sansio::request::ResponseRef;
/// let resp = http::Response::builder().status(200).body(b"{}".to_vec()).unwrap();
/// let r = ResponseRef::from_http(&resp);
/// assert_eq!(r.status.as_u16(), 200);
/// assert_eq!(r.body, b"{}");
/// ```
#[derive(Clone, Copy)]
pub struct ResponseRef<'a> {
    /// HTTP status.
    pub status: StatusCode,
    /// Headers (names are case-insensitive).
    pub headers: &'a HeaderMap,
    /// Raw body bytes.
    pub body: &'a [u8],
}

impl fmt::Debug for ResponseRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseRef")
            .field("status", &self.status)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

impl<'a> ResponseRef<'a> {
    /// From parts.
    #[must_use]
    pub fn new(status: StatusCode, headers: &'a HeaderMap, body: &'a [u8]) -> Self {
        Self {
            status,
            headers,
            body,
        }
    }

    /// Borrow an [`http::Response`].
    #[must_use]
    pub fn from_http<B: AsRef<[u8]>>(resp: &'a http::Response<B>) -> Self {
        Self {
            status: resp.status(),
            headers: resp.headers(),
            body: resp.body().as_ref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_value_roundtrip() {
        let r = Request::new(
            Method::POST,
            "https://api.mch.weixin.qq.com/v3/x?a=1",
            b"{}".to_vec(),
        )
        .unwrap()
        .header(http::header::ACCEPT, "Accept", "application/json")
        .unwrap()
        .with_client_certificate(true);
        assert_eq!(r.path_and_query(), "/v3/x?a=1");
        assert!(r.requires_client_certificate());
        assert!(format!("{r:?}").contains("<2 bytes>"));
        let h: http::Request<Vec<u8>> = r.into();
        assert_eq!(h.body(), b"{}");
        assert!(h.extensions().get::<ClientCertificateRequired>().is_some());
    }

    #[test]
    fn request_errors() {
        assert_eq!(
            Request::new(Method::GET, "http://x/", vec![]).err(),
            Some(RequestError::InvalidUrl)
        );
        assert_eq!(
            Request::new(Method::GET, "/relative", vec![]).err(),
            Some(RequestError::InvalidUrl)
        );
        assert_eq!(
            Request::new(Method::GET, "https://a b/", vec![]).err(),
            Some(RequestError::InvalidUrl)
        );
        let r = Request::new(Method::GET, "https://x/", vec![]).unwrap();
        assert_eq!(
            r.header(http::header::ACCEPT, "Accept", "a\r\nX-Evil: 1")
                .err(),
            Some(RequestError::InvalidHeaderValue("Accept"))
        );
    }
}
