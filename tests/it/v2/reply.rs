//! v2 replies: a valid signature proves bytes, not meaning — folded fields, required echoes, control characters in genuine replies.

use crate::common::*;
use wechatpay_sansio::api::{ApiError, Operation};
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::secret::ApiV2Key;
use wechatpay_sansio::simulator::Simulator;
use wechatpay_sansio::simulator::v2::RealNameAuthScript;
use wechatpay_sansio::v2 as wire;
use wechatpay_sansio::v2::reply::{Expect, ReplyError};
use wechatpay_sansio::v2::{SignType, reply};

#[test]
fn folded_openid_is_refused_for_both_sign_types() {
    let m = Simulator::new().merchant();
    for st in [SignType::Md5, SignType::HmacSha256] {
        let for_a = realnameauth_req(OPENID_A, st);
        let genuine = send_realnameauth(&for_a, &m, RealNameAuthScript::matched());
        assert!(
            for_a
                .parse_reply(&m, ResponseRef::from_http(&genuine), NOW)
                .unwrap()
                .is_match()
        );
        let folded = crate::common::raw(200, &fold(genuine.body(), "openid"));
        // The fold keeps the signature valid ...
        let f = wire::xml::parse(folded.body()).unwrap();
        assert!(wire::sign::verify_fields(&f, m.api_v2_key().unwrap(), Some(st)).is_ok());
        // ... but the reply for user A must not be accepted as an answer about user B ...
        let for_b = realnameauth_req(OPENID_B, st);
        let e = for_b
            .parse_reply(&m, ResponseRef::from_http(&folded), NOW)
            .unwrap_err();
        assert!(
            matches!(e, ApiError::V2Reply(ReplyError::PossibleFold { .. })),
            "{st}: {e:?}"
        );
        // ... nor as an answer about A, nor read without the request at hand.
        assert!(
            for_a
                .parse_reply(&m, ResponseRef::from_http(&folded), NOW)
                .is_err()
        );
        assert!(
            wechatpay_sansio::api::read_reply_with::<
                wechatpay_sansio::api::realnameauth::RealNameAuthRequest,
            >(
                &m,
                ResponseRef::from_http(&folded),
                NOW,
                &wechatpay_sansio::api::realnameauth::RealNameAuthReplyOptions::signed_with(Some(
                    st
                )),
            )
            .is_err()
        );
    }
}

#[test]
fn a_success_reply_without_its_identifying_fields_is_refused() {
    let m = Simulator::new().merchant();
    let req = realnameauth_req(OPENID_A, SignType::HmacSha256);
    let sim = Simulator::new();
    // A correctly signed reply that simply lacks openid.
    let reply = sim.v2_reply(
        &[
            ("result_code", "SUCCESS"),
            ("appid", APPID),
            ("mch_id", m.mchid().as_str()),
            ("access_token", "81_TESTONLYtoken"),
            ("verify_openid", "V_OP_NM_MA"),
            ("verify_real_name", "V_NM_ID_MA"),
        ],
        Some(SignType::HmacSha256),
    );
    assert_eq!(
        req.parse_reply(&m, ResponseRef::from_http(&reply), NOW)
            .unwrap_err(),
        ApiError::MissingField("openid".into())
    );
}

#[test]
fn folded_result_code_is_refused_by_the_generic_check() {
    let m = Simulator::new().merchant();
    let sim = Simulator::new();
    let genuine = sim.v2_reply(
        &[
            ("result_code", "FAIL"),
            ("err_code", "SYSTEMERROR"),
            ("nonce_str", "N0nce"),
            ("out_trade_no", "1217752501201407033233368018"),
        ],
        Some(SignType::Md5),
    );
    let signed = Expect::signed(Some(SignType::Md5));
    let l = wire::xml::XmlLimits::default();
    assert!(matches!(
        reply::parse_and_check(genuine.body(), m.api_v2_key().unwrap(), &signed, &l),
        Err(ReplyError::BusinessFail { .. })
    ));
    let folded = fold(genuine.body(), "result_code");
    assert!(
        reply::parse_and_check(&folded, m.api_v2_key().unwrap(), &signed, &l).is_err(),
        "a FAIL hidden by folding result_code into out_trade_no passed"
    );
}

/// A v2 reply exactly as WeChat sends it at times: a C0 control character inside text.
#[test]
fn control_characters_in_genuine_replies_are_kept() {
    let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    let fail = "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[参数\u{10}错误]]></return_msg></xml>";
    match reply::parse_and_check(
        fail.as_bytes(),
        &key,
        &Expect::unsigned(),
        &Default::default(),
    ) {
        Err(ReplyError::ReturnFail { return_msg, .. }) => {
            assert_eq!(return_msg.as_deref(), Some("参数\u{10}错误"));
        }
        other => panic!("{other:?}"),
    }
    // A signed SUCCESS reply: the sign covers the raw value, control character included.
    let pairs = [
        ("return_code", "SUCCESS"),
        ("result_code", "SUCCESS"),
        ("risk_level_desc", "低风险\u{10}投诉"),
    ];
    let s = wire::sign::sign(pairs, &key, SignType::HmacSha256).unwrap();
    let body = format!(
        "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code>\
         <risk_level_desc>低风险\u{10}投诉</risk_level_desc><sign>{s}</sign></xml>"
    );
    let f = reply::parse_and_check(
        body.as_bytes(),
        &key,
        &Expect::signed(Some(SignType::HmacSha256)),
        &Default::default(),
    )
    .unwrap();
    assert_eq!(f.get("risk_level_desc"), Some("低风险\u{10}投诉"));
    // A numeric reference to a control character is kept too.
    assert_eq!(
        wire::xml::parse(b"<xml><a>x&#16;y</a></xml>")
            .unwrap()
            .get("a"),
        Some("x\u{10}y")
    );
    // NUL still fails, raw or as a reference, and building still refuses control characters.
    assert!(wire::xml::parse(b"<xml><a>x\0y</a></xml>").is_err());
    assert!(wire::xml::parse(b"<xml><a>x&#0;y</a></xml>").is_err());
    assert!(wire::xml::parse(b"<xml><a>&#xD800;</a></xml>").is_err());
    assert!(wire::xml::to_xml([("a", "x\u{10}y")]).is_err());
}
