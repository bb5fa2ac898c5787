//! `wxpay parse <API>`: a reply body turned into the typed outcome, as JSON with personal data
//! redacted.
//!
//! Every arm calls the crate's reply-only parser (`api::<module>::read_reply`) with the
//! `--status`, the headers from `--headers-file` and the body read on stdin, then prints
//! `{"api": …, "outcome": …, "authenticated": …, …}`:
//! - `outcome` is `success`, or the kind of error reply WeChat Pay sent (`return_fail`,
//!   `business_fail`, `service_error`, `error`) — a well-formed error reply is a valid reply of
//!   the API, so it exits 0 too;
//! - `authenticated` says whether a signature was checked (v2 `realnameauth` replies whose
//!   `return_code` is SUCCESS — business failures included: they are refused unsigned — and v3
//!   2xx replies); other error replies and the unsigned APIs are never authenticated;
//! - personal values (names, ID numbers, `name_mask`, a v3 error's offending `value`) are printed
//!   as `<redacted>`.
//!
//! A body that is not a reply of that API (malformed, missing fields, bad signature, stale
//! timestamp, echoed ids that differ from `--mch-id`/`--appid`/`--openid`) exits 1; unusable
//! flags, keys or files exit 2. Verification is never skipped: a 2xx v3 reply needs
//! `--certificate`/`--public-key` and `--headers-file`.

use crate::common::{Failure, Outcome, json_output, read_file, read_stdin, utf8};
use crate::v2::api_v2_key;
use crate::v3::{PLACEHOLDER_KEY_ID, any_public_key, parse_headers, verify_error};
use crate::{ParseApi, ParseArgs};
use serde_json::{Map, Value};
use wechatpay_sansio::api::{
    ApiError, Failure as WeChatFailure, customs, nameauth, pre_entrust, querymchrisk, realnameauth,
};
use wechatpay_sansio::error::Classify;
use wechatpay_sansio::http::{HeaderMap, StatusCode};
use wechatpay_sansio::keys::{KeyId, PlatformCertificate, WechatPayKey};
use wechatpay_sansio::merchant::Merchant;
use wechatpay_sansio::os;
use wechatpay_sansio::request::ResponseRef;
use wechatpay_sansio::time::UnixTime;
use wechatpay_sansio::v3::header::WECHATPAY_SERIAL;
use wechatpay_sansio::v3::response::{ErrorReply, ResponseError};

/// The JSON that stands for a personal value (a name, an ID number, a bank card): never printed.
pub fn redacted() -> Value {
    Value::String(wechatpay_sansio::secret::REDACTED.to_owned())
}

/// `{"api": …, "outcome": <kind>, …fields}`: the shape every `parse` arm prints.
pub fn outcome(
    api: ParseApi,
    kind: &str,
    fields: impl IntoIterator<Item = (String, Value)>,
) -> Value {
    let mut map = Map::new();
    map.insert("api".to_owned(), Value::String(api.name().to_owned()));
    map.insert("outcome".to_owned(), Value::String(kind.to_owned()));
    for (k, v) in fields {
        map.insert(k, v);
    }
    Value::Object(map)
}

/// `(name, value)` pairs for [`outcome`].
fn kv<const N: usize>(pairs: [(&str, Value); N]) -> Vec<(String, Value)> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn s(v: &str) -> Value {
    Value::String(v.to_owned())
}

/// "not a valid reply" (exit 1), naming the API.
fn invalid(api: ParseApi, e: impl std::fmt::Display) -> Failure {
    Failure::invalid(format!("parse {}: not a valid reply: {e}", api.name()))
}

