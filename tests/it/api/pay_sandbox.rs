//! Every v3 payment operation, direct and partner, end to end through the sandbox: a success, a
//! WeChat Pay failure (verified), a tampered reply (refused, untrusted), a reply for another
//! order (refused), a 429 and a 500 (transient), and the whole lifecycle with notifications.

use crate::common::{NOW, merchant, rng, sim};
use wechatpay_sansio::api::pay::notify::{self, PaymentEvent};
use wechatpay_sansio::api::pay::prepay::{self, Prepay, PrepayRequest};
use wechatpay_sansio::api::pay::{
    OrderId, Payee, RefundStatus, SubMerchant, TradeState, close, query, refund, refund_query,
};
use wechatpay_sansio::api::{ApiError, Failure, Operation};
use wechatpay_sansio::error::{Classify, Disposition, Distrust};
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::simulator::pay_v3::{PayFault, PayScript};
use wechatpay_sansio::simulator::sandbox::RefundResult;
use wechatpay_sansio::simulator::v3::ScriptedError;
use wechatpay_sansio::simulator::{Script, Simulator};
use wechatpay_sansio::v3::response::ResponseError;

const APPID: &str = "wxd678efh567hg6787";
const NOTIFY: &str = "https://www.weixin.qq.com/wxpay/pay.php";
const SUB: &str = "1900000110";

fn script(fault: Option<PayFault>) -> Script {
    Script {
        pay: PayScript { fault, only: None },
        ..Script::default()
    }
}

fn call<O: Operation>(
    s: &Simulator,
    req: &O,
    fault: Option<PayFault>,
) -> Result<O::Outcome, ApiError> {
    let m = merchant();
    let mut g = rng(7);
    let built = req.build(&m, &mut g, NOW)?;
    let reply = s.handle(&built.into_http(), NOW, &mut g, &script(fault));
    req.parse_reply(&m, ResponseRef::from_http(&reply), NOW)
}

/// The failure modes every operation must get right.
fn failures<O: Operation>(s: &Simulator, req: &O, what: &str)
where
    O::Outcome: std::fmt::Debug,
{
    let e = call(
        s,
        req,
        Some(PayFault::Error(ScriptedError::new(
            400,
            "INVALID_REQUEST",
            "参数错误",
        ))),
    )
    .unwrap_err();
    assert!(
        matches!(e.failure(), Some(Failure::V3(r)) if r.code.as_str() == "INVALID_REQUEST"),
        "{what}: {e:?}"
    );
    assert_eq!(e.disposition(), Disposition::Rejected, "{what}");
    let e = call(s, req, Some(PayFault::Tampered)).unwrap_err();
    assert!(
        matches!(e, ApiError::V3Reply(ResponseError::Verify(_))),
        "{what}: tampered: {e:?}"
    );
    assert_eq!(
        (e.disposition(), e.distrust()),
        (Disposition::Untrusted, Some(Distrust::Tampered)),
        "{what}"
    );
    for fault in [PayFault::FrequencyLimited, PayFault::SystemError] {
        let e = call(s, req, Some(fault)).unwrap_err();
        assert!(e.is_retryable(), "{what}: {e:?}");
    }
    let stale =
        wechatpay_sansio::keys::KeyId::new("5157F09EFDC096DE15EBE81A47057A7232F1B8E1").unwrap();
    let e = call(s, req, Some(PayFault::StaleSerial(stale))).unwrap_err();
    assert_eq!(e.distrust(), Some(Distrust::KeyRotation), "{what}: {e:?}");
}

