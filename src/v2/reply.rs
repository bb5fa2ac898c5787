//! Checking a v2 reply, in this order:
//!
//! 1. `return_code` is not `SUCCESS` → [`ReplyError::ReturnFail`] (such replies carry no sign:
//!    report them, never act on them);
//! 2. the endpoint signs replies → the `sign` must verify, **before anything else is read**,
//!    else [`ReplyError::Sign`]: WeChat Pay signs every reply whose `return_code` is `SUCCESS`,
//!    business failures included, so an unsigned `result_code=FAIL` is untrusted;
//! 3. no other reading of the signed string changes a field the caller relies on (the exact
//!    fold rule, [`crate::v2::fold`]) → [`ReplyError::PossibleFold`];
//! 4. `result_code` not `SUCCESS` → [`ReplyError::BusinessFail`] (verified, on a signed
//!    endpoint); absent → [`ReplyError::MissingResultCode`] (unless
//!    [`Expect::result_code_optional`]);
//! 5. the fields that identify the request must be present and equal to what was sent →
//!    [`ReplyError::MissingField`], [`ReplyError::Mismatch`].
//!
//! On an endpoint that never signs (see [`crate::v2::endpoint`]) step 2 and 3 do not apply and
//! nothing in the reply is authenticated.
//!
//! # Folding: why a valid signature is not enough
//!
//! The v2 sign string `k1=v1&k2=v2&…&key=K` is ambiguous because values may contain `&` and `=`.
//! A reply with `nonce_str=N` and `openid=A` has exactly the same sign string as a reply with a
//! single field `nonce_str` = `N&openid=A` and no `openid`: whoever can rewrite a reply in transit
//! (a TLS-terminating proxy, a replayed capture) can re-split it, and the signature still
//! verifies. [`crate::v2::fold`] states the rule that closes it; on this generic path every field
//! of the reply is relied on except those named [`Expect::opaque`] (by default `attach`) or
//! [`Expect::text`], plus the fields named by [`Expect::echo`], [`Expect::require`] and
//! [`Expect::relies_on`] (name there a field you will read that may be absent).
//!
//! The typed APIs derive the fields they rely on from their outcome (every field the outcome
//! reads), and require the fields that tie a reply to its request.

use crate::error::{Classify, Disposition};
use crate::secret::ApiV2Key;
use crate::untrusted_text::{Shown, shown};
use crate::v2::Fields;
use crate::v2::fold::{self, Reader, Reliance};
use crate::v2::sign::{self, SignError, SignType};
use crate::v2::xml::{self, XmlError, XmlLimits};

/// Whether and how a reply is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReplySigning {
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
/// and how the caller relies on the other fields (the fold rule, [`crate::v2::fold`]).
///
/// ```
/// use wechatpay_sansio::v2::reply::Expect;
/// use wechatpay_sansio::v2::SignType;
/// let echoes = [("out_trade_no", "1217752501201407033233368018")];
/// let expect = Expect::signed(Some(SignType::HmacSha256)).echo(&echoes).text(&["mweb_url"]);
/// assert_ne!(expect, Expect::unsigned());
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expect<'a> {
    signing: ReplySigning,
    result_code_required: bool,
    echoes: &'a [(&'a str, &'a str)],
    required: &'a [&'a str],
    relies_on: &'a [&'a str],
    opaque: &'a [&'a str],
    text: &'a [&'a str],
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
            relies_on: &[],
            opaque: &["attach"],
            text: &[],
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
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) const fn from_signing(signing: ReplySigning) -> Self {
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

    /// Fields you will read that may be absent: no reading of the signed string may give them
    /// a value the reply as received does not (every field the reply carries is relied on
    /// already).
    #[must_use]
    pub const fn relies_on(mut self, names: &'a [&'a str]) -> Self {
        self.relies_on = names;
        self
    }

    /// Merchant-opaque echoes, kept as received and not covered by the fold rule (default:
    /// `attach`). Replaces the list.
    #[must_use]
    pub const fn opaque(mut self, names: &'a [&'a str]) -> Self {
        self.opaque = names;
        self
    }

    /// Free text and URLs: values that may carry `&name=` for names that are not fields of the
    /// reply (an H5 `mweb_url`).
    #[must_use]
    pub const fn text(mut self, names: &'a [&'a str]) -> Self {
        self.text = names;
        self
    }

    /// Accept a reply without `result_code` (for endpoints whose document has none).
    #[must_use]
    pub const fn result_code_optional(mut self) -> Self {
        self.result_code_required = false;
        self
    }

    fn reliance(&self, name: &str) -> Reliance {
        if self.opaque.contains(&name) {
            Reliance::Opaque
        } else if self.text.contains(&name) {
            Reliance::Text
        } else {
            Reliance::Strict
        }
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
    /// assert!(ErrCode::from_wire("SYSTEMERROR").disposition().is_retryable());
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
        /// `20002` (the fraud host): 商户号信息有误 — the merchant id is wrong (the example value
        /// of the `realnameauth` OpenAPI description; not in the official field table).
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
        crate::disposition::v2_err_code(self.as_str())
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
    crate::disposition::v2_return_msg(return_msg)
}

