//! [`BillVerifier`]: a bill download checked as it streams — GZIP inflated on the fly, the
//! original bill hashed, the digest compared (constant time) with the `hash_value` of the signed
//! apply reply at [`BillVerifier::finish`]; [`EncryptedBillVerifier`] decrypts the sub-merchant
//! fund-flow bill (AES-256-GCM) on the way in. Memory is constant whatever the size: the GZIP
//! window and buffers, the digest state, the decryptor's 16-byte hold-back.

use crate::cipher::CipherError;
use crate::crypto::{self, Aes256GcmDecryptStream, StreamError};
use crate::error::{Classify, Disposition};
use crate::untrusted_text::Shown;
use std::io::{self, Write};

use super::HashType;

/// The largest GZIP header this crate reads (the file name and comment WeChat Pay does not
/// send): a header that never ends must not grow the memory.
const MAX_GZIP_HEADER: u64 = 64 * 1024;

/// Why a bill cannot be used: its download does not match the signed digest, does not
/// decompress or decrypt, or its text is not the documented layout. None of these carries a
/// value of the bill or a key.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BillError {
    /// The apply reply names a digest this crate cannot compute (only `SHA1` is documented).
    #[error(
        "hash_type {} is not supported (only SHA1): the bill cannot be checked; do not import it, upgrade wechatpay-sansio",
        Shown(.0)
    )]
    UnsupportedHashType(String),
    /// `hash_value` is not 40 hexadecimal digits.
    #[error("hash_value is not a SHA1 in hexadecimal: apply for the bill again; do not import it")]
    HashValue,
    /// The bill's digest differs from `hash_value`: a corrupt, truncated or altered download.
    #[error(
        "the bill's SHA1 differs from hash_value: the download is corrupt or altered; download it again (apply again if the link expired), do not import it"
    )]
    Mismatch,
    /// The GZIP download does not decompress (a bad header, a corrupt deflate stream, a wrong
    /// CRC or length, truncated, or bytes after its end).
    #[error("the GZIP download is corrupt or truncated: download it again; do not import it")]
    Gzip,
    /// The encrypted bill does not authenticate (AES-256-GCM tag): altered or truncated.
    #[error(
        "the encrypted bill does not authenticate: the download is corrupt or altered; download it again, do not import it"
    )]
    Decrypt,
    /// The bill's `encrypt_key` does not decrypt with the merchant private key (WeChat Pay
    /// encrypts it with the merchant's API certificate).
    #[error(
        "the bill's encrypt_key does not decrypt with the merchant private key: use the private key of the API certificate in use"
    )]
    EncryptKey(#[source] CipherError),
    /// The decrypted `encrypt_key` is not an AES-256 key.
    #[error("the bill's encrypt_key decrypts to {0} bytes, not an AES-256 key: apply again")]
    KeyLength(usize),
    /// The bill's `nonce` is empty or longer than 64 bytes.
    #[error("the bill's nonce is not usable (1 to 64 bytes): apply again")]
    Nonce,
    /// Writing the bill to the caller's output failed.
    #[error("writing the bill failed: {0}")]
    Output(io::ErrorKind),
    /// The original bill grew beyond the limit set with [`BillVerifier::max_original_size`]
    /// (a corrupt or hostile download, such as a GZIP stream that inflates without end).
    #[error(
        "the bill grew beyond the limit of {limit} bytes: a corrupt or hostile download; do not import it"
    )]
    TooLarge {
        /// The limit, in bytes of the original (inflated) bill.
        limit: u64,
    },
    /// Reading the bill failed.
    #[error("reading the bill failed: {0}")]
    Read(io::ErrorKind),
    /// The bill's text is not the documented layout (header, rows, summary header, summary).
    #[error("the bill is not in the documented layout at line {line}: {reason}")]
    Format {
        /// The line (1-based).
        line: u64,
        /// What is wrong.
        reason: &'static str,
    },
}

