//! The offline v3 payment sandbox (issue 17 item 5), driven with raw signed requests
//! (`v3::request::JsonRequest`) and checked with the low-level readers (`v3::response::check`,
//! `v3::notify::parse`, `v3::certificates`): the whole lifecycle (prepay, pay, notification,
//! query, refund, refund notification, refund query, close), direct and partner, every trade
//! type, every error answer and every scripted fault.

use crate::common::*;
use http::{Method, StatusCode};
use rand_chacha::ChaCha20Rng;
use serde_json::{Value, json};
use std::cell::RefCell;
use wechatpay_sansio::error::{Classify, Distrust};
use wechatpay_sansio::ids::Nonce;
use wechatpay_sansio::keys::{KeyId, KeyStore, PublicKey, WechatPayKey};
use wechatpay_sansio::merchant::Merchant;
use wechatpay_sansio::simulator::pay_v3::{PayFault, PayScript, SandboxEndpoint};
use wechatpay_sansio::simulator::sandbox::{NotificationOrder, RefundResult, SandboxError};
use wechatpay_sansio::simulator::v3::ScriptedError;
use wechatpay_sansio::simulator::{Script, SigningKeyMode, Simulator};
use wechatpay_sansio::time::UnixTime;
use wechatpay_sansio::v3::certificates::{self, DownloadError};
use wechatpay_sansio::v3::notify::{self, DecryptedNotification};
use wechatpay_sansio::v3::request::JsonRequest;
use wechatpay_sansio::v3::response::{self, ResponseError};
use wechatpay_sansio::v3::verify::{Verifier, VerifyError};

const API: &str = "https://api.mch.weixin.qq.com";
const MCHID: &str = "1900000109";
const SUB_MCHID: &str = "1900000111";
const APPID: &str = "wxd678efh567hg6787";
const SUB_APPID: &str = "wx8888888888888888";
const NOTIFY: &str = "https://merchant.example/wechatpay/notify";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
const KINDS: [&str; 4] = ["jsapi", "app", "h5", "native"];

/// The merchant's side of the conversation: signs raw requests, reads verified replies.
struct Shop {
    sim: Simulator,
    merchant: Merchant,
    rng: RefCell<ChaCha20Rng>,
    now: UnixTime,
}

impl Shop {
    fn new() -> Self {
        Self::with(Simulator::new())
    }

    fn with(sim: Simulator) -> Self {
        Self {
            merchant: sim.merchant(),
            sim,
            rng: RefCell::new(rng(17)),
            now: NOW,
        }
    }

    fn request(&self, method: Method, path: &str, body: Option<&Value>) -> http::Request<Vec<u8>> {
        let url = format!("{API}{path}");
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let rng = &mut *self.rng.borrow_mut();
        let nonce = Nonce::generate(rng).unwrap();
        JsonRequest::new(method, &url, bytes)
            .sign(self.merchant.signer().unwrap(), rng, self.now, &nonce)
            .unwrap()
            .into_http()
    }

    fn send_with(&self, method: Method, path: &str, body: Option<&Value>, script: &Script) -> Resp {
        let req = self.request(method, path, body);
        self.sim
            .handle(&req, self.now, &mut *self.rng.borrow_mut(), script)
    }

    fn post(&self, path: &str, body: &Value) -> Resp {
        self.send_with(Method::POST, path, Some(body), &Script::default())
    }

    fn get(&self, path: &str) -> Resp {
        self.send_with(Method::GET, path, None, &Script::default())
    }

    /// A 2xx reply, verified with the merchant's keys; its JSON (`Null` for an empty body).
    #[track_caller]
    fn ok(&self, r: &Resp) -> Value {
        let v = response::check(resp(r), &self.merchant.verifier(), self.now)
            .unwrap_or_else(|e| panic!("{}: {e} {}", r.status(), body_str(r)));
        if v.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(v.body).unwrap()
        }
    }

    /// An error reply: status, code, message; signed like every sandbox reply, and read by
    /// `response::check` as WeChat Pay's failure.
    #[track_caller]
    fn err(&self, r: &Resp) -> (u16, String, String) {
        self.merchant
            .verifier()
            .verify(r.headers(), r.body(), self.now)
            .unwrap_or_else(|e| panic!("error reply not signed: {e}"));
        let Err(ResponseError::Failure(f)) =
            response::check(resp(r), &self.merchant.verifier(), self.now)
        else {
            panic!("not a failure: {} {}", r.status(), body_str(r))
        };
        assert_eq!(f.status, r.status().as_u16());
        let v: Value = serde_json::from_slice(r.body()).unwrap();
        (
            r.status().as_u16(),
            v["code"].as_str().unwrap().to_owned(),
            v["message"].as_str().unwrap().to_owned(),
        )
    }

    /// A notification the sandbox produced: verified and decrypted as the merchant does.
    #[track_caller]
    fn notice(&self, req: &http::Request<Vec<u8>>) -> (DecryptedNotification, Value) {
        assert_eq!(req.method(), Method::POST);
        let n = notify::parse(
            req.headers(),
            req.body(),
            &self.merchant.verifier(),
            self.merchant.api_v3_key().unwrap(),
            self.now,
        )
        .unwrap();
        assert_eq!(
            notify::answer(&Ok::<_, notify::NotifyError>(())).status(),
            204
        );
        let payload = n.payload().unwrap();
        (n, payload)
    }

    fn pay(&self, out_trade_no: &str, openid: Option<&str>) -> http::Request<Vec<u8>> {
        self.sim
            .pay(out_trade_no, openid, self.now, &mut *self.rng.borrow_mut())
            .unwrap()
    }

    fn complete(&self, out_refund_no: &str, result: RefundResult) -> http::Request<Vec<u8>> {
        self.sim
            .complete_refund(out_refund_no, result, self.now, &mut *self.rng.borrow_mut())
            .unwrap()
    }
}

fn direct_order(kind: &str, out_trade_no: &str, total: i64) -> Value {
    let mut b = json!({
        "appid": APPID,
        "mchid": MCHID,
        "description": "Image形象店-深圳腾大-QQ公仔",
        "out_trade_no": out_trade_no,
        "time_expire": "2026-01-01T10:34:56+08:00",
        "attach": "自定义数据",
        "notify_url": NOTIFY,
        "amount": { "total": total, "currency": "CNY" },
    });
    if kind == "jsapi" {
        b["payer"] = json!({ "openid": OPENID });
    }
    if kind == "h5" {
        b["scene_info"] =
            json!({ "payer_client_ip": "14.23.150.211", "h5_info": { "type": "Wap" } });
    }
    b
}

fn partner_order(kind: &str, out_trade_no: &str, total: i64, sub_appid: bool) -> Value {
    let mut b = json!({
        "sp_appid": APPID,
        "sp_mchid": MCHID,
        "sub_mchid": SUB_MCHID,
        "description": "TEST ONLY partner order",
        "out_trade_no": out_trade_no,
        "notify_url": NOTIFY,
        "amount": { "total": total },
    });
    if sub_appid {
        b["sub_appid"] = SUB_APPID.into();
    }
    if kind == "jsapi" {
        b["payer"] = if sub_appid {
            json!({ "sub_openid": "oSUB_openid_TESTONLY" })
        } else {
            json!({ "sp_openid": OPENID })
        };
    }
    if kind == "h5" {
        b["scene_info"] =
            json!({ "payer_client_ip": "14.23.150.211", "h5_info": { "type": "iOS" } });
    }
    b
}