/// `wxpay parse`.
pub fn parse(a: &ParseArgs) -> Outcome {
    refuse_unused_flags(a)?;
    let status = StatusCode::from_u16(a.status)
        .map_err(|_| Failure::usage(format!("--status {}: not an HTTP status code", a.status)))?;
    let headers = match &a.headers_file {
        Some(path) => parse_headers(&utf8(read_file(path)?, &path.display().to_string())?)?,
        None => HeaderMap::new(),
    };
    match a.api {
        ParseApi::Realnameauth => parse_realnameauth(a, status, &headers),
        ParseApi::Nameauth => parse_nameauth(a, status, &headers),
        ParseApi::Querymchrisk => parse_querymchrisk(a, status, &headers),
        ParseApi::CustomsVerify | ParseApi::PreEntrust => parse_v3(a, status, &headers),
        ParseApi::PayNotify => crate::notify::pay_notify(a),
        ParseApi::RefundNotify => crate::notify::refund_notify(a),
        ParseApi::Notify => crate::notify::v3_notify(a, &headers, v3_key(a, status, &headers)?),
    }
}

/// A flag that the API cannot use is a mistake worth reporting (e.g. a v3 certificate given
/// for an unsigned v2 reply would otherwise suggest a check that never happens).
fn refuse_unused_flags(a: &ParseArgs) -> Result<(), Failure> {
    let v2_key = a.key.key.is_some() || a.key.key_file.is_some();
    let v3_key = a.certificate.is_some() || a.public_key.is_some();
    let given = [
        ("--key/--key-file", v2_key),
        ("--sign-type", a.sign_type.is_some()),
        ("--certificate/--public-key", v3_key),
        ("--now", a.now.is_some()),
        ("--headers-file", a.headers_file.is_some()),
        ("--mch-id", a.mch_id.is_some()),
        ("--appid", a.appid.is_some()),
        ("--openid", a.openid.is_some()),
        ("--show-messages", a.show_messages),
        // Only the file: WXPAY_APIV3_KEY may be set in the environment for other commands.
        (
            "--apiv3-key/--apiv3-key-file",
            a.apiv3.apiv3_key_file.is_some(),
        ),
    ];
    let allowed: &[&str] = match a.api {
        ParseApi::Realnameauth => &[
            "--key/--key-file",
            "--sign-type",
            "--headers-file",
            "--mch-id",
            "--appid",
            "--openid",
        ],
        ParseApi::Nameauth => &["--headers-file"],
        ParseApi::Querymchrisk => &["--headers-file", "--mch-id"],
        ParseApi::CustomsVerify => &[
            "--certificate/--public-key",
            "--now",
            "--headers-file",
            "--mch-id",
            "--appid",
            "--show-messages",
        ],
        ParseApi::PreEntrust => &[
            "--certificate/--public-key",
            "--now",
            "--headers-file",
            "--show-messages",
        ],
        ParseApi::PayNotify => &["--key/--key-file", "--sign-type"],
        ParseApi::RefundNotify => &["--key/--key-file", "--mch-id", "--appid"],
        ParseApi::Notify => &[
            "--certificate/--public-key",
            "--now",
            "--headers-file",
            "--apiv3-key/--apiv3-key-file",
        ],
    };
    match given
        .iter()
        .find(|(name, on)| *on && !allowed.contains(name))
    {
        Some((name, _)) => Err(Failure::usage(format!(
            "parse {}: {name} does not apply to this API",
            a.api.name()
        ))),
        None => Ok(()),
    }
}

/// An id the reply echoes must equal the one given on the command line.
fn check_echo(
    api: ParseApi,
    field: &str,
    flag: &str,
    given: Option<&str>,
    got: &str,
) -> Result<(), Failure> {
    match given {
        Some(want) if !got.is_empty() && got != want => Err(Failure::invalid(format!(
            "parse {}: the reply's {field} differs from {flag}",
            api.name()
        ))),
        _ => Ok(()),
    }
}

/// A merchant context for reading replies: the `--mch-id` if given (read_reply never compares
/// it; the echo checks below do), else a placeholder id.
fn merchant_for(a: &ParseArgs) -> Result<Merchant, Failure> {
    Merchant::new(a.mch_id.as_deref().unwrap_or("0"))
        .map_err(|e| Failure::usage(format!("--mch-id: {e}")))
}

