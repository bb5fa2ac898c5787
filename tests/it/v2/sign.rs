//! v2 signatures (MD5 / HMAC-SHA256): the official example and published SDK vectors, sign types, the sign value.

use crate::common::*;
use proptest::prelude::*;
use wechatpay_sansio::secret::ApiV2Key;
use wechatpay_sansio::v2::{SignType, sign, xml};

#[test]
fn v2_official_doc_example_md5_and_hmac() {
    let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    let p = [
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ];
    assert_eq!(
        sign::canonical_string_masked(p).unwrap(),
        "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&key=***"
    );
    assert_eq!(
        sign::sign(p, &key, SignType::Md5).unwrap().as_str(),
        "9A0A8659F005D6984697E2CA0A9CF3B7"
    );
    assert_eq!(
        sign::sign(p, &key, SignType::HmacSha256).unwrap().as_str(),
        "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
    );
}

#[test]
fn v2_wechatpy_xml_vector_verifies() {
    let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    let body = "<xml>\n<test1><![CDATA[test1]]></test1>\n<test2><![CDATA[test2]]></test2>\n<sign><![CDATA[1E3A8D73B5A4AEE787C0F68B5DAB8520]]></sign>\n</xml>";
    let f = xml::parse(body.as_bytes()).unwrap();
    assert_eq!(sign::verify_fields(&f, &key, None), Ok(SignType::Md5));
    assert_eq!(
        sign::sign(
            [("test1", "test1"), ("test2", "test2")],
            &key,
            SignType::HmacSha256
        )
        .unwrap()
        .as_str(),
        "EDAC6D70D2FDF5A2382F8204FC96A1918017E46ACC5297F565ED1A7610ACF659"
    );
}

#[test]
fn sign_type_wire_names_parse() {
    assert_eq!("MD5".parse::<SignType>(), Ok(SignType::Md5));
    assert_eq!("HMAC-SHA256".parse::<SignType>(), Ok(SignType::HmacSha256));
    assert!("md5".parse::<SignType>().is_err());
    assert!("HMAC_SHA256".parse::<SignType>().is_err());
}

#[test]
fn sign_display_is_the_hex() {
    let s = sign::sign(
        [("test1", "test1"), ("test2", "test2")],
        &doc_v2_key(),
        SignType::Md5,
    )
    .unwrap();
    assert_eq!(s.to_string(), "1E3A8D73B5A4AEE787C0F68B5DAB8520");
    assert_eq!(format!("{s}"), s.as_str());
}

proptest! {
    #[test]
    fn v2_sign_is_invariant_under_input_order(m in map(), t in sign_type(), seed in any::<u64>()) {
        let mut pairs: Vec<(&str, &str)> = m.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let a = sign::sign(pairs.iter().copied(), &doc_v2_key(), t).unwrap();
        // deterministic shuffle
        let n = pairs.len().max(1);
        pairs.rotate_left((seed as usize) % n);
        pairs.reverse();
        let b = sign::sign(pairs.iter().copied(), &doc_v2_key(), t).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn v2_empty_values_and_sign_never_matter(m in map(), extra in proptest::collection::btree_set(name(), 0..4), t in sign_type(), s in "[A-F0-9]{0,64}") {
        let base: Vec<(&str, &str)> = m.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let a = sign::sign(base.iter().copied(), &doc_v2_key(), t).unwrap();
        let mut more: Vec<(&str, &str)> = m.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.as_str(), v.as_str())).collect();
        for e in &extra {
            if !m.contains_key(e) && e != "sign" {
                more.push((e.as_str(), ""));
            }
        }
        if !m.contains_key("sign") {
            more.push(("sign", s.as_str()));
        }
        let b = sign::sign(more.iter().copied(), &doc_v2_key(), t).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn v2_sign_then_verify_and_any_change_fails(m in map(), t in sign_type(), pick in any::<prop::sample::Index>(), c in any::<char>()) {
        let pairs: Vec<(&str, &str)> = m.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let s = sign::sign(pairs.iter().copied(), &doc_v2_key(), t).unwrap();
        prop_assert!(sign::verify(pairs.iter().copied(), &doc_v2_key(), t, s.as_str()).is_ok());
        // change one value by one character (append, so empty values become non-empty too)
        if !pairs.is_empty() {
            let i = pick.index(pairs.len());
            if pairs[i].0 != "sign" {
                let changed = format!("{}{}", pairs[i].1, c);
                let mut p2 = pairs.clone();
                p2[i].1 = &changed;
                prop_assert_eq!(sign::verify(p2.iter().copied(), &doc_v2_key(), t, s.as_str()), Err(sign::SignError::Mismatch));
            }
        }
        // change one hex digit of the sign
        let mut bad = s.as_str().to_owned().into_bytes();
        let j = pick.index(bad.len());
        bad[j] = if bad[j] == b'0' { b'1' } else { b'0' };
        prop_assert!(sign::verify(pairs.iter().copied(), &doc_v2_key(), t, std::str::from_utf8(&bad).unwrap()).is_err());
    }
}
