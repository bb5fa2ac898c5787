//! Validation of request fields: every check runs before any cryptography, and every error
//! names the field without echoing its value.
//!
//! The checks are private: a request's `build` runs them and reports a [`FieldError`]
//! (re-exported as `error::FieldError`), which names the field and never its value.

use crate::error::{Classify, Disposition};

/// A request field failed validation. The value is never included.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// A required field is empty.
    #[error("{field} is required")]
    Missing {
        /// The field.
        field: &'static str,
    },
    /// Length outside the allowed range (in characters).
    #[error("{field} must be {min} to {max} characters long, got {len}")]
    Length {
        /// The field.
        field: &'static str,
        /// Minimum.
        min: usize,
        /// Maximum.
        max: usize,
        /// Actual.
        len: usize,
    },
    /// A character outside the allowed set.
    #[error("{field} contains a character outside {allowed}")]
    Charset {
        /// The field.
        field: &'static str,
        /// The allowed set, described.
        allowed: &'static str,
    },
    /// A value outside the enumeration.
    #[error("{field} must be one of {allowed}")]
    NotInEnum {
        /// The field.
        field: &'static str,
        /// The allowed values.
        allowed: &'static str,
    },
    /// A mainland ID number that fails the GB 11643-1999 check digit, or is malformed.
    #[error("{field} is not a valid 18-digit mainland ID number (GB 11643-1999 check digit)")]
    IdNumber {
        /// The field.
        field: &'static str,
    },
    /// A mainland ID number ending in a lower-case `x` where the API wants `X`.
    #[error("{field} must end in an upper-case X, not x")]
    LowercaseX {
        /// The field.
        field: &'static str,
    },
    /// An amount in fen outside what the field allows (negative, zero where a positive amount
    /// is required, or above WeChat Pay's 32-bit `int`).
    #[error("{field} must be an amount in fen from {min} to {max}")]
    Amount {
        /// The field.
        field: &'static str,
        /// The smallest amount allowed.
        min: i64,
        /// The largest amount allowed.
        max: i64,
    },
    /// A time that is not RFC 3339 with a numeric offset (`2018-06-08T10:34:56+08:00`).
    #[error("{field} must be an RFC 3339 time with an offset, like 2018-06-08T10:34:56+08:00")]
    Time {
        /// The field.
        field: &'static str,
    },
    /// A file larger than the API takes.
    #[error("{field} is {len} bytes, more than the {max} accepted")]
    TooLarge {
        /// The field.
        field: &'static str,
        /// The most bytes accepted.
        max: usize,
        /// Actual bytes.
        len: usize,
    },
    /// None of a group of optional fields is present.
    #[error("at least one of {fields} is required")]
    NoneOf {
        /// The fields of the group.
        fields: &'static str,
    },
}

impl FieldError {
    /// The field that failed.
    ///
    /// ```
    /// use wechatpay_sansio::error::FieldError;
    /// assert_eq!(FieldError::IdNumber { field: "cred_id" }.field(), "cred_id");
    /// ```
    #[must_use]
    pub fn field(&self) -> &'static str {
        match self {
            Self::Missing { field }
            | Self::Length { field, .. }
            | Self::Charset { field, .. }
            | Self::NotInEnum { field, .. }
            | Self::IdNumber { field }
            | Self::LowercaseX { field }
            | Self::Amount { field, .. }
            | Self::TooLarge { field, .. }
            | Self::Time { field } => field,
            Self::NoneOf { fields } => fields,
        }
    }
}

impl Classify for FieldError {
    /// [`Disposition::Rejected`]: the request is refused as given, before anything is sent.
    fn disposition(&self) -> Disposition {
        Disposition::Rejected
    }
}

/// The largest amount WeChat Pay's `int` amount fields hold (fen).
pub(crate) const MAX_FEN: i64 = i32::MAX as i64;

