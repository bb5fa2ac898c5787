//! The v3 signed message, defined once. Every v3 signature — the merchant's `Authorization`
//! ([`crate::v3::auth`]), WeChat Pay's signature on replies and notifications
//! ([`crate::v3::verify`], [`crate::v3::notify`]), the front-end `paySign` ([`crate::paysign`])
//! — covers lines, each followed by `\n` (the last one included):
//!
//! | message | lines |
//! |---|---|
//! | request | `METHOD`, `PATH?QUERY`, `TIMESTAMP`, `NONCE`, `BODY` |
//! | response, notification | `TIMESTAMP`, `NONCE`, `BODY` |
//! | JSAPI / mini-program / APP pay sign | `APPID`, `TIMESTAMP`, `NONCE`, `PACKAGE` (APP: the prepay id) |
//!
//! Signing and verification stream the lines and their `\n` into SHA-256 as parts (the message
//! is never assembled); the functions below render the same lines as bytes, for `wxpay
//! --explain` and debugging. The simulator keeps its own, independent rendering on purpose (a
//! test oracle).
//!
//! ```
//! use wechatpay_sansio::{time::UnixTime, v3::canonical::{request_message, response_message}};
//! // wechatpay-go credential test
//! let ts = UnixTime::from_secs(1624523846);
//! assert_eq!(request_message("GET", "/v3/certificates", ts, "A1B2C3D4E5F6G7", b""),
//!            b"GET\n/v3/certificates\n1624523846\nA1B2C3D4E5F6G7\n\n");
//! assert_eq!(response_message("1624523846", "n", b"{}"), b"1624523846\nn\n{}\n");
//! ```

use crate::crypto::{CryptoError, RsaPrivate as _, RsaPrivateKey, RsaPublic as _, RsaPublicKey};
use rand_core::TryCryptoRng;

/// Decimal digits of a timestamp, on the stack.
pub(crate) struct Decimal {
    buf: [u8; 20],
    start: usize,
}

impl Decimal {
    pub(crate) fn new(mut n: u64) -> Self {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        Self { buf, start: i }
    }
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }
    pub(crate) fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or("0")
    }
}

/// The most lines a v3 message has (a request's five).
const MAX_LINES: usize = 5;

/// `\n`, after every line.
const NL: &[u8] = b"\n";

/// One v3 signed message: its lines, each followed by `\n` when hashed or rendered. The
/// constructors are the one definition of which lines each message has, in which order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Message<'a> {
    lines: [&'a [u8]; MAX_LINES],
    count: usize,
}

impl<'a> Message<'a> {
    /// `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`: what a request's `Authorization`
    /// signature covers.
    pub(crate) fn request(
        method: &'a str,
        path_and_query: &'a str,
        timestamp: &'a Decimal,
        nonce: &'a str,
        body: &'a [u8],
    ) -> Self {
        Self {
            lines: [
                method.as_bytes(),
                path_and_query.as_bytes(),
                timestamp.as_bytes(),
                nonce.as_bytes(),
                body,
            ],
            count: 5,
        }
    }

    /// `TIMESTAMP\nNONCE\nBODY\n`: what WeChat Pay's signature on a reply or notification
    /// covers (`timestamp` as received in `Wechatpay-Timestamp`).
    pub(crate) fn response(timestamp: &'a str, nonce: &'a str, body: &'a [u8]) -> Self {
        Self {
            lines: [timestamp.as_bytes(), nonce.as_bytes(), body, b"", b""],
            count: 3,
        }
    }

    /// `APPID\nTIMESTAMP\nNONCE\nPACKAGE\n`: what a front-end pay sign covers (JSAPI /
    /// mini-program: `package` is `prepay_id=…`; APP: the bare prepay id).
    pub(crate) fn pay_sign(
        appid: &'a str,
        timestamp: &'a Decimal,
        nonce: &'a str,
        package: &'a str,
    ) -> Self {
        Self {
            lines: [
                appid.as_bytes(),
                timestamp.as_bytes(),
                nonce.as_bytes(),
                package.as_bytes(),
                b"",
            ],
            count: 4,
        }
    }

    /// The lines, without their `\n`.
    pub(crate) fn lines(&self) -> &[&'a [u8]] {
        self.lines.get(..self.count).unwrap_or_default()
    }

    /// Hand the message to `f` as the parts a streaming hash takes: each line, then `\n`. Built
    /// on the stack; nothing is copied.
    fn with_parts<T>(&self, f: impl FnOnce(&[&[u8]]) -> T) -> T {
        let mut parts: [&[u8]; 2 * MAX_LINES] = [NL; 2 * MAX_LINES];
        for (pair, line) in parts.chunks_exact_mut(2).zip(self.lines()) {
            if let [slot, _] = pair {
                *slot = line;
            }
        }
        f(parts.get(..2 * self.lines().len()).unwrap_or_default())
    }

