//! Replays every committed fuzz corpus file (fuzz/corpus/<target>/*) through the same harness
//! functions the fuzz targets call, so CI guards the corpus without a fuzzer, and checks that the
//! simulator-made seeds (`seed-gen-*`) are what the simulator makes today. Regenerate them with
//! `WRITE_SEEDS=1 cargo test --all-features --test it fuzz_corpus::generated_seeds_are_current`.

use std::path::{Path, PathBuf};
use wechatpay_sansio::fuzzing::{self, TARGETS, encode_http, merchant};
use wechatpay_sansio::http::{HeaderMap, StatusCode};
use wechatpay_sansio::ids::Nonce;
use wechatpay_sansio::simulator::v2_refund_notify::RefundNotificationFields;
use wechatpay_sansio::simulator::{self, SigningKeyMode, Simulator};
use wechatpay_sansio::v2::SignType;
use wechatpay_sansio::v3::request::JsonRequest;
use wechatpay_sansio::v3::resource::EncryptedResource;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

#[test]
fn every_target_has_a_harness_a_bin_and_seeds() {
    let cargo = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for entry in std::fs::read_dir(fuzz_dir().join("fuzz_targets")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        assert!(fuzzing::harness(&name).is_some(), "no harness for {name}");
        let src = std::fs::read_to_string(&path).unwrap();
        assert!(
            src.contains(&format!("fuzzing::{name}(")),
            "{name}.rs calls another harness"
        );
        // Each target is one whole `[[bin]]` block: its name, then its own path, then the rest.
        let block = format!(
            "[[bin]]\nname = \"{name}\"\npath = \"fuzz_targets/{name}.rs\"\ntest = false\n"
        );
        assert!(
            cargo.contains(&block),
            "{name}: no well-formed [[bin]] block in fuzz/Cargo.toml"
        );
    }
    assert_eq!(
        cargo.matches("[[bin]]").count(),
        TARGETS.len(),
        "fuzz/Cargo.toml has a [[bin]] block per target, no more"
    );
    for (name, _) in TARGETS {
        assert!(
            fuzz_dir()
                .join("fuzz_targets")
                .join(format!("{name}.rs"))
                .exists(),
            "no fuzz target file for harness {name}"
        );
        let seeds = std::fs::read_dir(fuzz_dir().join("corpus").join(name))
            .map(|d| d.count())
            .unwrap_or(0);
        assert!(seeds > 0, "no corpus seeds for {name}");
    }
    assert!(fuzzing::harness("no_such_target").is_none());
}

#[test]
fn replay_committed_corpus() {
    let mut n = 0;
    for entry in std::fs::read_dir(fuzz_dir().join("corpus")).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
        let h =
            fuzzing::harness(&name).unwrap_or_else(|| panic!("corpus dir {name} has no harness"));
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            let data = std::fs::read(&file).unwrap();
            h(&data);
            n += 1;
        }
    }
    assert!(n >= 50, "only {n} corpus files");
}

/// Regression inputs found by fuzzing (fuzz/regressions/<target>/*).
#[test]
fn replay_regressions() {
    let Ok(dirs) = std::fs::read_dir(fuzz_dir().join("regressions")) else {
        return;
    };
    for entry in dirs {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
        let h = fuzzing::harness(&name).unwrap();
        for file in std::fs::read_dir(&dir).unwrap() {
            h(&std::fs::read(file.unwrap().path()).unwrap());
        }
    }
}

#[test]
fn generated_seeds_pass_their_harness() {
    for (target, _, data) in seeds() {
        fuzzing::harness(target).unwrap()(&data);
    }
}

#[test]
fn framing_round_trip() {
    let mut h = HeaderMap::new();
    h.insert("wechatpay-nonce", "abc".parse().unwrap());
    h.append("x-dup", "1".parse().unwrap());
    h.append("x-dup", "2".parse().unwrap());
    let f = encode_http(404, crate::common::t(42), &h, b"body\n\nmore");
    let d = fuzzing::decode_http(&f);
    assert_eq!(d.status, StatusCode::NOT_FOUND);
    assert_eq!(d.now, crate::common::t(42));
    assert_eq!(d.headers, h);
    assert_eq!(d.body, b"body\n\nmore");
    // No framing: all body, defaults.
    let d = fuzzing::decode_http(b"{}");
    assert_eq!(
        (d.status, d.now, d.body),
        (StatusCode::OK, fuzzing::DEFAULT_NOW, &b"{}"[..])
    );
    // Clock taken from the timestamp header when the status line has none.
    let d = fuzzing::decode_http(b"Wechatpay-Timestamp: 77\nbad header line\n\nx");
    assert_eq!((d.now, d.headers.len()), (crate::common::t(77), 1));
}

