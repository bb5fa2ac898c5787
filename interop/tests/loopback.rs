//! Full round trips over real HTTP on 127.0.0.1: every API is built with the crate, sent with
//! `ureq` through `Request::into_http`, answered by the simulator behind a `tiny_http` server
//! (some replies chunked, header names in WeChat Pay's Title-Case), and the reply is fed back as a
//! `ResponseRef` into the typed parser.
//!
//! Nothing is sent anywhere but the local server: the URL is rewritten to `http://127.0.0.1:PORT`,
//! the agent ignores proxy settings and follows no redirects. The server answers a bounded number
//! of requests and stops by itself; every wait has a timeout.

#[path = "../examples/support/mod.rs"]
mod support;

use rand_chacha::ChaCha20Rng;
use std::time::Duration;
use support::{Config, Loopback, Reply, Served};
use wechatpay_sansio::api::customs::{self, CheckResult, Customs, VerifyCertificateRequest};
use wechatpay_sansio::api::getpublickey::GetPublicKeyRequest;
use wechatpay_sansio::api::nameauth::{NameAuthRequest, NameAuthStatus};
use wechatpay_sansio::api::oauth::GetAccessTokenRequest;
use wechatpay_sansio::api::pre_entrust::PreEntrustSignRequest;
use wechatpay_sansio::api::querymchrisk::{QueryMchRiskRequest, RiskLevel};
use wechatpay_sansio::api::realnameauth::{CredType, RealNameAuthRequest, Version};
use wechatpay_sansio::api::{ApiError, Failure, Operation};
use wechatpay_sansio::error::Classify;
use wechatpay_sansio::http::{self, HeaderMap, HeaderName, HeaderValue};
use wechatpay_sansio::rand_core::SeedableRng;
use wechatpay_sansio::request::{Request, ResponseRef};
use wechatpay_sansio::secret::Personal;
use wechatpay_sansio::simulator::v2::RiskScript;
use wechatpay_sansio::simulator::v3::{CustomsScript, ScriptedError};
use wechatpay_sansio::simulator::{Script, Simulator};
use wechatpay_sansio::time::UnixTime;
use wechatpay_sansio::v3::header::WECHATPAY_SERIAL;
use wechatpay_sansio::v3::response::{ErrorCode, ResponseError};
use wechatpay_sansio::v3::verify::VerifyError;

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);
const HOUR: Duration = Duration::from_secs(3600);
const APPID: &str = "wx2421b1c4370ec43b";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
const ID: &str = "11010519491231002X";
const LIMIT: u64 = 1 << 20;

/// Whether the server sent the reply chunked.
fn chunked(reply: &Reply) -> bool {
    reply
        .headers
        .get(http::header::TRANSFER_ENCODING)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"chunked"))
}

fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            // Never through a proxy from the environment; never somewhere else by redirect.
            .proxy(None)
            .max_redirects(0)
            // A 4xx/5xx is a reply to parse, not a transport error.
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build(),
    )
}

/// Send `req` to the loopback server instead of its real host, the way a user sends it for real
/// (`into_http` + their client), and collect the reply.
fn send(agent: &ureq::Agent, base: &str, req: Request) -> Reply {
    let client_cert = req.requires_client_certificate();
    let http_req = support::to_loopback(req.into_http(), base, client_cert).unwrap();
    assert_eq!(http_req.uri().host(), Some("127.0.0.1"));
    let mut resp = agent.run(http_req).unwrap();
    // Rebuild the header map from names and values as received: lookups by the crate must not
    // depend on the case the server used (it sends `Wechatpay-Signature`).
    let mut headers = HeaderMap::new();
    for (name, value) in resp.headers() {
        let name = HeaderName::from_bytes(name.as_str().as_bytes()).unwrap();
        headers.append(name, value.clone());
    }
    let body = resp
        .body_mut()
        .with_config()
        .limit(LIMIT)
        .read_to_vec()
        .unwrap();
    Reply {
        status: resp.status(),
        headers,
        body,
    }
}

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(2024)
}

fn customs_req() -> VerifyCertificateRequest {
    VerifyCertificateRequest::new(
        "wxd678efh567hg6787",
        "20150806125346",
        "1000320306201511078440737890",
        Customs::ShanghaiZs,
        "123456",
        Personal::new(ID),
        Personal::new("张三"),
    )
}

