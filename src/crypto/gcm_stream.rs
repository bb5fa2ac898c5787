//! AES-256-GCM decryption of a stream whose tag is its last 16 bytes (the encrypted bill files):
//! RustCrypto's `aes` block cipher, `ctr`'s 32-bit big-endian counter mode and `ghash`, composed
//! exactly as `aes-gcm` composes them (NIST SP 800-38D §7.2; `aes-gcm`'s `init_ctr` and
//! `compute_tag`), but fed chunk by chunk: the counter mode and GHASH carry their state between
//! chunks, the last 16 bytes seen are held back as the candidate tag, and the tag is compared
//! (constant time) only at `finish`. Memory is constant whatever the length.
//!
//! Plaintext is released **before** the tag is checked (that is what streaming means): the
//! caller must treat it as unauthenticated until `finish` returns `Ok` — the bill verifier only
//! hashes it and gives its verdict after `finish`. The tests compare every output with
//! `aes-gcm`'s one-shot decryption, for every split of the input.

use super::CryptoError;
use aes::Aes256;
use aes::cipher::{KeyIvInit as _, StreamCipher as _};
use ghash::GHash;
use ghash::universal_hash::UniversalHash as _;
use zeroize::Zeroize as _;

/// The tag length.
const TAG: usize = 16;
/// The plaintext decrypted per step (on the stack).
const STEP: usize = 8192;
/// GCM's plaintext limit: 2^39 − 256 bits, i.e. 2^36 − 32 bytes.
const P_MAX: u64 = (1 << 36) - 32;

/// Why [`Aes256GcmDecryptStream::update`] stopped.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum StreamError<E> {
    /// The plaintext's consumer failed.
    Out(E),
    /// More than GCM allows under one nonce (64 GiB).
    TooLong,
}

/// The streaming decryptor (see the module documentation).
pub(crate) struct Aes256GcmDecryptStream {
    ctr: ctr::Ctr32BE<Aes256>,
    ghash: GHash,
    /// `E(K, J0)`: XORed into GHASH's output to give the tag.
    mask: [u8; TAG],
    /// Ciphertext bytes not yet hashed (GHASH takes whole blocks until the end).
    partial: [u8; TAG],
    partial_len: usize,
    /// The last bytes seen: the tag, if the stream ends here.
    tail: [u8; TAG],
    tail_len: usize,
    /// Ciphertext bytes released so far.
    len: u64,
}

impl Drop for Aes256GcmDecryptStream {
    fn drop(&mut self) {
        self.mask.zeroize();
        self.partial.zeroize();
    }
}

impl Aes256GcmDecryptStream {
    /// A decryptor for `key` and `nonce` (any length from 1 to 64 bytes: 12 is GCM's usual
    /// length, the bill files use 16), with empty associated data.
    pub(crate) fn new(key: &[u8; 32], nonce: &[u8]) -> Result<Self, CryptoError> {
        use aes::cipher::{BlockCipherEncrypt as _, KeyInit as _};
        if nonce.is_empty() || nonce.len() > 64 {
            return Err(CryptoError::Decrypt);
        }
        let cipher = Aes256::new(key.into());
        let mut h = ghash::Key::default();
        cipher.encrypt_block(&mut h);
        let ghash = GHash::new(&h);
        h.zeroize();
        // J0 (SP 800-38D §7.2 step 2).
        let mut j0 = ghash::Block::default();
        if nonce.len() == 12 {
            j0[..12].copy_from_slice(nonce);
            j0[15] = 1;
        } else {
            let mut g = ghash.clone();
            g.update_padded(nonce);
            let mut lengths = ghash::Block::default();
            lengths[8..].copy_from_slice(&((nonce.len() as u64) * 8).to_be_bytes());
            g.update(&[lengths]);
            j0 = g.finalize();
        }
        let mut ctr = ctr::Ctr32BE::<Aes256>::new(key.into(), &j0);
        // For a nonce other than 12 bytes, J0 is a GHASH under H of a public value.
        j0[..].zeroize();
        // The first keystream block, E(K, J0), masks the tag; the data starts at inc32(J0).
        let mut mask = [0u8; TAG];
        ctr.try_apply_keystream(&mut mask)
            .map_err(|_| CryptoError::Decrypt)?;
        Ok(Self {
            ctr,
            ghash,
            mask,
            partial: [0; TAG],
            partial_len: 0,
            tail: [0; TAG],
            tail_len: 0,
            len: 0,
        })
    }