/// An amount in fen, `min..=MAX_FEN` (`min` is 1 for totals and refunds, 0 where the document
/// allows zero), returned as the `u64` that goes on the wire.
///
/// # Errors
/// [`FieldError::Amount`].
pub(crate) fn amount(field: &'static str, value: i64, min: i64) -> Result<u64, FieldError> {
    if (min..=MAX_FEN).contains(&value) {
        u64::try_from(value).map_err(|_| FieldError::Amount {
            field,
            min,
            max: MAX_FEN,
        })
    } else {
        Err(FieldError::Amount {
            field,
            min,
            max: MAX_FEN,
        })
    }
}

/// RFC 3339 with a numeric offset or `Z` as WeChat Pay's v3 `time_expire` takes it
/// (`yyyy-MM-DDTHH:mm:ss+TIMEZONE`, optional fraction), checked field by field.
///
/// # Errors
/// [`FieldError::Time`].
pub(crate) fn rfc3339(field: &'static str, value: &str) -> Result<(), FieldError> {
    let err = FieldError::Time { field };
    let b = value.as_bytes();
    let digits = |r: core::ops::Range<usize>| {
        b.get(r.clone())
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|d| d.iter().fold(0u32, |acc, x| acc * 10 + u32::from(x - b'0')))
    };
    let sep = |i: usize, c: u8| b.get(i) == Some(&c);
    let (Some(_y), Some(mo), Some(d), Some(h), Some(mi), Some(s)) = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    ) else {
        return Err(err);
    };
    if !(sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':')) {
        return Err(err);
    }
    if !((1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && mi < 60 && s < 61) {
        return Err(err);
    }
    let mut i = 19;
    if sep(i, b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err(err);
        }
    }
    let rest = &b[i..];
    let ok = rest == b"Z"
        || (rest.len() == 6
            && (rest[0] == b'+' || rest[0] == b'-')
            && rest[3] == b':'
            && digits(i + 1..i + 3).is_some_and(|h| h < 24)
            && digits(i + 4..i + 6).is_some_and(|m| m < 60));
    if ok { Ok(()) } else { Err(err) }
}

/// Non-empty, `min..=max` characters.
///
/// # Errors
/// [`FieldError::Missing`], [`FieldError::Length`].
pub(crate) fn length(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), FieldError> {
    if value.is_empty() && min > 0 {
        return Err(FieldError::Missing { field });
    }
    let len = value.chars().count();
    if len < min || len > max {
        return Err(FieldError::Length {
            field,
            min,
            max,
            len,
        });
    }
    Ok(())
}

/// Every character satisfies `ok`.
///
/// # Errors
/// [`FieldError::Charset`].
pub(crate) fn charset(
    field: &'static str,
    value: &str,
    allowed: &'static str,
    ok: impl Fn(char) -> bool,
) -> Result<(), FieldError> {
    if value.chars().all(ok) {
        Ok(())
    } else {
        Err(FieldError::Charset { field, allowed })
    }
}

/// No control characters (CR, LF, NUL, …): required of anything that reaches a header, a URL
/// or an XML element.
///
/// # Errors
/// [`FieldError::Charset`].
pub(crate) fn no_control(field: &'static str, value: &str) -> Result<(), FieldError> {
    charset(
        field,
        value,
        "printable characters (no control characters)",
        |c| !c.is_control(),
    )
}

/// Visible ASCII only (ids, codes, tokens).
///
/// # Errors
/// [`FieldError::Charset`].
pub(crate) fn visible_ascii(field: &'static str, value: &str) -> Result<(), FieldError> {
    charset(field, value, "visible ASCII", |c| c.is_ascii_graphic())
}

/// A merchant order number (`out_trade_no`): 1–32 characters of `[0-9A-Za-z_-|*@]`.
///
/// # Errors
/// [`FieldError::Missing`], [`FieldError::Length`], [`FieldError::Charset`].
pub(crate) fn out_trade_no(field: &'static str, value: &str) -> Result<(), FieldError> {
    length(field, value, 1, 32)?;
    charset(field, value, "[0-9A-Za-z_-|*@]", |c| {
        c.is_ascii_alphanumeric() || "_-|*@".contains(c)
    })
}

