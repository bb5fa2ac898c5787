//! 查询退款 — `POST https://api.mch.weixin.qq.com/pay/refundquery` (official page:
//! <https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_5>): the refunds of an order, by
//! `transaction_id`, `out_trade_no`, `out_refund_no` or `refund_id`.
//!
//! The reply lists `refund_count` refunds as indexed fields (`out_refund_no_0`, `refund_id_0`,
//! `refund_fee_0`, `refund_status_0`, … `_1` …); they are read into a `Vec` of
//! [`V2RefundRecord`]. A reply whose `refund_count` does not match the records it carries
//! (a missing index, an extra one, a count above [`MAX_REFUND_RECORDS`]) is refused with
//! [`ApiError::RecordCount`]. The reply is signed with the request's sign type and must carry
//! `appid`, `mch_id`, `out_trade_no`, `transaction_id` (equal to the request's when it named
//! one) and the sub-merchant; a query by `out_refund_no` or `refund_id` must find that refund
//! among the records. `refund_recv_accout_$n` (sic: the wire spelling) is personal and redacted
//! in `Debug`.
//!
//! ```
//! use wechatpay_sansio::api::{Operation, pay_v2::refundquery::{V2RefundQueryRequest, V2RefundRef}};
//! use wechatpay_sansio::{request::ResponseRef, simulator::Simulator, time::UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();                                    // TEST ONLY keys
//! let query = V2RefundQueryRequest::new("wx2421b1c4370ec43b", V2RefundRef::OutRefundNo("R1".into()));
//! let http = query.build(&merchant, &mut rng, now)?;
//! let reply = sim.handle(&http.into_http(), now, &mut rng, &Default::default());
//! let e = query.parse_reply(&merchant, ResponseRef::from_http(&reply), now).unwrap_err();
//! assert!(e.to_string().contains("REFUNDNOTEXIST"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::{
    V2SubMerchant, build_post, decode_signed, fen, optional, parties, party_echoes,
    validate_parties,
};
use crate::api::{ApiError, Echo, Endpoint, HttpMethod, Operation, Protocol};
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::secret::Personal;
use crate::time::UnixTime;
use crate::v2::fold::Reader;
use crate::v2::{Fields, SignType};
use crate::validate::{self, FieldError};
use rand_core::TryCryptoRng;

/// Path of the endpoint.
pub const PATH: &str = "/pay/refundquery";

/// The fields every success reply carries (required by [`crate::api::read_reply`]).
pub const IDENTIFYING_FIELDS: [&str; 4] = ["appid", "mch_id", "out_trade_no", "transaction_id"];

/// The most refunds one reply may list: an order takes at most 50 refunds (the official
/// page). A larger `refund_count` is refused, never used to size anything.
pub const MAX_REFUND_RECORDS: usize = 50;

/// This API's description.
pub const ENDPOINT: Endpoint<'static> = Endpoint::new(
    "refundquery",
    super::HOST,
    PATH,
    HttpMethod::Post,
    Protocol::V2Xml {
        signed_reply: true,
        client_certificate: false,
    },
);

pub use crate::v2::refund_notify::V2RefundStatus;

/// What a refund query names: one of the order's ids or one refund's (WeChat Pay's priority
/// when several are known: `refund_id` > `out_refund_no` > `transaction_id` > `out_trade_no`;
/// send one).
///
/// ```
/// use wechatpay_sansio::api::pay_v2::refundquery::V2RefundRef;
/// let by = V2RefundRef::RefundId("2008450740201411110000174436".into());
/// assert_eq!((by.field(), by.value()), ("refund_id", "2008450740201411110000174436"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum V2RefundRef {
    /// `transaction_id`, 微信订单号.
    TransactionId(String),
    /// `out_trade_no`, 商户订单号.
    OutTradeNo(String),
    /// `out_refund_no`, 商户退款单号.
    OutRefundNo(String),
    /// `refund_id`, 微信退款单号.
    RefundId(String),
}

