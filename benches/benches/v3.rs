//! v3 signing, verification, field encryption, resource decryption and multi-thread
//! throughput: our public API against the raw backend crate doing the same work.
//!
//! `cargo bench -p wechatpay-sansio-bench --bench v3`
//! `cargo bench -p wechatpay-sansio-bench --bench v3 --features aws-lc-rs`
//! Every key here is TEST ONLY.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::hint::black_box;
use std::time::{Duration, Instant};
use wechatpay_sansio::cipher::{self, Padding};
use wechatpay_sansio::crypto::BACKEND;
use wechatpay_sansio::ids::{MchId, Nonce};
use wechatpay_sansio::keys::{KeyId, KeyStore, MerchantPrivateKey, PublicKey, WechatPayKey};
use wechatpay_sansio::secret::ApiV3Key;
use wechatpay_sansio::simulator::pem::MERCHANT_PRIVATE_KEY as KEY_PEM;
use wechatpay_sansio::time::UnixTime;
use wechatpay_sansio::v3::auth::MerchantSigner;
use wechatpay_sansio::v3::resource;
use wechatpay_sansio::v3::verify::{SignatureHeaders, Verifier};

const METHOD: &str = "POST";
const PATH: &str = "/v3/pay/transactions/jsapi";
const TS: UnixTime = UnixTime::from_secs(1_554_208_460);
const NONCE: &str = "593BEC0C930BF1AFEB40B4A08C8FB242";
const BODY_STR: &str = r#"{"appid":"wxd678efh567hg6787","mchid":"1230000109","description":"Image形象店-深圳腾大-QQ公仔","out_trade_no":"1217752501201407033233368018","notify_url":"https://www.weixin.qq.com/wxpay/pay.php","amount":{"total":100,"currency":"CNY"},"payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}}"#;
const BODY: &[u8] = BODY_STR.as_bytes();
/// An 18-character mainland ID number (valid check digit), TEST ONLY.
const ID: &[u8] = b"11010519491231002X";

fn message() -> Vec<u8> {
    format!(
        "{METHOD}\n{PATH}\n{TS}\n{NONCE}\n{}\n",
        std::str::from_utf8(BODY).unwrap()
    )
    .into_bytes()
}

fn der(pem: &str) -> Vec<u8> {
    pem_rfc7468::decode_vec(pem.as_bytes()).unwrap().1
}

fn signer() -> MerchantSigner {
    MerchantSigner::new(
        MchId::new("1230000109").unwrap(),
        KeyId::new("3C3BBC2B9F5BF4F2").unwrap(),
        MerchantPrivateKey::from_pem(KEY_PEM).unwrap(),
    )
}

/// The raw backend: the same PKCS#1 v1.5 SHA-256 signature, key parsed once, no base64.
#[cfg(not(feature = "aws-lc-rs"))]
mod raw {
    use super::*;
    use rsa::pkcs8::DecodePrivateKey;
    pub struct Raw(rsa::PrivateKey);
    impl Raw {
        pub fn new() -> Self {
            Self::from_pem(KEY_PEM)
        }
        pub fn from_pem(pem: &str) -> Self {
            Self(rsa::PrivateKey::from_pkcs8_der(&der(pem)).unwrap())
        }
        pub fn sign(&self, rng: &mut ChaCha20Rng, msg: &[u8]) -> Vec<u8> {
            self.0
                .pkcs1v15_sign_with_rng::<sha2::Sha256, _>(rng, msg)
                .unwrap()
        }
    }
    pub struct RawPub(rsa::PublicKey);
    impl RawPub {
        pub fn new() -> Self {
            Self::of(KEY_PEM)
        }
        /// The public half of the PKCS#8 private key `pem`.
        pub fn of(pem: &str) -> Self {
            Self(Raw::from_pem(pem).0.to_public_key())
        }
        pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
            self.0.pkcs1v15_verify::<sha2::Sha256>(msg, sig).is_ok()
        }
        pub fn oaep(&self, rng: &mut ChaCha20Rng, pt: &[u8]) -> Vec<u8> {
            self.0
                .oaep_encrypt_with_rng::<sha1::Sha1, _>(rng, pt)
                .unwrap()
        }
        pub fn pkcs1(&self, rng: &mut ChaCha20Rng, pt: &[u8]) -> Vec<u8> {
            self.0.pkcs1v15_encrypt_with_rng(rng, pt).unwrap()
        }
    }
    pub fn gcm_open(key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], ct: &[u8]) -> Vec<u8> {
        use aes_gcm::aead::{Aead, KeyInit, Payload};
        let c = aes_gcm::Aes256Gcm::new(&(*key).into());
        c.decrypt(&aes_gcm::Nonce::from(*nonce), Payload { msg: ct, aad })
            .unwrap()
    }
}

