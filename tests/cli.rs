//! The `wxpay` binary, run as a user would (assert_cmd), against published vectors.
#![cfg(feature = "cli")]

use assert_cmd::Command;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand_core::SeedableRng;
use rsa::pkcs8::DecodePrivateKey;
use sha2::Digest;
use std::path::PathBuf;

const V2_KEY: &str = "192006250b4c09247ec02edce69f6a2d";
const OFFICIAL: &str = r#"{"appid":"wxd930ea5d5a258f4f","mch_id":"10000100","device_info":"1000","body":"test","nonce_str":"ibuaiVcKdpRxkhJA"}"#;
const OFFICIAL_MD5: &str = "9A0A8659F005D6984697E2CA0A9CF3B7";
const OFFICIAL_HMAC: &str = "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6";
const OFFICIAL_CANONICAL: &str = "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&key=***";
const WECHATPY_XML: &str = "<xml><test1>test1</test1><test2>test2</test2><sign>1E3A8D73B5A4AEE787C0F68B5DAB8520</sign></xml>";
const GO_NOW: &str = "1624523846";
const GO_NONCE: &str = "EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz";
const V3_KEY: &str = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";

fn wxpay() -> Command {
    let mut c = assert_cmd::cargo::cargo_bin_cmd!("wxpay");
    // Keys come only from what each test passes.
    c.env_remove("WXPAY_KEY").env_remove("WXPAY_APIV3_KEY");
    c
}

fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A scratch file under cargo's per-test temporary directory.
fn scratch(name: &str, contents: impl AsRef<[u8]>) -> String {
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("wxpay-cli-{name}"));
    std::fs::write(&p, contents).unwrap();
    p.to_str().unwrap().to_owned()
}

fn go_signature() -> String {
    let headers = std::fs::read_to_string(data("go_notify_headers.txt")).unwrap();
    headers
        .lines()
        .find_map(|l| l.strip_prefix("Wechatpay-Signature: "))
        .unwrap()
        .trim()
        .to_owned()
}

/// stderr is exactly one `wxpay: …` line (the error contract) and never mentions a panic.
fn one_error_line(out: &std::process::Output) -> String {
    let err = String::from_utf8(out.stderr.clone()).unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "expected one stderr line, got {err:?}");
    assert!(lines[0].starts_with("wxpay: "), "{err}");
    err
}

fn fails(cmd: &mut Command, code: i32) -> String {
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(code), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    one_error_line(&out)
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn private_key(name: &str) -> rsa::PrivateKey {
    let pem = std::fs::read_to_string(data(name)).unwrap();
    let (label, der) = pem_rfc7468::decode_vec(pem.as_bytes()).unwrap();
    assert_eq!(label, "PRIVATE KEY");
    rsa::PrivateKey::from_pkcs8_der(&der).unwrap()
}

// ---------------------------------------------------------------- v2-sign

#[test]
fn v2_sign_official_vectors() {
    wxpay()
        .args(["v2-sign", "--sign-type", "MD5", "--key", V2_KEY])
        .write_stdin(OFFICIAL)
        .assert()
        .success()
        .stdout(format!("{OFFICIAL_MD5}\n"))
        .stderr("");
    wxpay()
        .args(["v2-sign", "--sign-type", "HMAC-SHA256"])
        .env("WXPAY_KEY", V2_KEY)
        .write_stdin(OFFICIAL)
        .assert()
        .success()
        .stdout(format!("{OFFICIAL_HMAC}\n"));
    let key_file = scratch("v2.key", format!("{V2_KEY}\r\n"));
    wxpay()
        .args(["v2-sign", "--sign-type", "MD5", "--key-file", &key_file])
        // The file wins over an inherited environment variable.
        .env("WXPAY_KEY", "x")
        .write_stdin(OFFICIAL)
        .assert()
        .success()
        .stdout(format!("{OFFICIAL_MD5}\n"));
}

#[test]
fn v2_sign_explain_masks_the_key() {
    let out = wxpay()
        .args([
            "v2-sign",
            "--sign-type",
            "MD5",
            "--key",
            V2_KEY,
            "--explain",
        ])
        .write_stdin(OFFICIAL)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, format!("{OFFICIAL_MD5}\n").as_bytes());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!(
            "canonical string (key masked): \"{OFFICIAL_CANONICAL}\""
        )),
        "{err}"
    );
    assert!(err.contains("sign type: MD5"), "{err}");
    assert!(!err.contains(V2_KEY));
}

#[test]
fn v2_sign_explain_hints() {
    let fields = r#"{"body":"<![CDATA[test]]>","sign":"X","remark":"","sign_type":"HMAC-SHA256","total_fee":" 1","key":"k"}"#;
    let out = wxpay()
        .args(["v2-sign", "--sign-type", "MD5", "--explain"])
        .env("WXPAY_KEY", V2_KEY)
        .write_stdin(fields)
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(r#""body=<![CDATA[test]]>&key=k&sign_type=HMAC-SHA256&total_fee= 1&key=***""#),
        "{err}"
    );
    assert!(
        err.contains("not signed: sign (the signature itself), remark (empty value)"),
        "{err}"
    );
    assert!(
        err.contains("hint: the value of body contains a literal <![CDATA["),
        "{err}"
    );
    assert!(
        err.contains("hint: the value of total_fee has leading"),
        "{err}"
    );
    assert!(err.contains("hint: a field named \"key\""), "{err}");
    assert!(
        err.contains(
            "hint: the fields say sign_type=HMAC-SHA256 but the sign is computed with MD5"
        ),
        "{err}"
    );
    assert!(!err.contains(V2_KEY));
}

