//! Full round trips over real HTTP on 127.0.0.1: every API is built with the crate, sent with
//! `ureq` through `Request::into_http`, answered by the simulator behind a `tiny_http` server
//! (some replies chunked, header names in WeChat Pay's Title-Case), and the reply is fed back as a
//! `ResponseRef` into the typed parser.
//!
//! Nothing is sent anywhere but the local server: the URL is rewritten to `http://127.0.0.1:PORT`,
//! the agent ignores proxy settings and follows no redirects. The server answers a bounded number
//! of requests and stops by itself; every wait has a timeout.
#![cfg(feature = "simulator")]

#[path = "../examples/support/mod.rs"]
mod support;

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use rand_core::SeedableRng;
use std::time::Duration;
use support::{CLIENT_CERTIFICATE, Config, Loopback, ORIGINAL_HOST, Served};
use wechatpay_sansio::api::customs::{self, CheckResult, Customs, VerifyCertificateRequest};
use wechatpay_sansio::api::getpublickey::{GetPublicKeyError, GetPublicKeyRequest};
use wechatpay_sansio::api::nameauth::{NameAuthKey, NameAuthRequest, NameAuthStatus};
use wechatpay_sansio::api::oauth::{GetAccessTokenRequest, Scope};
use wechatpay_sansio::api::pre_entrust::PreEntrustSignRequest;
use wechatpay_sansio::api::querymchrisk::{QueryMchRiskError, QueryMchRiskRequest, RiskLevel};
use wechatpay_sansio::api::realnameauth::{CredType, RealNameAuthRequest, Version};
use wechatpay_sansio::api::v3_common::{ErrorCode, V3ApiError};
use wechatpay_sansio::ids::Nonce;
use wechatpay_sansio::request::{Request, ResponseRef};
use wechatpay_sansio::secret::Personal;
use wechatpay_sansio::simulator::v2::{RiskScript, TEST_NAMEAUTH_KEY, TEST_NAMEAUTH_SRC, V2Script};
use wechatpay_sansio::simulator::v3::{CustomsScript, ScriptedError, V3Script};
use wechatpay_sansio::simulator::{Simulator, TestMerchant};
use wechatpay_sansio::v2::SignType;
use wechatpay_sansio::v2::reply::ReplyError;
use wechatpay_sansio::v3::verify::{VerifyError, VerifyOptions};

const NOW: u64 = 1_700_000_000;
const APPID: &str = "wx2421b1c4370ec43b";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
const ID: &str = "11010519491231002X";
const LIMIT: u64 = 1 << 20;

/// A reply as the client received it.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn as_ref(&self) -> ResponseRef<'_> {
        ResponseRef::new(self.status, &self.headers, &self.body)
    }

    fn chunked(&self) -> bool {
        self.headers
            .get(http::header::TRANSFER_ENCODING)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"chunked"))
    }
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
    let mut http_req = req.into_http();
    let host = http_req.uri().authority().unwrap().to_string();
    let path_and_query = http_req.uri().path_and_query().unwrap().to_string();
    *http_req.uri_mut() = format!("{base}{path_and_query}").parse().unwrap();
    assert_eq!(http_req.uri().host(), Some("127.0.0.1"));
    let headers = http_req.headers_mut();
    headers.insert(ORIGINAL_HOST, HeaderValue::from_str(&host).unwrap());
    if client_cert {
        headers.insert(CLIENT_CERTIFICATE, HeaderValue::from_static("presented"));
    }
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

fn rng() -> rand_chacha::ChaCha20Rng {
    rand_chacha::ChaCha20Rng::seed_from_u64(2024)
}

