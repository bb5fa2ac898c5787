//! The apply steps: [`TradeBillRequest`], [`FundFlowBillRequest`] (outcome [`BillDownload`])
//! and [`SubMerchantFundFlowBillRequest`] (outcome [`EncryptedBills`]), signed `GET`s whose
//! signed JSON replies say where the file is and what it hashes to.

use super::{
    AccountType, BillError, BillType, BillVerifier, DownloadRequest, EncryptedBillVerifier,
    HashType, check_date,
};
use crate::api::pay::{HOST, SubMerchant, segment};
use crate::api::{ApiError, Echo, Endpoint, HttpMethod, Operation, Protocol, v3_common};
use crate::cipher;
use crate::error::FieldError;
use crate::keys::MerchantPrivateKey;
use crate::merchant::Merchant;
use crate::request::{Request, ResponseRef};
use crate::time::UnixTime;
use rand_core::TryCryptoRng;
use serde::Deserialize;
use std::io::{self, Write};
use zeroize::Zeroizing;

/// `GET /v3/bill/tradebill`.
pub const TRADE_BILL: Endpoint<'static> = Endpoint::new(
    "bill-trade",
    HOST,
    "/v3/bill/tradebill",
    HttpMethod::Get,
    Protocol::V3Json,
);
/// `GET /v3/bill/fundflowbill`.
pub const FUND_FLOW_BILL: Endpoint<'static> = Endpoint::new(
    "bill-fund-flow",
    HOST,
    "/v3/bill/fundflowbill",
    HttpMethod::Get,
    Protocol::V3Json,
);
/// `GET /v3/bill/sub-merchant-fundflowbill`.
pub const SUB_MERCHANT_FUND_FLOW_BILL: Endpoint<'static> = Endpoint::new(
    "bill-sub-merchant-fund-flow",
    HOST,
    "/v3/bill/sub-merchant-fundflowbill",
    HttpMethod::Get,
    Protocol::V3Json,
);

/// The bill file of an apply reply: where to download it and the digest of the original bill.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillDownload {
    /// `hash_type`.
    pub hash_type: HashType,
    /// `hash_value`: the digest of the original bill (a GZIP download inflated), hexadecimal.
    pub hash_value: String,
    /// `download_url`: valid for 5 minutes (30 s in older documents).
    pub download_url: String,
}

#[derive(Deserialize)]
struct RawDownload {
    #[serde(default)]
    hash_type: String,
    #[serde(default)]
    hash_value: String,
    #[serde(default)]
    download_url: String,
}

impl RawDownload {
    fn check(self) -> Result<BillDownload, ApiError> {
        for (name, v) in [
            ("hash_type", &self.hash_type),
            ("hash_value", &self.hash_value),
            ("download_url", &self.download_url),
        ] {
            if v.is_empty() {
                return Err(ApiError::MissingField(name.to_owned()));
            }
        }
        DownloadRequest::new(self.download_url.as_str())
            .validate()
            .map_err(|_| ApiError::InvalidField("download_url"))?;
        Ok(BillDownload {
            hash_type: HashType::from_wire(&self.hash_type),
            hash_value: self.hash_value,
            download_url: self.download_url,
        })
    }
}

impl BillDownload {
    /// The download request (its URL was checked when the reply was read).
    #[must_use]
    pub fn download(&self) -> DownloadRequest {
        DownloadRequest::new(self.download_url.as_str())
    }

    /// A [`BillVerifier`] for this bill (`gzip`: the request asked for `tar_type=GZIP`).
    ///
    /// # Errors
    /// As [`BillVerifier::new`].
    pub fn verifier(&self, gzip: bool) -> Result<BillVerifier, BillError> {
        BillVerifier::new(&self.hash_type, &self.hash_value, gzip)
    }

    /// A [`BillVerifier`] that also writes the original bill to `out`.
    ///
    /// # Errors
    /// As [`BillVerifier::new`].
    pub fn verifier_with_output<W: Write>(
        &self,
        gzip: bool,
        out: W,
    ) -> Result<BillVerifier<W>, BillError> {
        BillVerifier::with_output(&self.hash_type, &self.hash_value, gzip, out)
    }
}

