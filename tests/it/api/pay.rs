//! The v3 payment core (`api::pay`): request shapes byte for byte, every validation rule, the
//! official documents' notification examples typed, Debug redaction. The lifecycle through the
//! sandbox is in `pay_sandbox`.

use crate::common::{NOW, merchant, rng, sim};
use wechatpay_sansio::api::pay::notify::{self, PaymentEvent};
use wechatpay_sansio::api::pay::prepay::{Prepaid, Prepay, PrepayRequest};
use wechatpay_sansio::api::pay::{
    OrderId, Payee, RefundStatus, SubMerchant, TradeState, TradeType, Transaction, close, query,
    refund, refund_query,
};
use wechatpay_sansio::api::{ApiError, Operation};
use wechatpay_sansio::error::FieldError;
use wechatpay_sansio::merchant::Merchant;

const APPID: &str = "wxd678efh567hg6787";
const NOTIFY: &str = "https://www.weixin.qq.com/wxpay/pay.php";

fn body_json(r: &wechatpay_sansio::Request) -> serde_json::Value {
    serde_json::from_slice(r.body()).unwrap()
}

#[test]
fn prepay_bodies_direct_and_partner() {
    let m = merchant();
    let mut g = rng(1);
    let mut jsapi = PrepayRequest::jsapi(
        APPID,
        "Image形象店-深圳腾大-QQ公仔",
        "1217752501201407033233368018",
        NOTIFY,
        100,
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    );
    jsapi.time_expire = Some("2018-06-08T10:34:56+08:00".into());
    jsapi.attach = Some("自定义数据".into());
    let r = jsapi.build(&m, &mut g, NOW).unwrap();
    assert_eq!(r.method(), http::Method::POST);
    assert_eq!(
        r.uri().to_string(),
        "https://api.mch.weixin.qq.com/v3/pay/transactions/jsapi"
    );
    assert!(
        r.headers()
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("WECHATPAY2-SHA256-RSA2048 mchid=\"1900000109\"")
    );
    assert!(
        r.headers().get("wechatpay-serial").is_none(),
        "no encrypted field, no serial"
    );
    assert_eq!(
        body_json(&r),
        serde_json::json!({
        "appid": APPID, "mchid": "1900000109", "description": "Image形象店-深圳腾大-QQ公仔",
        "out_trade_no": "1217752501201407033233368018", "time_expire": "2018-06-08T10:34:56+08:00",
        "attach": "自定义数据", "notify_url": NOTIFY, "amount": {"total": 100},
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}})
    );

    let partner = jsapi
        .clone()
        .partner(SubMerchant::new("1900000110").with_sub_appid("wx8888888888888888"));
    let r = partner.build(&m, &mut g, NOW).unwrap();
    assert_eq!(r.uri().path(), "/v3/pay/partner/transactions/jsapi");
    let b = body_json(&r);
    assert_eq!(b["sp_appid"], APPID);
    assert_eq!(b["sp_mchid"], "1900000109");
    assert_eq!(b["sub_mchid"], "1900000110");
    assert_eq!(b["sub_appid"], "wx8888888888888888");
    assert_eq!(
        b["payer"],
        serde_json::json!({"sub_openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"})
    );
    assert!(b.get("appid").is_none() && b.get("mchid").is_none());
    // The service provider's user, with a sub_appid sent: `sp_openid` (the document: either
    // may be sent; only `sub_openid` needs `sub_appid`).
    let sp_user = PrepayRequest {
        payer_under_sp_appid: true,
        ..partner.clone()
    };
    let b = body_json(&sp_user.build(&m, &mut g, NOW).unwrap());
    assert_eq!(b["sub_appid"], "wx8888888888888888");
    assert_eq!(
        b["payer"],
        serde_json::json!({"sp_openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"})
    );
    assert_eq!(sp_user.reply_options().appid.as_deref(), Some(APPID));
    let sp = jsapi.partner(SubMerchant::new("1900000110"));
    let b = body_json(&sp.build(&m, &mut g, NOW).unwrap());
    assert_eq!(
        b["payer"],
        serde_json::json!({"sp_openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"})
    );

    let h5 = PrepayRequest::h5(APPID, "d", "H5ORDER1", NOTIFY, 1, "14.23.150.211");
    let r = h5.build(&m, &mut g, NOW).unwrap();
    assert_eq!(r.uri().path(), "/v3/pay/transactions/h5");
    assert_eq!(
        body_json(&r)["scene_info"],
        serde_json::json!({"payer_client_ip": "14.23.150.211", "h5_info": {"type": "Wap"}})
    );
    for (req, path) in [
        (
            PrepayRequest::app(APPID, "d", "APPORDER1", NOTIFY, 1),
            "/v3/pay/transactions/app",
        ),
        (
            PrepayRequest::native(APPID, "d", "NATIVE01", NOTIFY, 1),
            "/v3/pay/transactions/native",
        ),
        (
            PrepayRequest::native(APPID, "d", "NATIVE01", NOTIFY, 1).partner(SubMerchant::new("1")),
            "/v3/pay/partner/transactions/native",
        ),
        (
            PrepayRequest::app(APPID, "d", "APPORDER1", NOTIFY, 1).partner(SubMerchant::new("1")),
            "/v3/pay/partner/transactions/app",
        ),
        (
            h5.clone().partner(SubMerchant::new("1")),
            "/v3/pay/partner/transactions/h5",
        ),
    ] {
        assert_eq!(req.endpoint().path, path);
        let b = body_json(&req.build(&m, &mut g, NOW).unwrap());
        assert!(b.get("payer").is_none(), "{path}: no payer");
    }
    // Tests point requests at a local host through the description.
    let r = h5
        .build_at(&h5.endpoint().at("https://127.0.0.1:9"), &m, &mut g, NOW)
        .unwrap();
    assert_eq!(
        r.uri().to_string(),
        "https://127.0.0.1:9/v3/pay/transactions/h5"
    );
}

