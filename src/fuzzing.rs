//! Fuzz harness bodies (feature `fuzzing`), shared by the cargo-fuzz targets under `fuzz/` and by
//! `tests/it/fuzz_corpus.rs`, which feeds every committed corpus file through the same functions
//! in an ordinary `cargo test` run. Not a stable API.
//!
//! Every harness takes arbitrary bytes, must never panic on them, and panics (`assert!`) only
//! when a property is violated (a round trip that does not hold, a mutated signature that
//! verifies). Adding a target is one function here, one entry in [`TARGETS`], one file under
//! `fuzz/fuzz_targets/` and one `[[bin]]` entry in `fuzz/Cargo.toml`.
//!
//! The v3 harnesses read an HTTP-like framing, so the fuzzer can mutate status, clock, headers and
//! body at once (see [`encode_http`] / [`decode_http`]):
//!
//! ```text
//! 200 1700000000\n        status and `now` (optional: defaults 200 and the Wechatpay-Timestamp)
//! Name: value\n           any number of header lines (invalid names / values are skipped)
//! \n
//! body bytes
//! ```

use crate::api::Operation;
use crate::keys::{KeyStore, MerchantPrivateKey, PlatformCertificate, PublicKey};
use crate::merchant::Merchant;
use crate::request::ResponseRef;
use crate::secret::ApiV2Key;
use crate::simulator::Simulator;
use crate::time::UnixTime;
use crate::v2::fold::{self, Reliance};
use crate::v2::reply::{self, Expect, ReplySigning};
use crate::v2::xml::{self, XmlLimits};
use crate::v2::{Fields, SignType, sign};
use crate::v3;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use std::sync::OnceLock;

/// A harness: arbitrary bytes in, panics only on a violated property.
pub type Harness = fn(&[u8]);

/// Every harness by target name (the file name under `fuzz/fuzz_targets/` and the corpus
/// directory under `fuzz/corpus/`).
pub const TARGETS: &[(&str, Harness)] = &[
    ("v2_xml_parse", v2_xml_parse),
    ("v2_xml_roundtrip", v2_xml_roundtrip),
    ("v2_reply", v2_reply),
    ("v2_sign_roundtrip", v2_sign_roundtrip),
    ("v2_pay_notify", v2_pay_notify),
    ("v2_refund_notify", v2_refund_notify),
    ("v3_response", v3_response),
    ("v3_notify", v3_notify),
    ("v3_authorization", v3_authorization),
    ("v3_error_body", v3_error_body),
    ("v3_certificates", v3_certificates),
    ("keys", keys),
    ("api_realnameauth", api_realnameauth),
    ("api_getaccesstoken", api_getaccesstoken),
    ("api_getpublickey", api_getpublickey),
    ("api_querymchrisk", api_querymchrisk),
    ("api_nameauth", api_nameauth),
    ("api_pay_v3", api_pay_v3),
    ("v3_pay_notify", v3_pay_notify),
    ("api_unifiedorder", api_unifiedorder),
    ("api_orderquery", api_orderquery),
    ("api_closeorder", api_closeorder),
    ("api_refund", api_refund),
    ("api_refundquery", api_refundquery),
    ("api_bill", api_bill),
    ("bill_rows", bill_rows),
    ("v3_media_upload", v3_media_upload),
];

/// Look a harness up by target name.
#[must_use]
pub fn harness(name: &str) -> Option<Harness> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, h)| *h)
}

/// The TEST ONLY merchant (keys parsed once per process).
pub fn merchant() -> &'static Merchant {
    static M: OnceLock<Merchant> = OnceLock::new();
    M.get_or_init(|| Simulator::new().merchant())
}

/// The fallback clock of the v3 harnesses when neither the framing nor a
/// `Wechatpay-Timestamp` gives one.
pub const DEFAULT_NOW: UnixTime = UnixTime::from_secs(1_700_000_000);

/// Frame a reply for the v3 harnesses.
#[must_use]
pub fn encode_http(status: u16, now: UnixTime, headers: &HeaderMap, body: &[u8]) -> Vec<u8> {
    let mut out = format!("{status} {now}\n").into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(body);
    out
}

/// A decoded framing: status, clock, headers, body.
#[derive(Debug)]
pub struct Framed<'a> {
    /// HTTP status (default 200).
    pub status: StatusCode,
    /// The verifier's clock.
    pub now: UnixTime,
    /// Headers (lines that are not valid header syntax are skipped).
    pub headers: HeaderMap,
    /// Body.
    pub body: &'a [u8],
}

/// Decode the framing of [`encode_http`]; never fails (odd input degrades to defaults).
#[must_use]
pub fn decode_http(data: &[u8]) -> Framed<'_> {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (&data[..0], data),
    };
    let mut lines = head.split(|&b| b == b'\n');
    let mut status = StatusCode::OK;
    let mut now = None;
    let mut headers = HeaderMap::new();
    let mut first = true;
    for line in &mut lines {
        if first {
            first = false;
            let text = String::from_utf8_lossy(line);
            let mut it = text.split(' ');
            if let Some(Ok(s)) = it.next().map(str::parse::<u16>) {
                if let Ok(s) = StatusCode::from_u16(s) {
                    status = s;
                }
                now = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .map(UnixTime::from_secs);
                continue;
            }
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = &line[..colon];
        let mut value = &line[colon + 1..];
        while let [b' ', rest @ ..] = value {
            value = rest;
        }
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
            headers.append(n, v);
        }
    }
    let now = now.unwrap_or_else(|| {
        headers
            .get(&v3::header::WECHATPAY_TIMESTAMP)
            .and_then(|v| v.to_str().ok())
            .and_then(|s| s.trim().parse().ok())
            .map_or(DEFAULT_NOW, UnixTime::from_secs)
    });
    Framed {
        status,
        now,
        headers,
        body,
    }
}

