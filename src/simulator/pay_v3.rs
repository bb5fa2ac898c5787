//! The v3 payment endpoints of the offline sandbox ([`super::sandbox`] holds the order book and
//! the test's actions), written from the official wire format with [`serde_json::Value`]: the
//! simulator is the oracle the merchant side's typed payment operations are tested against, so
//! it shares none of their code.
//!
//! | request | answer |
//! |---|---|
//! | `POST /v3/pay/transactions/{jsapi,app,h5,native}` | 200 `prepay_id` (jsapi, app), `h5_url`, `code_url` |
//! | `POST /v3/pay/partner/transactions/{jsapi,app,h5,native}` | the same, for a sub-merchant |
//! | `GET /v3/pay[/partner]/transactions/id/{transaction_id}?mchid=` (partner: `sp_mchid=&sub_mchid=`) | 200 the order |
//! | `GET /v3/pay[/partner]/transactions/out-trade-no/{out_trade_no}?…` | 200 the order |
//! | `POST /v3/pay[/partner]/transactions/out-trade-no/{out_trade_no}/close` | 204 |
//! | `POST /v3/refund/domestic/refunds` | 200 the refund (`PROCESSING`) |
//! | `GET /v3/refund/domestic/refunds/{out_refund_no}[?sub_mchid=]` | 200 the refund |
//! | `GET /v3/certificates` | 200 the platform certificates, encrypted with the APIv3 key (through a rotation: [`super::PlatformRotation`]) |
//! | `POST /v3/merchant/media/upload`, `…/video_upload` | 200 `media_id` ([`super::media`]: the `Authorization` over the `meta` part) |
//!
//! Every request is checked like the identity endpoints' (host, method, `Authorization`: 401
//! `SIGN_ERROR`), then its body field by field (400 `PARAM_ERROR` naming the field, the body's
//! `mchid` or `sp_mchid` that of the signer), then against the order book: a repeated
//! `out_trade_no` with the same body gets the same answer, with another body 400
//! `INVALID_REQUEST` (`201 商户订单号重复`); a paid order 400 `ORDERPAID`, a closed one 400
//! `ORDER_CLOSED`; an unknown order 404 `ORDER_NOT_EXIST` (refunds: 404 `RESOURCE_NOT_EXISTS`);
//! a refund of an unpaid order, of another total or beyond what is left 400 `INVALID_REQUEST`; a
//! repeated `out_refund_no` with the same body the same refund. Every answer past the
//! `Authorization` check is signed, errors and the empty 204 included.
//!
//! Faults come from [`Script::pay`] ([`PayScript`]): a status before anything happens (429
//! `FREQUENCY_LIMITED`, 500 `SYSTEM_ERROR`, any [`ScriptedError`]), no reply at all (the
//! request lost, or its reply lost after it took effect), a reply signed under a platform serial
//! the merchant does not (yet, or any more) trust, a reply altered in transit, and a refund that
//! fails at once (200 with `status` `ABNORMAL`, the documented "accepted but failed" answer of
//! the refund API; the v3 payment APIs document no 200 carrying an error code).
//!
//! **No reply.** A sans-IO simulator has no connection to drop: [`Simulator::handle_or_drop`]
//! returns `None` for a reply that never comes; [`Simulator::handle`], which must return a
//! response, answers `504 Gateway Timeout` with an empty, unsigned body in its place (what a
//! client behind a gateway sees: the outcome is unknown, query before retrying).
//!
//! ```
//! use wechatpay_sansio::simulator::{Script, Simulator, pay_v3::{PayFault, PayScript, SandboxEndpoint}};
//! use wechatpay_sansio::{ids::Nonce, time::UnixTime, v3::request::JsonRequest};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();
//! let nonce = Nonce::generate(&mut rng)?;
//! let req = JsonRequest::get("https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/ORDER_0001?mchid=1900000109")
//!     .sign(merchant.signer()?, &mut rng, now, &nonce)?
//!     .into_http();
//! assert_eq!(sim.handle(&req, now, &mut rng, &Script::default()).status(), 404); // ORDER_NOT_EXIST
//! let script = Script {
//!     pay: PayScript::fault(PayFault::FrequencyLimited).on(SandboxEndpoint::Query),
//!     ..Script::default()
//! };
//! assert_eq!(sim.handle(&req, now, &mut rng, &script).status(), 429);
//! let script = Script { pay: PayScript::fault(PayFault::NoReply), ..Script::default() };
//! assert!(sim.handle_or_drop(&req, now, &mut rng, &script).is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::sandbox::{self, Order, OrderState, Refund, RefundResult, RefundState, TradeKind};
use super::v3::ScriptedError;
use super::{Script, SigningKeyMode, Simulator, v3_error};
use crate::keys::KeyId;
use crate::time::UnixTime;
use crate::v3::header::WECHATPAY_SERIAL;
use http::{HeaderValue, Method, Response, StatusCode};
use percent_encoding::percent_decode_str;
use rand_core::TryCryptoRng;
use serde_json::{Value, json};

