//! The v2 signature (official rules: <https://pay.weixin.qq.com/doc/v2/merchant/4011985891>):
//! drop `sign` and empty values, sort names by raw bytes, join raw values as `k=v&…`, append
//! `&key=<APIv2 key>`, MD5 or HMAC-SHA256 (keyed by the same API key), upper-case hex.
//!
//! The canonical string is streamed into the hasher through a small stack buffer; it is never
//! assembled except by [`canonical_string_masked`], which exists for debugging ("签名错误"
//! investigations). The fields are sorted on the stack: signing a dozen fields allocates nothing.
//!
//! ```
//! use wechatpay_sansio::secret::ApiV2Key;
//! use wechatpay_sansio::v2::sign::{sign, SignType};
//! // The official example of the v2 signature rules.
//! let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
//! let params = [
//!     ("appid", "wxd930ea5d5a258f4f"), ("mch_id", "10000100"), ("device_info", "1000"),
//!     ("body", "test"), ("nonce_str", "ibuaiVcKdpRxkhJA"),
//! ];
//! assert_eq!(sign(params, &key, SignType::Md5)?.as_str(), "9A0A8659F005D6984697E2CA0A9CF3B7");
//! assert_eq!(
//!     sign(params, &key, SignType::HmacSha256)?.as_str(),
//!     "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::crypto::{self, HmacSha256, Mac as _, Md5};
use crate::error::{Classify, Disposition};
use crate::secret::ApiV2Key;
use core::fmt;

crate::wire::closed_enum!(
    /// The v2 signature algorithm, spelled on the wire as `MD5` or `HMAC-SHA256` (with a hyphen:
    /// `HMAC_SHA256` is refused by WeChat Pay with `PARAM_ERROR:sign_type`).
    ///
    /// ```
    /// use wechatpay_sansio::v2::SignType;
    /// assert_eq!(SignType::HmacSha256.as_str(), "HMAC-SHA256");
    /// assert_eq!("MD5".parse::<SignType>(), Ok(SignType::Md5));
    /// assert!("HMAC_SHA256".parse::<SignType>().is_err());
    /// ```
    pub enum SignType as "sign_type" {
        /// `MD5`: 32 upper-case hex characters.
        Md5 = "MD5",
        /// `HMAC-SHA256`: 64 upper-case hex characters.
        HmacSha256 = "HMAC-SHA256",
    }
);

impl SignType {
    /// Length of the hex signature (32 or 64).
    #[must_use]
    pub const fn hex_len(self) -> usize {
        match self {
            Self::Md5 => 32,
            Self::HmacSha256 => 64,
        }
    }

    /// The length rule used by the official SDKs when a reply does not name its algorithm:
    /// 64 characters → HMAC-SHA256, 32 → MD5, anything else → unknown.
    #[must_use]
    pub const fn from_sign_len(len: usize) -> Option<Self> {
        match len {
            64 => Some(Self::HmacSha256),
            32 => Some(Self::Md5),
            _ => None,
        }
    }
}

/// Why signing or verification failed.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// A parameter name is empty or contains `=` or `&`, which would make the sign string ambiguous.
    #[error("invalid parameter name {0:?}: must be non-empty and contain neither '=' nor '&'")]
    InvalidFieldName(String),
    /// A parameter name occurs twice.
    #[error("duplicate parameter {0:?}")]
    DuplicateField(String),
    /// The reply carries no `sign` field (or an empty one).
    #[error("the reply has no sign field")]
    Missing,
    /// The `sign` field is not hex of the length its algorithm produces.
    #[error("the sign field is not {expected} hex characters")]
    Malformed {
        /// The expected length (32 or 64).
        expected: usize,
    },
    /// The algorithm cannot be determined: no sign type given, none in the reply, and a sign
    /// that is neither 32 nor 64 characters long.
    #[error("cannot tell the sign algorithm: no sign_type and a sign of {0} characters")]
    UnknownAlgorithm(usize),
    /// The signature does not match.
    #[error(
        "signature mismatch: recomputed sign differs (wrong APIv2 key, wrong sign_type, or altered fields)"
    )]
    Mismatch,
}

