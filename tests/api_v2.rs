//! End-to-end tests of the v2 identity APIs: build → simulator → parse, for every outcome, plus
//! tampering, validation and the seed documents' examples. Every key here is TEST ONLY.
#![cfg(feature = "simulator")]

mod common;

use http::StatusCode;
use wechatpay_sansio::api::getpublickey::{self, GetPublicKeyError, GetPublicKeyRequest};
use wechatpay_sansio::api::nameauth::{
    self, HexCase, NameAuthError, NameAuthKey, NameAuthRequest, NameAuthStatus, ReplyType,
    ServiceError, UnverifiedReason,
};
use wechatpay_sansio::api::oauth::{
    self, AccessToken, AuthorizeUrl, GetAccessTokenRequest, OAuthError, Scope,
};
use wechatpay_sansio::api::querymchrisk::{
    self, MchRiskOutcome, QueryMchRiskError, QueryMchRiskRequest, RiskLevel,
};
use wechatpay_sansio::api::realnameauth::{
    self, BindBankcard, CredType, RealNameAuthError, RealNameAuthRequest, VerifyOpenid,
    VerifyRealName, Version,
};
use wechatpay_sansio::api::validate::FieldError;
use wechatpay_sansio::cipher::CipherError;
use wechatpay_sansio::ids::{MchId, Nonce};
use wechatpay_sansio::keys::{KeyError, PublicKey};
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::secret::{ApiV2Key, Personal};
use wechatpay_sansio::simulator::v2::{
    AccessTokenScript, NameAuthScript, RealNameAuthScript, RiskScript, TEST_NAMEAUTH_KEY,
    TEST_NAMEAUTH_SRC, V2Script,
};
use wechatpay_sansio::simulator::{Simulator, TestMerchant};
use wechatpay_sansio::v2::reply::ReplyError;
use wechatpay_sansio::v2::sign::SignError;
use wechatpay_sansio::v2::{self as wire, SignType};

type Resp = http::Response<Vec<u8>>;

const APPID: &str = "wx2421b1c4370ec43b";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
/// A valid GB 11643-1999 number ending in X.
const ID: &str = "11010519491231002X";
/// The v2 docs' example key (not a real merchant's).
const DOC_KEY: &str = "192006250b4c09247ec02edce69f6a2d";

fn sim() -> Simulator {
    Simulator::new()
}

fn merchant() -> TestMerchant {
    TestMerchant::new()
}

fn wrong_key() -> ApiV2Key {
    ApiV2Key::new("TESTONLYwrongApiV2Key00000000001").unwrap()
}

fn resp(r: &Resp) -> ResponseRef<'_> {
    ResponseRef::from_http(r)
}

fn raw(status: u16, body: &[u8]) -> Resp {
    let mut r = http::Response::new(body.to_vec());
    *r.status_mut() = StatusCode::from_u16(status).unwrap();
    r
}

fn send(sim: &Simulator, req: wechatpay_sansio::request::Request, script: &V2Script) -> Resp {
    let mut rng = common::rng(99);
    sim.handle_v2(&req.into_http(), 0, &mut rng, script)
        .expect("a v2 path the simulator knows")
}

fn body_str(r: &Resp) -> &str {
    std::str::from_utf8(r.body()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// realnameauth
// ---------------------------------------------------------------------------------------------

fn rna(m: &TestMerchant, sign_type: SignType) -> RealNameAuthRequest {
    RealNameAuthRequest {
        version: Version::V1_1,
        mch_id: m.mchid.clone(),
        appid: APPID.into(),
        openid: OPENID.into(),
        real_name: Personal::new("刘某某"),
        cred_type: CredType::IdCard,
        cred_id: Personal::new(ID),
        nonce_str: Nonce::generate(&mut common::rng(1)).unwrap(),
        access_token: AccessToken::new("81_TESTONLYaccessToken"),
        sign_type,
    }
}

fn rna_script(s: RealNameAuthScript) -> V2Script {
    V2Script {
        realnameauth: s,
        ..V2Script::default()
    }
}

#[test]
fn realnameauth_every_combination_end_to_end() {
    let (sim, m) = (sim(), merchant());
    let openids: &[(&str, &[VerifyOpenid])] = &[
        ("V_OP_NA", &[VerifyOpenid::NotVerified]),
        ("V_OP_NM_MA", &[VerifyOpenid::NameMatches]),
        ("V_OP_NM_UM", &[VerifyOpenid::NameMismatch]),
        (
            "V_OP_NA;V_OP_NM_UM",
            &[VerifyOpenid::NotVerified, VerifyOpenid::NameMismatch],
        ),
        ("V_OP_NEW", &[]),
    ];
    let names: &[(Option<&str>, Option<VerifyRealName>)] = &[
        (None, None),
        (Some("V_NM_ID_MA"), Some(VerifyRealName::IdMatches)),
        (Some("V_NM_ID_UM"), Some(VerifyRealName::IdMismatch)),
        (
            Some("V_NM_ID_TYPE_UM"),
            Some(VerifyRealName::IdTypeMismatch),
        ),
        (
            Some("V_NM_ID_NEW"),
            Some(VerifyRealName::Other("V_NM_ID_NEW".into())),
        ),
    ];
    let banks: &[(Option<&str>, Option<BindBankcard>)] = &[
        (None, None),
        (Some("YES"), Some(BindBankcard::Yes)),
        (Some("NO"), Some(BindBankcard::No)),
        // [OPENAPI]'s example value for bind_bankcard is a doc bug: kept as Other.
        (
            Some("V_NM_ID_MA"),
            Some(BindBankcard::Other("V_NM_ID_MA".into())),
        ),
    ];
    let mut runs = 0;
    for sign_type in [SignType::Md5, SignType::HmacSha256] {
        let req = rna(&m, sign_type);
        for (vo, vo_expected) in openids {
            for (vn, vn_expected) in names {
                for (bb, bb_expected) in banks {
                    let script = rna_script(RealNameAuthScript::answer(vo, *vn, *bb));
                    let r = send(&sim, req.build(&m.api_v2_key).unwrap(), &script);
                    let out = req.parse_reply(resp(&r), &m.api_v2_key).unwrap();
                    let expected_vo: Vec<VerifyOpenid> = if vo_expected.is_empty() {
                        vec![VerifyOpenid::Other("V_OP_NEW".into())]
                    } else {
                        vo_expected.to_vec()
                    };
                    assert_eq!(out.verify_openid, expected_vo);
                    assert_eq!(&out.verify_real_name, vn_expected);
                    assert_eq!(&out.bind_bankcard, bb_expected);
                    assert_eq!(out.mch_id, m.mchid.as_str());
                    assert_eq!(out.appid, APPID);
                    assert_eq!(out.openid, OPENID);
                    assert_eq!(
                        out.is_match(),
                        *vo == "V_OP_NM_MA" && *vn == Some("V_NM_ID_MA")
                    );
                    runs += 1;
                }
            }
        }
    }
    assert_eq!(runs, 2 * 5 * 5 * 4);
}

#[test]
fn realnameauth_reply_is_signed_with_the_request_sign_type() {
    let (sim, m) = (sim(), merchant());
    for sign_type in [SignType::Md5, SignType::HmacSha256] {
        let req = rna(&m, sign_type);
        let r = send(
            &sim,
            req.build(&m.api_v2_key).unwrap(),
            &V2Script::default(),
        );
        let f = wire::xml::parse(r.body()).unwrap();
        assert_eq!(f.get("sign").unwrap().len(), sign_type.hex_len());
        assert_eq!(
            wire::sign::verify_fields(&f, &m.api_v2_key, Some(sign_type)),
            Ok(sign_type)
        );
    }
}

#[test]
fn realnameauth_business_failures() {
    let (sim, m) = (sim(), merchant());
    let req = rna(&m, SignType::HmacSha256);
    // Scripted FAIL.
    let script = rna_script(RealNameAuthScript::Fail {
        error_code: "SYSTEMERROR".into(),
        error_code_des: "系统错误".into(),
    });
    let r = send(&sim, req.build(&m.api_v2_key).unwrap(), &script);
    let e = req.parse_reply(resp(&r), &m.api_v2_key).unwrap_err();
    assert_eq!(
        e,
        RealNameAuthError::Business {
            error_code: Some("SYSTEMERROR".into()),
            error_code_des: Some("系统错误".into()),
        }
    );
    assert!(e.to_string().contains("SYSTEMERROR"));

    // Another merchant id: the simulator answers 20002 商户号信息有误 (the documented example).
    let mut other = rna(&m, SignType::HmacSha256);
    other.mch_id = MchId::new("1900000110").unwrap();
    let r = send(
        &sim,
        other.build(&m.api_v2_key).unwrap(),
        &V2Script::default(),
    );
    assert_eq!(
        other.parse_reply(resp(&r), &m.api_v2_key).unwrap_err(),
        RealNameAuthError::Business {
            error_code: Some("20002".into()),
            error_code_des: Some("商户号信息有误".into()),
        }
    );

    // WxJava's err_code / err_code_des spelling is accepted too.
    let r = sim.v2_reply(
        &[
            ("result_code", "FAIL"),
            ("err_code", "PARAM_ERROR"),
            ("err_code_des", "参数错误"),
        ],
        Some(SignType::HmacSha256),
    );
    assert_eq!(
        req.parse_reply(resp(&r), &m.api_v2_key).unwrap_err(),
        RealNameAuthError::Business {
            error_code: Some("PARAM_ERROR".into()),
            error_code_des: Some("参数错误".into()),
        }
    );
}

#[test]
fn realnameauth_tampered_replies_fail() {
    let (sim, m) = (sim(), merchant());
    let req = rna(&m, SignType::HmacSha256);
    let good = send(
        &sim,
        req.build(&m.api_v2_key).unwrap(),
        &rna_script(RealNameAuthScript::answer("V_OP_NM_UM", None, None)),
    );
    assert!(req.parse_reply(resp(&good), &m.api_v2_key).is_ok());

    // Body altered: a mismatch turned into a match.
    let text = body_str(&good).replace("V_OP_NM_UM", "V_OP_NM_MA");
    let e = req
        .parse_reply(resp(&raw(200, text.as_bytes())), &m.api_v2_key)
        .unwrap_err();
    assert_eq!(
        e,
        RealNameAuthError::Reply(ReplyError::Sign(SignError::Mismatch))
    );

    // Sign altered (one hex digit).
    let f = wire::xml::parse(good.body()).unwrap();
    let sign = f.get("sign").unwrap();
    let flipped: String = sign
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 0 {
                if c == 'A' { 'B' } else { 'A' }
            } else {
                c
            }
        })
        .collect();
    let text = body_str(&good).replace(sign, &flipped);
    assert_eq!(
        req.parse_reply(resp(&raw(200, text.as_bytes())), &m.api_v2_key)
            .unwrap_err(),
        RealNameAuthError::Reply(ReplyError::Sign(SignError::Mismatch))
    );

    // Verified with the wrong key.
    assert_eq!(
        req.parse_reply(resp(&good), &wrong_key()).unwrap_err(),
        RealNameAuthError::Reply(ReplyError::Sign(SignError::Mismatch))
    );

    // Sign removed.
    let text = body_str(&good).replace(&format!("<sign>{sign}</sign>"), "");
    assert_eq!(
        req.parse_reply(resp(&raw(200, text.as_bytes())), &m.api_v2_key)
            .unwrap_err(),
        RealNameAuthError::Reply(ReplyError::Sign(SignError::Missing))
    );

    // The request said MD5; an HMAC-signed reply is refused, not silently re-interpreted.
    let md5_req = rna(&m, SignType::Md5);
    assert_eq!(
        md5_req.parse_reply(resp(&good), &m.api_v2_key).unwrap_err(),
        RealNameAuthError::Reply(ReplyError::Sign(SignError::Malformed { expected: 32 }))
    );

    // Not XML, HTTP error.
    assert!(matches!(
        req.parse_reply(resp(&raw(200, b"<html>")), &m.api_v2_key),
        Err(RealNameAuthError::Reply(ReplyError::Xml(_)))
    ));
    assert_eq!(
        req.parse_reply(resp(&raw(502, b"")), &m.api_v2_key)
            .unwrap_err(),
        RealNameAuthError::HttpStatus(502)
    );
}