/// The committed `seed-gen-*` files are exactly what [`seeds`] makes (so a change of the
/// simulator or the wire format cannot leave the fuzzers starting from stale inputs); with
/// `WRITE_SEEDS=1` they are rewritten instead.
#[test]
fn generated_seeds_are_current() {
    let write = std::env::var_os("WRITE_SEEDS").is_some();
    let mut stale = Vec::new();
    for (target, name, data) in seeds() {
        let dir = fuzz_dir().join("corpus").join(target);
        let path = dir.join(format!("seed-gen-{name}"));
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &data).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(&data[..]) {
            stale.push(format!("{target}/seed-gen-{name}"));
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated seeds (regenerate with WRITE_SEEDS=1): {stale:?}"
    );
}

fn pairs(p: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (k, v)) in p.iter().enumerate() {
        if i > 0 {
            out.push(0);
        }
        out.extend_from_slice(k.as_bytes());
        out.push(0);
        out.extend_from_slice(v.as_bytes());
    }
    out
}

/// Seeds made with the simulator and the TEST ONLY keys (deterministic RNG).
fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut out: Vec<(&'static str, String, Vec<u8>)> = Vec::new();
    let sim = Simulator::new();
    let m = merchant();
    // A fresh RNG for every signed value: the RustCrypto backend draws RSA blinding from it and
    // aws-lc-rs does not, so one shared RNG would make later nonces depend on the backend.
    let rng = crate::common::rng;
    let now = crate::common::t(1_700_000_000);

    // v2 replies, signed both ways, plus FAIL replies.
    let realname = [
        ("result_code", "SUCCESS"),
        ("mch_id", simulator::TEST_MCHID),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
        ("verify_openid", "V_OP_NA"),
        ("verify_real_name", "V_NAME_NA"),
        ("bind_bankcard", "N"),
    ];
    let risk = [
        ("result_code", "SUCCESS"),
        ("mch_id", simulator::TEST_MCHID),
        ("nonce_str", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"),
        ("risk_level", "LOW"),
        ("err_code_des", "<&>\"'"),
    ];
    for (label, f) in [("realname", &realname[..]), ("risk", &risk[..])] {
        for (t, tn) in [
            (Some(SignType::Md5), "md5"),
            (Some(SignType::HmacSha256), "hmac"),
            (None, "unsigned"),
        ] {
            let body = sim.v2_reply(f, t).into_body();
            out.push(("v2_xml_parse", format!("{label}-{tn}.xml"), body.clone()));
            out.push(("v2_reply", format!("{label}-{tn}.xml"), body));
        }
        out.push(("v2_sign_roundtrip", format!("{label}.pairs"), pairs(f)));
        out.push(("v2_xml_roundtrip", format!("{label}.pairs"), pairs(f)));
    }
    // v2 pay notifications: MD5 with sign_type, HMAC without it (as WeChat Pay sends them), an
    // attach holding a query string, and a re-split that hides cash_fee.
    let key = wechatpay_sansio::secret::ApiV2Key::new(simulator::TEST_API_V2_KEY).unwrap();
    let paid = [
        ("return_code", "SUCCESS"),
        ("result_code", "SUCCESS"),
        ("appid", "wx2421b1c4370ec43b"),
        ("mch_id", simulator::TEST_MCHID),
        ("openid", "oUpF8uMEb4qRXf22hE3X68TekukE"),
        ("out_trade_no", "1409811653"),
        ("transaction_id", "1004400740201409030005092168"),
        ("trade_type", "JSAPI"),
        ("time_end", "20140903131540"),
        ("total_fee", "1"),
        ("bank_type", "CFT"),
        ("cash_fee", "1"),
        ("attach", "a=1&b=2"),
    ];
    let notification = |fields: &[(&str, &str)], t: SignType, name_it: bool| {
        let mut v: Vec<(&str, &str)> = fields.to_vec();
        if name_it {
            v.push(("sign_type", t.as_str()));
        }
        let s = wechatpay_sansio::v2::sign::sign(v.iter().copied(), &key, t).unwrap();
        let s = s.as_str().to_owned();
        v.push(("sign", &s));
        wechatpay_sansio::v2::xml::to_xml(v).unwrap().into_bytes()
    };
    out.push((
        "v2_pay_notify",
        "md5.xml".into(),
        notification(&paid, SignType::Md5, true),
    ));
    out.push((
        "v2_pay_notify",
        "hmac-no-sign-type.xml".into(),
        notification(&paid, SignType::HmacSha256, false),
    ));
    let mut folded = paid.to_vec();
    folded.retain(|(k, _)| *k != "cash_fee" && *k != "bank_type");
    folded.push(("bank_type", "CFT&cash_fee=1"));
    out.push((
        "v2_pay_notify",
        "folded.xml".into(),
        notification(&folded, SignType::Md5, false),
    ));

    // v2 refund notifications: the simulator's (req_info under the TEST ONLY key; the harness
    // also reads it as a decrypted document), and one whose refund status is unknown.
    let mut refund = RefundNotificationFields::success("TESTONLY-R1", 100);
    out.push((
        "v2_refund_notify",
        "success.xml".into(),
        sim.v2_refund_notification(&refund, &mut rng(9)).into_body(),
    ));
    refund.refund_status = "PROCESSING".into();
    refund.settlement_total_fee = None;
    out.push((
        "v2_refund_notify",
        "unknown-status.xml".into(),
        sim.v2_refund_notification(&refund, &mut rng(10))
            .into_body(),
    ));

    let fail = simulator::v2_fail("签名错误").into_body();
    out.push(("v2_reply", "fail.xml".into(), fail.clone()));
    out.push(("v2_xml_parse", "fail.xml".into(), fail));
    let business = sim
        .v2_reply(
            &[
                ("result_code", "FAIL"),
                ("err_code", "SYSTEMERROR"),
                ("err_code_des", "x"),
            ],
            Some(SignType::Md5),
        )
        .into_body();
    out.push(("v2_reply", "business-fail.xml".into(), business));
    let official = [
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ];
    out.push((
        "v2_sign_roundtrip",
        "official.pairs".into(),
        pairs(&official),
    ));
    out.push((
        "v2_xml_roundtrip",
        "official.pairs".into(),
        pairs(&official),
    ));
    out.push((
        "v2_xml_roundtrip",
        "metachars.pairs".into(),
        pairs(&[
            ("a", "</a><sign>X</sign>"),
            ("b", "]]>&amp;\r\n\t"),
            ("c", ""),
        ]),
    ));

    // v3 replies from the simulator, both signing modes; error replies.
    for (mode, mn) in [
        (SigningKeyMode::Certificate, "cert"),
        (SigningKeyMode::PublicKey, "pubkey"),
    ] {
        let s = Simulator::new().with_signing_mode(mode);
        for (body, bn) in [
            (&br#"{"certificate_check_result":"SAME","appid":"wxd678efh567hg6787","mchid":"1230000109","out_trade_no":"20150806125346","transaction_id":"1000320306201511078440737890"}"#[..], "customs"),
            (&br#"{"pre_entrustweb_id":"5778aadY9nltAsZzXixCkFIGYnV2V"}"#[..], "preentrust"),
            (&b""[..], "empty"),
        ] {
            let r = s.signed_v3_reply(&mut rng(5), StatusCode::OK, body.to_vec(), now);
            out.push((
                "v3_response",
                format!("{mn}-{bn}.http"),
                encode_http(200, now + std::time::Duration::from_secs(1), r.headers(), r.body()),
            ));
        }
    }
    for (status, code, msg) in [
        (StatusCode::BAD_REQUEST, "PARAM_ERROR", "参数错误"),
        (StatusCode::UNAUTHORIZED, "SIGN_ERROR", "签名错误"),
        (StatusCode::INTERNAL_SERVER_ERROR, "SYSTEMERROR", "系统错误"),
    ] {
        let r = simulator::v3_error(status, code, msg);
        out.push((
            "v3_response",
            format!("error-{code}.http"),
            encode_http(status.as_u16(), now, r.headers(), r.body()),
        ));
        out.push(("v3_error_body", format!("{code}.json"), r.body().clone()));
    }

    // A notification signed by the simulator whose resource decrypts with the merchant's key.
    let resource = EncryptedResource::encrypt(
        m.api_v3_key().unwrap(),
        "Kj7QIyUiYx1q",
        "transaction",
        "transaction",
        br#"{"mchid":"1900000109","out_trade_no":"1217752501201407033233368018","trade_state":"SUCCESS","amount":{"total":100}}"#,
    )
    .unwrap();
    let body = serde_json::json!({
        "id": "EV-2018022511223320873",
        "create_time": "2015-05-20T13:29:35+08:00",
        "resource_type": "encrypt-resource",
        "event_type": "TRANSACTION.SUCCESS",
        "summary": "支付成功",
        "resource": resource,
    })
    .to_string()
    .into_bytes();
    let r = sim.signed_v3_reply(&mut rng(6), StatusCode::OK, body, now);
    out.push((
        "v3_notify",
        "sim-transaction.http".into(),
        encode_http(200, now, r.headers(), r.body()),
    ));
    let mut probe = r.headers().clone();
    probe.insert(
        "wechatpay-signature",
        "WECHATPAY/SIGNTEST/AAAA".parse().unwrap(),
    );
    out.push((
        "v3_notify",
        "sim-signtest.http".into(),
        encode_http(200, now, &probe, r.body()),
    ));
    // The Go SDK notification (its platform key is not in the store: UnknownKey).
    let mut go = crate::common::data("go_notify_headers.txt");
    go.extend_from_slice(b"\n");
    go.extend_from_slice(&crate::common::data("go_notify_body.json"));
    out.push(("v3_notify", "go-sdk.http".into(), go));

    // Certificate download encrypted with the merchant's APIv3 key.
    let mut data = Vec::new();
    for (i, file) in ["test_platform_cert.pem", "test_platform2_cert.pem"]
        .into_iter()
        .enumerate()
    {
        let pem = crate::common::text(file);
        let cert = wechatpay_sansio::keys::PlatformCertificate::from_pem(&pem).unwrap();
        let nonce = format!("{:012}", i);
        let enc = EncryptedResource::encrypt(
            m.api_v3_key().unwrap(),
            &nonce,
            "certificate",
            "certificate",
            pem.as_bytes(),
        )
        .unwrap();
        data.push(serde_json::json!({
            "serial_no": cert.serial().as_str(),
            "effective_time": "2024-01-01T00:00:00+08:00",
            "expire_time": "2029-01-01T00:00:00+08:00",
            "encrypt_certificate": enc,
        }));
    }
    let list = serde_json::json!({ "data": data }).to_string().into_bytes();
    out.push(("v3_certificates", "two-certs.json".into(), list.clone()));
    let r = sim.signed_v3_reply(&mut rng(7), StatusCode::OK, list, now);
    out.push((
        "v3_response",
        "certificates.http".into(),
        encode_http(200, now, r.headers(), r.body()),
    ));

    // Authorization headers made by the TEST ONLY merchant signer.
    let nonce = Nonce::new("A1B2C3D4E5F6G7").unwrap();
    let req = JsonRequest::post(
        "https://apihk.mch.weixin.qq.com/v3/global/customs/verify-certificate",
        b"{}".to_vec(),
    )
    .sign(m.signer().unwrap(), &mut rng(8), now, &nonce)
    .unwrap();
    let auth = req.headers()["authorization"].as_bytes().to_vec();
    out.push(("v3_authorization", "signer.txt".into(), auth));

    // v2 payment replies (pay/unifiedorder, orderquery, closeorder, secapi/pay/refund,
    // refundquery): successes signed both ways, business failures, folds, a mismatched count.
    let party = [
        ("appid", "wx2421b1c4370ec43b"),
        ("mch_id", simulator::TEST_MCHID),
        ("nonce_str", "IITRi8Iabbblz1Jc"),
    ];
    /// (target, seed name, sign type, fields after the party's).
    type PaySeed<'a> = (
        &'static str,
        &'a str,
        Option<SignType>,
        &'a [(&'a str, &'a str)],
    );
    let pay_v2: &[PaySeed<'_>] = &[
        (
            "api_unifiedorder",
            "native-md5.xml",
            Some(SignType::Md5),
            &[
                ("result_code", "SUCCESS"),
                ("trade_type", "NATIVE"),
                ("prepay_id", "wx201410272009395522657a690389285100"),
                ("code_url", "weixin://wxpay/bizpayurl?pr=3fTI3Rm"),
            ],
        ),
        (
            "api_unifiedorder",
            "mweb-hmac.xml",
            Some(SignType::HmacSha256),
            &[
                ("result_code", "SUCCESS"),
                ("trade_type", "MWEB"),
                ("prepay_id", "wx2016121516420242444321ca0631331346"),
                (
                    "mweb_url",
                    "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx2016121516420242444321ca0631331346&package=1405458241",
                ),
            ],
        ),
        (
            "api_unifiedorder",
            "jsapi-partner-hmac.xml",
            Some(SignType::HmacSha256),
            &[
                ("result_code", "SUCCESS"),
                ("sub_mch_id", "1900000999"),
                ("sub_appid", "wx8888888888888888"),
                ("trade_type", "JSAPI"),
                ("prepay_id", "wx201410272009395522657a690389285100"),
            ],
        ),
        (
            "api_unifiedorder",
            "folded-code-url.xml",
            Some(SignType::HmacSha256),
            &[
                ("result_code", "SUCCESS"),
                ("prepay_id", "wx1"),
                (
                    "code_url",
                    "weixin://wxpay/bizpayurl?pr=1&trade_type=NATIVE",
                ),
            ],
        ),
        (
            "api_unifiedorder",
            "orderpaid-md5.xml",
            Some(SignType::Md5),
            &[
                ("result_code", "FAIL"),
                ("err_code", "ORDERPAID"),
                ("err_code_des", "该订单已支付"),
            ],
        ),
        (
            "api_orderquery",
            "success-md5.xml",
            Some(SignType::Md5),
            &[
                ("result_code", "SUCCESS"),
                ("out_trade_no", "1415757673"),
                ("transaction_id", "1008450740201411110005820873"),
                ("trade_state", "SUCCESS"),
                ("trade_type", "JSAPI"),
                ("openid", "oUpF8uN95-Ptaags6E_roPHg7AG0"),
                ("bank_type", "CCB_DEBIT"),
                ("total_fee", "1"),
                ("cash_fee", "1"),
                ("fee_type", "CNY"),
                ("time_end", "20141111170043"),
                ("attach", "a=1&b=2"),
            ],
        ),
        (
            "api_orderquery",
            "notpay-hmac.xml",
            Some(SignType::HmacSha256),
            &[
                ("result_code", "SUCCESS"),
                ("out_trade_no", "1415757673"),
                ("trade_state", "NOTPAY"),
                ("trade_state_desc", "订单未支付"),
            ],
        ),
        (
            "api_orderquery",
            "folded-bank-type.xml",
            Some(SignType::HmacSha256),
            &[
                ("result_code", "SUCCESS"),
                ("out_trade_no", "1415757673"),
                ("transaction_id", "1008450740201411110005820873"),
                ("trade_state", "SUCCESS"),
                ("bank_type", "CMB&cash_fee=1"),
                ("total_fee", "1"),
                ("time_end", "20141111170043"),
            ],
        ),
        (
            "api_orderquery",
            "ordernotexist-hmac.xml",
            Some(SignType::HmacSha256),
            &[
                ("result_code", "FAIL"),
                ("err_code", "ORDERNOTEXIST"),
                ("err_code_des", "此交易订单号不存在"),
            ],
        ),
        (
            "api_closeorder",
            "success-md5.xml",
            Some(SignType::Md5),
            &[("result_code", "SUCCESS")],
        ),
        (
            "api_closeorder",
            "success-hmac.xml",
            Some(SignType::HmacSha256),
            &[("result_code", "SUCCESS"), ("sub_mch_id", "1900000999")],
        ),
        (
            "api_closeorder",
            "orderpaid-hmac.xml",
            Some(SignType::HmacSha256),
            &[
                ("result_code", "FAIL"),
                ("err_code", "ORDERPAID"),
                ("err_code_des", "订单已支付，不能发起关单"),
            ],
        ),
        (
            "api_refund",
            "success-hmac.xml",
            Some(SignType::HmacSha256),
            &[
                ("result_code", "SUCCESS"),
                ("transaction_id", "1008450740201411110005820873"),
                ("out_trade_no", "1415757673"),
                ("out_refund_no", "1415701182"),
                ("refund_id", "2008450740201411110000174436"),
                ("refund_fee", "1"),
                ("total_fee", "1"),
                ("cash_fee", "1"),
                ("cash_refund_fee", "1"),
            ],
        ),
        (
            "api_refund",
            "notenough-md5.xml",
            Some(SignType::Md5),
            &[
                ("result_code", "FAIL"),
                ("err_code", "NOTENOUGH"),
                ("err_code_des", "余额不足"),
            ],
        ),
        (
            "api_refundquery",
            "two-records-hmac.xml",
            Some(SignType::HmacSha256),
            &[
                ("result_code", "SUCCESS"),
                ("transaction_id", "1008450740201411110005820873"),
                ("out_trade_no", "1415757673"),
                ("total_fee", "100"),
                ("cash_fee", "100"),
                ("refund_count", "2"),
                ("out_refund_no_0", "R1"),
                ("refund_id_0", "2008450740201411110000174436"),
                ("refund_fee_0", "30"),
                ("refund_status_0", "SUCCESS"),
                ("refund_success_time_0", "2016-07-25 15:26:26"),
                ("refund_recv_accout_0", "支付用户的零钱"),
                ("out_refund_no_1", "R2"),
                ("refund_id_1", "2008450740201411110000174437"),
                ("refund_fee_1", "70"),
                ("refund_status_1", "PROCESSING"),
            ],
        ),
        (
            "api_refundquery",
            "count-mismatch-md5.xml",
            Some(SignType::Md5),
            &[
                ("result_code", "SUCCESS"),
                ("transaction_id", "1008450740201411110005820873"),
                ("out_trade_no", "1415757673"),
                ("total_fee", "100"),
                ("cash_fee", "100"),
                ("refund_count", "2"),
                ("out_refund_no_0", "R1"),
                ("refund_id_0", "2008450740201411110000174436"),
                ("refund_fee_0", "30"),
                ("refund_status_0", "SUCCESS"),
            ],
        ),
        (
            "api_refundquery",
            "refundnotexist-hmac.xml",
            Some(SignType::HmacSha256),
            &[
                ("result_code", "FAIL"),
                ("err_code", "REFUNDNOTEXIST"),
                ("err_code_des", "退款订单查询失败"),
            ],
        ),
    ];
    for (target, name, t, fields) in pay_v2 {
        let pairs: Vec<(&str, &str)> = party.iter().chain(fields.iter()).copied().collect();
        out.push((
            target,
            (*name).to_owned(),
            sim.v2_reply(&pairs, *t).into_body(),
        ));
    }

    // Keys: every PEM in tests/data, and its DER.
    for file in [
        "getpublickey_pkcs1.pem",
        "getpublickey_spki.pem",
        "go_platform_cert.pem",
        "java_merchant_certificate.pem",
        "java_wechat_pay_public_key.pem",
        "test_ec_p256_key.pem",
        "test_ec_p256_public_key.pem",
        "test_merchant_key.pem",
        "test_merchant_key_encrypted.pem",
        "test_merchant_key_pkcs1.pem",
        "test_platform_cert.pem",
        "test_platform_public_key_pkcs1.pem",
        "test_rsa1024_key.pem",
        "test_rsa1024_public_key.pem",
        "test_rsa4096_key.pem",
    ] {
        let pem = crate::common::data(file);
        let der = pem_rfc7468::decode_vec(&pem).unwrap().1;
        out.push(("keys", file.to_owned(), pem));
        out.push(("keys", file.replace(".pem", ".der"), der));
    }
    out
}