#[cfg(feature = "aws-lc-rs")]
mod raw {
    use super::*;
    use aws_lc_rs::rsa::{
        OAEP_SHA1_MGF1SHA1, OaepPublicEncryptingKey, Pkcs1PublicEncryptingKey, PublicEncryptingKey,
    };
    use aws_lc_rs::signature::{self, KeyPair as _};
    pub struct Raw(signature::RsaKeyPair, aws_lc_rs::rand::SystemRandom);
    impl Raw {
        pub fn new() -> Self {
            Self::from_pem(KEY_PEM)
        }
        pub fn from_pem(pem: &str) -> Self {
            Self(
                signature::RsaKeyPair::from_pkcs8(&der(pem)).unwrap(),
                aws_lc_rs::rand::SystemRandom::new(),
            )
        }
        pub fn sign(&self, _rng: &mut ChaCha20Rng, msg: &[u8]) -> Vec<u8> {
            let mut sig = vec![0u8; self.0.public_modulus_len()];
            self.0
                .sign(&signature::RSA_PKCS1_SHA256, &self.1, msg, &mut sig)
                .unwrap();
            sig
        }
    }
    pub struct RawPub(
        signature::ParsedPublicKey,
        OaepPublicEncryptingKey,
        Pkcs1PublicEncryptingKey,
    );
    impl RawPub {
        pub fn new() -> Self {
            Self::of(KEY_PEM)
        }
        /// The public half of the PKCS#8 private key `pem`.
        pub fn of(pem: &str) -> Self {
            use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
            let kp = Raw::from_pem(pem);
            let spki: PublicKeyX509Der<'static> = kp.0.public_key().as_der().unwrap();
            let enc = PublicEncryptingKey::from_der(spki.as_ref()).unwrap();
            Self(
                signature::ParsedPublicKey::new(
                    &signature::RSA_PKCS1_2048_8192_SHA256,
                    spki.as_ref(),
                )
                .unwrap(),
                OaepPublicEncryptingKey::new(enc.clone()).unwrap(),
                Pkcs1PublicEncryptingKey::new(enc).unwrap(),
            )
        }
        pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
            self.0.verify_sig(msg, sig).is_ok()
        }
        pub fn oaep(&self, _rng: &mut ChaCha20Rng, pt: &[u8]) -> Vec<u8> {
            let mut out = vec![0u8; 256];
            let n = self
                .1
                .encrypt(&OAEP_SHA1_MGF1SHA1, pt, &mut out, None)
                .unwrap()
                .len();
            out.truncate(n);
            out
        }
        pub fn pkcs1(&self, _rng: &mut ChaCha20Rng, pt: &[u8]) -> Vec<u8> {
            let mut out = vec![0u8; 256];
            let n = self.2.encrypt(pt, &mut out).unwrap().len();
            out.truncate(n);
            out
        }
    }
    pub fn gcm_open(key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], ct: &[u8]) -> Vec<u8> {
        use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
        let k = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).unwrap());
        let mut buf = ct.to_vec();
        let n = k
            .open_in_place(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                &mut buf,
            )
            .unwrap()
            .len();
        buf.truncate(n);
        buf
    }
}

fn v3_sign(c: &mut Criterion) {
    let s = signer();
    let r = raw::Raw::new();
    let nonce = Nonce::new(NONCE).unwrap();
    let msg = message();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    // Same signature from both (deterministic PKCS#1 v1.5).
    let ours = s
        .authorization(&mut rng, METHOD, PATH, TS, &nonce, BODY)
        .unwrap();
    assert_eq!(ours.signature, STANDARD.encode(r.sign(&mut rng, &msg)));
    let mut g = c.benchmark_group(format!("v3_sign/{BACKEND}"));
    slow(&mut g);
    g.throughput(Throughput::Elements(1));
    g.bench_function("authorization", |b| {
        b.iter(|| {
            s.authorization(&mut rng, METHOD, PATH, TS, &nonce, black_box(BODY))
                .unwrap()
        })
    });
    g.bench_function("raw_sign", |b| b.iter(|| r.sign(&mut rng, black_box(&msg))));
    g.bench_function("key_parse_pem", |b| {
        b.iter(|| MerchantPrivateKey::from_pem(black_box(KEY_PEM)).unwrap())
    });
    g.finish();
}

