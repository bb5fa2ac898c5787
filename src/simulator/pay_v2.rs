//! The v2 payment endpoints of the [`Simulator`] — `pay/unifiedorder`, `pay/orderquery`,
//! `pay/closeorder`, `secapi/pay/refund`, `pay/refundquery` — over an in-memory order book, and
//! the sandbox actions that play the payer's and WeChat Pay's part: [`Simulator::v2_pay`] pays
//! an order and returns the payment notification, [`Simulator::v2_settle_refund`] finishes a
//! refund and returns the refund notification.
//!
//! Each handler checks a request the way WeChat Pay does (`sign` with MD5 or HMAC-SHA256 per
//! `sign_type`, the required fields, the merchant id, the client certificate for refunds) and
//! answers with the reply WeChat Pay would send, signed with the request's sign type, business
//! failures included (`ORDERNOTEXIST`, `ORDERPAID`, `ORDERCLOSED`, `OUT_TRADE_NO_USED`,
//! `REFUNDNOTEXIST`, `INVALID_REQUEST` for an amount WeChat Pay would refuse). A scripted
//! failure ([`PayV2Script`]: `SYSTEMERROR`, `NOTENOUGH`…) is answered before the book is
//! touched.
//!
//! The order book is shared by the clones of a simulator (and by threads: it sits behind a
//! mutex, and a poisoned lock is recovered, never a panic).
//!
//! ```
//! use wechatpay_sansio::api::{Operation, pay_v2::{orderquery::*, unifiedorder::*, V2TradeRef}};
//! use wechatpay_sansio::v2::notify;
//! use wechatpay_sansio::{request::ResponseRef, simulator::Simulator, time::UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();
//! let mut order = UnifiedOrderRequest::new("wx2421b1c4370ec43b", "QQ会员充值", "T1", 888,
//!     "123.12.12.123", "https://merchant.example/notify", V2TradeType::App);
//! let http = order.build(&merchant, &mut rng, now)?.into_http();
//! order.parse_reply(&merchant, ResponseRef::from_http(&sim.handle(&http, now, &mut rng, &Default::default())), now)?;
//!
//! let paid = sim.v2_pay("T1", now, &mut rng)?;             // the payer pays; WeChat Pay notifies
//! let n = notify::parse(paid.body(), merchant.api_v2_key()?)?;
//! assert_eq!((n.out_trade_no(), n.total_fee()), ("T1", 888));
//!
//! let query = V2OrderQueryRequest::new("wx2421b1c4370ec43b", V2TradeRef::OutTradeNo("T1".into()));
//! let http = query.build(&merchant, &mut rng, now)?.into_http();
//! let out = query.parse_reply(&merchant, ResponseRef::from_http(&sim.handle(&http, now, &mut rng, &Default::default())), now)?;
//! assert_eq!(out.transaction_id.as_deref(), Some(n.transaction_id()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::v2_refund_notify::RefundNotificationFields;
use super::{Simulator, v2_fail};
use crate::error::{Classify, Disposition};
use crate::ids::Nonce;
use crate::request::ClientCertificateRequired;
use crate::secret::Personal;
use crate::time::UnixTime;
use crate::v2::{self, Fields, SignType};
use http::{HeaderValue, Method, Response, StatusCode};
use rand_core::TryCryptoRng;
use std::sync::{MutexGuard, PoisonError};

/// TEST ONLY openid of the payer [`Simulator::v2_pay`] reports for orders placed without one
/// (NATIVE, APP, MWEB).
pub const TEST_PAYER_OPENID: &str = "oTESTONLYpayerOpenid000000000";

/// Where the simulated refunds go, as `refund_recv_accout` says (the payer's balance).
const RECV_ACCOUNT: &str = "支付用户的零钱";
/// `refund_account` of the simulated refunds.
const REFUND_ACCOUNT: &str = "REFUND_SOURCE_UNSETTLED_FUNDS";

/// The most refunds an order takes (the official page).
const MAX_REFUNDS: usize = 50;

/// A scripted business failure: `result_code` FAIL with this `err_code` and `err_code_des`,
/// signed like every answer of these endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2PayFail {
    /// `err_code` (`SYSTEMERROR`, `NOTENOUGH`, …).
    pub err_code: String,
    /// `err_code_des`.
    pub err_code_des: String,
}

impl V2PayFail {
    /// A failure with this code and description.
    ///
    /// ```
    /// use wechatpay_sansio::simulator::pay_v2::V2PayFail;
    /// assert_eq!(V2PayFail::new("SYSTEMERROR", "系统超时").err_code, "SYSTEMERROR");
    /// ```
    #[must_use]
    pub fn new(err_code: &str, err_code_des: &str) -> Self {
        Self {
            err_code: err_code.to_owned(),
            err_code_des: err_code_des.to_owned(),
        }
    }
}

