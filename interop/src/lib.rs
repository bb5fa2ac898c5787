//! wechatpay-sansio behind a real web framework: an [axum] router that receives WeChat Pay
//! notifications, verifies them with the crate, calls the application's handlers for every
//! verified delivery, and answers the way WeChat Pay expects.
//!
//! This package is never published; it holds the examples and tests that need HTTP stacks
//! (`examples/axum_notify.rs` runs this router, `tests/axum_notify.rs` tests it over
//! 127.0.0.1). Copy what you need.
//!
//! | route | what | answers |
//! |---|---|---|
//! | `POST /wechatpay/notify` ([`V3_PATH`]) | v3 notifications (JSON, `Wechatpay-*` signature headers, AES-256-GCM resource) | `204` empty once handled; `401` signature (incl. `WECHATPAY/SIGNTEST/` probes, stale timestamps, unknown serials), `400` not a notification, `408` body not received within the [body timeout](NotifyState::with_body_timeout) (connection closed), `413` body over [`MAX_BODY`], `500` undecryptable or handler failure, each with `{"code":"FAIL","message":…}` |
//! | `POST /wechatpay/v2/notify` ([`V2_PATH`]) | v2 payment result notifications (XML signed with the APIv2 key) | `200` `SUCCESS` XML once handled; `200` `FAIL` XML otherwise (`408` for a body not received in time, `413` for a body over [`MAX_BODY`]) |
//!
//! Every answer other than success makes WeChat Pay send the notification again later, so a
//! handler that fails is retried. **A handler runs for every verified delivery, not once per
//! notification**: WeChat Pay redelivers, and anyone holding a copy can post it again. A v3
//! copy verifies only within the 5-minute timestamp skew; a v2 notification carries no time and
//! no nonce check, so a copy verifies **forever**. Handlers must therefore be idempotent, keyed
//! on the notification's idempotency key:
//!
//! | route | idempotency key |
//! |---|---|
//! | v3 | the notification `id` ([`DecryptedNotification`]`.notification.id`), or for payments the `transaction_id` in the payload |
//! | v2 | [`PayNotification::transaction_id`] (WeChat Pay's order number) |
//!
//! In production the key is a unique constraint in the database, set in the same transaction
//! as the work; [`OncePerKey`] is the in-memory illustration the example uses. Official rules:
//! <https://pay.weixin.qq.com/doc/v3/merchant/4012071382> (v3),
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_7> (v2).
//!
//! ```no_run
//! use wechatpay_sansio_interop::{NotifyState, notify_router};
//! # async fn run(merchant: wechatpay_sansio::merchant::Merchant) -> std::io::Result<()> {
//! let state = NotifyState::new(merchant)
//!     .on_v3(|n| {
//!         println!("{} {}", n.notification.event_type, n.notification.id);
//!         Ok(()) // Err(..) answers 500: WeChat Pay retries
//!     })
//!     .on_v2(|n| {
//!         println!("paid {} fen for {}", n.total_fee(), n.out_trade_no());
//!         Ok(())
//!     });
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, notify_router(state)).await
//! # }
//! ```

use std::collections::HashSet;
use std::error::Error as StdError;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use wechatpay_sansio::merchant::Merchant;
use wechatpay_sansio::os;
use wechatpay_sansio::v2::notify::PayNotification;
use wechatpay_sansio::v3::notify::DecryptedNotification;
use wechatpay_sansio::{v2, v3};

/// The v3 notification route.
pub const V3_PATH: &str = "/wechatpay/notify";
/// The v2 payment result notification route.
pub const V2_PATH: &str = "/wechatpay/v2/notify";
/// Largest accepted notification body: 64 KiB (real ones are 1–2 KiB).
pub const MAX_BODY: usize = 64 * 1024;
/// How long reading a notification body may take by default, from the moment the request head
/// has arrived: 10 s. WeChat Pay sends 1–2 KiB at once and gives up on an answer after 5 s, so a
/// body still arriving after 10 s is a stalled or hostile client holding a connection.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// What a handler returns when it could not process a verified notification: the answer is a
/// failure and WeChat Pay sends the notification again. The error itself is not sent back.
pub type HandlerError = Box<dyn StdError + Send + Sync>;