fn refund_body(by: (&str, &str), out_refund_no: &str, refund: i64, total: i64) -> Value {
    let mut b = json!({
        "out_refund_no": out_refund_no,
        "reason": "商品已售完",
        "notify_url": "https://merchant.example/wechatpay/refund",
        "amount": { "refund": refund, "total": total, "currency": "CNY" },
    });
    b[by.0] = by.1.into();
    b
}

fn check_prepay_answer(kind: &str, v: &Value) {
    match kind {
        "jsapi" | "app" => {
            let id = v["prepay_id"].as_str().unwrap();
            assert!(id.starts_with("wx") && id.len() == 36, "{id}");
        }
        "h5" => assert!(
            v["h5_url"]
                .as_str()
                .unwrap()
                .starts_with("https://wx.tenpay.com/")
        ),
        _ => assert!(
            v["code_url"]
                .as_str()
                .unwrap()
                .starts_with("weixin://wxpay/bizpayurl?pr=")
        ),
    }
    assert_eq!(v.as_object().unwrap().len(), 1, "{v}");
}

#[test]
fn direct_lifecycle_for_every_trade_type() {
    let mut shop = Shop::new();
    for (n, kind) in KINDS.into_iter().enumerate() {
        let no = format!("DIRECT_{kind}_0001");
        let order = direct_order(kind, &no, 888);
        let r = shop.post(&format!("/v3/pay/transactions/{kind}"), &order);
        check_prepay_answer(kind, &shop.ok(&r));

        // Before payment: NOTPAY, no transaction_id, trade_type, payer or success_time.
        let q = shop.ok(&shop.get(&format!(
            "/v3/pay/transactions/out-trade-no/{no}?mchid={MCHID}"
        )));
        assert_eq!(q["trade_state"], "NOTPAY");
        assert_eq!(
            (q["appid"].as_str(), q["mchid"].as_str()),
            (Some(APPID), Some(MCHID))
        );
        assert_eq!(q["attach"], "自定义数据");
        for absent in [
            "transaction_id",
            "trade_type",
            "payer",
            "success_time",
            "bank_type",
        ] {
            assert!(q.get(absent).is_none(), "{absent} in {q}");
        }
        assert_eq!(q["amount"]["total"], 888);

        // The user pays: TRANSACTION.SUCCESS to the order's notify_url.
        let sent = shop.pay(&no, None);
        assert_eq!(sent.uri(), NOTIFY);
        let (n_, paid) = shop.notice(&sent);
        let env = &n_.notification;
        assert_eq!(
            (
                env.event_type.as_str(),
                env.resource_type.as_str(),
                env.summary.as_str()
            ),
            ("TRANSACTION.SUCCESS", "encrypt-resource", "支付成功")
        );
        assert_eq!(env.resource.original_type.as_deref(), Some("transaction"));
        assert_eq!(env.resource.associated_data.as_deref(), Some("transaction"));
        assert_eq!(env.resource.algorithm, "AEAD_AES_256_GCM");
        assert_eq!(env.create_time, "2026-01-01T08:00:00+08:00");
        assert!(
            std::str::from_utf8(sent.body())
                .unwrap()
                .starts_with(r#"{"id":"#)
        );

        // The plaintext is the query reply of the paid order.
        let q = shop.ok(&shop.get(&format!(
            "/v3/pay/transactions/out-trade-no/{no}?mchid={MCHID}"
        )));
        assert_eq!(paid, q);
        let tid = q["transaction_id"].as_str().unwrap().to_owned();
        assert_eq!(tid.len(), 28, "{tid}");
        assert!(tid.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(q["trade_state"], "SUCCESS");
        assert_eq!(q["trade_state_desc"], "支付成功");
        assert_eq!(q["trade_type"], ["JSAPI", "APP", "MWEB", "NATIVE"][n]);
        assert_eq!(q["bank_type"], "OTHERS");
        assert_eq!(q["success_time"], "2026-01-01T08:00:00+08:00");
        let payer = if kind == "jsapi" {
            OPENID
        } else {
            q["payer"]["openid"].as_str().unwrap()
        };
        assert_eq!(q["payer"], json!({ "openid": payer }));
        assert_eq!(
            q["amount"],
            json!({ "total": 888, "payer_total": 888, "currency": "CNY", "payer_currency": "CNY" })
        );
        let by_id = shop.ok(&shop.get(&format!("/v3/pay/transactions/id/{tid}?mchid={MCHID}")));
        assert_eq!(by_id, q);

        // A refund, by transaction_id or by out_trade_no.
        let by = if n % 2 == 0 {
            ("transaction_id", tid.as_str())
        } else {
            ("out_trade_no", no.as_str())
        };
        let rno = format!("REFUND_{kind}_1");
        let r = shop.ok(&shop.post(
            "/v3/refund/domestic/refunds",
            &refund_body(by, &rno, 300, 888),
        ));
        assert_eq!(r["status"], "PROCESSING");
        assert_eq!(
            (r["out_trade_no"].as_str(), r["transaction_id"].as_str()),
            (Some(no.as_str()), Some(tid.as_str()))
        );
        assert_eq!(r["channel"], "ORIGINAL");
        assert_eq!(r["user_received_account"], "支付用户零钱");
        assert_eq!(r["create_time"], "2026-01-01T08:00:00+08:00");
        assert!(r.get("success_time").is_none());
        assert_eq!(r["refund_id"].as_str().unwrap().len(), 29);
        for (k, v) in [
            ("total", 888),
            ("refund", 300),
            ("payer_total", 888),
            ("payer_refund", 300),
            ("settlement_refund", 300),
            ("settlement_total", 888),
            ("discount_refund", 0),
        ] {
            assert_eq!(r["amount"][k], v, "{k}");
        }
        assert_eq!(r["amount"]["currency"], "CNY");
        let rq = shop.ok(&shop.get(&format!("/v3/refund/domestic/refunds/{rno}")));
        assert_eq!(rq, r);
        let q = shop.ok(&shop.get(&format!(
            "/v3/pay/transactions/out-trade-no/{no}?mchid={MCHID}"
        )));
        assert_eq!(q["trade_state"], "REFUND");

        // The refund completes: REFUND.SUCCESS to the refund's notify_url.
        shop.now = NOW + core::time::Duration::from_secs(60);
        let sent = shop.complete(&rno, RefundResult::Success);
        assert_eq!(sent.uri(), "https://merchant.example/wechatpay/refund");
        let (n_, plain) = shop.notice(&sent);
        assert_eq!(n_.notification.event_type, "REFUND.SUCCESS");
        assert_eq!(n_.notification.summary, "退款成功");
        assert_eq!(
            n_.notification.resource.original_type.as_deref(),
            Some("refund")
        );
        assert_eq!(
            n_.notification.resource.associated_data.as_deref(),
            Some("refund")
        );
        assert_eq!(
            plain,
            json!({
                "mchid": MCHID, "out_trade_no": no, "transaction_id": tid, "out_refund_no": rno,
                "refund_id": r["refund_id"], "refund_status": "SUCCESS",
                "success_time": "2026-01-01T08:01:00+08:00",
                "user_received_account": "支付用户零钱",
                "amount": { "total": 888, "refund": 300, "payer_total": 888, "payer_refund": 300 },
            })
        );
        let rq = shop.ok(&shop.get(&format!("/v3/refund/domestic/refunds/{rno}")));
        assert_eq!(rq["status"], "SUCCESS");
        assert_eq!(rq["success_time"], "2026-01-01T08:01:00+08:00");
        shop.now = NOW;
    }
}

#[test]
fn partner_lifecycle_for_every_trade_type() {
    let shop = Shop::new();
    let partner_q = |no: &str| {
        format!(
            "/v3/pay/partner/transactions/out-trade-no/{no}?sp_mchid={MCHID}&sub_mchid={SUB_MCHID}"
        )
    };
    for (n, kind) in KINDS.into_iter().enumerate() {
        let sub_appid = n % 2 == 0;
        let no = format!("PARTNER_{kind}_0001");
        let r = shop.post(
            &format!("/v3/pay/partner/transactions/{kind}"),
            &partner_order(kind, &no, 100, sub_appid),
        );
        check_prepay_answer(kind, &shop.ok(&r));
        let q = shop.ok(&shop.get(&partner_q(&no)));
        assert_eq!(q["trade_state"], "NOTPAY");
        assert_eq!(
            (q["sp_mchid"].as_str(), q["sub_mchid"].as_str()),
            (Some(MCHID), Some(SUB_MCHID))
        );
        assert_eq!(q["sp_appid"], APPID);
        assert_eq!(q.get("sub_appid").is_some(), sub_appid);
        assert!(q.get("mchid").is_none() && q.get("appid").is_none());

        // A direct query does not see a sub-merchant's order.
        let r = shop.get(&format!(
            "/v3/pay/transactions/out-trade-no/{no}?mchid={MCHID}"
        ));
        assert_eq!(shop.err(&r).1, "ORDER_NOT_EXIST");
        // Nor does another sub-merchant.
        let r = shop.get(&format!(
            "/v3/pay/partner/transactions/out-trade-no/{no}?sp_mchid={MCHID}&sub_mchid=1900000999"
        ));
        assert_eq!(shop.err(&r).0, 404);

        let (_, paid) = shop.notice(&shop.pay(&no, None));
        let q = shop.ok(&shop.get(&partner_q(&no)));
        assert_eq!(paid, q);
        assert_eq!(q["trade_state"], "SUCCESS");
        let payer = q["payer"].as_object().unwrap();
        assert!(payer.contains_key("sp_openid"));
        assert_eq!(payer.contains_key("sub_openid"), sub_appid);
        if kind == "jsapi" && sub_appid {
            assert_eq!(q["payer"]["sub_openid"], "oSUB_openid_TESTONLY");
        }
        let tid = q["transaction_id"].as_str().unwrap().to_owned();
        let by_id = shop.ok(&shop.get(&format!(
            "/v3/pay/partner/transactions/id/{tid}?sp_mchid={MCHID}&sub_mchid={SUB_MCHID}"
        )));
        assert_eq!(by_id, q);

        // Refund under the sub-merchant; the direct refund query does not see it.
        let rno = format!("PREFUND_{kind}");
        let mut body = refund_body(("out_trade_no", &no), &rno, 100, 100);
        body["sub_mchid"] = SUB_MCHID.into();
        let r = shop.ok(&shop.post("/v3/refund/domestic/refunds", &body));
        assert_eq!(r["status"], "PROCESSING");
        assert_eq!(
            shop.err(&shop.get(&format!("/v3/refund/domestic/refunds/{rno}")))
                .1,
            "RESOURCE_NOT_EXISTS"
        );
        let rq = shop.ok(&shop.get(&format!(
            "/v3/refund/domestic/refunds/{rno}?sub_mchid={SUB_MCHID}"
        )));
        assert_eq!(rq, r);
        let (_, plain) = shop.notice(&shop.complete(&rno, RefundResult::Success));
        assert_eq!(
            (plain["sp_mchid"].as_str(), plain["sub_mchid"].as_str()),
            (Some(MCHID), Some(SUB_MCHID))
        );
        assert!(plain.get("mchid").is_none());
        assert_eq!(plain["refund_status"], "SUCCESS");

        // Close does not apply to a paid order.
        let r = shop.post(
            &format!("/v3/pay/partner/transactions/out-trade-no/{no}/close"),
            &json!({ "sp_mchid": MCHID, "sub_mchid": SUB_MCHID }),
        );
        assert_eq!(shop.err(&r).1, "ORDERPAID");
    }
    // The same out_trade_no under the direct merchant is another order.
    let r = shop.post(
        "/v3/pay/transactions/native",
        &direct_order("native", "PARTNER_native_0001", 5),
    );
    shop.ok(&r);
}

#[test]
fn explicit_payer_and_partner_default_payer() {
    let shop = Shop::new();
    shop.ok(&shop.post(
        "/v3/pay/transactions/app",
        &direct_order("app", "PAYER_0001", 1),
    ));
    let (_, paid) = shop.notice(&shop.pay("PAYER_0001", Some("oEXPLICIT_openid")));
    assert_eq!(paid["payer"], json!({ "openid": "oEXPLICIT_openid" }));
    shop.ok(&shop.post(
        "/v3/pay/partner/transactions/jsapi",
        &partner_order("jsapi", "PAYER_0002", 1, false),
    ));
    let (_, paid) = shop.notice(&shop.pay("PAYER_0002", None));
    assert_eq!(paid["payer"], json!({ "sp_openid": OPENID }));
}

#[test]
fn prepay_is_idempotent_and_refuses_duplicates() {
    let shop = Shop::new();
    let order = direct_order("jsapi", "IDEM_0001", 100);
    let first = shop.ok(&shop.post("/v3/pay/transactions/jsapi", &order));
    let again = shop.ok(&shop.post("/v3/pay/transactions/jsapi", &order));
    assert_eq!(first, again);

    let mut other = order.clone();
    other["amount"]["total"] = 101.into();
    let (status, code, message) = shop.err(&shop.post("/v3/pay/transactions/jsapi", &other));
    assert_eq!(
        (status, code.as_str(), message.as_str()),
        (400, "INVALID_REQUEST", "201 商户订单号重复")
    );
    // The same body on another trade type is another order under the same number.
    let r = shop.post("/v3/pay/transactions/app", &order);
    assert_eq!(shop.err(&r).1, "INVALID_REQUEST");

    shop.pay("IDEM_0001", None);
    let (status, code, _) = shop.err(&shop.post("/v3/pay/transactions/jsapi", &order));
    assert_eq!((status, code.as_str()), (400, "ORDERPAID"));

    let closed = direct_order("native", "IDEM_0002", 100);
    shop.ok(&shop.post("/v3/pay/transactions/native", &closed));
    shop.ok(&shop.post(
        "/v3/pay/transactions/out-trade-no/IDEM_0002/close",
        &json!({ "mchid": MCHID }),
    ));
    let (status, code, _) = shop.err(&shop.post("/v3/pay/transactions/native", &closed));
    assert_eq!((status, code.as_str()), (400, "ORDER_CLOSED"));
}

#[test]
fn close_an_order() {
    let shop = Shop::new();
    shop.ok(&shop.post(
        "/v3/pay/transactions/h5",
        &direct_order("h5", "CLOSE_0001", 100),
    ));
    let r = shop.post(
        "/v3/pay/transactions/out-trade-no/CLOSE_0001/close",
        &json!({ "mchid": MCHID }),
    );
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(r.body().is_empty());
    // Signed, empty body included.
    assert_eq!(shop.ok(&r), Value::Null);
    let q = shop.ok(&shop.get(&format!(
        "/v3/pay/transactions/out-trade-no/CLOSE_0001?mchid={MCHID}"
    )));
    assert_eq!(
        (q["trade_state"].as_str(), q["trade_state_desc"].as_str()),
        (Some("CLOSED"), Some("订单已关闭"))
    );
    // Closing again is harmless; paying a closed order is the test's mistake.
    let r = shop.post(
        "/v3/pay/transactions/out-trade-no/CLOSE_0001/close",
        &json!({ "mchid": MCHID }),
    );
    assert_eq!(r.status(), 204);
    let e = shop
        .sim
        .pay("CLOSE_0001", None, NOW, &mut rng(1))
        .unwrap_err();
    assert_eq!(
        e,
        SandboxError::NotPayable {
            out_trade_no: "CLOSE_0001".into(),
            state: "CLOSED"
        }
    );

    let r = shop.post(
        "/v3/pay/transactions/out-trade-no/NO_SUCH_ORDER/close",
        &json!({ "mchid": MCHID }),
    );
    assert_eq!(
        shop.err(&r),
        (404, "ORDER_NOT_EXIST".into(), "订单不存在".into())
    );
    let r = shop.post(
        "/v3/pay/transactions/out-trade-no/CLOSE_0001/close",
        &json!({}),
    );
    assert_eq!(shop.err(&r).1, "PARAM_ERROR");
    let r = shop.post(
        "/v3/pay/transactions/out-trade-no/CLOSE_0001/close",
        &json!({ "mchid": "1900000999" }),
    );
    assert_eq!(shop.err(&r).1, "PARAM_ERROR");

    shop.ok(&shop.post(
        "/v3/pay/transactions/app",
        &direct_order("app", "CLOSE_0002", 100),
    ));
    shop.pay("CLOSE_0002", None);
    let r = shop.post(
        "/v3/pay/transactions/out-trade-no/CLOSE_0002/close",
        &json!({ "mchid": MCHID }),
    );
    assert_eq!(shop.err(&r).1, "ORDERPAID");

    // Partner close needs the sub-merchant.
    shop.ok(&shop.post(
        "/v3/pay/partner/transactions/app",
        &partner_order("app", "CLOSE_0003", 1, true),
    ));
    let path = "/v3/pay/partner/transactions/out-trade-no/CLOSE_0003/close";
    assert_eq!(
        shop.err(&shop.post(path, &json!({ "sp_mchid": MCHID }))).1,
        "PARAM_ERROR"
    );
    let r = shop.post(path, &json!({ "sp_mchid": MCHID, "sub_mchid": SUB_MCHID }));
    assert_eq!(r.status(), 204);
}

/// Every field check of the prepay paths: (a change to a valid body, status, code, field).
#[test]
fn prepay_field_errors() {
    let shop = Shop::new();
    type Edit = fn(&mut Value);
    let direct: [(&str, Edit, &str, &str); 19] = [
        (
            "jsapi",
            |b| {
                b.as_object_mut().unwrap().remove("appid");
            },
            "PARAM_ERROR",
            "/appid",
        ),
        ("jsapi", |b| b["appid"] = "".into(), "PARAM_ERROR", "/appid"),
        (
            "jsapi",
            |b| b["mchid"] = "1900000999".into(),
            "PARAM_ERROR",
            "",
        ),
        (
            "jsapi",
            |b| b["mchid"] = 1_900_000_109.into(),
            "PARAM_ERROR",
            "/mchid",
        ),
        (
            "jsapi",
            |b| b["amount"]["total"] = "100".into(),
            "PARAM_ERROR",
            "/amount/total",
        ),
        (
            "jsapi",
            |b| b["amount"]["total"] = 1.5.into(),
            "PARAM_ERROR",
            "/amount/total",
        ),
        (
            "jsapi",
            |b| b["amount"]["total"] = 0.into(),
            "PARAM_ERROR",
            "/amount/total",
        ),
        (
            "jsapi",
            |b| b["amount"] = 100.into(),
            "PARAM_ERROR",
            "/amount",
        ),
        (
            "jsapi",
            |b| b["amount"]["currency"] = "USD".into(),
            "PARAM_ERROR",
            "/amount/currency",
        ),
        (
            "jsapi",
            |b| b["out_trade_no"] = "12345".into(),
            "PARAM_ERROR",
            "/out_trade_no",
        ),
        (
            "jsapi",
            |b| b["out_trade_no"] = "ORDER 0001".into(),
            "PARAM_ERROR",
            "/out_trade_no",
        ),
        (
            "jsapi",
            |b| b["out_trade_no"] = "X".repeat(33).into(),
            "PARAM_ERROR",
            "/out_trade_no",
        ),
        (
            "jsapi",
            |b| b["time_expire"] = "2026-01-01 10:34:56".into(),
            "PARAM_ERROR",
            "/time_expire",
        ),
        (
            "jsapi",
            |b| b["attach"] = "x".repeat(129).into(),
            "PARAM_ERROR",
            "/attach",
        ),
        (
            "jsapi",
            |b| b["notify_url"] = "https://merchant.example/n?a=1".into(),
            "PARAM_ERROR",
            "/notify_url",
        ),
        (
            "jsapi",
            |b| {
                b.as_object_mut().unwrap().remove("notify_url");
            },
            "PARAM_ERROR",
            "/notify_url",
        ),
        (
            "jsapi",
            |b| {
                b.as_object_mut().unwrap().remove("payer");
            },
            "PARAM_ERROR",
            "/payer",
        ),
        (
            "jsapi",
            |b| b["payer"] = json!({ "openid": 7 }),
            "PARAM_ERROR",
            "/payer/openid",
        ),
        (
            "h5",
            |b| b["scene_info"]["h5_info"] = json!({}),
            "PARAM_ERROR",
            "/scene_info/h5_info/type",
        ),
    ];
    for (i, (kind, edit, code, field)) in direct.into_iter().enumerate() {
        let mut b = direct_order(kind, &format!("FIELDS_{i:04}"), 100);
        edit(&mut b);
        let r = shop.post(&format!("/v3/pay/transactions/{kind}"), &b);
        let (status, got, message) = shop.err(&r);
        assert_eq!((status, got.as_str()), (400, code), "{i}: {message}");
        let v: Value = serde_json::from_slice(r.body()).unwrap();
        if field.is_empty() {
            assert!(message.contains("mchid"), "{i}: {message}");
        } else {
            assert_eq!(v["detail"]["field"], field, "{i}: {v}");
            assert_eq!(v["detail"]["location"], "body");
        }
    }
    // Nothing was created by a refused request.
    let r = shop.get(&format!(
        "/v3/pay/transactions/out-trade-no/FIELDS_0000?mchid={MCHID}"
    ));
    assert_eq!(shop.err(&r).1, "ORDER_NOT_EXIST");

    let partner: [(&str, Edit, &str); 6] = [
        ("jsapi", |b| b["sp_mchid"] = "1900000999".into(), ""),
        (
            "jsapi",
            |b| {
                b.as_object_mut().unwrap().remove("sub_mchid");
            },
            "/sub_mchid",
        ),
        ("jsapi", |b| b["payer"] = json!({}), "/payer/sp_openid"),
        (
            "jsapi",
            |b| b["payer"] = json!({ "sp_openid": OPENID, "sub_openid": "o2" }),
            "/payer/sub_openid",
        ),
        (
            "jsapi",
            |b| b["payer"] = json!({ "sub_openid": "o2" }),
            "/sub_appid",
        ),
        (
            "h5",
            |b| {
                b.as_object_mut().unwrap().remove("scene_info");
            },
            "/scene_info",
        ),
    ];
    for (i, (kind, edit, field)) in partner.into_iter().enumerate() {
        let mut b = partner_order(kind, &format!("PFIELDS_{i:04}"), 100, false);
        edit(&mut b);
        let r = shop.post(&format!("/v3/pay/partner/transactions/{kind}"), &b);
        let (status, code, message) = shop.err(&r);
        assert_eq!(
            (status, code.as_str()),
            (400, "PARAM_ERROR"),
            "{i}: {message}"
        );
        let v: Value = serde_json::from_slice(r.body()).unwrap();
        if !field.is_empty() {
            assert_eq!(v["detail"]["field"], field, "{i}: {v}");
        }
    }
    // A body that is not a JSON object.
    let req = shop.request(
        Method::POST,
        "/v3/pay/transactions/native",
        Some(&json!([1, 2])),
    );
    let r = shop.sim.handle(&req, NOW, &mut rng(3), &Script::default());
    assert_eq!(shop.err(&r).1, "PARAM_ERROR");
    // The accepted time formats.
    for (i, t) in ["2026-01-01T10:34:56Z", "2026-01-01T10:34:56.5-05:00"]
        .into_iter()
        .enumerate()
    {
        let mut b = direct_order("native", &format!("TIMES_{i:04}"), 1);
        b["time_expire"] = t.into();
        shop.ok(&shop.post("/v3/pay/transactions/native", &b));
    }
    // An out_trade_no with every allowed symbol, percent-encoded in the query path.
    shop.ok(&shop.post(
        "/v3/pay/transactions/native",
        &direct_order("native", "A-b_9*x", 1),
    ));
    let q = shop.ok(&shop.get(&format!(
        "/v3/pay/transactions/out-trade-no/A-b_9%2Ax?mchid={MCHID}"
    )));
    assert_eq!(q["out_trade_no"], "A-b_9*x");
}

#[test]
fn query_errors() {
    let shop = Shop::new();
    let r = shop.get(&format!(
        "/v3/pay/transactions/out-trade-no/NOPE_0001?mchid={MCHID}"
    ));
    assert_eq!(
        shop.err(&r),
        (404, "ORDER_NOT_EXIST".into(), "订单不存在".into())
    );
    let r = shop.get(&format!(
        "/v3/pay/transactions/id/4200000000202601010000000001?mchid={MCHID}"
    ));
    assert_eq!(shop.err(&r).1, "ORDER_NOT_EXIST");
    for path in [
        "/v3/pay/transactions/out-trade-no/NOPE_0001",
        "/v3/pay/transactions/out-trade-no/NOPE_0001?mchid=1900000999",
        "/v3/pay/partner/transactions/out-trade-no/NOPE_0001?sp_mchid=1900000109",
        "/v3/pay/partner/transactions/id/1?sub_mchid=1900000111",
    ] {
        let (status, code, _) = shop.err(&shop.get(path));
        assert_eq!((status, code.as_str()), (400, "PARAM_ERROR"), "{path}");
    }
    // Wrong method, wrong host, a path the sandbox does not serve.
    let r = shop.post(
        &format!("/v3/pay/transactions/out-trade-no/NOPE_0001?mchid={MCHID}"),
        &json!({}),
    );
    assert_eq!(r.status(), 405);
    let nonce = Nonce::generate(&mut rng(2)).unwrap();
    let req = JsonRequest::get("https://api.mch.weixin.qq.com.evil.example/v3/certificates")
        .sign(shop.merchant.signer().unwrap(), &mut rng(2), NOW, &nonce)
        .unwrap()
        .into_http();
    assert_eq!(
        shop.sim
            .handle(&req, NOW, &mut rng(1), &Script::default())
            .status(),
        404
    );
    assert_eq!(shop.get("/v3/pay/transactions/codepay").status(), 404);
    assert_eq!(shop.get("/v3/pay/transactions/out-trade-no/").status(), 404);
}

#[test]
fn refund_errors_and_idempotency() {
    let shop = Shop::new();
    let refunds = "/v3/refund/domestic/refunds";
    let r = shop.post(
        refunds,
        &refund_body(("out_trade_no", "NOPE_0001"), "R_0001", 1, 1),
    );
    assert_eq!(
        shop.err(&r),
        (404, "RESOURCE_NOT_EXISTS".into(), "订单不存在".into())
    );

    shop.ok(&shop.post(
        "/v3/pay/transactions/native",
        &direct_order("native", "REF_0001", 1000),
    ));
    let r = shop.post(
        refunds,
        &refund_body(("out_trade_no", "REF_0001"), "R_0001", 1, 1000),
    );
    let (status, code, _) = shop.err(&r);
    assert_eq!(
        (status, code.as_str()),
        (400, "INVALID_REQUEST"),
        "not paid"
    );
    shop.pay("REF_0001", None);

    // Field checks.
    let mut b = refund_body(("out_trade_no", "REF_0001"), "R_0001", 1, 1000);
    b.as_object_mut().unwrap().remove("out_trade_no");
    assert_eq!(shop.err(&shop.post(refunds, &b)).1, "PARAM_ERROR");
    for edit in [
        (|b: &mut Value| b["amount"]["refund"] = "1".into()) as fn(&mut Value),
        |b| b["amount"]["refund"] = 0.into(),
        |b| {
            b["amount"].as_object_mut().unwrap().remove("currency");
        },
        |b| b["out_refund_no"] = "R 1".into(),
        |b| b["reason"] = "理".repeat(81).into(),
        |b| b["notify_url"] = "ftp://merchant.example/r".into(),
    ] {
        let mut b = refund_body(("out_trade_no", "REF_0001"), "R_0001", 1, 1000);
        edit(&mut b);
        let (status, code, message) = shop.err(&shop.post(refunds, &b));
        assert_eq!(
            (status, code.as_str()),
            (400, "PARAM_ERROR"),
            "{b}: {message}"
        );
    }
    // Another order total; more than the order.
    let r = shop.post(
        refunds,
        &refund_body(("out_trade_no", "REF_0001"), "R_0001", 1, 999),
    );
    assert_eq!(shop.err(&r).1, "INVALID_REQUEST");
    let r = shop.post(
        refunds,
        &refund_body(("out_trade_no", "REF_0001"), "R_0001", 1001, 1000),
    );
    let (status, code, message) = shop.err(&r);
    assert_eq!(
        (status, code.as_str(), message.as_str()),
        (400, "INVALID_REQUEST", "申请退款金额超过订单可退金额")
    );
    // transaction_id and out_trade_no naming two orders.
    let tid = shop.ok(&shop.get(&format!(
        "/v3/pay/transactions/out-trade-no/REF_0001?mchid={MCHID}"
    )))["transaction_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut b = refund_body(("transaction_id", &tid), "R_0001", 1, 1000);
    b["out_trade_no"] = "REF_9999".into();
    assert_eq!(shop.err(&shop.post(refunds, &b)).1, "PARAM_ERROR");

    // Two partial refunds, then the rest is too little.
    let first = refund_body(("out_trade_no", "REF_0001"), "R_0001", 600, 1000);
    let r1 = shop.ok(&shop.post(refunds, &first));
    // The same out_refund_no and body: the same refund.
    assert_eq!(shop.ok(&shop.post(refunds, &first)), r1);
    // The same out_refund_no, another body.
    let r = shop.post(
        refunds,
        &refund_body(("out_trade_no", "REF_0001"), "R_0001", 500, 1000),
    );
    assert_eq!(shop.err(&r).1, "INVALID_REQUEST");
    let r = shop.post(
        refunds,
        &refund_body(("transaction_id", &tid), "R_0002", 401, 1000),
    );
    assert_eq!(shop.err(&r).2, "申请退款金额超过订单可退金额");
    shop.ok(&shop.post(
        refunds,
        &refund_body(("transaction_id", &tid), "R_0002", 400, 1000),
    ));
    let r = shop.post(
        refunds,
        &refund_body(("transaction_id", &tid), "R_0003", 1, 1000),
    );
    assert_eq!(shop.err(&r).1, "INVALID_REQUEST");
    // A closed refund gives its amount back.
    let (_, closed) = shop.notice(&shop.complete("R_0002", RefundResult::Closed));
    assert_eq!(closed["refund_status"], "CLOSED");
    assert!(closed.get("success_time").is_none());
    shop.ok(&shop.post(
        refunds,
        &refund_body(("transaction_id", &tid), "R_0003", 399, 1000),
    ));

    // Refund queries and the sandbox's own refusals.
    let r = shop.get("/v3/refund/domestic/refunds/R_9999");
    assert_eq!(
        shop.err(&r),
        (404, "RESOURCE_NOT_EXISTS".into(), "退款单不存在".into())
    );
    let e = shop
        .sim
        .complete_refund("R_0002", RefundResult::Success, NOW, &mut rng(1))
        .unwrap_err();
    assert_eq!(
        e,
        SandboxError::RefundEnded {
            out_refund_no: "R_0002".into(),
            status: "CLOSED"
        }
    );
    let e = shop
        .sim
        .refund_notification("R_0001", NOW, &mut rng(1))
        .unwrap_err();
    assert_eq!(e, SandboxError::RefundProcessing("R_0001".into()));
    assert_eq!(
        shop.sim
            .complete_refund("R_9999", RefundResult::Success, NOW, &mut rng(1))
            .unwrap_err(),
        SandboxError::UnknownRefund("R_9999".into())
    );
    let e = shop
        .sim
        .pay("REF_0001", None, NOW, &mut rng(1))
        .unwrap_err();
    assert_eq!(
        e,
        SandboxError::NotPayable {
            out_trade_no: "REF_0001".into(),
            state: "REFUND"
        }
    );
    assert!(e.to_string().contains("REF_0001"));

    // The refund notification without a notify_url of its own goes to the order's.
    let mut b = refund_body(("transaction_id", &tid), "R_0004", 1, 1000);
    b.as_object_mut().unwrap().remove("notify_url");
    shop.ok(&shop.post(refunds, &b));
    assert_eq!(shop.complete("R_0004", RefundResult::Success).uri(), NOTIFY);
}

#[test]
fn refund_abnormal_and_closed_notifications() {
    let shop = Shop::new();
    shop.ok(&shop.post(
        "/v3/pay/transactions/app",
        &direct_order("app", "ABN_0001", 500),
    ));
    shop.pay("ABN_0001", None);
    let refunds = "/v3/refund/domestic/refunds";
    shop.ok(&shop.post(
        refunds,
        &refund_body(("out_trade_no", "ABN_0001"), "ABN_R1", 100, 500),
    ));
    let (n, plain) = shop.notice(&shop.complete("ABN_R1", RefundResult::Abnormal));
    assert_eq!(
        (
            n.notification.event_type.as_str(),
            n.notification.summary.as_str()
        ),
        ("REFUND.ABNORMAL", "退款异常")
    );
    assert_eq!(plain["refund_status"], "ABNORMAL");
    assert!(plain.get("success_time").is_none());
    let rq = shop.ok(&shop.get("/v3/refund/domestic/refunds/ABN_R1"));
    assert_eq!(rq["status"], "ABNORMAL");

    shop.ok(&shop.post(
        refunds,
        &refund_body(("out_trade_no", "ABN_0001"), "ABN_R2", 100, 500),
    ));
    let (n, _) = shop.notice(&shop.complete("ABN_R2", RefundResult::Closed));
    assert_eq!(
        (
            n.notification.event_type.as_str(),
            n.notification.summary.as_str()
        ),
        ("REFUND.CLOSED", "退款关闭")
    );

    // The scripted immediate failure: 200 with status ABNORMAL, its notification ready.
    let script = Script {
        pay: PayScript::fault(PayFault::RefundAbnormal),
        ..Script::default()
    };
    let b = refund_body(("out_trade_no", "ABN_0001"), "ABN_R3", 100, 500);
    let r = shop.send_with(Method::POST, refunds, Some(&b), &script);
    assert_eq!(shop.ok(&r)["status"], "ABNORMAL");
    let again = shop
        .sim
        .refund_notification("ABN_R3", NOW, &mut rng(4))
        .unwrap();
    assert_eq!(
        shop.notice(&again).0.notification.event_type,
        "REFUND.ABNORMAL"
    );
    // Other endpoints are not affected by that fault.
    let r = shop.send_with(
        Method::GET,
        "/v3/refund/domestic/refunds/ABN_R1",
        None,
        &script,
    );
    assert_eq!(shop.ok(&r)["status"], "ABNORMAL");
}

#[test]
fn scripted_faults() {
    let shop = Shop::new();
    let order = direct_order("native", "FAULT_0001", 100);
    let path = "/v3/pay/transactions/native";
    let query = format!("/v3/pay/transactions/out-trade-no/FAULT_0001?mchid={MCHID}");
    let with = |fault: PayFault| Script {
        pay: PayScript::fault(fault),
        ..Script::default()
    };

    // Errors before anything happens: nothing is created; the merchant reads them as transient.
    for (fault, status, code) in [
        (PayFault::FrequencyLimited, 429, "FREQUENCY_LIMITED"),
        (PayFault::SystemError, 500, "SYSTEM_ERROR"),
        (
            PayFault::Error(ScriptedError::new(403, "NO_AUTH", "商户无权限")),
            403,
            "NO_AUTH",
        ),
    ] {
        let r = shop.send_with(Method::POST, path, Some(&order), &with(fault));
        let (s, c, _) = shop.err(&r);
        assert_eq!((s, c.as_str()), (status, code));
        let e = response::check(resp(&r), &shop.merchant.verifier(), NOW).unwrap_err();
        assert_eq!(e.is_retryable(), status != 403, "{e}");
        assert_eq!(shop.err(&shop.get(&query)).1, "ORDER_NOT_EXIST");
    }

    // Aimed at one endpoint: the others answer.
    let refunds_only = Script {
        pay: PayScript::fault(PayFault::SystemError).on(SandboxEndpoint::Refund),
        ..Script::default()
    };
    let r = shop.send_with(Method::POST, path, Some(&order), &refunds_only);
    assert!(shop.ok(&r)["code_url"].is_string());
    shop.pay("FAULT_0001", None);
    let rb = refund_body(("out_trade_no", "FAULT_0001"), "FAULT_R1", 10, 100);
    let r = shop.send_with(
        Method::POST,
        "/v3/refund/domestic/refunds",
        Some(&rb),
        &refunds_only,
    );
    assert_eq!(shop.err(&r).0, 500);
    // The retry without the fault succeeds.
    shop.ok(&shop.post("/v3/refund/domestic/refunds", &rb));

    // No reply: `handle_or_drop` says None, `handle` a bare 504; nothing happened.
    let order2 = direct_order("app", "FAULT_0002", 100);
    let req = shop.request(Method::POST, "/v3/pay/transactions/app", Some(&order2));
    assert!(
        shop.sim
            .handle_or_drop(&req, NOW, &mut rng(5), &with(PayFault::NoReply))
            .is_none()
    );
    let r = shop
        .sim
        .handle(&req, NOW, &mut rng(5), &with(PayFault::NoReply));
    assert_eq!(r.status(), 504);
    assert!(r.body().is_empty());
    let q = format!("/v3/pay/transactions/out-trade-no/FAULT_0002?mchid={MCHID}");
    assert_eq!(shop.err(&shop.get(&q)).1, "ORDER_NOT_EXIST");

    // The reply lost after the request took effect: the order exists, the retry gets the same answer.
    assert!(
        shop.sim
            .handle_or_drop(&req, NOW, &mut rng(5), &with(PayFault::ReplyLost))
            .is_none()
    );
    assert_eq!(shop.ok(&shop.get(&q))["trade_state"], "NOTPAY");
    let retry = shop
        .sim
        .handle_or_drop(&req, NOW, &mut rng(6), &Script::default())
        .unwrap();
    let first = shop.ok(&retry);
    assert!(first["prepay_id"].is_string());
    // A close whose reply is lost has closed the order.
    let close = shop.request(
        Method::POST,
        "/v3/pay/transactions/out-trade-no/FAULT_0002/close",
        Some(&json!({ "mchid": MCHID })),
    );
    let lost_close = Script {
        pay: PayScript::fault(PayFault::ReplyLost).on(SandboxEndpoint::Close),
        ..Script::default()
    };
    assert!(
        shop.sim
            .handle_or_drop(&close, NOW, &mut rng(7), &lost_close)
            .is_none()
    );
    assert_eq!(shop.ok(&shop.get(&q))["trade_state"], "CLOSED");
    // Paths that are not the sandbox's go through `handle`.
    let other = shop.request(Method::GET, "/v3/not-a-sandbox-path", None);
    assert_eq!(
        shop.sim
            .handle_or_drop(&other, NOW, &mut rng(8), &with(PayFault::NoReply))
            .unwrap()
            .status(),
        404
    );

    // A platform serial the merchant does not trust: the reply does not verify, for key rotation.
    let stale = KeyId::new("5157F09EFDC096DE15EBE81A47057A7232F1B8E1").unwrap();
    let r = shop.send_with(
        Method::GET,
        &query,
        None,
        &with(PayFault::StaleSerial(stale.clone())),
    );
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["wechatpay-serial"], stale.as_str());
    let e = response::check(resp(&r), &shop.merchant.verifier(), NOW).unwrap_err();
    assert!(
        matches!(e, ResponseError::Verify(VerifyError::UnknownKey(_))),
        "{e}"
    );
    assert_eq!(e.distrust(), Some(Distrust::KeyRotation));
    // Under the public-key id the merchant trusts, the same key verifies.
    let pk = shop.sim.public_key_id().clone();
    let r = shop.send_with(Method::GET, &query, None, &with(PayFault::StaleSerial(pk)));
    shop.ok(&r);

    // Altered in transit.
    let r = shop.send_with(Method::GET, &query, None, &with(PayFault::Tampered));
    let e = response::check(resp(&r), &shop.merchant.verifier(), NOW).unwrap_err();
    assert!(
        matches!(e, ResponseError::Verify(VerifyError::BadSignature)),
        "{e}"
    );
    assert_eq!(e.distrust(), Some(Distrust::Tampered));
}

#[test]
fn notifications_duplicated_and_out_of_order() {
    let mut shop = Shop::new();
    shop.ok(&shop.post(
        "/v3/pay/transactions/jsapi",
        &direct_order("jsapi", "ORDERLY_0001", 900),
    ));
    let e = shop
        .sim
        .transaction_notification("ORDERLY_0001", NOW, &mut rng(1))
        .unwrap_err();
    assert_eq!(e, SandboxError::NotPaid("ORDERLY_0001".into()));
    assert_eq!(
        shop.sim
            .notifications(
                "ORDERLY_0001",
                NotificationOrder::AsHappened,
                NOW,
                &mut rng(1)
            )
            .unwrap_err(),
        SandboxError::NotPaid("ORDERLY_0001".into())
    );
    let first = shop.pay("ORDERLY_0001", None);
    let (first_n, first_p) = shop.notice(&first);

    // The same notification again (WeChat Pay's retry): same id and payload, a fresh signature.
    shop.now = NOW + core::time::Duration::from_secs(120);
    let retry = shop
        .sim
        .transaction_notification("ORDERLY_0001", shop.now, &mut *shop.rng.borrow_mut())
        .unwrap();
    let (retry_n, retry_p) = shop.notice(&retry);
    assert_eq!(retry_n.notification.id, first_n.notification.id);
    assert_eq!(
        retry_n.notification.create_time,
        first_n.notification.create_time
    );
    assert_eq!(retry_p, first_p);
    assert_ne!(
        retry.headers()["wechatpay-signature"],
        first.headers()["wechatpay-signature"]
    );
    // A verbatim re-send still verifies within the skew.
    shop.notice(&first);

    let refunds = "/v3/refund/domestic/refunds";
    shop.ok(&shop.post(
        refunds,
        &refund_body(("out_trade_no", "ORDERLY_0001"), "ORD_R1", 100, 900),
    ));
    shop.ok(&shop.post(
        refunds,
        &refund_body(("out_trade_no", "ORDERLY_0001"), "ORD_R2", 200, 900),
    ));
    shop.ok(&shop.post(
        refunds,
        &refund_body(("out_trade_no", "ORDERLY_0001"), "ORD_R3", 300, 900),
    ));
    shop.complete("ORD_R1", RefundResult::Success);
    shop.now = NOW + core::time::Duration::from_secs(180);
    shop.complete("ORD_R2", RefundResult::Closed);
    // ORD_R3 is still processing: it has no notification yet.

    let types = |shop: &Shop, order| -> Vec<(String, String)> {
        shop.sim
            .notifications("ORDERLY_0001", order, shop.now, &mut *shop.rng.borrow_mut())
            .unwrap()
            .iter()
            .map(|req| {
                let (n, _) = shop.notice(req);
                (n.notification.event_type, n.notification.id)
            })
            .collect()
    };
    let happened = types(&shop, NotificationOrder::AsHappened);
    let events: Vec<&str> = happened.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        events,
        ["TRANSACTION.SUCCESS", "REFUND.SUCCESS", "REFUND.CLOSED"]
    );
    assert_eq!(happened[0].1, first_n.notification.id);

    let reversed = types(&shop, NotificationOrder::Reversed);
    let events: Vec<&str> = reversed.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        events,
        ["REFUND.CLOSED", "REFUND.SUCCESS", "TRANSACTION.SUCCESS"]
    );
    // A REFUND.SUCCESS before its order's TRANSACTION.SUCCESS.
    let refund_at = events.iter().position(|e| *e == "REFUND.SUCCESS").unwrap();
    let paid_at = events
        .iter()
        .position(|e| *e == "TRANSACTION.SUCCESS")
        .unwrap();
    assert!(refund_at < paid_at);

    let twice = types(&shop, NotificationOrder::Duplicated);
    assert_eq!(twice.len(), 6);
    for pair in twice.chunks(2) {
        assert_eq!(pair[0], pair[1]);
    }
    // Each event keeps its id across every delivery.
    let mut ids: Vec<&str> = happened.iter().map(|(_, id)| id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3);
}