impl V2RefundRef {
    /// The field name sent.
    #[must_use]
    pub const fn field(&self) -> &'static str {
        match self {
            Self::TransactionId(_) => "transaction_id",
            Self::OutTradeNo(_) => "out_trade_no",
            Self::OutRefundNo(_) => "out_refund_no",
            Self::RefundId(_) => "refund_id",
        }
    }

    /// The value sent.
    #[must_use]
    pub fn value(&self) -> &str {
        match self {
            Self::TransactionId(v)
            | Self::OutTradeNo(v)
            | Self::OutRefundNo(v)
            | Self::RefundId(v) => v,
        }
    }

    fn validate(&self) -> Result<(), FieldError> {
        match self {
            Self::TransactionId(v) => validate::token("transaction_id", v, 32),
            Self::OutTradeNo(v) => validate::out_trade_no("out_trade_no", v),
            Self::OutRefundNo(v) => validate::out_refund_no("out_refund_no", v),
            Self::RefundId(v) => validate::token("refund_id", v, 32),
        }
    }
}

/// How a `refundquery` reply is read without its request.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct V2RefundQueryReplyOptions {
    /// The sign type of the request; `None`: the reply's `sign_type`, else the length rule.
    pub sign_type: Option<SignType>,
    /// The refund the query named (`out_refund_no` or `refund_id`): the reply must list it.
    /// `None` (or an order id): not checked.
    pub queried: Option<V2RefundRef>,
}

impl V2RefundQueryReplyOptions {
    /// Options for a reply to a request signed with `sign_type` that named `queried`.
    ///
    /// ```
    /// use wechatpay_sansio::api::pay_v2::refundquery::{V2RefundQueryReplyOptions, V2RefundRef};
    /// let o = V2RefundQueryReplyOptions::new(None, Some(V2RefundRef::RefundId("5".into())));
    /// assert_eq!(o.queried.map(|q| q.field()), Some("refund_id"));
    /// ```
    #[must_use]
    pub fn new(sign_type: Option<SignType>, queried: Option<V2RefundRef>) -> Self {
        Self { sign_type, queried }
    }
}

/// A `refundquery` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2RefundQueryRequest {
    /// 公众账号ID / 应用ID the order was placed under.
    pub appid: String,
    /// The sub-merchant, in service-provider mode.
    pub sub_merchant: Option<V2SubMerchant>,
    /// What the query names.
    pub by: V2RefundRef,
    /// 偏移量: list the refunds from this one on (for orders with more than 10 refunds).
    pub offset: Option<u32>,
    /// HMAC-SHA256 (default) or MD5.
    pub sign_type: SignType,
}

impl V2RefundQueryRequest {
    /// A request with HMAC-SHA256.
    #[must_use]
    pub fn new(appid: impl Into<String>, by: V2RefundRef) -> Self {
        Self {
            appid: appid.into(),
            sub_merchant: None,
            by,
            offset: None,
            sign_type: SignType::HmacSha256,
        }
    }

    /// Check every field (runs before any signing).
    ///
    /// ```
    /// # use wechatpay_sansio::api::pay_v2::refundquery::*;
    /// use wechatpay_sansio::error::FieldError;
    /// let req = V2RefundQueryRequest::new("wx2421b1c4370ec43b", V2RefundRef::OutRefundNo("R#1".into()));
    /// assert_eq!(req.validate().unwrap_err().field(), "out_refund_no");
    /// ```
    ///
    /// # Errors
    /// [`FieldError`] naming the first invalid field.
    pub fn validate(&self) -> Result<(), FieldError> {
        validate_parties(&self.appid, self.sub_merchant.as_ref())?;
        self.by.validate()
    }
}

