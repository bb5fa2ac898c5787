//! v3 signature verification: `Wechatpay-*` headers, timestamps and skew, key ids, certificate validity, bad signatures.

use crate::common::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderValue, StatusCode};
use proptest::prelude::*;
use wechatpay_sansio::http::HeaderName;
use wechatpay_sansio::ids::MchId;
use wechatpay_sansio::keys::{KeyId, KeyStore, PlatformCertificate};
use wechatpay_sansio::simulator::Simulator;
use wechatpay_sansio::v2::{SignError, SignType, sign};
use wechatpay_sansio::v3::auth::{Authorization, AuthorizationParseError, MerchantSigner};
use wechatpay_sansio::v3::verify::{SignatureHeaders, Verifier, VerifyError, VerifyOptions};
#[test]
fn verify_errors() {
    let s = store();
    let o = VerifyOptions::default();
    let body = br#"{"ok":true}"#;
    let serial = platform_cert().serial().as_str().to_owned();
    let good = signed_with(
        "test_platform_key.pem",
        body,
        "1767225000",
        "nonce123",
        &serial,
    );
    assert_eq!(
        verify(&good, body, &s, 1_767_225_000, &o).unwrap().as_str(),
        serial
    );
    // The same signature is accepted under the public-key id (same key pair).
    let pk = signed_with(
        "test_platform_key.pem",
        body,
        "1767225000",
        "nonce123",
        PUB_KEY_ID,
    );
    assert_eq!(
        verify(&pk, body, &s, 1_767_225_000, &o).unwrap().as_str(),
        PUB_KEY_ID
    );

    for name in [
        "wechatpay-timestamp",
        "wechatpay-nonce",
        "wechatpay-signature",
        "wechatpay-serial",
    ] {
        let mut h = good.clone();
        h.remove(name);
        assert!(
            matches!(verify(&h, body, &s, 1_767_225_000, &o), Err(VerifyError::MissingHeader(n)) if n == name)
        );
        let mut h = good.clone();
        h.append(name, HeaderValue::from_static("1"));
        assert!(
            matches!(verify(&h, body, &s, 1_767_225_000, &o), Err(VerifyError::DuplicateHeader(n)) if n == name)
        );
    }
    let mut h = good.clone();
    h.insert("wechatpay-nonce", HeaderValue::from_bytes(b"\xff").unwrap());
    assert_eq!(
        verify(&h, body, &s, 1_767_225_000, &o),
        Err(VerifyError::InvalidHeader("wechatpay-nonce"))
    );
    let mut h = good.clone();
    h.insert(
        "Wechatpay-Signature-Type",
        HeaderValue::from_static("WECHATPAY2-SM2-WITH-SM3"),
    );
    assert_eq!(
        verify(&h, body, &s, 1_767_225_000, &o),
        Err(VerifyError::UnsupportedSignatureType)
    );
    let mut h = good.clone();
    h.insert(
        "Wechatpay-Signature-Type",
        HeaderValue::from_static("WECHATPAY2-SHA256-RSA2048"),
    );
    assert!(verify(&h, body, &s, 1_767_225_000, &o).is_ok());
    let mut h = good.clone();
    h.insert(
        "wechatpay-signature",
        HeaderValue::from_static("WECHATPAY/SIGNTEST/eyJhbGciOiJub25lIn0="),
    );
    assert_eq!(
        verify(&h, body, &s, 1_767_225_000, &o),
        Err(VerifyError::SignatureProbe)
    );
    // An empty value is refused as a header before it is read as a timestamp.
    let mut h = good.clone();
    h.insert("wechatpay-timestamp", HeaderValue::from_static(""));
    assert_eq!(
        verify(&h, body, &s, 1_767_225_000, &o),
        Err(VerifyError::InvalidHeader("wechatpay-timestamp"))
    );
    for ts in [
        "abc",
        "-1",
        "1e3",
        "99999999999999999999",
        "18446744073709551616",
    ] {
        let mut h = good.clone();
        h.insert("wechatpay-timestamp", HeaderValue::from_str(ts).unwrap());
        assert_eq!(
            verify(&h, body, &s, 1_767_225_000, &o),
            Err(VerifyError::InvalidTimestamp),
            "{ts:?}"
        );
    }
    assert_eq!(
        verify(&good, body, &s, 1_767_225_300, &o),
        Err(VerifyError::StaleTimestamp {
            skew: 300,
            max_skew: 300
        })
    );
    assert_eq!(
        verify(&good, body, &s, 1_767_224_700, &o),
        Err(VerifyError::StaleTimestamp {
            skew: 300,
            max_skew: 300
        })
    );
    assert!(verify(&good, body, &s, 1_767_225_299, &o).is_ok());
    assert!(verify(&good, body, &s, 1_767_224_701, &o).is_ok());
    assert!(verify(&good, body, &s, 1_767_225_400, &crate::common::skew(401)).is_ok());
    let unknown = signed_with(
        "test_platform_key.pem",
        body,
        "1767225000",
        "nonce123",
        "ABCDEF",
    );
    assert_eq!(
        verify(&unknown, body, &s, 1_767_225_000, &o),
        Err(VerifyError::UnknownKey("ABCDEF".into()))
    );
    let mut h = good.clone();
    h.insert(
        "wechatpay-signature",
        HeaderValue::from_static("not*base64"),
    );
    assert_eq!(
        verify(&h, body, &s, 1_767_225_000, &o),
        Err(VerifyError::SignatureEncoding)
    );
    let mut h = good.clone();
    let sig = h["wechatpay-signature"].to_str().unwrap().to_owned();
    h.insert(
        "wechatpay-signature",
        HeaderValue::from_str(&sig[..sig.len() - 1]).unwrap(),
    );
    assert_eq!(
        verify(&h, body, &s, 1_767_225_000, &o),
        Err(VerifyError::SignatureEncoding),
        "truncated base64"
    );
    h.insert(
        "wechatpay-signature",
        HeaderValue::from_str(&sig[..sig.len() - 8]).unwrap(),
    );
    assert_eq!(
        verify(&h, body, &s, 1_767_225_000, &o),
        Err(VerifyError::SignatureLength {
            expected: 256,
            got: 252
        })
    );
    let mut h = good.clone();
    h.insert(
        "wechatpay-signature",
        HeaderValue::from_str(&STANDARD.encode([1u8; 255])).unwrap(),
    );
    assert_eq!(
        verify(&h, body, &s, 1_767_225_000, &o),
        Err(VerifyError::SignatureLength {
            expected: 256,
            got: 255
        })
    );
    assert_eq!(
        verify(&good, b"{\"ok\":false}", &s, 1_767_225_000, &o),
        Err(VerifyError::BadSignature)
    );
    // Headers given as plain strings.
    let sh = SignatureHeaders {
        timestamp: "1767225000",
        nonce: "nonce123",
        signature: &sig,
        serial: &serial.to_lowercase(),
    };
    assert!(
        Verifier::new(&s)
            .with_options(o)
            .verify_headers(&sh, body, t(1_767_225_000))
            .is_ok()
    );
    for e in [
        VerifyError::SignatureProbe,
        VerifyError::BadSignature,
        VerifyError::UnknownKey("x".into()),
    ] {
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn wechatpay_timestamp_not_a_number_or_overflowing() {
    let body = b"{}";
    let cases: [(&str, VerifyError); 7] = [
        ("abc", VerifyError::InvalidTimestamp),
        ("", VerifyError::InvalidHeader("wechatpay-timestamp")),
        ("-1", VerifyError::InvalidTimestamp),
        ("+1700000000", VerifyError::InvalidTimestamp),
        ("1.7e9", VerifyError::InvalidTimestamp),
        ("18446744073709551616", VerifyError::InvalidTimestamp), // u64::MAX + 1
        (
            "9999999999999999999", // fits in u64: far in the future
            VerifyError::StaleTimestamp {
                skew: 9_999_999_999_999_999_999 - T2023,
                max_skew: 300,
            },
        ),
    ];
    for (t, want) in cases {
        let mut h = platform_signed(body, &T2023.to_string(), "n");
        h.insert("wechatpay-timestamp", HeaderValue::from_str(t).unwrap());
        assert_eq!(
            crate::common::verify(&h, body, &store(), T2023, &VerifyOptions::default()),
            Err(want),
            "{t:?}"
        );
    }
    // Authorization timestamps likewise.
    let auth = |t: &str| {
        Authorization::parse(&format!(
            r#"WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="{t}",serial_no="A",signature="s""#
        ))
    };
    assert_eq!(
        auth("99999999999999999999"),
        Err(AuthorizationParseError::Timestamp)
    );
    assert_eq!(
        auth("123456789012345678901"),
        Err(AuthorizationParseError::Timestamp)
    );
    assert_eq!(auth("12a"), Err(AuthorizationParseError::Timestamp));
    assert_eq!(auth("18446744073709551615").unwrap().timestamp, t(u64::MAX));
}

#[test]
fn headers_repeated_or_in_odd_case() {
    let body = b"{}";
    let good = platform_signed(body, &T2023.to_string(), "n");
    let st = store();
    let o = VerifyOptions::default();
    // Names arrive in any case: HeaderMap normalises them, and the signature verifies.
    let mut odd = HeaderMap::new();
    for (n, v) in &good {
        let upper = n.as_str().to_ascii_uppercase();
        odd.insert(HeaderName::from_bytes(upper.as_bytes()).unwrap(), v.clone());
    }
    assert!(crate::common::verify(&odd, body, &st, T2023, &o).is_ok());
    for name in [
        "wechatpay-timestamp",
        "wechatpay-nonce",
        "wechatpay-signature",
        "wechatpay-serial",
        "wechatpay-signature-type",
    ] {
        let mut h = good.clone();
        let v = h
            .get(name)
            .cloned()
            .unwrap_or(HeaderValue::from_static("WECHATPAY2-SHA256-RSA2048"));
        h.append(name, v.clone());
        h.append(name, v);
        assert_eq!(
            crate::common::verify(&h, body, &st, T2023, &o),
            Err(VerifyError::DuplicateHeader(name)),
            "{name}"
        );
        let mut h = good.clone();
        h.remove(name);
        if name != "wechatpay-signature-type" {
            assert_eq!(
                crate::common::verify(&h, body, &st, T2023, &o),
                Err(VerifyError::MissingHeader(name))
            );
        }
    }
    let mut h = good.clone();
    h.insert(
        "wechatpay-signature-type",
        HeaderValue::from_static("WECHATPAY2-SM2-WITH-SM3"),
    );
    assert_eq!(
        crate::common::verify(&h, body, &st, T2023, &o),
        Err(VerifyError::UnsupportedSignatureType)
    );
    let mut h = good.clone();
    h.insert(
        "wechatpay-nonce",
        HeaderValue::from_bytes(b"\xe4\xb8\xad").unwrap(),
    );
    assert_eq!(
        crate::common::verify(&h, body, &st, T2023, &o),
        Err(VerifyError::InvalidHeader("wechatpay-nonce"))
    );
}

#[test]
fn bad_signatures() {
    let body = b"{}";
    let st = store();
    let o = VerifyOptions::default();
    let with_sig = |sig: &str| {
        let mut h = platform_signed(body, &T2023.to_string(), "n");
        h.insert("wechatpay-signature", HeaderValue::from_str(sig).unwrap());
        crate::common::verify(&h, body, &st, T2023, &o)
    };
    let good = platform_signed(body, &T2023.to_string(), "n");
    let sig = good["wechatpay-signature"].to_str().unwrap().to_owned();
    // Truncated base64 (padding cut), bad characters, URL-safe alphabet.
    assert_eq!(
        with_sig(&sig[..sig.len() - 1]),
        Err(VerifyError::SignatureEncoding)
    );
    assert_eq!(
        with_sig(&sig[..sig.len() - 4]),
        Err(VerifyError::SignatureLength {
            expected: 256,
            got: 255
        })
    );
    assert_eq!(with_sig("!!!!"), Err(VerifyError::SignatureEncoding));
    let url_safe = format!("-_{}", &sig[2..]);
    assert_eq!(with_sig(&url_safe), Err(VerifyError::SignatureEncoding));
    // Wrong length: 255 and 512 bytes.
    assert_eq!(
        with_sig(&STANDARD.encode([1u8; 255])),
        Err(VerifyError::SignatureLength {
            expected: 256,
            got: 255
        })
    );
    assert_eq!(
        with_sig(&STANDARD.encode([1u8; 512])),
        Err(VerifyError::SignatureLength {
            expected: 256,
            got: 512
        })
    );
    // Right length, wrong bytes; and the SIGNTEST probe.
    assert_eq!(
        with_sig(&STANDARD.encode([1u8; 256])),
        Err(VerifyError::BadSignature)
    );
    assert_eq!(
        with_sig("WECHATPAY/SIGNTEST/AAAA"),
        Err(VerifyError::SignatureProbe)
    );
    // v2: wrong length, non-hex.
    let p = [("a", "1")];
    assert_eq!(
        sign::verify(p, &doc_v2_key(), SignType::HmacSha256, &"A".repeat(63)),
        Err(SignError::Malformed { expected: 64 })
    );
    assert_eq!(
        sign::verify(
            p,
            &doc_v2_key(),
            SignType::Md5,
            "G1234567890123456789012345678901"
        ),
        Err(SignError::Malformed { expected: 32 })
    );
}

#[test]
fn timestamps_are_plain_digits() {
    use wechatpay_sansio::v3::auth::{Authorization, AuthorizationParseError};
    use wechatpay_sansio::v3::verify::{SignatureHeaders, VerifyError};
    let auth = |t: &str| {
        Authorization::parse(&format!(
            r#"WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="{t}",serial_no="A",signature="s""#
        ))
    };
    // u64::from_str accepts a leading '+'; the header grammar does not.
    assert_eq!(auth("+1"), Err(AuthorizationParseError::Timestamp));
    assert_eq!(auth(""), Err(AuthorizationParseError::Timestamp));
    let store = crate::common::store();
    let verifier = wechatpay_sansio::v3::verify::Verifier::new(&store);
    let verify = |t: &str| {
        let h = SignatureHeaders {
            timestamp: t,
            nonce: "n",
            signature: "AAAA",
            serial: "PUB_KEY_ID_0114232134912410000000000000",
        };
        verifier
            .verify_headers(&h, b"{}", crate::common::t(1_700_000_000))
            .map(|_| ())
    };
    // 20 digits that still fit in u64 are refused as malformed, not judged by skew.
    assert_eq!(
        verify("18446744073709551615"),
        Err(VerifyError::InvalidTimestamp)
    );
    assert_eq!(verify("+1700000000"), Err(VerifyError::InvalidTimestamp));
    assert_eq!(
        verify(""),
        Err(VerifyError::InvalidHeader("wechatpay-timestamp"))
    );
}

/// The struct path of signature headers refuses what the `HeaderMap` path cannot carry: a nonce
/// with a newline could otherwise take part of the body and still verify.
#[test]
fn signature_headers_with_control_characters_are_refused() {
    let sim = Simulator::new();
    let m = Simulator::new().merchant();
    let now = t(1_800_000_000);
    let mut rng = crate::common::rng(3);
    let reply = sim.signed_v3_reply(&mut rng, StatusCode::OK, b"AB\nCD".to_vec(), now);
    let h = reply.headers();
    let get = |n: &str| h.get(n).unwrap().to_str().unwrap().to_owned();
    let (ts, nonce, sig, serial) = (
        get("wechatpay-timestamp"),
        get("wechatpay-nonce"),
        get("wechatpay-signature"),
        get("wechatpay-serial"),
    );
    // Move "AB\n" from the body into the nonce: the signed message is byte-identical.
    let shifted_nonce = format!("{nonce}\nAB");
    let headers = SignatureHeaders {
        timestamp: &ts,
        nonce: &shifted_nonce,
        signature: &sig,
        serial: &serial,
    };
    let e = m
        .verifier()
        .verify_headers(&headers, b"CD", now)
        .unwrap_err();
    assert!(matches!(e, VerifyError::InvalidHeader(_)), "{e:?}");
    for (t, n, s) in [
        (ts.as_str(), "a\tb", serial.as_str()),
        ("12\n34", nonce.as_str(), serial.as_str()),
        (ts.as_str(), nonce.as_str(), "AB\r\nCD"),
        (ts.as_str(), "", serial.as_str()),
    ] {
        let h = SignatureHeaders {
            timestamp: t,
            nonce: n,
            signature: &sig,
            serial: s,
        };
        assert!(
            matches!(
                m.verifier().verify_headers(&h, b"AB\nCD", now),
                Err(VerifyError::InvalidHeader(_))
            ),
            "{t:?} {n:?} {s:?}"
        );
    }
}

#[test]
fn a_certificate_outside_its_validity_proves_nothing() {
    let retired =
        PlatformCertificate::from_pem(crate::common::data("test_platform_expired_cert.pem"))
            .unwrap();
    let mut store = KeyStore::new();
    store.insert_certificate(&retired);
    let body = br#"{"ok":true}"#;
    let serial = retired.serial().as_str();
    let o = VerifyOptions::default();
    // Within validity (2018) the signature verifies ...
    let then = 1_514_764_800;
    let now = NOW.as_secs();
    let h = signed_by_at("test_platform2_key.pem", body, then, serial);
    assert!(crate::common::verify(&h, body, &store, then, &o).is_ok());
    // ... after expiry (2026) it proves nothing, however well it verifies.
    let h = signed_by_at("test_platform2_key.pem", body, now, serial);
    assert_eq!(
        crate::common::verify(&h, body, &store, now, &o),
        Err(VerifyError::KeyNotValidAt {
            id: serial.to_owned(),
            now: NOW,
            not_before: retired.not_before(),
            not_after: retired.not_after(),
        })
    );
    // Not yet valid: platform2 starts 2026-11-25.
    let future =
        PlatformCertificate::from_pem(crate::common::data("test_platform2_cert.pem")).unwrap();
    let mut store = KeyStore::new();
    store.insert_certificate(&future);
    let early = future.not_before().as_secs() - 1;
    let h = signed_by_at(
        "test_platform2_key.pem",
        body,
        early,
        future.serial().as_str(),
    );
    assert!(matches!(
        crate::common::verify(&h, body, &store, early, &o),
        Err(VerifyError::KeyNotValidAt { .. })
    ));
    // A WeChat Pay public key has no dates: unaffected at any time.
    let m = Simulator::new().merchant();
    let h = signed_by_at(
        "test_platform_key.pem",
        body,
        4_200_000_000,
        wechatpay_sansio::simulator::TEST_PUB_KEY_ID,
    );
    assert!(crate::common::verify(&h, body, m.keys(), 4_200_000_000, &o).is_ok());
    // The same time with the certificate serial (valid until 2099-12-31) is refused.
    let serial = Simulator::new().platform_serial().as_str().to_owned();
    let h = signed_by_at("test_platform_key.pem", body, 4_200_000_000, &serial);
    assert!(matches!(
        crate::common::verify(&h, body, m.keys(), 4_200_000_000, &o),
        Err(VerifyError::KeyNotValidAt { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn v3_sign_then_verify_and_any_byte_change_fails(body in proptest::collection::vec(any::<u8>(), 0..200), flip in any::<prop::sample::Index>(), ts in 1_600_000_000u64..1_900_000_000) {
        let platform = MerchantSigner::new(MchId::new("1").unwrap(), KeyId::new("01").unwrap(), platform_private_key());
        let ts_s = ts.to_string();
        let sig = platform.sign(&mut rng(ts), &[ts_s.as_bytes(), b"\nn0nce\n", &body, b"\n"].concat()).unwrap();
        let store = store();
        let serial = platform_cert().serial().as_str().to_owned();
        let h = SignatureHeaders { timestamp: &ts_s, nonce: "n0nce", signature: &sig, serial: &serial };
        let v = wechatpay_sansio::v3::verify::Verifier::new(&store);
        prop_assert!(v.verify_headers(&h, &body, crate::common::t(ts)).is_ok());
        let mut changed = body.clone();
        if changed.is_empty() { changed.push(0) } else { let i = flip.index(changed.len()); changed[i] ^= 0x01; }
        prop_assert_eq!(v.verify_headers(&h, &changed, crate::common::t(ts)), Err(VerifyError::BadSignature));
    }
}

/// Issue 15 item 4: the four kinds of `Untrusted` are told apart without matching text, through
/// every error type that carries a verification failure (`VerifyError`, `ResponseError`,
/// `NotifyError`, `ApiError`): a WeChat Pay signature probe (drop it), a timestamp outside the
/// window (our clock), an unknown or retired platform key (refresh the certificates), a
/// signature that does not verify (possible attack).
#[test]
fn untrusted_says_why_probe_clock_key_rotation_tampered() {
    use wechatpay_sansio::api::ApiError;
    use wechatpay_sansio::error::{Classify, Disposition, Distrust};
    use wechatpay_sansio::request::ResponseRef;
    use wechatpay_sansio::v3::notify::{self, NotifyError};
    use wechatpay_sansio::v3::response::{self, ResponseError};
    let sim = Simulator::new();
    let m = sim.merchant();
    let no_keys = m.clone().with_keys(KeyStore::new());
    let good = sim.signed_v3_reply(&mut rng(31), StatusCode::OK, b"{}".to_vec(), NOW);
    let with_signature = |sig: &str| {
        let mut r = good.clone();
        r.headers_mut()
            .insert("wechatpay-signature", HeaderValue::from_str(sig).unwrap());
        r
    };
    let probe = with_signature("WECHATPAY/SIGNTEST/AAAA");
    let s = good.headers()["wechatpay-signature"].to_str().unwrap();
    let forged = with_signature(&format!(
        "{}{}",
        if s.starts_with('A') { "B" } else { "A" },
        &s[1..]
    ));
    let mut altered = good.clone();
    altered.body_mut().push(b' ');
    // 2101: after the TEST ONLY platform certificate's validity, signed and checked then.
    let late = t(4_133_980_800);
    let retired = sim.signed_v3_reply(&mut rng(32), StatusCode::OK, b"{}".to_vec(), late);
    let cases = [
        (&probe, &m, NOW, Distrust::Probe),
        (&good, &m, t(NOW.as_secs() + 300), Distrust::Clock),
        (&good, &m, t(NOW.as_secs() - 300), Distrust::Clock),
        (&good, &no_keys, NOW, Distrust::KeyRotation),
        (&retired, &m, late, Distrust::KeyRotation),
        (&forged, &m, NOW, Distrust::Tampered),
        (&altered, &m, NOW, Distrust::Tampered),
    ];
    for (i, (reply, merchant, now, want)) in cases.into_iter().enumerate() {
        let v = merchant
            .verifier()
            .verify(reply.headers(), reply.body(), now)
            .unwrap_err();
        assert_eq!(v.disposition(), Disposition::Untrusted, "{i}: {v}");
        assert_eq!(v.distrust(), Some(want), "{i}: {v}");
        let r =
            response::check(ResponseRef::from_http(reply), &merchant.verifier(), now).unwrap_err();
        assert_eq!(r, ResponseError::Verify(v.clone()));
        assert_eq!(r.distrust(), Some(want), "{i}: {r}");
        let a = ApiError::from(r);
        assert_eq!(a.distrust(), Some(want), "{i}: {a}");
        // Notifications are signed the same way.
        let n = notify::parse(
            reply.headers(),
            reply.body(),
            &merchant.verifier(),
            m.api_v3_key().unwrap(),
            now,
        )
        .unwrap_err();
        assert_eq!(n, NotifyError::Verify(v));
        assert_eq!(n.distrust(), Some(want), "{i}: {n}");
    }
    // Only Untrusted errors have a reason; the default for the others of that kind is Tampered.
    assert_eq!(ApiError::Rng.distrust(), None);
    assert_eq!(
        ApiError::Mismatch("appid".into()).distrust(),
        Some(Distrust::Tampered)
    );
}
