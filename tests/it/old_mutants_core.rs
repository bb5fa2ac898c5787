//! Tests added for mutation-testing survivors in the core modules (see FUZZING.md §4): each pins
//! a behaviour that no other integration test or KAT observed.

use wechatpay_sansio::secret::ApiV2Key;
use wechatpay_sansio::v2::{SignType, sign};

fn key() -> ApiV2Key {
    ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap()
}

#[test]
fn sign_type_wire_names_parse() {
    assert_eq!("MD5".parse::<SignType>(), Ok(SignType::Md5));
    assert_eq!("HMAC-SHA256".parse::<SignType>(), Ok(SignType::HmacSha256));
    assert!("md5".parse::<SignType>().is_err());
    assert!("HMAC_SHA256".parse::<SignType>().is_err());
}

#[test]
fn sign_display_is_the_hex() {
    let s = sign::sign(
        [("test1", "test1"), ("test2", "test2")],
        &key(),
        SignType::Md5,
    )
    .unwrap();
    assert_eq!(s.to_string(), "1E3A8D73B5A4AEE787C0F68B5DAB8520");
    assert_eq!(format!("{s}"), s.as_str());
}

#[cfg(feature = "simulator")]
#[test]
fn aes_gcm_empty_plaintext_is_exactly_a_tag() {
    use wechatpay_sansio::secret::ApiV3Key;
    use wechatpay_sansio::v3::resource::{self, EncryptedResource, ResourceError};
    let k = ApiV3Key::new(b"a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").unwrap();
    let r = EncryptedResource::encrypt(&k, "uluk4a9R25RW", "", "x", b"").unwrap();
    // 16 bytes of tag, nothing else: accepted and decrypts to nothing.
    assert_eq!(r.ciphertext.len(), 24);
    assert_eq!(&r.decrypt(&k).unwrap()[..], b"");
    // 15 bytes: shorter than a tag.
    assert_eq!(
        resource::decrypt(&k, "uluk4a9R25RW", b"", &r.ciphertext[..20]),
        Err(ResourceError::TagMismatch)
    );
}

#[test]
fn xml_size_limit_is_inclusive() {
    use wechatpay_sansio::v2::xml::{self, XmlError, XmlLimits};
    let body = b"<xml><a>1</a></xml>";
    let exact = XmlLimits::default()
        .with_max_bytes(body.len())
        .with_max_fields(1);
    assert!(xml::parse_with_limits(body, &exact).is_ok());
    let under = XmlLimits::default()
        .with_max_bytes(body.len() - 1)
        .with_max_fields(1);
    assert_eq!(
        xml::parse_with_limits(body, &under),
        Err(XmlError::TooLarge {
            len: body.len(),
            max: body.len() - 1
        })
    );
    let two = b"<xml><a>1</a><b>2</b></xml>";
    assert_eq!(
        xml::parse_with_limits(
            two,
            &XmlLimits::default().with_max_bytes(100).with_max_fields(1)
        ),
        Err(XmlError::TooManyFields { max: 1 })
    );
}

#[test]
fn xml_predefined_entities() {
    use wechatpay_sansio::v2::xml;
    let f = xml::parse(b"<xml><a>&quot;&apos;&amp;&lt;&gt;</a></xml>").unwrap();
    assert_eq!(f.get("a"), Some("\"'&<>"));
}

#[test]
fn timestamps_are_plain_digits() {
    use wechatpay_sansio::v3::auth::{Authorization, AuthorizationParseError};
    use wechatpay_sansio::v3::verify::{SignatureHeaders, VerifyError};
    let auth = |t: &str| {
        Authorization::parse(&format!(
            r#"WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="{t}",serial_no="A",signature="s""#
        ))
    };
    // u64::from_str accepts a leading '+'; the header grammar does not.
    assert_eq!(auth("+1"), Err(AuthorizationParseError::Timestamp));
    assert_eq!(auth(""), Err(AuthorizationParseError::Timestamp));
    let store = crate::common::store();
    let verifier = wechatpay_sansio::v3::verify::Verifier::new(&store);
    let verify = |t: &str| {
        let h = SignatureHeaders {
            timestamp: t,
            nonce: "n",
            signature: "AAAA",
            serial: "PUB_KEY_ID_0114232134912410000000000000",
        };
        verifier
            .verify_headers(&h, b"{}", crate::common::t(1_700_000_000))
            .map(|_| ())
    };
    // 20 digits that still fit in u64 are refused as malformed, not judged by skew.
    assert_eq!(
        verify("18446744073709551615"),
        Err(VerifyError::InvalidTimestamp)
    );
    assert_eq!(verify("+1700000000"), Err(VerifyError::InvalidTimestamp));
    assert_eq!(
        verify(""),
        Err(VerifyError::InvalidHeader("wechatpay-timestamp"))
    );
}

#[test]
fn short_fields_encrypt_with_both_paddings() {
    use base64::Engine as _;
    use wechatpay_sansio::cipher::{self, Padding};
    let pk = crate::common::merchant_key().public_key();
    let mut rng = crate::common::rng(11);
    for padding in [Padding::Oaep, Padding::Pkcs1v15] {
        for pt in [&b"x"[..], "张三".as_bytes(), &[0u8; 10][..]] {
            let ct = cipher::encrypt(&mut rng, &pk, padding, pt).unwrap();
            let raw = base64::engine::general_purpose::STANDARD
                .decode(ct)
                .unwrap();
            assert_eq!(raw.len(), 256, "{padding:?}");
        }
    }
}
