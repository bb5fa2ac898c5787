//! `secsvc/realnameauth` end to end: build → simulator → parse, for every outcome, plus
//! tampering, validation and the official document's example. Every key here is TEST ONLY.

// Named, not globbed: explicit imports win over `crate::common::*`, which may grow.
use super::v2_shared::{
    APPID, ID, NonceRng, OPENID, business, charset, doc_merchant, other_merchant, return_fail,
    wrong_key_merchant,
};
use crate::assert_matches;
use crate::common::*;
use wechatpay_sansio::api::realnameauth::{
    self, BindBankcard, CredType, Decision, RealNameAuthRequest, VerifyOpenid, VerifyRealName,
    Version,
};
use wechatpay_sansio::api::{ApiError, Operation};
use wechatpay_sansio::error::FieldError;
use wechatpay_sansio::error::{Classify, Disposition};
use wechatpay_sansio::secret::{AccessToken, Personal};
use wechatpay_sansio::simulator::Script;
use wechatpay_sansio::simulator::v2::RealNameAuthScript;
use wechatpay_sansio::v2::reply::{ErrCode, ReplyError};
use wechatpay_sansio::v2::sign::SignError;
use wechatpay_sansio::v2::{self as wire, SignType};

/// The token of [`rna`] (the simulator's default grant).
pub const TOKEN: &str = "81_TESTONLYaccessToken";

/// The request every test starts from: version 1.1, an ID card, [`TOKEN`].
pub fn rna(sign_type: SignType) -> RealNameAuthRequest {
    let mut r = RealNameAuthRequest::new(
        APPID,
        OPENID,
        Personal::new("刘某某"),
        CredType::IdCard,
        Personal::new(ID),
        AccessToken::new(TOKEN),
    );
    r.version = Version::V1_1;
    r.sign_type = sign_type;
    r
}

fn rna_script(s: RealNameAuthScript) -> Script {
    Script {
        realnameauth: s,
        ..Script::default()
    }
}

