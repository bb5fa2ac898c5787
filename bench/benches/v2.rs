//! v2 signing and XML: our code against the raw hash/HMAC over the same canonical bytes.
//!
//! `cargo bench --bench v2 -- --warm-up-time 1 --measurement-time 3`
//! (add `--features aws-lc-rs` for the AWS-LC HMAC; MD5 is `md-5` under both backends).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use wechatpay_sansio::secret::ApiV2Key;
use wechatpay_sansio::v2::SignType;
use wechatpay_sansio::v2::sign::sign;
use wechatpay_sansio::v2::xml;

const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

/// `n` realistic v2 fields: names like `field_07`, values 8–40 bytes.
fn fields(n: usize) -> Vec<(String, String)> {
    let base = [
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
        ("out_trade_no", "20150806125346"),
        ("total_fee", "1"),
        ("spbill_create_ip", "123.12.12.123"),
        ("notify_url", "https://example.com/wechatpay/notify"),
        ("trade_type", "JSAPI"),
        ("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
        ("sign_type", "HMAC-SHA256"),
    ];
    (0..n)
        .map(|i| match base.get(i) {
            Some((k, v)) => ((*k).to_owned(), (*v).to_owned()),
            None => (
                format!("attach_{i:02}"),
                format!("value-{i:02}-abcdefghijklmnop"),
            ),
        })
        .collect()
}

/// The exact bytes our signer streams into the hash: sorted `k=v&…&key=KEY`.
fn canonical(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut sorted: Vec<_> = pairs.iter().filter(|(_, v)| !v.is_empty()).collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut s = Vec::new();
    for (i, (k, v)) in sorted.iter().enumerate() {
        if i > 0 {
            s.push(b'&');
        }
        s.extend_from_slice(k.as_bytes());
        s.push(b'=');
        s.extend_from_slice(v.as_bytes());
    }
    s.extend_from_slice(b"&key=");
    s.extend_from_slice(KEY.as_bytes());
    s
}

fn raw_md5(bytes: &[u8]) -> [u8; 16] {
    use md5::Digest as _;
    md5::Md5::digest(bytes).into()
}

#[cfg(not(feature = "aws-lc-rs"))]
fn raw_hmac(key: &[u8], bytes: &[u8]) -> [u8; 32] {
    use hmac::{KeyInit as _, Mac as _};
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    m.update(bytes);
    m.finalize().into_bytes().into()
}

#[cfg(feature = "aws-lc-rs")]
fn raw_hmac(key: &[u8], bytes: &[u8]) -> [u8; 32] {
    use aws_lc_rs::hmac;
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), bytes);
    tag.as_ref().try_into().unwrap()
}

fn v2_sign(c: &mut Criterion) {
    let key = ApiV2Key::new(KEY).unwrap();
    for n in [5usize, 12, 30] {
        let owned = fields(n);
        let pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (&**k, &**v)).collect();
        let bytes = canonical(&pairs);
        let mut g = c.benchmark_group(format!("v2_sign_{n}_fields"));
        g.bench_function("md5/ours", |b| {
            b.iter(|| sign(black_box(pairs.iter().copied()), &key, SignType::Md5).unwrap())
        });
        g.bench_function("md5/raw", |b| b.iter(|| raw_md5(black_box(&bytes))));
        g.bench_function("hmac/ours", |b| {
            b.iter(|| sign(black_box(pairs.iter().copied()), &key, SignType::HmacSha256).unwrap())
        });
        g.bench_function("hmac/raw", |b| {
            b.iter(|| raw_hmac(KEY.as_bytes(), black_box(&bytes)))
        });
        g.finish();
    }
}

fn v2_xml(c: &mut Criterion) {
    let owned = fields(15);
    let pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (&**k, &**v)).collect();
    let body = xml::to_xml(pairs.iter().copied()).unwrap();
    let mut g = c.benchmark_group("v2_xml_15_fields");
    g.bench_function(BenchmarkId::new("build", body.len()), |b| {
        b.iter(|| xml::to_xml(black_box(pairs.iter().copied())).unwrap())
    });
    g.bench_function(BenchmarkId::new("parse", body.len()), |b| {
        b.iter(|| xml::parse(black_box(body.as_bytes())).unwrap())
    });
    g.finish();
}

criterion_group!(benches, v2_sign, v2_xml);
criterion_main!(benches);