impl Operation for V2RefundQueryRequest {
    type Outcome = V2RefundQueryOutcome;
    type ReplyOptions = V2RefundQueryReplyOptions;
    const IDENTIFYING: &'static [&'static str] = &IDENTIFYING_FIELDS;
    const ENDPOINT: Endpoint<'static> = ENDPOINT;

    /// Validate, then build the signed XML POST (`rng` draws `nonce_str` only).
    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        endpoint: &Endpoint<'_>,
        merchant: &Merchant,
        rng: &mut R,
        _now: UnixTime,
    ) -> Result<Request, ApiError> {
        self.validate()?;
        let offset = self.offset.map(|o| o.to_string()).unwrap_or_default();
        build_post(
            endpoint,
            merchant,
            rng,
            self.sign_type,
            &self.appid,
            self.sub_merchant.as_ref(),
            &[(self.by.field(), self.by.value()), ("offset", &offset)],
        )
    }

    /// `appid`, `mch_id`, the sub-merchant, and `transaction_id` / `out_trade_no` when the
    /// query named one (a refund id is looked for among the records: see
    /// [`V2RefundQueryReplyOptions::queried`]).
    fn echoes<'a>(&'a self, merchant: &'a Merchant) -> Vec<Echo<'a>> {
        let mut v = party_echoes(&self.appid, merchant, self.sub_merchant.as_ref());
        if let V2RefundRef::TransactionId(x) | V2RefundRef::OutTradeNo(x) = &self.by {
            v.push(Echo::equal(self.by.field(), x));
        }
        v
    }

    /// The sign type, and the refund the query named.
    fn reply_options(&self) -> V2RefundQueryReplyOptions {
        V2RefundQueryReplyOptions::new(Some(self.sign_type), Some(self.by.clone()))
    }

    /// Status, XML, `return_code`, the signature before anything else is read, the exact fold
    /// rule, `result_code`, the echoes, then `refund_count` against the records present, the
    /// records, and the refund the query named.
    fn decode(
        merchant: &Merchant,
        response: ResponseRef<'_>,
        _now: UnixTime,
        options: &V2RefundQueryReplyOptions,
        echoes: &[Echo<'_>],
    ) -> Result<V2RefundQueryOutcome, ApiError> {
        let out = decode_signed(merchant, &response, options.sign_type, echoes, |r, _| {
            read_outcome(r)
        })?;
        match &options.queried {
            Some(V2RefundRef::OutRefundNo(x))
                if !out.refunds.iter().any(|f| f.out_refund_no == *x) =>
            {
                Err(ApiError::Mismatch("out_refund_no".into()))
            }
            Some(V2RefundRef::RefundId(x)) if !out.refunds.iter().any(|f| f.refund_id == *x) => {
                Err(ApiError::Mismatch("refund_id".into()))
            }
            _ => Ok(out),
        }
    }
}

/// Check a reply without the request at hand: everything [`Operation::parse_reply`] checks but
/// the comparison with the request ([`IDENTIFYING_FIELDS`] only required present).
///
/// # Errors
/// As [`Operation::parse_reply`], without [`ApiError::Mismatch`].
pub fn read_reply(
    merchant: &Merchant,
    response: ResponseRef<'_>,
    now: UnixTime,
) -> Result<V2RefundQueryOutcome, ApiError> {
    crate::api::read_reply::<V2RefundQueryRequest>(merchant, response, now)
}

/// The names of one record's fields (`…_$n`), as `&'static str` for the recording reader.
struct RecordNames {
    out_refund_no: &'static str,
    refund_id: &'static str,
    refund_channel: &'static str,
    refund_fee: &'static str,
    settlement_refund_fee: &'static str,
    refund_status: &'static str,
    refund_account: &'static str,
    refund_recv_accout: &'static str,
    refund_success_time: &'static str,
}

macro_rules! record_names {
    ($($n:literal)*) => {
        [$(RecordNames {
            out_refund_no: concat!("out_refund_no_", $n),
            refund_id: concat!("refund_id_", $n),
            refund_channel: concat!("refund_channel_", $n),
            refund_fee: concat!("refund_fee_", $n),
            settlement_refund_fee: concat!("settlement_refund_fee_", $n),
            refund_status: concat!("refund_status_", $n),
            refund_account: concat!("refund_account_", $n),
            refund_recv_accout: concat!("refund_recv_accout_", $n),
            refund_success_time: concat!("refund_success_time_", $n),
        }),*]
    };
}

const RECORD_NAMES: [RecordNames; MAX_REFUND_RECORDS] = record_names!(
    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24
    25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49
);

/// The prefixes of the per-refund fields (`prefix_$n`) whose indices must be `0..refund_count`.
const RECORD_PREFIXES: &[&str] = &[
    "out_refund_no",
    "refund_id",
    "refund_channel",
    "refund_fee",
    "settlement_refund_fee",
    "refund_status",
    "refund_account",
    "refund_recv_accout",
    "refund_success_time",
    "coupon_refund_fee",
    "coupon_refund_count",
];