#[test]
fn v2_sign_unusable_input_exits_2() {
    let sign = || {
        let mut c = wxpay();
        c.args(["v2-sign", "--sign-type", "MD5"])
            .env("WXPAY_KEY", V2_KEY);
        c
    };
    let e = fails(sign().write_stdin(r#"{"total_fee":1}"#), 2);
    assert!(
        e.contains(r#"field "total_fee": values must be JSON strings, got a number"#),
        "{e}"
    );
    let e = fails(sign().write_stdin(r#"{"a":null}"#), 2);
    assert!(e.contains("got null"), "{e}");
    let e = fails(sign().write_stdin(r#"{"a":["x"]}"#), 2);
    assert!(e.contains("got an array"), "{e}");
    let e = fails(sign().write_stdin(r#"{"a":"1","a":"2"}"#), 2);
    assert!(e.contains(r#"duplicate field "a""#), "{e}");
    let e = fails(sign().write_stdin("[1,2]"), 2);
    assert!(e.contains("JSON object"), "{e}");
    let e = fails(sign().write_stdin(r#"{"a=b":"1"}"#), 2);
    assert!(e.contains("invalid parameter name"), "{e}");
    let e = fails(sign().write_stdin("<xml/>"), 2);
    assert!(e.contains("not a JSON object of strings"), "{e}");
    // Key problems: missing, wrong length; the key text is never echoed.
    let e = fails(
        wxpay()
            .args(["v2-sign", "--sign-type", "MD5"])
            .write_stdin(OFFICIAL),
        2,
    );
    assert!(e.contains("no key given"), "{e}");
    let e = fails(
        wxpay()
            .args(["v2-sign", "--sign-type", "MD5", "--key", "secret-but-short"])
            .write_stdin(OFFICIAL),
        2,
    );
    assert!(
        e.contains("32 bytes") && !e.contains("secret-but-short"),
        "{e}"
    );
    let e = fails(
        wxpay()
            .args([
                "v2-sign",
                "--sign-type",
                "MD5",
                "--key-file",
                "/nonexistent/key",
            ])
            .write_stdin(OFFICIAL),
        2,
    );
    assert!(e.contains("cannot open /nonexistent/key"), "{e}");
    // Usage errors from the command line are one line too.
    let e = fails(
        wxpay()
            .args(["v2-sign", "--sign-type", "HMAC_SHA256", "--key", V2_KEY])
            .write_stdin(OFFICIAL),
        2,
    );
    assert!(e.contains("HMAC_SHA256"), "{e}");
    let e = fails(
        wxpay()
            .args([
                "v2-sign",
                "--sign-type",
                "MD5",
                "--key",
                V2_KEY,
                "--key-file",
                "f",
            ])
            .write_stdin(OFFICIAL),
        2,
    );
    assert!(e.contains("cannot be used with"), "{e}");
    let e = fails(wxpay().arg("v2-sign").write_stdin(OFFICIAL), 2);
    assert!(e.contains("--sign-type"), "{e}");
    fails(wxpay().arg("no-such-command"), 2);
}

// ---------------------------------------------------------------- v2-verify

#[test]
fn v2_verify_wechatpy_vector() {
    wxpay()
        .arg("v2-verify")
        .env("WXPAY_KEY", V2_KEY)
        .write_stdin(WECHATPY_XML)
        .assert()
        .success()
        .stdout("valid (MD5)\n")
        .stderr("");
    wxpay()
        .args(["v2-verify", "--sign-type", "MD5", "--key", V2_KEY])
        .write_stdin(WECHATPY_XML.replace("test1</test1>", "<![CDATA[test1]]></test1>\n"))
        .assert()
        .success();
}

#[test]
fn v2_verify_explain() {
    let out = wxpay()
        .args(["v2-verify", "--explain", "--key", V2_KEY])
        .write_stdin(WECHATPY_XML.replace(">test2<", ">test3<"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("algorithm chosen from the length of the sign"),
        "{err}"
    );
    assert!(
        err.contains(r#""test1=test1&test2=test3&key=***""#),
        "{err}"
    );
    assert!(
        err.contains("received sign: 1E3A8D73B5A4AEE787C0F68B5DAB8520"),
        "{err}"
    );
    assert!(err.contains("computed sign: "), "{err}");
    assert!(
        err.lines()
            .last()
            .unwrap()
            .starts_with("wxpay: signature mismatch"),
        "{err}"
    );
    assert!(!err.contains(V2_KEY));
}

#[test]
fn v2_verify_invalid_exits_1() {
    let verify = || {
        let mut c = wxpay();
        c.arg("v2-verify").env("WXPAY_KEY", V2_KEY);
        c
    };
    let e = fails(
        verify().write_stdin(WECHATPY_XML.replace(">test2<", ">test3<")),
        1,
    );
    assert!(e.contains("signature mismatch"), "{e}");
    let e = fails(
        verify()
            .env("WXPAY_KEY", "0".repeat(32))
            .write_stdin(WECHATPY_XML),
        1,
    );
    assert!(e.contains("signature mismatch"), "{e}");
    let e = fails(
        verify()
            .args(["--sign-type", "HMAC-SHA256"])
            .write_stdin(WECHATPY_XML),
        1,
    );
    assert!(e.contains("not 64 hex characters"), "{e}");
    let e = fails(verify().write_stdin("<xml><a>1</a></xml>"), 1);
    assert!(e.contains("no sign field"), "{e}");
    let e = fails(
        verify().write_stdin("<xml><a>1</a><sign>ABC</sign></xml>"),
        1,
    );
    assert!(e.contains("cannot tell the sign algorithm"), "{e}");
}

#[test]
fn v2_verify_unusable_input_exits_2() {
    let verify = || {
        let mut c = wxpay();
        c.arg("v2-verify").env("WXPAY_KEY", V2_KEY);
        c
    };
    let e = fails(verify().write_stdin("<xml><a>1</a>"), 2);
    assert!(e.contains("truncated XML"), "{e}");
    let e = fails(
        verify().write_stdin(
            r#"<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><a>&e;</a></xml>"#,
        ),
        2,
    );
    assert!(e.contains("DOCTYPE"), "{e}");
    fails(verify().write_stdin(""), 2);
    fails(verify().write_stdin(vec![0xffu8, 0xfe, 0x00]), 2);
    let e = fails(wxpay().arg("v2-verify").write_stdin(WECHATPY_XML), 2);
    assert!(e.contains("no key given"), "{e}");
}

#[test]
fn v2_sign_json2xml_v2_verify_round_trip() {
    // Sign request fields with HMAC-SHA256, add the sign, build the XML, verify it.
    let fields = r#"{"mch_id":"10000100","nonce_str":"ibuaiVcKdpRxkhJA","sign_type":"HMAC-SHA256","body":"中文 & <b>"}"#;
    let sign = stdout(
        wxpay()
            .args(["v2-sign", "--sign-type", "HMAC-SHA256"])
            .env("WXPAY_KEY", V2_KEY)
            .write_stdin(fields),
    );
    let sign = sign.trim_end();
    assert_eq!(sign.len(), 64);
    let signed = format!("{}, \"sign\": \"{sign}\"}}", fields.trim_end_matches('}'));
    let xml = stdout(wxpay().arg("json2xml").write_stdin(signed));
    assert!(xml.contains("<body>中文 &amp; &lt;b&gt;</body>"), "{xml}");
    wxpay()
        .arg("v2-verify")
        .env("WXPAY_KEY", V2_KEY)
        .write_stdin(xml)
        .assert()
        .success()
        .stdout("valid (HMAC-SHA256)\n");
}

// ---------------------------------------------------------------- xml2json / json2xml

#[test]
fn xml2json_keeps_document_order_and_decodes() {
    let xml = "<xml><z><![CDATA[<b>]]></z><a>x&amp;y</a><e/></xml>";
    wxpay()
        .arg("xml2json")
        .write_stdin(xml)
        .assert()
        .success()
        .stdout("{\n  \"z\": \"<b>\",\n  \"a\": \"x&y\",\n  \"e\": \"\"\n}\n");
    wxpay()
        .arg("xml2json")
        .write_stdin("<xml></xml>")
        .assert()
        .success()
        .stdout("{}\n");
    let e = fails(
        wxpay()
            .arg("xml2json")
            .write_stdin("<xml><a><b/></a></xml>"),
        2,
    );
    assert!(e.contains("nested element inside <a>"), "{e}");
    let e = fails(
        wxpay()
            .arg("xml2json")
            .write_stdin("<xml><a>1</a><a>2</a></xml>"),
        2,
    );
    assert!(e.contains("duplicate element <a>"), "{e}");
}

#[test]
fn json2xml_sorts_and_escapes() {
    wxpay()
        .arg("json2xml")
        .write_stdin(r#"{"total_fee":"1","body":"a<b"}"#)
        .assert()
        .success()
        .stdout("<xml><body>a&lt;b</body><total_fee>1</total_fee></xml>\n");
    let e = fails(wxpay().arg("json2xml").write_stdin(r#"{"1a":"x"}"#), 2);
    assert!(e.contains("invalid element name"), "{e}");
    let e = fails(wxpay().arg("json2xml").write_stdin(r#"{"a":true}"#), 2);
    assert!(e.contains("got a boolean"), "{e}");
    let e = fails(wxpay().arg("json2xml").write_stdin(r#"{"a":"\u0001"}"#), 2);
    assert!(e.contains("U+0001"), "{e}");
}

#[test]
fn xml_json_round_trip() {
    let xml = stdout(
        wxpay()
            .arg("json2xml")
            .write_stdin(r#"{"b":"]]>","a":"line1\r\nline2","c":"\"quoted\" 'x'"}"#),
    );
    let json = stdout(wxpay().arg("xml2json").write_stdin(xml));
    let back: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        back,
        serde_json::json!({"a": "line1\r\nline2", "b": "]]>", "c": "\"quoted\" 'x'"})
    );
}

// ---------------------------------------------------------------- v3-authorization / v3-sign

fn go_auth(extra: &[&str]) -> Command {
    let mut c = wxpay();
    c.args([
        "v3-authorization",
        "--mchid",
        "1234567890",
        "--serial",
        "F5765756002FDD77",
        "--private-key",
        &data("go_private_key.pem"),
        "--timestamp",
        GO_NOW,
        "--nonce",
        "A1B2C3D4E5F6G7",
    ])
    .args(extra);
    c
}

fn signature_of(header: &str) -> String {
    let (_, sig) = header.trim_end().rsplit_once("signature=\"").unwrap();
    sig.strip_suffix('"').unwrap().to_owned()
}

#[test]
fn v3_authorization_header_and_signature() {
    let out = go_auth(&["--method", "GET", "--url", "/v3/certificates", "--explain"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let header = String::from_utf8(out.stdout).unwrap();
    assert!(
        header.starts_with(
            r#"WECHATPAY2-SHA256-RSA2048 mchid="1234567890",nonce_str="A1B2C3D4E5F6G7",timestamp="1624523846",serial_no="F5765756002FDD77",signature=""#
        ),
        "{header}"
    );
    // --explain shows the canonical string of the Go credentials test.
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "canonical string (48 bytes): \"GET\\n/v3/certificates\\n1624523846\\nA1B2C3D4E5F6G7\\n\\n\"\n"
    );
    // The signature is RSASSA-PKCS1-v1_5/SHA-256 over exactly that string, under the Go key
    // (whose public half is go_platform_cert.pem).
    let sig = STANDARD.decode(signature_of(&header)).unwrap();
    let digest = sha2::Sha256::digest(b"GET\n/v3/certificates\n1624523846\nA1B2C3D4E5F6G7\n\n");
    let public = private_key("go_private_key.pem").to_public_key();
    assert!(
        public
            .pkcs1v15_verify_prehash::<sha2::Sha256>(&digest, &sig)
            .is_ok()
    );
    // PKCS#1 v1.5 is deterministic: the same input gives the same header every time.
    let again = stdout(&mut go_auth(&[
        "--method",
        "GET",
        "--url",
        "/v3/certificates",
    ]));
    assert_eq!(again, header);
}

#[test]
fn v3_authorization_post_body_explain() {
    let body = scratch("post-body", "Hello World!\n");
    let out = go_auth(&[
        "--method",
        "POST",
        "--url",
        "/v3/certificates",
        "--body-file",
        &body,
        "--explain",
    ])
    .output()
    .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "canonical string (62 bytes): \"POST\\n/v3/certificates\\n1624523846\\nA1B2C3D4E5F6G7\\nHello World!\\n\\n\"\n"
    );
    let sig = STANDARD
        .decode(signature_of(&String::from_utf8(out.stdout).unwrap()))
        .unwrap();
    let digest = sha2::Sha256::digest(
        b"POST\n/v3/certificates\n1624523846\nA1B2C3D4E5F6G7\nHello World!\n\n",
    );
    let public = private_key("go_private_key.pem").to_public_key();
    assert!(
        public
            .pkcs1v15_verify_prehash::<sha2::Sha256>(&digest, &sig)
            .is_ok()
    );
}

#[test]
fn v3_authorization_round_trips_through_v3_verify() {
    // A request message `M\nU\nT\nN\nB\n` is the response message `T'\nN'\nB'\n` with
    // T' = M, N' = U and B' = `T\nN\nB`: with a numeric "method" the Authorization signature
    // can be checked by v3-verify against the matching certificate.
    let body = scratch("rt-body", r#"{"a":"b"}"#);
    let header = stdout(&mut go_auth(&[
        "--method",
        "1700000000",
        "--url",
        "/v3/x?y=1",
        "--body-file",
        &body,
    ]));
    let sig = signature_of(&header);
    let shifted = scratch(
        "rt-shifted",
        format!("{GO_NOW}\nA1B2C3D4E5F6G7\n{{\"a\":\"b\"}}"),
    );
    let verify = |body: &str| {
        let mut c = wxpay();
        c.args([
            "v3-verify",
            "--certificate",
            &data("go_platform_cert.pem"),
            "--timestamp",
            "1700000000",
            "--nonce",
            "/v3/x?y=1",
            "--signature",
            &sig,
            "--body-file",
            body,
            "--now",
            "1700000000",
        ]);
        c
    };
    verify(&shifted)
        .assert()
        .success()
        .stdout("valid (key D7CE59D1F522D701)\n");
    // One byte different: invalid.
    let altered = scratch(
        "rt-altered",
        format!("{GO_NOW}\nA1B2C3D4E5F6G7\n{{\"a\":\"c\"}}"),
    );
    let e = fails(&mut verify(&altered), 1);
    assert!(e.contains("signature does not verify"), "{e}");
}

#[test]
fn v3_authorization_errors() {
    let e = fails(
        &mut go_auth(&[
            "--method",
            "GET",
            "--url",
            "https://api.mch.weixin.qq.com/v3/certificates",
        ]),
        2,
    );
    assert!(e.contains("give only the path and query"), "{e}");
    let e = fails(&mut go_auth(&["--method", "GET", "--url", "/v3/a b"]), 2);
    assert!(e.contains("--url"), "{e}");
    let e = fails(&mut go_auth(&["--method", "", "--url", "/v3/x"]), 2);
    assert!(e.contains("--method"), "{e}");
    let e = fails(
        wxpay().args([
            "v3-authorization",
            "--mchid",
            "1234567890",
            "--serial",
            "F5765756002FDD77",
            "--private-key",
            &data("test_platform_public_key.pem"),
            "--method",
            "GET",
            "--url",
            "/v3/x",
            "--timestamp",
            "1",
            "--nonce",
            "abc",
        ]),
        2,
    );
    assert!(e.contains("unexpected PEM label"), "{e}");
    let e = fails(
        wxpay().args([
            "v3-authorization",
            "--mchid",
            "1234567890",
            "--serial",
            "not-hex",
            "--private-key",
            &data("go_private_key.pem"),
            "--method",
            "GET",
            "--url",
            "/v3/x",
            "--timestamp",
            "1",
            "--nonce",
            "abc",
        ]),
        2,
    );
    assert!(e.contains("--serial"), "{e}");
    let e = fails(
        wxpay().args([
            "v3-authorization",
            "--mchid",
            "1234567890",
            "--serial",
            "F5765756002FDD77",
            "--private-key",
            &data("go_private_key.pem"),
            "--method",
            "GET",
            "--url",
            "/v3/x",
            "--timestamp",
            "1",
            "--nonce",
            "has space",
        ]),
        2,
    );
    assert!(e.contains("--nonce"), "{e}");
    let e = fails(
        &mut go_auth(&[
            "--method",
            "GET",
            "--url",
            "/v3/x",
            "--body-file",
            "/nonexistent",
        ]),
        2,
    );
    assert!(e.contains("cannot open /nonexistent"), "{e}");
    let e = fails(
        wxpay().args([
            "v3-authorization",
            "--mchid",
            "1234567890",
            "--serial",
            "F5765756002FDD77",
            "--private-key",
            &data("test_merchant_key_encrypted.pem"),
            "--method",
            "GET",
            "--url",
            "/v3/x",
            "--timestamp",
            "1",
            "--nonce",
            "abc",
        ]),
        2,
    );
    assert!(e.contains("encrypted"), "{e}");
    // A lower-case method is signed as given, with a warning.
    let out = go_auth(&["--method", "post", "--url", "/v3/x"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("warning: the method \"post\"")
    );
}

#[test]
fn v3_sign_published_vectors() {
    let expected = std::fs::read_to_string(data("go_sign_source.b64")).unwrap();
    wxpay()
        .args(["v3-sign", "--private-key", &data("go_private_key.pem")])
        .write_stdin("source")
        .assert()
        .success()
        .stdout(expected);
    let expected = std::fs::read_to_string(data("java_sign_message.b64")).unwrap();
    let msg = scratch("java-message", "message");
    wxpay()
        .args([
            "v3-sign",
            "--private-key",
            &data("java_merchant_private_key.pem"),
            "--message-file",
            &msg,
            "--explain",
        ])
        .assert()
        .success()
        .stdout(expected)
        .stderr("message (7 bytes): \"message\"\n");
    fails(
        wxpay()
            .args(["v3-sign", "--private-key", &data("go_notify_body.json")])
            .write_stdin("x"),
        2,
    );
}

// ---------------------------------------------------------------- v3-verify

fn go_verify() -> Command {
    let mut c = wxpay();
    c.args([
        "v3-verify",
        "--timestamp",
        GO_NOW,
        "--nonce",
        GO_NONCE,
        "--signature",
        &go_signature(),
        "--body-file",
        &data("go_notify_body.json"),
    ]);
    c
}

#[test]
fn v3_verify_go_notification() {
    go_verify()
        .args([
            "--certificate",
            &data("go_platform_cert.pem"),
            "--now",
            GO_NOW,
        ])
        .assert()
        .success()
        .stdout("valid (key D7CE59D1F522D701)\n")
        .stderr("");
    go_verify()
        .args([
            "--certificate",
            &data("go_platform_cert.pem"),
            "--now",
            GO_NOW,
            "--serial",
            "d7ce59d1f522d701",
        ])
        .assert()
        .success();
    // From a headers file as copied from a log.
    wxpay()
        .args([
            "v3-verify",
            "--certificate",
            &data("go_platform_cert.pem"),
            "--headers-file",
            &data("go_notify_headers.txt"),
            "--body-file",
            &data("go_notify_body.json"),
            "--now",
            "1624524000",
        ])
        .assert()
        .success()
        .stdout("valid (key D7CE59D1F522D701)\n");
    // A bare public key (here taken from the certificate PEM): placeholder id, or --serial.
    go_verify()
        .args([
            "--public-key",
            &data("go_platform_cert.pem"),
            "--now",
            GO_NOW,
        ])
        .assert()
        .success()
        .stdout("valid (key PUB_KEY_ID_0000000000)\n");
    go_verify()
        .args([
            "--public-key",
            &data("go_platform_cert.pem"),
            "--now",
            GO_NOW,
            "--serial",
            "PUB_KEY_ID_0114232134912410000000000000",
        ])
        .assert()
        .success()
        .stdout("valid (key PUB_KEY_ID_0114232134912410000000000000)\n");
}

#[test]
fn v3_verify_explain() {
    let out = go_verify()
        .args([
            "--certificate",
            &data("go_platform_cert.pem"),
            "--now",
            GO_NOW,
            "--explain",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with(&format!(
            "canonical string (613 bytes): \"{GO_NOW}\\n{GO_NONCE}\\n{{\\\"id\\\":\\\"3119dfba"
        )),
        "{err}"
    );
    assert!(err.contains("签约成功"), "{err}");
    assert!(
        err.contains("}\\n\"\nnow: 1624523846, max skew: 300 s\n"),
        "{err}"
    );
}

#[test]
fn v3_verify_invalid_exits_1() {
    let cert = data("go_platform_cert.pem");
    let e = fails(go_verify().args(["--certificate", &cert]), 1);
    assert!(e.contains("stale or replayed"), "{e}");
    let e = fails(
        go_verify().args(["--certificate", &cert, "--now", "1624524146"]),
        1,
    );
    assert!(e.contains("300 s away from now"), "{e}");
    go_verify()
        .args([
            "--certificate",
            &cert,
            "--now",
            "1624524146",
            "--max-skew",
            "301",
        ])
        .assert()
        .success();
    let e = fails(
        go_verify().args(["--certificate", &cert, "--now", GO_NOW, "--serial", "1234"]),
        1,
    );
    assert!(
        e.contains("no WeChat Pay key with id 1234") && e.contains("D7CE59D1F522D701"),
        "{e}"
    );
    let tampered = scratch(
        "tampered-notify",
        std::fs::read_to_string(data("go_notify_body.json"))
            .unwrap()
            .replace("签约成功", "签约失败"),
    );
    let e = fails(
        wxpay().args([
            "v3-verify",
            "--certificate",
            &cert,
            "--timestamp",
            GO_NOW,
            "--nonce",
            GO_NONCE,
            "--signature",
            &go_signature(),
            "--body-file",
            &tampered,
            "--now",
            GO_NOW,
        ]),
        1,
    );
    assert!(e.contains("signature does not verify"), "{e}");
    // Another key: the Java platform key does not verify the Go notification.
    let e = fails(
        go_verify().args([
            "--public-key",
            &data("java_wechat_pay_public_key.pem"),
            "--now",
            GO_NOW,
        ]),
        1,
    );
    assert!(e.contains("signature does not verify"), "{e}");
    let probe = |sig: &str| {
        let mut c = wxpay();
        c.args([
            "v3-verify",
            "--certificate",
            &cert,
            "--timestamp",
            GO_NOW,
            "--nonce",
            GO_NONCE,
            "--signature",
            sig,
            "--body-file",
            &data("go_notify_body.json"),
            "--now",
            GO_NOW,
        ]);
        c
    };
    let e = fails(&mut probe("WECHATPAY/SIGNTEST/Zm9v"), 1);
    assert!(
        e.contains("SIGNTEST") && e.contains("signature probe"),
        "{e}"
    );
    let e = fails(&mut probe("AAAA"), 1);
    assert!(e.contains("3 bytes; the key needs 256"), "{e}");
}

#[test]
fn v3_verify_unusable_input_exits_2() {
    let cert = data("go_platform_cert.pem");
    let run = |sig: &str, ts: &str, key_flag: &str, key: &str| {
        let mut c = wxpay();
        c.args([
            "v3-verify",
            key_flag,
            key,
            "--timestamp",
            ts,
            "--nonce",
            GO_NONCE,
            "--signature",
            sig,
            "--body-file",
            &data("go_notify_body.json"),
            "--now",
            GO_NOW,
        ]);
        c
    };
    // Garbled signature headers are an invalid reply (exit 1), not an unusable invocation.
    let e = fails(
        &mut run("@@not-base64@@", GO_NOW, "--certificate", &cert),
        1,
    );
    assert!(e.contains("not valid base64"), "{e}");
    let e = fails(
        &mut run("@@not base64@@", GO_NOW, "--certificate", &cert),
        1,
    );
    assert!(e.contains("not visible ASCII"), "{e}");
    let e = fails(
        &mut run(&go_signature(), "16245x", "--certificate", &cert),
        1,
    );
    assert!(e.contains("not a number"), "{e}");
    let e = fails(
        &mut run(
            &go_signature(),
            GO_NOW,
            "--certificate",
            &data("test_platform_public_key.pem"),
        ),
        2,
    );
    assert!(e.contains("unexpected PEM label"), "{e}");
    let e = fails(
        &mut run(
            &go_signature(),
            GO_NOW,
            "--public-key",
            &data("test_ec_p256_public_key.pem"),
        ),
        2,
    );
    assert!(e.contains("not an RSA key"), "{e}");
    let e = fails(
        &mut run(
            &go_signature(),
            GO_NOW,
            "--public-key",
            &data("test_rsa1024_public_key.pem"),
        ),
        2,
    );
    assert!(e.contains("1024 bits"), "{e}");
    let e = fails(
        go_verify().args([
            "--public-key",
            &cert,
            "--now",
            GO_NOW,
            "--serial",
            "PUB_KEY_ID_",
        ]),
        2,
    );
    assert!(e.contains("invalid key id"), "{e}");
    // No key at all; flags that conflict; a headers file without a signature (a reply that
    // cannot be verified: exit 1).
    let e = fails(&mut go_verify(), 2);
    assert!(e.contains("--public-key"), "{e}");
    let headers = scratch(
        "partial-headers",
        "Wechatpay-Timestamp: 1\nWechatpay-Nonce: n\n",
    );
    let e = fails(
        wxpay().args([
            "v3-verify",
            "--certificate",
            &cert,
            "--headers-file",
            &headers,
            "--body-file",
            &data("go_notify_body.json"),
        ]),
        1,
    );
    assert!(e.contains("header wechatpay-signature is missing"), "{e}");
    let headers = scratch("bad-headers", "not a header line\n");
    let e = fails(
        wxpay().args([
            "v3-verify",
            "--certificate",
            &cert,
            "--headers-file",
            &headers,
            "--body-file",
            &data("go_notify_body.json"),
        ]),
        2,
    );
    assert!(e.contains("headers file line 1"), "{e}");
    let e = fails(
        wxpay().args([
            "v3-verify",
            "--certificate",
            &cert,
            "--headers-file",
            &data("go_notify_headers.txt"),
            "--timestamp",
            "1",
            "--body-file",
            &data("go_notify_body.json"),
        ]),
        2,
    );
    assert!(e.contains("cannot be used with"), "{e}");
}

#[test]
fn v3_sign_then_verify_with_each_public_key_form() {
    // WeChat Pay's side signs a reply with the (TEST ONLY) platform key; each PEM form of the
    // public key verifies it.
    let body = r#"{"code":"SUCCESS"}"#;
    let message = scratch("reply-message", format!("1700000000\nNONCE123\n{body}\n"));
    let sig = stdout(wxpay().args([
        "v3-sign",
        "--private-key",
        &data("test_platform_key.pem"),
        "--message-file",
        &message,
    ]));
    let body_file = scratch("reply-body", body);
    for pem in [
        "test_platform_public_key.pem",
        "test_platform_public_key_pkcs1.pem",
        "test_platform_cert.pem",
    ] {
        wxpay()
            .args([
                "v3-verify",
                "--public-key",
                &data(pem),
                "--timestamp",
                "1700000000",
                "--nonce",
                "NONCE123",
                "--signature",
                sig.trim_end(),
                "--body-file",
                &body_file,
                "--now",
                "1700000100",
            ])
            .assert()
            .success();
    }
}

// ---------------------------------------------------------------- encrypt

fn decrypt_oaep(ct_b64: &str) -> Vec<u8> {
    let ct = STANDARD.decode(ct_b64.trim_end()).unwrap();
    assert_eq!(ct.len(), 256);
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    private_key("test_platform_key.pem")
        .oaep_decrypt_with_rng::<sha1::Sha1, _>(&mut rng, &ct)
        .unwrap()
}

#[test]
fn encrypt_with_each_pem_kind() {
    for pem in [
        "test_platform_public_key.pem",
        "test_platform_public_key_pkcs1.pem",
        "test_platform_cert.pem",
    ] {
        let ct = stdout(wxpay().args(["encrypt", "--public-key", &data(pem), "张三"]));
        assert_eq!(decrypt_oaep(&ct), "张三".as_bytes(), "{pem}");
        let ct2 = stdout(wxpay().args([
            "encrypt",
            "--padding",
            "oaep",
            "--public-key",
            &data(pem),
            "张三",
        ]));
        assert_ne!(ct, ct2, "OAEP is randomised");
        assert_eq!(decrypt_oaep(&ct2), "张三".as_bytes());
    }
}

#[test]
fn encrypt_pkcs1_and_stdin() {
    let ct = stdout(
        wxpay()
            .args([
                "encrypt",
                "--padding",
                "pkcs1",
                "--public-key",
                &data("test_platform_cert.pem"),
                "-",
            ])
            .write_stdin("110101199003074477\n"),
    );
    let ct = STANDARD.decode(ct.trim_end()).unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(8);
    let pt = private_key("test_platform_key.pem")
        .pkcs1v15_decrypt_with_rng(&mut rng, &ct)
        .unwrap();
    assert_eq!(pt, b"110101199003074477");
    // The plaintext is not echoed anywhere.
    let out = wxpay()
        .args([
            "encrypt",
            "--public-key",
            &data("test_platform_cert.pem"),
            "-",
        ])
        .write_stdin("张三")
        .output()
        .unwrap();
    assert!(out.stderr.is_empty());
    assert!(!String::from_utf8(out.stdout).unwrap().contains("张三"));
}

#[test]
fn encrypt_errors_exit_2() {
    let key = data("test_platform_public_key.pem");
    let e = fails(
        wxpay().args(["encrypt", "--public-key", &key, &"x".repeat(215)]),
        2,
    );
    assert!(e.contains("215 bytes exceeds the 214-byte limit"), "{e}");
    assert!(!e.contains("xxxx"), "{e}");
    let e = fails(
        wxpay().args([
            "encrypt",
            "--padding",
            "pkcs1",
            "--public-key",
            &key,
            &"x".repeat(246),
        ]),
        2,
    );
    assert!(e.contains("245-byte limit"), "{e}");
    let e = fails(wxpay().args(["encrypt", "--public-key", &key, ""]), 2);
    assert!(e.contains("empty"), "{e}");
    let e = fails(
        wxpay().args([
            "encrypt",
            "--public-key",
            &data("test_platform_key.pem"),
            "x",
        ]),
        2,
    );
    assert!(e.contains("unexpected PEM label"), "{e}");
    let e = fails(
        wxpay().args(["encrypt", "--public-key", &data("go_notify_body.json"), "x"]),
        2,
    );
    assert!(e.contains("malformed PEM"), "{e}");
    let e = fails(
        wxpay().args(["encrypt", "--padding", "pss", "--public-key", &key, "x"]),
        2,
    );
    assert!(e.contains("pss"), "{e}");
}

// ---------------------------------------------------------------- decrypt-resource

fn java_resource() -> Command {
    let mut c = wxpay();
    c.args([
        "decrypt-resource",
        "--nonce",
        "uluk4a9R25RW",
        "--associated-data",
        "associatedData",
        "--ciphertext",
        "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=",
    ]);
    c
}

#[test]
fn decrypt_resource_java_vector() {
    java_resource()
        .args(["--apiv3-key", V3_KEY])
        .assert()
        .success()
        .stdout("message\n")
        .stderr("");
    java_resource()
        .env("WXPAY_APIV3_KEY", V3_KEY)
        .assert()
        .success()
        .stdout("message\n");
    let f = scratch("apiv3.key", format!("{V3_KEY}\n"));
    java_resource()
        .args(["--apiv3-key-file", &f])
        .assert()
        .success()
        .stdout("message\n");
}

#[test]
fn decrypt_resource_errors() {
    let e = fails(
        wxpay()
            .args([
                "decrypt-resource",
                "--apiv3-key",
                V3_KEY,
                "--nonce",
                "uluk4a9R25RW",
            ])
            .args([
                "--associated-data",
                "bad-associatedData",
                "--ciphertext",
                "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=",
            ]),
        1,
    );
    assert!(e.contains("AES-GCM authentication failed"), "{e}");
    let e = fails(java_resource().args(["--apiv3-key", &"0".repeat(32)]), 1);
    assert!(
        e.contains("APIv3 key is probably wrong") && !e.contains("00000"),
        "{e}"
    );
    let e = fails(java_resource().args(["--apiv3-key", "testMchAPIv3Key0"]), 2);
    assert!(
        e.contains("exactly 32 bytes long, got 16") && !e.contains("testMch"),
        "{e}"
    );
    let e = fails(&mut java_resource(), 2);
    assert!(
        e.contains("no key given") && e.contains("WXPAY_APIV3_KEY"),
        "{e}"
    );
    let e = fails(
        wxpay().args([
            "decrypt-resource",
            "--apiv3-key",
            V3_KEY,
            "--nonce",
            "short",
            "--ciphertext",
            "AAAA",
        ]),
        2,
    );
    assert!(e.contains("12 bytes, got 5"), "{e}");
    let e = fails(
        wxpay().args([
            "decrypt-resource",
            "--apiv3-key",
            V3_KEY,
            "--nonce",
            "uluk4a9R25RW",
            "--ciphertext",
            "%%%",
        ]),
        2,
    );
    assert!(e.contains("not valid base64"), "{e}");
}

// ---------------------------------------------------------------- help, robustness

#[test]
fn every_subcommand_help_has_an_example() {
    for sub in [
        "v2-sign",
        "v2-verify",
        "xml2json",
        "json2xml",
        "v3-authorization",
        "v3-sign",
        "v3-verify",
        "encrypt",
        "decrypt-resource",
        "parse",
    ] {
        let help = stdout(wxpay().args([sub, "--help"]));
        assert!(help.contains("Example"), "{sub}: {help}");
        assert!(help.contains("wxpay "), "{sub}");
    }
    let top = stdout(wxpay().arg("--help"));
    assert!(top.contains("Exit codes: 0 ok, 1 invalid"));
    assert!(top.contains("visible to other users through `ps`"));
    for sub in ["v2-sign", "v2-verify", "decrypt-resource"] {
        let help = stdout(wxpay().args([sub, "--help"]));
        assert!(help.contains("`ps`"), "{sub}");
    }
    // Help never shows a key taken from the environment.
    let help = stdout(
        wxpay()
            .args(["v2-sign", "--help"])
            .env("WXPAY_KEY", "EnvironmentKeyMustNotBeShown0000"),
    );
    assert!(!help.contains("EnvironmentKeyMustNotBeShown"));
    // No subcommand: usage on stderr, exit 2.
    wxpay().assert().code(2).stdout("");
}

#[test]
fn hostile_stdin_never_panics() {
    let inputs: [&[u8]; 6] = [
        b"",
        b"\xff\xfe\xfd",
        b"{",
        b"<xml>",
        b"<a>",
        b"{\"a\":\"\\ud800\"}",
    ];
    for input in inputs {
        for args in [
            vec!["v2-sign", "--sign-type", "MD5", "--key", V2_KEY],
            vec!["v2-verify", "--key", V2_KEY],
            vec!["xml2json"],
            vec!["json2xml"],
        ] {
            let out = wxpay().args(&args).write_stdin(input).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?} {input:?} {out:?}");
            one_error_line(&out);
        }
    }
    let deep = "<a>".repeat(100_000);
    fails(wxpay().arg("xml2json").write_stdin(deep), 2);
}

// ---------------------------------------------------------------- parse (skeleton)

#[test]
fn parse_unknown_api_exits_2() {
    let e = fails(wxpay().args(["parse", "nosuchapi"]).write_stdin(""), 2);
    assert!(e.contains("nosuchapi"), "{e}");
}

#[test]
fn decrypt_resource_from_a_notification_file() {
    let resource = r#"{"algorithm":"AEAD_AES_256_GCM","ciphertext":"ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=","nonce":"uluk4a9R25RW","associated_data":"associatedData","original_type":"transaction"}"#;
    let bare = scratch("resource.json", resource);
    let wrapped = scratch(
        "notification.json",
        format!(r#"{{"id":"x","event_type":"TRANSACTION.SUCCESS","resource":{resource}}}"#),
    );
    for f in [&bare, &wrapped] {
        wxpay()
            .args([
                "decrypt-resource",
                "--apiv3-key",
                V3_KEY,
                "--resource-file",
                f,
            ])
            .assert()
            .success()
            .stdout("message\n");
    }
    let sm4 = scratch(
        "sm4.json",
        resource.replace("AEAD_AES_256_GCM", "AEAD_SM4_GCM"),
    );
    let e = fails(
        wxpay().args([
            "decrypt-resource",
            "--apiv3-key",
            V3_KEY,
            "--resource-file",
            &sm4,
        ]),
        2,
    );
    assert!(
        e.contains("unsupported resource algorithm \"AEAD_SM4_GCM\""),
        "{e}"
    );
    // The Go notification: a 32-byte key that is not the one used fails authentication.
    let e = fails(
        wxpay().args([
            "decrypt-resource",
            "--apiv3-key",
            V3_KEY,
            "--resource-file",
            &data("go_notify_body.json"),
        ]),
        1,
    );
    assert!(e.contains("AES-GCM authentication failed"), "{e}");
    let e = fails(
        wxpay().args([
            "decrypt-resource",
            "--apiv3-key",
            V3_KEY,
            "--resource-file",
            &data("go_notify_headers.txt"),
        ]),
        2,
    );
    assert!(e.contains("not JSON"), "{e}");
    let e = fails(
        wxpay().args([
            "decrypt-resource",
            "--apiv3-key",
            V3_KEY,
            "--resource-file",
            &scratch("obj.json", "{}"),
        ]),
        2,
    );
    assert!(e.contains("not a notification or resource object"), "{e}");
    let e = fails(
        wxpay().args([
            "decrypt-resource",
            "--apiv3-key",
            V3_KEY,
            "--resource-file",
            &bare,
            "--nonce",
            "x",
        ]),
        2,
    );
    assert!(e.contains("cannot be used with"), "{e}");
}

// ---------------------------------------------------------------- parse (replies from the simulator)

mod parse {
    use super::{fails, scratch, wxpay};
    use rand_core::SeedableRng;
    use wechatpay_sansio::api::customs::{Customs, VerifyCertificateRequest};
    use wechatpay_sansio::api::nameauth::{NameAuthKey, NameAuthRequest};
    use wechatpay_sansio::api::oauth::AccessToken;
    use wechatpay_sansio::api::pre_entrust::PreEntrustSignRequest;
    use wechatpay_sansio::api::querymchrisk::QueryMchRiskRequest;
    use wechatpay_sansio::api::realnameauth::{CredType, RealNameAuthRequest, Version};
    use wechatpay_sansio::ids::Nonce;
    use wechatpay_sansio::keys::PublicKey;
    use wechatpay_sansio::secret::Personal;
    use wechatpay_sansio::simulator::v2::{
        NameAuthScript, RealNameAuthScript, RiskScript, TEST_NAMEAUTH_KEY, TEST_NAMEAUTH_SRC,
        V2Script,
    };
    use wechatpay_sansio::simulator::v3::{
        CustomsScript, PreEntrustScript, ScriptedError, V3Script,
    };
    use wechatpay_sansio::simulator::{
        SigningKeyMode, Simulator, TEST_API_V2_KEY, TEST_MCHID, TestMerchant,
    };
    use wechatpay_sansio::v2::SignType;

    const NOW: u64 = 1_700_000_000;
    const NAME: &str = "刘某某";
    const ID: &str = "11010519491231002X";
    const APPID: &str = "wx2421b1c4370ec43b";
    const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

    type Rng = rand_chacha::ChaCha20Rng;

    fn rng() -> Rng {
        Rng::seed_from_u64(42)
    }

    fn json(text: &str) -> serde_json::Value {
        serde_json::from_str(text).unwrap()
    }

    /// No personal value ever reaches stdout or stderr.
    fn no_personal_data(out: &std::process::Output) {
        for stream in [&out.stdout, &out.stderr] {
            let t = String::from_utf8_lossy(stream);
            for p in [NAME, ID, "某", "*三"] {
                assert!(!t.contains(p), "{p} leaked: {t}");
            }
        }
    }

    /// Run and return the parsed JSON of a successful run.
    fn ok_json(cmd: &mut assert_cmd::Command) -> serde_json::Value {
        let out = cmd.output().unwrap();
        no_personal_data(&out);
        assert!(out.status.success(), "{out:?}");
        assert!(out.stderr.is_empty(), "{out:?}");
        json(&String::from_utf8(out.stdout).unwrap())
    }

    /// A scratch file with a name no other (parallel) test uses.
    fn unique_scratch(name: &str, contents: impl AsRef<[u8]>) -> String {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        scratch(&format!("parse-{n}-{name}"), contents)
    }

    fn v2_key_file() -> String {
        unique_scratch("v2.key", format!("{TEST_API_V2_KEY}\n"))
    }

    // ------------------------------------------------------------ realnameauth

    fn realnameauth_reply(sign_type: SignType, script: RealNameAuthScript) -> Vec<u8> {
        let m = TestMerchant::new();
        let req = RealNameAuthRequest {
            version: Version::V1_1,
            mch_id: m.mchid.clone(),
            appid: APPID.into(),
            openid: OPENID.into(),
            real_name: Personal::new(NAME),
            cred_type: CredType::IdCard,
            cred_id: Personal::new(ID),
            nonce_str: Nonce::new("5K8264ILTKCH16CQ2502SI8ZNMTM67VS").unwrap(),
            access_token: AccessToken::new("81_TESTONLYaccessToken"),
            sign_type,
        };
        let http = req.build(&m.api_v2_key).unwrap().into_http();
        let script = V2Script {
            realnameauth: script,
            ..V2Script::default()
        };
        let resp = Simulator::new()
            .handle_v2(&http, NOW, &mut rng(), &script)
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.into_body()
    }

    #[test]
    fn realnameauth_success() {
        let key = v2_key_file();
        let body = realnameauth_reply(SignType::HmacSha256, RealNameAuthScript::matched());
        let v = ok_json(
            wxpay()
                .args(["parse", "realnameauth", "--key-file", &key])
                .args(["--sign-type", "HMAC-SHA256", "--mch-id", TEST_MCHID])
                .args(["--appid", APPID, "--openid", OPENID])
                .write_stdin(body.clone()),
        );
        assert_eq!(v["api"], "realnameauth");
        assert_eq!(v["outcome"], "success");
        assert_eq!(v["authenticated"], true);
        assert_eq!(v["is_match"], true);
        assert_eq!(v["verify_openid"], serde_json::json!(["V_OP_NM_MA"]));
        assert_eq!(v["verify_real_name"], "V_NM_ID_MA");
        assert_eq!(v["bind_bankcard"], "YES");
        assert_eq!(v["mch_id"], TEST_MCHID);
        // The key from the environment and the sign type from the sign's length work too.
        let v = ok_json(
            wxpay()
                .args(["parse", "realnameauth"])
                .env("WXPAY_KEY", TEST_API_V2_KEY)
                .write_stdin(body),
        );
        assert_eq!(v["is_match"], true);

        let body = realnameauth_reply(
            SignType::Md5,
            RealNameAuthScript::answer("V_OP_NM_MA", Some("V_NM_ID_UM"), None),
        );
        let v = ok_json(
            wxpay()
                .args([
                    "parse",
                    "realnameauth",
                    "--key-file",
                    &key,
                    "--sign-type",
                    "MD5",
                ])
                .write_stdin(body),
        );
        assert_eq!(v["is_match"], false);
        assert_eq!(v["verify_real_name"], "V_NM_ID_UM");
        assert_eq!(v["bind_bankcard"], serde_json::Value::Null);
    }

    #[test]
    fn realnameauth_error_replies_are_outcomes() {
        let key = v2_key_file();
        let body = realnameauth_reply(
            SignType::Md5,
            RealNameAuthScript::Fail {
                error_code: "20002".into(),
                error_code_des: "商户号信息有误".into(),
            },
        );
        let v = ok_json(
            wxpay()
                .args(["parse", "realnameauth", "--key-file", &key])
                .write_stdin(body),
        );
        assert_eq!(v["outcome"], "business_fail");
        assert_eq!(v["authenticated"], false);
        assert_eq!(v["err_code"], "20002");
        assert_eq!(v["err_code_des"], "商户号信息有误");

        let fail = "<xml><return_code>FAIL</return_code><return_msg>签名错误</return_msg></xml>";
        let v = ok_json(
            wxpay()
                .args(["parse", "realnameauth", "--key-file", &key])
                .write_stdin(fail),
        );
        assert_eq!(v["outcome"], "return_fail");
        assert_eq!(v["return_msg"], "签名错误");
    }

    #[test]
    fn realnameauth_invalid_replies_exit_1() {
        let key = v2_key_file();
        let body = realnameauth_reply(SignType::HmacSha256, RealNameAuthScript::matched());
        // Wrong key.
        let e = fails(
            wxpay()
                .args([
                    "parse",
                    "realnameauth",
                    "--key",
                    "TESTONLYwrongKey0000000000000000",
                ])
                .write_stdin(body.clone()),
            1,
        );
        assert!(
            e.contains("not a valid reply") && e.contains("signature"),
            "{e}"
        );
        // The request was HMAC-SHA256, the flag says MD5.
        let e = fails(
            wxpay()
                .args([
                    "parse",
                    "realnameauth",
                    "--key-file",
                    &key,
                    "--sign-type",
                    "MD5",
                ])
                .write_stdin(body.clone()),
            1,
        );
        assert!(e.contains("signature"), "{e}");
        // Tampered body.
        let text = String::from_utf8(body.clone()).unwrap();
        let tampered = text.replace("V_NM_ID_MA", "V_NM_ID_UM");
        assert_ne!(text, tampered);
        fails(
            wxpay()
                .args(["parse", "realnameauth", "--key-file", &key])
                .write_stdin(tampered),
            1,
        );
        // Echoed ids that differ from the flags.
        for (flag, value, field) in [
            ("--mch-id", "1900000999", "mch_id"),
            ("--appid", "wxOTHER", "appid"),
            ("--openid", "oOTHER", "openid"),
        ] {
            let e = fails(
                wxpay()
                    .args(["parse", "realnameauth", "--key-file", &key, flag, value])
                    .write_stdin(body.clone()),
                1,
            );
            assert!(
                e.contains(&format!("reply's {field} differs from {flag}")),
                "{e}"
            );
        }
        // Not XML; not 200; no verify_openid.
        let e = fails(
            wxpay()
                .args(["parse", "realnameauth", "--key-file", &key])
                .write_stdin("{\"a\":1}"),
            1,
        );
        assert!(
            e.starts_with("wxpay: parse realnameauth: not a valid reply:"),
            "{e}"
        );
        let e = fails(
            wxpay()
                .args([
                    "parse",
                    "realnameauth",
                    "--key-file",
                    &key,
                    "--status",
                    "502",
                ])
                .write_stdin(body),
            1,
        );
        assert!(e.contains("HTTP status 502"), "{e}");
    }

    #[test]
    fn realnameauth_usage_exits_2() {
        let body = realnameauth_reply(SignType::Md5, RealNameAuthScript::matched());
        let e = fails(
            wxpay()
                .args(["parse", "realnameauth"])
                .write_stdin(body.clone()),
            2,
        );
        assert!(e.contains("no key given"), "{e}");
        let e = fails(
            wxpay()
                .args(["parse", "realnameauth", "--key", "short"])
                .write_stdin(body.clone()),
            2,
        );
        assert!(e.contains("APIv2 key"), "{e}");
        let e = fails(
            wxpay()
                .args(["parse", "realnameauth", "--key-file", &v2_key_file()])
                .args(["--certificate", "x.pem"])
                .write_stdin(body.clone()),
            2,
        );
        assert!(
            e.contains("--certificate/--public-key does not apply"),
            "{e}"
        );
        let e = fails(
            wxpay()
                .args(["parse", "realnameauth", "--key-file", "/nonexistent/key"])
                .write_stdin(body.clone()),
            2,
        );
        assert!(e.contains("cannot open"), "{e}");
        let e = fails(
            wxpay()
                .args(["parse", "realnameauth", "--key-file", &v2_key_file()])
                .args(["--status", "99"])
                .write_stdin(body),
            2,
        );
        assert!(e.contains("--status 99"), "{e}");
    }

    // ------------------------------------------------------------ nameauth

    fn nameauth_reply(script: NameAuthScript) -> Vec<u8> {
        let key = NameAuthKey::new(TEST_NAMEAUTH_KEY).unwrap();
        let req = NameAuthRequest::new(
            APPID,
            OPENID,
            TEST_NAMEAUTH_SRC,
            Personal::new(NAME),
            Personal::new(ID),
        );
        let http = req.build(&key).unwrap().into_http();
        let script = V2Script {
            nameauth: script,
            ..V2Script::default()
        };
        let resp = Simulator::new()
            .handle_v2(&http, NOW, &mut rng(), &script)
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.into_body()
    }

    #[test]
    fn nameauth_outcomes() {
        let mut a = NameAuthScript::letter('A');
        a.name_mask = "*三".into();
        let v = ok_json(
            wxpay()
                .args(["parse", "nameauth"])
                .write_stdin(nameauth_reply(a)),
        );
        assert_eq!(v["outcome"], "success");
        assert_eq!(v["status"], "verified");
        assert_eq!(v["letter"], "A");
        assert_eq!(v["name_mask"], "<redacted>");
        assert_eq!(v["authenticated"], false);

        let v = ok_json(
            wxpay()
                .args(["parse", "nameauth"])
                .write_stdin(nameauth_reply(NameAuthScript::letter('D'))),
        );
        assert_eq!(v["status"], "name_and_id_mismatch");
        assert_eq!(v["letter"], "D");
        assert_eq!(v["name_mask"], "");

        let v = ok_json(
            wxpay()
                .args(["parse", "nameauth"])
                .write_stdin(nameauth_reply(NameAuthScript::error(51_068_401))),
        );
        assert_eq!(v["status"], "unverified");
        assert_eq!(v["letter"], "F");
        assert_eq!(v["reason"], "no_such_user");

        let v = ok_json(
            wxpay()
                .args(["parse", "nameauth"])
                .write_stdin(nameauth_reply(NameAuthScript::status("9", "7"))),
        );
        assert_eq!(v["status"], "other");
        assert_eq!(v["letter"], serde_json::Value::Null);
        assert_eq!(v["nameauth_status"], "9");

        let v = ok_json(
            wxpay()
                .args(["parse", "nameauth"])
                .write_stdin(nameauth_reply(NameAuthScript::error(1007))),
        );
        assert_eq!(v["outcome"], "service_error");
        assert_eq!(v["error_code"], 1007);
        // JSONP is read as well.
        let v = ok_json(
            wxpay()
                .args(["parse", "nameauth"])
                .write_stdin("cb({\"error_code\":0,\"nameauth_status\":\"2\"});"),
        );
        assert_eq!(v["status"], "unverified_but_matching");
    }

    #[test]
    fn nameauth_failures() {
        for (body, what) in [
            ("<html>", "neither JSON nor JSONP"),
            ("{\"nameauth_status\":\"1\"}", "no error_code"),
            ("{\"error_code\":\"x\"}", "error_code is malformed"),
            ("{\"error_code\":[1]}", "expected JSON"),
        ] {
            let e = fails(wxpay().args(["parse", "nameauth"]).write_stdin(body), 1);
            assert!(e.contains(what), "{e}");
        }
        let e = fails(
            wxpay()
                .args(["parse", "nameauth", "--status", "500"])
                .write_stdin("{}"),
            1,
        );
        assert!(e.contains("HTTP status 500"), "{e}");
        for extra in [
            &["--key", TEST_API_V2_KEY][..],
            &["--mch-id", TEST_MCHID],
            &["--now", "1"],
            &["--sign-type", "MD5"],
        ] {
            let e = fails(
                wxpay()
                    .args(["parse", "nameauth"])
                    .args(extra)
                    .write_stdin("{}"),
                2,
            );
            assert!(e.contains("does not apply to this API"), "{e}");
        }
    }

    // ------------------------------------------------------------ querymchrisk

    fn risk_reply(script: RiskScript) -> Vec<u8> {
        let (sim, m) = (Simulator::new(), TestMerchant::new());
        let mut rng = rng();
        let risk_key = PublicKey::from_pem(sim.risk_public_key_pkcs1_pem()).unwrap();
        let mut req = QueryMchRiskRequest::new(m.mchid.clone(), Nonce::generate(&mut rng).unwrap());
        req.certificates_number = Some(Personal::new(ID));
        req.certificates_name = Some(Personal::new(NAME));
        let http = req
            .build(&m.api_v2_key, &risk_key, &mut rng)
            .unwrap()
            .into_http();
        let script = V2Script {
            querymchrisk: script,
            ..V2Script::default()
        };
        let resp = sim.handle_v2(&http, NOW, &mut rng, &script).unwrap();
        assert_eq!(resp.status(), 200);
        resp.into_body()
    }

    #[test]
    fn querymchrisk_outcomes() {
        let v = ok_json(
            wxpay()
                .args(["parse", "querymchrisk", "--mch-id", TEST_MCHID])
                .write_stdin(risk_reply(RiskScript::level("FORBIDDEN", "禁入"))),
        );
        assert_eq!(v["outcome"], "success");
        assert_eq!(v["risk_level"], "FORBIDDEN");
        assert_eq!(v["risk_level_desc"], "禁入");
        assert_eq!(v["mch_id"], TEST_MCHID);
        // Unknown levels are kept verbatim.
        let v = ok_json(
            wxpay()
                .args(["parse", "querymchrisk"])
                .write_stdin(risk_reply(RiskScript::level("HIGH", ""))),
        );
        assert_eq!(v["risk_level"], "HIGH");
        let v = ok_json(
            wxpay()
                .args(["parse", "querymchrisk"])
                .write_stdin(risk_reply(RiskScript::Fail {
                    err_code: "PARAM_ERROR".into(),
                    err_code_des: "参数错误".into(),
                })),
        );
        assert_eq!(v["outcome"], "business_fail");
        assert_eq!(v["err_code"], "PARAM_ERROR");
        let v = ok_json(
            wxpay()
                .args(["parse", "querymchrisk"])
                .write_stdin("<xml><return_code>FAIL</return_code></xml>"),
        );
        assert_eq!(v["outcome"], "return_fail");
        assert_eq!(v["return_msg"], serde_json::Value::Null);
    }

    #[test]
    fn querymchrisk_failures() {
        let e = fails(
            wxpay()
                .args(["parse", "querymchrisk", "--mch-id", "1900000999"])
                .write_stdin(risk_reply(RiskScript::default())),
            1,
        );
        assert!(e.contains("reply's mch_id differs from --mch-id"), "{e}");
        let e = fails(
            wxpay()
                .args(["parse", "querymchrisk"])
                .write_stdin("<xml><return_code>SUCCESS</return_code></xml>"),
            1,
        );
        assert!(e.contains("no result_code"), "{e}");
        let e = fails(
            wxpay()
                .args(["parse", "querymchrisk"])
                .write_stdin("<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code><mch_id>1</mch_id></xml>"),
            1,
        );
        assert!(e.contains("no risk_level"), "{e}");
        let e = fails(
            wxpay()
                .args(["parse", "querymchrisk"])
                .write_stdin("<xml><a>"),
            1,
        );
        assert!(e.contains("not a valid reply"), "{e}");
        let e = fails(
            wxpay()
                .args(["parse", "querymchrisk", "--openid", OPENID])
                .write_stdin(""),
            2,
        );
        assert!(e.contains("--openid does not apply"), "{e}");
    }

    // ------------------------------------------------------------ v3: customs-verify, pre-entrust

    fn v3_data(name: &str) -> String {
        super::data(name)
    }

    /// (status, headers file, body) of a simulator reply.
    fn v3_reply(mode: SigningKeyMode, script: &V3Script, customs: bool) -> (u16, String, Vec<u8>) {
        let m = TestMerchant::new();
        let sim = Simulator::new().with_signing_mode(mode);
        let mut rng = rng();
        let platform = m
            .store
            .get_by_header(sim.platform_serial().as_str())
            .unwrap();
        let nonce = Nonce::generate(&mut rng).unwrap();
        let req = if customs {
            VerifyCertificateRequest {
                appid: "wxd678efh567hg6787".into(),
                out_trade_no: "20150806125346".into(),
                transaction_id: "1000320306201511078440737890".into(),
                sub_order_no: None,
                customs: Customs::ShanghaiZs,
                merchant_customs_no: "123456".into(),
                certificate_id: Personal::new(ID),
                certificate_name: Personal::new(NAME),
            }
            .build(&m.signer, platform, &mut rng, NOW, &nonce)
            .unwrap()
        } else {
            PreEntrustSignRequest::mini_program(
                APPID,
                "100000",
                OPENID,
                Personal::new(NAME),
                Personal::new(ID),
            )
            .build(&m.signer, platform, &mut rng, NOW, &nonce)
            .unwrap()
        };
        let resp = sim
            .handle_v3(&req.into_http(), NOW, &mut rng, script)
            .unwrap();
        let mut headers = String::from("HTTP/1.1 200 OK\r\n");
        for (k, v) in resp.headers() {
            headers.push_str(&format!("{}: {}\r\n", k, v.to_str().unwrap()));
        }
        let file = unique_scratch("headers.txt", headers);
        (resp.status().as_u16(), file, resp.into_body())
    }

    fn now() -> String {
        NOW.to_string()
    }

    #[test]
    fn customs_verify_success_with_certificate_and_public_key() {
        let cert = v3_data("test_platform_cert.pem");
        let (status, headers, body) =
            v3_reply(SigningKeyMode::Certificate, &V3Script::default(), true);
        assert_eq!(status, 200);
        let v = ok_json(
            wxpay()
                .args(["parse", "customs-verify", "--headers-file", &headers])
                .args(["--certificate", &cert, "--now", &now()])
                .args(["--mch-id", TEST_MCHID, "--appid", "wxd678efh567hg6787"])
                .write_stdin(body),
        );
        assert_eq!(v["outcome"], "success");
        assert_eq!(v["authenticated"], true);
        assert_eq!(v["is_same"], true);
        assert_eq!(v["certificate_check_result"], "SAME");
        assert_eq!(v["out_trade_no"], "20150806125346");
        assert_eq!(v["sub_order_no"], serde_json::Value::Null);

        let script = V3Script {
            customs: CustomsScript::Result("UNchECKED".into()),
            ..V3Script::default()
        };
        let (_, headers, body) = v3_reply(SigningKeyMode::PublicKey, &script, true);
        let v = ok_json(
            wxpay()
                .args(["parse", "customs-verify", "--headers-file", &headers])
                .args(["--public-key", &v3_data("test_platform_public_key.pem")])
                .args(["--now", &now()])
                .write_stdin(body),
        );
        assert_eq!(v["is_same"], false);
        assert_eq!(v["certificate_check_result"], "UNchECKED");
    }

    #[test]
    fn pre_entrust_success() {
        let (status, headers, body) =
            v3_reply(SigningKeyMode::PublicKey, &V3Script::default(), false);
        assert_eq!(status, 200);
        let v = ok_json(
            wxpay()
                .args(["parse", "pre-entrust", "--headers-file", &headers])
                .args([
                    "--public-key",
                    &v3_data("test_platform_public_key_pkcs1.pem"),
                ])
                .args(["--now", &now()])
                .write_stdin(body),
        );
        assert_eq!(v["api"], "pre-entrust");
        assert_eq!(v["authenticated"], true);
        assert_eq!(v["pre_entrustweb_id"], "1121_9f3c4d1a2b3c4d5e6f_12bf");
    }

    #[test]
    fn v3_error_replies_need_no_key() {
        let script = V3Script {
            customs: CustomsScript::Error(ScriptedError::new(429, "FREQUENCY_LIMITED", "频率超限")),
            pre_entrust: PreEntrustScript::Error(ScriptedError::new(
                403,
                "USER_ACCOUNT_ABNORMAL",
                "用户账户异常",
            )),
        };
        let (status, _, body) = v3_reply(SigningKeyMode::Certificate, &script, true);
        assert_eq!(status, 429);
        let v = ok_json(
            wxpay()
                .args(["parse", "customs-verify", "--status", "429"])
                .write_stdin(body),
        );
        assert_eq!(v["outcome"], "error");
        assert_eq!(v["authenticated"], false);
        assert_eq!(v["status"], 429);
        assert_eq!(v["code"], "FREQUENCY_LIMITED");
        assert_eq!(v["retryable"], true);
        let (status, _, body) = v3_reply(SigningKeyMode::Certificate, &script, false);
        let v = ok_json(
            wxpay()
                .args(["parse", "pre-entrust", "--status", &status.to_string()])
                .write_stdin(body),
        );
        assert_eq!(v["code"], "USER_ACCOUNT_ABNORMAL");
        assert_eq!(v["message"], "用户账户异常");
        assert_eq!(v["detail"], serde_json::Value::Null);
        // An error detail's value may be the caller's personal data.
        let detail = format!(
            r#"{{"code":"PARAM_ERROR","message":"m","detail":{{"field":"/cred_id","value":"{ID}","issue":"bad","location":"body"}}}}"#
        );
        let v = ok_json(
            wxpay()
                .args(["parse", "pre-entrust", "--status", "400"])
                .write_stdin(detail),
        );
        assert_eq!(v["detail"]["value"], "<redacted>");
        assert_eq!(v["detail"]["field"], "/cred_id");
        assert_eq!(v["retryable"], false);
        // A 5xx whose body is not a v3 error object is not a valid reply.
        let e = fails(
            wxpay()
                .args(["parse", "pre-entrust", "--status", "502"])
                .write_stdin("<html>bad gateway</html>"),
            1,
        );
        assert!(e.contains("not a v3 error object"), "{e}");
    }

    #[test]
    fn v3_verification_is_never_skipped() {
        let cert = v3_data("test_platform_cert.pem");
        let (_, headers, body) = v3_reply(SigningKeyMode::Certificate, &V3Script::default(), true);
        for api in ["customs-verify", "pre-entrust"] {
            let e = fails(wxpay().args(["parse", api]).write_stdin(body.clone()), 2);
            assert!(e.contains("must have its signature verified"), "{e}");
            assert!(e.contains("--certificate or --public-key"), "{e}");
        }
        let e = fails(
            wxpay()
                .args(["parse", "customs-verify", "--certificate", &cert])
                .write_stdin(body.clone()),
            2,
        );
        assert!(e.contains("give --headers-file"), "{e}");
        // Stale: the reply is checked against the system clock without --now.
        let e = fails(
            wxpay()
                .args(["parse", "customs-verify", "--certificate", &cert])
                .args(["--headers-file", &headers])
                .write_stdin(body.clone()),
            1,
        );
        assert!(e.contains("signature"), "{e}");
        // Tampered body; another key.
        let mut tampered = body.clone();
        tampered.insert(1, b' ');
        let e = fails(
            wxpay()
                .args(["parse", "customs-verify", "--certificate", &cert])
                .args(["--headers-file", &headers, "--now", &now()])
                .write_stdin(tampered),
            1,
        );
        assert!(e.contains("not a valid reply: signature"), "{e}");
        let e = fails(
            wxpay()
                .args(["parse", "customs-verify", "--headers-file", &headers])
                .args(["--certificate", &v3_data("test_platform2_cert.pem")])
                .args(["--now", &now()])
                .write_stdin(body.clone()),
            1,
        );
        assert!(e.contains("signature"), "{e}");
        // Echo checks.
        let e = fails(
            wxpay()
                .args(["parse", "customs-verify", "--certificate", &cert])
                .args(["--headers-file", &headers, "--now", &now()])
                .args(["--appid", "wxOTHER"])
                .write_stdin(body.clone()),
            1,
        );
        assert!(e.contains("reply's appid differs from --appid"), "{e}");
        // The pre-entrust parser refuses a customs body (no pre_entrustweb_id).
        let e = fails(
            wxpay()
                .args(["parse", "pre-entrust", "--certificate", &cert])
                .args(["--headers-file", &headers, "--now", &now()])
                .write_stdin(body.clone()),
            1,
        );
        assert!(e.contains("does not match the documented object"), "{e}");
        // Headers without the signature.
        let bare = unique_scratch("bare-headers.txt", "Content-Type: application/json\n");
        let e = fails(
            wxpay()
                .args(["parse", "customs-verify", "--certificate", &cert])
                .args(["--headers-file", &bare, "--now", &now()])
                .write_stdin(body.clone()),
            1,
        );
        assert!(
            e.contains("not a valid reply: signature: header wechatpay-timestamp is missing"),
            "{e}"
        );
        // Unusable key file; v2 flags.
        let e = fails(
            wxpay()
                .args([
                    "parse",
                    "customs-verify",
                    "--certificate",
                    &v3_data("VECTORS.md"),
                ])
                .args(["--headers-file", &headers])
                .write_stdin(body.clone()),
            2,
        );
        assert!(e.contains("VECTORS.md"), "{e}");
        let e = fails(
            wxpay()
                .args(["parse", "pre-entrust", "--key", TEST_API_V2_KEY])
                .write_stdin(body),
            2,
        );
        assert!(e.contains("--key/--key-file does not apply"), "{e}");
    }
}
