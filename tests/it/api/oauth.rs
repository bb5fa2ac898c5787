//! The OAuth steps of `realnameauth`: the authorize URL and `appauth/getaccesstoken`, end to end
//! and on hand-made replies. Every key here is TEST ONLY.

use super::realnameauth::rna;
// Named, not globbed: explicit imports win over `crate::common::*`, which may grow.
use super::v2_shared::{APPID, OPENID, charset, doc_merchant, other_merchant, wrong_key_merchant};
use crate::assert_matches;
use crate::common::*;
use core::time::Duration;
use wechatpay_sansio::api::oauth::{self, AuthorizeUrl, GetAccessTokenRequest, Scope};
use wechatpay_sansio::api::{ApiError, Failure, Operation, Retcode};
use wechatpay_sansio::error::FieldError;
use wechatpay_sansio::error::{Classify, Disposition};
use wechatpay_sansio::simulator::Script;
use wechatpay_sansio::simulator::v2::AccessTokenScript;
use wechatpay_sansio::time::UnixTime;
use wechatpay_sansio::v2::SignType;

fn authorize() -> AuthorizeUrl {
    AuthorizeUrl::new(
        APPID,
        "https://merchant.example/realname/cb?step=2&x=中",
        "STATE123",
    )
}

/// The code exchange every test starts from (scope `pay_identity`).
pub fn token_req() -> GetAccessTokenRequest {
    GetAccessTokenRequest::new(APPID, OPENID, "CODE123")
}

fn token_script(s: AccessTokenScript) -> Script {
    Script {
        getaccesstoken: s,
        ..Script::default()
    }
}

fn oauth_failure(retcode: Retcode, retmsg: &str) -> ApiError {
    ApiError::OAuth {
        retcode,
        retmsg: retmsg.into(),
    }
}

#[test]
fn authorize_url() {
    let m = merchant();
    assert_eq!(authorize().scope, Scope::PayIdentity);
    let url = authorize().to_url(&m).unwrap();
    assert_eq!(
        url,
        "https://payapp.weixin.qq.com/appauth/authindex?mch_id=1900000109&appid=wx2421b1c4370ec43b\
         &redirect_uri=https%3A%2F%2Fmerchant.example%2Frealname%2Fcb%3Fstep%3D2%26x%3D%E4%B8%AD\
         &response_type=code&scope=pay_identity&state=STATE123#wechat_redirect"
    );
    let mut a = authorize();
    a.scope = Scope::PayRealname;
    a.state = String::new();
    assert!(
        a.to_url(&m)
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
        let mut a = authorize();
        edit(&mut a);
        assert_eq!(a.validate().as_ref(), Err(expected), "case {i}");
        assert_eq!(
            a.to_url(&m).unwrap_err(),
            ApiError::Field(expected.clone()),
            "case {i} ({expected:?})"
        );
    }
}

#[test]
fn getaccesstoken_request_shape() {
    let req = token_req();
    assert_eq!(req.scope, Scope::PayIdentity);
    let http = req.build(&doc_merchant(), &mut rng(1), NOW).unwrap();
    assert_eq!(http.method(), http::Method::GET);
    assert!(http.body().is_empty());
    assert_eq!(
        http.uri().to_string(),
        format!(
            "{}?mch_id=1900000109&appid={APPID}&openid={OPENID}&code=CODE123\
             &grant_type=authorization_code&scope=pay_identity&sign_type=HMAC-SHA256\
             &sign=3D8BEFD0FA23D8362DC11549EA13A2D78051061F9B48A09CDF84EA0CFE6FEC07",
            oauth::ENDPOINT.url().as_str()
        )
    );
}