/// `?name=value` pairs, percent-encoded.
fn query(pairs: &[(&str, Option<&str>)]) -> String {
    let mut q = String::new();
    for (name, value) in pairs {
        if let Some(v) = value {
            q.push(if q.is_empty() { '?' } else { '&' });
            q.push_str(name);
            q.push('=');
            q.push_str(&segment(v));
        }
    }
    q
}

fn sub_mchid(value: &str) -> Result<(), FieldError> {
    SubMerchant::new(value).validate()
}

/// 申请交易账单 (partner: 申请所有/单个子商户交易账单), `GET /v3/bill/tradebill`.
///
/// ```
/// use wechatpay_sansio::api::{bill::{BillType, TradeBillRequest}, Operation};
/// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
/// let merchant = wechatpay_sansio::simulator::Simulator::new().merchant();  // TEST ONLY keys
/// let req = TradeBillRequest::new("2026-01-01").bill_type(BillType::Success).gzip();
/// let http = req.build(&merchant, &mut rng, wechatpay_sansio::UnixTime::from_secs(1_767_225_600))?;
/// assert_eq!(http.into_http().uri().path_and_query().unwrap().as_str(),
///            "/v3/bill/tradebill?bill_date=2026-01-01&bill_type=SUCCESS&tar_type=GZIP");
/// # Ok::<(), wechatpay_sansio::api::ApiError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeBillRequest {
    /// `bill_date`, `YYYY-MM-DD` (Beijing), within the last three months.
    pub bill_date: String,
    /// `sub_mchid` (service providers): one sub-merchant's bill; `None`: all of them.
    pub sub_mchid: Option<String>,
    /// `bill_type`; `None`: `ALL`.
    pub bill_type: Option<BillType>,
    /// `tar_type=GZIP`: the file comes GZIP-compressed.
    pub gzip: bool,
}

impl TradeBillRequest {
    /// The bill of `bill_date`.
    #[must_use]
    pub fn new(bill_date: impl Into<String>) -> Self {
        Self {
            bill_date: bill_date.into(),
            sub_mchid: None,
            bill_type: None,
            gzip: false,
        }
    }

    /// One sub-merchant's bill (service providers).
    #[must_use]
    pub fn sub_mchid(mut self, sub_mchid: impl Into<String>) -> Self {
        self.sub_mchid = Some(sub_mchid.into());
        self
    }

    /// With `bill_type`.
    #[must_use]
    pub fn bill_type(mut self, bill_type: BillType) -> Self {
        self.bill_type = Some(bill_type);
        self
    }

    /// Ask for the file GZIP-compressed.
    #[must_use]
    pub fn gzip(mut self) -> Self {
        self.gzip = true;
        self
    }

    /// Check every field.
    ///
    /// # Errors
    /// The first [`FieldError`].
    pub fn validate(&self) -> Result<(), FieldError> {
        check_date(&self.bill_date)?;
        self.sub_mchid.as_deref().map_or(Ok(()), sub_mchid)
    }
}

impl Operation for TradeBillRequest {
    type Outcome = BillDownload;
    type ReplyOptions = ();
    const IDENTIFYING: &'static [&'static str] = &[];
    const ENDPOINT: Endpoint<'static> = TRADE_BILL;

    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        endpoint: &Endpoint<'_>,
        merchant: &Merchant,
        rng: &mut R,
        now: UnixTime,
    ) -> Result<Request, ApiError> {
        self.validate()?;
        let url = format!(
            "{}{}{}",
            endpoint.host,
            TRADE_BILL.path,
            query(&[
                ("bill_date", Some(&self.bill_date)),
                ("sub_mchid", self.sub_mchid.as_deref()),
                ("bill_type", self.bill_type.map(BillType::as_str)),
                ("tar_type", self.gzip.then_some("GZIP")),
            ])
        );
        v3_common::send(merchant, &url, None::<&()>, rng, now)
    }

    fn echoes<'a>(&'a self, _: &'a Merchant) -> Vec<Echo<'a>> {
        Vec::new()
    }

    fn decode(
        merchant: &Merchant,
        response: ResponseRef<'_>,
        now: UnixTime,
        (): &(),
        echoes: &[Echo<'_>],
    ) -> Result<BillDownload, ApiError> {
        v3_common::decode::<RawDownload>(merchant, response, now, Some(TRADE_BILL.path), echoes)?
            .check()
    }
}

