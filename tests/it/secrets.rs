//! Secrets and personal data never show up in `Debug` / `Display` output of public types or of
//! the errors produced from such input. Needles: the API keys, base64 chunks of the private-key
//! PEM bodies, names and ID numbers — in UTF-8, percent-encoded and as decimal byte lists (what a
//! derived `Debug` of `Vec<u8>` prints).

use crate::common::*;
use crate::common::{data, rng, store, t, text};
use wechatpay_sansio::cipher;
use wechatpay_sansio::cipher::Padding;
use wechatpay_sansio::http::{HeaderMap, StatusCode};
use wechatpay_sansio::ids::{MchId, Nonce};
use wechatpay_sansio::keys::{KeyId, MerchantPrivateKey};
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::secret::{ApiV2Key, ApiV3Key, Personal, SecretError};
use wechatpay_sansio::v2::reply::{Expect, parse_and_check};
use wechatpay_sansio::v2::request::{get_signed, post_xml};
use wechatpay_sansio::v2::xml::XmlLimits;
use wechatpay_sansio::v2::{SignType, sign, xml};
use wechatpay_sansio::v3::auth::MerchantSigner;
use wechatpay_sansio::v3::response;
use wechatpay_sansio::v3::response::ErrorBody;
use wechatpay_sansio::v3::verify::Verifier;

const V2_KEY: &str = "Zq8ThisIsATestOnlyApiV2Key000042";
const V3_KEY: &str = "Zq8ThisIsATestOnlyApiV3Key000042";
const NAME: &str = "张三丰";
const ID: &str = "11010519491231002X";
const NOW: u64 = 1_700_000_000;

/// Substrings that must never appear: the secrets, the personal data, and their encodings.
fn needles() -> Vec<String> {
    let mut n = vec![
        V2_KEY.to_owned(),
        V3_KEY.to_owned(),
        NAME.to_owned(),
        ID.to_owned(),
    ];
    // Percent-encoded name (a query string), decimal byte lists (derived Debug of bytes).
    n.push(
        NAME.bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>(),
    );
    for s in [NAME, ID, V2_KEY, V3_KEY] {
        let bytes: Vec<String> = s.bytes().map(|b| b.to_string()).collect();
        n.push(bytes.join(", "));
    }
    // Chunks of every private key's PEM body (skip the first body line: the PKCS#8 header and
    // the start of the public modulus).
    for file in [
        "test_merchant_key.pem",
        "test_platform_key.pem",
        "test_platform2_key.pem",
        "test_merchant_key_pkcs1.pem",
    ] {
        let pem = text(file);
        for line in pem
            .lines()
            .filter(|l| !l.starts_with('-') && !l.starts_with('#') && l.len() >= 64)
            .skip(2)
        {
            n.push(line[8..32].to_owned());
        }
    }
    n
}

fn assert_clean(what: &str, s: &str) {
    for needle in needles() {
        assert!(!s.contains(&needle), "{what} leaks {needle:?}: {s}");
    }
}

macro_rules! check {
    ($what:expr, debug $v:expr) => {
        assert_clean(concat!($what, " Debug"), &format!("{:?}", $v));
        assert_clean(concat!($what, " Debug alt"), &format!("{:#?}", $v));
    };
    ($what:expr, both $v:expr) => {
        check!($what, debug $v);
        assert_clean(concat!($what, " Display"), &format!("{}", $v));
    };
}

#[test]
fn needles_are_real() {
    // The needles do occur in the raw material (otherwise the test below proves nothing).
    let pem = text("test_merchant_key.pem");
    let n = needles();
    assert!(n.iter().filter(|x| pem.contains(x.as_str())).count() >= 10);
    assert!(format!("{:?}", NAME.as_bytes()).contains(&n[5]));
}

#[test]
fn secret_types() {
    check!("ApiV2Key", both ApiV2Key::new(V2_KEY).unwrap());
    check!("ApiV3Key", both ApiV3Key::new(V3_KEY).unwrap());
    check!("Personal", both Personal::new(NAME));
    check!("Personal", both Personal::new(ID));
    for f in [
        "test_merchant_key.pem",
        "test_merchant_key_pkcs1.pem",
        "test_platform_key.pem",
    ] {
        let k = MerchantPrivateKey::from_pem(data(f)).unwrap();
        check!("MerchantPrivateKey", debug & k);
        let signer = MerchantSigner::new(
            MchId::new("1900000109").unwrap(),
            KeyId::new("3C3BBC2B9F5BF4F2").unwrap(),
            k,
        );
        check!("MerchantSigner", debug & signer);
    }
}

