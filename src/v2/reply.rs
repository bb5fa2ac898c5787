//! Checking a v2 reply (SPEC §1.2), in the order the official SDKs use:
//!
//! 1. `return_code` is not `SUCCESS` → [`ReplyError::ReturnFail`] (such replies carry no sign);
//! 2. `result_code` present and not `SUCCESS` → [`ReplyError::BusinessFail`];
//! 3. the endpoint signs replies → the `sign` must verify, else [`ReplyError::Sign`].
//!
//! Steps 1 and 2 report what the body says; it has not been authenticated at that point, so do
//! not act on it beyond reporting.

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

/// Why a reply was not accepted.
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
    /// `result_code` is not `SUCCESS` (business failure).
    #[error("result_code FAIL: {} {}", err_code.as_deref().unwrap_or(""), err_code_des.as_deref().unwrap_or(""))]
    BusinessFail {
        /// `err_code` (or `error_code`, as `secsvc/realnameauth` spells it).
        err_code: Option<String>,
        /// `err_code_des` (or `error_code_des`).
        err_code_des: Option<String>,
    },
    /// The signature is missing, malformed or wrong.
    #[error("reply signature: {0}")]
    Sign(#[from] SignError),
}

fn owned(f: &Fields, a: &str, b: &str) -> Option<String> {
    f.get_non_empty(a)
        .or_else(|| f.get_non_empty(b))
        .map(str::to_owned)
}

/// Steps 1 and 2 only (return code, result code): all an unsigned endpoint's reply gets, and
/// no key is needed.
///
/// ```
/// use wechatpay_sansio::v2::{reply::{check_codes, ReplyError}, xml};
/// let f = xml::parse(b"<xml><return_code>SUCCESS</return_code><result_code>FAIL</result_code><err_code>E1</err_code></xml>")?;
/// assert!(matches!(check_codes(&f), Err(ReplyError::BusinessFail { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`ReplyError::MissingReturnCode`], [`ReplyError::ReturnFail`], [`ReplyError::BusinessFail`].
pub fn check_codes(fields: &Fields) -> Result<(), ReplyError> {
    let return_code = fields
        .get("return_code")
        .ok_or(ReplyError::MissingReturnCode)?;
    if return_code != "SUCCESS" {
        return Err(ReplyError::ReturnFail {
            return_code: return_code.chars().take(32).collect(),
            return_msg: fields.get_non_empty("return_msg").map(str::to_owned),
        });
    }
    if let Some(result) = fields.get("result_code")
        && result != "SUCCESS"
    {
        return Err(ReplyError::BusinessFail {
            err_code: owned(fields, "err_code", "error_code"),
            err_code_des: owned(fields, "err_code_des", "error_code_des"),
        });
    }
    Ok(())
}

/// Apply the three checks to parsed fields.
///
/// # Errors
/// See [`ReplyError`].
pub fn check(fields: &Fields, key: &ApiV2Key, signing: ReplySigning) -> Result<(), ReplyError> {
    check_codes(fields)?;
    if let ReplySigning::Signed { expected } = signing {
        sign::verify_fields(fields, key, expected)?;
    }
    Ok(())
}

/// Parse a reply body with `limits` and [`check`] it.
///
/// ```
/// use wechatpay_sansio::secret::ApiV2Key;
/// use wechatpay_sansio::v2::reply::{parse_and_check, ReplyError, ReplySigning};
/// use wechatpay_sansio::v2::xml::XmlLimits;
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let fail = "<xml><return_code>FAIL</return_code><return_msg>签名错误</return_msg></xml>".as_bytes();
/// let err = parse_and_check(fail, &key, ReplySigning::Signed { expected: None }, &XmlLimits::default());
/// assert!(matches!(err, Err(ReplyError::ReturnFail { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// See [`ReplyError`].
pub fn parse_and_check(
    body: &[u8],
    key: &ApiV2Key,
    signing: ReplySigning,
    limits: &XmlLimits,
) -> Result<Fields, ReplyError> {
    let fields = xml::parse_with_limits(body, limits)?;
    check(&fields, key, signing)?;
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ApiV2Key {
        ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap()
    }
    const SIGNED: ReplySigning = ReplySigning::Signed { expected: None };

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
        assert!(parse_and_check(&ok, &key(), SIGNED, &l).is_ok());
        assert!(
            parse_and_check(
                &ok,
                &key(),
                ReplySigning::Signed {
                    expected: Some(SignType::HmacSha256)
                },
                &l
            )
            .is_ok()
        );

        let unsigned = body(
            &[("return_code", "SUCCESS"), ("result_code", "SUCCESS")],
            None,
        );
        assert_eq!(
            parse_and_check(&unsigned, &key(), SIGNED, &l),
            Err(ReplyError::Sign(SignError::Missing))
        );
        assert!(parse_and_check(&unsigned, &key(), ReplySigning::Unsigned, &l).is_ok());

        let fail = body(&[("return_code", "FAIL"), ("return_msg", "签名错误")], None);
        assert_eq!(
            parse_and_check(&fail, &key(), SIGNED, &l),
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
        let e = parse_and_check(&biz, &key(), SIGNED, &l).unwrap_err();
        assert_eq!(
            e,
            ReplyError::BusinessFail {
                err_code: Some("20002".into()),
                err_code_des: Some("商户号信息有误".into())
            }
        );
        assert!(e.to_string().contains("20002"));
        assert_eq!(
            parse_and_check(b"<xml><a>1</a></xml>", &key(), SIGNED, &l),
            Err(ReplyError::MissingReturnCode)
        );
        assert!(matches!(
            parse_and_check(b"<xml>", &key(), SIGNED, &l),
            Err(ReplyError::Xml(_))
        ));

        let mut tampered = ok.clone();
        let pos = tampered.windows(3).position(|w| w == b">1<").unwrap();
        tampered[pos + 1] = b'2';
        assert_eq!(
            parse_and_check(&tampered, &key(), SIGNED, &l),
            Err(ReplyError::Sign(SignError::Mismatch))
        );
    }
}