impl Classify for BillError {
    /// A download that does not match, decompress or decrypt, a digest that is not one, a
    /// layout that is not the documented one: [`Disposition::Untrusted`] (do not import it;
    /// download it again). A digest or a key the merchant cannot use:
    /// [`Disposition::Misconfigured`]. The caller's own reading and writing:
    /// [`Disposition::Transient`].
    fn disposition(&self) -> Disposition {
        match self {
            Self::UnsupportedHashType(_) | Self::EncryptKey(_) => Disposition::Misconfigured,
            Self::Output(_) | Self::Read(_) => Disposition::Transient,
            Self::HashValue
            | Self::Mismatch
            | Self::Gzip
            | Self::Decrypt
            | Self::KeyLength(_)
            | Self::Nonce
            | Self::TooLarge { .. }
            | Self::Format { .. } => Disposition::Untrusted,
        }
    }
}

/// `hash_value` as 20 bytes.
fn sha1_hex(hash_value: &str) -> Result<[u8; 20], BillError> {
    let b = hash_value.as_bytes();
    if b.len() != 40 {
        return Err(BillError::HashValue);
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; 20];
    for (i, pair) in b.chunks_exact(2).enumerate() {
        match (nibble(pair[0]), nibble(pair[1])) {
            (Some(h), Some(l)) => out[i] = h << 4 | l,
            _ => return Err(BillError::HashValue),
        }
    }
    Ok(out)
}

/// The original bill's digest, then the caller's output.
struct Digest<W> {
    sha1: crypto::Sha1,
    out: W,
    /// The output's failure (told apart from a GZIP failure, which reaches us the same way).
    failed: Option<BillError>,
    /// Original bytes so far, and the most allowed.
    written: u64,
    limit: u64,
}