#[test]
fn secret_errors() {
    // Wrong-length / wrong-charset keys: the error says why, never what.
    let long = format!("{V2_KEY}x");
    let e = ApiV2Key::new(long.as_str()).unwrap_err();
    assert_eq!(e, SecretError::ApiV2KeyLength(33));
    check!("SecretError", both e);
    let e = ApiV2Key::new(V2_KEY.replace('Z', "\n")).unwrap_err();
    check!("SecretError", both e);
    let e = ApiV3Key::new(format!("{V3_KEY}x")).unwrap_err();
    check!("SecretError", both e);
    // A damaged private key PEM.
    let pem = text("test_merchant_key.pem").replace("MII", "M!I");
    let e = MerchantPrivateKey::from_pem(&pem).unwrap_err();
    check!("KeyError", both e);
    let mut der = pem_rfc7468::decode_vec(data("test_merchant_key.pem").as_slice())
        .unwrap()
        .1;
    der.truncate(der.len() - 10);
    let e = MerchantPrivateKey::from_der(&der).unwrap_err();
    check!("KeyError", both e);
    // Signing with a bad name: the error names the field, not the key.
    let key = ApiV2Key::new(V2_KEY).unwrap();
    let e = sign::sign([("a&b", NAME)], &key, SignType::Md5).unwrap_err();
    check!("SignError", both e);
    let e = sign::verify([("name", NAME)], &key, SignType::Md5, ID).unwrap_err();
    check!("SignError", both e);
    let masked = sign::canonical_string_masked([("a", "1")]).unwrap();
    assert_clean("canonical_string_masked", &masked);
}

#[test]
fn personal_data_in_v2_bodies() {
    let key = ApiV2Key::new(V2_KEY).unwrap();
    let params = [
        ("mch_id", "1900000109"),
        ("real_name", NAME),
        ("cred_id", ID),
        ("nonce_str", "n"),
    ];
    let req = post_xml(
        "https://fraud.mch.weixin.qq.com/secsvc/realnameauth",
        &params,
        &key,
        SignType::HmacSha256,
        true,
    )
    .unwrap();
    assert!(std::str::from_utf8(req.body()).unwrap().contains(NAME));
    check!("Request (POST)", debug & req);
    // The legacy GET API puts the name and ID number in the query string.
    let req = get_signed(
        "https://api.mch.weixin.qq.com/cgi-bin/nameauth/nameautheasy",
        &[("truename", NAME), ("creid", ID), ("openid", "o")],
        &key,
        SignType::Md5,
    )
    .unwrap();
    check!("Request (GET)", debug & req);
    let dbg = format!("{req:?}");
    assert!(
        dbg.contains("https://api.mch.weixin.qq.com/cgi-bin/nameauth/nameautheasy?<"),
        "{dbg}"
    );
    // Parsed replies holding personal data, and errors produced from them.
    let body = xml::to_xml(params).unwrap();
    let f = xml::parse(body.as_bytes()).unwrap();
    check!("Fields", debug & f);
    let e = parse_and_check(
        body.as_bytes(),
        &key,
        &Expect::signed(None),
        &XmlLimits::default(),
    )
    .unwrap_err();
    check!("ReplyError", both e);
    let bad = format!("<xml><real_name>{NAME}\u{0}</real_name><cred_id>{ID}</cred_id></xml>");
    let e = xml::parse(bad.as_bytes()).unwrap_err();
    check!("XmlError", both e);
    let dup = format!("<xml><cred_id>{ID}</cred_id><cred_id>{ID}</cred_id></xml>");
    check!("XmlError", both xml::parse(dup.as_bytes()).unwrap_err());
    let e = xml::to_xml([(NAME, ID)]).unwrap_err();
    // The name position is a field name, which errors may show; a value never.
    assert_clean("XmlError (value)", &e.to_string().replace(NAME, ""));
}

