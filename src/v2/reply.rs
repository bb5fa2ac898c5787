//! Checking a v2 reply, in the order the official SDKs use, then what a signature alone cannot
//! prove:
//!
//! 1. `return_code` is not `SUCCESS` → [`ReplyError::ReturnFail`] (such replies carry no sign);
//! 2. `result_code` not `SUCCESS` → [`ReplyError::BusinessFail`]; absent → [`ReplyError::MissingResultCode`]
//!    (unless [`Expect::result_code_optional`]: every endpoint this crate types documents it);
//! 3. the endpoint signs replies → the `sign` must verify, else [`ReplyError::Sign`];
//! 4. a signed reply must not contain a possible *fold* (see below) → [`ReplyError::PossibleFold`];
//! 5. the fields that identify the request must be present and equal to what was sent →
//!    [`ReplyError::MissingField`], [`ReplyError::Mismatch`].
//!
//! Steps 1 and 2 report what the body says; it has not been authenticated at that point, so do
//! not act on it beyond reporting.
//!
//! # Folding: why a valid signature is not enough
//!
//! The v2 sign string `k1=v1&k2=v2&…&key=K` is ambiguous because values may contain `&` and `=`.
//! A reply with `nonce_str=N` and `openid=A` has exactly the same sign string as a reply with a
//! single field `nonce_str` = `N&openid=A` and no `openid`: whoever can rewrite a reply in transit
//! (a TLS-terminating proxy, a replayed capture) can *fold* a field into the value of the field
//! that precedes it in byte order, and the signature still verifies. Folding `openid` turns
//! WeChat's signed "name and ID match" for user A into an answer with no `openid` at all;
//! folding `result_code` hides a `FAIL`.
//!
//! Two checks close it:
//! - **identifying fields are required**: a success reply must carry every field that ties it
//!   to the request (`openid`, `mch_id`, `out_trade_no`, …) with the value that was sent
//!   ([`Expect::echo`]); an absent field is an error, never a pass. `result_code` is required.
//! - **the fold detector** ([`possible_fold`]): a value is a possible fold when it contains
//!   `&NAME=` where `NAME` is a legal field name that sorts after its own field's name and before
//!   the next participating field's name, so that the same sign string also parses as more
//!   fields. Genuine values may carry query strings: an H5 `mweb_url` is
//!   `…?prepay_id=…&package=…`, which is no fold, because `package` sorts after `nonce_str`, the
//!   field that follows `mweb_url`. The typed APIs refuse possible folds; on this generic path it
//!   is the caller's choice ([`Expect::allow_folds`]), refused by default.

use crate::error::{Classify, Disposition};
use crate::secret::ApiV2Key;
use crate::v2::Fields;
use crate::v2::sign::{self, SignError, SignType};
use crate::v2::xml::{self, XmlError, XmlLimits};

/// Whether and how a reply is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplySigning {
    /// The reply must carry a valid `sign`. `expected` is the request's sign type (the reply
    /// usually has no `sign_type`); `None` falls back to the length rule.
    Signed {
        /// The sign type of the request this reply answers.
        expected: Option<SignType>,
    },
    /// The endpoint never signs replies (see [`crate::v2::endpoint::UNSIGNED_REPLY_PATHS`]).
    Unsigned,
}

/// What a reply must satisfy besides its codes: signing, the fields that identify the request,
/// and the fold policy.
///
/// ```
/// use wechatpay_sansio::v2::reply::Expect;
/// use wechatpay_sansio::v2::SignType;
/// let echoes = [("out_trade_no", "1217752501201407033233368018")];
/// let expect = Expect::signed(Some(SignType::HmacSha256)).echo(&echoes);
/// assert!(expect.refuses_folds());
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expect<'a> {
    signing: ReplySigning,
    result_code_required: bool,
    echoes: &'a [(&'a str, &'a str)],
    required: &'a [&'a str],
    refuse_folds: bool,
}

impl<'a> Expect<'a> {
    /// A signed reply; `expected` is the sign type of the request (`None`: the reply's own
    /// `sign_type`, else the length rule).
    #[must_use]
    pub const fn signed(expected: Option<SignType>) -> Self {
        Self {
            signing: ReplySigning::Signed { expected },
            result_code_required: true,
            echoes: &[],
            required: &[],
            refuse_folds: true,
        }
    }

