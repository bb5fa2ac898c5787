//! Lazy bill rows: [`TradeBillReader`] and [`FundFlowBillReader`] read a bill's text from any
//! [`BufRead`] one line at a time (one reused line buffer, at most 1 MiB), yielding typed rows
//! and then the summary, without loading the file.
//!
//! The layout (official download document, 文件格式说明): a header line of column names; data
//! lines whose every value is prefixed with a back-tick (`` ` ``, so that spreadsheets keep ids
//! as text), in the header's order; a summary header (总交易单数,… / 资金流水总笔数,…); one
//! summary line, back-ticked too. Columns are read **by header name**: the `ALL`, `SUCCESS` and
//! `REFUND` trade bills order and choose their columns differently, older bills name some
//! otherwise (子商户号 for 特约商户号), and columns this crate does not know are kept in
//! `extra`. A UTF-8 BOM, CRLF line ends and blank lines are tolerated.

use super::BillError;
use crate::secret::Personal;
use std::io::BufRead;
use std::marker::PhantomData;

/// The longest line read.
const MAX_LINE: usize = 1024 * 1024;

/// A yuan amount (`"0.01"`, `"12"`, `"3.50"`; any digits past the second decimal zeros) as fen.
/// `None` for anything else (a sign, an exponent, a third significant decimal, an overflow).
///
/// ```
/// use wechatpay_sansio::api::bill::yuan_to_fen;
/// assert_eq!(yuan_to_fen("1299.02"), Some(129_902));
/// assert_eq!(yuan_to_fen("0.0"), Some(0));
/// assert_eq!(yuan_to_fen("0.00000"), Some(0));
/// assert_eq!(yuan_to_fen("0.001"), None);
/// assert_eq!(yuan_to_fen("-1"), None);
/// ```
#[must_use]
pub fn yuan_to_fen(yuan: &str) -> Option<u64> {
    let (int, frac) = yuan.split_once('.').unwrap_or((yuan, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) || (yuan.contains('.') && frac.is_empty()) {
        return None;
    }
    let (cents, rest) = frac.split_at(frac.len().min(2));
    if rest.bytes().any(|b| b != b'0') {
        return None;
    }
    let int: u64 = int.parse().ok()?;
    let cents = cents
        .bytes()
        .fold(0u64, |a, b| a * 10 + u64::from(b - b'0'))
        * if cents.len() == 1 { 10 } else { 1 };
    int.checked_mul(100)?.checked_add(cents)
}

/// A count (`"3"`, or `"20.0"` as older bills write them).
fn count(value: &str) -> Option<u64> {
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    if frac.bytes().any(|b| b != b'0') {
        return None;
    }
    int.parse().ok()
}

/// A row type of a bill (the trade bill's and the fund-flow bill's): how its columns are read.
pub trait BillRecord: Sized {
    /// The first column of its header (to tell the bills apart).
    const FIRST_COLUMN: &'static str;

    /// The row from `(column name, value)` pairs, or the reason it cannot be read.
    ///
    /// # Errors
    /// A description of the malformed value.
    fn from_cells(cells: &mut dyn Iterator<Item = (&str, &str)>) -> Result<Self, &'static str>;
}

/// A trade-bill row (交易账单明细). Amounts are fen (`None`: the column is not in this bill's
/// type); the fee (5 decimals) and rate stay text. The payer's `openid` is personal data.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TradeBillRow {
    /// 交易时间 (`yyyy-MM-dd HH:mm:ss`, Beijing).
    pub trade_time: String,
    /// 公众账号ID.
    pub appid: String,
    /// 商户号.
    pub mchid: String,
    /// 特约商户号 (子商户号 in older bills; `0` for a direct merchant).
    pub sub_mchid: String,
    /// 设备号.
    pub device_info: String,
    /// 微信订单号.
    pub transaction_id: String,
    /// 商户订单号.
    pub out_trade_no: String,
    /// 用户标识 (openid).
    pub openid: Option<Personal>,
    /// 交易类型 (`JSAPI`, `NATIVE`, …).
    pub trade_type: String,
    /// 交易状态 (`SUCCESS`, `REFUND`, `REVOKED`).
    pub trade_state: String,
    /// 付款银行.
    pub bank_type: String,
    /// 货币种类.
    pub currency: String,
    /// 应结订单金额 (总金额 in older bills), fen.
    pub settlement_total_fen: Option<u64>,
    /// 代金券金额 (代金券或立减优惠金额 / 企业红包金额 in older bills), fen.
    pub coupon_fen: Option<u64>,
    /// 微信退款单号.
    pub refund_id: String,
    /// 商户退款单号.
    pub out_refund_no: String,
    /// 退款金额, fen.
    pub refund_fen: Option<u64>,
    /// 充值券退款金额 (代金券或立减优惠退款金额 / 企业红包退款金额), fen.
    pub coupon_refund_fen: Option<u64>,
    /// 退款类型.
    pub refund_type: String,
    /// 退款状态 (`SUCCESS`, `PROCESSING`, `FAIL`, `CHANGE`).
    pub refund_status: String,
    /// 商品名称.
    pub description: String,
    /// 商户数据包.
    pub attach: String,
    /// 手续费 (yuan, up to 5 decimals).
    pub fee: String,
    /// 费率 (`0.60%`).
    pub rate: String,
    /// 订单金额, fen.
    pub total_fen: Option<u64>,
    /// 申请退款金额, fen.
    pub refund_request_fen: Option<u64>,
    /// 费率备注.
    pub rate_note: String,
    /// 退款申请时间 (`REFUND` bills).
    pub refund_request_time: String,
    /// 退款成功时间 (`REFUND` bills).
    pub refund_success_time: String,
    /// Columns this crate does not know: (header name, value).
    pub extra: Vec<(String, String)>,
}