type V3Handler = dyn Fn(&DecryptedNotification) -> Result<(), HandlerError> + Send + Sync;
type V2Handler = dyn Fn(&PayNotification<'_>) -> Result<(), HandlerError> + Send + Sync;
type RefusedHook = dyn Fn(&'static str, &(dyn StdError + 'static)) + Send + Sync;

/// The router's state: the merchant context (its WeChat Pay keys, APIv3 and APIv2 keys) and
/// the application's callbacks. Cheap to clone.
#[derive(Clone)]
pub struct NotifyState {
    merchant: Arc<Merchant>,
    on_v3: Arc<V3Handler>,
    on_v2: Arc<V2Handler>,
    on_refused: Arc<RefusedHook>,
    body_timeout: Duration,
    v2_options: v2::notify::PayNotifyOptions,
}

impl NotifyState {
    /// Handlers that accept everything; set yours with [`NotifyState::on_v3`] and
    /// [`NotifyState::on_v2`].
    #[must_use]
    pub fn new(merchant: Merchant) -> Self {
        Self {
            merchant: Arc::new(merchant),
            on_v3: Arc::new(|_| Ok(())),
            on_v2: Arc::new(|_| Ok(())),
            on_refused: Arc::new(|_, _| {}),
            body_timeout: DEFAULT_BODY_TIMEOUT,
            v2_options: v2::notify::PayNotifyOptions::default(),
        }
    }

    /// The sign type your v2 orders are placed with: v2 notifications are verified with it
    /// (WeChat Pay omits `sign_type` on notifications of HMAC-SHA256 orders, and MD5 is never
    /// accepted where HMAC-SHA256 is configured). Unset: the notification's `sign_type`, else
    /// the sign's length.
    ///
    /// ```
    /// # let merchant = wechatpay_sansio::simulator::Simulator::new().merchant();
    /// use wechatpay_sansio::v2::SignType;
    /// let state = wechatpay_sansio_interop::NotifyState::new(merchant)
    ///     .with_v2_sign_type(SignType::HmacSha256);
    /// # let _ = wechatpay_sansio_interop::notify_router(state);
    /// ```
    #[must_use]
    pub fn with_v2_sign_type(mut self, sign_type: wechatpay_sansio::v2::SignType) -> Self {
        self.v2_options.sign_type = Some(sign_type);
        self
    }

    /// How long reading a body may take (default [`DEFAULT_BODY_TIMEOUT`]). A body not complete
    /// by then is answered `408` (a v3 FAIL JSON, or FAIL XML for v2) and the connection closed,
    /// so that slow clients cannot hold connections open. This bounds the body only: the time to
    /// receive the request head is the HTTP server's setting (`axum::serve` has none; put the
    /// router behind a reverse proxy with a header timeout, or serve it with `hyper-util`).
    ///
    /// ```
    /// # let merchant = wechatpay_sansio::simulator::Simulator::new().merchant();
    /// use std::time::Duration;
    /// let state = wechatpay_sansio_interop::NotifyState::new(merchant)
    ///     .with_body_timeout(Duration::from_secs(5));
    /// # let _ = wechatpay_sansio_interop::notify_router(state);
    /// ```
    #[must_use]
    pub fn with_body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// Called for every verified and decrypted v3 delivery (a redelivery or a replayed copy
    /// within the timestamp skew included: dedupe on `notification.id`, see [`OncePerKey`]),
    /// before the answer is sent. Keep it short (WeChat Pay waits 5 seconds at most): record the event, hand the work to
    /// a queue, return.
    #[must_use]
    pub fn on_v3(
        mut self,
        f: impl Fn(&DecryptedNotification) -> Result<(), HandlerError> + Send + Sync + 'static,
    ) -> Self {
        self.on_v3 = Arc::new(f);
        self
    }