/// `v2::xml::parse`; when the parsed names are writable, parse → `to_xml` → parse is the identity.
pub fn v2_xml_parse(data: &[u8]) {
    // The direct scan for the common shape never accepts what quick-xml would read otherwise.
    assert!(
        xml::paths_agree(data),
        "the fast path and quick-xml disagree"
    );
    let Ok(fields) = xml::parse(data) else { return };
    if !fields.iter().all(|(k, _)| xml::is_valid_name(k)) {
        return;
    }
    // A parsed reply may keep C0 controls (real replies carry them); the builder refuses to
    // write them. Either the round trip holds, or the builder names the control character.
    let writable = |v: &str| {
        v.chars().all(|c| {
            matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        })
    };
    let again = xml::to_xml(fields.iter()).map(String::into_bytes);
    if fields.iter().all(|(_, v)| writable(v)) {
        let again = again.as_deref().map(xml::parse);
        assert!(
            matches!(&again, Ok(Ok(f)) if same_fields(f, &fields)),
            "parse → to_xml → parse changed the fields: {again:?}"
        );
    } else {
        assert!(
            matches!(again, Err(xml::XmlError::IllegalCharacter { .. })),
            "to_xml wrote a value it must refuse: {again:?}"
        );
    }
}

fn same_fields(a: &Fields<'_>, b: &Fields<'_>) -> bool {
    let mut x: Vec<_> = a.iter().collect();
    let mut y: Vec<_> = b.iter().collect();
    x.sort_unstable();
    y.sort_unstable();
    x == y
}

/// Split fuzz bytes into `(name, value)` string pairs: NUL separates items, items alternate
/// name / value (invalid UTF-8 is replaced).
#[must_use]
pub fn pairs(data: &[u8]) -> Vec<(String, String)> {
    let items: Vec<String> = data
        .split(|&b| b == 0)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect();
    items
        .chunks(2)
        .map(|c| {
            (
                c.first().cloned().unwrap_or_default(),
                c.get(1).cloned().unwrap_or_default(),
            )
        })
        .collect()
}

/// Arbitrary map → `to_xml` → `parse` gives the same map; `to_xml` fails exactly when a name is
/// invalid, a name repeats, or a value holds a character XML cannot carry.
pub fn v2_xml_roundtrip(data: &[u8]) {
    let pairs = pairs(data);
    let built = xml::to_xml(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let mut names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    let unique = names.windows(2).all(|w| w[0] != w[1]);
    let writable = pairs.iter().all(|(k, v)| {
        xml::is_valid_name(k)
            && v.chars().all(|c| {
                matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
            })
    });
    assert_eq!(built.is_ok(), unique && writable, "{built:?}");
    let Ok(body) = built else { return };
    let limits = XmlLimits::default()
        .with_max_bytes(usize::MAX)
        .with_max_fields(usize::MAX);
    let parsed = xml::parse_with_limits(body.as_bytes(), &limits);
    let Ok(parsed) = parsed else {
        panic!("to_xml output does not parse: {parsed:?}")
    };
    assert_eq!(parsed.len(), pairs.len());
    for (k, v) in &pairs {
        assert_eq!(parsed.get(k), Some(v.as_str()), "field {k:?}");
    }
}

/// A fixed TEST ONLY APIv2 key for the v2 harnesses.
pub fn v2_key() -> &'static ApiV2Key {
    merchant()
        .api_v2_key()
        .unwrap_or_else(|_| unreachable!("the simulator's merchant has an APIv2 key"))
}

fn v3_key() -> &'static crate::secret::ApiV3Key {
    merchant()
        .api_v3_key()
        .unwrap_or_else(|_| unreachable!("the simulator's merchant has an APIv3 key"))
}

/// `v2::reply::parse_and_check` under every signing mode.
pub fn v2_reply(data: &[u8]) {
    let key = v2_key();
    let limits = XmlLimits::default();
    for signing in [
        ReplySigning::Unsigned,
        ReplySigning::Signed { expected: None },
        ReplySigning::Signed {
            expected: Some(SignType::Md5),
        },
        ReplySigning::Signed {
            expected: Some(SignType::HmacSha256),
        },
    ] {
        let r = reply::parse_and_check(data, key, &Expect::from_signing(signing), &limits);
        if let Ok(f) = &r {
            // Accepted: SUCCESS codes, both present.
            assert_eq!(f.get("return_code"), Some("SUCCESS"));
            assert_eq!(f.get("result_code"), Some("SUCCESS"));
        }
        if let (Ok(f), ReplySigning::Signed { .. }) = (&r, signing) {
            // Accepted as signed: it carries a sign and every reading agrees on every field.
            assert!(f.get_non_empty("sign").is_some());
            let every: Vec<(&str, Reliance)> = f
                .iter()
                .filter(|(k, _)| *k != "sign")
                .map(|(k, _)| {
                    (
                        k,
                        if k == "attach" {
                            Reliance::Opaque
                        } else {
                            Reliance::Strict
                        },
                    )
                })
                .collect();
            assert_eq!(fold::check(f, &every), Ok(()));
        }
        let _ = r.map_err(|e| e.to_string());
    }
}

/// Arbitrary map → sign → verify holds (both algorithms); a changed value, an extra field or a
/// flipped signature character makes it fail.
pub fn v2_sign_roundtrip(data: &[u8]) {
    let key = v2_key();
    let pairs = pairs(data);
    let view = || pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    for t in [SignType::Md5, SignType::HmacSha256] {
        let Ok(s) = sign::sign(view(), key, t) else {
            assert!(
                pairs
                    .iter()
                    .any(|(k, _)| k.is_empty() || k.contains(['=', '&']))
                    || has_duplicate_participant(&pairs),
                "sign refused valid pairs"
            );
            return;
        };
        assert_eq!(s.as_str().len(), t.hex_len());
        assert_eq!(sign::verify(view(), key, t, s.as_str()), Ok(()));
        assert_eq!(
            sign::verify(view(), key, t, &s.as_str().to_ascii_lowercase()),
            Ok(())
        );
        // One changed value among the participating pairs.
        if let Some(i) = pairs.iter().position(|(k, v)| k != "sign" && !v.is_empty()) {
            let mut changed = pairs.clone();
            changed[i].1.push('x');
            let r = sign::verify(
                changed.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                key,
                t,
                s.as_str(),
            );
            assert_eq!(r, Err(sign::SignError::Mismatch), "changed value verified");
        }
        // An extra participating field.
        if !pairs.iter().any(|(k, _)| k == "zz_extra") {
            let r = sign::verify(view().chain([("zz_extra", "1")]), key, t, s.as_str());
            assert_eq!(r, Err(sign::SignError::Mismatch), "extra field verified");
        }
        // One flipped hex digit.
        let mut flipped = s.as_str().to_owned().into_bytes();
        flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).unwrap_or_default();
        assert_eq!(
            sign::verify(view(), key, t, &flipped),
            Err(sign::SignError::Mismatch)
        );
        // The other algorithm's sign never passes.
        let other = match t {
            SignType::Md5 => SignType::HmacSha256,
            SignType::HmacSha256 => SignType::Md5,
        };
        assert!(sign::verify(view(), key, other, s.as_str()).is_err());
    }
}

