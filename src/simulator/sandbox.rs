//! The offline v3 payment sandbox: the order book a [`Simulator`] and all its clones share, and
//! the actions a test takes in the place of the paying user and of WeChat Pay's back office.
//!
//! The HTTP side ([`super::pay_v3`], reached through [`Simulator::handle`]) takes orders
//! (`/v3/pay/transactions/{jsapi,app,h5,native}` and the partner paths), answers queries,
//! closes orders, takes refunds and answers refund queries, from the official wire format. What
//! happens between requests is driven from the test:
//!
//! - [`Simulator::pay`]: the user pays an order (`NOTPAY` → `SUCCESS`, a `transaction_id` and a
//!   `success_time`); returns the `TRANSACTION.SUCCESS` notification to POST to the merchant;
//! - [`Simulator::complete_refund`]: a `PROCESSING` refund ends ([`RefundResult`]); returns the
//!   `REFUND.SUCCESS` / `REFUND.ABNORMAL` / `REFUND.CLOSED` notification;
//! - [`Simulator::transaction_notification`], [`Simulator::refund_notification`]: the same
//!   notifications again (WeChat Pay's retries: same `id`, fresh signature), and
//!   [`Simulator::notifications`] every notification of an order in a chosen order
//!   ([`NotificationOrder`]: as they happened, reversed, duplicated).
//!
//! Notifications are addressed to the order's (or the refund's) `notify_url`, carry the
//! event's `create_time`, and are signed at the `now` you pass with the platform key, under the
//! simulator's [`super::SigningKeyMode`].
//!
//! ```
//! use wechatpay_sansio::simulator::{Script, Simulator};
//! use wechatpay_sansio::{ids::Nonce, request::ResponseRef, time::UnixTime};
//! use wechatpay_sansio::v3::{notify, request::JsonRequest, response};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();                                    // TEST ONLY keys
//! let order = serde_json::json!({
//!     "appid": "wxd678efh567hg6787", "mchid": sim.mchid().as_str(), "description": "TEST ONLY",
//!     "out_trade_no": "ORDER_20260101_0001", "notify_url": "https://merchant.example/notify",
//!     "amount": { "total": 100, "currency": "CNY" } });
//! let nonce = Nonce::generate(&mut rng)?;
//! let req = JsonRequest::post("https://api.mch.weixin.qq.com/v3/pay/transactions/native",
//!                             order.to_string().into_bytes())
//!     .sign(merchant.signer()?, &mut rng, now, &nonce)?;
//! let reply = sim.handle(&req.into_http(), now, &mut rng, &Script::default());
//! let ok = response::check(ResponseRef::from_http(&reply), &merchant.verifier(), now)?;
//! let prepay: serde_json::Value = serde_json::from_slice(ok.body)?;
//! assert!(prepay["code_url"].as_str().is_some_and(|u| u.starts_with("weixin://wxpay/bizpayurl?pr=")));
//!
//! // The user pays: WeChat Pay tells the merchant.
//! let sent = sim.pay("ORDER_20260101_0001", None, now, &mut rng)?;
//! assert_eq!(sent.uri(), "https://merchant.example/notify");
//! let n = notify::parse(sent.headers(), sent.body(), &merchant.verifier(),
//!                       merchant.api_v3_key()?, now)?;
//! assert_eq!(n.notification.event_type, "TRANSACTION.SUCCESS");
//! let paid: serde_json::Value = n.payload()?;
//! assert_eq!(paid["trade_state"], "SUCCESS");
//! assert_eq!(paid["amount"]["payer_total"], 100);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::Simulator;
use crate::error::{Classify, Disposition};
use crate::ids::Nonce;
use crate::time::UnixTime;
use crate::untrusted_text::Shown;
use crate::v3::resource::EncryptedResource;
use http::HeaderValue;
use rand_core::TryCryptoRng;
use serde_json::{Map, Value, json};
use std::sync::{MutexGuard, PoisonError};

/// What a test asked of the sandbox that its order book does not allow (these are the test's
/// mistakes, not WeChat Pay's answers: those are HTTP replies).
///
/// ```
/// use wechatpay_sansio::simulator::{Simulator, sandbox::SandboxError};
/// use wechatpay_sansio::{error::{Classify, Disposition}, time::UnixTime};
/// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
/// let sim = Simulator::new();
/// let err = sim.pay("NO_SUCH_ORDER", None, UnixTime::from_secs(1_767_225_600), &mut rng).unwrap_err();
/// assert_eq!(err, SandboxError::UnknownOrder("NO_SUCH_ORDER".into()));
/// assert_eq!(err.disposition(), Disposition::Rejected);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SandboxError {
    /// No order has this `out_trade_no`.
    #[error("the sandbox has no order {}", Shown(.0))]
    UnknownOrder(String),
    /// No refund has this `out_refund_no`.
    #[error("the sandbox has no refund {}", Shown(.0))]
    UnknownRefund(String),
    /// The order was paid already (`SUCCESS`, `REFUND`) or closed (`CLOSED`).
    #[error("order {} is {state}: it cannot be paid", Shown(.out_trade_no))]
    NotPayable {
        /// The order.
        out_trade_no: String,
        /// Its `trade_state`.
        state: &'static str,
    },
    /// The order is not paid: it has no `TRANSACTION.SUCCESS` notification.
    #[error("order {} is not paid", Shown(.0))]
    NotPaid(String),
    /// The refund has ended already (`SUCCESS`, `ABNORMAL` or `CLOSED`).
    #[error("refund {} has ended already ({status})", Shown(.out_refund_no))]
    RefundEnded {
        /// The refund.
        out_refund_no: String,
        /// Its `status`.
        status: &'static str,
    },
    /// The refund is still `PROCESSING`: it has no notification yet
    /// ([`Simulator::complete_refund`] ends it).
    #[error("refund {} is still PROCESSING", Shown(.0))]
    RefundProcessing(String),
    /// The RNG failed (nonces, the notification id, the signature's randomness).
    #[error("the random number generator failed")]
    Rng,
}

