//! The bill endpoints of the offline sandbox, written from the official wire format (not from
//! `api::bill`, which they test):
//!
//! | request | answer |
//! |---|---|
//! | `GET /v3/bill/tradebill?bill_date=…[&sub_mchid=][&bill_type=][&tar_type=GZIP]` | 200 signed `{hash_type, hash_value, download_url}` |
//! | `GET /v3/bill/fundflowbill?bill_date=…[&account_type=][&tar_type=GZIP]` | the same |
//! | `GET /v3/bill/sub-merchant-fundflowbill?sub_mchid=…&bill_date=…&account_type=…&algorithm=AEAD_AES_256_GCM[&tar_type=GZIP]` | 200 signed `{download_bill_count, download_bill_list: [{bill_sequence, download_url, encrypt_key, hash_type, hash_value, nonce}]}` |
//! | `GET /v3/billdownload/file?token=…` | 200 the file, **unsigned**; 400 `INVALID_REQUEST` once the link expired (5 minutes) |
//!
//! The bills are made from the sandbox's order book ([`super::sandbox`]): a trade bill lists the
//! orders paid on `bill_date` (Beijing) and the refunds that succeeded that day, a fund-flow
//! bill the money they moved (the `BASIC` account; the others are empty). A bill exists for a
//! day before today, from 10:00 the next day (Beijing); otherwise 400 `NO_STATEMENT_EXIST`
//! (账单文件不存在). The sub-merchant bill is AES-256-GCM encrypted under a key whose
//! `encrypt_key` is RSA-OAEP encrypted with the merchant's certificate, as WeChat Pay does.
//!
//! Tokens carry the request (and an HMAC under the simulator's APIv3 key) instead of server
//! state: the file is made again, from the book, when it is downloaded. Faults come from
//! [`super::Script::bills`] ([`BillScript`]).
//!
//! ```
//! use wechatpay_sansio::simulator::{Script, Simulator, bills::{BillFault, BillScript}};
//! use wechatpay_sansio::{ids::Nonce, time::UnixTime, v3::request::JsonRequest};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_240_000));  // 2026-01-01 12:00 +08:00
//! let merchant = sim.merchant();
//! let nonce = Nonce::generate(&mut rng)?;
//! let req = JsonRequest::get("https://api.mch.weixin.qq.com/v3/bill/tradebill?bill_date=2026-01-01")
//!     .sign(merchant.signer()?, &mut rng, now, &nonce)?
//!     .into_http();
//! let reply = sim.handle(&req, now, &mut rng, &Script::default());
//! assert_eq!(reply.status(), 400);                                  // today's bill: not yet
//! assert!(String::from_utf8_lossy(reply.body()).contains("NO_STATEMENT_EXIST"));
//! let script = Script { bills: BillScript::fault(BillFault::FlippedByte), ..Script::default() };
//! assert_eq!(script.bills.fault, Some(BillFault::FlippedByte));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::sandbox::{RefundResult, RefundState, beijing};
use super::v3::ScriptedError;
use super::{Simulator, v3_error};
use crate::crypto::{self, HmacSha256, Mac as _, RsaPublic as _};
use crate::time::UnixTime;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http::{Method, Response, StatusCode};
use percent_encoding::percent_decode_str;
use rand_core::TryCryptoRng;
use serde_json::json;
use std::io::Write as _;

/// How long a `download_url` stays valid (the current documents: 5 minutes).
pub const DOWNLOAD_TTL_SECS: u64 = 300;

/// The bill endpoints' faults ([`super::Script::bills`]); the default has none.
///
/// ```
/// use wechatpay_sansio::simulator::bills::{BillFault, BillScript};
/// assert_eq!(BillScript::default().fault, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BillScript {
    /// The fault; `None` answers normally.
    pub fault: Option<BillFault>,
}

impl BillScript {
    /// `fault` on the bill endpoints.
    ///
    /// ```
    /// use wechatpay_sansio::simulator::bills::{BillFault, BillScript};
    /// assert_eq!(BillScript::fault(BillFault::Truncated).fault, Some(BillFault::Truncated));
    /// ```
    #[must_use]
    pub fn fault(fault: BillFault) -> Self {
        Self { fault: Some(fault) }
    }
}