    /// Feed the next bytes of `ciphertext ‖ tag`; plaintext (unauthenticated until
    /// [`Self::finish`]) goes to `out`, in order, in pieces of at most 8 KiB.
    pub(crate) fn update<E>(
        &mut self,
        mut input: &[u8],
        out: &mut impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), StreamError<E>> {
        // Release what can no longer be part of the tag: the held-back bytes first.
        if self.tail_len + input.len() <= TAG {
            self.tail[self.tail_len..self.tail_len + input.len()].copy_from_slice(input);
            self.tail_len += input.len();
            return Ok(());
        }
        let release = self.tail_len + input.len() - TAG;
        let from_tail = release.min(self.tail_len);
        if from_tail > 0 {
            let held = self.tail;
            self.decrypt(&held[..from_tail], out)?;
            self.tail.copy_within(from_tail..self.tail_len, 0);
            self.tail_len -= from_tail;
        }
        let from_input = release - from_tail;
        self.decrypt(&input[..from_input], out)?;
        input = &input[from_input..];
        // What is left (at most TAG bytes with the rest of the tail) is the new tail.
        self.tail[self.tail_len..self.tail_len + input.len()].copy_from_slice(input);
        self.tail_len += input.len();
        Ok(())
    }

    /// Hash and decrypt ciphertext bytes known not to be the tag.
    fn decrypt<E>(
        &mut self,
        mut ct: &[u8],
        out: &mut impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), StreamError<E>> {
        self.len = self.len.saturating_add(ct.len() as u64);
        if self.len > P_MAX {
            return Err(StreamError::TooLong);
        }
        let mut buf = [0u8; STEP];
        while !ct.is_empty() {
            let n = ct.len().min(STEP);
            let (now, rest) = ct.split_at(n);
            self.hash(now);
            if self
                .ctr
                .try_apply_keystream_b2b(now, &mut buf[..n])
                .is_err()
            {
                return Err(StreamError::TooLong);
            }
            let r = out(&buf[..n]);
            buf[..n].zeroize();
            r.map_err(StreamError::Out)?;
            ct = rest;
        }
        Ok(())
    }

    /// GHASH whole blocks; keep the remainder for the next call.
    fn hash(&mut self, mut ct: &[u8]) {
        if self.partial_len > 0 {
            let take = (TAG - self.partial_len).min(ct.len());
            self.partial[self.partial_len..self.partial_len + take].copy_from_slice(&ct[..take]);
            self.partial_len += take;
            ct = &ct[take..];
            if self.partial_len < TAG {
                return;
            }
            self.ghash.update_padded(&self.partial);
            self.partial_len = 0;
        }
        let whole = ct.len() - ct.len() % TAG;
        // A multiple of the block size: `update_padded` pads nothing.
        self.ghash.update_padded(&ct[..whole]);
        let rest = &ct[whole..];
        self.partial[..rest.len()].copy_from_slice(rest);
        self.partial_len = rest.len();
    }

