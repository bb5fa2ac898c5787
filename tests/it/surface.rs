//! Properties of the public surface as a whole: thread safety, and a disposition for every error.

use crate::common::*;

fn send_sync<T: Send + Sync>() {}

#[test]
fn public_types_are_send_and_sync() {
    use wechatpay_sansio::*;
    send_sync::<keys::MerchantPrivateKey>();
    send_sync::<keys::PublicKey>();
    send_sync::<keys::PlatformCertificate>();
    send_sync::<keys::KeyStore>();
    send_sync::<keys::WechatPayKey>();
    send_sync::<v3::auth::MerchantSigner>();
    send_sync::<secret::ApiV2Key>();
    send_sync::<secret::ApiV3Key>();
    send_sync::<secret::Personal>();
    send_sync::<request::Request>();
    send_sync::<v2::Fields>();
    send_sync::<v3::notify::DecryptedNotification>();
    send_sync::<simulator::Simulator>();
    // One signer shared by threads, no locks.
    let signer = std::sync::Arc::new(v3::auth::MerchantSigner::new(
        ids::MchId::new("1").unwrap(),
        keys::KeyId::new("01").unwrap(),
        merchant_key(),
    ));
    let sigs: Vec<String> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2)
            .map(|i| {
                let signer = signer.clone();
                s.spawn(move || signer.sign(&mut rng(i), b"x").unwrap())
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(sigs[0], sigs[1]);
}