/// What goes wrong at the bill endpoints, once a request passes the `Authorization` check.
///
/// ```
/// use wechatpay_sansio::simulator::{bills::BillFault, v3::ScriptedError};
/// let f = BillFault::Error(ScriptedError::new(500, "SYSTEM_ERROR", "系统错误"));
/// assert_ne!(f, BillFault::TamperedReply);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BillFault {
    /// The apply endpoints answer this error (signed).
    Error(ScriptedError),
    /// The apply reply's body is altered after it was signed (a space appended).
    TamperedReply,
    /// The downloaded file has one byte flipped (its middle byte; an empty file gains one).
    FlippedByte,
    /// The downloaded file loses its last byte.
    Truncated,
}

/// The paths the bill sandbox serves.
const TRADE: &str = "/v3/bill/tradebill";
const FUND: &str = "/v3/bill/fundflowbill";
const SUB_FUND: &str = "/v3/bill/sub-merchant-fundflowbill";
const FILE: &str = "/v3/billdownload/file";

/// The v3 trade bill's `ALL` columns (wechatpay-go-style SDK fixtures and the official
/// `ALL.xlsx` example; tests/data/VECTORS.md).
const ALL_COLUMNS: &[&str] = &[
    "交易时间",
    "公众账号ID",
    "商户号",
    "特约商户号",
    "设备号",
    "微信订单号",
    "商户订单号",
    "用户标识",
    "交易类型",
    "交易状态",
    "付款银行",
    "货币种类",
    "应结订单金额",
    "代金券金额",
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
    "商品名称",
    "商户数据包",
    "手续费",
    "费率",
    "订单金额",
    "申请退款金额",
    "费率备注",
];
const REFUND_ONLY: &[&str] = &[
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
    "申请退款金额",
];
const TRADE_SUMMARY: &[&str] = &[
    "总交易单数",
    "应结订单总金额",
    "退款总金额",
    "充值券退款总金额",
    "手续费总金额",
    "订单总金额",
    "申请退款总金额",
];
const FUND_COLUMNS: &[&str] = &[
    "记账时间",
    "微信支付业务单号",
    "资金流水单号",
    "业务名称",
    "业务类型",
    "收支类型",
    "收支金额(元)",
    "账户结余(元)",
    "资金变更提交申请人",
    "备注",
    "业务凭证号",
];
const FUND_SUMMARY: &[&str] = &[
    "资金流水总笔数",
    "收入笔数",
    "收入金额",
    "支出笔数",
    "支出金额",
];

/// What a token asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ticket {
    kind: String,
    date: String,
    bill_type: String,
    account_type: String,
    sub_mchid: String,
    gzip: bool,
    expires: u64,
}

impl Ticket {
    fn payload(&self) -> String {
        [
            self.kind.as_str(),
            &self.date,
            &self.bill_type,
            &self.account_type,
            &self.sub_mchid,
            if self.gzip { "1" } else { "0" },
            &self.expires.to_string(),
        ]
        .join("|")
    }

    fn parse(payload: &str) -> Option<Self> {
        let p: Vec<&str> = payload.split('|').collect();
        let [
            kind,
            date,
            bill_type,
            account_type,
            sub_mchid,
            gzip,
            expires,
        ] = p.as_slice()
        else {
            return None;
        };
        Some(Self {
            kind: (*kind).to_owned(),
            date: (*date).to_owned(),
            bill_type: (*bill_type).to_owned(),
            account_type: (*account_type).to_owned(),
            sub_mchid: (*sub_mchid).to_owned(),
            gzip: *gzip == "1",
            expires: expires.parse().ok()?,
        })
    }
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// `yyyy-MM-dd HH:mm:ss` from the sandbox's RFC 3339 Beijing time.
fn bill_time(rfc3339: &str) -> String {
    rfc3339.get(..19).unwrap_or_default().replace('T', " ")
}

fn query(req: &http::Request<Vec<u8>>, name: &str) -> Option<String> {
    req.uri()
        .query()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .and_then(|(_, v)| percent_decode_str(v).decode_utf8().ok())
        .map(|v| v.into_owned())
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

/// Whether the bill of `date` exists at `now`: a day before today, and yesterday's only from
/// 10:00 (Beijing).
fn bill_ready(date: &str, now: UnixTime) -> bool {
    let today = beijing(now);
    let yesterday = beijing(UnixTime::from_secs(now.as_secs().saturating_sub(86_400)));
    let hour: u32 = today.get(11..13).and_then(|h| h.parse().ok()).unwrap_or(0);
    let date_ok = date < &today[..10];
    date_ok && (date != &yesterday[..10] || hour >= 10)
}

fn answer(status: StatusCode, code: &str, message: &str) -> (StatusCode, Vec<u8>) {
    (
        status,
        json!({ "code": code, "message": message })
            .to_string()
            .into_bytes(),
    )
}

fn param_error(message: &str) -> (StatusCode, Vec<u8>) {
    answer(StatusCode::BAD_REQUEST, "PARAM_ERROR", message)
}

impl Simulator {
    /// The bill endpoints' share of [`Simulator::handle_v3`]: `None` if the path is not one of
    /// them.
    pub(crate) fn bills<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        now: UnixTime,
        rng: &mut R,
        script: &BillScript,
    ) -> Option<Response<Vec<u8>>> {
        let path = req.uri().path();
        if ![TRADE, FUND, SUB_FUND, FILE].contains(&path) {
            return None;
        }
        if req.uri().scheme_str() != Some("https")
            || !matches!(
                req.uri().host(),
                Some("api.mch.weixin.qq.com" | "api2.mch.weixin.qq.com")
            )
        {
            return Some(v3_error(StatusCode::NOT_FOUND, "NOT_FOUND", "接口不存在"));
        }
        if req.method() != Method::GET {
            return Some(v3_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "INVALID_REQUEST",
                "请求方法错误",
            ));
        }
        if let Err(reply) = self.check_v3_authorization(req, now) {
            return Some(reply);
        }
        if path == FILE {
            return Some(self.bill_file(req, now, script));
        }
        let (status, body) = match &script.fault {
            Some(BillFault::Error(e)) => answer(
                StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
                &e.code,
                &e.message,
            ),
            _ => self.apply(path, req, now, rng),
        };
        let mut reply = self.signed_v3_reply(rng, status, body, now);
        if script.fault == Some(BillFault::TamperedReply) {
            reply.body_mut().push(b' ');
        }
        Some(reply)
    }

