//! 图片上传 / 视频上传 — `POST /v3/merchant/media/upload` ([`ImageUploadRequest`], JPG / PNG /
//! BMP, at most 2 MB) and `POST /v3/merchant/media/video_upload` ([`VideoUploadRequest`], AVI,
//! WMV, MPEG, MP4, MOV, MKV, FLV, F4V, M4V, RMVB, at most 5 MB); the outcome is the `media_id`
//! other APIs take ([`MediaUploaded`]).
//!
//! The body is `multipart/form-data` (part `meta`, then part `file`, the boundary drawn from the
//! caller's RNG) and the `Authorization` signs the `meta` JSON, not the body
//! ([`crate::v3::media`]). The file name's extension and the size are checked when the request
//! is built ([`FieldError::NotInEnum`], [`FieldError::TooLarge`]).
//!
//! ```
//! use wechatpay_sansio::api::media::ImageUploadRequest;
//! use wechatpay_sansio::{simulator::Simulator, Operation, ResponseRef, UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();                                     // TEST ONLY keys
//! let upload = ImageUploadRequest::new("logo.png", b"\x89PNG\r\n\x1a\n TEST ONLY".to_vec());
//! let req = upload.build(&merchant, &mut rng, now)?;                // send it with any client …
//! let reply = sim.handle(&req.into_http(), now, &mut rng, &Default::default());
//! let uploaded = upload.parse_reply(&merchant, ResponseRef::from_http(&reply), now)?;
//! assert!(!uploaded.media_id.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::pay::HOST;
use crate::api::{ApiError, Echo, Endpoint, HttpMethod, Operation, Protocol, v3_common};
use crate::error::FieldError;
use crate::ids::Nonce;
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::time::UnixTime;
use crate::v3::media::{self, Boundary, MediaKind};
use crate::v3::request::{RawRequest, SignableBody};
use core::fmt;
use rand_core::TryCryptoRng;

/// `POST /v3/merchant/media/upload`.
pub const IMAGE_UPLOAD: Endpoint<'static> = Endpoint::new(
    "media-upload",
    HOST,
    "/v3/merchant/media/upload",
    HttpMethod::Post,
    Protocol::V3Upload,
);

/// `POST /v3/merchant/media/video_upload`.
pub const VIDEO_UPLOAD: Endpoint<'static> = Endpoint::new(
    "media-video-upload",
    HOST,
    "/v3/merchant/media/video_upload",
    HttpMethod::Post,
    Protocol::V3Upload,
);

/// A successful upload: the `media_id` to pass to the APIs that take the file.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct MediaUploaded {
    /// `media_id`.
    pub media_id: String,
}

/// The longest file name accepted (characters).
const MAX_FILENAME: usize = 128;

/// Check an upload before anything is built: a file name of at most 128 characters that a
/// part header can carry, with an extension `kind` takes; a file of 1 byte to `kind`'s limit.
fn validate(kind: MediaKind, filename: &str, file: &[u8]) -> Result<&'static str, FieldError> {
    crate::validate::length("filename", filename, 1, MAX_FILENAME)?;
    if !crate::v3::media::is_header_text(filename) {
        return Err(FieldError::Charset {
            field: "filename",
            allowed: "characters other than quotes, backslashes and control characters",
        });
    }
    let content_type = kind.content_type(filename).ok_or(FieldError::NotInEnum {
        field: "filename",
        allowed: kind.extensions(),
    })?;
    if file.is_empty() {
        return Err(FieldError::Missing { field: "file" });
    }
    if file.len() > kind.max_bytes() {
        return Err(FieldError::TooLarge {
            field: "file",
            max: kind.max_bytes(),
            len: file.len(),
        });
    }
    Ok(content_type)
}

/// Build the signed upload of `file` as `filename` to `url`.
fn build_upload<R: TryCryptoRng + ?Sized>(
    kind: MediaKind,
    url: &str,
    filename: &str,
    file: &[u8],
    merchant: &Merchant,
    rng: &mut R,
    now: UnixTime,
) -> Result<Request, ApiError> {
    let content_type = validate(kind, filename, file)?;
    let signer = merchant.signer()?;
    let meta = media::meta(filename, file);
    let boundary = Boundary::generate(rng)?;
    let body = media::form_data(&boundary, &meta, filename, content_type, file)?;
    let nonce = Nonce::generate(rng).map_err(|_| ApiError::Rng)?;
    let form = boundary.content_type();
    Ok(RawRequest::post(url, body, &form)
        .signable(SignableBody::Precomputed(meta.as_bytes()))
        .sign(signer, rng, now, &nonce)?)
}