#[test]
fn every_combination_end_to_end() {
    let (sim, m) = (sim(), merchant());
    // `None`: the decision depends on verify_real_name.
    let openids: &[(&str, &[VerifyOpenid], Option<Decision>)] = &[
        (
            "V_OP_NA",
            &[VerifyOpenid::NotVerified],
            Some(Decision::UserNotVerified),
        ),
        ("V_OP_NM_MA", &[VerifyOpenid::NameMatches], None),
        (
            "V_OP_NM_UM",
            &[VerifyOpenid::NameMismatch],
            Some(Decision::NameMismatch),
        ),
        (
            "V_OP_NA;V_OP_NM_UM",
            &[VerifyOpenid::NotVerified, VerifyOpenid::NameMismatch],
            Some(Decision::UserNotVerified),
        ),
        ("V_OP_NEW", &[], Some(Decision::Undetermined)),
    ];
    let names: &[(Option<&str>, Option<VerifyRealName>, Decision)] = &[
        (None, None, Decision::Undetermined),
        (
            Some("V_NM_ID_MA"),
            Some(VerifyRealName::IdMatches),
            Decision::Match,
        ),
        (
            Some("V_NM_ID_UM"),
            Some(VerifyRealName::IdMismatch),
            Decision::IdMismatch,
        ),
        (
            Some("V_NM_ID_TYPE_UM"),
            Some(VerifyRealName::IdTypeMismatch),
            Decision::IdTypeMismatch,
        ),
        (
            Some("V_NM_ID_NEW"),
            Some(VerifyRealName::Other("V_NM_ID_NEW".into())),
            Decision::Undetermined,
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
        let req = rna(sign_type);
        for (vo, vo_expected, vo_decision) in openids {
            for (vn, vn_expected, vn_decision) in names {
                for (bb, bb_expected) in banks {
                    let case = format!("{sign_type:?} {vo} {vn:?} {bb:?}");
                    let script = rna_script(RealNameAuthScript::answer(vo, *vn, *bb));
                    let r = send(&sim, req.build(&m, &mut rng(1), NOW).unwrap(), &script);
                    let out = req.parse_reply(&m, resp(&r), NOW).unwrap();
                    let expected_vo: Vec<VerifyOpenid> = if vo_expected.is_empty() {
                        vec![VerifyOpenid::Other("V_OP_NEW".into())]
                    } else {
                        vo_expected.to_vec()
                    };
                    assert_eq!(out.verify_openid, expected_vo, "{case}");
                    assert_eq!(&out.verify_real_name, vn_expected, "{case}");
                    assert_eq!(&out.bind_bankcard, bb_expected, "{case}");
                    assert_eq!(out.mch_id, m.mchid().as_str(), "{case}");
                    assert_eq!(out.appid, APPID, "{case}");
                    assert_eq!(out.openid, OPENID, "{case}");
                    assert_eq!(
                        out.is_match(),
                        *vo == "V_OP_NM_MA" && *vn == Some("V_NM_ID_MA"),
                        "{case}"
                    );
                    assert_eq!(
                        out.decision(),
                        vo_decision.unwrap_or(*vn_decision),
                        "{case}"
                    );
                    // The openid is redacted in Debug.
                    assert!(!format!("{out:?}").contains(OPENID), "{case}");
                    runs += 1;
                }
            }
        }
    }
    assert_eq!(runs, 2 * 5 * 5 * 4);
}

#[test]
fn reply_is_signed_with_the_request_sign_type() {
    let (sim, m) = (sim(), merchant());
    for sign_type in [SignType::Md5, SignType::HmacSha256] {
        let req = rna(sign_type);
        let r = send(
            &sim,
            req.build(&m, &mut rng(1), NOW).unwrap(),
            &Script::default(),
        );
        let f = wire::xml::parse(r.body()).unwrap();
        assert_eq!(f.get("sign").unwrap().len(), sign_type.hex_len());
        assert_eq!(
            wire::sign::verify_fields(&f, m.api_v2_key().unwrap(), Some(sign_type)),
            Ok(sign_type)
        );
    }
}

#[test]
fn business_failures() {
    let (sim, m) = (sim(), merchant());
    let req = rna(SignType::HmacSha256);
    // Scripted FAIL.
    let script = rna_script(RealNameAuthScript::Fail {
        error_code: "SYSTEMERROR".into(),
        error_code_des: "系统错误".into(),
    });
    let r = send(&sim, req.build(&m, &mut rng(1), NOW).unwrap(), &script);
    let e = req.parse_reply(&m, resp(&r), NOW).unwrap_err();
    assert_eq!(e, business(ErrCode::SystemError, "系统错误"));
    assert!(e.to_string().contains("SYSTEMERROR"));
    assert_eq!(e.disposition(), Disposition::Transient);

    // Another merchant id: the seed documents no code for it; the simulator answers a return
    // FAIL (no invented error_code).
    let other = other_merchant();
    let r = send(
        &sim,
        req.build(&other, &mut rng(1), NOW).unwrap(),
        &Script::default(),
    );
    let e = req.parse_reply(&other, resp(&r), NOW).unwrap_err();
    assert_eq!(e, return_fail("PARAM_ERROR:mch_id"));
    assert_eq!(e.disposition(), Disposition::Misconfigured);
    assert!(!String::from_utf8_lossy(r.body()).contains("20002"));

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
        req.parse_reply(&m, resp(&r), NOW).unwrap_err(),
        business(ErrCode::ParamError, "参数错误")
    );
}

#[test]
fn tampered_replies_fail() {
    let (sim, m) = (sim(), merchant());
    let req = rna(SignType::HmacSha256);
    let good = send(
        &sim,
        req.build(&m, &mut rng(1), NOW).unwrap(),
        &rna_script(RealNameAuthScript::answer("V_OP_NM_UM", None, None)),
    );
    assert!(req.parse_reply(&m, resp(&good), NOW).is_ok());

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
    let edit = |from: &str, to: &str| raw(200, body_str(&good).replace(from, to).as_bytes());
    let md5_req = rna(SignType::Md5);
    let cases = [
        // Body altered: a mismatch turned into a match.
        (
            "body altered",
            req.parse_reply(&m, resp(&edit("V_OP_NM_UM", "V_OP_NM_MA")), NOW),
            ApiError::V2Reply(ReplyError::Sign(SignError::Mismatch)),
        ),
        // Sign altered (one hex digit).
        (
            "sign altered",
            req.parse_reply(&m, resp(&edit(sign, &flipped)), NOW),
            ApiError::V2Reply(ReplyError::Sign(SignError::Mismatch)),
        ),
        (
            "verified with the wrong key",
            req.parse_reply(&wrong_key_merchant(), resp(&good), NOW),
            ApiError::V2Reply(ReplyError::Sign(SignError::Mismatch)),
        ),
        (
            "sign removed",
            req.parse_reply(&m, resp(&edit(&format!("<sign>{sign}</sign>"), "")), NOW),
            ApiError::V2Reply(ReplyError::Sign(SignError::Missing)),
        ),
        // The request said MD5; an HMAC-signed reply is refused, not silently re-interpreted.
        (
            "MD5 request, HMAC reply",
            md5_req.parse_reply(&m, resp(&good), NOW),
            ApiError::V2Reply(ReplyError::Sign(SignError::Malformed { expected: 32 })),
        ),
        (
            "HTTP 502",
            req.parse_reply(&m, resp(&raw(502, b"")), NOW),
            ApiError::HttpStatus(502),
        ),
    ];
    for (case, got, expected) in cases {
        let e = got.unwrap_err();
        assert_eq!(e, expected, "{case}");
        let disposition = if case == "HTTP 502" {
            Disposition::Transient
        } else {
            Disposition::Untrusted
        };
        assert_eq!(e.disposition(), disposition, "{case}");
    }
    // Not XML.
    assert_matches!(
        req.parse_reply(&m, resp(&raw(200, b"<html>")), NOW),
        Err(ApiError::V2Reply(ReplyError::Xml(_)))
    );
}

