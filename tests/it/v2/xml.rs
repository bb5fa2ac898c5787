//! v2 XML bodies: parsing limits, entities, DOCTYPEs, duplicate names, encodings, and what request builders write.

use crate::common::*;
use proptest::prelude::*;
use std::collections::BTreeMap;
use wechatpay_sansio::v2::reply::{Expect, ReplyError, parse_and_check};
use wechatpay_sansio::v2::request::{V2RequestError, post_xml};
use wechatpay_sansio::v2::xml::{XmlError, XmlLimits};
use wechatpay_sansio::v2::{SignType, sign, xml};

#[test]
fn xxe_system_entity_is_refused() {
    let body = br#"<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><return_code>&xxe;</return_code></xml>"#;
    assert_eq!(hostile(|| xml::parse(body)), Err(XmlError::Doctype));
    assert_eq!(
        parse_and_check(
            body,
            &doc_v2_key(),
            &Expect::unsigned(),
            &XmlLimits::default()
        ),
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
        parse_and_check(
            &body,
            &doc_v2_key(),
            &Expect::unsigned(),
            &XmlLimits::default()
        ),
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
            &doc_v2_key(),
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
        &doc_v2_key(),
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
        sign::verify_fields(&f, &doc_v2_key(), Some(SignType::HmacSha256)),
        Ok(SignType::HmacSha256)
    );
    // Invalid names never become markup.
    assert_eq!(
        xml::to_xml([("a><b", "1")]),
        Err(XmlError::InvalidName("a><b".into()))
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

proptest! {
    #[test]
    fn v2_any_map_roundtrips_through_xml(m in map()) {
        let x = xml::to_xml(m.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        let f = xml::parse(x.as_bytes()).unwrap();
        let back: BTreeMap<String, String> = f.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        prop_assert_eq!(back, m);
    }
}