#[test]
fn query_close_refund_urls_and_bodies() {
    let m = merchant();
    let mut g = rng(2);
    let sub = SubMerchant::new("1900000110");
    for (req, method, url) in [
        (
            query::QueryOrderRequest::by_transaction_id("1217752501201407033233368018"),
            "GET",
            "https://api.mch.weixin.qq.com/v3/pay/transactions/id/1217752501201407033233368018?mchid=1900000109",
        ),
        (
            query::QueryOrderRequest::by_out_trade_no("A|B*C@D"),
            "GET",
            "https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/A%7CB*C%40D?mchid=1900000109",
        ),
        (
            query::QueryOrderRequest::by_out_trade_no("T1_2-3").partner(sub.clone()),
            "GET",
            "https://api.mch.weixin.qq.com/v3/pay/partner/transactions/out-trade-no/T1_2-3?sp_mchid=1900000109&sub_mchid=1900000110",
        ),
        (
            query::QueryOrderRequest::by_transaction_id("42").partner(sub.clone()),
            "GET",
            "https://api.mch.weixin.qq.com/v3/pay/partner/transactions/id/42?sp_mchid=1900000109&sub_mchid=1900000110",
        ),
    ] {
        let r = req.build(&m, &mut g, NOW).unwrap();
        assert_eq!(
            (r.method().as_str(), r.uri().to_string().as_str()),
            (method, url)
        );
        assert!(r.body().is_empty());
    }
    let r = close::CloseOrderRequest::new("1217752501201407033233368018")
        .build(&m, &mut g, NOW)
        .unwrap();
    assert_eq!(
        r.uri().path(),
        "/v3/pay/transactions/out-trade-no/1217752501201407033233368018/close"
    );
    assert_eq!(body_json(&r), serde_json::json!({"mchid": "1900000109"}));
    let r = close::CloseOrderRequest::new("T1")
        .partner(sub.clone())
        .build(&m, &mut g, NOW)
        .unwrap();
    assert_eq!(
        r.uri().path(),
        "/v3/pay/partner/transactions/out-trade-no/T1/close"
    );
    assert_eq!(
        body_json(&r),
        serde_json::json!({"sp_mchid": "1900000109", "sub_mchid": "1900000110"})
    );

    let mut rf = refund::RefundRequest::new(
        OrderId::TransactionId("1217752501201407033233368018".into()),
        "1217752501201407033233368018",
        1,
        88,
    );
    rf.reason = Some("商品已售完".into());
    rf.notify_url = Some(NOTIFY.into());
    let r = rf.build(&m, &mut g, NOW).unwrap();
    assert_eq!(
        r.uri().to_string(),
        "https://api.mch.weixin.qq.com/v3/refund/domestic/refunds"
    );
    assert_eq!(
        body_json(&r),
        serde_json::json!({"transaction_id": "1217752501201407033233368018",
        "out_refund_no": "1217752501201407033233368018", "reason": "商品已售完", "notify_url": NOTIFY,
        "amount": {"refund": 1, "total": 88, "currency": "CNY"}})
    );
    let r = rf.partner(sub.clone()).build(&m, &mut g, NOW).unwrap();
    assert_eq!(body_json(&r)["sub_mchid"], "1900000110");
    let r = refund_query::RefundQueryRequest::new("R1")
        .partner(sub)
        .build(&m, &mut g, NOW)
        .unwrap();
    assert_eq!(
        r.uri().to_string(),
        "https://api.mch.weixin.qq.com/v3/refund/domestic/refunds/R1?sub_mchid=1900000110"
    );
}

