//! The `wxpay` binary, run as a user would — a child process with stdin, flags, files and the
//! environment — against published vectors and the offline simulator's replies.

mod common;

use crate::common::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs8::DecodePrivateKey;
use sha2::Digest;
use std::ffi::OsStr;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

const V2_KEY: &str = "192006250b4c09247ec02edce69f6a2d";
const OFFICIAL: &str = r#"{"appid":"wxd930ea5d5a258f4f","mch_id":"10000100","device_info":"1000","body":"test","nonce_str":"ibuaiVcKdpRxkhJA"}"#;
const OFFICIAL_MD5: &str = "9A0A8659F005D6984697E2CA0A9CF3B7";
const OFFICIAL_HMAC: &str = "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6";
const OFFICIAL_CANONICAL: &str = "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&key=***";
const WECHATPY_XML: &str = "<xml><test1>test1</test1><test2>test2</test2><sign>1E3A8D73B5A4AEE787C0F68B5DAB8520</sign></xml>";
const GO_NOW: &str = "1624523846";
const GO_NONCE: &str = "EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz";
const V3_KEY: &str = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";

// ---------------------------------------------------------------- running the binary

/// One run of `wxpay`, built up like `std::process::Command` (by value, so that runs can be
/// listed in tables of cases).
struct Cmd {
    cmd: Command,
    stdin: Option<Vec<u8>>,
}

/// Header lines (`Name: value`) for `--headers-file`.
fn header_lines(h: &wechatpay_sansio::http::HeaderMap) -> String {
    h.iter()
        .map(|(k, v)| format!("{}: {}\n", k, v.to_str().unwrap()))
        .collect()
}

/// `wxpay` with no key from the environment: keys come only from what each test passes.
fn wxpay() -> Cmd {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wxpay"));
    cmd.env_remove("WXPAY_KEY").env_remove("WXPAY_APIV3_KEY");
    Cmd { cmd, stdin: None }
}

impl Cmd {
    fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.cmd.arg(arg);
        self
    }

    fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    fn env(mut self, name: &str, value: impl AsRef<OsStr>) -> Self {
        self.cmd.env(name, value);
        self
    }

    /// Bytes piped to stdin (without this, stdin is empty: `/dev/null`).
    fn write_stdin(mut self, input: impl AsRef<[u8]>) -> Self {
        self.stdin = Some(input.as_ref().to_vec());
        self
    }

    /// Run to completion, capturing stdout and stderr.
    fn output(mut self) -> Output {
        let input = self.stdin.take();
        self.cmd
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("cannot start wxpay");
        // Written from another thread: the child may answer (and exit) before reading it all;
        // a broken pipe is then expected and ignored.
        let writer = input.map(|bytes| {
            let mut pipe = child.stdin.take().expect("piped stdin");
            std::thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            })
        });
        let out = child.wait_with_output().expect("cannot wait for wxpay");
        if let Some(w) = writer {
            w.join().expect("stdin writer panicked");
        }
        out
    }

    /// Run, then check the result with [`Ran`]'s methods.
    fn assert(self) -> Ran {
        Ran(self.output())
    }
}

/// A finished run, checked step by step.
struct Ran(Output);

impl Ran {
    #[track_caller]
    fn success(self) -> Self {
        assert!(self.0.status.success(), "{:?}", self.0);
        self
    }

    #[track_caller]
    fn code(self, code: i32) -> Self {
        assert_eq!(self.0.status.code(), Some(code), "{:?}", self.0);
        self
    }

    #[track_caller]
    fn stdout(self, expected: impl AsRef<str>) -> Self {
        assert_eq!(
            String::from_utf8_lossy(&self.0.stdout),
            expected.as_ref(),
            "{:?}",
            self.0
        );
        self
    }

    #[track_caller]
    fn stderr(self, expected: impl AsRef<str>) -> Self {
        assert_eq!(
            String::from_utf8_lossy(&self.0.stderr),
            expected.as_ref(),
            "{:?}",
            self.0
        );
        self
    }
}

/// stderr is exactly one `wxpay: …` line (the error contract) and never mentions a panic.
#[track_caller]
fn one_error_line(case: &str, out: &Output) -> String {
    let err = String::from_utf8(out.stderr.clone()).unwrap();
    assert!(!err.contains("panicked"), "{case}: {err}");
    assert!(!err.contains("RUST_BACKTRACE"), "{case}: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "{case}: expected one stderr line, got {err:?}"
    );
    assert!(lines[0].starts_with("wxpay: "), "{case}: {err}");
    err
}

/// `cmd` exits with `code`, prints nothing on stdout and one error line, which is returned.
#[track_caller]
fn fails(case: &str, cmd: Cmd, code: i32) -> String {
    let out = cmd.output();
    assert_eq!(out.status.code(), Some(code), "{case}: {out:?}");
    assert!(out.stdout.is_empty(), "{case}: {out:?}");
    one_error_line(case, &out)
}

/// Every `(case, cmd, needle)` [`fails`] with `code` and an error line containing `needle`.
#[track_caller]
fn all_fail<'a>(code: i32, cases: impl IntoIterator<Item = (&'a str, Cmd, &'a str)>) {
    for (case, cmd, needle) in cases {
        let e = fails(case, cmd, code);
        assert!(e.contains(needle), "{case}: expected {needle:?} in {e}");
    }
}

/// stdout of a successful run.
#[track_caller]
fn stdout(cmd: Cmd) -> String {
    let out = cmd.output();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// A scratch file under cargo's temporary directory, unique to this process, this test (its
/// thread is named after it) and this call.
fn scratch(name: &str, contents: impl AsRef<[u8]>) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("unnamed").replace("::", "-");
    let file = format!("wxpay-cli-{}-{test}-{n}-{name}", std::process::id());
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(file);
    std::fs::write(&p, contents).unwrap();
    p.to_str().unwrap().to_owned()
}

fn go_signature() -> String {
    text("go_notify_headers.txt")
        .lines()
        .find_map(|l| l.strip_prefix("Wechatpay-Signature: "))
        .unwrap()
        .trim()
        .to_owned()
}

fn private_key(name: &str) -> rsa::PrivateKey {
    let pem = data(name);
    let (label, der) = pem_rfc7468::decode_vec(&pem).unwrap();
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
        .output();
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
        .output();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    for hint in [
        r#""body=<![CDATA[test]]>&key=k&sign_type=HMAC-SHA256&total_fee= 1&key=***""#,
        "not signed: sign (the signature itself), remark (empty value)",
        "hint: the value of body contains a literal <![CDATA[",
        "hint: the value of total_fee has leading",
        "hint: a field named \"key\"",
        "hint: the fields say sign_type=HMAC-SHA256 but the sign is computed with MD5",
    ] {
        assert!(err.contains(hint), "expected {hint:?} in {err}");
    }
    assert!(!err.contains(V2_KEY));
}

