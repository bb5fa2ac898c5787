//! Shared plumbing: the failure type and its exit codes, reading stdin and files, secrets from
//! flags / files / environment, and the escaping used by `--explain`.

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Exit code: success (signature valid, value produced).
pub const EXIT_OK: u8 = 0;
/// Exit code: the input was understood and is invalid (bad signature, wrong key, stale, …).
pub const EXIT_INVALID: u8 = 1;
/// Exit code: unusable input or usage (malformed XML/JSON/PEM/base64, missing flags, I/O).
pub const EXIT_USAGE: u8 = 2;

/// Largest stdin or file the tool reads (the protocols' bodies are a few KiB).
const MAX_INPUT: u64 = 16 * 1024 * 1024;

/// Why a subcommand did not succeed; the message is printed as one `wxpay: …` line.
#[derive(Debug)]
pub enum Failure {
    /// Verification failed or the reply is not valid (exit 1).
    Invalid(String),
    /// The input or the command line cannot be used (exit 2).
    Usage(String),
}

impl Failure {
    pub fn invalid(msg: impl fmt::Display) -> Self {
        Self::Invalid(msg.to_string())
    }

    pub fn usage(msg: impl fmt::Display) -> Self {
        Self::Usage(msg.to_string())
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Invalid(_) => EXIT_INVALID,
            Self::Usage(_) => EXIT_USAGE,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Self::Invalid(m) | Self::Usage(m) => m,
        }
    }
}

/// What a subcommand prints on stdout when it succeeds.
pub type Outcome = Result<Vec<u8>, Failure>;

/// `text` followed by a newline, as stdout bytes.
pub fn line(text: impl fmt::Display) -> Vec<u8> {
    format!("{text}\n").into_bytes()
}

/// A diagnostic on stderr (`--explain` output, notes). Errors writing it are ignored.
pub fn note(text: impl fmt::Display) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

fn read_limited(mut r: impl Read, what: &str) -> Result<Vec<u8>, Failure> {
    let mut buf = Vec::new();
    r.by_ref()
        .take(MAX_INPUT + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Failure::usage(format!("cannot read {what}: {e}")))?;
    if buf.len() as u64 > MAX_INPUT {
        return Err(Failure::usage(format!(
            "{what} is larger than {MAX_INPUT} bytes"
        )));
    }
    Ok(buf)
}

/// All of stdin.
pub fn read_stdin() -> Result<Vec<u8>, Failure> {
    read_limited(std::io::stdin().lock(), "standard input")
}

/// All of a file.
pub fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    let f = std::fs::File::open(path)
        .map_err(|e| Failure::usage(format!("cannot open {}: {e}", path.display())))?;
    read_limited(f, &path.display().to_string())
}