/// A merchant refund number (`out_refund_no`): 1–64 of `[0-9A-Za-z_-|*@]`.
///
/// # Errors
/// [`FieldError::Missing`], [`FieldError::Length`], [`FieldError::Charset`].
pub(crate) fn out_refund_no(field: &'static str, value: &str) -> Result<(), FieldError> {
    length(field, value, 1, 64)?;
    charset(field, value, "[0-9A-Za-z_-|*@]", |c| {
        c.is_ascii_alphanumeric() || "_-|*@".contains(c)
    })
}

/// A `notify_url` (v2 and v3, orders and refunds): `http://` or `https://`, at most `max`
/// visible ASCII characters, without a query (the documents: "不能携带参数"; v3: "公网域名必须为
/// https，如果是走专线接入，使用专线NAT IP或者私有回调域名可使用http" — so `http` is allowed).
///
/// # Errors
/// [`FieldError::Missing`], [`FieldError::Length`], [`FieldError::Charset`].
pub(crate) fn notify_url(field: &'static str, value: &str, max: usize) -> Result<(), FieldError> {
    token(field, value, max)?;
    let scheme = value.starts_with("https://") || value.starts_with("http://");
    if scheme && !value.contains('?') {
        Ok(())
    } else {
        Err(FieldError::Charset {
            field,
            allowed: "an http(s) URL without query parameters",
        })
    }
}

/// A mainland resident ID number (居民身份证号): 17 digits and a GB 11643-1999 check character
/// (`0-9` or `X`). With `require_upper_x`, a trailing lower-case `x` is refused rather than
/// accepted.
///
/// # Errors
/// [`FieldError::IdNumber`], [`FieldError::LowercaseX`].
pub(crate) fn mainland_id(
    field: &'static str,
    value: &str,
    require_upper_x: bool,
) -> Result<(), FieldError> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = value.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return Err(FieldError::IdNumber { field });
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let expected = CHECK[(sum % 11) as usize];
    match b[17] {
        c if c == expected => Ok(()),
        b'x' if expected == b'X' && require_upper_x => Err(FieldError::LowercaseX { field }),
        b'x' if expected == b'X' => Ok(()),
        _ => Err(FieldError::IdNumber { field }),
    }
}

/// An `appid`: 1–32 visible ASCII characters.
pub(crate) fn appid(field: &'static str, value: &str) -> Result<(), FieldError> {
    token(field, value, 32)
}

/// An id or token of visible ASCII, 1–`max` characters.
pub(crate) fn token(field: &'static str, value: &str, max: usize) -> Result<(), FieldError> {
    length(field, value, 1, max)?;
    visible_ascii(field, value)
}