    fn mac(&self, data: &str) -> [u8; 32] {
        let mut m = HmacSha256::new(self.api_v3_key.expose_secret());
        m.update(data.as_bytes());
        m.finalize()
    }

    fn token(&self, t: &Ticket) -> String {
        let payload = t.payload();
        let mac = self.mac(&format!("token|{payload}"));
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(&mac[..12])
        )
    }

    /// The AES-256 key and the 16-character nonce of an encrypted bill.
    fn bill_key(&self, t: &Ticket) -> ([u8; 32], String) {
        let payload = t.payload();
        let key = self.mac(&format!("key|{payload}"));
        let nonce: String = self.mac(&format!("nonce|{payload}"))[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        (key, nonce)
    }

    fn apply<R: TryCryptoRng + ?Sized>(
        &self,
        path: &str,
        req: &http::Request<Vec<u8>>,
        now: UnixTime,
        rng: &mut R,
    ) -> (StatusCode, Vec<u8>) {
        let Some(date) = query(req, "bill_date") else {
            return param_error("bill_date 为必填参数");
        };
        if !is_date(&date) {
            return param_error("bill_date 格式错误，应为 yyyy-MM-DD");
        }
        let mut t = Ticket {
            kind: path.to_owned(),
            date,
            bill_type: String::new(),
            account_type: String::new(),
            sub_mchid: query(req, "sub_mchid").unwrap_or_default(),
            gzip: false,
            expires: now.as_secs() + DOWNLOAD_TTL_SECS,
        };
        match query(req, "tar_type").as_deref() {
            None => {}
            Some("GZIP") => t.gzip = true,
            Some(_) => return param_error("tar_type 取值错误"),
        }
        match path {
            TRADE => {
                t.bill_type = query(req, "bill_type").unwrap_or_else(|| "ALL".into());
                let known = [
                    "ALL",
                    "SUCCESS",
                    "REFUND",
                    "RECHARGE_REFUND",
                    "ALL_SPECIAL",
                    "SUC_SPECIAL",
                    "REF_SPECIAL",
                ];
                if !known.contains(&t.bill_type.as_str()) {
                    return param_error("bill_type 取值错误");
                }
            }
            FUND => {
                t.account_type = query(req, "account_type").unwrap_or_else(|| "BASIC".into());
                if !["BASIC", "OPERATION", "FEES"].contains(&t.account_type.as_str()) {
                    return param_error("account_type 取值错误");
                }
            }
            _ => {
                if t.sub_mchid.is_empty() {
                    return param_error("sub_mchid 为必填参数");
                }
                t.account_type = query(req, "account_type").unwrap_or_default();
                if !["BASIC", "OPERATION", "FEES", "DEPOSIT"].contains(&t.account_type.as_str()) {
                    return param_error("account_type 取值错误");
                }
                if query(req, "algorithm").as_deref() != Some("AEAD_AES_256_GCM") {
                    return param_error("algorithm 取值错误，仅支持 AEAD_AES_256_GCM");
                }
            }
        }
        if !bill_ready(&t.date, now) {
            return answer(
                StatusCode::BAD_REQUEST,
                "NO_STATEMENT_EXIST",
                "账单文件不存在",
            );
        }
        let original = self.bill_text(&t);
        let mut sha1 = crypto::Sha1::new();
        sha1.update(&original);
        let hash_value: String = sha1.finalize().iter().map(|b| format!("{b:02x}")).collect();
        let url = format!(
            "https://api.mch.weixin.qq.com{FILE}?token={}",
            self.token(&t)
        );
        if path != SUB_FUND {
            let body =
                json!({ "hash_type": "SHA1", "hash_value": hash_value, "download_url": url });
            return (StatusCode::OK, body.to_string().into_bytes());
        }
        let (key, nonce) = self.bill_key(&t);
        let Ok(encrypt_key) = self.merchant_public_key.0.encrypt_oaep_sha1(rng, &key) else {
            return answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                "SYSTEM_ERROR",
                "系统错误",
            );
        };
        let body = json!({
            "download_bill_count": 1,
            "download_bill_list": [{
                "bill_sequence": 1,
                "download_url": url,
                "encrypt_key": STANDARD.encode(encrypt_key),
                "hash_type": "SHA1",
                "hash_value": hash_value,
                "nonce": nonce,
            }],
        });
        (StatusCode::OK, body.to_string().into_bytes())
    }

    /// `GET /v3/billdownload/file?token=…`: the file, unsigned.
    fn bill_file(
        &self,
        req: &http::Request<Vec<u8>>,
        now: UnixTime,
        script: &BillScript,
    ) -> Response<Vec<u8>> {
        let invalid = || v3_error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", "参数错误");
        let Some(token) = query(req, "token") else {
            return invalid();
        };
        let Some((payload, mac)) = token.split_once('.') else {
            return invalid();
        };
        let Some(t) = URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|p| String::from_utf8(p).ok())
            .and_then(|p| Ticket::parse(&p))
        else {
            return invalid();
        };
        let want = self.mac(&format!("token|{}", t.payload()));
        if URL_SAFE_NO_PAD.decode(mac).ok().as_deref() != Some(&want[..12]) {
            return invalid();
        }
        if now.as_secs() > t.expires {
            return v3_error(
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                "下载链接过期,请重新请求文件下载",
            );
        }
        let mut file = self.bill_text(&t);
        if t.gzip {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            let _ = gz.write_all(&file);
            file = gz.finish().unwrap_or_default();
        }
        if t.kind == SUB_FUND {
            let (key, nonce) = self.bill_key(&t);
            file =
                crypto::aes256gcm_seal_any_nonce(&key, nonce.as_bytes(), &file).unwrap_or_default();
        }
        match script.fault {
            Some(BillFault::FlippedByte) if file.is_empty() => file.push(b'x'),
            Some(BillFault::FlippedByte) => {
                let mid = file.len() / 2;
                file[mid] ^= 0x01;
            }
            Some(BillFault::Truncated) => {
                file.pop();
            }
            _ => {}
        }
        let mut r = Response::new(file);
        r.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/octet-stream"),
        );
        r
    }

    /// The original bill (before GZIP and encryption) a ticket names, from the order book.
    fn bill_text(&self, t: &Ticket) -> Vec<u8> {
        if t.kind == TRADE {
            self.trade_bill(t)
        } else {
            self.fund_flow_bill(t)
        }
    }

    fn trade_bill(&self, t: &Ticket) -> Vec<u8> {
        let book = self.book();
        let sub = (!t.sub_mchid.is_empty()).then_some(t.sub_mchid.as_str());
        let mut rows: Vec<Vec<(&str, String)>> = Vec::new();
        let columns: Vec<&str> = match t.bill_type.as_str() {
            "SUCCESS" => ALL_COLUMNS
                .iter()
                .copied()
                .filter(|c| !REFUND_ONLY.contains(c))
                .collect(),
            "REFUND" => {
                let mut c: Vec<&str> = ALL_COLUMNS.to_vec();
                c.splice(14..14, ["退款申请时间", "退款成功时间"]);
                c
            }
            _ => ALL_COLUMNS.to_vec(),
        };
        let (payments, refunds) = match t.bill_type.as_str() {
            "ALL" => (true, true),
            "SUCCESS" => (true, false),
            "REFUND" => (false, true),
            _ => (false, false),
        };
        let (mut settled, mut refunded, mut fees) = (0i64, 0i64, 0i64);
        for o in &book.orders {
            if sub.is_some_and(|s| o.sub_mchid.as_deref() != Some(s)) {
                continue;
            }
            let q = book.query_json(o);
            let Some(paid) = q["success_time"].as_str() else {
                continue;
            };
            let appid = q["appid"].as_str().or(q["sp_appid"].as_str()).unwrap_or("");
            let openid = q["payer"]["openid"]
                .as_str()
                .or(q["payer"]["sp_openid"].as_str())
                .unwrap_or("");
            let common = |time: String, state: &str| {
                vec![
                    ("交易时间", time),
                    ("公众账号ID", appid.to_owned()),
                    ("商户号", self.mchid.as_str().to_owned()),
                    (
                        "特约商户号",
                        o.sub_mchid.clone().unwrap_or_else(|| "0".into()),
                    ),
                    (
                        "微信订单号",
                        q["transaction_id"].as_str().unwrap_or("").to_owned(),
                    ),
                    ("商户订单号", o.out_trade_no.clone()),
                    ("用户标识", openid.to_owned()),
                    (
                        "交易类型",
                        q["trade_type"].as_str().unwrap_or("").to_owned(),
                    ),
                    ("交易状态", state.to_owned()),
                    ("付款银行", "OTHERS".to_owned()),
                    ("货币种类", "CNY".to_owned()),
                    ("代金券金额", "0.00".to_owned()),
                    (
                        "商品名称",
                        o.request["description"].as_str().unwrap_or("").to_owned(),
                    ),
                    (
                        "商户数据包",
                        o.request["attach"].as_str().unwrap_or("").to_owned(),
                    ),
                    ("费率", "0.60%".to_owned()),
                ]
            };
            if payments && paid.get(..10) == Some(t.date.as_str()) {
                let fee = o.total * 6;
                settled += o.total;
                fees += fee;
                let mut r = common(bill_time(paid), "SUCCESS");
                r.extend([
                    ("应结订单金额", yuan(o.total)),
                    ("退款金额", "0.00".to_owned()),
                    ("充值券退款金额", "0.00".to_owned()),
                    ("手续费", format!("{}.{:05}", fee / 100_000, fee % 100_000)),
                    ("订单金额", yuan(o.total)),
                    ("申请退款金额", "0.00".to_owned()),
                ]);
                rows.push(r);
            }
            if !refunds {
                continue;
            }
            for rf in book
                .refunds
                .iter()
                .filter(|r| r.sub_mchid == o.sub_mchid && r.out_trade_no == o.out_trade_no)
            {
                let RefundState::Ended {
                    result: RefundResult::Success,
                    at,
                    ..
                } = &rf.state
                else {
                    continue;
                };
                let done = beijing(*at);
                if done.get(..10) != Some(t.date.as_str()) {
                    continue;
                }
                refunded += rf.refund;
                let mut r = common(bill_time(paid), "REFUND");
                r.extend([
                    ("应结订单金额", "0.00".to_owned()),
                    ("微信退款单号", rf.refund_id.clone()),
                    ("商户退款单号", rf.out_refund_no.clone()),
                    ("退款金额", yuan(rf.refund)),
                    ("充值券退款金额", "0.00".to_owned()),
                    ("退款类型", "ORIGINAL".to_owned()),
                    ("退款状态", "SUCCESS".to_owned()),
                    ("手续费", "0.00000".to_owned()),
                    ("订单金额", "0.00".to_owned()),
                    ("申请退款金额", yuan(rf.refund)),
                    ("退款申请时间", bill_time(&beijing(rf.create_time))),
                    ("退款成功时间", bill_time(&done)),
                ]);
                rows.push(r);
            }
        }
        let summary = [
            rows.len().to_string(),
            yuan(settled),
            yuan(refunded),
            "0.00".to_owned(),
            format!("{}.{:05}", fees / 100_000, fees % 100_000),
            yuan(settled),
            yuan(refunded),
        ];
        render(&columns, &rows, TRADE_SUMMARY, &summary)
    }

    fn fund_flow_bill(&self, t: &Ticket) -> Vec<u8> {
        let book = self.book();
        let sub = (!t.sub_mchid.is_empty()).then_some(t.sub_mchid.as_str());
        let mut rows = Vec::new();
        let (mut balance, mut income, mut income_n, mut expense, mut expense_n) =
            (0i64, 0i64, 0u64, 0i64, 0u64);
        if t.account_type == "BASIC" {
            for o in &book.orders {
                if o.sub_mchid.as_deref() != sub && sub.is_some() {
                    continue;
                }
                let q = book.query_json(o);
                let Some(paid) = q["success_time"].as_str() else {
                    continue;
                };
                let tx = q["transaction_id"].as_str().unwrap_or("").to_owned();
                if paid.get(..10) == Some(t.date.as_str()) {
                    balance += o.total;
                    income += o.total;
                    income_n += 1;
                    rows.push(vec![
                        ("记账时间", bill_time(paid)),
                        ("微信支付业务单号", tx.clone()),
                        ("资金流水单号", format!("{tx}01")),
                        ("业务名称", "交易".to_owned()),
                        ("业务类型", "交易".to_owned()),
                        ("收支类型", "收入".to_owned()),
                        ("收支金额(元)", yuan(o.total)),
                        ("账户结余(元)", yuan(balance)),
                        ("资金变更提交申请人", "system".to_owned()),
                        ("备注", String::new()),
                        ("业务凭证号", o.out_trade_no.clone()),
                    ]);
                }
                for rf in book
                    .refunds
                    .iter()
                    .filter(|r| r.sub_mchid == o.sub_mchid && r.out_trade_no == o.out_trade_no)
                {
                    let RefundState::Ended {
                        result: RefundResult::Success,
                        at,
                        ..
                    } = &rf.state
                    else {
                        continue;
                    };
                    let done = beijing(*at);
                    if done.get(..10) != Some(t.date.as_str()) {
                        continue;
                    }
                    balance -= rf.refund;
                    expense += rf.refund;
                    expense_n += 1;
                    rows.push(vec![
                        ("记账时间", bill_time(&done)),
                        ("微信支付业务单号", rf.refund_id.clone()),
                        ("资金流水单号", tx.clone()),
                        ("业务名称", "退款".to_owned()),
                        ("业务类型", "退款".to_owned()),
                        ("收支类型", "支出".to_owned()),
                        ("收支金额(元)", yuan(rf.refund)),
                        ("账户结余(元)", yuan(balance)),
                        ("资金变更提交申请人", format!("{}API", self.mchid.as_str())),
                        (
                            "备注",
                            format!("退款总金额{}元;含手续费0.00元", yuan(rf.refund)),
                        ),
                        ("业务凭证号", rf.out_refund_no.clone()),
                    ]);
                }
            }
        }
        let summary = [
            rows.len().to_string(),
            income_n.to_string(),
            yuan(income),
            expense_n.to_string(),
            yuan(expense),
        ];
        render(FUND_COLUMNS, &rows, FUND_SUMMARY, &summary)
    }
}

