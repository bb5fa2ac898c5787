//! The simulator's TEST ONLY keys and certificates as PEM text, for your own tests and doc
//! examples (generated for this crate; not a real merchant's or WeChat Pay's). Each begins with
//! a `# TEST ONLY` comment line, which the PEM loaders skip.
//!
//! ```
//! use wechatpay_sansio::keys::{MerchantPrivateKey, PlatformCertificate};
//! use wechatpay_sansio::simulator::pem;
//! let key = MerchantPrivateKey::from_pem(pem::MERCHANT_PRIVATE_KEY)?;
//! let cert = PlatformCertificate::from_pem(pem::MERCHANT_CERTIFICATE)?;
//! assert!(key.matches(&cert));
//! # Ok::<(), wechatpay_sansio::keys::KeyError>(())
//! ```

/// The merchant's API private key (`apiclient_key.pem`, PKCS#8).
pub const MERCHANT_PRIVATE_KEY: &str = include_str!("../../tests/data/test_merchant_key.pem");
/// The merchant's API certificate (`apiclient_cert.pem`), serial `3C3BBC2B9F5BF4F2`, valid
/// 2020-01-01 … 2099-12-31.
pub const MERCHANT_CERTIFICATE: &str = include_str!("../../tests/data/test_merchant_cert.pem");
/// The platform's private key (WeChat Pay's side: signs replies and notifications).
pub const PLATFORM_PRIVATE_KEY: &str = include_str!("../../tests/data/test_platform_key.pem");
/// The platform certificate, serial `D157F09EFDC096DE15EBE81A47057A7232F1B8E1` (its DER serial
/// has the leading `00`), valid 2020-01-01 … 2099-12-31.
pub const PLATFORM_CERTIFICATE: &str = include_str!("../../tests/data/test_platform_cert.pem");
/// The same key as the platform certificate's, as a WeChat Pay public key (SPKI; id
/// `PUB_KEY_ID_0114232134912410000000000000`).
pub const PLATFORM_PUBLIC_KEY: &str = include_str!("../../tests/data/test_platform_public_key.pem");
/// The same key in PKCS#1 (`BEGIN RSA PUBLIC KEY`), the form `risk/getpublickey` serves.
pub const PLATFORM_PUBLIC_KEY_PKCS1: &str =
    include_str!("../../tests/data/test_platform_public_key_pkcs1.pem");
/// The second platform certificate, the one a rotation moves to
/// ([`super::PlatformRotation`]): serial `1A2B3C4D5E6F7081`, valid 2026-11-25 … 2126-11-01, its
/// key [`PLATFORM2_PRIVATE_KEY`].
pub const PLATFORM2_CERTIFICATE: &str = include_str!("../../tests/data/test_platform2_cert.pem");
/// The second platform certificate's private key (the same TEST ONLY key pair as
/// [`RISK_PRIVATE_KEY`]).
pub const PLATFORM2_PRIVATE_KEY: &str = include_str!("../../tests/data/test_platform2_key.pem");
/// The private key of the `risk/getpublickey` key (WeChat Pay's side of `querymchrisk`).
pub const RISK_PRIVATE_KEY: &str = include_str!("../../tests/data/test_platform2_key.pem");