/// 申请资金账单, `GET /v3/bill/fundflowbill`: the merchant's own account.
///
/// ```
/// use wechatpay_sansio::api::{bill::{AccountType, FundFlowBillRequest}, Operation};
/// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
/// let merchant = wechatpay_sansio::simulator::Simulator::new().merchant();  // TEST ONLY keys
/// let req = FundFlowBillRequest::new("2026-01-01").account_type(AccountType::Operation);
/// let http = req.build(&merchant, &mut rng, wechatpay_sansio::UnixTime::from_secs(1_767_225_600))?;
/// assert_eq!(http.into_http().uri().query(), Some("bill_date=2026-01-01&account_type=OPERATION"));
/// # Ok::<(), wechatpay_sansio::api::ApiError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundFlowBillRequest {
    /// `bill_date`, `YYYY-MM-DD`.
    pub bill_date: String,
    /// `account_type`; `None`: `BASIC`.
    pub account_type: Option<AccountType>,
    /// `tar_type=GZIP`.
    pub gzip: bool,
}

impl FundFlowBillRequest {
    /// The fund-flow bill of `bill_date`.
    #[must_use]
    pub fn new(bill_date: impl Into<String>) -> Self {
        Self {
            bill_date: bill_date.into(),
            account_type: None,
            gzip: false,
        }
    }

    /// With `account_type`.
    #[must_use]
    pub fn account_type(mut self, account_type: AccountType) -> Self {
        self.account_type = Some(account_type);
        self
    }

    /// Ask for the file GZIP-compressed.
    #[must_use]
    pub fn gzip(mut self) -> Self {
        self.gzip = true;
        self
    }

    /// Check every field.
    ///
    /// # Errors
    /// The first [`FieldError`].
    pub fn validate(&self) -> Result<(), FieldError> {
        check_date(&self.bill_date)
    }
}

impl Operation for FundFlowBillRequest {
    type Outcome = BillDownload;
    type ReplyOptions = ();
    const IDENTIFYING: &'static [&'static str] = &[];
    const ENDPOINT: Endpoint<'static> = FUND_FLOW_BILL;

    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        endpoint: &Endpoint<'_>,
        merchant: &Merchant,
        rng: &mut R,
        now: UnixTime,
    ) -> Result<Request, ApiError> {
        self.validate()?;
        let url = format!(
            "{}{}{}",
            endpoint.host,
            FUND_FLOW_BILL.path,
            query(&[
                ("bill_date", Some(&self.bill_date)),
                ("account_type", self.account_type.map(AccountType::as_str)),
                ("tar_type", self.gzip.then_some("GZIP")),
            ])
        );
        v3_common::send(merchant, &url, None::<&()>, rng, now)
    }

    fn echoes<'a>(&'a self, _: &'a Merchant) -> Vec<Echo<'a>> {
        Vec::new()
    }

    fn decode(
        merchant: &Merchant,
        response: ResponseRef<'_>,
        now: UnixTime,
        (): &(),
        echoes: &[Echo<'_>],
    ) -> Result<BillDownload, ApiError> {
        v3_common::decode::<RawDownload>(
            merchant,
            response,
            now,
            Some(FUND_FLOW_BILL.path),
            echoes,
        )?
        .check()
    }
}

/// The most parts a sub-merchant bill is split into that this crate accepts (WeChat Pay splits
/// above about 16 GB uncompressed).
const MAX_PARTS: u64 = 1024;

/// One part of an encrypted sub-merchant bill (`download_bill_list[]`).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedBill {
    /// `bill_sequence`: the part's place (from 1) when the bill is split.
    pub bill_sequence: u64,
    /// `download_url`.
    pub download_url: String,
    /// `encrypt_key`: the AES-256 key of the file, RSA-OAEP encrypted with the merchant's
    /// API certificate (base64).
    pub encrypt_key: String,
    /// `hash_type`.
    pub hash_type: HashType,
    /// `hash_value`: the digest of the original part (decrypted, and inflated if GZIP).
    pub hash_value: String,
    /// `nonce`: the AES-GCM nonce of the file (the documents show 16 characters).
    pub nonce: String,
}