/// Free text of `min..=max` characters: no control characters, nothing XML 1.0 forbids
/// (U+FFFE, U+FFFF; unpaired surrogates cannot occur in `str`).
pub(crate) fn text(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), FieldError> {
    length(field, value, min, max)?;
    charset(
        field,
        value,
        "printable characters (no control characters, no U+FFFE/U+FFFF)",
        |c| !c.is_control() && c != '\u{FFFE}' && c != '\u{FFFF}',
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn amounts() {
        assert_eq!(super::amount("total", 1, 1), Ok(1));
        assert_eq!(super::amount("total", super::MAX_FEN, 1), Ok(2_147_483_647));
        for bad in [0, -1, i64::MIN, super::MAX_FEN + 1, i64::MAX] {
            assert_eq!(
                super::amount("total", bad, 1),
                Err(super::FieldError::Amount {
                    field: "total",
                    min: 1,
                    max: super::MAX_FEN
                })
            );
        }
        assert_eq!(super::amount("x", 0, 0), Ok(0));
    }

    #[test]
    fn rfc3339_times() {
        for good in [
            "2018-06-08T10:34:56+08:00",
            "2018-06-08T10:34:56.123+08:00",
            "2018-06-08T10:34:56Z",
            "2018-06-08T10:34:56-05:30",
        ] {
            assert_eq!(super::rfc3339("time_expire", good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "2018-06-08 10:34:56",
            "2018-06-08T10:34:56",
            "2018-06-08T10:34:56+0800",
            "2018-13-08T10:34:56+08:00",
            "2018-06-08T24:34:56+08:00",
            "2018-06-08T10:34:56.+08:00",
            "2018-06-08T10:34:56+08:00 ",
            "２018-06-08T10:34:56+08:00",
            "2018-06-08T10:34:56+24:00",
        ] {
            assert_eq!(
                super::rfc3339("time_expire", bad),
                Err(super::FieldError::Time {
                    field: "time_expire"
                }),
                "{bad}"
            );
        }
    }

    #[test]
    fn mainland_ids() {
        assert!(super::mainland_id("cred_id", "11010519491231002X", true).is_ok());
        assert_eq!(
            super::mainland_id("cred_id", "11010519491231002x", true),
            Err(super::FieldError::LowercaseX { field: "cred_id" })
        );
        assert!(super::mainland_id("cred_id", "11010519491231002x", false).is_ok());
        assert!(super::mainland_id("cred_id", "110105194912310021", false).is_err());
    }

    #[test]
    fn refused_id_numbers_are_not_echoed() {
        for bad in [
            "11010519491231002Y",
            "11010519491231002x",
            "1101051949123100",
        ] {
            let e = super::mainland_id("cred_id", bad, true).unwrap_err();
            for s in [e.to_string(), format!("{e:?}")] {
                assert!(!s.contains("1101051949"), "FieldError leaks: {s}");
            }
        }
    }

    use super::*;

    #[test]
    fn checks() {
        assert_eq!(
            length("f", "", 1, 2),
            Err(FieldError::Missing { field: "f" })
        );
        assert_eq!(
            length("f", "abc", 1, 2),
            Err(FieldError::Length {
                field: "f",
                min: 1,
                max: 2,
                len: 3
            })
        );
        assert!(length("f", "", 0, 2).is_ok());
        assert!(no_control("f", "a\r\n").is_err());
        assert!(visible_ascii("f", "a b").is_err());
        assert!(out_trade_no("out_trade_no", "A-1_b|*@").is_ok());
        assert!(out_trade_no("out_trade_no", "a#").is_err());
        assert!(out_trade_no("out_trade_no", &"1".repeat(33)).is_err());
        // GB 11643-1999 examples
        assert!(mainland_id("id", "11010519491231002X", false).is_ok());
        assert!(mainland_id("id", "11010519491231002x", false).is_ok());
        assert!(mainland_id("id", "440524188001010014", false).is_ok());
        assert!(mainland_id("id", "440524188001010015", false).is_err());
        assert!(mainland_id("id", "44052418800101001", false).is_err());
        assert!(mainland_id("id", "4405241880010100１4", false).is_err());
        assert!(mainland_id("id", "A40524188001010014", false).is_err());
        for e in [
            FieldError::NotInEnum {
                field: "f",
                allowed: "A|B",
            },
            FieldError::NoneOf { fields: "a, b" },
            FieldError::IdNumber { field: "f" },
        ] {
            assert!(!e.to_string().is_empty());
            assert!(e.field().len() == 1 || e.field() == "a, b");
            assert_eq!(e.disposition(), Disposition::Rejected);
        }
        assert!(appid("appid", "wx2421b1c4370ec43b").is_ok());
        assert!(appid("appid", &"a".repeat(33)).is_err());
        assert!(token("t", "a b", 8).is_err());
        assert!(text("t", "张三", 1, 64).is_ok());
        assert!(text("t", "a\u{FFFE}", 1, 64).is_err());
        assert!(text("t", "a\r\n", 1, 64).is_err());
    }
}
