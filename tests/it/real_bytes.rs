//! Real WeChat Pay bytes from public sources (`tests/data/real/`, each file's source, date,
//! licence and expected conclusion in its `INDEX.md`), replayed through the parsers: signature
//! checks where a key is published (the official v3 doc example, which must fail as a
//! *mismatch*), parsing and typing everywhere else, and the disposition
//! ([`wechatpay_sansio::error::Classify`]) of every failure.
//!
//! [`REPLAYS`] names the function that replays each file; `every_file_is_indexed_and_replayed`
//! fails when a file is added to the directory without an entry there (or without a row in
//! the index), so no sample is skipped silently; `every_replay_fails_on_junk` fails when a replay
//! ignores the bytes it is given (a junk file would pass it); `every_listed_vector_file_is_read`
//! fails when a file of `tests/data/VECTORS.md` is read by no test.
//!
//! The second half checks that the simulator produces what these real bytes show (layouts,
//! CDATA, error bodies, notification envelopes) and that the typed parsers accept each of its
//! layouts end to end.

use crate::common::{NOW, data, merchant, rng, t};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde_json::Value;
use std::panic::{AssertUnwindSafe, catch_unwind};
use wechatpay_sansio::api::customs::{self, CheckResult, Customs, VerifyCertificateRequest};
use wechatpay_sansio::api::nameauth::{self, NameAuthStatus};
use wechatpay_sansio::api::querymchrisk::{self, QueryMchRiskRequest, RiskLevel};
use wechatpay_sansio::api::realnameauth::{self, VerifyOpenid};
use wechatpay_sansio::api::{ApiError, Failure, Operation};
use wechatpay_sansio::error::{Classify, Disposition};
use wechatpay_sansio::keys::{KeyId, KeyStore, PlatformCertificate, PublicKey, WechatPayKey};
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::secret::{ApiV2Key, ApiV3Key, Personal};
use wechatpay_sansio::simulator::v2::{RealNameAuthScript, RiskScript};
use wechatpay_sansio::simulator::v3::CustomsScript;
use wechatpay_sansio::simulator::{Script, Simulator, V2Layout};
use wechatpay_sansio::v2::endpoint::reply_is_signed;
use wechatpay_sansio::v2::notify::{self as v2_notify, PayNotifyError};
use wechatpay_sansio::v2::refund_notify::{self, RefundNotifyError, RefundNotifyOptions};
use wechatpay_sansio::v2::reply::{self, ErrCode, Expect, ReplyError};
use wechatpay_sansio::v2::sign::{self, SignError};
use wechatpay_sansio::v2::{Fields, SignType, xml};
use wechatpay_sansio::v3::certificates::{self, DownloadError};
use wechatpay_sansio::v3::header::REQUEST_ID;
use wechatpay_sansio::v3::notify::{self, Notification, NotifyError};
use wechatpay_sansio::v3::resource::{EncryptedResource, ResourceError};
use wechatpay_sansio::v3::response::{self, ErrorBody, ErrorCode, ErrorReply, ResponseError};
use wechatpay_sansio::v3::verify::{SignatureHeaders, Verifier, VerifyError};

// ------------------------------------------------------------------------------- the table

type Replay = fn(&[u8]);

/// Every file of `tests/data/real` (but `INDEX.md`) and the function that replays it. The
/// prefix (`v2_`, `legacy_`, `v3_`) decides which test runs it.
const REPLAYS: &[(&str, Replay)] = &[
    // v2 XML
    (
        "v2_generic_fail_sign_error_wepay4.xml",
        v2_generic_fail_sign_error_wepay4,
    ),
    (
        "v2_generic_fail_sign_error_wxjava3351.xml",
        v2_generic_fail_sign_error_wxjava3351,
    ),
    (
        "v2_generic_fail_mojibake_wechatpaydemo5.xml",
        v2_generic_fail_mojibake_wechatpaydemo5,
    ),
    (
        "v2_sandbox_fail_retcode_axios30.xml",
        v2_sandbox_fail_retcode_axios30,
    ),
    (
        "v2_sandbox_getsignkey_fail_wxjava3607.xml",
        v2_sandbox_getsignkey_fail_wxjava3607,
    ),
    (
        "v2_sandbox_getsignkey_success_yansongda567.xml",
        v2_sandbox_getsignkey_success_yansongda567,
    ),
    ("v2_orderquery_doc_wxjava.xml", v2_orderquery_doc_wxjava),
    (
        "v2_paynotify_doc_php_fixture.xml",
        v2_paynotify_doc_php_fixture,
    ),
    (
        "v2_paynotify_partner_real_redacted_demo117.xml",
        v2_paynotify_partner_real_redacted_demo117,
    ),
    (
        "v2_paynotify_hmac_no_sign_type_real_wxjava1585.xml",
        v2_paynotify_hmac_no_sign_type,
    ),
    (
        "v2_paynotify_hmac_no_sign_type_real_redacted_wxjava1671.xml",
        v2_paynotify_hmac_no_sign_type,
    ),
    (
        "v2_refund_doc_danpin_wxjava.xml",
        v2_refund_doc_danpin_wxjava,
    ),
    (
        "v2_refundnotify_real_redacted_wxjava.xml",
        v2_refundnotify_real_redacted_wxjava,
    ),
    (
        "v2_refundnotify_reqinfo_plain_php_fixture.xml",
        v2_refundnotify_reqinfo_plain_php_fixture,
    ),
    (
        "v2_sendredpack_doc_fail_wxjava.xml",
        v2_sendredpack_doc_fail_wxjava,
    ),
    // legacy JSON
    (
        "legacy_nameautheasy_doc_reply.json",
        legacy_nameautheasy_doc_reply,
    ),
    // v3: the official signed /v3/certificates example (four files, one sample)
    (
        "v3_certificates_doc_headers.txt",
        v3_certificates_doc_headers,
    ),
    ("v3_certificates_doc_body.json", v3_certificates_doc_body),
    (
        "v3_certificates_doc_openssl_body.json",
        v3_certificates_doc_openssl_body,
    ),
    (
        "v3_certificates_doc_platform_pubkey.pem",
        v3_certificates_doc_platform_pubkey,
    ),
    (
        "v3_certificates_doc_list_pretty.json",
        v3_certificates_doc_list_pretty,
    ),
    (
        "v3_certificates_java_sdk_body.json",
        v3_certificates_java_sdk_body,
    ),
    (
        "v3_certificates_im_real_headers.txt",
        v3_certificates_im_real_headers,
    ),
    (
        "v3_certificates_error_resource_not_exists_php_readme.json",
        v3_certificates_error_resource_not_exists,
    ),
    (
        "v3_error_param_error_missing_serial_httpclient109.json",
        v3_error_param_error_missing_serial,
    ),
    (
        "v3_error_param_error_bad_serial_httpclient47.json",
        v3_error_param_error_bad_serial,
    ),
    ("v3_error_sign_error_doc.json", v3_error_sign_error_doc),
    (
        "v3_error_sign_error_real_payment_sdk.json",
        v3_error_sign_error_real,
    ),
    (
        "v3_customs_verify_certificate_doc_success.json",
        v3_customs_doc_success,
    ),
    (
        "v3_customs_verify_certificate_doc_error.json",
        v3_customs_doc_error,
    ),
    ("v3_notify_java_sdk_body.json", v3_notify_java_sdk_body),
    (
        "v3_notify_reserialized_httpclient56_body.json",
        v3_notify_reserialized_httpclient56_body,
    ),
    (
        "v3_notify_reserialized_httpclient56_headers.txt",
        v3_notify_reserialized_httpclient56_headers,
    ),
];

const KINDS: &[&str] = &["v2_", "legacy_", "v3_"];

fn real_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/real")
}

fn real(name: &str) -> Vec<u8> {
    data(&format!("real/{name}"))
}

fn real_str(name: &str) -> String {
    String::from_utf8(real(name)).unwrap()
}