/// What the simulated v2 payment endpoints answer: by default what the order book says; an
/// endpoint with a scripted failure answers it (after the sign, field and merchant checks,
/// before the book is read or changed).
///
/// ```
/// use wechatpay_sansio::simulator::{Script, pay_v2::{PayV2Script, V2PayFail}};
/// let script = Script {
///     pay_v2: PayV2Script { refund: Some(V2PayFail::new("NOTENOUGH", "余额不足")), ..Default::default() },
///     ..Script::default()
/// };
/// assert!(script.pay_v2.orderquery.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PayV2Script {
    /// `pay/unifiedorder`.
    pub unifiedorder: Option<V2PayFail>,
    /// `pay/orderquery`.
    pub orderquery: Option<V2PayFail>,
    /// `pay/closeorder`.
    pub closeorder: Option<V2PayFail>,
    /// `secapi/pay/refund`.
    pub refund: Option<V2PayFail>,
    /// `pay/refundquery`.
    pub refundquery: Option<V2PayFail>,
}

/// Why a sandbox action of the v2 order book was refused.
///
/// ```
/// use wechatpay_sansio::error::{Classify, Disposition};
/// use wechatpay_sansio::simulator::pay_v2::V2SandboxError;
/// assert_eq!(V2SandboxError::NoSuchOrder.disposition(), Disposition::Rejected);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum V2SandboxError {
    /// No order with this `out_trade_no` was placed.
    #[error("no such order")]
    NoSuchOrder,
    /// No refund with this `out_refund_no` was asked for.
    #[error("no such refund")]
    NoSuchRefund,
    /// The order cannot be paid in its state (already paid, refunded or closed).
    #[error("the order cannot be paid: it is {trade_state}")]
    NotPayable {
        /// Its `trade_state`.
        trade_state: &'static str,
    },
    /// The refund is already settled.
    #[error("the refund is already settled")]
    RefundSettled,
    /// The notification could not be signed or written (a value XML cannot carry).
    #[error("the notification could not be built")]
    Build,
    /// The RNG failed (drawing a nonce).
    #[error("the random number generator failed")]
    Rng,
}

impl Classify for V2SandboxError {
    /// [`V2SandboxError::Rng`] is [`Disposition::Transient`]; the others are
    /// [`Disposition::Rejected`] (the action does not apply to the book as it is).
    fn disposition(&self) -> Disposition {
        match self {
            Self::Rng => Disposition::Transient,
            Self::NoSuchOrder
            | Self::NoSuchRefund
            | Self::NotPayable { .. }
            | Self::RefundSettled
            | Self::Build => Disposition::Rejected,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    NotPay,
    Success,
    Refund,
    Closed,
}

impl State {
    const fn as_str(self) -> &'static str {
        match self {
            Self::NotPay => "NOTPAY",
            Self::Success => "SUCCESS",
            Self::Refund => "REFUND",
            Self::Closed => "CLOSED",
        }
    }

    const fn desc(self) -> &'static str {
        match self {
            Self::NotPay => "订单未支付",
            Self::Success => "支付成功",
            Self::Refund => "转入退款",
            Self::Closed => "订单已关闭",
        }
    }

    const fn paid(self) -> bool {
        matches!(self, Self::Success | Self::Refund)
    }
}

#[derive(Debug, Clone)]
struct Refund {
    out_refund_no: String,
    refund_id: String,
    refund_fee: u64,
    notify_url: Option<String>,
    /// `PROCESSING`, `SUCCESS` or `REFUNDCLOSE`.
    status: &'static str,
    success_time: Option<String>,
}

#[derive(Debug, Clone)]
struct Order {
    appid: String,
    sub_mch_id: Option<String>,
    sub_appid: Option<String>,
    out_trade_no: String,
    body: String,
    total_fee: u64,
    trade_type: String,
    openid: Option<String>,
    sub_openid: Option<String>,
    attach: Option<String>,
    notify_url: String,
    sign_type: SignType,
    prepay_id: String,
    transaction_id: Option<String>,
    state: State,
    time_end: Option<String>,
    refunds: Vec<Refund>,
}

impl Order {
    fn refunded(&self) -> u64 {
        self.refunds
            .iter()
            .filter(|r| r.status != "REFUNDCLOSE")
            .map(|r| r.refund_fee)
            .sum()
    }
}

/// The simulator's v2 orders (crate-private; reached through the endpoints and the sandbox
/// actions).
#[derive(Debug, Default)]
pub(crate) struct V2OrderBook {
    orders: Vec<Order>,
    serial: u64,
}

