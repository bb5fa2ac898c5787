//! The axum notification router (`notify_router`, as `examples/axum_notify.rs` runs it) over
//! real HTTP on 127.0.0.1: the simulator signs v3 notifications, the test signs v2 ones with the
//! crate's signer, reqwest posts them, and every answer's status and body are checked, with the
//! number of times the handlers ran.
//!
//! Bounded: the server listens on 127.0.0.1:0 only, the client ignores proxies and follows no
//! redirects, every request and the whole test have timeouts, and the server is shut down
//! gracefully (oneshot) at the end and awaited with a timeout.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand_chacha::ChaCha20Rng;
use reqwest::StatusCode;
use wechatpay_sansio::http::{HeaderMap, HeaderValue, Request};
use wechatpay_sansio::os;
use wechatpay_sansio::rand_core::SeedableRng;
use wechatpay_sansio::simulator::Simulator;
use wechatpay_sansio::v2::notify::SUCCESS_XML;
use wechatpay_sansio::v2::{SignType, sign, xml};
use wechatpay_sansio::v3::header::{WECHATPAY_SERIAL, WECHATPAY_SIGNATURE};
use wechatpay_sansio_interop::{
    MAX_BODY, NotifyState, OncePerKey, V2_PATH, V3_PATH, notify_router,
};

const HOUR: Duration = Duration::from_secs(3600);

/// What the handlers saw.
#[derive(Default)]
struct Seen {
    v3_calls: AtomicUsize,
    v2_calls: AtomicUsize,
    refused: AtomicUsize,
    v3_events: Mutex<Vec<(String, Vec<u8>)>>,
    v2_orders: Mutex<Vec<(String, u64)>>,
}

struct Answer {
    status: StatusCode,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    /// The v3 failure shape: exactly `{"code":"FAIL","message":<non-empty string>}`; returns
    /// the message.
    fn v3_fail(&self) -> String {
        assert_eq!(self.content_type.as_deref(), Some("application/json"));
        let v: serde_json::Value = serde_json::from_slice(&self.body).unwrap();
        let obj = v.as_object().unwrap();
        assert_eq!(obj.len(), 2, "{v}");
        assert_eq!(obj["code"], "FAIL");
        let msg = obj["message"].as_str().unwrap().to_owned();
        assert!(!msg.is_empty());
        msg
    }

    /// The v2 answer: `<xml>` with `return_code` and `return_msg` only; returns them.
    fn v2_xml(&self) -> (String, String) {
        assert!(
            self.content_type
                .as_deref()
                .is_some_and(|c| c.starts_with("text/xml")),
            "{:?}",
            self.content_type
        );
        let f = xml::parse(&self.body).unwrap();
        assert_eq!(f.len(), 2);
        (
            f.get("return_code").unwrap().to_owned(),
            f.get("return_msg").unwrap().to_owned(),
        )
    }
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    headers: HeaderMap,
    body: Vec<u8>,
) -> Answer {
    let resp = client
        .post(format!("{base}{path}"))
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned());
    let body = resp.bytes().await.unwrap().to_vec();
    Answer {
        status,
        content_type,
        body,
    }
}

async fn post_v3(client: &reqwest::Client, base: &str, req: Request<Vec<u8>>) -> Answer {
    let (parts, body) = req.into_parts();
    post(client, base, V3_PATH, parts.headers, body).await
}

