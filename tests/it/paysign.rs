//! Client-side payment signatures (JSAPI / APP `paySign`, v2 and v3).

use crate::common::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use wechatpay_sansio::ids::Nonce;
use wechatpay_sansio::paysign;
use wechatpay_sansio::secret::ApiV2Key;
use wechatpay_sansio::v2::{SignType, sign};

fn verify_rsa(message: &str, sig_b64: &str) {
    let pk: rsa::PublicKey = rsa::pkcs8::DecodePublicKey::from_public_key_der(
        &merchant_key().public_key().to_spki_der().unwrap(),
    )
    .unwrap();
    pk.pkcs1v15_verify::<sha2::Sha256>(message.as_bytes(), &STANDARD.decode(sig_b64).unwrap())
        .unwrap();
}

#[test]
fn v3_jsapi_and_app_sign_the_documented_lines() {
    let n = Nonce::new("5K8264ILTKCH16CQ2502SI8ZNMTM67VS").unwrap();
    let p = paysign::jsapi(
        &mut rng(1),
        &merchant_key(),
        "wx8888888888888888",
        crate::common::t(1414561699),
        &n,
        "wx201410272009395522657a690389285100",
    )
    .unwrap();
    assert_eq!(p.package, "prepay_id=wx201410272009395522657a690389285100");
    assert_eq!(p.sign_type, "RSA");
    verify_rsa(
        "wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n",
        &p.pay_sign,
    );
    let json = serde_json::to_value(&p).unwrap();
    for k in [
        "appId",
        "timeStamp",
        "nonceStr",
        "package",
        "signType",
        "paySign",
    ] {
        assert!(json.get(k).is_some(), "{k}");
    }

    let a = paysign::app(
        &mut rng(1),
        &merchant_key(),
        "wx8888888888888888",
        "1900000109",
        crate::common::t(1414561699),
        &n,
        "WX1217752501201407033233368018",
    )
    .unwrap();
    assert_eq!(a.package, "Sign=WXPay");
    assert_eq!(a.partnerid, "1900000109");
    verify_rsa(
        "wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nWX1217752501201407033233368018\n",
        &a.sign,
    );
}

#[test]
fn v2_jsapi_and_app_use_the_v2_sign_over_documented_names() {
    let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    let n = Nonce::new("5K8264ILTKCH16CQ2502SI8ZNMTM67VS").unwrap();
    for t in [SignType::Md5, SignType::HmacSha256] {
        let p = paysign::v2_jsapi(
            &key,
            t,
            "wxd930ea5d5a258f4f",
            crate::common::t(1414561699),
            &n,
            "wx2017",
        )
        .unwrap();
        let expect = sign::sign(
            [
                ("appId", "wxd930ea5d5a258f4f"),
                ("nonceStr", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"),
                ("package", "prepay_id=wx2017"),
                ("signType", t.as_str()),
                ("timeStamp", "1414561699"),
            ],
            &key,
            t,
        )
        .unwrap();
        assert_eq!(p.pay_sign, expect.as_str());
        assert_eq!(p.sign_type, t.as_str());
        let a = paysign::v2_app(
            &key,
            t,
            "wxd930ea5d5a258f4f",
            "10000100",
            crate::common::t(1414561699),
            &n,
            "wx2017",
        )
        .unwrap();
        let expect = sign::canonical_string_masked([
            ("appid", "wxd930ea5d5a258f4f"),
            ("noncestr", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"),
            ("package", "Sign=WXPay"),
            ("partnerid", "10000100"),
            ("prepayid", "wx2017"),
            ("timestamp", "1414561699"),
        ])
        .unwrap();
        assert_eq!(
            expect,
            "appid=wxd930ea5d5a258f4f&noncestr=5K8264ILTKCH16CQ2502SI8ZNMTM67VS&package=Sign=WXPay&partnerid=10000100&prepayid=wx2017&timestamp=1414561699&key=***"
        );
        assert_eq!(a.sign.len(), t.hex_len());
    }
}

/// Every input that goes into a signed string is a token (visible ASCII without `&`, `=`,
/// whitespace or control characters): a `\n` would forge a line of the v3 message, `&k=v` a
/// field of the v2 one. The error names the field, never the value (issue 15 item 5).
#[test]
fn inputs_that_are_signed_must_be_tokens() {
    let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    let mk = merchant_key();
    let n = Nonce::new("5K8264ILTKCH16CQ2502SI8ZNMTM67VS").unwrap();
    let ts = crate::common::t(1414561699);
    let good = ["wxd930ea5d5a258f4f", "10000100", "wx2017"];
    let bad = [
        "wx1\nforged",
        "wx1&key=forged",
        "wx1=2",
        "wx 1",
        "wx1\t",
        "",
        "wx\u{7f}1",
        "张三",
    ];
    // One function per call shape; `at` is which of (appid, mchid, prepay_id) is bad.
    type Call<'a> = Box<dyn Fn([&str; 3]) -> Result<String, String> + 'a>;
    let calls: [(&str, Call, &[&str]); 4] = [
        (
            "jsapi",
            Box::new(|[a, _, p]: [&str; 3]| {
                paysign::jsapi(&mut rng(1), &mk, a, ts, &n, p)
                    .map(|v| v.pay_sign)
                    .map_err(|e| check_field_error(&e))
            }),
            &["appid", "", "prepay_id"],
        ),
        (
            "app",
            Box::new(|[a, m, p]: [&str; 3]| {
                paysign::app(&mut rng(1), &mk, a, m, ts, &n, p)
                    .map(|v| v.sign)
                    .map_err(|e| check_field_error(&e))
            }),
            &["appid", "mchid", "prepay_id"],
        ),
        (
            "v2_jsapi",
            Box::new(|[a, _, p]: [&str; 3]| {
                paysign::v2_jsapi(&key, SignType::Md5, a, ts, &n, p)
                    .map(|v| v.pay_sign)
                    .map_err(|e| check_field_error(&e))
            }),
            &["appid", "", "prepay_id"],
        ),
        (
            "v2_app",
            Box::new(|[a, m, p]: [&str; 3]| {
                paysign::v2_app(&key, SignType::HmacSha256, a, m, ts, &n, p)
                    .map(|v| v.sign)
                    .map_err(|e| check_field_error(&e))
            }),
            &["appid", "mchid", "prepay_id"],
        ),
    ];
    for (name, call, fields) in &calls {
        assert!(call(good).is_ok(), "{name}: the good inputs sign");
        for (at, field) in fields.iter().enumerate() {
            if field.is_empty() {
                continue;
            }
            for b in bad {
                let mut input = good;
                input[at] = b;
                let e = match call(input) {
                    Ok(_) => panic!("{name}: {field} = {b:?} was signed"),
                    Err(e) => e,
                };
                assert!(e.contains(field), "{name}: {field} = {b:?}: {e}");
                if !b.is_empty() {
                    assert!(!e.contains(b), "{name}: the error echoes {b:?}: {e}");
                }
            }
        }
    }
}

/// The error's Display (checked for the field name by the caller), after checking that it is
/// the typed field error.
fn check_field_error(e: &paysign::PaySignError) -> String {
    use wechatpay_sansio::error::{Classify, Disposition};
    assert!(
        matches!(e, paysign::PaySignError::Field(f) if e.to_string().contains(f.field())),
        "not a field error: {e:?}"
    );
    assert_eq!(e.disposition(), Disposition::Rejected);
    let d = format!("{e:?}");
    e.to_string() + &d
}
