//! The legacy `cgi-bin/nameauth/nameautheasy` end to end: its own MD5 sign, every status letter,
//! its error codes, JSON and JSONP replies, validation. Every key here is TEST ONLY.

// Named, not globbed: explicit imports win over `crate::common::*`, which may grow.
use super::v2_shared::{APPID, ID, OPENID, charset};
use crate::assert_matches;
use crate::common::*;
use wechatpay_sansio::api::nameauth::{
    HexCase, NameAuthOutcome, NameAuthRequest, NameAuthStatus, ReplyType, UnverifiedReason,
};
use wechatpay_sansio::api::{ApiError, NameAuthCode, Operation, nameauth};
use wechatpay_sansio::error::FieldError;
use wechatpay_sansio::error::{Classify, Disposition};
use wechatpay_sansio::http::{HeaderMap, StatusCode};
use wechatpay_sansio::merchant::Merchant;
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::secret::{NameAuthKey, Personal};
use wechatpay_sansio::simulator::Script;
use wechatpay_sansio::simulator::v2::{NameAuthScript, TEST_NAMEAUTH_KEY, TEST_NAMEAUTH_SRC};

fn na_key() -> NameAuthKey {
    NameAuthKey::new(TEST_NAMEAUTH_KEY).unwrap()
}

/// The request every test starts from (`src` and key: the simulator merchant's).
pub fn na_req() -> NameAuthRequest {
    NameAuthRequest::new(APPID, OPENID, Personal::new("张三"), Personal::new(ID))
}

fn na_script(s: NameAuthScript) -> Script {
    Script {
        nameauth: s,
        ..Script::default()
    }
}

fn na_run_as(
    m: &Merchant,
    req: &NameAuthRequest,
    script: NameAuthScript,
) -> Result<NameAuthOutcome, ApiError> {
    let r = send(
        &sim(),
        req.build(m, &mut rng(1), NOW).unwrap(),
        &na_script(script),
    );
    req.parse_reply(m, resp(&r), NOW)
}

fn na_run(req: &NameAuthRequest, script: NameAuthScript) -> Result<NameAuthOutcome, ApiError> {
    na_run_as(&merchant(), req, script)
}

fn service(code: NameAuthCode) -> ApiError {
    ApiError::NameAuth(code)
}

#[test]
fn sign_vector_and_url() {
    let req = na_req();
    // md5("appid=…&creid=…&cretype=1&openid=…&src=TESTONLYsrc&truename=张三&key=TESTONLYnameauthKey0001"),
    // computed independently with Python hashlib.
    assert_eq!(
        req.sign(TEST_NAMEAUTH_SRC, &na_key()).unwrap().as_str(),
        "dd570ac4a031ed4c3f1a9801a883ad23"
    );
    let mut upper = na_req();
    upper.hex_case = HexCase::Upper;
    upper.reply_type = ReplyType::Jsonp;
    assert_eq!(
        upper.sign(TEST_NAMEAUTH_SRC, &na_key()).unwrap().as_str(),
        "DD570AC4A031ED4C3F1A9801A883AD23"
    );
    // `type` does not take part in the sign.
    let m = merchant();
    let http = req.build(&m, &mut rng(1), NOW).unwrap();
    assert_eq!(
        http.uri().to_string(),
        format!(
            "{}?appid={APPID}&openid={OPENID}&src=TESTONLYsrc&truename=%E5%BC%A0%E4%B8%89\
             &creid={ID}&cretype=1&sign=dd570ac4a031ed4c3f1a9801a883ad23&type=json",
            nameauth::ENDPOINT.url().as_str()
        )
    );
    assert_eq!(http.method(), http::Method::GET);
    assert!(
        upper
            .build(&m, &mut rng(1), NOW)
            .unwrap()
            .uri()
            .to_string()
            .ends_with("&sign=DD570AC4A031ED4C3F1A9801A883AD23&type=jsonp")
    );
    let dbg = format!("{req:?}");
    assert!(!dbg.contains("张三") && !dbg.contains(ID));
}

#[test]
fn every_letter_end_to_end() {
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
                let case = format!("{reply_type:?} as_string={as_string} {script:?}");
                let mut req = na_req();
                req.reply_type = reply_type;
                let mut script = script.clone();
                script.error_code_as_string = as_string;
                script.name_mask = "*三".into();
                let out = na_run(&req, script).unwrap();
                assert_eq!(&out.status, expected, "{case}");
                assert_eq!(out.status.letter(), *letter, "{case}");
                assert_eq!(out.name_mask.expose_secret(), "*三", "{case}");
                assert!(!format!("{out:?}").contains("*三"), "{case}");
            }
        }
    }
}

