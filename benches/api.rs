//! End to end per API: build the signed request and parse the reply (checks included). The
//! replies are produced once by the offline simulator, outside the timed loop.
//!
//! `cargo bench --bench api -- --warm-up-time 1 --measurement-time 3`
//! Every key and value here is TEST ONLY. `api::customs` and `api::pre_entrust` are not in this
//! tree yet (see BENCHMARKS.md).

use criterion::{Criterion, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::hint::black_box;
use wechatpay_sansio::api::nameauth::{NameAuthKey, NameAuthRequest};
use wechatpay_sansio::api::oauth::AccessToken;
use wechatpay_sansio::api::querymchrisk::QueryMchRiskRequest;
use wechatpay_sansio::api::realnameauth::{CredType, RealNameAuthRequest, Version};
use wechatpay_sansio::crypto::BACKEND;
use wechatpay_sansio::ids::Nonce;
use wechatpay_sansio::keys::PublicKey;
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::secret::Personal;
use wechatpay_sansio::simulator::v2::{TEST_NAMEAUTH_KEY, TEST_NAMEAUTH_SRC, V2Script};
use wechatpay_sansio::simulator::{Simulator, TestMerchant};
use wechatpay_sansio::v2::SignType;

const APPID: &str = "wx2421b1c4370ec43b";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
const ID: &str = "11010519491231002X";

fn apis(c: &mut Criterion) {
    let (sim, m) = (Simulator::new(), TestMerchant::new());
    let script = V2Script::default();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let mut g = c.benchmark_group(format!("api_build_and_parse/{BACKEND}"));

    for st in [SignType::Md5, SignType::HmacSha256] {
        let req = RealNameAuthRequest {
            version: Version::V1_1,
            mch_id: m.mchid.clone(),
            appid: APPID.into(),
            openid: OPENID.into(),
            real_name: Personal::new("刘某某"),
            cred_type: CredType::IdCard,
            cred_id: Personal::new(ID),
            nonce_str: Nonce::new("5K8264ILTKCH16CQ2502SI8ZNMTM67VS").unwrap(),
            access_token: AccessToken::new("81_TESTONLYaccessToken"),
            sign_type: st,
        };
        let http = req.build(&m.api_v2_key).unwrap().into_http();
        let reply = sim.handle_v2(&http, 0, &mut rng, &script).unwrap();
        req.parse_reply(ResponseRef::from_http(&reply), &m.api_v2_key)
            .unwrap();
        g.bench_function(format!("realnameauth_{st}"), |b| {
            b.iter(|| {
                let r = req.build(black_box(&m.api_v2_key)).unwrap();
                black_box(r);
                req.parse_reply(ResponseRef::from_http(black_box(&reply)), &m.api_v2_key)
                    .unwrap()
            })
        });
    }

    let key = NameAuthKey::new(TEST_NAMEAUTH_KEY).unwrap();
    let req = NameAuthRequest::new(
        APPID,
        OPENID,
        TEST_NAMEAUTH_SRC,
        Personal::new("刘某某"),
        Personal::new(ID),
    );
    let http = req.build(&key).unwrap().into_http();
    let reply = sim.handle_v2(&http, 0, &mut rng, &script).unwrap();
    req.parse_reply(ResponseRef::from_http(&reply)).unwrap();
    g.bench_function("nameauth", |b| {
        b.iter(|| {
            black_box(req.build(black_box(&key)).unwrap());
            req.parse_reply(ResponseRef::from_http(black_box(&reply)))
                .unwrap()
        })
    });

    // querymchrisk: two OAEP-encrypted personal fields + HMAC-SHA256 sign.
    let risk_key = PublicKey::from_pem(sim.risk_public_key_pkcs1_pem()).unwrap();
    let mut req = QueryMchRiskRequest::new(
        m.mchid.clone(),
        Nonce::new("5K8264ILTKCH16CQ2502SI8ZNMTM67VS").unwrap(),
    );
    req.certificates_number = Some(Personal::new(ID));
    req.settlement_card_no = Some(Personal::new("6222020200112233445"));
    let http = req
        .build(&m.api_v2_key, &risk_key, &mut rng)
        .unwrap()
        .into_http();
    let reply = sim.handle_v2(&http, 0, &mut rng, &script).unwrap();
    req.parse_reply(ResponseRef::from_http(&reply)).unwrap();
    g.bench_function("querymchrisk_2_encrypted_fields", |b| {
        b.iter(|| {
            black_box(req.build(&m.api_v2_key, &risk_key, &mut rng).unwrap());
            req.parse_reply(ResponseRef::from_http(black_box(&reply)))
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, apis);
criterion_main!(benches);
