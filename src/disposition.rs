//! Every table that turns one of WeChat Pay's answers into a [`Disposition`], in one place: v2
//! `err_code`s and `return_msg` texts, v3 codes and their per-endpoint / per-message meanings,
//! OAuth `retcode`s and `retmsg` texts, `nameautheasy` error codes, and the texts that say a key
//! was rejected. The typed codes (`v2::reply::ErrCode`, `v3::response::ErrorCode`,
//! `api::Retcode`, `api::NameAuthCode`) and the errors that carry them look their disposition up
//! here, keyed by the wire spelling, so a new code or a new meaning is one row.
//!
//! Sources: the official error tables of the v2 APIs (统一下单, 退款, 企业付款), the v3 pages of
//! the endpoints (the customs page's error table), the `nameautheasy` document's 其他 rows, and
//! real replies (`tests/data/real/INDEX.md`).

use crate::error::Disposition::{self, Misconfigured, Rejected, Transient};

/// v2 `err_code` (the canonical spelling of [`crate::v2::reply::ErrCode`]) → disposition.
/// A code not listed is [`Disposition::Rejected`].
const V2_ERR_CODES: &[(&str, Disposition)] = &[
    // System errors and rate limits: retry with the same parameters.
    ("SYSTEMERROR", Transient),
    ("BIZERR_NEED_RETRY", Transient),
    ("FREQUENCY_LIMITED", Transient),
    ("INVALID_REQ_TOO_MUCH", Transient),
    // Sign, permission, certificate, appid/mchid and request-format codes: the setup.
    ("NOAUTH", Misconfigured),
    ("SIGNERROR", Misconfigured),
    ("APPID_NOT_EXIST", Misconfigured),
    ("MCHID_NOT_EXIST", Misconfigured),
    ("APPID_MCHID_NOT_MATCH", Misconfigured),
    ("LACK_PARAMS", Misconfigured),
    ("XML_FORMAT_ERROR", Misconfigured),
    ("REQUIRE_POST_METHOD", Misconfigured),
    ("POST_DATA_EMPTY", Misconfigured),
    ("NOT_UTF8", Misconfigured),
    ("CA_ERROR", Misconfigured),
    // The fraud host (`realnameauth`, `getpublickey`): sign error, wrong merchant id.
    ("20001", Misconfigured),
    ("20002", Misconfigured),
];

/// What a v2 `err_code` means (canonical spelling).
pub(crate) fn v2_err_code(code: &str) -> Disposition {
    lookup(V2_ERR_CODES, code).unwrap_or(Rejected)
}

/// Texts of a v2 `return_msg` (or of a business failure's reason) that say "busy, try later".
const V2_BUSY_TEXTS: &[&str] = &[
    "频率",
    "系统繁忙",
    "系统错误",
    "系统超时",
    "稍后",
    "SYSTEMERROR",
    "SYSTEM_ERROR",
];

/// What a v2 `return_code` FAIL means, from its `return_msg`: busy texts are transient, anything
/// else is a request WeChat Pay could not accept as sent (sign, parameters, mutual TLS, IP
/// allow-list).
pub(crate) fn v2_return_msg(return_msg: Option<&str>) -> Disposition {
    if return_msg.is_some_and(|m| V2_BUSY_TEXTS.iter().any(|t| m.contains(t))) {
        Transient
    } else {
        Misconfigured
    }
}

/// What a v2 business failure means: by code; without one, a busy reason is transient,
/// anything else rejected.
pub(crate) fn v2_business(err_code: Option<&str>, reason: Option<&str>) -> Disposition {
    match (err_code, v2_return_msg(reason)) {
        (Some(code), _) => v2_err_code(code),
        (None, Transient) => Transient,
        (None, _) => Rejected,
    }
}

/// v3 `code` (the canonical spelling of [`crate::v3::response::ErrorCode`]) → disposition. A
/// code not listed is [`Disposition::Rejected`] (an unknown code on a 429 or 5xx: transient).
const V3_CODES: &[(&str, Disposition)] = &[
    ("SYSTEMERROR", Transient),
    ("FREQUENCY_LIMITED", Transient),
    ("BANK_ERROR", Transient),
    ("SERVICE_UNAVAILABLE", Transient),
    ("NOAUTH", Misconfigured),
    ("SIGN_ERROR", Misconfigured),
    ("MCH_NOT_EXISTS", Misconfigured),
    ("APPID_MCHID_NOT_MATCH", Misconfigured),
];