#[test]
fn realnameauth_request_signed_with_wrong_key_is_refused_by_the_simulator() {
    let (sim, m) = (sim(), merchant());
    let req = rna(&m, SignType::Md5);
    let r = send(&sim, req.build(&wrong_key()).unwrap(), &V2Script::default());
    assert_eq!(
        req.parse_reply(resp(&r), &m.api_v2_key).unwrap_err(),
        RealNameAuthError::Reply(ReplyError::ReturnFail {
            return_code: "FAIL".into(),
            return_msg: Some("签名错误".into()),
        })
    );
}

#[test]
fn realnameauth_reply_shape_errors() {
    let (sim, m) = (sim(), merchant());
    let req = rna(&m, SignType::HmacSha256);
    let r = send(
        &sim,
        req.build(&m.api_v2_key).unwrap(),
        &rna_script(RealNameAuthScript::answer(" ; ", None, None)),
    );
    assert_eq!(
        req.parse_reply(resp(&r), &m.api_v2_key).unwrap_err(),
        RealNameAuthError::MissingReplyField("verify_openid")
    );
    // Every identifying field must be present and equal (a signature does not prove which
    // request a reply answers).
    let ids = [
        ("mch_id", m.mchid.as_str()),
        ("appid", APPID),
        ("openid", OPENID),
        ("access_token", "81_TESTONLYaccessToken"),
    ];
    let with = |replace: Option<(&str, Option<&str>)>| {
        let mut pairs = vec![("result_code", "SUCCESS"), ("verify_openid", "V_OP_NA")];
        for (k, v) in ids {
            match replace {
                Some((f, None)) if f == k => {}
                Some((f, Some(other))) if f == k => pairs.push((k, other)),
                _ => pairs.push((k, v)),
            }
        }
        sim.v2_reply(&pairs, Some(SignType::HmacSha256))
    };
    for (field, value) in [
        ("openid", "oSomebodyElse"),
        ("appid", "wxother"),
        ("mch_id", "1"),
        ("access_token", "81_other"),
    ] {
        assert_eq!(
            req.parse_reply(resp(&with(Some((field, Some(value))))), &m.api_v2_key)
                .unwrap_err(),
            RealNameAuthError::Reply(ReplyError::Mismatch(field.into()))
        );
        // Absent is an error, not a pass.
        assert_eq!(
            req.parse_reply(resp(&with(Some((field, None)))), &m.api_v2_key)
                .unwrap_err(),
            RealNameAuthError::Reply(ReplyError::MissingField(field.into()))
        );
        // Without the request at hand, presence is still required.
        assert_eq!(
            realnameauth::parse_reply(
                resp(&with(Some((field, None)))),
                &m.api_v2_key,
                Some(SignType::HmacSha256)
            )
            .unwrap_err(),
            RealNameAuthError::Reply(ReplyError::MissingField(field.into()))
        );
    }
    let out = req.parse_reply(resp(&with(None)), &m.api_v2_key).unwrap();
    assert_eq!(out.openid, OPENID);
    assert_eq!(out.verify_real_name, None);
}

#[test]
fn realnameauth_seed_example() {
    // Seed 000's PHP example, with its placeholder ID replaced by a valid one (see below).
    let key = ApiV2Key::new(DOC_KEY).unwrap();
    let mut req = RealNameAuthRequest {
        version: Version::V1_0,
        mch_id: MchId::new("1900000109").unwrap(),
        appid: APPID.into(),
        openid: OPENID.into(),
        real_name: Personal::new("刘某某"),
        cred_type: CredType::IdCard,
        cred_id: Personal::new("440000000000000000"),
        nonce_str: Nonce::new("5K8264ILTKCH16CQ2502SI8ZNMTM67VS").unwrap(),
        access_token: AccessToken::new("81_..."),
        sign_type: SignType::HmacSha256,
    };
    // The seed's cred_id is a placeholder that fails the GB 11643 check digit.
    assert_eq!(
        req.build(&key).unwrap_err(),
        RealNameAuthError::Field(FieldError::IdNumber { field: "cred_id" })
    );
    req.cred_id = Personal::new(ID);
    let http = req.build(&key).unwrap();
    assert_eq!(http.method(), http::Method::POST);
    assert_eq!(http.uri().to_string(), realnameauth::URL);
    assert_eq!(
        format!("{}{}", wire::endpoint::FRAUD_BASE, realnameauth::PATH),
        realnameauth::URL
    );
    assert!(!http.requires_client_certificate());
    assert_eq!(http.headers()["content-type"], "text/xml; charset=utf-8");
    let f = wire::xml::parse(http.body()).unwrap();
    let names: Vec<&str> = f.iter().map(|(k, _)| k).collect();
    assert_eq!(
        names,
        [
            "access_token",
            "appid",
            "cred_id",
            "cred_type",
            "mch_id",
            "nonce_str",
            "openid",
            "real_name",
            "sign",
            "sign_type",
            "version"
        ]
    );
    assert_eq!(f.get("real_name"), Some("刘某某"));
    assert_eq!(f.get("cred_type"), Some("1"));
    assert_eq!(f.get("version"), Some("1.0"));
    // Independently computed (Python hmac) over the raw values, sign_type included.
    assert_eq!(
        f.get("sign"),
        Some("31B1464CBCD1A6ADFE651B47B938C368482DACF2518EFDB622B6DB1D200C5E35")
    );
    req.sign_type = SignType::Md5;
    let f = wire::xml::parse(req.build(&key).unwrap().body()).unwrap();
    assert_eq!(f.get("sign_type"), Some("MD5"));
    assert_eq!(f.get("sign"), Some("E41D069305112188615E276CCE6CF5E7"));
    // Nothing personal in Debug output.
    let dbg = format!("{req:?}{http:?}");
    assert!(!dbg.contains("刘某某") && !dbg.contains(ID) && !dbg.contains("81_..."));
}

#[test]
fn realnameauth_every_cred_type_round_trips() {
    let (sim, m) = (sim(), merchant());
    for ct in CredType::ALL {
        let mut req = rna(&m, SignType::HmacSha256);
        req.cred_type = ct;
        if ct != CredType::IdCard {
            req.cred_id = Personal::new("E12345678");
        }
        assert_eq!(CredType::from_wire(ct.as_str()), Some(ct));
        let r = send(
            &sim,
            req.build(&m.api_v2_key).unwrap(),
            &V2Script::default(),
        );
        assert!(req.parse_reply(resp(&r), &m.api_v2_key).unwrap().is_match());
    }
}