/// WeChat Pay's failure answers are outcomes of the API (exit 0); everything else about the
/// reply is "not a valid reply" (exit 1).
fn failure_or_invalid(api: ParseApi, e: ApiError, show_messages: bool) -> Outcome {
    let Some(f) = e.failure() else {
        return Err(match e {
            ApiError::V3Reply(ResponseError::Verify(v)) => Failure::invalid(format!(
                "parse {}: not a valid reply: signature: {}",
                api.name(),
                verify_error(v, None).message()
            )),
            e => invalid(api, e),
        });
    };
    let disposition = Value::String(e.disposition().to_string());
    let retryable = Value::Bool(e.is_retryable());
    // A business failure of a signed v2 endpoint was verified before it was read.
    let authenticated =
        matches!(api, ParseApi::Realnameauth) && matches!(f, WeChatFailure::Business { .. });
    let (kind, fields) = match f {
        WeChatFailure::Return {
            return_code,
            return_msg,
        } => (
            "return_fail",
            kv([
                ("return_code", s(return_code)),
                ("return_msg", Value::from(return_msg)),
            ]),
        ),
        WeChatFailure::Business {
            err_code,
            err_code_des,
        } => (
            "business_fail",
            kv([
                (
                    "err_code",
                    Value::from(err_code.as_ref().map(|c| c.as_str().to_owned())),
                ),
                ("err_code_des", Value::from(err_code_des)),
            ]),
        ),
        WeChatFailure::NameAuth(code) => (
            "service_error",
            kv([
                // A number on the wire: print it as one.
                (
                    "error_code",
                    code.as_str()
                        .parse::<i64>()
                        .map_or_else(|_| s(code.as_str()), Value::from),
                ),
                ("message", s(&f.to_string())),
            ]),
        ),
        WeChatFailure::V3(r) => ("error", v3_failure_fields(r, show_messages)),
        other => ("error", kv([("message", s(&other.to_string()))])),
    };
    let mut all = kv([("authenticated", Value::Bool(authenticated))]);
    all.extend(fields);
    all.extend(kv([("disposition", disposition), ("retryable", retryable)]));
    json_output(&outcome(api, kind, all))
}

fn parse_realnameauth(a: &ParseArgs, status: StatusCode, headers: &HeaderMap) -> Outcome {
    let api = ParseApi::Realnameauth;
    let merchant = merchant_for(a)?.with_api_v2_key(api_v2_key(&a.key)?);
    let body = read_stdin()?;
    let response = ResponseRef::new(status, headers, &body);
    let now = a.now.map_or_else(os::now, UnixTime::from_secs);
    let options = realnameauth::RealNameAuthReplyOptions::signed_with(a.sign_type.map(Into::into));
    let out = match wechatpay_sansio::api::read_reply_with::<realnameauth::RealNameAuthRequest>(
        &merchant, response, now, &options,
    ) {
        Ok(o) => o,
        Err(e) => return failure_or_invalid(api, e, a.show_messages),
    };
    check_echo(api, "mch_id", "--mch-id", a.mch_id.as_deref(), &out.mch_id)?;
    check_echo(api, "appid", "--appid", a.appid.as_deref(), &out.appid)?;
    check_echo(api, "openid", "--openid", a.openid.as_deref(), &out.openid)?;
    let list = |v: Vec<Value>| Value::Array(v);
    json_output(&outcome(
        api,
        "success",
        kv([
            ("authenticated", Value::Bool(true)),
            ("is_match", Value::Bool(out.is_match())),
            ("decision", s(&format!("{:?}", out.decision()))),
            ("mch_id", s(&out.mch_id)),
            ("appid", s(&out.appid)),
            ("openid", s(&out.openid)),
            (
                "verify_openid",
                list(out.verify_openid.iter().map(|v| s(v.as_str())).collect()),
            ),
            (
                "verify_real_name",
                Value::from(out.verify_real_name.as_ref().map(|v| v.as_str().to_owned())),
            ),
            (
                "bind_bankcard",
                Value::from(out.bind_bankcard.as_ref().map(|v| v.as_str().to_owned())),
            ),
        ]),
    ))
}

