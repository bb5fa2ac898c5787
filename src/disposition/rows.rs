//! Every variant of every public error type, one row each: an example and the disposition it
//! must have (the documented "what now?"). `rows!` writes an exhaustive `match` per type, with
//! no wildcard arm: a new variant without a row here does not compile. Each example must be the
//! variant of its row; each error must have its disposition, a reason exactly when it is
//! untrusted, a non-empty message, and a `Display` that does not repeat its `source()`. The
//! integration tests (`tests/it/surface.rs`) check more cases per variant through the public API.

use crate::api::bill::BillError;
use crate::api::{ApiError, NameAuthCode, Retcode};
use crate::cipher::CipherError;
use crate::error::{Classify, Disposition};
use crate::ids::IdError;
use crate::keys::KeyError;
use crate::paysign::PaySignError;
use crate::request::RequestError;
use crate::rotation::RotationError;
use crate::secret::SecretError;
use crate::time::UnixTime;
use crate::v2::notify::PayNotifyError;
use crate::v2::refund_notify::RefundNotifyError;
use crate::v2::reply::{ErrCode, ReplyError};
use crate::v2::request::V2RequestError;
use crate::v2::sign::SignError;
use crate::v2::xml::XmlError;
use crate::v3::auth::{AuthError, AuthorizationParseError};
use crate::v3::certificates::DownloadError;
use crate::v3::media::MultipartError;
use crate::v3::notify::NotifyError;
use crate::v3::request::V3RequestError;
use crate::v3::resource::ResourceError;
use crate::v3::response::{ErrorBody, ErrorBodyError, ErrorReply, ResponseError};
use crate::v3::verify::VerifyError;
use crate::validate::FieldError;
use std::error::Error as StdError;

fn check<E: Classify + StdError>(ty: &str, variant: &str, e: &E, want: Disposition) {
    assert_eq!(e.disposition(), want, "{ty}::{variant}: {e}");
    assert_eq!(
        e.distrust().is_some(),
        want == Disposition::Untrusted,
        "{ty}::{variant}: a reason exactly when untrusted"
    );
    let shown = e.to_string();
    assert!(!shown.is_empty(), "{ty}::{variant}: empty message");
    if let Some(source) = e.source() {
        let inner = source.to_string();
        assert!(
            !shown.contains(&inner),
            "{ty}::{variant}: Display {shown:?} also prints its source {inner:?}"
        );
    }
}

/// `rows!(Type { Variant => example, Disposition; … })`.
macro_rules! rows {
    ($ty:ident { $($variant:ident => $example:expr, $want:ident;)+ }) => {{
        fn variant(e: &$ty) -> &'static str {
            match e {
                $($ty::$variant { .. } => stringify!($variant),)+
            }
        }
        $({
            let e: $ty = $example;
            assert_eq!(variant(&e), stringify!($variant), "{}: the example is another variant", stringify!($ty));
            check(stringify!($ty), stringify!($variant), &e, Disposition::$want);
        })+
    }};
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

fn body() -> ErrorBodyError {
    ErrorBodyError::Json { line: 1, column: 1 }
}

fn unreadable(status: u16) -> ResponseError {
    ResponseError::UnreadableError {
        status,
        reason: body(),
    }
}