#[test]
fn realnameauth_validation() {
    let m = merchant();
    let base = rna(&m, SignType::HmacSha256);
    type Edit = fn(&mut RealNameAuthRequest);
    let cases: &[(Edit, FieldError)] = &[
        (
            |r| r.appid = String::new(),
            FieldError::Missing { field: "appid" },
        ),
        (
            |r| r.appid = "a".repeat(33),
            FieldError::Length {
                field: "appid",
                min: 1,
                max: 32,
                len: 33,
            },
        ),
        (
            |r| r.appid = "wx1\r\nX: y".into(),
            charset("appid", "visible ASCII"),
        ),
        (
            |r| r.openid = "o".repeat(129),
            FieldError::Length {
                field: "openid",
                min: 1,
                max: 128,
                len: 129,
            },
        ),
        (
            |r| r.openid = "o\n".into(),
            charset("openid", "visible ASCII"),
        ),
        (
            |r| r.real_name = Personal::new(""),
            FieldError::Missing { field: "real_name" },
        ),
        (
            |r| r.real_name = Personal::new("名".repeat(65)),
            FieldError::Length {
                field: "real_name",
                min: 1,
                max: 64,
                len: 65,
            },
        ),
        (
            |r| r.real_name = Personal::new("刘\r\n某"),
            charset(
                "real_name",
                "printable characters (no control characters, no U+FFFE/U+FFFF)",
            ),
        ),
        (
            |r| r.real_name = Personal::new("刘\u{FFFE}"),
            charset(
                "real_name",
                "printable characters (no control characters, no U+FFFE/U+FFFF)",
            ),
        ),
        (
            |r| r.cred_id = Personal::new("110105194912310021"),
            FieldError::IdNumber { field: "cred_id" },
        ),
        (
            |r| r.cred_id = Personal::new("11010519491231002x"),
            FieldError::LowercaseX { field: "cred_id" },
        ),
        (
            |r| r.cred_id = Personal::new("1101051949123100"),
            FieldError::IdNumber { field: "cred_id" },
        ),
        (
            |r| {
                r.cred_type = CredType::Passport;
                r.cred_id = Personal::new("E".repeat(33));
            },
            FieldError::Length {
                field: "cred_id",
                min: 1,
                max: 32,
                len: 33,
            },
        ),
        (
            |r| {
                r.cred_type = CredType::Passport;
                r.cred_id = Personal::new("E123\n");
            },
            charset("cred_id", "visible ASCII"),
        ),
        (
            |r| r.cred_id = Personal::new(""),
            FieldError::Missing { field: "cred_id" },
        ),
        (
            |r| r.access_token = AccessToken::new("t".repeat(129)),
            FieldError::Length {
                field: "access_token",
                min: 1,
                max: 128,
                len: 129,
            },
        ),
        (
            |r| r.access_token = AccessToken::new("81_x\r\nHost: evil"),
            charset("access_token", "visible ASCII"),
        ),
        (
            |r| r.access_token = AccessToken::new(""),
            FieldError::Missing {
                field: "access_token",
            },
        ),
    ];
    for (i, (edit, expected)) in cases.iter().enumerate() {
        let mut r = base.clone();
        edit(&mut r);
        assert_eq!(r.validate().as_ref(), Err(expected), "case {i}");
        let e = r.build(&m.api_v2_key).unwrap_err();
        assert_eq!(e, RealNameAuthError::Field(expected.clone()), "case {i}");
        // Errors name the field, never the value.
        let msg = format!("{e} {e:?}");
        assert!(!msg.contains("刘") && !msg.contains("evil") && !msg.contains("1101051949"));
    }
    // Passports are not GB 11643 numbers.
    let mut r = base.clone();
    r.cred_type = CredType::Passport;
    r.cred_id = Personal::new("440000000000000000");
    assert_eq!(r.validate(), Ok(()));
}

fn charset(field: &'static str, allowed: &'static str) -> FieldError {
    FieldError::Charset { field, allowed }
}

// ---------------------------------------------------------------------------------------------
// OAuth: authorize URL and getaccesstoken
// ---------------------------------------------------------------------------------------------

fn authorize(m: &TestMerchant) -> AuthorizeUrl {
    AuthorizeUrl {
        mch_id: m.mchid.clone(),
        appid: APPID.into(),
        redirect_uri: "https://merchant.example/realname/cb?step=2&x=中".into(),
        scope: Scope::PayIdentity,
        state: "STATE123".into(),
    }
}

#[test]
fn authorize_url() {
    let m = merchant();
    let url = authorize(&m).to_url().unwrap();
    assert_eq!(
        url,
        "https://payapp.weixin.qq.com/appauth/authindex?mch_id=1900000109&appid=wx2421b1c4370ec43b\
         &redirect_uri=https%3A%2F%2Fmerchant.example%2Frealname%2Fcb%3Fstep%3D2%26x%3D%E4%B8%AD\
         &response_type=code&scope=pay_identity&state=STATE123#wechat_redirect"
    );
    let mut a = authorize(&m);
    a.scope = Scope::PayRealname;
    a.state = String::new();
    assert!(
        a.to_url()
            .unwrap()
            .contains("&scope=pay_realname&state=#wechat_redirect")
    );

    type Edit = fn(&mut AuthorizeUrl);
    let cases: &[(Edit, FieldError)] = &[
        (
            |a| a.appid = String::new(),
            FieldError::Missing { field: "appid" },
        ),
        (
            |a| a.redirect_uri = String::new(),
            FieldError::Missing {
                field: "redirect_uri",
            },
        ),
        (
            |a| a.redirect_uri = "https://x/\r\nSet-Cookie: a".into(),
            charset("redirect_uri", "non-space, non-control characters"),
        ),
        (
            |a| a.redirect_uri = "javascript:alert(1)".into(),
            charset(
                "redirect_uri",
                "an absolute http(s):// URL without a fragment",
            ),
        ),
        (
            |a| a.redirect_uri = "https://x/#frag".into(),
            charset(
                "redirect_uri",
                "an absolute http(s):// URL without a fragment",
            ),
        ),
        (
            |a| a.redirect_uri = format!("https://x/{}", "a".repeat(1020)),
            FieldError::Length {
                field: "redirect_uri",
                min: 1,
                max: 1024,
                len: 1030,
            },
        ),
        (|a| a.state = "a&b".into(), charset("state", "[A-Za-z0-9]")),
        (
            |a| a.state = "s".repeat(129),
            FieldError::Length {
                field: "state",
                min: 0,
                max: 128,
                len: 129,
            },
        ),
    ];
    for (i, (edit, expected)) in cases.iter().enumerate() {
        let mut a = authorize(&m);
        edit(&mut a);
        assert_eq!(
            a.to_url().unwrap_err(),
            OAuthError::Field(expected.clone()),
            "case {i}"
        );
    }
}

fn token_req(m: &TestMerchant) -> GetAccessTokenRequest {
    GetAccessTokenRequest {
        mch_id: m.mchid.clone(),
        appid: APPID.into(),
        openid: OPENID.into(),
        code: "CODE123".into(),
        scope: Scope::PayIdentity,
    }
}

fn token_script(s: AccessTokenScript) -> V2Script {
    V2Script {
        getaccesstoken: s,
        ..V2Script::default()
    }
}

#[test]
fn getaccesstoken_request_shape() {
    let key = ApiV2Key::new(DOC_KEY).unwrap();
    let mut req = token_req(&merchant());
    req.mch_id = MchId::new("1900000109").unwrap();
    let http = req.build(&key).unwrap();
    assert_eq!(http.method(), http::Method::GET);
    assert!(http.body().is_empty());
    assert_eq!(
        http.uri().to_string(),
        format!(
            "{}?mch_id=1900000109&appid={APPID}&openid={OPENID}&code=CODE123\
             &grant_type=authorization_code&scope=pay_identity&sign_type=HMAC-SHA256\
             &sign=3D8BEFD0FA23D8362DC11549EA13A2D78051061F9B48A09CDF84EA0CFE6FEC07",
            oauth::GET_ACCESS_TOKEN_URL
        )
    );
}

#[test]
fn getaccesstoken_end_to_end_then_realnameauth() {
    let (sim, m) = (sim(), merchant());
    let req = token_req(&m);
    for numbers_as_strings in [false, true] {
        let script = token_script(AccessTokenScript::Grant {
            access_token: "81_TESTONLYgranted".into(),
            access_token_expire_in: 300,
            refresh_token: "81_TESTONLYrefresh".into(),
            refresh_token_expire_in: 2_592_000,
            numbers_as_strings,
        });
        let r = send(&sim, req.build(&m.api_v2_key).unwrap(), &script);
        assert_eq!(
            body_str(&r).contains("\"access_token_expire_in\":\"300\""),
            numbers_as_strings
        );
        let grant = req.parse_reply(resp(&r)).unwrap();
        assert_eq!(grant.access_token.expose_secret(), "81_TESTONLYgranted");
        assert_eq!(grant.access_token_expire_in, 300);
        assert_eq!(
            grant.refresh_token.as_ref().map(|t| t.expose_secret()),
            Some("81_TESTONLYrefresh")
        );
        assert_eq!(grant.refresh_token_expire_in, Some(2_592_000));
        assert!(!format!("{grant:?}").contains("81_TESTONLY"));

        // The token feeds realnameauth.
        let mut rn = rna(&m, SignType::HmacSha256);
        rn.access_token = grant.access_token.clone();
        let r = send(&sim, rn.build(&m.api_v2_key).unwrap(), &V2Script::default());
        assert!(rn.parse_reply(resp(&r), &m.api_v2_key).unwrap().is_match());
    }
}

