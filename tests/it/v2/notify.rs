//! v2 pay notifications as WeChat Pay sends them (issue 15, item 3): orders placed with
//! HMAC-SHA256 are notified **without** `sign_type`, with a 64-hex HMAC sign.

use crate::common::*;
use wechatpay_sansio::secret::ApiV2Key;
use wechatpay_sansio::v2::notify::{self, PayNotifyError, PayNotifyOptions};
use wechatpay_sansio::v2::reply::{Expect, ReplyError};
use wechatpay_sansio::v2::sign::SignError;
use wechatpay_sansio::v2::{SignType, reply, xml};

/// The two real notifications of binarywang/WxJava issues 1585 and 1671 (tests/data/real).
const REAL: [&str; 2] = [
    "v2_paynotify_hmac_no_sign_type_real_wxjava1585.xml",
    "v2_paynotify_hmac_no_sign_type_real_redacted_wxjava1671.xml",
];

#[test]
fn real_hmac_notifications_without_sign_type_are_checked_as_hmac() {
    // The merchants' keys are unknown: any key shows which algorithm was chosen.
    let key = ApiV2Key::new("TESTONLYsomeMerchantKey000000001").unwrap();
    for name in REAL {
        let body = std::fs::read(data_path(&format!("real/{name}"))).unwrap();
        let f = xml::parse(&body).unwrap();
        // Their shape: no sign_type, a 64-hex sign, every required field.
        assert_eq!(f.get("sign_type"), None, "{name}");
        let sign = f.get("sign").unwrap();
        assert_eq!(sign.len(), 64, "{name}");
        assert!(sign.bytes().all(|b| b.is_ascii_hexdigit()), "{name}");
        assert_eq!(
            reply::check_unsigned(&f, &Expect::unsigned().require(notify::REQUIRED)),
            Ok(()),
            "{name}"
        );
        // Nothing configured: the sign's length chooses HMAC-SHA256, and only the key is wrong
        // (before issue 15, MD5 was assumed: "the sign field is not 32 hex characters").
        assert_eq!(
            notify::parse(&body, &key),
            Err(PayNotifyError::Reply(ReplyError::Sign(SignError::Mismatch))),
            "{name}"
        );
        // Configured HMAC-SHA256: the same.
        let hmac = PayNotifyOptions::default().with_sign_type(SignType::HmacSha256);
        assert_eq!(
            notify::parse_with(&body, &key, &hmac),
            Err(PayNotifyError::Reply(ReplyError::Sign(SignError::Mismatch))),
            "{name}"
        );
        // Configured MD5 (a merchant whose orders are MD5): never read as HMAC.
        let md5 = PayNotifyOptions::default().with_sign_type(SignType::Md5);
        assert_eq!(
            notify::parse_with(&body, &key, &md5),
            Err(PayNotifyError::Reply(ReplyError::Sign(
                SignError::Malformed { expected: 32 }
            ))),
            "{name}"
        );
        // A failed signature is answered so that WeChat Pay resends.
        assert_eq!(
            notify::answer(&notify::parse(&body, &key)).body(),
            notify::failure("签名失败").body()
        );
    }
}