/// What a v3 code means wherever it comes from.
pub(crate) fn v3_code(code: &str) -> Disposition {
    lookup(V3_CODES, code).unwrap_or(Rejected)
}

/// What a v3 error means where its code alone says too little: one row per (endpoint, code,
/// message marker).
struct V3Meaning {
    /// The endpoint's path; `None`: every v3 endpoint.
    endpoint: Option<&'static str>,
    /// The code (canonical spelling).
    code: &'static str,
    /// A text the message contains; `None`: any message.
    marker: Option<&'static str>,
    /// What to do.
    disposition: Disposition,
    /// WeChat Pay refused the platform key the request named or encrypted with: refresh the
    /// platform keys.
    key_rejected: bool,
}

/// The paths these rows name (the v3 modules' `PATH` constants; unit tests there tie them).
pub(crate) const V3_CERTIFICATES_PATH: &str = "/v3/certificates";
pub(crate) const V3_CUSTOMS_PATH: &str = "/v3/global/customs/verify-certificate";

/// The table (first matching row wins).
const V3_MEANINGS: &[V3Meaning] = &[
    // `GET /v3/certificates` 404 RESOURCE_NOT_EXISTS "无可用的平台证书，请在商户平台-API安全申请使用
    // 微信支付公钥": the merchant has no platform certificate; use the WeChat Pay public key.
    V3Meaning {
        endpoint: Some(V3_CERTIFICATES_PATH),
        code: "RESOURCE_NOT_EXISTS",
        marker: None,
        disposition: Misconfigured,
        key_rejected: false,
    },
    // customs verify-certificate INVALID_REQUEST 海关配置未设置: the merchant's customs filing
    // is not set up (the document: 进行海关信息报备).
    V3Meaning {
        endpoint: Some(V3_CUSTOMS_PATH),
        code: "INVALID_REQUEST",
        marker: Some("海关配置未设置"),
        disposition: Misconfigured,
        key_rejected: false,
    },
    // Any endpoint: 400 PARAM_ERROR "平台证书序列号Wechatpay-Serial错误" — the request named a
    // platform key WeChat Pay does not hold (any more): refresh the platform keys.
    V3Meaning {
        endpoint: None,
        code: "PARAM_ERROR",
        marker: Some("Wechatpay-Serial错误"),
        disposition: Misconfigured,
        key_rejected: true,
    },
];

fn v3_meaning(endpoint: Option<&str>, code: &str, message: &str) -> Option<&'static V3Meaning> {
    V3_MEANINGS.iter().find(|m| {
        m.code == code
            && m.endpoint.is_none_or(|e| endpoint == Some(e))
            && m.marker.is_none_or(|k| message.contains(k))
    })
}

/// Whether a v3 error reply says WeChat Pay refused the platform key the request named or
/// could not decrypt a field encrypted with it.
pub(crate) fn v3_key_rejected(endpoint: Option<&str>, code: &str, message: &str) -> bool {
    v3_meaning(endpoint, code, message).is_some_and(|m| m.key_rejected)
        || text_rejects_key(Some(message))
}

/// What a v3 error reply means: the per-endpoint and per-message meanings first; a rejected key
/// is misconfigured; otherwise by code (`known` says whether the code is a known one), and an
/// unknown code on a 429 or 5xx is transient.
pub(crate) fn v3_error(
    endpoint: Option<&str>,
    status: u16,
    code: &str,
    known: bool,
    message: &str,
) -> Disposition {
    if let Some(m) = v3_meaning(endpoint, code, message) {
        return m.disposition;
    }
    if v3_key_rejected(endpoint, code, message) {
        return Misconfigured;
    }
    if !known && transient_status(status) {
        return Transient;
    }
    v3_code(code)
}