    /// A reply of an endpoint that never signs (see [`crate::v2::endpoint::reply_is_signed`]).
    #[must_use]
    pub const fn unsigned() -> Self {
        Self {
            signing: ReplySigning::Unsigned,
            ..Self::signed(None)
        }
    }

    /// From a [`ReplySigning`].
    #[must_use]
    pub const fn from_signing(signing: ReplySigning) -> Self {
        Self {
            signing,
            ..Self::signed(None)
        }
    }

    /// Fields that identify the request, with the values that were sent: a success reply must
    /// carry each, equal.
    #[must_use]
    pub const fn echo(mut self, echoes: &'a [(&'a str, &'a str)]) -> Self {
        self.echoes = echoes;
        self
    }

    /// Fields a success reply must carry (non-empty), whatever their value: the identifying
    /// fields when the request is not at hand.
    #[must_use]
    pub const fn require(mut self, names: &'a [&'a str]) -> Self {
        self.required = names;
        self
    }

    /// Accept a reply without `result_code` (for endpoints whose document has none).
    #[must_use]
    pub const fn result_code_optional(mut self) -> Self {
        self.result_code_required = false;
        self
    }

    /// Accept values that look like folds (see the module documentation): only for endpoints
    /// whose genuine values may carry `&name=` between their neighbours' names.
    #[must_use]
    pub const fn allow_folds(mut self) -> Self {
        self.refuse_folds = false;
        self
    }

    /// Whether possible folds are refused (the default).
    #[must_use]
    pub const fn refuses_folds(&self) -> bool {
        self.refuse_folds
    }

    /// The signing expectation.
    #[must_use]
    pub const fn signing(&self) -> ReplySigning {
        self.signing
    }
}

crate::wire::open_enum!(
    /// A v2 `err_code` (`result_code=FAIL` replies; `secsvc/realnameauth` spells it
    /// `error_code`), with what to do about it ([`ErrCode::disposition`]). Sources: the official
    /// error tables of the v2 APIs (统一下单, 退款, 企业付款) and replies seen in practice.
    ///
    /// ```
    /// use wechatpay_sansio::error::Disposition;
    /// use wechatpay_sansio::v2::reply::ErrCode;
    /// assert_eq!(ErrCode::from_wire("SYSTEM_ERROR"), ErrCode::SystemError);
    /// assert!(ErrCode::from_wire("SYSTEMERROR").is_retryable());
    /// assert_eq!(ErrCode::from_wire("CA_ERROR").disposition(), Disposition::Misconfigured);
    /// assert_eq!(ErrCode::from_wire("NEW_CODE").as_str(), "NEW_CODE");
    /// ```
    pub enum ErrCode {
        /// `SYSTEMERROR` / `SYSTEM_ERROR`: system error or timeout — retry with the same
        /// parameters (and the same order number).
        SystemError = "SYSTEMERROR" | "SYSTEM_ERROR",
        /// `BIZERR_NEED_RETRY`: refused under concurrency — retry with the same parameters.
        BizErrNeedRetry = "BIZERR_NEED_RETRY",
        /// `FREQUENCY_LIMITED` / `RATE_LIMITED` / `FREQ_LIMIT`: rate limited — slow down.
        FrequencyLimited = "FREQUENCY_LIMITED" | "RATE_LIMITED" | "FREQ_LIMIT",
        /// `INVALID_REQ_TOO_MUCH`: too many invalid requests, briefly blocked — retry after a
        /// minute (and look for the bug behind them).
        InvalidReqTooMuch = "INVALID_REQ_TOO_MUCH",
        /// `PARAM_ERROR`: a parameter is wrong.
        ParamError = "PARAM_ERROR",
        /// `INVALID_REQUEST`: well-formed but against the business rules.
        InvalidRequest = "INVALID_REQUEST",
        /// `NOAUTH` / `NO_AUTH`: no permission for the API, or the caller's IP is not on the
        /// allow-list.
        NoAuth = "NOAUTH" | "NO_AUTH",
        /// `SIGNERROR` / `SIGN_ERROR`: the request's sign was rejected.
        SignError = "SIGNERROR" | "SIGN_ERROR",
        /// `APPID_NOT_EXIST`.
        AppidNotExist = "APPID_NOT_EXIST",
        /// `MCHID_NOT_EXIST`.
        MchidNotExist = "MCHID_NOT_EXIST",
        /// `APPID_MCHID_NOT_MATCH`: the appid is not bound to the merchant.
        AppidMchidNotMatch = "APPID_MCHID_NOT_MATCH",
        /// `LACK_PARAMS`: a required parameter is missing.
        LackParams = "LACK_PARAMS",
        /// `XML_FORMAT_ERROR`.
        XmlFormatError = "XML_FORMAT_ERROR",
        /// `REQUIRE_POST_METHOD`.
        RequirePostMethod = "REQUIRE_POST_METHOD",
        /// `POST_DATA_EMPTY`.
        PostDataEmpty = "POST_DATA_EMPTY",
        /// `NOT_UTF8`.
        NotUtf8 = "NOT_UTF8",
        /// `CA_ERROR`: the merchant API client certificate is missing, wrong or expired.
        CaError = "CA_ERROR",
        /// `NOTENOUGH`: insufficient balance.
        NotEnough = "NOTENOUGH",
        /// `ORDERPAID`: already paid.
        OrderPaid = "ORDERPAID",
        /// `ORDERCLOSED`: the order is closed.
        OrderClosed = "ORDERCLOSED",
        /// `ORDERNOTEXIST`: no such order.
        OrderNotExist = "ORDERNOTEXIST",
        /// `OUT_TRADE_NO_USED`: the merchant order number was used before.
        OutTradeNoUsed = "OUT_TRADE_NO_USED",
        /// `USER_ACCOUNT_ABNORMAL`: the user's account is abnormal.
        UserAccountAbnormal = "USER_ACCOUNT_ABNORMAL",
        /// `20001` (the fraud host's `realnameauth` / `getpublickey`): sign error.
        FraudSignError = "20001",
        /// `20002` (the fraud host): 商户号信息有误 — the merchant id is wrong.
        FraudMerchantInvalid = "20002",
    }
);

