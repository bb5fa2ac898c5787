//! What the tests of the v2 identity APIs share (`realnameauth`, its OAuth steps, `nameautheasy`,
//! `querymchrisk`, `getpublickey`), and the tests that span all five: the simulator's v2 routing
//! and the robustness properties. Every key here is TEST ONLY.

use super::nameauth::na_req;
use super::oauth::token_req;
use super::querymchrisk::{gpk_req, risk_req};
use super::realnameauth::rna;
use crate::common::*;
use http::StatusCode;
use wechatpay_sansio::api::{
    ApiError, Operation, Retcode, getpublickey, nameauth, oauth, querymchrisk, realnameauth,
};
use wechatpay_sansio::error::FieldError;
use wechatpay_sansio::merchant::Merchant;
use wechatpay_sansio::secret::ApiV2Key;
use wechatpay_sansio::simulator::{Script, TEST_API_V2_KEY};
use wechatpay_sansio::v2::reply::{ErrCode, ReplyError};
use wechatpay_sansio::v2::{self as wire, SignType};

pub const APPID: &str = "wx2421b1c4370ec43b";
pub const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
/// A valid GB 11643-1999 number ending in X.
pub const ID: &str = "11010519491231002X";
/// The v2 docs' example key (not a real merchant's).
pub const DOC_KEY: &str = "192006250b4c09247ec02edce69f6a2d";
/// A merchant id the simulator does not serve.
pub const OTHER_MCHID: &str = "1900000110";

pub fn wrong_key() -> ApiV2Key {
    ApiV2Key::new("TESTONLYwrongApiV2Key00000000001").unwrap()
}

/// The simulator's merchant, signing with the wrong APIv2 key.
pub fn wrong_key_merchant() -> Merchant {
    merchant().with_api_v2_key(wrong_key())
}

/// Another merchant id with the simulator's APIv2 key and risk key (the old API's "request with
/// another `mch_id`": the id now comes from the merchant context).
pub fn other_merchant() -> Merchant {
    let m = merchant();
    Merchant::new(OTHER_MCHID)
        .unwrap()
        .with_api_v2_key(ApiV2Key::new(TEST_API_V2_KEY).unwrap())
        .with_risk_key(m.risk_key().unwrap().clone())
}

/// The documents' example merchant: `1900000109` with the docs' example key.
pub fn doc_merchant() -> Merchant {
    Merchant::new("1900000109")
        .unwrap()
        .with_api_v2_key(ApiV2Key::new(DOC_KEY).unwrap())
}

pub fn charset(field: &'static str, allowed: &'static str) -> FieldError {
    FieldError::Charset { field, allowed }
}

/// `return_code=FAIL` with `return_msg`, as a typed API reports it.
pub fn return_fail(return_msg: &str) -> ApiError {
    ApiError::V2Reply(ReplyError::ReturnFail {
        return_code: "FAIL".into(),
        return_msg: Some(return_msg.into()),
    })
}

/// `result_code=FAIL` with this code and description.
pub fn business(err_code: ErrCode, err_code_des: &str) -> ApiError {
    ApiError::V2Reply(ReplyError::BusinessFail {
        err_code: Some(err_code),
        err_code_des: Some(err_code_des.into()),
    })
}

/// A business failure with no code, its reason in `return_msg` (querymchrisk).
pub fn business_reason(reason: &str) -> ApiError {
    ApiError::V2Reply(ReplyError::BusinessFail {
        err_code: None,
        err_code_des: Some(reason.into()),
    })
}

/// An RNG whose every fill starts with the bytes that make `Nonce::generate` draw `nonce`
/// (base62 indices), then bytes the generator rejects: a document's fixed `nonce_str` through an
/// API that draws its nonces from the RNG. Not random at all: for known-answer tests only.
pub struct NonceRng(pub &'static str);

impl NonceRng {
    const BASE62: &'static str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    fn byte(&self, i: usize) -> u8 {
        self.0
            .as_bytes()
            .get(i)
            .and_then(|&c| Self::BASE62.bytes().position(|b| b == c))
            .map_or(0xFF, |p| u8::try_from(p).unwrap())
    }
}

