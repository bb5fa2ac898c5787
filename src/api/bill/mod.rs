//! Bills (账单), checked while they stream: apply for a bill ([`TradeBillRequest`],
//! [`FundFlowBillRequest`], [`SubMerchantFundFlowBillRequest`]: signed JSON replies carrying a
//! `download_url` and the SHA1 of the original bill), download it ([`DownloadRequest`]: an
//! **unsigned** reply, [`crate::v3::UNSIGNED_REPLY_PATHS`]), and check the download against the
//! signed digest as it arrives ([`BillVerifier`]: GZIP inflated on the fly; the encrypted
//! sub-merchant bill decrypted on the fly by [`EncryptedBillVerifier`]) in constant memory
//! whatever its size. Then read its rows lazily ([`TradeBillReader`], [`FundFlowBillReader`]).
//!
//! | type | API | request |
//! |---|---|---|
//! | [`TradeBillRequest`] | 申请交易账单 (partner: 申请所有/单个子商户交易账单) | `GET /v3/bill/tradebill?bill_date=…[&sub_mchid=][&bill_type=][&tar_type=GZIP]` |
//! | [`FundFlowBillRequest`] | 申请资金账单 | `GET /v3/bill/fundflowbill?bill_date=…[&account_type=][&tar_type=GZIP]` |
//! | [`SubMerchantFundFlowBillRequest`] | 申请单个子商户资金账单 | `GET /v3/bill/sub-merchant-fundflowbill?sub_mchid=…&bill_date=…&account_type=…&algorithm=AEAD_AES_256_GCM[&tar_type=GZIP]` |
//! | [`DownloadRequest`] | 下载账单 | `GET download_url` (`/v3/billdownload/file?token=…`), unsigned reply |
//!
//! Official documents: <https://pay.weixin.qq.com/doc/v3/merchant/4012556654> (trade bill),
//! <https://pay.weixin.qq.com/doc/v3/partner/4014314390> (download, sub-merchant bill
//! decryption). A bill is generated after 9–10 a.m. the next day (Beijing time); a date without
//! a bill yet, or beyond three months, is 400 `NO_STATEMENT_EXIST` (账单文件不存在,
//! [`crate::error::Disposition::Rejected`]).
//!
//! **Until [`BillVerifier::finish`] returns `Ok`, nothing read from a bill is verified**: stage
//! the rows, import them only after the verdict. A mismatch, a corrupt GZIP stream or an
//! encrypted file that does not authenticate is [`BillError`] with
//! [`crate::error::Disposition::Untrusted`]: download again, do not import.
//!
//! ```
//! use wechatpay_sansio::api::bill::{BillEntry, DownloadRequest, TradeBillReader, TradeBillRequest};
//! use wechatpay_sansio::{simulator::Simulator, Operation, ResponseRef, UnixTime};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_240_000));  // 2026-01-01 12:00 +08:00
//! let merchant = sim.merchant();                                          // TEST ONLY keys
//! let apply = TradeBillRequest::new("2025-12-31").gzip();
//! let reply = sim.handle(&apply.build(&merchant, &mut rng, now)?.into_http(), now, &mut rng, &Default::default());
//! let bill = apply.parse_reply(&merchant, ResponseRef::from_http(&reply), now)?;  // signed: verified
//! let dl = bill.download();
//! let reply = sim.handle(&dl.build(&merchant, &mut rng, now)?.into_http(), now, &mut rng, &Default::default());
//! DownloadRequest::check_status(ResponseRef::from_http(&reply))?;
//! let mut check = bill.verifier_with_output(true, Vec::new())?          // GZIP, kept inflated
//!     .max_original_size(1 << 30);                                       // in memory: bounded
//! for chunk in reply.body().chunks(64 * 1024) {                          // as the body streams in
//!     check.update(chunk)?;
//! }
//! let original = check.finish()?;                                         // the bill signed for
//! for entry in TradeBillReader::new(&original[..]) {
//!     match entry? {
//!         BillEntry::Row(row) => assert!(!row.out_trade_no.is_empty()),
//!         BillEntry::Summary(s) => assert_eq!(s.count(), Some(0)),        // no paid order yet
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod apply;
mod download;
mod rows;
mod verify;