#[test]
fn v2_sign_unusable_input_exits_2() {
    let sign = || {
        wxpay()
            .args(["v2-sign", "--sign-type", "MD5"])
            .env("WXPAY_KEY", V2_KEY)
    };
    let md5 = || wxpay().args(["v2-sign", "--sign-type", "MD5"]);
    all_fail(
        2,
        [
            (
                "a number value",
                sign().write_stdin(r#"{"total_fee":1}"#),
                r#"field "total_fee": values must be JSON strings, got a number"#,
            ),
            (
                "a null value",
                sign().write_stdin(r#"{"a":null}"#),
                "got null",
            ),
            (
                "an array value",
                sign().write_stdin(r#"{"a":["x"]}"#),
                "got an array",
            ),
            (
                "a duplicate field",
                sign().write_stdin(r#"{"a":"1","a":"2"}"#),
                r#"duplicate field "a""#,
            ),
            ("not an object", sign().write_stdin("[1,2]"), "JSON object"),
            (
                "an invalid name",
                sign().write_stdin(r#"{"a=b":"1"}"#),
                "invalid parameter name",
            ),
            (
                "XML instead of JSON",
                sign().write_stdin("<xml/>"),
                "not a JSON object of strings",
            ),
            // Key problems: missing, unreadable (the short key is below).
            ("no key", md5().write_stdin(OFFICIAL), "no key given"),
            (
                "a missing key file",
                md5()
                    .args(["--key-file", "/nonexistent/key"])
                    .write_stdin(OFFICIAL),
                "cannot open /nonexistent/key",
            ),
            // Usage errors from the command line are one line too.
            (
                "an unknown sign type",
                wxpay()
                    .args(["v2-sign", "--sign-type", "HMAC_SHA256", "--key", V2_KEY])
                    .write_stdin(OFFICIAL),
                "HMAC_SHA256",
            ),
            (
                "--key with --key-file",
                md5()
                    .args(["--key", V2_KEY, "--key-file", "f"])
                    .write_stdin(OFFICIAL),
                "cannot be used with",
            ),
            (
                "no --sign-type",
                wxpay().arg("v2-sign").write_stdin(OFFICIAL),
                "--sign-type",
            ),
        ],
    );
    // A key of the wrong length: the key text is never echoed.
    let e = fails(
        "a short key",
        md5()
            .args(["--key", "secret-but-short"])
            .write_stdin(OFFICIAL),
        2,
    );
    assert!(
        e.contains("32 bytes") && !e.contains("secret-but-short"),
        "{e}"
    );
    fails("an unknown subcommand", wxpay().arg("no-such-command"), 2);
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
        .output();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    for line in [
        "algorithm chosen from the length of the sign",
        r#""test1=test1&test2=test3&key=***""#,
        "received sign: 1E3A8D73B5A4AEE787C0F68B5DAB8520",
        "computed sign: ",
    ] {
        assert!(err.contains(line), "expected {line:?} in {err}");
    }
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
    let verify = || wxpay().arg("v2-verify").env("WXPAY_KEY", V2_KEY);
    all_fail(
        1,
        [
            (
                "an altered field",
                verify().write_stdin(WECHATPY_XML.replace(">test2<", ">test3<")),
                "signature mismatch",
            ),
            (
                "another key",
                verify()
                    .env("WXPAY_KEY", "0".repeat(32))
                    .write_stdin(WECHATPY_XML),
                "signature mismatch",
            ),
            (
                "an MD5 sign checked as HMAC-SHA256",
                verify()
                    .args(["--sign-type", "HMAC-SHA256"])
                    .write_stdin(WECHATPY_XML),
                "not 64 hex characters",
            ),
            (
                "no sign",
                verify().write_stdin("<xml><a>1</a></xml>"),
                "no sign field",
            ),
            (
                "a sign of neither length",
                verify().write_stdin("<xml><a>1</a><sign>ABC</sign></xml>"),
                "cannot tell the sign algorithm",
            ),
        ],
    );
}

#[test]
fn v2_verify_unusable_input_exits_2() {
    let verify = || wxpay().arg("v2-verify").env("WXPAY_KEY", V2_KEY);
    all_fail(
        2,
        [
            (
                "truncated XML",
                verify().write_stdin("<xml><a>1</a>"),
                "truncated XML",
            ),
            (
                "a DOCTYPE",
                verify().write_stdin(
                    r#"<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><a>&e;</a></xml>"#,
                ),
                "DOCTYPE",
            ),
            ("empty stdin", verify().write_stdin(""), ""),
            ("not UTF-8", verify().write_stdin([0xffu8, 0xfe, 0x00]), ""),
            (
                "no key",
                wxpay().arg("v2-verify").write_stdin(WECHATPY_XML),
                "no key given",
            ),
        ],
    );
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
    all_fail(
        2,
        [
            (
                "a nested element",
                wxpay()
                    .arg("xml2json")
                    .write_stdin("<xml><a><b/></a></xml>"),
                "nested element inside <a>",
            ),
            (
                "a duplicate element",
                wxpay()
                    .arg("xml2json")
                    .write_stdin("<xml><a>1</a><a>2</a></xml>"),
                "duplicate element <a>",
            ),
        ],
    );
}

#[test]
fn json2xml_sorts_and_escapes() {
    wxpay()
        .arg("json2xml")
        .write_stdin(r#"{"total_fee":"1","body":"a<b"}"#)
        .assert()
        .success()
        .stdout("<xml><body>a&lt;b</body><total_fee>1</total_fee></xml>\n");
    let json2xml = |input: &str| wxpay().arg("json2xml").write_stdin(input);
    all_fail(
        2,
        [
            (
                "an invalid element name",
                json2xml(r#"{"1a":"x"}"#),
                "invalid element name",
            ),
            (
                "a boolean value",
                json2xml(r#"{"a":true}"#),
                "got a boolean",
            ),
            (
                "a control character",
                json2xml(r#"{"a":"\u0001"}"#),
                "U+0001",
            ),
        ],
    );
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

/// `v3-authorization` with the Go SDK's credentials test inputs, plus `extra`.
fn go_auth(extra: &[&str]) -> Cmd {
    wxpay()
        .args([
            "v3-authorization",
            "--mchid",
            "1234567890",
            "--serial",
            "F5765756002FDD77",
            "--private-key",
            &data_path("go_private_key.pem"),
            "--timestamp",
            GO_NOW,
            "--nonce",
            "A1B2C3D4E5F6G7",
        ])
        .args(extra)
}

/// `v3-authorization` with the given `--serial`, `--private-key` file and `--nonce`.
fn auth_with(serial: &str, key_file: &str, nonce: &str) -> Cmd {
    wxpay().args([
        "v3-authorization",
        "--mchid",
        "1234567890",
        "--serial",
        serial,
        "--private-key",
        &data_path(key_file),
        "--method",
        "GET",
        "--url",
        "/v3/x",
        "--timestamp",
        "1",
        "--nonce",
        nonce,
    ])
}

fn signature_of(header: &str) -> String {
    let (_, sig) = header.trim_end().rsplit_once("signature=\"").unwrap();
    sig.strip_suffix('"').unwrap().to_owned()
}

#[test]
fn v3_authorization_header_and_signature() {
    let out = go_auth(&["--method", "GET", "--url", "/v3/certificates", "--explain"]).output();
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
    let again = stdout(go_auth(&["--method", "GET", "--url", "/v3/certificates"]));
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
    .output();
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
    // can be checked by v3-verify against the matching certificate (valid 2021 … 2031).
    let body = scratch("rt-body", r#"{"a":"b"}"#);
    let header = stdout(go_auth(&[
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
        wxpay().args([
            "v3-verify",
            "--certificate",
            &data_path("go_platform_cert.pem"),
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
        ])
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
    let e = fails("one byte different", verify(&altered), 1);
    assert!(e.contains("signature does not verify"), "{e}");
}

#[test]
fn v3_authorization_errors() {
    let get = |url: &str| go_auth(&["--method", "GET", "--url", url]);
    all_fail(
        2,
        [
            (
                "a full URL",
                get("https://api.mch.weixin.qq.com/v3/certificates"),
                "give only the path and query",
            ),
            ("a space in the URL", get("/v3/a b"), "--url"),
            (
                "an empty method",
                go_auth(&["--method", "", "--url", "/v3/x"]),
                "--method",
            ),
            (
                "a public key as the private key",
                auth_with("F5765756002FDD77", "test_platform_public_key.pem", "abc"),
                "unexpected PEM label",
            ),
            (
                "a serial that is not hex",
                auth_with("not-hex", "go_private_key.pem", "abc"),
                "--serial",
            ),
            (
                "a nonce with a space",
                auth_with("F5765756002FDD77", "go_private_key.pem", "has space"),
                "--nonce",
            ),
            (
                "a missing body file",
                go_auth(&[
                    "--method",
                    "GET",
                    "--url",
                    "/v3/x",
                    "--body-file",
                    "/nonexistent",
                ]),
                "cannot open /nonexistent",
            ),
            (
                "an encrypted private key",
                auth_with("F5765756002FDD77", "test_merchant_key_encrypted.pem", "abc"),
                "encrypted",
            ),
        ],
    );
    // A lower-case method is signed as given, with a warning.
    let out = go_auth(&["--method", "post", "--url", "/v3/x"]).output();
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("warning: the method \"post\"")
    );
}

#[test]
fn v3_sign_published_vectors() {
    wxpay()
        .args(["v3-sign", "--private-key", &data_path("go_private_key.pem")])
        .write_stdin("source")
        .assert()
        .success()
        .stdout(text("go_sign_source.b64"));
    let msg = scratch("java-message", "message");
    wxpay()
        .args([
            "v3-sign",
            "--private-key",
            &data_path("java_merchant_private_key.pem"),
            "--message-file",
            &msg,
            "--explain",
        ])
        .assert()
        .success()
        .stdout(text("java_sign_message.b64"))
        .stderr("message (7 bytes): \"message\"\n");
    fails(
        "a JSON file as the private key",
        wxpay()
            .args([
                "v3-sign",
                "--private-key",
                &data_path("go_notify_body.json"),
            ])
            .write_stdin("x"),
        2,
    );
}

// ---------------------------------------------------------------- v3-verify

/// `v3-verify` of the Go SDK's notification (the key and `--now` still to be given).
fn go_verify() -> Cmd {
    wxpay().args([
        "v3-verify",
        "--timestamp",
        GO_NOW,
        "--nonce",
        GO_NONCE,
        "--signature",
        &go_signature(),
        "--body-file",
        &data_path("go_notify_body.json"),
    ])
}

#[test]
fn v3_verify_go_notification() {
    let cert = data_path("go_platform_cert.pem");
    go_verify()
        .args(["--certificate", &cert, "--now", GO_NOW])
        .assert()
        .success()
        .stdout("valid (key D7CE59D1F522D701)\n")
        .stderr("");
    go_verify()
        .args(["--certificate", &cert, "--now", GO_NOW])
        .args(["--serial", "d7ce59d1f522d701"])
        .assert()
        .success();
    // From a headers file as copied from a log.
    wxpay()
        .args([
            "v3-verify",
            "--certificate",
            &cert,
            "--headers-file",
            &data_path("go_notify_headers.txt"),
            "--body-file",
            &data_path("go_notify_body.json"),
            "--now",
            "1624524000",
        ])
        .assert()
        .success()
        .stdout("valid (key D7CE59D1F522D701)\n");
    // A bare public key (here taken from the certificate PEM): placeholder id, or --serial.
    go_verify()
        .args(["--public-key", &cert, "--now", GO_NOW])
        .assert()
        .success()
        .stdout("valid (key PUB_KEY_ID_0000000000)\n");
    go_verify()
        .args(["--public-key", &cert, "--now", GO_NOW])
        .args(["--serial", "PUB_KEY_ID_0114232134912410000000000000"])
        .assert()
        .success()
        .stdout("valid (key PUB_KEY_ID_0114232134912410000000000000)\n");
}

#[test]
fn v3_verify_explain() {
    let out = go_verify()
        .args(["--certificate", &data_path("go_platform_cert.pem")])
        .args(["--now", GO_NOW, "--explain"])
        .output();
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
    let cert = data_path("go_platform_cert.pem");
    let with_cert = || go_verify().args(["--certificate", &cert]);
    let tampered = scratch(
        "tampered-notify",
        text("go_notify_body.json").replace("签约成功", "签约失败"),
    );
    // The Go notification with another signature.
    let probe = |sig: &str| {
        wxpay().args([
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
            &data_path("go_notify_body.json"),
            "--now",
            GO_NOW,
        ])
    };
    all_fail(
        1,
        [
            ("the system clock", with_cert(), "stale or replayed"),
            (
                "301 s late",
                with_cert().args(["--now", "1624524146"]),
                "300 s away from now",
            ),
            (
                "a tampered body",
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
                "signature does not verify",
            ),
            // Another key: the Java platform key does not verify the Go notification.
            (
                "another key",
                go_verify().args([
                    "--public-key",
                    &data_path("java_wechat_pay_public_key.pem"),
                    "--now",
                    GO_NOW,
                ]),
                "signature does not verify",
            ),
            (
                "a signature of the wrong size",
                probe("AAAA"),
                "3 bytes; the key needs 256",
            ),
        ],
    );
    with_cert()
        .args(["--now", "1624524146", "--max-skew", "301"])
        .assert()
        .success();
    let e = fails(
        "an unknown serial",
        with_cert().args(["--now", GO_NOW, "--serial", "1234"]),
        1,
    );
    assert!(
        e.contains("no WeChat Pay key with id 1234") && e.contains("D7CE59D1F522D701"),
        "{e}"
    );
    let e = fails("a signature probe", probe("WECHATPAY/SIGNTEST/Zm9v"), 1);
    assert!(
        e.contains("SIGNTEST") && e.contains("signature probe"),
        "{e}"
    );
}

#[test]
fn v3_verify_unusable_input_exits_2() {
    let cert = data_path("go_platform_cert.pem");
    let run = |sig: &str, ts: &str, key_flag: &str, key: &str| {
        wxpay().args([
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
            &data_path("go_notify_body.json"),
            "--now",
            GO_NOW,
        ])
    };
    let go_sig = go_signature();
    let with_headers = |headers: &str| {
        wxpay().args([
            "v3-verify",
            "--certificate",
            &cert,
            "--headers-file",
            headers,
            "--body-file",
            &data_path("go_notify_body.json"),
        ])
    };
    let partial = scratch(
        "partial-headers",
        "Wechatpay-Timestamp: 1\nWechatpay-Nonce: n\n",
    );
    // Garbled or missing signature headers are an invalid reply (exit 1), not an unusable
    // invocation.
    all_fail(
        1,
        [
            (
                "a signature that is not base64",
                run("@@not-base64@@", GO_NOW, "--certificate", &cert),
                "not valid base64",
            ),
            (
                "a signature with a space",
                run("@@not base64@@", GO_NOW, "--certificate", &cert),
                "not visible ASCII",
            ),
            (
                "a timestamp that is not a number",
                run(&go_sig, "16245x", "--certificate", &cert),
                "not a number",
            ),
            (
                "a headers file without the signature",
                with_headers(&partial),
                "header wechatpay-signature is missing",
            ),
        ],
    );
    let bad_headers = scratch("bad-headers", "not a header line\n");
    all_fail(
        2,
        [
            (
                "a public key as the certificate",
                run(
                    &go_sig,
                    GO_NOW,
                    "--certificate",
                    &data_path("test_platform_public_key.pem"),
                ),
                "unexpected PEM label",
            ),
            (
                "an EC key",
                run(
                    &go_sig,
                    GO_NOW,
                    "--public-key",
                    &data_path("test_ec_p256_public_key.pem"),
                ),
                "not an RSA key",
            ),
            (
                "an RSA-1024 key",
                run(
                    &go_sig,
                    GO_NOW,
                    "--public-key",
                    &data_path("test_rsa1024_public_key.pem"),
                ),
                "1024 bits",
            ),
            (
                "an invalid key id",
                go_verify().args([
                    "--public-key",
                    &cert,
                    "--now",
                    GO_NOW,
                    "--serial",
                    "PUB_KEY_ID_",
                ]),
                "invalid key id",
            ),
            // No key at all; a headers file that is not headers; flags that conflict.
            ("no key", go_verify(), "--public-key"),
            (
                "a headers file that is not headers",
                with_headers(&bad_headers),
                "headers file line 1",
            ),
            (
                "--headers-file with --timestamp",
                with_headers(&data_path("go_notify_headers.txt")).args(["--timestamp", "1"]),
                "cannot be used with",
            ),
        ],
    );
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
        &data_path("test_platform_key.pem"),
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
                &data_path(pem),
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
    private_key("test_platform_key.pem")
        .oaep_decrypt_with_rng::<sha1::Sha1, _>(&mut rng(7), &ct)
        .unwrap()
}

#[test]
fn encrypt_with_each_pem_kind() {
    for pem in [
        "test_platform_public_key.pem",
        "test_platform_public_key_pkcs1.pem",
        "test_platform_cert.pem",
    ] {
        let ct = stdout(wxpay().args(["encrypt", "--public-key", &data_path(pem), "张三"]));
        assert_eq!(decrypt_oaep(&ct), "张三".as_bytes(), "{pem}");
        let ct2 = stdout(wxpay().args([
            "encrypt",
            "--padding",
            "oaep",
            "--public-key",
            &data_path(pem),
            "张三",
        ]));
        assert_ne!(ct, ct2, "OAEP is randomised");
        assert_eq!(decrypt_oaep(&ct2), "张三".as_bytes());
    }
}

#[test]
fn encrypt_pkcs1_and_stdin() {
    let cert = data_path("test_platform_cert.pem");
    let ct = stdout(
        wxpay()
            .args(["encrypt", "--padding", "pkcs1", "--public-key", &cert, "-"])
            .write_stdin("110101199003074477\n"),
    );
    let ct = STANDARD.decode(ct.trim_end()).unwrap();
    let pt = private_key("test_platform_key.pem")
        .pkcs1v15_decrypt_with_rng(&mut rng(8), &ct)
        .unwrap();
    assert_eq!(pt, b"110101199003074477");
    // The plaintext is not echoed anywhere.
    let out = wxpay()
        .args(["encrypt", "--public-key", &cert, "-"])
        .write_stdin("张三")
        .output();
    assert!(out.stderr.is_empty());
    assert!(!String::from_utf8(out.stdout).unwrap().contains("张三"));
}

#[test]
fn encrypt_errors_exit_2() {
    let key = data_path("test_platform_public_key.pem");
    let encrypt =
        |key: &str, plaintext: &str| wxpay().args(["encrypt", "--public-key", key, plaintext]);
    let too_long = "x".repeat(215);
    let e = fails("215 bytes under OAEP", encrypt(&key, &too_long), 2);
    assert!(e.contains("215 bytes exceeds the 214-byte limit"), "{e}");
    assert!(!e.contains("xxxx"), "{e}");
    all_fail(
        2,
        [
            (
                "246 bytes under PKCS#1",
                wxpay().args([
                    "encrypt",
                    "--padding",
                    "pkcs1",
                    "--public-key",
                    &key,
                    &"x".repeat(246),
                ]),
                "245-byte limit",
            ),
            ("an empty plaintext", encrypt(&key, ""), "empty"),
            (
                "a private key",
                encrypt(&data_path("test_platform_key.pem"), "x"),
                "unexpected PEM label",
            ),
            (
                "not PEM",
                encrypt(&data_path("go_notify_body.json"), "x"),
                "malformed PEM",
            ),
            (
                "an unknown padding",
                wxpay().args(["encrypt", "--padding", "pss", "--public-key", &key, "x"]),
                "pss",
            ),
        ],
    );
}

// ---------------------------------------------------------------- decrypt-resource

/// `decrypt-resource` of the Java SDK's vector (the key still to be given).
fn java_resource() -> Cmd {
    wxpay().args([
        "decrypt-resource",
        "--nonce",
        "uluk4a9R25RW",
        "--associated-data",
        "associatedData",
        "--ciphertext",
        "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=",
    ])
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
        "altered associated data",
        wxpay().args([
            "decrypt-resource",
            "--apiv3-key",
            V3_KEY,
            "--nonce",
            "uluk4a9R25RW",
            "--associated-data",
            "bad-associatedData",
            "--ciphertext",
            "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=",
        ]),
        1,
    );
    assert!(e.contains("AES-GCM authentication failed"), "{e}");
    let e = fails(
        "another APIv3 key",
        java_resource().args(["--apiv3-key", &"0".repeat(32)]),
        1,
    );
    assert!(
        e.contains("APIv3 key is probably wrong") && !e.contains("00000"),
        "{e}"
    );
    let e = fails(
        "a 16-byte APIv3 key",
        java_resource().args(["--apiv3-key", "testMchAPIv3Key0"]),
        2,
    );
    assert!(
        e.contains("exactly 32 bytes long, got 16") && !e.contains("testMch"),
        "{e}"
    );
    let e = fails("no key", java_resource(), 2);
    assert!(
        e.contains("no key given") && e.contains("WXPAY_APIV3_KEY"),
        "{e}"
    );
    let decrypt = |nonce: &str, ciphertext: &str| {
        wxpay().args([
            "decrypt-resource",
            "--apiv3-key",
            V3_KEY,
            "--nonce",
            nonce,
            "--ciphertext",
            ciphertext,
        ])
    };
    all_fail(
        2,
        [
            (
                "a 5-byte nonce",
                decrypt("short", "AAAA"),
                "12 bytes, got 5",
            ),
            (
                "a ciphertext that is not base64",
                decrypt("uluk4a9R25RW", "%%%"),
                "not valid base64",
            ),
        ],
    );
}

#[test]
fn decrypt_resource_from_a_notification_file() {
    let resource = r#"{"algorithm":"AEAD_AES_256_GCM","ciphertext":"ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=","nonce":"uluk4a9R25RW","associated_data":"associatedData","original_type":"transaction"}"#;
    let bare = scratch("resource.json", resource);
    let wrapped = scratch(
        "notification.json",
        format!(r#"{{"id":"x","event_type":"TRANSACTION.SUCCESS","resource":{resource}}}"#),
    );
    let from_file = |f: &str| {
        wxpay().args([
            "decrypt-resource",
            "--apiv3-key",
            V3_KEY,
            "--resource-file",
            f,
        ])
    };
    for f in [&bare, &wrapped] {
        from_file(f).assert().success().stdout("message\n");
    }
    // The Go notification: a 32-byte key that is not the one used fails authentication.
    let e = fails(
        "the Go notification",
        from_file(&data_path("go_notify_body.json")),
        1,
    );
    assert!(e.contains("AES-GCM authentication failed"), "{e}");
    let sm4 = scratch(
        "sm4.json",
        resource.replace("AEAD_AES_256_GCM", "AEAD_SM4_GCM"),
    );
    let empty_object = scratch("obj.json", "{}");
    all_fail(
        2,
        [
            (
                "an SM4 resource",
                from_file(&sm4),
                "unsupported resource algorithm \"AEAD_SM4_GCM\"",
            ),
            (
                "a headers file",
                from_file(&data_path("go_notify_headers.txt")),
                "not JSON",
            ),
            (
                "an empty object",
                from_file(&empty_object),
                "not a notification or resource object",
            ),
            (
                "--resource-file with --nonce",
                from_file(&bare).args(["--nonce", "x"]),
                "cannot be used with",
            ),
        ],
    );
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
            &["v2-sign", "--sign-type", "MD5", "--key", V2_KEY][..],
            &["v2-verify", "--key", V2_KEY],
            &["xml2json"],
            &["json2xml"],
        ] {
            let case = format!("{args:?} {input:?}");
            let out = wxpay().args(args).write_stdin(input).output();
            assert_eq!(out.status.code(), Some(2), "{case}: {out:?}");
            one_error_line(&case, &out);
        }
    }
    let deep = "<a>".repeat(100_000);
    fails(
        "100 000 nested elements",
        wxpay().arg("xml2json").write_stdin(deep),
        2,
    );
}

// ---------------------------------------------------------------- parse: usage

#[test]
fn parse_unknown_api_exits_2() {
    let e = fails(
        "an unknown API",
        wxpay().args(["parse", "nosuchapi"]).write_stdin(""),
        2,
    );
    assert!(e.contains("nosuchapi"), "{e}");
}

// ---------------------------------------------------------------- parse: replies from the simulator

/// `wxpay parse <API>` on replies the offline simulator produced for requests built with the
/// typed API: the outcomes, WeChat Pay's error replies (exit 0, with their disposition),
/// invalid replies (exit 1) and unusable flags (exit 2), with personal data never printed.
mod parse {
    use super::{Cmd, all_fail, fails, scratch, wxpay};
    use crate::common::{NOW, data_path, rng, send};
    use serde_json::{Value, json};
    use wechatpay_sansio::api::Operation;
    use wechatpay_sansio::api::customs::{Customs, VerifyCertificateRequest};
    use wechatpay_sansio::api::nameauth::NameAuthRequest;
    use wechatpay_sansio::api::pre_entrust::PreEntrustSignRequest;
    use wechatpay_sansio::api::querymchrisk::QueryMchRiskRequest;
    use wechatpay_sansio::api::realnameauth::{CredType, RealNameAuthRequest, Version};
    use wechatpay_sansio::secret::{AccessToken, Personal};
    use wechatpay_sansio::simulator::v2::{NameAuthScript, RealNameAuthScript, RiskScript};
    use wechatpay_sansio::simulator::v3::{CustomsScript, PreEntrustScript, ScriptedError};
    use wechatpay_sansio::simulator::{
        Script, SigningKeyMode, Simulator, TEST_API_V2_KEY, TEST_MCHID,
    };
    use wechatpay_sansio::v2::SignType;

    const NAME: &str = "刘某某";
    const ID: &str = "11010519491231002X";
    const APPID: &str = "wx2421b1c4370ec43b";
    const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

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
    #[track_caller]
    fn ok_json(cmd: Cmd) -> Value {
        let out = cmd.output();
        no_personal_data(&out);
        assert!(out.status.success(), "{out:?}");
        assert!(out.stderr.is_empty(), "{out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// A failure outcome carries what to do about it.
    #[track_caller]
    fn assert_disposition(v: &Value, disposition: &str, retryable: bool) {
        assert_eq!(v["disposition"], disposition, "{v}");
        assert_eq!(v["retryable"], retryable, "{v}");
    }

    fn v2_key_file() -> String {
        scratch("v2.key", format!("{TEST_API_V2_KEY}\n"))
    }

    /// `wxpay parse <api>` plus `args`.
    fn parse(api: &str, args: &[&str]) -> Cmd {
        wxpay().args(["parse", api]).args(args)
    }

    // ------------------------------------------------------------ realnameauth

    fn realnameauth_reply(sign_type: SignType, script: RealNameAuthScript) -> Vec<u8> {
        let (sim, m) = (Simulator::new(), Simulator::new().merchant());
        let mut req = RealNameAuthRequest::new(
            APPID,
            OPENID,
            Personal::new(NAME),
            CredType::IdCard,
            Personal::new(ID),
            AccessToken::new("81_TESTONLYaccessToken"),
        );
        req.version = Version::V1_1;
        req.sign_type = sign_type;
        let http = req.build(&m, &mut rng(42), NOW).unwrap();
        let script = Script {
            realnameauth: script,
            ..Script::default()
        };
        let resp = send(&sim, http, &script);
        assert_eq!(resp.status(), 200);
        resp.into_body()
    }

    #[test]
    fn realnameauth_success() {
        let key = v2_key_file();
        let body = realnameauth_reply(SignType::HmacSha256, RealNameAuthScript::matched());
        let v = ok_json(
            parse("realnameauth", &["--key-file", &key])
                .args(["--sign-type", "HMAC-SHA256", "--mch-id", TEST_MCHID])
                .args(["--appid", APPID, "--openid", OPENID])
                .write_stdin(&body),
        );
        assert_eq!(v["api"], "realnameauth");
        assert_eq!(v["outcome"], "success");
        assert_eq!(v["authenticated"], true);
        assert_eq!(v["is_match"], true);
        assert_eq!(v["decision"], "Match");
        assert_eq!(v["verify_openid"], json!(["V_OP_NM_MA"]));
        assert_eq!(v["verify_real_name"], "V_NM_ID_MA");
        assert_eq!(v["bind_bankcard"], "YES");
        assert_eq!(v["mch_id"], TEST_MCHID);
        // The key from the environment and the sign type from the sign's length work too.
        let v = ok_json(
            parse("realnameauth", &[])
                .env("WXPAY_KEY", TEST_API_V2_KEY)
                .write_stdin(body),
        );
        assert_eq!(v["is_match"], true);

        let body = realnameauth_reply(
            SignType::Md5,
            RealNameAuthScript::answer("V_OP_NM_MA", Some("V_NM_ID_UM"), None),
        );
        let v = ok_json(
            parse("realnameauth", &["--key-file", &key, "--sign-type", "MD5"]).write_stdin(body),
        );
        assert_eq!(v["is_match"], false);
        assert_eq!(v["decision"], "IdMismatch");
        assert_eq!(v["verify_real_name"], "V_NM_ID_UM");
        assert_eq!(v["bind_bankcard"], Value::Null);
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
        let v = ok_json(parse("realnameauth", &["--key-file", &key]).write_stdin(&body));
        assert_eq!(v["outcome"], "business_fail");
        // Signed and verified before it was read.
        assert_eq!(v["authenticated"], true);
        assert_eq!(v["err_code"], "20002");
        assert_eq!(v["err_code_des"], "商户号信息有误");
        assert!(v["disposition"].is_string(), "{v}");
        assert!(v["retryable"].is_boolean(), "{v}");

        let fail = "<xml><return_code>FAIL</return_code><return_msg>签名错误</return_msg></xml>";
        let v = ok_json(parse("realnameauth", &["--key-file", &key]).write_stdin(fail));
        assert_eq!(v["outcome"], "return_fail");
        assert_eq!(v["return_msg"], "签名错误");
        // "签名错误" (sign error): the merchant's key or sign type is wrong.
        assert_disposition(&v, "misconfigured", false);
    }

    /// Issue 15, item 1: a business FAIL of a signed endpoint is believed only once its sign
    /// verifies; unsigned, or signed and then altered, it is an invalid reply (exit 1).
    #[test]
    fn realnameauth_unsigned_or_forged_business_fail_exits_1() {
        let key = v2_key_file();
        let unsigned = "<xml><return_code>SUCCESS</return_code><result_code>FAIL</result_code>\
                        <error_code>SYSTEMERROR</error_code><error_code_des>x</error_code_des></xml>";
        let e = fails(
            "unsigned business FAIL",
            parse("realnameauth", &["--key-file", &key]).write_stdin(unsigned),
            1,
        );
        assert!(e.contains("not a valid reply"), "{e}");
        let body = realnameauth_reply(
            SignType::Md5,
            RealNameAuthScript::Fail {
                error_code: "PARAM_ERROR".into(),
                error_code_des: "参数错误".into(),
            },
        );
        let forged = String::from_utf8(body)
            .unwrap()
            .replace("PARAM_ERROR", "SYSTEMERROR");
        let e = fails(
            "altered err_code",
            parse("realnameauth", &["--key-file", &key]).write_stdin(forged),
            1,
        );
        assert!(e.contains("not a valid reply"), "{e}");
    }

    #[test]
    fn realnameauth_invalid_replies_exit_1() {
        let key = v2_key_file();
        let body = realnameauth_reply(SignType::HmacSha256, RealNameAuthScript::matched());
        let with_key = |args: &[&str]| parse("realnameauth", &["--key-file", &key]).args(args);
        let text = String::from_utf8(body.clone()).unwrap();
        let tampered = text.replace("V_NM_ID_MA", "V_NM_ID_UM");
        assert_ne!(text, tampered);
        let e = fails(
            "another key",
            parse(
                "realnameauth",
                &["--key", "TESTONLYwrongKey0000000000000000"],
            )
            .write_stdin(&body),
            1,
        );
        assert!(
            e.contains("not a valid reply") && e.contains("signature"),
            "{e}"
        );
        all_fail(
            1,
            [
                // The request was HMAC-SHA256, the flag says MD5: the 64-character sign is refused.
                (
                    "another sign type",
                    with_key(&["--sign-type", "MD5"]).write_stdin(&body),
                    "not a valid reply: the sign field is not 32 hex characters",
                ),
                ("a tampered body", with_key(&[]).write_stdin(tampered), ""),
                (
                    "HTTP status 502",
                    with_key(&["--status", "502"]).write_stdin(&body),
                    "HTTP status 502",
                ),
            ],
        );
        // Echoed ids that differ from the flags.
        for (flag, value, field) in [
            ("--mch-id", "1900000999", "mch_id"),
            ("--appid", "wxOTHER", "appid"),
            ("--openid", "oOTHER", "openid"),
        ] {
            let e = fails(flag, with_key(&[flag, value]).write_stdin(&body), 1);
            assert!(
                e.contains(&format!("reply's {field} differs from {flag}")),
                "{e}"
            );
        }
        // Not XML: named as an invalid reply of the API.
        let e = fails("not XML", with_key(&[]).write_stdin("{\"a\":1}"), 1);
        assert!(
            e.starts_with("wxpay: parse realnameauth: not a valid reply:"),
            "{e}"
        );
    }

    #[test]
    fn realnameauth_usage_exits_2() {
        let body = realnameauth_reply(SignType::Md5, RealNameAuthScript::matched());
        all_fail(
            2,
            [
                (
                    "no key",
                    parse("realnameauth", &[]).write_stdin(&body),
                    "no key given",
                ),
                (
                    "a short key",
                    parse("realnameauth", &["--key", "short"]).write_stdin(&body),
                    "APIv2 key",
                ),
                (
                    "a v3 certificate",
                    parse("realnameauth", &["--key-file", &v2_key_file()])
                        .args(["--certificate", "x.pem"])
                        .write_stdin(&body),
                    "--certificate/--public-key does not apply",
                ),
                (
                    "a missing key file",
                    parse("realnameauth", &["--key-file", "/nonexistent/key"]).write_stdin(&body),
                    "cannot open",
                ),
                (
                    "--status 99",
                    parse("realnameauth", &["--key-file", &v2_key_file()])
                        .args(["--status", "99"])
                        .write_stdin(&body),
                    "--status 99",
                ),
            ],
        );
    }

    // ------------------------------------------------------------ nameauth

    fn nameauth_reply(script: NameAuthScript) -> Vec<u8> {
        let (sim, m) = (Simulator::new(), Simulator::new().merchant());
        let req = NameAuthRequest::new(APPID, OPENID, Personal::new(NAME), Personal::new(ID));
        let http = req.build(&m, &mut rng(42), NOW).unwrap();
        let script = Script {
            nameauth: script,
            ..Script::default()
        };
        let resp = send(&sim, http, &script);
        assert_eq!(resp.status(), 200);
        resp.into_body()
    }

    #[test]
    fn nameauth_outcomes() {
        let nameauth = |script: NameAuthScript| {
            ok_json(parse("nameauth", &[]).write_stdin(nameauth_reply(script)))
        };
        let mut a = NameAuthScript::letter('A');
        a.name_mask = "*三".into();
        let v = nameauth(a);
        assert_eq!(v["outcome"], "success");
        assert_eq!(v["status"], "verified");
        assert_eq!(v["letter"], "A");
        assert_eq!(v["name_mask"], "<redacted>");
        assert_eq!(v["authenticated"], false);

        let v = nameauth(NameAuthScript::letter('D'));
        assert_eq!(v["status"], "name_and_id_mismatch");
        assert_eq!(v["letter"], "D");
        assert_eq!(v["name_mask"], "");

        let v = nameauth(NameAuthScript::error(51_068_401));
        assert_eq!(v["status"], "unverified");
        assert_eq!(v["letter"], "F");
        assert_eq!(v["reason"], "no_such_user");

        let v = nameauth(NameAuthScript::status("9", "7"));
        assert_eq!(v["status"], "other");
        assert_eq!(v["letter"], Value::Null);
        assert_eq!(v["nameauth_status"], "9");

        let v = nameauth(NameAuthScript::error(1007));
        assert_eq!(v["outcome"], "service_error");
        // The code as the open enum `api::NameAuthCode` spells it: a JSON string.
        assert_eq!(v["error_code"], 1007);
        // 1007 (IP not allow-listed): the merchant's setup.
        assert_disposition(&v, "misconfigured", false);
        // JSONP is read as well.
        let v = ok_json(
            parse("nameauth", &[]).write_stdin("cb({\"error_code\":0,\"nameauth_status\":\"2\"});"),
        );
        assert_eq!(v["status"], "unverified_but_matching");
    }

    #[test]
    fn nameauth_failures() {
        let nameauth = |args: &[&str], body: &str| parse("nameauth", args).write_stdin(body);
        all_fail(
            1,
            [
                ("HTML", nameauth(&[], "<html>"), "neither JSON nor JSONP"),
                (
                    "no error_code",
                    nameauth(&[], "{\"nameauth_status\":\"1\"}"),
                    "no error_code",
                ),
                (
                    "a string error_code",
                    nameauth(&[], "{\"error_code\":\"x\"}"),
                    "error_code is malformed",
                ),
                (
                    "an array error_code",
                    nameauth(&[], "{\"error_code\":[1]}"),
                    "not the documented JSON object",
                ),
                (
                    "HTTP status 500",
                    nameauth(&["--status", "500"], "{}"),
                    "HTTP status 500",
                ),
            ],
        );
        all_fail(
            2,
            [
                ("--key", &["--key", TEST_API_V2_KEY][..]),
                ("--mch-id", &["--mch-id", TEST_MCHID]),
                ("--now", &["--now", "1"]),
                ("--sign-type", &["--sign-type", "MD5"]),
            ]
            .map(|(case, extra)| (case, nameauth(extra, "{}"), "does not apply to this API")),
        );
    }

    // ------------------------------------------------------------ querymchrisk

    fn risk_reply(script: RiskScript) -> Vec<u8> {
        let (sim, m) = (Simulator::new(), Simulator::new().merchant());
        let mut req = QueryMchRiskRequest::new();
        req.certificates_number = Some(Personal::new(ID));
        req.certificates_name = Some(Personal::new(NAME));
        let http = req.build(&m, &mut rng(42), NOW).unwrap();
        let script = Script {
            querymchrisk: script,
            ..Script::default()
        };
        let resp = send(&sim, http, &script);
        assert_eq!(resp.status(), 200);
        resp.into_body()
    }

    #[test]
    fn querymchrisk_outcomes() {
        let v = ok_json(
            parse("querymchrisk", &["--mch-id", TEST_MCHID])
                .write_stdin(risk_reply(RiskScript::level("FORBIDDEN", "禁入"))),
        );
        assert_eq!(v["outcome"], "success");
        assert_eq!(v["risk_level"], "FORBIDDEN");
        assert_eq!(v["risk_level_desc"], "禁入");
        assert_eq!(v["mch_id"], TEST_MCHID);
        // Unknown levels are kept verbatim.
        let v = ok_json(
            parse("querymchrisk", &[]).write_stdin(risk_reply(RiskScript::level("HIGH", ""))),
        );
        assert_eq!(v["risk_level"], "HIGH");
        let v = ok_json(
            parse("querymchrisk", &[]).write_stdin(risk_reply(RiskScript::Fail {
                return_msg: "参数错误".into(),
            })),
        );
        assert_eq!(v["outcome"], "business_fail");
        assert_eq!(v["err_code"], Value::Null);
        assert!(v["disposition"].is_string(), "{v}");
        assert_eq!(v["retryable"], false);
        let v = ok_json(
            parse("querymchrisk", &[]).write_stdin("<xml><return_code>FAIL</return_code></xml>"),
        );
        assert_eq!(v["outcome"], "return_fail");
        assert_eq!(v["return_msg"], Value::Null);
        assert!(v["disposition"].is_string(), "{v}");
        assert!(v["retryable"].is_boolean(), "{v}");
    }

    #[test]
    fn querymchrisk_failures() {
        all_fail(
            1,
            [
                (
                    "another mch_id",
                    parse("querymchrisk", &["--mch-id", "1900000999"])
                        .write_stdin(risk_reply(RiskScript::default())),
                    "reply's mch_id differs from --mch-id",
                ),
                (
                    "no result_code",
                    parse("querymchrisk", &[])
                        .write_stdin("<xml><return_code>SUCCESS</return_code></xml>"),
                    "no result_code",
                ),
                (
                    "no risk_level",
                    parse("querymchrisk", &[]).write_stdin(
                        "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code><mch_id>1</mch_id></xml>",
                    ),
                    "no risk_level",
                ),
                (
                    "truncated XML",
                    parse("querymchrisk", &[]).write_stdin("<xml><a>"),
                    "not a valid reply",
                ),
            ],
        );
        let e = fails(
            "--openid",
            parse("querymchrisk", &["--openid", OPENID]).write_stdin(""),
            2,
        );
        assert!(e.contains("--openid does not apply"), "{e}");
    }

    // ------------------------------------------------------------ v3: customs-verify, pre-entrust

    /// (status, headers file, body) of a simulator reply, signed at [`NOW`].
    fn v3_reply(mode: SigningKeyMode, script: &Script, customs: bool) -> (u16, String, Vec<u8>) {
        let sim = Simulator::new().with_signing_mode(mode);
        let m = sim.merchant();
        let mut rng = rng(42);
        let req = if customs {
            VerifyCertificateRequest::new(
                "wxd678efh567hg6787",
                "20150806125346",
                "1000320306201511078440737890",
                Customs::ShanghaiZs,
                "123456",
                Personal::new(ID),
                Personal::new(NAME),
            )
            .build(&m, &mut rng, NOW)
            .unwrap()
        } else {
            PreEntrustSignRequest::mini_program(
                APPID,
                "100000",
                OPENID,
                Personal::new(NAME),
                Personal::new(ID),
            )
            .build(&m, &mut rng, NOW)
            .unwrap()
        };
        let resp = send(&sim, req, script);
        let mut headers = String::from("HTTP/1.1 200 OK\r\n");
        for (k, v) in resp.headers() {
            headers.push_str(&format!("{}: {}\r\n", k, v.to_str().unwrap()));
        }
        let file = scratch("headers.txt", headers);
        (resp.status().as_u16(), file, resp.into_body())
    }

    fn now() -> String {
        NOW.as_secs().to_string()
    }

    #[test]
    fn customs_verify_success_with_certificate_and_public_key() {
        let cert = data_path("test_platform_cert.pem");
        let (status, headers, body) =
            v3_reply(SigningKeyMode::Certificate, &Script::default(), true);
        assert_eq!(status, 200);
        let v = ok_json(
            parse("customs-verify", &["--headers-file", &headers])
                .args(["--certificate", &cert, "--now", &now()])
                .args(["--mch-id", TEST_MCHID, "--appid", "wxd678efh567hg6787"])
                .write_stdin(body),
        );
        assert_eq!(v["outcome"], "success");
        assert_eq!(v["authenticated"], true);
        assert_eq!(v["is_same"], true);
        assert_eq!(v["certificate_check_result"], "SAME");
        assert_eq!(v["out_trade_no"], "20150806125346");
        assert_eq!(v["sub_order_no"], Value::Null);

        let script = Script {
            customs: CustomsScript::Result("UNchECKED".into()),
            ..Script::default()
        };
        let (_, headers, body) = v3_reply(SigningKeyMode::PublicKey, &script, true);
        let v = ok_json(
            parse("customs-verify", &["--headers-file", &headers])
                .args(["--public-key", &data_path("test_platform_public_key.pem")])
                .args(["--now", &now()])
                .write_stdin(body),
        );
        assert_eq!(v["is_same"], false);
        assert_eq!(v["certificate_check_result"], "UNchECKED");
    }

    #[test]
    fn pre_entrust_success() {
        let (status, headers, body) =
            v3_reply(SigningKeyMode::PublicKey, &Script::default(), false);
        assert_eq!(status, 200);
        let v = ok_json(
            parse("pre-entrust", &["--headers-file", &headers])
                .args([
                    "--public-key",
                    &data_path("test_platform_public_key_pkcs1.pem"),
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
        let script = Script {
            customs: CustomsScript::Error(ScriptedError::new(429, "FREQUENCY_LIMITED", "频率超限")),
            pre_entrust: PreEntrustScript::Error(ScriptedError::new(
                403,
                "USER_ACCOUNT_ABNORMAL",
                "用户账户异常",
            )),
            ..Script::default()
        };
        let (status, _, body) = v3_reply(SigningKeyMode::Certificate, &script, true);
        assert_eq!(status, 429);
        let v = ok_json(parse("customs-verify", &["--status", "429"]).write_stdin(body));
        assert_eq!(v["outcome"], "error");
        assert_eq!(v["authenticated"], false);
        assert_eq!(v["status"], 429);
        assert_eq!(v["code"], "FREQUENCY_LIMITED");
        assert_disposition(&v, "transient", true);
        let (status, _, body) = v3_reply(SigningKeyMode::Certificate, &script, false);
        let v = ok_json(
            parse("pre-entrust", &["--status", &status.to_string()]).write_stdin(body.clone()),
        );
        assert_eq!(v["code"], "USER_ACCOUNT_ABNORMAL");
        // WeChat Pay's free-form text only on request (it may quote a submitted value).
        assert_eq!(v["message"], "<redacted>");
        assert_eq!(v["detail"], Value::Null);
        let v = ok_json(
            parse(
                "pre-entrust",
                &["--status", &status.to_string(), "--show-messages"],
            )
            .write_stdin(body),
        );
        assert_eq!(v["message"], "用户账户异常");
        // An error detail's value may be the caller's personal data.
        let detail = format!(
            r#"{{"code":"PARAM_ERROR","message":"m","detail":{{"field":"/cred_id","value":"{ID}","issue":"bad","location":"body"}}}}"#
        );
        let v = ok_json(parse("pre-entrust", &["--status", "400"]).write_stdin(detail));
        assert_eq!(v["detail"]["value"], "<redacted>");
        assert_eq!(v["detail"]["field"], "/cred_id");
        assert_eq!(v["retryable"], false);
        assert!(v["disposition"].is_string(), "{v}");
        // A 5xx whose body is not a v3 error object is not a valid reply.
        let e = fails(
            "a 502 from a gateway",
            parse("pre-entrust", &["--status", "502"]).write_stdin("<html>bad gateway</html>"),
            1,
        );
        assert!(e.contains("not a v3 error object"), "{e}");
    }

    #[test]
    fn v3_verification_is_never_skipped() {
        let cert = data_path("test_platform_cert.pem");
        let (_, headers, body) = v3_reply(SigningKeyMode::Certificate, &Script::default(), true);
        // Verification needs a key and the headers (exit 2 without them).
        for api in ["customs-verify", "pre-entrust"] {
            let e = fails(api, parse(api, &[]).write_stdin(&body), 2);
            assert!(e.contains("must have its signature verified"), "{e}");
            assert!(e.contains("--certificate or --public-key"), "{e}");
        }
        let customs = |args: &[&str]| parse("customs-verify", &["--certificate", &cert]).args(args);
        let checked =
            |args: &[&str]| customs(&["--headers-file", &headers, "--now", &now()]).args(args);
        let mut tampered = body.clone();
        tampered.insert(1, b' ');
        let bare = scratch("bare-headers.txt", "Content-Type: application/json\n");
        all_fail(
            1,
            [
                // Stale: the reply is checked against the system clock without --now.
                (
                    "the system clock",
                    customs(&["--headers-file", &headers]).write_stdin(&body),
                    "not a valid reply: signature: Wechatpay-Timestamp is",
                ),
                (
                    "a tampered body",
                    checked(&[]).write_stdin(&tampered),
                    "not a valid reply: signature",
                ),
                (
                    "another key",
                    parse("customs-verify", &["--headers-file", &headers])
                        .args(["--certificate", &data_path("test_platform2_cert.pem")])
                        .args(["--now", &now()])
                        .write_stdin(&body),
                    "signature",
                ),
                // Echo checks.
                (
                    "another appid",
                    checked(&["--appid", "wxOTHER"]).write_stdin(&body),
                    "reply's appid differs from --appid",
                ),
                // The pre-entrust parser refuses a customs body (no pre_entrustweb_id).
                (
                    "a customs body as pre-entrust",
                    parse("pre-entrust", &["--certificate", &cert])
                        .args(["--headers-file", &headers, "--now", &now()])
                        .write_stdin(&body),
                    "not the documented JSON object",
                ),
                // Headers without the signature.
                (
                    "headers without the signature",
                    customs(&["--headers-file", &bare, "--now", &now()]).write_stdin(&body),
                    "not a valid reply: signature: header wechatpay-timestamp is missing",
                ),
            ],
        );
        // Unusable key file; no headers; v2 flags.
        all_fail(
            2,
            [
                (
                    "a key but no headers",
                    customs(&[]).write_stdin(&body),
                    "give --headers-file",
                ),
                (
                    "a certificate file that is not PEM",
                    parse(
                        "customs-verify",
                        &["--certificate", &data_path("VECTORS.md")],
                    )
                    .args(["--headers-file", &headers])
                    .write_stdin(&body),
                    "VECTORS.md",
                ),
                (
                    "a v2 key",
                    parse("pre-entrust", &["--key", TEST_API_V2_KEY]).write_stdin(&body),
                    "--key/--key-file does not apply",
                ),
            ],
        );
    }
}

// ---------------------------------------------------------------- the trust boundary

mod trust_boundary {
    use super::*;
    use wechatpay_sansio::api::Operation;
    use wechatpay_sansio::api::customs::{Customs, VerifyCertificateRequest};
    use wechatpay_sansio::secret::Personal;
    use wechatpay_sansio::simulator::Script;
    use wechatpay_sansio::simulator::v2::RealNameAuthScript;
    use wechatpay_sansio::v2::SignType;

    #[test]
    fn parse_realnameauth_refuses_a_folded_reply() {
        let m = merchant();
        let for_a = realnameauth_req(OPENID_A, SignType::HmacSha256);
        let genuine = send_realnameauth(&for_a, &m, RealNameAuthScript::matched());
        let folded = fold(genuine.body(), "openid");
        let key = scratch("v2key", wechatpay_sansio::simulator::TEST_API_V2_KEY);
        let out = wxpay()
            .args(["parse", "realnameauth", "--key-file", &key])
            .args(["--sign-type", "HMAC-SHA256", "--openid", OPENID_B])
            .write_stdin(folded)
            .output();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("is_match"));
        one_error_line("folded reply", &out);
    }

    /// A signed reply, verified at a time outside the certificate's validity: exit 1.
    #[test]
    fn v3_verify_outside_certificate_validity_exits_1() {
        // The Go vector's certificate is valid 2021-04-27 .. 2031-04-25; its notification is
        // signed at 1624523846 (2021-06-24). Verified "now" in 2032 with a generous skew.
        let e = fails(
            "Go vector in 2032",
            wxpay()
                .args([
                    "v3-verify",
                    "--certificate",
                    &data_path("go_platform_cert.pem"),
                ])
                .args(["--headers-file", &data_path("go_notify_headers.txt")])
                .args(["--body-file", &data_path("go_notify_body.json")])
                .args(["--now", "1970000000", "--max-skew", "999999999"]),
            1,
        );
        assert!(e.contains("valid"), "{e}");
    }

    /// `--public-key` given a certificate PEM keeps the certificate's validity (issue 15 item
    /// 5): the Go vector verified in 2032 (expired) or in 2020 (not yet valid) exits 1 with a
    /// message naming the validity; inside it, the same invocation verifies.
    #[test]
    fn v3_verify_public_key_given_a_certificate_keeps_its_validity() {
        let run = |now: &str| {
            wxpay()
                .args([
                    "v3-verify",
                    "--public-key",
                    &data_path("go_platform_cert.pem"),
                ])
                .args(["--headers-file", &data_path("go_notify_headers.txt")])
                .args(["--body-file", &data_path("go_notify_body.json")])
                .args(["--now", now, "--max-skew", "999999999"])
        };
        for (case, now) in [("expired", "1970000000"), ("not yet valid", "1600000000")] {
            let e = fails(case, run(now), 1);
            assert!(e.contains("outside its validity"), "{case}: {e}");
            assert!(e.contains(&format!("at {now}")), "{case}: {e}");
        }
        run(GO_NOW).assert().success();
    }

    /// A customs request built 10 s before the TEST ONLY platform certificate expires
    /// (2099-12-31T00:00:00Z), answered by the simulator `answered` seconds after that expiry:
    /// (the reply's headers file, its body, the expiry).
    fn customs_reply_around_expiry(seed: u64, answered: i64) -> (String, Vec<u8>, u64) {
        let (sim, m) = (sim(), merchant());
        let mut rng = rng(seed);
        let req = VerifyCertificateRequest::new(
            "wxd678efh567hg6787",
            "20150806125346",
            "1000320306201511078440737890",
            Customs::ShanghaiZs,
            "123456",
            Personal::new("11010519491231002X"),
            Personal::new("张三"),
        );
        let not_after = platform_cert().not_after().as_secs();
        let built = req
            .build(&m, &mut rng, t(not_after - 10))
            .unwrap()
            .into_http();
        let at = not_after.saturating_add_signed(answered);
        let resp = sim.handle(&built, t(at), &mut rng, &Script::default());
        let headers = scratch("late-headers", super::header_lines(resp.headers()));
        (headers, resp.into_body(), not_after)
    }

    /// The same for `parse` with `--public-key` given a certificate.
    #[test]
    fn parse_customs_with_public_key_given_an_expired_certificate_exits_1() {
        let (headers, body, not_after) = customs_reply_around_expiry(7, -5);
        let run = |now: u64| {
            wxpay()
                .args(["parse", "customs-verify"])
                .args(["--public-key", &data_path("test_platform_cert.pem")])
                .args(["--headers-file", &headers, "--now", &now.to_string()])
                .write_stdin(body.clone())
        };
        // Inside the validity (and the skew) it parses; 10 s after the certificate expired
        // (still within the 300 s skew of the reply's timestamp) it must not.
        run(not_after).assert().success();
        let e = fails("certificate expired at receipt", run(not_after + 10), 1);
        assert!(e.contains("outside its validity"), "{e}");
    }

    #[test]
    fn parse_customs_with_a_certificate_outside_its_validity_exits_1() {
        // Answered and checked 10 s after the certificate expired.
        let (headers, body, not_after) = customs_reply_around_expiry(6, 10);
        let late = not_after + 10;
        let e = fails(
            "certificate expired at receipt",
            wxpay()
                .args(["parse", "customs-verify"])
                .args(["--certificate", &data_path("test_platform_cert.pem")])
                .args(["--headers-file", &headers, "--now", &late.to_string()])
                .write_stdin(body),
            1,
        );
        assert!(e.contains("not valid at"), "{e}");
    }

    #[test]
    fn v2_sign_errors_never_echo_input_values() {
        let key = scratch("v2key2", V2_KEY);
        for input in [
            r#"{"cred_id": 110105194912310021}"#,
            r#""张三的身份证号""#,
            r#"["110105194912310021"]"#,
            r#"{"cred_id": ["110105194912310021"]}"#,
            r#"{"cred_id": "1101051949123100"#,
        ] {
            let err = fails(
                input,
                wxpay()
                    .args(["v2-sign", "--sign-type", "MD5", "--key-file", &key])
                    .write_stdin(input),
                2,
            );
            assert!(!err.contains("11010519"), "{input}: {err}");
            assert!(!err.contains("张三"), "{input}: {err}");
        }
    }

    #[test]
    fn v3_verify_garbled_signature_headers_exit_1() {
        for (ts, sig) in [
            ("1624523846", "not base64!!"),
            ("16245x3846", "AAAA"),
            ("-1", "AAAA"),
        ] {
            fails(
                &format!("{ts} {sig}"),
                wxpay()
                    .args([
                        "v3-verify",
                        "--certificate",
                        &data_path("go_platform_cert.pem"),
                    ])
                    .args(["--body-file", &data_path("go_notify_body.json")])
                    .arg(format!("--timestamp={ts}"))
                    .args(["--nonce", "EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz"])
                    .args(["--signature", sig, "--now", "1624523846"]),
                1,
            );
        }
    }
}

// ---------------------------------------------------------------- personal data in diagnostics

/// `--explain` masks personal fields (names, ID numbers, openids, phone and bank card numbers,
/// tokens and OAuth codes) in the canonical string it prints, and `parse` prints WeChat Pay's
/// free-form error texts (`message`, `detail.issue`) redacted unless `--show-messages`
/// (issue 15 item 5).
mod privacy {
    use super::*;

    const NAME: &str = "张三丰";
    const ID: &str = "11010519491231002X";
    const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
    const PHONE: &str = "13812345678";
    const CARD: &str = "6222020200112233445";
    const TOKEN: &str = "81_ThisIsATestOnlyAccessToken";

    #[track_caller]
    fn clean(what: &str, text: &str) {
        for p in [NAME, ID, OPENID, PHONE, CARD, TOKEN, "11010519"] {
            assert!(!text.contains(p), "{what}: {p} leaked: {text}");
        }
    }

    fn personal_fields() -> String {
        format!(
            r#"{{"appid":"wx2421b1c4370ec43b","mch_id":"10000100","nonce_str":"ibuaiVcKdpRxkhJA","openid":"{OPENID}","real_name":"{NAME}","cred_type":"1","cred_id":"{ID}","access_token":"{TOKEN}","mobile":"{PHONE}","bank_card_no":"{CARD}","version":"1.0"}}"#
        )
    }

    #[test]
    fn v2_sign_explain_masks_personal_fields_and_signs_the_real_values() {
        let key = scratch("v2key", V2_KEY);
        let fields = personal_fields();
        let out = wxpay()
            .args([
                "v2-sign",
                "--sign-type",
                "MD5",
                "--key-file",
                &key,
                "--explain",
            ])
            .write_stdin(&fields)
            .output();
        assert!(out.status.success(), "{out:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        clean("v2-sign --explain", &err);
        // The structure stays readable: names, order, the other values, a length per value.
        assert!(
            err.contains("access_token=<redacted 29 chars>&appid=wx2421b1c4370ec43b"),
            "{err}"
        );
        assert!(
            err.contains(
                "&openid=<redacted 28 chars>&real_name=<redacted 3 chars>&version=1.0&key=***"
            ),
            "{err}"
        );
        // The sign is over the real values.
        let pairs: Vec<(String, String)> = serde_json::from_str::<serde_json::Map<_, _>>(&fields)
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k, v.as_str().unwrap().to_owned()))
            .collect();
        let expect = wechatpay_sansio::v2::sign::sign(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            &wechatpay_sansio::secret::ApiV2Key::new(V2_KEY).unwrap(),
            wechatpay_sansio::v2::SignType::Md5,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            format!("{}\n", expect.as_str())
        );
    }

    #[test]
    fn v2_verify_explain_masks_personal_fields() {
        let key = scratch("v2key", V2_KEY);
        let v2 = wechatpay_sansio::secret::ApiV2Key::new(V2_KEY).unwrap();
        let pairs = [
            ("appid", "wx2421b1c4370ec43b"),
            ("openid", OPENID),
            ("return_code", "SUCCESS"),
            ("true_name", NAME),
        ];
        let sign =
            wechatpay_sansio::v2::sign::sign(pairs, &v2, wechatpay_sansio::v2::SignType::Md5)
                .unwrap();
        let xml =
            wechatpay_sansio::v2::xml::to_xml(pairs.into_iter().chain([("sign", sign.as_str())]))
                .unwrap();
        let out = wxpay()
            .args(["v2-verify", "--key-file", &key, "--explain"])
            .write_stdin(xml)
            .output();
        assert!(out.status.success(), "{out:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        clean("v2-verify --explain", &err);
        assert!(
            err.contains("openid=<redacted 28 chars>&return_code=SUCCESS"),
            "{err}"
        );
    }

    #[test]
    fn v3_authorization_explain_masks_personal_fields_of_body_and_query() {
        let body = scratch(
            "body.json",
            format!(
                r#"{{"appid":"wxd678efh567hg6787","openid":"{OPENID}","payer": {{"phone" : "{PHONE}", "name":"{NAME}"}},"note":"openid","real_name":"ENCRYPTED=="}}"#
            ),
        );
        let out = wxpay()
            .args(["v3-authorization", "--mchid", "1900009191"])
            .args(["--serial", "5F1C72E2A8931B72A2E13AF8DEE92471EB397115"])
            .args(["--private-key", &data_path("java_merchant_private_key.pem")])
            .args(["--method", "POST"])
            .args(["--url", &format!("/v3/x?openid={OPENID}&limit=10")])
            .args(["--timestamp", "1624523846", "--nonce", "A1B2C3D4E5F6G7"])
            .args(["--body-file", &body, "--explain"])
            .output();
        assert!(out.status.success(), "{out:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        clean("v3-authorization --explain", &err);
        assert!(
            err.contains("/v3/x?openid=<redacted 28 chars>&limit=10"),
            "{err}"
        );
        assert!(
            err.contains(r#"\"openid\":\"<redacted 28 chars>\""#),
            "{err}"
        );
        assert!(
            err.contains(r#"\"phone\" : \"<redacted 11 chars>\""#),
            "{err}"
        );
        // A value that merely reads "openid" is not a field; a ciphertext is not personal text
        // but sits in a personal field: masked too.
        assert!(err.contains(r#"\"note\":\"openid\""#), "{err}");
        assert!(
            err.contains(r#"\"real_name\":\"<redacted 11 chars>\""#),
            "{err}"
        );
        // The byte count is of the real message.
        assert!(err.starts_with("canonical string ("), "{err}");
    }

    #[test]
    fn parse_redacts_v3_error_texts_unless_asked() {
        let body = format!(
            r#"{{"code":"PARAM_ERROR","message":"姓名{NAME}与证件号{ID}不匹配","detail":{{"field":"/cred_id","value":"{ID}","issue":"证件号{ID}格式错误","location":"body"}}}}"#
        );
        let out = wxpay()
            .args(["parse", "pre-entrust", "--status", "400"])
            .write_stdin(&body)
            .output();
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        clean("parse", &text);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["code"], "PARAM_ERROR");
        assert_eq!(v["message"], "<redacted>");
        assert_eq!(v["detail"]["issue"], "<redacted>");
        assert_eq!(v["detail"]["field"], "/cred_id");
        assert_eq!(v["detail"]["location"], "body");
        assert_eq!(v["detail"]["value"], "<redacted>");
        // On request, the texts as received (the value stays redacted).
        let v: serde_json::Value = serde_json::from_slice(
            &wxpay()
                .args(["parse", "pre-entrust", "--status", "400", "--show-messages"])
                .write_stdin(&body)
                .assert()
                .success()
                .0
                .stdout,
        )
        .unwrap();
        assert_eq!(v["message"], format!("姓名{NAME}与证件号{ID}不匹配"));
        assert_eq!(v["detail"]["issue"], format!("证件号{ID}格式错误"));
        assert_eq!(v["detail"]["value"], "<redacted>");
        // The v2 APIs have no such texts to show: the flag is refused there.
        let e = fails(
            "--show-messages on a v2 API",
            wxpay().args(["parse", "nameauth", "--show-messages"]),
            2,
        );
        assert!(e.contains("--show-messages does not apply"), "{e}");
    }
}

/// `wxpay parse pay-notify` and `wxpay parse notify` (issue 15, item 3); `wxpay parse
/// refund-notify` (issue 17).
mod notifications {
    use super::{fails, scratch, wxpay};
    use crate::common::{NOW, data_path, rng};
    use serde_json::Value;
    use wechatpay_sansio::simulator::v2_refund_notify::RefundNotificationFields;
    use wechatpay_sansio::simulator::{Simulator, TEST_API_V2_KEY, TEST_API_V3_KEY, TEST_MCHID};
    use wechatpay_sansio::v2::{SignType, sign, xml};

    const OPENID: &str = "oUpF8uMEb4qRXf22hE3X68TekukE";

    fn paid(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut v = vec![
            ("return_code", "SUCCESS"),
            ("result_code", "SUCCESS"),
            ("appid", "wx2421b1c4370ec43b"),
            ("mch_id", TEST_MCHID),
            ("openid", OPENID),
            ("out_trade_no", "1409811653"),
            ("transaction_id", "1004400740201409030005092168"),
            ("trade_type", "JSAPI"),
            ("time_end", "20140903131540"),
            ("total_fee", "101"),
            ("cash_fee", "100"),
            ("bank_type", "CMB_CREDIT"),
        ];
        v.extend_from_slice(extra);
        v
    }

    fn signed(pairs: &[(&str, &str)], t: SignType) -> String {
        let key = wechatpay_sansio::secret::ApiV2Key::new(TEST_API_V2_KEY).unwrap();
        let s = sign::sign(pairs.iter().copied(), &key, t).unwrap();
        let mut v = pairs.to_vec();
        v.push(("sign", s.as_str()));
        xml::to_xml(v).unwrap()
    }

    fn key_file() -> String {
        scratch("v2.key", format!("{TEST_API_V2_KEY}\n"))
    }

    #[track_caller]
    fn ok_json(cmd: super::Cmd) -> Value {
        let out = cmd.output();
        assert!(out.status.success(), "{out:?}");
        for stream in [&out.stdout, &out.stderr] {
            assert!(
                !String::from_utf8_lossy(stream).contains(OPENID),
                "openid leaked"
            );
        }
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn pay_notify(args: &[&str]) -> super::Cmd {
        wxpay().args(["parse", "pay-notify"]).args(args)
    }

    #[test]
    fn pay_notify_outcomes() {
        let key = key_file();
        // As WeChat Pay sends it for an HMAC-SHA256 order: no sign_type.
        let body = signed(&paid(&[("attach", "a=1&b=2")]), SignType::HmacSha256);
        for args in [
            &["--key-file", &key][..],
            &["--key-file", &key, "--sign-type", "HMAC-SHA256"],
        ] {
            let v = ok_json(pay_notify(args).write_stdin(body.as_str()));
            assert_eq!(v["api"], "pay-notify");
            assert_eq!(v["outcome"], "success");
            assert_eq!(v["authenticated"], true);
            assert_eq!(v["sign_type"], "HMAC-SHA256");
            assert_eq!(v["transaction_id"], "1004400740201409030005092168");
            assert_eq!(v["total_fee"], 101);
            assert_eq!(v["cash_fee"], 100);
            assert_eq!(v["openid"], "<redacted>");
            assert_eq!(v["attach"], "a=1&b=2");
        }
        // A verified payment failure: an outcome.
        let fail = signed(
            &[
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("err_code", "SYSTEMERROR"),
                ("err_code_des", "系统错误"),
            ],
            SignType::Md5,
        );
        let v = ok_json(pay_notify(&["--key-file", &key]).write_stdin(fail.as_str()));
        assert_eq!(v["outcome"], "business_fail");
        assert_eq!(v["authenticated"], true);
        assert_eq!(v["err_code"], "SYSTEMERROR");
        // An unsigned return FAIL: an outcome, not authenticated.
        let v =
            ok_json(pay_notify(&["--key-file", &key]).write_stdin(
                "<xml><return_code>FAIL</return_code><return_msg>x</return_msg></xml>",
            ));
        assert_eq!(v["outcome"], "return_fail");
        assert_eq!(v["authenticated"], false);
    }

    #[test]
    fn pay_notify_invalid_exits_1_and_unusable_exits_2() {
        let key = key_file();
        let hmac = signed(&paid(&[]), SignType::HmacSha256);
        let md5_named = signed(&paid(&[("sign_type", "MD5")]), SignType::Md5);
        let mut folded = paid(&[]);
        folded.retain(|(k, _)| *k != "cash_fee" && *k != "bank_type");
        folded.push(("bank_type", "CMB_CREDIT&cash_fee=100"));
        let folded = signed(&folded, SignType::Md5);
        let unsigned_fail =
            "<xml><return_code>SUCCESS</return_code><result_code>FAIL</result_code></xml>";
        for (case, args, body, needle) in [
            (
                "HMAC read as MD5",
                &["--sign-type", "MD5"][..],
                hmac.as_str(),
                "32 hex",
            ),
            (
                "MD5 where HMAC is configured",
                &["--sign-type", "HMAC-SHA256"],
                md5_named.as_str(),
                "sign_type",
            ),
            ("a hidden cash_fee", &[], folded.as_str(), "folded"),
            ("an unsigned business FAIL", &[], unsigned_fail, "sign"),
            (
                "a tampered amount",
                &[],
                &hmac.replace(">101<", ">1<"),
                "sign",
            ),
        ] {
            let e = fails(
                case,
                pay_notify(&["--key-file", &key])
                    .args(args)
                    .write_stdin(body),
                1,
            );
            assert!(
                e.contains("not a valid notification") && e.contains(needle),
                "{case}: {e}"
            );
            assert!(!e.contains(OPENID), "{case}: {e}");
        }
        // No key at all, or a flag that does not apply.
        fails("no key", pay_notify(&[]).write_stdin(hmac.as_str()), 2);
        fails(
            "--now does not apply",
            pay_notify(&["--key-file", &key, "--now", "1"]).write_stdin(hmac.as_str()),
            2,
        );
    }

    fn refund_notify(args: &[&str]) -> super::Cmd {
        wxpay().args(["parse", "refund-notify"]).args(args)
    }

    /// The wechatpy fixture (tests/data/VECTORS.md): its key, appid, mch_id and the account its
    /// req_info holds.
    const WECHATPY_KEY: &str = "OF4Ne3znh8KqL0V4NqmALQa0uXMYKcEk";
    const WECHATPY_ACCOUNT: &str = "招商银行信用卡8915";

    #[test]
    fn refund_notify_decrypts_and_redacts() {
        let body = std::fs::read(data_path("wechatpy_refund_notify.xml")).unwrap();
        let key = scratch("wechatpy.key", format!("{WECHATPY_KEY}\n"));
        for args in [
            &["--key-file", &key][..],
            &[
                "--key-file",
                &key,
                "--appid",
                "wx4f4bc4dec97d474b",
                "--mch-id",
                "12345678",
            ],
        ] {
            let out = refund_notify(args).write_stdin(body.clone()).output();
            assert!(out.status.success(), "{out:?}");
            for stream in [&out.stdout, &out.stderr] {
                assert!(
                    !String::from_utf8_lossy(stream).contains(WECHATPY_ACCOUNT),
                    "account leaked"
                );
            }
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(v["api"], "refund-notify");
            assert_eq!(v["outcome"], "success");
            // Decrypted, not authenticated: there is no signature.
            assert_eq!(v["authenticated"], false);
            assert!(
                v["note"].as_str().unwrap().contains("query the refund"),
                "{v}"
            );
            assert_eq!(v["out_refund_no"], "1234");
            assert_eq!(v["refund_id"], "50300103182020010413419046597");
            assert_eq!(v["transaction_id"], "4200000483202001042069747825");
            assert_eq!(v["out_trade_no"], "2020010418301551404339261814");
            assert_eq!(v["refund_status"], "SUCCESS");
            assert_eq!(
                (v["total_fee"].as_u64(), v["refund_fee"].as_u64()),
                (Some(1), Some(1))
            );
            assert_eq!(v["success_time"], "2020-01-04 18:34:24");
            assert_eq!(v["refund_recv_accout"], "<redacted>");
            assert_eq!(v["refund_account"], "REFUND_SOURCE_RECHARGE_FUNDS");
        }
        // The simulator's notification, with its key.
        let sim = Simulator::new();
        let f = RefundNotificationFields::success("R-CLI", 42);
        let req = sim.v2_refund_notification(&f, &mut rng(8));
        let v = ok_json(
            refund_notify(&["--key-file", &key_file(), "--mch-id", TEST_MCHID])
                .write_stdin(req.body().clone()),
        );
        assert_eq!(
            (v["out_refund_no"].as_str(), v["refund_fee"].as_u64()),
            (Some("R-CLI"), Some(42))
        );
        // A FAIL notice: an outcome, not authenticated.
        let v =
            ok_json(refund_notify(&["--key-file", &key_file()]).write_stdin(
                "<xml><return_code>FAIL</return_code><return_msg>x</return_msg></xml>",
            ));
        assert_eq!(
            (v["outcome"].as_str(), v["authenticated"].as_bool()),
            (Some("return_fail"), Some(false))
        );
    }

    #[test]
    fn refund_notify_invalid_exits_1_and_unusable_exits_2() {
        let body = std::fs::read_to_string(data_path("wechatpy_refund_notify.xml")).unwrap();
        let key = scratch("wechatpy.key", format!("{WECHATPY_KEY}\n"));
        let other = key_file();
        let no_req_info =
            "<xml><return_code>SUCCESS</return_code><appid>a</appid><mch_id>1</mch_id></xml>";
        for (case, args, body, needle) in [
            (
                "another key",
                &["--key-file", &other][..],
                body.as_str(),
                "check the APIv2 key",
            ),
            (
                "another mch_id",
                &["--key-file", &key, "--mch-id", "1900000109"],
                body.as_str(),
                "mch_id differs",
            ),
            (
                "another appid",
                &["--key-file", &key, "--appid", "wxOTHER"],
                body.as_str(),
                "appid differs",
            ),
            (
                "not base64",
                &["--key-file", &key],
                &body.replace("51A27s9L", "!!!!"),
                "base64",
            ),
            (
                "a cut req_info",
                &["--key-file", &key],
                &body.replace("51A27s9L", ""),
                "16-byte blocks",
            ),
            (
                "no req_info",
                &["--key-file", &key],
                no_req_info,
                "no req_info",
            ),
        ] {
            let e = fails(case, refund_notify(args).write_stdin(body), 1);
            assert!(
                e.contains("not a valid notification") && e.contains(needle),
                "{case}: {e}"
            );
            assert!(
                !e.contains(WECHATPY_ACCOUNT) && !e.contains("12345678"),
                "{case}: {e}"
            );
        }
        // Decrypts, but not to the documented document (the simulator's key, a missing field).
        let sim = Simulator::new();
        let mut f = RefundNotificationFields::success("R", 1);
        f.refund_status = String::new();
        let req = sim.v2_refund_notification(&f, &mut rng(9));
        let e = fails(
            "no refund_status",
            refund_notify(&["--key-file", &other]).write_stdin(req.body().clone()),
            1,
        );
        assert!(e.contains("refund_status"), "{e}");
        // Unusable: no key, an unreadable key file, a flag that does not apply.
        fails("no key", refund_notify(&[]).write_stdin(body.as_str()), 2);
        fails(
            "unreadable key file",
            refund_notify(&["--key-file", "/nonexistent/apiv2.key"]).write_stdin(body.as_str()),
            2,
        );
        fails(
            "--sign-type does not apply",
            refund_notify(&["--key-file", &key, "--sign-type", "MD5"]).write_stdin(body.as_str()),
            2,
        );
        // And the payment parser names it.
        let e = fails(
            "sent to pay-notify",
            pay_notify(&["--key-file", &key]).write_stdin(body.as_str()),
            1,
        );
        assert!(
            e.contains("refund notification") && e.contains("refund_notify"),
            "{e}"
        );
    }

    #[test]
    fn v3_notify_verifies_decrypts_and_redacts() {
        let sim = Simulator::new();
        let payload = br#"{"mchid":"1900000109","appid":"wxd678efh567hg6787","out_trade_no":"1217752501201407033233368018","transaction_id":"1217752501201407033233368018","trade_state":"SUCCESS","payer":{"openid":"oUpF8uMEb4qRXf22hE3X68TekukE"},"amount":{"total":100,"payer_total":100,"currency":"CNY"}}"#;
        let req = sim.notification("TRANSACTION.SUCCESS", payload, NOW, &mut rng(5));
        let headers = super::header_lines(req.headers());
        let headers = scratch("headers.txt", headers);
        let v3_key = scratch("apiv3.key", format!("{TEST_API_V3_KEY}\n"));
        let cert = data_path("test_platform_cert.pem");
        let now = NOW.as_secs().to_string();
        let run = |key_file: &str| {
            wxpay()
                .args([
                    "parse",
                    "notify",
                    "--headers-file",
                    &headers,
                    "--certificate",
                    &cert,
                ])
                .args(["--apiv3-key-file", key_file, "--now", &now])
        };
        let v = ok_json(run(&v3_key).write_stdin(req.body().clone()));
        assert_eq!(v["api"], "notify");
        assert_eq!(v["outcome"], "success");
        assert_eq!(v["authenticated"], true);
        assert_eq!(v["event_type"], "TRANSACTION.SUCCESS");
        assert!(v["id"].as_str().is_some_and(|id| !id.is_empty()), "{v}");
        assert_eq!(v["plaintext"]["trade_state"], "SUCCESS");
        assert_eq!(v["plaintext"]["amount"]["total"], 100);
        assert_eq!(v["plaintext"]["payer"]["openid"], "<redacted>");
        // A tampered body, the wrong APIv3 key, an old clock: exit 1.
        let mut tampered = req.body().clone();
        let i = tampered.iter().position(|b| *b == b'S').unwrap();
        tampered[i] = b'X';
        fails("tampered", run(&v3_key).write_stdin(tampered), 1);
        let wrong = scratch("wrong.key", "TESTONLYwrongApiV3Key00000000001\n");
        let e = fails(
            "wrong APIv3 key",
            run(&wrong).write_stdin(req.body().clone()),
            1,
        );
        assert!(e.contains("not a valid notification"), "{e}");
        let stale = wxpay()
            .args([
                "parse",
                "notify",
                "--headers-file",
                &headers,
                "--certificate",
                &cert,
            ])
            .args(["--apiv3-key-file", &v3_key, "--now", "1900000000"])
            .write_stdin(req.body().clone());
        fails("stale", stale, 1);
        // Verification is never skipped.
        let e = fails(
            "no certificate",
            wxpay()
                .args(["parse", "notify", "--headers-file", &headers])
                .args(["--apiv3-key-file", &v3_key])
                .write_stdin(req.body().clone()),
            2,
        );
        assert!(e.contains("signature verified"), "{e}");
    }
}

// ---------------------------------------------------------------- bill-verify

/// A bill, its SHA1 (computed here with `sha1`, independently of the library) and its GZIP.
fn bill_fixture() -> (Vec<u8>, String, Vec<u8>) {
    use sha1::Digest as _;
    let mut bill = String::from("交易时间,商户订单号,订单金额\r\n");
    for i in 0..5000 {
        bill.push_str(&format!("`2026-01-01 10:00:00,`T{i},`0.01\r\n"));
    }
    bill.push_str("总交易单数,订单总金额\r\n`5000,`50.00\r\n");
    let hex: String = sha1::Sha1::digest(bill.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bill.as_bytes()).unwrap();
    (bill.into_bytes(), hex, gz.finish().unwrap())
}

fn bill_verify(hex: &str, gzip: bool, input: &[u8]) -> Cmd {
    let mut cmd = wxpay().args(["bill-verify", "--hash-type", "SHA1", "--hash-value", hex]);
    if gzip {
        cmd = cmd.arg("--gzip");
    }
    cmd.write_stdin(input)
}

#[test]
fn bill_verify_matches_plain_and_gzip() {
    let (bill, hex, gz) = bill_fixture();
    assert!(bill.len() > 64 * 1024, "more than one chunk");
    bill_verify(&hex, false, &bill)
        .assert()
        .success()
        .stdout("match (SHA1 of the original bill)\n");
    bill_verify(&hex.to_uppercase(), true, &gz)
        .assert()
        .success()
        .stdout("match (SHA1 of the original bill, inflated)\n");
}

#[test]
fn bill_verify_refuses_altered_and_corrupt_downloads() {
    let (bill, hex, gz) = bill_fixture();
    let mut flipped = bill.clone();
    flipped[100] ^= 1;
    let mut gz_flipped = gz.clone();
    let mid = gz_flipped.len() / 2;
    gz_flipped[mid] ^= 0x10;
    all_fail(
        1,
        [
            (
                "flipped",
                bill_verify(&hex, false, &flipped),
                "differs from hash_value",
            ),
            (
                "truncated",
                bill_verify(&hex, false, &bill[..bill.len() - 1]),
                "do not import",
            ),
            (
                "gzip truncated",
                bill_verify(&hex, true, &gz[..gz.len() - 4]),
                "GZIP",
            ),
            (
                "gzip flipped",
                bill_verify(&hex, true, &gz_flipped),
                "do not import",
            ),
            ("not gzip", bill_verify(&hex, true, &bill), "GZIP"),
            ("gzip as plain", bill_verify(&hex, false, &gz), "differs"),
            ("empty", bill_verify(&hex, false, b""), "differs"),
        ],
    );
}

#[test]
fn bill_verify_unusable_flags_exit_2() {
    let (bill, hex, _) = bill_fixture();
    all_fail(
        2,
        [
            (
                "short hex",
                bill_verify("79bb0f45", false, &bill),
                "40 hexadecimal",
            ),
            (
                "not hex",
                bill_verify(&"zz".repeat(20), false, &bill),
                "40 hexadecimal",
            ),
            (
                "other hash",
                wxpay()
                    .args(["bill-verify", "--hash-type", "SM3", "--hash-value", &hex])
                    .write_stdin(&bill),
                "not supported",
            ),
            (
                "no hash value",
                wxpay().args(["bill-verify", "--hash-type", "SHA1"]),
                "--hash-value",
            ),
        ],
    );
}