/// The bytes as UTF-8 text, or a usage failure naming `what`.
pub fn utf8(bytes: Vec<u8>, what: &str) -> Result<String, Failure> {
    String::from_utf8(bytes).map_err(|e| {
        Failure::usage(format!(
            "{what} is not UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Drop one trailing line ending (`\n` or `\r\n`): what editors and `echo` add to files.
pub fn trim_line_end(s: &str) -> &str {
    s.strip_suffix('\n')
        .map(|s| s.strip_suffix('\r').unwrap_or(s))
        .unwrap_or(s)
}

/// A secret from, in order: a file, a flag, an environment variable. (clap refuses a file and a
/// flag together; an inherited environment variable is only the fallback.)
pub fn secret_from(
    value: Option<&str>,
    file: Option<&PathBuf>,
    flag: &str,
    env: &str,
) -> Result<zeroize::Zeroizing<String>, Failure> {
    if let Some(path) = file {
        let bytes = zeroize::Zeroizing::new(read_file(path)?);
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| Failure::usage(format!("{} is not UTF-8", path.display())))?;
        return Ok(zeroize::Zeroizing::new(trim_line_end(text).to_owned()));
    }
    if let Some(v) = value {
        return Ok(zeroize::Zeroizing::new(v.to_owned()));
    }
    match std::env::var(env) {
        Ok(v) => Ok(zeroize::Zeroizing::new(v)),
        Err(std::env::VarError::NotUnicode(_)) => Err(Failure::usage(format!(
            "the {env} environment variable is not UTF-8"
        ))),
        Err(std::env::VarError::NotPresent) => Err(Failure::usage(format!(
            "no key given: use --{flag}-file <FILE>, the {env} environment variable, or --{flag} <KEY>"
        ))),
    }
}

/// `bytes` as a double-quoted string with `\n`, `\r`, `\t`, `"` and `\\` escaped (and any byte
/// that is not UTF-8 as `\xNN`), so that invisible differences show in `--explain` output.
pub fn quoted(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() || c == '\u{FEFF}' || c == '\u{200B}' => {
                    out.push_str(&format!("\\u{{{:04X}}}", u32::from(c)));
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out.push('"');
    out
}

/// Field names whose values are personal data or credentials (names, ID numbers, openids,
/// phone and bank card numbers, tokens): `--explain` prints them masked. Compared without
/// regard to case, as whole names.
const PERSONAL_FIELDS: &[&str] = &[
    // names
    "real_name",
    "truename",
    "true_name",
    "name",
    "user_name",
    "username",
    "re_user_name",
    "payee_name",
    "account_name",
    // ID numbers
    "cred_id",
    "creid",
    "id_number",
    "id_card_number",
    "id_card_no",
    "id_no",
    "identity_card",
    "certificate_id",
    // openids
    "openid",
    "sub_openid",
    "sp_openid",
    "unionid",
    // phone numbers
    "mobile",
    "phone",
    "phone_number",
    "mobile_phone",
    "telephone",
    "contact_phone",
    // bank cards
    "bank_card_no",
    "bank_no",
    "enc_bank_no",
    "enc_true_name",
    "card_no",
    "bank_account",
    "account_number",
    // credentials
    "access_token",
    "refresh_token",
];

/// Whether the value of the field `name` is masked by `--explain`. `code` (the OAuth code, a
/// single-use credential) is masked in v2 fields and query strings, not in JSON bodies, where
/// `code` is a v3 error code.
pub fn is_personal(name: &str, in_json: bool) -> bool {
    PERSONAL_FIELDS.iter().any(|p| p.eq_ignore_ascii_case(name))
        || (!in_json && name.eq_ignore_ascii_case("code"))
}

/// What `--explain` prints instead of a personal value: its length only (in characters as
/// written: a JSON escape counts as its characters).
pub fn masked(value: &str) -> String {
    format!("<redacted {} chars>", value.chars().count())
}

/// v2 fields with personal values masked (for display only: never sign these).
pub fn mask_pairs<'a>(pairs: &[(&'a str, &'a str)]) -> Vec<(&'a str, String)> {
    pairs
        .iter()
        .map(|(k, v)| {
            let shown = if !v.is_empty() && is_personal(k, false) {
                masked(v)
            } else {
                (*v).to_owned()
            };
            (*k, shown)
        })
        .collect()
}

/// A path and query with the values of personal query parameters masked.
pub fn mask_query(path_and_query: &str) -> String {
    let Some((path, query)) = path_and_query.split_once('?') else {
        return path_and_query.to_owned();
    };
    let params: Vec<String> = query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, v)) if !v.is_empty() && is_personal(k, false) => format!("{k}={}", masked(v)),
            _ => p.to_owned(),
        })
        .collect();
    format!("{path}?{}", params.join("&"))
}

