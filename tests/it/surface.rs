//! Properties of the public surface as a whole: thread safety, and a disposition for every error.

use crate::common::*;

fn send_sync<T: Send + Sync>() {}

#[test]
fn public_types_are_send_and_sync() {
    use wechatpay_sansio::*;
    send_sync::<keys::MerchantPrivateKey>();
    send_sync::<keys::PublicKey>();
    send_sync::<keys::PlatformCertificate>();
    send_sync::<keys::KeyStore>();
    send_sync::<keys::WechatPayKey>();
    send_sync::<v3::auth::MerchantSigner>();
    send_sync::<secret::ApiV2Key>();
    send_sync::<secret::ApiV3Key>();
    send_sync::<secret::Personal>();
    send_sync::<request::Request>();
    send_sync::<v2::Fields>();
    send_sync::<v3::notify::DecryptedNotification>();
    send_sync::<v2::refund_notify::RefundNotification>();
    send_sync::<simulator::Simulator>();
    // One signer shared by threads, no locks.
    let signer = std::sync::Arc::new(v3::auth::MerchantSigner::new(
        ids::MchId::new("1").unwrap(),
        keys::KeyId::new("01").unwrap(),
        merchant_key(),
    ));
    let sigs: Vec<String> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2)
            .map(|i| {
                let signer = signer.clone();
                s.spawn(move || signer.sign(&mut rng(i), b"x").unwrap())
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(sigs[0], sigs[1]);
}

// ---------------------------------------------------------------- dispositions

use std::error::Error as StdError;
use wechatpay_sansio::api::{ApiError, Failure, NameAuthCode, Retcode};
use wechatpay_sansio::cipher::CipherError;
use wechatpay_sansio::error::FieldError;
use wechatpay_sansio::error::{Classify, Disposition};
use wechatpay_sansio::ids::IdError;
use wechatpay_sansio::keys::KeyError;
use wechatpay_sansio::merchant::NotConfigured;
use wechatpay_sansio::request::RequestError;
use wechatpay_sansio::secret::SecretError;
use wechatpay_sansio::time::UnixTime;
use wechatpay_sansio::v2::SignError;
use wechatpay_sansio::v2::notify::PayNotifyError;
use wechatpay_sansio::v2::refund_notify::RefundNotifyError;
use wechatpay_sansio::v2::reply::{ErrCode, ReplyError};
use wechatpay_sansio::v2::request::V2RequestError;
use wechatpay_sansio::v2::xml::XmlError;
use wechatpay_sansio::v3::auth::{AuthError, AuthorizationParseError};
use wechatpay_sansio::v3::certificates::DownloadError;
use wechatpay_sansio::v3::notify::NotifyError;
use wechatpay_sansio::v3::request::V3RequestError;
use wechatpay_sansio::v3::resource::ResourceError;
use wechatpay_sansio::v3::response::{ErrorBody, ErrorBodyError, ErrorReply, ResponseError};
use wechatpay_sansio::v3::verify::VerifyError;

/// Checked rows: `module::Type::Variant`, through the public API.
struct Table;

impl Table {
    /// `e`'s disposition is `want`; its Display does not repeat its source (one chaining rule);
    /// its messages are not empty.
    #[track_caller]
    fn row<E: Classify + StdError>(&mut self, name: &str, e: E, want: Disposition) {
        assert_eq!(e.disposition(), want, "{name}: {e}");
        // A reason exactly for the untrusted ones.
        assert_eq!(
            e.distrust().is_some(),
            want == Disposition::Untrusted,
            "{name}: {e}"
        );
        let shown = e.to_string();
        assert!(!shown.is_empty(), "{name}: empty message");
        if let Some(source) = e.source() {
            let inner = source.to_string();
            assert!(
                !shown.contains(&inner),
                "{name}: Display {shown:?} also prints its source {inner:?}"
            );
        }
    }
}

fn field() -> FieldError {
    FieldError::Missing { field: "appid" }
}

fn v3_failure(status: u16, code: &str) -> ErrorReply {
    let body = format!(r#"{{"code":"{code}","message":"m"}}"#);
    ErrorReply::new(status, ErrorBody::parse(body.as_bytes()).unwrap())
}

fn business(code: &str) -> ReplyError {
    ReplyError::BusinessFail {
        err_code: Some(ErrCode::from_wire(code)),
        err_code_des: None,
    }
}

fn ret(msg: &str) -> ReplyError {
    ReplyError::ReturnFail {
        return_code: "FAIL".into(),
        return_msg: Some(msg.into()),
    }
}

/// Every variant of every public error type, with the disposition it must have.
#[test]
fn every_error_variant_has_the_documented_disposition() {
    use Disposition::{Misconfigured, Rejected, Transient, Untrusted};
    let mut t = Table;

    t.row("validate::FieldError::Missing", field(), Rejected);
    t.row(
        "validate::FieldError::Length",
        FieldError::Length {
            field: "a",
            min: 1,
            max: 2,
            len: 3,
        },
        Rejected,
    );
    t.row(
        "validate::FieldError::Charset",
        FieldError::Charset {
            field: "a",
            allowed: "b",
        },
        Rejected,
    );
    t.row(
        "validate::FieldError::NotInEnum",
        FieldError::NotInEnum {
            field: "a",
            allowed: "b",
        },
        Rejected,
    );
    t.row(
        "validate::FieldError::IdNumber",
        FieldError::IdNumber { field: "a" },
        Rejected,
    );
    t.row(
        "validate::FieldError::LowercaseX",
        FieldError::LowercaseX { field: "a" },
        Rejected,
    );
    t.row(
        "validate::FieldError::NoneOf",
        FieldError::NoneOf { fields: "a, b" },
        Rejected,
    );

    t.row(
        "ids::IdError::Invalid",
        IdError::Invalid(field()),
        Misconfigured,
    );
    t.row("ids::IdError::Rng", IdError::Rng, Transient);

    t.row(
        "secret::SecretError::ApiV2KeyLength",
        SecretError::ApiV2KeyLength(3),
        Misconfigured,
    );
    t.row(
        "secret::SecretError::ApiV2KeyCharset",
        SecretError::ApiV2KeyCharset,
        Misconfigured,
    );
    t.row(
        "secret::SecretError::ApiV3KeyLength",
        SecretError::ApiV3KeyLength(3),
        Misconfigured,
    );

    t.row(
        "request::RequestError::InvalidUrl",
        RequestError::InvalidUrl,
        Misconfigured,
    );
    t.row(
        "request::RequestError::InvalidHeaderValue",
        RequestError::InvalidHeaderValue("x"),
        Misconfigured,
    );

    for (v, e) in [
        ("Pem", KeyError::Pem),
        (
            "UnexpectedPemLabel",
            KeyError::UnexpectedPemLabel {
                expected: "A",
                found: "B".into(),
            },
        ),
        ("EncryptedPrivateKey", KeyError::EncryptedPrivateKey),
        ("Der", KeyError::Der { what: "x" }),
        ("NotRsa", KeyError::NotRsa),
        (
            "KeySize",
            KeyError::KeySize {
                bits: 1024,
                expected: 2048,
            },
        ),
        ("InvalidKeyId", KeyError::InvalidKeyId),
        ("Certificate", KeyError::Certificate),
        ("InvalidMchId", KeyError::InvalidMchId),
        ("KeyMismatch", KeyError::KeyMismatch),
    ] {
        t.row(&format!("keys::KeyError::{v}"), e, Misconfigured);
    }

    t.row("cipher::CipherError::Empty", CipherError::Empty, Rejected);
    t.row(
        "cipher::CipherError::TooLong",
        CipherError::TooLong { len: 300, max: 214 },
        Rejected,
    );
    t.row("cipher::CipherError::Rng", CipherError::Rng, Transient);
    t.row(
        "cipher::CipherError::Backend",
        CipherError::Backend,
        Misconfigured,
    );
    t.row(
        "cipher::CipherError::Base64",
        CipherError::Base64,
        Untrusted,
    );
    t.row(
        "cipher::CipherError::CiphertextLength",
        CipherError::CiphertextLength {
            expected: 256,
            got: 3,
        },
        Untrusted,
    );
    t.row(
        "cipher::CipherError::Decrypt",
        CipherError::Decrypt,
        Untrusted,
    );
    t.row(
        "cipher::CipherError::NotUtf8",
        CipherError::NotUtf8,
        Untrusted,
    );

    // v2
    t.row(
        "v2::sign::SignError::InvalidFieldName",
        SignError::InvalidFieldName("a b".into()),
        Misconfigured,
    );
    t.row(
        "v2::sign::SignError::DuplicateField",
        SignError::DuplicateField("a".into()),
        Misconfigured,
    );
    t.row(
        "v2::sign::SignError::Missing",
        SignError::Missing,
        Untrusted,
    );
    t.row(
        "v2::sign::SignError::Malformed",
        SignError::Malformed { expected: 32 },
        Untrusted,
    );
    t.row(
        "v2::sign::SignError::UnknownAlgorithm",
        SignError::UnknownAlgorithm(40),
        Untrusted,
    );
    t.row(
        "v2::sign::SignError::Mismatch",
        SignError::Mismatch,
        Untrusted,
    );
    for (v, e) in [
        ("TooLarge", XmlError::TooLarge { len: 2, max: 1 }),
        ("TooManyFields", XmlError::TooManyFields { max: 1 }),
        ("InvalidUtf8", XmlError::InvalidUtf8 { offset: 1 }),
        ("UnsupportedEncoding", XmlError::UnsupportedEncoding),
        ("Doctype", XmlError::Doctype),
        ("UnknownEntity", XmlError::UnknownEntity),
        (
            "IllegalCharacter",
            XmlError::IllegalCharacter {
                code: 0,
                place: "text".into(),
            },
        ),
        ("Nested", XmlError::Nested("a".into())),
        ("Duplicate", XmlError::Duplicate("a".into())),
        ("UnexpectedContent", XmlError::UnexpectedContent),
        ("ProcessingInstruction", XmlError::ProcessingInstruction),
        ("Empty", XmlError::Empty),
        ("Truncated", XmlError::Truncated),
        ("Syntax", XmlError::Syntax { position: 3 }),
    ] {
        t.row(&format!("v2::xml::XmlError::{v}"), e, Untrusted);
    }
    t.row(
        "v2::xml::XmlError::InvalidName",
        XmlError::InvalidName("1a".into()),
        Misconfigured,
    );
    t.row(
        "v2::request::V2RequestError::SignPresent",
        V2RequestError::SignPresent,
        Misconfigured,
    );
    t.row(
        "v2::request::V2RequestError::SignTypeMismatch",
        V2RequestError::SignTypeMismatch,
        Misconfigured,
    );
    t.row(
        "v2::request::V2RequestError::Sign",
        V2RequestError::Sign(SignError::Mismatch),
        Misconfigured,
    );
    t.row(
        "v2::request::V2RequestError::Xml",
        V2RequestError::Xml(XmlError::Empty),
        Misconfigured,
    );
    t.row(
        "v2::request::V2RequestError::Request",
        V2RequestError::Request(RequestError::InvalidUrl),
        Misconfigured,
    );
    t.row(
        "v2::reply::ReplyError::Xml",
        ReplyError::Xml(XmlError::Doctype),
        Untrusted,
    );
    t.row(
        "v2::reply::ReplyError::MissingReturnCode",
        ReplyError::MissingReturnCode,
        Untrusted,
    );
    t.row(
        "v2::reply::ReplyError::MissingResultCode",
        ReplyError::MissingResultCode,
        Untrusted,
    );
    t.row(
        "v2::reply::ReplyError::Sign",
        ReplyError::Sign(SignError::Mismatch),
        Untrusted,
    );
    t.row(
        "v2::reply::ReplyError::PossibleFold",
        ReplyError::PossibleFold { field: "a".into() },
        Untrusted,
    );
    t.row(
        "v2::reply::ReplyError::MissingField",
        ReplyError::MissingField("openid".into()),
        Untrusted,
    );
    t.row(
        "v2::reply::ReplyError::Mismatch",
        ReplyError::Mismatch("openid".into()),
        Untrusted,
    );
    // return_code FAIL: by its message (transport and setup texts are known).
    for (msg, want) in [
        ("签名错误", Misconfigured),
        ("请求需要双向证书", Misconfigured),
        ("系统繁忙,请稍后再试", Transient),
        ("参数错误", Misconfigured),
    ] {
        let e = ReplyError::ReturnFail {
            return_code: "FAIL".into(),
            return_msg: Some(msg.into()),
        };
        assert_eq!(e.disposition(), want, "ReturnFail {msg}");
        t.row("v2::reply::ReplyError::ReturnFail", e, want);
    }
    for (code, want) in [
        ("SYSTEMERROR", Transient),
        ("SIGNERROR", Misconfigured),
        ("PARAM_ERROR", Rejected),
    ] {
        let e = ReplyError::BusinessFail {
            err_code: Some(ErrCode::from_wire(code)),
            err_code_des: None,
        };
        t.row("v2::reply::ReplyError::BusinessFail", e, want);
    }

    // v2 payment notifications
    t.row(
        "v2::notify::PayNotifyError::Reply",
        PayNotifyError::Reply(ReplyError::Sign(SignError::Mismatch)),
        Untrusted,
    );
    t.row(
        "v2::notify::PayNotifyError::SignType",
        PayNotifyError::SignType(field()),
        Untrusted,
    );
    t.row(
        "v2::notify::PayNotifyError::WrongSignType",
        PayNotifyError::WrongSignType {
            configured: wechatpay_sansio::v2::SignType::HmacSha256,
        },
        Untrusted,
    );
    t.row(
        "v2::notify::PayNotifyError::InvalidField",
        PayNotifyError::InvalidField("total_fee"),
        Untrusted,
    );
    t.row(
        "v2::notify::PayNotifyError::PaymentFailed",
        PayNotifyError::PaymentFailed {
            err_code: Some(ErrCode::from_wire("ORDERPAID")),
            err_code_des: None,
        },
        Rejected,
    );
    t.row(
        "v2::notify::PayNotifyError::RefundNotification",
        PayNotifyError::RefundNotification,
        Misconfigured,
    );

    // v2 refund notifications: nothing authenticates them, so every error is untrusted.
    for (name, e) in [
        ("Xml", RefundNotifyError::Xml(XmlError::Doctype)),
        ("MissingReturnCode", RefundNotifyError::MissingReturnCode),
        (
            "ReturnFail",
            RefundNotifyError::ReturnFail {
                return_code: "FAIL".into(),
                return_msg: Some("签名失败".into()),
            },
        ),
        ("MissingField", RefundNotifyError::MissingField("req_info")),
        ("Base64", RefundNotifyError::Base64),
        ("CiphertextLength", RefundNotifyError::CiphertextLength(3)),
        ("Padding", RefundNotifyError::Padding),
        ("ReqInfo", RefundNotifyError::ReqInfo(XmlError::Empty)),
        (
            "InvalidField",
            RefundNotifyError::InvalidField("refund_fee"),
        ),
        ("Mismatch", RefundNotifyError::Mismatch("appid")),
    ] {
        t.row(
            &format!("v2::refund_notify::RefundNotifyError::{name}"),
            e,
            Untrusted,
        );
    }

    // v3
    t.row(
        "v3::auth::AuthError::InvalidPathAndQuery",
        AuthError::InvalidPathAndQuery,
        Misconfigured,
    );
    t.row("v3::auth::AuthError::Rng", AuthError::Rng, Transient);
    t.row(
        "v3::auth::AuthError::Backend",
        AuthError::Backend,
        Misconfigured,
    );
    for (v, e) in [
        ("Scheme", AuthorizationParseError::Scheme),
        ("Malformed", AuthorizationParseError::Malformed),
        ("Missing", AuthorizationParseError::Missing("nonce_str")),
        ("Duplicate", AuthorizationParseError::Duplicate("nonce_str")),
        ("Unknown", AuthorizationParseError::Unknown),
        ("Timestamp", AuthorizationParseError::Timestamp),
    ] {
        t.row(
            &format!("v3::auth::AuthorizationParseError::{v}"),
            e,
            Untrusted,
        );
    }
    t.row(
        "v3::request::V3RequestError::Auth",
        V3RequestError::Auth(AuthError::Rng),
        Transient,
    );
    t.row(
        "v3::request::V3RequestError::Request",
        V3RequestError::Request(RequestError::InvalidUrl),
        Misconfigured,
    );
    for (v, e) in [
        (
            "MissingHeader",
            VerifyError::MissingHeader("wechatpay-nonce"),
        ),
        (
            "DuplicateHeader",
            VerifyError::DuplicateHeader("wechatpay-nonce"),
        ),
        (
            "InvalidHeader",
            VerifyError::InvalidHeader("wechatpay-nonce"),
        ),
        (
            "UnsupportedSignatureType",
            VerifyError::UnsupportedSignatureType,
        ),
        ("SignatureProbe", VerifyError::SignatureProbe),
        ("InvalidTimestamp", VerifyError::InvalidTimestamp),
        (
            "StaleTimestamp",
            VerifyError::StaleTimestamp {
                skew: 301,
                max_skew: 300,
            },
        ),
        ("UnknownKey", VerifyError::UnknownKey("01".into())),
        (
            "KeyNotValidAt",
            VerifyError::KeyNotValidAt {
                id: "01".into(),
                now: UnixTime::from_secs(3),
                not_before: UnixTime::from_secs(1),
                not_after: UnixTime::from_secs(2),
            },
        ),
        ("SignatureEncoding", VerifyError::SignatureEncoding),
        (
            "SignatureLength",
            VerifyError::SignatureLength {
                expected: 256,
                got: 3,
            },
        ),
        ("BadSignature", VerifyError::BadSignature),
    ] {
        t.row(&format!("v3::verify::VerifyError::{v}"), e, Untrusted);
    }
    t.row(
        "v3::resource::ResourceError::UnsupportedAlgorithm",
        ResourceError::UnsupportedAlgorithm("X".into()),
        Misconfigured,
    );
    t.row(
        "v3::resource::ResourceError::NonceLength",
        ResourceError::NonceLength(3),
        Untrusted,
    );
    t.row(
        "v3::resource::ResourceError::Base64",
        ResourceError::Base64,
        Untrusted,
    );
    t.row(
        "v3::resource::ResourceError::TagMismatch",
        ResourceError::TagMismatch,
        Misconfigured,
    );
    t.row(
        "v3::response::ErrorBodyError::TooLarge",
        ErrorBodyError::TooLarge(1 << 20),
        Untrusted,
    );
    t.row(
        "v3::response::ErrorBodyError::Json",
        ErrorBodyError::Json { line: 1, column: 1 },
        Untrusted,
    );
    for (status, code, want) in [
        (500, "SYSTEM_ERROR", Transient),
        (429, "FREQUENCY_LIMITED", Transient),
        (401, "SIGN_ERROR", Misconfigured),
        (403, "NOAUTH", Misconfigured),
        (400, "PARAM_ERROR", Rejected),
        (403, "USER_ACCOUNT_ABNORMAL", Rejected),
        (503, "BRAND_NEW", Transient),
    ] {
        t.row(
            "v3::response::ResponseError::Failure",
            ResponseError::Failure(Box::new(v3_failure(status, code))),
            want,
        );
    }
    let unreadable = |status| ResponseError::UnreadableError {
        status,
        reason: ErrorBodyError::Json { line: 1, column: 1 },
    };
    t.row(
        "v3::response::ResponseError::UnreadableError",
        unreadable(502),
        Transient,
    );
    t.row(
        "v3::response::ResponseError::UnreadableError",
        unreadable(404),
        Untrusted,
    );
    t.row(
        "v3::response::ResponseError::Verify",
        ResponseError::Verify(VerifyError::BadSignature),
        Untrusted,
    );
    t.row(
        "v3::notify::NotifyError::Verify",
        NotifyError::Verify(VerifyError::SignatureProbe),
        Untrusted,
    );
    t.row(
        "v3::notify::NotifyError::TooLarge",
        NotifyError::TooLarge(1 << 20),
        Untrusted,
    );
    t.row(
        "v3::notify::NotifyError::Json",
        NotifyError::Json { line: 1, column: 1 },
        Untrusted,
    );
    t.row(
        "v3::notify::NotifyError::Resource",
        NotifyError::Resource(ResourceError::TagMismatch),
        Misconfigured,
    );
    t.row(
        "v3::certificates::DownloadError::Json",
        DownloadError::Json,
        Untrusted,
    );
    t.row(
        "v3::certificates::DownloadError::Resource",
        DownloadError::Resource(ResourceError::TagMismatch),
        Misconfigured,
    );
    t.row(
        "v3::certificates::DownloadError::UnverifiedResource",
        DownloadError::UnverifiedResource(ResourceError::TagMismatch),
        Untrusted,
    );
    t.row(
        "v3::certificates::DownloadError::Certificate",
        DownloadError::Certificate(KeyError::Certificate),
        Untrusted,
    );
    t.row(
        "v3::certificates::DownloadError::SerialMismatch",
        DownloadError::SerialMismatch("01".into()),
        Untrusted,
    );
    t.row(
        "v3::certificates::DownloadError::Response",
        DownloadError::Response(ResponseError::Failure(Box::new(v3_failure(
            500,
            "SYSTEMERROR",
        )))),
        Transient,
    );

    // The typed APIs' one family.
    t.row(
        "api::error::ApiError::Field",
        ApiError::Field(field()),
        Rejected,
    );
    t.row(
        "api::error::ApiError::NotConfigured",
        ApiError::NotConfigured(wechatpay_sansio::merchant::NotConfigured("APIv2 key")),
        Misconfigured,
    );
    t.row(
        "api::error::ApiError::NoEncryptionKey",
        ApiError::NoEncryptionKey("x"),
        Misconfigured,
    );
    t.row("api::error::ApiError::Rng", ApiError::Rng, Transient);
    t.row(
        "api::error::ApiError::Encrypt",
        ApiError::Encrypt {
            field: "cred_id",
            source: CipherError::TooLong { len: 300, max: 214 },
        },
        Rejected,
    );
    t.row(
        "api::error::ApiError::V2Request",
        ApiError::V2Request(V2RequestError::SignPresent),
        Misconfigured,
    );
    t.row(
        "api::error::ApiError::V3Request",
        ApiError::V3Request(V3RequestError::Auth(AuthError::Backend)),
        Misconfigured,
    );
    for (e, want) in [
        (ret("签名错误"), Misconfigured),
        (ret("请求需要双向证书"), Misconfigured),
        (ret("SYSTEMERROR"), Transient),
        (ret("解密失败"), Misconfigured),
        (business("SYSTEMERROR"), Transient),
        (business("PARAM_ERROR"), Rejected),
        (
            ReplyError::BusinessFail {
                err_code: None,
                err_code_des: None,
            },
            Rejected,
        ),
        (
            ReplyError::BusinessFail {
                err_code: Some(ErrCode::from_wire("X")),
                err_code_des: Some("平台私钥解密失败".into()),
            },
            Misconfigured,
        ),
    ] {
        let e = ApiError::V2Reply(e);
        assert!(e.failure().is_some(), "{e}");
        assert_eq!(e.is_retryable(), want == Transient, "{e}");
        t.row("api::error::ApiError::V2Reply", e, want);
    }
    for (status, code, want) in [
        (500, "SYSTEM_ERROR", Transient),
        (400, "INVALID_REQUEST", Rejected),
    ] {
        let e = ApiError::V3Reply(ResponseError::Failure(Box::new(v3_failure(status, code))));
        assert!(matches!(e.failure(), Some(Failure::V3(_))), "{e}");
        t.row("api::error::ApiError::V3Reply", e, want);
    }
    for (retcode, retmsg, want) in [
        (Retcode::from_wire("-1"), "系统繁忙", Transient),
        (Retcode::from_wire("-1"), "商户签名验证失败", Misconfigured),
        (Retcode::from_wire("参数错误"), "", Misconfigured),
        (Retcode::CodeNotFound, "code not found", Rejected),
    ] {
        let e = ApiError::OAuth {
            retcode,
            retmsg: retmsg.into(),
        };
        assert!(matches!(e.failure(), Some(Failure::OAuth { .. })), "{e}");
        t.row("api::error::ApiError::OAuth", e, want);
    }
    for (code, want) in [
        (NameAuthCode::from_wire("42"), Transient),
        (NameAuthCode::IpNotAuthorized, Misconfigured),
    ] {
        t.row(
            "api::error::ApiError::NameAuth",
            ApiError::NameAuth(code),
            want,
        );
    }
    t.row(
        "api::error::ApiError::HttpStatus",
        ApiError::HttpStatus(503),
        Transient,
    );
    t.row(
        "api::error::ApiError::HttpStatus",
        ApiError::HttpStatus(403),
        Misconfigured,
    );
    t.row(
        "api::error::ApiError::V2Reply",
        ApiError::V2Reply(ReplyError::Xml(XmlError::Doctype)),
        Untrusted,
    );
    t.row(
        "api::error::ApiError::V2Reply",
        ApiError::V2Reply(ReplyError::Sign(SignError::Mismatch)),
        Untrusted,
    );
    t.row(
        "api::error::ApiError::V2Reply",
        ApiError::V2Reply(ReplyError::PossibleFold { field: "a".into() }),
        Untrusted,
    );
    t.row(
        "api::error::ApiError::MissingField",
        ApiError::MissingField("openid".into()),
        Untrusted,
    );
    t.row(
        "api::error::ApiError::Mismatch",
        ApiError::Mismatch("openid".into()),
        Untrusted,
    );
    t.row(
        "api::error::ApiError::InvalidField",
        ApiError::InvalidField("expires_in"),
        Untrusted,
    );
    t.row(
        "api::error::ApiError::RecordCount",
        ApiError::RecordCount {
            field: "refund_count",
            declared: 2,
            present: 1,
        },
        Untrusted,
    );
    t.row(
        "api::error::ApiError::V3Reply",
        ApiError::V3Reply(ResponseError::Verify(VerifyError::BadSignature)),
        Untrusted,
    );
    t.row(
        "api::error::ApiError::Key",
        ApiError::Key(KeyError::NotRsa),
        Untrusted,
    );
    let body = || ErrorBodyError::Json { line: 1, column: 1 };
    t.row(
        "api::error::ApiError::V3Reply",
        ApiError::V3Reply(ResponseError::UnreadableError {
            status: 502,
            reason: body(),
        }),
        Transient,
    );
    t.row(
        "api::error::ApiError::V3Reply",
        ApiError::V3Reply(ResponseError::UnreadableError {
            status: 400,
            reason: body(),
        }),
        Untrusted,
    );
    t.row(
        "api::error::ApiError::Json",
        ApiError::Json { line: 1, column: 2 },
        Untrusted,
    );
    t.row(
        "api::error::ApiError::NotJson",
        ApiError::NotJson,
        Untrusted,
    );
    t.row(
        "api::error::ApiError::TooLarge",
        ApiError::TooLarge { len: 2, max: 1 },
        Untrusted,
    );

    t.row(
        "paysign::PaySignError::Field",
        wechatpay_sansio::paysign::PaySignError::from(field()),
        Rejected,
    );
    t.row(
        "paysign::PaySignError::Auth",
        wechatpay_sansio::paysign::PaySignError::from(AuthError::Rng),
        Transient,
    );
    t.row(
        "paysign::PaySignError::Sign",
        wechatpay_sansio::paysign::PaySignError::from(SignError::Mismatch),
        Untrusted,
    );

    assert_eq!(NotConfigured("APIv3 key").disposition(), Misconfigured);

    // Every variant of every error enum has a row in the crate's own table
    // (src/disposition/rows.rs): its exhaustive `match` makes a new variant without a row a
    // compile error. Here, only that every error enum has such a table.
    let rows = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/disposition/rows.rs"),
    )
    .unwrap();
    let mut enums = 0;
    for f in library_sources() {
        for decl in f.text.split("pub enum ").skip(1) {
            let name: String = decl
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if name.ends_with("Error") {
                enums += 1;
                assert!(
                    rows.contains(&format!("rows!({name} {{")),
                    "{}: {name} has no rows!() table in src/disposition/rows.rs",
                    f.rel
                );
            }
        }
    }
    assert!(enums >= 20, "only {enums} error enums found");
}

/// One library source file: its path below src/ (`v3/notify.rs`), its module path
/// (`v3::notify`) and its text. (The CLI is its own package, in cli/.)
struct SrcFile {
    rel: String,
    module: String,
    text: String,
}

fn library_sources() -> Vec<SrcFile> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut todo = vec![root.clone()];
    while let Some(p) = todo.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                todo.push(e.unwrap().path());
            }
            continue;
        }
        let rel = p
            .strip_prefix(&root)
            .unwrap()
            .to_str()
            .unwrap()
            .replace('\\', "/");
        if !rel.ends_with(".rs") {
            continue;
        }
        let module = rel
            .trim_end_matches(".rs")
            .trim_end_matches("/mod")
            .replace('/', "::");
        let text = std::fs::read_to_string(&p).unwrap();
        out.push(SrcFile { rel, module, text });
    }
    assert!(out.len() > 40, "only {} source files found", out.len());
    out
}