#[test]
fn every_variant_of_every_error_has_a_row() {
    rows!(FieldError {
        Missing => field(), Rejected;
        Length => FieldError::Length { field: "a", min: 1, max: 2, len: 3, }, Rejected;
        Charset => FieldError::Charset { field: "a", allowed: "b", }, Rejected;
        NotInEnum => FieldError::NotInEnum { field: "a", allowed: "b", }, Rejected;
        IdNumber => FieldError::IdNumber { field: "a" }, Rejected;
        LowercaseX => FieldError::LowercaseX { field: "a" }, Rejected;
        NoneOf => FieldError::NoneOf { fields: "a, b" }, Rejected;
        Amount => FieldError::Amount { field: "a", min: 1, max: 2 }, Rejected;
        Time => FieldError::Time { field: "a" }, Rejected;
        TooLarge => FieldError::TooLarge { field: "file", max: 1, len: 2 }, Rejected;
    });
    rows!(MultipartError {
        InvalidBoundary => MultipartError::InvalidBoundary, Misconfigured;
        BoundaryInContent => MultipartError::BoundaryInContent, Transient;
        HeaderText => MultipartError::HeaderText("filename"), Rejected;
        Rng => MultipartError::Rng, Transient;
    });
    rows!(IdError {
        Invalid => IdError::Invalid(field()), Misconfigured;
        Rng => IdError::Rng, Transient;
    });
    rows!(SecretError {
        ApiV2KeyLength => SecretError::ApiV2KeyLength(3), Misconfigured;
        ApiV2KeyCharset => SecretError::ApiV2KeyCharset, Misconfigured;
        ApiV3KeyLength => SecretError::ApiV3KeyLength(3), Misconfigured;
    });
    rows!(RequestError {
        InvalidUrl => RequestError::InvalidUrl, Misconfigured;
        InvalidHeaderValue => RequestError::InvalidHeaderValue("x"), Misconfigured;
    });
    rows!(CipherError {
        Empty => CipherError::Empty, Rejected;
        TooLong => CipherError::TooLong { len: 300, max: 214 }, Rejected;
        Rng => CipherError::Rng, Transient;
        Backend => CipherError::Backend, Misconfigured;
        Base64 => CipherError::Base64, Untrusted;
        CiphertextLength => CipherError::CiphertextLength { expected: 256, got: 3, }, Untrusted;
        Decrypt => CipherError::Decrypt, Untrusted;
        NotUtf8 => CipherError::NotUtf8, Untrusted;
    });
    rows!(SignError {
        InvalidFieldName => SignError::InvalidFieldName("a b".into()), Misconfigured;
        DuplicateField => SignError::DuplicateField("a".into()), Misconfigured;
        Missing => SignError::Missing, Untrusted;
        Malformed => SignError::Malformed { expected: 32 }, Untrusted;
        UnknownAlgorithm => SignError::UnknownAlgorithm(40), Untrusted;
        Mismatch => SignError::Mismatch, Untrusted;
    });
    rows!(XmlError {
        InvalidName => XmlError::InvalidName("1a".into()), Misconfigured;
        TooLarge => XmlError::TooLarge { len: 2, max: 1 }, Untrusted;
        TooManyFields => XmlError::TooManyFields { max: 1 }, Untrusted;
        InvalidUtf8 => XmlError::InvalidUtf8 { offset: 1 }, Untrusted;
        UnsupportedEncoding => XmlError::UnsupportedEncoding, Untrusted;
        Doctype => XmlError::Doctype, Untrusted;
        UnknownEntity => XmlError::UnknownEntity, Untrusted;
        IllegalCharacter => XmlError::IllegalCharacter { code: 0, place: "text".into(), }, Untrusted;
        Nested => XmlError::Nested("a".into()), Untrusted;
        Duplicate => XmlError::Duplicate("a".into()), Untrusted;
        UnexpectedContent => XmlError::UnexpectedContent, Untrusted;
        ProcessingInstruction => XmlError::ProcessingInstruction, Untrusted;
        Empty => XmlError::Empty, Untrusted;
        Truncated => XmlError::Truncated, Untrusted;
        Syntax => XmlError::Syntax { position: 3 }, Untrusted;
    });
    rows!(V2RequestError {
        SignPresent => V2RequestError::SignPresent, Misconfigured;
        SignTypeMismatch => V2RequestError::SignTypeMismatch, Misconfigured;
        Sign => V2RequestError::Sign(SignError::Mismatch), Misconfigured;
        Xml => V2RequestError::Xml(XmlError::Empty), Misconfigured;
        Request => V2RequestError::Request(RequestError::InvalidUrl), Misconfigured;
    });
    rows!(ReplyError {
        Xml => ReplyError::Xml(XmlError::Doctype), Untrusted;
        MissingReturnCode => ReplyError::MissingReturnCode, Untrusted;
        ReturnFail => ret("签名错误"), Misconfigured;
        BusinessFail => business("SYSTEMERROR"), Transient;
        MissingResultCode => ReplyError::MissingResultCode, Untrusted;
        Sign => ReplyError::Sign(SignError::Mismatch), Untrusted;
        PossibleFold => ReplyError::PossibleFold { field: "a".into() }, Untrusted;
        MissingField => ReplyError::MissingField("openid".into()), Untrusted;
        Mismatch => ReplyError::Mismatch("openid".into()), Untrusted;
    });
    rows!(PayNotifyError {
        Reply => PayNotifyError::Reply(ReplyError::Sign(SignError::Mismatch)), Untrusted;
        SignType => PayNotifyError::SignType(field()), Untrusted;
        WrongSignType => PayNotifyError::WrongSignType { configured: crate::v2::SignType::HmacSha256, }, Untrusted;
        InvalidField => PayNotifyError::InvalidField("total_fee"), Untrusted;
        PaymentFailed => PayNotifyError::PaymentFailed { err_code: Some(ErrCode::from_wire("ORDERPAID")), err_code_des: None, }, Rejected;
        RefundNotification => PayNotifyError::RefundNotification, Misconfigured;
    });
    rows!(RefundNotifyError {
        Xml => RefundNotifyError::Xml(XmlError::Doctype), Untrusted;
        MissingReturnCode => RefundNotifyError::MissingReturnCode, Untrusted;
        ReturnFail => RefundNotifyError::ReturnFail { return_code: "FAIL".into(), return_msg: Some("x".into()), }, Untrusted;
        MissingField => RefundNotifyError::MissingField("req_info"), Untrusted;
        Base64 => RefundNotifyError::Base64, Untrusted;
        CiphertextLength => RefundNotifyError::CiphertextLength(3), Untrusted;
        Padding => RefundNotifyError::Padding, Untrusted;
        ReqInfo => RefundNotifyError::ReqInfo(XmlError::Empty), Untrusted;
        InvalidField => RefundNotifyError::InvalidField("refund_fee"), Untrusted;
        Mismatch => RefundNotifyError::Mismatch("mch_id"), Untrusted;
    });
    rows!(AuthError {
        InvalidPathAndQuery => AuthError::InvalidPathAndQuery, Misconfigured;
        Rng => AuthError::Rng, Transient;
        Backend => AuthError::Backend, Misconfigured;
    });
    rows!(V3RequestError {
        Auth => V3RequestError::Auth(AuthError::Rng), Transient;
        Request => V3RequestError::Request(RequestError::InvalidUrl), Misconfigured;
    });
    rows!(ResourceError {
        UnsupportedAlgorithm => ResourceError::UnsupportedAlgorithm("X".into()), Misconfigured;
        NonceLength => ResourceError::NonceLength(3), Untrusted;
        Base64 => ResourceError::Base64, Untrusted;
        TagMismatch => ResourceError::TagMismatch, Misconfigured;
    });
    rows!(ErrorBodyError {
        TooLarge => ErrorBodyError::TooLarge(1 << 20), Untrusted;
        Json => ErrorBodyError::Json { line: 1, column: 1 }, Untrusted;
    });
    rows!(ResponseError {
        Failure => ResponseError::Failure(Box::new(v3_failure(500, "SYSTEMERROR"))), Transient;
        UnreadableError => unreadable(502), Transient;
        Verify => ResponseError::Verify(VerifyError::BadSignature), Untrusted;
    });
    rows!(NotifyError {
        Verify => NotifyError::Verify(VerifyError::SignatureProbe), Untrusted;
        TooLarge => NotifyError::TooLarge(1 << 20), Untrusted;
        Json => NotifyError::Json { line: 1, column: 1 }, Untrusted;
        Resource => NotifyError::Resource(ResourceError::TagMismatch), Misconfigured;
    });
    rows!(DownloadError {
        Json => DownloadError::Json, Untrusted;
        Resource => DownloadError::Resource(ResourceError::TagMismatch), Misconfigured;
        UnverifiedResource => DownloadError::UnverifiedResource(ResourceError::TagMismatch), Untrusted;
        Certificate => DownloadError::Certificate(KeyError::Certificate), Untrusted;
        SerialMismatch => DownloadError::SerialMismatch("01".into()), Untrusted;
        Response => DownloadError::Response(ResponseError::Failure(Box::new(v3_failure( 500, "SYSTEMERROR", )))), Transient;
    });
    rows!(ApiError {
        Field => ApiError::Field(field()), Rejected;
        NotConfigured => ApiError::NotConfigured(crate::merchant::NotConfigured("APIv2 key")), Misconfigured;
        NoEncryptionKey => ApiError::NoEncryptionKey("x"), Misconfigured;
        Rng => ApiError::Rng, Transient;
        Encrypt => ApiError::Encrypt { field: "cred_id", source: CipherError::TooLong { len: 300, max: 214 }, }, Rejected;
        V2Request => ApiError::V2Request(V2RequestError::SignPresent), Misconfigured;
        V3Request => ApiError::V3Request(V3RequestError::Auth(AuthError::Backend)), Misconfigured;
        Notify => ApiError::Notify(crate::v3::notify::NotifyError::TooLarge(2_000_000)), Untrusted;
        PaySign => ApiError::PaySign(crate::paysign::PaySignError::Field(field())), Rejected;
        Multipart => ApiError::Multipart(MultipartError::BoundaryInContent), Transient;
        Download => ApiError::Download(DownloadError::SerialMismatch("01".into())), Untrusted;
        OAuth => ApiError::OAuth { retcode: Retcode::CodeNotFound, retmsg: "code not found".into() }, Rejected;
        NameAuth => ApiError::NameAuth(NameAuthCode::IpNotAuthorized), Misconfigured;
        HttpStatus => ApiError::HttpStatus(503), Transient;
        V2Reply => ApiError::V2Reply(ReplyError::Xml(XmlError::Doctype)), Untrusted;
        MissingField => ApiError::MissingField("openid".into()), Untrusted;
        Mismatch => ApiError::Mismatch("openid".into()), Untrusted;
        InvalidField => ApiError::InvalidField("expires_in"), Untrusted;
        RecordCount => ApiError::RecordCount { field: "refund_count", declared: 2, present: 1 }, Untrusted;
        V3Reply => ApiError::V3Reply(ResponseError::Verify(VerifyError::BadSignature)), Untrusted;
        Key => ApiError::Key(KeyError::NotRsa), Untrusted;
        Json => ApiError::Json { line: 1, column: 2 }, Untrusted;
        NotJson => ApiError::NotJson, Untrusted;
        TooLarge => ApiError::TooLarge { len: 2, max: 1 }, Untrusted;
    });
    rows!(BillError {
        UnsupportedHashType => BillError::UnsupportedHashType("SM3".into()), Misconfigured;
        HashValue => BillError::HashValue, Untrusted;
        Mismatch => BillError::Mismatch, Untrusted;
        Gzip => BillError::Gzip, Untrusted;
        Decrypt => BillError::Decrypt, Untrusted;
        EncryptKey => BillError::EncryptKey(CipherError::Decrypt), Misconfigured;
        KeyLength => BillError::KeyLength(16), Untrusted;
        Nonce => BillError::Nonce, Untrusted;
        TooLarge => BillError::TooLarge { limit: 1 }, Untrusted;
        Output => BillError::Output(std::io::ErrorKind::StorageFull), Transient;
        Read => BillError::Read(std::io::ErrorKind::UnexpectedEof), Transient;
        Format => BillError::Format { line: 3, reason: "x" }, Untrusted;
    });
    rows!(RotationError {
        Build => RotationError::Build { source: ApiError::NotConfigured(crate::merchant::NotConfigured("APIv3 key")), retry_at: UnixTime::from_secs(60) }, Misconfigured;
        Download => RotationError::Download { source: ApiError::V3Reply(ResponseError::Verify(VerifyError::BadSignature)), retry_at: UnixTime::from_secs(60) }, Untrusted;
        NoReply => RotationError::NoReply { retry_at: UnixTime::from_secs(60) }, Transient;
    });
    rows!(PaySignError {
        Field => crate::paysign::PaySignError::from(field()), Rejected;
        Auth => crate::paysign::PaySignError::from(AuthError::Rng), Transient;
        Sign => crate::paysign::PaySignError::from(SignError::Mismatch), Untrusted;
    });
    rows!(KeyError {
        Pem => KeyError::Pem, Misconfigured;
        UnexpectedPemLabel => KeyError::UnexpectedPemLabel { expected: "A", found: "B".into(), }, Misconfigured;
        EncryptedPrivateKey => KeyError::EncryptedPrivateKey, Misconfigured;
        Der => KeyError::Der { what: "x" }, Misconfigured;
        NotRsa => KeyError::NotRsa, Misconfigured;
        KeySize => KeyError::KeySize { bits: 1024, expected: 2048, }, Misconfigured;
        InvalidKeyId => KeyError::InvalidKeyId, Misconfigured;
        Certificate => KeyError::Certificate, Misconfigured;
        InvalidMchId => KeyError::InvalidMchId, Misconfigured;
        KeyMismatch => KeyError::KeyMismatch, Misconfigured;
    });
    rows!(AuthorizationParseError {
        Scheme => AuthorizationParseError::Scheme, Untrusted;
        Malformed => AuthorizationParseError::Malformed, Untrusted;
        Missing => AuthorizationParseError::Missing("nonce_str"), Untrusted;
        Duplicate => AuthorizationParseError::Duplicate("nonce_str"), Untrusted;
        Unknown => AuthorizationParseError::Unknown, Untrusted;
        Timestamp => AuthorizationParseError::Timestamp, Untrusted;
    });
    rows!(VerifyError {
        MissingHeader => VerifyError::MissingHeader("wechatpay-nonce"), Untrusted;
        DuplicateHeader => VerifyError::DuplicateHeader("wechatpay-nonce"), Untrusted;
        InvalidHeader => VerifyError::InvalidHeader("wechatpay-nonce"), Untrusted;
        UnsupportedSignatureType => VerifyError::UnsupportedSignatureType, Untrusted;
        SignatureProbe => VerifyError::SignatureProbe, Untrusted;
        InvalidTimestamp => VerifyError::InvalidTimestamp, Untrusted;
        StaleTimestamp => VerifyError::StaleTimestamp { skew: 301, max_skew: 300, }, Untrusted;
        UnknownKey => VerifyError::UnknownKey("01".into()), Untrusted;
        KeyNotValidAt => VerifyError::KeyNotValidAt { id: "01".into(), now: UnixTime::from_secs(3), not_before: UnixTime::from_secs(1), not_after: UnixTime::from_secs(2), }, Untrusted;
        SignatureEncoding => VerifyError::SignatureEncoding, Untrusted;
        SignatureLength => VerifyError::SignatureLength { expected: 256, got: 3, }, Untrusted;
        BadSignature => VerifyError::BadSignature, Untrusted;
    });
}

