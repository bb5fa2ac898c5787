//! [`DownloadRequest`]: the second step of every bill, `GET download_url`, signed like any v3
//! `GET`; its reply is the file, **unsigned** ([`crate::v3::UNSIGNED_REPLY_PATHS`]), so the
//! digest of the signed apply reply is its integrity check ([`super::BillVerifier`]).

use crate::api::{ApiError, v3_common};
use crate::error::FieldError;
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::time::UnixTime;
use crate::v3::response::{ErrorBody, ErrorReply, ResponseError};
use rand_core::TryCryptoRng;

/// The hosts a `download_url` may name (the v3 API host and its backup).
pub const DOWNLOAD_HOSTS: &[&str] = &["api.mch.weixin.qq.com", "api2.mch.weixin.qq.com"];

/// The longest `download_url` accepted (the documents: `string(2048)`).
const MAX_URL: usize = 2048;

/// `GET download_url` (下载账单). The URL must be `https://` on a WeChat Pay API host
/// ([`DOWNLOAD_HOSTS`]), with a path whose replies WeChat Pay does not sign
/// ([`crate::v3::UNSIGNED_REPLY_PATHS`]): the request signs its path and query as given.
///
/// ```
/// use wechatpay_sansio::api::bill::DownloadRequest;
/// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
/// let merchant = wechatpay_sansio::simulator::Simulator::new().merchant();   // TEST ONLY keys
/// let now = wechatpay_sansio::UnixTime::from_secs(1_767_225_600);
/// let dl = DownloadRequest::new("https://api.mch.weixin.qq.com/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO");
/// let http = dl.build(&merchant, &mut rng, now)?.into_http();
/// assert_eq!(http.uri().path(), "/v3/billdownload/file");
/// // Anything else is refused before it is signed.
/// let evil = DownloadRequest::new("https://example.com/v3/billdownload/file?token=x");
/// assert!(evil.build(&merchant, &mut rng, now).is_err());
/// # Ok::<(), wechatpay_sansio::api::ApiError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadRequest {
    /// The `download_url` of the apply reply.
    pub download_url: String,
}

impl DownloadRequest {
    /// A download of `download_url`.
    #[must_use]
    pub fn new(download_url: impl Into<String>) -> Self {
        Self {
            download_url: download_url.into(),
        }
    }

    /// Check the URL: `https`, a WeChat Pay API host, no port, user or fragment, an unsigned-reply
    /// path, at most 2048 characters of visible ASCII.
    ///
    /// # Errors
    /// [`FieldError::Charset`] naming `download_url`.
    pub fn validate(&self) -> Result<(), FieldError> {
        check_url(&self.download_url)
    }

    /// Validate and sign the `GET` of the URL for `merchant` at `now` (`rng` draws the nonce and,
    /// under RustCrypto, the RSA blinding).
    ///
    /// # Errors
    /// [`ApiError::Field`], [`ApiError::NotConfigured`], [`ApiError::Rng`],
    /// [`ApiError::V3Request`].
    pub fn build<R: TryCryptoRng + ?Sized>(
        &self,
        merchant: &Merchant,
        rng: &mut R,
        now: UnixTime,
    ) -> Result<Request, ApiError> {
        self.validate()?;
        v3_common::send(merchant, &self.download_url, None::<&()>, rng, now)
    }