/// A v2 payment result notification signed with `key` and `sign_type` (`sign_type` field
/// present unless MD5).
fn v2_notification(
    key: &wechatpay_sansio::secret::ApiV2Key,
    mch_id: &str,
    out_trade_no: &str,
    total_fee: &str,
    sign_type: SignType,
) -> Vec<u8> {
    let mut pairs = vec![
        ("appid", "wx2421b1c4370ec43b"),
        ("bank_type", "CFT"),
        ("cash_fee", total_fee),
        ("mch_id", mch_id),
        ("nonce_str", "5d2b6c2a8db53831f7eda20af46e531c"),
        ("openid", "oUpF8uMEb4qRXf22hE3X68TekukE"),
        ("out_trade_no", out_trade_no),
        ("result_code", "SUCCESS"),
        ("return_code", "SUCCESS"),
        ("time_end", "20140903131540"),
        ("total_fee", total_fee),
        ("trade_type", "JSAPI"),
        ("transaction_id", "1004400740201409030005092168"),
    ];
    if sign_type != SignType::Md5 {
        pairs.push(("sign_type", sign_type.as_str()));
    }
    let s = sign::sign(pairs.iter().copied(), key, sign_type).unwrap();
    pairs.push(("sign", s.as_str()));
    xml::to_xml(pairs).unwrap().into_bytes()
}

fn xml_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("content-type", HeaderValue::from_static("text/xml"));
    h
}

#[tokio::test]
async fn notifications_over_http() {
    tokio::time::timeout(Duration::from_secs(60), run())
        .await
        .expect("the test took longer than 60 s");
}