/// An image upload (`media/upload`): JPG, PNG or BMP, at most 2 MB.
///
/// ```
/// use wechatpay_sansio::api::media::ImageUploadRequest;
/// use wechatpay_sansio::error::FieldError;
/// let gif = ImageUploadRequest::new("a.gif", b"GIF89a".to_vec());
/// assert!(matches!(gif.validate(), Err(FieldError::NotInEnum { field: "filename", .. })));
/// let big = ImageUploadRequest::new("a.jpg", vec![0; 2 * 1024 * 1024 + 1]);
/// assert!(matches!(big.validate(), Err(FieldError::TooLarge { field: "file", .. })));
/// assert!(ImageUploadRequest::new("a.JPG", b"\xff\xd8".to_vec()).validate().is_ok());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ImageUploadRequest {
    /// The file name WeChat Pay records; its extension says the file's type.
    pub filename: String,
    /// The file's bytes.
    pub file: Vec<u8>,
}

/// A video upload (`media/video_upload`): AVI, WMV, MPEG, MP4, MOV, MKV, FLV, F4V, M4V or
/// RMVB, at most 5 MB.
///
/// ```
/// use wechatpay_sansio::api::{media::VideoUploadRequest, Operation};
/// let clip = VideoUploadRequest::new("clip.mp4", b"\0\0\0\x18ftypmp42".to_vec());
/// assert!(clip.validate().is_ok());
/// assert_eq!(clip.endpoint().path, "/v3/merchant/media/video_upload");
/// assert!(VideoUploadRequest::new("clip.jpg", vec![1]).validate().is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct VideoUploadRequest {
    /// The file name WeChat Pay records; its extension says the file's type.
    pub filename: String,
    /// The file's bytes.
    pub file: Vec<u8>,
}

/// The impls of an upload request type.
macro_rules! upload_operation {
    ($name:ident, $kind:expr, $endpoint:ident) => {
        impl $name {
            /// Upload `file` as `filename`.
            #[must_use]
            pub fn new(filename: impl Into<String>, file: Vec<u8>) -> Self {
                Self {
                    filename: filename.into(),
                    file,
                }
            }

            /// Check the file name (characters, extension) and the size.
            ///
            /// # Errors
            /// The first [`FieldError`].
            pub fn validate(&self) -> Result<(), FieldError> {
                validate($kind, &self.filename, &self.file).map(|_| ())
            }

            /// The `meta` JSON this upload sends and signs.
            #[must_use]
            pub fn meta(&self) -> String {
                media::meta(&self.filename, &self.file)
            }
        }

        /// The file name and the size, not the bytes.
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("filename", &self.filename)
                    .field("file_len", &self.file.len())
                    .finish()
            }
        }

        impl Operation for $name {
            type Outcome = MediaUploaded;
            type ReplyOptions = ();
            const IDENTIFYING: &'static [&'static str] = &["media_id"];
            const ENDPOINT: Endpoint<'static> = $endpoint;

            fn build_at<R: TryCryptoRng + ?Sized>(
                &self,
                endpoint: &Endpoint<'_>,
                merchant: &Merchant,
                rng: &mut R,
                now: UnixTime,
            ) -> Result<Request, ApiError> {
                build_upload(
                    $kind,
                    &endpoint.url(),
                    &self.filename,
                    &self.file,
                    merchant,
                    rng,
                    now,
                )
            }

            /// None to compare: the reply carries only the `media_id`, which must be present.
            fn echoes<'a>(&'a self, _merchant: &'a Merchant) -> Vec<Echo<'a>> {
                Echo::present(Self::IDENTIFYING)
            }

            fn decode(
                merchant: &Merchant,
                response: ResponseRef<'_>,
                now: UnixTime,
                (): &(),
                echoes: &[Echo<'_>],
            ) -> Result<MediaUploaded, ApiError> {
                v3_common::decode(merchant, response, now, Some($endpoint.path), echoes)
            }
        }
    };
}

upload_operation!(ImageUploadRequest, MediaKind::Image, IMAGE_UPLOAD);
upload_operation!(VideoUploadRequest, MediaKind::Video, VIDEO_UPLOAD);

/// Check an upload reply without its request (from a log): verified, and the `media_id`
/// present.
///
/// ```
/// use wechatpay_sansio::api::media::read_reply;
/// use wechatpay_sansio::{simulator::Simulator, UnixTime};
/// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
/// let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
/// let reply = sim.signed_v3_reply(&mut rng, http::StatusCode::OK, br#"{"media_id":"m1"}"#.to_vec(), now);
/// let out = read_reply(&sim.merchant(), wechatpay_sansio::ResponseRef::from_http(&reply), now)?;
/// assert_eq!(out.media_id, "m1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`Operation::decode`].
pub fn read_reply(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
) -> Result<MediaUploaded, ApiError> {
    crate::api::read_reply::<ImageUploadRequest>(merchant, response, now)
}