    /// Read the status of the download's reply. A 2xx reply is the bill itself (unsigned: check
    /// it with [`super::BillVerifier`]; the body need not be passed here — stream it). Any other
    /// status is WeChat Pay's error reply (400 `INVALID_REQUEST` for an expired link: apply
    /// again; 403 `NO_AUTH`), read from its body ([`ApiError::failure`]).
    ///
    /// ```
    /// use wechatpay_sansio::api::{bill::DownloadRequest, Failure};
    /// use wechatpay_sansio::ResponseRef;
    /// let headers = http::HeaderMap::new();
    /// DownloadRequest::check_status(ResponseRef::new(http::StatusCode::OK, &headers, b""))?;
    /// let body = r#"{"code":"INVALID_REQUEST","message":"下载链接过期,请重新请求文件下载"}"#;
    /// let err = DownloadRequest::check_status(
    ///     ResponseRef::new(http::StatusCode::BAD_REQUEST, &headers, body.as_bytes())).unwrap_err();
    /// assert!(matches!(err.failure(), Some(Failure::V3(r)) if r.code.as_str() == "INVALID_REQUEST"));
    /// # Ok::<(), wechatpay_sansio::api::ApiError>(())
    /// ```
    ///
    /// # Errors
    /// [`ApiError::V3Reply`]: a [`ResponseError::Failure`], or
    /// [`ResponseError::UnreadableError`] for a body that is not a v3 error object.
    pub fn check_status(response: ResponseRef<'_>) -> Result<(), ApiError> {
        let status = response.status.as_u16();
        if response.status.is_success() {
            return Ok(());
        }
        Err(ApiError::V3Reply(match ErrorBody::parse(response.body) {
            Ok(body) => ResponseError::Failure(Box::new(ErrorReply::new(status, body))),
            Err(reason) => ResponseError::UnreadableError { status, reason },
        }))
    }
}

fn check_url(url: &str) -> Result<(), FieldError> {
    let bad = || FieldError::Charset {
        field: "download_url",
        allowed: "an https URL of a WeChat Pay bill download (api.mch.weixin.qq.com)",
    };
    if url.is_empty() {
        return Err(FieldError::Missing {
            field: "download_url",
        });
    }
    if url.len() > MAX_URL || !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad());
    }
    let rest = url.strip_prefix("https://").ok_or_else(bad)?;
    let (host, path_and_query) = rest.split_at(rest.find('/').ok_or_else(bad)?);
    if !DOWNLOAD_HOSTS.contains(&host) || url.contains('#') {
        return Err(bad());
    }
    let path = path_and_query
        .split_once('?')
        .map_or(path_and_query, |(p, _)| p);
    if !crate::v3::UNSIGNED_REPLY_PATHS.contains(&path) {
        return Err(bad());
    }
    // What the signer will sign must be what is sent: a URI `http` parses as given.
    match url.parse::<http::Uri>() {
        Ok(u) if u.path_and_query().map(|p| p.as_str()) == Some(path_and_query) => Ok(()),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for ok in [
            "https://api.mch.weixin.qq.com/v3/billdownload/file?token=abc",
            "https://api2.mch.weixin.qq.com/v3/billdownload/file?token=abc&tartype=gzip",
            // A real reply's URL (cloud.tencent.com/developer/article/1785590).
            "https://api.mch.weixin.qq.com/v3/billdownload/file?token=3qqKHhrJo4nbfoefwB4SyoMaeDzdYua_9-WPLT8aDZaDZAGR2xmgnURg_cdSH8SZ&tartype=gzip",
            // The apply pages' example (sub-merchant fund-flow bill, trade bill).
            "https://api.mch.weixin.qq.com/v3/bill/downloadurl?token=xxx",
        ] {
            assert_eq!(check_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "http://api.mch.weixin.qq.com/v3/billdownload/file?token=abc",
            "https://api.mch.weixin.qq.com.evil.com/v3/billdownload/file?token=abc",
            "https://api.mch.weixin.qq.com:8443/v3/billdownload/file?token=abc",
            "https://user@api.mch.weixin.qq.com/v3/billdownload/file?token=abc",
            "https://api.mch.weixin.qq.com/v3/pay/transactions/id/1?mchid=1",
            "https://api.mch.weixin.qq.com/v3/billdownload/file?token=a#b",
            "https:\n//api.mch.weixin.qq.com/v3/billdownload/file?token=abc",
            "https://api.mch.weixin.qq.com/v3/billdownload/file?token=a b",
            "https://api.mch.weixin.qq.com",
            "https://api.mch.weixin.qq.com/v3/bill/tradebill?bill_date=2019-06-11",
        ] {
            assert!(check_url(bad).is_err(), "{bad:?}");
        }
        assert!(
            check_url(&format!(
                "https://api.mch.weixin.qq.com/v3/billdownload/file?token={}",
                "a".repeat(2048)
            ))
            .is_err()
        );
    }
}
