//! v2 hosts, and the endpoints whose replies carry no `sign` (the lists of the official PHP and
//! Node SDKs).

/// `https://api.mch.weixin.qq.com` — most v2 endpoints, `querymchrisk`, `appauth/getaccesstoken`.
pub const API_BASE: &str = "https://api.mch.weixin.qq.com";
/// `https://fraud.mch.weixin.qq.com` — `secsvc/realnameauth`, `risk/getpublickey`.
pub const FRAUD_BASE: &str = "https://fraud.mch.weixin.qq.com";

/// v2 paths whose replies are never signed: verification must be skipped there, not failed
/// (union of the official PHP and Node SDK lists; wechatpay-php#92).
pub const UNSIGNED_REPLY_PATHS: &[&str] = &[
    "/appauth/getaccesstoken",
    "/mchrisk/querymchrisk",
    "/mchrisk/setmchriskcallback",
    "/mchrisk/syncmchriskresult",
    "/mmpaymkttransfers/gethbinfo",
    "/mmpaymkttransfers/gettransferinfo",
    "/mmpaymkttransfers/pay_bank",
    "/mmpaymkttransfers/promotion/paywwsptrans2pocket",
    "/mmpaymkttransfers/promotion/querywwsptrans2pocket",
    "/mmpaymkttransfers/promotion/transfers",
    "/mmpaymkttransfers/query_bank",
    "/mmpaymkttransfers/sendgroupredpack",
    "/mmpaymkttransfers/sendminiprogramhb",
    "/mmpaymkttransfers/sendredpack",
    "/mmpaysptrans/pay_bank",
    "/mmpaysptrans/query_bank",
    "/papay/entrustweb",
    "/papay/h5entrustweb",
    "/papay/partner/entrustweb",
    "/papay/partner/h5entrustweb",
    "/pay/downloadbill",
    "/pay/downloadfundflow",
    // The sandbox key (/sandboxnew/pay/getsignkey): its real SUCCESS reply has no sign.
    "/pay/getsignkey",
    "/payitil/report",
    "/risk/getpublickey",
    "/risk/getviolation",
    "/secapi/mch/submchmanage",
    "/xdc/apiv2getsignkey/sign/getsignkey",
];

/// Whether replies of the v2 endpoint at `path` carry a `sign` to verify.
///
/// ```
/// use wechatpay_sansio::v2::endpoint::reply_is_signed;
/// assert!(reply_is_signed("/secsvc/realnameauth"));
/// assert!(!reply_is_signed("/mchrisk/querymchrisk"));
/// assert!(!reply_is_signed("/sandboxnew/risk/getpublickey"));
/// assert!(!reply_is_signed("/sandboxnew/pay/getsignkey")); // the sandbox key: unsigned
/// ```
#[must_use]
pub fn reply_is_signed(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    // The sandbox mirrors every path under /sandboxnew (or /xdc/apiv2sandbox).
    let path = path
        .strip_prefix("/sandboxnew")
        .or_else(|| path.strip_prefix("/xdc/apiv2sandbox"))
        .unwrap_or(path);
    !UNSIGNED_REPLY_PATHS.contains(&path)
}