fn has_duplicate_participant(pairs: &[(String, String)]) -> bool {
    let mut names: Vec<&str> = pairs
        .iter()
        .filter(|(k, v)| k != "sign" && !v.is_empty())
        .map(|(k, _)| k.as_str())
        .collect();
    names.sort_unstable();
    names.windows(2).any(|w| w[0] == w[1])
}

/// `v3::response::check` on a framed reply with the TEST ONLY key store.
pub fn v3_response(data: &[u8]) {
    let f = decode_http(data);
    let r = v3::response::check(
        ResponseRef::new(f.status, &f.headers, f.body),
        &merchant().verifier(),
        f.now,
    );
    if r.is_ok() {
        // Only a 2xx can be accepted, and only with all four headers present.
        assert!(f.status.is_success());
        assert!(v3::verify::SignatureHeaders::from_headers(&f.headers).is_ok());
    }
    let _ = r.map_err(|e| e.to_string());
}

/// `v3::notify::parse` on a framed notification, plus the envelope and AES-GCM path without the
/// signature (so the fuzzer reaches decryption without forging RSA signatures).
pub fn v3_notify(data: &[u8]) {
    let f = decode_http(data);
    let m = merchant();
    let r = v3::notify::parse(&f.headers, f.body, &m.verifier(), v3_key(), f.now);
    if let Ok(n) = &r {
        let _ = n.payload::<serde_json::Value>();
    }
    let _ = r.map_err(|e| e.to_string());
    if let Ok(n) = serde_json::from_slice::<v3::notify::Notification>(f.body)
        && let Ok(pt) = n.resource.decrypt(v3_key())
    {
        // AES-GCM is authenticated: a decrypted resource re-encrypts to the same ciphertext.
        let again = v3::resource::EncryptedResource::encrypt(
            v3_key(),
            &n.resource.nonce,
            n.resource.associated_data.as_deref().unwrap_or(""),
            "",
            &pt,
        );
        assert!(again.is_some_and(|a| a.ciphertext == n.resource.ciphertext));
    }
}

/// `Authorization::parse`; parse → Display → parse is the identity.
pub fn v3_authorization(data: &[u8]) {
    let Ok(s) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(a) = v3::auth::Authorization::parse(s) else {
        return;
    };
    let text = a.to_string();
    assert_eq!(
        v3::auth::Authorization::parse(&text).as_ref(),
        Ok(&a),
        "{text}"
    );
    // What parses is a valid header value (no CR/LF injection through a parsed header).
    assert!(HeaderValue::from_str(&text).is_ok(), "{text}");
}

/// `ErrorBody::parse`; the echoed `detail.value` never shows in `Debug`.
pub fn v3_error_body(data: &[u8]) {
    if let Ok(e) = v3::response::ErrorBody::parse(data)
        && e.detail.as_ref().is_some_and(|d| d.value.is_some())
    {
        assert!(format!("{e:?}").contains(crate::secret::REDACTED));
    }
}

/// `v3::certificates::decrypt` with the TEST ONLY APIv3 key.
pub fn v3_certificates(data: &[u8]) {
    if let Ok(certs) = v3::certificates::decrypt(data, v3_key()) {
        let mut store = KeyStore::new();
        for c in &certs {
            store.insert_certificate(c);
            assert!(store.get(c.serial()).is_some());
        }
    }
}

/// Every PEM / DER loader of [`crate::keys`]; a loaded key re-exports and re-loads identically.
pub fn keys(data: &[u8]) {
    if let Ok(k) = MerchantPrivateKey::from_pem(data) {
        assert_eq!(k.public_key().bits(), crate::keys::RSA_BITS);
    }
    let _ = MerchantPrivateKey::from_der(data);
    for pk in [
        PublicKey::from_pem(data),
        PublicKey::from_spki_der(data),
        PublicKey::from_pkcs1_der(data),
    ]
    .into_iter()
    .flatten()
    {
        let der = pk.to_spki_der();
        let Ok(der) = der else {
            panic!("loaded key does not re-encode: {der:?}")
        };
        assert_eq!(PublicKey::from_spki_der(&der).as_ref(), Ok(&pk));
    }
    for c in [
        PlatformCertificate::from_pem(data),
        PlatformCertificate::from_der(data),
    ]
    .into_iter()
    .flatten()
    {
        assert_eq!(c.public_key().bits(), crate::keys::RSA_BITS);
        assert_eq!(
            crate::keys::KeyId::new(c.serial().as_str()).as_ref(),
            Ok(c.serial())
        );
        let _ = format!("{c:?}");
    }
}

fn ok_200(body: &[u8]) -> (HeaderMap, StatusCode, &[u8]) {
    (HeaderMap::new(), StatusCode::OK, body)
}

/// What a v2 pay notification exposes (the oracle's own list, not the crate's).
const PAY_NOTIFY_RELIED: &[(&str, Reliance)] = &[
    ("return_code", Reliance::Strict),
    ("result_code", Reliance::Strict),
    ("appid", Reliance::Strict),
    ("mch_id", Reliance::Strict),
    ("sub_mch_id", Reliance::Strict),
    ("openid", Reliance::Strict),
    ("out_trade_no", Reliance::Strict),
    ("transaction_id", Reliance::Strict),
    ("trade_type", Reliance::Strict),
    ("time_end", Reliance::Strict),
    ("total_fee", Reliance::Strict),
    ("cash_fee", Reliance::Strict),
    ("bank_type", Reliance::Strict),
    ("fee_type", Reliance::Strict),
    ("attach", Reliance::Opaque),
];

