//! Printing text that came from the network: `Display` of an error never writes a control
//! character or an unbounded amount of what an attacker sent.
//!
//! WeChat Pay's failure messages (`return_msg`, `err_code_des`, a v3 `message` or `detail`) are
//! unauthenticated when they are printed: a forged reply can put `\n`, ESC sequences or megabytes
//! into them, and an integration that logs `error.to_string()` would forge log lines or colour a
//! terminal. [`Shown`] writes such text with every control character escaped (`\n`, `\u{1b}`…)
//! and cut at [`MAX_SHOWN_CHARS`] characters, marked with `…`.

use core::fmt;

/// Longest piece of received text an error's `Display` shows, in characters.
pub(crate) const MAX_SHOWN_CHARS: usize = 256;

/// Received text, shown escaped and capped (see the module documentation).
pub(crate) struct Shown<'a>(pub(crate) &'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        for (i, c) in self.0.chars().enumerate() {
            if i == MAX_SHOWN_CHARS {
                return f.write_char('…');
            }
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{202E}') {
                for e in c.escape_default() {
                    f.write_char(e)?;
                }
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

/// [`Shown`] for an optional text (absent: nothing).
pub(crate) fn shown(text: Option<&str>) -> Shown<'_> {
    Shown(text.unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_length_capped() {
        assert_eq!(Shown("签名错误").to_string(), "签名错误");
        assert_eq!(
            Shown("a\nb\r\u{1b}[31mc\u{0}").to_string(),
            "a\\nb\\r\\u{1b}[31mc\\u{0}"
        );
        assert_eq!(
            Shown("x\u{2028}y\u{202E}").to_string(),
            "x\\u{2028}y\\u{202e}"
        );
        let long = "长".repeat(MAX_SHOWN_CHARS + 5);
        let s = Shown(&long).to_string();
        assert_eq!(s.chars().count(), MAX_SHOWN_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(
            Shown(&"a".repeat(MAX_SHOWN_CHARS)).to_string().len(),
            MAX_SHOWN_CHARS
        );
        assert_eq!(shown(None).to_string(), "");
        assert!(!shown(Some("x\ny")).to_string().contains('\n'));
    }
}