#[test]
fn every_api_round_trips_over_http() {
    let config = Config {
        script: Script {
            querymchrisk: RiskScript::level("FORBIDDEN", "禁入"),
            ..Script::default()
        },
        now: NOW,
        chunked_paths: vec!["/v3/", "/secsvc/", "/risk/"],
        simulator: None,
    };
    let server = Loopback::start(config, 7, Duration::from_secs(60)).unwrap();
    let agent = agent();
    let sim = Simulator::new();
    let m = sim.merchant();
    let mut rng = rng();

    // 1. risk/getpublickey (mutual TLS; unsigned reply).
    let req = GetPublicKeyRequest::new();
    let reply = send(&agent, &server.base, req.build(&m, &mut rng, NOW).unwrap());
    assert!(chunked(&reply));
    let risk_key = req.parse_reply(&m, reply.as_ref(), NOW).unwrap();
    assert_eq!(risk_key.mch_id, m.mchid().as_str());

    // 2. mchrisk/querymchrisk, fields encrypted under the key just fetched.
    let with_fetched_key = m.clone().with_risk_key(risk_key.key);
    let mut req = QueryMchRiskRequest::new();
    req.certificates_number = Some(Personal::new(ID));
    req.certificates_name = Some(Personal::new("张三"));
    req.company_name = Some("XXXXX有限公司".into());
    let reply = send(
        &agent,
        &server.base,
        req.build(&with_fetched_key, &mut rng, NOW).unwrap(),
    );
    assert!(!chunked(&reply));
    assert!(reply.headers.get(http::header::CONTENT_LENGTH).is_some());
    let risk = req
        .parse_reply(&with_fetched_key, reply.as_ref(), NOW)
        .unwrap();
    assert_eq!(risk.risk_level, RiskLevel::Forbidden);
    assert_eq!(risk.risk_level_desc, "禁入");

    // 3. appauth/getaccesstoken (signed GET; JSON reply).
    let req = GetAccessTokenRequest::new(APPID, OPENID, "TESTONLYcode");
    let reply = send(&agent, &server.base, req.build(&m, &mut rng, NOW).unwrap());
    let grant = req.parse_reply(&m, reply.as_ref(), NOW).unwrap();
    assert_eq!(grant.access_token_expires_in, Duration::from_secs(300));
    assert_eq!(
        grant.access_token_expires_at,
        NOW + Duration::from_secs(300)
    );

    // 4. secsvc/realnameauth with that token (signed reply, chunked).
    let mut req = RealNameAuthRequest::new(
        APPID,
        OPENID,
        Personal::new("刘某某"),
        CredType::IdCard,
        Personal::new(ID),
        grant.access_token,
    );
    req.version = Version::V1_1;
    let reply = send(&agent, &server.base, req.build(&m, &mut rng, NOW).unwrap());
    assert!(chunked(&reply));
    let out = req.parse_reply(&m, reply.as_ref(), NOW).unwrap();
    assert!(out.is_match());

    // 5. cgi-bin/nameauth/nameautheasy (GET, percent-encoded UTF-8 name in the query; `src` and
    // key from the merchant context).
    let req = NameAuthRequest::new(APPID, OPENID, Personal::new("张三"), Personal::new(ID));
    let reply = send(&agent, &server.base, req.build(&m, &mut rng, NOW).unwrap());
    assert_eq!(
        req.parse_reply(&m, reply.as_ref(), NOW).unwrap().status,
        NameAuthStatus::Verified
    );

    // 6. v3 customs verify-certificate on the apihk host (signed reply, chunked), fields
    // encrypted under the simulator's platform certificate.
    let req = customs_req();
    let built = req.build(&m, &mut rng, NOW).unwrap();
    assert_eq!(built.uri().host(), Some("apihk.mch.weixin.qq.com"));
    assert_eq!(
        built
            .headers()
            .get(&WECHATPAY_SERIAL)
            .map(HeaderValue::as_bytes),
        Some(sim.platform_serial().as_str().as_bytes())
    );
    let reply = send(&agent, &server.base, built);
    assert!(chunked(&reply));
    // The server wrote `Wechatpay-Signature`; the map finds it under any case.
    assert!(reply.headers.contains_key("wechatpay-signature"));
    let out = req.parse_reply(&m, reply.as_ref(), NOW).unwrap();
    assert_eq!(out.certificate_check_result, CheckResult::Same);
    // The same bytes an hour later are refused: the reply timestamp is checked.
    assert!(matches!(
        req.parse_reply(&m, reply.as_ref(), NOW + HOUR),
        Err(ApiError::V3Reply(ResponseError::Verify(
            VerifyError::StaleTimestamp { .. }
        )))
    ));

    // 7. v3 pre-entrust sign, app scene.
    let req = PreEntrustSignRequest::app(APPID, "100000", Personal::new("张三"), Personal::new(ID));
    let built = req.build(&m, &mut rng, NOW).unwrap();
    let reply = send(&agent, &server.base, built);
    let out = req.parse_reply(&m, reply.as_ref(), NOW).unwrap();
    assert_eq!(out.pre_entrustweb_id, "1121_9f3c4d1a2b3c4d5e6f_12bf");

    let served = server.finish();
    assert_eq!(served.len(), 7, "{served:?}");
    assert!(served.iter().all(|s| s.status == 200), "{served:?}");
    assert_eq!(served.iter().filter(|s| s.chunked).count(), 4, "{served:?}");
}

