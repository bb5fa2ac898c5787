//! Front-end payment signatures: the parameters a JSAPI page, a mini-program or an
//! app passes to WeChat to open the cashier, signed by the merchant.
//!
//! - v3: RSA over lines ([`crate::v3::canonical`]) — JSAPI / mini-program
//!   `appId\ntimeStamp\nnonceStr\npackage\n` (`signType` `RSA`); APP
//!   `appid\ntimestamp\nnoncestr\nprepayid\n`.
//! - v2: the v2 sign over the camelCase (JSAPI) or lower-case (APP) parameter names.
//!
//! Every string that goes into a signed message (`appid`, `mchid`, `prepay_id`) must be a token:
//! non-empty visible ASCII without `&` or `=` (so no whitespace or control characters). A `\n`
//! would add a line to the v3 message, `&k=v` a field to the v2 one; such input is refused with
//! [`PaySignError::Field`], which names the field and never echoes the value.
//!
//! ```
//! use wechatpay_sansio::{ids::Nonce, paysign, secret::ApiV2Key, v2::SignType};
//! let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
//! let p = paysign::v2_jsapi(&key, SignType::Md5, "wxd930ea5d5a258f4f",
//!     wechatpay_sansio::time::UnixTime::from_secs(1414561699),
//!     &Nonce::new("5K8264ILTKCH16CQ2502SI8ZNMTM67VS")?, "wx201410272009395522657a690389285100")?;
//! assert_eq!(p.package, "prepay_id=wx201410272009395522657a690389285100");
//! assert_eq!(p.pay_sign.len(), 32);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ```
//! use wechatpay_sansio::{ids::Nonce, paysign::{self, PaySignError}, secret::ApiV2Key, v2::SignType};
//! let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
//! let e = paysign::v2_jsapi(&key, SignType::Md5, "wxd930ea5d5a258f4f",
//!     wechatpay_sansio::time::UnixTime::from_secs(1414561699),
//!     &Nonce::new("5K8264ILTKCH16CQ2502SI8ZNMTM67VS")?, "wx2014&key=forged").unwrap_err();
//! assert!(matches!(&e, PaySignError::Field(f) if f.field() == "prepay_id"));
//! assert!(!e.to_string().contains("forged"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{Classify, Disposition};
use crate::ids::Nonce;
use crate::keys::MerchantPrivateKey;
use crate::secret::ApiV2Key;
use crate::time::UnixTime;
use crate::v2::sign::{self, SignError, SignType};
use crate::v3::auth::{AuthError, sign_message};
use crate::v3::canonical::{Decimal, Message};
use crate::validate::{self, FieldError};
use rand_core::TryCryptoRng;
use serde::Serialize;

/// Why a front-end payment signature was not produced.
///
/// ```
/// use wechatpay_sansio::error::{Classify, Disposition};
/// use wechatpay_sansio::paysign::PaySignError;
/// use wechatpay_sansio::error::FieldError;
/// let e = PaySignError::from(FieldError::Missing { field: "appid" });
/// assert_eq!(e.to_string(), "appid is required");
/// assert_eq!(e.disposition(), Disposition::Rejected);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaySignError {
    /// An input is not a token (empty, or a character outside visible ASCII, or `&` / `=`):
    /// names the field, never the value.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// RSA signing failed (v3).
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The v2 sign failed (not for inputs that pass the token check).
    #[error(transparent)]
    Sign(#[from] SignError),
}

impl Classify for PaySignError {
    /// [`PaySignError::Field`] is [`Disposition::Rejected`]; the others as their source.
    fn disposition(&self) -> Disposition {
        match self {
            Self::Field(e) => e.disposition(),
            Self::Auth(e) => e.disposition(),
            Self::Sign(e) => e.disposition(),
        }
    }
}

/// What the signed strings may hold: non-empty visible ASCII without `&` or `=`.
fn token(field: &'static str, value: &str) -> Result<(), FieldError> {
    if value.is_empty() {
        return Err(FieldError::Missing { field });
    }
    validate::charset(field, value, "visible ASCII except '&' and '='", |c| {
        c.is_ascii_graphic() && c != '&' && c != '='
    })
}

/// Parameters for `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` / `wx.requestPayment`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsapiPayParams {
    /// `appId`.
    pub app_id: String,
    /// `timeStamp` (seconds, as a string).
    pub time_stamp: String,
    /// `nonceStr`.
    pub nonce_str: String,
    /// `package`: `prepay_id=…`.
    pub package: String,
    /// `signType`: `RSA` (v3) or the v2 sign type.
    pub sign_type: String,
    /// `paySign`.
    pub pay_sign: String,
}

/// Parameters for the APP SDK's `PayReq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppPayParams {
    /// `appid`.
    pub appid: String,
    /// `partnerid` (the merchant id).
    pub partnerid: String,
    /// `prepayid`.
    pub prepayid: String,
    /// `package`: always `Sign=WXPay`.
    pub package: String,
    /// `noncestr`.
    pub noncestr: String,
    /// `timestamp` (seconds, as a string).
    pub timestamp: String,
    /// `sign`.
    pub sign: String,
}