fn v3_verify(c: &mut Criterion) {
    // A reply signed with the merchant key; the store holds the matching public key under a
    // public-key id (parsed once, cached in the KeyStore).
    let s = signer();
    let id = "PUB_KEY_ID_0114232134912410000000000000";
    let mut store = KeyStore::new();
    store.insert(WechatPayKey::public_key(
        KeyId::new(id).unwrap(),
        s.key().public_key(),
    ));
    let ts = TS.to_string();
    let reply_msg = format!("{ts}\n{NONCE}\n{}\n", std::str::from_utf8(BODY).unwrap());
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let sig_b64 = s.sign(&mut rng, reply_msg.as_bytes()).unwrap();
    let sig = STANDARD.decode(&sig_b64).unwrap();
    let headers = SignatureHeaders {
        timestamp: &ts,
        nonce: NONCE,
        signature: &sig_b64,
        serial: id,
    };
    let verifier = Verifier::new(&store);
    verifier.verify_headers(&headers, BODY, TS).unwrap();
    let rp = raw::RawPub::new();
    assert!(rp.verify(reply_msg.as_bytes(), &sig));
    let mut g = c.benchmark_group(format!("v3_verify/{BACKEND}"));
    g.throughput(Throughput::Elements(1));
    g.bench_function("verifier_verify_headers", |b| {
        b.iter(|| {
            verifier
                .verify_headers(black_box(&headers), black_box(BODY), TS)
                .unwrap()
        })
    });
    g.bench_function("raw_verify", |b| {
        b.iter(|| rp.verify(black_box(reply_msg.as_bytes()), black_box(&sig)))
    });
    g.finish();
}

fn v3_encrypt(c: &mut Criterion) {
    let pk: PublicKey = MerchantPrivateKey::from_pem(KEY_PEM).unwrap().public_key();
    let rp = raw::RawPub::new();
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let mut g = c.benchmark_group(format!("encrypt_id18/{BACKEND}"));
    g.throughput(Throughput::Elements(1));
    g.bench_function("oaep/ours", |b| {
        b.iter(|| cipher::encrypt(&mut rng, &pk, Padding::Oaep, black_box(ID)).unwrap())
    });
    g.bench_function("oaep/raw", |b| b.iter(|| rp.oaep(&mut rng, black_box(ID))));
    g.bench_function("pkcs1/ours", |b| {
        b.iter(|| cipher::encrypt(&mut rng, &pk, Padding::Pkcs1v15, black_box(ID)).unwrap())
    });
    g.bench_function("pkcs1/raw", |b| {
        b.iter(|| rp.pkcs1(&mut rng, black_box(ID)))
    });
    g.finish();
}

fn v3_resource(c: &mut Criterion) {
    let key_str = "TESTONLYapiV3Key0123456789abcdef";
    let key = ApiV3Key::new(key_str).unwrap();
    let kb: [u8; 32] = key_str.as_bytes().try_into().unwrap();
    let nonce = *b"uluk4a9R25RW";
    let aad = "transaction";
    let pt = vec![b'x'; 1024];
    let ct = resource::EncryptedResource::encrypt(&key, "uluk4a9R25RW", aad, "transaction", &pt);
    let ct = ct.unwrap();
    let ct_raw = STANDARD.decode(&ct.ciphertext).unwrap();
    assert_eq!(
        &resource::decrypt(&key, "uluk4a9R25RW", aad.as_bytes(), &ct.ciphertext).unwrap()[..],
        &pt[..]
    );
    let mut g = c.benchmark_group(format!("aes_gcm_decrypt_1k/{BACKEND}"));
    g.throughput(Throughput::Bytes(1024));
    g.bench_function("resource_decrypt", |b| {
        b.iter(|| {
            resource::decrypt(
                &key,
                "uluk4a9R25RW",
                aad.as_bytes(),
                black_box(&ct.ciphertext),
            )
            .unwrap()
        })
    });
    g.bench_function("raw_open_no_base64", |b| {
        b.iter(|| raw::gcm_open(&kb, &nonce, aad.as_bytes(), black_box(&ct_raw)))
    });
    g.finish();
}

