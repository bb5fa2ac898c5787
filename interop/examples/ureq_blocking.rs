//! Using the crate with a blocking client, `ureq` 3: build → `into_http()` → send → feed the
//! status, headers and body back to the typed parser.
//!
//! This example never contacts WeChat Pay: it starts a local stand-in (the crate's simulator,
//! TEST ONLY keys) on 127.0.0.1 and points the requests there. In production, send
//! `request.into_http()` unchanged (see `send`).
//!
//! Run: `cargo run -p wechatpay-sansio-interop --example ureq_blocking`

mod support;

use std::time::Duration;
use wechatpay_sansio::api::Operation;
use wechatpay_sansio::api::customs::{Customs, VerifyCertificateRequest};
use wechatpay_sansio::api::realnameauth::{CredType, RealNameAuthRequest, Version};
use wechatpay_sansio::os::{self, OsRng};
use wechatpay_sansio::request::Request;
use wechatpay_sansio::secret::{AccessToken, Personal};
use wechatpay_sansio::simulator::Simulator;

/// Replies of these APIs are a few hundred bytes; refuse anything absurd.
const MAX_REPLY: u64 = 1 << 20;

/// Send a built request. `loopback`: the local stand-in's base URL (this example); in
/// production pass `None` and the request goes to the URL it was built for.
///
/// Requests with `requires_client_certificate()` (querymchrisk, getpublickey) need an agent
/// whose TLS config carries the merchant's API certificate and key
/// (`ureq::tls::TlsConfig::builder().client_cert(…)`).
fn send(
    agent: &ureq::Agent,
    loopback: Option<&str>,
    request: Request,
) -> Result<support::Reply, Box<dyn std::error::Error>> {
    let mut http_req = request.into_http();
    if let Some(base) = loopback {
        http_req = support::to_loopback(http_req, base, false).map_err(|e| e.to_string())?;
    }
    let mut resp = agent.run(http_req)?;
    let body = resp
        .body_mut()
        .with_config()
        .limit(MAX_REPLY)
        .read_to_vec()?;
    Ok(support::Reply {
        status: resp.status(),
        headers: resp.headers().clone(),
        body,
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now = os::now();
    let config = support::Config {
        now,
        ..Default::default()
    };
    let server = support::Loopback::start(config, 2, Duration::from_secs(30))?;
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false) // 4xx/5xx replies are parsed, not transport errors
            .timeout_global(Some(Duration::from_secs(10)))
            .max_redirects(0)
            .proxy(None) // only for the loopback stand-in; keep your proxy settings in production
            .build(),
    );
    // TEST ONLY keys matching the simulator. In production: `Merchant::new(mchid)?` with your
    // keys (see the `merchant` module).
    let merchant = Simulator::new().merchant();
    let mut rng = OsRng;

    // v2: realnameauth (signed XML POST; the reply is signed with the request's sign type).
    let mut req = RealNameAuthRequest::new(
        "wx2421b1c4370ec43b",
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        Personal::new("张三"),
        CredType::IdCard,
        Personal::new("11010519491231002X"),
        AccessToken::new("81_TESTONLYaccessToken"), // from api::oauth
    );
    req.version = Version::V1_1;
    let reply = send(
        &agent,
        Some(&server.base),
        req.build(&merchant, &mut rng, os::now())?,
    )?;
    let outcome = req.parse_reply(&merchant, reply.as_ref(), os::now())?;
    println!("realnameauth: match = {}", outcome.is_match());

    // v3: customs verify-certificate (JSON, Authorization header, fields encrypted under the
    // platform certificate in the merchant's key store, signed reply).
    let req = VerifyCertificateRequest::new(
        "wxd678efh567hg6787",
        "20150806125346",
        "1000320306201511078440737890",
        Customs::ShanghaiZs,
        "123456",
        Personal::new("11010519491231002X"),
        Personal::new("张三"),
    );
    let built = req.build(&merchant, &mut rng, now)?;
    let reply = send(&agent, Some(&server.base), built)?;
    // Verify with the clock at the time of receipt.
    let outcome = req.parse_reply(&merchant, reply.as_ref(), os::now())?;
    println!(
        "customs verify-certificate: {}",
        outcome.certificate_check_result
    );

    server.finish();
    Ok(())
}
