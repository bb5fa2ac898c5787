//! [`Fields`]: the flat, ordered name → value map of a v2 XML body, borrowing from the body.

use core::fmt;
use std::borrow::Cow;
use zeroize::Zeroize;

/// A flat v2 body: `(name, value)` pairs in document order, names unique.
///
/// Parsed bodies borrow their names and values from the received bytes ([`crate::v2::xml::parse`]
/// copies only values that contained an entity, a CDATA section next to text, or a CR); fields
/// inserted by hand may be owned or borrowed. Values may hold personal data or tokens, so `Debug`
/// prints names and value lengths only, and owned values are zeroized on drop.
///
/// ```
/// use wechatpay_sansio::v2::Fields;
/// let mut f = Fields::new();
/// f.insert("return_code", "SUCCESS")?;
/// assert_eq!(f.get("return_code"), Some("SUCCESS"));
/// assert!(f.insert("return_code", "FAIL").is_err()); // duplicate names are refused
/// # Ok::<(), wechatpay_sansio::v2::DuplicateField>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Fields<'a> {
    pairs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

/// A field name occurred twice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("duplicate field <{0}>")]
pub struct DuplicateField(pub String);

impl crate::error::Classify for DuplicateField {
    /// [`crate::error::Disposition::Misconfigured`]: the caller built a body with a repeated name.
    fn disposition(&self) -> crate::error::Disposition {
        crate::error::Disposition::Misconfigured
    }
}

impl<'a> Fields<'a> {
    /// An empty map.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty map with room for `n` fields.
    #[must_use]
    pub fn with_capacity(n: usize) -> Self {
        Self {
            pairs: Vec::with_capacity(n),
        }
    }

    /// Append a field.
    ///
    /// # Errors
    /// [`DuplicateField`] if the name is already present.
    pub fn insert(
        &mut self,
        name: impl Into<Cow<'a, str>>,
        value: impl Into<Cow<'a, str>>,
    ) -> Result<(), DuplicateField> {
        let name = name.into();
        if self.get(&name).is_some() {
            return Err(DuplicateField(name.chars().take(64).collect()));
        }
        self.pairs.push((name, value.into()));
        Ok(())
    }

    /// The value of `name`, if present.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| same_name(n, name))
            .map(|(_, v)| v.as_ref())
    }

    /// The value of `name` if present and non-empty.
    #[must_use]
    pub fn get_non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// Remove and return the value of `name`.
    pub fn remove(&mut self, name: &str) -> Option<Cow<'a, str>> {
        let i = self.pairs.iter().position(|(n, _)| same_name(n, name))?;
        let (mut n, v) = self.pairs.remove(i);
        if let Cow::Owned(s) = &mut n {
            s.zeroize();
        }
        Some(v)
    }

    /// All pairs in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        self.pairs.iter().map(|(n, v)| (n.as_ref(), v.as_ref()))
    }

    /// Number of fields.
    #[must_use]
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are no fields.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Copy every borrowed name and value, detaching the map from the body it was parsed from.
    #[must_use]
    pub fn into_owned(mut self) -> Fields<'static> {
        let pairs = core::mem::take(&mut self.pairs)
            .into_iter()
            .map(|(n, v)| (Cow::Owned(n.into_owned()), Cow::Owned(v.into_owned())))
            .collect();
        Fields { pairs }
    }
}

/// `a == b`, rejecting on length and first byte before comparing the rest (a lookup compares
/// the name with every field's; most differ in length or at once).
fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.first() == b.first() && a == b
}

impl<'f, 'a> IntoIterator for &'f Fields<'a> {
    type Item = (&'f str, &'f str);
    type IntoIter = core::iter::Map<
        core::slice::Iter<'f, (Cow<'a, str>, Cow<'a, str>)>,
        fn(&'f (Cow<'a, str>, Cow<'a, str>)) -> (&'f str, &'f str),
    >;
    fn into_iter(self) -> Self::IntoIter {
        fn pair<'f, 'a>(p: &'f (Cow<'a, str>, Cow<'a, str>)) -> (&'f str, &'f str) {
            (p.0.as_ref(), p.1.as_ref())
        }
        self.pairs.iter().map(pair)
    }
}

impl fmt::Debug for Fields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (n, v) in &self.pairs {
            m.entry(n, &format_args!("<{} bytes>", v.len()));
        }
        m.finish()
    }
}

impl Drop for Fields<'_> {
    fn drop(&mut self) {
        for (_, v) in &mut self.pairs {
            if let Cow::Owned(s) = v {
                s.zeroize();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basics() {
        let mut f = Fields::new();
        assert!(f.is_empty());
        f.insert("a", "1").unwrap();
        f.insert("b", String::new()).unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f.get_non_empty("b"), None);
        assert_eq!(f.get("b"), Some(""));
        assert_eq!(f.insert("a", "2"), Err(DuplicateField("a".into())));
        assert_eq!(format!("{f:?}"), r#"{"a": <1 bytes>, "b": <0 bytes>}"#);
        let owned = f.clone().into_owned();
        assert_eq!(owned.get("a"), Some("1"));
        assert_eq!(f.remove("a").as_deref(), Some("1"));
        assert_eq!(f.remove("a"), None);
        assert_eq!((&f).into_iter().count(), 1);
        assert!(DuplicateField("x".into()).to_string().contains("<x>"));
        assert_eq!(Fields::with_capacity(4).len(), 0);
    }
}
