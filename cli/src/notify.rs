//! `wxpay parse pay-notify` (a v2 payment notification) and `wxpay parse notify` (a v3
//! notification): verified, then printed as JSON with personal values redacted.
//!
//! - `pay-notify`: the sign with `--sign-type` (the sign type of your orders) when given, else
//!   the notification's `sign_type`, else the sign's length (WeChat Pay omits `sign_type` on
//!   notifications of HMAC-SHA256 orders); the exact fold rule over every field printed;
//!   `outcome` is `success`, `business_fail` (a verified `result_code` FAIL) or `return_fail`
//!   (unsigned by design, `authenticated: false`). Exit 0 for those, 1 when the notification is
//!   not valid (sign, fold, missing fields, amounts), 2 when flags or the key are unusable.
//! - `refund-notify`: a v2 refund notification, which has no signature: `req_info` decrypted
//!   with the APIv2 key (`authenticated: false`: decryption proves only knowledge of the key),
//!   `--appid` / `--mch-id` compared when given; `outcome` `success` or `return_fail`. Exit 1
//!   when `req_info` does not decrypt, is not the documented XML, or an id differs.
//! - `notify`: the `Wechatpay-*` headers (`--headers-file`) verified with `--certificate` /
//!   `--public-key` at `--now`, then the resource decrypted with the APIv3 key; prints the
//!   envelope and the plaintext with personal members (`openid`, names, …) as `<redacted>`.
//!   Exit 1 when the signature or the decryption fails.

use crate::common::{Failure, Outcome, is_personal, json_output, read_stdin};
use crate::parse::{outcome, redacted};
use crate::v2::api_v2_key;
use crate::v3::{api_v3_key, verify_error};
use crate::{ParseApi, ParseArgs};
use serde_json::{Map, Value};
use wechatpay_sansio::http::HeaderMap;
use wechatpay_sansio::keys::{KeyStore, WechatPayKey};
use wechatpay_sansio::os;
use wechatpay_sansio::time::UnixTime;
use wechatpay_sansio::v2::notify::{self as v2_notify, PayNotifyError, PayNotifyOptions};
use wechatpay_sansio::v2::refund_notify::{self, RefundNotifyError, RefundNotifyOptions};
use wechatpay_sansio::v2::reply::{ReplyError, return_fail_disposition};
use wechatpay_sansio::v3::notify::{self as v3_notify, NotifyError};
use wechatpay_sansio::v3::verify::Verifier;

fn s(v: &str) -> Value {
    Value::String(v.to_owned())
}

fn fields(pairs: Vec<(&str, Value)>) -> Vec<(String, Value)> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// `wxpay parse pay-notify`.
pub fn pay_notify(a: &ParseArgs) -> Outcome {
    let api = ParseApi::PayNotify;
    let key = api_v2_key(&a.key)?;
    let body = read_stdin()?;
    let mut options = PayNotifyOptions::default();
    options.sign_type = a.sign_type.map(Into::into);
    let invalid = |e: &dyn std::fmt::Display| {
        Failure::invalid(format!(
            "parse {}: not a valid notification: {e}",
            api.name()
        ))
    };
    match v2_notify::parse_with(&body, &key, &options) {
        Ok(n) => {
            let opt = |v: Option<&str>| v.map_or(Value::Null, s);
            json_output(&outcome(
                api,
                "success",
                fields(vec![
                    ("authenticated", Value::Bool(true)),
                    ("sign_type", s(n.sign_type().as_str())),
                    // The idempotency key: a replay or a repeated delivery carries the same.
                    ("transaction_id", s(n.transaction_id())),
                    ("out_trade_no", s(n.out_trade_no())),
                    ("appid", s(n.appid())),
                    ("mch_id", s(n.mch_id())),
                    ("sub_mch_id", opt(n.sub_mch_id())),
                    ("openid", redacted()),
                    ("trade_type", s(n.trade_type())),
                    ("time_end", s(n.time_end())),
                    ("total_fee", Value::from(n.total_fee())),
                    ("cash_fee", n.cash_fee().map_or(Value::Null, Value::from)),
                    ("bank_type", opt(n.bank_type())),
                    ("fee_type", opt(n.fee_type())),
                    // Merchant-opaque: not covered by the fold rule.
                    ("attach", opt(n.attach())),
                ]),
            ))
        }
        Err(PayNotifyError::PaymentFailed {
            err_code,
            err_code_des,
        }) => json_output(&outcome(
            api,
            "business_fail",
            fields(vec![
                ("authenticated", Value::Bool(true)),
                (
                    "err_code",
                    err_code.as_ref().map_or(Value::Null, |c| s(c.as_str())),
                ),
                (
                    "err_code_des",
                    err_code_des.as_deref().map_or(Value::Null, s),
                ),
            ]),
        )),
        Err(PayNotifyError::Reply(ReplyError::ReturnFail {
            return_code,
            return_msg,
        })) => json_output(&outcome(
            api,
            "return_fail",
            fields(vec![
                ("authenticated", Value::Bool(false)),
                ("return_code", s(&return_code)),
                ("return_msg", return_msg.as_deref().map_or(Value::Null, s)),
                (
                    "disposition",
                    s(&return_fail_disposition(return_msg.as_deref()).to_string()),
                ),
            ]),
        )),
        Err(e) => Err(invalid(&e)),
    }
}