impl Classify for SandboxError {
    /// [`Disposition::Transient`] for [`SandboxError::Rng`]; [`Disposition::Rejected`] for the
    /// others (the action does not fit the order book: change the test).
    fn disposition(&self) -> Disposition {
        match self {
            Self::Rng => Disposition::Transient,
            Self::UnknownOrder(_)
            | Self::UnknownRefund(_)
            | Self::NotPayable { .. }
            | Self::NotPaid(_)
            | Self::RefundEnded { .. }
            | Self::RefundProcessing(_) => Disposition::Rejected,
        }
    }
}

/// How a `PROCESSING` refund ends ([`Simulator::complete_refund`]): the refund's `status` and
/// the notification's `event_type`.
///
/// ```
/// use wechatpay_sansio::simulator::sandbox::RefundResult;
/// assert_eq!(RefundResult::Abnormal.status(), "ABNORMAL");
/// assert_eq!(RefundResult::Abnormal.event_type(), "REFUND.ABNORMAL");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundResult {
    /// `SUCCESS`: the money reached the user (`REFUND.SUCCESS`, with `success_time`).
    Success,
    /// `ABNORMAL`: the refund failed (the user's card was cancelled…): `REFUND.ABNORMAL`.
    Abnormal,
    /// `CLOSED`: the refund was closed (`REFUND.CLOSED`); its amount is refundable again.
    Closed,
}

impl RefundResult {
    /// The refund `status` (`SUCCESS`, `ABNORMAL`, `CLOSED`).
    ///
    /// ```
    /// assert_eq!(wechatpay_sansio::simulator::sandbox::RefundResult::Success.status(), "SUCCESS");
    /// ```
    #[must_use]
    pub const fn status(self) -> &'static str {
        match self {
            Self::Success => "SUCCESS",
            Self::Abnormal => "ABNORMAL",
            Self::Closed => "CLOSED",
        }
    }

    /// The notification's `event_type` (`REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`).
    ///
    /// ```
    /// use wechatpay_sansio::simulator::sandbox::RefundResult;
    /// assert_eq!(RefundResult::Closed.event_type(), "REFUND.CLOSED");
    /// ```
    #[must_use]
    pub const fn event_type(self) -> &'static str {
        match self {
            Self::Success => "REFUND.SUCCESS",
            Self::Abnormal => "REFUND.ABNORMAL",
            Self::Closed => "REFUND.CLOSED",
        }
    }

    const fn summary(self) -> &'static str {
        match self {
            Self::Success => "退款成功",
            Self::Abnormal => "退款异常",
            Self::Closed => "退款关闭",
        }
    }
}

/// In which order [`Simulator::notifications`] returns an order's notifications.
///
/// ```
/// use wechatpay_sansio::simulator::sandbox::NotificationOrder;
/// assert_eq!(NotificationOrder::default(), NotificationOrder::AsHappened);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NotificationOrder {
    /// `TRANSACTION.SUCCESS`, then each ended refund's notification, in the order they ended.
    #[default]
    AsHappened,
    /// Latest first: the refunds' notifications arrive before `TRANSACTION.SUCCESS` (WeChat
    /// Pay's deliveries and retries are not ordered).
    Reversed,
    /// Each notification twice in a row (a retry after an answer that was lost).
    Duplicated,
}

/// The four trade types of the prepay paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TradeKind {
    Jsapi,
    App,
    H5,
    Native,
}

impl TradeKind {
    /// The trade type the last path segment names.
    pub(crate) fn from_segment(s: &str) -> Option<Self> {
        match s {
            "jsapi" => Some(Self::Jsapi),
            "app" => Some(Self::App),
            "h5" => Some(Self::H5),
            "native" => Some(Self::Native),
            _ => None,
        }
    }

    /// `trade_type` of the query reply (H5 is `MWEB`).
    fn trade_type(self) -> &'static str {
        match self {
            Self::Jsapi => "JSAPI",
            Self::App => "APP",
            Self::H5 => "MWEB",
            Self::Native => "NATIVE",
        }
    }
}

/// A paid order's payment.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    transaction_id: String,
    success_time: UnixTime,
    /// The query reply's `payer` object.
    payer: Value,
    /// The `TRANSACTION.SUCCESS` notification's `id` (the same on every retry).
    notify_id: String,
}

#[derive(Debug, Clone)]
pub(crate) enum OrderState {
    NotPay,
    Paid(Payment),
    Closed,
}

/// One order as the prepay request created it.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    /// `Some` for a partner (service-provider) order.
    pub(crate) sub_mchid: Option<String>,
    pub(crate) out_trade_no: String,
    pub(crate) kind: TradeKind,
    /// The prepay body, as received (same body again: same answer).
    pub(crate) request: Value,
    /// The prepay answer (`prepay_id`, `h5_url` or `code_url`).
    pub(crate) answer: Value,
    pub(crate) total: i64,
    pub(crate) state: OrderState,
}

impl Order {
    pub(crate) fn is_paid(&self) -> bool {
        matches!(self.state, OrderState::Paid(_))
    }