fn parse_nameauth(a: &ParseArgs, status: StatusCode, headers: &HeaderMap) -> Outcome {
    use nameauth::{NameAuthStatus as S, UnverifiedReason as R};
    let api = ParseApi::Nameauth;
    let merchant = merchant_for(a)?;
    let body = read_stdin()?;
    let now = os::now();
    let out = match nameauth::read_reply(&merchant, ResponseRef::new(status, headers, &body), now) {
        Ok(o) => o,
        Err(e) => return failure_or_invalid(api, e, a.show_messages),
    };
    let (status_name, reason, raw) = match &out.status {
        S::Verified => ("verified", None, None),
        S::NameMismatch => ("name_mismatch", None, None),
        S::IdMismatch => ("id_mismatch", None, None),
        S::NameAndIdMismatch => ("name_and_id_mismatch", None, None),
        S::UnverifiedButMatching => ("unverified_but_matching", None, None),
        S::Unverified(r) => {
            let reason = match r {
                R::Status3 => "nameauth_status_3",
                R::ForeignCard => "foreign_card",
                R::BankNotSupported => "bank_not_supported",
                R::AccountNotRegistered => "account_not_registered",
                R::NotVerified => "not_verified",
                R::NoSuchUser => "no_such_user",
            };
            ("unverified", Some(reason), None)
        }
        S::Other {
            nameauth_status,
            notmatch_param,
        } => ("other", None, Some((nameauth_status, notmatch_param))),
    };
    let mut fields = kv([
        ("authenticated", Value::Bool(false)),
        ("status", s(status_name)),
        ("letter", Value::from(out.status.letter().map(String::from))),
        ("reason", Value::from(reason)),
        (
            "name_mask",
            if out.name_mask.is_empty() {
                s("")
            } else {
                redacted()
            },
        ),
    ]);
    if let Some((st, nm)) = raw {
        fields.extend(kv([("nameauth_status", s(st)), ("notmatch_param", s(nm))]));
    }
    json_output(&outcome(api, "success", fields))
}

fn parse_querymchrisk(a: &ParseArgs, status: StatusCode, headers: &HeaderMap) -> Outcome {
    let api = ParseApi::Querymchrisk;
    let merchant = merchant_for(a)?;
    let body = read_stdin()?;
    let response = ResponseRef::new(status, headers, &body);
    let out = match querymchrisk::read_reply(&merchant, response, os::now()) {
        Ok(o) => o,
        Err(e) => return failure_or_invalid(api, e, a.show_messages),
    };
    check_echo(api, "mch_id", "--mch-id", a.mch_id.as_deref(), &out.mch_id)?;
    json_output(&outcome(
        api,
        "success",
        kv([
            ("authenticated", Value::Bool(false)),
            ("mch_id", s(&out.mch_id)),
            ("risk_level", s(out.risk_level.as_str())),
            ("risk_level_desc", s(&out.risk_level_desc)),
        ]),
    ))
}

/// The one WeChat Pay key given on the command line, filed under its id (a bare public key
/// under the id the reply's `Wechatpay-Serial` names), or none.
fn v3_key(
    a: &ParseArgs,
    status: StatusCode,
    headers: &HeaderMap,
) -> Result<Option<WechatPayKey>, Failure> {
    if let Some(path) = &a.certificate {
        let pem = read_file(path)?;
        let cert = PlatformCertificate::from_pem(&pem)
            .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
        return Ok(Some(WechatPayKey::certificate(&cert)));
    }
    if let Some(path) = &a.public_key {
        let given = any_public_key(path)?;
        // A certificate given as --public-key keeps its validity where a signature is verified
        // (2xx replies), as with --certificate.
        if status.is_success() {
            given.check_valid_at(a.now.map_or_else(os::now, UnixTime::from_secs), path)?;
        }
        let key = given.key;
        let serial = headers
            .get(&WECHATPAY_SERIAL)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(PLACEHOLDER_KEY_ID);
        let id = KeyId::new(serial)
            .map_err(|e| Failure::usage(format!("the reply's Wechatpay-Serial: {e}")))?;
        return Ok(Some(WechatPayKey::public_key(id, key)));
    }
    Ok(None)
}