/// What a business failure means: per [`ErrCode::disposition`]; without a code, a reason that
/// says "busy / try later" is [`Disposition::Transient`], anything else [`Disposition::Rejected`].
#[must_use]
pub(crate) fn business_disposition(
    err_code: Option<&ErrCode>,
    reason: Option<&str>,
) -> Disposition {
    crate::disposition::v2_business(err_code.map(ErrCode::as_str), reason)
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
    #[error("return_code {}: {}", Shown(return_code), shown(return_msg.as_deref()))]
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
    #[error("result_code FAIL: {} {}", shown(err_code.as_ref().map(ErrCode::as_str)), shown(err_code_des.as_deref()))]
    BusinessFail {
        /// `err_code` (or `error_code`, as `secsvc/realnameauth` spells it).
        err_code: Option<ErrCode>,
        /// `err_code_des` (or `error_code_des`, `err_code_desc`).
        err_code_des: Option<String>,
    },
    /// The signature is missing, malformed or wrong.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// Another reading of the signed string gives `field` a different value (or the reply as
    /// received cannot be genuine there): the reply may have been folded (see
    /// [`crate::v2::fold`]).
    #[error(
        "another reading of the signed reply changes {field}: it may have been folded; refused"
    )]
    PossibleFold {
        /// The field another reading changes, or whose value cannot be genuine.
        field: String,
    },
    /// A field that identifies the request is absent or empty in a success reply.
    #[error("the reply has no {0} (a success reply must carry it)")]
    MissingField(String),
    /// A field that identifies the request differs from what was sent.
    #[error("the reply's {0} differs from the request's")]
    Mismatch(String),
}

impl ReplyError {
    /// Whether WeChat Pay answered that it could not decrypt a field this crate encrypted
    /// (`return_msg` / `err_code_des` saying 解密失败…): the key used is stale (querymchrisk:
    /// fetch the risk key again).
    #[must_use]
    pub fn is_key_rejected(&self) -> bool {
        match self {
            Self::ReturnFail { return_msg, .. } => {
                crate::disposition::text_rejects_key(return_msg.as_deref())
            }
            Self::BusinessFail { err_code_des, .. } => {
                crate::disposition::text_rejects_key(err_code_des.as_deref())
            }
            _ => false,
        }
    }
}

impl Classify for ReplyError {
    /// A key WeChat Pay could not decrypt with ([`ReplyError::is_key_rejected`]) is
    /// [`Disposition::Misconfigured`]; `ReturnFail` per [`return_fail_disposition`],
    /// `BusinessFail` per [`ErrCode::disposition`] (busy reasons without a code are transient); everything else means the reply cannot be
    /// trusted: [`Disposition::Untrusted`].
    fn disposition(&self) -> Disposition {
        if self.is_key_rejected() {
            return Disposition::Misconfigured;
        }
        match self {
            Self::ReturnFail { return_msg, .. } => return_fail_disposition(return_msg.as_deref()),
            Self::BusinessFail {
                err_code,
                err_code_des,
            } => business_disposition(err_code.as_ref(), err_code_des.as_deref()),
            Self::Xml(_)
            | Self::MissingReturnCode
            | Self::MissingResultCode
            | Self::Sign(_)
            | Self::PossibleFold { .. }
            | Self::MissingField(_)
            | Self::Mismatch(_) => Disposition::Untrusted,
        }
    }
}