/// The payment sandbox's faults ([`Script::pay`]): which fault, and on which endpoint. The
/// default has none. A script is a value: the fault applies to every matching request until
/// the test sends the next one with another script (usually [`Script::default`], to see the
/// retry succeed).
///
/// ```
/// use wechatpay_sansio::simulator::pay_v3::{PayFault, PayScript, SandboxEndpoint};
/// let script = PayScript::fault(PayFault::SystemError).on(SandboxEndpoint::Refund);
/// assert_eq!(script.only, Some(SandboxEndpoint::Refund));
/// assert_eq!(PayScript::default().fault, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PayScript {
    /// The fault; `None` answers normally.
    pub fault: Option<PayFault>,
    /// The endpoint the fault applies to; `None`: every endpoint of the sandbox.
    pub only: Option<SandboxEndpoint>,
}

impl PayScript {
    /// `fault` on every endpoint of the sandbox.
    ///
    /// ```
    /// use wechatpay_sansio::simulator::pay_v3::{PayFault, PayScript};
    /// assert_eq!(PayScript::fault(PayFault::NoReply).fault, Some(PayFault::NoReply));
    /// ```
    #[must_use]
    pub fn fault(fault: PayFault) -> Self {
        Self {
            fault: Some(fault),
            only: None,
        }
    }

    /// The same fault, on `endpoint` only.
    ///
    /// ```
    /// use wechatpay_sansio::simulator::pay_v3::{PayFault, PayScript, SandboxEndpoint};
    /// let s = PayScript::fault(PayFault::ReplyLost).on(SandboxEndpoint::Close);
    /// assert_eq!(s.only, Some(SandboxEndpoint::Close));
    /// ```
    #[must_use]
    pub fn on(mut self, endpoint: SandboxEndpoint) -> Self {
        self.only = Some(endpoint);
        self
    }

    fn for_endpoint(&self, endpoint: SandboxEndpoint) -> Option<&PayFault> {
        self.fault
            .as_ref()
            .filter(|_| self.only.is_none_or(|o| o == endpoint))
    }
}

/// What goes wrong with a request to the payment sandbox, once it has passed the
/// `Authorization` check.
///
/// ```
/// use wechatpay_sansio::simulator::{pay_v3::PayFault, v3::ScriptedError};
/// let f = PayFault::Error(ScriptedError::new(403, "NOT_ENOUGH", "基本账户余额不足"));
/// assert_ne!(f, PayFault::SystemError);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayFault {
    /// 429 `FREQUENCY_LIMITED` 频率超限; nothing happens.
    FrequencyLimited,
    /// 500 `SYSTEM_ERROR` 系统错误; nothing happens (the documented advice: retry with the
    /// same parameters).
    SystemError,
    /// This error reply; nothing happens.
    Error(ScriptedError),
    /// No reply: the request is lost before WeChat Pay acts on it.
    NoReply,
    /// The request takes effect (an order is created, closed, refunded) but its reply is lost.
    ReplyLost,
    /// The reply is signed with the platform key, as always, but names this key in
    /// `Wechatpay-Serial`: a platform serial the merchant does not trust yet (a rotation it has
    /// not downloaded) or no longer trusts. The merchant sees
    /// [`crate::v3::verify::VerifyError::UnknownKey`] ([`crate::error::Distrust::KeyRotation`]).
    StaleSerial(KeyId),
    /// The reply's body is altered after it was signed (a space appended): the signature no
    /// longer verifies.
    Tampered,
    /// A refund fails at once: 200 with `status` `ABNORMAL` (and the `REFUND.ABNORMAL`
    /// notification ready, [`Simulator::refund_notification`]). Other endpoints answer normally.
    RefundAbnormal,
}

/// The endpoints of the payment sandbox, to aim a [`PayFault`] at one of them.
///
/// ```
/// use wechatpay_sansio::simulator::pay_v3::SandboxEndpoint;
/// assert_ne!(SandboxEndpoint::Refund, SandboxEndpoint::RefundQuery);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SandboxEndpoint {
    /// The prepay paths, direct and partner.
    Prepay,
    /// The order queries (by `transaction_id` or `out_trade_no`), direct and partner.
    Query,
    /// Closing an order, direct and partner.
    Close,
    /// `POST /v3/refund/domestic/refunds`.
    Refund,
    /// `GET /v3/refund/domestic/refunds/{out_refund_no}`.
    RefundQuery,
    /// `GET /v3/certificates`.
    Certificates,
    /// `POST /v3/merchant/media/upload` and `POST /v3/merchant/media/video_upload`.
    MediaUpload,
}