/// JSON text with the values of personal members masked, everything else byte for byte (so
/// that whitespace and order still show). A string or number value of a member whose name is
/// personal, at any depth, is replaced by [`masked`] (a string keeps its quotes). Works on any
/// bytes: what is not JSON passes through.
pub fn mask_json(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    // The last string was a member name, and it is personal; a ':' has been passed since.
    let (mut key_personal, mut after_colon) = (false, false);
    while i < body.len() {
        let b = body[i];
        if b == b'"' {
            // The end of the string: the next unescaped quote (or the end of the input).
            let mut j = i + 1;
            while j < body.len() && body[j] != b'"' {
                j += if body[j] == b'\\' { 2 } else { 1 };
            }
            let end = j.min(body.len());
            let content = &body[i + 1..end];
            let close = usize::from(j < body.len());
            if after_colon && key_personal {
                out.push(b'"');
                out.extend_from_slice(masked(&String::from_utf8_lossy(content)).as_bytes());
                out.extend_from_slice(&body[end..end + close]);
                (key_personal, after_colon) = (false, false);
            } else {
                out.extend_from_slice(&body[i..end + close]);
                let next = body[end + close..]
                    .iter()
                    .find(|c| !c.is_ascii_whitespace());
                if next == Some(&b':') {
                    key_personal = std::str::from_utf8(content).is_ok_and(|k| is_personal(k, true));
                }
                after_colon = false;
            }
            i = end + close;
            continue;
        }
        if b == b':' {
            after_colon = true;
        } else if after_colon && key_personal && (b.is_ascii_digit() || b == b'-') {
            let len = body[i..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || b"+-.eE".contains(c))
                .count();
            let number = String::from_utf8_lossy(&body[i..i + len]);
            out.extend_from_slice(masked(&number).as_bytes());
            i += len;
            (key_personal, after_colon) = (false, false);
            continue;
        } else if !b.is_ascii_whitespace() {
            (key_personal, after_colon) = (false, false);
        }
        out.push(b);
        i += 1;
    }
    out
}

/// A JSON string literal.
pub fn json_string(s: &str) -> String {
    // Serialising a &str cannot fail.
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

/// A flat JSON object `{"k": "v", …}` in the given order, one member per line.
pub fn json_object<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::from("{");
    let mut first = true;
    for (k, v) in pairs {
        out.push_str(if first { "\n  " } else { ",\n  " });
        first = false;
        out.push_str(&json_string(k));
        out.push_str(": ");
        out.push_str(&json_string(v));
    }
    out.push_str(if first { "}" } else { "\n}" });
    out
}

/// A pretty-printed JSON value followed by a newline (the `parse` output).
pub fn json_output(value: &serde_json::Value) -> Outcome {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::usage(format!("cannot serialise the result: {e}")))?;
    text.push('\n');
    Ok(text.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_the_shape() {
        assert_eq!(
            String::from_utf8(mask_json(
                br#"{"a":"x","openid" : "o1\"2", "p":{"Mobile":138, "name":null},"o":["openid"]}"#
            ))
            .unwrap(),
            r#"{"a":"x","openid" : "<redacted 5 chars>", "p":{"Mobile":<redacted 3 chars>, "name":null},"o":["openid"]}"#
        );
        assert_eq!(mask_json(b"\"unterminated"), b"\"unterminated");
        assert_eq!(mask_json(br#"{"openid":"#), br#"{"openid":"#);
        assert_eq!(
            String::from_utf8(mask_json(br#"{"openid":"abc"#)).unwrap(),
            r#"{"openid":"<redacted 3 chars>"#
        );
        assert_eq!(
            mask_query("/p?code=abc&openid=&x=1"),
            "/p?code=<redacted 3 chars>&openid=&x=1"
        );
        assert_eq!(mask_query("/p"), "/p");
        assert_eq!(
            mask_pairs(&[("CODE", "c"), ("appid", "wx")]),
            [
                ("CODE", "<redacted 1 chars>".to_owned()),
                ("appid", "wx".to_owned())
            ]
        );
    }

    #[test]
    fn quoting_shows_invisible_bytes() {
        assert_eq!(
            quoted(b"a\nb\"\\\t\r\xff\x01"),
            r#""a\nb\"\\\t\r\xFF\u{0001}""#
        );
        assert_eq!(quoted("中文".as_bytes()), "\"中文\"");
        assert_eq!(trim_line_end("k\r\n"), "k");
        assert_eq!(trim_line_end("k\n\n"), "k\n");
        assert_eq!(json_object([]), "{}");
        assert_eq!(json_object([("a", "\"")]), "{\n  \"a\": \"\\\"\"\n}");
    }
}