    pub(crate) fn is_closed(&self) -> bool {
        matches!(self.state, OrderState::Closed)
    }

    pub(crate) fn transaction_id(&self) -> Option<&str> {
        match &self.state {
            OrderState::Paid(p) => Some(&p.transaction_id),
            _ => None,
        }
    }

    pub(crate) fn notify_url(&self) -> &str {
        self.request
            .get("notify_url")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub(crate) enum RefundState {
    Processing,
    Ended {
        result: RefundResult,
        at: UnixTime,
        notify_id: String,
    },
}

/// One refund.
#[derive(Debug, Clone)]
pub(crate) struct Refund {
    pub(crate) sub_mchid: Option<String>,
    pub(crate) out_refund_no: String,
    pub(crate) refund_id: String,
    pub(crate) out_trade_no: String,
    pub(crate) transaction_id: String,
    /// The refund body, as received (same body again: the same refund).
    pub(crate) request: Value,
    pub(crate) refund: i64,
    pub(crate) total: i64,
    pub(crate) create_time: UnixTime,
    /// The refund's `notify_url`, or the order's.
    pub(crate) notify_url: String,
    pub(crate) state: RefundState,
}

impl Refund {
    fn status(&self) -> &'static str {
        match &self.state {
            RefundState::Processing => "PROCESSING",
            RefundState::Ended { result, .. } => result.status(),
        }
    }
}

/// The sandbox's state: every order and refund, in creation order (sandbox sizes are small:
/// lookups are linear).
#[derive(Debug, Default)]
pub(crate) struct OrderBook {
    pub(crate) orders: Vec<Order>,
    pub(crate) refunds: Vec<Refund>,
    seq: u64,
}

/// A notification to build: what it says and where it goes.
#[derive(Clone)]
struct Event {
    url: String,
    id: String,
    create_time: UnixTime,
    event_type: &'static str,
    summary: &'static str,
    original_type: &'static str,
    payload: Vec<u8>,
}

/// The payer of a jsapi order without an explicit one, and of the other trade types.
const DEFAULT_OPENID: &str = "oTESTONLY_sandbox_payer_openid00";
/// The `sub_openid` of a partner order under a `sub_appid` without one.
const DEFAULT_SUB_OPENID: &str = "oTESTONLY_sandbox_sub_openid0000";

impl OrderBook {
    /// The next sequence number (ids are unique within a book).
    pub(crate) fn next(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub(crate) fn order(&self, sub_mchid: Option<&str>, out_trade_no: &str) -> Option<usize> {
        self.orders
            .iter()
            .position(|o| o.sub_mchid.as_deref() == sub_mchid && o.out_trade_no == out_trade_no)
    }

    pub(crate) fn order_by_transaction_id(
        &self,
        sub_mchid: Option<&str>,
        transaction_id: &str,
    ) -> Option<usize> {
        self.orders.iter().position(|o| {
            o.sub_mchid.as_deref() == sub_mchid && o.transaction_id() == Some(transaction_id)
        })
    }

    /// The most recent order with this number, whichever (sub-)merchant it belongs to.
    fn latest_order(&self, out_trade_no: &str) -> Option<usize> {
        self.orders
            .iter()
            .rposition(|o| o.out_trade_no == out_trade_no)
    }

    pub(crate) fn refund(&self, sub_mchid: Option<&str>, out_refund_no: &str) -> Option<usize> {
        self.refunds
            .iter()
            .position(|r| r.sub_mchid.as_deref() == sub_mchid && r.out_refund_no == out_refund_no)
    }

    fn latest_refund(&self, out_refund_no: &str) -> Option<usize> {
        self.refunds
            .iter()
            .rposition(|r| r.out_refund_no == out_refund_no)
    }

    fn refunds_of<'a>(&'a self, order: &'a Order) -> impl Iterator<Item = &'a Refund> + 'a {
        self.refunds
            .iter()
            .filter(|r| r.sub_mchid == order.sub_mchid && r.out_trade_no == order.out_trade_no)
    }

    /// The amount of the order's refunds that are not closed.
    pub(crate) fn refunded(&self, order: &Order) -> i64 {
        self.refunds_of(order)
            .filter(|r| {
                !matches!(
                    r.state,
                    RefundState::Ended {
                        result: RefundResult::Closed,
                        ..
                    }
                )
            })
            .map(|r| r.refund)
            .sum()
    }

    /// `trade_state` and `trade_state_desc`.
    fn trade_state(&self, order: &Order) -> (&'static str, &'static str) {
        match order.state {
            OrderState::NotPay => ("NOTPAY", "订单未支付"),
            OrderState::Closed => ("CLOSED", "订单已关闭"),
            OrderState::Paid(_) if self.refunded(order) > 0 => ("REFUND", "订单发生过退款"),
            OrderState::Paid(_) => ("SUCCESS", "支付成功"),
        }
    }

