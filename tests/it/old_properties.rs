//! Property tests of the protocol core (proptest).

use crate::common::*;
use proptest::prelude::*;
use std::collections::BTreeMap;
use wechatpay_sansio::cipher::{self, Padding};
use wechatpay_sansio::ids::MchId;
use wechatpay_sansio::keys::KeyId;
use wechatpay_sansio::secret::ApiV2Key;
use wechatpay_sansio::v2::{SignType, sign, xml};
use wechatpay_sansio::v3::auth::MerchantSigner;
use wechatpay_sansio::v3::canonical::response_message;
use wechatpay_sansio::v3::verify::{SignatureHeaders, VerifyError};

fn key() -> ApiV2Key {
    ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap()
}

fn name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_.-]{0,12}"
}

/// Any string XML 1.0 can carry (no C0 controls except TAB/LF/CR, no U+FFFE/U+FFFF).
fn xml_value() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            any::<char>().prop_filter("xml char", |c| matches!(*c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)),
            prop::sample::select(vec!['<', '>', '&', ']', '"', '\'', '\r', '中']),
        ],
        0..24,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn map() -> impl Strategy<Value = BTreeMap<String, String>> {
    proptest::collection::btree_map(name(), xml_value(), 0..16)
}

fn sign_type() -> impl Strategy<Value = SignType> {
    prop_oneof![Just(SignType::Md5), Just(SignType::HmacSha256)]
}

proptest! {
    #[test]
    fn v2_sign_is_invariant_under_input_order(m in map(), t in sign_type(), seed in any::<u64>()) {
        let mut pairs: Vec<(&str, &str)> = m.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let a = sign::sign(pairs.iter().copied(), &key(), t).unwrap();
        // deterministic shuffle
        let n = pairs.len().max(1);
        pairs.rotate_left((seed as usize) % n);
        pairs.reverse();
        let b = sign::sign(pairs.iter().copied(), &key(), t).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn v2_empty_values_and_sign_never_matter(m in map(), extra in proptest::collection::btree_set(name(), 0..4), t in sign_type(), s in "[A-F0-9]{0,64}") {
        let base: Vec<(&str, &str)> = m.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let a = sign::sign(base.iter().copied(), &key(), t).unwrap();
        let mut more: Vec<(&str, &str)> = m.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.as_str(), v.as_str())).collect();
        for e in &extra {
            if !m.contains_key(e) && e != "sign" {
                more.push((e.as_str(), ""));
            }
        }
        if !m.contains_key("sign") {
            more.push(("sign", s.as_str()));
        }
        let b = sign::sign(more.iter().copied(), &key(), t).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn v2_any_map_roundtrips_through_xml(m in map()) {
        let x = xml::to_xml(m.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        let f = xml::parse(x.as_bytes()).unwrap();
        let back: BTreeMap<String, String> = f.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        prop_assert_eq!(back, m);
    }

    #[test]
    fn v2_sign_then_verify_and_any_change_fails(m in map(), t in sign_type(), pick in any::<prop::sample::Index>(), c in any::<char>()) {
        let pairs: Vec<(&str, &str)> = m.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let s = sign::sign(pairs.iter().copied(), &key(), t).unwrap();
        prop_assert!(sign::verify(pairs.iter().copied(), &key(), t, s.as_str()).is_ok());
        // change one value by one character (append, so empty values become non-empty too)
        if !pairs.is_empty() {
            let i = pick.index(pairs.len());
            if pairs[i].0 != "sign" {
                let changed = format!("{}{}", pairs[i].1, c);
                let mut p2 = pairs.clone();
                p2[i].1 = &changed;
                prop_assert_eq!(sign::verify(p2.iter().copied(), &key(), t, s.as_str()), Err(sign::SignError::Mismatch));
            }
        }
        // change one hex digit of the sign
        let mut bad = s.as_str().to_owned().into_bytes();
        let j = pick.index(bad.len());
        bad[j] = if bad[j] == b'0' { b'1' } else { b'0' };
        prop_assert!(sign::verify(pairs.iter().copied(), &key(), t, std::str::from_utf8(&bad).unwrap()).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn v3_sign_then_verify_and_any_byte_change_fails(body in proptest::collection::vec(any::<u8>(), 0..200), flip in any::<prop::sample::Index>(), ts in 1_600_000_000u64..1_900_000_000) {
        let platform = MerchantSigner::new(MchId::new("1").unwrap(), KeyId::new("01").unwrap(), platform_private_key());
        let ts_s = ts.to_string();
        let sig = platform.sign(&mut rng(ts), &response_message(&ts_s, "n0nce", &body)).unwrap();
        let store = store();
        let serial = platform_cert().serial().as_str().to_owned();
        let h = SignatureHeaders { timestamp: &ts_s, nonce: "n0nce", signature: &sig, serial: &serial };
        let v = wechatpay_sansio::v3::verify::Verifier::new(&store);
        prop_assert!(v.verify_headers(&h, &body, crate::common::t(ts)).is_ok());
        let mut changed = body.clone();
        if changed.is_empty() { changed.push(0) } else { let i = flip.index(changed.len()); changed[i] ^= 0x01; }
        prop_assert_eq!(v.verify_headers(&h, &changed, crate::common::t(ts)), Err(VerifyError::BadSignature));
    }

    #[test]
    fn oaep_and_pkcs1_roundtrip(pt in proptest::collection::vec(any::<u8>(), 1..214), seed in any::<u64>()) {
        let pk = platform_cert().public_key().clone();
        let sk = platform_private_key();
        let ct = cipher::encrypt(&mut rng(seed), &pk, Padding::Oaep, &pt).unwrap();
        prop_assert_eq!(ct.len(), 344);
        prop_assert_eq!(&cipher::decrypt_oaep(&mut rng(seed), &sk, &ct).unwrap()[..], &pt[..]);
        // PKCS#1 v1.5: decrypted independently with the rsa crate (the library offers no PKCS#1 decryption).
        use base64::Engine as _;
        let ct1 = cipher::encrypt(&mut rng(seed), &pk, Padding::Pkcs1v15, &pt).unwrap();
        let raw = base64::engine::general_purpose::STANDARD.decode(ct1).unwrap();
        let rsk: rsa::PrivateKey = rsa::pkcs8::DecodePrivateKey::from_pkcs8_pem(text("test_platform_key.pem").split_once('\n').unwrap().1).unwrap();
        prop_assert_eq!(rsk.pkcs1v15_decrypt_with_rng(&mut rng(seed), &raw).unwrap(), pt);
    }
}
