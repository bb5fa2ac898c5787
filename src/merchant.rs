//! [`Merchant`]: everything a merchant's calls need, in one value — the merchant id, the APIv2
//! and APIv3 keys, the v3 signer (private key and certificate serial), the WeChat Pay keys it
//! trusts with the verification settings, and the credentials of the APIs that have their own
//! (the risk-check encryption key, the legacy `nameautheasy` `src` and key).
//!
//! Build it once at start-up and share it (`&Merchant` or `Arc<Merchant>`: it is `Send + Sync`
//! and holds no locks). Every typed API takes it as its first argument, so calls stop
//! repeating keys, signers, stores and options. What an API needs and the merchant lacks is
//! [`NotConfigured`] (in a typed API call,
//! [`ApiError::NotConfigured`](crate::api::ApiError::NotConfigured)).
//!
//! ```
//! use wechatpay_sansio::merchant::Merchant;
//! use wechatpay_sansio::keys::{KeyId, PublicKey, WechatPayKey};
//! use wechatpay_sansio::secret::{ApiV2Key, ApiV3Key};
//! use wechatpay_sansio::simulator::pem; // TEST ONLY material (feature `simulator`)
//! let merchant = Merchant::new("1900000109")?
//!     .with_api_v2_key(ApiV2Key::new("TESTONLYsimulatorApiV2Key0000001")?)
//!     .with_api_v3_key(ApiV3Key::new("TESTONLYsimulatorApiV3Key0000001")?)
//!     .with_signer_pems(pem::MERCHANT_PRIVATE_KEY, pem::MERCHANT_CERTIFICATE)?
//!     .with_wechatpay_key(WechatPayKey::public_key(
//!         KeyId::new("PUB_KEY_ID_0114232134912410000000000000")?,
//!         PublicKey::from_pem(pem::PLATFORM_PUBLIC_KEY)?,
//!     ));
//! assert_eq!(merchant.mchid().as_str(), "1900000109");
//! assert_eq!(merchant.signer()?.serial().as_str(), "3C3BBC2B9F5BF4F2");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{Classify, Disposition};
use crate::ids::{IdError, MchId};
use crate::keys::{
    KeyError, KeyId, KeyStore, MerchantPrivateKey, PlatformCertificate, PublicKey, WechatPayKey,
};
use crate::secret::{ApiV2Key, ApiV3Key, NameAuthKey};
use crate::v3::auth::MerchantSigner;
use crate::v3::verify::{Verifier, VerifyOptions};