/// WeChat Pay's free-form texts (`message`, `detail.issue`) may quote the submitted value (a
/// name, an ID number): printed as [`redacted`] unless `--show-messages`. The code, the status,
/// `detail.field` and `detail.location` are always printed; `detail.value` never.
fn v3_failure_fields(f: &ErrorReply, show_messages: bool) -> Vec<(String, Value)> {
    let text = |t: &str| if show_messages { s(t) } else { redacted() };
    let detail = f.detail.as_ref().map(|d| {
        let mut m = Map::new();
        m.insert("field".to_owned(), Value::from(d.field.clone()));
        m.insert(
            "issue".to_owned(),
            d.issue.as_deref().map_or(Value::Null, text),
        );
        m.insert("location".to_owned(), Value::from(d.location.clone()));
        m.insert(
            "value".to_owned(),
            if d.value.is_some() {
                redacted()
            } else {
                Value::Null
            },
        );
        Value::Object(m)
    });
    kv([
        ("status", Value::from(f.status)),
        ("code", s(f.code.as_str())),
        ("message", text(&f.message)),
        ("detail", Value::from(detail)),
    ])
}

fn parse_v3(a: &ParseArgs, status: StatusCode, headers: &HeaderMap) -> Outcome {
    let api = a.api;
    let key = v3_key(a, status, headers)?;
    if status.is_success() {
        let need = match (&key, &a.headers_file) {
            (None, _) => Some("--certificate or --public-key, and --headers-file"),
            (Some(_), None) => Some("--headers-file"),
            _ => None,
        };
        if let Some(need) = need {
            return Err(Failure::usage(format!(
                "parse {}: a {} reply must have its signature verified: give {need} with the \
                 reply's Wechatpay-* headers (error replies can be read without them)",
                api.name(),
                status.as_u16()
            )));
        }
    }
    let key_id = key.as_ref().map(|k| k.id().clone());
    let mut merchant = merchant_for(a)?;
    if let Some(k) = key {
        merchant = merchant.with_wechatpay_key(k);
    }
    let now = a.now.map_or_else(os::now, UnixTime::from_secs);
    let body = read_stdin()?;
    let response = ResponseRef::new(status, headers, &body);
    let map_err = |e: ApiError| -> Outcome {
        match e {
            ApiError::V3Reply(ResponseError::Verify(v)) => Err(Failure::invalid(format!(
                "parse {}: not a valid reply: signature: {}",
                api.name(),
                verify_error(v, key_id.as_ref()).message()
            ))),
            e => failure_or_invalid(api, e, a.show_messages),
        }
    };
    if api == ParseApi::PreEntrust {
        return match pre_entrust::read_reply(&merchant, response, now) {
            Ok(o) => json_output(&outcome(
                api,
                "success",
                kv([
                    ("authenticated", Value::Bool(true)),
                    ("pre_entrustweb_id", s(&o.pre_entrustweb_id)),
                ]),
            )),
            Err(e) => map_err(e),
        };
    }
    let o = match customs::read_reply(&merchant, response, now) {
        Ok(o) => o,
        Err(e) => return map_err(e),
    };
    check_echo(api, "mchid", "--mch-id", a.mch_id.as_deref(), &o.mchid)?;
    check_echo(api, "appid", "--appid", a.appid.as_deref(), &o.appid)?;
    json_output(&outcome(
        api,
        "success",
        kv([
            ("authenticated", Value::Bool(true)),
            ("is_same", Value::Bool(o.is_same())),
            (
                "certificate_check_result",
                s(o.certificate_check_result.as_str()),
            ),
            ("appid", s(&o.appid)),
            ("mchid", s(&o.mchid)),
            ("out_trade_no", s(&o.out_trade_no)),
            ("transaction_id", s(&o.transaction_id)),
            ("sub_order_no", Value::from(o.sub_order_no.clone())),
        ]),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_shape() {
        let v = outcome(
            ParseApi::Realnameauth,
            "success",
            [("real_name".to_owned(), redacted())],
        );
        let text = String::from_utf8(json_output(&v).unwrap()).unwrap();
        assert!(text.contains("\"api\": \"realnameauth\""));
        assert!(text.contains("\"real_name\": \"<redacted>\""));
        assert!(text.ends_with("}\n"));
    }
}