#[allow(clippy::too_many_lines)] // one server, one scenario per request
async fn run() {
    // reqwest is built with `rustls-no-provider` (no TLS is used here, but the client builds its
    // TLS config): pick ring. Ignore the error if a provider is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();

    let sim = Simulator::new();
    let merchant = sim.merchant();
    let v2_key = merchant.api_v2_key().unwrap().clone();
    let mchid = merchant.mchid().as_str().to_owned();
    let seen = Arc::new(Seen::default());
    let state = {
        let (s3, s2, sr) = (seen.clone(), seen.clone(), seen.clone());
        NotifyState::new(merchant)
            .on_v3(move |n| {
                s3.v3_calls.fetch_add(1, Ordering::SeqCst);
                s3.v3_events
                    .lock()
                    .unwrap()
                    .push((n.notification.event_type.clone(), n.plaintext.to_vec()));
                if n.notification.event_type == "TEST.HANDLER_FAILS" {
                    return Err("the database is down".into());
                }
                Ok(())
            })
            .on_v2(move |n| {
                s2.v2_calls.fetch_add(1, Ordering::SeqCst);
                s2.v2_orders
                    .lock()
                    .unwrap()
                    .push((n.out_trade_no().to_owned(), n.total_fee()));
                Ok(())
            })
            .on_refused(move |_, _| {
                sr.refused.fetch_add(1, Ordering::SeqCst);
            })
    };

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    assert!(addr.ip().is_loopback());
    let base = format!("http://{addr}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, notify_router(state))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });

    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    // The server reads its own clock at receipt; sign with the same clock.
    let now = os::now;

    // --- v3 ---------------------------------------------------------------------------------

    // 1. Valid: 204, empty body, handler ran with the decrypted payload.
    let payload = br#"{"out_trade_no":"1217752501201407033233368018","trade_state":"SUCCESS"}"#;
    let valid = sim.notification("TRANSACTION.SUCCESS", payload, now(), &mut rng);
    let a = post_v3(&client, &base, valid).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert!(a.body.is_empty());
    assert_eq!(seen.v3_calls.load(Ordering::SeqCst), 1);

    // 2. Tampered body (one byte of the envelope, still valid JSON): 401.
    let req = sim.notification("TRANSACTION.SUCCESS", payload, now(), &mut rng);
    let (parts, body) = req.into_parts();
    let tampered = String::from_utf8(body)
        .unwrap()
        .replace("TEST ONLY", "TEST 0NLY")
        .into_bytes();
    let a = post(&client, &base, V3_PATH, parts.headers, tampered).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    a.v3_fail();

    // 3. Stale: signed an hour before receipt: 401.
    let stale = sim.notification(
        "TRANSACTION.SUCCESS",
        payload,
        now().saturating_sub(HOUR),
        &mut rng,
    );
    let a = post_v3(&client, &base, stale).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.v3_fail().contains("stale"));

    // 4. WeChat Pay's signature probe (`WECHATPAY/SIGNTEST/…`): 401, so that the probe sees
    //    signatures are verified.
    let mut probe = sim.notification("TRANSACTION.SUCCESS", payload, now(), &mut rng);
    probe.headers_mut().insert(
        &WECHATPAY_SIGNATURE,
        HeaderValue::from_static("WECHATPAY/SIGNTEST/ZmFrZS1zaWduYXR1cmU="),
    );
    let a = post_v3(&client, &base, probe).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.v3_fail().contains("SIGNTEST"));

    // 5. Unknown Wechatpay-Serial: 401.
    let mut unknown = sim.notification("TRANSACTION.SUCCESS", payload, now(), &mut rng);
    unknown.headers_mut().insert(
        &WECHATPAY_SERIAL,
        HeaderValue::from_static("5157F09EFDC096DE15EBE81A47057A72"),
    );
    let a = post_v3(&client, &base, unknown).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    a.v3_fail();

    // 6. Oversized: one byte over the cap, with genuine signature headers: 413, FAIL JSON.
    let big = sim.notification("TRANSACTION.SUCCESS", payload, now(), &mut rng);
    let (parts, _) = big.into_parts();
    let a = post(
        &client,
        &base,
        V3_PATH,
        parts.headers,
        vec![b' '; MAX_BODY + 1],
    )
    .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    a.v3_fail();

    // 7. Exactly at the cap: read, then refused on its signature (401, not 413).
    let at_cap = sim.notification("TRANSACTION.SUCCESS", payload, now(), &mut rng);
    let (parts, mut body) = at_cap.into_parts();
    body.resize(MAX_BODY, b' ');
    let a = post(&client, &base, V3_PATH, parts.headers, body).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    a.v3_fail();

    // 8. No signature headers at all: 401.
    let a = post(
        &client,
        &base,
        V3_PATH,
        HeaderMap::new(),
        br#"{"id":"x"}"#.to_vec(),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    a.v3_fail();

    // 9. Valid, but the application's handler fails: 500 so that WeChat Pay retries; the error
    //    text is not sent back.
    let failing = sim.notification("TEST.HANDLER_FAILS", b"{}", now(), &mut rng);
    let a = post_v3(&client, &base, failing).await;
    assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!a.v3_fail().contains("database"));

    // 10. A second valid notification of another type: 204.
    let refund = sim.notification(
        "REFUND.SUCCESS",
        br#"{"out_refund_no":"R1"}"#,
        now(),
        &mut rng,
    );
    let a = post_v3(&client, &base, refund).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert!(a.body.is_empty());

    // 11. Not POST: 405 from the router.
    let resp = client.get(format!("{base}{V3_PATH}")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);

    // --- v2 ---------------------------------------------------------------------------------

    // 12. Valid (MD5, no sign_type): 200 with the exact SUCCESS XML.
    let body = v2_notification(&v2_key, &mchid, "1409811653", "1", SignType::Md5);
    let a = post(&client, &base, V2_PATH, xml_headers(), body).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body, SUCCESS_XML.as_bytes());
    assert_eq!(a.v2_xml(), ("SUCCESS".into(), "OK".into()));

    // 13. Tampered (total_fee raised after signing): 200 with FAIL XML, handler not run.
    let body = v2_notification(&v2_key, &mchid, "1409811654", "1", SignType::Md5);
    let tampered = String::from_utf8(body)
        .unwrap()
        .replace("<total_fee>1<", "<total_fee>100000<")
        .into_bytes();
    let a = post(&client, &base, V2_PATH, xml_headers(), tampered).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.v2_xml(), ("FAIL".into(), "签名失败".into()));

    // 14. Valid, HMAC-SHA256 named in sign_type: 200 SUCCESS.
    let body = v2_notification(&v2_key, &mchid, "1409811655", "2", SignType::HmacSha256);
    let a = post(&client, &base, V2_PATH, xml_headers(), body).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body, SUCCESS_XML.as_bytes());

    // 15. Oversized: 413 with FAIL XML.
    let a = post(
        &client,
        &base,
        V2_PATH,
        xml_headers(),
        vec![b' '; MAX_BODY + 1],
    )
    .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(a.v2_xml().0, "FAIL");

    // --- the handlers ran exactly once per valid notification -------------------------------
    assert_eq!(seen.v3_calls.load(Ordering::SeqCst), 3); // 1, 9, 10
    let events = seen.v3_events.lock().unwrap().clone();
    assert_eq!(
        events,
        [
            ("TRANSACTION.SUCCESS".to_owned(), payload.to_vec()),
            ("TEST.HANDLER_FAILS".to_owned(), b"{}".to_vec()),
            (
                "REFUND.SUCCESS".to_owned(),
                br#"{"out_refund_no":"R1"}"#.to_vec()
            ),
        ]
    );
    assert_eq!(seen.v2_calls.load(Ordering::SeqCst), 2); // 12, 14
    assert_eq!(
        *seen.v2_orders.lock().unwrap(),
        [("1409811653".to_owned(), 1), ("1409811655".to_owned(), 2)]
    );
    // Refused: v3 2–9 (9 is the handler failure), v2 13 and 15.
    assert_eq!(seen.refused.load(Ordering::SeqCst), 10);

    drop(client);
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server did not shut down within 10 s")
        .unwrap()
        .unwrap();
    // The port is closed now.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

