//! [`Fields`]: the flat, ordered name → value map of a v2 XML body.

use core::fmt;
use zeroize::Zeroize;

/// A flat v2 body: `(name, value)` pairs in document order, names unique.
///
/// Values may hold personal data or tokens, so `Debug` prints names and value lengths only, and
/// the values are zeroized on drop.
///
/// ```
/// use wechatpay_sansio::v2::Fields;
/// let mut f = Fields::new();
/// f.insert("return_code", "SUCCESS")?;
/// assert_eq!(f.get("return_code"), Some("SUCCESS"));
/// assert!(f.insert("return_code", "FAIL").is_err()); // duplicate names are refused
/// # Ok::<(), wechatpay_sansio::v2::fields::DuplicateField>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Fields {
    pairs: Vec<(String, String)>,
}

/// A field name occurred twice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("duplicate field <{0}>")]
pub struct DuplicateField(pub String);

impl Fields {
    /// An empty map.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Append a field.
    ///
    /// # Errors
    /// [`DuplicateField`] if the name is already present.
    pub fn insert(
        &mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<(), DuplicateField> {
        let name = name.into();
        if self.get(&name).is_some() {
            return Err(DuplicateField(name));
        }
        self.pairs.push((name, value.into()));
        Ok(())
    }

    /// The value of `name`, if present.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `name` if present and non-empty.
    #[must_use]
    pub fn get_non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// Remove and return the value of `name`.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        let i = self.pairs.iter().position(|(n, _)| n == name)?;
        Some(self.pairs.remove(i).1)
    }

    /// All pairs in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        self.pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))
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
}

impl<'a> IntoIterator for &'a Fields {
    type Item = (&'a str, &'a str);
    type IntoIter = core::iter::Map<
        core::slice::Iter<'a, (String, String)>,
        fn(&'a (String, String)) -> (&'a str, &'a str),
    >;
    fn into_iter(self) -> Self::IntoIter {
        fn pair(p: &(String, String)) -> (&str, &str) {
            (p.0.as_str(), p.1.as_str())
        }
        self.pairs
            .iter()
            .map(pair as fn(&'a (String, String)) -> (&'a str, &'a str))
    }
}

impl fmt::Debug for Fields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (n, v) in &self.pairs {
            m.entry(n, &format_args!("<{} bytes>", v.len()));
        }
        m.finish()
    }
}

impl Drop for Fields {
    fn drop(&mut self) {
        for (_, v) in &mut self.pairs {
            v.zeroize();
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
        f.insert("b", "").unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f.get_non_empty("b"), None);
        assert_eq!(f.get("b"), Some(""));
        assert_eq!(f.insert("a", "2"), Err(DuplicateField("a".into())));
        assert_eq!(format!("{f:?}"), r#"{"a": <1 bytes>, "b": <0 bytes>}"#);
        assert_eq!(f.remove("a").as_deref(), Some("1"));
        assert_eq!(f.remove("a"), None);
        assert_eq!((&f).into_iter().count(), 1);
        assert!(DuplicateField("x".into()).to_string().contains("<x>"));
    }
}