    /// The order-query reply (and the `TRANSACTION.SUCCESS` plaintext).
    pub(crate) fn query_json(&self, order: &Order) -> Value {
        let mut m = Map::new();
        let copy = |m: &mut Map<String, Value>, k: &str| {
            if let Some(v) = order.request.get(k) {
                m.insert(k.to_owned(), v.clone());
            }
        };
        if order.sub_mchid.is_some() {
            for k in ["sp_appid", "sp_mchid", "sub_appid", "sub_mchid"] {
                copy(&mut m, k);
            }
        } else {
            for k in ["appid", "mchid"] {
                copy(&mut m, k);
            }
        }
        m.insert("out_trade_no".into(), order.out_trade_no.clone().into());
        let (state, desc) = self.trade_state(order);
        if let OrderState::Paid(p) = &order.state {
            m.insert("transaction_id".into(), p.transaction_id.clone().into());
            m.insert("trade_type".into(), order.kind.trade_type().into());
        }
        m.insert("trade_state".into(), state.into());
        m.insert("trade_state_desc".into(), desc.into());
        copy(&mut m, "attach");
        let currency = order
            .request
            .pointer("/amount/currency")
            .cloned()
            .unwrap_or_else(|| "CNY".into());
        let mut amount =
            json!({ "total": order.total, "currency": currency, "payer_currency": "CNY" });
        if let OrderState::Paid(p) = &order.state {
            m.insert("bank_type".into(), "OTHERS".into());
            m.insert("success_time".into(), beijing(p.success_time).into());
            m.insert("payer".into(), p.payer.clone());
            amount["payer_total"] = order.total.into();
        }
        m.insert("amount".into(), amount);
        Value::Object(m)
    }

    /// The refund create / query reply.
    pub(crate) fn refund_json(&self, r: &Refund) -> Value {
        let mut v = json!({
            "refund_id": r.refund_id,
            "out_refund_no": r.out_refund_no,
            "transaction_id": r.transaction_id,
            "out_trade_no": r.out_trade_no,
            "channel": "ORIGINAL",
            "user_received_account": "支付用户零钱",
            "create_time": beijing(r.create_time),
            "status": r.status(),
            "funds_account": "AVAILABLE",
            "amount": {
                "total": r.total,
                "refund": r.refund,
                "from": [],
                "payer_total": r.total,
                "payer_refund": r.refund,
                "settlement_refund": r.refund,
                "settlement_total": r.total,
                "discount_refund": 0,
                "currency": "CNY",
            },
            "promotion_detail": [],
        });
        if let RefundState::Ended {
            result: RefundResult::Success,
            at,
            ..
        } = r.state
        {
            v["success_time"] = beijing(at).into();
        }
        v
    }

    /// The `TRANSACTION.SUCCESS` notification of a paid order.
    fn transaction_event(&self, i: usize) -> Result<Event, SandboxError> {
        let order = &self.orders[i];
        let OrderState::Paid(p) = &order.state else {
            return Err(SandboxError::NotPaid(order.out_trade_no.clone()));
        };
        Ok(Event {
            url: order.notify_url().to_owned(),
            id: p.notify_id.clone(),
            create_time: p.success_time,
            event_type: "TRANSACTION.SUCCESS",
            summary: "支付成功",
            original_type: "transaction",
            payload: self.query_json(order).to_string().into_bytes(),
        })
    }

    /// The `REFUND.*` notification of an ended refund.
    fn refund_event(&self, i: usize, mchid: &str) -> Result<Event, SandboxError> {
        let r = &self.refunds[i];
        let RefundState::Ended {
            result,
            at,
            notify_id,
        } = &r.state
        else {
            return Err(SandboxError::RefundProcessing(r.out_refund_no.clone()));
        };
        let mut m = Map::new();
        match &r.sub_mchid {
            Some(sub) => {
                m.insert("sp_mchid".into(), mchid.into());
                m.insert("sub_mchid".into(), sub.clone().into());
            }
            None => {
                m.insert("mchid".into(), mchid.into());
            }
        }
        m.insert("out_trade_no".into(), r.out_trade_no.clone().into());
        m.insert("transaction_id".into(), r.transaction_id.clone().into());
        m.insert("out_refund_no".into(), r.out_refund_no.clone().into());
        m.insert("refund_id".into(), r.refund_id.clone().into());
        m.insert("refund_status".into(), result.status().into());
        if *result == RefundResult::Success {
            m.insert("success_time".into(), beijing(*at).into());
        }
        m.insert("user_received_account".into(), "支付用户零钱".into());
        m.insert(
            "amount".into(),
            json!({ "total": r.total, "refund": r.refund, "payer_total": r.total,
                    "payer_refund": r.refund }),
        );
        Ok(Event {
            url: r.notify_url.clone(),
            id: notify_id.clone(),
            create_time: *at,
            event_type: result.event_type(),
            summary: result.summary(),
            original_type: "refund",
            payload: Value::Object(m).to_string().into_bytes(),
        })
    }
}

/// `transaction_id`: 28 digits, `4200000000` + the Beijing date + a sequence number.
pub(crate) fn transaction_id(now: UnixTime, seq: u64) -> String {
    format!(
        "4200000000{}{:010}",
        &compact(now)[..8],
        seq % 10_000_000_000
    )
}

/// `refund_id`: 29 digits, `50300000000` + the Beijing date + a sequence number.
pub(crate) fn refund_id(now: UnixTime, seq: u64) -> String {
    format!(
        "50300000000{}{:010}",
        &compact(now)[..8],
        seq % 10_000_000_000
    )
}

/// `prepay_id`: `wx` + the Beijing date and time (14 digits) + 20 hex digits.
pub(crate) fn prepay_id(now: UnixTime, seq: u64) -> String {
    format!("wx{}{:020x}", compact(now), seq)
}

/// A notification id in the UUID layout WeChat Pay uses, from 16 random bytes (drawn when the
/// event happens, kept for its retries).
pub(crate) fn event_id<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<String, SandboxError> {
    let mut b = [0u8; 16];
    rng.try_fill_bytes(&mut b).map_err(|_| SandboxError::Rng)?;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

/// 12 random base62 characters (an AES-GCM nonce of the resource).
pub(crate) fn resource_nonce<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Option<String> {
    Nonce::generate(rng)
        .ok()
        .and_then(|n| n.as_str().get(..12).map(str::to_owned))
}

/// Seconds since the epoch as a Beijing civil time: (year, month, day, hour, minute, second).
fn beijing_parts(t: UnixTime) -> (i64, u32, u32, u64, u64, u64) {
    let secs = t.as_secs().saturating_add(8 * 3600);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days; `days` < 2^48, so the i64 arithmetic cannot overflow.
    let z = i64::try_from(days).unwrap_or(i64::MAX / 2) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
    )
}

/// RFC 3339 in Beijing time, as WeChat Pay writes times: `2026-01-01T08:00:00+08:00`.
pub(crate) fn beijing(t: UnixTime) -> String {
    let (y, mo, d, h, mi, s) = beijing_parts(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+08:00")
}

/// `yyyyMMddHHmmss` in Beijing time.
fn compact(t: UnixTime) -> String {
    let (y, mo, d, h, mi, s) = beijing_parts(t);
    format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}")
}

/// `yyyy-MM-DDTHH:mm:ss[.fraction](Z|±HH:mm)`, field ranges checked (the simulator's own
/// reading of the `time_expire` rule, independent of the merchant side's validation).
pub(crate) fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let val = |from: usize, len: usize| {
        b.get(from..from + len)
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|d| d.iter().fold(0, |a, x| a * 10 + u32::from(x - b'0')))
    };
    let within = |from: usize, len: usize, lo: u32, hi: u32| {
        val(from, len).is_some_and(|n| (lo..=hi).contains(&n))
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let date = within(0, 4, 0, 9999)
        && at(4, b'-')
        && within(5, 2, 1, 12)
        && at(7, b'-')
        && within(8, 2, 1, 31);
    let time = at(10, b'T')
        && within(11, 2, 0, 23)
        && at(13, b':')
        && within(14, 2, 0, 59)
        && at(16, b':')
        && within(17, 2, 0, 60);
    if !(date && time) {
        return false;
    }
    let mut i = 19;
    if at(i, b'.') {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return false;
        }
        i += 1 + digits;
    }
    match b.get(i..) {
        Some(b"Z") => true,
        Some(&[sign, _, _, b':', _, _]) => {
            (sign == b'+' || sign == b'-') && within(i + 1, 2, 0, 23) && within(i + 4, 2, 0, 59)
        }
        _ => false,
    }
}

