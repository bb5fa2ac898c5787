//! `v3-authorization`, `v3-sign`, `v3-verify`, `encrypt`, `decrypt-resource`.

use crate::common::{
    Failure, Outcome, line, mask_json, mask_query, note, quoted, read_file, read_stdin,
    secret_from, trim_line_end, utf8,
};
use crate::{
    DecryptResourceArgs, EncryptArgs, PaddingArg, V3AuthorizationArgs, V3KeyArgs, V3SignArgs,
    V3VerifyArgs,
};
use std::path::Path;
use wechatpay_sansio::cipher::{self, CipherError};
use wechatpay_sansio::http::{HeaderMap, HeaderName, HeaderValue};
use wechatpay_sansio::ids::{MchId, Nonce};
use wechatpay_sansio::keys::{
    KeyId, KeyStore, MerchantPrivateKey, PlatformCertificate, PublicKey, Validity, WechatPayKey,
};
use wechatpay_sansio::os::{self, OsRng};
use wechatpay_sansio::secret::ApiV3Key;
use wechatpay_sansio::time::UnixTime;
use wechatpay_sansio::v3::auth::{AuthError, MerchantSigner};
use wechatpay_sansio::v3::canonical;
use wechatpay_sansio::v3::resource::{self, EncryptedResource, ResourceError};
use wechatpay_sansio::v3::verify::{SignatureHeaders, Verifier, VerifyError, VerifyOptions};

/// The id a bare public key gets when `--serial` is not given.
pub const PLACEHOLDER_KEY_ID: &str = "PUB_KEY_ID_0000000000";

fn private_key(path: &Path) -> Result<MerchantPrivateKey, Failure> {
    let pem = zeroize::Zeroizing::new(read_file(path)?);
    MerchantPrivateKey::from_pem(&*pem)
        .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))
}

/// A public key read by `--public-key`, with the validity of the certificate it came from.
pub struct GivenPublicKey {
    /// The RSA public key.
    pub key: PublicKey,
    /// The certificate's validity when the PEM was a certificate; `None` for a bare key.
    pub validity: Option<Validity>,
}

impl GivenPublicKey {
    /// A key taken from a certificate may be used only within the certificate's validity: at
    /// any other `now` this is an "invalid" failure (exit 1) saying so. A bare key has no dates.
    pub fn check_valid_at(&self, now: UnixTime, path: &Path) -> Result<(), Failure> {
        match self.validity {
            Some(v) if !v.contains(now) => Err(Failure::invalid(format_args!(
                "{}: the certificate is outside its validity at {now} (valid {} to {})",
                path.display(),
                v.not_before,
                v.not_after
            ))),
            _ => Ok(()),
        }
    }
}

/// A public key from a PEM file: SPKI (`PUBLIC KEY`), PKCS#1 (`RSA PUBLIC KEY`) or an X.509
/// certificate (`CERTIFICATE`), told apart by the PEM label. A certificate's validity is kept.
pub fn any_public_key(path: &Path) -> Result<GivenPublicKey, Failure> {
    let pem = read_file(path)?;
    let shown = path.display();
    if contains(&pem, b"-----BEGIN CERTIFICATE-----") {
        let cert = PlatformCertificate::from_pem(&pem)
            .map_err(|e| Failure::usage(format!("{shown}: {e}")))?;
        Ok(GivenPublicKey {
            key: cert.public_key().clone(),
            validity: Some(cert.validity()),
        })
    } else {
        let key = PublicKey::from_pem(&pem).map_err(|e| Failure::usage(format!("{shown}: {e}")))?;
        Ok(GivenPublicKey {
            key,
            validity: None,
        })
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn auth_error(e: AuthError) -> Failure {
    match e {
        AuthError::InvalidPathAndQuery => Failure::usage(format!(
            "--url: {e} (give only the path and query, e.g. /v3/certificates?a=b, not https://host/…)"
        )),
        e => Failure::usage(e),
    }
}

/// `wxpay v3-authorization`.
pub fn v3_authorization(a: &V3AuthorizationArgs) -> Outcome {
    let method = a.method.as_str();
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Failure::usage(
            "--method must be a non-empty token such as GET or POST",
        ));
    }
    if method.bytes().any(|b| b.is_ascii_lowercase()) {
        note(format_args!(
            "wxpay: warning: the method {method:?} is signed as given; WeChat Pay signs the upper-case method"
        ));
    }
    let mchid =
        MchId::new(a.mchid.as_str()).map_err(|e| Failure::usage(format!("--mchid: {e}")))?;
    let serial = KeyId::new(&a.serial).map_err(|e| Failure::usage(format!("--serial: {e}")))?;
    let nonce =
        Nonce::new(a.nonce.as_str()).map_err(|e| Failure::usage(format!("--nonce: {e}")))?;
    let key = private_key(&a.private_key)?;
    let body = match &a.body_file {
        Some(p) => read_file(p)?,
        None => Vec::new(),
    };
    if a.explain {
        let ts = UnixTime::from_secs(a.timestamp);
        let len = canonical::request_message(method, &a.url, ts, nonce.as_str(), &body).len();
        // Shown with personal values masked (query parameters and JSON members).
        let shown = canonical::request_message(
            method,
            &mask_query(&a.url),
            ts,
            nonce.as_str(),
            &mask_json(&body),
        );
        note(format_args!(
            "canonical string ({len} bytes): {}",
            quoted(&shown)
        ));
    }
    let signer = MerchantSigner::new(mchid, serial, key);
    let auth = signer
        .authorization(
            &mut OsRng,
            method,
            &a.url,
            UnixTime::from_secs(a.timestamp),
            &nonce,
            &body,
        )
        .map_err(auth_error)?;
    Ok(line(auth))
}