fn fen(v: &str) -> Result<Option<u64>, &'static str> {
    if v.is_empty() {
        return Ok(None);
    }
    yuan_to_fen(v)
        .map(Some)
        .ok_or("an amount is not a yuan amount")
}

impl BillRecord for TradeBillRow {
    const FIRST_COLUMN: &'static str = "交易时间";

    fn from_cells(cells: &mut dyn Iterator<Item = (&str, &str)>) -> Result<Self, &'static str> {
        let mut r = Self::default();
        for (name, v) in cells {
            let s = || v.to_owned();
            match name {
                "交易时间" => r.trade_time = s(),
                "公众账号ID" | "公众账号 ID" => r.appid = s(),
                "商户号" => r.mchid = s(),
                "特约商户号" | "子商户号" => r.sub_mchid = s(),
                "设备号" => r.device_info = s(),
                "微信订单号" => r.transaction_id = s(),
                "商户订单号" => r.out_trade_no = s(),
                "用户标识" => r.openid = Some(Personal::new(v)),
                "交易类型" => r.trade_type = s(),
                "交易状态" => r.trade_state = s(),
                "付款银行" => r.bank_type = s(),
                "货币种类" => r.currency = s(),
                "应结订单金额" | "总金额" => r.settlement_total_fen = fen(v)?,
                "代金券金额" | "代金券或立减优惠金额" | "企业红包金额" => {
                    r.coupon_fen = fen(v)?
                }
                "微信退款单号" => r.refund_id = s(),
                "商户退款单号" => r.out_refund_no = s(),
                "退款金额" => r.refund_fen = fen(v)?,
                "充值券退款金额" | "代金券或立减优惠退款金额" | "企业红包退款金额" =>
                {
                    r.coupon_refund_fen = fen(v)?;
                }
                "退款类型" => r.refund_type = s(),
                "退款状态" => r.refund_status = s(),
                "商品名称" => r.description = s(),
                "商户数据包" => r.attach = s(),
                "手续费" => r.fee = s(),
                "费率" => r.rate = s(),
                "订单金额" => r.total_fen = fen(v)?,
                "申请退款金额" => r.refund_request_fen = fen(v)?,
                "费率备注" => r.rate_note = s(),
                "退款申请时间" => r.refund_request_time = s(),
                "退款成功时间" => r.refund_success_time = s(),
                other => r.extra.push((other.to_owned(), s())),
            }
        }
        Ok(r)
    }
}