impl ErrCode {
    /// What to do about the code: system errors and rate limits are
    /// [`Disposition::Transient`]; sign, permission, certificate, appid/mchid and request-format
    /// codes are [`Disposition::Misconfigured`]; the rest (and unknown codes) are
    /// [`Disposition::Rejected`].
    #[must_use]
    pub fn disposition(&self) -> Disposition {
        match self {
            Self::SystemError
            | Self::BizErrNeedRetry
            | Self::FrequencyLimited
            | Self::InvalidReqTooMuch => Disposition::Transient,
            Self::NoAuth
            | Self::SignError
            | Self::AppidNotExist
            | Self::MchidNotExist
            | Self::AppidMchidNotMatch
            | Self::LackParams
            | Self::XmlFormatError
            | Self::RequirePostMethod
            | Self::PostDataEmpty
            | Self::NotUtf8
            | Self::CaError
            | Self::FraudSignError
            | Self::FraudMerchantInvalid => Disposition::Misconfigured,
            _ => Disposition::Rejected,
        }
    }

    /// Whether retrying the same request later may succeed.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        self.disposition().is_retryable()
    }
}

/// What a `return_code` other than `SUCCESS` means, from its `return_msg`: WeChat Pay answers
/// transport-level failures (sign, parameters, mutual TLS, IP allow-list, rate limits) this way,
/// in Chinese. Rate limits and system errors are [`Disposition::Transient`]; everything else at
/// this level is a request WeChat Pay could not accept as sent: [`Disposition::Misconfigured`].
///
/// ```
/// use wechatpay_sansio::error::Disposition;
/// use wechatpay_sansio::v2::reply::return_fail_disposition;
/// assert_eq!(return_fail_disposition(Some("签名错误")), Disposition::Misconfigured);
/// assert_eq!(return_fail_disposition(Some("请求需要双向证书")), Disposition::Misconfigured);
/// assert_eq!(return_fail_disposition(Some("频率限制")), Disposition::Transient);
/// assert_eq!(return_fail_disposition(Some("系统繁忙,请稍后再试")), Disposition::Transient);
/// ```
#[must_use]
pub fn return_fail_disposition(return_msg: Option<&str>) -> Disposition {
    const TRANSIENT: &[&str] = &[
        "频率",
        "系统繁忙",
        "系统错误",
        "系统超时",
        "稍后",
        "SYSTEMERROR",
        "SYSTEM_ERROR",
    ];
    match return_msg {
        Some(m) if TRANSIENT.iter().any(|t| m.contains(t)) => Disposition::Transient,
        _ => Disposition::Misconfigured,
    }
}