/// The record indices the reply carries (`prefix_$n` for a per-refund prefix), as written.
fn record_indices<'f>(fields: &'f Fields<'_>) -> std::collections::BTreeSet<&'f str> {
    fields
        .iter()
        .filter_map(|(name, _)| {
            let (prefix, n) = name.rsplit_once('_')?;
            (RECORD_PREFIXES.contains(&prefix)
                && !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit()))
            .then_some(n)
        })
        .collect()
}

/// `refund_count` against the records present: every index written canonically, `0..count`,
/// each present; the count at most [`MAX_REFUND_RECORDS`].
fn checked_count(r: &Reader<'_, '_>, count: Option<&str>) -> Result<usize, ApiError> {
    let count = count.ok_or_else(|| ApiError::MissingField("refund_count".into()))?;
    let declared: u64 = match fen(Some(count), "refund_count")? {
        Some(n) => n,
        None => return Err(ApiError::MissingField("refund_count".into())),
    };
    let indices = record_indices(r.fields());
    let mismatch = || ApiError::RecordCount {
        field: "refund_count",
        declared,
        present: indices.len(),
    };
    let n = usize::try_from(declared)
        .ok()
        .filter(|n| *n <= MAX_REFUND_RECORDS)
        .ok_or_else(mismatch)?;
    let canonical_below =
        |i: &&str| (*i == "0" || !i.starts_with('0')) && i.parse::<usize>().is_ok_and(|i| i < n);
    if indices.len() != n || !indices.iter().all(canonical_below) {
        return Err(mismatch());
    }
    Ok(n)
}

/// Read the outcome; every field is read (and so recorded for the fold rule) before one may
/// fail, the records once their count is known.
fn read_outcome(r: &Reader<'_, '_>) -> Result<V2RefundQueryOutcome, ApiError> {
    let p = parties(r);
    let (transaction_id, out_trade_no) = (r.strict("transaction_id"), r.strict("out_trade_no"));
    let (total_fee, cash_fee) = (r.strict("total_fee"), r.strict("cash_fee"));
    let settlement_total_fee = r.strict("settlement_total_fee");
    let total_refund_count = r.strict("total_refund_count");
    let fee_type = optional(r, "fee_type");
    let count = r.strict("refund_count");
    let n = checked_count(r, count)?;
    let raw: Vec<_> = RECORD_NAMES
        .iter()
        .take(n)
        .map(|names| {
            (
                names,
                [
                    r.strict(names.out_refund_no),
                    r.strict(names.refund_id),
                    r.strict(names.refund_fee),
                    r.strict(names.refund_status),
                ],
                r.strict(names.settlement_refund_fee),
                r.strict(names.refund_channel),
                r.strict(names.refund_account),
                r.strict(names.refund_success_time),
                r.text(names.refund_recv_accout),
            )
        })
        .collect();
    let mut refunds = Vec::with_capacity(n);
    for (names, required, settlement, channel, account, time, recv) in raw {
        let req_names = [
            names.out_refund_no,
            names.refund_id,
            names.refund_fee,
            names.refund_status,
        ];
        let mut got = [""; 4];
        for ((name, value), slot) in req_names.iter().zip(required).zip(&mut got) {
            *slot = value.ok_or_else(|| ApiError::MissingField((*name).to_owned()))?;
        }
        let [out_refund_no, refund_id, refund_fee, refund_status] = got;
        refunds.push(V2RefundRecord {
            out_refund_no: out_refund_no.to_owned(),
            refund_id: refund_id.to_owned(),
            refund_fee: fen(Some(refund_fee), "refund_fee_$n")?.unwrap_or_default(),
            settlement_refund_fee: fen(settlement, "settlement_refund_fee_$n")?,
            refund_status: V2RefundStatus::from_wire(refund_status),
            refund_channel: channel.map(str::to_owned),
            refund_account: account.map(str::to_owned),
            refund_success_time: time.map(str::to_owned),
            refund_recv_accout: recv.map(Personal::new),
        });
    }
    let amount = |v, name: &'static str| {
        fen(v, name)?.ok_or_else(|| ApiError::MissingField(name.to_owned()))
    };
    Ok(V2RefundQueryOutcome {
        appid: p.appid,
        mch_id: p.mch_id,
        sub_appid: p.sub_appid,
        sub_mch_id: p.sub_mch_id,
        transaction_id: transaction_id.unwrap_or_default().to_owned(),
        out_trade_no: out_trade_no.unwrap_or_default().to_owned(),
        total_fee: amount(total_fee, "total_fee")?,
        cash_fee: amount(cash_fee, "cash_fee")?,
        settlement_total_fee: fen(settlement_total_fee, "settlement_total_fee")?,
        fee_type,
        total_refund_count: fen(total_refund_count, "total_refund_count")?,
        refunds,
    })
}