#[test]
fn getaccesstoken_failures() {
    let (sim, m) = (sim(), merchant());
    let req = token_req(&m);
    let script = token_script(AccessTokenScript::Fail {
        retcode: -1,
        retmsg: "invalid code".into(),
    });
    let r = send(&sim, req.build(&m.api_v2_key).unwrap(), &script);
    assert_eq!(
        req.parse_reply(resp(&r)).unwrap_err(),
        OAuthError::Retcode {
            retcode: -1,
            retmsg: "invalid code".into()
        }
    );
    // Signed with the wrong key: the simulator refuses it.
    let r = send(&sim, req.build(&wrong_key()).unwrap(), &V2Script::default());
    assert_eq!(
        req.parse_reply(resp(&r)).unwrap_err(),
        OAuthError::Retcode {
            retcode: -1,
            retmsg: "签名错误".into()
        }
    );
    // Another merchant.
    let mut other = token_req(&m);
    other.mch_id = MchId::new("1900000110").unwrap();
    let r = send(
        &sim,
        other.build(&m.api_v2_key).unwrap(),
        &V2Script::default(),
    );
    assert!(matches!(
        other.parse_reply(resp(&r)),
        Err(OAuthError::Retcode { retcode: -1, .. })
    ));
}

#[test]
fn getaccesstoken_reply_parsing() {
    let req = token_req(&merchant());
    let p = |status: u16, body: &str| req.parse_reply(resp(&raw(status, body.as_bytes())));
    assert_eq!(p(500, "{}").unwrap_err(), OAuthError::HttpStatus(500));
    assert!(matches!(
        p(200, "<xml/>"),
        Err(OAuthError::Json { line: 1, .. })
    ));
    // A token in a malformed reply is not echoed in the error.
    let e = p(200, r#"{"retcode":0,"access_token":81_SECRET}"#).unwrap_err();
    assert!(matches!(e, OAuthError::Json { .. }));
    assert!(!format!("{e} {e:?}").contains("SECRET"));
    let e = p(200, r#"{"retcode":0,"access_token":["81_SECRET"]}"#).unwrap_err();
    assert!(!format!("{e} {e:?}").contains("SECRET"));
    assert_eq!(
        p(200, r#"{"retmsg":"ok"}"#).unwrap_err(),
        OAuthError::MissingReplyField("retcode")
    );
    assert_eq!(
        p(200, r#"{"retcode":"zero"}"#).unwrap_err(),
        OAuthError::InvalidReplyField("retcode")
    );
    assert_eq!(
        p(200, r#"{"retcode":"-1"}"#).unwrap_err(),
        OAuthError::Retcode {
            retcode: -1,
            retmsg: String::new()
        }
    );
    assert_eq!(
        p(200, r#"{"retcode":0,"retmsg":"ok"}"#).unwrap_err(),
        OAuthError::MissingReplyField("access_token")
    );
    assert_eq!(
        p(200, r#"{"retcode":0,"access_token":"a b"}"#).unwrap_err(),
        OAuthError::InvalidReplyField("access_token")
    );
    assert_eq!(
        p(
            200,
            &format!(r#"{{"retcode":0,"access_token":"{}"}}"#, "t".repeat(129))
        )
        .unwrap_err(),
        OAuthError::InvalidReplyField("access_token")
    );
    assert_eq!(
        p(200, r#"{"retcode":0,"access_token":"t"}"#).unwrap_err(),
        OAuthError::MissingReplyField("access_token_expire_in")
    );
    assert_eq!(
        p(
            200,
            r#"{"retcode":0,"access_token":"t","access_token_expire_in":-5}"#
        )
        .unwrap_err(),
        OAuthError::InvalidReplyField("access_token_expire_in")
    );
    assert_eq!(
        p(
            200,
            r#"{"retcode":0,"access_token":"t","access_token_expire_in":" 7200 ","refresh_token_expire_in":"x"}"#
        )
        .unwrap_err(),
        OAuthError::InvalidReplyField("refresh_token_expire_in")
    );
    // Minimal success: no refresh token, BOM tolerated, unknown fields ignored.
    let g = p(
        200,
        "\u{FEFF}{\"retcode\":\"0\",\"access_token\":\"t\",\"access_token_expire_in\":\"7200\",\"openid\":\"o\"}",
    )
    .unwrap();
    assert_eq!(g.access_token_expire_in, 7200);
    assert_eq!(g.refresh_token, None);
    assert_eq!(g.access_token_expires_at(u64::MAX), u64::MAX);
}

#[test]
fn getaccesstoken_validation() {
    let m = merchant();
    type Edit = fn(&mut GetAccessTokenRequest);
    let cases: &[(Edit, FieldError)] = &[
        (
            |r| r.appid = "wx\n".into(),
            charset("appid", "visible ASCII"),
        ),
        (
            |r| r.openid = String::new(),
            FieldError::Missing { field: "openid" },
        ),
        (
            |r| r.code = String::new(),
            FieldError::Missing { field: "code" },
        ),
        (
            |r| r.code = "c\r\nX".into(),
            charset("code", "visible ASCII"),
        ),
        (
            |r| r.code = "c".repeat(513),
            FieldError::Length {
                field: "code",
                min: 1,
                max: 512,
                len: 513,
            },
        ),
    ];
    for (i, (edit, expected)) in cases.iter().enumerate() {
        let mut r = token_req(&m);
        edit(&mut r);
        assert_eq!(
            r.build(&m.api_v2_key).unwrap_err(),
            OAuthError::Field(expected.clone()),
            "case {i}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// nameautheasy
// ---------------------------------------------------------------------------------------------

fn na_key() -> NameAuthKey {
    NameAuthKey::new(TEST_NAMEAUTH_KEY).unwrap()
}

fn na_req() -> NameAuthRequest {
    NameAuthRequest::new(
        APPID,
        OPENID,
        TEST_NAMEAUTH_SRC,
        Personal::new("张三"),
        Personal::new(ID),
    )
}

fn na_script(s: NameAuthScript) -> V2Script {
    V2Script {
        nameauth: s,
        ..V2Script::default()
    }
}

fn na_run(
    req: &NameAuthRequest,
    script: NameAuthScript,
) -> Result<nameauth::NameAuthOutcome, NameAuthError> {
    let r = send(&sim(), req.build(&na_key()).unwrap(), &na_script(script));
    req.parse_reply(resp(&r))
}

#[test]
fn nameauth_sign_vector_and_url() {
    let req = na_req();
    // md5("appid=…&creid=…&cretype=1&openid=…&src=TESTONLYsrc&truename=张三&key=TESTONLYnameauthKey0001"),
    // computed independently with Python hashlib.
    assert_eq!(
        req.sign(&na_key()).unwrap().as_str(),
        "dd570ac4a031ed4c3f1a9801a883ad23"
    );
    let mut upper = na_req();
    upper.hex_case = HexCase::Upper;
    upper.reply_type = ReplyType::Jsonp;
    assert_eq!(
        upper.sign(&na_key()).unwrap().as_str(),
        "DD570AC4A031ED4C3F1A9801A883AD23"
    );
    // `type` does not take part in the sign.
    let http = req.build(&na_key()).unwrap();
    assert_eq!(
        http.uri().to_string(),
        format!(
            "{}?appid={APPID}&openid={OPENID}&src=TESTONLYsrc&truename=%E5%BC%A0%E4%B8%89\
             &creid={ID}&cretype=1&sign=dd570ac4a031ed4c3f1a9801a883ad23&type=json",
            nameauth::URL
        )
    );
    assert_eq!(http.method(), http::Method::GET);
    assert!(
        upper
            .build(&na_key())
            .unwrap()
            .uri()
            .to_string()
            .ends_with("&sign=DD570AC4A031ED4C3F1A9801A883AD23&type=jsonp")
    );
    let dbg = format!("{req:?}");
    assert!(!dbg.contains("张三") && !dbg.contains(ID));
}

#[test]
fn nameauth_every_letter_end_to_end() {
    use UnverifiedReason as R;
    let cases: Vec<(NameAuthScript, NameAuthStatus, Option<char>)> = vec![
        (
            NameAuthScript::letter('A'),
            NameAuthStatus::Verified,
            Some('A'),
        ),
        (
            NameAuthScript::letter('B'),
            NameAuthStatus::NameMismatch,
            Some('B'),
        ),
        (
            NameAuthScript::letter('C'),
            NameAuthStatus::IdMismatch,
            Some('C'),
        ),
        (
            NameAuthScript::letter('D'),
            NameAuthStatus::NameAndIdMismatch,
            Some('D'),
        ),
        (
            NameAuthScript::status("1", "1|2"),
            NameAuthStatus::NameAndIdMismatch,
            Some('D'),
        ),
        (
            NameAuthScript::status("1", "1%7c2"),
            NameAuthStatus::NameAndIdMismatch,
            Some('D'),
        ),
        (
            NameAuthScript::letter('E'),
            NameAuthStatus::UnverifiedButMatching,
            Some('E'),
        ),
        (
            NameAuthScript::letter('F'),
            NameAuthStatus::Unverified(R::Status3),
            Some('F'),
        ),
        (
            NameAuthScript::status("4", ""),
            NameAuthStatus::Unverified(R::ForeignCard),
            Some('F'),
        ),
        (
            NameAuthScript::status("5", ""),
            NameAuthStatus::Unverified(R::BankNotSupported),
            Some('F'),
        ),
        (
            NameAuthScript::error(51_100_001),
            NameAuthStatus::Unverified(R::AccountNotRegistered),
            Some('F'),
        ),
        (
            NameAuthScript::error(51_100_002),
            NameAuthStatus::Unverified(R::NotVerified),
            Some('F'),
        ),
        (
            NameAuthScript::error(51_068_401),
            NameAuthStatus::Unverified(R::NoSuchUser),
            Some('F'),
        ),
        (
            NameAuthScript::status("2", "1"),
            NameAuthStatus::Other {
                nameauth_status: "2".into(),
                notmatch_param: "1".into(),
            },
            None,
        ),
        (
            NameAuthScript::status("9", ""),
            NameAuthStatus::Other {
                nameauth_status: "9".into(),
                notmatch_param: String::new(),
            },
            None,
        ),
    ];
    for reply_type in [ReplyType::Json, ReplyType::Jsonp] {
        for as_string in [false, true] {
            for (script, expected, letter) in &cases {
                let mut req = na_req();
                req.reply_type = reply_type;
                let mut script = script.clone();
                script.error_code_as_string = as_string;
                script.name_mask = "*三".into();
                let out = na_run(&req, script).unwrap();
                assert_eq!(&out.status, expected);
                assert_eq!(out.status.letter(), *letter);
                assert_eq!(out.name_mask.expose(), "*三");
                assert!(!format!("{out:?}").contains("*三"));
            }
        }
    }
}

#[test]
fn nameauth_service_errors_end_to_end() {
    for (code, expected) in [
        (1000, ServiceError::EmptyParameter),
        (1001, ServiceError::InvalidSrc),
        (1002, ServiceError::SignatureRejected),
        (1007, ServiceError::IpNotAuthorized),
        (-1, ServiceError::System(-1)),
        (9999, ServiceError::System(9999)),
    ] {
        let e = na_run(&na_req(), NameAuthScript::error(code)).unwrap_err();
        assert_eq!(e, NameAuthError::Service(expected));
        assert_eq!(expected.code(), code);
        assert!(e.to_string().contains(&code.to_string()));
    }
    // The simulator's own checks: wrong src → 1001, wrong key → 1002.
    let mut req = na_req();
    req.src = "othersrc".into();
    assert_eq!(
        na_run(&req, NameAuthScript::default()).unwrap_err(),
        NameAuthError::Service(ServiceError::InvalidSrc)
    );
    let r = send(
        &sim(),
        na_req()
            .build(&NameAuthKey::new("wrongkey").unwrap())
            .unwrap(),
        &V2Script::default(),
    );
    assert_eq!(
        na_req().parse_reply(resp(&r)).unwrap_err(),
        NameAuthError::Service(ServiceError::SignatureRejected)
    );
    // A server that insists on upper-case hex rejects the default lower case (→ try Upper).
    let strict = NameAuthScript {
        required_hex_case: Some(HexCase::Upper),
        ..NameAuthScript::default()
    };
    assert_eq!(
        na_run(&na_req(), strict.clone()).unwrap_err(),
        NameAuthError::Service(ServiceError::SignatureRejected)
    );
    let mut upper = na_req();
    upper.hex_case = HexCase::Upper;
    assert_eq!(
        na_run(&upper, strict).unwrap().status,
        NameAuthStatus::Verified
    );
    let strict_lower = NameAuthScript {
        required_hex_case: Some(HexCase::Lower),
        ..NameAuthScript::default()
    };
    assert!(na_run(&na_req(), strict_lower).is_ok());
    // An empty parameter (a hand-made URL: the builder refuses empty fields) → 1000.
    let url = format!(
        "{}?appid={APPID}&openid=&src=TESTONLYsrc&type=jsonp&callback=jq_1",
        nameauth::URL
    );
    let http = http::Request::get(url).body(Vec::new()).unwrap();
    let r = sim()
        .handle_v2(&http, 0, &mut common::rng(1), &V2Script::default())
        .unwrap();
    assert!(body_str(&r).starts_with("jq_1({"));
    assert_eq!(
        na_req().parse_reply(resp(&r)).unwrap_err(),
        NameAuthError::Service(ServiceError::EmptyParameter)
    );
}

#[test]
fn nameauth_reply_parsing() {
    let req = na_req();
    let p = |status: u16, body: &str| req.parse_reply(resp(&raw(status, body.as_bytes())));
    // The seed's sample reply: error_code 0, status 1, notmatch 1 → B.
    assert_eq!(
        p(
            200,
            r#"{ "error_code":0,"nameauth_status":"1","name_mask":"","notmatch_param":"1"}"#
        )
        .unwrap()
        .status,
        NameAuthStatus::NameMismatch
    );
    // JSONP with any callback name, spacing and trailing semicolon.
    assert_eq!(
        p(200, "  jQuery1830_99 ({\"error_code\":\"0\",\"nameauth_status\":1,\"notmatch_param\":\"\"}) ;\n")
            .unwrap()
            .status,
        NameAuthStatus::Verified
    );
    assert_eq!(p(404, "{}").unwrap_err(), NameAuthError::HttpStatus(404));
    assert_eq!(p(200, "<html>").unwrap_err(), NameAuthError::NotJson);
    assert_eq!(p(200, "cb(1)").unwrap_err(), NameAuthError::NotJson);
    assert!(matches!(
        p(200, r#"{"error_code":0,"name_mask":["刘*"]}"#),
        Err(NameAuthError::Json { .. })
    ));
    let e = p(200, r#"{"error_code":0,"name_mask":刘某某}"#).unwrap_err();
    assert!(matches!(e, NameAuthError::Json { .. }));
    assert!(!format!("{e} {e:?}").contains("刘"));
    assert_eq!(
        p(200, r#"{"nameauth_status":"1"}"#).unwrap_err(),
        NameAuthError::MissingReplyField("error_code")
    );
    assert_eq!(
        p(200, r#"{"error_code":"x"}"#).unwrap_err(),
        NameAuthError::InvalidReplyField("error_code")
    );
}

#[test]
fn nameauth_validation() {
    type Edit = fn(&mut NameAuthRequest);
    let text = "printable characters (no control characters, no U+FFFE/U+FFFF)";
    let cases: &[(Edit, FieldError)] = &[
        (
            |r| r.appid = String::new(),
            FieldError::Missing { field: "appid" },
        ),
        (
            |r| r.openid = "o p".into(),
            charset("openid", "visible ASCII"),
        ),
        (|r| r.src = "s\r\n".into(), charset("src", "visible ASCII")),
        (
            |r| r.src = "s".repeat(65),
            FieldError::Length {
                field: "src",
                min: 1,
                max: 64,
                len: 65,
            },
        ),
        (
            |r| r.truename = Personal::new(""),
            FieldError::Missing { field: "truename" },
        ),
        (
            |r| r.truename = Personal::new("张\n三"),
            charset("truename", text),
        ),
        (
            |r| r.truename = Personal::new("张".repeat(65)),
            FieldError::Length {
                field: "truename",
                min: 1,
                max: 64,
                len: 65,
            },
        ),
        (
            |r| r.creid = Personal::new("11010519491231002x"),
            FieldError::LowercaseX { field: "creid" },
        ),
        (
            |r| r.creid = Personal::new("440000000000000000"),
            FieldError::IdNumber { field: "creid" },
        ),
        (
            |r| r.creid = Personal::new("1\r\n"),
            charset("creid", "visible ASCII"),
        ),
        (
            |r| r.cretype = 0,
            FieldError::NotInEnum {
                field: "cretype",
                allowed: "1..=9999",
            },
        ),
    ];
    for (i, (edit, expected)) in cases.iter().enumerate() {
        let mut r = na_req();
        edit(&mut r);
        assert_eq!(
            r.build(&na_key()).unwrap_err(),
            NameAuthError::Field(expected.clone()),
            "case {i}"
        );
        assert_eq!(
            r.sign(&na_key()).unwrap_err(),
            NameAuthError::Field(expected.clone())
        );
    }
    // Other cretypes skip the GB 11643 check.
    let mut r = na_req();
    r.cretype = 2;
    r.creid = Personal::new("E12345678");
    assert!(
        r.build(&na_key())
            .unwrap()
            .uri()
            .to_string()
            .contains("&cretype=2&")
    );
    // The key.
    assert_eq!(
        NameAuthKey::new("").unwrap_err(),
        FieldError::Missing { field: "key" }
    );
    assert_eq!(
        NameAuthKey::new("k\r\n").unwrap_err(),
        charset("key", "visible ASCII")
    );
    assert!(matches!(
        NameAuthKey::new("k".repeat(257)),
        Err(FieldError::Length { field: "key", .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// getpublickey + querymchrisk
// ---------------------------------------------------------------------------------------------

fn gpk_req(m: &TestMerchant, sign_type: SignType) -> GetPublicKeyRequest {
    GetPublicKeyRequest {
        mch_id: m.mchid.clone(),
        nonce_str: Nonce::generate(&mut common::rng(3)).unwrap(),
        sign_type,
    }
}

fn risk_key(sim: &Simulator, m: &TestMerchant) -> PublicKey {
    let req = gpk_req(m, SignType::HmacSha256);
    let r = send(sim, req.build(&m.api_v2_key).unwrap(), &V2Script::default());
    req.parse_reply(resp(&r)).unwrap().key
}

#[test]
fn getpublickey_end_to_end() {
    let (sim, m) = (sim(), merchant());
    let expected = PublicKey::from_pem(sim.risk_public_key_pkcs1_pem()).unwrap();
    for sign_type in [SignType::Md5, SignType::HmacSha256] {
        let req = gpk_req(&m, sign_type);
        let http = req.build(&m.api_v2_key).unwrap();
        assert_eq!(http.uri().to_string(), getpublickey::URL);
        assert!(http.requires_client_certificate());
        let f = wire::xml::parse(http.body()).unwrap();
        assert_eq!(f.get("sign_type"), Some(sign_type.as_str()));
        let r = send(&sim, http, &V2Script::default());
        // Unsigned, PEM inside CDATA like the official sample.
        assert!(body_str(&r).contains("<pub_key><![CDATA[-----BEGIN RSA PUBLIC KEY-----"));
        assert!(!body_str(&r).contains("<sign>"));
        let got = req.parse_reply(resp(&r)).unwrap();
        assert_eq!(got.key, expected);
        assert_eq!(got.mch_id, m.mchid.as_str());
    }
}

#[test]
fn getpublickey_official_sample() {
    let req = GetPublicKeyRequest {
        mch_id: MchId::new("123456").unwrap(),
        nonce_str: Nonce::new("n").unwrap(),
        sign_type: SignType::Md5,
    };
    let body = common::data("php_getpublickey.response.sample.xml");
    let got = req.parse_reply(resp(&raw(200, &body))).unwrap();
    assert_eq!(got.mch_id, "123456");
    assert_eq!(
        got.key.to_spki_pem().unwrap(),
        common::text("getpublickey_spki.pem")
    );
    // Echo check: another merchant id in the request.
    let other = GetPublicKeyRequest {
        mch_id: MchId::new("1900000109").unwrap(),
        ..req
    };
    assert_eq!(
        other.parse_reply(resp(&raw(200, &body))).unwrap_err(),
        GetPublicKeyError::Reply(ReplyError::Mismatch("mch_id".into()))
    );
}

#[test]
fn getpublickey_failures() {
    let (sim, m) = (sim(), merchant());
    let req = gpk_req(&m, SignType::Md5);
    // No client certificate presented.
    let mut http = req.build(&m.api_v2_key).unwrap().into_http();
    http.extensions_mut().clear();
    let r = sim.getpublickey(&http);
    assert_eq!(
        req.parse_reply(resp(&r)).unwrap_err(),
        GetPublicKeyError::Reply(ReplyError::ReturnFail {
            return_code: "FAIL".into(),
            return_msg: Some("请求需要双向证书".into())
        })
    );
    // Wrong key.
    let r = send(&sim, req.build(&wrong_key()).unwrap(), &V2Script::default());
    assert!(matches!(
        req.parse_reply(resp(&r)),
        Err(GetPublicKeyError::Reply(ReplyError::ReturnFail { .. }))
    ));
    // Another merchant.
    let mut other = gpk_req(&m, SignType::Md5);
    other.mch_id = MchId::new("1900000110").unwrap();
    let r = send(
        &sim,
        other.build(&m.api_v2_key).unwrap(),
        &V2Script::default(),
    );
    assert_eq!(
        other.parse_reply(resp(&r)).unwrap_err(),
        GetPublicKeyError::Business {
            err_code: Some("PARAM_ERROR".into()),
            err_code_des: Some("商户号错误".into())
        }
    );
    let p = |status: u16, body: &str| req.parse_reply(resp(&raw(status, body.as_bytes())));
    assert_eq!(p(503, "").unwrap_err(), GetPublicKeyError::HttpStatus(503));
    assert!(matches!(
        p(200, "not xml"),
        Err(GetPublicKeyError::Reply(ReplyError::Xml(_)))
    ));
    assert_eq!(
        p(
            200,
            "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code></xml>"
        )
        .unwrap_err(),
        GetPublicKeyError::Reply(ReplyError::MissingField("mch_id".into()))
    );
    let no_key = format!(
        "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code><mch_id>{}</mch_id></xml>",
        m.mchid.as_str()
    );
    assert_eq!(
        p(200, &no_key).unwrap_err(),
        GetPublicKeyError::MissingReplyField("pub_key")
    );
    let ok_head = format!(
        "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code><mch_id>{}</mch_id>",
        m.mchid.as_str()
    );
    assert_eq!(
        p(200, &format!("{ok_head}<pub_key>garbage</pub_key></xml>")).unwrap_err(),
        GetPublicKeyError::Key(KeyError::Pem)
    );
    // A 1024-bit key is refused.
    let small = format!(
        "{ok_head}<pub_key>{}</pub_key></xml>",
        common::text("test_rsa1024_public_key.pem")
    );
    assert!(matches!(
        p(200, &small),
        Err(GetPublicKeyError::Key(KeyError::KeySize { bits: 1024, .. }))
    ));
}

fn risk_req(m: &TestMerchant) -> QueryMchRiskRequest {
    let mut r = QueryMchRiskRequest::new(
        m.mchid.clone(),
        Nonce::generate(&mut common::rng(4)).unwrap(),
    );
    r.certificates_number = Some(Personal::new(ID));
    r.certificates_name = Some(Personal::new("张三"));
    r.settlement_card_no = Some(Personal::new("6222020200112233445"));
    r.settlement_card_name = Some(Personal::new("张三"));
    r.business_license_number = Some(Personal::new("91440300MA5XXXXXXX"));
    r.settlement_card_bank = Some("招商银行科技园支行".into());
    r.company_name = Some("XXXXX有限公司".into());
    r.store_address = Some("广东省深圳市南山区深南大道10000号".into());
    r.store_longitude = Some("113.9410519639".into());
    r.store_latitude = Some("22.5461478801".into());
    r.cert_serial_number = Some("3C3BBC2B9F5BF4F2".into());
    r
}

fn risk_script(s: RiskScript) -> V2Script {
    V2Script {
        querymchrisk: s,
        ..V2Script::default()
    }
}

#[test]
fn querymchrisk_every_level_end_to_end() {
    let (sim, m) = (sim(), merchant());
    let key = risk_key(&sim, &m);
    let req = risk_req(&m);
    let mut rng = common::rng(5);
    for (wire_level, expected) in [
        ("LOW", RiskLevel::Low),
        ("UNKNOW", RiskLevel::Unknown),
        ("FORBIDDEN", RiskLevel::Forbidden),
        ("HIGH", RiskLevel::Other("HIGH".into())),
        ("MEDIUM", RiskLevel::Other("MEDIUM".into())),
        ("SOMETHING_NEW", RiskLevel::Other("SOMETHING_NEW".into())),
    ] {
        let http = req.build(&m.api_v2_key, &key, &mut rng).unwrap();
        assert!(http.requires_client_certificate());
        let r = send(
            &sim,
            http,
            &risk_script(RiskScript::level(wire_level, "风险描述")),
        );
        assert!(!body_str(&r).contains("<sign>"), "the reply is unsigned");
        let out = req.parse_reply(resp(&r)).unwrap();
        assert_eq!(out.risk_level, expected);
        assert_eq!(out.risk_level.as_str(), wire_level);
        assert_eq!(out.risk_level_desc, "风险描述");
        assert_eq!(out.mch_id, m.mchid.as_str());
    }
}

#[test]
fn querymchrisk_fields_are_encrypted_and_decrypt_on_the_simulator() {
    let (sim, m) = (sim(), merchant());
    let key = risk_key(&sim, &m);
    let req = risk_req(&m);
    let mut rng = common::rng(6);
    let http = req.build(&m.api_v2_key, &key, &mut rng).unwrap();
    assert_eq!(http.uri().to_string(), querymchrisk::URL);
    let f = wire::xml::parse(http.body()).unwrap();
    assert_eq!(f.get("sign_type"), Some("HMAC-SHA256"));
    assert_eq!(f.get("sign").unwrap().len(), 64);
    assert_eq!(
        wire::sign::verify_fields(&f, &m.api_v2_key, Some(SignType::HmacSha256)),
        Ok(SignType::HmacSha256)
    );
    for name in [
        "certificates_number",
        "certificates_name",
        "settlement_card_no",
        "settlement_card_name",
        "business_license_number",
    ] {
        assert_eq!(
            f.get(name).unwrap().len(),
            344,
            "{name} is one RSA-2048 block in base64"
        );
    }
    assert_eq!(f.get("company_name"), Some("XXXXX有限公司"));
    assert_eq!(f.get("store_latitude"), Some("22.5461478801"));
    assert_eq!(f.get("cert_serial_number"), Some("3C3BBC2B9F5BF4F2"));
    let body = body_str_req(http.body());
    assert!(!body.contains(ID) && !body.contains("张三") && !body.contains("6222020200112233445"));
    let plain = sim.querymchrisk_decrypt(&f, &mut rng).unwrap();
    let got: Vec<(&str, &str)> = plain.iter().map(|(k, v)| (*k, v.expose())).collect();
    assert_eq!(
        got,
        [
            ("certificates_number", ID),
            ("certificates_name", "张三"),
            ("settlement_card_no", "6222020200112233445"),
            ("settlement_card_name", "张三"),
            ("business_license_number", "91440300MA5XXXXXXX"),
        ]
    );
    // Fresh randomness per call: two builds never share ciphertexts.
    let again = wire::xml::parse(req.build(&m.api_v2_key, &key, &mut rng).unwrap().body()).unwrap();
    assert_ne!(
        again.get("certificates_number"),
        f.get("certificates_number")
    );
}

fn body_str_req(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap()
}

#[test]
fn querymchrisk_seed_example() {
    // Seed 004's example values (the doc's encrypted-field examples are hex placeholders; a real
    // ID stands in). Note the doc's longitude/latitude examples are swapped; not range-checked.
    let key = ApiV2Key::new(DOC_KEY).unwrap();
    let pk = PublicKey::from_pem(common::text("getpublickey_pkcs1.pem")).unwrap();
    let mut req = QueryMchRiskRequest::new(
        MchId::new("1900000109").unwrap(),
        Nonce::new("C380BEC2BFD787A4B6845227519F3AD6").unwrap(),
    );
    req.cert_serial_number = Some("XXXXX".into());
    req.certificates_number = Some(Personal::new(ID));
    req.settlement_card_bank = Some("招商银行科技园支行".into());
    req.company_name = Some("XXXXX有限公司".into());
    req.store_address = Some("广东省深圳市南山区深南大道10000号".into());
    req.store_longitude = Some("22.5461478801".into());
    req.store_latitude = Some("113.9410519639".into());
    let http = req.build(&key, &pk, &mut common::rng(8)).unwrap();
    let f = wire::xml::parse(http.body()).unwrap();
    assert_eq!(f.get("nonce_str"), Some("C380BEC2BFD787A4B6845227519F3AD6"));
    assert_eq!(f.get("store_longitude"), Some("22.5461478801"));
    assert!(
        f.get("certificates_name").is_none(),
        "absent fields are not sent"
    );
    assert_eq!(
        wire::sign::verify_fields(&f, &key, Some(SignType::HmacSha256)),
        Ok(SignType::HmacSha256)
    );
    // The seed's reply example: LOW / 低风险, no sign.
    let reply = "<xml><return_code>SUCCESS</return_code><return_msg></return_msg>\
                 <result_code>SUCCESS</result_code><mch_id>1900000109</mch_id>\
                 <risk_level>LOW</risk_level><risk_level_desc>低风险</risk_level_desc></xml>";
    let out: MchRiskOutcome = req.parse_reply(resp(&raw(200, reply.as_bytes()))).unwrap();
    assert_eq!(out.risk_level, RiskLevel::Low);
    assert_eq!(out.risk_level_desc, "低风险");
    // The seed's return_msg example 签名失败 on a FAIL reply.
    let fail = "<xml><return_code>FAIL</return_code><return_msg>签名失败</return_msg></xml>";
    assert_eq!(
        req.parse_reply(resp(&raw(200, fail.as_bytes())))
            .unwrap_err(),
        QueryMchRiskError::Reply(ReplyError::ReturnFail {
            return_code: "FAIL".into(),
            return_msg: Some("签名失败".into())
        })
    );
}

#[test]
fn querymchrisk_failures_end_to_end() {
    let (sim, m) = (sim(), merchant());
    let key = risk_key(&sim, &m);
    let req = risk_req(&m);
    let mut rng = common::rng(9);

    // Scripted business failure.
    let script = risk_script(RiskScript::Fail {
        err_code: "SYSTEMERROR".into(),
        err_code_des: "系统繁忙".into(),
    });
    let r = send(
        &sim,
        req.build(&m.api_v2_key, &key, &mut rng).unwrap(),
        &script,
    );
    assert_eq!(
        req.parse_reply(resp(&r)).unwrap_err(),
        QueryMchRiskError::Business {
            err_code: Some("SYSTEMERROR".into()),
            err_code_des: Some("系统繁忙".into())
        }
    );

    // Encrypted under another key: WeChat cannot decrypt it.
    let other_key = PublicKey::from_pem(common::text("test_platform_public_key.pem")).unwrap();
    let r = send(
        &sim,
        req.build(&m.api_v2_key, &other_key, &mut rng).unwrap(),
        &V2Script::default(),
    );
    assert_eq!(
        req.parse_reply(resp(&r)).unwrap_err(),
        QueryMchRiskError::Business {
            err_code: Some("PARAM_ERROR".into()),
            err_code_des: Some("certificates_number解密失败".into())
        }
    );

    // Signed with the wrong APIv2 key.
    let r = send(
        &sim,
        req.build(&wrong_key(), &key, &mut rng).unwrap(),
        &V2Script::default(),
    );
    assert_eq!(
        req.parse_reply(resp(&r)).unwrap_err(),
        QueryMchRiskError::Reply(ReplyError::ReturnFail {
            return_code: "FAIL".into(),
            return_msg: Some("签名错误".into())
        })
    );

    // No client certificate presented.
    let mut http = req
        .build(&m.api_v2_key, &key, &mut rng)
        .unwrap()
        .into_http();
    http.extensions_mut().clear();
    let r = sim.querymchrisk(&http, &mut rng, &RiskScript::default());
    assert!(matches!(
        req.parse_reply(resp(&r)),
        Err(QueryMchRiskError::Reply(ReplyError::ReturnFail { .. }))
    ));

    // An MD5-signed body (not something the typed API can produce) is refused.
    let md5 = wire::request::post_xml(
        querymchrisk::URL,
        &[
            ("mch_id", m.mchid.as_str()),
            ("nonce_str", "n"),
            ("company_name", "X"),
            ("sign_type", "MD5"),
        ],
        &m.api_v2_key,
        SignType::Md5,
        true,
    )
    .unwrap();
    let r = send(&sim, md5, &V2Script::default());
    assert!(body_str(&r).contains("PARAM_ERROR:sign_type"));

    // Another service provider id.
    let mut other = risk_req(&m);
    other.mch_id = MchId::new("1900000110").unwrap();
    let r = send(
        &sim,
        other.build(&m.api_v2_key, &key, &mut rng).unwrap(),
        &V2Script::default(),
    );
    assert!(matches!(
        other.parse_reply(resp(&r)),
        Err(QueryMchRiskError::Business { .. })
    ));

    // Only non-identifying fields: every business field is optional in the document's table,
    // so the simulator answers (it used to refuse with "至少提供一种商户信息").
    let bare = wire::request::post_xml(
        querymchrisk::URL,
        &[
            ("mch_id", m.mchid.as_str()),
            ("nonce_str", "n"),
            ("store_address", "x"),
        ],
        &m.api_v2_key,
        SignType::HmacSha256,
        true,
    )
    .unwrap();
    let r = send(&sim, bare, &V2Script::default());
    assert!(
        body_str(&r).contains("<risk_level>LOW</risk_level>"),
        "{}",
        body_str(&r)
    );
}

#[test]
fn querymchrisk_reply_parsing() {
    let req = risk_req(&merchant());
    let p = |status: u16, body: &str| req.parse_reply(resp(&raw(status, body.as_bytes())));
    assert_eq!(p(500, "").unwrap_err(), QueryMchRiskError::HttpStatus(500));
    assert!(matches!(
        p(200, "<xml><a>1</a><a>2</a></xml>"),
        Err(QueryMchRiskError::Reply(ReplyError::Xml(_)))
    ));
    assert_eq!(
        p(200, "<xml><result_code>SUCCESS</result_code></xml>").unwrap_err(),
        QueryMchRiskError::Reply(ReplyError::MissingReturnCode)
    );
    let mch = req.mch_id.as_str().to_owned();
    assert_eq!(
        p(
            200,
            &format!("<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code><mch_id>{mch}</mch_id></xml>")
        )
        .unwrap_err(),
        QueryMchRiskError::MissingReplyField("risk_level")
    );
    assert_eq!(
        p(
            200,
            "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code><mch_id>1</mch_id><risk_level>LOW</risk_level></xml>"
        )
        .unwrap_err(),
        QueryMchRiskError::Reply(ReplyError::Mismatch("mch_id".into()))
    );
    // mch_id and result_code are required, not "compared if present".
    assert_eq!(
        p(
            200,
            "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code><risk_level>LOW</risk_level></xml>"
        )
        .unwrap_err(),
        QueryMchRiskError::Reply(ReplyError::MissingField("mch_id".into()))
    );
    assert_eq!(
        p(
            200,
            &format!("<xml><return_code>SUCCESS</return_code><mch_id>{mch}</mch_id><risk_level>LOW</risk_level></xml>")
        )
        .unwrap_err(),
        QueryMchRiskError::Reply(ReplyError::MissingResultCode)
    );
    // A stray sign on this unsigned endpoint is not checked; no risk_level_desc → empty.
    let out = p(
        200,
        &format!("<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code><mch_id>{mch}</mch_id><risk_level>UNKNOW</risk_level><sign>X</sign></xml>"),
    )
    .unwrap();
    assert_eq!(out.risk_level, RiskLevel::Unknown);
    assert_eq!(out.risk_level_desc, "");
}

#[test]
fn querymchrisk_validation() {
    let m = merchant();
    let pk = PublicKey::from_pem(common::text("getpublickey_pkcs1.pem")).unwrap();
    let text = "printable characters (no control characters, no U+FFFE/U+FFFF)";
    type Edit = fn(&mut QueryMchRiskRequest);
    let cases: &[(Edit, FieldError)] = &[
        (
            |r| r.cert_serial_number = Some("S".repeat(33)),
            FieldError::Length {
                field: "cert_serial_number",
                min: 1,
                max: 32,
                len: 33,
            },
        ),
        (
            |r| r.certificates_number = Some(Personal::new("110105194912310021")),
            FieldError::IdNumber {
                field: "certificates_number",
            },
        ),
        (
            |r| r.certificates_number = Some(Personal::new("11010519491231002x")),
            FieldError::LowercaseX {
                field: "certificates_number",
            },
        ),
        (
            |r| r.certificates_name = Some(Personal::new("张\r\n")),
            charset("certificates_name", text),
        ),
        (
            |r| r.certificates_name = Some(Personal::new("张".repeat(65))),
            FieldError::Length {
                field: "certificates_name",
                min: 1,
                max: 64,
                len: 65,
            },
        ),
        (
            |r| r.settlement_card_no = Some(Personal::new("6222-0202")),
            charset("settlement_card_no", "ASCII digits"),
        ),
        (
            |r| r.settlement_card_no = Some(Personal::new("6".repeat(33))),
            FieldError::Length {
                field: "settlement_card_no",
                min: 1,
                max: 32,
                len: 33,
            },
        ),
        (
            |r| r.settlement_card_name = Some(Personal::new("a\u{0}")),
            charset("settlement_card_name", text),
        ),
        (
            |r| r.settlement_card_bank = Some("行".repeat(129)),
            FieldError::Length {
                field: "settlement_card_bank",
                min: 1,
                max: 128,
                len: 129,
            },
        ),
        (
            |r| r.business_license_number = Some(Personal::new("9144 0300")),
            charset("business_license_number", "visible ASCII"),
        ),
        (
            |r| r.company_name = Some("X公司\r\n<sign>".into()),
            charset("company_name", text),
        ),
        (
            |r| r.store_address = Some("址".repeat(257)),
            FieldError::Length {
                field: "store_address",
                min: 1,
                max: 256,
                len: 257,
            },
        ),
        (
            |r| r.store_longitude = Some("113.9E".into()),
            charset("store_longitude", "[0-9.+-]"),
        ),
        (
            |r| r.store_latitude = Some("2".repeat(33)),
            FieldError::Length {
                field: "store_latitude",
                min: 1,
                max: 32,
                len: 33,
            },
        ),
    ];
    for (i, (edit, expected)) in cases.iter().enumerate() {
        let mut r = risk_req(&m);
        edit(&mut r);
        let e = r
            .build(&m.api_v2_key, &pk, &mut common::rng(1))
            .unwrap_err();
        assert_eq!(e, QueryMchRiskError::Field(expected.clone()), "case {i}");
        assert!(!format!("{e:?}").contains("张"));
    }
    // None of the identifying fields (empty strings count as absent): valid (the document's
    // table marks every business field optional); the opt-in check refuses it.
    let mut r = QueryMchRiskRequest::new(m.mchid.clone(), Nonce::new("n").unwrap());
    r.store_address = Some("广东省深圳市".into());
    r.certificates_name = Some(Personal::new(""));
    r.company_name = Some(String::new());
    let expected = FieldError::NoneOf {
        fields: querymchrisk::IDENTIFYING_FIELDS,
    };
    assert_eq!(r.validate(), Ok(()));
    assert_eq!(r.require_identifying_field(), Err(expected));
    assert!(r.build(&m.api_v2_key, &pk, &mut common::rng(1)).is_ok());
    // Each identifying field alone satisfies the opt-in check.
    for edit in [
        (|r: &mut QueryMchRiskRequest| r.company_name = Some("X".into())) as Edit,
        |r| r.certificates_name = Some(Personal::new("张三")),
        |r| r.settlement_card_no = Some(Personal::new("6222")),
        |r| r.settlement_card_name = Some(Personal::new("张三")),
        |r| r.business_license_number = Some(Personal::new("91440300MA5XXXXXXX")),
        |r| r.certificates_number = Some(Personal::new(ID)),
    ] {
        let mut r = QueryMchRiskRequest::new(m.mchid.clone(), Nonce::new("n").unwrap());
        edit(&mut r);
        assert_eq!(r.validate(), Ok(()));
        assert_eq!(r.require_identifying_field(), Ok(()));
    }
    // A name of 60 four-byte characters passes the character limit but not the OAEP limit.
    let mut r = QueryMchRiskRequest::new(m.mchid.clone(), Nonce::new("n").unwrap());
    r.certificates_name = Some(Personal::new("😀".repeat(60)));
    assert_eq!(
        r.build(&m.api_v2_key, &pk, &mut common::rng(1))
            .unwrap_err(),
        QueryMchRiskError::Encrypt {
            field: "certificates_name",
            source: CipherError::TooLong { len: 240, max: 214 }
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------

#[test]
fn handle_v2_routing() {
    let (sim, m) = (sim(), merchant());
    let mut rng = common::rng(10);
    let script = V2Script::default();
    let get = |url: &str| http::Request::get(url).body(Vec::new()).unwrap();
    assert!(
        sim.handle_v2(
            &get("https://api.mch.weixin.qq.com/pay/orderquery"),
            0,
            &mut rng,
            &script
        )
        .is_none()
    );
    // realnameauth lives on the fraud host only.
    let r = sim
        .handle_v2(
            &get("https://api.mch.weixin.qq.com/secsvc/realnameauth"),
            0,
            &mut rng,
            &script,
        )
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let req = rna(&m, SignType::Md5);
    assert_eq!(
        req.parse_reply(resp(&r), &m.api_v2_key).unwrap_err(),
        RealNameAuthError::HttpStatus(404)
    );
    // Wrong methods.
    for url in [realnameauth::URL, querymchrisk::URL, getpublickey::URL] {
        let r = sim.handle_v2(&get(url), 0, &mut rng, &script).unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "{url}");
    }
    for url in [nameauth::URL, oauth::GET_ACCESS_TOKEN_URL] {
        let post = http::Request::post(url).body(Vec::new()).unwrap();
        let r = sim.handle_v2(&post, 0, &mut rng, &script).unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "{url}");
    }
    // Malformed bodies and missing fields get FAIL replies.
    let post = |url: &str, body: &[u8]| http::Request::post(url).body(body.to_vec()).unwrap();
    let r = sim
        .handle_v2(&post(realnameauth::URL, b"<xml>"), 0, &mut rng, &script)
        .unwrap();
    assert!(body_str(&r).contains("XML格式错误"));
    let partial = wire::request::post_xml(
        realnameauth::URL,
        &[
            ("mch_id", m.mchid.as_str()),
            ("nonce_str", "n"),
            ("sign_type", "MD5"),
        ],
        &m.api_v2_key,
        SignType::Md5,
        false,
    )
    .unwrap();
    let r = send(&sim, partial, &script);
    assert!(body_str(&r).contains("缺少参数version"));
    let r = sim
        .handle_v2(
            &get(&format!("{}?mch_id=1", oauth::GET_ACCESS_TOKEN_URL)),
            0,
            &mut rng,
            &script,
        )
        .unwrap();
    assert_eq!(
        token_req(&m).parse_reply(resp(&r)).unwrap_err(),
        OAuthError::Retcode {
            retcode: -1,
            retmsg: "缺少参数appid".into()
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Robustness: nothing from the network panics
// ---------------------------------------------------------------------------------------------

mod robustness {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn parsers_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512),
                               status in 100u16..600) {
            let m = merchant();
            let r = raw(status, &body);
            let _ = rna(&m, SignType::HmacSha256).parse_reply(resp(&r), &m.api_v2_key);
            let _ = token_req(&m).parse_reply(resp(&r));
            let _ = na_req().parse_reply(resp(&r));
            let _ = risk_req(&m).parse_reply(resp(&r));
            let _ = gpk_req(&m, SignType::Md5).parse_reply(resp(&r));
        }

        #[test]
        fn jsonp_wrapped_text_parses_or_errors(callback in "[A-Za-z_$][A-Za-z0-9_$.]{0,20}",
                                               code in any::<i64>(),
                                               status in "[0-9]{0,2}",
                                               notmatch in "[0-9|%C]{0,6}") {
            let body = format!(
                "{callback}({{\"error_code\":{code},\"nameauth_status\":\"{status}\",\"notmatch_param\":\"{notmatch}\"}});"
            );
            let got = na_req().parse_reply(resp(&raw(200, body.as_bytes())));
            let expected = NameAuthStatus::from_reply(code, &status, &notmatch).map_err(NameAuthError::from);
            prop_assert_eq!(got.map(|o| o.status), expected);
        }

        #[test]
        fn simulator_handlers_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512),
                                          query in "[a-z_=&%0-9A-F]{0,64}") {
            let sim = sim();
            let mut rng = common::rng(1);
            for url in [realnameauth::URL, querymchrisk::URL, getpublickey::URL] {
                let mut req = http::Request::post(url).body(body.clone()).unwrap();
                req.extensions_mut().insert(wechatpay_sansio::request::ClientCertificateRequired);
                prop_assert!(sim.handle_v2(&req, 0, &mut rng, &V2Script::default()).is_some());
            }
            for url in [nameauth::URL, oauth::GET_ACCESS_TOKEN_URL] {
                let req = http::Request::get(format!("{url}?{query}")).body(Vec::new()).unwrap();
                prop_assert!(sim.handle_v2(&req, 0, &mut rng, &V2Script::default()).is_some());
            }
        }
    }
}