/// What the merchant context lacks for a call (the name of the missing item).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the merchant has no {0} configured")]
pub struct NotConfigured(pub &'static str);

impl Classify for NotConfigured {
    /// [`Disposition::Misconfigured`].
    fn disposition(&self) -> Disposition {
        Disposition::Misconfigured
    }
}

/// The merchant context of every typed API call. See the module documentation.
#[derive(Debug, Clone)]
pub struct Merchant {
    mchid: MchId,
    api_v2_key: Option<ApiV2Key>,
    api_v3_key: Option<ApiV3Key>,
    signer: Option<MerchantSigner>,
    keys: KeyStore,
    verify: VerifyOptions,
    risk_key: Option<PublicKey>,
    nameauth: Option<NameAuthCredentials>,
}

/// The `src` and key WeChat Pay assigns for the legacy `nameautheasy` API.
#[derive(Debug, Clone)]
pub struct NameAuthCredentials {
    /// `src`.
    pub src: String,
    /// The key (not the APIv2 key).
    pub key: NameAuthKey,
}

impl Merchant {
    /// A merchant with only its id; add what its APIs need with the `with_…` methods.
    ///
    /// # Errors
    /// [`IdError`] for an id that is not 1–32 ASCII digits.
    pub fn new(mchid: impl Into<String>) -> Result<Self, IdError> {
        Ok(Self::from_mchid(MchId::new(mchid)?))
    }

    /// A merchant with only its (validated) id.
    #[must_use]
    pub(crate) fn from_mchid(mchid: MchId) -> Self {
        Self {
            mchid,
            api_v2_key: None,
            api_v3_key: None,
            signer: None,
            keys: KeyStore::new(),
            verify: VerifyOptions::default(),
            risk_key: None,
            nameauth: None,
        }
    }

    /// The APIv2 key (v2 signatures: `realnameauth`, OAuth, `getpublickey`, `querymchrisk`).
    #[must_use]
    pub fn with_api_v2_key(mut self, key: ApiV2Key) -> Self {
        self.api_v2_key = Some(key);
        self
    }

    /// The APIv3 key (AES-256-GCM of notifications and the certificate download).
    #[must_use]
    pub fn with_api_v3_key(mut self, key: ApiV3Key) -> Self {
        self.api_v3_key = Some(key);
        self
    }

    /// The v3 signer from the merchant API certificate's serial and its private key.
    #[must_use]
    pub fn with_signer(mut self, serial: KeyId, key: MerchantPrivateKey) -> Self {
        self.signer = Some(MerchantSigner::new(self.mchid.clone(), serial, key));
        self
    }

    /// The v3 signer from `apiclient_key.pem` and `apiclient_cert.pem` (the serial is read from
    /// the certificate).
    ///
    /// # Errors
    /// [`KeyError`]; [`KeyError::KeyMismatch`] when the certificate does not certify the key.
    pub fn with_signer_pems(
        self,
        key_pem: impl AsRef<[u8]>,
        cert_pem: impl AsRef<[u8]>,
    ) -> Result<Self, KeyError> {
        let key = MerchantPrivateKey::from_pem(key_pem)?;
        let cert = PlatformCertificate::from_pem(cert_pem)?;
        if !key.matches(&cert) {
            return Err(KeyError::KeyMismatch);
        }
        Ok(self.with_signer(cert.serial().clone(), key))
    }

    /// Trust a WeChat Pay key (a platform certificate's or a `PUB_KEY_ID_…` public key).
    #[must_use]
    pub fn with_wechatpay_key(mut self, key: WechatPayKey) -> Self {
        self.keys.insert(key);
        self
    }

    /// Trust these WeChat Pay keys (replacing the store).
    #[must_use]
    pub fn with_keys(mut self, keys: KeyStore) -> Self {
        self.keys = keys;
        self
    }

    /// Verification settings (clock-skew window).
    #[must_use]
    pub fn with_verify_options(mut self, options: VerifyOptions) -> Self {
        self.verify = options;
        self
    }

    /// The RSA key `risk/getpublickey` serves, which encrypts `querymchrisk` fields.
    #[must_use]
    pub fn with_risk_key(mut self, key: PublicKey) -> Self {
        self.risk_key = Some(key);
        self
    }

    /// The legacy `nameautheasy` credentials (`src` and its key).
    #[must_use]
    pub fn with_nameauth(mut self, src: impl Into<String>, key: NameAuthKey) -> Self {
        self.nameauth = Some(NameAuthCredentials {
            src: src.into(),
            key,
        });
        self
    }

    /// The merchant id.
    #[must_use]
    pub fn mchid(&self) -> &MchId {
        &self.mchid
    }

    /// The APIv2 key.
    ///
    /// # Errors
    /// [`NotConfigured`].
    pub fn api_v2_key(&self) -> Result<&ApiV2Key, NotConfigured> {
        self.api_v2_key.as_ref().ok_or(NotConfigured("APIv2 key"))
    }

    /// The APIv3 key.
    ///
    /// # Errors
    /// [`NotConfigured`].
    pub fn api_v3_key(&self) -> Result<&ApiV3Key, NotConfigured> {
        self.api_v3_key.as_ref().ok_or(NotConfigured("APIv3 key"))
    }

    /// The v3 signer.
    ///
    /// # Errors
    /// [`NotConfigured`].
    pub fn signer(&self) -> Result<&MerchantSigner, NotConfigured> {
        self.signer
            .as_ref()
            .ok_or(NotConfigured("v3 signer (merchant private key)"))
    }

    /// The `querymchrisk` encryption key.
    ///
    /// # Errors
    /// [`NotConfigured`].
    pub fn risk_key(&self) -> Result<&PublicKey, NotConfigured> {
        self.risk_key
            .as_ref()
            .ok_or(NotConfigured("risk key (from risk/getpublickey)"))
    }

    /// The `nameautheasy` credentials.
    ///
    /// # Errors
    /// [`NotConfigured`].
    pub fn nameauth(&self) -> Result<&NameAuthCredentials, NotConfigured> {
        self.nameauth
            .as_ref()
            .ok_or(NotConfigured("nameautheasy src and key"))
    }

    /// The WeChat Pay keys the merchant trusts.
    #[must_use]
    pub fn keys(&self) -> &KeyStore {
        &self.keys
    }

    /// The verification settings.
    #[must_use]
    pub fn verify_options(&self) -> VerifyOptions {
        self.verify
    }

    /// A [`Verifier`] over the trusted keys with the merchant's settings.
    #[must_use]
    pub fn verifier(&self) -> Verifier<'_> {
        Verifier::new(&self.keys).with_options(self.verify)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_configuration_is_named() {
        let m = Merchant::new("1900000109").unwrap();
        assert_eq!(m.api_v2_key().unwrap_err(), NotConfigured("APIv2 key"));
        assert_eq!(NotConfigured("x").disposition(), Disposition::Misconfigured);
        assert!(m.api_v3_key().is_err());
        assert!(m.signer().is_err());
        assert!(m.risk_key().is_err());
        assert!(m.nameauth().is_err());
        assert!(Merchant::new("x").is_err());
        assert!(m.keys().is_empty());
    }

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn send_sync() {
        assert_send_sync::<Merchant>();
    }
}