#[test]
fn certificates_download() {
    let shop = Shop::new();
    let r = shop.get("/v3/certificates");
    let body = shop.ok(&r);
    let entry = &body["data"][0];
    assert_eq!(entry["serial_no"], shop.sim.platform_serial().as_str());
    assert_eq!(entry["effective_time"].as_str().unwrap().len(), 25);
    // Valid until 2099-12-31 (UTC), written in Beijing time.
    let expire = entry["expire_time"].as_str().unwrap();
    assert!(
        expire.starts_with("2099-12-31T") || expire.starts_with("2100-01-01T"),
        "{expire}"
    );
    assert!(expire.ends_with("+08:00"), "{expire}");
    assert_eq!(
        entry["encrypt_certificate"]["associated_data"],
        "certificate"
    );
    assert_eq!(
        entry["encrypt_certificate"]["algorithm"],
        "AEAD_AES_256_GCM"
    );

    let certs = certificates::decrypt(r.body(), shop.merchant.api_v3_key().unwrap()).unwrap();
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0].serial(), shop.sim.platform_serial());
    let download = certificates::bootstrap(
        resp(&r),
        shop.merchant.api_v3_key().unwrap(),
        shop.merchant.verify_options(),
        NOW,
    )
    .unwrap();
    assert_eq!(download.store.len(), 1);
    assert!(download.skipped.is_empty());

    // Rotation: a merchant that trusts only the WeChat Pay public key cannot verify a reply
    // signed under the platform certificate until it has downloaded the certificates.
    let mut only_pk = KeyStore::new();
    only_pk.insert(WechatPayKey::public_key(
        KeyId::new(PUB_KEY_ID).unwrap(),
        PublicKey::from_pem(data("test_platform_public_key.pem")).unwrap(),
    ));
    shop.ok(&shop.post(
        "/v3/pay/transactions/native",
        &direct_order("native", "ROT_0001", 1),
    ));
    let r = shop.get(&format!(
        "/v3/pay/transactions/out-trade-no/ROT_0001?mchid={MCHID}"
    ));
    let e = response::check(resp(&r), &Verifier::new(&only_pk), NOW).unwrap_err();
    assert_eq!(e.distrust(), Some(Distrust::KeyRotation));
    response::check(resp(&r), &Verifier::new(&download.store), NOW).unwrap();

    // A simulator on the public key has no platform certificate to serve.
    let shop = Shop::with(Simulator::new().with_signing_mode(SigningKeyMode::PublicKey));
    let r = shop.get("/v3/certificates");
    assert_eq!(shop.err(&r).1, "RESOURCE_NOT_EXISTS");
    let e = certificates::bootstrap(
        resp(&r),
        shop.merchant.api_v3_key().unwrap(),
        shop.merchant.verify_options(),
        NOW,
    )
    .unwrap_err();
    assert!(matches!(e, DownloadError::Response(_)), "{e}");
    // A stale serial on the download itself.
    let shop = Shop::new();
    let script = Script {
        pay: PayScript::fault(PayFault::StaleSerial(KeyId::new("01").unwrap()))
            .on(SandboxEndpoint::Certificates),
        ..Script::default()
    };
    let r = shop.send_with(Method::GET, "/v3/certificates", None, &script);
    let e = certificates::bootstrap(
        resp(&r),
        shop.merchant.api_v3_key().unwrap(),
        shop.merchant.verify_options(),
        NOW,
    )
    .unwrap_err();
    assert_eq!(e.distrust(), Some(Distrust::KeyRotation), "{e}");
}