enum Lookup {
    TransactionId(String),
    OutTradeNo(String),
}

enum Route {
    Prepay { partner: bool, kind: TradeKind },
    Query { partner: bool, by: Lookup },
    Close { partner: bool, out_trade_no: String },
    Refund,
    RefundQuery(String),
    Certificates,
    Media { video: bool },
}

/// A path segment, percent-decoded (a segment that does not decode is kept as sent: it names
/// nothing in the book).
fn segment(s: &str) -> String {
    percent_decode_str(s)
        .decode_utf8()
        .map_or_else(|_| s.to_owned(), |c| c.into_owned())
}

fn route(path: &str) -> Option<(Route, Method, SandboxEndpoint)> {
    use SandboxEndpoint as E;
    if path == "/v3/certificates" {
        return Some((Route::Certificates, Method::GET, E::Certificates));
    }
    if let Some(kind) = path.strip_prefix("/v3/merchant/media/") {
        let video = match kind {
            "upload" => false,
            "video_upload" => true,
            _ => return None,
        };
        return Some((Route::Media { video }, Method::POST, E::MediaUpload));
    }
    if path == "/v3/refund/domestic/refunds" {
        return Some((Route::Refund, Method::POST, E::Refund));
    }
    if let Some(no) = path.strip_prefix("/v3/refund/domestic/refunds/") {
        return (!no.is_empty() && !no.contains('/'))
            .then(|| (Route::RefundQuery(segment(no)), Method::GET, E::RefundQuery));
    }
    let (partner, rest) = if let Some(r) = path.strip_prefix("/v3/pay/partner/transactions/") {
        (true, r)
    } else {
        (false, path.strip_prefix("/v3/pay/transactions/")?)
    };
    if let Some(kind) = TradeKind::from_segment(rest) {
        return Some((Route::Prepay { partner, kind }, Method::POST, E::Prepay));
    }
    let one = |s: &str| (!s.is_empty() && !s.contains('/')).then(|| segment(s));
    if let Some(id) = rest.strip_prefix("id/") {
        let by = Lookup::TransactionId(one(id)?);
        return Some((Route::Query { partner, by }, Method::GET, E::Query));
    }
    let rest = rest.strip_prefix("out-trade-no/")?;
    if let Some(no) = rest.strip_suffix("/close") {
        let out_trade_no = one(no)?;
        return Some((
            Route::Close {
                partner,
                out_trade_no,
            },
            Method::POST,
            E::Close,
        ));
    }
    let by = Lookup::OutTradeNo(one(rest)?);
    Some((Route::Query { partner, by }, Method::GET, E::Query))
}

/// A reply before signing.
struct Answer {
    status: StatusCode,
    body: Vec<u8>,
}

type Checked<T> = Result<T, Answer>;

fn ok(v: &Value) -> Answer {
    Answer {
        status: StatusCode::OK,
        body: v.to_string().into_bytes(),
    }
}

fn fail(status: StatusCode, code: &str, message: &str) -> Answer {
    Answer {
        status,
        body: json!({ "code": code, "message": message })
            .to_string()
            .into_bytes(),
    }
}

/// 400 `PARAM_ERROR` about a body field (`path` a JSON pointer), with the `detail` object.
fn param(path: &str, message: &str, value: Option<&Value>) -> Answer {
    let mut detail = json!({ "field": path, "location": "body" });
    if let Some(v) = value.filter(|v| !v.is_object() && !v.is_array()) {
        detail["value"] = v.clone();
    }
    Answer {
        status: StatusCode::BAD_REQUEST,
        body: json!({ "code": "PARAM_ERROR", "message": message, "detail": detail })
            .to_string()
            .into_bytes(),
    }
}

fn missing(path: &str) -> Answer {
    param(
        path,
        &format!("输入源“/body{path}”映射到值字段必填性规则校验失败，此字段为必填项"),
        None,
    )
}

fn wrong_type(path: &str, v: &Value) -> Answer {
    param(
        path,
        &format!("输入源“/body{path}”映射到值字段类型规则校验失败，类型不匹配"),
        Some(v),
    )
}

fn invalid(path: &str, v: &Value, issue: &str) -> Answer {
    param(
        path,
        &format!("输入源“/body{path}”映射到值字段规则校验失败，{issue}"),
        Some(v),
    )
}

/// The body's `mchid` / `sp_mchid` (or the query's) is not the merchant that signed.
fn mchid_mismatch() -> Answer {
    fail(
        StatusCode::BAD_REQUEST,
        "PARAM_ERROR",
        "http header中的mchid与post payload中的mchid不匹配",
    )
}

fn order_not_exist() -> Answer {
    fail(StatusCode::NOT_FOUND, "ORDER_NOT_EXIST", "订单不存在")
}