fn short(name: &str) -> String {
    name.chars().take(64).collect()
}

/// Step 1 only: `return_code` present and `SUCCESS`.
pub(crate) fn return_code(fields: &Fields<'_>) -> Result<(), ReplyError> {
    let return_code = fields
        .get("return_code")
        .ok_or(ReplyError::MissingReturnCode)?;
    if return_code == "SUCCESS" {
        return Ok(());
    }
    Err(ReplyError::ReturnFail {
        return_code: return_code.chars().take(32).collect(),
        // The sandbox answers FAIL with `retmsg` instead of `return_msg`.
        return_msg: fields
            .get_non_empty("return_msg")
            .or_else(|| fields.get_non_empty("retmsg"))
            .map(str::to_owned),
    })
}

/// Steps 1 and 2 of an unsigned endpoint's reply (return code, result code): all such a reply
/// gets, and no key is needed. `result_code` is required.
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

/// Apply every check of [`Expect`] to parsed fields.
///
/// # Errors
/// See [`ReplyError`].
pub fn check(fields: &Fields<'_>, key: &ApiV2Key, expect: &Expect<'_>) -> Result<(), ReplyError> {
    run(fields, Some(key), expect, true, |_| ())
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
    run(fields, None, expect, true, |_| ())
}

/// [`check`], then `decode` reads the typed outcome through a recording [`Reader`]: the fields
/// it reads are the fields the fold rule covers (with the echoes and required fields). `key`
/// `None`: an endpoint that never signs. `decode` runs only on a `result_code` of `SUCCESS`
/// (or an absent optional one); its result is returned once every check passed.
pub(crate) fn check_and_read<'f, 'a, T>(
    fields: &'f Fields<'a>,
    key: Option<&ApiV2Key>,
    expect: &Expect<'_>,
    decode: impl FnOnce(&Reader<'f, 'a>) -> T,
) -> Result<T, ReplyError> {
    run(fields, key, expect, false, decode)
}