/// Why a reply was not accepted.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// The body is not a flat v2 XML document.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// No `return_code` field at all.
    #[error("the reply has no return_code")]
    MissingReturnCode,
    /// `return_code` is not `SUCCESS` (communication-level failure).
    #[error("return_code {return_code}: {}", return_msg.as_deref().unwrap_or(""))]
    ReturnFail {
        /// The `return_code` value (normally `FAIL`).
        return_code: String,
        /// `return_msg`, WeChat Pay's explanation.
        return_msg: Option<String>,
    },
    /// `return_code` is `SUCCESS` but `result_code` is absent (a reply whose `result_code` may
    /// have been folded away).
    #[error("the reply has return_code SUCCESS but no result_code")]
    MissingResultCode,
    /// `result_code` is not `SUCCESS` (business failure).
    #[error("result_code FAIL: {} {}", err_code.as_ref().map_or("", ErrCode::as_str), err_code_des.as_deref().unwrap_or(""))]
    BusinessFail {
        /// `err_code` (or `error_code`, as `secsvc/realnameauth` spells it).
        err_code: Option<ErrCode>,
        /// `err_code_des` (or `error_code_des`, `err_code_desc`).
        err_code_des: Option<String>,
    },
    /// The signature is missing, malformed or wrong.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// A value contains `&NAME=` that makes the signed string parse as more fields: the reply
    /// may have been folded (see the module documentation).
    #[error(
        "the value of {field} contains '&{hidden}=': the signed string also reads as a folded reply; refused"
    )]
    PossibleFold {
        /// The field whose value may hide others.
        field: String,
        /// The name that may have been folded into it.
        hidden: String,
    },
    /// A field that identifies the request is absent or empty in a success reply.
    #[error("the reply has no {0} (a success reply must carry it)")]
    MissingField(String),
    /// A field that identifies the request differs from what was sent.
    #[error("the reply's {0} differs from the request's")]
    Mismatch(String),
}

impl Classify for ReplyError {
    /// `ReturnFail` per [`return_fail_disposition`], `BusinessFail` per
    /// [`ErrCode::disposition`] (no code: [`Disposition::Rejected`]); everything else means
    /// the reply cannot be trusted: [`Disposition::Untrusted`].
    fn disposition(&self) -> Disposition {
        match self {
            Self::ReturnFail { return_msg, .. } => return_fail_disposition(return_msg.as_deref()),
            Self::BusinessFail { err_code, .. } => err_code
                .as_ref()
                .map_or(Disposition::Rejected, ErrCode::disposition),
            _ => Disposition::Untrusted,
        }
    }
}

/// The first non-empty of several spellings of a field.
fn first_of(f: &Fields<'_>, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| f.get_non_empty(n))
        .map(str::to_owned)
}

fn short(name: &str) -> String {
    name.chars().take(64).collect()
}

/// Steps 1 and 2 only (return code, result code): all an unsigned endpoint's reply gets, and
/// no key is needed. `result_code` is required.
///
/// ```
/// use wechatpay_sansio::v2::{reply::{check_codes, ReplyError}, xml};
/// let f = xml::parse(b"<xml><return_code>SUCCESS</return_code><result_code>FAIL</result_code><err_code>E1</err_code></xml>")?;
/// assert!(matches!(check_codes(&f), Err(ReplyError::BusinessFail { .. })));
/// let f = xml::parse(b"<xml><return_code>SUCCESS</return_code></xml>")?;
/// assert_eq!(check_codes(&f), Err(ReplyError::MissingResultCode));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`ReplyError::MissingReturnCode`], [`ReplyError::ReturnFail`],
/// [`ReplyError::MissingResultCode`], [`ReplyError::BusinessFail`].
pub fn check_codes(fields: &Fields<'_>) -> Result<(), ReplyError> {
    check_unsigned(fields, &Expect::unsigned())
}