/// `wxpay v3-sign`: SHA256-with-RSA over arbitrary bytes.
pub fn v3_sign(a: &V3SignArgs) -> Outcome {
    let key = private_key(&a.private_key)?;
    let message = match &a.message_file {
        Some(p) => read_file(p)?,
        None => read_stdin()?,
    };
    if a.explain {
        note(format_args!(
            "message ({} bytes): {}",
            message.len(),
            quoted(&message)
        ));
    }
    // The signer's merchant id and serial do not enter a bare signature.
    let placeholder = (MchId::new("1230000109"), KeyId::new("00"));
    let (Ok(mchid), Ok(serial)) = placeholder else {
        return Err(Failure::usage("internal placeholder ids were refused"));
    };
    let sig = MerchantSigner::new(mchid, serial, key)
        .sign(&mut OsRng, &message)
        .map_err(auth_error)?;
    Ok(line(sig))
}

/// Parse `Name: value` lines (as copied from a log or `curl -i`) into a header map.
pub fn parse_headers(text: &str) -> Result<HeaderMap, Failure> {
    let mut map = HeaderMap::new();
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() || l.starts_with("HTTP/") {
            continue;
        }
        let (name, value) = l.split_once(':').ok_or_else(|| {
            Failure::usage(format!(
                "headers file line {}: expected `Name: value`",
                i + 1
            ))
        })?;
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
            Failure::usage(format!("headers file line {}: invalid header name", i + 1))
        })?;
        let value = HeaderValue::from_str(value.trim()).map_err(|_| {
            Failure::usage(format!("headers file line {}: invalid header value", i + 1))
        })?;
        map.append(name, value);
    }
    Ok(map)
}

/// Every verification failure is about the reply, so it is "invalid" (exit 1): garbled or
/// missing signature headers included. Exit 2 is for unusable invocations (files, keys, flags).
pub fn verify_error(e: VerifyError, cert_serial: Option<&KeyId>) -> Failure {
    match (&e, cert_serial) {
        (VerifyError::UnknownKey(_), Some(s)) => {
            Failure::invalid(format!("{e}; the given key's id is {s}"))
        }
        _ => Failure::invalid(e),
    }
}

/// The one key `v3-verify` checks against.
enum GivenKey {
    Certificate(PlatformCertificate),
    Public(GivenPublicKey),
}