fn run<'f, 'a, T>(
    fields: &'f Fields<'a>,
    key: Option<&ApiV2Key>,
    expect: &Expect<'_>,
    every_field: bool,
    decode: impl FnOnce(&Reader<'f, 'a>) -> T,
) -> Result<T, ReplyError> {
    return_code(fields)?;
    let signed = match (expect.signing, key) {
        (ReplySigning::Signed { expected }, Some(key)) => {
            sign::verify_fields(fields, key, expected)?;
            true
        }
        _ => false,
    };
    // Authenticated from here on when `signed`; every field read is recorded.
    let reader = Reader::new(fields);
    reader.strict("return_code");
    let result_code = reader.strict("result_code");
    let success = match result_code {
        Some("SUCCESS") => true,
        None => !expect.result_code_required,
        Some(_) => false,
    };
    let (err_code, err_code_des) = if success {
        (None, None)
    } else {
        (
            reader.first_of(&["err_code", "error_code"], Reliance::Strict),
            // `return_msg` last: some endpoints (querymchrisk) put the reason there.
            reader
                .first_of(
                    &["err_code_des", "error_code_des", "err_code_desc"],
                    Reliance::Text,
                )
                .or_else(|| reader.text("return_msg").filter(|m| *m != "OK")),
        )
    };
    let outcome = success.then(|| decode(&reader));
    if signed {
        let mut relied: Vec<(&str, Reliance)> = reader.relied().into_iter().collect();
        let named = expect
            .echoes
            .iter()
            .map(|(n, _)| *n)
            .chain(expect.required.iter().copied())
            .chain(expect.relies_on.iter().copied());
        let every = every_field
            .then(|| fields.iter().map(|(n, _)| n))
            .into_iter()
            .flatten();
        // (`sign` takes no part in the signed string: relying on it changes nothing.)
        for name in named.chain(every) {
            if !relied.iter().any(|(n, _)| *n == name) {
                relied.push((name, expect.reliance(name)));
            }
        }
        fold::check(fields, &relied).map_err(|a| ReplyError::PossibleFold {
            field: short(a.field()),
        })?;
    }
    let Some(outcome) = outcome else {
        return Err(match result_code {
            None => ReplyError::MissingResultCode,
            Some(_) => ReplyError::BusinessFail {
                err_code: err_code.map(ErrCode::from_wire),
                err_code_des: err_code_des.map(str::to_owned),
            },
        });
    };
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
    Ok(outcome)
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
    #[test]
    fn business_dispositions() {
        use super::{ErrCode, business_disposition};
        use crate::error::Disposition;
        assert_eq!(
            business_disposition(Some(&ErrCode::SystemError), None),
            Disposition::Transient
        );
        assert_eq!(
            business_disposition(None, Some("系统繁忙")),
            Disposition::Transient
        );
        assert_eq!(
            business_disposition(None, Some("服务商号错误")),
            Disposition::Rejected
        );
    }

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
        // A business FAIL is signed like any SUCCESS return_code: unsigned, it is untrusted…
        let biz_pairs = [
            ("return_code", "SUCCESS"),
            ("result_code", "FAIL"),
            ("error_code", "20002"),
            ("error_code_des", "商户号信息有误"),
        ];
        let unsigned_biz = body(&biz_pairs, None);
        assert_eq!(
            parse_and_check(&unsigned_biz, &key(), &SIGNED, &l),
            Err(ReplyError::Sign(SignError::Missing))
        );
        // …signed and then altered (the code chooses the disposition), untrusted too…
        let biz = body(&biz_pairs, Some(SignType::Md5));
        let forged = String::from_utf8(biz.clone())
            .unwrap()
            .replace("20002", "SYSTEMERROR")
            .into_bytes();
        assert_eq!(
            parse_and_check(&forged, &key(), &SIGNED, &l),
            Err(ReplyError::Sign(SignError::Mismatch))
        );
        // …and believed once the signature verifies.
        let e = parse_and_check(&biz, &key(), &SIGNED, &l).unwrap_err();
        assert_eq!(
            e,
            ReplyError::BusinessFail {
                err_code: Some(ErrCode::FraudMerchantInvalid),
                err_code_des: Some("商户号信息有误".into())
            }
        );
        assert!(e.to_string().contains("20002"));
        // On an unsigned endpoint the same unsigned body is read (nothing is authenticated).
        assert!(matches!(
            parse_and_check(&unsigned_biz, &key(), &Expect::unsigned(), &l),
            Err(ReplyError::BusinessFail { .. })
        ));
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
    fn key_rejection_is_read_from_either_failure_text() {
        let ret = ReplyError::ReturnFail {
            return_code: "FAIL".into(),
            return_msg: Some("certificates_number解密失败".into()),
        };
        assert!(ret.is_key_rejected());
        assert_eq!(ret.disposition(), Disposition::Misconfigured);
        let biz = ReplyError::BusinessFail {
            err_code: Some(ErrCode::SystemError),
            err_code_des: Some("平台私钥解密失败".into()),
        };
        assert!(biz.is_key_rejected());
        // Key rejection wins over the code's own disposition (SYSTEMERROR: transient).
        assert_eq!(biz.disposition(), Disposition::Misconfigured);
        assert!(!ReplyError::MissingResultCode.is_key_rejected());
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
            })
        );
        // Declared free text, the reading nonce_str="N", openid="A" still moves nonce_str.
        assert_eq!(
            check(&f, &k, &signed.text(&["nonce_str"])),
            Err(ReplyError::PossibleFold {
                field: "nonce_str".into(),
            })
        );
        // Opaque, nonce_str is not compared; openid is not relied on: accepted.
        let lax = signed.opaque(&["nonce_str"]);
        assert_eq!(check(&f, &k, &lax), Ok(()));
        assert_eq!(check(&f, &k, &lax.echo(&[("out_trade_no", "T1")])), Ok(()));
        // …but relying on openid (absent here, present in another reading) refuses it: the
        // opaque nonce_str then carries a known name and cannot be genuine.
        assert_eq!(
            check(&f, &k, &lax.relies_on(&["openid"])),
            Err(ReplyError::PossibleFold {
                field: "nonce_str".into(),
            })
        );
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
            Expect::from_signing(ReplySigning::Unsigned).signing,
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