/// One refund of a `refundquery` reply (the fields `…_$n`). `Debug` redacts
/// `refund_recv_accout` (it names the payer's bank card or balance).
///
/// ```
/// use wechatpay_sansio::api::pay_v2::refundquery::{V2RefundRecord, V2RefundStatus};
/// let r = V2RefundRecord { out_refund_no: "R1".into(), refund_id: "5000".into(), refund_fee: 30,
///     settlement_refund_fee: None, refund_status: V2RefundStatus::Success, refund_channel: None,
///     refund_account: None, refund_success_time: Some("2016-07-25 15:26:26".into()),
///     refund_recv_accout: Some("招商银行信用卡0403".into()) };
/// assert!(!format!("{r:?}").contains("0403"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2RefundRecord {
    /// 商户退款单号 (`out_refund_no_$n`).
    pub out_refund_no: String,
    /// 微信退款单号 (`refund_id_$n`).
    pub refund_id: String,
    /// 申请退款金额 in fen (`refund_fee_$n`).
    pub refund_fee: u64,
    /// 退款金额 in fen, vouchers that are not cash deducted (`settlement_refund_fee_$n`).
    pub settlement_refund_fee: Option<u64>,
    /// 退款状态 (`refund_status_$n`).
    pub refund_status: V2RefundStatus,
    /// 退款渠道 (`refund_channel_$n`: `ORIGINAL`, `BALANCE`, …).
    pub refund_channel: Option<String>,
    /// 退款资金来源 (`refund_account_$n`).
    pub refund_account: Option<String>,
    /// 退款成功时间 (`refund_success_time_$n`, `yyyy-MM-dd HH:mm:ss`).
    pub refund_success_time: Option<String>,
    /// 退款入账账户 (`refund_recv_accout_$n`, sic): personal, redacted in `Debug`.
    pub refund_recv_accout: Option<Personal>,
}

/// The answer of `refundquery`: the order and its refunds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2RefundQueryOutcome {
    /// `appid`, as echoed.
    pub appid: String,
    /// `mch_id`, as echoed.
    pub mch_id: String,
    /// `sub_appid`, when present.
    pub sub_appid: Option<String>,
    /// `sub_mch_id`, when present.
    pub sub_mch_id: Option<String>,
    /// 微信订单号.
    pub transaction_id: String,
    /// 商户订单号.
    pub out_trade_no: String,
    /// 订单金额 in fen.
    pub total_fee: u64,
    /// 现金支付金额 in fen.
    pub cash_fee: u64,
    /// 应结订单金额 in fen.
    pub settlement_total_fee: Option<u64>,
    /// 标价币种.
    pub fee_type: Option<String>,
    /// 订单总退款次数 (returned when the query sent `offset`).
    pub total_refund_count: Option<u64>,
    /// The refunds listed (`refund_count` of them, checked against the records present).
    pub refunds: Vec<V2RefundRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_names_are_the_indices() {
        for (i, names) in RECORD_NAMES.iter().enumerate() {
            assert_eq!(names.refund_fee, format!("refund_fee_{i}"));
            assert_eq!(names.refund_recv_accout, format!("refund_recv_accout_{i}"));
            assert_eq!(names.out_refund_no, format!("out_refund_no_{i}"));
        }
        let mut f = Fields::new();
        for (k, v) in [
            ("refund_fee_0", "1"),
            ("refund_fee", "1"),
            ("coupon_refund_fee_0_1", "1"),
            ("refund_count", "1"),
            ("out_refund_no_12", "x"),
            ("refund_id_x", "x"),
        ] {
            f.insert(k, v).unwrap();
        }
        let got: Vec<&str> = record_indices(&f).into_iter().collect();
        assert_eq!(got, ["0", "12"]);
    }
}
