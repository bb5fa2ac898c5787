//! Shared helpers for the integration tests. Every key under tests/data is TEST ONLY.
#![allow(dead_code)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use wechatpay_sansio::keys::{
    KeyId, KeyStore, MerchantPrivateKey, PlatformCertificate, PublicKey, WechatPayKey,
};

pub fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn text(name: &str) -> String {
    String::from_utf8(data(name)).unwrap()
}

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

pub fn merchant_key() -> MerchantPrivateKey {
    MerchantPrivateKey::from_pem(data("test_merchant_key.pem")).unwrap()
}

pub fn platform_cert() -> PlatformCertificate {
    PlatformCertificate::from_pem(data("test_platform_cert.pem")).unwrap()
}

pub fn platform_private_key() -> MerchantPrivateKey {
    // The platform's private key is loaded through the same RSA loader (simulator side).
    MerchantPrivateKey::from_pem(data("test_platform_key.pem")).unwrap()
}

pub const PUB_KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";

pub fn store() -> KeyStore {
    let mut s = KeyStore::new();
    s.insert_certificate(&platform_cert());
    let pk = PublicKey::from_pem(data("test_platform_public_key.pem")).unwrap();
    s.insert(WechatPayKey::public_key(
        KeyId::new(PUB_KEY_ID).unwrap(),
        pk,
    ));
    s
}

/// An RNG that always fails (error paths of everything that draws randomness).
pub struct FailingRng;

impl rand_core::TryRng for FailingRng {
    type Error = std::fmt::Error;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Err(std::fmt::Error)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Err(std::fmt::Error)
    }
    fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Self::Error> {
        Err(std::fmt::Error)
    }
}

impl rand_core::TryCryptoRng for FailingRng {}