fn lifecycle(sub: Option<SubMerchant>) {
    let s = sim();
    let m = merchant();
    let mut g = rng(8);
    let tag = if sub.is_some() { "P" } else { "D" };
    let with = |r: PrepayRequest| match &sub {
        Some(x) => r.partner(x.clone()),
        None => r,
    };
    // Prepay, the four kinds.
    let orders = [
        with(PrepayRequest::jsapi(
            APPID,
            "QQ公仔",
            format!("{tag}JSAPI01"),
            NOTIFY,
            100,
            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        )),
        with(PrepayRequest::app(
            APPID,
            "QQ公仔",
            format!("{tag}APP0001"),
            NOTIFY,
            100,
        )),
        with(PrepayRequest::h5(
            APPID,
            "QQ公仔",
            format!("{tag}H500001"),
            NOTIFY,
            100,
            "14.23.150.211",
        )),
        with(PrepayRequest::native(
            APPID,
            "QQ公仔",
            format!("{tag}NATIVE1"),
            NOTIFY,
            100,
        )),
    ];
    for o in &orders {
        let out = call(&s, o, None).unwrap();
        match (&out.prepay, o.endpoint().path.rsplit('/').next().unwrap()) {
            (Prepay::PrepayId(id), "jsapi" | "app") => assert!(id.starts_with("wx")),
            (Prepay::H5Url(u), "h5") => assert!(u.starts_with("https://")),
            (Prepay::CodeUrl(u), "native") => assert!(u.starts_with("weixin://")),
            other => panic!("{other:?}"),
        }
        if matches!(out.prepay, Prepay::PrepayId(_)) {
            assert!(out.jsapi_pay_params(&m, &mut g, NOW).is_ok());
            assert!(out.app_pay_params(&m, &mut g, NOW).is_ok());
        }
        failures(&s, o, o.endpoint().name);
    }
    // Query before payment: NOTPAY, by out_trade_no (by transaction_id needs one).
    let no = &orders[0].out_trade_no;
    let q = |r: query::QueryOrderRequest| match &sub {
        Some(x) => r.partner(x.clone()),
        None => r,
    };
    let t = call(&s, &q(query::QueryOrderRequest::by_out_trade_no(no)), None).unwrap();
    assert_eq!(
        (t.trade_state, t.transaction_id),
        (TradeState::NotPay, None)
    );
    // Pay: the notification verifies, decrypts, is typed and names this merchant.
    let sent = s
        .pay(no, Some("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"), NOW, &mut g)
        .unwrap();
    let PaymentEvent::Transaction(paid) =
        notify::parse(&m, sent.headers(), sent.body(), NOW).unwrap()
    else {
        panic!()
    };
    assert!(paid.is_paid());
    assert_eq!(matches!(paid.payee, Payee::Partner { .. }), sub.is_some());
    let tid = paid.transaction_id.clone().unwrap();
    for req in [
        q(query::QueryOrderRequest::by_out_trade_no(no)),
        q(query::QueryOrderRequest::by_transaction_id(&tid)),
    ] {
        let t = call(&s, &req, None).unwrap();
        assert_eq!(
            (t.trade_state, t.transaction_id.as_deref()),
            (TradeState::Success, Some(tid.as_str()))
        );
        failures(&s, &req, req.endpoint().name);
    }
    // WeChat Pay's own failure: an unknown order, verified.
    let e = call(
        &s,
        &q(query::QueryOrderRequest::by_out_trade_no("NO_SUCH_ORDER")),
        None,
    )
    .unwrap_err();
    assert!(
        matches!(e.failure(), Some(Failure::V3(r)) if r.code.as_str() == "ORDER_NOT_EXIST"),
        "{e:?}"
    );
    // Close an unpaid order (204, verified); a paid one is refused.
    let c = |r: close::CloseOrderRequest| match &sub {
        Some(x) => r.partner(x.clone()),
        None => r,
    };
    call(
        &s,
        &c(close::CloseOrderRequest::new(&orders[3].out_trade_no)),
        None,
    )
    .unwrap();
    let e = call(&s, &c(close::CloseOrderRequest::new(no)), None).unwrap_err();
    assert!(e.failure().is_some(), "{e:?}");
    failures(
        &s,
        &c(close::CloseOrderRequest::new(&orders[1].out_trade_no)),
        "close",
    );
    // Refund (PROCESSING), then its notification, then the query says SUCCESS.
    let rf = |r: refund::RefundRequest| match &sub {
        Some(x) => r.partner(x.clone()),
        None => r,
    };
    let req = rf(refund::RefundRequest::new(
        OrderId::OutTradeNo(no.clone()),
        format!("{tag}R1"),
        40,
        100,
    ));
    let r = call(&s, &req, None).unwrap();
    assert_eq!(
        (r.status.clone(), r.amount.refund, r.transaction_id.as_str()),
        (RefundStatus::Processing, 40, tid.as_str())
    );
    let again = call(&s, &req, None).unwrap();
    assert_eq!(again.refund_id, r.refund_id, "idempotent on out_refund_no");
    failures(&s, &req, "refund");
    let e = call(
        &s,
        &rf(refund::RefundRequest::new(
            OrderId::OutTradeNo(no.clone()),
            format!("{tag}R2"),
            61,
            100,
        )),
        None,
    )
    .unwrap_err();
    assert!(e.failure().is_some(), "more than is left: {e:?}");
    let done = s
        .complete_refund(&r.out_refund_no, RefundResult::Success, NOW, &mut g)
        .unwrap();
    let PaymentEvent::Refund(n) = notify::parse(&m, done.headers(), done.body(), NOW).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        (n.refund_status, n.out_refund_no.as_str(), n.amount.refund),
        (RefundStatus::Success, r.out_refund_no.as_str(), 40)
    );
    let rq = |r: refund_query::RefundQueryRequest| match &sub {
        Some(x) => r.partner(x.clone()),
        None => r,
    };
    let req = rq(refund_query::RefundQueryRequest::new(&r.out_refund_no));
    let got = call(&s, &req, None).unwrap();
    assert_eq!(
        (got.status, got.success_time.is_some()),
        (RefundStatus::Success, true)
    );
    failures(&s, &req, "refund-query");
    let e = call(
        &s,
        &rq(refund_query::RefundQueryRequest::new("NO_SUCH_REFUND")),
        None,
    )
    .unwrap_err();
    assert!(e.failure().is_some(), "{e:?}");
}