/// No two public types share a name across modules (`use` of two modules never clashes, and a
/// name in an error message or a doc means one thing).
#[test]
fn public_type_names_are_unique() {
    let mut seen: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for f in library_sources() {
        for line in f.text.lines() {
            let line = line.trim_start();
            for kind in ["pub struct ", "pub enum ", "pub trait ", "pub type "] {
                if let Some(rest) = line.strip_prefix(kind) {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    seen.entry(name).or_default().push(f.rel.clone());
                }
            }
        }
    }
    let clashes: Vec<_> = seen.iter().filter(|(_, files)| files.len() > 1).collect();
    assert!(
        clashes.is_empty(),
        "public type names declared more than once: {clashes:?}"
    );
}

/// Every public error enum and every settings struct that may grow is `#[non_exhaustive]`, so
/// that adding a variant or a setting is not a breaking change.
#[test]
fn errors_and_settings_are_non_exhaustive() {
    let settings = [
        "VerifyOptions",
        "XmlLimits",
        "Expect",
        "PayNotifyOptions",
        "RefundNotifyOptions",
        "Disposition",
        "Distrust",
        "Failure",
        "ErrorReply",
        "ErrorBody",
        "ErrorDetail",
    ];
    let mut missing = Vec::new();
    let mut checked = 0;
    for f in library_sources() {
        let src = &f.text;
        let lines: Vec<&str> = src.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim_start();
            let Some(rest) = t
                .strip_prefix("pub enum ")
                .or_else(|| t.strip_prefix("pub struct "))
            else {
                continue;
            };
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let is_error = name.ends_with("Error") && name != "ScriptedError";
            if !is_error && !settings.contains(&name.as_str()) {
                continue;
            }
            checked += 1;
            // The attributes and docs right above the item.
            let above = lines[..i]
                .iter()
                .rev()
                .take_while(|l| {
                    let l = l.trim_start();
                    l.starts_with("#[")
                        || l.starts_with("///")
                        || l.starts_with(')')
                        || l.starts_with('"')
                })
                .any(|l| l.contains("non_exhaustive"));
            if !above {
                missing.push(format!("{}: {name}", f.rel));
            }
        }
    }
    assert!(checked >= 25, "the scan found only {checked} items");
    assert!(missing.is_empty(), "not #[non_exhaustive]: {missing:?}");
}