/// v3 JSAPI / mini-program `paySign`.
///
/// # Errors
/// [`PaySignError::Field`] when `appid` or `prepay_id` is not a token (before any signing);
/// [`PaySignError::Auth`] from the RSA signature. `rng` blinds the RSA operation under RustCrypto and is not consulted under
/// `aws-lc-rs`.
pub fn jsapi<R: TryCryptoRng + ?Sized>(
    rng: &mut R,
    key: &MerchantPrivateKey,
    appid: &str,
    timestamp: UnixTime,
    nonce: &Nonce,
    prepay_id: &str,
) -> Result<JsapiPayParams, PaySignError> {
    token("appid", appid)?;
    token("prepay_id", prepay_id)?;
    let ts = Decimal::new(timestamp.as_secs());
    let package = format!("prepay_id={prepay_id}");
    let message = Message::pay_sign(appid, &ts, nonce.as_str(), &package);
    let pay_sign = sign_message(&key.0, rng, &message)?;
    Ok(JsapiPayParams {
        app_id: appid.to_owned(),
        time_stamp: ts.as_str().to_owned(),
        nonce_str: nonce.as_str().to_owned(),
        package,
        sign_type: "RSA".to_owned(),
        pay_sign,
    })
}

/// v3 APP `sign` (the fourth line is the bare prepay id).
///
/// # Errors
/// [`PaySignError::Field`] when `appid`, `mchid` or `prepay_id` is not a token (before any
/// signing); [`PaySignError::Auth`] from the RSA signature. `rng` blinds the RSA operation under RustCrypto and is not consulted under
/// `aws-lc-rs`.
pub fn app<R: TryCryptoRng + ?Sized>(
    rng: &mut R,
    key: &MerchantPrivateKey,
    appid: &str,
    mchid: &str,
    timestamp: UnixTime,
    nonce: &Nonce,
    prepay_id: &str,
) -> Result<AppPayParams, PaySignError> {
    token("appid", appid)?;
    token("mchid", mchid)?;
    token("prepay_id", prepay_id)?;
    let ts = Decimal::new(timestamp.as_secs());
    let message = Message::pay_sign(appid, &ts, nonce.as_str(), prepay_id);
    let sign = sign_message(&key.0, rng, &message)?;
    Ok(AppPayParams {
        appid: appid.to_owned(),
        partnerid: mchid.to_owned(),
        prepayid: prepay_id.to_owned(),
        package: "Sign=WXPay".to_owned(),
        noncestr: nonce.as_str().to_owned(),
        timestamp: ts.as_str().to_owned(),
        sign,
    })
}

/// v2 JSAPI `paySign`: the v2 sign over `appId, nonceStr, package, signType, timeStamp`, with the
/// order's sign type.
///
/// # Errors
/// [`PaySignError::Field`] when `appid` or `prepay_id` is not a token; [`PaySignError::Sign`]
/// (not for inputs that pass that check).
pub fn v2_jsapi(
    key: &ApiV2Key,
    sign_type: SignType,
    appid: &str,
    timestamp: UnixTime,
    nonce: &Nonce,
    prepay_id: &str,
) -> Result<JsapiPayParams, PaySignError> {
    token("appid", appid)?;
    token("prepay_id", prepay_id)?;
    let ts = Decimal::new(timestamp.as_secs());
    let package = format!("prepay_id={prepay_id}");
    let s = sign::sign(
        [
            ("appId", appid),
            ("timeStamp", ts.as_str()),
            ("nonceStr", nonce.as_str()),
            ("package", package.as_str()),
            ("signType", sign_type.as_str()),
        ],
        key,
        sign_type,
    )?;
    Ok(JsapiPayParams {
        app_id: appid.to_owned(),
        time_stamp: ts.as_str().to_owned(),
        nonce_str: nonce.as_str().to_owned(),
        package,
        sign_type: sign_type.as_str().to_owned(),
        pay_sign: s.as_str().to_owned(),
    })
}

/// v2 APP `sign` over `appid, noncestr, package=Sign=WXPay, partnerid, prepayid, timestamp`.
///
/// # Errors
/// [`PaySignError::Field`] when `appid`, `mchid` or `prepay_id` is not a token;
/// [`PaySignError::Sign`] (not for inputs that pass that check).
pub fn v2_app(
    key: &ApiV2Key,
    sign_type: SignType,
    appid: &str,
    mchid: &str,
    timestamp: UnixTime,
    nonce: &Nonce,
    prepay_id: &str,
) -> Result<AppPayParams, PaySignError> {
    token("appid", appid)?;
    token("mchid", mchid)?;
    token("prepay_id", prepay_id)?;
    let ts = Decimal::new(timestamp.as_secs());
    let s = sign::sign(
        [
            ("appid", appid),
            ("partnerid", mchid),
            ("prepayid", prepay_id),
            ("package", "Sign=WXPay"),
            ("noncestr", nonce.as_str()),
            ("timestamp", ts.as_str()),
        ],
        key,
        sign_type,
    )?;
    Ok(AppPayParams {
        appid: appid.to_owned(),
        partnerid: mchid.to_owned(),
        prepayid: prepay_id.to_owned(),
        package: "Sign=WXPay".to_owned(),
        noncestr: nonce.as_str().to_owned(),
        timestamp: ts.as_str().to_owned(),
        sign: s.as_str().to_owned(),
    })
}