    /// Called for every verified v2 payment result delivery (`result_code` `SUCCESS`). A v2
    /// notification has no timestamp: a replayed copy verifies forever, so dedupe on
    /// [`PayNotification::transaction_id`] (see [`OncePerKey`]).
    #[must_use]
    pub fn on_v2(
        mut self,
        f: impl Fn(&PayNotification<'_>) -> Result<(), HandlerError> + Send + Sync + 'static,
    ) -> Self {
        self.on_v2 = Arc::new(f);
        self
    }

    /// Called with the route and the reason whenever a notification is not handed to a handler
    /// or its handler failed (signature, size, shape, handler error; and a verified v2
    /// `result_code` `FAIL`, which is acknowledged): log it. A steady stream of signature
    /// failures means a wrong key or an attack; an occasional `WECHATPAY/SIGNTEST/` probe is
    /// WeChat Pay checking that signatures are verified.
    #[must_use]
    pub fn on_refused(
        mut self,
        f: impl Fn(&'static str, &(dyn StdError + 'static)) + Send + Sync + 'static,
    ) -> Self {
        self.on_refused = Arc::new(f);
        self
    }
}

/// Runs the application's work once per idempotency key, in memory: the dedupe the router's
/// handlers need because they run for every verified delivery.
///
/// This is an illustration for one process. In production use the database: a unique
/// constraint on the key (v3 notification `id`, v2 `transaction_id`), inserted in the same
/// transaction as the work, so that restarts and several servers share it. The set here only
/// grows.
///
/// ```
/// use wechatpay_sansio_interop::OncePerKey;
/// let once = OncePerKey::new();
/// let mut runs = 0;
/// for _ in 0..3 {
///     once.run("4200000001202601010000000001", || { runs += 1; Ok(()) })?;
/// }
/// assert_eq!(runs, 1);
/// // A failed run forgets the key: the redelivery WeChat Pay sends after the error answer retries.
/// assert!(once.run("k2", || Err("database down".into())).is_err());
/// once.run("k2", || { runs += 1; Ok(()) })?;
/// assert_eq!(runs, 2);
/// # Ok::<(), wechatpay_sansio_interop::HandlerError>(())
/// ```
#[derive(Debug, Default)]
pub struct OncePerKey {
    seen: Mutex<HashSet<String>>,
}

impl OncePerKey {
    /// An empty set of keys.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `work` unless `key` was run before (or is running now), and returns its result;
    /// `Ok(())` for a key already done. When `work` fails the key is forgotten, so that the
    /// redelivery prompted by the error answer runs it again.
    ///
    /// # Errors
    /// The error of `work`.
    pub fn run(
        &self,
        key: &str,
        work: impl FnOnce() -> Result<(), HandlerError>,
    ) -> Result<(), HandlerError> {
        let first = self
            .seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_owned());
        if !first {
            return Ok(());
        }
        let result = work();
        if result.is_err() {
            self.seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(key);
        }
        result
    }
}

