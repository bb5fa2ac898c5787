//! What the v3 APIs share (crate-private): encrypting personal fields, signing a JSON POST, and
//! reading a verified reply.

use crate::api::ApiError;
use crate::api::endpoint::{Echo, check_echoes};
use crate::cipher::{self, Padding};
use crate::ids::Nonce;
use crate::keys::WechatPayKey;
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::secret::Personal;
use crate::time::UnixTime;
use crate::v3::request::JsonRequest;
use crate::v3::response::{self, ResponseError};
use rand_core::TryCryptoRng;

/// Encrypt a personal field for WeChat Pay with `key`.
pub(crate) fn encrypt<R: TryCryptoRng + ?Sized>(
    rng: &mut R,
    key: &WechatPayKey,
    padding: Padding,
    field: &'static str,
    value: &Personal,
) -> Result<String, ApiError> {
    cipher::encrypt_personal(rng, key.key(), padding, value)
        .map_err(|source| ApiError::Encrypt { field, source })
}

/// Serialise `body` and sign it as a JSON POST with `Wechatpay-Serial: key`'s id.
pub(crate) fn post_json<R: TryCryptoRng + ?Sized>(
    merchant: &Merchant,
    url: &str,
    body: &impl serde::Serialize,
    key: &WechatPayKey,
    rng: &mut R,
    now: UnixTime,
) -> Result<Request, ApiError> {
    let signer = merchant.signer()?;
    // Serialising a struct of strings cannot fail; map it anyway rather than panic.
    let bytes = serde_json::to_vec(body).map_err(|e| ApiError::json(&e))?;
    let nonce = Nonce::generate(rng).map_err(|_| ApiError::Rng)?;
    Ok(JsonRequest::post(url, bytes)
        .wechatpay_serial(key.id())
        .sign(signer, rng, now, &nonce)?)
}

/// Sign a v3 request without encrypted fields (no `Wechatpay-Serial`): a `GET` when `body` is
/// `None`, else a JSON `POST`.
pub(crate) fn send<R: TryCryptoRng + ?Sized>(
    merchant: &Merchant,
    url: &str,
    body: Option<&impl serde::Serialize>,
    rng: &mut R,
    now: UnixTime,
) -> Result<Request, ApiError> {
    let signer = merchant.signer()?;
    let nonce = Nonce::generate(rng).map_err(|_| ApiError::Rng)?;
    let request = match body {
        Some(body) => JsonRequest::post(
            url,
            serde_json::to_vec(body).map_err(|e| ApiError::json(&e))?,
        ),
        None => JsonRequest::get(url),
    };
    Ok(request.sign(signer, rng, now, &nonce)?)
}

/// Check a reply that has no body (`204 No Content`): verified like any other.
pub(crate) fn decode_empty(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
    endpoint: &'static str,
) -> Result<(), ApiError> {
    response::check(response, &merchant.verifier(), now)
        .map_err(|e| with_endpoint(e, Some(endpoint)))?;
    Ok(())
}

fn with_endpoint(e: ResponseError, endpoint: Option<&'static str>) -> ResponseError {
    match e {
        ResponseError::Failure(r) => match endpoint {
            Some(path) => ResponseError::Failure(Box::new(r.with_endpoint(path))),
            None => ResponseError::Failure(r),
        },
        other => other,
    }
}

/// Check a reply (verify 2xx with the merchant's keys at `now`, type the error of others, from
/// the endpoint at `endpoint` when known), check the `echoes` on its JSON object, and decode it
/// as `T`.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
    endpoint: Option<&'static str>,
    echoes: &[Echo<'_>],
) -> Result<T, ApiError> {
    let verified = response::check(response, &merchant.verifier(), now)
        .map_err(|e| with_endpoint(e, endpoint))?;
    decode_verified(verified.body, echoes)
}

/// The part of [`decode`] after verification: the body as `T`, then the `echoes` on its JSON
/// object. (The fuzz harnesses call it directly, so that they reach it at full speed.)
pub(crate) fn decode_verified<T: serde::de::DeserializeOwned>(
    body: &[u8],
    echoes: &[Echo<'_>],
) -> Result<T, ApiError> {
    // Typed first (serde's positions are kept for shape errors), then the echoes by name.
    let typed = ApiError::parse_json(body)?;
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| ApiError::json(&e))?;
    check_echoes(echoes, |name| {
        value
            .get(name)
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
    })?;
    Ok(typed)
}