#[test]
fn every_api_round_trips_over_http() {
    let config = Config {
        v2: V2Script {
            querymchrisk: RiskScript::level("FORBIDDEN", "禁入"),
            ..V2Script::default()
        },
        v3: V3Script::default(),
        now: NOW,
        chunked_paths: vec!["/v3/", "/secsvc/", "/risk/"],
    };
    let server = Loopback::start(config, 7, Duration::from_secs(60)).unwrap();
    let agent = agent();
    let m = TestMerchant::new();
    let sim = Simulator::new();
    let mut rng = rng();
    let mut nonce_rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    let mut nonce = move || Nonce::generate(&mut nonce_rng).unwrap();

    // 1. risk/getpublickey (mutual TLS; unsigned reply).
    let req = GetPublicKeyRequest {
        mch_id: m.mchid.clone(),
        nonce_str: nonce(),
        sign_type: SignType::HmacSha256,
    };
    let reply = send(&agent, &server.base, req.build(&m.api_v2_key).unwrap());
    assert!(reply.chunked());
    let risk_key = req.parse_reply(reply.as_ref()).unwrap();
    assert_eq!(risk_key.mch_id, m.mchid.as_str());

    // 2. mchrisk/querymchrisk, fields encrypted under the key just fetched.
    let mut req = QueryMchRiskRequest::new(m.mchid.clone(), nonce());
    req.certificates_number = Some(Personal::new(ID));
    req.certificates_name = Some(Personal::new("张三"));
    req.company_name = Some("XXXXX有限公司".into());
    let reply = send(
        &agent,
        &server.base,
        req.build(&m.api_v2_key, &risk_key.key, &mut rng).unwrap(),
    );
    assert!(!reply.chunked());
    assert!(reply.headers.get(http::header::CONTENT_LENGTH).is_some());
    let risk = req.parse_reply(reply.as_ref()).unwrap();
    assert_eq!(risk.risk_level, RiskLevel::Forbidden);
    assert_eq!(risk.risk_level_desc, "禁入");

    // 3. appauth/getaccesstoken (signed GET; JSON reply).
    let req = GetAccessTokenRequest {
        mch_id: m.mchid.clone(),
        appid: APPID.into(),
        openid: OPENID.into(),
        code: "TESTONLYcode".into(),
        scope: Scope::PayRealname,
    };
    let reply = send(&agent, &server.base, req.build(&m.api_v2_key).unwrap());
    let grant = req.parse_reply(reply.as_ref()).unwrap();
    assert_eq!(grant.access_token_expire_in, 300);

    // 4. secsvc/realnameauth with that token (signed reply, chunked).
    let req = RealNameAuthRequest {
        version: Version::V1_1,
        mch_id: m.mchid.clone(),
        appid: APPID.into(),
        openid: OPENID.into(),
        real_name: Personal::new("刘某某"),
        cred_type: CredType::IdCard,
        cred_id: Personal::new(ID),
        nonce_str: nonce(),
        access_token: grant.access_token,
        sign_type: SignType::HmacSha256,
    };
    let reply = send(&agent, &server.base, req.build(&m.api_v2_key).unwrap());
    assert!(reply.chunked());
    let out = req.parse_reply(reply.as_ref(), &m.api_v2_key).unwrap();
    assert!(out.is_match());

    // 5. cgi-bin/nameauth/nameautheasy (GET, percent-encoded UTF-8 name in the query).
    let req = NameAuthRequest::new(
        APPID,
        OPENID,
        TEST_NAMEAUTH_SRC,
        Personal::new("张三"),
        Personal::new(ID),
    );
    let key = NameAuthKey::new(TEST_NAMEAUTH_KEY).unwrap();
    let reply = send(&agent, &server.base, req.build(&key).unwrap());
    assert_eq!(
        req.parse_reply(reply.as_ref()).unwrap().status,
        NameAuthStatus::Verified
    );

    // 6. v3 customs verify-certificate on the apihk host (signed reply, chunked).
    let platform = m
        .store
        .get_by_header(sim.platform_serial().as_str())
        .unwrap();
    let req = VerifyCertificateRequest {
        appid: "wxd678efh567hg6787".into(),
        out_trade_no: "20150806125346".into(),
        transaction_id: "1000320306201511078440737890".into(),
        sub_order_no: None,
        customs: Customs::ShanghaiZs,
        merchant_customs_no: "123456".into(),
        certificate_id: Personal::new(ID),
        certificate_name: Personal::new("张三"),
    };
    let built = req
        .build(&m.signer, platform, &mut rng, NOW, &nonce())
        .unwrap();
    assert_eq!(built.uri().host(), Some("apihk.mch.weixin.qq.com"));
    let reply = send(&agent, &server.base, built);
    assert!(reply.chunked());
    // The server wrote `Wechatpay-Signature`; the map finds it under any case.
    assert!(reply.headers.contains_key("wechatpay-signature"));
    let out = req
        .parse_reply(
            &m.mchid,
            reply.as_ref(),
            &m.store,
            NOW,
            &VerifyOptions::default(),
        )
        .unwrap();
    assert_eq!(out.certificate_check_result, CheckResult::Same);
    // The same bytes an hour later are refused: the reply timestamp is checked.
    assert!(matches!(
        req.parse_reply(
            &m.mchid,
            reply.as_ref(),
            &m.store,
            NOW + 3600,
            &VerifyOptions::default()
        ),
        Err(V3ApiError::Verify(VerifyError::StaleTimestamp { .. }))
    ));

    // 7. v3 pre-entrust sign, app scene.
    let req = PreEntrustSignRequest::app(APPID, "100000", Personal::new("张三"), Personal::new(ID));
    let built = req
        .build(&m.signer, platform, &mut rng, NOW, &nonce())
        .unwrap();
    let reply = send(&agent, &server.base, built);
    let out = req
        .parse_reply(reply.as_ref(), &m.store, NOW, &VerifyOptions::default())
        .unwrap();
    assert_eq!(out.pre_entrustweb_id, "1121_9f3c4d1a2b3c4d5e6f_12bf");

    let served = server.finish();
    assert_eq!(served.len(), 7, "{served:?}");
    assert!(served.iter().all(|s| s.status == 200), "{served:?}");
    assert_eq!(served.iter().filter(|s| s.chunked).count(), 4, "{served:?}");
}

