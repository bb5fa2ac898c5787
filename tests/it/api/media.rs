//! Media uploads (`api::media`, `v3::media`): the cross-check against the axios plugin's output
//! for wechatpay-java's test image (tests/data/VECTORS.md), every operation end to end through
//! the sandbox (success, WeChat Pay failures, a tampered reply, 429 / 500, a signature over the
//! body instead of the `meta`), the refusals at build, and the multipart body round-tripping
//! through the simulator's parser for any boundary and file name.

use crate::common::{NOW, data, merchant, rng, sim};
use proptest::prelude::*;
use wechatpay_sansio::api::media::{ImageUploadRequest, VideoUploadRequest, read_reply};
use wechatpay_sansio::api::{ApiError, Failure, Operation};
use wechatpay_sansio::error::{Classify, Disposition, Distrust, FieldError};
use wechatpay_sansio::ids::{MchId, Nonce};
use wechatpay_sansio::keys::{KeyId, MerchantPrivateKey};
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::simulator::media::parse_form_data;
use wechatpay_sansio::simulator::pay_v3::{PayFault, PayScript, SandboxEndpoint};
use wechatpay_sansio::simulator::v3::ScriptedError;
use wechatpay_sansio::simulator::{Script, Simulator};
use wechatpay_sansio::time::UnixTime;
use wechatpay_sansio::v3::auth::{Authorization, MerchantSigner};
use wechatpay_sansio::v3::canonical;
use wechatpay_sansio::v3::media::{self, Boundary, MediaKind, MultipartError};
use wechatpay_sansio::v3::request::{RawRequest, SignableBody};

/// What wechatpay-axios-plugin (lib/hash.js, lib/formatter.js, lib/rsa.js at f5bc863b) gives
/// for wechatpay-java's `test_image.jpg`; OpenSSL gives the same signature (VECTORS.md).
const XCHECK_META: &str = r#"{"filename":"test_image.jpg","sha256":"c8fd02a2839ae431622aaca33af2d9e670f28e8a9f61b4fa6e8bcbc8e06e8b75"}"#;
const XCHECK_SIGNATURE: &str = "YjMH5nQbmi4d3cwmXlQX57DlgndfPodBthx6AcUaXvllm9QdCS5lD0tbl7oe7aGgjZfAaJxF5etmUxxhKCcYhow7w29B6dU/Ba1oqH6qRwgRay8Pyq06ZDfrcQp7mBBeoJJPoZgW8N7FjrLdSjrpEZGikTkM1u53bVQhxPTPqxUxT45RqOdpiPMufpQ83SwTPR2chXmvIeOduJwf2AKx5fHR4fJUywl4qzo78D4lGXKEFcva/an4zn7UAMK3jT+APZ4azUzEB3371TFY9QzLYiih6ruc3tKWTiO20IPJjtrJH16gJMLm3Bs5lo3tT5tkt8TWo1GXhZtUOy/Dwi7BcA==";

