//! Bills (issue 18): `BillVerifier` over an 8 MB download against the raw crates doing the same
//! work, back to back in the same group: plain against a bare `sha1` of the same bytes, GZIP
//! against `flate2::write::GzDecoder` into a bare `sha1`. All fed in 64 KiB chunks, as a
//! download arrives.
//!
//! `cargo bench -p wechatpay-sansio-bench --bench bill`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sha1::Digest as _;
use std::hint::black_box;
use std::io::Write as _;
use wechatpay_sansio::api::bill::{BillVerifier, HashType};

const SIZE: usize = 8 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

/// 8 MB of trade-bill rows (varied enough that GZIP does real work: about 5x).
fn bill() -> Vec<u8> {
    let mut out = Vec::with_capacity(SIZE + 256);
    let mut i = 0u64;
    while out.len() < SIZE {
        let x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        out.extend_from_slice(
            format!(
                "`2026-01-01 {:02}:{:02}:{:02},`wx{:016x},`1900000109,`0,`,`42000000{:020},`T{:018},`o{:027x},`JSAPI,`SUCCESS,`OTHERS,`CNY,`{}.{:02},`0.00,`0,`0,`0.00,`0.00,`,`,`商品{},`,`0.00600,`0.60%,`{}.{:02},`0.00,`\n",
                x % 24, x % 60, (x >> 8) % 60, x, i, i, x >> 4, x % 1000, x % 100, i % 97, x % 1000, x % 100
            )
            .as_bytes(),
        );
        i += 1;
    }
    out.truncate(SIZE);
    out
}

fn sha1_hex(b: &[u8]) -> String {
    sha1::Sha1::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

fn benches(c: &mut Criterion) {
    let bill = bill();
    let hex = sha1_hex(&bill);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bill).unwrap();
    let gz = gz.finish().unwrap();

    let mut g = c.benchmark_group("bill_verify_8mb");
    g.throughput(Throughput::Bytes(SIZE as u64));
    g.sample_size(20);
    g.bench_function("plain/ours", |b| {
        b.iter(|| {
            let mut v = BillVerifier::new(&HashType::Sha1, &hex, false).unwrap();
            for c in bill.chunks(CHUNK) {
                v.update(black_box(c)).unwrap();
            }
            v.finish().unwrap();
        });
    });
    g.bench_function("plain/raw_sha1", |b| {
        b.iter(|| {
            let mut h = sha1::Sha1::new();
            for c in bill.chunks(CHUNK) {
                h.update(black_box(c));
            }
            assert_eq!(h.finalize().len(), 20);
        });
    });
    g.bench_function("gzip/ours", |b| {
        b.iter(|| {
            let mut v = BillVerifier::new(&HashType::Sha1, &hex, true).unwrap();
            for c in gz.chunks(CHUNK) {
                v.update(black_box(c)).unwrap();
            }
            v.finish().unwrap();
        });
    });
    g.bench_function("gzip/raw_flate2_sha1", |b| {
        struct Hash(sha1::Sha1);
        impl std::io::Write for Hash {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.update(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        b.iter(|| {
            let mut d = flate2::write::GzDecoder::new(Hash(sha1::Sha1::new()));
            for c in gz.chunks(CHUNK) {
                d.write_all(black_box(c)).unwrap();
            }
            let h = d.finish().unwrap();
            assert_eq!(h.0.finalize().len(), 20);
        });
    });
    g.finish();
}

criterion_group! {
    name = bill_benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(bill_benches);