impl Classify for SignError {
    /// Bad names in what the caller signs are [`Disposition::Misconfigured`]; a sign that is
    /// missing, malformed or wrong on a received body is [`Disposition::Untrusted`].
    fn disposition(&self) -> Disposition {
        match self {
            Self::InvalidFieldName(_) | Self::DuplicateField(_) => Disposition::Misconfigured,
            Self::Missing | Self::Malformed { .. } | Self::UnknownAlgorithm(_) | Self::Mismatch => {
                Disposition::Untrusted
            }
        }
    }
}

/// A computed v2 signature: 32 (MD5) or 64 (HMAC-SHA256) upper-case hex characters. Held on the
/// stack; no allocation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sign {
    buf: [u8; 64],
    len: u8,
}

impl Sign {
    fn new(digest: &[u8]) -> Self {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut buf = [0u8; 64];
        let len = digest.len() * 2;
        for (pair, b) in buf.chunks_exact_mut(2).zip(digest) {
            pair[0] = HEX[usize::from(b >> 4)];
            pair[1] = HEX[usize::from(b & 15)];
        }
        Self {
            buf,
            len: len as u8,
        }
    }

    /// The hex signature.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever written into `buf`.
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }

    /// The same signature in lower-case hex (for the legacy APIs that use a bare `md5()`).
    #[must_use]
    pub fn to_ascii_lowercase(mut self) -> Self {
        self.buf.make_ascii_lowercase();
        self
    }

    /// Constant-time comparison with a received signature, ignoring ASCII case.
    #[must_use]
    pub fn matches(&self, received: &str) -> bool {
        let received = received.as_bytes();
        if received.len() != usize::from(self.len) {
            return false;
        }
        let mut upper = [0u8; 64];
        let upper = &mut upper[..received.len()];
        upper.copy_from_slice(received);
        upper.make_ascii_uppercase();
        let mut mine = self.buf;
        mine.make_ascii_uppercase();
        crypto::ct_eq(&mine[..upper.len()], upper)
    }
}

impl fmt::Display for Sign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Sign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sign({})", self.as_str())
    }
}

/// Up to 32 `(name, value)` pairs on the stack, more on the heap: the sign string and the XML
/// builder sort the fields of a request without allocating (v2 bodies have a dozen fields).
#[allow(
    clippy::large_enum_variant,
    reason = "the inline array is the point: no allocation for up to 32 fields; the value lives on the stack of one call"
)]
pub(crate) enum SmallPairs<'a> {
    Inline([(&'a str, &'a str); INLINE], usize),
    Heap(Vec<(&'a str, &'a str)>),
}

/// Pairs held without allocating.
const INLINE: usize = 32;

impl<'a> SmallPairs<'a> {
    pub(crate) fn new() -> Self {
        Self::Inline([("", ""); INLINE], 0)
    }

    pub(crate) fn push(&mut self, pair: (&'a str, &'a str)) {
        match self {
            Self::Inline(arr, len) => {
                if let Some(slot) = arr.get_mut(*len) {
                    *slot = pair;
                    *len += 1;
                } else {
                    let mut v = Vec::with_capacity(2 * INLINE);
                    v.extend_from_slice(arr);
                    v.push(pair);
                    *self = Self::Heap(v);
                }
            }
            Self::Heap(v) => v.push(pair),
        }
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [(&'a str, &'a str)] {
        match self {
            Self::Inline(arr, len) => &mut arr[..*len],
            Self::Heap(v) => v,
        }
    }

    /// The pairs sorted by name bytes (equal names end up adjacent; callers refuse them).
    pub(crate) fn sorted(&mut self) -> &[(&'a str, &'a str)] {
        let s = self.as_mut_slice();
        s.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        s
    }
}

impl<'a> FromIterator<(&'a str, &'a str)> for SmallPairs<'a> {
    fn from_iter<I: IntoIterator<Item = (&'a str, &'a str)>>(iter: I) -> Self {
        let mut p = Self::new();
        for pair in iter {
            p.push(pair);
        }
        p
    }
}

/// Collect the participating pairs into `pairs` (in place: the array is large to move), sorted
/// by name bytes: `sign` and empty values dropped; names checked and unique.
fn canonical_pairs<'a, I>(params: I, pairs: &mut SmallPairs<'a>) -> Result<(), SignError>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    for (k, v) in params {
        // `=` and `&` are ASCII, which never occurs inside a multi-byte UTF-8 sequence.
        if k.is_empty() || k.bytes().any(|b| b == b'=' || b == b'&') {
            return Err(SignError::InvalidFieldName(k.chars().take(64).collect()));
        }
        if k != "sign" && !v.is_empty() {
            pairs.push((k, v));
        }
    }
    let sorted = pairs.sorted();
    if let Some(w) = sorted.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(SignError::DuplicateField(w[0].0.to_owned()));
    }
    Ok(())
}