#[test]
fn a_tampered_request_is_refused() {
    let shop = Shop::new();
    let mut req = shop.request(
        Method::POST,
        "/v3/pay/transactions/native",
        Some(&direct_order("native", "TAMPER_0001", 100)),
    );
    // The amount changed after signing.
    let body = String::from_utf8(req.body().clone())
        .unwrap()
        .replace("100", "1");
    *req.body_mut() = body.into_bytes();
    let r = shop.sim.handle(&req, NOW, &mut rng(1), &Script::default());
    let v: Value = serde_json::from_slice(r.body()).unwrap();
    assert_eq!(
        (r.status().as_u16(), v["code"].as_str()),
        (401, Some("SIGN_ERROR"))
    );
    // Nothing was created; the same holds for a stale timestamp and under every fault.
    let r = shop.get(&format!(
        "/v3/pay/transactions/out-trade-no/TAMPER_0001?mchid={MCHID}"
    ));
    assert_eq!(shop.err(&r).1, "ORDER_NOT_EXIST");
    let late = shop.request(
        Method::GET,
        &format!("/v3/pay/transactions/out-trade-no/TAMPER_0001?mchid={MCHID}"),
        None,
    );
    let r = shop.sim.handle(
        &late,
        NOW + core::time::Duration::from_secs(3600),
        &mut rng(1),
        &Script::default(),
    );
    assert_eq!(r.status(), 401);
    let r = shop.sim.handle(
        &req,
        NOW,
        &mut rng(1),
        &Script {
            pay: PayScript::fault(PayFault::NoReply),
            ..Script::default()
        },
    );
    assert_eq!(r.status(), 401);
}

#[test]
fn clones_and_threads_share_one_order_book() {
    let shop = Shop::new();
    shop.ok(&shop.post(
        "/v3/pay/transactions/native",
        &direct_order("native", "SHARED_0001", 1),
    ));
    let clone = shop
        .sim
        .clone()
        .with_signing_mode(SigningKeyMode::PublicKey);
    let handle =
        std::thread::spawn(move || clone.pay("SHARED_0001", None, NOW, &mut rng(2)).map(|_| ()));
    handle.join().unwrap().unwrap();
    let q = shop.ok(&shop.get(&format!(
        "/v3/pay/transactions/out-trade-no/SHARED_0001?mchid={MCHID}"
    )));
    assert_eq!(q["trade_state"], "SUCCESS");
    // A new simulator has its own, empty book.
    assert_eq!(
        Simulator::new()
            .pay("SHARED_0001", None, NOW, &mut rng(3))
            .unwrap_err(),
        SandboxError::UnknownOrder("SHARED_0001".into())
    );
}
