//! The v2 payment APIs (`unifiedorder`, `orderquery`, `closeorder`, `refund`, `refundquery`)
//! end to end through the simulator's order book: successes, verified business failures,
//! tampered and folded replies, validation, indexed refund records, the client certificate,
//! redaction. Every key here is TEST ONLY.

use super::v2_shared::{APPID, OPENID, business, other_merchant, return_fail, wrong_key_merchant};
use crate::assert_matches;
use crate::common::*;
use wechatpay_sansio::api::pay_v2::closeorder::{self, V2CloseOrderRequest};
use wechatpay_sansio::api::pay_v2::orderquery::{
    self, V2OrderQueryOutcome, V2OrderQueryRequest, V2OrderTradeType, V2TradeState,
};
use wechatpay_sansio::api::pay_v2::refund::{self, V2RefundOutcome, V2RefundRequest};
use wechatpay_sansio::api::pay_v2::refundquery::{
    self, MAX_REFUND_RECORDS, V2RefundQueryReplyOptions, V2RefundQueryRequest, V2RefundRef,
    V2RefundStatus,
};
use wechatpay_sansio::api::pay_v2::unifiedorder::{
    self, UnifiedOrderOutcome, UnifiedOrderReplyOptions, UnifiedOrderRequest, V2TradeType,
};
use wechatpay_sansio::api::pay_v2::{V2SubMerchant, V2TradeRef};
use wechatpay_sansio::api::{self, ApiError, Failure, Operation};
use wechatpay_sansio::error::{Classify, Disposition, FieldError};
use wechatpay_sansio::ids::Nonce;
use wechatpay_sansio::merchant::Merchant;
use wechatpay_sansio::paysign;
use wechatpay_sansio::request::ClientCertificateRequired;
use wechatpay_sansio::secret::Personal;
use wechatpay_sansio::simulator::pay_v2::{
    PayV2Script, TEST_PAYER_OPENID, V2PayFail, V2SandboxError,
};
use wechatpay_sansio::simulator::{Script, Simulator};
use wechatpay_sansio::v2::notify::{self, PayNotifyOptions};
use wechatpay_sansio::v2::refund_notify;
use wechatpay_sansio::v2::reply::{ErrCode, ReplyError};
use wechatpay_sansio::v2::sign::SignError;
use wechatpay_sansio::v2::{self as wire, SignType};

const NOTIFY: &str = "https://merchant.example/wechatpay/notify";
const MAX_FEN: i64 = 2_147_483_647;

/// An order of `fee` fen, with what its trade type requires.
fn order(no: &str, fee: i64, trade_type: V2TradeType, sign_type: SignType) -> UnifiedOrderRequest {
    let mut r = UnifiedOrderRequest::new(
        APPID,
        "腾讯充值中心-QQ会员充值",
        no,
        fee,
        "123.12.12.123",
        NOTIFY,
        trade_type,
    );
    r.sign_type = sign_type;
    r.attach = Some("深圳分店".into());
    match trade_type {
        V2TradeType::Jsapi => r.openid = Some(Personal::new(OPENID)),
        V2TradeType::Native => r.product_id = Some("12235413214070356458058".into()),
        _ => {}
    }
    r
}

/// Build `op` for `m`, send it to `sim` with `script`, and parse the reply.
fn call<O: Operation>(
    sim: &Simulator,
    m: &Merchant,
    op: &O,
    script: &Script,
) -> Result<O::Outcome, ApiError> {
    let r = send(sim, op.build(m, &mut rng(1), NOW).unwrap(), script);
    op.parse_reply(m, resp(&r), NOW)
}

/// The raw reply to `op`.
fn reply<O: Operation>(sim: &Simulator, m: &Merchant, op: &O) -> Resp {
    send(
        sim,
        op.build(m, &mut rng(1), NOW).unwrap(),
        &Script::default(),
    )
}

fn ok<O: Operation>(sim: &Simulator, m: &Merchant, op: &O) -> O::Outcome {
    call(sim, m, op, &Script::default()).unwrap()
}

fn err<O: Operation>(sim: &Simulator, m: &Merchant, op: &O) -> ApiError
where
    O::Outcome: std::fmt::Debug,
{
    call(sim, m, op, &Script::default()).unwrap_err()
}

fn script(f: impl FnOnce(&mut PayV2Script)) -> Script {
    let mut s = Script::default();
    f(&mut s.pay_v2);
    s
}

fn query(no: &str) -> V2OrderQueryRequest {
    V2OrderQueryRequest::new(APPID, V2TradeRef::OutTradeNo(no.into()))
}

fn refund_req(no: &str, refund_no: &str, total: i64, fee: i64) -> V2RefundRequest {
    V2RefundRequest::new(
        APPID,
        V2TradeRef::OutTradeNo(no.into()),
        refund_no,
        total,
        fee,
    )
}

fn refunds(by: V2RefundRef) -> V2RefundQueryRequest {
    V2RefundQueryRequest::new(APPID, by)
}

/// Place `no` (APP, `fee` fen) and pay it; the payment notification.
fn paid(sim: &Simulator, m: &Merchant, no: &str, fee: i64) -> http::Request<Vec<u8>> {
    ok(
        sim,
        m,
        &order(no, fee, V2TradeType::App, SignType::HmacSha256),
    );
    sim.v2_pay(no, NOW, &mut rng(3)).unwrap()
}

fn is_business(e: &ApiError, code: &ErrCode) -> bool {
    matches!(e.failure(), Some(Failure::Business { err_code: Some(c), .. }) if c == code)
}

/// Flip the first hex digit of the reply's `sign`.
fn flip_sign(r: &Resp) -> Resp {
    let f = wire::xml::parse(r.body()).unwrap();
    let sign = f.get("sign").unwrap().to_owned();
    let first = if sign.starts_with('A') { "B" } else { "A" };
    let flipped = format!("{first}{}", &sign[1..]);
    raw(200, body_str(r).replace(&sign, &flipped).as_bytes())
}

// ---------------------------------------------------------------------------------------------
// unifiedorder
// ---------------------------------------------------------------------------------------------