    /// Whether the stream ended with a full tag over everything before it: compares the tag in
    /// constant time. [`CryptoError::Decrypt`] for a stream shorter than a tag or a tag that
    /// does not match (wrong key or nonce, altered or truncated file).
    pub(crate) fn finish(mut self) -> Result<(), CryptoError> {
        if self.tail_len != TAG {
            return Err(CryptoError::Decrypt);
        }
        let mut ghash = self.ghash.clone();
        ghash.update_padded(&self.partial[..self.partial_len]);
        let mut lengths = ghash::Block::default();
        // Associated data: none. Ciphertext length in bits.
        lengths[8..].copy_from_slice(&self.len.saturating_mul(8).to_be_bytes());
        ghash.update(&[lengths]);
        let mut tag = ghash.finalize();
        for (t, m) in tag.iter_mut().zip(self.mask.iter()) {
            *t ^= m;
        }
        let ok = super::ct_eq(&tag, &self.tail);
        tag.zeroize();
        self.mask.zeroize();
        if ok {
            Ok(())
        } else {
            Err(CryptoError::Decrypt)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes_gcm::aead::{Aead as _, KeyInit as _};
    use proptest::prelude::*;

    /// `aes-gcm`'s one-shot encryption with a 12- or 16-byte nonce (the reference).
    fn seal(key: &[u8; 32], nonce: &[u8], pt: &[u8]) -> Vec<u8> {
        match nonce.len() {
            12 => aes_gcm::Aes256Gcm::new(key.into())
                .encrypt(nonce.try_into().unwrap(), pt)
                .unwrap(),
            16 => aes_gcm::AesGcm::<Aes256, aes_gcm::aead::consts::U16>::new(key.into())
                .encrypt(nonce.try_into().unwrap(), pt)
                .unwrap(),
            _ => unreachable!(),
        }
    }

    fn open(key: &[u8; 32], nonce: &[u8], chunks: &[&[u8]]) -> Result<Vec<u8>, CryptoError> {
        let mut s = Aes256GcmDecryptStream::new(key, nonce)?;
        let mut out = Vec::new();
        for c in chunks {
            s.update(c, &mut |p: &[u8]| {
                out.extend_from_slice(p);
                Ok::<(), ()>(())
            })
            .map_err(|_| CryptoError::Decrypt)?;
        }
        s.finish().map(|()| out)
    }

    #[test]
    fn agrees_with_aes_gcm_one_shot() {
        let key = [7u8; 32];
        for nonce in [&b"0123456789ab"[..], &b"a8607ef79034c49c"[..]] {
            for len in [0usize, 1, 15, 16, 17, 31, 32, 33, 8191, 8192, 8193, 20_000] {
                let pt: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
                let ct = seal(&key, nonce, &pt);
                assert_eq!(open(&key, nonce, &[&ct]).unwrap(), pt, "len {len}");
                // One byte at a time.
                let bytes: Vec<&[u8]> = ct.chunks(1).collect();
                assert_eq!(open(&key, nonce, &bytes).unwrap(), pt);
                // Any flipped bit, a truncation, an extension: refused.
                let mut bad = ct.clone();
                bad[len / 2] ^= 1;
                assert_eq!(open(&key, nonce, &[&bad]), Err(CryptoError::Decrypt));
                assert_eq!(
                    open(&key, nonce, &[&ct[..ct.len() - 1]]),
                    Err(CryptoError::Decrypt)
                );
                let mut longer = ct.clone();
                longer.push(0);
                assert_eq!(open(&key, nonce, &[&longer]), Err(CryptoError::Decrypt));
                let mut other_key = key;
                other_key[0] ^= 1;
                assert_eq!(open(&other_key, nonce, &[&ct]), Err(CryptoError::Decrypt));
            }
        }
        assert!(Aes256GcmDecryptStream::new(&key, b"").is_err());
        assert_eq!(
            open(&key, b"0123456789ab", &[b"short"]),
            Err(CryptoError::Decrypt)
        );
    }

    #[test]
    fn java_sdk_vector_streams() {
        // wechatpay-java AeadAesCipherTest (tests/data/VECTORS.md), associated data empty is
        // not that vector's: re-seal its plaintext without associated data and check the
        // stream against the one-shot output under its key and nonce.
        let key = *b"a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
        let ct = seal(&key, b"uluk4a9R25RW", b"message");
        assert_eq!(open(&key, b"uluk4a9R25RW", &[&ct]).unwrap(), b"message");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_split_gives_the_one_shot_plaintext(
            pt in proptest::collection::vec(any::<u8>(), 0..3000),
            cuts in proptest::collection::vec(0usize..3100, 0..8),
            long in any::<bool>(),
        ) {
            let key = [3u8; 32];
            let nonce: &[u8] = if long { b"a8607ef79034c49c" } else { b"0123456789ab" };
            let ct = seal(&key, nonce, &pt);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(ct.len())).collect();
            cuts.sort_unstable();
            let mut chunks = Vec::new();
            let mut at = 0;
            for c in cuts {
                chunks.push(&ct[at..c]);
                at = c;
            }
            chunks.push(&ct[at..]);
            prop_assert_eq!(open(&key, nonce, &chunks).unwrap(), pt);
        }
    }
}
