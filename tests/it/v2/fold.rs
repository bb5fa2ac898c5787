//! Issue 15, items 1 and 2: a v2 business failure is believed only once signed, and the exact
//! fold rule — every plausible reading of a signed string agrees on what the caller relies on.

use crate::common::*;
use proptest::prelude::*;
use wechatpay_sansio::api::realnameauth::{self, CredType, RealNameAuthRequest};
use wechatpay_sansio::api::{ApiError, Operation};
use wechatpay_sansio::error::{Classify, Disposition};
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::secret::{AccessToken, ApiV2Key, Personal};
use wechatpay_sansio::simulator::{Simulator, TEST_API_V2_KEY, TEST_MCHID};
use wechatpay_sansio::v2::notify::{self, PayNotification};
use wechatpay_sansio::v2::reply::{Expect, ReplyError};
use wechatpay_sansio::v2::sign::{self, SignError};
use wechatpay_sansio::v2::{SignType, reply, xml};

fn key() -> ApiV2Key {
    ApiV2Key::new(TEST_API_V2_KEY).unwrap()
}

fn signed_xml(pairs: &[(&str, &str)], t: SignType) -> String {
    let s = sign::sign(pairs.iter().copied(), &key(), t).unwrap();
    let mut v = pairs.to_vec();
    v.push(("sign", s.as_str()));
    xml::to_xml(v).unwrap()
}

#[test]
fn business_failures_are_believed_only_once_signed() {
    let m = Simulator::new().merchant();
    let req = RealNameAuthRequest::new(
        "wx2421b1c4370ec43b",
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        Personal::new("张三"),
        CredType::IdCard,
        Personal::new("11010519491231002X"),
        AccessToken::new("81_TESTONLYaccessToken"),
    );
    let fail = [
        ("return_code", "SUCCESS"),
        ("result_code", "FAIL"),
        ("error_code", "PARAM_ERROR"),
        ("error_code_des", "参数错误"),
    ];
    // Unsigned: before issue 15 this came back as Failure(Business) and chose the disposition.
    let unsigned = xml::to_xml(fail).unwrap();
    // Signed, then the code altered to one that says "retry".
    let forged = signed_xml(&fail, SignType::HmacSha256).replace("PARAM_ERROR", "SYSTEMERROR");
    for (body, want) in [
        (unsigned, SignError::Missing),
        (forged, SignError::Mismatch),
    ] {
        let r = raw(200, body.as_bytes());
        for e in [
            req.parse_reply(&m, ResponseRef::from_http(&r), NOW)
                .unwrap_err(),
            realnameauth::read_reply(&m, ResponseRef::from_http(&r), NOW).unwrap_err(),
        ] {
            assert_eq!(e, ApiError::V2Reply(ReplyError::Sign(want.clone())));
            assert_eq!(e.disposition(), Disposition::Untrusted);
            assert!(e.failure().is_none() && !e.disposition().is_retryable());
        }
    }
    // Signed and intact: the failure is believed.
    let genuine = raw(200, signed_xml(&fail, SignType::HmacSha256).as_bytes());
    let e = req
        .parse_reply(&m, ResponseRef::from_http(&genuine), NOW)
        .unwrap_err();
    assert!(e.failure().is_some(), "{e:?}");
}

/// The typed values of a notification, for comparing readings.
fn exposed(n: &PayNotification<'_>) -> Vec<Option<String>> {
    let own = |s: &str| Some(s.to_owned());
    vec![
        own(n.appid()),
        own(n.mch_id()),
        n.sub_mch_id().map(str::to_owned),
        own(n.openid()),
        own(n.out_trade_no()),
        own(n.transaction_id()),
        own(n.trade_type()),
        own(n.time_end()),
        Some(n.total_fee().to_string()),
        n.cash_fee().map(|c| c.to_string()),
        n.bank_type().map(str::to_owned),
        n.fee_type().map(str::to_owned),
    ]
}