/// `wxpay v3-verify`.
pub fn v3_verify(a: &V3VerifyArgs) -> Outcome {
    let now = a.now.map_or_else(os::now, UnixTime::from_secs);
    let given = match (&a.certificate, &a.public_key) {
        (Some(path), _) => {
            let pem = read_file(path)?;
            let cert = PlatformCertificate::from_pem(&pem)
                .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
            // A certificate outside its validity at `now` is refused by the verification.
            GivenKey::Certificate(cert)
        }
        (None, Some(path)) => GivenKey::Public(any_public_key(path)?),
        (None, None) => return Err(Failure::usage("give --certificate or --public-key")),
    };
    let default_serial = match &given {
        GivenKey::Certificate(c) => c.serial().as_str().to_owned(),
        GivenKey::Public(_) => PLACEHOLDER_KEY_ID.to_owned(),
    };
    let header_text;
    let headers_map;
    let headers = if let Some(path) = &a.headers_file {
        header_text = utf8(read_file(path)?, &path.display().to_string())?;
        headers_map = parse_headers(&header_text)?;
        SignatureHeaders::from_headers(&headers_map).map_err(|e| verify_error(e, None))?
    } else {
        let (Some(timestamp), Some(nonce), Some(signature)) =
            (&a.timestamp, &a.nonce, &a.signature)
        else {
            return Err(Failure::usage(
                "give --timestamp, --nonce and --signature, or --headers-file",
            ));
        };
        SignatureHeaders {
            timestamp: timestamp.as_str(),
            nonce: nonce.as_str(),
            signature: signature.as_str(),
            serial: a.serial.as_deref().unwrap_or(&default_serial),
        }
    };
    // The key store holds exactly the one key given. A bare public key carries no id of its own:
    // it is filed under the id the headers name.
    let mut store = KeyStore::new();
    let key_id = match given {
        GivenKey::Certificate(cert) => {
            store.insert_certificate(&cert);
            cert.serial().clone()
        }
        GivenKey::Public(given) => {
            let id = KeyId::new(headers.serial)
                .map_err(|e| Failure::usage(format!("Wechatpay-Serial / --serial: {e}")))?;
            if let Some(path) = &a.public_key {
                given.check_valid_at(now, path)?;
            }
            store.insert(WechatPayKey::public_key(id.clone(), given.key));
            id
        }
    };
    let body = read_file(&a.body_file)?;
    if a.explain {
        let len = canonical::response_message(headers.timestamp, headers.nonce, &body).len();
        let shown =
            canonical::response_message(headers.timestamp, headers.nonce, &mask_json(&body));
        note(format_args!(
            "canonical string ({len} bytes): {}",
            quoted(&shown)
        ));
        note(format_args!("now: {now}, max skew: {} s", a.max_skew));
    }
    let options =
        VerifyOptions::default().with_max_skew(std::time::Duration::from_secs(a.max_skew));
    let id = Verifier::new(&store)
        .with_options(options)
        .verify_headers(&headers, &body, now)
        .map_err(|e| verify_error(e, Some(&key_id)))?;
    Ok(line(format_args!("valid (key {id})")))
}

fn cipher_error(e: CipherError) -> Failure {
    Failure::usage(e)
}

/// `wxpay encrypt`.
pub fn encrypt(a: &EncryptArgs) -> Outcome {
    // Encryption takes no --now: a certificate's dates are not checked here.
    let key = any_public_key(&a.public_key)?.key;
    let plaintext = if a.plaintext == "-" {
        let text = zeroize::Zeroizing::new(utf8(read_stdin()?, "standard input")?);
        zeroize::Zeroizing::new(trim_line_end(&text).to_owned())
    } else {
        zeroize::Zeroizing::new(a.plaintext.clone())
    };
    let padding = match a.padding {
        PaddingArg::Oaep => cipher::Padding::Oaep,
        PaddingArg::Pkcs1 => cipher::Padding::Pkcs1v15,
    };
    let ct =
        cipher::encrypt(&mut OsRng, &key, padding, plaintext.as_bytes()).map_err(cipher_error)?;
    Ok(line(ct))
}

/// The resource object of a notification body, or the body itself when it is the resource.
fn encrypted_resource(json: &[u8]) -> Result<EncryptedResource, String> {
    let value: serde_json::Value = serde_json::from_slice(json)
        .map_err(|e| format!("not JSON: {}", crate::v2::json_error(&e)))?;
    let object = match value.get("resource") {
        Some(r) => r.clone(),
        None => value,
    };
    // serde's messages would quote the offending value: name the expected shape only.
    serde_json::from_value(object).map_err(|_| {
        "not a notification or resource object (string fields algorithm, ciphertext, nonce)"
            .to_owned()
    })
}

/// The APIv3 key from `--apiv3-key`, `--apiv3-key-file` or `WXPAY_APIV3_KEY`.
pub fn api_v3_key(args: &V3KeyArgs) -> Result<ApiV3Key, Failure> {
    let raw = secret_from(
        args.apiv3_key.as_deref(),
        args.apiv3_key_file.as_ref(),
        "apiv3-key",
        "WXPAY_APIV3_KEY",
    )?;
    ApiV3Key::new(raw.as_bytes()).map_err(|e| Failure::usage(format!("APIv3 key: {e}")))
}

/// `wxpay decrypt-resource`.
pub fn decrypt_resource(a: &DecryptResourceArgs) -> Outcome {
    let key = api_v3_key(&a.apiv3)?;
    let tag_or_usage = |e: ResourceError| match e {
        ResourceError::TagMismatch => Failure::invalid(e),
        _ => Failure::usage(e),
    };
    let pt = if let Some(path) = &a.resource_file {
        let json = read_file(path)?;
        encrypted_resource(&json)
            .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?
            .decrypt(&key)
            .map_err(tag_or_usage)?
    } else {
        let (Some(nonce), Some(ciphertext)) = (&a.nonce, &a.ciphertext) else {
            return Err(Failure::usage(
                "give --nonce and --ciphertext, or --resource-file",
            ));
        };
        let aad = a.associated_data.as_deref().unwrap_or("");
        resource::decrypt(&key, nonce, aad.as_bytes(), ciphertext).map_err(tag_or_usage)?
    };
    let mut out = pt.to_vec();
    out.push(b'\n');
    Ok(out)
}