#[test]
fn service_errors_end_to_end() {
    for (code, expected) in [
        (1000, NameAuthCode::EmptyParameter),
        (1001, NameAuthCode::InvalidSrc),
        (1002, NameAuthCode::SignatureRejected),
        (1007, NameAuthCode::IpNotAuthorized),
        (-1, NameAuthCode::Other("-1".into())),
        (9999, NameAuthCode::Other("9999".into())),
    ] {
        let e = na_run(&na_req(), NameAuthScript::error(code)).unwrap_err();
        assert_eq!(e, service(expected.clone()), "{code}");
        // (was `ServiceError::code() -> i64`; the open enum keeps the wire text)
        assert_eq!(expected.as_str(), code.to_string());
        assert_eq!(NameAuthCode::from_wire(&code.to_string()), expected);
        assert!(e.to_string().contains(&code.to_string()), "{code}");
        // 1000/1001/1002/1007 are ours to fix; any other code is the document's 系统错误.
        let disposition = if matches!(expected, NameAuthCode::Other(_)) {
            Disposition::Transient
        } else {
            Disposition::Misconfigured
        };
        assert_eq!(e.disposition(), disposition, "{code}");
    }
    // The simulator's own checks: wrong src → 1001, wrong key → 1002.
    let other_src = merchant().with_nameauth("othersrc", na_key());
    assert_eq!(
        na_run_as(&other_src, &na_req(), NameAuthScript::default()).unwrap_err(),
        service(NameAuthCode::InvalidSrc)
    );
    let wrong_key =
        merchant().with_nameauth(TEST_NAMEAUTH_SRC, NameAuthKey::new("wrongkey").unwrap());
    let r = send(
        &sim(),
        na_req().build(&wrong_key, &mut rng(1), NOW).unwrap(),
        &Script::default(),
    );
    assert_eq!(
        na_req()
            .parse_reply(&merchant(), resp(&r), NOW)
            .unwrap_err(),
        service(NameAuthCode::SignatureRejected)
    );
    // A server that insists on upper-case hex rejects the default lower case (→ try Upper).
    let strict = NameAuthScript {
        required_hex_case: Some(HexCase::Upper),
        ..NameAuthScript::default()
    };
    assert_eq!(
        na_run(&na_req(), strict.clone()).unwrap_err(),
        service(NameAuthCode::SignatureRejected)
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
        nameauth::ENDPOINT.url().as_str()
    );
    let http = http::Request::get(url).body(Vec::new()).unwrap();
    let r = sim()
        .handle_v2(&http, NOW, &mut rng(1), &Script::default())
        .unwrap();
    assert!(body_str(&r).starts_with("jq_1({"));
    assert_eq!(
        na_req()
            .parse_reply(&merchant(), resp(&r), NOW)
            .unwrap_err(),
        service(NameAuthCode::EmptyParameter)
    );
}