impl Simulator {
    /// The order book, whatever another thread's panic left in it (a poisoned lock is not a
    /// reason to panic here too).
    pub(crate) fn book(&self) -> MutexGuard<'_, OrderBook> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The user pays the order `out_trade_no` at `now` (the most recent order of that number,
    /// whichever sub-merchant it belongs to): it becomes `SUCCESS`, with a `transaction_id`, a
    /// `success_time` of `now` and a payer. Returns the `TRANSACTION.SUCCESS` notification
    /// WeChat Pay POSTs to the order's `notify_url` (its plaintext is the order-query reply).
    /// Send it again, or ask [`Simulator::transaction_notification`], for a retry.
    ///
    /// `payer_openid`: the payer's `openid` (direct orders) or `sp_openid` (partner orders);
    /// `None` takes the order's own `payer` (jsapi), else a TEST ONLY default. A partner order
    /// under a `sub_appid` also gets a `sub_openid` (the order's, or a TEST ONLY default).
    ///
    /// `rng` draws the notification's id and nonces and, under RustCrypto, the randomness of its
    /// signature; under `aws-lc-rs` the RSA signature does not consult it.
    ///
    /// ```
    /// use wechatpay_sansio::simulator::{Script, Simulator};
    /// use wechatpay_sansio::{ids::Nonce, time::UnixTime, v3::{notify, request::JsonRequest}};
    /// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    /// let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
    /// let merchant = sim.merchant();
    /// let order = serde_json::json!({ "appid": "wxd678efh567hg6787", "mchid": "1900000109",
    ///     "description": "TEST ONLY", "out_trade_no": "ORDER_0001",
    ///     "notify_url": "https://merchant.example/notify", "amount": { "total": 1 },
    ///     "payer": { "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" } });
    /// let nonce = Nonce::generate(&mut rng)?;
    /// let req = JsonRequest::post("https://api.mch.weixin.qq.com/v3/pay/transactions/jsapi",
    ///                             order.to_string().into_bytes())
    ///     .sign(merchant.signer()?, &mut rng, now, &nonce)?;
    /// assert_eq!(sim.handle(&req.into_http(), now, &mut rng, &Script::default()).status(), 200);
    ///
    /// let sent = sim.pay("ORDER_0001", None, now, &mut rng)?;
    /// let n = notify::parse(sent.headers(), sent.body(), &merchant.verifier(),
    ///                       merchant.api_v3_key()?, now)?;
    /// let paid: serde_json::Value = n.payload()?;
    /// assert_eq!(paid["payer"]["openid"], "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
    /// assert_eq!(paid["success_time"], "2026-01-01T08:00:00+08:00");
    /// assert!(sim.pay("ORDER_0001", None, now, &mut rng).is_err()); // paid already
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`SandboxError::UnknownOrder`], [`SandboxError::NotPayable`] (paid or closed),
    /// [`SandboxError::Rng`].
    pub fn pay<R: TryCryptoRng + ?Sized>(
        &self,
        out_trade_no: &str,
        payer_openid: Option<&str>,
        now: UnixTime,
        rng: &mut R,
    ) -> Result<http::Request<Vec<u8>>, SandboxError> {
        let notify_id = event_id(rng)?;
        let event = {
            let mut book = self.book();
            let i = book
                .latest_order(out_trade_no)
                .ok_or_else(|| SandboxError::UnknownOrder(out_trade_no.to_owned()))?;
            if !matches!(book.orders[i].state, OrderState::NotPay) {
                let (state, _) = book.trade_state(&book.orders[i]);
                return Err(SandboxError::NotPayable {
                    out_trade_no: out_trade_no.to_owned(),
                    state,
                });
            }
            let seq = book.next();
            let order = &mut book.orders[i];
            let payer = payer_of(order, payer_openid);
            order.state = OrderState::Paid(Payment {
                transaction_id: transaction_id(now, seq),
                success_time: now,
                payer,
                notify_id,
            });
            book.transaction_event(i)?
        };
        self.send_event(&event, now, rng)
    }

    /// The refund `out_refund_no` (the most recent of that number) ends at `now` with `result`.
    /// Returns the notification WeChat Pay POSTs to the refund's `notify_url` (or the order's):
    /// `REFUND.SUCCESS`, `REFUND.ABNORMAL` or `REFUND.CLOSED`. A closed refund's amount becomes
    /// refundable again.
    ///
    /// `rng` draws the notification's id and nonces and, under RustCrypto, the randomness of its
    /// signature; under `aws-lc-rs` the RSA signature does not consult it.
    ///
    /// ```
    /// use wechatpay_sansio::simulator::{Script, Simulator, sandbox::RefundResult};
    /// use wechatpay_sansio::{ids::Nonce, time::UnixTime, v3::{notify, request::JsonRequest}};
    /// use rand_chacha::ChaCha20Rng;
    /// # use rand_core::SeedableRng; let mut rng = ChaCha20Rng::seed_from_u64(1);
    /// /// Sign `body`, send it to the simulator, return the status.
    /// fn send(sim: &Simulator, url: &str, body: serde_json::Value, rng: &mut ChaCha20Rng)
    ///     -> Result<u16, Box<dyn std::error::Error>> {
    ///     let (now, nonce) = (UnixTime::from_secs(1_767_225_600), Nonce::generate(rng)?);
    ///     let req = JsonRequest::post(url, body.to_string().into_bytes())
    ///         .sign(sim.merchant().signer()?, rng, now, &nonce)?;
    ///     Ok(sim.handle(&req.into_http(), now, rng, &Script::default()).status().as_u16())
    /// }
    /// let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
    /// let order = serde_json::json!({ "appid": "wxd678efh567hg6787", "mchid": "1900000109",
    ///     "description": "TEST ONLY", "out_trade_no": "ORDER_0002",
    ///     "notify_url": "https://merchant.example/notify", "amount": { "total": 300 } });
    /// let url = "https://api.mch.weixin.qq.com/v3/pay/transactions/app";
    /// assert_eq!(send(&sim, url, order, &mut rng)?, 200);
    /// sim.pay("ORDER_0002", None, now, &mut rng)?;
    /// let refund = serde_json::json!({ "out_trade_no": "ORDER_0002", "out_refund_no": "REFUND_0002",
    ///     "amount": { "refund": 100, "total": 300, "currency": "CNY" } });
    /// let url = "https://api.mch.weixin.qq.com/v3/refund/domestic/refunds";
    /// assert_eq!(send(&sim, url, refund, &mut rng)?, 200);
    ///
    /// let sent = sim.complete_refund("REFUND_0002", RefundResult::Success, now, &mut rng)?;
    /// let merchant = sim.merchant();
    /// let n = notify::parse(sent.headers(), sent.body(), &merchant.verifier(),
    ///                       merchant.api_v3_key()?, now)?;
    /// assert_eq!(n.notification.event_type, "REFUND.SUCCESS");
    /// let refund: serde_json::Value = n.payload()?;
    /// assert_eq!((refund["refund_status"].as_str(), refund["amount"]["refund"].as_i64()),
    ///            (Some("SUCCESS"), Some(100)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`SandboxError::UnknownRefund`], [`SandboxError::RefundEnded`], [`SandboxError::Rng`].
    pub fn complete_refund<R: TryCryptoRng + ?Sized>(
        &self,
        out_refund_no: &str,
        result: RefundResult,
        now: UnixTime,
        rng: &mut R,
    ) -> Result<http::Request<Vec<u8>>, SandboxError> {
        let notify_id = event_id(rng)?;
        let event = {
            let mut book = self.book();
            let i = book
                .latest_refund(out_refund_no)
                .ok_or_else(|| SandboxError::UnknownRefund(out_refund_no.to_owned()))?;
            let refund = &mut book.refunds[i];
            if let RefundState::Ended { result, .. } = refund.state {
                return Err(SandboxError::RefundEnded {
                    out_refund_no: out_refund_no.to_owned(),
                    status: result.status(),
                });
            }
            refund.state = RefundState::Ended {
                result,
                at: now,
                notify_id,
            };
            book.refund_event(i, self.mchid.as_str())?
        };
        self.send_event(&event, now, rng)
    }

    /// The `TRANSACTION.SUCCESS` notification of the paid order `out_trade_no` again, signed at
    /// `now`: a retry, with the same `id` and `create_time` as the first.
    ///
    /// `rng` draws the nonces and, under RustCrypto, the randomness of the signature; under
    /// `aws-lc-rs` the RSA signature does not consult it.
    ///
    /// ```
    /// use wechatpay_sansio::simulator::{Simulator, sandbox::SandboxError};
    /// use wechatpay_sansio::time::UnixTime;
    /// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    /// let sim = Simulator::new();
    /// let now = UnixTime::from_secs(1_767_225_600);
    /// // (See `Simulator::pay` for an order that exists and is paid.)
    /// assert_eq!(sim.transaction_notification("ORDER_0001", now, &mut rng).unwrap_err(),
    ///            SandboxError::UnknownOrder("ORDER_0001".into()));
    /// ```
    ///
    /// # Errors
    /// [`SandboxError::UnknownOrder`], [`SandboxError::NotPaid`], [`SandboxError::Rng`].
    pub fn transaction_notification<R: TryCryptoRng + ?Sized>(
        &self,
        out_trade_no: &str,
        now: UnixTime,
        rng: &mut R,
    ) -> Result<http::Request<Vec<u8>>, SandboxError> {
        let event = {
            let book = self.book();
            let i = book
                .latest_order(out_trade_no)
                .ok_or_else(|| SandboxError::UnknownOrder(out_trade_no.to_owned()))?;
            book.transaction_event(i)?
        };
        self.send_event(&event, now, rng)
    }

    /// The notification of the ended refund `out_refund_no` again (`REFUND.SUCCESS`,
    /// `REFUND.ABNORMAL` or `REFUND.CLOSED`), signed at `now`: a retry, with the same `id` and
    /// `create_time` as the first.
    ///
    /// `rng` draws the nonces and, under RustCrypto, the randomness of the signature; under
    /// `aws-lc-rs` the RSA signature does not consult it.
    ///
    /// ```
    /// use wechatpay_sansio::simulator::{Simulator, sandbox::SandboxError};
    /// use wechatpay_sansio::time::UnixTime;
    /// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    /// let sim = Simulator::new();
    /// let now = UnixTime::from_secs(1_767_225_600);
    /// // (See `Simulator::complete_refund` for a refund that exists and has ended.)
    /// assert_eq!(sim.refund_notification("REFUND_0001", now, &mut rng).unwrap_err(),
    ///            SandboxError::UnknownRefund("REFUND_0001".into()));
    /// ```
    ///
    /// # Errors
    /// [`SandboxError::UnknownRefund`], [`SandboxError::RefundProcessing`],
    /// [`SandboxError::Rng`].
    pub fn refund_notification<R: TryCryptoRng + ?Sized>(
        &self,
        out_refund_no: &str,
        now: UnixTime,
        rng: &mut R,
    ) -> Result<http::Request<Vec<u8>>, SandboxError> {
        let event = {
            let book = self.book();
            let i = book
                .latest_refund(out_refund_no)
                .ok_or_else(|| SandboxError::UnknownRefund(out_refund_no.to_owned()))?;
            book.refund_event(i, self.mchid.as_str())?
        };
        self.send_event(&event, now, rng)
    }

    /// Every notification of the paid order `out_trade_no` (the most recent of that number),
    /// signed at `now`, in `order`: `TRANSACTION.SUCCESS` and the notification of each of its
    /// refunds that has ended (refunds still `PROCESSING` have none). With
    /// [`NotificationOrder::Reversed`] a `REFUND.SUCCESS` arrives before the
    /// `TRANSACTION.SUCCESS` of its order; with [`NotificationOrder::Duplicated`] each arrives
    /// twice.
    ///
    /// `rng` draws the nonces and, under RustCrypto, the randomness of the signatures; under
    /// `aws-lc-rs` the RSA signatures do not consult it.
    ///
    /// ```
    /// use wechatpay_sansio::simulator::{Simulator, sandbox::{NotificationOrder, SandboxError}};
    /// use wechatpay_sansio::time::UnixTime;
    /// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    /// let sim = Simulator::new();
    /// let now = UnixTime::from_secs(1_767_225_600);
    /// // (tests/it/sandbox.rs drives a paid and refunded order through every order.)
    /// let err = sim.notifications("ORDER_0001", NotificationOrder::Reversed, now, &mut rng);
    /// assert_eq!(err.unwrap_err(), SandboxError::UnknownOrder("ORDER_0001".into()));
    /// ```
    ///
    /// # Errors
    /// [`SandboxError::UnknownOrder`], [`SandboxError::NotPaid`], [`SandboxError::Rng`].
    pub fn notifications<R: TryCryptoRng + ?Sized>(
        &self,
        out_trade_no: &str,
        order: NotificationOrder,
        now: UnixTime,
        rng: &mut R,
    ) -> Result<Vec<http::Request<Vec<u8>>>, SandboxError> {
        let mut events = {
            let book = self.book();
            let i = book
                .latest_order(out_trade_no)
                .ok_or_else(|| SandboxError::UnknownOrder(out_trade_no.to_owned()))?;
            let mut events = vec![book.transaction_event(i)?];
            let mut ended: Vec<(UnixTime, usize)> = book
                .refunds
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    r.sub_mchid == book.orders[i].sub_mchid
                        && r.out_trade_no == book.orders[i].out_trade_no
                })
                .filter_map(|(j, r)| match r.state {
                    RefundState::Ended { at, .. } => Some((at, j)),
                    RefundState::Processing => None,
                })
                .collect();
            ended.sort_unstable();
            for (_, j) in ended {
                events.push(book.refund_event(j, self.mchid.as_str())?);
            }
            events
        };
        match order {
            NotificationOrder::AsHappened => {}
            NotificationOrder::Reversed => events.reverse(),
            NotificationOrder::Duplicated => {
                let mut twice = Vec::with_capacity(events.len() * 2);
                for e in events {
                    twice.push(e.clone());
                    twice.push(e);
                }
                events = twice;
            }
        }
        events
            .iter()
            .map(|e| self.send_event(e, now, rng))
            .collect()
    }

    /// The notification request of `e`, signed at `now`: the resource encrypted with the APIv3
    /// key, the envelope in WeChat Pay's key order, POSTed to `e.url`.
    fn send_event<R: TryCryptoRng + ?Sized>(
        &self,
        e: &Event,
        now: UnixTime,
        rng: &mut R,
    ) -> Result<http::Request<Vec<u8>>, SandboxError> {
        let nonce = resource_nonce(rng).ok_or(SandboxError::Rng)?;
        let resource = EncryptedResource::encrypt(
            &self.api_v3_key,
            &nonce,
            e.original_type,
            e.original_type,
            &e.payload,
        )
        .ok_or(SandboxError::Rng)?;
        // Written out in WeChat Pay's key order (as `Simulator::notification` does), not
        // serde_json's sorted map.
        let q = |s: &str| Value::from(s).to_string();
        let body = format!(
            r#"{{"id":{},"create_time":{},"resource_type":"encrypt-resource","event_type":{},"summary":{},"resource":{{"original_type":{},"algorithm":{},"ciphertext":{},"associated_data":{},"nonce":{}}}}}"#,
            q(&e.id),
            q(&beijing(e.create_time)),
            q(e.event_type),
            q(e.summary),
            q(e.original_type),
            q(&resource.algorithm),
            q(&resource.ciphertext),
            q(e.original_type),
            q(&resource.nonce),
        )
        .into_bytes();
        let headers = self
            .signature_headers(rng, &body, now)
            .ok_or(SandboxError::Rng)?;
        let mut req = http::Request::new(body);
        *req.method_mut() = http::Method::POST;
        *req.uri_mut() = e
            .url
            .parse()
            .unwrap_or_else(|_| http::Uri::from_static("https://merchant.example/notify"));
        *req.headers_mut() = headers;
        req.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        Ok(req)
    }
}