/// `wxpay parse refund-notify`.
pub fn refund_notify(a: &ParseArgs) -> Outcome {
    let api = ParseApi::RefundNotify;
    let key = api_v2_key(&a.key)?;
    let body = read_stdin()?;
    let mut options = RefundNotifyOptions::default();
    options.appid = a.appid.as_deref();
    options.mch_id = a.mch_id.as_deref();
    match refund_notify::parse_with(&body, &key, &options) {
        Ok(n) => {
            let opt = |v: Option<&str>| v.map_or(Value::Null, s);
            let fee = |v: Option<u64>| v.map_or(Value::Null, Value::from);
            json_output(&outcome(
                api,
                "success",
                fields(vec![
                    // No signature: req_info decrypting proves only knowledge of the APIv2 key.
                    ("authenticated", Value::Bool(false)),
                    (
                        "note",
                        s("unsigned: query the refund (refundquery, or v3 GET \
                           /v3/refund/domestic/refunds/{out_refund_no}) before acting on it"),
                    ),
                    // The idempotency key: a replay or a repeated delivery carries the same.
                    ("refund_id", s(n.refund_id())),
                    ("out_refund_no", s(n.out_refund_no())),
                    ("transaction_id", s(n.transaction_id())),
                    ("out_trade_no", s(n.out_trade_no())),
                    ("appid", s(n.appid())),
                    ("mch_id", s(n.mch_id())),
                    ("refund_status", s(n.refund_status().as_str())),
                    ("total_fee", Value::from(n.total_fee())),
                    ("settlement_total_fee", fee(n.settlement_total_fee())),
                    ("refund_fee", Value::from(n.refund_fee())),
                    (
                        "settlement_refund_fee",
                        Value::from(n.settlement_refund_fee()),
                    ),
                    ("success_time", opt(n.success_time())),
                    (
                        "refund_recv_accout",
                        n.refund_recv_accout().map_or(Value::Null, |_| redacted()),
                    ),
                    ("refund_account", opt(n.refund_account())),
                    ("refund_request_source", opt(n.refund_request_source())),
                ]),
            ))
        }
        Err(RefundNotifyError::ReturnFail {
            return_code,
            return_msg,
        }) => json_output(&outcome(
            api,
            "return_fail",
            fields(vec![
                ("authenticated", Value::Bool(false)),
                ("return_code", s(&return_code)),
                ("return_msg", return_msg.as_deref().map_or(Value::Null, s)),
            ]),
        )),
        Err(e) => Err(Failure::invalid(format!(
            "parse {}: not a valid notification: {e}",
            api.name()
        ))),
    }
}

/// Personal members (at any depth) as `<redacted>`.
fn redact(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let v = if is_personal(&k, true) && !v.is_object() && !v.is_array() {
                        redacted()
                    } else {
                        redact(v)
                    };
                    (k, v)
                })
                .collect::<Map<_, _>>(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(redact).collect()),
        other => other,
    }
}

/// `wxpay parse notify`.
pub fn v3_notify(a: &ParseArgs, headers: &HeaderMap, key: Option<WechatPayKey>) -> Outcome {
    let api = ParseApi::Notify;
    let (Some(key), Some(_)) = (key, &a.headers_file) else {
        return Err(Failure::usage(format!(
            "parse {}: a notification must have its signature verified: give --certificate or \
             --public-key, and --headers-file with its Wechatpay-* headers",
            api.name()
        )));
    };
    let v3_key = api_v3_key(&a.apiv3)?;
    let key_id = key.id().clone();
    let mut store = KeyStore::new();
    store.insert(key);
    let now = a.now.map_or_else(os::now, UnixTime::from_secs);
    let body = read_stdin()?;
    let n = v3_notify::parse(headers, &body, &Verifier::new(&store), &v3_key, now).map_err(
        |e| match e {
            NotifyError::Verify(v) => Failure::invalid(format!(
                "parse {}: not a valid notification: signature: {}",
                api.name(),
                verify_error(v, Some(&key_id)).message()
            )),
            e => Failure::invalid(format!(
                "parse {}: not a valid notification: {e}",
                api.name()
            )),
        },
    )?;
    let plaintext: Value = n.payload().map_err(|e| {
        Failure::invalid(format!("parse {}: the decrypted resource: {e}", api.name()))
    })?;
    let env = &n.notification;
    json_output(&outcome(
        api,
        "success",
        fields(vec![
            ("authenticated", Value::Bool(true)),
            // The idempotency key: a repeated delivery carries the same id.
            ("id", s(&env.id)),
            ("create_time", s(&env.create_time)),
            ("event_type", s(&env.event_type)),
            ("resource_type", s(&env.resource_type)),
            ("summary", s(&env.summary)),
            (
                "original_type",
                env.resource.original_type.as_deref().map_or(Value::Null, s),
            ),
            ("plaintext", redact(plaintext)),
        ]),
    ))
}
