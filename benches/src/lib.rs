//! Nothing to see here: this package exists for its benchmarks (`cargo bench -p
//! wechatpay-sansio-bench`). It is never published.

pub mod fixtures;