#[test]
fn unifiedorder_every_trade_type_and_sign_type() {
    let (sim, m) = (sim(), merchant());
    let key = m.api_v2_key().unwrap();
    let nonce = Nonce::new("5K8264ILTKCH16CQ2502SI8ZNMTM67VS").unwrap();
    for (i, trade_type) in V2TradeType::ALL.iter().copied().enumerate() {
        for sign_type in [SignType::Md5, SignType::HmacSha256] {
            let no = format!("U{i}{}", sign_type.hex_len());
            let req = order(&no, 888, trade_type, sign_type);
            let http = req.build(&m, &mut rng(1), NOW).unwrap();
            assert_eq!(http.uri().to_string(), unifiedorder::ENDPOINT.url());
            assert!(!http.requires_client_certificate());
            let sent = wire::xml::parse(http.body()).unwrap();
            assert_eq!(sent.get("sign_type"), Some(sign_type.as_str()));
            assert_eq!(sent.get("total_fee"), Some("888"));
            assert_eq!(sent.get("trade_type"), Some(trade_type.as_str()));
            assert_eq!(sent.get("mch_id"), Some(m.mchid().as_str()));
            drop(sent);
            let r = send(&sim, http, &Script::default());
            // Signed with the request's sign type.
            let f = wire::xml::parse(r.body()).unwrap();
            assert_eq!(f.get("sign").unwrap().len(), sign_type.hex_len());
            let out = req.parse_reply(&m, resp(&r), NOW).unwrap();
            assert_eq!(
                (out.trade_type, out.sign_type, out.appid.as_str()),
                (trade_type, sign_type, APPID)
            );
            assert_eq!(out.mch_id, m.mchid().as_str());
            assert!(out.prepay_id.starts_with("wx"));
            assert_eq!(out.code_url.is_some(), trade_type == V2TradeType::Native);
            assert_eq!(out.mweb_url.is_some(), trade_type == V2TradeType::Mweb);
            if let Some(u) = &out.mweb_url {
                // A URL with a query string is not a fold.
                assert!(u.contains(&format!("prepay_id={}&package=", out.prepay_id)));
            }
            // The client pay-sign: the order's sign type, JSAPI and APP only.
            let jsapi = out.jsapi_pay_params(key, NOW, &nonce);
            let app = out.app_pay_params(key, NOW, &nonce);
            match trade_type {
                V2TradeType::Jsapi => {
                    let p = jsapi.unwrap();
                    let want =
                        paysign::v2_jsapi(key, sign_type, APPID, NOW, &nonce, &out.prepay_id)
                            .unwrap();
                    assert_eq!(p, want);
                    assert_eq!(p.sign_type, sign_type.as_str());
                    assert!(app.is_err());
                }
                V2TradeType::App => {
                    let p = app.unwrap();
                    let want = paysign::v2_app(
                        key,
                        sign_type,
                        APPID,
                        m.mchid().as_str(),
                        NOW,
                        &nonce,
                        &out.prepay_id,
                    )
                    .unwrap();
                    assert_eq!(p, want);
                    assert_matches!(jsapi, Err(paysign::PaySignError::Field(f)) if f.field() == "trade_type");
                }
                _ => assert!(jsapi.is_err() && app.is_err()),
            }
            // Without the request: the identifying fields present suffice.
            let read = api::read_reply_with::<UnifiedOrderRequest>(
                &m,
                resp(&r),
                NOW,
                &UnifiedOrderReplyOptions::signed_with(Some(sign_type)),
            )
            .unwrap();
            assert_eq!(read, out);
            assert_eq!(unifiedorder::read_reply(&m, resp(&r), NOW).unwrap(), out);
        }
    }
}

#[test]
fn unifiedorder_again_and_its_business_failures() {
    let (sim, m) = (sim(), merchant());
    let first = ok(&sim, &m, &order("A1", 100, V2TradeType::App, SignType::Md5));
    // The same order again: the same prepay session.
    let again = ok(&sim, &m, &order("A1", 100, V2TradeType::App, SignType::Md5));
    assert_eq!(again.prepay_id, first.prepay_id);
    // Another order under the same number: refused, verified.
    let e = err(&sim, &m, &order("A1", 101, V2TradeType::App, SignType::Md5));
    assert!(is_business(&e, &ErrCode::OutTradeNoUsed), "{e}");
    assert_eq!(e.disposition(), Disposition::Rejected);
    // Paid, then placed again.
    sim.v2_pay("A1", NOW, &mut rng(2)).unwrap();
    let e = err(&sim, &m, &order("A1", 100, V2TradeType::App, SignType::Md5));
    assert_eq!(e, business(ErrCode::OrderPaid, "该订单已支付"));
    // Closed, then placed again.
    ok(
        &sim,
        &m,
        &order("A2", 100, V2TradeType::Native, SignType::Md5),
    );
    ok(&sim, &m, &V2CloseOrderRequest::new(APPID, "A2"));
    let e = err(
        &sim,
        &m,
        &order("A2", 100, V2TradeType::Native, SignType::Md5),
    );
    assert!(is_business(&e, &ErrCode::OrderClosed), "{e}");
    // A scripted SYSTEMERROR: transient, nothing placed.
    let s = script(|s| s.unifiedorder = Some(V2PayFail::new("SYSTEMERROR", "系统超时")));
    let req = order("A3", 1, V2TradeType::App, SignType::HmacSha256);
    let e = call(&sim, &m, &req, &s).unwrap_err();
    assert_eq!(e, business(ErrCode::SystemError, "系统超时"));
    assert_eq!(e.disposition(), Disposition::Transient);
    assert!(is_business(
        &err(&sim, &m, &query("A3")),
        &ErrCode::OrderNotExist
    ));
}