#[test]
fn failures_survive_the_wire() {
    let config = Config {
        script: Script {
            customs: CustomsScript::Error(ScriptedError::new(429, "FREQUENCY_LIMITED", "频率超限")),
            ..Script::default()
        },
        now: NOW,
        chunked_paths: vec!["/v3/"],
        simulator: None,
    };
    let server = Loopback::start(config, 4, Duration::from_secs(60)).unwrap();
    let agent = agent();
    let m = Simulator::new().merchant();
    let mut rng = rng();

    // querymchrisk without the client certificate: a return_code FAIL reply.
    let mut req = QueryMchRiskRequest::new();
    req.company_name = Some("X".into());
    let built = req.build(&m, &mut rng, NOW).unwrap().into_http();
    let built = support::to_loopback(built, &server.base, false).unwrap();
    let mut resp = agent.run(built).unwrap();
    let body = resp.body_mut().read_to_vec().unwrap();
    let headers = resp.headers().clone();
    let err = req
        .parse_reply(&m, ResponseRef::new(resp.status(), &headers, &body), NOW)
        .unwrap_err();
    assert!(
        matches!(err.failure(), Some(Failure::Return { return_msg: Some(msg), .. }) if msg.contains("双向证书")),
        "{err:?}"
    );

    // A v3 error status with a chunked JSON body: typed code, retryable.
    let built = customs_req().build(&m, &mut rng, NOW).unwrap();
    let reply = send(&agent, &server.base, built);
    assert_eq!(reply.status, 429);
    assert!(chunked(&reply));
    match customs::read_reply(&m, reply.as_ref(), NOW) {
        Err(e) => match e.failure() {
            Some(Failure::V3(r)) => {
                assert_eq!(r.code, ErrorCode::FrequencyLimited);
                assert!(e.is_retryable());
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }

    // A request signed an hour before the server's clock: 401 SIGN_ERROR, typed.
    let built = customs_req().build(&m, &mut rng, NOW - HOUR).unwrap();
    let reply = send(&agent, &server.base, built);
    match customs::read_reply(&m, reply.as_ref(), NOW) {
        Err(e) => match e.failure() {
            Some(Failure::V3(r)) => assert_eq!((r.status, &r.code), (401, &ErrorCode::SignError)),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }

    // Without the original host the server cannot route: 404, and the parser says so.
    let mut req = GetPublicKeyRequest::new();
    req.sign_type = wechatpay_sansio::v2::SignType::Md5;
    let mut built = req.build(&m, &mut rng, NOW).unwrap().into_http();
    *built.uri_mut() = format!("{}{}", server.base, built.uri().path())
        .parse()
        .unwrap();
    let mut resp = agent.run(built).unwrap();
    let body = resp.body_mut().read_to_vec().unwrap();
    let headers = resp.headers().clone();
    assert_eq!(resp.status(), 404);
    assert!(matches!(
        req.parse_reply(&m, ResponseRef::new(resp.status(), &headers, &body), NOW),
        Err(ApiError::HttpStatus(404))
    ));

    let served: Vec<Served> = server.finish();
    assert_eq!(
        served.iter().map(|s| s.status).collect::<Vec<_>>(),
        [200, 429, 401, 404]
    );
}
