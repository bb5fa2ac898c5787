//! [`Transaction`]: an order as WeChat Pay reports it — the query reply and the plaintext of a
//! `TRANSACTION.SUCCESS` notification, direct or partner.

use crate::api::ApiError;
use crate::secret::Personal;
use serde::Deserialize;

crate::wire::open_enum!(
    /// `trade_state` (交易状态).
    pub enum TradeState {
        /// 支付成功.
        Success = "SUCCESS",
        /// 转入退款.
        Refund = "REFUND",
        /// 未支付.
        NotPay = "NOTPAY",
        /// 已关闭.
        Closed = "CLOSED",
        /// 已撤销 (付款码支付).
        Revoked = "REVOKED",
        /// 用户支付中 (付款码支付).
        UserPaying = "USERPAYING",
        /// 支付失败.
        PayError = "PAYERROR",
    }
);

crate::wire::open_enum!(
    /// `trade_type` (交易类型) as a paid order reports it.
    pub enum TradeType {
        /// 公众号 / 小程序支付.
        Jsapi = "JSAPI",
        /// Native 扫码支付.
        Native = "NATIVE",
        /// App 支付.
        App = "APP",
        /// 付款码支付.
        Micropay = "MICROPAY",
        /// H5 支付.
        Mweb = "MWEB",
        /// 刷脸支付.
        Facepay = "FACEPAY",
    }
);

/// Who was paid: the merchant (direct) or a sub-merchant through its service provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payee {
    /// Direct mode.
    Direct {
        /// `appid` (absent in refund notifications).
        appid: Option<String>,
        /// `mchid`.
        mchid: String,
    },
    /// Partner (service-provider) mode.
    Partner {
        /// `sp_appid` (absent in refund notifications).
        sp_appid: Option<String>,
        /// `sp_mchid`.
        sp_mchid: String,
        /// `sub_appid`, when the order named one.
        sub_appid: Option<String>,
        /// `sub_mchid`.
        sub_mchid: String,
    },
}

impl Payee {
    /// The merchant id the reply names: `mchid`, or `sub_mchid` in partner mode.
    #[must_use]
    pub fn mchid(&self) -> &str {
        match self {
            Self::Direct { mchid, .. } => mchid,
            Self::Partner { sub_mchid, .. } => sub_mchid,
        }
    }
}

/// The payer. Its ids are personal data: shown as `<redacted>` by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Payer {
    /// `openid` (direct) or `sp_openid` (partner).
    pub openid: Option<Personal>,
    /// `sub_openid` (partner, under `sub_appid`).
    pub sub_openid: Option<Personal>,
}

impl core::fmt::Debug for Payer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let shown = |p: &Option<Personal>| p.as_ref().map(|_| "<redacted>");
        f.debug_struct("Payer")
            .field("openid", &shown(&self.openid))
            .field("sub_openid", &shown(&self.sub_openid))
            .finish()
    }
}

/// `amount`: what the order is for and what the payer paid, in fen.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TransactionAmount {
    /// `total` (订单总金额).
    pub total: u64,
    /// `payer_total` (用户支付金额), after payment.
    pub payer_total: Option<u64>,
    /// `currency` (`CNY`).
    pub currency: Option<String>,
    /// `payer_currency`.
    pub payer_currency: Option<String>,
}

/// An order as WeChat Pay reports it (查询订单 reply, `TRANSACTION.SUCCESS` plaintext).
///
/// ```
/// use wechatpay_sansio::api::pay::{Transaction, TradeState, Payee};
/// let t = Transaction::from_json(r#"{"appid":"wxd678efh567hg6787","mchid":"1230000109",
///   "out_trade_no":"1217752501201407033233368018","trade_state":"NOTPAY",
///   "trade_state_desc":"订单未支付","amount":{"total":100,"currency":"CNY"}}"#.as_bytes())?;
/// assert_eq!(t.trade_state, TradeState::NotPay);
/// assert!(matches!(t.payee, Payee::Direct { .. }) && t.transaction_id.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// Who was paid.
    pub payee: Payee,
    /// `out_trade_no`.
    pub out_trade_no: String,
    /// `transaction_id` (absent before payment; always present when `SUCCESS`).
    pub transaction_id: Option<String>,
    /// `trade_type` (absent before payment).
    pub trade_type: Option<TradeType>,
    /// `trade_state`.
    pub trade_state: TradeState,
    /// `trade_state_desc`.
    pub trade_state_desc: Option<String>,
    /// `bank_type` (付款银行).
    pub bank_type: Option<String>,
    /// `attach`, the merchant's opaque data, echoed.
    pub attach: Option<String>,
    /// `success_time` (RFC 3339), after payment (always present when `SUCCESS`).
    pub success_time: Option<String>,
    /// `payer`, after payment.
    pub payer: Option<Payer>,
    /// `amount` (always present when `SUCCESS`).
    pub amount: Option<TransactionAmount>,
}

