//! v2 signing and XML: our code against a raw baseline doing the irreducible part of the same
//! work, in the same criterion group so that the ratio comes from back-to-back measurements.
//!
//! - `v2_sign_{5,12,30}_fields`: `v2::sign::sign` (drop empties, sort, stream `k=v&…&key=KEY`
//!   into the hash, hex) against the raw `md-5` / HMAC-SHA256 of the pre-built canonical bytes.
//! - `v2_xml_15_fields`: `xml::to_xml` and `xml::parse` of a 15-field body, and `raw`: a bare
//!   quick-xml event loop over the same body.
//!
//! `cargo bench -p wechatpay-sansio-bench --bench v2`
//! (add `--features aws-lc-rs` for the AWS-LC HMAC; MD5 is `md-5` under both backends).
//! The key is the v2 documents' example key, not a real merchant's.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use wechatpay_sansio::secret::ApiV2Key;
use wechatpay_sansio::v2::SignType;
use wechatpay_sansio::v2::sign::sign;
use wechatpay_sansio::v2::xml;
use wechatpay_sansio_bench::fixtures::fields;

const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

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

/// HMAC-SHA256 keyed per call (as `sign` is), one `update` over the whole canonical string.
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

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn v2_sign(c: &mut Criterion) {
    let key = ApiV2Key::new(KEY).unwrap();
    for n in [5usize, 12, 30] {
        let owned = fields(n);
        let pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (&**k, &**v)).collect();
        let bytes = canonical(&pairs);
        // Both sides compute the same thing.
        assert_eq!(
            sign(pairs.iter().copied(), &key, SignType::Md5)
                .unwrap()
                .as_str(),
            hex_upper(&raw_md5(&bytes))
        );
        assert_eq!(
            sign(pairs.iter().copied(), &key, SignType::HmacSha256)
                .unwrap()
                .as_str(),
            hex_upper(&raw_hmac(KEY.as_bytes(), &bytes))
        );
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

/// The raw parse baseline: quick-xml's event loop over the same body with the reader settings
/// `xml::parse` uses (no trimming, no end-name stack, no empty-element expansion), touching each
/// event and nothing else: no UTF-8 check (the body is already a `&str`), no unescaping, no
/// checks, no map. Returns the number of events so that the loop cannot be optimised away.
fn raw_quick_xml(body: &str) -> usize {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(body);
    let cfg = r.config_mut();
    cfg.trim_text(false);
    cfg.check_end_names = false;
    cfg.expand_empty_elements = false;
    let mut n = 0;
    loop {
        match r.read_event().unwrap() {
            Event::Eof => return n,
            e => {
                black_box(&e);
                n += 1;
            }
        }
    }
}

fn v2_xml(c: &mut Criterion) {
    let owned = fields(15);
    let pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (&**k, &**v)).collect();
    let body = xml::to_xml(pairs.iter().copied()).unwrap();
    let parsed = xml::parse(body.as_bytes()).unwrap();
    assert_eq!(parsed.len(), 15);
    // <xml>, 15 × (start, text, end), </xml>.
    assert_eq!(raw_quick_xml(&body), 2 + 15 * 3);
    let mut g = c.benchmark_group("v2_xml_15_fields");
    g.bench_function(BenchmarkId::new("build", body.len()), |b| {
        b.iter(|| xml::to_xml(black_box(pairs.iter().copied())).unwrap())
    });
    g.bench_function(BenchmarkId::new("parse", body.len()), |b| {
        b.iter(|| xml::parse(black_box(body.as_bytes())).unwrap())
    });
    g.bench_function(BenchmarkId::new("raw", body.len()), |b| {
        b.iter(|| raw_quick_xml(black_box(&body)))
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = v2_sign, v2_xml
}
criterion_main!(benches);
