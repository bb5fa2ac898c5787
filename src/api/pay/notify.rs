//! Payment notifications, typed: `TRANSACTION.SUCCESS` (a [`Transaction`]) and
//! `REFUND.SUCCESS` / `REFUND.ABNORMAL` / `REFUND.CLOSED` (a [`RefundNotice`]), direct and
//! partner. [`parse`] verifies the signature over the raw body (with the merchant's WeChat Pay
//! keys at `now`), decrypts the resource with the APIv3 key, checks that the payload names this
//! merchant, and types it; answer WeChat Pay with [`crate::v3::notify::answer`].
//!
//! A notification can arrive twice, or a refund's before its payment's: act on the
//! `out_trade_no` / `out_refund_no` idempotently, and query when in doubt.
//!
//! ```
//! use wechatpay_sansio::api::pay::{notify::{self, PaymentEvent}, prepay::PrepayRequest};
//! use wechatpay_sansio::{simulator::Simulator, Operation, UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();                                     // TEST ONLY keys
//! let order = PrepayRequest::app("wxd678efh567hg6787", "QQ公仔", "NOTIFY_ME_1",
//!                                "https://example.com/notify", 100);
//! sim.handle(&order.build(&merchant, &mut rng, now)?.into_http(), now, &mut rng, &Default::default());
//! let sent = sim.pay("NOTIFY_ME_1", None, now, &mut rng)?;               // the payer pays
//! match notify::parse(&merchant, sent.headers(), sent.body(), now)? {
//!     PaymentEvent::Transaction(t) => assert!(t.is_paid() && t.out_trade_no == "NOTIFY_ME_1"),
//!     other => panic!("{other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::api::ApiError;
use crate::api::pay::transaction::payee;
use crate::api::pay::{Payee, RefundStatus, Transaction};
use crate::merchant::Merchant;
use crate::secret::Personal;
use crate::time::UnixTime;
use crate::v3::notify::{self as v3notify, DecryptedNotification, NotifyError};
use serde::Deserialize;

/// What a payment notification reports.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentEvent {
    /// `TRANSACTION.SUCCESS`: the order is paid.
    Transaction(Transaction),
    /// `REFUND.SUCCESS`, `REFUND.ABNORMAL` or `REFUND.CLOSED`.
    Refund(RefundNotice),
    /// Another event type (verified and decrypted; not typed here): its `event_type` and
    /// notification `id`.
    Other {
        /// `event_type`.
        event_type: String,
        /// The notification's `id`.
        id: String,
    },
}

/// The amounts of a refund notification, in fen.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RefundNoticeAmount {
    /// `total`.
    pub total: u64,
    /// `refund`.
    pub refund: u64,
    /// `payer_total`.
    pub payer_total: Option<u64>,
    /// `payer_refund`.
    pub payer_refund: Option<u64>,
}

/// A refund notification's plaintext.
#[derive(Clone, PartialEq, Eq)]
pub struct RefundNotice {
    /// The event: `REFUND.SUCCESS`, `REFUND.ABNORMAL` or `REFUND.CLOSED`.
    pub event_type: String,
    /// The merchant (`mchid`, or `sp_mchid` and `sub_mchid`).
    pub payee: Payee,
    /// `out_trade_no`.
    pub out_trade_no: String,
    /// `transaction_id`.
    pub transaction_id: String,
    /// `out_refund_no`.
    pub out_refund_no: String,
    /// `refund_id`.
    pub refund_id: String,
    /// `refund_status`.
    pub refund_status: RefundStatus,
    /// `success_time` (`REFUND.SUCCESS`).
    pub success_time: Option<String>,
    /// `user_received_account` (personal data; redacted in `Debug`).
    pub user_received_account: Option<Personal>,
    /// `amount`.
    pub amount: RefundNoticeAmount,
}

impl core::fmt::Debug for RefundNotice {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RefundNotice")
            .field("event_type", &self.event_type)
            .field("payee", &self.payee)
            .field("out_trade_no", &self.out_trade_no)
            .field("transaction_id", &self.transaction_id)
            .field("out_refund_no", &self.out_refund_no)
            .field("refund_id", &self.refund_id)
            .field("refund_status", &self.refund_status)
            .field("success_time", &self.success_time)
            .field(
                "user_received_account",
                &self.user_received_account.as_ref().map(|_| "<redacted>"),
            )
            .field("amount", &self.amount)
            .finish()
    }
}

