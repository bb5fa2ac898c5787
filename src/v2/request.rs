//! Signed v2 request values: an XML POST, or a GET whose query carries the sign
//! (`appauth/getaccesstoken`, the legacy `nameautheasy`).

use crate::error::{Classify, Disposition};
use crate::request::{Request, RequestError, USER_AGENT};
use crate::secret::ApiV2Key;
use crate::v2::sign::{self, SignError, SignType};
use crate::v2::xml::{self, XmlError};
use http::Method;
use http::header::{ACCEPT, CONTENT_TYPE, USER_AGENT as UA};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Why a v2 request could not be built.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum V2RequestError {
    /// The parameters already contain `sign`: it is computed here.
    #[error("parameters must not contain sign: it is computed by the builder")]
    SignPresent,
    /// The parameters contain a `sign_type` different from the one requested.
    #[error("parameter sign_type disagrees with the sign type used")]
    SignTypeMismatch,
    /// Signing failed (bad or duplicate names).
    #[error(transparent)]
    Sign(#[from] SignError),
    /// The XML body could not be written.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// The URL or a header is invalid.
    #[error(transparent)]
    Request(#[from] RequestError),
}

impl Classify for V2RequestError {
    /// [`Disposition::Misconfigured`]: the caller's parameters or URL.
    fn disposition(&self) -> Disposition {
        Disposition::Misconfigured
    }
}

/// Every character except RFC 3986 unreserved ones is percent-encoded in query values.
pub(crate) const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn with_sign_type<'a>(
    params: &[(&'a str, &'a str)],
    sign_type: SignType,
) -> Result<Vec<(&'a str, &'a str)>, V2RequestError> {
    if params.iter().any(|(k, _)| *k == "sign") {
        return Err(V2RequestError::SignPresent);
    }
    let mut v = params.to_vec();
    match params.iter().find(|(k, _)| *k == "sign_type") {
        Some((_, t)) if *t != sign_type.as_str() => return Err(V2RequestError::SignTypeMismatch),
        Some(_) => {}
        // HMAC-SHA256 must be announced (the server picks the algorithm from it); MD5 is the default.
        None if sign_type == SignType::HmacSha256 => v.push(("sign_type", sign_type.as_str())),
        None => {}
    }
    Ok(v)
}

/// Build a signed XML POST to `url` (`Content-Type: text/xml; charset=utf-8`).
///
/// `params` are the request fields including `nonce_str`; `sign_type` is added when the sign type
/// is HMAC-SHA256 and the caller did not set it; `sign` is computed and appended.
///
/// ```
/// use wechatpay_sansio::secret::ApiV2Key;
/// use wechatpay_sansio::v2::{request::post_xml, SignType};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let req = post_xml("https://api.mch.weixin.qq.com/pay/orderquery",
///     &[("appid", "wxd930ea5d5a258f4f"), ("mch_id", "10000100"), ("nonce_str", "ibuaiVcKdpRxkhJA")],
///     &key, SignType::HmacSha256, false)?;
/// let body = std::str::from_utf8(req.body())?;
/// assert!(body.contains("<sign_type>HMAC-SHA256</sign_type>"));
/// assert!(body.contains("<sign>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// See [`V2RequestError`].
pub fn post_xml(
    url: &str,
    params: &[(&str, &str)],
    key: &ApiV2Key,
    sign_type: SignType,
    client_certificate: bool,
) -> Result<Request, V2RequestError> {
    let mut v = with_sign_type(params, sign_type)?;
    let s = sign::sign(v.iter().copied(), key, sign_type)?;
    v.push(("sign", s.as_str()));
    let body = xml::to_xml(v)?;
    Ok(Request::new(Method::POST, url, body.into_bytes())?
        .static_header(CONTENT_TYPE, "text/xml; charset=utf-8")
        .static_header(ACCEPT, "text/xml, application/xml, application/json")
        .static_header(UA, USER_AGENT)
        .with_client_certificate(client_certificate))
}

/// Build a GET to `url` whose query is `params` plus `sign`: signed over the raw values, then
/// percent-encoded (UTF-8) for the wire. Empty values are sent but do not take part in the sign.
///
/// ```
/// use wechatpay_sansio::secret::ApiV2Key;
/// use wechatpay_sansio::v2::{request::get_signed, SignType};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let req = get_signed("https://api.mch.weixin.qq.com/appauth/getaccesstoken",
///     &[("mch_id", "10000100"), ("redirect", "a b&c")], &key, SignType::HmacSha256)?;
/// assert!(req.uri().query().unwrap().starts_with("mch_id=10000100&redirect=a%20b%26c&sign_type=HMAC-SHA256&sign="));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// See [`V2RequestError`].
pub fn get_signed(
    url: &str,
    params: &[(&str, &str)],
    key: &ApiV2Key,
    sign_type: SignType,
) -> Result<Request, V2RequestError> {
    let mut v = with_sign_type(params, sign_type)?;
    let s = sign::sign(v.iter().copied(), key, sign_type)?;
    v.push(("sign", s.as_str()));
    let full = format!("{url}?{}", encode_query(&v));
    Ok(Request::new(Method::GET, &full, Vec::new())?
        .static_header(ACCEPT, "application/json, text/xml")
        .static_header(UA, USER_AGENT))
}

/// `k=v&…` with values percent-encoded (names are sent as they are).
pub(crate) fn encode_query(pairs: &[(&str, &str)]) -> String {
    let mut q = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            q.push('&');
        }
        q.extend(utf8_percent_encode(k, QUERY_VALUE));
        q.push('=');
        q.extend(utf8_percent_encode(v, QUERY_VALUE));
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ApiV2Key {
        ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap()
    }

    #[test]
    fn builder_errors() {
        assert_eq!(
            post_xml("https://x/", &[("sign", "1")], &key(), SignType::Md5, false).err(),
            Some(V2RequestError::SignPresent)
        );
        assert_eq!(
            post_xml(
                "https://x/",
                &[("sign_type", "MD5")],
                &key(),
                SignType::HmacSha256,
                false
            )
            .err(),
            Some(V2RequestError::SignTypeMismatch)
        );
        assert!(matches!(
            post_xml("https://x/", &[("a b", "1")], &key(), SignType::Md5, false),
            Err(V2RequestError::Xml(XmlError::InvalidName(_)))
        ));
        assert!(matches!(
            post_xml(
                "https://x/",
                &[("a", "1"), ("a", "2")],
                &key(),
                SignType::Md5,
                false
            ),
            Err(V2RequestError::Sign(SignError::DuplicateField(_)))
        ));
        assert!(matches!(
            post_xml("ftp://x/", &[], &key(), SignType::Md5, false),
            Err(V2RequestError::Request(RequestError::InvalidUrl))
        ));
        assert!(matches!(
            get_signed("https://x/", &[("sign", "1")], &key(), SignType::Md5),
            Err(V2RequestError::SignPresent)
        ));
    }

    #[test]
    fn md5_does_not_add_sign_type_and_body_verifies() {
        let req = post_xml(
            "https://x/p",
            &[("a", "1"), ("b", "<&>")],
            &key(),
            SignType::Md5,
            true,
        )
        .unwrap();
        assert!(req.requires_client_certificate());
        let f = xml::parse(req.body()).unwrap();
        assert_eq!(f.get("sign_type"), None);
        assert_eq!(f.get("b"), Some("<&>"));
        assert_eq!(
            sign::verify_fields(&f, &key(), Some(SignType::Md5)),
            Ok(SignType::Md5)
        );
    }

    #[test]
    fn query_encoding() {
        assert_eq!(
            encode_query(&[("truename", "张三"), ("x", "1|2")]),
            "truename=%E5%BC%A0%E4%B8%89&x=1%7C2"
        );
    }
}
