//! JSON from the network, strictly (crate-private): the bytes must be UTF-8 as a whole before
//! serde reads them. `serde_json::from_slice` into a struct skips unknown fields without
//! checking their strings, so a body with invalid UTF-8 in a field nobody reads would be
//! accepted, although it is not JSON (RFC 8259 §8.1) — and `serde_json::Value` refuses it. (Found by
//! fuzzing `v3_pay_notify`.)

/// Where a body stopped being readable JSON: 1-based line and column, as serde reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// Parse `bytes` as `T`, refusing any body that is not UTF-8 throughout.
pub(crate) fn from_slice<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Position> {
    let text = core::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        Position {
            line: valid.iter().filter(|&&b| b == b'\n').count() + 1,
            column: valid.len() - line_start + 1,
        }
    })?;
    serde_json::from_str(text).map_err(|e| Position {
        line: e.line(),
        column: e.column(),
    })
}

#[cfg(test)]
mod tests {
    use super::{Position, from_slice};

    #[derive(serde::Deserialize, Debug)]
    struct Known {
        #[allow(dead_code)]
        a: u8,
    }

    #[test]
    fn invalid_utf8_in_an_ignored_field_is_refused() {
        let body = b"{\"a\":1,\n \"ignored\":\"x\xff\"}";
        assert!(
            serde_json::from_slice::<Known>(body).is_ok(),
            "serde alone accepts it"
        );
        assert_eq!(
            from_slice::<Known>(body).unwrap_err(),
            Position {
                line: 2,
                column: 14
            }
        );
        assert!(from_slice::<Known>(b"{\"a\":1,\"ignored\":\"\xe4\xb8\xad\"}").is_ok());
        assert_eq!(from_slice::<Known>(b"{\"a\":").unwrap_err().line, 1);
    }
}