/// `v2::notify::parse_with` with the TEST ONLY APIv2 key, for each configured sign type.
/// Accepting a notification requires a valid sign with an allowed algorithm (never MD5 where
/// HMAC-SHA256 is configured), no reading that changes what it exposes, the required fields, and
/// it never panics; the answer is always a 200 XML body.
pub fn v2_pay_notify(data: &[u8]) {
    use crate::v2::notify::{self, PayNotifyOptions};
    for configured in [None, Some(SignType::Md5), Some(SignType::HmacSha256)] {
        let options = PayNotifyOptions {
            sign_type: configured,
            ..PayNotifyOptions::default()
        };
        let r = notify::parse_with(data, v2_key(), &options);
        if let Ok(n) = &r {
            let f = n.fields();
            if let Some(c) = configured {
                assert_eq!(n.sign_type(), c, "verified with another algorithm");
            }
            assert!(sign::verify_fields(f, v2_key(), Some(n.sign_type())).is_ok());
            assert_eq!(fold::check(f, PAY_NOTIFY_RELIED), Ok(()));
            for name in notify::REQUIRED {
                assert!(f.get_non_empty(name).is_some(), "accepted without {name}");
            }
            assert_eq!(n.transaction_id(), f.get("transaction_id").unwrap_or(""));
            assert!(!format!("{n:?}").contains(n.openid()) || n.openid().len() < 4);
        }
        let answer = notify::answer(&r);
        assert_eq!(answer.status(), StatusCode::OK);
        assert!(xml::parse(answer.body()).is_ok());
        let _ = r.map_err(|e| e.to_string());
    }
}

/// `v2::refund_notify::parse_with` with the TEST ONLY APIv2 key, twice per input: the input as
/// the notification body (ids not configured, then configured), and the input as the decrypted
/// `req_info`, encrypted here and wrapped in a genuine outer body, so that the fuzzer reaches the
/// inner document. Never panics; an accepted notification carries every required field with the
/// values the typed notification reports and `Debug` never shows `refund_recv_accout`; the
/// payment parser names an unsigned body with `req_info` as a refund notification; the answer is
/// always a 200 XML body.
pub fn v2_refund_notify(data: &[u8]) {
    use crate::v2::notify::{self, PayNotifyError};
    use crate::v2::refund_notify::{self, RefundNotifyError, RefundNotifyOptions};
    use base64::Engine as _;
    let key = v2_key();
    let check = |r: &Result<refund_notify::RefundNotification, RefundNotifyError>| {
        if let Ok(n) = r {
            let f = n.req_info();
            for name in refund_notify::REQUIRED {
                assert!(f.get_non_empty(name).is_some(), "accepted without {name}");
            }
            assert_eq!(f.get("refund_id"), Some(n.refund_id()));
            assert_eq!(f.get("out_refund_no"), Some(n.out_refund_no()));
            // The amounts as numbers: leading zeros are digits like any other (`0593` is 593;
            // an early run of this harness compared the text and stopped on that).
            let fen = |name| f.get(name).and_then(|v| v.parse::<u64>().ok());
            assert_eq!(fen("refund_fee"), Some(n.refund_fee()));
            assert_eq!(fen("total_fee"), Some(n.total_fee()));
            assert_eq!(f.get("refund_status"), Some(n.refund_status().as_str()));
            // Debug shows the account as redacted (a substring test could match the other
            // values it prints).
            if n.refund_recv_accout().is_some() {
                assert!(
                    format!("{n:?}").contains("refund_recv_accout: Some(Personal(<redacted>))"),
                    "account in Debug"
                );
            }
        }
        let answer = refund_notify::answer(r);
        assert_eq!(answer.status(), StatusCode::OK);
        assert!(xml::parse(answer.body()).is_ok());
        let _ = r.as_ref().map_err(ToString::to_string);
    };
    // 1. The input as the body.
    let r = refund_notify::parse(data, key);
    check(&r);
    if let Ok(n) = &r {
        let ours = RefundNotifyOptions::default()
            .with_appid(n.appid())
            .with_mch_id(n.mch_id());
        assert_eq!(refund_notify::parse_with(data, key, &ours).as_ref(), Ok(n));
        let other = RefundNotifyOptions::default().with_mch_id("0");
        assert_eq!(
            refund_notify::parse_with(data, key, &other),
            Err(RefundNotifyError::Mismatch("mch_id"))
        );
    }
    if let Ok(f) = xml::parse(data)
        && f.get("return_code") == Some("SUCCESS")
        && f.get("req_info").is_some()
        && f.get("sign").is_none()
    {
        assert_eq!(
            notify::parse(data, key),
            Err(PayNotifyError::RefundNotification)
        );
    }
    // 2. The input as the decrypted req_info.
    let ct = crate::crypto::aes256ecb_pkcs7_encrypt(&refund_notify::req_info_key(key), data);
    let body = format!(
        "<xml><return_code>SUCCESS</return_code><appid>wx1</appid><mch_id>1</mch_id><req_info>{}</req_info></xml>",
        base64::engine::general_purpose::STANDARD.encode(ct)
    );
    let r = refund_notify::parse(body.as_bytes(), key);
    assert!(
        !matches!(
            r,
            Err(RefundNotifyError::Base64
                | RefundNotifyError::CiphertextLength(_)
                | RefundNotifyError::Padding)
        ),
        "a genuine req_info did not decrypt"
    );
    check(&r);
}

/// What a `realnameauth` outcome reads (the oracle's own list, on purpose not the crate's).
const REALNAMEAUTH_RELIED: &[(&str, Reliance)] = &[
    ("return_code", Reliance::Strict),
    ("result_code", Reliance::Strict),
    ("mch_id", Reliance::Strict),
    ("appid", Reliance::Strict),
    ("openid", Reliance::Strict),
    ("access_token", Reliance::Strict),
    ("verify_openid", Reliance::Strict),
    ("verify_real_name", Reliance::Strict),
    ("bind_bankcard", Reliance::Strict),
];