fn system_error() -> Answer {
    fail(
        StatusCode::INTERNAL_SERVER_ERROR,
        "SYSTEM_ERROR",
        "系统错误",
    )
}

fn need_str<'a>(b: &'a Value, path: &str) -> Checked<&'a str> {
    match b.pointer(path) {
        None | Some(Value::Null) => Err(missing(path)),
        Some(Value::String(s)) if s.is_empty() => Err(missing(path)),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(wrong_type(path, other)),
    }
}

fn opt_str<'a>(b: &'a Value, path: &str) -> Checked<Option<&'a str>> {
    match b.pointer(path) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(path, other)),
    }
}

fn need_object(b: &Value, path: &str) -> Checked<()> {
    match b.pointer(path) {
        None | Some(Value::Null) => Err(missing(path)),
        Some(Value::Object(_)) => Ok(()),
        Some(other) => Err(wrong_type(path, other)),
    }
}

/// An integer (not `1.0`, not `"1"`) of at least `min`.
fn need_int(b: &Value, path: &str, min: i64) -> Checked<i64> {
    match b.pointer(path) {
        None | Some(Value::Null) => Err(missing(path)),
        Some(v @ Value::Number(n)) => match n.as_i64() {
            Some(i) if i >= min => Ok(i),
            Some(_) => Err(invalid(path, v, &format!("小于最小值 {min}"))),
            None => Err(wrong_type(path, v)),
        },
        Some(other) => Err(wrong_type(path, other)),
    }
}

/// At most `max` characters.
fn at_most(b: &Value, path: &str, s: &str, max: usize) -> Checked<()> {
    let n = s.chars().count();
    if n > max {
        let v = b.pointer(path).unwrap_or(&Value::Null);
        return Err(invalid(path, v, &format!("字符数 {n}，大于最大值 {max}")));
    }
    Ok(())
}

/// `min..=max` characters out of `[0-9A-Za-z]` and `extra`.
fn number_rule(
    b: &Value,
    path: &str,
    s: &str,
    (min, max): (usize, usize),
    extra: &str,
) -> Checked<()> {
    let n = s.chars().count();
    let charset = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || extra.contains(c));
    if (min..=max).contains(&n) && charset {
        return Ok(());
    }
    let v = b.pointer(path).unwrap_or(&Value::Null);
    Err(invalid(
        path,
        v,
        &format!("须为 {min} 至 {max} 位数字、大小写字母或 {extra}"),
    ))
}

/// A `notify_url`: an absolute `https://` (or `http://`) URL without a query.
fn notify_url(b: &Value, path: &str) -> Checked<Option<String>> {
    let Some(url) = opt_str(b, path)? else {
        return Ok(None);
    };
    let fine = url
        .parse::<http::Uri>()
        .ok()
        .filter(|u| matches!(u.scheme_str(), Some("https" | "http")))
        .is_some_and(|u| u.host().is_some() && u.query().is_none());
    if fine {
        Ok(Some(url.to_owned()))
    } else {
        let v = b.pointer(path).unwrap_or(&Value::Null);
        Err(invalid(
            path,
            v,
            "须为外网可访问的 https 地址，且不能携带参数",
        ))
    }
}

fn json_body(req: &http::Request<Vec<u8>>) -> Checked<Value> {
    match serde_json::from_slice::<Value>(req.body()) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(fail(
            StatusCode::BAD_REQUEST,
            "PARAM_ERROR",
            "请求体不是合法的JSON对象",
        )),
    }
}

/// The query string's `name`, percent-decoded.
fn query_param(req: &http::Request<Vec<u8>>, name: &str) -> Option<String> {
    req.uri()
        .query()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| segment(v))
}