/// The bill's text: the header, the back-ticked rows in the header's order, the summary.
fn render(
    columns: &[&str],
    rows: &[Vec<(&str, String)>],
    summary_columns: &[&str],
    summary: &[String],
) -> Vec<u8> {
    let mut out = columns.join(",");
    out.push('\n');
    for row in rows {
        let values: Vec<String> = columns
            .iter()
            .map(|c| {
                let v = row
                    .iter()
                    .find(|(k, _)| k == c)
                    .map_or("", |(_, v)| v.as_str());
                format!("`{v}")
            })
            .collect();
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out.push_str(&summary_columns.join(","));
    out.push('\n');
    let values: Vec<String> = summary.iter().map(|v| format!("`{v}")).collect();
    out.push_str(&values.join(","));
    out.push('\n');
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_round_trip_and_days() {
        let t = Ticket {
            kind: TRADE.into(),
            date: "2026-01-01".into(),
            bill_type: "ALL".into(),
            account_type: String::new(),
            sub_mchid: "1900000109".into(),
            gzip: true,
            expires: 42,
        };
        assert_eq!(Ticket::parse(&t.payload()), Some(t));
        let noon = UnixTime::from_secs(1_767_240_000); // 2026-01-01 12:00 +08:00
        assert!(bill_ready("2025-12-31", noon));
        assert!(!bill_ready("2026-01-01", noon));
        assert!(!bill_ready("2026-02-01", noon));
        let eight = UnixTime::from_secs(1_767_225_600); // 08:00
        assert!(!bill_ready("2025-12-31", eight));
        assert!(bill_ready("2025-12-30", eight));
        assert!(is_date("2026-01-31") && !is_date("2026-1-31") && !is_date("2026-13-01"));
    }
}
