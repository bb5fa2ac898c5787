//! Hostile-input catalogue: each input is refused with the exact error expected, within a time
//! bound (and, where sizes matter, before any allocation proportional to the input).
//!
//! JSONP inputs (`nameautheasy` replies) are covered at the end (`jsonp_with_junk_around_it`).
//! Replies that are valid bytes but lie about their meaning (folded v2 fields, C0 controls from
//! real WeChat bytes, control characters in signature headers, expired certificates) are in
//! `trust_boundary.rs`.

use crate::common::{data, merchant_key, rng, store, t};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use wechatpay_sansio::cipher::{self, CipherError};
use wechatpay_sansio::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use wechatpay_sansio::ids::{IdError, MchId, Nonce};
use wechatpay_sansio::keys::{KeyError, KeyId, MerchantPrivateKey, PlatformCertificate, PublicKey};
use wechatpay_sansio::request::{RequestError, ResponseRef};
use wechatpay_sansio::secret::{ApiV2Key, ApiV3Key};
use wechatpay_sansio::v2::reply::{Expect, ReplyError, parse_and_check};
use wechatpay_sansio::v2::request::{V2RequestError, get_signed, post_xml};
use wechatpay_sansio::v2::xml::{self, XmlError, XmlLimits};
use wechatpay_sansio::v2::{SignError, SignType, sign};
use wechatpay_sansio::v3::auth::{Authorization, AuthorizationParseError, MerchantSigner};
use wechatpay_sansio::v3::notify::{self, NotifyError};
use wechatpay_sansio::v3::request::{JsonRequest, V3RequestError};
use wechatpay_sansio::v3::resource::{self, EncryptedResource, ResourceError};
use wechatpay_sansio::v3::response::{self, ErrorBody, ErrorBodyError, ResponseError};
use wechatpay_sansio::v3::verify::{Verifier, VerifyError, VerifyOptions};
use wechatpay_sansio::validate::FieldError;

const MB10: usize = 10 * 1024 * 1024;
const NOW: u64 = 1_700_000_000;

/// Run `f`: the hostile input under test. (How fast each is refused is measured in
/// `benches/hostile.rs`, not asserted here.)
fn hostile<T>(f: impl FnOnce() -> T) -> T {
    f()
}

fn v2_key() -> ApiV2Key {
    ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap()
}

fn v3_key() -> ApiV3Key {
    ApiV3Key::new(b"a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").unwrap()
}

fn signer() -> MerchantSigner {
    MerchantSigner::new(
        MchId::new("1900000109").unwrap(),
        KeyId::new("3C3BBC2B9F5BF4F2").unwrap(),
        merchant_key(),
    )
}

/// Headers and body of a reply signed by the TEST ONLY platform key over `body` at `ts`.
fn signed(body: &[u8], ts: &str, nonce: &str) -> HeaderMap {
    let key = crate::common::platform_private_key();
    let s = MerchantSigner::new(MchId::new("1").unwrap(), KeyId::new("1").unwrap(), key);
    let mut msg = Vec::new();
    for p in [ts.as_bytes(), nonce.as_bytes(), body] {
        msg.extend_from_slice(p);
        msg.push(b'\n');
    }
    let sig = s.sign(&mut rng(1), &msg).unwrap();
    let mut h = HeaderMap::new();
    h.insert("wechatpay-timestamp", HeaderValue::from_str(ts).unwrap());
    h.insert("wechatpay-nonce", HeaderValue::from_str(nonce).unwrap());
    h.insert(
        "wechatpay-serial",
        HeaderValue::from_str(crate::common::platform_cert().serial().as_str()).unwrap(),
    );
    h.insert("wechatpay-signature", HeaderValue::from_str(&sig).unwrap());
    h
}

fn ts() -> String {
    NOW.to_string()
}

// ---------------------------------------------------------------- XML

#[test]
fn xxe_system_entity_is_refused() {
    let body = br#"<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><return_code>&xxe;</return_code></xml>"#;
    assert_eq!(hostile(|| xml::parse(body)), Err(XmlError::Doctype));
    assert_eq!(
        parse_and_check(body, &v2_key(), &Expect::unsigned(), &XmlLimits::default()),
        Err(ReplyError::Xml(XmlError::Doctype))
    );
    // Without a DOCTYPE the undeclared entity is an unknown entity, never a file read.
    assert_eq!(
        xml::parse(b"<xml><a>&xxe;</a></xml>"),
        Err(XmlError::UnknownEntity)
    );
}

