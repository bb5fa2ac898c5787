//! [`Endpoint`]: where and how an API is spoken, described once per API; [`Echo`]: a field a
//! reply must carry back, and the one function that checks echoes for v2 and v3 alike.

use crate::api::ApiError;

/// The HTTP method of an API.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
}

/// How an API's request is signed and its reply read.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// v2: an XML body signed with the APIv2 key (MD5 / HMAC-SHA256), an XML reply.
    V2Xml {
        /// Whether the reply carries a `sign` to verify.
        signed_reply: bool,
        /// Whether the call needs the merchant's API client certificate (mutual TLS).
        client_certificate: bool,
    },
    /// v2: a signed query string (HMAC-SHA256), an unsigned JSON reply (`appauth`).
    V2Query,
    /// The legacy `nameautheasy` query (MD5 over the parameters), a JSON or JSONP reply.
    LegacyQuery,
    /// v3: a JSON body signed in `Authorization` (SHA256-with-RSA), a verified JSON reply.
    V3Json,
    /// v3: a `multipart/form-data` upload whose `meta` JSON (not the body) is signed in
    /// `Authorization`, a verified JSON reply ([`crate::v3::media`]).
    V3Upload,
}

/// Where and how an API is spoken: one description per API (`XxxRequest::endpoint`). Tests and
/// local stand-ins point a request elsewhere with [`Endpoint::at`] and
/// [`crate::api::Operation::build_at`].
///
/// ```
/// use wechatpay_sansio::api::{Operation, customs::VerifyCertificateRequest};
/// use wechatpay_sansio::api::{HttpMethod, Protocol};
/// # use wechatpay_sansio::secret::Personal;
/// # let req = VerifyCertificateRequest::new("wxd678efh567hg6787", "20150806125346",
/// #     "1000320306201511078440737890", wechatpay_sansio::api::customs::Customs::ShanghaiZs,
/// #     "123456", Personal::new("11010519491231002X"), Personal::new("张三"));
/// let e = req.endpoint();
/// assert_eq!((e.method, e.protocol), (HttpMethod::Post, Protocol::V3Json));
/// assert_eq!(e.url(), "https://apihk.mch.weixin.qq.com/v3/global/customs/verify-certificate");
/// assert_eq!(e.at("http://127.0.0.1:8080").url(),
///            "http://127.0.0.1:8080/v3/global/customs/verify-certificate");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint<'h> {
    /// The API's name (`customs-verify`), as the CLI and the simulator's routes know it.
    pub name: &'static str,
    /// Scheme and host, without a trailing `/`.
    pub host: &'h str,
    /// The path (for the query APIs, without the query).
    pub path: &'static str,
    /// The HTTP method.
    pub method: HttpMethod,
    /// How the request is signed and the reply read.
    pub protocol: Protocol,
}

impl Endpoint<'static> {
    /// A description (used by the API modules' constants).
    #[must_use]
    pub const fn new(
        name: &'static str,
        host: &'static str,
        path: &'static str,
        method: HttpMethod,
        protocol: Protocol,
    ) -> Self {
        Self {
            name,
            host,
            path,
            method,
            protocol,
        }
    }
}

impl<'h> Endpoint<'h> {
    /// The same endpoint served at `host` (scheme and host, e.g. `http://127.0.0.1:8080`).
    #[must_use]
    pub const fn at(self, host: &str) -> Endpoint<'_> {
        Endpoint {
            name: self.name,
            host,
            path: self.path,
            method: self.method,
            protocol: self.protocol,
        }
    }

    /// `host` followed by `path`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("{}{}", self.host, self.path)
    }

    /// Whether the call needs the merchant's API client certificate.
    #[must_use]
    pub const fn requires_client_certificate(&self) -> bool {
        matches!(
            self.protocol,
            Protocol::V2Xml {
                client_certificate: true,
                ..
            }
        )
    }
}

/// A field a success reply carries back: its name, the value sent, and whether the reply must
/// carry it. When the request is not at hand ([`crate::api::read_reply`]) only the presence of
/// the identifying fields is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Echo<'a> {
    /// The field's name in the reply.
    pub name: &'static str,
    /// The value the request sent (`None`: the request sent none).
    pub sent: Option<&'a str>,
    /// Whether a success reply must carry it (else: compared only when present).
    pub required: bool,
    /// Whether the value is compared with `sent` (not when the request is not at hand).
    pub compare: bool,
}

impl<'a> Echo<'a> {
    /// A field the reply must carry with the value `sent`.
    #[must_use]
    pub const fn equal(name: &'static str, sent: &'a str) -> Self {
        Self {
            name,
            sent: Some(sent),
            required: true,
            compare: true,
        }
    }

    /// A field the reply may leave out, but equal to `sent` when present (a reply carrying one
    /// when the request sent none differs).
    #[must_use]
    pub const fn equal_if_present(name: &'static str, sent: Option<&'a str>) -> Self {
        Self {
            name,
            sent,
            required: false,
            compare: true,
        }
    }

    /// The echoes of a reply read without its request: the identifying fields must be present.
    pub(crate) fn present(names: &'static [&'static str]) -> Vec<Echo<'static>> {
        names
            .iter()
            .map(|name| Echo {
                name,
                sent: None,
                required: true,
                compare: false,
            })
            .collect()
    }
}

/// Check the echoes against a reply's fields (`get` reads a non-empty field by name): the one
/// echo check of every typed API, v2 and v3 alike.
pub(crate) fn check_echoes<'v>(
    echoes: &[Echo<'_>],
    get: impl Fn(&'static str) -> Option<&'v str>,
) -> Result<(), ApiError> {
    for e in echoes {
        match get(e.name) {
            None if e.required => return Err(ApiError::MissingField(e.name.to_owned())),
            Some(got) if e.compare && Some(got) != e.sent => {
                return Err(ApiError::Mismatch(e.name.to_owned()));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes() {
        let get = |n: &'static str| match n {
            "a" => Some("1"),
            _ => None,
        };
        assert_eq!(check_echoes(&[Echo::equal("a", "1")], get), Ok(()));
        assert_eq!(
            check_echoes(&[Echo::equal("a", "2")], get),
            Err(ApiError::Mismatch("a".into()))
        );
        assert_eq!(
            check_echoes(&[Echo::equal("b", "2")], get),
            Err(ApiError::MissingField("b".into()))
        );
        assert_eq!(
            check_echoes(&[Echo::equal_if_present("b", Some("2"))], get),
            Ok(())
        );
        assert_eq!(
            check_echoes(&[Echo::equal_if_present("a", None)], get),
            Err(ApiError::Mismatch("a".into()))
        );
        assert_eq!(
            check_echoes(&[Echo::equal_if_present("a", Some("1"))], get),
            Ok(())
        );
        assert_eq!(check_echoes(&Echo::present(&["a"]), get), Ok(()));
        assert_eq!(
            check_echoes(&Echo::present(&["b"]), get),
            Err(ApiError::MissingField("b".into()))
        );
        let e = Endpoint::new("x", "https://h", "/p", HttpMethod::Get, Protocol::V2Query);
        assert_eq!(e.at("http://l").url(), "http://l/p");
        assert!(!e.requires_client_certificate());
    }
}
