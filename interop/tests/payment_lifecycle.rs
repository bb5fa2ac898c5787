//! The payment lifecycle over real HTTP on 127.0.0.1: a merchant service — the axum
//! notification router of this package, with a handler that types payment events — and a client
//! (reqwest) that calls the simulator's v3 sandbox behind a `tiny_http` server. pay → the
//! `TRANSACTION.SUCCESS` notification posted to the merchant → query → refund → the
//! `REFUND.SUCCESS` notification → refund query. Every wait has a timeout; nothing leaves
//! 127.0.0.1.

#[path = "../examples/support/mod.rs"]
mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{Config, Loopback, Reply};
use wechatpay_sansio::api::Operation;
use wechatpay_sansio::api::pay::notify::{self, PaymentEvent};
use wechatpay_sansio::api::pay::prepay::{Prepay, PrepayRequest};
use wechatpay_sansio::api::pay::{OrderId, RefundStatus, TradeState, query, refund, refund_query};
use wechatpay_sansio::http;
use wechatpay_sansio::os;
use wechatpay_sansio::rand_core::SeedableRng;
use wechatpay_sansio::simulator::Simulator;
use wechatpay_sansio::simulator::sandbox::RefundResult;
use wechatpay_sansio_interop::{NotifyState, V3_PATH, notify_router};

/// The client half: send a built request to the loopback and read the reply.
async fn send(client: &reqwest::Client, base: &str, req: wechatpay_sansio::Request) -> Reply {
    let req = support::to_loopback(req.into_http(), base, false).unwrap();
    let (parts, body) = req.into_parts();
    let resp = client
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.bytes().await.unwrap().to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

/// WeChat Pay's half of a notification: post it to the merchant's notify URL.
async fn deliver(client: &reqwest::Client, merchant_base: &str, n: http::Request<Vec<u8>>) -> u16 {
    let (parts, body) = n.into_parts();
    client
        .post(format!("{merchant_base}{V3_PATH}"))
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn pay_notify_query_refund_notify_over_http() {
    tokio::time::timeout(Duration::from_secs(60), run())
        .await
        .expect("the lifecycle took longer than 60 s");
}

async fn run() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Simulator::new();
    let merchant = sim.merchant();
    let now = os::now;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(17);

    // WeChat Pay: the sandbox, sharing its order book with `sim`.
    let config = Config {
        now: now(),
        simulator: Some(sim.clone()),
        ..Config::default()
    };
    let wechat = Loopback::start(config, 16, Duration::from_secs(50)).unwrap();

    // The merchant service: typed payment events, kept per idempotency key.
    let events: Arc<Mutex<Vec<PaymentEvent>>> = Arc::default();
    let state = {
        let (events, m) = (events.clone(), merchant.clone());
        NotifyState::new(merchant.clone()).on_v3(move |n| {
            let event = notify::event(&m, n)?;
            events.lock().unwrap().push(event);
            Ok(())
        })
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let shop = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(listener, notify_router(state)).await.unwrap();
    });
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();

    // Prepay (JSAPI) and the client pay-sign.
    let order = PrepayRequest::jsapi(
        "wxd678efh567hg6787",
        "QQ公仔",
        "LOOP20260101001",
        "https://example.com/wxpay/notify",
        100,
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    );
    let reply = send(
        &client,
        &wechat.base,
        order.build(&merchant, &mut rng, now()).unwrap(),
    )
    .await;
    let prepaid = order.parse_reply(&merchant, reply.as_ref(), now()).unwrap();
    assert!(matches!(prepaid.prepay, Prepay::PrepayId(_)));
    prepaid
        .jsapi_pay_params(&merchant, &mut rng, now())
        .unwrap();

    // The payer pays; WeChat Pay notifies the merchant, twice (a redelivery).
    let n = sim.pay("LOOP20260101001", None, now(), &mut rng).unwrap();
    let again = sim
        .transaction_notification("LOOP20260101001", now(), &mut rng)
        .unwrap();
    assert_eq!(deliver(&client, &shop, n).await, 204);
    assert_eq!(deliver(&client, &shop, again).await, 204);
    let tid = match &events.lock().unwrap()[..] {
        [PaymentEvent::Transaction(a), PaymentEvent::Transaction(b)] => {
            assert!(a.is_paid() && a.out_trade_no == b.out_trade_no);
            a.transaction_id.clone().unwrap()
        }
        other => panic!("{other:?}"),
    };

    // Query by transaction_id: paid.
    let q = query::QueryOrderRequest::by_transaction_id(&tid);
    let reply = send(
        &client,
        &wechat.base,
        q.build(&merchant, &mut rng, now()).unwrap(),
    )
    .await;
    let t = q.parse_reply(&merchant, reply.as_ref(), now()).unwrap();
    assert_eq!(t.trade_state, TradeState::Success);

    // Refund, its notification, the refund query.
    let rf = refund::RefundRequest::new(OrderId::TransactionId(tid.clone()), "LOOPR1", 100, 100);
    let reply = send(
        &client,
        &wechat.base,
        rf.build(&merchant, &mut rng, now()).unwrap(),
    )
    .await;
    let pending = rf.parse_reply(&merchant, reply.as_ref(), now()).unwrap();
    assert_eq!(pending.status, RefundStatus::Processing);
    let n = sim
        .complete_refund("LOOPR1", RefundResult::Success, now(), &mut rng)
        .unwrap();
    assert_eq!(deliver(&client, &shop, n).await, 204);
    assert!(matches!(events.lock().unwrap().last(),
        Some(PaymentEvent::Refund(r)) if r.refund_status == RefundStatus::Success && r.transaction_id == tid));
    let rq = refund_query::RefundQueryRequest::new("LOOPR1");
    let reply = send(
        &client,
        &wechat.base,
        rq.build(&merchant, &mut rng, now()).unwrap(),
    )
    .await;
    assert_eq!(
        rq.parse_reply(&merchant, reply.as_ref(), now())
            .unwrap()
            .status,
        RefundStatus::Success
    );
    // The order now reports REFUND.
    let reply = send(
        &client,
        &wechat.base,
        q.build(&merchant, &mut rng, now()).unwrap(),
    )
    .await;
    assert_eq!(
        q.parse_reply(&merchant, reply.as_ref(), now())
            .unwrap()
            .trade_state,
        TradeState::Refund
    );

    // A tampered notification is refused (401) and never reaches the handler.
    let mut forged = sim.refund_notification("LOOPR1", now(), &mut rng).unwrap();
    forged.body_mut()[20] ^= 1;
    assert_eq!(deliver(&client, &shop, forged).await, 401);
    assert_eq!(events.lock().unwrap().len(), 3);
    server.abort();
    drop(wechat);
}