#[test]
fn unifiedorder_validation_runs_before_anything_is_signed() {
    let m = merchant();
    let amount = |field| FieldError::Amount {
        field,
        min: 1,
        max: MAX_FEN,
    };
    for fee in [0, -1, i64::MIN, MAX_FEN + 1, i64::MAX] {
        let req = order("V1", fee, V2TradeType::App, SignType::Md5);
        assert_eq!(req.validate(), Err(amount("total_fee")), "{fee}");
        assert_eq!(
            req.build(&m, &mut rng(1), NOW).unwrap_err(),
            ApiError::Field(amount("total_fee"))
        );
    }
    assert!(
        order("V1", MAX_FEN, V2TradeType::App, SignType::Md5)
            .validate()
            .is_ok()
    );
    let base = || order("V1", 1, V2TradeType::App, SignType::Md5);
    let cases: Vec<(UnifiedOrderRequest, &str)> = vec![
        (
            UnifiedOrderRequest {
                trade_type: V2TradeType::Jsapi,
                ..base()
            },
            "openid",
        ),
        (
            UnifiedOrderRequest {
                trade_type: V2TradeType::Native,
                ..base()
            },
            "product_id",
        ),
        (
            UnifiedOrderRequest {
                out_trade_no: "a#1".into(),
                ..base()
            },
            "out_trade_no",
        ),
        (
            UnifiedOrderRequest {
                spbill_create_ip: "not-an-ip".into(),
                ..base()
            },
            "spbill_create_ip",
        ),
        (
            UnifiedOrderRequest {
                notify_url: format!("{NOTIFY}?order=1"),
                ..base()
            },
            "notify_url",
        ),
        (
            UnifiedOrderRequest {
                time_expire: Some("2026-01-01 10:00:00".into()),
                ..base()
            },
            "time_expire",
        ),
        (
            UnifiedOrderRequest {
                body: String::new(),
                ..base()
            },
            "body",
        ),
        (
            UnifiedOrderRequest {
                attach: Some("x".repeat(128)),
                ..base()
            },
            "attach",
        ),
        (
            UnifiedOrderRequest {
                fee_type: Some("cny".into()),
                ..base()
            },
            "fee_type",
        ),
        (
            UnifiedOrderRequest {
                sub_openid: Some(Personal::new(OPENID)),
                ..base()
            },
            "sub_appid",
        ),
        (
            UnifiedOrderRequest {
                appid: String::new(),
                ..base()
            },
            "appid",
        ),
        (
            UnifiedOrderRequest {
                sub_merchant: Some(V2SubMerchant::new("1 2")),
                ..base()
            },
            "sub_mch_id",
        ),
    ];
    for (req, field) in cases {
        let e = req.build(&m, &mut rng(1), NOW).unwrap_err();
        assert_matches!(&e, ApiError::Field(f) if f.field() == field);
        assert_eq!(e.disposition(), Disposition::Rejected);
    }
    // The optional fields that pass, and IPv6.
    let mut req = base();
    req.spbill_create_ip = "2001:db8::1".into();
    req.time_start = Some("20260101080000".into());
    req.time_expire = Some("20260101090000".into());
    req.fee_type = Some("CNY".into());
    req.limit_pay = Some("no_credit".into());
    req.goods_tag = Some("WXG".into());
    req.device_info = Some("013467007045764".into());
    req.scene_info = Some(r#"{"h5_info":{"type":"Wap"}}"#.into());
    let http = req.build(&m, &mut rng(1), NOW).unwrap();
    let f = wire::xml::parse(http.body()).unwrap();
    assert_eq!(f.get("time_expire"), Some("20260101090000"));
    assert_eq!(f.get("limit_pay"), Some("no_credit"));
    // Fields left None are not sent.
    assert_eq!(f.get("openid"), None);
    assert_eq!(f.get("product_id"), None);
    // No APIv2 key: not configured.
    let bare = Merchant::new("1900000109").unwrap();
    assert_matches!(
        req.build(&bare, &mut rng(1), NOW),
        Err(ApiError::NotConfigured(_))
    );
}

#[test]
fn partner_mode_sends_and_checks_the_sub_merchant() {
    let (sim, m) = (sim(), merchant());
    let sub = V2SubMerchant::new("1900000999").with_sub_appid("wx8888888888888888");
    let mut req = order("P1", 10, V2TradeType::App, SignType::HmacSha256);
    req.sub_merchant = Some(sub.clone());
    let http = req.build(&m, &mut rng(1), NOW).unwrap();
    let f = wire::xml::parse(http.body()).unwrap();
    assert_eq!(f.get("sub_mch_id"), Some("1900000999"));
    assert_eq!(f.get("sub_appid"), Some("wx8888888888888888"));
    let out = ok(&sim, &m, &req);
    assert_eq!(out.sub_mch_id.as_deref(), Some("1900000999"));
    assert_eq!(out.sub_appid.as_deref(), Some("wx8888888888888888"));
    // The APP pay-sign is the sub-merchant's.
    let nonce = Nonce::new("5K8264ILTKCH16CQ2502SI8ZNMTM67VS").unwrap();
    let p = out
        .app_pay_params(m.api_v2_key().unwrap(), NOW, &nonce)
        .unwrap();
    assert_eq!(
        (p.appid.as_str(), p.partnerid.as_str()),
        ("wx8888888888888888", "1900000999")
    );
    // A JSAPI order for the sub-merchant's own user.
    let mut js = order("P2", 10, V2TradeType::Jsapi, SignType::HmacSha256);
    js.openid = None;
    js.sub_openid = Some(Personal::new(OPENID));
    js.sub_merchant = Some(sub.clone());
    let out = ok(&sim, &m, &js);
    let p = out
        .jsapi_pay_params(m.api_v2_key().unwrap(), NOW, &nonce)
        .unwrap();
    assert_eq!(p.app_id, "wx8888888888888888");

    // The order belongs to the sub-merchant: a query without it finds nothing.
    assert!(is_business(
        &err(&sim, &m, &query("P1")),
        &ErrCode::OrderNotExist
    ));
    let mut q = query("P1");
    q.sub_merchant = Some(sub.clone());
    assert_eq!(ok(&sim, &m, &q).sub_mch_id.as_deref(), Some("1900000999"));

    // A reply without the sub-merchant, or naming another, or one the request did not name.
    let reply_with = |extra: &[(&str, &str)]| {
        let mut pairs = vec![
            ("result_code", "SUCCESS"),
            ("appid", APPID),
            ("mch_id", m.mchid().as_str()),
            ("trade_type", "APP"),
            ("prepay_id", "wx1"),
        ];
        pairs.extend_from_slice(extra);
        sim.v2_reply(&pairs, Some(SignType::HmacSha256))
    };
    let plain = order("P3", 10, V2TradeType::App, SignType::HmacSha256);
    let cases = [
        (
            &req,
            reply_with(&[]),
            ApiError::MissingField("sub_mch_id".into()),
        ),
        (
            &req,
            reply_with(&[
                ("sub_mch_id", "1900000998"),
                ("sub_appid", "wx8888888888888888"),
            ]),
            ApiError::Mismatch("sub_mch_id".into()),
        ),
        (
            &req,
            reply_with(&[("sub_mch_id", "1900000999"), ("sub_appid", "wxother")]),
            ApiError::Mismatch("sub_appid".into()),
        ),
        (
            &plain,
            reply_with(&[("sub_mch_id", "1900000999")]),
            ApiError::Mismatch("sub_mch_id".into()),
        ),
    ];
    for (req, r, want) in cases {
        let e = req.parse_reply(&m, resp(&r), NOW).unwrap_err();
        assert_eq!(e, want);
        assert_eq!(e.disposition(), Disposition::Untrusted);
    }
    // sub_appid may be left out of the reply: the pay-sign still uses the request's.
    let r = reply_with(&[("sub_mch_id", "1900000999")]);
    let out = req.parse_reply(&m, resp(&r), NOW).unwrap();
    assert_eq!(out.sub_appid, None);
    let p = out
        .app_pay_params(m.api_v2_key().unwrap(), NOW, &nonce)
        .unwrap();
    assert_eq!(p.appid, "wx8888888888888888");
    // Read without the request, the reply is all there is.
    let guessed = unifiedorder::read_reply(&m, resp(&r), NOW).unwrap();
    assert_eq!(guessed.client_appid, APPID);
    // A JSAPI order for the service provider's user, in service-provider mode with a
    // sub_appid, pays in the service provider's app.
    let mut sp_user = js.clone();
    sp_user.out_trade_no = "P4".into();
    sp_user.sub_openid = None;
    sp_user.openid = Some(Personal::new(OPENID));
    let out = ok(&sim, &m, &sp_user);
    let p = out
        .jsapi_pay_params(m.api_v2_key().unwrap(), NOW, &nonce)
        .unwrap();
    assert_eq!(p.app_id, APPID);
}

#[test]
fn unifiedorder_reply_shape() {
    let (sim, m) = (sim(), merchant());
    let native = order("S1", 10, V2TradeType::Native, SignType::HmacSha256);
    let with = |pairs: &[(&str, &str)]| {
        let mut v = vec![
            ("result_code", "SUCCESS"),
            ("appid", APPID),
            ("mch_id", m.mchid().as_str()),
        ];
        v.extend_from_slice(pairs);
        sim.v2_reply(&v, Some(SignType::HmacSha256))
    };
    let cases = [
        (
            with(&[("trade_type", "NATIVE")]),
            ApiError::MissingField("prepay_id".into()),
        ),
        (
            with(&[("trade_type", "NATIVE"), ("prepay_id", "wx1")]),
            ApiError::MissingField("code_url".into()),
        ),
        (
            with(&[("trade_type", "APP"), ("prepay_id", "wx1")]),
            ApiError::Mismatch("trade_type".into()),
        ),
        (
            with(&[("prepay_id", "wx1")]),
            ApiError::MissingField("trade_type".into()),
        ),
    ];
    for (r, want) in cases {
        assert_eq!(native.parse_reply(&m, resp(&r), NOW).unwrap_err(), want);
    }
    // Without the request, an unknown trade_type is malformed; MWEB needs its URL.
    let r = with(&[("trade_type", "MICROPAY"), ("prepay_id", "wx1")]);
    assert_eq!(
        unifiedorder::read_reply(&m, resp(&r), NOW).unwrap_err(),
        ApiError::InvalidField("trade_type")
    );
    let r = with(&[("trade_type", "MWEB"), ("prepay_id", "wx1")]);
    assert_eq!(
        unifiedorder::read_reply(&m, resp(&r), NOW).unwrap_err(),
        ApiError::MissingField("mweb_url".into())
    );
    // A code_url that hides trade_type: a fold, refused though the signature verifies.
    let r = with(&[
        ("prepay_id", "wx1"),
        (
            "code_url",
            "weixin://wxpay/bizpayurl?pr=1&trade_type=NATIVE",
        ),
    ]);
    assert_eq!(
        native.parse_reply(&m, resp(&r), NOW).unwrap_err(),
        ApiError::V2Reply(ReplyError::PossibleFold {
            field: "code_url".into()
        })
    );
}

// ---------------------------------------------------------------------------------------------
// orderquery and the payment notification
// ---------------------------------------------------------------------------------------------

#[test]
fn order_lifecycle_query_pay_notify() {
    let (sim, m) = (sim(), merchant());
    for sign_type in [SignType::Md5, SignType::HmacSha256] {
        let no = format!("L{}", sign_type.hex_len());
        ok(&sim, &m, &order(&no, 888, V2TradeType::Jsapi, sign_type));
        let mut q = query(&no);
        q.sign_type = sign_type;
        let before = ok(&sim, &m, &q);
        assert_eq!(before.trade_state, V2TradeState::NotPay);
        assert!(!before.is_paid());
        assert_eq!(before.transaction_id, None);
        assert_eq!(before.attach.as_deref(), Some("深圳分店"));

        // The payer pays: the notification is what notify::parse_with accepts.
        let n_req = sim.v2_pay(&no, NOW, &mut rng(5)).unwrap();
        assert_eq!(n_req.method(), http::Method::POST);
        assert_eq!(n_req.uri().to_string(), NOTIFY);
        let key = m.api_v2_key().unwrap();
        let options = PayNotifyOptions::default().with_sign_type(sign_type);
        let n = notify::parse_with(n_req.body(), key, &options).unwrap();
        assert_eq!(n.sign_type(), sign_type);
        assert_eq!((n.out_trade_no(), n.total_fee()), (no.as_str(), 888));
        assert_eq!((n.openid(), n.time_end()), (OPENID, "20260101080000"));
        assert_eq!(n.attach(), Some("深圳分店"));
        assert_eq!(
            notify::parse(n_req.body(), key).unwrap().transaction_id(),
            n.transaction_id()
        );
        // The other sign type configured: refused.
        let other = if sign_type == SignType::Md5 {
            SignType::HmacSha256
        } else {
            SignType::Md5
        };
        assert!(
            notify::parse_with(
                n_req.body(),
                key,
                &PayNotifyOptions::default().with_sign_type(other)
            )
            .is_err()
        );
        // Paid once only.
        assert_eq!(
            sim.v2_pay(&no, NOW, &mut rng(5)).unwrap_err(),
            V2SandboxError::NotPayable {
                trade_state: "SUCCESS"
            }
        );

        let after = ok(&sim, &m, &q);
        assert_eq!(after.trade_state, V2TradeState::Success);
        assert!(after.is_paid());
        assert_eq!(after.transaction_id.as_deref(), Some(n.transaction_id()));
        assert_eq!((after.total_fee, after.cash_fee), (Some(888), Some(888)));
        assert_eq!(after.time_end.as_deref(), Some("20260101080000"));
        assert_eq!(after.trade_type, Some(V2OrderTradeType::Jsapi));
        assert_eq!(
            after.openid.as_ref().map(Personal::expose_secret),
            Some(OPENID)
        );
        // The openid never reaches Debug.
        assert!(!format!("{after:?}").contains(OPENID));

        // By transaction_id.
        let by_id = V2OrderQueryRequest::new(
            APPID,
            V2TradeRef::TransactionId(n.transaction_id().to_owned()),
        );
        assert_eq!(ok(&sim, &m, &by_id).out_trade_no, no);
    }
    // Orders placed without an openid report the TEST ONLY payer.
    let n_req = paid(&sim, &m, "L3", 5);
    let n = notify::parse(n_req.body(), m.api_v2_key().unwrap()).unwrap();
    assert_eq!(n.openid(), TEST_PAYER_OPENID);
    assert_eq!(
        sim.v2_pay("nothing", NOW, &mut rng(5)).unwrap_err(),
        V2SandboxError::NoSuchOrder
    );
}

#[test]
fn orderquery_failures_and_echoes() {
    let (sim, m) = (sim(), merchant());
    let e = err(&sim, &m, &query("nothing"));
    assert_eq!(e, business(ErrCode::OrderNotExist, "此交易订单号不存在"));
    assert_eq!(e.disposition(), Disposition::Rejected);
    let s = script(|s| s.orderquery = Some(V2PayFail::new("SYSTEMERROR", "系统错误")));
    let e = call(&sim, &m, &query("nothing"), &s).unwrap_err();
    assert!(e.is_retryable());

    ok(
        &sim,
        &m,
        &order("Q1", 1, V2TradeType::App, SignType::HmacSha256),
    );
    let good = reply(&sim, &m, &query("Q1"));
    // The reply answers another order.
    assert_eq!(
        query("Q2").parse_reply(&m, resp(&good), NOW).unwrap_err(),
        ApiError::Mismatch("out_trade_no".into())
    );
    // …or another merchant, or another appid.
    assert_eq!(
        query("Q1")
            .parse_reply(&other_merchant(), resp(&good), NOW)
            .unwrap_err(),
        ApiError::Mismatch("mch_id".into())
    );
    let mut other_app = query("Q1");
    other_app.appid = "wx0000000000000000".into();
    assert_eq!(
        other_app.parse_reply(&m, resp(&good), NOW).unwrap_err(),
        ApiError::Mismatch("appid".into())
    );
    // Read without the request.
    assert_eq!(
        orderquery::read_reply(&m, resp(&good), NOW)
            .unwrap()
            .out_trade_no,
        "Q1"
    );

    // A SUCCESS state must say which payment and how much.
    let success = |extra: &[(&str, &str)]| {
        let mut pairs = vec![
            ("result_code", "SUCCESS"),
            ("appid", APPID),
            ("mch_id", m.mchid().as_str()),
            ("out_trade_no", "Q1"),
            ("trade_state", "SUCCESS"),
            ("total_fee", "1"),
            ("time_end", "20260101080000"),
        ];
        pairs.extend_from_slice(extra);
        sim.v2_reply(&pairs, Some(SignType::HmacSha256))
    };
    assert_eq!(
        query("Q1")
            .parse_reply(&m, resp(&success(&[])), NOW)
            .unwrap_err(),
        ApiError::MissingField("transaction_id".into())
    );
    let r = success(&[("transaction_id", "4200"), ("cash_fee", "-1")]);
    assert_eq!(
        query("Q1").parse_reply(&m, resp(&r), NOW).unwrap_err(),
        ApiError::InvalidField("cash_fee")
    );
    // Queried by transaction_id: another one is a mismatch; none (other states) is allowed.
    let by_id = V2OrderQueryRequest::new(APPID, V2TradeRef::TransactionId("4201".into()));
    let r = success(&[("transaction_id", "4200")]);
    assert_eq!(
        by_id.parse_reply(&m, resp(&r), NOW).unwrap_err(),
        ApiError::Mismatch("transaction_id".into())
    );
    let unknown_state = sim.v2_reply(
        &[
            ("result_code", "SUCCESS"),
            ("appid", APPID),
            ("mch_id", m.mchid().as_str()),
            ("out_trade_no", "Q1"),
            ("trade_state", "ACCEPT"),
        ],
        Some(SignType::HmacSha256),
    );
    let out = by_id.parse_reply(&m, resp(&unknown_state), NOW).unwrap();
    assert_eq!(out.trade_state, V2TradeState::Other("ACCEPT".into()));
}

// ---------------------------------------------------------------------------------------------
// closeorder
// ---------------------------------------------------------------------------------------------

#[test]
fn closeorder_states() {
    let (sim, m) = (sim(), merchant());
    ok(
        &sim,
        &m,
        &order("C1", 1, V2TradeType::Native, SignType::Md5),
    );
    let mut close = V2CloseOrderRequest::new(APPID, "C1");
    close.sign_type = SignType::Md5;
    let r = reply(&sim, &m, &close);
    assert_eq!(
        wire::xml::parse(r.body())
            .unwrap()
            .get("sign")
            .unwrap()
            .len(),
        32
    );
    close.parse_reply(&m, resp(&r), NOW).unwrap();
    closeorder::read_reply(&m, resp(&r), NOW).unwrap();
    assert_eq!(ok(&sim, &m, &query("C1")).trade_state, V2TradeState::Closed);
    assert_eq!(
        sim.v2_pay("C1", NOW, &mut rng(1)).unwrap_err(),
        V2SandboxError::NotPayable {
            trade_state: "CLOSED"
        }
    );
    // Closed twice, paid, unknown: verified business failures.
    let e = err(&sim, &m, &close);
    assert!(is_business(&e, &ErrCode::OrderClosed), "{e}");
    paid(&sim, &m, "C2", 1);
    let e = err(&sim, &m, &V2CloseOrderRequest::new(APPID, "C2"));
    assert!(is_business(&e, &ErrCode::OrderPaid), "{e}");
    assert_eq!(e.disposition(), Disposition::Rejected);
    let e = err(&sim, &m, &V2CloseOrderRequest::new(APPID, "C3"));
    assert!(is_business(&e, &ErrCode::OrderNotExist), "{e}");
    let s = script(|s| s.closeorder = Some(V2PayFail::new("SYSTEMERROR", "系统错误")));
    let e = call(&sim, &m, &V2CloseOrderRequest::new(APPID, "C3"), &s).unwrap_err();
    assert_eq!(e.disposition(), Disposition::Transient);
    assert_eq!(
        V2CloseOrderRequest::new(APPID, "").validate(),
        Err(FieldError::Missing {
            field: "out_trade_no"
        })
    );
}

// ---------------------------------------------------------------------------------------------
// refund and refundquery
// ---------------------------------------------------------------------------------------------

#[test]
fn refund_needs_the_client_certificate() {
    let (sim, m) = (sim(), merchant());
    paid(&sim, &m, "R1", 100);
    let req = refund_req("R1", "RF1", 100, 30);
    assert!(refund::ENDPOINT.requires_client_certificate());
    assert_eq!(
        refund::ENDPOINT.url(),
        "https://api.mch.weixin.qq.com/secapi/pay/refund"
    );
    let http = req.build(&m, &mut rng(1), NOW).unwrap();
    assert!(http.requires_client_certificate());
    let mut without = http.into_http();
    assert!(
        without
            .extensions()
            .get::<ClientCertificateRequired>()
            .is_some()
    );
    without
        .extensions_mut()
        .remove::<ClientCertificateRequired>();
    let r = sim.handle(&without, NOW, &mut rng(1), &Script::default());
    let e = req.parse_reply(&m, resp(&r), NOW).unwrap_err();
    assert_eq!(e, return_fail("请求需要双向证书"));
    assert_eq!(e.disposition(), Disposition::Misconfigured);
    // The other payment APIs do not need it.
    for http in [
        query("R1").build(&m, &mut rng(1), NOW).unwrap(),
        V2CloseOrderRequest::new(APPID, "R1")
            .build(&m, &mut rng(1), NOW)
            .unwrap(),
        refunds(V2RefundRef::OutTradeNo("R1".into()))
            .build(&m, &mut rng(1), NOW)
            .unwrap(),
    ] {
        assert!(!http.requires_client_certificate());
    }
}

#[test]
fn refund_and_refundquery_end_to_end() {
    let (sim, m) = (sim(), merchant());
    let n_req = paid(&sim, &m, "R2", 100);
    let n = notify::parse(n_req.body(), m.api_v2_key().unwrap()).unwrap();
    let txid = n.transaction_id().to_owned();

    // No refund yet.
    let e = err(&sim, &m, &refunds(V2RefundRef::OutTradeNo("R2".into())));
    assert!(
        is_business(&e, &ErrCode::Other("REFUNDNOTEXIST".into())),
        "{e}"
    );

    // Two partial refunds, the second by transaction_id, MD5.
    let first: V2RefundOutcome = ok(&sim, &m, &refund_req("R2", "RF1", 100, 30));
    assert_eq!(
        (first.refund_fee, first.total_fee, first.cash_fee),
        (30, 100, 100)
    );
    assert_eq!(
        (first.out_trade_no.as_str(), first.transaction_id.as_str()),
        ("R2", txid.as_str())
    );
    assert_eq!(first.out_refund_no, "RF1");
    let mut second = V2RefundRequest::new(
        APPID,
        V2TradeRef::TransactionId(txid.clone()),
        "RF2",
        100,
        70,
    );
    second.sign_type = SignType::Md5;
    second.refund_desc = Some("商品已售完".into());
    second.notify_url = Some("https://merchant.example/refund".into());
    let second_out = ok(&sim, &m, &second);
    assert_ne!(second_out.refund_id, first.refund_id);
    // The same refund again: the same answer, not a second refund.
    assert_eq!(ok(&sim, &m, &refund_req("R2", "RF1", 100, 30)), first);
    // Nothing left to refund.
    let e = err(&sim, &m, &refund_req("R2", "RF3", 100, 1));
    assert!(is_business(&e, &ErrCode::InvalidRequest), "{e}");
    // Read without the request.
    let r = reply(&sim, &m, &refund_req("R2", "RF1", 100, 30));
    assert_eq!(refund::read_reply(&m, resp(&r), NOW).unwrap(), first);
    assert_eq!(ok(&sim, &m, &query("R2")).trade_state, V2TradeState::Refund);

    // Both listed, processing.
    let out = ok(&sim, &m, &refunds(V2RefundRef::OutTradeNo("R2".into())));
    assert_eq!(
        (out.transaction_id.as_str(), out.total_fee),
        (txid.as_str(), 100)
    );
    assert_eq!(out.refunds.len(), 2);
    assert_eq!(out.total_refund_count, None);
    let r0 = &out.refunds[0];
    assert_eq!(
        (
            r0.out_refund_no.as_str(),
            r0.refund_id.as_str(),
            r0.refund_fee
        ),
        ("RF1", first.refund_id.as_str(), 30)
    );
    assert_eq!(r0.refund_status, V2RefundStatus::Processing);
    assert_eq!(r0.refund_success_time, None);
    assert_eq!(
        r0.refund_recv_accout.as_ref().map(Personal::expose_secret),
        Some("支付用户的零钱")
    );
    assert!(!format!("{out:?}").contains("支付用户的零钱"));
    assert_eq!(out.refunds[1].refund_fee, 70);

    // Settled: one successful, one closed; each with its refund notification.
    let key = m.api_v2_key().unwrap();
    let settled = sim.v2_settle_refund("RF1", true, NOW, &mut rng(4)).unwrap();
    assert_eq!(settled.method(), http::Method::POST);
    assert_eq!(
        settled.uri().to_string(),
        "https://merchant.example/wechatpay/refund-notify"
    );
    let n = refund_notify::parse(settled.body(), key).unwrap();
    assert_eq!(n.refund_status(), &V2RefundStatus::Success);
    assert_eq!(n.success_time(), Some("2026-01-01 08:00:00"));
    assert_eq!(
        (n.transaction_id(), n.out_trade_no(), n.refund_id()),
        (txid.as_str(), "R2", first.refund_id.as_str())
    );
    assert_eq!(
        (n.out_refund_no(), n.refund_fee(), n.total_fee()),
        ("RF1", 30, 100)
    );
    assert_eq!((n.appid(), n.mch_id()), (APPID, m.mchid().as_str()));
    let closed = sim
        .v2_settle_refund("RF2", false, NOW, &mut rng(4))
        .unwrap();
    assert_eq!(closed.uri().to_string(), "https://merchant.example/refund");
    let n = refund_notify::parse(closed.body(), key).unwrap();
    assert_eq!(n.refund_status(), &V2RefundStatus::RefundClose);
    assert_eq!(
        (n.out_refund_no(), n.refund_fee(), n.success_time()),
        ("RF2", 70, None)
    );
    assert_eq!(
        sim.v2_settle_refund("RF1", true, NOW, &mut rng(4))
            .unwrap_err(),
        V2SandboxError::RefundSettled
    );
    assert_eq!(
        sim.v2_settle_refund("RF9", true, NOW, &mut rng(4))
            .unwrap_err(),
        V2SandboxError::NoSuchRefund
    );
    // By each kind of id.
    for by in [
        V2RefundRef::TransactionId(txid.clone()),
        V2RefundRef::OutRefundNo("RF2".into()),
        V2RefundRef::RefundId(first.refund_id.clone()),
    ] {
        let out = ok(&sim, &m, &refunds(by));
        assert_eq!(out.refunds[0].refund_status, V2RefundStatus::Success);
        assert_eq!(
            out.refunds[0].refund_success_time.as_deref(),
            Some("2026-01-01 08:00:00")
        );
        assert_eq!(out.refunds[1].refund_status, V2RefundStatus::RefundClose);
    }
    // The closed refund's amount can be refunded again.
    ok(&sim, &m, &refund_req("R2", "RF3", 100, 70));
    // With an offset: a page and the total.
    let mut paged = refunds(V2RefundRef::OutTradeNo("R2".into()));
    paged.offset = Some(1);
    let out = ok(&sim, &m, &paged);
    assert_eq!(out.total_refund_count, Some(3));
    assert_eq!(
        out.refunds
            .iter()
            .map(|r| r.out_refund_no.as_str())
            .collect::<Vec<_>>(),
        ["RF2", "RF3"]
    );
    assert!(refundquery::read_reply(&m, resp(&reply(&sim, &m, &paged)), NOW).is_ok());
}

#[test]
fn refund_business_failures_and_validation() {
    let (sim, m) = (sim(), merchant());
    let e = err(&sim, &m, &refund_req("N1", "RF1", 100, 1));
    assert!(is_business(&e, &ErrCode::OrderNotExist), "{e}");
    ok(
        &sim,
        &m,
        &order("N2", 100, V2TradeType::App, SignType::HmacSha256),
    );
    // Unpaid.
    let e = err(&sim, &m, &refund_req("N2", "RF1", 100, 1));
    assert!(is_business(&e, &ErrCode::InvalidRequest), "{e}");
    sim.v2_pay("N2", NOW, &mut rng(1)).unwrap();
    // Not the order's amount.
    let e = err(&sim, &m, &refund_req("N2", "RF1", 99, 1));
    assert!(is_business(&e, &ErrCode::InvalidRequest), "{e}");
    // NOTENOUGH (the merchant's balance), scripted: verified, rejected.
    let s = script(|s| s.refund = Some(V2PayFail::new("NOTENOUGH", "余额不足")));
    let e = call(&sim, &m, &refund_req("N2", "RF1", 100, 1), &s).unwrap_err();
    assert_eq!(e, business(ErrCode::NotEnough, "余额不足"));
    assert_eq!(e.disposition(), Disposition::Rejected);
    // The same out_refund_no with another amount.
    ok(&sim, &m, &refund_req("N2", "RF1", 100, 1));
    let e = err(&sim, &m, &refund_req("N2", "RF1", 100, 2));
    assert!(is_business(&e, &ErrCode::InvalidRequest), "{e}");

    // Amounts refused at build: negative, zero, overflow, refund above the total.
    let amount = |field, max| ApiError::Field(FieldError::Amount { field, min: 1, max });
    let cases = [
        (refund_req("N2", "RF", -1, 1), amount("total_fee", MAX_FEN)),
        (refund_req("N2", "RF", 0, 1), amount("total_fee", MAX_FEN)),
        (
            refund_req("N2", "RF", i64::MAX, 1),
            amount("total_fee", MAX_FEN),
        ),
        (
            refund_req("N2", "RF", 100, 0),
            amount("refund_fee", MAX_FEN),
        ),
        (
            refund_req("N2", "RF", 100, -100),
            amount("refund_fee", MAX_FEN),
        ),
        (
            refund_req("N2", "RF", 100, MAX_FEN + 1),
            amount("refund_fee", MAX_FEN),
        ),
        (refund_req("N2", "RF", 100, 101), amount("refund_fee", 100)),
    ];
    for (req, want) in cases {
        assert_eq!(req.build(&m, &mut rng(1), NOW).unwrap_err(), want);
    }
    assert!(refund_req("N2", "RF", 100, 100).validate().is_ok());
    for (req, field) in [
        (refund_req("N2", "R F", 100, 1), "out_refund_no"),
        (refund_req("", "RF", 100, 1), "out_trade_no"),
        (
            V2RefundRequest {
                notify_url: Some("refund".into()),
                ..refund_req("N2", "RF", 100, 1)
            },
            "notify_url",
        ),
        (
            V2RefundRequest {
                refund_desc: Some("x".repeat(81)),
                ..refund_req("N2", "RF", 100, 1)
            },
            "refund_desc",
        ),
    ] {
        assert_eq!(req.validate().unwrap_err().field(), field);
    }
    // The echoes: another out_refund_no, another order.
    let good = reply(&sim, &m, &refund_req("N2", "RF1", 100, 1));
    assert_eq!(
        refund_req("N2", "RF9", 100, 1)
            .parse_reply(&m, resp(&good), NOW)
            .unwrap_err(),
        ApiError::Mismatch("out_refund_no".into())
    );
    assert_eq!(
        refund_req("N9", "RF1", 100, 1)
            .parse_reply(&m, resp(&good), NOW)
            .unwrap_err(),
        ApiError::Mismatch("out_trade_no".into())
    );
}

/// A signed `refundquery` reply with `records` (each: index, the record's fields).
fn records_reply(
    sim: &Simulator,
    m: &Merchant,
    count: &str,
    records: &[(&str, &[(&str, &str)])],
) -> Resp {
    let mut owned: Vec<(String, String)> = [
        ("result_code", "SUCCESS"),
        ("appid", APPID),
        ("mch_id", m.mchid().as_str()),
        ("transaction_id", "4200"),
        ("out_trade_no", "RQ"),
        ("total_fee", "100"),
        ("cash_fee", "100"),
        ("refund_count", count),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (i, fields) in records {
        for (k, v) in *fields {
            owned.push((format!("{k}_{i}"), (*v).to_owned()));
        }
    }
    let pairs: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    sim.v2_reply(&pairs, Some(SignType::HmacSha256))
}

const RECORD: &[(&str, &str)] = &[
    ("out_refund_no", "RF1"),
    ("refund_id", "5000"),
    ("refund_fee", "10"),
    ("refund_status", "CHANGE"),
];

#[test]
fn refundquery_records_and_their_count() {
    let (sim, m) = (sim(), merchant());
    let q = refunds(V2RefundRef::OutTradeNo("RQ".into()));
    let parse = |r: &Resp| q.parse_reply(&m, resp(r), NOW);
    let count = |declared, present| ApiError::RecordCount {
        field: "refund_count",
        declared,
        present,
    };
    // Matching.
    let out = parse(&records_reply(
        &sim,
        &m,
        "2",
        &[("0", RECORD), ("1", RECORD)],
    ))
    .unwrap();
    assert_eq!(out.refunds.len(), 2);
    assert_eq!(out.refunds[1].refund_status, V2RefundStatus::Change);
    assert_eq!(out.refunds[0].refund_recv_accout, None);
    assert!(
        parse(&records_reply(&sim, &m, "0", &[]))
            .unwrap()
            .refunds
            .is_empty()
    );
    // Mismatched: fewer, more, gaps, odd spellings, absurd counts.
    let cases: Vec<(Resp, ApiError)> = vec![
        (records_reply(&sim, &m, "2", &[("0", RECORD)]), count(2, 1)),
        (
            records_reply(&sim, &m, "1", &[("0", RECORD), ("1", RECORD)]),
            count(1, 2),
        ),
        (
            records_reply(&sim, &m, "2", &[("0", RECORD), ("2", RECORD)]),
            count(2, 2),
        ),
        (records_reply(&sim, &m, "1", &[("00", RECORD)]), count(1, 1)),
        (
            records_reply(
                &sim,
                &m,
                "1",
                &[("0", RECORD), ("1", &[("coupon_refund_fee", "1")])],
            ),
            count(1, 2),
        ),
        (records_reply(&sim, &m, "0", &[("0", RECORD)]), count(0, 1)),
        (records_reply(&sim, &m, "51", &[]), count(51, 0)),
        (
            records_reply(&sim, &m, "18446744073709551615", &[("0", RECORD)]),
            count(u64::MAX, 1),
        ),
        (
            records_reply(&sim, &m, "99999999999999999999999", &[("0", RECORD)]),
            ApiError::InvalidField("refund_count"),
        ),
        (
            records_reply(&sim, &m, "-1", &[]),
            ApiError::InvalidField("refund_count"),
        ),
        (
            records_reply(&sim, &m, "1", &[("0", &RECORD[..3])]),
            ApiError::MissingField("refund_status_0".into()),
        ),
        (
            records_reply(
                &sim,
                &m,
                "1",
                &[(
                    "0",
                    &[
                        ("out_refund_no", "RF1"),
                        ("refund_id", "5000"),
                        ("refund_fee", "1.5"),
                        ("refund_status", "SUCCESS"),
                    ],
                )],
            ),
            ApiError::InvalidField("refund_fee_$n"),
        ),
    ];
    for (r, want) in cases {
        let e = parse(&r).unwrap_err();
        assert_eq!(e, want);
        assert_eq!(e.disposition(), Disposition::Untrusted);
    }
    // The largest count allowed, with every record present.
    let many: Vec<(String, &[(&str, &str)])> = (0..MAX_REFUND_RECORDS)
        .map(|i| (i.to_string(), RECORD))
        .collect();
    let many: Vec<(&str, &[(&str, &str)])> = many.iter().map(|(i, r)| (i.as_str(), *r)).collect();
    let r = records_reply(&sim, &m, &MAX_REFUND_RECORDS.to_string(), &many);
    assert_eq!(parse(&r).unwrap().refunds.len(), MAX_REFUND_RECORDS);
    // No refund_count at all.
    let r = sim.v2_reply(
        &[
            ("result_code", "SUCCESS"),
            ("appid", APPID),
            ("mch_id", m.mchid().as_str()),
            ("transaction_id", "4200"),
            ("out_trade_no", "RQ"),
            ("total_fee", "100"),
            ("cash_fee", "100"),
        ],
        Some(SignType::HmacSha256),
    );
    assert_eq!(
        parse(&r).unwrap_err(),
        ApiError::MissingField("refund_count".into())
    );

    // A query by refund id must find that refund among the records.
    let r = records_reply(&sim, &m, "1", &[("0", RECORD)]);
    let by_no = refunds(V2RefundRef::OutRefundNo("RF2".into()));
    assert_eq!(
        by_no.parse_reply(&m, resp(&r), NOW).unwrap_err(),
        ApiError::Mismatch("out_refund_no".into())
    );
    let by_id = refunds(V2RefundRef::RefundId("5001".into()));
    assert_eq!(
        by_id.parse_reply(&m, resp(&r), NOW).unwrap_err(),
        ApiError::Mismatch("refund_id".into())
    );
    assert!(
        refunds(V2RefundRef::RefundId("5000".into()))
            .parse_reply(&m, resp(&r), NOW)
            .is_ok()
    );
    // Without the request (default options) nothing is looked for.
    assert!(refundquery::read_reply(&m, resp(&r), NOW).is_ok());
    let pinned = V2RefundQueryReplyOptions::new(
        Some(SignType::HmacSha256),
        Some(V2RefundRef::OutRefundNo("RF2".into())),
    );
    assert_eq!(
        api::read_reply_with::<V2RefundQueryRequest>(&m, resp(&r), NOW, &pinned).unwrap_err(),
        ApiError::Mismatch("out_refund_no".into())
    );
    // The order's ids are echoes.
    let other = refunds(V2RefundRef::TransactionId("4201".into()));
    assert_eq!(
        other.parse_reply(&m, resp(&r), NOW).unwrap_err(),
        ApiError::Mismatch("transaction_id".into())
    );
}

// ---------------------------------------------------------------------------------------------
// Every operation: tampered, folded, unsigned, wrong key
// ---------------------------------------------------------------------------------------------

/// Check `good` (the genuine reply to `op`) and its tampered forms.
fn tampering<O: Operation>(sim: &Simulator, m: &Merchant, op: &O, good: &Resp, name: &str)
where
    O::Outcome: std::fmt::Debug,
{
    assert!(op.parse_reply(m, resp(good), NOW).is_ok(), "{name}");
    let sign_mismatch = ApiError::V2Reply(ReplyError::Sign(SignError::Mismatch));
    let f = wire::xml::parse(good.body()).unwrap();
    let sign = f.get("sign").unwrap();
    let nonce = f.get("nonce_str").unwrap();
    let cases = [
        ("sign altered", flip_sign(good), sign_mismatch.clone()),
        (
            "body altered",
            raw(200, body_str(good).replace(nonce, "tampered").as_bytes()),
            sign_mismatch.clone(),
        ),
        (
            "sign removed",
            raw(
                200,
                body_str(good)
                    .replace(&format!("<sign>{sign}</sign>"), "")
                    .as_bytes(),
            ),
            ApiError::V2Reply(ReplyError::Sign(SignError::Missing)),
        ),
    ];
    for (case, r, want) in cases {
        let e = op.parse_reply(m, resp(&r), NOW).unwrap_err();
        assert_eq!(e, want, "{name}: {case}");
        assert_eq!(e.disposition(), Disposition::Untrusted, "{name}: {case}");
    }
    let e = op
        .parse_reply(&wrong_key_merchant(), resp(good), NOW)
        .unwrap_err();
    assert_eq!(e, sign_mismatch, "{name}: wrong key");
    // A request signed with the wrong key is refused by WeChat Pay.
    let r = send(
        sim,
        op.build(&wrong_key_merchant(), &mut rng(1), NOW).unwrap(),
        &Script::default(),
    );
    assert_eq!(
        op.parse_reply(m, resp(&r), NOW).unwrap_err(),
        return_fail("签名错误"),
        "{name}"
    );
    // Another merchant id: refused before anything else.
    let r = send(
        sim,
        op.build(&other_merchant(), &mut rng(1), NOW).unwrap(),
        &Script::default(),
    );
    assert_matches!(
        op.parse_reply(&other_merchant(), resp(&r), NOW),
        Err(ApiError::V2Reply(ReplyError::ReturnFail { .. }))
    );
    assert_eq!(
        op.parse_reply(m, resp(&raw(502, b"")), NOW).unwrap_err(),
        ApiError::HttpStatus(502)
    );
    assert_matches!(
        op.parse_reply(m, resp(&raw(200, b"<html>")), NOW),
        Err(ApiError::V2Reply(ReplyError::Xml(_)))
    );
}

#[test]
fn every_operation_refuses_tampered_replies() {
    let (sim, m) = (sim(), merchant());
    let uo = order("T1", 100, V2TradeType::Native, SignType::HmacSha256);
    let good = reply(&sim, &m, &uo);
    tampering(&sim, &m, &uo, &good, "unifiedorder");
    sim.v2_pay("T1", NOW, &mut rng(1)).unwrap();
    let q = query("T1");
    tampering(&sim, &m, &q, &reply(&sim, &m, &q), "orderquery");
    let rf = refund_req("T1", "RF1", 100, 10);
    tampering(&sim, &m, &rf, &reply(&sim, &m, &rf), "refund");
    let rq = refunds(V2RefundRef::OutRefundNo("RF1".into()));
    tampering(&sim, &m, &rq, &reply(&sim, &m, &rq), "refundquery");
    ok(&sim, &m, &order("T2", 100, V2TradeType::App, SignType::Md5));
    let mut c = V2CloseOrderRequest::new(APPID, "T2");
    c.sign_type = SignType::Md5;
    tampering(&sim, &m, &c, &reply(&sim, &m, &c), "closeorder");
    // A business failure is verified too: unsigned, it is untrusted.
    let fail = reply(&sim, &m, &V2CloseOrderRequest::new(APPID, "T2"));
    let e = V2CloseOrderRequest::new(APPID, "T2")
        .parse_reply(&m, resp(&fail), NOW)
        .unwrap_err();
    assert!(is_business(&e, &ErrCode::OrderClosed), "{e}");
    assert_eq!(
        V2CloseOrderRequest::new(APPID, "T2")
            .parse_reply(&m, resp(&flip_sign(&fail)), NOW)
            .unwrap_err(),
        ApiError::V2Reply(ReplyError::Sign(SignError::Mismatch))
    );
    // An MD5 request does not accept an HMAC-signed reply.
    let mut md5_query = query("T1");
    md5_query.sign_type = SignType::Md5;
    assert_eq!(
        md5_query
            .parse_reply(&m, resp(&reply(&sim, &m, &q)), NOW)
            .unwrap_err(),
        ApiError::V2Reply(ReplyError::Sign(SignError::Malformed { expected: 32 }))
    );
}

#[test]
fn folded_replies_are_refused() {
    let (sim, m) = (sim(), merchant());
    let fold = |field: &str| {
        ApiError::V2Reply(ReplyError::PossibleFold {
            field: field.into(),
        })
    };
    let base = [
        ("result_code", "SUCCESS"),
        ("appid", APPID),
        ("mch_id", m.mchid().as_str()),
        ("out_trade_no", "F1"),
        ("trade_state", "SUCCESS"),
        ("transaction_id", "4200"),
        ("time_end", "20260101080000"),
    ];
    let signed = |extra: &[(&str, &str)]| {
        let mut pairs = base.to_vec();
        pairs.extend_from_slice(extra);
        sim.v2_reply(&pairs, Some(SignType::HmacSha256))
    };
    // attach (opaque) swallowing total_fee: the signature verifies, the meaning does not.
    let r = signed(&[("attach", "x&total_fee=1")]);
    assert_eq!(
        query("F1").parse_reply(&m, resp(&r), NOW).unwrap_err(),
        fold("attach")
    );
    // bank_type hiding cash_fee.
    let r = signed(&[("total_fee", "1"), ("bank_type", "CMB&cash_fee=1")]);
    assert_eq!(
        query("F1").parse_reply(&m, resp(&r), NOW).unwrap_err(),
        fold("bank_type")
    );
    // An attach holding a query string of names the reply does not have is fine, as received.
    let r = signed(&[("total_fee", "1"), ("attach", "a=1&b=2")]);
    let out = query("F1").parse_reply(&m, resp(&r), NOW).unwrap();
    assert_eq!(out.attach.as_deref(), Some("a=1&b=2"));
    // A refund reply whose refund_id hides refund_fee.
    let r = sim.v2_reply(
        &[
            ("result_code", "SUCCESS"),
            ("appid", APPID),
            ("mch_id", m.mchid().as_str()),
            ("out_trade_no", "F1"),
            ("transaction_id", "4200"),
            ("out_refund_no", "RF1"),
            ("refund_id", "5000&refund_fee=100"),
            ("total_fee", "100"),
            ("cash_fee", "100"),
        ],
        Some(SignType::HmacSha256),
    );
    assert_eq!(
        refund_req("F1", "RF1", 100, 100)
            .parse_reply(&m, resp(&r), NOW)
            .unwrap_err(),
        fold("refund_id")
    );
    // A refund record hiding the next one.
    let r = records_reply(
        &sim,
        &m,
        "2",
        &[
            ("0", RECORD),
            (
                "1",
                &[
                    ("out_refund_no", "RF2"),
                    ("refund_id", "5001"),
                    ("refund_fee", "10"),
                    ("refund_status", "SUCCESS&refund_success_time_1=2026-01-01"),
                ],
            ),
        ],
    );
    assert_eq!(
        refunds(V2RefundRef::OutTradeNo("RQ".into()))
            .parse_reply(&m, resp(&r), NOW)
            .unwrap_err(),
        fold("refund_status_1")
    );
}

#[test]
fn debug_output_redacts_personal_data() {
    let mut req = order("D1", 1, V2TradeType::Jsapi, SignType::Md5);
    req.sub_openid = Some(Personal::new("oSUBOPENID0000000000000000"));
    req.sub_merchant = Some(V2SubMerchant::new("1900000999").with_sub_appid("wx8888888888888888"));
    let shown = format!("{req:?}");
    assert!(
        !shown.contains(OPENID) && !shown.contains("oSUBOPENID") && !shown.contains("123.12.12"),
        "{shown}"
    );
    let http = req.build(&merchant(), &mut rng(1), NOW).unwrap();
    assert!(!format!("{http:?}").contains(OPENID));
    let out = V2OrderQueryOutcome {
        appid: APPID.into(),
        mch_id: "1".into(),
        sub_appid: None,
        sub_mch_id: None,
        trade_state: V2TradeState::Success,
        trade_state_desc: None,
        out_trade_no: "D1".into(),
        transaction_id: Some("4200".into()),
        trade_type: Some(V2OrderTradeType::Jsapi),
        total_fee: Some(1),
        cash_fee: Some(1),
        fee_type: None,
        bank_type: None,
        time_end: None,
        attach: None,
        openid: Some(Personal::new(OPENID)),
        is_subscribe: None,
    };
    assert!(!format!("{out:?}").contains(OPENID));
    let placed = UnifiedOrderOutcome {
        appid: APPID.into(),
        mch_id: "1".into(),
        sub_appid: None,
        sub_mch_id: None,
        trade_type: V2TradeType::Jsapi,
        client_appid: APPID.into(),
        prepay_id: "wx1".into(),
        code_url: None,
        mweb_url: None,
        sign_type: SignType::Md5,
    };
    assert!(format!("{placed:?}").contains("wx1"));
}

#[test]
fn the_order_book_is_shared_by_clones_and_threads() {
    let (sim, m) = (sim(), merchant());
    let clone = sim.clone();
    std::thread::scope(|s| {
        for i in 0..2 {
            let (sim, m) = (&clone, &m);
            s.spawn(move || {
                ok(
                    sim,
                    m,
                    &order(&format!("TH{i}"), 1, V2TradeType::App, SignType::Md5),
                );
            });
        }
    });
    for i in 0..2 {
        assert_eq!(
            ok(&sim, &m, &query(&format!("TH{i}"))).trade_state,
            V2TradeState::NotPay
        );
    }
    // A fresh simulator has its own book.
    assert!(is_business(
        &err(&Simulator::new(), &m, &query("TH0")),
        &ErrCode::OrderNotExist
    ));
}