impl V2OrderBook {
    fn next(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    fn by_out_trade_no(&mut self, out_trade_no: &str) -> Option<&mut Order> {
        self.orders
            .iter_mut()
            .find(|o| o.out_trade_no == out_trade_no)
    }

    /// The order a request names by `transaction_id` (preferred) or `out_trade_no`.
    fn named(&mut self, fields: &Fields<'_>) -> Option<&mut Order> {
        if let Some(t) = fields.get_non_empty("transaction_id") {
            return self
                .orders
                .iter_mut()
                .find(|o| o.transaction_id.as_deref() == Some(t));
        }
        let o = fields.get_non_empty("out_trade_no")?;
        self.by_out_trade_no(o)
    }
}

/// `secs` as Beijing time: `yyyyMMddHHmmss`, or `yyyy-MM-dd HH:mm:ss` with `separators`.
fn beijing(now: UnixTime, separators: bool) -> String {
    // Up to 9999-12-31 (no overflow for any input).
    let secs = now.as_secs().min(253_402_271_999) + 8 * 3600;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (h, mi, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm, non-negative days).
    let z = days + 719_468;
    let (era, doe) = (z / 146_097, z % 146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    if separators {
        format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    } else {
        format!("{y:04}{m:02}{d:02}{h:02}{mi:02}{s:02}")
    }
}

fn status_only(status: StatusCode) -> Response<Vec<u8>> {
    let mut r = Response::new(Vec::new());
    *r.status_mut() = status;
    r
}

fn missing(fields: &Fields<'_>, names: &[&'static str]) -> Option<&'static str> {
    names
        .iter()
        .copied()
        .find(|n| fields.get_non_empty(n).is_none())
}

fn digits(v: Option<&str>) -> Option<u64> {
    v.filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse().ok())
}

/// A checked request: its fields, the sign type to answer with, and the reply's first fields.
struct Checked<'b> {
    fields: Fields<'b>,
    sign_type: SignType,
    nonce: Nonce,
}

impl Checked<'_> {
    fn get(&self, name: &str) -> &str {
        self.fields.get(name).unwrap_or_default()
    }

    fn opt(&self, name: &str) -> Option<String> {
        self.fields.get_non_empty(name).map(str::to_owned)
    }
}