#[derive(Deserialize)]
struct RawRefund {
    mchid: Option<String>,
    sp_mchid: Option<String>,
    sub_mchid: Option<String>,
    out_trade_no: String,
    transaction_id: String,
    out_refund_no: String,
    refund_id: String,
    refund_status: String,
    success_time: Option<String>,
    user_received_account: Option<String>,
    amount: RefundNoticeAmount,
}

/// Verify, decrypt and type a payment notification (headers and raw body as received, the
/// clock at receipt).
///
/// # Errors
/// [`ApiError::Notify`] when the notification cannot be trusted or decrypted (answer with
/// [`crate::v3::notify::failure`] so that WeChat Pay retries); [`ApiError::Json`] when the
/// payload is not the documented shape; [`ApiError::Mismatch`] when it names another merchant;
/// [`ApiError::NotConfigured`] without an APIv3 key.
pub fn parse(
    merchant: &Merchant,
    headers: &http::HeaderMap,
    body: &[u8],
    now: UnixTime,
) -> Result<PaymentEvent, ApiError> {
    let n = v3notify::parse(
        headers,
        body,
        &merchant.verifier(),
        merchant.api_v3_key()?,
        now,
    )?;
    event(merchant, &n)
}

/// Type a notification already verified and decrypted ([`crate::v3::notify::parse`]).
///
/// # Errors
/// As [`parse`], without the verification errors.
pub fn event(merchant: &Merchant, n: &DecryptedNotification) -> Result<PaymentEvent, ApiError> {
    let event_type = n.notification.event_type.as_str();
    let mine = |payee: &Payee| match payee {
        Payee::Direct { mchid, .. } => check(mchid, merchant, "mchid"),
        Payee::Partner { sp_mchid, .. } => check(sp_mchid, merchant, "sp_mchid"),
    };
    if event_type == "TRANSACTION.SUCCESS" {
        let t = Transaction::from_json(&n.plaintext)?;
        mine(&t.payee)?;
        Ok(PaymentEvent::Transaction(t))
    } else if event_type.starts_with("REFUND.") {
        let r: RawRefund = ApiError::parse_json(&n.plaintext)?;
        let payee = payee(None, r.mchid, None, r.sp_mchid, None, r.sub_mchid, false)?;
        mine(&payee)?;
        Ok(PaymentEvent::Refund(RefundNotice {
            event_type: event_type.to_owned(),
            payee,
            out_trade_no: r.out_trade_no,
            transaction_id: r.transaction_id,
            out_refund_no: r.out_refund_no,
            refund_id: r.refund_id,
            refund_status: RefundStatus::from_wire(&r.refund_status),
            success_time: r.success_time.filter(|s| !s.is_empty()),
            user_received_account: r.user_received_account.map(Personal::new),
            amount: r.amount,
        }))
    } else {
        Ok(PaymentEvent::Other {
            event_type: event_type.to_owned(),
            id: n.notification.id.clone(),
        })
    }
}

fn check(got: &str, merchant: &Merchant, field: &str) -> Result<(), ApiError> {
    if got == merchant.mchid().as_str() {
        Ok(())
    } else {
        Err(ApiError::Mismatch(field.to_owned()))
    }
}

/// The answer for WeChat Pay: `204` when typed, a `FAIL` (so that WeChat Pay retries) when the
/// notification could not be trusted or read. A notification for another merchant is
/// answered `FAIL` too.
#[must_use]
pub fn answer(result: &Result<PaymentEvent, ApiError>) -> http::Response<Vec<u8>> {
    match result {
        Ok(_) => v3notify::success(),
        Err(ApiError::Notify(e)) => v3notify::failure(e.status(), &e.to_string()),
        Err(e) => v3notify::failure(http::StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

impl From<NotifyError> for ApiError {
    fn from(e: NotifyError) -> Self {
        Self::Notify(e)
    }
}
