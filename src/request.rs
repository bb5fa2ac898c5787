//! The sans-IO request and response values exchanged with any transport.
//!
//! A [`Request`] is everything a transport needs — method, absolute URL, headers, body bytes, and
//! whether the endpoint demands the merchant's client certificate (mutual TLS). Convert it with
//! [`Request::into_http`] (or `http::Request::from`) for hyper, reqwest, ureq and friends.
//! Replies come back as [`ResponseRef`]: status, headers, raw body.

use core::fmt;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use zeroize::Zeroize;

/// The `User-Agent` this crate sends.
pub const USER_AGENT: &str = concat!("wechatpay-sansio/", env!("CARGO_PKG_VERSION"));

/// Why a request value could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The URL is not a valid absolute `https://` URL.
    #[error("invalid URL: must be an absolute https:// URL without spaces or control characters")]
    InvalidUrl,
    /// A header value contains CR, LF or another character not allowed in a header.
    #[error("header {0} would contain a forbidden character (CR, LF or control)")]
    InvalidHeaderValue(&'static str),
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
            .field(
                "uri",
                &format_args!(
                    "{}://{}{}{}",
                    self.uri.scheme_str().unwrap_or_default(),
                    self.uri.authority().map_or("", |a| a.as_str()),
                    self.uri.path(),
                    match self.uri.query() {
                        Some(q) => format!("?<{} bytes>", q.len()),
                        None => String::new(),
                    }
                ),
            )
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
/// ```
/// use wechatpay_sansio::request::ResponseRef;
/// let resp = http::Response::builder().status(200).body(b"{}".to_vec()).unwrap();
/// let r = ResponseRef::from_http(&resp);
/// assert_eq!(r.status.as_u16(), 200);
/// assert_eq!(r.body, b"{}");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ResponseRef<'a> {
    /// HTTP status.
    pub status: StatusCode,
    /// Headers (names are case-insensitive).
    pub headers: &'a HeaderMap,
    /// Raw body bytes.
    pub body: &'a [u8],
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