/// The apply reply of a sub-merchant fund-flow bill: its parts, in `bill_sequence` order (the
/// reader checked that `download_bill_count` counts them and that they are numbered 1, 2, …).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedBills {
    /// `download_bill_list`, sorted by `bill_sequence`.
    pub parts: Vec<EncryptedBill>,
}

#[derive(Deserialize)]
struct RawEncryptedBills {
    download_bill_count: u64,
    #[serde(default)]
    download_bill_list: Vec<RawEncryptedBill>,
}

#[derive(Deserialize)]
struct RawEncryptedBill {
    bill_sequence: u64,
    #[serde(default)]
    download_url: String,
    #[serde(default)]
    encrypt_key: String,
    #[serde(default)]
    hash_type: String,
    #[serde(default)]
    hash_value: String,
    #[serde(default)]
    nonce: String,
}

impl RawEncryptedBills {
    fn check(self) -> Result<EncryptedBills, ApiError> {
        let present = self.download_bill_list.len();
        if self.download_bill_count != present as u64 || self.download_bill_count > MAX_PARTS {
            return Err(ApiError::RecordCount {
                field: "download_bill_count",
                declared: self.download_bill_count,
                present,
            });
        }
        let mut parts = Vec::with_capacity(present);
        for raw in self.download_bill_list {
            let d = RawDownload {
                hash_type: raw.hash_type,
                hash_value: raw.hash_value,
                download_url: raw.download_url,
            }
            .check()?;
            for (name, v) in [("encrypt_key", &raw.encrypt_key), ("nonce", &raw.nonce)] {
                if v.is_empty() {
                    return Err(ApiError::MissingField(name.to_owned()));
                }
            }
            parts.push(EncryptedBill {
                bill_sequence: raw.bill_sequence,
                download_url: d.download_url,
                encrypt_key: raw.encrypt_key,
                hash_type: d.hash_type,
                hash_value: d.hash_value,
                nonce: raw.nonce,
            });
        }
        parts.sort_by_key(|p| p.bill_sequence);
        if parts
            .iter()
            .enumerate()
            .any(|(i, p)| p.bill_sequence != i as u64 + 1)
        {
            return Err(ApiError::InvalidField("bill_sequence"));
        }
        Ok(EncryptedBills { parts })
    }
}

impl EncryptedBill {
    /// The download request of this part.
    #[must_use]
    pub fn download(&self) -> DownloadRequest {
        DownloadRequest::new(self.download_url.as_str())
    }

    /// Decrypt `encrypt_key` with the merchant private key (`merchant.signer()?.key()`) and make
    /// the streaming decryptor and verifier of this part (`gzip`: the request asked for
    /// `tar_type=GZIP`). `rng` blinds the RSA decryption under RustCrypto; under `aws-lc-rs` it
    /// is not consulted.
    ///
    /// # Errors
    /// [`BillError::EncryptKey`], [`BillError::KeyLength`], [`BillError::Nonce`], and as
    /// [`BillVerifier::new`].
    pub fn verifier<R: TryCryptoRng + ?Sized>(
        &self,
        key: &MerchantPrivateKey,
        rng: &mut R,
        gzip: bool,
    ) -> Result<EncryptedBillVerifier, BillError> {
        self.verifier_with_output(key, rng, gzip, io::sink())
    }

    /// [`EncryptedBill::verifier`], also writing the original bill (decrypted, inflated) to
    /// `out`: unverified until [`EncryptedBillVerifier::finish`] returns `Ok`.
    ///
    /// # Errors
    /// As [`EncryptedBill::verifier`].
    pub fn verifier_with_output<R: TryCryptoRng + ?Sized, W: Write>(
        &self,
        key: &MerchantPrivateKey,
        rng: &mut R,
        gzip: bool,
        out: W,
    ) -> Result<EncryptedBillVerifier<W>, BillError> {
        let inner = BillVerifier::with_output(&self.hash_type, &self.hash_value, gzip, out)?;
        let plain =
            cipher::decrypt_oaep(rng, key, &self.encrypt_key).map_err(BillError::EncryptKey)?;
        let aes: Zeroizing<[u8; 32]> = Zeroizing::new(
            plain
                .as_slice()
                .try_into()
                .map_err(|_| BillError::KeyLength(plain.len()))?,
        );
        EncryptedBillVerifier::new(&aes, self.nonce.as_bytes(), inner)
    }
}

