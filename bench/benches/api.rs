//! End to end per API: build the signed request and parse the reply (checks included). The
//! replies are produced once by the offline simulator, outside the timed loop.
//!
//! `cargo bench --bench api -- --warm-up-time 1 --measurement-time 3`
//! Every key and value here is TEST ONLY.

use criterion::{Criterion, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::hint::black_box;
use wechatpay_sansio::api::customs::{Customs, VerifyCertificateRequest};
use wechatpay_sansio::api::nameauth::{NameAuthKey, NameAuthRequest};
use wechatpay_sansio::api::oauth::AccessToken;
use wechatpay_sansio::api::pre_entrust::PreEntrustSignRequest;
use wechatpay_sansio::api::querymchrisk::QueryMchRiskRequest;
use wechatpay_sansio::api::realnameauth::{CredType, RealNameAuthRequest, Version};
use wechatpay_sansio::crypto::BACKEND;
use wechatpay_sansio::ids::Nonce;
use wechatpay_sansio::keys::PublicKey;
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::secret::Personal;
use wechatpay_sansio::simulator::v2::{TEST_NAMEAUTH_KEY, TEST_NAMEAUTH_SRC, V2Script};
use wechatpay_sansio::simulator::v3::V3Script;
use wechatpay_sansio::simulator::{Simulator, TestMerchant};
use wechatpay_sansio::v2::SignType;
use wechatpay_sansio::v3::verify::VerifyOptions;

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

    // v3: sign + two encryptions on the way out, signature verification on the way back.
    const NOW: u64 = 1_700_000_000;
    let nonce = Nonce::new("A1B2C3D4E5F6G7").unwrap();
    let opts = VerifyOptions::default();
    let v3s = V3Script::default();
    let platform = m.store.get(sim.platform_serial()).unwrap();
    let customs = VerifyCertificateRequest {
        appid: "wxd678efh567hg6787".into(),
        out_trade_no: "20150806125346".into(),
        transaction_id: "1000320306201511078440737890".into(),
        sub_order_no: None,
        customs: Customs::ShanghaiZs,
        merchant_customs_no: "123456".into(),
        certificate_id: Personal::new(ID),
        certificate_name: Personal::new("张三"),
    };
    let http = customs
        .build(&m.signer, platform, &mut rng, NOW, &nonce)
        .unwrap()
        .into_http();
    let reply = sim.handle_v3(&http, NOW, &mut rng, &v3s).unwrap();
    g.bench_function("customs_verify_certificate", |b| {
        b.iter(|| {
            black_box(
                customs
                    .build(&m.signer, platform, &mut rng, NOW, &nonce)
                    .unwrap(),
            );
            customs
                .parse_reply(
                    &m.mchid,
                    ResponseRef::from_http(black_box(&reply)),
                    &m.store,
                    NOW,
                    &opts,
                )
                .unwrap()
        })
    });

    let key = m.store.encryption_key(1_767_225_600).unwrap();
    let pre = PreEntrustSignRequest::mini_program(
        "wxd678efh567h23787",
        "APPLYMENT_00000000001",
        OPENID,
        Personal::new("张三"),
        Personal::new(ID),
    );
    let http = pre
        .build(&m.signer, key, &mut rng, NOW, &nonce)
        .unwrap()
        .into_http();
    let reply = sim.handle_v3(&http, NOW, &mut rng, &v3s).unwrap();
    g.bench_function("pre_entrust_sign", |b| {
        b.iter(|| {
            black_box(pre.build(&m.signer, key, &mut rng, NOW, &nonce).unwrap());
            pre.parse_reply(
                ResponseRef::from_http(black_box(&reply)),
                &m.store,
                NOW,
                &opts,
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, apis);
criterion_main!(benches);