/// A server on 127.0.0.1:0 running `notify_router(state)`; returns its address, the stop
/// signal and the task.
async fn serve(
    state: NotifyState,
) -> (
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    assert!(addr.ip().is_loopback());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, notify_router(state))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    (addr, stop, server)
}

/// Sends the request head (announcing a body of 1000 bytes) and a few body bytes, then stalls;
/// returns what the server sent back before closing, and how long that took.
async fn stalled_client(addr: std::net::SocketAddr, path: &str) -> (String, Duration) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let start = std::time::Instant::now();
    s.write_all(
        format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Content-Length: 1000\r\n\r\n{{\"id\":"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut answer = Vec::new();
    // Read until the server closes (or 5 s pass: a failure below).
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut answer)).await;
    (
        String::from_utf8_lossy(&answer).into_owned(),
        start.elapsed(),
    )
}

/// A client that sends the headers and then stalls is answered (408) and disconnected once the
/// body-read timeout passes, on both routes, for many such clients at once (issue 15 item 5:
/// 50 slow connections were held 22 s).
#[tokio::test]
async fn a_stalled_body_is_cut_off_at_the_timeout() {
    let sim = Simulator::new();
    let state = NotifyState::new(sim.merchant()).with_body_timeout(Duration::from_millis(300));
    let (addr, stop, server) = serve(state).await;
    let clients: Vec<_> = (0..20)
        .map(|i| {
            let path = if i % 2 == 0 { V3_PATH } else { V2_PATH };
            tokio::spawn(stalled_client(addr, path))
        })
        .collect();
    for c in clients {
        let (answer, took) = c.await.unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 408"),
            "{answer:?} after {took:?}"
        );
        assert!(took >= Duration::from_millis(250), "{took:?}");
        assert!(took < Duration::from_secs(3), "{took:?}");
    }
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server did not shut down within 10 s")
        .unwrap()
        .unwrap();
}