fn codes(fields: &Fields<'_>, result_code_required: bool) -> Result<(), ReplyError> {
    let return_code = fields
        .get("return_code")
        .ok_or(ReplyError::MissingReturnCode)?;
    if return_code != "SUCCESS" {
        return Err(ReplyError::ReturnFail {
            return_code: return_code.chars().take(32).collect(),
            // The sandbox answers FAIL with `retmsg` instead of `return_msg`.
            return_msg: fields
                .get_non_empty("return_msg")
                .or_else(|| fields.get_non_empty("retmsg"))
                .map(str::to_owned),
        });
    }
    match fields.get_non_empty("result_code") {
        Some("SUCCESS") => Ok(()),
        None if !result_code_required => Ok(()),
        None => Err(ReplyError::MissingResultCode),
        Some(_) => Err(ReplyError::BusinessFail {
            err_code: first_of(fields, &["err_code", "error_code"]).map(|c| ErrCode::from_wire(&c)),
            err_code_des: first_of(fields, &["err_code_des", "error_code_des", "err_code_desc"]),
        }),
    }
}

/// The first value that may hide folded fields: `(field, hidden name)` when a participating
/// value contains `&NAME=` with `NAME` a legal field name strictly between its own field's name
/// and the next participating field's name (byte order; `sign` and empty values do not take
/// part, as in the sign string).
///
/// ```
/// use wechatpay_sansio::v2::{reply::possible_fold, Fields};
/// let mut f = Fields::new();
/// f.insert("mweb_url", "https://wx.tenpay.com/x?prepay_id=wx1&package=2731")?;
/// f.insert("nonce_str", "N")?;
/// assert_eq!(possible_fold(&f), None); // package sorts after nonce_str: no fold
/// let mut g = Fields::new();
/// g.insert("nonce_str", "N&openid=A")?;
/// g.insert("result_code", "SUCCESS")?;
/// assert_eq!(possible_fold(&g), Some(("nonce_str", "openid")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn possible_fold<'f>(fields: &'f Fields<'_>) -> Option<(&'f str, &'f str)> {
    let mut pairs: crate::v2::sign::SmallPairs<'f> = fields
        .iter()
        .filter(|(k, v)| *k != "sign" && !v.is_empty())
        .collect();
    let pairs = pairs.sorted();
    pairs.iter().enumerate().find_map(|(i, (name, value))| {
        let next = pairs.get(i + 1).map(|p| p.0);
        folded_name(name, value, next).map(|hidden| (*name, hidden))
    })
}

/// The first `&NAME=` inside `value` with `name < NAME < next`.
fn folded_name<'v>(name: &str, value: &'v str, next: Option<&str>) -> Option<&'v str> {
    value.match_indices('&').find_map(|(i, _)| {
        let rest = &value[i + 1..];
        let hidden = &rest[..rest.find('=')?];
        let after = hidden.as_bytes() > name.as_bytes();
        let before = next.is_none_or(|n| hidden.as_bytes() < n.as_bytes());
        (xml::is_valid_name(hidden) && after && before).then_some(hidden)
    })
}

/// Apply every check of [`Expect`] to parsed fields.
///
/// # Errors
/// See [`ReplyError`].
pub fn check(fields: &Fields<'_>, key: &ApiV2Key, expect: &Expect<'_>) -> Result<(), ReplyError> {
    checks(fields, Some(key), expect)
}

/// [`check`] for the replies of endpoints that never sign (no key takes part): the signing
/// expectation of `expect` is ignored, everything else applies.
///
/// ```
/// use wechatpay_sansio::v2::{reply::{check_unsigned, Expect, ReplyError}, xml};
/// let f = xml::parse(b"<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code><mch_id>1</mch_id></xml>")?;
/// assert_eq!(check_unsigned(&f, &Expect::unsigned().echo(&[("mch_id", "1")])), Ok(()));
/// assert_eq!(check_unsigned(&f, &Expect::unsigned().echo(&[("mch_id", "2")])),
///            Err(ReplyError::Mismatch("mch_id".into())));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// See [`ReplyError`] (never [`ReplyError::Sign`] or [`ReplyError::PossibleFold`]).
pub fn check_unsigned(fields: &Fields<'_>, expect: &Expect<'_>) -> Result<(), ReplyError> {
    checks(fields, None, expect)
}

fn checks(
    fields: &Fields<'_>,
    key: Option<&ApiV2Key>,
    expect: &Expect<'_>,
) -> Result<(), ReplyError> {
    codes(fields, expect.result_code_required)?;
    if let (ReplySigning::Signed { expected }, Some(key)) = (expect.signing, key) {
        sign::verify_fields(fields, key, expected)?;
        if expect.refuse_folds
            && let Some((field, hidden)) = possible_fold(fields)
        {
            return Err(ReplyError::PossibleFold {
                field: short(field),
                hidden: short(hidden),
            });
        }
    }
    for name in expect.required {
        if fields.get_non_empty(name).is_none() {
            return Err(ReplyError::MissingField(short(name)));
        }
    }
    for (name, sent) in expect.echoes {
        match fields.get_non_empty(name) {
            None => return Err(ReplyError::MissingField(short(name))),
            Some(got) if got != *sent => return Err(ReplyError::Mismatch(short(name))),
            Some(_) => {}
        }
    }
    Ok(())
}