/// Feed `k1=v1&k2=v2…&key=KEY` into `out`.
fn stream<F: FnMut(&[u8])>(pairs: &[(&str, &str)], key: &[u8], out: &mut Batch<F>) {
    for (k, v) in pairs {
        out.push(k.as_bytes());
        out.push(b"=");
        out.push(v.as_bytes());
        out.push(b"&");
    }
    if pairs.is_empty() {
        // The empty parameter set signs `&key=KEY` (wechatpay-axios-plugin's vector).
        out.push(b"&");
    }
    out.push(b"key=");
    out.push(key);
}

/// Size of [`Batch`]'s buffer: a multiple of the 64-byte MD5/SHA-256 block, and room for the
/// whole sign string of a typical request (≈ 30 bytes a field), so that the hasher sees one
/// `update`, as if the string had been assembled.
const CHUNK: usize = 512;

/// Batches the small pieces of the sign string (`k`, `=`, `v`, `&`) in a stack buffer and hands
/// the sink whole buffers: a hasher pays a per-call cost, and a field is four pieces. No
/// allocation; the rest is handed over and the written part (it holds the key and the values)
/// zeroized on drop.
struct Batch<F: FnMut(&[u8])> {
    buf: [u8; CHUNK],
    len: usize,
    /// How much of `buf` was ever written (what drop zeroizes).
    used: usize,
    sink: F,
}

impl<F: FnMut(&[u8])> Batch<F> {
    fn new(sink: F) -> Self {
        Self {
            buf: [0u8; CHUNK],
            len: 0,
            used: 0,
            sink,
        }
    }

    fn push(&mut self, mut data: &[u8]) {
        loop {
            let room = &mut self.buf[self.len..];
            let take = room.len().min(data.len());
            room[..take].copy_from_slice(&data[..take]);
            self.len += take;
            data = &data[take..];
            if data.is_empty() {
                return;
            }
            (self.sink)(&self.buf);
            self.len = 0;
            self.used = CHUNK;
        }
    }
}

impl<F: FnMut(&[u8])> Drop for Batch<F> {
    fn drop(&mut self) {
        if self.len > 0 {
            (self.sink)(&self.buf[..self.len]);
        }
        let used = self.used.max(self.len);
        zeroize::Zeroize::zeroize(&mut self.buf[..used]);
    }
}

/// Sign with an arbitrary key (the APIv2 key, or a legacy API's own key).
pub(crate) fn sign_with_key<'a, I>(
    params: I,
    key: &[u8],
    sign_type: SignType,
) -> Result<Sign, SignError>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut pairs = SmallPairs::new();
    canonical_pairs(params, &mut pairs)?;
    let pairs = pairs.as_mut_slice();
    Ok(match sign_type {
        SignType::Md5 => {
            let mut h = Md5::new();
            stream(pairs, key, &mut Batch::new(|b| h.update(b)));
            Sign::new(&h.finalize())
        }
        SignType::HmacSha256 => {
            let mut h = HmacSha256::new(key);
            stream(pairs, key, &mut Batch::new(|b| h.update(b)));
            Sign::new(&h.finalize())
        }
    })
}

/// Sign `params` (request fields, including `sign_type` and `nonce_str`) with the APIv2 key.
///
/// A `sign` entry and empty values are ignored; names must be unique.
///
/// # Errors
/// [`SignError::InvalidFieldName`], [`SignError::DuplicateField`].
pub fn sign<'a, I>(params: I, key: &ApiV2Key, sign_type: SignType) -> Result<Sign, SignError>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    sign_with_key(params, key.expose_secret().as_bytes(), sign_type)
}