/// Lower layers never import higher ones (ARCHITECTURE.md, "Module map"); `v2` and `v3` never
/// import each other. Code lines only: doc links may point anywhere.
#[test]
fn layering_holds() {
    // (module prefix, layer) — the longest matching prefix wins.
    const LAYERS: &[(&str, u8)] = &[
        ("time", 0),
        ("secret", 0),
        ("ids", 0),
        ("validate", 0),
        ("wire", 0),
        ("json", 0),
        ("error", 0),
        ("untrusted_text", 0),
        ("disposition", 0),
        // The in-crate test table of every error variant (cfg(test) only) uses every layer.
        ("disposition::rows", 6),
        ("request", 0),
        ("crypto", 1),
        ("keys", 2),
        ("cipher", 2),
        ("v2", 3),
        ("v3", 3),
        ("paysign", 3),
        ("merchant", 4),
        ("api", 5),
        ("rotation", 5),
        ("simulator", 6),
        ("os", 6),
        ("fuzzing", 6),
        ("lib", 6),
    ];
    let layer = |module: &str| {
        LAYERS
            .iter()
            .filter(|(p, _)| module == *p || module.starts_with(&format!("{p}::")))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, l)| *l)
    };
    let mut violations = Vec::new();
    let mut checked = 0;
    for f in library_sources() {
        let (rel, module, src) = (&f.rel, &f.module, &f.text);
        let Some(own) = layer(module) else {
            panic!("{rel}: no layer in the table")
        };
        // Unit tests (`#[cfg(test)] mod tests`) may use anything.
        let code = src.split("#[cfg(test)]\nmod tests").next().unwrap();
        for (n, line) in code.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with("//") {
                continue;
            }
            let mut rest = t;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                let target: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let target = target.trim_end_matches(':');
                let Some(theirs) = layer(target) else {
                    continue;
                };
                checked += 1;
                let cross = (module.starts_with("v2") && target.starts_with("v3"))
                    || (module.starts_with("v3") && target.starts_with("v2"));
                if theirs > own || cross {
                    violations.push(format!(
                        "{rel}:{}: {module} (layer {own}) uses crate::{target}",
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} crate:: paths seen");
    assert!(violations.is_empty(), "{violations:#?}");
}
