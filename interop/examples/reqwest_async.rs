//! Using the crate with an async client, `reqwest` 0.13 on tokio: build → `into_http()` →
//! `reqwest::Request::try_from` → send → feed the status, headers and body back to the parser.
//! The crate does no I/O, so nothing here is specific to async.
//!
//! This example never contacts WeChat Pay: it starts a local stand-in (the crate's simulator,
//! TEST ONLY keys) on 127.0.0.1 and points the requests there. In production, send
//! `request.into_http()` unchanged (see `send`).
//!
//! Run: `cargo run -p wechatpay-sansio-interop --example reqwest_async`

mod support;

use std::time::Duration;
use wechatpay_sansio::api::Operation;
use wechatpay_sansio::api::nameauth::NameAuthRequest;
use wechatpay_sansio::api::pre_entrust::PreEntrustSignRequest;
use wechatpay_sansio::os::{self, OsRng};
use wechatpay_sansio::request::Request;
use wechatpay_sansio::secret::Personal;
use wechatpay_sansio::simulator::Simulator;

/// Replies of these APIs are a few hundred bytes; refuse anything absurd.
const MAX_REPLY: usize = 1 << 20;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Send a built request. `loopback`: the local stand-in's base URL (this example); in
/// production pass `None` and the request goes to the URL it was built for.
///
/// Requests with `requires_client_certificate()` (querymchrisk, getpublickey) need a client
/// built with the merchant's API certificate and key (`ClientBuilder::identity`).
async fn send(
    client: &reqwest::Client,
    loopback: Option<&str>,
    request: Request,
) -> Result<support::Reply, BoxError> {
    let mut http_req = request.into_http();
    if let Some(base) = loopback {
        http_req = support::to_loopback(http_req, base, false)?;
    }
    let mut resp = client
        .execute(reqwest::Request::try_from(http_req)?)
        .await?;
    let (status, headers) = (resp.status(), resp.headers().clone());
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > MAX_REPLY {
            return Err("reply too large".into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(support::Reply {
        status,
        headers,
        body,
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    // reqwest is built with `rustls-no-provider`: pick rustls' ring provider (no aws-lc, no
    // OpenSSL). Ignore the error if a provider is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let now = os::now();
    let config = support::Config {
        now,
        ..Default::default()
    };
    // The stand-in runs on its own thread; it answers two requests, then stops.
    let server = support::Loopback::start(config, 2, Duration::from_secs(30))?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy() // only for the loopback stand-in; keep your proxy settings in production
        .build()?;
    // TEST ONLY keys matching the simulator, including the `nameautheasy` `src` and key. In
    // production: `Merchant::new(mchid)?` with your keys (see the `merchant` module).
    let merchant = Simulator::new().merchant();
    let mut rng = OsRng;

    // Legacy nameautheasy: a GET with its own MD5 key (from the merchant context); unsigned JSON
    // reply.
    let req = NameAuthRequest::new(
        "wx2421b1c4370ec43b",
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        Personal::new("张三"),
        Personal::new("11010519491231002X"),
    );
    let built = req.build(&merchant, &mut rng, now)?;
    let reply = send(&client, Some(&server.base), built).await?;
    let outcome = req.parse_reply(&merchant, reply.as_ref(), os::now())?;
    println!("nameautheasy: letter {:?}", outcome.status.letter());

    // v3 pre-entrust sign: fields encrypted with the WeChat Pay key the merchant's store holds at
    // `now`; signed JSON reply.
    let req = PreEntrustSignRequest::mini_program(
        "wx2421b1c4370ec43b",
        "100000",
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        Personal::new("张三"),
        Personal::new("11010519491231002X"),
    );
    let built = req.build(&merchant, &mut rng, now)?;
    let reply = send(&client, Some(&server.base), built).await?;
    // Verify with the clock at the time of receipt.
    let outcome = req.parse_reply(&merchant, reply.as_ref(), os::now())?;
    println!(
        "pre-entrust sign: pre_entrustweb_id {}",
        outcome.pre_entrustweb_id
    );

    server.finish();
    Ok(())
}