/// `POST` [`V3_PATH`] and `POST` [`V2_PATH`], bodies capped at [`MAX_BODY`].
pub fn notify_router(state: NotifyState) -> Router {
    Router::new()
        .route(V3_PATH, post(v3_notify))
        .route(V2_PATH, post(v2_notify))
        // The handlers read the body themselves under the same cap (to answer an oversized
        // body in WeChat Pay's format); this keeps any extractor added later capped too.
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// Why the body could not be read.
enum BodyError {
    TooLarge,
    TimedOut,
    Read(HandlerError),
}

async fn read_body(body: Body, timeout: Duration) -> Result<Bytes, BodyError> {
    match tokio::time::timeout(timeout, Limited::new(body, MAX_BODY).collect()).await {
        Err(_elapsed) => Err(BodyError::TimedOut),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(BodyError::TooLarge),
        Ok(Err(e)) => Err(BodyError::Read(e)),
    }
}

/// The answer with `Connection: close`: the rest of the body is not waited for.
fn close(mut resp: axum::http::Response<Vec<u8>>) -> axum::http::Response<Vec<u8>> {
    resp.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    resp
}

fn into_axum(resp: axum::http::Response<Vec<u8>>) -> Response {
    resp.map(Body::from).into_response()
}

/// A reason that is not an error of the crate (for [`NotifyState::on_refused`]).
#[derive(Debug)]
struct Refusal(&'static str);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl StdError for Refusal {}

async fn v3_notify(State(state): State<NotifyState>, req: Request) -> Response {
    let now = os::now(); // the clock at receipt
    let (parts, body) = req.into_parts();
    let body = match read_body(body, state.body_timeout).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            (state.on_refused)(V3_PATH, &Refusal("body larger than 64 KiB"));
            return into_axum(v3::notify::failure(
                StatusCode::PAYLOAD_TOO_LARGE,
                "notification body too large",
            ));
        }
        Err(BodyError::TimedOut) => {
            (state.on_refused)(V3_PATH, &Refusal("body not received within the timeout"));
            return into_axum(close(v3::notify::failure(
                StatusCode::REQUEST_TIMEOUT,
                "notification body not received in time",
            )));
        }
        Err(BodyError::Read(e)) => {
            (state.on_refused)(V3_PATH, e.as_ref());
            return into_axum(v3::notify::failure(
                StatusCode::BAD_REQUEST,
                "notification body unreadable",
            ));
        }
    };
    let key = match state.merchant.api_v3_key() {
        Ok(k) => k,
        Err(e) => {
            (state.on_refused)(V3_PATH, &e);
            return into_axum(v3::notify::failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                "not configured",
            ));
        }
    };
    let result = v3::notify::parse(&parts.headers, &body, &state.merchant.verifier(), key, now);
    match &result {
        Ok(n) => {
            if let Err(e) = (state.on_v3)(n) {
                (state.on_refused)(V3_PATH, e.as_ref());
                return into_axum(v3::notify::failure(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "processing failed",
                ));
            }
        }
        Err(e) => (state.on_refused)(V3_PATH, e),
    }
    into_axum(v3::notify::answer(&result))
}

async fn v2_notify(State(state): State<NotifyState>, req: Request) -> Response {
    let body = match read_body(req.into_body(), state.body_timeout).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            (state.on_refused)(V2_PATH, &Refusal("body larger than 64 KiB"));
            let mut r = v2::notify::failure("body too large");
            *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return into_axum(r);
        }
        Err(BodyError::TimedOut) => {
            (state.on_refused)(V2_PATH, &Refusal("body not received within the timeout"));
            let mut r = v2::notify::failure("body not received in time");
            *r.status_mut() = StatusCode::REQUEST_TIMEOUT;
            return into_axum(close(r));
        }
        Err(BodyError::Read(e)) => {
            (state.on_refused)(V2_PATH, e.as_ref());
            return into_axum(v2::notify::failure("body unreadable"));
        }
    };
    let key = match state.merchant.api_v2_key() {
        Ok(k) => k,
        Err(e) => {
            (state.on_refused)(V2_PATH, &e);
            return into_axum(v2::notify::failure("not configured"));
        }
    };
    let result = v2::notify::parse_with(&body, key, &state.v2_options);
    match &result {
        Ok(n) => {
            if let Err(e) = (state.on_v2)(n) {
                (state.on_refused)(V2_PATH, e.as_ref());
                return into_axum(v2::notify::failure("processing failed"));
            }
        }
        Err(e) => (state.on_refused)(V2_PATH, e),
    }
    into_axum(v2::notify::answer(&result))
}