#[test]
fn getaccesstoken_end_to_end_then_realnameauth() {
    let (sim, m) = (sim(), merchant());
    let req = token_req();
    for numbers_as_strings in [false, true] {
        let script = token_script(AccessTokenScript::Grant {
            access_token: "81_TESTONLYgranted".into(),
            access_token_expire_in: 300,
            refresh_token: "81_TESTONLYrefresh".into(),
            refresh_token_expire_in: 2_592_000,
            numbers_as_strings,
        });
        let r = send(&sim, req.build(&m, &mut rng(1), NOW).unwrap(), &script);
        assert_eq!(
            body_str(&r).contains("\"access_token_expire_in\":\"300\""),
            numbers_as_strings
        );
        let grant = req.parse_reply(&m, resp(&r), NOW).unwrap();
        assert_eq!(grant.access_token.expose_secret(), "81_TESTONLYgranted");
        assert_eq!(grant.access_token_expires_in, Duration::from_secs(300));
        assert_eq!(
            grant.access_token_expires_at,
            NOW + Duration::from_secs(300)
        );
        assert_eq!(
            grant.refresh_token.as_ref().map(|t| t.expose_secret()),
            Some("81_TESTONLYrefresh")
        );
        assert_eq!(
            grant.refresh_token_expires_in,
            Some(Duration::from_secs(2_592_000))
        );
        assert!(!format!("{grant:?}").contains("81_TESTONLY"));

        // The token feeds realnameauth.
        let mut rn = rna(SignType::HmacSha256);
        rn.access_token = grant.access_token.clone();
        let r = send(
            &sim,
            rn.build(&m, &mut rng(1), NOW).unwrap(),
            &Script::default(),
        );
        assert!(rn.parse_reply(&m, resp(&r), NOW).unwrap().is_match());
    }
}

#[test]
fn getaccesstoken_failures() {
    let (sim, m) = (sim(), merchant());
    let req = token_req();
    let script = token_script(AccessTokenScript::Fail {
        retcode: -1,
        retmsg: "invalid code".into(),
    });
    let r = send(&sim, req.build(&m, &mut rng(1), NOW).unwrap(), &script);
    let e = req.parse_reply(&m, resp(&r), NOW).unwrap_err();
    assert_eq!(e, oauth_failure(Retcode::Failed, "invalid code"));
    assert_eq!(e.disposition(), Disposition::Rejected);
    // Signed with the wrong key: the simulator refuses it.
    let r = send(
        &sim,
        req.build(&wrong_key_merchant(), &mut rng(1), NOW).unwrap(),
        &Script::default(),
    );
    let e = req.parse_reply(&m, resp(&r), NOW).unwrap_err();
    assert_eq!(e, oauth_failure(Retcode::Failed, "签名错误"));
    assert_eq!(e.disposition(), Disposition::Misconfigured);
    // Another merchant.
    let other = other_merchant();
    let r = send(
        &sim,
        req.build(&other, &mut rng(1), NOW).unwrap(),
        &Script::default(),
    );
    assert_matches!(
        req.parse_reply(&other, resp(&r), NOW),
        Err(e) if matches!(e.failure(), Some(Failure::OAuth { retcode: Retcode::Failed, .. }))
    );
}

