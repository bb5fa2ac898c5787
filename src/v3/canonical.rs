//! The strings v3 signatures cover. Every line ends in `\n`, the last one included.
//!
//! ```
//! use wechatpay_sansio::{time::UnixTime, v3::canonical::{request_message, response_message}};
//! // wechatpay-go credential test
//! let ts = UnixTime::from_secs(1624523846);
//! assert_eq!(request_message("GET", "/v3/certificates", ts, "A1B2C3D4E5F6G7", b""),
//!            b"GET\n/v3/certificates\n1624523846\nA1B2C3D4E5F6G7\n\n");
//! assert_eq!(response_message("1624523846", "n", b"{}"), b"1624523846\nn\n{}\n");
//! ```

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

/// `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`: what a v3 request signature covers.
/// `path_and_query` must be exactly what goes on the wire (already percent-encoded).
#[must_use]
pub fn request_message(
    method: &str,
    path_and_query: &str,
    timestamp: crate::time::UnixTime,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let ts = Decimal::new(timestamp.as_secs());
    lines(&[
        method.as_bytes(),
        path_and_query.as_bytes(),
        ts.as_bytes(),
        nonce.as_bytes(),
        body,
    ])
}

/// `TIMESTAMP\nNONCE\nBODY\n`: what a response or notification signature covers (`timestamp` as
/// received in `Wechatpay-Timestamp`).
#[must_use]
pub fn response_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    lines(&[timestamp.as_bytes(), nonce.as_bytes(), body])
}

/// Each item followed by `\n` (front-end pay signatures use the same shape).
///
/// ```
/// assert_eq!(wechatpay_sansio::v3::canonical::lines(&[b"1", b"2", b"3", b"4", b"5"]), b"1\n2\n3\n4\n5\n");
/// ```
#[must_use]
pub fn lines(items: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(items.iter().map(|i| i.len() + 1).sum());
    for item in items {
        out.extend_from_slice(item);
        out.push(b'\n');
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
        assert_eq!(Decimal::new(u64::MAX).as_str(), "18446744073709551615");
    }
}