/// `api::realnameauth::read_reply` (signed v2 reply) with the TEST ONLY APIv2 key, for each way
/// of choosing the sign type. Accepting a reply requires a valid sign over it and no fold.
pub fn api_realnameauth(data: &[u8]) {
    let (h, st, body) = ok_200(data);
    for t in [None, Some(SignType::Md5), Some(SignType::HmacSha256)] {
        let r = crate::api::read_reply_with::<crate::api::realnameauth::RealNameAuthRequest>(
            merchant(),
            ResponseRef::new(st, &h, body),
            DEFAULT_NOW,
            &crate::api::realnameauth::RealNameAuthReplyOptions::signed_with(t),
        );
        if r.is_ok() {
            let f = xml::parse(body).map_err(|e| e.to_string());
            assert!(
                f.is_ok_and(|f| sign::verify_fields(&f, v2_key(), t).is_ok()
                    && fold::check(&f, REALNAMEAUTH_RELIED).is_ok()),
                "accepted an unsigned or folded reply"
            );
        }
        let _ = r.map_err(|e| e.to_string());
    }
}

/// `appauth/getaccesstoken`'s unsigned JSON reply.
pub fn api_getaccesstoken(data: &[u8]) {
    let (h, st, body) = ok_200(data);
    let _ = crate::api::oauth::read_reply(merchant(), ResponseRef::new(st, &h, body), DEFAULT_NOW)
        .map_err(|e| e.to_string());
}

/// `risk/getpublickey`'s unsigned XML reply carrying a PKCS#1 PEM.
pub fn api_getpublickey(data: &[u8]) {
    let (h, st, body) = ok_200(data);
    let _ = crate::api::getpublickey::GetPublicKeyRequest::new()
        .parse_reply(merchant(), ResponseRef::new(st, &h, body), DEFAULT_NOW)
        .map_err(|e| e.to_string());
}

/// `mchrisk/querymchrisk`'s unsigned XML reply.
pub fn api_querymchrisk(data: &[u8]) {
    let (h, st, body) = ok_200(data);
    let _ = crate::api::querymchrisk::read_reply(
        merchant(),
        ResponseRef::new(st, &h, body),
        DEFAULT_NOW,
    )
    .map_err(|e| e.to_string());
}

/// `nameautheasy`'s JSON or JSONP reply (any callback name).
pub fn api_nameauth(data: &[u8]) {
    let (h, st, body) = ok_200(data);
    let _ =
        crate::api::nameauth::read_reply(merchant(), ResponseRef::new(st, &h, body), DEFAULT_NOW)
            .map_err(|e| e.to_string());
}

fn simulator() -> &'static Simulator {
    static S: OnceLock<Simulator> = OnceLock::new();
    S.get_or_init(Simulator::new)
}

/// A deterministic RNG for the harnesses that sign (the simulator's side).
fn fuzz_rng() -> impl rand_core::TryCryptoRng {
    use rand_core::SeedableRng;
    rand_chacha::ChaCha20Rng::seed_from_u64(0)
}

/// The v3 payment replies past verification. Every input: the body as a verified reply of each
/// payment operation (`v3_common::decode_verified` with its echoes, then the typed outcome), at
/// full speed. One input in 32 (first byte): also the whole path, the body in a reply the
/// simulator signs (status from that byte: 200, 204 or 404) read by every `read_reply` (an RSA
/// signature per input, so only a sample). A typed outcome must agree with the JSON's own values
/// for the ids it reports.
pub fn api_pay_v3(data: &[u8]) {
    use crate::api::Echo;
    use crate::api::pay::{Refund, Transaction, close, prepay, query, refund, refund_query};
    use crate::api::v3_common::decode_verified;
    let (first, body) = data.split_first().map_or((0, data), |(b, rest)| (*b, rest));
    let m = merchant();
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let id = |name: &str| {
        json.as_ref()
            .and_then(|j| j.get(name))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let present = |names: &'static [&'static str]| Echo::present(names);
    let t = decode_verified(body, &present(&["out_trade_no", "mchid"]))
        .and_then(Transaction::from_value);
    if let Ok(t) = t {
        assert_eq!(Some(t.out_trade_no), id("out_trade_no"));
    }
    let r = decode_verified(body, &present(&["out_refund_no"])).and_then(Refund::from_value);
    if let Ok(r) = r {
        assert_eq!(Some(r.out_refund_no), id("out_refund_no"));
        assert_eq!(Some(r.refund_id), id("refund_id"));
    }
    let _ = Transaction::from_json(body).map_err(|e| e.to_string());
    let _ = Refund::from_json(body).map_err(|e| e.to_string());
    if first % 32 != 0 {
        return;
    }
    let status = match first % 3 {
        0 => StatusCode::OK,
        1 => StatusCode::NO_CONTENT,
        _ => StatusCode::NOT_FOUND,
    };
    let reply = simulator().signed_v3_reply(&mut fuzz_rng(), status, body.to_vec(), DEFAULT_NOW);
    let r = || ResponseRef::from_http(&reply);
    if let Ok(t) = query::read_reply(m, r(), DEFAULT_NOW) {
        assert_eq!(Some(t.out_trade_no), id("out_trade_no"));
    }
    if let Ok(x) = refund::read_reply(m, r(), DEFAULT_NOW) {
        assert_eq!(Some(x.out_refund_no), id("out_refund_no"));
    }
    if let Ok(x) = refund_query::read_reply(m, r(), DEFAULT_NOW) {
        assert_eq!(Some(x.refund_id), id("refund_id"));
    }
    let _ = prepay::read_reply(m, r(), DEFAULT_NOW).map_err(|e| e.to_string());
    let _ = close::read_reply(m, r(), DEFAULT_NOW).map_err(|e| e.to_string());
}