/// The simulator's own error (feature `simulator`): the test's action does not fit the sandbox.
#[cfg(feature = "simulator")]
#[test]
fn every_variant_of_the_sandbox_error_has_a_row() {
    use crate::simulator::sandbox::SandboxError;
    rows!(SandboxError {
        UnknownOrder => SandboxError::UnknownOrder("T1".into()), Rejected;
        UnknownRefund => SandboxError::UnknownRefund("R1".into()), Rejected;
        NotPayable => SandboxError::NotPayable { out_trade_no: "T1".into(), state: "CLOSED" }, Rejected;
        NotPaid => SandboxError::NotPaid("T1".into()), Rejected;
        RefundEnded => SandboxError::RefundEnded { out_refund_no: "R1".into(), status: "SUCCESS" }, Rejected;
        RefundProcessing => SandboxError::RefundProcessing("R1".into()), Rejected;
        Rng => SandboxError::Rng, Transient;
    });
}

/// The v2 sandbox's errors (feature `simulator`).
#[cfg(feature = "simulator")]
#[test]
fn every_variant_of_the_v2_sandbox_error_has_a_row() {
    use crate::simulator::pay_v2::V2SandboxError;
    rows!(V2SandboxError {
        NoSuchOrder => V2SandboxError::NoSuchOrder, Rejected;
        NoSuchRefund => V2SandboxError::NoSuchRefund, Rejected;
        NotPayable => V2SandboxError::NotPayable { trade_state: "CLOSED" }, Rejected;
        RefundSettled => V2SandboxError::RefundSettled, Rejected;
        Build => V2SandboxError::Build, Rejected;
        Rng => V2SandboxError::Rng, Transient;
    });
}