#[test]
fn billion_laughs_is_refused() {
    let mut doc = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        doc.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
    }
    doc.push_str("]><xml><a>&lol9;</a></xml>");
    assert_eq!(
        hostile(|| xml::parse(doc.as_bytes())),
        Err(XmlError::Doctype)
    );
}

#[test]
fn ten_megabyte_xml_is_refused_before_parsing() {
    let mut body = b"<xml><a>".to_vec();
    body.resize(MB10, b'x');
    body.extend_from_slice(b"</a></xml>");
    let len = body.len();
    assert_eq!(
        hostile(|| xml::parse(&body)),
        Err(XmlError::TooLarge {
            len,
            max: 256 * 1024
        })
    );
    assert_eq!(
        parse_and_check(&body, &v2_key(), &Expect::unsigned(), &XmlLimits::default()),
        Err(ReplyError::Xml(XmlError::TooLarge {
            len,
            max: 256 * 1024
        }))
    );
}

#[test]
fn deep_xml_nesting_is_refused() {
    let body = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
    assert_eq!(
        hostile(|| xml::parse(body.as_bytes())),
        Err(XmlError::Nested("a".into()))
    );
    // Unclosed nesting too.
    let body = "<a>".repeat(10_000);
    assert_eq!(
        xml::parse(body.as_bytes()),
        Err(XmlError::Nested("a".into()))
    );
}

#[test]
fn invalid_utf8_nul_and_controls() {
    assert_eq!(
        xml::parse(b"<xml><a>\xff\xfe</a></xml>"),
        Err(XmlError::InvalidUtf8 { offset: 8 })
    );
    assert_eq!(
        xml::parse(b"<xml><a>x\0y</a></xml>"),
        Err(XmlError::IllegalCharacter {
            code: 0,
            place: "a".into()
        })
    );
    // Other C0 controls inside text are kept (real WeChat replies carry them, e.g. U+0010;
    // the sign covers the raw value), raw or as references; NUL, U+FFFE, U+FFFF are refused.
    assert_eq!(
        xml::parse(b"<xml><a>\x1b[31m</a></xml>").unwrap().get("a"),
        Some("\u{1b}[31m")
    );
    assert!(matches!(
        xml::parse("<xml><a>\u{FFFF}</a></xml>".as_bytes()),
        Err(XmlError::IllegalCharacter { code: 0xFFFF, .. })
    ));
    // In markup (a name) a control character is still refused.
    assert!(xml::parse(b"<xml><a\x10b>1</a\x10b></xml>").is_err());
    // NUL via a character reference is refused just the same.
    assert_eq!(
        xml::parse(b"<xml><a>&#0;</a></xml>"),
        Err(XmlError::UnknownEntity)
    );
    assert_eq!(
        xml::parse(b"<xml><a>&#x1;</a></xml>").unwrap().get("a"),
        Some("\u{1}")
    );
    // An unpaired surrogate as a reference.
    assert_eq!(
        xml::parse(b"<xml><a>&#xDFFF;</a></xml>"),
        Err(XmlError::UnknownEntity)
    );
    // And when building a request, every control character is refused.
    assert_eq!(
        xml::to_xml([("a", "x\0")]),
        Err(XmlError::IllegalCharacter {
            code: 0,
            place: "a".into()
        })
    );
    assert_eq!(
        post_xml(
            "https://api.mch.weixin.qq.com/x",
            &[("a", "\u{7}")],
            &v2_key(),
            SignType::Md5,
            false
        )
        .unwrap_err(),
        V2RequestError::Xml(XmlError::IllegalCharacter {
            code: 7,
            place: "a".into()
        })
    );
}

#[test]
fn duplicate_xml_names_are_refused() {
    // Signature confusion: two signs, two return codes.
    assert_eq!(
        xml::parse(b"<xml><sign>A</sign><a>1</a><sign>B</sign></xml>"),
        Err(XmlError::Duplicate("sign".into()))
    );
    assert_eq!(
        xml::parse(b"<xml><return_code>FAIL</return_code><return_code>SUCCESS</return_code></xml>"),
        Err(XmlError::Duplicate("return_code".into()))
    );
    // Empty-element form counts too.
    assert_eq!(
        xml::parse(b"<xml><a/><a>1</a></xml>"),
        Err(XmlError::Duplicate("a".into()))
    );
    assert_eq!(
        xml::to_xml([("a", "1"), ("a", "2")]),
        Err(XmlError::Duplicate("a".into()))
    );
}

