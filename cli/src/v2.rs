//! `v2-sign`, `v2-verify`, `xml2json`, `json2xml`.

use crate::common::{
    Failure, Outcome, json_object, line, mask_pairs, note, quoted, read_stdin, secret_from,
};
use crate::{SignTypeArg, V2KeyArgs};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;
use wechatpay_sansio::secret::ApiV2Key;
use wechatpay_sansio::v2::sign::{self, SignError, SignType};
use wechatpay_sansio::v2::xml;

/// A JSON object whose values are all strings, in document order, without duplicate names.
///
/// Errors name a field and a JSON type, never a value: the input is often personal data.
pub struct FlatJson(pub Vec<(String, String)>);

/// The JSON type of a value, for error messages that must not quote it.
pub fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

impl<'de> serde::Deserialize<'de> for FlatJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl V {
            fn not_an_object<E: de::Error>(kind: &str) -> E {
                E::custom(format_args!(
                    "expected a JSON object of strings, got {kind}"
                ))
            }
        }
        impl<'de> Visitor<'de> for V {
            type Value = FlatJson;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object of string values")
            }
            // Every non-object input is refused by its type alone (serde's default messages
            // quote the value).
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<FlatJson, E> {
                Err(Self::not_an_object("a boolean"))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<FlatJson, E> {
                Err(Self::not_an_object("a number"))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<FlatJson, E> {
                Err(Self::not_an_object("a number"))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<FlatJson, E> {
                Err(Self::not_an_object("a number"))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<FlatJson, E> {
                Err(Self::not_an_object("a string"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<FlatJson, E> {
                Err(Self::not_an_object("null"))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<FlatJson, A::Error> {
                Err(Self::not_an_object("an array"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FlatJson, A::Error> {
                let mut out: Vec<(String, String)> = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    let value: serde_json::Value = map.next_value()?;
                    let shown: String = name.chars().take(64).collect();
                    let value = match value {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Number(_) => {
                            return Err(de::Error::custom(format!(
                                "field {shown:?}: values must be JSON strings, got a number \
                                 (quote it: WeChat Pay signs the text exactly as sent)"
                            )));
                        }
                        other => {
                            return Err(de::Error::custom(format!(
                                "field {shown:?}: values must be JSON strings, got {}",
                                json_kind(&other)
                            )));
                        }
                    };
                    if out.iter().any(|(k, _)| *k == name) {
                        return Err(de::Error::custom(format!("duplicate field {shown:?}")));
                    }
                    out.push((name, value));
                }
                Ok(FlatJson(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A serde_json error as a message that never quotes the input: the category and position
/// for syntax errors, our own text for shape errors.
pub fn json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Data => e.to_string(),
        Category::Eof => format!("truncated JSON (line {}, column {})", e.line(), e.column()),
        Category::Syntax | Category::Io => {
            format!("malformed JSON (line {}, column {})", e.line(), e.column())
        }
    }
}

/// Parse stdin as a flat JSON object.
fn read_flat_json() -> Result<Vec<(String, String)>, Failure> {
    let input = read_stdin()?;
    serde_json::from_slice::<FlatJson>(&input)
        .map(|f| f.0)
        .map_err(|e| {
            Failure::usage(format!(
                "stdin is not a JSON object of strings: {}",
                json_error(&e)
            ))
        })
}

pub fn api_v2_key(args: &V2KeyArgs) -> Result<ApiV2Key, Failure> {
    let raw = secret_from(
        args.key.as_deref(),
        args.key_file.as_ref(),
        "key",
        "WXPAY_KEY",
    )?;
    ApiV2Key::new(raw.as_str()).map_err(|e| Failure::usage(format!("APIv2 key: {e}")))
}

fn sign_error(e: SignError) -> Failure {
    match e {
        SignError::InvalidFieldName(_) | SignError::DuplicateField(_) => Failure::usage(e),
        _ => Failure::invalid(e),
    }
}

/// The `--explain` report shared by `v2-sign` and `v2-verify`: the canonical string, what was
/// left out, and hints for the usual causes of "签名错误".
fn explain_v2(pairs: &[(&str, &str)], sign_type: SignType) -> Result<(), Failure> {
    // Personal values (names, ID numbers, openids, tokens, …) show as their length only; the
    // names, the order and the other values are what sign errors are about.
    let shown = mask_pairs(pairs);
    let canonical = sign::canonical_string_masked(shown.iter().map(|(k, v)| (*k, v.as_str())))
        .map_err(sign_error)?;
    note(format_args!("sign type: {sign_type}"));
    note(format_args!(
        "canonical string (key masked): {}",
        quoted(canonical.as_bytes())
    ));
    let skipped: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| {
            if *k == "sign" {
                Some(format!("{k} (the signature itself)"))
            } else if v.is_empty() {
                Some(format!("{k} (empty value)"))
            } else {
                None
            }
        })
        .collect();
    if !skipped.is_empty() {
        note(format_args!("not signed: {}", skipped.join(", ")));
    }
    for (k, v) in pairs {
        if v.contains("<![CDATA[") {
            note(format_args!(
                "hint: the value of {k} contains a literal <![CDATA[ marker: the sign covers the \
                 text inside CDATA, not the markup"
            ));
        }
        if !v.is_empty() && v.trim() != *v {
            note(format_args!(
                "hint: the value of {k} has leading or trailing whitespace, which is signed as is"
            ));
        }
        if v.contains('&') || v.contains('=') {
            note(format_args!(
                "hint: the value of {k} contains '&' or '=': it is signed raw (not URL-encoded)"
            ));
        }
        if *k == "key" {
            note(
                "hint: a field named \"key\": the API key is appended by the signer, do not send it",
            );
        }
        if *k == "sign_type" && !v.is_empty() && *v != sign_type.as_str() {
            note(format_args!(
                "hint: the fields say sign_type={v} but the sign is computed with {sign_type}"
            ));
        }
    }
    Ok(())
}

/// `wxpay v2-sign`.
pub fn v2_sign(sign_type: SignTypeArg, key: &V2KeyArgs, explain: bool) -> Outcome {
    let key = api_v2_key(key)?;
    let fields = read_flat_json()?;
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let sign_type = SignType::from(sign_type);
    if explain {
        explain_v2(&pairs, sign_type)?;
    }
    let s = sign::sign(pairs.iter().copied(), &key, sign_type).map_err(sign_error)?;
    Ok(line(s))
}

/// `wxpay v2-verify`.
pub fn v2_verify(sign_type: Option<SignTypeArg>, key: &V2KeyArgs, explain: bool) -> Outcome {
    let key = api_v2_key(key)?;
    let body = read_stdin()?;
    let fields = xml::parse(&body).map_err(|e| Failure::usage(format!("stdin: {e}")))?;
    let expected = sign_type.map(SignType::from);
    if explain {
        let received = fields.get_non_empty("sign");
        let (used, why) = match (expected, fields.get("sign_type"), received) {
            (Some(t), _, _) => (Some(t), "from --sign-type"),
            (None, Some(t), _) if t.parse::<SignType>().is_ok() => {
                (t.parse().ok(), "from the reply's sign_type field")
            }
            (None, _, Some(r)) => (
                SignType::from_sign_len(r.len()),
                "from the length of the sign (32 = MD5, 64 = HMAC-SHA256)",
            ),
            _ => (None, ""),
        };
        if let Some(t) = used {
            let pairs: Vec<(&str, &str)> = fields.iter().collect();
            note(format_args!("algorithm chosen {why}"));
            explain_v2(&pairs, t)?;
            let computed = sign::sign(pairs.iter().copied(), &key, t).map_err(sign_error)?;
            note(format_args!("computed sign: {computed}"));
            note(format_args!(
                "received sign: {}",
                received.unwrap_or("(none)")
            ));
        }
    }
    let used = sign::verify_fields(&fields, &key, expected).map_err(sign_error)?;
    Ok(line(format_args!("valid ({used})")))
}

/// `wxpay xml2json`.
pub fn xml2json() -> Outcome {
    let body = read_stdin()?;
    let fields = xml::parse(&body).map_err(|e| Failure::usage(format!("stdin: {e}")))?;
    Ok(line(json_object(fields.iter())))
}

/// `wxpay json2xml`.
pub fn json2xml() -> Outcome {
    let fields = read_flat_json()?;
    let x = xml::to_xml(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| Failure::usage(format!("cannot build XML: {e}")))?;
    Ok(line(x))
}