#[test]
fn direct_lifecycle_every_operation() {
    lifecycle(None);
}

#[test]
fn partner_lifecycle_every_operation() {
    lifecycle(Some(SubMerchant::new(SUB)));
    lifecycle(Some(
        SubMerchant::new(SUB).with_sub_appid("wx8888888888888888"),
    ));
}

#[test]
fn a_reply_for_another_order_or_merchant_is_refused() {
    let s = sim();
    let m = merchant();
    let mut g = rng(9);
    let body = br#"{"appid":"wxd678efh567hg6787","mchid":"1900000109","out_trade_no":"OTHER_ORDER","trade_state":"NOTPAY"}"#;
    let reply = s.signed_v3_reply(&mut g, http::StatusCode::OK, body.to_vec(), NOW);
    let q = query::QueryOrderRequest::by_out_trade_no("MY_ORDER_1");
    let e = q
        .parse_reply(&m, ResponseRef::from_http(&reply), NOW)
        .unwrap_err();
    assert!(
        matches!(&e, ApiError::Mismatch(f) if f == "out_trade_no"),
        "{e:?}"
    );
    let other = br#"{"appid":"wxd678efh567hg6787","mchid":"1900000999","out_trade_no":"MY_ORDER_1","trade_state":"NOTPAY"}"#;
    let reply = s.signed_v3_reply(&mut g, http::StatusCode::OK, other.to_vec(), NOW);
    let e = q
        .parse_reply(&m, ResponseRef::from_http(&reply), NOW)
        .unwrap_err();
    assert!(matches!(&e, ApiError::Mismatch(f) if f == "mchid"), "{e:?}");
    let partner = q.clone().partner(SubMerchant::new(SUB));
    let e = partner
        .parse_reply(&m, ResponseRef::from_http(&reply), NOW)
        .unwrap_err();
    assert!(
        matches!(&e, ApiError::MissingField(f) if f == "sp_mchid"),
        "{e:?}"
    );
    // The app id, when the caller names it.
    let body = br#"{"appid":"wxd678efh567hg6787","mchid":"1900000109","out_trade_no":"MY_ORDER_1","trade_state":"NOTPAY"}"#;
    let mine = s.signed_v3_reply(&mut g, http::StatusCode::OK, body.to_vec(), NOW);
    assert!(
        q.clone()
            .expect_appid("wxd678efh567hg6787")
            .parse_reply(&m, ResponseRef::from_http(&mine), NOW)
            .is_ok()
    );
    let e = q
        .clone()
        .expect_appid("wx_other_app_00001")
        .parse_reply(&m, ResponseRef::from_http(&mine), NOW)
        .unwrap_err();
    assert!(matches!(&e, ApiError::Mismatch(f) if f == "appid"), "{e:?}");
    // Without the request at hand the ids need only be present.
    assert!(query::read_reply(&m, ResponseRef::from_http(&reply), NOW).is_ok());
    let rbody = br#"{"refund_id":"1","out_refund_no":"R_OTHER","transaction_id":"4","out_trade_no":"T","status":"SUCCESS","amount":{"total":1,"refund":1}}"#;
    let reply = s.signed_v3_reply(&mut g, http::StatusCode::OK, rbody.to_vec(), NOW);
    let e = refund_query::RefundQueryRequest::new("R_MINE")
        .parse_reply(&m, ResponseRef::from_http(&reply), NOW)
        .unwrap_err();
    assert!(
        matches!(&e, ApiError::Mismatch(f) if f == "out_refund_no"),
        "{e:?}"
    );
    // A prepay reply with two answers is not a prepay reply.
    let both = br#"{"prepay_id":"wx1","code_url":"weixin://x"}"#;
    let reply = s.signed_v3_reply(&mut g, http::StatusCode::OK, both.to_vec(), NOW);
    assert!(matches!(
        PrepayRequest::native(APPID, "d", "NATIVE01", NOTIFY, 1).parse_reply(
            &m,
            ResponseRef::from_http(&reply),
            NOW
        ),
        Err(ApiError::InvalidField("prepay_id"))
    ));
    // Another endpoint's answer: a Native order answered with a prepay_id, a JSAPI order with a
    // code_url. Read without the request, either is a prepay reply.
    let id = br#"{"prepay_id":"wx1"}"#;
    let reply = s.signed_v3_reply(&mut g, http::StatusCode::OK, id.to_vec(), NOW);
    let e = PrepayRequest::native(APPID, "d", "NATIVE01", NOTIFY, 1)
        .parse_reply(&m, ResponseRef::from_http(&reply), NOW)
        .unwrap_err();
    assert!(
        matches!(&e, ApiError::MissingField(f) if f == "code_url"),
        "{e:?}"
    );
    assert!(prepay::read_reply(&m, ResponseRef::from_http(&reply), NOW).is_ok());
    let code = br#"{"code_url":"weixin://wxpay/bizpayurl?pr=x"}"#;
    let reply = s.signed_v3_reply(&mut g, http::StatusCode::OK, code.to_vec(), NOW);
    let e = PrepayRequest::jsapi(APPID, "d", "JSAPI001", NOTIFY, 1, "o")
        .parse_reply(&m, ResponseRef::from_http(&reply), NOW)
        .unwrap_err();
    assert!(
        matches!(&e, ApiError::MissingField(f) if f == "prepay_id"),
        "{e:?}"
    );
    let unknown = br#"{"refund_id":"1","out_refund_no":"R_MINE","transaction_id":"4","out_trade_no":"T","status":"REFUNDING_SOMEHOW","amount":{"total":1,"refund":1}}"#;
    let reply = s.signed_v3_reply(&mut g, http::StatusCode::OK, unknown.to_vec(), NOW);
    let r = refund_query::RefundQueryRequest::new("R_MINE")
        .parse_reply(&m, ResponseRef::from_http(&reply), NOW)
        .unwrap();
    assert_eq!(
        r.status,
        RefundStatus::Other("REFUNDING_SOMEHOW".into()),
        "unknown states are kept"
    );
}