impl Simulator {
    /// The payment sandbox's share of [`Simulator::handle_v3`]: `None` if the path is not one
    /// of its endpoints; a reply that never comes as `504 Gateway Timeout` with an empty body.
    pub(crate) fn pay_v3<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        now: UnixTime,
        rng: &mut R,
        script: &PayScript,
    ) -> Option<Response<Vec<u8>>> {
        self.sandbox(req, now, rng, script).map(|reply| {
            reply.unwrap_or_else(|| {
                let mut r = Response::new(Vec::new());
                *r.status_mut() = StatusCode::GATEWAY_TIMEOUT;
                r
            })
        })
    }

    /// [`Simulator::handle`], except that a reply the script loses ([`PayFault::NoReply`],
    /// [`PayFault::ReplyLost`]) is `None`, as a client sees a timeout: the sans-IO form of "no
    /// reply".
    ///
    /// `rng` draws the simulator's nonces and, under RustCrypto, the randomness of its RSA
    /// operations (signing, decryption); under `aws-lc-rs` the RSA operations do not consult it.
    ///
    /// ```
    /// use wechatpay_sansio::simulator::{Script, Simulator, pay_v3::{PayFault, PayScript}};
    /// use wechatpay_sansio::{ids::Nonce, time::UnixTime, v3::request::JsonRequest};
    /// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    /// let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
    /// let merchant = sim.merchant();
    /// let order = serde_json::json!({ "appid": "wxd678efh567hg6787", "mchid": "1900000109",
    ///     "description": "TEST ONLY", "out_trade_no": "ORDER_0003",
    ///     "notify_url": "https://merchant.example/notify", "amount": { "total": 1 } });
    /// let nonce = Nonce::generate(&mut rng)?;
    /// let req = JsonRequest::post("https://api.mch.weixin.qq.com/v3/pay/transactions/native",
    ///                             order.to_string().into_bytes())
    ///     .sign(merchant.signer()?, &mut rng, now, &nonce)?
    ///     .into_http();
    /// // The order is taken, the answer lost …
    /// let lost = Script { pay: PayScript::fault(PayFault::ReplyLost), ..Script::default() };
    /// assert!(sim.handle_or_drop(&req, now, &mut rng, &lost).is_none());
    /// // … and the retry, the same body, gets the same answer.
    /// let retry = sim.handle_or_drop(&req, now, &mut rng, &Script::default()).ok_or("dropped")?;
    /// assert_eq!(retry.status(), 200);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handle_or_drop<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        now: UnixTime,
        rng: &mut R,
        script: &Script,
    ) -> Option<Response<Vec<u8>>> {
        match self.sandbox(req, now, rng, &script.pay) {
            Some(reply) => reply,
            None => Some(self.handle(req, now, rng, script)),
        }
    }

    /// `None`: not a sandbox path. `Some(None)`: the reply never comes.
    #[allow(clippy::option_option)] // the two levels mean two things, said above
    fn sandbox<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        now: UnixTime,
        rng: &mut R,
        script: &PayScript,
    ) -> Option<Option<Response<Vec<u8>>>> {
        let (route, method, endpoint) = route(req.uri().path())?;
        let host = req.uri().host();
        if req.uri().scheme_str() != Some("https")
            || !matches!(
                host,
                Some("api.mch.weixin.qq.com" | "api2.mch.weixin.qq.com")
            )
        {
            return Some(Some(v3_error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "接口不存在",
            )));
        }
        if req.method() != method {
            return Some(Some(v3_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "INVALID_REQUEST",
                "请求方法错误",
            )));
        }
        // An upload's signature covers its `meta` part, not the body.
        let upload = match route {
            Route::Media { .. } => match super::media::read_upload(req) {
                Ok(upload) => Some(upload),
                Err(message) => {
                    return Some(Some(v3_error(
                        StatusCode::BAD_REQUEST,
                        "PARAM_ERROR",
                        message,
                    )));
                }
            },
            _ => None,
        };
        let signed = upload.as_ref().map_or(&req.body()[..], |u| &u.meta[..]);
        if let Err(reply) = self.check_v3_authorization_over(req, now, signed) {
            return Some(Some(reply));
        }
        let fault = script.for_endpoint(endpoint);
        let answer = match fault {
            Some(PayFault::NoReply) => return Some(None),
            Some(PayFault::FrequencyLimited) => fail(
                StatusCode::TOO_MANY_REQUESTS,
                "FREQUENCY_LIMITED",
                "频率超限",
            ),
            Some(PayFault::SystemError) => system_error(),
            Some(PayFault::Error(ScriptedError {
                status,
                code,
                message,
            })) => fail(
                StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST),
                code,
                message,
            ),
            _ => match (&route, &upload) {
                (Route::Media { video }, Some(upload)) => {
                    let (status, body) = self.media_upload(*video, upload, now);
                    Answer { status, body }
                }
                _ => {
                    let abnormal = matches!(fault, Some(PayFault::RefundAbnormal));
                    self.answer(route, req, now, rng, abnormal)
                        .unwrap_or_else(|e| e)
                }
            },
        };
        let empty = answer.body.is_empty();
        let mut reply = self.signed_v3_reply(rng, answer.status, answer.body, now);
        if empty {
            reply.headers_mut().remove(http::header::CONTENT_TYPE);
        }
        match fault {
            Some(PayFault::ReplyLost) => return Some(None),
            Some(PayFault::StaleSerial(id)) => {
                if let Ok(v) = HeaderValue::from_str(id.as_str()) {
                    reply.headers_mut().insert(WECHATPAY_SERIAL.clone(), v);
                }
            }
            Some(PayFault::Tampered) => reply.body_mut().push(b' '),
            _ => {}
        }
        Some(Some(reply))
    }

    fn answer<R: TryCryptoRng + ?Sized>(
        &self,
        route: Route,
        req: &http::Request<Vec<u8>>,
        now: UnixTime,
        rng: &mut R,
        refund_abnormal: bool,
    ) -> Checked<Answer> {
        match route {
            Route::Prepay { partner, kind } => self.prepay(partner, kind, req, now),
            Route::Query { partner, by } => self.query(partner, &by, req),
            Route::Close {
                partner,
                out_trade_no,
            } => self.close(partner, &out_trade_no, req),
            Route::Refund => self.refund(req, now, rng, refund_abnormal),
            Route::RefundQuery(out_refund_no) => self.refund_query(&out_refund_no, req),
            Route::Certificates => self.certificates(rng),
            // Answered in `sandbox`, which has read the upload.
            Route::Media { .. } => Err(system_error()),
        }
    }

    /// `POST /v3/pay[/partner]/transactions/{jsapi,app,h5,native}`.
    fn prepay(
        &self,
        partner: bool,
        kind: TradeKind,
        req: &http::Request<Vec<u8>>,
        now: UnixTime,
    ) -> Checked<Answer> {
        let b = json_body(req)?;
        let sub_mchid = if partner {
            need_str(&b, "/sp_appid")?;
            if need_str(&b, "/sp_mchid")? != self.mchid.as_str() {
                return Err(mchid_mismatch());
            }
            opt_str(&b, "/sub_appid")?;
            Some(need_str(&b, "/sub_mchid")?.to_owned())
        } else {
            need_str(&b, "/appid")?;
            if need_str(&b, "/mchid")? != self.mchid.as_str() {
                return Err(mchid_mismatch());
            }
            None
        };
        let description = need_str(&b, "/description")?;
        at_most(&b, "/description", description, 127)?;
        let out_trade_no = need_str(&b, "/out_trade_no")?;
        number_rule(&b, "/out_trade_no", out_trade_no, (6, 32), "_-*")?;
        if let Some(t) = opt_str(&b, "/time_expire")?
            && !sandbox::is_rfc3339(t)
        {
            let v = b.pointer("/time_expire").unwrap_or(&Value::Null);
            return Err(invalid(
                "/time_expire",
                v,
                "须为 rfc3339 格式 yyyy-MM-DDTHH:mm:ss+TIMEZONE",
            ));
        }
        if let Some(a) = opt_str(&b, "/attach")? {
            at_most(&b, "/attach", a, 128)?;
        }
        if notify_url(&b, "/notify_url")?.is_none() {
            return Err(missing("/notify_url"));
        }
        need_object(&b, "/amount")?;
        let total = need_int(&b, "/amount/total", 1)?;
        if let Some(c) = opt_str(&b, "/amount/currency")?
            && c != "CNY"
        {
            let v = b.pointer("/amount/currency").unwrap_or(&Value::Null);
            return Err(invalid("/amount/currency", v, "境内商户号仅支持人民币 CNY"));
        }
        if kind == TradeKind::Jsapi {
            need_object(&b, "/payer")?;
            if partner {
                let sp = opt_str(&b, "/payer/sp_openid")?.filter(|s| !s.is_empty());
                let sub = opt_str(&b, "/payer/sub_openid")?.filter(|s| !s.is_empty());
                match (sp, sub) {
                    (None, None) => return Err(missing("/payer/sp_openid")),
                    (Some(_), Some(_)) => {
                        let v = b.pointer("/payer/sub_openid").unwrap_or(&Value::Null);
                        return Err(invalid(
                            "/payer/sub_openid",
                            v,
                            "sp_openid 与 sub_openid 二选一",
                        ));
                    }
                    (None, Some(_)) if b.get("sub_appid").is_none() => {
                        return Err(missing("/sub_appid"));
                    }
                    _ => {}
                }
            } else {
                need_str(&b, "/payer/openid")?;
            }
        }
        if kind == TradeKind::H5 {
            need_object(&b, "/scene_info")?;
            need_str(&b, "/scene_info/payer_client_ip")?;
            need_object(&b, "/scene_info/h5_info")?;
            need_str(&b, "/scene_info/h5_info/type")?;
        }

        let mut book = self.book();
        if let Some(i) = book.order(sub_mchid.as_deref(), out_trade_no) {
            let o = &book.orders[i];
            return if o.is_paid() {
                Err(fail(StatusCode::BAD_REQUEST, "ORDERPAID", "该订单已支付"))
            } else if o.is_closed() {
                Err(fail(StatusCode::BAD_REQUEST, "ORDER_CLOSED", "订单已关闭"))
            } else if o.kind == kind && o.request == b {
                Ok(ok(&o.answer))
            } else {
                Err(fail(
                    StatusCode::BAD_REQUEST,
                    "INVALID_REQUEST",
                    "201 商户订单号重复",
                ))
            };
        }
        let seq = book.next();
        let prepay_id = sandbox::prepay_id(now, seq);
        let answer = match kind {
            TradeKind::Jsapi | TradeKind::App => json!({ "prepay_id": prepay_id }),
            TradeKind::H5 => json!({ "h5_url": format!(
                "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id={prepay_id}&package={seq:010}"
            ) }),
            TradeKind::Native => {
                json!({ "code_url": format!("weixin://wxpay/bizpayurl?pr=TESTONLY{seq}") })
            }
        };
        let reply = ok(&answer);
        book.orders.push(Order {
            sub_mchid,
            out_trade_no: out_trade_no.to_owned(),
            kind,
            request: b.clone(),
            answer,
            total,
            state: OrderState::NotPay,
        });
        Ok(reply)
    }

    /// The query string's merchant: `mchid` (direct), `sp_mchid` and `sub_mchid` (partner,
    /// returned).
    fn query_merchant(
        &self,
        partner: bool,
        req: &http::Request<Vec<u8>>,
    ) -> Checked<Option<String>> {
        let need = |name: &str| {
            query_param(req, name)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    fail(
                        StatusCode::BAD_REQUEST,
                        "PARAM_ERROR",
                        &format!("缺少参数 {name}"),
                    )
                })
        };
        let signer = need(if partner { "sp_mchid" } else { "mchid" })?;
        if signer != self.mchid.as_str() {
            return Err(mchid_mismatch());
        }
        if partner {
            Ok(Some(need("sub_mchid")?))
        } else {
            Ok(None)
        }
    }

    /// `GET /v3/pay[/partner]/transactions/{id/…, out-trade-no/…}`.
    fn query(&self, partner: bool, by: &Lookup, req: &http::Request<Vec<u8>>) -> Checked<Answer> {
        let sub = self.query_merchant(partner, req)?;
        let book = self.book();
        let i = match by {
            Lookup::TransactionId(id) => book.order_by_transaction_id(sub.as_deref(), id),
            Lookup::OutTradeNo(no) => book.order(sub.as_deref(), no),
        }
        .ok_or_else(order_not_exist)?;
        Ok(ok(&book.query_json(&book.orders[i])))
    }

    /// `POST /v3/pay[/partner]/transactions/out-trade-no/{out_trade_no}/close`.
    fn close(
        &self,
        partner: bool,
        out_trade_no: &str,
        req: &http::Request<Vec<u8>>,
    ) -> Checked<Answer> {
        let b = json_body(req)?;
        let signer = need_str(&b, if partner { "/sp_mchid" } else { "/mchid" })?;
        if signer != self.mchid.as_str() {
            return Err(mchid_mismatch());
        }
        let sub = if partner {
            Some(need_str(&b, "/sub_mchid")?)
        } else {
            None
        };
        let mut book = self.book();
        let i = book.order(sub, out_trade_no).ok_or_else(order_not_exist)?;
        if book.orders[i].is_paid() {
            return Err(fail(StatusCode::BAD_REQUEST, "ORDERPAID", "该订单已支付"));
        }
        book.orders[i].state = OrderState::Closed;
        Ok(Answer {
            status: StatusCode::NO_CONTENT,
            body: Vec::new(),
        })
    }

    /// `POST /v3/refund/domestic/refunds`.
    fn refund<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        now: UnixTime,
        rng: &mut R,
        abnormal: bool,
    ) -> Checked<Answer> {
        let b = json_body(req)?;
        let sub = opt_str(&b, "/sub_mchid")?.filter(|s| !s.is_empty());
        let by_id = opt_str(&b, "/transaction_id")?.filter(|s| !s.is_empty());
        let by_no = opt_str(&b, "/out_trade_no")?.filter(|s| !s.is_empty());
        if by_id.is_none() && by_no.is_none() {
            return Err(missing("/transaction_id"));
        }
        let out_refund_no = need_str(&b, "/out_refund_no")?;
        number_rule(&b, "/out_refund_no", out_refund_no, (1, 64), "_-|*@")?;
        if let Some(r) = opt_str(&b, "/reason")? {
            at_most(&b, "/reason", r, 80)?;
        }
        let url = notify_url(&b, "/notify_url")?;
        need_object(&b, "/amount")?;
        let refund = need_int(&b, "/amount/refund", 1)?;
        let total = need_int(&b, "/amount/total", 1)?;
        if need_str(&b, "/amount/currency")? != "CNY" {
            let v = b.pointer("/amount/currency").unwrap_or(&Value::Null);
            return Err(invalid("/amount/currency", v, "境内商户号仅支持人民币 CNY"));
        }
        // Drawn before the lock (an RNG failure is WeChat Pay's 500, and nothing happens).
        let notify_id = if abnormal {
            Some(sandbox::event_id(rng).map_err(|_| system_error())?)
        } else {
            None
        };

        let mut book = self.book();
        if let Some(j) = book.refund(sub, out_refund_no) {
            let r = &book.refunds[j];
            return if r.request == b {
                Ok(ok(&book.refund_json(r)))
            } else {
                Err(fail(
                    StatusCode::BAD_REQUEST,
                    "INVALID_REQUEST",
                    "订单金额或退款金额与之前请求不一致，请核实后再试",
                ))
            };
        }
        let i = match (by_id, by_no) {
            (Some(id), _) => book.order_by_transaction_id(sub, id),
            (None, Some(no)) => book.order(sub, no),
            (None, None) => None,
        }
        .ok_or_else(|| fail(StatusCode::NOT_FOUND, "RESOURCE_NOT_EXISTS", "订单不存在"))?;
        let order = &book.orders[i];
        if let (Some(_), Some(no)) = (by_id, by_no)
            && order.out_trade_no != no
        {
            let v = b.pointer("/out_trade_no").unwrap_or(&Value::Null);
            return Err(invalid(
                "/out_trade_no",
                v,
                "与 transaction_id 不是同一订单",
            ));
        }
        let Some(transaction_id) = order.transaction_id().map(str::to_owned) else {
            return Err(fail(
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                "订单未支付，不能申请退款",
            ));
        };
        if total != order.total {
            return Err(fail(
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                "退款请求中的订单金额与原订单金额不一致",
            ));
        }
        if refund > order.total - book.refunded(order) {
            return Err(fail(
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                "申请退款金额超过订单可退金额",
            ));
        }
        let out_trade_no = order.out_trade_no.clone();
        let notify_url = url.unwrap_or_else(|| order.notify_url().to_owned());
        let seq = book.next();
        let state = match notify_id {
            Some(notify_id) => RefundState::Ended {
                result: RefundResult::Abnormal,
                at: now,
                notify_id,
            },
            None => RefundState::Processing,
        };
        let record = Refund {
            sub_mchid: sub.map(str::to_owned),
            out_refund_no: out_refund_no.to_owned(),
            refund_id: sandbox::refund_id(now, seq),
            out_trade_no,
            transaction_id,
            request: b.clone(),
            refund,
            total,
            create_time: now,
            notify_url,
            state,
        };
        let reply = ok(&book.refund_json(&record));
        book.refunds.push(record);
        Ok(reply)
    }

    /// `GET /v3/refund/domestic/refunds/{out_refund_no}[?sub_mchid=]`.
    fn refund_query(&self, out_refund_no: &str, req: &http::Request<Vec<u8>>) -> Checked<Answer> {
        let sub = query_param(req, "sub_mchid").filter(|s| !s.is_empty());
        let book = self.book();
        let j = book
            .refund(sub.as_deref(), out_refund_no)
            .ok_or_else(|| fail(StatusCode::NOT_FOUND, "RESOURCE_NOT_EXISTS", "退款单不存在"))?;
        Ok(ok(&book.refund_json(&book.refunds[j])))
    }

    /// `GET /v3/certificates`: the platform certificates ([`Simulator::served_certificates`]:
    /// one, or two through a rotation), encrypted with the APIv3 key. A
    /// simulator that signs with the WeChat Pay public key ([`SigningKeyMode::PublicKey`]) has
    /// no platform certificate to serve: 404 `RESOURCE_NOT_EXISTS`, as WeChat Pay answers
    /// merchants switched to the public key.
    fn certificates<R: TryCryptoRng + ?Sized>(&self, rng: &mut R) -> Checked<Answer> {
        if self.signing_mode == SigningKeyMode::PublicKey {
            return Err(fail(
                StatusCode::NOT_FOUND,
                "RESOURCE_NOT_EXISTS",
                "无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥",
            ));
        }
        let mut data = Vec::new();
        for (cert, bundled) in self.served_certificates() {
            let nonce = sandbox::resource_nonce(rng).ok_or_else(system_error)?;
            // The PEM as WeChat Pay sends it: without the bundle's `# TEST ONLY` comment line.
            let pem: String = bundled
                .lines()
                .filter(|l| !l.starts_with('#'))
                .flat_map(|l| [l, "\n"])
                .collect();
            let enc = crate::v3::resource::EncryptedResource::encrypt(
                &self.api_v3_key,
                &nonce,
                "certificate",
                "certificate",
                pem.as_bytes(),
            )
            .ok_or_else(system_error)?;
            let validity = cert.validity();
            data.push(json!({
                "serial_no": cert.serial().as_str(),
                "effective_time": sandbox::beijing(validity.not_before),
                "expire_time": sandbox::beijing(validity.not_after),
                "encrypt_certificate": {
                    "algorithm": enc.algorithm,
                    "associated_data": "certificate",
                    "nonce": enc.nonce,
                    "ciphertext": enc.ciphertext,
                },
            }));
        }
        Ok(ok(&json!({ "data": data })))
    }
}