fn field_of(e: ApiError) -> &'static str {
    match e {
        ApiError::Field(f) => f.field(),
        other => panic!("not a field error: {other:?}"),
    }
}

#[test]
fn amounts_times_and_fields_are_refused_at_build() {
    let m = merchant();
    let mut g = rng(3);
    let ok = PrepayRequest::native(APPID, "d", "NATIVE01", NOTIFY, 1);
    for total in [0, -1, i64::MIN, 2_147_483_648, i64::MAX] {
        let e = PrepayRequest {
            total,
            ..ok.clone()
        }
        .build(&m, &mut g, NOW)
        .unwrap_err();
        assert!(
            matches!(
                &e,
                ApiError::Field(FieldError::Amount {
                    field: "amount.total",
                    ..
                })
            ),
            "{total}: {e:?}"
        );
    }
    assert!(
        PrepayRequest {
            total: 2_147_483_647,
            ..ok.clone()
        }
        .build(&m, &mut g, NOW)
        .is_ok()
    );
    for bad in [
        "2018-06-08 10:34:56",
        "2018-06-08T10:34:56",
        "20180608103456",
    ] {
        let e = PrepayRequest {
            time_expire: Some(bad.into()),
            ..ok.clone()
        }
        .build(&m, &mut g, NOW)
        .unwrap_err();
        assert_eq!(field_of(e), "time_expire", "{bad}");
    }
    // `http` is allowed over a dedicated line ("走专线接入…可使用http"); a query never.
    let http = PrepayRequest {
        notify_url: "http://10.0.0.1/n".into(),
        ..ok.clone()
    };
    assert!(http.build(&m, &mut g, NOW).is_ok());
    for (req, field) in [
        (
            PrepayRequest {
                notify_url: "ftp://example.com/n".into(),
                ..ok.clone()
            },
            "notify_url",
        ),
        (
            PrepayRequest {
                notify_url: "https://example.com/n?a=1".into(),
                ..ok.clone()
            },
            "notify_url",
        ),
        (
            PrepayRequest {
                notify_url: "https://example.com/n?order=1".into(),
                ..ok.clone()
            },
            "notify_url",
        ),
        (
            PrepayRequest {
                out_trade_no: "12345".into(),
                ..ok.clone()
            },
            "out_trade_no",
        ),
        (
            PrepayRequest {
                out_trade_no: "订单号123456".into(),
                ..ok.clone()
            },
            "out_trade_no",
        ),
        (
            PrepayRequest {
                description: String::new(),
                ..ok.clone()
            },
            "description",
        ),
        (
            PrepayRequest {
                attach: Some("x".repeat(129)),
                ..ok.clone()
            },
            "attach",
        ),
        (
            PrepayRequest {
                payer_openid: None,
                ..PrepayRequest::jsapi(APPID, "d", "JSAPI001", NOTIFY, 1, "o")
            },
            "payer.openid",
        ),
        (
            PrepayRequest {
                payer_client_ip: None,
                ..PrepayRequest::h5(APPID, "d", "H5000001", NOTIFY, 1, "1.2.3.4")
            },
            "scene_info.payer_client_ip",
        ),
        (ok.clone().partner(SubMerchant::new("19x")), "sub_mchid"),
    ] {
        assert_eq!(field_of(req.build(&m, &mut g, NOW).unwrap_err()), field);
    }
    let rf = refund::RefundRequest::new(OrderId::OutTradeNo("T0000001".into()), "R1", 10, 10);
    for (r, field) in [
        (
            refund::RefundRequest {
                notify_url: Some("https://shop.example/refund?id=1".into()),
                ..rf.clone()
            },
            "notify_url",
        ),
        (
            refund::RefundRequest {
                refund: 0,
                ..rf.clone()
            },
            "amount.refund",
        ),
        (
            refund::RefundRequest {
                refund: -5,
                ..rf.clone()
            },
            "amount.refund",
        ),
        (
            refund::RefundRequest {
                refund: 11,
                ..rf.clone()
            },
            "amount.refund",
        ),
        (
            refund::RefundRequest {
                total: 0,
                ..rf.clone()
            },
            "amount.total",
        ),
        (
            refund::RefundRequest {
                total: 1 << 40,
                ..rf.clone()
            },
            "amount.total",
        ),
        (
            refund::RefundRequest {
                out_refund_no: String::new(),
                ..rf.clone()
            },
            "out_refund_no",
        ),
    ] {
        assert_eq!(field_of(r.build(&m, &mut g, NOW).unwrap_err()), field);
    }
    assert_eq!(
        field_of(
            close::CloseOrderRequest::new("a b")
                .build(&m, &mut g, NOW)
                .unwrap_err()
        ),
        "out_trade_no"
    );
    assert_eq!(
        field_of(
            query::QueryOrderRequest::by_transaction_id("")
                .build(&m, &mut g, NOW)
                .unwrap_err()
        ),
        "transaction_id"
    );
    assert_eq!(
        field_of(
            refund_query::RefundQueryRequest::new("R/1")
                .build(&m, &mut g, NOW)
                .unwrap_err()
        ),
        "out_refund_no"
    );
}