/// A fund-flow bill row (资金账单明细). Amounts are fen; `direction` says which way
/// (收入 / 支出).
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FundFlowBillRow {
    /// 记账时间.
    pub accounting_time: String,
    /// 微信支付业务单号.
    pub business_no: String,
    /// 资金流水单号.
    pub flow_id: String,
    /// 业务名称.
    pub business_name: String,
    /// 业务类型.
    pub business_type: String,
    /// 收支类型 (收入 / 支出).
    pub direction: String,
    /// 收支金额（元）, fen.
    pub amount_fen: Option<u64>,
    /// 账户结余（元）, fen.
    pub balance_fen: Option<u64>,
    /// 资金变更提交申请人.
    pub applicant: String,
    /// 备注.
    pub remark: String,
    /// 业务凭证号.
    pub voucher_no: String,
    /// Columns this crate does not know: (header name, value).
    pub extra: Vec<(String, String)>,
}

impl BillRecord for FundFlowBillRow {
    const FIRST_COLUMN: &'static str = "记账时间";

    fn from_cells(cells: &mut dyn Iterator<Item = (&str, &str)>) -> Result<Self, &'static str> {
        let mut r = Self::default();
        for (name, v) in cells {
            let s = || v.to_owned();
            match name {
                "记账时间" => r.accounting_time = s(),
                "微信支付业务单号" => r.business_no = s(),
                "资金流水单号" => r.flow_id = s(),
                "业务名称" => r.business_name = s(),
                "业务类型" => r.business_type = s(),
                "收支类型" => r.direction = s(),
                "收支金额（元）" | "收支金额(元)" => r.amount_fen = fen(v)?,
                "账户结余（元）" | "账户结余(元)" => r.balance_fen = fen(v)?,
                "资金变更提交申请人" => r.applicant = s(),
                "备注" => r.remark = s(),
                "业务凭证号" => r.voucher_no = s(),
                other => r.extra.push((other.to_owned(), s())),
            }
        }
        Ok(r)
    }
}

/// A bill's summary (its last two lines), by column name: 总交易单数, 应结订单总金额, 退款总金额,
/// 充值券退款总金额, 手续费总金额, 订单总金额, 申请退款总金额 (trade bill); 资金流水总笔数,
/// 收入笔数, 收入金额, 支出笔数, 支出金额 (fund-flow bill).
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillSummary {
    /// (column name, value), in the bill's order.
    pub columns: Vec<(String, String)>,
}

impl BillSummary {
    /// The value of the column `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The column `name` as fen (`None`: absent or not a yuan amount).
    #[must_use]
    pub fn fen(&self, name: &str) -> Option<u64> {
        self.get(name).and_then(yuan_to_fen)
    }

    /// The number of records the bill declares (总交易单数 or 资金流水总笔数).
    #[must_use]
    pub fn count(&self) -> Option<u64> {
        self.get("总交易单数")
            .or_else(|| self.get("资金流水总笔数"))
            .and_then(count)
    }
}

/// What a bill reader yields: the rows, then the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BillEntry<T> {
    /// A data row.
    Row(T),
    /// The summary (the last entry).
    Summary(BillSummary),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Header,
    Rows,
    Summary,
    Done,
    Failed,
}

/// A lazy reader of a bill's rows (see the module documentation); an iterator of
/// [`BillEntry`]. It does not check the digest: read a bill that [`super::BillVerifier`]
/// accepted, or import its rows only after the verdict.
///
/// ```
/// use wechatpay_sansio::api::bill::{BillEntry, TradeBillReader};
/// let bill = "\u{feff}交易时间,商户订单号,订单金额,新的列\r\n`2026-01-01 10:00:00,`T1,`1.50,`x\r\n\
///             总交易单数,订单总金额\r\n`1,`1.50\r\n";
/// let entries: Vec<_> = TradeBillReader::new(bill.as_bytes()).collect::<Result<_, _>>()?;
/// let BillEntry::Row(row) = &entries[0] else { unreachable!() };
/// assert_eq!((row.out_trade_no.as_str(), row.total_fen), ("T1", Some(150)));
/// assert_eq!(row.extra, [("新的列".to_owned(), "x".to_owned())]);
/// let BillEntry::Summary(s) = &entries[1] else { unreachable!() };
/// assert_eq!((s.count(), s.fen("订单总金额")), (Some(1), Some(150)));
/// # Ok::<(), wechatpay_sansio::api::bill::BillError>(())
/// ```
pub struct BillReader<R, T> {
    input: R,
    line: Vec<u8>,
    line_no: u64,
    header: Vec<String>,
    state: State,
    _row: PhantomData<fn() -> T>,
}