/// The canonical string that would be hashed, with the key replaced by `***`: compare it with
/// WeChat Pay's 签名校验工具 or another SDK's output when a signature is rejected.
///
/// ```
/// use wechatpay_sansio::v2::sign::canonical_string_masked;
/// let s = canonical_string_masked([("b", "2"), ("a", "1"), ("sign", "X"), ("c", "")])?;
/// assert_eq!(s, "a=1&b=2&key=***");
/// # Ok::<(), wechatpay_sansio::v2::SignError>(())
/// ```
///
/// # Errors
/// As [`sign`].
pub fn canonical_string_masked<'a, I>(params: I) -> Result<String, SignError>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut pairs = SmallPairs::new();
    canonical_pairs(params, &mut pairs)?;
    let mut out = Vec::new();
    stream(
        pairs.as_mut_slice(),
        b"***",
        &mut Batch::new(|b| out.extend_from_slice(b)),
    );
    // Only whole UTF-8 strings were appended.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// Verify `received` against `params` in constant time.
///
/// # Errors
/// [`SignError::Malformed`] if `received` is not hex of the algorithm's length,
/// [`SignError::Mismatch`] if it is the wrong signature, or the errors of [`sign`].
pub fn verify<'a, I>(
    params: I,
    key: &ApiV2Key,
    sign_type: SignType,
    received: &str,
) -> Result<(), SignError>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    if received.len() != sign_type.hex_len() || !received.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SignError::Malformed {
            expected: sign_type.hex_len(),
        });
    }
    if sign(params, key, sign_type)?.matches(received) {
        Ok(())
    } else {
        Err(SignError::Mismatch)
    }
}

