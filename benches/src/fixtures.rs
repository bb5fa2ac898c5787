//! Inputs shared by the benches and the allocation test (`tests/alloc.rs` includes this file
//! with `#[path]`), so that both measure the same bodies.

/// `n` realistic v2 fields: the official example's names first, then `attach_NN`; values 1–40
/// bytes, none needing an XML escape.
pub fn fields(n: usize) -> Vec<(String, String)> {
    let base = [
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
        ("out_trade_no", "20150806125346"),
        ("total_fee", "1"),
        ("spbill_create_ip", "123.12.12.123"),
        ("notify_url", "https://example.com/wechatpay/notify"),
        ("trade_type", "JSAPI"),
        ("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
        ("sign_type", "HMAC-SHA256"),
    ];
    (0..n)
        .map(|i| match base.get(i) {
            Some((k, v)) => ((*k).to_owned(), (*v).to_owned()),
            None => (
                format!("attach_{i:02}"),
                format!("value-{i:02}-abcdefghijklmnop"),
            ),
        })
        .collect()
}