impl<W: Write> Write for Digest<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.written = self.written.saturating_add(buf.len() as u64);
        if self.written > self.limit {
            self.failed = Some(BillError::TooLarge { limit: self.limit });
            return Err(io::ErrorKind::FileTooLarge.into());
        }
        self.sha1.update(buf);
        if let Err(e) = self.out.write_all(buf) {
            self.failed = Some(BillError::Output(e.kind()));
            return Err(e);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

enum Stage<W: Write> {
    Plain(Digest<W>),
    Gzip {
        decoder: Box<flate2::write::GzDecoder<Digest<W>>>,
        /// Input bytes seen while the GZIP header is still being read.
        header: u64,
    },
}

/// A bill download checked as it streams (see the module documentation): feed the body with
/// [`BillVerifier::update`] in chunks of any size, then [`BillVerifier::finish`] gives the
/// verdict. Until `finish` returns `Ok`, treat anything read from the bill as unverified: stage
/// it, do not import it.
///
/// `gzip` says whether the download is GZIP (the apply request asked for `tar_type=GZIP`):
/// `hash_value` is the digest of the **original** bill, so a GZIP download is inflated first.
/// [`BillVerifier::with_output`] also writes the original bill to a writer (to parse its rows
/// with [`super::TradeBillReader`] afterwards); [`BillVerifier::new`] only checks.
///
/// ```
/// use wechatpay_sansio::api::bill::{BillError, BillVerifier, HashType};
/// let bill = "交易时间,商户订单号\r\n`2026-01-01 10:00:00,`T1\r\n总交易单数\r\n`1\r\n";
/// let sha1 = &BillVerifier::sha1_hex_of(bill.as_bytes());  // in real use: the signed hash_value
/// let mut v = BillVerifier::new(&HashType::Sha1, sha1, false)?;
/// for chunk in bill.as_bytes().chunks(7) {                // as the body arrives
///     v.update(chunk)?;
/// }
/// v.finish()?;                                            // the download is the bill signed for
/// let mut v = BillVerifier::new(&HashType::Sha1, sha1, false)?;
/// v.update(&bill.as_bytes()[1..])?;                       // a byte lost
/// assert_eq!(v.finish().unwrap_err(), BillError::Mismatch);
/// # Ok::<(), BillError>(())
/// ```
pub struct BillVerifier<W: Write = io::Sink> {
    expected: [u8; 20],
    stage: Stage<W>,
    failed: Option<BillError>,
}

impl<W: Write> core::fmt::Debug for BillVerifier<W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BillVerifier")
            .field("gzip", &matches!(self.stage, Stage::Gzip { .. }))
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl BillVerifier<io::Sink> {
    /// A verifier for the digest `hash_type` / `hash_value` of a signed apply reply.
    ///
    /// # Errors
    /// [`BillError::UnsupportedHashType`], [`BillError::HashValue`].
    pub fn new(hash_type: &HashType, hash_value: &str, gzip: bool) -> Result<Self, BillError> {
        Self::with_output(hash_type, hash_value, gzip, io::sink())
    }

    /// The SHA1 of `bytes` in lower-case hexadecimal, as `hash_value` spells it (tests and
    /// tools that make a bill).
    ///
    /// ```
    /// use wechatpay_sansio::api::bill::BillVerifier;
    /// assert_eq!(BillVerifier::sha1_hex_of(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    /// ```
    #[must_use]
    pub fn sha1_hex_of(bytes: &[u8]) -> String {
        let mut h = crypto::Sha1::new();
        h.update(bytes);
        crypto::hex_lower(&h.finalize())
    }
}

impl<W: Write> BillVerifier<W> {
    /// A verifier that also writes the original bill (inflated when `gzip`) to `out`.
    ///
    /// ```
    /// use wechatpay_sansio::api::bill::{BillVerifier, HashType};
    /// let bill = b"\xef\xbb\xbfa,b\n`1,`2\n";
    /// let mut v = BillVerifier::with_output(&HashType::Sha1, &BillVerifier::sha1_hex_of(bill), false, Vec::new())?;
    /// v.update(bill)?;
    /// assert_eq!(v.finish()?, bill);
    /// # Ok::<(), wechatpay_sansio::api::bill::BillError>(())
    /// ```
    ///
    /// # Errors
    /// [`BillError::UnsupportedHashType`], [`BillError::HashValue`].
    pub fn with_output(
        hash_type: &HashType,
        hash_value: &str,
        gzip: bool,
        out: W,
    ) -> Result<Self, BillError> {
        if *hash_type != HashType::Sha1 {
            return Err(BillError::UnsupportedHashType(
                hash_type.as_str().chars().take(32).collect(),
            ));
        }
        let expected = sha1_hex(hash_value)?;
        let digest = Digest {
            sha1: crypto::Sha1::new(),
            out,
            failed: None,
            written: 0,
            limit: u64::MAX,
        };
        let stage = if gzip {
            Stage::Gzip {
                decoder: Box::new(flate2::write::GzDecoder::new(digest)),
                header: 0,
            }
        } else {
            Stage::Plain(digest)
        };
        Ok(Self {
            expected,
            stage,
            failed: None,
        })
    }

    /// Refuse a bill whose original (inflated) bytes exceed `limit` ([`BillError::TooLarge`]).
    /// Set one when the output is kept in memory: a GZIP download's inflated size is unverified
    /// until [`Self::finish`], and deflate can expand a thousandfold.
    ///
    /// ```
    /// use wechatpay_sansio::api::bill::{BillError, BillVerifier, HashType};
    /// let bill = b"a,b\n`1,`2\n";
    /// let mut v = BillVerifier::with_output(&HashType::Sha1, &BillVerifier::sha1_hex_of(bill), false, Vec::new())?
    ///     .max_original_size(8);
    /// assert_eq!(v.update(bill), Err(BillError::TooLarge { limit: 8 }));
    /// # Ok::<(), BillError>(())
    /// ```
    #[must_use]
    pub fn max_original_size(mut self, limit: u64) -> Self {
        match &mut self.stage {
            Stage::Plain(d) => d.limit = limit,
            Stage::Gzip { decoder, .. } => decoder.get_mut().limit = limit,
        }
        self
    }

    /// The next bytes of the download.
    ///
    /// # Errors
    /// [`BillError::Gzip`] as soon as the GZIP stream is known to be corrupt (bytes after its
    /// end included), [`BillError::Output`], [`BillError::TooLarge`]; after an error, that
    /// error again.
    pub fn update(&mut self, chunk: &[u8]) -> Result<(), BillError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let result = match &mut self.stage {
            Stage::Plain(d) => d
                .write_all(chunk)
                .map_err(|e| d.failed.clone().unwrap_or(BillError::Output(e.kind()))),
            Stage::Gzip { decoder, header } => {
                if decoder.header().is_none() {
                    *header = header.saturating_add(chunk.len() as u64);
                }
                let written = decoder.write_all(chunk);
                if decoder.header().is_none() && *header > MAX_GZIP_HEADER {
                    Err(BillError::Gzip)
                } else {
                    written.map_err(|_| decoder.get_ref().failed.clone().unwrap_or(BillError::Gzip))
                }
            }
        };
        if let Err(e) = &result {
            self.failed = Some(e.clone());
        }
        result
    }

    /// The verdict: the whole original bill hashes to `hash_value`. Returns the output writer.
    ///
    /// # Errors
    /// [`BillError::Mismatch`], [`BillError::Gzip`] (a truncated or corrupt GZIP stream),
    /// [`BillError::Output`], or the error an [`BillVerifier::update`] already returned.
    pub fn finish(self) -> Result<W, BillError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        let mut digest = match self.stage {
            Stage::Plain(d) => d,
            Stage::Gzip { mut decoder, .. } => {
                let finished = decoder.try_finish();
                if let Some(e) = &decoder.get_ref().failed {
                    return Err(e.clone());
                }
                finished.map_err(|_| BillError::Gzip)?;
                // Finished once already: this only hands back the writer.
                decoder.finish().map_err(|_| BillError::Gzip)?
            }
        };
        digest.flush().map_err(|e| BillError::Output(e.kind()))?;
        let got = digest.sha1.finalize();
        if crypto::ct_eq(&got, &self.expected) {
            Ok(digest.out)
        } else {
            Err(BillError::Mismatch)
        }
    }
}