#[test]
fn meta_and_signature_agree_with_the_axios_plugin() {
    let image = data("java_test_image.jpg");
    assert_eq!(image.len(), 4164);
    assert_eq!(media::meta("test_image.jpg", &image), XCHECK_META);
    let upload = ImageUploadRequest::new("test_image.jpg", image.clone());
    assert_eq!(upload.meta(), XCHECK_META);

    let ts = UnixTime::from_secs(1624523846);
    let nonce = Nonce::new("A1B2C3D4E5F6G7").unwrap();
    let message = canonical::request_message(
        "POST",
        "/v3/merchant/media/upload",
        ts,
        nonce.as_str(),
        XCHECK_META.as_bytes(),
    );
    assert_eq!(
        message,
        format!("POST\n/v3/merchant/media/upload\n1624523846\nA1B2C3D4E5F6G7\n{XCHECK_META}\n")
            .into_bytes()
    );

    // wechatpay-java's TEST merchant key, mchid and certificate serial.
    let signer = MerchantSigner::new(
        MchId::new("1234567891").unwrap(),
        KeyId::new("5F1C72E2A8931B72A2E13AF8DEE92471EB397115").unwrap(),
        MerchantPrivateKey::from_pem(data("java_merchant_private_key.pem")).unwrap(),
    );
    let boundary = Boundary::new("TESTONLYxcheck").unwrap();
    let body = media::form_data(
        &boundary,
        XCHECK_META,
        "test_image.jpg",
        "image/jpeg",
        &image,
    )
    .unwrap();
    let req = RawRequest::post(
        "https://api.mch.weixin.qq.com/v3/merchant/media/upload",
        body,
        &boundary.content_type(),
    )
    .signable(SignableBody::Precomputed(XCHECK_META.as_bytes()))
    .sign(&signer, &mut rng(1), ts, &nonce)
    .unwrap();
    let auth = Authorization::parse(req.headers()["authorization"].to_str().unwrap()).unwrap();
    assert_eq!(auth.signature, XCHECK_SIGNATURE);
    assert_eq!(
        (auth.mchid.as_str(), auth.nonce_str.as_str(), auth.timestamp),
        ("1234567891", "A1B2C3D4E5F6G7", ts)
    );
    // The same signer over the multipart body would be another signature: the meta is signed.
    assert_ne!(
        signer
            .authorization(
                &mut rng(1),
                "POST",
                "/v3/merchant/media/upload",
                ts,
                &nonce,
                req.body()
            )
            .unwrap()
            .signature,
        XCHECK_SIGNATURE
    );
    let parts =
        parse_form_data(req.headers()["content-type"].to_str().unwrap(), req.body()).unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(
        (parts[0].name.as_str(), &parts[0].data[..]),
        ("meta", XCHECK_META.as_bytes())
    );
    assert_eq!(parts[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(parts[1].name, "file");
    assert_eq!(parts[1].filename.as_deref(), Some("test_image.jpg"));
    assert_eq!(parts[1].content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(parts[1].data, image);
}

fn script(fault: Option<PayFault>) -> Script {
    Script {
        pay: PayScript { fault, only: None },
        ..Script::default()
    }
}

fn call<O: Operation>(
    s: &Simulator,
    req: &O,
    fault: Option<PayFault>,
) -> Result<O::Outcome, ApiError> {
    let m = merchant();
    let mut g = rng(7);
    let built = req.build(&m, &mut g, NOW)?;
    let reply = s.handle(&built.into_http(), NOW, &mut g, &script(fault));
    req.parse_reply(&m, ResponseRef::from_http(&reply), NOW)
}

fn jpeg() -> Vec<u8> {
    data("java_test_image.jpg")
}

#[test]
fn uploads_end_to_end() {
    let s = sim();
    let image = ImageUploadRequest::new("logo.JPG", jpeg());
    let out = call(&s, &image, None).unwrap();
    assert_eq!(
        out.media_id,
        format!("TESTONLY_image_{}", &media::sha256_hex(&jpeg())[..40])
    );
    let video = VideoUploadRequest::new("clip.mp4", b"\0\0\0\x18ftypmp42 TEST ONLY".to_vec());
    assert!(
        call(&s, &video, None)
            .unwrap()
            .media_id
            .starts_with("TESTONLY_video_")
    );
    // A file right at the limit.
    let max = ImageUploadRequest::new("max.bmp", vec![7; MediaKind::Image.max_bytes()]);
    assert!(call(&s, &max, None).is_ok());
    // Faults, through the sandbox's script, on the uploads only.
    let only_media = |fault| Script {
        pay: PayScript::fault(fault).on(SandboxEndpoint::MediaUpload),
        ..Script::default()
    };
    let m = merchant();
    let built = image.build(&m, &mut rng(3), NOW).unwrap().into_http();
    let reply = s.handle(
        &built,
        NOW,
        &mut rng(4),
        &only_media(PayFault::FrequencyLimited),
    );
    let e = image
        .parse_reply(&m, ResponseRef::from_http(&reply), NOW)
        .unwrap_err();
    assert_eq!(e.disposition(), Disposition::Transient);
    let e = call(&s, &video, Some(PayFault::SystemError)).unwrap_err();
    assert!(e.is_retryable(), "{e:?}");
    let e = call(
        &s,
        &video,
        Some(PayFault::Error(ScriptedError::new(
            403,
            "NO_AUTH",
            "商户无权限",
        ))),
    )
    .unwrap_err();
    assert!(
        matches!(e.failure(), Some(Failure::V3(r)) if r.code.as_str() == "NOAUTH"),
        "{e:?}"
    );
    assert!(
        matches!(e.failure(), Some(Failure::V3(r)) if r.endpoint == Some("/v3/merchant/media/video_upload"))
    );
}

#[test]
fn a_tampered_reply_is_refused() {
    let e = call(
        &sim(),
        &ImageUploadRequest::new("a.png", b"\x89PNG TEST ONLY".to_vec()),
        Some(PayFault::Tampered),
    )
    .unwrap_err();
    assert_eq!(e.disposition(), Disposition::Untrusted);
    assert_eq!(e.distrust(), Some(Distrust::Tampered));
    // A reply copied from a log reads the same.
    let s = sim();
    let reply = s.signed_v3_reply(
        &mut rng(2),
        http::StatusCode::OK,
        br#"{"media_id":""}"#.to_vec(),
        NOW,
    );
    assert_eq!(
        read_reply(&merchant(), ResponseRef::from_http(&reply), NOW),
        Err(ApiError::MissingField("media_id".into()))
    );
}

/// A file that does not match its `meta` (altered after the request was signed: the body is not
/// signed) is WeChat Pay's 400 `PARAM_ERROR`; a signature over the body instead of the `meta`
/// is 401 `SIGN_ERROR`.
#[test]
fn wechat_pay_checks_the_file_and_the_signature() {
    let s = sim();
    let m = merchant();
    let upload = ImageUploadRequest::new("a.jpg", jpeg());
    let built = upload.build(&m, &mut rng(5), NOW).unwrap();
    let mut http = built.into_http();
    let body = http.body_mut();
    let at = body.len() - 40;
    body[at] ^= 0x01; // a byte of the file part
    let reply = s.handle(&http, NOW, &mut rng(6), &Script::default());
    assert_eq!(reply.status(), 400);
    let e = upload
        .parse_reply(&m, ResponseRef::from_http(&reply), NOW)
        .unwrap_err();
    assert!(
        matches!(e.failure(), Some(Failure::V3(r)) if r.code.as_str() == "PARAM_ERROR"),
        "{e:?}"
    );
    assert_eq!(e.disposition(), Disposition::Rejected);

    // Signed over the multipart body, as a plain JSON request would be.
    let meta = media::meta("a.jpg", &jpeg());
    let boundary = Boundary::generate(&mut rng(8)).unwrap();
    let body = media::form_data(&boundary, &meta, "a.jpg", "image/jpeg", &jpeg()).unwrap();
    let wrong = RawRequest::post(
        "https://api.mch.weixin.qq.com/v3/merchant/media/upload",
        body,
        &boundary.content_type(),
    )
    .sign(
        m.signer().unwrap(),
        &mut rng(9),
        NOW,
        &Nonce::generate(&mut rng(10)).unwrap(),
    )
    .unwrap();
    let reply = s.handle(&wrong.into_http(), NOW, &mut rng(11), &Script::default());
    assert_eq!(reply.status(), 401);
    let e = upload
        .parse_reply(&m, ResponseRef::from_http(&reply), NOW)
        .unwrap_err();
    assert!(matches!(e.failure(), Some(Failure::V3(r)) if r.code.as_str() == "SIGN_ERROR"));

    // Not multipart at all: 400 before the signature.
    let mut garbled = upload.build(&m, &mut rng(12), NOW).unwrap().into_http();
    garbled.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("multipart/form-data; boundary=other"),
    );
    assert_eq!(
        s.handle(&garbled, NOW, &mut rng(13), &Script::default())
            .status(),
        400
    );
    // A video endpoint does not take an image's extension, even correctly signed.
    let mut as_video = upload.build(&m, &mut rng(14), NOW).unwrap().into_http();
    *as_video.uri_mut() = "https://api.mch.weixin.qq.com/v3/merchant/media/video_upload"
        .parse()
        .unwrap();
    assert_eq!(
        s.handle(&as_video, NOW, &mut rng(15), &Script::default())
            .status(),
        401
    );
}

#[test]
fn refused_at_build() {
    let m = merchant();
    let build = |r: &dyn Fn() -> Result<wechatpay_sansio::Request, ApiError>| r().unwrap_err();
    let e = build(&|| ImageUploadRequest::new("a.gif", vec![1]).build(&m, &mut rng(1), NOW));
    assert!(matches!(
        e,
        ApiError::Field(FieldError::NotInEnum {
            field: "filename",
            ..
        })
    ));
    let e = build(&|| ImageUploadRequest::new("a.jpg", vec![]).build(&m, &mut rng(1), NOW));
    assert_eq!(e, ApiError::Field(FieldError::Missing { field: "file" }));
    let e = build(&|| {
        ImageUploadRequest::new("a.jpg", vec![0; 2 * 1024 * 1024 + 1]).build(&m, &mut rng(1), NOW)
    });
    assert_eq!(
        e,
        ApiError::Field(FieldError::TooLarge {
            field: "file",
            max: 2 * 1024 * 1024,
            len: 2 * 1024 * 1024 + 1
        })
    );
    assert_eq!(e.disposition(), Disposition::Rejected);
    let e = build(&|| {
        VideoUploadRequest::new("a.mkv", vec![0; 5 * 1024 * 1024 + 1]).build(&m, &mut rng(1), NOW)
    });
    assert!(matches!(
        e,
        ApiError::Field(FieldError::TooLarge { max: 5_242_880, .. })
    ));
    for name in ["a\".jpg", "a\r\n.jpg", "", ".jpg\u{7f}"] {
        let e = build(&|| ImageUploadRequest::new(name, vec![1]).build(&m, &mut rng(1), NOW));
        assert!(matches!(e, ApiError::Field(_)), "{name:?}: {e:?}");
    }
    let long = format!("{}.jpg", "a".repeat(125));
    let e = build(&|| ImageUploadRequest::new(long.clone(), vec![1]).build(&m, &mut rng(1), NOW));
    assert!(matches!(e, ApiError::Field(FieldError::Length { .. })));
    // No signer: NotConfigured, after validation.
    let bare = wechatpay_sansio::Merchant::new("1900000109").unwrap();
    let e = ImageUploadRequest::new("a.jpg", vec![1])
        .build(&bare, &mut rng(1), NOW)
        .unwrap_err();
    assert_eq!(e.disposition(), Disposition::Misconfigured);
    // The Debug of a request shows the size, not the bytes.
    let shown = format!("{:?}", ImageUploadRequest::new("a.jpg", vec![0xAB; 3]));
    assert!(
        shown.contains("file_len: 3") && !shown.contains("171"),
        "{shown}"
    );
    assert_eq!(
        MultipartError::BoundaryInContent.disposition(),
        Disposition::Transient
    );
}

/// RFC 2046 boundary characters.
fn boundary() -> impl Strategy<Value = String> {
    "[0-9A-Za-z'()+_,./:=? -]{0,69}[0-9A-Za-z'()+_,./:=?-]"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any boundary and file name the builder accepts round-trip through the simulator's
    /// independent parser: the `meta`, the file name, the part types and the file bytes.
    #[test]
    fn form_data_round_trips_through_the_simulator_parser(
        b in boundary(),
        stem in "[^\"\\\\\\p{Cc}]{1,40}",
        ext in prop::sample::select(vec!["jpg", "PNG", "bmp"]),
        file in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let boundary = Boundary::new(b.clone()).unwrap();
        let filename = format!("{stem}.{ext}");
        let meta = media::meta(&filename, &file);
        let ct = MediaKind::Image.content_type(&filename).unwrap();
        match media::form_data(&boundary, &meta, &filename, ct, &file) {
            Err(MultipartError::BoundaryInContent) => {
                // Only when the delimiter really is in the content.
                let delimiter = format!("\n--{b}");
                let contains = |h: &[u8]| h.windows(delimiter.len()).any(|w| w == delimiter.as_bytes())
                    || h.starts_with(&delimiter.as_bytes()[1..]);
                prop_assert!(contains(meta.as_bytes()) || contains(&file));
            }
            Err(e) => prop_assert!(false, "{e:?}"),
            Ok(body) => {
                let parts = parse_form_data(&boundary.content_type(), &body).unwrap();
                prop_assert_eq!(parts.len(), 2);
                prop_assert_eq!(&parts[0].name, "meta");
                prop_assert_eq!(&parts[0].data, meta.as_bytes());
                prop_assert_eq!(parts[1].filename.as_deref(), Some(filename.as_str()));
                prop_assert_eq!(parts[1].content_type.as_deref(), Some(ct));
                prop_assert_eq!(&parts[1].data, &file);
            }
        }
    }
}
