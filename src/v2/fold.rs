//! The exact fold rule: when a valid v2 signature also proves the *meaning* of a reply.
//!
//! A v2 signature covers the string `k1=v1&k2=v2&…&kn=vn` (names sorted, empty values and
//! `sign` left out) followed by `&key=…`. Values may contain `&` and `=`, so the same string can
//! be *read* as other sorted sets of fields: `nonce_str=N&openid=A` is two fields or one
//! `nonce_str` whose value is `N&openid=A`. Whoever can rewrite a reply in transit can present
//! any reading of a genuine reply's string, and the signature still verifies.
//!
//! # The rule
//!
//! A reading is *plausible* when it could be a genuine WeChat Pay reply:
//! its names are legal field names in strictly increasing byte order (none is `sign`), every
//! value is non-empty, and
//! - a field the caller relies on as an identifier, code or amount ([`Reliance::Strict`]) has no
//!   `&name=` inside its value at all;
//! - any other field (free text and URLs the caller reads, [`Reliance::Text`]; merchant-opaque
//!   echoes such as `attach`, [`Reliance::Opaque`]; fields the caller does not read) has no
//!   `&name=` inside its value whose `name` is a *known* name: a field of the reply as received
//!   or a field the caller relies on.
//!
//! A signed reply is accepted only if the reply as received is itself plausible and **every
//! plausible reading of its signed string gives the same value (or the same absence) to every
//! field the caller relies on**. Opaque fields are the exception: WeChat Pay returns them as the
//! merchant sent them, and no reading can tell `attach=a=1&b=2` from `attach=a=1` plus `b=2`;
//! they are kept as received and not compared. Look an order up by `out_trade_no`, never by
//! `attach`, and keep reply field names (`&openid=`, `&total_fee=`…) out of `attach`.
//!
//! What "relied on" means is derived from the typed outcome: the typed APIs read their outcome
//! through a recording reader, so every field a typed outcome exposes is covered without a hand
//! list. On the generic path ([`crate::v2::reply::Expect`]) every field of the reply is relied
//! on (strictly) except the ones declared opaque or text.
//!
//! The assumption behind "plausible" — a genuine value never carries `&name=` for a name of its
//! own reply — is what lets an H5 `mweb_url` (`…?prepay_id=…&package=…`) or an `attach` of
//! `a=1&b=2` through while a value such as `CMB&cash_fee=1` is refused. A relied-on URL can still
//! lose a trailing `&name=…` whose name is a field the reply as received carries but the caller
//! does not read; read such URLs whole from a query by `out_trade_no` if that matters.
//!
//! ```
//! use wechatpay_sansio::v2::{fold::{check, Reliance}, Fields};
//! let mut f = Fields::new();
//! f.insert("attach", "a=1&b=2")?;            // opaque: may carry a query string
//! f.insert("bank_type", "CMB")?;
//! f.insert("cash_fee", "1")?;
//! let relied = [("attach", Reliance::Opaque), ("bank_type", Reliance::Strict), ("cash_fee", Reliance::Strict)];
//! assert_eq!(check(&f, &relied), Ok(()));
//!
//! let mut g = Fields::new();                 // cash_fee folded into bank_type
//! g.insert("attach", "x")?;
//! g.insert("bank_type", "CMB&cash_fee=1")?;
//! assert_eq!(check(&g, &relied).unwrap_err().field(), "bank_type");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::v2::Fields;
use crate::v2::xml;

/// How the caller relies on a field of a signed reply.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reliance {
    /// An identifier, code, amount or time: its value never contains `&name=`.
    Strict,
    /// Free text or a URL the caller reads: its value may contain `&name=` for names that are
    /// not fields of the reply.
    Text,
    /// A merchant-opaque echo (`attach`): kept as received, never compared across readings.
    Opaque,
}

/// A signed reply whose meaning the signature does not pin down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ambiguity {
    field: String,
}

impl Ambiguity {
    fn new(field: &str) -> Self {
        Self {
            field: field.chars().take(64).collect(),
        }
    }

