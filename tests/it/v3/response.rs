//! v3 replies and error bodies: size and nesting limits, odd numbers, typed error codes.

use crate::common::*;
use wechatpay_sansio::http::{HeaderMap, StatusCode};
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::v3::notify::NotifyError;
use wechatpay_sansio::v3::response::{ErrorBody, ErrorBodyError, ResponseError};
use wechatpay_sansio::v3::verify::Verifier;
use wechatpay_sansio::v3::{notify, response};

#[test]
fn ten_megabyte_json_is_refused_before_parsing() {
    let mut body = br#"{"code":"X","message":""#.to_vec();
    body.resize(MB10, b'a');
    body.extend_from_slice(b"\"}");
    let len = body.len();
    assert_eq!(
        hostile(|| ErrorBody::parse(&body)),
        Err(ErrorBodyError::TooLarge(len))
    );
    let h = HeaderMap::new();
    assert_eq!(
        response::check(
            ResponseRef::new(StatusCode::BAD_REQUEST, &h, &body),
            &Verifier::new(&store()),
            t(T2023)
        )
        .unwrap_err(),
        ResponseError::UnreadableError {
            status: 400,
            reason: ErrorBodyError::TooLarge(len)
        }
    );
    // A notification is refused on size before the RSA verification.
    let h = platform_signed(&body, &T2023.to_string(), "n");
    assert_eq!(
        hostile(|| notify::parse(&h, &body, &Verifier::new(&store()), &doc_v3_key(), t(T2023)))
            .unwrap_err(),
        NotifyError::TooLarge(len)
    );
}

#[test]
fn deep_json_nesting_is_refused() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    // serde_json stops at depth 128.
    assert_eq!(
        hostile(|| ErrorBody::parse(deep.as_bytes())),
        Err(ErrorBodyError::Json { line: 1, column: 1 })
    );
    let deep_obj = format!(
        "{{\"code\":\"X\",\"detail\":{{\"value\":{}{}}}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_eq!(
        hostile(|| ErrorBody::parse(deep_obj.as_bytes())),
        Err(ErrorBodyError::Json {
            line: 1,
            column: 156
        })
    );
    // An authentic (correctly signed) notification with a deep body: a JSON error, no stack overflow.
    let h = platform_signed(deep.as_bytes(), &T2023.to_string(), "n");
    assert_eq!(
        notify::parse(
            &h,
            deep.as_bytes(),
            &Verifier::new(&store()),
            &doc_v3_key(),
            t(T2023)
        )
        .unwrap_err(),
        NotifyError::Json { line: 1, column: 1 }
    );
}

#[test]
fn huge_numbers_in_json() {
    // A value that overflows f64: the body is not an error object.
    assert_eq!(
        ErrorBody::parse(br#"{"code":"X","detail":{"value":1e99999}}"#),
        Err(ErrorBodyError::Json {
            line: 1,
            column: 37
        })
    );
    // A big integer is kept (as text), and stays redacted.
    let e = ErrorBody::parse(br#"{"code":"X","detail":{"value":123456789012345678901234567890}}"#)
        .unwrap();
    assert!(!format!("{e:?}").contains("1234567890"));
    // A code that is a number is not an error object.
    assert_eq!(
        ErrorBody::parse(br#"{"code":18446744073709551616}"#),
        Err(ErrorBodyError::Json {
            line: 1,
            column: 28
        })
    );
}