impl Simulator {
    fn v2_book(&self) -> MutexGuard<'_, V2OrderBook> {
        self.v2_orders
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The checks every payment endpoint shares: POST, (the client certificate), XML, `sign`,
    /// the required fields, the merchant id.
    #[allow(clippy::result_large_err)] // the error is the reply to send
    fn v2_pay_request<'b, R: TryCryptoRng + ?Sized>(
        &self,
        req: &'b http::Request<Vec<u8>>,
        rng: &mut R,
        client_certificate: bool,
        required: &[&'static str],
    ) -> Result<Checked<'b>, Response<Vec<u8>>> {
        if req.method() != Method::POST {
            return Err(status_only(StatusCode::METHOD_NOT_ALLOWED));
        }
        if client_certificate
            && req
                .extensions()
                .get::<ClientCertificateRequired>()
                .is_none()
        {
            return Err(v2_fail("请求需要双向证书"));
        }
        let fields = v2::xml::parse(req.body()).map_err(|_| v2_fail("XML格式错误"))?;
        let sign_type = self.check_v2_sign(&fields)?;
        let base = ["appid", "mch_id", "nonce_str"];
        if let Some(name) = missing(&fields, &base).or_else(|| missing(&fields, required)) {
            return Err(v2_fail(&format!("缺少参数{name}")));
        }
        if fields.get("mch_id") != Some(self.mchid.as_str()) {
            return Err(v2_fail("mch_id参数格式错误"));
        }
        let nonce = Nonce::generate(rng).map_err(|_| v2_fail("SYSTEMERROR"))?;
        Ok(Checked {
            fields,
            sign_type,
            nonce,
        })
    }

    /// A signed answer to `c`: `appid`, `mch_id`, the sub-merchant as sent, `nonce_str`, then
    /// `fields`.
    fn v2_pay_reply(&self, c: &Checked<'_>, fields: &[(&str, &str)]) -> Response<Vec<u8>> {
        let mut pairs: Vec<(&str, &str)> = vec![
            ("appid", c.get("appid")),
            ("mch_id", self.mchid.as_str()),
            ("nonce_str", c.nonce.as_str()),
        ];
        for name in ["sub_mch_id", "sub_appid"] {
            if let Some(v) = c.fields.get_non_empty(name) {
                pairs.push((name, v));
            }
        }
        pairs.extend_from_slice(fields);
        self.v2_reply(&pairs, Some(c.sign_type))
    }

    /// A signed business failure.
    fn v2_pay_fail(
        &self,
        c: &Checked<'_>,
        err_code: &str,
        err_code_des: &str,
    ) -> Response<Vec<u8>> {
        self.v2_pay_reply(
            c,
            &[
                ("result_code", "FAIL"),
                ("err_code", err_code),
                ("err_code_des", err_code_des),
            ],
        )
    }

    fn v2_scripted(&self, c: &Checked<'_>, fail: Option<&V2PayFail>) -> Option<Response<Vec<u8>>> {
        fail.map(|f| self.v2_pay_fail(c, &f.err_code, &f.err_code_des))
    }

    /// `POST https://api.mch.weixin.qq.com/pay/unifiedorder`: checks the request, then places
    /// the order (`NOTPAY`) and answers `prepay_id` (`code_url` for NATIVE, `mweb_url` for
    /// MWEB). The same `out_trade_no` again: the same answer if the order is unpaid and the
    /// same, `OUT_TRADE_NO_USED` if it differs, `ORDERPAID` / `ORDERCLOSED` by its state.
    ///
    /// `rng` draws the reply's `nonce_str`.
    pub fn v2_unifiedorder<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        rng: &mut R,
        script: &PayV2Script,
    ) -> Response<Vec<u8>> {
        let required = [
            "body",
            "out_trade_no",
            "total_fee",
            "spbill_create_ip",
            "notify_url",
            "trade_type",
        ];
        let c = match self.v2_pay_request(req, rng, false, &required) {
            Ok(c) => c,
            Err(r) => return r,
        };
        if let Some(r) = self.v2_scripted(&c, script.unifiedorder.as_ref()) {
            return r;
        }
        let Some(total_fee) = digits(c.fields.get("total_fee")).filter(|f| *f >= 1) else {
            return self.v2_pay_fail(&c, "PARAM_ERROR", "total_fee参数错误");
        };
        let trade_type = c.get("trade_type");
        if trade_type
            .parse::<crate::api::pay_v2::unifiedorder::V2TradeType>()
            .is_err()
        {
            return self.v2_pay_fail(&c, "PARAM_ERROR", "trade_type参数错误");
        }
        let has = |n: &str| c.fields.get_non_empty(n).is_some();
        if trade_type == "JSAPI" && !has("openid") && !has("sub_openid") {
            return self.v2_pay_fail(&c, "PARAM_ERROR", "JSAPI支付必须传openid");
        }
        if trade_type == "NATIVE" && !has("product_id") {
            return self.v2_pay_fail(&c, "PARAM_ERROR", "NATIVE支付必须传product_id");
        }
        let mut book = self.v2_book();
        let prepay_id = if let Some(o) = book.by_out_trade_no(c.get("out_trade_no")) {
            match o.state {
                s if s.paid() => return self.v2_pay_fail(&c, "ORDERPAID", "该订单已支付"),
                State::Closed => return self.v2_pay_fail(&c, "ORDERCLOSED", "该订单已关闭"),
                _ => {}
            }
            let same = o.total_fee == total_fee
                && o.body == c.get("body")
                && o.trade_type == trade_type
                && o.appid == c.get("appid")
                && o.sub_mch_id.as_deref() == c.fields.get_non_empty("sub_mch_id");
            if !same {
                return self.v2_pay_fail(&c, "OUT_TRADE_NO_USED", "商户订单号重复");
            }
            o.prepay_id.clone()
        } else {
            let n = book.next();
            let prepay_id = format!("wxTESTONLY{n:026}");
            book.orders.push(Order {
                appid: c.get("appid").to_owned(),
                sub_mch_id: c.opt("sub_mch_id"),
                sub_appid: c.opt("sub_appid"),
                out_trade_no: c.get("out_trade_no").to_owned(),
                body: c.get("body").to_owned(),
                total_fee,
                trade_type: trade_type.to_owned(),
                openid: c.opt("openid"),
                sub_openid: c.opt("sub_openid"),
                attach: c.opt("attach"),
                notify_url: c.get("notify_url").to_owned(),
                sign_type: c.sign_type,
                prepay_id: prepay_id.clone(),
                transaction_id: None,
                state: State::NotPay,
                time_end: None,
                refunds: Vec::new(),
            });
            prepay_id
        };
        drop(book);
        let code_url = format!(
            "weixin://wxpay/bizpayurl?pr=TESTONLY{}",
            &prepay_id[prepay_id.len() - 7..]
        );
        let mweb_url = format!(
            "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id={prepay_id}&package=1405458241"
        );
        let mut out = vec![
            ("result_code", "SUCCESS"),
            ("trade_type", trade_type),
            ("prepay_id", prepay_id.as_str()),
        ];
        match trade_type {
            "NATIVE" => out.push(("code_url", code_url.as_str())),
            "MWEB" => out.push(("mweb_url", mweb_url.as_str())),
            _ => {}
        }
        self.v2_pay_reply(&c, &out)
    }

    /// `POST https://api.mch.weixin.qq.com/pay/orderquery`: the order named by `transaction_id`
    /// or `out_trade_no` (`ORDERNOTEXIST` if there is none under this `appid` and sub-merchant).
    ///
    /// `rng` draws the reply's `nonce_str`.
    pub fn v2_orderquery<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        rng: &mut R,
        script: &PayV2Script,
    ) -> Response<Vec<u8>> {
        let c = match self.v2_pay_request(req, rng, false, &[]) {
            Ok(c) => c,
            Err(r) => return r,
        };
        if let Some(r) = self.v2_scripted(&c, script.orderquery.as_ref()) {
            return r;
        }
        let mut book = self.v2_book();
        let Some(o) = Self::v2_owned_order(&mut book, &c) else {
            return self.v2_pay_fail(&c, "ORDERNOTEXIST", "此交易订单号不存在");
        };
        let o = o.clone();
        drop(book);
        let total = o.total_fee.to_string();
        let mut out: Vec<(&str, &str)> = vec![
            ("result_code", "SUCCESS"),
            ("out_trade_no", &o.out_trade_no),
            ("trade_state", o.state.as_str()),
            ("trade_state_desc", o.state.desc()),
        ];
        if let Some(a) = &o.attach {
            out.push(("attach", a));
        }
        if o.state.paid() {
            out.extend([
                (
                    "transaction_id",
                    o.transaction_id.as_deref().unwrap_or_default(),
                ),
                ("openid", o.openid.as_deref().unwrap_or(TEST_PAYER_OPENID)),
                ("is_subscribe", "N"),
                ("trade_type", o.trade_type.as_str()),
                ("bank_type", "CMC"),
                ("total_fee", &total),
                ("fee_type", "CNY"),
                ("cash_fee", &total),
                ("time_end", o.time_end.as_deref().unwrap_or_default()),
            ]);
        }
        self.v2_pay_reply(&c, &out)
    }

    /// The order a request names, if it belongs to the request's `appid` and sub-merchant.
    fn v2_owned_order<'o>(book: &'o mut V2OrderBook, c: &Checked<'_>) -> Option<&'o mut Order> {
        book.named(&c.fields).filter(|o| {
            o.appid == c.get("appid")
                && o.sub_mch_id.as_deref() == c.fields.get_non_empty("sub_mch_id")
        })
    }

    /// `POST https://api.mch.weixin.qq.com/pay/closeorder`: closes an unpaid order;
    /// `ORDERPAID`, `ORDERCLOSED`, `ORDERNOTEXIST` otherwise.
    ///
    /// `rng` draws the reply's `nonce_str`.
    pub fn v2_closeorder<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        rng: &mut R,
        script: &PayV2Script,
    ) -> Response<Vec<u8>> {
        let c = match self.v2_pay_request(req, rng, false, &["out_trade_no"]) {
            Ok(c) => c,
            Err(r) => return r,
        };
        if let Some(r) = self.v2_scripted(&c, script.closeorder.as_ref()) {
            return r;
        }
        let mut book = self.v2_book();
        let answer = match Self::v2_owned_order(&mut book, &c) {
            None => Some(("ORDERNOTEXIST", "订单不存在")),
            Some(o) if o.state.paid() => Some(("ORDERPAID", "订单已支付，不能发起关单")),
            Some(o) if o.state == State::Closed => {
                Some(("ORDERCLOSED", "订单已关闭，无法重复关闭"))
            }
            Some(o) => {
                o.state = State::Closed;
                None
            }
        };
        drop(book);
        match answer {
            Some((code, des)) => self.v2_pay_fail(&c, code, des),
            None => self.v2_pay_reply(&c, &[("result_code", "SUCCESS")]),
        }
    }

    /// `POST https://api.mch.weixin.qq.com/secapi/pay/refund`: requires the client
    /// certificate; refunds a paid order (`PROCESSING` until [`Simulator::v2_settle_refund`]).
    /// `ORDERNOTEXIST`; `INVALID_REQUEST` for an unpaid order, a `total_fee` other than the
    /// order's, a refund above what is left, or an `out_refund_no` reused with another amount
    /// (the same refund again gets the same answer).
    ///
    /// `rng` draws the reply's `nonce_str`.
    pub fn v2_refund<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        rng: &mut R,
        script: &PayV2Script,
    ) -> Response<Vec<u8>> {
        let required = ["out_refund_no", "total_fee", "refund_fee"];
        let c = match self.v2_pay_request(req, rng, true, &required) {
            Ok(c) => c,
            Err(r) => return r,
        };
        if missing(&c.fields, &["transaction_id"]).is_some()
            && missing(&c.fields, &["out_trade_no"]).is_some()
        {
            return v2_fail("缺少参数transaction_id或out_trade_no");
        }
        if let Some(r) = self.v2_scripted(&c, script.refund.as_ref()) {
            return r;
        }
        let (Some(total_fee), Some(refund_fee)) = (
            digits(c.fields.get("total_fee")),
            digits(c.fields.get("refund_fee")).filter(|f| *f >= 1),
        ) else {
            return self.v2_pay_fail(&c, "PARAM_ERROR", "金额参数错误");
        };
        let mut book = self.v2_book();
        let n = book.next();
        let Some(o) = Self::v2_owned_order(&mut book, &c) else {
            return self.v2_pay_fail(&c, "ORDERNOTEXIST", "订单不存在");
        };
        if !o.state.paid() {
            return self.v2_pay_fail(&c, "INVALID_REQUEST", "订单未支付");
        }
        if o.total_fee != total_fee {
            return self.v2_pay_fail(&c, "INVALID_REQUEST", "订单金额或退款金额与之前请求不一致");
        }
        let out_refund_no = c.get("out_refund_no");
        let existing = o
            .refunds
            .iter()
            .find(|r| r.out_refund_no == out_refund_no)
            .cloned();
        let refund = match existing {
            Some(r) if r.refund_fee == refund_fee => r,
            Some(_) => {
                return self.v2_pay_fail(
                    &c,
                    "INVALID_REQUEST",
                    "订单金额或退款金额与之前请求不一致",
                );
            }
            None if o.refunds.len() >= MAX_REFUNDS => {
                return self.v2_pay_fail(&c, "INVALID_REQUEST", "退款次数超过限制");
            }
            None if o.refunded().saturating_add(refund_fee) > o.total_fee => {
                return self.v2_pay_fail(&c, "INVALID_REQUEST", "累计退款金额大于支付金额");
            }
            None => {
                let r = Refund {
                    out_refund_no: out_refund_no.to_owned(),
                    refund_id: format!("50000000{n:020}"),
                    refund_fee,
                    notify_url: c.opt("notify_url"),
                    status: "PROCESSING",
                    success_time: None,
                };
                o.refunds.push(r.clone());
                o.state = State::Refund;
                r
            }
        };
        let (transaction_id, out_trade_no) = (
            o.transaction_id.clone().unwrap_or_default(),
            o.out_trade_no.clone(),
        );
        drop(book);
        let (total, refunded) = (total_fee.to_string(), refund.refund_fee.to_string());
        self.v2_pay_reply(
            &c,
            &[
                ("result_code", "SUCCESS"),
                ("transaction_id", &transaction_id),
                ("out_trade_no", &out_trade_no),
                ("out_refund_no", &refund.out_refund_no),
                ("refund_id", &refund.refund_id),
                ("refund_channel", ""),
                ("refund_fee", &refunded),
                ("settlement_refund_fee", &refunded),
                ("total_fee", &total),
                ("settlement_total_fee", &total),
                ("fee_type", "CNY"),
                ("cash_fee", &total),
                ("cash_refund_fee", &refunded),
            ],
        )
    }

    /// `POST https://api.mch.weixin.qq.com/pay/refundquery`: the refunds of the order named by
    /// `refund_id`, `out_refund_no`, `transaction_id` or `out_trade_no` (in that priority);
    /// `REFUNDNOTEXIST` when there is none. Every refund of the order is listed (`_0`, `_1`…);
    /// with `offset`, at most 10 from there, and `total_refund_count`.
    ///
    /// `rng` draws the reply's `nonce_str`.
    pub fn v2_refundquery<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        rng: &mut R,
        script: &PayV2Script,
    ) -> Response<Vec<u8>> {
        let c = match self.v2_pay_request(req, rng, false, &[]) {
            Ok(c) => c,
            Err(r) => return r,
        };
        if let Some(r) = self.v2_scripted(&c, script.refundquery.as_ref()) {
            return r;
        }
        let offset = match c.fields.get_non_empty("offset") {
            None => None,
            Some(v) => match digits(Some(v)).and_then(|v| usize::try_from(v).ok()) {
                Some(v) => Some(v),
                None => return self.v2_pay_fail(&c, "PARAM_ERROR", "offset参数错误"),
            },
        };
        let book = self.v2_book();
        let sub = c.fields.get_non_empty("sub_mch_id");
        let mine = |o: &&Order| o.appid == c.get("appid") && o.sub_mch_id.as_deref() == sub;
        let refund_named = |o: &&Order| {
            o.refunds.iter().any(|r| {
                c.fields.get_non_empty("refund_id") == Some(r.refund_id.as_str())
                    || (c.fields.get_non_empty("refund_id").is_none()
                        && c.fields.get_non_empty("out_refund_no")
                            == Some(r.out_refund_no.as_str()))
            })
        };
        let by_refund = c.fields.get_non_empty("refund_id").is_some()
            || c.fields.get_non_empty("out_refund_no").is_some();
        let order = if by_refund {
            book.orders.iter().filter(mine).find(refund_named)
        } else if let Some(t) = c.fields.get_non_empty("transaction_id") {
            book.orders
                .iter()
                .filter(mine)
                .find(|o| o.transaction_id.as_deref() == Some(t))
        } else {
            let o = c.fields.get_non_empty("out_trade_no");
            book.orders
                .iter()
                .filter(mine)
                .find(|x| Some(x.out_trade_no.as_str()) == o)
        };
        let Some(o) = order.filter(|o| !o.refunds.is_empty()).cloned() else {
            return self.v2_pay_fail(&c, "REFUNDNOTEXIST", "退款订单查询失败");
        };
        drop(book);
        let listed: Vec<&Refund> = match offset {
            None => o.refunds.iter().collect(),
            Some(off) => o.refunds.iter().skip(off).take(10).collect(),
        };
        let total = o.total_fee.to_string();
        let mut owned: Vec<(String, String)> = vec![
            ("result_code".into(), "SUCCESS".into()),
            (
                "transaction_id".into(),
                o.transaction_id.clone().unwrap_or_default(),
            ),
            ("out_trade_no".into(), o.out_trade_no.clone()),
            ("total_fee".into(), total.clone()),
            ("settlement_total_fee".into(), total.clone()),
            ("fee_type".into(), "CNY".into()),
            ("cash_fee".into(), total),
            ("refund_count".into(), listed.len().to_string()),
        ];
        if offset.is_some() {
            owned.push(("total_refund_count".into(), o.refunds.len().to_string()));
        }
        for (i, r) in listed.iter().enumerate() {
            let fee = r.refund_fee.to_string();
            owned.extend([
                (format!("out_refund_no_{i}"), r.out_refund_no.clone()),
                (format!("refund_id_{i}"), r.refund_id.clone()),
                (format!("refund_channel_{i}"), "ORIGINAL".to_owned()),
                (format!("refund_fee_{i}"), fee.clone()),
                (format!("settlement_refund_fee_{i}"), fee),
                (format!("refund_status_{i}"), r.status.to_owned()),
                (format!("refund_account_{i}"), REFUND_ACCOUNT.to_owned()),
                (format!("refund_recv_accout_{i}"), RECV_ACCOUNT.to_owned()),
            ]);
            if let Some(t) = &r.success_time {
                owned.push((format!("refund_success_time_{i}"), t.clone()));
            }
        }
        let pairs: Vec<(&str, &str)> = owned
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.v2_pay_reply(&c, &pairs)
    }

    /// Sandbox: the payer pays the order `out_trade_no` at `now`. The order becomes `SUCCESS`
    /// with a `transaction_id` and `time_end`, and the payment notification WeChat Pay would
    /// POST to the order's `notify_url` is returned: signed with the order's sign type and,
    /// as WeChat Pay sends them, without `sign_type` (read it with
    /// [`crate::v2::notify::parse_with`] and the sign type of your orders, or
    /// [`crate::v2::notify::parse`]). Orders placed without an openid report
    /// [`TEST_PAYER_OPENID`].
    ///
    /// `rng` draws the notification's `nonce_str`.
    ///
    /// # Errors
    /// [`V2SandboxError::NoSuchOrder`], [`V2SandboxError::NotPayable`] (paid, refunded or
    /// closed), [`V2SandboxError::Rng`].
    pub fn v2_pay<R: TryCryptoRng + ?Sized>(
        &self,
        out_trade_no: &str,
        now: UnixTime,
        rng: &mut R,
    ) -> Result<http::Request<Vec<u8>>, V2SandboxError> {
        let nonce = Nonce::generate(rng).map_err(|_| V2SandboxError::Rng)?;
        let mut book = self.v2_book();
        let n = book.next();
        let o = book
            .by_out_trade_no(out_trade_no)
            .ok_or(V2SandboxError::NoSuchOrder)?;
        if o.state != State::NotPay {
            return Err(V2SandboxError::NotPayable {
                trade_state: o.state.as_str(),
            });
        }
        o.state = State::Success;
        o.transaction_id = Some(format!("42000000{n:020}"));
        o.time_end = Some(beijing(now, false));
        let o = o.clone();
        drop(book);
        let total = o.total_fee.to_string();
        let mut pairs: Vec<(&str, &str)> = vec![
            ("appid", &o.appid),
            ("mch_id", self.mchid.as_str()),
            ("nonce_str", nonce.as_str()),
            ("result_code", "SUCCESS"),
            ("return_code", "SUCCESS"),
            ("openid", o.openid.as_deref().unwrap_or(TEST_PAYER_OPENID)),
            ("is_subscribe", "N"),
            ("trade_type", &o.trade_type),
            ("bank_type", "CMC"),
            ("total_fee", &total),
            ("fee_type", "CNY"),
            ("cash_fee", &total),
            (
                "transaction_id",
                o.transaction_id.as_deref().unwrap_or_default(),
            ),
            ("out_trade_no", &o.out_trade_no),
            ("time_end", o.time_end.as_deref().unwrap_or_default()),
        ];
        for (k, v) in [
            ("sub_mch_id", &o.sub_mch_id),
            ("sub_appid", &o.sub_appid),
            ("sub_openid", &o.sub_openid),
            ("attach", &o.attach),
        ] {
            if let Some(v) = v {
                pairs.push((k, v));
            }
        }
        let sign = v2::sign::sign(pairs.iter().copied(), &self.api_v2_key, o.sign_type)
            .map_err(|_| V2SandboxError::Build)?;
        pairs.push(("sign", sign.as_str()));
        let body = super::render_v2(&pairs, self.v2_layout);
        if body.is_empty() {
            return Err(V2SandboxError::Build);
        }
        let mut req = http::Request::new(body.into_bytes());
        *req.method_mut() = Method::POST;
        *req.uri_mut() = http::Uri::try_from(o.notify_url.as_str()).unwrap_or_else(|_| {
            http::Uri::from_static("https://merchant.example/wechatpay/notify")
        });
        req.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/xml"),
        );
        Ok(req)
    }

    /// Sandbox: WeChat Pay finishes the refund `out_refund_no` at `now`, successfully
    /// (`SUCCESS`, with a `success_time`) or not (`REFUNDCLOSE`: the amount may be refunded
    /// again), and returns the refund notification it would POST to the refund's `notify_url`
    /// (unsigned, the refund in `req_info` encrypted under the APIv2 key, as
    /// [`Simulator::v2_refund_notification`] builds it; read it with
    /// [`crate::v2::refund_notify`]). `refundquery` reports the refund settled from then on.
    /// A refund asked for without `notify_url` is notified to
    /// `https://merchant.example/wechatpay/refund-notify` (in production: the URL configured in
    /// the merchant platform).
    ///
    /// `rng` draws the notification's `nonce_str`.
    ///
    /// ```
    /// # use wechatpay_sansio::simulator::{Simulator, pay_v2::V2SandboxError};
    /// # use wechatpay_sansio::time::UnixTime;
    /// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    /// let sim = Simulator::new();
    /// let e = sim.v2_settle_refund("R1", true, UnixTime::from_secs(0), &mut rng).unwrap_err();
    /// assert_eq!(e, V2SandboxError::NoSuchRefund);
    /// ```
    ///
    /// # Errors
    /// [`V2SandboxError::NoSuchRefund`], [`V2SandboxError::RefundSettled`].
    pub fn v2_settle_refund<R: TryCryptoRng + ?Sized>(
        &self,
        out_refund_no: &str,
        success: bool,
        now: UnixTime,
        rng: &mut R,
    ) -> Result<http::Request<Vec<u8>>, V2SandboxError> {
        let mut book = self.v2_book();
        let (o, r) = book
            .orders
            .iter_mut()
            .find_map(|o| {
                let i = o
                    .refunds
                    .iter()
                    .position(|r| r.out_refund_no == out_refund_no)?;
                Some((o, i))
            })
            .ok_or(V2SandboxError::NoSuchRefund)?;
        let refund = &mut o.refunds[r];
        if refund.status != "PROCESSING" {
            return Err(V2SandboxError::RefundSettled);
        }
        refund.status = if success { "SUCCESS" } else { "REFUNDCLOSE" };
        refund.success_time = success.then(|| beijing(now, true));
        let refund = refund.clone();
        let fields = RefundNotificationFields {
            appid: o.appid.clone(),
            transaction_id: o.transaction_id.clone().unwrap_or_default(),
            out_trade_no: o.out_trade_no.clone(),
            refund_id: refund.refund_id,
            out_refund_no: refund.out_refund_no,
            total_fee: o.total_fee,
            settlement_total_fee: Some(o.total_fee),
            refund_fee: refund.refund_fee,
            settlement_refund_fee: refund.refund_fee,
            refund_status: refund.status.to_owned(),
            success_time: refund.success_time,
            refund_recv_accout: Personal::new(RECV_ACCOUNT),
            refund_account: REFUND_ACCOUNT.to_owned(),
            refund_request_source: "API".to_owned(),
        };
        drop(book);
        let mut req = self.v2_refund_notification(&fields, rng);
        if let Some(uri) = refund
            .notify_url
            .as_deref()
            .and_then(|u| http::Uri::try_from(u).ok())
        {
            *req.uri_mut() = uri;
        }
        Ok(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_time() {
        // 2026-01-01T00:00:00Z is 08:00 in Beijing.
        let t = UnixTime::from_secs(1_767_225_600);
        assert_eq!(beijing(t, false), "20260101080000");
        assert_eq!(beijing(t, true), "2026-01-01 08:00:00");
        assert_eq!(beijing(UnixTime::EPOCH, false), "19700101080000");
        // 2024-02-29T15:59:59Z (leap day) → 23:59:59.
        assert_eq!(
            beijing(UnixTime::from_secs(1_709_222_399), true),
            "2024-02-29 23:59:59"
        );
        assert_eq!(beijing(UnixTime::from_secs(u64::MAX), false).len(), 14);
    }

    #[test]
    fn poisoned_book_is_recovered() {
        let sim = Simulator::new();
        let clone = sim.clone();
        let _ = std::thread::spawn(move || {
            let _guard = clone.v2_orders.lock();
            panic!("poison the lock");
        })
        .join();
        assert!(sim.v2_orders.is_poisoned());
        assert_eq!(sim.v2_book().orders.len(), 0);
        let mut rng = rand_chacha::ChaCha20Rng::from_seed([0; 32]);
        assert_eq!(
            sim.v2_pay("x", UnixTime::EPOCH, &mut rng).unwrap_err(),
            V2SandboxError::NoSuchOrder
        );
        assert_eq!(V2SandboxError::Rng.disposition(), Disposition::Transient);
    }

    use rand_core::SeedableRng;
}