#[test]
fn getaccesstoken_reply_parsing() {
    let (req, m) = (token_req(), merchant());
    let p = |status: u16, body: &str| req.parse_reply(&m, resp(&raw(status, body.as_bytes())), NOW);
    let long_token = format!(r#"{{"retcode":0,"access_token":"{}"}}"#, "t".repeat(129));
    let too_large = format!(
        "{{\"retcode\":0,\"x\":\"{}\"}}",
        "a".repeat(oauth::MAX_REPLY)
    );
    let cases: Vec<(&str, u16, &str, ApiError)> = vec![
        ("HTTP 500", 500, "{}", ApiError::HttpStatus(500)),
        (
            "no retcode",
            200,
            r#"{"retmsg":"ok"}"#,
            ApiError::MissingField("retcode".into()),
        ),
        (
            "retcode not a number",
            200,
            r#"{"retcode":"zero"}"#,
            // Any non-zero retcode is WeChat's failure answer (a string one included).
            oauth_failure(Retcode::Other("zero".into()), ""),
        ),
        (
            "retcode -1 as a string",
            200,
            r#"{"retcode":"-1"}"#,
            oauth_failure(Retcode::Failed, ""),
        ),
        (
            "no access_token",
            200,
            r#"{"retcode":0,"retmsg":"ok"}"#,
            ApiError::MissingField("access_token".into()),
        ),
        (
            "access_token with a space",
            200,
            r#"{"retcode":0,"access_token":"a b"}"#,
            ApiError::InvalidField("access_token"),
        ),
        (
            "access_token too long",
            200,
            &long_token,
            ApiError::InvalidField("access_token"),
        ),
        (
            "no access_token_expire_in",
            200,
            r#"{"retcode":0,"access_token":"t"}"#,
            ApiError::MissingField("access_token_expire_in".into()),
        ),
        (
            "negative access_token_expire_in",
            200,
            r#"{"retcode":0,"access_token":"t","access_token_expire_in":-5}"#,
            ApiError::InvalidField("access_token_expire_in"),
        ),
        (
            "refresh_token_expire_in not a number",
            200,
            r#"{"retcode":0,"access_token":"t","access_token_expire_in":" 7200 ","refresh_token_expire_in":"x"}"#,
            ApiError::InvalidField("refresh_token_expire_in"),
        ),
        (
            "larger than MAX_REPLY",
            200,
            &too_large,
            ApiError::TooLarge {
                len: too_large.len(),
                max: oauth::MAX_REPLY,
            },
        ),
    ];
    for (case, status, body, expected) in cases {
        assert_eq!(p(status, body).unwrap_err(), expected, "{case}");
    }
    // A string retcode seen in practice with a sign failure: a misconfiguration.
    let e = p(200, r#"{"retcode":"参数错误","retmsg":""}"#).unwrap_err();
    assert_eq!(e, oauth_failure(Retcode::Other("参数错误".into()), ""));
    assert_eq!(e.disposition(), Disposition::Misconfigured);
    assert_matches!(p(200, "<xml/>"), Err(ApiError::Json { line: 1, .. }));
    // A token in a malformed reply is not echoed in the error.
    for body in [
        r#"{"retcode":0,"access_token":81_SECRET}"#,
        r#"{"retcode":0,"access_token":["81_SECRET"]}"#,
    ] {
        let e = p(200, body).unwrap_err();
        assert_matches!(e, ApiError::Json { .. }, "{body}");
        assert!(!format!("{e} {e:?}").contains("SECRET"), "{body}");
        assert_eq!(e.disposition(), Disposition::Untrusted);
    }
    // Minimal success: no refresh token, BOM tolerated, unknown fields ignored.
    let minimal = "\u{FEFF}{\"retcode\":\"0\",\"access_token\":\"t\",\"access_token_expire_in\":\"7200\",\"openid\":\"o\"}";
    let g = p(200, minimal).unwrap();
    assert_eq!(g.access_token_expires_in, Duration::from_secs(7200));
    assert_eq!(g.access_token_expires_at, NOW + Duration::from_secs(7200));
    assert_eq!(g.refresh_token, None);
    assert_eq!(g.refresh_token_expires_in, None);
    // The expiry saturates at the largest instant (was `access_token_expires_at(u64::MAX)`).
    let end = UnixTime::from_secs(u64::MAX);
    let g = oauth::read_reply(&m, resp(&raw(200, minimal.as_bytes())), end).unwrap();
    assert_eq!(g.access_token_expires_at, end);
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
        let mut r = token_req();
        edit(&mut r);
        assert_eq!(
            r.build(&m, &mut rng(1), NOW).unwrap_err(),
            ApiError::Field(expected.clone()),
            "case {i} ({expected:?})"
        );
    }
}