/// A genuine notification: the required fields, `bank_type` and `cash_fee`, plus `extra`.
fn genuine(extra: &[(String, String)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = [
        ("return_code", "SUCCESS"),
        ("result_code", "SUCCESS"),
        ("appid", "wx2421b1c4370ec43b"),
        ("mch_id", TEST_MCHID),
        ("openid", "oUpF8uMEb4qRXf22hE3X68TekukE"),
        ("out_trade_no", "1409811653"),
        ("transaction_id", "1004400740201409030005092168"),
        ("trade_type", "JSAPI"),
        ("time_end", "20140903131540"),
        ("total_fee", "101"),
        ("bank_type", "CMB_CREDIT"),
        ("cash_fee", "100"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (k, val) in extra {
        if !v.iter().any(|(n, _)| n == k) {
            v.push((k.clone(), val.clone()));
        }
    }
    v
}

/// The readings of `pairs`' signed string that split it at the `&`s chosen by `mask`: the
/// sorted `k=v` segments, if they form a valid reply (legal names strictly increasing, none is
/// `sign`, non-empty values).
fn reading(pairs: &[(String, String)], mask: &[bool]) -> Option<Vec<(String, String)>> {
    let mut sorted: Vec<&(String, String)> = pairs.iter().filter(|(_, v)| !v.is_empty()).collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let text = sorted
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let amps: Vec<usize> = text.match_indices('&').map(|(i, _)| i).collect();
    let mut cuts = vec![0];
    for (i, a) in amps.iter().enumerate() {
        if mask.get(i).copied().unwrap_or(true) {
            cuts.push(a + 1);
        }
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for (w, start) in cuts.iter().enumerate() {
        let end = cuts.get(w + 1).map_or(text.len(), |c| c - 1);
        let seg = &text[*start..end];
        let (k, v) = seg.split_once('=')?;
        let legal = !k.is_empty()
            && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !k.as_bytes()[0].is_ascii_digit();
        if !legal || v.is_empty() || k == "sign" {
            return None;
        }
        if out
            .last()
            .is_some_and(|(p, _)| p.as_bytes() >= k.as_bytes())
        {
            return None;
        }
        out.push((k.to_owned(), v.to_owned()));
    }
    Some(out)
}

fn query() -> impl Strategy<Value = String> {
    // Names that are fields of the notification, names between them, and others.
    let names = prop::sample::select(vec![
        "a",
        "b",
        "bank_type",
        "c",
        "cash_fee",
        "coupon_fee",
        "d",
        "openid",
        "p",
        "package",
        "total_fee",
        "transaction_id",
        "zz",
    ]);
    prop::collection::vec((names, "[0-9A-Z]{1,4}"), 0..4).prop_map(|parts| {
        let mut s = String::from("x");
        for (n, v) in parts {
            s.push('&');
            s.push_str(n);
            s.push('=');
            s.push_str(&v);
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Soundness: any reading of a genuine notification's signed string that is accepted gives
    /// every exposed value the genuine one.
    #[test]
    fn accepted_readings_agree_with_the_genuine_notification(
        attach in query(),
        device_info in query(),
        nonce in query(),
        mask in prop::collection::vec(any::<bool>(), 0..24),
        md5 in any::<bool>(),
    ) {
        let t = if md5 { SignType::Md5 } else { SignType::HmacSha256 };
        let g = genuine(&[
            ("attach".into(), attach),
            ("device_info".into(), device_info),
            ("nonce_str".into(), nonce),
        ]);
        let view = |p: &[(String, String)]| -> Vec<(String, String)> { p.to_vec() };
        let gp: Vec<(&str, &str)> = g.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let s = sign::sign(gp.iter().copied(), &key(), t).unwrap();
        let to_body = |p: &[(String, String)]| {
            let mut v: Vec<(&str, &str)> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            v.push(("sign", s.as_str()));
            xml::to_xml(v).unwrap()
        };
        let genuine_body = to_body(&view(&g));
        let Ok(gn) = notify::parse(genuine_body.as_bytes(), &key()) else {
            // A genuine notification that carries reply field names in its values is refused
            // (documented); nothing to compare readings with.
            return Ok(());
        };
        let want = exposed(&gn);
        if let Some(r) = reading(&g, &mask) {
            let body = to_body(&r);
            // The same signed string: the signature verifies.
            let f = xml::parse(body.as_bytes()).unwrap();
            prop_assert!(sign::verify_fields(&f, &key(), Some(t)).is_ok());
            if let Ok(n) = notify::parse(body.as_bytes(), &key()) {
                prop_assert_eq!(exposed(&n), want.clone());
            }
        }
    }

    /// Genuine notifications whose attach holds a query string (names that are not fields of
    /// the notification) are accepted, with attach as received.
    #[test]
    fn genuine_attach_query_strings_are_accepted(
        parts in prop::collection::vec(("[a-z]{1,3}|x_[a-z]{1,6}", "[0-9a-zA-Z%]{1,8}"), 1..5),
        hmac in any::<bool>(),
    ) {
        let known = ["bank_type", "cash_fee"];
        prop_assume!(parts.iter().all(|(n, _)| !known.contains(&n.as_str())));
        let attach = parts.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("&");
        let g = genuine(&[("attach".into(), attach.clone())]);
        let gp: Vec<(&str, &str)> = g.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let t = if hmac { SignType::HmacSha256 } else { SignType::Md5 };
        let body = signed_xml(&gp, t);
        let n = notify::parse(body.as_bytes(), &key()).unwrap();
        prop_assert_eq!(n.attach(), Some(attach.as_str()));
        prop_assert_eq!(n.cash_fee(), Some(100));
    }

    /// The generic path with a declared URL field: an H5 reply's mweb_url is accepted.
    #[test]
    fn genuine_mweb_urls_are_accepted(prepay in "wx[0-9a-f]{20,32}", package in "[0-9]{6,12}") {
        let url = format!(
            "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id={prepay}&package={package}"
        );
        let pairs = [
            ("return_code", "SUCCESS"),
            ("return_msg", "OK"),
            ("appid", "wx2421b1c4370ec43b"),
            ("mch_id", TEST_MCHID),
            ("nonce_str", "IITRi8Iabbblz1Jc"),
            ("result_code", "SUCCESS"),
            ("prepay_id", prepay.as_str()),
            ("trade_type", "MWEB"),
            ("mweb_url", url.as_str()),
        ];
        let body = signed_xml(&pairs, SignType::Md5);
        let f = xml::parse(body.as_bytes()).unwrap();
        let expect = Expect::signed(Some(SignType::Md5)).text(&["mweb_url"]);
        prop_assert_eq!(reply::check(&f, &key(), &expect), Ok(()));
        // Without the declaration every field is strict: the URL's query is refused.
        prop_assert_eq!(
            reply::check(&f, &key(), &Expect::signed(Some(SignType::Md5))),
            Err(ReplyError::PossibleFold { field: "mweb_url".into() })
        );
    }
}

/// Issue 15's two cases, on fixed bytes: the bypass that lost cash_fee and bank_type, and the
/// false alarm on `attach=a=1&b=2`.
#[test]
fn the_reported_bypass_and_false_alarm() {
    let g = genuine(&[("attach".into(), "x&c=1".into())]);
    let gp: Vec<(&str, &str)> = g.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let s = sign::sign(gp.iter().copied(), &key(), SignType::Md5).unwrap();
    // attach="x", c="1&bank_type=…&cash_fee=…" swallows the two fields.
    let mut bypass: Vec<(String, String)> = g
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "attach" | "bank_type" | "cash_fee"))
        .cloned()
        .collect();
    bypass.push(("attach".into(), "x".into()));
    bypass.push(("c".into(), "1&bank_type=CMB_CREDIT&cash_fee=100".into()));
    let mut v: Vec<(&str, &str)> = bypass
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    v.push(("sign", s.as_str()));
    let body = xml::to_xml(v).unwrap();
    // The same signed string as the genuine one: the signature verifies…
    let f = xml::parse(body.as_bytes()).unwrap();
    assert!(sign::verify_fields(&f, &key(), Some(SignType::Md5)).is_ok());
    // …and the old detector passed it (c's hidden names sort before c); the rule refuses it.
    let e = notify::parse(body.as_bytes(), &key()).unwrap_err();
    assert_eq!(
        e,
        notify::PayNotifyError::Reply(ReplyError::PossibleFold { field: "c".into() })
    );
    assert_eq!(
        notify::answer(&Err::<(), _>(e)).body(),
        notify::failure("参数格式校验错误").body()
    );
    // The false alarm: a genuine attach holding a query string is accepted and acknowledged.
    let g = genuine(&[("attach".into(), "a=1&b=2".into())]);
    let gp: Vec<(&str, &str)> = g.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let body = signed_xml(&gp, SignType::HmacSha256);
    let r = notify::parse(body.as_bytes(), &key());
    assert_eq!(r.as_ref().map(|n| n.attach()), Ok(Some("a=1&b=2")));
    assert_eq!(notify::answer(&r).body(), notify::SUCCESS_XML.as_bytes());
}

/// The rule of `v2::fold`, by brute force over every split of the signed string (the oracle
/// for the crate's graph search; small inputs only).
fn oracle(pairs: &[(String, String)], relied: &[(&str, Reliance)]) -> bool {
    let how = |name: &str| relied.iter().find(|(n, _)| *n == name).map(|(_, r)| *r);
    let mut sorted: Vec<&(String, String)> = pairs.iter().filter(|(_, v)| !v.is_empty()).collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let known = |name: &str| sorted.iter().any(|(k, _)| k == name) || how(name).is_some();
    let legal = |k: &str| {
        !k.is_empty()
            && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !k.as_bytes()[0].is_ascii_digit()
            && k != "sign"
    };
    // A value's `&name=` points (legal names only).
    let inner = |v: &str| -> Vec<String> {
        v.match_indices('&')
            .filter_map(|(i, _)| {
                let rest = &v[i + 1..];
                let name = &rest[..rest.find('=')?];
                legal(name).then(|| name.to_owned())
            })
            .collect()
    };
    let plausible = |r: &[(String, String)]| {
        r.iter().all(|(k, v)| {
            let names = inner(v);
            if how(k) == Some(Reliance::Strict) {
                names.is_empty()
            } else {
                names.iter().all(|n| !known(n))
            }
        })
    };
    let own: Vec<(String, String)> = sorted.iter().map(|p| (*p).clone()).collect();
    if !plausible(&own) {
        return false;
    }
    let amps = own
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
        .matches('&')
        .count();
    for bits in 0..(1u32 << amps) {
        let mask: Vec<bool> = (0..amps).map(|i| bits & (1 << i) != 0).collect();
        let Some(r) = reading(&own, &mask) else {
            continue;
        };
        if !plausible(&r) {
            continue;
        }
        let value = |p: &[(String, String)], n: &str| {
            p.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone())
        };
        for (n, h) in relied {
            if *h != Reliance::Opaque && value(&r, n) != value(&own, n) {
                return false;
            }
        }
    }
    true
}

use wechatpay_sansio::v2::Fields;
use wechatpay_sansio::v2::fold::{self, Reliance};

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// The crate's search and the brute-force oracle agree on every small reply.
    #[test]
    fn the_search_agrees_with_brute_force(
        values in prop::collection::vec(
            prop::collection::vec(prop::sample::select(vec!["x", "&", "=", "a", "b", "c", "d", "&b=", "&d=", "&e=1", "&e=", "&f=2", "&a="]), 0..4),
            4,
        ),
        hows in prop::collection::vec(0u8..4, 5),
    ) {
        let names = ["a", "b", "c", "d"];
        let pairs: Vec<(String, String)> = names
            .iter()
            .zip(&values)
            .map(|(n, v)| ((*n).to_owned(), v.concat()))
            .collect();
        let mut f = Fields::new();
        for (k, v) in &pairs {
            f.insert(k.as_str(), v.as_str()).unwrap();
        }
        let all = ["a", "b", "c", "d", "e"];
        let relied: Vec<(&str, Reliance)> = all
            .iter()
            .zip(&hows)
            .filter_map(|(n, h)| match h {
                0 => None,
                1 => Some((*n, Reliance::Strict)),
                2 => Some((*n, Reliance::Text)),
                _ => Some((*n, Reliance::Opaque)),
            })
            .collect();
        prop_assert_eq!(fold::check(&f, &relied).is_ok(), oracle(&pairs, &relied), "{:?} {:?}", pairs, relied);
    }
}

/// Issue 15 item 5: the simulator follows seed 000 — `sign_type` is not marked required, so an
/// MD5 request without it is answered (before, "缺少参数sign_type").
#[test]
fn simulator_realnameauth_takes_md5_without_sign_type() {
    use wechatpay_sansio::simulator::Script;
    let pairs = [
        ("version", "1.0"),
        ("mch_id", TEST_MCHID),
        ("appid", "wx2421b1c4370ec43b"),
        ("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
        ("real_name", "张三"),
        ("cred_type", "1"),
        ("cred_id", "11010519491231002X"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
        ("access_token", "81_TESTONLYtoken"),
    ];
    let body = signed_xml(&pairs, SignType::Md5);
    let req = http::Request::post("https://fraud.mch.weixin.qq.com/secsvc/realnameauth")
        .body(body.into_bytes())
        .unwrap();
    let sim = Simulator::new();
    let reply = sim.handle(&req, NOW, &mut rng(3), &Script::default());
    let f = xml::parse(reply.body()).unwrap();
    assert_eq!(f.get("return_code"), Some("SUCCESS"), "{f:?}");
    assert_eq!(f.get("result_code"), Some("SUCCESS"));
    // Signed with MD5, the request's type.
    assert!(sign::verify_fields(&f, &key(), Some(SignType::Md5)).is_ok());
}
