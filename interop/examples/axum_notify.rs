//! Receiving WeChat Pay notifications with axum: the router of this package's `src/lib.rs`
//! (`notify_router`), with handlers that print what they receive.
//!
//! - `POST /wechatpay/notify`: v3 notifications, verified with the merchant's WeChat Pay keys at
//!   the time of receipt, decrypted with the APIv3 key, answered `204` (or a 4xx/5xx with
//!   `{"code":"FAIL","message":…}`, so that WeChat Pay retries);
//! - `POST /wechatpay/v2/notify`: v2 payment result notifications (XML), verified with the APIv2
//!   key, answered with `<xml><return_code><![CDATA[SUCCESS]]></return_code>…`.
//!
//! This example uses the simulator's TEST ONLY keys, and on start prints two `curl` commands
//! that post a freshly signed notification of each kind (valid for five minutes). It binds
//! 127.0.0.1 only, and stops after `MAX_REQUESTS` requests, on Ctrl-C, or after ten minutes.
//! In production: your `Merchant` (APIv3 and APIv2 keys, the WeChat Pay public key or platform
//! certificates), behind the HTTPS endpoint of your `notify_url`.
//!
//! Run: `cargo run -p wechatpay-sansio-interop --example axum_notify [ADDR] [MAX_REQUESTS]`
//! (defaults `127.0.0.1:8080` and 10).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use tokio::sync::Notify;
use wechatpay_sansio::os::{self, OsRng};
use wechatpay_sansio::simulator::Simulator;
use wechatpay_sansio::v2::{SignType, sign, xml};
use wechatpay_sansio_interop::{NotifyState, OncePerKey, V2_PATH, V3_PATH, notify_router};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Requests answered so far, and a signal when the budget is used up.
struct Budget {
    answered: AtomicUsize,
    max: usize,
    done: Notify,
}

async fn count(State(budget): State<Arc<Budget>>, req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    if budget.answered.fetch_add(1, Ordering::SeqCst) + 1 >= budget.max {
        budget.done.notify_one();
    }
    resp
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let max = args.next().map_or(Ok(10), |n| n.parse())?;

    let sim = Simulator::new();
    let merchant = sim.merchant(); // TEST ONLY keys, the simulator's counterpart
    // The handlers run for every verified delivery: WeChat Pay redelivers, and a copy can be
    // posted again (a v3 copy within its 5-minute timestamp window, a v2 copy forever: v2
    // notifications carry no time). So the work is deduplicated on the idempotency key: the
    // v3 notification `id`, the v2 `transaction_id`. Here in memory (a Mutex<HashSet> inside
    // `OncePerKey`); in production, a unique constraint in the database, inserted in the same
    // transaction as the work. Run a curl command below twice: the second prints "duplicate".
    let (v3_done, v2_done) = (OncePerKey::new(), OncePerKey::new());
    let state = NotifyState::new(merchant.clone())
        .on_v3(move |n| {
            // Verified and decrypted; hand slow work to a queue.
            let mut first = false;
            v3_done.run(&n.notification.id, || {
                first = true;
                println!(
                    "v3 {} {}: {} bytes of payload",
                    n.notification.event_type,
                    n.notification.id,
                    n.plaintext.len()
                );
                Ok(())
            })?;
            if !first {
                println!("v3 {}: duplicate, acknowledged again", n.notification.id);
            }
            Ok(())
        })
        .on_v2(move |n| {
            let mut first = false;
            v2_done.run(n.transaction_id(), || {
                first = true;
                // Compare `total_fee` with the order before marking it paid.
                println!(
                    "v2 paid: out_trade_no {} transaction_id {} total_fee {}",
                    n.out_trade_no(),
                    n.transaction_id(),
                    n.total_fee()
                );
                Ok(())
            })?;
            if !first {
                println!("v2 {}: duplicate, acknowledged again", n.transaction_id());
            }
            Ok(())
        })
        .on_refused(|route, why| eprintln!("refused on {route}: {why}"))
        // A body still arriving 10 s after the request head is cut off with 408 (the default,
        // stated here to show the knob): slow clients cannot hold connections open.
        .with_body_timeout(Duration::from_secs(10))
        // The sign type the v2 orders are placed with (the simulator signs v2 with MD5 here).
        .with_v2_sign_type(wechatpay_sansio::v2::SignType::Md5);

    let budget = Arc::new(Budget {
        answered: AtomicUsize::new(0),
        max,
        done: Notify::new(),
    });
    let app = notify_router(state).layer(middleware::from_fn_with_state(budget.clone(), count));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let base = format!("http://{}", listener.local_addr()?);
    println!("listening on {base}; stops after {max} requests, on Ctrl-C, or in 10 minutes");
    print_curl_commands(&sim, &merchant, &base)?;

    let shutdown = async move {
        tokio::select! {
            _ = budget.done.notified() => println!("request budget used up"),
            _ = tokio::signal::ctrl_c() => println!("Ctrl-C"),
            () = tokio::time::sleep(Duration::from_secs(600)) => println!("time is up"),
        }
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// `curl` commands posting one valid notification of each kind, signed now.
fn print_curl_commands(
    sim: &Simulator,
    merchant: &wechatpay_sansio::merchant::Merchant,
    base: &str,
) -> Result<(), BoxError> {
    let mut rng = OsRng;
    let v3 = sim.notification(
        "TRANSACTION.SUCCESS",
        br#"{"out_trade_no":"1217752501201407033233368018","trade_state":"SUCCESS"}"#,
        os::now(),
        &mut rng,
    );
    let mut cmd = format!("curl -sS -i {base}{V3_PATH}");
    for (name, value) in v3.headers() {
        cmd.push_str(&format!(" -H '{name}: {}'", value.to_str()?));
    }
    cmd.push_str(&format!(
        " --data-binary '{}'",
        std::str::from_utf8(v3.body())?
    ));
    println!("\n# a v3 notification (answer: 204)\n{cmd}");

    let pairs = [
        ("appid", "wx2421b1c4370ec43b"),
        ("bank_type", "CFT"),
        ("mch_id", merchant.mchid().as_str()),
        ("nonce_str", "5d2b6c2a8db53831f7eda20af46e531c"),
        ("openid", "oUpF8uMEb4qRXf22hE3X68TekukE"),
        ("out_trade_no", "1409811653"),
        ("result_code", "SUCCESS"),
        ("return_code", "SUCCESS"),
        ("time_end", "20140903131540"),
        ("total_fee", "1"),
        ("trade_type", "JSAPI"),
        ("transaction_id", "1004400740201409030005092168"),
    ];
    let s = sign::sign(pairs, merchant.api_v2_key()?, SignType::Md5)?;
    let body = xml::to_xml(pairs.into_iter().chain([("sign", s.as_str())]))?;
    println!(
        "\n# a v2 payment result notification (answer: SUCCESS)\ncurl -sS -i {base}{V2_PATH} -H 'content-type: text/xml' --data-binary '{body}'\n"
    );
    Ok(())
}