#[test]
fn xml_metacharacters_in_every_request_field_stay_text() {
    let evil = "</x><sign>0</sign><![CDATA[]]>&amp;\"'\r\n";
    let names = ["appid", "body", "mch_id", "nonce_str", "out_trade_no", "zz"];
    let params: Vec<(&str, &str)> = names.iter().map(|n| (*n, evil)).collect();
    let req = post_xml(
        "https://api.mch.weixin.qq.com/pay/orderquery",
        &params,
        &v2_key(),
        SignType::HmacSha256,
        false,
    )
    .unwrap();
    let body = std::str::from_utf8(req.body()).unwrap();
    assert!(!body.contains("<![CDATA["));
    assert_eq!(body.matches("<sign>").count(), 1);
    let f = xml::parse(req.body()).unwrap();
    assert_eq!(f.len(), names.len() + 2); // + sign_type + sign
    for n in names {
        assert_eq!(f.get(n), Some(evil), "{n}");
    }
    assert_eq!(
        sign::verify_fields(&f, &v2_key(), Some(SignType::HmacSha256)),
        Ok(SignType::HmacSha256)
    );
    // Invalid names never become markup.
    assert_eq!(
        xml::to_xml([("a><b", "1")]),
        Err(XmlError::InvalidName("a><b".into()))
    );
}

