//! [`SubMerchant`]: the sub-merchant a service provider acts for (partner mode).

use crate::error::FieldError;
use crate::validate;

/// The sub-merchant of a partner-mode (服务商) request: `sub_mchid`, and the sub-merchant's
/// `sub_appid` when the payer is identified under it (then a JSAPI payer is `sub_openid`,
/// otherwise `sp_openid`).
///
/// ```
/// use wechatpay_sansio::api::pay::SubMerchant;
/// let sub = SubMerchant::new("1900000109").with_sub_appid("wx8888888888888888");
/// assert_eq!(sub.sub_appid.as_deref(), Some("wx8888888888888888"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubMerchant {
    /// `sub_mchid`.
    pub sub_mchid: String,
    /// `sub_appid`, optional.
    pub sub_appid: Option<String>,
}

impl SubMerchant {
    /// A sub-merchant by its `sub_mchid`.
    #[must_use]
    pub fn new(sub_mchid: impl Into<String>) -> Self {
        Self {
            sub_mchid: sub_mchid.into(),
            sub_appid: None,
        }
    }

    /// With the sub-merchant's `sub_appid`.
    #[must_use]
    pub fn with_sub_appid(mut self, sub_appid: impl Into<String>) -> Self {
        self.sub_appid = Some(sub_appid.into());
        self
    }

    pub(crate) fn validate(&self) -> Result<(), FieldError> {
        validate::length("sub_mchid", &self.sub_mchid, 1, 32)?;
        validate::charset("sub_mchid", &self.sub_mchid, "ASCII digits", |c| {
            c.is_ascii_digit()
        })?;
        if let Some(a) = &self.sub_appid {
            validate::appid("sub_appid", a)?;
        }
        Ok(())
    }
}
