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
            | Self::LowercaseX { field } => field,
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