/// Run every replay whose file name starts with `prefix`; report all failures at once.
fn replay_kind(prefix: &str) {
    let mut failed = Vec::new();
    let mut n = 0;
    for (name, f) in REPLAYS.iter().filter(|(n, _)| n.starts_with(prefix)) {
        let bytes = real(name);
        n += 1;
        if let Err(e) = catch_unwind(AssertUnwindSafe(|| f(&bytes))) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            failed.push(format!("{name}: {msg}"));
        }
    }
    assert!(n > 0, "no file with prefix {prefix}");
    assert!(
        failed.is_empty(),
        "{} of {n} failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

#[test]
fn replay_v2_xml() {
    replay_kind("v2_");
}

#[test]
fn replay_legacy_json() {
    replay_kind("legacy_");
}

#[test]
fn replay_v3() {
    replay_kind("v3_");
}

/// The guard: every file is in [`REPLAYS`] under a prefix some test runs, every entry names a
/// file that exists, and every file has an `INDEX.md` row with a source and a dated source
/// column.
#[test]
fn every_file_is_indexed_and_replayed() {
    let index = std::fs::read_to_string(real_dir().join("INDEX.md")).unwrap();
    // `file` → (source, date) from the table rows: the first cell names one or more files.
    let mut rows: Vec<(Vec<String>, String, String)> = Vec::new();
    for line in index.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let files = cells[1]
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect();
        rows.push((files, cells[2].to_owned(), cells[3].to_owned()));
    }
    let mut on_disk = Vec::new();
    for entry in std::fs::read_dir(real_dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name == "INDEX.md" {
            continue;
        }
        assert!(
            REPLAYS.iter().any(|(n, _)| *n == name),
            "{name} is in tests/data/real but not in real_bytes::REPLAYS"
        );
        let row = rows
            .iter()
            .find(|(files, _, _)| files.contains(&name))
            .unwrap_or_else(|| panic!("{name} has no row in INDEX.md"));
        assert!(row.1.len() > 3, "{name}: no source in INDEX.md");
        let year = row.2.as_bytes().windows(4).any(|w| {
            w.iter().all(u8::is_ascii_digit) && (w.starts_with(b"19") || w.starts_with(b"20"))
        });
        assert!(year, "{name}: no source date in INDEX.md ({:?})", row.2);
        on_disk.push(name);
    }
    for (name, _) in REPLAYS {
        assert!(
            on_disk.iter().any(|n| n == name),
            "REPLAYS names {name}, which does not exist"
        );
        assert!(
            KINDS.iter().any(|k| name.starts_with(k)),
            "{name}: no test runs this prefix"
        );
    }
    assert_eq!(
        on_disk.len(),
        REPLAYS.len(),
        "a file is listed twice in REPLAYS"
    );
    assert!(
        index.contains("Retrieved **2026-12-01**"),
        "the retrieval date"
    );
}

/// `java_pkcs1_ciphertext.b64` (wechatpay-java `RSAPkcs1v15DecryptorTest`, TEST ONLY): an
/// RSAES-PKCS1-v1_5 ciphertext of `plaintext` to the Java **merchant** key. It opens with that
/// key under PKCS#1 v1.5 (the apihk customs padding), not under OAEP and not with another key;
/// and what the crate encrypts with `Padding::Pkcs1v15` to the same key opens the same way.
#[test]
fn java_pkcs1v15_ciphertext_opens_with_the_java_merchant_key() {
    use rsa::pkcs8::DecodePrivateKey as _;
    use wechatpay_sansio::cipher::{self, CipherError, Padding};
    use wechatpay_sansio::keys::MerchantPrivateKey;
    let pem = String::from_utf8(data("java_merchant_private_key.pem")).unwrap();
    let rsa_key = rsa::PrivateKey::from_pkcs8_pem(&pem).unwrap();
    let b64 = String::from_utf8(data("java_pkcs1_ciphertext.b64")).unwrap();
    let ct = STANDARD.decode(b64.trim()).unwrap();
    assert_eq!(ct.len(), 256);
    assert_eq!(
        rsa_key.decrypt(rsa::Pkcs1v15Encrypt, &ct).unwrap(),
        b"plaintext"
    );
    // Not an OAEP ciphertext: the crate's OAEP decryption refuses it.
    let key = MerchantPrivateKey::from_pem(pem.as_bytes()).unwrap();
    assert_eq!(
        cipher::decrypt_oaep(&mut rng(3), &key, b64.trim()).unwrap_err(),
        CipherError::Decrypt
    );
    // Another key does not open it.
    let other = String::from_utf8(data("java_wechat_pay_private_key.pem")).unwrap();
    let other = rsa::PrivateKey::from_pkcs8_pem(&other).unwrap();
    assert_ne!(
        other.decrypt(rsa::Pkcs1v15Encrypt, &ct).ok().as_deref(),
        Some(&b"plaintext"[..])
    );
    // The crate's PKCS#1 v1.5 encryption to the same key interoperates.
    let ours = cipher::encrypt(
        &mut rng(4),
        &key.public_key(),
        Padding::Pkcs1v15,
        b"plaintext",
    )
    .unwrap();
    let ours = STANDARD.decode(ours).unwrap();
    assert_ne!(ours, ct, "randomised padding");
    assert_eq!(
        rsa_key.decrypt(rsa::Pkcs1v15Encrypt, &ours).unwrap(),
        b"plaintext"
    );
}

/// The guard on the replays themselves: each must consume the bytes it is given, so a file
/// replaced by junk (or emptied) makes its replay fail. A replay that ignores its argument and
/// reads fixed files instead would pass on junk.
#[test]
fn every_replay_fails_on_junk() {
    let mut passed = Vec::new();
    for (name, f) in REPLAYS {
        for junk in [&b""[..], b"junk", b"{}", b"<xml></xml>"] {
            if catch_unwind(AssertUnwindSafe(|| f(junk))).is_ok() {
                passed.push(format!("{name} with {:?}", String::from_utf8_lossy(junk)));
            }
        }
    }
    assert!(
        passed.is_empty(),
        "replays that ignore their bytes:\n{}",
        passed.join("\n")
    );
}

/// Every file listed in `tests/data/VECTORS.md` is read by some test: its name appears in a
/// code line (not a comment) of the test sources or of `src/` (`simulator::pem` embeds some).
#[test]
fn every_listed_vector_file_is_read() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let vectors = std::fs::read_to_string(root.join("tests/data/VECTORS.md")).unwrap();
    // The rows of the "## Files" table.
    let files = vectors.split("\n## Files\n").nth(1).unwrap();
    let files = files.split("\n## ").next().unwrap();
    let listed: Vec<&str> = files
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('`').nth(1))
        .collect();
    assert!(listed.len() >= 15, "only {} listed files", listed.len());
    let mut code = String::new();
    let mut todo = vec![root.join("tests"), root.join("src")];
    while let Some(p) = todo.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                todo.push(e.unwrap().path());
            }
        } else if p.extension().is_some_and(|e| e == "rs") {
            for line in std::fs::read_to_string(&p).unwrap().lines() {
                if !line.trim_start().starts_with("//") {
                    code.push_str(line);
                    code.push('\n');
                }
            }
        }
    }
    let mut unread = Vec::new();
    for name in &listed {
        assert!(
            root.join("tests/data").join(name).is_file(),
            "VECTORS.md lists {name}, which does not exist"
        );
        if !code.contains(&format!("\"{name}\"")) {
            unread.push(*name);
        }
    }
    assert!(
        unread.is_empty(),
        "listed in VECTORS.md, read by no test: {unread:?}"
    );
}

// ------------------------------------------------------------------------------- helpers

/// The published APIv2 key of the official signature example: none of the doc replies is
/// signed with it (their keys are unpublished).
fn doc_v2_key() -> ApiV2Key {
    ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap()
}

/// A 32-byte APIv3 key of the Go and Java SDK examples (not the key of any sample here).
fn doc_v3_key() -> ApiV3Key {
    ApiV3Key::new(b"a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").unwrap()
}

fn ok_200() -> (HeaderMap, StatusCode) {
    (HeaderMap::new(), StatusCode::OK)
}

/// `Name: value` lines (as stored in the `*_headers.txt` files) into a header map; names are
/// case-insensitive (Title-Case on the wire, lower case in `http`).
fn headers_file(text: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (name, value) = line.split_once(':').unwrap();
        h.append(
            HeaderName::from_bytes(name.trim().as_bytes()).unwrap(),
            HeaderValue::from_str(value.trim()).unwrap(),
        );
    }
    h
}

fn header<'h>(h: &'h HeaderMap, name: &str) -> &'h str {
    h.get(name).unwrap().to_str().unwrap()
}

/// A v2 `return_code != SUCCESS` reply: the generic check, then the typed APIs (a signed one,
/// an unsigned one): all say `Failure::Return` with `return_msg`, with `disposition`.
fn assert_return_fail(body: &[u8], return_msg: Option<&str>, disposition: Disposition) {
    let expected = ReplyError::ReturnFail {
        return_code: "FAIL".into(),
        return_msg: return_msg.map(str::to_owned),
    };
    for expect in [Expect::signed(None), Expect::unsigned()] {
        let e =
            reply::parse_and_check(body, &doc_v2_key(), &expect, &Default::default()).unwrap_err();
        assert_eq!(e, expected);
        assert_eq!(e.disposition(), disposition);
    }
    let (h, st) = ok_200();
    let want = Failure::Return {
        return_code: "FAIL",
        return_msg,
    };
    let e = realnameauth::read_reply(&merchant(), ResponseRef::new(st, &h, body), NOW).unwrap_err();
    assert_eq!(e.failure(), Some(want));
    assert_eq!(e.disposition(), disposition);
    let e = querymchrisk::read_reply(&merchant(), ResponseRef::new(st, &h, body), NOW).unwrap_err();
    assert_eq!(e.failure(), Some(want));
    assert_eq!(e.disposition(), disposition);
}