#[test]
fn request_signed_with_wrong_key_is_refused_by_the_simulator() {
    let (sim, m) = (sim(), merchant());
    let req = rna(SignType::Md5);
    let r = send(
        &sim,
        req.build(&wrong_key_merchant(), &mut rng(1), NOW).unwrap(),
        &Script::default(),
    );
    let e = req.parse_reply(&m, resp(&r), NOW).unwrap_err();
    assert_eq!(e, return_fail("签名错误"));
    assert_eq!(e.disposition(), Disposition::Misconfigured);
}

#[test]
fn reply_shape_errors() {
    let (sim, m) = (sim(), merchant());
    let req = rna(SignType::HmacSha256);
    let r = send(
        &sim,
        req.build(&m, &mut rng(1), NOW).unwrap(),
        &rna_script(RealNameAuthScript::answer(" ; ", None, None)),
    );
    assert_eq!(
        req.parse_reply(&m, resp(&r), NOW).unwrap_err(),
        ApiError::MissingField("verify_openid".into())
    );
    // Every identifying field must be present and equal (a signature does not prove which
    // request a reply answers).
    let ids = [
        ("mch_id", m.mchid().as_str()),
        ("appid", APPID),
        ("openid", OPENID),
        ("access_token", TOKEN),
    ];
    assert_eq!(ids.map(|(k, _)| k), realnameauth::IDENTIFYING_FIELDS);
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
    let read = |r: &Resp| {
        wechatpay_sansio::api::read_reply_with::<realnameauth::RealNameAuthRequest>(
            &m,
            resp(r),
            NOW,
            &realnameauth::RealNameAuthReplyOptions::signed_with(Some(SignType::HmacSha256)),
        )
    };
    for (field, value) in [
        ("openid", "oSomebodyElse"),
        ("appid", "wxother"),
        ("mch_id", "1"),
        ("access_token", "81_other"),
    ] {
        let other = with(Some((field, Some(value))));
        assert_eq!(
            req.parse_reply(&m, resp(&other), NOW).unwrap_err(),
            ApiError::Mismatch(field.into())
        );
        // Without the request at hand there is nothing to compare with.
        assert!(read(&other).is_ok(), "{field}");
        // Absent is an error, not a pass.
        let absent = with(Some((field, None)));
        assert_eq!(
            req.parse_reply(&m, resp(&absent), NOW).unwrap_err(),
            ApiError::MissingField(field.into())
        );
        // Without the request at hand, presence is still required.
        assert_eq!(
            read(&absent).unwrap_err(),
            ApiError::MissingField(field.into())
        );
    }
    let out = req.parse_reply(&m, resp(&with(None)), NOW).unwrap();
    assert_eq!(out.openid, OPENID);
    assert_eq!(out.verify_real_name, None);
    assert_eq!(out.decision(), Decision::UserNotVerified);

    // A possible fold (appid folded into the access_token, whose name precedes it) is refused
    // even though the signature verifies.
    let folded = format!("{TOKEN}&appid={APPID}");
    let r = sim.v2_reply(
        &[
            ("result_code", "SUCCESS"),
            ("verify_openid", "V_OP_NM_MA"),
            ("verify_real_name", "V_NM_ID_MA"),
            ("mch_id", m.mchid().as_str()),
            ("openid", OPENID),
            ("access_token", &folded),
        ],
        Some(SignType::HmacSha256),
    );
    for e in [
        req.parse_reply(&m, resp(&r), NOW).unwrap_err(),
        read(&r).unwrap_err(),
    ] {
        assert_eq!(
            e,
            ApiError::V2Reply(ReplyError::PossibleFold {
                field: "access_token".into(),
            })
        );
        assert_eq!(e.disposition(), Disposition::Untrusted);
    }
}

