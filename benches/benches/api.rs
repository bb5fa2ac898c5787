//! End to end per API: `Operation::build` (validate, sign, encrypt) and `Operation::parse_reply`
//! (status, signature, echoes, outcome) against the simulator's merchant. The replies are
//! produced once by the offline simulator, outside the timed loop.
//!
//! `cargo bench -p wechatpay-sansio-bench --bench api`
//! Every key and value here is TEST ONLY.

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::hint::black_box;
use std::time::Duration;
use wechatpay_sansio::api::Operation;
use wechatpay_sansio::api::customs::{Customs, VerifyCertificateRequest};
use wechatpay_sansio::api::nameauth::NameAuthRequest;
use wechatpay_sansio::api::pre_entrust::PreEntrustSignRequest;
use wechatpay_sansio::api::querymchrisk::QueryMchRiskRequest;
use wechatpay_sansio::api::realnameauth::{CredType, RealNameAuthRequest, Version};
use wechatpay_sansio::crypto::BACKEND;
use wechatpay_sansio::merchant::Merchant;
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::secret::{AccessToken, Personal};
use wechatpay_sansio::simulator::{Script, Simulator};
use wechatpay_sansio::time::UnixTime;
use wechatpay_sansio::v2::SignType;

const APPID: &str = "wx2421b1c4370ec43b";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
const ID: &str = "11010519491231002X";
/// Inside the validity of the simulator's TEST ONLY platform certificate.
const NOW: UnixTime = UnixTime::from_secs(1_767_225_600);

/// Build once, answer with the simulator, check that the reply parses, then time
/// `build` + `parse_reply` of that reply.
fn bench_op<O: Operation>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    (sim, m, rng): (&Simulator, &Merchant, &mut ChaCha20Rng),
    op: &O,
) {
    let http = op.build(m, rng, NOW).unwrap().into_http();
    let reply = sim.handle(&http, NOW, rng, &Script::default());
    if let Err(e) = op.parse_reply(m, ResponseRef::from_http(&reply), NOW) {
        panic!("{name}: the simulator's reply does not parse: {e}");
    }
    g.bench_function(name, |b| {
        b.iter(|| {
            black_box(op.build(black_box(m), rng, NOW).unwrap());
            op.parse_reply(m, ResponseRef::from_http(black_box(&reply)), NOW)
                .unwrap()
        })
    });
}

fn apis(c: &mut Criterion) {
    let sim = Simulator::new();
    let m = sim.merchant();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let mut g = c.benchmark_group(format!("api_build_and_parse/{BACKEND}"));

    // v2, MD5 and HMAC-SHA256: sign + XML out, XML + signed-reply verification back.
    for st in [SignType::Md5, SignType::HmacSha256] {
        let mut req = RealNameAuthRequest::new(
            APPID,
            OPENID,
            Personal::new("刘某某"),
            CredType::IdCard,
            Personal::new(ID),
            AccessToken::new("81_TESTONLYaccessToken"),
        );
        req.version = Version::V1_1;
        req.sign_type = st;
        bench_op(
            &mut g,
            &format!("realnameauth_{st}"),
            (&sim, &m, &mut rng),
            &req,
        );
    }

    // GET with an MD5-signed query, JSONP reply.
    let req = NameAuthRequest::new(APPID, OPENID, Personal::new("刘某某"), Personal::new(ID));
    bench_op(&mut g, "nameauth", (&sim, &m, &mut rng), &req);

    // querymchrisk: two OAEP-encrypted personal fields + HMAC-SHA256 sign.
    let mut req = QueryMchRiskRequest::new();
    req.certificates_number = Some(Personal::new(ID));
    req.settlement_card_no = Some(Personal::new("6222020200112233445"));
    bench_op(
        &mut g,
        "querymchrisk_2_encrypted_fields",
        (&sim, &m, &mut rng),
        &req,
    );
    g.finish();

    // v3: RSA sign + two encryptions on the way out, signature verification on the way back.
    // Milliseconds per iteration under RustCrypto: fewer, flat samples.
    let mut g = c.benchmark_group(format!("api_build_and_parse/{BACKEND}"));
    g.sample_size(20).sampling_mode(SamplingMode::Flat);
    let customs = VerifyCertificateRequest::new(
        "wxd678efh567hg6787",
        "20150806125346",
        "1000320306201511078440737890",
        Customs::ShanghaiZs,
        "123456",
        Personal::new(ID),
        Personal::new("张三"),
    );
    bench_op(
        &mut g,
        "customs_verify_certificate",
        (&sim, &m, &mut rng),
        &customs,
    );
    let pre = PreEntrustSignRequest::mini_program(
        "wxd678efh567h23787",
        "APPLYMENT_00000000001",
        OPENID,
        Personal::new("张三"),
        Personal::new(ID),
    );
    bench_op(&mut g, "pre_entrust_sign", (&sim, &m, &mut rng), &pre);
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = apis
}
criterion_main!(benches);