    /// The field another reading changes, or whose value cannot be genuine.
    #[must_use]
    pub fn field(&self) -> &str {
        &self.field
    }
}

fn reliance(relied: &[(&str, Reliance)], name: &str) -> Option<Reliance> {
    relied.iter().find(|(n, _)| *n == name).map(|(_, r)| *r)
}

/// The names of the `&name=` points inside `value` where a field could start, with the byte
/// offset of each `&` (legal names other than `sign` only).
fn split_points(value: &str) -> impl Iterator<Item = (usize, &str)> {
    value.match_indices('&').filter_map(|(i, _)| {
        let rest = &value[i + 1..];
        let name = &rest[..rest.find('=')?];
        (name != "sign" && xml::is_valid_name(name)).then_some((i, name))
    })
}

/// Apply the rule of the module documentation to a reply's fields: `relied` lists the fields
/// the caller relies on (and the opaque ones); any other field is read as not relied on.
///
/// The search is linear. Once the reply as received is plausible, every `&name=` inside its
/// values has a name that is not known, and every field boundary has a known name, so a
/// plausible reading must split at every boundary (a value may not swallow a known name): the
/// readings are the reply with some values split further, at unknown names. Such a split can
/// only create fields nobody relies on and shorten the value it splits; that matters for a
/// relied-on text value, which is refused when one of its `&name=` points can start a field
/// there (its name sorts after the field's own and before the next field's, both pieces
/// non-empty). `tests/it/v2/fold.rs` holds this against a brute-force search of every reading.
///
/// # Errors
/// [`Ambiguity`] naming the first field whose value cannot be genuine or that another
/// plausible reading changes.
pub fn check(fields: &Fields<'_>, relied: &[(&str, Reliance)]) -> Result<(), Ambiguity> {
    let participating = || fields.iter().filter(|(k, v)| *k != "sign" && !v.is_empty());
    // Nothing to re-split: the reply as received is the only reading.
    if participating().all(|(_, v)| !v.contains('&')) {
        return Ok(());
    }
    let mut pairs: Vec<(&str, &str)> = participating().collect();
    pairs.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let known = |name: &str| {
        pairs
            .binary_search_by(|p| p.0.as_bytes().cmp(name.as_bytes()))
            .is_ok()
            || reliance(relied, name).is_some()
    };
    for (w, (name, value)) in pairs.iter().enumerate() {
        let how = reliance(relied, name);
        let next = pairs.get(w + 1).map(|p| p.0.as_bytes());
        for (at, inner) in split_points(value) {
            // The reply as received: a strict value carries no `&name=`, no value a known one.
            if how == Some(Reliance::Strict) || known(inner) {
                return Err(Ambiguity::new(name));
            }
            // A relied-on text value that another reading splits here.
            let after = &value[at + 1 + inner.len() + 1..];
            if how == Some(Reliance::Text)
                && at > 0
                && !after.is_empty()
                && inner.as_bytes() > name.as_bytes()
                && next.is_none_or(|n| inner.as_bytes() < n)
            {
                return Err(Ambiguity::new(name));
            }
        }
    }
    Ok(())
}

/// Reads a reply's fields for a typed outcome and records how each one is relied on, so that
/// [`check`] covers exactly what the outcome exposes (crate-private: the typed APIs and
/// notifications decode through it).
pub(crate) struct Reader<'f, 'a> {
    fields: &'f Fields<'a>,
    read: core::cell::RefCell<Vec<(&'static str, Reliance)>>,
}

impl<'f, 'a> Reader<'f, 'a> {
    pub(crate) fn new(fields: &'f Fields<'a>) -> Self {
        Self {
            fields,
            read: core::cell::RefCell::new(Vec::with_capacity(16)),
        }
    }