/// The official document's `TRANSACTION.SUCCESS` plaintext (支付通知, v3 JSAPI; quoted verbatim
/// in many public integrations, e.g. the wechatpay-go / PHP community docs).
const DOC_TRANSACTION: &str = r#"{"amount":{"currency":"CNY","payer_currency":"CNY","payer_total":1,"total":1},"appid":"wxdace645e0bc2cXXX","attach":"","bank_type":"OTHERS","mchid":"1900006XXX","out_trade_no":"44_2126281063_5504","payer":{"openid":"o4GgauJP_mgWEWictzA15WT15XXX"},"promotion_detail":[],"success_time":"2021-03-22T10:29:05+08:00","trade_state":"SUCCESS","trade_state_desc":"支付成功","trade_type":"JSAPI","transaction_id":"4200000891202103228088184743"}"#;

/// The official 退款结果通知 plaintexts, direct and partner.
const DOC_REFUND: &str = r#"{"mchid":"1900000100","transaction_id":"1008450740201411110005820873","out_trade_no":"20150806125346","refund_id":"50200207182018070300011301001","out_refund_no":"7752501201407033233368018","refund_status":"SUCCESS","success_time":"2018-06-08T10:34:56+08:00","user_received_account":"招商银行信用卡0403","amount":{"total":999,"refund":999,"payer_total":999,"payer_refund":999}}"#;
const DOC_PARTNER_REFUND: &str = r#"{"sp_mchid":"1230000109","sub_mchid":"1900000109","transaction_id":"1008450740201411110005820873","out_trade_no":"20150806125346","refund_id":"50200207182018070300011301001","out_refund_no":"7752501201407033233368018","refund_status":"SUCCESS","success_time":"2018-06-08T10:34:56+08:00","user_received_account":"招商银行信用卡0403","amount":{"total":999,"refund":999,"payer_total":999,"payer_refund":999}}"#;

/// The simulator's keys under another merchant id.
fn merchant_as(mchid: &str) -> Merchant {
    let sim_m = merchant();
    Merchant::new(mchid)
        .unwrap()
        .with_api_v3_key(sim_m.api_v3_key().unwrap().clone())
        .with_keys(sim_m.keys().clone())
}