    /// RSASSA-PKCS1-v1_5 / SHA-256 over the message, streamed. `rng` as in
    /// [`crate::crypto::RsaPrivate::sign_sha256`].
    pub(crate) fn sign<R: TryCryptoRng + ?Sized>(
        &self,
        key: &RsaPrivateKey,
        rng: &mut R,
    ) -> Result<Vec<u8>, CryptoError> {
        self.with_parts(|parts| key.sign_sha256(rng, parts))
    }

    /// Whether `signature` is RSASSA-PKCS1-v1_5 / SHA-256 over the message under `key`.
    pub(crate) fn verify(&self, key: &RsaPublicKey, signature: &[u8]) -> bool {
        self.with_parts(|parts| key.verify_sha256(parts, signature))
    }

    /// The message as bytes (what the hash covers), for display and debugging only.
    pub(crate) fn to_bytes(self) -> Vec<u8> {
        lines(self.lines())
    }
}

/// `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`: what a v3 request signature covers, rendered
/// (signing streams it; this is for display). `path_and_query` must be exactly what goes on the
/// wire (already percent-encoded).
#[must_use]
pub fn request_message(
    method: &str,
    path_and_query: &str,
    timestamp: crate::time::UnixTime,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let ts = Decimal::new(timestamp.as_secs());
    Message::request(method, path_and_query, &ts, nonce, body).to_bytes()
}

/// `TIMESTAMP\nNONCE\nBODY\n`: what a response or notification signature covers (`timestamp` as
/// received in `Wechatpay-Timestamp`), rendered (verification streams it; this is for display).
#[must_use]
pub fn response_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    Message::response(timestamp, nonce, body).to_bytes()
}

/// Each item followed by `\n`: the rendering of every v3 message (front-end pay signatures
/// included), for display and debugging.
///
/// ```
/// assert_eq!(wechatpay_sansio::v3::canonical::lines(&[b"1", b"2", b"3", b"4", b"5"]), b"1\n2\n3\n4\n5\n");
/// ```
#[must_use]
pub fn lines(items: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(items.iter().map(|i| i.len() + 1).sum());
    for item in items {
        out.extend_from_slice(item);
        out.extend_from_slice(NL);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts() {
        assert_eq!(
            request_message(
                "POST",
                "/v3/certificates",
                crate::time::UnixTime::from_secs(1624523846),
                "A1B2C3D4E5F6G7",
                b"Hello World!\n"
            ),
            b"POST\n/v3/certificates\n1624523846\nA1B2C3D4E5F6G7\nHello World!\n\n"
        );
        // wechatpay-axios-plugin formatter tests
        assert_eq!(lines(&[b"6", b"7", b"8", b"9", b""]), b"6\n7\n8\n9\n\n");
        assert_eq!(lines(&[b"3", b"2", b"1"]), b"3\n2\n1\n");
        assert_eq!(Decimal::new(0).as_str(), "0");
        assert_eq!(
            Message::pay_sign("wx1", &Decimal::new(7), "n", "prepay_id=p").to_bytes(),
            b"wx1\n7\nn\nprepay_id=p\n"
        );
        assert_eq!(Decimal::new(u64::MAX).as_str(), "18446744073709551615");
    }

    /// What is hashed (the parts, concatenated) is what is rendered, for every message kind.
    #[test]
    fn parts_are_the_rendered_bytes() {
        let ts = Decimal::new(1624523846);
        for m in [
            Message::request("GET", "/v3/x?a=1", &ts, "N", b""),
            Message::request("POST", "/", &ts, "", "体\n{}\n".as_bytes()),
            Message::response("1624523846", "n", b"{}"),
            Message::response("", "", b""),
            Message::pay_sign("wx1", &ts, "n", "prepay_id=p"),
        ] {
            let hashed = m.with_parts(|parts| {
                assert_eq!(parts.len(), 2 * m.lines().len());
                parts.concat()
            });
            assert_eq!(hashed, m.to_bytes());
            assert_eq!(
                hashed.iter().filter(|&&b| b == b'\n').count(),
                m.lines()
                    .iter()
                    .map(|l| l.iter().filter(|&&b| b == b'\n').count() + 1)
                    .sum::<usize>()
            );
        }
        assert_eq!(Message::request("", "", &ts, "", b"").lines().len(), 5);
        assert_eq!(Message::response("", "", b"").lines().len(), 3);
        assert_eq!(Message::pay_sign("", &ts, "", "").lines().len(), 4);
    }
}
