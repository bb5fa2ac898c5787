//! [`Refund`]: a refund as WeChat Pay reports it (退款申请 and 查询单笔退款 replies).

use crate::api::ApiError;
use crate::secret::Personal;
use serde::Deserialize;

crate::wire::open_enum!(
    /// A refund's `status` (退款状态; `refund_status` in notifications).
    pub enum RefundStatus {
        /// 退款成功.
        Success = "SUCCESS",
        /// 退款关闭.
        Closed = "CLOSED",
        /// 退款处理中.
        Processing = "PROCESSING",
        /// 退款异常: the money could not reach the payer; handle it in the merchant platform.
        Abnormal = "ABNORMAL",
    }
);

crate::wire::open_enum!(
    /// `channel` (退款渠道).
    pub enum RefundChannel {
        /// 原路退款.
        Original = "ORIGINAL",
        /// 退回到余额.
        Balance = "BALANCE",
        /// 原账户异常退到其他余额账户.
        OtherBalance = "OTHER_BALANCE",
        /// 原银行卡异常退到其他银行卡.
        OtherBankcard = "OTHER_BANKCARD",
    }
);

/// A refund's `amount`, in fen.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RefundAmount {
    /// `total`: the order's total.
    pub total: u64,
    /// `refund`: this refund.
    pub refund: u64,
    /// `payer_total`.
    pub payer_total: Option<u64>,
    /// `payer_refund`: what reaches the payer.
    pub payer_refund: Option<u64>,
    /// `settlement_refund`.
    pub settlement_refund: Option<u64>,
    /// `settlement_total`.
    pub settlement_total: Option<u64>,
    /// `discount_refund`.
    pub discount_refund: Option<u64>,
    /// `currency`.
    pub currency: Option<String>,
}

/// A refund (退款申请 / 查询单笔退款 reply).
///
/// `user_received_account` (退款入账账户, e.g. a card's bank and last digits) is personal
/// data: `Debug` shows `<redacted>`.
///
/// ```
/// use wechatpay_sansio::api::pay::{Refund, RefundStatus};
/// let r = Refund::from_json(r#"{"refund_id":"50000000382019052709732678859",
///   "out_refund_no":"1217752501201407033233368018","transaction_id":"1217752501201407033233368018",
///   "out_trade_no":"1217752501201407033233368018","channel":"ORIGINAL",
///   "user_received_account":"招商银行信用卡0403","create_time":"2020-12-01T16:18:12+08:00",
///   "status":"PROCESSING","amount":{"total":100,"refund":100,"currency":"CNY"}}"#.as_bytes())?;
/// assert_eq!(r.status, RefundStatus::Processing);
/// assert!(!format!("{r:?}").contains("0403"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Refund {
    /// `refund_id` (WeChat Pay's).
    pub refund_id: String,
    /// `out_refund_no` (the merchant's).
    pub out_refund_no: String,
    /// `transaction_id`.
    pub transaction_id: String,
    /// `out_trade_no`.
    pub out_trade_no: String,
    /// `channel`.
    pub channel: Option<RefundChannel>,
    /// `user_received_account` (personal data).
    pub user_received_account: Option<Personal>,
    /// `success_time`, once `SUCCESS`.
    pub success_time: Option<String>,
    /// `create_time`.
    pub create_time: Option<String>,
    /// `status`.
    pub status: RefundStatus,
    /// `funds_account`.
    pub funds_account: Option<String>,
    /// `amount`.
    pub amount: RefundAmount,
}

impl core::fmt::Debug for Refund {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Refund")
            .field("refund_id", &self.refund_id)
            .field("out_refund_no", &self.out_refund_no)
            .field("transaction_id", &self.transaction_id)
            .field("out_trade_no", &self.out_trade_no)
            .field("channel", &self.channel)
            .field(
                "user_received_account",
                &self.user_received_account.as_ref().map(|_| "<redacted>"),
            )
            .field("success_time", &self.success_time)
            .field("create_time", &self.create_time)
            .field("status", &self.status)
            .field("funds_account", &self.funds_account)
            .field("amount", &self.amount)
            .finish()
    }
}

#[derive(Deserialize)]
struct Raw {
    refund_id: String,
    out_refund_no: String,
    transaction_id: String,
    out_trade_no: String,
    channel: Option<String>,
    user_received_account: Option<String>,
    success_time: Option<String>,
    create_time: Option<String>,
    status: String,
    funds_account: Option<String>,
    amount: RefundAmount,
}

impl Refund {
    /// Read a refund from its JSON (a verified reply body).
    ///
    /// # Errors
    /// [`ApiError::Json`] when the JSON is not a refund.
    pub fn from_json(json: &[u8]) -> Result<Self, ApiError> {
        Self::from_raw(ApiError::parse_json(json)?)
    }

    pub(crate) fn from_value(value: serde_json::Value) -> Result<Self, ApiError> {
        Self::from_raw(serde_json::from_value(value).map_err(|e| ApiError::json(&e))?)
    }

    fn from_raw(r: Raw) -> Result<Self, ApiError> {
        Ok(Self {
            refund_id: r.refund_id,
            out_refund_no: r.out_refund_no,
            transaction_id: r.transaction_id,
            out_trade_no: r.out_trade_no,
            channel: r.channel.map(|c| RefundChannel::from_wire(&c)),
            user_received_account: r.user_received_account.map(Personal::new),
            success_time: r.success_time.filter(|s| !s.is_empty()),
            create_time: r.create_time,
            status: RefundStatus::from_wire(&r.status),
            funds_account: r.funds_account,
            amount: r.amount,
        })
    }
}