/// A signed-looking reply whose key is unpublished: the doc key gives a mismatch (MD5 by the
/// sign's length), never a pass.
fn assert_doc_key_mismatch(body: &[u8]) {
    let l = Default::default();
    for expect in [Expect::signed(None), Expect::signed(Some(SignType::Md5))] {
        let e = reply::parse_and_check(body, &doc_v2_key(), &expect, &l).unwrap_err();
        assert_eq!(e, ReplyError::Sign(SignError::Mismatch));
        assert_eq!(e.disposition(), Disposition::Untrusted);
    }
    // Under HMAC-SHA256 a 32-hex sign has the wrong length.
    let e = reply::parse_and_check(
        body,
        &doc_v2_key(),
        &Expect::signed(Some(SignType::HmacSha256)),
        &l,
    )
    .unwrap_err();
    assert_eq!(e, ReplyError::Sign(SignError::Malformed { expected: 64 }));
    // Unsigned reading accepts it: codes are SUCCESS/SUCCESS.
    assert!(reply::parse_and_check(body, &doc_v2_key(), &Expect::unsigned(), &l).is_ok());
}

fn names<'f>(f: &'f Fields<'_>) -> Vec<&'f str> {
    f.iter().map(|(k, _)| k).collect()
}

/// The same bytes with the `sign` value replaced by the MD5 sign under the doc key: the real
/// layout (whitespace, CDATA, bare numbers, order) kept, now verifiable.
fn resigned_md5(body: &[u8]) -> Vec<u8> {
    let f = xml::parse(body).unwrap();
    let old = f.get("sign").unwrap().to_owned();
    let new = sign::sign(f.iter(), &doc_v2_key(), SignType::Md5).unwrap();
    let text = std::str::from_utf8(body).unwrap();
    assert_eq!(text.matches(old.as_str()).count(), 1);
    text.replace(old.as_str(), new.as_str()).into_bytes()
}

/// A v2 payment notification through `v2::notify::parse`: its unpublished key's sign is a
/// mismatch under the doc key (answered with FAIL, so WeChat Pay resends); re-signed in place,
/// the real bytes verify and type. Returns the typed `(out_trade_no, total_fee, cash_fee)`.
fn pay_notification(body: &[u8]) -> (String, u64, Option<u64>) {
    let e = v2_notify::parse(body, &doc_v2_key()).unwrap_err();
    assert_eq!(
        e,
        PayNotifyError::Reply(ReplyError::Sign(SignError::Mismatch))
    );
    assert_eq!(e.disposition(), Disposition::Untrusted);
    let answer = v2_notify::answer(&Err::<(), _>(e));
    assert_ne!(answer.body(), v2_notify::SUCCESS_XML.as_bytes());
    let good = resigned_md5(body);
    let n = v2_notify::parse(&good, &doc_v2_key()).unwrap();
    assert_eq!(n.sign_type(), SignType::Md5);
    for k in v2_notify::REQUIRED {
        assert!(n.fields().get_non_empty(k).is_some(), "{k}");
    }
    assert_eq!(
        v2_notify::answer(&Ok::<_, PayNotifyError>(())).body(),
        v2_notify::SUCCESS_XML.as_bytes()
    );
    (n.out_trade_no().to_owned(), n.total_fee(), n.cash_fee())
}

// ------------------------------------------------------------------------------- v2 XML

fn v2_generic_fail_sign_error_wepay4(b: &[u8]) {
    // Production layout: a LF before every element but the first, and before </xml>.
    assert!(b.starts_with(b"<xml><return_code><![CDATA[FAIL]]></return_code>\n<return_msg>"));
    assert!(b.ends_with(b"</return_msg>\n</xml>"));
    let f = xml::parse(b).unwrap();
    assert_eq!(names(&f), ["return_code", "return_msg"]);
    assert_eq!(f.get("return_msg"), Some("签名错误"));
    assert_eq!(f.get("sign"), None);
    assert_return_fail(b, Some("签名错误"), Disposition::Misconfigured);
}

fn v2_generic_fail_sign_error_wxjava3351(b: &[u8]) {
    let f = xml::parse(b).unwrap();
    assert_eq!(f.len(), 2);
    // The 2024 wording, fullwidth comma U+FF0C kept verbatim.
    assert_eq!(f.get("return_msg"), Some("签名错误，请检查后再试"));
    assert_return_fail(
        b,
        Some("签名错误，请检查后再试"),
        Disposition::Misconfigured,
    );
}

fn v2_generic_fail_mojibake_wechatpaydemo5(b: &[u8]) {
    // '>' inside CDATA is legal; compact, no whitespace.
    let msg = "???????????????????>?????????";
    assert_eq!(xml::parse(b).unwrap().get("return_msg"), Some(msg));
    assert_return_fail(b, Some(msg), Disposition::Misconfigured);
}