/// The trade bill's reader.
pub type TradeBillReader<R> = BillReader<R, TradeBillRow>;
/// The fund-flow bill's reader (the sub-merchant bill's too, once decrypted).
pub type FundFlowBillReader<R> = BillReader<R, FundFlowBillRow>;

impl<R, T> core::fmt::Debug for BillReader<R, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BillReader")
            .field("line", &self.line_no)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl<R: BufRead, T: BillRecord> BillReader<R, T> {
    /// A reader of the bill in `input`.
    pub fn new(input: R) -> Self {
        Self {
            input,
            line: Vec::new(),
            line_no: 0,
            header: Vec::new(),
            state: State::Header,
            _row: PhantomData,
        }
    }

    fn format(&mut self, reason: &'static str) -> BillError {
        self.state = State::Failed;
        BillError::Format {
            line: self.line_no,
            reason,
        }
    }

    /// The next non-blank line into `self.line` (without its line end); `false` at the end.
    fn next_line(&mut self) -> Result<bool, BillError> {
        loop {
            self.line.clear();
            loop {
                let buf = match self.input.fill_buf() {
                    Ok(b) => b,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        self.state = State::Failed;
                        return Err(BillError::Read(e.kind()));
                    }
                };
                if buf.is_empty() {
                    break;
                }
                let (take, end) = match buf.iter().position(|&b| b == b'\n') {
                    Some(i) => (i + 1, true),
                    None => (buf.len(), false),
                };
                if self.line.len() + take > MAX_LINE + 2 {
                    self.line_no += 1;
                    return Err(self.format("a line is longer than 1 MiB"));
                }
                self.line.extend_from_slice(&buf[..take]);
                self.input.consume(take);
                if end {
                    break;
                }
            }
            if self.line.is_empty() {
                return Ok(false);
            }
            self.line_no += 1;
            if self.line.last() == Some(&b'\n') {
                self.line.pop();
            }
            if self.line.last() == Some(&b'\r') {
                self.line.pop();
            }
            if self.line_no == 1 && self.line.starts_with(b"\xef\xbb\xbf") {
                self.line.drain(..3);
            }
            if self.line.iter().any(|b| !b.is_ascii_whitespace()) {
                return Ok(true);
            }
        }
    }

    fn text(&mut self) -> Result<&str, BillError> {
        if core::str::from_utf8(&self.line).is_err() {
            return Err(self.format("the text is not UTF-8"));
        }
        core::str::from_utf8(&self.line).map_err(|_| BillError::Format {
            line: self.line_no,
            reason: "the text is not UTF-8",
        })
    }

    fn step(&mut self) -> Result<Option<BillEntry<T>>, BillError> {
        loop {
            match self.state {
                State::Done | State::Failed => return Ok(None),
                _ => {}
            }
            if !self.next_line()? {
                return match self.state {
                    State::Header => Err(self.format("the bill is empty")),
                    State::Rows | State::Summary => {
                        Err(self.format("the bill ends before its summary"))
                    }
                    State::Done | State::Failed => Ok(None),
                };
            }
            let state = self.state;
            let line = self.text()?.to_owned();
            match state {
                State::Header => {
                    self.header = line.split(',').map(|c| c.trim().to_owned()).collect();
                    if self.header.first().map(String::as_str) != Some(T::FIRST_COLUMN) {
                        return Err(self.format("the header is not this bill's"));
                    }
                    self.state = State::Rows;
                }
                State::Rows if line.starts_with('`') => {
                    let values = backticked(&line);
                    if values.len() != self.header.len() {
                        return Err(
                            self.format("a row has another number of values than the header")
                        );
                    }
                    let mut cells = self
                        .header
                        .iter()
                        .map(String::as_str)
                        .zip(values.iter().copied());
                    return match T::from_cells(&mut cells) {
                        Ok(row) => Ok(Some(BillEntry::Row(row))),
                        Err(reason) => Err(self.format(reason)),
                    };
                }
                State::Rows => {
                    self.header = line.split(',').map(|c| c.trim().to_owned()).collect();
                    self.state = State::Summary;
                }
                State::Summary => {
                    if !line.starts_with('`') {
                        return Err(self.format("the summary line is not back-ticked"));
                    }
                    let values = backticked(&line);
                    if values.len() != self.header.len() {
                        return Err(
                            self.format("the summary has another number of values than its header")
                        );
                    }
                    let columns = self
                        .header
                        .iter()
                        .cloned()
                        .zip(values.iter().map(|v| (*v).to_owned()))
                        .collect();
                    self.state = State::Done;
                    // Nothing may follow the summary.
                    if self.next_line()? {
                        return Err(self.format("text after the summary"));
                    }
                    return Ok(Some(BillEntry::Summary(BillSummary { columns })));
                }
                State::Done | State::Failed => return Ok(None),
            }
        }
    }
}