// ---------------------------------------------------------------- JSON

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
            t(NOW)
        )
        .unwrap_err(),
        ResponseError::UnreadableError {
            status: 400,
            reason: ErrorBodyError::TooLarge(len)
        }
    );
    // A notification is refused on size before the RSA verification.
    let h = signed(&body, &ts(), "n");
    assert_eq!(
        hostile(|| notify::parse(&h, &body, &Verifier::new(&store()), &v3_key(), t(NOW)))
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
    let h = signed(deep.as_bytes(), &ts(), "n");
    assert_eq!(
        notify::parse(
            &h,
            deep.as_bytes(),
            &Verifier::new(&store()),
            &v3_key(),
            t(NOW)
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

// ---------------------------------------------------------------- v3 headers

#[test]
fn wechatpay_timestamp_not_a_number_or_overflowing() {
    let body = b"{}";
    let cases: [(&str, VerifyError); 7] = [
        ("abc", VerifyError::InvalidTimestamp),
        ("", VerifyError::InvalidHeader("wechatpay-timestamp")),
        ("-1", VerifyError::InvalidTimestamp),
        ("+1700000000", VerifyError::InvalidTimestamp),
        ("1.7e9", VerifyError::InvalidTimestamp),
        ("18446744073709551616", VerifyError::InvalidTimestamp), // u64::MAX + 1
        (
            "9999999999999999999", // fits in u64: far in the future
            VerifyError::StaleTimestamp {
                skew: 9_999_999_999_999_999_999 - NOW,
                max_skew: 300,
            },
        ),
    ];
    for (t, want) in cases {
        let mut h = signed(body, &ts(), "n");
        h.insert("wechatpay-timestamp", HeaderValue::from_str(t).unwrap());
        assert_eq!(
            crate::common::verify(&h, body, &store(), NOW, &VerifyOptions::default()),
            Err(want),
            "{t:?}"
        );
    }
    // Authorization timestamps likewise.
    let auth = |t: &str| {
        Authorization::parse(&format!(
            r#"WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="{t}",serial_no="A",signature="s""#
        ))
    };
    assert_eq!(
        auth("99999999999999999999"),
        Err(AuthorizationParseError::Timestamp)
    );
    assert_eq!(
        auth("123456789012345678901"),
        Err(AuthorizationParseError::Timestamp)
    );
    assert_eq!(auth("12a"), Err(AuthorizationParseError::Timestamp));
    assert_eq!(auth("18446744073709551615").unwrap().timestamp, t(u64::MAX));
}

#[test]
fn headers_repeated_or_in_odd_case() {
    let body = b"{}";
    let good = signed(body, &ts(), "n");
    let st = store();
    let o = VerifyOptions::default();
    // Names arrive in any case: HeaderMap normalises them, and the signature verifies.
    let mut odd = HeaderMap::new();
    for (n, v) in &good {
        let upper = n.as_str().to_ascii_uppercase();
        odd.insert(HeaderName::from_bytes(upper.as_bytes()).unwrap(), v.clone());
    }
    assert!(crate::common::verify(&odd, body, &st, NOW, &o).is_ok());
    for name in [
        "wechatpay-timestamp",
        "wechatpay-nonce",
        "wechatpay-signature",
        "wechatpay-serial",
        "wechatpay-signature-type",
    ] {
        let mut h = good.clone();
        let v = h
            .get(name)
            .cloned()
            .unwrap_or(HeaderValue::from_static("WECHATPAY2-SHA256-RSA2048"));
        h.append(name, v.clone());
        h.append(name, v);
        assert_eq!(
            crate::common::verify(&h, body, &st, NOW, &o),
            Err(VerifyError::DuplicateHeader(name)),
            "{name}"
        );
        let mut h = good.clone();
        h.remove(name);
        if name != "wechatpay-signature-type" {
            assert_eq!(
                crate::common::verify(&h, body, &st, NOW, &o),
                Err(VerifyError::MissingHeader(name))
            );
        }
    }
    let mut h = good.clone();
    h.insert(
        "wechatpay-signature-type",
        HeaderValue::from_static("WECHATPAY2-SM2-WITH-SM3"),
    );
    assert_eq!(
        crate::common::verify(&h, body, &st, NOW, &o),
        Err(VerifyError::UnsupportedSignatureType)
    );
    let mut h = good.clone();
    h.insert(
        "wechatpay-nonce",
        HeaderValue::from_bytes(b"\xe4\xb8\xad").unwrap(),
    );
    assert_eq!(
        crate::common::verify(&h, body, &st, NOW, &o),
        Err(VerifyError::InvalidHeader("wechatpay-nonce"))
    );
}

#[test]
fn bad_signatures() {
    let body = b"{}";
    let st = store();
    let o = VerifyOptions::default();
    let with_sig = |sig: &str| {
        let mut h = signed(body, &ts(), "n");
        h.insert("wechatpay-signature", HeaderValue::from_str(sig).unwrap());
        crate::common::verify(&h, body, &st, NOW, &o)
    };
    let good = signed(body, &ts(), "n");
    let sig = good["wechatpay-signature"].to_str().unwrap().to_owned();
    // Truncated base64 (padding cut), bad characters, URL-safe alphabet.
    assert_eq!(
        with_sig(&sig[..sig.len() - 1]),
        Err(VerifyError::SignatureEncoding)
    );
    assert_eq!(
        with_sig(&sig[..sig.len() - 4]),
        Err(VerifyError::SignatureLength {
            expected: 256,
            got: 255
        })
    );
    assert_eq!(with_sig("!!!!"), Err(VerifyError::SignatureEncoding));
    let url_safe = format!("-_{}", &sig[2..]);
    assert_eq!(with_sig(&url_safe), Err(VerifyError::SignatureEncoding));
    // Wrong length: 255 and 512 bytes.
    assert_eq!(
        with_sig(&STANDARD.encode([1u8; 255])),
        Err(VerifyError::SignatureLength {
            expected: 256,
            got: 255
        })
    );
    assert_eq!(
        with_sig(&STANDARD.encode([1u8; 512])),
        Err(VerifyError::SignatureLength {
            expected: 256,
            got: 512
        })
    );
    // Right length, wrong bytes; and the SIGNTEST probe.
    assert_eq!(
        with_sig(&STANDARD.encode([1u8; 256])),
        Err(VerifyError::BadSignature)
    );
    assert_eq!(
        with_sig("WECHATPAY/SIGNTEST/AAAA"),
        Err(VerifyError::SignatureProbe)
    );
    // v2: wrong length, non-hex.
    let p = [("a", "1")];
    assert_eq!(
        sign::verify(p, &v2_key(), SignType::HmacSha256, &"A".repeat(63)),
        Err(SignError::Malformed { expected: 64 })
    );
    assert_eq!(
        sign::verify(
            p,
            &v2_key(),
            SignType::Md5,
            "G1234567890123456789012345678901"
        ),
        Err(SignError::Malformed { expected: 32 })
    );
}

#[test]
fn bad_ciphertexts() {
    let k = v3_key();
    // AES-GCM: bad base64, truncated base64, shorter than a tag, altered.
    assert_eq!(
        resource::decrypt(&k, "uluk4a9R25RW", b"", "***"),
        Err(ResourceError::Base64)
    );
    assert_eq!(
        resource::decrypt(
            &k,
            "uluk4a9R25RW",
            b"associatedData",
            "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI"
        ),
        Err(ResourceError::Base64)
    );
    assert_eq!(
        resource::decrypt(&k, "uluk4a9R25RW", b"", "AAAA"),
        Err(ResourceError::TagMismatch)
    );
    assert_eq!(
        resource::decrypt(&k, "uluk4a9R25RW", b"", ""),
        Err(ResourceError::TagMismatch)
    );
    assert_eq!(
        resource::decrypt(&k, "uluk4a9R25R", b"", "AAAA"),
        Err(ResourceError::NonceLength(11))
    );
    let r = EncryptedResource {
        algorithm: "AEAD_AES_256_GCM\r\nX".into(),
        ciphertext: String::new(),
        associated_data: None,
        nonce: String::new(),
        original_type: None,
    };
    assert_eq!(
        r.decrypt(&k),
        Err(ResourceError::UnsupportedAlgorithm(
            "AEAD_AES_256_GCM\r\nX".into()
        ))
    );
    // RSA fields.
    let key = merchant_key();
    let mut g = rng(3);
    assert_eq!(
        cipher::decrypt_oaep(&mut g, &key, "@@@@").unwrap_err(),
        CipherError::Base64
    );
    assert_eq!(
        cipher::decrypt_oaep(&mut g, &key, &STANDARD.encode([7u8; 256])[..341]).unwrap_err(),
        CipherError::Base64
    );
    assert_eq!(
        cipher::decrypt_oaep(&mut g, &key, &STANDARD.encode([7u8; 255])).unwrap_err(),
        CipherError::CiphertextLength {
            expected: 256,
            got: 255
        }
    );
    assert_eq!(
        cipher::decrypt_oaep(&mut g, &key, &STANDARD.encode([7u8; 256])).unwrap_err(),
        CipherError::Decrypt
    );
    let pk = key.public_key();
    assert_eq!(
        cipher::encrypt(&mut g, &pk, cipher::Padding::Oaep, &[b'a'; 215]).unwrap_err(),
        CipherError::TooLong { len: 215, max: 214 }
    );
    assert_eq!(
        cipher::encrypt(&mut g, &pk, cipher::Padding::Pkcs1v15, &[b'a'; 246]).unwrap_err(),
        CipherError::TooLong { len: 246, max: 245 }
    );
    assert_eq!(
        cipher::encrypt(&mut g, &pk, cipher::Padding::Oaep, b"").unwrap_err(),
        CipherError::Empty
    );
    // Exactly at the limit is accepted, and decrypts back (OAEP); PKCS#1 v1.5 at its limit too.
    let ct = cipher::encrypt(&mut g, &pk, cipher::Padding::Oaep, &[b'a'; 214]).unwrap();
    assert_eq!(
        &cipher::decrypt_oaep(&mut g, &key, &ct).unwrap()[..],
        &[b'a'; 214][..]
    );
    let ct = cipher::encrypt(&mut g, &pk, cipher::Padding::Pkcs1v15, &[b'a'; 245]).unwrap();
    assert_eq!(STANDARD.decode(ct).unwrap().len(), 256);
    // Personal data goes through the same path.
    let name = wechatpay_sansio::secret::Personal::new("张三");
    let ct = cipher::encrypt_personal(&mut g, &pk, cipher::Padding::Oaep, &name).unwrap();
    assert_eq!(STANDARD.decode(&ct).unwrap().len(), 256);
    assert_eq!(
        cipher::decrypt_oaep_personal(&mut g, &key, &ct).unwrap(),
        name
    );
}

// ---------------------------------------------------------------- keys

#[test]
fn wrong_keys() {
    assert_eq!(
        MerchantPrivateKey::from_pem(data("test_ec_p256_key.pem")).unwrap_err(),
        KeyError::NotRsa
    );
    assert_eq!(
        PublicKey::from_pem(data("test_ec_p256_public_key.pem")).unwrap_err(),
        KeyError::NotRsa
    );
    assert_eq!(
        MerchantPrivateKey::from_pem(data("test_rsa1024_key.pem")).unwrap_err(),
        KeyError::KeySize {
            bits: 1024,
            expected: 2048
        }
    );
    assert_eq!(
        PublicKey::from_pem(data("test_rsa1024_public_key.pem")).unwrap_err(),
        KeyError::KeySize {
            bits: 1024,
            expected: 2048
        }
    );
    assert_eq!(
        hostile(|| MerchantPrivateKey::from_pem(data("test_rsa4096_key.pem"))).unwrap_err(),
        KeyError::KeySize {
            bits: 4096,
            expected: 2048
        }
    );
    assert_eq!(
        MerchantPrivateKey::from_pem(data("test_merchant_key_encrypted.pem")).unwrap_err(),
        KeyError::EncryptedPrivateKey
    );
    // A public key or certificate where a private key is expected, and vice versa.
    assert_eq!(
        MerchantPrivateKey::from_pem(data("test_platform_cert.pem")).unwrap_err(),
        KeyError::UnexpectedPemLabel {
            expected: "PRIVATE KEY or RSA PRIVATE KEY",
            found: "CERTIFICATE".into()
        }
    );
    assert_eq!(
        PlatformCertificate::from_pem(data("test_merchant_key.pem")).unwrap_err(),
        KeyError::UnexpectedPemLabel {
            expected: "CERTIFICATE",
            found: "PRIVATE KEY".into()
        }
    );
    // Garbage.
    assert_eq!(
        MerchantPrivateKey::from_pem(b"\0\xff").unwrap_err(),
        KeyError::Pem
    );
    assert_eq!(
        MerchantPrivateKey::from_pem(
            b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n"
        )
        .unwrap_err(),
        KeyError::Pem
    );
    assert_eq!(
        MerchantPrivateKey::from_der(&[0x30, 0x03, 0x02, 0x01, 0x00]).unwrap_err(),
        KeyError::Der {
            what: "private key (neither PKCS#8 nor PKCS#1)"
        }
    );
    assert_eq!(
        PlatformCertificate::from_der(&[0x30, 0x80]).unwrap_err(),
        KeyError::Certificate
    );
}

// ---------------------------------------------------------------- header / URL injection

#[test]
fn cr_lf_never_reaches_a_header_or_the_url() {
    for evil in ["1\r\nX-Evil: 1", "1\nX", "1\r", "a b", "a\"b", "1\0"] {
        assert!(
            matches!(
                MchId::new(evil),
                Err(IdError::Invalid(FieldError::Charset { field: "mchid", .. }))
            ),
            "{evil:?}"
        );
        assert!(
            matches!(
                Nonce::new(evil),
                Err(IdError::Invalid(FieldError::Charset { field: "nonce", .. }))
            ),
            "{evil:?}"
        );
        assert_eq!(KeyId::new(evil), Err(KeyError::InvalidKeyId), "{evil:?}");
    }
    let s = signer();
    let nonce = Nonce::new("A1B2C3D4E5F6G7").unwrap();
    for url in [
        "https://api.mch.weixin.qq.com/v3/x\r\nX-Evil: 1",
        "https://api.mch.weixin.qq.com/v3/x\nX",
        "https://api.mch.weixin.qq.com/v3/a b",
        "https://api.mch.weixin.qq.com\r\n/v3/x",
        "http://api.mch.weixin.qq.com/v3/x",
        "/v3/x",
    ] {
        assert_eq!(
            JsonRequest::get(url)
                .sign(&s, &mut rng(1), t(NOW), &nonce)
                .unwrap_err(),
            V3RequestError::Request(RequestError::InvalidUrl),
            "{url:?}"
        );
        assert_eq!(
            post_xml(url, &[("a", "1")], &v2_key(), SignType::Md5, false).unwrap_err(),
            V2RequestError::Request(RequestError::InvalidUrl),
            "{url:?}"
        );
    }
    // v2 GET parameters are percent-encoded, never raw.
    let req = get_signed(
        "https://api.mch.weixin.qq.com/appauth/getaccesstoken",
        &[("mch_id", "1900000109"), ("x", "a\r\nX-Evil: 1&sign=0#f")],
        &v2_key(),
        SignType::Md5,
    )
    .unwrap();
    let q = req.uri().query().unwrap();
    assert!(q.contains("x=a%0D%0AX-Evil%3A%201%26sign%3D0%23f"), "{q}");
    assert_eq!(q.matches("sign=").count(), 1);
    assert!(!req.uri().to_string().contains(['#', '\r', '\n']));
    // Every header value that goes out is a valid header value (no CR/LF).
    let r = JsonRequest::post(
        "https://api.mch.weixin.qq.com/v3/x?a=%0D%0A",
        b"{}".to_vec(),
    )
    .wechatpay_serial(&KeyId::new("PUB_KEY_ID_0114232134912410000000000000").unwrap())
    .sign(&s, &mut rng(1), t(NOW), &nonce)
    .unwrap();
    for (_, v) in r.headers() {
        assert!(!v.as_bytes().iter().any(|b| matches!(b, b'\r' | b'\n' | 0)));
    }
}

#[test]
fn authorization_header_injection_and_junk() {
    use AuthorizationParseError::*;
    let base = r#"WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1",serial_no="A",signature="s""#;
    assert!(Authorization::parse(base).is_ok());
    for (input, want) in [
        (
            base.replace("mchid=\"1\"", "mchid=\"1\r\nX: y\""),
            Malformed,
        ),
        (base.replace("mchid=\"1\"", "mchid=\"1\0\""), Malformed),
        (base.replace("WECHATPAY2", "wechatpay2"), Scheme),
        (format!("{base},mchid=\"2\""), Duplicate("mchid")),
        (format!("{base},x=\"2\""), Unknown),
        (base.replace(",signature=\"s\"", ""), Missing("signature")),
        (format!("{base},"), Malformed),
    ] {
        assert_eq!(Authorization::parse(&input), Err(want), "{input:?}");
    }
}

/// JSONP (nameautheasy) with junk around it: each case is a typed error, quickly, never a panic.
#[test]
fn jsonp_with_junk_around_it() {
    use wechatpay_sansio::api::ApiError as NameAuthError;
    use wechatpay_sansio::api::nameauth::{self, NameAuthStatus};
    let h = HeaderMap::new();
    let m = crate::common::merchant();
    let parse =
        |b: &[u8]| nameauth::read_reply(&m, ResponseRef::new(StatusCode::OK, &h, b), t(NOW));
    let ok = br#"{"error_code":0,"nameauth_status":"1","name_mask":"","notmatch_param":""}"#;
    // Accepted shapes: bare JSON, any callback name, spaces, trailing semicolon, a BOM.
    for wrapped in [
        ok.to_vec(),
        [b"cb(".as_slice(), ok, b")"].concat(),
        [b" \n jQuery_1.2$x ( ".as_slice(), ok, b" ) ; \n"].concat(),
        [b"\xEF\xBB\xBFcb(".as_slice(), ok, b");"].concat(),
    ] {
        assert_eq!(
            parse(&wrapped).unwrap().status,
            NameAuthStatus::Verified,
            "{:?}",
            String::from_utf8_lossy(&wrapped)
        );
    }
    // Refused shapes, each with its exact error.
    let junk: [&[u8]; 9] = [
        b"",
        b"<html>502 Bad Gateway</html>",
        b"alert(1)//",
        b"1cb({})",
        b"cb({}",
        b"cb({})junk",
        b"cb(\"string\")",
        b"cb(); evil({})",
        b"/**/cb({})",
    ];
    for j in junk {
        assert_eq!(
            parse(j).unwrap_err(),
            NameAuthError::NotJson,
            "{:?}",
            String::from_utf8_lossy(j)
        );
    }
    // Well-wrapped but not the documented object.
    assert!(matches!(
        parse(b"cb({\"error_code\":[1]})").unwrap_err(),
        NameAuthError::Json { .. }
    ));
    assert!(matches!(
        parse(b"cb({\"error_code\":0,}) ").unwrap_err(),
        NameAuthError::Json { .. }
    ));
    // Huge numbers and deep nesting inside the wrapper: typed, bounded.
    let big = format!("cb({{\"error_code\":{}}})", "9".repeat(10_000));
    assert!(parse(big.as_bytes()).is_err());
    let deep = format!("cb({}{})", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    assert!(parse(deep.as_bytes()).is_err());
    let ten_mb = [b"cb(".as_slice(), &vec![b' '; 10 * 1024 * 1024], ok, b")"].concat();
    assert_eq!(
        parse(&ten_mb).unwrap_err(),
        NameAuthError::TooLarge {
            len: ten_mb.len(),
            max: nameauth::MAX_REPLY
        }
    );
}