#[test]
fn seed_example() {
    // Seed 000's PHP example, with its placeholder ID replaced by a valid one (see below).
    let m = doc_merchant();
    let nonce = || NonceRng("5K8264ILTKCH16CQ2502SI8ZNMTM67VS");
    let mut req = RealNameAuthRequest::new(
        APPID,
        OPENID,
        Personal::new("刘某某"),
        CredType::IdCard,
        Personal::new("440000000000000000"),
        AccessToken::new("81_..."),
    );
    // The defaults are the official document's values.
    assert_eq!(req.version, Version::V1_0);
    assert_eq!(req.sign_type, SignType::HmacSha256);
    // The seed's cred_id is a placeholder that fails the GB 11643 check digit.
    assert_eq!(
        req.build(&m, &mut nonce(), NOW).unwrap_err(),
        ApiError::Field(FieldError::IdNumber { field: "cred_id" })
    );
    req.cred_id = Personal::new(ID);
    let http = req.build(&m, &mut nonce(), NOW).unwrap();
    assert_eq!(http.method(), http::Method::POST);
    assert_eq!(
        http.uri().to_string(),
        realnameauth::ENDPOINT.url().as_str()
    );
    assert_eq!(
        format!("{}{}", wire::endpoint::FRAUD_BASE, realnameauth::PATH),
        realnameauth::ENDPOINT.url().as_str()
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
    assert_eq!(f.get("nonce_str"), Some("5K8264ILTKCH16CQ2502SI8ZNMTM67VS"));
    assert_eq!(f.get("mch_id"), Some("1900000109"));
    assert_eq!(f.get("real_name"), Some("刘某某"));
    assert_eq!(f.get("cred_type"), Some("1"));
    assert_eq!(f.get("version"), Some("1.0"));
    // Independently computed (Python hmac) over the raw values, sign_type included.
    assert_eq!(
        f.get("sign"),
        Some("31B1464CBCD1A6ADFE651B47B938C368482DACF2518EFDB622B6DB1D200C5E35")
    );
    req.sign_type = SignType::Md5;
    let md5 = req.build(&m, &mut nonce(), NOW).unwrap();
    let f = wire::xml::parse(md5.body()).unwrap();
    assert_eq!(f.get("sign_type"), Some("MD5"));
    assert_eq!(f.get("sign"), Some("E41D069305112188615E276CCE6CF5E7"));
    // Nothing personal in Debug output.
    let dbg = format!("{req:?}{http:?}");
    assert!(!dbg.contains("刘某某") && !dbg.contains(ID) && !dbg.contains("81_..."));
}

#[test]
fn every_cred_type_round_trips() {
    let (sim, m) = (sim(), merchant());
    for &ct in CredType::ALL {
        let mut req = rna(SignType::HmacSha256);
        req.cred_type = ct;
        if ct != CredType::IdCard {
            req.cred_id = Personal::new("E12345678");
        }
        assert_eq!(ct.as_str().parse::<CredType>(), Ok(ct));
        let r = send(
            &sim,
            req.build(&m, &mut rng(1), NOW).unwrap(),
            &Script::default(),
        );
        assert!(
            req.parse_reply(&m, resp(&r), NOW).unwrap().is_match(),
            "{ct:?}"
        );
    }
}

#[test]
fn validation() {
    let m = merchant();
    let base = rna(SignType::HmacSha256);
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
        let case = format!("case {i} ({expected:?})");
        let mut r = base.clone();
        edit(&mut r);
        assert_eq!(r.validate().as_ref(), Err(expected), "{case}");
        let e = r.build(&m, &mut rng(1), NOW).unwrap_err();
        assert_eq!(e, ApiError::Field(expected.clone()), "{case}");
        assert_eq!(e.disposition(), Disposition::Rejected, "{case}");
        // Errors name the field, never the value.
        let msg = format!("{e} {e:?}");
        assert!(
            !msg.contains("刘") && !msg.contains("evil") && !msg.contains("1101051949"),
            "{case}"
        );
    }
    // Passports are not GB 11643 numbers.
    let mut r = base.clone();
    r.cred_type = CredType::Passport;
    r.cred_id = Personal::new("440000000000000000");
    assert_eq!(r.validate(), Ok(()));
}