/// `` `a,`b,` `` → `["a", "b", ""]`: values start with a back-tick, so a comma inside a value
/// (a product name) does not split it unless a back-tick follows it.
fn backticked(line: &str) -> Vec<&str> {
    line.strip_prefix('`').unwrap_or(line).split(",`").collect()
}

impl<R: BufRead, T: BillRecord> Iterator for BillReader<R, T> {
    type Item = Result<BillEntry<T>, BillError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.step().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        for (s, want) in [
            ("0", Some(0)),
            ("0.01", Some(1)),
            ("0.1", Some(10)),
            ("12.30", Some(1230)),
            ("7.79000", Some(779)),
            ("1.", None),
            (".5", None),
            ("1e2", None),
            ("+1", None),
            ("0.001", None),
            ("", None),
            ("184467440737095516.16", None),
        ] {
            assert_eq!(yuan_to_fen(s), want, "{s}");
        }
        assert_eq!(count("20.0"), Some(20));
        assert_eq!(count("2.5"), None);
    }

    #[test]
    fn layout_errors() {
        let read = |s: &str| -> Result<Vec<BillEntry<TradeBillRow>>, BillError> {
            TradeBillReader::new(s.as_bytes()).collect()
        };
        let line = |e: Result<_, BillError>| match e {
            Err(BillError::Format { line, .. }) => line,
            other => panic!("{other:?}"),
        };
        assert_eq!(line(read("")), 0);
        assert_eq!(line(read("记账时间,a\n")), 1);
        assert_eq!(line(read("交易时间,a\n`1,`2\n")), 2);
        assert_eq!(line(read("交易时间,a\n`1,`2\n总交易单数\n")), 3);
        assert_eq!(line(read("交易时间,a\n`1,`2\n`3\n总交易单数\n`1\n")), 3);
        assert_eq!(line(read("交易时间\n总交易单数\n1\n")), 3);
        assert_eq!(line(read("交易时间\n总交易单数\n`1\nmore\n")), 4);
        assert_eq!(line(read("交易时间,订单金额\n`1,`x\n总交易单数\n`1\n")), 2);
        assert_eq!(
            line(TradeBillReader::new(&b"\xff\n"[..]).collect::<Result<Vec<_>, _>>()),
            1
        );
        // Blank lines between the parts (the v2 documents' example) are fine.
        let ok = read("交易时间\n\n`1\n\n总交易单数\r\n\r\n`1\r\n\n").unwrap();
        assert_eq!(ok.len(), 2);
        // After an error the reader stops.
        let mut r = TradeBillReader::new(&b"x\n"[..]);
        assert!(r.next().unwrap().is_err());
        assert!(r.next().is_none());
    }
}
