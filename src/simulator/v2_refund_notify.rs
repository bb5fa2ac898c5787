//! v2 refund result notifications (退款结果通知) as WeChat Pay sends them: no signature, the
//! refund in `req_info` — base64 of AES-256-ECB (PKCS#7) under the lower-case hex MD5 of the
//! simulator's APIv2 key. Read them with [`crate::v2::refund_notify`].
//!
//! The key derivation and the XML layout are written out here a second time on purpose (as
//! for the v3 signed message in [`super`]): the simulator is the oracle the parser is tested
//! against. The layout is that of the real notifications (tests/data/real, INDEX.md): an outer
//! `<xml>` with `return_code` bare and the other values in CDATA; an inner `<root>` with one
//! field per line, names sorted, every value in CDATA.
//!
//! ```
//! use wechatpay_sansio::simulator::{Simulator, v2_refund_notify::RefundNotificationFields};
//! use wechatpay_sansio::v2::refund_notify::{self, RefundNotifyOptions, V2RefundStatus};
//! # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
//! let sim = Simulator::new();
//! let mut fields = RefundNotificationFields::success("R2026", 80);
//! fields.refund_status = "CHANGE".into();
//! let req = sim.v2_refund_notification(&fields, &mut rng);
//! assert_eq!(req.method(), "POST");
//!
//! let m = sim.merchant();
//! let ours = RefundNotifyOptions::default().with_mch_id(m.mchid().as_str()).with_appid(&fields.appid);
//! let n = refund_notify::parse_with(req.body(), m.api_v2_key()?, &ours)?;
//! assert_eq!((n.out_refund_no(), n.refund_fee(), n.refund_status()), ("R2026", 80, &V2RefundStatus::Change));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::Simulator;
use crate::crypto::{self, Md5};
use crate::ids::Nonce;
use crate::secret::Personal;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderValue;
use rand_core::TryCryptoRng;
use zeroize::Zeroizing;

/// The refund a simulated notification reports (amounts in fen). [`Self::success`] fills in a
/// TEST ONLY refund; change any field before building the notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundNotificationFields {
    /// The outer `appid`.
    pub appid: String,
    /// `transaction_id`.
    pub transaction_id: String,
    /// `out_trade_no`.
    pub out_trade_no: String,
    /// `refund_id`.
    pub refund_id: String,
    /// `out_refund_no`.
    pub out_refund_no: String,
    /// `total_fee`.
    pub total_fee: u64,
    /// `settlement_total_fee` (omitted when `None`).
    pub settlement_total_fee: Option<u64>,
    /// `refund_fee`.
    pub refund_fee: u64,
    /// `settlement_refund_fee`.
    pub settlement_refund_fee: u64,
    /// `refund_status` as sent (`SUCCESS`, `CHANGE`, `REFUNDCLOSE`, or anything else).
    pub refund_status: String,
    /// `success_time` (omitted when `None`).
    pub success_time: Option<String>,
    /// `refund_recv_accout` (sic).
    pub refund_recv_accout: Personal,
    /// `refund_account`.
    pub refund_account: String,
    /// `refund_request_source`.
    pub refund_request_source: String,
}

impl RefundNotificationFields {
    /// A successful refund of `refund_fee` fen under `out_refund_no`, of a payment of
    /// `refund_fee` fen (TEST ONLY ids, `success_time` 2026-01-01 08:00:00, to the payer's
    /// balance 支付用户零钱).
    ///
    /// ```
    /// use wechatpay_sansio::simulator::v2_refund_notify::RefundNotificationFields;
    /// let f = RefundNotificationFields::success("R1", 100);
    /// assert_eq!((f.refund_fee, f.total_fee, f.refund_status.as_str()), (100, 100, "SUCCESS"));
    /// ```
    #[must_use]
    pub fn success(out_refund_no: &str, refund_fee: u64) -> Self {
        Self {
            appid: "wxTESTONLY000001".to_owned(),
            transaction_id: "4200000000TESTONLY00000000000001".to_owned(),
            out_trade_no: "TESTONLY-ORDER-1".to_owned(),
            refund_id: "50300000TESTONLY000000000000001".to_owned(),
            out_refund_no: out_refund_no.to_owned(),
            total_fee: refund_fee,
            settlement_total_fee: Some(refund_fee),
            refund_fee,
            settlement_refund_fee: refund_fee,
            refund_status: "SUCCESS".to_owned(),
            success_time: Some("2026-01-01 08:00:00".to_owned()),
            refund_recv_accout: Personal::new("支付用户零钱"),
            refund_account: "REFUND_SOURCE_UNSETTLED_FUNDS".to_owned(),
            refund_request_source: "API".to_owned(),
        }
    }