/// A `TRANSACTION.SUCCESS` notification (the simulator's, ~600-byte plaintext): ours verifies
/// the headers, decrypts and types it (`api::pay::notify::parse`); the raw baseline does the same
/// work with the crates directly — RSA verify of the rebuilt message, base64, AES-GCM open,
/// `serde_json` into a `Value`.
fn v3_pay_notify(c: &mut Criterion) {
    use wechatpay_sansio::api::pay::notify;
    use wechatpay_sansio::simulator::{Simulator, pem::PLATFORM_PRIVATE_KEY};
    const NOW: UnixTime = UnixTime::from_secs(1_767_225_600);
    let sim = Simulator::new();
    let m = sim.merchant();
    let plain = r#"{"amount":{"currency":"CNY","payer_currency":"CNY","payer_total":1,"total":1},"appid":"wxdace645e0bc2cXXX","attach":"","bank_type":"OTHERS","mchid":"1900000109","out_trade_no":"44_2126281063_5504","payer":{"openid":"o4GgauJP_mgWEWictzA15WT15XXX"},"promotion_detail":[],"success_time":"2021-03-22T10:29:05+08:00","trade_state":"SUCCESS","trade_state_desc":"支付成功","trade_type":"JSAPI","transaction_id":"4200000891202103228088184743"}"#;
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let sent = sim.notification("TRANSACTION.SUCCESS", plain.as_bytes(), NOW, &mut rng);
    let (headers, body) = (sent.headers().clone(), sent.body().clone());
    notify::parse(&m, &headers, &body, NOW).unwrap();
    let h = |n: &str| headers.get(n).unwrap().to_str().unwrap().to_owned();
    let msg = format!(
        "{}\n{}\n{}\n",
        h("wechatpay-timestamp"),
        h("wechatpay-nonce"),
        std::str::from_utf8(&body).unwrap()
    );
    let sig = STANDARD.decode(h("wechatpay-signature")).unwrap();
    let rp = raw::RawPub::of(PLATFORM_PRIVATE_KEY);
    let envelope: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let res = &envelope["resource"];
    let nonce: [u8; 12] = res["nonce"]
        .as_str()
        .unwrap()
        .as_bytes()
        .try_into()
        .unwrap();
    let aad = res["associated_data"].as_str().unwrap().to_owned();
    let kb: [u8; 32] = wechatpay_sansio::simulator::TEST_API_V3_KEY
        .as_bytes()
        .try_into()
        .unwrap();
    let raw = |body: &[u8]| {
        assert!(rp.verify(msg.as_bytes(), &sig));
        let env: serde_json::Value = serde_json::from_slice(body).unwrap();
        let ct = STANDARD
            .decode(env["resource"]["ciphertext"].as_str().unwrap())
            .unwrap();
        let pt = raw::gcm_open(&kb, &nonce, aad.as_bytes(), &ct);
        serde_json::from_slice::<serde_json::Value>(&pt).unwrap()
    };
    assert_eq!(raw(&body)["out_trade_no"], "44_2126281063_5504");
    let mut g = c.benchmark_group(format!("pay_notify_verify_decrypt/{BACKEND}"));
    g.throughput(Throughput::Elements(1));
    g.bench_function("ours", |b| {
        b.iter(|| notify::parse(&m, black_box(&headers), black_box(&body), NOW).unwrap())
    });
    g.bench_function("raw", |b| b.iter(|| raw(black_box(&body))));
    g.finish();
}

/// One shared `MerchantSigner`, `threads` threads each signing `iters / threads` requests.
fn sign_on_threads(s: &MerchantSigner, threads: u64, iters: u64) -> Duration {
    let nonce = Nonce::new(NONCE).unwrap();
    let per = iters.div_ceil(threads);
    let start = Instant::now();
    std::thread::scope(|sc| {
        for t in 0..threads {
            let nonce = &nonce;
            sc.spawn(move || {
                let mut rng = ChaCha20Rng::seed_from_u64(t);
                for _ in 0..per {
                    black_box(
                        s.authorization(&mut rng, METHOD, PATH, TS, nonce, BODY)
                            .unwrap(),
                    );
                }
            });
        }
    });
    // Normalise to exactly `iters` operations.
    start
        .elapsed()
        .mul_f64(iters as f64 / (per * threads) as f64)
}

fn v3_threads(c: &mut Criterion) {
    let s = signer();
    let mut g = c.benchmark_group(format!("v3_sign_threads/{BACKEND}"));
    slow(&mut g);
    g.throughput(Throughput::Elements(1));
    for threads in [1u64, 2] {
        g.bench_function(format!("{threads}_threads"), |b| {
            b.iter_custom(|iters| sign_on_threads(&s, threads, iters))
        });
    }
    g.finish();
}

/// Groups whose iterations take milliseconds (RustCrypto RSA signing): fewer, flat samples, so
/// that the run stays within its measurement time.
fn slow(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    g.sample_size(20).sampling_mode(SamplingMode::Flat);
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
    targets = v3_sign, v3_verify, v3_encrypt, v3_resource, v3_pay_notify, v3_threads
}
criterion_main!(benches);