/// The sub-merchant fund-flow bill (AES-256-GCM under the key of its `encrypt_key`, with its
/// `nonce`, no associated data) decrypted and checked as it streams: the decrypted bytes go
/// through a [`BillVerifier`], and [`EncryptedBillVerifier::finish`] checks the GCM tag (the
/// file's last 16 bytes), then the digest. Made by [`super::EncryptedBill::verifier`].
///
/// **Streaming and authentication.** GCM authenticates the whole file with a tag at its end, so
/// a streaming decryption releases plaintext before it is authenticated: the plaintext written
/// to the output is unverified until `finish` returns `Ok` (stage it, do not import it). The
/// decryption is RustCrypto's counter mode and GHASH composed as `aes-gcm` composes them, tested
/// against `aes-gcm`'s one-shot output for every split of the input.
pub struct EncryptedBillVerifier<W: Write = io::Sink> {
    gcm: Aes256GcmDecryptStream,
    inner: BillVerifier<W>,
}

impl<W: Write> core::fmt::Debug for EncryptedBillVerifier<W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EncryptedBillVerifier")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<W: Write> EncryptedBillVerifier<W> {
    pub(crate) fn new(
        key: &[u8; 32],
        nonce: &[u8],
        inner: BillVerifier<W>,
    ) -> Result<Self, BillError> {
        let gcm = Aes256GcmDecryptStream::new(key, nonce).map_err(|_| BillError::Nonce)?;
        Ok(Self { gcm, inner })
    }

    /// As [`BillVerifier::max_original_size`]: refuse a bill whose decrypted (and inflated)
    /// bytes exceed `limit`.
    #[must_use]
    pub fn max_original_size(mut self, limit: u64) -> Self {
        self.inner = self.inner.max_original_size(limit);
        self
    }

    /// The next bytes of the encrypted download.
    ///
    /// # Errors
    /// As [`BillVerifier::update`] (on unauthenticated plaintext), and [`BillError::Decrypt`]
    /// for a file longer than GCM allows.
    pub fn update(&mut self, chunk: &[u8]) -> Result<(), BillError> {
        let inner = &mut self.inner;
        self.gcm
            .update(chunk, &mut |pt: &[u8]| inner.update(pt))
            .map_err(|e| match e {
                StreamError::Out(e) => e,
                StreamError::TooLong => BillError::Decrypt,
            })
    }

    /// The verdict: the tag authenticates the file, then the original bill hashes to
    /// `hash_value`. Returns the output writer.
    ///
    /// # Errors
    /// [`BillError::Decrypt`], then as [`BillVerifier::finish`].
    pub fn finish(self) -> Result<W, BillError> {
        if let Some(e) = &self.inner.failed {
            return Err(e.clone());
        }
        self.gcm.finish().map_err(|_| BillError::Decrypt)?;
        self.inner.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_digest_forms() {
        let h = "a9993e364706816aba3e25717850c26c9cd0d89d";
        assert_eq!(sha1_hex(h).unwrap(), sha1_hex(&h.to_uppercase()).unwrap());
        for bad in ["", "a9993e", &format!("{h}0"), &h.replace('a', "g")] {
            assert_eq!(sha1_hex(bad), Err(BillError::HashValue), "{bad}");
        }
        assert!(matches!(
            BillVerifier::new(&HashType::Other("SM3".into()), h, false),
            Err(BillError::UnsupportedHashType(_))
        ));
    }

    #[test]
    fn gzip_and_plain_verdicts() {
        let bill = "交易时间,商户订单号\n`2026-01-01 10:00:00,`T1\n".repeat(500);
        let sha1 = BillVerifier::sha1_hex_of(bill.as_bytes());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(bill.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let run = |bytes: &[u8], gzip: bool| {
            let mut v =
                BillVerifier::with_output(&HashType::Sha1, &sha1, gzip, Vec::new()).unwrap();
            for c in bytes.chunks(333) {
                v.update(c)?;
            }
            v.finish()
        };
        assert_eq!(run(bill.as_bytes(), false).unwrap(), bill.as_bytes());
        assert_eq!(run(&gz, true).unwrap(), bill.as_bytes());
        // Truncated, trailing bytes, a flipped byte, not GZIP at all.
        assert_eq!(run(&gz[..gz.len() - 1], true), Err(BillError::Gzip));
        let mut longer = gz.clone();
        longer.push(0);
        assert_eq!(run(&longer, true), Err(BillError::Gzip));
        let mut flipped = gz.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0x40;
        assert!(matches!(
            run(&flipped, true),
            Err(BillError::Gzip | BillError::Mismatch)
        ));
        assert_eq!(run(bill.as_bytes(), true), Err(BillError::Gzip));
        assert_eq!(run(b"", true), Err(BillError::Gzip));
        // The GZIP of another bill: it decompresses, but the digest differs.
        let mut other = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        other.write_all(b"x").unwrap();
        assert_eq!(
            run(&other.finish().unwrap(), true),
            Err(BillError::Mismatch)
        );
    }

    #[test]
    fn a_header_that_never_ends_is_refused() {
        // FLG.FNAME set, and a name that never ends.
        let mut v = BillVerifier::new(&HashType::Sha1, &"0".repeat(40), true).unwrap();
        v.update(&[0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3]).unwrap();
        let name = vec![b'a'; 8192];
        let mut last = Ok(());
        for _ in 0..10 {
            last = v.update(&name);
        }
        assert_eq!(last, Err(BillError::Gzip));
        assert_eq!(v.finish().unwrap_err(), BillError::Gzip);
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_limit() {
        // 64 MiB of zeros deflate to about 64 KiB.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            gz.write_all(&zeros).unwrap();
        }
        let gz = gz.finish().unwrap();
        assert!(gz.len() < 1 << 17, "{}", gz.len());
        let limit = 4 << 20;
        let mut v = BillVerifier::with_output(&HashType::Sha1, &"0".repeat(40), true, Vec::new())
            .unwrap()
            .max_original_size(limit);
        let mut last = Ok(());
        for chunk in gz.chunks(8192) {
            last = v.update(chunk);
            if last.is_err() {
                break;
            }
        }
        assert_eq!(last, Err(BillError::TooLarge { limit }));
        assert_eq!(v.finish().unwrap_err(), BillError::TooLarge { limit });
        // At the limit exactly: accepted (plain).
        let bill = b"a,b\n";
        let mut v = BillVerifier::new(&HashType::Sha1, &BillVerifier::sha1_hex_of(bill), false)
            .unwrap()
            .max_original_size(bill.len() as u64);
        v.update(bill).unwrap();
        v.finish().unwrap();
    }

    #[test]
    fn output_failures_are_the_callers() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::StorageFull.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let h = BillVerifier::sha1_hex_of(b"abc");
        let mut v = BillVerifier::with_output(&HashType::Sha1, &h, false, Full).unwrap();
        assert_eq!(
            v.update(b"abc"),
            Err(BillError::Output(io::ErrorKind::StorageFull))
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"abc").unwrap();
        let mut v = BillVerifier::with_output(&HashType::Sha1, &h, true, Full).unwrap();
        let r = v.update(&gz.finish().unwrap());
        let r = r.and_then(|()| v.finish().map(|_| ()));
        assert_eq!(r, Err(BillError::Output(io::ErrorKind::StorageFull)));
    }
}