/// Verify the `sign` field of a parsed reply or notification.
///
/// The algorithm is, in order: `expected` (the sign type of the request this answers), the
/// reply's own `sign_type` field, or the length rule (64 → HMAC-SHA256, 32 → MD5). Returns the
/// algorithm used.
///
/// ```
/// use wechatpay_sansio::secret::ApiV2Key;
/// use wechatpay_sansio::v2::{sign::verify_fields, xml, SignType};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// // wechatpy's test vector
/// let reply = xml::parse(b"<xml><test1>test1</test1><test2>test2</test2>\
///                          <sign>1E3A8D73B5A4AEE787C0F68B5DAB8520</sign></xml>")?;
/// assert_eq!(verify_fields(&reply, &key, None)?, SignType::Md5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`SignError::Missing`], [`SignError::UnknownAlgorithm`], and those of [`verify`].
pub fn verify_fields(
    fields: &crate::v2::Fields<'_>,
    key: &ApiV2Key,
    expected: Option<SignType>,
) -> Result<SignType, SignError> {
    let received = fields.get_non_empty("sign").ok_or(SignError::Missing)?;
    let sign_type = expected
        .or_else(|| fields.get("sign_type").and_then(|s| s.parse().ok()))
        .or_else(|| SignType::from_sign_len(received.len()))
        .ok_or(SignError::UnknownAlgorithm(received.len()))?;
    verify(fields.iter(), key, sign_type, received)?;
    Ok(sign_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ApiV2Key {
        ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap()
    }

    #[test]
    fn wechatpy_vectors() {
        let p = [("test1", "test1"), ("test2", "test2")];
        assert_eq!(
            sign(p, &key(), SignType::Md5).unwrap().as_str(),
            "1E3A8D73B5A4AEE787C0F68B5DAB8520"
        );
        assert_eq!(
            sign(p, &key(), SignType::HmacSha256).unwrap().as_str(),
            "EDAC6D70D2FDF5A2382F8204FC96A1918017E46ACC5297F565ED1A7610ACF659"
        );
    }

    #[test]
    fn empty_parameter_set_hashes_key_suffix() {
        // wechatpay-axios-plugin: md5('', key) == md5('&key=' + key), lower-case there.
        let k = ApiV2Key::new("exposed_your_key_here_have_risks").unwrap();
        let s = sign([], &k, SignType::Md5).unwrap();
        assert_eq!(
            s.to_ascii_lowercase().as_str(),
            "b3d43c8390f26e2030d4d17bd580fbc8"
        );
    }

    #[test]
    fn sorting_is_by_raw_bytes() {
        // wechatpay-php issue #41: REMARK < RE_OPENID < re_openid < remark
        let s = canonical_string_masked([
            ("remark", "1"),
            ("re_openid", "2"),
            ("RE_OPENID", "3"),
            ("REMARK", "4"),
        ])
        .unwrap();
        assert_eq!(s, "REMARK=4&RE_OPENID=3&re_openid=2&remark=1&key=***");
        let s =
            canonical_string_masked([("rfc822", "1"), ("b", "2"), ("rfc1", "3"), ("rfc2086", "4")])
                .unwrap();
        assert_eq!(s, "b=2&rfc1=3&rfc2086=4&rfc822=1&key=***");
    }

    #[test]
    fn zero_is_not_empty() {
        let s = canonical_string_masked([("bob", "1"), ("tom", ""), ("sign", "mock"), ("n", "0")])
            .unwrap();
        assert_eq!(s, "bob=1&n=0&key=***");
    }

    #[test]
    fn errors() {
        assert_eq!(
            sign([("", "1")], &key(), SignType::Md5),
            Err(SignError::InvalidFieldName(String::new()))
        );
        assert!(matches!(
            sign([("a=b", "1")], &key(), SignType::Md5),
            Err(SignError::InvalidFieldName(_))
        ));
        assert_eq!(
            sign([("a", "1"), ("a", "2")], &key(), SignType::Md5),
            Err(SignError::DuplicateField("a".into()))
        );
        let p = [("test1", "test1"), ("test2", "test2")];
        assert_eq!(
            verify(p, &key(), SignType::Md5, "ABC"),
            Err(SignError::Malformed { expected: 32 })
        );
        assert_eq!(
            verify(p, &key(), SignType::Md5, &"Z".repeat(32)),
            Err(SignError::Malformed { expected: 32 })
        );
        assert_eq!(
            verify(p, &key(), SignType::Md5, "1E3A8D73B5A4AEE787C0F68B5DAB8521"),
            Err(SignError::Mismatch)
        );
        assert_eq!(
            verify(p, &key(), SignType::Md5, "1e3a8d73b5a4aee787c0f68b5dab8520"),
            Ok(())
        );
        for e in [
            SignError::Missing,
            SignError::UnknownAlgorithm(3),
            SignError::Mismatch,
            SignError::DuplicateField("x".into()),
        ] {
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn verify_fields_algorithm_choice() {
        use crate::v2::Fields;
        let mut f = Fields::new();
        f.insert("test1", "test1").unwrap();
        f.insert("test2", "test2").unwrap();
        assert_eq!(verify_fields(&f, &key(), None), Err(SignError::Missing));
        f.insert(
            "sign",
            "EDAC6D70D2FDF5A2382F8204FC96A1918017E46ACC5297F565ED1A7610ACF659",
        )
        .unwrap();
        assert_eq!(verify_fields(&f, &key(), None), Ok(SignType::HmacSha256));
        // The request said MD5, the reply carries a 64-char sign: refused, not silently switched.
        assert_eq!(
            verify_fields(&f, &key(), Some(SignType::Md5)),
            Err(SignError::Malformed { expected: 32 })
        );
        let mut g = Fields::new();
        g.insert("a", "1").unwrap();
        g.insert("sign", "ABCDEF").unwrap();
        assert_eq!(
            verify_fields(&g, &key(), None),
            Err(SignError::UnknownAlgorithm(6))
        );
        assert!("X".parse::<SignType>().is_err());
        assert_eq!(SignType::Md5.to_string(), "MD5");
        assert_eq!(
            format!("{:?}", sign([("a", "b")], &key(), SignType::Md5).unwrap()).len(),
            38
        );
    }

    /// Names that stress sorting by bytes: every length from 0 to 20, long shared prefixes,
    /// bytes above 0x7F, NUL, duplicates.
    fn tricky_names(seed: u64, n: usize) -> Vec<String> {
        let alphabet = ["a", "b", "_", "A", "0", "\0", "é", "\u{7f}", "~"];
        let mut x = seed | 1;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        (0..n)
            .map(|_| {
                let r = next();
                let len = (r % 21) as usize;
                let mut name = if r % 3 == 0 {
                    String::from("coupon_refund_f")
                } else {
                    String::new()
                };
                for _ in 0..len {
                    name.push_str(alphabet[(next() % alphabet.len() as u64) as usize]);
                }
                name
            })
            .collect()
    }

    #[test]
    fn sign_matches_the_assembled_string() {
        use crate::crypto::{HmacSha256, Mac as _, Md5};
        let k = key();
        for seed in 1..200u64 {
            for n in [0, 1, 4, 12, 30, 32, 33, 45] {
                let names = tricky_names(seed * 104_729 + n as u64, n);
                // Long values cross the 512-byte chunk; some are empty (dropped).
                let values: Vec<String> = (0..n)
                    .map(|i| "x&=".repeat((i * seed as usize) % 70))
                    .collect();
                let mut pairs: Vec<(&str, &str)> = names
                    .iter()
                    .zip(&values)
                    .map(|(a, b)| (a.as_str(), b.as_str()))
                    .collect();
                let mut seen = std::collections::HashSet::new();
                pairs.retain(|(a, _)| !a.is_empty() && !a.contains(['=', '&']) && seen.insert(*a));
                let mut kept: Vec<_> = pairs
                    .iter()
                    .filter(|(a, b)| *a != "sign" && !b.is_empty())
                    .collect();
                kept.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                let mut s = kept
                    .iter()
                    .map(|(a, b)| format!("{a}={b}"))
                    .collect::<Vec<_>>()
                    .join("&");
                s.push_str("&key=");
                let masked = format!("{s}***");
                s.push_str(k.expose_secret());
                assert_eq!(
                    canonical_string_masked(pairs.iter().copied()).unwrap(),
                    masked
                );
                let mut m = Md5::new();
                m.update(s.as_bytes());
                assert_eq!(
                    sign(pairs.iter().copied(), &k, SignType::Md5).unwrap(),
                    Sign::new(&m.finalize()),
                    "seed {seed}, n {n}"
                );
                let mut h = HmacSha256::new(k.expose_secret().as_bytes());
                h.update(s.as_bytes());
                assert_eq!(
                    sign(pairs.iter().copied(), &k, SignType::HmacSha256).unwrap(),
                    Sign::new(&h.finalize()),
                    "seed {seed}, n {n}"
                );
            }
        }
    }

    #[test]
    fn bad_names_and_duplicates_past_the_inline_array() {
        for bad in ["=", "&", "a=", "abcdefgh=", "abcdefghijklmno&p", "é&", ""] {
            // Refused wherever they stand, even with an empty value or as a 33rd field.
            for value in ["1", ""] {
                let names: Vec<String> = (0..32).map(|i| format!("f{i:02}")).collect();
                let mut pairs: Vec<(&str, &str)> =
                    names.iter().map(|n| (n.as_str(), "1")).collect();
                pairs.push((bad, value));
                assert!(
                    matches!(
                        sign(pairs, &key(), SignType::Md5),
                        Err(SignError::InvalidFieldName(_))
                    ),
                    "{bad:?}"
                );
            }
        }
        for good in ["a", "abcdefgh", "abcdefghi", "中文名字", "a-b.c_d"] {
            assert!(
                sign([(good, "1")], &key(), SignType::Md5).is_ok(),
                "{good:?}"
            );
        }
        let names: Vec<String> = (0..40).map(|i| format!("f{i:02}")).collect();
        let mut pairs: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "1")).collect();
        pairs.push(("f07", "2"));
        assert_eq!(
            sign(pairs, &key(), SignType::Md5),
            Err(SignError::DuplicateField("f07".into()))
        );
        // A duplicate inside the inline array, too.
        assert_eq!(
            sign([("b", "1"), ("a", "1"), ("b", "2")], &key(), SignType::Md5),
            Err(SignError::DuplicateField("b".into()))
        );
    }
}