/// What an OAuth failure means: a signature failure (`retmsg` 商户签名验证失败, or an unknown
/// retcode such as 参数错误) is misconfigured, a busy text transient, anything else rejected
/// (get a new code from the user).
pub(crate) fn oauth(retcode: &str, known: bool, retmsg: &str) -> Disposition {
    if retmsg.contains("签名") || (!known && retcode.contains("参数")) {
        Misconfigured
    } else if retmsg.contains("系统繁忙") || retmsg.contains("稍后") {
        Transient
    } else {
        Rejected
    }
}

/// `nameautheasy` error codes that are a failure of the call: the listed ones are the setup;
/// any other is the document's 系统错误.
const NAMEAUTH_CODES: &[(&str, Disposition)] = &[
    ("1000", Misconfigured),
    ("1001", Misconfigured),
    ("1002", Misconfigured),
    ("1007", Misconfigured),
];

/// What a `nameautheasy` error code means.
pub(crate) fn nameauth(code: &str) -> Disposition {
    lookup(NAMEAUTH_CODES, code).unwrap_or(Transient)
}

/// The texts WeChat Pay answers with when it cannot decrypt a field this crate encrypted (v2
/// and v3): the encryption key is stale (risk key) or not the one named (platform key).
const KEY_REJECTED: &[&str] = &[
    "解密失败",
    "the field you encrypt is error",
    "平台私钥解密失败",
];

/// Whether a failure text says a key this crate used was rejected.
pub(crate) fn text_rejects_key(text: Option<&str>) -> bool {
    text.is_some_and(|t| KEY_REJECTED.iter().any(|k| t.contains(k)))
}

/// HTTP statuses that mean "busy, try later": 429 and 5xx.
pub(crate) const fn transient_status(status: u16) -> bool {
    status == 429 || status >= 500
}

fn lookup(table: &[(&str, Disposition)], code: &str) -> Option<Disposition> {
    table.iter().find(|(c, _)| *c == code).map(|(_, d)| *d)
}

#[cfg(test)]
mod rows;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables() {
        assert_eq!(v2_err_code("SYSTEMERROR"), Transient);
        assert_eq!(v2_err_code("CA_ERROR"), Misconfigured);
        assert_eq!(v2_err_code("ORDERPAID"), Rejected);
        assert_eq!(v2_return_msg(Some("系统繁忙,请稍后再试")), Transient);
        assert_eq!(v2_return_msg(None), Misconfigured);
        assert_eq!(v2_business(None, Some("系统繁忙")), Transient);
        assert_eq!(v2_business(None, None), Rejected);
        assert_eq!(v3_error(None, 500, "X", false, "m"), Transient);
        assert_eq!(v3_error(None, 500, "PARAM_ERROR", true, "m"), Rejected);
        assert_eq!(
            v3_error(
                Some(V3_CERTIFICATES_PATH),
                404,
                "RESOURCE_NOT_EXISTS",
                true,
                "m"
            ),
            Misconfigured
        );
        assert_eq!(
            v3_error(None, 404, "RESOURCE_NOT_EXISTS", true, "m"),
            Rejected
        );
        assert!(v3_key_rejected(
            None,
            "PARAM_ERROR",
            "平台证书序列号Wechatpay-Serial错误"
        ));
        assert!(v3_key_rejected(
            None,
            "INVALID_REQUEST",
            "certificate_id 解密失败"
        ));
        assert_eq!(oauth("-1", true, "商户签名验证失败"), Misconfigured);
        assert_eq!(oauth("参数错误", false, ""), Misconfigured);
        assert_eq!(oauth("-1", true, "系统繁忙"), Transient);
        assert_eq!(oauth("132819002", true, "code not found"), Rejected);
        // An unknown retcode alone is not a sign failure (mutation: `&&` → `||`).
        assert_eq!(oauth("999", false, "x"), Rejected);
        assert_eq!(nameauth("1007"), Misconfigured);
        assert_eq!(nameauth("42"), Transient);
        assert!(transient_status(429) && transient_status(503) && !transient_status(404));
    }

    #[test]
    fn the_paths_are_the_endpoints() {
        assert_eq!(V3_CERTIFICATES_PATH, crate::v3::certificates::PATH);
        assert_eq!(V3_CUSTOMS_PATH, crate::api::customs::PATH);
    }
}