#[test]
fn personal_data_in_v3_bodies() {
    let detail = format!(
        r#"{{"code":"PARAM_ERROR","message":"bad","detail":{{"field":"/certificate_id","value":"{ID}","issue":"x","location":"body"}}}}"#
    );
    let e = ErrorBody::parse(detail.as_bytes()).unwrap();
    check!("ErrorBody", debug & e);
    check!("ErrorDetail", debug e.detail.as_ref().unwrap());
    let h = HeaderMap::new();
    let r = response::check(
        ResponseRef::new(StatusCode::BAD_REQUEST, &h, detail.as_bytes()),
        &Verifier::new(&store()),
        t(NOW),
    )
    .unwrap_err();
    check!("ResponseError", both r);
    // Numeric and object values are kept as JSON text, still redacted.
    let e =
        ErrorBody::parse(br#"{"code":"X","detail":{"value":{"cred_id":"11010519491231002X"}}}"#)
            .unwrap();
    check!("ErrorBody (object)", debug & e);
    let e = ErrorBody::parse(format!(r#"{{"code":"X","message":"{ID}""#).as_bytes()).unwrap_err();
    check!("ErrorBodyError", both e);
}

#[test]
fn decrypted_notification() {
    use wechatpay_sansio::http::HeaderValue;
    use wechatpay_sansio::v3::notify;
    use wechatpay_sansio::v3::resource::{self, EncryptedResource};
    let v3 = ApiV3Key::new(V3_KEY).unwrap();
    let plaintext = format!(r#"{{"real_name":"{NAME}","cred_id":"{ID}"}}"#);
    let res =
        EncryptedResource::encrypt(&v3, "Kj7QIyUiYx1q", "x", "x", plaintext.as_bytes()).unwrap();
    let body = serde_json::json!({
        "id": "1", "create_time": "t", "event_type": "E", "resource_type": "encrypt-resource",
        "resource": res,
    })
    .to_string();
    let key = crate::common::platform_private_key();
    let s = MerchantSigner::new(MchId::new("1").unwrap(), KeyId::new("1").unwrap(), key);
    let msg = format!("{NOW}\nn\n{body}\n");
    let sig = s.sign(&mut rng(1), msg.as_bytes()).unwrap();
    let mut h = HeaderMap::new();
    h.insert(
        "wechatpay-timestamp",
        HeaderValue::from_str(&NOW.to_string()).unwrap(),
    );
    h.insert("wechatpay-nonce", HeaderValue::from_static("n"));
    h.insert(
        "wechatpay-serial",
        HeaderValue::from_str(crate::common::platform_cert().serial().as_str()).unwrap(),
    );
    h.insert("wechatpay-signature", HeaderValue::from_str(&sig).unwrap());
    let n = notify::parse(&h, body.as_bytes(), &Verifier::new(&store()), &v3, t(NOW)).unwrap();
    assert_eq!(&n.plaintext[..], plaintext.as_bytes());
    check!("DecryptedNotification", debug & n);
    // Wrong key: the error does not carry plaintext or key.
    let wrong = ApiV3Key::new(V3_KEY.replace('Z', "Y")).unwrap();
    let e = notify::parse(
        &h,
        body.as_bytes(),
        &Verifier::new(&store()),
        &wrong,
        t(NOW),
    )
    .unwrap_err();
    check!("NotifyError", both e);
    let e = resource::decrypt(&wrong, "Kj7QIyUiYx1q", b"x", &res.ciphertext).unwrap_err();
    check!("ResourceError", both e);
}

#[test]
fn rsa_fields() {
    let key = crate::common::merchant_key();
    let mut g = rng(2);
    let ct = cipher::encrypt_personal(
        &mut g,
        &key.public_key(),
        Padding::Oaep,
        &Personal::new(NAME),
    )
    .unwrap();
    let pt = cipher::decrypt_oaep_personal(&mut g, &key, &ct).unwrap();
    assert_eq!(pt.expose_secret(), NAME);
    check!("decrypted Personal", both pt);
    let e = cipher::encrypt(&mut g, &key.public_key(), Padding::Oaep, &[b'x'; 300]).unwrap_err();
    check!("CipherError", both e);
    let e = cipher::encrypt_personal(&mut g, &key.public_key(), Padding::Oaep, &Personal::new(""))
        .unwrap_err();
    check!("CipherError", both e);
    let e = MchId::new(ID).unwrap_err();
    check!("IdError", both e);
    let e = Nonce::new(NAME).unwrap_err();
    check!("IdError", both e);
}

#[test]
fn simulator_types() {
    use wechatpay_sansio::simulator::{Simulator, TEST_API_V2_KEY, TEST_API_V3_KEY};
    let sim = Simulator::new();
    let m = Simulator::new().merchant();
    for s in [
        format!("{sim:?}"),
        format!("{sim:#?}"),
        format!("{m:?}"),
        format!("{m:#?}"),
    ] {
        assert_clean("Simulator/Merchant", &s);
        assert!(
            !s.contains(TEST_API_V2_KEY) && !s.contains(TEST_API_V3_KEY),
            "{s}"
        );
    }
}
#[test]
fn id_and_secret_errors() {
    use wechatpay_sansio::ids::IdError;
    use wechatpay_sansio::secret::{ApiV2Key, SecretError};
    assert!(matches!(MchId::new("1\r\n"), Err(IdError::Invalid(_))));
    assert_eq!(Nonce::generate(&mut FailingRng).unwrap_err(), IdError::Rng);
    assert_eq!(
        ApiV2Key::new("a".repeat(31)).unwrap_err(),
        SecretError::ApiV2KeyLength(31)
    );
    assert!(IdError::Rng.to_string().contains("random"));
}

#[test]
fn response_ref_debug_prints_no_body() {
    let mut headers = http::HeaderMap::new();
    headers.insert("wechatpay-nonce", "n".parse().unwrap());
    let body = br#"{"name_mask":"*\u4e09","certificate_id":"11010519491231002X"}"#;
    let r = ResponseRef::new(StatusCode::OK, &headers, body);
    let d = format!("{r:?}");
    assert!(!d.contains("11010519491231002X"), "{d}");
    assert!(!d.contains("name_mask"), "{d}");
    assert!(d.contains(&body.len().to_string()), "{d}");
    assert!(d.contains("wechatpay-nonce"), "{d}");
}

/// `Debug` of the identity requests redacts the openid and the OAuth `code` (as the outcomes
/// do), and still shows the non-personal fields (issue 15 item 5).
#[test]
fn identity_requests_debug_redacts_openid_and_code() {
    use wechatpay_sansio::api::nameauth::NameAuthRequest;
    use wechatpay_sansio::api::oauth::GetAccessTokenRequest;
    use wechatpay_sansio::api::pre_entrust::PreEntrustSignRequest;
    use wechatpay_sansio::api::realnameauth::{CredType, RealNameAuthRequest};
    use wechatpay_sansio::secret::AccessToken;
    const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
    const CODE: &str = "081kQeGa1MbkFL0XA5Ha1e7Wdo2kQeGq";
    const TOKEN: &str = "81_ThisIsATestOnlyAccessToken";
    let debugs = [
        format!(
            "{:?}",
            RealNameAuthRequest::new(
                "wxd678efh567hg6787",
                OPENID,
                Personal::new(NAME),
                CredType::IdCard,
                Personal::new(ID),
                AccessToken::new(TOKEN),
            )
        ),
        format!(
            "{:?}",
            NameAuthRequest::new(
                "wxd678efh567hg6787",
                OPENID,
                Personal::new(NAME),
                Personal::new(ID)
            )
        ),
        format!(
            "{:?}",
            PreEntrustSignRequest::mini_program(
                "wxd678efh567hg6787",
                "contract_001",
                OPENID,
                Personal::new(NAME),
                Personal::new(ID),
            )
        ),
        format!(
            "{:?}",
            GetAccessTokenRequest::new("wxd678efh567hg6787", OPENID, CODE)
        ),
    ];
    for d in &debugs {
        assert_clean("identity request Debug", d);
        for needle in [OPENID, CODE, TOKEN] {
            assert!(!d.contains(needle), "leaks {needle:?}: {d}");
        }
        assert!(d.contains("wxd678efh567hg6787"), "appid is shown: {d}");
        assert!(
            d.contains("openid: \"<redacted>\"") || d.contains("openid: Some(\"<redacted>\")"),
            "{d}"
        );
    }
    assert!(debugs[2].contains("contract_001"), "{}", debugs[2]);
    assert!(debugs[3].contains("code: \"<redacted>\""), "{}", debugs[3]);
    // The APP scene has no openid: shown as None, not as a redaction of nothing.
    let app = PreEntrustSignRequest::app(
        "wxd678efh567hg6787",
        "contract_002",
        Personal::new(NAME),
        Personal::new(ID),
    );
    assert!(format!("{app:?}").contains("openid: None"), "{app:?}");
}

/// The identity replies are not bound to the personal data sent, and the protocol cannot bind
/// them: the module docs users read and the README say so, with the safe usage (issue 15 item 5).
#[test]
fn identity_docs_say_what_a_reply_does_not_prove() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let module_doc = |file: &str| -> String {
        std::fs::read_to_string(root.join("src/api").join(file))
            .unwrap()
            .lines()
            .filter_map(|l| l.strip_prefix("//!"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for (file, needles) in [
        (
            "realnameauth.rs",
            &[
                "does not prove",
                "another",
                "fresh access token",
                "carries no time",
            ][..],
        ),
        (
            "nameauth.rs",
            &["does not prove", "echoes nothing", "*this* HTTP exchange"][..],
        ),
        (
            "pre_entrust.rs",
            &[
                "does not prove",
                "pre_entrustweb_id",
                "against the `out_contract_code`",
            ][..],
        ),
    ] {
        let doc = module_doc(file);
        let doc = doc.split_whitespace().collect::<Vec<_>>().join(" ");
        for n in needles {
            assert!(doc.contains(n), "{file}: the module doc lacks {n:?}");
        }
    }
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    for n in [
        "not bound to the personal data sent",
        "per fresh access token",
        "against the `out_contract_code`",
        "v2 payment notifications carry no time",
    ] {
        assert!(readme.contains(n), "README lacks {n:?}");
    }
}

/// Issue 15 item 5 (log injection): the `Display` of every error that quotes unauthenticated
/// text — a v3 `message`, `detail`, an unknown code; v2 `return_msg`, `err_code_des`, unknown
/// codes; OAuth `retmsg` — escapes control characters and caps the text's length, so that
/// `error.to_string()` in a log can forge no line and colour no terminal.
#[test]
fn received_text_is_escaped_and_capped_in_display() {
    use wechatpay_sansio::api::{ApiError, Failure, NameAuthCode, Retcode};
    use wechatpay_sansio::v2::reply::{ErrCode, ReplyError};
    use wechatpay_sansio::v3::response::{ErrorReply, ResponseError};
    let evil = "x\nFAKE LOG LINE\r\u{1b}[31mred\u{0}";
    let long = "长".repeat(4_000); // four copies fit the 64 KiB error-body limit
    let v3 = |code: &str, message: &str| {
        let body = serde_json::json!({"code": code, "message": message,
            "detail": {"field": message, "issue": message, "value": "v", "location": "body"}});
        ErrorReply::new(400, ErrorBody::parse(body.to_string().as_bytes()).unwrap())
    };
    let shown: Vec<(String, String)> = [evil, long.as_str()]
        .into_iter()
        .flat_map(|t| {
            // Every failure answer, as the ApiError that carries it.
            let errors = [
                ApiError::V3Reply(ResponseError::Failure(Box::new(v3(t, t)))),
                ApiError::V2Reply(ReplyError::ReturnFail {
                    return_code: t.into(),
                    return_msg: Some(t.into()),
                }),
                ApiError::V2Reply(ReplyError::BusinessFail {
                    err_code: Some(ErrCode::from_wire(t)),
                    err_code_des: Some(t.into()),
                }),
                ApiError::OAuth {
                    retcode: Retcode::from_wire(t),
                    retmsg: t.into(),
                },
                ApiError::NameAuth(NameAuthCode::from_wire(t)),
            ];
            let mut out: Vec<(String, String)> = errors
                .iter()
                .map(|e| {
                    let f: Failure<'_> = e.failure().unwrap();
                    (format!("{f:?}"), f.to_string())
                })
                .collect();
            let reply = v3(t, t);
            out.push(("ErrorReply".into(), reply.to_string()));
            out.push((
                "ResponseError".into(),
                ResponseError::Failure(Box::new(reply)).to_string(),
            ));
            for e in &errors {
                out.push(("ApiError".into(), e.to_string()));
            }
            out
        })
        .collect();
    assert_eq!(shown.len(), 2 * 12);
    for (what, s) in &shown {
        assert!(
            !s.chars().any(char::is_control),
            "{what}: control character in {s:?}"
        );
        // Each piece of received text is capped (256 characters), a few pieces per message.
        assert!(
            s.chars().count() < 2_000,
            "{what}: {} chars",
            s.chars().count()
        );
    }
    // Escaped, not dropped: the text is still there to read.
    assert!(
        shown[0]
            .1
            .contains("x\\nFAKE LOG LINE\\r\\u{1b}[31mred\\u{0}"),
        "{}",
        shown[0].1
    );
}