/// Parse a reply body with `limits` and [`check`] it.
///
/// ```
/// use wechatpay_sansio::secret::ApiV2Key;
/// use wechatpay_sansio::v2::reply::{parse_and_check, Expect, ReplyError};
/// use wechatpay_sansio::v2::xml::XmlLimits;
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let fail = "<xml><return_code>FAIL</return_code><return_msg>签名错误</return_msg></xml>".as_bytes();
/// let err = parse_and_check(fail, &key, &Expect::signed(None), &XmlLimits::default());
/// assert!(matches!(err, Err(ReplyError::ReturnFail { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// See [`ReplyError`].
pub fn parse_and_check<'a>(
    body: &'a [u8],
    key: &ApiV2Key,
    expect: &Expect<'_>,
    limits: &XmlLimits,
) -> Result<Fields<'a>, ReplyError> {
    let fields = xml::parse_with_limits(body, limits)?;
    check(&fields, key, expect)?;
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ApiV2Key {
        ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap()
    }
    const SIGNED: Expect<'static> = Expect::signed(None);

    fn body(pairs: &[(&str, &str)], sign_type: Option<SignType>) -> Vec<u8> {
        let mut v: Vec<(&str, &str)> = pairs.to_vec();
        let s;
        if let Some(t) = sign_type {
            s = sign::sign(pairs.iter().copied(), &key(), t).unwrap();
            v.push(("sign", s.as_str()));
        }
        xml::to_xml(v).unwrap().into_bytes()
    }

    #[test]
    fn order_of_checks() {
        let l = XmlLimits::default();
        let ok = body(
            &[
                ("return_code", "SUCCESS"),
                ("result_code", "SUCCESS"),
                ("x", "1"),
            ],
            Some(SignType::HmacSha256),
        );
        assert!(parse_and_check(&ok, &key(), &SIGNED, &l).is_ok());
        assert!(
            parse_and_check(&ok, &key(), &Expect::signed(Some(SignType::HmacSha256)), &l).is_ok()
        );

        let unsigned = body(
            &[("return_code", "SUCCESS"), ("result_code", "SUCCESS")],
            None,
        );
        assert_eq!(
            parse_and_check(&unsigned, &key(), &SIGNED, &l),
            Err(ReplyError::Sign(SignError::Missing))
        );
        assert!(parse_and_check(&unsigned, &key(), &Expect::unsigned(), &l).is_ok());

        let fail = body(&[("return_code", "FAIL"), ("return_msg", "签名错误")], None);
        assert_eq!(
            parse_and_check(&fail, &key(), &SIGNED, &l),
            Err(ReplyError::ReturnFail {
                return_code: "FAIL".into(),
                return_msg: Some("签名错误".into())
            })
        );
        let biz = body(
            &[
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("error_code", "20002"),
                ("error_code_des", "商户号信息有误"),
            ],
            None,
        );
        let e = parse_and_check(&biz, &key(), &SIGNED, &l).unwrap_err();
        assert_eq!(
            e,
            ReplyError::BusinessFail {
                err_code: Some(ErrCode::FraudMerchantInvalid),
                err_code_des: Some("商户号信息有误".into())
            }
        );
        assert!(e.to_string().contains("20002"));
        assert_eq!(
            parse_and_check(b"<xml><a>1</a></xml>", &key(), &SIGNED, &l),
            Err(ReplyError::MissingReturnCode)
        );
        assert!(matches!(
            parse_and_check(b"<xml>", &key(), &SIGNED, &l),
            Err(ReplyError::Xml(_))
        ));

        let mut tampered = ok.clone();
        let pos = tampered.windows(3).position(|w| w == b">1<").unwrap();
        tampered[pos + 1] = b'2';
        assert_eq!(
            parse_and_check(&tampered, &key(), &SIGNED, &l),
            Err(ReplyError::Sign(SignError::Mismatch))
        );
    }

    fn fields<'a>(pairs: &[(&'a str, &'a str)]) -> Fields<'a> {
        let mut f = Fields::new();
        for (k, v) in pairs {
            f.insert(*k, *v).unwrap();
        }
        f
    }

    #[test]
    fn fold_detector_boundaries() {
        // Strictly between the field and its successor; the last field has no upper bound.
        let f = fields(&[("b", "x&c=1"), ("d", "y")]);
        assert_eq!(possible_fold(&f), Some(("b", "c")));
        let f = fields(&[("b", "x&d=1"), ("d", "y")]);
        assert_eq!(
            possible_fold(&f),
            None,
            "equal to the next name: not a fold"
        );
        let f = fields(&[("b", "x&a=1"), ("d", "y")]);
        assert_eq!(possible_fold(&f), None, "before its own name: not a fold");
        let f = fields(&[("b", "x&b=1"), ("d", "y")]);
        assert_eq!(possible_fold(&f), None, "its own name: not a fold");
        let f = fields(&[("b", "y"), ("d", "x&zz=1")]);
        assert_eq!(possible_fold(&f), Some(("d", "zz")));
        // Not a legal name, no '=', empty name: no fold.
        for v in ["x&1a=1", "x&c", "x&=1", "x&c d=1", "x&"] {
            let f = fields(&[("b", v), ("d", "y")]);
            assert_eq!(possible_fold(&f), None, "{v}");
        }
        // The second '&' can be the fold.
        let f = fields(&[("b", "x&a=1&c=2"), ("d", "y")]);
        assert_eq!(possible_fold(&f), Some(("b", "c")));
        // `sign` and empty values do not take part: the next participating name bounds it.
        let f = fields(&[("b", "x&c=1"), ("c0", ""), ("sign", "S"), ("e", "y")]);
        assert_eq!(possible_fold(&f), Some(("b", "c")));
        // Document order does not matter.
        let f = fields(&[("d", "y"), ("b", "x&c=1")]);
        assert_eq!(possible_fold(&f), Some(("b", "c")));
    }

    #[test]
    fn expectations() {
        let k = key();
        let pairs = [
            ("return_code", "SUCCESS"),
            ("result_code", "SUCCESS"),
            ("out_trade_no", "T1"),
            ("nonce_str", "N&openid=A"),
        ];
        let s = sign::sign(pairs, &k, SignType::Md5).unwrap();
        let mut f = fields(&pairs);
        f.insert("sign", s.as_str()).unwrap();
        let signed = Expect::signed(Some(SignType::Md5));
        assert_eq!(
            check(&f, &k, &signed),
            Err(ReplyError::PossibleFold {
                field: "nonce_str".into(),
                hidden: "openid".into()
            })
        );
        let lax = signed.allow_folds();
        assert!(!lax.refuses_folds());
        assert_eq!(check(&f, &k, &lax), Ok(()));
        assert_eq!(check(&f, &k, &lax.echo(&[("out_trade_no", "T1")])), Ok(()));
        assert_eq!(
            check(&f, &k, &lax.echo(&[("out_trade_no", "T2")])),
            Err(ReplyError::Mismatch("out_trade_no".into()))
        );
        assert_eq!(
            check(&f, &k, &lax.echo(&[("transaction_id", "X")])),
            Err(ReplyError::MissingField("transaction_id".into()))
        );
        assert_eq!(
            check(&f, &k, &lax.require(&["transaction_id"])),
            Err(ReplyError::MissingField("transaction_id".into()))
        );
        assert_eq!(check(&f, &k, &lax.require(&["out_trade_no"])), Ok(()));
        // Unsigned replies are not fold-checked (nothing is authenticated there).
        assert_eq!(check(&f, &k, &Expect::unsigned()), Ok(()));
        // result_code: required unless said otherwise.
        let g = fields(&[("return_code", "SUCCESS")]);
        assert_eq!(
            check(&g, &k, &Expect::unsigned()),
            Err(ReplyError::MissingResultCode)
        );
        assert_eq!(
            check(&g, &k, &Expect::unsigned().result_code_optional()),
            Ok(())
        );
        assert_eq!(
            Expect::from_signing(ReplySigning::Unsigned).signing(),
            ReplySigning::Unsigned
        );
        for e in [
            ReplyError::MissingResultCode,
            ReplyError::MissingField("x".into()),
            ReplyError::Mismatch("x".into()),
        ] {
            assert!(!e.to_string().is_empty());
        }
    }
}