#[test]
fn failures_survive_the_wire() {
    let config = Config {
        v3: V3Script {
            customs: CustomsScript::Error(ScriptedError::new(429, "FREQUENCY_LIMITED", "频率超限")),
            ..V3Script::default()
        },
        now: NOW,
        chunked_paths: vec!["/v3/"],
        ..Config::default()
    };
    let server = Loopback::start(config, 4, Duration::from_secs(60)).unwrap();
    let agent = agent();
    let m = TestMerchant::new();
    let mut rng = rng();

    // querymchrisk without the client certificate: a return_code FAIL reply.
    let risk_key =
        wechatpay_sansio::keys::PublicKey::from_pem(Simulator::new().risk_public_key_pkcs1_pem())
            .unwrap();
    let mut req = QueryMchRiskRequest::new(m.mchid.clone(), Nonce::generate(&mut rng).unwrap());
    req.company_name = Some("X".into());
    let mut built = req
        .build(&m.api_v2_key, &risk_key, &mut rng)
        .unwrap()
        .into_http();
    let host = built.uri().authority().unwrap().to_string();
    *built.uri_mut() = format!("{}{}", server.base, built.uri().path())
        .parse()
        .unwrap();
    built
        .headers_mut()
        .insert(ORIGINAL_HOST, HeaderValue::from_str(&host).unwrap());
    let mut resp = agent.run(built).unwrap();
    let body = resp.body_mut().read_to_vec().unwrap();
    let headers = resp.headers().clone();
    let err = req
        .parse_reply(ResponseRef::new(resp.status(), &headers, &body))
        .unwrap_err();
    assert!(
        matches!(&err, QueryMchRiskError::Reply(ReplyError::ReturnFail { return_msg: Some(m), .. }) if m.contains("双向证书")),
        "{err:?}"
    );

    // A v3 error status with a chunked JSON body: typed code, retryable.
    let platform = m
        .store
        .get_by_header(Simulator::new().platform_serial().as_str())
        .unwrap()
        .clone();
    let customs_req = || VerifyCertificateRequest {
        appid: "wxd678efh567hg6787".into(),
        out_trade_no: "20150806125346".into(),
        transaction_id: "1000320306201511078440737890".into(),
        sub_order_no: None,
        customs: Customs::ShanghaiZs,
        merchant_customs_no: "123456".into(),
        certificate_id: Personal::new(ID),
        certificate_name: Personal::new("张三"),
    };
    let nonce = Nonce::generate(&mut rng).unwrap();
    let built = customs_req()
        .build(&m.signer, &platform, &mut rng, NOW, &nonce)
        .unwrap();
    let reply = send(&agent, &server.base, built);
    assert_eq!(reply.status, 429);
    assert!(reply.chunked());
    match customs::parse_reply(reply.as_ref(), &m.store, NOW, &VerifyOptions::default()) {
        Err(V3ApiError::Api(f)) => {
            assert_eq!(f.code, ErrorCode::FrequencyLimited);
            assert!(f.code.is_retryable());
        }
        other => panic!("{other:?}"),
    }

    // A request signed an hour before the server's clock: 401 SIGN_ERROR, typed.
    let nonce = Nonce::generate(&mut rng).unwrap();
    let built = customs_req()
        .build(&m.signer, &platform, &mut rng, NOW - 3600, &nonce)
        .unwrap();
    let reply = send(&agent, &server.base, built);
    match customs::parse_reply(reply.as_ref(), &m.store, NOW, &VerifyOptions::default()) {
        Err(V3ApiError::Api(f)) => assert_eq!((f.status, f.code), (401, ErrorCode::SignError)),
        other => panic!("{other:?}"),
    }

    // Without the original host the server cannot route: 404, and the parser says so.
    let req = GetPublicKeyRequest {
        mch_id: m.mchid.clone(),
        nonce_str: Nonce::generate(&mut rng).unwrap(),
        sign_type: SignType::Md5,
    };
    let mut built = req.build(&m.api_v2_key).unwrap().into_http();
    *built.uri_mut() = format!("{}{}", server.base, built.uri().path())
        .parse()
        .unwrap();
    let mut resp = agent.run(built).unwrap();
    let body = resp.body_mut().read_to_vec().unwrap();
    let headers = resp.headers().clone();
    assert_eq!(resp.status(), 404);
    assert!(matches!(
        req.parse_reply(ResponseRef::new(resp.status(), &headers, &body)),
        Err(GetPublicKeyError::HttpStatus(404))
    ));

    let served: Vec<Served> = server.finish();
    assert_eq!(
        served.iter().map(|s| s.status).collect::<Vec<_>>(),
        [200, 429, 401, 404]
    );
}