pub use apply::{
    BillDownload, EncryptedBill, EncryptedBills, FundFlowBillRequest,
    SubMerchantFundFlowBillRequest, TradeBillRequest,
};
pub use download::{DOWNLOAD_HOSTS, DownloadRequest};
pub use rows::{
    BillEntry, BillReader, BillRecord, BillSummary, FundFlowBillReader, FundFlowBillRow,
    TradeBillReader, TradeBillRow, yuan_to_fen,
};
pub use verify::{BillError, BillVerifier, EncryptedBillVerifier};

crate::wire::open_enum!(
    /// `hash_type`: the digest of the original bill (`SHA1`, the only one documented).
    ///
    /// ```
    /// use wechatpay_sansio::api::bill::HashType;
    /// assert_eq!(HashType::from_wire("SHA1"), HashType::Sha1);
    /// assert_eq!(HashType::from_wire("SM3"), HashType::Other("SM3".into()));
    /// ```
    pub enum HashType {
        /// `SHA1`.
        Sha1 = "SHA1",
    }
);

crate::wire::closed_enum!(
    /// `bill_type` of a trade bill (账单类型; the default is `ALL`).
    ///
    /// ```
    /// use wechatpay_sansio::api::bill::BillType;
    /// assert_eq!("REFUND".parse::<BillType>()?, BillType::Refund);
    /// # Ok::<(), wechatpay_sansio::error::FieldError>(())
    /// ```
    pub enum BillType as "bill_type" {
        /// `ALL`: every order of the day (recharge refunds excepted).
        All = "ALL",
        /// `SUCCESS`: the orders paid that day.
        Success = "SUCCESS",
        /// `REFUND`: the refunds of the day.
        Refund = "REFUND",
        /// `RECHARGE_REFUND`: the recharge refunds of the day (direct merchants).
        RechargeRefund = "RECHARGE_REFUND",
        /// `ALL_SPECIAL`: the personalised bill, every order (direct merchants).
        AllSpecial = "ALL_SPECIAL",
        /// `SUC_SPECIAL`: the personalised bill, paid orders.
        SucSpecial = "SUC_SPECIAL",
        /// `REF_SPECIAL`: the personalised bill, refunds.
        RefSpecial = "REF_SPECIAL",
    }
);

crate::wire::closed_enum!(
    /// `account_type` of a fund-flow bill (资金账户类型; the merchant's default is `BASIC`).
    ///
    /// ```
    /// use wechatpay_sansio::api::bill::AccountType;
    /// assert_eq!(AccountType::Operation.as_str(), "OPERATION");
    /// ```
    pub enum AccountType as "account_type" {
        /// `BASIC`: 基本账户.
        Basic = "BASIC",
        /// `OPERATION`: 运营账户.
        Operation = "OPERATION",
        /// `FEES`: 手续费账户.
        Fees = "FEES",
        /// `DEPOSIT`: 保证金账户 (sub-merchant bills).
        Deposit = "DEPOSIT",
    }
);

/// `bill_date`: `YYYY-MM-DD` with a month 01–12 and a day 01–31.
fn check_date(value: &str) -> Result<(), crate::error::FieldError> {
    let b = value.as_bytes();
    let digits = |r: core::ops::Range<usize>| {
        b.get(r)
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|d| d.iter().fold(0u32, |a, x| a * 10 + u32::from(x - b'0')))
    };
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(0..4).is_some()
        && digits(5..7).is_some_and(|m| (1..=12).contains(&m))
        && digits(8..10).is_some_and(|d| (1..=31).contains(&d));
    if value.is_empty() {
        return Err(crate::error::FieldError::Missing { field: "bill_date" });
    }
    if ok {
        Ok(())
    } else {
        Err(crate::error::FieldError::Charset {
            field: "bill_date",
            allowed: "a date as YYYY-MM-DD",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(check_date("2026-01-01").is_ok());
        for bad in [
            "",
            "20260101",
            "2026-1-01",
            "2026-13-01",
            "2026-00-10",
            "2026-01-32",
            "2026-01-0a",
            "２０２６-01-01",
        ] {
            assert!(check_date(bad).is_err(), "{bad}");
        }
    }
}