impl rand_core::TryRng for NonceRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(0x5A5A_5A5A)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(0x5A5A_5A5A_5A5A_5A5A)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for (i, d) in dst.iter_mut().enumerate() {
            *d = self.byte(i);
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for NonceRng {}

// ---------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------

#[test]
fn handle_v2_routing() {
    let (sim, m) = (sim(), merchant());
    let mut rng = rng(10);
    let script = Script::default();
    let get = |url: &str| http::Request::get(url).body(Vec::new()).unwrap();
    let micropay = get("https://api.mch.weixin.qq.com/pay/micropay");
    assert!(sim.handle_v2(&micropay, NOW, &mut rng, &script).is_none());
    // The combined router answers other paths with an empty 404.
    let r = sim.handle(&micropay, NOW, &mut rng, &script);
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.body().is_empty());
    // realnameauth lives on the fraud host only.
    let r = sim
        .handle_v2(
            &get("https://api.mch.weixin.qq.com/secsvc/realnameauth"),
            NOW,
            &mut rng,
            &script,
        )
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let req = rna(SignType::Md5);
    assert_eq!(
        req.parse_reply(&m, resp(&r), NOW).unwrap_err(),
        ApiError::HttpStatus(404)
    );
    // Wrong methods.
    for url in [
        realnameauth::ENDPOINT.url().as_str(),
        querymchrisk::ENDPOINT.url().as_str(),
        getpublickey::ENDPOINT.url().as_str(),
    ] {
        let r = sim.handle_v2(&get(url), NOW, &mut rng, &script).unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "{url}");
    }
    for url in [
        nameauth::ENDPOINT.url().as_str(),
        oauth::ENDPOINT.url().as_str(),
    ] {
        let post = http::Request::post(url).body(Vec::new()).unwrap();
        let r = sim.handle_v2(&post, NOW, &mut rng, &script).unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "{url}");
    }
    // Malformed bodies and missing fields get FAIL replies.
    let post = |url: &str, body: &[u8]| http::Request::post(url).body(body.to_vec()).unwrap();
    let r = sim
        .handle_v2(
            &post(realnameauth::ENDPOINT.url().as_str(), b"<xml>"),
            NOW,
            &mut rng,
            &script,
        )
        .unwrap();
    assert!(body_str(&r).contains("XML格式错误"));
    let partial = wire::request::post_xml(
        realnameauth::ENDPOINT.url().as_str(),
        &[
            ("mch_id", m.mchid().as_str()),
            ("nonce_str", "n"),
            ("sign_type", "MD5"),
        ],
        m.api_v2_key().unwrap(),
        SignType::Md5,
        false,
    )
    .unwrap();
    let r = send(&sim, partial, &script);
    assert!(body_str(&r).contains("缺少参数version"));
    let r = sim
        .handle_v2(
            &get(&format!("{}?mch_id=1", oauth::ENDPOINT.url().as_str())),
            NOW,
            &mut rng,
            &script,
        )
        .unwrap();
    assert_eq!(
        token_req().parse_reply(&m, resp(&r), NOW).unwrap_err(),
        ApiError::OAuth {
            retcode: Retcode::Failed,
            retmsg: "缺少参数appid".into()
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Robustness: nothing from the network panics
// ---------------------------------------------------------------------------------------------

mod robustness {
    use super::*;
    use proptest::prelude::*;
    use wechatpay_sansio::api::nameauth::NameAuthStatus;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn parsers_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512),
                               status in 100u16..600) {
            let m = merchant();
            let r = raw(status, &body);
            let _ = rna(SignType::HmacSha256).parse_reply(&m, resp(&r), NOW);
            let _ = realnameauth::read_reply(&m, resp(&r), NOW);
            let _ = token_req().parse_reply(&m, resp(&r), NOW);
            let _ = na_req().parse_reply(&m, resp(&r), NOW);
            let _ = risk_req().parse_reply(&m, resp(&r), NOW);
            let _ = querymchrisk::read_reply(&m, resp(&r), NOW);
            let _ = gpk_req(SignType::Md5).parse_reply(&m, resp(&r), NOW);
        }

        #[test]
        fn jsonp_wrapped_text_parses_or_errors(callback in "[A-Za-z_$][A-Za-z0-9_$.]{0,20}",
                                               code in any::<i64>(),
                                               status in "[0-9]{0,2}",
                                               notmatch in "[0-9|%C]{0,6}") {
            let body = format!(
                "{callback}({{\"error_code\":{code},\"nameauth_status\":\"{status}\",\"notmatch_param\":\"{notmatch}\"}});"
            );
            let got = na_req().parse_reply(&merchant(), resp(&raw(200, body.as_bytes())), NOW);
            let expected = NameAuthStatus::from_reply(code, &status, &notmatch)
                .map_err(ApiError::NameAuth);
            prop_assert_eq!(got.map(|o| o.status), expected);
        }

        #[test]
        fn simulator_handlers_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512),
                                          query in "[a-z_=&%0-9A-F]{0,64}") {
            let sim = sim();
            let mut rng = rng(1);
            let script = Script::default();
            for url in [realnameauth::ENDPOINT.url().as_str(), querymchrisk::ENDPOINT.url().as_str(), getpublickey::ENDPOINT.url().as_str()] {
                let mut req = http::Request::post(url).body(body.clone()).unwrap();
                req.extensions_mut().insert(wechatpay_sansio::request::ClientCertificateRequired);
                prop_assert!(sim.handle_v2(&req, NOW, &mut rng, &script).is_some());
            }
            for url in [nameauth::ENDPOINT.url().as_str(), oauth::ENDPOINT.url().as_str()] {
                let req = http::Request::get(format!("{url}?{query}")).body(Vec::new()).unwrap();
                prop_assert!(sim.handle_v2(&req, NOW, &mut rng, &script).is_some());
            }
        }
    }
}