#[derive(Deserialize)]
struct Raw {
    appid: Option<String>,
    mchid: Option<String>,
    sp_appid: Option<String>,
    sp_mchid: Option<String>,
    sub_appid: Option<String>,
    sub_mchid: Option<String>,
    out_trade_no: String,
    transaction_id: Option<String>,
    trade_type: Option<String>,
    trade_state: String,
    trade_state_desc: Option<String>,
    bank_type: Option<String>,
    attach: Option<String>,
    success_time: Option<String>,
    payer: Option<RawPayer>,
    amount: Option<TransactionAmount>,
}

#[derive(Deserialize)]
struct RawPayer {
    openid: Option<String>,
    sp_openid: Option<String>,
    sub_openid: Option<String>,
}

pub(crate) fn payee(
    appid: Option<String>,
    mchid: Option<String>,
    sp_appid: Option<String>,
    sp_mchid: Option<String>,
    sub_appid: Option<String>,
    sub_mchid: Option<String>,
    need_appid: bool,
) -> Result<Payee, ApiError> {
    let present = |v: Option<String>, name| v.filter(|s| !s.is_empty()).ok_or(name);
    let missing = |name: &str| ApiError::MissingField(name.to_owned());
    match (sp_mchid, mchid) {
        (Some(sp_mchid), _) => Ok(Payee::Partner {
            sp_appid,
            sp_mchid,
            sub_appid,
            sub_mchid: present(sub_mchid, "sub_mchid").map_err(missing)?,
        }),
        (None, Some(mchid)) => Ok(Payee::Direct {
            appid: if need_appid {
                Some(present(appid, "appid").map_err(missing)?)
            } else {
                appid.filter(|s| !s.is_empty())
            },
            mchid,
        }),
        (None, None) => Err(missing("mchid")),
    }
}

impl Transaction {
    /// Read a transaction from its JSON (a verified reply body or a decrypted notification).
    ///
    /// # Errors
    /// [`ApiError::Json`] when the JSON is not a transaction; [`ApiError::MissingField`] when
    /// it names no merchant, or says `SUCCESS` without `transaction_id`, `success_time` and
    /// `amount`.
    pub fn from_json(json: &[u8]) -> Result<Self, ApiError> {
        Self::from_raw(ApiError::parse_json(json)?)
    }

    pub(crate) fn from_value(value: serde_json::Value) -> Result<Self, ApiError> {
        Self::from_raw(serde_json::from_value(value).map_err(|e| ApiError::json(&e))?)
    }

    fn from_raw(r: Raw) -> Result<Self, ApiError> {
        let partner = r.sp_mchid.is_some();
        let trade_state = TradeState::from_wire(&r.trade_state);
        if trade_state == TradeState::Success {
            // A paid order comes with what proves the payment (the query reply's "当支付成功时
            // 返回", required in TRANSACTION.SUCCESS): without them a caller reading
            // `is_paid()` would deliver with no amount to compare.
            let empty = |v: &Option<String>| v.as_deref().is_none_or(str::is_empty);
            for (name, absent) in [
                ("transaction_id", empty(&r.transaction_id)),
                ("success_time", empty(&r.success_time)),
                ("amount", r.amount.is_none()),
            ] {
                if absent {
                    return Err(ApiError::MissingField(name.to_owned()));
                }
            }
        }
        Ok(Self {
            payee: payee(
                r.appid,
                r.mchid,
                r.sp_appid,
                r.sp_mchid,
                r.sub_appid,
                r.sub_mchid,
                true,
            )?,
            out_trade_no: r.out_trade_no,
            transaction_id: r.transaction_id.filter(|s| !s.is_empty()),
            trade_type: r
                .trade_type
                .filter(|s| !s.is_empty())
                .map(|s| TradeType::from_wire(&s)),
            trade_state,
            trade_state_desc: r.trade_state_desc,
            bank_type: r.bank_type.filter(|s| !s.is_empty()),
            attach: r.attach.filter(|s| !s.is_empty()),
            success_time: r.success_time.filter(|s| !s.is_empty()),
            payer: r.payer.map(|p| Payer {
                openid: if partner { p.sp_openid } else { p.openid }
                    .filter(|s| !s.is_empty())
                    .map(Personal::new),
                sub_openid: p.sub_openid.filter(|s| !s.is_empty()).map(Personal::new),
            }),
            amount: r.amount,
        })
    }

    /// Whether the order is paid (`trade_state` is `SUCCESS`).
    #[must_use]
    pub fn is_paid(&self) -> bool {
        self.trade_state == TradeState::Success
    }
}