/// A replayed notification (the same signed bytes posted again: WeChat Pay redelivers, and a v2
/// notification carries no time so a copy verifies forever) is acknowledged again, but the
/// application's work runs once per idempotency key: the v3 notification `id`, the v2
/// `transaction_id` (issue 15 item 5).
#[tokio::test]
async fn a_replayed_notification_runs_the_work_once() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Simulator::new();
    let merchant = sim.merchant();
    let v2_key = merchant.api_v2_key().unwrap().clone();
    let mchid = merchant.mchid().as_str().to_owned();
    let (v3_work, v2_work, v3_calls) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    // As in examples/axum_notify.rs: the work behind a dedupe on the idempotency key.
    let (once3, once2) = (Arc::new(OncePerKey::new()), Arc::new(OncePerKey::new()));
    let state = {
        let (w3, w2, c3) = (v3_work.clone(), v2_work.clone(), v3_calls.clone());
        NotifyState::new(merchant)
            .on_v3(move |n| {
                c3.fetch_add(1, Ordering::SeqCst);
                once3.run(&n.notification.id, || {
                    w3.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                })
            })
            .on_v2(move |n| {
                once2.run(n.transaction_id(), || {
                    w2.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                })
            })
    };
    let (addr, stop, server) = serve(state).await;
    let base = format!("http://{addr}");
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(15);
    let v3 = sim.notification(
        "TRANSACTION.SUCCESS",
        br#"{"out_trade_no":"1217752501201407033233368018","trade_state":"SUCCESS"}"#,
        os::now(),
        &mut rng,
    );
    let (parts, body) = v3.into_parts();
    for _ in 0..3 {
        let a = post(&client, &base, V3_PATH, parts.headers.clone(), body.clone()).await;
        assert_eq!(
            a.status,
            StatusCode::NO_CONTENT,
            "every delivery is acknowledged"
        );
    }
    let v2 = v2_notification(&v2_key, &mchid, "1409811653", "1", SignType::Md5);
    for _ in 0..3 {
        let a = post(&client, &base, V2_PATH, xml_headers(), v2.clone()).await;
        assert_eq!(
            a.body,
            SUCCESS_XML.as_bytes(),
            "every delivery is acknowledged"
        );
    }
    // The router hands every verified delivery to the handler…
    assert_eq!(v3_calls.load(Ordering::SeqCst), 3);
    // …and the work behind the dedupe ran once per key.
    assert_eq!(v3_work.load(Ordering::SeqCst), 1);
    assert_eq!(v2_work.load(Ordering::SeqCst), 1);
    drop(client);
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server did not shut down within 10 s")
        .unwrap()
        .unwrap();
}

/// Issue 15 item 3 over HTTP: a router configured for HMAC-SHA256 orders acknowledges a
/// notification without `sign_type` (as WeChat Pay sends it) and refuses an MD5 one.
#[tokio::test]
async fn the_configured_v2_sign_type_is_used() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Simulator::new();
    let merchant = sim.merchant();
    let key = merchant.api_v2_key().unwrap().clone();
    let mchid = merchant.mchid().as_str().to_owned();
    let state = NotifyState::new(merchant).with_v2_sign_type(SignType::HmacSha256);
    let (addr, stop, server) = serve(state).await;
    let base = format!("http://{addr}");
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    // HMAC-SHA256, sign_type left out: built with sign_type, then re-signed without it.
    let with_type = v2_notification(&key, &mchid, "1409811660", "1", SignType::HmacSha256);
    let f = xml::parse(&with_type).unwrap();
    let mut pairs: Vec<(&str, &str)> = f
        .iter()
        .filter(|(k, _)| *k != "sign" && *k != "sign_type")
        .collect();
    let s = sign::sign(pairs.iter().copied(), &key, SignType::HmacSha256).unwrap();
    pairs.push(("sign", s.as_str()));
    let without_type = xml::to_xml(pairs).unwrap().into_bytes();
    let a = post(&client, &base, V2_PATH, xml_headers(), without_type).await;
    assert_eq!(a.v2_xml(), ("SUCCESS".into(), "OK".into()));
    // MD5 where HMAC-SHA256 is configured: refused, so WeChat Pay would resend.
    let md5 = v2_notification(&key, &mchid, "1409811661", "1", SignType::Md5);
    let a = post(&client, &base, V2_PATH, xml_headers(), md5).await;
    assert_eq!(a.v2_xml(), ("FAIL".into(), "签名失败".into()));
    stop.send(()).unwrap();
    let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
}