#[test]
fn reply_parsing() {
    let (req, m) = (na_req(), merchant());
    let p = |status: u16, body: &str| req.parse_reply(&m, resp(&raw(status, body.as_bytes())), NOW);
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
    // The same without the request at hand.
    assert_eq!(
        nameauth::read_reply(
            &m,
            resp(&raw(
                200,
                b"cb({\"error_code\":0,\"nameauth_status\":\"1\"})"
            )),
            NOW
        )
        .unwrap()
        .status,
        NameAuthStatus::Verified
    );
    let too_large = format!(
        "{{\"error_code\":0,\"x\":\"{}\"}}",
        "a".repeat(nameauth::MAX_REPLY)
    );
    let cases: Vec<(&str, u16, &str, ApiError)> = vec![
        ("HTTP 404", 404, "{}", ApiError::HttpStatus(404)),
        ("HTML", 200, "<html>", ApiError::NotJson),
        ("JSONP around a number", 200, "cb(1)", ApiError::NotJson),
        (
            "no error_code",
            200,
            r#"{"nameauth_status":"1"}"#,
            ApiError::MissingField("error_code".into()),
        ),
        (
            "error_code not a number",
            200,
            r#"{"error_code":"x"}"#,
            ApiError::InvalidField("error_code"),
        ),
        (
            "larger than MAX_REPLY",
            200,
            &too_large,
            ApiError::TooLarge {
                len: too_large.len(),
                max: nameauth::MAX_REPLY,
            },
        ),
    ];
    for (case, status, body, expected) in cases {
        let e = p(status, body).unwrap_err();
        assert_eq!(e, expected, "{case}");
        let disposition = if status == 404 {
            Disposition::Misconfigured
        } else {
            Disposition::Untrusted
        };
        assert_eq!(e.disposition(), disposition, "{case}");
    }
    assert_matches!(
        p(200, r#"{"error_code":0,"name_mask":["刘*"]}"#),
        Err(ApiError::Json { .. })
    );
    let e = p(200, r#"{"error_code":0,"name_mask":刘某某}"#).unwrap_err();
    assert_matches!(e, ApiError::Json { .. });
    assert!(!format!("{e} {e:?}").contains("刘"));
}

#[test]
fn validation() {
    // Each case edits the request or the merchant's `src` (which moved to the merchant).
    type Edit = fn(&mut NameAuthRequest, &mut String);
    let text = "printable characters (no control characters, no U+FFFE/U+FFFF)";
    let cases: &[(Edit, FieldError)] = &[
        (
            |r, _| r.appid = String::new(),
            FieldError::Missing { field: "appid" },
        ),
        (
            |r, _| r.openid = "o p".into(),
            charset("openid", "visible ASCII"),
        ),
        (
            |_, src| *src = "s\r\n".into(),
            charset("src", "visible ASCII"),
        ),
        (
            |_, src| *src = "s".repeat(65),
            FieldError::Length {
                field: "src",
                min: 1,
                max: 64,
                len: 65,
            },
        ),
        (
            |r, _| r.truename = Personal::new(""),
            FieldError::Missing { field: "truename" },
        ),
        (
            |r, _| r.truename = Personal::new("张\n三"),
            charset("truename", text),
        ),
        (
            |r, _| r.truename = Personal::new("张".repeat(65)),
            FieldError::Length {
                field: "truename",
                min: 1,
                max: 64,
                len: 65,
            },
        ),
        (
            |r, _| r.creid = Personal::new("11010519491231002x"),
            FieldError::LowercaseX { field: "creid" },
        ),
        (
            |r, _| r.creid = Personal::new("440000000000000000"),
            FieldError::IdNumber { field: "creid" },
        ),
        (
            |r, _| r.creid = Personal::new("1\r\n"),
            charset("creid", "visible ASCII"),
        ),
        (
            |r, _| r.cretype = 0,
            FieldError::NotInEnum {
                field: "cretype",
                allowed: "1..=9999",
            },
        ),
    ];
    for (i, (edit, expected)) in cases.iter().enumerate() {
        let case = format!("case {i} ({expected:?})");
        let (mut r, mut src) = (na_req(), TEST_NAMEAUTH_SRC.to_owned());
        edit(&mut r, &mut src);
        let m = merchant().with_nameauth(src.clone(), na_key());
        let e = r.build(&m, &mut rng(1), NOW).unwrap_err();
        assert_eq!(e, ApiError::Field(expected.clone()), "{case}");
        assert_eq!(e.disposition(), Disposition::Rejected, "{case}");
        assert_eq!(
            r.sign(&src, &na_key()).unwrap_err(),
            ApiError::Field(expected.clone()),
            "{case}"
        );
    }
    // Other cretypes skip the GB 11643 check.
    let mut r = na_req();
    r.cretype = 2;
    r.creid = Personal::new("E12345678");
    assert!(
        r.build(&merchant(), &mut rng(1), NOW)
            .unwrap()
            .uri()
            .to_string()
            .contains("&cretype=2&")
    );
    // A merchant without nameautheasy credentials.
    let e = na_req()
        .build(&Merchant::new("1900000109").unwrap(), &mut rng(1), NOW)
        .unwrap_err();
    assert_eq!(
        e,
        ApiError::NotConfigured(wechatpay_sansio::merchant::NotConfigured(
            "nameautheasy src and key"
        ))
    );
    assert_eq!(e.disposition(), Disposition::Misconfigured);
    // The key.
    assert_eq!(
        NameAuthKey::new("").unwrap_err(),
        FieldError::Missing { field: "key" }
    );
    assert_eq!(
        NameAuthKey::new("k\r\n").unwrap_err(),
        charset("key", "visible ASCII")
    );
    assert_matches!(
        NameAuthKey::new("k".repeat(257)),
        Err(FieldError::Length { field: "key", .. })
    );
}

/// JSONP (nameautheasy) with junk around it: each case is a typed error, quickly, never a panic.
#[test]
fn jsonp_with_junk_around_it() {
    use wechatpay_sansio::api::ApiError as NameAuthError;
    use wechatpay_sansio::api::nameauth::{self, NameAuthStatus};
    let h = HeaderMap::new();
    let m = crate::common::merchant();
    let parse =
        |b: &[u8]| nameauth::read_reply(&m, ResponseRef::new(StatusCode::OK, &h, b), t(T2023));
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