#[test]
fn abnormal_and_closed_refunds_and_reordered_notifications() {
    use wechatpay_sansio::simulator::sandbox::NotificationOrder;
    let s = sim();
    let m = merchant();
    let mut g = rng(10);
    let o = PrepayRequest::native(APPID, "d", "ORDER_AB1", NOTIFY, 100);
    call(&s, &o, None).unwrap();
    s.pay("ORDER_AB1", None, NOW, &mut g).unwrap();
    for (no, result, status) in [
        ("RA", RefundResult::Abnormal, RefundStatus::Abnormal),
        ("RC", RefundResult::Closed, RefundStatus::Closed),
    ] {
        let req = refund::RefundRequest::new(OrderId::OutTradeNo("ORDER_AB1".into()), no, 10, 100);
        call(&s, &req, None).unwrap();
        let sent = s.complete_refund(no, result, NOW, &mut g).unwrap();
        let PaymentEvent::Refund(n) = notify::parse(&m, sent.headers(), sent.body(), NOW).unwrap()
        else {
            panic!()
        };
        assert_eq!(n.refund_status, status);
        assert_eq!(n.event_type, format!("REFUND.{}", status.as_str()));
    }
    // A refund notification before the payment's, and a duplicate: each verifies and types;
    // the application keys on the ids.
    for order in [NotificationOrder::Reversed, NotificationOrder::Duplicated] {
        let all = s.notifications("ORDER_AB1", order, NOW, &mut g).unwrap();
        assert!(all.len() >= 2);
        let events: Vec<_> = all
            .iter()
            .map(|n| notify::parse(&m, n.headers(), n.body(), NOW).unwrap())
            .collect();
        if order == NotificationOrder::Reversed {
            assert!(matches!(events[0], PaymentEvent::Refund(_)), "{events:?}");
        }
    }
}