    /// The decrypted `req_info` document: `<root>`, one field per line, names sorted, values
    /// in CDATA (as in the published samples).
    fn req_info_xml(&self) -> Zeroizing<String> {
        let (total, refund, settled) = (
            self.total_fee.to_string(),
            self.refund_fee.to_string(),
            self.settlement_refund_fee.to_string(),
        );
        let settlement_total = self.settlement_total_fee.map(|v| v.to_string());
        let mut pairs: Vec<(&str, &str)> = vec![
            ("out_refund_no", &self.out_refund_no),
            ("out_trade_no", &self.out_trade_no),
            ("refund_account", &self.refund_account),
            ("refund_fee", &refund),
            ("refund_id", &self.refund_id),
            (
                "refund_recv_accout",
                self.refund_recv_accout.expose_secret(),
            ),
            ("refund_request_source", &self.refund_request_source),
            ("refund_status", &self.refund_status),
            ("settlement_refund_fee", &settled),
            ("total_fee", &total),
            ("transaction_id", &self.transaction_id),
        ];
        if let Some(v) = &settlement_total {
            pairs.push(("settlement_total_fee", v));
        }
        if let Some(v) = &self.success_time {
            pairs.push(("success_time", v));
        }
        pairs.sort_by(|a, b| a.0.cmp(b.0));
        let mut out = Zeroizing::new(String::from("<root>\n"));
        for (k, v) in pairs {
            out.push_str(&format!("<{k}>{}</{k}>\n", cdata(v)));
        }
        out.push_str("</root>");
        out
    }
}

/// `v` in CDATA, or escaped with entities when CDATA cannot carry it as such (`]]>`, CR).
fn cdata(v: &str) -> String {
    if v.contains("]]>") || v.contains('\r') {
        v.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('\r', "&#13;")
    } else {
        format!("<![CDATA[{v}]]>")
    }
}

impl Simulator {
    /// A v2 refund notification as WeChat Pay would POST it: `return_code` `SUCCESS`, the
    /// outer `appid` of `fields`, the simulator's `mch_id`, a `nonce_str` drawn from `rng`, and
    /// `req_info` encrypted with the simulator's APIv2 key. Tamper with the returned request (or
    /// build the body yourself) to test the merchant's refusals.
    ///
    /// ```
    /// use wechatpay_sansio::simulator::{Simulator, v2_refund_notify::RefundNotificationFields};
    /// use wechatpay_sansio::v2::refund_notify;
    /// # use rand_core::SeedableRng; let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    /// let sim = Simulator::new();
    /// let req = sim.v2_refund_notification(&RefundNotificationFields::success("R1", 100), &mut rng);
    /// let n = refund_notify::parse(req.body(), sim.merchant().api_v2_key()?)?;
    /// assert_eq!(n.mch_id(), sim.mchid().as_str());
    /// assert_eq!(n.refund_recv_accout().map(|a| a.expose_secret()), Some("支付用户零钱"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn v2_refund_notification<R: TryCryptoRng + ?Sized>(
        &self,
        fields: &RefundNotificationFields,
        rng: &mut R,
    ) -> http::Request<Vec<u8>> {
        // The AES key: md5(APIv2 key) as 32 lower-case hex characters, used as bytes.
        let mut h = Md5::new();
        h.update(self.api_v2_key.expose_secret().as_bytes());
        let hex: Zeroizing<String> = Zeroizing::new(
            h.finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
        );
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&hex.as_bytes()[..32]);
        let req_info = STANDARD.encode(crypto::aes256ecb_pkcs7_encrypt(
            &key,
            fields.req_info_xml().as_bytes(),
        ));
        let nonce = Nonce::generate(rng).map_or_else(
            |_| "00000000000000000000000000000000".to_owned(),
            |n| n.as_str().to_owned(),
        );
        let body = format!(
            "<xml><return_code>SUCCESS</return_code><appid>{}</appid><mch_id>{}</mch_id><nonce_str>{}</nonce_str><req_info>{}</req_info></xml>",
            cdata(&fields.appid),
            cdata(self.mchid.as_str()),
            cdata(&nonce),
            cdata(&req_info),
        );
        let mut req = http::Request::new(body.into_bytes());
        *req.method_mut() = http::Method::POST;
        *req.uri_mut() = http::Uri::from_static("https://merchant.example/wechatpay/refund-notify");
        req.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/xml"),
        );
        req
    }
}