/// The query reply's `payer` of a paid order (see [`Simulator::pay`]).
fn payer_of(order: &Order, explicit: Option<&str>) -> Value {
    let sent = |k: &str| {
        order
            .request
            .pointer(&format!("/payer/{k}"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    if order.sub_mchid.is_none() {
        let openid = explicit
            .map(str::to_owned)
            .or_else(|| sent("openid"))
            .unwrap_or_else(|| DEFAULT_OPENID.to_owned());
        return json!({ "openid": openid });
    }
    let sp = explicit
        .map(str::to_owned)
        .or_else(|| sent("sp_openid"))
        .unwrap_or_else(|| DEFAULT_OPENID.to_owned());
    let mut payer = json!({ "sp_openid": sp });
    if order.request.get("sub_appid").is_some() {
        payer["sub_openid"] = sent("sub_openid")
            .unwrap_or_else(|| DEFAULT_SUB_OPENID.to_owned())
            .into();
    }
    payer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_times() {
        assert_eq!(
            beijing(UnixTime::from_secs(1_767_225_600)),
            "2026-01-01T08:00:00+08:00"
        );
        assert_eq!(beijing(UnixTime::from_secs(0)), "1970-01-01T08:00:00+08:00");
        // 2024-02-29T23:59:59+08:00 (a leap day).
        assert_eq!(
            beijing(UnixTime::from_secs(1_709_222_399)),
            "2024-02-29T23:59:59+08:00"
        );
        assert_eq!(
            compact(UnixTime::from_secs(1_767_225_600)),
            "20260101080000"
        );
        // The far future neither panics nor wraps.
        assert!(beijing(UnixTime::from_secs(u64::MAX)).ends_with("+08:00"));
        assert_eq!(
            transaction_id(UnixTime::from_secs(1_767_225_600), 7).len(),
            28
        );
        assert_eq!(refund_id(UnixTime::from_secs(1_767_225_600), 7).len(), 29);
        assert_eq!(prepay_id(UnixTime::from_secs(1_767_225_600), 7).len(), 36);
    }

    /// A thread that panicked holding the book leaves it poisoned; the sandbox goes on.
    #[test]
    fn a_poisoned_book_does_not_panic() {
        use rand_core::SeedableRng;
        let sim = Simulator::new();
        let clone = sim.clone();
        let _ = std::thread::spawn(move || {
            let _held = clone.book();
            panic!("TEST ONLY: poison the order book");
        })
        .join();
        assert!(sim.book.is_poisoned());
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        assert_eq!(
            sim.pay("T1", None, UnixTime::from_secs(0), &mut rng)
                .map(|_| ()),
            Err(SandboxError::UnknownOrder("T1".into()))
        );
    }

    #[test]
    fn rfc3339_reading() {
        for good in [
            "2018-06-08T10:34:56+08:00",
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00.123-05:30",
        ] {
            assert!(is_rfc3339(good), "{good}");
        }
        for bad in [
            "",
            "2018-06-08 10:34:56+08:00",
            "2018-13-08T10:34:56+08:00",
            "2018-00-08T10:34:56+08:00",
            "2018-06-00T10:34:56+08:00",
            "2018-06-08T24:34:56+08:00",
            "2018-06-08T10:34:56",
            "2018-06-08T10:34:56+0800",
            "2018-06-08T10:34:56.+08:00",
            "2018-06-08T10:34:56+08:00x",
            "20180608T103456Z",
            "２０18-06-08T10:34:56Z",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }
}
