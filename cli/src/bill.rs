//! `bill-verify`: a downloaded bill on stdin, streamed through the library's `BillVerifier`.

use crate::BillVerifyArgs;
use crate::common::{Failure, Outcome, line};
use std::io::Read;
use wechatpay_sansio::api::bill::{BillError, BillVerifier, HashType};

/// The chunk read from stdin at a time.
const CHUNK: usize = 64 * 1024;

pub fn bill_verify(a: &BillVerifyArgs) -> Outcome {
    let hash_type = HashType::from_wire(&a.hash_type);
    let mut v =
        BillVerifier::new(&hash_type, a.hash_value.trim(), a.gzip).map_err(|e| match e {
            BillError::HashValue => {
                Failure::usage("--hash-value must be the 40 hexadecimal digits of a SHA1")
            }
            other => Failure::usage(other),
        })?;
    verify_stream(&mut v, std::io::stdin().lock())?;
    v.finish().map_err(Failure::invalid)?;
    Ok(line(if a.gzip {
        "match (SHA1 of the original bill, inflated)"
    } else {
        "match (SHA1 of the original bill)"
    }))
}

/// Feed `input` to the verifier in chunks; a read failure is unusable input (exit 2), a corrupt
/// download invalid (exit 1).
fn verify_stream(v: &mut BillVerifier, mut input: impl Read) -> Result<(), Failure> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Failure::usage(format!("cannot read standard input: {e}"))),
        };
        v.update(&buf[..n]).map_err(Failure::invalid)?;
    }
}