#[test]
fn the_official_notification_examples_are_typed() {
    let s = sim();
    let mut g = rng(4);
    let sent = s.notification(
        "TRANSACTION.SUCCESS",
        DOC_TRANSACTION.as_bytes(),
        NOW,
        &mut g,
    );
    let m = merchant_as("1900006XXX".replace('X', "0").as_str());
    // The example's mchid is masked (`1900006XXX`): another merchant's notification is refused.
    let e = notify::parse(&m, sent.headers(), sent.body(), NOW).unwrap_err();
    assert!(matches!(&e, ApiError::Mismatch(f) if f == "mchid"), "{e:?}");
    assert_eq!(notify::answer(&Err(e)).status(), 400);
    let t = Transaction::from_json(DOC_TRANSACTION.as_bytes()).unwrap();
    assert_eq!(
        t.payee,
        Payee::Direct {
            appid: Some("wxdace645e0bc2cXXX".into()),
            mchid: "1900006XXX".into()
        }
    );
    assert_eq!(
        (t.trade_state.clone(), t.trade_type.clone()),
        (TradeState::Success, Some(TradeType::Jsapi))
    );
    assert_eq!(
        t.transaction_id.as_deref(),
        Some("4200000891202103228088184743")
    );
    assert_eq!(
        t.amount.as_ref().map(|a| (a.total, a.payer_total)),
        Some((1, Some(1)))
    );
    assert_eq!(t.attach, None, "an empty attach is none");
    let shown = format!("{t:?}");
    assert!(!shown.contains("o4GgauJP"), "openid leaks: {shown}");
    assert_eq!(
        t.payer.unwrap().openid.unwrap().expose_secret(),
        "o4GgauJP_mgWEWictzA15WT15XXX"
    );

    for (plain, mchid, partner) in [
        (DOC_REFUND, "1900000100", false),
        (DOC_PARTNER_REFUND, "1230000109", true),
    ] {
        let sent = s.notification("REFUND.SUCCESS", plain.as_bytes(), NOW, &mut g);
        let ev = notify::parse(&merchant_as(mchid), sent.headers(), sent.body(), NOW).unwrap();
        let PaymentEvent::Refund(r) = ev else {
            panic!("{ev:?}")
        };
        assert_eq!(r.refund_status, RefundStatus::Success);
        assert_eq!(
            (r.amount.total, r.amount.refund, r.amount.payer_refund),
            (999, 999, Some(999))
        );
        assert_eq!(r.out_refund_no, "7752501201407033233368018");
        assert_eq!(
            matches!(r.payee, Payee::Partner { ref sub_mchid, .. } if sub_mchid == "1900000109"),
            partner
        );
        if !partner {
            assert_eq!(
                r.payee,
                Payee::Direct {
                    appid: None,
                    mchid: mchid.into()
                },
                "no appid in a refund notice"
            );
        }
        assert!(!format!("{r:?}").contains("0403"));
        // Sent to the wrong merchant: refused.
        assert!(notify::parse(&merchant(), sent.headers(), sent.body(), NOW).is_err());
    }
    // Unknown events are kept, not dropped; tampered bodies are refused before decryption.
    let sent = s.notification("MCHTRANSFER.BILL.FINISHED", br#"{"x":1}"#, NOW, &mut g);
    assert!(
        matches!(notify::parse(&merchant(), sent.headers(), sent.body(), NOW).unwrap(),
        PaymentEvent::Other { ref event_type, .. } if event_type == "MCHTRANSFER.BILL.FINISHED")
    );
    let mut body = sent.body().to_vec();
    body[10] ^= 1;
    let e = notify::parse(&merchant(), sent.headers(), &body, NOW).unwrap_err();
    assert!(matches!(e, ApiError::Notify(_)), "{e:?}");
    assert_eq!(notify::answer(&Err(e)).status(), 401);
    // A payload that is not the documented shape.
    let sent = s.notification(
        "TRANSACTION.SUCCESS",
        br#"{"out_trade_no":"T1"}"#,
        NOW,
        &mut g,
    );
    assert!(matches!(
        notify::parse(&merchant(), sent.headers(), sent.body(), NOW),
        Err(ApiError::Json { .. })
    ));
    // Invalid UTF-8 is not JSON (RFC 8259 §8.1), even in a field nobody reads: serde alone
    // would skip it, and a later reader that parses the whole payload would disagree with us
    // (found by fuzzing `v3_pay_notify`; fuzz/regressions/v3_pay_notify).
    let mut plain = DOC_TRANSACTION.as_bytes().to_vec();
    let at = plain.iter().position(|&b| b == b'{').unwrap() + 1;
    plain.splice(at..at, b"\"ignored\":\"\xff\",".iter().copied());
    assert!(Transaction::from_json(&plain[..]).is_err());
    let sent = s.notification("TRANSACTION.SUCCESS", &plain, NOW, &mut g);
    let e = notify::parse(&merchant(), sent.headers(), sent.body(), NOW).unwrap_err();
    assert!(
        matches!(
            e,
            ApiError::Json {
                line: 1,
                column: 13
            }
        ),
        "{e:?}"
    );
}

/// A `SUCCESS` without the proof of payment is refused: `is_paid()` must never be true with
/// no amount to compare (the query document: returned "当支付成功时"; required in the
/// notification). Other states need none of them.
#[test]
fn a_paid_transaction_carries_its_payment() {
    let full = serde_json::json!({"appid": APPID, "mchid": "1230000109", "out_trade_no": "T1",
        "trade_state": "SUCCESS", "transaction_id": "4200000891202103228088184743",
        "success_time": "2018-06-08T10:34:56+08:00", "amount": {"total": 100}});
    let t = Transaction::from_json(full.to_string().as_bytes()).unwrap();
    assert!(t.is_paid());
    for field in ["transaction_id", "success_time", "amount"] {
        for value in [None, Some(serde_json::json!(""))] {
            let mut j = full.clone();
            match &value {
                None => drop(j.as_object_mut().unwrap().remove(field)),
                Some(v) => j[field] = v.clone(),
            }
            let e = Transaction::from_json(j.to_string().as_bytes()).unwrap_err();
            let expected = if field == "amount" && value.is_some() {
                matches!(e, ApiError::Json { .. }) // "" is not an amount
            } else {
                matches!(&e, ApiError::MissingField(f) if f == field)
            };
            assert!(expected, "{field} {value:?}: {e:?}");
            j["trade_state"] = "NOTPAY".into();
            if value.is_none() || field != "amount" {
                assert!(
                    Transaction::from_json(j.to_string().as_bytes()).is_ok(),
                    "{field}"
                );
            }
        }
    }
}

#[test]
fn pay_sign_from_the_outcome() {
    let m = merchant();
    let mut g = rng(5);
    let p = Prepaid {
        prepay: Prepay::PrepayId("wx201410272009395522657a690389285100".into()),
        appid: Some(APPID.into()),
        partnerid: None,
    };
    let js = p.jsapi_pay_params(&m, &mut g, NOW).unwrap();
    assert_eq!(
        (
            js.app_id.as_str(),
            js.package.as_str(),
            js.sign_type.as_str()
        ),
        (
            APPID,
            "package=prepay_id=wx201410272009395522657a690389285100".trim_start_matches("package="),
            "RSA"
        )
    );
    assert_eq!(js.time_stamp, NOW.as_secs().to_string());
    let app = p.app_pay_params(&m, &mut g, NOW).unwrap();
    assert_eq!(
        (app.partnerid.as_str(), app.package.as_str()),
        ("1900000109", "Sign=WXPay")
    );
    let h5 = Prepaid {
        prepay: Prepay::H5Url("https://wx.tenpay.com/x".into()),
        ..p.clone()
    };
    assert!(
        matches!(h5.jsapi_pay_params(&m, &mut g, NOW), Err(ApiError::MissingField(f)) if f == "prepay_id")
    );
    let no_app = Prepaid { appid: None, ..p };
    assert!(
        matches!(no_app.app_pay_params(&m, &mut g, NOW), Err(ApiError::MissingField(f)) if f == "appid")
    );
    // The pay-sign verifies under the merchant's public key: covered by tests/it/paysign.rs for
    // `paysign::jsapi`, which this calls.
    let partner = PrepayRequest::jsapi(APPID, "d", "JSAPI001", NOTIFY, 1, "o")
        .partner(SubMerchant::new("1900000110").with_sub_appid("wx8888888888888888"));
    let o = partner.reply_options();
    assert_eq!(
        (o.appid.as_deref(), o.partnerid.as_deref()),
        (Some("wx8888888888888888"), Some("1900000110"))
    );
}

#[test]
fn requests_are_debug_redacted() {
    let r = PrepayRequest::jsapi(
        APPID,
        "d",
        "JSAPI001",
        NOTIFY,
        1,
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    );
    assert!(!format!("{r:?}").contains("oUpF8uMu"));
    // The payer's IP address is personal data too.
    let h5 = PrepayRequest::h5(APPID, "d", "H5000001", NOTIFY, 1, "14.23.150.211");
    assert!(!format!("{h5:?}").contains("14.23"));
}