/// Payment notifications past verification and decryption. Every input: the bytes (after an
/// event-type byte) as the decrypted plaintext, typed by `api::pay::notify::event`, at full
/// speed. One input in 32: also the whole path, the plaintext in a notification the simulator
/// signs and encrypts, through `api::pay::notify::parse`. The typed event must name this
/// merchant and agree with the plaintext's ids.
pub fn v3_pay_notify(data: &[u8]) {
    use crate::api::pay::notify::{self, PaymentEvent};
    use crate::v3::notify::{DecryptedNotification, Notification};
    let (first, plaintext) = data.split_first().map_or((0, data), |(b, rest)| (*b, rest));
    let event_type = [
        "TRANSACTION.SUCCESS",
        "REFUND.SUCCESS",
        "REFUND.ABNORMAL",
        "REFUND.CLOSED",
    ][usize::from(first % 4)];
    let m = merchant();
    let json: Option<serde_json::Value> = serde_json::from_slice(plaintext).ok();
    let id = |name: &str| {
        json.as_ref()
            .and_then(|j| j.get(name))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let check = |e: Result<PaymentEvent, crate::api::ApiError>| match e {
        Ok(PaymentEvent::Transaction(t)) => {
            assert_eq!(Some(t.out_trade_no), id("out_trade_no"));
            let named = id("sp_mchid").or_else(|| id("mchid"));
            assert_eq!(
                named.as_deref(),
                Some(m.mchid().as_str()),
                "another merchant's"
            );
        }
        Ok(PaymentEvent::Refund(r)) => {
            assert_eq!(Some(r.out_refund_no), id("out_refund_no"));
            assert_eq!(Some(r.refund_id), id("refund_id"));
        }
        Ok(PaymentEvent::Other { .. }) => unreachable!("the event types above are all typed"),
        Err(e) => {
            let _ = notify::answer(&Err(e));
        }
    };
    let envelope = Notification {
        id: "EV-2018022511223320873".into(),
        create_time: "2018-06-08T10:34:56+08:00".into(),
        event_type: event_type.into(),
        resource_type: "encrypt-resource".into(),
        summary: String::new(),
        resource: crate::v3::resource::EncryptedResource {
            algorithm: "AEAD_AES_256_GCM".into(),
            ciphertext: String::new(),
            associated_data: None,
            nonce: String::new(),
            original_type: None,
        },
    };
    let decrypted = DecryptedNotification {
        notification: envelope,
        plaintext: plaintext.to_vec().into(),
    };
    check(notify::event(m, &decrypted));
    if first % 32 < 4 {
        let sent = simulator().notification(event_type, plaintext, DEFAULT_NOW, &mut fuzz_rng());
        check(notify::parse(m, sent.headers(), sent.body(), DEFAULT_NOW));
    }
}
/// What every v2 payment outcome reads besides its own fields (the oracle's own list).
const PAY_V2_PARTIES: &[(&str, Reliance)] = &[
    ("return_code", Reliance::Strict),
    ("result_code", Reliance::Strict),
    ("appid", Reliance::Strict),
    ("mch_id", Reliance::Strict),
    ("sub_appid", Reliance::Strict),
    ("sub_mch_id", Reliance::Strict),
];

/// Read a signed v2 payment reply without its request, for each way of choosing the sign type;
/// when `read` accepts it, the sign must verify over it with that choice, no reading of it may
/// change a field of `relied` (the oracle's own list of what the outcome exposes, with
/// [`PAY_V2_PARTIES`]), and `check` must hold of the outcome and the fields.
fn pay_v2_reply<T>(
    data: &[u8],
    read: impl Fn(ResponseRef<'_>, Option<SignType>) -> Result<T, crate::api::ApiError>,
    relied: impl Fn(&Fields<'_>) -> Vec<(String, Reliance)>,
    check: impl Fn(&T, &Fields<'_>),
) {
    let (h, st, body) = ok_200(data);
    for t in [None, Some(SignType::Md5), Some(SignType::HmacSha256)] {
        let r = read(ResponseRef::new(st, &h, body), t);
        if let Ok(out) = &r {
            let f = xml::parse(body).expect("accepted a reply that is not XML");
            assert!(
                sign::verify_fields(&f, v2_key(), t).is_ok(),
                "accepted an unsigned or badly signed reply"
            );
            let own = relied(&f);
            let all: Vec<(&str, Reliance)> = PAY_V2_PARTIES
                .iter()
                .copied()
                .chain(own.iter().map(|(n, r)| (n.as_str(), *r)))
                .collect();
            assert_eq!(fold::check(&f, &all), Ok(()), "accepted a folded reply");
            check(out, &f);
        }
        let _ = r.map_err(|e| e.to_string());
    }
}

fn strict(names: &[&str]) -> Vec<(String, Reliance)> {
    names
        .iter()
        .map(|n| ((*n).to_owned(), Reliance::Strict))
        .collect()
}

/// `pay/unifiedorder`'s signed reply: accepted only signed and unfolded, with a known
/// `trade_type`, a `prepay_id`, and the URL its trade type needs.
pub fn api_unifiedorder(data: &[u8]) {
    use crate::api::pay_v2::unifiedorder::*;
    pay_v2_reply(
        data,
        |r, t| {
            crate::api::read_reply_with::<UnifiedOrderRequest>(
                merchant(),
                r,
                DEFAULT_NOW,
                &UnifiedOrderReplyOptions::signed_with(t),
            )
        },
        |_| {
            let mut v = strict(&["trade_type", "prepay_id"]);
            v.push(("code_url".into(), Reliance::Text));
            v.push(("mweb_url".into(), Reliance::Text));
            v
        },
        |out, f| {
            assert_eq!(f.get("prepay_id"), Some(out.prepay_id.as_str()));
            assert_eq!(f.get("trade_type"), Some(out.trade_type.as_str()));
            match out.trade_type {
                V2TradeType::Native => assert!(out.code_url.is_some()),
                V2TradeType::Mweb => assert!(out.mweb_url.is_some()),
                _ => {}
            }
        },
    );
}

/// `pay/orderquery`'s signed reply: accepted only signed and unfolded (`attach` opaque); a
/// `SUCCESS` state comes with its payment; the openid never reaches `Debug`.
pub fn api_orderquery(data: &[u8]) {
    use crate::api::pay_v2::{V2PayReplyOptions, orderquery::*};
    pay_v2_reply(
        data,
        |r, t| {
            crate::api::read_reply_with::<V2OrderQueryRequest>(
                merchant(),
                r,
                DEFAULT_NOW,
                &V2PayReplyOptions::signed_with(t),
            )
        },
        |_| {
            let mut v = strict(&[
                "trade_state",
                "out_trade_no",
                "transaction_id",
                "trade_type",
                "total_fee",
                "cash_fee",
                "fee_type",
                "bank_type",
                "time_end",
                "openid",
                "is_subscribe",
            ]);
            v.push(("trade_state_desc".into(), Reliance::Text));
            v.push(("attach".into(), Reliance::Opaque));
            v
        },
        |out, f| {
            assert_eq!(f.get("out_trade_no"), Some(out.out_trade_no.as_str()));
            if out.trade_state == V2TradeState::Success {
                assert!(out.transaction_id.is_some() && out.total_fee.is_some());
                assert!(out.time_end.is_some());
            }
            if let Some(o) = &out.openid {
                let o = o.expose_secret();
                assert!(
                    o.len() < 4 || !format!("{out:?}").contains(o),
                    "openid in Debug"
                );
            }
        },
    );
}

/// `pay/closeorder`'s signed reply: accepted only signed and unfolded, `result_code` SUCCESS.
pub fn api_closeorder(data: &[u8]) {
    use crate::api::pay_v2::{V2PayReplyOptions, closeorder::*};
    pay_v2_reply(
        data,
        |r, t| {
            crate::api::read_reply_with::<V2CloseOrderRequest>(
                merchant(),
                r,
                DEFAULT_NOW,
                &V2PayReplyOptions::signed_with(t),
            )
        },
        |_| Vec::new(),
        |(), f| assert_eq!(f.get("result_code"), Some("SUCCESS")),
    );
}

/// `secapi/pay/refund`'s signed reply: accepted only signed and unfolded, its amounts as sent.
pub fn api_refund(data: &[u8]) {
    use crate::api::pay_v2::{V2PayReplyOptions, refund::*};
    pay_v2_reply(
        data,
        |r, t| {
            crate::api::read_reply_with::<V2RefundRequest>(
                merchant(),
                r,
                DEFAULT_NOW,
                &V2PayReplyOptions::signed_with(t),
            )
        },
        |_| {
            strict(&[
                "transaction_id",
                "out_trade_no",
                "out_refund_no",
                "refund_id",
                "refund_fee",
                "total_fee",
                "cash_fee",
                "settlement_refund_fee",
                "settlement_total_fee",
                "cash_refund_fee",
                "fee_type",
                "refund_channel",
            ])
        },
        |out, f| {
            assert_eq!(
                f.get("refund_fee"),
                Some(out.refund_fee.to_string().as_str())
            );
            assert_eq!(f.get("refund_id"), Some(out.refund_id.as_str()));
        },
    );
}

/// `pay/refundquery`'s signed reply: accepted only signed and unfolded over the records it
/// lists; `refund_count` is the number of records, each index `0..refund_count` present and no
/// other; `refund_recv_accout_$n` never reaches `Debug`.
pub fn api_refundquery(data: &[u8]) {
    use crate::api::pay_v2::refundquery::*;
    const RECORD: &[&str] = &[
        "out_refund_no",
        "refund_id",
        "refund_fee",
        "refund_status",
        "settlement_refund_fee",
        "refund_channel",
        "refund_account",
        "refund_success_time",
    ];
    let count = |f: &Fields<'_>| {
        f.get("refund_count")
            .and_then(|c| c.parse::<usize>().ok())
            .unwrap_or(0)
    };
    pay_v2_reply(
        data,
        |r, t| {
            crate::api::read_reply_with::<V2RefundQueryRequest>(
                merchant(),
                r,
                DEFAULT_NOW,
                &V2RefundQueryReplyOptions::new(t, None),
            )
        },
        |f| {
            let mut v = strict(&[
                "transaction_id",
                "out_trade_no",
                "total_fee",
                "cash_fee",
                "settlement_total_fee",
                "total_refund_count",
                "fee_type",
                "refund_count",
            ]);
            for i in 0..count(f).min(MAX_REFUND_RECORDS) {
                v.extend(
                    RECORD
                        .iter()
                        .map(|n| (format!("{n}_{i}"), Reliance::Strict)),
                );
                v.push((format!("refund_recv_accout_{i}"), Reliance::Text));
            }
            v
        },
        |out, f| {
            let n = out.refunds.len();
            assert_eq!(count(f), n, "refund_count is not the number of records");
            for (i, r) in out.refunds.iter().enumerate() {
                assert_eq!(f.get(&format!("refund_id_{i}")), Some(r.refund_id.as_str()));
            }
            let shown = format!("{out:?}");
            for (name, v) in f.iter() {
                if let Some(rest) = name.strip_prefix("refund_recv_accout_") {
                    // A record beyond the count would have been refused.
                    assert!(rest.parse::<usize>().is_ok_and(|i| i < n), "{name}");
                    assert!(
                        v.len() < 4 || !shown.contains(v),
                        "refund_recv_accout in Debug"
                    );
                }
            }
        },
    );
}

/// The bill apply replies past verification: the bytes (after a status byte) become the body of
/// a reply the simulator signs, read by the three apply operations. An outcome's URLs must be
/// ones the download request accepts, and a sub-merchant bill's parts numbered 1, 2, ….
pub fn api_bill(data: &[u8]) {
    use crate::api::bill::{FundFlowBillRequest, SubMerchantFundFlowBillRequest, TradeBillRequest};
    let (status, body) = match data.split_first() {
        Some((b, rest)) if b % 4 == 3 => (StatusCode::BAD_REQUEST, rest),
        Some((_, rest)) => (StatusCode::OK, rest),
        None => (StatusCode::OK, data),
    };
    let reply = simulator().signed_v3_reply(&mut fuzz_rng(), status, body.to_vec(), DEFAULT_NOW);
    let r = || ResponseRef::from_http(&reply);
    let m = merchant();
    for out in [
        crate::api::read_reply::<TradeBillRequest>(m, r(), DEFAULT_NOW),
        crate::api::read_reply::<FundFlowBillRequest>(m, r(), DEFAULT_NOW),
    ] {
        match out {
            Ok(b) => {
                assert!(b.download().validate().is_ok());
                let _ = b.verifier(false);
            }
            Err(e) => drop(e.to_string()),
        }
    }
    match crate::api::read_reply::<SubMerchantFundFlowBillRequest>(m, r(), DEFAULT_NOW) {
        Ok(bills) => {
            for (i, p) in bills.parts.iter().enumerate() {
                assert_eq!(p.bill_sequence, i as u64 + 1);
                assert!(p.download().validate().is_ok());
                if let Ok(signer) = m.signer() {
                    let _ = p.verifier(signer.key(), &mut fuzz_rng(), false);
                }
            }
        }
        Err(e) => drop(e.to_string()),
    }
}

/// Bill text and downloads: the bytes are read as a trade bill and as a fund-flow bill (rows
/// then at most one summary, nothing after an error), and streamed through the verifier with
/// their own SHA1 in two splits, plain (must verify) and as GZIP (same verdict both ways).
pub fn bill_rows(data: &[u8]) {
    use crate::api::bill::{
        BillEntry, BillVerifier, FundFlowBillReader, HashType, TradeBillReader,
    };
    fn drain<I: Iterator<Item = Result<BillEntry<T>, crate::api::bill::BillError>>, T>(it: I) {
        let mut summary = false;
        for e in it {
            match e {
                Ok(BillEntry::Summary(_)) => {
                    assert!(!summary, "two summaries");
                    summary = true;
                }
                Ok(BillEntry::Row(_)) => assert!(!summary, "a row after the summary"),
                Err(e) => {
                    let _ = e.to_string();
                }
            }
        }
    }
    drain(TradeBillReader::new(data));
    drain(FundFlowBillReader::new(data));
    let sha1 = BillVerifier::sha1_hex_of(data);
    let split = data
        .first()
        .map_or(0, |b| usize::from(*b) % (data.len() + 1));
    let run = |gzip: bool, cut: usize| {
        let mut v =
            BillVerifier::new(&HashType::Sha1, &sha1, gzip).unwrap_or_else(|e| unreachable!("{e}"));
        let (a, b) = data.split_at(cut);
        v.update(a)
            .and_then(|()| v.update(b))
            .and_then(|()| v.finish().map(|_| ()))
    };
    assert!(
        run(false, split).is_ok(),
        "a plain bill must match its own SHA1"
    );
    assert_eq!(run(true, split), run(true, data.len() / 2));
}

/// The media upload's `multipart/form-data` builder with user data, read back through the
/// simulator's independent parser. Framing: a flags byte (bit 0: a video, bit 1: the boundary
/// is given, bit 2: also build the typed request and send it to the simulator), then, when
/// bit 1 is set, the boundary up to a NUL, then the file name up to a NUL, then the file.
///
/// Properties: a body that is built reads back part for part (the `meta`, the file name, the
/// part type, the file bytes); a refusal says why truly (the delimiter is in the content, or the
/// file name cannot go in a header); a typed upload that builds is accepted by the simulator
/// (its `Authorization` over the `meta`, the `meta`'s digest of the file) and its reply read.
pub fn v3_media_upload(data: &[u8]) {
    use crate::api::media::{ImageUploadRequest, VideoUploadRequest};
    use crate::simulator::media::parse_form_data;
    use crate::v3::media::{self, Boundary, MediaKind, MultipartError};
    let (flags, rest) = data.split_first().map_or((0, data), |(f, r)| (*f, r));
    let mut fields = rest.splitn(if flags & 2 != 0 { 3 } else { 2 }, |b| *b == 0);
    let boundary = if flags & 2 != 0 {
        Boundary::new(String::from_utf8_lossy(fields.next().unwrap_or_default()))
    } else {
        Boundary::generate(&mut fuzz_rng())
    };
    let Ok(boundary) = boundary else { return };
    let filename = String::from_utf8_lossy(fields.next().unwrap_or_default()).into_owned();
    let file = fields.next().unwrap_or_default();
    let kind = if flags & 1 != 0 {
        MediaKind::Video
    } else {
        MediaKind::Image
    };
    let ct = kind
        .content_type(&filename)
        .unwrap_or("application/octet-stream");
    let meta = media::meta(&filename, file);
    match media::form_data(&boundary, &meta, &filename, ct, file) {
        Ok(body) => {
            let parts = parse_form_data(&boundary.content_type(), &body);
            let parts = parts.unwrap_or_else(|e| panic!("built body does not parse: {e}"));
            assert_eq!(parts.len(), 2);
            assert_eq!(
                (parts[0].name.as_str(), &parts[0].data[..]),
                ("meta", meta.as_bytes())
            );
            assert_eq!(parts[1].filename.as_deref(), Some(filename.as_str()));
            assert_eq!(parts[1].content_type.as_deref(), Some(ct));
            assert_eq!(parts[1].data, file);
        }
        Err(MultipartError::BoundaryInContent) => {
            let delimiter = format!("\n--{}", boundary.as_str());
            let d = delimiter.as_bytes();
            let has = |h: &[u8]| h.windows(d.len()).any(|w| w == d) || h.starts_with(&d[1..]);
            assert!(has(meta.as_bytes()) || has(file));
        }
        Err(MultipartError::HeaderText(_)) => {
            assert!(
                filename.is_empty()
                    || filename
                        .chars()
                        .any(|c| c == '"' || c == '\\' || c.is_control())
            );
        }
        Err(e) => panic!("unexpected {e:?}"),
    }
    if flags & 4 != 0 {
        let uploaded = if flags & 1 != 0 {
            upload_through_simulator(&VideoUploadRequest::new(filename, file.to_vec()))
        } else {
            upload_through_simulator(&ImageUploadRequest::new(filename, file.to_vec()))
        };
        if let Some(out) = uploaded {
            let out = out.unwrap_or_else(|e| panic!("a built upload was refused: {e:?}"));
            assert!(out.media_id.contains(&media::sha256_hex(file)[..40]));
        }
    }
}

/// Build `op`, send it to the simulator, read the reply; `None` when it does not build.
fn upload_through_simulator<O: Operation>(
    op: &O,
) -> Option<Result<O::Outcome, crate::api::ApiError>> {
    let now = UnixTime::from_secs(1_767_225_600);
    let mut rng = fuzz_rng();
    let req = op.build(merchant(), &mut rng, now).ok()?;
    let reply = simulator().handle(&req.into_http(), now, &mut rng, &Default::default());
    Some(op.parse_reply(merchant(), ResponseRef::from_http(&reply), now))
}
