//! The integration tests: one binary, organised by subject. Every key under tests/data is TEST
//! ONLY. The allocation-counting test is its own binary (`tests/alloc.rs`) because it installs a
//! global allocator; the HTTP tests live in the `interop/` package, the benches in `benches/`, the
//! `wxpay` tests in `cli/tests/`.
#![cfg(feature = "simulator")]

mod common;

/// The typed APIs end to end through the simulator.
mod api;
/// RSA field encryption and AES-GCM resources.
mod cipher;
/// The fuzz targets' committed corpora, replayed through the same harness bodies.
#[cfg(feature = "fuzzing")]
mod fuzz_corpus;
/// Keys, certificates and the key store.
mod keys;
/// Client-side payment signatures.
mod paysign;
/// Real WeChat Pay bytes from public sources (tests/data/real).
mod real_bytes;
/// The sans-IO request value.
mod request;
/// Platform-certificate rotation: the refresh driver, the shared merchant.
mod rotation;
/// The offline v3 payment sandbox: orders, payments, refunds, notifications, faults.
mod sandbox;
/// Secrets and personal data never printed.
mod secrets;
/// The public surface as a whole.
mod surface;
/// The v2 protocol.
mod v2;
/// The v3 protocol.
mod v3;
