//! The sans-IO request value: URLs and header values never carry CR/LF or other injection.

use crate::common::*;
use wechatpay_sansio::error::FieldError;
use wechatpay_sansio::ids::{IdError, MchId, Nonce};
use wechatpay_sansio::keys::{KeyError, KeyId};
use wechatpay_sansio::request::RequestError;
use wechatpay_sansio::v2::SignType;
use wechatpay_sansio::v2::request::{V2RequestError, get_signed, post_xml};
use wechatpay_sansio::v3::request::{JsonRequest, V3RequestError};

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
    let s = doc_signer();
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
                .sign(&s, &mut rng(1), t(T2023), &nonce)
                .unwrap_err(),
            V3RequestError::Request(RequestError::InvalidUrl),
            "{url:?}"
        );
        assert_eq!(
            post_xml(url, &[("a", "1")], &doc_v2_key(), SignType::Md5, false).unwrap_err(),
            V2RequestError::Request(RequestError::InvalidUrl),
            "{url:?}"
        );
    }
    // v2 GET parameters are percent-encoded, never raw.
    let req = get_signed(
        "https://api.mch.weixin.qq.com/appauth/getaccesstoken",
        &[("mch_id", "1900000109"), ("x", "a\r\nX-Evil: 1&sign=0#f")],
        &doc_v2_key(),
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
    .sign(&s, &mut rng(1), t(T2023), &nonce)
    .unwrap();
    for (_, v) in r.headers() {
        assert!(!v.as_bytes().iter().any(|b| matches!(b, b'\r' | b'\n' | 0)));
    }
}