fn v2_sandbox_fail_retcode_axios30(b: &[u8]) {
    assert!(b.windows(2).any(|w| w == b"\r\n"), "CRLF layout");
    let f = xml::parse(b).unwrap();
    assert_eq!(names(&f), ["return_code", "retmsg", "retcode"]);
    // CRLF between elements is dropped; the values carry no CR.
    assert!(f.iter().all(|(_, v)| !v.contains('\r')));
    let retmsg = "请确认请求参数是否正确param mch_id invalid";
    assert_eq!(f.get("retmsg"), Some(retmsg));
    assert_eq!(f.get("retcode"), Some("1"));
    // The sandbox names the message `retmsg`, not `return_msg`: the check reads it as a
    // fallback. FAIL, and the request was refused as sent (Misconfigured).
    let e = reply::parse_and_check(b, &doc_v2_key(), &Expect::signed(None), &Default::default())
        .unwrap_err();
    match &e {
        ReplyError::ReturnFail {
            return_code,
            return_msg,
        } => {
            assert_eq!(return_code, "FAIL");
            assert_eq!(return_msg.as_deref(), Some(retmsg), "{e:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.disposition(), Disposition::Misconfigured);
}

fn v2_sandbox_getsignkey_fail_wxjava3607(b: &[u8]) {
    let msg = r#""mch_id" is required. "sign" is required. "nonce_str" is required"#;
    assert_eq!(xml::parse(b).unwrap().get("return_msg"), Some(msg));
    assert_return_fail(b, Some(msg), Disposition::Misconfigured);
}

fn v2_sandbox_getsignkey_success_yansongda567(b: &[u8]) {
    let f = xml::parse(b).unwrap();
    assert_eq!(names(&f), ["return_code", "return_msg", "sandbox_signkey"]);
    assert_eq!(f.get("return_msg"), Some("ok"));
    assert_eq!(f.get("sandbox_signkey").map(str::len), Some(32));
    // No result_code and no sign: a per-endpoint decision. As a signed reply it is refused,
    // as an unsigned reply with result_code required too; unsigned, result_code optional: OK.
    let l = Default::default();
    assert_eq!(
        reply::parse_and_check(b, &doc_v2_key(), &Expect::unsigned(), &l),
        Err(ReplyError::MissingResultCode)
    );
    assert!(
        reply::parse_and_check(
            b,
            &doc_v2_key(),
            &Expect::unsigned().result_code_optional(),
            &l
        )
        .is_ok()
    );
    assert_eq!(
        reply::parse_and_check(
            b,
            &doc_v2_key(),
            &Expect::signed(None).result_code_optional(),
            &l
        ),
        Err(ReplyError::Sign(SignError::Missing))
    );
    // Both sandbox key paths are on the unsigned list, the one this reply answers included.
    assert!(!reply_is_signed("/xdc/apiv2getsignkey/sign/getsignkey"));
    assert!(!reply_is_signed("/sandboxnew/pay/getsignkey"));
}

fn v2_orderquery_doc_wxjava(b: &[u8]) {
    let f = xml::parse(b).unwrap();
    assert_eq!(f.len(), 19);
    assert_eq!(f.get("trade_state"), Some("SUCCESS"));
    // A bare number next to CDATA siblings.
    assert_eq!(f.get("total_fee"), Some("1"));
    assert_eq!(f.get("attach"), Some("订单额外描述"));
    assert_eq!(f.get("sign"), Some("BDF0099C15FF7BC6B1585FBB110AB635"));
    // Indentation is dropped, never kept in a value.
    assert!(f.iter().all(|(_, v)| v.trim() == v));
    assert_doc_key_mismatch(b);
}

fn v2_paynotify_doc_php_fixture(b: &[u8]) {
    let f = xml::parse(b).unwrap();
    assert_eq!(f.len(), 20);
    assert_eq!(f.get("total_fee"), Some("1"));
    assert_eq!(f.get("coupon_fee"), Some("10"));
    assert_eq!(f.get("attach"), Some("支付测试"));
    assert_eq!(f.get("sign"), Some("B552ED6B279343CB493C5DD0D78AB241"));
    assert_doc_key_mismatch(b);
    // The official example has no cash_fee (the table marks it 必填).
    assert_eq!(pay_notification(b), ("1409811653".to_owned(), 1, None));
    let n = v2_notify::parse(&resigned_md5(b), &doc_v2_key())
        .unwrap()
        .into_owned();
    assert_eq!(n.attach(), Some("支付测试"));
    assert_eq!(n.trade_type(), "JSAPI");
    assert_eq!(n.fields().get("coupon_fee"), Some("10"));
}

/// Real notifications of orders placed with HMAC-SHA256: no `sign_type`, a 64-hex sign, fields
/// in alphabetical order on separate lines, a bare `total_fee`. The key is unknown: the sign's
/// length must choose HMAC-SHA256 (a mismatch under any key we hold, never "not 32 hex
/// characters"); re-signed with HMAC in place, the bytes verify and type.
fn v2_paynotify_hmac_no_sign_type(b: &[u8]) {
    let f = xml::parse(b).unwrap();
    assert_eq!(f.len(), 16);
    assert_eq!(f.get("sign_type"), None);
    let n = names(&f);
    let mut sorted = n.clone();
    sorted.sort_unstable();
    assert_eq!(n, sorted);
    let old = f.get("sign").unwrap().to_owned();
    assert_eq!(old.len(), 64);
    assert_eq!(
        v2_notify::parse(b, &doc_v2_key()),
        Err(PayNotifyError::Reply(ReplyError::Sign(SignError::Mismatch)))
    );
    let new = sign::sign(f.iter(), &doc_v2_key(), SignType::HmacSha256).unwrap();
    let good = std::str::from_utf8(b)
        .unwrap()
        .replace(old.as_str(), new.as_str());
    let n = v2_notify::parse(good.as_bytes(), &doc_v2_key()).unwrap();
    assert_eq!(n.sign_type(), SignType::HmacSha256);
    assert_eq!(n.bank_type(), Some("OTHERS"));
    assert_eq!(n.fee_type(), Some("CNY"));
    assert_eq!(n.trade_type(), "JSAPI");
    assert_eq!(Some(n.total_fee()), n.cash_fee());
    assert_eq!(n.transaction_id(), f.get("transaction_id").unwrap());
    // Never MD5 where HMAC-SHA256 is configured, never HMAC where MD5 is.
    let md5 = v2_notify::PayNotifyOptions::default().with_sign_type(SignType::Md5);
    assert_eq!(
        v2_notify::parse_with(good.as_bytes(), &doc_v2_key(), &md5),
        Err(PayNotifyError::Reply(ReplyError::Sign(
            SignError::Malformed { expected: 32 }
        )))
    );
}

fn v2_paynotify_partner_real_redacted_demo117(b: &[u8]) {
    assert!(!b.contains(&b'\n'), "compact");
    let f = xml::parse(b).unwrap();
    assert_eq!(f.len(), 20);
    // Real production order: alphabetical.
    let n = names(&f);
    let mut sorted = n.clone();
    sorted.sort_unstable();
    assert_eq!(n, sorted);
    // A 13-digit millisecond timestamp as nonce_str: no shape check on input.
    let nonce = f.get("nonce_str").unwrap();
    assert!(nonce.len() == 13 && nonce.bytes().all(|c| c.is_ascii_digit()));
    for k in ["sub_appid", "sub_mch_id", "sub_is_subscribe", "sub_openid"] {
        assert!(f.get_non_empty(k).is_some(), "{k}");
    }
    assert_eq!(f.get("total_fee"), Some("1"));
    assert_eq!(f.get("openid"), Some("oFAKEopenid00000000000000001"));
    assert_doc_key_mismatch(b);
    // Partner mode: the sub_* fields ride along in fields().
    assert_eq!(
        pay_notification(b),
        ("9992181181397585421541376".to_owned(), 1, Some(1))
    );
    let good = resigned_md5(b);
    let n = v2_notify::parse(&good, &doc_v2_key()).unwrap();
    assert_eq!(n.trade_type(), "APP");
    assert_eq!(n.fields().get("sub_mch_id"), Some("1608783242"));
}

fn v2_refund_doc_danpin_wxjava(b: &[u8]) {
    // Whitespace inside end tags is legal XML.
    let text = std::str::from_utf8(b).unwrap();
    assert!(text.contains("</total_fee >") && text.contains("</cash_fee >"));
    let f = xml::parse(b).unwrap();
    assert_eq!(f.len(), 17);
    assert_eq!(f.get("total_fee"), Some("1"));
    assert_eq!(f.get("cash_fee"), Some("1"));
    // Empty CDATA is an empty value, which the sign string skips.
    assert_eq!(f.get("refund_channel"), Some(""));
    let without: Vec<(&str, &str)> = f.iter().filter(|(k, _)| *k != "refund_channel").collect();
    assert_eq!(
        sign::sign(f.iter(), &doc_v2_key(), SignType::Md5).unwrap(),
        sign::sign(without, &doc_v2_key(), SignType::Md5).unwrap()
    );
    // Raw JSON (with '"') in a plain text node: an opaque string, valid JSON.
    let promo: Value = serde_json::from_str(f.get("promotion_detail").unwrap()).unwrap();
    assert_eq!(promo["promotion_detail"][0]["promotion_id"], "109519");
    assert_doc_key_mismatch(b);
}

fn v2_refundnotify_real_redacted_wxjava(b: &[u8]) {
    let f = xml::parse(b).unwrap();
    assert_eq!(
        names(&f),
        ["return_code", "appid", "mch_id", "nonce_str", "req_info"]
    );
    // A bare SUCCESS next to CDATA siblings.
    assert_eq!(f.get("return_code"), Some("SUCCESS"));
    assert_eq!(f.get("mch_id"), Some("****"));
    // req_info: base64 of AES-256-ECB, whole blocks.
    let ct = STANDARD.decode(f.get("req_info").unwrap()).unwrap();
    assert_eq!(ct.len() % 16, 0);
    // Unsigned, no result_code: it authenticates through req_info's encryption, so a generic
    // signed check is the wrong tool for it: the signature is checked before result_code and
    // it is refused as unsigned; as an unsigned reply it lacks result_code.
    let l = Default::default();
    assert_eq!(
        reply::parse_and_check(b, &doc_v2_key(), &Expect::signed(None), &l),
        Err(ReplyError::Sign(SignError::Missing))
    );
    assert_eq!(
        reply::check_unsigned(&f, &Expect::unsigned()),
        Err(ReplyError::MissingResultCode)
    );
    assert_eq!(
        reply::parse_and_check(
            b,
            &doc_v2_key(),
            &Expect::signed(None).result_code_optional(),
            &l
        ),
        Err(ReplyError::Sign(SignError::Missing))
    );
    assert!(
        reply::parse_and_check(
            b,
            &doc_v2_key(),
            &Expect::unsigned().result_code_optional(),
            &l
        )
        .is_ok()
    );
    // The payment-notification parser says what it is instead of "missing sign" (issue 17).
    assert_eq!(
        v2_notify::parse(b, &doc_v2_key()),
        Err(PayNotifyError::RefundNotification)
    );
    // The refund parser reads it; the merchant's key is unknown, so with another key req_info
    // does not decrypt (the ids are `****` upstream: they differ from any configured ones).
    assert!(matches!(
        refund_notify::parse(b, &doc_v2_key()),
        Err(RefundNotifyError::Padding | RefundNotifyError::ReqInfo(_))
    ));
    assert_eq!(
        refund_notify::parse_with(
            b,
            &doc_v2_key(),
            &RefundNotifyOptions::default().with_mch_id("1900000109")
        ),
        Err(RefundNotifyError::Mismatch("mch_id"))
    );
}

fn v2_refundnotify_reqinfo_plain_php_fixture(b: &[u8]) {
    // The root is <root>, not <xml>: the parser does not check the root's name.
    assert!(b.starts_with(b"<root>"));
    let f = xml::parse(b).unwrap();
    assert_eq!(f.len(), 13);
    assert_eq!(f.get("refund_recv_accout"), Some("支付用户零钱"));
    assert_eq!(f.get("refund_status"), Some("SUCCESS"));
    assert_eq!(f.get("success_time"), Some("2018-11-19 16:24:13"));
    assert_eq!(f.get("refund_fee"), Some("3960"));
    // No return_code: not a reply.
    assert_eq!(reply::check_codes(&f), Err(ReplyError::MissingReturnCode));
}

fn v2_sendredpack_doc_fail_wxjava(b: &[u8]) {
    let f = xml::parse(b).unwrap();
    assert_eq!(f.len(), 10);
    assert_eq!(f.get("mch_id"), Some("10010404"));
    assert_eq!(f.get("total_amount"), Some("1"));
    assert_eq!(f.get("err_code"), Some("268458547"));
    assert_eq!(
        ErrCode::from_wire("268458547"),
        ErrCode::Other("268458547".into())
    );
    // return_code FAIL wins over result_code and the business fields; "系统繁忙" → Transient.
    assert_return_fail(b, Some("系统繁忙,请稍后再试."), Disposition::Transient);
    // sendredpack never signs its replies.
    assert!(!reply_is_signed("/mmpaymkttransfers/sendredpack"));
}

// ------------------------------------------------------------------------------- legacy JSON

fn legacy_nameautheasy_doc_reply(b: &[u8]) {
    assert!(
        b.starts_with(b"{ \"error_code\":0,"),
        "space after '{{', numeric error_code"
    );
    let (h, st) = ok_200();
    let out = nameauth::read_reply(&merchant(), ResponseRef::new(st, &h, b), NOW).unwrap();
    assert_eq!(out.status, NameAuthStatus::NameMismatch);
    assert_eq!(out.status.letter(), Some('B'));
    assert!(out.name_mask.is_empty());
}

// ------------------------------------------------------------------------------- v3

/// The key id of the official example and its published public key.
const DOC_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
const DOC_NOW: u64 = 1_554_209_980;

fn doc_store() -> KeyStore {
    let pk = PublicKey::from_pem(real("v3_certificates_doc_platform_pubkey.pem")).unwrap();
    let mut s = KeyStore::new();
    s.insert(WechatPayKey::public_key(
        KeyId::new(DOC_SERIAL).unwrap(),
        pk,
    ));
    s
}

/// The official signed `/v3/certificates` response (doc headers + the body with its
/// ciphertext elided, and the body the page feeds to `openssl dgst`): the published key is
/// the signer, over an unelided body, so both bodies must fail as a **mismatch** — not as an
/// unknown key, a malformed signature or a stale timestamp. Each of the three files is replayed
/// in its role, with the others read from the directory.
fn v3_certificates_doc_headers(b: &[u8]) {
    let h = headers_file(std::str::from_utf8(b).unwrap());
    // 2019: no Wechatpay-Signature-Type (optional); a UUID Request-ID.
    assert!(h.get("wechatpay-signature-type").is_none());
    assert_eq!(
        header(&h, REQUEST_ID.as_str()),
        "e2762b10-b6b9-5108-a42c-16fe2422fc8a"
    );
    assert_eq!(header(&h, "wechatpay-timestamp"), DOC_NOW.to_string());
    assert_eq!(header(&h, "wechatpay-serial"), DOC_SERIAL);
    let sig = STANDARD.decode(header(&h, "wechatpay-signature")).unwrap();
    assert_eq!(sig.len(), 256);
    for name in [
        "v3_certificates_doc_body.json",
        "v3_certificates_doc_openssl_body.json",
    ] {
        doc_signed_body(&h, &real(name));
    }
}

fn v3_certificates_doc_body(b: &[u8]) {
    let h = headers_file(&real_str("v3_certificates_doc_headers.txt"));
    doc_signed_body(&h, b);
    // The two bodies differ only in the nonce (4de73afd28b6 / d215b0511e9c).
    let a = std::str::from_utf8(b).unwrap();
    assert_eq!(
        a.replace("4de73afd28b6", "d215b0511e9c"),
        real_str("v3_certificates_doc_openssl_body.json")
    );
    // Outside the 5-minute window the same reply is stale first.
    let store = doc_store();
    assert!(matches!(
        Verifier::new(&store).verify(&h, b, t(DOC_NOW + 301)),
        Err(VerifyError::StaleTimestamp { skew: 301, .. })
    ));
}

fn v3_certificates_doc_openssl_body(b: &[u8]) {
    let h = headers_file(&real_str("v3_certificates_doc_headers.txt"));
    doc_signed_body(&h, b);
    let a = real_str("v3_certificates_doc_body.json");
    assert_eq!(
        a.replace("4de73afd28b6", "d215b0511e9c"),
        std::str::from_utf8(b).unwrap()
    );
}

/// One body of the doc sample under the doc headers: a signature mismatch, a body whose shape
/// decodes, a ciphertext elided to `...`.
fn doc_signed_body(h: &HeaderMap, body: &[u8]) {
    let store = doc_store();
    let verifier = Verifier::new(&store);
    // Never trust Content-Length against the sample: 2204 against 283 bytes shown.
    assert_eq!(header(h, "content-length"), "2204");
    assert_eq!(body.len(), 283);
    assert_eq!(
        verifier.verify(h, body, t(DOC_NOW)),
        Err(VerifyError::BadSignature)
    );
    let e = response::check(
        ResponseRef::new(StatusCode::OK, h, body),
        &verifier,
        t(DOC_NOW),
    )
    .unwrap_err();
    assert_eq!(e, ResponseError::Verify(VerifyError::BadSignature));
    assert_eq!(e.disposition(), Disposition::Untrusted);
    // The body's shape decodes; the elided ciphertext "..." is a base64 error.
    let v: Value = serde_json::from_slice(body).unwrap();
    let d = &v["data"][0];
    assert_eq!(d["serial_no"], DOC_SERIAL);
    assert_eq!(d["effective_time"], "2018-03-26T11:39:50+08:00");
    assert_eq!(d["expire_time"], "2023-03-25T11:39:50+08:00");
    assert_eq!(d["encrypt_certificate"]["ciphertext"], "...");
    let e = certificates::decrypt(body, &doc_v3_key()).unwrap_err();
    assert_eq!(e, DownloadError::Resource(ResourceError::Base64));
    assert_eq!(e.disposition(), Disposition::Untrusted);
    let e = certificates::bootstrap(
        ResponseRef::new(StatusCode::OK, h, body),
        &doc_v3_key(),
        Default::default(),
        t(DOC_NOW),
    )
    .unwrap_err();
    // The signing certificate is the one that does not decode: nothing verified the body.
    assert_eq!(e, DownloadError::UnverifiedResource(ResourceError::Base64));
    assert_eq!(e.disposition(), Disposition::Untrusted);
}

fn v3_certificates_doc_platform_pubkey(b: &[u8]) {
    let pk = PublicKey::from_pem(b).unwrap();
    assert_eq!(pk.bits(), 2048);
    // Not the simulator's key: the simulator's replies do not verify under it.
    let sim_pk = Simulator::new()
        .merchant()
        .keys()
        .iter()
        .next()
        .unwrap()
        .key()
        .clone();
    assert_ne!(pk, sim_pk);
}

fn v3_certificates_doc_list_pretty(b: &[u8]) {
    let v: Value = serde_json::from_slice(b).unwrap();
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    for d in data {
        // The doc typo: keys with a trailing space; the spelled-right keys are absent.
        assert!(d.get("effective_time ").is_some() && d.get("effective_time").is_none());
        assert!(d.get("expire_time ").is_some() && d.get("expire_time").is_none());
        assert!(
            d["encrypt_certificate"]["ciphertext"]
                .as_str()
                .unwrap()
                .contains('…')
        );
    }
    // The crate needs only serial_no and encrypt_certificate, so the typo is no error; the
    // elided "sRvt… " ciphertext is a base64 error.
    let e = certificates::decrypt(b, &doc_v3_key()).unwrap_err();
    assert_eq!(e, DownloadError::Resource(ResourceError::Base64));
}

fn v3_certificates_java_sdk_body(b: &[u8]) {
    // The Go notification's ciphertext under another nonce and AAD: a clean tag mismatch with
    // any key.
    for key in [
        doc_v3_key(),
        Simulator::new().merchant().api_v3_key().unwrap().clone(),
    ] {
        let e = certificates::decrypt(b, &key).unwrap_err();
        assert_eq!(e, DownloadError::Resource(ResourceError::TagMismatch));
        assert_eq!(e.disposition(), Disposition::Misconfigured);
    }
}

fn v3_certificates_im_real_headers(b: &[u8]) {
    let h = headers_file(std::str::from_utf8(b).unwrap());
    // Title-Case on the wire, found case-insensitively.
    assert_eq!(
        header(&h, "wechatpay-signature-type"),
        "WECHATPAY2-SHA256-RSA2048"
    );
    assert_eq!(
        header(&h, REQUEST_ID.as_str()),
        "08DBF3A5B9061050120817028BCA901-8E0CC0EDF"
    );
    assert_eq!(
        header(&h, "content-type"),
        "application/json; charset=utf-8"
    );
    assert_eq!(header(&h, "x-content-type-options"), "nosniff");
    // Header parsing succeeds: four headers, the scheme accepted.
    let sh = SignatureHeaders::from_headers(&h).unwrap();
    assert_eq!(sh.timestamp, "1730771719");
    // Redacted upstream: the signature elided to 22 characters (not base64) and the serial
    // masked.
    assert_eq!(sh.signature.len(), 22);
    assert!(STANDARD.decode(sh.signature).is_err());
    assert!(KeyId::new(sh.serial).is_err());
    let now = t(1_730_771_719);
    let m = merchant();
    let e = m.verifier().verify(&h, b"{}", now).unwrap_err();
    assert!(
        matches!(&e, VerifyError::UnknownKey(s) if s.ends_with("********")),
        "{e:?}"
    );
    assert_eq!(e.disposition(), Disposition::Untrusted);
    // With a serial we hold, the elided signature is reported as malformed.
    let mut known = h.clone();
    known.insert("wechatpay-serial", HeaderValue::from_static(DOC_SERIAL));
    let store = doc_store();
    assert_eq!(
        Verifier::new(&store).verify(&known, b"{}", now),
        Err(VerifyError::SignatureEncoding)
    );
}

/// A v3 error body at `status`: `ErrorBody::parse`, `response::check` and a typed API's
/// `read_reply` agree; returns the typed reply.
fn v3_error(b: &[u8], status: u16) -> ErrorReply {
    let body = ErrorBody::parse(b).unwrap();
    let h = HeaderMap::new();
    let st = StatusCode::from_u16(status).unwrap();
    let m = merchant();
    let e = response::check(ResponseRef::new(st, &h, b), &m.verifier(), NOW).unwrap_err();
    let ResponseError::Failure(reply) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(reply.status, status);
    assert_eq!(reply.code.as_str(), body.code);
    assert_eq!(reply.message, body.message);
    assert_eq!(e.disposition(), reply.disposition());
    // The typed APIs say the same (error replies are not verified: no Wechatpay-* headers).
    let e = customs::read_reply(&m, ResponseRef::new(st, &h, b), NOW).unwrap_err();
    // The typed API knows the endpoint that answered.
    assert_eq!(
        e.failure(),
        Some(Failure::V3(&(**reply).clone().with_endpoint(customs::PATH)))
    );
    assert_eq!(e.disposition(), reply.disposition());
    (**reply).clone()
}

fn v3_certificates_error_resource_not_exists(b: &[u8]) {
    let r = v3_error(b, 404);
    assert_eq!(r.code, ErrorCode::ResourceNotExists);
    assert!(r.message.starts_with("无可用的平台证书"));
    assert!(r.detail.is_none());
    // The certificate download reports it as the reply's failure.
    let h = HeaderMap::new();
    let e = certificates::bootstrap(
        ResponseRef::new(StatusCode::NOT_FOUND, &h, b),
        &doc_v3_key(),
        Default::default(),
        NOW,
    )
    .unwrap_err();
    assert!(
        matches!(&e, DownloadError::Response(ResponseError::Failure(f)) if f.code == ErrorCode::ResourceNotExists)
    );
    // RESOURCE_NOT_EXISTS is Rejected by its code alone; on /v3/certificates it means "no
    // platform certificate: switch to the WeChat Pay public key", the merchant's setup.
    assert_eq!(r.disposition(), Disposition::Rejected);
    assert_eq!(e.disposition(), Disposition::Misconfigured);
}

fn v3_error_param_error_missing_serial(b: &[u8]) {
    let r = v3_error(b, 400);
    assert_eq!(r.code, ErrorCode::ParamError);
    assert_eq!(
        r.message,
        "HTTP header缺少微信支付平台证书序列号(Wechatpay-Serial)"
    );
    // PARAM_ERROR without any detail.
    assert!(r.detail.is_none());
    assert_eq!(r.disposition(), Disposition::Rejected);
}

fn v3_error_param_error_bad_serial(b: &[u8]) {
    let r = v3_error(b, 400);
    assert_eq!(r.code, ErrorCode::ParamError);
    assert_eq!(r.message, "平台证书序列号Wechatpay-Serial错误");
    assert!(r.detail.is_none());
    // It means "refresh the platform keys", on any endpoint.
    assert!(r.is_key_rejected());
    assert_eq!(r.disposition(), Disposition::Misconfigured);
}

fn v3_error_sign_error_doc(b: &[u8]) {
    let r = v3_error(b, 401);
    assert_eq!(r.code, ErrorCode::SignError);
    assert_eq!(r.disposition(), Disposition::Misconfigured);
    let d = r.detail.as_ref().unwrap();
    assert_eq!(d.field.as_deref(), Some("signature"));
    assert_eq!(d.issue.as_deref(), Some("sign not match"));
    assert_eq!(d.location.as_deref(), Some("authorization"));
    assert!(d.value.is_none());
    // sign_information: the truncated message is the whole 157-byte message of a GET.
    let si = d.sign_information.as_ref().unwrap();
    assert_eq!(
        si.truncated_sign_message.as_deref().map(str::len),
        Some(157)
    );
    assert_eq!(si.sign_message_length, Some(157));
    assert_eq!(si.method.as_deref(), Some("GET"));
}

fn v3_error_sign_error_real(b: &[u8]) {
    let r = v3_error(b, 401);
    assert_eq!(r.code, ErrorCode::SignError);
    assert_eq!(r.message, "签名错误");
    assert_eq!(r.disposition(), Disposition::Misconfigured);
    let d = r.detail.as_ref().unwrap();
    assert_eq!(d.field.as_deref(), Some("signature"));
    assert_eq!(d.location.as_deref(), Some("authorization"));
    // Production nests the issue one level deeper (detail.detail.issue): read from there.
    assert_eq!(d.issue.as_deref(), Some("sign not match"));
    let si = d.sign_information.as_ref().unwrap();
    assert_eq!(si.sign_message_length, Some(349));
    assert_eq!(si.url.as_deref(), Some("/v3/pay/transactions/jsapi"));
    assert!(si.truncated_sign_message.as_deref().unwrap().len() < 349);
}

fn v3_customs_doc_success(b: &[u8]) {
    let m = merchant();
    // Unsigned as published: a 2xx must be verified first.
    let h = HeaderMap::new();
    let e = customs::read_reply(&m, ResponseRef::new(StatusCode::OK, &h, b), NOW).unwrap_err();
    assert!(
        matches!(
            e,
            ApiError::V3Reply(ResponseError::Verify(VerifyError::MissingHeader(_)))
        ),
        "{e:?}"
    );
    // Re-signed by the simulator: typed, with the doc's "UNchECKED" kept as an unknown value.
    let resp = Simulator::new().signed_v3_reply(&mut rng(5), StatusCode::OK, b.to_vec(), NOW);
    let out = customs::read_reply(&m, ResponseRef::from_http(&resp), NOW).unwrap();
    assert_eq!(
        out.certificate_check_result,
        CheckResult::Other("UNchECKED".into())
    );
    assert!(!out.is_same());
    assert_eq!(out.appid, "wxd678efh567hg6787");
    assert_eq!(out.transaction_id, "1000320306201511078440737890");
    assert_eq!(out.sub_order_no, None);
}

fn v3_customs_doc_error(b: &[u8]) {
    assert!(b.contains(&b'\t'), "tab indented");
    let r = v3_error(b, 400);
    assert_eq!(r.code, ErrorCode::InvalidRequest);
    assert_eq!(r.disposition(), Disposition::Rejected);
    let d = r.detail.as_ref().unwrap();
    assert_eq!(d.field.as_deref(), Some("#/properties/payer"));
    assert_eq!(d.issue.as_deref(), Some("与ALLOF schema不符"));
    assert_eq!(d.location.as_deref(), Some("body"));
    // The echoed value (a digit string) is kept as personal data, redacted in Debug.
    assert_eq!(
        d.value.as_ref().map(Personal::expose_secret),
        Some("1346177081915535577")
    );
    assert!(!format!("{r:?}").contains("1346177081915535577"));
}

/// The Go SDK's notification vector: headers and platform certificate.
fn go_notify() -> (HeaderMap, KeyStore) {
    let h = headers_file(&String::from_utf8(data("go_notify_headers.txt")).unwrap());
    let cert = PlatformCertificate::from_pem(data("go_platform_cert.pem")).unwrap();
    let mut s = KeyStore::new();
    s.insert_certificate(&cert);
    (h, s)
}

fn v3_notify_java_sdk_body(b: &[u8]) {
    // Only `resource`: no envelope.
    assert!(serde_json::from_slice::<Notification>(b).is_err());
    // Paired in the Java test with Go's signature through a mock verifier: the real check
    // fails as a mismatch.
    let (h, store) = go_notify();
    let now = t(1_624_523_846);
    let e = notify::parse(&h, b, &Verifier::new(&store), &doc_v3_key(), now).unwrap_err();
    assert_eq!(e, NotifyError::Verify(VerifyError::BadSignature));
    assert_eq!(e.status(), StatusCode::UNAUTHORIZED);
    // Once authentic (re-signed by the simulator), the missing envelope is a typed JSON error.
    let sim = Simulator::new();
    let resp = sim.signed_v3_reply(&mut rng(6), StatusCode::OK, b.to_vec(), NOW);
    let m = sim.merchant();
    let e = notify::parse(
        resp.headers(),
        b,
        &m.verifier(),
        m.api_v3_key().unwrap(),
        NOW,
    )
    .unwrap_err();
    assert!(matches!(e, NotifyError::Json { .. }), "{e:?}");
    assert_eq!(e.status(), StatusCode::BAD_REQUEST);
    assert_eq!(e.disposition(), Disposition::Untrusted);
    // The resource is the Go vector's: it needs the 16-byte key `testMchAPIv3Key0`
    // (AES-128-GCM), which an APIv3 key (32 bytes, AES-256) cannot be.
    assert!(ApiV3Key::new(b"testMchAPIv3Key0").is_err());
    let v: Value = serde_json::from_slice(b).unwrap();
    let res: EncryptedResource = serde_json::from_value(v["resource"].clone()).unwrap();
    assert_eq!(res.original_type.as_deref(), Some("payscore"));
    assert_eq!(res.decrypt(&doc_v3_key()), Err(ResourceError::TagMismatch));
    let go: Value = serde_json::from_slice(&data("go_notify_body.json")).unwrap();
    assert_eq!(v["resource"], go["resource"]);
}

fn v3_notify_reserialized_httpclient56_body(b: &[u8]) {
    let h = headers_file(&real_str("v3_notify_reserialized_httpclient56_headers.txt"));
    v3_notify_reserialized_httpclient56(&h, b);
}

fn v3_notify_reserialized_httpclient56_headers(b: &[u8]) {
    let h = headers_file(std::str::from_utf8(b).unwrap());
    // Three of the four signature headers, as posted.
    assert_eq!(header(&h, "wechatpay-timestamp"), "1619690959");
    assert_eq!(
        header(&h, "wechatpay-nonce"),
        "rSKfmIQTYJ1xSr8BeKRDtJt7CVM7HHGm"
    );
    assert_eq!(
        STANDARD
            .decode(header(&h, "wechatpay-signature"))
            .unwrap()
            .len(),
        256
    );
    v3_notify_reserialized_httpclient56(&h, &real("v3_notify_reserialized_httpclient56_body.json"));
}

/// A notification body re-serialised by the poster (HashMap order) and its headers without
/// `Wechatpay-Serial`.
fn v3_notify_reserialized_httpclient56(h: &HeaderMap, body: &[u8]) {
    let body = body.to_vec();
    // The envelope is complete and typed.
    let n: Notification = serde_json::from_slice(&body).unwrap();
    assert_eq!(n.event_type, "TRANSACTION.SUCCESS");
    assert_eq!(n.resource_type, "encrypt-resource");
    assert_eq!(n.summary, "支付成功");
    assert_eq!(n.create_time, "2021-04-29T18:09:19+08:00");
    assert_eq!(n.resource.original_type.as_deref(), Some("transaction"));
    assert_eq!(n.resource.associated_data.as_deref(), Some("transaction"));
    // HashMap order, not WeChat's (id, create_time, resource_type, event_type, summary, resource).
    let text = std::str::from_utf8(&body).unwrap();
    let at = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
    assert!(at("summary") < at("create_time"));
    // The posted headers have no Wechatpay-Serial.
    let key = doc_v3_key();
    let m = merchant();
    let e = notify::parse(h, &body, &m.verifier(), &key, t(1_619_690_959)).unwrap_err();
    assert_eq!(
        e,
        NotifyError::Verify(VerifyError::MissingHeader("wechatpay-serial"))
    );
    // Re-signed in the simulator: these bytes verify; the resource (real, key unknown) then
    // fails its tag (500: WeChat Pay will retry). Re-serialising the body breaks the signature.
    let sim = Simulator::new();
    let resp = sim.signed_v3_reply(&mut rng(7), StatusCode::OK, body.clone(), NOW);
    let sm = sim.merchant();
    let e = notify::parse(
        resp.headers(),
        &body,
        &sm.verifier(),
        sm.api_v3_key().unwrap(),
        NOW,
    )
    .unwrap_err();
    assert_eq!(e, NotifyError::Resource(ResourceError::TagMismatch));
    assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let reserialized =
        serde_json::to_vec(&serde_json::from_slice::<Value>(&body).unwrap()).unwrap();
    assert_ne!(reserialized, body);
    let e = notify::parse(
        resp.headers(),
        &reserialized,
        &sm.verifier(),
        sm.api_v3_key().unwrap(),
        NOW,
    )
    .unwrap_err();
    assert_eq!(e, NotifyError::Verify(VerifyError::BadSignature));
}

// ------------------------------------------------------------------------------- fuzzing

/// Fuzzing regression (target `v2_xml_parse`, 2026-12-01: found after 4,007 executions, mutated
/// from the seed of the 单品 refund doc reply, a U+000F inserted into `promotion_detail`).
/// `xml::parse` keeps C0 controls inside text (issue 10: the sign covers them) while
/// `xml::to_xml` refuses every character XML 1.0 forbids, so the harness property "parse →
/// to_xml → parse is the identity" cannot hold for such a value. Both library behaviours are
/// documented and kept; the harness is stale (fix proposed in FUZZING.md).
#[test]
fn fuzz_regression_v2_xml_parse_c0_control_kept_but_not_writable() {
    for (input, c) in [
        (&b"<xml><a>\x01</a></xml>"[..], '\u{1}'),
        (b"<xml><a>&#1;</a></xml>", '\u{1}'),
        (b"<xml><a>refund_am\x0fount</a></xml>", '\u{f}'),
    ] {
        let f = xml::parse(input).unwrap();
        assert!(f.get("a").unwrap().contains(c));
        assert!(
            matches!(
                xml::to_xml(f.iter()),
                Err(xml::XmlError::IllegalCharacter { place, .. }) if place == "a"
            ),
            "{input:?}"
        );
    }
}

/// The same inputs through the fuzz harness itself (it found them: parse keeps a C0 control,
/// `to_xml` refuses it; the harness checks the round trip only for writable values). The
/// fuzzer's own crash files are replayed from fuzz/regressions by `fuzz_corpus`.
#[cfg(feature = "fuzzing")]
#[test]
fn fuzz_regression_v2_xml_parse_harness() {
    for input in [
        &b"<xml><a>\x01</a></xml>"[..],
        b"<xml><a>&#1;</a></xml>",
        b"<xml><a>x\x1fy</a><b>1</b></xml>",
    ] {
        wechatpay_sansio::fuzzing::v2_xml_parse(input);
    }
}

// ------------------------------------------------------------------------------- simulator

/// The simulator's v2 `FAIL` reply is byte-identical to the production replies of 2016–2024.
#[test]
fn simulator_v2_fail_is_byte_identical_to_production() {
    let sim = Simulator::new();
    let m = merchant();
    let req = crate::common::realnameauth_req(crate::common::OPENID_A, SignType::HmacSha256);
    let mut http = req.build(&m, &mut rng(1), NOW).unwrap().into_http();
    // Break the sign: WeChat Pay answers 签名错误.
    let body = String::from_utf8(http.body().clone())
        .unwrap()
        .replace("<sign>", "<sign>0");
    *http.body_mut() = body.into_bytes();
    let resp = sim.handle(&http, NOW, &mut rng(2), &Script::default());
    assert_eq!(resp.body(), &real("v2_generic_fail_sign_error_wepay4.xml"));
    let e = req
        .parse_reply(&m, ResponseRef::from_http(&resp), NOW)
        .unwrap_err();
    assert_eq!(e.disposition(), Disposition::Misconfigured);
}

/// Every v2 layout round-trips through `Simulator::handle` and the typed parsers (signed
/// realnameauth under both sign types, unsigned querymchrisk, success and business failure),
/// and the layout is what the real samples show.
#[test]
fn simulator_v2_layouts_round_trip() {
    for layout in [
        V2Layout::Compact,
        V2Layout::Newlines,
        V2Layout::Indented,
        V2Layout::IndentedCrlf,
    ] {
        let sim = Simulator::new().with_v2_layout(layout);
        let m = sim.merchant();
        for st in [SignType::Md5, SignType::HmacSha256] {
            let req = crate::common::realnameauth_req(crate::common::OPENID_A, st);
            let http = req.build(&m, &mut rng(3), NOW).unwrap().into_http();
            let script = Script {
                realnameauth: RealNameAuthScript::matched(),
                ..Script::default()
            };
            let resp = sim.handle(&http, NOW, &mut rng(4), &script);
            let text = std::str::from_utf8(resp.body()).unwrap();
            match layout {
                V2Layout::Compact => assert!(!text.contains('\n') && !text.contains("CDATA")),
                V2Layout::Newlines => {
                    assert!(
                        text.starts_with("<xml><return_code><![CDATA[SUCCESS]]></return_code>\n<")
                    );
                    assert!(text.ends_with(">\n</xml>") && !text.contains('\r'));
                }
                V2Layout::Indented => {
                    assert!(text.starts_with(
                        "<xml>\n  <return_code><![CDATA[SUCCESS]]></return_code>\n  <"
                    ));
                    assert!(text.ends_with(">\n</xml>") && !text.contains('\r'));
                }
                V2Layout::IndentedCrlf => {
                    assert!(text.starts_with(
                        "<xml>\r\n  <return_code><![CDATA[SUCCESS]]></return_code>\r\n  <"
                    ));
                    assert!(text.ends_with(">\r\n</xml>"));
                }
                _ => unreachable!(),
            }
            let out = req
                .parse_reply(&m, ResponseRef::from_http(&resp), NOW)
                .unwrap();
            assert_eq!(out.verify_openid, [VerifyOpenid::from_wire("V_OP_NM_MA")]);
            let out = wechatpay_sansio::api::read_reply_with::<realnameauth::RealNameAuthRequest>(
                &m,
                ResponseRef::from_http(&resp),
                NOW,
                &realnameauth::RealNameAuthReplyOptions::signed_with(Some(st)),
            )
            .unwrap();
            assert!(out.is_match());
            // Business failure, signed.
            let script = Script {
                realnameauth: RealNameAuthScript::Fail {
                    error_code: "SYSTEMERROR".into(),
                    error_code_des: "系统错误".into(),
                },
                ..Script::default()
            };
            let resp = sim.handle(&http, NOW, &mut rng(4), &script);
            let e = req
                .parse_reply(&m, ResponseRef::from_http(&resp), NOW)
                .unwrap_err();
            assert!(
                matches!(
                    e.failure(),
                    Some(Failure::Business {
                        err_code: Some(&ErrCode::SystemError),
                        ..
                    })
                ),
                "{layout:?}: {e:?}"
            );
            assert_eq!(e.disposition(), Disposition::Transient);
        }
        // querymchrisk: unsigned, an empty value (empty CDATA in the CDATA layouts) and digits.
        let mut req = QueryMchRiskRequest::new();
        req.settlement_card_no = Some(Personal::new("6222020200112233445"));
        let http = req.build(&m, &mut rng(5), NOW).unwrap().into_http();
        let script = Script {
            querymchrisk: RiskScript::level("UNKNOW", ""),
            ..Script::default()
        };
        let resp = sim.handle(&http, NOW, &mut rng(6), &script);
        let text = std::str::from_utf8(resp.body()).unwrap();
        if layout != V2Layout::Compact {
            assert!(
                text.contains("<risk_level_desc><![CDATA[]]></risk_level_desc>"),
                "{text}"
            );
            // Digits are bare, as total_fee / mch_id in the real bytes.
            assert!(
                text.contains(&format!("<mch_id>{}</mch_id>", sim.mchid().as_str())),
                "{text}"
            );
        }
        let out = req
            .parse_reply(&m, ResponseRef::from_http(&resp), NOW)
            .unwrap();
        assert_eq!(out.risk_level, RiskLevel::Unknown);
        assert_eq!(out.risk_level_desc, "");
    }
}

/// Values that CDATA cannot carry as such (`]]>`, CR) still round-trip in every layout, and
/// the signature covers the same values.
#[test]
fn simulator_v2_layouts_keep_awkward_values() {
    let awkward = "a]]>b<c>&d\r\ne 中文 \"q\"";
    for layout in [
        V2Layout::Compact,
        V2Layout::Newlines,
        V2Layout::Indented,
        V2Layout::IndentedCrlf,
    ] {
        let sim = Simulator::new().with_v2_layout(layout);
        let m = sim.merchant();
        let resp = sim.v2_reply(
            &[
                ("result_code", "SUCCESS"),
                ("x", awkward),
                ("n", "42"),
                ("e", ""),
            ],
            Some(SignType::HmacSha256),
        );
        let f = reply::parse_and_check(
            resp.body(),
            m.api_v2_key().unwrap(),
            &Expect::signed(Some(SignType::HmacSha256)),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(f.get("x"), Some(awkward), "{layout:?}");
        assert_eq!(f.get("n"), Some("42"));
        assert_eq!(f.get("e"), Some(""));
    }
}

/// The simulator answers a missing `Wechatpay-Serial` with the exact bytes of the real reply.
#[test]
fn simulator_missing_serial_is_byte_identical_to_the_real_reply() {
    let sim = Simulator::new();
    let m = sim.merchant();
    let req = customs_request();
    let mut http = req.build(&m, &mut rng(8), NOW).unwrap().into_http();
    http.headers_mut().remove("wechatpay-serial");
    let resp = sim.handle(&http, NOW, &mut rng(9), &Script::default());
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.body(),
        &real("v3_error_param_error_missing_serial_httpclient109.json")
    );
    // Error replies carry no Wechatpay-* headers.
    assert!(
        resp.headers()
            .keys()
            .all(|k| !k.as_str().starts_with("wechatpay-"))
    );
}

/// A wrong signature gets the production SIGN_ERROR shape: `detail.detail.issue` and
/// `detail.sign_information` with the signed message's length and truncated text.
#[test]
fn simulator_sign_error_has_the_production_detail() {
    let sim = Simulator::new();
    let m = sim.merchant();
    let req = customs_request();
    let mut http = req.build(&m, &mut rng(10), NOW).unwrap().into_http();
    let len_before = http.body().len();
    http.body_mut().push(b' ');
    let resp = sim.handle(&http, NOW, &mut rng(11), &Script::default());
    assert_eq!(resp.status(), 401);
    let v: Value = serde_json::from_slice(resp.body()).unwrap();
    let real_v: Value =
        serde_json::from_slice(&real("v3_error_sign_error_real_payment_sdk.json")).unwrap();
    // Same keys at every level as the real reply.
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&v), keys(&real_v));
    assert_eq!(keys(&v["detail"]), keys(&real_v["detail"]));
    assert_eq!(
        keys(&v["detail"]["sign_information"]),
        keys(&real_v["detail"]["sign_information"])
    );
    assert_eq!(v["detail"]["detail"]["issue"], "sign not match");
    let si = &v["detail"]["sign_information"];
    assert_eq!(si["method"], "POST");
    assert_eq!(si["url"], customs::PATH);
    let auth = http.headers()["authorization"].to_str().unwrap();
    let ts = auth
        .split("timestamp=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let nonce = auth
        .split("nonce_str=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let head = format!("POST\n{}\n{ts}\n{nonce}\n", customs::PATH);
    assert_eq!(si["sign_message_length"], head.len() + len_before + 1 + 1);
    let truncated = si["truncated_sign_message"].as_str().unwrap();
    assert!(truncated.starts_with(&head) && truncated.ends_with('\n'));
    // Typed: SIGN_ERROR, Misconfigured.
    let e = req
        .parse_reply(&m, ResponseRef::from_http(&resp), NOW)
        .unwrap_err();
    let Some(Failure::V3(r)) = e.failure() else {
        panic!("{e:?}")
    };
    assert_eq!(r.code, ErrorCode::SignError);
    assert_eq!(
        r.detail.as_ref().and_then(|d| d.field.as_deref()),
        Some("signature")
    );
    assert_eq!(e.disposition(), Disposition::Misconfigured);
}

/// The customs document's own `UNchECKED` through the simulator and the typed request.
#[test]
fn simulator_customs_doc_value_round_trip() {
    let sim = Simulator::new();
    let m = sim.merchant();
    let req = customs_request();
    let http = req.build(&m, &mut rng(12), NOW).unwrap().into_http();
    let script = Script {
        customs: CustomsScript::Result("UNchECKED".into()),
        ..Script::default()
    };
    let resp = sim.handle(&http, NOW, &mut rng(13), &script);
    let out = req
        .parse_reply(&m, ResponseRef::from_http(&resp), NOW)
        .unwrap();
    assert_eq!(
        out.certificate_check_result,
        CheckResult::Other("UNchECKED".into())
    );
    assert!(!out.is_same());
}

/// Notifications as WeChat Pay sends them: the envelope in WeChat's key order (id,
/// create_time, resource_type, event_type, summary, resource{original_type, algorithm,
/// ciphertext, associated_data, nonce}), verified and decrypted by `notify::parse`.
#[test]
fn simulator_notification_has_wechat_key_order() {
    let sim = Simulator::new();
    let m = sim.merchant();
    let req = sim.notification(
        "TRANSACTION.SUCCESS",
        br#"{"out_trade_no":"T1"}"#,
        NOW,
        &mut rng(14),
    );
    let text = std::str::from_utf8(req.body()).unwrap();
    let order = |keys: &[&str]| {
        let pos: Vec<usize> = keys
            .iter()
            .map(|k| text.find(&format!("\"{k}\":")).unwrap())
            .collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]), "{keys:?} in {text}");
    };
    order(&[
        "id",
        "create_time",
        "resource_type",
        "event_type",
        "summary",
        "resource",
    ]);
    order(&[
        "original_type",
        "algorithm",
        "ciphertext",
        "associated_data",
        "nonce",
    ]);
    let n = notify::parse(
        req.headers(),
        req.body(),
        &m.verifier(),
        m.api_v3_key().unwrap(),
        NOW,
    )
    .unwrap();
    assert_eq!(&n.plaintext[..], br#"{"out_trade_no":"T1"}"#);
    assert_eq!(
        n.notification.resource.original_type.as_deref(),
        Some("transaction")
    );
}

fn customs_request() -> VerifyCertificateRequest {
    VerifyCertificateRequest::new(
        "wxd678efh567hg6787",
        "20150806125346",
        "1000320306201511078440737890",
        Customs::ShanghaiZs,
        "123456",
        Personal::new("11010519491231002X"),
        Personal::new("张三"),
    )
}