    fn record(&self, name: &'static str, how: Reliance) -> Option<&'f str> {
        let mut read = self.read.borrow_mut();
        if !read.iter().any(|(n, _)| *n == name) {
            read.push((name, how));
        }
        self.fields.get_non_empty(name)
    }

    /// An identifier, code, amount or time (non-empty, else `None`).
    pub(crate) fn strict(&self, name: &'static str) -> Option<&'f str> {
        self.record(name, Reliance::Strict)
    }

    /// Free text or a URL.
    pub(crate) fn text(&self, name: &'static str) -> Option<&'f str> {
        self.record(name, Reliance::Text)
    }

    /// A merchant-opaque echo (not covered by the rule).
    pub(crate) fn opaque(&self, name: &'static str) -> Option<&'f str> {
        self.record(name, Reliance::Opaque)
    }

    /// The first non-empty of several spellings, each recorded as `how`.
    pub(crate) fn first_of(&self, names: &[&'static str], how: Reliance) -> Option<&'f str> {
        let mut found = None;
        for n in names {
            let v = self.record(n, how);
            found = found.or(v);
        }
        found
    }

    /// The fields read so far, for [`check`].
    pub(crate) fn relied(&self) -> Vec<(&'static str, Reliance)> {
        self.read.borrow().clone()
    }

    /// The fields, unrecorded (for what the rule does not cover, such as `Debug`).
    pub(crate) fn fields(&self) -> &'f Fields<'a> {
        self.fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(pairs: &[(&'a str, &'a str)]) -> Fields<'a> {
        let mut f = Fields::new();
        for (k, v) in pairs {
            f.insert(*k, *v).unwrap();
        }
        f
    }

    const S: Reliance = Reliance::Strict;

    #[test]
    fn plain_replies_have_one_reading() {
        let f = fields(&[("a", "1"), ("b", "2"), ("sign", "S&x=1")]);
        assert_eq!(check(&f, &[("a", S), ("b", S), ("c", S)]), Ok(()));
    }

    #[test]
    fn a_hidden_field_is_refused_where_it_is_relied_on() {
        // cash_fee folded into bank_type: bank_type cannot be genuine.
        let f = fields(&[("bank_type", "CMB&cash_fee=1"), ("fee_type", "CNY")]);
        let relied = [("bank_type", S), ("cash_fee", S)];
        assert_eq!(check(&f, &relied), Err(Ambiguity::new("bank_type")));
        // The same reply where nobody reads bank_type and cash_fee: accepted? No — cash_fee is
        // a known name only when relied on or present; here neither, so the value is plain text.
        assert_eq!(check(&f, &[("fee_type", S)]), Ok(()));
        // Relied on cash_fee only: an unread field hides it.
        assert_eq!(
            check(&f, &[("cash_fee", S)]),
            Err(Ambiguity::new("bank_type"))
        );
    }

    #[test]
    fn the_issue_bypass_is_refused() {
        // Genuine: attach="x&c=1", bank_type, cash_fee. Re-split: attach="x", c swallows them.
        let f = fields(&[
            ("attach", "x"),
            ("c", "1&bank_type=CMB&cash_fee=10"),
            ("coupon_fee", "1"),
        ]);
        let relied = [
            ("attach", Reliance::Opaque),
            ("bank_type", S),
            ("cash_fee", S),
            ("coupon_fee", S),
        ];
        assert_eq!(check(&f, &relied), Err(Ambiguity::new("c")));
        // A split reading that only moves an unread field out of attach is fine…
        let g = fields(&[
            ("attach", "a=1&b=2"),
            ("bank_type", "CMB"),
            ("cash_fee", "1"),
        ]);
        assert_eq!(check(&g, &relied), Ok(()));
        // …but attach may not carry a name of the reply.
        let h = fields(&[("attach", "a=1&cash_fee=2"), ("bank_type", "CMB")]);
        assert_eq!(check(&h, &relied), Err(Ambiguity::new("attach")));
    }

    #[test]
    fn a_split_that_changes_a_relied_field_is_refused() {
        // Received text c="2&e=3": the reading c="2", e="3" is plausible and changes c.
        let f = fields(&[("b", "1"), ("c", "2&e=3")]);
        assert_eq!(
            check(&f, &[("b", S), ("c", Reliance::Text)]),
            Err(Ambiguity::new("c"))
        );
        // A query name that sorts before its own field cannot start a field there: one reading.
        let g = fields(&[("b", "1"), ("c", "2&a=3")]);
        assert_eq!(check(&g, &[("b", S), ("c", Reliance::Text)]), Ok(()));
        // e relied on and absent: the reading with e changes it too.
        assert_eq!(
            check(&f, &[("b", S), ("c", Reliance::Text), ("e", S)]),
            Err(Ambiguity::new("c"))
        );
        // A relied field no reading may drop: f after c; the split c="2", e="3", f="x" moves c.
        let h = fields(&[("c", "2&e=3"), ("f", "x")]);
        assert_eq!(
            check(&h, &[("c", Reliance::Text), ("f", S)]),
            Err(Ambiguity::new("c"))
        );
        // Opaque c: not compared; f keeps its value in every reading.
        assert_eq!(check(&h, &[("c", Reliance::Opaque), ("f", S)]), Ok(()));
    }

    #[test]
    fn a_query_name_with_nothing_after_it_cannot_start_a_field() {
        // `e=` with an empty value: no reading can make `e` a field (values are non-empty).
        let f = fields(&[("b", "1"), ("c", "2&e=")]);
        assert_eq!(check(&f, &[("b", S), ("c", Reliance::Text)]), Ok(()));
        // …nor a `&` right at the start of the value (the text field would be empty).
        let g = fields(&[("b", "1"), ("c", "&e=3")]);
        assert_eq!(check(&g, &[("b", S), ("c", Reliance::Text)]), Ok(()));
    }

    #[test]
    fn only_legal_names_other_than_sign_start_a_field() {
        // Not a legal field name: no reading can start a field there, even in a strict value.
        let f = fields(&[("b", "x&a b=1"), ("c", "y&1x=2")]);
        assert_eq!(check(&f, &[("b", S), ("c", S)]), Ok(()));
        // `sign` never takes part in the signed string: `&sign=` cannot start a field.
        let g = fields(&[("c", "u&sign=1")]);
        assert_eq!(check(&g, &[("c", Reliance::Text)]), Ok(()));
        // A legal one does.
        let h = fields(&[("c", "u&sigz=1")]);
        assert_eq!(
            check(&h, &[("c", Reliance::Text)]),
            Err(Ambiguity::new("c"))
        );
    }

    #[test]
    fn mweb_url_is_not_a_fold() {
        let f = fields(&[
            ("appid", "wx2421b1c4370ec43b"),
            ("mch_id", "10000100"),
            (
                "mweb_url",
                "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx2016121516420242444321ca0631331346&package=1405458241",
            ),
            ("nonce_str", "IITRi8Iabbblz1Jc"),
            ("prepay_id", "wx2016121516420242444321ca0631331346"),
            ("result_code", "SUCCESS"),
            ("return_code", "SUCCESS"),
            ("return_msg", "OK"),
            ("trade_type", "MWEB"),
        ]);
        let relied = [
            ("appid", S),
            ("mch_id", S),
            ("mweb_url", Reliance::Text),
            ("prepay_id", S),
            ("result_code", S),
            ("return_code", S),
            ("trade_type", S),
        ];
        assert_eq!(check(&f, &relied), Ok(()));
        // Strictly relied on, the URL would be refused (it carries `&package=`).
        let mut strict = relied;
        strict[2].1 = S;
        assert_eq!(check(&f, &strict), Err(Ambiguity::new("mweb_url")));
    }

    #[test]
    fn many_split_points_are_linear() {
        // 64 K `&name=` points with unknown names in an unread value: one pass.
        let v = "&a=1".repeat(1 << 16);
        let f = fields(&[("x", v.as_str()), ("y", "1")]);
        assert_eq!(check(&f, &[("y", S)]), Ok(()));
        // Read as text: `a` sorts before `x`, so no point can start a field there.
        assert_eq!(check(&f, &[("x", Reliance::Text), ("y", S)]), Ok(()));
        assert_eq!(check(&f, &[("x", S)]), Err(Ambiguity::new("x")));
    }
}
