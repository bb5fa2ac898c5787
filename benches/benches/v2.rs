//! v2 signing and XML: our code against a raw baseline doing the irreducible part of the same
//! work, in the same criterion group so that the ratio comes from back-to-back measurements.
//!
//! - `v2_sign_{5,12,30}_fields`: `v2::sign::sign` (drop empties, sort, stream `k=v&…&key=KEY`
//!   into the hash, hex) against the raw `md-5` / HMAC-SHA256 of the pre-built canonical bytes.
//! - `v2_xml_15_fields`: `xml::to_xml` and `xml::parse` of a 15-field body, and `raw`: a bare
//!   quick-xml event loop over the same body.
//! - `req_info`: a v2 refund notification parsed, its `req_info` decrypted, and `raw`: base64 +
//!   AES-256-ECB + PKCS#7 with the crates directly, over the same bytes.
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

/// The raw `req_info` baseline: base64 decode and AES-256-ECB decryption with PKCS#7 unpadding,
/// with `base64`, `aes` and `ecb` directly, the AES key (md5 hex of the APIv2 key) derived once
/// outside the loop.
fn raw_req_info(aes_key: &[u8; 32], req_info: &str) -> usize {
    use aes::cipher::{BlockModeDecrypt as _, KeyInit as _, block_padding::Pkcs7};
    use base64::Engine as _;
    let mut ct = base64::engine::general_purpose::STANDARD
        .decode(req_info)
        .unwrap();
    ecb::Decryptor::<aes::Aes256>::new(aes_key.into())
        .decrypt_padded::<Pkcs7>(&mut ct)
        .unwrap()
        .len()
}

/// v2 refund notifications (issue 17): the wechatpy fixture (800-byte `req_info`, 13 decrypted
/// fields; tests/data/VECTORS.md). `parse`: the whole `refund_notify::parse` (outer XML, ids,
/// key derivation, base64, AES-ECB, unpadding, inner XML, the typed notification);
/// `decrypt`: `refund_notify::decrypt_req_info` (key derivation, base64, AES-ECB, unpadding);
/// `raw`: [`raw_req_info`] over the same `req_info`.
fn v2_req_info(c: &mut Criterion) {
    use wechatpay_sansio::v2::refund_notify;
    let body = include_bytes!("../../tests/data/wechatpy_refund_notify.xml");
    let key = ApiV2Key::new("OF4Ne3znh8KqL0V4NqmALQa0uXMYKcEk").unwrap();
    let req_info = xml::parse(body)
        .unwrap()
        .get("req_info")
        .unwrap()
        .to_owned();
    let aes_key: [u8; 32] = {
        use md5::Digest as _;
        let hex: String = md5::Md5::digest(key.expose_secret().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        hex.as_bytes().try_into().unwrap()
    };
    // All three read the same plaintext.
    let plain = refund_notify::decrypt_req_info(&req_info, &key).unwrap();
    assert_eq!(raw_req_info(&aes_key, &req_info), plain.len());
    assert_eq!(
        refund_notify::parse(body, &key).unwrap().req_info().len(),
        13
    );
    let mut g = c.benchmark_group("req_info");
    g.bench_function(BenchmarkId::new("parse", body.len()), |b| {
        b.iter(|| refund_notify::parse(black_box(body), &key).unwrap())
    });
    g.bench_function(BenchmarkId::new("decrypt", req_info.len()), |b| {
        b.iter(|| refund_notify::decrypt_req_info(black_box(&req_info), &key).unwrap())
    });
    g.bench_function(BenchmarkId::new("raw", req_info.len()), |b| {
        b.iter(|| raw_req_info(&aes_key, black_box(&req_info)))
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
    targets = v2_sign, v2_xml, v2_req_info
}
criterion_main!(benches);