/// 申请单个子商户资金账单, `GET /v3/bill/sub-merchant-fundflowbill` (service providers): the file
/// is AES-256-GCM encrypted (`algorithm=AEAD_AES_256_GCM`, the only one this crate decrypts).
///
/// ```
/// use wechatpay_sansio::api::{bill::{AccountType, SubMerchantFundFlowBillRequest}, Operation};
/// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
/// let merchant = wechatpay_sansio::simulator::Simulator::new().merchant();  // TEST ONLY keys
/// let req = SubMerchantFundFlowBillRequest::new("1900000109", "2026-01-01", AccountType::Basic);
/// let http = req.build(&merchant, &mut rng, wechatpay_sansio::UnixTime::from_secs(1_767_225_600))?;
/// assert_eq!(http.into_http().uri().query(),
///     Some("sub_mchid=1900000109&bill_date=2026-01-01&account_type=BASIC&algorithm=AEAD_AES_256_GCM"));
/// # Ok::<(), wechatpay_sansio::api::ApiError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubMerchantFundFlowBillRequest {
    /// `sub_mchid`.
    pub sub_mchid: String,
    /// `bill_date`, `YYYY-MM-DD`.
    pub bill_date: String,
    /// `account_type`.
    pub account_type: AccountType,
    /// `tar_type=GZIP`.
    pub gzip: bool,
}

impl SubMerchantFundFlowBillRequest {
    /// The fund-flow bill of `sub_mchid`'s `account_type` account on `bill_date`.
    #[must_use]
    pub fn new(
        sub_mchid: impl Into<String>,
        bill_date: impl Into<String>,
        account_type: AccountType,
    ) -> Self {
        Self {
            sub_mchid: sub_mchid.into(),
            bill_date: bill_date.into(),
            account_type,
            gzip: false,
        }
    }

    /// Ask for the file GZIP-compressed (then encrypted).
    #[must_use]
    pub fn gzip(mut self) -> Self {
        self.gzip = true;
        self
    }

    /// Check every field.
    ///
    /// # Errors
    /// The first [`FieldError`].
    pub fn validate(&self) -> Result<(), FieldError> {
        sub_mchid(&self.sub_mchid)?;
        check_date(&self.bill_date)
    }
}

impl Operation for SubMerchantFundFlowBillRequest {
    type Outcome = EncryptedBills;
    type ReplyOptions = ();
    const IDENTIFYING: &'static [&'static str] = &[];
    const ENDPOINT: Endpoint<'static> = SUB_MERCHANT_FUND_FLOW_BILL;

    fn build_at<R: TryCryptoRng + ?Sized>(
        &self,
        endpoint: &Endpoint<'_>,
        merchant: &Merchant,
        rng: &mut R,
        now: UnixTime,
    ) -> Result<Request, ApiError> {
        self.validate()?;
        let url = format!(
            "{}{}{}",
            endpoint.host,
            SUB_MERCHANT_FUND_FLOW_BILL.path,
            query(&[
                ("sub_mchid", Some(&self.sub_mchid)),
                ("bill_date", Some(&self.bill_date)),
                ("account_type", Some(self.account_type.as_str())),
                ("algorithm", Some(crate::v3::resource::AEAD_AES_256_GCM)),
                ("tar_type", self.gzip.then_some("GZIP")),
            ])
        );
        v3_common::send(merchant, &url, None::<&()>, rng, now)
    }

    fn echoes<'a>(&'a self, _: &'a Merchant) -> Vec<Echo<'a>> {
        Vec::new()
    }

    fn decode(
        merchant: &Merchant,
        response: ResponseRef<'_>,
        now: UnixTime,
        (): &(),
        echoes: &[Echo<'_>],
    ) -> Result<EncryptedBills, ApiError> {
        v3_common::decode::<RawEncryptedBills>(
            merchant,
            response,
            now,
            Some(SUB_MERCHANT_FUND_FLOW_BILL.path),
            echoes,
        )?
        .check()
    }
}
